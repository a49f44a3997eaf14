//! The merchant's policy files in `gl-mappings/`: the chart of accounts
//! (`accounts.toml`), the shops (`shops.toml`) and one component → account
//! mapping per channel (`tiktok.toml`, `shopify.toml`, `amazon.toml`,
//! `walmart.toml`, see `domain::mapping`).
//!
//! A channel's mapping file may be absent: `load_mappings` records it as
//! missing rather than failing, because a merchant who sells on two
//! channels should not need files for the other two. It becomes an error —
//! naming the file — as soon as data of that channel needs it:
//! `Mappings::get` refuses, `mappings check` fails when imported data of the
//! channel exists, and booking refuses the channel's lines. Unlike the
//! chart, there is no silent built-in fallback: which account a component
//! goes to is the merchant's decision, so the file that makes it has to be
//! in the directory (the defaults ship in the repository's `gl-mappings/`).

mod coverage;

use std::path::{Path, PathBuf};

use crate::domain::account::{ChartError, ChartOfAccounts};
use crate::domain::mapping::{GlMapping, MappingErrors, MappingIssue};
use crate::domain::settlement::Channel;
use crate::domain::shop::{ShopError, Shops};

pub use coverage::{ByWildcard, Coverage, Tally, Unchecked, Unmapped, UnmappedComponents};

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
    #[error("{path}: {source}")]
    Banks {
        path: PathBuf,
        source: crate::domain::bank::BankConfigError,
    },
    #[error("{path}: bank `{bank}`: {field} {account} is not in the chart")]
    BankAccount {
        path: PathBuf,
        bank: String,
        field: &'static str,
        account: String,
    },
    #[error("{path}: shop `{shop}`: {field} {account} is not in the chart")]
    ShopAccount {
        path: PathBuf,
        shop: String,
        field: &'static str,
        account: String,
    },
    #[error(transparent)]
    Invalid(#[from] MappingErrors),
    #[error(transparent)]
    RateCards(#[from] crate::domain::rate_card::RateCardError),
    #[error(
        "{path} does not exist, and {channel} data cannot be categorized without it (start \
         from the default that ships in settlebridge's gl-mappings/)"
    )]
    MissingMapping {
        path: PathBuf,
        channel: &'static str,
    },
}

/// The channels with a mapping file, in the order messages list them.
pub const MAPPED_CHANNELS: [Channel; 4] = [
    Channel::TikTok,
    Channel::Shopify,
    Channel::Amazon,
    Channel::Walmart,
];

/// The mapping file's name in the directory: `tiktok.toml` …
pub fn mapping_file_name(channel: Channel) -> String {
    format!("{}.toml", channel.as_str())
}

/// The channel's name for people.
pub fn channel_title(channel: Channel) -> &'static str {
    match channel {
        Channel::TikTok => "TikTok Shop",
        Channel::Shopify => "Shopify",
        Channel::Amazon => "Amazon",
        Channel::Walmart => "Walmart",
    }
}

/// The default mappings shipped with settlebridge (the repository's
/// `gl-mappings/<channel>.toml`), for tests and for copying.
pub fn default_mapping_toml(channel: Channel) -> &'static str {
    match channel {
        Channel::TikTok => include_str!("../gl-mappings/tiktok.toml"),
        Channel::Shopify => include_str!("../gl-mappings/shopify.toml"),
        Channel::Amazon => include_str!("../gl-mappings/amazon.toml"),
        Channel::Walmart => include_str!("../gl-mappings/walmart.toml"),
    }
}

/// What was found for one channel.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ChannelMapping {
    Loaded(GlMapping),
    /// No file: fine until data of the channel needs one.
    Missing,
    /// The file's problems, each with its line.
    Invalid(Vec<MappingIssue>),
}

/// The mapping files of a directory, per channel.
#[derive(Clone, Debug)]
pub struct Mappings {
    channels: Vec<(Channel, PathBuf, ChannelMapping)>,
}

impl Mappings {
    fn entry(&self, channel: Channel) -> &(Channel, PathBuf, ChannelMapping) {
        self.channels
            .iter()
            .find(|(c, _, _)| *c == channel)
            .expect("every mapped channel is read")
    }

    /// Where the channel's file is (or would be).
    pub fn path(&self, channel: Channel) -> &Path {
        &self.entry(channel).1
    }

    pub fn status(&self, channel: Channel) -> &ChannelMapping {
        &self.entry(channel).2
    }

    /// The channel's mapping; an error naming the file when it is missing
    /// or invalid.
    pub fn get(&self, channel: Channel) -> Result<&GlMapping, MappingsError> {
        let (_, path, status) = self.entry(channel);
        match status {
            ChannelMapping::Loaded(m) => Ok(m),
            ChannelMapping::Missing => Err(MappingsError::MissingMapping {
                path: path.clone(),
                channel: channel_title(channel),
            }),
            ChannelMapping::Invalid(issues) => {
                Err(MappingsError::Invalid(MappingErrors(issues.clone())))
            }
        }
    }

