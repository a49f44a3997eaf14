//! Migration 0012 drops the UNIQUE on bookings (subject, revision) and has
//! the database check instead that a booking's entry carries its subject's
//! key, which the entries' UNIQUE key then makes unique. On books that
//! already hold bookings: every row survives, the rule still refuses a
//! second booking of a subject and revision, and books holding a booking
//! whose entry is keyed otherwise refuse the migration and stay as they were.

mod support;

use support::{first_migrations, sqlite_pool_with_foreign_keys};

/// Rows a database at migration 0011 may hold: a sale booked, corrected
/// (reversed, then booked again as revision 2).
const ROWS: &[&str] = &[
    "INSERT INTO accounts (code, name, account_type, updated_at) VALUES \
     ('1010', 'Bank', 'asset', '2026-01-01T00:00:00Z')",
    "INSERT INTO entries (seq, idempotency_key, entry_date, kind, description, reverses, \
     created_at, created_by, content_hash, prev_hash, hash) VALUES \
     (1, 'shopify/s/sale/#1', '2026-01-05', 'sale', 'Sale #1', NULL, '2026-01-05T10:00:00Z', 'test', 'c1', 'p0', 'h1'), \
     (2, 'reversal/1', '2026-01-06', 'reversal', 'Reversal of 1', 1, '2026-01-06T10:00:00Z', 'test', 'c2', 'h1', 'h2'), \
     (3, 'shopify/s/sale/#1~2', '2026-01-06', 'sale', 'Sale #1', NULL, '2026-01-06T10:00:00Z', 'test', 'c3', 'h2', 'h3'), \
     (4, 'manual/1', '2026-01-07', 'manual', 'By hand', NULL, '2026-01-07T10:00:00Z', 'test', 'c4', 'h3', 'h4')",
    "INSERT INTO bookings (entry_seq, channel, shop, subject, revision, basis_hash) VALUES \
     (1, 'shopify', 's', 'shopify/s/sale/#1', 1, 'b1'), \
     (3, 'shopify', 's', 'shopify/s/sale/#1', 2, 'b2')",
];

const DUMP: &str = "SELECT entry_seq || '|' || channel || '|' || shop || '|' || subject || '|' || \
     revision || '|' || basis_hash FROM bookings ORDER BY entry_seq";

/// A SQLite file at migration 0011 holding `ROWS` and then `extra`.
async fn sqlite_at_0011(dir: &std::path::Path, extra: &[&str]) -> String {
    let url = format!("sqlite://{}?mode=rwc", dir.join("old.db").display());
    let pool = sqlite_pool_with_foreign_keys(&url).await;
    first_migrations(&sqlx::migrate!("./migrations/sqlite"), 11)
        .run(&pool)
        .await
        .unwrap();
    for sql in ROWS.iter().chain(extra) {
        sqlx::query(sql).execute(&pool).await.unwrap();
    }
    pool.close().await;
    url
}

#[tokio::test]
async fn sqlite_bookings_migrate_and_stay_one_per_subject_and_revision() {
    let dir = tempfile::tempdir().unwrap();
    let url = sqlite_at_0011(dir.path(), &[]).await;
    let pool = sqlite_pool_with_foreign_keys(&url).await;
    let before: Vec<String> = sqlx::query_scalar(DUMP).fetch_all(&pool).await.unwrap();
    pool.close().await;

    let store = settlebridge::store::connect(&url).await.unwrap();
    store.close().await;

    let pool = sqlite_pool_with_foreign_keys(&url).await;
    let after: Vec<String> = sqlx::query_scalar(DUMP).fetch_all(&pool).await.unwrap();
    assert_eq!(before, after, "SQLite: every booking unchanged");
    assert_eq!(after.len(), 2);
    let unique: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM pragma_index_list('bookings') WHERE \"unique\" = 1 AND origin = 'u'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(unique, 0, "the UNIQUE index is gone");
    assert_rules_hold(&pool, "SQLite").await;
}

#[tokio::test]
async fn sqlite_books_with_an_unkeyed_booking_refuse_the_migration() {
    let dir = tempfile::tempdir().unwrap();
    // Booking the manual entry as a sale it is not keyed for.
    let url = sqlite_at_0011(
        dir.path(),
        &[
            "INSERT INTO bookings (entry_seq, channel, shop, subject, revision, basis_hash) \
           VALUES (4, 'shopify', 's', 'shopify/s/sale/#2', 1, 'b4')",
        ],
    )
    .await;
    let refused = settlebridge::store::connect(&url).await;
    assert!(refused.is_err(), "the migration is refused");
    let pool = sqlite_pool_with_foreign_keys(&url).await;
    let applied: i64 = sqlx::query_scalar("SELECT max(version) FROM _sqlx_migrations")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(applied, 11, "nothing of 0012 was kept");
    let rows: i64 = sqlx::query_scalar("SELECT count(*) FROM bookings")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(rows, 3);
    let dup = sqlx::query(
        "INSERT INTO bookings (entry_seq, channel, shop, subject, revision, basis_hash) \
         VALUES (2, 'shopify', 's', 'shopify/s/sale/#1', 2, 'x')",
    )
    .execute(&pool)
    .await;
    assert!(
        dup.is_err(),
        "the old table, with its UNIQUE, is still there"
    );
}

#[test]
fn postgres_bookings_migrate_and_stay_one_per_subject_and_revision() {
    // The schema is made on a runtime of its own, before this one starts.
    let Some(url) = support::postgres_schema_url() else {
        return;
    };
    tokio::runtime::Runtime::new()
        .unwrap()
        .block_on(postgres_upgrade(url, false));
}

