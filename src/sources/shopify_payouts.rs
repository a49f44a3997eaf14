//! Shopify Payments' transactions export (Finance > Payouts > Export), CSV.
//! One row per transaction: a charge, a refund, a ShopCash credit, marketplace
//! sales tax … with `Amount`, `Fee` and `Net`. Rows are grouped into payouts
//! by `Payout ID` when the file has one, otherwise by payout date and
//! currency (the real files have no payout id). The file's arithmetic is
//! checked on every row: `Amount − Fee (− VAT) = Net`.

use std::collections::BTreeMap;
use std::io::Read;

use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;

use super::amount::{parse_amount, DecimalMark};
use super::drift::{SchemaDrift, UNCLASSIFIED};
use super::problems::{ParseError, Problems};
use super::sink::RecordSink;
use super::table::{Table, TableFormat};
use crate::domain::money::Currency;
use crate::domain::settlement::{
    Channel, Component, ComponentCode, FileSummary, ParsedFile, SettlementLine, SourceRow,
    Statement, Timestamp,
};

const REQUIRED: [&str; 8] = [
    "transaction date",
    "type",
    "order",
    "payout date",
    "amount",
    "fee",
    "net",
    "currency",
];

/// How to read the file (see `ParseOptions`).
pub type Options = super::ParseOptions;

/// Whether normalized headers look like this export.
pub fn detect(headers: &[String]) -> bool {
    [
        "transaction date",
        "type",
        "payout date",
        "amount",
        "fee",
        "net",
    ]
    .iter()
    .all(|h| headers.iter().any(|x| x == h))
}

/// The component a row's `Amount` is, by its `Type`; None is schema drift.
fn amount_code(kind: &str) -> Option<&'static str> {
    Some(match kind {
        "charge" => "sale.charge",
        "refund" => "refund.gross",
        "shop_cash_credit" => "adjustment.shop_cash_credit",
        "marketplace sales tax" => "tax.withheld_by_marketplace",
        "shop_cash_campaign_billing_debit" => "fee.advertising",
        "adjustment" => "adjustment.other",
        "chargeback" | "dispute" => "adjustment.dispute",
        "chargeback_won" | "dispute_won" | "chargeback_reversal" | "dispute_reversal" => {
            "adjustment.dispute_reversal"
        }
        "chargeback_fee" | "dispute_fee" => "fee.chargeback",
        "reserve" | "reserved_funds" => "reserve.hold",
        "reserve_release" | "reserved_funds_release" => "reserve.release",
        "tax_adjustment" => "adjustment.tax",
        _ => return None,
    })
}

/// `2025-06-30 23:32:39 -0400`: the shop's offset is in every cell.
fn parse_transaction_time(raw: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_str(raw.trim(), "%Y-%m-%d %H:%M:%S %z")
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// `2025-07-03`, and leniently `2026/6/12`.
fn parse_day(raw: &str) -> Option<NaiveDate> {
    let s = raw.trim();
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(s, "%Y/%m/%d"))
        .ok()
}

pub fn parse(file: &str, input: impl Read, options: Options) -> Result<ParsedFile, ParseError> {
    let mut parsed = ParsedFile::default();
    let summary = parse_into(file, input, options, &mut parsed)?;
    parsed.header = summary.header;
    parsed.rows_read = summary.rows_read;
    parsed.warnings = summary.warnings;
    Ok(parsed)
}

