//! What NetSuite has — accounts, accounting periods, currencies,
//! subsidiaries, departments, classes, locations, customers — read through
//! SuiteQL before a run, and the check that stops the run, posting nothing,
//! when any planned journal entry names something NetSuite would refuse.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use serde_json::{Map, Value};

use super::body::BodyIds;
use super::client::{NetSuiteClient, NsError};
use super::journal::NsDocument;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NsPeriod {
    pub id: String,
    pub name: String,
    pub start: NaiveDate,
    pub end: NaiveDate,
    pub closed: bool,
    pub all_locked: bool,
}

#[derive(Clone, Debug, Default)]
pub struct NsCatalog {
    /// id → (number, inactive)
    pub accounts: HashMap<String, (String, bool)>,
    pub periods: Vec<NsPeriod>,
    /// symbol → id
    pub currencies: HashMap<String, String>,
    pub subsidiaries: HashMap<String, bool>,
    pub departments: HashMap<String, bool>,
    pub classes: HashMap<String, bool>,
    pub locations: HashMap<String, bool>,
    pub customers: HashMap<String, bool>,
}

fn text(row: &Map<String, Value>, key: &str) -> String {
    match row.get(key) {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Null) | None => String::new(),
        Some(v) => v.to_string(),
    }
}

fn flag(row: &Map<String, Value>, key: &str) -> bool {
    matches!(text(row, key).as_str(), "T" | "t" | "true")
}

fn named(rows: Vec<Map<String, Value>>) -> HashMap<String, bool> {
    rows.iter()
        .map(|r| (text(r, "id"), flag(r, "isinactive")))
        .collect()
}

/// `customers`: the customer ids the run uses — reading every customer
/// would hit SuiteQL's 100,000-row cap in a shop with one per order.
pub async fn read_catalog(
    client: &NetSuiteClient,
    customers: &[String],
) -> Result<NsCatalog, NsError> {
    let accounts = client
        .suiteql("SELECT id, acctnumber, fullname, accttype, isinactive FROM account ORDER BY id")
        .await?;
    let periods = client
        .suiteql(
            "SELECT id, periodname, TO_CHAR(startdate, 'YYYY-MM-DD') AS startdate, \
             TO_CHAR(enddate, 'YYYY-MM-DD') AS enddate, closed, alllocked, isposting \
             FROM accountingperiod WHERE isyear = 'F' AND isquarter = 'F' AND isadjust = 'F' ORDER BY startdate",
        )
        .await?;
    let mut catalog = NsCatalog {
        accounts: accounts
            .iter()
            .map(|r| {
                (
                    text(r, "id"),
                    (text(r, "acctnumber"), flag(r, "isinactive")),
                )
            })
            .collect(),
        currencies: client
            .suiteql("SELECT id, symbol, name FROM currency")
            .await?
            .iter()
            .map(|r| (text(r, "symbol"), text(r, "id")))
            .collect(),
        subsidiaries: named(
            client
                .suiteql("SELECT id, name, isinactive FROM subsidiary")
                .await?,
        ),
        departments: named(
            client
                .suiteql("SELECT id, name, isinactive FROM department")
                .await?,
        ),
        classes: named(
            client
                .suiteql("SELECT id, name, isinactive FROM classification")
                .await?,
        ),
        locations: named(
            client
                .suiteql("SELECT id, name, isinactive FROM location")
                .await?,
        ),
        customers: HashMap::new(),
        periods: Vec::new(),
    };
    for chunk in customers.chunks(500) {
        if chunk
            .iter()
            .any(|id| !id.chars().all(|c| c.is_ascii_digit()))
        {
            return Err(NsError::Setup(format!(
                "customer ids must be NetSuite internal ids (digits): {}",
                chunk.join(", ")
            )));
        }
        let rows = client
            .suiteql(&format!(
                "SELECT id, entityid AS name, isinactive FROM customer WHERE id IN ({})",
                chunk.join(", ")
            ))
            .await?;
        // Only the ids asked for count, whatever the server returns.
        catalog
            .customers
            .extend(named(rows).into_iter().filter(|(id, _)| chunk.contains(id)));
    }
    for r in periods {
        let date = |k: &str| NaiveDate::parse_from_str(&text(&r, k), "%Y-%m-%d");
        let (Ok(start), Ok(end)) = (date("startdate"), date("enddate")) else {
            return Err(NsError::Setup(format!(
                "NetSuite period {} has dates settlebridge cannot read",
                text(&r, "id")
            )));
        };
        catalog.periods.push(NsPeriod {
            id: text(&r, "id"),
            name: text(&r, "periodname"),
            start,
            end,
            closed: flag(&r, "closed"),
            all_locked: flag(&r, "alllocked"),
        });
    }
    Ok(catalog)
}

