//! The embedded default: SQLite in WAL mode. Ledger writes take SQLite's
//! write lock up front (`BEGIN IMMEDIATE`), so concurrent writers queue
//! instead of failing halfway, in this process or another.

use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Sqlite, SqlitePool, Transaction};

use super::access_sql::impl_sql_access;
use super::outbox::impl_sql_outbox;
use super::sql_booking::impl_sql_booking;
use super::sql_impl::impl_sql_store;
use super::sql_import::impl_sql_import;
use super::{Backend, StoreError};

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");

#[derive(Clone)]
pub struct SqliteStore {
    pool: SqlitePool,
}

impl SqliteStore {
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        let options = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            // FULL: a committed entry survives a power cut, not only a crash.
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(30));
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(options)
            .await?;
        MIGRATOR.run(&pool).await?;
        Ok(SqliteStore { pool })
    }

    /// The pool, for tests and tools that need raw SQL.
    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    const BACKEND: Backend = Backend::Sqlite;

    async fn write_tx(&self) -> Result<SqliteTx, StoreError> {
        Ok(SqliteTx {
            tx: self.pool.begin_with("BEGIN IMMEDIATE").await?,
        })
    }
}

struct SqliteTx {
    tx: Transaction<'static, Sqlite>,
}

impl_sql_store!(SqliteStore, SqliteTx, Sqlite);
impl_sql_booking!(SqliteStore, SqliteTx, Sqlite);
impl_sql_import!(SqliteTx, Sqlite);
impl_sql_outbox!(SqliteStore);
impl_sql_access!(SqliteStore, Sqlite);
