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
    let mut report = reconcile::reconcile(store, &chart, &mappings, &shops, scope, &actor).await?;
    // Deposits are matched against every shop's payouts, so only a whole
    // reconcile (not one shop's, not one month's) moves them.
    if scope.shop.is_none() && scope.period.is_none() {
        let banks = gl_mappings::load_banks(&cli.mappings, &chart)?;
        report.banks = crate::bank_reconcile::reconcile_banks(
            store, &chart, &mappings, &shops, &banks, &actor,
        )
        .await?;
    }
    Ok(report)
}

/// Matches payouts to bank deposits and books the deposits.
pub async fn reconcile_banks(
    cli: &Cli,
    store: &dyn LedgerStore,
) -> anyhow::Result<Vec<crate::bank_reconcile::BankReport>> {
    let chart = super::ledger_cmd::stored_chart(store).await?;
    let banks = gl_mappings::load_banks(&cli.mappings, &chart)?;
    if banks.is_empty() {
        return Ok(Vec::new());
    }
    let shops = gl_mappings::load_shops(&cli.mappings, &chart)?;
    let mappings = gl_mappings::load_mappings(&cli.mappings, &chart)?;
    Ok(crate::bank_reconcile::reconcile_banks(
        store,
        &chart,
        &mappings,
        &shops,
        &banks,
        &cli.actor(),
    )
    .await?)
}

pub fn render_banks(banks: &[crate::bank_reconcile::BankReport]) -> String {
    let mut out = String::new();
    for b in banks {
        out.push_str(&format!(
            "bank {} ({}): {} lines through {}; {} deposit match(es), {} entries booked new, {} replaced, {} unchanged\n",
            b.bank,
            b.currency,
            b.lines,
            b.through.map(|d| d.to_string()).unwrap_or_else(|| "-".into()),
            b.matches.len(),
            b.new,
            b.replaced,
            b.unchanged
        ));
        for a in &b.ambiguous {
            out.push_str(&format!(
                "  ambiguous, not matched: payouts {} / deposits {} — {}\n",
                a.payouts.join(", "),
                a.deposits.len(),
                a.reason
            ));
        }
        let overdue: Vec<_> = b.unmatched_payouts.iter().filter(|p| p.overdue).collect();
        if !overdue.is_empty() {
            out.push_str(&format!(
                "  payouts with no deposit after the window: {}\n",
                overdue.len()
            ));
            for p in overdue.iter().take(20) {
                out.push_str(&format!(
                    "    {} {} {} paid {}\n",
                    p.payout, p.amount, p.currency, p.date
                ));
            }
        }
        if !b.unmatched_deposits.is_empty() {
            out.push_str(&format!(
                "  deposits no payout explains: {}\n",
                b.unmatched_deposits.len()
            ));
            for d in b.unmatched_deposits.iter().take(20) {
                out.push_str(&format!(
                    "    {} {} `{}` [batch {}, row {}]\n",
                    d.booked, d.amount, d.description, d.batch_id, d.row
                ));
            }
        }
    }
    out
}

pub fn render(report: &ReconcileReport) -> String {
    let mut out = String::new();
    if report.shops.is_empty() && report.banks.is_empty() {
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
    out.push_str(&render_banks(&report.banks));
    out
}
