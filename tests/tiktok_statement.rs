//! TikTok Shop US P&L statement workbook: the project's fixture (banner
//! rows, SKU lines, a balance/deduction adjustment pair, a free sample,
//! dates typed as numbers), broken input, drift, hostile bytes, and an
//! import into the store.

mod support;

use proptest::prelude::*;
use rust_decimal::Decimal;
use settlebridge::domain::settlement::{ParsedFile, SettlementLine};
use settlebridge::domain::shop::NO_SHOPS;
use settlebridge::importer::{self, ImportReport, ImportRequest, SourceKind};
use settlebridge::sources::tiktok_statement::{parse, Options};
use settlebridge::sources::time::Zone;
use support::xlsx_fixtures::*;
use support::{component_total, d, sqlite_db};

const O: usize = PL_ORDERS_HEADER_ROW;
const A: usize = PL_ADJUSTMENT_HEADER_ROW;

fn parse_sheets(sheets: &[Sheet], options: Options) -> Result<ParsedFile, String> {
    parse(
        "merchant_statement_profit_loss_20260421.xlsx",
        &xlsx(sheets),
        options,
    )
    .map_err(|e| e.to_string())
}

fn pl() -> ParsedFile {
    parse_sheets(&statement_usd(), Options::default()).unwrap_or_else(|e| panic!("{e}"))
}

fn statement_total(p: &ParsedFile, id: &str) -> Decimal {
    p.lines
        .iter()
        .filter(|l| l.statement_id == id)
        .map(|l| l.net())
        .sum()
}

fn order<'p>(p: &'p ParsedFile, id: &str) -> &'p SettlementLine {
    p.lines
        .iter()
        .find(|l| l.order_id.as_deref() == Some(id))
        .unwrap_or_else(|| panic!("no line for order {id}"))
}

fn accept() -> Options {
    Options {
        accept_unclassified: true,
        ..Default::default()
    }
}

#[test]
fn sku_rows_become_one_line_per_order_and_statement() {
    let p = pl();
    assert_eq!(p.rows_read, 5 + 3, "SKU rows and adjustment rows");
    assert_eq!(p.lines.len(), 4 + 3, "4 orders, 3 adjustments");
    assert_eq!(p.header[0], "Order ID");

    let two = order(&p, PL_ORDER_TWO_SKUS);
    assert_eq!(two.rows.len(), 2);
    assert_eq!(
        (two.rows[0].row, two.rows[1].row),
        (7, 8),
        "below the 5 banner rows and the header on row 6"
    );
    let got: Vec<(&str, Decimal)> = two
        .components
        .iter()
        .map(|c| (c.code.as_str(), c.amount))
        .collect();
    assert_eq!(
        got,
        vec![
            ("sale.gross", d("44.99")),
            ("sale.seller_discount", d("-4.50")),
            ("fee.affiliate_commission", d("-4.05")),
            ("fee.commission", d("-3.24")),
            ("tax.on_fees", d("-0.26")),
            ("fee.shipping_label", d("-4.20")),
            ("fee.shipping_label_subsidy", d("1.00")),
        ],
        "the SKU rows' columns summed, in the sheet's order"
    );
    assert_eq!(
        two.net(),
        d("29.74"),
        "18.76 + 10.98: the rows' Order Income"
    );
    assert_eq!(two.components[3].label, "Referral fee");
    assert_eq!(two.transaction_type, "Order");
    assert_eq!(two.statement_id, PL_STATEMENT_1);
    let posted = two.posted_at.as_ref().unwrap();
    assert_eq!(posted.raw, "20260421", "a date typed as a number");
    assert_eq!(
        posted.utc.to_rfc3339(),
        "2026-04-21T07:00:00+00:00",
        "UTC-7"
    );

    for (code, total) in [
        ("sale.gross", "93.99"),
        ("sale.seller_discount", "-4.50"),
        ("refund.gross", "-25.00"),
        ("refund.seller_discount", "2.50"),
        ("fee.commission", "-5.36"),
        ("tax.on_fees", "-0.55"),
        ("fee.affiliate_commission", "-4.05"),
        ("fee.shipping_label", "-14.10"),
        ("fee.shipping_label_subsidy", "1.00"),
        ("fee.smart_promotion", "-1.47"),
        ("fee.refund_administration", "-0.36"),
        ("fee.return_shipping_label", "-4.50"),
        ("adjustment.net_earnings_balance", "12.40"),
        ("adjustment.net_earnings_deduction", "-12.40"),
        ("adjustment.logistics_reimbursement", "48.50"),
    ] {
        assert_eq!(component_total(&p, code), d(total), "{code}");
    }
    assert!(
        p.lines.iter().flat_map(|l| &l.components).all(|c| ![
            "Order Income",
            "Order Cost",
            "Net Order Margin"
        ]
        .contains(&c.label.as_str())),
        "the net figure, the cost of goods and the margin are not components"
    );

    // Statements and the payouts that pay them.
    let st: Vec<(&str, Option<&str>)> = p
        .statements
        .iter()
        .map(|s| (s.statement_id.as_str(), s.payout_id.as_deref()))
        .collect();
    assert_eq!(
        st,
        vec![
            (PL_STATEMENT_1, Some(PL_PAYOUT_1)),
            (PL_STATEMENT_2, Some(PL_PAYOUT_2))
        ]
    );
    assert!(p.statements.iter().all(|s| s.currency.code() == "USD"));
    assert!(p.statements.iter().all(|s| s.declared_total.is_none()));
    assert_eq!(statement_total(&p, PL_STATEMENT_1), d("67.82"));
    assert_eq!(statement_total(&p, PL_STATEMENT_2), d("18.28"));
    assert!(p.payouts.is_empty(), "the file gives no payout amounts");
    assert!(
        p.warnings
            .iter()
            .any(|w| w.starts_with("sheet `Order payment info`: not read")),
        "{:?}",
        p.warnings
    );
}

