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

mod build;
mod dates;
mod rows;

use super::problems::{ParseError, Problems};
use super::table::{Header, Row, Table, TableFormat};
use super::workbook::{SheetTable, Workbook};
use crate::domain::settlement::ParsedFile;
use dates::{DateOrder, Decision, Evidence};
use rows::Grouper;

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

fn read_orders(
    file: &str,
    sheet: Option<String>,
    header: Header,
    rows: Vec<Row>,
    mut problems: Problems,
    options: Options,
) -> Result<ParsedFile, ParseError> {
    let mut warnings = Vec::new();
    let mut rows = rows.as_slice();
    if let Some(first) = rows
        .first()
        .filter(|r| rows::is_description_row(&header, r))
    {
        warnings.push(format!(
            "row {}: the row of field descriptions under the header was skipped",
            first.line
        ));
        rows = &rows[1..];
    }
    let date_order = decide_dates(&header, rows, &mut problems);
    let zone = options.shop_zone;
    if zone.is_none() {
        problems.push(
            Some(header.line),
            Some(CREATED),
            None,
            "the export's times name no time zone and no shop is configured for it: give the shop a time_zone in gl-mappings/shops.toml and name it with --shop",
        );
    }
    if options.shop_currency.is_none() {
        problems.push(
            Some(header.line),
            None,
            None,
            "the order export names no currency and no shop is configured for it: give the shop a currency in gl-mappings/shops.toml and name it with --shop",
        );
    }
    let mut grouper = Grouper::new(&header, sheet, options.shop_currency);
    for record in rows {
        grouper.read(record, &mut problems, &mut warnings);
    }
    let mut orders = Vec::new();
    // Without a zone, a currency and a date order there is nothing to build
    // the orders with; the problems say why.
    if let (Some(zone), Some(currency), Ok(date_order)) = (zone, options.shop_currency, date_order)
    {
        let has = |c: &str| header.has(c);
        for p in grouper.orders {
            if let Some(order) = build::build_order(
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

/// The file's day/month order from all its date cells (None when no cell
/// needs one); Err when it cannot be told, with the problem reported.
fn decide_dates(
    header: &Header,
    rows: &[Row],
    problems: &mut Problems,
) -> Result<Option<DateOrder>, ()> {
    let mut evidence = Evidence::default();
    for row in rows {
        for column in DATE_COLUMNS {
            let raw = header.get(row, column);
            if !raw.is_empty() {
                evidence.see(row.line, column, raw);
            }
        }
    }
    match evidence.decide() {
        Decision::NotNeeded => Ok(None),
        Decision::Decided(o) => Ok(Some(o)),
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
            Err(())
        }
        Decision::Undecidable { example } => {
            problems.push(
                Some(example.0),
                Some(&example.1),
                Some(&example.2),
                "cannot tell whether the file's dates are DD/MM/YYYY or MM/DD/YYYY: no date in it has a day above 12 and its times are 24-hour",
            );
            Err(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_the_us_header_and_not_others() {
        let names = |s: &str| -> Vec<String> {
            s.split(',')
                .map(crate::sources::header::normalize_header)
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
