//! Amounts as channels write them: `1,052.64`, `$12.00`, `(3.10)`, `32.09    `,
//! `95,00` in EU files, `/` or blank for zero. The decimal mark is decided
//! once per file (from the format and marketplace), never guessed per cell.

use rust_decimal::Decimal;

/// Which character separates the integer and fractional parts in a file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DecimalMark {
    /// `1,234.56`
    Point,
    /// `1.234,56`
    Comma,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AmountError {
    #[error("`{0}` is not an amount")]
    NotAnAmount(String),
    #[error("`{0}` is a formula, not a value")]
    Formula(String),
    #[error(
        "`{value}` has misplaced thousands separators (this file uses {mark} as the decimal mark)"
    )]
    BadGrouping { value: String, mark: &'static str },
}

/// Text that stands for zero in channel exports.
fn is_zero_marker(s: &str) -> bool {
    matches!(s, "" | "/" | "-" | "–" | "—")
}

/// Currency signs and codes that may lead or trail a number.
const CURRENCY_SIGNS: [&str; 12] = [
    "US$", "CA$", "A$", "R$", "$", "€", "£", "¥", "₹", "₩", "₱", "฿",
];

fn strip_currency(s: &str) -> &str {
    let mut s = s.trim();
    for sign in CURRENCY_SIGNS {
        s = s.strip_prefix(sign).unwrap_or(s).trim();
        s = s.strip_suffix(sign).unwrap_or(s).trim();
    }
    // An ISO code before or after the number: `USD 12.00`, `12.00 EUR`.
    if s.len() > 4 && s.is_char_boundary(3) && s[..3].chars().all(|c| c.is_ascii_uppercase()) {
        s = s[3..].trim();
    }
    if s.len() > 4
        && s.is_char_boundary(s.len() - 3)
        && s[s.len() - 3..].chars().all(|c| c.is_ascii_uppercase())
    {
        s = s[..s.len() - 3].trim();
    }
    s
}

/// The plain form nearly every cell of a large export has (`-12.34`,
/// `1052`), read without the general path's trimming and sign stripping:
/// the same value it gives, at a fraction of the cost.
fn plain(raw: &str, mark: DecimalMark) -> Option<Decimal> {
    let digits = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
    let body = raw.strip_prefix('-').unwrap_or(raw);
    let (int_part, frac_part) = match (mark, body.split_once('.')) {
        (DecimalMark::Point, Some((i, f))) => (i, Some(f)),
        (_, None) => (body, None),
        // A point in a decimal-comma file groups thousands: not plain.
        (DecimalMark::Comma, Some(_)) => return None,
    };
    if digits(int_part) && frac_part.is_none_or(digits) {
        Decimal::from_str_exact(raw).ok()
    } else {
        None
    }
}

