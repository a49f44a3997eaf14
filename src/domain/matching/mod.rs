//! Matching: every settlement line to its order, every statement to its
//! payout, and what does not fit. Pure: the shop's stored records come in
//! as `ShopFacts`, a `Matching` comes out — order statuses, line statuses,
//! payouts that prove themselves (Σ lines = amount, to the cent) or do not,
//! and sale variances between the order export and the settlement.
//!
//! The settlement file is authoritative for money: a line naming an order no
//! export has shown is an orphan, booked all the same; where the export and
//! the settlement disagree on the sale, the settled figure wins and the
//! difference is listed.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::money::{Currency, Money};
use super::order::Order;
use super::payout::Payout;
use super::settlement::{Channel, ComponentCode, SettlementLine, Statement};

mod payouts;
use payouts::match_payouts;

/// A settlement line as stored: its row id and import batch.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LineFact {
    pub line_ref: i64,
    pub batch_id: i64,
    /// Which of identical lines in one file this is (from 0).
    pub occurrence: i64,
    pub line: SettlementLine,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OrderFact {
    pub batch_id: i64,
    pub revision: i64,
    pub order: Order,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StatementFact {
    pub batch_id: i64,
    pub statement: Statement,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PayoutFact {
    pub batch_id: i64,
    pub payout: Payout,
}

/// Everything stored for one shop.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShopFacts {
    pub channel: Channel,
    pub shop: String,
    pub lines: Vec<LineFact>,
    pub orders: Vec<OrderFact>,
    pub statements: Vec<StatementFact>,
    pub payouts: Vec<PayoutFact>,
    /// For a partial read (a trail): per statement, the count and net of
    /// its lines that are not in `lines`, so payouts still prove themselves.
    pub outside_lines: BTreeMap<String, (usize, Decimal)>,
}

/// Whether a component belongs to the sale (what the buyer was charged and
/// its discounts and taxes) rather than to what the channel kept or moved
/// afterwards. The sale entry books these; settlement entries book the rest.
pub fn is_sale_code(code: &ComponentCode) -> bool {
    code.family() == "sale"
        || matches!(
            code.as_str(),
            "tax.collected"
                | "tax.retail_delivery_fee"
                | "tax.withheld_by_marketplace"
                | "tax.duties"
        )
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderStatus {
    /// Known from the order export; no settlement line yet.
    Unsettled,
    Settled,
    PartiallyRefunded,
    Refunded,
}

impl OrderStatus {
    pub fn as_str(&self) -> &'static str {
        match self {
            OrderStatus::Unsettled => "unsettled",
            OrderStatus::Settled => "settled",
            OrderStatus::PartiallyRefunded => "partially refunded",
            OrderStatus::Refunded => "refunded",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LineStatus {
    /// Its order is known from an order export and the sale agrees.
    Matched,
    /// Its order is known, but the settled sale differs from the export.
    Variance,
    /// It names an order no imported export has shown.
    Orphan,
    /// It names no order (ads, logistics fees, reimbursements …).
    NoOrder,
}

/// Where an order's sale entry takes its figures from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SaleSource {
    OrderExport,
    Settlement,
}

/// One order, as both sources know it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OrderMatch {
    pub order_id: String,
    pub status: OrderStatus,
    /// Index into `ShopFacts::orders`, when an export showed it.
    pub order: Option<usize>,
    /// Indexes into `ShopFacts::lines`, in order.
    pub lines: Vec<usize>,
    pub sale_source: SaleSource,
    /// Sale components per code, as the export says.
    pub ordered: BTreeMap<ComponentCode, Decimal>,
    /// Sale components per code, as the settlement lines say.
    pub settled: BTreeMap<ComponentCode, Decimal>,
    /// When it was ordered (export) or first settled.
    pub first_seen: Option<DateTime<Utc>>,
    /// The last settled time of a line carrying sale components.
    pub sale_settled_at: Option<DateTime<Utc>>,
    /// How many of its lines carry sale components.
    pub sale_lines: usize,
}

impl OrderMatch {
    /// Σ of what the export says was sold (the clearing debit of the sale).
    pub fn ordered_total(&self) -> Decimal {
        self.ordered.values().copied().sum()
    }

    /// Whether any settlement line carried the sale itself.
    pub fn sale_settled(&self) -> bool {
        self.sale_lines > 0
    }
}

/// A sale figure the export and the settlement disagree on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Variance {
    pub order_id: String,
    /// Where the code books (`account_of`): differences that cancel within
    /// one account (a tax pair, a memo pair in clearing) are not variances.
    pub account: String,
    pub code: ComponentCode,
    pub ordered: Decimal,
    pub settled: Decimal,
    /// settled − ordered: what the variance adjustment books.
    pub difference: Decimal,
}

/// A payout and the proof that its lines add up to it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PayoutCheck {
    pub payout_id: String,
    pub currency: Currency,
    /// What was paid (the payout record, else the statement's total, else
    /// its lines when the file gives no total).
    pub amount: Decimal,
    pub paid_at: Option<DateTime<Utc>>,
    /// Statements it pays.
    pub statements: Vec<String>,
    pub line_count: usize,
    pub lines_total: Decimal,
    /// amount − lines_total; zero when it ties.
    pub difference: Decimal,
    /// Why it might not tie, when it does not.
    pub causes: Vec<String>,
    /// Index into `ShopFacts::payouts` when a payout record exists.
    pub record: Option<usize>,
    /// The statement whose total stands for the payout, when there is no record.
    pub from_statement: Option<String>,
    /// What the channel says reached the bank in another currency (after its
    /// exchange), when its record says so: deposit matching compares that.
    #[serde(default)]
    pub bank_amount: Option<Money>,
}

