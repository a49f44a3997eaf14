//! TikTok Shop income workbook: the project's fixtures (MYR SEA layout with
//! its traps, the US layout with the accounting model's worked example),
//! broken input, schema drift, hostile bytes, and an import into the store.

mod support;

use std::cell::Cell as StdCell;
use std::io::Read;
use std::rc::Rc;

use proptest::prelude::*;
use rust_decimal::Decimal;
use settlebridge::domain::order::Order;
use settlebridge::domain::payout::Payout;
use settlebridge::domain::settlement::{ParsedFile, SettlementLine, Statement};
use settlebridge::domain::shop::NO_SHOPS;
use settlebridge::importer::{self, ImportReport, ImportRequest, SourceKind};
use settlebridge::sources::problems::Problems;
use settlebridge::sources::sink::RecordSink;
use settlebridge::sources::tiktok_income::{self, parse, Options};
use settlebridge::sources::time::Zone;
use settlebridge::sources::workbook::Workbook;
use support::xlsx_fixtures::*;
use support::{component_total, d, sqlite_db};

/// A grid saved as CSV, as a spreadsheet would (BOM, quotes where needed).
fn csv_of(grid: &[Vec<Cell>]) -> String {
    let mut csv = String::from("\u{feff}");
    for r in grid {
        let cells: Vec<String> = r
            .iter()
            .map(|c| {
                let text = match c {
                    Cell::Text(s) => s.clone(),
                    Cell::Number(x) => format!("{x}"),
                    Cell::Formula(_, cached) => cached.clone(),
                    Cell::Blank => String::new(),
                };
                if text.contains([',', '"', '\n']) {
                    format!("\"{}\"", text.replace('"', "\"\""))
                } else {
                    text
                }
            })
            .collect();
        csv.push_str(&cells.join(","));
        csv.push('\n');
    }
    csv
}

fn parse_sheets(sheets: &[Sheet], options: Options) -> Result<ParsedFile, String> {
    parse("income_20260307.xlsx", &xlsx(sheets), options).map_err(|e| e.to_string())
}

fn myr() -> ParsedFile {
    parse_sheets(&income_myr(), Options::default()).unwrap_or_else(|e| panic!("{e}"))
}

fn statement_total(p: &ParsedFile, id: &str) -> Decimal {
    p.lines
        .iter()
        .filter(|l| l.statement_id == id)
        .map(|l| l.net())
        .sum()
}

fn lines_of<'p>(p: &'p ParsedFile, id: &str) -> Vec<&'p SettlementLine> {
    p.lines
        .iter()
        .filter(|l| l.order_id.as_deref() == Some(id) || l.adjustment_id.as_deref() == Some(id))
        .collect()
}

fn accept() -> Options {
    Options {
        accept_unclassified: true,
        ..Default::default()
    }
}

#[test]
fn the_myr_workbook_books_every_row_to_its_components() {
    let p = myr();
    assert_eq!(p.lines.len(), 7, "7 data rows; the padding is not data");
    assert_eq!(p.rows_read, 7 + 5, "Order details rows and withdrawal rows");
    assert_eq!(
        p.header[0], "Order/adjustment ID  ",
        "the header as written"
    );
    for (code, total) in [
        ("sale.gross", "434.90"),
        ("sale.seller_discount", "-37.50"),
        ("refund.gross", "-45.00"),
        ("refund.seller_discount", "4.50"),
        ("fee.transaction", "-8.42"),
        ("fee.commission", "-24.56"),
        ("fee.shipping_label", "-25.40"),
        ("fee.shipping_label_subsidy", "15.80"),
        ("sale.shipping_income", "9.60"),
        ("fee.return_shipping_label", "-5.20"),
        ("refund.shipping", "-2.20"),
        ("fee.affiliate_commission", "-10.80"),
        ("fee.affiliate_shop_ads_commission", "-3.78"),
        ("fee.affiliate_partner_commission", "-5.67"),
        ("fee.sfp_service", "-5.04"),
        ("fee.voucher_xtra_service", "-5.67"),
        ("tax.on_fees", "-2.32"),
        ("adjustment.platform_reimbursement", "15.00"),
        ("adjustment.seller_deduction", "-8.00"),
    ] {
        assert_eq!(component_total(&p, code), d(total), "{code}");
    }
    // Subtotals and memo columns are never components.
    let codes: std::collections::BTreeSet<&str> = p
        .lines
        .iter()
        .flat_map(|l| &l.components)
        .map(|c| c.code.as_str())
        .collect();
    assert_eq!(codes.len(), 19, "{codes:?}");
    assert!(p
        .lines
        .iter()
        .flat_map(|l| &l.components)
        .all(|c| !c.label.contains("Total") && !c.label.contains("Customer payment")));
    let all: Decimal = p.lines.iter().map(|l| l.net()).sum();
    assert_eq!(all, d("290.24"), "the Reports sheet's total");

    // Statements: the settled day in UTC+8 and the currency.
    let ids: Vec<&str> = p
        .statements
        .iter()
        .map(|s| s.statement_id.as_str())
        .collect();
    assert_eq!(
        ids,
        [
            "2026-03-02-MYR",
            "2026-03-03-MYR",
            "2026-03-04-MYR",
            "2026-03-05-MYR",
            "2026-03-06-MYR"
        ]
    );
    for (id, total) in [
        ("2026-03-02-MYR", "135.74"),
        ("2026-03-03-MYR", "36.52"),
        ("2026-03-04-MYR", "7.00"),
        ("2026-03-05-MYR", "-43.92"),
        ("2026-03-06-MYR", "154.90"),
    ] {
        assert_eq!(statement_total(&p, id), d(total), "{id}");
    }
    assert!(p.statements.iter().all(|s| s.currency.code() == "MYR"));

    let first = &p.lines[0];
    assert_eq!(first.order_id.as_deref(), Some(MY_ORDER_1));
    assert_eq!(first.adjustment_id, None);
    assert_eq!(first.transaction_type, "Order");
    assert_eq!(first.net(), d("83.03"));
    let posted = first.posted_at.as_ref().unwrap();
    assert_eq!(posted.raw, "2026/03/02");
    assert_eq!(
        posted.utc.to_rfc3339(),
        "2026-03-01T16:00:00+00:00",
        "UTC+8"
    );
    assert_eq!(first.rows[0].sheet.as_deref(), Some("Order details"));
    assert_eq!(first.rows[0].row, 2);
    assert_eq!(first.rows[0].cells[0], MY_ORDER_1, "18 digits, exact");
    assert_eq!(p.lines[1].net(), d("52.71"), "amounts written as text");

    // An adjustment links to its order through Related order ID.
    let reimbursement = lines_of(&p, MY_ADJUSTMENT_REIMBURSEMENT)[0];
    assert_eq!(reimbursement.order_id.as_deref(), Some(MY_ORDER_2));
    assert_eq!(
        reimbursement.adjustment_id.as_deref(),
        Some(MY_ADJUSTMENT_REIMBURSEMENT)
    );
    assert_eq!(reimbursement.transaction_type, "Platform reimbursement");
    assert_eq!(
        reimbursement.components[0].label,
        "Adjustment amount (Platform reimbursement)"
    );
    let deduction = lines_of(&p, MY_ADJUSTMENT_DEDUCTION)[0];
    assert_eq!(deduction.order_id, None, "`/` is no order");
    assert_eq!(deduction.net(), d("-8.00"));
}

