//! What the close report needs from a shop's matched records, for any
//! period, folded into dated groups: orders by (day sold, day their sale
//! settled), settlement lines by (day posted, payout), and the exceptions
//! with their days. Reconcile has the matched shop in memory and keeps this
//! beside the books, so a report on a million-order shop reads a few hundred
//! groups instead of a million records. Both ways to a report, from the
//! records or from a kept basis, go through `CloseBasis`: they cannot
//! disagree.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::booking::BookingShop;
use super::close::{Listed, OrphanLine, LISTED};
use super::matching::{
    LineStatus, Matching, PayoutCheck, SaleSource, ShopFacts, StatementCheck, Variance,
};
use super::money::Currency;
use super::period::Period;
use super::rate_card::{check_fees, FeeOvercharge, RateCards};

/// Orders an export showed, sold on one day and settled on another (or not yet).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderGroup {
    pub sold_on: NaiveDate,
    pub settled_on: Option<NaiveDate>,
    pub orders: usize,
    /// Σ of what the export says was sold: the clearing debit of the sales.
    pub amount: Decimal,
}

/// Settlement lines posted on one day and paid by one payout (or none known).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineGroup {
    pub posted_on: NaiveDate,
    pub payout_id: Option<String>,
    pub lines: usize,
    pub net: Decimal,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DatedPayout {
    pub paid_on: Option<NaiveDate>,
    pub check: PayoutCheck,
}

/// A statement that does not tie, and the days its lines were posted on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DatedStatement {
    pub line_days: BTreeSet<NaiveDate>,
    pub check: StatementCheck,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CloseBasis {
    /// The shop's currency as the records gave it (for shops no shops.toml names).
    pub currency: Currency,
    pub orders: Vec<OrderGroup>,
    pub lines: Vec<LineGroup>,
    /// In the matching's order.
    pub payouts: Vec<DatedPayout>,
    pub statements: Vec<DatedStatement>,
    /// Per month, in the records' order: orphan lines by the day they were
    /// posted, variances and fee overcharges by the day the sale settled.
    pub orphans: BTreeMap<Period, Listed<OrphanLine>>,
    pub variances: BTreeMap<Period, Listed<Variance>>,
    pub fee_overcharges: BTreeMap<Period, Listed<FeeOvercharge>>,
}

impl CloseBasis {
    /// Folds a matched shop, listing the first `LISTED` exceptions of each
    /// kind per month. Days are the shop's (its zone).
    pub fn of(
        shop: &BookingShop,
        facts: &ShopFacts,
        matching: &Matching,
        rate_cards: &RateCards,
    ) -> Self {
        Self::listing(shop, facts, matching, rate_cards, LISTED)
    }

    /// As `of`, listing up to `cap` exceptions of each kind per month (an
    /// export of every one of them passes `usize::MAX`).
    pub fn listing(
        shop: &BookingShop,
        facts: &ShopFacts,
        matching: &Matching,
        rate_cards: &RateCards,
        cap: usize,
    ) -> Self {
        let day = |t: Option<chrono::DateTime<chrono::Utc>>| t.map(|t| shop.zone.date_of(t));

        let mut orders: BTreeMap<(NaiveDate, Option<NaiveDate>), (usize, Decimal)> =
            BTreeMap::new();
        for om in matching.orders.values() {
            if om.sale_source != SaleSource::OrderExport {
                continue;
            }
            // An order with no day sold is never open at any period's end.
            let Some(sold) = day(om.first_seen) else {
                continue;
            };
            let g = orders
                .entry((sold, day(om.sale_settled_at)))
                .or_insert((0, Decimal::ZERO));
            g.0 += 1;
            g.1 += om.ordered_total();
        }

        let mut lines: BTreeMap<(NaiveDate, Option<&str>), (usize, Decimal)> = BTreeMap::new();
        let mut orphans: BTreeMap<Period, Listed<OrphanLine>> = BTreeMap::new();
        let untied: BTreeSet<&str> = matching
            .statements
            .iter()
            .map(|s| s.statement_id.as_str())
            .collect();
        let mut statement_days: BTreeMap<&str, BTreeSet<NaiveDate>> = BTreeMap::new();
        for (i, l) in facts.lines.iter().enumerate() {
            let Some(posted) = day(l.line.posted_at.as_ref().map(|t| t.utc)) else {
                continue;
            };
            let g = lines
                .entry((posted, matching.line_payout[i].as_deref()))
                .or_insert((0, Decimal::ZERO));
            g.0 += 1;
            g.1 += l.line.net();
            if untied.contains(l.line.statement_id.as_str()) {
                statement_days
                    .entry(l.line.statement_id.as_str())
                    .or_default()
                    .insert(posted);
            }
            if matching.line_status[i] == LineStatus::Orphan {
                let orphan = OrphanLine {
                    statement_id: l.line.statement_id.clone(),
                    order_id: l.line.order_id.clone().unwrap_or_default(),
                    transaction_type: l.line.transaction_type.clone(),
                    date: Some(posted),
                    net: l.line.net(),
                    batch_id: l.batch_id,
                    row: l.line.rows.first().map(|r| r.row),
                };
                orphans
                    .entry(Period::of(posted))
                    .or_default()
                    .push(orphan, l.line.net(), cap);
            }
        }
        let mut variances: BTreeMap<Period, Listed<Variance>> = BTreeMap::new();
        for v in &matching.variances {
            let settled = matching
                .orders
                .get(&v.order_id)
                .and_then(|o| day(o.sale_settled_at));
            if let Some(settled) = settled {
                variances.entry(Period::of(settled)).or_default().push(
                    v.clone(),
                    v.difference,
                    cap,
                );
            }
        }
        let mut fee_overcharges: BTreeMap<Period, Listed<FeeOvercharge>> = BTreeMap::new();
        for o in check_fees(rate_cards, shop, facts, matching) {
            let over = o.over;
            fee_overcharges
                .entry(Period::of(o.settled_on))
                .or_default()
                .push(o, over, cap);
        }

        CloseBasis {
            currency: shop.currency,
            orders: orders
                .into_iter()
                .map(|((sold_on, settled_on), (orders, amount))| OrderGroup {
                    sold_on,
                    settled_on,
                    orders,
                    amount,
                })
                .collect(),
            lines: lines
                .into_iter()
                .map(|((posted_on, payout), (lines, net))| LineGroup {
                    posted_on,
                    payout_id: payout.map(str::to_string),
                    lines,
                    net,
                })
                .collect(),
            payouts: matching
                .payouts
                .iter()
                .map(|p| DatedPayout {
                    paid_on: day(p.paid_at),
                    check: p.clone(),
                })
                .collect(),
            statements: matching
                .statements
                .iter()
                .map(|s| DatedStatement {
                    line_days: statement_days
                        .get(s.statement_id.as_str())
                        .cloned()
                        .unwrap_or_default(),
                    check: s.clone(),
                })
                .collect(),
            orphans,
            variances,
            fee_overcharges,
        }
    }

    pub fn orphans_in(&self, period: Period) -> Listed<OrphanLine> {
        self.orphans.get(&period).cloned().unwrap_or_default()
    }

    pub fn variances_in(&self, period: Period) -> Listed<Variance> {
        self.variances.get(&period).cloned().unwrap_or_default()
    }

    pub fn fee_overcharges_in(&self, period: Period) -> Listed<FeeOvercharge> {
        self.fee_overcharges
            .get(&period)
            .cloned()
            .unwrap_or_default()
    }
}
