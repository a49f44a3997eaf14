//! Journal entries and their postings. `JournalEntry::new` is the only way to
//! make a new entry, and it refuses anything that is not sound double entry.

use std::collections::BTreeMap;
use std::fmt;

use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::account::{AccountCode, ChartOfAccounts};
use super::money::{format_amount, Currency, Money};
use super::period::Period;

/// Posting amounts carry at most this many decimal places. It covers every
/// ISO currency's minor units with room for per-unit fees; the store keeps
/// amounts as integers at this scale, so sums are exact.
pub const MAX_AMOUNT_SCALE: u32 = 6;

/// The largest amount one posting may carry (a trillion in the currency):
/// far above any real line, and it keeps sums inside 64-bit integers.
pub fn max_posting_amount() -> Decimal {
    Decimal::new(1_000_000_000_000, 0)
}

/// An entry's position in the ledger's hash chain, from 1. Also its id.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct EntryId(pub i64);

impl fmt::Display for EntryId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{}", self.0)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Side {
    Debit,
    Credit,
}

impl Side {
    pub fn as_str(&self) -> &'static str {
        match self {
            Side::Debit => "debit",
            Side::Credit => "credit",
        }
    }

    pub fn flip(&self) -> Side {
        match self {
            Side::Debit => Side::Credit,
            Side::Credit => Side::Debit,
        }
    }

    pub fn parse(s: &str) -> Option<Side> {
        match s {
            "debit" => Some(Side::Debit),
            "credit" => Some(Side::Credit),
            _ => None,
        }
    }
}

/// What kind of event an entry books (see the accounting model).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EntryKind {
    Manual,
    Sale,
    Settlement,
    Refund,
    Adjustment,
    Reserve,
    Payout,
    Deposit,
    Fx,
    Reversal,
}

impl EntryKind {
    pub const ALL: [EntryKind; 10] = [
        EntryKind::Manual,
        EntryKind::Sale,
        EntryKind::Settlement,
        EntryKind::Refund,
        EntryKind::Adjustment,
        EntryKind::Reserve,
        EntryKind::Payout,
        EntryKind::Deposit,
        EntryKind::Fx,
        EntryKind::Reversal,
    ];

    pub fn as_str(&self) -> &'static str {
        match self {
            EntryKind::Manual => "manual",
            EntryKind::Sale => "sale",
            EntryKind::Settlement => "settlement",
            EntryKind::Refund => "refund",
            EntryKind::Adjustment => "adjustment",
            EntryKind::Reserve => "reserve",
            EntryKind::Payout => "payout",
            EntryKind::Deposit => "deposit",
            EntryKind::Fx => "fx",
            EntryKind::Reversal => "reversal",
        }
    }

    pub fn parse(s: &str) -> Option<EntryKind> {
        EntryKind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// Where a posting lands outside the account: NetSuite's segments plus the
/// channel and shop it belongs to.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Segments {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subsidiary: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub department: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub class: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shop: Option<String>,
}

/// What a posting came from: the business documents and the source row.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourceRef {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub statement_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payout_id: Option<String>,
    /// The import batch the figure was read from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub batch_id: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sheet: Option<String>,
    /// 1-based row number in the source file or sheet.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub row: Option<i64>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Posting {
    pub account: AccountCode,
    pub side: Side,
    /// Always positive; `side` gives the direction.
    pub amount: Money,
    pub memo: Option<String>,
    pub segments: Segments,
    pub source: SourceRef,
    /// Hash of the mapping file that chose this account, when one did.
    pub mapping_version: Option<String>,
}

impl Posting {
    pub fn new(account: AccountCode, side: Side, amount: Money) -> Self {
        Posting {
            account,
            side,
            amount,
            memo: None,
            segments: Segments::default(),
            source: SourceRef::default(),
            mapping_version: None,
        }
    }

    /// The amount with debits positive and credits negative.
    pub fn signed_amount(&self) -> Decimal {
        match self.side {
            Side::Debit => self.amount.amount,
            Side::Credit => -self.amount.amount,
        }
    }
}

/// Everything needed to make an entry, before it is checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EntryDraft {
    pub idempotency_key: String,
    pub date: NaiveDate,
    pub kind: EntryKind,
    pub description: String,
    pub postings: Vec<Posting>,
}

