//! A statement across its pages: the statement-level fields read (and
//! compared between pages, which repeat them), its transactions' sums kept,
//! and its totals checked at the end.

use std::collections::{BTreeMap, HashMap};

use rust_decimal::Decimal;
use serde_json::{Map, Value};

use super::fields::{Group, Version};
use super::json::{self, At};
use super::{join, Page};
use crate::domain::money::Currency;
use crate::domain::settlement::{Channel, Statement, Timestamp};
use crate::sources::problems::Problems;

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
pub(super) struct Pending {
    pub version: Version,
    pub currency: Currency,
    /// The path of the statement id on its first page.
    pub path: String,
    /// The path of its first page's `data`.
    pub base: String,
    pub time: Option<Timestamp>,
    pub payout_id: Option<String>,
    /// Declared totals: name → (amount, path it was read at).
    pub declared: BTreeMap<&'static str, (Decimal, String)>,
    pub total_count: Option<(u64, String)>,
    pub count: u64,
    pub ids: HashMap<String, String>,
    pub settlement: Decimal,
    pub reserve: Decimal,
    pub groups: BTreeMap<Group, Decimal>,
    /// Groups some transaction gave no subtotal for (not checked).
    pub groups_missing: Vec<Group>,
    pub adjustment: Decimal,
    pub lines_net: Decimal,
    /// Whether any of its transactions had problems (its sums say nothing).
    pub broken: bool,
}

/// Reads a page's statement-level fields into its statement (registering
/// it on its first page, comparing them with the earlier pages' after);
/// the statement id, or None when the page names none.
pub(super) fn read_statement(
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
                base: page.path.clone(),
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
            &join(&st.base, "currency"),
        );
    }
    match (&st.time, time) {
        (Some(first), Some(t)) if first.utc != t.utc => {
            let first = first.raw.clone();
            differs(
                problems,
                &join(&page.path, time_key),
                &t.raw,
                &first,
                &join(&st.base, time_key),
            );
        }
        (None, t) => st.time = t,
        _ => {}
    }
    match (&st.payout_id, payout_id) {
        (Some(first), Some(p)) if *first != p => {
            let first = first.clone();
            differs(
                problems,
                &join(&page.path, "payment_id"),
                &p,
                &first,
                &join(&st.base, "payment_id"),
            );
        }
        (None, p) => st.payout_id = p,
        _ => {}
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
pub(super) fn check_statement(
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
