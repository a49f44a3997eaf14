use std::str::FromStr;

use super::*;
use crate::domain::bank::matching::MatchBasis;
use crate::domain::bank::BankAccounts;
use crate::domain::settlement::Channel;
use crate::domain::{ChartOfAccounts, JournalEntry};

fn dec(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

fn day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 3, 4).unwrap()
}

fn bank(fx: bool) -> BankAccount {
    let text = format!(
        "[[bank]]\nname = \"usd\"\ncurrency = \"USD\"\ngl_account = \"1010\"\nfee_account = \"6900\"\n{}",
        if fx { "fx_account = \"1030\"\n" } else { "" }
    );
    BankAccounts::from_toml(&text)
        .unwrap()
        .get("usd")
        .unwrap()
        .clone()
}

fn payout(id: &str, amount: &str, currency: &str, stated: Option<&str>) -> PayoutSide {
    let currency: Currency = currency.parse().unwrap();
    let channel = Channel::Amazon;
    PayoutSide {
        key: format!("amazon/shop/{id}"),
        shop: BookingShop::unconfigured(channel, currency),
        payout_id: id.into(),
        amount: dec(amount),
        currency,
        bank_amount: stated.map(|a| Money::new(dec(a), "USD".parse().unwrap())),
        date: day(),
    }
}

fn line(id: &str, amount: &str) -> DepositLine {
    DepositLine {
        identity: id.into(),
        booked: day(),
        amount: dec(amount),
        description: format!("deposit {id}"),
        batch_id: 1,
        row: 2,
    }
}

/// (account, signed amount, currency)
type Row = (String, Decimal, String);

/// Plans one match and checks every entry against the shipped chart
/// (balance per currency included); returns (subject, postings as
/// (account, signed amount, currency)).
fn plan(
    bank: &BankAccount,
    payouts: Vec<PayoutSide>,
    deposits: Vec<DepositLine>,
    difference: &str,
) -> Result<Vec<(String, Vec<Row>)>, Vec<String>> {
    let m = DepositMatch {
        payouts: payouts.iter().map(|p| p.key.clone()).collect(),
        deposits: deposits.iter().map(|d| d.identity.clone()).collect(),
        basis: MatchBasis::Reference,
        difference: dec(difference),
    };
    let sides = payouts.into_iter().map(|p| (p.key.clone(), p)).collect();
    let lines = deposits
        .into_iter()
        .map(|d| (d.identity.clone(), d))
        .collect();
    let chart = ChartOfAccounts::from_toml(crate::gl_mappings::DEFAULT_ACCOUNTS_TOML).unwrap();
    let planned = plan_deposits(bank, &[m], &sides, &lines)?;
    Ok(planned
        .into_iter()
        .map(|p| {
            let subject = p.subject.0.clone();
            let entry = JournalEntry::new(p.draft, &chart).expect("balanced, known accounts");
            let postings = entry
                .postings()
                .iter()
                .map(|x| {
                    (
                        x.account.to_string(),
                        x.signed_amount(),
                        x.amount.currency.code().to_string(),
                    )
                })
                .collect();
            (subject, postings)
        })
        .collect())
}

fn row(account: &str, amount: &str, currency: &str) -> Row {
    (account.into(), dec(amount), currency.into())
}

#[test]
fn a_stated_bank_amount_is_exchanged_and_the_bank_fee_stays_its_own_line() {
    // 1,000 CAD that the channel says became 730.00 USD; 729.50 arrived.
    let out = plan(
        &bank(true),
        vec![payout("P1", "1000.00", "CAD", Some("730.00"))],
        vec![line("d1", "729.50")],
        "-0.50",
    )
    .unwrap();
    assert_eq!(out.len(), 2);
    let (fx_subject, fx) = &out[0];
    assert!(fx_subject.ends_with("/fx/CAD"), "{fx_subject}");
    assert_eq!(
        fx,
        &vec![
            row("1020", "-1000.00", "CAD"),
            row("1030", "1000.00", "CAD")
        ]
    );
    assert_eq!(
        out[1].1,
        vec![
            row("1010", "729.50", "USD"),
            row("1030", "-730.00", "USD"),
            row("6900", "0.50", "USD"),
        ]
    );
}

