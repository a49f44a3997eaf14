//! TikTok Shop's income export (Seller Center > Finance > Income > Export,
//! `income_<timestamp>.xlsx`), SEA/global and older US layouts.
//!
//! Sheets:
//! - `Order details`: one row per settled order or adjustment (per SKU in
//!   layouts with `SKU ID`); every money column becomes a component, every
//!   subtotal is checked on every row (see `columns`). Each row is one
//!   settlement line, in a statement named by `Statement ID` when the
//!   layout has one, otherwise by the settled day and currency.
//! - `Withdrawal records`: the transfers to the bank, as payouts (see
//!   `sheets::read_withdrawals`).
//! - `Reports`: a label tree; its `Timezone`, `Currency` and `Total
//!   settlement amount` are read, the last checked against the lines.
//!
//! The same `Order details` table saved as CSV is read too (recognized by
//! its header); it has no Reports sheet, so the zone must come from the
//! header or the shop's configuration.

mod columns;
mod order_details;
mod sheets;

use rust_decimal::Decimal;
use sheets::Reports;

use super::problems::{ParseError, Problems};
use super::table::{Header, Row, Table, TableFormat};
use super::tiktok_finance::in_sheet;
use super::workbook::{is_zip, SheetTable, Workbook};
use crate::domain::money::Currency;
use crate::domain::settlement::ParsedFile;

/// How to read the file (see `ParseOptions`).
pub type Options = super::ParseOptions;

/// The sheet the settlement lines are in.
pub const ORDER_DETAILS: &str = "Order details";
const WITHDRAWALS: &str = "Withdrawal records";
const REPORTS: &str = "Reports";
/// How many rows may stand above the `Order details` header.
const HEADER_WITHIN: usize = 10;

/// Whether normalized headers are the `Order details` table.
pub fn detect(headers: &[String]) -> bool {
    let has = |h: &str| headers.iter().any(|x| x == h);
    has("order/adjustment id")
        && (has("type") || has("transaction type"))
        && has("total settlement amount")
}

/// Whether a workbook is an income export: an `Order details` sheet with
/// the table's header near its top.
pub fn detect_workbook(workbook: &mut Workbook<'_>) -> bool {
    let Some(sheet) = workbook.find_sheet(ORDER_DETAILS) else {
        return false;
    };
    let mut ignored = Problems::default();
    match workbook.rows(&sheet, &mut ignored) {
        Ok(rows) => rows
            .iter()
            .take(HEADER_WITHIN)
            .any(|r| detect(&Header::new(r.cells.clone(), r.line).names)),
        Err(_) => false,
    }
}

pub fn parse(file: &str, bytes: &[u8], options: Options) -> Result<ParsedFile, ParseError> {
    if is_zip(bytes) {
        parse_workbook(file, bytes, options)
    } else {
        parse_csv(file, bytes, options)
    }
}

