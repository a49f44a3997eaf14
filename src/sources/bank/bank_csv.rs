//! Bank CSV exports, read by a column layout (a preset or the user's own):
//! the header row is found by its columns, each row after it is a line, and
//! a running-balance column, where there is one, is checked on every row.

mod amount;

#[cfg(test)]
mod tests;

use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::domain::bank::{BankLine, BankStatement};
use crate::domain::money::Currency;
use crate::sources::bank::error::{check_size, checked, decode_text, BankParseError};
use amount::parse_amount;

/// The header row is looked for in this many rows from the top.
const HEADER_SEARCH_ROWS: usize = 30;

/// Which columns of a bank's CSV export say what. Column names are matched
/// trimmed and case-folded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CsvLayout {
    pub date: String,
    /// A chrono format: `%m/%d/%Y`.
    pub date_format: String,
    /// Joined by " " where not empty.
    pub description: Vec<String>,
    /// A signed amount column (positive is money in) …
    pub amount: Option<String>,
    /// … or a debit (money out) and a credit (money in) column.
    pub debit: Option<String>,
    pub credit: Option<String>,
    /// A running balance after each row.
    pub balance: Option<String>,
    pub reference: Option<String>,
    /// `1.234,56` rather than `1,234.56`, for the whole file.
    pub decimal_comma: bool,
    pub delimiter: u8,
}

/// The names [`csv_preset`] knows.
pub const CSV_PRESETS: &[&str] = &["chase", "bank-of-america", "debit-credit"];

fn names(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

/// A layout by name, one of [`CSV_PRESETS`].
pub fn csv_preset(name: &str) -> Option<CsvLayout> {
    let base = |date: &str, fmt: &str, description: &[&str]| CsvLayout {
        date: date.into(),
        date_format: fmt.into(),
        description: names(description),
        amount: None,
        debit: None,
        credit: None,
        balance: None,
        reference: None,
        decimal_comma: false,
        delimiter: b',',
    };
    match name {
        // Chase checking/savings "Download account activity" CSV:
        // Details,Posting Date,Description,Amount,Type,Balance,Check or Slip #
        // (newest first; data rows carry one more trailing comma than the header).
        // Layout as commonly exported; verify against your bank's file.
        "chase" => Some(CsvLayout {
            amount: Some("Amount".into()),
            balance: Some("Balance".into()),
            reference: Some("Check or Slip #".into()),
            ..base("Posting Date", "%m/%d/%Y", &["Description"])
        }),
        // Bank of America checking/savings download: a few summary lines
        // (beginning balance, totals, ending balance) above the header
        // Date,Description,Amount,Running Bal. and a first "Beginning
        // balance" row with no amount.
        // Layout as commonly exported; verify against your bank's file.
        "bank-of-america" => Some(CsvLayout {
            amount: Some("Amount".into()),
            balance: Some("Running Bal.".into()),
            ..base("Date", "%m/%d/%Y", &["Description"])
        }),
        // European-style export: Date;Description;Debit;Credit;Balance,
        // day-first dates, decimal comma with `.` thousands, `;` delimiter.
        // Layout as commonly exported; verify against your bank's file.
        "debit-credit" => Some(CsvLayout {
            debit: Some("Debit".into()),
            credit: Some("Credit".into()),
            balance: Some("Balance".into()),
            decimal_comma: true,
            delimiter: b';',
            ..base("Date", "%d/%m/%Y", &["Description"])
        }),
        _ => None,
    }
}

fn fold(s: &str) -> String {
    s.trim_matches(|c: char| c.is_whitespace() || c == '\u{FEFF}')
        .to_lowercase()
}

/// Where each column of the layout is in the file.
struct Columns {
    date: usize,
    description: Vec<usize>,
    amount: Option<usize>,
    debit: Option<usize>,
    credit: Option<usize>,
    balance: Option<usize>,
    reference: Option<usize>,
}

impl Columns {
    fn find(
        header: &csv::StringRecord,
        layout: &CsvLayout,
        file: &str,
        line: u64,
    ) -> Result<Columns, BankParseError> {
        let folded: Vec<String> = header.iter().map(fold).collect();
        let index = |name: &str| -> Result<usize, BankParseError> {
            folded.iter().position(|h| *h == fold(name)).ok_or_else(|| {
                BankParseError::at(
                    file,
                    line,
                    "the layout names this column, the header has no such column",
                )
                .field(name)
            })
        };
        let optional = |name: &Option<String>| name.as_deref().map(index).transpose();
        Ok(Columns {
            date: index(&layout.date)?,
            description: layout
                .description
                .iter()
                .map(|d| index(d))
                .collect::<Result<_, _>>()?,
            amount: optional(&layout.amount)?,
            debit: optional(&layout.debit)?,
            credit: optional(&layout.credit)?,
            balance: optional(&layout.balance)?,
            reference: optional(&layout.reference)?,
        })
    }
}

/// The csv crate's record positions point at the line break before a
/// record when blank lines precede it (its line number then names the blank
/// line): skip the breaks and count lines from the bytes instead.
struct Lines<'a> {
    bytes: &'a [u8],
    pos: usize,
    line: u64,
}

