//! `settlebridge reconcile [--shop] [--period]`: match and book. `import`
//! runs the same after its files unless told not to.

use std::process::ExitCode;

use super::Cli;
use crate::domain::Period;
use crate::gl_mappings;
use crate::reconcile::{self, ReconcileReport, Scope};
use crate::store::LedgerStore;

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
    let chart = super::ledger_cmd::stored_chart(store).await?;
    let shops = gl_mappings::load_shops(&cli.mappings, &chart)?;
    let mappings = gl_mappings::load_mappings(&cli.mappings, &chart)?;
    let actor = cli.actor();
    Ok(reconcile::reconcile(store, &chart, &mappings, &shops, scope, &actor).await?)
}

pub fn render(report: &ReconcileReport) -> String {
    let mut out = String::new();
    if report.shops.is_empty() {
        out.push_str("reconcile: no imported records to book\n");
    }
    for s in &report.shops {
        let m = &s.matching;
        out.push_str(&format!(
            "{} ({}, {}): {} entries booked new, {} replaced, {} withdrawn, {} unchanged\n",
            s.shop, s.channel, s.currency, s.new, s.replaced, s.withdrawn, s.unchanged
        ));
        if s.redated > 0 {
            out.push_str(&format!(
                "  {} correction(s) dated in the first open period (their own is closed)\n",
                s.redated
            ));
        }
        out.push_str(&format!(
            "  orders: {} unsettled, {} settled, {} partially refunded, {} refunded\n",
            m.orders_unsettled, m.orders_settled, m.orders_partially_refunded, m.orders_refunded
        ));
        out.push_str(&format!(
            "  settlement lines: {} matched, {} with a variance, {} orphan (order not imported), {} without an order\n",
            m.lines_matched, m.lines_variance, m.lines_orphan, m.lines_no_order
        ));
        out.push_str(&format!(
            "  payouts: {} of {} tie to their lines",
            m.payouts_tied,
            m.payouts - m.payouts_unlinked
        ));
        if m.payouts_unlinked > 0 {
            out.push_str(&format!(
                "; {} not linked to statements",
                m.payouts_unlinked
            ));
        }
        out.push('\n');
        for p in &m.payouts_not_tied {
            out.push_str(&format!("  payout does not tie: {p}\n"));
        }
        for st in &m.statements_not_tied {
            out.push_str(&format!("  statement does not tie: {st}\n"));
        }
        if m.variances > 0 {
            out.push_str(&format!(
                "  {} sale figure(s) differ between order export and settlement: booked as variances\n",
                m.variances
            ));
        }
        for u in &s.unbooked {
            out.push_str(&format!("  not booked: {}: {}\n", u.subject, u.reason));
        }
    }
    out
}