#[test]
fn an_order_that_settles_twice_stays_two_lines() {
    let p = myr();
    let twice = lines_of(&p, MY_ORDER_TWICE);
    assert_eq!(twice.len(), 2);
    assert_eq!(twice[0].net(), d("36.52"));
    assert_eq!(twice[1].net(), d("-43.92"));
    assert_eq!(twice[0].transaction_type, twice[1].transaction_type);
    assert_ne!(
        twice[0].identity(),
        twice[1].identity(),
        "told apart by settled day"
    );
    assert_ne!(twice[0].content_hash(), twice[1].content_hash());
    // Same day, same id: still two lines (the store counts occurrences).
    let mut sheets = income_myr();
    sheets[1].set(INCOME_HEADER_ROW, 5, "Order settled time", t("2026/03/03"));
    let p = parse_sheets(&sheets, Options::default()).unwrap();
    let twice = lines_of(&p, MY_ORDER_TWICE);
    assert_eq!(twice.len(), 2);
    assert_eq!(twice[0].identity(), twice[1].identity());
    assert_eq!(statement_total(&p, "2026-03-03-MYR"), d("-7.40"));
}

#[test]
fn withdrawals_are_the_payouts_and_the_balance_movements_are_reported() {
    let p = myr();
    assert_eq!(p.payouts.len(), 2);
    let w = &p.payouts[0];
    assert_eq!(w.payout_id, MY_WITHDRAWAL_1);
    assert_eq!(
        w.amount,
        d("135.74"),
        "money to the seller's bank is positive"
    );
    assert_eq!(w.currency.code(), "MYR");
    assert_eq!(w.status.as_deref(), Some("Transferred"));
    assert_eq!(w.bank_account.as_deref(), Some("MAYBANK ****4321"));
    let paid = w.paid_at.as_ref().unwrap();
    assert_eq!(paid.raw, "2026/03/03 15:30:00", "the success time");
    assert_eq!(paid.utc.to_rfc3339(), "2026-03-03T07:30:00+00:00");
    assert_eq!(w.source.as_ref().unwrap().row, 3);
    assert_eq!(p.payouts[1].payout_id, MY_WITHDRAWAL_2);
    assert_eq!(p.payouts[1].amount, d("16.52"));
    let warnings = p.warnings.join("\n");
    assert!(
        warnings.contains(
            "sheet `Withdrawal records`: 2 `Earnings` row(s) totalling 172.26 MYR are not payouts"
        ),
        "{warnings}"
    );
    assert!(
        warnings.contains("1 `GMV Pay Deduction` row(s) totalling -20.00 MYR are not payouts"),
        "{warnings}"
    );
    assert!(
        warnings.contains("sheet `Fee explanation`: not read"),
        "{warnings}"
    );
    // A failed withdrawal is not a payout.
    let mut sheets = income_myr();
    sheets[2].set(1, 6, "Status", t("Failed"));
    let p = parse_sheets(&sheets, Options::default()).unwrap();
    assert_eq!(p.payouts.len(), 1);
    assert!(p.warnings.iter().any(
        |w| w.contains("row 6: a withdrawal of -16.52 with status `Failed` did not reach the bank")
    ));
}

