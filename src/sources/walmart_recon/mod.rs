//! Walmart Marketplace's reconciliation report, API "recon report" v1
//! (`/v3/report/reconreport/reconFile?reportVersion=v1`): CSV, or TAB
//! separated (the delimiter is taken from the header line, per file).
//! 32 columns, 29 in older files (no `Base Commission Rate`, `Fulfillment
//! Details`, `Original Commission`); columns are found by name.
//!
//! - The `PaymentSummary` row gives the period and `Total Payable`, the
//!   deposit: the statement (id `<period start>..<period end>` as ISO
//!   dates, e.g. `2026-06-07..2026-06-20`: Walmart pays once per period and
//!   the dates are on every download of it; `Transaction Key` when the row
//!   has no period) with its declared total, and the payout (same id,
//!   `Total Payable`, paid on the row's posted date, status its
//!   `Transaction Description`).
//! - Every other row is one amount of one PO line (`Amount`, named by
//!   `Amount Type`). Rows pivot into settlement lines by (`Transaction
//!   Type`, `Purchase Order #`, `Purchase Order line #`, `Transaction
//!   Posted Timestamp`, `Transaction Key`); rows with no PO are account-level
//!   lines of their own. A line's order is the PO number, its adjustment id
//!   the transaction key.
//! - Σ `Amount` must equal `Total Payable`. An unknown `Amount Type` (or
//!   transaction type) is schema drift.
//! - `Product tax` and `Product tax withheld` (Walmart collects and remits
//!   the tax) are a `tax.collected`/`tax.withheld_by_marketplace` pair that
//!   nets to zero. `Total Walmart Funded Savings` is `sale.platform_discount`:
//!   a real amount Walmart adds to the payout (it counts in Σ Amount =
//!   Total Payable), not a memo.
//! - `Fee/Reimbursement` (and the WFS variants) holds both charges and
//!   credits: known descriptions take their fee code (`Walmart Shipping
//!   Label Service Charge` → `fee.shipping_label`, `WFS Fulfillment fee` →
//!   `fee.fulfillment` …); otherwise the transaction type decides
//!   (`Service Fee` → `fee.service`, `Campaigns` → `fee.advertising`,
//!   `Adjustment`/`Dispute Settlement`/`Sale`/`Refund` →
//!   `adjustment.reimbursement`, the sign saying which way).
//! - Unknown extra columns are kept in the raw rows; one that carries money
//!   (a non-zero amount where the name says money, or a two-decimal
//!   amount) is drift. Accepted, it is a warning, not booked: the file's
//!   cash is all in `Amount`, as Σ Amount = Total Payable proves.
//! - Dates are `MM/DD/YYYY` (calendar days: midnight in the shop's zone,
//!   UTC when none is configured). Decimal point.

mod codes;
mod columns;

use std::collections::{BTreeMap, HashMap};
use std::io::Read;

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::amount::{parse_amount, DecimalMark};
use super::drift::{SchemaDrift, UNCLASSIFIED};
use super::problems::{ParseError, Problems};
use super::table::{Row, Table, TableFormat};
use super::time::Zone;
use codes::{amount_code, Unknown};
use columns::*;

use crate::domain::money::Currency;
use crate::domain::payout::Payout;
use crate::domain::settlement::{
    Channel, Component, ComponentCode, ParsedFile, SettlementLine, SourceRow, Statement, Timestamp,
};

/// How to read the file (see `ParseOptions`).
pub type Options = super::ParseOptions;

/// Whether normalized headers look like this report.
pub fn detect(headers: &[String]) -> bool {
    [TYPE, AMOUNT_TYPE, AMOUNT, TOTAL_PAYABLE, POSTED]
        .iter()
        .all(|h| headers.iter().any(|x| x == h))
}

/// TAB when the header line has more tabs than commas, else comma.
fn delimiter(bytes: &[u8]) -> u8 {
    let first = bytes.split(|b| *b == b'\n').next().unwrap_or(&[]);
    let tabs = first.iter().filter(|b| **b == b'\t').count();
    let commas = first.iter().filter(|b| **b == b',').count();
    if tabs > commas {
        b'\t'
    } else {
        b','
    }
}

