use std::str::FromStr;

use super::*;

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn usd() -> Currency {
    "USD".parse().unwrap()
}

fn payout(key: &str, amount: &str, date: &str, refs: &[&str]) -> PayoutToMatch {
    PayoutToMatch {
        key: key.into(),
        amount: Decimal::from_str(amount).unwrap(),
        currency: usd(),
        date: day(date),
        references: refs.iter().map(|s| s.to_string()).collect(),
        amount_known: true,
    }
}

/// A reference match of these payouts and deposits, no difference.
fn reference_match(payouts: &[&str], deposits: &[&str]) -> DepositMatch {
    DepositMatch {
        payouts: payouts.iter().map(|s| s.to_string()).collect(),
        deposits: deposits.iter().map(|s| s.to_string()).collect(),
        basis: MatchBasis::Reference,
        difference: Decimal::ZERO,
    }
}

/// A payout in CAD whose amount at a USD bank nobody stated.
fn foreign_payout(key: &str, amount: &str, date: &str, refs: &[&str]) -> PayoutToMatch {
    PayoutToMatch {
        currency: "CAD".parse().unwrap(),
        amount_known: false,
        ..payout(key, amount, date, refs)
    }
}

fn deposit(key: &str, amount: &str, date: &str, text: &str) -> DepositToMatch {
    DepositToMatch {
        key: key.into(),
        amount: Decimal::from_str(amount).unwrap(),
        currency: usd(),
        date: day(date),
        text: text.into(),
    }
}

#[test]
fn a_reference_wins_and_a_bank_fee_is_stated() {
    let m = match_deposits(
        &[payout(
            "shopify/p/98765432",
            "500.00",
            "2026-03-02",
            &["98765432"],
        )],
        &[deposit(
            "b1",
            "485.00",
            "2026-03-04",
            "SHOPIFY PAYOUT ref 98765432 ",
        )],
        MatchRules {
            max_difference: Decimal::from(15),
            ..MatchRules::default()
        },
    );
    assert_eq!(m.matches.len(), 1);
    assert_eq!(m.matches[0].basis, MatchBasis::Reference);
    assert_eq!(
        m.matches[0].difference,
        Decimal::from_str("-15.00").unwrap()
    );
    assert!(m.unmatched_payouts.is_empty() && m.unmatched_deposits.is_empty());
}

#[test]
fn ids_match_as_whole_tokens_only() {
    assert!(mentions("SHOPIFY 98765432 PAYOUT", "98765432"));
    assert!(mentions("x/98765432", "98765432"));
    assert!(!mentions("9987654321", "98765432"));
    assert!(!mentions("abc 123 ", "123"), "too short to be an id");
}

#[test]
fn one_deposit_for_several_payouts_and_one_payout_split_in_two() {
    let m = match_deposits(
        &[
            payout("tiktok/a", "100.10", "2026-03-02", &[]),
            payout("tiktok/b", "250.00", "2026-03-03", &[]),
            payout("amazon/c", "1000.00", "2026-03-03", &[]),
        ],
        &[
            deposit("d-tiktok", "350.10", "2026-03-05", "TIKTOK SHOP"),
            deposit("d-amz-1", "600.00", "2026-03-05", "AMAZON"),
            deposit("d-amz-2", "400.00", "2026-03-06", "AMAZON"),
        ],
        MatchRules::default(),
    );
    assert!(m.ambiguous.is_empty(), "{:?}", m.ambiguous);
    let mut matches: Vec<(Vec<String>, Vec<String>, MatchBasis)> = m
        .matches
        .into_iter()
        .map(|x| (x.payouts, x.deposits, x.basis))
        .collect();
    matches.sort();
    assert_eq!(
        matches,
        vec![
            (
                vec!["amazon/c".into()],
                vec!["d-amz-1".into(), "d-amz-2".into()],
                MatchBasis::Combination
            ),
            (
                vec!["tiktok/a".into(), "tiktok/b".into()],
                vec!["d-tiktok".into()],
                MatchBasis::Combination
            ),
        ]
    );
}

