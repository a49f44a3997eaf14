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
//!
//! Both stream (`parse_into`): `Order details` rows are read one at a
//! time and each line goes to the sink as it is read, so memory stays flat
//! however long the table; a workbook's other sheets are small and read
//! whole.

mod columns;
mod order_details;
mod sheets;

use std::io::{Cursor, Read};

use sheets::Reports;

use super::problems::{ParseError, Problems};
use super::sink::RecordSink;
use super::table::{Table, TableFormat};
use super::tiktok_finance::in_sheet;
use super::workbook::{is_zip, Workbook};
use crate::domain::settlement::{FileSummary, ParsedFile};

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
/// the table's header near its top (only those first rows are read).
pub fn detect_workbook(workbook: &mut Workbook<'_>) -> bool {
    let Some(sheet) = workbook.find_sheet(ORDER_DETAILS) else {
        return false;
    };
    let Ok(mut rows) = workbook.sheet_rows(&sheet) else {
        return false;
    };
    let mut ignored = Problems::default();
    matches!(
        rows.find_header(HEADER_WITHIN, detect, &mut ignored),
        Ok(Some(_))
    )
}

/// Reads the whole file into a `ParsedFile` (see `parse_into`).
pub fn parse(file: &str, bytes: &[u8], options: Options) -> Result<ParsedFile, ParseError> {
    let mut parsed = ParsedFile::default();
    let summary = if is_zip(bytes) {
        parse_workbook_into(file, bytes, options, &mut parsed)?
    } else {
        parse_csv_into(file, bytes, options, &mut parsed)?
    };
    parsed.header = summary.header;
    parsed.rows_read = summary.rows_read;
    parsed.warnings = summary.warnings;
    Ok(parsed)
}

/// Streams the file: each `Order details` row's line goes to `sink` as it
/// is read; statements and payouts at the end, once the whole file is
/// known to be sound. A CSV is read as it arrives; a workbook (a zip is
/// read from its end) is read whole first, then its rows stream.
pub fn parse_into(
    file: &str,
    mut input: impl Read,
    options: Options,
    sink: &mut dyn RecordSink,
) -> Result<FileSummary, ParseError> {
    let cannot = |e: std::io::Error| ParseError::NotThisFormat {
        file: file.into(),
        message: format!("cannot read: {e}"),
    };
    let mut head = Vec::with_capacity(4);
    (&mut input)
        .take(4)
        .read_to_end(&mut head)
        .map_err(cannot)?;
    if is_zip(&head) {
        let mut bytes = head;
        input.read_to_end(&mut bytes).map_err(cannot)?;
        parse_workbook_into(file, &bytes, options, sink)
    } else {
        parse_csv_into(file, Cursor::new(head).chain(input), options, sink)
    }
}

fn parse_workbook_into(
    file: &str,
    bytes: &[u8],
    options: Options,
    sink: &mut dyn RecordSink,
) -> Result<FileSummary, ParseError> {
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
    let zone = reports.as_ref().and_then(|(_, r)| r.zone);
    let reports_currency = reports.as_ref().and_then(|(_, r)| r.currency);

    // The details sheet can be large: its rows stream into the reader.
    workbook.check_formulas(&details_sheet, &mut problems)?;
    let (header, details) = {
        let mut rows = workbook.sheet_rows(&details_sheet)?;
        let Some(header) = rows.find_header(HEADER_WITHIN, detect, &mut problems)? else {
            return Err(ParseError::NotThisFormat {
                file: file.into(),
                message: format!(
                    "sheet `{details_sheet}` has no Order/adjustment ID, Type, Total settlement amount header in its first {HEADER_WITHIN} rows"
                ),
            });
        };
        let ctx = order_details::Context {
            sheet: Some(&details_sheet),
            zone,
            currency: reports_currency,
            options,
        };
        let mut reader = order_details::DetailsReader::new(ctx, &header, &mut problems);
        while let Some(row) = rows.next_row(&mut problems)? {
            reader.row(row, &mut problems, &mut warnings, sink);
        }
        (header, reader.finish(&mut problems))
    };

    let mut payouts = Vec::new();
    let mut rows_read = details.rows_read;
    let withdrawals_sheet = workbook.find_sheet(WITHDRAWALS);
    if let Some(sheet) = &withdrawals_sheet {
        let rows = workbook.rows(sheet, &mut problems)?;
        // The withdrawal sheet has no currency column: the Reports sheet's,
        // or the one currency of the lines.
        let currency = reports_currency.or(details.currency);
        let w = sheets::read_withdrawals(
            sheet,
            rows,
            zone.or(options.shop_zone),
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
        if problems.is_empty() && details.total != *total {
            problems.push(
                Some(*line),
                Some("Total settlement amount"),
                Some(raw),
                in_sheet(
                    Some(sheet),
                    format!(
                        "expected {} (the sum of the {} lines of `{details_sheet}`), found {total}",
                        details.total, details.lines
                    ),
                ),
            );
        }
    }
    problems.finish(file)?;
    for statement in details.statements.into_values() {
        sink.statement(statement);
    }
    for payout in payouts {
        sink.payout(payout);
    }
    Ok(FileSummary {
        header: header.raw,
        rows_read,
        warnings,
    })
}

fn parse_csv_into(
    file: &str,
    input: impl Read,
    options: Options,
    sink: &mut dyn RecordSink,
) -> Result<FileSummary, ParseError> {
    let mut table = Table::open(
        file,
        input,
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
    let ctx = order_details::Context {
        sheet: None,
        zone: None,
        currency: None,
        options,
    };
    let mut reader = order_details::DetailsReader::new(ctx, &table.header, &mut problems);
    while let Some(row) = table.next_row(&mut problems) {
        reader.row(row, &mut problems, &mut warnings, sink);
    }
    let details = reader.finish(&mut problems);
    problems.finish(file)?;
    for statement in details.statements.into_values() {
        sink.statement(statement);
    }
    Ok(FileSummary {
        header: table.header.raw,
        rows_read: details.rows_read,
        warnings,
    })
}
