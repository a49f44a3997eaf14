//! `date/time` as the date-range report writes it, with its zone in the
//! cell: `Jan 1, 2024 12:08:10 AM PST` (US, `PST`/`PDT`), `15 Mar 2026
//! 3:22:08 PM UTC` (AE), `1 juil. 2026 08:31:35 UTC` (FR). Localized month
//! names are read as English before chrono parses the text.

use chrono::NaiveDateTime;

use crate::domain::settlement::Timestamp;
use crate::sources::time::Zone;

/// Local layouts, after month names are English: US, AE/UK/FR/ES
/// (day first), DE (dotted), ISO.
const FORMATS: [&str; 7] = [
    "%b %d, %Y %I:%M:%S %p",
    "%b %d, %Y %H:%M:%S",
    "%d %b %Y %I:%M:%S %p",
    "%d %b %Y %H:%M:%S",
    "%d.%m.%Y %H:%M:%S",
    "%Y-%m-%d %H:%M:%S",
    "%Y/%m/%d %H:%M:%S",
];

/// English, French, German, Spanish and Italian month names and
/// abbreviations (lowercase, without the trailing dot), as English
/// abbreviations.
fn english_month(token: &str) -> Option<&'static str> {
    Some(match token {
        "jan" | "january" | "janv" | "janvier" | "januar" | "jän" | "ene" | "enero" | "gen"
        | "gennaio" => "Jan",
        "feb" | "february" | "févr" | "fevr" | "février" | "fevrier" | "februar" | "febrero"
        | "febbraio" => "Feb",
        "mar" | "march" | "mars" | "märz" | "mär" | "mrz" | "marzo" => "Mar",
        "apr" | "april" | "avr" | "avril" | "abr" | "abril" | "aprile" => "Apr",
        "may" | "mai" | "mayo" | "mag" | "maggio" => "May",
        "jun" | "june" | "juin" | "juni" | "junio" | "giu" | "giugno" => "Jun",
        "jul" | "july" | "juil" | "juillet" | "juli" | "julio" | "lug" | "luglio" => "Jul",
        "aug" | "august" | "août" | "aout" | "ago" | "agosto" => "Aug",
        "sep" | "september" | "sept" | "septembre" | "septiembre" | "set" | "settembre" => "Sep",
        "oct" | "october" | "octobre" | "okt" | "oktober" | "octubre" | "ott" | "ottobre" => "Oct",
        "nov" | "november" | "novembre" | "noviembre" => "Nov",
        "dec" | "december" | "déc" | "décembre" | "decembre" | "dez" | "dezember" | "dic"
        | "diciembre" | "dicembre" => "Dec",
        _ => return None,
    })
}

/// German zone names the report may print, as the abbreviations `Zone` knows.
fn zone_token(token: &str) -> Option<Zone> {
    let token = match token {
        "MEZ" => "CET",
        "MESZ" => "CEST",
        other => other,
    };
    // A bare time or AM/PM is not a zone (a named zone needs a letter
    // and no colon-separated clock).
    if !token.chars().any(|c| c.is_ascii_alphabetic())
        || token.eq_ignore_ascii_case("am")
        || token.eq_ignore_ascii_case("pm")
    {
        return None;
    }
    token.parse().ok()
}

/// The text with localized month names made English.
fn anglicize(local: &str) -> String {
    local
        .split_whitespace()
        .map(|token| {
            let bare = token.trim_end_matches([',', '.']).to_lowercase();
            match english_month(&bare) {
                Some(month) if token.ends_with(',') => format!("{month},"),
                Some(month) => month.to_string(),
                None => token.to_string(),
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Parses one `date/time` cell: the zone is the cell's last word when it
/// names one, otherwise `fallback` (the shop's zone); Err says what is wrong.
pub fn parse_date_time(raw: &str, fallback: Option<Zone>) -> Result<Timestamp, String> {
    let s = raw.trim();
    let (local, zone) = match s.rsplit_once(' ') {
        Some((local, last)) => match zone_token(last) {
            Some(zone) => (local.trim(), Some(zone)),
            None => (s, None),
        },
        None => (s, None),
    };
    let text = anglicize(local);
    let Some(naive) = FORMATS
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(&text, f).ok())
    else {
        return Err("not a date and time (expected e.g. `Jan 1, 2024 12:08:10 AM PST`)".into());
    };
    let Some(zone) = zone.or(fallback) else {
        return Err("the time names no zone and no shop time zone is configured".into());
    };
    zone.resolve(naive)
        .map(|utc| Timestamp {
            raw: s.to_string(),
            utc,
        })
        .ok_or_else(|| format!("{naive} does not exist in {zone} (daylight saving)"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(raw: &str) -> String {
        parse_date_time(raw, None)
            .unwrap_or_else(|e| panic!("{raw}: {e}"))
            .utc
            .to_rfc3339()
    }

    #[test]
    fn every_spelling_seen() {
        assert_eq!(
            utc("Jan 1, 2024 12:08:10 AM PST"),
            "2024-01-01T08:08:10+00:00"
        );
        assert_eq!(
            utc("Jan 2, 2024 3:04:43 AM PST"),
            "2024-01-02T11:04:43+00:00"
        );
        assert_eq!(
            utc("Jul 4, 2024 5:30:00 PM PDT"),
            "2024-07-05T00:30:00+00:00"
        );
        assert_eq!(
            utc("15 Mar 2026 3:22:08 PM UTC"),
            "2026-03-15T15:22:08+00:00"
        );
        assert_eq!(
            utc("1 juil. 2026 08:31:35 UTC"),
            "2026-07-01T08:31:35+00:00"
        );
        assert_eq!(
            utc("5 janv. 2026 08:31:35 UTC"),
            "2026-01-05T08:31:35+00:00"
        );
        assert_eq!(
            utc("2 juillet 2026 13:22:36 UTC"),
            "2026-07-02T13:22:36+00:00"
        );
        assert_eq!(utc("12 dic 2025 0:05:00 UTC"), "2025-12-12T00:05:00+00:00");
        assert_eq!(utc("01.03.2024 00:08:10 MEZ"), "2024-02-29T23:08:10+00:00");
        assert_eq!(utc("15 Jul 2024 14:00:00 BST"), "2024-07-15T13:00:00+00:00");
        assert_eq!(utc("1 Mar 2024 09:15:02 GMT"), "2024-03-01T09:15:02+00:00");
        assert_eq!(
            utc("Mar 2, 2024 9:15:02 AM GMT+09:00"),
            "2024-03-02T00:15:02+00:00"
        );
        assert_eq!(
            parse_date_time("Jan 1, 2024 12:08:10 AM PST", None)
                .unwrap()
                .raw,
            "Jan 1, 2024 12:08:10 AM PST"
        );
    }

    #[test]
    fn a_time_without_a_zone_needs_the_shops() {
        let err = parse_date_time("Jan 1, 2024 12:08:10 AM", None).unwrap_err();
        assert!(err.contains("names no zone"), "{err}");
        let la: Zone = "America/Los_Angeles".parse().unwrap();
        let t = parse_date_time("Jan 1, 2024 12:08:10 AM", Some(la)).unwrap();
        assert_eq!(t.utc.to_rfc3339(), "2024-01-01T08:08:10+00:00");
        for bad in [
            "",
            "yesterday",
            "Jan 32, 2024 1:00:00 AM PST",
            "Jan 1, 2024 12:08:10 AM XYZ",
        ] {
            assert!(parse_date_time(bad, None).is_err(), "{bad}");
        }
    }
}
