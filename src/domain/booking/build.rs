//! Building the planned entries: one sale entry per order, one variance
//! entry per order whose export and settlement disagree, one entry per
//! settlement line (settlement, refund, adjustment or reserve), one entry
//! per payout.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;

use super::draft::{basis_hash, ctx, memo, source_of, Draft};
use super::{BookPlan, BookingError, BookingShop, PlannedEntry, Subject, Unbooked, UnmappedCode};
use crate::domain::entry::{EntryDraft, EntryKind, Posting, Side};
use crate::domain::mapping::GlMapping;
use crate::domain::matching::{
    is_sale_code, LineFact, Matching, OrderMatch, PayoutCheck, SaleSource, ShopFacts, Variance,
};
use crate::domain::money::{Currency, Money};
use crate::domain::settlement::Component;

/// Every entry the shop's books should hold, or the unmapped codes that
/// stop booking (all of them, with counts and totals).
///
/// Each order, line and payout is planned on its own, so a big shop's are
/// planned in parts on every core; the parts are joined in order, so the
/// plan is the same entries in the same order however many cores ran it.
pub fn plan_books(
    shop: &BookingShop,
    facts: &ShopFacts,
    matching: &Matching,
    mapping: &GlMapping,
) -> Result<BookPlan, BookingError> {
    const ALONE_BELOW: usize = 20_000;
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let parts = if matching.orders.len() + facts.lines.len() < ALONE_BELOW {
        1
    } else {
        threads
    };
    plan_books_in_parts(shop, facts, matching, mapping, parts)
}

/// `plan_books` with orders and lines each split in `parts_per_kind`
/// parts, each part on a thread of its own when there are more than one.
pub(super) fn plan_books_in_parts(
    shop: &BookingShop,
    facts: &ShopFacts,
    matching: &Matching,
    mapping: &GlMapping,
    parts_per_kind: usize,
) -> Result<BookPlan, BookingError> {
    check_currencies(shop, facts)?;
    let mut variances: HashMap<&str, Vec<&Variance>> = HashMap::new();
    for v in &matching.variances {
        variances.entry(v.order_id.as_str()).or_default().push(v);
    }
    let orders: Vec<&OrderMatch> = matching.orders.values().collect();
    let work = Work {
        facts,
        matching,
        variances: &variances,
    };
    let new_builder = || Builder {
        shop,
        mapping,
        unmapped: BTreeMap::new(),
        plan: BookPlan::default(),
    };
    let parts_per_kind = parts_per_kind.max(1);
    let mut parts = Vec::new();
    for chunk in orders.chunks(orders.len().div_ceil(parts_per_kind).max(1)) {
        parts.push(Part::Orders(chunk));
    }
    let per_part = facts.lines.len().div_ceil(parts_per_kind).max(1);
    for start in (0..facts.lines.len()).step_by(per_part) {
        parts.push(Part::Lines(
            start..(start + per_part).min(facts.lines.len()),
        ));
    }
    parts.push(Part::Payouts);
    let built: Vec<Builder> = if parts_per_kind == 1 {
        parts
            .into_iter()
            .map(|part| {
                let mut b = new_builder();
                b.build(&work, part);
                b
            })
            .collect()
    } else {
        std::thread::scope(|s| {
            let handles: Vec<_> = parts
                .into_iter()
                .map(|part| {
                    let (work, mut b) = (&work, new_builder());
                    s.spawn(move || {
                        b.build(work, part);
                        b
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
                .collect()
        })
    };
    let mut plan = BookPlan::default();
    plan.entries
        .reserve_exact(built.iter().map(|b| b.plan.entries.len()).sum());
    let mut unmapped: BTreeMap<String, (usize, Decimal)> = BTreeMap::new();
    for b in built {
        plan.entries.extend(b.plan.entries);
        plan.unbooked.extend(b.plan.unbooked);
        for (code, (count, total)) in b.unmapped {
            let both = unmapped.entry(code).or_default();
            both.0 += count;
            both.1 += total;
        }
    }
    if !unmapped.is_empty() {
        return Err(BookingError::Unmapped {
            shop: shop.label(),
            file: mapping.file().to_string(),
            codes: unmapped
                .into_iter()
                .map(|(code, (count, total))| UnmappedCode {
                    code,
                    count,
                    total,
                    currency: shop.currency,
                })
                .collect(),
        });
    }
    Ok(plan)
}

/// What every part of a plan reads.
struct Work<'a> {
    facts: &'a ShopFacts,
    matching: &'a Matching,
    /// The matching's variances by order.
    variances: &'a HashMap<&'a str, Vec<&'a Variance>>,
}

/// One part of a plan, planned by one builder.
enum Part<'a> {
    Orders(&'a [&'a OrderMatch]),
    Lines(std::ops::Range<usize>),
    Payouts,
}

fn check_currencies(shop: &BookingShop, facts: &ShopFacts) -> Result<(), BookingError> {
    // What is wrong is described only once it is found wrong: a big
    // shop's million lines need no million descriptions.
    let wrong = |what: &dyn Fn() -> String, found: Currency| {
        (found != shop.currency).then(|| BookingError::Currency {
            shop: shop.label(),
            what: what(),
            found,
            expected: shop.currency,
        })
    };
    for l in &facts.lines {
        let what = || format!("settlement line of statement {}", l.line.statement_id);
        if let Some(e) = wrong(&what, l.line.currency) {
            return Err(e);
        }
    }
    for o in &facts.orders {
        if let Some(e) = wrong(&|| format!("order {}", o.order.order_id), o.order.currency) {
            return Err(e);
        }
    }
    for p in &facts.payouts {
        let what = || format!("payout {}", p.payout.payout_id);
        if let Some(e) = wrong(&what, p.payout.currency) {
            return Err(e);
        }
    }
    Ok(())
}

struct Builder<'a> {
    shop: &'a BookingShop,
    mapping: &'a GlMapping,
    /// code → (amounts, total)
    unmapped: BTreeMap<String, (usize, Decimal)>,
    plan: BookPlan,
}

