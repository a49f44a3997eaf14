//! Header names as channels spell them, normalized so that `Order/adjustment
//! ID`, `Order\adjustment ID`, `order/adjustment  id ` and an NFD-encoded
//! copy all compare equal.

use unicode_normalization::UnicodeNormalization;

/// Trims (BOM, spaces, tabs), NFC-normalizes, maps `\` to `/`, collapses
/// internal whitespace to one space and case-folds.
pub fn normalize_header(raw: &str) -> String {
    let nfc: String = raw.nfc().collect();
    nfc.trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}')
        .replace('\\', "/")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::normalize_header as n;

    #[test]
    fn spellings_of_one_header_meet() {
        assert_eq!(n("Order/adjustment ID"), "order/adjustment id");
        assert_eq!(n("Order\\adjustment ID"), "order/adjustment id");
        assert_eq!(n("\u{feff}Type \t"), "type");
        assert_eq!(n("  Total   Revenue "), "total revenue");
        // NFD (e + combining acute) and NFC compare equal.
        assert_eq!(n("Ph\u{0065}\u{0301} giao hàng"), n("Ph\u{00e9} giao hàng"));
    }
}
