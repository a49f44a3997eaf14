//! SQLite writes entries, postings, bookings and imported lines, and reads
//! a shop's records for reconcile, through rusqlite on the connection sqlx
//! lends it (`store/sqlite_bulk.rs`). What it writes must be what sqlx
//! would have written, what it reads what sqlx would have read, and a
//! failure half-way must leave nothing behind and the connection fit for
//! sqlx again.

mod support;

use settlebridge::domain::EntryKind;
use settlebridge::ledger;
use support::{chart, sqlite_db, Raw, TestDb};

fn pool(db: &TestDb) -> &sqlx::SqlitePool {
    match &db.raw {
        Raw::Sqlite(p) => p,
        Raw::Postgres(_) => unreachable!("SQLite only"),
    }
}

fn full_entry(key: &str, on: &str, memo: &str) -> settlebridge::domain::JournalEntry {
    let mut e = support::draft(
        key,
        on,
        &[
            ("1210", "debit", "50.99", "USD"),
            ("4000", "credit", "50.99", "USD"),
        ],
    );
    e.kind = EntryKind::Sale;
    e.description = "Sale « ünïcode » 'quoted'".into();
    e.postings[0].memo = Some(memo.into());
    e.postings[0].segments.shop = Some("tiktok-us".into());
    e.postings[0].segments.channel = Some("tiktok".into());
    e.postings[0].source.order_id = Some("576460752303423541".into());
    e.postings[0].source.batch_id = Some(7);
    e.postings[0].source.row = Some(42);
    e.postings[0].mapping_version = Some("sha256:abc".into());
    settlebridge::domain::JournalEntry::new(e, &chart()).unwrap()
}

/// Dates and times are stored in the text sqlx's own encoders produce, so
/// every reader (and a row written by an older version) agrees.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rows_are_stored_as_sqlx_would_store_them() {
    let db = sqlite_db().await;
    let entries = vec![
        full_entry("bulk/1", "2024-01-05", "first"),
        full_entry("bulk/2", "2024-02-29", "second"),
    ];
    let posted = db.store().post_batch(&entries, "tester").await.unwrap();
    assert_eq!(posted.len(), 2);
    for p in &posted {
        let stored = db.store().entry(p.entry().seq).await.unwrap().unwrap();
        assert_eq!(stored, *p.entry(), "read back as written");
        let (date, created_at): (String, String) =
            sqlx::query_as("SELECT entry_date, created_at FROM entries WHERE seq = ?")
                .bind(stored.seq.0)
                .fetch_one(pool(&db))
                .await
                .unwrap();
        let (sqlx_date, sqlx_time): (String, String) =
            sqlx::query_as("SELECT CAST(? AS TEXT), CAST(? AS TEXT)")
                .bind(stored.entry.date())
                .bind(stored.created_at)
                .fetch_one(pool(&db))
                .await
                .unwrap();
        assert_eq!(date, sqlx_date);
        assert_eq!(created_at, sqlx_time);
        let posting_dates: Vec<String> =
            sqlx::query_scalar("SELECT entry_date FROM postings WHERE entry_seq = ?")
                .bind(stored.seq.0)
                .fetch_all(pool(&db))
                .await
                .unwrap();
        assert_eq!(posting_dates, [sqlx_date.clone(), sqlx_date]);
    }
    // The running totals, by day: 50.99 each side on each of the two days.
    let balances: Vec<(String, String, i64, i64)> = sqlx::query_as(
        "SELECT entry_date, account, debit_micros, credit_micros FROM account_balances \
         ORDER BY entry_date, account",
    )
    .fetch_all(pool(&db))
    .await
    .unwrap();
    assert_eq!(
        balances,
        [
            ("2024-01-05".into(), "1210".into(), 50_990_000, 0),
            ("2024-01-05".into(), "4000".into(), 0, 50_990_000),
            ("2024-02-29".into(), "1210".into(), 50_990_000, 0),
            ("2024-02-29".into(), "4000".into(), 0, 50_990_000),
        ]
    );
    // The chain and the running totals check out from what was stored.
    let summary = ledger::verify(db.store()).await.unwrap();
    assert_eq!(summary.entries, 2);
}

/// A row refused half-way through a batch (here by a trigger standing in
/// for any constraint) rolls back the whole batch; the connection goes back
/// to sqlx and the next batch is written normally.
#[tokio::test]
async fn a_failure_half_way_writes_nothing() {
    let db = sqlite_db().await;
    db.raw_execute(
        "CREATE TRIGGER refuse_boom BEFORE INSERT ON postings WHEN NEW.memo = 'boom' \
         BEGIN SELECT RAISE(ABORT, 'boom refused'); END",
    )
    .await
    .unwrap();
    let batch = vec![
        full_entry("bulk/1", "2024-01-05", "fine"),
        full_entry("bulk/2", "2024-01-06", "fine"),
        full_entry("bulk/3", "2024-01-07", "boom"),
    ];
    let err = db.store().post_batch(&batch, "tester").await.unwrap_err();
    assert!(err.to_string().contains("boom refused"), "{err}");
    for table in ["entries", "postings", "account_balances"] {
        assert_eq!(db.raw_count(table).await, 0, "{table}");
    }
    let head: i64 = sqlx::query_scalar("SELECT last_seq FROM ledger_head")
        .fetch_one(pool(&db))
        .await
        .unwrap();
    assert_eq!(head, 0);

    let posted = db.store().post_batch(&batch[..2], "tester").await.unwrap();
    assert_eq!(posted.len(), 2);
    assert_eq!(db.raw_count("entries").await, 2);
    assert_eq!(db.raw_count("postings").await, 4);
    assert_eq!(ledger::verify(db.store()).await.unwrap().entries, 2);
}

