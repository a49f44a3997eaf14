//! `POST /services/rest/query/v1/suiteql`: the table after `FROM` is returned whole (WHERE,
//! ORDER BY and column lists are ignored), paged with `limit`/`offset` like NetSuite does.

use hyper::header::HeaderMap;
use hyper::StatusCode;
use serde_json::{json, Map, Value};

use crate::catalog::{Catalog, CatalogRecord};
use crate::errors::{json_response, NsError, Resp, CT_COLLECTION};

pub const SUITEQL_PATH: &str = "/services/rest/query/v1/suiteql";
const MAX_LIMIT: usize = 1000;

pub(crate) fn handle(
    catalog: &Catalog,
    public_base: &str,
    query: &[(String, String)],
    headers: &HeaderMap,
    body: &[u8],
) -> Resp {
    match run(catalog, public_base, query, headers, body) {
        Ok(r) => r,
        Err(e) => e.into_response(),
    }
}

fn param(query: &[(String, String)], name: &'static str, default: usize) -> Result<usize, NsError> {
    match query.iter().find(|(k, _)| k == name) {
        None => Ok(default),
        Some((_, v)) => v.trim().parse().map_err(|_| {
            NsError::bad_request(
                "INVALID_PARAMETER",
                format!("Invalid value '{v}' for query parameter {name}."),
            )
            .query_param(name)
        }),
    }
}

fn run(
    catalog: &Catalog,
    public_base: &str,
    query: &[(String, String)],
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Resp, NsError> {
    let transient = headers.get_all("prefer").iter().any(|v| {
        v.to_str()
            .map(|s| {
                s.split(',')
                    .any(|p| p.trim().eq_ignore_ascii_case("transient"))
            })
            .unwrap_or(false)
    });
    if !transient {
        return Err(NsError::bad_request(
            "INVALID_REQUEST",
            "The SuiteQL query service requires the header 'Prefer: transient'.",
        )
        .header("Prefer"));
    }
    let limit = param(query, "limit", MAX_LIMIT)?;
    let offset = param(query, "offset", 0)?;
    if limit == 0 || limit > MAX_LIMIT {
        return Err(NsError::bad_request(
            "INVALID_PARAMETER",
            format!("The limit must be between 1 and {MAX_LIMIT}; got {limit}."),
        )
        .query_param("limit"));
    }
    if offset % limit != 0 {
        return Err(NsError::bad_request(
            "INVALID_PARAMETER",
            format!("The offset ({offset}) must be divisible by the limit ({limit})."),
        )
        .query_param("offset"));
    }
    let q = match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(m)) => match m.get("q") {
            Some(Value::String(q)) => q.clone(),
            _ => {
                return Err(NsError::bad_request(
                    "INVALID_REQUEST",
                    "The body must contain a string 'q'.",
                ))
            }
        },
        _ => return Err(NsError::malformed()),
    };
    let table = from_table(&q).ok_or_else(|| {
        NsError::bad_request(
            "INVALID_PARAMETER",
            format!("Invalid search query. Search error occurred: no table found in query: {q}"),
        )
    })?;
    let rows = rows(catalog, &table).ok_or_else(|| {
        NsError::bad_request(
            "INVALID_PARAMETER",
            format!("Invalid search query. Search error occurred: Record '{table}' was not found."),
        )
    })?;

    let total = rows.len();
    let items: Vec<Value> = rows.into_iter().skip(offset).take(limit).collect();
    let has_more = offset + items.len() < total;
    let link = |rel: &str, off: usize| json!({"rel": rel, "href": format!("{public_base}{SUITEQL_PATH}?limit={limit}&offset={off}")});
    let mut links = vec![link("self", offset)];
    if total > 0 {
        links.push(link("first", 0));
        if has_more {
            links.push(link("next", offset + limit));
        }
        if offset >= limit {
            links.push(link("previous", offset - limit));
        }
        links.push(link("last", (total - 1) / limit * limit));
    }
    let body = json!({
        "links": links,
        "count": items.len(),
        "hasMore": has_more,
        "offset": offset,
        "totalResults": total,
        "items": items,
    });
    Ok(json_response(StatusCode::OK, CT_COLLECTION, &body))
}

/// The (lower-cased) identifier after the first `FROM`.
fn from_table(q: &str) -> Option<String> {
    let lower = q.to_ascii_lowercase();
    let mut words = lower
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .filter(|w| !w.is_empty());
    words.find(|w| *w == "from")?;
    words.next().map(str::to_string)
}

fn tf(b: bool) -> &'static str {
    if b {
        "T"
    } else {
        "F"
    }
}

fn row(pairs: &[(&str, &str)]) -> Value {
    let mut m = Map::new();
    m.insert("links".into(), json!([]));
    for (k, v) in pairs {
        m.insert((*k).into(), Value::String((*v).into()));
    }
    Value::Object(m)
}

fn simple(records: &[CatalogRecord]) -> Vec<Value> {
    records
        .iter()
        .map(|r| {
            row(&[
                ("id", &r.id),
                ("name", &r.name),
                ("isinactive", tf(r.isinactive)),
            ])
        })
        .collect()
}

fn rows(c: &Catalog, table: &str) -> Option<Vec<Value>> {
    Some(match table {
        "account" => c
            .accounts
            .iter()
            .map(|a| {
                row(&[
                    ("id", &a.id),
                    ("acctnumber", &a.acctnumber),
                    ("fullname", &a.fullname),
                    ("accttype", &a.accttype),
                    ("isinactive", tf(a.isinactive)),
                ])
            })
            .collect(),
        "accountingperiod" => c
            .periods
            .iter()
            .map(|p| {
                let (start, end) = (p.startdate.to_string(), p.enddate.to_string());
                row(&[
                    ("id", &p.id),
                    ("periodname", &p.periodname),
                    ("startdate", &start),
                    ("enddate", &end),
                    ("closed", tf(p.closed)),
                    ("alllocked", tf(p.alllocked)),
                    ("isposting", "T"),
                    ("isyear", "F"),
                    ("isquarter", "F"),
                ])
            })
            .collect(),
        "currency" => c
            .currencies
            .iter()
            .map(|x| row(&[("id", &x.id), ("symbol", &x.symbol), ("name", &x.name)]))
            .collect(),
        "subsidiary" => c
            .subsidiaries
            .iter()
            .map(|s| row(&[("id", &s.id), ("name", &s.name), ("currency", &s.currency)]))
            .collect(),
        "department" => simple(&c.departments),
        "classification" => simple(&c.classes),
        "location" => simple(&c.locations),
        "customer" => simple(&c.customers),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_table() {
        assert_eq!(
            from_table("SELECT id FROM Account ORDER BY id").as_deref(),
            Some("account")
        );
        assert_eq!(
            from_table("select id, TO_CHAR(startdate,'YYYY-MM-DD') AS s\nfrom\taccountingperiod where isyear='F'")
                .as_deref(),
            Some("accountingperiod")
        );
        assert_eq!(from_table("SELECT 1"), None);
    }
}
