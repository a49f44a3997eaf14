//! How the components of imported data resolve against the mapping files:
//! which codes have no account (booking refuses them), which only a
//! wildcard covers, and which channels have data but no usable file. Used by
//! `mappings check`; booking asks the same questions before it posts.

use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;

use super::{channel_title, ChannelMapping, Mappings};
use crate::domain::mapping::{CodePattern, Context, MappedAccount};
use crate::domain::money::{format_amount, Currency};
use crate::domain::settlement::{Channel, SettlementLine};
use crate::domain::shop::Shops;
use crate::domain::zone::Zone;

/// How many amounts, and their sum per currency.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Tally {
    pub amounts: u64,
    /// Currency code → Σ (in JSON: written to the currency's minor units).
    #[serde(serialize_with = "totals_to_the_cent")]
    pub totals: BTreeMap<String, Decimal>,
}

fn total_text(code: &str, total: Decimal) -> String {
    match code.parse::<Currency>() {
        Ok(c) => format_amount(total, c),
        Err(_) => total.to_string(),
    }
}

fn totals_to_the_cent<S: serde::Serializer>(
    totals: &BTreeMap<String, Decimal>,
    s: S,
) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeMap;
    let mut map = s.serialize_map(Some(totals.len()))?;
    for (code, total) in totals {
        map.serialize_entry(code, &total_text(code, *total))?;
    }
    map.end()
}

impl Tally {
    fn add(&mut self, currency: Currency, amount: Decimal) {
        self.amounts += 1;
        *self.totals.entry(currency.code().to_string()).or_default() += amount;
    }

    /// `-34.20 CAD`, `-34.20 CAD and 5.00 USD`.
    pub fn totals_text(&self) -> String {
        let parts: Vec<String> = self
            .totals
            .iter()
            .map(|(code, total)| format!("{} {code}", total_text(code, *total)))
            .collect();
        match parts.as_slice() {
            [] => "0".to_string(),
            [one] => one.clone(),
            [init @ .., last] => format!("{} and {last}", init.join(", ")),
        }
    }

    fn counted(&self) -> String {
        format!(
            "{} amount{}",
            self.amounts,
            if self.amounts == 1 { "" } else { "s" }
        )
    }
}

/// A component code of one shop's data with no account.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Unmapped {
    pub channel: &'static str,
    pub shop: String,
    pub code: String,
    #[serde(flatten)]
    pub tally: Tally,
    pub file: PathBuf,
}

fn shop_text(channel: &str, shop: &str) -> String {
    if shop.is_empty() {
        format!("{channel}, no shop")
    } else {
        format!("{channel}, shop {shop}")
    }
}

fn title(channel: &str) -> &'static str {
    super::MAPPED_CHANNELS
        .into_iter()
        .find(|c| c.as_str() == channel)
        .map(channel_title)
        .unwrap_or("?")
}

impl fmt::Display for Unmapped {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} ({}): {} totalling {} {} no account in {}",
            self.code,
            shop_text(title(self.channel), &self.shop),
            self.tally.counted(),
            self.tally.totals_text(),
            if self.tally.amounts == 1 {
                "has"
            } else {
                "have"
            },
            self.file.display()
        )
    }
}

/// A component code that only a wildcard entry gives an account.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ByWildcard {
    pub channel: &'static str,
    pub shop: String,
    pub code: String,
    pub pattern: String,
    pub account: MappedAccount,
    #[serde(flatten)]
    pub tally: Tally,
    pub file: PathBuf,
}

impl fmt::Display for ByWildcard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} ({}): {} totalling {} {} to {} by `{}` in {}",
            self.code,
            shop_text(title(self.channel), &self.shop),
            self.tally.counted(),
            self.tally.totals_text(),
            if self.tally.amounts == 1 {
                "goes"
            } else {
                "go"
            },
            self.account,
            self.pattern,
            self.file.display()
        )
    }
}

/// A channel with imported data whose file is missing or invalid: its data
/// could not be checked.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Unchecked {
    pub channel: &'static str,
    pub file: PathBuf,
    /// `missing` or `invalid`.
    pub reason: &'static str,
    pub batches: u64,
    pub amounts: u64,
}

impl fmt::Display for Unchecked {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let data = format!(
            "{} batch{} of {} data ({} amount{})",
            self.batches,
            if self.batches == 1 { "" } else { "es" },
            title(self.channel),
            self.amounts,
            if self.amounts == 1 { "" } else { "s" }
        );
        match self.reason {
            "missing" => write!(
                f,
                "{} does not exist, and {data} need{} it",
                self.file.display(),
                if self.batches == 1 { "s" } else { "" }
            ),
            _ => write!(
                f,
                "{data} could not be checked: fix {} first",
                self.file.display()
            ),
        }
    }
}

