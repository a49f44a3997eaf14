//! The store's writes, reads and guards, proven on SQLite and on PostgreSQL alike.

mod support;

use settlebridge::domain::{EntryId, EntryKind};
use settlebridge::ledger::{self, TrialBalanceRange};
use settlebridge::store::{EntryFilter, Posted, StoreError, TotalsQuery};
use support::{all_backends, chart, d, date, entry, sale};

#[tokio::test]
async fn entries_round_trip_with_every_field() {
    for db in all_backends().await {
        let mut e = support::draft(
            "sale:576460752303423541",
            "2024-01-05",
            &[
                ("1210", "debit", "50.99", "USD"),
                ("4910", "debit", "5.00", "USD"),
                ("4000", "credit", "50.00", "USD"),
                ("4010", "credit", "5.99", "USD"),
            ],
        );
        e.kind = EntryKind::Sale;
        e.postings[0].memo = Some("due from TikTok".into());
        e.postings[0].segments.shop = Some("tiktok-us".into());
        e.postings[0].segments.subsidiary = Some("1".into());
        e.postings[0].source.order_id = Some("576460752303423541".into());
        e.postings[0].source.batch_id = Some(7);
        e.postings[0].source.row = Some(42);
        e.postings[0].source.sheet = Some("Order details".into());
        e.postings[0].mapping_version = Some("sha256:abc".into());
        let e = settlebridge::domain::JournalEntry::new(e, &chart()).unwrap();
        let posted = db.store().post(&e, "tester").await.unwrap();
        assert!(posted.is_new(), "{}", db.name);
        let stored = db.store().entry(posted.entry().seq).await.unwrap().unwrap();
        assert_eq!(
            stored.entry, e,
            "{}: what comes back is what went in",
            db.name
        );
        assert_eq!(stored, *posted.entry(), "{}", db.name);
        assert_eq!(stored.seq, EntryId(1));
        assert_eq!(stored.created_by, "tester");
        let by_key = db
            .store()
            .entry_by_key("sale:576460752303423541")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(by_key.seq, stored.seq);
    }
}

/// Text the bulk writers must carry through untouched (PostgreSQL's COPY
/// escapes backslashes; tabs and newlines are cleaned from text before
/// they get that far), with NULLs and every optional column set or not.
#[tokio::test]
async fn bulk_written_text_comes_back_as_it_went_in() {
    for db in all_backends().await {
        let mut entries = Vec::new();
        for (i, text) in [r"C:\exports\n\t", "«ünï» 'quoted' \"N", r"\N", "plain"]
            .into_iter()
            .enumerate()
        {
            let mut e = support::draft(
                &format!(r"bulk\{i}\t"),
                &format!("2024-03-0{}", i + 1),
                &[
                    ("1210", "debit", "1.25", "USD"),
                    ("4000", "credit", "1.25", "USD"),
                ],
            );
            e.description = format!("{text} entry");
            e.postings[0].memo = Some(text.into());
            e.postings[0].source.order_id = Some(format!(r"\{text}"));
            e.postings[1].source.sheet = (i % 2 == 0).then(|| text.to_string());
            entries.push(settlebridge::domain::JournalEntry::new(e, &chart()).unwrap());
        }
        let posted = db
            .store()
            .post_batch(&entries, "tester\\bulk")
            .await
            .unwrap();
        for (p, e) in posted.iter().zip(&entries) {
            let stored = db.store().entry(p.entry().seq).await.unwrap().unwrap();
            assert_eq!(stored.entry, *e, "{}", db.name);
            assert_eq!(stored.created_by, "tester\\bulk", "{}", db.name);
            assert_eq!(stored, *p.entry(), "{}", db.name);
        }
        assert_eq!(
            ledger::verify(db.store()).await.unwrap().entries,
            4,
            "{}",
            db.name
        );
    }
}

