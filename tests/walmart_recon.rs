//! Walmart's reconciliation report (recon report v1): the project's
//! fixtures, a 32-column CSV (BOM, CRLF, quoted names) and a 29-column
//! TAB-separated file. No real Walmart file is known (formats.md 6).

mod support;

use std::path::PathBuf;

use proptest::prelude::*;
use rust_decimal::Decimal;
use settlebridge::domain::settlement::ParsedFile;
use settlebridge::importer::{self, SourceKind};
use settlebridge::sources::problems::ParseError;
use settlebridge::sources::walmart_recon::{parse, Options};
use support::imports::{import_once, net_total};
use support::{component_total, d};

const CSV: &str = "recon-v1-32col.csv";
const TSV: &str = "recon-v1-29col-tab.tsv";

fn fixture(name: &str) -> PathBuf {
    support::imports::fixture(&format!("walmart/{name}"))
}

fn text(name: &str) -> String {
    std::fs::read_to_string(fixture(name)).unwrap()
}

fn parse_text(text: &str) -> Result<ParsedFile, ParseError> {
    parse("recon.csv", text.as_bytes(), Options::default())
}

fn edited(from: &str, to: &str) -> String {
    let text = text(CSV);
    assert!(text.contains(from), "{from}");
    text.replacen(from, to, 1)
}

fn problems_of(text: &str, options: Options) -> String {
    match parse("edited.csv", text.as_bytes(), options) {
        Err(e) => e.to_string(),
        Ok(p) => panic!("should be refused, parsed {} lines", p.lines.len()),
    }
}

#[test]
fn the_32_column_report_pivots_amounts_into_po_lines() {
    let p = parse_text(&text(CSV)).unwrap();
    assert_eq!(p.header.len(), 32);
    assert_eq!(
        p.rows_read, 25,
        "the PaymentSummary row is not a detail row"
    );
    let st = &p.statements[0];
    assert_eq!(st.statement_id, "2026-06-07..2026-06-20");
    assert_eq!(st.declared_total, Some(d("124.80")));
    assert_eq!(st.currency.code(), "USD");
    assert_eq!(st.period_end.as_ref().unwrap().raw, "06/20/2026");
    assert_eq!(net_total(&p), d("124.80"));
    // Two sale lines of PO …6789, its label charge, the refund of line 2,
    // the sale of PO …4321; storage, lost inventory and ads at account level.
    assert_eq!(p.lines.len(), 8);
    let line1 = &p.lines[0];
    assert_eq!(line1.order_id.as_deref(), Some("108829123456789"));
    assert_eq!(line1.adjustment_id.as_deref(), Some("2026_06_08_1400001"));
    assert_eq!((line1.rows.len(), line1.rows[0].row), (5, 3));
    assert_eq!(line1.net(), d("44.49"));
    assert_eq!(p.lines[1].net(), d("14.99"));
    let refund = &p.lines[3];
    assert_eq!(refund.transaction_type, "Refund");
    assert_eq!(refund.net(), d("-14.99"));
    assert_eq!(p.lines[4].net(), d("118.14"));
    let account_level: Vec<_> = p.lines.iter().filter(|l| l.order_id.is_none()).collect();
    assert_eq!(account_level.len(), 3);
    for (code, total) in [
        ("sale.gross", "198.98"),
        ("tax.collected", "13.93"),
        ("tax.withheld_by_marketplace", "-12.53"),
        ("refund.tax", "-1.40"),
        ("fee.commission", "-31.35"),
        ("sale.platform_discount", "2.00"),
        ("sale.seller_discount", "-2.00"),
        ("fee.shipping_label", "-8.23"),
        ("refund.gross", "-19.99"),
        ("refund.fee_reversal", "3.00"),
        ("refund.seller_discount", "2.00"),
        ("sale.shipping_income", "9.99"),
        ("fee.storage", "-14.60"),
        ("adjustment.reimbursement", "25.00"),
        ("fee.advertising", "-40.00"),
    ] {
        assert_eq!(component_total(&p, code), d(total), "{code}");
    }
    // Product tax and Product tax withheld net to zero.
    assert_eq!(
        component_total(&p, "tax.collected")
            + component_total(&p, "tax.withheld_by_marketplace")
            + component_total(&p, "refund.tax"),
        Decimal::ZERO
    );
    assert_eq!(p.payouts.len(), 1);
    let payout = &p.payouts[0];
    assert_eq!(payout.payout_id, "2026-06-07..2026-06-20");
    assert_eq!(payout.amount, d("124.80"));
    assert_eq!(payout.status.as_deref(), Some("Deposited in account"));
    assert_eq!(
        payout.paid_at.as_ref().unwrap().utc.to_rfc3339(),
        "2026-06-24T00:00:00+00:00"
    );
    assert_eq!(payout.source.as_ref().unwrap().row, 2);
    assert!(p.warnings.is_empty());
}

