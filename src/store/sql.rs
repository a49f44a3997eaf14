//! SQL both backends run as written: `$n` placeholders work in SQLite too,
//! and both accept `ON CONFLICT … DO UPDATE` and `RETURNING`. What differs
//! (locking, connection setup) stays in each backend's module.

use super::rows::{ENTRY_COLUMNS, POSTING_COLUMNS};
use super::TotalsQuery;

pub const HEAD: &str = "SELECT last_seq, last_hash FROM ledger_head WHERE id = 1";
pub const SET_HEAD: &str = "UPDATE ledger_head SET last_seq = $1, last_hash = $2 WHERE id = 1";
pub const REVERSED_BY: &str = "SELECT seq FROM entries WHERE reverses = $1";
/// Periods whose latest event is a close.
pub const CLOSED_PERIODS: &str = "SELECT ev.period FROM period_events ev \
     WHERE ev.id = (SELECT MAX(id) FROM period_events x WHERE x.period = ev.period) \
     AND ev.action = 'close'";
pub const INSERT_CLOSE: &str = "INSERT INTO period_events (period, action, reason, actor, at, \
     head_seq, head_hash, seal_hash) VALUES ($1, 'close', NULL, $2, $3, $4, $5, $6)";
pub const INSERT_REOPEN: &str = "INSERT INTO period_events (period, action, reason, actor, at) \
     VALUES ($1, 'reopen', $2, $3, $4)";
pub const PERIOD_STATES: &str =
    "SELECT ev.period, ev.action, ev.reason, ev.actor, ev.at, ev.seal_hash \
     FROM period_events ev \
     WHERE ev.id = (SELECT MAX(id) FROM period_events x WHERE x.period = ev.period) \
     ORDER BY ev.period";
pub const SEALS: &str = "SELECT period, at, head_seq, head_hash, seal_hash FROM period_events \
     WHERE action = 'close' ORDER BY id";
pub const ACCOUNTS: &str =
    "SELECT code, name, account_type, netsuite_id, active FROM accounts ORDER BY code";
/// Through the running totals (a row per day, account, currency, shop and
/// kind with postings: a small table, scanned), since SQLite no longer
/// indexes postings by account (migration 0010).
pub const ACCOUNT_HAS_POSTINGS: &str =
    "SELECT CAST(1 AS BIGINT) FROM account_balances WHERE account = $1 LIMIT 1";
pub const UPSERT_ACCOUNT: &str = "INSERT INTO accounts (code, name, account_type, netsuite_id, \
     active, updated_at) VALUES ($1, $2, $3, $4, $5, $6) \
     ON CONFLICT (code) DO UPDATE SET name = excluded.name, account_type = excluded.account_type, \
     netsuite_id = excluded.netsuite_id, active = excluded.active, updated_at = excluded.updated_at";
pub const COUNTS: &str = "SELECT (SELECT COUNT(*) FROM entries) AS entries, \
     (SELECT COUNT(*) FROM postings) AS postings, (SELECT COUNT(*) FROM accounts) AS accounts";

pub fn entry_by_seq() -> String {
    format!("SELECT {ENTRY_COLUMNS} FROM entries e WHERE e.seq = $1")
}

pub fn postings_of() -> String {
    format!("SELECT {POSTING_COLUMNS} FROM postings p WHERE p.entry_seq = $1 ORDER BY p.line_no")
}

/// Entries joined with their postings, in chain order; `$1`/`$2` bound the
/// entry date (either may be NULL).
pub fn entries_with_postings(bounded: (bool, bool)) -> String {
    let mut sql = format!(
        "SELECT {ENTRY_COLUMNS}, {POSTING_COLUMNS} FROM entries e \
         JOIN postings p ON p.entry_seq = e.seq WHERE 1 = 1"
    );
    let mut n = 0;
    for (present, op) in [(bounded.0, ">="), (bounded.1, "<=")] {
        if present {
            n += 1;
            sql.push_str(&format!(" AND e.entry_date {op} ${n}"));
        }
    }
    sql.push_str(" ORDER BY e.seq, p.line_no");
    sql
}

