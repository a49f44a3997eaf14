//! The trial balance: per account and currency, opening balance, debits and
//! credits in the range, and closing balance. Balances are signed with
//! debits positive (the convention hledger and beancount print).

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde::Serialize;

use super::account::{AccountCode, AccountType, ChartOfAccounts};
use super::money::Currency;

/// Debit and credit totals of one account in one currency, as the store sums them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AccountTotals {
    pub account: AccountCode,
    pub currency: Currency,
    pub debits: Decimal,
    pub credits: Decimal,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TrialBalanceRow {
    pub account: AccountCode,
    pub name: String,
    pub account_type: AccountType,
    pub currency: Currency,
    pub opening: Decimal,
    pub debits: Decimal,
    pub credits: Decimal,
    pub closing: Decimal,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CurrencyTotals {
    pub currency: Currency,
    pub debits: Decimal,
    pub credits: Decimal,
    /// Σ closing balances; zero when the ledger balances.
    pub net: Decimal,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TrialBalance {
    pub rows: Vec<TrialBalanceRow>,
    pub totals: Vec<CurrencyTotals>,
}

impl TrialBalance {
    /// `opening` holds totals before the range, `activity` within it. Accounts
    /// with neither are left out. Rows are in chart order (by code).
    pub fn build(
        chart: &ChartOfAccounts,
        opening: &[AccountTotals],
        activity: &[AccountTotals],
    ) -> Self {
        let mut map: BTreeMap<(AccountCode, Currency), (Decimal, Decimal, Decimal)> =
            BTreeMap::new();
        for t in opening {
            map.entry((t.account.clone(), t.currency)).or_default().0 += t.debits - t.credits;
        }
        for t in activity {
            let e = map.entry((t.account.clone(), t.currency)).or_default();
            e.1 += t.debits;
            e.2 += t.credits;
        }
        let mut totals: BTreeMap<Currency, CurrencyTotals> = BTreeMap::new();
        let rows = map
            .into_iter()
            .map(|((account, currency), (opening, debits, credits))| {
                let (name, account_type) = match chart.get(&account) {
                    Some(a) => (a.name.clone(), a.account_type),
                    // The store refuses postings to unknown accounts; this only
                    // shows if the chart handed in is not the stored one.
                    None => ("(not in chart)".to_string(), AccountType::Asset),
                };
                let closing = opening + debits - credits;
                let t = totals.entry(currency).or_insert(CurrencyTotals {
                    currency,
                    debits: Decimal::ZERO,
                    credits: Decimal::ZERO,
                    net: Decimal::ZERO,
                });
                t.debits += debits;
                t.credits += credits;
                t.net += closing;
                TrialBalanceRow {
                    account,
                    name,
                    account_type,
                    currency,
                    opening,
                    debits,
                    credits,
                    closing,
                }
            })
            .collect();
        TrialBalance {
            rows,
            totals: totals.into_values().collect(),
        }
    }

    /// True when, in every currency, the closing balances sum to zero.
    pub fn is_balanced(&self) -> bool {
        self.totals.iter().all(|t| t.net.is_zero())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        Decimal::from_str_exact(s).unwrap()
    }

    #[test]
    fn opening_plus_activity_is_closing() {
        let chart = ChartOfAccounts::from_toml(
            "[[account]]\ncode='1210'\nname='Clearing'\ntype='asset'\n[[account]]\ncode='4000'\nname='Sales'\ntype='income'\n",
        )
        .unwrap();
        let usd: Currency = "USD".parse().unwrap();
        let t = |a: &str, dr: &str, cr: &str| AccountTotals {
            account: a.parse().unwrap(),
            currency: usd,
            debits: d(dr),
            credits: d(cr),
        };
        let tb = TrialBalance::build(
            &chart,
            &[t("1210", "100", "40"), t("4000", "0", "60")],
            &[t("1210", "10.50", "0"), t("4000", "0", "10.50")],
        );
        assert_eq!(tb.rows.len(), 2);
        assert_eq!(tb.rows[0].opening, d("60"));
        assert_eq!(tb.rows[0].closing, d("70.50"));
        assert_eq!(tb.rows[1].closing, d("-70.50"));
        assert_eq!(tb.totals[0].debits, d("10.50"));
        assert!(tb.is_balanced());
    }
}
