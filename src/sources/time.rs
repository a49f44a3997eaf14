//! Dates and times as channels write them, resolved to UTC. The zone comes
//! from the cell (`-0400`, `UTC`), the header (`Order created time(UTC)`),
//! the workbook (`Timezone: UTC+7`) or the shop's configured zone — in that
//! order — and the raw text is always kept beside the instant.

use chrono::{DateTime, NaiveDate, NaiveDateTime};

use crate::domain::settlement::Timestamp;
pub use crate::domain::zone::{abbreviation, parse_offset, Zone, ZoneError};

/// The zone a header names in parentheses: `Order created time(UTC)`,
/// `Order settled time (UTC+8)`.
pub fn zone_in_header(header: &str) -> Option<Zone> {
    let open = header.rfind('(')?;
    let inner = header[open + 1..].trim_end().strip_suffix(')')?;
    inner.parse().ok()
}

/// Parses `raw` with the first of `formats` that fits, as a local time in
/// `zone`; a date-only format gives midnight. The raw text is kept.
pub fn local_timestamp(raw: &str, formats: &[&str], zone: Zone) -> Option<Timestamp> {
    let s = raw.trim();
    for format in formats {
        let local = NaiveDateTime::parse_from_str(s, format).ok().or_else(|| {
            NaiveDate::parse_from_str(s, format)
                .ok()
                .map(|d| d.and_hms_opt(0, 0, 0).expect("midnight"))
        });
        if let Some(local) = local {
            return zone.resolve(local).map(|utc| Timestamp {
                raw: raw.trim().to_string(),
                utc,
            });
        }
    }
    None
}

/// A Unix time in seconds (the TikTok API), as a timestamp.
pub fn unix_timestamp(seconds: i64) -> Option<Timestamp> {
    DateTime::from_timestamp(seconds, 0).map(|utc| Timestamp {
        raw: seconds.to_string(),
        utc,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::FixedOffset;

    fn z(s: &str) -> Zone {
        s.parse().unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn zones_as_files_name_them() {
        assert_eq!(z("UTC"), Zone::UTC);
        assert_eq!(
            z("UTC+7"),
            Zone::Fixed(FixedOffset::east_opt(7 * 3600).unwrap())
        );
        assert_eq!(
            z("(UTC-7)"),
            Zone::Fixed(FixedOffset::west_opt(7 * 3600).unwrap())
        );
        assert_eq!(
            z("GMT+05:30"),
            Zone::Fixed(FixedOffset::east_opt(19800).unwrap())
        );
        assert_eq!(
            z("PDT"),
            Zone::Fixed(FixedOffset::west_opt(7 * 3600).unwrap())
        );
        assert_eq!(
            z("America/Los_Angeles"),
            Zone::Named(chrono_tz::America::Los_Angeles)
        );
        assert!("Mars/Olympus".parse::<Zone>().is_err());
        assert!("UTC+25".parse::<Zone>().is_err());
        assert_eq!(zone_in_header("Order created time(UTC)"), Some(Zone::UTC));
        assert_eq!(zone_in_header("Order created time"), None);
    }

    #[test]
    fn local_times_resolve_through_daylight_saving() {
        let la = z("America/Los_Angeles");
        let t = local_timestamp("2024-07-01 12:00:00", &["%Y-%m-%d %H:%M:%S"], la).unwrap();
        assert_eq!(t.utc.to_rfc3339(), "2024-07-01T19:00:00+00:00");
        let t = local_timestamp("2024-01-01 12:00:00", &["%Y-%m-%d %H:%M:%S"], la).unwrap();
        assert_eq!(t.utc.to_rfc3339(), "2024-01-01T20:00:00+00:00");
        // 02:30 on the spring-forward day does not exist in Los Angeles.
        assert!(local_timestamp("2024-03-10 02:30:00", &["%Y-%m-%d %H:%M:%S"], la).is_none());
        let d = local_timestamp("2024/04/12", &["%Y/%m/%d"], z("UTC+7")).unwrap();
        assert_eq!(d.utc.to_rfc3339(), "2024-04-11T17:00:00+00:00");
        assert_eq!(d.raw, "2024/04/12");
    }
}
