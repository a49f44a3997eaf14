//! The P&L `Adjustment` sheet: one settlement line per row. TikTok pairs a
//! `Net earnings balance` (+) and a `Net earnings deduction` (−) under one
//! `Adjustment ID`, so rows are never merged: each keeps its own type
//! (and create time), and both of a pair stay lines of their own.

use rust_decimal::Decimal;

use super::{column_name, position, Context, Statements};
use crate::domain::settlement::{Component, ComponentCode, SettlementLine, SourceRow};
use crate::sources::amount::{parse_amount, DecimalMark};
use crate::sources::drift::{SchemaDrift, UNCLASSIFIED};
use crate::sources::problems::Problems;
use crate::sources::tiktok_finance::{
    adjustment_code, at_currency_scale, base_name, check_id_cell, in_sheet, is_text_by_name,
    present, tiktok_time, too_precise,
};
use crate::sources::workbook::SheetTable;

/// Whether normalized headers are the `Adjustment` table.
pub(super) fn detect(headers: &[String]) -> bool {
    let has = |h: &str| headers.iter().any(|x| x == h);
    has("adjustment id") && has("adjustment amount")
}

/// Columns that are not money.
const TEXT: &[&str] = &[
    "adjustment id",
    "adjustment type",
    "adjustment reason",
    "adjustment create time",
    "adjustment settlement time",
    "linked statement id",
    "linked payout id",
    "llinked payout id",
    "currency",
];

pub(super) struct Read {
    pub lines: Vec<SettlementLine>,
    pub rows_read: u64,
}