type Key = (&'static str, String, String);

/// Tallies stored lines against the mappings.
#[derive(Clone, Debug, Default)]
pub struct Coverage {
    pub batches: u64,
    pub lines: u64,
    pub amounts: u64,
    unmapped: BTreeMap<Key, (Tally, PathBuf)>,
    by_wildcard: BTreeMap<Key, (Tally, String, MappedAccount, PathBuf)>,
    unchecked: BTreeMap<&'static str, Unchecked>,
}

/// The day a line was posted, in the shop's zone when shops.toml says it
/// (effective dates are the merchant's days), otherwise in UTC.
fn posted_day(line: &SettlementLine, zone: Option<Zone>) -> Option<NaiveDate> {
    let utc = line.posted_at.as_ref()?.utc;
    Some(match zone {
        Some(Zone::Fixed(z)) => utc.with_timezone(&z).date_naive(),
        Some(Zone::Named(tz)) => utc.with_timezone(&tz).date_naive(),
        None => utc.date_naive(),
    })
}

impl Coverage {
    /// Resolves every component of one batch's lines (of `channel`, filed
    /// under `shop`, "" for none) in the context the line gives: the shop,
    /// the transaction type and the posting day. SKU and country are not on
    /// settlement lines, so rules on them do not apply here.
    pub fn add_batch<'a, I>(
        &mut self,
        mappings: &Mappings,
        shops: &Shops,
        channel: Channel,
        shop: &str,
        lines: I,
    ) where
        I: IntoIterator<Item = &'a SettlementLine>,
        I::IntoIter: Clone,
    {
        let lines = lines.into_iter();
        self.batches += 1;
        self.lines += lines.clone().count() as u64;
        let amounts: u64 = lines.clone().map(|l| l.components.len() as u64).sum();
        self.amounts += amounts;
        let file = mappings.path(channel).to_path_buf();
        let mapping = match mappings.status(channel) {
            ChannelMapping::Loaded(m) => m,
            other => {
                let reason = if matches!(other, ChannelMapping::Missing) {
                    "missing"
                } else {
                    "invalid"
                };
                let u = self
                    .unchecked
                    .entry(channel.as_str())
                    .or_insert_with(|| Unchecked {
                        channel: channel.as_str(),
                        file,
                        reason,
                        batches: 0,
                        amounts: 0,
                    });
                u.batches += 1;
                u.amounts += amounts;
                return;
            }
        };
        let zone = shops.get(shop).map(|s| s.time_zone);
        for line in lines {
            let ctx = Context {
                shop: (!shop.is_empty()).then_some(shop),
                order_type: Some(line.transaction_type.as_str()),
                date: posted_day(line, zone),
                ..Context::default()
            };
            for c in &line.components {
                let key = (channel.as_str(), shop.to_string(), c.code.to_string());
                match mapping.resolve(&c.code, &ctx) {
                    None => self
                        .unmapped
                        .entry(key)
                        .or_insert_with(|| (Tally::default(), file.clone()))
                        .0
                        .add(line.currency, c.amount),
                    Some(r) if r.rule.is_none() => {
                        let Some(d) = mapping.default_for(&c.code) else {
                            continue;
                        };
                        if matches!(d.pattern, CodePattern::Exact(_)) {
                            continue;
                        }
                        self.by_wildcard
                            .entry(key)
                            .or_insert_with(|| {
                                (
                                    Tally::default(),
                                    d.pattern.to_string(),
                                    r.account.clone(),
                                    file.clone(),
                                )
                            })
                            .0
                            .add(line.currency, c.amount);
                    }
                    Some(_) => {}
                }
            }
        }
    }

    /// Codes with no account, by channel, shop and code.
    pub fn unmapped(&self) -> Vec<Unmapped> {
        self.unmapped
            .iter()
            .map(|((channel, shop, code), (tally, file))| Unmapped {
                channel,
                shop: shop.clone(),
                code: code.clone(),
                tally: tally.clone(),
                file: file.clone(),
            })
            .collect()
    }

    /// Codes only a wildcard entry covers.
    pub fn by_wildcard(&self) -> Vec<ByWildcard> {
        self.by_wildcard
            .iter()
            .map(
                |((channel, shop, code), (tally, pattern, account, file))| ByWildcard {
                    channel,
                    shop: shop.clone(),
                    code: code.clone(),
                    pattern: pattern.clone(),
                    account: account.clone(),
                    tally: tally.clone(),
                    file: file.clone(),
                },
            )
            .collect()
    }

    /// Channels with data whose file is missing or invalid.
    pub fn unchecked(&self) -> Vec<Unchecked> {
        self.unchecked.values().cloned().collect()
    }

    /// What booking asks before it posts: every component has an account,
    /// or an error that says exactly which do not (and which data could
    /// not be checked).
    pub fn require_mapped(&self) -> Result<(), UnmappedComponents> {
        let unmapped = self.unmapped();
        let unchecked = self.unchecked();
        if unmapped.is_empty() && unchecked.is_empty() {
            Ok(())
        } else {
            Err(UnmappedComponents {
                unmapped,
                unchecked,
            })
        }
    }
}

/// Components that cannot be booked, each named with its count and total.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub struct UnmappedComponents {
    pub unmapped: Vec<Unmapped>,
    pub unchecked: Vec<Unchecked>,
}

impl fmt::Display for UnmappedComponents {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.unmapped.len();
        write!(
            f,
            "cannot book: {n} component code{} without an account",
            if n == 1 { "" } else { "s" }
        )?;
        if !self.unchecked.is_empty() {
            write!(f, ", and data without a usable mapping file")?;
        }
        write!(
            f,
            " (add them to the mapping files and run `settlebridge mappings check`)"
        )?;
        for u in &self.unmapped {
            write!(f, "\n  {u}")?;
        }
        for u in &self.unchecked {
            write!(f, "\n  {u}")?;
        }
        Ok(())
    }
}
