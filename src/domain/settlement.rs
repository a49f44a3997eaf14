//! What the channels' settlement files say, normalized: statements (the batch
//! a payout pays), settlement lines (the money for one order, refund or
//! adjustment) and their components with canonical codes. Every line keeps
//! the rows it was read from.

use std::fmt;

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::Serialize;

use super::money::{Currency, Money};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Channel {
    TikTok,
    Shopify,
    Amazon,
    Walmart,
}

impl Channel {
    pub fn as_str(&self) -> &'static str {
        match self {
            Channel::TikTok => "tiktok",
            Channel::Shopify => "shopify",
            Channel::Amazon => "amazon",
            Channel::Walmart => "walmart",
        }
    }
}

/// A canonical component code: a family (`sale`, `tax`, `fee`, `refund`,
/// `reserve`, `adjustment`) and a name, e.g. `fee.commission`. Parsers own
/// the column → code mapping; `gl-mappings/` own code → account.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(into = "String")]
pub struct ComponentCode(String);

pub const COMPONENT_FAMILIES: [&str; 6] = ["sale", "tax", "fee", "refund", "reserve", "adjustment"];

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a component code (family.name, family one of sale, tax, fee, refund, reserve, adjustment; lowercase letters, digits and _)")]
pub struct ComponentCodeError(pub String);

impl ComponentCode {
    pub fn new(code: &str) -> Result<Self, ComponentCodeError> {
        let err = || ComponentCodeError(code.to_string());
        let (family, name) = code.split_once('.').ok_or_else(err)?;
        let name_ok = !name.is_empty()
            && name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '.');
        if COMPONENT_FAMILIES.contains(&family) && name_ok {
            Ok(ComponentCode(code.to_string()))
        } else {
            Err(err())
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn family(&self) -> &str {
        self.0.split_once('.').map(|(f, _)| f).unwrap_or("")
    }
}

impl From<ComponentCode> for String {
    fn from(c: ComponentCode) -> String {
        c.0
    }
}

impl fmt::Display for ComponentCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// One amount of a settlement line, signed as the channel signs it
/// (money to the seller positive).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Component {
    pub code: ComponentCode,
    pub amount: Decimal,
    /// The file's own name for it (`ItemFees/Commission`, `Cost of Advertising`).
    pub label: String,
}

/// A time as the file wrote it and the instant it resolves to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Timestamp {
    pub raw: String,
    pub utc: DateTime<Utc>,
}

/// Where in the file a record came from (rows are 1-based file lines).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SourceRow {
    pub sheet: Option<String>,
    pub row: u64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SettlementLine {
    pub statement_id: String,
    /// The channel's transaction type (`Order`, `Refund`, `ServiceFee` …).
    pub transaction_type: String,
    pub order_id: Option<String>,
    pub adjustment_id: Option<String>,
    pub posted_at: Option<Timestamp>,
    pub currency: Currency,
    pub components: Vec<Component>,
    pub rows: Vec<SourceRow>,
}

impl SettlementLine {
    /// What this line adds to the payout.
    pub fn net(&self) -> Decimal {
        self.components.iter().map(|c| c.amount).sum()
    }
}

/// The batch a payout pays: its period, deposit and total.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Statement {
    pub channel: Channel,
    pub statement_id: String,
    pub period_start: Option<Timestamp>,
    pub period_end: Option<Timestamp>,
    pub deposit_date: Option<Timestamp>,
    /// What the channel says it paid (negative when the seller owes it).
    pub total: Money,
    pub source: SourceRow,
}

/// Everything one settlement file says.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ParsedSettlement {
    pub statement: Statement,
    pub lines: Vec<SettlementLine>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn component_codes_name_a_family() {
        assert_eq!(
            ComponentCode::new("fee.commission").unwrap().family(),
            "fee"
        );
        assert!(ComponentCode::new("adjustment.warehouse_damage").is_ok());
        for bad in [
            "commission",
            "fees.commission",
            "fee.",
            "fee.Commission",
            "fee.a-b",
        ] {
            assert!(ComponentCode::new(bad).is_err(), "{bad}");
        }
    }
}
