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
mod transaction;

use std::collections::{BTreeMap, HashMap};

use rust_decimal::Decimal;
use serde_json::{Map, Value};

use super::drift::SchemaDrift;
use super::problems::{ParseError, Problems};
use crate::domain::money::Currency;
use crate::domain::settlement::{
    Channel, ParsedFile, SettlementLine, SourceRow, Statement, Timestamp,
};
use fields::{Group, Version};
use json::At;

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

/// Statement-level money fields per version: (path in `data`, name used in
/// messages). The first is the settlement total.
const TOTALS_202309: [&str; 5] = [
    "settlement_amount",
    "revenue_amount",
    "shipping_cost_amount",
    "fee_amount",
    "adjustment_amount",
];
const TOTALS_202501: [&str; 7] = [
    "total_settlement_amount",
    "total_settlement_breakdown.total_revenue_amount",
    "total_settlement_breakdown.total_shipping_cost_amount",
    "total_settlement_breakdown.total_fee_tax_amount",
    "total_settlement_breakdown.total_adjustment_amount",
    "total_reserve_amount",
    "payable_amount",
];

fn totals(version: Version) -> &'static [&'static str] {
    match version {
        Version::V202309 => &TOTALS_202309,
        Version::V202501 => &TOTALS_202501,
    }
}

fn lookup<'v>(data: &'v Map<String, Value>, dotted: &str) -> Option<&'v Value> {
    let mut parts = dotted.split('.');
    let mut value = data.get(parts.next()?)?;
    for part in parts {
        value = value.get(part)?;
    }
    Some(value)
}