/// Parses one amount cell. Blank, `/` and dashes are zero.
pub fn parse_amount(raw: &str, mark: DecimalMark) -> Result<Decimal, AmountError> {
    if let Some(value) = plain(raw, mark) {
        return Ok(value);
    }
    let not = || AmountError::NotAnAmount(raw.to_string());
    let mut s = raw.trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}');
    s = s.strip_prefix('\'').unwrap_or(s).trim();
    if is_zero_marker(s) {
        return Ok(Decimal::ZERO);
    }
    if s.starts_with('=') {
        return Err(AmountError::Formula(raw.to_string()));
    }
    let mut negative = false;
    if let Some(inner) = s.strip_prefix('(').and_then(|x| x.strip_suffix(')')) {
        negative = true;
        s = inner.trim();
    }
    s = strip_currency(s);
    for minus in ['-', '−'] {
        if let Some(rest) = s.strip_prefix(minus) {
            if negative {
                return Err(not());
            }
            negative = true;
            s = strip_currency(rest);
        } else if let Some(rest) = s.strip_suffix(minus) {
            if negative {
                return Err(not());
            }
            negative = true;
            s = rest.trim();
        }
    }
    if let Some(rest) = s.strip_prefix('+') {
        s = rest.trim();
    }
    let (decimal, group) = match mark {
        DecimalMark::Point => ('.', ','),
        DecimalMark::Comma => (',', '.'),
    };
    let (int_part, frac_part) = match s.split_once(decimal) {
        Some((i, f)) => (i, Some(f)),
        None => (s, None),
    };
    let digits_only = |t: &str| !t.is_empty() && t.chars().all(|c| c.is_ascii_digit());
    // Thousands groups: the separator, or a space of any kind, between groups of three.
    let groups: Vec<&str> = int_part
        .split([group, ' ', '\u{a0}', '\u{202f}', '\''])
        .collect();
    if groups.len() > 1 {
        let ok = digits_only(groups[0])
            && groups[0].len() <= 3
            && groups[1..].iter().all(|g| g.len() == 3 && digits_only(g));
        if !ok {
            return Err(AmountError::BadGrouping {
                value: raw.to_string(),
                mark: if mark == DecimalMark::Point {
                    "a point"
                } else {
                    "a comma"
                },
            });
        }
    } else if !(digits_only(int_part) || (int_part.is_empty() && frac_part.is_some())) {
        return Err(not());
    }
    let mut text = String::with_capacity(s.len() + 2);
    if negative {
        text.push('-');
    }
    text.push_str(if int_part.is_empty() { "0" } else { "" });
    text.push_str(&groups.concat());
    if let Some(f) = frac_part {
        if !digits_only(f) {
            return Err(not());
        }
        text.push('.');
        text.push_str(f);
    }
    Decimal::from_str_exact(&text).map_err(|_| not())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Decimal {
        parse_amount(s, DecimalMark::Point).unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    fn c(s: &str) -> Decimal {
        parse_amount(s, DecimalMark::Comma).unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    fn d(s: &str) -> Decimal {
        Decimal::from_str_exact(s).unwrap()
    }

    #[test]
    fn what_channels_write() {
        assert_eq!(p("32.09    "), d("32.09"));
        assert_eq!(p("\"-1,052.64\"".trim_matches('"')), d("-1052.64"));
        assert_eq!(p("$1,234,567.891"), d("1234567.891"));
        assert_eq!(p("(3.10)"), d("-3.10"));
        assert_eq!(p("($3.10)"), d("-3.10"));
        assert_eq!(p("-$3.10"), d("-3.10"));
        assert_eq!(p("3.10-"), d("-3.10"));
        assert_eq!(p("USD 12.00"), d("12.00"));
        assert_eq!(p("12.00 EUR"), d("12.00"));
        assert_eq!(p("'0012.5"), d("12.5"));
        assert_eq!(p(".5"), d("0.5"));
        assert_eq!(p("+7"), d("7"));
        assert_eq!(p("−4.2"), d("-4.2"));
        for zero in ["", "  ", "/", "-", "—", "\t"] {
            assert_eq!(p(zero), Decimal::ZERO, "{zero:?}");
        }
    }

    #[test]
    fn plain_cells_read_as_the_general_path_reads_them() {
        for raw in [
            "0",
            "-0",
            "12.34",
            "-12.34",
            "-0.00",
            "007",
            "1052",
            "-1052.640",
            "45.",
            "79228162514264337593543950336",
            "-",
        ] {
            for mark in [DecimalMark::Point, DecimalMark::Comma] {
                let fast = plain(raw, mark);
                // The general path, on the same text padded so it is not plain.
                let general = parse_amount(&format!(" {raw} "), mark);
                if let Some(v) = fast {
                    assert_eq!(Ok(v), general, "{raw:?} {mark:?}");
                    assert_eq!(v.to_string(), general.unwrap().to_string());
                }
            }
        }
        assert_eq!(plain("12.34", DecimalMark::Comma), None);
        assert_eq!(plain("1,234.56", DecimalMark::Point), None);
        assert_eq!(plain("+7", DecimalMark::Point), None);
    }

    #[test]
    fn decimal_comma_files() {
        assert_eq!(c("95,00"), d("95.00"));
        assert_eq!(c("1.234,56"), d("1234.56"));
        assert_eq!(c("1 234,56 €"), d("1234.56"));
        assert_eq!(c("-0,01"), d("-0.01"));
        // In a decimal-comma file a lone point is a thousands separator, so
        // `1.5` is refused rather than read as 15.
        assert!(matches!(
            parse_amount("1.5", DecimalMark::Comma),
            Err(AmountError::BadGrouping { .. })
        ));
    }

    #[test]
    fn refuses_what_is_not_an_amount() {
        for bad in [
            "abc", "1e3", "12.3.4", "1,2", "--5", "(-5)", "5 apples", "NaN", "١٢",
        ] {
            assert!(parse_amount(bad, DecimalMark::Point).is_err(), "{bad}");
        }
        assert_eq!(
            parse_amount("=1+2", DecimalMark::Point),
            Err(AmountError::Formula("=1+2".into()))
        );
        assert_eq!(
            parse_amount("1,2", DecimalMark::Point)
                .unwrap_err()
                .to_string(),
            "`1,2` has misplaced thousands separators (this file uses a point as the decimal mark)"
        );
    }
}
