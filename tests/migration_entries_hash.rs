//! Migration 0009 rebuilds SQLite's `entries` (to drop the UNIQUE on
//! `hash`) and drops the constraint on PostgreSQL. On books that already
//! hold entries, postings and bookings: every row survives unchanged, the
//! append-only triggers and the other constraints still hold, and the hash
//! is no longer unique-indexed.

mod support;

use support::{first_migrations, sqlite_pool_with_foreign_keys};

/// Rows a database at migration 0008 may hold: two entries (the second
/// reversing the first), their postings, a booking and an outbox row.
const ROWS: &[&str] = &[
    "INSERT INTO accounts (code, name, account_type, updated_at) VALUES \
     ('1010', 'Bank', 'asset', '2026-01-01T00:00:00Z'), \
     ('4000', 'Sales', 'income', '2026-01-01T00:00:00Z')",
    "INSERT INTO entries (seq, idempotency_key, entry_date, kind, description, reverses, \
     created_at, created_by, content_hash, prev_hash, hash) VALUES \
     (1, 'k1', '2026-01-05', 'sale', 'Sale #1', NULL, '2026-01-05T10:00:00Z', 'test', 'c1', 'p0', 'h1'), \
     (2, 'k2', '2026-01-06', 'reversal', 'Reversal of 1', 1, '2026-01-06T10:00:00Z', 'test', 'c2', 'h1', 'h2')",
    "INSERT INTO postings (entry_seq, line_no, entry_date, account, side, amount_micros, currency) VALUES \
     (1, 1, '2026-01-05', '1010', 'debit', 1000000, 'USD'), \
     (1, 2, '2026-01-05', '4000', 'credit', 1000000, 'USD'), \
     (2, 1, '2026-01-06', '1010', 'credit', 1000000, 'USD'), \
     (2, 2, '2026-01-06', '4000', 'debit', 1000000, 'USD')",
    "INSERT INTO bookings (entry_seq, channel, shop, subject, revision, basis_hash) VALUES \
     (1, 'shopify', 's', 'k1', 1, 'b1')",
];

const DUMP: &str = "SELECT seq || '|' || idempotency_key || '|' || entry_date || '|' || kind || '|' || \
     description || '|' || COALESCE(CAST(reverses AS TEXT), '') || '|' || created_at || '|' || \
     created_by || '|' || content_hash || '|' || prev_hash || '|' || hash FROM entries ORDER BY seq";

/// An entry row written by hand: a sale, or a reversal of `reverses`.
fn new_entry(seq: i64, key: &str, reverses: Option<i64>, hash: &str) -> String {
    let (kind, reverses) = match reverses {
        Some(r) => ("reversal", r.to_string()),
        None => ("sale", "NULL".to_string()),
    };
    format!(
        "INSERT INTO entries (seq, idempotency_key, entry_date, kind, description, reverses, \
         created_at, created_by, content_hash, prev_hash, hash) VALUES \
         ({seq}, '{key}', '2026-01-07', '{kind}', 'x', {reverses}, '2026-01-07T10:00:00Z', 'test', \
         'c', 'p', '{hash}')"
    )
}

/// A SQLite file at migration 0008 holding `ROWS`.
async fn sqlite_at_0008(url: &str) -> sqlx::SqlitePool {
    let pool = sqlite_pool_with_foreign_keys(url).await;
    let full = sqlx::migrate!("./migrations/sqlite");
    first_migrations(&full, 8).run(&pool).await.unwrap();
    for sql in ROWS {
        sqlx::query(sql).execute(&pool).await.unwrap();
    }
    pool
}

#[tokio::test]
async fn sqlite_books_with_entries_migrate_and_keep_their_rules() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("old.db").display());
    let pool = sqlite_at_0008(&url).await;
    let before: Vec<String> = sqlx::query_scalar(DUMP).fetch_all(&pool).await.unwrap();
    pool.close().await;

    // The product opens the books and applies 0009.
    let store =
        settlebridge::store::connect(&format!("sqlite://{}", dir.path().join("old.db").display()))
            .await
            .unwrap();
    store.close().await;

    let pool = sqlite_pool_with_foreign_keys(&url).await;
    let after: Vec<String> = sqlx::query_scalar(DUMP).fetch_all(&pool).await.unwrap();
    assert_eq!(before, after, "SQLite: every entry unchanged");
    let dangling: Vec<(String,)> = sqlx::query_as("SELECT \"table\" FROM pragma_foreign_key_check")
        .fetch_all(&pool)
        .await
        .unwrap();
    assert!(dangling.is_empty(), "{dangling:?}");
    let (postings, bookings): (i64, i64) =
        sqlx::query_as("SELECT (SELECT count(*) FROM postings), (SELECT count(*) FROM bookings)")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!((postings, bookings), (4, 1));
    assert_rules_hold(&pool, "SQLite").await;
}

