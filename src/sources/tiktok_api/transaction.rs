//! One statement transaction: its fields walked (nested breakdowns too),
//! each amount read as the decimal string the API sends, its components
//! built with canonical codes, and its arithmetic checked.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde_json::{Map, Value};

use super::fields::{self, Group, Role, Version};
use super::json::{self, At};
use crate::domain::settlement::{Component, ComponentCode};
use crate::sources::amount::{parse_amount, DecimalMark};
use crate::sources::drift::{SchemaDrift, UNCLASSIFIED};
use crate::sources::problems::Problems;

/// Where a transaction is.
pub struct Context {
    pub version: Version,
    /// Its JSON path: `data.statement_transactions[3]`.
    pub path: String,
    /// The same without indexes, naming drift across transactions:
    /// `data.statement_transactions[]`.
    pub generic: String,
    /// The 1-based transaction index in the file.
    pub row: u64,
    pub accept_unclassified: bool,
}

#[derive(Default)]
pub struct Transaction {
    pub id: Option<String>,
    pub kind: Option<String>,
    pub order_id: Option<String>,
    pub adjustment_id: Option<String>,
    pub adjustment_order_id: Option<String>,
    pub associated_order_id: Option<String>,
    /// `order_create_time`: when the buyer ordered.
    pub ordered: Option<crate::domain::settlement::Timestamp>,
    pub currency: Option<String>,
    pub settlement: Option<Decimal>,
    pub reserve: Decimal,
    pub adjustment: Decimal,
    /// The group subtotals the transaction states.
    pub subtotals: BTreeMap<Group, Decimal>,
    /// Components of `settlement_amount`, then the reserve's.
    pub components: Vec<Component>,
}

fn subtotal_name(version: Version, group: Group) -> &'static str {
    match (group, version) {
        (Group::Revenue, _) => "revenue_amount",
        (Group::Shipping, _) => "shipping_cost_amount",
        (Group::Fee, Version::V202309) => "fee_amount",
        (Group::Fee, Version::V202501) => "fee_tax_amount",
    }
}

/// Every scalar in `value` with its path relative to the transaction.
fn leaves<'v>(value: &'v Value, prefix: &str, out: &mut Vec<(String, &'v Value)>) {
    match value {
        Value::Object(map) => {
            for (key, v) in map {
                let path = if prefix.is_empty() {
                    key.clone()
                } else {
                    format!("{prefix}.{key}")
                };
                leaves(v, &path, out);
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                leaves(v, &format!("{prefix}[{i}]"), out);
            }
        }
        scalar => out.push((prefix.to_string(), scalar)),
    }
}

fn component(code: &str, amount: Decimal, label: &str) -> Component {
    Component {
        code: ComponentCode::new(code)
            .unwrap_or_else(|_| ComponentCode::new("adjustment.other").expect("a valid code")),
        amount,
        label: label.to_string(),
    }
}

/// `adjustment.<type>`: the transaction type as a code name
/// (`SHIPPING_FEE_ADJUSTMENT` → `adjustment.shipping_fee_adjustment`). The
/// API's type enum is not documented in full, so the code follows it.
pub fn adjustment_code(kind: Option<&str>) -> String {
    let mut name = String::new();
    for c in kind.unwrap_or("").chars() {
        if c.is_ascii_alphanumeric() {
            name.push(c.to_ascii_lowercase());
        } else if !name.ends_with('_') && !name.is_empty() {
            name.push('_');
        }
    }
    let name = name.trim_end_matches('_');
    if name.is_empty() {
        "adjustment.other".to_string()
    } else {
        format!("adjustment.{name}")
    }
}

