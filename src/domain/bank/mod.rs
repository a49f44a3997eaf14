//! Bank statements: what the bank says arrived, line by line, and the match
//! of each channel payout to the deposit(s) that carried it. Pure: parsers
//! live in `sources::bank`, storage in `store`.

pub mod account;
pub mod deposits;
pub mod matching;

pub use account::{BankAccount, BankAccounts, BankConfigError, BankCsv};

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::money::Currency;

/// One booked transaction on a bank statement.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct BankLine {
    /// The bank's own id for the transaction (OFX FITID, camt.053
    /// AcctSvcrRef / NtryRef), when it gives one.
    pub transaction_id: Option<String>,
    pub booked: NaiveDate,
    pub value_date: Option<NaiveDate>,
    /// Signed: positive is money in.
    pub amount: Decimal,
    pub currency: Currency,
    pub description: String,
    /// Remittance information / reference as the bank passes it on.
    pub reference: Option<String>,
    pub counterparty: Option<String>,
    /// Where in the file: 1-based line (text formats) or entry number (XML).
    pub row: u64,
}

impl BankLine {
    /// Everything a matcher may search for an id in.
    pub fn text(&self) -> String {
        let mut t = self.description.clone();
        for part in [&self.reference, &self.counterparty].into_iter().flatten() {
            t.push(' ');
            t.push_str(part);
        }
        t
    }

    /// The line's identity across overlapping statements: the bank's id
    /// when present, else a digest of what the bank says about it, with
    /// `occurrence` telling apart identical lines on one statement.
    pub fn identity(&self, occurrence: u32) -> String {
        match &self.transaction_id {
            Some(id) => format!("id:{id}"),
            None => {
                let mut h = Sha256::new();
                h.update(self.booked.to_string());
                h.update([0]);
                h.update(self.amount.normalize().to_string());
                h.update([0]);
                h.update(self.currency.code());
                h.update([0]);
                h.update(&self.description);
                h.update([0]);
                h.update(self.reference.as_deref().unwrap_or(""));
                format!("digest:{}:{occurrence}", &hex::encode(h.finalize())[..32])
            }
        }
    }
}

/// One statement of an account (a camt.053 `Stmt`, an OFX `STMTRS`, a CSV file).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct BankStatement {
    /// The statement's id when the format has one.
    pub statement_id: Option<String>,
    /// The account as the file names it (IBAN, account number).
    pub account: Option<String>,
    pub currency: Currency,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub opening: Option<Decimal>,
    pub closing: Option<Decimal>,
    pub lines: Vec<BankLine>,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum BankStatementError {
    #[error("statement {statement}: opening balance {opening} + lines {lines} = {expected}, but the closing balance is {closing} ({difference} apart)")]
    BalanceMismatch {
        statement: String,
        opening: Decimal,
        lines: Decimal,
        expected: Decimal,
        closing: Decimal,
        difference: Decimal,
    },
    #[error("statement {statement}, row {row}: the line is in {line}, the statement in {statement_currency}")]
    CurrencyMismatch {
        statement: String,
        row: u64,
        line: String,
        statement_currency: String,
    },
}

impl BankStatement {
    pub fn label(&self) -> String {
        self.statement_id
            .clone()
            .or_else(|| self.account.clone())
            .unwrap_or_else(|| "(unnamed)".into())
    }

    /// The file's own arithmetic: opening + Σ lines = closing, where the
    /// format carries both balances, and one currency throughout.
    pub fn check(&self) -> Result<(), BankStatementError> {
        for l in &self.lines {
            if l.currency != self.currency {
                return Err(BankStatementError::CurrencyMismatch {
                    statement: self.label(),
                    row: l.row,
                    line: l.currency.code().to_string(),
                    statement_currency: self.currency.code().to_string(),
                });
            }
        }
        if let (Some(opening), Some(closing)) = (self.opening, self.closing) {
            let lines: Decimal = self.lines.iter().map(|l| l.amount).sum();
            let expected = opening + lines;
            if expected != closing {
                return Err(BankStatementError::BalanceMismatch {
                    statement: self.label(),
                    opening,
                    lines,
                    expected,
                    closing,
                    difference: closing - expected,
                });
            }
        }
        Ok(())
    }
}

/// Business days between two dates (weekends skipped), in either direction.
pub fn business_days_between(a: NaiveDate, b: NaiveDate) -> u32 {
    use chrono::Datelike;
    let (from, to) = if a <= b { (a, b) } else { (b, a) };
    let mut days = 0;
    let mut d = from;
    while d < to {
        d = d.succ_opt().expect("dates stay in range");
        if d.weekday().number_from_monday() <= 5 {
            days += 1;
        }
    }
    days
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn line(amount: &str, id: Option<&str>) -> BankLine {
        BankLine {
            transaction_id: id.map(str::to_string),
            booked: day("2026-03-02"),
            value_date: None,
            amount: Decimal::from_str(amount).unwrap(),
            currency: "USD".parse().unwrap(),
            description: "SHOPIFY PAYOUT".into(),
            reference: None,
            counterparty: None,
            row: 1,
        }
    }

    #[test]
    fn balances_are_checked_and_named() {
        let mut s = BankStatement {
            statement_id: Some("STMT-1".into()),
            account: None,
            currency: "USD".parse().unwrap(),
            from: None,
            to: None,
            opening: Some(Decimal::from(100)),
            closing: Some(Decimal::from_str("150.25").unwrap()),
            lines: vec![line("50.25", None)],
        };
        assert!(s.check().is_ok());
        s.closing = Some(Decimal::from(150));
        let e = s.check().unwrap_err().to_string();
        assert!(e.contains("STMT-1") && e.contains("-0.25 apart"), "{e}");
    }

    #[test]
    fn identity_prefers_the_banks_id_and_tells_identical_lines_apart() {
        assert_eq!(line("1", Some("F1")).identity(0), "id:F1");
        let a = line("10.00", None);
        assert_eq!(
            a.identity(0),
            line("10.0", None).identity(0),
            "the amount's scale does not matter"
        );
        assert_ne!(a.identity(0), a.identity(1));
    }

    #[test]
    fn business_days_skip_weekends() {
        // Friday → next Friday: 5 business days; Friday → Monday: 1.
        assert_eq!(
            business_days_between(day("2026-03-06"), day("2026-03-13")),
            5
        );
        assert_eq!(
            business_days_between(day("2026-03-06"), day("2026-03-09")),
            1
        );
        assert_eq!(
            business_days_between(day("2026-03-09"), day("2026-03-06")),
            1
        );
    }
}
