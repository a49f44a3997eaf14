//! Reading an order back: its latest revision with lines, amounts and source
//! rows, and the latest status and refunded amount any export showed.

use chrono::{DateTime, Utc};

use super::amounts::from_micros;
use super::StoreError;
use crate::domain::order::{Order, OrderLine};
use crate::domain::settlement::{Channel, Component, ComponentCode, SourceRow, Timestamp};

/// An order as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OrderRecord {
    pub id: i64,
    /// 1, or higher when a later export showed other amounts.
    pub revision: i64,
    pub batch_id: i64,
    /// The order; its status and refunded amount are the latest seen.
    pub order: Order,
}

pub const LATEST_ORDER: &str = "SELECT id, revision, alt_id, status, currency, created_raw, \
     created_at, total_micros, refunded_micros, batch_id FROM orders \
     WHERE channel = $1 AND shop = $2 AND order_id = $3 ORDER BY revision DESC LIMIT 1";
pub const ORDER_LINES: &str = "SELECT line_no, sku, sku_id, name, quantity_micros, \
     unit_price_micros FROM order_lines WHERE order_ref = $1 ORDER BY line_no";
pub const ORDER_AMOUNTS: &str = "SELECT line_no, code, label, amount_micros FROM order_amounts \
     WHERE order_ref = $1 ORDER BY line_no, seq";
pub const ORDER_ROWS: &str =
    "SELECT sheet, source_row, cells FROM order_rows WHERE order_ref = $1 ORDER BY seq";
pub const LATEST_OBSERVATION: &str = "SELECT status, refunded_micros FROM order_observations \
     WHERE order_ref = $1 ORDER BY id DESC LIMIT 1";

pub type OrderRow = (
    i64,
    i64,
    Option<String>,
    Option<String>,
    String,
    Option<String>,
    Option<DateTime<Utc>>,
    Option<i64>,
    Option<i64>,
    i64,
);
pub type LineRow = (
    i64,
    Option<String>,
    Option<String>,
    String,
    i64,
    Option<i64>,
);
pub type AmountRow = (i64, String, String, i64);
pub type RowRow = (Option<String>, i64, String);

/// Rebuilds an order from its rows.
pub fn order_record(
    channel: Channel,
    order_id: &str,
    order: OrderRow,
    lines: Vec<LineRow>,
    amounts: Vec<AmountRow>,
    rows: Vec<RowRow>,
    observation: Option<(Option<String>, Option<i64>)>,
) -> Result<OrderRecord, StoreError> {
    let (
        id,
        revision,
        alt_id,
        status,
        currency,
        created_raw,
        created_at,
        total,
        refunded,
        batch_id,
    ) = order;
    let corrupt = |what: &str, e: &dyn std::fmt::Display| {
        StoreError::Corrupt(format!("order {order_id} (id {id}): {what}: {e}"))
    };
    let component = |code: String, label: String, micros: i64| -> Result<Component, StoreError> {
        Ok(Component {
            code: ComponentCode::new(&code).map_err(|e| corrupt("component code", &e))?,
            amount: from_micros(micros),
            label,
        })
    };
    let mut order_amounts = Vec::new();
    let mut line_amounts: Vec<(i64, Component)> = Vec::new();
    for (line_no, code, label, micros) in amounts {
        let c = component(code, label, micros)?;
        if line_no == 0 {
            order_amounts.push(c);
        } else {
            line_amounts.push((line_no, c));
        }
    }
    let lines = lines
        .into_iter()
        .map(|(line_no, sku, sku_id, name, quantity, price)| OrderLine {
            sku,
            sku_id,
            name,
            quantity: from_micros(quantity),
            unit_price: price.map(from_micros),
            amounts: line_amounts
                .iter()
                .filter(|(n, _)| *n == line_no)
                .map(|(_, c)| c.clone())
                .collect(),
        })
        .collect();
    let rows = rows
        .into_iter()
        .map(|(sheet, row, cells)| {
            Ok(SourceRow {
                sheet,
                row: row as u64,
                cells: serde_json::from_str(&cells).map_err(|e| corrupt("source row", &e))?,
            })
        })
        .collect::<Result<_, StoreError>>()?;
    let (status, refunded) = match observation {
        Some((status, refunded)) => (status, refunded),
        None => (status, refunded),
    };
    Ok(OrderRecord {
        id,
        revision,
        batch_id,
        order: Order {
            channel,
            order_id: order_id.to_string(),
            alt_id,
            status,
            currency: currency.parse().map_err(|e| corrupt("currency", &e))?,
            created_at: match (created_raw, created_at) {
                (Some(raw), Some(utc)) => Some(Timestamp { raw, utc }),
                _ => None,
            },
            amounts: order_amounts,
            total: total.map(from_micros),
            refunded: refunded.map(from_micros),
            lines,
            rows,
        },
    })
}