#[test]
fn refunds_and_free_samples_keep_what_they_are() {
    let p = pl();
    let refund = order(&p, PL_ORDER_REFUND);
    assert_eq!(refund.net(), d("-25.42"));
    assert_eq!(refund.statement_id, PL_STATEMENT_2);
    let sample = order(&p, PL_ORDER_SAMPLE);
    assert_eq!(
        sample.transaction_type,
        "Sample order: free sample from seller"
    );
    assert_eq!(sample.net(), d("-4.80"));
    assert_eq!(sample.components[0].code.as_str(), "fee.shipping_label");
}

#[test]
fn adjustment_pairs_stay_two_lines() {
    let p = pl();
    let pair: Vec<&SettlementLine> = p
        .lines
        .iter()
        .filter(|l| l.adjustment_id.as_deref() == Some(PL_ADJUSTMENT_PAIR))
        .collect();
    assert_eq!(pair.len(), 2);
    assert_eq!(pair[0].transaction_type, "Net earnings balance");
    assert_eq!(pair[1].transaction_type, "Net earnings deduction");
    assert_eq!(pair[0].net() + pair[1].net(), Decimal::ZERO);
    assert_ne!(pair[0].identity(), pair[1].identity());
    assert_eq!(pair[0].order_id, None);
    assert_eq!(pair[0].statement_id, PL_STATEMENT_1);
    assert_eq!(
        pair[0].components[0].label,
        "Net earnings balance: Balance carried from the previous statement"
    );
    assert_eq!(pair[0].rows[0].sheet.as_deref(), Some("Adjustment"));
    assert_eq!(pair[0].rows[0].row, 5, "below the header on row 4");
}

#[test]
fn the_header_is_found_by_its_signature_not_its_row() {
    let mut sheets = statement_usd();
    sheets[0]
        .rows
        .insert(1, vec![t("Generated on"), t("2026/04/22 03:00:00")]);
    let p = parse_sheets(&sheets, Options::default()).unwrap();
    assert_eq!(p.lines.len(), 7);
    assert_eq!(order(&p, PL_ORDER_TWO_SKUS).rows[0].row, 8);
}

#[test]
fn order_income_is_checked_on_every_sku_row() {
    let mut sheets = statement_usd();
    sheets[0].set(O, 8, "Order Income", n(10.99));
    let err = parse_sheets(&sheets, Options::default()).unwrap_err();
    assert!(err.contains("1 problem(s); nothing was imported"), "{err}");
    assert!(
        err.contains(
            "row 8, column `Order Income`, value `10.99`: sheet `Orders`: \
             expected 10.98 (the sum of the row's components), found 10.99"
        ),
        "{err}"
    );
}

