//! Dates and times as channels write them, resolved to UTC. The zone comes
//! from the cell (`-0400`, `UTC`), the header (`Order created time(UTC)`),
//! the workbook (`Timezone: UTC+7`) or the shop's configured zone — in that
//! order — and the raw text is always kept beside the instant.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, FixedOffset, LocalResult, NaiveDate, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;

use crate::domain::settlement::Timestamp;

/// A time zone named by a file or a shop's configuration.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Zone {
    Fixed(FixedOffset),
    Named(Tz),
}

impl Zone {
    pub const UTC: Zone = Zone::Fixed(match FixedOffset::east_opt(0) {
        Some(z) => z,
        None => unreachable!(),
    });

    /// The instant a local time names. A time that a daylight-saving change
    /// skips is an error; one it repeats resolves to the earlier instant.
    pub fn resolve(&self, local: NaiveDateTime) -> Option<DateTime<Utc>> {
        match self {
            Zone::Fixed(z) => z
                .from_local_datetime(&local)
                .single()
                .map(|t| t.with_timezone(&Utc)),
            Zone::Named(tz) => match tz.from_local_datetime(&local) {
                LocalResult::Single(t) => Some(t.with_timezone(&Utc)),
                LocalResult::Ambiguous(earlier, _) => Some(earlier.with_timezone(&Utc)),
                LocalResult::None => None,
            },
        }
    }

    /// Midnight of `day` in this zone.
    pub fn start_of_day(&self, day: NaiveDate) -> Option<DateTime<Utc>> {
        self.resolve(day.and_hms_opt(0, 0, 0).expect("midnight"))
    }
}

impl fmt::Display for Zone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Zone::Fixed(z) if z.local_minus_utc() == 0 => f.write_str("UTC"),
            Zone::Fixed(z) => write!(f, "UTC{z}"),
            Zone::Named(tz) => f.write_str(tz.name()),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "`{0}` is not a time zone (use an IANA name such as America/Los_Angeles, or UTC+7, UTC-07:00)"
)]
pub struct ZoneError(pub String);

impl FromStr for Zone {
    type Err = ZoneError;

    /// `UTC`, `GMT`, `UTC+7`, `UTC-07:00`, `GMT+8`, `(UTC-7)`, `+0800`, the
    /// US abbreviations Amazon writes (`PST`, `PDT`, …) and IANA names.
    fn from_str(raw: &str) -> Result<Self, Self::Err> {
        let err = || ZoneError(raw.to_string());
        let s = raw
            .trim()
            .trim_start_matches('(')
            .trim_end_matches(')')
            .trim();
        if let Some(offset) = abbreviation(s) {
            return Ok(Zone::Fixed(offset));
        }
        let rest = s
            .strip_prefix("UTC")
            .or_else(|| s.strip_prefix("GMT"))
            .or_else(|| s.strip_prefix("utc"))
            .unwrap_or(s)
            .trim();
        if rest.is_empty() {
            return Ok(Zone::UTC);
        }
        if rest.starts_with('+') || rest.starts_with('-') || rest.starts_with('−') {
            return parse_offset(rest).map(Zone::Fixed).ok_or_else(err);
        }
        s.parse::<Tz>().map(Zone::Named).map_err(|_| err())
    }
}

/// `+7`, `-07:00`, `+0530`, `−8`.
pub fn parse_offset(raw: &str) -> Option<FixedOffset> {
    let s = raw.trim().replace('−', "-");
    let (sign, digits) = match s.split_at_checked(1)? {
        ("+", d) => (1, d),
        ("-", d) => (-1, d),
        _ => return None,
    };
    let digits = digits.replace(':', "");
    if digits.is_empty() || digits.len() > 4 || !digits.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let (hours, minutes) = if digits.len() <= 2 {
        (digits.parse::<i32>().ok()?, 0)
    } else {
        let split = digits.len() - 2;
        (
            digits[..split].parse::<i32>().ok()?,
            digits[split..].parse::<i32>().ok()?,
        )
    };
    if hours > 14 || minutes > 59 {
        return None;
    }
    FixedOffset::east_opt(sign * (hours * 3600 + minutes * 60))
}

/// Zone abbreviations channels print (Amazon US reports: `PST`/`PDT`).
pub fn abbreviation(s: &str) -> Option<FixedOffset> {
    let hours = match s {
        "UTC" | "GMT" | "Z" => 0,
        "PST" => -8,
        "PDT" => -7,
        "MST" => -7,
        "MDT" => -6,
        "CST" => -6,
        "CDT" => -5,
        "EST" => -5,
        "EDT" => -4,
        "BST" => 1,
        "CET" => 1,
        "CEST" => 2,
        "JST" => 9,
        _ => return None,
    };
    FixedOffset::east_opt(hours * 3600)
}

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
