//! Reading XLSX workbooks (TikTok's finance and order exports) through
//! calamine, cell by cell, so a sheet's understated `<dimension>` (TikTok
//! writes `A1:U2` over thousands of rows) never hides data and a hostile
//! file never makes us allocate what its claims say.
//!
//! Numbers: an XLSX stores a number as decimal text; calamine hands it over
//! as `f64`. The shortest text that round-trips that `f64` is the text the
//! file holds for any value of up to 15 significant digits — every money
//! amount — so amounts become exact decimals again. Ids are another matter:
//! an 18-digit TikTok id typed as a number has already lost digits, so id
//! cells typed as numbers are flagged (see `Row::is_numeric`).

use std::io::{Cursor, Read};

use calamine::{DataRef, Reader, Xlsx};

use super::problems::{ParseError, Problems};
use super::table::{Header, Row, MAX_CELL_BYTES, MAX_ROW_CELLS};

/// The most bytes one member of the zip may unpack to.
pub const MAX_MEMBER_BYTES: u64 = 1024 * 1024 * 1024;
/// The most bytes all members together may unpack to.
pub const MAX_UNPACKED_BYTES: u64 = 2 * 1024 * 1024 * 1024;
/// The most rows a sheet may have.
pub const MAX_SHEET_ROWS: u32 = 2_000_000;

/// Whether the bytes are a zip archive (an XLSX is one).
pub fn is_zip(bytes: &[u8]) -> bool {
    bytes.starts_with(b"PK\x03\x04")
}

/// Refuses archives that unpack to more than the limits, measuring what each
/// member really inflates to (declared sizes can lie) without holding it.
fn check_unpacked_size(file: &str, bytes: &[u8]) -> Result<(), ParseError> {
    check_unpacked_size_within(file, bytes, MAX_MEMBER_BYTES, MAX_UNPACKED_BYTES)
}

fn check_unpacked_size_within(
    file: &str,
    bytes: &[u8],
    max_member: u64,
    max_total: u64,
) -> Result<(), ParseError> {
    let refuse = |message: String| ParseError::NotThisFormat {
        file: file.into(),
        message,
    };
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|e| refuse(format!("not a readable XLSX (zip) file: {e}")))?;
    let mut total = 0u64;
    for i in 0..archive.len() {
        let mut member = archive
            .by_index(i)
            .map_err(|e| refuse(format!("not a readable XLSX (zip) file: {e}")))?;
        let name = member.name().to_string();
        let unpacked = std::io::copy(
            &mut (&mut member).take(max_member + 1),
            &mut std::io::sink(),
        )
        .map_err(|e| refuse(format!("`{name}` inside the workbook is unreadable: {e}")))?;
        if unpacked > max_member {
            return Err(refuse(format!(
                "`{name}` inside the workbook unpacks to more than {max_member} bytes; refused as a zip bomb"
            )));
        }
        total += unpacked;
        if total > max_total {
            return Err(refuse(format!(
                "the workbook unpacks to more than {max_total} bytes; refused as a zip bomb"
            )));
        }
    }
    Ok(())
}

pub struct Workbook<'b> {
    file: String,
    xlsx: Xlsx<Cursor<&'b [u8]>>,
}

impl<'b> Workbook<'b> {
    pub fn open(file: &str, bytes: &'b [u8]) -> Result<Self, ParseError> {
        if !is_zip(bytes) {
            return Err(ParseError::NotThisFormat {
                file: file.into(),
                message: "not an XLSX workbook".into(),
            });
        }
        check_unpacked_size(file, bytes)?;
        let xlsx = Xlsx::new(Cursor::new(bytes)).map_err(|e| ParseError::NotThisFormat {
            file: file.into(),
            message: format!("not a readable XLSX workbook: {e}"),
        })?;
        Ok(Workbook {
            file: file.into(),
            xlsx,
        })
    }

    pub fn sheet_names(&self) -> Vec<String> {
        self.xlsx.sheet_names()
    }

