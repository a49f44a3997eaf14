//! `settlebridge mappings check`: the mapping files against the chart, then
//! every component of the imported data against the mapping files. Exit 1
//! when a file has a problem or any component has no account — the same
//! condition on which booking refuses to run. Reads only; never imports.

use std::process::ExitCode;

use serde_json::json;

use super::Cli;
use crate::domain::ChartOfAccounts;
use crate::gl_mappings::{self, ChannelMapping, Coverage, MAPPED_CHANNELS};
use crate::store::LedgerStore;

/// The channel of a batch's recorded format.
/// The chart to check against: the database's (what booking posts to),
/// or the directory's when `init` has not loaded one yet.
async fn chart(cli: &Cli, store: &dyn LedgerStore) -> anyhow::Result<(ChartOfAccounts, String)> {
    let stored = store.chart().await?;
    if !stored.is_empty() {
        return Ok((
            stored,
            "the database's chart (loaded by `settlebridge init`)".into(),
        ));
    }
    let (chart, source) = gl_mappings::load_chart(&cli.mappings)?;
    Ok((
        chart,
        format!("{source} (not yet loaded by `settlebridge init`)"),
    ))
}

pub async fn check(cli: &Cli, store: &dyn LedgerStore, as_json: bool) -> anyhow::Result<ExitCode> {
    let (chart, chart_source) = chart(cli, store).await?;
    let mappings = gl_mappings::read_mappings(&cli.mappings, &chart)?;
    let shops = gl_mappings::load_shops(&cli.mappings, &chart)?;

    let mut problems = mappings.issues();
    for channel in MAPPED_CHANNELS {
        if let ChannelMapping::Loaded(m) = mappings.status(channel) {
            problems.extend(m.check_shops(&shops));
        }
    }

    let mut coverage = Coverage::default();
    let mut unknown_formats = Vec::new();
    for batch in store.batches().await? {
        let Some(channel) = crate::workflow::channel_of(&batch.source_kind) else {
            unknown_formats.push(format!(
                "batch {} ({}) was imported as `{}`, a format this version does not know",
                batch.id, batch.file_name, batch.source_kind
            ));
            continue;
        };
        let lines: Vec<_> = store
            .lines_of_batch(batch.id)
            .await?
            .into_iter()
            .map(|l| l.line)
            .collect();
        coverage.add_batch(&mappings, &shops, channel, &batch.shop, &lines);
    }
    let unmapped = coverage.unmapped();
    let by_wildcard = coverage.by_wildcard();
    let unchecked = coverage.unchecked();
    let ok = problems.is_empty()
        && unmapped.is_empty()
        && unchecked.is_empty()
        && unknown_formats.is_empty();

    if as_json {
        let files: Vec<_> = MAPPED_CHANNELS
            .iter()
            .map(|c| {
                let path = mappings.path(*c).display().to_string();
                match mappings.status(*c) {
                    ChannelMapping::Loaded(m) => json!({
                        "channel": c.as_str(), "path": path, "status": "ok",
                        "version": m.version(), "entries": m.defaults().len(), "rules": m.rules().len(),
                    }),
                    ChannelMapping::Missing => {
                        json!({"channel": c.as_str(), "path": path, "status": "missing"})
                    }
                    ChannelMapping::Invalid(issues) => json!({
                        "channel": c.as_str(), "path": path, "status": "invalid", "problems": issues.len(),
                    }),
                }
            })
            .collect();
        // Each item also as the sentence the text output prints.
        let with_message = |v: serde_json::Value, text: String| {
            let mut v = v;
            v["text"] = json!(text);
            v
        };
        let out = json!({
            "ok": ok,
            "chart": {"source": chart_source, "accounts": chart.len()},
            "files": files,
            "problems": problems.iter().map(|p| with_message(json!(p), p.to_string())).collect::<Vec<_>>(),
            "data": {"batches": coverage.batches, "lines": coverage.lines, "amounts": coverage.amounts},
            "unmapped": unmapped.iter().map(|u| with_message(json!(u), u.to_string())).collect::<Vec<_>>(),
            "by_wildcard": by_wildcard.iter().map(|w| with_message(json!(w), w.to_string())).collect::<Vec<_>>(),
            "unchecked": unchecked.iter().map(|u| with_message(json!(u), u.to_string())).collect::<Vec<_>>(),
            "unknown_formats": unknown_formats,
        });
        println!("{}", serde_json::to_string_pretty(&out)?);
    } else {
        print!(
            "{}",
            render(
                &chart,
                &chart_source,
                &mappings,
                &problems,
                &coverage,
                &unknown_formats
            )
        );
    }
    Ok(if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn render(
    chart: &ChartOfAccounts,
    chart_source: &str,
    mappings: &gl_mappings::Mappings,
    problems: &[crate::domain::mapping::MappingIssue],
    coverage: &Coverage,
    unknown_formats: &[String],
) -> String {
    let mut out = format!("chart: {} accounts, {chart_source}\n", chart.len());
    let with_data: Vec<&str> = coverage.unchecked().iter().map(|u| u.channel).collect();
    for channel in MAPPED_CHANNELS {
        let path = mappings.path(channel).display();
        let line = match mappings.status(channel) {
            ChannelMapping::Loaded(m) => format!(
                "{path}: {}, {}, version {}",
                plural(m.defaults().len(), "entry", "entries"),
                plural(m.rules().len(), "rule", "rules"),
                m.version()
            ),
            ChannelMapping::Missing if with_data.contains(&channel.as_str()) => {
                format!("{path}: does not exist")
            }
            ChannelMapping::Missing => format!(
                "{path}: does not exist (no {} data needs it yet)",
                gl_mappings::channel_title(channel)
            ),
            ChannelMapping::Invalid(issues) => {
                format!("{path}: {}", plural(issues.len(), "problem", "problems"))
            }
        };
        out.push_str(&line);
        out.push('\n');
    }
    out.push_str(&format!(
        "imported data: {}, {}, {}\n",
        plural(coverage.batches as usize, "batch", "batches"),
        plural(
            coverage.lines as usize,
            "settlement line",
            "settlement lines"
        ),
        plural(coverage.amounts as usize, "amount", "amounts"),
    ));
    let unmapped = coverage.unmapped();
    let unchecked = coverage.unchecked();
    let section = |out: &mut String, title: &str, items: Vec<String>| {
        if !items.is_empty() {
            out.push_str(title);
            out.push('\n');
            for item in items {
                out.push_str(&format!("  {item}\n"));
            }
        }
    };
    section(
        &mut out,
        "problems in the mapping files:",
        problems.iter().map(|p| p.to_string()).collect(),
    );
    section(
        &mut out,
        "data that could not be checked:",
        unchecked
            .iter()
            .map(|u| u.to_string())
            .chain(unknown_formats.iter().cloned())
            .collect(),
    );
    section(
        &mut out,
        "components without an account (booking refuses them until they have one):",
        unmapped.iter().map(|u| u.to_string()).collect(),
    );
    section(
        &mut out,
        "components only a wildcard entry covers (check that is where they belong):",
        coverage
            .by_wildcard()
            .iter()
            .map(|w| w.to_string())
            .collect(),
    );
    let mut failures = Vec::new();
    if !problems.is_empty() {
        failures.push(plural(
            problems.len(),
            "problem in the mapping files",
            "problems in the mapping files",
        ));
    }
    if !unmapped.is_empty() {
        failures.push(plural(
            unmapped.len(),
            "component code without an account",
            "component codes without an account",
        ));
    }
    let unchecked_n = unchecked.len() + unknown_formats.len();
    if unchecked_n > 0 {
        failures.push(plural(
            unchecked_n,
            "part of the data not checked",
            "parts of the data not checked",
        ));
    }
    if failures.is_empty() {
        out.push_str("ok: the mapping files are valid and every component of the imported data has an account\n");
    } else {
        out.push_str(&format!("FAILED: {}\n", failures.join(", ")));
    }
    out
}

/// `mappings diff`: what a reconcile with the files as they are would move.
pub async fn diff(
    cli: &Cli,
    store: &dyn LedgerStore,
    shop: Option<&str>,
    as_json: bool,
) -> anyhow::Result<ExitCode> {
    let chart = super::ledger_cmd::stored_chart(store).await?;
    let shops = gl_mappings::load_shops(&cli.mappings, &chart)?;
    let mappings = gl_mappings::load_mappings(&cli.mappings, &chart)?;
    let previews = crate::reconcile::preview(store, &mappings, &shops, shop).await?;
    if as_json {
        println!("{}", serde_json::to_string_pretty(&previews)?);
        return Ok(ExitCode::SUCCESS);
    }
    let mut out = String::new();
    for p in &previews {
        out.push_str(&format!(
            "{} ({}): {} entries would be reversed and re-booked, {} booked new, {} withdrawn; {} unchanged\n",
            p.shop, p.channel, p.replaced, p.new, p.withdrawn, p.unchanged
        ));
        if p.totals.is_empty() {
            out.push_str("  no amount moves between accounts\n");
            continue;
        }
        let mut t = super::table::Table::new(&[
            ("account", false),
            ("currency", false),
            ("change (debit +)", true),
        ]);
        for (account, currency, v) in &p.totals {
            t.row(vec![account.clone(), currency.clone(), v.to_string()]);
        }
        for line in t.render().lines() {
            out.push_str(&format!("  {line}\n"));
        }
        for e in p.entries.iter().take(50) {
            let moves: Vec<String> = e
                .moves
                .iter()
                .map(|(a, _, v)| format!("{a} {v:+}"))
                .collect();
            out.push_str(&format!(
                "  {} {}{}: {}\n",
                e.action,
                e.subject,
                e.replaces
                    .map(|r| format!(" (entry #{r})"))
                    .unwrap_or_default(),
                if moves.is_empty() {
                    "no amounts move (segments, memo or source change)".into()
                } else {
                    moves.join(", ")
                }
            ));
        }
        if p.entries.len() > 50 {
            out.push_str(&format!(
                "  … and {} more (--json lists all)\n",
                p.entries.len() - 50
            ));
        }
    }
    if previews.is_empty() {
        out.push_str("no imported records\n");
    }
    out.push_str("nothing was written: `settlebridge reconcile` applies it\n");
    print!("{out}");
    Ok(ExitCode::SUCCESS)
}
