//! Importing bank statements (camt.053, OFX, CSV in a bank's layout) into
//! the bank accounts of banks.toml: all or nothing per file, the original
//! kept as evidence, and lines the account already has — banks re-send days
//! — counted as duplicates and not written again.

use std::collections::BTreeMap;

use serde::Serialize;
use sha2::{Digest, Sha256};

use super::{ImportError, MAX_FILE_BYTES};
use crate::domain::bank::{BankAccount, BankAccounts, BankCsv, BankStatement};
use crate::domain::settlement::FileSummary;
use crate::sources::bank::{self as parsers, CsvLayout};
use crate::store::evidence::FileChunk;
use crate::store::{BatchSummary, LedgerStore, NewBatch, StoreError, FILE_CHUNK_BYTES};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum BankFormat {
    Camt053,
    Ofx,
    Csv,
}

impl BankFormat {
    pub fn as_str(&self) -> &'static str {
        match self {
            BankFormat::Camt053 => "bank-camt053",
            BankFormat::Ofx => "bank-ofx",
            BankFormat::Csv => "bank-csv",
        }
    }
}

/// camt.053 and OFX say what they are in their first bytes.
pub fn detect_bank(head: &[u8]) -> Option<BankFormat> {
    let head = &head[..head.len().min(4096)];
    let text = String::from_utf8_lossy(head);
    if text.contains("camt.053") || text.contains("BkToCstmrStmt") {
        Some(BankFormat::Camt053)
    } else if text.contains("OFXHEADER") || text.contains("<OFX>") {
        Some(BankFormat::Ofx)
    } else {
        None
    }
}

pub struct BankImportRequest<'a> {
    pub file_name: &'a str,
    /// The bank account named by the user; camt.053 and OFX files are
    /// otherwise routed by the account they name.
    pub bank: Option<&'a str>,
    pub banks: &'a BankAccounts,
    pub actor: &'a str,
}

#[derive(Clone, Debug, Serialize)]
pub struct BankStatementReport {
    pub bank: String,
    pub statement_id: Option<String>,
    pub account: Option<String>,
    pub currency: String,
    pub from: Option<String>,
    pub to: Option<String>,
    pub opening: Option<String>,
    pub closing: Option<String>,
    pub lines: usize,
}

#[derive(Clone, Debug, Serialize)]
pub struct BankImportReport {
    pub file: String,
    pub format: BankFormat,
    pub batch: BatchSummary,
    pub statements: Vec<BankStatementReport>,
    pub warnings: Vec<String>,
}

fn bank_error(file: &str, message: impl Into<String>) -> ImportError {
    ImportError::Bank {
        file: file.to_string(),
        message: message.into(),
    }
}

/// A bank's CSV layout: its preset, or its own table in banks.toml.
pub fn csv_layout_of(bank: &BankAccount) -> Result<CsvLayout, String> {
    match &bank.csv {
        None => Err(format!(
            "bank `{}` has no CSV layout in banks.toml (csv = one of {}, or a [bank.csv_layout] table)",
            bank.name,
            parsers::CSV_PRESETS.join(", ")
        )),
        Some(BankCsv::Preset(p)) => parsers::csv_preset(p).ok_or_else(|| {
            format!(
                "bank `{}`: no CSV preset `{p}` (presets: {})",
                bank.name,
                parsers::CSV_PRESETS.join(", ")
            )
        }),
        Some(BankCsv::Layout(table)) => parsers::csv_layout_from_toml(table)
            .map_err(|e| format!("bank `{}`: csv_layout: {e}", bank.name)),
    }
}

