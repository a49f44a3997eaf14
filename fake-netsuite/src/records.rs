//! `/services/rest/record/v1/journalentry[/<id>|/eid:<externalId>]`: create, upsert, patch, read.

use std::collections::{BTreeMap, HashMap};

use hyper::header::{HeaderMap, HeaderValue, LOCATION};
use hyper::{Method, StatusCode};
use serde_json::{json, Map, Value};

use crate::catalog::Catalog;
use crate::errors::{
    empty, json_response, method_not_allowed, NsError, Resp, CT_COLLECTION, CT_SINGULAR,
};
use crate::journal::{
    check_property_names, invalid_external_id, split_body, valid_external_id, validate, LineChange,
    StoredJournal,
};
use crate::server::State;

pub(crate) const RECORD_PREFIX: &str = "/services/rest/record/v1/";
pub(crate) const JOURNAL_TYPE: &str = "journalentry";

/// A stored entry plus the raw fields it was built from (so updates can merge onto them).
#[derive(Clone, Debug)]
pub(crate) struct Record {
    pub journal: StoredJournal,
    /// Accepted header fields as sent (without `line`).
    pub header: Map<String, Value>,
    /// Accepted line objects as sent.
    pub lines: Vec<Value>,
}

#[derive(Debug, Default)]
pub(crate) struct Store {
    next_id: u64,
    pub by_id: BTreeMap<u64, Record>,
    by_eid: HashMap<String, u64>,
}

impl Store {
    pub fn by_external_id(&self, eid: &str) -> Option<&Record> {
        self.by_eid.get(eid).and_then(|id| self.by_id.get(id))
    }

    fn find(&self, target: &Target) -> Option<u64> {
        match target {
            Target::Internal(id) => id.parse().ok().filter(|n| self.by_id.contains_key(n)),
            Target::External(eid) => self.by_eid.get(eid).copied(),
        }
    }

    fn insert(
        &mut self,
        mut journal: StoredJournal,
        header: Map<String, Value>,
        lines: Vec<Value>,
    ) -> u64 {
        self.next_id += 1;
        let id = self.next_id;
        journal.internal_id = id.to_string();
        journal.writes = 1;
        if let Some(eid) = &journal.external_id {
            self.by_eid.insert(eid.clone(), id);
        }
        self.by_id.insert(
            id,
            Record {
                journal,
                header,
                lines,
            },
        );
        id
    }

    fn replace(
        &mut self,
        id: u64,
        mut journal: StoredJournal,
        header: Map<String, Value>,
        lines: Vec<Value>,
    ) {
        let old = self.by_id.remove(&id).expect("record exists");
        if let Some(eid) = &old.journal.external_id {
            self.by_eid.remove(eid);
        }
        journal.internal_id = id.to_string();
        journal.writes = old.journal.writes + 1;
        if let Some(eid) = &journal.external_id {
            self.by_eid.insert(eid.clone(), id);
        }
        self.by_id.insert(
            id,
            Record {
                journal,
                header,
                lines,
            },
        );
    }
}

/// The `<id>` path segment: an internal id or `eid:<externalId>`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Target {
    Internal(String),
    External(String),
}

impl Target {
    /// `segment` is already percent-decoded.
    pub fn parse(segment: &str) -> Result<Target, NsError> {
        match segment.strip_prefix("eid:") {
            Some(eid) if valid_external_id(eid) => Ok(Target::External(eid.to_string())),
            Some(eid) => Err(invalid_external_id(eid, None)),
            None => Ok(Target::Internal(segment.to_string())),
        }
    }
}

/// The outcome of a record request; `committed` = a write was stored.
pub(crate) struct Outcome {
    pub resp: Resp,
    pub committed: bool,
}

impl From<Resp> for Outcome {
    fn from(resp: Resp) -> Self {
        Outcome {
            resp,
            committed: false,
        }
    }
}

pub(crate) struct RecordRequest<'a> {
    pub method: &'a Method,
    /// The decoded id segment, if any.
    pub id: Option<&'a str>,
    pub query: &'a [(String, String)],
    pub headers: &'a HeaderMap,
    pub body: &'a [u8],
}

pub(crate) fn handle(state: &State, req: &RecordRequest<'_>) -> Outcome {
    match run(state, req) {
        Ok(o) => o,
        Err(e) => e.into_response().into(),
    }
}

fn run(state: &State, req: &RecordRequest<'_>) -> Result<Outcome, NsError> {
    let target = req.id.map(Target::parse).transpose()?;
    let replace_line = req
        .query
        .iter()
        .filter(|(k, _)| k == "replace")
        .flat_map(|(_, v)| v.split(','))
        .any(|s| s.trim().eq_ignore_ascii_case("line"));
    match (req.method, target) {
        (&Method::GET, None) => Ok(list(state, req.query)),
        (&Method::GET, Some(t)) => get(state, &t),
        (&Method::POST, None) => create(state, req),
        (&Method::PUT, Some(Target::External(eid))) => upsert(state, req, &eid, replace_line),
        (&Method::PUT, Some(Target::Internal(_))) => Err(NsError::bad_request(
            "INVALID_REQUEST",
            "The upsert operation requires an external ID in the request URL (eid:<externalId>).",
        )),
        (&Method::PATCH, Some(t)) => patch(state, req, &t, replace_line),
        _ => Ok(method_not_allowed().into()),
    }
}

