//! The month-end close report for one shop: what the period booked by
//! account, the clearing roll-forward (opening + activity = closing) and its
//! proof from the records (closing = unsettled orders + settled but unpaid
//! lines, with what payouts did to it), unsettled orders aged, orphan lines,
//! payouts and statements that do not tie, and variances. Pure: the
//! ledger's totals and the matched records come in, the report comes out.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::account::{AccountType, ChartOfAccounts};
use super::booking::BookingShop;
use super::close_basis::CloseBasis;
use super::entry::EntryKind;
use super::matching::{PayoutCheck, Variance};
use super::period::Period;

/// Totals the ledger holds for the shop: one account and entry kind.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KindTotals {
    pub account: super::account::AccountCode,
    pub kind: EntryKind,
    /// Debits − credits.
    pub balance: Decimal,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AccountLine {
    pub account: String,
    pub name: String,
    /// Signed the way the section reads: income positive in revenue, costs
    /// positive in costs, debit balances positive elsewhere.
    pub amount: Decimal,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RollForwardLine {
    pub kind: &'static str,
    /// What it did to clearing (debits positive).
    pub amount: Decimal,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RollForward {
    pub account: String,
    pub opening: Decimal,
    pub activity: Vec<RollForwardLine>,
    pub closing: Decimal,
}

/// Closing clearing, explained by the records.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Proof {
    pub unsettled_orders: usize,
    pub unsettled_amount: Decimal,
    pub unpaid_lines: usize,
    pub unpaid_amount: Decimal,
    /// Payouts no statement names (TikTok withdrawals), paid by period end.
    pub unlinked_payouts: Decimal,
    /// Σ(lines − amount) of linked payouts paid by period end that do not tie.
    pub payout_differences: Decimal,
    pub open_items: Decimal,
    /// Ledger closing − open items: zero when the proof holds.
    pub difference: Decimal,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AgeBucket {
    pub label: &'static str,
    pub orders: usize,
    pub amount: Decimal,
}

/// The most of one kind of exception a report lists per shop and month;
/// the count and the total cover them all (a shop that never imports its
/// order export has every settlement line an orphan).
pub const LISTED: usize = 200;

/// Exceptions of one kind: how many, their total, and the first `LISTED`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Listed<T> {
    pub count: usize,
    pub total: Decimal,
    pub items: Vec<T>,
}

impl<T> Default for Listed<T> {
    fn default() -> Self {
        Listed {
            count: 0,
            total: Decimal::ZERO,
            items: Vec::new(),
        }
    }
}

impl<T> Listed<T> {
    /// Counts and totals the item; lists it while fewer than `cap` are.
    pub fn push(&mut self, item: T, amount: Decimal, cap: usize) {
        self.count += 1;
        self.total += amount;
        if self.items.len() < cap {
            self.items.push(item);
        }
    }

    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// How many are counted but not listed.
    pub fn unlisted(&self) -> usize {
        self.count - self.items.len()
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrphanLine {
    pub statement_id: String,
    pub order_id: String,
    pub transaction_type: String,
    pub date: Option<NaiveDate>,
    pub net: Decimal,
    pub batch_id: i64,
    pub row: Option<u64>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CloseReport {
    pub period: String,
    pub channel: &'static str,
    pub shop: String,
    pub currency: String,
    pub revenue: Vec<AccountLine>,
    pub costs: Vec<AccountLine>,
    /// Reserves, taxes and other balance-sheet accounts (not clearing or cash in transit).
    pub other: Vec<AccountLine>,
    pub payouts_total: Decimal,
    pub payouts: Vec<PayoutCheck>,
    pub payouts_not_tied: Vec<PayoutCheck>,
    pub statements_not_tied: Vec<super::matching::StatementCheck>,
    pub rollforward: RollForward,
    pub proof: Proof,
    pub aging: Vec<AgeBucket>,
    /// Lines of the period naming an order no export showed (total: Σ net).
    pub orphans: Listed<OrphanLine>,
    /// Orders whose sale settled in the period differently from the export
    /// (total: Σ difference).
    pub variances: Listed<Variance>,
    /// Orders charged more than the rate cards say (total: Σ over), and how
    /// many cards apply.
    pub rate_cards: usize,
    pub fee_overcharges: Listed<super::rate_card::FeeOvercharge>,
    /// Entries dated in the period, and how many of them NetSuite has.
    pub entries: usize,
    pub entries_not_in_netsuite: usize,
}

pub struct CloseInput<'a> {
    pub period: Period,
    pub shop: &'a BookingShop,
    /// The shop's matched records, folded (`CloseBasis::of`).
    pub basis: &'a CloseBasis,
    pub chart: &'a ChartOfAccounts,
    /// The shop's ledger totals before the period.
    pub before: &'a [KindTotals],
    /// The shop's ledger totals within the period.
    pub within: &'a [KindTotals],
    /// How many rate cards apply to the shop's channel.
    pub rate_cards: usize,
    pub entries: usize,
    pub entries_not_in_netsuite: usize,
}

fn kind_label(kind: EntryKind) -> &'static str {
    match kind {
        EntryKind::Sale => "sales",
        EntryKind::Settlement => "fees and settled amounts",
        EntryKind::Refund => "refunds",
        EntryKind::Adjustment => "adjustments and variances",
        EntryKind::Reserve => "reserves",
        EntryKind::Payout => "payouts",
        EntryKind::Reversal => "corrections (reversals)",
        EntryKind::Deposit => "deposits",
        EntryKind::Fx => "exchange differences",
        EntryKind::Manual => "manual entries",
    }
}

pub fn close_report(input: &CloseInput) -> CloseReport {
    let shop = input.shop;
    let end = input.period.last_day();
    let in_period = |d: Option<NaiveDate>| d.is_some_and(|d| input.period.contains(d));

    // By account, within the period.
    let mut by_account: BTreeMap<String, Decimal> = BTreeMap::new();
    let mut payouts_total = Decimal::ZERO;
    for t in input.within {
        if t.account == shop.clearing {
            continue;
        }
        if t.account == shop.payout_account {
            if matches!(t.kind, EntryKind::Payout | EntryKind::Reversal) {
                payouts_total += t.balance;
            }
            continue;
        }
        *by_account.entry(t.account.to_string()).or_default() += t.balance;
    }
    let (mut revenue, mut costs, mut other) = (Vec::new(), Vec::new(), Vec::new());
    for (code, balance) in by_account {
        let account = input.chart.get(&code.parse().expect("stored codes parse"));
        let name = account.map(|a| a.name.clone()).unwrap_or_default();
        match account.map(|a| a.account_type) {
            Some(AccountType::Income) => revenue.push(AccountLine {
                account: code,
                name,
                amount: -balance,
            }),
            Some(AccountType::Expense) => costs.push(AccountLine {
                account: code,
                name,
                amount: balance,
            }),
            _ => other.push(AccountLine {
                account: code,
                name,
                amount: balance,
            }),
        }
    }

    // Clearing roll-forward from the ledger.
    let clearing = |rows: &[KindTotals]| {
        rows.iter().filter(|t| t.account == shop.clearing).fold(
            BTreeMap::new(),
            |mut m: BTreeMap<&'static str, Decimal>, t| {
                *m.entry(kind_label(t.kind)).or_default() += t.balance;
                m
            },
        )
    };
    let opening: Decimal = clearing(input.before).values().copied().sum();
    let activity: Vec<RollForwardLine> = clearing(input.within)
        .into_iter()
        .map(|(kind, amount)| RollForwardLine { kind, amount })
        .collect();
    let closing = opening + activity.iter().map(|a| a.amount).sum::<Decimal>();

    // The proof, and the aging, from the records as of the period's end.
    let basis = input.basis;
    let by_end = |d: Option<NaiveDate>| d.is_some_and(|d| d <= end);
    let mut proof = Proof {
        unsettled_orders: 0,
        unsettled_amount: Decimal::ZERO,
        unpaid_lines: 0,
        unpaid_amount: Decimal::ZERO,
        unlinked_payouts: Decimal::ZERO,
        payout_differences: Decimal::ZERO,
        open_items: Decimal::ZERO,
        difference: Decimal::ZERO,
    };
    let mut aging =
        ["0-7 days", "8-30 days", "31-60 days", "over 60 days"].map(|label| AgeBucket {
            label,
            orders: 0,
            amount: Decimal::ZERO,
        });
    for g in &basis.orders {
        if g.sold_on <= end && !by_end(g.settled_on) {
            proof.unsettled_orders += g.orders;
            proof.unsettled_amount += g.amount;
            let bucket = match (end - g.sold_on).num_days() {
                ..=7 => 0,
                8..=30 => 1,
                31..=60 => 2,
                _ => 3,
            };
            aging[bucket].orders += g.orders;
            aging[bucket].amount += g.amount;
        }
    }
    let paid_by_end: BTreeMap<&str, &PayoutCheck> = basis
        .payouts
        .iter()
        .filter(|p| by_end(p.paid_on))
        .map(|p| (p.check.payout_id.as_str(), &p.check))
        .collect();
    for g in basis.lines.iter().filter(|g| g.posted_on <= end) {
        let paid = g
            .payout_id
            .as_deref()
            .is_some_and(|p| paid_by_end.contains_key(p));
        if !paid {
            proof.unpaid_lines += g.lines;
            proof.unpaid_amount += g.net;
        }
    }
    for p in paid_by_end.values() {
        if p.linked() {
            proof.payout_differences += p.lines_total - p.amount;
        } else {
            proof.unlinked_payouts += p.amount;
        }
    }
    proof.open_items = proof.unsettled_amount + proof.unpaid_amount + proof.payout_differences
        - proof.unlinked_payouts;
    proof.difference = closing - proof.open_items;

    let payouts: Vec<PayoutCheck> = basis
        .payouts
        .iter()
        .filter(|p| in_period(p.paid_on))
        .map(|p| p.check.clone())
        .collect();
    CloseReport {
        period: input.period.to_string(),
        channel: shop.channel.as_str(),
        shop: shop.label(),
        currency: shop.currency.to_string(),
        revenue,
        costs,
        other,
        payouts_total,
        payouts_not_tied: payouts
            .iter()
            .filter(|p| p.linked() && !p.ties())
            .cloned()
            .collect(),
        payouts,
        statements_not_tied: basis
            .statements
            .iter()
            .filter(|s| s.line_days.iter().any(|d| input.period.contains(*d)))
            .map(|s| s.check.clone())
            .collect(),
        rollforward: RollForward {
            account: shop.clearing.to_string(),
            opening,
            activity,
            closing,
        },
        proof,
        aging: aging.into(),
        orphans: basis.orphans_in(input.period),
        variances: basis.variances_in(input.period),
        rate_cards: input.rate_cards,
        fee_overcharges: basis.fee_overcharges_in(input.period),
        entries: input.entries,
        entries_not_in_netsuite: input.entries_not_in_netsuite,
    }
}

/// One figure of the report, flat: what the CSV and XLSX exports write.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReportRow {
    pub section: &'static str,
    pub item: String,
    pub account: String,
    pub amount: Decimal,
}

