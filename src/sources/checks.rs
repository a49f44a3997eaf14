//! Checks every parsed file passes before anything is stored, whatever its
//! format: amounts the ledger can hold exactly (at most 6 decimal places —
//! an XLSX cell holding `12.339999999999998` is a spreadsheet artefact, not
//! money), and one currency per shop.

use rust_decimal::Decimal;

use super::problems::{ParseError, Problems};
use crate::domain::money::Currency;
use crate::domain::settlement::{Component, ParsedFile, SourceRow};

/// The most decimal places an amount may have (the store keeps millionths).
pub const MAX_SCALE: u32 = 6;

fn too_precise(amount: Decimal) -> bool {
    amount.normalize().scale() > MAX_SCALE
}

fn first_row(rows: &[SourceRow]) -> Option<u64> {
    rows.first().map(|r| r.row)
}

fn check_components(
    problems: &mut Problems,
    row: Option<u64>,
    components: &[Component],
    what: &str,
) {
    for c in components {
        if too_precise(c.amount) {
            problems.push(
                row,
                Some(&c.label),
                Some(&c.amount.to_string()),
                format!("{what}: more than {MAX_SCALE} decimal places is not an amount the books can hold"),
            );
        }
    }
}

/// Refuses amounts with more than `MAX_SCALE` places and, when the shop has a
/// currency, anything in another currency.
pub fn check_parsed(
    file: &str,
    parsed: &ParsedFile,
    shop: Option<(&str, Currency)>,
) -> Result<(), ParseError> {
    let mut problems = Problems::default();
    let mut currency = |row: Option<u64>, found: Currency, what: &str| {
        if let Some((name, expected)) = shop {
            if found != expected {
                problems.push(
                    row,
                    None,
                    Some(found.code()),
                    format!("{what} is in {found}, but shop `{name}` books in {expected}"),
                );
            }
        }
    };
    for st in &parsed.statements {
        currency(
            st.source.as_ref().map(|s| s.row),
            st.currency,
            &format!("statement {}", st.statement_id),
        );
    }
    for line in &parsed.lines {
        currency(first_row(&line.rows), line.currency, "a settlement line");
    }
    for order in &parsed.orders {
        currency(
            first_row(&order.rows),
            order.currency,
            &format!("order {}", order.order_id),
        );
    }
    for payout in &parsed.payouts {
        currency(
            payout.source.as_ref().map(|s| s.row),
            payout.currency,
            &format!("payout {}", payout.payout_id),
        );
    }
    for line in &parsed.lines {
        check_components(
            &mut problems,
            first_row(&line.rows),
            &line.components,
            "settlement line",
        );
    }
    for order in &parsed.orders {
        let row = first_row(&order.rows);
        check_components(&mut problems, row, &order.amounts, "order");
        for line in &order.lines {
            check_components(&mut problems, row, &line.amounts, "order line");
            for (label, value) in [
                ("quantity", Some(line.quantity)),
                ("unit price", line.unit_price),
            ] {
                if let Some(v) = value.filter(|v| too_precise(*v)) {
                    problems.push(
                        row,
                        Some(label),
                        Some(&v.to_string()),
                        "more than 6 decimal places",
                    );
                }
            }
        }
        for (label, value) in [("total", order.total), ("refunded", order.refunded)] {
            if let Some(v) = value.filter(|v| too_precise(*v)) {
                problems.push(
                    row,
                    Some(label),
                    Some(&v.to_string()),
                    "more than 6 decimal places",
                );
            }
        }
    }
    for payout in &parsed.payouts {
        if too_precise(payout.amount) {
            problems.push(
                payout.source.as_ref().map(|s| s.row),
                Some("amount"),
                Some(&payout.amount.to_string()),
                "more than 6 decimal places",
            );
        }
    }
    problems.finish(file)
}