    /// The sheet whose name normalizes to `name` (case and spaces aside).
    pub fn find_sheet(&self, name: &str) -> Option<String> {
        let want = super::header::normalize_header(name);
        self.sheet_names()
            .into_iter()
            .find(|s| super::header::normalize_header(s) == want)
    }

    /// Every row of a sheet (blank rows left out), in order, with 1-based
    /// row numbers as Excel shows them. Formula cells are reported: a
    /// figure must be a value the channel wrote, not one computed on a
    /// spreadsheet afterwards. Holds the whole sheet: a large one is read
    /// with `check_formulas` and `sheet_rows` instead.
    pub fn rows(&mut self, sheet: &str, problems: &mut Problems) -> Result<Vec<Row>, ParseError> {
        self.check_formulas(sheet, problems)?;
        let mut reader = self.sheet_rows(sheet)?;
        let mut rows = Vec::new();
        while let Some(row) = reader.next_row(problems)? {
            rows.push(row);
        }
        Ok(rows)
    }

    /// Reports every formula cell of a sheet (a pass over its XML that
    /// keeps nothing).
    pub fn check_formulas(
        &mut self,
        sheet: &str,
        problems: &mut Problems,
    ) -> Result<(), ParseError> {
        let unreadable = unreadable(&self.file, sheet);
        let mut formulas = self
            .xlsx
            .worksheet_cells_reader(sheet)
            .map_err(&unreadable)?;
        while let Some(cell) = formulas.next_formula().map_err(&unreadable)? {
            if !cell.get_value().is_empty() {
                let (r, c) = cell.get_position();
                problems.push(
                    Some(r as u64 + 1),
                    Some(&column_letters(c)),
                    Some(cell.get_value()),
                    format!("sheet `{sheet}`: a formula, not a value"),
                );
            }
        }
        Ok(())
    }

    /// A sheet's rows one at a time, as `rows` gives them (formulas aside:
    /// see `check_formulas`), holding one row at a time.
    pub fn sheet_rows(&mut self, sheet: &str) -> Result<SheetRows<'_>, ParseError> {
        let unreadable = unreadable(&self.file, sheet);
        let mut reader = self
            .xlsx
            .worksheet_cells_reader(sheet)
            .map_err(unreadable)?;
        Ok(SheetRows {
            file: self.file.clone(),
            sheet: sheet.to_string(),
            // calamine does not name its cell reader's type: a closure does.
            next_cell: Box::new(move || reader.next_cell()),
            current: None,
            done: false,
        })
    }
}

fn unreadable(file: &str, sheet: &str) -> impl Fn(calamine::XlsxError) -> ParseError {
    let (file, sheet) = (file.to_string(), sheet.to_string());
    move |e| ParseError::NotThisFormat {
        file: file.clone(),
        message: format!("sheet `{sheet}` is unreadable: {e}"),
    }
}

type NextCell<'a> =
    Box<dyn FnMut() -> Result<Option<calamine::Cell<DataRef<'a>>>, calamine::XlsxError> + 'a>;

/// A sheet read row by row (see `Workbook::sheet_rows`): blank rows left
/// out, cells typed as numbers flagged, cells beyond the limits and
/// unreadable cells reported as problems.
pub struct SheetRows<'a> {
    file: String,
    sheet: String,
    next_cell: NextCell<'a>,
    /// The row being filled: the reader knows a row is complete when the
    /// next row's first cell arrives.
    current: Option<Row>,
    done: bool,
}

