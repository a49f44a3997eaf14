//! Journal exports that other tools read as they are: hledger's journal
//! format, beancount, and a flat CSV of postings. Entries stream from the
//! store to the writer; nothing holds the whole ledger in memory.

pub mod beancount;
pub mod close_report;
pub mod csv_export;
pub mod hledger;

use std::borrow::Cow;
use std::io::Write;

use serde::Serialize;

use crate::domain::{ChartOfAccounts, StoredEntry};
use crate::store::{EntryFilter, LedgerStore, StoreError};

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum JournalFormat {
    /// hledger / Ledger journal
    Ledger,
    /// beancount
    Beancount,
    /// one row per posting
    Csv,
    /// NetSuite's journal-entry CSV import (files of at most 25,000 rows)
    NetsuiteCsv,
}

/// One export format: a header from the chart, then entries in chain order.
pub trait JournalWriter {
    fn header(&mut self, chart: &ChartOfAccounts) -> std::io::Result<()>;
    fn entry(&mut self, entry: &StoredEntry, chart: &ChartOfAccounts) -> std::io::Result<()>;
    fn finish(&mut self) -> std::io::Result<()>;
}

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("could not write the export: {0}")]
    Io(#[from] std::io::Error),
}

#[derive(Debug, Default, Clone, Serialize)]
pub struct ExportSummary {
    pub entries: u64,
    pub postings: u64,
}

pub fn writer_for<'a>(
    format: JournalFormat,
    out: Box<dyn Write + Send + 'a>,
) -> Box<dyn JournalWriter + Send + 'a> {
    match format {
        JournalFormat::Ledger => Box::new(hledger::HledgerWriter::new(out)),
        JournalFormat::Beancount => Box::new(beancount::BeancountWriter::new(out)),
        JournalFormat::Csv => Box::new(csv_export::CsvWriter::new(out)),
        // Planned as NetSuite journal entries, not streamed: see
        // `netsuite::csv_import` and `settlebridge export journal`.
        JournalFormat::NetsuiteCsv => Box::new(csv_export::CsvWriter::new(out)),
    }
}

pub async fn export_journal(
    store: &dyn LedgerStore,
    chart: &ChartOfAccounts,
    filter: EntryFilter,
    writer: &mut (dyn JournalWriter + Send),
) -> Result<ExportSummary, ExportError> {
    writer.header(chart)?;
    let mut summary = ExportSummary::default();
    let mut io_error = None;
    let streamed = store
        .for_each_entry(filter, &mut |entry| {
            summary.entries += 1;
            summary.postings += entry.entry.postings().len() as u64;
            writer.entry(&entry, chart).map_err(|e| {
                let message = e.to_string();
                io_error = Some(e);
                StoreError::Stopped(message)
            })
        })
        .await;
    if let Some(e) = io_error {
        return Err(e.into());
    }
    streamed?;
    writer.finish()?;
    Ok(summary)
}

/// A cell a spreadsheet will not run as a formula: text starting with
/// `=`, `+`, `-`, `@`, a tab or a carriage return gets a leading `'`
/// (OWASP's advice for CSV injection).
pub fn spreadsheet_safe(cell: &str) -> Cow<'_, str> {
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => Cow::Owned(format!("'{cell}")),
        _ => Cow::Borrowed(cell),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn formulas_are_neutralized() {
        use super::spreadsheet_safe as s;
        assert_eq!(s("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(s("+1"), "'+1");
        assert_eq!(s("-2+3"), "'-2+3");
        assert_eq!(s("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(s("Order 12"), "Order 12");
        assert_eq!(s(""), "");
    }
}
