//! The income workbook's other sheets: `Reports` (a labelled summary tree:
//! the zone, the currency and the file's total) and `Withdrawal records`
//! (the transfers to the bank, and the balance's other movements).

use std::collections::BTreeMap;

use rust_decimal::Decimal;

use crate::domain::money::Currency;
use crate::domain::payout::Payout;
use crate::domain::settlement::{Channel, SourceRow};
use crate::sources::amount::{parse_amount, DecimalMark};
use crate::sources::header::normalize_header;
use crate::sources::problems::Problems;
use crate::sources::table::{Header, Row};
use crate::sources::tiktok_finance::{
    at_currency_scale, check_id_cell, in_sheet, is_zone_label, label_value, present, tiktok_time,
    too_precise,
};
use crate::sources::time::{zone_in_header, Zone};
use crate::sources::workbook::SheetTable;

/// What the Reports sheet says.
#[derive(Default)]
pub(super) struct Reports {
    pub zone: Option<Zone>,
    pub currency: Option<Currency>,
    /// `Total settlement amount`: its row, as written, and its value.
    pub total: Option<(u64, String, Decimal)>,
}

/// Reads the label tree: a label sits in some column (its depth), its
/// value is the last non-empty cell of the row.
pub(super) fn read_reports(
    sheet: &str,
    rows: &[Row],
    problems: &mut Problems,
    warnings: &mut Vec<String>,
) -> Reports {
    let mut reports = Reports::default();
    for row in rows {
        let Some((label, value)) = label_value(row) else {
            continue;
        };
        if is_zone_label(&label) && reports.zone.is_none() {
            match value.parse::<Zone>() {
                Ok(z) => reports.zone = Some(z),
                Err(e) => problems.push(
                    Some(row.line),
                    Some("Timezone"),
                    Some(&value),
                    in_sheet(Some(sheet), e.to_string()),
                ),
            }
        } else if label == "currency" && reports.currency.is_none() {
            match value.parse::<Currency>() {
                Ok(c) => reports.currency = Some(c),
                Err(e) => problems.push(
                    Some(row.line),
                    Some("Currency"),
                    Some(&value),
                    in_sheet(Some(sheet), e.to_string()),
                ),
            }
        } else if label == "total settlement amount" && reports.total.is_none() {
            match parse_amount(&value, DecimalMark::Point) {
                Ok(total) => reports.total = Some((row.line, value, total)),
                Err(_) => warnings.push(in_sheet(
                    Some(sheet),
                    format!(
                        "row {}: the total settlement amount `{value}` is not an amount; the \
                         Order details lines were not checked against it",
                        row.line
                    ),
                )),
            }
        }
    }
    reports
}

/// Whether normalized headers are the Withdrawal records table.
fn is_withdrawal_header(names: &[String]) -> bool {
    let has = |h: &str| names.iter().any(|x| x == h);
    (has("type") || has("transaction type")) && has("reference id") && has("amount")
}

/// Statuses of a withdrawal that did not happen.
fn did_not_happen(status: &str) -> bool {
    matches!(
        normalize_header(status).as_str(),
        "failed" | "rejected" | "cancelled" | "canceled" | "returned" | "unsuccessful"
    )
}

/// Why a movement of the balance other than a withdrawal is not a payout.
fn not_a_payout(kind: &str) -> &'static str {
    match normalize_header(kind).as_str() {
        "earnings" => "settled income credited to the TikTok balance, which the Order details lines already hold",
        "gmv pay deduction" => "money taken from the TikTok balance for GMV-based ads, not sent to the bank (the Order details adjustments hold it where TikTok lists it there)",
        "/" | "" => "untyped balance movements (TikTok mirrors early-settlement adjustments here)",
        _ => "a type this importer does not know; not sent to the bank as far as it can tell",
    }
}

pub(super) struct Withdrawals {
    pub payouts: Vec<Payout>,
    pub rows_read: u64,
}

