//! Importing channel files: detect the format, parse, and record the result
//! with the original bytes — all or nothing per file, and a file imported
//! twice changes nothing.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::domain::money::Currency;
use crate::domain::settlement::{Channel, ParsedFile};
use crate::sources::header::normalize_header;
use crate::sources::problems::ParseError;
use crate::sources::time::Zone;
use crate::sources::ParseOptions;
use crate::sources::{
    amazon_settlement, problems::ImportProblem, shopify_payouts, tiktok_api, tiktok_orders,
    workbook,
};
use crate::store::{BatchSummary, LedgerStore, NewBatch, StoreError};

/// The largest file accepted (the original is kept as evidence).
pub const MAX_FILE_BYTES: usize = 256 * 1024 * 1024;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum SourceKind {
    /// Amazon settlement flat file, legacy 33/36-column layout (TSV)
    AmazonSettlement,
    /// Shopify Payments transactions export (Finance > Payouts > Export), CSV
    ShopifyPayouts,
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
            SourceKind::ShopifyPayouts => "shopify-payouts",
            SourceKind::TikTokOrders => "tiktok-orders",
            SourceKind::TikTokApi => "tiktok-api",
        }
    }

    pub fn describe(&self) -> &'static str {
        match self {
            SourceKind::AmazonSettlement => "Amazon settlement flat file (legacy layout)",
            SourceKind::ShopifyPayouts => "Shopify Payments transactions export",
            SourceKind::TikTokOrders => "TikTok Shop order export",
            SourceKind::TikTokApi => "TikTok Shop finance API statement transactions (JSON)",
        }
    }

    pub fn channel(&self) -> Channel {
        match self {
            SourceKind::AmazonSettlement => Channel::Amazon,
            SourceKind::ShopifyPayouts => Channel::Shopify,
            SourceKind::TikTokOrders | SourceKind::TikTokApi => Channel::TikTok,
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
    (SourceKind::ShopifyPayouts, b',', shopify_payouts::detect),
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
type WorkbookDetect = (SourceKind, fn(&[u8]) -> bool);
const WORKBOOK_FORMATS: &[WorkbookDetect] =
    &[(SourceKind::TikTokOrders, tiktok_orders::detect_workbook)];

fn detect_workbook(bytes: &[u8]) -> Option<SourceKind> {
    WORKBOOK_FORMATS
        .iter()
        .find(|(_, detect)| detect(bytes))
        .map(|(kind, _)| *kind)
}

pub struct ImportRequest<'a> {
    pub file_name: &'a str,
    pub bytes: &'a [u8],
    pub shop: &'a str,
    pub source: Option<SourceKind>,
    pub accept_unclassified: bool,
    /// The shop's zone, for files whose times name none (TikTok's order export).
    pub shop_zone: Option<Zone>,
    /// The shop's currency, for files that name none (TikTok's order export).
    pub shop_currency: Option<Currency>,
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

fn parse(
    kind: SourceKind,
    file: &str,
    bytes: &[u8],
    options: ParseOptions,
) -> Result<ParsedFile, ParseError> {
    match kind {
        SourceKind::AmazonSettlement => amazon_settlement::parse(file, bytes, options),
        SourceKind::ShopifyPayouts => shopify_payouts::parse(file, bytes, options),
        SourceKind::TikTokOrders => tiktok_orders::parse(file, bytes, options),
        SourceKind::TikTokApi => tiktok_api::parse(file, bytes, options),
    }
}

pub async fn import_file(
    store: &dyn LedgerStore,
    req: ImportRequest<'_>,
) -> Result<ImportReport, ImportError> {
    let file = req.file_name.to_string();
    if req.bytes.len() > MAX_FILE_BYTES {
        return Err(ImportError::TooLarge {
            file,
            size: req.bytes.len(),
        });
    }
    let sha256 = hex::encode(Sha256::digest(req.bytes));
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
    let kind = match req.source.or_else(|| detect(req.bytes)) {
        Some(kind) => kind,
        None => return Err(ImportError::UnknownFormat(file)),
    };
    let options = ParseOptions {
        accept_unclassified: req.accept_unclassified,
        shop_zone: req.shop_zone,
        shop_currency: req.shop_currency,
    };
    let parsed = parse(kind, &file, req.bytes, options)?;
    let batch = NewBatch {
        file_name: file.clone(),
        sha256,
        source_kind: kind.as_str().to_string(),
        channel: kind.channel(),
        shop: req.shop.to_string(),
        imported_by: req.actor.to_string(),
    };
    let summary = match store.record_import(&batch, req.bytes, &parsed).await {
        Ok(s) => s,
        // Another import of the same bytes won the race: same outcome.
        Err(StoreError::AlreadyImported { batch, .. }) => {
            return Ok(ImportReport::AlreadyImported { file, batch })
        }
        Err(source) => return Err(ImportError::Store { file, source }),
    };
    let statements = parsed
        .statements
        .iter()
        .map(|st| {
            let lines_total: Decimal = parsed
                .lines
                .iter()
                .filter(|l| l.statement_id == st.statement_id)
                .map(|l| l.net())
                .sum();
            StatementReport {
                statement_id: st.statement_id.clone(),
                currency: st.currency.to_string(),
                declared_total: st.declared_total.map(|t| t.to_string()),
                lines_total: lines_total.to_string(),
            }
        })
        .collect();
    let mut totals: BTreeMap<String, Decimal> = BTreeMap::new();
    for line in &parsed.lines {
        *totals.entry(line.currency.to_string()).or_default() += line.net();
    }
    Ok(ImportReport::Imported {
        file,
        format: kind,
        batch: Box::new(summary),
        statements,
        totals: totals
            .into_iter()
            .map(|(c, t)| (c, t.to_string()))
            .collect(),
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