#[test]
fn the_worked_example_parses_to_the_cent() {
    let p = parse_sheets(&income_usd(), Options::default()).unwrap_or_else(|e| panic!("{e}"));
    let line = &p.lines[0];
    assert_eq!(line.order_id.as_deref(), Some(US_WORKED_ORDER));
    let got: Vec<(&str, Decimal)> = line
        .components
        .iter()
        .map(|c| (c.code.as_str(), c.amount))
        .collect();
    assert_eq!(
        got,
        vec![
            ("sale.gross", d("50.00")),
            ("sale.seller_discount", d("-5.00")),
            ("fee.transaction", d("-1.35")),
            ("fee.commission", d("-2.70")),
            ("fee.shipping_label", d("-7.40")),
            ("fee.shipping_label_subsidy", d("1.41")),
            ("sale.shipping_income", d("5.99")),
            ("fee.affiliate_commission", d("-4.50")),
        ],
        "in the sheet's column order"
    );
    assert_eq!(line.net(), d("36.45"));
    // The zone is in the header: `Order settled time(UTC)`.
    assert_eq!(
        line.posted_at.as_ref().unwrap().utc.to_rfc3339(),
        "2026-04-17T00:00:00+00:00"
    );
    // When the buyer ordered, which dates a sale booked from the settlement.
    assert_eq!(
        line.ordered_at.as_ref().unwrap().utc.to_rfc3339(),
        "2026-04-10T00:00:00+00:00"
    );
    // Statement ID names the statement; SKU rows are lines of their own.
    assert_eq!(p.statements.len(), 1);
    assert_eq!(p.statements[0].statement_id, US_STATEMENT);
    assert_eq!(statement_total(&p, US_STATEMENT), d("64.66"));
    let skus = lines_of(&p, US_SKU_ORDER);
    assert_eq!(skus.len(), 2);
    assert_eq!(skus[0].net() + skus[1].net(), d("28.21"));
    assert!(p.payouts.is_empty(), "no Withdrawal records sheet");
}

#[test]
fn an_understated_dimension_hides_no_row() {
    let bytes = xlsx(&income_myr());
    let broken = with_dimension(&bytes, INCOME_DETAILS_SHEET_NUMBER, "A1:U2");
    assert_eq!(dimension(&broken, INCOME_DETAILS_SHEET_NUMBER), "A1:U2");
    assert_ne!(dimension(&bytes, INCOME_DETAILS_SHEET_NUMBER), "A1:U2");
    let p = parse("income.xlsx", &broken, Options::default()).unwrap();
    assert_eq!(p.lines.len(), 7, "rows 2–8 although the sheet claims A1:U2");
    assert_eq!(p.rows_read, 12);
    assert_eq!(p.lines.last().unwrap().rows[0].row, 8);
    assert_eq!(
        p.lines.last().unwrap().rows[0].cells.len(),
        MY_HEADERS.len(),
        "columns beyond U too"
    );
    assert_eq!(
        p.lines.iter().map(|l| l.net()).sum::<Decimal>(),
        d("290.24")
    );
}

#[test]
fn a_wrong_total_is_refused_with_row_column_expected_and_found() {
    let mut sheets = income_myr();
    sheets[1].set(INCOME_HEADER_ROW, 2, "Total settlement amount", n(83.04));
    sheets[1].set(INCOME_HEADER_ROW, 8, "Seller shipping fee", n(0.10));
    let err = parse_sheets(&sheets, Options::default()).unwrap_err();
    assert!(err.contains("nothing was imported"), "{err}");
    assert!(
        err.contains(
            "row 2, column `Total settlement amount`, value `83.04`: sheet `Order details`: \
             expected 83.03 (the sum of the row's components), found 83.04"
        ),
        "{err}"
    );
    assert!(
        err.contains(
            "expected 83.03 (Total revenue + Total fees + Adjustment amount), found 83.04"
        ),
        "{err}"
    );
    assert!(
        err.contains(
            "row 8, column `Seller shipping fee`, value `0.1`: sheet `Order details`: \
             expected 0.00 (the sum of the shipping columns), found 0.10"
        ),
        "{err}"
    );
    // A blank total is zero, and checked as such.
    let mut sheets = income_myr();
    sheets[1].set(INCOME_HEADER_ROW, 3, "Total settlement amount", t(""));
    let err = parse_sheets(&sheets, Options::default()).unwrap_err();
    assert!(
        err.contains("row 3, column `Total settlement amount`, value ``: sheet `Order details`: expected 52.71 (the sum of the row's components), found 0"),
        "{err}"
    );
    // A subtotal off by a cent is caught too.
    let mut sheets = income_myr();
    sheets[1].set(
        INCOME_HEADER_ROW,
        4,
        "Subtotal after seller discounts",
        n(40.51),
    );
    let err = parse_sheets(&sheets, Options::default()).unwrap_err();
    assert!(
        err.contains("row 4, column `Subtotal after seller discounts`, value `40.51`"),
        "{err}"
    );
    assert!(
        err.contains("expected 40.50 (Subtotal before discounts + Seller discounts), found 40.51"),
        "{err}"
    );
}

