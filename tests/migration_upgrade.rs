//! Upgrading a database that holds imports made before migration 0003: its
//! settlement lines keep their components and source rows (copied into
//! `settlement_line_details`), its batches keep their counts (copied into
//! `import_results`) and its original files stay readable.

mod support;

use std::str::FromStr;

use settlebridge::store::{LedgerStore, PgStore, SqliteStore};
use sqlx::migrate::Migrator;
use sqlx::postgres::PgConnectOptions;
use sqlx::Connection;
use support::{d, first_migrations};

static SQLITE: Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES: Migrator = sqlx::migrate!("./migrations/postgres");

/// What an import wrote under migration 0002, in its own tables.
const OLD_IMPORT: [&str; 6] = [
    "INSERT INTO import_batches (id, file_name, sha256, size_bytes, source_kind, shop, \
     imported_by, imported_at, header, rows_read, lines_new, lines_duplicate) VALUES \
     (1, 'old.txt', 'abc', 5, 'amazon-settlement', 'amazon-ca', 'cli:old', \
     '2026-11-20T10:00:00Z', '[\"h\"]', 3, 1, 0)",
    "INSERT INTO import_files (batch_id, content) VALUES (1, 'hello')",
    "INSERT INTO settlement_lines (id, channel, shop, statement_id, identity, occurrence, \
     content_hash, transaction_type, order_id, adjustment_id, posted_raw, posted_at, currency, \
     net_micros, batch_id) VALUES (1, 'amazon', 'amazon-ca', 'S1', 'S1|Order|A||', 1, 'h', \
     'Order', 'A', NULL, NULL, NULL, 'CAD', 7500000, 1)",
    "INSERT INTO settlement_components (line_id, seq, code, label, amount_micros) VALUES \
     (1, 2, 'fee.commission', 'Commission', -2500000), (1, 1, 'sale.gross', 'Principal', 10000000)",
    "INSERT INTO settlement_line_rows (line_id, seq, sheet, source_row, cells) VALUES \
     (1, 1, NULL, 3, '[\"S1\",\"10.00\"]'), (1, 2, NULL, 4, '[\"S1\",\"-2.50\"]')",
    "SELECT 1",
];

async fn check(store: &dyn LedgerStore, name: &str) {
    let lines = store.lines_of_batch(1).await.unwrap();
    assert_eq!(lines.len(), 1, "{name}");
    let line = &lines[0].line;
    let components: Vec<(&str, &str, String)> = line
        .components
        .iter()
        .map(|c| (c.code.as_str(), c.label.as_str(), c.amount.to_string()))
        .collect();
    assert_eq!(
        components,
        vec![
            ("sale.gross", "Principal", "10".to_string()),
            ("fee.commission", "Commission", "-2.5".to_string())
        ],
        "{name}: in their order"
    );
    assert_eq!(line.net(), d("7.5"));
    assert_eq!(line.rows.len(), 2);
    assert_eq!(line.rows[1].row, 4);
    assert_eq!(line.rows[1].cells, vec!["S1", "-2.50"]);
    let batch = store.batch_by_sha256("abc").await.unwrap().unwrap();
    assert_eq!(
        (batch.rows_read, batch.lines_new, batch.orders_new),
        (3, 1, 0),
        "{name}"
    );
    assert_eq!(
        store.batch_file(1).await.unwrap().unwrap(),
        b"hello",
        "{name}"
    );
}

#[tokio::test]
async fn sqlite_imports_made_before_0003_survive_the_upgrade() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("old.db").display());
    {
        let options = sqlx::sqlite::SqliteConnectOptions::from_str(&url)
            .unwrap()
            .create_if_missing(true);
        let pool = sqlx::SqlitePool::connect_with(options).await.unwrap();
        first_migrations(&SQLITE, 2).run(&pool).await.unwrap();
        for sql in OLD_IMPORT {
            sqlx::query(sql).execute(&pool).await.unwrap();
        }
        pool.close().await;
    }
    let store = SqliteStore::connect(&url).await.unwrap();
    check(&store, "sqlite").await;
}

#[tokio::test]
async fn postgres_imports_made_before_0003_survive_the_upgrade() {
    let Some(url) = support::postgres_url() else {
        return;
    };
    let schema = format!("sbupgrade_{}", std::process::id());
    let mut conn = sqlx::PgConnection::connect(&url).await.unwrap();
    sqlx::query(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"))
        .execute(&mut conn)
        .await
        .unwrap();
    sqlx::query(&format!("CREATE SCHEMA {schema}"))
        .execute(&mut conn)
        .await
        .unwrap();
    let options = PgConnectOptions::from_str(&url)
        .unwrap()
        .options([("search_path", schema.as_str())]);
    {
        let pool = sqlx::PgPool::connect_with(options.clone()).await.unwrap();
        first_migrations(&POSTGRES, 2).run(&pool).await.unwrap();
        for sql in OLD_IMPORT {
            sqlx::query(sql).execute(&pool).await.unwrap();
        }
        pool.close().await;
    }
    let store = PgStore::connect_with(options).await.unwrap();
    check(&store, "postgres").await;
    store.close().await;
    sqlx::query(&format!("DROP SCHEMA {schema} CASCADE"))
        .execute(&mut conn)
        .await
        .unwrap();
}
