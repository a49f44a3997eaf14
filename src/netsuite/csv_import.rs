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

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use chrono::NaiveDate;
    use rust_decimal::Decimal;

    use super::*;
    use crate::netsuite::body::{journal_body, BodyIds};
    use crate::netsuite::journal::NsLine;

    fn doc(id: &str, lines: usize, memo: &str) -> NsDocument {
        let line = |i: usize| NsLine {
            entry_seq: 1,
            account: "1210".parse().unwrap(),
            account_id: "1210".into(),
            side: if i % 2 == 0 {
                Side::Debit
            } else {
                Side::Credit
            },
            amount: Decimal::from_str("10.50").unwrap(),
            memo: memo.into(),
            entity: Some("55".into()),
            department: None,
            class: None,
            location: None,
            order_id: Some("=HYPERLINK(\"x\")".into()),
        };
        NsDocument {
            external_id: id.into(),
            entry_seqs: vec![1],
            tran_date: NaiveDate::from_ymd_opt(2026, 3, 9).unwrap(),
            currency: "USD".parse().unwrap(),
            subsidiary: "1".into(),
            memo: memo.into(),
            lines: (0..lines).map(line).collect(),
        }
    }

    #[test]
    fn files_hold_whole_journal_entries_and_at_most_the_row_limit() {
        let docs: Vec<NsDocument> = (0..7).map(|i| doc(&format!("E{i}"), 4, "m")).collect();
        let files = split_files(&docs, 10);
        let sizes: Vec<usize> = files
            .iter()
            .map(|f| f.iter().map(|d| d.lines.len()).sum())
            .collect();
        assert_eq!(sizes, vec![8, 8, 8, 4]);
        assert_eq!(files.iter().map(|f| f.len()).sum::<usize>(), 7);
        // One entry longer than the limit gets a file of its own.
        let big = vec![doc("A", 2, "m"), doc("B", 12, "m"), doc("C", 2, "m")];
        let sizes: Vec<usize> = split_files(&big, 10).iter().map(|f| f.len()).collect();
        assert_eq!(sizes, vec![1, 1, 1]);
        assert!(split_files(&[], 10).is_empty());
    }

    #[test]
    fn rows_have_one_side_blank_dates_in_the_account_format_and_no_formulas() {
        let mut out = Vec::new();
        let rows = write_file(&mut out, &[doc("E1", 2, "+cmd|' /C calc'!A0")], "%m/%d/%Y").unwrap();
        assert_eq!(rows, 2);
        let text = String::from_utf8(out).unwrap();
        let mut lines = text.lines();
        assert!(lines
            .next()
            .unwrap()
            .starts_with("External ID,Date,Subsidiary"));
        let first = lines.next().unwrap();
        assert!(first.starts_with("E1,03/09/2026,1,USD,'+cmd"), "{first}");
        assert!(first.contains(",10.50,,"), "debit only: {first}");
        assert!(first.contains("'=HYPERLINK"), "{first}");
        let second = lines.next().unwrap();
        assert!(second.contains(",,10.50,"), "credit only: {second}");
    }

    #[test]
    fn rest_bodies_carry_exact_numbers_and_one_side_per_line() {
        let body = journal_body(
            &doc("E1", 2, "memo"),
            &BodyIds {
                currency_id: "1".into(),
                posting_period_id: "26".into(),
            },
        );
        assert!(body.contains("\"debit\":10.50"), "{body}");
        assert!(body.contains("\"credit\":10.50"), "{body}");
        assert!(
            !body.contains("\"credit\":0") && !body.contains("null"),
            "{body}"
        );
        let v: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(v["externalId"], "E1");
        assert_eq!(v["postingPeriod"]["id"], "26");
        assert_eq!(v["tranDate"], "2026-03-09");
        assert_eq!(v["line"]["items"][0]["entity"]["id"], "55");
    }
}