#[test]
fn postgres_books_with_an_unkeyed_booking_refuse_the_migration() {
    let Some(url) = support::postgres_schema_url() else {
        return;
    };
    tokio::runtime::Runtime::new()
        .unwrap()
        .block_on(postgres_upgrade(url, true));
}

async fn postgres_upgrade(url: String, unkeyed: bool) {
    let pool = sqlx::postgres::PgPoolOptions::new()
        .max_connections(1)
        .connect(&url)
        .await
        .unwrap();
    first_migrations(&sqlx::migrate!("./migrations/postgres"), 11)
        .run(&pool)
        .await
        .unwrap();
    for sql in ROWS {
        sqlx::query(sql).execute(&pool).await.unwrap();
    }
    if unkeyed {
        sqlx::query(
            "INSERT INTO bookings (entry_seq, channel, shop, subject, revision, basis_hash) \
             VALUES (4, 'shopify', 's', 'shopify/s/sale/#2', 1, 'b4')",
        )
        .execute(&pool)
        .await
        .unwrap();
    }
    let before: Vec<String> = sqlx::query_scalar(DUMP).fetch_all(&pool).await.unwrap();
    pool.close().await;
    let opened = settlebridge::store::connect(&url).await;
    let pool = sqlx::postgres::PgPoolOptions::new()
        .max_connections(1)
        .connect(&url)
        .await
        .unwrap();
    let applied: i64 = sqlx::query_scalar("SELECT max(version) FROM _sqlx_migrations")
        .fetch_one(&pool)
        .await
        .unwrap();
    let after: Vec<String> = sqlx::query_scalar(DUMP).fetch_all(&pool).await.unwrap();
    assert_eq!(before, after, "PostgreSQL: every booking unchanged");
    if unkeyed {
        assert!(opened.is_err(), "the migration is refused");
        assert_eq!(applied, 11, "nothing of 0012 was kept");
        return;
    }
    opened.unwrap().close().await;
    assert!(applied >= 12);
    let unique: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM pg_constraint WHERE conrelid = 'bookings'::regclass AND contype = 'u'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(unique, 0, "the UNIQUE constraint is gone");
    assert_rules_hold(&pool, "PostgreSQL").await;
}

/// A booking goes in only for an entry keyed by its subject and revision,
/// so no subject is booked twice at one revision; bookings stay append-only.
async fn assert_rules_hold<DB>(pool: &sqlx::Pool<DB>, name: &str)
where
    DB: sqlx::Database,
    for<'c> &'c sqlx::Pool<DB>: sqlx::Executor<'c, Database = DB>,
    for<'q> <DB as sqlx::Database>::Arguments<'q>: sqlx::IntoArguments<'q, DB>,
{
    let refusal = |sql: &'static str| async move {
        match sqlx::query(sql).execute(pool).await {
            Ok(_) => None,
            Err(e) => Some(e.to_string()),
        }
    };
    // A second booking of (subject, 1) needs a second entry keyed `subject`…
    assert!(
        refusal(
            "INSERT INTO entries (seq, idempotency_key, entry_date, kind, description, \
             reverses, created_at, created_by, content_hash, prev_hash, hash) VALUES \
             (5, 'shopify/s/sale/#1', '2026-01-08', 'sale', 'Sale #1', NULL, \
             '2026-01-08T10:00:00Z', 'test', 'c5', 'h4', 'h5')"
        )
        .await
        .is_some(),
        "{name}: the entries' key stays unique"
    );
    // …or booking an entry keyed otherwise.
    let err = refusal(
        "INSERT INTO bookings (entry_seq, channel, shop, subject, revision, basis_hash) \
         VALUES (4, 'shopify', 's', 'shopify/s/sale/#1', 1, 'x')",
    )
    .await
    .expect("a second booking of revision 1 is refused");
    assert!(
        err.contains("keyed by its subject and revision"),
        "{name}: {err}"
    );
    let err = refusal(
        "INSERT INTO bookings (entry_seq, channel, shop, subject, revision, basis_hash) \
         VALUES (4, 'shopify', 's', 'shopify/s/sale/#1', 3, 'x')",
    )
    .await
    .expect("a booking of an entry keyed for another subject is refused");
    assert!(
        err.contains("keyed by its subject and revision"),
        "{name}: {err}"
    );
    assert!(
        refusal("UPDATE bookings SET basis_hash = 'x' WHERE entry_seq = 1")
            .await
            .is_some(),
        "{name}: bookings stay append-only"
    );
    // An entry keyed for revision 3, and its booking: accepted.
    assert_eq!(
        refusal(
            "INSERT INTO entries (seq, idempotency_key, entry_date, kind, description, \
             reverses, created_at, created_by, content_hash, prev_hash, hash) VALUES \
             (6, 'shopify/s/sale/#1~3', '2026-01-08', 'sale', 'Sale #1', NULL, \
             '2026-01-08T10:00:00Z', 'test', 'c6', 'h4', 'h6')"
        )
        .await,
        None,
        "{name}"
    );
    assert_eq!(
        refusal(
            "INSERT INTO bookings (entry_seq, channel, shop, subject, revision, basis_hash) \
             VALUES (6, 'shopify', 's', 'shopify/s/sale/#1', 3, 'b6')"
        )
        .await,
        None,
        "{name}: a booking of its own entry goes in"
    );
}
