//! Multi-row statements built with sqlx's `QueryBuilder` (one statement per
//! chunk instead of one per row): key lookups and the running totals'
//! upsert, and the posting rows every bulk writer shares. SQLite's bulk
//! rows go in through `sqlite_bulk`, PostgreSQL's through `pg_copy`.

use std::collections::HashMap;

use chrono::NaiveDate;
use sqlx::{Database, Encode, QueryBuilder, Type};

use super::amounts::to_micros;
use super::StoreError;
use crate::domain::{EntryId, StoredEntry};

/// Rows per statement: below SQLite's 32,766 and PostgreSQL's 65,535 bound
/// parameters with 21 columns.
pub const CHUNK_ROWS: usize = 1000;
/// Keys per lookup statement.
pub const KEY_CHUNK: usize = 500;

/// `SELECT idempotency_key, seq, content_hash … WHERE idempotency_key IN (…)`.
pub fn find_keys<'a, DB>(keys: &'a [&'a str]) -> QueryBuilder<'a, DB>
where
    DB: Database,
    &'a str: Encode<'a, DB> + Type<DB>,
{
    let mut qb = QueryBuilder::new(
        "SELECT idempotency_key, seq, content_hash FROM entries WHERE idempotency_key IN (",
    );
    let mut list = qb.separated(", ");
    for key in keys {
        list.push_bind(*key);
    }
    qb.push(")");
    qb
}

pub type FoundKeys = HashMap<String, (EntryId, String)>;

/// One posting row, with its amount already converted.
pub struct PostingRowRef<'a> {
    pub(super) entry: &'a StoredEntry,
    pub(super) line: usize,
    pub(super) micros: i64,
}

/// Every posting of `entries`, in entry and line order.
pub fn posting_rows(entries: &[StoredEntry]) -> Result<Vec<PostingRowRef<'_>>, StoreError> {
    let mut rows = Vec::new();
    for e in entries {
        for (line, p) in e.entry.postings().iter().enumerate() {
            rows.push(PostingRowRef {
                entry: e,
                line,
                micros: to_micros(p.amount.amount)?,
            });
        }
    }
    Ok(rows)
}

/// Stored content hashes of the lines with these identities, by occurrence.
pub fn stored_identities<'a, DB>(
    channel: &'a str,
    shop: &'a str,
    identities: &'a [&'a str],
) -> QueryBuilder<'a, DB>
where
    DB: Database,
    &'a str: Encode<'a, DB> + Type<DB>,
{
    let mut qb =
        QueryBuilder::new("SELECT identity, content_hash FROM settlement_lines WHERE channel = ");
    qb.push_bind(channel)
        .push(" AND shop = ")
        .push_bind(shop)
        .push(" AND identity IN (");
    let mut list = qb.separated(", ");
    for identity in identities {
        list.push_bind(*identity);
    }
    qb.push(") ORDER BY identity, occurrence");
    qb
}

/// The running totals a batch of postings adds: (day, account, currency,
/// channel, shop, kind) → (debit micros, credit micros), one row per key so
/// one upsert statement never touches a row twice.
pub type BalanceRow<'a> = (
    (NaiveDate, &'a str, &'a str, &'a str, &'a str, &'static str),
    (i64, i64),
);

pub fn balance_rows<'a>(rows: &[PostingRowRef<'a>]) -> Vec<BalanceRow<'a>> {
    let mut sums: std::collections::BTreeMap<_, (i64, i64)> = std::collections::BTreeMap::new();
    for r in rows {
        let p = &r.entry.entry.postings()[r.line];
        let key = (
            r.entry.entry.date(),
            p.account.as_str(),
            p.amount.currency.code(),
            p.segments.channel.as_deref().unwrap_or(""),
            p.segments.shop.as_deref().unwrap_or(""),
            r.entry.entry.kind().as_str(),
        );
        let e = sums.entry(key).or_default();
        match p.side {
            crate::domain::Side::Debit => e.0 += r.micros,
            crate::domain::Side::Credit => e.1 += r.micros,
        }
    }
    sums.into_iter().collect()
}

pub fn upsert_balances<'a, DB>(rows: &'a [BalanceRow<'a>]) -> QueryBuilder<'a, DB>
where
    DB: Database,
    i64: Encode<'a, DB> + Type<DB>,
    &'a str: Encode<'a, DB> + Type<DB>,
    NaiveDate: Encode<'a, DB> + Type<DB>,
{
    let mut qb = QueryBuilder::new(
        "INSERT INTO account_balances (entry_date, account, currency, channel, shop, kind, \
         debit_micros, credit_micros) ",
    );
    qb.push_values(
        rows,
        |mut b, ((day, account, currency, channel, shop, kind), (dr, cr))| {
            b.push_bind(*day)
                .push_bind(*account)
                .push_bind(*currency)
                .push_bind(*channel)
                .push_bind(*shop)
                .push_bind(*kind)
                .push_bind(*dr)
                .push_bind(*cr);
        },
    );
    qb.push(
        " ON CONFLICT (entry_date, account, currency, channel, shop, kind) DO UPDATE SET \
         debit_micros = account_balances.debit_micros + excluded.debit_micros, \
         credit_micros = account_balances.credit_micros + excluded.credit_micros",
    );
    qb
}
