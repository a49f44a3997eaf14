//! TikTok Shop's order export (Orders > Manage orders > Export), as CSV or
//! XLSX: one row per SKU line, with the order-level figures (`Order Amount`,
//! shipping, `Taxes`, `Order Refund Amount`, times, status) repeated on
//! every SKU row of the order. They are taken once per order, never summed,
//! and rows of one order that disagree on them are a problem.
//!
//! Traps handled (formats.md §2): the UTF-8 BOM on `Order ID`; a trailing
//! TAB in id, SKU and date cells (`583870900000000001\t`); the row of field
//! descriptions TikTok sometimes puts under the header (dropped, with a
//! warning); 18-digit ids, read as text and flagged when an XLSX typed them
//! as numbers; US `MM/DD/YYYY hh:mm:ss AM` and TH `DD/MM/YYYY HH:MM:SS`
//! dates, the order decided once per file (see `dates`); localised status
//! values, kept as written. The export names neither zone nor currency: both
//! come from the shop's configuration, and their absence is a problem.
//!
//! Amounts, as components (money to the seller positive):
//! - line: `SKU Subtotal Before Discount` → `sale.gross`; `SKU Seller
//!   Discount` → `sale.seller_discount` (negative); `SKU Platform Discount`
//!   → the memo pair `sale.platform_discount` (−) / `sale.platform_discount_funded`
//!   (+): the buyer paid less, TikTok pays the difference, so it does not
//!   reduce what the brand earns (accounting-model.md) and the pair nets to 0.
//! - order: shipping the same way — `Original Shipping Fee` →
//!   `sale.shipping_income`, `Shipping Fee Seller Discount` →
//!   `sale.shipping_seller_discount` (−), `Shipping Fee Platform Discount` →
//!   the pair `sale.shipping_platform_discount` / `…_funded`; the three with
//!   the platform's part taken off come to `Shipping Fee After Discount`,
//!   what the buyer paid. Where the file has no breakdown, or it does not add
//!   up to `Shipping Fee After Discount` (a warning), `sale.shipping_income`
//!   is `Shipping Fee After Discount`. `Payment platform discount` is a memo
//!   pair like the platform discounts.
//! - `Taxes` → `tax.collected`, and `Retail Delivery Fee` →
//!   `tax.retail_delivery_fee`. In the US TikTok is the marketplace
//!   facilitator: it collects and remits both, so for USD shops each is
//!   paired with `tax.withheld_by_marketplace` (−) and nets to zero. For other
//!   currencies the export does not say who remits, so the tax stands alone
//!   (seller-collected, a liability) and the settlement files correct it.
//! - `Order Amount` is the order's `total`, `Order Refund Amount` its
//!   `refunded` (an observation that changes between exports).
//!
//! Checks: `SKU Unit Original Price × Quantity = SKU Subtotal Before Discount`
//! is TikTok's own definition (the description row) and is an error when it
//! fails. The other relations — `Before − Platform − Seller discount = After`
//! per row and `Σ SKU Subtotal After Discount + Shipping Fee After Discount +
//! Taxes + Retail Delivery Fee − Payment platform discount = Order Amount`
//! per order — are not stated by any documentation seen, so a mismatch is a
//! warning naming the row, the expected and the found figure, not an error.

mod dates;

use std::collections::HashMap;

use rust_decimal::Decimal;

use super::amount::{parse_amount, DecimalMark};
use super::problems::{ParseError, Problems};
use super::table::{Header, Row, Table, TableFormat};
use super::workbook::{SheetTable, Workbook};
use crate::domain::money::Currency;
use crate::domain::order::{Order, OrderLine};
use crate::domain::settlement::{Channel, Component, ComponentCode, ParsedFile, SourceRow};
use dates::{DateOrder, Decision, Evidence};

/// How to read the file (see `ParseOptions`).
pub type Options = super::ParseOptions;

