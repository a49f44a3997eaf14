//! Import batches as the store records them.

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::component_labels::{ComponentNames, ComponentNumbering};
use crate::domain::settlement::Channel;

/// What is known about a file before it is recorded.
#[derive(Clone, Debug)]
pub struct NewBatch {
    pub file_name: String,
    pub sha256: String,
    pub source_kind: String,
    /// The channel of a channel file; none for a bank statement.
    pub channel: Option<Channel>,
    /// The shop the file belongs to ("" when none is configured); for a
    /// bank statement, the bank account(s) from banks.toml.
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

/// A settlement line as stored: its id and occurrence, and the line with
/// its components and source rows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredLine {
    pub id: i64,
    pub occurrence: i64,
    pub line: crate::domain::settlement::SettlementLine,
}

pub const LINES_OF_BATCH: &str = select_lines!("WHERE l.batch_id = $1 ORDER BY l.id");
/// A page of a batch's lines, after line id `$2`.
pub const LINES_OF_BATCH_PAGE: &str =
    select_lines!("WHERE l.batch_id = $1 AND l.id > $2 ORDER BY l.id LIMIT $3");
/// Per currency: lines and Σ net of a batch.
pub const BATCH_LINE_TOTALS: &str = "SELECT currency, COUNT(*), \
     CAST(COALESCE(SUM(net_micros), 0) AS BIGINT) FROM settlement_lines WHERE batch_id = $1 \
     GROUP BY currency ORDER BY currency";

/// One row of `select_lines!`.
pub type LineRowOut = (
    String,
    String,
    i64,
    i64,
    i64,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<DateTime<Utc>>,
    String,
    String,
    String,
    Option<String>,
    Option<DateTime<Utc>>,
);

/// A line as read, with where it is stored.
pub struct LineRead {
    pub channel: String,
    pub shop: String,
    pub batch_id: i64,
    pub stored: StoredLine,
}

/// Rebuilds a stored line from its row.
pub fn stored_line(
    row: LineRowOut,
    names: &ComponentNames,
) -> Result<StoredLine, super::StoreError> {
    read_line(row, true, names).map(|r| r.stored)
}

/// Rebuilds a stored line without its source rows' cells (their sheet and
/// row number stay): what booking and trails need, at a fraction of the
/// memory for a million lines.
pub fn line_without_cells(
    row: LineRowOut,
    names: &ComponentNames,
) -> Result<LineRead, super::StoreError> {
    read_line(row, false, names)
}

fn read_line(
    row: LineRowOut,
    with_cells: bool,
    names: &ComponentNames,
) -> Result<LineRead, super::StoreError> {
    use crate::domain::settlement::{SettlementLine, SourceRow, Timestamp};
    let (
        channel,
        shop,
        batch_id,
        id,
        occurrence,
        statement_id,
        transaction_type,
        order_id,
        adjustment_id,
        posted_raw,
        posted_at,
        currency,
        components,
        sources,
        ordered_raw,
        ordered_at,
    ) = row;
    let corrupt = |what: &str, e: &dyn std::fmt::Display| {
        super::StoreError::Corrupt(format!("settlement line {id}: {what}: {e}"))
    };
    let components = names.decode(batch_id, id, &components)?;
    let sources: Vec<(Option<String>, u64, Vec<String>)> = if with_cells {
        serde_json::from_str(&sources).map_err(|e| corrupt("source rows", &e))?
    } else {
        let rows: Vec<(Option<String>, u64, serde::de::IgnoredAny)> =
            serde_json::from_str(&sources).map_err(|e| corrupt("source rows", &e))?;
        rows.into_iter()
            .map(|(sheet, row, _)| (sheet, row, Vec::new()))
            .collect()
    };
    let line = SettlementLine {
        ordered_at: match (ordered_raw, ordered_at) {
            (Some(raw), Some(utc)) => Some(Timestamp { raw, utc }),
            _ => None,
        },
        statement_id,
        transaction_type,
        order_id,
        adjustment_id,
        posted_at: match (posted_raw, posted_at) {
            (Some(raw), Some(utc)) => Some(Timestamp { raw, utc }),
            _ => None,
        },
        currency: currency.parse().map_err(|e| corrupt("currency", &e))?,
        components,
        rows: sources
            .into_iter()
            .map(|(sheet, row, cells)| SourceRow { sheet, row, cells })
            .collect(),
    };
    Ok(LineRead {
        channel,
        shop,
        batch_id,
        stored: StoredLine {
            id,
            occurrence,
            line,
        },
    })
}

/// A settlement line with what storing it needs computed ahead — identity,
/// content hash, net, and its components (numbered, see
/// `component_labels`) and source rows as the JSON
/// `settlement_line_details` keeps — so the work can run on the parser's
/// thread while the database writes the previous chunk.
#[derive(Clone, Debug)]
pub struct PreparedLine {
    pub line: crate::domain::settlement::SettlementLine,
    pub identity: String,
    pub content_hash: String,
    pub net_micros: i64,
    pub components_json: String,
    pub sources_json: String,
}

impl PreparedLine {
    /// Prepares `line`, numbering its components' (code, label) pairs in
    /// the import's `numbering`.
    pub fn new(
        line: crate::domain::settlement::SettlementLine,
        numbering: &mut ComponentNumbering,
    ) -> Result<Self, super::StoreError> {
        let components_json = numbering.encode(&line.components)?;
        let sources: Vec<(Option<&str>, u64, &[String])> = line
            .rows
            .iter()
            .map(|r| (r.sheet.as_deref(), r.row, r.cells.as_slice()))
            .collect();
        let sources_json = serde_json::to_string(&sources).expect("serializes");
        Ok(PreparedLine {
            identity: line.identity(),
            content_hash: line.content_hash(),
            net_micros: super::amounts::to_micros(line.net())?,
            components_json,
            sources_json,
            line,
        })
    }
}
