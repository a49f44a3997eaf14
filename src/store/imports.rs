//! Import batches as the store records them.

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::domain::settlement::Channel;

/// What is known about a file before it is recorded.
#[derive(Clone, Debug)]
pub struct NewBatch {
    pub file_name: String,
    pub sha256: String,
    pub source_kind: String,
    pub channel: Channel,
    /// The shop the file belongs to ("" when none is configured).
    pub shop: String,
    pub imported_by: String,
    pub size_bytes: i64,
}

/// A recorded import.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct BatchSummary {
    pub id: i64,
    pub file_name: String,
    pub sha256: String,
    pub size_bytes: i64,
    pub source_kind: String,
    pub shop: String,
    pub imported_by: String,
    pub imported_at: DateTime<Utc>,
    pub rows_read: i64,
    pub statements_new: i64,
    pub lines_new: i64,
    pub lines_duplicate: i64,
    pub orders_new: i64,
    pub orders_duplicate: i64,
    /// Of `orders_new`, orders stored before with other amounts (a revision).
    pub orders_revised: i64,
    pub payouts_new: i64,
    pub payouts_duplicate: i64,
}

/// Selects `BatchSummary` rows: the batch and what its import found (an
/// import still running, or refused, has no result and is not found).
pub const BATCH_SELECT: &str =
    "SELECT b.id, b.file_name, b.sha256, b.size_bytes, b.source_kind, b.shop, b.imported_by, \
     b.imported_at, r.rows_read, r.statements_new, r.lines_new, r.lines_duplicate, r.orders_new, \
     r.orders_duplicate, r.orders_revised, r.payouts_new, r.payouts_duplicate \
     FROM import_batches b JOIN import_results r ON r.batch_id = b.id";
