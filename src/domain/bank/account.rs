//! Bank accounts, from `gl-mappings/banks.toml`:
//!
//! ```toml
//! [[bank]]
//! name = "operating-usd"            # what `import --bank` names
//! currency = "USD"
//! gl_account = "1010"               # the ledger's account for it
//! account = "US12BANK0000123456789"  # as statements name it (IBAN, number)
//! fee_account = "6190"              # bank fees and differences on deposits
//! csv = "chase"                     # a preset, or a [bank.csv_layout] table
//! window_business_days = 5
//! fee_tolerance = "25.00"           # most a quoted deposit may differ by
//! fx_account = "1030"               # currency exchange: payouts in another currency
//! ```

use serde::Deserialize;

use crate::domain::account::AccountCode;
use crate::domain::money::Currency;

#[derive(Clone, Debug, PartialEq)]
pub struct BankAccount {
    pub name: String,
    pub currency: Currency,
    pub gl_account: AccountCode,
    /// How statement files name the account, to route camt.053 and OFX files.
    pub account: Option<String>,
    pub fee_account: Option<AccountCode>,
    /// Where a payout in another currency is exchanged into this account's:
    /// its deposit books the payout's currency and the bank's through it.
    pub fx_account: Option<AccountCode>,
    /// How this bank's CSV exports look: a preset name or a layout table.
    pub csv: Option<BankCsv>,
    pub window_business_days: u32,
    /// The most a deposit quoting a payout may differ from it and still be
    /// its deposit (the difference booked on `fee_account`); beyond it, the
    /// pair is an exception. Default zero: any difference is one.
    pub fee_tolerance: rust_decimal::Decimal,
    /// How lines that are not channel payouts are booked (bank fees,
    /// interest, transfers), in order; the first whose text matches wins.
    pub rules: Vec<BankLineRule>,
}

/// `[[bank.rule]] contains = "SERVICE FEE"  account = "6900"`: a line whose
/// description, reference or counterparty contains the text (any case) is
/// booked against the account.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BankLineRule {
    pub contains: String,
    pub account: AccountCode,
    /// Only money out (`debit`) or only money in (`credit`).
    pub side: Option<crate::domain::Side>,
}

