//! The `Order details` table, from the workbook or saved as CSV: one
//! settlement line per row (a settled order, an adjustment, or one SKU of
//! an order where the layout has `SKU ID`), with every money column turned
//! into a component and every subtotal checked.
//!
//! Rows are never merged: the same order can settle twice (a payment and,
//! days later, its reversal, both `Type = Order` under one id), and SKU
//! rows each carry their own amounts. Lines keep a stable identity
//! (statement, type, order, adjustment, settled date); repeats across
//! weekly exports are recognised by the store on identity and content.
//!
//! The table is read a row at a time (`DetailsReader`): each row's line
//! goes to the sink as soon as it is read, so a million-row export is never
//! held; what needs the whole table (statements, schema drift, the sum the
//! Reports sheet declares) is kept small and given at the end.

use std::collections::BTreeMap;

use rust_decimal::Decimal;

use super::columns::{classify, Block, Check, Field, Kind, Part};
use crate::domain::money::Currency;
use crate::domain::settlement::{
    Channel, Component, ComponentCode, SettlementLine, SourceRow, Statement,
};
use crate::sources::amount::{parse_amount, DecimalMark};
use crate::sources::drift::{SchemaDrift, UNCLASSIFIED};
use crate::sources::header::normalize_header;
use crate::sources::problems::Problems;
use crate::sources::sink::RecordSink;
use crate::sources::table::{Header, Row};
use crate::sources::tiktok_finance::{
    adjustment_code, at_currency_scale, base_name, check_id_cell, in_sheet, is_text_by_name,
    local_day, present, tiktok_time, too_precise,
};
use crate::sources::time::{zone_in_header, Zone};
use crate::sources::workbook::column_letters;
use crate::sources::ParseOptions;

/// TikTok writes amounts with a decimal point in every region seen (IDR
/// and VND as integers); a localized `1.234.000` is refused, not guessed.
const MARK: DecimalMark = DecimalMark::Point;

/// What the rest of the workbook says about the table.
pub(super) struct Context<'a> {
    /// The sheet name, for messages and source rows (None for CSV).
    pub sheet: Option<&'a str>,
    /// The zone the Reports sheet names.
    pub zone: Option<Zone>,
    /// The currency the Reports sheet names.
    pub currency: Option<Currency>,
    pub options: ParseOptions,
}

/// What the table held, once read (its lines went to the sink).
#[derive(Default)]
pub(super) struct Details {
    pub statements: BTreeMap<String, Statement>,
    pub rows_read: u64,
    /// Lines read (handed to the sink while the file had no problem).
    pub lines: u64,
    /// Σ of the lines' nets.
    pub total: Decimal,
    /// The lines' currency, when they have exactly one.
    pub currency: Option<Currency>,
}

struct Column {
    index: usize,
    /// The header as written, trimmed: named in messages and labels.
    name: String,
    kind: Option<Kind>,
    /// For a column this importer does not know: whether its name says
    /// it is text (ids, times, names), so its numbers are not money.
    text_by_name: bool,
}

impl Column {
    fn new(index: usize, raw: &str) -> Self {
        let name = if raw.trim().is_empty() {
            format!("column {}", column_letters(index as u32))
        } else {
            raw.trim().to_string()
        };
        Column {
            index,
            text_by_name: is_text_by_name(&normalize_header(&name)),
            name,
            kind: classify(raw),
        }
    }
}

/// One money cell of a row.
struct Amount<'c> {
    column: &'c Column,
    value: Decimal,
}

/// Where the fields a line needs are, and their names for messages.
struct Layout {
    zone: Zone,
    id: usize,
    id_name: String,
    kind: usize,
    type_name: String,
    settled: usize,
    settled_name: String,
    created: Option<usize>,
    created_name: String,
    created_zone: Zone,
    currency: Option<usize>,
    currency_name: String,
    related: Option<usize>,
    related_name: String,
    statement: Option<usize>,
    statement_name: String,
    sku: Option<usize>,
    sku_name: String,
}

/// Reads the table a row at a time: `new` with its header, `row` for each
/// data row (its line goes to the sink at once), `finish` at the end.
pub(super) struct DetailsReader<'a> {
    ctx: Context<'a>,
    /// The header's columns, then the unnamed ones beyond it as rows
    /// reach them (cells beyond the header are never dropped).
    columns: Vec<Column>,
    /// None when the header lacks what a line needs (reported by `new`):
    /// the rows are then not read.
    layout: Option<Layout>,
    details: Details,
    /// Whether the lines so far have more than one currency.
    mixed_currencies: bool,
    drift_columns: SchemaDrift,
    drift_types: SchemaDrift,
    drift_currency: Option<Currency>,
}

