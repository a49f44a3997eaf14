//! Reading a shop's records for booking, and writing bookings: the SQL and
//! the row → domain conversions, shared by both backends. The store methods
//! that run them are stamped out in `sql_impl` like the rest.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};

use super::amounts::from_micros;
use super::imports::{line_without_cells, LineRead, LineRowOut};
use super::order_read::{order_record, AmountRow, LineRow, OrderRow, RowRow};
use super::StoreError;
use crate::domain::booking::changes::{BookingState, LiveBooking};
use crate::domain::booking::Subject;
use crate::domain::hashing::HashedEntry;
use crate::domain::matching::{LineFact, OrderFact, PayoutFact, StatementFact};
use crate::domain::payout::Payout;
use crate::domain::settlement::{Channel, SourceRow, Statement, Timestamp};
use crate::domain::EntryId;

/// What one booking writes: a reversal, an entry, or both (a replacement).
#[derive(Clone, Debug)]
pub struct BookingWrite {
    pub subject: Subject,
    pub reverse: Option<crate::domain::booking::changes::Reversal>,
    /// (revision, basis hash, entry).
    pub book: Option<(i64, String, HashedEntry)>,
}

pub const RECORD_SHOPS: &str = "SELECT channel, shop FROM settlement_lines \
     UNION SELECT channel, shop FROM orders \
     UNION SELECT channel, shop FROM payouts \
     UNION SELECT channel, shop FROM statements ORDER BY 1, 2";

pub const SHOP_LINES: &str = select_lines!("WHERE l.channel = $1 AND l.shop = $2 ORDER BY l.id");
/// SQLite's `SHOP_LINES`: the table walked in id order, which is the order
/// wanted, with no index (SQLite has none by shop alone since migration
/// 0015). Left to itself, on a store never analyzed, SQLite would take the
/// index by statement and sort a million wide rows.
pub const SHOP_LINES_IN_TABLE_ORDER: &str = select_lines!(
    from "settlement_lines l NOT INDEXED",
    "WHERE l.channel = $1 AND l.shop = $2 ORDER BY l.id"
);

/// A line read for booking, with the channel and shop it is stored under.
pub fn line_fact(
    row: LineRowOut,
    names: &super::ComponentNames,
) -> Result<((String, String), LineFact), StoreError> {
    let LineRead {
        channel,
        shop,
        batch_id,
        stored,
    } = line_without_cells(row, names)?;
    Ok((
        (channel, shop),
        LineFact {
            line_ref: stored.id,
            batch_id,
            occurrence: stored.occurrence,
            line: stored.line,
        },
    ))
}

/// The latest revision of each order of a shop.
pub const SHOP_ORDERS: &str = "SELECT o.id, o.order_id, o.revision, o.alt_id, o.status, \
     o.currency, o.created_raw, o.created_at, o.total_micros, o.refunded_micros, o.batch_id \
     FROM orders o WHERE o.channel = $1 AND o.shop = $2 AND NOT EXISTS (SELECT 1 FROM orders n \
     WHERE n.channel = o.channel AND n.shop = o.shop AND n.order_id = o.order_id \
     AND n.revision > o.revision) ORDER BY o.id";
pub type ShopOrderRow = (
    i64,
    String,
    i64,
    Option<String>,
    Option<String>,
    String,
    Option<String>,
    Option<DateTime<Utc>>,
    Option<i64>,
    Option<i64>,
    i64,
);
pub const SHOP_ORDER_LINES: &str = "SELECT l.order_ref, l.line_no, l.sku, l.sku_id, l.name, \
     l.quantity_micros, l.unit_price_micros FROM order_lines l JOIN orders o ON o.id = l.order_ref \
     WHERE o.channel = $1 AND o.shop = $2 ORDER BY l.order_ref, l.line_no";
pub type ShopOrderLineRow = (
    i64,
    i64,
    Option<String>,
    Option<String>,
    String,
    i64,
    Option<i64>,
);
pub const SHOP_ORDER_AMOUNTS: &str = "SELECT a.order_ref, a.line_no, a.code, a.label, \
     a.amount_micros FROM order_amounts a JOIN orders o ON o.id = a.order_ref \
     WHERE o.channel = $1 AND o.shop = $2 ORDER BY a.order_ref, a.line_no, a.seq";
pub type ShopOrderAmountRow = (i64, i64, String, String, i64);
/// Only the first source row: booking points at it; the trail reads all.
pub const SHOP_ORDER_ROWS: &str = "SELECT r.order_ref, r.sheet, r.source_row \
     FROM order_rows r JOIN orders o ON o.id = r.order_ref \
     WHERE o.channel = $1 AND o.shop = $2 AND r.seq = 1";
