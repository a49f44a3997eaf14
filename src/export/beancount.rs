//! beancount's format. Account names become `Assets:1210-Clearing-TikTok-Shop`
//! (beancount allows letters, digits and `-` in a component); every account
//! is opened on 1970-01-01 so any entry date is valid.

use std::io::Write;

use super::JournalWriter;
use crate::domain::money::format_amount;
use crate::domain::{Account, AccountCode, AccountType, ChartOfAccounts, StoredEntry};

pub struct BeancountWriter<W> {
    out: W,
}

impl<W: Write> BeancountWriter<W> {
    pub fn new(out: W) -> Self {
        BeancountWriter { out }
    }
}

pub fn account_name(code: &AccountCode, chart: &ChartOfAccounts) -> String {
    match chart.get(code) {
        Some(a) => full_name(a),
        None => format!("Assets:Unknown-{}", component(code.as_str())),
    }
}

fn full_name(a: &Account) -> String {
    let root = match a.account_type {
        AccountType::Asset => "Assets",
        AccountType::Liability => "Liabilities",
        AccountType::Equity => "Equity",
        AccountType::Income => "Income",
        AccountType::Expense => "Expenses",
    };
    format!("{root}:{}", component(&format!("{} {}", a.code, a.name)))
}

/// Letters and digits kept, everything else a single `-`; starts with a
/// digit or capital (codes usually start with a digit; otherwise capitalize).
fn component(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    let out = out.trim_end_matches('-').to_string();
    let mut chars = out.chars();
    match chars.next() {
        Some(c) if c.is_ascii_digit() || c.is_ascii_uppercase() => out,
        Some(c) => c.to_ascii_uppercase().to_string() + chars.as_str(),
        None => "X".to_string(),
    }
}

fn quoted(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

impl<W: Write> JournalWriter for BeancountWriter<W> {
    fn header(&mut self, chart: &ChartOfAccounts) -> std::io::Result<()> {
        writeln!(
            self.out,
            ";; settlebridge journal export (beancount format)"
        )?;
        writeln!(self.out, "option \"title\" \"settlebridge ledger\"")?;
        writeln!(self.out)?;
        for a in chart.iter() {
            writeln!(self.out, "1970-01-01 open {}", full_name(a))?;
        }
        writeln!(self.out)
    }

    fn entry(&mut self, e: &StoredEntry, chart: &ChartOfAccounts) -> std::io::Result<()> {
        let entry = &e.entry;
        writeln!(
            self.out,
            "{} * \"settlebridge\" {}",
            entry.date().format("%Y-%m-%d"),
            quoted(entry.description())
        )?;
        writeln!(self.out, "  seq: {}", e.seq.0)?;
        writeln!(self.out, "  key: {}", quoted(entry.idempotency_key()))?;
        writeln!(self.out, "  kind: {}", quoted(entry.kind().as_str()))?;
        writeln!(self.out, "  hash: {}", quoted(&e.hash))?;
        if let Some(r) = entry.reverses() {
            writeln!(self.out, "  reverses: {}", r.0)?;
        }
        for p in entry.postings() {
            writeln!(
                self.out,
                "  {}  {} {}",
                account_name(&p.account, chart),
                format_amount(p.signed_amount(), p.amount.currency),
                p.amount.currency
            )?;
            for (k, v) in [
                ("memo", &p.memo),
                ("order", &p.source.order_id),
                ("statement", &p.source.statement_id),
                ("payout", &p.source.payout_id),
                ("shop", &p.segments.shop),
            ] {
                if let Some(v) = v {
                    writeln!(self.out, "    {k}: {}", quoted(v))?;
                }
            }
        }
        writeln!(self.out)
    }

    fn finish(&mut self) -> std::io::Result<()> {
        self.out.flush()
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn components_are_valid_beancount() {
        assert_eq!(
            super::component("1210 Clearing - TikTok Shop"),
            "1210-Clearing-TikTok-Shop"
        );
        assert_eq!(super::component("sales (net)"), "Sales-net");
        assert_eq!(super::component("—"), "X");
    }
}
