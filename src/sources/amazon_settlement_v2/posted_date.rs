//! `posted-date` with slashes is `MM/DD/YY` per Amazon's notice but
//! `DD/MM/YY` in some files; the order is decided once per file.

use chrono::{DateTime, NaiveDate, Utc};

/// How a file writes `posted-date` with slashes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DayOrder {
    MonthFirst,
    DayFirst,
}

/// The three numbers of `a/b/yy` or `a/b/yyyy`.
fn slash_parts(raw: &str) -> Option<(u32, u32, i32)> {
    let mut parts = raw.trim().split('/');
    let (a, b, y) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let digits = |s: &str, max: usize| {
        !s.is_empty() && s.len() <= max && s.chars().all(|c| c.is_ascii_digit())
    };
    if !digits(a, 2) || !digits(b, 2) || !(y.len() == 2 || y.len() == 4) || !digits(y, 4) {
        return None;
    }
    let year: i32 = y.parse().ok()?;
    let year = if y.len() == 2 { 2000 + year } else { year };
    Some((a.parse().ok()?, b.parse().ok()?, year))
}

/// `posted-date` as a day, with slashes read in `order`.
pub fn parse_posted_date(raw: &str, order: DayOrder) -> Option<NaiveDate> {
    let s = raw.trim();
    if let Some((a, b, year)) = slash_parts(s) {
        let (month, day) = match order {
            DayOrder::MonthFirst => (a, b),
            DayOrder::DayFirst => (b, a),
        };
        return NaiveDate::from_ymd_opt(year, month, day);
    }
    NaiveDate::parse_from_str(s, "%d.%m.%Y")
        .or_else(|_| NaiveDate::parse_from_str(s, "%Y-%m-%d"))
        .ok()
}

/// Decides the file's slash order from every row's `posted-date` and,
/// where the row has one, its `posted-date-time`; Err when the file mixes
/// both orders.
pub fn decide_day_order(dates: &[(&str, Option<DateTime<Utc>>)]) -> Result<DayOrder, String> {
    let (mut day_first_only, mut month_first_only) = (None, None);
    let (mut agree_month_first, mut agree_day_first) = (0usize, 0usize);
    for (raw, time) in dates {
        let Some((a, b, _)) = slash_parts(raw) else {
            continue;
        };
        if a > 12 && b <= 12 {
            day_first_only.get_or_insert(*raw);
        }
        if b > 12 && a <= 12 {
            month_first_only.get_or_insert(*raw);
        }
        if let Some(time) = time {
            let day = time.date_naive();
            if parse_posted_date(raw, DayOrder::MonthFirst) == Some(day) {
                agree_month_first += 1;
            }
            if parse_posted_date(raw, DayOrder::DayFirst) == Some(day) {
                agree_day_first += 1;
            }
        }
    }
    match (day_first_only, month_first_only) {
        (Some(d), Some(m)) => Err(format!(
            "posted-date is written day first (`{d}`) and month first (`{m}`) in one file"
        )),
        (Some(_), None) => Ok(DayOrder::DayFirst),
        (None, Some(_)) => Ok(DayOrder::MonthFirst),
        (None, None) if agree_day_first > agree_month_first => Ok(DayOrder::DayFirst),
        (None, None) => Ok(DayOrder::MonthFirst),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Option<DateTime<Utc>> {
        crate::sources::amazon_common::parse_time(s)
    }

    #[test]
    fn the_posted_date_order_is_decided_once_per_file() {
        // A day above 12 fixes the order.
        assert_eq!(
            decide_day_order(&[("01/02/26", None), ("13/02/26", None)]),
            Ok(DayOrder::DayFirst)
        );
        assert_eq!(
            decide_day_order(&[("01/02/26", None), ("02/13/26", None)]),
            Ok(DayOrder::MonthFirst)
        );
        assert!(decide_day_order(&[("13/02/26", None), ("02/13/26", None)])
            .unwrap_err()
            .contains("day first (`13/02/26`) and month first (`02/13/26`)"));
        // Otherwise posted-date-time says which: 09/06/25 posted 2025-06-09.
        assert_eq!(
            decide_day_order(&[("09/06/25", t("2025-06-09 05:23:19 UTC"))]),
            Ok(DayOrder::DayFirst)
        );
        assert_eq!(
            decide_day_order(&[("06/09/25", t("2025-06-09 05:23:19 UTC"))]),
            Ok(DayOrder::MonthFirst)
        );
        // Otherwise Amazon's documented MM/DD/YY.
        assert_eq!(
            decide_day_order(&[("05/06/25", None)]),
            Ok(DayOrder::MonthFirst)
        );
        assert_eq!(
            parse_posted_date("19.07.2026", DayOrder::MonthFirst),
            NaiveDate::from_ymd_opt(2026, 7, 19)
        );
        assert_eq!(
            parse_posted_date("7/4/2026", DayOrder::MonthFirst),
            NaiveDate::from_ymd_opt(2026, 7, 4)
        );
        assert_eq!(parse_posted_date("13/13/26", DayOrder::DayFirst), None);
        assert_eq!(parse_posted_date("1/2/3/4", DayOrder::DayFirst), None);
    }
}
