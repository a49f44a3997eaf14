//! Booking: the entries the accounting model asks for, from a shop's matched
//! records. Pure: facts, matching and the mapping in, entry drafts out —
//! each with a *subject* (what it books: an order's sale, one settlement
//! line, a payout) and a *basis hash* (what it was computed from). The
//! ledger is then brought to this plan by `changes::plan_changes`: a subject
//! not booked yet is booked, one whose basis changed is reversed and booked
//! again, one booked the same way is left alone. That is what makes
//! re-running book nothing and the books independent of import order.
//!
//! Signs: components are signed as the channel signs them (money to the
//! seller positive). A positive amount credits its account and debits
//! clearing; a negative one debits its account and credits clearing.
//! Components mapped to `clearing` fold into the clearing posting.

mod build;
pub mod changes;
mod draft;
#[cfg(test)]
mod tests;

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde::Serialize;

use super::account::AccountCode;
use super::entry::EntryDraft;
use super::hashing::sha256_hex;
use super::money::Currency;
use super::settlement::Channel;
use super::shop::Shop;
use super::zone::Zone;

pub use build::plan_books;
pub use draft::basis_hash;

/// Where cash goes when a payout leaves the channel and until the bank
/// deposit is matched (accounting-model.md, entry 6).
pub const DEFAULT_PAYOUT_ACCOUNT: &str = "1020";

/// The shop as booking needs it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BookingShop {
    /// Empty for files imported without a shops.toml.
    pub name: String,
    pub channel: Channel,
    pub currency: Currency,
    pub zone: Zone,
    pub clearing: AccountCode,
    pub payout_account: AccountCode,
    pub segments: BTreeMap<String, String>,
}

impl BookingShop {
    pub fn from_shop(shop: &Shop) -> Self {
        BookingShop {
            name: shop.name.clone(),
            channel: shop.channel,
            currency: shop.currency,
            zone: shop.time_zone,
            clearing: shop.clearing_account.clone(),
            payout_account: shop.payout_account.clone(),
            segments: shop.segments.clone(),
        }
    }

    /// A shop imported without a shops.toml: the channel's clearing account
    /// of the shipped chart, UTC, the currency its files are in.
    pub fn unconfigured(channel: Channel, currency: Currency) -> Self {
        let clearing = match channel {
            Channel::TikTok => "1210",
            Channel::Shopify => "1211",
            Channel::Amazon => "1212",
            Channel::Walmart => "1213",
        };
        BookingShop {
            name: String::new(),
            channel,
            currency,
            zone: Zone::UTC,
            clearing: clearing.parse().expect("a valid code"),
            payout_account: DEFAULT_PAYOUT_ACCOUNT.parse().expect("a valid code"),
            segments: BTreeMap::new(),
        }
    }

    /// How subjects and messages name the shop.
    pub fn label(&self) -> String {
        if self.name.is_empty() {
            format!("{} (no shop configured)", self.channel.as_str())
        } else {
            self.name.clone()
        }
    }
}

/// What an entry books, independent of its figures.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Subject(pub String);

impl Subject {
    fn new(shop: &BookingShop, what: &str, id: &str) -> Subject {
        let shop_name = if shop.name.is_empty() {
            "-"
        } else {
            &shop.name
        };
        let text = format!("{}/{shop_name}/{what}/{id}", shop.channel.as_str());
        // Idempotency keys are at most 200 characters; very long channel ids
        // are hashed so the key stays within that and stays unique.
        if text.chars().count() > 180 {
            let digest = sha256_hex(id.as_bytes());
            Subject(format!(
                "{}/{shop_name}/{what}/sha256:{}",
                shop.channel.as_str(),
                &digest[..32]
            ))
        } else {
            Subject(text)
        }
    }

    pub fn sale(shop: &BookingShop, order_id: &str) -> Subject {
        Subject::new(shop, "sale", order_id)
    }

    pub fn variance(shop: &BookingShop, order_id: &str) -> Subject {
        Subject::new(shop, "variance", order_id)
    }

    pub fn line(shop: &BookingShop, line: &super::matching::LineFact) -> Subject {
        let identity = sha256_hex(line.line.identity().as_bytes());
        Subject::new(
            shop,
            "line",
            &format!(
                "{}/{}/{}",
                line.line.statement_id,
                &identity[..16],
                line.occurrence
            ),
        )
    }

    pub fn payout(shop: &BookingShop, payout_id: &str) -> Subject {
        Subject::new(shop, "payout", payout_id)
    }

    /// The idempotency key of the subject's `revision`-th booking: the
    /// subject itself the first time, `subject~N` after corrections.
    pub fn key(&self, revision: i64) -> String {
        if revision <= 1 {
            self.0.clone()
        } else {
            format!("{}~{revision}", self.0)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// One entry the books should hold.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlannedEntry {
    pub subject: Subject,
    /// SHA-256 of the draft as computed (before any re-dating into an open
    /// period): unchanged facts and mapping give the same hash.
    pub basis_hash: String,
    /// Keyed for revision 1; `changes` re-keys it for later revisions.
    pub draft: EntryDraft,
}

/// A component code with no account in the mapping, as booking met it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct UnmappedCode {
    pub code: String,
    pub count: usize,
    pub total: Decimal,
    pub currency: Currency,
}

/// Something booking could not book, and why (shown, never silent).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Unbooked {
    pub subject: String,
    pub reason: String,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum BookingError {
    #[error("{shop}: booking refused: {} component code(s) have no account in {file}: {}", .codes.len(), list_codes(.codes))]
    Unmapped {
        shop: String,
        file: String,
        codes: Vec<UnmappedCode>,
    },
    #[error("{shop}: {what} is in {found}, but the shop books in {expected}")]
    Currency {
        shop: String,
        what: String,
        found: Currency,
        expected: Currency,
    },
}

fn list_codes(codes: &[UnmappedCode]) -> String {
    codes
        .iter()
        .map(|c| {
            format!(
                "{} ({} amounts, total {} {})",
                c.code, c.count, c.total, c.currency
            )
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// What `plan_books` produced.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BookPlan {
    pub entries: Vec<PlannedEntry>,
    pub unbooked: Vec<Unbooked>,
}