pub async fn import_bank_file(
    store: &dyn LedgerStore,
    bytes: &[u8],
    req: BankImportRequest<'_>,
) -> Result<BankImportReport, ImportError> {
    let file = req.file_name.to_string();
    if bytes.len() > MAX_FILE_BYTES {
        return Err(ImportError::TooLarge {
            file,
            size: bytes.len(),
        });
    }
    if req.banks.is_empty() {
        return Err(bank_error(
            &file,
            "no bank accounts are configured: add gl-mappings/banks.toml (see banks.example.toml)",
        ));
    }
    let named = req
        .bank
        .map(|b| req.banks.get(b))
        .transpose()
        .map_err(|e| bank_error(&file, e.to_string()))?;
    let (format, statements, warnings) = match detect_bank(bytes) {
        Some(BankFormat::Camt053) => (
            BankFormat::Camt053,
            parsers::parse_camt053(bytes, &file).map_err(|e| bank_error(&file, e.to_string()))?,
            Vec::new(),
        ),
        Some(BankFormat::Ofx) => {
            let parsed =
                parsers::parse_ofx(bytes, &file).map_err(|e| bank_error(&file, e.to_string()))?;
            (BankFormat::Ofx, parsed.statements, parsed.warnings)
        }
        _ => {
            let bank = named.ok_or_else(|| {
                bank_error(
                    &file,
                    "a bank CSV needs --bank NAME (the format is the bank's own)",
                )
            })?;
            let layout = csv_layout_of(bank).map_err(|e| bank_error(&file, e))?;
            let statement = parsers::parse_bank_csv(bytes, &file, &layout, bank.currency)
                .map_err(|e| bank_error(&file, e.to_string()))?;
            (BankFormat::Csv, vec![statement], Vec::new())
        }
    };
    // Which bank account each statement belongs to, and that it fits it.
    let mut routed: Vec<(&BankAccount, &BankStatement)> = Vec::new();
    for s in &statements {
        let bank = match (named, s.account.as_deref()) {
            (Some(b), Some(account))
                if b.account.is_some()
                    && b.account.as_deref()
                        != Some(crate::domain::bank::account::normalize_account(account).as_str()) =>
            {
                return Err(bank_error(
                    &file,
                    format!(
                        "statement {} is for account {account}, but bank `{}` is account {}",
                        s.label(),
                        b.name,
                        b.account.as_deref().unwrap_or_default()
                    ),
                ))
            }
            (Some(b), _) => b,
            (None, Some(account)) => req.banks.by_account(account).ok_or_else(|| {
                bank_error(
                    &file,
                    format!(
                        "statement {} is for account {account}, which no bank in banks.toml names (set `account`, or use --bank)",
                        s.label()
                    ),
                )
            })?,
            (None, None) => {
                return Err(bank_error(
                    &file,
                    format!("statement {} names no account: use --bank NAME", s.label()),
                ))
            }
        };
        if s.currency != bank.currency {
            return Err(bank_error(
                &file,
                format!(
                    "statement {} is in {}, but bank `{}` is in {}",
                    s.label(),
                    s.currency.code(),
                    bank.name,
                    bank.currency.code()
                ),
            ));
        }
        routed.push((bank, s));
    }
    let mut names: Vec<&str> = routed.iter().map(|(b, _)| b.name.as_str()).collect();
    names.sort();
    names.dedup();
    let store_err = |source: StoreError| ImportError::Store {
        file: file.clone(),
        source,
    };
    let mut writer = store
        .begin_import(&NewBatch {
            file_name: file.clone(),
            sha256: hex::encode(Sha256::digest(bytes)),
            source_kind: format.as_str().to_string(),
            channel: None,
            shop: names.join(","),
            imported_by: req.actor.to_string(),
            size_bytes: bytes.len() as i64,
        })
        .await
        .map_err(store_err)?;
    for chunk in bytes.chunks(FILE_CHUNK_BYTES) {
        writer
            .add_content(&FileChunk::encode(chunk))
            .await
            .map_err(store_err)?;
    }
    let mut by_bank: BTreeMap<&str, Vec<BankStatement>> = BTreeMap::new();
    for (bank, s) in &routed {
        by_bank
            .entry(bank.name.as_str())
            .or_default()
            .push((*s).clone());
    }
    for (bank, list) in &by_bank {
        writer
            .add_bank_statements(bank, list)
            .await
            .map_err(store_err)?;
    }
    let rows: usize = statements.iter().map(|s| s.lines.len()).sum();
    let batch = writer
        .finish(&FileSummary {
            header: Vec::new(),
            rows_read: rows as u64,
            warnings: warnings.clone(),
        })
        .await
        .map_err(store_err)?;
    Ok(BankImportReport {
        file,
        format,
        batch,
        statements: routed
            .iter()
            .map(|(bank, s)| BankStatementReport {
                bank: bank.name.clone(),
                statement_id: s.statement_id.clone(),
                account: s.account.clone(),
                currency: s.currency.code().to_string(),
                from: s.from.map(|d| d.to_string()),
                to: s.to.map(|d| d.to_string()),
                opening: s.opening.map(|d| d.to_string()),
                closing: s.closing.map(|d| d.to_string()),
                lines: s.lines.len(),
            })
            .collect(),
        warnings,
    })
}
