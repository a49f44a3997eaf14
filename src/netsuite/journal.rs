//! Ledger entries → NetSuite journal entries, as plain data: which entries
//! go into which journal entry, with which external id, lines, segments and
//! rounded amounts. No I/O; the poster sends these, the CSV export writes
//! them, and both therefore agree to the cent.
//!
//! Rounding rule: each line is rounded half away from zero to the precision
//! NetSuite keeps for the currency (0 decimals where ISO 4217 has none, else
//! 2). If that leaves debits and credits apart, the residual is an explicit
//! line on the configured rounding account — never folded into another line.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::domain::{AccountCode, ChartOfAccounts, Currency, EntryKind, Side, StoredEntry};

use super::config::{DocumentRules, PostingMode};

/// NetSuite's hard limit; payout mode splits below `DocumentRules::max_lines`.
pub const NETSUITE_LINE_LIMIT: usize = 1000;

/// Which reference a line's account carries: NetSuite's internal id (the
/// API), or the account number (the CSV import, with "Use Account Numbers").
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AccountRef {
    NetSuiteId,
    Number,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NsLine {
    pub entry_seq: i64,
    pub account: AccountCode,
    pub account_id: String,
    pub side: Side,
    /// Rounded to `precision(currency)`, positive.
    pub amount: Decimal,
    pub memo: String,
    pub entity: Option<String>,
    pub department: Option<String>,
    pub class: Option<String>,
    pub location: Option<String>,
    pub order_id: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NsDocument {
    /// `[A-Za-z0-9_-]+`, derived from the entries' idempotency keys.
    pub external_id: String,
    pub entry_seqs: Vec<i64>,
    pub tran_date: NaiveDate,
    pub currency: Currency,
    pub subsidiary: String,
    pub memo: String,
    pub lines: Vec<NsLine>,
}

impl NsDocument {
    pub fn totals(&self) -> (Decimal, Decimal) {
        let mut d = Decimal::ZERO;
        let mut c = Decimal::ZERO;
        for l in &self.lines {
            match l.side {
                Side::Debit => d += l.amount,
                Side::Credit => c += l.amount,
            }
        }
        (d, c)
    }
}

/// Why entries cannot be turned into journal entries: the run stops before
/// sending anything and lists every one.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DocumentProblem {
    #[error("account {0} has no netsuite_id in accounts.toml")]
    AccountNotMapped(String),
    #[error("entry {seq} has postings in several currencies ({currencies}); a NetSuite journal entry has one")]
    MixedCurrencies { seq: i64, currencies: String },
    #[error("entry {seq} has no subsidiary (set `subsidiary` in the shop's segments in shops.toml, or default_subsidiary in netsuite.toml)")]
    NoSubsidiary { seq: i64 },
    #[error("entry {seq} has postings in several subsidiaries ({subsidiaries})")]
    MixedSubsidiaries { seq: i64, subsidiaries: String },
    #[error("entry {seq} is {residual} {currency} apart after rounding its lines to NetSuite's precision, and netsuite.toml names no rounding_account")]
    RoundingResidual {
        seq: i64,
        residual: Decimal,
        currency: String,
    },
    #[error("entry {seq} has {lines} lines; NetSuite takes at most {NETSUITE_LINE_LIMIT}")]
    TooManyLines { seq: i64, lines: usize },
    #[error("entry {seq} has no debit or no credit left once rounded to NetSuite's precision")]
    NothingToPost { seq: i64 },
    #[error(
        "queued journal entry {external_id} carries entry {seq}, which the ledger does not have"
    )]
    MissingEntry { external_id: String, seq: i64 },
}

/// The precision NetSuite keeps: it supports 0 and 2 decimals only.
pub fn precision(currency: Currency) -> u32 {
    if currency.minor_units() == 0 {
        0
    } else {
        2
    }
}

pub fn round_for_netsuite(amount: Decimal, currency: Currency) -> Decimal {
    let mut r =
        amount.round_dp_with_strategy(precision(currency), RoundingStrategy::MidpointAwayFromZero);
    r.rescale(precision(currency));
    r
}