#[test]
fn what_a_deposit_carries_beyond_its_own_currency_is_the_foreign_payouts() {
    // A USD payout of 500 and a CAD one of 100 (no stated amount) in one
    // deposit of 573.10: 73.10 USD is what the CAD became.
    let out = plan(
        &bank(true),
        vec![
            payout("U1", "500.00", "USD", None),
            payout("C1", "100.00", "CAD", None),
        ],
        vec![line("d1", "573.10")],
        "0",
    )
    .unwrap();
    assert_eq!(out.len(), 2);
    assert_eq!(
        out[0].1,
        vec![row("1020", "-100.00", "CAD"), row("1030", "100.00", "CAD")]
    );
    assert_eq!(
        out[1].1,
        vec![
            row("1010", "573.10", "USD"),
            row("1020", "-500.00", "USD"),
            row("1030", "-73.10", "USD"),
        ]
    );
}

#[test]
fn a_foreign_payout_taken_back_by_the_channel_mirrors_the_exchange() {
    let out = plan(
        &bank(true),
        vec![payout("N1", "-50.00", "CAD", None)],
        vec![line("d1", "-36.50")],
        "0",
    )
    .unwrap();
    assert_eq!(
        out[0].1,
        vec![row("1020", "50.00", "CAD"), row("1030", "-50.00", "CAD")]
    );
    assert_eq!(
        out[1].1,
        vec![row("1010", "-36.50", "USD"), row("1030", "36.50", "USD")]
    );
}

#[test]
fn without_an_fx_account_an_exchange_is_refused_by_name() {
    let err = plan(
        &bank(false),
        vec![payout("C1", "100.00", "CAD", None)],
        vec![line("d1", "73.10")],
        "0",
    )
    .unwrap_err();
    assert_eq!(err.len(), 1);
    assert!(
        err[0].contains("C1") && err[0].contains("fx_account"),
        "{}",
        err[0]
    );
}

#[test]
fn each_foreign_payout_gets_its_own_line_where_its_amount_can_be_told() {
    // Two CAD payouts in one USD deposit: one stated at 365.00 USD, the
    // other not — it is the rest, 73.10. Each line names its payout, so
    // each one's trail finds the deposit.
    let out = plan(
        &bank(true),
        vec![
            payout("C1", "500.00", "CAD", Some("365.00")),
            payout("C2", "100.00", "CAD", None),
        ],
        vec![line("d1", "438.10")],
        "0",
    )
    .unwrap();
    assert_eq!(out.len(), 2);
    assert_eq!(
        out[1].1,
        vec![
            row("1010", "438.10", "USD"),
            row("1030", "-365.00", "USD"),
            row("1030", "-73.10", "USD"),
        ]
    );
    assert_eq!(
        out[0].1,
        vec![
            row("1020", "-500.00", "CAD"),
            row("1020", "-100.00", "CAD"),
            row("1030", "600.00", "CAD"),
        ]
    );
    let payouts = [
        payout("C1", "500.00", "CAD", Some("365.00")),
        payout("C2", "100.00", "CAD", None),
    ];
    let m = DepositMatch {
        payouts: payouts.iter().map(|p| p.key.clone()).collect(),
        deposits: vec!["d1".into()],
        basis: MatchBasis::Reference,
        difference: Decimal::ZERO,
    };
    let sides = payouts.into_iter().map(|p| (p.key.clone(), p)).collect();
    let lines = [("d1".to_string(), line("d1", "438.10"))].into();
    let planned = plan_deposits(&bank(true), &[m], &sides, &lines).unwrap();
    let named: Vec<Option<&str>> = planned[1]
        .draft
        .postings
        .iter()
        .map(|p| p.source.payout_id.as_deref())
        .collect();
    assert_eq!(named, vec![None, Some("C1"), Some("C2")]);
}
