//! The ledger a page at a time, one entry with its hash and links, the trial
//! balance, and search.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::Extension;
use serde::Deserialize;

use super::auth::CurrentUser;
use super::page::{render, see_other, url_encode, Layout};
use super::{AppState, WebError};
use crate::domain::money::format_amount;
use crate::domain::{Period, StoredEntry, TrialBalance};
use crate::ledger::TrialBalanceRange;
use crate::store::{EntryPageQuery, OutboxDocument, SearchHits};

pub const PAGE_ENTRIES: i64 = 50;

pub struct EntryRow {
    pub seq: i64,
    pub date: String,
    pub kind: String,
    pub description: String,
    pub amounts: String,
    pub shops: String,
}

fn entry_row(e: &StoredEntry) -> EntryRow {
    let mut shops: Vec<&str> = e
        .entry
        .postings()
        .iter()
        .filter_map(|p| p.segments.shop.as_deref())
        .collect();
    shops.sort();
    shops.dedup();
    EntryRow {
        seq: e.seq.0,
        date: e.entry.date().to_string(),
        kind: e.entry.kind().as_str().to_string(),
        description: e.entry.description().to_string(),
        amounts: e
            .entry
            .totals_by_currency()
            .into_iter()
            .map(|(c, (debits, _))| format!("{} {c}", format_amount(debits, c)))
            .collect::<Vec<_>>()
            .join(", "),
        shops: shops.join(", "),
    }
}

#[derive(Template)]
#[template(path = "web/ledger.html")]
struct LedgerPage {
    layout: Layout,
    period: String,
    account: String,
    shop: String,
    rows: Vec<EntryRow>,
    /// The link to the next (older) page, when there is one.
    next: Option<String>,
    accounts: Vec<(String, String)>,
}

#[derive(Deserialize, Default)]
pub struct LedgerQuery {
    period: Option<String>,
    account: Option<String>,
    shop: Option<String>,
    before: Option<i64>,
}

fn non_empty(s: Option<String>) -> Option<String> {
    s.map(|s| s.trim().to_string()).filter(|s| !s.is_empty())
}

pub fn parse_period(s: &str) -> Result<Period, WebError> {
    s.parse()
        .map_err(|e| WebError::BadRequest(format!("period `{s}`: {e}")))
}

pub async fn ledger(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    Query(q): Query<LedgerQuery>,
) -> Result<Response, WebError> {
    let period = non_empty(q.period);
    let account = non_empty(q.account);
    let shop = non_empty(q.shop);
    let range = period.as_deref().map(parse_period).transpose()?;
    let query = EntryPageQuery {
        from: range.map(|p| p.first_day()),
        to: range.map(|p| p.last_day()),
        account: account.clone(),
        shop: shop.clone(),
        before: q.before,
        limit: PAGE_ENTRIES + 1,
    };
    let mut seqs = state.store().entry_page(&query).await?;
    let more = seqs.len() as i64 > PAGE_ENTRIES;
    seqs.truncate(PAGE_ENTRIES as usize);
    let mut rows = Vec::with_capacity(seqs.len());
    for seq in &seqs {
        if let Some(e) = state.store().entry(crate::domain::EntryId(*seq)).await? {
            rows.push(entry_row(&e));
        }
    }
    let (p, a, s) = (
        period.clone().unwrap_or_default(),
        account.clone().unwrap_or_default(),
        shop.clone().unwrap_or_default(),
    );
    let next = match (more, seqs.last()) {
        (true, Some(last)) => Some(format!(
            "/ledger?period={}&account={}&shop={}&before={last}",
            url_encode(&p),
            url_encode(&a),
            url_encode(&s)
        )),
        _ => None,
    };
    let accounts = state
        .store()
        .chart()
        .await?
        .iter()
        .map(|acc| (acc.code.to_string(), acc.name.clone()))
        .collect();
    render(&LedgerPage {
        layout: Layout::new(&user, "ledger"),
        period: p,
        account: a,
        shop: s,
        rows,
        next,
        accounts,
    })
}

#[derive(Template)]
#[template(path = "web/entry.html")]
struct EntryPage {
    layout: Layout,
    e: StoredEntry,
    reversed_by: Option<i64>,
    netsuite: Option<OutboxDocument>,
    postings: Vec<PostingRow>,
}

pub struct PostingRow {
    pub account: String,
    pub account_name: String,
    pub debit: String,
    pub credit: String,
    pub memo: String,
    pub segments: String,
    pub source: String,
    pub batch: Option<i64>,
    pub order: Option<String>,
    pub payout: Option<String>,
    pub mapping_version: String,
}