/// Why an entry was refused. Every message says which line and by how much.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EntryError {
    #[error("the entry has no idempotency key")]
    EmptyKey,
    #[error("idempotency key is {len} characters long; at most 200 are allowed")]
    KeyTooLong { len: usize },
    #[error("an entry needs at least two postings; this one has {count}")]
    TooFewPostings { count: usize },
    #[error("line {line} ({account}): amount {amount} must be greater than zero (use the other side for a negative)")]
    NonPositiveAmount {
        line: usize,
        account: AccountCode,
        amount: Decimal,
    },
    #[error(
        "line {line} ({account}): amount {amount} has more than {MAX_AMOUNT_SCALE} decimal places"
    )]
    TooPrecise {
        line: usize,
        account: AccountCode,
        amount: Decimal,
    },
    #[error("line {line} ({account}): amount {amount} is above the limit of 1,000,000,000,000 per posting")]
    TooLarge {
        line: usize,
        account: AccountCode,
        amount: Decimal,
    },
    #[error("line {line}: account {account} is not in the chart of accounts")]
    UnknownAccount { line: usize, account: AccountCode },
    #[error("line {line}: account {account} ({name}) is inactive and takes no new postings")]
    InactiveAccount {
        line: usize,
        account: AccountCode,
        name: String,
    },
    #[error("date {date} is outside the years 1900 to 9999")]
    DateOutOfRange { date: NaiveDate },
    #[error("the entry does not balance in {currency}: debits {debits}, credits {credits}, {side} by {difference}")]
    Unbalanced {
        currency: Currency,
        debits: String,
        credits: String,
        difference: String,
        side: &'static str,
    },
}

/// A journal entry that balances: the only kind the ledger accepts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JournalEntry {
    idempotency_key: String,
    date: NaiveDate,
    kind: EntryKind,
    description: String,
    reverses: Option<EntryId>,
    postings: Vec<Posting>,
}

impl JournalEntry {
    /// Checks the draft against the chart and the rules of double entry.
    pub fn new(draft: EntryDraft, chart: &ChartOfAccounts) -> Result<Self, EntryError> {
        check_key(&draft.idempotency_key)?;
        check_date(draft.date)?;
        for (i, p) in draft.postings.iter().enumerate() {
            let line = i + 1;
            match chart.get(&p.account) {
                None => {
                    return Err(EntryError::UnknownAccount {
                        line,
                        account: p.account.clone(),
                    })
                }
                Some(a) if !a.active => {
                    return Err(EntryError::InactiveAccount {
                        line,
                        account: p.account.clone(),
                        name: a.name.clone(),
                    })
                }
                Some(_) => {}
            }
        }
        let entry = JournalEntry {
            idempotency_key: draft.idempotency_key,
            date: draft.date,
            kind: draft.kind,
            description: clean_owned(draft.description),
            reverses: None,
            postings: draft.postings.into_iter().map(clean_posting).collect(),
        };
        entry.check_double_entry()?;
        Ok(entry)
    }

    /// The mirror of `original`: every posting on the other side, dated `date`.
    /// Accounts are not re-checked against the chart: an account made
    /// inactive since must still be reversible.
    pub fn reversal_of(original: &StoredEntry, date: NaiveDate, reason: &str) -> Self {
        let reason = clean_text(reason);
        let mut description = format!(
            "Reversal of {}: {}",
            original.seq,
            original.entry.description()
        );
        if !reason.is_empty() {
            description.push_str(" — ");
            description.push_str(&reason);
        }
        JournalEntry {
            idempotency_key: reversal_key(original.entry.idempotency_key()),
            date,
            kind: EntryKind::Reversal,
            description,
            reverses: Some(original.seq),
            postings: original
                .entry
                .postings
                .iter()
                .map(|p| Posting {
                    side: p.side.flip(),
                    ..p.clone()
                })
                .collect(),
        }
    }

    /// Rebuilds an entry read back from the store. It is not re-validated
    /// here: `verify` re-checks stored entries and reports what is wrong.
    pub fn restore(
        idempotency_key: String,
        date: NaiveDate,
        kind: EntryKind,
        description: String,
        reverses: Option<EntryId>,
        postings: Vec<Posting>,
    ) -> Self {
        JournalEntry {
            idempotency_key,
            date,
            kind,
            description,
            reverses,
            postings,
        }
    }

    /// The double-entry rules alone (no chart): used on construction and by `verify`.
    pub fn check_double_entry(&self) -> Result<(), EntryError> {
        if self.postings.len() < 2 {
            return Err(EntryError::TooFewPostings {
                count: self.postings.len(),
            });
        }
        for (i, p) in self.postings.iter().enumerate() {
            let (line, account, amount) = (i + 1, p.account.clone(), p.amount.amount);
            if amount <= Decimal::ZERO {
                return Err(EntryError::NonPositiveAmount {
                    line,
                    account,
                    amount,
                });
            }
            if amount.normalize().scale() > MAX_AMOUNT_SCALE {
                return Err(EntryError::TooPrecise {
                    line,
                    account,
                    amount,
                });
            }
            if amount >= max_posting_amount() {
                return Err(EntryError::TooLarge {
                    line,
                    account,
                    amount,
                });
            }
        }
        for (currency, (debits, credits)) in self.totals_by_currency() {
            if debits != credits {
                let (side, difference) = if debits > credits {
                    ("debits exceed credits", debits - credits)
                } else {
                    ("credits exceed debits", credits - debits)
                };
                return Err(EntryError::Unbalanced {
                    currency,
                    debits: format_amount(debits, currency),
                    credits: format_amount(credits, currency),
                    difference: format_amount(difference, currency),
                    side,
                });
            }
        }
        Ok(())
    }

