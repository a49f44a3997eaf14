//! TikTok Shop Open API, finance: JSON saved from
//! `GET /finance/202309/statements/{id}/statement_transactions` (flat fields)
//! or `GET /finance/202501/statements/{id}/statement_transactions` (nested
//! breakdowns, reserves). A file holds the bare `data` object, the full
//! envelope `{"code":0,"message":"Success","data":{…}}`, or a JSON array of
//! such pages (several pages of one statement, or several statements).
//!
//! All money fields are decimal strings in the API and are read as such
//! (serde_json's `arbitrary_precision` is not used: a money field that
//! arrives as a JSON number has been through a float and is a problem naming
//! its JSON path). Times are Unix seconds.
//!
//! Each statement becomes a `Statement` (its id, currency, time and, where
//! given, `payment_id` as the payout); each transaction a `SettlementLine`
//! whose components come from the revenue, shipping and fee (and tax)
//! fields with canonical codes (see `fields`), plus `adjustment.<type>` for
//! `adjustment_amount` and `reserve.hold`/`reserve.release` for
//! `reserve_amount`. Memo figures (`supplementary_component`, customer
//! payment, platform discounts, sales tax) are not booked, so they cannot
//! change the net.
//!
//! Reserves sit outside `settlement_amount` (`payable_amount =
//! total_settlement_amount + total_reserve_amount`), so a line's net is its
//! settlement amount plus its reserve, and a 202501 statement's declared
//! total is `payable_amount` — what it pays — with both figures checked.
//! A 202309 statement declares `settlement_amount`.
//!
//! Checks: per transaction, `settlement_amount = revenue + shipping cost +
//! fees + adjustment` (signed; costs negative as the API returns them — a
//! file whose costs are positive magnitudes, the docs' notation, is refused
//! by name) and each subtotal explained by its fields; per statement, the
//! transactions sum to its totals, `payable = settlement + reserve`, and a
//! statement whose `total_count` the file does not hold (a page missing) or
//! that holds one transaction twice (a page saved twice) is refused.
//! Unknown money fields and unexplained subtotal remainders are schema drift
//! (named by their JSON path), booked to `adjustment.unclassified` when the
//! user accepts them. Problems name the JSON path in the column slot; the
//! row is the 1-based transaction index in the file.

mod fields;
mod json;
mod statement;
mod transaction;

use std::collections::HashMap;

use serde_json::{Map, Value};

use super::drift::SchemaDrift;
use super::problems::{ParseError, Problems};
use crate::domain::settlement::{ParsedFile, SettlementLine, SourceRow};
use fields::{Group, Version};
use json::At;
use statement::{check_statement, read_statement, Pending};

/// How to read the file (see `ParseOptions`).
pub type Options = super::ParseOptions;

fn trimmed(bytes: &[u8]) -> &[u8] {
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    let start = bytes
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(bytes.len());
    &bytes[start..]
}

/// Whether the bytes are JSON saved from this API (a statement-transactions
/// page, bare or in its envelope, or an array of them).
pub fn detect(bytes: &[u8]) -> bool {
    let text = trimmed(bytes);
    if !(text.starts_with(b"{") || text.starts_with(b"[")) {
        return false;
    }
    let Ok(value) = serde_json::from_slice::<Value>(text) else {
        return false;
    };
    pages(&value)
        .into_iter()
        .any(|(_, v)| matches!(v, Value::Object(m) if page(m, "").is_some()))
}

/// The top-level pages with their path prefixes (`[0]` in an array).
fn pages(value: &Value) -> Vec<(String, &Value)> {
    match value {
        Value::Array(items) => items
            .iter()
            .enumerate()
            .map(|(i, v)| (format!("[{i}]"), v))
            .collect(),
        other => vec![(String::new(), other)],
    }
}

fn join(base: &str, key: &str) -> String {
    if base.is_empty() {
        key.to_string()
    } else {
        format!("{base}.{key}")
    }
}

/// A page of statement transactions: its `data` object, its path, the
/// array's key and the version its shape says.
struct Page<'v> {
    data: &'v Map<String, Value>,
    /// JSON path of `data` (`data`, `[2].data`, or "" for a bare object).
    path: String,
    /// `data.` when enveloped, for drift names (no page index).
    generic: &'static str,
    envelope: Option<&'v Map<String, Value>>,
    key: &'static str,
    transactions: &'v [Value],
    version: Version,
}

fn page<'v>(object: &'v Map<String, Value>, prefix: &str) -> Option<Page<'v>> {
    let enveloped = object
        .get("data")
        .and_then(Value::as_object)
        .filter(|_| object.contains_key("code") || object.contains_key("message"));
    let (data, path, generic, envelope) = match enveloped {
        Some(data) => (data, join(prefix, "data"), "data.", Some(object)),
        None => (object, prefix.to_string(), "", None),
    };
    let (key, transactions) = ["transactions", "statement_transactions"]
        .into_iter()
        .find_map(|k| data.get(k).and_then(Value::as_array).map(|a| (k, a)))?;
    let nested = |t: &Value| {
        ["fee_tax_amount", "fee_tax_breakdown", "revenue_breakdown"]
            .iter()
            .any(|k| t.get(k).is_some())
    };
    let version = if key == "transactions"
        || data.contains_key("total_settlement_amount")
        || transactions.iter().any(nested)
    {
        Version::V202501
    } else {
        Version::V202309
    };
    Some(Page {
        data,
        path,
        generic,
        envelope,
        key,
        transactions,
        version,
    })
}