impl PayoutCheck {
    pub fn ties(&self) -> bool {
        self.difference.is_zero()
    }

    /// Whether any statement names this payout (TikTok withdrawals name none).
    pub fn linked(&self) -> bool {
        !self.statements.is_empty()
    }
}

/// A statement whose declared total differs from its lines.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatementCheck {
    pub statement_id: String,
    pub currency: Currency,
    pub declared: Decimal,
    pub lines_total: Decimal,
    pub difference: Decimal,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Matching {
    /// By order id.
    pub orders: BTreeMap<String, OrderMatch>,
    /// One per `ShopFacts::lines`, same order.
    pub line_status: Vec<LineStatus>,
    /// For each line, the payout that pays it (through its statement).
    pub line_payout: Vec<Option<String>>,
    pub payouts: Vec<PayoutCheck>,
    pub statements: Vec<StatementCheck>,
    pub variances: Vec<Variance>,
}

fn sale_amounts<'a>(
    components: impl Iterator<Item = &'a super::settlement::Component>,
    into: &mut BTreeMap<ComponentCode, Decimal>,
) {
    for c in components.filter(|c| is_sale_code(&c.code)) {
        *into.entry(c.code.clone()).or_default() += c.amount;
    }
}

/// What `account_of` returns for codes that net inside clearing.
pub const CLEARING: &str = "clearing";

