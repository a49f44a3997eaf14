//! Payout ↔ deposit matching. Three passes, each taking only what it can
//! prove, and never a guess:
//!
//! 1. **Reference**: a deposit whose text carries a payout's id (Shopify
//!    payout id, Amazon settlement id, TikTok payment id) belongs to it;
//!    deposits and payouts linked by references form one match, and any
//!    difference (a bank fee, FX) is stated, to be booked explicitly.
//! 2. **Amount**: same currency, same amount, within the window (±5
//!    business days by default), and the only candidate both ways.
//! 3. **Combination**: one deposit that is exactly the sum of several
//!    payouts (TikTok pays several statements at once), or one payout that
//!    arrived split over several deposits — when that combination is the
//!    only one.
//!
//! Whatever has two explanations is ambiguous: listed with its candidates
//! and left unmatched.
//!
//! A payout in another currency than the bank's, with no amount the channel
//! says reached the bank, has no amount to compare: only a deposit quoting
//! it can match it (pass 1), and the deposit then says what it became.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;

use super::business_days_between;
use crate::domain::money::Currency;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PayoutToMatch {
    pub key: String,
    /// What reached (or should reach) the bank, in the bank's currency.
    pub amount: Decimal,
    pub currency: Currency,
    pub date: NaiveDate,
    /// Ids the bank may quote: payout id, settlement id, payment id.
    pub references: Vec<String>,
    /// False for a payout in another currency whose amount at the bank is
    /// not known: `amount` and `currency` are then the payout's own, only the
    /// sign counts, and it matches deposits (of any currency) by reference only.
    pub amount_known: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DepositToMatch {
    pub key: String,
    pub amount: Decimal,
    pub currency: Currency,
    pub date: NaiveDate,
    pub text: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MatchRules {
    pub window_business_days: u32,
    /// The most payouts (or deposits) one combination may join.
    pub max_combination: usize,
    /// The most a deposit quoting payouts may differ from them (a bank fee).
    pub max_difference: Decimal,
}

impl Default for MatchRules {
    fn default() -> Self {
        MatchRules {
            window_business_days: 5,
            max_combination: 6,
            max_difference: Decimal::ZERO,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum MatchBasis {
    Reference,
    Amount,
    Combination,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DepositMatch {
    pub payouts: Vec<String>,
    pub deposits: Vec<String>,
    pub basis: MatchBasis,
    /// Σ deposits − Σ payouts: zero except for reference matches, where it
    /// is a bank fee or an exchange difference to book.
    pub difference: Decimal,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Ambiguity {
    pub payouts: Vec<String>,
    pub deposits: Vec<String>,
    pub reason: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct DepositMatching {
    pub matches: Vec<DepositMatch>,
    pub ambiguous: Vec<Ambiguity>,
    pub unmatched_payouts: Vec<String>,
    pub unmatched_deposits: Vec<String>,
}

/// Beyond this many candidates, combinations are not searched (the answer
/// would be a guess among many): the deposit is listed instead.
pub const MAX_COMBINATION_CANDIDATES: usize = 24;

/// `needle` occurs in `haystack` as a whole token (no letter or digit on
/// either side), case-insensitively: payout 1234 is not in deposit 912345.
pub fn mentions(haystack: &str, needle: &str) -> bool {
    if needle.len() < 4 {
        return false;
    }
    let h = haystack.to_ascii_lowercase();
    let n = needle.to_ascii_lowercase();
    let bytes = h.as_bytes();
    let mut start = 0;
    while let Some(pos) = h[start..].find(&n) {
        let at = start + pos;
        let end = at + n.len();
        let before_ok = at == 0 || !bytes[at - 1].is_ascii_alphanumeric();
        let after_ok = end == bytes.len() || !bytes[end].is_ascii_alphanumeric();
        if before_ok && after_ok {
            return true;
        }
        start = at + 1;
    }
    false
}

pub fn match_deposits(
    payouts: &[PayoutToMatch],
    deposits: &[DepositToMatch],
    rules: MatchRules,
) -> DepositMatching {
    let mut out = DepositMatching::default();
    let payout_keys =
        |ps: &[usize]| -> Vec<String> { ps.iter().map(|&p| payouts[p].key.clone()).collect() };
    let deposit_keys =
        |ds: &[usize]| -> Vec<String> { ds.iter().map(|&d| deposits[d].key.clone()).collect() };
    let mut used_p: BTreeSet<usize> = BTreeSet::new();
    let mut used_d: BTreeSet<usize> = BTreeSet::new();
    // Positive payouts meet money in, negative ones (the channel debiting
    // the account) money out.
    let payable: Vec<usize> = (0..payouts.len())
        .filter(|&i| !payouts[i].amount.is_zero())
        .collect();
    let incoming: Vec<usize> = (0..deposits.len())
        .filter(|&i| !deposits[i].amount.is_zero())
        .collect();

    // 1. References: connected components of "deposit quotes payout".
    let mut edges: Vec<(usize, usize)> = Vec::new();
    for &d in &incoming {
        for &p in &payable {
            let currency_fits = if payouts[p].amount_known {
                payouts[p].currency == deposits[d].currency
            } else {
                // No amount to compare: the window at least.
                business_days_between(payouts[p].date, deposits[d].date)
                    <= rules.window_business_days
            };
            if currency_fits
                && payouts[p]
                    .references
                    .iter()
                    .any(|r| mentions(&deposits[d].text, r))
            {
                edges.push((p, d));
            }
        }
    }
    let mut ambiguous_p: BTreeSet<usize> = BTreeSet::new();
    let mut ambiguous_d: BTreeSet<usize> = BTreeSet::new();
    for (ps, ds) in components(&edges) {
        let paid: Decimal = ps
            .iter()
            .filter(|&&p| payouts[p].amount_known)
            .map(|&p| payouts[p].amount)
            .sum();
        let got: Decimal = ds.iter().map(|&d| deposits[d].amount).sum();
        let unknown: Vec<usize> = ps
            .iter()
            .copied()
            .filter(|&p| !payouts[p].amount_known)
            .collect();
        let known_explain = unknown.len() < ps.len() && (got - paid).abs() <= rules.max_difference;
        let ps: Vec<usize> = if known_explain {
            // The payouts of known amount explain the deposits: a foreign
            // payout's id in the text is a coincidence, and it stays free.
            ps.into_iter()
                .filter(|&p| payouts[p].amount_known)
                .collect()
        } else {
            ps
        };
        let difference = if !known_explain && !unknown.is_empty() {
            // What the deposits carry beyond the payouts of known amount is
            // what the others became at the bank: it must be money moving
            // their way.
            let rest = got - paid;
            if rest.is_zero() || unknown.iter().any(|&p| !same_sign(payouts[p].amount, rest)) {
                ambiguous_p.extend(&ps);
                ambiguous_d.extend(&ds);
                out.ambiguous.push(Ambiguity {
                    payouts: payout_keys(&ps),
                    deposits: deposit_keys(&ds),
                    reason: format!(
                        "the deposits quote payouts in another currency but leave {rest} for them"
                    ),
                });
                continue;
            }
            Decimal::ZERO
        } else if (got - paid).abs() > rules.max_difference {
            ambiguous_p.extend(&ps);
            ambiguous_d.extend(&ds);
            // Quoted, but not the whole story (half a split payout, the
            // wrong amount): an exception, not a fee.
            out.ambiguous.push(Ambiguity {
                payouts: payout_keys(&ps),
                deposits: deposit_keys(&ds),
                reason: format!(
                    "the deposits quote the payouts but differ from them by {} (more than the bank's fee_tolerance {})",
                    got - paid,
                    rules.max_difference
                ),
            });
            continue;
        } else {
            got - paid
        };
        used_p.extend(&ps);
        used_d.extend(&ds);
        out.matches.push(DepositMatch {
            payouts: payout_keys(&ps),
            deposits: deposit_keys(&ds),
            basis: MatchBasis::Reference,
            difference,
        });
    }

    let within = |p: usize, d: usize| {
        payouts[p].currency == deposits[d].currency
            && business_days_between(payouts[p].date, deposits[d].date)
                <= rules.window_business_days
    };

    // 2. One amount, one candidate each way (only amounts that are known).
    let free_p: Vec<usize> = payable
        .iter()
        .copied()
        .filter(|&p| payouts[p].amount_known)
        .filter(|p| !used_p.contains(p) && !ambiguous_p.contains(p))
        .collect();
    let free_d: Vec<usize> = incoming
        .iter()
        .copied()
        .filter(|d| !used_d.contains(d) && !ambiguous_d.contains(d))
        .collect();
    let same = |p: usize, d: usize| within(p, d) && payouts[p].amount == deposits[d].amount;
    // Payouts and deposits linked by "same amount, within the window", as
    // groups: a group of one payout and one deposit is a match; any larger
    // group is ambiguous as a whole (a chain p1–d1–p2–d2 included).
    let mut same_edges = Vec::new();
    for &d in &free_d {
        for &p in &free_p {
            if same(p, d) {
                same_edges.push((p, d));
            }
        }
    }
    for (ps, ds) in components(&same_edges) {
        if ps.len() == 1 && ds.len() == 1 {
            used_p.insert(ps[0]);
            used_d.insert(ds[0]);
            out.matches.push(DepositMatch {
                payouts: vec![payouts[ps[0]].key.clone()],
                deposits: vec![deposits[ds[0]].key.clone()],
                basis: MatchBasis::Amount,
                difference: Decimal::ZERO,
            });
            continue;
        }
        ambiguous_p.extend(&ps);
        ambiguous_d.extend(&ds);
        out.ambiguous.push(Ambiguity {
            payouts: payout_keys(&ps),
            deposits: deposit_keys(&ds),
            reason: format!(
                "{} payouts and {} deposits of {} {} within {} business days of each other",
                ps.len(),
                ds.len(),
                deposits[ds[0]].amount,
                deposits[ds[0]].currency.code(),
                rules.window_business_days
            ),
        });
    }

    // 3. Combinations, anchored on a deposit (several payouts) or on a payout (several deposits).
    let free_p: Vec<usize> = payable
        .iter()
        .copied()
        .filter(|&p| payouts[p].amount_known)
        .filter(|p| !used_p.contains(p) && !ambiguous_p.contains(p))
        .collect();
    let free_d: Vec<usize> = incoming
        .iter()
        .copied()
        .filter(|d| !used_d.contains(d) && !ambiguous_d.contains(d))
        .collect();
    // (payouts, deposits) proposals, with whether their anchor had one solution only.
    let mut proposals: Vec<(Vec<usize>, Vec<usize>, bool)> = Vec::new();
    for &d in &free_d {
        let cands: Vec<usize> = free_p
            .iter()
            .copied()
            .filter(|&p| {
                within(p, d)
                    && same_sign(payouts[p].amount, deposits[d].amount)
                    && payouts[p].amount.abs() < deposits[d].amount.abs()
            })
            .collect();
        let amounts: Vec<Decimal> = cands.iter().map(|&p| payouts[p].amount.abs()).collect();
        if amounts.len() > MAX_COMBINATION_CANDIDATES {
            ambiguous_d.insert(d);
            out.ambiguous.push(Ambiguity {
                payouts: Vec::new(),
                deposits: vec![deposits[d].key.clone()],
                reason: format!(
                    "{} payouts within the window could add up to it: too many to combine; match it by hand or quote the payout ids",
                    amounts.len()
                ),
            });
            continue;
        }
        let found = subsets_summing(&amounts, deposits[d].amount.abs(), rules.max_combination);
        if let Some(first) = found.first() {
            let ps = first.iter().map(|&i| cands[i]).collect();
            proposals.push((ps, vec![d], found.len() == 1));
        }
    }
    for &p in &free_p {
        let cands: Vec<usize> = free_d
            .iter()
            .copied()
            .filter(|&d| {
                within(p, d)
                    && same_sign(payouts[p].amount, deposits[d].amount)
                    && deposits[d].amount.abs() < payouts[p].amount.abs()
            })
            .collect();
        let amounts: Vec<Decimal> = cands.iter().map(|&d| deposits[d].amount.abs()).collect();
        let found = subsets_summing(&amounts, payouts[p].amount.abs(), rules.max_combination);
        if let Some(first) = found.first() {
            let ds = first.iter().map(|&i| cands[i]).collect();
            proposals.push((vec![p], ds, found.len() == 1));
        }
    }
    let mut seen_p: BTreeMap<usize, usize> = BTreeMap::new();
    let mut seen_d: BTreeMap<usize, usize> = BTreeMap::new();
    for (ps, ds, _) in &proposals {
        for p in ps {
            *seen_p.entry(*p).or_default() += 1;
        }
        for d in ds {
            *seen_d.entry(*d).or_default() += 1;
        }
    }
    for (ps, ds, unique) in proposals {
        let contested = ps.iter().any(|p| seen_p[p] > 1) || ds.iter().any(|d| seen_d[d] > 1);
        if unique && !contested {
            used_p.extend(&ps);
            used_d.extend(&ds);
            out.matches.push(DepositMatch {
                payouts: payout_keys(&ps),
                deposits: deposit_keys(&ds),
                basis: MatchBasis::Combination,
                difference: Decimal::ZERO,
            });
        } else if ps.iter().all(|p| !ambiguous_p.contains(p))
            || ds.iter().all(|d| !ambiguous_d.contains(d))
        {
            ambiguous_p.extend(&ps);
            ambiguous_d.extend(&ds);
            out.ambiguous.push(Ambiguity {
                payouts: payout_keys(&ps),
                deposits: deposit_keys(&ds),
                reason: if unique {
                    "these payouts and deposits also sum up another way".into()
                } else {
                    "more than one combination of payouts and deposits sums to the same amount"
                        .into()
                },
            });
        }
    }
    out.ambiguous.dedup();
    out.unmatched_payouts = payable
        .iter()
        .filter(|p| !used_p.contains(p))
        .map(|&p| payouts[p].key.clone())
        .collect();
    out.unmatched_deposits = incoming
        .iter()
        .filter(|d| !used_d.contains(d))
        .map(|&d| deposits[d].key.clone())
        .collect();
    out
}

/// A payout the channel sends matches money in; one it takes back (a
/// negative payout, the channel debiting the account) matches money out.
fn same_sign(a: Decimal, b: Decimal) -> bool {
    a.is_sign_negative() == b.is_sign_negative()
}

/// Connected components of a bipartite graph given as (payout, deposit) edges.
fn components(edges: &[(usize, usize)]) -> Vec<(Vec<usize>, Vec<usize>)> {
    let mut out: Vec<(BTreeSet<usize>, BTreeSet<usize>)> = Vec::new();
    for &(p, d) in edges {
        let hits: Vec<usize> = (0..out.len())
            .filter(|&i| out[i].0.contains(&p) || out[i].1.contains(&d))
            .collect();
        let mut merged = (BTreeSet::from([p]), BTreeSet::from([d]));
        for &i in hits.iter().rev() {
            let (ps, ds) = out.remove(i);
            merged.0.extend(ps);
            merged.1.extend(ds);
        }
        out.push(merged);
    }
    out.into_iter()
        .map(|(p, d)| (p.into_iter().collect(), d.into_iter().collect()))
        .collect()
}

/// Index sets of 2..=max items summing exactly to `target`; stops at two
/// (one is an answer, two is an ambiguity). Candidates beyond 24 are not
/// combined: the search would be a guess anyway.
fn subsets_summing(amounts: &[Decimal], target: Decimal, max: usize) -> Vec<Vec<usize>> {
    let mut found = Vec::new();
    if amounts.len() > MAX_COMBINATION_CANDIDATES {
        return found;
    }
    let mut order: Vec<usize> = (0..amounts.len()).collect();
    order.sort_by(|a, b| amounts[*b].cmp(&amounts[*a]));
    let mut stack = Vec::new();
    fn walk(
        order: &[usize],
        amounts: &[Decimal],
        from: usize,
        remaining: Decimal,
        max: usize,
        stack: &mut Vec<usize>,
        found: &mut Vec<Vec<usize>>,
    ) {
        if found.len() >= 2 {
            return;
        }
        if remaining.is_zero() && stack.len() >= 2 {
            let mut s = stack.clone();
            s.sort();
            found.push(s);
            return;
        }
        if stack.len() == max {
            return;
        }
        for i in from..order.len() {
            let a = amounts[order[i]];
            if a <= remaining {
                stack.push(order[i]);
                walk(order, amounts, i + 1, remaining - a, max, stack, found);
                stack.pop();
            }
        }
    }
    walk(&order, amounts, 0, target, max, &mut stack, &mut found);
    found
}

/// One matching per currency: a payout takes part in its own currency's
/// and, by reference, in other currencies'. Matched in two currencies, it
/// is an exception in both (never a guess between them); matched in one, it
/// is no longer unmatched in the others.
pub fn settle_across_currencies(matchings: &mut [DepositMatching]) {
    let mut matched_in: BTreeMap<String, usize> = BTreeMap::new();
    for g in matchings.iter() {
        for m in &g.matches {
            for p in &m.payouts {
                *matched_in.entry(p.clone()).or_default() += 1;
            }
        }
    }
    // Contested matches are undone first; what they joined is then free
    // (a payout that was in one with a contested one included).
    let mut contested: Vec<Vec<DepositMatch>> = Vec::new();
    for g in matchings.iter_mut() {
        let (keep, lost): (Vec<DepositMatch>, Vec<DepositMatch>) = std::mem::take(&mut g.matches)
            .into_iter()
            .partition(|m| m.payouts.iter().all(|p| matched_in[p] == 1));
        g.matches = keep;
        contested.push(lost);
    }
    let booked: BTreeSet<String> = matchings
        .iter()
        .flat_map(|g| g.matches.iter().flat_map(|m| m.payouts.iter().cloned()))
        .collect();
    for (g, lost) in matchings.iter_mut().zip(contested) {
        g.unmatched_payouts.retain(|p| !booked.contains(p));
        for m in lost {
            g.unmatched_deposits.extend(m.deposits.iter().cloned());
            g.unmatched_payouts
                .extend(m.payouts.iter().filter(|p| !booked.contains(*p)).cloned());
            g.ambiguous.push(Ambiguity {
                reason: "deposits in accounts of more than one currency explain these payouts"
                    .into(),
                payouts: m.payouts,
                deposits: m.deposits,
            });
        }
        for a in &mut g.ambiguous {
            let elsewhere: Vec<&str> = a
                .payouts
                .iter()
                .filter(|p| booked.contains(*p))
                .map(String::as_str)
                .collect();
            if !elsewhere.is_empty() {
                a.reason.push_str(&format!(
                    " (matched in another currency's account: {})",
                    elsewhere.join(", ")
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests;
