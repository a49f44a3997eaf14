//! Ledger-wide operations over any store: verification and the trial
//! balance. The rules are in `domain`; the reading is in `store`.

use chrono::NaiveDate;
use serde::Serialize;

use crate::domain::verify::{check_seal, ChainVerifier, VerifyProblem, VerifySummary};
use crate::domain::{ChartOfAccounts, Period, TrialBalance};
use crate::store::{EntryFilter, LedgerStore, StoreError, TotalsQuery};

#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    /// The ledger is not sound: the first problem found.
    #[error(transparent)]
    Problem(#[from] VerifyProblem),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Re-checks the whole ledger: the hash chain and each entry's content, each
/// entry's balance, the global balance per currency, the chain head, and
/// every period seal ever stored.
pub async fn verify(store: &dyn LedgerStore) -> Result<VerifySummary, VerifyError> {
    let mut verifier = ChainVerifier::default();
    let mut problem = None;
    let streamed = store
        .for_each_entry(EntryFilter::default(), &mut |entry| {
            verifier.check(&entry).map_err(|p| {
                problem = Some(p);
                StoreError::Stopped("verification failed".into())
            })
        })
        .await;
    if let Some(p) = problem {
        return Err(p.into());
    }
    streamed?;
    let mut summary = verifier.finish(store.head().await?)?;
    for seal in store.seals().await? {
        let balances = store
            .account_totals(TotalsQuery {
                from: None,
                to: Some(seal.period.last_day()),
                max_seq: Some(seal.head_seq),
                from_postings: false,
            })
            .await?;
        check_seal(&seal, &balances)?;
        summary.seals += 1;
    }
    check_running_totals(store).await?;
    Ok(summary)
}

/// The running totals the trial balance reads agree with the postings.
async fn check_running_totals(store: &dyn LedgerStore) -> Result<(), VerifyError> {
    let kept = store.account_totals(TotalsQuery::default()).await?;
    let summed = store
        .account_totals(TotalsQuery {
            from_postings: true,
            ..TotalsQuery::default()
        })
        .await?;
    let key = |t: &crate::domain::AccountTotals| (t.account.to_string(), t.currency.to_string());
    let kept: std::collections::BTreeMap<_, _> = kept.iter().map(|t| (key(t), t)).collect();
    let summed: std::collections::BTreeMap<_, _> = summed.iter().map(|t| (key(t), t)).collect();
    for k in kept.keys().chain(summed.keys()) {
        let (kd, kc) = kept
            .get(k)
            .map(|t| (t.debits, t.credits))
            .unwrap_or_default();
        let (sd, sc) = summed
            .get(k)
            .map(|t| (t.debits, t.credits))
            .unwrap_or_default();
        if (kd, kc) != (sd, sc) {
            return Err(VerifyProblem::BalancesDiffer {
                account: format!("{} in {}", k.0, k.1),
                kept: format!("debits {kd}, credits {kc}"),
                summed: format!("debits {sd}, credits {sc}"),
            }
            .into());
        }
    }
    Ok(())
}

/// The range a trial balance covers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum TrialBalanceRange {
    /// Everything ever posted.
    All,
    /// Balances at the end of this day (opening is zero).
    AsOf(NaiveDate),
    /// Opening at the period's start, activity within it, closing at its end.
    Period(Period),
}

pub async fn trial_balance(
    store: &dyn LedgerStore,
    chart: &ChartOfAccounts,
    range: TrialBalanceRange,
) -> Result<TrialBalance, StoreError> {
    let (opening, activity) = match range {
        TrialBalanceRange::All => (
            Vec::new(),
            store.account_totals(TotalsQuery::default()).await?,
        ),
        TrialBalanceRange::AsOf(date) => (
            Vec::new(),
            store
                .account_totals(TotalsQuery {
                    to: Some(date),
                    ..TotalsQuery::default()
                })
                .await?,
        ),
        TrialBalanceRange::Period(period) => {
            let before = period
                .first_day()
                .pred_opt()
                .expect("periods start after 1900");
            let opening = store
                .account_totals(TotalsQuery {
                    to: Some(before),
                    ..TotalsQuery::default()
                })
                .await?;
            let activity = store
                .account_totals(TotalsQuery {
                    from: Some(period.first_day()),
                    to: Some(period.last_day()),
                    max_seq: None,
                    from_postings: false,
                })
                .await?;
            (opening, activity)
        }
    };
    Ok(TrialBalance::build(chart, &opening, &activity))
}
