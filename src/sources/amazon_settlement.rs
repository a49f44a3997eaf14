//! Amazon's legacy settlement flat file (`GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE`),
//! tab-separated, 33 or 36 columns. Row 2 is the settlement summary (id,
//! period, deposit date, total); every later row carries one or more
//! amounts, named by a type column beside each amount column.
//!
//! Rows of one order event (same transaction type, order, adjustment,
//! shipment and posting time) form one settlement line. The file's own
//! arithmetic is checked: the detail amounts sum to `total-amount`.

use std::collections::HashMap;
use std::io::Read;

use chrono::{DateTime, NaiveDateTime, Utc};
use rust_decimal::Decimal;

use super::amount::{parse_amount, DecimalMark};
use super::drift::{SchemaDrift, UNCLASSIFIED};
use super::problems::{ParseError, Problems};
use super::table::{Table, TableFormat};
use crate::domain::money::Currency;
use crate::domain::settlement::{
    Channel, Component, ComponentCode, ParsedFile, SettlementLine, SourceRow, Statement, Timestamp,
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

/// The canonical code for an amount of `label` in `type_column` on a row of
/// `transaction_type`; None is schema drift.
fn component_code(transaction_type: &str, type_column: &str, label: &str) -> Option<&'static str> {
    let refund = transaction_type.eq_ignore_ascii_case("Refund");
    Some(match (type_column, label) {
        ("price-type", "Principal") if refund => "refund.gross",
        ("price-type", "Principal") => "sale.gross",
        ("price-type", "Shipping") if refund => "refund.shipping",
        ("price-type", "Shipping") => "sale.shipping_income",
        ("price-type", "GiftWrap") if refund => "refund.giftwrap",
        ("price-type", "GiftWrap") => "sale.giftwrap",
        ("price-type", "Tax" | "ShippingTax" | "GiftWrapTax") if refund => "refund.tax",
        ("price-type", "Tax" | "ShippingTax" | "GiftWrapTax") => "tax.collected",
        ("item-related-fee-type", "Commission") if refund => "refund.fee_reversal",
        ("item-related-fee-type", "Commission") => "fee.commission",
        ("item-related-fee-type", "RefundCommission") => "fee.refund_commission",
        ("item-related-fee-type", "DigitalServicesFee") if refund => "refund.fee_reversal",
        ("item-related-fee-type", "DigitalServicesFee") => "fee.digital_services",
        ("item-related-fee-type", "FBAPerUnitFulfillmentFee") => "fee.fulfillment",
        ("item-related-fee-type", "ShippingChargeback") => "fee.shipping_label",
        ("item-related-fee-type", "ShippingHB") => "fee.shipping_holdback",
        ("item-related-fee-type", "VariableClosingFee" | "FixedClosingFee") => "fee.closing",
        ("item-related-fee-type", "Cost of Advertising") => "fee.advertising",
        ("shipment-fee-type", "FBA transportation fee") => "fee.inbound_transportation",
        ("promotion-type", _) if refund => "refund.seller_discount",
        ("promotion-type", _) => "sale.seller_discount",
        ("other-fee-reason-description", "TaxAmount") => "tax.on_fees",
        ("misc-fee-amount", _) => "fee.misc",
        ("other-amount", "Successful charge") => "adjustment.card_charge",
        ("other-amount", "Payable to Amazon") => "adjustment.carried_balance",
        ("other-amount", "Micro Deposit") => "adjustment.micro_deposit",
        ("other-amount", "WAREHOUSE_DAMAGE") => "adjustment.reimbursement",
        ("other-amount", "REVERSAL_REIMBURSEMENT") => "adjustment.reimbursement",
        ("other-amount", "Subscription Fee") => "fee.subscription",
        ("other-amount", "Inbound Transportation Fee") => "fee.inbound_transportation",
        ("other-amount", "Storage Fee") => "fee.storage",
        ("other-amount", "Previous Reserve Amount Balance") => "reserve.release",
        ("other-amount", "Current Reserve Amount") => "reserve.hold",
        _ => return None,
    })
}

/// Times are ISO 8601 with an offset in real files; older ones write
/// `2026-01-05 12:34:56 UTC`.
fn parse_time(raw: &str) -> Option<DateTime<Utc>> {
    let s = raw.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.with_timezone(&Utc));
    }
    let s = s.strip_suffix(" UTC")?;
    NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S")
        .ok()
        .map(|t| t.and_utc())
}

/// The decimal mark, decided once per file from its currency: legacy files
/// from euro and other decimal-comma marketplaces write `95,00`.
fn decimal_mark(currency: Currency) -> DecimalMark {
    match currency.code() {
        "EUR" | "PLN" | "SEK" | "TRY" | "BRL" => DecimalMark::Comma,
        _ => DecimalMark::Point,
    }
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
            let currency: Currency = match get("currency").parse() {
                Ok(c) => c,
                Err(e) => {
                    problems.push(
                        Some(row),
                        Some("currency"),
                        Some(get("currency")),
                        e.to_string(),
                    );
                    return Err(problems.into_error(file));
                }
            };
            mark = decimal_mark(currency);
            let total = match parse_amount(get("total-amount"), mark) {
                Ok(t) => t,
                Err(e) => {
                    problems.push(
                        Some(row),
                        Some("total-amount"),
                        Some(get("total-amount")),
                        e.to_string(),
                    );
                    Decimal::ZERO
                }
            };
            if get("settlement-id").is_empty() {
                problems.push(
                    Some(row),
                    Some("settlement-id"),
                    None,
                    "the summary row has no settlement id",
                );
            }
            let mut time = |column: &str| {
                let raw = get(column);
                if raw.is_empty() {
                    return None;
                }
                match parse_time(raw) {
                    Some(utc) => Some(Timestamp {
                        raw: raw.to_string(),
                        utc,
                    }),
                    None => {
                        problems.push(Some(row), Some(column), Some(raw), "not a date and time");
                        None
                    }
                }
            };
            statement = Some(Statement {
                channel: Channel::Amazon,
                statement_id: get("settlement-id").to_string(),
                period_start: time("settlement-start-date"),
                period_end: time("settlement-end-date"),
                deposit_date: time("deposit-date"),
                payout_id: Some(get("settlement-id").to_string()),
                currency,
                declared_total: Some(total),
                source: Some(SourceRow {
                    sheet: None,
                    row,
                    cells: cells(),
                }),
            });
            continue;
        };

        rows_read += 1;
        if !get("settlement-id").is_empty() && get("settlement-id") != stmt.statement_id {
            problems.push(
                Some(row),
                Some("settlement-id"),
                Some(get("settlement-id")),
                format!("belongs to another settlement than {}", stmt.statement_id),
            );
        }
        if !get("currency").is_empty() && get("currency") != stmt.currency.code() {
            problems.push(
                Some(row),
                Some("currency"),
                Some(get("currency")),
                "differs from the summary row's currency",
            );
        }
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
        statements: vec![statement],
        lines,
        rows_read,
        ..Default::default()
    })
}
