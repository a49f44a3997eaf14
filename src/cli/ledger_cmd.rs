//! init, verify, trial-balance, period and export.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;
use chrono::NaiveDate;

use super::table::Table;
use super::{Cli, OutputFormat, PeriodCommand};
use crate::domain::money::format_amount;
use crate::domain::trial_balance::TrialBalanceRow;
use crate::domain::{ChartOfAccounts, Period, TrialBalance};
use crate::export::{self, JournalFormat};
use crate::gl_mappings;
use crate::ledger::{self, TrialBalanceRange, VerifyError};
use crate::store::{redact_url, EntryFilter, LedgerStore};

pub async fn init(cli: &Cli, store: &dyn LedgerStore) -> anyhow::Result<ExitCode> {
    let (chart, source) = gl_mappings::load_chart(&cli.mappings)?;
    let sync = store.sync_chart(&chart).await?;
    let counts = store.counts().await?;
    println!(
        "database: {} ({:?}), migrated",
        redact_url(&cli.db),
        store.backend()
    );
    println!(
        "chart:    {} accounts from {source} ({} added, {} updated, {} unchanged)",
        chart.len(),
        sync.added,
        sync.updated,
        sync.unchanged
    );
    println!(
        "ledger:   {} entries, {} postings",
        counts.entries, counts.postings
    );
    Ok(ExitCode::SUCCESS)
}

/// The chart stored by `init`; commands that need it say so when it is missing.
pub async fn stored_chart(store: &dyn LedgerStore) -> anyhow::Result<ChartOfAccounts> {
    crate::workflow::stored_chart(store).await
}

