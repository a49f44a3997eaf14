//! `settlebridge reconcile [--shop] [--period]`: match and book. `import`
//! runs the same after its files unless told not to.

use std::process::ExitCode;

use super::Cli;
use crate::domain::Period;
use crate::reconcile::{ReconcileReport, Scope};
use crate::store::LedgerStore;
use crate::workflow;

pub async fn run(
    cli: &Cli,
    store: &dyn LedgerStore,
    shop: Option<&str>,
    period: Option<&str>,
    json: bool,
) -> anyhow::Result<ExitCode> {
    let period: Option<Period> = period
        .map(|p| p.parse().map_err(|e| anyhow::anyhow!("--period: {e}")))
        .transpose()?;
    let report = reconcile_all(cli, store, Scope { shop, period }).await?;
    let subject = [shop.map(str::to_string), period.map(|p| p.to_string())]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
    super::audit(
        store,
        &cli.actor(),
        "reconcile",
        (!subject.is_empty()).then_some(subject.as_str()),
        Some("done"),
    )
    .await;
    if json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print!("{}", render(&report));
    }
    Ok(ExitCode::SUCCESS)
}

/// Loads the chart, shops and mappings and reconciles.
pub async fn reconcile_all(
    cli: &Cli,
    store: &dyn LedgerStore,
    scope: Scope<'_>,
) -> anyhow::Result<ReconcileReport> {
    workflow::reconcile_all(&cli.mappings, store, scope, &cli.actor()).await
}

pub fn render(report: &ReconcileReport) -> String {
    workflow::text::render_reconcile(report)
}
