//! hledger's journal format (also read by Ledger). Accounts are declared with
//! their type, currencies with their display precision, so `hledger check`
//! passes in strict mode. Credits are negative amounts, as hledger writes them.

use std::io::Write;

use super::JournalWriter;
use crate::domain::money::format_amount;
use crate::domain::{Account, AccountCode, AccountType, ChartOfAccounts, Currency, StoredEntry};

pub struct HledgerWriter<W> {
    out: W,
    currencies: std::collections::BTreeSet<Currency>,
}

impl<W: Write> HledgerWriter<W> {
    pub fn new(out: W) -> Self {
        HledgerWriter {
            out,
            currencies: Default::default(),
        }
    }
}

/// `assets:1210 Clearing - TikTok Shop`: the type as hledger's top-level
/// account, then code and name. Colons (hledger's separator) and runs of
/// spaces (which end an account name) are taken out of the name.
pub fn account_name(code: &AccountCode, chart: &ChartOfAccounts) -> String {
    match chart.get(code) {
        Some(a) => full_name(a),
        None => format!("unknown:{code}"),
    }
}

fn full_name(a: &Account) -> String {
    let root = match a.account_type {
        AccountType::Asset => "assets",
        AccountType::Liability => "liabilities",
        AccountType::Equity => "equity",
        AccountType::Income => "revenues",
        AccountType::Expense => "expenses",
    };
    let name = clean(&a.name).replace(':', "-");
    format!("{root}:{} {name}", a.code)
}

/// One line of text, no comment or tag delimiters, single spaces.
fn clean(s: &str) -> String {
    s.replace([';', '\n', '\r', '\t'], " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

fn tag_value(s: &str) -> String {
    clean(s).replace(',', " ")
}

impl<W: Write> JournalWriter for HledgerWriter<W> {
    fn header(&mut self, chart: &ChartOfAccounts) -> std::io::Result<()> {
        writeln!(self.out, "; settlebridge journal export (hledger format)")?;
        writeln!(self.out, "; credits are negative; amounts are exact")?;
        writeln!(self.out)?;
        for a in chart.iter() {
            let kind = match a.account_type {
                AccountType::Asset => "A",
                AccountType::Liability => "L",
                AccountType::Equity => "E",
                AccountType::Income => "R",
                AccountType::Expense => "X",
            };
            writeln!(self.out, "account {}  ; type:{kind}", full_name(a))?;
        }
        writeln!(self.out)
    }

    fn entry(&mut self, e: &StoredEntry, chart: &ChartOfAccounts) -> std::io::Result<()> {
        let entry = &e.entry;
        let mut tags = format!(
            "key:{}, kind:{}, hash:{}",
            tag_value(entry.idempotency_key()),
            entry.kind().as_str(),
            e.hash
        );
        if let Some(r) = entry.reverses() {
            tags.push_str(&format!(", reverses:{}", r.0));
        }
        writeln!(
            self.out,
            "{} * ({}) {}  ; {tags}",
            entry.date().format("%Y-%m-%d"),
            e.seq.0,
            clean(entry.description())
        )?;
        for p in entry.postings() {
            self.currencies.insert(p.amount.currency);
            let amount = format_amount(p.signed_amount(), p.amount.currency);
            let mut line = format!(
                "    {}  {amount} {}",
                account_name(&p.account, chart),
                p.amount.currency
            );
            let mut ptags = Vec::new();
            for (k, v) in [
                ("order", &p.source.order_id),
                ("statement", &p.source.statement_id),
                ("payout", &p.source.payout_id),
                ("shop", &p.segments.shop),
            ] {
                if let Some(v) = v {
                    ptags.push(format!("{k}:{}", tag_value(v)));
                }
            }
            if let Some(memo) = &p.memo {
                ptags.insert(0, tag_value(memo));
            }
            if !ptags.is_empty() {
                line.push_str("  ; ");
                line.push_str(&ptags.join(", "));
            }
            writeln!(self.out, "{line}")?;
        }
        writeln!(self.out)
    }

    fn finish(&mut self) -> std::io::Result<()> {
        // Commodity directives may come after use; they set display precision
        // and let `hledger check commodities` pass.
        for c in &self.currencies {
            // hledger wants a decimal mark even with no decimals: `1000.` for JPY.
            let mut sample = format_amount(rust_decimal::Decimal::new(1000, 0), *c);
            if !sample.contains('.') {
                sample.push('.');
            }
            writeln!(self.out, "commodity {sample} {c}")?;
        }
        self.out.flush()
    }
}