pub type ShopOrderRowRow = (i64, Option<String>, i64);

/// Assembles orders from their rows, each read once for the whole shop.
pub fn order_facts(
    channel: Channel,
    orders: Vec<ShopOrderRow>,
    lines: Vec<ShopOrderLineRow>,
    amounts: Vec<ShopOrderAmountRow>,
    rows: Vec<ShopOrderRowRow>,
) -> Result<Vec<OrderFact>, StoreError> {
    let mut lines_of: HashMap<i64, Vec<LineRow>> = HashMap::new();
    for (r, n, sku, sku_id, name, q, p) in lines {
        lines_of
            .entry(r)
            .or_default()
            .push((n, sku, sku_id, name, q, p));
    }
    let mut amounts_of: HashMap<i64, Vec<AmountRow>> = HashMap::new();
    for (r, n, code, label, m) in amounts {
        amounts_of.entry(r).or_default().push((n, code, label, m));
    }
    let mut rows_of: HashMap<i64, Vec<RowRow>> = HashMap::new();
    for (r, sheet, row) in rows {
        rows_of
            .entry(r)
            .or_default()
            .push((sheet, row, "[]".into()));
    }
    orders
        .into_iter()
        .map(
            |(id, order_id, revision, alt, status, cur, craw, cat, total, refunded, batch)| {
                let row: OrderRow = (
                    id, revision, alt, status, cur, craw, cat, total, refunded, batch,
                );
                let rec = order_record(
                    channel,
                    &order_id,
                    row,
                    lines_of.remove(&id).unwrap_or_default(),
                    amounts_of.remove(&id).unwrap_or_default(),
                    rows_of.remove(&id).unwrap_or_default(),
                    None,
                )?;
                Ok(OrderFact {
                    batch_id: rec.batch_id,
                    revision: rec.revision,
                    order: rec.order,
                })
            },
        )
        .collect()
}

/// A shop's records as each backend reads them (`read_shop_rows`), lines
/// already rebuilt, the rest as rows.
pub struct ShopRows {
    pub lines: Vec<LineFact>,
    pub orders: Vec<ShopOrderRow>,
    pub order_lines: Vec<ShopOrderLineRow>,
    pub amounts: Vec<ShopOrderAmountRow>,
    pub order_rows: Vec<ShopOrderRowRow>,
    pub statements: Vec<ShopStatementRow>,
    pub payouts: Vec<ShopPayoutRow>,
}

impl ShopRows {
    pub fn into_facts(
        self,
        channel: Channel,
        shop: &str,
    ) -> Result<crate::domain::matching::ShopFacts, StoreError> {
        let orders = order_facts(
            channel,
            self.orders,
            self.order_lines,
            self.amounts,
            self.order_rows,
        )?;
        let statements = self
            .statements
            .into_iter()
            .map(|r| statement_fact(channel, r))
            .collect::<Result<Vec<_>, _>>()?;
        let payouts = self
            .payouts
            .into_iter()
            .map(|r| payout_fact(channel, r))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(crate::domain::matching::ShopFacts {
            channel,
            shop: shop.to_string(),
            lines: self.lines,
            orders,
            statements,
            payouts,
            outside_lines: Default::default(),
        })
    }
}

pub const SHOP_STATEMENTS: &str = "SELECT statement_id, payout_id, currency, \
     declared_total_micros, period_start_raw, period_start, period_end_raw, period_end, \
     deposit_raw, deposit_at, batch_id, source_row \
     FROM statements WHERE channel = $1 AND shop = $2 ORDER BY id";
pub type ShopStatementRow = (
    String,
    Option<String>,
    String,
    Option<i64>,
    Option<String>,
    Option<DateTime<Utc>>,
    Option<String>,
    Option<DateTime<Utc>>,
    Option<String>,
    Option<DateTime<Utc>>,
    i64,
    Option<i64>,
);

fn ts(raw: Option<String>, utc: Option<DateTime<Utc>>) -> Option<Timestamp> {
    match (raw, utc) {
        (Some(raw), Some(utc)) => Some(Timestamp { raw, utc }),
        _ => None,
    }
}

fn currency(code: &str, what: &str) -> Result<crate::domain::Currency, StoreError> {
    code.parse()
        .map_err(|e| StoreError::Corrupt(format!("{what}: currency: {e}")))
}

