use std::path::PathBuf;
use std::str::FromStr;

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::{csv_preset, parse_bank_csv, CsvLayout, CSV_PRESETS};
use crate::domain::money::Currency;

/// The project's bank fixtures: `SETTLEBRIDGE_BANK_FIXTURES`, else
/// `fixtures/bank` of the project.
fn fixture(name: &str) -> String {
    let dir = std::env::var_os("SETTLEBRIDGE_BANK_FIXTURES")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/bank"));
    let path = dir.join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn usd() -> Currency {
    "USD".parse().unwrap()
}

fn preset(name: &str) -> CsvLayout {
    csv_preset(name).unwrap()
}

#[test]
fn every_preset_name_has_a_layout() {
    for name in CSV_PRESETS {
        assert!(csv_preset(name).is_some(), "{name}");
    }
    assert_eq!(csv_preset("wells-fargo"), None);
}

#[test]
fn debit_credit_file_with_decimal_comma_and_thousands() {
    let file = "debit-credit-thousands.csv";
    let eur = "EUR".parse().unwrap();
    let s = parse_bank_csv(fixture(file).as_bytes(), file, &preset("debit-credit"), eur).unwrap();
    assert_eq!(s.lines.len(), 7, "the blank row is skipped");
    assert_eq!(
        (s.opening, s.closing),
        (Some(d("12500.00")), Some(d("17587.80")))
    );
    assert_eq!(
        (s.from, s.to),
        (Some(day("2026-03-02")), Some(day("2026-03-20")))
    );
    assert_eq!(
        (s.statement_id.as_deref(), s.account.as_deref()),
        (None, None)
    );
    let first = &s.lines[0];
    assert_eq!(
        (first.row, first.booked, first.amount),
        (2, day("2026-03-02"), d("4210.37"))
    );
    assert_eq!(
        first.description,
        "SHOPIFY INTERNATIONAL LTD PAYOUT 118274650"
    );
    assert_eq!(first.currency.code(), "EUR");
    let fee = &s.lines[1];
    assert_eq!(
        (fee.amount, fee.description.as_str()),
        (d("-12.50"), "Bankgebühren März")
    );
    let packaging = &s.lines[3];
    assert_eq!(
        (packaging.row, packaging.amount),
        (6, d("-1450.00")),
        "row numbers count the blank line"
    );
    assert_eq!(
        s.lines[4].description, "LAGERMIETE; HALLE 3",
        "a quoted delimiter"
    );
    assert_eq!(
        s.lines[6].amount,
        d("-89.90"),
        "a debit with 0,00 in the credit column"
    );
    assert!(s.check().is_ok());
}

#[test]
fn chase_is_newest_first_and_its_running_balance_is_checked_in_reverse() {
    let file = "chase.csv";
    let s = parse_bank_csv(fixture(file).as_bytes(), file, &preset("chase"), usd()).unwrap();
    assert_eq!(s.lines.len(), 6);
    assert_eq!(
        (s.opening, s.closing),
        (Some(d("5909.47")), Some(d("9876.54")))
    );
    assert_eq!(
        (s.from, s.to),
        (Some(day("2026-03-05")), Some(day("2026-03-27")))
    );
    let newest = &s.lines[0];
    assert_eq!(
        (newest.row, newest.booked, newest.amount),
        (2, day("2026-03-27"), d("2345.67"))
    );
    assert!(newest.description.contains("IND ID:ST-A1B2C3D4E5F6"));
    let check = &s.lines[2];
    assert_eq!(
        (check.amount, check.description.as_str()),
        (d("-450.00"), "CHECK 1042")
    );
    assert_eq!(check.reference.as_deref(), Some("1042"), "Check or Slip #");
    assert_eq!(s.lines[1].reference, None);
    assert_eq!(s.lines[5].amount, d("642.18"));
}

#[test]
fn bank_of_america_header_is_found_below_the_summary() {
    let file = "bank-of-america.csv";
    let s = parse_bank_csv(
        fixture(file).as_bytes(),
        file,
        &preset("bank-of-america"),
        usd(),
    )
    .unwrap();
    assert_eq!(s.lines.len(), 6, "the beginning-balance row is no line");
    assert_eq!(
        (s.opening, s.closing),
        (Some(d("4200.00")), Some(d("9076.55")))
    );
    assert_eq!(
        (s.from, s.to),
        (Some(day("2026-03-02")), Some(day("2026-03-31")))
    );
    let shopify = &s.lines[0];
    assert_eq!(
        (shopify.row, shopify.amount),
        (9, d("3210.45")),
        "\"3,210.45\""
    );
    assert!(shopify
        .description
        .starts_with("SHOPIFY DES:TRANSFER ID:ST-Q8W7E6R5T4Y3"));
    assert_eq!(s.lines[2].amount, d("-1000.00"));
    assert_eq!((s.lines[5].row, s.lines[5].amount), (14, d("-150.00")));
}

#[test]
fn a_bad_date_names_row_column_and_value() {
    let text = fixture("chase.csv").replace("CHECK,03/20/2026", "CHECK,03/32/2026");
    let e = parse_bank_csv(text.as_bytes(), "chase.csv", &preset("chase"), usd()).unwrap_err();
    assert_eq!(
        e.to_string(),
        "chase.csv, line 4, field Posting Date, value `03/32/2026`: not a date in the format %m/%d/%Y"
    );
}

#[test]
fn a_broken_running_balance_names_the_row_and_both_values() {
    let text = fixture("bank-of-america.csv").replace("\"8,226.55\"", "\"8,226.65\"");
    let e = parse_bank_csv(
        text.as_bytes(),
        "boa.csv",
        &preset("bank-of-america"),
        usd(),
    )
    .unwrap_err();
    assert_eq!(
        (e.line, e.field.as_deref(), e.value.as_deref()),
        (Some(12), Some("Running Bal."), Some("8,226.65"))
    );
    assert!(
        e.message.contains("8311.11 (row 11)")
            && e.message.contains("makes 8226.55")
            && e.message.contains("is 8226.65"),
        "{e}"
    );
    // Newest first: walked from the bottom, so the break is found at the row itself.
    let text = fixture("chase.csv").replace(",7545.87,", ",7545.78,");
    let e = parse_bank_csv(text.as_bytes(), "chase.csv", &preset("chase"), usd()).unwrap_err();
    assert_eq!(e.line, Some(4), "{e}");
    assert!(
        e.message.contains("7995.87 (row 5)") && e.message.contains("-0.09 apart"),
        "{e}"
    );
}

#[test]
fn debit_and_credit_both_or_neither_filled_are_errors() {
    let layout = CsvLayout {
        balance: None,
        ..preset("debit-credit")
    };
    let eur: Currency = "EUR".parse().unwrap();
    let both = "Date;Description;Debit;Credit\n01/03/2026;X;1,00;2,00\n";
    let e = parse_bank_csv(both.as_bytes(), "f.csv", &layout, eur).unwrap_err();
    assert_eq!(e.line, Some(2));
    assert!(
        e.message.contains("both Debit (1.00) and Credit (2.00)"),
        "{e}"
    );
    let neither = "Date;Description;Debit;Credit\n01/03/2026;X;1,00;\n02/03/2026;Y;;\n";
    let e = parse_bank_csv(neither.as_bytes(), "f.csv", &layout, eur).unwrap_err();
    assert_eq!(e.line, Some(3));
    assert!(e.message.contains("neither Debit nor Credit"), "{e}");
    let negative_debit = "Date;Description;Debit;Credit\n01/03/2026;X;-1,00;\n";
    let s = parse_bank_csv(negative_debit.as_bytes(), "f.csv", &layout, eur).unwrap();
    assert_eq!(
        s.lines[0].amount,
        d("-1.00"),
        "a debit is money out, signed or not"
    );
    assert_eq!((s.opening, s.closing), (None, None), "no balance column");
}

#[test]
fn the_decimal_mark_is_the_layouts_not_guessed() {
    let text = fixture("chase.csv").replace(",-15.00,", ",\"-15,00\",");
    let e = parse_bank_csv(text.as_bytes(), "chase.csv", &preset("chase"), usd()).unwrap_err();
    assert_eq!(
        (e.line, e.field.as_deref(), e.value.as_deref()),
        (Some(3), Some("Amount"), Some("-15,00"))
    );
    assert!(e.message.contains("misplaced thousands separators"), "{e}");
}

#[test]
fn header_search_bom_encoding_and_layout_errors() {
    let layout = preset("bank-of-america");
    let mut text = String::new();
    for i in 0..30 {
        text.push_str(&format!("summary line {i},,\n"));
    }
    text.push_str("Date,Description,Amount,Running Bal.\n03/02/2026,X,1.00,1.00\n");
    let e = parse_bank_csv(text.as_bytes(), "late.csv", &layout, usd()).unwrap_err();
    assert!(
        e.message
            .contains("no header row with the columns `Date` and `Amount` in the first 30 rows"),
        "{e}"
    );

    let bom = format!("\u{FEFF}{}", fixture("chase.csv"));
    let s = parse_bank_csv(bom.as_bytes(), "chase.csv", &preset("chase"), usd()).unwrap();
    assert_eq!(s.lines.len(), 6);

    let latin = b"  DATE , description,AMOUNT\n03/02/2026,Caf\xE9 M\xFCller,(12.00)\n03/03/2026,Refund,\"$1,234.56 \"\n";
    let s = parse_bank_csv(
        latin,
        "latin.csv",
        &CsvLayout {
            balance: None,
            ..layout.clone()
        },
        usd(),
    )
    .unwrap();
    assert_eq!(
        s.lines[0].description, "Café Müller",
        "Windows-1252 when not UTF-8; headers case-folded"
    );
    assert_eq!(s.lines[0].amount, d("-12.00"));
    assert_eq!(s.lines[1].amount, d("1234.56"));

    let e = parse_bank_csv(b"Date,Amount\n03/02/2026,1\n", "f.csv", &layout, usd()).unwrap_err();
    assert_eq!((e.line, e.field.as_deref()), (Some(1), Some("Description")));
    let no_amount = CsvLayout {
        amount: None,
        ..layout
    };
    assert!(parse_bank_csv(b"", "f.csv", &no_amount, usd())
        .unwrap_err()
        .message
        .contains("neither an amount"));
}

#[test]
fn balance_only_rows_must_tie_and_blank_balances_carry_on() {
    let layout = preset("bank-of-america");
    let text = "Date,Description,Amount,Running Bal.\n\
03/01/2026,Opening,,100.00\n03/02/2026,A,10.00,\n03/03/2026,B,-5.00,105.00\n03/04/2026,Marker,,105.00\n";
    let s = parse_bank_csv(text.as_bytes(), "f.csv", &layout, usd()).unwrap();
    assert_eq!(
        (s.lines.len(), s.opening, s.closing),
        (2, Some(d("100.00")), Some(d("105.00")))
    );
    let broken = text.replace("Marker,,105.00", "Marker,,104.00");
    let e = parse_bank_csv(broken.as_bytes(), "f.csv", &layout, usd()).unwrap_err();
    assert_eq!(e.line, Some(5));
    let leading =
        "Date,Description,Amount,Running Bal.\n03/02/2026,A,10.00,\n03/03/2026,B,-5.00,105.00\n";
    let s = parse_bank_csv(leading.as_bytes(), "f.csv", &layout, usd()).unwrap();
    assert_eq!(
        (s.opening, s.closing),
        (Some(d("100.00")), Some(d("105.00")))
    );
    assert!(s.check().is_ok());
}

#[test]
fn row_numbers_survive_blank_lines_and_crlf() {
    let text = "Summary,,\r\n\r\n\r\nDate,Description,Amount,Running Bal.\r\n03/02/2026,A,1.00,1.00\r\n\r\n03/03/2026,\"multi\nline\",2.00,3.00\r\n03/04/2026,C,x,3.00\r\n";
    let e =
        parse_bank_csv(text.as_bytes(), "f.csv", &preset("bank-of-america"), usd()).unwrap_err();
    assert_eq!((e.line, e.value.as_deref()), (Some(9), Some("x")), "{e}");
    let ok = text.replace(",x,", ",0.00,");
    let s = parse_bank_csv(ok.as_bytes(), "f.csv", &preset("bank-of-america"), usd()).unwrap();
    let rows: Vec<u64> = s.lines.iter().map(|l| l.row).collect();
    assert_eq!(rows, [5, 7, 9], "a quoted line break counts");
    let layout = CsvLayout {
        reference: Some("Ref".into()),
        ..preset("bank-of-america")
    };
    let e = parse_bank_csv(ok.as_bytes(), "f.csv", &layout, usd()).unwrap_err();
    assert_eq!(
        (e.line, e.field.as_deref()),
        (Some(4), Some("Ref")),
        "the header's line"
    );
}