#[test]
fn an_ambiguous_pair_is_never_guessed() {
    // Two payouts of the same amount, two deposits of it, all in the window.
    let m = match_deposits(
        &[
            payout("p1", "75.00", "2026-03-02", &[]),
            payout("p2", "75.00", "2026-03-03", &[]),
        ],
        &[
            deposit("d1", "75.00", "2026-03-04", "TRANSFER"),
            deposit("d2", "75.00", "2026-03-05", "TRANSFER"),
        ],
        MatchRules::default(),
    );
    assert!(m.matches.is_empty(), "{:?}", m.matches);
    assert_eq!(m.ambiguous.len(), 1);
    assert_eq!(m.ambiguous[0].payouts, vec!["p1", "p2"]);
    assert_eq!(m.ambiguous[0].deposits, vec!["d1", "d2"]);
    assert_eq!(m.unmatched_payouts.len(), 2);
}

#[test]
fn the_window_counts_business_days() {
    let ps = [payout("p", "10.00", "2026-03-06", &[])]; // a Friday
                                                        // Five business days later is the next Friday: in; the Monday after: out.
    let inside = match_deposits(
        &ps,
        &[deposit("d", "10.00", "2026-03-13", "")],
        MatchRules::default(),
    );
    assert_eq!(inside.matches.len(), 1);
    let outside = match_deposits(
        &ps,
        &[deposit("d", "10.00", "2026-03-16", "")],
        MatchRules::default(),
    );
    assert!(outside.matches.is_empty());
    assert_eq!(outside.unmatched_deposits, vec!["d"]);
}

#[test]
fn two_combinations_for_one_deposit_are_ambiguous() {
    let m = match_deposits(
        &[
            payout("a", "10.00", "2026-03-02", &[]),
            payout("b", "20.00", "2026-03-02", &[]),
            payout("c", "30.00", "2026-03-02", &[]),
        ],
        &[deposit("d", "30.00", "2026-03-03", "")],
        MatchRules::default(),
    );
    // c alone matches by amount; a+b would be another explanation — but the
    // one-to-one match is proved first and the rest stays unmatched.
    assert_eq!(m.matches.len(), 1);
    assert_eq!(m.matches[0].payouts, vec!["c"]);
    assert_eq!(m.unmatched_payouts, vec!["a", "b"]);
    let m = match_deposits(
        &[
            payout("a", "10.00", "2026-03-02", &[]),
            payout("b", "20.00", "2026-03-02", &[]),
            payout("c", "15.00", "2026-03-02", &[]),
            payout("e", "15.00", "2026-03-02", &[]),
        ],
        &[deposit("d", "30.00", "2026-03-03", "")],
        MatchRules::default(),
    );
    assert!(m.matches.is_empty(), "{:?}", m.matches);
    assert_eq!(m.ambiguous.len(), 1, "{:?}", m.ambiguous);
}

#[test]
fn a_quoted_deposit_beyond_the_fee_tolerance_is_an_exception_not_a_fee() {
    // Half of a split payout has arrived, quoting it.
    let m = match_deposits(
        &[payout("p", "1000.00", "2026-03-02", &["77112233"])],
        &[deposit("d1", "600.00", "2026-03-03", "PAYOUT 77112233 1/2")],
        MatchRules {
            max_difference: Decimal::from(25),
            ..MatchRules::default()
        },
    );
    assert!(m.matches.is_empty(), "{:?}", m.matches);
    assert_eq!(m.ambiguous.len(), 1);
    assert!(
        m.ambiguous[0].reason.contains("-400.00"),
        "{}",
        m.ambiguous[0].reason
    );
    assert_eq!(m.unmatched_payouts, vec!["p"]);
}