impl BankLineRule {
    pub fn matches(&self, text: &str, amount: rust_decimal::Decimal) -> bool {
        let side_ok = match self.side {
            None => true,
            Some(crate::domain::Side::Debit) => amount.is_sign_negative(),
            Some(crate::domain::Side::Credit) => !amount.is_sign_negative(),
        };
        side_ok && text.to_lowercase().contains(&self.contains.to_lowercase())
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum BankCsv {
    Preset(String),
    Layout(toml::Table),
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct BankAccounts {
    banks: Vec<BankAccount>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BankConfigError {
    #[error("banks.toml is not valid TOML: {0}")]
    Syntax(String),
    #[error("bank {index} ({name}): {message}")]
    Invalid {
        index: usize,
        name: String,
        message: String,
    },
    #[error("bank `{0}` is configured twice")]
    Duplicate(String),
    #[error("no bank `{name}` in banks.toml (configured: {known})")]
    Unknown { name: String, known: String },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BanksFile {
    #[serde(default, rename = "bank")]
    banks: Vec<BankEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BankEntry {
    name: String,
    currency: String,
    gl_account: String,
    account: Option<String>,
    fee_account: Option<String>,
    fx_account: Option<String>,
    csv: Option<String>,
    csv_layout: Option<toml::Table>,
    window_business_days: Option<u32>,
    fee_tolerance: Option<String>,
    #[serde(default, rename = "rule")]
    rules: Vec<RuleEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleEntry {
    contains: String,
    account: String,
    side: Option<String>,
}

impl BankAccounts {
    pub fn from_toml(text: &str) -> Result<BankAccounts, BankConfigError> {
        let file: BanksFile =
            toml::from_str(text).map_err(|e| BankConfigError::Syntax(e.to_string()))?;
        let mut banks: Vec<BankAccount> = Vec::new();
        for (i, e) in file.banks.into_iter().enumerate() {
            let invalid = |message: String| BankConfigError::Invalid {
                index: i + 1,
                name: e.name.clone(),
                message,
            };
            if e.name.is_empty()
                || !e
                    .name
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
            {
                return Err(invalid(
                    "name: lowercase letters, digits, - and _ only".into(),
                ));
            }
            if banks.iter().any(|b| b.name == e.name) {
                return Err(BankConfigError::Duplicate(e.name));
            }
            let currency: Currency = e
                .currency
                .parse()
                .map_err(|err| invalid(format!("currency: {err}")))?;
            let gl_account: AccountCode = e.gl_account.parse().map_err(|_| {
                invalid(format!(
                    "gl_account `{}` is not an account code",
                    e.gl_account
                ))
            })?;
            let fee_account = e
                .fee_account
                .as_ref()
                .map(|f| {
                    f.parse::<AccountCode>()
                        .map_err(|_| invalid(format!("fee_account `{f}` is not an account code")))
                })
                .transpose()?;
            let fx_account = e
                .fx_account
                .as_ref()
                .map(|f| {
                    f.parse::<AccountCode>()
                        .map_err(|_| invalid(format!("fx_account `{f}` is not an account code")))
                })
                .transpose()?;
            let csv = match (e.csv.clone(), e.csv_layout.clone()) {
                (Some(_), Some(_)) => {
                    return Err(invalid(
                        "give csv (a preset) or csv_layout, not both".into(),
                    ))
                }
                (Some(p), None) => Some(BankCsv::Preset(p)),
                (None, Some(t)) => Some(BankCsv::Layout(t)),
                (None, None) => None,
            };
            if let Some(other) = banks.iter().find(|b| b.gl_account == gl_account) {
                return Err(invalid(format!(
                    "gl_account {gl_account} is bank `{}`'s too: each bank account needs its own, so its balance can be tied to its statement",
                    other.name
                )));
            }
            let fee_tolerance = match &e.fee_tolerance {
                None => rust_decimal::Decimal::ZERO,
                Some(t) => t
                    .parse::<rust_decimal::Decimal>()
                    .ok()
                    .filter(|d| !d.is_sign_negative())
                    .ok_or_else(|| {
                        invalid(format!("fee_tolerance `{t}` is not an amount (\"25.00\")"))
                    })?,
            };
            let mut rules = Vec::new();
            for (n, r) in e.rules.iter().enumerate() {
                if r.contains.trim().is_empty() {
                    return Err(invalid(format!("rule {}: `contains` is empty", n + 1)));
                }
                let account = r.account.parse::<AccountCode>().map_err(|_| {
                    invalid(format!(
                        "rule {}: account `{}` is not an account code",
                        n + 1,
                        r.account
                    ))
                })?;
                let side = match r.side.as_deref() {
                    None => None,
                    Some("debit") => Some(crate::domain::Side::Debit),
                    Some("credit") => Some(crate::domain::Side::Credit),
                    Some(other) => {
                        return Err(invalid(format!(
                            "rule {}: side `{other}`: debit (money out) or credit (money in)",
                            n + 1
                        )))
                    }
                };
                rules.push(BankLineRule {
                    contains: r.contains.clone(),
                    account,
                    side,
                });
            }
            banks.push(BankAccount {
                name: e.name,
                currency,
                gl_account,
                account: e.account.map(|a| normalize_account(&a)),
                fee_account,
                fx_account,
                csv,
                window_business_days: e.window_business_days.unwrap_or(5),
                fee_tolerance,
                rules,
            });
        }
        Ok(BankAccounts { banks })
    }

    pub fn iter(&self) -> impl Iterator<Item = &BankAccount> {
        self.banks.iter()
    }

    pub fn is_empty(&self) -> bool {
        self.banks.is_empty()
    }

    pub fn get(&self, name: &str) -> Result<&BankAccount, BankConfigError> {
        self.banks
            .iter()
            .find(|b| b.name == name)
            .ok_or_else(|| BankConfigError::Unknown {
                name: name.to_string(),
                known: self
                    .banks
                    .iter()
                    .map(|b| b.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
            })
    }

    /// The bank account a statement names (IBAN or number, spaces ignored).
    pub fn by_account(&self, account: &str) -> Option<&BankAccount> {
        let wanted = normalize_account(account);
        self.banks
            .iter()
            .find(|b| b.account.as_deref() == Some(wanted.as_str()))
    }
}

/// IBANs are written in groups of four; compare without spaces, upper case.
pub fn normalize_account(account: &str) -> String {
    account
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_ascii_uppercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_example_parses() {
        let banks =
            BankAccounts::from_toml(include_str!("../../../gl-mappings/banks.example.toml"))
                .unwrap();
        let b = banks.get("operating-usd").unwrap();
        assert_eq!(b.fee_tolerance, rust_decimal::Decimal::new(2500, 2));
        assert!(matches!(b.csv, Some(BankCsv::Preset(ref p)) if p == "chase"));
        let rule = &b.rules[0];
        assert!(rule.matches("MONTHLY Service Fee", rust_decimal::Decimal::from(-15)));
        assert!(!rule.matches(
            "MONTHLY SERVICE FEE REFUND",
            rust_decimal::Decimal::from(15)
        ));
    }

    #[test]
    fn banks_parse_route_by_account_and_name_their_mistakes() {
        let banks = BankAccounts::from_toml(
            "[[bank]]\nname = \"eur\"\ncurrency = \"EUR\"\ngl_account = \"1011\"\naccount = \"DE89 3704 0044 0532 0130 00\"\ncsv_layout = { date = \"Date\" }\n\
             [[bank]]\nname = \"usd\"\ncurrency = \"USD\"\ngl_account = \"1010\"\ncsv = \"chase\"\nwindow_business_days = 3\nfee_tolerance = \"15\"\n",
        )
        .unwrap();
        assert_eq!(
            banks.by_account("de89370400440532013000").unwrap().name,
            "eur"
        );
        assert_eq!(banks.get("usd").unwrap().window_business_days, 3);
        assert_eq!(
            banks.get("usd").unwrap().fee_tolerance,
            rust_decimal::Decimal::from(15)
        );
        let e = BankAccounts::from_toml(
            "[[bank]]\nname = \"a\"\ncurrency = \"USD\"\ngl_account = \"1010\"\n[[bank]]\nname = \"b\"\ncurrency = \"USD\"\ngl_account = \"1010\"\n",
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("bank `a`'s too"), "{e}");
        assert!(
            matches!(banks.get("usd").unwrap().csv, Some(BankCsv::Preset(ref p)) if p == "chase")
        );
        let e = banks.get("gbp").unwrap_err().to_string();
        assert!(e.contains("configured: eur, usd"), "{e}");
        let e = BankAccounts::from_toml(
            "[[bank]]\nname = \"x\"\ncurrency = \"EURO\"\ngl_account = \"1010\"\n",
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("bank 1 (x): currency"), "{e}");
        let e = BankAccounts::from_toml(
            "[[bank]]\nname = \"x\"\ncurrency = \"EUR\"\ngl_account = \"1010\"\niban = \"1\"\n",
        )
        .unwrap_err();
        assert!(matches!(e, BankConfigError::Syntax(_)), "{e}");
    }
}
