//! Reading JSON values the way the TikTok API writes them: money as decimal
//! strings (a JSON number has been through a float somewhere and is a
//! problem), ids as strings, times as Unix seconds. Every problem names the
//! value's JSON path.

use rust_decimal::Decimal;
use serde_json::Value;

use crate::domain::settlement::Timestamp;
use crate::sources::amount::{parse_amount, DecimalMark};
use crate::sources::problems::Problems;
use crate::sources::time::unix_timestamp;

/// Where values are read: the row problems are reported on (the 1-based
/// transaction index; None at statement level) and the transaction's id.
#[derive(Clone, Copy)]
pub struct At<'a> {
    pub row: Option<u64>,
    pub id: Option<&'a str>,
}

impl At<'_> {
    fn message(&self, text: impl std::fmt::Display) -> String {
        match self.id {
            Some(id) => format!("transaction {id}: {text}"),
            None => text.to_string(),
        }
    }

    pub fn push(
        &self,
        problems: &mut Problems,
        path: &str,
        value: Option<&str>,
        text: impl std::fmt::Display,
    ) {
        problems.push(self.row, Some(path), value, self.message(text));
    }
}

/// A value as short text for messages.
pub fn show(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => {
            let text = other.to_string();
            if text.chars().count() > 80 {
                format!("{}…", text.chars().take(80).collect::<String>())
            } else {
                text
            }
        }
    }
}

/// A money field: a decimal string (blank and null are zero).
pub fn money(value: &Value, path: &str, at: At<'_>, problems: &mut Problems) -> Option<Decimal> {
    match value {
        Value::Null => Some(Decimal::ZERO),
        Value::String(s) => match parse_amount(s, DecimalMark::Point) {
            Ok(a) => Some(a),
            Err(e) => {
                at.push(problems, path, Some(s), e);
                None
            }
        },
        Value::Number(n) => {
            at.push(
                problems,
                path,
                Some(&n.to_string()),
                "a JSON number, not a string: the API sends amounts as decimal strings, so this one has been through a float (use the response as the API returned it)",
            );
            None
        }
        other => {
            at.push(problems, path, Some(&show(other)), "not an amount");
            None
        }
    }
}

/// An id or text field. Ids arrive as strings; one that arrives as a JSON
/// number with more than 15 digits may have been through a float and lost
/// digits (a problem), a shorter one is accepted with a warning.
pub fn text(
    value: &Value,
    path: &str,
    at: At<'_>,
    problems: &mut Problems,
    warnings: &mut Vec<String>,
) -> Option<String> {
    match value {
        Value::Null => None,
        Value::String(s) => Some(s.trim().to_string()).filter(|s| !s.is_empty()),
        Value::Number(n) => {
            let digits = n.to_string();
            let count = digits.bytes().filter(u8::is_ascii_digit).count();
            if n.is_f64() || count > 15 {
                at.push(
                    problems,
                    path,
                    Some(&digits),
                    format!("an id written as a JSON number ({count} digits) may have lost digits through a float; ids are strings in the API"),
                );
                None
            } else {
                warnings.push(format!(
                    "{}: {}",
                    path,
                    at.message(format!("the id {digits} is a JSON number, not a string"))
                ));
                Some(digits)
            }
        }
        other => {
            at.push(problems, path, Some(&show(other)), "not text");
            None
        }
    }
}

/// A time in Unix seconds (a JSON integer or a string of digits).
pub fn time(value: &Value, path: &str, at: At<'_>, problems: &mut Problems) -> Option<Timestamp> {
    let seconds = match value {
        Value::Null => return None,
        Value::String(s) if s.trim().is_empty() => return None,
        Value::String(s) => s.trim().parse::<i64>().ok(),
        Value::Number(n) => n.as_i64(),
        _ => None,
    };
    // Before 2000 or after 2100 is not a TikTok Shop time.
    match seconds.filter(|s| (946_684_800..4_102_444_800).contains(s)) {
        Some(s) => unix_timestamp(s),
        None => {
            at.push(
                problems,
                path,
                Some(&show(value)),
                "not a time (Unix seconds between 2000 and 2100)",
            );
            None
        }
    }
}
