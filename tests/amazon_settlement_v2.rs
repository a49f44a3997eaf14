//! Amazon's settlement flat file V2: the project's fixtures (a US file with
//! marketplace facilitator tax, a refund, ads, storage, subscription and a
//! reimbursement; an Amazon.de file with decimal commas, dotted dates and
//! reserve rows). No real V2 file is known (formats.md 5a).

mod support;

use std::path::PathBuf;

use proptest::prelude::*;
use rust_decimal::Decimal;
use settlebridge::domain::settlement::ParsedFile;
use settlebridge::importer::{self, SourceKind};
use settlebridge::sources::amazon_settlement_v2::{parse, Options};
use settlebridge::sources::problems::ParseError;
use support::imports::{import_once, net_total};
use support::{component_total, d};

const US: &str = "settlement-v2-us.txt";
const DE: &str = "settlement-v2-de-decimal-comma.txt";

fn fixture(name: &str) -> PathBuf {
    support::imports::fixture(&format!("amazon/{name}"))
}

fn text(name: &str) -> String {
    std::fs::read_to_string(fixture(name)).unwrap()
}

fn parse_text(text: &str) -> Result<ParsedFile, ParseError> {
    parse("v2.txt", text.as_bytes(), Options::default())
}

fn edited(name: &str, from: &str, to: &str) -> String {
    let text = text(name);
    assert!(text.contains(from), "{from}");
    text.replacen(from, to, 1)
}

fn problems_of(text: &str, options: Options) -> String {
    match parse("edited.txt", text.as_bytes(), options) {
        Err(e) => e.to_string(),
        Ok(p) => panic!("should be refused, parsed {} lines", p.lines.len()),
    }
}

#[test]
fn the_us_file_pivots_one_amount_per_row_into_lines() {
    let p = parse_text(&text(US)).unwrap();
    assert_eq!(p.header.len(), 24, "with promotion-id");
    let st = &p.statements[0];
    assert_eq!(st.statement_id, "22233344455");
    assert_eq!(st.currency.code(), "USD");
    assert_eq!(st.declared_total, Some(d("116.09")));
    assert_eq!(
        st.period_start.as_ref().unwrap().utc.to_rfc3339(),
        "2026-02-01T00:00:00+00:00"
    );
    assert_eq!(p.rows_read, 31);
    assert_eq!(net_total(&p), d("116.09"));
    // Orders 1, 2 (two items, one shipment), 3; the refund; ads, storage,
    // subscription and the damage reimbursement each a line.
    assert_eq!(p.lines.len(), 8);
    let order1 = &p.lines[0];
    assert_eq!(order1.order_id.as_deref(), Some("112-1000001-2000001"));
    assert_eq!(order1.rows.len(), 9);
    assert_eq!(order1.rows[0].row, 3, "header 1, summary 2");
    assert_eq!(order1.net(), d("15.24"));
    assert_eq!(
        order1.posted_at.as_ref().unwrap().raw,
        "2026-02-03 14:05:09 UTC",
        "posted-date-time wins over posted-date"
    );
    let order2 = &p.lines[1];
    assert_eq!((order2.rows.len(), order2.net()), (8, d("67.97")));
    let refund = &p.lines[2];
    assert_eq!(refund.transaction_type, "Refund");
    assert_eq!(
        refund.adjustment_id.as_deref(),
        Some("amzn1:crow:Tk9UUkVBTDEx")
    );
    assert_eq!(refund.net(), d("-21.99"));

    for (code, total) in [
        ("sale.gross", "253.96"),
        ("sale.shipping_income", "3.99"),
        ("sale.seller_discount", "-3.99"),
        ("tax.collected", "20.71"),
        ("tax.withheld_by_marketplace", "-18.65"),
        ("refund.tax", "-2.06"),
        ("fee.commission", "-38.70"),
        ("fee.fulfillment", "-12.57"),
        ("refund.gross", "-24.99"),
        ("refund.fee_reversal", "3.75"),
        ("fee.refund_commission", "-0.75"),
        ("fee.advertising", "-35.00"),
        ("fee.storage", "-2.10"),
        ("fee.subscription", "-39.99"),
        ("adjustment.reimbursement", "12.48"),
    ] {
        assert_eq!(component_total(&p, code), d(total), "{code}");
    }
    // Marketplace facilitator tax passes through: collected, withheld and
    // refunded net to zero.
    assert_eq!(
        component_total(&p, "tax.collected")
            + component_total(&p, "tax.withheld_by_marketplace")
            + component_total(&p, "refund.tax"),
        Decimal::ZERO
    );
    assert_eq!(p.payouts.len(), 1);
    let payout = &p.payouts[0];
    assert_eq!(payout.payout_id, "22233344455");
    assert_eq!(payout.amount, d("116.09"));
    assert_eq!(
        payout.paid_at.as_ref().unwrap().utc.to_rfc3339(),
        "2026-02-17T00:00:00+00:00"
    );
}

