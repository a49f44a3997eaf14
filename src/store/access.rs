//! Users, web sessions, the audit log, and the paged reads the web pages
//! browse with (a shop with a million orders is read a page at a time).

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use super::StoreError;
use crate::domain::access::Role;

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct User {
    pub id: i64,
    pub name: String,
    pub role: Role,
    pub created_at: DateTime<Utc>,
    pub disabled_at: Option<DateTime<Utc>>,
}

/// A live session and whose it is.
#[derive(Clone, Debug)]
pub struct SessionRecord {
    pub user: User,
    pub csrf_token: String,
    pub expires_at: DateTime<Utc>,
}

/// An audit log row to write.
#[derive(Clone, Debug, Default)]
pub struct NewAudit<'a> {
    pub actor: &'a str,
    pub action: &'a str,
    pub subject: Option<&'a str>,
    pub detail: Option<&'a str>,
    pub remote: Option<&'a str>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AuditRecord {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub actor: String,
    pub action: String,
    pub subject: Option<String>,
    pub detail: Option<String>,
    pub remote: Option<String>,
}

/// A page of the ledger: newest first, `before` is the cursor (the last
/// sequence of the previous page).
#[derive(Clone, Debug, Default)]
pub struct EntryPageQuery {
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub account: Option<String>,
    pub shop: Option<String>,
    pub before: Option<i64>,
    pub limit: i64,
}

/// What a search found: order and payout ids (with channel and shop) and
/// entries with a posting of the amount.
#[derive(Clone, Debug, Default, Serialize)]
pub struct SearchHits {
    pub orders: Vec<(String, String, String)>,
    pub payouts: Vec<(String, String, String)>,
    pub entries: Vec<i64>,
}

#[async_trait]
pub trait AccessStore: Send + Sync {
    /// Refused with `Conflict` when the name is taken.
    async fn create_user(
        &self,
        name: &str,
        role: Role,
        password_hash: &str,
    ) -> Result<User, StoreError>;
    async fn users(&self) -> Result<Vec<User>, StoreError>;
    /// The user and their password hash, for a login.
    async fn user_credentials(&self, name: &str) -> Result<Option<(User, String)>, StoreError>;
    async fn set_user_password(&self, name: &str, password_hash: &str) -> Result<(), StoreError>;
    async fn set_user_role(&self, name: &str, role: Role) -> Result<(), StoreError>;
    /// Disabling also ends every session of the user.
    async fn set_user_disabled(&self, name: &str, disabled: bool) -> Result<(), StoreError>;