#[tokio::test]
async fn sqlite_books_with_a_dangling_posting_refuse_the_rebuild_and_stay_as_they_were() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("old.db").display());
    let pool = sqlite_at_0008(&url).await;
    // A posting whose entry is missing (only possible with the checks off).
    sqlx::query("PRAGMA foreign_keys = OFF")
        .execute(&pool)
        .await
        .unwrap();
    sqlx::query(
        "INSERT INTO postings (entry_seq, line_no, entry_date, account, side, amount_micros, currency) \
         VALUES (99, 1, '2026-01-05', '1010', 'debit', 1000000, 'USD')",
    )
    .execute(&pool)
    .await
    .unwrap();
    pool.close().await;
    let refused =
        settlebridge::store::connect(&format!("sqlite://{}", dir.path().join("old.db").display()))
            .await;
    assert!(refused.is_err(), "the rebuild is refused");
    let pool = sqlite_pool_with_foreign_keys(&url).await;
    let (applied,): (i64,) = sqlx::query_as("SELECT max(version) FROM _sqlx_migrations")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(applied, 8, "nothing of 0009 was kept");
    let dup = sqlx::query(&new_entry(5, "k5", None, "h2"))
        .execute(&pool)
        .await;
    assert!(
        dup.is_err(),
        "the old table, with its UNIQUE hash, is still there"
    );
}

#[test]
fn postgres_books_with_entries_migrate_and_keep_their_rules() {
    // The schema is made on a runtime of its own, before this one starts.
    let Some(url) = support::postgres_schema_url() else {
        return;
    };
    tokio::runtime::Runtime::new()
        .unwrap()
        .block_on(postgres_upgrade(url));
}

async fn postgres_upgrade(url: String) {
    let pool = sqlx::postgres::PgPoolOptions::new()
        .max_connections(1)
        .connect(&url)
        .await
        .unwrap();
    let full = sqlx::migrate!("./migrations/postgres");
    first_migrations(&full, 8).run(&pool).await.unwrap();
    for sql in ROWS {
        sqlx::query(sql).execute(&pool).await.unwrap();
    }
    let before: Vec<String> = sqlx::query_scalar(DUMP).fetch_all(&pool).await.unwrap();
    pool.close().await;
    let store = settlebridge::store::connect(&url).await.unwrap();
    store.close().await;
    let pool = sqlx::postgres::PgPoolOptions::new()
        .max_connections(1)
        .connect(&url)
        .await
        .unwrap();
    let after: Vec<String> = sqlx::query_scalar(DUMP).fetch_all(&pool).await.unwrap();
    assert_eq!(before, after, "PostgreSQL: every entry unchanged");
    assert_rules_hold(&pool, "PostgreSQL").await;
}

/// Append-only, unique keys, one reversal per entry, reversals pointing at
/// real entries — and a repeated hash no longer refused by an index.
async fn assert_rules_hold<DB>(pool: &sqlx::Pool<DB>, name: &str)
where
    DB: sqlx::Database,
    for<'c> &'c sqlx::Pool<DB>: sqlx::Executor<'c, Database = DB>,
    for<'q> <DB as sqlx::Database>::Arguments<'q>: sqlx::IntoArguments<'q, DB>,
{
    let fails = |sql: String| async move {
        match sqlx::query(&sql).execute(pool).await {
            Ok(_) => false,
            Err(e) => {
                eprintln!("{name}: refused as expected? {e}");
                true
            }
        }
    };
    assert!(
        fails("UPDATE entries SET description = 'x' WHERE seq = 1".into()).await,
        "{name}: entries stay append-only"
    );
    assert!(
        fails("DELETE FROM entries WHERE seq = 2".into()).await,
        "{name}: entries stay append-only"
    );
    assert!(
        fails(new_entry(3, "k1", None, "h3")).await,
        "{name}: the idempotency key stays unique"
    );
    assert!(
        fails(new_entry(3, "k3", Some(1), "h3")).await,
        "{name}: an entry is reversed once"
    );
    assert!(
        !fails(new_entry(3, "k3", Some(2), "h3")).await,
        "{name}: a well-formed row goes in"
    );
    assert!(
        !fails(new_entry(4, "k4", None, "h3")).await,
        "{name}: the hash is no longer unique-indexed"
    );
    assert!(
        fails(new_entry(9, "k9", Some(8), "h9")).await,
        "{name}: a reversal points at a real entry"
    );
}
