//! The product's workflows, shared by the command line and the web app:
//! import files (and book them), reconcile, gather the close report. Each
//! takes the mapping directory and who is acting; neither edge adds logic.

pub mod text;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::bank_reconcile::BankReport;
use crate::domain::close::CloseReport;
use crate::domain::{AccountCode, ChartOfAccounts, Period};
use crate::gl_mappings;
use crate::importer::{self, ImportReport, ImportRequest, SourceKind};
use crate::reconcile::{self, ReconcileReport, Scope};
use crate::store::{LedgerStore, StoreError};

/// The chart as stored; a database without one was never initialised.
pub async fn stored_chart(store: &dyn LedgerStore) -> anyhow::Result<ChartOfAccounts> {
    let chart = store.chart().await?;
    if chart.is_empty() {
        anyhow::bail!("this database has no chart of accounts yet: run `settlebridge init` first");
    }
    Ok(chart)
}

/// Loads the chart, shops and mappings and reconciles. A whole reconcile
/// (no shop, no period) also matches bank deposits.
pub async fn reconcile_all(
    mappings_dir: &Path,
    store: &dyn LedgerStore,
    scope: Scope<'_>,
    actor: &str,
) -> anyhow::Result<ReconcileReport> {
    let chart = stored_chart(store).await?;
    let shops = gl_mappings::load_shops(mappings_dir, &chart)?;
    let mappings = gl_mappings::load_mappings(mappings_dir, &chart)?;
    let rate_cards = rate_cards_for_booking(mappings_dir);
    record_mapping_versions(store, &mappings, actor).await?;
    let mut report =
        reconcile::reconcile(store, &chart, &mappings, &shops, &rate_cards, scope, actor).await?;
    // Deposits are matched against every shop's payouts, so only a whole
    // reconcile (not one shop's, not one month's) moves them.
    if scope.shop.is_none() && scope.period.is_none() {
        let banks = gl_mappings::load_banks(mappings_dir, &chart)?;
        report.banks = crate::bank_reconcile::reconcile_banks(
            store,
            &chart,
            &mappings,
            &shops,
            &rate_cards,
            &banks,
            actor,
        )
        .await?;
    }
    Ok(report)
}

/// The rate cards a reconcile folds the close basis with. Booking does not
/// depend on them, so a broken rates.toml is a warning here (the close
/// report, which does, refuses it with the file's own message).
fn rate_cards_for_booking(mappings_dir: &Path) -> crate::domain::rate_card::RateCards {
    gl_mappings::load_rate_cards(mappings_dir).unwrap_or_else(|e| {
        tracing::warn!("{e}: the close basis is kept without rate cards");
        Default::default()
    })
}

/// The audit log records a mapping change when a reconcile first books
/// with it: the file, its new version and the one it replaces.
pub async fn record_mapping_versions(
    store: &dyn LedgerStore,
    mappings: &gl_mappings::Mappings,
    actor: &str,
) -> anyhow::Result<()> {
    const ACTION: &str = "mappings.version";
    let mut known: std::collections::HashMap<String, String> = Default::default();
    let mut before = None;
    loop {
        let page = store.audit_log(before, 500, Some(ACTION)).await?;
        let Some(last) = page.last() else { break };
        before = Some(last.id);
        for r in page {
            // Newest first: the first seen per file is its current version.
            if let (Some(file), Some(detail)) = (r.subject, r.detail) {
                let version = detail
                    .split_whitespace()
                    .next()
                    .unwrap_or_default()
                    .to_string();
                known.entry(file).or_insert(version);
            }
        }
    }
    for channel in gl_mappings::MAPPED_CHANNELS {
        let gl_mappings::ChannelMapping::Loaded(m) = mappings.status(channel) else {
            continue;
        };
        let file = mappings.path(channel).display().to_string();
        let previous = known.get(&file);
        if previous.map(String::as_str) == Some(m.version()) {
            continue;
        }
        let detail = match previous {
            Some(p) => format!("{} (was {p})", m.version()),
            None => m.version().to_string(),
        };
        store
            .record_audit(crate::store::NewAudit {
                actor,
                action: ACTION,
                subject: Some(&file),
                detail: Some(&detail),
                remote: None,
            })
            .await?;
    }
    Ok(())
}