impl SheetRows<'_> {
    /// The next non-blank row; an unreadable sheet or one over
    /// `MAX_SHEET_ROWS` rows is an error.
    pub fn next_row(&mut self, problems: &mut Problems) -> Result<Option<Row>, ParseError> {
        let sheet = self.sheet.as_str();
        while !self.done {
            let Some(cell) = (self.next_cell)().map_err(unreadable(&self.file, sheet))? else {
                self.done = true;
                break;
            };
            let (r, c) = cell.get_position();
            if r >= MAX_SHEET_ROWS {
                self.done = true;
                return Err(ParseError::NotThisFormat {
                    file: self.file.clone(),
                    message: format!(
                        "sheet `{sheet}` has more than {MAX_SHEET_ROWS} rows; split the export"
                    ),
                });
            }
            if c as usize >= MAX_ROW_CELLS {
                problems.push(
                    Some(r as u64 + 1),
                    Some(&column_letters(c)),
                    None,
                    format!("sheet `{sheet}`: a cell beyond column {MAX_ROW_CELLS}"),
                );
                continue;
            }
            let (text, numeric) = match cell_text(cell.get_value()) {
                Ok(v) => v,
                Err(message) => {
                    problems.push(
                        Some(r as u64 + 1),
                        Some(&column_letters(c)),
                        None,
                        format!("sheet `{sheet}`: {message}"),
                    );
                    (String::new(), false)
                }
            };
            if text.len() > MAX_CELL_BYTES {
                problems.push(
                    Some(r as u64 + 1),
                    Some(&column_letters(c)),
                    None,
                    format!(
                        "sheet `{sheet}`: a cell of {} bytes is above the limit",
                        text.len()
                    ),
                );
                continue;
            }
            let line = r as u64 + 1;
            let finished = match &self.current {
                Some(row) if row.line != line => self.current.take(),
                _ => None,
            };
            let row = self.current.get_or_insert_with(|| Row {
                line,
                ..Row::default()
            });
            let c = c as usize;
            if row.cells.len() <= c {
                row.cells.resize(c + 1, String::new());
                row.numeric.resize(c + 1, false);
            }
            row.cells[c] = text;
            row.numeric[c] = numeric;
            if let Some(row) = finished.filter(is_not_blank) {
                return Ok(Some(row));
            }
        }
        Ok(self.current.take().filter(is_not_blank))
    }

    /// Reads on to the header: the first of the next `within` rows that
    /// `detect` recognizes (as `SheetTable::from_rows` finds it); the rows
    /// above it are passed over. None when none of them is recognized.
    pub fn find_header(
        &mut self,
        within: usize,
        detect: impl Fn(&[String]) -> bool,
        problems: &mut Problems,
    ) -> Result<Option<Header>, ParseError> {
        for _ in 0..within.max(1) {
            let Some(row) = self.next_row(problems)? else {
                return Ok(None);
            };
            let header = Header::new(row.cells, row.line);
            if detect(&header.names) {
                return Ok(Some(header));
            }
        }
        Ok(None)
    }
}

fn is_not_blank(row: &Row) -> bool {
    row.cells.iter().any(|c| !c.trim().is_empty())
}

/// A cell as text, and whether it was typed as a number.
fn cell_text(value: &DataRef<'_>) -> Result<(String, bool), String> {
    Ok(match value {
        DataRef::Empty => (String::new(), false),
        DataRef::String(s) => (s.clone(), false),
        DataRef::SharedString(s) => (s.to_string(), false),
        DataRef::Int(i) => (i.to_string(), true),
        DataRef::Float(f) => (float_text(*f), true),
        DataRef::Bool(b) => ((if *b { "TRUE" } else { "FALSE" }).to_string(), false),
        DataRef::DateTime(dt) => match dt.as_datetime() {
            Some(t) => (t.format("%Y-%m-%d %H:%M:%S").to_string(), false),
            None => return Err(format!("`{dt}` is not a date")),
        },
        DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => (s.clone(), false),
        DataRef::Error(e) => return Err(format!("the cell holds the error `{e}`")),
    })
}

/// The shortest decimal text that round-trips `f`: what the file wrote.
fn float_text(f: f64) -> String {
    if f.fract() == 0.0 && f.abs() < 1e15 {
        format!("{}", f as i64)
    } else {
        format!("{f}")
    }
}

/// `0` → `A`, `27` → `AB`: columns as Excel names them, for messages.
pub fn column_letters(index: u32) -> String {
    let mut n = index as u64 + 1;
    let mut out = Vec::new();
    while n > 0 {
        let rem = ((n - 1) % 26) as u8;
        out.push(b'A' + rem);
        n = (n - 1) / 26;
    }
    out.reverse();
    String::from_utf8(out).expect("ASCII letters")
}

