//! `settlebridge post netsuite` and `export journal --format netsuite-csv`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{anyhow, Context};

use super::Cli;
use crate::domain::{ChartOfAccounts, Period, StoredEntry};
use crate::netsuite::client::NetSuiteClient;
use crate::netsuite::csv_import::{self, MAX_ROWS_PER_FILE};
use crate::netsuite::poster::{self, PostOptions, RunSummary};
use crate::netsuite::{plan_documents, AccountRef, DocumentRules, NetSuiteConfig};
use crate::store::{EntryFilter, LedgerStore};

pub struct PostArgs<'a> {
    pub period: Option<&'a str>,
    pub dry_run: bool,
    pub concurrency: Option<usize>,
    pub retry_failed: bool,
    pub config: Option<&'a Path>,
    pub json: bool,
}

fn config_path(cli: &Cli, given: Option<&Path>) -> PathBuf {
    given
        .map(Path::to_path_buf)
        .unwrap_or_else(|| cli.mappings.join("netsuite.toml"))
}

pub async fn post(
    cli: &Cli,
    store: &dyn LedgerStore,
    args: PostArgs<'_>,
) -> anyhow::Result<ExitCode> {
    let period: Option<Period> = args
        .period
        .map(|p| p.parse().map_err(|e| anyhow!("--period: {e}")))
        .transpose()?;
    let config = NetSuiteConfig::load(&config_path(cli, args.config))?;
    let concurrency = args.concurrency.unwrap_or(config.concurrency);
    if concurrency == 0 {
        return Err(anyhow!("--concurrency must be at least 1"));
    }
    let chart = super::ledger_cmd::stored_chart(store).await?;
    let client = NetSuiteClient::new(config)?;
    let summary = poster::run(
        store,
        &client,
        &chart,
        &PostOptions {
            period,
            dry_run: args.dry_run,
            concurrency,
            retry_failed: args.retry_failed,
        },
    )
    .await?;
    if !args.dry_run {
        let detail = format!(
            "{} document(s) posted carrying {} entries; {} refused",
            summary.posted,
            summary.entries_posted,
            summary.failed.len()
        );
        let subject = period.map(|p| p.to_string());
        super::audit(
            store,
            &cli.actor(),
            "netsuite.post",
            subject.as_deref(),
            Some(&detail),
        )
        .await;
    }
    if args.json {
        println!("{}", serde_json::to_string_pretty(&summary)?);
    } else {
        print!("{}", render(&summary, client.config()));
    }
    Ok(if summary.is_complete() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

pub fn render(s: &RunSummary, config: &NetSuiteConfig) -> String {
    let mut out = String::new();
    if s.dry_run {
        for b in &s.bodies {
            out.push_str(&serde_json::to_string_pretty(b).expect("JSON"));
            out.push('\n');
        }
        out.push_str(&format!(
            "dry run against {} ({}): {} journal entr{} would be posted; nothing was queued or sent\n",
            config.base_url,
            config.auth.name(),
            s.considered,
            if s.considered == 1 { "y" } else { "ies" }
        ));
        return out;
    }
    out.push_str(&format!(
        "NetSuite {} ({}): {} newly queued, {} to send\n",
        config.account_id,
        config.auth.name(),
        s.newly_queued,
        s.considered
    ));
    out.push_str(&format!(
        "  posted: {} journal entries ({} ledger entries, {} lines)\n",
        s.posted, s.entries_posted, s.lines_posted
    ));
    out.push_str(&format!(
        "  requests: {} ({} retried) in {:.1}s\n",
        s.requests, s.retries, s.seconds
    ));
    if s.final_concurrency > 0 && s.retries > 0 {
        out.push_str(&format!(
            "  concurrency settled at {} request(s) in flight\n",
            s.final_concurrency
        ));
    }
    if let Some(reason) = &s.stopped {
        out.push_str(&format!("  STOPPED: {reason}\n"));
    }
    if !s.failed.is_empty() {
        out.push_str(&format!(
            "  refused by NetSuite ({}), parked — fix and run with --retry-failed:\n",
            s.failed.len()
        ));
        for p in s.failed.iter().take(50) {
            out.push_str(&format!("    {}: {}\n", p.external_id, p.detail));
        }
    }
    if !s.still_pending.is_empty() {
        out.push_str(&format!(
            "  still pending ({}), run again to continue:\n",
            s.still_pending.len()
        ));
        for p in s.still_pending.iter().take(20) {
            out.push_str(&format!("    {}: {}\n", p.external_id, p.detail));
        }
    }
    out
}

pub async fn export_csv(
    cli: &Cli,
    store: &dyn LedgerStore,
    chart: &ChartOfAccounts,
    filter: EntryFilter,
    output: Option<&Path>,
) -> anyhow::Result<ExitCode> {
    let rules = DocumentRules::load(&cli.mappings.join("netsuite.toml"))?;
    let mut entries: Vec<StoredEntry> = Vec::new();
    store
        .for_each_entry(filter, &mut |e| {
            entries.push(e);
            Ok(())
        })
        .await?;
    let docs = plan_documents(&entries, chart, &rules, AccountRef::Number).map_err(|problems| {
        anyhow!(
            "{} entr{} cannot become NetSuite journal entries; nothing was written:\n{}",
            problems.len(),
            if problems.len() == 1 { "y" } else { "ies" },
            problems
                .iter()
                .map(|p| format!("  - {p}"))
                .collect::<Vec<_>>()
                .join("\n")
        )
    })?;
    let files = csv_import::split_files(&docs, MAX_ROWS_PER_FILE);
    match output {
        None if files.len() > 1 => Err(anyhow!(
            "{} journal lines need {} files of at most {MAX_ROWS_PER_FILE} rows: give -o FILE.csv",
            docs.iter().map(|d| d.lines.len()).sum::<usize>(),
            files.len()
        )),
        None => {
            let stdout = std::io::stdout();
            csv_import::write_file(
                stdout.lock(),
                files.first().copied().unwrap_or(&[]),
                &rules.csv_date_format,
            )?;
            Ok(ExitCode::SUCCESS)
        }
        Some(path) => {
            let paths = file_names(path, files.len().max(1));
            // Write every file beside its final name first, then rename: a
            // failure leaves no partial set behind.
            let mut written = Vec::new();
            for (i, target) in paths.iter().enumerate() {
                let part = files.get(i).copied().unwrap_or(&[]);
                let tmp = target.with_extension("csv.partial");
                let file = std::fs::File::create(&tmp)
                    .with_context(|| format!("cannot create {}", tmp.display()))?;
                let rows = csv_import::write_file(
                    std::io::BufWriter::new(file),
                    part,
                    &rules.csv_date_format,
                )?;
                written.push((tmp, target.clone(), rows, part.len()));
            }
            for (tmp, target, rows, journals) in written {
                std::fs::rename(&tmp, &target)
                    .with_context(|| format!("cannot write {}", target.display()))?;
                eprintln!(
                    "wrote {} journal entries ({rows} rows) to {}",
                    journals,
                    target.display()
                );
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// `journal.csv` for one file; `journal-001.csv`, `journal-002.csv` … for several.
fn file_names(path: &Path, count: usize) -> Vec<PathBuf> {
    if count == 1 {
        return vec![path.to_path_buf()];
    }
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "journal".into());
    (1..=count)
        .map(|i| path.with_file_name(format!("{stem}-{i:03}.csv")))
        .collect()
}
