//! Rows into orders: each row's order id checked, its order-level cells
//! compared with the order's earlier rows (the first value stands; blank
//! cells on continuation rows say nothing), and its SKU line read.

use std::collections::HashMap;

use rust_decimal::Decimal;

use super::build::{discount, push};
use super::*; // the column names
use crate::domain::money::Currency;
use crate::domain::order::OrderLine;
use crate::domain::settlement::SourceRow;
use crate::sources::amount::{parse_amount, DecimalMark};
use crate::sources::problems::Problems;
use crate::sources::table::{Header, Row};

/// A value of an order-level column as first seen on one of its rows.
pub(super) struct Seen {
    pub row: u64,
    pub raw: String,
    pub amount: Option<Decimal>,
}

/// One order as its rows are read.
pub(super) struct Pending {
    pub id: String,
    pub rows: Vec<SourceRow>,
    pub lines: Vec<OrderLine>,
    /// Σ `SKU Subtotal After Discount` over its lines.
    pub subtotal_after: Decimal,
    pub fields: HashMap<&'static str, Seen>,
}

impl Pending {
    pub fn amount(&self, column: &str) -> Decimal {
        self.fields
            .get(column)
            .and_then(|s| s.amount)
            .unwrap_or_default()
    }

    pub fn text(&self, column: &str) -> Option<&str> {
        self.fields.get(column).map(|s| s.raw.as_str())
    }

    pub fn place(&self) -> String {
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
pub(super) struct Amounts {
    pub currency: Option<Currency>,
}

impl Amounts {
    pub fn read(
        &self,
        row: u64,
        column: &str,
        raw: &str,
        problems: &mut Problems,
    ) -> Option<Decimal> {
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

pub(super) fn is_id(s: &str) -> bool {
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

/// Groups rows into orders, in the order the file first names them.
pub(super) struct Grouper<'h> {
    header: &'h Header,
    sheet: Option<String>,
    amounts: Amounts,
    pub orders: Vec<Pending>,
    index: HashMap<String, usize>,
}

impl<'h> Grouper<'h> {
    pub fn new(header: &'h Header, sheet: Option<String>, currency: Option<Currency>) -> Self {
        Grouper {
            header,
            sheet,
            amounts: Amounts { currency },
            orders: Vec::new(),
            index: HashMap::new(),
        }
    }

    pub fn read(&mut self, record: &Row, problems: &mut Problems, warnings: &mut Vec<String>) {
        let Some(at) = self.order_of(record, problems, warnings) else {
            return;
        };
        self.order_level(at, record, problems);
        self.line(at, record, problems, warnings);
    }

    /// The order the row belongs to (its index), the row recorded in it.
    fn order_of(
        &mut self,
        record: &Row,
        problems: &mut Problems,
        warnings: &mut Vec<String>,
    ) -> Option<usize> {
        let header = self.header;
        let id = header.get(record, ORDER_ID);
        if !is_id(id) {
            problems.push(
                Some(record.line),
                Some(ORDER_ID),
                Some(id),
                if id.is_empty() {
                    "a row without an order id"
                } else {
                    "not an order id (TikTok order ids are digits)"
                },
            );
            return None;
        }
        check_numeric_id(record, header, ORDER_ID, problems, warnings);
        check_numeric_id(record, header, SKU_ID, problems, warnings);
        let orders = &mut self.orders;
        let at = *self.index.entry(id.to_string()).or_insert_with(|| {
            orders.push(Pending {
                id: id.to_string(),
                rows: Vec::new(),
                lines: Vec::new(),
                subtotal_after: Decimal::ZERO,
                fields: HashMap::new(),
            });
            orders.len() - 1
        });
        self.orders[at].rows.push(SourceRow {
            sheet: self.sheet.clone(),
            row: record.line,
            cells: record.cells.clone(),
        });
        Some(at)
    }

    /// The order-level cells: the first value seen stands; a later one that
    /// differs is a problem naming both rows.
    fn order_level(&mut self, at: usize, record: &Row, problems: &mut Problems) {
        let row = record.line;
        let order = &mut self.orders[at];
        for column in ORDER_MONEY.iter().chain(ORDER_TEXT.iter()) {
            let raw = self.header.get(record, column);
            if raw.is_empty() || !self.header.has(column) {
                continue;
            }
            let money = ORDER_MONEY.contains(column);
            let amount = if money {
                match self.amounts.read(row, column, raw, problems) {
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
    }

    /// The row's SKU line, its own arithmetic checked.
    fn line(
        &mut self,
        at: usize,
        record: &Row,
        problems: &mut Problems,
        warnings: &mut Vec<String>,
    ) {
        let row = record.line;
        let header = self.header;
        let get = |column: &str| header.get(record, column);
        let amounts = &self.amounts;
        let mut money = |column: &str| amounts.read(row, column, get(column), problems);
        let (Some(quantity), Some(before), Some(platform), Some(seller), Some(after)) = (
            money(QUANTITY),
            money(SUBTOTAL_BEFORE),
            money(PLATFORM_DISCOUNT),
            money(SELLER_DISCOUNT),
            money(SUBTOTAL_AFTER),
        ) else {
            return;
        };
        let unit_price = if get(UNIT_PRICE).is_empty() {
            None
        } else {
            match money(UNIT_PRICE) {
                Some(p) => Some(p),
                None => return,
            }
        };
        let order = &mut self.orders[at];
        if quantity < Decimal::ZERO || !quantity.fract().is_zero() {
            problems.push(
                Some(row),
                Some(QUANTITY),
                Some(get(QUANTITY)),
                "not a quantity (a whole number of units)",
            );
            return;
        }
        // TikTok's own definition (its description row): an error.
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
        // Stated by no documentation seen: a warning.
        if before - platform - seller != after {
            warnings.push(format!(
                "row {row}: order {}: SKU Subtotal Before Discount {before} − SKU Platform Discount {platform} − SKU Seller Discount {seller} is {}, but SKU Subtotal After Discount is {after}",
                order.id,
                before - platform - seller
            ));
        }
        let mut amounts = Vec::new();
        push(
            &mut amounts,
            "sale.gross",
            before,
            "SKU Subtotal Before Discount",
        );
        let seller = discount(row, SELLER_DISCOUNT, get(SELLER_DISCOUNT), seller, problems);
        push(
            &mut amounts,
            "sale.seller_discount",
            seller,
            "SKU Seller Discount",
        );
        let platform = discount(
            row,
            PLATFORM_DISCOUNT,
            get(PLATFORM_DISCOUNT),
            platform,
            problems,
        );
        push(
            &mut amounts,
            "sale.platform_discount",
            platform,
            "SKU Platform Discount",
        );
        push(
            &mut amounts,
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
            amounts,
        });
    }
}

/// Whether the first data row is TikTok's row of field descriptions: its
/// Order ID cell is a sentence, not an id, and its Order Amount is not an
/// amount.
pub(super) fn is_description_row(header: &Header, row: &Row) -> bool {
    let id = header.get(row, ORDER_ID);
    let total = header.get(row, ORDER_AMOUNT);
    !id.is_empty()
        && !is_id(id)
        && (total.is_empty() || parse_amount(total, DecimalMark::Point).is_err())
}
