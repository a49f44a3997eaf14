//! Storage: one trait, `LedgerStore`, with a SQLite and a PostgreSQL
//! implementation that behave the same. The ledger's rules on write
//! (idempotency, closed periods, reversals, the hash chain) are written once,
//! in `rules`, over the small `LedgerTx` trait each backend implements.

/// `SELECT` of settlement lines with everything that rebuilds them (one row
/// decodes as `imports::LineRowOut`), followed by the given condition: every
/// read of lines — a batch, a shop, an order, a statement — uses it.
macro_rules! select_lines {
    ($condition:literal) => {
        select_lines!(from "settlement_lines l", $condition)
    };
    (from $lines:literal, $condition:literal) => {
        concat!(
            "SELECT l.channel, l.shop, l.batch_id, l.id, l.occurrence, l.statement_id, \
             l.transaction_type, l.order_id, l.adjustment_id, l.posted_raw, l.posted_at, \
             l.currency, d.components, d.source_rows, l.ordered_raw, l.ordered_at \
             FROM ",
            $lines,
            " JOIN settlement_line_details d ON d.line_id = l.id ",
            $condition
        )
    };
}

pub mod access;
mod access_sql;
pub(crate) mod amounts;
mod bank_sql;
mod batch_sql;
mod booking_sql;
mod chart_sync;
pub mod component_labels;
mod error;
pub mod evidence;
mod import_sql;
pub(crate) mod imports;
mod order_read;
mod outbox;
mod pg_copy;
mod postgres;
mod rows;
mod rules;
mod sql;
mod sql_booking;
mod sql_impl;
mod sql_import;
mod sqlite;
mod sqlite_bulk;

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use crate::domain::order::Order;
use crate::domain::payout::Payout;
use crate::domain::settlement::{FileSummary, ParsedFile, Statement};
use crate::domain::verify::PeriodSeal;
use crate::domain::{
    AccountTotals, ChartOfAccounts, EntryId, JournalEntry, Period, PeriodStatus, StoredEntry,
};
use evidence::FileChunk;

pub use access::{
    AccessStore, AuditRecord, EntryPageQuery, NewAudit, SearchHits, SessionRecord, User,
};
pub use bank_sql::{StoredBankLine, StoredBankStatement};
pub use booking_sql::{ActivityTotals, BookingWrite};
pub use component_labels::{ComponentLabel, ComponentNames, ComponentNumbering};
pub use error::StoreError;
pub use imports::{BatchSummary, NewBatch, PreparedLine, StoredLine};
pub use order_read::OrderRecord;
pub use outbox::{NewOutboxDocument, OutboxCounts, OutboxDocument, OutboxOutcome, OutboxStatus};
pub use postgres::PgStore;
pub use sqlite::SqliteStore;

/// The database a command works on when neither `--db` nor `DATABASE_URL` says.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://settlebridge.db";

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// What posting an entry did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Posted {
    /// A new entry was written.
    Created(StoredEntry),
    /// An entry with the same key and the same content was already there.
    Existing(StoredEntry),
}

impl Posted {
    pub fn entry(&self) -> &StoredEntry {
        match self {
            Posted::Created(e) | Posted::Existing(e) => e,
        }
    }
    pub fn is_new(&self) -> bool {
        matches!(self, Posted::Created(_))
    }
}

/// Which entries to read: dates are inclusive.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct EntryFilter {
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
}

impl EntryFilter {
    pub fn period(period: Period) -> Self {
        EntryFilter {
            from: Some(period.first_day()),
            to: Some(period.last_day()),
        }
    }
}

/// Which postings to sum: entry dates are inclusive; `max_seq` limits to
/// entries written up to that point of the chain (for period seals).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TotalsQuery {
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub max_seq: Option<i64>,
    /// Sum the postings themselves rather than the running totals kept in
    /// `account_balances` (what `verify` compares them with). A query with
    /// `max_seq` always sums postings.
    pub from_postings: bool,
}

/// A period and what the last close or reopen did to it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PeriodState {
    pub period: Period,
    pub status: PeriodStatus,
    pub changed_at: DateTime<Utc>,
    pub changed_by: String,
    pub reason: Option<String>,
    pub seal_hash: Option<String>,
}

/// What loading the chart changed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ChartSync {
    pub added: usize,
    pub updated: usize,
    pub unchanged: usize,
}

