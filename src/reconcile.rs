//! Reconcile: match and book every shop's imported records. For each shop
//! it reads the records, matches them (`domain::matching`), plans the
//! entries (`domain::booking`), compares the plan with what is booked and
//! writes the difference — new entries, reversals and replacements — in
//! transactions of a bounded size. Each transaction is complete on its own,
//! so a crash leaves consistent books and the next run finishes the work.

use std::collections::BTreeSet;

use serde::Serialize;

use crate::domain::booking::changes::plan_changes;
use crate::domain::booking::{plan_books, BookPlan, BookingError, BookingShop, Unbooked};
use crate::domain::entry::EntryError;
use crate::domain::matching::{
    account_of, match_shop, LineStatus, Matching, OrderStatus, ShopFacts,
};
use crate::domain::rate_card::RateCards;
use crate::domain::settlement::Channel;
use crate::domain::shop::Shops;
use crate::domain::{ChartOfAccounts, Period, PeriodStatus};
use crate::gl_mappings::{Mappings, MappingsError};
use crate::store::{LedgerStore, StoreError};

mod write;
pub(crate) use write::apply;

#[derive(Debug, thiserror::Error)]
pub enum ReconcileError {
    #[error(transparent)]
    Mappings(#[from] MappingsError),
    #[error(transparent)]
    Booking(#[from] BookingError),
    #[error("{subject}: {source}")]
    Entry {
        subject: String,
        #[source]
        source: EntryError,
    },
    #[error("no imported records for shop `{0}`")]
    UnknownShop(String),
    #[error("{0}")]
    Bank(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Which shops and which period to reconcile.
#[derive(Clone, Copy, Debug, Default)]
pub struct Scope<'a> {
    pub shop: Option<&'a str>,
    /// Only entries dated in this month are booked (none withdrawn).
    pub period: Option<Period>,
}

/// One shop, read and matched.
pub struct ShopBooks {
    pub shop: BookingShop,
    pub facts: ShopFacts,
    pub matching: Matching,
}

/// The shops that have records, optionally only the one named.
pub async fn shops_in_scope(
    store: &dyn LedgerStore,
    shop: Option<&str>,
) -> Result<Vec<(Channel, String)>, ReconcileError> {
    let all = store.record_shops().await?;
    match shop {
        None => Ok(all),
        Some(name) => {
            let picked: Vec<_> = all.into_iter().filter(|(_, s)| s == name).collect();
            if picked.is_empty() {
                Err(ReconcileError::UnknownShop(name.to_string()))
            } else {
                Ok(picked)
            }
        }
    }
}

/// Reads and matches one shop's records.
pub async fn read_shop(
    store: &dyn LedgerStore,
    shops: &Shops,
    mappings: &Mappings,
    channel: Channel,
    shop: &str,
) -> Result<Option<ShopBooks>, ReconcileError> {
    let facts = store.shop_facts(channel, shop).await?;
    match_facts(facts, shops, mappings)
}

/// Matches records read by any means (a whole shop, or what one trail needs).
pub fn match_facts(
    facts: ShopFacts,
    shops: &Shops,
    mappings: &Mappings,
) -> Result<Option<ShopBooks>, ReconcileError> {
    let channel = facts.channel;
    let configured = shops.get(&facts.shop).filter(|s| s.channel == channel);
    let booking_shop = match configured {
        Some(s) => BookingShop::from_shop(s),
        None => {
            let currency = facts
                .lines
                .first()
                .map(|l| l.line.currency)
                .or_else(|| facts.orders.first().map(|o| o.order.currency))
                .or_else(|| facts.payouts.first().map(|p| p.payout.currency))
                .or_else(|| facts.statements.first().map(|s| s.statement.currency));
            let Some(currency) = currency else {
                return Ok(None);
            };
            let mut s = BookingShop::unconfigured(channel, currency);
            s.name = facts.shop.clone();
            s
        }
    };
    let mapping = mappings.get(channel)?;
    let matching = match_shop(&facts, &|code| account_of(mapping, &booking_shop, code));
    Ok(Some(ShopBooks {
        shop: booking_shop,
        facts,
        matching,
    }))
}

/// Counts by status, for the summary.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct MatchSummary {
    pub orders_unsettled: usize,
    pub orders_settled: usize,
    pub orders_partially_refunded: usize,
    pub orders_refunded: usize,
    pub lines_matched: usize,
    pub lines_variance: usize,
    pub lines_orphan: usize,
    pub lines_no_order: usize,
    pub payouts: usize,
    pub payouts_tied: usize,
    /// Payouts no statement names (TikTok withdrawals): nothing to tie.
    pub payouts_unlinked: usize,
    pub payouts_not_tied: Vec<String>,
    pub statements_not_tied: Vec<String>,
    pub variances: usize,
}

impl MatchSummary {
    pub fn of(m: &Matching) -> Self {
        let mut s = MatchSummary::default();
        for o in m.orders.values() {
            match o.status {
                OrderStatus::Unsettled => s.orders_unsettled += 1,
                OrderStatus::Settled => s.orders_settled += 1,
                OrderStatus::PartiallyRefunded => s.orders_partially_refunded += 1,
                OrderStatus::Refunded => s.orders_refunded += 1,
            }
        }
        for l in &m.line_status {
            match l {
                LineStatus::Matched => s.lines_matched += 1,
                LineStatus::Variance => s.lines_variance += 1,
                LineStatus::Orphan => s.lines_orphan += 1,
                LineStatus::NoOrder => s.lines_no_order += 1,
            }
        }
        for p in &m.payouts {
            s.payouts += 1;
            if !p.linked() {
                s.payouts_unlinked += 1;
            } else if p.ties() {
                s.payouts_tied += 1;
            } else {
                s.payouts_not_tied.push(format!(
                    "{}: {} paid, lines sum to {} (difference {}); {}",
                    p.payout_id,
                    p.amount,
                    p.lines_total,
                    p.difference,
                    p.causes.join("; ")
                ));
            }
        }
        for st in &m.statements {
            s.statements_not_tied.push(format!(
                "{}: declares {}, lines sum to {} (difference {})",
                st.statement_id, st.declared, st.lines_total, st.difference
            ));
        }
        s.variances = m.variances.len();
        s
    }
}

/// What reconciling one shop did.
#[derive(Clone, Debug, Serialize)]
pub struct ShopReport {
    pub channel: &'static str,
    pub shop: String,
    pub currency: String,
    pub matching: MatchSummary,
    pub entries_planned: usize,
    pub unchanged: usize,
    pub new: usize,
    pub replaced: usize,
    pub withdrawn: usize,
    /// Corrections dated in the first open period.
    pub redated: usize,
    pub entries_written: usize,
    pub unbooked: Vec<Unbooked>,
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct ReconcileReport {
    pub shops: Vec<ShopReport>,
    /// Deposits matched and booked, per bank account (when banks.toml exists).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub banks: Vec<crate::bank_reconcile::BankReport>,
}

/// The closed periods, as booking needs them.
pub async fn closed_periods(store: &dyn LedgerStore) -> Result<BTreeSet<Period>, StoreError> {
    Ok(store
        .period_states()
        .await?
        .into_iter()
        .filter(|p| p.status == PeriodStatus::Closed)
        .map(|p| p.period)
        .collect())
}

/// Plans one shop's entries, limited to `period` when given.
pub fn plan_shop(
    books: &ShopBooks,
    mappings: &Mappings,
    period: Option<Period>,
) -> Result<BookPlan, ReconcileError> {
    let mapping = mappings.get(books.shop.channel)?;
    let mut plan = plan_books(&books.shop, &books.facts, &books.matching, mapping)?;
    if let Some(p) = period {
        plan.entries.retain(|e| p.contains(e.draft.date));
    }
    Ok(plan)
}

/// A reconcile writing this many entries refreshes the store's statistics
/// after it (see `refresh_after_bulk_write`).
const BULK_ENTRIES: usize = 10_000;

/// Matches and books every shop in `scope`; a whole-shop reconcile also
/// keeps the shop's standing and its close basis (with `rate_cards`).
pub async fn reconcile(
    store: &dyn LedgerStore,
    chart: &ChartOfAccounts,
    mappings: &Mappings,
    shops: &Shops,
    rate_cards: &RateCards,
    scope: Scope<'_>,
    actor: &str,
) -> Result<ReconcileReport, ReconcileError> {
    let mut report = ReconcileReport::default();
    let mut bulk_written = 0;
    for (channel, shop) in shops_in_scope(store, scope.shop).await? {
        // Read before the records: an import landing in between leaves a
        // basis whose fingerprint no longer holds, never a stale one that does.
        let import_mark = store.shop_import_mark(&shop).await?;
        let clock = std::time::Instant::now();
        let facts = store.shop_facts(channel, &shop).await?;
        tracing::info!(
            shop,
            seconds = clock.elapsed().as_secs_f64(),
            "read records"
        );
        let clock = std::time::Instant::now();
        let Some(books) = match_facts(facts, shops, mappings)? else {
            continue;
        };
        tracing::info!(shop, seconds = clock.elapsed().as_secs_f64(), "matched");
        let clock = std::time::Instant::now();
        let plan = plan_shop(&books, mappings, scope.period)?;
        let planned = plan.entries.len();
        let mut by_period: std::collections::BTreeMap<Period, u64> = Default::default();
        for e in &plan.entries {
            *by_period.entry(Period::of(e.draft.date)).or_default() += 1;
        }
        let state = store.booking_state(channel.as_str(), &shop).await?;
        let closed = closed_periods(store).await?;
        let changes = plan_changes(plan.entries, &state, &closed, scope.period.is_none());
        // The booked state of a big shop is millions of subjects: freed
        // before the write, not held through it.
        drop(state);
        tracing::info!(shop, seconds = clock.elapsed().as_secs_f64(), "planned");
        let clock = std::time::Instant::now();
        let counts = (
            changes.unchanged,
            changes.new,
            changes.replaced,
            changes.withdrawn,
            changes.redated,
        );
        let written = apply(
            store,
            chart,
            channel.as_str(),
            &shop,
            changes.changes,
            actor,
        )
        .await?;
        tracing::info!(
            shop,
            written,
            seconds = clock.elapsed().as_secs_f64(),
            "booked"
        );
        let clock = std::time::Instant::now();
        let (unchanged, new, replaced, withdrawn, redated) = counts;
        // One month's reconcile plans one month's entries: the standing
        // (the whole shop's) is kept by whole reconciles only.
        if scope.period.is_none() {
            let standing = crate::standing::ShopStanding::of(
                &books,
                mappings,
                shops,
                &plan.unbooked,
                by_period,
            );
            store
                .save_shop_standing(channel.as_str(), &shop, &standing.to_json())
                .await?;
            let fingerprint = crate::reports::close_basis_fingerprint(
                &import_mark,
                mappings,
                shops,
                rate_cards,
                channel,
                &shop,
            )?;
            crate::reports::keep_close_basis(store, &books, &fingerprint, rate_cards).await?;
            tracing::info!(
                shop,
                seconds = clock.elapsed().as_secs_f64(),
                "kept standing and close basis"
            );
        }
        bulk_written += written;
        report.shops.push(ShopReport {
            channel: channel.as_str(),
            shop: books.shop.label(),
            currency: books.shop.currency.to_string(),
            matching: MatchSummary::of(&books.matching),
            entries_planned: planned,
            unchanged,
            new,
            replaced,
            withdrawn,
            redated,
            entries_written: written,
            unbooked: plan.unbooked,
        });
    }
    if bulk_written >= BULK_ENTRIES {
        // Statistics only: the books are written, so a refusal (a lock, a
        // statement timeout) is worth a warning, not a failed reconcile.
        if let Err(e) = store.refresh_after_bulk_write().await {
            tracing::warn!("refreshing the store's statistics after {bulk_written} entries: {e}");
        }
    }
    Ok(report)
}

/// One entry a reconcile would write, and what it would move.
#[derive(Clone, Debug, Serialize)]
pub struct PreviewEntry {
    pub subject: String,
    /// `new`, `replace` or `withdraw`.
    pub action: &'static str,
    /// The booked entry it would reverse.
    pub replaces: Option<i64>,
    pub date: Option<chrono::NaiveDate>,
    pub description: Option<String>,
    /// (account, currency, change in balance, debits positive).
    pub moves: Vec<(String, String, rust_decimal::Decimal)>,
}

/// What a reconcile with the mapping files as they are now would change.
#[derive(Clone, Debug, Serialize)]
pub struct ShopPreview {
    pub channel: &'static str,
    pub shop: String,
    pub new: usize,
    pub replaced: usize,
    pub withdrawn: usize,
    pub unchanged: usize,
    /// Net change per (account, currency) over all the entries.
    pub totals: Vec<(String, String, rust_decimal::Decimal)>,
    pub entries: Vec<PreviewEntry>,
}

fn signed(
    postings: &[crate::domain::Posting],
) -> std::collections::BTreeMap<(String, String), rust_decimal::Decimal> {
    let mut out = std::collections::BTreeMap::new();
    for p in postings {
        *out.entry((p.account.to_string(), p.amount.currency.to_string()))
            .or_default() += p.signed_amount();
    }
    out
}

/// What `reconcile` would write, without writing it: for a changed mapping
/// file, exactly the entries it would reverse and re-book and the amounts
/// that would move between accounts (`settlebridge mappings diff`).
pub async fn preview(
    store: &dyn LedgerStore,
    mappings: &Mappings,
    shops: &Shops,
    shop: Option<&str>,
) -> Result<Vec<ShopPreview>, ReconcileError> {
    let mut out = Vec::new();
    for (channel, name) in shops_in_scope(store, shop).await? {
        let Some(books) = read_shop(store, shops, mappings, channel, &name).await? else {
            continue;
        };
        let plan = plan_shop(&books, mappings, None)?;
        let state = store.booking_state(channel.as_str(), &name).await?;
        let closed = closed_periods(store).await?;
        let changes = plan_changes(plan.entries, &state, &closed, true);
        let mut totals: std::collections::BTreeMap<(String, String), rust_decimal::Decimal> =
            Default::default();
        let mut entries = Vec::new();
        for c in &changes.changes {
            let mut moves = std::collections::BTreeMap::new();
            if let Some(r) = &c.reverse {
                let old = store
                    .entry(r.entry)
                    .await?
                    .ok_or(StoreError::EntryNotFound(r.entry))?;
                for (k, v) in signed(old.entry.postings()) {
                    *moves.entry(k).or_default() -= v;
                }
            }
            if let Some((_, planned)) = &c.book {
                for (k, v) in signed(&planned.draft.postings) {
                    *moves.entry(k).or_default() += v;
                }
            }
            moves.retain(|_, v: &mut rust_decimal::Decimal| !v.is_zero());
            for (k, v) in &moves {
                *totals.entry(k.clone()).or_default() += *v;
            }
            entries.push(PreviewEntry {
                subject: c.subject.0.clone(),
                action: match (&c.reverse, &c.book) {
                    (Some(_), Some(_)) => "replace",
                    (Some(_), None) => "withdraw",
                    _ => "new",
                },
                replaces: c.reverse.as_ref().map(|r| r.entry.0),
                date: c.book.as_ref().map(|(_, p)| p.draft.date),
                description: c.book.as_ref().map(|(_, p)| p.draft.description.clone()),
                moves: moves.into_iter().map(|((a, c), v)| (a, c, v)).collect(),
            });
        }
        totals.retain(|_, v| !v.is_zero());
        out.push(ShopPreview {
            channel: channel.as_str(),
            shop: books.shop.label(),
            new: changes.new,
            replaced: changes.replaced,
            withdrawn: changes.withdrawn,
            unchanged: changes.unchanged,
            totals: totals.into_iter().map(|((a, c), v)| (a, c, v)).collect(),
            entries,
        });
    }
    Ok(out)
}
