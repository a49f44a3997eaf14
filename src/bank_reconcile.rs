//! Matching channel payouts to bank deposits and booking the deposit
//! entries (cash in transit → bank), for every bank account of banks.toml.
//! Runs after the shops are booked: it reads every shop's payouts as
//! matching sees them and every bank line, so the result does not depend on
//! the order files arrived in.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;

use crate::domain::bank::deposits::{plan_deposits, DepositLine, PayoutSide};
use crate::domain::bank::matching::{
    match_deposits, Ambiguity, DepositMatch, DepositToMatch, MatchRules, PayoutToMatch,
};
use crate::domain::bank::{business_days_between, BankAccounts};
use crate::domain::booking::changes::plan_changes;
use crate::domain::shop::Shops;
use crate::domain::ChartOfAccounts;
use crate::gl_mappings::Mappings;
use crate::reconcile::{apply, closed_periods, read_shop, ReconcileError};
use crate::store::LedgerStore;

/// The booking scope deposit entries are kept under (`bookings.channel`).
pub const BANK_SCOPE: &str = "bank";

#[derive(Clone, Debug, Serialize)]
pub struct UnmatchedPayout {
    pub payout: String,
    pub amount: String,
    pub currency: String,
    pub date: NaiveDate,
    /// No deposit within the window, counted to the bank's last line.
    pub overdue: bool,
}

#[derive(Clone, Debug, Serialize)]
pub struct UnmatchedDeposit {
    pub identity: String,
    pub booked: NaiveDate,
    pub amount: String,
    pub description: String,
    pub batch_id: i64,
    pub row: i64,
}

#[derive(Clone, Debug, Serialize)]
pub struct BankReport {
    pub bank: String,
    pub currency: String,
    pub lines: usize,
    /// The last day the bank's statements cover.
    pub through: Option<NaiveDate>,
    pub matches: Vec<DepositMatch>,
    pub ambiguous: Vec<Ambiguity>,
    pub unmatched_payouts: Vec<UnmatchedPayout>,
    pub unmatched_deposits: Vec<UnmatchedDeposit>,
    pub new: usize,
    pub replaced: usize,
    pub unchanged: usize,
    pub entries_written: usize,
}

/// Every shop's payouts (negative ones too: the channel debiting the
/// account), keyed `channel/shop/payout`.
async fn all_payouts(
    store: &dyn LedgerStore,
    shops: &Shops,
    mappings: &Mappings,
) -> Result<Vec<(PayoutToMatch, PayoutSide)>, ReconcileError> {
    let mut out = Vec::new();
    for (channel, shop) in store.record_shops().await? {
        let Some(books) = read_shop(store, shops, mappings, channel, &shop).await? else {
            continue;
        };
        for p in &books.matching.payouts {
            let Some(paid_at) = p.paid_at else { continue };
            if p.amount.is_zero() {
                continue;
            }
            let key = format!("{}/{}/{}", channel.as_str(), shop, p.payout_id);
            let date = books.shop.zone.date_of(paid_at);
            let mut references = vec![p.payout_id.clone()];
            references.extend(p.statements.iter().cloned());
            references.sort();
            references.dedup();
            out.push((
                PayoutToMatch {
                    key: key.clone(),
                    amount: p.amount,
                    currency: p.currency,
                    date,
                    references,
                },
                PayoutSide {
                    key,
                    shop: books.shop.clone(),
                    payout_id: p.payout_id.clone(),
                    amount: p.amount,
                    date,
                },
            ));
        }
    }
    Ok(out)
}

