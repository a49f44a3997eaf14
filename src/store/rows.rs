//! Rows as both databases return them, and their conversion to domain types.
//! `sqlx::FromRow` derives are generic over the backend, so this is shared.

use chrono::{DateTime, NaiveDate, Utc};

use super::amounts::from_micros;
use super::{PeriodState, StoreError};
use crate::domain::verify::PeriodSeal;
use crate::domain::{
    Account, AccountTotals, EntryId, EntryKind, JournalEntry, Money, PeriodStatus, Posting,
    Segments, Side, SourceRef, StoredEntry,
};

/// The entry columns, in the order every `SELECT` of an entry lists them.
pub const ENTRY_COLUMNS: &str = "e.seq, e.idempotency_key, e.entry_date, e.kind, e.description, \
     e.reverses, e.created_at, e.created_by, e.content_hash, e.prev_hash, e.hash";

/// The posting columns, in the order every `SELECT` of a posting lists them.
pub const POSTING_COLUMNS: &str = "p.entry_seq, p.line_no, p.account, p.side, p.amount_micros, \
     p.currency, p.memo, p.subsidiary, p.department, p.class, p.location, p.channel, p.shop, \
     p.order_id, p.statement_id, p.payout_id, p.batch_id, p.sheet, p.source_row, p.mapping_version";

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct EntryRow {
    pub seq: i64,
    pub idempotency_key: String,
    pub entry_date: NaiveDate,
    pub kind: String,
    pub description: String,
    pub reverses: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub created_by: String,
    pub content_hash: String,
    pub prev_hash: String,
    pub hash: String,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PostingRow {
    pub entry_seq: i64,
    pub line_no: i64,
    pub account: String,
    pub side: String,
    pub amount_micros: i64,
    pub currency: String,
    pub memo: Option<String>,
    pub subsidiary: Option<String>,
    pub department: Option<String>,
    pub class: Option<String>,
    pub location: Option<String>,
    pub channel: Option<String>,
    pub shop: Option<String>,
    pub order_id: Option<String>,
    pub statement_id: Option<String>,
    pub payout_id: Option<String>,
    pub batch_id: Option<i64>,
    pub sheet: Option<String>,
    pub source_row: Option<i64>,
    pub mapping_version: Option<String>,
}

/// An entry joined with one of its postings: how entries are streamed.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct JoinedRow {
    #[sqlx(flatten)]
    pub entry: EntryRow,
    #[sqlx(flatten)]
    pub posting: PostingRow,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AccountRow {
    pub code: String,
    pub name: String,
    pub account_type: String,
    pub netsuite_id: Option<String>,
    pub active: bool,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TotalsRow {
    pub account: String,
    pub currency: String,
    pub debit_micros: i64,
    pub credit_micros: i64,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SealRow {
    pub period: String,
    pub at: DateTime<Utc>,
    pub head_seq: i64,
    pub head_hash: String,
    pub seal_hash: String,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PeriodEventRow {
    pub period: String,
    pub action: String,
    pub reason: Option<String>,
    pub actor: String,
    pub at: DateTime<Utc>,
    pub seal_hash: Option<String>,
}

fn corrupt(what: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(what.to_string())
}

impl PostingRow {
    pub fn into_posting(self) -> Result<Posting, StoreError> {
        let at = format!("posting {}/{}", self.entry_seq, self.line_no);
        Ok(Posting {
            account: self
                .account
                .parse()
                .map_err(|e| corrupt(format!("{at}: {e}")))?,
            side: Side::parse(&self.side)
                .ok_or_else(|| corrupt(format!("{at}: side `{}`", self.side)))?,
            amount: Money::new(
                from_micros(self.amount_micros),
                self.currency
                    .parse()
                    .map_err(|e| corrupt(format!("{at}: {e}")))?,
            ),
            memo: self.memo,
            segments: Segments {
                subsidiary: self.subsidiary,
                department: self.department,
                class: self.class,
                location: self.location,
                channel: self.channel,
                shop: self.shop,
            },
            source: SourceRef {
                order_id: self.order_id,
                statement_id: self.statement_id,
                payout_id: self.payout_id,
                batch_id: self.batch_id,
                sheet: self.sheet,
                row: self.source_row,
            },
            mapping_version: self.mapping_version,
        })
    }
}

impl EntryRow {
    pub fn into_stored(self, postings: Vec<PostingRow>) -> Result<StoredEntry, StoreError> {
        let kind = EntryKind::parse(&self.kind)
            .ok_or_else(|| corrupt(format!("entry {}: kind `{}`", self.seq, self.kind)))?;
        let postings = postings
            .into_iter()
            .map(PostingRow::into_posting)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(StoredEntry {
            seq: EntryId(self.seq),
            entry: JournalEntry::restore(
                self.idempotency_key,
                self.entry_date,
                kind,
                self.description,
                self.reverses.map(EntryId),
                postings,
            ),
            created_at: self.created_at,
            created_by: self.created_by,
            content_hash: self.content_hash,
            prev_hash: self.prev_hash,
            hash: self.hash,
        })
    }
}

/// Groups a stream of joined rows (ordered by seq, line) into entries.
#[derive(Default)]
pub struct EntryAssembler {
    current: Option<(EntryRow, Vec<PostingRow>)>,
}

impl EntryAssembler {
    /// Adds a row; returns the previous entry once a row of the next one arrives.
    pub fn push(&mut self, row: JoinedRow) -> Result<Option<StoredEntry>, StoreError> {
        match &mut self.current {
            Some((entry, postings)) if entry.seq == row.entry.seq => {
                postings.push(row.posting);
                Ok(None)
            }
            _ => {
                let done = self.current.replace((row.entry, vec![row.posting]));
                done.map(|(e, p)| e.into_stored(p)).transpose()
            }
        }
    }

    pub fn finish(self) -> Result<Option<StoredEntry>, StoreError> {
        self.current.map(|(e, p)| e.into_stored(p)).transpose()
    }
}

impl AccountRow {
    pub fn into_account(self) -> Result<Account, StoreError> {
        Ok(Account {
            code: self.code.parse().map_err(corrupt)?,
            name: self.name,
            account_type: self.account_type.parse().map_err(corrupt)?,
            netsuite_id: self.netsuite_id,
            active: self.active,
        })
    }
}

impl TotalsRow {
    pub fn into_totals(self) -> Result<AccountTotals, StoreError> {
        Ok(AccountTotals {
            account: self.account.parse().map_err(corrupt)?,
            currency: self.currency.parse().map_err(corrupt)?,
            debits: from_micros(self.debit_micros),
            credits: from_micros(self.credit_micros),
        })
    }
}

impl SealRow {
    pub fn into_seal(self) -> Result<PeriodSeal, StoreError> {
        Ok(PeriodSeal {
            period: self.period.parse().map_err(corrupt)?,
            closed_at: self.at,
            head_seq: self.head_seq,
            head_hash: self.head_hash,
            seal_hash: self.seal_hash,
        })
    }
}

impl PeriodEventRow {
    pub fn into_state(self) -> Result<PeriodState, StoreError> {
        Ok(PeriodState {
            period: self.period.parse().map_err(corrupt)?,
            status: if self.action == "close" {
                PeriodStatus::Closed
            } else {
                PeriodStatus::Open
            },
            changed_at: self.at,
            changed_by: self.actor,
            reason: self.reason,
            seal_hash: self.seal_hash,
        })
    }
}