pub fn statement_fact(
    channel: Channel,
    row: ShopStatementRow,
) -> Result<StatementFact, StoreError> {
    let (id, payout_id, cur, total, ps_raw, ps, pe_raw, pe, d_raw, d, batch_id, source_row) = row;
    Ok(StatementFact {
        batch_id,
        statement: Statement {
            channel,
            currency: currency(&cur, &format!("statement {id}"))?,
            statement_id: id,
            payout_id,
            declared_total: total.map(from_micros),
            period_start: ts(ps_raw, ps),
            period_end: ts(pe_raw, pe),
            deposit_date: ts(d_raw, d),
            source: source_row.map(|r| SourceRow {
                sheet: None,
                row: r as u64,
                cells: Vec::new(),
            }),
        },
    })
}

pub const SHOP_PAYOUTS: &str = "SELECT payout_id, currency, amount_micros, paid_raw, paid_at, \
     status, bank_amount_micros, bank_currency, exchange_rate, bank_account, batch_id, \
     source_sheet, source_row FROM payouts WHERE channel = $1 AND shop = $2 ORDER BY id";
pub type ShopPayoutRow = (
    String,
    String,
    i64,
    Option<String>,
    Option<DateTime<Utc>>,
    Option<String>,
    Option<i64>,
    Option<String>,
    Option<String>,
    Option<String>,
    i64,
    Option<String>,
    Option<i64>,
);

pub fn payout_fact(channel: Channel, row: ShopPayoutRow) -> Result<PayoutFact, StoreError> {
    let (id, cur, amount, p_raw, p_at, status, bank, bank_cur, rate, account, batch_id, sheet, r) =
        row;
    let what = format!("payout {id}");
    let bank_amount = match (bank, bank_cur) {
        (Some(m), Some(c)) => Some(crate::domain::Money::new(
            from_micros(m),
            currency(&c, &what)?,
        )),
        _ => None,
    };
    Ok(PayoutFact {
        batch_id,
        payout: Payout {
            channel,
            currency: currency(&cur, &what)?,
            amount: from_micros(amount),
            paid_at: ts(p_raw, p_at),
            status,
            bank_amount,
            exchange_rate: rate
                .map(|r| {
                    r.parse()
                        .map_err(|e| StoreError::Corrupt(format!("{what}: exchange rate: {e}")))
                })
                .transpose()?,
            bank_account: account,
            source: r.map(|row| SourceRow {
                sheet,
                row: row as u64,
                cells: Vec::new(),
            }),
            payout_id: id,
        },
    })
}

/// Every booking of a shop, with the entry that reverses it if any.
pub const SHOP_BOOKINGS: &str = "SELECT b.subject, b.revision, b.entry_seq, b.basis_hash, \
     e.entry_date, (SELECT r.seq FROM entries r WHERE r.reverses = b.entry_seq) \
     FROM bookings b JOIN entries e ON e.seq = b.entry_seq \
     WHERE b.channel = $1 AND b.shop = $2";
pub type BookingRow = (String, i64, i64, String, NaiveDate, Option<i64>);

pub fn booking_state(rows: Vec<BookingRow>) -> BookingState {
    let mut state = BookingState::default();
    for (subject, revision, seq, basis_hash, date, reversed) in rows {
        let subject = Subject(subject);
        let max = state.max_revision.entry(subject.clone()).or_insert(0);
        *max = (*max).max(revision);
        if reversed.is_none() {
            let live = LiveBooking {
                subject: subject.clone(),
                revision,
                entry: EntryId(seq),
                basis_hash,
                date,
            };
            // Two live revisions cannot happen through reconcile (each
            // replacement reverses the one before); keep the newest.
            match state.live.get(&subject) {
                Some(l) if l.revision > revision => {}
                _ => {
                    state.live.insert(subject, live);
                }
            }
        }
    }
    state
}

/// One row of `bookings` to insert.
pub struct NewBooking<'a> {
    pub entry_seq: i64,
    pub channel: &'a str,
    pub shop: &'a str,
    pub subject: &'a str,
    pub revision: i64,
    pub basis_hash: &'a str,
}

/// A shop's posting totals per account and entry kind over a date range,
/// from the running totals (`account_balances`).
pub const SHOP_ACTIVITY: &str = "SELECT b.account, b.kind, b.currency, \
     CAST(COALESCE(SUM(b.debit_micros), 0) AS BIGINT), \
     CAST(COALESCE(SUM(b.credit_micros), 0) AS BIGINT) \
     FROM account_balances b \
     WHERE b.channel = $1 AND b.shop = $2 AND b.entry_date >= $3 AND b.entry_date <= $4 \
     GROUP BY b.account, b.kind, b.currency ORDER BY b.account, b.kind, b.currency";