pub fn read(
    tx: &Map<String, Value>,
    ctx: &Context,
    problems: &mut Problems,
    warnings: &mut Vec<String>,
    drift: &mut SchemaDrift,
) -> Transaction {
    let mut t = Transaction::default();
    let path_of = |rel: &str| format!("{}.{rel}", ctx.path);
    let id_path = path_of("id");
    let anonymous = At {
        row: Some(ctx.row),
        id: None,
    };
    t.id = tx
        .get("id")
        .and_then(|v| json::text(v, &id_path, anonymous, problems, warnings));
    let id = t.id.clone();
    let at = At {
        row: Some(ctx.row),
        id: id.as_deref(),
    };
    let before = problems.len();
    t.ordered = tx
        .get("order_create_time")
        .filter(|v| !v.is_null())
        .and_then(|v| json::time(v, &path_of("order_create_time"), at, problems));
    if t.id.is_none() {
        at.push(problems, &id_path, None, "a transaction without an id");
    }

    let mut all = Vec::new();
    for (key, value) in tx {
        leaves(value, key, &mut all);
    }
    let mut sums: BTreeMap<Group, Decimal> = BTreeMap::new();
    let mut unknown_seen = false;
    let mut booked = Vec::new();
    for (rel, value) in &all {
        let path = path_of(rel);
        match fields::role(ctx.version, rel) {
            Some(Role::Leaf(group, code)) => {
                if let Some(a) = json::money(value, &path, at, problems) {
                    *sums.entry(group).or_default() += a;
                    if !a.is_zero() {
                        // One field holds both in 202501: a negative
                        // customer-paid shipping fee is its refund.
                        let code = if code == "sale.shipping_income" && a < Decimal::ZERO {
                            "refund.shipping"
                        } else {
                            code
                        };
                        booked.push(component(code, a, rel));
                    }
                }
            }
            Some(Role::Subtotal(group)) => {
                if let Some(a) = json::money(value, &path, at, problems) {
                    t.subtotals.insert(group, a);
                }
            }
            Some(Role::Settlement) => t.settlement = json::money(value, &path, at, problems),
            Some(Role::Adjustment) => {
                t.adjustment = json::money(value, &path, at, problems).unwrap_or_default()
            }
            Some(Role::Reserve) => {
                t.reserve = json::money(value, &path, at, problems).unwrap_or_default()
            }
            Some(Role::Memo) => {
                // Not booked, but a float-mangled or broken figure still
                // says the file is not what the API sent.
                let _ = json::money(value, &path, at, problems);
            }
            Some(Role::Id | Role::Text) => {
                let v = json::text(value, &path, at, problems, warnings);
                match rel.as_str() {
                    "type" => t.kind = v,
                    "order_id" => t.order_id = v,
                    "adjustment_id" => t.adjustment_id = v,
                    "adjustment_order_id" => t.adjustment_order_id = v,
                    "associated_order_id" => t.associated_order_id = v,
                    "currency" => t.currency = v,
                    _ => {}
                }
            }
            Some(Role::Time) => {
                // Checked, kept in the raw cell: a settlement line has no
                // slot for the order's creation (the order export has it).
                let _ = json::time(value, &path, at, problems);
            }
            None => {
                let name = rel.rsplit(['.', '[']).next().unwrap_or(rel);
                if !fields::looks_like_money(name) {
                    continue;
                }
                let amount = match value {
                    Value::Number(_) => json::money(value, &path, at, problems),
                    Value::String(s) => parse_amount(s, DecimalMark::Point).ok(),
                    _ => None,
                };
                if let Some(a) = amount.filter(|a| !a.is_zero()) {
                    unknown_seen = true;
                    let generic = format!("{}.{}", ctx.generic, strip_indexes(rel));
                    drift.record(ctx.row, &generic, name, a);
                }
            }
        }
    }
    if t.kind.is_none() {
        at.push(
            problems,
            &path_of("type"),
            None,
            "a transaction without a type",
        );
    }
    let Some(settlement) = t.settlement else {
        at.push(
            problems,
            &path_of("settlement_amount"),
            None,
            "a transaction without a settlement_amount",
        );
        return t;
    };
    if problems.len() > before {
        return t; // its amounts are not all readable: nothing to check
    }

    // settlement = revenue + shipping cost + fees + adjustment, signed.
    let sum = |g: Group| sums.get(&g).copied().unwrap_or_default();
    let stated = |g: Group| t.subtotals.get(&g).copied().unwrap_or_else(|| sum(g));
    let (revenue, shipping, fee) = (
        stated(Group::Revenue),
        stated(Group::Shipping),
        stated(Group::Fee),
    );
    let signed = revenue + shipping + fee + t.adjustment;
    let shipping_in_fees = if settlement == signed {
        false
    } else if !shipping.is_zero() && settlement == revenue + fee + t.adjustment {
        // SEA responses count the shipping cost inside fee_amount.
        true
    } else {
        let fee_name = subtotal_name(ctx.version, Group::Fee);
        let magnitudes = revenue - shipping - fee - t.adjustment;
        let message = if (!fee.is_zero() || !shipping.is_zero()) && settlement == magnitudes {
            format!(
                "{settlement} is revenue_amount {revenue} − shipping_cost_amount {shipping} − {fee_name} {fee} − adjustment_amount {}: costs written as positive magnitudes, not the negative amounts the API returns; this importer reads them signed, so the file is not understood",
                t.adjustment
            )
        } else {
            format!(
                "revenue_amount {revenue} + shipping_cost_amount {shipping} + {fee_name} {fee} + adjustment_amount {} is {signed}, not the settlement_amount the transaction gives",
                t.adjustment
            )
        };
        at.push(
            problems,
            &path_of("settlement_amount"),
            Some(&settlement.to_string()),
            message,
        );
        return t;
    };

    // Each stated subtotal must be explained by its leaves; what is not is
    // drift (reported unless an unknown field already explains it, booked
    // to adjustment.unclassified when accepted).
    let mut drifted = unknown_seen;
    for group in Group::ALL {
        let Some(declared) = t.subtotals.get(&group).copied() else {
            continue;
        };
        let mut rest = declared - sum(group);
        if group == Group::Fee && shipping_in_fees {
            rest -= shipping;
        }
        if rest.is_zero() {
            continue;
        }
        let name = subtotal_name(ctx.version, group);
        if !unknown_seen {
            drifted = true;
            drift.record(
                ctx.row,
                &format!("{}.{name}", ctx.generic),
                &format!("{name} not itemized by the known fields"),
                rest,
            );
        }
        if ctx.accept_unclassified {
            booked.push(component(
                UNCLASSIFIED,
                rest,
                &format!("{name} not itemized by the known fields"),
            ));
        }
    }
    if !t.adjustment.is_zero() {
        booked.push(component(
            &adjustment_code(t.kind.as_deref()),
            t.adjustment,
            &format!("adjustment_amount ({})", t.kind.as_deref().unwrap_or("")),
        ));
    }
    let net: Decimal = booked.iter().map(|c| c.amount).sum();
    if (!drifted || ctx.accept_unclassified) && net != settlement {
        at.push(
            problems,
            &path_of("settlement_amount"),
            Some(&settlement.to_string()),
            format!("its components sum to {net}, not the settlement_amount it gives"),
        );
    }
    if !t.reserve.is_zero() {
        let code = if t.reserve < Decimal::ZERO {
            "reserve.hold"
        } else {
            "reserve.release"
        };
        booked.push(component(code, t.reserve, "reserve_amount"));
    }
    t.components = booked;
    t
}

/// `a.b[3].c` → `a.b[].c`.
fn strip_indexes(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    let mut in_index = false;
    for c in path.chars() {
        match c {
            '[' => {
                in_index = true;
                out.push('[');
            }
            ']' => {
                in_index = false;
                out.push(']');
            }
            _ if in_index => {}
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn adjustment_codes_follow_the_type() {
        assert_eq!(
            adjustment_code(Some("SHIPPING_FEE_ADJUSTMENT")),
            "adjustment.shipping_fee_adjustment"
        );
        assert_eq!(
            adjustment_code(Some("Platform reimbursement")),
            "adjustment.platform_reimbursement"
        );
        assert_eq!(adjustment_code(Some("--")), "adjustment.other");
        assert_eq!(adjustment_code(None), "adjustment.other");
        assert_eq!(strip_indexes("a.b[3].c[10]"), "a.b[].c[]");
    }
}
