//! Amazon's settlement flat file V2 (`GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2`),
//! tab-separated, 23 columns (24 with `promotion-id`). Row 2 is the
//! settlement summary (id, period, deposit date, total, currency); every
//! later row carries exactly one amount, named by `amount-type` and
//! `amount-description` (`ItemPrice`/`Principal`, `ItemFees`/`Commission`,
//! `other-transaction`/`Current Reserve Amount` …). The names are the legacy
//! file's, so both layouts share `amazon_common::component_code`.
//!
//! Rows of one order event (transaction type, order, adjustment, shipment,
//! posting time) pivot into one settlement line, as in the legacy file;
//! rows with no order and no adjustment (service fees, reserves, storage)
//! are each a line of their own. Σ amounts must equal `total-amount`, and
//! the settlement is its own payout.
//!
//! Locale, decided once per file:
//! - the decimal mark from the summary row's currency (`95,00` in EUR
//!   files). The summary row has no `marketplace-name`, and a settlement
//!   paid through Amazon's currency converter carries one marketplace's
//!   sales in another currency, so the currency is the figure that says
//!   how the amounts are written;
//! - `posted-date` (`MM/DD/YY` per Amazon's notice, `DD/MM/YY` seen in the
//!   wild, `DD.MM.YYYY` in IN files): a day above 12 in either place fixes
//!   the order; otherwise the order that agrees with `posted-date-time` on
//!   most rows; otherwise the documented `MM/DD/YY`. A line's time is
//!   `posted-date-time` (`YYYY-MM-DD HH:MM:SS UTC`) when the row has it,
//!   otherwise midnight UTC of `posted-date` (V2 times are UTC).

mod posted_date;

use std::collections::HashMap;
use std::io::Read;

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;

use super::amazon_common::{
    self, check_detail_row, parse_time, read_summary_row, settlement_payout, timestamp, AmountGroup,
};
use super::amount::{parse_amount, DecimalMark};
use super::drift::{SchemaDrift, UNCLASSIFIED};
use super::problems::{ParseError, Problems};
use super::table::{Table, TableFormat};
use posted_date::{decide_day_order, parse_posted_date, DayOrder};

use crate::domain::settlement::{
    Component, ComponentCode, ParsedFile, SettlementLine, SourceRow, Statement, Timestamp,
};

/// The 23 documented columns (`promotion-id` is optional).
const REQUIRED: [&str; 23] = [
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
    "amount-type",
    "amount-description",
    "amount",
    "fulfillment-id",
    "posted-date",
    "posted-date-time",
    "order-item-code",
    "merchant-order-item-id",
    "merchant-adjustment-item-id",
    "sku",
    "quantity-purchased",
];

/// How to read the file (see `ParseOptions`).
pub type Options = super::ParseOptions;

/// Whether normalized headers look like this format (and not the legacy
/// file, which has typed amount columns such as `price-type`).
pub fn detect(headers: &[String]) -> bool {
    let has = |h: &str| headers.iter().any(|x| x == h);
    has("settlement-id")
        && has("amount-type")
        && has("amount-description")
        && has("amount")
        && !has("price-type")
}

/// The group an `amount-type` names (casing differs between files:
/// `other-transaction`, `Other-Transaction`).
fn group_of(amount_type: &str) -> Option<AmountGroup> {
    Some(match amount_type.to_ascii_lowercase().as_str() {
        "itemprice" => AmountGroup::ItemPrice,
        "itemfees" => AmountGroup::ItemFees,
        "shipmentfees" => AmountGroup::ShipmentFees,
        "orderfees" => AmountGroup::OrderFees,
        "promotion" => AmountGroup::Promotion,
        "directpayment" => AmountGroup::DirectPayment,
        "itemwithheldtax" => AmountGroup::WithheldTax,
        "other-transaction" => AmountGroup::Other,
        _ => return None,
    })
}

