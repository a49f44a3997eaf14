use chrono::{NaiveDate, Utc};
use rust_decimal::Decimal;
use std::str::FromStr;

use super::*;
use crate::domain::{EntryDraft, EntryId, JournalEntry, Money, Posting, Segments, SourceRef};

fn chart() -> ChartOfAccounts {
    ChartOfAccounts::from_toml(
        r#"
[[account]]
code = "1210"
name = "Clearing"
type = "asset"
netsuite_id = "210"
[[account]]
code = "4000"
name = "Sales"
type = "income"
netsuite_id = "400"
[[account]]
code = "6100"
name = "Fees"
type = "expense"
netsuite_id = "610"
[[account]]
code = "1020"
name = "Cash in transit"
type = "asset"
netsuite_id = "120"
[[account]]
code = "6990"
name = "Rounding"
type = "expense"
netsuite_id = "699"
[[account]]
code = "7000"
name = "Unmapped"
type = "expense"
"#,
    )
    .unwrap()
}

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

fn posting(
    account: &str,
    side: Side,
    amount: &str,
    currency: &str,
    order: Option<&str>,
    payout: Option<&str>,
) -> Posting {
    let mut p = Posting::new(
        account.parse().unwrap(),
        side,
        Money::new(d(amount), currency.parse().unwrap()),
    );
    p.segments = Segments {
        subsidiary: Some("1".into()),
        class: Some("tiktok".into()),
        shop: Some("tiktok-us".into()),
        channel: Some("tiktok".into()),
        ..Segments::default()
    };
    p.source = SourceRef {
        order_id: order.map(str::to_string),
        payout_id: payout.map(str::to_string),
        ..SourceRef::default()
    };
    p
}

fn stored(seq: i64, key: &str, kind: EntryKind, date: &str, postings: Vec<Posting>) -> StoredEntry {
    let entry = JournalEntry::new(
        EntryDraft {
            idempotency_key: key.into(),
            date: NaiveDate::parse_from_str(date, "%Y-%m-%d").unwrap(),
            kind,
            description: format!("entry {key}"),
            postings,
        },
        &chart(),
    )
    .unwrap();
    StoredEntry {
        seq: EntryId(seq),
        entry,
        created_at: Utc::now(),
        created_by: "test".into(),
        content_hash: String::new(),
        prev_hash: String::new(),
        hash: String::new(),
    }
}

fn settlement(seq: i64, order: &str, payout: &str) -> StoredEntry {
    stored(
        seq,
        &format!("tiktok/tiktok-us/line/S1/{order}/1"),
        EntryKind::Settlement,
        "2026-03-10",
        vec![
            posting(
                "6100",
                Side::Debit,
                "1.50",
                "USD",
                Some(order),
                Some(payout),
            ),
            posting(
                "1210",
                Side::Debit,
                "8.50",
                "USD",
                Some(order),
                Some(payout),
            ),
            posting(
                "4000",
                Side::Credit,
                "10.00",
                "USD",
                Some(order),
                Some(payout),
            ),
        ],
    )
}

#[test]
fn one_journal_entry_per_ledger_entry_with_ids_segments_and_memo() {
    let mut rules = DocumentRules::default();
    rules.shop_customers.insert("tiktok-us".into(), "55".into());
    rules.segment_ids.insert(
        "class".into(),
        [("tiktok".to_string(), "7".to_string())].into(),
    );
    let docs = plan_documents(
        &[settlement(3, "A1", "P9")],
        &chart(),
        &rules,
        AccountRef::NetSuiteId,
    )
    .unwrap();
    assert_eq!(docs.len(), 1);
    let doc = &docs[0];
    assert!(
        is_valid_external_id(&doc.external_id),
        "{}",
        doc.external_id
    );
    assert!(
        doc.external_id
            .starts_with("SB-tiktok-tiktok-us-line-S1-A1-1-"),
        "{}",
        doc.external_id
    );
    assert_eq!(doc.subsidiary, "1");
    assert!(
        doc.memo.contains("order A1") && doc.memo.contains("payout P9"),
        "{}",
        doc.memo
    );
    assert_eq!(doc.lines.len(), 3);
    assert_eq!(doc.lines[0].account_id, "610");
    assert_eq!(doc.lines[0].entity.as_deref(), Some("55"));
    assert_eq!(doc.lines[0].class.as_deref(), Some("7"));
    assert!(doc.lines.iter().all(|l| l.memo.contains("order A1")));
    assert_eq!(doc.totals(), (d("10.00"), d("10.00")));
    // CSV planning writes account numbers instead.
    let csv = plan_documents(
        &[settlement(3, "A1", "P9")],
        &chart(),
        &rules,
        AccountRef::Number,
    )
    .unwrap();
    assert_eq!(csv[0].lines[0].account_id, "6100");
    assert_eq!(csv[0].external_id, doc.external_id);
}

#[test]
fn external_ids_are_clean_and_distinct_for_keys_that_clean_alike() {
    let a = external_id_for_key("SB", "tiktok/shop/sale/1.2");
    let b = external_id_for_key("SB", "tiktok/shop/sale/1/2");
    assert_ne!(a, b);
    assert!(is_valid_external_id(&a) && is_valid_external_id(&b));
    assert!(
        !is_valid_external_id("a|b") && !is_valid_external_id("a:b") && !is_valid_external_id("")
    );
    let long = external_id_for_key("SB", &"x/".repeat(200));
    assert!(long.len() <= 3 + 1 + 60 + 1 + 12, "{long}");
}