#[test]
fn the_reports_total_is_checked_against_the_lines() {
    let mut sheets = income_myr();
    sheets[0].rows[4][5] = n(290.25);
    let err = parse_sheets(&sheets, Options::default()).unwrap_err();
    assert!(
        err.contains(
            "row 5, column `Total settlement amount`, value `290.25`: sheet `Reports`: \
             expected 290.24 (the sum of the 7 lines of `Order details`), found 290.25"
        ),
        "{err}"
    );
}

/// The MY fixture with an unknown fee column on rows 2 and 8, the totals
/// adjusted so the file's own arithmetic holds.
fn with_unknown_fee() -> Vec<Sheet> {
    let mut sheets = income_myr();
    let details = &mut sheets[1];
    details.add_column(
        INCOME_HEADER_ROW,
        "Boost service fee",
        &[(2, n(-1.00)), (8, n(-1.50))],
    );
    for (row, settlement, fees) in [(2, 82.03, -25.97), (8, 153.40, -35.60)] {
        details.set(
            INCOME_HEADER_ROW,
            row,
            "Total settlement amount",
            n(settlement),
        );
        details.set(INCOME_HEADER_ROW, row, "Total fees", n(fees));
    }
    sheets[0].rows[4][5] = n(287.74);
    sheets
}

#[test]
fn an_unknown_money_column_is_schema_drift() {
    let err = parse_sheets(&with_unknown_fee(), Options::default()).unwrap_err();
    assert!(err.contains("1 problem(s); nothing was imported"), "{err}");
    assert!(
        err.contains(
            "row 2, column `Boost service fee`, value `Boost service fee`: sheet `Order details`: \
             an amount column this importer does not know: 2 row(s) totalling -2.50 MYR"
        ),
        "{err}"
    );
    let p = parse_sheets(&with_unknown_fee(), accept()).unwrap();
    assert_eq!(component_total(&p, "adjustment.unclassified"), d("-2.50"));
    assert_eq!(p.lines[0].net(), d("82.03"));
    assert_eq!(
        p.lines.iter().map(|l| l.net()).sum::<Decimal>(),
        d("287.74")
    );
    // A column without a header is named by its letter.
    let mut sheets = income_myr();
    sheets[1].add_column(INCOME_HEADER_ROW, "", &[(3, n(-0.40))]);
    let err = parse_sheets(&sheets, Options::default()).unwrap_err();
    assert!(
        err.contains("row 3, column `column AQ`, value `column AQ`: sheet `Order details`: an amount column this importer does not know: 1 row(s) totalling -0.40 MYR"),
        "{err}"
    );
    // A column of text (an item list) or of ids is not money.
    let mut sheets = income_myr();
    sheets[1].add_column(
        INCOME_HEADER_ROW,
        "Package ID",
        &[(2, t("1100000000000000001"))],
    );
    sheets[1].add_column(
        INCOME_HEADER_ROW,
        "Items sold",
        &[(2, t("1729384756102938475 * 1;"))],
    );
    assert!(parse_sheets(&sheets, Options::default()).is_ok());
}

#[test]
fn an_unknown_adjustment_type_is_schema_drift() {
    let mut sheets = income_myr();
    sheets[1].set(INCOME_HEADER_ROW, 7, "Type ", t("Mystery deduction"));
    let err = parse_sheets(&sheets, Options::default()).unwrap_err();
    assert!(
        err.contains(
            "row 7, column `Type`, value `Mystery deduction`: sheet `Order details`: an adjustment \
             type this importer does not know: 1 row(s) with adjustment amounts totalling -8.00 MYR"
        ),
        "{err}"
    );
    let p = parse_sheets(&sheets, accept()).unwrap();
    assert_eq!(component_total(&p, "adjustment.unclassified"), d("-8.00"));
}

#[test]
fn a_formula_cell_is_refused() {
    let mut sheets = income_myr();
    sheets[1].set(
        INCOME_HEADER_ROW,
        3,
        "Total settlement amount",
        Cell::Formula("=G3+N3".into(), "52.71".into()),
    );
    let err = parse_sheets(&sheets, Options::default()).unwrap_err();
    assert!(
        err.contains(
            "row 3, column `F`, value `G3+N3`: sheet `Order details`: a formula, not a value"
        ),
        "{err}"
    );
}

#[test]
fn ids_typed_as_numbers_are_flagged() {
    let mut sheets = income_myr();
    // What a spreadsheet makes of 577001234567890101.
    sheets[1].set(
        INCOME_HEADER_ROW,
        2,
        "Order/adjustment ID  ",
        n(577001234567890101.0),
    );
    let err = parse_sheets(&sheets, Options::default()).unwrap_err();
    assert!(
        err.contains(
            "row 2, column `Order/adjustment ID`, value `577001234567890000`: sheet `Order details`: \
             an id typed as a number: at 18 digits a spreadsheet number has lost precision"
        ),
        "{err}"
    );
    // A short id typed as a number is exact: read, with a warning.
    let mut sheets = income_myr();
    sheets[1].set(INCOME_HEADER_ROW, 6, "Related order ID", n(123456789012.0));
    let p = parse_sheets(&sheets, Options::default()).unwrap();
    assert_eq!(
        lines_of(&p, MY_ADJUSTMENT_REIMBURSEMENT)[0]
            .order_id
            .as_deref(),
        Some("123456789012")
    );
    assert!(
        p.warnings.iter().any(|w| w
            == "sheet `Order details`: row 6, column `Related order ID`: id `123456789012` is typed as a number; read as written"),
        "{:?}",
        p.warnings
    );
}

