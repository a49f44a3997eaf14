//! Amounts as bank CSV exports write them: `1234.56`, `-15.00`, `$1,234.56`,
//! `1.234,56` (decimal comma files), `(12.00)`, `12.00-`, `1 234,56 €`,
//! trailing spaces; a blank cell is no value. Whether the file uses a
//! decimal comma is the layout's word, never guessed per cell.

use rust_decimal::Decimal;

use crate::sources::bank::error::bounded;

/// Signs and codes that may stand before or after the number.
const CURRENCY_SIGNS: [&str; 10] = ["US$", "CA$", "A$", "$", "€", "£", "¥", "₹", "CHF", "kr"];

fn strip_currency(s: &str) -> &str {
    let mut s = s.trim();
    for sign in CURRENCY_SIGNS {
        s = s.strip_prefix(sign).unwrap_or(s).trim();
        s = s.strip_suffix(sign).unwrap_or(s).trim();
    }
    // An ISO code: `USD 12.00`, `12,00 EUR`.
    let is_code = |c: &str| c.len() == 3 && c.bytes().all(|b| b.is_ascii_uppercase());
    if let Some((code, rest)) = s.split_once(' ') {
        if is_code(code) {
            s = rest.trim();
        }
    }
    if let Some((rest, code)) = s.rsplit_once(' ') {
        if is_code(code) {
            s = rest.trim();
        }
    }
    s
}

/// Whether a character groups thousands: the file's grouping mark, a space
/// (plain, no-break or narrow no-break) or an apostrophe (Swiss).
fn is_grouping(c: char, mark: char) -> bool {
    c == mark || matches!(c, ' ' | '\u{A0}' | '\u{202F}' | '\'' | '’')
}

/// One amount cell: `Ok(None)` when blank.
pub(crate) fn parse_amount(raw: &str, decimal_comma: bool) -> Result<Option<Decimal>, String> {
    let (decimal, grouping) = if decimal_comma {
        (',', '.')
    } else {
        ('.', ',')
    };
    let not_an_amount = || "not an amount".to_string();
    let mut s = raw.trim();
    if s.is_empty() {
        return Ok(None);
    }
    let mut negatives = 0;
    if let Some(inner) = s.strip_prefix('(').and_then(|x| x.strip_suffix(')')) {
        negatives += 1;
        s = inner;
    }
    s = strip_currency(s);
    for _ in 0..2 {
        if let Some(rest) = s.strip_prefix('-').or_else(|| s.strip_suffix('-')) {
            negatives += 1;
            s = strip_currency(rest);
        } else if let Some(rest) = s.strip_prefix('+') {
            s = strip_currency(rest);
        }
    }
    if negatives > 1 {
        return Err("the amount has more than one minus sign".into());
    }
    let (int, frac) = match s.split_once(decimal) {
        Some((i, f)) => (i, f),
        None => (s, ""),
    };
    if !frac.bytes().all(|b| b.is_ascii_digit()) || (int.is_empty() && frac.is_empty()) {
        return Err(not_an_amount());
    }
    if !int
        .chars()
        .all(|c| c.is_ascii_digit() || is_grouping(c, grouping))
    {
        return Err(not_an_amount());
    }
    let groups: Vec<&str> = int.split(|c| is_grouping(c, grouping)).collect();
    if groups.len() > 1
        && (groups[0].is_empty() || groups[0].len() > 3 || groups[1..].iter().any(|g| g.len() != 3))
    {
        return Err(format!(
            "misplaced thousands separators (this file's decimal mark is `{decimal}`)"
        ));
    }
    let digits: String = groups.concat();
    let digits = if digits.is_empty() { "0" } else { &digits };
    let sign = if negatives == 1 { "-" } else { "" };
    let exact = if frac.is_empty() {
        format!("{sign}{digits}")
    } else {
        format!("{sign}{digits}.{frac}")
    };
    Decimal::from_str_exact(&exact)
        .map_err(|_| "the amount is too large or too precise")
        .and_then(bounded)
        .map(Some)
        .map_err(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn ok(raw: &str, comma: bool) -> Decimal {
        parse_amount(raw, comma).unwrap().unwrap()
    }

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn point_files() {
        assert_eq!(ok("1234.56", false), d("1234.56"));
        assert_eq!(ok("-15.00", false), d("-15.00"));
        assert_eq!(ok("$1,234.56", false), d("1234.56"));
        assert_eq!(ok("-$1,234.56", false), d("-1234.56"));
        assert_eq!(ok("$-12.00", false), d("-12.00"));
        assert_eq!(ok("(12.00)", false), d("-12.00"));
        assert_eq!(ok("($1,000.00)", false), d("-1000.00"));
        assert_eq!(ok("12.00-", false), d("-12.00"));
        assert_eq!(ok("  42.10   ", false), d("42.10"));
        assert_eq!(ok("USD 7", false), d("7"));
        assert_eq!(ok("1,234,567", false), d("1234567"));
        assert_eq!(ok(".5", false), d("0.5"));
        assert_eq!(ok("1'234.50", false), d("1234.50"));
        assert_eq!(parse_amount("   ", false), Ok(None));
    }

    #[test]
    fn comma_files() {
        assert_eq!(ok("1.234,56", true), d("1234.56"));
        assert_eq!(ok("-1.234,56", true), d("-1234.56"));
        assert_eq!(ok("1 234,56 €", true), d("1234.56"));
        assert_eq!(ok("12,5", true), d("12.5"));
        assert_eq!(ok("1.234", true), d("1234"));
        assert_eq!(ok("12.345.678,90 EUR", true), d("12345678.90"));
    }

    #[test]
    fn the_decimal_mark_is_never_guessed() {
        let e = parse_amount("12,50", false).unwrap_err();
        assert!(e.contains("misplaced thousands"), "{e}");
        assert!(parse_amount("1.234,56", false).is_err());
        assert!(parse_amount("1,234.56", true).is_err());
        assert!(parse_amount("12.5", true).is_err());
    }

    #[test]
    fn junk_is_refused() {
        for raw in [
            "abc", "1.2.3", "--5", "(-5)", "1,23,456", "$", "-", "1e5", "0x10", ",12",
        ] {
            assert!(parse_amount(raw, false).is_err(), "{raw}");
        }
        assert!(parse_amount(&"9".repeat(40), false).is_err());
        assert!(parse_amount("1,000,000,000,000,000.00", false).is_err());
        assert!(parse_amount("0.0000001", false).is_err());
    }
}
