//! How a file flows from disk to the database: a parser thread reads it
//! (through a tee that hands the raw bytes on as evidence) and sends records
//! in chunks over a bounded channel; the async side checks each record and
//! writes it inside the import's one transaction. Memory stays flat however
//! large the file: at most a few chunks are in flight. Nothing is committed
//! until the parser has read the whole file without a problem and no record
//! conflicts with what is stored.

use std::collections::BTreeMap;
use std::io::{Cursor, Read};
use std::path::PathBuf;
use std::sync::Arc;

use rust_decimal::Decimal;
use sha2::{Digest, Sha256};
use tokio::sync::mpsc;

use crate::domain::order::Order;
use crate::domain::payout::Payout;
use crate::domain::settlement::{FileSummary, SettlementLine, Statement};
use crate::importer::{parse_into, ImportError, SourceKind, StatementReport};
use crate::sources::checks::RecordChecks;
use crate::sources::problems::ParseError;
use crate::sources::sink::RecordSink;
use crate::sources::ParseOptions;
use crate::store::{BatchSummary, LedgerStore, NewBatch, StoreError, FILE_CHUNK_BYTES};

/// Records per message.
const CHUNK_RECORDS: usize = 1000;
/// Messages in flight between the parser and the writer.
const CHANNEL_DEPTH: usize = 4;

/// Where the file's bytes are.
#[derive(Clone)]
pub(crate) enum Input {
    Bytes(Arc<[u8]>),
    Path(PathBuf),
}

enum Msg {
    Content(Vec<u8>),
    Statements(Vec<Statement>),
    Lines(Vec<SettlementLine>),
    Payouts(Vec<Payout>),
    Orders(Vec<Order>),
    Done(Result<FileSummary, ParseError>, String),
}

/// Forwards what the parser reads, in chunks, and hashes it on the way so
/// the file is known to be the one whose hash was checked.
struct TeeReader<R> {
    inner: R,
    tx: mpsc::Sender<Msg>,
    buf: Vec<u8>,
    sha: Sha256,
}

impl<R: Read> TeeReader<R> {
    fn flush(&mut self) {
        if !self.buf.is_empty() {
            let chunk = std::mem::take(&mut self.buf);
            // A closed channel means the writer gave up: the parse result
            // no longer matters, so the error is not ours to report.
            let _ = self.tx.blocking_send(Msg::Content(chunk));
        }
    }
}

impl<R: Read> Read for TeeReader<R> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(out)?;
        self.sha.update(&out[..n]);
        let mut rest = &out[..n];
        while !rest.is_empty() {
            let room = FILE_CHUNK_BYTES - self.buf.len();
            let take = room.min(rest.len());
            self.buf.extend_from_slice(&rest[..take]);
            rest = &rest[take..];
            if self.buf.len() == FILE_CHUNK_BYTES {
                self.flush();
            }
        }
        Ok(n)
    }
}

/// Sends records in chunks.
struct ChannelSink {
    tx: mpsc::Sender<Msg>,
    statements: Vec<Statement>,
    lines: Vec<SettlementLine>,
    payouts: Vec<Payout>,
    orders: Vec<Order>,
}

impl ChannelSink {
    fn flush(&mut self) {
        if !self.statements.is_empty() {
            let _ = self
                .tx
                .blocking_send(Msg::Statements(std::mem::take(&mut self.statements)));
        }
        if !self.lines.is_empty() {
            let _ = self
                .tx
                .blocking_send(Msg::Lines(std::mem::take(&mut self.lines)));
        }
        if !self.payouts.is_empty() {
            let _ = self
                .tx
                .blocking_send(Msg::Payouts(std::mem::take(&mut self.payouts)));
        }
        if !self.orders.is_empty() {
            let _ = self
                .tx
                .blocking_send(Msg::Orders(std::mem::take(&mut self.orders)));
        }
    }
}

impl RecordSink for ChannelSink {
    fn statement(&mut self, statement: Statement) {
        self.statements.push(statement);
        if self.statements.len() >= CHUNK_RECORDS {
            self.flush();
        }
    }
    fn line(&mut self, line: SettlementLine) {
        self.lines.push(line);
        if self.lines.len() >= CHUNK_RECORDS {
            self.flush();
        }
    }
    fn payout(&mut self, payout: Payout) {
        self.payouts.push(payout);
        if self.payouts.len() >= CHUNK_RECORDS {
            self.flush();
        }
    }
    fn order(&mut self, order: Order) {
        self.orders.push(order);
        if self.orders.len() >= CHUNK_RECORDS {
            self.flush();
        }
    }
}

