//! Periods, reversals and tamper evidence, proven on SQLite and on PostgreSQL alike.

mod support;

use settlebridge::domain::{EntryId, EntryKind, Period};
use settlebridge::ledger::{self, TrialBalanceRange, VerifyError};
use settlebridge::store::StoreError;
use support::{all_backends, chart, date, entry, sale};

#[tokio::test]
async fn closed_periods_refuse_entries_and_reopen_needs_a_reason() {
    for db in all_backends().await {
        let jan: Period = "2024-01".parse().unwrap();
        db.store()
            .post(&sale("jan", "2024-01-10", "10.00"), "a")
            .await
            .unwrap();
        db.store().close_period(jan, "controller").await.unwrap();
        let err = db
            .store()
            .post(&sale("late", "2024-01-31", "5.00"), "a")
            .await
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "entry `late` is dated 2024-01-31, in period 2024-01, which is closed; nothing was written",
            "{}",
            db.name
        );
        // Replaying an entry that is already in the closed period is still idempotent.
        assert!(!db
            .store()
            .post(&sale("jan", "2024-01-10", "10.00"), "a")
            .await
            .unwrap()
            .is_new());
        // February is open.
        db.store()
            .post(&sale("feb", "2024-02-01", "5.00"), "a")
            .await
            .unwrap();
        assert!(matches!(
            db.store().close_period(jan, "a").await.unwrap_err(),
            StoreError::PeriodAlreadyClosed(_)
        ));
        assert!(matches!(
            db.store().reopen_period(jan, "  ", "a").await.unwrap_err(),
            StoreError::ReasonRequired
        ));
        assert!(matches!(
            db.store()
                .reopen_period("2024-03".parse().unwrap(), "why", "a")
                .await
                .unwrap_err(),
            StoreError::PeriodNotClosed(_)
        ));
        db.store()
            .reopen_period(jan, "late Amazon settlement", "controller")
            .await
            .unwrap();
        db.store()
            .post(&sale("late", "2024-01-31", "5.00"), "a")
            .await
            .unwrap();
        let states = db.store().period_states().await.unwrap();
        assert_eq!(states.len(), 1);
        assert_eq!(states[0].reason.as_deref(), Some("late Amazon settlement"));
        assert_eq!(states[0].changed_by, "controller");
        // Close again: a second seal; both the old and the new one verify.
        db.store().close_period(jan, "controller").await.unwrap();
        let summary = ledger::verify(db.store()).await.unwrap();
        assert_eq!(summary.seals, 2, "{}", db.name);
        assert_eq!(summary.entries, 3);
    }
}

#[tokio::test]
async fn reversal_mirrors_links_and_happens_at_most_once() {
    for db in all_backends().await {
        let original = db
            .store()
            .post(
                &entry(
                    "fee",
                    "2024-01-12",
                    &[
                        ("6100", "debit", "2.70", "USD"),
                        ("1210", "credit", "2.70", "USD"),
                    ],
                ),
                "a",
            )
            .await
            .unwrap();
        let id = original.entry().seq;
        let rev = db
            .store()
            .reverse(id, None, "wrong account", "a")
            .await
            .unwrap();
        assert_eq!(rev.entry.reverses(), Some(id));
        assert_eq!(rev.entry.kind(), EntryKind::Reversal);
        assert_eq!(
            rev.entry.date(),
            date("2024-01-12"),
            "dated like the original while open"
        );
        assert!(rev.entry.description().contains("wrong account"));
        for (o, r) in original
            .entry()
            .entry
            .postings()
            .iter()
            .zip(rev.entry.postings())
        {
            assert_eq!((o.account.clone(), o.amount), (r.account.clone(), r.amount));
            assert_eq!(o.side.flip(), r.side);
        }
        assert_eq!(db.store().reversed_by(id).await.unwrap(), Some(rev.seq));
        let err = db
            .store()
            .reverse(id, None, "again", "a")
            .await
            .unwrap_err();
        assert!(
            matches!(err, StoreError::AlreadyReversed { id: i, by } if i == id && by == rev.seq),
            "{}: {err}",
            db.name
        );
        assert!(matches!(
            db.store()
                .reverse(rev.seq, None, "undo", "a")
                .await
                .unwrap_err(),
            StoreError::ReversalOfReversal(_)
        ));
        assert!(matches!(
            db.store()
                .reverse(EntryId(99), None, "x", "a")
                .await
                .unwrap_err(),
            StoreError::EntryNotFound(_)
        ));
        // The database itself holds "at most once".
        let sql = "INSERT INTO entries (seq, idempotency_key, entry_date, kind, description, reverses, \
                   created_at, created_by, content_hash, prev_hash, hash) \
                   VALUES (3, 'x', '2024-01-12', 'reversal', 'x', 1, '2024-01-12T00:00:00Z', 'x', 'x', 'x', 'x')";
        assert!(
            db.raw_execute(sql).await.is_err(),
            "{}: second reversal row accepted",
            db.name
        );
        let tb = ledger::trial_balance(db.store(), &chart(), TrialBalanceRange::All)
            .await
            .unwrap();
        assert!(
            tb.rows.iter().all(|r| r.closing.is_zero()),
            "{}: reversal nets to zero",
            db.name
        );
    }
}

