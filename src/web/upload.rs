//! Upload: several channel or bank files at once, each imported completely
//! or not at all, then booked — the same words as `settlebridge import`.

use std::path::PathBuf;

use askama::Template;
use axum::extract::{Multipart, State};
use axum::response::Response;
use axum::Extension;
use tokio::io::AsyncWriteExt;

use super::auth::{ClientAddr, CurrentUser};
use super::page::{render, Layout};
use super::{AppState, WebError};
use crate::domain::access::Permission;
use crate::store::NewAudit;
use crate::workflow::{self, FileOutcome, FileResult, FileToImport, ImportOptions};

#[derive(Template)]
#[template(path = "web/upload.html")]
struct UploadPage {
    layout: Layout,
    shops: Vec<String>,
    banks: Vec<String>,
    max_mib: usize,
    results: Vec<FileResult>,
    booking_errors: Vec<String>,
    reconcile_text: Option<String>,
}

impl UploadPage {
    fn outcome_name(&self, r: &FileResult) -> &'static str {
        match r.outcome {
            FileOutcome::Imported => "imported",
            FileOutcome::AlreadyImported => "already_imported",
            FileOutcome::Failed => "failed",
        }
    }
    fn outcome_class(&self, r: &FileResult) -> &'static str {
        match r.outcome {
            FileOutcome::Imported => "good",
            FileOutcome::AlreadyImported => "muted",
            FileOutcome::Failed => "bad",
        }
    }
}

async fn page(
    state: &AppState,
    user: &CurrentUser,
    results: Vec<FileResult>,
    booking_errors: Vec<String>,
    reconcile_text: Option<String>,
) -> Result<Response, WebError> {
    let chart = workflow::stored_chart(state.store()).await?;
    let dir = &state.config().mappings;
    let shops = crate::gl_mappings::load_shops(dir, &chart)
        .map(|s| s.iter().map(|s| s.name.clone()).collect())
        .unwrap_or_default();
    let banks = crate::gl_mappings::load_banks(dir, &chart)
        .map(|b| b.iter().map(|b| b.name.clone()).collect())
        .unwrap_or_default();
    render(&UploadPage {
        layout: Layout::new(user, "upload"),
        shops,
        banks,
        max_mib: state.config().max_upload_bytes / (1024 * 1024),
        results,
        booking_errors,
        reconcile_text,
    })
}

pub async fn form(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
) -> Result<Response, WebError> {
    user.require(Permission::Upload)?;
    page(&state, &user, Vec::new(), Vec::new(), None).await
}

/// Spooled files are removed when the request ends, whatever happens.
struct Spool(Vec<PathBuf>);
impl Drop for Spool {
    fn drop(&mut self) {
        for p in &self.0 {
            let _ = std::fs::remove_file(p);
        }
    }
}

pub async fn submit(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    ClientAddr(addr): ClientAddr,
    csrf: Option<Extension<super::guard::UploadCsrf>>,
    mut multipart: Multipart,
) -> Result<Response, WebError> {
    user.require(Permission::Upload)?;
    let too_large = || {
        WebError::PayloadTooLarge(format!(
            "the upload is larger than the limit of {} MiB; nothing was imported",
            state.config().max_upload_bytes / (1024 * 1024)
        ))
    };
    let mut shop = None;
    let mut bank = None;
    let mut accept_unclassified = false;
    let mut files = Vec::new();
    let mut spool = Spool(Vec::new());
    // Without the X-CSRF-Token header the form's first field is the token,
    // checked before a byte of any file is read.
    let mut token_pending = csrf.map(|Extension(c)| c);
    while let Some(mut field) = multipart.next_field().await.map_err(|e| {
        if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
            too_large()
        } else {
            WebError::BadRequest(format!("the upload could not be read: {e}"))
        }
    })? {
        let name = field.name().unwrap_or_default().to_string();
        if let Some(csrf) = token_pending.take() {
            let value = if name == "csrf" {
                field
                    .text()
                    .await
                    .map_err(|e| WebError::BadRequest(e.to_string()))?
            } else {
                String::new()
            };
            csrf.check(&name, &value)?;
            continue;
        }
        match name.as_str() {
            "shop" | "bank" | "accept_unclassified" => {
                let value = field
                    .text()
                    .await
                    .map_err(|e| WebError::BadRequest(e.to_string()))?;
                let value = value.trim().to_string();
                match name.as_str() {
                    "shop" if !value.is_empty() => shop = Some(value),
                    "bank" if !value.is_empty() => bank = Some(value),
                    "accept_unclassified" => accept_unclassified = value == "on" || value == "1",
                    _ => {}
                }
            }
            "files" => {
                let file_name = field
                    .file_name()
                    .map(|n| {
                        // Browsers may send a path: keep the last part only.
                        n.rsplit(['/', '\\']).next().unwrap_or(n).to_string()
                    })
                    .unwrap_or_default();
                if file_name.is_empty() {
                    continue;
                }
                let path = state.config().spool_dir.join(format!(
                    "settlebridge-upload-{}",
                    super::auth::random_token()
                ));
                spool.0.push(path.clone());
                // Readable by this process only: uploads are the brand's books.
                let mut out = tokio::fs::OpenOptions::new()
                    .write(true)
                    .create_new(true)
                    .mode(0o600)
                    .open(&path)
                    .await
                    .map_err(|e| {
                        WebError::Internal(anyhow::anyhow!("cannot spool the upload: {e}"))
                    })?;
                while let Some(chunk) = field.chunk().await.map_err(|e| {
                    if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                        too_large()
                    } else {
                        WebError::BadRequest(format!("the upload broke off: {e}"))
                    }
                })? {
                    out.write_all(&chunk).await.map_err(|e| {
                        WebError::Internal(anyhow::anyhow!("cannot spool the upload: {e}"))
                    })?;
                }
                out.flush().await.map_err(|e| {
                    WebError::Internal(anyhow::anyhow!("cannot spool the upload: {e}"))
                })?;
                files.push(FileToImport {
                    name: file_name,
                    path,
                });
            }
            _ => {}
        }
    }
    if token_pending.is_some() {
        // A form with no field at all carried no token either.
        return Err(WebError::Forbidden(
            "the form's security token is missing or stale: reload the page and try again".into(),
        ));
    }
    if files.is_empty() {
        return Err(WebError::BadRequest(
            "choose at least one file to upload".into(),
        ));
    }
    let options = ImportOptions {
        shop: shop.as_deref(),
        bank: bank.as_deref(),
        source: None,
        accept_unclassified,
        reconcile: true,
    };
    let actor = user.actor();
    let run = workflow::import_files(
        &state.config().mappings,
        state.store(),
        &files,
        &options,
        &actor,
    )
    .await?;
    drop(spool);
    for f in &run.files {
        let outcome = match f.outcome {
            FileOutcome::Imported => "imported",
            FileOutcome::AlreadyImported => "already imported",
            FileOutcome::Failed => "failed",
        };
        let detail = match f.batch {
            Some(b) => format!("{outcome}, batch {b}"),
            None => outcome.to_string(),
        };
        state
            .store()
            .record_audit(NewAudit {
                actor: &actor,
                action: "upload",
                subject: Some(&f.file),
                detail: Some(&detail),
                remote: addr.as_deref(),
            })
            .await?;
    }
    let reconcile_text = run.reconcile.as_ref().map(workflow::text::render_reconcile);
    page(&state, &user, run.files, run.booking_errors, reconcile_text).await
}
