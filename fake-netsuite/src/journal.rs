//! Journal entries: the stored shape and the validation NetSuite applies before saving one.

use std::str::FromStr;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;
use serde_json::{Map, Value};

use crate::catalog::{Catalog, CatalogRecord};
use crate::errors::NsError;

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StoredLine {
    pub account: String,
    pub debit: Option<Decimal>,
    pub credit: Option<Decimal>,
    pub memo: Option<String>,
    pub entity: Option<String>,
    pub department: Option<String>,
    pub class: Option<String>,
    pub location: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StoredJournal {
    pub internal_id: String,
    pub external_id: Option<String>,
    pub tran_date: NaiveDate,
    pub subsidiary: Option<String>,
    pub currency: Option<String>,
    /// The accounting period id the entry landed in.
    pub posting_period: String,
    pub memo: Option<String>,
    pub lines: Vec<StoredLine>,
    /// 1 on create, +1 per update.
    pub writes: u32,
}

/// Body fields journalEntry accepts (REST API Browser 2026.1, the ones a JE create may carry).
const HEADER_FIELDS: &[&str] = &[
    "externalId",
    "subsidiary",
    "currency",
    "exchangeRate",
    "tranDate",
    "postingPeriod",
    "memo",
    "tranId",
    "approved",
    "department",
    "class",
    "location",
    "reversalDate",
    "reversalDefer",
    "toSubsidiary",
    "accountingBook",
    "isBookSpecific",
    "customForm",
    "nexus",
    "line",
    "id",
    "refName",
    "links",
];
const LINE_FIELDS: &[&str] = &[
    "account",
    "debit",
    "credit",
    "memo",
    "entity",
    "department",
    "class",
    "location",
    "eliminate",
    "line",
    "startDate",
    "endDate",
    "schedule",
    "residual",
    "links",
];
/// Keys a sublist object may carry besides `items` (the read-side collection envelope).
const SUBLIST_KEYS: &[&str] = &[
    "items",
    "links",
    "count",
    "hasMore",
    "offset",
    "totalResults",
];

/// ISO 4217 currencies with no minor unit (NetSuite supports precision 0 or 2 only).
const ZERO_DECIMAL: &[&str] = &[
    "BIF", "CLP", "DJF", "GNF", "IDR", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "VND",
    "VUV", "XAF", "XOF", "XPF",
];

fn unknown_field(name: &str, path: String) -> NsError {
    NsError::bad_request(
        "INVALID_CONTENT",
        format!("Invalid field name '{name}': the field does not exist on this record or sublist."),
    )
    .at(path)
}

/// `X-NetSuite-PropertyNameValidation: error`: every field name must exist.
pub(crate) fn check_property_names(body: &Map<String, Value>) -> Result<(), NsError> {
    for key in body.keys() {
        if !HEADER_FIELDS.contains(&key.as_str()) {
            return Err(unknown_field(key, key.clone()));
        }
    }
    let Some(Value::Object(line)) = body.get("line") else {
        return Ok(());
    };
    for key in line.keys() {
        if !SUBLIST_KEYS.contains(&key.as_str()) {
            return Err(unknown_field(key, format!("line.{key}")));
        }
    }
    if let Some(Value::Array(items)) = line.get("items") {
        for (i, item) in items.iter().enumerate() {
            if let Value::Object(item) = item {
                for key in item.keys() {
                    if !LINE_FIELDS.contains(&key.as_str()) {
                        return Err(unknown_field(key, format!("line.items[{i}].{key}")));
                    }
                }
            }
        }
    }
    Ok(())
}

/// What a request body says about the `line` sublist.
#[derive(Debug)]
pub(crate) enum LineChange {
    /// `line` absent: keep existing lines.
    Keep,
    /// `"line": null` or `"line": {"items": null}`: remove all lines.
    Clear,
    Items(Vec<Value>),
}

/// Splits a body into header fields and its line change.
pub(crate) fn split_body(
    body: &Map<String, Value>,
) -> Result<(Map<String, Value>, LineChange), NsError> {
    let mut header = body.clone();
    let change = match header.remove("line") {
        None => LineChange::Keep,
        Some(Value::Null) => LineChange::Clear,
        Some(Value::Object(sub)) => match sub.get("items") {
            None | Some(Value::Null) => LineChange::Clear,
            Some(Value::Array(items)) => LineChange::Items(items.clone()),
            Some(other) => return Err(NsError::invalid_value(other, "line", "line.items".into())),
        },
        Some(other) => return Err(NsError::invalid_value(other, "line", "line".into())),
    };
    Ok((header, change))
}

/// Shows a JSON value the way NetSuite echoes an invalid value.
fn shown(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Object(m) => m.get("id").map(shown).unwrap_or_else(|| v.to_string()),
        _ => v.to_string(),
    }
}

fn required(field: &str, path: &str) -> NsError {
    NsError::business("USER_ERROR", format!("Please enter a value for {field}")).at(path)
}