/// Matches one shop's records. Deterministic: the same facts in any order of
/// import give the same matching (lines are keyed by what they are, orders
/// by id, payouts by id). `account_of` says where a sale code books (the
/// mapping's account, or `CLEARING`): an export and a settlement that
/// disagree only in ways that cancel within one account do not differ.
pub fn match_shop(facts: &ShopFacts, account_of: &dyn Fn(&ComponentCode) -> String) -> Matching {
    let mut m = Matching::default();
    for (i, o) in facts.orders.iter().enumerate() {
        let mut ordered = BTreeMap::new();
        sale_amounts(
            o.order
                .amounts
                .iter()
                .chain(o.order.lines.iter().flat_map(|l| l.amounts.iter())),
            &mut ordered,
        );
        m.orders.insert(
            o.order.order_id.clone(),
            OrderMatch {
                order_id: o.order.order_id.clone(),
                status: OrderStatus::Unsettled,
                order: Some(i),
                lines: Vec::new(),
                sale_source: SaleSource::OrderExport,
                ordered,
                settled: BTreeMap::new(),
                first_seen: o.order.created_at.as_ref().map(|t| t.utc),
                sale_settled_at: None,
                sale_lines: 0,
            },
        );
    }
    // Lines → orders.
    for (i, l) in facts.lines.iter().enumerate() {
        let Some(order_id) = l.line.order_id.as_deref() else {
            continue;
        };
        let posted = l.line.posted_at.as_ref().map(|t| t.utc);
        let om = m
            .orders
            .entry(order_id.to_string())
            .or_insert_with(|| OrderMatch {
                order_id: order_id.to_string(),
                status: OrderStatus::Unsettled,
                order: None,
                lines: Vec::new(),
                sale_source: SaleSource::Settlement,
                ordered: BTreeMap::new(),
                settled: BTreeMap::new(),
                first_seen: None,
                sale_settled_at: None,
                sale_lines: 0,
            });
        om.lines.push(i);
        if l.line.components.iter().any(|c| is_sale_code(&c.code)) {
            sale_amounts(l.line.components.iter(), &mut om.settled);
            om.sale_lines += 1;
            om.sale_settled_at = om.sale_settled_at.max(posted);
        }
        if om.order.is_none() {
            // The order time the settlement gives, else when it settled.
            let seen = l.line.ordered_at.as_ref().map(|t| t.utc).or(posted);
            om.first_seen = match (om.first_seen, seen) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
        }
    }
    // Statuses and variances.
    let mut variance_orders = BTreeSet::new();
    for om in m.orders.values_mut() {
        if om.lines.is_empty() {
            continue;
        }
        let refunded: Decimal = om
            .lines
            .iter()
            .flat_map(|&i| facts.lines[i].line.components.iter())
            .filter(|c| c.code.as_str() == "refund.gross")
            .map(|c| -c.amount)
            .sum();
        let sold = |codes: &BTreeMap<ComponentCode, Decimal>| {
            codes
                .iter()
                .filter(|(c, _)| c.as_str() == "sale.gross")
                .map(|(_, a)| *a)
                .sum::<Decimal>()
        };
        let gross = if om.sale_settled() {
            sold(&om.settled)
        } else {
            sold(&om.ordered)
        };
        om.status = if refunded > Decimal::ZERO && refunded >= gross {
            OrderStatus::Refunded
        } else if refunded > Decimal::ZERO {
            OrderStatus::PartiallyRefunded
        } else {
            OrderStatus::Settled
        };
        if om.order.is_some() && om.sale_settled() {
            let codes: BTreeSet<&ComponentCode> =
                om.ordered.keys().chain(om.settled.keys()).collect();
            let mut by_account: BTreeMap<String, Vec<Variance>> = BTreeMap::new();
            for code in codes {
                let ordered = om.ordered.get(code).copied().unwrap_or_default();
                let settled = om.settled.get(code).copied().unwrap_or_default();
                let account = account_of(code);
                if ordered != settled && account != CLEARING {
                    by_account
                        .entry(account.clone())
                        .or_default()
                        .push(Variance {
                            order_id: om.order_id.clone(),
                            account,
                            code: code.clone(),
                            ordered,
                            settled,
                            difference: settled - ordered,
                        });
                }
            }
            for (_, group) in by_account {
                if !group
                    .iter()
                    .map(|v| v.difference)
                    .sum::<Decimal>()
                    .is_zero()
                {
                    variance_orders.insert(om.order_id.clone());
                    m.variances.extend(group);
                }
            }
        }
    }
    m.line_status = facts
        .lines
        .iter()
        .map(|l| match l.line.order_id.as_deref() {
            None => LineStatus::NoOrder,
            Some(id) if variance_orders.contains(id) => LineStatus::Variance,
            Some(id) if m.orders.get(id).is_some_and(|o| o.order.is_some()) => LineStatus::Matched,
            Some(_) => LineStatus::Orphan,
        })
        .collect();
    match_payouts(facts, &mut m);
    m
}

/// Where a sale code books for `shop` by `mapping`, for `match_shop`.
/// Unmapped codes stand apart (booking refuses them anyway).
pub fn account_of(
    mapping: &super::mapping::GlMapping,
    shop: &super::booking::BookingShop,
    code: &ComponentCode,
) -> String {
    let ctx = super::mapping::Context {
        shop: (!shop.name.is_empty()).then_some(shop.name.as_str()),
        ..Default::default()
    };
    match mapping.resolve(code, &ctx).map(|r| r.account) {
        Some(super::mapping::MappedAccount::Clearing) => CLEARING.to_string(),
        Some(super::mapping::MappedAccount::Account(a)) => a.to_string(),
        None => format!("unmapped {code}"),
    }
}