impl CloseReport {
    /// Every figure, in the order the report reads.
    pub fn rows(&self) -> Vec<ReportRow> {
        let mut out = Vec::new();
        let mut row = |section: &'static str, item: &str, account: &str, amount: Decimal| {
            out.push(ReportRow {
                section,
                item: item.to_string(),
                account: account.to_string(),
                amount,
            })
        };
        for l in &self.revenue {
            row("revenue", &l.name, &l.account, l.amount);
        }
        for l in &self.costs {
            row("costs", &l.name, &l.account, l.amount);
        }
        for l in &self.other {
            row("other", &l.name, &l.account, l.amount);
        }
        row("payouts", "sent to cash in transit", "", self.payouts_total);
        let rf = &self.rollforward;
        row("clearing", "opening", &rf.account, rf.opening);
        for a in &rf.activity {
            row("clearing", a.kind, &rf.account, a.amount);
        }
        row("clearing", "closing", &rf.account, rf.closing);
        let p = &self.proof;
        row("proof", "unsettled orders", "", p.unsettled_amount);
        row("proof", "settled not paid out", "", p.unpaid_amount);
        row("proof", "payout differences", "", p.payout_differences);
        row("proof", "unlinked payouts", "", -p.unlinked_payouts);
        row("proof", "difference", "", p.difference);
        for b in &self.aging {
            row("unsettled aging", b.label, "", b.amount);
        }
        let count = |n: usize, listed: usize| match n - listed {
            0 => format!("all {n}"),
            more => format!("all {n} ({more} not listed here)"),
        };
        row(
            "orphan lines",
            &count(self.orphans.count, self.orphans.items.len()),
            "",
            self.orphans.total,
        );
        for o in &self.orphans.items {
            row("orphan line", &o.order_id, "", o.net);
        }
        for p in &self.payouts_not_tied {
            row("payout not tied", &p.payout_id, "", p.difference);
        }
        row(
            "variances",
            &count(self.variances.count, self.variances.items.len()),
            "",
            self.variances.total,
        );
        for v in &self.variances.items {
            row(
                "variance",
                &format!("{} {}", v.order_id, v.code),
                &v.account,
                v.difference,
            );
        }
        row(
            "fee overcharges",
            &count(self.fee_overcharges.count, self.fee_overcharges.items.len()),
            "",
            self.fee_overcharges.total,
        );
        for o in &self.fee_overcharges.items {
            row(
                "fee overcharge",
                &format!("{} {}", o.order_id, o.fee),
                "",
                o.over,
            );
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_listing_counts_and_totals_everything_and_lists_the_first_few() {
        let mut l = Listed::default();
        for i in 0..(LISTED + 5) {
            l.push(i, Decimal::new(i as i64, 2), LISTED);
        }
        assert_eq!(l.count, LISTED + 5);
        assert_eq!(l.items, (0..LISTED).collect::<Vec<_>>());
        assert_eq!(l.unlisted(), 5);
        // Σ 0.00 … 2.04
        let n = (LISTED + 5) as i64;
        assert_eq!(l.total, Decimal::new(n * (n - 1) / 2, 2));
    }
}
