//! Rate cards: the fees a channel should charge (`gl-mappings/rates.toml`),
//! and the orders it charged more. Channels change fee rates and make
//! mistakes; finding it today means recomputing fees by hand.
//!
//! ```toml
//! [[rate]]
//! name = "TikTok US referral fee"
//! channel = "tiktok"
//! shop = "tiktok-us"                           # optional: every shop of the channel
//! fee = "fee.referral"                         # the component charged
//! basis = ["sale.gross", "sale.seller_discount"]  # what the rate applies to, as settled
//! rate = "0.06"                                # a string: exact, never a float
//! effective_from = "2026-01-01"                # optional, inclusive
//! effective_to = "2026-12-31"                  # optional, inclusive
//! tolerance = "0.01"                           # optional; 0.01 by default
//! ```
//!
//! Per order, for each fee a card covers: expected = Σ basis × rate, rounded
//! once, half away from zero, to the currency's minor unit (how the channels
//! round a fee per order); charged = −Σ of the fee over the order's lines
//! (so a refund's reversal of it counts). Charged − expected above the
//! tolerance is listed. The card that applies is the one for the shop, else
//! the channel's, in force on the day the sale settled.

use std::str::FromStr;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::booking::BookingShop;
use super::matching::{Matching, ShopFacts};
use super::settlement::{Channel, ComponentCode};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RateCard {
    pub name: String,
    pub channel: Channel,
    pub shop: Option<String>,
    pub fee: ComponentCode,
    pub basis: Vec<ComponentCode>,
    pub rate: Decimal,
    pub effective_from: Option<NaiveDate>,
    pub effective_to: Option<NaiveDate>,
    pub tolerance: Decimal,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RateCards {
    pub cards: Vec<RateCard>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}: rate {index}{}: {message}", .name.as_deref().map(|n| format!(" ({n})")).unwrap_or_default())]
pub struct RateCardError {
    pub file: String,
    pub index: usize,
    pub name: Option<String>,
    pub message: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default, rename = "rate")]
    rates: Vec<Entry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    name: String,
    channel: String,
    #[serde(default)]
    shop: Option<String>,
    fee: String,
    basis: Vec<String>,
    rate: toml::Value,
    #[serde(default)]
    effective_from: Option<String>,
    #[serde(default)]
    effective_to: Option<String>,
    #[serde(default)]
    tolerance: Option<toml::Value>,
}

fn exact(value: &toml::Value, field: &str) -> Result<Decimal, String> {
    match value {
        toml::Value::String(s) => Decimal::from_str(s.trim())
            .map_err(|_| format!("{field} `{s}` is not a decimal number")),
        other => Err(format!(
            "{field} must be a string such as \"0.06\" (a TOML number passes through a float), not {other}"
        )),
    }
}

impl RateCards {
    pub fn from_toml(file: &str, text: &str) -> Result<Self, RateCardError> {
        let err = |index: usize, name: Option<&str>, message: String| RateCardError {
            file: file.to_string(),
            index,
            name: name.map(str::to_string),
            message,
        };
        let parsed: File = toml::from_str(text).map_err(|e| err(0, None, e.to_string()))?;
        let mut cards = Vec::new();
        for (i, e) in parsed.rates.into_iter().enumerate() {
            let index = i + 1;
            let name = Some(e.name.as_str());
            let bad = |m: String| err(index, name, m);
            let channel = Channel::parse(&e.channel).ok_or_else(|| {
                bad(format!(
                    "channel `{}` is not one of tiktok, shopify, amazon, walmart",
                    e.channel
                ))
            })?;
            let fee = ComponentCode::new(&e.fee).map_err(|x| bad(format!("fee: {x}")))?;
            if fee.family() != "fee" {
                return Err(bad(format!("fee `{fee}` is not a fee.* code")));
            }
            let basis = e
                .basis
                .iter()
                .map(|b| ComponentCode::new(b).map_err(|x| bad(format!("basis: {x}"))))
                .collect::<Result<Vec<_>, _>>()?;
            if basis.is_empty() {
                return Err(bad("basis names no component".into()));
            }
            let rate = exact(&e.rate, "rate").map_err(bad)?;
            if rate < Decimal::ZERO || rate > Decimal::ONE {
                return Err(bad(format!("rate {rate} is not between 0 and 1")));
            }
            let tolerance = match &e.tolerance {
                Some(t) => exact(t, "tolerance").map_err(bad)?,
                None => Decimal::new(1, 2),
            };
            let date = |d: &Option<String>, field: &str| {
                d.as_deref()
                    .map(|s| {
                        NaiveDate::parse_from_str(s, "%Y-%m-%d")
                            .map_err(|_| bad(format!("{field} `{s}` is not a date (YYYY-MM-DD)")))
                    })
                    .transpose()
            };
            let effective_from = date(&e.effective_from, "effective_from")?;
            let effective_to = date(&e.effective_to, "effective_to")?;
            if let (Some(f), Some(t)) = (effective_from, effective_to) {
                if f > t {
                    return Err(bad(format!("effective_from {f} is after effective_to {t}")));
                }
            }
            cards.push(RateCard {
                name: e.name,
                channel,
                shop: e.shop,
                fee,
                basis,
                rate,
                effective_from,
                effective_to,
                tolerance,
            });
        }
        Ok(RateCards { cards })
    }

