//! Times in TikTok's order export. The cell names no zone and its date
//! order depends on the shop's region: US `03/01/2026 10:00:00 AM`
//! (MM/DD/YYYY, 12-hour), TH `10/05/2026 22:05:43` (DD/MM/YYYY, 24-hour).
//! The order is decided once per file from all its date cells, never per
//! cell: a first field above 12 proves DD/MM, a second field above 12
//! proves MM/DD, and an AM/PM clock (a US habit) suggests MM/DD when nothing
//! proves either. `2026-05-10 22:05:43` (and XLSX date cells, which the
//! workbook reader writes that way) is unambiguous.

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};

use crate::domain::settlement::Timestamp;
use crate::sources::time::Zone;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DateOrder {
    DayFirst,
    MonthFirst,
}

impl DateOrder {
    pub fn describe(self) -> &'static str {
        match self {
            DateOrder::DayFirst => "DD/MM/YYYY",
            DateOrder::MonthFirst => "MM/DD/YYYY",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Meridiem {
    Am,
    Pm,
}

/// A date cell split into its fields, before the order is known.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Shape {
    /// `YYYY-MM-DD` or `YYYY/MM/DD`.
    YearFirst { y: i32, m: u32, d: u32 },
    /// `A/B/YYYY`: which of A and B is the day is the file's question.
    Slashed { a: u32, b: u32, y: i32 },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Cell {
    shape: Shape,
    time: (u32, u32, u32),
    meridiem: Option<Meridiem>,
}

fn number(s: &str, max_len: usize) -> Option<u32> {
    if s.is_empty() || s.len() > max_len || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// Splits a cell (already trimmed of spaces and TABs) into its fields.
fn split(raw: &str) -> Option<Cell> {
    let mut words = raw.split_whitespace();
    let date = words.next()?;
    let time = words.next();
    let meridiem = match words.next() {
        None => None,
        Some(w) => match w.to_ascii_uppercase().as_str() {
            "AM" | "A.M." => Some(Meridiem::Am),
            "PM" | "P.M." => Some(Meridiem::Pm),
            _ => return None,
        },
    };
    if words.next().is_some() {
        return None;
    }
    let fields: Vec<&str> = date.split(['/', '-']).collect();
    let [f1, f2, f3] = fields.as_slice() else {
        return None;
    };
    let shape = if f1.len() == 4 {
        Shape::YearFirst {
            y: number(f1, 4)? as i32,
            m: number(f2, 2)?,
            d: number(f3, 2)?,
        }
    } else if date.contains('/') && f3.len() == 4 {
        Shape::Slashed {
            a: number(f1, 2)?,
            b: number(f2, 2)?,
            y: number(f3, 4)? as i32,
        }
    } else {
        return None;
    };
    let time = match time {
        None => (0, 0, 0),
        Some(t) => {
            let parts: Vec<&str> = t.split(':').collect();
            match parts.as_slice() {
                [h, m] => (number(h, 2)?, number(m, 2)?, 0),
                [h, m, s] => (number(h, 2)?, number(m, 2)?, number(s, 2)?),
                _ => return None,
            }
        }
    };
    Some(Cell {
        shape,
        time,
        meridiem,
    })
}

/// Where a date cell is, for messages: (row, column, raw text).
pub type Place = (u64, String, String);

/// What the file's date cells say about their order.
#[derive(Default)]
pub struct Evidence {
    day_first: Option<Place>,
    month_first: Option<Place>,
    twelve_hour: Option<Place>,
    ambiguous: Option<Place>,
}

/// The order the file's dates are in, or why it cannot be told.
#[derive(Debug, PartialEq, Eq)]
pub enum Decision {
    /// No cell is `A/B/YYYY`: nothing to decide.
    NotNeeded,
    Decided(DateOrder),
    /// One cell proves DD/MM and another MM/DD.
    Contradictory {
        day_first: Place,
        month_first: Place,
    },
    /// Every `A/B/YYYY` cell has both fields ≤ 12 and the clock is 24-hour.
    Undecidable {
        example: Place,
    },
}

impl Evidence {
    /// Notes one cell; cells that are not dates are left to the parser,
    /// which reports them.
    pub fn see(&mut self, row: u64, column: &str, raw: &str) {
        let Some(cell) = split(raw) else { return };
        let place = || (row, column.to_string(), raw.to_string());
        if let Shape::Slashed { a, b, .. } = cell.shape {
            if a > 12 && self.day_first.is_none() {
                self.day_first = Some(place());
            }
            if b > 12 && self.month_first.is_none() {
                self.month_first = Some(place());
            }
            if a <= 12 && b <= 12 && self.ambiguous.is_none() {
                self.ambiguous = Some(place());
            }
            if cell.meridiem.is_some() && self.twelve_hour.is_none() {
                self.twelve_hour = Some(place());
            }
        }
    }

    pub fn decide(self) -> Decision {
        match (self.day_first, self.month_first) {
            (Some(day_first), Some(month_first)) => Decision::Contradictory {
                day_first,
                month_first,
            },
            (Some(_), None) => Decision::Decided(DateOrder::DayFirst),
            (None, Some(_)) => Decision::Decided(DateOrder::MonthFirst),
            (None, None) => match (self.twelve_hour, self.ambiguous) {
                (Some(_), _) => Decision::Decided(DateOrder::MonthFirst),
                (None, Some(example)) => Decision::Undecidable { example },
                (None, None) => Decision::NotNeeded,
            },
        }
    }
}

/// The local date and time a cell names, read in `order`; an error says
/// what is wrong with it.
pub fn local_time(raw: &str, order: Option<DateOrder>) -> Result<NaiveDateTime, String> {
    let expected = "not a date and time (expected MM/DD/YYYY hh:mm:ss AM/PM, DD/MM/YYYY HH:MM:SS or YYYY-MM-DD HH:MM:SS)";
    let cell = split(raw).ok_or_else(|| expected.to_string())?;
    let (y, m, d) = match (cell.shape, order) {
        (Shape::YearFirst { y, m, d }, _) => (y, m, d),
        (Shape::Slashed { a, b, y }, Some(DateOrder::DayFirst)) => (y, b, a),
        (Shape::Slashed { a, b, y }, Some(DateOrder::MonthFirst)) => (y, a, b),
        (Shape::Slashed { .. }, None) => {
            return Err("the file's day/month order is not decided".into())
        }
    };
    let date = NaiveDate::from_ymd_opt(y, m, d).ok_or_else(|| match order {
        Some(o) => format!(
            "not a calendar date when read as {} (the order this file's dates are in)",
            o.describe()
        ),
        None => "not a calendar date".to_string(),
    })?;
    let (mut h, min, s) = cell.time;
    match cell.meridiem {
        Some(mer) => {
            if !(1..=12).contains(&h) {
                return Err(format!("hour {h} is not on a 12-hour clock (AM/PM)"));
            }
            h = match (mer, h) {
                (Meridiem::Am, 12) => 0,
                (Meridiem::Am, h) => h,
                (Meridiem::Pm, 12) => 12,
                (Meridiem::Pm, h) => h + 12,
            };
        }
        None if h > 23 => return Err(format!("hour {h} is not a time of day")),
        None => {}
    }
    let time = NaiveTime::from_hms_opt(h, min, s).ok_or_else(|| expected.to_string())?;
    Ok(date.and_time(time))
}

/// The cell as an instant in `zone`, with its raw text kept.
pub fn timestamp(raw: &str, order: Option<DateOrder>, zone: Zone) -> Result<Timestamp, String> {
    let local = local_time(raw, order)?;
    let utc = zone.resolve(local).ok_or_else(|| {
        format!("{local} does not exist in {zone} (a daylight-saving change skips it)")
    })?;
    Ok(Timestamp {
        raw: raw.to_string(),
        utc,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decide(cells: &[&str]) -> Decision {
        let mut e = Evidence::default();
        for (i, c) in cells.iter().enumerate() {
            e.see(i as u64 + 2, "created time", c);
        }
        e.decide()
    }

    #[test]
    fn the_order_is_decided_from_all_cells() {
        assert_eq!(
            decide(&["10/05/2026 22:05:43", "13/05/2026 09:00:00"]),
            Decision::Decided(DateOrder::DayFirst)
        );
        assert_eq!(
            decide(&["03/01/2026 10:00:00 AM", "03/15/2026 01:00:00 PM"]),
            Decision::Decided(DateOrder::MonthFirst)
        );
        assert_eq!(
            decide(&["03/01/2026 10:00:00 AM"]),
            Decision::Decided(DateOrder::MonthFirst),
            "AM/PM suggests the US order"
        );
        assert!(matches!(
            decide(&["10/05/2026 22:05:43", "05/10/2026 10:00:00"]),
            Decision::Undecidable { .. }
        ));
        assert!(matches!(
            decide(&["13/05/2026 22:05:43", "05/13/2026 10:00:00"]),
            Decision::Contradictory { .. }
        ));
        assert_eq!(decide(&["2026-05-10 22:05:43"]), Decision::NotNeeded);
    }

    #[test]
    fn cells_read_in_the_decided_order() {
        let t = |raw, o| local_time(raw, Some(o)).map(|t| t.to_string());
        assert_eq!(
            t("03/01/2026 10:00:00 AM", DateOrder::MonthFirst).unwrap(),
            "2026-03-01 10:00:00"
        );
        assert_eq!(
            t("03/01/2026 12:30:00 AM", DateOrder::MonthFirst).unwrap(),
            "2026-03-01 00:30:00"
        );
        assert_eq!(
            t("03/01/2026 12:30:00 PM", DateOrder::MonthFirst).unwrap(),
            "2026-03-01 12:30:00"
        );
        assert_eq!(
            t("10/05/2026 22:05:43", DateOrder::DayFirst).unwrap(),
            "2026-05-10 22:05:43"
        );
        assert_eq!(
            t("2026-05-10 22:05:43", DateOrder::MonthFirst).unwrap(),
            "2026-05-10 22:05:43"
        );
        assert!(t("13/05/2026 22:05:43", DateOrder::MonthFirst)
            .unwrap_err()
            .contains("MM/DD/YYYY"));
        assert!(t("03/01/2026 13:00:00 PM", DateOrder::MonthFirst).is_err());
        assert!(t("03/01/2026 25:00:00", DateOrder::MonthFirst).is_err());
        assert!(t("yesterday", DateOrder::MonthFirst).is_err());
        assert!(t("1/2/3/4", DateOrder::MonthFirst).is_err());
    }
}
