//! The embedded default: SQLite in WAL mode. Ledger writes take SQLite's
//! write lock up front (`BEGIN IMMEDIATE`), so concurrent writers queue
//! instead of failing halfway, in this process or another.

use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Sqlite, SqlitePool, Transaction};

use super::access_sql::impl_sql_access;
use super::batch_sql::FoundKeys;
use super::booking_sql::{self, NewBooking};
use super::component_labels::ComponentNames;
use super::import_sql::LineRow;
use super::outbox::impl_sql_outbox;
use super::sql_booking::impl_sql_booking;
use super::sql_impl::impl_sql_store;
use super::sql_import::impl_sql_import;
use super::{sqlite_bulk, Backend, StoreError};
use crate::domain::StoredEntry;

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
            // 256 MiB of page cache per connection (SQLite's default is 2
            // MiB), taken only as pages are read: booking a big month
            // writes to indexes all over the file, and each page it must
            // read again from the OS or spill early is time.
            .pragma("cache_size", "-262144")
            // 8 KiB pages for a new database (an existing one keeps its
            // own: a WAL database cannot change it): a million-order
            // month's write commits in 8.7 s instead of 11.5 s with 4 KiB
            // pages, and its import is no slower.
            .page_size(8192)
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

impl SqliteStore {
    /// A shop's records in one read transaction, through rusqlite
    /// (`sqlite_bulk::read`): a big shop's are millions of rows, each a
    /// round trip to sqlx's worker thread through sqlx.
    async fn read_shop_rows(
        &self,
        channel: &str,
        shop: &str,
    ) -> Result<booking_sql::ShopRows, StoreError> {
        use booking_sql as q;
        sqlite_bulk::read(&self.pool, |conn| {
            let key = (channel, shop);
            let mut names = ComponentNames::new();
            let lines = sqlite_bulk::fetch_map(
                conn,
                q::SHOP_LINES_IN_TABLE_ORDER,
                key,
                |r: super::imports::LineRowOut| {
                    if !names.has(r.2) {
                        sqlite_bulk::load_component_names(conn, &mut names, r.2)?;
                    }
                    q::line_fact(r, &names).map(|(_, l)| l)
                },
            )?;
            Ok(q::ShopRows {
                lines,
                orders: sqlite_bulk::fetch_all(conn, q::SHOP_ORDERS, key)?,
                order_lines: sqlite_bulk::fetch_all(conn, q::SHOP_ORDER_LINES, key)?,
                amounts: sqlite_bulk::fetch_all(conn, q::SHOP_ORDER_AMOUNTS, key)?,
                order_rows: sqlite_bulk::fetch_all(conn, q::SHOP_ORDER_ROWS, key)?,
                statements: sqlite_bulk::fetch_all(conn, q::SHOP_STATEMENTS, key)?,
                payouts: sqlite_bulk::fetch_all(conn, q::SHOP_PAYOUTS, key)?,
            })
        })
        .await
    }

    async fn read_booking_rows(
        &self,
        channel: &str,
        shop: &str,
    ) -> Result<Vec<booking_sql::BookingRow>, StoreError> {
        sqlite_bulk::read(&self.pool, |conn| {
            sqlite_bulk::fetch_all(conn, booking_sql::SHOP_BOOKINGS, (channel, shop))
        })
        .await
    }
}

struct SqliteTx {
    tx: Transaction<'static, Sqlite>,
}

/// SQLite's bulk reads and writes: prepared statements in a loop
/// (`sqlite_bulk`).
impl SqliteTx {
    async fn insert_entry_rows(&mut self, entries: &[StoredEntry]) -> Result<(), StoreError> {
        sqlite_bulk::insert_entries(&mut self.tx, entries).await
    }

    async fn find_key_rows(&mut self, keys: &[&str]) -> Result<FoundKeys, StoreError> {
        sqlite_bulk::find_keys(&mut self.tx, keys).await
    }

    async fn insert_line_rows(
        &mut self,
        channel: &str,
        shop: &str,
        batch_id: i64,
        rows: &[LineRow<'_>],
    ) -> Result<(), StoreError> {
        sqlite_bulk::insert_lines(&mut self.tx, channel, shop, batch_id, rows).await
    }

    async fn insert_booking_rows(&mut self, rows: &[NewBooking<'_>]) -> Result<(), StoreError> {
        sqlite_bulk::insert_bookings(&mut self.tx, rows).await
    }
}

impl_sql_store!(SqliteStore, SqliteTx, Sqlite);
impl_sql_booking!(SqliteStore, SqliteTx, Sqlite);
impl_sql_import!(SqliteTx, Sqlite);
impl_sql_outbox!(SqliteStore);
impl_sql_access!(SqliteStore, Sqlite);
