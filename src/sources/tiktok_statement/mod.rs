//! TikTok Shop US P&L statement workbook
//! (`merchant_statement_profit_loss_*.xlsx`).
//!
//! Sheets:
//! - `Orders`: banner rows, then the header (the 6th row in the files
//!   described; found here by its signature), then one row per SKU line.
//!   Rows are grouped by (`Order ID`, `linked statement id`) into one
//!   settlement line whose components are the SKU rows' money columns
//!   summed (see `orders`).
//! - `Adjustment`: banner rows, the header (4th row; TikTok spells one
//!   column `llinked payout id`), one line per row (see `adjustments`).
//! - `Order payment info`: its layout is not known; not read (a warning
//!   says so).
//!
//! Statements are the `linked statement id`s, each paid by its `linked
//! payout id` (order → statement → payout). The file gives no statement or
//! payout totals, so none are declared and no payouts are produced.
//!
//! Dates are integers, `20260421` (YYYYMMDD), often typed as numbers.
//! They are days in the shop's zone, which the file does not state in any
//! column known: a zone in a header or a banner row (`Time zone | UTC-7`)
//! is used, else the shop's configured zone, else the import stops.
//! Amounts are USD (a US-shop export) unless a `Currency` column or banner
//! row says otherwise.

mod adjustments;
mod orders;

use std::collections::BTreeMap;

use super::problems::{ParseError, Problems};
use super::table::{Header, Row};
use super::tiktok_finance::{base_name, in_sheet, is_zone_label, label_value};
use super::time::{zone_in_header, Zone};
use super::workbook::{column_letters, SheetTable, Workbook};
use crate::domain::money::Currency;
use crate::domain::settlement::{Channel, ParsedFile, Statement};

/// How to read the file (see `ParseOptions`).
pub type Options = super::ParseOptions;

const ORDERS: &str = "Orders";
const ADJUSTMENT: &str = "Adjustment";
/// How many rows may stand above a sheet's header (5 and 3 banners seen).
const HEADER_WITHIN: usize = 12;

/// Whether normalized headers are the `Orders` table.
pub fn detect(headers: &[String]) -> bool {
    let has = |h: &str| headers.iter().any(|x| x == h);
    has("order id") && has("linked statement id") && has("order income")
}

/// Whether a workbook is the US P&L statement: an `Orders` sheet with the
/// table's header below its banner rows.
pub fn detect_workbook(workbook: &mut Workbook<'_>) -> bool {
    let Some(sheet) = workbook.find_sheet(ORDERS) else {
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

/// What the banner rows above a header say.
#[derive(Default, Clone, Copy)]
pub(super) struct Banner {
    zone: Option<Zone>,
    currency: Option<Currency>,
}

impl Banner {
    fn read(sheet: &str, rows: &[Row], problems: &mut Problems) -> Banner {
        let mut banner = Banner::default();
        for row in rows {
            // `Statement period: 2026/04/15 - 2026/04/21 (UTC-7)`.
            if banner.zone.is_none() {
                banner.zone = row.cells.iter().find_map(|c| zone_in_header(c.trim()));
            }
            let Some((label, value)) = label_value(row) else {
                continue;
            };
            if is_zone_label(&label) && banner.zone.is_none() {
                match value.parse::<Zone>() {
                    Ok(z) => banner.zone = Some(z),
                    Err(e) => problems.push(
                        Some(row.line),
                        None,
                        Some(&value),
                        in_sheet(Some(sheet), e.to_string()),
                    ),
                }
            } else if label == "currency" && banner.currency.is_none() {
                match value.parse::<Currency>() {
                    Ok(c) => banner.currency = Some(c),
                    Err(e) => problems.push(
                        Some(row.line),
                        None,
                        Some(&value),
                        in_sheet(Some(sheet), e.to_string()),
                    ),
                }
            }
        }
        banner
    }

    fn or(self, other: Banner) -> Banner {
        Banner {
            zone: self.zone.or(other.zone),
            currency: self.currency.or(other.currency),
        }
    }
}

/// A sheet's header and data rows, and what its banner says.
fn table(
    workbook: &mut Workbook<'_>,
    sheet: &str,
    detect: fn(&[String]) -> bool,
    problems: &mut Problems,
) -> Result<Option<(SheetTable, Banner)>, ParseError> {
    let rows = workbook.rows(sheet, problems)?;
    let at = rows
        .iter()
        .take(HEADER_WITHIN)
        .position(|r| detect(&Header::new(r.cells.clone(), r.line).names));
    let banner = Banner::read(sheet, &rows[..at.unwrap_or(0)], problems);
    Ok(SheetTable::from_rows(sheet, rows, HEADER_WITHIN, detect).map(|t| (t, banner)))
}

/// The statements lines name, each with the payout that pays it.
#[derive(Default)]
pub(super) struct Statements {
    map: BTreeMap<String, Statement>,
}

impl Statements {
    /// Registers that a row of `sheet` belongs to `statement_id`, paid by
    /// `payout_id`; one statement paid by two payouts is a problem.
    #[allow(clippy::too_many_arguments)]
    fn note(
        &mut self,
        sheet: &str,
        row: u64,
        payout_column: &str,
        statement_id: &str,
        payout_id: Option<&str>,
        currency: Currency,
        problems: &mut Problems,
    ) -> bool {
        let statement = self
            .map
            .entry(statement_id.to_string())
            .or_insert_with(|| Statement {
                channel: Channel::TikTok,
                statement_id: statement_id.to_string(),
                payout_id: None,
                currency,
                declared_total: None,
                period_start: None,
                period_end: None,
                deposit_date: None,
                source: None,
            });
        if statement.currency != currency {
            problems.push(
                Some(row),
                Some("Currency"),
                Some(currency.code()),
                in_sheet(
                    Some(sheet),
                    format!("statement {statement_id} mixes currencies"),
                ),
            );
            return false;
        }
        match (&statement.payout_id, payout_id) {
            (_, None) => {}
            (None, Some(p)) => statement.payout_id = Some(p.to_string()),
            (Some(known), Some(p)) if known == p => {}
            (Some(known), Some(p)) => {
                problems.push(
                    Some(row),
                    Some(payout_column),
                    Some(p),
                    in_sheet(
                        Some(sheet),
                        format!("statement {statement_id} is paid by payout {known} on other rows"),
                    ),
                );
                return false;
            }
        }
        true
    }
}

/// What the rows of both sheets share: the zone, the currency, the options.
pub(super) struct Context<'a> {
    sheet: &'a str,
    zone: Option<Zone>,
    currency: Currency,
    options: Options,
}

impl Context<'_> {
    /// The zone for a date column: its header's, else the workbook's or
    /// the shop's.
    fn zone_for(&self, header: &str) -> Option<Zone> {
        zone_in_header(header.trim()).or(self.zone)
    }
}

