//! A seeded simulator: random sequences of ledger operations against the real
//! store (both backends), checked against a simple model after every step.
//! A failure prints the seed; `SIM_SEED=<seed>` replays exactly that run.
//! `SIM_SEEDS` and `SIM_STEPS` make the run longer.

mod support;

use std::collections::{BTreeMap, BTreeSet};

use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rust_decimal::Decimal;
use settlebridge::domain::{
    AccountCode, Currency, EntryDraft, EntryId, EntryKind, JournalEntry, Money, Period, Posting,
    Side,
};
use settlebridge::ledger::{self, TrialBalanceRange};
use settlebridge::store::{LedgerStore, Posted, StoreError};
use support::chart;

#[derive(Clone)]
struct ModelEntry {
    entry: JournalEntry,
    reversed: bool,
}

#[derive(Default)]
struct Model {
    entries: Vec<ModelEntry>,
    closed: BTreeSet<Period>,
    balances: BTreeMap<(AccountCode, Currency), Decimal>,
    next_key: u64,
}

impl Model {
    fn apply(&mut self, entry: &JournalEntry) {
        for p in entry.postings() {
            *self
                .balances
                .entry((p.account.clone(), p.amount.currency))
                .or_default() += p.signed_amount();
        }
        self.entries.push(ModelEntry {
            entry: entry.clone(),
            reversed: false,
        });
    }
}

const PERIODS: [&str; 6] = [
    "2024-01", "2024-02", "2024-03", "2024-04", "2024-05", "2024-06",
];

fn random_entry(rng: &mut ChaCha8Rng, key: String, period: Period) -> JournalEntry {
    let accounts: Vec<AccountCode> = chart().iter().map(|a| a.code.clone()).collect();
    let currency: Currency = ["USD", "EUR", "JPY"].choose(rng).unwrap().parse().unwrap();
    let scale = currency.minor_units();
    let debits: Vec<i64> = (0..rng.gen_range(1..4))
        .map(|_| rng.gen_range(1..1_000_000))
        .collect();
    let total: i64 = debits.iter().sum();
    let mut postings: Vec<Posting> = debits
        .iter()
        .map(|d| {
            Posting::new(
                accounts.choose(rng).unwrap().clone(),
                Side::Debit,
                Money::new(Decimal::new(*d, scale), currency),
            )
        })
        .collect();
    // Split the credit side in one or two.
    let first = if total > 1 && rng.gen_bool(0.5) {
        rng.gen_range(1..total)
    } else {
        total
    };
    for amount in [first, total - first] {
        if amount > 0 {
            postings.push(Posting::new(
                accounts.choose(rng).unwrap().clone(),
                Side::Credit,
                Money::new(Decimal::new(amount, scale), currency),
            ));
        }
    }
    let day = rng.gen_range(0..28);
    JournalEntry::new(
        EntryDraft {
            idempotency_key: key,
            date: period.first_day() + chrono::Duration::days(day),
            kind: EntryKind::Manual,
            description: format!("sim entry, day {day}"),
            postings,
        },
        &chart(),
    )
    .unwrap()
}

async fn check_invariants(store: &dyn LedgerStore, model: &Model) -> Result<(), String> {
    let summary = ledger::verify(store)
        .await
        .map_err(|e| format!("verify failed: {e}"))?;
    if summary.entries != model.entries.len() as u64 {
        return Err(format!(
            "store has {} entries, model {}",
            summary.entries,
            model.entries.len()
        ));
    }
    let tb = ledger::trial_balance(store, &chart(), TrialBalanceRange::All)
        .await
        .map_err(|e| e.to_string())?;
    if !tb.is_balanced() {
        return Err("trial balance does not balance".into());
    }
    let mut from_store: BTreeMap<(AccountCode, Currency), Decimal> = BTreeMap::new();
    for r in &tb.rows {
        if !r.closing.is_zero() {
            from_store.insert((r.account.clone(), r.currency), r.closing);
        }
    }
    let expected: BTreeMap<_, _> = model
        .balances
        .iter()
        .filter(|(_, v)| !v.is_zero())
        .map(|(k, v)| (k.clone(), *v))
        .collect();
    if from_store != expected {
        return Err(format!(
            "balances differ:\n store {from_store:?}\n model {expected:?}"
        ));
    }
    let closed: BTreeSet<Period> = store
        .period_states()
        .await
        .map_err(|e| e.to_string())?
        .into_iter()
        .filter(|s| s.status == settlebridge::domain::PeriodStatus::Closed)
        .map(|s| s.period)
        .collect();
    if closed != model.closed {
        return Err(format!(
            "closed periods differ: store {closed:?}, model {:?}",
            model.closed
        ));
    }
    Ok(())
}

