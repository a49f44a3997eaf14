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
