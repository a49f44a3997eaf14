//! The bank section of the month-end close: per bank account, what the
//! statements say at the period's end against what the ledger says, and
//! every difference named — deposits matched, deposits no payout explains,
//! payouts still in transit, and the bank GL account tied to the
//! statement's closing balance.

use std::collections::BTreeSet;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;

use crate::bank_reconcile::BANK_SCOPE;
use crate::domain::bank::BankAccounts;
use crate::domain::{EntryKind, Period, Side};
use crate::store::{LedgerStore, StoreError, TotalsQuery};

#[derive(Clone, Debug, Serialize)]
pub struct DepositLineRef {
    pub booked: NaiveDate,
    pub amount: Decimal,
    pub description: String,
    pub batch_id: i64,
    pub row: i64,
}

#[derive(Clone, Debug, Serialize)]
pub struct BankClose {
    pub bank: String,
    pub currency: String,
    pub gl_account: String,
    pub period: String,
    /// The last statement closing balance on or before the period's end.
    pub statement_closing: Option<Decimal>,
    pub statement_closing_date: Option<NaiveDate>,
    /// The opening balance of the first statement imported (before it, the
    /// ledger knows nothing of the account).
    pub first_opening: Option<Decimal>,
    /// Channel deposits matched to payouts, booked in the period.
    pub deposits_matched: usize,
    pub deposits_matched_total: Decimal,
    /// Lines in the period no entry carries (no payout explains them and no
    /// banks.toml rule books them): the reconciling items.
    pub unbooked_lines: Vec<DepositLineRef>,
    /// Σ of every line up to the statement's closing day that no entry carries.
    pub unbooked_through_end: Decimal,
    /// The bank GL account's balance on the statement's closing day (the
    /// period's end without one): its deposit entries and anything else
    /// posted to the account (each bank has its own GL account).
    pub gl_balance: Decimal,
    /// statement closing − GL balance − first opening − unbooked lines:
    /// zero when everything is explained.
    pub unexplained: Option<Decimal>,
    /// Payouts sent by the channels but not yet matched to a deposit: the
    /// balance of each cash-in-transit account of the bank's currency at
    /// the period's end.
    pub in_transit: Vec<(String, Decimal)>,
}

/// `transit_accounts`: the shops' cash-in-transit accounts (payout_account).
pub async fn bank_close(
    store: &dyn LedgerStore,
    banks: &BankAccounts,
    transit_accounts: &[crate::domain::AccountCode],
    period: Period,
) -> Result<Vec<BankClose>, StoreError> {
    let mut out = Vec::new();
    let epoch = NaiveDate::from_ymd_opt(1, 1, 1).expect("valid");
    let end = period.last_day();
    let at_end = store
        .account_totals(TotalsQuery {
            to: Some(end),
            ..TotalsQuery::default()
        })
        .await?;
    for bank in banks.iter() {
        let statements = store.bank_statements(&bank.name).await?;
        let closing = statements
            .iter()
            .filter(|s| s.to.is_some_and(|t| t <= end) && s.closing.is_some())
            .max_by_key(|s| s.to);
        // Everything is compared on the day the statement closes: the GL,
        // the lines, the deposit entries.
        let as_of = closing.and_then(|s| s.to).unwrap_or(end);
        let lines = store.bank_lines(&bank.name, epoch, as_of).await?;
        let totals = store
            .account_totals(TotalsQuery {
                to: Some(as_of),
                ..TotalsQuery::default()
            })
            .await?;
        let first_opening = statements
            .iter()
            .filter(|s| s.opening.is_some())
            .min_by_key(|s| s.from.or(s.to))
            .and_then(|s| s.opening);
        // Bank lines carried by the deposit entries standing on the
        // statement's closing day, as the GL balance of that day has them:
        // one reversed after it still carries its line then.
        let standing = store
            .bookings_standing_on(BANK_SCOPE, &bank.name, as_of)
            .await?;
        let mut carried: BTreeSet<(i64, i64)> = BTreeSet::new();
        let (mut matched, mut matched_total) = (0usize, Decimal::ZERO);
        for id in standing {
            let Some(e) = store.entry(id).await? else {
                continue;
            };
            for p in e.entry.postings() {
                if p.account == bank.gl_account {
                    if let (Some(b), Some(r)) = (p.source.batch_id, p.source.row) {
                        carried.insert((b, r));
                    }
                }
            }
            // The exchange half of a deposit in another currency does not
            // touch the bank: the deposit is counted once, by its other half.
            if period.contains(e.entry.date())
                && e.entry.kind() == EntryKind::Deposit
                && e.entry
                    .postings()
                    .iter()
                    .any(|p| p.account == bank.gl_account)
            {
                matched += 1;
                matched_total += e
                    .entry
                    .postings()
                    .iter()
                    .filter(|p| p.account == bank.gl_account && p.side == Side::Debit)
                    .map(|p| p.amount.amount)
                    .sum::<Decimal>();
            }
        }
        let unbooked: Vec<&crate::store::StoredBankLine> = lines
            .iter()
            .filter(|l| !carried.contains(&(l.batch_id, l.row)))
            .collect();
        let unbooked_through_end: Decimal = unbooked.iter().map(|l| l.amount).sum();
        let gl_balance: Decimal = totals
            .iter()
            .filter(|t| t.account == bank.gl_account && t.currency == bank.currency)
            .map(|t| t.debits - t.credits)
            .sum();
        let unexplained = closing
            .and_then(|s| s.closing)
            .map(|c| c - gl_balance - first_opening.unwrap_or_default() - unbooked_through_end);
        out.push(BankClose {
            bank: bank.name.clone(),
            currency: bank.currency.code().to_string(),
            gl_account: bank.gl_account.to_string(),
            period: period.to_string(),
            statement_closing: closing.and_then(|s| s.closing),
            statement_closing_date: closing.and_then(|s| s.to),
            first_opening,
            deposits_matched: matched,
            deposits_matched_total: matched_total,
            unbooked_lines: unbooked
                .iter()
                .filter(|l| period.contains(l.booked))
                .map(|l| DepositLineRef {
                    booked: l.booked,
                    amount: l.amount,
                    description: l.description.clone(),
                    batch_id: l.batch_id,
                    row: l.row,
                })
                .collect(),
            unbooked_through_end,
            gl_balance,
            unexplained,
            in_transit: transit_accounts
                .iter()
                .map(|a| {
                    let balance: Decimal = at_end
                        .iter()
                        .filter(|t| &t.account == a && t.currency == bank.currency)
                        .map(|t| t.debits - t.credits)
                        .sum();
                    (a.to_string(), balance)
                })
                .collect(),
        });
    }
    Ok(out)
}
