//! Shopify's orders export (Orders > Export), CSV. One row per line item;
//! order-level fields (status, totals, currency, addresses, `Id`) stand only
//! on an order's first row, continuation rows repeat `Name`, `Email` and
//! `Created at` and fill the `Lineitem *` columns. Rows group by `Name` (the
//! order name settlement files use, `#1001`).
//!
//! Amounts: each line item gives `sale.gross` = price × quantity; the order
//! gives its discount (`Discount Amount`, which already includes every
//! `Lineitem discount`, so line discounts are not counted again), shipping,
//! taxes (one component per `Tax N Name`) and duties. The file's arithmetic
//! is checked per order: the components sum to `Total`. Shops that price
//! tax-inclusive show `Total = Subtotal + Shipping`; their tax is then a
//! reclassification out of the gross (`tax.collected` with an equal
//! `sale.tax_included` against it), so the net still equals `Total`.
//!
//! Buyer names, e-mails, addresses and phones are blanked in the stored row
//! cells: the books need none of them (the original file is kept as
//! evidence, behind the auditor's access).

use std::collections::HashMap;
use std::io::Read;

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;

use super::amount::{parse_amount, DecimalMark};
use super::problems::{ParseError, Problems};
use super::table::{Row, Table, TableFormat};
use super::ParseOptions;
use crate::domain::money::Currency;
use crate::domain::order::{Order, OrderLine};
use crate::domain::settlement::{
    Channel, Component, ComponentCode, ParsedFile, SourceRow, Timestamp,
};

const REQUIRED: [&str; 10] = [
    "name",
    "financial status",
    "currency",
    "subtotal",
    "shipping",
    "taxes",
    "total",
    "created at",
    "lineitem quantity",
    "lineitem price",
];

/// Order-level columns: filled on an order's first row only.
const ORDER_LEVEL: [&str; 8] = [
    "financial status",
    "currency",
    "subtotal",
    "shipping",
    "taxes",
    "total",
    "discount amount",
    "refunded amount",
];

/// Columns that hold personal data, blanked in the stored cells.
const PERSONAL: [&str; 21] = [
    "email",
    "billing name",
    "billing street",
    "billing address1",
    "billing address2",
    "billing company",
    "billing city",
    "billing zip",
    "billing phone",
    "shipping name",
    "shipping street",
    "shipping address1",
    "shipping address2",
    "shipping company",
    "shipping city",
    "shipping zip",
    "shipping phone",
    "phone",
    "notes",
    "note attributes",
    "device id",
];

/// Whether normalized headers look like this export.
pub fn detect(headers: &[String]) -> bool {
    [
        "name",
        "financial status",
        "lineitem quantity",
        "lineitem price",
        "total",
    ]
    .iter()
    .all(|h| headers.iter().any(|x| x == h))
}