pub async fn verify(store: &dyn LedgerStore, json: bool) -> anyhow::Result<ExitCode> {
    match ledger::verify(store).await {
        Ok(summary) => {
            if json {
                println!("{}", serde_json::json!({"ok": true, "summary": summary}));
            } else {
                println!(
                    "ok: {} entries, {} postings, {} period seal(s) verified",
                    summary.entries, summary.postings, summary.seals
                );
                println!("chain head: #{} {}", summary.last_seq, summary.last_hash);
                for (currency, volume) in &summary.volume {
                    println!("balanced in {currency}: debits = credits = {volume}");
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(VerifyError::Problem(problem)) => {
            if json {
                println!(
                    "{}",
                    serde_json::json!({"ok": false, "problem": problem.to_string()})
                );
            } else {
                eprintln!("FAILED: {problem}");
            }
            Ok(ExitCode::from(1))
        }
        Err(VerifyError::Store(e)) => Err(e.into()),
    }
}

fn parse_period(text: &str) -> anyhow::Result<Period> {
    Ok(text.parse::<Period>()?)
}

fn parse_date(text: &str) -> anyhow::Result<NaiveDate> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .with_context(|| format!("`{text}` is not a date (expected YYYY-MM-DD)"))
}

pub async fn trial_balance(
    store: &dyn LedgerStore,
    period: Option<&str>,
    as_of: Option<&str>,
    format: OutputFormat,
) -> anyhow::Result<ExitCode> {
    let range = match (period, as_of) {
        (Some(p), _) => TrialBalanceRange::Period(parse_period(p)?),
        (None, Some(d)) => TrialBalanceRange::AsOf(parse_date(d)?),
        (None, None) => TrialBalanceRange::All,
    };
    let chart = stored_chart(store).await?;
    let tb = ledger::trial_balance(store, &chart, range).await?;
    let mut out = std::io::stdout().lock();
    match format {
        OutputFormat::Json => writeln!(out, "{}", serde_json::to_string_pretty(&tb_json(&tb))?)?,
        OutputFormat::Csv => write_tb_csv(&tb, &mut out)?,
        OutputFormat::Table => {
            let title = match range {
                TrialBalanceRange::All => "Trial balance, all entries".to_string(),
                TrialBalanceRange::AsOf(d) => format!("Trial balance as of {d}"),
                TrialBalanceRange::Period(p) => format!(
                    "Trial balance {p} (opening {}, closing {})",
                    p.first_day(),
                    p.last_day()
                ),
            };
            writeln!(out, "{title}\n\n{}", render_tb(&tb))?;
        }
    }
    Ok(if tb.is_balanced() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// A trial balance row as text cells, in the column order of both the
/// table and the CSV; `name` is the account name as that output needs it.
fn tb_cells(r: &TrialBalanceRow, name: String) -> Vec<String> {
    let f = |d| format_amount(d, r.currency);
    vec![
        r.account.to_string(),
        name,
        r.account_type.to_string(),
        r.currency.to_string(),
        f(r.opening),
        f(r.debits),
        f(r.credits),
        f(r.closing),
    ]
}

fn render_tb(tb: &TrialBalance) -> String {
    let mut t = Table::new(&[
        ("Account", false),
        ("Name", false),
        ("Type", false),
        ("Cur", false),
        ("Opening", true),
        ("Debits", true),
        ("Credits", true),
        ("Closing", true),
    ]);
    for r in &tb.rows {
        t.row(tb_cells(r, r.name.clone()));
    }
    for total in &tb.totals {
        let f = |d| format_amount(d, total.currency);
        t.row(vec![
            "Total".into(),
            String::new(),
            String::new(),
            total.currency.to_string(),
            String::new(),
            f(total.debits),
            f(total.credits),
            f(total.net),
        ]);
    }
    let mut text = t.render();
    if tb.rows.is_empty() {
        text.push_str("(no postings in range)\n");
    }
    text
}

/// Amounts as strings with the currency's minor units (`"20.00"`), never
/// JSON numbers, which readers parse as floats.
fn tb_json(tb: &TrialBalance) -> serde_json::Value {
    let rows: Vec<_> = tb
        .rows
        .iter()
        .map(|r| {
            let f = |d| format_amount(d, r.currency);
            serde_json::json!({
                "account": r.account,
                "name": r.name,
                "type": r.account_type,
                "currency": r.currency,
                "opening": f(r.opening),
                "debits": f(r.debits),
                "credits": f(r.credits),
                "closing": f(r.closing),
            })
        })
        .collect();
    let totals: Vec<_> = tb
        .totals
        .iter()
        .map(|t| {
            let f = |d| format_amount(d, t.currency);
            serde_json::json!({
                "currency": t.currency,
                "debits": f(t.debits),
                "credits": f(t.credits),
                "net": f(t.net),
            })
        })
        .collect();
    serde_json::json!({"rows": rows, "totals": totals, "balanced": tb.is_balanced()})
}

fn write_tb_csv(tb: &TrialBalance, out: &mut impl Write) -> anyhow::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record([
        "account", "name", "type", "currency", "opening", "debits", "credits", "closing",
    ])?;
    for r in &tb.rows {
        w.write_record(tb_cells(r, export::spreadsheet_safe(&r.name).into_owned()))?;
    }
    w.flush()?;
    Ok(())
}

pub async fn period(
    cli: &Cli,
    store: &dyn LedgerStore,
    action: &PeriodCommand,
) -> anyhow::Result<ExitCode> {
    match action {
        PeriodCommand::Close { period } => {
            let period = parse_period(period)?;
            let seal = store.close_period(period, &cli.actor()).await?;
            let detail = format!("sealed at entry {} ({})", seal.head_seq, seal.seal_hash);
            let subject = period.to_string();
            super::audit(
                store,
                &cli.actor(),
                "period.close",
                Some(&subject),
                Some(&detail),
            )
            .await;
            println!(
                "closed {period}: sealed at entry #{} — seal {}",
                seal.head_seq, seal.seal_hash
            );
        }
        PeriodCommand::Reopen { period, reason } => {
            let period = parse_period(period)?;
            store.reopen_period(period, reason, &cli.actor()).await?;
            let subject = period.to_string();
            super::audit(
                store,
                &cli.actor(),
                "period.reopen",
                Some(&subject),
                Some(reason),
            )
            .await;
            println!("reopened {period}: {reason}");
        }
        PeriodCommand::List => {
            let mut t = Table::new(&[
                ("Period", false),
                ("Status", false),
                ("Since", false),
                ("By", false),
                ("Reason / seal", false),
            ]);
            for s in store.period_states().await? {
                t.row(vec![
                    s.period.to_string(),
                    s.status.as_str().into(),
                    s.changed_at.format("%Y-%m-%d %H:%M UTC").to_string(),
                    s.changed_by,
                    s.reason.or(s.seal_hash).unwrap_or_default(),
                ]);
            }
            print!("{}", t.render());
            println!("(periods not listed are open)");
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub async fn export_journal(
    cli: &super::Cli,
    store: &dyn LedgerStore,
    format: JournalFormat,
    period: Option<&str>,
    output: Option<&Path>,
) -> anyhow::Result<ExitCode> {
    let filter = match period {
        Some(p) => EntryFilter::period(parse_period(p)?),
        None => EntryFilter::default(),
    };
    let chart = stored_chart(store).await?;
    if format == JournalFormat::NetsuiteCsv {
        return super::netsuite_cmd::export_csv(cli, store, &chart, filter, output).await;
    }
    let out: Box<dyn Write + Send> = match output {
        Some(path) => Box::new(std::io::BufWriter::new(
            std::fs::File::create(path)
                .with_context(|| format!("cannot create {}", path.display()))?,
        )),
        None => Box::new(std::io::BufWriter::new(std::io::stdout())),
    };
    let mut writer = export::writer_for(format, out);
    let summary = export::export_journal(store, &chart, filter, writer.as_mut()).await?;
    if let Some(path) = output {
        eprintln!(
            "wrote {} entries ({} postings) to {}",
            summary.entries,
            summary.postings,
            path.display()
        );
    }
    Ok(ExitCode::SUCCESS)
}
