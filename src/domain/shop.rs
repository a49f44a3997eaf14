//! Shops: the unit that has its own statements, currency, time zone and
//! clearing account (a brand may have a US and a UK TikTok shop). Configured
//! in `gl-mappings/shops.toml`:
//!
//! ```toml
//! [[shop]]
//! name = "tiktok-us"
//! channel = "tiktok"
//! currency = "USD"
//! time_zone = "America/Los_Angeles"
//! clearing_account = "1210"
//! [shop.segments]
//! subsidiary = "1"
//! ```

use std::collections::BTreeMap;

use serde::Deserialize;

use super::account::AccountCode;
use super::money::Currency;
use super::settlement::Channel;
use super::zone::Zone;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Shop {
    pub name: String,
    pub channel: Channel,
    pub currency: Currency,
    pub time_zone: Zone,
    pub clearing_account: AccountCode,
    /// Where payouts go until the bank deposit is matched (cash in transit).
    pub payout_account: AccountCode,
    /// NetSuite segments every posting of the shop carries (subsidiary,
    /// department, class, location).
    pub segments: BTreeMap<String, String>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Shops {
    shops: Vec<Shop>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ShopError {
    #[error("shops.toml is not valid TOML: {0}")]
    Syntax(String),
    #[error("shop {index}: {message}")]
    Invalid { index: usize, message: String },
    #[error("shop `{0}` is configured twice")]
    Duplicate(String),
    #[error("no shop `{name}` in shops.toml (configured: {known})")]
    Unknown { name: String, known: String },
    #[error("shop `{shop}` is configured for {configured}, but this file is from {file}")]
    WrongChannel {
        shop: String,
        configured: &'static str,
        file: &'static str,
    },
    #[error("shops.toml has {count} {channel} shops ({names}): say which with --shop")]
    Ambiguous {
        channel: &'static str,
        count: usize,
        names: String,
    },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ShopsFile {
    #[serde(default, rename = "shop")]
    shops: Vec<ShopEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ShopEntry {
    name: String,
    channel: String,
    currency: String,
    time_zone: String,
    clearing_account: String,
    #[serde(default)]
    payout_account: Option<String>,
    #[serde(default)]
    segments: BTreeMap<String, String>,
}

pub const SEGMENTS: [&str; 4] = ["subsidiary", "department", "class", "location"];

fn channel_named(name: &str) -> Option<Channel> {
    [
        Channel::TikTok,
        Channel::Shopify,
        Channel::Amazon,
        Channel::Walmart,
    ]
    .into_iter()
    .find(|c| c.as_str() == name)
}

/// No shops configured.
pub static NO_SHOPS: Shops = Shops { shops: Vec::new() };

impl Shops {
    pub fn from_toml(text: &str) -> Result<Self, ShopError> {
        let file: ShopsFile = toml::from_str(text).map_err(|e| ShopError::Syntax(e.to_string()))?;
        let mut shops: Vec<Shop> = Vec::new();
        for (i, e) in file.shops.into_iter().enumerate() {
            let index = i + 1;
            let invalid = |message: String| ShopError::Invalid { index, message };
            let name_ok = !e.name.is_empty()
                && e.name.len() <= 64
                && e.name
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_');
            if !name_ok {
                return Err(invalid(format!(
                    "name `{}` must be lowercase letters, digits, - or _ (at most 64)",
                    e.name
                )));
            }
            let channel = channel_named(&e.channel).ok_or_else(|| {
                invalid(format!(
                    "`{}`: channel `{}` is not one of tiktok, shopify, amazon, walmart",
                    e.name, e.channel
                ))
            })?;
            let currency: Currency = e
                .currency
                .parse()
                .map_err(|err| invalid(format!("`{}`: {err}", e.name)))?;
            let time_zone: Zone = e
                .time_zone
                .parse()
                .map_err(|err| invalid(format!("`{}`: {err}", e.name)))?;
            let clearing_account: AccountCode = e
                .clearing_account
                .parse()
                .map_err(|err| invalid(format!("`{}`: clearing_account: {err}", e.name)))?;
            let payout_account: AccountCode = e
                .payout_account
                .as_deref()
                .unwrap_or(super::booking::DEFAULT_PAYOUT_ACCOUNT)
                .parse()
                .map_err(|err| invalid(format!("`{}`: payout_account: {err}", e.name)))?;
            if let Some(bad) = e.segments.keys().find(|k| !SEGMENTS.contains(&k.as_str())) {
                return Err(invalid(format!(
                    "`{}`: segment `{bad}` is not one of {}",
                    e.name,
                    SEGMENTS.join(", ")
                )));
            }
            if shops.iter().any(|s| s.name == e.name) {
                return Err(ShopError::Duplicate(e.name));
            }
            shops.push(Shop {
                name: e.name,
                channel,
                currency,
                time_zone,
                clearing_account,
                payout_account,
                segments: e.segments,
            });
        }
        Ok(Shops { shops })
    }

    pub fn is_empty(&self) -> bool {
        self.shops.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = &Shop> {
        self.shops.iter()
    }

    pub fn get(&self, name: &str) -> Option<&Shop> {
        self.shops.iter().find(|s| s.name == name)
    }

    /// The shop a file of `channel` belongs to: the one named, checked
    /// against the channel, or — when none is named — the only shop of that
    /// channel. `Ok(None)` when no shop of the channel is configured.
    pub fn resolve(
        &self,
        name: Option<&str>,
        channel: Channel,
    ) -> Result<Option<&Shop>, ShopError> {
        if let Some(name) = name {
            if self.is_empty() {
                return Ok(None);
            }
            let shop = self.get(name).ok_or_else(|| ShopError::Unknown {
                name: name.to_string(),
                known: self
                    .shops
                    .iter()
                    .map(|s| s.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
            })?;
            if shop.channel != channel {
                return Err(ShopError::WrongChannel {
                    shop: shop.name.clone(),
                    configured: shop.channel.as_str(),
                    file: channel.as_str(),
                });
            }
            return Ok(Some(shop));
        }
        let of_channel: Vec<&Shop> = self.shops.iter().filter(|s| s.channel == channel).collect();
        match of_channel.as_slice() {
            [] => Ok(None),
            [one] => Ok(Some(one)),
            many => Err(ShopError::Ambiguous {
                channel: channel.as_str(),
                count: many.len(),
                names: many
                    .iter()
                    .map(|s| s.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOML: &str = r#"
[[shop]]
name = "tiktok-us"
channel = "tiktok"
currency = "USD"
time_zone = "America/Los_Angeles"
clearing_account = "1210"
[shop.segments]
subsidiary = "1"

[[shop]]
name = "tiktok-uk"
channel = "tiktok"
currency = "GBP"
time_zone = "Europe/London"
clearing_account = "1211"

[[shop]]
name = "shopify"
channel = "shopify"
currency = "USD"
time_zone = "UTC-5"
clearing_account = "1220"
"#;

    #[test]
    fn shops_resolve_by_name_or_by_their_channel() {
        let shops = Shops::from_toml(TOML).unwrap();
        assert_eq!(shops.iter().count(), 3);
        let us = shops
            .resolve(Some("tiktok-us"), Channel::TikTok)
            .unwrap()
            .unwrap();
        assert_eq!(us.currency.code(), "USD");
        assert_eq!(us.segments.get("subsidiary").map(String::as_str), Some("1"));
        assert_eq!(
            shops.resolve(None, Channel::Shopify).unwrap().unwrap().name,
            "shopify"
        );
        assert_eq!(shops.resolve(None, Channel::Amazon).unwrap(), None);
        assert_eq!(
            shops
                .resolve(None, Channel::TikTok)
                .unwrap_err()
                .to_string(),
            "shops.toml has 2 tiktok shops (tiktok-us, tiktok-uk): say which with --shop"
        );
        assert_eq!(
            shops
                .resolve(Some("shopify"), Channel::Amazon)
                .unwrap_err()
                .to_string(),
            "shop `shopify` is configured for shopify, but this file is from amazon"
        );
        assert!(matches!(
            shops.resolve(Some("nope"), Channel::Amazon),
            Err(ShopError::Unknown { .. })
        ));
    }

    #[test]
    fn bad_entries_are_refused_with_their_place() {
        let bad = TOML.replace("America/Los_Angeles", "Mars/Base");
        assert!(Shops::from_toml(&bad)
            .unwrap_err()
            .to_string()
            .starts_with("shop 1: `tiktok-us`: `Mars/Base` is not a time zone"));
        let bad = TOML.replace("\"GBP\"", "\"XXQ\"");
        assert!(Shops::from_toml(&bad)
            .unwrap_err()
            .to_string()
            .starts_with("shop 2:"));
        let bad = TOML.replace("subsidiary = \"1\"", "region = \"1\"");
        assert!(Shops::from_toml(&bad)
            .unwrap_err()
            .to_string()
            .contains("segment `region`"));
        let bad = TOML.replace("tiktok-uk", "tiktok-us");
        assert_eq!(
            Shops::from_toml(&bad).unwrap_err(),
            ShopError::Duplicate("tiktok-us".into())
        );
    }
}