/// A readable, unique external id: the key with every character NetSuite
/// refuses turned into `-`, cut to 60 characters, plus 12 hex digits of the
/// key's SHA-256 so two keys never share an id.
pub fn external_id_for_key(prefix: &str, key: &str) -> String {
    make_external_id(prefix, key, key)
}

fn make_external_id(prefix: &str, readable: &str, hashed: &str) -> String {
    let mut clean = String::with_capacity(readable.len());
    for c in readable.chars() {
        let c = if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
            c
        } else {
            '-'
        };
        if !(c == '-' && clean.ends_with('-')) {
            clean.push(c);
        }
    }
    let clean: String = clean.trim_matches('-').chars().take(60).collect();
    let hash = hex::encode(Sha256::digest(hashed.as_bytes()));
    format!("{prefix}-{clean}-{}", &hash[..12])
}

pub fn is_valid_external_id(id: &str) -> bool {
    !id.is_empty()
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// Plans the journal entries for `entries` (in ledger order). Every problem
/// is collected; any problem means nothing is planned.
pub fn plan_documents(
    entries: &[StoredEntry],
    chart: &ChartOfAccounts,
    rules: &DocumentRules,
    accounts: AccountRef,
) -> Result<Vec<NsDocument>, Vec<DocumentProblem>> {
    let mut problems = Vec::new();
    let mut singles: Vec<NsDocument> = Vec::new();
    // Payout mode: (shop, payout, currency, subsidiary, month) → documents of one entry each.
    let mut groups: BTreeMap<(String, String, String, String, String), Vec<NsDocument>> =
        BTreeMap::new();
    for stored in entries {
        let doc = match entry_document(stored, chart, rules, accounts) {
            Ok(doc) => doc,
            Err(mut p) => {
                problems.append(&mut p);
                continue;
            }
        };
        match (rules.mode, payout_of(stored)) {
            (PostingMode::Payout, Some((shop, payout))) => {
                let key = (
                    shop,
                    payout,
                    doc.currency.code().to_string(),
                    doc.subsidiary.clone(),
                    doc.tran_date.format("%Y-%m").to_string(),
                );
                groups.entry(key).or_default().push(doc);
            }
            _ => singles.push(doc),
        }
    }
    problems.sort_by_key(|p| p.to_string());
    problems.dedup();
    if !problems.is_empty() {
        return Err(problems);
    }
    let mut out = singles;
    for ((shop, payout, _, _, month), docs) in groups {
        out.extend(combine_payout(
            &shop,
            &payout,
            &month,
            docs,
            rules.max_lines,
        ));
    }
    out.sort_by_key(|d| d.entry_seqs[0]);
    Ok(out)
}

/// The payout a settlement-side entry belongs to: the one payout id its
/// postings carry. Sales, reversals and manual entries go on their own.
fn payout_of(stored: &StoredEntry) -> Option<(String, String)> {
    let entry = &stored.entry;
    if matches!(
        entry.kind(),
        EntryKind::Sale | EntryKind::Reversal | EntryKind::Manual
    ) {
        return None;
    }
    let mut payout: Option<&str> = None;
    for p in entry.postings() {
        if let Some(id) = p.source.payout_id.as_deref() {
            match payout {
                None => payout = Some(id),
                Some(seen) if seen != id => return None,
                _ => {}
            }
        }
    }
    let shop = entry
        .postings()
        .iter()
        .find_map(|p| p.segments.shop.clone())?;
    Some((shop, payout?.to_string()))
}

fn combine_payout(
    shop: &str,
    payout: &str,
    month: &str,
    docs: Vec<NsDocument>,
    max_lines: usize,
) -> Vec<NsDocument> {
    let mut chunks: Vec<Vec<NsDocument>> = Vec::new();
    let mut lines = 0;
    for doc in docs {
        let n = doc.lines.len();
        if chunks.is_empty() || lines + n > max_lines {
            chunks.push(Vec::new());
            lines = 0;
        }
        lines += n;
        chunks.last_mut().expect("just pushed").push(doc);
    }
    let parts = chunks.len();
    chunks
        .into_iter()
        .enumerate()
        .map(|(i, chunk)| {
            let keys: Vec<String> = chunk.iter().map(|d| d.external_id.clone()).collect();
            let key = format!("payout/{shop}/{payout}/{month}/{}", keys.join(","));
            let first = &chunk[0];
            let external_id = make_external_id("SBP", &format!("{shop}-{payout}"), &key);
            NsDocument {
                external_id,
                entry_seqs: chunk.iter().flat_map(|d| d.entry_seqs.clone()).collect(),
                tran_date: chunk.iter().map(|d| d.tran_date).max().expect("non-empty"),
                currency: first.currency,
                subsidiary: first.subsidiary.clone(),
                memo: truncate(
                    &format!(
                        "Payout {payout} ({shop}) {month}, part {} of {parts}: {} ledger entries",
                        i + 1,
                        chunk.len()
                    ),
                    999,
                ),
                lines: chunk.into_iter().flat_map(|d| d.lines).collect(),
            }
        })
        .collect()
}

/// A queued document rebuilt from its entries with today's chart and rules
/// (a corrected `netsuite_id`, segment id or customer): the same entries
/// and external id, current lines.
pub fn rebuild_document(
    queued: &NsDocument,
    entries: &[StoredEntry],
    chart: &ChartOfAccounts,
    rules: &DocumentRules,
    accounts: AccountRef,
) -> Result<NsDocument, Vec<DocumentProblem>> {
    let mut problems = Vec::new();
    let mut lines = Vec::new();
    let mut single = None;
    for seq in &queued.entry_seqs {
        let Some(stored) = entries.iter().find(|e| e.seq.0 == *seq) else {
            problems.push(DocumentProblem::MissingEntry {
                external_id: queued.external_id.clone(),
                seq: *seq,
            });
            continue;
        };
        match entry_document(stored, chart, rules, accounts) {
            Ok(doc) => {
                lines.extend(doc.lines.iter().cloned());
                single = Some(doc);
            }
            Err(mut p) => problems.append(&mut p),
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let rebuilt = single.expect("a document has entries");
    Ok(NsDocument {
        external_id: queued.external_id.clone(),
        entry_seqs: queued.entry_seqs.clone(),
        tran_date: queued.tran_date,
        currency: rebuilt.currency,
        subsidiary: rebuilt.subsidiary,
        memo: if queued.entry_seqs.len() == 1 {
            rebuilt.memo
        } else {
            queued.memo.clone()
        },
        lines,
    })
}

fn translate(rules: &DocumentRules, segment: &str, value: Option<&String>) -> Option<String> {
    let value = value?;
    Some(
        rules
            .segment_ids
            .get(segment)
            .and_then(|m| m.get(value))
            .cloned()
            .unwrap_or_else(|| value.clone()),
    )
}

fn entry_document(
    stored: &StoredEntry,
    chart: &ChartOfAccounts,
    rules: &DocumentRules,
    accounts: AccountRef,
) -> Result<NsDocument, Vec<DocumentProblem>> {
    let entry = &stored.entry;
    let seq = stored.seq.0;
    let mut problems = Vec::new();
    let mut currencies: Vec<Currency> =
        entry.postings().iter().map(|p| p.amount.currency).collect();
    currencies.sort_by(|a, b| a.code().cmp(b.code()));
    currencies.dedup();
    if currencies.len() != 1 {
        problems.push(DocumentProblem::MixedCurrencies {
            seq,
            currencies: currencies
                .iter()
                .map(|c| c.code().to_string())
                .collect::<Vec<_>>()
                .join(", "),
        });
        return Err(problems);
    }
    let currency = currencies[0];
    let mut subsidiaries: Vec<String> = entry
        .postings()
        .iter()
        .filter_map(|p| translate(rules, "subsidiary", p.segments.subsidiary.as_ref()))
        .collect();
    subsidiaries.sort();
    subsidiaries.dedup();
    let subsidiary = match subsidiaries.len() {
        0 => match &rules.default_subsidiary {
            Some(s) => s.clone(),
            None => {
                problems.push(DocumentProblem::NoSubsidiary { seq });
                String::new()
            }
        },
        1 => subsidiaries[0].clone(),
        _ => {
            problems.push(DocumentProblem::MixedSubsidiaries {
                seq,
                subsidiaries: subsidiaries.join(", "),
            });
            String::new()
        }
    };
    let account_id = |code: &AccountCode, problems: &mut Vec<DocumentProblem>| -> String {
        let id = match accounts {
            AccountRef::NetSuiteId => chart.get(code).and_then(|a| a.netsuite_id.clone()),
            AccountRef::Number => Some(code.to_string()),
        };
        match id {
            Some(id) => id,
            None => {
                problems.push(DocumentProblem::AccountNotMapped(code.to_string()));
                String::new()
            }
        }
    };
    let mut lines = Vec::with_capacity(entry.postings().len() + 1);
    let mut orders: Vec<&str> = Vec::new();
    let mut payouts: Vec<&str> = Vec::new();
    for p in entry.postings() {
        let amount = round_for_netsuite(p.amount.amount, currency);
        if let Some(o) = p.source.order_id.as_deref() {
            if !orders.contains(&o) {
                orders.push(o);
            }
        }
        if let Some(o) = p.source.payout_id.as_deref() {
            if !payouts.contains(&o) {
                payouts.push(o);
            }
        }
        if amount.is_zero() {
            continue;
        }
        let mut memo = p
            .memo
            .clone()
            .unwrap_or_else(|| entry.description().to_string());
        if let Some(o) = &p.source.order_id {
            memo.push_str(&format!(" | order {o}"));
        }
        if let Some(o) = &p.source.payout_id {
            memo.push_str(&format!(" | payout {o}"));
        }
        let shop = p.segments.shop.as_ref();
        lines.push(NsLine {
            entry_seq: seq,
            account: p.account.clone(),
            account_id: account_id(&p.account, &mut problems),
            side: p.side,
            amount,
            memo: truncate(&memo, 4000),
            entity: shop.and_then(|s| rules.shop_customers.get(s).cloned()),
            department: translate(rules, "department", p.segments.department.as_ref()),
            class: translate(rules, "class", p.segments.class.as_ref()),
            location: translate(rules, "location", p.segments.location.as_ref()),
            order_id: p.source.order_id.clone(),
        });
    }
    let (debits, credits) = lines
        .iter()
        .fold((Decimal::ZERO, Decimal::ZERO), |(d, c), l| match l.side {
            Side::Debit => (d + l.amount, c),
            Side::Credit => (d, c + l.amount),
        });
    let residual = debits - credits;
    if !residual.is_zero() {
        match &rules.rounding_account {
            Some(code) => {
                let code: AccountCode = match code.parse() {
                    Ok(c) => c,
                    Err(_) => {
                        problems.push(DocumentProblem::AccountNotMapped(code.clone()));
                        return Err(problems);
                    }
                };
                lines.push(NsLine {
                    entry_seq: seq,
                    account_id: account_id(&code, &mut problems),
                    account: code,
                    side: if residual > Decimal::ZERO {
                        Side::Credit
                    } else {
                        Side::Debit
                    },
                    amount: residual.abs(),
                    memo: format!(
                        "rounding to {} decimals (half away from zero)",
                        precision(currency)
                    ),
                    entity: None,
                    department: None,
                    class: None,
                    location: None,
                    order_id: None,
                });
            }
            None => problems.push(DocumentProblem::RoundingResidual {
                seq,
                residual,
                currency: currency.code().to_string(),
            }),
        }
    }
    let has = |side: Side| lines.iter().any(|l| l.side == side);
    if !has(Side::Debit) || !has(Side::Credit) {
        problems.push(DocumentProblem::NothingToPost { seq });
    }
    if lines.len() > NETSUITE_LINE_LIMIT {
        problems.push(DocumentProblem::TooManyLines {
            seq,
            lines: lines.len(),
        });
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let mut memo = entry.description().to_string();
    if orders.len() == 1 {
        memo.push_str(&format!(" | order {}", orders[0]));
    } else if orders.len() > 1 {
        memo.push_str(&format!(" | {} orders", orders.len()));
    }
    if let Some(p) = payouts.first() {
        memo.push_str(&format!(" | payout {p}"));
    }
    Ok(NsDocument {
        external_id: external_id_for_key("SB", entry.idempotency_key()),
        entry_seqs: vec![seq],
        tran_date: entry.date(),
        currency,
        subsidiary,
        memo: truncate(&memo, 999),
        lines,
    })
}

fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        s.chars().take(max).collect()
    }
}

#[cfg(test)]
mod tests;