impl Lines<'_> {
    /// The 1-based line of the record reported at byte `offset`
    /// (offsets only grow).
    fn line_of(&mut self, offset: u64) -> u64 {
        let mut start = usize::try_from(offset)
            .unwrap_or(usize::MAX)
            .clamp(self.pos, self.bytes.len());
        while matches!(self.bytes.get(start), Some(b'\r' | b'\n')) {
            start += 1;
        }
        self.line += self.bytes[self.pos..start]
            .iter()
            .filter(|&&b| b == b'\n')
            .count() as u64;
        self.pos = start;
        self.line
    }
}

/// One data row as read, before the running balance is checked.
struct Row {
    line: u64,
    date: NaiveDate,
    /// `None` on a balance-only row ("Beginning balance as of …").
    amount: Option<Decimal>,
    balance: Option<Decimal>,
    balance_text: String,
    description: String,
    reference: Option<String>,
}

/// Parses a bank's CSV export by `layout`, all amounts in `currency`.
pub fn parse_bank_csv(
    bytes: &[u8],
    file: &str,
    layout: &CsvLayout,
    currency: Currency,
) -> Result<BankStatement, BankParseError> {
    check_size(bytes, file)?;
    let debit_credit = layout.debit.as_deref().filter(|_| layout.credit.is_some());
    let Some(money_column) = layout.amount.as_deref().or(debit_credit) else {
        return Err(BankParseError::new(
            file,
            "the CSV layout names neither an amount column nor both a debit and a credit column",
        ));
    };
    let text = decode_text(bytes);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(layout.delimiter)
        .from_reader(text.as_bytes());
    let signature = [fold(&layout.date), fold(money_column)];
    let mut lines = Lines {
        bytes: text.as_bytes(),
        pos: 0,
        line: 1,
    };
    let mut columns = None;
    let mut rows = Vec::new();
    for (n, record) in reader.records().enumerate() {
        let record = record.map_err(|e| {
            let line = e.position().map(|p| lines.line_of(p.byte()));
            BankParseError::new(file, format!("not readable as CSV: {e}")).line(line)
        })?;
        let line = lines.line_of(record.position().map_or(0, |p| p.byte()));
        match &columns {
            None => {
                let folded: Vec<String> = record.iter().map(fold).collect();
                if signature.iter().all(|s| folded.contains(s)) {
                    columns = Some(Columns::find(&record, layout, file, line)?);
                } else if n + 1 >= HEADER_SEARCH_ROWS {
                    break;
                }
            }
            Some(cols) => {
                if record.iter().all(|c| c.trim().is_empty()) {
                    continue;
                }
                rows.push(row(&record, line, cols, layout, file)?);
            }
        }
    }
    if columns.is_none() {
        return Err(BankParseError::new(
            file,
            format!(
                "no header row with the columns `{}` and `{}` in the first {HEADER_SEARCH_ROWS} rows",
                layout.date, money_column
            ),
        ));
    }
    let (opening, closing) = match &layout.balance {
        Some(column) => running_balance(&rows, column, file)?,
        None => (None, None),
    };
    let lines: Vec<BankLine> = rows
        .into_iter()
        .filter_map(|r| {
            Some(BankLine {
                transaction_id: None,
                booked: r.date,
                value_date: None,
                amount: r.amount?,
                currency,
                description: r.description,
                reference: r.reference,
                counterparty: None,
                row: r.line,
            })
        })
        .collect();
    let statement = BankStatement {
        statement_id: None,
        account: None,
        currency,
        from: lines.iter().map(|l| l.booked).min(),
        to: lines.iter().map(|l| l.booked).max(),
        opening,
        closing,
        lines,
    };
    checked(statement, file, None)
}