#[test]
fn bad_cells_are_reported_each_with_its_place() {
    let mut sheets = income_myr();
    sheets[1].set(INCOME_HEADER_ROW, 2, "Transaction fee", t("-2,59"));
    sheets[1].set(INCOME_HEADER_ROW, 3, "Order settled time", t("02/03/2026"));
    sheets[1].set(INCOME_HEADER_ROW, 4, "Currency", t("RM"));
    sheets[1].rows[15][20] = n(4.0); // money on a padding row with no id
    let err = parse_sheets(&sheets, Options::default()).unwrap_err();
    assert!(err.contains("4 problem(s)"), "{err}");
    assert!(
        err.contains("row 2, column `Transaction fee`, value `-2,59`"),
        "{err}"
    );
    assert!(
        err.contains("row 3, column `Order settled time`, value `02/03/2026`: sheet `Order details`: not a date"),
        "{err}"
    );
    assert!(
        err.contains("row 4, column `Currency`, value `RM`"),
        "{err}"
    );
    assert!(
        err.contains("row 16, column `Order/adjustment ID`: sheet `Order details`: the row has amounts (`Actual return shipping fee` 4) but no Order/adjustment ID"),
        "{err}"
    );
}

#[test]
fn a_zone_must_come_from_somewhere() {
    let mut sheets = income_myr();
    sheets[0].rows.remove(2); // the Timezone row
    let err = parse_sheets(&sheets, Options::default()).unwrap_err();
    assert!(
        err.contains("column `Order settled time`: sheet `Order details`: no time zone"),
        "{err}"
    );
    let p = parse_sheets(
        &sheets,
        Options {
            shop_zone: Some("Asia/Kuala_Lumpur".parse::<Zone>().unwrap()),
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(
        p.lines[0].posted_at.as_ref().unwrap().utc.to_rfc3339(),
        "2026-03-01T16:00:00+00:00"
    );
}

#[test]
fn dong_amounts_are_whole() {
    let vnd = |sheets: &mut Vec<Sheet>, scale: f64| {
        let details = &mut sheets[1];
        for r in 2..=4 {
            details.set(1, r, "Currency", t("VND"));
            for h in US_HEADERS.iter().skip(8).take(17) {
                let c = details.column(1, h);
                if let Cell::Number(x) = details.rows[r - 1][c] {
                    details.rows[r - 1][c] = n((x * scale).round());
                }
            }
        }
        sheets[0].rows[1][2] = t("VND");
        sheets[0].rows[2][2] = n(64660.0 * scale / 1000.0);
    };
    let mut sheets = income_usd();
    vnd(&mut sheets, 1000.0);
    let p = parse_sheets(&sheets, Options::default()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(p.lines[0].net(), d("36450"));
    assert_eq!(component_total(&p, "fee.shipping_label_subsidy"), d("1410"));
    assert_eq!(p.statements[0].currency.code(), "VND");
    sheets[1].set(1, 2, "Transaction fee", n(-1350.5));
    sheets[1].set(1, 2, "Total Fees", n(-8550.5));
    sheets[1].set(1, 2, "Total settlement amount", n(36449.5));
    let err = parse_sheets(&sheets, Options::default()).unwrap_err();
    assert!(
        err.contains("row 2, column `Transaction fee`, value `-1350.5`: sheet `Order details`: more decimals than VND has (0 minor units)"),
        "{err}"
    );
}

#[test]
fn the_order_details_table_saved_as_csv_reads_the_same() {
    let csv = csv_of(&us_order_details());
    let from_csv = parse("income.csv", csv.as_bytes(), Options::default()).unwrap();
    let from_xlsx = parse_sheets(&income_usd(), Options::default()).unwrap();
    assert_eq!(from_csv.lines.len(), 3);
    for (a, b) in from_csv.lines.iter().zip(&from_xlsx.lines) {
        assert_eq!(a.identity(), b.identity());
        assert_eq!(a.content_hash(), b.content_hash());
    }
    assert_eq!(
        importer::detect(csv.as_bytes()),
        Some(SourceKind::TikTokIncome)
    );
}

#[test]
fn what_is_not_an_income_workbook_is_said_so() {
    let err = parse("x.xlsx", &xlsx(&statement_usd()), Options::default())
        .unwrap_err()
        .to_string();
    assert!(err.contains("no `Order details` sheet"), "{err}");
    let err = parse("x.xlsx", b"PK\x03\x04garbage", Options::default())
        .unwrap_err()
        .to_string();
    assert!(err.contains("x.xlsx: not a readable XLSX"), "{err}");
    assert!(parse("x.csv", b"", Options::default()).is_err());
}

/// Cells a hostile or broken export might hold.
fn nasty_cell() -> impl Strategy<Value = Cell> {
    prop_oneof![
        Just(t("")),
        Just(t("/")),
        Just(t("-")),
        Just(t("9999999999999999999999999999999")),
        Just(t("1e400")),
        Just(t("NaN")),
        Just(t("(3.10)")),
        Just(t("2026/02/30")),
        Just(t("UTC+99")),
        Just(n(f64::MAX)),
        Just(n(-0.0)),
        Just(n(1e-300)),
        Just(n(577001234567890101.0)),
        Just(Cell::Formula("=1/0".into(), "#DIV/0!".into())),
        Just(Cell::Blank),
        "[ -~]{0,12}".prop_map(|s| t(&s)),
        "\\PC{0,8}".prop_map(|s| t(&s)),
        (-1e12f64..1e12).prop_map(n),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let _ = parse("random.xlsx", &bytes, Options::default());
        let mut zip = b"PK\x03\x04".to_vec();
        zip.extend(&bytes);
        let _ = parse("random.xlsx", &zip, Options::default());
        let _ = importer::detect(&zip);
    }

    #[test]
    fn mutated_workbook_bytes_never_panic(
        flips in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..16)
    ) {
        let mut bytes = xlsx(&income_myr());
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
            (0usize..4, 0usize..40, 0usize..50, nasty_cell()), 1..12),
        accept_unclassified in any::<bool>(),
    ) {
        let mut sheets = income_myr();
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
            // Whatever is accepted adds up: every line is its components.
            for line in &p.lines {
                prop_assert_eq!(line.net(), line.components.iter().map(|c| c.amount).sum::<Decimal>());
            }
        }
    }
}