pub fn parse(file: &str, bytes: &[u8], options: Options) -> Result<ParsedFile, ParseError> {
    let mut problems = Problems::default();
    let text = trimmed(bytes);
    let value: Value = match serde_json::from_slice(text) {
        Ok(v) => v,
        Err(e) => {
            problems.push(
                Some(e.line() as u64),
                None,
                None,
                format!("not valid JSON (column {}): {e}", e.column()),
            );
            return Err(problems.into_error(file));
        }
    };
    let mut warnings = Vec::new();
    let mut drift = SchemaDrift::default();
    let mut order: Vec<String> = Vec::new();
    let mut statements: HashMap<String, Pending> = HashMap::new();
    let mut lines: Vec<SettlementLine> = Vec::new();
    let mut row = 0u64;
    let mut versions: Vec<&str> = Vec::new();
    let all_pages = pages(&value);
    if all_pages.is_empty() {
        problems.push(
            None,
            None,
            None,
            "the file holds no pages (an empty JSON array)",
        );
    }
    for (prefix, value) in all_pages {
        let Some(object) = value.as_object() else {
            problems.push(
                None,
                Some(if prefix.is_empty() {
                    "(top level)"
                } else {
                    &prefix
                }),
                Some(&json::show(value)),
                "not a JSON object (a statement-transactions response)",
            );
            continue;
        };
        let Some(page) = page(object, &prefix) else {
            problems.push(
                None,
                Some(if prefix.is_empty() { "(top level)" } else { &prefix }),
                None,
                "neither `statement_transactions` nor `transactions`: not a statement-transactions response",
            );
            continue;
        };
        let at = At {
            row: None,
            id: None,
        };
        if let Some(envelope) = page.envelope {
            let code = envelope.get("code");
            if !matches!(code.and_then(Value::as_i64), Some(0) | None) {
                let message = envelope.get("message").map(json::show).unwrap_or_default();
                at.push(
                    &mut problems,
                    &join(&prefix, "code"),
                    code.map(json::show).as_deref(),
                    format!("the API answered with an error, not a statement: {message}"),
                );
                continue;
            }
        }
        if !versions.contains(&page.version.name()) {
            versions.push(page.version.name());
        }
        let Some(statement_id) = read_statement(
            &page,
            &mut statements,
            &mut order,
            &mut problems,
            &mut warnings,
        ) else {
            row += page.transactions.len() as u64;
            continue;
        };
        let tx_path = join(&page.path, page.key);
        let generic = format!("{}{}[]", page.generic, page.key);
        for (i, tx) in page.transactions.iter().enumerate() {
            row += 1;
            let path = format!("{tx_path}[{i}]");
            let Some(tx) = tx.as_object() else {
                At {
                    row: Some(row),
                    id: None,
                }
                .push(
                    &mut problems,
                    &path,
                    Some(&json::show(tx)),
                    "not a JSON object (a transaction)",
                );
                continue;
            };
            let before = problems.len();
            let ctx = transaction::Context {
                version: page.version,
                path: path.clone(),
                generic: generic.clone(),
                row,
                accept_unclassified: options.accept_unclassified,
            };
            let t = transaction::read(tx, &ctx, &mut problems, &mut warnings, &mut drift);
            let st = statements
                .get_mut(&statement_id)
                .expect("read_statement registered it");
            st.count += 1;
            let at = At {
                row: Some(row),
                id: t.id.as_deref(),
            };
            if let Some(id) = &t.id {
                if let Some(first) = st.ids.insert(id.clone(), path.clone()) {
                    at.push(
                        &mut problems,
                        &join(&path, "id"),
                        Some(id),
                        format!("appears twice in statement {statement_id} (first at `{first}`): the same page saved twice?"),
                    );
                }
            }
            if let Some(c) = &t.currency {
                if c.to_ascii_uppercase() != st.currency.code() {
                    at.push(
                        &mut problems,
                        &join(&path, "currency"),
                        Some(c),
                        format!("statement {statement_id} is in {}", st.currency),
                    );
                }
            }
            st.settlement += t.settlement.unwrap_or_default();
            st.reserve += t.reserve;
            st.adjustment += t.adjustment;
            for g in Group::ALL {
                match t.subtotals.get(&g) {
                    Some(a) => *st.groups.entry(g).or_default() += *a,
                    None if !st.groups_missing.contains(&g) => st.groups_missing.push(g),
                    None => {}
                }
            }
            let line = SettlementLine {
                ordered_at: t.ordered.clone(),
                statement_id: statement_id.clone(),
                transaction_type: t.kind.clone().unwrap_or_default(),
                order_id: t
                    .order_id
                    .clone()
                    .or_else(|| t.adjustment_order_id.clone())
                    .or_else(|| t.associated_order_id.clone()),
                adjustment_id: t.adjustment_id.clone().or_else(|| t.id.clone()),
                posted_at: st.time.clone(),
                currency: st.currency,
                components: t.components,
                rows: vec![SourceRow {
                    sheet: None,
                    row,
                    cells: vec![serde_json::to_string(tx).unwrap_or_default()],
                }],
            };
            st.lines_net += line.net();
            if problems.len() > before {
                st.broken = true;
            }
            lines.push(line);
        }
    }

    let drift_pending = !options.accept_unclassified && !drift.is_empty();
    let mut out = Vec::new();
    for id in order {
        let Some(st) = statements.remove(&id) else {
            continue;
        };
        out.push(check_statement(id, st, drift_pending, &mut problems));
    }
    if !options.accept_unclassified {
        drift.report(&mut problems, |rows, total| {
            format!("money the importer has no field for: {rows} transaction(s), total {total}")
        });
    }
    problems.finish(file)?;
    Ok(ParsedFile {
        header: vec![format!(
            "TikTok Shop finance API {} statement transactions",
            versions.join("+")
        )],
        statements: out,
        lines,
        rows_read: row,
        warnings,
        ..Default::default()
    })
}
