//! The ledger's rules on write, written once for both backends: idempotency,
//! closed periods, reversals at most once, and the hash chain. Each backend
//! supplies a `LedgerTx` over a transaction that holds the ledger's write
//! lock, so two writers can never interleave in the chain.

use std::collections::{BTreeSet, HashMap};

use async_trait::async_trait;
use chrono::{NaiveDate, Utc};

use super::batch_sql::FoundKeys;
use super::{Posted, StoreError, TotalsQuery};
use crate::domain::hashing::{chain_hash, hash_all, seal_hash, truncate_to_micros, HashedEntry};
use crate::domain::verify::PeriodSeal;
use crate::domain::{AccountTotals, EntryId, EntryKind, JournalEntry, Period, StoredEntry};

/// The operations the rules need inside one write transaction.
#[async_trait]
pub trait LedgerTx: Send {
    /// For each of `keys` already in the ledger: its entry's sequence and content hash.
    async fn find_keys(&mut self, keys: &[&str]) -> Result<FoundKeys, StoreError>;
    async fn load_entry(&mut self, id: EntryId) -> Result<Option<StoredEntry>, StoreError>;
    async fn reversed_by(&mut self, id: EntryId) -> Result<Option<EntryId>, StoreError>;
    /// Periods whose latest event is a close.
    async fn closed_periods(&mut self) -> Result<BTreeSet<Period>, StoreError>;
    async fn head(&mut self) -> Result<(i64, String), StoreError>;
    /// Inserts entries and their postings (already chained, in order).
    async fn insert_entries(&mut self, entries: &[StoredEntry]) -> Result<(), StoreError>;
    async fn set_head(&mut self, seq: i64, hash: &str) -> Result<(), StoreError>;
    async fn account_totals(
        &mut self,
        query: TotalsQuery,
    ) -> Result<Vec<AccountTotals>, StoreError>;
    async fn insert_close(&mut self, seal: &PeriodSeal, actor: &str) -> Result<(), StoreError>;
    async fn insert_reopen(
        &mut self,
        period: Period,
        reason: &str,
        actor: &str,
    ) -> Result<(), StoreError>;
}

/// What became of each entry of a batch, before results are assembled.
enum Outcome {
    Created(usize),
    /// The same key and content as an entry already in the ledger.
    Existing(EntryId),
    /// The same key and content as an earlier entry of this batch.
    RepeatInBatch(usize),
}

/// Writes `entries` in order. The caller commits only if this returns Ok.
pub async fn post_batch<T: LedgerTx + ?Sized>(
    tx: &mut T,
    entries: &[JournalEntry],
    actor: &str,
) -> Result<Vec<Posted>, StoreError> {
    let (outcomes, created) = write_entries(tx, hash_all(entries.to_vec()), actor).await?;
    let mut out = Vec::with_capacity(outcomes.len());
    for outcome in outcomes {
        out.push(match outcome {
            Outcome::Created(i) => Posted::Created(created[i].clone()),
            Outcome::RepeatInBatch(i) => Posted::Existing(created[i].clone()),
            Outcome::Existing(id) => Posted::Existing(
                tx.load_entry(id)
                    .await?
                    .ok_or(StoreError::EntryNotFound(id))?,
            ),
        });
    }
    Ok(out)
}

/// Like `post_batch`, for bulk writers that need only which entries were
/// new: the sequence of each created entry, None for one already there.
/// Takes the entries by value, hashed ahead, so a million of them are not
/// copied and the writer does not wait for their hashes.
pub async fn post_batch_seqs<T: LedgerTx + ?Sized>(
    tx: &mut T,
    entries: Vec<HashedEntry>,
    actor: &str,
) -> Result<Vec<Option<EntryId>>, StoreError> {
    let (outcomes, created) = write_entries(tx, entries, actor).await?;
    Ok(outcomes
        .into_iter()
        .map(|o| match o {
            Outcome::Created(i) => Some(created[i].seq),
            Outcome::RepeatInBatch(_) | Outcome::Existing(_) => None,
        })
        .collect())
}

