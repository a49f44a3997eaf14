//! PostgreSQL's bulk writes of entries, postings, bookings and imported
//! settlement lines through
//! `COPY … FROM STDIN` in the text format: one statement streams a whole
//! transaction's rows, where multi-row `INSERT`s made the server parse and
//! plan a statement, and sqlx encode 21,000 bound values, per thousand rows.
//! The rows are those of the `INSERT`s (`batch_sql`, `booking_sql`,
//! `import_sql`), column for column; `tests/store_contract.rs` and
//! `tests/sqlite_bulk.rs` read them back through sqlx.

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use sqlx::postgres::PgConnection;

use super::batch_sql::PostingRowRef;
use super::booking_sql::NewBooking;
use super::import_sql::LineRow;
use super::StoreError;
use crate::domain::StoredEntry;

const COPY_ENTRIES: &str = "COPY entries (seq, idempotency_key, entry_date, kind, description, \
     reverses, created_at, created_by, content_hash, prev_hash, hash) FROM STDIN";

const COPY_POSTINGS: &str = "COPY postings (entry_seq, line_no, entry_date, account, side, \
     amount_micros, currency, memo, subsidiary, department, class, location, channel, shop, \
     order_id, statement_id, payout_id, batch_id, sheet, source_row, mapping_version) FROM STDIN";

const COPY_BOOKINGS: &str =
    "COPY bookings (entry_seq, channel, shop, subject, revision, basis_hash) FROM STDIN";

/// Bytes gathered before they are sent: big enough that sending is not
/// the cost, small enough that a transaction's rows are never all in memory
/// twice.
const SEND_AT: usize = 1 << 20;

pub(super) async fn copy_entries(
    conn: &mut PgConnection,
    entries: &[StoredEntry],
) -> Result<(), StoreError> {
    copy(conn, COPY_ENTRIES, entries, |row, e| {
        let j = &e.entry;
        row.int(e.seq.0);
        row.text(j.idempotency_key());
        row.date(j.date());
        row.text(j.kind().as_str());
        row.text(j.description());
        row.opt_int(j.reverses().map(|r| r.0));
        row.time(e.created_at);
        row.text(&e.created_by);
        row.text(&e.content_hash);
        row.text(&e.prev_hash);
        row.text(&e.hash);
    })
    .await
}

