//! Reports over the books: the month-end close report per shop, and the
//! trail of an order or a payout from its source rows to its postings.

use chrono::NaiveDate;
use serde::Serialize;

use crate::domain::close::{close_report, CloseInput, CloseReport, KindTotals};
use crate::domain::matching::{LineStatus, OrderStatus};
use crate::domain::shop::Shops;
use crate::domain::{ChartOfAccounts, Period, StoredEntry};
use crate::gl_mappings::Mappings;
use crate::reconcile::{match_facts, read_shop, shops_in_scope, ReconcileError};
use crate::store::{ActivityTotals, LedgerStore, OrderRecord};

fn kind_totals(rows: Vec<ActivityTotals>) -> Vec<KindTotals> {
    rows.into_iter()
        .map(|r| KindTotals {
            balance: r.balance(),
            account: r.account,
            kind: r.kind,
        })
        .collect()
}

/// The close report of every shop with records (or the one named).
pub async fn close(
    store: &dyn LedgerStore,
    chart: &ChartOfAccounts,
    mappings: &Mappings,
    shops: &Shops,
    rate_cards: &crate::domain::rate_card::RateCards,
    period: Period,
    shop: Option<&str>,
) -> Result<Vec<CloseReport>, ReconcileError> {
    let mut out = Vec::new();
    let epoch = NaiveDate::from_ymd_opt(1900, 1, 1).expect("a date");
    let before_end = period.first_day().pred_opt().expect("after 1900");
    for (channel, name) in shops_in_scope(store, shop).await? {
        let Some(books) = read_shop(store, shops, mappings, channel, &name).await? else {
            continue;
        };
        let before = kind_totals(
            store
                .shop_activity(channel, &name, epoch, before_end)
                .await?,
        );
        let within = kind_totals(
            store
                .shop_activity(channel, &name, period.first_day(), period.last_day())
                .await?,
        );
        let entries = store
            .booked_entries(channel, &name, period.first_day(), period.last_day())
            .await? as usize;
        out.push(close_report(&CloseInput {
            period,
            shop: &books.shop,
            facts: &books.facts,
            matching: &books.matching,
            chart,
            rate_cards,
            before: &before,
            within: &within,
            entries,
            // NetSuite posting is not connected yet: every entry is pending.
            entries_not_in_netsuite: entries,
        }));
    }
    Ok(out)
}

/// One settlement line in a trail.
#[derive(Clone, Debug, Serialize)]
pub struct TrailLine {
    pub statement_id: String,
    pub payout_id: Option<String>,
    pub transaction_type: String,
    pub posted: Option<String>,
    pub status: LineStatus,
    pub net: String,
    pub components: Vec<(String, String)>,
    pub batch_id: i64,
    pub rows: Vec<(Option<String>, u64)>,
}

/// An order's whole chain: export → settlement lines → entries → payouts.
#[derive(Clone, Debug, Serialize)]
pub struct OrderTrail {
    pub channel: &'static str,
    pub shop: String,
    pub order_id: String,
    pub status: Option<OrderStatus>,
    pub export: Option<OrderExportTrail>,
    pub lines: Vec<TrailLine>,
    pub payouts: Vec<crate::domain::matching::PayoutCheck>,
    pub entries: Vec<TrailEntry>,
    pub netsuite: &'static str,
}

#[derive(Clone, Debug, Serialize)]
pub struct OrderExportTrail {
    pub revision: i64,
    pub batch_id: i64,
    pub created: Option<String>,
    pub status: Option<String>,
    pub amounts: Vec<(String, String)>,
    pub rows: Vec<(Option<String>, u64)>,
}

#[derive(Clone, Debug, Serialize)]
pub struct TrailEntry {
    pub id: i64,
    pub key: String,
    pub date: NaiveDate,
    pub kind: &'static str,
    pub description: String,
    pub reversed_by: Option<i64>,
    pub postings: Vec<TrailPosting>,
}

#[derive(Clone, Debug, Serialize)]
pub struct TrailPosting {
    pub account: String,
    pub side: &'static str,
    pub amount: String,
    pub memo: Option<String>,
    pub batch_id: Option<i64>,
    pub row: Option<i64>,
    pub mapping_version: Option<String>,
}

async fn trail_entries(
    store: &dyn LedgerStore,
    entries: Vec<StoredEntry>,
) -> Result<Vec<TrailEntry>, ReconcileError> {
    let mut out = Vec::new();
    for e in entries {
        out.push(TrailEntry {
            id: e.seq.0,
            key: e.entry.idempotency_key().to_string(),
            date: e.entry.date(),
            kind: e.entry.kind().as_str(),
            description: e.entry.description().to_string(),
            reversed_by: store.reversed_by(e.seq).await?.map(|r| r.0),
            postings: e
                .entry
                .postings()
                .iter()
                .map(|p| TrailPosting {
                    account: p.account.to_string(),
                    side: p.side.as_str(),
                    amount: p.amount.to_string(),
                    memo: p.memo.clone(),
                    batch_id: p.source.batch_id,
                    row: p.source.row,
                    mapping_version: p.mapping_version.clone(),
                })
                .collect(),
        });
    }
    Ok(out)
}

