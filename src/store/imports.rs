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
    pub lines_new: i64,
    pub lines_duplicate: i64,
    pub orders_new: i64,
    pub orders_duplicate: i64,
    /// Of `orders_new`, orders stored before with other amounts (a revision).
    pub orders_revised: i64,
    pub payouts_new: i64,
    pub payouts_duplicate: i64,
}

pub const BATCH_COLUMNS: &str =
    "id, file_name, sha256, size_bytes, source_kind, shop, imported_by, \
     imported_at, rows_read, lines_new, lines_duplicate, orders_new, orders_duplicate, \
     orders_revised, payouts_new, payouts_duplicate";