const ORDER_ID: &str = "order id";
const ORDER_STATUS: &str = "order status";
const ORDER_SUBSTATUS: &str = "order substatus";
const SKU_ID: &str = "sku id";
const SELLER_SKU: &str = "seller sku";
const PRODUCT: &str = "product name";
const VARIATION: &str = "variation";
const QUANTITY: &str = "quantity";
const UNIT_PRICE: &str = "sku unit original price";
const SUBTOTAL_BEFORE: &str = "sku subtotal before discount";
const PLATFORM_DISCOUNT: &str = "sku platform discount";
const SELLER_DISCOUNT: &str = "sku seller discount";
const SUBTOTAL_AFTER: &str = "sku subtotal after discount";
const SHIPPING_AFTER: &str = "shipping fee after discount";
const SHIPPING_ORIGINAL: &str = "original shipping fee";
const SHIPPING_SELLER: &str = "shipping fee seller discount";
const SHIPPING_PLATFORM: &str = "shipping fee platform discount";
const PAYMENT_PLATFORM: &str = "payment platform discount";
const RETAIL_DELIVERY: &str = "retail delivery fee";
const TAXES: &str = "taxes";
const ORDER_AMOUNT: &str = "order amount";
const ORDER_REFUND: &str = "order refund amount";
const CREATED: &str = "created time";

const REQUIRED: [&str; 13] = [
    ORDER_ID,
    ORDER_STATUS,
    SKU_ID,
    QUANTITY,
    UNIT_PRICE,
    SUBTOTAL_BEFORE,
    PLATFORM_DISCOUNT,
    SELLER_DISCOUNT,
    SUBTOTAL_AFTER,
    SHIPPING_AFTER,
    ORDER_AMOUNT,
    PRODUCT,
    CREATED,
];

/// Order-level money columns: repeated on every SKU row, taken once.
const ORDER_MONEY: [&str; 9] = [
    SHIPPING_AFTER,
    SHIPPING_ORIGINAL,
    SHIPPING_SELLER,
    SHIPPING_PLATFORM,
    PAYMENT_PLATFORM,
    RETAIL_DELIVERY,
    TAXES,
    ORDER_AMOUNT,
    ORDER_REFUND,
];

/// Order-level text columns that must agree between an order's rows.
const ORDER_TEXT: [&str; 4] = [ORDER_STATUS, ORDER_SUBSTATUS, CREATED, "paid time"];

/// Every date column: all of them decide the file's day/month order.
const DATE_COLUMNS: [&str; 6] = [
    CREATED,
    "paid time",
    "rts time",
    "shipped time",
    "delivered time",
    "cancelled time",
];

/// How many rows may stand above the header.
const HEADER_WITHIN: usize = 5;

/// Whether normalized headers look like this export.
pub fn detect(headers: &[String]) -> bool {
    [ORDER_ID, SKU_ID, UNIT_PRICE, ORDER_AMOUNT, SHIPPING_AFTER]
        .iter()
        .all(|h| headers.iter().any(|x| x == h))
}

/// Whether a workbook is this export (a sheet whose header `detect`s).
pub fn detect_workbook(bytes: &[u8]) -> bool {
    let Ok(mut workbook) = Workbook::open("", bytes) else {
        return false;
    };
    for sheet in workbook.sheet_names() {
        let mut ignored = Problems::default();
        if let Ok(rows) = workbook.rows(&sheet, &mut ignored) {
            if SheetTable::from_rows(&sheet, rows, HEADER_WITHIN, detect).is_some() {
                return true;
            }
        }
    }
    false
}

/// Parses the export: an XLSX workbook when the bytes are a zip, CSV
/// otherwise.
pub fn parse(file: &str, bytes: &[u8], options: Options) -> Result<ParsedFile, ParseError> {
    if super::workbook::is_zip(bytes) {
        parse_workbook(file, bytes, options)
    } else {
        parse_csv(file, bytes, options)
    }
}

