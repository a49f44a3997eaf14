//! Deposit entries: when a payout is matched to its bank deposit(s), the
//! cash in transit moves to the bank account, dated at the deposit. A
//! difference on the deposit (a bank fee, a rounding by the channel) is its
//! own posting on the bank's `fee_account`, never folded into another line.
//!
//! A payout in another currency than the bank's is exchanged through the
//! bank's `fx_account`: one entry per payout currency moves it from cash in
//! transit into the exchange account (in the payout's currency), and the
//! deposit entry takes what reached the bank out of it (in the bank's). Each
//! entry balances in its one currency, as NetSuite wants a journal; in the
//! ERP's base currency the exchange account keeps the realized difference.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use sha2::{Digest, Sha256};

use super::account::BankAccount;
use super::matching::DepositMatch;
use crate::domain::booking::basis_hash;
use crate::domain::booking::{BookingShop, PlannedEntry, Subject};
use crate::domain::entry::{EntryDraft, EntryKind, Posting, Segments, Side, SourceRef};
use crate::domain::money::{Currency, Money};

/// A payout as deposit matching sees it.
#[derive(Clone, Debug)]
pub struct PayoutSide {
    /// `channel/shop/payout id`, as `PayoutToMatch::key`.
    pub key: String,
    pub shop: BookingShop,
    pub payout_id: String,
    /// In the payout's currency (`currency`, the shop's).
    pub amount: Decimal,
    pub currency: Currency,
    /// What the channel says reached the bank, when in another currency.
    pub bank_amount: Option<Money>,
    pub date: NaiveDate,
}

impl PayoutSide {
    /// What it is in `currency` (a bank's), when that is known: its own
    /// amount, or the amount the channel says reached the bank.
    pub fn amount_in(&self, currency: Currency) -> Option<Decimal> {
        if self.currency == currency {
            return Some(self.amount);
        }
        self.bank_amount
            .filter(|b| b.currency == currency)
            .map(|b| b.amount)
    }
}

/// A bank line as deposit booking needs it.
#[derive(Clone, Debug)]
pub struct DepositLine {
    pub identity: String,
    pub booked: NaiveDate,
    pub amount: Decimal,
    pub description: String,
    pub batch_id: i64,
    pub row: i64,
}

/// The subject of a deposit entry: the bank and a digest of the deposit
/// lines' identities, so the same match books the same entry however the
/// files arrived.
pub fn deposit_subject(bank: &str, deposits: &[String]) -> Subject {
    let mut ids = deposits.to_vec();
    ids.sort();
    let digest = hex::encode(Sha256::digest(ids.join("\n").as_bytes()));
    Subject(format!("bank/{bank}/deposit/{}", &digest[..20]))
}

