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
    /// The bank account (banks.toml) bank statements go to.
    pub bank: Option<&'a str>,
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
    let mut bank_imported = false;
    for path in args.files {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| path.display().to_string());
        if is_bank_file(path, args.bank.is_some()) {
            let outcome = import_bank(cli, store, &chart, path, &name, args.bank, &actor).await;
            match outcome {
                Ok(report) => {
                    bank_imported = true;
                    if args.json {
                        json_out.push(serde_json::to_value(&report)?);
                    } else {
                        print!("{}", render_bank(&report));
                    }
                }
                Err(e) => {
                    let already = matches!(
                        &e,
                        importer::ImportError::Store {
                            source: crate::store::StoreError::AlreadyImported { .. },
                            ..
                        }
                    );
                    failed |= !already;
                    if args.json {
                        json_out.push(serde_json::json!({"file": name, "outcome": if already { "already_imported" } else { "failed" }, "error": e.to_string()}));
                    } else if already {
                        println!("{e}");
                    } else {
                        eprintln!("{e}");
                    }
                }
            }
            continue;
        }
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
    let banks_touched = bank_imported;
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
        if outcome.is_ok() && !banks_touched {
            // New payouts may explain deposits already imported.
            match super::reconcile_cmd::reconcile_banks(cli, store).await {
                Ok(b) => all.banks = b,
                Err(e) => outcome = Err(e),
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
    if args.reconcile && banks_touched {
        let shops_report = reconciled.get_or_insert_with(Default::default);
        match super::reconcile_cmd::reconcile_banks(cli, store).await {
            Ok(b) => shops_report.banks = b,
            Err(e) => {
                failed = true;
                let message = format!(
                    "imported, but deposits not matched: {e:#}\n(fix the cause and run `settlebridge reconcile`)"
                );
                if args.json {
                    json_out.push(serde_json::json!({"outcome": "not matched", "error": message}));
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

/// A bank statement: camt.053 or OFX by their first bytes, or any file
/// when --bank names the account.
fn is_bank_file(path: &std::path::Path, bank_named: bool) -> bool {
    if bank_named {
        return true;
    }
    let mut head = vec![0u8; 4096];
    let n = std::fs::File::open(path)
        .and_then(|mut f| std::io::Read::read(&mut f, &mut head))
        .unwrap_or(0);
    importer::bank::detect_bank(&head[..n]).is_some()
}

async fn import_bank(
    cli: &Cli,
    store: &dyn LedgerStore,
    chart: &crate::domain::ChartOfAccounts,
    path: &std::path::Path,
    name: &str,
    bank: Option<&str>,
    actor: &str,
) -> Result<importer::bank::BankImportReport, importer::ImportError> {
    let banks =
        gl_mappings::load_banks(&cli.mappings, chart).map_err(|e| importer::ImportError::Bank {
            file: name.to_string(),
            message: e.to_string(),
        })?;
    let size = std::fs::metadata(path)
        .map(|m| m.len() as usize)
        .unwrap_or(0);
    if size > importer::MAX_FILE_BYTES {
        return Err(importer::ImportError::TooLarge {
            file: name.to_string(),
            size,
        });
    }
    let bytes = std::fs::read(path).map_err(|e| importer::ImportError::Read {
        file: name.to_string(),
        message: e.to_string(),
    })?;
    importer::bank::import_bank_file(
        store,
        &bytes,
        importer::bank::BankImportRequest {
            file_name: name,
            bank,
            banks: &banks,
            actor,
        },
    )
    .await
}

fn render_bank(r: &importer::bank::BankImportReport) -> String {
    let mut out = format!(
        "{}: {} bank statement(s), batch {}; {} line(s) new, {} already known\n",
        r.file,
        r.statements.len(),
        r.batch.id,
        r.batch.lines_new,
        r.batch.lines_duplicate
    );
    for s in &r.statements {
        out.push_str(&format!(
            "  {} {} {}: {} to {}, {} lines, opening {}, closing {}\n",
            s.bank,
            s.statement_id.as_deref().unwrap_or("-"),
            s.currency,
            s.from.as_deref().unwrap_or("?"),
            s.to.as_deref().unwrap_or("?"),
            s.lines,
            s.opening.as_deref().unwrap_or("-"),
            s.closing.as_deref().unwrap_or("-"),
        ));
    }
    for w in &r.warnings {
        out.push_str(&format!("  warning: {w}\n"));
    }
    out
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
