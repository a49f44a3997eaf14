//! Statements → payouts, and each payout's proof: Σ of its statements'
//! lines = the amount paid, or the difference with its candidate causes.

use std::collections::{BTreeMap, BTreeSet};

use rust_decimal::Decimal;

use super::{Matching, PayoutCheck, ShopFacts, StatementCheck};
use crate::domain::settlement::Statement;

/// The payout that pays a statement: the one it names, or — when it names
/// none but has a deposit date (Shopify's transactions grouped by payout
/// date) — the statement is its own payout.
fn paid_by(st: &Statement) -> Option<String> {
    st.payout_id
        .clone()
        .or_else(|| st.deposit_date.is_some().then(|| st.statement_id.clone()))
}

/// Statements → payouts, and each payout's proof.
pub(super) fn match_payouts(facts: &ShopFacts, m: &mut Matching) {
    // One statement can be stored by two imports: the first one counts.
    let mut statements: BTreeMap<&str, &Statement> = BTreeMap::new();
    for s in &facts.statements {
        statements
            .entry(s.statement.statement_id.as_str())
            .or_insert(&s.statement);
    }
    let mut lines_of: BTreeMap<&str, (usize, Decimal, Decimal)> = BTreeMap::new();
    for (id, (count, net)) in &facts.outside_lines {
        let e = lines_of.entry(id.as_str()).or_default();
        e.0 += count;
        e.1 += net;
    }
    for l in &facts.lines {
        let e = lines_of.entry(l.line.statement_id.as_str()).or_default();
        e.0 += 1;
        e.1 += l.line.net();
        e.2 += l
            .line
            .components
            .iter()
            .filter(|c| c.code.family() == "reserve")
            .map(|c| c.amount)
            .sum::<Decimal>();
    }
    for (id, st) in &statements {
        let lines_total = lines_of.get(id).map(|e| e.1).unwrap_or_default();
        if let Some(declared) = st.declared_total {
            if declared != lines_total {
                m.statements.push(StatementCheck {
                    statement_id: id.to_string(),
                    currency: st.currency,
                    declared,
                    lines_total,
                    difference: declared - lines_total,
                });
            }
        }
    }
    let payout_of = |statement_id: &str| statements.get(statement_id).and_then(|s| paid_by(s));
    m.line_payout = facts
        .lines
        .iter()
        .map(|l| payout_of(&l.line.statement_id))
        .collect();
    let mut by_payout: BTreeMap<String, Vec<&Statement>> = BTreeMap::new();
    for st in statements.values() {
        if let Some(p) = paid_by(st) {
            by_payout.entry(p).or_default().push(st);
        }
    }
    let mut records: BTreeMap<&str, usize> = BTreeMap::new();
    for (i, p) in facts.payouts.iter().enumerate() {
        records.entry(p.payout.payout_id.as_str()).or_insert(i);
    }
    let ids: BTreeSet<String> = by_payout
        .keys()
        .cloned()
        .chain(records.keys().map(|k| k.to_string()))
        .collect();
    for id in ids {
        let sts = by_payout.get(&id).cloned().unwrap_or_default();
        let (line_count, lines_total, reserve) = sts
            .iter()
            .filter_map(|s| lines_of.get(s.statement_id.as_str()))
            .fold((0, Decimal::ZERO, Decimal::ZERO), |acc, e| {
                (acc.0 + e.0, acc.1 + e.1, acc.2 + e.2)
            });
        let record = records.get(id.as_str()).copied();
        let (amount, currency, paid_at, from_statement) = match record {
            Some(i) => {
                let p = &facts.payouts[i].payout;
                (
                    p.amount,
                    p.currency,
                    p.paid_at.as_ref().map(|t| t.utc),
                    None,
                )
            }
            None => {
                let declared: Option<Decimal> = sts
                    .iter()
                    .map(|s| s.declared_total)
                    .collect::<Option<Vec<_>>>()
                    .map(|v| v.into_iter().sum());
                let first = sts[0];
                let paid = sts
                    .iter()
                    .filter_map(|s| {
                        s.deposit_date
                            .as_ref()
                            .or(s.period_end.as_ref())
                            .map(|t| t.utc)
                    })
                    .max();
                (
                    declared.unwrap_or(lines_total),
                    first.currency,
                    paid,
                    Some(first.statement_id.clone()),
                )
            }
        };
        let difference = if sts.is_empty() {
            Decimal::ZERO
        } else {
            amount - lines_total
        };
        let mut causes = Vec::new();
        if !difference.is_zero() {
            for st in &sts {
                if let Some(c) = m
                    .statements
                    .iter()
                    .find(|c| c.statement_id == st.statement_id)
                {
                    causes.push(format!(
                        "missing lines: statement {} declares {} but its lines sum to {}",
                        c.statement_id, c.declared, c.lines_total
                    ));
                }
            }
            if line_count == 0 {
                causes
                    .push("missing lines: no settlement line of its statements is imported".into());
            }
            if !reserve.is_zero() {
                causes.push(format!(
                    "reserve: its lines hold {reserve} in reserve movements"
                ));
            }
            if amount.is_zero() || (amount < Decimal::ZERO) != (lines_total < Decimal::ZERO) {
                causes.push(
                    "carried balance: a negative balance may have been carried from or to another payout"
                        .into(),
                );
            }
            if causes.is_empty() {
                causes.push("unknown: compare the payout with the channel's statement".into());
            }
        }
        m.payouts.push(PayoutCheck {
            payout_id: id,
            currency,
            amount,
            paid_at,
            statements: sts.iter().map(|s| s.statement_id.clone()).collect(),
            line_count,
            lines_total,
            difference,
            causes,
            record,
            from_statement,
            bank_amount: record
                .and_then(|i| facts.payouts[i].payout.bank_amount)
                .filter(|b| b.currency != currency),
        });
    }
}
