//! The P&L `Orders` sheet: one row per SKU line, grouped by (`Order ID`,
//! `linked statement id`) into one settlement line per order and statement.
//!
//! The money columns are per SKU line (the P&L is itemised: `Order
//! Income`, `Order Cost` and `Net Order Margin` are given for each SKU),
//! so the group's components are the SKU rows' columns summed. The check
//! is per SKU row: Σ the row's components = its `Order Income`; a group's
//! net is then the sum of its rows' incomes. `Order Cost` (the seller's
//! cost of goods) and `Net Order Margin` are not settlement money.

use std::collections::HashMap;

use rust_decimal::Decimal;

use super::{column_name, position, Context, Statements};
use crate::domain::settlement::{Component, ComponentCode, SettlementLine, SourceRow};
use crate::sources::amount::{parse_amount, DecimalMark};
use crate::sources::drift::{SchemaDrift, UNCLASSIFIED};
use crate::sources::header::normalize_header;
use crate::sources::problems::Problems;
use crate::sources::tiktok_finance::{
    at_currency_scale, base_name, check_id_cell, in_sheet, is_text_by_name, present, tiktok_time,
    too_precise,
};
use crate::sources::workbook::SheetTable;

/// Money columns of the `Orders` sheet and their component codes. Costs are
/// negative, inflows positive, as TikTok signs them.
const COMPONENTS: &[(&[&str], &str)] = &[
    (&["gross sales"], "sale.gross"),
    (&["seller discount"], "sale.seller_discount"),
    (&["gross sales refund"], "refund.gross"),
    (&["seller discount refund"], "refund.seller_discount"),
    (
        &["customer-paid shipping fee", "customer paid shipping fee"],
        "sale.shipping_income",
    ),
    (&["affiliate commission"], "fee.affiliate_commission"),
    (
        &["affiliate partner commission"],
        "fee.affiliate_partner_commission",
    ),
    (
        &["affiliate commission deposit"],
        "fee.affiliate_commission_deposit",
    ),
    (
        &["affiliate commission refund"],
        "fee.affiliate_commission_refund",
    ),
    (
        &["affiliate shop ads commission"],
        "fee.affiliate_shop_ads_commission",
    ),
    (
        &["affiliate partner shop ads commission"],
        "fee.affiliate_partner_shop_ads_commission",
    ),
    // TikTok US calls its commission the referral fee.
    (&["referral fee"], "fee.commission"),
    (&["refund administration fee"], "fee.refund_administration"),
    (&["transaction fee"], "fee.transaction"),
    (&["sales tax on referral fees"], "tax.on_fees"),
    (&["smart promotion fee"], "fee.smart_promotion"),
    (&["smart promotion fee tax"], "tax.on_fees"),
    (&["campaign resource fee"], "fee.campaign_resource"),
    (&["campaign service fee"], "fee.campaign_service"),
    (
        &["tiktok shop partner commission"],
        "fee.partner_commission",
    ),
    (
        &["managed service plan (per order fee)"],
        "fee.managed_service",
    ),
    (&["managed service plan (sales tax)"], "tax.on_fees"),
    (&["tiktok shop shipping fee"], "fee.shipping_label"),
    // Fulfilled by TikTok: the FBT fulfilment charge.
    (
        &["fulfilled by tiktok shop shipping fee"],
        "fee.fulfillment",
    ),
    (&["return shipping fee"], "fee.return_shipping_label"),
    (&["return shipping label fee"], "fee.return_shipping_label"),
    (&["shipping fee subsidy"], "fee.shipping_label_subsidy"),
    // A discount on the label TikTok charges (positive: reduces the cost).
    (&["shipping fee discount"], "fee.shipping_label_discount"),
];

/// Not components: the seller's cost of goods and margin (not settlement
/// money), and what the buyer paid, the tax TikTok collected and remitted
/// as marketplace facilitator, and platform-funded discounts (memo figures
/// that are not the seller's money).
const MEMO: &[&str] = &[
    "order cost",
    "net order margin",
    "customer payment",
    "sales tax payment",
    "platform discounts",
    "platform discount",
];

