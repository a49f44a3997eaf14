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

    println!("demo ledger written to {}", file.display());
    println!("(January 2024 is closed; February is open)\n");
    ledger_cmd::trial_balance(store, None, None, OutputFormat::Table).await?;
    println!();
    ledger_cmd::verify(store, false).await?;
    store.close().await;
    println!("\nTry:");
    println!("  settlebridge --db {url} trial-balance --period 2024-02");
    println!("  settlebridge --db {url} entry show 1");
    println!("  settlebridge --db {url} export journal --format ledger");
    Ok(ExitCode::SUCCESS)
}