/// Streams the file: each row's line goes to `sink` as it is read, the
/// payouts (statements) at the end.
pub fn parse_into(
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
            not_this_format: "not a Shopify Payments transactions export",
            required: &REQUIRED,
            header_within: 1,
        },
    )?;
    let has_vat = table.has_column("vat");
    let mut problems = Problems::default();
    let mut statements: BTreeMap<String, Statement> = BTreeMap::new();
    let mut drift = SchemaDrift::default();
    let mut rows_read = 0u64;
    while let Some(record) = table.next_row(&mut problems) {
        let row = record.line;
        rows_read += 1;
        let get = |column: &str| table.get(&record, column);
        let mut amount = |column: &str| match parse_amount(get(column), DecimalMark::Point) {
            Ok(a) => Some(a),
            Err(e) => {
                problems.push(Some(row), Some(column), Some(get(column)), e.to_string());
                None
            }
        };
        let (Some(gross), Some(fee), Some(net)) = (amount("amount"), amount("fee"), amount("net"))
        else {
            continue;
        };
        let vat = if has_vat {
            amount("vat").unwrap_or_default()
        } else {
            Decimal::ZERO
        };
        let vat_in_net = if gross - fee == net {
            false
        } else if !vat.is_zero() && gross - fee - vat == net {
            true
        } else {
            problems.push(
                Some(row),
                Some("net"),
                Some(get("net")),
                format!(
                    "Amount {gross} − Fee {fee} is {}, not the Net the row gives",
                    gross - fee
                ),
            );
            continue;
        };
        let currency: Currency = match get("currency").parse() {
            Ok(c) => c,
            Err(e) => {
                problems.push(
                    Some(row),
                    Some("currency"),
                    Some(get("currency")),
                    e.to_string(),
                );
                continue;
            }
        };
        let posted_raw = get("transaction date");
        let Some(posted_utc) = parse_transaction_time(posted_raw) else {
            problems.push(
                Some(row),
                Some("transaction date"),
                Some(posted_raw),
                "not a date and time (expected YYYY-MM-DD HH:MM:SS ±HHMM)",
            );
            continue;
        };
        let payout_day_raw = get("payout date");
        let payout_day = if payout_day_raw.is_empty() {
            None
        } else {
            match parse_day(payout_day_raw) {
                Some(d) => Some(d),
                None => {
                    problems.push(
                        Some(row),
                        Some("payout date"),
                        Some(payout_day_raw),
                        "not a date",
                    );
                    continue;
                }
            }
        };
        let payout_id = Some(get("payout id"))
            .filter(|s| !s.is_empty())
            .map(str::to_string);
        let statement_id = match (&payout_id, payout_day) {
            (Some(id), _) => id.clone(),
            (None, Some(day)) => format!("{day}-{currency}"),
            (None, None) => format!("unscheduled-{currency}"),
        };
        let statement = statements
            .entry(statement_id.clone())
            .or_insert_with(|| Statement {
                channel: Channel::Shopify,
                statement_id: statement_id.clone(),
                payout_id: payout_id.clone(),
                currency,
                declared_total: None,
                period_start: None,
                period_end: None,
                deposit_date: payout_day.map(|d| Timestamp {
                    raw: payout_day_raw.to_string(),
                    utc: d.and_hms_opt(0, 0, 0).expect("midnight").and_utc(),
                }),
                source: None,
            });
        if statement.currency != currency {
            problems.push(
                Some(row),
                Some("currency"),
                Some(get("currency")),
                format!("payout {statement_id} mixes currencies"),
            );
            continue;
        }

        let kind = get("type");
        let code = match amount_code(kind) {
            Some(code) => code,
            None => {
                drift.record(row, "type", kind, net);
                if !options.accept_unclassified {
                    continue;
                }
                UNCLASSIFIED
            }
        };
        let mut components = Vec::new();
        let mut push = |code: &str, amount: Decimal, label: &str| {
            if !amount.is_zero() {
                components.push(Component {
                    code: ComponentCode::new(code).expect("the mapping table holds valid codes"),
                    amount,
                    label: label.to_string(),
                });
            }
        };
        push(code, gross, &format!("Amount ({kind})"));
        // The fee is what Shopify keeps: a cost, so negative in the payout.
        push("fee.transaction", -fee, "Fee");
        if vat_in_net {
            push("tax.on_fees", -vat, "VAT");
        }
        sink.line(SettlementLine {
            ordered_at: None,
            statement_id,
            transaction_type: kind.to_string(),
            order_id: Some(get("order"))
                .filter(|s| !s.is_empty())
                .map(str::to_string),
            adjustment_id: None,
            posted_at: Some(Timestamp {
                raw: posted_raw.to_string(),
                utc: posted_utc,
            }),
            currency,
            components,
            rows: vec![SourceRow {
                sheet: None,
                row,
                cells: record.cells.clone(),
            }],
        });
    }
    if !options.accept_unclassified {
        drift.report(&mut problems, |rows, total| {
            format!("unknown transaction type: {rows} row(s) with net {total}")
        });
    }
    problems.finish(file)?;
    for statement in statements.into_values() {
        sink.statement(statement);
    }
    Ok(FileSummary {
        header: table.header.raw,
        rows_read,
        warnings: Vec::new(),
    })
}
