//! Importing channel files: detect the format, parse, and record the result
//! with the original bytes — all or nothing per file, and a file imported
//! twice changes nothing.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;
use std::sync::Arc;

use rust_decimal::Decimal;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::domain::settlement::FileSummary;
use crate::domain::settlement::{Channel, ParsedFile};
use crate::domain::shop::{ShopError, Shops};
use crate::import_pipeline::{self, Input};
use crate::sources::header::normalize_header;
use crate::sources::problems::ParseError;
use crate::sources::sink::{emit_all, RecordSink};
use crate::sources::ParseOptions;
use crate::sources::{
    amazon_settlement, amazon_settlement_v2, amazon_transactions, problems::ImportProblem,
    shopify_orders, shopify_payouts, tiktok_api, tiktok_income, tiktok_orders, tiktok_statement,
    walmart_recon, workbook,
};
use crate::store::{BatchSummary, LedgerStore, NewBatch, StoreError};

/// The largest file accepted (the original is kept as evidence).
pub const MAX_FILE_BYTES: usize = 256 * 1024 * 1024;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum SourceKind {
    /// Amazon settlement flat file, legacy 33/36-column layout (TSV)
    AmazonSettlement,
    /// Amazon settlement flat file V2 (amount-type/amount-description/amount), TSV
    AmazonSettlementV2,
    /// Amazon date range transaction report (Payments > Reports Repository), CSV
    AmazonTransactions,
    /// Shopify Payments transactions export (Finance > Payouts > Export), CSV
    ShopifyPayouts,
    /// Shopify orders export (Orders > Export), CSV
    ShopifyOrders,
    /// TikTok Shop income workbook (Finance > Income > Export), XLSX, or its Order details as CSV
    #[value(name = "tiktok-income")]
    #[serde(rename = "tiktok-income")]
    TikTokIncome,
    /// TikTok Shop US statement (P&L) workbook, merchant_statement_profit_loss_*.xlsx
    #[value(name = "tiktok-statement")]
    #[serde(rename = "tiktok-statement")]
    TikTokStatement,
    /// Walmart Marketplace reconciliation report (recon report v1), CSV or TSV
    WalmartRecon,
    /// TikTok Shop order export (Orders > Manage orders > Export), CSV or XLSX
    #[serde(rename = "tiktok-orders")]
    #[value(name = "tiktok-orders")]
    TikTokOrders,
    /// TikTok Shop finance API statement transactions (202309 or 202501), JSON
    #[serde(rename = "tiktok-api")]
    #[value(name = "tiktok-api")]
    TikTokApi,
}

impl SourceKind {
    /// The kebab-case name `--source` and JSON reports use.
    pub fn as_str(&self) -> &'static str {
        match self {
            SourceKind::AmazonSettlement => "amazon-settlement",
            SourceKind::AmazonSettlementV2 => "amazon-settlement-v2",
            SourceKind::AmazonTransactions => "amazon-transactions",
            SourceKind::ShopifyPayouts => "shopify-payouts",
            SourceKind::ShopifyOrders => "shopify-orders",
            SourceKind::TikTokIncome => "tiktok-income",
            SourceKind::TikTokStatement => "tiktok-statement",
            SourceKind::WalmartRecon => "walmart-recon",
            SourceKind::TikTokOrders => "tiktok-orders",
            SourceKind::TikTokApi => "tiktok-api",
        }
    }

    pub fn describe(&self) -> &'static str {
        match self {
            SourceKind::AmazonSettlement => "Amazon settlement flat file (legacy layout)",
            SourceKind::AmazonSettlementV2 => "Amazon settlement flat file V2",
            SourceKind::AmazonTransactions => "Amazon date range transaction report",
            SourceKind::ShopifyPayouts => "Shopify Payments transactions export",
            SourceKind::ShopifyOrders => "Shopify orders export",
            SourceKind::TikTokIncome => "TikTok Shop income workbook (Order details)",
            SourceKind::TikTokStatement => "TikTok Shop US statement (P&L) workbook",
            SourceKind::WalmartRecon => "Walmart reconciliation report",
            SourceKind::TikTokOrders => "TikTok Shop order export",
            SourceKind::TikTokApi => "TikTok Shop finance API statement transactions (JSON)",
        }
    }

    pub fn channel(&self) -> Channel {
        match self {
            SourceKind::AmazonSettlement
            | SourceKind::AmazonSettlementV2
            | SourceKind::AmazonTransactions => Channel::Amazon,
            SourceKind::ShopifyPayouts | SourceKind::ShopifyOrders => Channel::Shopify,
            SourceKind::TikTokIncome
            | SourceKind::TikTokStatement
            | SourceKind::TikTokOrders
            | SourceKind::TikTokApi => Channel::TikTok,
            SourceKind::WalmartRecon => Channel::Walmart,
        }
    }
}

