//! Posting throughput against the fake NetSuite with real latency and a
//! concurrency limit: journal entries per second, duplicates, and requests
//! refused for concurrency (429) — at the limit, and above it, where the
//! poster's gate must settle below the limit.
//!
//! cargo bench --bench netsuite
//! BENCH_NS_ENTRIES=600 BENCH_NS_LATENCY_MS=300 BENCH_NS_LIMIT=5 cargo bench --bench netsuite

use std::collections::HashMap;
use std::path::Path;
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use fake_netsuite::{
    Catalog, CatalogAccount, CatalogCurrency, CatalogSubsidiary, FakeConfig, FakeNetSuite, Faults,
    TbaCredentials,
};
use rust_decimal::Decimal;
use settlebridge::domain::{
    ChartOfAccounts, EntryDraft, EntryKind, JournalEntry, Money, Posting, Side,
};
use settlebridge::gl_mappings::DEFAULT_ACCOUNTS_TOML;
use settlebridge::netsuite::catalog::read_catalog;
use settlebridge::netsuite::client::NetSuiteClient;
use settlebridge::netsuite::poster::{self, PostOptions};
use settlebridge::netsuite::NetSuiteConfig;
use settlebridge::store;

fn env(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn chart() -> ChartOfAccounts {
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

fn sale(i: u64, chart: &ChartOfAccounts) -> JournalEntry {
    let usd = "USD".parse().unwrap();
    let gross = Decimal::new(1000 + (i % 9000) as i64, 2);
    let fee = Decimal::new(50 + (i % 90) as i64, 2);
    let p = |a: &str, s, amount| {
        let mut p = Posting::new(a.parse().unwrap(), s, Money::new(amount, usd));
        p.source.order_id = Some(format!("5764607523{i:08}"));
        p.segments.subsidiary = Some("1".into());
        p
    };
    JournalEntry::new(
        EntryDraft {
            idempotency_key: format!("bench:ns:{i}"),
            date: NaiveDate::from_ymd_opt(2026, 3, 1).unwrap()
                + chrono::Duration::days((i % 28) as i64),
            kind: EntryKind::Settlement,
            description: format!("Settlement, order {i}"),
            postings: vec![
                p("1210", Side::Debit, gross - fee),
                p("6100", Side::Debit, fee),
                p("4000", Side::Credit, gross),
            ],
        },
        chart,
    )
    .unwrap()
}

async fn scenario(entries: u64, latency_ms: u64, limit: usize, concurrency: usize) {
    let chart = chart();
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("bench.db").display());
    let store = store::connect(&url).await.unwrap();
    store.sync_chart(&chart).await.unwrap();
    let batch: Vec<JournalEntry> = (0..entries).map(|i| sale(i, &chart)).collect();
    store.post_batch(&batch, "bench").await.unwrap();
    let fake = FakeNetSuite::start(
        FakeConfig {
            account_id: "777".into(),
            concurrency_limit: limit,
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
                periods: Catalog::monthly_periods(
                    NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
                    NaiveDate::from_ymd_opt(2026, 12, 31).unwrap(),
                ),
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
            faults: Faults {
                latency: Duration::from_millis(latency_ms),
                ..Faults::default()
            },
            ..FakeConfig::default()
        },
        "127.0.0.1:0",
    )
    .await
    .unwrap();
    let secrets: HashMap<String, String> = [
        ("NETSUITE_CONSUMER_SECRET", "cs"),
        ("NETSUITE_TOKEN_SECRET", "ts"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    let config = NetSuiteConfig::from_parts(
        &format!(
            "account_id = \"777\"\nbase_url = \"{}\"\nauth = \"tba\"\nretry_base_ms = 200\nmax_attempts = 30\n[tba]\nconsumer_key = \"ck\"\ntoken_id = \"tk\"\n",
            fake.base_url()
        ),
        "netsuite.toml",
        &secrets,
        Path::new("."),
    )
    .unwrap();
    let client = NetSuiteClient::new(config).unwrap();
    let t = Instant::now();
    read_catalog(&client, &[]).await.unwrap();
    let catalog_secs = t.elapsed().as_secs_f64();
    let before = fake.stats();
    let t = Instant::now();
    let summary = poster::run(
        store.as_ref(),
        &client,
        &chart,
        &PostOptions {
            period: None,
            dry_run: false,
            concurrency,
            retry_failed: false,
        },
    )
    .await
    .unwrap();
    let total = t.elapsed().as_secs_f64();
    let stats = fake.stats();
    let journals = fake.journals();
    let lines: usize = journals.iter().map(|j| j.lines.len()).sum();
    let sending = (total - catalog_secs).max(0.001);
    println!(
        "netsuite: {entries} entries, latency {latency_ms} ms, limit {limit}, --concurrency {concurrency}: \
         {:.1}s total ({:.1}s catalog read), {:.1} journal entries/s while sending; \
         records {} (duplicates {}), lines {} of {}, 429s {}, max in flight {}, settled at {}",
        total,
        catalog_secs,
        summary.posted as f64 / sending,
        journals.len(),
        journals.len() as i64 - entries as i64,
        lines,
        entries * 3,
        stats.rejected_concurrency - before.rejected_concurrency,
        stats.max_in_flight,
        summary.final_concurrency
    );
    assert!(summary.is_complete(), "{summary:?}");
    assert_eq!(
        journals.len() as u64,
        entries,
        "no duplicates, none missing"
    );
    store.close().await;
}

fn main() {
    let entries = env("BENCH_NS_ENTRIES", 300);
    let latency = env("BENCH_NS_LATENCY_MS", 300);
    let limit = env("BENCH_NS_LIMIT", 5) as usize;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        scenario(entries, latency, limit, limit).await;
        // Asked for more than the account allows: the gate must settle.
        scenario(entries, latency, limit, limit + 3).await;
    });
}
