//! Import errors people can act on: every problem names the file, the row,
//! the column and the value, and a file reports all its problems (up to a
//! limit), not just the first.

use std::fmt;

/// At most this many problems are listed; the rest are counted.
pub const MAX_PROBLEMS: usize = 50;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportProblem {
    pub row: Option<u64>,
    pub column: Option<String>,
    pub value: Option<String>,
    pub message: String,
}

impl fmt::Display for ImportProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut place = Vec::new();
        if let Some(row) = self.row {
            place.push(format!("row {row}"));
        }
        if let Some(column) = &self.column {
            place.push(format!("column `{column}`"));
        }
        if let Some(value) = &self.value {
            place.push(format!("value `{value}`"));
        }
        if place.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "{}: {}", place.join(", "), self.message)
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ParseError {
    #[error("{file}: {}", render(.problems, *.more))]
    Problems {
        file: String,
        problems: Vec<ImportProblem>,
        /// Problems found beyond `MAX_PROBLEMS`.
        more: usize,
    },
    #[error("{file}: {message}")]
    NotThisFormat { file: String, message: String },
}

fn render(problems: &[ImportProblem], more: usize) -> String {
    let mut text = format!("{} problem(s); nothing was imported", problems.len() + more);
    for p in problems {
        text.push_str("\n  - ");
        text.push_str(&p.to_string());
    }
    if more > 0 {
        text.push_str(&format!("\n  … and {more} more"));
    }
    text
}

/// Collects problems while a file is read.
#[derive(Default)]
pub struct Problems {
    list: Vec<ImportProblem>,
    more: usize,
}

impl Problems {
    pub fn push(
        &mut self,
        row: Option<u64>,
        column: Option<&str>,
        value: Option<&str>,
        message: impl Into<String>,
    ) {
        if self.list.len() < MAX_PROBLEMS {
            self.list.push(ImportProblem {
                row,
                column: column.map(str::to_string),
                value: value.map(str::to_string),
                message: message.into(),
            });
        } else {
            self.more += 1;
        }
    }

    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// How many problems were found, listed or not.
    pub fn len(&self) -> usize {
        self.list.len() + self.more
    }

    /// Ok when nothing went wrong, otherwise every problem for `file`.
    pub fn finish(self, file: &str) -> Result<(), ParseError> {
        if self.list.is_empty() {
            Ok(())
        } else {
            Err(self.into_error(file))
        }
    }

    pub fn into_error(self, file: &str) -> ParseError {
        ParseError::Problems {
            file: file.to_string(),
            problems: self.list,
            more: self.more,
        }
    }
}