/// The rules of `post_batch`: idempotency, closed periods, the chain.
async fn write_entries<T: LedgerTx + ?Sized>(
    tx: &mut T,
    entries: Vec<HashedEntry>,
    actor: &str,
) -> Result<(Vec<Outcome>, Vec<StoredEntry>), StoreError> {
    let clock = std::time::Instant::now();
    let keys: Vec<&str> = entries
        .iter()
        .map(|e| e.entry().idempotency_key())
        .collect();
    let found = tx.find_keys(&keys).await?;
    drop(keys);
    let closed = tx.closed_periods().await?;
    let (mut seq, mut prev_hash) = tx.head().await?;
    let looked_up = clock.elapsed().as_secs_f64();
    let mut created: Vec<StoredEntry> = Vec::new();
    let mut in_batch: HashMap<String, usize> = HashMap::new();
    let mut outcomes = Vec::with_capacity(entries.len());
    for (entry, content) in entries.into_iter().map(HashedEntry::into_parts) {
        let key = entry.idempotency_key();
        let conflict = |existing| StoreError::IdempotencyConflict {
            key: key.to_string(),
            existing,
        };
        if let Some((existing, existing_content)) = found.get(key) {
            if *existing_content != content {
                return Err(conflict(*existing));
            }
            outcomes.push(Outcome::Existing(*existing));
            continue;
        }
        if let Some(&i) = in_batch.get(key) {
            if created[i].content_hash != content {
                return Err(conflict(created[i].seq));
            }
            outcomes.push(Outcome::RepeatInBatch(i));
            continue;
        }
        if closed.contains(&entry.period()) {
            return Err(StoreError::PeriodClosed {
                key: key.to_string(),
                date: entry.date(),
                period: entry.period(),
            });
        }
        seq += 1;
        let created_at = truncate_to_micros(Utc::now());
        let hash = chain_hash(EntryId(seq), &prev_hash, created_at, actor, &content);
        in_batch.insert(key.to_string(), created.len());
        outcomes.push(Outcome::Created(created.len()));
        created.push(StoredEntry {
            seq: EntryId(seq),
            entry,
            created_at,
            created_by: actor.to_string(),
            content_hash: content,
            prev_hash: std::mem::replace(&mut prev_hash, hash.clone()),
            hash,
        });
    }
    let chained = clock.elapsed().as_secs_f64() - looked_up;
    if !created.is_empty() {
        tx.insert_entries(&created).await?;
        tx.set_head(seq, &prev_hash).await?;
    }
    tracing::debug!(
        entries = outcomes.len(),
        created = created.len(),
        looked_up,
        chained,
        inserted = clock.elapsed().as_secs_f64() - looked_up - chained,
        "wrote a batch of entries"
    );
    Ok((outcomes, created))
}

pub async fn reverse<T: LedgerTx + ?Sized>(
    tx: &mut T,
    id: EntryId,
    date: Option<NaiveDate>,
    reason: &str,
    actor: &str,
) -> Result<StoredEntry, StoreError> {
    let original = tx
        .load_entry(id)
        .await?
        .ok_or(StoreError::EntryNotFound(id))?;
    if original.entry.kind() == EntryKind::Reversal {
        return Err(StoreError::ReversalOfReversal(id));
    }
    if let Some(by) = tx.reversed_by(id).await? {
        return Err(StoreError::AlreadyReversed { id, by });
    }
    let closed = tx.closed_periods().await?;
    let original_date = original.entry.date();
    let date = match date {
        Some(d) if d < original_date => {
            return Err(StoreError::ReversalBeforeOriginal {
                id,
                original: original_date,
                date: d,
            })
        }
        Some(d) => {
            crate::domain::entry::check_date(d)?;
            d
        }
        None => {
            let mut period = Period::of(original_date);
            if !closed.contains(&period) {
                original_date
            } else {
                while closed.contains(&period) {
                    period = period.next();
                }
                period.first_day()
            }
        }
    };
    let reversal = JournalEntry::reversal_of(&original, date, reason);
    let posted = post_batch(tx, std::slice::from_ref(&reversal), actor).await?;
    match posted.into_iter().next() {
        Some(Posted::Created(e)) => Ok(e),
        // The reversal key was taken without a reversal link: refuse rather
        // than report a reversal that did not happen.
        Some(Posted::Existing(e)) => Err(StoreError::IdempotencyConflict {
            key: reversal.idempotency_key().to_string(),
            existing: e.seq,
        }),
        None => unreachable!("one entry in, one result out"),
    }
}

pub async fn close_period<T: LedgerTx + ?Sized>(
    tx: &mut T,
    period: Period,
    actor: &str,
) -> Result<PeriodSeal, StoreError> {
    if tx.closed_periods().await?.contains(&period) {
        return Err(StoreError::PeriodAlreadyClosed(period));
    }
    let (head_seq, head_hash) = tx.head().await?;
    let balances = tx
        .account_totals(TotalsQuery {
            from: None,
            to: Some(period.last_day()),
            max_seq: Some(head_seq),
            from_postings: false,
        })
        .await?;
    let seal = PeriodSeal {
        period,
        closed_at: truncate_to_micros(Utc::now()),
        seal_hash: seal_hash(period, head_seq, &head_hash, &balances),
        head_seq,
        head_hash,
    };
    tx.insert_close(&seal, actor).await?;
    Ok(seal)
}

pub async fn reopen_period<T: LedgerTx + ?Sized>(
    tx: &mut T,
    period: Period,
    reason: &str,
    actor: &str,
) -> Result<(), StoreError> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(StoreError::ReasonRequired);
    }
    if !tx.closed_periods().await?.contains(&period) {
        return Err(StoreError::PeriodNotClosed(period));
    }
    tx.insert_reopen(period, reason, actor).await
}