#[test]
fn a_chain_of_same_amounts_is_ambiguous_as_a_whole() {
    // p1–d1 and d2–p2 are each 5 business days apart; p1–d2 too: one group.
    let m = match_deposits(
        &[
            payout("p1", "100.00", "2026-03-02", &[]),
            payout("p2", "100.00", "2026-03-12", &[]),
        ],
        &[
            deposit("d1", "100.00", "2026-03-03", ""),
            deposit("d2", "100.00", "2026-03-09", ""),
        ],
        MatchRules::default(),
    );
    assert!(m.matches.is_empty(), "{:?}", m.matches);
    assert_eq!(m.ambiguous.len(), 1, "{:?}", m.ambiguous);
    assert_eq!(m.ambiguous[0].payouts, vec!["p1", "p2"]);
    assert_eq!(m.ambiguous[0].deposits, vec!["d1", "d2"]);
}

#[test]
fn a_negative_payout_meets_the_debit_it_caused_never_a_deposit() {
    let m = match_deposits(
        &[
            payout("owed", "-42.10", "2026-03-02", &[]),
            payout("paid", "42.10", "2026-03-02", &[]),
        ],
        &[
            deposit("debit", "-42.10", "2026-03-03", "AMAZON DEBIT"),
            deposit("credit", "42.10", "2026-03-03", "AMAZON"),
        ],
        MatchRules::default(),
    );
    let mut pairs: Vec<(String, String)> = m
        .matches
        .iter()
        .map(|x| (x.payouts[0].clone(), x.deposits[0].clone()))
        .collect();
    pairs.sort();
    assert_eq!(
        pairs,
        vec![
            ("owed".to_string(), "debit".to_string()),
            ("paid".to_string(), "credit".to_string())
        ]
    );
    assert!(m.ambiguous.is_empty());
}

#[test]
fn a_payout_in_another_currency_matches_the_deposit_that_quotes_it_and_nothing_else() {
    let m = match_deposits(
        &[
            foreign_payout(
                "amazon/ca/50065020384",
                "10015.64",
                "2026-03-02",
                &["50065020384"],
            ),
            // Same figure as a USD deposit, but in CAD: never an amount match.
            foreign_payout(
                "amazon/ca/50011020300",
                "7300.12",
                "2026-03-02",
                &["50011020300"],
            ),
        ],
        &[
            deposit(
                "d1",
                "7300.12",
                "2026-03-04",
                "AMAZON SETTLEMENT 50065020384",
            ),
            deposit("d2", "7300.12", "2026-03-04", "AMAZON.COM SERVICES"),
        ],
        MatchRules::default(),
    );
    assert_eq!(m.matches.len(), 1);
    assert_eq!(m.matches[0].payouts, vec!["amazon/ca/50065020384"]);
    assert_eq!(m.matches[0].deposits, vec!["d1"]);
    assert_eq!(m.matches[0].basis, MatchBasis::Reference);
    assert!(m.matches[0].difference.is_zero());
    assert_eq!(m.unmatched_payouts, vec!["amazon/ca/50011020300"]);
    assert_eq!(m.unmatched_deposits, vec!["d2"]);
}

#[test]
fn a_deposit_quoting_a_foreign_payout_must_leave_money_for_it() {
    // Quoting only a CAD payout, a deposit of zero net cannot be its.
    let m = match_deposits(
        &[foreign_payout(
            "amazon/ca/50065020384",
            "100.00",
            "2026-03-02",
            &["50065020384"],
        )],
        &[deposit(
            "d1",
            "-20.00",
            "2026-03-03",
            "REVERSAL 50065020384",
        )],
        MatchRules::default(),
    );
    assert!(m.matches.is_empty());
    assert_eq!(m.ambiguous.len(), 1, "{m:?}");
    assert!(
        m.ambiguous[0].reason.contains("leave -20"),
        "{}",
        m.ambiguous[0].reason
    );
    // With more in the deposit, the rest is the CAD payout's.
    let m = match_deposits(
        &[
            payout("shopify/us/1111", "500.00", "2026-03-02", &["11112222"]),
            foreign_payout(
                "amazon/ca/50065020384",
                "100.00",
                "2026-03-02",
                &["50065020384"],
            ),
        ],
        &[deposit(
            "d1",
            "573.10",
            "2026-03-03",
            "PAYOUTS 11112222 50065020384",
        )],
        MatchRules::default(),
    );
    assert_eq!(m.matches.len(), 1);
    assert_eq!(m.matches[0].payouts.len(), 2);
}

