//! What TikTok Shop's finance workbooks (the income export and the US P&L
//! statement) share: the adjustment kinds TikTok names, how its ids, dates
//! and "none" markers are written, amounts checked against the currency,
//! and the label/value rows of its summary sheets and banners.

use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;

use super::header::normalize_header;
use super::problems::Problems;
use super::table::Row;
use super::time::{local_timestamp, zone_in_header, Zone};
use crate::domain::money::Currency;
use crate::domain::settlement::Timestamp;

/// `/` is TikTok's "none" in id, date and money cells; blank means the same.
pub(crate) fn is_none(cell: &str) -> bool {
    matches!(cell.trim(), "" | "/")
}

/// `Some(trimmed)` unless the cell is blank or `/`.
pub(crate) fn present(cell: &str) -> Option<&str> {
    let s = cell.trim();
    (!is_none(s)).then_some(s)
}

/// The component code of an adjustment TikTok names `label` (an income
/// `Type`, an income adjustment breakdown column, a P&L `Adjustment Type`);
/// None is a kind this importer does not know (schema drift).
///
/// The labels are the adjustment families of the income export's Reports
/// tree (the Indonesian layout also gives each its own column) and the US
/// P&L's balance/deduction pair.
pub(crate) fn adjustment_code(label: &str) -> Option<&'static str> {
    let label = normalize_header(label)
        .replace('（', "(")
        .replace('）', ")");
    Some(match label.as_str() {
        // A generic adjustment (no finer label in the file).
        "adjustment" | "other adjustment" | "other adjustments" => "adjustment.other",
        "shipping fee adjustment" => "adjustment.shipping_fee",
        "shipping fee compensation" => "adjustment.shipping_fee_compensation",
        "shipping fee rebate" => "adjustment.shipping_fee_rebate",
        "shipping insurance compensation" => "adjustment.shipping_insurance_compensation",
        "sample shipping fee" => "adjustment.sample_shipping_fee",
        "logistics reimbursement" => "adjustment.logistics_reimbursement",
        "platform reimbursement" => "adjustment.platform_reimbursement",
        "platform compensation" => "adjustment.platform_compensation",
        "customer service compensation" => "adjustment.customer_service_compensation",
        "chargeback" => "adjustment.chargeback",
        "promotion adjustment" => "adjustment.promotion",
        "platform penalty" | "violation fee" | "violation fee (settlement fee)" => {
            "adjustment.platform_penalty"
        }
        "deductions incurred by seller" => "adjustment.seller_deduction",
        "warehouse service fee" => "adjustment.warehouse_service_fee",
        "platform commission adjustment" | "platform commission compensation" => {
            "adjustment.commission"
        }
        "transaction fee adjustment" => "adjustment.transaction_fee",
        "campaign resource fee compensation" => "adjustment.campaign_resource_fee",
        "campaign package" | "additional campaign package" => "adjustment.campaign_package",
        // Ads bought with the shop's settled balance: an advertising cost.
        "gmv payment for tiktok ads" | "gmv payment for promote" => "fee.advertising",
        // Money moved from the balance to the ads wallet: prepaid, not spent.
        "top up for ads from settled balances" => "adjustment.ads_top_up",
        "withholding tax" => "adjustment.withholding_tax",
        "early settlement disbursement" => "adjustment.early_settlement_disbursement",
        "early settlement recovery" => "adjustment.early_settlement_recovery",
        // The US P&L pairs a balance (+) and a deduction (−) under one id.
        "net earnings balance" => "adjustment.net_earnings_balance",
        "net earnings deduction" => "adjustment.net_earnings_deduction",
        _ => return None,
    })
}

/// Date and time layouts TikTok finance workbooks use: `2024/04/12`,
/// `2026/09/18 16:40:00`, and what a date-typed XLSX cell reads as.
pub(crate) const DATE_FORMATS: &[&str] = &[
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d",
];

/// Parses a TikTok date cell as a local time in `zone`. The P&L writes
/// dates as integers, `20260421` (YYYYMMDD), often typed as numbers.
pub(crate) fn tiktok_time(raw: &str, zone: Zone) -> Option<Timestamp> {
    let s = raw.trim();
    if let Some(day) = plain_date(s) {
        let utc = zone.resolve(day.and_hms_opt(0, 0, 0)?)?;
        return Some(Timestamp {
            raw: s.to_string(),
            utc,
        });
    }
    let digits = s.strip_suffix(".0").unwrap_or(s);
    let parsed = if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
        if digits.len() != 8 {
            return None;
        }
        local_timestamp(digits, &["%Y%m%d"], zone)
    } else {
        local_timestamp(s, DATE_FORMATS, zone)
    };
    parsed.map(|mut t| {
        t.raw = s.to_string();
        t
    })
}