pub async fn entry(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    Path(seq): Path<i64>,
) -> Result<Response, WebError> {
    let store = state.store();
    let e = store
        .entry(crate::domain::EntryId(seq))
        .await?
        .ok_or_else(|| WebError::NotFound(format!("there is no entry #{seq}")))?;
    let chart = store.chart().await?;
    let postings = e
        .entry
        .postings()
        .iter()
        .map(|p| {
            let amount = format_amount(p.amount.amount, p.amount.currency);
            let amount = format!("{amount} {}", p.amount.currency);
            let seg = &p.segments;
            let segments = [
                ("subsidiary", &seg.subsidiary),
                ("department", &seg.department),
                ("class", &seg.class),
                ("location", &seg.location),
            ]
            .iter()
            .filter_map(|(k, v)| v.as_ref().map(|v| format!("{k} {v}")))
            .collect::<Vec<_>>()
            .join(", ");
            let src = &p.source;
            let source = [
                seg.shop.as_ref().map(|s| format!("shop {s}")),
                src.statement_id.as_ref().map(|s| format!("statement {s}")),
                src.sheet.as_ref().map(|s| format!("sheet {s}")),
                src.row.map(|r| format!("row {r}")),
            ]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(", ");
            let debit = p.side == crate::domain::Side::Debit;
            PostingRow {
                account: p.account.to_string(),
                account_name: chart
                    .get(&p.account)
                    .map(|a| a.name.clone())
                    .unwrap_or_default(),
                debit: if debit { amount.clone() } else { String::new() },
                credit: if debit { String::new() } else { amount },
                memo: p.memo.clone().unwrap_or_default(),
                segments,
                source,
                batch: src.batch_id,
                order: src.order_id.clone(),
                payout: src.payout_id.clone(),
                mapping_version: p.mapping_version.clone().unwrap_or_default(),
            }
        })
        .collect();
    render(&EntryPage {
        layout: Layout::new(&user, "ledger"),
        reversed_by: store.reversed_by(e.seq).await?.map(|id| id.0),
        netsuite: store.outbox_document_of_entry(seq).await?,
        postings,
        e,
    })
}

#[derive(Template)]
#[template(path = "web/trial_balance.html")]
struct TrialBalancePage {
    layout: Layout,
    period: String,
    tb: TrialBalance,
}

impl TrialBalancePage {
    fn money(&self, d: &rust_decimal::Decimal, c: &crate::domain::Currency) -> String {
        format_amount(*d, *c)
    }
}

#[derive(Deserialize, Default)]
pub struct PeriodQuery {
    period: Option<String>,
}

pub async fn trial_balance(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    Query(q): Query<PeriodQuery>,
) -> Result<Response, WebError> {
    let period = non_empty(q.period);
    let range = match &period {
        Some(p) => TrialBalanceRange::Period(parse_period(p)?),
        None => TrialBalanceRange::All,
    };
    let chart = crate::workflow::stored_chart(state.store()).await?;
    let tb = crate::ledger::trial_balance(state.store(), &chart, range).await?;
    render(&TrialBalancePage {
        layout: Layout::new(&user, "trial-balance"),
        period: period.unwrap_or_default(),
        tb,
    })
}

#[derive(Template)]
#[template(path = "web/search.html")]
struct SearchPage {
    layout: Layout,
    q: String,
    hits: SearchHits,
    entries: Vec<EntryRow>,
}

#[derive(Deserialize, Default)]
pub struct SearchQuery {
    q: Option<String>,
}

pub async fn search(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    Query(q): Query<SearchQuery>,
) -> Result<Response, WebError> {
    let text = q.q.unwrap_or_default().trim().to_string();
    let hits = state.store().search(&text, 50).await?;
    // One order or one payout and nothing else: go straight to it.
    if hits.entries.is_empty() {
        match (hits.orders.as_slice(), hits.payouts.as_slice()) {
            ([(_, _, order)], []) => {
                return Ok(see_other(&format!("/orders/{}", url_encode(order))))
            }
            ([], [(_, _, payout)]) => {
                return Ok(see_other(&format!("/payouts/{}", url_encode(payout))))
            }
            _ => {}
        }
    }
    let mut entries = Vec::new();
    for seq in &hits.entries {
        if let Some(e) = state.store().entry(crate::domain::EntryId(*seq)).await? {
            entries.push(entry_row(&e));
        }
    }
    render(&SearchPage {
        layout: Layout::new(&user, "search"),
        q: text,
        hits,
        entries,
    })
}
