//! Writing a reconcile's changes: every entry checked against the chart
//! first, then bounded transactions, each one's entries hashed on another
//! core while the one before is written.

use crate::domain::hashing::HashedEntry;
use crate::domain::parallel::{map_in_order, pieces};
use crate::domain::{ChartOfAccounts, JournalEntry};
use crate::store::{BookingWrite, LedgerStore};

use super::ReconcileError;

/// Writes per transaction: large enough to be fast (each commit rewrites
/// every index page it touched into SQLite's WAL, and a big shop's random
/// keys — idempotency keys, booking subjects, amounts — touch most of
/// their index's pages in every transaction: at a million orders 200,000 a
/// transaction instead of 50,000 took SQLite's commits from 24 s to 12 s),
/// small enough that a million-order shop holds the write lock seconds at a
/// time (about 8 s on the 2-core machine), not minutes.
const WRITES_PER_TX: usize = 200_000;

/// The pause between two transactions. SQLite keeps no queue for its write
/// lock: a writer waiting for it (an import, a period close) retries every
/// 100 ms at most, and would miss a shorter gap every time until its busy
/// timeout ran out. A million orders pay it ten times.
const LOCK_GAP: std::time::Duration = std::time::Duration::from_millis(150);

/// Writes the changes in bounded transactions; returns entries written.
/// Every entry is checked against the chart first, so a bad one stops the
/// run before anything is written. Each transaction's entries are hashed on
/// another thread while the one before is written: the hashing is CPU, the
/// write is mostly the database's, and a machine has a core for each.
pub(crate) async fn apply(
    store: &dyn LedgerStore,
    chart: &ChartOfAccounts,
    scope: &str,
    shop: &str,
    changes: Vec<crate::domain::booking::changes::BookingChange>,
    actor: &str,
) -> Result<usize, ReconcileError> {
    apply_in_transactions(store, chart, scope, shop, changes, actor, WRITES_PER_TX).await
}

async fn apply_in_transactions(
    store: &dyn LedgerStore,
    chart: &ChartOfAccounts,
    scope: &str,
    shop: &str,
    changes: Vec<crate::domain::booking::changes::BookingChange>,
    actor: &str,
    per_transaction: usize,
) -> Result<usize, ReconcileError> {
    let checked = check_against_chart(changes, chart)?;
    let mut chunks = pieces(checked, per_transaction).into_iter();
    // The first transaction waits for its hashes, computed on every core;
    // each later one's are computed on one core while the previous writes.
    let mut next = chunks
        .next()
        .map(|c| tokio::task::spawn_blocking(move || hash_writes(c, true)));
    let mut written = 0;
    while let Some(hashing) = next.take() {
        let writes = match hashing.await {
            Ok(writes) => writes,
            Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
            Err(e) => panic!("hashing entries ahead of the write: {e}"),
        };
        next = chunks
            .next()
            .map(|c| tokio::task::spawn_blocking(move || hash_writes(c, false)));
        written += store.apply_bookings(scope, shop, writes, actor).await?;
        if next.is_some() {
            tokio::time::sleep(LOCK_GAP).await;
        }
    }
    Ok(written)
}

/// A booking checked against the chart, before its entry is hashed.
type CheckedWrite = (
    crate::domain::booking::Subject,
    Option<crate::domain::booking::changes::Reversal>,
    Option<(i64, String, JournalEntry)>,
);

/// Each change's entry checked against the chart, in order; the first bad
/// one is the error. A big shop's millions are checked on every core.
fn check_against_chart(
    changes: Vec<crate::domain::booking::changes::BookingChange>,
    chart: &ChartOfAccounts,
) -> Result<Vec<CheckedWrite>, ReconcileError> {
    let check = |change: crate::domain::booking::changes::BookingChange| {
        let book = match change.book {
            None => None,
            Some((revision, planned)) => {
                let entry = JournalEntry::new(planned.draft, chart).map_err(|source| {
                    ReconcileError::Entry {
                        subject: change.subject.0.clone(),
                        source,
                    }
                })?;
                Some((revision, planned.basis_hash, entry))
            }
        };
        Ok((change.subject, change.reverse, book))
    };
    // The first bad one in order is the error, whichever core found it.
    map_in_order(changes, 20_000, check).into_iter().collect()
}