impl<'a> Builder<'a> {
    fn build(&mut self, work: &Work, part: Part) {
        let facts = work.facts;
        // About one entry per order, line and payout (a variance is rare):
        // room made once, not by doubling a vector of millions.
        self.plan.entries.reserve(match &part {
            Part::Orders(orders) => orders.len(),
            Part::Lines(range) => range.len(),
            Part::Payouts => work.matching.payouts.len(),
        });
        match part {
            Part::Orders(orders) => {
                for om in orders {
                    self.sale(facts, om);
                    let variances = work.variances.get(om.order_id.as_str());
                    self.variance(facts, om, variances.map_or(&[][..], |v| v.as_slice()));
                }
            }
            Part::Lines(range) => {
                for i in range {
                    let payout = work.matching.line_payout[i].as_deref();
                    self.line(&facts.lines[i], payout);
                }
            }
            Part::Payouts => {
                for payout in &work.matching.payouts {
                    self.payout(facts, payout);
                }
            }
        }
    }

    fn date(&self, at: Option<DateTime<Utc>>) -> Option<NaiveDate> {
        at.map(|t| self.shop.zone.date_of(t))
    }

    fn unbooked(&mut self, subject: &Subject, reason: &str) {
        self.plan.unbooked.push(Unbooked {
            subject: subject.0.clone(),
            reason: reason.to_string(),
        });
    }

    fn push(
        &mut self,
        subject: Subject,
        kind: EntryKind,
        date: NaiveDate,
        description: String,
        postings: Vec<Posting>,
    ) {
        let draft = EntryDraft {
            idempotency_key: subject.key(1),
            date,
            kind,
            description,
            postings,
        };
        let basis_hash = basis_hash(&draft);
        self.plan.entries.push(PlannedEntry {
            subject,
            basis_hash,
            draft,
        });
    }

