//! The NetSuite outbox on both backends, through the library: every entry
//! (a reversal included, as its own journal entry) reaches the fake NetSuite
//! once, two posters running at once still make one record per entry, and
//! the database itself refuses to rewrite what NetSuite already holds.

mod support;

use std::collections::HashMap;
use std::path::Path;

use fake_netsuite::{
    Catalog, CatalogAccount, CatalogCurrency, CatalogSubsidiary, FakeConfig, FakeNetSuite,
    TbaCredentials,
};
use settlebridge::domain::ChartOfAccounts;
use settlebridge::gl_mappings::DEFAULT_ACCOUNTS_TOML;
use settlebridge::netsuite::client::NetSuiteClient;
use settlebridge::netsuite::poster::{self, PostOptions};
use settlebridge::netsuite::NetSuiteConfig;
use settlebridge::store::OutboxStatus;
use support::{all_backends, date, sale};

fn chart_with_ids() -> ChartOfAccounts {
    let mut text = String::new();
    for line in DEFAULT_ACCOUNTS_TOML.lines() {
        text.push_str(line);
        text.push('\n');
        if let Some(code) = line
            .strip_prefix("code = \"")
            .and_then(|l| l.strip_suffix('"'))
        {
            text.push_str(&format!("netsuite_id = \"{code}\"\n"));
        }
    }
    ChartOfAccounts::from_toml(&text).unwrap()
}

async fn fake(chart: &ChartOfAccounts) -> FakeNetSuite {
    let config = FakeConfig {
        account_id: "777".into(),
        tba: vec![TbaCredentials {
            consumer_key: "ck".into(),
            consumer_secret: "cs".into(),
            token_id: "tk".into(),
            token_secret: "ts".into(),
        }],
        catalog: Catalog {
            accounts: chart
                .iter()
                .map(|a| CatalogAccount {
                    id: a.code.to_string(),
                    acctnumber: a.code.to_string(),
                    fullname: a.name.clone(),
                    accttype: "Expense".into(),
                    isinactive: false,
                })
                .collect(),
            periods: Catalog::monthly_periods(date("2026-01-01"), date("2026-12-31")),
            currencies: vec![CatalogCurrency {
                id: "1".into(),
                symbol: "USD".into(),
                name: "US Dollar".into(),
            }],
            subsidiaries: vec![CatalogSubsidiary {
                id: "1".into(),
                name: "Brand".into(),
                currency: "1".into(),
            }],
            ..Catalog::default()
        },
        ..FakeConfig::default()
    };
    FakeNetSuite::start(config, "127.0.0.1:0").await.unwrap()
}

fn client(fake: &FakeNetSuite) -> NetSuiteClient {
    let env: HashMap<String, String> = [
        ("NETSUITE_CONSUMER_SECRET", "cs"),
        ("NETSUITE_TOKEN_SECRET", "ts"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    let config = NetSuiteConfig::from_parts(
        &format!(
            "account_id = \"777\"\nbase_url = \"{}\"\nauth = \"tba\"\ndefault_subsidiary = \"1\"\nretry_base_ms = 5\n[tba]\nconsumer_key = \"ck\"\ntoken_id = \"tk\"\n",
            fake.base_url()
        ),
        "netsuite.toml",
        &env,
        Path::new("."),
    )
    .unwrap();
    NetSuiteClient::new(config).unwrap()
}

fn options() -> PostOptions {
    PostOptions {
        period: None,
        dry_run: false,
        concurrency: 4,
        retry_failed: false,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_entry_once_on_both_backends_even_with_two_posters_at_once() {
    for db in all_backends().await {
        let store = db.store();
        let chart = chart_with_ids();
        store.sync_chart(&chart).await.unwrap();
        for i in 0..30 {
            store
                .post(
                    &sale(&format!("sale-{i}"), "2026-03-05", &format!("{}.25", i + 1)),
                    "test",
                )
                .await
                .unwrap();
        }
        let first = store.entry_by_key("sale-0").await.unwrap().unwrap();
        store
            .reverse(first.seq, Some(date("2026-03-06")), "wrong price", "test")
            .await
            .unwrap();
        let fake = fake(&chart).await;
        let (a, b) = (client(&fake), client(&fake));
        let opts = options();
        let (ra, rb) = tokio::join!(
            poster::run(store, &a, &chart, &opts),
            poster::run(store, &b, &chart, &opts)
        );
        let (ra, rb) = (ra.unwrap(), rb.unwrap());
        // The two runs share the work: each sends what it holds and leaves
        // what the other holds; between them, everything once.
        assert_eq!(ra.posted + rb.posted, 31, "{}: {ra:?} {rb:?}", db.name);
        for r in [&ra, &rb] {
            assert!(
                r.failed.is_empty() && r.stopped.is_none(),
                "{}: {r:?}",
                db.name
            );
            assert!(
                r.still_pending
                    .iter()
                    .all(|p| p.detail.contains("held by another run")),
                "{r:?}"
            );
        }
        let journals = fake.journals();
        assert_eq!(
            journals.len(),
            31,
            "{}: one record per entry, the reversal its own",
            db.name
        );
        assert!(
            journals.iter().all(|j| j.lines.len() == 2),
            "{}: no appended lines",
            db.name
        );
        assert_eq!(fake.stats().updates, 0, "{}: no record sent twice", db.name);
        let reversal = journals
            .iter()
            .find(|j| j.memo.as_deref().unwrap_or("").starts_with("Reversal of"))
            .expect("the reversal is posted");
        assert_eq!(
            reversal.lines[0].credit,
            Some(support::d("1.25")),
            "{}",
            db.name
        );
        let counts = store
            .outbox_counts(date("2026-01-01"), date("2026-12-31"))
            .await
            .unwrap();
        assert_eq!(
            (
                counts.posted_documents,
                counts.entries_posted,
                counts.pending_documents
            ),
            (31, 31, 0),
            "{}",
            db.name
        );
        // What NetSuite holds is fixed: the database refuses to unpost it,
        // to move an entry to another document, or to forget an attempt.
        assert!(
            db.raw_execute("UPDATE netsuite_documents SET status = 'pending'")
                .await
                .is_err(),
            "{}",
            db.name
        );
        assert!(
            db.raw_execute("DELETE FROM netsuite_document_entries")
                .await
                .is_err(),
            "{}",
            db.name
        );
        assert!(
            db.raw_execute("DELETE FROM netsuite_attempts")
                .await
                .is_err(),
            "{}",
            db.name
        );
        let posted = store
            .outbox_documents(
                &[OutboxStatus::Posted],
                date("2026-01-01"),
                date("2026-12-31"),
            )
            .await
            .unwrap();
        assert!(posted.iter().all(|d| d.internal_id.is_some()
            && d.last_body
                .as_deref()
                .unwrap_or("")
                .contains("\"externalId\"")));
        // A third run has nothing to do.
        let again = poster::run(store, &a, &chart, &opts).await.unwrap();
        assert_eq!(
            (again.newly_queued, again.considered),
            (0, 0),
            "{}",
            db.name
        );
    }
}