/// Sums per account and currency: from the running totals, or (for a
/// seal, or `verify`'s recount) from the postings, up to a sequence by the
/// primary key. Conditions are added only for the bounds present; binds
/// follow in the order from, to, max_seq.
pub fn account_totals(q: &TotalsQuery) -> String {
    if q.max_seq.is_none() && !q.from_postings {
        return balance_totals(q);
    }
    let mut sql = String::from(
        "SELECT p.account, p.currency, \
         CAST(COALESCE(SUM(CASE WHEN p.side = 'debit' THEN p.amount_micros END), 0) AS BIGINT) AS debit_micros, \
         CAST(COALESCE(SUM(CASE WHEN p.side = 'credit' THEN p.amount_micros END), 0) AS BIGINT) AS credit_micros \
         FROM postings p WHERE 1 = 1",
    );
    let mut n = 0;
    let mut cond = |present: bool, text: &str| {
        if present {
            n += 1;
            sql.push_str(&format!(" AND {text} ${n}"));
        }
    };
    cond(q.from.is_some(), "p.entry_date >=");
    cond(q.to.is_some(), "p.entry_date <=");
    cond(q.max_seq.is_some(), "p.entry_seq <=");
    sql.push_str(" GROUP BY p.account, p.currency ORDER BY p.account, p.currency");
    sql
}

/// The batch row, written when an import starts; 0002's count and header
/// columns are left empty (see `import_results`).
pub const INSERT_BATCH: &str = "INSERT INTO import_batches (file_name, sha256, size_bytes, \
     source_kind, shop, imported_by, imported_at, header, rows_read, lines_new, lines_duplicate) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id";
pub const INSERT_RESULTS: &str = "INSERT INTO import_results (batch_id, rows_read, \
     statements_new, lines_new, lines_duplicate, orders_new, orders_duplicate, orders_revised, \
     payouts_new, payouts_duplicate, header, warnings) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)";
pub const INSERT_PAYOUT: &str = "INSERT INTO payouts (channel, shop, payout_id, currency, \
     amount_micros, paid_raw, paid_at, status, bank_amount_micros, bank_currency, exchange_rate, \
     bank_account, batch_id, source_sheet, source_row, source_cells) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)";
pub const INSERT_ORDER: &str = "INSERT INTO orders (channel, shop, order_id, revision, \
     content_hash, alt_id, status, currency, created_raw, created_at, total_micros, \
     refunded_micros, batch_id) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id";
pub const INSERT_ORDER_OBSERVATION: &str = "INSERT INTO order_observations (order_ref, batch_id, \
     status, refunded_micros) VALUES ($1, $2, $3, $4)";
pub const INSERT_FILE_CHUNK: &str =
    "INSERT INTO import_file_chunks (batch_id, seq, encoding, content) VALUES ($1, $2, $3, $4)";
pub const FILE_CHUNKS: &str =
    "SELECT seq, encoding, content FROM import_file_chunks WHERE batch_id = $1 ORDER BY seq";
pub const BATCH_FILE: &str = "SELECT content FROM import_files WHERE batch_id = $1";
pub const FIND_STATEMENT: &str = "SELECT currency, declared_total_micros FROM statements \
     WHERE channel = $1 AND shop = $2 AND statement_id = $3";
pub const INSERT_STATEMENT: &str =
    "INSERT INTO statements (channel, shop, statement_id, payout_id, \
     currency, declared_total_micros, period_start_raw, period_start, period_end_raw, period_end, \
     deposit_raw, deposit_at, batch_id, source_row, source_cells) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)";
pub const STATEMENT_HAS_LINES: &str = "SELECT id FROM settlement_lines \
     WHERE channel = $1 AND shop = $2 AND statement_id = $3 LIMIT 1";
pub const LAST_LINE_ID: &str = "SELECT COALESCE(MAX(id), 0) FROM settlement_lines";

pub fn batch_by_sha256() -> String {
    format!("{} WHERE b.sha256 = $1", super::imports::BATCH_SELECT)
}

pub fn batch_by_id() -> String {
    format!("{} WHERE b.id = $1", super::imports::BATCH_SELECT)
}

/// `account_totals` from the running totals: the same sums, a few thousand
/// rows read instead of every posting.
fn balance_totals(q: &TotalsQuery) -> String {
    let mut sql = String::from(
        "SELECT b.account, b.currency, \
         CAST(COALESCE(SUM(b.debit_micros), 0) AS BIGINT) AS debit_micros, \
         CAST(COALESCE(SUM(b.credit_micros), 0) AS BIGINT) AS credit_micros \
         FROM account_balances b WHERE 1 = 1",
    );
    let mut n = 0;
    for (present, text) in [
        (q.from.is_some(), "b.entry_date >="),
        (q.to.is_some(), "b.entry_date <="),
    ] {
        if present {
            n += 1;
            sql.push_str(&format!(" AND {text} ${n}"));
        }
    }
    sql.push_str(" GROUP BY b.account, b.currency ORDER BY b.account, b.currency");
    sql
}
