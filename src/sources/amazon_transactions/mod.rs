//! Amazon's date range transaction report (Payments > Reports Repository >
//! Transaction, `…CustomUnifiedTransaction.csv`). CSV, every field quoted
//! (`""` inside), 1–9 preamble lines above the header (found as the row
//! whose first cell is `date/time`, or its localized name), one row per
//! transaction with its amounts in columns and `total` as the row's net.
//!
//! - One row is one settlement line of its `settlement id` statement, with
//!   a component per non-zero money column (see `columns`); a `Refund`
//!   row's sale columns take `refund.*` codes. Zero amounts are omitted,
//!   the line is kept (a zero `FBA Customer Return Fee` row is evidence).
//! - Σ components must equal `total` on every row.
//! - `Transfer` rows are Amazon paying the settlement out to the bank
//!   (negative `total`): they become `Payout`s — id `<settlement id>@<UTC
//!   time>` (a settlement may be paid in several transfers), amount
//!   `−total` (money to the seller positive) — and NOT settlement lines, so
//!   a statement's lines sum to what it earned, and its payouts to what
//!   reached the bank. A statement names its payout when it has exactly one.
//! - Statements carry no declared total: the report gives none, and a date
//!   range may cut a settlement in two.
//! - Currency: the preamble's `All amounts in USD, unless specified`, or
//!   else the rows' marketplace (`amazon.com` → USD …); a row of a
//!   marketplace that pays in another currency is refused.
//! - Decimal mark, once per file: a comma in localized (FR/DE/ES/IT) files,
//!   otherwise by currency (`amazon_common::decimal_mark`). Thousands
//!   separators (`"-1,052.64"`) are read.
//! - Times carry their zone (`PST`/`PDT`, `UTC`, `GMT`, `BST`, `MEZ` …);
//!   without one the shop's zone is used, and without that it is a problem.

mod columns;
mod currency;
mod dates;

use std::collections::BTreeMap;
use std::io::Read;

use rust_decimal::Decimal;

use super::amazon_common::{decimal_mark, is_refund};
use super::amount::{parse_amount, DecimalMark};
use super::drift::{SchemaDrift, UNCLASSIFIED};
use super::problems::{ParseError, Problems};
use super::table::{Header, Row, Table, TableFormat};
use crate::domain::payout::Payout;
use crate::domain::settlement::{
    Channel, Component, ComponentCode, ParsedFile, SettlementLine, SourceRow, Statement,
};

use currency::{marketplace_currency, preamble, preamble_currency};

use columns::{Column, DATE_TIME, DESCRIPTION, MARKETPLACE, ORDER_ID, SETTLEMENT_ID, TOTAL, TYPE};

/// How to read the file (see `ParseOptions`).
pub type Options = super::ParseOptions;

/// The most lines above the header (the real files have 1–9).
const HEADER_WITHIN: usize = 12;

/// Columns every variant has.
const REQUIRED: [&str; 5] = [DATE_TIME, SETTLEMENT_ID, TYPE, ORDER_ID, TOTAL];

/// Whether normalized headers are this report's: `date/time` (or its
/// localized name) first, with settlement id, type and total.
pub fn detect(headers: &[String]) -> bool {
    let english: Vec<&str> = headers.iter().filter_map(|h| columns::english(h)).collect();
    headers.first().and_then(|h| columns::english(h)) == Some(DATE_TIME)
        && [SETTLEMENT_ID, TYPE, TOTAL]
            .iter()
            .all(|c| english.contains(c))
}

/// Where each known column is, which money columns the header has, and the
/// unknown columns inside the money block (between the first money column
/// and `total`): those carry money the parser has no code for.
struct Layout {
    at: BTreeMap<&'static str, usize>,
    money: Vec<(usize, &'static Column)>,
    unknown_money: Vec<usize>,
    localized: bool,
}

impl Layout {
    fn of(header: &Header, problems: &mut Problems) -> Layout {
        let mut at = BTreeMap::new();
        let mut money = Vec::new();
        let mut unknown = Vec::new();
        for (i, name) in header.names.iter().enumerate() {
            match columns::column(name) {
                Some(c) => {
                    at.entry(c.name).or_insert(i);
                    if c.codes.is_some()
                        && !money
                            .iter()
                            .any(|(_, m): &(usize, &Column)| m.name == c.name)
                    {
                        money.push((i, c));
                    }
                }
                None if name.is_empty() => {}
                None => unknown.push(i),
            }
        }
        for column in REQUIRED {
            if !at.contains_key(column) {
                problems.push(
                    Some(header.line),
                    Some(column),
                    None,
                    "required column is missing",
                );
            }
        }
        let first_money = money.iter().map(|(i, _)| *i).min().unwrap_or(usize::MAX);
        let total = at.get(TOTAL).copied().unwrap_or(0);
        let unknown_money = unknown
            .into_iter()
            .filter(|i| *i > first_money && *i < total)
            .collect();
        let localized = header
            .names
            .first()
            .is_some_and(|h| columns::LOCALIZED_DATE_TIME.contains(&h.as_str()));
        Layout {
            at,
            money,
            unknown_money,
            localized,
        }
    }