pub type ShopActivityRow = (String, String, String, i64, i64);

pub fn activity(rows: Vec<ShopActivityRow>) -> Result<Vec<ActivityTotals>, StoreError> {
    rows.into_iter()
        .map(|(account, kind, cur, debit, credit)| {
            Ok(ActivityTotals {
                account: account
                    .parse()
                    .map_err(|e| StoreError::Corrupt(format!("account `{account}`: {e}")))?,
                kind: crate::domain::EntryKind::parse(&kind)
                    .ok_or_else(|| StoreError::Corrupt(format!("entry kind `{kind}`")))?,
                currency: currency(&cur, "posting")?,
                debits: from_micros(debit),
                credits: from_micros(credit),
            })
        })
        .collect()
}

/// Debit and credit totals of one account and entry kind.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ActivityTotals {
    pub account: crate::domain::AccountCode,
    pub kind: crate::domain::EntryKind,
    pub currency: crate::domain::Currency,
    pub debits: rust_decimal::Decimal,
    pub credits: rust_decimal::Decimal,
}

impl ActivityTotals {
    /// Debits positive.
    pub fn balance(&self) -> rust_decimal::Decimal {
        self.debits - self.credits
    }
}

pub const ENTRIES_OF_ORDER: &str =
    "SELECT DISTINCT entry_seq FROM postings WHERE order_id = $1 ORDER BY entry_seq";
pub const ENTRIES_OF_PAYOUT: &str =
    "SELECT DISTINCT entry_seq FROM postings WHERE payout_id = $1 ORDER BY entry_seq";

/// The lines naming an order, in every shop.
pub const LINES_OF_ORDER: &str = select_lines!("WHERE l.order_id = $1 ORDER BY l.id");

pub const ORDER_SHOPS: &str = "SELECT DISTINCT channel, shop FROM orders WHERE order_id = $1";

pub const STATEMENT_BY_ID: &str = "SELECT statement_id, payout_id, currency, \
     declared_total_micros, period_start_raw, period_start, period_end_raw, period_end, \
     deposit_raw, deposit_at, batch_id, source_row \
     FROM statements WHERE channel = $1 AND shop = $2 AND statement_id = $3";

/// The statements a payout pays: those naming it, or the one that is its
/// own payout (see `matching::paid_by`).
pub const STATEMENTS_OF_PAYOUT: &str = "SELECT statement_id, payout_id, currency, \
     declared_total_micros, period_start_raw, period_start, period_end_raw, period_end, \
     deposit_raw, deposit_at, batch_id, source_row \
     FROM statements WHERE channel = $1 AND shop = $2 AND (payout_id = $3 \
     OR (payout_id IS NULL AND deposit_at IS NOT NULL AND statement_id = $3)) ORDER BY id";

pub const PAYOUT_SHOPS: &str = "SELECT channel, shop FROM statements WHERE payout_id = $1 \
     OR (payout_id IS NULL AND deposit_at IS NOT NULL AND statement_id = $1) \
     UNION SELECT channel, shop FROM payouts WHERE payout_id = $1";

pub const PAYOUT_BY_ID: &str = "SELECT payout_id, currency, amount_micros, paid_raw, paid_at, \
     status, bank_amount_micros, bank_currency, exchange_rate, bank_account, batch_id, \
     source_sheet, source_row FROM payouts WHERE channel = $1 AND shop = $2 AND payout_id = $3";

pub const STATEMENT_TOTALS: &str = "SELECT COUNT(*), \
     CAST(COALESCE(SUM(net_micros), 0) AS BIGINT) FROM settlement_lines \
     WHERE channel = $1 AND shop = $2 AND statement_id = $3";

pub const LINES_OF_STATEMENT: &str =
    select_lines!("WHERE l.channel = $1 AND l.shop = $2 AND l.statement_id = $3 ORDER BY l.id");

/// Live booked entries of a shop dated in a range.
pub const BOOKED_IN_RANGE: &str = "SELECT COUNT(*) FROM bookings b \
     JOIN entries e ON e.seq = b.entry_seq \
     WHERE b.channel = $1 AND b.shop = $2 AND e.entry_date >= $3 AND e.entry_date <= $4 \
     AND NOT EXISTS (SELECT 1 FROM entries r WHERE r.reverses = b.entry_seq)";