#[test]
fn unmapped_accounts_and_missing_subsidiary_stop_everything_and_are_all_named() {
    let mut e = settlement(1, "A1", "P1");
    let mut postings = e.entry.postings().to_vec();
    postings[0].account = "7000".parse().unwrap();
    e = stored(1, "k1", EntryKind::Settlement, "2026-03-10", postings);
    let mut no_sub = settlement(2, "A2", "P1");
    let mut postings = no_sub.entry.postings().to_vec();
    for p in &mut postings {
        p.segments.subsidiary = None;
    }
    no_sub = stored(2, "k2", EntryKind::Settlement, "2026-03-10", postings);
    let problems = plan_documents(
        &[e, no_sub, settlement(3, "A3", "P1")],
        &chart(),
        &DocumentRules::default(),
        AccountRef::NetSuiteId,
    )
    .unwrap_err();
    assert_eq!(problems.len(), 2, "{problems:?}");
    assert!(problems.contains(&DocumentProblem::AccountNotMapped("7000".into())));
    assert!(problems.contains(&DocumentProblem::NoSubsidiary { seq: 2 }));
}

#[test]
fn sub_cent_amounts_round_half_away_from_zero_and_the_residual_is_its_own_line() {
    // 0.335 + 0.335 = 0.67 debit; each rounds to 0.34: 0.68 vs 0.67 credit.
    let e = stored(
        1,
        "fees",
        EntryKind::Settlement,
        "2026-03-10",
        vec![
            posting("6100", Side::Debit, "0.335", "USD", None, None),
            posting("6100", Side::Debit, "0.335", "USD", None, None),
            posting("1210", Side::Credit, "0.67", "USD", None, None),
        ],
    );
    let err = plan_documents(
        std::slice::from_ref(&e),
        &chart(),
        &DocumentRules::default(),
        AccountRef::NetSuiteId,
    )
    .unwrap_err();
    assert_eq!(
        err,
        vec![DocumentProblem::RoundingResidual {
            seq: 1,
            residual: d("0.01"),
            currency: "USD".into()
        }]
    );
    let rules = DocumentRules {
        rounding_account: Some("6990".into()),
        ..DocumentRules::default()
    };
    let docs = plan_documents(&[e], &chart(), &rules, AccountRef::NetSuiteId).unwrap();
    let lines = &docs[0].lines;
    assert_eq!(lines.len(), 4);
    assert_eq!(lines[0].amount, d("0.34"));
    assert_eq!(lines[3].account_id, "699");
    assert_eq!((lines[3].side, lines[3].amount), (Side::Credit, d("0.01")));
    assert_eq!(docs[0].totals(), (d("0.68"), d("0.68")));
    // Zero-decimal currencies round to whole units.
    assert_eq!(
        round_for_netsuite(d("100.5"), "JPY".parse().unwrap()),
        d("101")
    );
    assert_eq!(
        round_for_netsuite(d("-0.005"), "USD".parse().unwrap()),
        d("-0.01")
    );
}

#[test]
fn payout_mode_combines_a_payouts_entries_and_splits_below_the_line_limit() {
    let rules = DocumentRules {
        mode: PostingMode::Payout,
        max_lines: 7,
        ..DocumentRules::default()
    };
    let sale = stored(
        1,
        "tiktok/tiktok-us/sale/A1",
        EntryKind::Sale,
        "2026-03-01",
        vec![
            posting("1210", Side::Debit, "10", "USD", Some("A1"), None),
            posting("4000", Side::Credit, "10", "USD", Some("A1"), None),
        ],
    );
    let mut entries = vec![sale];
    for (i, order) in ["A1", "A2", "A3", "A4", "A5"].iter().enumerate() {
        entries.push(settlement(i as i64 + 2, order, "P9"));
    }
    entries.push(settlement(7, "B1", "P10"));
    let docs = plan_documents(&entries, &chart(), &rules, AccountRef::NetSuiteId).unwrap();
    // The sale alone; P9's five 3-line entries in chunks of at most 7 lines
    // (2 + 2 + 1 entries); P10 alone.
    let sizes: Vec<(usize, usize)> = docs
        .iter()
        .map(|d| (d.entry_seqs.len(), d.lines.len()))
        .collect();
    assert_eq!(sizes, vec![(1, 2), (2, 6), (2, 6), (1, 3), (1, 3)]);
    let p9: Vec<&NsDocument> = docs
        .iter()
        .filter(|d| d.memo.starts_with("Payout P9"))
        .collect();
    assert_eq!(p9.len(), 3);
    assert!(p9[0].memo.contains("part 1 of 3"), "{}", p9[0].memo);
    let mut ids: Vec<&str> = docs.iter().map(|d| d.external_id.as_str()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), docs.len(), "external ids are unique");
    for doc in &docs {
        assert!(is_valid_external_id(&doc.external_id));
        let (dr, cr) = doc.totals();
        assert_eq!(dr, cr, "each part balances on its own");
        assert!(
            doc.lines.iter().all(|l| l.order_id.is_some()),
            "every line keeps its order"
        );
    }
    // Planning is deterministic.
    assert_eq!(
        plan_documents(&entries, &chart(), &rules, AccountRef::NetSuiteId).unwrap(),
        docs
    );
}