fn export_trail(r: &OrderRecord) -> OrderExportTrail {
    let o = &r.order;
    OrderExportTrail {
        revision: r.revision,
        batch_id: r.batch_id,
        created: o.created_at.as_ref().map(|t| t.raw.clone()),
        status: o.status.clone(),
        amounts: o
            .amounts
            .iter()
            .chain(o.lines.iter().flat_map(|l| l.amounts.iter()))
            .map(|c| (c.code.to_string(), c.amount.to_string()))
            .collect(),
        rows: o.rows.iter().map(|r| (r.sheet.clone(), r.row)).collect(),
    }
}

/// Every shop's trail of an order id (usually one).
pub async fn trail_order(
    store: &dyn LedgerStore,
    mappings: &Mappings,
    shops: &Shops,
    order_id: &str,
) -> Result<Vec<OrderTrail>, ReconcileError> {
    let mut out = Vec::new();
    let entries = store.entries_touching(Some(order_id), None).await?;
    for facts in store.order_facts(order_id).await? {
        let (channel, name) = (facts.channel, facts.shop.clone());
        let Some(books) = match_facts(facts, shops, mappings)? else {
            continue;
        };
        let Some(om) = books.matching.orders.get(order_id) else {
            continue;
        };
        let export = store.order(channel, &name, order_id).await?;
        let lines: Vec<TrailLine> = om.lines.iter().map(|&i| trail_line(&books, i)).collect();
        let payouts = books
            .matching
            .payouts
            .iter()
            .filter(|p| {
                lines
                    .iter()
                    .any(|l| l.payout_id.as_deref() == Some(&p.payout_id))
            })
            .cloned()
            .collect();
        let shop_label = books.shop.name.clone();
        let mine: Vec<StoredEntry> = entries
            .iter()
            .filter(|e| {
                e.entry.postings().iter().any(|p| {
                    p.segments.channel.as_deref() == Some(channel.as_str())
                        && p.segments.shop.clone().unwrap_or_default() == shop_label
                })
            })
            .cloned()
            .collect();
        out.push(OrderTrail {
            channel: channel.as_str(),
            shop: books.shop.label(),
            order_id: order_id.to_string(),
            status: Some(om.status),
            export: export.as_ref().map(export_trail),
            lines,
            payouts,
            entries: trail_entries(store, mine).await?,
            netsuite: "not posted (NetSuite is not connected)",
        });
    }
    Ok(out)
}

fn trail_line(books: &crate::reconcile::ShopBooks, i: usize) -> TrailLine {
    let l = &books.facts.lines[i];
    TrailLine {
        statement_id: l.line.statement_id.clone(),
        payout_id: books.matching.line_payout[i].clone(),
        transaction_type: l.line.transaction_type.clone(),
        posted: l.line.posted_at.as_ref().map(|t| t.raw.clone()),
        status: books.matching.line_status[i],
        net: l.line.net().to_string(),
        components: l
            .line
            .components
            .iter()
            .map(|c| (c.code.to_string(), c.amount.to_string()))
            .collect(),
        batch_id: l.batch_id,
        rows: l
            .line
            .rows
            .iter()
            .map(|r| (r.sheet.clone(), r.row))
            .collect(),
    }
}

/// A payout's chain: statements → lines → entries.
#[derive(Clone, Debug, Serialize)]
pub struct PayoutTrail {
    pub channel: &'static str,
    pub shop: String,
    pub payout: crate::domain::matching::PayoutCheck,
    pub lines: Vec<TrailLine>,
    pub entries: Vec<TrailEntry>,
    pub bank_deposit: &'static str,
    pub netsuite: &'static str,
}

pub async fn trail_payout(
    store: &dyn LedgerStore,
    mappings: &Mappings,
    shops: &Shops,
    payout_id: &str,
) -> Result<Vec<PayoutTrail>, ReconcileError> {
    let mut out = Vec::new();
    for (channel, name) in shops_in_scope(store, None).await? {
        let Some(books) = read_shop(store, shops, mappings, channel, &name).await? else {
            continue;
        };
        let Some(p) = books
            .matching
            .payouts
            .iter()
            .find(|p| p.payout_id == payout_id)
        else {
            continue;
        };
        let lines = (0..books.facts.lines.len())
            .filter(|&i| books.matching.line_payout[i].as_deref() == Some(payout_id))
            .map(|i| trail_line(&books, i))
            .collect();
        let entries = store.entries_touching(None, Some(payout_id)).await?;
        out.push(PayoutTrail {
            channel: channel.as_str(),
            shop: books.shop.label(),
            payout: p.clone(),
            lines,
            entries: trail_entries(store, entries).await?,
            bank_deposit: "not matched (no bank statement imported)",
            netsuite: "not posted (NetSuite is not connected)",
        });
    }
    Ok(out)
}