#[test]
fn the_de_file_has_decimal_commas_dotted_dates_and_reserves() {
    let p = parse_text(&text(DE)).unwrap();
    assert_eq!(p.header.len(), 23, "without promotion-id");
    let st = &p.statements[0];
    assert_eq!(
        (st.currency.code(), st.declared_total),
        ("EUR", Some(d("1868.30")))
    );
    assert_eq!(
        st.deposit_date.as_ref().unwrap().utc.to_rfc3339(),
        "2026-03-17T08:12:44+00:00"
    );
    assert_eq!(net_total(&p), d("1868.30"));
    assert_eq!(p.lines.len(), 8);
    assert_eq!(component_total(&p, "sale.gross"), d("2058.81"));
    assert_eq!(component_total(&p, "tax.collected"), d("391.17"));
    assert_eq!(component_total(&p, "refund.tax"), d("-7.98"));
    assert_eq!(component_total(&p, "fee.commission"), d("-367.20"));
    assert_eq!(component_total(&p, "sale.seller_discount"), d("-5.00"));
    assert_eq!(component_total(&p, "refund.seller_discount"), d("5.00"));
    assert_eq!(component_total(&p, "reserve.release"), d("250.00"));
    assert_eq!(component_total(&p, "reserve.hold"), d("-312.45"));
    assert_eq!(component_total(&p, "fee.advertising"), d("-60.00"));
    assert_eq!(component_total(&p, "tax.on_fees"), d("-11.40"));
    let order1 = p
        .lines
        .iter()
        .find(|l| l.order_id.as_deref() == Some("302-1111111-2222222"))
        .unwrap();
    assert_eq!(order1.net(), d("2027.45"));
    assert_eq!(
        order1.posted_at.as_ref().unwrap().utc.to_rfc3339(),
        "2026-03-03T10:15:00+00:00"
    );
    assert_eq!(p.payouts[0].amount, d("1868.30"));
}

#[test]
fn without_posted_date_time_the_posted_date_is_read_in_the_files_order() {
    // Blank every posted-date-time: the US file's 02/13/26 and 02/14/26 say
    // month first, so 02/03/26 is the 3rd of February.
    let text: String = text(US)
        .lines()
        .enumerate()
        .map(|(i, l)| {
            let mut cells: Vec<&str> = l.split('\t').collect();
            if i > 0 && cells.len() > 17 {
                cells[17] = "";
            }
            cells.join("\t") + "\n"
        })
        .collect();
    let p = parse_text(&text).unwrap();
    let order1 = &p.lines[0];
    assert_eq!(order1.posted_at.as_ref().unwrap().raw, "02/03/26");
    assert_eq!(
        order1.posted_at.as_ref().unwrap().utc.to_rfc3339(),
        "2026-02-03T00:00:00+00:00"
    );
    // Day first and month first in one file is refused.
    let mixed = text.replacen("02/03/26", "13/02/26", 1);
    let err = problems_of(&mixed, Options::default());
    assert!(
        err.contains("column `posted-date`: posted-date is written day first (`13/02/26`) and month first (`02/14/26`) in one file"),
        "{err}"
    );
}

#[test]
fn a_wrong_total_names_the_summary_row() {
    let err = problems_of(&edited(US, "\t116.09\t", "\t116.10\t"), Options::default());
    assert!(
        err.contains("row 2, column `total-amount`, value `116.10`: the detail rows sum to 116.09 USD, not the total the summary row gives"),
        "{err}"
    );
}