/// The writes of one transaction, their entries hashed (on every core when
/// `all_cores`).
fn hash_writes(chunk: Vec<CheckedWrite>, all_cores: bool) -> Vec<BookingWrite> {
    let hash = |(subject, reverse, book): CheckedWrite| BookingWrite {
        subject,
        reverse,
        book: book.map(|(r, basis, entry)| (r, basis, HashedEntry::new(entry))),
    };
    if all_cores {
        map_in_order(chunk, 2000, hash)
    } else {
        chunk.into_iter().map(hash).collect()
    }
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;
    use rust_decimal::Decimal;

    use super::*;
    use crate::domain::booking::changes::BookingChange;
    use crate::domain::booking::{PlannedEntry, Subject};
    use crate::domain::entry::{EntryDraft, EntryKind, Posting, Side};
    use crate::domain::hashing::content_hash;
    use crate::domain::{EntryId, Money};

    fn chart() -> ChartOfAccounts {
        ChartOfAccounts::from_toml(crate::gl_mappings::DEFAULT_ACCOUNTS_TOML).unwrap()
    }

    /// A sale of i dollars and cents, debiting `debit`.
    fn change(i: usize, debit: &str) -> BookingChange {
        let amount = Money::new(Decimal::new(100 + i as i64, 2), "USD".parse().unwrap());
        let subject = Subject(format!("shopify/s/sale/{i}"));
        let draft = EntryDraft {
            idempotency_key: subject.0.clone(),
            date: NaiveDate::from_ymd_opt(2026, 11, 1 + (i % 28) as u32).unwrap(),
            kind: EntryKind::Sale,
            description: format!("Sale {i}"),
            postings: vec![
                Posting::new(debit.parse().unwrap(), Side::Debit, amount),
                Posting::new("1020".parse().unwrap(), Side::Credit, amount),
            ],
        };
        BookingChange {
            subject: subject.clone(),
            reverse: None,
            book: Some((
                1,
                PlannedEntry {
                    subject,
                    basis_hash: format!("basis {i}"),
                    draft,
                },
            )),
        }
    }

    #[test]
    fn checking_on_every_core_keeps_the_order_and_names_the_first_bad_entry() {
        let chart = chart();
        let good: Vec<_> = (0..30_000).map(|i| change(i, "1010")).collect();
        let checked = check_against_chart(good, &chart).unwrap();
        assert_eq!(checked.len(), 30_000);
        for (i, (subject, _, book)) in checked.iter().enumerate() {
            assert_eq!(subject.0, format!("shopify/s/sale/{i}"));
            assert_eq!(book.as_ref().unwrap().2.idempotency_key(), subject.0);
        }
        let bad: Vec<_> = (0..30_000)
            .map(|i| {
                change(
                    i,
                    if i == 17_000 || i == 25_000 {
                        "9999"
                    } else {
                        "1010"
                    },
                )
            })
            .collect();
        match check_against_chart(bad, &chart) {
            Err(ReconcileError::Entry { subject, .. }) => {
                assert_eq!(subject, "shopify/s/sale/17000")
            }
            other => panic!(
                "expected the first bad entry, got {:?}",
                other.map(|c| c.len())
            ),
        }
    }

    #[test]
    fn hashing_on_one_core_or_all_gives_each_entry_its_own_hash_in_order() {
        let chart = chart();
        let checked = || {
            let mut c = check_against_chart((0..3000).map(|i| change(i, "1010")).collect(), &chart)
                .unwrap();
            // A write that books nothing (a withdrawal's shell) keeps its place.
            c[1500].2 = None;
            c
        };
        let expected: Vec<Option<String>> = checked()
            .iter()
            .map(|(_, _, b)| b.as_ref().map(|(_, _, e)| content_hash(e)))
            .collect();
        for all_cores in [false, true] {
            let writes = hash_writes(checked(), all_cores);
            let found: Vec<Option<String>> = writes
                .iter()
                .map(|w| {
                    w.book
                        .as_ref()
                        .map(|(_, _, e)| e.content_hash().to_string())
                })
                .collect();
            assert_eq!(found, expected, "all cores: {all_cores}");
            assert_eq!(writes[2999].subject.0, "shopify/s/sale/2999");
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn transactions_hashed_ahead_book_every_entry_once_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("books.db").display());
        let store = crate::store::connect(&url).await.unwrap();
        let chart = chart();
        store.sync_chart(&chart).await.unwrap();
        let changes = || (0..2500).map(|i| change(i, "1010")).collect::<Vec<_>>();
        let written = apply_in_transactions(&*store, &chart, "shopify", "s", changes(), "t", 700)
            .await
            .unwrap();
        assert_eq!(written, 2500);
        for i in [0usize, 699, 700, 1399, 2499] {
            let e = store.entry(EntryId(i as i64 + 1)).await.unwrap().unwrap();
            assert_eq!(e.entry.idempotency_key(), format!("shopify/s/sale/{i}"));
            assert_eq!(e.content_hash, content_hash(&e.entry));
        }
        crate::ledger::verify(&*store).await.unwrap();
        // The same changes again: every key is there with the same content.
        let again = apply_in_transactions(&*store, &chart, "shopify", "s", changes(), "t", 700)
            .await
            .unwrap();
        assert_eq!(again, 0);
        assert_eq!(store.counts().await.unwrap().entries, 2500);
    }
}
