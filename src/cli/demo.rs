//! `settlebridge demo`: a fresh database with the demo ledger, closed January,
//! and its trial balance — the quickest way to see settlebridge work.

use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;

use super::ledger_cmd;
use super::{Cli, OutputFormat};
use crate::demo::{demo_entries, MISPOSTED_KEY};
use crate::domain::Period;
use crate::gl_mappings;
use crate::store;

pub async fn run(cli: &Cli, file: &Path) -> anyhow::Result<ExitCode> {
    for suffix in ["", "-wal", "-shm"] {
        let mut p = file.as_os_str().to_owned();
        p.push(suffix);
        match std::fs::remove_file(&p) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e).with_context(|| format!("cannot replace {}", file.display())),
        }
    }
    let url = format!("sqlite://{}", file.display());
    let store = store::connect(&url).await?;
    let store = store.as_ref();
    let (chart, _) = gl_mappings::load_chart(&cli.mappings)?;
    store.sync_chart(&chart).await?;
    let actor = "demo";
    store.post_batch(&demo_entries(&chart)?, actor).await?;
    let misposted = store
        .entry_by_key(MISPOSTED_KEY)
        .await?
        .context("the demo's misposted entry is missing")?;
    store
        .reverse(
            misposted.seq,
            None,
            "booked to other fees; ads go to 6150",
            actor,
        )
        .await?;
    store
        .close_period("2024-01".parse::<Period>()?, actor)
        .await?;

    let booked = import_channel_files(store, &chart).await?;
    let posted = post_to_fake_netsuite(store, &chart).await?;

    println!("demo ledger written to {}", file.display());
    println!("(January 2024 is closed; February is open)");
    println!("imported and booked: an Amazon settlement (February 2026), a TikTok Shop order");
    println!("export and statement (March 2026)\n");
    print!("{}", super::reconcile_cmd::render(&booked));
    println!();
    ledger_cmd::trial_balance(store, None, None, OutputFormat::Table).await?;
    println!();
    ledger_cmd::verify(store, false).await?;
    println!(
        "\nposted to a fake NetSuite (in this process, TBA-signed, the fake checking signatures,\n\
         balance, accounts and periods): {} journal entries ({} lines); each entry's NetSuite\n\
         record shows in `trail order` and `trail payout`",
        posted.posted, posted.lines_posted
    );
    store.close().await;
    println!("\nTry:");
    println!("  settlebridge --db {url} report close --period 2026-02");
    println!("  settlebridge --db {url} report close --period 2026-03 --shop tiktok-main");
    println!("  settlebridge --db {url} trail order 112-1000001-2000001");
    println!("  settlebridge --db {url} trail payout 22233344455");
    println!("  settlebridge --db {url} trial-balance --period 2024-02");
    println!("  settlebridge --db {url} entry show 1");
    println!("  settlebridge --db {url} export journal --format ledger");
    Ok(ExitCode::SUCCESS)
}

/// Posts every entry to a fake NetSuite started here, whose accounts are the
/// chart's (NetSuite id = account code) and whose periods are all open.
async fn post_to_fake_netsuite(
    store: &dyn crate::store::LedgerStore,
    chart: &crate::domain::ChartOfAccounts,
) -> anyhow::Result<crate::netsuite::poster::RunSummary> {
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
    let mut currencies = std::collections::BTreeSet::new();
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
    let config = crate::netsuite::NetSuiteConfig::from_parts(
        &format!(
            "account_id = \"1234567_SB1\"\nbase_url = \"{}\"\nauth = \"tba\"\ndefault_subsidiary = \"1\"\nrounding_account = \"6900\"\n[tba]\nconsumer_key = \"{ck}\"\ntoken_id = \"{tk}\"\n",
            fake.base_url()
        ),
        "demo netsuite.toml",
        &env,
        Path::new("."),
    )?;
    let client = crate::netsuite::client::NetSuiteClient::new(config)?;
    let summary = crate::netsuite::poster::run(
        store,
        &client,
        &ns_chart,
        &crate::netsuite::poster::PostOptions {
            period: None,
            dry_run: false,
            concurrency: 5,
            retry_failed: false,
        },
    )
    .await?;
    fake.shutdown();
    if !summary.is_complete() {
        anyhow::bail!("the demo's fake NetSuite did not take every entry: {summary:?}");
    }
    Ok(summary)
}

/// The demo's shops for the imported files (not the shops its hand-made 2024
/// entries name, so their close reports are the files' alone): UTC and the
/// shipped chart's clearing accounts, the
/// same a shop has without a shops.toml, so the reports the demo suggests
/// read the books as they were booked wherever they are run.
const DEMO_SHOPS: &str = r#"
[[shop]]
name = "amazon-us"
channel = "amazon"
currency = "USD"
time_zone = "UTC"
clearing_account = "1212"

[[shop]]
name = "tiktok-main"
channel = "tiktok"
currency = "USD"
time_zone = "UTC"
clearing_account = "1210"
"#;

/// Project fixtures, built into the binary so the demo runs anywhere.
const DEMO_FILES: [(&str, &str, &[u8]); 3] = [
    (
        "settlement-v2-us.txt",
        "amazon-us",
        include_bytes!("../../fixtures/amazon/settlement-v2-us.txt"),
    ),
    (
        "orders-export-us.csv",
        "tiktok-main",
        include_bytes!("../../fixtures/tiktok/orders-export-us.csv"),
    ),
    (
        "api-statement-transactions-202309.json",
        "tiktok-main",
        include_bytes!("../../fixtures/tiktok/api-statement-transactions-202309.json"),
    ),
];

async fn import_channel_files(
    store: &dyn crate::store::LedgerStore,
    chart: &crate::domain::ChartOfAccounts,
) -> anyhow::Result<crate::reconcile::ReconcileReport> {
    let shops = crate::domain::shop::Shops::from_toml(DEMO_SHOPS)?;
    for (name, shop, bytes) in DEMO_FILES {
        let request = crate::importer::ImportRequest {
            file_name: name,
            shop: Some(shop),
            shops: &shops,
            source: None,
            accept_unclassified: false,
            actor: "demo",
        };
        crate::importer::import_file(store, bytes, request)
            .await
            .with_context(|| format!("demo file {name}"))?;
    }
    let mappings = gl_mappings::builtin_mappings(chart)?;
    let scope = crate::reconcile::Scope::default();
    Ok(crate::reconcile::reconcile(store, chart, &mappings, &shops, scope, "demo").await?)
}
