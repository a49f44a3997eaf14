//! `settlebridge import FILE...`: each file imports completely or not at
//! all; the report says what was read, what was new and what was already there.

use std::path::PathBuf;
use std::process::ExitCode;

use super::Cli;
use crate::gl_mappings;
use crate::importer::{self, ImportReport, ImportRequest, SourceKind};
use crate::store::LedgerStore;

pub struct ImportArgs<'a> {
    pub shop: Option<&'a str>,
    pub source: Option<SourceKind>,
    pub accept_unclassified: bool,
    /// Match and book what was imported, afterwards.
    pub reconcile: bool,
    pub json: bool,
    pub files: &'a [PathBuf],
}

pub async fn run(
    cli: &Cli,
    store: &dyn LedgerStore,
    args: ImportArgs<'_>,
) -> anyhow::Result<ExitCode> {
    let actor = cli.actor();
    let chart = store.chart().await?;
    let shops = gl_mappings::load_shops(&cli.mappings, &chart)?;
    let mut failed = false;
    let mut json_out = Vec::new();
    // The shops new records were imported for: the ones to book afterwards.
    let mut touched: std::collections::BTreeSet<String> = Default::default();
    for path in args.files {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| path.display().to_string());
        let request = ImportRequest {
            file_name: &name,
            shop: args.shop,
            shops: &shops,
            source: args.source,
            accept_unclassified: args.accept_unclassified,
            actor: &actor,
        };
        match importer::import_path(store, path, request).await {
            Ok(report) => {
                if let ImportReport::Imported { batch, .. } = &report {
                    touched.insert(batch.shop.clone());
                }
                if args.json {
                    json_out.push(serde_json::to_value(&report)?);
                } else {
                    print!("{}", render(&report));
                }
            }
            Err(e) => {
                failed = true;
                if args.json {
                    let problems: Vec<String> =
                        e.problems().iter().map(|p| p.to_string()).collect();
                    json_out.push(serde_json::json!({"file": name, "outcome": "failed", "error": e.to_string(), "problems": problems}));
                } else {
                    eprintln!("{e}");
                }
            }
        }
    }
    // The files that imported are booked even when another file of the run
    // failed: each file stands on its own.
    let mut reconciled = None;
    if args.reconcile && !touched.is_empty() {
        let mut all = crate::reconcile::ReconcileReport::default();
        let mut outcome = Ok(());
        for shop in &touched {
            let scope = crate::reconcile::Scope {
                shop: Some(shop),
                period: None,
            };
            match super::reconcile_cmd::reconcile_all(cli, store, scope).await {
                Ok(report) => all.shops.extend(report.shops),
                Err(e) => {
                    outcome = Err(e);
                    break;
                }
            }
        }
        match outcome.map(|_| all) {
            Ok(report) => reconciled = Some(report),
            Err(e) => {
                failed = true;
                let message = format!(
                    "imported, but not booked: {e:#}\n(fix the cause and run `settlebridge reconcile`)"
                );
                if args.json {
                    json_out.push(serde_json::json!({"outcome": "not booked", "error": message}));
                } else {
                    eprintln!("{message}");
                }
            }
        }
    }
    if args.json {
        let doc = serde_json::json!({"imports": json_out, "reconcile": reconciled});
        println!("{}", serde_json::to_string_pretty(&doc)?);
    } else if let Some(r) = &reconciled {
        print!("{}", super::reconcile_cmd::render(r));
    }
    Ok(if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn render(report: &ImportReport) -> String {
    match report {
        ImportReport::AlreadyImported { file, batch } => {
            format!("{file}: already imported as batch {batch}; nothing changed\n")
        }
        ImportReport::Imported {
            file,
            format,
            batch,
            statements,
            totals,
            payout_totals,
            warnings,
        } => {
            let mut out = format!(
                "{file}: {} ({})\n  batch {}{}: {} rows read",
                format.describe(),
                format.as_str(),
                batch.id,
                if batch.shop.is_empty() {
                    String::new()
                } else {
                    format!(", shop {}", batch.shop)
                },
                batch.rows_read,
            );
            let mut counted = |what: &str, new: i64, old: i64| {
                if new + old > 0 {
                    out.push_str(&format!("; {what} {new} new, {old} already imported"));
                }
            };
            counted("settlement lines", batch.lines_new, batch.lines_duplicate);
            counted("orders", batch.orders_new, batch.orders_duplicate);
            counted("payouts", batch.payouts_new, batch.payouts_duplicate);
            out.push('\n');
            if batch.orders_revised > 0 {
                out.push_str(&format!(
                    "  {} order(s) had been imported before with other amounts: stored as new revisions\n",
                    batch.orders_revised
                ));
            }
            for st in statements {
                let declared = st
                    .declared_total
                    .as_deref()
                    .map(|t| format!("{t} {}", st.currency))
                    .unwrap_or_else(|| "no total in the file".into());
                out.push_str(&format!(
                    "  statement {}: {declared}; its lines sum to {} {}\n",
                    st.statement_id, st.lines_total, st.currency
                ));
            }
            for (currency, total) in totals {
                out.push_str(&format!("  settlement lines total {total} {currency}\n"));
            }
            for (currency, total) in payout_totals {
                out.push_str(&format!("  payouts total {total} {currency}\n"));
            }
            for warning in warnings {
                out.push_str(&format!("  warning: {warning}\n"));
            }
            out
        }
    }
}
