//! Amazon's date range transaction report: the project's fixtures (a US
//! 2024 file with a 7-line preamble, a UK file, a French one) and the real
//! US excerpt in ../shared/samples.

mod support;

use std::path::PathBuf;

use proptest::prelude::*;
use rust_decimal::Decimal;
use settlebridge::domain::settlement::ParsedFile;
use settlebridge::importer::{self, SourceKind};
use settlebridge::sources::amazon_transactions::{parse, Options};
use settlebridge::sources::problems::ParseError;
use support::imports::import_once;
use support::{component_total, d, sample};

const US: &str = "date-range-us-2024.csv";
const UK: &str = "date-range-uk.csv";
const FR: &str = "date-range-fr.csv";
const REAL: &str = "amazon-ethanmapshop_2024Jan1-2024Dec31CustomUnifiedTransaction.EXCERPT.csv";

fn fixture(name: &str) -> PathBuf {
    support::imports::fixture(&format!("amazon/{name}"))
}

fn text(name: &str) -> String {
    std::fs::read_to_string(fixture(name)).unwrap()
}

fn parse_text(text: &str) -> Result<ParsedFile, ParseError> {
    parse("report.csv", text.as_bytes(), Options::default())
}

fn statement_net(p: &ParsedFile, id: &str) -> Decimal {
    p.lines
        .iter()
        .filter(|l| l.statement_id == id)
        .map(|l| l.net())
        .sum()
}

