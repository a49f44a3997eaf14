//! The report has no currency column: the preamble names it (`All
//! amounts in USD, unless specified`), or else the rows' marketplace does.

use crate::domain::money::Currency;
use crate::sources::header::normalize_header;

use super::{detect, HEADER_WITHIN};

/// The currency a marketplace pays in.
pub fn marketplace_currency(marketplace: &str) -> Option<&'static str> {
    let m = marketplace.trim().to_lowercase();
    let domain = m.strip_prefix("www.").unwrap_or(&m);
    Some(match domain {
        "amazon.com" => "USD",
        "amazon.ca" => "CAD",
        "amazon.com.mx" => "MXN",
        "amazon.com.br" => "BRL",
        "amazon.co.uk" => "GBP",
        "amazon.de" | "amazon.fr" | "amazon.it" | "amazon.es" | "amazon.nl" | "amazon.com.be"
        | "amazon.ie" => "EUR",
        "amazon.se" => "SEK",
        "amazon.pl" => "PLN",
        "amazon.com.tr" => "TRY",
        "amazon.ae" => "AED",
        "amazon.sa" => "SAR",
        "amazon.eg" => "EGP",
        "amazon.in" => "INR",
        "amazon.co.jp" => "JPY",
        "amazon.com.au" => "AUD",
        "amazon.sg" => "SGD",
        _ => return None,
    })
}

/// The currency the preamble names (`All amounts in USD, unless
/// specified`): Ok(None) when it names none, Err when it names several.
pub fn preamble_currency(lines: &[String]) -> Result<Option<Currency>, String> {
    let mut found: Vec<Currency> = Vec::new();
    for line in lines {
        for word in line.split(|c: char| !c.is_ascii_alphanumeric()) {
            if word.len() == 3 && word.chars().all(|c| c.is_ascii_uppercase()) {
                if let Ok(c) = word.parse::<Currency>() {
                    if !found.contains(&c) {
                        found.push(c);
                    }
                }
            }
        }
    }
    match found.as_slice() {
        [] => Ok(None),
        [one] => Ok(Some(*one)),
        many => Err(format!(
            "the lines above the header name several currencies ({})",
            many.iter().map(|c| c.code()).collect::<Vec<_>>().join(", ")
        )),
    }
}

/// The lines above the header, as text.
pub fn preamble(bytes: &[u8]) -> Vec<String> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes);
    let mut lines = Vec::new();
    for record in reader.byte_records().take(HEADER_WITHIN) {
        let Ok(record) = record else { break };
        let cells: Vec<String> = record
            .iter()
            .map(|c| String::from_utf8_lossy(c).into_owned())
            .collect();
        let names: Vec<String> = cells.iter().map(|c| normalize_header(c)).collect();
        if detect(&names) {
            break;
        }
        lines.push(cells.join(","));
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_preamble_or_the_marketplace_names_the_currency() {
        let lines = |l: &[&str]| l.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            preamble_currency(&lines(&[
                "Includes Amazon Marketplace, Fulfillment by Amazon (FBA), and Amazon Webstore transactions",
                "All amounts in USD, unless specified",
            ]))
            .unwrap()
            .map(|c| c.code().to_string()),
            Some("USD".to_string())
        );
        assert_eq!(preamble_currency(&lines(&["Definitions:"])).unwrap(), None);
        assert!(preamble_currency(&lines(&["All amounts in USD", "or in CAD"])).is_err());
        assert_eq!(marketplace_currency("Amazon.com"), Some("USD"));
        assert_eq!(marketplace_currency("amazon.co.uk"), Some("GBP"));
        assert_eq!(marketplace_currency("Non-Amazon US"), None);
    }
}