#[test]
fn an_unknown_money_column_is_schema_drift() {
    let mut sheets = statement_usd();
    sheets[0].add_column(O, "Co-funded promotion fee", &[(9, n(-0.50))]);
    sheets[0].set(O, 9, "Order Income", n(37.58));
    let err = parse_sheets(&sheets, Options::default()).unwrap_err();
    assert!(
        err.contains(
            "row 9, column `Co-funded promotion fee`, value `Co-funded promotion fee`: sheet `Orders`: \
             an amount column this importer does not know: 1 row(s) totalling -0.50 USD"
        ),
        "{err}"
    );
    let p = parse_sheets(&sheets, accept()).unwrap();
    assert_eq!(component_total(&p, "adjustment.unclassified"), d("-0.50"));
    assert_eq!(order(&p, PL_ORDER_2).net(), d("37.58"));
    // Money in a cell beyond the header is not dropped either.
    let mut sheets = statement_usd();
    sheets[0].rows[8].resize(PL_HEADERS.len(), n(0.0));
    sheets[0].rows[8].push(n(-0.25));
    sheets[0].set(O, 9, "Order Income", n(37.83));
    let err = parse_sheets(&sheets, Options::default()).unwrap_err();
    assert!(
        err.contains("row 9, column `column AP`, value `column AP`: sheet `Orders`: an amount column this importer does not know: 1 row(s) totalling -0.25 USD"),
        "{err}"
    );
}

#[test]
fn an_unknown_adjustment_type_is_schema_drift() {
    let mut sheets = statement_usd();
    sheets[1].set(A, 7, "Adjustment Type", t("Goodwill credit"));
    let err = parse_sheets(&sheets, Options::default()).unwrap_err();
    assert!(
        err.contains(
            "row 7, column `Adjustment Type`, value `Goodwill credit`: sheet `Adjustment`: \
             an adjustment type this importer does not know: 1 row(s) totalling 48.50 USD"
        ),
        "{err}"
    );
    let p = parse_sheets(&sheets, accept()).unwrap();
    assert_eq!(component_total(&p, "adjustment.unclassified"), d("48.50"));
}

#[test]
fn broken_cells_are_refused_with_their_place() {
    let mut sheets = statement_usd();
    sheets[0].set(O, 7, "Order ID", n(576900000000000101.0));
    sheets[0].set(
        O,
        9,
        "Referral fee",
        Cell::Formula("=-O9*0.08".into(), "-3.92".into()),
    );
    sheets[0].set(O, 10, "Order settled date", t("2026-13-45"));
    sheets[1].set(A, 6, "Adjustment amount", t("twelve"));
    let err = parse_sheets(&sheets, Options::default()).unwrap_err();
    assert!(
        err.contains("row 7, column `Order ID`, value `576900000000000100`: sheet `Orders`: an id typed as a number: at 18 digits"),
        "{err}"
    );
    assert!(
        err.contains("row 9, column `Y`, value `-O9*0.08`: sheet `Orders`: a formula, not a value"),
        "{err}"
    );
    assert!(
        err.contains("row 10, column `Order settled date`, value `2026-13-45`: sheet `Orders`: not a date (expected YYYYMMDD)"),
        "{err}"
    );
    assert!(
        err.contains("row 6, column `Adjustment amount`, value `twelve`: sheet `Adjustment`: `twelve` is not an amount"),
        "{err}"
    );
}

#[test]
fn a_statement_paid_by_two_payouts_is_refused() {
    let mut sheets = statement_usd();
    sheets[0].set(O, 9, "linked payout id", t("8123000000000000999"));
    let err = parse_sheets(&sheets, Options::default()).unwrap_err();
    assert!(
        err.contains(&format!(
            "row 9, column `linked payout id`, value `8123000000000000999`: sheet `Orders`: \
             statement {PL_STATEMENT_1} is paid by payout {PL_PAYOUT_1} on other rows"
        )),
        "{err}"
    );
}

