//! Property tests of the ledger's invariants, through the real store.

mod support;

use proptest::prelude::*;
use rust_decimal::Decimal;
use settlebridge::domain::{
    AccountCode, EntryDraft, EntryError, EntryKind, JournalEntry, Money, Posting, Side,
};
use settlebridge::ledger;
use settlebridge::store::StoreError;
use support::{chart, TestDb};

const CURRENCIES: [&str; 4] = ["USD", "EUR", "JPY", "CAD"];

fn accounts() -> Vec<AccountCode> {
    chart()
        .iter()
        .filter(|a| a.active)
        .map(|a| a.code.clone())
        .collect()
}

/// One currency's postings: debits drawn at random, credits made by
/// grouping the debits, so the block balances exactly by construction.
fn currency_block() -> impl Strategy<Value = (usize, Vec<(usize, Side, i64)>)> {
    (
        0..CURRENCIES.len(),
        prop::collection::vec((1i64..=5_000_000_000, 0usize..100, 0usize..3), 1..5),
    )
        .prop_map(|(currency, debits)| {
            let n = accounts().len();
            let mut lines: Vec<(usize, Side, i64)> = Vec::new();
            let mut buckets = [0i64; 3];
            for (amount, account, bucket) in &debits {
                lines.push((account % n, Side::Debit, *amount));
                buckets[*bucket] += amount;
            }
            for (i, total) in buckets.iter().enumerate() {
                if *total > 0 {
                    lines.push(((i * 7 + debits.len()) % n, Side::Credit, *total));
                }
            }
            (currency, lines)
        })
}

/// A valid draft: one to three currency blocks, amounts scaled to the
/// currency's minor units or finer (up to six decimals).
fn valid_draft() -> impl Strategy<Value = EntryDraft> {
    (
        prop::collection::vec(currency_block(), 1..4),
        0u32..=6,
        0i64..3000,
        "[a-z0-9:-]{1,40}",
    )
        .prop_map(|(blocks, scale, day, key)| {
            let accounts = accounts();
            let mut postings = Vec::new();
            for (currency, lines) in blocks {
                for (account, side, units) in lines {
                    postings.push(Posting::new(
                        accounts[account].clone(),
                        side,
                        Money::new(
                            Decimal::new(units, scale),
                            CURRENCIES[currency].parse().unwrap(),
                        ),
                    ));
                }
            }
            EntryDraft {
                idempotency_key: key,
                date: chrono::NaiveDate::from_ymd_opt(2020, 1, 1).unwrap()
                    + chrono::Duration::days(day),
                kind: EntryKind::Manual,
                description: "property".into(),
                postings,
            }
        })
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 48,
        ..ProptestConfig::default()
    }
}

#[test]
fn valid_entries_balance_and_round_trip_through_both_stores() {
    let rt = runtime();
    let dbs: Vec<TestDb> = rt.block_on(support::all_backends());
    let n = std::cell::Cell::new(0u64);
    proptest!(config(), |(draft in valid_draft())| {
        n.set(n.get() + 1);
        let mut draft = draft;
        draft.idempotency_key = format!("{}:{}", n.get(), draft.idempotency_key);
        let entry = JournalEntry::new(draft, &chart()).expect("valid by construction");
        for (_, (dr, cr)) in entry.totals_by_currency() {
            prop_assert_eq!(dr, cr);
        }
        for db in &dbs {
            let stored = rt.block_on(db.store().post(&entry, "prop")).unwrap();
            let back = rt.block_on(db.store().entry(stored.entry().seq)).unwrap().unwrap();
            prop_assert_eq!(&back.entry, &entry, "{} round trip", db.name);
        }
    });
    for db in &dbs {
        let summary = rt.block_on(ledger::verify(db.store())).unwrap();
        assert_eq!(summary.entries, n.get(), "{}", db.name);
    }
}

/// What breaking a valid draft does.
#[derive(Debug, Clone)]
enum Breakage {
    /// Change one amount by a nonzero delta: unbalanced.
    Nudge(usize, i64),
    /// Make one amount zero or negative.
    NonPositive(usize, i64),
    /// Keep one posting only.
    Truncate,
    /// Point one posting at an account not in the chart.
    UnknownAccount(usize),
}

fn breakage() -> impl Strategy<Value = Breakage> {
    prop_oneof![
        (
            0usize..64,
            prop_oneof![-1_000_000i64..=-1, 1i64..=1_000_000]
        )
            .prop_map(|(i, d)| Breakage::Nudge(i, d)),
        (0usize..64, -1_000_000i64..=0).prop_map(|(i, v)| Breakage::NonPositive(i, v)),
        Just(Breakage::Truncate),
        (0usize..64).prop_map(Breakage::UnknownAccount),
    ]
}

