//! Matching channel payouts to bank deposits and booking the deposit
//! entries (cash in transit → bank), for every bank account of banks.toml.
//! Runs after the shops are booked: it reads every shop's payouts as
//! matching sees them and every bank line, so the result does not depend on
//! the order files arrived in.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;

use crate::domain::bank::deposits::{plan_deposits, plan_rule_lines, DepositLine, PayoutSide};
use crate::domain::bank::matching::{
    match_deposits, settle_across_currencies, Ambiguity, DepositMatch, DepositToMatch, MatchRules,
    PayoutToMatch,
};
use crate::domain::bank::{business_days_between, BankAccounts};
use crate::domain::booking::changes::plan_changes;
use crate::domain::rate_card::RateCards;
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
/// account), keyed `channel/shop/payout`. A shop whose close basis still
/// holds gives them from it (the same payout checks, dated the same way)
/// instead of reading and matching its records again.
async fn all_payouts(
    store: &dyn LedgerStore,
    shops: &Shops,
    mappings: &Mappings,
    rate_cards: &RateCards,
) -> Result<Vec<(PayoutToMatch, PayoutSide)>, ReconcileError> {
    let mut out = Vec::new();
    for (channel, shop) in store.record_shops().await? {
        let (booking_shop, payouts) =
            match crate::reports::kept_payouts(store, mappings, shops, rate_cards, channel, &shop)
                .await?
            {
                Some(kept) => kept,
                None => {
                    let Some(books) = read_shop(store, shops, mappings, channel, &shop).await?
                    else {
                        continue;
                    };
                    let zone = books.shop.zone;
                    let payouts = books
                        .matching
                        .payouts
                        .iter()
                        .map(|p| (p.paid_at.map(|t| zone.date_of(t)), p.clone()))
                        .collect();
                    (books.shop, payouts)
                }
            };
        for (paid_on, p) in payouts {
            let Some(date) = paid_on else { continue };
            if p.amount.is_zero() {
                continue;
            }
            let key = format!("{}/{}/{}", channel.as_str(), shop, p.payout_id);
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
                    amount_known: true,
                },
                PayoutSide {
                    key,
                    shop: booking_shop.clone(),
                    payout_id: p.payout_id.clone(),
                    amount: p.amount,
                    currency: p.currency,
                    bank_amount: p.bank_amount,
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
    rate_cards: &RateCards,
    banks: &BankAccounts,
    actor: &str,
) -> Result<Vec<BankReport>, ReconcileError> {
    let mut reports = Vec::new();
    if banks.is_empty() {
        return Ok(reports);
    }
    let payouts = all_payouts(store, shops, mappings, rate_cards).await?;
    let closed = closed_periods(store).await?;
    let (min, max) = (
        NaiveDate::from_ymd_opt(1, 1, 1).expect("valid"),
        NaiveDate::from_ymd_opt(9999, 12, 31).expect("valid"),
    );
    // All accounts of one currency are matched together, so no account's
    // place in banks.toml decides where a payout's deposit is.
    let mut currencies: Vec<crate::domain::money::Currency> =
        banks.iter().map(|b| b.currency).collect();
    currencies.sort_by(|a, b| a.code().cmp(b.code()));
    currencies.dedup();
    let mut groups: Vec<CurrencyGroup> = Vec::new();
    for currency in currencies {
        let group: Vec<&crate::domain::bank::BankAccount> =
            banks.iter().filter(|b| b.currency == currency).collect();
        // Deposits keyed `bank|identity`; lines by bank.
        let mut deposits: Vec<DepositToMatch> = Vec::new();
        let mut lines_of: BTreeMap<String, BTreeMap<String, DepositLine>> = BTreeMap::new();
        let mut counts: BTreeMap<String, (usize, Option<NaiveDate>)> = BTreeMap::new();
        let mut texts: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
        for bank in &group {
            let stored = store.bank_lines(&bank.name, min, max).await?;
            counts.insert(
                bank.name.clone(),
                (stored.len(), stored.iter().map(|l| l.booked).max()),
            );
            let lines = lines_of.entry(bank.name.clone()).or_default();
            let bank_texts = texts.entry(bank.name.clone()).or_default();
            for l in &stored {
                let text = format!(
                    "{} {} {}",
                    l.description,
                    l.reference.as_deref().unwrap_or(""),
                    l.counterparty.as_deref().unwrap_or("")
                );
                bank_texts.insert(l.identity.clone(), text.clone());
                lines.insert(
                    l.identity.clone(),
                    DepositLine {
                        identity: l.identity.clone(),
                        booked: l.booked,
                        amount: l.amount,
                        description: l.description.clone(),
                        batch_id: l.batch_id,
                        row: l.row,
                    },
                );
                if l.amount.is_zero() || l.currency != currency.code() {
                    continue;
                }
                deposits.push(DepositToMatch {
                    key: format!("{}|{}", bank.name, l.identity),
                    amount: l.amount,
                    currency,
                    date: l.booked,
                    text,
                });
            }
        }
        // The currency's own payouts; those the channel says reached the bank
        // in it (compared at that amount); and, where every account of the
        // currency names an fx_account, payouts in other currencies with no
        // stated amount, which only a deposit quoting them can match.
        let exchanges = group.iter().all(|b| b.fx_account.is_some());
        if !exchanges && group.iter().any(|b| b.fx_account.is_some()) {
            tracing::warn!(
                "not every {} bank account in banks.toml names an fx_account: payouts in other currencies are matched to none of them",
                currency.code()
            );
        }
        let to_match: Vec<PayoutToMatch> = payouts
            .iter()
            .filter_map(|(p, side)| {
                if p.currency == currency {
                    Some(p.clone())
                } else if !exchanges {
                    None
                } else if let Some(amount) = side.amount_in(currency) {
                    Some(PayoutToMatch {
                        amount,
                        currency,
                        ..p.clone()
                    })
                } else if side.bank_amount.is_none() {
                    Some(PayoutToMatch {
                        amount_known: false,
                        ..p.clone()
                    })
                } else {
                    None
                }
            })
            .collect();
        // Accounts of one currency with different settings: the strictest.
        let rules = MatchRules {
            window_business_days: group
                .iter()
                .map(|b| b.window_business_days)
                .min()
                .unwrap_or(5),
            max_difference: group
                .iter()
                .map(|b| b.fee_tolerance)
                .min()
                .unwrap_or(Decimal::ZERO),
            ..MatchRules::default()
        };
        let matching = match_deposits(&to_match, &deposits, rules);
        groups.push(CurrencyGroup {
            currency,
            banks: group,
            lines_of,
            counts,
            texts,
            rules,
            matching,
        });
    }
    let mut matchings: Vec<_> = groups
        .iter_mut()
        .map(|g| std::mem::take(&mut g.matching))
        .collect();
    settle_across_currencies(&mut matchings);
    for (g, m) in groups.iter_mut().zip(matchings) {
        g.matching = m;
    }
    let sides: BTreeMap<String, PayoutSide> = payouts
        .iter()
        .map(|(_, s)| (s.key.clone(), s.clone()))
        .collect();
    let own_groups: std::collections::BTreeSet<crate::domain::money::Currency> =
        groups.iter().map(|g| g.currency).collect();
    let mut listed: std::collections::BTreeSet<String> = Default::default();
    for g in groups {
        let CurrencyGroup {
            currency,
            banks: group,
            lines_of,
            counts,
            texts,
            rules,
            matching,
        } = g;
        let bank_of = |key: &str| {
            key.split_once('|')
                .map(|(b, i)| (b.to_string(), i.to_string()))
        };
        // Each match to the account its deposits are in (one, or it is an exception).
        let mut matches_of: BTreeMap<String, Vec<DepositMatch>> = BTreeMap::new();
        let mut ambiguous_of: BTreeMap<String, Vec<Ambiguity>> = BTreeMap::new();
        for m in matching.matches {
            let parts: Vec<(String, String)> =
                m.deposits.iter().filter_map(|k| bank_of(k)).collect();
            let mut accounts: Vec<&String> = parts.iter().map(|(b, _)| b).collect();
            accounts.sort();
            accounts.dedup();
            if accounts.len() == 1 {
                let bank = accounts[0].clone();
                matches_of.entry(bank).or_default().push(DepositMatch {
                    deposits: parts.iter().map(|(_, i)| i.clone()).collect(),
                    ..m
                });
            } else {
                let first = accounts.first().map(|b| b.to_string()).unwrap_or_default();
                ambiguous_of.entry(first).or_default().push(Ambiguity {
                    payouts: m.payouts,
                    deposits: m.deposits,
                    reason:
                        "the deposits that would explain these payouts are in different accounts"
                            .into(),
                });
            }
        }
        for a in matching.ambiguous {
            let bank = a
                .deposits
                .first()
                .and_then(|k| bank_of(k))
                .map(|(b, _)| b)
                .unwrap_or_else(|| group[0].name.clone());
            ambiguous_of.entry(bank).or_default().push(a);
        }
        for (i, bank) in group.iter().enumerate() {
            let (line_count, through) = counts[&bank.name];
            let lines = &lines_of[&bank.name];
            let matches = matches_of.remove(&bank.name).unwrap_or_default();
            let mut planned = plan_deposits(bank, &matches, &sides, lines)
                .map_err(|p| ReconcileError::Bank(p.join("\n")))?;
            // Lines no payout explains, booked by the bank's rules.
            let in_matches: std::collections::BTreeSet<&str> = matches
                .iter()
                .flat_map(|m| m.deposits.iter().map(String::as_str))
                .collect();
            let texts_of = &texts[&bank.name];
            let rule_lines: Vec<(&DepositLine, String)> = lines
                .values()
                .filter(|l| !in_matches.contains(l.identity.as_str()))
                .map(|l| (l, texts_of.get(&l.identity).cloned().unwrap_or_default()))
                .collect();
            planned.extend(plan_rule_lines(bank, &rule_lines));
            let state = store.booking_state(BANK_SCOPE, &bank.name).await?;
            let changes = plan_changes(planned, &state, &closed, true);
            let (new, replaced, unchanged) = (changes.new, changes.replaced, changes.unchanged);
            let written =
                apply(store, chart, BANK_SCOPE, &bank.name, changes.changes, actor).await?;
            // The currency's unmatched payouts are listed once, with its first account.
            let group_through = counts.values().filter_map(|(_, t)| *t).max();
            // A payout in another currency is listed with the first account
            // that could have received it when its own currency has none.
            let unmatched_payouts = if i == 0 {
                matching
                    .unmatched_payouts
                    .iter()
                    .filter_map(|k| sides.get(k.as_str()))
                    .filter(|p| p.currency == currency || !own_groups.contains(&p.currency))
                    .filter(|p| listed.insert(p.key.clone()))
                    .map(|p| UnmatchedPayout {
                        payout: p.key.clone(),
                        amount: p.amount.to_string(),
                        currency: p.currency.code().to_string(),
                        date: p.date,
                        overdue: group_through.is_some_and(|t| {
                            t >= p.date
                                && business_days_between(p.date, t) > rules.window_business_days
                        }),
                    })
                    .collect()
            } else {
                Vec::new()
            };
            reports.push(BankReport {
                bank: bank.name.clone(),
                currency: currency.code().to_string(),
                lines: line_count,
                through,
                unmatched_payouts,
                // Money in that no payout explains (debits — fees, transfers —
                // show in the bank section as lines the ledger does not carry).
                unmatched_deposits: matching
                    .unmatched_deposits
                    .iter()
                    .filter_map(|k| bank_of(k))
                    .filter(|(b, _)| b == &bank.name)
                    .filter_map(|(_, identity)| lines.get(&identity))
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
                matches,
                ambiguous: ambiguous_of.remove(&bank.name).unwrap_or_default(),
                new,
                replaced,
                unchanged,
                entries_written: written,
            });
        }
    }
    Ok(reports)
}

/// One currency's bank accounts, their lines and how its payouts matched.
struct CurrencyGroup<'a> {
    currency: crate::domain::money::Currency,
    banks: Vec<&'a crate::domain::bank::BankAccount>,
    lines_of: BTreeMap<String, BTreeMap<String, DepositLine>>,
    counts: BTreeMap<String, (usize, Option<NaiveDate>)>,
    texts: BTreeMap<String, BTreeMap<String, String>>,
    rules: MatchRules,
    matching: crate::domain::bank::matching::DepositMatching,
}
