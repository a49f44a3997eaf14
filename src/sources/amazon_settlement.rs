//! Amazon's legacy settlement flat file (`GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE`),
//! tab-separated, 33 or 36 columns. Row 2 is the settlement summary (id,
//! period, deposit date, total); every later row carries one or more
//! amounts, named by a type column beside each amount column.
//!
//! Rows of one order event (same transaction type, order, adjustment,
//! shipment and posting time) form one settlement line. The file's own
//! arithmetic is checked: the detail amounts sum to `total-amount`. The
//! settlement is its own payout (id, `total-amount`, `deposit-date`).

use std::collections::HashMap;
use std::io::Read;

use rust_decimal::Decimal;

use super::amazon_common::{
    self, check_detail_row, parse_time, read_summary_row, settlement_payout, AmountGroup,
};
use super::amount::{parse_amount, DecimalMark};
use super::drift::{SchemaDrift, UNCLASSIFIED};
use super::problems::{ParseError, Problems};
use super::table::{Table, TableFormat};
use crate::domain::settlement::{
    Component, ComponentCode, ParsedFile, SettlementLine, SourceRow, Statement, Timestamp,
};

/// Columns every variant has (33-column files lack only the promotion ones).
const REQUIRED: [&str; 30] = [
    "settlement-id",
    "settlement-start-date",
    "settlement-end-date",
    "deposit-date",
    "total-amount",
    "currency",
    "transaction-type",
    "order-id",
    "merchant-order-id",
    "adjustment-id",
    "shipment-id",
    "marketplace-name",
    "shipment-fee-type",
    "shipment-fee-amount",
    "order-fee-type",
    "order-fee-amount",
    "fulfillment-id",
    "posted-date",
    "order-item-code",
    "sku",
    "quantity-purchased",
    "price-type",
    "price-amount",
    "item-related-fee-type",
    "item-related-fee-amount",
    "misc-fee-amount",
    "other-fee-amount",
    "other-fee-reason-description",
    "direct-payment-amount",
    "other-amount",
];

/// Amount columns and the column that names their type.
const TYPED_AMOUNTS: [(&str, &str); 7] = [
    ("price-type", "price-amount"),
    ("item-related-fee-type", "item-related-fee-amount"),
    ("shipment-fee-type", "shipment-fee-amount"),
    ("order-fee-type", "order-fee-amount"),
    ("promotion-type", "promotion-amount"),
    ("direct-payment-type", "direct-payment-amount"),
    ("other-fee-reason-description", "other-fee-amount"),
];

/// Amount columns whose type is the row's transaction type.
const UNTYPED_AMOUNTS: [&str; 2] = ["misc-fee-amount", "other-amount"];

/// How to read the file (see `ParseOptions`).
pub type Options = super::ParseOptions;

/// Whether normalized headers look like this format (and not the V2 file,
/// which has `amount-type` instead of typed amount columns).
pub fn detect(headers: &[String]) -> bool {
    let has = |h: &str| headers.iter().any(|x| x == h);
    has("settlement-id") && has("price-type") && has("item-related-fee-type") && !has("amount-type")
}

/// The group each typed amount column belongs to (see `AmountGroup`).
fn group_of(type_column: &str) -> Option<AmountGroup> {
    Some(match type_column {
        "price-type" => AmountGroup::ItemPrice,
        "item-related-fee-type" => AmountGroup::ItemFees,
        "shipment-fee-type" => AmountGroup::ShipmentFees,
        "order-fee-type" => AmountGroup::OrderFees,
        "promotion-type" => AmountGroup::Promotion,
        "direct-payment-type" => AmountGroup::DirectPayment,
        "other-fee-reason-description" => AmountGroup::OtherFee,
        "misc-fee-amount" => AmountGroup::MiscFee,
        "other-amount" => AmountGroup::Other,
        _ => return None,
    })
}

/// The canonical code for an amount of `label` in `type_column` on a row of
/// `transaction_type`; None is schema drift.
fn component_code(transaction_type: &str, type_column: &str, label: &str) -> Option<&'static str> {
    amazon_common::component_code(transaction_type, group_of(type_column)?, label)
}

