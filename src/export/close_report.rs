//! The close report as CSV and as an XLSX workbook: one flat table of every
//! figure (shop, period, section, item, account, amount, currency). Text
//! cells are neutralized against formula injection in both.

use rust_decimal::prelude::ToPrimitive;
use rust_xlsxwriter::{Format, Workbook, XlsxError};

use super::spreadsheet_safe;
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

pub fn csv(reports: &[CloseReport]) -> Result<String, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(HEADER)?;
    for r in reports {
        for row in r.rows() {
            w.write_record([
                spreadsheet_safe(&r.shop).as_ref(),
                r.period.as_str(),
                row.section,
                spreadsheet_safe(&row.item).as_ref(),
                row.account.as_str(),
                written(row.amount, &r.currency).as_str(),
                r.currency.as_str(),
            ])?;
        }
    }
    let bytes = w.into_inner().map_err(|e| e.into_error())?;
    Ok(String::from_utf8(bytes).expect("the writer wrote UTF-8"))
}

/// The workbook's bytes: a sheet "Close" with every figure. Amounts are
/// written as numbers so the sheet can sum them — Excel keeps numbers as
/// doubles, exact for any amount below 2^53 minor units; the CSV and JSON
/// keep the decimal text.
pub fn xlsx(reports: &[CloseReport]) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("Close")?;
    let bold = Format::new().set_bold();
    for (c, h) in HEADER.iter().enumerate() {
        sheet.write_string_with_format(0, c as u16, *h, &bold)?;
    }
    let mut r_no = 1u32;
    for r in reports {
        let minor = r
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
        for row in r.rows() {
            sheet.write_string(r_no, 0, spreadsheet_safe(&r.shop).as_ref())?;
            sheet.write_string(r_no, 1, &r.period)?;
            sheet.write_string(r_no, 2, row.section)?;
            sheet.write_string(r_no, 3, spreadsheet_safe(&row.item).as_ref())?;
            sheet.write_string(r_no, 4, &row.account)?;
            let value = row.amount.to_f64().unwrap_or(f64::NAN);
            sheet.write_number_with_format(r_no, 5, value, &money)?;
            sheet.write_string(r_no, 6, &r.currency)?;
            r_no += 1;
        }
    }
    sheet.set_column_width(3, 40)?;
    book.save_to_buffer()
}