pub(super) fn read(
    ctx: &Context<'_>,
    table: &SheetTable,
    statements: &mut Statements,
    problems: &mut Problems,
    warnings: &mut Vec<String>,
) -> Read {
    let sheet = Some(ctx.sheet);
    let header = &table.header;
    let col = |aliases: &[&str]| position(header, aliases);
    let name = |i: Option<usize>, fallback: &str| column_name(header, i, fallback);
    let id_col = col(&["adjustment id"]);
    let type_col = col(&["adjustment type"]);
    let reason_col = col(&["adjustment reason"]);
    let amount_col = col(&["adjustment amount"]);
    let created_col = col(&["adjustment create time", "adjustment created time"]);
    let settled_col = col(&["adjustment settlement time", "adjustment settled time"]);
    let statement_col = col(&["linked statement id"]);
    // `llinked payout id` is TikTok's own spelling.
    let payout_col = col(&["llinked payout id", "linked payout id"]);
    let currency_col = col(&["currency"]);
    let mut out = Read {
        lines: Vec::new(),
        rows_read: 0,
    };
    let required = [
        (id_col, "Adjustment ID"),
        (type_col, "Adjustment Type"),
        (amount_col, "Adjustment amount"),
        (settled_col, "Adjustment settlement time"),
        (statement_col, "linked statement id"),
    ];
    for (c, n) in required {
        if c.is_none() {
            problems.push(
                Some(header.line),
                Some(n),
                None,
                in_sheet(sheet, "required column is missing"),
            );
        }
    }
    let (Some(id_col), Some(type_col), Some(amount_col), Some(settled_col), Some(statement_col)) =
        (id_col, type_col, amount_col, settled_col, statement_col)
    else {
        return out;
    };
    let settled_name = name(Some(settled_col), "Adjustment settlement time");
    let type_name = name(Some(type_col), "Adjustment Type");
    let amount_name = name(Some(amount_col), "Adjustment amount");
    // Cells beyond the header are columns too (unnamed): never dropped.
    let width = table
        .rows
        .iter()
        .map(|r| r.cells.len())
        .chain([header.raw.len()])
        .max()
        .unwrap_or(0);
    let unknown_cols: Vec<usize> = (0..width)
        .filter(|&i| {
            let n = base_name(header.raw.get(i).map(String::as_str).unwrap_or(""));
            !TEXT.contains(&n.as_str()) && n != "adjustment amount" && !is_text_by_name(&n)
        })
        .collect();
    let mut drift_types = SchemaDrift::default();
    let mut drift_columns = SchemaDrift::default();
    for row in &table.rows {
        let cell = |i: usize| row.cells.get(i).map(|s| s.trim()).unwrap_or("");
        let amount_raw = cell(amount_col);
        let amount = match parse_amount(amount_raw, DecimalMark::Point) {
            Ok(a) => a,
            Err(e) => {
                problems.push(
                    Some(row.line),
                    Some(&amount_name),
                    Some(amount_raw),
                    in_sheet(sheet, e.to_string()),
                );
                continue;
            }
        };
        let unknown: Vec<(usize, Decimal)> = unknown_cols
            .iter()
            .filter_map(|&i| {
                parse_amount(cell(i), DecimalMark::Point)
                    .ok()
                    .filter(|v| !v.is_zero())
                    .map(|v| (i, v))
            })
            .collect();
        let Some(id) = present(cell(id_col)) else {
            if !amount.is_zero() || !unknown.is_empty() {
                problems.push(
                    Some(row.line),
                    Some(&name(Some(id_col), "Adjustment ID")),
                    None,
                    in_sheet(sheet, "the row has amounts but no Adjustment ID"),
                );
            }
            continue;
        };
        out.rows_read += 1;
        for (c, fallback) in [
            (Some(id_col), "Adjustment ID"),
            (Some(statement_col), "linked statement id"),
            (payout_col, "llinked payout id"),
        ] {
            check_id_cell(sheet, row, c, &name(c, fallback), problems, warnings);
        }
        let kind = cell(type_col);
        if kind.is_empty() {
            problems.push(
                Some(row.line),
                Some(&type_name),
                None,
                in_sheet(sheet, "no adjustment type"),
            );
            continue;
        }
        let Some(statement_id) = present(cell(statement_col)) else {
            problems.push(
                Some(row.line),
                Some(&name(Some(statement_col), "linked statement id")),
                None,
                in_sheet(sheet, "no statement id"),
            );
            continue;
        };
        let currency = match currency_col.and_then(|i| present(cell(i))) {
            Some(raw) => match raw.parse() {
                Ok(c) => c,
                Err(e) => {
                    problems.push(
                        Some(row.line),
                        Some(&name(currency_col, "Currency")),
                        Some(raw),
                        in_sheet(sheet, format!("{e}")),
                    );
                    continue;
                }
            },
            None => ctx.currency,
        };
        let Some(zone) = ctx.zone_for(&settled_name) else {
            problems.push(
                Some(row.line),
                Some(&settled_name),
                Some(cell(settled_col)),
                in_sheet(
                    sheet,
                    "no time zone: neither this header, the banner rows nor the shop's \
                     configuration names one (give the shop a time_zone in gl-mappings/shops.toml)",
                ),
            );
            continue;
        };
        let Some(settled) = tiktok_time(cell(settled_col), zone) else {
            problems.push(
                Some(row.line),
                Some(&settled_name),
                Some(cell(settled_col)),
                in_sheet(sheet, "not a date (expected YYYYMMDD)"),
            );
            continue;
        };
        if let Some(raw) = created_col.and_then(|i| present(cell(i))) {
            let created_name = name(created_col, "Adjustment create time");
            if tiktok_time(raw, ctx.zone_for(&created_name).unwrap_or(zone)).is_none() {
                problems.push(
                    Some(row.line),
                    Some(&created_name),
                    Some(raw),
                    in_sheet(sheet, "not a date (expected YYYYMMDD)"),
                );
                continue;
            }
        }
        if too_precise(amount, currency) {
            problems.push(
                Some(row.line),
                Some(&amount_name),
                Some(amount_raw),
                in_sheet(sheet, format!("more decimals than {currency} has")),
            );
            continue;
        }
        let amount = at_currency_scale(amount, currency);
        if !statements.note(
            ctx.sheet,
            row.line,
            &name(payout_col, "llinked payout id"),
            statement_id,
            payout_col.and_then(|i| present(cell(i))),
            currency,
            problems,
        ) {
            continue;
        }
        let reason = reason_col.and_then(|i| present(cell(i)));
        let label = match reason {
            Some(r) => format!("{kind}: {r}"),
            None => kind.to_string(),
        };
        let mut components = Vec::new();
        let mut push = |code: &str, amount: Decimal, label: String| {
            if !amount.is_zero() {
                components.push(Component {
                    code: ComponentCode::new(code).expect("the adjustment table holds valid codes"),
                    amount,
                    label,
                });
            }
        };
        match adjustment_code(kind) {
            Some(code) => push(code, amount, label),
            None if amount.is_zero() => {}
            None => {
                drift_types.record(row.line, &type_name, kind, amount);
                if ctx.options.accept_unclassified {
                    push(UNCLASSIFIED, amount, label);
                }
            }
        }
        for (i, v) in unknown {
            let v = at_currency_scale(v, currency);
            let column = name(Some(i), "");
            drift_columns.record(row.line, &column, &column, v);
            if ctx.options.accept_unclassified {
                push(UNCLASSIFIED, v, column);
            }
        }
        out.lines.push(SettlementLine {
            ordered_at: None,
            statement_id: statement_id.to_string(),
            transaction_type: kind.to_string(),
            order_id: None,
            adjustment_id: Some(id.to_string()),
            posted_at: Some(settled),
            currency,
            components,
            rows: vec![SourceRow {
                sheet: Some(ctx.sheet.to_string()),
                row: row.line,
                cells: row.cells.clone(),
            }],
        });
    }
    if !ctx.options.accept_unclassified {
        let currency = ctx.currency;
        drift_types.report(problems, |rows, total| {
            in_sheet(
                sheet,
                format!(
                    "an adjustment type this importer does not know: {rows} row(s) totalling {total} {currency}"
                ),
            )
        });
        drift_columns.report(problems, |rows, total| {
            in_sheet(
                sheet,
                format!(
                    "an amount column this importer does not know: {rows} row(s) totalling {total} {currency}"
                ),
            )
        });
    }
    out
}
