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

/// The demo's logins: one per role (the demo serves on this machine only).
pub const DEMO_USERS: [(&str, &str, crate::domain::access::Role); 3] = [
    (
        "admin",
        "demo-admin-pass",
        crate::domain::access::Role::Admin,
    ),
    (
        "accountant",
        "demo-accountant-pass",
        crate::domain::access::Role::Accountant,
    ),
    (
        "auditor",
        "demo-auditor-pass",
        crate::domain::access::Role::Auditor,
    ),
];

pub async fn run(
    cli: &Cli,
    file: &Path,
    serve_on: Option<std::net::SocketAddr>,
) -> anyhow::Result<ExitCode> {
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
    let owned = store::connect(&url).await?;
    let store = owned.as_ref();
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
    let (posted, fake, netsuite) = post_to_fake_netsuite(store, &chart).await?;
    for (name, password, role) in DEMO_USERS {
        let hash = crate::web::hash_password(password).map_err(|e| anyhow::anyhow!("{e}"))?;
        store.create_user(name, role, &hash).await?;
    }

    println!("demo ledger written to {}", file.display());
    println!("(January 2024 is closed; February is open)");
    println!("imported and booked: an Amazon settlement (February 2026), a TikTok Shop order");
    println!("export and statement (March 2026), and a generated quarter (April to June 2026)");
    println!("of a brand's TikTok Shop, Shopify store and Amazon account, with one payout that");
    println!(
        "does not tie ({}) and one fee no mapping names",
        crate::demo_quarter::UNTIED_PAYOUT
    );
    println!(
        "({}, parked in Suspense by a wildcard)\n",
        crate::demo_quarter::UNMAPPED_FEE_CODE
    );
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
    println!("\nTry:");
    println!("  settlebridge --db {url} report close --period 2026-02");
    println!("  settlebridge --db {url} report close --period 2026-03 --shop tiktok-main");
    println!("  settlebridge --db {url} trail order 112-1000001-2000001");
    println!("  settlebridge --db {url} trail payout 22233344455");
    println!(
        "  settlebridge --db {url} trail order {}",
        crate::demo_quarter::EXAMPLE_ORDER
    );
    println!(
        "  settlebridge --db {url} trail payout {}",
        crate::demo_quarter::UNTIED_PAYOUT
    );
    println!("  settlebridge --db {url} trial-balance --period 2024-02");
    println!("  settlebridge --db {url} entry show 1");
    println!("  settlebridge --db {url} export journal --format ledger");
    let Some(listen) = serve_on else {
        fake.shutdown();
        store.close().await;
        return Ok(ExitCode::SUCCESS);
    };
    println!(
        "\nThe web app (Ctrl-C stops it), with the fake NetSuite beside it at {}:",
        fake.base_url()
    );
    println!("  open http://localhost:{}/ and log in as", listen.port());
    for (name, password, role) in DEMO_USERS {
        println!("    {name:<11} password {password:<21} ({role})");
    }
    let mut config = crate::web::WebConfig::new(cli.mappings.clone());
    // Plain HTTP on this machine: browsers drop Secure cookies on http://127.0.0.1.
    config.secure_cookies = false;
    config.netsuite = Some(netsuite);
    let store: std::sync::Arc<dyn store::LedgerStore> = std::sync::Arc::from(owned);
    let result = super::web_cmd::serve(store.clone(), config, listen).await;
    fake.shutdown();
    store.close().await;
    result
}

/// Posts every entry to a fake NetSuite started here, whose accounts are the
/// chart's (NetSuite id = account code) and whose periods are all open.
async fn post_to_fake_netsuite(
    store: &dyn crate::store::LedgerStore,
    chart: &crate::domain::ChartOfAccounts,
) -> anyhow::Result<(
    crate::netsuite::poster::RunSummary,
    fake_netsuite::FakeNetSuite,
    crate::netsuite::NetSuiteConfig,
)> {
    let (fake, config, ns_chart) =
        crate::netsuite::local_fake::start_local_fake(store, chart).await?;
    let client = crate::netsuite::client::NetSuiteClient::new(config.clone())?;
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
    if !summary.is_complete() {
        fake.shutdown();
        anyhow::bail!("the demo's fake NetSuite did not take every entry: {summary:?}");
    }
    Ok((summary, fake, config))
}

/// The demo's shops for the project fixtures (not the shops its hand-made 2024
/// entries name, so their close reports are the files' alone; the generated
/// quarter's shops are `demo_quarter::QUARTER_SHOPS`): UTC and the
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

/// Project fixtures, built into the binary so the demo runs anywhere; the
/// generated quarter (`demo_quarter::quarter_files`) is imported after them.
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
    let shops = crate::domain::shop::Shops::from_toml(&format!(
        "{DEMO_SHOPS}{}",
        crate::demo_quarter::QUARTER_SHOPS
    ))?;
    let quarter = crate::demo_quarter::quarter_files();
    let files = DEMO_FILES
        .iter()
        .map(|&(name, shop, bytes)| (name, shop, bytes))
        .chain(
            quarter
                .iter()
                .map(|f| (f.name.as_str(), f.shop, f.bytes.as_slice())),
        );
    for (name, shop, bytes) in files {
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
    Ok(crate::reconcile::reconcile(
        store,
        chart,
        &mappings,
        &shops,
        &Default::default(),
        scope,
        "demo",
    )
    .await?)
}