#[tokio::test]
async fn reversal_of_an_entry_in_a_closed_period_lands_in_the_first_open_one() {
    for db in all_backends().await {
        let posted = db
            .store()
            .post(&sale("jan", "2024-01-20", "10.00"), "a")
            .await
            .unwrap();
        db.store()
            .post(&sale("feb", "2024-02-20", "10.00"), "a")
            .await
            .unwrap();
        db.store()
            .close_period("2024-01".parse().unwrap(), "a")
            .await
            .unwrap();
        db.store()
            .close_period("2024-02".parse().unwrap(), "a")
            .await
            .unwrap();
        let rev = db
            .store()
            .reverse(posted.entry().seq, None, "duplicate", "a")
            .await
            .unwrap();
        assert_eq!(rev.entry.date(), date("2024-03-01"), "{}", db.name);
        // An explicit date in a closed period is refused; before the original too.
        let feb = db.store().entry_by_key("feb").await.unwrap().unwrap();
        assert!(matches!(
            db.store()
                .reverse(feb.seq, Some(date("2024-02-25")), "x", "a")
                .await
                .unwrap_err(),
            StoreError::PeriodClosed { .. }
        ));
        assert!(matches!(
            db.store()
                .reverse(feb.seq, Some(date("2024-02-01")), "x", "a")
                .await
                .unwrap_err(),
            StoreError::ReversalBeforeOriginal { .. }
        ));
        ledger::verify(db.store()).await.unwrap();
    }
}

#[tokio::test]
async fn verify_names_the_first_changed_entry() {
    for db in all_backends().await {
        for (k, amount) in [("a", "1.00"), ("b", "2.00"), ("c", "3.00")] {
            db.store()
                .post(&sale(k, "2024-01-10", amount), "a")
                .await
                .unwrap();
        }
        ledger::verify(db.store()).await.unwrap();
        // Someone with database access drops the guard and edits history.
        let drop_guard = match db.name {
            "sqlite" => "DROP TRIGGER postings_append_only_update",
            _ => "DROP TRIGGER postings_append_only ON postings",
        };
        db.raw_execute(drop_guard).await.unwrap();
        db.raw_execute("UPDATE postings SET amount_micros = 2500000 WHERE entry_seq = 2")
            .await
            .unwrap();
        let err = ledger::verify(db.store()).await.unwrap_err();
        let VerifyError::Problem(problem) = err else {
            panic!("{}: {err}", db.name)
        };
        let text = problem.to_string();
        assert!(
            text.starts_with("entry #2 (b): its content no longer matches its hash"),
            "{}: {text}",
            db.name
        );
    }
}

#[tokio::test]
async fn verify_notices_a_removed_last_entry_and_a_broken_seal() {
    for db in all_backends().await {
        db.store()
            .post(&sale("a", "2024-01-10", "1.00"), "a")
            .await
            .unwrap();
        db.store()
            .post(&sale("b", "2024-01-11", "2.00"), "a")
            .await
            .unwrap();
        db.store()
            .close_period("2024-01".parse().unwrap(), "a")
            .await
            .unwrap();
        let (drop_entries, drop_postings) = match db.name {
            "sqlite" => (
                "DROP TRIGGER entries_append_only_delete",
                "DROP TRIGGER postings_append_only_delete",
            ),
            _ => (
                "DROP TRIGGER entries_append_only ON entries",
                "DROP TRIGGER postings_append_only ON postings",
            ),
        };
        db.raw_execute(drop_entries).await.unwrap();
        db.raw_execute(drop_postings).await.unwrap();
        db.raw_execute("DELETE FROM postings WHERE entry_seq = 2")
            .await
            .unwrap();
        db.raw_execute("DELETE FROM entries WHERE seq = 2")
            .await
            .unwrap();
        let err = ledger::verify(db.store()).await.unwrap_err();
        assert!(
            err.to_string().contains("the ledger head says entry #2"),
            "{}: {err}",
            db.name
        );
        // Put the head back to hide the removal: the period seal still gives it away.
        let hash: String = match &db.raw {
            support::Raw::Sqlite(p) => sqlx::query_scalar("SELECT hash FROM entries WHERE seq = 1")
                .fetch_one(p)
                .await
                .unwrap(),
            support::Raw::Postgres(p) => {
                sqlx::query_scalar("SELECT hash FROM entries WHERE seq = 1")
                    .fetch_one(p)
                    .await
                    .unwrap()
            }
        };
        db.raw_execute(&format!(
            "UPDATE ledger_head SET last_seq = 1, last_hash = '{hash}'"
        ))
        .await
        .unwrap();
        let err = ledger::verify(db.store()).await.unwrap_err();
        assert!(
            err.to_string().starts_with("period 2024-01 (closed"),
            "{}: {err}",
            db.name
        );
    }
}