#[test]
fn a_payout_matched_in_two_currencies_is_an_exception_in_both() {
    let m = reference_match;
    // CAD: P matched by amount; Q (paid in USD, quoted there) unmatched.
    let cad = DepositMatching {
        matches: vec![m(&["amazon/ca/P"], &["cad|1"])],
        unmatched_payouts: vec!["amazon/ca/Q".into()],
        ..Default::default()
    };
    // USD: a deposit quoting P, another quoting Q.
    let usd = DepositMatching {
        matches: vec![
            m(&["amazon/ca/P"], &["usd|7"]),
            m(&["amazon/ca/Q"], &["usd|8"]),
        ],
        ..Default::default()
    };
    let mut all = vec![cad, usd];
    settle_across_currencies(&mut all);
    let [cad, usd] = &all[..] else { unreachable!() };
    assert!(cad.matches.is_empty());
    assert_eq!(usd.matches, vec![m(&["amazon/ca/Q"], &["usd|8"])]);
    for (g, deposit) in [(cad, "cad|1"), (usd, "usd|7")] {
        assert_eq!(g.ambiguous.len(), 1);
        assert_eq!(g.ambiguous[0].payouts, vec!["amazon/ca/P"]);
        assert_eq!(g.unmatched_deposits, vec![deposit]);
        assert_eq!(g.unmatched_payouts, vec!["amazon/ca/P"]);
    }
}

#[test]
fn a_payout_joined_to_a_contested_one_is_unmatched_again_where_it_belongs() {
    let m = reference_match;
    // CAD: P2 matched, P1 unmatched. USD: one deposit quoting P1 and P2.
    let cad = DepositMatching {
        matches: vec![m(&["ca/P2"], &["cad|1"])],
        unmatched_payouts: vec!["ca/P1".into()],
        ..Default::default()
    };
    let usd = DepositMatching {
        matches: vec![m(&["ca/P1", "ca/P2"], &["usd|7"])],
        ..Default::default()
    };
    let mut all = vec![cad, usd];
    settle_across_currencies(&mut all);
    // P1 was matched nowhere in the end: still unmatched in CAD, its own.
    assert_eq!(all[0].unmatched_payouts, vec!["ca/P1", "ca/P2"]);
    assert_eq!(all[1].unmatched_payouts, vec!["ca/P1", "ca/P2"]);
    assert!(all.iter().all(|g| g.matches.is_empty()));
}

#[test]
fn a_foreign_id_in_a_deposit_its_own_payout_explains_is_a_coincidence() {
    // The USD payout explains the deposit to the cent; the CAD payout whose
    // id also appears in the text stays free, and the match is unchanged.
    let m = match_deposits(
        &[
            payout("shopify/us/11112222", "500.00", "2026-03-02", &["11112222"]),
            foreign_payout(
                "amazon/ca/50065020384",
                "100.00",
                "2026-03-02",
                &["50065020384"],
            ),
        ],
        &[deposit(
            "d1",
            "500.00",
            "2026-03-03",
            "PAYOUT 11112222 REF 50065020384",
        )],
        MatchRules::default(),
    );
    assert_eq!(m.matches.len(), 1);
    assert_eq!(m.matches[0].payouts, vec!["shopify/us/11112222"]);
    assert_eq!(m.unmatched_payouts, vec!["amazon/ca/50065020384"]);
    assert!(m.ambiguous.is_empty());
}

#[test]
fn a_foreign_payout_quoted_long_after_its_window_is_not_matched() {
    let m = match_deposits(
        &[foreign_payout(
            "amazon/ca/50065020384",
            "100.00",
            "2026-01-05",
            &["50065020384"],
        )],
        &[deposit("d1", "73.10", "2026-03-03", "AMAZON 50065020384")],
        MatchRules::default(),
    );
    assert!(m.matches.is_empty());
    assert_eq!(m.unmatched_deposits, vec!["d1"]);
}
