//! `settlebridge import FILE...`: each file imports completely or not at
//! all; the report says what was read, what was new and what was already there.

use std::path::PathBuf;
use std::process::ExitCode;

use super::Cli;
use crate::importer::SourceKind;
use crate::store::LedgerStore;
use crate::workflow::{self, FileOutcome, FileToImport, ImportOptions};

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
    let files: Vec<FileToImport> = args
        .files
        .iter()
        .map(|path| FileToImport {
            name: path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| path.display().to_string()),
            path: path.clone(),
        })
        .collect();
    let options = ImportOptions {
        shop: args.shop,
        bank: args.bank,
        source: args.source,
        accept_unclassified: args.accept_unclassified,
        reconcile: args.reconcile,
    };
    let run = workflow::import_files(&cli.mappings, store, &files, &options, &actor).await?;
    let detail = format!(
        "{} file(s), {} failed",
        run.files.len(),
        run.files
            .iter()
            .filter(|f| f.outcome == FileOutcome::Failed)
            .count()
    );
    super::audit(store, &actor, "import", None, Some(&detail)).await;
    if args.json {
        let mut imports: Vec<serde_json::Value> =
            run.files.iter().map(|f| f.json.clone()).collect();
        for e in &run.booking_errors {
            let outcome = if e.contains("deposits not matched") {
                "not matched"
            } else {
                "not booked"
            };
            imports.push(serde_json::json!({"outcome": outcome, "error": e}));
        }
        let doc = serde_json::json!({"imports": imports, "reconcile": run.reconcile});
        println!("{}", serde_json::to_string_pretty(&doc)?);
    } else {
        for f in &run.files {
            match f.outcome {
                FileOutcome::Failed => eprintln!("{}", f.text),
                FileOutcome::AlreadyImported if f.json.get("error").is_some() => {
                    println!("{}", f.text)
                }
                _ => print!("{}", f.text),
            }
        }
        for e in &run.booking_errors {
            eprintln!("{e}");
        }
        if let Some(r) = &run.reconcile {
            print!("{}", workflow::text::render_reconcile(r));
        }
    }
    Ok(if run.failed() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