impl<'a> DetailsReader<'a> {
    /// Checks the header (required columns, a column twice, the zone),
    /// reporting what is wrong with it.
    pub fn new(ctx: Context<'a>, header: &Header, problems: &mut Problems) -> Self {
        let columns: Vec<Column> = header
            .raw
            .iter()
            .enumerate()
            .map(|(index, raw)| Column::new(index, raw))
            .collect();
        let layout = Self::layout(&ctx, &columns, header.line, problems);
        DetailsReader {
            drift_currency: ctx.currency,
            ctx,
            columns,
            layout,
            details: Details::default(),
            mixed_currencies: false,
            drift_columns: SchemaDrift::default(),
            drift_types: SchemaDrift::default(),
        }
    }

    fn layout(
        ctx: &Context<'_>,
        columns: &[Column],
        header_line: u64,
        problems: &mut Problems,
    ) -> Option<Layout> {
        let sheet = ctx.sheet;
        let field = |f: Field| {
            columns
                .iter()
                .find(|c| c.kind == Some(Kind::Field(f)))
                .map(|c| c.index)
        };
        let name_of = |i: Option<usize>, fallback: &str| {
            i.and_then(|i| columns.get(i))
                .map(|c| c.name.clone())
                .unwrap_or_else(|| fallback.to_string())
        };
        // A money column twice would be booked twice.
        for (i, c) in columns.iter().enumerate() {
            let money = matches!(
                c.kind,
                Some(
                    Kind::Component { .. } | Kind::AdjustmentAmount | Kind::AdjustmentBreakdown(_)
                )
            );
            let base = base_name(&c.name);
            if money && columns[..i].iter().any(|o| base_name(&o.name) == base) {
                problems.push(
                    Some(header_line),
                    Some(&c.name),
                    None,
                    in_sheet(
                        sheet,
                        "the column appears twice; which one to book is unclear",
                    ),
                );
            }
        }
        let id_col = field(Field::Id);
        let type_col = field(Field::Type);
        let settled_col = field(Field::SettledTime);
        let settlement_col = columns
            .iter()
            .find(|c| c.kind == Some(Kind::Check(Check::Settlement)));
        for (present, name) in [
            (id_col.is_some(), "Order/adjustment ID"),
            (type_col.is_some(), "Type"),
            (settled_col.is_some(), "Order settled time"),
            (settlement_col.is_some(), "Total settlement amount"),
        ] {
            if !present {
                problems.push(
                    Some(header_line),
                    Some(name),
                    None,
                    in_sheet(sheet, "required column is missing"),
                );
            }
        }
        let (Some(id_col), Some(type_col), Some(settled_col)) = (id_col, type_col, settled_col)
        else {
            return None;
        };
        settlement_col?;
        let settled_name = name_of(Some(settled_col), "Order settled time");
        let zone_of = |column: usize| {
            columns
                .get(column)
                .and_then(|c| zone_in_header(&c.name))
                .or(ctx.zone)
                .or(ctx.options.shop_zone)
        };
        let Some(zone) = zone_of(settled_col) else {
            problems.push(
                Some(header_line),
                Some(&settled_name),
                None,
                in_sheet(
                    sheet,
                    "no time zone: neither this header, the Reports sheet nor the shop's \
                     configuration names one (configure the shop's zone)",
                ),
            );
            return None;
        };
        let created = field(Field::CreatedTime);
        let currency = field(Field::Currency);
        let related = field(Field::RelatedOrder);
        let statement = field(Field::StatementId);
        let sku = field(Field::SkuId);
        Some(Layout {
            zone,
            id: id_col,
            id_name: name_of(Some(id_col), "Order/adjustment ID"),
            kind: type_col,
            type_name: name_of(Some(type_col), "Type"),
            settled: settled_col,
            settled_name,
            created,
            created_name: name_of(created, "Order created time"),
            created_zone: created.and_then(zone_of).unwrap_or(zone),
            currency,
            currency_name: name_of(currency, "Currency"),
            related,
            related_name: name_of(related, "Related order ID"),
            statement,
            statement_name: name_of(statement, "Statement ID"),
            sku,
            sku_name: name_of(sku, "SKU ID"),
        })
    }