pub fn plan_deposits(
    bank: &BankAccount,
    matches: &[DepositMatch],
    payouts: &BTreeMap<String, PayoutSide>,
    lines: &BTreeMap<String, DepositLine>,
) -> Result<Vec<PlannedEntry>, Vec<String>> {
    let mut out = Vec::new();
    let mut problems = Vec::new();
    for m in matches {
        let ps: Vec<&PayoutSide> = m.payouts.iter().filter_map(|k| payouts.get(k)).collect();
        let ds: Vec<&DepositLine> = m.deposits.iter().filter_map(|k| lines.get(k)).collect();
        if ps.len() != m.payouts.len()
            || ds.len() != m.deposits.len()
            || ps.is_empty()
            || ds.is_empty()
        {
            problems.push(format!(
                "bank {}: a match names payouts or deposit lines that are not there ({:?} / {:?})",
                bank.name, m.payouts, m.deposits
            ));
            continue;
        }
        let date = ds.iter().map(|d| d.booked).max().expect("non-empty");
        let mut postings = Vec::new();
        for d in &ds {
            let mut p = Posting::new(
                bank.gl_account.clone(),
                if d.amount >= Decimal::ZERO {
                    Side::Debit
                } else {
                    Side::Credit
                },
                Money::new(d.amount.abs(), bank.currency),
            );
            p.memo = Some(format!("deposit: {}", d.description));
            p.segments = bank_segments(bank);
            p.source = SourceRef {
                batch_id: Some(d.batch_id),
                row: Some(d.row),
                ..SourceRef::default()
            };
            postings.push(p);
        }
        // The payouts in the bank's currency leave cash in transit here; the
        // others are exchanged (`exchange` below), and what reached the bank
        // for them comes out of the exchange account.
        let (own, foreign): (Vec<&PayoutSide>, Vec<&PayoutSide>) =
            ps.iter().partition(|p| p.currency == bank.currency);
        for p in &own {
            postings.push(transit_posting(p, bank.currency));
        }
        let got: Decimal = ds.iter().map(|d| d.amount).sum();
        let mut exchanged = Decimal::ZERO;
        if !foreign.is_empty() {
            let Some(fx) = &bank.fx_account else {
                problems.push(format!(
                    "bank {}: payouts in another currency ({}) were deposited here, and banks.toml names no fx_account to exchange them through",
                    bank.name,
                    foreign.iter().map(|p| p.payout_id.as_str()).collect::<Vec<_>>().join(", ")
                ));
                continue;
            };
            // Known amounts at the bank, else (the match quoted them) what
            // the deposits carry beyond the other payouts, less any stated
            // difference.
            // One posting per payout where each one's amount at the bank is
            // known (or there is one), so the trail of each finds this entry.
            let mut parts: Vec<(Option<&PayoutSide>, Decimal)> = Vec::new();
            let mut unknown: Vec<&PayoutSide> = Vec::new();
            for p in &foreign {
                match p.amount_in(bank.currency) {
                    Some(a) => parts.push((Some(*p), a)),
                    None => unknown.push(p),
                }
            }
            if !unknown.is_empty() {
                let known: Decimal = own.iter().map(|p| p.amount).sum::<Decimal>()
                    + parts.iter().map(|(_, a)| *a).sum::<Decimal>();
                let one = (unknown.len() == 1).then(|| unknown[0]);
                parts.push((one, got - m.difference - known));
            }
            for (payout, amount) in parts {
                exchanged += amount;
                if amount.is_zero() {
                    continue;
                }
                let mut p = Posting::new(
                    fx.clone(),
                    if amount > Decimal::ZERO {
                        Side::Credit
                    } else {
                        Side::Debit
                    },
                    Money::new(amount.abs(), bank.currency),
                );
                p.memo = Some(match payout {
                    Some(x) => format!(
                        "payout {} ({} {}) as it reached the bank",
                        x.payout_id,
                        x.amount,
                        x.currency.code()
                    ),
                    None => format!(
                        "payouts {} ({}) as they reached the bank",
                        unknown
                            .iter()
                            .map(|p| p.payout_id.as_str())
                            .collect::<Vec<_>>()
                            .join(", "),
                        currencies_of(&unknown)
                    ),
                });
                p.segments = bank_segments(bank);
                p.source = SourceRef {
                    payout_id: payout.map(|x| x.payout_id.clone()),
                    ..SourceRef::default()
                };
                postings.push(p);
            }
        }
        if !m.difference.is_zero() {
            let Some(fee) = &bank.fee_account else {
                problems.push(format!(
                    "bank {}: the deposit of {} on {date} differs from its payouts by {}, and banks.toml names no fee_account to book it",
                    bank.name,
                    ds.iter().map(|d| d.amount).sum::<Decimal>(),
                    m.difference
                ));
                continue;
            };
            let mut p = Posting::new(
                fee.clone(),
                if m.difference < Decimal::ZERO {
                    Side::Debit
                } else {
                    Side::Credit
                },
                Money::new(m.difference.abs(), bank.currency),
            );
            p.memo = Some(if m.difference < Decimal::ZERO {
                "the bank received less than was paid out (bank fee)".into()
            } else {
                "the bank received more than was paid out".into()
            });
            p.segments = bank_segments(bank);
            postings.push(p);
        }
        let ids: Vec<&str> = ps.iter().map(|p| p.payout_id.as_str()).collect();
        let subject = deposit_subject(&bank.name, &m.deposits);
        let mut description = format!(
            "Deposit in {} of payout{} {} ({:?} match)",
            bank.name,
            if ids.len() == 1 { "" } else { "s" },
            ids.join(", "),
            m.basis
        );
        if let Some(rate) = implied_rate(&foreign, exchanged) {
            description.push_str(&format!(
                "; {} {} exchanged into {} {} (bank ÷ payout = {rate})",
                foreign.iter().map(|p| p.amount).sum::<Decimal>(),
                foreign[0].currency.code(),
                exchanged,
                bank.currency.code()
            ));
        }
        let draft = EntryDraft {
            idempotency_key: subject.key(1),
            date,
            kind: EntryKind::Deposit,
            description,
            postings,
        };
        if let Some(fx) = &bank.fx_account {
            out.extend(exchange(bank, fx, &subject, date, &foreign));
        }
        out.push(PlannedEntry {
            subject,
            basis_hash: basis_hash(&draft),
            draft,
        });
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(problems)
    }
}