/// How many lines may stand above a text file's header (Amazon's
/// date-range report has up to 9 lines of preamble).
const HEADER_SEARCH_LINES: usize = 12;

/// Text formats, recognized by their normalized header: (kind, delimiter, detect).
type TextDetect = (SourceKind, u8, fn(&[String]) -> bool);
const TEXT_FORMATS: &[TextDetect] = &[
    (
        SourceKind::AmazonSettlement,
        b'\t',
        amazon_settlement::detect,
    ),
    (
        SourceKind::AmazonSettlementV2,
        b'\t',
        amazon_settlement_v2::detect,
    ),
    (
        SourceKind::AmazonTransactions,
        b',',
        amazon_transactions::detect,
    ),
    (SourceKind::ShopifyPayouts, b',', shopify_payouts::detect),
    (SourceKind::ShopifyOrders, b',', shopify_orders::detect),
    (SourceKind::TikTokIncome, b',', tiktok_income::detect),
    (SourceKind::WalmartRecon, b',', walmart_recon::detect),
    (SourceKind::WalmartRecon, b'\t', walmart_recon::detect),
    (SourceKind::TikTokOrders, b',', tiktok_orders::detect),
];

/// Detects the format: a workbook by its sheets, JSON by its fields, a text
/// file by a header among its first lines.
pub fn detect(bytes: &[u8]) -> Option<SourceKind> {
    if workbook::is_zip(bytes) {
        return detect_workbook(bytes);
    }
    if tiktok_api::detect(bytes) {
        return Some(SourceKind::TikTokApi);
    }
    let head = &bytes[..bytes.len().min(64 * 1024)];
    for line in head.split(|b| *b == b'\n').take(HEADER_SEARCH_LINES) {
        for (kind, delimiter, detect) in TEXT_FORMATS {
            let mut reader = csv::ReaderBuilder::new()
                .has_headers(false)
                .flexible(true)
                .delimiter(*delimiter)
                .quoting(*delimiter != b'\t')
                .from_reader(line);
            let Some(Ok(record)) = reader.byte_records().next() else {
                continue;
            };
            let names: Vec<String> = record
                .iter()
                .map(|c| normalize_header(&String::from_utf8_lossy(c)))
                .collect();
            if detect(&names) {
                return Some(*kind);
            }
        }
    }
    None
}

/// Workbook formats, recognized by their sheets and headers.
fn detect_workbook(bytes: &[u8]) -> Option<SourceKind> {
    let mut workbook = workbook::Workbook::open("detect", bytes).ok()?;
    if tiktok_income::detect_workbook(&mut workbook) {
        return Some(SourceKind::TikTokIncome);
    }
    if tiktok_statement::detect_workbook(&mut workbook) {
        return Some(SourceKind::TikTokStatement);
    }
    if tiktok_orders::detect_workbook(bytes) {
        return Some(SourceKind::TikTokOrders);
    }
    None
}

pub struct ImportRequest<'a> {
    /// The file's name as the user knows it (recorded with the batch).
    pub file_name: &'a str,
    /// The shop named by the user; without one, the only configured shop of
    /// the file's channel (or none when `shops` has none).
    pub shop: Option<&'a str>,
    pub shops: &'a Shops,
    pub source: Option<SourceKind>,
    pub accept_unclassified: bool,
    pub actor: &'a str,
}

#[derive(Clone, Debug, Serialize)]
pub struct StatementReport {
    pub statement_id: String,
    pub currency: String,
    pub declared_total: Option<String>,
    pub lines_total: String,
}

#[derive(Clone, Debug, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum ImportReport {
    Imported {
        file: String,
        format: SourceKind,
        batch: Box<BatchSummary>,
        statements: Vec<StatementReport>,
        /// Σ of the file's lines per currency.
        totals: BTreeMap<String, String>,
        /// Σ of the file's payouts per currency.
        payout_totals: BTreeMap<String, String>,
        warnings: Vec<String>,
    },
    AlreadyImported {
        file: String,
        batch: i64,
    },
}

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("{file}: {size} bytes is above the limit of {MAX_FILE_BYTES} bytes")]
    TooLarge { file: String, size: usize },
    #[error("{0}: the format is not recognized (use --source to say what it is)")]
    UnknownFormat(String),
    #[error("{file}: {source}")]
    Shop { file: String, source: ShopError },
    #[error("{file}: cannot read: {message}")]
    Read { file: String, message: String },
    #[error(transparent)]
    Parse(#[from] ParseError),
    #[error("{file}: {source}")]
    Store { file: String, source: StoreError },
}