pub(super) async fn copy_postings(
    conn: &mut PgConnection,
    rows: &[PostingRowRef<'_>],
) -> Result<(), StoreError> {
    copy(conn, COPY_POSTINGS, rows, |row, r| {
        let p = &r.entry.entry.postings()[r.line];
        row.int(r.entry.seq.0);
        row.int(r.line as i64 + 1);
        row.date(r.entry.entry.date());
        row.text(p.account.as_str());
        row.text(p.side.as_str());
        row.int(r.micros);
        row.text(p.amount.currency.code());
        row.opt_text(p.memo.as_deref());
        row.opt_text(p.segments.subsidiary.as_deref());
        row.opt_text(p.segments.department.as_deref());
        row.opt_text(p.segments.class.as_deref());
        row.opt_text(p.segments.location.as_deref());
        row.opt_text(p.segments.channel.as_deref());
        row.opt_text(p.segments.shop.as_deref());
        row.opt_text(p.source.order_id.as_deref());
        row.opt_text(p.source.statement_id.as_deref());
        row.opt_text(p.source.payout_id.as_deref());
        row.opt_int(p.source.batch_id);
        row.opt_text(p.source.sheet.as_deref());
        row.opt_int(p.source.row);
        row.opt_text(p.mapping_version.as_deref());
    })
    .await
}

pub(super) async fn copy_bookings(
    conn: &mut PgConnection,
    rows: &[NewBooking<'_>],
) -> Result<(), StoreError> {
    copy(conn, COPY_BOOKINGS, rows, |row, b| {
        row.int(b.entry_seq);
        row.text(b.channel);
        row.text(b.shop);
        row.text(b.subject);
        row.int(b.revision);
        row.text(b.basis_hash);
    })
    .await
}

const COPY_LINES: &str = "COPY settlement_lines (id, channel, shop, statement_id, identity, \
     occurrence, content_hash, transaction_type, order_id, adjustment_id, posted_raw, posted_at, \
     currency, net_micros, batch_id, ordered_raw, ordered_at) FROM STDIN";

const COPY_LINE_DETAILS: &str =
    "COPY settlement_line_details (line_id, components, source_rows) FROM STDIN";

/// An import's new settlement lines, then their details.
pub(super) async fn copy_lines(
    conn: &mut PgConnection,
    channel: &str,
    shop: &str,
    batch_id: i64,
    rows: &[LineRow<'_>],
) -> Result<(), StoreError> {
    copy(conn, COPY_LINES, rows, |row, r| {
        let line = &r.line.line;
        row.int(r.id);
        row.text(channel);
        row.text(shop);
        row.text(&line.statement_id);
        row.text(&r.line.identity);
        row.int(r.occurrence);
        row.text(&r.line.content_hash);
        row.text(line.transaction_type.as_str());
        row.opt_text(line.order_id.as_deref());
        row.opt_text(line.adjustment_id.as_deref());
        row.opt_text(line.posted_at.as_ref().map(|t| t.raw.as_str()));
        row.opt_time(line.posted_at.as_ref().map(|t| t.utc));
        row.text(line.currency.code());
        row.int(r.line.net_micros);
        row.int(batch_id);
        row.opt_text(line.ordered_at.as_ref().map(|t| t.raw.as_str()));
        row.opt_time(line.ordered_at.as_ref().map(|t| t.utc));
    })
    .await?;
    copy(conn, COPY_LINE_DETAILS, rows, |row, r| {
        row.int(r.id);
        row.text(&r.line.components_json);
        row.text(&r.line.sources_json);
    })
    .await
}

/// Streams `items` as rows of `statement`. On any failure the copy is
/// aborted, so the connection is fit for the transaction's rollback.
async fn copy<T>(
    conn: &mut PgConnection,
    statement: &str,
    items: &[T],
    mut write: impl FnMut(&mut Row, &T),
) -> Result<(), StoreError> {
    if items.is_empty() {
        return Ok(());
    }
    let mut copy = conn.copy_in_raw(statement).await?;
    let mut row = Row::default();
    for item in items {
        write(&mut row, item);
        row.end();
        if row.buf.len() >= SEND_AT {
            if let Err(e) = copy.send(std::mem::take(&mut row.buf)).await {
                let _ = copy.abort(e.to_string()).await;
                return Err(e.into());
            }
        }
    }
    if !row.buf.is_empty() {
        if let Err(e) = copy.send(row.buf).await {
            let _ = copy.abort(e.to_string()).await;
            return Err(e.into());
        }
    }
    copy.finish().await?;
    Ok(())
}

/// COPY's text format: columns separated by a tab, rows ended by a
/// newline, `\N` for NULL, and a backslash before anything that would
/// otherwise end a column or a row.
#[derive(Default)]
struct Row {
    buf: Vec<u8>,
    /// Whether the row being written has a column yet.
    started: bool,
}

impl Row {
    fn next_column(&mut self) {
        if self.started {
            self.buf.push(b'\t');
        }
        self.started = true;
    }

    fn end(&mut self) {
        self.buf.push(b'\n');
        self.started = false;
    }

    fn text(&mut self, s: &str) {
        self.next_column();
        for &b in s.as_bytes() {
            match b {
                b'\\' => self.buf.extend_from_slice(b"\\\\"),
                b'\t' => self.buf.extend_from_slice(b"\\t"),
                b'\n' => self.buf.extend_from_slice(b"\\n"),
                b'\r' => self.buf.extend_from_slice(b"\\r"),
                _ => self.buf.push(b),
            }
        }
    }

    fn opt_text(&mut self, s: Option<&str>) {
        match s {
            Some(s) => self.text(s),
            None => self.null(),
        }
    }

    fn int(&mut self, i: i64) {
        self.next_column();
        self.buf.extend_from_slice(i.to_string().as_bytes());
    }

    fn opt_int(&mut self, i: Option<i64>) {
        match i {
            Some(i) => self.int(i),
            None => self.null(),
        }
    }

    fn null(&mut self) {
        self.next_column();
        self.buf.extend_from_slice(b"\\N");
    }

    fn date(&mut self, d: NaiveDate) {
        self.next_column();
        self.buf
            .extend_from_slice(d.format("%Y-%m-%d").to_string().as_bytes());
    }

    fn opt_time(&mut self, t: Option<DateTime<Utc>>) {
        match t {
            Some(t) => self.time(t),
            None => self.null(),
        }
    }

    /// RFC 3339 with its offset: PostgreSQL reads the instant whatever the
    /// session's time zone.
    fn time(&mut self, t: DateTime<Utc>) {
        self.next_column();
        self.buf
            .extend_from_slice(t.to_rfc3339_opts(SecondsFormat::AutoSi, true).as_bytes());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_columns_escape_what_would_end_them() {
        let mut row = Row::default();
        row.text("a\tb\\c\nd\re");
        row.opt_text(None);
        row.int(-42);
        row.date(NaiveDate::from_ymd_opt(2026, 2, 28).unwrap());
        row.time(DateTime::from_timestamp_micros(1_764_000_000_123_456).unwrap());
        row.end();
        assert_eq!(
            String::from_utf8(row.buf).unwrap(),
            "a\\tb\\\\c\\nd\\re\t\\N\t-42\t2026-02-28\t2025-11-24T16:00:00.123456Z\n"
        );
    }
}
