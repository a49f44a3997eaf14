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

use super::{parse_into, ImportError, SourceKind, StatementReport};
use crate::domain::money::Currency;
use crate::domain::order::Order;
use crate::domain::payout::Payout;
use crate::domain::settlement::{FileSummary, SettlementLine, Statement};
use crate::sources::checks::RecordChecks;
use crate::sources::problems::ParseError;
use crate::sources::sink::RecordSink;
use crate::sources::ParseOptions;
use crate::store::evidence::FileChunk;
use crate::store::{
    BatchSummary, ComponentLabel, ComponentNumbering, LedgerStore, NewBatch, PreparedLine,
    StoreError, FILE_CHUNK_BYTES,
};

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
    Content(FileChunk),
    Statements(Vec<Statement>),
    /// Lines, after the (code, label) pairs numbered since the last.
    Lines(Vec<ComponentLabel>, Vec<PreparedLine>),
    Payouts(Vec<Payout>),
    Orders(Vec<Order>),
    Done(Box<Ending>),
}

/// How the parser thread ended: the parse, the SHA-256 of what it read, and
/// what the record checks and the tally found.
struct Ending {
    result: Result<FileSummary, ParseError>,
    sha256: String,
    checks: RecordChecks,
    tally: Tally,
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
    /// Sends the bytes gathered, deflated here on the parser's thread (the
    /// writer's is the import's bottleneck).
    fn flush(&mut self) {
        if !self.buf.is_empty() {
            let chunk = FileChunk::encode(&self.buf);
            self.buf.clear();
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

/// Checks each record, counts it in the tally and sends it in chunks, with
/// settlement lines prepared for storing (hashes, JSON) here on the parser's
/// thread, so the writer only writes. Once a check fails nothing more is
/// sent: the file will be refused, and every problem is still collected.
struct ChannelSink {
    tx: mpsc::Sender<Msg>,
    checks: RecordChecks,
    tally: Tally,
    statements: Vec<Statement>,
    lines: Vec<PreparedLine>,
    numbering: ComponentNumbering,
    payouts: Vec<Payout>,
    orders: Vec<Order>,
}

impl ChannelSink {
    fn flush(&mut self) {
        if !self.checks.is_clean() {
            self.statements.clear();
            self.lines.clear();
            self.payouts.clear();
            self.orders.clear();
            return;
        }
        if !self.statements.is_empty() {
            let _ = self
                .tx
                .blocking_send(Msg::Statements(std::mem::take(&mut self.statements)));
        }
        if !self.lines.is_empty() {
            let _ = self.tx.blocking_send(Msg::Lines(
                self.numbering.take_new(),
                std::mem::take(&mut self.lines),
            ));
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
        self.checks.statement(&statement);
        self.tally.statements.push((
            statement.statement_id.clone(),
            statement.currency.to_string(),
            statement.declared_total,
        ));
        self.statements.push(statement);
        if self.statements.len() >= CHUNK_RECORDS {
            self.flush();
        }
    }
    fn line(&mut self, line: SettlementLine) {
        self.checks.line(&line);
        let net = line.net();
        match self.tally.by_statement.get_mut(&line.statement_id) {
            Some(total) => *total += net,
            None => {
                self.tally
                    .by_statement
                    .insert(line.statement_id.clone(), net);
            }
        }
        *self.tally.totals.entry(line.currency).or_default() += net;
        if self.checks.is_clean() {
            match PreparedLine::new(line, &mut self.numbering) {
                Ok(prepared) => self.lines.push(prepared),
                Err(e) => self.checks.refuse(None, e.to_string()),
            }
        }
        if self.lines.len() >= CHUNK_RECORDS {
            self.flush();
        }
    }
    fn payout(&mut self, payout: Payout) {
        self.checks.payout(&payout);
        *self.tally.payout_totals.entry(payout.currency).or_default() += payout.amount;
        self.payouts.push(payout);
        if self.payouts.len() >= CHUNK_RECORDS {
            self.flush();
        }
    }
    fn order(&mut self, order: Order) {
        self.checks.order(&order);
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
    checks: RecordChecks,
    tx: mpsc::Sender<Msg>,
) {
    let reader: Box<dyn Read> = match input {
        Input::Bytes(bytes) => Box::new(Cursor::new(bytes)),
        Input::Path(path) => match std::fs::File::open(&path) {
            Ok(f) => Box::new(std::io::BufReader::with_capacity(1 << 16, f)),
            Err(e) => {
                let _ = tx.blocking_send(Msg::Done(Box::new(Ending {
                    result: Err(ParseError::NotThisFormat {
                        file: file.clone(),
                        message: format!("cannot read: {e}"),
                    }),
                    sha256: String::new(),
                    checks,
                    tally: Tally::default(),
                })));
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
        checks,
        tally: Tally::default(),
        statements: Vec::new(),
        lines: Vec::new(),
        numbering: ComponentNumbering::new(),
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
    let _ = tx.blocking_send(Msg::Done(Box::new(Ending {
        result,
        sha256: hex::encode(tee.sha.finalize()),
        checks: sink.checks,
        tally: sink.tally,
    })));
}

/// What the report says beyond the batch's counts.
#[derive(Default)]
pub(crate) struct Tally {
    statements: Vec<(String, String, Option<Decimal>)>,
    by_statement: BTreeMap<String, Decimal>,
    pub totals: BTreeMap<Currency, Decimal>,
    pub payout_totals: BTreeMap<Currency, Decimal>,
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
    let checks = RecordChecks::new(shop);
    let parser = tokio::task::spawn_blocking(move || {
        run_parser(kind, parser_file, input, options, checks, tx)
    });
    let mut ending = None;
    while let Some(msg) = rx.recv().await {
        match msg {
            Msg::Content(chunk) => writer.add_content(&chunk).await.map_err(store_err)?,
            Msg::Statements(statements) => writer
                .add_statements(&statements)
                .await
                .map_err(store_err)?,
            Msg::Lines(labels, lines) => {
                writer.add_lines(&labels, &lines).await.map_err(store_err)?
            }
            Msg::Payouts(payouts) => writer.add_payouts(&payouts).await.map_err(store_err)?,
            Msg::Orders(orders) => writer.add_orders(&orders).await.map_err(store_err)?,
            Msg::Done(end) => {
                ending = Some(end);
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
    let Some(ending) = ending else {
        return Err(ImportError::Parse(ParseError::NotThisFormat {
            file,
            message: "the parser stopped without a result".into(),
        }));
    };
    let Ending {
        result,
        sha256,
        checks,
        tally,
    } = *ending;
    let summary_of_file = result?;
    checks.finish(&file)?;
    if sha256 != batch.sha256 {
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
