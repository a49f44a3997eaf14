//! The error every bank-statement parser answers with, and the input rules
//! they share: a size limit, the text encoding, the statement's own check.

use std::borrow::Cow;

use rust_decimal::Decimal;

use crate::domain::bank::BankStatement;

/// Inputs above this size are refused before any parsing (uploads, fuzzing).
pub const MAX_INPUT_BYTES: usize = 200 * 1024 * 1024;

/// The most decimal places an amount may have (the store keeps millionths).
pub const MAX_SCALE: u32 = 6;

/// Amounts stay below 10^15 in magnitude, so that no sum of a file's lines
/// can overflow a decimal.
const MAX_INTEGER_DIGITS: usize = 15;

/// A value quoted in an error is cut to this many characters.
const MAX_QUOTED_CHARS: usize = 80;

/// A clear error naming file, line (1-based, of the text file; for XML the
/// line where the element starts) and where possible the field and value.
///
/// Displays like
/// "statement.xml, line 42, field Amt, value `12,5`: amount is not a decimal number".
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}{}: {message}", place(*.line, .field.as_deref(), .value.as_deref()))]
pub struct BankParseError {
    pub file: String,
    pub line: Option<u64>,
    pub field: Option<String>,
    pub value: Option<String>,
    pub message: String,
}

fn place(line: Option<u64>, field: Option<&str>, value: Option<&str>) -> String {
    let mut s = String::new();
    if let Some(line) = line {
        s.push_str(&format!(", line {line}"));
    }
    if let Some(field) = field {
        s.push_str(&format!(", field {field}"));
    }
    if let Some(value) = value {
        s.push_str(&format!(", value `{value}`"));
    }
    s
}

impl BankParseError {
    /// An error about the file as a whole.
    pub fn new(file: &str, message: impl Into<String>) -> Self {
        BankParseError {
            file: file.to_string(),
            line: None,
            field: None,
            value: None,
            message: message.into(),
        }
    }

    /// An error at a line of the file.
    pub fn at(file: &str, line: u64, message: impl Into<String>) -> Self {
        BankParseError::new(file, message).line(Some(line))
    }

    pub fn line(mut self, line: Option<u64>) -> Self {
        self.line = line;
        self
    }

    pub fn field(mut self, field: &str) -> Self {
        self.field = Some(field.to_string());
        self
    }

    /// The offending value, cut to a readable length.
    pub fn value(mut self, value: &str) -> Self {
        let mut v: String = value.chars().take(MAX_QUOTED_CHARS).collect();
        if v.len() < value.len() {
            v.push('…');
        }
        self.value = Some(v);
        self
    }
}

/// Refuses inputs over [`MAX_INPUT_BYTES`].
pub(crate) fn check_size(bytes: &[u8], file: &str) -> Result<(), BankParseError> {
    if bytes.len() > MAX_INPUT_BYTES {
        return Err(BankParseError::new(
            file,
            format!(
                "the file is {} bytes, above the limit of {} MB for a bank statement",
                bytes.len(),
                MAX_INPUT_BYTES / (1024 * 1024)
            ),
        ));
    }
    Ok(())
}

/// An amount the books can hold: at most [`MAX_SCALE`] decimal places and
/// fewer than 16 digits before the point.
pub(crate) fn bounded(amount: Decimal) -> Result<Decimal, &'static str> {
    let n = amount.normalize();
    if n.scale() > MAX_SCALE {
        return Err("more than 6 decimal places is not an amount the books can hold");
    }
    if n.abs().trunc().to_string().len() > MAX_INTEGER_DIGITS {
        return Err(
            "the amount is too large for a bank statement (more than 15 digits before the point)",
        );
    }
    Ok(amount)
}

/// The statement's own arithmetic (`BankStatement::check`), as a parse
/// error naming the statement; `line` is where its balance stands, if known.
pub(crate) fn checked(
    statement: BankStatement,
    file: &str,
    line: Option<u64>,
) -> Result<BankStatement, BankParseError> {
    match statement.check() {
        Ok(()) => Ok(statement),
        Err(e) => {
            let line = match &e {
                crate::domain::bank::BankStatementError::CurrencyMismatch { row, .. } => Some(*row),
                crate::domain::bank::BankStatementError::BalanceMismatch { .. } => line,
            };
            Err(BankParseError::new(file, e.to_string()).line(line))
        }
    }
}

/// Text as banks write it: UTF-8 (a leading BOM dropped), and where the
/// bytes are not valid UTF-8, Windows-1252 (which is Latin-1 plus printable
/// characters in 0x80–0x9F). Each byte maps to one character, so line
/// numbers stay those of the file.
pub(crate) fn decode_text(bytes: &[u8]) -> Cow<'_, str> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(s) => Cow::Borrowed(s),
        Err(_) => Cow::Owned(bytes.iter().map(|&b| windows_1252(b)).collect()),
    }
}

/// One Windows-1252 byte as a character. The five bytes 1252 leaves
/// undefined (0x81, 0x8D, 0x8F, 0x90, 0x9D) map as in Latin-1.
fn windows_1252(b: u8) -> char {
    const HIGH: [char; 32] = [
        '€', '\u{81}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{8D}', 'Ž',
        '\u{8F}', '\u{90}', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{9D}',
        'ž', 'Ÿ',
    ];
    match b {
        0x80..=0x9F => HIGH[usize::from(b - 0x80)],
        _ => char::from(b),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_names_file_line_field_and_value() {
        let e = BankParseError::at("statement.xml", 42, "amount is not a decimal number")
            .field("Amt")
            .value("12,5");
        assert_eq!(
            e.to_string(),
            "statement.xml, line 42, field Amt, value `12,5`: amount is not a decimal number"
        );
        assert_eq!(
            BankParseError::new("a.ofx", "empty").to_string(),
            "a.ofx: empty"
        );
    }

    #[test]
    fn long_values_are_cut() {
        let e = BankParseError::new("f", "m").value(&"x".repeat(500));
        assert_eq!(e.value.unwrap().chars().count(), MAX_QUOTED_CHARS + 1);
    }

    #[test]
    fn invalid_utf8_falls_back_to_windows_1252() {
        assert_eq!(decode_text(b"caf\xE9 \x80 5"), "café € 5");
        assert_eq!(decode_text("\u{FEFF}café".as_bytes()), "café");
        assert_eq!(decode_text(b"\x81\x9D").chars().count(), 2);
    }

    #[test]
    fn amounts_are_bounded() {
        use std::str::FromStr;
        let d = |s: &str| Decimal::from_str(s).unwrap();
        assert!(bounded(d("999999999999999.999999")).is_ok());
        assert!(
            bounded(d("-1.5000000")).is_ok(),
            "trailing zeros do not count"
        );
        assert!(bounded(d("1.0000001"))
            .unwrap_err()
            .contains("decimal places"));
        assert!(bounded(d("-1000000000000000"))
            .unwrap_err()
            .contains("too large"));
    }

    #[test]
    fn oversized_inputs_are_refused() {
        assert!(check_size(&[0u8; 16], "f").is_ok());
        // A zeroed allocation: the pages are never touched.
        let big = vec![0u8; MAX_INPUT_BYTES + 1];
        let e = check_size(&big, "upload.xml").unwrap_err().to_string();
        assert!(e.starts_with("upload.xml: ") && e.contains("200 MB"), "{e}");
    }
}
