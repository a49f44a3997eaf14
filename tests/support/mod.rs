//! Shared test support: fresh databases on both backends, a chart, and
//! entry builders. Every store test runs on SQLite and on PostgreSQL.
#![allow(dead_code)]

pub mod cli;
pub mod imports;
pub mod web;
pub mod xlsx_fixtures;

use std::str::FromStr;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};

use chrono::NaiveDate;
use rust_decimal::Decimal;
use settlebridge::domain::{
    ChartOfAccounts, EntryDraft, EntryKind, JournalEntry, Money, Posting, Side,
};
use settlebridge::gl_mappings::DEFAULT_ACCOUNTS_TOML;
use settlebridge::store::{LedgerStore, PgStore, SqliteStore};
use sqlx::postgres::PgConnectOptions;
use sqlx::Connection;

/// The PostgreSQL server the suite uses (a database it may create schemas in).
pub const PG_ENV: &str = "SETTLEBRIDGE_TEST_POSTGRES_URL";
/// When set, a missing PostgreSQL fails the suite instead of skipping (CI sets it).
pub const PG_REQUIRED_ENV: &str = "SETTLEBRIDGE_REQUIRE_POSTGRES";

pub enum Raw {
    Sqlite(sqlx::SqlitePool),
    Postgres(sqlx::PgPool),
}

/// A fresh, migrated, empty database with the default chart loaded.
pub struct TestDb {
    pub name: &'static str,
    pub store: std::sync::Arc<dyn LedgerStore>,
    pub raw: Raw,
    /// Keeps the SQLite file's directory alive.
    _dir: Option<tempfile::TempDir>,
}

impl TestDb {
    pub fn store(&self) -> &dyn LedgerStore {
        self.store.as_ref()
    }

    /// Runs SQL outside settlebridge, as someone with database access could.
    pub async fn raw_execute(&self, sql: &str) -> Result<u64, sqlx::Error> {
        match &self.raw {
            Raw::Sqlite(p) => sqlx::query(sql).execute(p).await.map(|r| r.rows_affected()),
            Raw::Postgres(p) => sqlx::query(sql).execute(p).await.map(|r| r.rows_affected()),
        }
    }

    /// One integer a query gives (run outside settlebridge).
    pub async fn raw_i64(&self, sql: &str) -> i64 {
        match &self.raw {
            Raw::Sqlite(p) => sqlx::query_scalar(sql).fetch_one(p).await.unwrap(),
            Raw::Postgres(p) => sqlx::query_scalar(sql).fetch_one(p).await.unwrap(),
        }
    }

    pub async fn raw_count(&self, table: &str) -> i64 {
        let sql = format!("SELECT COUNT(*) FROM {table}");
        match &self.raw {
            Raw::Sqlite(p) => sqlx::query_scalar(&sql).fetch_one(p).await.unwrap(),
            Raw::Postgres(p) => sqlx::query_scalar(&sql).fetch_one(p).await.unwrap(),
        }
    }
}

pub fn chart() -> ChartOfAccounts {
    ChartOfAccounts::from_toml(DEFAULT_ACCOUNTS_TOML).unwrap()
}

pub async fn sqlite_db() -> TestDb {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("ledger.db").display());
    let store = SqliteStore::connect(&url).await.unwrap();
    store.sync_chart(&chart()).await.unwrap();
    TestDb {
        name: "sqlite",
        raw: Raw::Sqlite(store.pool().clone()),
        store: std::sync::Arc::new(store),
        _dir: Some(dir),
    }
}

static SCHEMA_COUNTER: AtomicU32 = AtomicU32::new(0);
static SWEPT: AtomicBool = AtomicBool::new(false);

/// Test schemas are named after the process that made them; once per test
/// process, drop those whose process is gone. (Dropping a schema while its
/// own test still holds connections would wait on their locks.)
async fn sweep_dead_schemas(conn: &mut sqlx::PgConnection) {
    if SWEPT.swap(true, Ordering::SeqCst) {
        return;
    }
    let names: Vec<String> = sqlx::query_scalar(
        "SELECT nspname::text FROM pg_namespace WHERE nspname LIKE 'sbtest\\_%'",
    )
    .fetch_all(&mut *conn)
    .await
    .unwrap_or_default();
    for name in names {
        let pid = name.split('_').nth(1).unwrap_or("");
        if !pid.is_empty() && !std::path::Path::new(&format!("/proc/{pid}")).exists() {
            let _ = sqlx::query("SET lock_timeout = '2s'")
                .execute(&mut *conn)
                .await;
            let _ = sqlx::query(&format!("DROP SCHEMA IF EXISTS {name} CASCADE"))
                .execute(&mut *conn)
                .await;
        }
    }
}

pub fn postgres_url() -> Option<String> {
    match std::env::var(PG_ENV) {
        Ok(url) if !url.is_empty() => Some(url),
        _ => {
            if std::env::var_os(PG_REQUIRED_ENV).is_some() {
                panic!("{PG_REQUIRED_ENV} is set but {PG_ENV} is not: PostgreSQL tests cannot run");
            }
            eprintln!(
                "\n!!! {PG_ENV} is not set: the PostgreSQL half of this test is SKIPPED !!!\n\
                 !!! set it, e.g. {PG_ENV}=postgres://postgres@127.0.0.1:5432/test !!!\n"
            );
            None
        }
    }
}