// ---------------------------------------------------------------------------
// Streaming: the CSV is read as it arrives and each line leaves at once; the
// workbook's Order details sheet streams row by row.

/// Hands over one byte per read: every row crosses a read boundary.
struct Trickle<'b>(&'b [u8]);

impl Read for Trickle<'_> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        match (self.0.split_first(), out.first_mut()) {
            (Some((b, rest)), Some(o)) => {
                *o = *b;
                self.0 = rest;
                Ok(1)
            }
            _ => Ok(0),
        }
    }
}

/// `parse_into` through the importer's dispatch, collected.
fn streamed(bytes: &[u8], options: Options) -> Result<ParsedFile, String> {
    let mut p = ParsedFile::default();
    let summary = importer::parse_into(
        SourceKind::TikTokIncome,
        "income.csv",
        &mut Trickle(bytes),
        options,
        &mut p,
    )
    .map_err(|e| e.to_string())?;
    p.header = summary.header;
    p.rows_read = summary.rows_read;
    p.warnings = summary.warnings;
    Ok(p)
}

fn my_zone() -> Options {
    Options {
        shop_zone: Some("UTC+8".parse::<Zone>().unwrap()),
        ..Default::default()
    }
}

/// The MY grid with an amount beyond the header on Excel row 8 only (the
/// row's totals include it).
fn my_with_a_cell_beyond_the_header() -> Vec<Vec<Cell>> {
    let mut sheet = Sheet::new("Order details", my_order_details());
    sheet.set(INCOME_HEADER_ROW, 8, "Total settlement amount", n(153.40));
    sheet.set(INCOME_HEADER_ROW, 8, "Total fees", n(-35.60));
    let row = &mut sheet.rows[7];
    row.resize(MY_HEADERS.len(), t("/"));
    row.push(n(-1.50));
    sheet.rows
}

#[test]
fn the_streamed_csv_equals_the_collected_one() {
    let edited = |edit: &dyn Fn(&mut Sheet)| {
        let mut sheet = Sheet::new("Order details", my_order_details());
        edit(&mut sheet);
        csv_of(&sheet.rows)
    };
    let accept_my = Options {
        accept_unclassified: true,
        ..my_zone()
    };
    // (what, csv, options, lines when it parses)
    let cases: Vec<(&str, String, Options, Option<usize>)> = vec![
        (
            "US",
            csv_of(&us_order_details()),
            Options::default(),
            Some(3),
        ),
        ("MY", csv_of(&my_order_details()), my_zone(), Some(7)),
        (
            "beyond the header, accepted",
            csv_of(&my_with_a_cell_beyond_the_header()),
            accept_my,
            Some(7),
        ),
        (
            "beyond the header",
            csv_of(&my_with_a_cell_beyond_the_header()),
            my_zone(),
            None,
        ),
        (
            "a wrong net",
            edited(&|s| s.set(INCOME_HEADER_ROW, 3, "Total settlement amount", n(1.0))),
            my_zone(),
            None,
        ),
        (
            "a bad amount",
            edited(&|s| s.set(INCOME_HEADER_ROW, 2, "Transaction fee", t("-2,59"))),
            my_zone(),
            None,
        ),
        (
            "no zone",
            csv_of(&my_order_details()),
            Options::default(),
            None,
        ),
    ];
    for (what, csv, options, lines) in cases {
        let collected = parse("income.csv", csv.as_bytes(), options);
        let streamed = streamed(csv.as_bytes(), options);
        match (collected, lines) {
            (Ok(collected), Some(n)) => {
                assert_eq!(collected.lines.len(), n, "{what}");
                assert!(!collected.statements.is_empty(), "{what}");
                assert_eq!(Ok(collected), streamed, "{what}");
            }
            (Err(e), None) => assert_eq!(Err(e.to_string()), streamed, "{what}"),
            (other, _) => panic!("{what}: {other:?}"),
        }
    }
    // The column beyond the header is named by its letter, never dropped.
    let csv = csv_of(&my_with_a_cell_beyond_the_header());
    let err = streamed(csv.as_bytes(), my_zone()).unwrap_err();
    assert!(
        err.contains("row 8, column `column AQ`, value `column AQ`: an amount column this importer does not know: 1 row(s) totalling -1.50 MYR"),
        "{err}"
    );
    let p = streamed(csv.as_bytes(), accept_my).unwrap();
    let last = p.lines.last().unwrap();
    assert_eq!(last.rows[0].row, 8);
    assert_eq!(last.net(), d("153.40"));
    assert!(last
        .components
        .iter()
        .any(|c| c.code.as_str() == "adjustment.unclassified"
            && c.label == "column AQ"
            && c.amount == d("-1.50")));
}