/// An import's lines go in through rusqlite too, and a reconcile reads a
/// shop's records back through rusqlite: each must agree with sqlx, the
/// times stored as sqlx's encoder writes them and read back to the instant.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn imported_lines_are_stored_and_read_as_sqlx_would() {
    use settlebridge::domain::settlement::Channel;
    use settlebridge::domain::shop::NO_SHOPS;
    use settlebridge::importer::{self, ImportReport, ImportRequest};
    let db = sqlite_db().await;
    let bytes = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/amazon/settlement-legacy-36col.txt"
    ))
    .unwrap();
    let request = ImportRequest {
        file_name: "settlement.txt",
        shop: Some("amazon-us"),
        shops: &NO_SHOPS,
        source: None,
        accept_unclassified: false,
        actor: "tester",
    };
    let ImportReport::Imported { batch, .. } = importer::import_file(db.store(), &bytes, request)
        .await
        .unwrap()
    else {
        panic!("not imported")
    };
    // Read through sqlx (a batch's lines) and through rusqlite (the shop's).
    let by_sqlx = db.store().lines_of_batch(batch.id).await.unwrap();
    let facts = db
        .store()
        .shop_facts(Channel::Amazon, "amazon-us")
        .await
        .unwrap();
    assert_eq!(by_sqlx.len(), 8);
    assert_eq!(facts.lines.len(), by_sqlx.len());
    for (fact, stored) in facts.lines.iter().zip(&by_sqlx) {
        assert_eq!(fact.line_ref, stored.id);
        assert_eq!(fact.occurrence, stored.occurrence);
        assert_eq!(fact.batch_id, batch.id);
        let (a, b) = (&fact.line, &stored.line);
        assert_eq!(
            (
                &a.statement_id,
                &a.transaction_type,
                &a.order_id,
                &a.adjustment_id
            ),
            (
                &b.statement_id,
                &b.transaction_type,
                &b.order_id,
                &b.adjustment_id
            )
        );
        assert_eq!(a.posted_at, b.posted_at);
        assert_eq!(a.ordered_at, b.ordered_at);
        assert_eq!(a.components, b.components);
        assert_eq!(a.net(), b.net());
        let t = b.posted_at.as_ref().expect("Amazon lines are dated").utc;
        let (stored_text, sqlx_text): (String, String) =
            sqlx::query_as("SELECT posted_at, CAST(? AS TEXT) FROM settlement_lines WHERE id = ?")
                .bind(t)
                .bind(stored.id)
                .fetch_one(pool(&db))
                .await
                .unwrap();
        assert_eq!(stored_text, sqlx_text, "line {}", stored.id);
    }
    assert_eq!(facts.statements.len(), 1);
}

/// A new database gets 8 KiB pages; one made with SQLite's default 4 KiB
/// keeps them (a WAL database cannot change its page size) and works on.
#[tokio::test]
async fn new_databases_get_8_kib_pages_and_old_ones_keep_theirs() {
    use settlebridge::store::{LedgerStore, SqliteStore};
    use std::str::FromStr;
    let db = sqlite_db().await;
    let size: i64 = sqlx::query_scalar("PRAGMA page_size")
        .fetch_one(pool(&db))
        .await
        .unwrap();
    assert_eq!(size, 8192);

    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("old.db").display());
    {
        let options = sqlx::sqlite::SqliteConnectOptions::from_str(&url)
            .unwrap()
            .create_if_missing(true)
            .journal_mode(sqlx::sqlite::SqliteJournalMode::Wal)
            .page_size(4096);
        let pool = sqlx::SqlitePool::connect_with(options).await.unwrap();
        sqlx::query("CREATE TABLE made_before (x INTEGER)")
            .execute(&pool)
            .await
            .unwrap();
        pool.close().await;
    }
    let store = SqliteStore::connect(&url).await.unwrap();
    let size: i64 = sqlx::query_scalar("PRAGMA page_size")
        .fetch_one(store.pool())
        .await
        .unwrap();
    assert_eq!(size, 4096, "an existing database keeps its pages");
    store.sync_chart(&chart()).await.unwrap();
    let posted = store
        .post(&support::sale("old-db:1", "2026-11-02", "12.34"), "t")
        .await
        .unwrap();
    assert!(posted.is_new());
    ledger::verify(&store).await.unwrap();
}