    /// Reads one data row: its line goes to `sink` (while the file has no
    /// problem: once it has one, nothing of it will be stored).
    pub fn row(
        &mut self,
        row: Row,
        problems: &mut Problems,
        warnings: &mut Vec<String>,
        sink: &mut dyn RecordSink,
    ) {
        if self.layout.is_none() {
            return;
        }
        // Cells beyond the header are columns too (unnamed): never dropped.
        while self.columns.len() < row.cells.len() {
            let index = self.columns.len();
            self.columns.push(Column::new(index, ""));
        }
        let DetailsReader {
            ctx,
            columns,
            layout: Some(layout),
            details,
            mixed_currencies,
            drift_columns,
            drift_types,
            drift_currency,
        } = self
        else {
            return;
        };
        let sheet = ctx.sheet;
        let zone = layout.zone;
        let cell = |i: usize| row.cells.get(i).map(|s| s.trim()).unwrap_or("");
        let mut bad = false;
        let mut amounts: Vec<Amount<'_>> = Vec::new();
        let mut unknown: Vec<Amount<'_>> = Vec::new();
        for column in columns.iter() {
            let raw = cell(column.index);
            // Blank is zero in a known money column (so a row's subtotals
            // are checked even where TikTok leaves them empty).
            if raw.is_empty() && !matches!(column.kind, Some(Kind::Check(_))) {
                continue;
            }
            match column.kind {
                Some(
                    Kind::Component { .. }
                    | Kind::Check(_)
                    | Kind::AdjustmentAmount
                    | Kind::AdjustmentBreakdown(_),
                ) => match parse_amount(raw, MARK) {
                    Ok(value) => amounts.push(Amount { column, value }),
                    Err(e) => {
                        problems.push(
                            Some(row.line),
                            Some(&column.name),
                            Some(raw),
                            in_sheet(sheet, e.to_string()),
                        );
                        bad = true;
                    }
                },
                Some(Kind::Memo | Kind::Field(_)) => {}
                None => {
                    // A column this importer does not know: money-looking
                    // when it holds amounts (ids, times and names aside).
                    if column.text_by_name {
                        continue;
                    }
                    if let Ok(value) = parse_amount(raw, MARK) {
                        if !value.is_zero() {
                            unknown.push(Amount { column, value });
                        }
                    }
                }
            }
        }
        let Some(id) = present(cell(layout.id)) else {
            // TikTok pads the used range with blank rows; a row with money
            // but no id is not padding.
            let money = amounts.iter().chain(&unknown).find(|a| !a.value.is_zero());
            if let Some(a) = money {
                problems.push(
                    Some(row.line),
                    Some(&layout.id_name),
                    None,
                    in_sheet(
                        sheet,
                        format!(
                            "the row has amounts (`{}` {}) but no Order/adjustment ID",
                            a.column.name, a.value
                        ),
                    ),
                );
            }
            return;
        };
        details.rows_read += 1;
        for (col, name) in [
            (Some(layout.id), &layout.id_name),
            (layout.related, &layout.related_name),
            (layout.statement, &layout.statement_name),
            (layout.sku, &layout.sku_name),
        ] {
            check_id_cell(sheet, &row, col, name, problems, warnings);
        }

        let kind = cell(layout.kind);
        let order = normalize_header(kind) == "order";
        if kind.is_empty() {
            problems.push(
                Some(row.line),
                Some(&layout.type_name),
                None,
                in_sheet(sheet, "no type (Order, Adjustment …)"),
            );
            bad = true;
        }
        let currency = match layout.currency.and_then(|i| present(cell(i))) {
            Some(raw) => match raw.parse::<Currency>() {
                Ok(c) => {
                    if ctx.currency.is_some_and(|r| r != c) {
                        problems.push(
                            Some(row.line),
                            Some(&layout.currency_name),
                            Some(raw),
                            in_sheet(sheet, "differs from the currency the Reports sheet names"),
                        );
                        bad = true;
                    }
                    Some(c)
                }
                Err(e) => {
                    problems.push(
                        Some(row.line),
                        Some(&layout.currency_name),
                        Some(raw),
                        in_sheet(sheet, e.to_string()),
                    );
                    None
                }
            },
            None => {
                if ctx.currency.is_none() {
                    problems.push(
                        Some(row.line),
                        Some(&layout.currency_name),
                        None,
                        in_sheet(sheet, "no currency in the row or the Reports sheet"),
                    );
                }
                ctx.currency
            }
        };
        let settled_raw = cell(layout.settled);
        let settled = match present(settled_raw) {
            Some(raw) => {
                let t = tiktok_time(raw, zone);
                if t.is_none() {
                    problems.push(
                        Some(row.line),
                        Some(&layout.settled_name),
                        Some(raw),
                        in_sheet(sheet, "not a date (expected YYYY/MM/DD)"),
                    );
                }
                t
            }
            None => {
                problems.push(
                    Some(row.line),
                    Some(&layout.settled_name),
                    Some(settled_raw),
                    in_sheet(sheet, "no settled time"),
                );
                None
            }
        };
        let mut ordered = None;
        if let Some(raw) = layout.created.and_then(|i| present(cell(i))) {
            ordered = tiktok_time(raw, layout.created_zone);
            if ordered.is_none() {
                problems.push(
                    Some(row.line),
                    Some(&layout.created_name),
                    Some(raw),
                    in_sheet(sheet, "not a date (expected YYYY/MM/DD)"),
                );
            }
        }
        let (Some(currency), Some(settled)) = (currency, settled) else {
            return;
        };
        if bad {
            return;
        }
        drift_currency.get_or_insert(currency);
        for a in amounts.iter().chain(&unknown) {
            if too_precise(a.value, currency) {
                problems.push(
                    Some(row.line),
                    Some(&a.column.name),
                    Some(cell(a.column.index)),
                    in_sheet(
                        sheet,
                        format!(
                            "more decimals than {currency} has ({} minor units)",
                            currency.minor_units()
                        ),
                    ),
                );
                bad = true;
            }
        }
        if bad {
            return;
        }
        for a in amounts.iter_mut().chain(unknown.iter_mut()) {
            a.value = at_currency_scale(a.value, currency);
        }

        // Components, and the sums the subtotals are checked against.
        let mut components = Vec::new();
        let mut push = |code: &str, amount: Decimal, label: String| {
            if !amount.is_zero() {
                components.push(Component {
                    code: ComponentCode::new(code).expect("the column table holds valid codes"),
                    amount,
                    label,
                });
            }
        };
        let mut sums = Sums::default();
        let mut adjustment_total: Option<(&Column, Decimal)> = None;
        let mut breakdown = Decimal::ZERO;
        let mut has_breakdown = false;
        let mut checks: Vec<(&Column, Check, Decimal)> = Vec::new();
        for a in &amounts {
            match a.column.kind {
                Some(Kind::Component { code, block, part }) => {
                    sums.add(block, part, a.value);
                    push(code, a.value, a.column.name.clone());
                }
                Some(Kind::AdjustmentBreakdown(code)) => {
                    if !a.value.is_zero() {
                        has_breakdown = true;
                    }
                    breakdown += a.value;
                    sums.all += a.value;
                    push(code, a.value, a.column.name.clone());
                }
                Some(Kind::AdjustmentAmount) => adjustment_total = Some((a.column, a.value)),
                Some(Kind::Check(check)) => checks.push((a.column, check, a.value)),
                _ => {}
            }
        }
        let adjustment = adjustment_total.map(|(_, v)| v).unwrap_or_default();
        if has_breakdown {
            // Per-kind columns carry the adjustment; its total is a check.
            if let Some((column, value)) = adjustment_total {
                if value != breakdown {
                    problems.push(
                        Some(row.line),
                        Some(&column.name),
                        Some(cell(column.index)),
                        in_sheet(
                            sheet,
                            format!(
                                "expected {breakdown} (the sum of the per-kind adjustment \
                                 columns), found {value}"
                            ),
                        ),
                    );
                }
            }
        } else if !adjustment.is_zero() {
            sums.all += adjustment;
            let label = format!("Adjustment amount ({kind})");
            let code = if order {
                Some("adjustment.other")
            } else {
                adjustment_code(kind)
            };
            match code {
                Some(code) => push(code, adjustment, label),
                None => {
                    drift_types.record(row.line, &layout.type_name, kind, adjustment);
                    if ctx.options.accept_unclassified {
                        push(UNCLASSIFIED, adjustment, label);
                    }
                }
            }
        }
        for a in &unknown {
            sums.all += a.value;
            drift_columns.record(row.line, &a.column.name, &a.column.name, a.value);
            if ctx.options.accept_unclassified {
                push(UNCLASSIFIED, a.value, a.column.name.clone());
            }
        }

        // The file's own arithmetic, on every row. Amounts in columns this
        // importer does not know cannot be placed in the tree, so on a row
        // that has them only the grand total is checked.
        let mut check = |column: &Column, expected: Decimal, found: Decimal, what: &str| {
            if expected != found {
                problems.push(
                    Some(row.line),
                    Some(&column.name),
                    Some(cell(column.index)),
                    in_sheet(
                        sheet,
                        format!("expected {expected} ({what}), found {found}"),
                    ),
                );
            }
        };
        let find = |c: Check| checks.iter().find(|(_, k, _)| *k == c).map(|(_, _, v)| *v);
        let placed = unknown.is_empty();
        for (column, kind, found) in &checks {
            match kind {
                Check::Settlement => {
                    check(column, sums.all, *found, "the sum of the row's components");
                    let parts = (
                        find(Check::Revenue),
                        find(Check::Fees),
                        adjustment_total.map(|(_, v)| v),
                    );
                    if let (Some(revenue), Some(fees), Some(adjustment)) = parts {
                        check(
                            column,
                            revenue + fees + adjustment,
                            *found,
                            "Total revenue + Total fees + Adjustment amount",
                        );
                    }
                }
                Check::Revenue if placed => check(
                    column,
                    sums.revenue,
                    *found,
                    "the sum of the revenue columns",
                ),
                Check::SalesAfterDiscounts if placed => check(
                    column,
                    sums.sales,
                    *found,
                    "Subtotal before discounts + Seller discounts",
                ),
                Check::RefundsAfterDiscounts if placed => check(
                    column,
                    sums.refunds,
                    *found,
                    "Refund subtotal before seller discounts + Refund of seller discounts",
                ),
                Check::Fees if placed => check(
                    column,
                    sums.fees + sums.shipping,
                    *found,
                    "the sum of the fee and shipping columns",
                ),
                Check::SellerShipping if placed => check(
                    column,
                    sums.shipping,
                    *found,
                    "the sum of the shipping columns",
                ),
                _ => {}
            }
        }

        let statement_id = match layout.statement.and_then(|i| present(cell(i))) {
            Some(id) => id.to_string(),
            None => format!("{}-{currency}", local_day(settled.utc, zone)),
        };
        let statement = details
            .statements
            .entry(statement_id.clone())
            .or_insert_with(|| Statement {
                channel: Channel::TikTok,
                statement_id: statement_id.clone(),
                payout_id: None,
                currency,
                declared_total: None,
                period_start: None,
                period_end: None,
                deposit_date: None,
                source: None,
            });
        if statement.currency != currency {
            problems.push(
                Some(row.line),
                Some(&layout.currency_name),
                Some(currency.code()),
                in_sheet(sheet, format!("statement {statement_id} mixes currencies")),
            );
            return;
        }
        let related = layout
            .related
            .and_then(|i| present(cell(i)))
            .map(str::to_string);
        let transaction_type = kind.to_string();
        let id = id.to_string();
        let line = SettlementLine {
            ordered_at: ordered,
            statement_id,
            transaction_type,
            order_id: if order { Some(id.clone()) } else { related },
            adjustment_id: (!order).then_some(id),
            posted_at: Some(settled),
            currency,
            components,
            rows: vec![SourceRow {
                sheet: sheet.map(str::to_string),
                row: row.line,
                cells: row.cells,
            }],
        };
        details.lines += 1;
        details.total += line.net();
        match details.currency {
            None => details.currency = Some(currency),
            Some(c) if c != currency => *mixed_currencies = true,
            _ => {}
        }
        if problems.is_empty() {
            sink.line(line);
        }
    }

