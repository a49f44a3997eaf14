//! SQLite's bulk work through rusqlite: writing entries, postings, bookings
//! and an import's settlement lines, looking up idempotency keys, and
//! reading a shop's records for reconcile.
//!
//! sqlx runs every statement on its worker thread and answers over a
//! channel, so a row costs a round trip; multi-row `INSERT … VALUES` hides
//! that, but copies each value twice and makes the caller wait while SQLite
//! works. Booking a big month is millions of rows, so here the connection
//! is taken from the worker (`lock_handle`, which sqlx provides for exactly
//! this) and rusqlite runs one prepared statement per table in a loop, in
//! the same transaction. The text written is the text sqlx writes
//! (dates `YYYY-MM-DD`, times RFC 3339), so every reader sees the same rows
//! whichever path wrote them; `tests/sqlite_bulk.rs` holds that.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use rusqlite::{params, Connection, Params, Row};
use sqlx::{Sqlite, SqliteConnection, SqlitePool, Transaction};

use super::batch_sql::{self, FoundKeys};
use super::booking_sql::NewBooking;
use super::component_labels::{self, ComponentNames};
use super::import_sql::LineRow;
use super::StoreError;
use crate::domain::{EntryId, StoredEntry};

const INSERT_ENTRY: &str = "INSERT INTO entries (seq, idempotency_key, entry_date, kind, \
     description, reverses, created_at, created_by, content_hash, prev_hash, hash) \
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)";

const INSERT_POSTING: &str = "INSERT INTO postings (entry_seq, line_no, entry_date, account, \
     side, amount_micros, currency, memo, subsidiary, department, class, location, channel, \
     shop, order_id, statement_id, payout_id, batch_id, sheet, source_row, mapping_version) \
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, \
     ?19, ?20, ?21)";

const UPSERT_BALANCE: &str = "INSERT INTO account_balances (entry_date, account, currency, \
     channel, shop, kind, debit_micros, credit_micros) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) \
     ON CONFLICT (entry_date, account, currency, channel, shop, kind) DO UPDATE SET \
     debit_micros = account_balances.debit_micros + excluded.debit_micros, \
     credit_micros = account_balances.credit_micros + excluded.credit_micros";

const INSERT_BOOKING: &str = "INSERT INTO bookings (entry_seq, channel, shop, subject, \
     revision, basis_hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6)";

const INSERT_LINE: &str = "INSERT INTO settlement_lines (id, channel, shop, statement_id, \
     identity, occurrence, content_hash, transaction_type, order_id, adjustment_id, posted_raw, \
     posted_at, currency, net_micros, batch_id, ordered_raw, ordered_at) \
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)";

const INSERT_LINE_DETAILS: &str =
    "INSERT INTO settlement_line_details (line_id, components, source_rows) VALUES (?1, ?2, ?3)";

const FIND_KEY: &str = "SELECT seq, content_hash FROM entries WHERE idempotency_key = ?1";

/// For each of `keys` already in the ledger: its entry's sequence and
/// content hash (one indexed lookup each: a reconcile asks for 200,000).
pub(super) async fn find_keys(
    tx: &mut Transaction<'static, Sqlite>,
    keys: &[&str],
) -> Result<FoundKeys, StoreError> {
    with_connection(tx, |conn| {
        let mut find = conn.prepare_cached(FIND_KEY)?;
        let mut found = FoundKeys::new();
        for key in keys {
            let mut rows = find.query([key])?;
            if let Some(row) = rows.next()? {
                found.insert(key.to_string(), (EntryId(row.get(0)?), row.get(1)?));
            }
        }
        Ok(found)
    })
    .await
}

