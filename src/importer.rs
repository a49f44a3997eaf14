//! Importing channel files: detect the format, parse, and record the result
//! with the original bytes — all or nothing per file, and a file imported
//! twice changes nothing.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::domain::settlement::{Channel, ParsedFile};
use crate::sources::header::normalize_header;
use crate::sources::problems::ParseError;
use crate::sources::{amazon_settlement, problems::ImportProblem, shopify_payouts};
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
}

impl SourceKind {
    pub fn as_str(&self) -> &'static str {
        match self {
            SourceKind::AmazonSettlement => "amazon-settlement",
            SourceKind::ShopifyPayouts => "shopify-payouts",
        }
    }

    pub fn describe(&self) -> &'static str {
        match self {
            SourceKind::AmazonSettlement => "Amazon settlement flat file (legacy layout)",
            SourceKind::ShopifyPayouts => "Shopify Payments transactions export",
        }
    }

    pub fn channel(&self) -> Channel {
        match self {
            SourceKind::AmazonSettlement => Channel::Amazon,
            SourceKind::ShopifyPayouts => Channel::Shopify,
        }
    }
}

/// Detects the format from the file's first line (its header).
pub fn detect(bytes: &[u8]) -> Option<SourceKind> {
    let first = bytes.split(|b| *b == b'\n').next()?;
    let text = String::from_utf8_lossy(first);
    let tabbed: Vec<String> = text.split('\t').map(normalize_header).collect();
    if amazon_settlement::detect(&tabbed) {
        return Some(SourceKind::AmazonSettlement);
    }
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(first);
    let record = reader.records().next()?.ok()?;
    let comma: Vec<String> = record.iter().map(normalize_header).collect();
    shopify_payouts::detect(&comma).then_some(SourceKind::ShopifyPayouts)
}

pub struct ImportRequest<'a> {
    pub file_name: &'a str,
    pub bytes: &'a [u8],
    pub shop: &'a str,
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
    accept_unclassified: bool,
) -> Result<ParsedFile, ParseError> {
    match kind {
        SourceKind::AmazonSettlement => amazon_settlement::parse(
            file,
            bytes,
            amazon_settlement::Options {
                accept_unclassified,
            },
        ),
        SourceKind::ShopifyPayouts => shopify_payouts::parse(
            file,
            bytes,
            shopify_payouts::Options {
                accept_unclassified,
            },
        ),
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
    let parsed = parse(kind, &file, req.bytes, req.accept_unclassified)?;
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