/// Cash in transit leaving for the bank, in `currency`: credited for money
/// paid out, debited for a payout the channel took back.
fn transit_posting(p: &PayoutSide, currency: Currency) -> Posting {
    let mut posting = Posting::new(
        p.shop.payout_account.clone(),
        if p.amount >= Decimal::ZERO {
            Side::Credit
        } else {
            Side::Debit
        },
        Money::new(p.amount.abs(), currency),
    );
    posting.memo = Some(if p.amount >= Decimal::ZERO {
        format!("payout {} reached the bank", p.payout_id)
    } else {
        format!("payout {} was debited from the bank", p.payout_id)
    });
    let seg = |k: &str| p.shop.segments.get(k).cloned();
    posting.segments = Segments {
        subsidiary: seg("subsidiary"),
        department: seg("department"),
        class: seg("class"),
        location: seg("location"),
        channel: Some(p.shop.channel.as_str().to_string()),
        shop: (!p.shop.name.is_empty()).then(|| p.shop.name.clone()),
    };
    posting.source = SourceRef {
        payout_id: Some(p.payout_id.clone()),
        ..SourceRef::default()
    };
    posting
}

fn bank_segments(bank: &BankAccount) -> Segments {
    Segments {
        channel: Some("bank".into()),
        shop: Some(bank.name.clone()),
        ..Segments::default()
    }
}

fn currencies_of(payouts: &[&PayoutSide]) -> String {
    let mut codes: Vec<&str> = payouts.iter().map(|p| p.currency.code()).collect();
    codes.sort();
    codes.dedup();
    codes.join(", ")
}

/// Bank amount ÷ payout amount, when the payouts exchanged are of one
/// currency: shown in the description only, rounded half away from zero to
/// six places (nothing is booked from it).
fn implied_rate(foreign: &[&PayoutSide], exchanged: Decimal) -> Option<Decimal> {
    let first = foreign.first()?;
    if foreign.iter().any(|p| p.currency != first.currency) {
        return None;
    }
    let paid: Decimal = foreign.iter().map(|p| p.amount).sum();
    if paid.is_zero() {
        return None;
    }
    Some(
        (exchanged / paid)
            .round_dp_with_strategy(6, rust_decimal::RoundingStrategy::MidpointAwayFromZero)
            .normalize(),
    )
}