#[tokio::test]
async fn same_key_same_content_returns_the_existing_entry() {
    for db in all_backends().await {
        let first = db
            .store()
            .post(&sale("k1", "2024-01-10", "10.00"), "a")
            .await
            .unwrap();
        let again = db
            .store()
            .post(&sale("k1", "2024-01-10", "10.00"), "b")
            .await
            .unwrap();
        assert!(matches!(again, Posted::Existing(_)), "{}", db.name);
        assert_eq!(again.entry(), first.entry(), "{}", db.name);
        // "10.0" is the same amount as "10.00": content compares normalized.
        let same = db
            .store()
            .post(&sale("k1", "2024-01-10", "10.0"), "c")
            .await
            .unwrap();
        assert!(!same.is_new(), "{}", db.name);
        assert_eq!(db.raw_count("entries").await, 1, "{}", db.name);
        assert_eq!(db.raw_count("postings").await, 2, "{}", db.name);
    }
}

#[tokio::test]
async fn same_key_different_content_is_a_conflict_and_writes_nothing() {
    for db in all_backends().await {
        db.store()
            .post(&sale("k1", "2024-01-10", "10.00"), "a")
            .await
            .unwrap();
        let err = db
            .store()
            .post(&sale("k1", "2024-01-10", "10.01"), "a")
            .await
            .unwrap_err();
        assert!(
            matches!(&err, StoreError::IdempotencyConflict { key, existing } if key == "k1" && *existing == EntryId(1)),
            "{}: {err}",
            db.name
        );
        assert!(err.to_string().contains("different content"), "{err}");
        assert_eq!(db.raw_count("entries").await, 1, "{}", db.name);
    }
}

#[tokio::test]
async fn a_failing_batch_leaves_the_database_exactly_as_it_was() {
    for db in all_backends().await {
        db.store()
            .post(&sale("before", "2024-01-01", "1.00"), "a")
            .await
            .unwrap();
        let head = db.store().head().await.unwrap();
        let batch = vec![
            sale("b1", "2024-01-02", "2.00"),
            sale("b2", "2024-01-03", "3.00"),
            sale("before", "2024-01-01", "9.99"), // conflict, last in the batch
        ];
        let err = db.store().post_batch(&batch, "a").await.unwrap_err();
        assert!(
            matches!(err, StoreError::IdempotencyConflict { .. }),
            "{}: {err}",
            db.name
        );
        assert_eq!(db.raw_count("entries").await, 1, "{}", db.name);
        assert_eq!(db.raw_count("postings").await, 2, "{}", db.name);
        assert_eq!(
            db.store().head().await.unwrap(),
            head,
            "{}: head unchanged",
            db.name
        );
        assert!(db.store().entry_by_key("b1").await.unwrap().is_none());
        // The same batch without the conflict goes in whole, chained on.
        let posted = db.store().post_batch(&batch[..2], "a").await.unwrap();
        assert_eq!(
            posted.iter().map(|p| p.entry().seq.0).collect::<Vec<_>>(),
            vec![2, 3]
        );
        ledger::verify(db.store()).await.unwrap();
    }
}

#[tokio::test]
async fn the_database_refuses_update_and_delete() {
    for db in all_backends().await {
        db.store()
            .post(&sale("k1", "2024-01-10", "10.00"), "a")
            .await
            .unwrap();
        db.store()
            .close_period("2024-01".parse().unwrap(), "a")
            .await
            .unwrap();
        for sql in [
            "UPDATE entries SET description = 'changed'",
            "DELETE FROM entries",
            "UPDATE postings SET amount_micros = 1",
            "DELETE FROM postings",
            "UPDATE period_events SET reason = 'x'",
            "DELETE FROM period_events",
        ] {
            let err = db.raw_execute(sql).await.unwrap_err();
            assert!(
                err.to_string().contains("append-only"),
                "{}: `{sql}`: {err}",
                db.name
            );
        }
        if db.name == "postgres" {
            for sql in ["TRUNCATE postings", "TRUNCATE period_events"] {
                let err = db.raw_execute(sql).await.unwrap_err();
                assert!(err.to_string().contains("append-only"), "{sql}: {err}");
            }
        }
        assert_eq!(db.raw_count("entries").await, 1);
        assert_eq!(db.raw_count("postings").await, 2);
        ledger::verify(db.store()).await.unwrap();
    }
}

