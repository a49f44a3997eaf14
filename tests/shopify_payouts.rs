//! Shopify Payments transactions export: the project's fixture (payout id,
//! VAT, currency signs, thousands separators, a pending row) and the real
//! exports in ../shared/samples.

mod support;

use rust_decimal::Decimal;
use settlebridge::domain::settlement::ParsedFile;
use settlebridge::sources::shopify_payouts::{parse, Options};
use support::{component_total, d, sample};

fn fixture() -> Vec<u8> {
    std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/shopify/payments-transactions-eu-payout-id.csv"
    ))
    .unwrap()
}

fn total(p: &ParsedFile, statement: &str) -> Decimal {
    p.lines
        .iter()
        .filter(|l| l.statement_id == statement)
        .map(|l| l.net())
        .sum()
}

#[test]
fn the_fixture_groups_rows_into_payouts_and_splits_amount_fee_and_vat() {
    let p = parse("eu.csv", fixture().as_slice(), Options::default()).unwrap();
    assert_eq!(p.rows_read, 5);
    let ids: Vec<&str> = p
        .statements
        .iter()
        .map(|s| s.statement_id.as_str())
        .collect();
    assert_eq!(ids, vec!["98765001", "unscheduled-EUR"]);
    assert_eq!(p.statements[0].payout_id.as_deref(), Some("98765001"));
    assert_eq!(
        p.statements[0].deposit_date.as_ref().unwrap().raw,
        "2026-03-04"
    );
    assert_eq!(
        total(&p, "98765001"),
        d("1264.16"),
        "81.26 + 1206.00 − 20.00 − 3.10"
    );
    assert_eq!(total(&p, "unscheduled-EUR"), d("38.54"));
    assert_eq!(component_total(&p, "sale.charge"), d("1374.00"));
    assert_eq!(component_total(&p, "fee.transaction"), d("-40.75"));
    assert_eq!(
        component_total(&p, "tax.on_fees"),
        d("-7.45"),
        "VAT counted only where Net leaves it out"
    );
    assert_eq!(component_total(&p, "refund.gross"), d("-20.00"));
    assert_eq!(
        component_total(&p, "tax.withheld_by_marketplace"),
        d("-3.10")
    );
    let first = &p.lines[0];
    assert_eq!(first.order_id.as_deref(), Some("#1001"));
    assert_eq!(
        first.posted_at.as_ref().unwrap().utc.to_rfc3339(),
        "2026-03-02T09:15:00+00:00"
    );
    assert_eq!(first.rows[0].row, 2);
    assert_eq!(first.rows[0].cells[12], "#3100001", "raw cells kept");
}

#[test]
fn rows_that_do_not_add_up_or_have_unknown_types_are_refused_with_their_place() {
    let text = String::from_utf8(fixture()).unwrap();
    let broken =
        text.replacen("81.26", "81.27", 1)
            .replacen("marketplace sales tax", "installment_fee", 1);
    let err = parse("eu.csv", broken.as_bytes(), Options::default())
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("eu.csv: 2 problem(s); nothing was imported"),
        "{err}"
    );
    assert!(
        err.contains("row 2, column `net`, value `81.27`: Amount 84.00 − Fee 2.74 is 81.26"),
        "{err}"
    );
    assert!(err.contains("row 5, column `type`, value `installment_fee`: unknown transaction type: 1 row(s) with net -3.10"), "{err}");
    let accepted = parse(
        "eu.csv",
        text.replacen("marketplace sales tax", "installment_fee", 1)
            .as_bytes(),
        Options {
            accept_unclassified: true,
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(
        component_total(&accepted, "adjustment.unclassified"),
        d("-3.10")
    );
}

#[test]
fn real_export_davesprague_1593_rows_in_29_payouts() {
    let Some(path) = sample("shopify-davesprague_payment_transactions_export_1.csv") else {
        return;
    };
    let p = parse(
        "dave.csv",
        std::fs::File::open(path).unwrap(),
        Options::default(),
    )
    .unwrap();
    assert_eq!(p.rows_read, 1593);
    assert_eq!(p.lines.len(), 1593);
    assert_eq!(p.statements.len(), 29);
    let all: Decimal = p.lines.iter().map(|l| l.net()).sum();
    assert_eq!(all, d("145808.86"));
    assert_eq!(total(&p, "2025-07-03-USD"), d("135.28"));
    assert_eq!(
        p.lines
            .iter()
            .filter(|l| l.transaction_type == "refund")
            .count(),
        17
    );
}

#[test]
fn real_export_pirani_with_shop_cash_and_marketplace_tax() {
    let Some(path) = sample("shopify-pirani_payment_transactions_export_1.EXCERPT.csv") else {
        return;
    };
    let p = parse(
        "pirani.csv",
        std::fs::File::open(path).unwrap(),
        Options::default(),
    )
    .unwrap();
    assert_eq!(p.lines.len(), 24);
    assert_eq!(p.statements.len(), 1);
    assert_eq!(total(&p, "2025-11-07-USD"), d("246.92"));
    assert!(component_total(&p, "adjustment.shop_cash_credit") > Decimal::ZERO);
    assert!(component_total(&p, "tax.withheld_by_marketplace") < Decimal::ZERO);
    assert!(component_total(&p, "fee.advertising") < Decimal::ZERO);
}
