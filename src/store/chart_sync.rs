//! Loading a chart into a database that may already hold one: what to
//! write, and which account types would change (refused once an account has
//! postings, because it would silently move history between statements).

use super::rows::AccountRow;
use super::{ChartSync, StoreError};
use crate::domain::{Account, AccountCode, AccountType, ChartOfAccounts};

#[derive(Clone, Debug)]
pub struct TypeChange {
    pub code: AccountCode,
    pub from: AccountType,
    pub to: AccountType,
}

impl TypeChange {
    pub fn into_error(self) -> StoreError {
        StoreError::AccountTypeChange {
            code: self.code,
            from: self.from,
            to: self.to,
        }
    }
}

pub struct ChartPlan {
    pub writes: Vec<Account>,
    pub type_changes: Vec<TypeChange>,
    pub summary: ChartSync,
}

pub fn plan(chart: &ChartOfAccounts, existing: &[Account]) -> ChartPlan {
    let mut plan = ChartPlan {
        writes: Vec::new(),
        type_changes: Vec::new(),
        summary: ChartSync::default(),
    };
    for account in chart.iter() {
        match existing.iter().find(|a| a.code == account.code) {
            None => {
                plan.summary.added += 1;
                plan.writes.push(account.clone());
            }
            Some(old) if old == account => plan.summary.unchanged += 1,
            Some(old) => {
                if old.account_type != account.account_type {
                    plan.type_changes.push(TypeChange {
                        code: account.code.clone(),
                        from: old.account_type,
                        to: account.account_type,
                    });
                }
                plan.summary.updated += 1;
                plan.writes.push(account.clone());
            }
        }
    }
    plan
}

pub fn chart_from_rows(rows: Vec<AccountRow>) -> Result<ChartOfAccounts, StoreError> {
    let accounts = rows
        .into_iter()
        .map(AccountRow::into_account)
        .collect::<Result<Vec<_>, _>>()?;
    if accounts.is_empty() {
        return Ok(ChartOfAccounts::default());
    }
    ChartOfAccounts::new(accounts).map_err(|e| StoreError::Corrupt(e.to_string()))
}
