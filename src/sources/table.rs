//! Reading a delimited file the way every format here needs: the header row
//! found and normalized, the format recognized by it, required columns
//! checked, blank rows skipped, and each row's cells decoded with invalid
//! UTF-8 reported by row and column rather than guessed at.

use std::collections::HashMap;
use std::io::Read;

use super::header::normalize_header;
use super::problems::{ParseError, Problems};

/// What a format says about its files.
pub struct TableFormat<'a> {
    pub delimiter: u8,
    /// Whether `"` quotes cells (CSV) or is plain text (Amazon's TSV).
    pub quoting: bool,
    /// Recognizes the format by its normalized header names.
    pub detect: fn(&[String]) -> bool,
    /// Said when `detect` refuses the header.
    pub not_this_format: &'a str,
    pub required: &'a [&'a str],
}

pub struct Table<R: Read> {
    /// The header's cells as written.
    pub raw_header: Vec<String>,
    /// The header's cells normalized (see `normalize_header`).
    pub header: Vec<String>,
    index: HashMap<String, usize>,
    records: csv::ByteRecordsIntoIter<R>,
}

/// One data row: its 1-based line in the file and its cells (BOM and
/// carriage returns removed, otherwise as written).
pub struct Row {
    pub line: u64,
    pub cells: Vec<String>,
}

impl<R: Read> Table<R> {
    pub fn open(file: &str, input: R, format: &TableFormat<'_>) -> Result<Self, ParseError> {
        let reader = csv::ReaderBuilder::new()
            .delimiter(format.delimiter)
            .quoting(format.quoting)
            .flexible(true)
            .has_headers(false)
            .from_reader(input);
        let mut records = reader.into_byte_records();
        let raw_header: Vec<String> = match records.next() {
            Some(Ok(r)) => r
                .iter()
                .map(|h| String::from_utf8_lossy(h).into_owned())
                .collect(),
            _ => {
                return Err(ParseError::NotThisFormat {
                    file: file.into(),
                    message: "the file is empty".into(),
                })
            }
        };
        let header: Vec<String> = raw_header.iter().map(|h| normalize_header(h)).collect();
        if !(format.detect)(&header) {
            return Err(ParseError::NotThisFormat {
                file: file.into(),
                message: format.not_this_format.into(),
            });
        }
        let index: HashMap<String, usize> = header
            .iter()
            .enumerate()
            .map(|(i, h)| (h.clone(), i))
            .collect();
        let mut problems = Problems::default();
        for column in format.required {
            if !index.contains_key(*column) {
                problems.push(Some(1), Some(column), None, "required column is missing");
            }
        }
        problems.finish(file)?;
        Ok(Table {
            raw_header,
            header,
            index,
            records,
        })
    }

    pub fn has_column(&self, column: &str) -> bool {
        self.index.contains_key(column)
    }

    /// The next non-blank row; unreadable cells are reported and read as blank.
    pub fn next_row(&mut self, problems: &mut Problems) -> Option<Row> {
        loop {
            let record = match self.records.next()? {
                Ok(r) => r,
                Err(e) => {
                    problems.push(None, None, None, format!("unreadable row: {e}"));
                    continue;
                }
            };
            let line = record.position().map(|p| p.line()).unwrap_or(0);
            if record.iter().all(|f| f.iter().all(u8::is_ascii_whitespace)) {
                continue; // e.g. the blank last line real files end with
            }
            let cells = record
                .iter()
                .enumerate()
                .map(|(i, raw)| match std::str::from_utf8(raw) {
                    Ok(s) => s
                        .trim_matches(|c: char| c == '\u{feff}' || c == '\r')
                        .to_string(),
                    Err(_) => {
                        problems.push(
                            Some(line),
                            self.header.get(i).map(String::as_str),
                            None,
                            "not valid UTF-8",
                        );
                        String::new()
                    }
                })
                .collect();
            return Some(Row { line, cells });
        }
    }

    /// The trimmed cell of `column` in `row` ("" when absent).
    pub fn get<'r>(&self, row: &'r Row, column: &str) -> &'r str {
        self.index
            .get(column)
            .and_then(|&i| row.cells.get(i))
            .map(|s| s.trim())
            .unwrap_or("")
    }
}