    /// The sale: from the order export when one showed the order, else from
    /// the sale components of its settlement lines.
    fn sale(&mut self, facts: &ShopFacts, om: &OrderMatch) {
        let subject = Subject::sale(self.shop, &om.order_id);
        let id = om.order_id.as_str();
        match (om.sale_source, om.order) {
            (SaleSource::OrderExport, Some(i)) => {
                let fact = &facts.orders[i];
                let order = &fact.order;
                let Some(date) = self.date(om.first_seen) else {
                    return self.unbooked(&subject, "the order export gives no order time");
                };
                let row = order.rows.first();
                let src = source_of(Some(id), None, None, fact.batch_id, row);
                let mut d = Draft::new(self.shop, self.mapping, src.clone());
                for c in order.amounts.iter().filter(|c| is_sale_code(&c.code)) {
                    let ctx = ctx(self.shop, None, None, date);
                    d.add(&c.code, c.amount, memo(c), ctx, src.clone());
                }
                for line in &order.lines {
                    for c in line.amounts.iter().filter(|c| is_sale_code(&c.code)) {
                        let ctx = ctx(self.shop, None, line.sku.as_deref(), date);
                        let mut m = memo(c);
                        if let Some(sku) = &line.sku {
                            m.push_str(&format!(" · SKU {sku}"));
                        }
                        d.add(&c.code, c.amount, m, ctx, src.clone());
                    }
                }
                if let Some(postings) =
                    d.finish(&mut self.unmapped, "owed by the channel for the sale")
                {
                    let desc = format!("Sale {id} (order export)");
                    self.push(subject, EntryKind::Sale, date, desc, postings);
                }
            }
            _ => {
                if !om.sale_settled() {
                    return;
                }
                let Some(date) = self.date(om.first_seen) else {
                    return self.unbooked(&subject, "its settlement lines give no time");
                };
                let first = &facts.lines[om.lines[0]];
                let src = source_of(
                    Some(id),
                    Some(&first.line.statement_id),
                    None,
                    first.batch_id,
                    first.line.rows.first(),
                );
                let mut d = Draft::new(self.shop, self.mapping, src);
                for &li in &om.lines {
                    let l = &facts.lines[li];
                    let lsrc = source_of(
                        Some(id),
                        Some(&l.line.statement_id),
                        None,
                        l.batch_id,
                        l.line.rows.first(),
                    );
                    for c in l.line.components.iter().filter(|c| is_sale_code(&c.code)) {
                        let ctx = ctx(self.shop, Some(&l.line.transaction_type), None, date);
                        d.add(&c.code, c.amount, memo(c), ctx, lsrc.clone());
                    }
                }
                if let Some(postings) =
                    d.finish(&mut self.unmapped, "owed by the channel for the sale")
                {
                    let desc = format!("Sale {id} (from the settlement; no order export)");
                    self.push(subject, EntryKind::Sale, date, desc, postings);
                }
            }
        }
    }

    /// Where export and settlement disagree on the sale, the settled figure
    /// wins: the difference is booked here, explicitly.
    fn variance(&mut self, facts: &ShopFacts, om: &OrderMatch, diffs: &[&Variance]) {
        if om.order.is_none() || diffs.is_empty() {
            return;
        }
        let subject = Subject::variance(self.shop, &om.order_id);
        let Some(date) = self.date(om.sale_settled_at.or(om.first_seen)) else {
            return self.unbooked(&subject, "its settlement lines give no time");
        };
        let last = om
            .lines
            .iter()
            .rev()
            .map(|&i| &facts.lines[i])
            .find(|l| l.line.components.iter().any(|c| is_sale_code(&c.code)))
            .expect("a variance comes from a settled sale");
        let src = source_of(
            Some(&om.order_id),
            Some(&last.line.statement_id),
            None,
            last.batch_id,
            last.line.rows.first(),
        );
        let mut d = Draft::new(self.shop, self.mapping, src.clone());
        for v in diffs {
            let ctx = ctx(self.shop, Some(&last.line.transaction_type), None, date);
            let m = format!(
                "{}: settled {} vs order export {}",
                v.code, v.settled, v.ordered
            );
            d.add(&v.code, v.difference, m, ctx, src.clone());
        }
        if let Some(postings) = d.finish(
            &mut self.unmapped,
            "settled sale differs from the order export",
        ) {
            let desc = format!(
                "Sale variance {}: the settlement differs from the order export",
                om.order_id
            );
            self.push(subject, EntryKind::Adjustment, date, desc, postings);
        }
    }