#[test]
fn invalid_entries_are_always_refused_and_the_store_is_unchanged() {
    let rt = runtime();
    let dbs: Vec<TestDb> = rt.block_on(support::all_backends());
    // Something in the ledger already, and a closed period to post into.
    for db in &dbs {
        rt.block_on(
            db.store()
                .post(&support::sale("seed", "2019-12-01", "10.00"), "prop"),
        )
        .unwrap();
        rt.block_on(db.store().close_period("2019-12".parse().unwrap(), "prop"))
            .unwrap();
    }
    proptest!(config(), |(draft in valid_draft(), how in breakage())| {
        let mut broken = draft.clone();
        let len = broken.postings.len();
        match how {
            Breakage::Nudge(i, delta) => {
                let p = &mut broken.postings[i % len];
                let nudged = p.amount.amount + Decimal::new(delta, 6);
                if nudged <= Decimal::ZERO { return Ok(()); }
                p.amount.amount = nudged;
            }
            Breakage::NonPositive(i, v) => broken.postings[i % len].amount.amount = Decimal::new(v, 2),
            Breakage::Truncate => broken.postings.truncate(1),
            Breakage::UnknownAccount(i) => broken.postings[i % len].account = "0000-not-in-chart".parse().unwrap(),
        }
        let err = JournalEntry::new(broken, &chart()).unwrap_err();
        let expected = match how {
            Breakage::Nudge(..) => matches!(err, EntryError::Unbalanced { .. }),
            Breakage::NonPositive(..) => matches!(err, EntryError::NonPositiveAmount { .. } | EntryError::Unbalanced { .. }),
            Breakage::Truncate => matches!(err, EntryError::TooFewPostings { count: 1 }),
            Breakage::UnknownAccount(..) => matches!(err, EntryError::UnknownAccount { .. }),
        };
        prop_assert!(expected, "{:?} gave {}", how, err);

        // What the store refuses: a key reused with other content, or a date
        // in a closed period. Either one, last in a batch, sinks the batch.
        let good = JournalEntry::new(EntryDraft { idempotency_key: "fresh".into(), ..draft.clone() }, &chart()).unwrap();
        let reused = JournalEntry::new(EntryDraft { idempotency_key: "seed".into(), ..draft.clone() }, &chart()).unwrap();
        let closed = JournalEntry::new(
            EntryDraft { idempotency_key: "closed".into(), date: support::date("2019-12-15"), ..draft },
            &chart(),
        ).unwrap();
        for db in &dbs {
            let before = (rt.block_on(db.store().head()).unwrap(), rt.block_on(db.store().counts()).unwrap());
            let err = rt.block_on(db.store().post_batch(&[good.clone(), reused.clone()], "prop")).unwrap_err();
            prop_assert!(matches!(err, StoreError::IdempotencyConflict { .. }), "{}: {}", db.name, err);
            let err = rt.block_on(db.store().post_batch(&[good.clone(), closed.clone()], "prop")).unwrap_err();
            prop_assert!(matches!(err, StoreError::PeriodClosed { .. }), "{}: {}", db.name, err);
            let after = (rt.block_on(db.store().head()).unwrap(), rt.block_on(db.store().counts()).unwrap());
            prop_assert_eq!(before, after, "{}", db.name);
        }
    });
    for db in &dbs {
        rt.block_on(ledger::verify(db.store())).unwrap();
    }
}

#[test]
fn reversing_twice_is_always_refused_and_everything_nets_to_zero() {
    let rt = runtime();
    let dbs: Vec<TestDb> = rt.block_on(support::all_backends());
    let n = std::cell::Cell::new(0u64);
    proptest!(ProptestConfig { cases: 24, ..ProptestConfig::default() }, |(draft in valid_draft())| {
        n.set(n.get() + 1);
        let entry = JournalEntry::new(EntryDraft { idempotency_key: format!("r{}", n.get()), ..draft }, &chart()).unwrap();
        for db in &dbs {
            let id = rt.block_on(db.store().post(&entry, "prop")).unwrap().entry().seq;
            let rev = rt.block_on(db.store().reverse(id, None, "test", "prop")).unwrap();
            let err = rt.block_on(db.store().reverse(id, None, "again", "prop")).unwrap_err();
            prop_assert!(matches!(err, StoreError::AlreadyReversed { by, .. } if by == rev.seq), "{}: {}", db.name, err);
        }
    });
    for db in &dbs {
        let tb = rt
            .block_on(ledger::trial_balance(
                db.store(),
                &chart(),
                ledger::TrialBalanceRange::All,
            ))
            .unwrap();
        assert!(
            tb.rows.iter().all(|r| r.closing.is_zero()),
            "{}: every entry reversed, all balances zero",
            db.name
        );
        assert!(tb.totals.iter().all(|t| t.debits == t.credits));
    }
}
