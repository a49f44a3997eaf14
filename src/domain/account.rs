//! The chart of accounts: which accounts exist, what type each is, and the
//! NetSuite internal id it maps to. Loaded from `gl-mappings/accounts.toml`.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// An account code as the chart spells it (`1210`, `6100-US`). Letters,
/// digits, `-`, `_` and `.` only, so it survives every export format.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct AccountCode(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a valid account code (1–32 letters, digits, `-`, `_` or `.`, starting with a letter or digit)")]
pub struct AccountCodeError(pub String);

impl AccountCode {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for AccountCode {
    type Err = AccountCodeError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let ok = !s.is_empty()
            && s.len() <= 32
            && s.chars().next().is_some_and(|c| c.is_ascii_alphanumeric())
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
        if ok {
            Ok(AccountCode(s.to_string()))
        } else {
            Err(AccountCodeError(s.to_string()))
        }
    }
}

impl TryFrom<String> for AccountCode {
    type Error = AccountCodeError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl From<AccountCode> for String {
    fn from(c: AccountCode) -> String {
        c.0
    }
}

impl fmt::Display for AccountCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AccountType {
    Asset,
    Liability,
    Equity,
    Income,
    Expense,
}

impl AccountType {
    pub const ALL: [AccountType; 5] = [
        AccountType::Asset,
        AccountType::Liability,
        AccountType::Equity,
        AccountType::Income,
        AccountType::Expense,
    ];

    pub fn as_str(&self) -> &'static str {
        match self {
            AccountType::Asset => "asset",
            AccountType::Liability => "liability",
            AccountType::Equity => "equity",
            AccountType::Income => "income",
            AccountType::Expense => "expense",
        }
    }

    /// Assets and expenses grow with debits; the others with credits.
    pub fn is_debit_normal(&self) -> bool {
        matches!(self, AccountType::Asset | AccountType::Expense)
    }
}

impl FromStr for AccountType {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        AccountType::ALL
            .into_iter()
            .find(|t| t.as_str() == s)
            .ok_or_else(|| {
                format!("`{s}` is not an account type (asset, liability, equity, income, expense)")
            })
    }
}

impl fmt::Display for AccountType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    pub code: AccountCode,
    pub name: String,
    #[serde(rename = "type")]
    pub account_type: AccountType,
    /// NetSuite's internal id for this account, when the chart is mapped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub netsuite_id: Option<String>,
    /// An inactive account stays in the chart for history but takes no new postings.
    #[serde(default = "yes")]
    pub active: bool,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChartError {
    #[error("accounts.toml: {0}")]
    Syntax(String),
    #[error("accounts.toml: account {0} is defined twice")]
    Duplicate(AccountCode),
    #[error("accounts.toml: account {code}: the name is empty")]
    EmptyName { code: AccountCode },
    #[error("accounts.toml: the chart has no accounts")]
    Empty,
}

/// The chart: every account a posting may use, by code.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ChartOfAccounts {
    accounts: BTreeMap<AccountCode, Account>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ChartFile {
    #[serde(rename = "account")]
    accounts: Vec<Account>,
}

impl ChartOfAccounts {
    pub fn new(accounts: impl IntoIterator<Item = Account>) -> Result<Self, ChartError> {
        let mut map = BTreeMap::new();
        for account in accounts {
            if account.name.trim().is_empty() {
                return Err(ChartError::EmptyName { code: account.code });
            }
            if map.contains_key(&account.code) {
                return Err(ChartError::Duplicate(account.code));
            }
            map.insert(account.code.clone(), account);
        }
        if map.is_empty() {
            return Err(ChartError::Empty);
        }
        Ok(ChartOfAccounts { accounts: map })
    }

    /// Parses the text of `accounts.toml` (`[[account]]` tables).
    pub fn from_toml(text: &str) -> Result<Self, ChartError> {
        let file: ChartFile =
            toml::from_str(text).map_err(|e| ChartError::Syntax(e.to_string()))?;
        ChartOfAccounts::new(file.accounts)
    }

    pub fn get(&self, code: &AccountCode) -> Option<&Account> {
        self.accounts.get(code)
    }

    pub fn iter(&self) -> impl Iterator<Item = &Account> {
        self.accounts.values()
    }

    pub fn len(&self) -> usize {
        self.accounts.len()
    }

    pub fn is_empty(&self) -> bool {
        self.accounts.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_validated() {
        assert!("1210".parse::<AccountCode>().is_ok());
        assert!("6100-US.a_b".parse::<AccountCode>().is_ok());
        assert!("".parse::<AccountCode>().is_err());
        assert!("12 10".parse::<AccountCode>().is_err());
        assert!("-12".parse::<AccountCode>().is_err());
        assert!("1210;".parse::<AccountCode>().is_err());
    }

    #[test]
    fn chart_parses_and_refuses_duplicates() {
        let chart = ChartOfAccounts::from_toml(
            r#"
            [[account]]
            code = "1010"
            name = "Bank"
            type = "asset"
            netsuite_id = "118"

            [[account]]
            code = "4000"
            name = "Sales"
            type = "income"
            active = false
            "#,
        )
        .unwrap();
        assert_eq!(chart.len(), 2);
        let bank = chart.get(&"1010".parse().unwrap()).unwrap();
        assert_eq!(bank.netsuite_id.as_deref(), Some("118"));
        assert!(bank.active);
        assert!(!chart.get(&"4000".parse().unwrap()).unwrap().active);

        let dup = ChartOfAccounts::from_toml(
            "[[account]]\ncode='1'\nname='a'\ntype='asset'\n[[account]]\ncode='1'\nname='b'\ntype='asset'\n",
        );
        assert_eq!(dup, Err(ChartError::Duplicate("1".parse().unwrap())));
        let bad_type = ChartOfAccounts::from_toml("[[account]]\ncode='1'\nname='a'\ntype='cash'\n")
            .unwrap_err();
        assert!(bad_type.to_string().contains("cash"), "{bad_type}");
    }
}