async fn step(
    rng: &mut ChaCha8Rng,
    store: &dyn LedgerStore,
    model: &mut Model,
) -> Result<String, String> {
    let period: Period = PERIODS.choose(rng).unwrap().parse().unwrap();
    let op = rng.gen_range(0..100);
    match op {
        // Post a new entry (or several at once).
        0..=39 => {
            let n = if rng.gen_bool(0.3) {
                rng.gen_range(2..5)
            } else {
                1
            };
            let batch: Vec<JournalEntry> = (0..n)
                .map(|_| {
                    model.next_key += 1;
                    let p: Period = PERIODS.choose(rng).unwrap().parse().unwrap();
                    random_entry(rng, format!("k{}", model.next_key), p)
                })
                .collect();
            let closed_hit = batch.iter().find(|e| model.closed.contains(&e.period()));
            match (store.post_batch(&batch, "sim").await, closed_hit) {
                (Err(StoreError::PeriodClosed { .. }), Some(_)) => {
                    Ok(format!("batch of {n} refused: closed period"))
                }
                (Ok(posted), None) => {
                    for (i, (p, e)) in posted.iter().zip(&batch).enumerate() {
                        let want = model.entries.len() as i64 + 1;
                        if !matches!(p, Posted::Created(s) if s.seq == EntryId(want)) {
                            return Err(format!(
                                "batch item {i}: expected new entry #{want}, got {p:?}"
                            ));
                        }
                        model.apply(e);
                    }
                    Ok(format!("posted batch of {n}"))
                }
                (got, _) => Err(format!("post batch: unexpected {got:?}")),
            }
        }
        // Repeat an existing key with the same content.
        40..=51 if !model.entries.is_empty() => {
            let i = rng.gen_range(0..model.entries.len());
            let e = model.entries[i].entry.clone();
            match store.post(&e, "sim").await {
                Ok(Posted::Existing(s)) if s.seq == EntryId(i as i64 + 1) => {
                    Ok(format!("repeat #{} idempotent", i + 1))
                }
                other => Err(format!("repeat of #{}: {other:?}", i + 1)),
            }
        }
        // Repeat a key with different content.
        52..=59 if !model.entries.is_empty() => {
            let i = rng.gen_range(0..model.entries.len());
            let key = model.entries[i].entry.idempotency_key().to_string();
            let other = random_entry(rng, key, period);
            if other == model.entries[i].entry {
                return Ok("skipped identical".into());
            }
            match store.post(&other, "sim").await {
                Err(StoreError::IdempotencyConflict { existing, .. })
                    if existing == EntryId(i as i64 + 1) =>
                {
                    Ok(format!("conflict on #{} refused", i + 1))
                }
                got => Err(format!("conflicting repeat of #{}: {got:?}", i + 1)),
            }
        }
        // Reverse an entry (again, perhaps; or a reversal).
        60..=74 if !model.entries.is_empty() => {
            let i = rng.gen_range(0..model.entries.len());
            let id = EntryId(i as i64 + 1);
            let target = model.entries[i].clone();
            let got = store.reverse(id, None, "sim", "sim").await;
            if target.entry.kind() == EntryKind::Reversal {
                return match got {
                    Err(StoreError::ReversalOfReversal(_)) => {
                        Ok(format!("reversal of reversal #{} refused", i + 1))
                    }
                    other => Err(format!("reverse reversal #{}: {other:?}", i + 1)),
                };
            }
            if target.reversed {
                return match got {
                    Err(StoreError::AlreadyReversed { .. }) => {
                        Ok(format!("second reversal of #{} refused", i + 1))
                    }
                    other => Err(format!("second reversal of #{}: {other:?}", i + 1)),
                };
            }
            let mut expected_period = target.entry.period();
            while model.closed.contains(&expected_period) {
                expected_period = expected_period.next();
            }
            let expected_date = if expected_period == target.entry.period() {
                target.entry.date()
            } else {
                expected_period.first_day()
            };
            match got {
                Ok(rev)
                    if rev.entry.date() == expected_date && rev.entry.reverses() == Some(id) =>
                {
                    model.entries[i].reversed = true;
                    model.apply(&rev.entry);
                    Ok(format!("reversed #{} on {expected_date}", i + 1))
                }
                other => Err(format!(
                    "reverse #{} (expected date {expected_date}): {other:?}",
                    i + 1
                )),
            }
        }
        // Close a period.
        75..=86 => match (
            store.close_period(period, "sim").await,
            model.closed.contains(&period),
        ) {
            (Err(StoreError::PeriodAlreadyClosed(_)), true) => {
                Ok(format!("{period} already closed"))
            }
            (Ok(_), false) => {
                model.closed.insert(period);
                Ok(format!("closed {period}"))
            }
            (got, _) => Err(format!("close {period}: {got:?}")),
        },
        // Reopen a period.
        87..=94 => match (
            store.reopen_period(period, "sim reason", "sim").await,
            model.closed.contains(&period),
        ) {
            (Err(StoreError::PeriodNotClosed(_)), false) => Ok(format!("{period} was open")),
            (Ok(()), true) => {
                model.closed.remove(&period);
                Ok(format!("reopened {period}"))
            }
            (got, _) => Err(format!("reopen {period}: {got:?}")),
        },
        // Post straight into a closed period.
        _ => {
            let Some(closed) = model.closed.iter().next().copied() else {
                return Ok("no closed period".into());
            };
            model.next_key += 1;
            let e = random_entry(rng, format!("k{}", model.next_key), closed);
            match store.post(&e, "sim").await {
                Err(StoreError::PeriodClosed { period, .. }) if period == closed => {
                    Ok(format!("post into {closed} refused"))
                }
                other => Err(format!("post into closed {closed}: {other:?}")),
            }
        }
    }
}