/// A statement as its pages are read.
struct Pending {
    version: Version,
    currency: Currency,
    /// The path of the statement id on its first page.
    path: String,
    time: Option<Timestamp>,
    payout_id: Option<String>,
    /// Declared totals: name → (amount, path it was read at).
    declared: BTreeMap<&'static str, (Decimal, String)>,
    total_count: Option<(u64, String)>,
    count: u64,
    ids: HashMap<String, String>,
    settlement: Decimal,
    reserve: Decimal,
    groups: BTreeMap<Group, Decimal>,
    /// Groups some transaction gave no subtotal for (not checked).
    groups_missing: Vec<Group>,
    adjustment: Decimal,
    lines_net: Decimal,
    /// Whether any of its transactions had problems (its sums say nothing).
    broken: bool,
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

/// Reads a page's statement-level fields into its statement (registering
/// it on its first page, comparing them with the earlier pages' after);
/// the statement id, or None when the page names none.
fn read_statement(
    page: &Page<'_>,
    statements: &mut HashMap<String, Pending>,
    order: &mut Vec<String>,
    problems: &mut Problems,
    warnings: &mut Vec<String>,
) -> Option<String> {
    let at = At {
        row: None,
        id: None,
    };
    let id_key = match page.version {
        Version::V202309 => "statement_id",
        Version::V202501 if page.data.contains_key("id") => "id",
        Version::V202501 => "statement_id",
    };
    let id_path = join(&page.path, id_key);
    let id = page
        .data
        .get(id_key)
        .and_then(|v| json::text(v, &id_path, at, problems, warnings));
    let Some(id) = id else {
        at.push(problems, &id_path, None, "a statement without an id");
        return None;
    };
    let currency_path = join(&page.path, "currency");
    let currency = match page.data.get("currency").and_then(Value::as_str) {
        Some(c) => match c.parse::<Currency>() {
            Ok(c) => c,
            Err(e) => {
                at.push(problems, &currency_path, Some(c), e);
                return None;
            }
        },
        None => {
            at.push(
                problems,
                &currency_path,
                None,
                format!("statement {id} names no currency"),
            );
            return None;
        }
    };
    let time_key = match page.version {
        Version::V202309 => "statement_time",
        Version::V202501 => "create_time",
    };
    let time = page
        .data
        .get(time_key)
        .and_then(|v| json::time(v, &join(&page.path, time_key), at, problems));
    let payout_id = page
        .data
        .get("payment_id")
        .and_then(|v| json::text(v, &join(&page.path, "payment_id"), at, problems, warnings));
    let total_count = page.data.get("total_count").and_then(Value::as_u64);

    if !statements.contains_key(&id) {
        order.push(id.clone());
        statements.insert(
            id.clone(),
            Pending {
                version: page.version,
                currency,
                path: id_path.clone(),
                time: time.clone(),
                payout_id: payout_id.clone(),
                declared: BTreeMap::new(),
                total_count: None,
                count: 0,
                ids: HashMap::new(),
                settlement: Decimal::ZERO,
                reserve: Decimal::ZERO,
                groups: BTreeMap::new(),
                groups_missing: Vec::new(),
                adjustment: Decimal::ZERO,
                lines_net: Decimal::ZERO,
                broken: false,
            },
        );
    }
    let st = statements.get_mut(&id).expect("just inserted");
    let differs = |problems: &mut Problems,
                   path: &str,
                   value: &str,
                   first: &str,
                   first_path: &str| {
        at.push(
            problems,
            path,
            Some(value),
            format!("statement {id}: differs from `{first}` at `{first_path}` (the pages of one statement repeat its fields and must agree)"),
        );
    };
    if st.version != page.version {
        at.push(
            problems,
            &id_path,
            Some(&id),
            format!(
                "statement {id}: a {} page of a statement read as {} before",
                page.version.name(),
                st.version.name()
            ),
        );
        return Some(id);
    }
    if st.currency != currency {
        differs(
            problems,
            &currency_path,
            currency.code(),
            st.currency.code(),
            &st.path,
        );
    }
    if st.time.is_none() {
        st.time = time;
    }
    if st.payout_id.is_none() {
        st.payout_id = payout_id;
    }
    if let Some(count) = total_count {
        let path = join(&page.path, "total_count");
        match &st.total_count {
            None => st.total_count = Some((count, path)),
            Some((first, first_path)) if *first != count => {
                let (first, first_path) = (first.to_string(), first_path.clone());
                differs(problems, &path, &count.to_string(), &first, &first_path);
            }
            Some(_) => {}
        }
    }
    for name in totals(page.version) {
        let Some(value) = lookup(page.data, name) else {
            continue;
        };
        let path = join(&page.path, name);
        let Some(amount) = json::money(value, &path, at, problems) else {
            continue;
        };
        match st.declared.get(name) {
            None => {
                st.declared.insert(name, (amount, path));
            }
            Some((first, first_path)) if *first != amount => {
                let (first, first_path) = (first.to_string(), first_path.clone());
                differs(problems, &path, &amount.to_string(), &first, &first_path);
            }
            Some(_) => {}
        }
    }
    Some(id)
}

/// The statement's totals checked against its transactions, and the
/// `Statement` it becomes.
fn check_statement(
    id: String,
    st: Pending,
    drift_pending: bool,
    problems: &mut Problems,
) -> Statement {
    let at = At {
        row: None,
        id: None,
    };
    let declared = |name: &str| st.declared.get(name).map(|(a, p)| (*a, p.as_str()));
    let (settlement_name, reserve_name, payable_name) = match st.version {
        Version::V202309 => ("settlement_amount", None, None),
        Version::V202501 => (
            "total_settlement_amount",
            Some("total_reserve_amount"),
            Some("payable_amount"),
        ),
    };
    // payable = settlement + reserve holds on the page whatever it holds.
    if let (Some((payable, path)), Some((settlement, _))) =
        (payable_name.and_then(declared), declared(settlement_name))
    {
        let reserve = reserve_name
            .and_then(declared)
            .map(|(a, _)| a)
            .unwrap_or_default();
        if payable != settlement + reserve {
            at.push(
                problems,
                path,
                Some(&payable.to_string()),
                format!("statement {id}: {settlement_name} {settlement} + total_reserve_amount {reserve} is {}, not the payable_amount it gives", settlement + reserve),
            );
        }
    }
    let complete = match &st.total_count {
        Some((count, path)) if *count != st.count => {
            at.push(
                problems,
                path,
                Some(&count.to_string()),
                format!("statement {id} has {count} transactions but the file holds {}: a page is missing (see next_page_token)", st.count),
            );
            false
        }
        _ => true,
    };
    if complete && !st.broken {
        let mut exact = |name: &str, sum: Decimal, what: &str| {
            if let Some((amount, path)) = declared(name) {
                if amount != sum {
                    at.push(
                        problems,
                        path,
                        Some(&amount.to_string()),
                        format!("statement {id}: its transactions' {what} sum to {sum}"),
                    );
                }
            }
        };
        exact(settlement_name, st.settlement, "settlement_amount");
        if let Some(reserve) = reserve_name {
            exact(reserve, st.reserve, "reserve_amount");
        }
        // The docs write the breakdown totals as magnitudes (revenue −
        // shipping − fees − adjustment); either sign is accepted.
        let names = &totals(st.version)[1..5];
        let sums = [
            st.groups.get(&Group::Revenue).copied(),
            st.groups.get(&Group::Shipping).copied(),
            st.groups.get(&Group::Fee).copied(),
            Some(st.adjustment),
        ];
        let missing =
            [Group::Revenue, Group::Shipping, Group::Fee].map(|g| st.groups_missing.contains(&g));
        for (i, name) in names.iter().enumerate() {
            let (Some((amount, path)), Some(sum)) = (declared(name), sums[i]) else {
                continue;
            };
            if i < 3 && missing[i] {
                continue;
            }
            if amount != sum && amount != -sum {
                let field = name.rsplit('.').next().unwrap_or(name);
                at.push(
                    problems,
                    path,
                    Some(&amount.to_string()),
                    format!("statement {id}: its transactions sum to {sum} for {field}"),
                );
            }
        }
    }
    let declared_total = match st.version {
        Version::V202309 => declared(settlement_name).map(|(a, _)| a),
        Version::V202501 => payable_name.and_then(declared).map(|(a, _)| a).or_else(|| {
            declared(settlement_name).map(|(s, _)| {
                s + reserve_name
                    .and_then(declared)
                    .map(|(r, _)| r)
                    .unwrap_or_default()
            })
        }),
    };
    if let Some(total) = declared_total {
        if complete && !st.broken && !drift_pending && total != st.lines_net {
            at.push(
                problems,
                &st.path,
                Some(&id),
                format!(
                    "statement {id}: its lines sum to {}, not the {total} it pays",
                    st.lines_net
                ),
            );
        }
    }
    Statement {
        channel: Channel::TikTok,
        statement_id: id,
        payout_id: st.payout_id,
        currency: st.currency,
        declared_total,
        period_start: None,
        // Statements are generated daily at 00:00 UTC: the time closes the
        // day the statement covers.
        period_end: st.time,
        deposit_date: None,
        source: None,
    }
}