/// Runs on a blocking thread: parse, forward, and say how it ended (with the
/// SHA-256 of everything read).
fn run_parser(
    kind: SourceKind,
    file: String,
    input: Input,
    options: ParseOptions,
    tx: mpsc::Sender<Msg>,
) {
    let reader: Box<dyn Read> = match input {
        Input::Bytes(bytes) => Box::new(Cursor::new(bytes)),
        Input::Path(path) => match std::fs::File::open(&path) {
            Ok(f) => Box::new(std::io::BufReader::with_capacity(1 << 16, f)),
            Err(e) => {
                let _ = tx.blocking_send(Msg::Done(
                    Err(ParseError::NotThisFormat {
                        file: file.clone(),
                        message: format!("cannot read: {e}"),
                    }),
                    String::new(),
                ));
                return;
            }
        },
    };
    let mut tee = TeeReader {
        inner: reader,
        tx: tx.clone(),
        buf: Vec::with_capacity(FILE_CHUNK_BYTES),
        sha: Sha256::new(),
    };
    let mut sink = ChannelSink {
        tx: tx.clone(),
        statements: Vec::new(),
        lines: Vec::new(),
        payouts: Vec::new(),
        orders: Vec::new(),
    };
    let mut result = parse_into(kind, &file, &mut tee, options, &mut sink);
    // The evidence is the whole file, even where a parser stopped early.
    if let Err(e) = std::io::copy(&mut tee, &mut std::io::sink()) {
        result = Err(ParseError::NotThisFormat {
            file: file.clone(),
            message: format!("cannot read: {e}"),
        });
    }
    tee.flush();
    sink.flush();
    let sha = hex::encode(tee.sha.finalize());
    let _ = tx.blocking_send(Msg::Done(result, sha));
}

/// What the report says beyond the batch's counts.
#[derive(Default)]
pub(crate) struct Tally {
    statements: Vec<(String, String, Option<Decimal>)>,
    by_statement: BTreeMap<String, Decimal>,
    pub totals: BTreeMap<String, Decimal>,
    pub payout_totals: BTreeMap<String, Decimal>,
}

impl Tally {
    pub fn statement_reports(&self) -> Vec<StatementReport> {
        self.statements
            .iter()
            .map(|(id, currency, declared)| StatementReport {
                statement_id: id.clone(),
                currency: currency.clone(),
                declared_total: declared.map(|t| t.to_string()),
                lines_total: self
                    .by_statement
                    .get(id)
                    .copied()
                    .unwrap_or_default()
                    .to_string(),
            })
            .collect()
    }
}

pub(crate) struct Outcome {
    pub summary: BatchSummary,
    pub file: FileSummary,
    pub tally: Tally,
}

/// Parses and records one file; see the module comment.
pub(crate) async fn run(
    store: &dyn LedgerStore,
    batch: NewBatch,
    kind: SourceKind,
    input: Input,
    options: ParseOptions,
    shop: Option<(&str, crate::domain::money::Currency)>,
) -> Result<Outcome, ImportError> {
    let file = batch.file_name.clone();
    let store_err = |source: StoreError| ImportError::Store {
        file: file.clone(),
        source,
    };
    let mut writer = store.begin_import(&batch).await.map_err(store_err)?;
    let (tx, mut rx) = mpsc::channel(CHANNEL_DEPTH);
    let parser_file = file.clone();
    let parser =
        tokio::task::spawn_blocking(move || run_parser(kind, parser_file, input, options, tx));
    let mut checks = RecordChecks::new(shop);
    let mut tally = Tally::default();
    let mut done = None;
    while let Some(msg) = rx.recv().await {
        match msg {
            Msg::Content(chunk) => writer.add_content(&chunk).await.map_err(store_err)?,
            Msg::Statements(statements) => {
                for st in &statements {
                    checks.statement(st);
                    tally.statements.push((
                        st.statement_id.clone(),
                        st.currency.to_string(),
                        st.declared_total,
                    ));
                }
                if checks.is_clean() {
                    writer
                        .add_statements(&statements)
                        .await
                        .map_err(store_err)?;
                }
            }
            Msg::Lines(lines) => {
                for line in &lines {
                    checks.line(line);
                    let net = line.net();
                    *tally
                        .by_statement
                        .entry(line.statement_id.clone())
                        .or_default() += net;
                    *tally.totals.entry(line.currency.to_string()).or_default() += net;
                }
                if checks.is_clean() {
                    writer.add_lines(&lines).await.map_err(store_err)?;
                }
            }
            Msg::Payouts(payouts) => {
                for p in &payouts {
                    checks.payout(p);
                    *tally
                        .payout_totals
                        .entry(p.currency.to_string())
                        .or_default() += p.amount;
                }
                if checks.is_clean() {
                    writer.add_payouts(&payouts).await.map_err(store_err)?;
                }
            }
            Msg::Orders(orders) => {
                for o in &orders {
                    checks.order(o);
                }
                if checks.is_clean() {
                    writer.add_orders(&orders).await.map_err(store_err)?;
                }
            }
            Msg::Done(result, sha) => {
                done = Some((result, sha));
                break;
            }
        }
    }
    // The parser has sent its last message; a panic in it is a bug to report.
    if let Err(e) = parser.await {
        return Err(ImportError::Parse(ParseError::NotThisFormat {
            file,
            message: format!("the parser failed: {e}"),
        }));
    }
    let Some((result, sha)) = done else {
        return Err(ImportError::Parse(ParseError::NotThisFormat {
            file,
            message: "the parser stopped without a result".into(),
        }));
    };
    let summary_of_file = result?;
    checks.finish(&file)?;
    if sha != batch.sha256 {
        return Err(ImportError::Parse(ParseError::NotThisFormat {
            file,
            message: "the file changed while it was being imported; nothing was imported".into(),
        }));
    }
    let summary = writer.finish(&summary_of_file).await.map_err(store_err)?;
    Ok(Outcome {
        summary,
        file: summary_of_file,
        tally,
    })
}