#[test]
fn a_bad_amount_names_row_column_and_value() {
    let err = problems_of(&edited(US, "\t-5.40\t", "\t-5.4O\t"), Options::default());
    assert!(
        err.contains("row 10, column `amount`, value `-5.4O`: `-5.4O` is not an amount"),
        "{err}"
    );
}

#[test]
fn a_decimal_point_in_a_decimal_comma_file_is_refused() {
    let err = problems_of(&edited(DE, "\t250,00\t", "\t250.00\t"), Options::default());
    assert!(
        err.contains("row 3, column `amount`, value `250.00`: `250.00` has misplaced thousands separators (this file uses a comma as the decimal mark)"),
        "{err}"
    );
}

#[test]
fn unknown_amount_types_stop_the_import_unless_accepted() {
    let text = edited(US, "Subscription Fee", "Brand New Fee");
    let err = problems_of(&text, Options::default());
    assert!(
        err.contains("column `amount-type/amount-description`, value `other-transaction/Brand New Fee`: unknown amount type: 1 row(s) totalling -39.99 USD"),
        "{err}"
    );
    let p = parse(
        "accepted.txt",
        text.as_bytes(),
        Options {
            accept_unclassified: true,
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(component_total(&p, "adjustment.unclassified"), d("-39.99"));
    assert_eq!(net_total(&p), d("116.09"), "accepted drift still counts");
}

#[test]
fn legacy_and_v2_refuse_each_other() {
    let v2 = text(US);
    let err = settlebridge::sources::amazon_settlement::parse(
        "v2.txt",
        v2.as_bytes(),
        Default::default(),
    )
    .unwrap_err();
    assert!(
        err.to_string()
            .contains("not an Amazon settlement flat file"),
        "{err}"
    );
    let legacy = std::fs::read(fixture("settlement-legacy-36col.txt")).unwrap();
    let err = parse("legacy.txt", legacy.as_slice(), Options::default()).unwrap_err();
    assert!(
        err.to_string()
            .contains("not an Amazon settlement flat file V2"),
        "{err}"
    );
    assert_eq!(
        importer::detect(v2.as_bytes()),
        Some(SourceKind::AmazonSettlementV2)
    );
    assert_eq!(
        importer::detect(&legacy),
        Some(SourceKind::AmazonSettlement)
    );
    // The same file saved with commas is not a V2 file.
    let commas = v2.replace('\t', ",");
    assert!(parse_text(&commas).is_err());
    assert_eq!(importer::detect(commas.as_bytes()), None);
}

#[test]
fn a_file_without_its_summary_row_is_refused() {
    let text = text(US);
    let mut lines: Vec<&str> = text.lines().collect();
    lines.remove(1);
    let err = problems_of(&lines.join("\n"), Options::default());
    assert!(
        err.contains("row 2, column `total-amount`: the first row after the header must be the settlement summary"),
        "{err}"
    );
}

#[tokio::test]
async fn import_detects_v2_and_a_second_import_changes_nothing() {
    let bytes = std::fs::read(fixture(US)).unwrap();
    for db in support::all_backends().await {
        let done = import_once(&db, &bytes, US, Some("amazon-us")).await;
        assert_eq!(done.format, SourceKind::AmazonSettlementV2);
        assert_eq!(
            (done.batch.rows_read, done.batch.lines_new),
            (31, 8),
            "{}",
            db.name
        );
        assert_eq!(done.totals["USD"], "116.09");
        assert_eq!(db.raw_count("settlement_lines").await, 8);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let _ = parse("random.txt", bytes.as_slice(), Options::default());
    }

    #[test]
    fn mutated_fixtures_never_panic(
        de in any::<bool>(),
        edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..12),
    ) {
        let mut bytes = std::fs::read(fixture(if de { DE } else { US })).unwrap();
        for (at, byte) in edits {
            let i = at.index(bytes.len());
            bytes[i] = byte;
        }
        let _ = parse("mutated.txt", bytes.as_slice(), Options { accept_unclassified: de, ..Default::default() });
    }
}
