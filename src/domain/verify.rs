//! Re-checking a ledger from its stored rows: the hash chain, each entry's
//! balance, the global balance per currency, and the seals of closed periods.
//! The store streams entries in; this module decides what is wrong.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::Serialize;

use super::entry::{EntryError, EntryId, StoredEntry};
use super::hashing::{chain_hash, content_hash, seal_hash, GENESIS_HASH};
use super::money::{format_amount, Currency};
use super::period::Period;
use super::trial_balance::AccountTotals;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerifyProblem {
    #[error("entry {found} follows entry #{previous}: the sequence has a gap or is out of order (an entry was removed?)")]
    SequenceGap { previous: i64, found: EntryId },
    #[error("entry {seq}: prev_hash {stored} does not match the hash of the entry before it ({expected})")]
    BrokenLink {
        seq: EntryId,
        stored: String,
        expected: String,
    },
    #[error("entry {seq} ({key}): its content no longer matches its hash — the entry or its postings were changed after they were written (stored {stored}, recomputed {recomputed})")]
    ContentChanged {
        seq: EntryId,
        key: String,
        stored: String,
        recomputed: String,
    },
    #[error("entry {seq} ({key}): its chain hash does not match (stored {stored}, recomputed {recomputed}) — its sequence, time or author was changed")]
    HashMismatch {
        seq: EntryId,
        key: String,
        stored: String,
        recomputed: String,
    },
    #[error("entry {seq} ({key}): {error}")]
    NotDoubleEntry {
        seq: EntryId,
        key: String,
        error: Box<EntryError>,
    },
    #[error("the running totals of account {account} ({kept}) differ from its postings ({summed}): account_balances was changed outside settlebridge")]
    BalancesDiffer {
        /// Account and currency.
        account: String,
        /// "debits …, credits …" as kept and as summed.
        kept: String,
        summed: String,
    },
    #[error("the ledger does not balance in {currency}: debits {debits}, credits {credits}")]
    GlobalImbalance {
        currency: Currency,
        debits: String,
        credits: String,
    },
    #[error("the ledger head says entry #{head_seq} with hash {head_hash}, but the last entry is #{last_seq} with hash {last_hash}")]
    HeadMismatch {
        head_seq: i64,
        head_hash: String,
        last_seq: i64,
        last_hash: String,
    },
    #[error("period {period} (closed {closed_at}): the seal no longer matches — its trial balance or last entry changed since it was closed (stored {stored}, recomputed {recomputed})")]
    SealBroken {
        period: Period,
        closed_at: DateTime<Utc>,
        stored: String,
        recomputed: String,
    },
}

/// What `verify` read when everything held.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct VerifySummary {
    pub entries: u64,
    pub postings: u64,
    pub seals: u64,
    pub last_seq: i64,
    pub last_hash: String,
    /// Σ debits per currency over the whole ledger (equal to Σ credits).
    pub volume: BTreeMap<String, String>,
}

/// Checks entries one at a time, in sequence order.
pub struct ChainVerifier {
    last_seq: i64,
    last_hash: String,
    totals: BTreeMap<Currency, (Decimal, Decimal)>,
    entries: u64,
    postings: u64,
}

impl Default for ChainVerifier {
    fn default() -> Self {
        ChainVerifier {
            last_seq: 0,
            last_hash: GENESIS_HASH.to_string(),
            totals: BTreeMap::new(),
            entries: 0,
            postings: 0,
        }
    }
}

impl ChainVerifier {
    pub fn check(&mut self, e: &StoredEntry) -> Result<(), VerifyProblem> {
        let key = || e.entry.idempotency_key().to_string();
        if e.seq.0 != self.last_seq + 1 {
            return Err(VerifyProblem::SequenceGap {
                previous: self.last_seq,
                found: e.seq,
            });
        }
        if e.prev_hash != self.last_hash {
            return Err(VerifyProblem::BrokenLink {
                seq: e.seq,
                stored: e.prev_hash.clone(),
                expected: self.last_hash.clone(),
            });
        }
        let recomputed = content_hash(&e.entry);
        if recomputed != e.content_hash {
            return Err(VerifyProblem::ContentChanged {
                seq: e.seq,
                key: key(),
                stored: e.content_hash.clone(),
                recomputed,
            });
        }
        let recomputed = chain_hash(
            e.seq,
            &e.prev_hash,
            e.created_at,
            &e.created_by,
            &e.content_hash,
        );
        if recomputed != e.hash {
            return Err(VerifyProblem::HashMismatch {
                seq: e.seq,
                key: key(),
                stored: e.hash.clone(),
                recomputed,
            });
        }
        e.entry
            .check_double_entry()
            .map_err(|error| VerifyProblem::NotDoubleEntry {
                seq: e.seq,
                key: key(),
                error: Box::new(error),
            })?;
        for (currency, (dr, cr)) in e.entry.totals_by_currency() {
            let t = self.totals.entry(currency).or_default();
            t.0 += dr;
            t.1 += cr;
        }
        self.entries += 1;
        self.postings += e.entry.postings().len() as u64;
        self.last_seq = e.seq.0;
        self.last_hash = e.hash.clone();
        Ok(())
    }

    /// After the last entry: the global balance, and the stored chain head
    /// (which catches entries removed from the end).
    pub fn finish(self, head: Option<(i64, String)>) -> Result<VerifySummary, VerifyProblem> {
        for (currency, (dr, cr)) in &self.totals {
            if dr != cr {
                return Err(VerifyProblem::GlobalImbalance {
                    currency: *currency,
                    debits: format_amount(*dr, *currency),
                    credits: format_amount(*cr, *currency),
                });
            }
        }
        let (head_seq, head_hash) = head.unwrap_or((0, GENESIS_HASH.to_string()));
        if head_seq != self.last_seq || head_hash != self.last_hash {
            return Err(VerifyProblem::HeadMismatch {
                head_seq,
                head_hash,
                last_seq: self.last_seq,
                last_hash: self.last_hash,
            });
        }
        Ok(VerifySummary {
            entries: self.entries,
            postings: self.postings,
            seals: 0,
            last_seq: self.last_seq,
            last_hash: self.last_hash,
            volume: self
                .totals
                .iter()
                .map(|(c, (dr, _))| (c.to_string(), format_amount(*dr, *c)))
                .collect(),
        })
    }
}

/// A period close as stored: what the seal was computed over.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PeriodSeal {
    pub period: Period,
    pub closed_at: DateTime<Utc>,
    pub head_seq: i64,
    pub head_hash: String,
    pub seal_hash: String,
}

/// Recomputes a seal from the balances as of the period's end (entries up
/// to the seal's head) and compares it with the stored one.
pub fn check_seal(seal: &PeriodSeal, balances: &[AccountTotals]) -> Result<(), VerifyProblem> {
    let recomputed = seal_hash(seal.period, seal.head_seq, &seal.head_hash, balances);
    if recomputed != seal.seal_hash {
        return Err(VerifyProblem::SealBroken {
            period: seal.period,
            closed_at: seal.closed_at,
            stored: seal.seal_hash.clone(),
            recomputed,
        });
    }
    Ok(())
}
