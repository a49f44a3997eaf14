//! Deposit entries: when a payout is matched to its bank deposit(s), the
//! cash in transit moves to the bank account, dated at the deposit. A
//! difference on the deposit (a bank fee, a rounding by the channel) is its
//! own posting on the bank's `fee_account`, never folded into another line.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use sha2::{Digest, Sha256};

use super::account::BankAccount;
use super::matching::DepositMatch;
use crate::domain::booking::basis_hash;
use crate::domain::booking::{BookingShop, PlannedEntry, Subject};
use crate::domain::entry::{EntryDraft, EntryKind, Posting, Segments, Side, SourceRef};
use crate::domain::money::Money;

/// A payout as deposit matching sees it.
#[derive(Clone, Debug)]
pub struct PayoutSide {
    /// `channel/shop/payout id`, as `PayoutToMatch::key`.
    pub key: String,
    pub shop: BookingShop,
    pub payout_id: String,
    pub amount: Decimal,
    pub date: NaiveDate,
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
            p.segments = Segments {
                channel: Some("bank".into()),
                shop: Some(bank.name.clone()),
                ..Segments::default()
            };
            p.source = SourceRef {
                batch_id: Some(d.batch_id),
                row: Some(d.row),
                ..SourceRef::default()
            };
            postings.push(p);
        }
        for p in &ps {
            // A negative payout (the channel debiting the account) is the mirror.
            let mut posting = Posting::new(
                p.shop.payout_account.clone(),
                if p.amount >= Decimal::ZERO {
                    Side::Credit
                } else {
                    Side::Debit
                },
                Money::new(p.amount.abs(), bank.currency),
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
            postings.push(posting);
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
            p.segments = Segments {
                channel: Some("bank".into()),
                shop: Some(bank.name.clone()),
                ..Segments::default()
            };
            postings.push(p);
        }
        let ids: Vec<&str> = ps.iter().map(|p| p.payout_id.as_str()).collect();
        let subject = deposit_subject(&bank.name, &m.deposits);
        let draft = EntryDraft {
            idempotency_key: subject.key(1),
            date,
            kind: EntryKind::Deposit,
            description: format!(
                "Deposit in {} of payout{} {} ({:?} match)",
                bank.name,
                if ids.len() == 1 { "" } else { "s" },
                ids.join(", "),
                m.basis
            ),
            postings,
        };
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
        let segments = Segments {
            channel: Some("bank".into()),
            shop: Some(bank.name.clone()),
            ..Segments::default()
        };
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