fn parse_body(req: &RecordRequest<'_>) -> Result<Map<String, Value>, NsError> {
    let body: Map<String, Value> = match serde_json::from_slice(req.body) {
        Ok(Value::Object(m)) => m,
        _ => return Err(NsError::malformed()),
    };
    let strict = req
        .headers
        .get("x-netsuite-propertynamevalidation")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("error"));
    if strict {
        check_property_names(&body)?;
    }
    Ok(body)
}

fn location(state: &State, id: u64) -> String {
    format!("{}{RECORD_PREFIX}{JOURNAL_TYPE}/{id}", state.public_base)
}

fn no_content(state: &State, id: u64) -> Outcome {
    let mut resp = empty(StatusCode::NO_CONTENT);
    if let Ok(v) = HeaderValue::from_str(&location(state, id)) {
        resp.headers_mut().insert(LOCATION, v);
    }
    Outcome {
        resp,
        committed: true,
    }
}

fn duplicate() -> NsError {
    NsError::business("USER_ERROR", "This record already exists").at("externalId")
}

fn create(state: &State, req: &RecordRequest<'_>) -> Result<Outcome, NsError> {
    let body = parse_body(req)?;
    let catalog = state.catalog.lock().expect("catalog lock");
    let mut store = state.store.lock().expect("store lock");
    create_locked(state, &catalog, &mut store, body)
}

fn body_eid_mismatch(v: &Value, eid: &str) -> NsError {
    NsError::business(
        "INVALID_CONTENT",
        format!(
            "The externalId {v} in the request body differs from the external ID {eid} in the URL."
        ),
    )
    .at("externalId")
}

fn upsert(
    state: &State,
    req: &RecordRequest<'_>,
    eid: &str,
    replace_line: bool,
) -> Result<Outcome, NsError> {
    let mut body = parse_body(req)?;
    match body.get("externalId") {
        None | Some(Value::Null) => {}
        Some(Value::String(s)) if s == eid => {}
        Some(other) => return Err(body_eid_mismatch(other, eid)),
    }
    body.insert("externalId".into(), Value::String(eid.to_string()));
    let catalog = state.catalog.lock().expect("catalog lock");
    let mut store = state.store.lock().expect("store lock");
    match store.find(&Target::External(eid.into())) {
        None => create_locked(state, &catalog, &mut store, body),
        Some(id) => update_locked(state, &catalog, &mut store, id, body, replace_line),
    }
}

fn patch(
    state: &State,
    req: &RecordRequest<'_>,
    target: &Target,
    replace_line: bool,
) -> Result<Outcome, NsError> {
    let body = parse_body(req)?;
    if let (Target::External(eid), Some(v)) = (target, body.get("externalId")) {
        if !v.is_null() && v.as_str() != Some(eid.as_str()) {
            return Err(body_eid_mismatch(v, eid));
        }
    }
    let catalog = state.catalog.lock().expect("catalog lock");
    let mut store = state.store.lock().expect("store lock");
    let id = store.find(target).ok_or_else(NsError::not_found)?;
    update_locked(state, &catalog, &mut store, id, body, replace_line)
}

fn create_locked(
    state: &State,
    catalog: &Catalog,
    store: &mut Store,
    body: Map<String, Value>,
) -> Result<Outcome, NsError> {
    let (header, change) = split_body(&body)?;
    let lines = match change {
        LineChange::Items(items) => items,
        LineChange::Keep | LineChange::Clear => Vec::new(),
    };
    let journal = validate(&header, &lines, catalog, state.line_limit)?;
    if journal
        .external_id
        .as_deref()
        .is_some_and(|eid| store.by_external_id(eid).is_some())
    {
        return Err(duplicate());
    }
    let id = store.insert(journal, header, lines);
    state.stats(|s| s.creates += 1);
    Ok(no_content(state, id))
}

/// Merges `body` onto record `id`, validates the result and stores it (or changes nothing).
fn update_locked(
    state: &State,
    catalog: &Catalog,
    store: &mut Store,
    id: u64,
    body: Map<String, Value>,
    replace_line: bool,
) -> Result<Outcome, NsError> {
    let (changes, line_change) = split_body(&body)?;
    let existing = &store.by_id[&id];
    let mut header = existing.header.clone();
    for (k, v) in changes {
        if v.is_null() {
            header.remove(&k);
        } else {
            header.insert(k, v);
        }
    }
    let lines = match line_change {
        LineChange::Keep => existing.lines.clone(),
        LineChange::Clear => Vec::new(),
        LineChange::Items(items) if replace_line => items,
        LineChange::Items(items) => existing.lines.iter().cloned().chain(items).collect(),
    };
    let journal = validate(&header, &lines, catalog, state.line_limit)?;
    if let Some(eid) = &journal.external_id {
        if store.by_eid.get(eid).is_some_and(|other| *other != id) {
            return Err(duplicate());
        }
    }
    store.replace(id, journal, header, lines);
    state.stats(|s| s.updates += 1);
    Ok(no_content(state, id))
}