    fn get<'r>(&self, row: &'r Row, column: &str) -> &'r str {
        self.at
            .get(column)
            .and_then(|&i| row.cells.get(i))
            .map(|s| s.trim())
            .unwrap_or("")
    }
}

pub fn parse(file: &str, mut input: impl Read, options: Options) -> Result<ParsedFile, ParseError> {
    let mut bytes = Vec::new();
    if let Err(e) = input.read_to_end(&mut bytes) {
        return Err(ParseError::NotThisFormat {
            file: file.into(),
            message: format!("unreadable: {e}"),
        });
    }
    let preamble = preamble(&bytes);
    let mut table = Table::open(
        file,
        bytes.as_slice(),
        &TableFormat {
            delimiter: b',',
            quoting: true,
            detect,
            not_this_format: "not an Amazon date range transaction report (no date/time, settlement id, type, total header in the first lines)",
            required: &[],
            header_within: HEADER_WITHIN,
        },
    )?;
    let mut problems = Problems::default();
    let layout = Layout::of(&table.header, &mut problems);
    problems.finish(file)?;
    let mut problems = Problems::default();
    let mut rows = Vec::new();
    while let Some(row) = table.next_row(&mut problems) {
        rows.push(row);
    }

    let currency = match preamble_currency(&preamble) {
        Ok(Some(c)) => Some(c),
        Ok(None) => rows
            .iter()
            .find_map(|r| marketplace_currency(layout.get(r, MARKETPLACE)))
            .and_then(|code| code.parse().ok()),
        Err(message) => {
            problems.push(None, None, None, message);
            None
        }
    };
    let Some(currency) = currency else {
        problems.push(
            None,
            Some(MARKETPLACE),
            None,
            "cannot tell the currency: the lines above the header name none (`All amounts in USD`) and no row names a known marketplace",
        );
        return Err(problems.into_error(file));
    };
    let mark = if layout.localized {
        DecimalMark::Comma
    } else {
        decimal_mark(currency)
    };

    let mut statements: BTreeMap<String, Statement> = BTreeMap::new();
    let mut lines = Vec::new();
    let mut payouts: Vec<(String, Payout)> = Vec::new();
    let mut drift = SchemaDrift::default();
    for record in &rows {
        let row = record.line;
        let get = |column: &str| layout.get(record, column);
        let settlement = get(SETTLEMENT_ID);
        if settlement.is_empty() {
            problems.push(
                Some(row),
                Some(SETTLEMENT_ID),
                None,
                "the row has no settlement id",
            );
            continue;
        }
        let marketplace = get(MARKETPLACE);
        if let Some(code) = marketplace_currency(marketplace) {
            if code != currency.code() {
                problems.push(
                    Some(row),
                    Some(MARKETPLACE),
                    Some(marketplace),
                    format!(
                        "this marketplace pays in {code}, but the file's amounts are in {currency}"
                    ),
                );
                continue;
            }
        }
        let posted = match dates::parse_date_time(get(DATE_TIME), options.shop_zone) {
            Ok(t) => Some(t),
            Err(message) => {
                problems.push(Some(row), Some(DATE_TIME), Some(get(DATE_TIME)), message);
                None
            }
        };
        let kind = get(TYPE);
        let refund = is_refund(kind);
        let mut components = Vec::new();
        let mut sum = Decimal::ZERO;
        let mut readable = true;
        let raw_name = |i: usize| {
            table
                .header
                .raw
                .get(i)
                .map(|s| s.trim().to_string())
                .unwrap_or_default()
        };
        let amount_at = |i: usize, problems: &mut Problems| {
            let raw = record.cells.get(i).map(|s| s.trim()).unwrap_or("");
            match parse_amount(raw, mark) {
                Ok(a) => Some(a),
                Err(e) => {
                    let name = table.header.names.get(i).cloned().unwrap_or_default();
                    problems.push(Some(row), Some(&name), Some(raw), e.to_string());
                    None
                }
            }
        };
        for (i, column) in &layout.money {
            let Some(amount) = amount_at(*i, &mut problems) else {
                readable = false;
                continue;
            };
            if amount.is_zero() {
                continue;
            }
            sum += amount;
            let (sale, refund_code) = column.codes.expect("money columns have codes");
            components.push(Component {
                code: ComponentCode::new(if refund { refund_code } else { sale })
                    .expect("the column table holds valid codes"),
                amount,
                label: raw_name(*i),
            });
        }
        for &i in &layout.unknown_money {
            let Some(amount) = amount_at(i, &mut problems) else {
                readable = false;
                continue;
            };
            if amount.is_zero() {
                continue;
            }
            sum += amount;
            drift.record(row, "header", &raw_name(i), amount);
            if options.accept_unclassified {
                components.push(Component {
                    code: ComponentCode::new(UNCLASSIFIED).expect("a valid code"),
                    amount,
                    label: raw_name(i),
                });
            }
        }
        let Some(total) = layout
            .at
            .get(TOTAL)
            .and_then(|&i| amount_at(i, &mut problems))
        else {
            continue;
        };
        if readable && sum != total {
            problems.push(
                Some(row),
                Some(TOTAL),
                Some(get(TOTAL)),
                format!("the row's amounts sum to {sum} {currency}, not its total"),
            );
            continue;
        }
        let Some(posted) = posted else { continue };
        let source = SourceRow {
            sheet: None,
            row,
            cells: record.cells.clone(),
        };
        statements
            .entry(settlement.to_string())
            .or_insert_with(|| Statement {
                channel: Channel::Amazon,
                statement_id: settlement.to_string(),
                payout_id: None,
                currency,
                declared_total: None,
                period_start: None,
                period_end: None,
                deposit_date: None,
                source: None,
            });
        if columns::is_transfer(kind) {
            let description = get(DESCRIPTION);
            payouts.push((
                settlement.to_string(),
                Payout {
                    channel: Channel::Amazon,
                    payout_id: format!("{settlement}@{}", posted.utc.format("%Y-%m-%dT%H:%M:%SZ")),
                    currency,
                    amount: -total,
                    paid_at: Some(posted),
                    status: None,
                    bank_amount: None,
                    exchange_rate: None,
                    bank_account: Some(description.to_string()).filter(|d| !d.is_empty()),
                    source: Some(source),
                },
            ));
            continue;
        }
        lines.push(SettlementLine {
            ordered_at: None,
            statement_id: settlement.to_string(),
            transaction_type: kind.to_string(),
            order_id: Some(get(ORDER_ID))
                .filter(|s| !s.is_empty())
                .map(str::to_string),
            adjustment_id: None,
            posted_at: Some(posted),
            currency,
            components,
            rows: vec![source],
        });
    }
    if !options.accept_unclassified {
        drift.report(&mut problems, |rows, total| {
            format!("unknown money column: {rows} row(s) totalling {total} {currency}")
        });
    }
    problems.finish(file)?;

    // A statement names its payout when exactly one transfer pays it.
    for statement in statements.values_mut() {
        let mut paying = payouts
            .iter()
            .filter(|(s, _)| *s == statement.statement_id)
            .map(|(_, p)| p);
        if let (Some(only), None) = (paying.next(), paying.next()) {
            statement.payout_id = Some(only.payout_id.clone());
            statement.deposit_date = only.paid_at.clone();
        }
    }
    Ok(ParsedFile {
        header: table.header.raw,
        statements: statements.into_values().collect(),
        lines,
        payouts: payouts.into_iter().map(|(_, p)| p).collect(),
        rows_read: rows.len() as u64,
        ..Default::default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sources::header::normalize_header;

    fn names(raw: &[&str]) -> Vec<String> {
        raw.iter().map(|h| normalize_header(h)).collect()
    }

    #[test]
    fn detects_every_known_header_and_nothing_else() {
        assert!(detect(&names(&[
            "date/time",
            "settlement id",
            "type",
            "order id",
            "total"
        ])));
        assert!(detect(&names(&[
            "date/heure",
            "numéro de versement",
            "type",
            "numéro de la commande",
            "total"
        ])));
        assert!(detect(&names(&[
            "Datum/Uhrzeit",
            "Abrechnungsnummer",
            "Typ",
            "Bestellnummer",
            "Gesamt"
        ])));
        assert!(detect(&names(&[
            "fecha y hora",
            "identificador de pago",
            "tipo",
            "número de pedido",
            "total"
        ])));
        assert!(
            !detect(&names(&["settlement id", "date/time", "type", "total"])),
            "date/time first"
        );
        assert!(!detect(&names(&["Includes Amazon Marketplace, Fulfillment by Amazon (FBA), and Amazon Webstore transactions"])));
        assert!(!detect(&names(&[
            "Transaction Date",
            "Type",
            "Order",
            "Payout Date",
            "Amount",
            "Fee",
            "Net"
        ])));
    }
}
