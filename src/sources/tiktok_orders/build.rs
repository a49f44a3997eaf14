//! An order's rows into an `Order`: its created time resolved, its
//! order-level amounts as components (see the module docs for the codes),
//! its total checked against its lines.

use rust_decimal::Decimal;

use super::dates::{self, DateOrder};
use super::rows::Pending;
use super::*; // the column names
use crate::domain::money::Currency;
use crate::domain::order::Order;
use crate::domain::settlement::{Channel, Component, ComponentCode};
use crate::sources::problems::Problems;
use crate::sources::time::Zone;

fn component(code: &str, amount: Decimal, label: &str) -> Component {
    Component {
        code: ComponentCode::new(code).expect("the mapping holds valid codes"),
        amount,
        label: label.to_string(),
    }
}

/// Pushes a component unless it is zero.
pub(super) fn push(list: &mut Vec<Component>, code: &str, amount: Decimal, label: &str) {
    if !amount.is_zero() {
        list.push(component(code, amount, label));
    }
}

/// A discount the export writes as a positive amount, as a negative
/// component amount; a negative cell is a problem.
pub(super) fn discount(
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

pub(super) fn build_order(
    p: Pending,
    currency: Currency,
    zone: Zone,
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