/// `2025-12-06 10:37:33 -0500`: the shop's offset is in every cell.
fn parse_time(raw: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_str(raw.trim(), "%Y-%m-%d %H:%M:%S %z")
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

fn component(code: &str, amount: Decimal, label: &str) -> Component {
    Component {
        code: ComponentCode::new(code).expect("the parser's codes are valid"),
        amount,
        label: label.to_string(),
    }
}

/// One order being assembled from its rows (its currency comes with the
/// order-level figures, which may not be on the first row read).
struct Draft {
    order: OrderParts,
    currency: Option<Currency>,
    /// The row with the order-level figures, once seen.
    main_row: Option<u64>,
    subtotal: Decimal,
}

pub fn parse(
    file: &str,
    input: impl Read,
    _options: ParseOptions,
) -> Result<ParsedFile, ParseError> {
    let mut table = Table::open(
        file,
        input,
        &TableFormat {
            delimiter: b',',
            quoting: true,
            detect,
            not_this_format: "not a Shopify orders export",
            required: &REQUIRED,
            header_within: 1,
        },
    )?;
    let personal: Vec<usize> = PERSONAL
        .iter()
        .filter_map(|c| table.header.position(c))
        .collect();
    let mut problems = Problems::default();
    let mut drafts: Vec<Draft> = Vec::new();
    let mut by_name: HashMap<String, usize> = HashMap::new();
    let mut rows_read = 0u64;

    while let Some(record) = table.next_row(&mut problems) {
        rows_read += 1;
        let row = record.line;
        let get = |column: &str| table.get(&record, column);
        let mut amount = |column: &str| -> Option<Decimal> {
            match parse_amount(get(column), DecimalMark::Point) {
                Ok(a) => Some(a),
                Err(e) => {
                    problems.push(Some(row), Some(column), Some(get(column)), e.to_string());
                    None
                }
            }
        };
        let name = get("name").to_string();
        if name.is_empty() {
            problems.push(Some(row), Some("name"), None, "a row without an order name");
            continue;
        }
        let quantity = amount("lineitem quantity");
        let price = amount("lineitem price");
        let (Some(quantity), Some(price)) = (quantity, price) else {
            continue;
        };
        let index = *by_name.entry(name.clone()).or_insert_with(|| {
            drafts.push(Draft {
                order: OrderParts {
                    order_id: name.clone(),
                    ..OrderParts::default()
                },
                currency: None,
                main_row: None,
                subtotal: Decimal::ZERO,
            });
            drafts.len() - 1
        });
        let has_order_level = ORDER_LEVEL.iter().any(|c| !get(c).is_empty());
        if has_order_level {
            if let Some(first) = drafts[index].main_row {
                problems.push(
                    Some(row),
                    Some("name"),
                    Some(&name),
                    format!("order {name} has its order-level figures on rows {first} and {row}; one order per name"),
                );
                continue;
            }
            if let Some(order_level) = read_order_level(&table, &record, &mut problems) {
                let draft = &mut drafts[index];
                draft.main_row = Some(row);
                draft.subtotal = order_level.subtotal;
                draft.currency = Some(order_level.currency);
                let order = &mut draft.order;
                order.amounts = order_level.amounts;
                order.total = Some(order_level.total);
                order.refunded = Some(order_level.refunded);
                order.status = Some(order_level.status);
                order.alt_id = Some(get("id"))
                    .filter(|s| !s.is_empty())
                    .map(str::to_string);
            }
        }
        let draft = &mut drafts[index];
        if draft.order.created_at.is_none() {
            let raw = get("created at");
            match parse_time(raw) {
                Some(utc) => {
                    draft.order.created_at = Some(Timestamp {
                        raw: raw.to_string(),
                        utc,
                    })
                }
                None => problems.push(
                    Some(row),
                    Some("created at"),
                    Some(raw),
                    "not a date and time (expected YYYY-MM-DD HH:MM:SS ±HHMM)",
                ),
            }
        }
        let line_name = get("lineitem name").to_string();
        let mut line = OrderLine {
            sku: Some(get("lineitem sku"))
                .filter(|s| !s.is_empty())
                .map(str::to_string),
            sku_id: None,
            name: line_name.clone(),
            quantity,
            unit_price: Some(price),
            amounts: Vec::new(),
        };
        let gross = price * quantity;
        if !gross.is_zero() {
            line.amounts.push(component(
                "sale.gross",
                gross,
                &format!("Lineitem price × quantity ({line_name})"),
            ));
        }
        draft.order.lines.push(line);
        let mut cells = record.cells.clone();
        for &i in &personal {
            if let Some(c) = cells.get_mut(i) {
                c.clear();
            }
        }
        draft.order.rows.push(SourceRow {
            sheet: None,
            row,
            cells,
        });
    }

    let mut orders = Vec::with_capacity(drafts.len());
    for draft in drafts {
        let parts = draft.order;
        let first_row = parts.rows.first().map(|r| r.row);
        let (Some(main_row), Some(currency)) = (draft.main_row, draft.currency) else {
            problems.push(
                first_row,
                Some("name"),
                Some(&parts.order_id),
                format!(
                    "order {} has no row with its order-level figures (currency, totals)",
                    parts.order_id
                ),
            );
            continue;
        };
        let order = Order {
            channel: Channel::Shopify,
            order_id: parts.order_id,
            alt_id: parts.alt_id,
            status: parts.status,
            currency,
            created_at: parts.created_at,
            amounts: parts.amounts,
            total: parts.total,
            refunded: parts.refunded,
            lines: parts.lines,
            rows: parts.rows,
        };
        // Σ line items − discount = Subtotal, then components = Total.
        let lines_gross = order.amount("sale.gross");
        let discount = order.amount("sale.seller_discount");
        if lines_gross + discount != draft.subtotal {
            problems.push(
                Some(main_row),
                Some("subtotal"),
                Some(&draft.subtotal.to_string()),
                format!(
                    "order {}: line items {lines_gross} less discount {} make {}, not the Subtotal the row gives",
                    order.order_id,
                    -discount,
                    lines_gross + discount
                ),
            );
        }
        let net: Decimal = order
            .amounts
            .iter()
            .chain(order.lines.iter().flat_map(|l| l.amounts.iter()))
            .map(|c| c.amount)
            .sum();
        if let Some(total) = order.total {
            if net != total {
                problems.push(
                    Some(main_row),
                    Some("total"),
                    Some(&total.to_string()),
                    format!(
                        "order {}: subtotal, shipping, taxes and duties make {net}, not the Total the row gives",
                        order.order_id
                    ),
                );
            }
        }
        orders.push(order);
    }
    problems.finish(file)?;
    Ok(ParsedFile {
        header: table.header.raw.clone(),
        orders,
        rows_read,
        ..Default::default()
    })
}

#[derive(Default)]
struct OrderParts {
    order_id: String,
    alt_id: Option<String>,
    status: Option<String>,
    created_at: Option<Timestamp>,
    amounts: Vec<Component>,
    total: Option<Decimal>,
    refunded: Option<Decimal>,
    lines: Vec<OrderLine>,
    rows: Vec<SourceRow>,
}

struct OrderLevel {
    currency: Currency,
    subtotal: Decimal,
    total: Decimal,
    refunded: Decimal,
    status: String,
    amounts: Vec<Component>,
}

/// The order-level figures of an order's first row, as components.
fn read_order_level<R: Read>(
    table: &Table<R>,
    record: &Row,
    problems: &mut Problems,
) -> Option<OrderLevel> {
    let row = record.line;
    let get = |column: &str| table.get(record, column);
    let before = problems_count(problems);
    let mut amount = |column: &str| -> Decimal {
        match parse_amount(get(column), DecimalMark::Point) {
            Ok(a) => a,
            Err(e) => {
                problems.push(Some(row), Some(column), Some(get(column)), e.to_string());
                Decimal::ZERO
            }
        }
    };
    let subtotal = amount("subtotal");
    let shipping = amount("shipping");
    let taxes = amount("taxes");
    let total = amount("total");
    let discount = amount("discount amount");
    let refunded = amount("refunded amount");
    let duties = amount("duties");
    let mut taxes_named = Vec::new();
    for n in 1..=5 {
        let name_col = format!("tax {n} name");
        let value_col = format!("tax {n} value");
        let value = amount(&value_col);
        if !value.is_zero() {
            let label = get(&name_col);
            taxes_named.push((
                if label.is_empty() {
                    value_col
                } else {
                    label.to_string()
                },
                value,
            ));
        }
    }
    let currency: Option<Currency> = match get("currency").parse() {
        Ok(c) => Some(c),
        Err(e) => {
            problems.push(
                Some(row),
                Some("currency"),
                Some(get("currency")),
                e.to_string(),
            );
            None
        }
    };
    if problems_count(problems) != before {
        return None;
    }
    let mut amounts = Vec::new();
    if !discount.is_zero() {
        let code = get("discount code");
        let label = if code.is_empty() {
            "Discount Amount".to_string()
        } else {
            format!("Discount Amount ({code})")
        };
        amounts.push(component("sale.seller_discount", -discount.abs(), &label));
    }
    if !shipping.is_zero() {
        amounts.push(component("sale.shipping_income", shipping, "Shipping"));
    }
    let named_sum: Decimal = taxes_named.iter().map(|(_, v)| *v).sum();
    if !taxes.is_zero() {
        if !taxes_named.is_empty() && named_sum == taxes {
            for (label, value) in &taxes_named {
                amounts.push(component("tax.collected", *value, label));
            }
        } else {
            amounts.push(component("tax.collected", taxes, "Taxes"));
        }
        // Tax-inclusive prices: the tax sits inside the line prices already.
        if subtotal + shipping + duties == total && subtotal + shipping + taxes + duties != total {
            amounts.push(component(
                "sale.tax_included",
                -taxes,
                "Taxes included in prices",
            ));
        }
    }
    if !duties.is_zero() {
        amounts.push(component("tax.duties", duties, "Duties"));
    }
    let mut status = get("financial status").to_string();
    let cancelled = get("cancelled at");
    if !cancelled.is_empty() {
        status.push_str(&format!(" (cancelled {cancelled})"));
    }
    Some(OrderLevel {
        currency: currency?,
        subtotal,
        total,
        refunded,
        status,
        amounts,
    })
}

fn problems_count(problems: &Problems) -> usize {
    problems.len()
}