/// A sheet read as a table: the header found among its first rows by
/// `detect`, then its data rows.
pub struct SheetTable {
    pub sheet: String,
    pub header: Header,
    pub rows: Vec<Row>,
}

impl SheetTable {
    /// Finds the header within the first `within` rows; None when no row
    /// there is recognized.
    pub fn from_rows(
        sheet: &str,
        rows: Vec<Row>,
        within: usize,
        detect: impl Fn(&[String]) -> bool,
    ) -> Option<Self> {
        let at = rows
            .iter()
            .take(within.max(1))
            .position(|r| detect(&Header::new(r.cells.clone(), r.line).names))?;
        let mut rows = rows;
        let data = rows.split_off(at + 1);
        let header_row = rows.pop().expect("the header row");
        Some(SheetTable {
            sheet: sheet.to_string(),
            header: Header::new(header_row.cells, header_row.line),
            rows: data,
        })
    }

    /// The trimmed cell of `column` in `row` ("" when absent).
    pub fn get<'r>(&self, row: &'r Row, column: &str) -> &'r str {
        self.header.get(row, column)
    }

    /// Whether the cell of `column` in `row` was typed as a number.
    pub fn is_numeric(&self, row: &Row, column: &str) -> bool {
        self.header
            .position(column)
            .is_some_and(|i| row.is_numeric(i))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_come_back_as_the_text_the_file_wrote() {
        assert_eq!(float_text(12.34), "12.34");
        assert_eq!(float_text(-1052.64), "-1052.64");
        assert_eq!(float_text(0.1 + 0.2), "0.30000000000000004");
        assert_eq!(float_text(45.0), "45");
        assert_eq!(float_text(-0.01), "-0.01");
    }

    fn zip_of(members: &[(&str, usize)]) -> Vec<u8> {
        use std::io::Write;
        let mut out = std::io::Cursor::new(Vec::new());
        let mut zip = zip::ZipWriter::new(&mut out);
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        for (name, zeros) in members {
            zip.start_file(*name, options).unwrap();
            zip.write_all(&vec![0u8; *zeros]).unwrap();
        }
        zip.finish().unwrap();
        out.into_inner()
    }

    #[test]
    fn workbooks_that_inflate_past_the_limits_are_refused_as_zip_bombs() {
        // 4 MiB of zeros packs into a few KiB: the ratio of a zip bomb.
        let bomb = zip_of(&[("xl/worksheets/sheet1.xml", 4 << 20)]);
        assert!(bomb.len() < 64 * 1024);
        let err = check_unpacked_size_within("bomb.xlsx", &bomb, 1 << 20, 8 << 20)
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            "bomb.xlsx: `xl/worksheets/sheet1.xml` inside the workbook unpacks to more than 1048576 bytes; refused as a zip bomb"
        );
        // Many members each below the limit, together above it.
        let many = zip_of(&[("a.xml", 3 << 20), ("b.xml", 3 << 20), ("c.xml", 3 << 20)]);
        let err = check_unpacked_size_within("many.xlsx", &many, 4 << 20, 8 << 20)
            .unwrap_err()
            .to_string();
        assert!(
            err.ends_with("the workbook unpacks to more than 8388608 bytes; refused as a zip bomb"),
            "{err}"
        );
        assert!(check_unpacked_size_within("ok.xlsx", &many, 4 << 20, 16 << 20).is_ok());
        // Not a zip at all.
        assert!(Workbook::open("x.xlsx", b"PK\x03\x04garbage").is_err());
    }

    #[test]
    fn columns_are_named_as_excel_names_them() {
        assert_eq!(column_letters(0), "A");
        assert_eq!(column_letters(25), "Z");
        assert_eq!(column_letters(26), "AA");
        assert_eq!(column_letters(27), "AB");
        assert_eq!(column_letters(16383), "XFD");
    }
}