impl NsCatalog {
    pub fn period_of(&self, date: NaiveDate) -> Option<&NsPeriod> {
        self.periods
            .iter()
            .find(|p| p.start <= date && date <= p.end)
    }
}

/// The ids each document needs, or every reason NetSuite would refuse some,
/// each with how many journal entries it stops.
pub fn check_documents(
    docs: &[NsDocument],
    catalog: &NsCatalog,
) -> Result<Vec<BodyIds>, Vec<String>> {
    let mut problems: BTreeMap<String, usize> = BTreeMap::new();
    let mut add = |p: String| *problems.entry(p).or_default() += 1;
    let mut ids = Vec::with_capacity(docs.len());
    for doc in docs {
        let mut doc_problems = Vec::new();
        let currency_id = catalog.currencies.get(doc.currency.code()).cloned();
        if currency_id.is_none() {
            doc_problems.push(format!(
                "currency {} is not set up in NetSuite",
                doc.currency.code()
            ));
        }
        let periods: Vec<&NsPeriod> = catalog
            .periods
            .iter()
            .filter(|p| p.start <= doc.tran_date && doc.tran_date <= p.end)
            .collect();
        let period = (periods.len() == 1).then(|| periods[0]);
        if periods.len() > 1 {
            doc_problems.push(format!(
                "{} NetSuite posting periods contain {} ({}); settlebridge will not choose",
                periods.len(),
                doc.tran_date,
                periods
                    .iter()
                    .map(|p| p.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        match period {
            None if periods.len() > 1 => {}
            None => doc_problems.push(format!(
                "no NetSuite accounting period contains {} (add the period in NetSuite)",
                doc.tran_date.format("%Y-%m")
            )),
            Some(p) if p.closed => doc_problems.push(format!(
                "NetSuite period {} (id {}) is closed",
                p.name, p.id
            )),
            Some(p) if p.all_locked => doc_problems.push(format!(
                "NetSuite period {} (id {}) is locked",
                p.name, p.id
            )),
            _ => {}
        }
        match catalog.subsidiaries.get(&doc.subsidiary) {
            None => doc_problems.push(format!(
                "subsidiary {} does not exist in NetSuite",
                doc.subsidiary
            )),
            Some(true) => doc_problems.push(format!(
                "subsidiary {} is inactive in NetSuite",
                doc.subsidiary
            )),
            _ => {}
        }
        for line in &doc.lines {
            match catalog.accounts.get(&line.account_id) {
                None => doc_problems.push(format!(
                    "account {} (netsuite_id {}) does not exist in NetSuite",
                    line.account, line.account_id
                )),
                Some((_, true)) => doc_problems.push(format!(
                    "account {} (netsuite_id {}) is inactive in NetSuite",
                    line.account, line.account_id
                )),
                _ => {}
            }
            for (what, id, known) in [
                ("customer", &line.entity, &catalog.customers),
                ("department", &line.department, &catalog.departments),
                ("class", &line.class, &catalog.classes),
                ("location", &line.location, &catalog.locations),
            ] {
                if let Some(id) = id {
                    match known.get(id) {
                        None => doc_problems.push(format!(
                            "{what} {id} does not exist in NetSuite (map shop segments to NetSuite ids in netsuite.toml [segments.{what}])"
                        )),
                        Some(true) => doc_problems.push(format!("{what} {id} is inactive in NetSuite")),
                        _ => {}
                    }
                }
            }
        }
        doc_problems.sort();
        doc_problems.dedup();
        if doc_problems.is_empty() {
            ids.push(BodyIds {
                currency_id: currency_id.unwrap_or_default(),
                posting_period_id: period.map(|p| p.id.clone()).unwrap_or_default(),
            });
        }
        for p in doc_problems {
            add(p);
        }
    }
    if problems.is_empty() {
        Ok(ids)
    } else {
        Err(problems
            .into_iter()
            .map(|(p, n)| {
                format!(
                    "{p} — stops {n} journal {}",
                    if n == 1 { "entry" } else { "entries" }
                )
            })
            .collect())
    }
}