/// Matches payouts to bank deposits and books the deposits.
pub async fn reconcile_banks(
    mappings_dir: &Path,
    store: &dyn LedgerStore,
    actor: &str,
) -> anyhow::Result<Vec<BankReport>> {
    let chart = stored_chart(store).await?;
    let banks = gl_mappings::load_banks(mappings_dir, &chart)?;
    if banks.is_empty() {
        return Ok(Vec::new());
    }
    let shops = gl_mappings::load_shops(mappings_dir, &chart)?;
    let mappings = gl_mappings::load_mappings(mappings_dir, &chart)?;
    let rate_cards = rate_cards_for_booking(mappings_dir);
    Ok(crate::bank_reconcile::reconcile_banks(
        store,
        &chart,
        &mappings,
        &shops,
        &rate_cards,
        &banks,
        actor,
    )
    .await?)
}

/// A file to import: the name people know it by and where its bytes are.
#[derive(Clone, Debug)]
pub struct FileToImport {
    pub name: String,
    pub path: PathBuf,
}

#[derive(Clone, Debug, Default)]
pub struct ImportOptions<'a> {
    pub shop: Option<&'a str>,
    pub bank: Option<&'a str>,
    pub source: Option<SourceKind>,
    pub accept_unclassified: bool,
    /// Match and book what was imported, afterwards.
    pub reconcile: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FileOutcome {
    Imported,
    AlreadyImported,
    Failed,
}