/// Text columns: ids, names, dates, statuses.
const TEXT: &[&str] = &[
    "order id",
    "sku id",
    "sku name",
    "product name",
    "sold quantity",
    "order paid date",
    "order settled date",
    "linked statement id",
    "linked payout id",
    "order status",
    "sample order type",
    "currency",
];

/// `Sample order type` values of an order that is not a sample.
fn is_sample(value: &str) -> bool {
    !matches!(
        normalize_header(value).as_str(),
        "" | "/"
            | "-"
            | "n/a"
            | "none"
            | "no"
            | "normal"
            | "normal order"
            | "non-sample"
            | "not sample"
            | "not a sample order"
    )
}

pub(super) struct Read {
    pub lines: Vec<SettlementLine>,
    pub rows_read: u64,
}

enum Money {
    Component(&'static str),
    Income,
    Unknown,
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
    let order_col = col(&["order id"]);
    let sku_col = col(&["sku id"]);
    let statement_col = col(&["linked statement id"]);
    let payout_col = col(&["linked payout id", "llinked payout id"]);
    let settled_col = col(&["order settled date", "order settlement date"]);
    let paid_col = col(&["order paid date"]);
    let sample_col = col(&["sample order type"]);
    let currency_col = col(&["currency"]);
    let income_col = col(&["order income"]);
    let mut out = Read {
        lines: Vec::new(),
        rows_read: 0,
    };
    let mut missing = false;
    for (c, name) in [
        (order_col, "Order ID"),
        (statement_col, "linked statement id"),
        (settled_col, "Order settled date"),
        (income_col, "Order Income"),
    ] {
        if c.is_none() {
            problems.push(
                Some(header.line),
                Some(name),
                None,
                in_sheet(sheet, "required column is missing"),
            );
            missing = true;
        }
    }
    let (Some(order_col), Some(statement_col), Some(settled_col), Some(income_col)) =
        (order_col, statement_col, settled_col, income_col)
    else {
        return out;
    };
    if missing {
        return out;
    }
    let name = |i: Option<usize>, fallback: &str| column_name(header, i, fallback);
    let settled_name = name(Some(settled_col), "Order settled date");
    let Some(zone) = ctx.zone_for(&settled_name) else {
        problems.push(
            Some(header.line),
            Some(&settled_name),
            None,
            in_sheet(
                sheet,
                "no time zone: neither this header, the banner rows nor the shop's configuration \
                 names one (give the shop a time_zone in gl-mappings/shops.toml)",
            ),
        );
        return out;
    };
    // Every column: a component, the income check, or text/memo (None).
    // Cells beyond the header are columns too (unnamed): never dropped.
    let width = table
        .rows
        .iter()
        .map(|r| r.cells.len())
        .chain([header.raw.len()])
        .max()
        .unwrap_or(0);
    let money: Vec<Option<Money>> = (0..width)
        .map(|i| header.raw.get(i).map(String::as_str).unwrap_or(""))
        .map(|raw| {
            let n = base_name(raw);
            if let Some((_, code)) = COMPONENTS
                .iter()
                .find(|(names, _)| names.contains(&n.as_str()))
            {
                Some(Money::Component(code))
            } else if n == "order income" {
                Some(Money::Income)
            } else if MEMO.contains(&n.as_str())
                || TEXT.contains(&n.as_str())
                || is_text_by_name(&n)
            {
                None
            } else {
                Some(Money::Unknown)
            }
        })
        .collect();

    let mut drift = SchemaDrift::default();
    // (order, statement) → line index; per line, column → summed amount.
    let mut line_of: HashMap<(String, String), usize> = HashMap::new();
    let mut sums: Vec<Vec<(usize, Decimal)>> = Vec::new();
    for row in &table.rows {
        let cell = |i: usize| row.cells.get(i).map(|s| s.trim()).unwrap_or("");
        let mut bad = false;
        let mut known: Vec<(usize, &'static str, Decimal)> = Vec::new();
        let mut unknown: Vec<(usize, Decimal)> = Vec::new();
        let mut income: Option<Decimal> = None;
        for (i, kind) in money.iter().enumerate() {
            let raw = cell(i);
            let Some(kind) = kind else { continue };
            if raw.is_empty() {
                continue;
            }
            let parsed = parse_amount(raw, DecimalMark::Point);
            match (kind, parsed) {
                (Money::Unknown, Ok(v)) if !v.is_zero() => unknown.push((i, v)),
                (Money::Unknown, _) => {}
                (_, Err(e)) => {
                    problems.push(
                        Some(row.line),
                        Some(&name(Some(i), "")),
                        Some(raw),
                        in_sheet(sheet, e.to_string()),
                    );
                    bad = true;
                }
                (Money::Component(code), Ok(v)) => known.push((i, code, v)),
                (Money::Income, Ok(v)) => income = Some(v),
            }
        }
        let Some(order_id) = present(cell(order_col)) else {
            let first = known
                .iter()
                .map(|(i, _, v)| (*i, *v))
                .chain(unknown.iter().copied())
                .chain(income.map(|v| (income_col, v)));
            if let Some((i, v)) = first.into_iter().find(|(_, v)| !v.is_zero()) {
                problems.push(
                    Some(row.line),
                    Some(&name(Some(order_col), "Order ID")),
                    None,
                    in_sheet(
                        sheet,
                        format!(
                            "the row has amounts (`{}` {v}) but no Order ID",
                            name(Some(i), "")
                        ),
                    ),
                );
            }
            continue;
        };
        out.rows_read += 1;
        for (c, fallback) in [
            (Some(order_col), "Order ID"),
            (sku_col, "SKU ID"),
            (Some(statement_col), "linked statement id"),
            (payout_col, "linked payout id"),
        ] {
            check_id_cell(sheet, row, c, &name(c, fallback), problems, warnings);
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
        let settled_raw = cell(settled_col);
        let Some(settled) = tiktok_time(settled_raw, zone) else {
            problems.push(
                Some(row.line),
                Some(&settled_name),
                Some(settled_raw),
                in_sheet(sheet, "not a date (expected YYYYMMDD)"),
            );
            continue;
        };
        if let Some(raw) = paid_col.and_then(|i| present(cell(i))) {
            let paid_name = name(paid_col, "Order paid date");
            if tiktok_time(raw, ctx.zone_for(&paid_name).unwrap_or(zone)).is_none() {
                problems.push(
                    Some(row.line),
                    Some(&paid_name),
                    Some(raw),
                    in_sheet(sheet, "not a date (expected YYYYMMDD)"),
                );
            }
        }
        let Some(income) = income else {
            problems.push(
                Some(row.line),
                Some(&name(Some(income_col), "Order Income")),
                None,
                in_sheet(sheet, "no Order Income"),
            );
            continue;
        };
        if bad {
            continue;
        }
        for (i, v) in known
            .iter()
            .map(|(i, _, v)| (*i, *v))
            .chain(unknown.iter().copied())
        {
            if too_precise(v, currency) {
                problems.push(
                    Some(row.line),
                    Some(&name(Some(i), "")),
                    Some(cell(i)),
                    in_sheet(sheet, format!("more decimals than {currency} has")),
                );
                bad = true;
            }
        }
        if bad {
            continue;
        }
        for (_, _, v) in known.iter_mut() {
            *v = at_currency_scale(*v, currency);
        }
        for (_, v) in unknown.iter_mut() {
            *v = at_currency_scale(*v, currency);
        }
        let income = at_currency_scale(income, currency);
        let row_sum: Decimal = known.iter().map(|(_, _, v)| *v).sum::<Decimal>()
            + unknown.iter().map(|(_, v)| *v).sum::<Decimal>();
        if row_sum != income {
            problems.push(
                Some(row.line),
                Some(&name(Some(income_col), "Order Income")),
                Some(cell(income_col)),
                in_sheet(
                    sheet,
                    format!("expected {row_sum} (the sum of the row's components), found {income}"),
                ),
            );
            continue;
        }
        for (i, v) in &unknown {
            drift.record(row.line, &name(Some(*i), ""), &name(Some(*i), ""), *v);
        }
        if !statements.note(
            ctx.sheet,
            row.line,
            &name(payout_col, "linked payout id"),
            statement_id,
            payout_col.and_then(|i| present(cell(i))),
            currency,
            problems,
        ) {
            continue;
        }
        let sample = sample_col
            .map(cell)
            .filter(|s| is_sample(s))
            .map(|s| format!("Sample order: {s}"));
        let source = SourceRow {
            sheet: Some(ctx.sheet.to_string()),
            row: row.line,
            cells: row.cells.clone(),
        };
        let amounts = known
            .iter()
            .map(|(i, _, v)| (*i, *v))
            .chain(unknown.iter().copied());
        let key = (order_id.to_string(), statement_id.to_string());
        match line_of.get(&key) {
            Some(&l) => {
                let line = &mut out.lines[l];
                if line.currency != currency {
                    problems.push(
                        Some(row.line),
                        Some(&name(currency_col, "Currency")),
                        Some(currency.code()),
                        in_sheet(sheet, format!("order {order_id} mixes currencies")),
                    );
                    continue;
                }
                if line.posted_at.as_ref().map(|t| t.raw.as_str()) != Some(settled.raw.as_str()) {
                    warnings.push(in_sheet(
                        sheet,
                        format!(
                            "row {}: order {order_id} has SKU rows settled on different days in statement {statement_id}; the line is dated by its first row",
                            row.line
                        ),
                    ));
                }
                let kind = sample.unwrap_or_else(|| "Order".to_string());
                if kind != line.transaction_type {
                    warnings.push(in_sheet(
                        sheet,
                        format!(
                            "row {}: order {order_id} mixes sample and other SKU rows; the line keeps the type `{}`",
                            row.line, line.transaction_type
                        ),
                    ));
                }
                line.rows.push(source);
                for (i, v) in amounts {
                    match sums[l].iter_mut().find(|(c, _)| *c == i) {
                        Some((_, s)) => *s += v,
                        None => sums[l].push((i, v)),
                    }
                }
            }
            None => {
                line_of.insert(key, out.lines.len());
                sums.push(amounts.collect());
                out.lines.push(SettlementLine {
                    ordered_at: None,
                    statement_id: statement_id.to_string(),
                    // Free and paid samples keep their type, so mapping can
                    // send them to marketing rather than sales.
                    transaction_type: sample.unwrap_or_else(|| "Order".to_string()),
                    order_id: Some(order_id.to_string()),
                    adjustment_id: None,
                    posted_at: Some(settled),
                    currency,
                    components: Vec::new(),
                    rows: vec![source],
                });
            }
        }
    }
    // The group's components: each money column summed over its SKU rows,
    // in the sheet's column order.
    for (line, mut columns) in out.lines.iter_mut().zip(sums) {
        columns.sort_by_key(|(i, _)| *i);
        for (i, amount) in columns {
            if amount.is_zero() {
                continue;
            }
            let code = match money.get(i) {
                Some(Some(Money::Component(code))) => *code,
                _ if ctx.options.accept_unclassified => UNCLASSIFIED,
                _ => continue,
            };
            line.components.push(Component {
                code: ComponentCode::new(code).expect("the column table holds valid codes"),
                amount,
                label: name(Some(i), ""),
            });
        }
    }
    if !ctx.options.accept_unclassified {
        let currency = ctx.currency;
        drift.report(problems, |rows, total| {
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