/// Inserts an import's new settlement lines with their details.
pub(super) async fn insert_lines(
    tx: &mut Transaction<'static, Sqlite>,
    channel: &str,
    shop: &str,
    batch_id: i64,
    rows: &[LineRow<'_>],
) -> Result<(), StoreError> {
    with_connection(tx, |conn| {
        let mut insert = conn.prepare_cached(INSERT_LINE)?;
        for r in rows {
            let line = &r.line.line;
            insert.execute(params![
                r.id,
                channel,
                shop,
                line.statement_id,
                r.line.identity,
                r.occurrence,
                r.line.content_hash,
                line.transaction_type.as_str(),
                line.order_id.as_deref(),
                line.adjustment_id.as_deref(),
                line.posted_at.as_ref().map(|t| t.raw.as_str()),
                line.posted_at.as_ref().map(|t| time_text(t.utc)),
                line.currency.code(),
                r.line.net_micros,
                batch_id,
                line.ordered_at.as_ref().map(|t| t.raw.as_str()),
                line.ordered_at.as_ref().map(|t| time_text(t.utc)),
            ])?;
        }
        let mut details = conn.prepare_cached(INSERT_LINE_DETAILS)?;
        for r in rows {
            details.execute(params![r.id, r.line.components_json, r.line.sources_json])?;
        }
        Ok(())
    })
    .await
}

/// Inserts `entries` (already chained, in order), their postings, and adds
/// them to the running totals.
pub(super) async fn insert_entries(
    tx: &mut Transaction<'static, Sqlite>,
    entries: &[StoredEntry],
) -> Result<(), StoreError> {
    with_connection(tx, |conn| write_entries(conn, entries)).await
}

pub(super) async fn insert_bookings(
    tx: &mut Transaction<'static, Sqlite>,
    rows: &[NewBooking<'_>],
) -> Result<(), StoreError> {
    with_connection(tx, |conn| {
        let mut insert = conn.prepare_cached(INSERT_BOOKING)?;
        for r in rows {
            insert.execute(params![
                r.entry_seq,
                r.channel,
                r.shop,
                r.subject,
                r.revision,
                r.basis_hash
            ])?;
        }
        Ok(())
    })
    .await
}

/// Adds import `batch_id`'s numbered component pairs to `names`.
pub(super) fn load_component_names(
    conn: &Connection,
    names: &mut ComponentNames,
    batch_id: i64,
) -> Result<(), StoreError> {
    let rows: Vec<(i64, String, String)> =
        fetch_all(conn, component_labels::LABELS_OF_BATCH, [batch_id])?;
    names.add(batch_id, rows)
}

/// Runs `work` in a read transaction of its own, so every query it makes
/// sees one snapshot of the database.
pub(super) async fn read<T>(
    pool: &SqlitePool,
    work: impl FnOnce(&Connection) -> Result<T, StoreError>,
) -> Result<T, StoreError> {
    let mut tx = pool.begin().await?;
    let out = with_connection(&mut tx, work).await?;
    tx.commit().await?;
    Ok(out)
}

/// Every row of `sql`, decoded as a tuple (`T` is the type the sqlx read of
/// the same query decodes: rusqlite decodes the same text the same way).
pub(super) fn fetch_all<T>(
    conn: &Connection,
    sql: &str,
    params: impl Params,
) -> Result<Vec<T>, StoreError>
where
    T: for<'a> TryFrom<&'a Row<'a>, Error = rusqlite::Error>,
{
    fetch_map(conn, sql, params, |t: T| Ok(t))
}

/// Every row of `sql`, decoded as a tuple and turned into `U` as it comes,
/// so the raw rows are never all held at once.
pub(super) fn fetch_map<T, U>(
    conn: &Connection,
    sql: &str,
    params: impl Params,
    mut convert: impl FnMut(T) -> Result<U, StoreError>,
) -> Result<Vec<U>, StoreError>
where
    T: for<'a> TryFrom<&'a Row<'a>, Error = rusqlite::Error>,
{
    let mut statement = conn.prepare(sql)?;
    // The queries are written for sqlx, which binds `$n` by its number;
    // rusqlite binds by position, the order SQLite first meets each. They
    // agree while `$1, $2, …` first appear in order.
    debug_assert!(
        (1..=statement.parameter_count())
            .all(|i| statement.parameter_name(i) == Some(format!("${i}").as_str())),
        "parameters out of order in {sql}"
    );
    let mut rows = statement.query(params)?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        out.push(convert(T::try_from(row)?)?);
    }
    Ok(out)
}

/// Runs `work` on the connection, taken from sqlx's worker for the
/// duration. The work is synchronous, so nothing can cancel it half-way
/// while the connection is out; on a multi-threaded runtime it runs in
/// `block_in_place` so the other tasks move to another thread.
async fn with_connection<T>(
    conn: &mut SqliteConnection,
    work: impl FnOnce(&Connection) -> Result<T, StoreError>,
) -> Result<T, StoreError> {
    let mut handle = conn.lock_handle().await?;
    let raw = handle.as_raw_handle();
    let run = || {
        // SAFETY: `handle` keeps sqlx's worker thread off this connection
        // and its statements until it is dropped, after this returns; a
        // connection from `from_handle` does not close the handle when
        // dropped. rusqlite and sqlx share one libsqlite3-sys (Cargo allows
        // a single crate linking `sqlite3`), so the handle's type is rusqlite's.
        let conn = unsafe { Connection::from_handle(raw.as_ptr()) }?;
        let out = work(&conn);
        // Statements are finalized here, before sqlx has the handle back.
        drop(conn);
        out
    };
    let multi_thread = tokio::runtime::Handle::try_current()
        .is_ok_and(|h| h.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread);
    let out = if multi_thread {
        tokio::task::block_in_place(run)
    } else {
        run()
    };
    drop(handle);
    out
}

fn write_entries(conn: &Connection, entries: &[StoredEntry]) -> Result<(), StoreError> {
    // The entries of a batch share a few dozen dates: each rendered once.
    let mut date_texts: HashMap<NaiveDate, String> = HashMap::new();
    for e in entries {
        let d = e.entry.date();
        date_texts.entry(d).or_insert_with(|| date_text(d));
    }
    let date = |d: NaiveDate| date_texts[&d].as_str();
    let mut insert_entry = conn.prepare_cached(INSERT_ENTRY)?;
    for e in entries {
        let j = &e.entry;
        insert_entry.execute(params![
            e.seq.0,
            j.idempotency_key(),
            date(j.date()),
            j.kind().as_str(),
            j.description(),
            j.reverses().map(|r| r.0),
            time_text(e.created_at),
            e.created_by,
            e.content_hash,
            e.prev_hash,
            e.hash,
        ])?;
    }
    let rows = batch_sql::posting_rows(entries)?;
    let mut insert_posting = conn.prepare_cached(INSERT_POSTING)?;
    for r in &rows {
        let p = &r.entry.entry.postings()[r.line];
        insert_posting.execute(params![
            r.entry.seq.0,
            r.line as i64 + 1,
            date(r.entry.entry.date()),
            p.account.as_str(),
            p.side.as_str(),
            r.micros,
            p.amount.currency.code(),
            p.memo.as_deref(),
            p.segments.subsidiary.as_deref(),
            p.segments.department.as_deref(),
            p.segments.class.as_deref(),
            p.segments.location.as_deref(),
            p.segments.channel.as_deref(),
            p.segments.shop.as_deref(),
            p.source.order_id.as_deref(),
            p.source.statement_id.as_deref(),
            p.source.payout_id.as_deref(),
            p.source.batch_id,
            p.source.sheet.as_deref(),
            p.source.row,
            p.mapping_version.as_deref(),
        ])?;
    }
    let mut upsert = conn.prepare_cached(UPSERT_BALANCE)?;
    for ((day, account, currency, channel, shop, kind), (dr, cr)) in batch_sql::balance_rows(&rows)
    {
        upsert.execute(params![
            date(day),
            account,
            currency,
            channel,
            shop,
            kind,
            dr,
            cr
        ])?;
    }
    Ok(())
}

/// A time as sqlx's SQLite encoder writes it.
fn time_text(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::AutoSi, false)
}

/// A date as sqlx's SQLite encoder writes it.
fn date_text(d: NaiveDate) -> String {
    d.format("%F").to_string()
}
