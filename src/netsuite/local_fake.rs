//! A fake NetSuite on this machine whose accounts are the chart's (NetSuite
//! id = account code, written to the stored chart) and whose periods are all
//! open: what the demo posts to, and the web app's browser tests.

use crate::domain::ChartOfAccounts;
use crate::store::LedgerStore;

use super::NetSuiteConfig;

/// Starts the fake and returns it, a configuration that posts to it (TBA,
/// fresh random credentials) and the chart with NetSuite ids.
pub async fn start_local_fake(
    store: &dyn LedgerStore,
    chart: &ChartOfAccounts,
) -> anyhow::Result<(fake_netsuite::FakeNetSuite, NetSuiteConfig, ChartOfAccounts)> {
    use fake_netsuite::{
        Catalog, CatalogAccount, CatalogCurrency, CatalogRecord, CatalogSubsidiary,
    };
    let mut accounts = Vec::new();
    for a in chart.iter() {
        let mut a = a.clone();
        a.netsuite_id.get_or_insert_with(|| a.code.to_string());
        accounts.push(a);
    }
    let ns_chart = crate::domain::ChartOfAccounts::new(accounts)?;
    // Whatever segment values the entries carry exist in the fake.
    let mut classes = std::collections::BTreeSet::new();
    // The currencies channels pay in are set up, so entries booked after
    // the fake started post too.
    let mut currencies: std::collections::BTreeSet<String> = [
        "USD", "EUR", "GBP", "CAD", "AUD", "MXN", "JPY", "THB", "SGD", "MYR", "IDR", "VND", "PHP",
    ]
    .iter()
    .map(|c| c.to_string())
    .collect();
    store
        .for_each_entry(Default::default(), &mut |e| {
            for p in e.entry.postings() {
                classes.extend(p.segments.class.clone());
                currencies.insert(p.amount.currency.code().to_string());
            }
            Ok(())
        })
        .await?;
    let secret = |n: usize| {
        use rand::distributions::Alphanumeric;
        use rand::Rng;
        rand::thread_rng()
            .sample_iter(&Alphanumeric)
            .take(n)
            .map(char::from)
            .collect::<String>()
    };
    let (ck, cs, tk, ts) = (secret(32), secret(32), secret(32), secret(32));
    let day = |y, m, d| chrono::NaiveDate::from_ymd_opt(y, m, d).expect("a date");
    let fake = fake_netsuite::FakeNetSuite::start(
        fake_netsuite::FakeConfig {
            account_id: "1234567_SB1".into(),
            tba: vec![fake_netsuite::TbaCredentials {
                consumer_key: ck.clone(),
                consumer_secret: cs.clone(),
                token_id: tk.clone(),
                token_secret: ts.clone(),
            }],
            catalog: Catalog {
                accounts: ns_chart
                    .iter()
                    .map(|a| CatalogAccount {
                        id: a.netsuite_id.clone().unwrap_or_default(),
                        acctnumber: a.code.to_string(),
                        fullname: a.name.clone(),
                        accttype: a.account_type.to_string(),
                        isinactive: !a.active,
                    })
                    .collect(),
                periods: Catalog::monthly_periods(day(2020, 1, 1), day(2030, 12, 31)),
                currencies: currencies
                    .iter()
                    .enumerate()
                    .map(|(i, c)| CatalogCurrency {
                        id: (i + 1).to_string(),
                        symbol: c.clone(),
                        name: c.clone(),
                    })
                    .collect(),
                subsidiaries: vec![CatalogSubsidiary {
                    id: "1".into(),
                    name: "Demo Brand Inc.".into(),
                    currency: "1".into(),
                }],
                classes: classes
                    .iter()
                    .map(|c| CatalogRecord {
                        id: c.clone(),
                        name: c.clone(),
                        isinactive: false,
                    })
                    .collect(),
                ..Catalog::default()
            },
            ..fake_netsuite::FakeConfig::default()
        },
        "127.0.0.1:0",
    )
    .await?;
    let env: std::collections::HashMap<String, String> = [
        ("NETSUITE_CONSUMER_SECRET".to_string(), cs),
        ("NETSUITE_TOKEN_SECRET".to_string(), ts),
    ]
    .into_iter()
    .collect();
    let config = NetSuiteConfig::from_parts(
        &format!(
            "account_id = \"1234567_SB1\"\nbase_url = \"{}\"\nauth = \"tba\"\ndefault_subsidiary = \"1\"\nrounding_account = \"6900\"\n[tba]\nconsumer_key = \"{ck}\"\ntoken_id = \"{tk}\"\n",
            fake.base_url()
        ),
        "demo netsuite.toml",
        &env,
        std::path::Path::new("."),
    )?;
    store.sync_chart(&ns_chart).await?;
    Ok((fake, config, ns_chart))
}
