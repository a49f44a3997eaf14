//! Multi-row statements for orders and payouts (see `batch_sql` for why),
//! shared by both backends.

use sqlx::{Database, Encode, QueryBuilder, Type};

use super::PreparedLine;
use crate::domain::order::OrderLine;
use crate::domain::settlement::Component;

fn push_list<'a, DB, T>(qb: &mut QueryBuilder<'a, DB>, items: &'a [T])
where
    DB: Database,
    T: Encode<'a, DB> + Type<DB> + Copy + Send + 'a,
{
    let mut list = qb.separated(", ");
    for item in items {
        list.push_bind(*item);
    }
}

/// `(payout_id, currency, amount_micros)` of stored payouts with these ids.
pub fn stored_payouts<'a, DB>(
    channel: &'a str,
    shop: &'a str,
    ids: &'a [&'a str],
) -> QueryBuilder<'a, DB>
where
    DB: Database,
    &'a str: Encode<'a, DB> + Type<DB>,
{
    let mut qb = QueryBuilder::new(
        "SELECT payout_id, currency, amount_micros FROM payouts WHERE channel = ",
    );
    qb.push_bind(channel)
        .push(" AND shop = ")
        .push_bind(shop)
        .push(" AND payout_id IN (");
    push_list(&mut qb, ids);
    qb.push(")");
    qb
}

/// Every stored revision of these orders, oldest first:
/// `(order_id, id, revision, content_hash, status, refunded_micros)`.
pub fn stored_orders<'a, DB>(
    channel: &'a str,
    shop: &'a str,
    ids: &'a [&'a str],
) -> QueryBuilder<'a, DB>
where
    DB: Database,
    &'a str: Encode<'a, DB> + Type<DB>,
{
    let mut qb = QueryBuilder::new(
        "SELECT order_id, id, revision, content_hash, status, refunded_micros FROM orders \
         WHERE channel = ",
    );
    qb.push_bind(channel)
        .push(" AND shop = ")
        .push_bind(shop)
        .push(" AND order_id IN (");
    push_list(&mut qb, ids);
    qb.push(") ORDER BY order_id, revision");
    qb
}

/// Observations of these order revisions, oldest first:
/// `(order_ref, status, refunded_micros)`.
pub fn latest_observations<'a, DB>(refs: &'a [i64]) -> QueryBuilder<'a, DB>
where
    DB: Database,
    i64: Encode<'a, DB> + Type<DB>,
{
    let mut qb = QueryBuilder::new(
        "SELECT order_ref, status, refunded_micros FROM order_observations WHERE order_ref IN (",
    );
    push_list(&mut qb, refs);
    qb.push(") ORDER BY id");
    qb
}

/// `(line_no, line, quantity_micros, unit_price_micros)`.
pub type OrderLineRow<'a> = (i64, &'a OrderLine, i64, Option<i64>);

/// An import's newly numbered component pairs (see `component_labels`).
pub fn insert_component_labels<'a, DB>(
    batch_id: i64,
    labels: &'a [super::ComponentLabel],
) -> QueryBuilder<'a, DB>
where
    DB: Database,
    i64: Encode<'a, DB> + Type<DB>,
    &'a str: Encode<'a, DB> + Type<DB>,
{
    let mut qb =
        QueryBuilder::new("INSERT INTO import_component_labels (batch_id, n, code, label) ");
    qb.push_values(labels, |mut b, l| {
        b.push_bind(batch_id)
            .push_bind(l.n)
            .push_bind(l.code.as_str())
            .push_bind(l.label.as_str());
    });
    qb
}

pub fn insert_order_lines<'a, DB>(
    order_ref: i64,
    lines: &'a [OrderLineRow<'a>],
) -> QueryBuilder<'a, DB>
where
    DB: Database,
    i64: Encode<'a, DB> + Type<DB>,
    Option<i64>: Encode<'a, DB> + Type<DB>,
    &'a str: Encode<'a, DB> + Type<DB>,
    Option<&'a str>: Encode<'a, DB> + Type<DB>,
{
    let mut qb = QueryBuilder::new(
        "INSERT INTO order_lines (order_ref, line_no, sku, sku_id, name, quantity_micros, \
         unit_price_micros) ",
    );
    qb.push_values(lines, |mut b, (line_no, line, quantity, price)| {
        b.push_bind(order_ref)
            .push_bind(*line_no)
            .push_bind(line.sku.as_deref())
            .push_bind(line.sku_id.as_deref())
            .push_bind(line.name.as_str())
            .push_bind(*quantity)
            .push_bind(*price);
    });
    qb
}

/// `(line_no, seq, component, amount_micros)`; line 0 is the order itself.
pub type OrderAmountRow<'a> = (i64, i64, &'a Component, i64);

pub fn insert_order_amounts<'a, DB>(
    order_ref: i64,
    amounts: &'a [OrderAmountRow<'a>],
) -> QueryBuilder<'a, DB>
where
    DB: Database,
    i64: Encode<'a, DB> + Type<DB>,
    &'a str: Encode<'a, DB> + Type<DB>,
{
    let mut qb = QueryBuilder::new(
        "INSERT INTO order_amounts (order_ref, line_no, seq, code, label, amount_micros) ",
    );
    qb.push_values(amounts, |mut b, (line_no, seq, c, micros)| {
        b.push_bind(order_ref)
            .push_bind(*line_no)
            .push_bind(*seq)
            .push_bind(c.code.as_str())
            .push_bind(c.label.as_str())
            .push_bind(*micros);
    });
    qb
}

/// `(seq, sheet, row, cells as JSON)`.
pub fn insert_order_rows<'a, DB>(
    order_ref: i64,
    rows: &'a [(i64, Option<&'a str>, i64, String)],
) -> QueryBuilder<'a, DB>
where
    DB: Database,
    i64: Encode<'a, DB> + Type<DB>,
    &'a str: Encode<'a, DB> + Type<DB>,
    Option<&'a str>: Encode<'a, DB> + Type<DB>,
{
    let mut qb =
        QueryBuilder::new("INSERT INTO order_rows (order_ref, seq, sheet, source_row, cells) ");
    qb.push_values(rows, |mut b, (seq, sheet, row, cells)| {
        b.push_bind(order_ref)
            .push_bind(*seq)
            .push_bind(*sheet)
            .push_bind(*row)
            .push_bind(cells.as_str());
    });
    qb
}

/// A new settlement line with the id and occurrence it is stored under.
pub struct LineRow<'a> {
    pub id: i64,
    pub line: &'a PreparedLine,
    pub occurrence: i64,
}