/// One file's result: the words the command line prints, and the record.
#[derive(Clone, Debug, Serialize)]
pub struct FileResult {
    pub file: String,
    pub outcome: FileOutcome,
    pub text: String,
    pub problems: Vec<String>,
    /// The import batch, when one was written (or already there).
    pub batch: Option<i64>,
    #[serde(skip)]
    pub json: serde_json::Value,
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct ImportRun {
    pub files: Vec<FileResult>,
    pub reconcile: Option<ReconcileReport>,
    /// Why the imported files could not be booked (they stay imported).
    pub booking_errors: Vec<String>,
}

impl ImportRun {
    /// A file failed or booking did: the command exits 1.
    pub fn failed(&self) -> bool {
        self.files.iter().any(|f| f.outcome == FileOutcome::Failed)
            || !self.booking_errors.is_empty()
    }
}

/// Imports each file completely or not at all (each file stands on its own),
/// then books the shops that got new records.
pub async fn import_files(
    mappings_dir: &Path,
    store: &dyn LedgerStore,
    files: &[FileToImport],
    options: &ImportOptions<'_>,
    actor: &str,
) -> anyhow::Result<ImportRun> {
    let chart = store.chart().await?;
    let shops = gl_mappings::load_shops(mappings_dir, &chart)?;
    let mut run = ImportRun::default();
    // The shops new records were imported for: the ones to book afterwards.
    let mut touched: BTreeSet<String> = Default::default();
    let mut bank_imported = false;
    for file in files {
        let name = file.name.as_str();
        if is_bank_file(&file.path, options.bank.is_some()) {
            let outcome = import_bank(
                mappings_dir,
                store,
                &chart,
                &file.path,
                name,
                options.bank,
                actor,
            )
            .await;
            run.files.push(match outcome {
                Ok(report) => {
                    bank_imported = true;
                    FileResult {
                        file: name.to_string(),
                        outcome: FileOutcome::Imported,
                        text: text::render_bank_import(&report),
                        problems: Vec::new(),
                        batch: Some(report.batch.id),
                        json: serde_json::to_value(&report)?,
                    }
                }
                Err(e) => failure(name, e),
            });
            continue;
        }
        let request = ImportRequest {
            file_name: name,
            shop: options.shop,
            shops: &shops,
            source: options.source,
            accept_unclassified: options.accept_unclassified,
            actor,
        };
        run.files.push(
            match importer::import_path(store, &file.path, request).await {
                Ok(report) => {
                    let (outcome, batch) = match &report {
                        ImportReport::Imported { batch, .. } => {
                            touched.insert(batch.shop.clone());
                            (FileOutcome::Imported, batch.id)
                        }
                        ImportReport::AlreadyImported { batch, .. } => {
                            (FileOutcome::AlreadyImported, *batch)
                        }
                    };
                    FileResult {
                        file: name.to_string(),
                        outcome,
                        text: text::render_import(&report),
                        problems: Vec::new(),
                        batch: Some(batch),
                        json: serde_json::to_value(&report)?,
                    }
                }
                Err(e) => failure(name, e),
            },
        );
    }
    if options.reconcile && !touched.is_empty() {
        let mut all = ReconcileReport::default();
        let mut outcome = Ok(());
        for shop in &touched {
            let scope = Scope {
                shop: Some(shop),
                period: None,
            };
            match reconcile_all(mappings_dir, store, scope, actor).await {
                Ok(report) => all.shops.extend(report.shops),
                Err(e) => {
                    outcome = Err(e);
                    break;
                }
            }
        }
        if outcome.is_ok() && !bank_imported {
            // New payouts may explain deposits already imported.
            match reconcile_banks(mappings_dir, store, actor).await {
                Ok(b) => all.banks = b,
                Err(e) => outcome = Err(e),
            }
        }
        match outcome {
            Ok(()) => run.reconcile = Some(all),
            Err(e) => run.booking_errors.push(format!(
                "imported, but not booked: {e:#}\n(fix the cause and run `settlebridge reconcile`)"
            )),
        }
    }
    if options.reconcile && bank_imported {
        match reconcile_banks(mappings_dir, store, actor).await {
            Ok(b) => run.reconcile.get_or_insert_with(Default::default).banks = b,
            Err(e) => run.booking_errors.push(format!(
                "imported, but deposits not matched: {e:#}\n(fix the cause and run `settlebridge reconcile`)"
            )),
        }
    }
    Ok(run)
}

fn failure(name: &str, e: importer::ImportError) -> FileResult {
    let already = match &e {
        importer::ImportError::Store {
            source: StoreError::AlreadyImported { batch, .. },
            ..
        } => Some(*batch),
        _ => None,
    };
    let problems: Vec<String> = e.problems().iter().map(|p| p.to_string()).collect();
    let outcome = if already.is_some() {
        FileOutcome::AlreadyImported
    } else {
        FileOutcome::Failed
    };
    let json = if already.is_some() {
        serde_json::json!({"file": name, "outcome": "already_imported", "error": e.to_string()})
    } else {
        serde_json::json!({"file": name, "outcome": "failed", "error": e.to_string(), "problems": problems})
    };
    FileResult {
        file: name.to_string(),
        outcome,
        text: e.to_string(),
        problems,
        batch: already,
        json,
    }
}

/// A bank statement: camt.053 or OFX by their first bytes, or any file
/// when a bank account is named.
fn is_bank_file(path: &Path, bank_named: bool) -> bool {
    if bank_named {
        return true;
    }
    let mut head = vec![0u8; 4096];
    let n = std::fs::File::open(path)
        .and_then(|mut f| std::io::Read::read(&mut f, &mut head))
        .unwrap_or(0);
    importer::bank::detect_bank(&head[..n]).is_some()
}

async fn import_bank(
    mappings_dir: &Path,
    store: &dyn LedgerStore,
    chart: &ChartOfAccounts,
    path: &Path,
    name: &str,
    bank: Option<&str>,
    actor: &str,
) -> Result<importer::bank::BankImportReport, importer::ImportError> {
    let banks =
        gl_mappings::load_banks(mappings_dir, chart).map_err(|e| importer::ImportError::Bank {
            file: name.to_string(),
            message: e.to_string(),
        })?;
    let size = std::fs::metadata(path)
        .map(|m| m.len() as usize)
        .unwrap_or(0);
    if size > importer::MAX_FILE_BYTES {
        return Err(importer::ImportError::TooLarge {
            file: name.to_string(),
            size,
        });
    }
    let bytes = std::fs::read(path).map_err(|e| importer::ImportError::Read {
        file: name.to_string(),
        message: e.to_string(),
    })?;
    importer::bank::import_bank_file(
        store,
        &bytes,
        importer::bank::BankImportRequest {
            file_name: name,
            bank,
            banks: &banks,
            actor,
        },
    )
    .await
}

/// Everything the month-end close report shows: one report per shop, and the
/// bank section when the report is not for one shop only.
#[derive(Clone, Debug, Serialize)]
pub struct ClosePackage {
    pub period: Period,
    pub shops: Vec<CloseReport>,
    pub banks: Vec<crate::bank_report::BankClose>,
}

/// The close report of every shop (or one) and the bank section; `full`
/// lists every orphan line, variance and fee overcharge (read from the
/// records: slower) instead of the first 200 of each.
pub async fn close_package(
    mappings_dir: &Path,
    store: &dyn LedgerStore,
    period: Period,
    shop: Option<&str>,
    full: bool,
) -> anyhow::Result<ClosePackage> {
    let chart = stored_chart(store).await?;
    let shops = gl_mappings::load_shops(mappings_dir, &chart)?;
    let mappings = gl_mappings::load_mappings_for_reading(mappings_dir, &chart)?;
    let cards = gl_mappings::load_rate_cards(mappings_dir)?;
    let reports = if full {
        crate::reports::close_in_full(store, &chart, &mappings, &shops, &cards, period, shop)
            .await?
    } else {
        crate::reports::close(store, &chart, &mappings, &shops, &cards, period, shop).await?
    };
    let banks = gl_mappings::load_banks(mappings_dir, &chart)?;
    let bank_sections = if shop.is_none() {
        crate::bank_report::bank_close(store, &banks, &transit_accounts(&shops), period).await?
    } else {
        Vec::new()
    };
    Ok(ClosePackage {
        period,
        shops: reports,
        banks: bank_sections,
    })
}

/// The accounts payouts sit in until the bank shows them.
pub fn transit_accounts(shops: &crate::domain::shop::Shops) -> Vec<AccountCode> {
    let mut accounts: Vec<AccountCode> = shops.iter().map(|s| s.payout_account.clone()).collect();
    if accounts.is_empty() {
        accounts.push("1020".parse().expect("a valid code"));
    }
    accounts.sort();
    accounts.dedup();
    accounts
}

/// The channel a stored batch's format belongs to.
pub fn channel_of(source_kind: &str) -> Option<crate::domain::settlement::Channel> {
    use clap::ValueEnum;
    SourceKind::value_variants()
        .iter()
        .find(|k| k.as_str() == source_kind)
        .map(|k| k.channel())
}

/// One shop's standing, for the dashboard: as of its last reconcile, with
/// the month counts read now.
#[derive(Clone, Debug, Serialize)]
pub struct ShopOverview {
    pub standing: crate::standing::ShopStanding,
    pub files: usize,
    /// Months with activity, newest first: (period, entries, posted to NetSuite).
    pub months: Vec<(Period, u64, u64)>,
}

pub async fn shop_overviews(store: &dyn LedgerStore) -> anyhow::Result<Vec<ShopOverview>> {
    let batches = store.batches().await?;
    let mut out = Vec::new();
    for text in store.shop_standings().await? {
        let standing = crate::standing::ShopStanding::from_json(&text)
            .map_err(|e| anyhow::anyhow!("a stored shop standing is unreadable: {e}"))?;
        let Some(channel) = crate::domain::settlement::Channel::parse(&standing.channel) else {
            continue;
        };
        let mut months = Vec::new();
        for (p, entries) in standing.periods.iter().rev() {
            // Entries as of the last reconcile (counting a large shop's
            // bookings takes seconds); what NetSuite has, as of now.
            let entries = *entries;
            let posted = store
                .netsuite_posted_entries(channel, &standing.shop, p.first_day(), p.last_day())
                .await?;
            months.push((*p, entries, posted));
        }
        out.push(ShopOverview {
            files: batches.iter().filter(|b| b.shop == standing.shop).count(),
            standing,
            months,
        });
    }
    Ok(out)
}