const NOT_THIS_FORMAT: &str =
    "not a TikTok Shop order export (no Order ID / SKU ID / SKU Unit Original Price / Order Amount header)";

fn parse_csv(file: &str, bytes: &[u8], options: Options) -> Result<ParsedFile, ParseError> {
    let mut table = Table::open(
        file,
        bytes,
        &TableFormat {
            delimiter: b',',
            quoting: true,
            detect,
            not_this_format: NOT_THIS_FORMAT,
            required: &REQUIRED,
            header_within: HEADER_WITHIN,
        },
    )?;
    let mut problems = Problems::default();
    let mut rows = Vec::new();
    while let Some(row) = table.next_row(&mut problems) {
        rows.push(row);
    }
    read_orders(file, None, table.header, rows, problems, options)
}

fn parse_workbook(file: &str, bytes: &[u8], options: Options) -> Result<ParsedFile, ParseError> {
    let mut workbook = Workbook::open(file, bytes)?;
    for sheet in workbook.sheet_names() {
        // Problems of sheets that are not the order list are not this file's.
        let mut problems = Problems::default();
        let rows = workbook.rows(&sheet, &mut problems)?;
        if let Some(table) = SheetTable::from_rows(&sheet, rows, HEADER_WITHIN, detect) {
            let mut missing = Problems::default();
            table.header.check_required(&REQUIRED, &mut missing);
            missing.finish(file)?;
            return read_orders(
                file,
                Some(table.sheet),
                table.header,
                table.rows,
                problems,
                options,
            );
        }
    }
    Err(ParseError::NotThisFormat {
        file: file.into(),
        message: format!("{NOT_THIS_FORMAT} in any sheet"),
    })
}

/// A value of an order-level column as first seen on one of its rows.
struct Seen {
    row: u64,
    raw: String,
    amount: Option<Decimal>,
}

/// One order as its rows are read.
struct Pending {
    id: String,
    rows: Vec<SourceRow>,
    lines: Vec<OrderLine>,
    subtotal_after: Decimal,
    fields: HashMap<&'static str, Seen>,
}

impl Pending {
    fn amount(&self, column: &str) -> Decimal {
        self.fields
            .get(column)
            .and_then(|s| s.amount)
            .unwrap_or_default()
    }

    fn text(&self, column: &str) -> Option<&str> {
        self.fields.get(column).map(|s| s.raw.as_str())
    }

    fn place(&self) -> String {
        match (self.rows.first(), self.rows.last()) {
            (Some(a), Some(b)) if a.row != b.row => format!("rows {}–{}", a.row, b.row),
            (Some(a), _) => format!("row {}", a.row),
            _ => String::new(),
        }
    }
}

/// Reads amounts with the file's decimal mark (a point in every export seen)
/// and refuses more decimals than the currency has: in a file whose
/// thousands separator is a point, `150.000` would otherwise read as 150.
struct Amounts {
    currency: Option<Currency>,
}

impl Amounts {
    fn read(&self, row: u64, column: &str, raw: &str, problems: &mut Problems) -> Option<Decimal> {
        match parse_amount(raw, DecimalMark::Point) {
            Ok(a) => match self.currency {
                Some(c) if a.scale() > c.minor_units() => {
                    problems.push(
                        Some(row),
                        Some(column),
                        Some(raw),
                        format!(
                            "more decimals than {c} has ({}): is the point a thousands separator?",
                            c.minor_units()
                        ),
                    );
                    None
                }
                _ => Some(a),
            },
            Err(e) => {
                problems.push(Some(row), Some(column), Some(raw), e.to_string());
                None
            }
        }
    }
}