#[test]
fn the_29_column_tab_separated_report() {
    let p = parse_text(&text(TSV)).unwrap();
    assert_eq!(p.header.len(), 29);
    assert_eq!(p.statements[0].statement_id, "2026-06-21..2026-07-04");
    assert_eq!(net_total(&p), d("16.95"));
    assert_eq!(p.lines.len(), 2);
    assert_eq!(component_total(&p, "fee.fulfillment"), d("-3.45"));
    assert_eq!(
        p.lines[0].posted_at.as_ref().unwrap().utc.to_rfc3339(),
        "2026-06-25T00:00:00+00:00"
    );
    // With the shop's zone a date is midnight there.
    let p = parse(
        "recon.tsv",
        text(TSV).as_bytes(),
        Options {
            shop_zone: Some("America/Chicago".parse().unwrap()),
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(
        p.lines[0].posted_at.as_ref().unwrap().utc.to_rfc3339(),
        "2026-06-25T05:00:00+00:00"
    );
}

#[test]
fn a_wrong_total_payable_is_refused() {
    let err = problems_of(&edited("124.80", "124.90"), Options::default());
    assert!(
        err.contains("row 2, column `total payable`, value `124.90`: the detail rows' Amount sums to 124.80 USD, not the Total Payable"),
        "{err}"
    );
}

#[test]
fn a_bad_amount_or_date_names_row_column_and_value() {
    let err = problems_of(&edited("-8.23", "-8.2.3"), Options::default());
    assert!(
        err.contains("row 13, column `amount`, value `-8.2.3`: `-8.2.3` is not an amount"),
        "{err}"
    );
    let err = problems_of(&edited(",06/11/2026,", ",06/11/26,"), Options::default());
    assert!(
        err.contains("row 19, column `transaction posted timestamp`, value `06/11/26`: not a date (expected MM/DD/YYYY)"),
        "{err}"
    );
    let err = problems_of(
        &edited(",108829987654321,", ",1.08830E+14,"),
        Options::default(),
    );
    assert!(
        err.contains("row 19, column `purchase order #`, value `1.08830E+14`: the order number was turned into a floating-point number"),
        "{err}"
    );
}

#[test]
fn unknown_amount_types_stop_the_import_unless_accepted() {
    let text = edited("Promo Code", "Extra Savings");
    let err = problems_of(&text, Options::default());
    assert!(
        err.contains("row 12, column `Amount Type`, value `Extra Savings`: unknown amount type: 1 row(s) totalling -2.00 USD"),
        "{err}"
    );
    let p = parse(
        "accepted.csv",
        text.as_bytes(),
        Options {
            accept_unclassified: true,
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(component_total(&p, "adjustment.unclassified"), d("-2.00"));
    assert_eq!(net_total(&p), d("124.80"));
    let err = problems_of(&edited(",Refund,", ",Chargeback,"), Options::default());
    assert!(
        err.contains("column `Transaction Type`, value `Chargeback`"),
        "{err}"
    );
}

#[test]
fn unknown_trailing_columns_are_kept_and_money_in_them_is_drift() {
    let base = text(CSV).replace("\r\n", "\n");
    let text: String = base
        .lines()
        .enumerate()
        .map(|(i, line)| match i {
            0 => format!("{line},Store Id,Campaign Savings\n"),
            // The second sale row (row 4) carries 1.25 in the new column.
            3 => format!("{line},W123,1.25\n"),
            _ => format!("{line},W123,0\n"),
        })
        .collect();
    let err = problems_of(&text, Options::default());
    assert!(
        err.contains("row 4, column `header`, value `Campaign Savings`: unknown column carrying money: 1 row(s) totalling 1.25 USD"),
        "{err}"
    );
    assert!(!err.contains("Store Id"), "{err}");
    let p = parse(
        "accepted.csv",
        text.as_bytes(),
        Options {
            accept_unclassified: true,
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(net_total(&p), d("124.80"), "memo columns are not booked");
    assert_eq!(p.warnings.len(), 1);
    assert!(
        p.warnings[0]
            .contains("column `Campaign Savings` carries amounts (1 row(s), totalling 1.25 USD)"),
        "{:?}",
        p.warnings
    );
}

#[test]
fn a_report_without_its_payment_summary_or_in_another_shape_is_refused() {
    let text = text(CSV);
    let without: String = text
        .split_inclusive('\n')
        .filter(|l| !l.contains("PaymentSummary"))
        .collect();
    let err = problems_of(&without, Options::default());
    assert!(
        err.contains("the report has no PaymentSummary row"),
        "{err}"
    );
    let semicolons = text.replace(',', ";");
    assert!(matches!(
        parse_text(&semicolons),
        Err(ParseError::NotThisFormat { .. })
    ));
    assert_eq!(importer::detect(semicolons.as_bytes()), None);
    let err = parse_text("").unwrap_err();
    assert!(err.to_string().contains("the file is empty"), "{err}");
}

#[test]
fn detection_picks_walmart_in_either_delimiter() {
    assert_eq!(
        importer::detect(text(CSV).as_bytes()),
        Some(SourceKind::WalmartRecon)
    );
    assert_eq!(
        importer::detect(text(TSV).as_bytes()),
        Some(SourceKind::WalmartRecon)
    );
}

#[tokio::test]
async fn import_detects_the_report_and_a_second_import_changes_nothing() {
    for name in [CSV, TSV] {
        let bytes = std::fs::read(fixture(name)).unwrap();
        let lines = if name == CSV { 8 } else { 2 };
        for db in support::all_backends().await {
            let done = import_once(&db, &bytes, name, Some("walmart-us")).await;
            assert_eq!(done.format, SourceKind::WalmartRecon);
            assert_eq!(done.batch.lines_new, lines, "{}", db.name);
            assert_eq!(
                done.statements[0].declared_total,
                Some(done.statements[0].lines_total.clone())
            );
            assert_eq!(db.raw_count("settlement_lines").await, lines);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let _ = parse("random.csv", bytes.as_slice(), Options::default());
    }

    #[test]
    fn mutated_fixtures_never_panic(
        tsv in any::<bool>(),
        edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..12),
    ) {
        let mut bytes = std::fs::read(fixture(if tsv { TSV } else { CSV })).unwrap();
        for (at, byte) in edits {
            let i = at.index(bytes.len());
            bytes[i] = byte;
        }
        let _ = parse("mutated.csv", bytes.as_slice(), Options { accept_unclassified: tsv, ..Default::default() });
    }
}
