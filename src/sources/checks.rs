//! Checks every record passes before it is stored, whatever its format:
//! amounts the ledger can hold exactly (at most 6 decimal places — an XLSX
//! cell holding `12.339999999999998` is a spreadsheet artefact, not money),
//! and one currency per shop. Records are checked one by one as they stream
//! in; `finish` reports every problem at once.

use rust_decimal::Decimal;

use super::problems::{ParseError, Problems};
use crate::domain::money::Currency;
use crate::domain::order::Order;
use crate::domain::payout::Payout;
use crate::domain::settlement::{Component, SettlementLine, SourceRow, Statement};

/// The most decimal places an amount may have (the store keeps millionths).
pub const MAX_SCALE: u32 = 6;

fn too_precise(amount: Decimal) -> bool {
    amount.normalize().scale() > MAX_SCALE
}

fn first_row(rows: &[SourceRow]) -> Option<u64> {
    rows.first().map(|r| r.row)
}

pub struct RecordChecks {
    /// The shop's name and currency, when a shop is configured.
    shop: Option<(String, Currency)>,
    problems: Problems,
}

impl RecordChecks {
    pub fn new(shop: Option<(&str, Currency)>) -> Self {
        RecordChecks {
            shop: shop.map(|(n, c)| (n.to_string(), c)),
            problems: Problems::default(),
        }
    }

    fn currency(&mut self, row: Option<u64>, found: Currency, what: &str) {
        if let Some((name, expected)) = &self.shop {
            if found != *expected {
                self.problems.push(
                    row,
                    None,
                    Some(found.code()),
                    format!("{what} is in {found}, but shop `{name}` books in {expected}"),
                );
            }
        }
    }

    fn amount(&mut self, row: Option<u64>, label: &str, value: Decimal, what: &str) {
        if too_precise(value) {
            self.problems.push(
                row,
                Some(label),
                Some(&value.to_string()),
                format!("{what}: more than {MAX_SCALE} decimal places is not an amount the books can hold"),
            );
        }
    }

    fn components(&mut self, row: Option<u64>, components: &[Component], what: &str) {
        for c in components {
            self.amount(row, &c.label, c.amount, what);
        }
    }

    pub fn statement(&mut self, st: &Statement) {
        let row = st.source.as_ref().map(|s| s.row);
        self.currency(row, st.currency, &format!("statement {}", st.statement_id));
        if let Some(total) = st.declared_total {
            self.amount(row, "total", total, "statement");
        }
    }

    pub fn line(&mut self, line: &SettlementLine) {
        let row = first_row(&line.rows);
        self.currency(row, line.currency, "a settlement line");
        self.components(row, &line.components, "settlement line");
    }

    pub fn order(&mut self, order: &Order) {
        let row = first_row(&order.rows);
        self.currency(row, order.currency, &format!("order {}", order.order_id));
        self.components(row, &order.amounts, "order");
        for line in &order.lines {
            self.components(row, &line.amounts, "order line");
            self.amount(row, "quantity", line.quantity, "order line");
            if let Some(price) = line.unit_price {
                self.amount(row, "unit price", price, "order line");
            }
        }
        for (label, value) in [("total", order.total), ("refunded", order.refunded)] {
            if let Some(v) = value {
                self.amount(row, label, v, "order");
            }
        }
    }

    pub fn payout(&mut self, payout: &Payout) {
        let row = payout.source.as_ref().map(|s| s.row);
        self.currency(
            row,
            payout.currency,
            &format!("payout {}", payout.payout_id),
        );
        self.amount(row, "amount", payout.amount, "payout");
    }

    /// Refuses the file for a reason found outside these checks.
    pub fn refuse(&mut self, row: Option<u64>, message: String) {
        self.problems.push(row, None, None, message);
    }

    pub fn is_clean(&self) -> bool {
        self.problems.is_empty()
    }

    pub fn finish(self, file: &str) -> Result<(), ParseError> {
        self.problems.finish(file)
    }
}
