//! The NetSuite outbox in the store, for both backends: queue documents with
//! the entries they carry, read what is pending, record each attempt.

use std::fmt;

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum OutboxStatus {
    Pending,
    Posted,
    Failed,
}

impl OutboxStatus {
    pub fn as_str(&self) -> &'static str {
        match self {
            OutboxStatus::Pending => "pending",
            OutboxStatus::Posted => "posted",
            OutboxStatus::Failed => "failed",
        }
    }
    pub fn parse(s: &str) -> Option<OutboxStatus> {
        match s {
            "pending" => Some(OutboxStatus::Pending),
            "posted" => Some(OutboxStatus::Posted),
            "failed" => Some(OutboxStatus::Failed),
            _ => None,
        }
    }
}

impl fmt::Display for OutboxStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A document to queue: its planned content and the entries it carries.
#[derive(Clone, Debug)]
pub struct NewOutboxDocument {
    pub external_id: String,
    pub document_json: String,
    pub tran_date: NaiveDate,
    pub currency: String,
    pub line_count: i64,
    pub entry_seqs: Vec<i64>,
}

#[derive(Clone, Debug, Serialize)]
pub struct OutboxDocument {
    pub external_id: String,
    pub document_json: String,
    pub tran_date: NaiveDate,
    pub currency: String,
    pub line_count: i64,
    pub status: OutboxStatus,
    pub internal_id: Option<String>,
    pub posted_at: Option<DateTime<Utc>>,
    pub attempts: i64,
    pub last_error: Option<String>,
    pub last_body: Option<String>,
    /// The run holding it, or that held it and never let go (it was killed).
    pub claimed_by: Option<String>,
}

/// What one request to NetSuite came to.
#[derive(Clone, Debug)]
pub enum OutboxOutcome {
    Posted {
        internal_id: String,
        body: String,
    },
    /// Retryable (429, 5xx, timeout, dropped connection): stays pending.
    Retry {
        http_status: Option<u16>,
        detail: String,
    },
    /// NetSuite refused the document (400): parked until fixed.
    Failed {
        http_status: Option<u16>,
        detail: String,
        body: String,
    },
    /// The run stopped (401/403) before this document got an answer.
    Stopped {
        http_status: Option<u16>,
        detail: String,
    },
}

/// Per status: documents and the ledger entries they carry.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct OutboxCounts {
    pub pending_documents: u64,
    pub posted_documents: u64,
    pub failed_documents: u64,
    pub entries_queued: u64,
    pub entries_posted: u64,
}

pub(crate) type OutboxRow = (
    String,
    String,
    NaiveDate,
    String,
    i64,
    String,
    Option<String>,
    Option<DateTime<Utc>>,
    i64,
    Option<String>,
    Option<String>,
    Option<String>,
);

pub(crate) const OUTBOX_COLUMNS: &str = "d.external_id, d.document, d.tran_date, d.currency, \
     d.line_count, d.status, d.internal_id, d.posted_at, d.attempts, d.last_error, d.last_body, \
     d.claimed_by";

pub(crate) fn outbox_document(r: OutboxRow) -> Result<OutboxDocument, super::StoreError> {
    Ok(OutboxDocument {
        external_id: r.0,
        document_json: r.1,
        tran_date: r.2,
        currency: r.3,
        line_count: r.4,
        status: OutboxStatus::parse(&r.5)
            .ok_or_else(|| super::StoreError::Corrupt(format!("outbox status `{}`", r.5)))?,
        internal_id: r.6,
        posted_at: r.7,
        attempts: r.8,
        last_error: r.9,
        last_body: r.10,
        claimed_by: r.11,
    })
}

pub(crate) const INSERT_DOCUMENT: &str = "INSERT INTO netsuite_documents (external_id, document, \
     tran_date, currency, line_count, status, attempts, queued_at, updated_at) \
     VALUES ($1, $2, $3, $4, $5, 'pending', 0, $6, $6) ON CONFLICT (external_id) DO NOTHING";