fn row(
    record: &csv::StringRecord,
    line: u64,
    cols: &Columns,
    layout: &CsvLayout,
    file: &str,
) -> Result<Row, BankParseError> {
    let cell = |i: usize| record.get(i).unwrap_or("").trim();
    let money =
        |i: Option<usize>, name: &Option<String>| -> Result<Option<Decimal>, BankParseError> {
            let Some(i) = i else { return Ok(None) };
            parse_amount(cell(i), layout.decimal_comma).map_err(|m| {
                BankParseError::at(file, line, m)
                    .field(name.as_deref().unwrap_or(""))
                    .value(cell(i))
            })
        };

    let raw_date = cell(cols.date);
    let date = NaiveDate::parse_from_str(raw_date, &layout.date_format).map_err(|_| {
        BankParseError::at(
            file,
            line,
            format!("not a date in the format {}", layout.date_format),
        )
        .field(&layout.date)
        .value(raw_date)
    })?;

    let balance = money(cols.balance, &layout.balance)?;
    let amount = if cols.amount.is_some() {
        money(cols.amount, &layout.amount)?
    } else {
        let debit = money(cols.debit, &layout.debit)?.map(|d| d.abs());
        let credit = money(cols.credit, &layout.credit)?;
        match (debit, credit) {
            (Some(d), Some(c)) if !d.is_zero() && !c.is_zero() => {
                return Err(BankParseError::at(
                    file,
                    line,
                    format!(
                        "both {} ({d}) and {} ({c}) have a value; a row is one or the other",
                        layout.debit.as_deref().unwrap_or(""),
                        layout.credit.as_deref().unwrap_or("")
                    ),
                ))
            }
            (Some(d), Some(c)) => Some(c - d),
            (Some(d), None) => Some(-d),
            (None, c) => c,
        }
    };
    if amount.is_none() && balance.is_none() {
        let what = match &layout.amount {
            Some(a) => format!("the {a} cell is blank"),
            None => format!(
                "neither {} nor {} has a value",
                layout.debit.as_deref().unwrap_or(""),
                layout.credit.as_deref().unwrap_or("")
            ),
        };
        return Err(BankParseError::at(
            file,
            line,
            format!("{what}: the row has no amount"),
        ));
    }
    let description = cols
        .description
        .iter()
        .map(|&i| cell(i))
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    let reference = cols
        .reference
        .map(cell)
        .filter(|s| !s.is_empty())
        .map(str::to_string);
    Ok(Row {
        line,
        date,
        amount,
        balance,
        balance_text: cols.balance.map(cell).unwrap_or("").to_string(),
        description,
        reference,
    })
}

/// Checks previous balance + amount = balance on every row, in date order
/// (a newest-first file is walked from the bottom), and returns the opening
/// and closing balances it implies.
///
/// A row with a balance but no amount ("Beginning balance as of …") is no
/// line: it sets the balance when it comes first and must tie otherwise. A
/// row with no balance carries the computed balance on.
fn running_balance(
    rows: &[Row],
    column: &str,
    file: &str,
) -> Result<(Option<Decimal>, Option<Decimal>), BankParseError> {
    let newest_first = matches!((rows.first(), rows.last()), (Some(a), Some(b)) if a.date > b.date);
    let ordered: Box<dyn Iterator<Item = &Row>> = if newest_first {
        Box::new(rows.iter().rev())
    } else {
        Box::new(rows.iter())
    };
    let mut previous: Option<(Decimal, u64)> = None;
    let mut before_first_balance = Decimal::ZERO;
    let mut opening = None;
    for r in ordered {
        let amount = r.amount.unwrap_or(Decimal::ZERO);
        match (previous, r.balance) {
            (Some((p, prow)), Some(b)) if p + amount != b => {
                return Err(BankParseError::at(
                    file,
                    r.line,
                    format!(
                        "the running balance breaks here: the balance before this row is {p} (row {prow}), plus the amount {amount} makes {}, but the row's balance is {b} ({} apart)",
                        p + amount,
                        b - (p + amount)
                    ),
                )
                .field(column)
                .value(&r.balance_text));
            }
            (_, Some(b)) => {
                if previous.is_none() {
                    opening = Some(b - amount - before_first_balance);
                }
                previous = Some((b, r.line));
            }
            (Some((p, _)), None) => previous = Some((p + amount, r.line)),
            (None, None) => before_first_balance += amount,
        }
    }
    Ok((opening, previous.map(|(b, _)| b)))
}