pub async fn reconcile_banks(
    store: &dyn LedgerStore,
    chart: &ChartOfAccounts,
    mappings: &Mappings,
    shops: &Shops,
    banks: &BankAccounts,
    actor: &str,
) -> Result<Vec<BankReport>, ReconcileError> {
    let mut reports = Vec::new();
    if banks.is_empty() {
        return Ok(reports);
    }
    let payouts = all_payouts(store, shops, mappings).await?;
    let closed = closed_periods(store).await?;
    let (min, max) = (
        NaiveDate::from_ymd_opt(1, 1, 1).expect("valid"),
        NaiveDate::from_ymd_opt(9999, 12, 31).expect("valid"),
    );
    // A payout matched in one account is not looked for in the next.
    let mut matched_elsewhere: std::collections::BTreeSet<String> = Default::default();
    for bank in banks.iter() {
        let stored = store.bank_lines(&bank.name, min, max).await?;
        let through = stored.iter().map(|l| l.booked).max();
        let deposits: Vec<DepositToMatch> = stored
            .iter()
            .filter(|l| !l.amount.is_zero() && l.currency == bank.currency.code())
            .map(|l| DepositToMatch {
                key: l.identity.clone(),
                amount: l.amount,
                currency: bank.currency,
                date: l.booked,
                text: format!(
                    "{} {} {}",
                    l.description,
                    l.reference.as_deref().unwrap_or(""),
                    l.counterparty.as_deref().unwrap_or("")
                ),
            })
            .collect();
        let mine: Vec<&(PayoutToMatch, PayoutSide)> = payouts
            .iter()
            .filter(|(p, _)| p.currency == bank.currency && !matched_elsewhere.contains(&p.key))
            .collect();
        let to_match: Vec<PayoutToMatch> = mine.iter().map(|(p, _)| p.clone()).collect();
        let rules = MatchRules {
            window_business_days: bank.window_business_days,
            max_difference: bank.fee_tolerance,
            ..MatchRules::default()
        };
        let matching = match_deposits(&to_match, &deposits, rules);
        for m in &matching.matches {
            matched_elsewhere.extend(m.payouts.iter().cloned());
        }
        let sides: BTreeMap<String, PayoutSide> = mine
            .iter()
            .map(|(_, s)| (s.key.clone(), s.clone()))
            .collect();
        let lines: BTreeMap<String, DepositLine> = stored
            .iter()
            .map(|l| {
                (
                    l.identity.clone(),
                    DepositLine {
                        identity: l.identity.clone(),
                        booked: l.booked,
                        amount: l.amount,
                        description: l.description.clone(),
                        batch_id: l.batch_id,
                        row: l.row,
                    },
                )
            })
            .collect();
        let planned = plan_deposits(bank, &matching.matches, &sides, &lines)
            .map_err(|p| ReconcileError::Bank(p.join("\n")))?;
        let state = store.booking_state(BANK_SCOPE, &bank.name).await?;
        let changes = plan_changes(planned, &state, &closed, true);
        let (new, replaced, unchanged) = (changes.new, changes.replaced, changes.unchanged);
        let written = apply(store, chart, BANK_SCOPE, &bank.name, changes.changes, actor).await?;
        let by_key: BTreeMap<&str, &PayoutToMatch> =
            to_match.iter().map(|p| (p.key.as_str(), p)).collect();
        reports.push(BankReport {
            bank: bank.name.clone(),
            currency: bank.currency.code().to_string(),
            lines: stored.len(),
            through,
            unmatched_payouts: matching
                .unmatched_payouts
                .iter()
                .filter_map(|k| by_key.get(k.as_str()))
                .map(|p| UnmatchedPayout {
                    payout: p.key.clone(),
                    amount: p.amount.to_string(),
                    currency: p.currency.code().to_string(),
                    date: p.date,
                    overdue: through.is_some_and(|t| {
                        t >= p.date && business_days_between(p.date, t) > bank.window_business_days
                    }),
                })
                .collect(),
            // Money in that no payout explains (debits — fees, transfers —
            // show in the bank section as lines the ledger does not carry).
            unmatched_deposits: matching
                .unmatched_deposits
                .iter()
                .filter_map(|k| lines.get(k))
                .filter(|l| l.amount > Decimal::ZERO)
                .map(|l| UnmatchedDeposit {
                    identity: l.identity.clone(),
                    booked: l.booked,
                    amount: l.amount.to_string(),
                    description: l.description.clone(),
                    batch_id: l.batch_id,
                    row: l.row,
                })
                .collect(),
            matches: matching.matches,
            ambiguous: matching.ambiguous,
            new,
            replaced,
            unchanged,
            entries_written: written,
        });
    }
    Ok(reports)
}