    async fn create_session(
        &self,
        token_hash: &str,
        user_id: i64,
        csrf_token: &str,
        expires_at: DateTime<Utc>,
    ) -> Result<(), StoreError>;
    /// The session if it exists, has not expired and its user is enabled.
    async fn session(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<SessionRecord>, StoreError>;
    async fn delete_session(&self, token_hash: &str) -> Result<(), StoreError>;

    async fn record_audit(&self, audit: NewAudit<'_>) -> Result<i64, StoreError>;
    /// Newest first, before the cursor id.
    async fn audit_log(
        &self,
        before: Option<i64>,
        limit: i64,
        action: Option<&str>,
    ) -> Result<Vec<AuditRecord>, StoreError>;

    /// Entry sequences of one ledger page, newest first.
    async fn entry_page(&self, query: &EntryPageQuery) -> Result<Vec<i64>, StoreError>;
    async fn search(&self, text: &str, limit: i64) -> Result<SearchHits, StoreError>;

    /// A page of a batch's settlement lines, in import order, after `after_id`.
    async fn batch_lines_page(
        &self,
        batch_id: i64,
        after_id: i64,
        limit: i64,
    ) -> Result<Vec<crate::store::StoredLine>, StoreError>;
    /// Per currency: how many lines the batch has and their Σ net.
    async fn batch_line_totals(
        &self,
        batch_id: i64,
    ) -> Result<Vec<(String, i64, rust_decimal::Decimal)>, StoreError>;

    /// The importer's warnings for a batch, as it recorded them.
    async fn batch_warnings(&self, batch_id: i64) -> Result<Vec<String>, StoreError>;

    /// Deposit entries that carry a payout (what its trail shows of the
    /// bank), without loading the payout's thousands of other entries.
    async fn deposit_entries_of_payout(
        &self,
        payout_id: &str,
    ) -> Result<Vec<crate::domain::StoredEntry>, StoreError>;

    /// Keeps a shop's standing (JSON, see `crate::standing`), replacing the last.
    async fn save_shop_standing(
        &self,
        channel: &str,
        shop: &str,
        standing: &str,
    ) -> Result<(), StoreError>;
    /// Every shop's standing, by channel and shop.
    async fn shop_standings(&self) -> Result<Vec<String>, StoreError>;

    /// After a bulk write (a big import booked): refreshes the planner's
    /// statistics — SQLite's `PRAGMA optimize`; on PostgreSQL `VACUUM
    /// (ANALYZE)` of the records and the ledger, which also marks the new
    /// rows visible so index-only scans (a statement's total, a shop's
    /// counts) stop fetching every row until autovacuum comes by.
    async fn refresh_after_bulk_write(&self) -> Result<(), StoreError>;
    /// What the shop's records are as of now, cheaply: its import batches'
    /// count and last id. Batches are append-only, so any import for the
    /// shop changes it.
    async fn shop_import_mark(&self, shop: &str) -> Result<String, StoreError>;
    /// Keeps a shop's close basis (JSON, see `domain::close_basis`) with
    /// the fingerprint of what it was computed from, replacing the last.
    async fn save_close_basis(
        &self,
        channel: &str,
        shop: &str,
        fingerprint: &str,
        basis: &str,
    ) -> Result<(), StoreError>;
    /// Where a shop's booked entries stand, cheaply: its last booking and
    /// the ledger's last reversal (a reversal by hand books no booking). The
    /// same mark means the same booked entries.
    async fn shop_ledger_mark(&self, channel: &str, shop: &str) -> Result<String, StoreError>;
    /// The booked entries of a scope (`bank` and the bank's name, or a
    /// channel and shop) that stood on `as_of`: dated by then and not
    /// reversed by then (a reversal dated later leaves them standing that day).
    async fn bookings_standing_on(
        &self,
        channel: &str,
        shop: &str,
        as_of: chrono::NaiveDate,
    ) -> Result<Vec<crate::domain::EntryId>, StoreError>;
    /// A shop's booked entries that stand (not reversed), per day.
    async fn booked_entries_by_day(
        &self,
        channel: &str,
        shop: &str,
    ) -> Result<Vec<(chrono::NaiveDate, u64)>, StoreError>;
    /// The shop's kept close basis: (fingerprint, JSON).
    async fn close_basis(
        &self,
        channel: &str,
        shop: &str,
    ) -> Result<Option<(String, String)>, StoreError>;
}

pub(crate) const USER_COLUMNS: &str = "id, name, role, created_at, disabled_at";
pub(crate) type UserRow = (i64, String, String, DateTime<Utc>, Option<DateTime<Utc>>);

pub(crate) fn user(r: UserRow) -> Result<User, StoreError> {
    Ok(User {
        id: r.0,
        name: r.1,
        role: r
            .2
            .parse()
            .map_err(|e: crate::domain::access::UnknownRole| StoreError::Corrupt(e.to_string()))?,
        created_at: r.3,
        disabled_at: r.4,
    })
}

pub(crate) type AuditRow = (
    i64,
    DateTime<Utc>,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
);

pub(crate) fn audit(r: AuditRow) -> AuditRecord {
    AuditRecord {
        id: r.0,
        at: r.1,
        actor: r.2,
        action: r.3,
        subject: r.4,
        detail: r.5,
        remote: r.6,
    }
}

/// The ledger page query; binds follow in the order from, to, before,
/// account, shop, limit (only those present).
pub(crate) fn entry_page_sql(q: &EntryPageQuery) -> String {
    let mut sql = String::from("SELECT e.seq FROM entries e WHERE 1 = 1");
    let mut n = 0;
    let mut next = || {
        n += 1;
        n
    };
    if q.from.is_some() {
        sql.push_str(&format!(" AND e.entry_date >= ${}", next()));
    }
    if q.to.is_some() {
        sql.push_str(&format!(" AND e.entry_date <= ${}", next()));
    }
    if q.before.is_some() {
        sql.push_str(&format!(" AND e.seq < ${}", next()));
    }
    if q.account.is_some() {
        sql.push_str(&format!(
            " AND EXISTS (SELECT 1 FROM postings p WHERE p.entry_seq = e.seq AND p.account = ${})",
            next()
        ));
    }
    if q.shop.is_some() {
        sql.push_str(&format!(
            " AND EXISTS (SELECT 1 FROM postings p WHERE p.entry_seq = e.seq AND p.shop = ${})",
            next()
        ));
    }
    sql.push_str(&format!(" ORDER BY e.seq DESC LIMIT ${}", next()));
    sql
}