    /// Every problem of every file.
    pub fn issues(&self) -> Vec<MappingIssue> {
        self.channels
            .iter()
            .filter_map(|(_, _, s)| match s {
                ChannelMapping::Invalid(issues) => Some(issues.clone()),
                _ => None,
            })
            .flatten()
            .collect()
    }
}

/// Reads `<dir>/<channel>.toml` for every channel and checks each against
/// `chart`, keeping invalid files with their problems (for `mappings
/// check`, which reports them all). Fails only when a file cannot be read.
pub fn read_mappings(dir: &Path, chart: &ChartOfAccounts) -> Result<Mappings, MappingsError> {
    let mut channels = Vec::new();
    for channel in MAPPED_CHANNELS {
        let path = dir.join(mapping_file_name(channel));
        let status = match std::fs::read_to_string(&path) {
            Ok(text) => {
                let label = path.display().to_string();
                match GlMapping::load(&label, channel, &text, chart) {
                    Ok(m) => ChannelMapping::Loaded(m),
                    Err(MappingErrors(issues)) => ChannelMapping::Invalid(issues),
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => ChannelMapping::Missing,
            Err(source) => return Err(MappingsError::Read { path, source }),
        };
        channels.push((channel, path, status));
    }
    Ok(Mappings { channels })
}

/// The default mappings that ship in the binary (for the demo, which must
/// run anywhere), checked against `chart`.
pub fn builtin_mappings(chart: &ChartOfAccounts) -> Result<Mappings, MappingsError> {
    let mut channels = Vec::new();
    for channel in MAPPED_CHANNELS {
        let name = format!("built-in {}", mapping_file_name(channel));
        let m = GlMapping::load(&name, channel, default_mapping_toml(channel), chart)?;
        channels.push((channel, PathBuf::from(name), ChannelMapping::Loaded(m)));
    }
    Ok(Mappings { channels })
}

/// The mapping files of `dir`, with the built-in default for a channel that
/// has none: for reports, which only read the books (booking stays strict
/// and refuses a channel without its file).
pub fn load_mappings_for_reading(
    dir: &Path,
    chart: &ChartOfAccounts,
) -> Result<Mappings, MappingsError> {
    let mut mappings = load_mappings(dir, chart)?;
    let builtin = builtin_mappings(chart)?;
    for (channel, path, status) in &mut mappings.channels {
        if *status == ChannelMapping::Missing {
            let (_, p, s) = builtin.entry(*channel).clone();
            *path = p;
            *status = s;
        }
    }
    Ok(mappings)
}

/// Reads the mapping files of `dir` and checks them against `chart`: every
/// problem of every file, or mappings whose files are valid (absent files
/// are allowed, see the module docs).
pub fn load_mappings(dir: &Path, chart: &ChartOfAccounts) -> Result<Mappings, MappingsError> {
    let mappings = read_mappings(dir, chart)?;
    let issues = mappings.issues();
    if issues.is_empty() {
        Ok(mappings)
    } else {
        Err(MappingsError::Invalid(MappingErrors(issues)))
    }
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
/// `banks.toml`: the bank accounts statements are imported into (none
/// without the file), each checked against the chart.
pub fn load_banks(
    dir: &Path,
    chart: &ChartOfAccounts,
) -> Result<crate::domain::bank::BankAccounts, MappingsError> {
    use crate::domain::bank::BankAccounts;
    let path = dir.join("banks.toml");
    let banks = match std::fs::read_to_string(&path) {
        Ok(text) => BankAccounts::from_toml(&text).map_err(|source| MappingsError::Banks {
            path: path.clone(),
            source,
        })?,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(BankAccounts::default()),
        Err(source) => return Err(MappingsError::Read { path, source }),
    };
    for bank in banks.iter() {
        let mut accounts = vec![
            ("gl_account", Some(&bank.gl_account)),
            ("fee_account", bank.fee_account.as_ref()),
            ("fx_account", bank.fx_account.as_ref()),
        ];
        accounts.extend(
            bank.rules
                .iter()
                .map(|r| ("rule account", Some(&r.account))),
        );
        for (field, account) in accounts {
            if let Some(account) = account {
                if chart.get(account).is_none() {
                    return Err(MappingsError::BankAccount {
                        path,
                        bank: bank.name.clone(),
                        field,
                        account: account.to_string(),
                    });
                }
            }
        }
    }
    Ok(banks)
}

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
        for (field, account) in [
            ("clearing_account", &shop.clearing_account),
            ("payout_account", &shop.payout_account),
        ] {
            if chart.get(account).is_none() {
                return Err(MappingsError::ShopAccount {
                    path,
                    shop: shop.name.clone(),
                    field,
                    account: account.to_string(),
                });
            }
        }
    }
    Ok(shops)
}

/// Reads `<dir>/rates.toml`, the expected fee rates; without one, no fee
/// is checked.
pub fn load_rate_cards(dir: &Path) -> Result<crate::domain::rate_card::RateCards, MappingsError> {
    let path = dir.join("rates.toml");
    match std::fs::read_to_string(&path) {
        Ok(text) => Ok(crate::domain::rate_card::RateCards::from_toml(
            &path.display().to_string(),
            &text,
        )?),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Default::default()),
        Err(source) => Err(MappingsError::Read { path, source }),
    }
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
    fn the_example_rate_cards_load() {
        let dir = tempfile::tempdir().unwrap();
        assert!(load_rate_cards(dir.path()).unwrap().cards.is_empty());
        let example = include_str!("../gl-mappings/rates.example.toml");
        std::fs::write(dir.path().join("rates.toml"), example).unwrap();
        let cards = load_rate_cards(dir.path()).unwrap();
        assert_eq!(cards.cards.len(), 2);
        assert_eq!(cards.cards[0].rate, rust_decimal::Decimal::new(8, 2));
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
        assert!(
            err.contains("clearing_account 9999 is not in the chart"),
            "{err}"
        );
    }

    #[test]
    fn mapping_files_load_per_channel_and_absent_ones_are_named_when_needed() {
        let dir = tempfile::tempdir().unwrap();
        let chart = ChartOfAccounts::from_toml(DEFAULT_ACCOUNTS_TOML).unwrap();
        let mappings = load_mappings(dir.path(), &chart).unwrap();
        assert!(MAPPED_CHANNELS
            .iter()
            .all(|c| mappings.status(*c) == &ChannelMapping::Missing));
        let err = mappings.get(Channel::Walmart).unwrap_err().to_string();
        assert!(
            err.contains("walmart.toml does not exist, and Walmart data cannot be categorized"),
            "{err}"
        );

        std::fs::write(
            dir.path().join("amazon.toml"),
            default_mapping_toml(Channel::Amazon),
        )
        .unwrap();
        std::fs::write(
            dir.path().join("tiktok.toml"),
            "[components]\n\"fee.*\" = \"6101\"\n",
        )
        .unwrap();
        let read = read_mappings(dir.path(), &chart).unwrap();
        assert!(read.get(Channel::Amazon).is_ok());
        assert!(matches!(
            read.status(Channel::TikTok),
            ChannelMapping::Invalid(_)
        ));
        let err = load_mappings(dir.path(), &chart).unwrap_err().to_string();
        assert!(
            err.starts_with("1 problem in the mapping files")
                && err.contains("tiktok.toml:2: component \"fee.*\": account: account 6101 is not in the chart of accounts"),
            "{err}"
        );
    }

    #[test]
    fn coverage_says_exactly_which_components_cannot_be_booked() {
        use crate::domain::settlement::{Component, ComponentCode, SettlementLine};
        let dir = tempfile::tempdir().unwrap();
        let chart = ChartOfAccounts::from_toml(DEFAULT_ACCOUNTS_TOML).unwrap();
        std::fs::write(
            dir.path().join("amazon.toml"),
            "[components]\n\"sale.gross\" = \"4000\"\n",
        )
        .unwrap();
        let mappings = load_mappings(dir.path(), &chart).unwrap();
        let line = |amounts: &[(&str, &str)], currency: &str| SettlementLine {
            ordered_at: None,
            statement_id: "s1".into(),
            transaction_type: "Order".into(),
            order_id: None,
            adjustment_id: None,
            posted_at: None,
            currency: currency.parse().unwrap(),
            components: amounts
                .iter()
                .map(|(code, amount)| Component {
                    code: ComponentCode::new(code).unwrap(),
                    amount: amount.parse().unwrap(),
                    label: String::new(),
                })
                .collect(),
            rows: Vec::new(),
        };
        let mut coverage = Coverage::default();
        coverage.add_batch(
            &mappings,
            &Shops::default(),
            Channel::Amazon,
            "amazon-ca",
            &[
                line(
                    &[("sale.gross", "20"), ("fee.digital_services", "-30.2")],
                    "CAD",
                ),
                line(&[("fee.digital_services", "-4")], "CAD"),
                line(&[("fee.digital_services", "-1.5")], "USD"),
            ],
        );
        assert!(coverage.require_mapped().is_err());
        coverage.add_batch(
            &mappings,
            &Shops::default(),
            Channel::Walmart,
            "",
            &[line(&[("sale.gross", "1")], "USD")],
        );
        let err = coverage.require_mapped().unwrap_err();
        let text = err.to_string();
        assert!(
            text.starts_with("cannot book: 1 component code without an account, and data without a usable mapping file"),
            "{text}"
        );
        let amazon = dir.path().join("amazon.toml").display().to_string();
        assert!(
            text.contains(&format!(
                "fee.digital_services (Amazon, shop amazon-ca): 3 amounts totalling -34.20 CAD and -1.50 USD have no account in {amazon}"
            )),
            "{text}"
        );
        assert!(
            text.contains(
                "walmart.toml does not exist, and 1 batch of Walmart data (1 amount) needs it"
            ),
            "{text}"
        );
        assert_eq!(
            (coverage.batches, coverage.lines, coverage.amounts),
            (2, 4, 5)
        );
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