pub(crate) const INSERT_DOCUMENT_ENTRY: &str = "INSERT INTO netsuite_document_entries \
     (entry_seq, external_id) VALUES ($1, $2) ON CONFLICT (entry_seq) DO NOTHING";
pub(crate) const DOCUMENT_OF_ENTRY: &str =
    "SELECT external_id FROM netsuite_document_entries WHERE entry_seq = $1";
pub(crate) const QUEUED_SEQS: &str = "SELECT l.entry_seq FROM netsuite_document_entries l \
     JOIN entries e ON e.seq = l.entry_seq WHERE e.entry_date >= $1 AND e.entry_date <= $2";
pub(crate) const RECORD_ATTEMPT: &str = "INSERT INTO netsuite_attempts (external_id, \
     attempted_at, outcome, http_status, detail) VALUES ($1, $2, $3, $4, $5)";
pub(crate) const MARK_POSTED: &str = "UPDATE netsuite_documents SET status = 'posted', \
     internal_id = $2, posted_at = $3, attempts = attempts + 1, last_error = NULL, \
     last_body = $4, updated_at = $3 WHERE external_id = $1 AND status <> 'posted'";
pub(crate) const MARK_RETRY: &str = "UPDATE netsuite_documents SET attempts = attempts + 1, \
     last_error = $2, updated_at = $3 WHERE external_id = $1 AND status <> 'posted'";
pub(crate) const MARK_FAILED: &str = "UPDATE netsuite_documents SET status = 'failed', \
     attempts = attempts + 1, last_error = $2, last_body = $4, updated_at = $3 \
     WHERE external_id = $1 AND status <> 'posted'";
pub(crate) const CLAIM: &str = "UPDATE netsuite_documents SET claimed_by = $2, claimed_until = $3 \
     WHERE external_id = $1 AND status <> 'posted' \
     AND (claimed_until IS NULL OR claimed_until < $4 OR claimed_by = $2)";
pub(crate) const RELEASE: &str =
    "UPDATE netsuite_documents SET claimed_by = NULL, claimed_until = NULL \
     WHERE external_id = $1 AND claimed_by = $2";
pub(crate) const COUNTS: &str =
    "SELECT d.status, COUNT(DISTINCT d.external_id), COUNT(l.entry_seq) \
     FROM netsuite_documents d JOIN netsuite_document_entries l ON l.external_id = d.external_id \
     JOIN entries e ON e.seq = l.entry_seq WHERE e.entry_date >= $1 AND e.entry_date <= $2 \
     GROUP BY d.status";

/// From the documents posted with a date in the range: a document's entries
/// are all of its month (a payout's document takes the last of their dates),
/// so the shop's bookings are never scanned (SQLite joins in the order
/// written after CROSS JOIN).
pub(crate) const POSTED_ENTRIES_OF_SHOP: &str = "SELECT COUNT(*) FROM netsuite_documents d \
     CROSS JOIN netsuite_document_entries l CROSS JOIN bookings b CROSS JOIN entries e \
     WHERE d.status = 'posted' AND d.tran_date >= $3 AND d.tran_date <= $4 \
     AND l.external_id = d.external_id AND b.entry_seq = l.entry_seq AND e.seq = l.entry_seq \
     AND b.channel = $1 AND b.shop = $2 AND e.entry_date >= $3 AND e.entry_date <= $4";