    /// The card for `fee` in force for `shop` on `day`: the shop's own,
    /// else the channel's; the first in the file when several apply.
    pub fn card_for(
        &self,
        shop: &BookingShop,
        fee: &ComponentCode,
        day: NaiveDate,
    ) -> Option<&RateCard> {
        let applies = |c: &&RateCard| {
            c.channel == shop.channel
                && &c.fee == fee
                && c.effective_from.is_none_or(|f| day >= f)
                && c.effective_to.is_none_or(|t| day <= t)
        };
        self.cards
            .iter()
            .filter(applies)
            .find(|c| c.shop.as_deref() == Some(shop.name.as_str()))
            .or_else(|| self.cards.iter().filter(applies).find(|c| c.shop.is_none()))
    }
}

/// An order charged more than its card says.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeeOvercharge {
    pub order_id: String,
    /// The day its sale settled, in the shop's zone: the card in force then applies.
    pub settled_on: NaiveDate,
    pub card: String,
    pub fee: String,
    pub rate: Decimal,
    pub basis: Decimal,
    pub expected: Decimal,
    pub charged: Decimal,
    pub over: Decimal,
}

/// Orders charged more than the card, whenever their sale settled (the
/// close report keeps those of its period).
pub fn check_fees(
    cards: &RateCards,
    shop: &BookingShop,
    facts: &ShopFacts,
    matching: &Matching,
) -> Vec<FeeOvercharge> {
    let mut out = Vec::new();
    let fees: Vec<&ComponentCode> = {
        let mut f: Vec<&ComponentCode> = cards
            .cards
            .iter()
            .filter(|c| c.channel == shop.channel)
            .map(|c| &c.fee)
            .collect();
        f.sort();
        f.dedup();
        f
    };
    if fees.is_empty() {
        return out;
    }
    for om in matching.orders.values() {
        let Some(day) = om.sale_settled_at.map(|t| shop.zone.date_of(t)) else {
            continue;
        };
        for fee in &fees {
            let Some(card) = cards.card_for(shop, fee, day) else {
                continue;
            };
            let basis: Decimal = card
                .basis
                .iter()
                .filter_map(|b| om.settled.get(b))
                .copied()
                .sum();
            let charged: Decimal = -om
                .lines
                .iter()
                .flat_map(|&i| facts.lines[i].line.components.iter())
                .filter(|c| &c.code == *fee)
                .map(|c| c.amount)
                .sum::<Decimal>();
            let expected = shop.currency.round_half_away_from_zero(basis * card.rate);
            let over = charged - expected;
            if over > card.tolerance {
                out.push(FeeOvercharge {
                    order_id: om.order_id.clone(),
                    settled_on: day,
                    card: card.name.clone(),
                    fee: fee.to_string(),
                    rate: card.rate,
                    basis,
                    expected,
                    charged,
                    over,
                });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const CARD: &str = r#"
[[rate]]
name = "referral"
channel = "tiktok"
fee = "fee.referral"
basis = ["sale.gross", "sale.seller_discount"]
rate = "0.06"
effective_from = "2026-01-01"
"#;

    #[test]
    fn cards_parse_exactly_and_refuse_floats_with_their_place() {
        let cards = RateCards::from_toml("rates.toml", CARD).unwrap();
        assert_eq!(cards.cards[0].rate, Decimal::new(6, 2));
        assert_eq!(cards.cards[0].tolerance, Decimal::new(1, 2));
        let float = CARD.replace("\"0.06\"", "0.06");
        let err = RateCards::from_toml("rates.toml", &float)
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("rates.toml: rate 1 (referral): rate must be a string"),
            "{err}"
        );
        let not_fee = CARD.replace("\"fee.referral\"", "\"sale.gross\"");
        let err = RateCards::from_toml("rates.toml", &not_fee)
            .unwrap_err()
            .to_string();
        assert!(err.contains("is not a fee.* code"), "{err}");
    }
}
