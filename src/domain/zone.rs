//! Time zones as files and shop configurations name them: fixed offsets
//! (`UTC+7`, `-0400`, Amazon's `PST`) and IANA names (`America/Los_Angeles`).

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, FixedOffset, LocalResult, NaiveDate, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;

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

    /// The calendar day an instant falls on in this zone: what an entry is
    /// dated by (a sale at 23:30 in Los Angeles is booked on that day, not
    /// on the next UTC day).
    pub fn date_of(&self, instant: DateTime<Utc>) -> NaiveDate {
        match self {
            Zone::Fixed(z) => instant.with_timezone(z).date_naive(),
            Zone::Named(tz) => instant.with_timezone(tz).date_naive(),
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