#[tokio::test]
async fn trial_balance_by_period_and_as_of() {
    for db in all_backends().await {
        db.store()
            .post(&sale("a", "2024-01-10", "100.00"), "a")
            .await
            .unwrap();
        db.store()
            .post(&sale("b", "2024-02-10", "30.25"), "a")
            .await
            .unwrap();
        db.store()
            .post(
                &entry(
                    "c",
                    "2024-02-28",
                    &[
                        ("1212", "debit", "13.70", "CAD"),
                        ("4000", "credit", "13.70", "CAD"),
                    ],
                ),
                "a",
            )
            .await
            .unwrap();
        let c = chart();
        let feb = ledger::trial_balance(
            db.store(),
            &c,
            TrialBalanceRange::Period("2024-02".parse().unwrap()),
        )
        .await
        .unwrap();
        let clearing = feb
            .rows
            .iter()
            .find(|r| r.account.as_str() == "1210")
            .unwrap();
        assert_eq!(
            (
                clearing.opening,
                clearing.debits,
                clearing.credits,
                clearing.closing
            ),
            (d("100"), d("30.25"), d("0"), d("130.25"))
        );
        assert!(feb.is_balanced());
        assert_eq!(feb.totals.len(), 2, "{}: CAD and USD", db.name);
        let jan =
            ledger::trial_balance(db.store(), &c, TrialBalanceRange::AsOf(date("2024-01-31")))
                .await
                .unwrap();
        assert_eq!(jan.rows.len(), 2);
        assert_eq!(jan.rows[0].closing, d("100"));
        let totals = db
            .store()
            .account_totals(TotalsQuery {
                from: Some(date("2024-02-01")),
                to: Some(date("2024-02-29")),
                max_seq: Some(2),
                from_postings: false,
            })
            .await
            .unwrap();
        assert_eq!(totals.len(), 2, "{}: max_seq leaves out entry 3", db.name);
    }
}

#[tokio::test]
async fn entries_stream_in_chain_order_with_date_filters() {
    for db in all_backends().await {
        for (k, on) in [
            ("a", "2024-03-01"),
            ("b", "2024-01-15"),
            ("c", "2024-01-31"),
            ("e", "2024-02-01"),
        ] {
            db.store().post(&sale(k, on, "1.00"), "a").await.unwrap();
        }
        let mut seen = Vec::new();
        db.store()
            .for_each_entry(EntryFilter::period("2024-01".parse().unwrap()), &mut |e| {
                seen.push((e.seq.0, e.entry.postings().len()));
                Ok(())
            })
            .await
            .unwrap();
        assert_eq!(seen, vec![(2, 2), (3, 2)], "{}", db.name);
    }
}

#[tokio::test]
async fn changing_the_type_of_a_used_account_is_refused() {
    for db in all_backends().await {
        db.store()
            .post(&sale("a", "2024-01-10", "1.00"), "a")
            .await
            .unwrap();
        let mut accounts: Vec<_> = chart().iter().cloned().collect();
        let sales = accounts
            .iter_mut()
            .find(|a| a.code.as_str() == "4000")
            .unwrap();
        sales.account_type = settlebridge::domain::AccountType::Liability;
        let changed = settlebridge::domain::ChartOfAccounts::new(accounts.clone()).unwrap();
        let err = db.store().sync_chart(&changed).await.unwrap_err();
        assert!(
            matches!(err, StoreError::AccountTypeChange { .. }),
            "{}: {err}",
            db.name
        );
        // Unused accounts may change type; names may always change.
        let mut accounts: Vec<_> = chart().iter().cloned().collect();
        accounts
            .iter_mut()
            .find(|a| a.code.as_str() == "6190")
            .unwrap()
            .account_type = settlebridge::domain::AccountType::Liability;
        accounts
            .iter_mut()
            .find(|a| a.code.as_str() == "4000")
            .unwrap()
            .name = "Product sales".into();
        let sync = db
            .store()
            .sync_chart(&settlebridge::domain::ChartOfAccounts::new(accounts).unwrap())
            .await
            .unwrap();
        assert_eq!(sync.updated, 2, "{}", db.name);
        let stored = db.store().chart().await.unwrap();
        assert_eq!(
            stored.get(&"4000".parse().unwrap()).unwrap().name,
            "Product sales"
        );
    }
}