fn get(state: &State, target: &Target) -> Result<Outcome, NsError> {
    let catalog = state.catalog.lock().expect("catalog lock");
    let store = state.store.lock().expect("store lock");
    let id = store.find(target).ok_or_else(NsError::not_found)?;
    let body = render(state, &catalog, &store.by_id[&id]);
    Ok(json_response(StatusCode::OK, CT_SINGULAR, &body).into())
}

fn list(state: &State, query: &[(String, String)]) -> Outcome {
    let num = |k: &str, d: usize| {
        query
            .iter()
            .find(|(q, _)| q == k)
            .and_then(|(_, v)| v.parse().ok())
            .unwrap_or(d)
    };
    let (limit, offset) = (num("limit", 1000).clamp(1, 1000), num("offset", 0));
    let store = state.store.lock().expect("store lock");
    let total = store.by_id.len();
    let items: Vec<Value> = store
        .by_id
        .keys()
        .skip(offset)
        .take(limit)
        .map(|id| json!({"links": [{"rel": "self", "href": location(state, *id)}], "id": id.to_string()}))
        .collect();
    let body = json!({
        "links": [{"rel": "self", "href": format!("{}{RECORD_PREFIX}{JOURNAL_TYPE}", state.public_base)}],
        "count": items.len(),
        "hasMore": offset + items.len() < total,
        "offset": offset,
        "totalResults": total,
        "items": items,
    });
    json_response(StatusCode::OK, CT_COLLECTION, &body).into()
}

fn reference(state: &State, kind: &str, id: &str, name: Option<&str>) -> Value {
    let mut m = Map::new();
    m.insert(
        "links".into(),
        json!([{"rel": "self", "href": format!("{}{RECORD_PREFIX}{kind}/{id}", state.public_base)}]),
    );
    m.insert("id".into(), Value::String(id.to_string()));
    if let Some(n) = name {
        m.insert("refName".into(), Value::String(n.to_string()));
    }
    Value::Object(m)
}

fn number(d: rust_decimal::Decimal) -> Value {
    d.to_string()
        .parse::<serde_json::Number>()
        .map(Value::Number)
        .unwrap_or_else(|_| Value::String(d.to_string()))
}

/// The GET representation (sublist always expanded).
fn render(state: &State, catalog: &Catalog, rec: &Record) -> Value {
    let j = &rec.journal;
    let mut m = Map::new();
    m.insert(
        "links".into(),
        json!([{"rel": "self", "href": format!("{}{RECORD_PREFIX}{JOURNAL_TYPE}/{}", state.public_base, j.internal_id)}]),
    );
    m.insert("id".into(), json!(j.internal_id));
    if let Some(e) = &j.external_id {
        m.insert("externalId".into(), json!(e));
    }
    m.insert(
        "tranDate".into(),
        json!(j.tran_date.format("%Y-%m-%d").to_string()),
    );
    if let Some(s) = &j.subsidiary {
        let name = catalog.subsidiary(s).map(|s| s.name.as_str());
        m.insert("subsidiary".into(), reference(state, "subsidiary", s, name));
    }
    if let Some(c) = &j.currency {
        let name = catalog.currency(c).map(|c| c.symbol.as_str());
        m.insert("currency".into(), reference(state, "currency", c, name));
    }
    let pname = catalog
        .period(&j.posting_period)
        .map(|p| p.periodname.as_str());
    m.insert(
        "postingPeriod".into(),
        reference(state, "accountingPeriod", &j.posting_period, pname),
    );
    if let Some(memo) = &j.memo {
        m.insert("memo".into(), json!(memo));
    }
    for key in ["exchangeRate", "tranId", "approved"] {
        if let Some(v) = rec.header.get(key) {
            m.insert(key.into(), v.clone());
        }
    }
    let items: Vec<Value> = j
        .lines
        .iter()
        .enumerate()
        .map(|(i, l)| {
            let mut o = Map::new();
            o.insert("links".into(), json!([]));
            o.insert("line".into(), json!(i));
            let name = catalog.account(&l.account).map(|a| a.fullname.as_str());
            o.insert(
                "account".into(),
                reference(state, "account", &l.account, name),
            );
            if let Some(d) = l.debit {
                o.insert("debit".into(), number(d));
            }
            if let Some(c) = l.credit {
                o.insert("credit".into(), number(c));
            }
            if let Some(memo) = &l.memo {
                o.insert("memo".into(), json!(memo));
            }
            for (key, kind, val) in [
                ("entity", "customer", &l.entity),
                ("department", "department", &l.department),
                ("class", "classification", &l.class),
                ("location", "location", &l.location),
            ] {
                if let Some(v) = val {
                    o.insert(key.into(), reference(state, kind, v, None));
                }
            }
            Value::Object(o)
        })
        .collect();
    m.insert(
        "line".into(),
        json!({"links": [], "count": items.len(), "hasMore": false, "offset": 0,
               "totalResults": items.len(), "items": items}),
    );
    Value::Object(m)
}