/// Counts lines as they arrive and notes how much of the file had been
/// read when the first one did.
struct Watching {
    read: Rc<StdCell<usize>>,
    first_line_after: Option<usize>,
    lines: usize,
    statements: usize,
}

impl RecordSink for Watching {
    fn statement(&mut self, _: Statement) {
        self.statements += 1;
    }
    fn line(&mut self, _: SettlementLine) {
        self.first_line_after.get_or_insert(self.read.get());
        self.lines += 1;
    }
    fn payout(&mut self, _: Payout) {}
    fn order(&mut self, _: Order) {}
}

struct Counted<'b> {
    bytes: &'b [u8],
    read: Rc<StdCell<usize>>,
}

impl Read for Counted<'_> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        let n = self.bytes.read(out)?;
        self.read.set(self.read.get() + n);
        Ok(n)
    }
}

#[test]
fn lines_leave_before_the_file_ends_and_an_error_on_the_last_row_still_fails() {
    let grid = us_order_details();
    let worked = grid[1].clone();
    let mut big = vec![grid[0].clone()];
    for i in 0..3000u64 {
        let mut row = worked.clone();
        row[0] = t(&format!("{}", 576786105183930101u64 + 100 * i));
        big.push(row);
    }
    let mut broken = worked.clone();
    let total = US_HEADERS
        .iter()
        .position(|h| *h == "Total settlement amount")
        .unwrap();
    broken[total] = t("36.46");
    big.push(broken);
    let csv = csv_of(&big);
    let read = Rc::new(StdCell::new(0));
    let mut sink = Watching {
        read: read.clone(),
        first_line_after: None,
        lines: 0,
        statements: 0,
    };
    let err = tiktok_income::parse_into(
        "big.csv",
        Counted {
            bytes: csv.as_bytes(),
            read,
        },
        Options::default(),
        &mut sink,
    )
    .unwrap_err()
    .to_string();
    assert!(
        err.contains("row 3002, column `Total settlement amount`, value `36.46`: expected 36.45 (the sum of the row's components), found 36.46"),
        "{err}"
    );
    assert_eq!(sink.lines, 3000, "every sound row left as it was read");
    let first = sink.first_line_after.unwrap();
    assert!(
        first < csv.len() / 10,
        "the first line left after {first} of {} bytes",
        csv.len()
    );
    assert_eq!(sink.statements, 0, "statements only once the file is sound");
}

/// A sheet's rows as (Excel row, cells), trailing blank cells left out.
type TextRows = Vec<(u64, Vec<String>)>;

/// `rows` and the streaming reader, side by side, on every sheet.
fn rows_both_ways(bytes: &[u8]) -> Vec<(String, TextRows)> {
    let mut workbook = Workbook::open("t.xlsx", bytes).unwrap();
    let mut out = Vec::new();
    for sheet in workbook.sheet_names() {
        let mut whole_problems = Problems::default();
        let whole = workbook.rows(&sheet, &mut whole_problems).unwrap();
        let mut problems = Problems::default();
        workbook.check_formulas(&sheet, &mut problems).unwrap();
        let mut streamed = Vec::new();
        let mut reader = workbook.sheet_rows(&sheet).unwrap();
        while let Some(row) = reader.next_row(&mut problems).unwrap() {
            streamed.push(row);
        }
        let key = |rows: &[settlebridge::sources::table::Row]| {
            rows.iter()
                .map(|r| (r.line, r.cells.clone(), r.numeric.clone()))
                .collect::<Vec<_>>()
        };
        assert_eq!(key(&whole), key(&streamed), "sheet `{sheet}`");
        assert_eq!(
            whole_problems.finish("t.xlsx").map_err(|e| e.to_string()),
            problems.finish("t.xlsx").map_err(|e| e.to_string()),
            "sheet `{sheet}`"
        );
        let rows = streamed
            .into_iter()
            .map(|r| {
                let mut cells = r.cells;
                while cells.last().is_some_and(|c| c.is_empty()) {
                    cells.pop();
                }
                (r.line, cells)
            })
            .collect();
        out.push((sheet, rows));
    }
    out
}

