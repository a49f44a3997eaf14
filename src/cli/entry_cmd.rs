//! `entry post|reverse|show`: manual journal entries, for adjustments an
//! accountant books by hand and for scripting.

use std::io::Read;
use std::path::Path;
use std::process::ExitCode;

use anyhow::{anyhow, bail, Context};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Deserialize;

use super::ledger_cmd::stored_chart;
use super::table::Table;
use super::{Cli, EntryCommand};
use crate::domain::money::format_amount;
use crate::domain::{
    ChartOfAccounts, EntryDraft, EntryId, EntryKind, JournalEntry, Money, Posting, Segments, Side,
    SourceRef, StoredEntry,
};
use crate::store::{LedgerStore, Posted};

/// One entry in a JSON file. Amounts are strings (`"12.34"`): a JSON number
/// would pass through a float, so it is refused.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EntryFile {
    key: String,
    date: String,
    #[serde(default)]
    kind: Option<String>,
    description: String,
    postings: Vec<PostingFile>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PostingFile {
    account: String,
    #[serde(default)]
    debit: Option<String>,
    #[serde(default)]
    credit: Option<String>,
    currency: String,
    #[serde(default)]
    memo: Option<String>,
    #[serde(default)]
    segments: Segments,
    #[serde(default)]
    source: SourceRef,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    Many(Vec<EntryFile>),
    One(EntryFile),
}

fn to_entry(file: EntryFile, chart: &ChartOfAccounts) -> anyhow::Result<JournalEntry> {
    let date = NaiveDate::parse_from_str(&file.date, "%Y-%m-%d")
        .with_context(|| format!("date `{}` is not YYYY-MM-DD", file.date))?;
    let kind = match file.kind.as_deref() {
        None => EntryKind::Manual,
        Some(k) => EntryKind::parse(k).ok_or_else(|| anyhow!("kind `{k}` is not an entry kind"))?,
    };
    let mut postings = Vec::new();
    for (i, p) in file.postings.into_iter().enumerate() {
        let line = i + 1;
        let (side, text) = match (p.debit, p.credit) {
            (Some(d), None) => (Side::Debit, d),
            (None, Some(c)) => (Side::Credit, c),
            _ => bail!("posting {line}: give exactly one of `debit` or `credit`"),
        };
        let amount = Decimal::from_str_exact(text.trim())
            .map_err(|_| anyhow!("posting {line}: `{text}` is not an exact decimal amount"))?;
        let currency = p
            .currency
            .parse()
            .map_err(|e| anyhow!("posting {line}: {e}"))?;
        let account = p
            .account
            .parse()
            .map_err(|e| anyhow!("posting {line}: {e}"))?;
        let mut posting = Posting::new(account, side, Money::new(amount, currency));
        posting.memo = p.memo;
        posting.segments = p.segments;
        posting.source = p.source;
        postings.push(posting);
    }
    Ok(JournalEntry::new(
        EntryDraft {
            idempotency_key: file.key,
            date,
            kind,
            description: file.description,
            postings,
        },
        chart,
    )?)
}

fn read_entries(path: &Path, chart: &ChartOfAccounts) -> anyhow::Result<Vec<JournalEntry>> {
    let mut text = String::new();
    if path == Path::new("-") {
        std::io::stdin().read_to_string(&mut text)?;
    } else {
        text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read {}", path.display()))?;
    }
    let files = match serde_json::from_str::<OneOrMany>(&text) {
        Ok(OneOrMany::Many(v)) => v,
        Ok(OneOrMany::One(e)) => vec![e],
        // Untagged enums hide the reason: parse again as a list for a useful message.
        Err(_) => serde_json::from_str::<Vec<EntryFile>>(&text)
            .or_else(|_| serde_json::from_str::<EntryFile>(&text).map(|e| vec![e]))
            .with_context(|| format!("{}: not a journal entry file", path.display()))?,
    };
    files
        .into_iter()
        .enumerate()
        .map(|(i, f)| {
            let key = f.key.clone();
            to_entry(f, chart)
                .with_context(|| format!("{}: entry {} (`{key}`)", path.display(), i + 1))
        })
        .collect()
}

