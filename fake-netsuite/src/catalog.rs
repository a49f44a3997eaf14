//! The reference data of the fake account (what SuiteQL returns and what journal lines may use).

use chrono::{Datelike, Months, NaiveDate};
use serde::{Deserialize, Deserializer, Serialize};

#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
pub struct CatalogAccount {
    pub id: String,
    #[serde(default)]
    pub acctnumber: String,
    #[serde(default)]
    pub fullname: String,
    /// `Bank`, `AcctRec`, `AcctPay`, `Income`, `COGS`, `Expense`, `OthCurrAsset`, ...
    #[serde(default)]
    pub accttype: String,
    #[serde(default)]
    pub isinactive: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Deserialize, Serialize)]
pub struct CatalogPeriod {
    pub id: String,
    pub periodname: String,
    #[serde(deserialize_with = "de_date")]
    pub startdate: NaiveDate,
    #[serde(deserialize_with = "de_date")]
    pub enddate: NaiveDate,
    #[serde(default)]
    pub closed: bool,
    #[serde(default)]
    pub alllocked: bool,
}

impl CatalogPeriod {
    pub fn contains(&self, date: NaiveDate) -> bool {
        self.startdate <= date && date <= self.enddate
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
pub struct CatalogCurrency {
    pub id: String,
    /// ISO code, e.g. `USD`.
    pub symbol: String,
    #[serde(default)]
    pub name: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
pub struct CatalogSubsidiary {
    pub id: String,
    #[serde(default)]
    pub name: String,
    /// Currency id (base currency of the subsidiary).
    #[serde(default)]
    pub currency: String,
}

/// Departments, classes, locations, customers.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
pub struct CatalogRecord {
    pub id: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub isinactive: bool,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct Catalog {
    pub accounts: Vec<CatalogAccount>,
    pub periods: Vec<CatalogPeriod>,
    pub currencies: Vec<CatalogCurrency>,
    pub subsidiaries: Vec<CatalogSubsidiary>,
    pub departments: Vec<CatalogRecord>,
    /// SuiteQL table `classification`.
    pub classes: Vec<CatalogRecord>,
    pub locations: Vec<CatalogRecord>,
    /// SuiteQL table `customer`; `entity` refs on journal lines must be one of these.
    pub customers: Vec<CatalogRecord>,
}

/// TOML dates may be written either quoted (`"2026-01-01"`) or as native TOML dates.
fn de_date<'de, D: Deserializer<'de>>(d: D) -> Result<NaiveDate, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Raw {
        Text(String),
        Toml(toml::value::Datetime),
    }
    let text = match Raw::deserialize(d)? {
        Raw::Text(s) => s,
        Raw::Toml(dt) => dt.to_string(),
    };
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").map_err(serde::de::Error::custom)
}

fn month_name(month: u32) -> &'static str {
    const NAMES: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    NAMES[(month as usize + 11) % 12]
}

impl Catalog {
    /// Monthly periods (ids "1".. in order, names like "Jan 2026") covering the months of
    /// `from` through the month of `to`, all open.
    pub fn monthly_periods(from: NaiveDate, to: NaiveDate) -> Vec<CatalogPeriod> {
        let mut out = Vec::new();
        let Some(mut start) = from.with_day(1) else {
            return out;
        };
        let mut n = 1u32;
        while start <= to {
            let next = start + Months::new(1);
            out.push(CatalogPeriod {
                id: n.to_string(),
                periodname: format!("{} {}", month_name(start.month()), start.year()),
                startdate: start,
                enddate: next.pred_opt().unwrap_or(start),
                closed: false,
                alllocked: false,
            });
            n += 1;
            start = next;
        }
        out
    }

    /// A small ready-made account (used by the binary when no `--catalog` is given):
    /// a USD subsidiary, a handful of accounts (one inactive), monthly periods 2024–2027,
    /// USD/EUR/GBP/CAD/JPY, two departments, classes, locations and customers.
    pub fn sample() -> Catalog {
        let acct = |id: &str, num: &str, name: &str, ty: &str, inactive: bool| CatalogAccount {
            id: id.into(),
            acctnumber: num.into(),
            fullname: name.into(),
            accttype: ty.into(),
            isinactive: inactive,
        };
        let rec = |id: &str, name: &str| CatalogRecord {
            id: id.into(),
            name: name.into(),
            isinactive: false,
        };
        let cur = |id: &str, sym: &str, name: &str| CatalogCurrency {
            id: id.into(),
            symbol: sym.into(),
            name: name.into(),
        };
        let date = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).expect("valid date");
        Catalog {
            accounts: vec![
                acct("1", "1000", "Checking", "Bank", false),
                acct("2", "1100", "Marketplace Clearing", "OthCurrAsset", false),
                acct("3", "1200", "Accounts Receivable", "AcctRec", false),
                acct("4", "2000", "Accounts Payable", "AcctPay", false),
                acct("5", "4000", "Sales", "Income", false),
                acct("6", "4100", "Refunds", "Income", false),
                acct("7", "6100", "Marketplace Fees", "Expense", false),
                acct("8", "6200", "Shipping", "Expense", false),
                acct("9", "9999", "Old Suspense (inactive)", "Expense", true),
            ],
            periods: Catalog::monthly_periods(date(2024, 1, 1), date(2027, 12, 31)),
            currencies: vec![
                cur("1", "USD", "US Dollar"),
                cur("2", "EUR", "Euro"),
                cur("3", "GBP", "British Pound"),
                cur("4", "CAD", "Canadian Dollar"),
                cur("5", "JPY", "Japanese Yen"),
            ],
            subsidiaries: vec![CatalogSubsidiary {
                id: "1".into(),
                name: "Parent Company".into(),
                currency: "1".into(),
            }],
            departments: vec![rec("1", "Sales"), rec("2", "Operations")],
            classes: vec![rec("1", "Marketplace"), rec("2", "Direct")],
            locations: vec![rec("1", "US Warehouse"), rec("2", "EU Warehouse")],
            customers: vec![rec("1", "Amazon"), rec("2", "Shopify")],
        }
    }

    pub(crate) fn period(&self, id: &str) -> Option<&CatalogPeriod> {
        self.periods.iter().find(|p| p.id == id)
    }

    pub(crate) fn account(&self, id: &str) -> Option<&CatalogAccount> {
        self.accounts.iter().find(|a| a.id == id)
    }

    pub(crate) fn currency(&self, id: &str) -> Option<&CatalogCurrency> {
        self.currencies.iter().find(|c| c.id == id)
    }

    pub(crate) fn subsidiary(&self, id: &str) -> Option<&CatalogSubsidiary> {
        self.subsidiaries.iter().find(|s| s.id == id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn monthly_periods_cover_months() {
        let d = |y, m, dd| NaiveDate::from_ymd_opt(y, m, dd).unwrap();
        let p = Catalog::monthly_periods(d(2025, 11, 15), d(2026, 2, 3));
        let names: Vec<_> = p.iter().map(|p| p.periodname.as_str()).collect();
        assert_eq!(names, ["Nov 2025", "Dec 2025", "Jan 2026", "Feb 2026"]);
        assert_eq!(p[0].id, "1");
        assert_eq!(p[0].startdate, d(2025, 11, 1));
        assert_eq!(p[1].enddate, d(2025, 12, 31));
        assert_eq!(p[3].enddate, d(2026, 2, 28));
        assert!(p.iter().all(|p| !p.closed && !p.alllocked));
    }

    #[test]
    fn catalog_from_toml_accepts_both_date_styles() {
        let text = r#"
            [[accounts]]
            id = "1"
            acctnumber = "1000"
            fullname = "Checking"
            accttype = "Bank"

            [[periods]]
            id = "1"
            periodname = "Jan 2026"
            startdate = 2026-01-01
            enddate = "2026-01-31"
            closed = true
        "#;
        let c: Catalog = toml::from_str(text).unwrap();
        assert_eq!(c.accounts.len(), 1);
        assert!(!c.accounts[0].isinactive);
        assert_eq!(
            c.periods[0].startdate,
            NaiveDate::from_ymd_opt(2026, 1, 1).unwrap()
        );
        assert!(c.periods[0].closed);
        assert!(c.currencies.is_empty());
        let example: Catalog = toml::from_str(include_str!("../catalog.example.toml")).unwrap();
        assert_eq!((example.accounts.len(), example.periods.len()), (5, 3));
        assert!(example.periods[0].closed && example.accounts[4].isinactive);
        let back = toml::to_string(&Catalog::sample()).unwrap();
        let again: Catalog = toml::from_str(&back).unwrap();
        assert_eq!(again.periods.len(), 48);
    }
}