pub fn parse(file: &str, bytes: &[u8], options: Options) -> Result<ParsedFile, ParseError> {
    let mut workbook = Workbook::open(file, bytes)?;
    let not_this = || {
        ParseError::NotThisFormat {
        file: file.into(),
        message: format!(
            "not a TikTok Shop P&L statement workbook (no `{ORDERS}` sheet with Order ID, linked statement id, Order Income)"
        ),
    }
    };
    let orders_sheet = workbook.find_sheet(ORDERS).ok_or_else(not_this)?;
    let mut problems = Problems::default();
    let mut warnings = Vec::new();
    let (orders_table, orders_banner) =
        table(&mut workbook, &orders_sheet, detect, &mut problems)?.ok_or_else(not_this)?;
    let adjustment_sheet = workbook.find_sheet(ADJUSTMENT);
    let adjustment_table = match &adjustment_sheet {
        Some(sheet) => table(&mut workbook, sheet, adjustments::detect, &mut problems)?,
        None => None,
    };
    let banner = orders_banner.or(adjustment_table
        .as_ref()
        .map(|(_, b)| *b)
        .unwrap_or_default());
    let zone = banner.zone.or(options.shop_zone);
    // The P&L statement is the US seller's workbook: without a banner or a
    // configured shop saying otherwise, its money is dollars.
    let currency = banner
        .currency
        .or(options.shop_currency)
        .unwrap_or_else(|| "USD".parse().expect("USD is a currency"));

    let mut statements = Statements::default();
    let ctx = Context {
        sheet: &orders_sheet,
        zone,
        currency,
        options,
    };
    let mut orders = orders::read(
        &ctx,
        &orders_table,
        &mut statements,
        &mut problems,
        &mut warnings,
    );
    let mut lines = std::mem::take(&mut orders.lines);
    let mut rows_read = orders.rows_read;
    match (&adjustment_sheet, adjustment_table) {
        (Some(sheet), Some((table, _))) => {
            let ctx = Context { sheet, ..ctx };
            let a = adjustments::read(&ctx, &table, &mut statements, &mut problems, &mut warnings);
            rows_read += a.rows_read;
            lines.extend(a.lines);
        }
        (Some(sheet), None) => {
            // An empty Adjustment sheet is fine; rows without a header are not.
            let rows = workbook.rows(sheet, &mut problems)?;
            if rows.len() > 3 {
                problems.push(
                    rows.first().map(|r| r.line),
                    None,
                    None,
                    in_sheet(
                        Some(sheet),
                        "no Adjustment ID, Adjustment amount header in its first rows",
                    ),
                );
            }
        }
        (None, _) => {}
    }
    for sheet in workbook.sheet_names() {
        if sheet != orders_sheet && Some(&sheet) != adjustment_sheet.as_ref() {
            warnings.push(in_sheet(
                Some(&sheet),
                "not read (its layout is not known to this importer)",
            ));
        }
    }
    problems.finish(file)?;
    Ok(ParsedFile {
        header: orders_table.header.raw,
        statements: statements.map.into_values().collect(),
        lines,
        payouts: Vec::new(),
        orders: Vec::new(),
        rows_read,
        warnings,
    })
}

/// The trimmed header of column `i` as written (its letter when it has no
/// header), or `fallback` when there is no such column.
fn column_name(header: &Header, i: Option<usize>, fallback: &str) -> String {
    match i.map(|i| (i, header.raw.get(i).map(|s| s.trim()).unwrap_or(""))) {
        Some((i, "")) => format!("column {}", column_letters(i as u32)),
        Some((_, name)) => name.to_string(),
        None => fallback.to_string(),
    }
}

/// The first of `aliases` the header has.
fn position(header: &Header, aliases: &[&str]) -> Option<usize> {
    header
        .raw
        .iter()
        .position(|h| aliases.contains(&base_name(h).as_str()))
}