fn is_id(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// An XLSX id cell typed as a number: with more than 15 digits it has lost
/// some (a problem); otherwise a warning that it was not text.
fn check_numeric_id(
    row: &Row,
    header: &Header,
    column: &str,
    problems: &mut Problems,
    warnings: &mut Vec<String>,
) {
    let Some(i) = header.position(column) else {
        return;
    };
    if !row.is_numeric(i) {
        return;
    }
    let value = header.get(row, column);
    let digits = value.bytes().filter(u8::is_ascii_digit).count();
    if digits > 15 {
        problems.push(
            Some(row.line),
            Some(column),
            Some(value),
            format!(
                "an id typed as a number in the workbook has lost digits (a number keeps 15, this id has {digits}); export the ids as text"
            ),
        );
    } else {
        warnings.push(format!(
            "row {}, column `{column}`, value `{value}`: an id typed as a number in the workbook ({digits} digits, still exact)",
            row.line
        ));
    }
}

fn component(code: &str, amount: Decimal, label: &str) -> Component {
    Component {
        code: ComponentCode::new(code).expect("the mapping holds valid codes"),
        amount,
        label: label.to_string(),
    }
}

/// Pushes a component unless it is zero.
fn push(list: &mut Vec<Component>, code: &str, amount: Decimal, label: &str) {
    if !amount.is_zero() {
        list.push(component(code, amount, label));
    }
}

/// A discount the export writes as a positive amount, as a negative
/// component amount; a negative cell is a problem.
fn discount(
    row: u64,
    column: &str,
    raw: &str,
    amount: Decimal,
    problems: &mut Problems,
) -> Decimal {
    if amount < Decimal::ZERO {
        problems.push(
            Some(row),
            Some(column),
            Some(raw),
            "discounts are positive amounts in this export; a negative one is not understood",
        );
    }
    -amount
}

fn read_orders(
    file: &str,
    sheet: Option<String>,
    header: Header,
    rows: Vec<Row>,
    mut problems: Problems,
    options: Options,
) -> Result<ParsedFile, ParseError> {
    let mut warnings = Vec::new();
    let amounts = Amounts {
        currency: options.shop_currency,
    };
    let mut rows = rows.into_iter().peekable();
    // TikTok's description row: its Order ID cell is a sentence, not an id,
    // and its Order Amount is not an amount.
    if let Some(first) = rows.peek() {
        let id = header.get(first, ORDER_ID);
        let total = header.get(first, ORDER_AMOUNT);
        if !id.is_empty()
            && !is_id(id)
            && (total.is_empty() || parse_amount(total, DecimalMark::Point).is_err())
        {
            warnings.push(format!(
                "row {}: the row of field descriptions under the header was skipped",
                first.line
            ));
            rows.next();
        }
    }
    let rows: Vec<Row> = rows.collect();

    let mut evidence = Evidence::default();
    for row in &rows {
        for column in DATE_COLUMNS {
            let raw = header.get(row, column);
            if !raw.is_empty() {
                evidence.see(row.line, column, raw);
            }
        }
    }
    let decision = evidence.decide();
    let dates_decided = matches!(decision, Decision::NotNeeded | Decision::Decided(_));
    let date_order = match decision {
        Decision::NotNeeded => None,
        Decision::Decided(o) => Some(o),
        Decision::Contradictory {
            day_first,
            month_first,
        } => {
            problems.push(
                Some(month_first.0),
                Some(&month_first.1),
                Some(&month_first.2),
                format!(
                    "the file's dates contradict each other: this one can only be MM/DD/YYYY, but `{}` (row {}, column `{}`) can only be DD/MM/YYYY",
                    day_first.2, day_first.0, day_first.1
                ),
            );
            None
        }
        Decision::Undecidable { example } => {
            problems.push(
                Some(example.0),
                Some(&example.1),
                Some(&example.2),
                "cannot tell whether the file's dates are DD/MM/YYYY or MM/DD/YYYY: no date in it has a day above 12 and its times are 24-hour",
            );
            None
        }
    };
    let zone = options.shop_zone;
    if zone.is_none() {
        problems.push(
            Some(header.line),
            Some(CREATED),
            None,
            "the export's times name no time zone and none is configured for the shop; set the shop's zone",
        );
    }
    if options.shop_currency.is_none() {
        problems.push(
            Some(header.line),
            None,
            None,
            "the order export names no currency and none is configured for the shop; set the shop's currency",
        );
    }

    let has = |c: &str| header.has(c);
    let mut pending: Vec<Pending> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    for record in &rows {
        let row = record.line;
        let get = |column: &str| header.get(record, column);
        let id = get(ORDER_ID);
        if !is_id(id) {
            problems.push(
                Some(row),
                Some(ORDER_ID),
                Some(id),
                if id.is_empty() {
                    "a row without an order id"
                } else {
                    "not an order id (TikTok order ids are digits)"
                },
            );
            continue;
        }
        check_numeric_id(record, &header, ORDER_ID, &mut problems, &mut warnings);
        check_numeric_id(record, &header, SKU_ID, &mut problems, &mut warnings);
        let at = *index.entry(id.to_string()).or_insert_with(|| {
            pending.push(Pending {
                id: id.to_string(),
                rows: Vec::new(),
                lines: Vec::new(),
                subtotal_after: Decimal::ZERO,
                fields: HashMap::new(),
            });
            pending.len() - 1
        });
        let order = &mut pending[at];
        order.rows.push(SourceRow {
            sheet: sheet.clone(),
            row,
            cells: record.cells.clone(),
        });

        // Order-level columns: the first value seen stands; a later one
        // that differs is a problem naming both rows. Blank cells on
        // continuation rows say nothing.
        for column in ORDER_MONEY.iter().chain(ORDER_TEXT.iter()) {
            let raw = get(column);
            if raw.is_empty() || !has(column) {
                continue;
            }
            let money = ORDER_MONEY.contains(column);
            let amount = if money {
                match amounts.read(row, column, raw, &mut problems) {
                    Some(a) => Some(a),
                    None => continue,
                }
            } else {
                None
            };
            match order.fields.get(column) {
                None => {
                    order.fields.insert(
                        column,
                        Seen {
                            row,
                            raw: raw.to_string(),
                            amount,
                        },
                    );
                }
                Some(seen) => {
                    let same = if money {
                        seen.amount == amount
                    } else {
                        seen.raw == raw
                    };
                    if !same {
                        problems.push(
                            Some(row),
                            Some(column),
                            Some(raw),
                            format!(
                                "order {}: differs from `{}` on row {} of the same order (order-level columns repeat on every SKU row and must agree)",
                                order.id, seen.raw, seen.row
                            ),
                        );
                    }
                }
            }
        }

        // The SKU line.
        let mut money = |column: &str| amounts.read(row, column, get(column), &mut problems);
        let (Some(quantity), Some(before), Some(platform), Some(seller), Some(after)) = (
            money(QUANTITY),
            money(SUBTOTAL_BEFORE),
            money(PLATFORM_DISCOUNT),
            money(SELLER_DISCOUNT),
            money(SUBTOTAL_AFTER),
        ) else {
            continue;
        };
        let unit_price = if get(UNIT_PRICE).is_empty() {
            None
        } else {
            match money(UNIT_PRICE) {
                Some(p) => Some(p),
                None => continue,
            }
        };
        if quantity < Decimal::ZERO || !quantity.fract().is_zero() {
            problems.push(
                Some(row),
                Some(QUANTITY),
                Some(get(QUANTITY)),
                "not a quantity (a whole number of units)",
            );
            continue;
        }
        if let Some(unit) = unit_price {
            if unit * quantity != before {
                problems.push(
                    Some(row),
                    Some(SUBTOTAL_BEFORE),
                    Some(get(SUBTOTAL_BEFORE)),
                    format!(
                        "SKU Unit Original Price {unit} × Quantity {quantity} is {}, not the SKU Subtotal Before Discount the row gives",
                        unit * quantity
                    ),
                );
            }
        }
        if before - platform - seller != after {
            warnings.push(format!(
                "row {row}: order {}: SKU Subtotal Before Discount {before} − SKU Platform Discount {platform} − SKU Seller Discount {seller} is {}, but SKU Subtotal After Discount is {after}",
                order.id,
                before - platform - seller
            ));
        }
        let mut line_amounts = Vec::new();
        push(
            &mut line_amounts,
            "sale.gross",
            before,
            "SKU Subtotal Before Discount",
        );
        let seller = discount(
            row,
            SELLER_DISCOUNT,
            get(SELLER_DISCOUNT),
            seller,
            &mut problems,
        );
        push(
            &mut line_amounts,
            "sale.seller_discount",
            seller,
            "SKU Seller Discount",
        );
        let platform = discount(
            row,
            PLATFORM_DISCOUNT,
            get(PLATFORM_DISCOUNT),
            platform,
            &mut problems,
        );
        push(
            &mut line_amounts,
            "sale.platform_discount",
            platform,
            "SKU Platform Discount",
        );
        push(
            &mut line_amounts,
            "sale.platform_discount_funded",
            -platform,
            "SKU Platform Discount (paid by TikTok)",
        );
        let product = get(PRODUCT);
        let variation = get(VARIATION);
        let name = if variation.is_empty() {
            product.to_string()
        } else {
            format!("{product} ({variation})")
        };
        let some = |s: &str| Some(s.to_string()).filter(|s| !s.is_empty());
        order.subtotal_after += after;
        order.lines.push(OrderLine {
            sku: some(get(SELLER_SKU)),
            sku_id: some(get(SKU_ID)),
            name,
            quantity,
            unit_price,
            amounts: line_amounts,
        });
    }

    let mut orders = Vec::new();
    // Without a zone, a currency and a date order there is nothing to build
    // the orders with; the problems say why.
    if let (Some(zone), Some(currency), true) = (zone, options.shop_currency, dates_decided) {
        for p in pending {
            if let Some(order) = build_order(
                p,
                currency,
                zone,
                date_order,
                &has,
                &mut problems,
                &mut warnings,
            ) {
                orders.push(order);
            }
        }
    }
    problems.finish(file)?;
    Ok(ParsedFile {
        header: header.raw,
        orders,
        rows_read: rows.len() as u64,
        warnings,
        ..Default::default()
    })
}

fn build_order(
    p: Pending,
    currency: Currency,
    zone: super::time::Zone,
    order: Option<DateOrder>,
    has: &dyn Fn(&str) -> bool,
    problems: &mut Problems,
    warnings: &mut Vec<String>,
) -> Option<Order> {
    let first_row = p.rows.first().map(|r| r.row);
    let created_at = match p.fields.get(CREATED) {
        None => {
            problems.push(
                first_row,
                Some(CREATED),
                None,
                format!("order {}: no created time", p.id),
            );
            None
        }
        Some(seen) => match dates::timestamp(&seen.raw, order, zone) {
            Ok(t) => Some(t),
            Err(message) => {
                problems.push(Some(seen.row), Some(CREATED), Some(&seen.raw), message);
                None
            }
        },
    };
    let row_of = |column: &str| p.fields.get(column).map(|s| s.row).or(first_row);
    let raw_of = |column: &str| p.text(column).unwrap_or("");

    let mut amounts = Vec::new();
    let after = p.amount(SHIPPING_AFTER);
    let original = p.amount(SHIPPING_ORIGINAL);
    let seller = p.amount(SHIPPING_SELLER);
    let platform = p.amount(SHIPPING_PLATFORM);
    for (column, value) in [(SHIPPING_SELLER, seller), (SHIPPING_PLATFORM, platform)] {
        if value < Decimal::ZERO {
            discount(
                row_of(column).unwrap_or(0),
                column,
                raw_of(column),
                value,
                problems,
            );
        }
    }
    let breakdown = has(SHIPPING_ORIGINAL) && original - seller - platform == after;
    if has(SHIPPING_ORIGINAL) && !breakdown {
        warnings.push(format!(
            "row {}: order {}: Original Shipping Fee {original} − Shipping Fee Seller Discount {seller} − Shipping Fee Platform Discount {platform} is {}, but Shipping Fee After Discount is {after}; shipping income is booked as the Shipping Fee After Discount (what the buyer paid)",
            row_of(SHIPPING_AFTER).unwrap_or(0),
            p.id,
            original - seller - platform
        ));
    }
    if breakdown {
        push(
            &mut amounts,
            "sale.shipping_income",
            original,
            "Original Shipping Fee",
        );
        push(
            &mut amounts,
            "sale.shipping_seller_discount",
            -seller,
            "Shipping Fee Seller Discount",
        );
        push(
            &mut amounts,
            "sale.shipping_platform_discount",
            -platform,
            "Shipping Fee Platform Discount",
        );
        push(
            &mut amounts,
            "sale.shipping_platform_discount_funded",
            platform,
            "Shipping Fee Platform Discount (paid by TikTok)",
        );
    } else {
        push(
            &mut amounts,
            "sale.shipping_income",
            after,
            "Shipping Fee After Discount",
        );
    }
    let payment_platform = p.amount(PAYMENT_PLATFORM);
    push(
        &mut amounts,
        "sale.payment_platform_discount",
        -payment_platform,
        "Payment platform discount",
    );
    push(
        &mut amounts,
        "sale.payment_platform_discount_funded",
        payment_platform,
        "Payment platform discount (paid by the payment platform)",
    );
    let facilitator = currency.code() == "USD";
    let taxes = p.amount(TAXES);
    push(&mut amounts, "tax.collected", taxes, "Taxes");
    let delivery = p.amount(RETAIL_DELIVERY);
    push(
        &mut amounts,
        "tax.retail_delivery_fee",
        delivery,
        "Retail Delivery Fee",
    );
    if facilitator {
        push(
            &mut amounts,
            "tax.withheld_by_marketplace",
            -(taxes + delivery),
            "Taxes and Retail Delivery Fee (collected and remitted by TikTok)",
        );
    }

    let total = p.fields.get(ORDER_AMOUNT).and_then(|s| s.amount);
    if let Some(total) = total {
        let expected = p.subtotal_after + after + taxes + delivery - payment_platform;
        if expected != total {
            warnings.push(format!(
                "row {}: order {} ({}): Σ SKU Subtotal After Discount {} + Shipping Fee After Discount {after} + Taxes {taxes} + Retail Delivery Fee {delivery} − Payment platform discount {payment_platform} is {expected}, but Order Amount is {total} (a relation no documentation states, so not an error)",
                row_of(ORDER_AMOUNT).unwrap_or(0),
                p.id,
                p.place(),
                p.subtotal_after,
            ));
        }
    }
    let status = match (p.text(ORDER_STATUS), p.text(ORDER_SUBSTATUS)) {
        (Some(s), Some(sub)) if sub != s => Some(format!("{s} / {sub}")),
        (Some(s), _) => Some(s.to_string()),
        (None, Some(sub)) => Some(sub.to_string()),
        (None, None) => None,
    };
    let refunded = p.fields.get(ORDER_REFUND).and_then(|s| s.amount);
    let created_at = created_at?;
    Some(Order {
        channel: Channel::TikTok,
        order_id: p.id,
        alt_id: None,
        status,
        currency,
        created_at: Some(created_at),
        amounts,
        total,
        refunded,
        lines: p.lines,
        rows: p.rows,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_the_us_header_and_not_others() {
        let names = |s: &str| -> Vec<String> {
            s.split(',')
                .map(super::super::header::normalize_header)
                .collect()
        };
        assert!(detect(&names(
            "\u{feff}Order ID,Order Status,SKU ID,Seller SKU,SKU Unit Original Price,Shipping Fee After Discount,Order Amount"
        )));
        assert!(!detect(&names(
            "Name,Email,Financial Status,Lineitem sku,Lineitem price,Total"
        )));
    }
}