    /// Debit and credit totals per currency.
    pub fn totals_by_currency(&self) -> BTreeMap<Currency, (Decimal, Decimal)> {
        let mut totals: BTreeMap<Currency, (Decimal, Decimal)> = BTreeMap::new();
        for p in &self.postings {
            let t = totals.entry(p.amount.currency).or_default();
            match p.side {
                Side::Debit => t.0 += p.amount.amount,
                Side::Credit => t.1 += p.amount.amount,
            }
        }
        totals
    }

    pub fn idempotency_key(&self) -> &str {
        &self.idempotency_key
    }
    pub fn date(&self) -> NaiveDate {
        self.date
    }
    pub fn period(&self) -> Period {
        Period::of(self.date)
    }
    pub fn kind(&self) -> EntryKind {
        self.kind
    }
    pub fn description(&self) -> &str {
        &self.description
    }
    pub fn reverses(&self) -> Option<EntryId> {
        self.reverses
    }
    pub fn postings(&self) -> &[Posting] {
        &self.postings
    }
}

/// The idempotency key of the reversal of the entry with key `key`.
pub fn reversal_key(key: &str) -> String {
    let mut k = format!("reversal:{key}");
    // Keys are capped at 200 characters; a long key's reversal keeps its
    // hash so that it stays unique.
    if k.chars().count() > 200 {
        k = format!(
            "reversal:sha256:{}",
            super::hashing::sha256_hex(key.as_bytes())
        );
    }
    k
}

/// Entry dates stay within the years a period (`YYYY-MM`) can name.
pub fn check_date(date: NaiveDate) -> Result<(), EntryError> {
    use chrono::Datelike;
    if (1900..=9999).contains(&date.year()) {
        Ok(())
    } else {
        Err(EntryError::DateOutOfRange { date })
    }
}

fn check_key(key: &str) -> Result<(), EntryError> {
    if key.trim().is_empty() {
        return Err(EntryError::EmptyKey);
    }
    let len = key.chars().count();
    if len > 200 {
        return Err(EntryError::KeyTooLong { len });
    }
    Ok(())
}

/// Control characters (newlines, tabs) would break every export format and
/// the canonical rendering: they become spaces, once, at construction.
fn clean_text(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect::<String>()
        .trim()
        .to_string()
}

/// `clean_text`, keeping the string itself when it is clean already, as
/// nearly every text is: a big reconcile checks millions of entries of a
/// dozen texts each, and copying each twice was most of the check's time.
fn clean_owned(s: String) -> String {
    if !s.chars().any(char::is_control) && s.trim().len() == s.len() {
        return s;
    }
    clean_text(&s)
}

fn clean_opt(s: Option<String>) -> Option<String> {
    s.map(clean_owned).filter(|s| !s.is_empty())
}

fn clean_posting(p: Posting) -> Posting {
    let seg = p.segments;
    let src = p.source;
    Posting {
        memo: clean_opt(p.memo),
        segments: Segments {
            subsidiary: clean_opt(seg.subsidiary),
            department: clean_opt(seg.department),
            class: clean_opt(seg.class),
            location: clean_opt(seg.location),
            channel: clean_opt(seg.channel),
            shop: clean_opt(seg.shop),
        },
        source: SourceRef {
            order_id: clean_opt(src.order_id),
            statement_id: clean_opt(src.statement_id),
            payout_id: clean_opt(src.payout_id),
            sheet: clean_opt(src.sheet),
            ..src
        },
        mapping_version: clean_opt(p.mapping_version),
        ..p
    }
}

/// An entry as the ledger holds it: its place in the chain and its hashes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredEntry {
    pub seq: EntryId,
    pub entry: JournalEntry,
    /// When it was written, in UTC, to the microsecond.
    pub created_at: DateTime<Utc>,
    pub created_by: String,
    /// SHA-256 of the entry's content (key, date, kind, text, postings):
    /// what idempotency compares.
    pub content_hash: String,
    pub prev_hash: String,
    /// SHA-256 over the previous hash, the sequence, the time and the content.
    pub hash: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn texts_lose_control_characters_and_the_spaces_around_them() {
        assert_eq!(clean_owned(" a\tb\u{85}c \n".to_string()), "a b c");
        assert_eq!(clean_owned("Sale #1001".to_string()), "Sale #1001");
        assert_eq!(clean_opt(Some(" \t ".to_string())), None);
        assert_eq!(
            clean_opt(Some("\u{3000}shop".to_string())),
            Some("shop".to_string())
        );
    }

    fn text() -> impl Strategy<Value = String> {
        let c = prop_oneof![
            Just(' '),
            Just('\t'),
            Just('\n'),
            Just('\u{85}'),
            Just('\u{a0}'),
            Just('\u{3000}'),
            Just('\u{7f}'),
            Just('a'),
            any::<char>(),
        ];
        prop::collection::vec(c, 0..24).prop_map(|cs| cs.into_iter().collect())
    }

    proptest! {
        /// Keeping a clean string as it is gives what cleaning a copy gives.
        #[test]
        fn keeping_a_clean_text_is_cleaning_it(s in text()) {
            prop_assert_eq!(clean_owned(s.clone()), clean_text(&s));
        }
    }
}