/// The canonical code for one row's amount; None is schema drift. A few
/// amount types exist only in V2 (the legacy file puts these amounts under
/// `item-related-fee-type`, `other-fee-reason-description` or
/// `other-amount`).
fn component_code(
    transaction_type: &str,
    amount_type: &str,
    description: &str,
) -> Option<&'static str> {
    match (amount_type, description) {
        ("Cost of Advertising", "TransactionTotalAmount") => Some("fee.advertising"),
        ("Cost of Advertising", "TaxAmount") => Some("tax.on_fees"),
        // WAREHOUSE_DAMAGE, WAREHOUSE_LOST, REVERSAL_REIMBURSEMENT … : the
        // amount type already says what the money is.
        ("FBA Inventory Reimbursement", _) => Some("adjustment.reimbursement"),
        _ => amazon_common::component_code(transaction_type, group_of(amount_type)?, description),
    }
}

/// What a line needs to be given its time once the file's date order is known.
struct Pending {
    row: u64,
    posted_date: String,
    posted_date_time: String,
}

pub fn parse(file: &str, input: impl Read, options: Options) -> Result<ParsedFile, ParseError> {
    let mut table = Table::open(
        file,
        input,
        &TableFormat {
            delimiter: b'\t',
            quoting: false,
            detect,
            not_this_format: "not an Amazon settlement flat file V2 (no settlement-id/amount-type/amount-description/amount header)",
            required: &REQUIRED,
            header_within: 1,
        },
    )?;
    let mut problems = Problems::default();
    let mut statement: Option<Statement> = None;
    let mut mark = DecimalMark::Point;
    let mut lines: Vec<SettlementLine> = Vec::new();
    let mut pending: Vec<Pending> = Vec::new();
    let mut line_of: HashMap<[String; 5], usize> = HashMap::new();
    let mut drift = SchemaDrift::default();
    let mut detail_sum = Decimal::ZERO;
    let mut rows_read = 0u64;
    // (posted-date, posted-date-time) of every detail row.
    let mut dates: Vec<(String, Option<DateTime<Utc>>)> = Vec::new();

    while let Some(record) = table.next_row(&mut problems) {
        let row = record.line;
        let get = |column: &str| table.get(&record, column);
        let source = || SourceRow {
            sheet: None,
            row,
            cells: record.cells.clone(),
        };

        let Some(stmt) = &statement else {
            if !get("amount-type").is_empty() || get("total-amount").is_empty() {
                problems.push(
                    Some(row),
                    Some("total-amount"),
                    None,
                    "the first row after the header must be the settlement summary (total-amount filled, no amount-type)",
                );
                return Err(problems.into_error(file));
            }
            let Some((summary, file_mark)) = read_summary_row(&get, source(), &mut problems) else {
                return Err(problems.into_error(file));
            };
            mark = file_mark;
            statement = Some(summary);
            continue;
        };

        rows_read += 1;
        check_detail_row(&get, row, stmt, &mut problems);
        let transaction_type = get("transaction-type");
        let amount_type = get("amount-type");
        let description = get("amount-description");
        let mut components = Vec::new();
        match parse_amount(get("amount"), mark) {
            Err(e) => problems.push(
                Some(row),
                Some("amount"),
                Some(get("amount")),
                e.to_string(),
            ),
            Ok(amount) if amount.is_zero() => {}
            Ok(amount) => {
                detail_sum += amount;
                let code = match component_code(transaction_type, amount_type, description) {
                    Some(code) => Some(code),
                    None => {
                        drift.record(
                            row,
                            "amount-type/amount-description",
                            &format!("{amount_type}/{description}"),
                            amount,
                        );
                        options.accept_unclassified.then_some(UNCLASSIFIED)
                    }
                };
                if let Some(code) = code {
                    components.push(Component {
                        code: ComponentCode::new(code)
                            .expect("the mapping table holds valid codes"),
                        amount,
                        label: format!("{amount_type}/{description}"),
                    });
                }
            }
        }

        let posted_date = get("posted-date");
        let posted_date_time = get("posted-date-time");
        let posted_utc = if posted_date_time.is_empty() {
            None
        } else {
            let t = parse_time(posted_date_time);
            if t.is_none() {
                problems.push(
                    Some(row),
                    Some("posted-date-time"),
                    Some(posted_date_time),
                    "not a date and time (expected YYYY-MM-DD HH:MM:SS UTC)",
                );
            }
            t
        };
        dates.push((posted_date.to_string(), posted_utc));
        if posted_date.is_empty() && posted_date_time.is_empty() {
            problems.push(
                Some(row),
                Some("posted-date"),
                None,
                "the row has neither posted-date nor posted-date-time",
            );
        }

        let order_id = Some(get("order-id"))
            .filter(|s| !s.is_empty())
            .map(str::to_string);
        let adjustment_id = Some(get("adjustment-id"))
            .filter(|s| !s.is_empty())
            .map(str::to_string);
        let posted_key = if posted_date_time.is_empty() {
            posted_date
        } else {
            posted_date_time
        };
        // Rows of one order event make one line; rows with no order or
        // adjustment (fees, charges, reserves) are each a line of their own.
        let key = if order_id.is_some() || adjustment_id.is_some() {
            [
                transaction_type.to_string(),
                order_id.clone().unwrap_or_default(),
                adjustment_id.clone().unwrap_or_default(),
                get("shipment-id").to_string(),
                posted_key.to_string(),
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
        match line_of.get(&key) {
            Some(&i) => {
                lines[i].components.extend(components);
                lines[i].rows.push(source());
            }
            None => {
                line_of.insert(key, lines.len());
                pending.push(Pending {
                    row,
                    posted_date: posted_date.to_string(),
                    posted_date_time: posted_date_time.to_string(),
                });
                lines.push(SettlementLine {
                    ordered_at: None,
                    statement_id: stmt.statement_id.clone(),
                    transaction_type: transaction_type.to_string(),
                    order_id,
                    adjustment_id,
                    posted_at: None,
                    currency: stmt.currency,
                    components,
                    rows: vec![source()],
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

    // The posted-date order, once for the file; then every line's time.
    let views: Vec<(&str, Option<DateTime<Utc>>)> =
        dates.iter().map(|(d, t)| (d.as_str(), *t)).collect();
    let order = match decide_day_order(&views) {
        Ok(order) => order,
        Err(message) => {
            problems.push(None, Some("posted-date"), None, message);
            DayOrder::MonthFirst
        }
    };
    for (line, p) in lines.iter_mut().zip(&pending) {
        line.posted_at = if let Some(t) = timestamp(&p.posted_date_time) {
            Some(t)
        } else if p.posted_date.is_empty() {
            None
        } else {
            match parse_posted_date(&p.posted_date, order) {
                Some(day) => Some(Timestamp {
                    raw: p.posted_date.clone(),
                    utc: day.and_hms_opt(0, 0, 0).expect("midnight").and_utc(),
                }),
                None => {
                    problems.push(
                        Some(p.row),
                        Some("posted-date"),
                        Some(&p.posted_date),
                        "not a date (expected MM/DD/YY, DD/MM/YY or DD.MM.YYYY)",
                    );
                    None
                }
            }
        };
    }

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
    Ok(ParsedFile {
        header: table.header.raw,
        payouts: vec![settlement_payout(&statement)],
        statements: vec![statement],
        lines,
        rows_read,
        ..Default::default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn v2_only_amount_types() {
        assert_eq!(
            component_code(
                "ServiceFee",
                "Cost of Advertising",
                "TransactionTotalAmount"
            ),
            Some("fee.advertising")
        );
        assert_eq!(
            component_code("other-transaction", "Other-Transaction", "Storage Fee"),
            Some("fee.storage")
        );
        assert_eq!(
            component_code("Refund", "ItemPrice", "Principal"),
            Some("refund.gross")
        );
        assert_eq!(component_code("Order", "Mystery", "Principal"), None);
    }
}