/// `2026/04/17`, the form nearly every date cell has, read without trying
/// each of `DATE_FORMATS` in turn (what they would read it as).
fn plain_date(s: &str) -> Option<NaiveDate> {
    let b = s.as_bytes();
    if b.len() != 10 || b.get(4) != Some(&b'/') || b.get(7) != Some(&b'/') {
        return None;
    }
    let number = |at: std::ops::Range<usize>| {
        let part = s.get(at)?;
        if part.bytes().all(|b| b.is_ascii_digit()) {
            part.parse::<u32>().ok()
        } else {
            None
        }
    };
    let year = i32::try_from(number(0..4)?).ok()?;
    NaiveDate::from_ymd_opt(year, number(5..7)?, number(8..10)?)
}

/// The calendar day an instant falls on in `zone` (TikTok's statements
/// are days in the shop's zone).
pub(crate) fn local_day(utc: DateTime<Utc>, zone: Zone) -> NaiveDate {
    match zone {
        Zone::Fixed(z) => utc.with_timezone(&z).date_naive(),
        Zone::Named(tz) => utc.with_timezone(&tz).date_naive(),
    }
}

/// Prefixes a message with the sheet it is about (workbooks only).
pub(crate) fn in_sheet(sheet: Option<&str>, message: impl AsRef<str>) -> String {
    match sheet {
        Some(s) => format!("sheet `{s}`: {}", message.as_ref()),
        None => message.as_ref().to_string(),
    }
}

/// Ids are text. A workbook cell typed as a number has been through a
/// float: beyond 15 digits it has lost digits (a problem), below it is
/// exact but worth a warning.
pub(crate) fn check_id_cell(
    sheet: Option<&str>,
    row: &Row,
    index: Option<usize>,
    column: &str,
    problems: &mut Problems,
    warnings: &mut Vec<String>,
) {
    let Some(i) = index else { return };
    if !row.is_numeric(i) {
        return;
    }
    let value = row.cells.get(i).map(|s| s.trim()).unwrap_or("");
    let digits = value.bytes().filter(u8::is_ascii_digit).count();
    if digits > 15 {
        problems.push(
            Some(row.line),
            Some(column),
            Some(value),
            in_sheet(
                sheet,
                format!(
                    "an id typed as a number: at {digits} digits a spreadsheet number has lost \
                     precision, so the id is not trustworthy (re-export, or format the column as text)"
                ),
            ),
        );
    } else {
        warnings.push(in_sheet(
            sheet,
            format!(
                "row {}, column `{column}`: id `{value}` is typed as a number; read as written",
                row.line
            ),
        ));
    }
}

/// Whether `amount` has more decimals than `currency` has minor units
/// (a fraction of a rupiah or dong is not money: broken or float-damaged).
pub(crate) fn too_precise(amount: Decimal, currency: Currency) -> bool {
    amount.normalize().scale() > currency.minor_units()
}

/// `amount` written to the currency's minor units (`45` → `45.00` in MYR),
/// as a number cell loses its trailing zeros; never rounds (amounts finer
/// than the currency are refused first, see `too_precise`).
pub(crate) fn at_currency_scale(amount: Decimal, currency: Currency) -> Decimal {
    let mut a = amount;
    if a.scale() < currency.minor_units() {
        a.rescale(currency.minor_units());
    }
    a
}

/// A summary or banner row as (normalized label, value): the label is the
/// first non-empty cell (its column is its depth in a tree), the value the
/// last one; `Timezone: UTC+7` in one cell is split at the colon.
pub(crate) fn label_value(row: &Row) -> Option<(String, String)> {
    let cells: Vec<&str> = row
        .cells
        .iter()
        .map(|c| c.trim())
        .filter(|c| !c.is_empty())
        .collect();
    let label_of = |s: &str| normalize_header(s.trim_end_matches([':', '：']));
    match cells.as_slice() {
        [] => None,
        [only] => {
            let (label, value) = only.split_once([':', '：'])?;
            Some((label_of(label), value.trim().to_string()))
        }
        [first, .., last] => Some((label_of(first), last.to_string())),
    }
}

/// Whether a normalized label names the time zone.
pub(crate) fn is_zone_label(label: &str) -> bool {
    matches!(label, "timezone" | "time zone" | "time-zone")
}

