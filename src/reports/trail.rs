//! The trail of an order or a payout: source rows → records → entries →
//! postings → NetSuite and the bank.

use chrono::NaiveDate;
use serde::Serialize;

use crate::domain::matching::{LineStatus, OrderStatus};
use crate::domain::shop::Shops;
use crate::domain::StoredEntry;
use crate::gl_mappings::Mappings;
use crate::reconcile::{match_facts, read_shop, shops_in_scope, ReconcileError};
use crate::store::{LedgerStore, OrderRecord};

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
    pub netsuite: String,
    /// Per payout of the order: where it met the bank.
    pub bank_deposits: Vec<(String, String)>,
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
    /// The NetSuite journal entry carrying it, when queued.
    pub netsuite: Option<NetSuiteRecord>,
}

/// Where an entry stands in NetSuite.
#[derive(Clone, Debug, Serialize)]
pub struct NetSuiteRecord {
    pub external_id: String,
    pub status: crate::store::OutboxStatus,
    pub internal_id: Option<String>,
    pub posted_at: Option<chrono::DateTime<chrono::Utc>>,
    pub last_error: Option<String>,
}

impl NetSuiteRecord {
    pub fn describe(&self) -> String {
        match (&self.internal_id, self.posted_at) {
            (Some(id), Some(at)) => format!(
                "journal entry {id} (external id {}), posted {}",
                self.external_id,
                at.format("%Y-%m-%d %H:%M UTC")
            ),
            _ => match &self.last_error {
                Some(e) => format!("{} as {} — {e}", self.status, self.external_id),
                None => format!("{} as {}", self.status, self.external_id),
            },
        }
    }
}

/// One line for a trail: every entry's NetSuite record, or why there is none.
fn netsuite_summary(entries: &[TrailEntry]) -> String {
    if entries.is_empty() {
        return "no entries".into();
    }
    let posted: Vec<String> = entries
        .iter()
        .filter_map(|e| e.netsuite.as_ref())
        .filter_map(|n| {
            n.internal_id
                .as_ref()
                .map(|id| format!("journal entry {id}"))
        })
        .collect();
    let queued = entries.iter().filter(|e| e.netsuite.is_some()).count();
    let mut ids = posted.clone();
    ids.dedup();
    if posted.len() == entries.len() {
        format!("{} (all {} entries posted)", ids.join(", "), entries.len())
    } else if queued == 0 {
        format!(
            "not posted ({} entries; run `settlebridge post netsuite`)",
            entries.len()
        )
    } else {
        format!(
            "{} of {} entries posted{}",
            posted.len(),
            entries.len(),
            if ids.is_empty() {
                String::new()
            } else {
                format!(": {}", ids.join(", "))
            }
        )
    }
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
            netsuite: store
                .outbox_document_of_entry(e.seq.0)
                .await?
                .map(|d| NetSuiteRecord {
                    external_id: d.external_id,
                    status: d.status,
                    internal_id: d.internal_id,
                    posted_at: d.posted_at,
                    last_error: d.last_error,
                }),
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
        let payouts: Vec<crate::domain::matching::PayoutCheck> = books
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
        let mut bank_deposits = Vec::new();
        for p in &payouts {
            let deposits = store.deposit_entries_of_payout(&p.payout_id).await?;
            let trail = trail_entries(store, deposits).await?;
            bank_deposits.push((p.payout_id.clone(), deposit_summary(&trail)));
        }
        out.push(OrderTrail {
            channel: channel.as_str(),
            shop: books.shop.label(),
            order_id: order_id.to_string(),
            status: Some(om.status),
            export: export.as_ref().map(export_trail),
            lines,
            payouts,
            netsuite: String::new(),
            entries: trail_entries(store, mine).await?,
            bank_deposits,
        });
    }
    for t in &mut out {
        t.netsuite = netsuite_summary(&t.entries);
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
    pub bank_deposit: String,
    pub netsuite: String,
}

/// Where the payout met the bank: its deposit entry and the bank line(s).
fn deposit_summary(entries: &[TrailEntry]) -> String {
    let deposits: Vec<String> = entries
        .iter()
        .filter(|e| e.kind == "deposit" && e.reversed_by.is_none())
        .map(|e| {
            let lines: Vec<String> = e
                .postings
                .iter()
                .filter(|p| p.side == "debit" && p.batch_id.is_some())
                .map(|p| {
                    format!(
                        "{} {} [batch {}, row {}]",
                        p.amount,
                        p.memo
                            .as_deref()
                            .unwrap_or("")
                            .trim_start_matches("deposit: "),
                        p.batch_id.unwrap_or_default(),
                        p.row.unwrap_or_default()
                    )
                })
                .collect();
            if lines.is_empty() {
                // The exchange half of a deposit in another currency.
                return format!("{} (entry #{}): {}", e.date, e.id, e.description);
            }
            format!("{} (entry #{}): {}", e.date, e.id, lines.join("; "))
        })
        .collect();
    if deposits.is_empty() {
        "not matched to a bank deposit (import the bank statement; see `reconcile`)".into()
    } else {
        deposits.join(" | ")
    }
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
            netsuite: String::new(),
            entries: trail_entries(store, entries).await?,
            bank_deposit: String::new(),
        });
    }
    for t in &mut out {
        t.netsuite = netsuite_summary(&t.entries);
        t.bank_deposit = deposit_summary(&t.entries);
    }
    Ok(out)
}
