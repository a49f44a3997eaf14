//! NetSuite's journal-entry CSV import (Setup > Import/Export > Import CSV
//! Records > Transactions > Journal Entry), for accounts without API access:
//! one row per line, header values repeated on each row, grouped by External
//! ID, separate Debit and Credit columns with the other side blank (never
//! 0.00, which NetSuite reports as a rounding error), at most 25,000 rows a
//! file and a journal entry never split across files.
//!
//! Accounts are written as account numbers (turn on "Use Account Numbers");
//! subsidiary, customer, department, class and location as internal ids
//! (map those columns by Internal ID in the Import Assistant).

use std::io::Write;

use crate::domain::Side;
use crate::export::spreadsheet_safe;

use super::journal::NsDocument;

/// NetSuite's CSV import takes at most 25,000 records per file.
pub const MAX_ROWS_PER_FILE: usize = 25_000;

pub const HEADER: [&str; 14] = [
    "External ID",
    "Date",
    "Subsidiary",
    "Currency",
    "Memo",
    "Journal Entry - Line: Account",
    "Journal Entry - Line: Debit",
    "Journal Entry - Line: Credit",
    "Journal Entry - Line: Memo",
    "Journal Entry - Line: Name",
    "Journal Entry - Line: Department",
    "Journal Entry - Line: Class",
    "Journal Entry - Line: Location",
    "Journal Entry - Line: Order",
];

/// Splits documents into files of at most `max_rows` rows, whole documents
/// only. A document longer than `max_rows` gets a file of its own.
pub fn split_files(docs: &[NsDocument], max_rows: usize) -> Vec<&[NsDocument]> {
    let mut files = Vec::new();
    let mut start = 0;
    let mut rows = 0;
    for (i, d) in docs.iter().enumerate() {
        if rows > 0 && rows + d.lines.len() > max_rows {
            files.push(&docs[start..i]);
            start = i;
            rows = 0;
        }
        rows += d.lines.len();
    }
    if start < docs.len() {
        files.push(&docs[start..]);
    }
    files
}

/// Writes one file's documents. Returns the number of rows written.
pub fn write_file(
    out: impl Write,
    docs: &[NsDocument],
    date_format: &str,
) -> Result<usize, csv::Error> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record(HEADER)?;
    let mut rows = 0;
    for d in docs {
        let date = d.tran_date.format(date_format).to_string();
        for l in &d.lines {
            let amount = l.amount.to_string();
            let (debit, credit) = match l.side {
                Side::Debit => (amount.as_str(), ""),
                Side::Credit => ("", amount.as_str()),
            };
            let opt = |v: &Option<String>| v.clone().unwrap_or_default();
            let record = [
                d.external_id.clone(),
                date.clone(),
                d.subsidiary.clone(),
                d.currency.code().to_string(),
                d.memo.clone(),
                l.account_id.clone(),
                debit.to_string(),
                credit.to_string(),
                l.memo.clone(),
                opt(&l.entity),
                opt(&l.department),
                opt(&l.class),
                opt(&l.location),
                opt(&l.order_id),
            ];
            w.write_record(record.iter().map(|c| spreadsheet_safe(c).into_owned()))?;
            rows += 1;
        }
    }
    w.flush()?;
    Ok(rows)
}