/// Creates a schema named after this process (so a later test process
/// sweeps it once this one is gone) and returns its name.
async fn create_schema(url: &str) -> String {
    let schema = format!(
        "sbtest_{}_{}_{}",
        std::process::id(),
        SCHEMA_COUNTER.fetch_add(1, Ordering::SeqCst),
        rand::random::<u32>()
    );
    let mut conn = sqlx::PgConnection::connect(url)
        .await
        .unwrap_or_else(|e| panic!("cannot reach PostgreSQL at {PG_ENV}: {e}"));
    sweep_dead_schemas(&mut conn).await;
    sqlx::query(&format!("CREATE SCHEMA {schema}"))
        .execute(&mut conn)
        .await
        .unwrap();
    conn.close().await.unwrap();
    schema
}

/// A fresh schema in the test PostgreSQL database, or None (loudly) when
/// the suite has no PostgreSQL.
pub async fn postgres_db() -> Option<TestDb> {
    let url = postgres_url()?;
    let schema = create_schema(&url).await;
    let options = PgConnectOptions::from_str(&url)
        .unwrap()
        .options([("search_path", schema.as_str())]);
    let store = PgStore::connect_with(options).await.unwrap();
    store.sync_chart(&chart()).await.unwrap();
    Some(TestDb {
        name: "postgres",
        raw: Raw::Postgres(store.pool().clone()),
        store: std::sync::Arc::new(store),
        _dir: None,
    })
}

/// A fresh schema for the binary to use (`DATABASE_URL`, see
/// `cli::use_database`), or None (loudly) when the suite has no PostgreSQL.
pub fn postgres_schema_url() -> Option<String> {
    let url = postgres_url()?;
    let schema = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(create_schema(&url));
    let sep = if url.contains('?') { '&' } else { '?' };
    Some(format!("{url}{sep}options=-csearch_path%3D{schema}"))
}

/// SQLite always; PostgreSQL when the suite has it.
pub async fn all_backends() -> Vec<TestDb> {
    let mut dbs = vec![sqlite_db().await];
    if let Some(pg) = postgres_db().await {
        dbs.push(pg);
    }
    dbs
}

pub fn d(s: &str) -> Decimal {
    Decimal::from_str_exact(s).unwrap()
}

pub fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

/// A posting from `("1210", "debit", "10.00", "USD")`.
pub fn posting(account: &str, side: &str, amount: &str, currency: &str) -> Posting {
    let side = match side {
        "debit" | "dr" => Side::Debit,
        "credit" | "cr" => Side::Credit,
        other => panic!("side {other}"),
    };
    Posting::new(
        account.parse().unwrap(),
        side,
        Money::new(d(amount), currency.parse().unwrap()),
    )
}

pub fn draft(key: &str, on: &str, lines: &[(&str, &str, &str, &str)]) -> EntryDraft {
    EntryDraft {
        idempotency_key: key.to_string(),
        date: date(on),
        kind: EntryKind::Manual,
        description: format!("test entry {key}"),
        postings: lines
            .iter()
            .map(|(a, s, m, c)| posting(a, s, m, c))
            .collect(),
    }
}

pub fn entry(key: &str, on: &str, lines: &[(&str, &str, &str, &str)]) -> JournalEntry {
    JournalEntry::new(draft(key, on, lines), &chart()).unwrap()
}

/// A two-line USD entry: Dr 1210, Cr 4000.
pub fn sale(key: &str, on: &str, amount: &str) -> JournalEntry {
    entry(
        key,
        on,
        &[
            ("1210", "debit", amount, "USD"),
            ("4000", "credit", amount, "USD"),
        ],
    )
}

/// A real sample from `SETTLEBRIDGE_SAMPLES_DIR` (default `../shared/samples`),
/// or None — loudly — where the folder is absent.
pub fn sample(name: &str) -> Option<std::path::PathBuf> {
    let dir = std::env::var("SETTLEBRIDGE_SAMPLES_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|_| {
            std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/samples")
        });
    let path = dir.join(name);
    if path.exists() {
        Some(path)
    } else {
        eprintln!(
            "\n!!! real sample {} not found: this check is SKIPPED (set SETTLEBRIDGE_SAMPLES_DIR) !!!\n",
            path.display()
        );
        None
    }
}

/// Σ of one component code over a parsed file's lines.
pub fn component_total(p: &settlebridge::domain::settlement::ParsedFile, code: &str) -> Decimal {
    p.lines
        .iter()
        .flat_map(|l| &l.components)
        .filter(|c| c.code.as_str() == code)
        .map(|c| c.amount)
        .sum()
}

/// The first `n` migrations of a backend, to build a database as an older
/// version left it. (`Migrator::migrations` is public for sqlx's macro; sqlx
/// is pinned by Cargo.lock.)
pub fn first_migrations(migrator: &sqlx::migrate::Migrator, n: usize) -> sqlx::migrate::Migrator {
    sqlx::migrate::Migrator {
        migrations: std::borrow::Cow::Owned(migrator.migrations[..n].to_vec()),
        ..sqlx::migrate::Migrator::DEFAULT
    }
}

/// One connection to a SQLite file, foreign keys on (as the product has them).
pub async fn sqlite_pool_with_foreign_keys(url: &str) -> sqlx::SqlitePool {
    let pool = sqlx::sqlite::SqlitePoolOptions::new()
        .max_connections(1)
        .connect(url)
        .await
        .unwrap();
    sqlx::query("PRAGMA foreign_keys = ON")
        .execute(&pool)
        .await
        .unwrap();
    pool
}