/// Row counts, for summaries.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct LedgerCounts {
    pub entries: u64,
    pub postings: u64,
    pub accounts: u64,
}

/// Everything the application needs from a database. Every write either
/// happens completely or leaves the database exactly as it was.
#[async_trait]
pub trait LedgerStore: AccessStore + Send + Sync {
    fn backend(&self) -> Backend;

    /// Closes the connections cleanly (SQLite checkpoints its WAL into the file).
    async fn close(&self);

    /// Adds new accounts and updates names, NetSuite ids and the active flag.
    /// Changing the type of an account that has postings is refused.
    async fn sync_chart(&self, chart: &ChartOfAccounts) -> Result<ChartSync, StoreError>;
    async fn chart(&self) -> Result<ChartOfAccounts, StoreError>;

    /// Writes one entry (see `Posted` for what a repeated key does).
    async fn post(&self, entry: &JournalEntry, actor: &str) -> Result<Posted, StoreError> {
        let mut posted = self.post_batch(std::slice::from_ref(entry), actor).await?;
        Ok(posted.pop().expect("one result per entry"))
    }
    /// Writes several entries in one transaction: all of them or none.
    async fn post_batch(
        &self,
        entries: &[JournalEntry],
        actor: &str,
    ) -> Result<Vec<Posted>, StoreError>;
    /// Writes the mirror of entry `id`. Without `date`, it is dated like the
    /// original, or on the first day of the first open period after it when
    /// the original's period is closed.
    async fn reverse(
        &self,
        id: EntryId,
        date: Option<NaiveDate>,
        reason: &str,
        actor: &str,
    ) -> Result<StoredEntry, StoreError>;

    async fn entry(&self, id: EntryId) -> Result<Option<StoredEntry>, StoreError>;
    async fn entry_by_key(&self, key: &str) -> Result<Option<StoredEntry>, StoreError>;
    /// The entry that reverses `id`, if any.
    async fn reversed_by(&self, id: EntryId) -> Result<Option<EntryId>, StoreError>;
    /// Streams entries in sequence order, with their postings.
    async fn for_each_entry(
        &self,
        filter: EntryFilter,
        visit: &mut (dyn FnMut(StoredEntry) -> Result<(), StoreError> + Send),
    ) -> Result<(), StoreError>;
    /// Debit and credit totals per account and currency.
    async fn account_totals(&self, query: TotalsQuery) -> Result<Vec<AccountTotals>, StoreError>;
    /// The last entry's sequence and hash, as the chain head records them.
    async fn head(&self) -> Result<Option<(i64, String)>, StoreError>;
    async fn counts(&self) -> Result<LedgerCounts, StoreError>;

    /// Closes a period and stores its seal.
    async fn close_period(&self, period: Period, actor: &str) -> Result<PeriodSeal, StoreError>;
    async fn reopen_period(
        &self,
        period: Period,
        reason: &str,
        actor: &str,
    ) -> Result<(), StoreError>;
    /// Periods that were ever closed, with their current state.
    async fn period_states(&self) -> Result<Vec<PeriodState>, StoreError>;
    /// Every seal ever stored, oldest first (a reopened period keeps its old seals).
    async fn seals(&self) -> Result<Vec<PeriodSeal>, StoreError>;

