//! PostgreSQL, for when the data grows. Ledger writes lock the single
//! `ledger_head` row first (`SELECT … FOR UPDATE`), so concurrent writers
//! queue on it and the chain never forks.

use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{PgPool, Postgres, Transaction};

use super::access_sql::impl_sql_access;
use super::batch_sql;
use super::booking_sql::{self, NewBooking};
use super::import_sql::LineRow;
use super::outbox::impl_sql_outbox;
use super::sql_booking::impl_sql_booking;
use super::sql_impl::impl_sql_store;
use super::sql_import::impl_sql_import;
use super::{pg_copy, Backend, StoreError};
use crate::domain::{EntryId, StoredEntry};

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

#[derive(Clone)]
pub struct PgStore {
    pool: PgPool,
}

impl PgStore {
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        PgStore::connect_with(PgConnectOptions::from_str(url)?).await
    }

    /// Connects with prepared options (tests use this to set a schema).
    pub async fn connect_with(options: PgConnectOptions) -> Result<Self, StoreError> {
        let pool = PgPoolOptions::new()
            .max_connections(8)
            .acquire_timeout(Duration::from_secs(30))
            .connect_with(options)
            .await?;
        MIGRATOR.run(&pool).await?;
        Ok(PgStore { pool })
    }

    /// The pool, for tests and tools that need raw SQL.
    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    const BACKEND: Backend = Backend::Postgres;

    async fn write_tx(&self) -> Result<PgTx, StoreError> {
        let mut tx = self.pool.begin().await?;
        sqlx::query(LOCK_HEAD).execute(&mut *tx).await?;
        Ok(PgTx { tx })
    }
}

impl PgStore {
    async fn read_shop_rows(
        &self,
        channel: &str,
        shop: &str,
    ) -> Result<booking_sql::ShopRows, StoreError> {
        use booking_sql as q;
        async fn all<T>(
            pool: &PgPool,
            sql: &str,
            channel: &str,
            shop: &str,
        ) -> Result<Vec<T>, StoreError>
        where
            T: for<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow> + Send + Unpin,
        {
            Ok(sqlx::query_as(sql)
                .bind(channel)
                .bind(shop)
                .fetch_all(pool)
                .await?)
        }
        let pool = &self.pool;
        let lines: Vec<super::imports::LineRowOut> =
            all(pool, q::SHOP_LINES, channel, shop).await?;
        let names = super::component_labels::names_for(pool, &lines).await?;
        let lines = lines
            .into_iter()
            .map(|r| q::line_fact(r, &names).map(|(_, l)| l))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(q::ShopRows {
            lines,
            orders: all(pool, q::SHOP_ORDERS, channel, shop).await?,
            order_lines: all(pool, q::SHOP_ORDER_LINES, channel, shop).await?,
            amounts: all(pool, q::SHOP_ORDER_AMOUNTS, channel, shop).await?,
            order_rows: all(pool, q::SHOP_ORDER_ROWS, channel, shop).await?,
            statements: all(pool, q::SHOP_STATEMENTS, channel, shop).await?,
            payouts: all(pool, q::SHOP_PAYOUTS, channel, shop).await?,
        })
    }

    async fn read_booking_rows(
        &self,
        channel: &str,
        shop: &str,
    ) -> Result<Vec<booking_sql::BookingRow>, StoreError> {
        Ok(sqlx::query_as(booking_sql::SHOP_BOOKINGS)
            .bind(channel)
            .bind(shop)
            .fetch_all(&self.pool)
            .await?)
    }
}

const LOCK_HEAD: &str = "SELECT last_seq FROM ledger_head WHERE id = 1 FOR UPDATE";

struct PgTx {
    tx: Transaction<'static, Postgres>,
}

/// PostgreSQL's bulk reads and writes: entries, postings and bookings by
/// `COPY` (`pg_copy`), the rest in multi-row statements of a thousand rows.
impl PgTx {
    async fn insert_entry_rows(&mut self, entries: &[StoredEntry]) -> Result<(), StoreError> {
        pg_copy::copy_entries(&mut self.tx, entries).await?;
        let rows = batch_sql::posting_rows(entries)?;
        pg_copy::copy_postings(&mut self.tx, &rows).await?;
        // A few rows per day and account, added to what is there: an upsert.
        let balances = batch_sql::balance_rows(&rows);
        for chunk in balances.chunks(batch_sql::CHUNK_ROWS) {
            batch_sql::upsert_balances::<Postgres>(chunk)
                .build()
                .execute(&mut *self.tx)
                .await?;
        }
        Ok(())
    }

    async fn find_key_rows(&mut self, keys: &[&str]) -> Result<batch_sql::FoundKeys, StoreError> {
        let mut found = batch_sql::FoundKeys::new();
        for chunk in keys.chunks(batch_sql::KEY_CHUNK) {
            let rows: Vec<(String, i64, String)> = batch_sql::find_keys::<Postgres>(chunk)
                .build_query_as()
                .fetch_all(&mut *self.tx)
                .await?;
            for (key, seq, hash) in rows {
                found.insert(key, (EntryId(seq), hash));
            }
        }
        Ok(found)
    }

    async fn insert_line_rows(
        &mut self,
        channel: &str,
        shop: &str,
        batch_id: i64,
        rows: &[LineRow<'_>],
    ) -> Result<(), StoreError> {
        pg_copy::copy_lines(&mut self.tx, channel, shop, batch_id, rows).await
    }

    async fn insert_booking_rows(&mut self, rows: &[NewBooking<'_>]) -> Result<(), StoreError> {
        pg_copy::copy_bookings(&mut self.tx, rows).await
    }
}

impl_sql_store!(PgStore, PgTx, Postgres);
impl_sql_booking!(PgStore, PgTx, Postgres);
impl_sql_import!(PgTx, Postgres);
impl_sql_outbox!(PgStore);
impl_sql_access!(PgStore, Postgres);