fn parse_workbook(file: &str, bytes: &[u8], options: Options) -> Result<ParsedFile, ParseError> {
    let mut workbook = Workbook::open(file, bytes)?;
    let Some(details_sheet) = workbook.find_sheet(ORDER_DETAILS) else {
        return Err(ParseError::NotThisFormat {
            file: file.into(),
            message: format!("not a TikTok Shop income workbook (no `{ORDER_DETAILS}` sheet)"),
        });
    };
    let mut problems = Problems::default();
    let mut warnings = Vec::new();

    let reports = match workbook.find_sheet(REPORTS) {
        Some(sheet) => {
            let rows = workbook.rows(&sheet, &mut problems)?;
            let r = sheets::read_reports(&sheet, &rows, &mut problems, &mut warnings);
            Some((sheet, r))
        }
        None => None,
    };
    let rows = workbook.rows(&details_sheet, &mut problems)?;
    let Some(table) = SheetTable::from_rows(&details_sheet, rows, HEADER_WITHIN, detect) else {
        return Err(ParseError::NotThisFormat {
            file: file.into(),
            message: format!(
                "sheet `{details_sheet}` has no Order/adjustment ID, Type, Total settlement amount header in its first {HEADER_WITHIN} rows"
            ),
        });
    };
    let ctx = order_details::Context {
        sheet: Some(&details_sheet),
        zone: reports.as_ref().and_then(|(_, r)| r.zone),
        currency: reports.as_ref().and_then(|(_, r)| r.currency),
        options,
    };
    let details = order_details::read(
        &ctx,
        &table.header,
        &table.rows,
        &mut problems,
        &mut warnings,
    );

    let mut payouts = Vec::new();
    let mut rows_read = details.rows_read;
    let withdrawals_sheet = workbook.find_sheet(WITHDRAWALS);
    if let Some(sheet) = &withdrawals_sheet {
        let rows = workbook.rows(sheet, &mut problems)?;
        // The withdrawal sheet has no currency column: the Reports sheet's,
        // or the one currency of the lines.
        let currency = ctx.currency.or_else(|| single_currency(&details));
        let w = sheets::read_withdrawals(
            sheet,
            rows,
            ctx.zone.or(options.shop_zone),
            currency,
            &mut problems,
            &mut warnings,
        );
        payouts = w.payouts;
        rows_read += w.rows_read;
    }
    let read: Vec<&String> = [Some(&details_sheet), withdrawals_sheet.as_ref()]
        .into_iter()
        .chain([reports.as_ref().map(|(s, _)| s)])
        .flatten()
        .collect();
    for sheet in workbook.sheet_names() {
        if !read.contains(&&sheet) {
            warnings.push(in_sheet(
                Some(&sheet),
                "not read (its layout carries no settlement money this importer knows of)",
            ));
        }
    }

    // Σ lines = the file's declared total, when the rows themselves held.
    if let Some((
        sheet,
        Reports {
            total: Some((line, raw, total)),
            ..
        },
    )) = &reports
    {
        let sum: Decimal = details.lines.iter().map(|l| l.net()).sum();
        if problems.is_empty() && sum != *total {
            problems.push(
                Some(*line),
                Some("Total settlement amount"),
                Some(raw),
                in_sheet(
                    Some(sheet),
                    format!(
                        "expected {sum} (the sum of the {} lines of `{details_sheet}`), found {total}",
                        details.lines.len()
                    ),
                ),
            );
        }
    }
    problems.finish(file)?;
    Ok(ParsedFile {
        header: table.header.raw,
        statements: details.statements.into_values().collect(),
        lines: details.lines,
        payouts,
        orders: Vec::new(),
        rows_read,
        warnings,
    })
}

fn single_currency(details: &order_details::Details) -> Option<Currency> {
    let mut currencies = details.lines.iter().map(|l| l.currency);
    let first = currencies.next()?;
    currencies.all(|c| c == first).then_some(first)
}

fn parse_csv(file: &str, bytes: &[u8], options: Options) -> Result<ParsedFile, ParseError> {
    let mut table = Table::open(
        file,
        bytes,
        &TableFormat {
            delimiter: b',',
            quoting: true,
            detect,
            not_this_format: "not a TikTok Shop income export (no Order/adjustment ID, Type, Total settlement amount header)",
            required: &[],
            header_within: HEADER_WITHIN,
        },
    )?;
    let mut problems = Problems::default();
    let mut warnings = Vec::new();
    let mut rows: Vec<Row> = Vec::new();
    while let Some(row) = table.next_row(&mut problems) {
        rows.push(row);
    }
    let ctx = order_details::Context {
        sheet: None,
        zone: None,
        currency: None,
        options,
    };
    let details = order_details::read(&ctx, &table.header, &rows, &mut problems, &mut warnings);
    problems.finish(file)?;
    Ok(ParsedFile {
        header: table.header.raw,
        statements: details.statements.into_values().collect(),
        lines: details.lines,
        rows_read: details.rows_read,
        warnings,
        ..Default::default()
    })
}