impl ImportError {
    /// The problems behind a parse error, for JSON output.
    pub fn problems(&self) -> Vec<ImportProblem> {
        match self {
            ImportError::Parse(ParseError::Problems { problems, .. }) => problems.clone(),
            _ => Vec::new(),
        }
    }
}

/// Parses `bytes` as `kind`, without storing anything (also the entry point
/// of the fuzz targets in `fuzz/`).
pub fn parse(
    kind: SourceKind,
    file: &str,
    bytes: &[u8],
    options: ParseOptions,
) -> Result<ParsedFile, ParseError> {
    match kind {
        SourceKind::AmazonSettlement => amazon_settlement::parse(file, bytes, options),
        SourceKind::AmazonSettlementV2 => amazon_settlement_v2::parse(file, bytes, options),
        SourceKind::AmazonTransactions => amazon_transactions::parse(file, bytes, options),
        SourceKind::ShopifyPayouts => shopify_payouts::parse(file, bytes, options),
        SourceKind::ShopifyOrders => shopify_orders::parse(file, bytes, options),
        SourceKind::TikTokIncome => tiktok_income::parse(file, bytes, options),
        SourceKind::TikTokStatement => tiktok_statement::parse(file, bytes, options),
        SourceKind::WalmartRecon => walmart_recon::parse(file, bytes, options),
        SourceKind::TikTokOrders => tiktok_orders::parse(file, bytes, options),
        SourceKind::TikTokApi => tiktok_api::parse(file, bytes, options),
    }
}

/// Parses `input` as `kind` and hands its records to `sink` as it goes.
/// Formats that stream read row by row; the others (workbooks, JSON, small
/// settlement files) read the whole input first.
pub fn parse_into(
    kind: SourceKind,
    file: &str,
    input: &mut dyn Read,
    options: ParseOptions,
    sink: &mut dyn RecordSink,
) -> Result<FileSummary, ParseError> {
    match kind {
        SourceKind::ShopifyPayouts => shopify_payouts::parse_into(file, input, options, sink),
        SourceKind::TikTokIncome => tiktok_income::parse_into(file, input, options, sink),
        _ => {
            let mut bytes = Vec::new();
            input
                .read_to_end(&mut bytes)
                .map_err(|e| ParseError::NotThisFormat {
                    file: file.into(),
                    message: format!("cannot read: {e}"),
                })?;
            let parsed = parse(kind, file, &bytes, options)?;
            let summary = parsed.summary();
            emit_all(parsed, sink);
            Ok(summary)
        }
    }
}

/// Imports a file held in memory (an upload, a test).
pub async fn import_file(
    store: &dyn LedgerStore,
    bytes: &[u8],
    req: ImportRequest<'_>,
) -> Result<ImportReport, ImportError> {
    let file = req.file_name.to_string();
    if bytes.len() > MAX_FILE_BYTES {
        return Err(ImportError::TooLarge {
            file,
            size: bytes.len(),
        });
    }
    let sha256 = hex::encode(Sha256::digest(bytes));
    let bytes: Arc<[u8]> = Arc::from(bytes);
    import_input(
        store,
        &req,
        Input::Bytes(bytes.clone()),
        sha256,
        bytes.len(),
        &bytes,
    )
    .await
}

/// Imports a file from disk, streaming: it is read twice (once for its
/// hash, once to parse and store) and never held whole in memory, except a
/// workbook, which must be (a zip is read from its end).
pub async fn import_path(
    store: &dyn LedgerStore,
    path: &Path,
    req: ImportRequest<'_>,
) -> Result<ImportReport, ImportError> {
    let file = req.file_name.to_string();
    let cannot = |e: std::io::Error| ImportError::Read {
        file: file.clone(),
        message: e.to_string(),
    };
    let owned = path.to_path_buf();
    let (sha256, size, head) = tokio::task::spawn_blocking(move || hash_file(&owned))
        .await
        .map_err(|e| ImportError::Read {
            file: file.clone(),
            message: e.to_string(),
        })?
        .map_err(cannot)?;
    if size > MAX_FILE_BYTES {
        return Err(ImportError::TooLarge { file, size });
    }
    // A workbook is read from its end and JSON is parsed whole (and told
    // apart only by its whole shape): both are read into memory.
    if workbook::is_zip(&head) || looks_like_json(&head) {
        let bytes: Arc<[u8]> = Arc::from(std::fs::read(path).map_err(cannot)?);
        return import_input(
            store,
            &req,
            Input::Bytes(bytes.clone()),
            sha256,
            size,
            &bytes,
        )
        .await;
    }
    import_input(
        store,
        &req,
        Input::Path(path.to_path_buf()),
        sha256,
        size,
        &head,
    )
    .await
}

