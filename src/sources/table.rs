//! Reading a delimited file the way every format here needs: the header row
//! found (below banners and preambles) and normalized, the format recognized
//! by it, required columns checked, blank rows skipped, and each row's cells
//! decoded with invalid UTF-8 reported by row and column rather than guessed
//! at. Rows stream: a file is never held whole by the reader.

use std::collections::HashMap;
use std::io::Read;

use super::header::normalize_header;
use super::problems::{ParseError, Problems};

/// The longest cell accepted; a longer one is hostile or broken input.
pub const MAX_CELL_BYTES: usize = 64 * 1024;
/// The most cells a row may have.
pub const MAX_ROW_CELLS: usize = 1024;

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
    /// How many rows may stand above the header (banners, preambles); the
    /// header is the first of them that `detect` recognizes.
    pub header_within: usize,
}

/// A header row: its cells as written and normalized, and where each
/// normalized name is.
#[derive(Clone, Debug)]
pub struct Header {
    /// The header's cells as written.
    pub raw: Vec<String>,
    /// The header's cells normalized (see `normalize_header`).
    pub names: Vec<String>,
    /// The 1-based line or sheet row the header is on.
    pub line: u64,
    index: HashMap<String, usize>,
}

impl Header {
    pub fn new(raw: Vec<String>, line: u64) -> Self {
        let names: Vec<String> = raw.iter().map(|h| normalize_header(h)).collect();
        let mut index = HashMap::new();
        for (i, h) in names.iter().enumerate() {
            // The first of two equal names wins, as a reader would expect.
            index.entry(h.clone()).or_insert(i);
        }
        Header {
            raw,
            names,
            line,
            index,
        }
    }

    pub fn has(&self, column: &str) -> bool {
        self.index.contains_key(column)
    }

    pub fn position(&self, column: &str) -> Option<usize> {
        self.index.get(column).copied()
    }