macro_rules! impl_sql_outbox {
    ($store:ident) => {
        const _: () = {
            use chrono::{NaiveDate, Utc};
            use $crate::store::outbox::{self as q, NewOutboxDocument, OutboxCounts, OutboxDocument, OutboxOutcome, OutboxStatus};
            use $crate::store::StoreError;

            impl $store {
                pub(crate) async fn queue_documents_impl(
                    &self,
                    docs: &[NewOutboxDocument],
                ) -> Result<usize, StoreError> {
                    let mut tx = self.write_tx().await?;
                    let now = Utc::now();
                    let mut queued = 0;
                    for d in docs {
                        let r = sqlx::query(q::INSERT_DOCUMENT)
                            .bind(&d.external_id)
                            .bind(&d.document_json)
                            .bind(d.tran_date)
                            .bind(&d.currency)
                            .bind(d.line_count)
                            .bind(now)
                            .execute(&mut *tx.tx)
                            .await?;
                        queued += r.rows_affected() as usize;
                        for seq in &d.entry_seqs {
                            sqlx::query(q::INSERT_DOCUMENT_ENTRY)
                                .bind(seq)
                                .bind(&d.external_id)
                                .execute(&mut *tx.tx)
                                .await?;
                            let owner: Option<String> = sqlx::query_scalar(q::DOCUMENT_OF_ENTRY)
                                .bind(seq)
                                .fetch_optional(&mut *tx.tx)
                                .await?;
                            if owner.as_deref() != Some(d.external_id.as_str()) {
                                return Err(StoreError::Conflict(format!(
                                    "entry #{seq} is already queued for NetSuite as {}, not {}: it was planned differently (posting mode changed?)",
                                    owner.unwrap_or_default(),
                                    d.external_id
                                )));
                            }
                        }
                    }
                    tx.tx.commit().await?;
                    Ok(queued)
                }

                pub(crate) async fn queued_entry_seqs_impl(
                    &self,
                    from: NaiveDate,
                    to: NaiveDate,
                ) -> Result<std::collections::HashSet<i64>, StoreError> {
                    let seqs: Vec<i64> = sqlx::query_scalar(q::QUEUED_SEQS)
                        .bind(from)
                        .bind(to)
                        .fetch_all(&self.pool)
                        .await?;
                    Ok(seqs.into_iter().collect())
                }

                pub(crate) async fn outbox_documents_impl(
                    &self,
                    statuses: &[OutboxStatus],
                    from: NaiveDate,
                    to: NaiveDate,
                ) -> Result<Vec<OutboxDocument>, StoreError> {
                    let list = statuses
                        .iter()
                        .map(|s| format!("'{}'", s.as_str()))
                        .collect::<Vec<_>>()
                        .join(", ");
                    let sql = format!(
                        "SELECT {} FROM netsuite_documents d WHERE d.status IN ({list}) \
                         AND d.tran_date >= $1 AND d.tran_date <= $2 ORDER BY d.tran_date, d.external_id",
                        q::OUTBOX_COLUMNS
                    );
                    let rows: Vec<q::OutboxRow> = sqlx::query_as(&sql)
                        .bind(from)
                        .bind(to)
                        .fetch_all(&self.pool)
                        .await?;
                    rows.into_iter().map(q::outbox_document).collect()
                }

                pub(crate) async fn outbox_document_of_entry_impl(
                    &self,
                    seq: i64,
                ) -> Result<Option<OutboxDocument>, StoreError> {
                    let sql = format!(
                        "SELECT {} FROM netsuite_documents d JOIN netsuite_document_entries l \
                         ON l.external_id = d.external_id WHERE l.entry_seq = $1",
                        q::OUTBOX_COLUMNS
                    );
                    let row: Option<q::OutboxRow> = sqlx::query_as(&sql)
                        .bind(seq)
                        .fetch_optional(&self.pool)
                        .await?;
                    row.map(q::outbox_document).transpose()
                }

                pub(crate) async fn record_outbox_outcome_impl(
                    &self,
                    external_id: &str,
                    outcome: &OutboxOutcome,
                ) -> Result<(), StoreError> {
                    let mut tx = self.write_tx().await?;
                    let now = Utc::now();
                    let (kind, status, detail): (&str, Option<u16>, Option<&str>) = match outcome {
                        OutboxOutcome::Posted { internal_id, body } => {
                            let r = sqlx::query(q::MARK_POSTED)
                                .bind(external_id)
                                .bind(internal_id)
                                .bind(now)
                                .bind(body)
                                .execute(&mut *tx.tx)
                                .await?;
                            if r.rows_affected() == 0 {
                                // Already posted: by this record, or — never
                                // expected — by another one, which must be loud.
                                let known: Option<Option<String>> = sqlx::query_scalar(
                                    "SELECT internal_id FROM netsuite_documents WHERE external_id = $1",
                                )
                                .bind(external_id)
                                .fetch_optional(&mut *tx.tx)
                                .await?;
                                if known.flatten().as_deref() != Some(internal_id.as_str()) {
                                    return Err(StoreError::Conflict(format!(
                                        "NetSuite answered record {internal_id} for {external_id}, which the outbox has as posted differently"
                                    )));
                                }
                            }
                            ("posted", None, Some(internal_id.as_str()))
                        }
                        OutboxOutcome::Retry { http_status, detail } => {
                            sqlx::query(q::MARK_RETRY)
                                .bind(external_id)
                                .bind(detail)
                                .bind(now)
                                .execute(&mut *tx.tx)
                                .await?;
                            ("retry", *http_status, Some(detail.as_str()))
                        }
                        OutboxOutcome::Failed { http_status, detail, body } => {
                            sqlx::query(q::MARK_FAILED)
                                .bind(external_id)
                                .bind(detail)
                                .bind(now)
                                .bind(body)
                                .execute(&mut *tx.tx)
                                .await?;
                            ("failed", *http_status, Some(detail.as_str()))
                        }
                        OutboxOutcome::Stopped { http_status, detail } => {
                            sqlx::query(q::MARK_RETRY)
                                .bind(external_id)
                                .bind(detail)
                                .bind(now)
                                .execute(&mut *tx.tx)
                                .await?;
                            ("stopped", *http_status, Some(detail.as_str()))
                        }
                    };
                    sqlx::query(q::RECORD_ATTEMPT)
                        .bind(external_id)
                        .bind(now)
                        .bind(kind)
                        .bind(status.map(i64::from))
                        .bind(detail)
                        .execute(&mut *tx.tx)
                        .await?;
                    tx.tx.commit().await?;
                    Ok(())
                }

                pub(crate) async fn claim_document_impl(
                    &self,
                    external_id: &str,
                    holder: &str,
                    until: chrono::DateTime<Utc>,
                ) -> Result<bool, StoreError> {
                    let r = sqlx::query(q::CLAIM)
                        .bind(external_id)
                        .bind(holder)
                        .bind(until)
                        .bind(Utc::now())
                        .execute(&self.pool)
                        .await?;
                    Ok(r.rows_affected() == 1)
                }

                pub(crate) async fn release_document_impl(
                    &self,
                    external_id: &str,
                    holder: &str,
                ) -> Result<(), StoreError> {
                    sqlx::query(q::RELEASE)
                        .bind(external_id)
                        .bind(holder)
                        .execute(&self.pool)
                        .await?;
                    Ok(())
                }

                pub(crate) async fn netsuite_posted_entries_impl(
                    &self,
                    channel: &str,
                    shop: &str,
                    from: NaiveDate,
                    to: NaiveDate,
                ) -> Result<u64, StoreError> {
                    let n: i64 = sqlx::query_scalar(q::POSTED_ENTRIES_OF_SHOP)
                        .bind(channel)
                        .bind(shop)
                        .bind(from)
                        .bind(to)
                        .fetch_one(&self.pool)
                        .await?;
                    Ok(n as u64)
                }

                pub(crate) async fn outbox_counts_impl(
                    &self,
                    from: NaiveDate,
                    to: NaiveDate,
                ) -> Result<OutboxCounts, StoreError> {
                    let rows: Vec<(String, i64, i64)> = sqlx::query_as(q::COUNTS)
                        .bind(from)
                        .bind(to)
                        .fetch_all(&self.pool)
                        .await?;
                    let mut c = OutboxCounts::default();
                    for (status, docs, entries) in rows {
                        let (docs, entries) = (docs as u64, entries as u64);
                        c.entries_queued += entries;
                        match OutboxStatus::parse(&status) {
                            Some(OutboxStatus::Pending) => c.pending_documents += docs,
                            Some(OutboxStatus::Posted) => {
                                c.posted_documents += docs;
                                c.entries_posted += entries;
                            }
                            Some(OutboxStatus::Failed) => c.failed_documents += docs,
                            None => return Err(StoreError::Corrupt(format!("outbox status `{status}`"))),
                        }
                    }
                    Ok(c)
                }
            }
        };
    };
}

pub(crate) use impl_sql_outbox;