/// Only money that left for the bank is a payout: `Withdrawal` rows.
///
/// The sheet is written from the TikTok balance's side: earnings come in
/// positive, a withdrawal leaves it negative (`-1390.92`). A payout is
/// signed from the seller's side (money to the seller positive), so a
/// withdrawal's amount is negated: −1,390.92 in the sheet is a payout of
/// +1,390.92 to the bank. The other rows (`Earnings`, `GMV Pay
/// Deduction`, untyped mirrors) are the balance's other movements: booking
/// them would count the Order details lines a second time, so they are not
/// payouts; they are not lost either — each type is reported in the
/// warnings with its row count and total, and the rows stay in the
/// imported file.
pub(super) fn read_withdrawals(
    sheet: &str,
    rows: Vec<Row>,
    zone: Option<Zone>,
    currency: Option<Currency>,
    problems: &mut Problems,
    warnings: &mut Vec<String>,
) -> Withdrawals {
    let mut out = Withdrawals {
        payouts: Vec::new(),
        rows_read: 0,
    };
    if rows.is_empty() {
        return out;
    }
    let first_line = rows.first().map(|r| r.line);
    let Some(table) = SheetTable::from_rows(sheet, rows, 5, is_withdrawal_header) else {
        problems.push(
            first_line,
            None,
            None,
            in_sheet(
                Some(sheet),
                "no header (Type, Reference ID, Request time, Amount, Status, Success time, Bank account)",
            ),
        );
        return out;
    };
    let header: &Header = &table.header;
    let position = |names: &[&str]| names.iter().find_map(|n| header.position(n));
    let raw_name = |i: Option<usize>, fallback: &str| {
        i.and_then(|i| header.raw.get(i))
            .map(|s| s.trim().to_string())
            .unwrap_or_else(|| fallback.to_string())
    };
    let type_col = position(&["type", "transaction type"]);
    let ref_col = position(&["reference id"]);
    let amount_col = position(&["amount"]);
    let status_col = position(&["status"]);
    let success_col = position(&["success time"]);
    let request_col = position(&["request time"]);
    let bank_col = position(&["bank account"]);
    let zone_for = |col: Option<usize>| {
        col.and_then(|i| header.raw.get(i))
            .and_then(|h| zone_in_header(h))
            .or(zone)
    };
    let mut others: BTreeMap<String, (u64, Decimal)> = BTreeMap::new();
    for row in &table.rows {
        let cell = |i: Option<usize>| {
            i.and_then(|i| row.cells.get(i))
                .map(|s| s.trim())
                .unwrap_or("")
        };
        let kind = cell(type_col);
        let amount_raw = cell(amount_col);
        if present(kind).is_none()
            && present(cell(ref_col)).is_none()
            && present(amount_raw).is_none()
        {
            continue;
        }
        out.rows_read += 1;
        let amount = match parse_amount(amount_raw, DecimalMark::Point) {
            Ok(a) => a,
            Err(e) => {
                problems.push(
                    Some(row.line),
                    Some(&raw_name(amount_col, "Amount")),
                    Some(amount_raw),
                    in_sheet(Some(sheet), e.to_string()),
                );
                continue;
            }
        };
        let status = present(cell(status_col)).map(str::to_string);
        if normalize_header(kind) != "withdrawal" {
            let entry = others.entry(kind.to_string()).or_default();
            entry.0 += 1;
            entry.1 += currency
                .map(|c| at_currency_scale(amount, c))
                .unwrap_or(amount);
            continue;
        }
        if let Some(s) = status.as_deref().filter(|s| did_not_happen(s)) {
            warnings.push(in_sheet(
                Some(sheet),
                format!(
                    "row {}: a withdrawal of {amount} with status `{s}` did not reach the bank; not a payout",
                    row.line
                ),
            ));
            continue;
        }
        let Some(reference) = present(cell(ref_col)) else {
            problems.push(
                Some(row.line),
                Some(&raw_name(ref_col, "Reference ID")),
                None,
                in_sheet(Some(sheet), "a withdrawal without a reference id"),
            );
            continue;
        };
        check_id_cell(
            Some(sheet),
            row,
            ref_col,
            &raw_name(ref_col, "Reference ID"),
            problems,
            warnings,
        );
        let Some(currency) = currency else {
            problems.push(
                Some(row.line),
                Some(&raw_name(amount_col, "Amount")),
                Some(amount_raw),
                in_sheet(
                    Some(sheet),
                    "no currency for the withdrawal: the Reports sheet names none and Order \
                     details has none or several",
                ),
            );
            continue;
        };
        if too_precise(amount, currency) {
            problems.push(
                Some(row.line),
                Some(&raw_name(amount_col, "Amount")),
                Some(amount_raw),
                in_sheet(Some(sheet), format!("more decimals than {currency} has")),
            );
            continue;
        }
        let time_col = if present(cell(success_col)).is_some() {
            success_col
        } else {
            request_col
        };
        let paid_at = match present(cell(time_col)) {
            None => None,
            Some(raw) => match zone_for(time_col) {
                None => {
                    problems.push(
                        Some(row.line),
                        Some(&raw_name(time_col, "Success time")),
                        Some(raw),
                        in_sheet(
                            Some(sheet),
                            "no time zone: neither this header, the Reports sheet nor the shop's \
                             configuration names one",
                        ),
                    );
                    continue;
                }
                Some(z) => match tiktok_time(raw, z) {
                    Some(t) => Some(t),
                    None => {
                        problems.push(
                            Some(row.line),
                            Some(&raw_name(time_col, "Success time")),
                            Some(raw),
                            in_sheet(
                                Some(sheet),
                                "not a date and time (expected YYYY/MM/DD HH:MM:SS)",
                            ),
                        );
                        continue;
                    }
                },
            },
        };
        out.payouts.push(Payout {
            channel: Channel::TikTok,
            payout_id: reference.to_string(),
            currency,
            amount: -at_currency_scale(amount, currency),
            paid_at,
            status,
            bank_amount: None,
            exchange_rate: None,
            bank_account: present(cell(bank_col)).map(str::to_string),
            source: Some(SourceRow {
                sheet: Some(sheet.to_string()),
                row: row.line,
                cells: row.cells.clone(),
            }),
        });
    }
    let unit = currency.map(|c| format!(" {c}")).unwrap_or_default();
    for (kind, (rows, total)) in others {
        warnings.push(in_sheet(
            Some(sheet),
            format!(
                "{rows} `{kind}` row(s) totalling {total}{unit} are not payouts: {}; kept in the imported file",
                not_a_payout(&kind)
            ),
        ));
    }
    out
}