/// `MM/DD/YYYY` (also `M/D/YYYY`) or `YYYY-MM-DD`; a two-digit year (a file
/// re-saved by a spreadsheet) is refused rather than read as year 26.
fn parse_day(raw: &str) -> Option<NaiveDate> {
    let s = raw.trim();
    if let Some((_, year)) = s.rsplit_once('/') {
        if year.len() != 4 {
            return None;
        }
        return NaiveDate::parse_from_str(s, "%m/%d/%Y").ok();
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()
}

/// An id a spreadsheet turned into a float (`1.19111E+14`): digits are lost.
fn mangled_id(raw: &str) -> bool {
    let s = raw.to_ascii_lowercase();
    s.contains("e+") || (s.contains('.') && s.chars().all(|c| c.is_ascii_digit() || c == '.'))
}

pub fn parse(file: &str, mut input: impl Read, options: Options) -> Result<ParsedFile, ParseError> {
    let mut bytes = Vec::new();
    if let Err(e) = input.read_to_end(&mut bytes) {
        return Err(ParseError::NotThisFormat {
            file: file.into(),
            message: format!("unreadable: {e}"),
        });
    }
    let delimiter = delimiter(&bytes);
    let mut table = Table::open(
        file,
        bytes.as_slice(),
        &TableFormat {
            delimiter,
            quoting: delimiter == b',',
            detect,
            not_this_format: "not a Walmart reconciliation report (no Transaction Type/Amount Type/Amount/Total Payable/Transaction Posted Timestamp header)",
            required: &REQUIRED,
            header_within: 1,
        },
    )?;
    let mut problems = Problems::default();
    let mut rows: Vec<Row> = Vec::new();
    while let Some(row) = table.next_row(&mut problems) {
        rows.push(row);
    }
    let header = &table.header;
    let get = |row: &Row, column: &str| header.get(row, column).to_string();
    let unknown_columns: Vec<(usize, String)> = header
        .names
        .iter()
        .enumerate()
        .filter(|(_, n)| !n.is_empty() && !KNOWN.contains(&n.as_str()))
        .map(|(i, _)| {
            (
                i,
                header
                    .raw
                    .get(i)
                    .map(|r| r.trim().to_string())
                    .unwrap_or_default(),
            )
        })
        .collect();
    let zone = options.shop_zone.unwrap_or(Zone::UTC);
    let day = |row: &Row, column: &str, problems: &mut Problems| -> Option<Timestamp> {
        let raw = header.get(row, column);
        if raw.is_empty() {
            return None;
        }
        match parse_day(raw).and_then(|d| zone.start_of_day(d)) {
            Some(utc) => Some(Timestamp {
                raw: raw.to_string(),
                utc,
            }),
            None => {
                problems.push(
                    Some(row.line),
                    Some(column),
                    Some(raw),
                    "not a date (expected MM/DD/YYYY)",
                );
                None
            }
        }
    };

    // The PaymentSummary row: statement and payout.
    let summaries: Vec<&Row> = rows
        .iter()
        .filter(|r| header.get(r, TYPE).eq_ignore_ascii_case("PaymentSummary"))
        .collect();
    let summary = match summaries.as_slice() {
        [one] => *one,
        [] => {
            problems.push(
                None,
                Some(TYPE),
                None,
                "the report has no PaymentSummary row (the deposit and its Total Payable)",
            );
            return Err(problems.into_error(file));
        }
        [_, second, ..] => {
            problems.push(
                Some(second.line),
                Some(TYPE),
                Some("PaymentSummary"),
                "a second PaymentSummary row: one report is one payment",
            );
            return Err(problems.into_error(file));
        }
    };
    let currency: Currency = match header.get(summary, CURRENCY).parse() {
        Ok(c) => c,
        Err(e) => {
            problems.push(
                Some(summary.line),
                Some(CURRENCY),
                Some(header.get(summary, CURRENCY)),
                e.to_string(),
            );
            return Err(problems.into_error(file));
        }
    };
    let total_payable = match parse_amount(header.get(summary, TOTAL_PAYABLE), DecimalMark::Point) {
        Ok(t) => t,
        Err(e) => {
            problems.push(
                Some(summary.line),
                Some(TOTAL_PAYABLE),
                Some(header.get(summary, TOTAL_PAYABLE)),
                e.to_string(),
            );
            Decimal::ZERO
        }
    };
    let period_start = day(summary, PERIOD_START, &mut problems);
    let period_end = day(summary, PERIOD_END, &mut problems);
    let paid_at = day(summary, POSTED, &mut problems);
    let statement_id = match (&period_start, &period_end) {
        (Some(s), Some(e)) => format!(
            "{}..{}",
            parse_day(&s.raw).map(|d| d.to_string()).unwrap_or_default(),
            parse_day(&e.raw).map(|d| d.to_string()).unwrap_or_default()
        ),
        _ if !header.get(summary, KEY).is_empty() => header.get(summary, KEY).to_string(),
        _ => {
            problems.push(
                Some(summary.line),
                Some(PERIOD_START),
                None,
                "the PaymentSummary row has neither a period nor a Transaction Key to name the payment by",
            );
            String::new()
        }
    };
    let summary_source = SourceRow {
        sheet: None,
        row: summary.line,
        cells: summary.cells.clone(),
    };

    let mut lines: Vec<SettlementLine> = Vec::new();
    let mut line_of: HashMap<[String; 5], usize> = HashMap::new();
    let mut drift = SchemaDrift::default();
    let mut column_drift = SchemaDrift::default();
    let mut memo: BTreeMap<String, (u64, Decimal)> = BTreeMap::new();
    let mut detail_sum = Decimal::ZERO;
    let mut rows_read = 0u64;
    for record in rows.iter().filter(|r| !std::ptr::eq(*r, summary)) {
        let row = record.line;
        rows_read += 1;
        let transaction_type = get(record, TYPE);
        if transaction_type.is_empty() {
            problems.push(
                Some(row),
                Some(TYPE),
                None,
                "the row has no Transaction Type",
            );
            continue;
        }
        let row_currency = get(record, CURRENCY);
        if !row_currency.is_empty() && row_currency != currency.code() {
            problems.push(
                Some(row),
                Some(CURRENCY),
                Some(&row_currency),
                "differs from the PaymentSummary row's currency",
            );
        }
        for (column, raw) in [
            (PO, get(record, PO)),
            ("customer order #", get(record, "customer order #")),
        ] {
            if mangled_id(&raw) {
                problems.push(
                    Some(row),
                    Some(column),
                    Some(&raw),
                    "the order number was turned into a floating-point number (digits are lost): use the report as Walmart delivered it",
                );
            }
        }
        for (i, name) in &unknown_columns {
            let raw = record.cells.get(*i).map(|s| s.trim()).unwrap_or("");
            let Ok(value) = parse_amount(raw, DecimalMark::Point) else {
                continue;
            };
            let lower = name.to_lowercase();
            let two_decimals = raw.rsplit_once('.').is_some_and(|(_, f)| f.len() == 2);
            if !value.is_zero() && (two_decimals || MONEY_WORDS.iter().any(|w| lower.contains(w))) {
                column_drift.record(row, "header", name, value);
                let seen = memo.entry(name.clone()).or_insert((0, Decimal::ZERO));
                seen.0 += 1;
                seen.1 += value;
            }
        }
        let amount_type = get(record, AMOUNT_TYPE);
        let description = get(record, DESCRIPTION);
        let mut components = Vec::new();
        match parse_amount(header.get(record, AMOUNT), DecimalMark::Point) {
            Err(e) => problems.push(
                Some(row),
                Some(AMOUNT),
                Some(header.get(record, AMOUNT)),
                e.to_string(),
            ),
            Ok(amount) if amount.is_zero() => {}
            Ok(amount) => {
                detail_sum += amount;
                let code = match amount_code(&transaction_type, &amount_type, &description) {
                    Ok(code) => Some(code),
                    Err(unknown) => {
                        let (column, label) = match unknown {
                            Unknown::AmountType => ("Amount Type", amount_type.as_str()),
                            Unknown::TransactionType => {
                                ("Transaction Type", transaction_type.as_str())
                            }
                        };
                        drift.record(row, column, label, amount);
                        options.accept_unclassified.then_some(UNCLASSIFIED)
                    }
                };
                if let Some(code) = code {
                    components.push(Component {
                        code: ComponentCode::new(code)
                            .expect("the mapping table holds valid codes"),
                        amount,
                        label: if description.is_empty() {
                            amount_type.clone()
                        } else {
                            format!("{amount_type} ({description})")
                        },
                    });
                }
            }
        }
        let posted = day(record, POSTED, &mut problems);
        if posted.is_none() && get(record, POSTED).is_empty() {
            problems.push(Some(row), Some(POSTED), None, "the row has no posted date");
        }
        let po = get(record, PO);
        let txn_key = get(record, KEY);
        let key = if po.is_empty() {
            [
                format!("row:{row}"),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
            ]
        } else {
            [
                transaction_type.clone(),
                po.clone(),
                get(record, PO_LINE),
                get(record, POSTED),
                txn_key.clone(),
            ]
        };
        let source = SourceRow {
            sheet: None,
            row,
            cells: record.cells.clone(),
        };
        match line_of.get(&key) {
            Some(&i) => {
                lines[i].components.extend(components);
                lines[i].rows.push(source);
            }
            None => {
                line_of.insert(key, lines.len());
                lines.push(SettlementLine {
                    ordered_at: None,
                    statement_id: statement_id.clone(),
                    transaction_type,
                    order_id: Some(po).filter(|s| !s.is_empty()),
                    adjustment_id: Some(txn_key).filter(|s| !s.is_empty()),
                    posted_at: posted,
                    currency,
                    components,
                    rows: vec![source],
                });
            }
        }
    }

    if !options.accept_unclassified {
        drift.report(&mut problems, |rows, total| {
            format!("unknown amount type: {rows} row(s) totalling {total} {currency}")
        });
        column_drift.report(&mut problems, |rows, total| {
            format!("unknown column carrying money: {rows} row(s) totalling {total} {currency}")
        });
    }
    if problems.is_empty() && detail_sum != total_payable {
        problems.push(
            Some(summary.line),
            Some(TOTAL_PAYABLE),
            Some(header.get(summary, TOTAL_PAYABLE)),
            format!(
                "the detail rows' Amount sums to {detail_sum} {currency}, not the Total Payable"
            ),
        );
    }
    problems.finish(file)?;
    let warnings = memo
        .into_iter()
        .map(|(name, (rows, total))| {
            format!(
                "column `{name}` carries amounts ({rows} row(s), totalling {total} {currency}) beside Amount: kept in the raw rows, not booked"
            )
        })
        .collect();
    let statement = Statement {
        channel: Channel::Walmart,
        statement_id: statement_id.clone(),
        payout_id: Some(statement_id.clone()),
        currency,
        declared_total: Some(total_payable),
        period_start,
        period_end,
        deposit_date: paid_at.clone(),
        source: Some(summary_source.clone()),
    };
    let payout = Payout {
        channel: Channel::Walmart,
        payout_id: statement_id,
        currency,
        amount: total_payable,
        paid_at,
        status: Some(header.get(summary, DESCRIPTION).to_string()).filter(|s| !s.is_empty()),
        bank_amount: None,
        exchange_rate: None,
        bank_account: None,
        source: Some(summary_source),
    };
    Ok(ParsedFile {
        header: table.header.raw.clone(),
        statements: vec![statement],
        lines,
        payouts: vec![payout],
        rows_read,
        warnings,
        ..Default::default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_ids() {
        assert_eq!(parse_day("4/29/2026"), NaiveDate::from_ymd_opt(2026, 4, 29));
        assert_eq!(parse_day("06/07/2026"), NaiveDate::from_ymd_opt(2026, 6, 7));
        assert_eq!(parse_day("6/7/26"), None);
        assert_eq!(parse_day("13/01/2026"), None);
        assert!(mangled_id("1.19111E+14"));
        assert!(mangled_id("108829123456789.0"));
        assert!(!mangled_id("108829123456789"));
        assert_eq!(delimiter(b"a\tb\tc\nx,y"), b'\t');
        assert_eq!(delimiter(b"a,b,\"c\td\"\n"), b',');
    }
}
