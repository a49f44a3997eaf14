//! What the channels' order exports say, normalized: an order with its lines
//! (SKU, quantity, prices) and its order-level amounts as components with
//! the same canonical codes settlement lines use. Order exports repeat
//! order-level figures on every SKU row; parsers take them once, never sum.

use rust_decimal::Decimal;
use serde::Serialize;

use super::money::Currency;
use super::settlement::{Channel, Component, SourceRow, Timestamp};

/// One SKU line of an order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct OrderLine {
    pub sku: Option<String>,
    /// The channel's id for the SKU (TikTok `SKU ID`), when it has one.
    pub sku_id: Option<String>,
    pub name: String,
    pub quantity: Decimal,
    /// Price of one unit before discounts, as the file gives it.
    pub unit_price: Option<Decimal>,
    /// Line-level amounts (`sale.gross`, `sale.seller_discount`, …).
    pub amounts: Vec<Component>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Order {
    pub channel: Channel,
    /// The id settlement lines name the order by (TikTok `Order ID`,
    /// Shopify order name `#1001`, Amazon `order-id`, Walmart PO number).
    pub order_id: String,
    /// Another id the channel gives the order (Shopify's numeric `Id`).
    pub alt_id: Option<String>,
    /// The status as the file writes it (`Delivered`, `paid`, `refunded` …).
    pub status: Option<String>,
    pub currency: Currency,
    pub created_at: Option<Timestamp>,
    /// Order-level amounts: each counted once per order.
    pub amounts: Vec<Component>,
    /// What the file says the buyer paid in all, checked against the amounts
    /// where the format allows.
    pub total: Option<Decimal>,
    /// What the file says was refunded so far; it changes between exports,
    /// so it is an observation, not part of the order's content.
    pub refunded: Option<Decimal>,
    pub lines: Vec<OrderLine>,
    pub rows: Vec<SourceRow>,
}

impl Order {
    /// SHA-256 over what the order sold: currency, lines and order-level
    /// amounts. Status and refunded amount are left out: they legitimately
    /// change between exports of the same order.
    pub fn content_hash(&self) -> String {
        let mut text = format!("{}\n", self.currency);
        let amounts = |text: &mut String, amounts: &[Component]| {
            for c in amounts {
                text.push_str(c.code.as_str());
                text.push('=');
                text.push_str(&super::money::canonical_decimal(c.amount));
                text.push('\n');
            }
        };
        amounts(&mut text, &self.amounts);
        for line in &self.lines {
            text.push_str(&format!(
                "line {}|{}|{}|{}\n",
                line.sku.as_deref().unwrap_or(""),
                line.sku_id.as_deref().unwrap_or(""),
                super::money::canonical_decimal(line.quantity),
                line.unit_price
                    .map(super::money::canonical_decimal)
                    .unwrap_or_default()
            ));
            amounts(&mut text, &line.amounts);
        }
        super::hashing::sha256_hex(text.as_bytes())
    }

    /// Σ of the order-level amounts and every line's amounts with `code`.
    pub fn amount(&self, code: &str) -> Decimal {
        self.amounts
            .iter()
            .chain(self.lines.iter().flat_map(|l| l.amounts.iter()))
            .filter(|c| c.code.as_str() == code)
            .map(|c| c.amount)
            .sum()
    }
}

/// What is stored of an order already: its latest revision and the content
/// hashes of every revision.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredOrder {
    pub latest_ref: i64,
    pub latest_revision: i64,
    pub hashes: Vec<String>,
    pub status: Option<String>,
    pub refunded: Option<Decimal>,
}

/// What to do with each order of a file.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OrderPlan {
    /// (index in the file, revision to store): new orders get 1, orders whose
    /// amounts differ from every stored revision get the next one.
    pub new: Vec<(usize, i64)>,
    /// Orders stored before with the same amounts.
    pub duplicates: usize,
    /// Of `new`, those that revise an order stored before.
    pub revised: Vec<usize>,
    /// (index, stored order ref): same amounts, but a status or refunded
    /// amount not seen before.
    pub observations: Vec<(usize, i64)>,
    /// Problems that refuse the file: one order twice with other amounts.
    pub conflicts: Vec<String>,
}

/// Plans the orders of one file against what is stored (keyed by order id).
/// Exports overlap and repeat orders: the same amounts are a duplicate; other
/// amounts are a revision, reported and stored beside the old one — never an
/// overwrite.
pub fn plan_orders(
    orders: &[Order],
    stored: &std::collections::HashMap<String, StoredOrder>,
) -> OrderPlan {
    let mut plan = OrderPlan::default();
    let mut in_file: std::collections::HashMap<&str, (usize, String)> = Default::default();
    for (i, order) in orders.iter().enumerate() {
        let hash = order.content_hash();
        if let Some((first, first_hash)) = in_file.get(order.order_id.as_str()) {
            if *first_hash != hash {
                let row = |o: &Order| o.rows.first().map(|r| r.row).unwrap_or(0);
                plan.conflicts.push(format!(
                    "order {} appears twice in this file with other amounts (rows {} and {})",
                    order.order_id,
                    row(&orders[*first]),
                    row(order)
                ));
            } else {
                plan.duplicates += 1;
            }
            continue;
        }
        in_file.insert(&order.order_id, (i, hash.clone()));
        match stored.get(&order.order_id) {
            None => plan.new.push((i, 1)),
            Some(s) if s.hashes.contains(&hash) => {
                plan.duplicates += 1;
                if s.status != order.status || s.refunded != order.refunded {
                    plan.observations.push((i, s.latest_ref));
                }
            }
            Some(s) => {
                plan.new.push((i, s.latest_revision + 1));
                plan.revised.push(i);
            }
        }
    }
    plan
}