#[tokio::test]
async fn concurrent_writers_keep_one_unbroken_chain() {
    for db in all_backends().await {
        let store = db.store.clone();
        let mut tasks = Vec::new();
        for w in 0..4 {
            let store = store.clone();
            tasks.push(tokio::spawn(async move {
                for i in 0..10 {
                    let key = format!("w{w}-{i}");
                    store
                        .post(&sale(&key, "2024-01-10", "1.00"), "a")
                        .await
                        .unwrap();
                    // Every writer also repeats a shared key: exactly one wins.
                    store
                        .post(&sale("shared", "2024-01-10", "7.00"), "a")
                        .await
                        .unwrap();
                }
            }));
        }
        for t in tasks {
            t.await.unwrap();
        }
        let summary = ledger::verify(store.as_ref()).await.unwrap();
        assert_eq!(summary.entries, 41, "{}", db.name);
        assert_eq!(summary.volume["USD"], "47.00");
    }
}

#[tokio::test]
async fn a_key_repeated_inside_one_batch_is_written_once() {
    for db in all_backends().await {
        let posted = db
            .store()
            .post_batch(
                &[
                    sale("x", "2024-01-10", "5.00"),
                    sale("y", "2024-01-10", "6.00"),
                    sale("x", "2024-01-10", "5.00"),
                ],
                "a",
            )
            .await
            .unwrap();
        assert!(posted[0].is_new() && posted[1].is_new(), "{}", db.name);
        assert!(
            matches!(&posted[2], Posted::Existing(e) if e.seq == EntryId(1)),
            "{}: {:?}",
            db.name,
            posted[2]
        );
        assert_eq!(db.raw_count("entries").await, 2);
        let err = db
            .store()
            .post_batch(
                &[
                    sale("z", "2024-01-10", "5.00"),
                    sale("z", "2024-01-10", "5.01"),
                ],
                "a",
            )
            .await
            .unwrap_err();
        assert!(
            matches!(err, StoreError::IdempotencyConflict { .. }),
            "{}: {err}",
            db.name
        );
        assert_eq!(
            db.raw_count("entries").await,
            2,
            "{}: nothing of the refused batch",
            db.name
        );
        ledger::verify(db.store()).await.unwrap();
    }
}

/// A shop's ledger mark names its newest booking, whatever other shops
/// booked after it (SQLite finds it walking the bookings back from the end,
/// with no index by shop since its migration 0016).
#[tokio::test]
async fn a_shops_ledger_mark_is_its_newest_booking() {
    use settlebridge::domain::booking::Subject;
    use settlebridge::domain::hashing::HashedEntry;
    use settlebridge::store::BookingWrite;
    for db in all_backends().await {
        let book = |shop: &str, n: u32| {
            let key = format!("shopify/{shop}/sale/#{n}");
            BookingWrite {
                subject: Subject(key.clone()),
                reverse: None,
                book: Some((
                    1,
                    format!("basis {n}"),
                    HashedEntry::new(sale(&key, "2026-11-03", "10.00")),
                )),
            }
        };
        let store = db.store();
        let mark = |shop: &'static str| async move {
            store.shop_ledger_mark("shopify", shop).await.unwrap()
        };
        assert_eq!(mark("a").await, "booked 0, reversed 0", "{}", db.name);
        let written = store
            .apply_bookings("shopify", "a", vec![book("a", 1), book("a", 2)], "t")
            .await
            .unwrap();
        assert_eq!(written, 2);
        store
            .apply_bookings("shopify", "b", vec![book("b", 3), book("b", 4)], "t")
            .await
            .unwrap();
        assert_eq!(mark("a").await, "booked 2, reversed 0", "{}", db.name);
        assert_eq!(mark("b").await, "booked 4, reversed 0", "{}", db.name);
        store
            .apply_bookings("shopify", "a", vec![book("a", 5)], "t")
            .await
            .unwrap();
        assert_eq!(mark("a").await, "booked 5, reversed 0", "{}", db.name);
        assert_eq!(mark("b").await, "booked 4, reversed 0", "{}", db.name);
        assert_eq!(mark("c").await, "booked 0, reversed 0", "{}", db.name);
    }
}