    /// The first of `aliases` this header has (formats rename columns).
    pub fn resolve<'n>(&self, aliases: &[&'n str]) -> Option<&'n str> {
        aliases.iter().copied().find(|a| self.has(a))
    }

    /// Reports every required column the header lacks.
    pub fn check_required(&self, required: &[&str], problems: &mut Problems) {
        for column in required {
            if !self.has(column) {
                problems.push(
                    Some(self.line),
                    Some(column),
                    None,
                    "required column is missing",
                );
            }
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

/// One data row: its 1-based line in the file (or row in the sheet) and its
/// cells (BOM and carriage returns removed, otherwise as written).
#[derive(Clone, Debug, Default)]
pub struct Row {
    pub line: u64,
    pub cells: Vec<String>,
    /// For workbook rows: which cells were typed as numbers (ids typed as
    /// numbers may have lost digits). Empty for text files.
    pub numeric: Vec<bool>,
}

impl Row {
    pub fn is_numeric(&self, index: usize) -> bool {
        self.numeric.get(index).copied().unwrap_or(false)
    }
}

pub struct Table<R: Read> {
    pub header: Header,
    reader: csv::Reader<R>,
}

/// Reads the next record and the 1-based line it starts on. csv's own
/// record position is taken before the blank lines it skips (and, in a CRLF
/// file, before the LF of the previous row), so the line is counted back
/// from where the record ends instead: the reader's line, less the record's
/// terminating LF and the LFs inside its (quoted) cells.
fn read_record<R: Read>(
    reader: &mut csv::Reader<R>,
) -> Option<csv::Result<(csv::ByteRecord, u64)>> {
    let mut record = csv::ByteRecord::new();
    match reader.read_byte_record(&mut record) {
        Ok(false) => None,
        Err(e) => Some(Err(e)),
        Ok(true) => {
            let end = reader.position().line();
            let terminated = u64::from(!reader.is_done());
            let inner = record.as_slice().iter().filter(|b| **b == b'\n').count() as u64;
            Some(Ok((record, end.saturating_sub(terminated + inner).max(1))))
        }
    }
}

fn decode(record: &csv::ByteRecord) -> Vec<String> {
    record
        .iter()
        .map(|h| {
            String::from_utf8_lossy(h)
                .trim_matches(|c: char| c == '\u{feff}' || c == '\r')
                .to_string()
        })
        .collect()
}

impl<R: Read> Table<R> {
    pub fn open(file: &str, input: R, format: &TableFormat<'_>) -> Result<Self, ParseError> {
        // Records end at `\n` only: with csv's default (CR, LF or CRLF) a
        // CRLF file's rows report the line before their own, because the LF
        // is counted as part of the next record. The CR left at the end of
        // a row's last cell is trimmed when cells are decoded.
        let reader = csv::ReaderBuilder::new()
            .delimiter(format.delimiter)
            .quoting(format.quoting)
            // Records end at `\n` only: with csv's default CRLF terminator a
            // record after `\r\n` is positioned on the `\n` and reported one
            // line early. The `\r` left in a last cell is trimmed below.
            .terminator(csv::Terminator::Any(b'\n'))
            .flexible(true)
            .has_headers(false)
            .from_reader(input);
        let mut reader = reader;
        let within = format.header_within.max(1);
        let mut seen = 0;
        let header = loop {
            let (record, line) = match read_record(&mut reader) {
                Some(Ok(r)) => r,
                Some(Err(e)) => {
                    return Err(ParseError::NotThisFormat {
                        file: file.into(),
                        message: format!("unreadable before the header: {e}"),
                    })
                }
                None if seen == 0 => {
                    return Err(ParseError::NotThisFormat {
                        file: file.into(),
                        message: "the file is empty".into(),
                    })
                }
                None => {
                    return Err(ParseError::NotThisFormat {
                        file: file.into(),
                        message: format.not_this_format.into(),
                    })
                }
            };
            seen += 1;
            let header = Header::new(decode(&record), line);
            if (format.detect)(&header.names) {
                break header;
            }
            if seen >= within {
                return Err(ParseError::NotThisFormat {
                    file: file.into(),
                    message: format.not_this_format.into(),
                });
            }
        };
        let mut problems = Problems::default();
        header.check_required(format.required, &mut problems);
        problems.finish(file)?;
        Ok(Table { header, reader })
    }

    pub fn has_column(&self, column: &str) -> bool {
        self.header.has(column)
    }

    /// The header's cells as written.
    pub fn raw_header(&self) -> Vec<String> {
        self.header.raw.clone()
    }

    /// The next non-blank row; unreadable cells are reported and read as blank.
    pub fn next_row(&mut self, problems: &mut Problems) -> Option<Row> {
        loop {
            let (record, line) = match read_record(&mut self.reader)? {
                Ok(r) => r,
                Err(e) => {
                    // Only the input itself fails here (cells are bytes);
                    // reading on could repeat the failure for ever.
                    problems.push(None, None, None, format!("unreadable row: {e}"));
                    return None;
                }
            };
            if record.iter().all(|f| f.iter().all(u8::is_ascii_whitespace)) {
                continue; // e.g. the blank last line real files end with
            }
            if record.len() > MAX_ROW_CELLS {
                problems.push(
                    Some(line),
                    None,
                    None,
                    format!(
                        "{} cells is more than the {MAX_ROW_CELLS} a row may have",
                        record.len()
                    ),
                );
                continue;
            }
            let cells = record
                .iter()
                .enumerate()
                .map(|(i, raw)| {
                    let column = self.header.names.get(i).map(String::as_str);
                    if raw.len() > MAX_CELL_BYTES {
                        problems.push(
                            Some(line),
                            column,
                            None,
                            format!(
                                "a cell of {} bytes is above the limit of {MAX_CELL_BYTES}",
                                raw.len()
                            ),
                        );
                        return String::new();
                    }
                    match std::str::from_utf8(raw) {
                        Ok(s) => s
                            .trim_matches(|c: char| c == '\u{feff}' || c == '\r')
                            .to_string(),
                        Err(_) => {
                            problems.push(Some(line), column, None, "not valid UTF-8");
                            String::new()
                        }
                    }
                })
                .collect();
            return Some(Row {
                line,
                cells,
                numeric: Vec::new(),
            });
        }
    }

    /// The trimmed cell of `column` in `row` ("" when absent).
    pub fn get<'r>(&self, row: &'r Row, column: &str) -> &'r str {
        self.header.get(row, column)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(text: &str) -> Vec<(u64, Vec<String>)> {
        let mut table = Table::open(
            "t.csv",
            text.as_bytes(),
            &TableFormat {
                delimiter: b',',
                quoting: true,
                detect: |h| h.first().is_some_and(|c| c == "a"),
                not_this_format: "no",
                required: &[],
                header_within: 1,
            },
        )
        .unwrap();
        let mut problems = Problems::default();
        let mut out = Vec::new();
        while let Some(row) = table.next_row(&mut problems) {
            out.push((row.line, row.cells));
        }
        assert!(problems.is_empty());
        out
    }

    #[test]
    fn crlf_and_lf_rows_report_their_own_line() {
        let expected = vec![
            (2, vec!["1".to_string(), "x".to_string()]),
            (4, vec!["2".to_string(), "y\r\nz".to_string()]),
            (6, vec!["3".to_string(), "w".to_string()]),
        ];
        assert_eq!(lines("a,b\r\n1,x\r\n\r\n2,\"y\r\nz\"\r\n3,w\r\n"), expected);
        let lf = lines("a,b\n1,x\n\n2,\"y\r\nz\"\n3,w\n");
        assert_eq!(lf, expected);
    }
}