fn edited(name: &str, from: &str, to: &str) -> String {
    let text = text(name);
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
fn the_us_file_below_its_preamble() {
    let p = parse_text(&text(US)).unwrap();
    assert_eq!(p.header.len(), 30);
    assert_eq!(p.rows_read, 8);
    // 7 rows are lines; the Transfer is a payout.
    assert_eq!(p.lines.len(), 7);
    assert_eq!(
        p.lines[0].rows[0].row, 10,
        "7 preamble lines, header on 8, transfer on 9"
    );
    assert_eq!(
        p.statements
            .iter()
            .map(|s| s.statement_id.as_str())
            .collect::<Vec<_>>(),
        ["20011122233", "20022233344"]
    );
    assert!(p
        .statements
        .iter()
        .all(|s| s.currency.code() == "USD" && s.declared_total.is_none()));
    // 1,047.13 + 25.49 − 1,052.64 − 23.17 + 0 + 2,106.13 − 26.39
    assert_eq!(statement_net(&p, "20022233344"), d("2076.55"));
    for (code, total) in [
        ("sale.gross", "3777.99"),
        ("tax.collected", "311.69"),
        ("refund.tax", "-2.48"),
        ("tax.withheld_by_marketplace", "-309.50"),
        ("fee.regulatory", "0.29"),
        ("sale.shipping_income", "5.99"),
        ("sale.seller_discount", "-5.99"),
        ("fee.commission", "-566.70"),
        ("refund.gross", "-29.99"),
        ("refund.fee_reversal", "3.60"),
        ("fee.fulfillment", "-32.54"),
        ("fee.other_transaction", "-1052.64"),
        ("adjustment.other", "-23.17"),
    ] {
        assert_eq!(component_total(&p, code), d(total), "{code}");
    }
    // Marketplace facilitator tax and the regulatory fee Amazon collects
    // pass through: they net to zero.
    assert_eq!(
        component_total(&p, "tax.collected")
            + component_total(&p, "refund.tax")
            + component_total(&p, "tax.withheld_by_marketplace")
            + component_total(&p, "fee.regulatory"),
        Decimal::ZERO
    );
    let first = &p.lines[0];
    assert_eq!(first.order_id.as_deref(), Some("111-4000001-5000001"));
    assert_eq!(first.net(), d("1047.13"));
    assert_eq!(
        first.posted_at.as_ref().unwrap().utc.to_rfc3339(),
        "2024-03-10T07:58:02+00:00",
        "PST is UTC−8"
    );
    assert_eq!(
        p.lines[1].posted_at.as_ref().unwrap().utc.to_rfc3339(),
        "2024-03-10T10:15:44+00:00",
        "PDT is UTC−7"
    );
    // `""` inside quoted fields.
    assert!(p.lines[5].rows[0].cells[5].contains(r#"72" x 48", Oak, "Executive" Edition"#));
    // The zero FBA Customer Return Fee row stays a line, with no components.
    let zero = p
        .lines
        .iter()
        .find(|l| l.transaction_type == "FBA Customer Return Fee")
        .unwrap();
    assert!(zero.components.is_empty());
    assert_eq!(zero.rows[0].row, 14);
    assert_eq!(zero.order_id.as_deref(), Some("113-4000003-5000003"));

    assert_eq!(p.payouts.len(), 1);
    let payout = &p.payouts[0];
    assert_eq!(payout.payout_id, "20011122233@2024-03-09T00:12:09Z");
    assert_eq!(payout.amount, d("2000.00"));
    assert_eq!(
        payout.bank_account.as_deref(),
        Some("To account ending in: 042")
    );
    assert_eq!(payout.source.as_ref().unwrap().row, 9);
    let paid = &p.statements[0];
    assert_eq!(
        paid.payout_id.as_deref(),
        Some("20011122233@2024-03-09T00:12:09Z")
    );
    assert_eq!(p.statements[1].payout_id, None);
}

#[test]
fn the_uk_header_says_fulfilment_and_postage() {
    let p = parse_text(&text(UK)).unwrap();
    assert_eq!(p.statements[0].currency.code(), "GBP");
    assert_eq!(p.lines.len(), 3);
    // 21.03 + 952.00 − 24.98
    assert_eq!(statement_net(&p, "30011122233"), d("948.05"));
    assert_eq!(component_total(&p, "sale.gross"), d("1144.99"));
    assert_eq!(component_total(&p, "sale.shipping_income"), d("2.99"));
    assert_eq!(component_total(&p, "refund.shipping"), d("-2.99"));
    assert_eq!(component_total(&p, "refund.fee_reversal"), d("3.00"));
    assert_eq!(
        p.lines[2].posted_at.as_ref().unwrap().utc.to_rfc3339(),
        "2024-07-15T13:00:00+00:00",
        "BST is UTC+1"
    );
    assert_eq!(p.payouts[0].amount, d("100.00"));
    assert_eq!(
        p.statements[0].payout_id.as_deref(),
        Some(p.payouts[0].payout_id.as_str())
    );
}

#[test]
fn the_french_file_has_localized_headers_and_decimal_commas() {
    let p = parse_text(&text(FR)).unwrap();
    assert_eq!(p.statements.len(), 2);
    assert!(p.statements.iter().all(|s| s.currency.code() == "EUR"));
    assert_eq!(p.lines.len(), 3);
    // 16,74 − 21,59 + 1.354,25
    assert_eq!(statement_net(&p, "40011122233"), d("1349.40"));
    assert_eq!(component_total(&p, "sale.gross"), d("1318.99"));
    assert_eq!(component_total(&p, "refund.gross"), d("-19.99"));
    assert_eq!(component_total(&p, "refund.tax"), d("-4.00"));
    assert_eq!(component_total(&p, "fee.fulfillment"), d("-13.95"));
    assert_eq!(
        p.lines[0].posted_at.as_ref().unwrap().utc.to_rfc3339(),
        "2026-07-01T08:31:35+00:00"
    );
    assert_eq!(p.lines[1].transaction_type, "Remboursement");
    assert_eq!(p.payouts.len(), 1);
    assert_eq!(p.payouts[0].amount, d("1234.56"));
    assert_eq!(p.payouts[0].payout_id, "40011122200@2026-08-14T03:10:00Z");
}

#[test]
fn real_excerpt_sums_to_its_total_column() {
    let Some(path) = sample(REAL) else {
        return;
    };
    let p = parse(
        "real.csv",
        std::fs::File::open(path).unwrap(),
        Options::default(),
    )
    .unwrap();
    assert_eq!(p.header.len(), 30);
    assert_eq!((p.rows_read, p.lines.len(), p.payouts.len()), (7, 7, 0));
    // Expected values from the file's `total` column (gawk with FPAT over
    // rows 9–15):
    //   19384422991: 339.99 + 14.76 + 25.49          = 380.24
    //   19387474931: 0 + 19.01 + 11.79 + 25.49       =  56.29
    //   all:         380.24 + 56.29                  = 436.53
    assert_eq!(statement_net(&p, "19384422991"), d("380.24"));
    assert_eq!(statement_net(&p, "19387474931"), d("56.29"));
    assert_eq!(
        p.lines.iter().map(|l| l.net()).sum::<Decimal>(),
        d("436.53")
    );
    // And per column (same gawk, columns 15–27):
    //   product sales 399.99 + 29.99 + 29.99 + 34.99 + 26.99 + 29.99 = 551.94
    //   product sales tax 3.07 + 3.07 + 2.45 + 2.84 = 11.43, withheld −11.43
    //   selling fees −60.00 − 4.50 − 4.50 − 5.25 − 4.05 − 4.50 = −82.80
    //   fba fees −10.73 − 10.73 − 11.15 = −32.61
    //   shipping credits 0.93, promotional rebates −0.93
    assert_eq!(component_total(&p, "sale.gross"), d("551.94"));
    assert_eq!(component_total(&p, "tax.collected"), d("11.43"));
    assert_eq!(
        component_total(&p, "tax.withheld_by_marketplace"),
        d("-11.43")
    );
    assert_eq!(component_total(&p, "fee.commission"), d("-82.80"));
    assert_eq!(component_total(&p, "fee.fulfillment"), d("-32.61"));
    assert_eq!(component_total(&p, "sale.shipping_income"), d("0.93"));
    assert_eq!(component_total(&p, "sale.seller_discount"), d("-0.93"));
    let first = &p.lines[0];
    assert_eq!(first.rows[0].row, 9);
    assert_eq!(first.net(), d("339.99"));
    assert_eq!(
        first.posted_at.as_ref().unwrap().utc.to_rfc3339(),
        "2024-01-01T08:08:10+00:00"
    );
    let zero = &p.lines[3];
    assert_eq!(zero.transaction_type, "FBA Customer Return Fee");
    assert!(zero.components.is_empty());
    assert!(first.rows[0].cells[5].contains(r#"64" x 49""#));
}

#[test]
fn the_2017_layout_with_its_own_tax_columns() {
    let text = concat!(
        "\"All amounts in USD, unless specified\"\n",
        "\"date/time\",\"settlement id\",\"type\",\"order id\",\"sku\",\"description\",\"quantity\",\"marketplace\",\"fulfillment\",\"order city\",\"order state\",\"order postal\",\"product sales\",\"shipping credits\",\"gift wrap credits\",\"promotional rebates\",\"sales tax collected\",\"Marketplace Facilitator Tax\",\"selling fees\",\"fba fees\",\"other transaction fees\",\"other\",\"total\"\n",
        "\"Jan 5, 2017 10:00:00 AM PST\",\"5001112223\",\"Order\",\"111-7000001-8000001\",\"GLOBE-12\",\"Desk Globe 12\"\"\",\"1\",\"amazon.com\",\"Amazon\",\"BOSTON\",\"MA\",\"02110\",\"19.99\",\"0\",\"0\",\"0\",\"1.25\",\"-1.25\",\"-3.00\",\"-2.41\",\"0\",\"0\",\"14.58\"\n",
    );
    let p = parse_text(text).unwrap();
    assert_eq!(p.header.len(), 23);
    assert_eq!(p.lines.len(), 1);
    assert_eq!(p.lines[0].net(), d("14.58"));
    assert_eq!(component_total(&p, "tax.collected"), d("1.25"));
    assert_eq!(
        component_total(&p, "tax.withheld_by_marketplace"),
        d("-1.25")
    );
    assert_eq!(p.lines[0].rows[0].row, 3);
    assert_eq!(
        importer::detect(text.as_bytes()),
        Some(SourceKind::AmazonTransactions)
    );
}

#[test]
fn a_row_that_does_not_add_up_names_row_expected_and_found() {
    let err = problems_of(
        &edited(US, r#""2,106.13""#, r#""2,106.31""#),
        Options::default(),
    );
    assert!(
        err.contains("row 15, column `total`, value `2,106.31`: the row's amounts sum to 2106.13 USD, not its total"),
        "{err}"
    );
}

#[test]
fn a_bad_amount_names_row_column_and_value() {
    let err = problems_of(
        &edited(US, r#""-14.52""#, r#""-14.5x""#),
        Options::default(),
    );
    assert!(
        err.contains("row 10, column `fba fees`, value `-14.5x`: `-14.5x` is not an amount"),
        "{err}"
    );
    // A decimal point in a decimal-comma (French) file.
    let err = problems_of(&edited(FR, r#""-4,25""#, r#""-4.25""#), Options::default());
    assert!(
        err.contains("row 2, column `frais expédié par amazon`, value `-4.25`: `-4.25` has misplaced thousands separators (this file uses a comma as the decimal mark)"),
        "{err}"
    );
}

#[test]
fn an_unknown_money_column_is_drift_unless_accepted() {
    let text = text(US)
        .replacen(
            r#""other","total""#,
            r#""other","Digital Services Fee","total""#,
            1,
        )
        .lines()
        .enumerate()
        .map(|(i, line)| {
            if i >= 8 {
                // One new cell before `total`: −1.50 on the first order.
                let (head, total) = line.rsplit_once(",\"").unwrap();
                let fee = if i == 9 { "-1.50" } else { "0" };
                let total = if i == 9 { "1,045.63\"" } else { total };
                format!("{head},\"{fee}\",\"{total}\n")
            } else {
                format!("{line}\n")
            }
        })
        .collect::<String>();
    let err = problems_of(&text, Options::default());
    assert!(
        err.contains("row 10, column `header`, value `Digital Services Fee`: unknown money column: 1 row(s) totalling -1.50 USD"),
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
    assert_eq!(component_total(&p, "adjustment.unclassified"), d("-1.50"));
    assert_eq!(statement_net(&p, "20022233344"), d("2075.05"));
}

#[test]
fn a_time_without_a_zone_or_a_marketplace_in_another_currency_is_refused() {
    let err = problems_of(
        &edited(US, "Mar 12, 2024 1:00:00 AM PDT", "Mar 12, 2024 1:00:00 AM"),
        Options::default(),
    );
    assert!(
        err.contains("row 12, column `date/time`, value `Mar 12, 2024 1:00:00 AM`: the time names no zone and no shop time zone is configured"),
        "{err}"
    );
    let p = parse(
        "zoned.csv",
        edited(US, "Mar 12, 2024 1:00:00 AM PDT", "Mar 12, 2024 1:00:00 AM").as_bytes(),
        Options {
            shop_zone: Some("America/Los_Angeles".parse().unwrap()),
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(p.lines.len(), 7);
    let err = problems_of(
        &edited(US, r#""amazon.com""#, r#""amazon.ca""#),
        Options::default(),
    );
    assert!(
        err.contains("row 10, column `marketplace`, value `amazon.ca`: this marketplace pays in CAD, but the file's amounts are in USD"),
        "{err}"
    );
}

#[test]
fn other_files_are_not_this_report() {
    for (name, text) in [
        ("orders.csv", "Name,Email\n#1001,a@b.c\n".to_string()),
        ("semicolons.csv", text(US).replace("\",\"", "\";\"")),
        ("empty.csv", String::new()),
    ] {
        let err = parse(name, text.as_bytes(), Options::default()).unwrap_err();
        assert!(
            matches!(err, ParseError::NotThisFormat { .. }),
            "{name}: {err}"
        );
    }
    let err = parse_text("\"date/time\",\"settlement id\",\"type\",\"total\"\n").unwrap_err();
    assert!(
        err.to_string()
            .contains("row 1, column `order id`: required column is missing"),
        "{err}"
    );
}

#[test]
fn detection_tells_every_format_apart() {
    assert_eq!(
        importer::detect(text(US).as_bytes()),
        Some(SourceKind::AmazonTransactions)
    );
    assert_eq!(
        importer::detect(text(UK).as_bytes()),
        Some(SourceKind::AmazonTransactions)
    );
    assert_eq!(
        importer::detect(text(FR).as_bytes()),
        Some(SourceKind::AmazonTransactions)
    );
    let shopify = std::fs::read(
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures/shopify/payments-transactions-eu-payout-id.csv"),
    )
    .unwrap();
    assert_eq!(importer::detect(&shopify), Some(SourceKind::ShopifyPayouts));
    let legacy = std::fs::read(fixture("settlement-legacy-36col.txt")).unwrap();
    assert_eq!(
        importer::detect(&legacy),
        Some(SourceKind::AmazonSettlement)
    );
    if let Some(path) = sample(REAL) {
        assert_eq!(
            importer::detect(&std::fs::read(path).unwrap()),
            Some(SourceKind::AmazonTransactions)
        );
    }
}

#[tokio::test]
async fn import_detects_the_report_and_a_second_import_changes_nothing() {
    let bytes = std::fs::read(fixture(US)).unwrap();
    for db in support::all_backends().await {
        let done = import_once(&db, &bytes, US, Some("amazon-us")).await;
        assert_eq!(done.format, SourceKind::AmazonTransactions);
        assert_eq!(
            (done.batch.rows_read, done.batch.lines_new),
            (8, 7),
            "{}",
            db.name
        );
        assert_eq!(done.totals["USD"], "2076.55");
        assert_eq!(db.raw_count("settlement_lines").await, 7);
        assert_eq!(db.raw_count("statements").await, 2);
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
        which in 0usize..3,
        edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..12),
    ) {
        let mut bytes = std::fs::read(fixture([US, UK, FR][which])).unwrap();
        for (at, byte) in edits {
            let i = at.index(bytes.len());
            bytes[i] = byte;
        }
        let _ = parse("mutated.csv", bytes.as_slice(), Options { accept_unclassified: which == 1, ..Default::default() });
    }
}
