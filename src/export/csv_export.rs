//! One row per posting, for spreadsheets and other tools. Text cells are
//! neutralized against formula injection; debit and credit are separate
//! columns, blank on the side a posting is not on.

use std::io::Write;

use super::{spreadsheet_safe, JournalWriter};
use crate::domain::money::format_amount;
use crate::domain::{ChartOfAccounts, Side, StoredEntry};

pub const HEADER: [&str; 26] = [
    "seq",
    "date",
    "kind",
    "idempotency_key",
    "description",
    "line",
    "account",
    "account_name",
    "debit",
    "credit",
    "currency",
    "memo",
    "subsidiary",
    "department",
    "class",
    "location",
    "channel",
    "shop",
    "order_id",
    "statement_id",
    "payout_id",
    "batch_id",
    "sheet",
    "source_row",
    "mapping_version",
    "entry_hash",
];

pub struct CsvWriter<W: Write> {
    out: csv::Writer<W>,
}

impl<W: Write> CsvWriter<W> {
    pub fn new(out: W) -> Self {
        CsvWriter {
            out: csv::Writer::from_writer(out),
        }
    }
}

fn text(v: &Option<String>) -> String {
    v.as_deref()
        .map(|s| spreadsheet_safe(s).into_owned())
        .unwrap_or_default()
}

impl<W: Write> JournalWriter for CsvWriter<W> {
    fn header(&mut self, _chart: &ChartOfAccounts) -> std::io::Result<()> {
        self.out.write_record(HEADER)?;
        Ok(())
    }

    fn entry(&mut self, e: &StoredEntry, chart: &ChartOfAccounts) -> std::io::Result<()> {
        let entry = &e.entry;
        for (i, p) in entry.postings().iter().enumerate() {
            let amount = format_amount(p.amount.amount, p.amount.currency);
            let (debit, credit) = match p.side {
                Side::Debit => (amount, String::new()),
                Side::Credit => (String::new(), amount),
            };
            let name = chart.get(&p.account).map(|a| a.name.as_str()).unwrap_or("");
            self.out.write_record([
                e.seq.0.to_string(),
                entry.date().format("%Y-%m-%d").to_string(),
                entry.kind().as_str().to_string(),
                spreadsheet_safe(entry.idempotency_key()).into_owned(),
                spreadsheet_safe(entry.description()).into_owned(),
                (i + 1).to_string(),
                p.account.to_string(),
                spreadsheet_safe(name).into_owned(),
                debit,
                credit,
                p.amount.currency.to_string(),
                text(&p.memo),
                text(&p.segments.subsidiary),
                text(&p.segments.department),
                text(&p.segments.class),
                text(&p.segments.location),
                text(&p.segments.channel),
                text(&p.segments.shop),
                text(&p.source.order_id),
                text(&p.source.statement_id),
                text(&p.source.payout_id),
                p.source.batch_id.map(|b| b.to_string()).unwrap_or_default(),
                text(&p.source.sheet),
                p.source.row.map(|r| r.to_string()).unwrap_or_default(),
                text(&p.mapping_version),
                e.hash.clone(),
            ])?;
        }
        Ok(())
    }

    fn finish(&mut self) -> std::io::Result<()> {
        self.out.flush()
    }
}