async fn run_seed(seed: u64, steps: usize, db: &support::TestDb) -> Result<(), String> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut model = Model::default();
    let mut log = Vec::new();
    for n in 0..steps {
        let result = step(&mut rng, db.store(), &mut model).await;
        let outcome = match result {
            Ok(what) => {
                log.push(what);
                check_invariants(db.store(), &model).await
            }
            Err(e) => Err(e),
        };
        if let Err(e) = outcome {
            let recent = log
                .iter()
                .rev()
                .take(5)
                .rev()
                .cloned()
                .collect::<Vec<_>>()
                .join("\n    ");
            return Err(format!("step {n}: {e}\n  last steps:\n    {recent}"));
        }
    }
    Ok(())
}

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

#[tokio::test]
async fn random_operation_sequences_keep_every_invariant() {
    let seeds: Vec<u64> = match std::env::var("SIM_SEED") {
        Ok(s) => vec![s.parse().expect("SIM_SEED is a number")],
        Err(_) => {
            let base = env_number("SIM_BASE_SEED", 20_241_123);
            (0..env_number("SIM_SEEDS", 6)).map(|i| base + i).collect()
        }
    };
    let steps = env_number("SIM_STEPS", 80) as usize;
    for seed in seeds {
        // A fresh database per seed and backend, so a seed replays alone.
        for db in support::all_backends().await {
            if let Err(e) = run_seed(seed, steps, &db).await {
                panic!(
                    "ledger simulator failed on {} with seed {seed}: {e}\n\
                     replay: SIM_SEED={seed} cargo test --test ledger_simulator",
                    db.name
                );
            }
        }
    }
}