/// A header name normalized, with a trailing zone (`(UTC)`, `(UTC+7)`) cut.
pub(crate) fn base_name(raw: &str) -> String {
    let name = normalize_header(raw);
    if zone_in_header(raw.trim()).is_some() {
        if let Some(open) = name.rfind('(') {
            return name[..open].trim_end().to_string();
        }
    }
    name
}

/// Whether an unknown column is text by its name (ids, times, names,
/// statuses): its numbers are not money and are not schema drift.
pub(crate) fn is_text_by_name(name: &str) -> bool {
    name == "id"
        || name.ends_with(" id")
        || name.ends_with(" no")
        || name.ends_with(" number")
        || name.contains("time")
        || name.contains("date")
        || name.contains("weight")
        || name.contains("quantity")
        || name.ends_with("name")
        || name.contains("status")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(cells: &[&str]) -> Row {
        Row {
            line: 1,
            cells: cells.iter().map(|s| s.to_string()).collect(),
            numeric: Vec::new(),
        }
    }

    #[test]
    fn dates_as_tiktok_writes_them() {
        let z: Zone = "UTC+7".parse().unwrap();
        let t = tiktok_time("2024/04/12", z).unwrap();
        assert_eq!(t.utc.to_rfc3339(), "2024-04-11T17:00:00+00:00");
        assert_eq!(t.raw, "2024/04/12");
        let t = tiktok_time("20260421", Zone::UTC).unwrap();
        assert_eq!(t.utc.to_rfc3339(), "2026-04-21T00:00:00+00:00");
        let t = tiktok_time("2026/09/18 16:40:00", Zone::UTC).unwrap();
        assert_eq!(t.utc.to_rfc3339(), "2026-09-18T16:40:00+00:00");
        assert!(tiktok_time("2026/13/01", Zone::UTC).is_none());
        assert!(tiktok_time("yesterday", Zone::UTC).is_none());
        assert!(tiktok_time("2026042", Zone::UTC).is_none());
    }

    #[test]
    fn plain_dates_read_as_the_layouts_read_them() {
        let zones: [Zone; 3] = [
            Zone::UTC,
            "UTC+7".parse().unwrap(),
            "America/New_York".parse().unwrap(),
        ];
        for raw in [
            "2024/04/12",
            "2026/03/08",
            "2024/02/29",
            "2025/02/29",
            "2026/13/01",
            "0000/01/01",
            "2026/4/120",
            "2026-04-12",
            "2026/04/1a",
        ] {
            for zone in zones {
                let general = local_timestamp(raw, DATE_FORMATS, zone).map(|t| (t.raw, t.utc));
                let fast = tiktok_time(raw, zone).map(|t| (t.raw, t.utc));
                assert_eq!(fast, general, "{raw} {zone:?}");
            }
        }
        assert!(plain_date("2026/04/12").is_some());
        assert!(plain_date("2026/02/30").is_none());
    }

    #[test]
    fn adjustment_labels_meet_their_codes() {
        assert_eq!(
            adjustment_code("Platform reimbursement "),
            Some("adjustment.platform_reimbursement")
        );
        assert_eq!(
            adjustment_code("Violation fee （settlement fee）"),
            Some("adjustment.platform_penalty")
        );
        assert_eq!(
            adjustment_code("GMV Payment for TikTok Ads"),
            Some("fee.advertising")
        );
        assert_eq!(adjustment_code("Mystery credit"), None);
    }

    #[test]
    fn summary_rows_split_into_label_and_value() {
        assert_eq!(
            label_value(&row(&["", "Timezone", "", "UTC+7"])),
            Some(("timezone".into(), "UTC+7".into()))
        );
        assert_eq!(
            label_value(&row(&["Time zone: UTC-7"])),
            Some(("time zone".into(), "UTC-7".into()))
        );
        assert_eq!(label_value(&row(&["Income statement"])), None);
    }

    #[test]
    fn amounts_finer_than_the_currency_are_caught() {
        let vnd: Currency = "VND".parse().unwrap();
        let myr: Currency = "MYR".parse().unwrap();
        assert!(!too_precise(Decimal::new(150000, 0), vnd));
        assert!(!too_precise(Decimal::new(1500000, 1), vnd), "150000.0");
        assert!(too_precise(Decimal::new(15, 1), vnd));
        assert!(!too_precise(Decimal::new(1250, 2), myr));
        assert!(too_precise(Decimal::new(12505, 3), myr));
    }
}