/// The grid's non-blank rows as text, by Excel row.
fn grid_rows(grid: &[Vec<Cell>]) -> TextRows {
    grid.iter()
        .enumerate()
        .filter_map(|(i, r)| {
            let mut cells: Vec<String> = r
                .iter()
                .map(|c| match c {
                    Cell::Text(s) => s.clone(),
                    Cell::Number(x) => format!("{x}"),
                    Cell::Formula(_, cached) => cached.clone(),
                    Cell::Blank => String::new(),
                })
                .collect();
            while cells.last().is_some_and(|c| c.is_empty()) {
                cells.pop();
            }
            (!cells.iter().all(|c| c.trim().is_empty())).then(|| (i as u64 + 1, cells))
        })
        .collect()
}

#[test]
fn the_streaming_sheet_reader_gives_exactly_the_rows_rows_gives() {
    let sheets = income_myr();
    let bytes = xlsx(&sheets);
    let broken = with_dimension(&bytes, INCOME_DETAILS_SHEET_NUMBER, "A1:U2");
    for workbook in [&bytes, &broken] {
        let got = rows_both_ways(workbook);
        assert_eq!(got.len(), sheets.len());
        for ((name, rows), sheet) in got.iter().zip(&sheets) {
            assert_eq!(name, &sheet.name);
            assert_eq!(rows, &grid_rows(&sheet.rows), "sheet `{name}`");
        }
        let details = &got[1].1;
        assert_eq!(
            details.len(),
            1 + 7,
            "the header and rows 2–8, A1:U2 or not"
        );
        assert_eq!(details.last().unwrap().0, 8);
        assert_eq!(details.last().unwrap().1.len(), MY_HEADERS.len());
    }
    // Typed numbers, formulas (reported the same way) and other workbooks.
    let mut with_formula = income_myr();
    with_formula[1].set(
        INCOME_HEADER_ROW,
        3,
        "Total settlement amount",
        Cell::Formula("=G3+N3".into(), "52.71".into()),
    );
    rows_both_ways(&xlsx(&with_formula));
    rows_both_ways(&xlsx(&income_usd()));
    rows_both_ways(&xlsx(&statement_usd()));
}

#[tokio::test]
async fn the_order_details_csv_imports_through_the_stream() {
    let db = sqlite_db().await;
    let csv = csv_of(&us_order_details());
    let report = importer::import_file(db.store(), csv.as_bytes(), request("income.csv"))
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
    assert_eq!(format, SourceKind::TikTokIncome);
    assert_eq!((batch.rows_read, batch.lines_new), (3, 3));
    assert_eq!(statements.len(), 1);
    assert_eq!(statements[0].lines_total, "64.66");
    assert_eq!(totals["USD"], "64.66");
    assert_eq!(db.raw_count("settlement_lines").await, 3);
}

fn request(name: &str) -> ImportRequest<'_> {
    ImportRequest {
        file_name: name,
        shop: Some("tiktok-my"),
        shops: &NO_SHOPS,
        source: None,
        accept_unclassified: false,
        actor: "tester",
    }
}

#[tokio::test]
async fn the_workbook_is_detected_imported_once_and_weekly_repeats_add_only_new_lines() {
    let db = sqlite_db().await;
    let week1 = xlsx(&income_myr());
    assert_eq!(importer::detect(&week1), Some(SourceKind::TikTokIncome));
    let report = importer::import_file(db.store(), &week1, request("income_20260307.xlsx"))
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
    assert_eq!(format, SourceKind::TikTokIncome);
    assert_eq!(
        serde_json::to_value(format).unwrap(),
        serde_json::json!("tiktok-income")
    );
    assert_eq!(
        <SourceKind as clap::ValueEnum>::from_str("tiktok-income", false),
        Ok(SourceKind::TikTokIncome)
    );
    assert_eq!(
        <SourceKind as clap::ValueEnum>::from_str("tiktok-statement", false),
        Ok(SourceKind::TikTokStatement)
    );
    assert_eq!(
        (batch.rows_read, batch.lines_new, batch.lines_duplicate),
        (12, 7, 0)
    );
    assert_eq!(batch.source_kind, "tiktok-income");
    assert_eq!(statements.len(), 5);
    assert_eq!(totals["MYR"], "290.24");
    assert_eq!(db.raw_count("settlement_lines").await, 7);

    let again = importer::import_file(db.store(), &week1, request("copy.xlsx"))
        .await
        .unwrap();
    assert!(matches!(again, ImportReport::AlreadyImported { batch: b, .. } if b == batch.id));
    assert_eq!(db.raw_count("settlement_lines").await, 7);
    assert_eq!(db.raw_count("import_batches").await, 1);

    // The next weekly export repeats the whole earlier block and adds one
    // new adjustment: only that one is new.
    let mut sheets = income_myr();
    let extra = sheets[1].rows[6].clone();
    sheets[1].rows.insert(8, extra);
    sheets[1].set(
        INCOME_HEADER_ROW,
        9,
        "Order/adjustment ID  ",
        t("7300012345678909999"),
    );
    sheets[1].set(INCOME_HEADER_ROW, 9, "Order settled time", t("2026/03/07"));
    sheets[0].rows[4][5] = n(282.24);
    let week2 = xlsx(&sheets);
    let report = importer::import_file(db.store(), &week2, request("income_20260314.xlsx"))
        .await
        .unwrap();
    let ImportReport::Imported { batch, .. } = report else {
        panic!("not imported")
    };
    assert_eq!((batch.lines_new, batch.lines_duplicate), (1, 7));
    assert_eq!(db.raw_count("settlement_lines").await, 8);
}
