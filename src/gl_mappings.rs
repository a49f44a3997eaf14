//! The merchant's policy files in `gl-mappings/`: the chart of accounts
//! today; the component → account mappings and shops later.

use std::path::{Path, PathBuf};

use crate::domain::account::{ChartError, ChartOfAccounts};
use crate::domain::shop::{ShopError, Shops};

/// The chart shipped with settlebridge, used when a directory has none.
pub const DEFAULT_ACCOUNTS_TOML: &str = include_str!("../gl-mappings/accounts.toml");

#[derive(Debug, thiserror::Error)]
pub enum MappingsError {
    #[error("{path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: {source}")]
    Chart { path: PathBuf, source: ChartError },
    #[error("{path}: {source}")]
    Shops { path: PathBuf, source: ShopError },
    #[error("{path}: shop `{shop}` clears to account {account}, which is not in the chart")]
    ShopAccount {
        path: PathBuf,
        shop: String,
        account: String,
    },
}

/// Where a chart came from, for messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChartSource {
    File(PathBuf),
    BuiltIn,
}

impl std::fmt::Display for ChartSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ChartSource::File(p) => write!(f, "{}", p.display()),
            ChartSource::BuiltIn => f.write_str("the built-in default chart"),
        }
    }
}

/// Reads `<dir>/accounts.toml`; without one, the built-in default chart.
pub fn load_chart(dir: &Path) -> Result<(ChartOfAccounts, ChartSource), MappingsError> {
    let path = dir.join("accounts.toml");
    match std::fs::read_to_string(&path) {
        Ok(text) => ChartOfAccounts::from_toml(&text)
            .map(|c| (c, ChartSource::File(path.clone())))
            .map_err(|source| MappingsError::Chart { path, source }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let chart = ChartOfAccounts::from_toml(DEFAULT_ACCOUNTS_TOML).map_err(|source| {
                MappingsError::Chart {
                    path: PathBuf::from("(built-in) accounts.toml"),
                    source,
                }
            })?;
            Ok((chart, ChartSource::BuiltIn))
        }
        Err(source) => Err(MappingsError::Read { path, source }),
    }
}

/// Reads `<dir>/shops.toml`; without one, no shops are configured (files
/// then import under the shop named on the command line, or none). Each
/// shop's clearing account must be in `chart`.
pub fn load_shops(dir: &Path, chart: &ChartOfAccounts) -> Result<Shops, MappingsError> {
    let path = dir.join("shops.toml");
    let shops = match std::fs::read_to_string(&path) {
        Ok(text) => Shops::from_toml(&text).map_err(|source| MappingsError::Shops {
            path: path.clone(),
            source,
        })?,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Shops::default()),
        Err(source) => return Err(MappingsError::Read { path, source }),
    };
    for shop in shops.iter() {
        if chart.get(&shop.clearing_account).is_none() {
            return Err(MappingsError::ShopAccount {
                path,
                shop: shop.name.clone(),
                account: shop.clearing_account.to_string(),
            });
        }
    }
    Ok(shops)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::AccountType;

    #[test]
    fn default_chart_has_what_a_channel_seller_needs() {
        let chart = ChartOfAccounts::from_toml(DEFAULT_ACCOUNTS_TOML).unwrap();
        let has = |code: &str, t: AccountType| {
            let a = chart
                .get(&code.parse().unwrap())
                .unwrap_or_else(|| panic!("{code} missing"));
            assert_eq!(a.account_type, t, "{code}");
        };
        has("1010", AccountType::Asset); // bank
        has("1020", AccountType::Asset); // cash in transit
        for clearing in ["1210", "1211", "1212", "1213"] {
            has(clearing, AccountType::Asset);
        }
        has("1230", AccountType::Asset); // reserves
        has("4000", AccountType::Income);
        has("4010", AccountType::Income);
        has("4900", AccountType::Income);
        has("4910", AccountType::Income);
        for fee in ["6100", "6110", "6120", "6130", "6140", "6150"] {
            has(fee, AccountType::Expense);
        }
        has("8900", AccountType::Expense); // variance
        has("1900", AccountType::Asset); // suspense
    }

    #[test]
    fn the_example_shops_load_against_the_default_chart() {
        let dir = tempfile::tempdir().unwrap();
        let chart = ChartOfAccounts::from_toml(DEFAULT_ACCOUNTS_TOML).unwrap();
        assert!(load_shops(dir.path(), &chart).unwrap().is_empty());
        let example = include_str!("../gl-mappings/shops.example.toml");
        std::fs::write(dir.path().join("shops.toml"), example).unwrap();
        let shops = load_shops(dir.path(), &chart).unwrap();
        assert_eq!(shops.iter().count(), 4);
        std::fs::write(
            dir.path().join("shops.toml"),
            example.replace("\"1212\"", "\"9999\""),
        )
        .unwrap();
        let err = load_shops(dir.path(), &chart).unwrap_err().to_string();
        assert!(err.contains("clears to account 9999"), "{err}");
    }

    #[test]
    fn a_directory_without_a_chart_uses_the_default() {
        let dir = tempfile::tempdir().unwrap();
        let (chart, source) = load_chart(dir.path()).unwrap();
        assert_eq!(source, ChartSource::BuiltIn);
        assert!(chart.len() > 20);
        std::fs::write(
            dir.path().join("accounts.toml"),
            "[[account]]\ncode='1'\nname='x'\ntype='nope'\n",
        )
        .unwrap();
        let err = load_chart(dir.path()).unwrap_err().to_string();
        assert!(
            err.contains("accounts.toml") && err.contains("nope"),
            "{err}"
        );
    }
}
