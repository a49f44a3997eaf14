//! Importing channel files: detect the format, parse, and record the result
//! with the original bytes — all or nothing per file, and a file imported
//! twice changes nothing.
//!
//! `formats` names and recognizes the formats; `pipeline` moves a file's
//! records from its parser into one import transaction.

pub mod bank;
mod formats;
mod pipeline;

use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;
use std::sync::Arc;

use rust_decimal::Decimal;
use serde::Serialize;
use sha2::{Digest, Sha256};

pub use formats::{detect, parse, parse_into, SourceKind};
use pipeline::Input;

use crate::domain::money::Currency;
use crate::domain::shop::{ShopError, Shops};
use crate::sources::problems::{ImportProblem, ParseError};
use crate::sources::workbook;
use crate::sources::ParseOptions;
use crate::store::{BatchSummary, LedgerStore, NewBatch, StoreError};

/// The largest file accepted (the original is kept as evidence).
pub const MAX_FILE_BYTES: usize = 256 * 1024 * 1024;

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
    #[error("{file}: {message}")]
    Bank { file: String, message: String },
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
        channel: Some(kind.channel()),
        shop: shop
            .map(|s| s.name.clone())
            .or_else(|| req.shop.map(str::to_string))
            .unwrap_or_default(),
        imported_by: req.actor.to_string(),
        size_bytes: size as i64,
    };
    let shop_currency = shop.map(|s| (s.name.as_str(), s.currency));
    let outcome = match pipeline::run(store, batch, kind, input, options, shop_currency).await {
        Ok(o) => o,
        // Another import of the same bytes won the race: same outcome.
        Err(ImportError::Store {
            source: StoreError::AlreadyImported { batch, .. },
            ..
        }) => return Ok(ImportReport::AlreadyImported { file, batch }),
        Err(e) => return Err(e),
    };
    let text = |m: &BTreeMap<Currency, Decimal>| {
        m.iter()
            .map(|(c, t)| (c.to_string(), t.to_string()))
            .collect()
    };
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