pub async fn run(
    cli: &Cli,
    store: &dyn LedgerStore,
    action: &EntryCommand,
) -> anyhow::Result<ExitCode> {
    match action {
        EntryCommand::Post { file } => {
            let chart = stored_chart(store).await?;
            let entries = read_entries(file, &chart)?;
            let posted = store.post_batch(&entries, &cli.actor()).await?;
            for p in &posted {
                let e = p.entry();
                let what = if p.is_new() {
                    "posted"
                } else {
                    "already posted"
                };
                println!(
                    "{what} {} {} {}",
                    e.seq,
                    e.entry.date(),
                    e.entry.idempotency_key()
                );
            }
            let new = posted
                .iter()
                .filter(|p| matches!(p, Posted::Created(_)))
                .count();
            println!("{new} new, {} already there", posted.len() - new);
        }
        EntryCommand::Reverse { id, reason, date } => {
            let date = date
                .as_deref()
                .map(|d| {
                    NaiveDate::parse_from_str(d, "%Y-%m-%d")
                        .with_context(|| format!("`{d}` is not YYYY-MM-DD"))
                })
                .transpose()?;
            let reversal = store
                .reverse(EntryId(*id), date, reason, &cli.actor())
                .await?;
            println!(
                "reversed #{id} by {} dated {}",
                reversal.seq,
                reversal.entry.date()
            );
        }
        EntryCommand::Show { id, json } => {
            let Some(entry) = store.entry(EntryId(*id)).await? else {
                bail!("entry #{id} does not exist");
            };
            let reversed_by = store.reversed_by(EntryId(*id)).await?;
            if *json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&entry_json(&entry, reversed_by))?
                );
            } else {
                print!("{}", render_entry(&entry, reversed_by));
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn entry_json(e: &StoredEntry, reversed_by: Option<EntryId>) -> serde_json::Value {
    let postings: Vec<_> = e
        .entry
        .postings()
        .iter()
        .map(|p| {
            serde_json::json!({
                "account": p.account,
                "side": p.side,
                "amount": format_amount(p.amount.amount, p.amount.currency),
                "currency": p.amount.currency,
                "memo": p.memo,
                "segments": p.segments,
                "source": p.source,
                "mapping_version": p.mapping_version,
            })
        })
        .collect();
    serde_json::json!({
        "seq": e.seq.0,
        "key": e.entry.idempotency_key(),
        "date": e.entry.date(),
        "kind": e.entry.kind(),
        "description": e.entry.description(),
        "reverses": e.entry.reverses().map(|r| r.0),
        "reversed_by": reversed_by.map(|r| r.0),
        "created_at": e.created_at,
        "created_by": e.created_by,
        "content_hash": e.content_hash,
        "prev_hash": e.prev_hash,
        "hash": e.hash,
        "postings": postings,
    })
}

fn render_entry(e: &StoredEntry, reversed_by: Option<EntryId>) -> String {
    let mut out = format!(
        "entry {}  {}  {}  {}\n{}\n",
        e.seq,
        e.entry.date(),
        e.entry.kind().as_str(),
        e.entry.idempotency_key(),
        e.entry.description()
    );
    if let Some(r) = e.entry.reverses() {
        out.push_str(&format!("reverses {r}\n"));
    }
    if let Some(r) = reversed_by {
        out.push_str(&format!("reversed by {r}\n"));
    }
    out.push_str(&format!(
        "written {} by {}\nhash {}\nprev {}\n\n",
        e.created_at, e.created_by, e.hash, e.prev_hash
    ));
    let mut t = Table::new(&[
        ("Account", false),
        ("Debit", true),
        ("Credit", true),
        ("Cur", false),
        ("Memo", false),
        ("Order", false),
        ("Payout", false),
    ]);
    for p in e.entry.postings() {
        let amount = format_amount(p.amount.amount, p.amount.currency);
        let (dr, cr) = match p.side {
            Side::Debit => (amount, String::new()),
            Side::Credit => (String::new(), amount),
        };
        t.row(vec![
            p.account.to_string(),
            dr,
            cr,
            p.amount.currency.to_string(),
            p.memo.clone().unwrap_or_default(),
            p.source.order_id.clone().unwrap_or_default(),
            p.source.payout_id.clone().unwrap_or_default(),
        ]);
    }
    out.push_str(&t.render());
    out
}
