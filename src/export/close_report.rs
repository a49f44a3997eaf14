//! The close report as CSV and as an XLSX workbook: one flat table of every
//! figure (shop, period, section, item, account, amount, currency). Text
//! cells are neutralized against formula injection in both.

use rust_decimal::prelude::ToPrimitive;
use rust_xlsxwriter::{Format, Workbook, XlsxError};

use super::spreadsheet_safe;
use crate::bank_report::BankClose;
use crate::domain::close::CloseReport;
use crate::domain::money::format_amount;
use crate::domain::Currency;

const HEADER: [&str; 7] = [
    "shop", "period", "section", "item", "account", "amount", "currency",
];

fn written(amount: rust_decimal::Decimal, currency: &str) -> String {
    match currency.parse::<Currency>() {
        Ok(c) => format_amount(amount, c),
        Err(_) => amount.to_string(),
    }
}

/// One figure of the flat table: a shop's, or a bank account's (its
/// `shop` cell is `bank:<name>`, its section `bank`).
struct FlatRow {
    shop: String,
    period: String,
    section: String,
    item: String,
    account: String,
    amount: rust_decimal::Decimal,
    currency: String,
}

fn flat_rows(reports: &[CloseReport], banks: &[BankClose]) -> Vec<FlatRow> {
    let mut out = Vec::new();
    for r in reports {
        for row in r.rows() {
            out.push(FlatRow {
                shop: r.shop.clone(),
                period: r.period.clone(),
                section: row.section.to_string(),
                item: row.item,
                account: row.account,
                amount: row.amount,
                currency: r.currency.clone(),
            });
        }
    }
    for b in banks {
        let mut row = |item: &str, account: &str, amount: rust_decimal::Decimal| {
            out.push(FlatRow {
                shop: format!("bank:{}", b.bank),
                period: b.period.clone(),
                section: "bank".into(),
                item: item.to_string(),
                account: account.to_string(),
                amount,
                currency: b.currency.clone(),
            })
        };
        row(
            "deposits matched and booked",
            &b.gl_account,
            b.deposits_matched_total,
        );
        if let Some(c) = b.statement_closing {
            row("statement closing balance", "", c);
        }
        row(
            "GL balance on the statement's closing day",
            &b.gl_account,
            b.gl_balance,
        );
        if let Some(o) = b.first_opening {
            row("opening before the first statement", "", o);
        }
        row(
            "lines the ledger does not carry",
            "",
            b.unbooked_through_end,
        );
        if let Some(u) = b.unexplained {
            row("tie-out: unexplained", "", u);
        }
        for (account, balance) in &b.in_transit {
            row("cash in transit at the period's end", account, *balance);
        }
    }
    out
}

pub fn csv(reports: &[CloseReport], banks: &[BankClose]) -> Result<String, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(HEADER)?;
    for row in flat_rows(reports, banks) {
        w.write_record([
            spreadsheet_safe(&row.shop).as_ref(),
            row.period.as_str(),
            row.section.as_str(),
            spreadsheet_safe(&row.item).as_ref(),
            row.account.as_str(),
            written(row.amount, &row.currency).as_str(),
            row.currency.as_str(),
        ])?;
    }
    let bytes = w.into_inner().map_err(|e| e.into_error())?;
    Ok(String::from_utf8(bytes).expect("the writer wrote UTF-8"))
}

/// The workbook's bytes: a sheet "Close" with every figure. Amounts are
/// written as numbers so the sheet can sum them — Excel keeps numbers as
/// doubles, exact for any amount below 2^53 minor units; the CSV and JSON
/// keep the decimal text.
pub fn xlsx(reports: &[CloseReport], banks: &[BankClose]) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("Close")?;
    let bold = Format::new().set_bold();
    for (c, h) in HEADER.iter().enumerate() {
        sheet.write_string_with_format(0, c as u16, *h, &bold)?;
    }
    for (r_no, row) in (1u32..).zip(flat_rows(reports, banks)) {
        let minor = row
            .currency
            .parse::<Currency>()
            .map(|c| c.minor_units())
            .unwrap_or(2);
        let pattern = if minor == 0 {
            "#,##0".to_string()
        } else {
            format!("#,##0.{}", "0".repeat(minor as usize))
        };
        let money = Format::new().set_num_format(&pattern);
        sheet.write_string(r_no, 0, spreadsheet_safe(&row.shop).as_ref())?;
        sheet.write_string(r_no, 1, &row.period)?;
        sheet.write_string(r_no, 2, &row.section)?;
        sheet.write_string(r_no, 3, spreadsheet_safe(&row.item).as_ref())?;
        sheet.write_string(r_no, 4, &row.account)?;
        let value = row.amount.to_f64().unwrap_or(f64::NAN);
        sheet.write_number_with_format(r_no, 5, value, &money)?;
        sheet.write_string(r_no, 6, &row.currency)?;
    }
    sheet.set_column_width(3, 40)?;
    book.save_to_buffer()
}