/// `{"id": "…"}` → the id (string or integer id accepted).
fn ref_id(v: &Value, field: &str, path: &str) -> Result<String, NsError> {
    let id = match v {
        Value::Object(m) => match m.get("id") {
            Some(Value::String(s)) if !s.trim().is_empty() => Some(s.trim().to_string()),
            Some(Value::Number(n)) if n.is_u64() => Some(n.to_string()),
            _ => None,
        },
        _ => None,
    };
    id.ok_or_else(|| NsError::invalid_value(shown(v), field, path.into()))
}

/// An optional reference (absent or null = None) that must exist (and be active) in `table`.
fn opt_record_ref(
    obj: &Map<String, Value>,
    key: &str,
    path: &str,
    table: &[CatalogRecord],
) -> Result<Option<String>, NsError> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => {
            let id = ref_id(v, key, path)?;
            match table.iter().find(|r| r.id == id) {
                Some(r) if !r.isinactive => Ok(Some(id)),
                _ => Err(NsError::invalid_value(&id, key, path.into())),
            }
        }
    }
}

fn opt_string(obj: &Map<String, Value>, key: &str, path: &str) -> Result<Option<String>, NsError> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(v) => Err(NsError::invalid_value(v, key, path.into())),
    }
}

/// External ids: letters, digits, `_` and `-` only.
pub(crate) fn valid_external_id(eid: &str) -> bool {
    !eid.is_empty()
        && eid
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

pub(crate) fn invalid_external_id(eid: &str, path: Option<&str>) -> NsError {
    let e = NsError::business(
        "INVALID_CONTENT",
        format!(
            "Invalid external ID '{eid}'. An external ID can contain only letters, numbers, \
             underscore (_), and hyphen (-)."
        ),
    );
    match path {
        Some(p) => e.at(p),
        None => e,
    }
}

/// Parses a JSON number (exactly, via its decimal text) or a numeric string.
pub(crate) fn parse_amount(v: &Value) -> Option<Decimal> {
    let text = match v {
        Value::Number(n) => n.to_string(),
        Value::String(s) => s.trim().to_string(),
        _ => return None,
    };
    Decimal::from_str(&text)
        .or_else(|_| Decimal::from_scientific(&text))
        .ok()
}

/// Validates a complete journal entry (header fields without `line`, plus its lines) the way
/// NetSuite does before saving. Returns the entry to store (internal id and writes unset).
pub(crate) fn validate(
    header: &Map<String, Value>,
    lines: &[Value],
    catalog: &Catalog,
    line_limit: usize,
) -> Result<StoredJournal, NsError> {
    let external_id = opt_string(header, "externalId", "externalId")?;
    if let Some(eid) = &external_id {
        if !valid_external_id(eid) {
            return Err(invalid_external_id(eid, Some("externalId")));
        }
    }

    let subsidiary = match header.get("subsidiary") {
        None | Some(Value::Null) => return Err(required("subsidiary", "subsidiary")),
        Some(v) => ref_id(v, "subsidiary", "subsidiary")?,
    };
    let sub = catalog
        .subsidiary(&subsidiary)
        .ok_or_else(|| NsError::invalid_value(&subsidiary, "subsidiary", "subsidiary".into()))?;

    let currency = match header.get("currency") {
        None | Some(Value::Null) => None,
        Some(v) => {
            let id = ref_id(v, "currency", "currency")?;
            if catalog.currency(&id).is_none() {
                return Err(NsError::invalid_value(&id, "currency", "currency".into()));
            }
            Some(id)
        }
    };
    let symbol = currency
        .as_deref()
        .or(Some(sub.currency.as_str()))
        .and_then(|id| catalog.currency(id))
        .map(|c| c.symbol.to_ascii_uppercase())
        .unwrap_or_default();
    let max_scale: u32 = if ZERO_DECIMAL.contains(&symbol.as_str()) {
        0
    } else {
        2
    };

    if let Some(v) = header.get("exchangeRate").filter(|v| !v.is_null()) {
        if parse_amount(v).is_none_or(|r| r <= Decimal::ZERO) {
            return Err(NsError::invalid_value(
                v,
                "exchangeRate",
                "exchangeRate".into(),
            ));
        }
    }
    for key in ["department", "class", "location"] {
        let table = match key {
            "department" => &catalog.departments,
            "class" => &catalog.classes,
            _ => &catalog.locations,
        };
        opt_record_ref(header, key, key, table)?;
    }

    let tran_date = match header.get("tranDate") {
        None | Some(Value::Null) => return Err(required("tranDate", "tranDate")),
        Some(Value::String(s)) => NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .ok()
            .filter(|_| s.len() == 10)
            .ok_or_else(|| NsError::invalid_value(s, "tranDate", "tranDate".into()))?,
        Some(v) => return Err(NsError::invalid_value(v, "tranDate", "tranDate".into())),
    };

    let period = match header.get("postingPeriod") {
        None | Some(Value::Null) => catalog
            .periods
            .iter()
            .find(|p| p.contains(tran_date))
            .ok_or_else(|| {
                NsError::business(
                    "USER_ERROR",
                    format!("No accounting period contains the transaction date {tran_date}."),
                )
                .at("tranDate")
            })?,
        Some(v) => {
            let id = ref_id(v, "postingPeriod", "postingPeriod")?;
            let p = catalog.period(&id).ok_or_else(|| {
                NsError::invalid_value(&id, "postingPeriod", "postingPeriod".into())
            })?;
            if !p.contains(tran_date) {
                return Err(NsError::business(
                    "USER_ERROR",
                    format!(
                        "The transaction date {tran_date} is outside the posting period {} ({} to {}).",
                        p.periodname, p.startdate, p.enddate
                    ),
                )
                .at("postingPeriod"));
            }
            p
        }
    };
    if period.closed || period.alllocked {
        let state = if period.closed { "closed" } else { "locked" };
        return Err(NsError::business(
            "USER_ERROR",
            format!(
                "The accounting period {} (id {}) is {state}. You cannot post a transaction to a {state} period.",
                period.periodname, period.id
            ),
        )
        .at("postingPeriod"));
    }
    let memo = opt_string(header, "memo", "memo")?;

    if lines.is_empty() {
        return Err(NsError::business(
            "USER_ERROR",
            "You must enter at least one line item for this transaction.",
        )
        .at("line"));
    }
    if lines.len() > line_limit {
        return Err(NsError::business(
            "USER_ERROR",
            format!(
                "A journal entry can have at most {line_limit} lines; this one has {}.",
                lines.len()
            ),
        )
        .at("line.items"));
    }

    let mut stored_lines = Vec::with_capacity(lines.len());
    let (mut debits, mut credits) = (Decimal::ZERO, Decimal::ZERO);
    let (mut n_debit, mut n_credit) = (0usize, 0usize);
    for (i, line) in lines.iter().enumerate() {
        let p = |f: &str| format!("line.items[{i}].{f}");
        let Value::Object(obj) = line else {
            return Err(NsError::invalid_value(
                line,
                "line",
                format!("line.items[{i}]"),
            ));
        };
        let account = match obj.get("account") {
            None | Some(Value::Null) => return Err(required("account", &p("account"))),
            Some(v) => ref_id(v, "account", &p("account"))?,
        };
        match catalog.account(&account) {
            Some(a) if !a.isinactive => {}
            _ => return Err(NsError::invalid_value(&account, "account", p("account"))),
        }
        let amount = |key: &str| -> Result<Option<Decimal>, NsError> {
            let Some(v) = obj.get(key).filter(|v| !v.is_null()) else {
                return Ok(None);
            };
            match parse_amount(v) {
                Some(d) if d > Decimal::ZERO && d.normalize().scale() <= max_scale => Ok(Some(d)),
                _ => {
                    let mut e = NsError::invalid_value(shown(v), key, p(key));
                    e.detail.push_str(&format!(
                        " (amounts must be positive with at most {max_scale} decimal places{})",
                        if symbol.is_empty() {
                            String::new()
                        } else {
                            format!(" in {symbol}")
                        }
                    ));
                    Err(e)
                }
            }
        };
        let (debit, credit) = (amount("debit")?, amount("credit")?);
        match (debit, credit) {
            (Some(_), Some(_)) => {
                return Err(NsError::business(
                    "USER_ERROR",
                    "A journal entry line can have either a debit or a credit amount, not both.",
                )
                .at(format!("line.items[{i}]")))
            }
            (None, None) => {
                return Err(NsError::business(
                    "USER_ERROR",
                    "Please enter a value for debit or credit",
                )
                .at(format!("line.items[{i}]")))
            }
            (Some(d), None) => {
                debits += d;
                n_debit += 1;
            }
            (None, Some(c)) => {
                credits += c;
                n_credit += 1;
            }
        }
        stored_lines.push(StoredLine {
            account,
            debit: debit.map(|d| d.normalize()),
            credit: credit.map(|c| c.normalize()),
            memo: opt_string(obj, "memo", &p("memo"))?,
            entity: opt_record_ref(obj, "entity", &p("entity"), &catalog.customers)?,
            department: opt_record_ref(obj, "department", &p("department"), &catalog.departments)?,
            class: opt_record_ref(obj, "class", &p("class"), &catalog.classes)?,
            location: opt_record_ref(obj, "location", &p("location"), &catalog.locations)?,
        });
    }
    if n_debit == 0 || n_credit == 0 || debits != credits {
        return Err(NsError::business(
            "USER_ERROR",
            "The amounts in a journal entry must balance.",
        ));
    }

    Ok(StoredJournal {
        internal_id: String::new(),
        external_id,
        tran_date,
        subsidiary: Some(subsidiary),
        currency,
        posting_period: period.id.clone(),
        memo,
        lines: stored_lines,
        writes: 0,
    })
}

#[cfg(test)]
#[path = "journal_tests.rs"]
mod tests;