/// The other half of an exchanged deposit, one entry per payout currency:
/// cash in transit into the exchange account, in that currency, dated at
/// the deposit. Its subject follows the deposit's, so both come and go
/// together.
fn exchange(
    bank: &BankAccount,
    fx: &crate::domain::account::AccountCode,
    deposit: &Subject,
    date: NaiveDate,
    foreign: &[&PayoutSide],
) -> Vec<PlannedEntry> {
    let mut by_currency: BTreeMap<&str, Vec<&PayoutSide>> = BTreeMap::new();
    for p in foreign {
        by_currency.entry(p.currency.code()).or_default().push(p);
    }
    let mut out = Vec::new();
    for (code, payouts) in by_currency {
        let currency = payouts[0].currency;
        let mut postings: Vec<Posting> = payouts
            .iter()
            .map(|p| {
                let mut t = transit_posting(p, currency);
                t.memo = Some(format!(
                    "payout {} exchanged into {} for the deposit",
                    p.payout_id,
                    bank.currency.code()
                ));
                t
            })
            .collect();
        let net: Decimal = payouts.iter().map(|p| p.amount).sum();
        if !net.is_zero() {
            let mut p = Posting::new(
                fx.clone(),
                if net > Decimal::ZERO {
                    Side::Debit
                } else {
                    Side::Credit
                },
                Money::new(net.abs(), currency),
            );
            p.memo = Some(format!(
                "exchanged into {} at the bank",
                bank.currency.code()
            ));
            p.segments = bank_segments(bank);
            postings.push(p);
        }
        let ids: Vec<&str> = payouts.iter().map(|p| p.payout_id.as_str()).collect();
        let subject = Subject(format!("{}/fx/{code}", deposit.0));
        let draft = EntryDraft {
            idempotency_key: subject.key(1),
            date,
            kind: EntryKind::Deposit,
            description: format!(
                "Currency exchange for the deposit in {} ({}) of payout{} {} ({code})",
                bank.name,
                bank.currency.code(),
                if ids.len() == 1 { "" } else { "s" },
                ids.join(", ")
            ),
            postings,
        };
        out.push(PlannedEntry {
            subject,
            basis_hash: basis_hash(&draft),
            draft,
        });
    }
    out
}

/// A bank line no payout explains that a banks.toml rule books (a fee,
/// interest, a transfer): one entry per line, bank account against the
/// rule's account, dated at the line.
pub fn plan_rule_lines(bank: &BankAccount, lines: &[(&DepositLine, String)]) -> Vec<PlannedEntry> {
    let mut out = Vec::new();
    for (line, text) in lines {
        let Some(rule) = bank.rules.iter().find(|r| r.matches(text, line.amount)) else {
            continue;
        };
        let money = Money::new(line.amount.abs(), bank.currency);
        let (bank_side, other_side) = if line.amount >= Decimal::ZERO {
            (Side::Debit, Side::Credit)
        } else {
            (Side::Credit, Side::Debit)
        };
        let segments = bank_segments(bank);
        let source = SourceRef {
            batch_id: Some(line.batch_id),
            row: Some(line.row),
            ..SourceRef::default()
        };
        let mut at_bank = Posting::new(bank.gl_account.clone(), bank_side, money);
        at_bank.memo = Some(format!("bank line: {}", line.description));
        at_bank.segments = segments.clone();
        at_bank.source = source.clone();
        let mut other = Posting::new(rule.account.clone(), other_side, money);
        other.memo = Some(format!("banks.toml rule `{}`", rule.contains));
        other.segments = segments;
        other.source = source;
        let digest = hex::encode(Sha256::digest(line.identity.as_bytes()));
        let subject = Subject(format!("bank/{}/line/{}", bank.name, &digest[..20]));
        let draft = EntryDraft {
            idempotency_key: subject.key(1),
            date: line.booked,
            kind: EntryKind::Adjustment,
            description: format!("Bank line in {}: {}", bank.name, line.description),
            postings: vec![at_bank, other],
        };
        out.push(PlannedEntry {
            subject,
            basis_hash: basis_hash(&draft),
            draft,
        });
    }
    out
}

#[cfg(test)]
mod tests;
