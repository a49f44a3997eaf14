//! Money: an exact decimal amount and the ISO 4217 currency it is in.
//!
//! There is no float anywhere on this path. Amounts are parsed from text into
//! `rust_decimal::Decimal`, and every rounding names its rule.

use std::fmt;
use std::str::FromStr;

use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

/// An ISO 4217 currency with its minor units (2 for USD, 0 for JPY, 3 for BHD).
///
/// Parsing refuses codes that are not ISO 4217 and codes that have no minor
/// units (XAU, XDR …): those are not money a shop books in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Currency {
    code: [u8; 3],
    minor_units: u8,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CurrencyError {
    #[error("`{0}` is not an ISO 4217 currency code")]
    Unknown(String),
    #[error("`{0}` has no minor units in ISO 4217 (it is not a currency a shop books in)")]
    NotMonetary(String),
}

impl Currency {
    pub fn code(&self) -> &str {
        // The bytes come from a validated ISO code, always ASCII.
        std::str::from_utf8(&self.code).expect("ISO codes are ASCII")
    }

    /// Digits after the decimal point in this currency's smallest unit.
    pub fn minor_units(&self) -> u32 {
        u32::from(self.minor_units)
    }

    /// Rounds to this currency's minor units, half away from zero — the rule
    /// NetSuite and most banks apply. Callers name this when they round.
    pub fn round_half_away_from_zero(&self, amount: Decimal) -> Decimal {
        amount.round_dp_with_strategy(self.minor_units(), RoundingStrategy::MidpointAwayFromZero)
    }
}

impl FromStr for Currency {
    type Err = CurrencyError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let upper = s.trim().to_ascii_uppercase();
        let iso = iso_currency::Currency::from_code(&upper)
            .ok_or_else(|| CurrencyError::Unknown(s.to_string()))?;
        let minor_units = iso
            .exponent()
            .ok_or_else(|| CurrencyError::NotMonetary(upper.clone()))?;
        let bytes = upper.as_bytes();
        Ok(Currency {
            code: [bytes[0], bytes[1], bytes[2]],
            minor_units: u8::try_from(minor_units).expect("ISO exponents are below 5"),
        })
    }
}

impl TryFrom<String> for Currency {
    type Error = CurrencyError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        value.parse()
    }
}

impl From<Currency> for String {
    fn from(c: Currency) -> String {
        c.code().to_string()
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// An exact amount in a currency. It may be negative: the sign rules of a
/// posting (always positive, side says direction) live in `entry`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Money {
    pub amount: Decimal,
    pub currency: Currency,
}

impl Money {
    pub fn new(amount: Decimal, currency: Currency) -> Self {
        Money { amount, currency }
    }

    /// Parses `"12.34 USD"` or `"USD 12.34"`.
    pub fn parse(text: &str) -> Result<Self, MoneyParseError> {
        let parts: Vec<&str> = text.split_whitespace().collect();
        let (num, cur) = match parts.as_slice() {
            [a, b] if a.chars().all(|c| c.is_ascii_alphabetic()) => (*b, *a),
            [a, b] => (*a, *b),
            _ => return Err(MoneyParseError::Shape(text.to_string())),
        };
        let currency = cur.parse().map_err(MoneyParseError::Currency)?;
        let amount =
            Decimal::from_str_exact(num).map_err(|_| MoneyParseError::Amount(num.to_string()))?;
        Ok(Money { amount, currency })
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {}",
            format_amount(self.amount, self.currency),
            self.currency
        )
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyParseError {
    #[error("`{0}` is not an amount with a currency (expected e.g. `12.34 USD`)")]
    Shape(String),
    #[error("`{0}` is not an exact decimal amount")]
    Amount(String),
    #[error(transparent)]
    Currency(CurrencyError),
}

/// Renders an amount with at least the currency's minor units (`5` USD →
/// `5.00`) and no trailing zeros beyond them (`1.2300` → `1.23`).
pub fn format_amount(amount: Decimal, currency: Currency) -> String {
    let mut a = amount.normalize();
    if a.scale() < currency.minor_units() {
        a.rescale(currency.minor_units());
    }
    a.to_string()
}

/// The canonical text of a decimal used in hashes: normalized, no exponent,
/// no trailing zeros, `-0` rendered as `0`.
pub fn canonical_decimal(amount: Decimal) -> String {
    let n = amount.normalize();
    if n.is_zero() {
        "0".to_string()
    } else {
        n.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        Decimal::from_str_exact(s).unwrap()
    }

    #[test]
    fn currencies_carry_their_minor_units() {
        let usd: Currency = "usd".parse().unwrap();
        assert_eq!(usd.code(), "USD");
        assert_eq!(usd.minor_units(), 2);
        assert_eq!("JPY".parse::<Currency>().unwrap().minor_units(), 0);
        assert_eq!("BHD".parse::<Currency>().unwrap().minor_units(), 3);
    }

    #[test]
    fn non_currencies_are_refused() {
        assert_eq!(
            "ABC".parse::<Currency>(),
            Err(CurrencyError::Unknown("ABC".into()))
        );
        assert_eq!(
            "XAU".parse::<Currency>(),
            Err(CurrencyError::NotMonetary("XAU".into()))
        );
    }

    #[test]
    fn rounding_is_half_away_from_zero_at_minor_units() {
        let usd: Currency = "USD".parse().unwrap();
        assert_eq!(usd.round_half_away_from_zero(d("2.345")), d("2.35"));
        assert_eq!(usd.round_half_away_from_zero(d("-2.345")), d("-2.35"));
        assert_eq!(usd.round_half_away_from_zero(d("2.344")), d("2.34"));
        let jpy: Currency = "JPY".parse().unwrap();
        assert_eq!(jpy.round_half_away_from_zero(d("100.5")), d("101"));
    }

    #[test]
    fn formatting_pads_to_minor_units_and_trims_beyond() {
        let usd: Currency = "USD".parse().unwrap();
        assert_eq!(format_amount(d("5"), usd), "5.00");
        assert_eq!(format_amount(d("1.2300"), usd), "1.23");
        assert_eq!(format_amount(d("0.0035"), usd), "0.0035");
        assert_eq!(canonical_decimal(d("-0.00")), "0");
        assert_eq!(canonical_decimal(d("10.500")), "10.5");
    }

    #[test]
    fn money_parses_either_order() {
        assert_eq!(Money::parse("12.34 USD").unwrap().amount, d("12.34"));
        assert_eq!(Money::parse("EUR -3").unwrap().currency.code(), "EUR");
        assert!(Money::parse("12,34 EUR").is_err());
        assert!(Money::parse("1e3 USD").is_err());
    }
}