pub fn parse(file: &str, input: impl Read, options: Options) -> Result<ParsedFile, ParseError> {
    let mut table = Table::open(
        file,
        input,
        &TableFormat {
            delimiter: b'\t',
            quoting: false,
            detect,
            not_this_format: "not an Amazon settlement flat file (no settlement-id/price-type/item-related-fee-type header)",
            required: &REQUIRED,
            header_within: 1,
        },
    )?;
    let mut problems = Problems::default();
    let mut statement: Option<Statement> = None;
    let mut mark = DecimalMark::Point;
    let mut lines: Vec<SettlementLine> = Vec::new();
    let mut line_of: HashMap<[String; 5], usize> = HashMap::new();
    let mut drift = SchemaDrift::default();
    let mut detail_sum = Decimal::ZERO;
    let mut rows_read = 0u64;

    while let Some(record) = table.next_row(&mut problems) {
        let row = record.line;
        let cells = || record.cells.clone();
        let get = |column: &str| table.get(&record, column);

        let Some(stmt) = &statement else {
            // The summary row: the settlement's id, period, deposit and total.
            let source = SourceRow {
                sheet: None,
                row,
                cells: cells(),
            };
            let Some((summary, file_mark)) = read_summary_row(&get, source, &mut problems) else {
                return Err(problems.into_error(file));
            };
            mark = file_mark;
            statement = Some(summary);
            continue;
        };

        rows_read += 1;
        check_detail_row(&get, row, stmt, &mut problems);
        let transaction_type = get("transaction-type");
        let mut components = Vec::new();
        let amounts = TYPED_AMOUNTS
            .iter()
            .map(|(t, a)| (*a, get(t)))
            .chain(UNTYPED_AMOUNTS.iter().map(|a| (*a, transaction_type)));
        for (amount_column, label) in amounts {
            let raw = get(amount_column);
            if raw.is_empty() {
                continue;
            }
            let amount = match parse_amount(raw, mark) {
                Ok(a) => a,
                Err(e) => {
                    problems.push(Some(row), Some(amount_column), Some(raw), e.to_string());
                    continue;
                }
            };
            if amount.is_zero() {
                continue;
            }
            detail_sum += amount;
            let type_column = TYPED_AMOUNTS
                .iter()
                .find(|(_, a)| *a == amount_column)
                .map(|(t, _)| *t)
                .unwrap_or(amount_column);
            let code = match component_code(transaction_type, type_column, label) {
                Some(code) => code,
                None => {
                    drift.record(row, type_column, label, amount);
                    if !options.accept_unclassified {
                        continue;
                    }
                    UNCLASSIFIED
                }
            };
            components.push(Component {
                code: ComponentCode::new(code).expect("the mapping table holds valid codes"),
                amount,
                label: format!("{type_column}={label}"),
            });
        }

        let order_id = Some(get("order-id"))
            .filter(|s| !s.is_empty())
            .map(str::to_string);
        let adjustment_id = Some(get("adjustment-id"))
            .filter(|s| !s.is_empty())
            .map(str::to_string);
        let posted_raw = get("posted-date");
        let posted_at = if posted_raw.is_empty() {
            None
        } else {
            match parse_time(posted_raw) {
                Some(utc) => Some(Timestamp {
                    raw: posted_raw.to_string(),
                    utc,
                }),
                None => {
                    problems.push(
                        Some(row),
                        Some("posted-date"),
                        Some(posted_raw),
                        "not a date and time",
                    );
                    None
                }
            }
        };
        // Rows of one order event make one line; rows with no order or
        // adjustment (fees, charges, reserves) are each a line of their own.
        let key = if order_id.is_some() || adjustment_id.is_some() {
            [
                transaction_type.to_string(),
                order_id.clone().unwrap_or_default(),
                adjustment_id.clone().unwrap_or_default(),
                get("shipment-id").to_string(),
                posted_raw.to_string(),
            ]
        } else {
            [
                format!("row:{row}"),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
            ]
        };
        let source = SourceRow {
            sheet: None,
            row,
            cells: cells(),
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
                    statement_id: stmt.statement_id.clone(),
                    transaction_type: transaction_type.to_string(),
                    order_id,
                    adjustment_id,
                    posted_at,
                    currency: stmt.currency,
                    components,
                    rows: vec![source],
                });
            }
        }
    }

    let Some(statement) = statement else {
        return Err(ParseError::NotThisFormat {
            file: file.into(),
            message: "the file has a header but no settlement summary row".into(),
        });
    };
    if !options.accept_unclassified {
        drift.report(&mut problems, |rows, total| {
            format!(
                "unknown amount type: {rows} row(s) totalling {total} {}",
                statement.currency
            )
        });
    }
    let declared = statement.declared_total.unwrap_or_default();
    if problems.is_empty() && detail_sum != declared {
        problems.push(
            statement.source.as_ref().map(|s| s.row),
            Some("total-amount"),
            Some(&declared.to_string()),
            format!(
                "the detail rows sum to {detail_sum} {}, not the total the summary row gives",
                statement.currency
            ),
        );
    }
    problems.finish(file)?;
    lines.retain(|l| !l.components.is_empty() || l.order_id.is_some());
    Ok(ParsedFile {
        header: table.header.raw,
        payouts: vec![settlement_payout(&statement)],
        statements: vec![statement],
        lines,
        rows_read,
        ..Default::default()
    })
}