    /// One settlement line: what the channel kept, refunded, held or moved.
    /// Sale components of a line that names an order are in the sale entry.
    fn line(&mut self, l: &LineFact, payout_id: Option<&str>) {
        let subject = Subject::line(self.shop, l);
        let line = &l.line;
        let has_order = line.order_id.is_some();
        let booked: Vec<&Component> = line
            .components
            .iter()
            .filter(|c| !(c.amount.is_zero() || has_order && is_sale_code(&c.code)))
            .collect();
        if booked.is_empty() {
            return;
        }
        let Some(date) = self.date(line.posted_at.as_ref().map(|t| t.utc)) else {
            return self.unbooked(&subject, "the settlement line gives no time");
        };
        let family = |f: &str| booked.iter().any(|c| c.code.family() == f);
        let kind = if family("refund") {
            EntryKind::Refund
        } else if booked.iter().all(|c| c.code.family() == "reserve") {
            EntryKind::Reserve
        } else if !has_order {
            EntryKind::Adjustment
        } else {
            EntryKind::Settlement
        };
        let src = source_of(
            line.order_id.as_deref(),
            Some(&line.statement_id),
            payout_id,
            l.batch_id,
            line.rows.first(),
        );
        let mut d = Draft::new(self.shop, self.mapping, src.clone());
        for c in booked {
            let ctx = ctx(self.shop, Some(&line.transaction_type), None, date);
            d.add(&c.code, c.amount, memo(c), ctx, src.clone());
        }
        if let Some(postings) = d.finish(&mut self.unmapped, "settled by the channel") {
            let what = match &line.order_id {
                Some(o) => format!("order {o}"),
                None => line
                    .adjustment_id
                    .as_deref()
                    .map(|a| format!("adjustment {a}"))
                    .unwrap_or_else(|| "no order".into()),
            };
            let desc = format!(
                "{} {} ({what}), statement {}",
                kind_title(kind),
                line.transaction_type,
                line.statement_id
            );
            self.push(subject, kind, date, desc, postings);
        }
    }

    /// The money leaving the channel: Dr cash in transit, Cr clearing (the
    /// other way round for a payout the seller owes).
    fn payout(&mut self, facts: &ShopFacts, p: &PayoutCheck) {
        if p.amount.is_zero() {
            return;
        }
        let subject = Subject::payout(self.shop, &p.payout_id);
        let Some(date) = self.date(p.paid_at) else {
            return self.unbooked(&subject, "no payout date is known");
        };
        let record = p.record.map(|i| &facts.payouts[i]);
        let (batch_id, row) = match record {
            Some(r) => (r.batch_id, r.payout.source.as_ref()),
            None => {
                let st = facts
                    .statements
                    .iter()
                    .find(|s| Some(&s.statement.statement_id) == p.from_statement.as_ref())
                    .expect("a payout without a record comes from a statement");
                (st.batch_id, st.statement.source.as_ref())
            }
        };
        let statement = (p.statements.len() == 1).then(|| p.statements[0].as_str());
        let src = source_of(None, statement, Some(&p.payout_id), batch_id, row);
        let (cash_side, clearing_side) = if p.amount > Decimal::ZERO {
            (Side::Debit, Side::Credit)
        } else {
            (Side::Credit, Side::Debit)
        };
        let money = Money::new(p.amount.abs(), self.shop.currency);
        let d = Draft::new(self.shop, self.mapping, src.clone());
        let mut cash = Posting::new(self.shop.payout_account.clone(), cash_side, money);
        cash.memo = Some("payout sent to the bank, deposit not yet matched".into());
        cash.segments = d.segments(&BTreeMap::new());
        cash.source = src.clone();
        let mut clearing = Posting::new(self.shop.clearing.clone(), clearing_side, money);
        clearing.memo = Some("paid out by the channel".into());
        clearing.segments = d.segments(&BTreeMap::new());
        clearing.source = src;
        // The description names only what does not change as more lines
        // arrive: a payout is re-booked when its money changes, not its count
        // of lines (whether it ties is the close report's to say).
        let mut desc = format!("Payout {}", p.payout_id);
        if let Some(r) = record {
            if let Some(bank) = r.payout.bank_amount.filter(|b| b.currency != p.currency) {
                desc.push_str(&format!("; the bank received {bank}"));
                if let Some(rate) = r.payout.exchange_rate {
                    desc.push_str(&format!(" at the channel's rate {rate}"));
                }
            }
        }
        self.push(subject, EntryKind::Payout, date, desc, vec![cash, clearing]);
    }
}

fn kind_title(kind: EntryKind) -> &'static str {
    match kind {
        EntryKind::Refund => "Refund",
        EntryKind::Reserve => "Reserve",
        EntryKind::Adjustment => "Adjustment",
        _ => "Settlement",
    }
}