    /// What only the whole table tells: schema drift is reported here.
    pub fn finish(self, problems: &mut Problems) -> Details {
        let sheet = self.ctx.sheet;
        if !self.ctx.options.accept_unclassified {
            let currency = self
                .drift_currency
                .map(|c| format!(" {c}"))
                .unwrap_or_default();
            self.drift_columns.report(problems, |rows, total| {
                in_sheet(
                    sheet,
                    format!(
                        "an amount column this importer does not know: {rows} row(s) totalling {total}{currency}"
                    ),
                )
            });
            self.drift_types.report(problems, |rows, total| {
                in_sheet(
                    sheet,
                    format!(
                        "an adjustment type this importer does not know: {rows} row(s) with adjustment amounts totalling {total}{currency}"
                    ),
                )
            });
        }
        let mut details = self.details;
        if self.mixed_currencies {
            details.currency = None;
        }
        details
    }
}

/// A row's components summed by where they sit in TikTok's tree.
#[derive(Default)]
struct Sums {
    all: Decimal,
    revenue: Decimal,
    sales: Decimal,
    refunds: Decimal,
    shipping: Decimal,
    fees: Decimal,
}

impl Sums {
    fn add(&mut self, block: Block, part: Option<Part>, value: Decimal) {
        self.all += value;
        match block {
            Block::Revenue => self.revenue += value,
            Block::Shipping => self.shipping += value,
            Block::Fees => self.fees += value,
        }
        match part {
            Some(Part::Sales) => self.sales += value,
            Some(Part::Refunds) => self.refunds += value,
            None => {}
        }
    }
}
