//! `settlebridge import FILE...`: each file imports completely or not at
//! all; the report says what was read, what was new and what was already there.

use std::path::PathBuf;
use std::process::ExitCode;

use super::Cli;
use crate::importer::{self, ImportReport, ImportRequest, SourceKind};
use crate::store::LedgerStore;

pub struct ImportArgs<'a> {
    pub shop: &'a str,
    pub source: Option<SourceKind>,
    pub accept_unclassified: bool,
    pub shop_zone: Option<crate::sources::time::Zone>,
    pub shop_currency: Option<crate::domain::money::Currency>,
    pub json: bool,
    pub files: &'a [PathBuf],
}

pub async fn run(
    cli: &Cli,
    store: &dyn LedgerStore,
    args: ImportArgs<'_>,
) -> anyhow::Result<ExitCode> {
    let actor = cli.actor();
    let mut failed = false;
    let mut json_out = Vec::new();
    for path in args.files {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| path.display().to_string());
        let bytes = match std::fs::read(path) {
            Ok(b) => b,
            Err(e) => {
                failed = true;
                eprintln!("{}: cannot read: {e}", path.display());
                json_out.push(serde_json::json!({"file": name, "outcome": "failed", "error": format!("cannot read: {e}")}));
                continue;
            }
        };
        let request = ImportRequest {
            file_name: &name,
            bytes: &bytes,
            shop: args.shop,
            source: args.source,
            accept_unclassified: args.accept_unclassified,
            shop_zone: args.shop_zone,
            shop_currency: args.shop_currency,
            actor: &actor,
        };
        match importer::import_file(store, request).await {
            Ok(report) => {
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
    if args.json {
        println!("{}", serde_json::to_string_pretty(&json_out)?);
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
        } => {
            let mut out = format!(
                "{file}: {}\n  batch {}: {} rows read, {} settlement lines new, {} already imported\n",
                format.describe(),
                batch.id,
                batch.rows_read,
                batch.lines_new,
                batch.lines_duplicate
            );
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
                out.push_str(&format!("  total {total} {currency}\n"));
            }
            out
        }
    }
}