    /// The batch that imported a file with this SHA-256, if any.
    async fn batch_by_sha256(&self, sha256: &str) -> Result<Option<BatchSummary>, StoreError>;
    /// Starts recording a file that streams in (see `ImportWriter`). Another
    /// writer — an import, a posting — waits until this one finishes.
    async fn begin_import(&self, batch: &NewBatch) -> Result<Box<dyn ImportWriter>, StoreError>;
    /// Records a parsed file and its original bytes, all or nothing. Lines
    /// already stored are counted as duplicates; lines whose amounts differ
    /// from what is stored under the same identity refuse the whole file.
    async fn record_import(
        &self,
        batch: &NewBatch,
        content: &[u8],
        parsed: &ParsedFile,
    ) -> Result<BatchSummary, StoreError> {
        let mut writer = self.begin_import(batch).await?;
        for chunk in content.chunks(FILE_CHUNK_BYTES) {
            writer.add_content(&FileChunk::encode(chunk)).await?;
        }
        writer.add_statements(&parsed.statements).await?;
        let mut numbering = ComponentNumbering::new();
        for chunk in parsed.lines.chunks(1000) {
            let prepared = chunk
                .iter()
                .cloned()
                .map(|l| PreparedLine::new(l, &mut numbering))
                .collect::<Result<Vec<_>, _>>()?;
            writer.add_lines(&numbering.take_new(), &prepared).await?;
        }
        writer.add_payouts(&parsed.payouts).await?;
        for chunk in parsed.orders.chunks(1000) {
            writer.add_orders(chunk).await?;
        }
        writer.finish(&parsed.summary()).await
    }
    /// The original bytes of an imported file.
    async fn batch_file(&self, batch_id: i64) -> Result<Option<Vec<u8>>, StoreError>;
    /// The settlement lines an import added, in file order.
    async fn lines_of_batch(&self, batch_id: i64) -> Result<Vec<StoredLine>, StoreError>;
    /// Every recorded import, oldest first (an import still running or
    /// refused has no result and is not listed).
    async fn batches(&self) -> Result<Vec<BatchSummary>, StoreError>;
    /// The (channel, shop) pairs that have imported records.
    async fn record_shops(
        &self,
    ) -> Result<Vec<(crate::domain::settlement::Channel, String)>, StoreError>;
    /// Everything imported for one shop, for matching and booking: its
    /// settlement lines, the latest revision of its orders, statements and
    /// payouts.
    async fn shop_facts(
        &self,
        channel: crate::domain::settlement::Channel,
        shop: &str,
    ) -> Result<crate::domain::matching::ShopFacts, StoreError>;
    /// What an order's trail needs, per shop that knows the order: its
    /// lines, its latest export, their statements and payouts, and the
    /// totals of the statements' other lines (`outside_lines`).
    async fn order_facts(
        &self,
        order_id: &str,
    ) -> Result<Vec<crate::domain::matching::ShopFacts>, StoreError>;
    /// What a payout's trail needs, per shop: its statements, their lines
    /// and the payout record.
    async fn payout_facts(
        &self,
        payout_id: &str,
    ) -> Result<Vec<crate::domain::matching::ShopFacts>, StoreError>;
    /// What is booked for a shop: live bookings and revisions used.
    /// `channel`: the booking scope — a channel's name, or `bank` for a bank
    /// account's deposit entries (then `shop` is the bank's name).
    async fn booking_state(
        &self,
        channel: &str,
        shop: &str,
    ) -> Result<crate::domain::booking::changes::BookingState, StoreError>;
    /// Writes bookings in one transaction: each reversal, each entry and its
    /// `bookings` row, all or nothing. Returns how many entries were written
    /// (one a concurrent reconcile wrote already is not written again).
    async fn apply_bookings(
        &self,
        channel: &str,
        shop: &str,
        writes: Vec<BookingWrite>,
        actor: &str,
    ) -> Result<usize, StoreError>;
    /// How many of a shop's booked entries that stand are dated in `from..=to`.
    async fn booked_entries(
        &self,
        channel: crate::domain::settlement::Channel,
        shop: &str,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<u64, StoreError>;
    /// A shop's posting totals per account and entry kind, dated in
    /// `from..=to` (shop "" is the one imported without a shops.toml).
    async fn shop_activity(
        &self,
        channel: crate::domain::settlement::Channel,
        shop: &str,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<ActivityTotals>, StoreError>;
    /// Every entry with a posting for this order id (or payout id), in order.
    async fn entries_touching(
        &self,
        order_id: Option<&str>,
        payout_id: Option<&str>,
    ) -> Result<Vec<StoredEntry>, StoreError>;
    /// An order's latest revision, with its latest status and refund.
    async fn order(
        &self,
        channel: crate::domain::settlement::Channel,
        shop: &str,
        order_id: &str,
    ) -> Result<Option<OrderRecord>, StoreError>;

    /// A bank account's lines booked `from..=to`, in date order.
    async fn bank_lines(
        &self,
        bank: &str,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<StoredBankLine>, StoreError>;

    /// A bank account's statements as imported, oldest first.
    async fn bank_statements(&self, bank: &str) -> Result<Vec<StoredBankStatement>, StoreError>;

    // --- The NetSuite outbox ---------------------------------------------
    /// Queues documents with the entries they carry, in one transaction.
    /// A document already queued is left as it is; an entry queued in
    /// another document is a conflict and nothing is written. Returns how
    /// many documents are new.
    async fn queue_documents(&self, docs: &[NewOutboxDocument]) -> Result<usize, StoreError>;
    /// Entries dated `from..=to` already in some document.
    async fn queued_entry_seqs(
        &self,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<std::collections::HashSet<i64>, StoreError>;
    /// Documents with one of `statuses`, dated `from..=to`.
    async fn outbox_documents(
        &self,
        statuses: &[OutboxStatus],
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<OutboxDocument>, StoreError>;
    async fn outbox_document_of_entry(
        &self,
        seq: i64,
    ) -> Result<Option<OutboxDocument>, StoreError>;
    /// Records one attempt and moves the document's status, in one transaction.
    async fn record_outbox_outcome(
        &self,
        external_id: &str,
        outcome: &OutboxOutcome,
    ) -> Result<(), StoreError>;
    /// Holds a document for one run until `until`; false when another run
    /// holds it or it is posted.
    async fn claim_document(
        &self,
        external_id: &str,
        holder: &str,
        until: DateTime<Utc>,
    ) -> Result<bool, StoreError>;
    async fn release_document(&self, external_id: &str, holder: &str) -> Result<(), StoreError>;
    /// How many of a shop's booked entries dated `from..=to` NetSuite has.
    async fn netsuite_posted_entries(
        &self,
        channel: crate::domain::settlement::Channel,
        shop: &str,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<u64, StoreError>;
    /// Documents and entries per status for entries dated `from..=to`.
    async fn outbox_counts(
        &self,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<OutboxCounts, StoreError>;
}

/// The original file is stored in chunks of at most this many bytes.
pub const FILE_CHUNK_BYTES: usize = 1024 * 1024;

/// Records one file as it streams in, inside one transaction: each `add_*`
/// writes what is new and notes what conflicts with what is stored;
/// `finish` refuses the whole file if anything conflicted, otherwise writes
/// the results and commits. Dropping the writer without `finish` rolls
/// everything back, so a failed parse or a crash leaves nothing behind.
#[async_trait]
pub trait ImportWriter: Send {
    /// The next chunk of the original file (at most `FILE_CHUNK_BYTES`
    /// before encoding).
    async fn add_content(&mut self, chunk: &FileChunk) -> Result<(), StoreError>;
    async fn add_statements(&mut self, statements: &[Statement]) -> Result<(), StoreError>;
    /// Lines, after the (code, label) pairs numbered since the last call
    /// (the lines' components name them by number).
    async fn add_lines(
        &mut self,
        labels: &[ComponentLabel],
        lines: &[PreparedLine],
    ) -> Result<(), StoreError>;
    async fn add_payouts(&mut self, payouts: &[Payout]) -> Result<(), StoreError>;
    async fn add_orders(&mut self, orders: &[Order]) -> Result<(), StoreError>;
    /// A bank file's statements and lines, for the bank account `bank`;
    /// lines the account already has (an overlapping statement) are counted
    /// as duplicates and not written again.
    async fn add_bank_statements(
        &mut self,
        bank: &str,
        statements: &[crate::domain::bank::BankStatement],
    ) -> Result<(), StoreError>;
    async fn finish(self: Box<Self>, end: &FileSummary) -> Result<BatchSummary, StoreError>;
}

/// Opens the database at `url` (`sqlite://…` or `postgres://…`), creating
/// it if needed and running the migrations.
pub async fn connect(url: &str) -> Result<Box<dyn LedgerStore>, StoreError> {
    if url.starts_with("sqlite:") {
        Ok(Box::new(SqliteStore::connect(url).await?))
    } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok(Box::new(PgStore::connect(url).await?))
    } else {
        Err(StoreError::UnsupportedUrl(redact_url(url)))
    }
}

/// A database URL fit to print: any password is replaced by `***`.
pub fn redact_url(url: &str) -> String {
    if let Some((scheme, rest)) = url.split_once("://") {
        if let Some((userinfo, host)) = rest.split_once('@') {
            if let Some((user, _password)) = userinfo.split_once(':') {
                return format!("{scheme}://{user}:***@{host}");
            }
        }
    }
    url.to_string()
}

#[cfg(test)]
mod tests {
    #[test]
    fn passwords_never_print() {
        assert_eq!(
            super::redact_url("postgres://app:s3cret@db:5432/books"),
            "postgres://app:***@db:5432/books"
        );
        assert_eq!(
            super::redact_url("sqlite://settlebridge.db"),
            "sqlite://settlebridge.db"
        );
    }
}