#[test]
fn a_zone_must_come_from_somewhere() {
    let mut sheets = statement_usd();
    sheets[0].rows[3] = vec![Cell::Blank];
    let err = parse_sheets(&sheets, Options::default()).unwrap_err();
    assert!(
        err.contains("column `Order settled date`: sheet `Orders`: no time zone"),
        "{err}"
    );
    let p = parse_sheets(
        &sheets,
        Options {
            shop_zone: Some("America/Los_Angeles".parse::<Zone>().unwrap()),
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(
        order(&p, PL_ORDER_2)
            .posted_at
            .as_ref()
            .unwrap()
            .utc
            .to_rfc3339(),
        "2026-04-21T07:00:00+00:00",
        "PDT"
    );
}

#[test]
fn an_understated_dimension_hides_no_row() {
    let bytes = xlsx(&statement_usd());
    let broken = with_dimension(&bytes, 1, "A1:U2");
    assert_eq!(dimension(&broken, 1), "A1:U2");
    let p = parse("pl.xlsx", &broken, Options::default()).unwrap();
    assert_eq!(p.lines.len(), 7);
    assert_eq!(p.rows_read, 8);
    assert_eq!(statement_total(&p, PL_STATEMENT_2), d("18.28"));
}

#[test]
fn what_is_not_a_statement_workbook_is_said_so() {
    let err = parse("x.xlsx", &xlsx(&income_myr()), Options::default())
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("not a TikTok Shop P&L statement workbook"),
        "{err}"
    );
    assert!(parse(
        "x.xlsx",
        b"Order ID,linked statement id",
        Options::default()
    )
    .is_err());
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let _ = parse("random.xlsx", &bytes, Options::default());
        let mut zip = b"PK\x03\x04".to_vec();
        zip.extend(&bytes);
        let _ = parse("random.xlsx", &zip, Options::default());
    }

    #[test]
    fn mutated_workbook_bytes_never_panic(
        flips in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..16)
    ) {
        let mut bytes = xlsx(&statement_usd());
        for (at, value) in flips {
            let i = at.index(bytes.len());
            bytes[i] = value;
        }
        let _ = parse("mutated.xlsx", &bytes, Options::default());
        let _ = importer::detect(&bytes);
    }

    #[test]
    fn mutated_cells_never_panic(
        edits in proptest::collection::vec(
            (0usize..3, 0usize..16, 0usize..45, prop_oneof![
                Just(t("")), Just(t("/")), Just(t("2026042")), Just(t("99999999")),
                Just(n(20261399.0)), Just(n(f64::MIN)), Just(n(1e300)),
                Just(n(576900000000000101.0)), Just(Cell::Blank),
                Just(Cell::Formula("=1/0".into(), "#DIV/0!".into())),
                "[ -~]{0,12}".prop_map(|s| t(&s)),
                (-1e9f64..1e9).prop_map(n),
            ]), 1..12),
        accept_unclassified in any::<bool>(),
    ) {
        let mut sheets = statement_usd();
        for (s, r, c, cell) in edits {
            let rows = &mut sheets[s].rows;
            let r = r % (rows.len() + 1);
            if r == rows.len() {
                rows.push(Vec::new());
            }
            let row = &mut rows[r];
            if row.len() <= c {
                row.resize(c + 1, Cell::Blank);
            }
            row[c] = cell;
        }
        let options = Options { accept_unclassified, ..Default::default() };
        if let Ok(p) = parse("edited.xlsx", &xlsx(&sheets), options) {
            for line in &p.lines {
                prop_assert!(!line.rows.is_empty());
                prop_assert!(p.statements.iter().any(|s| s.statement_id == line.statement_id));
            }
        }
    }
}

#[tokio::test]
async fn the_workbook_is_detected_and_imported_once() {
    let db = sqlite_db().await;
    let bytes = xlsx(&statement_usd());
    assert_eq!(importer::detect(&bytes), Some(SourceKind::TikTokStatement));
    assert_eq!(
        importer::detect(&xlsx(&income_myr())),
        Some(SourceKind::TikTokIncome),
        "the income workbook is not taken for a statement"
    );
    let request = |name: &'static str| ImportRequest {
        file_name: name,
        shop: Some("tiktok-us"),
        shops: &NO_SHOPS,
        source: None,
        accept_unclassified: false,
        actor: "tester",
    };
    let report = importer::import_file(
        db.store(),
        &bytes,
        request("merchant_statement_profit_loss.xlsx"),
    )
    .await
    .unwrap();
    let ImportReport::Imported {
        format,
        batch,
        statements,
        totals,
        ..
    } = report
    else {
        panic!("not imported")
    };
    assert_eq!(format, SourceKind::TikTokStatement);
    assert_eq!(batch.source_kind, "tiktok-statement");
    assert_eq!(
        (batch.rows_read, batch.lines_new, batch.lines_duplicate),
        (8, 7, 0)
    );
    assert_eq!(statements.len(), 2);
    assert_eq!(totals["USD"], "86.10");
    assert_eq!(db.raw_count("settlement_lines").await, 7);
    let again = importer::import_file(db.store(), &bytes, request("again.xlsx"))
        .await
        .unwrap();
    assert!(matches!(again, ImportReport::AlreadyImported { batch: b, .. } if b == batch.id));
    assert_eq!(db.raw_count("settlement_lines").await, 7);
    assert_eq!(db.raw_count("import_batches").await, 1);
}
