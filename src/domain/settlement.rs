//! What the channels' settlement files say, normalized: statements (the batch
//! a payout pays), settlement lines (the money for one order, refund or
//! adjustment) and their components with canonical codes. Every line keeps
//! the rows it was read from.

use std::fmt;

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::money::{Currency, Money};
use super::order::Order;
use super::payout::Payout;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Channel {
    TikTok,
    Shopify,
    Amazon,
    Walmart,
}

impl Channel {
    pub const ALL: [Channel; 4] = [
        Channel::TikTok,
        Channel::Shopify,
        Channel::Amazon,
        Channel::Walmart,
    ];

    pub fn parse(name: &str) -> Option<Channel> {
        Channel::ALL.into_iter().find(|c| c.as_str() == name)
    }

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
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(into = "String", try_from = "String")]
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

impl TryFrom<String> for ComponentCode {
    type Error = ComponentCodeError;

    fn try_from(code: String) -> Result<Self, Self::Error> {
        ComponentCode::new(&code)
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

/// Where in the file a record came from (rows are 1-based file lines), with
/// the row's raw cells as the file wrote them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SourceRow {
    pub sheet: Option<String>,
    pub row: u64,
    pub cells: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SettlementLine {
    pub statement_id: String,
    /// The channel's transaction type (`Order`, `Refund`, `ServiceFee` …).
    pub transaction_type: String,
    pub order_id: Option<String>,
    pub adjustment_id: Option<String>,
    /// When the buyer ordered, when the file says (TikTok's `Order created
    /// time`): a sale booked from the settlement is dated by it.
    pub ordered_at: Option<Timestamp>,
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

    /// Who this line is, independent of its amounts: statement, type, order,
    /// adjustment and posting time. Two lines with one identity in one file
    /// are told apart by their occurrence number; the same identity with
    /// other amounts in a later import is a conflict, never an overwrite.
    pub fn identity(&self) -> String {
        [
            self.statement_id.as_str(),
            self.transaction_type.as_str(),
            self.order_id.as_deref().unwrap_or(""),
            self.adjustment_id.as_deref().unwrap_or(""),
            self.posted_at
                .as_ref()
                .map(|t| t.raw.as_str())
                .unwrap_or(""),
        ]
        .join("\u{1f}")
    }

    /// SHA-256 over the components (code, normalized amount), in order.
    pub fn content_hash(&self) -> String {
        let mut text = String::new();
        for c in &self.components {
            text.push_str(c.code.as_str());
            text.push('=');
            text.push_str(&super::money::canonical_decimal(c.amount));
            text.push('\n');
        }
        super::hashing::sha256_hex(text.as_bytes())
    }
}

/// The batch a payout pays: its period, deposit and, when the file says,
/// its total.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Statement {
    pub channel: Channel,
    pub statement_id: String,
    /// The payout that pays it, when the file names one (an Amazon
    /// settlement is its own payout).
    pub payout_id: Option<String>,
    pub currency: Currency,
    /// What the file says was paid (negative when the seller owes the
    /// channel); None when the file gives no total (Shopify transactions).
    pub declared_total: Option<Decimal>,
    pub period_start: Option<Timestamp>,
    pub period_end: Option<Timestamp>,
    pub deposit_date: Option<Timestamp>,
    pub source: Option<SourceRow>,
}

impl ParsedFile {
    pub fn summary(&self) -> FileSummary {
        FileSummary {
            header: self.header.clone(),
            rows_read: self.rows_read,
            warnings: self.warnings.clone(),
        }
    }
}

impl Statement {
    pub fn declared(&self) -> Option<Money> {
        self.declared_total.map(|t| Money::new(t, self.currency))
    }
}

/// What a parser says of a file once it has read it all (its records went
/// to a sink on the way).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct FileSummary {
    /// The header row's cells as written.
    pub header: Vec<String>,
    /// Data rows read (not counting header, blank and summary rows).
    pub rows_read: u64,
    pub warnings: Vec<String>,
}

/// Everything one channel file says: settlement files give statements and
/// lines (and sometimes payouts), order exports give orders.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ParsedFile {
    /// The header row's cells as written (the main sheet's, for workbooks).
    pub header: Vec<String>,
    pub statements: Vec<Statement>,
    pub lines: Vec<SettlementLine>,
    pub payouts: Vec<Payout>,
    pub orders: Vec<Order>,
    /// Data rows read (not counting header, blank and summary rows).
    pub rows_read: u64,
    /// Things the importer noticed that did not stop it (an XLSX id cell
    /// typed as a number, an empty sheet), each with its place.
    pub warnings: Vec<String>,
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