/// Whether a file starts like JSON (after a BOM and white space).
fn looks_like_json(head: &[u8]) -> bool {
    let head = head.strip_prefix(b"\xef\xbb\xbf").unwrap_or(head);
    matches!(
        head.iter().find(|b| !b.is_ascii_whitespace()),
        Some(b'{') | Some(b'[')
    )
}

/// SHA-256, size and the first 64 KiB of a file, reading it once.
fn hash_file(path: &Path) -> std::io::Result<(String, usize, Vec<u8>)> {
    let mut f = std::fs::File::open(path)?;
    let mut sha = Sha256::new();
    let mut head = Vec::new();
    let mut size = 0usize;
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = f.read(&mut buf)?;
        if n == 0 {
            break;
        }
        if head.len() < HEAD_BYTES {
            let take = (HEAD_BYTES - head.len()).min(n);
            head.extend_from_slice(&buf[..take]);
        }
        sha.update(&buf[..n]);
        size += n;
    }
    Ok((hex::encode(sha.finalize()), size, head))
}

/// Bytes looked at to recognize a text format.
const HEAD_BYTES: usize = 64 * 1024;

async fn import_input(
    store: &dyn LedgerStore,
    req: &ImportRequest<'_>,
    input: Input,
    sha256: String,
    size: usize,
    head: &[u8],
) -> Result<ImportReport, ImportError> {
    let file = req.file_name.to_string();
    let store_err = |source| ImportError::Store {
        file: file.clone(),
        source,
    };
    if let Some(batch) = store.batch_by_sha256(&sha256).await.map_err(store_err)? {
        return Ok(ImportReport::AlreadyImported {
            file,
            batch: batch.id,
        });
    }
    let kind = match req.source.or_else(|| detect(head)) {
        Some(kind) => kind,
        None => return Err(ImportError::UnknownFormat(file)),
    };
    let shop = req
        .shops
        .resolve(req.shop, kind.channel())
        .map_err(|source| ImportError::Shop {
            file: file.clone(),
            source,
        })?;
    let options = ParseOptions {
        accept_unclassified: req.accept_unclassified,
        shop_zone: shop.map(|s| s.time_zone),
        shop_currency: shop.map(|s| s.currency),
    };
    let batch = NewBatch {
        file_name: file.clone(),
        sha256,
        source_kind: kind.as_str().to_string(),
        channel: kind.channel(),
        shop: shop
            .map(|s| s.name.clone())
            .or_else(|| req.shop.map(str::to_string))
            .unwrap_or_default(),
        imported_by: req.actor.to_string(),
        size_bytes: size as i64,
    };
    let shop_currency = shop.map(|s| (s.name.as_str(), s.currency));
    let outcome =
        match import_pipeline::run(store, batch, kind, input, options, shop_currency).await {
            Ok(o) => o,
            // Another import of the same bytes won the race: same outcome.
            Err(ImportError::Store {
                source: StoreError::AlreadyImported { batch, .. },
                ..
            }) => return Ok(ImportReport::AlreadyImported { file, batch }),
            Err(e) => return Err(e),
        };
    let text =
        |m: &BTreeMap<String, Decimal>| m.iter().map(|(c, t)| (c.clone(), t.to_string())).collect();
    Ok(ImportReport::Imported {
        file,
        format: kind,
        batch: Box::new(outcome.summary),
        statements: outcome.tally.statement_reports(),
        totals: text(&outcome.tally.totals),
        payout_totals: text(&outcome.tally.payout_totals),
        warnings: outcome.file.warnings,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::ValueEnum;

    #[test]
    fn every_kind_has_one_name_for_cli_json_and_store() {
        for kind in SourceKind::value_variants() {
            let cli = kind.to_possible_value().expect("not skipped");
            assert_eq!(cli.get_name(), kind.as_str());
            assert_eq!(serde_json::to_value(kind).unwrap(), kind.as_str());
        }
    }
}
