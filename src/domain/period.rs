//! Accounting periods are calendar months, written `YYYY-MM`. A period is
//! open unless it has been closed; closing seals it (see `seal`).

use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Period {
    year: i32,
    month: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a period (expected YYYY-MM, e.g. 2024-01)")]
pub struct PeriodParseError(pub String);

impl Period {
    pub fn new(year: i32, month: u32) -> Option<Self> {
        ((1..=12).contains(&month) && (1900..=9999).contains(&year))
            .then_some(Period { year, month })
    }

    pub fn of(date: NaiveDate) -> Self {
        Period {
            year: date.year(),
            month: date.month(),
        }
    }

    pub fn first_day(&self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year, self.month, 1).expect("valid period")
    }

    pub fn last_day(&self) -> NaiveDate {
        self.next().first_day().pred_opt().expect("after 1900")
    }

    pub fn next(&self) -> Self {
        if self.month == 12 {
            Period {
                year: self.year + 1,
                month: 1,
            }
        } else {
            Period {
                year: self.year,
                month: self.month + 1,
            }
        }
    }

    pub fn contains(&self, date: NaiveDate) -> bool {
        Period::of(date) == *self
    }
}

impl FromStr for Period {
    type Err = PeriodParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = || PeriodParseError(s.to_string());
        let (y, m) = s.trim().split_once('-').ok_or_else(err)?;
        if y.len() != 4 || m.len() != 2 {
            return Err(err());
        }
        let year = y.parse().map_err(|_| err())?;
        let month = m.parse().map_err(|_| err())?;
        Period::new(year, month).ok_or_else(err)
    }
}

impl TryFrom<String> for Period {
    type Error = PeriodParseError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl From<Period> for String {
    fn from(p: Period) -> String {
        p.to_string()
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PeriodStatus {
    Open,
    Closed,
}

impl PeriodStatus {
    pub fn as_str(&self) -> &'static str {
        match self {
            PeriodStatus::Open => "open",
            PeriodStatus::Closed => "closed",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_walks_months() {
        let p: Period = "2024-02".parse().unwrap();
        assert_eq!(p.first_day(), NaiveDate::from_ymd_opt(2024, 2, 1).unwrap());
        assert_eq!(p.last_day(), NaiveDate::from_ymd_opt(2024, 2, 29).unwrap());
        assert_eq!(
            "2024-12".parse::<Period>().unwrap().next().to_string(),
            "2025-01"
        );
        assert!(p.contains(NaiveDate::from_ymd_opt(2024, 2, 29).unwrap()));
        for bad in ["2024-13", "2024-1", "24-01", "2024/01", "", "2024-00"] {
            assert!(bad.parse::<Period>().is_err(), "{bad}");
        }
    }
}
