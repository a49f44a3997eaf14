//! SuiteQL: Prefer: transient, paging rules, row shapes.

mod common;

use common::*;
use fake_netsuite::{Catalog, CatalogAccount, FakeConfig};
use serde_json::json;

fn five_accounts() -> FakeConfig {
    let mut catalog = Catalog::sample();
    catalog.accounts = (1..=5)
        .map(|i| CatalogAccount {
            id: i.to_string(),
            acctnumber: format!("{}000", i),
            fullname: format!("Account {i}"),
            accttype: "Expense".into(),
            isinactive: i == 5,
        })
        .collect();
    FakeConfig {
        catalog,
        ..config()
    }
}

#[tokio::test]
async fn paging_over_five_accounts() {
    let fake = start(five_accounts()).await;
    let c = Client::new(&fake);
    let q = "SELECT id, acctnumber, fullname, accttype, isinactive FROM account ORDER BY id";
    let mut ids = Vec::new();
    let mut offset = 0;
    loop {
        let (s, v) = c
            .suiteql(&format!("?limit=2&offset={offset}"), q, true)
            .await;
        assert_eq!(s, 200, "{v}");
        assert_eq!(v["offset"], offset);
        assert_eq!(v["totalResults"], 5);
        let items = v["items"].as_array().unwrap();
        assert_eq!(v["count"], items.len());
        for it in items {
            assert_eq!(it["links"], json!([]));
            ids.push(it["id"].as_str().unwrap().to_string());
        }
        if !v["hasMore"].as_bool().unwrap() {
            break;
        }
        offset += 2;
    }
    assert_eq!(ids, ["1", "2", "3", "4", "5"]);
    let (_, v) = c.suiteql("?limit=2&offset=4", q, true).await;
    assert_eq!(v["items"][0]["isinactive"], "T");
    assert_eq!(v["items"][0]["acctnumber"], "5000");
    assert_eq!(v["hasMore"], false);

    // Offset must be divisible by limit; limit ≤ 1000.
    let (s, v) = c.suiteql("?limit=2&offset=3", q, true).await;
    assert_eq!(s, 400);
    assert_eq!(v["o:errorDetails"][0]["o:errorQueryParam"], "offset");
    let (s, _) = c.suiteql("?limit=1001", q, true).await;
    assert_eq!(s, 400);
    // Defaults: limit 1000, offset 0.
    let (s, v) = c.suiteql("", q, true).await;
    assert_eq!((s, v["count"].as_u64()), (200, Some(5)));
}

#[tokio::test]
async fn prefer_transient_is_required_and_tables() {
    let fake = start(config()).await;
    let c = Client::new(&fake);
    let (s, v) = c.suiteql("", "SELECT id FROM currency", false).await;
    assert_eq!(s, 400);
    assert!(v["o:errorDetails"][0]["detail"]
        .as_str()
        .unwrap()
        .contains("Prefer: transient"));

    let (s, v) = c
        .suiteql(
            "",
            "SELECT id, periodname, TO_CHAR(startdate,'YYYY-MM-DD') AS startdate FROM AccountingPeriod WHERE isyear = 'F'",
            true,
        )
        .await;
    assert_eq!(s, 200);
    let first = &v["items"][0];
    assert_eq!(first["periodname"], "Jan 2024");
    assert_eq!(first["startdate"], "2024-01-01");
    assert_eq!(first["enddate"], "2024-01-31");
    assert_eq!(
        (first["closed"].as_str(), first["isposting"].as_str()),
        (Some("F"), Some("T"))
    );

    fake.close_period("1");
    let (_, v) = c.suiteql("", "select * from accountingperiod", true).await;
    assert_eq!(v["items"][0]["closed"], "T");

    let (_, v) = c
        .suiteql("", "SELECT id, symbol, name FROM currency", true)
        .await;
    assert_eq!(v["items"][0]["symbol"], "USD");
    let (_, v) = c
        .suiteql("", "SELECT id, name, currency FROM subsidiary", true)
        .await;
    assert_eq!(v["items"][0]["currency"], "1");
    for table in ["department", "classification", "location", "customer"] {
        let (s, v) = c
            .suiteql(
                "",
                &format!("SELECT id, name, isinactive FROM {table}"),
                true,
            )
            .await;
        assert_eq!(s, 200, "{table}");
        assert_eq!(v["items"][0]["isinactive"], "F");
    }
    let (s, _) = c.suiteql("", "SELECT id FROM transaction", true).await;
    assert_eq!(s, 400);
    assert_eq!(fake.stats().validation_errors, 2);
}
