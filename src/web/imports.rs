//! Imports: every batch with what it read, its lines, and the original file.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::Extension;
use serde::Deserialize;

use super::auth::{ClientAddr, CurrentUser};
use super::page::{attachment, render, Layout};
use super::{AppState, WebError};
use crate::store::{BatchSummary, NewAudit};

pub const PAGE_ROWS: usize = 100;

#[derive(Template)]
#[template(path = "web/imports.html")]
struct ImportsPage {
    layout: Layout,
    shop: String,
    batches: Vec<BatchSummary>,
}

#[derive(Deserialize, Default)]
pub struct ImportsQuery {
    shop: Option<String>,
}

pub async fn list(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    Query(q): Query<ImportsQuery>,
) -> Result<Response, WebError> {
    let shop = q.shop.unwrap_or_default();
    let mut batches = state.store().batches().await?;
    if !shop.is_empty() {
        batches.retain(|b| b.shop == shop);
    }
    batches.sort_by_key(|b| std::cmp::Reverse(b.id));
    render(&ImportsPage {
        layout: Layout::new(&user, "imports"),
        shop,
        batches,
    })
}

pub struct LineRow {
    pub statement_id: String,
    pub transaction_type: String,
    pub order_id: String,
    pub posted: String,
    pub net: String,
    pub components: String,
    pub rows: String,
}

#[derive(Template)]
#[template(path = "web/batch.html")]
struct BatchPage {
    layout: Layout,
    batch: BatchSummary,
    lines: Vec<LineRow>,
    total_lines: i64,
    totals: Vec<(String, String)>,
    warnings: Vec<String>,
    /// Where this page starts (0 for the first) and the next page's cursor.
    after: i64,
    next: Option<i64>,
}

#[derive(Deserialize, Default)]
pub struct PageQuery {
    after: Option<i64>,
}

async fn find_batch(state: &AppState, id: i64) -> Result<BatchSummary, WebError> {
    state
        .store()
        .batches()
        .await?
        .into_iter()
        .find(|b| b.id == id)
        .ok_or_else(|| WebError::NotFound(format!("there is no import batch {id}")))
}

pub async fn batch(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    Path(id): Path<i64>,
    Query(q): Query<PageQuery>,
) -> Result<Response, WebError> {
    let batch = find_batch(&state, id).await?;
    let after = q.after.unwrap_or(0).max(0);
    let mut stored = state
        .store()
        .batch_lines_page(id, after, PAGE_ROWS as i64 + 1)
        .await?;
    let next = (stored.len() > PAGE_ROWS).then(|| stored[PAGE_ROWS - 1].id);
    stored.truncate(PAGE_ROWS);
    let sums = state.store().batch_line_totals(id).await?;
    let lines = stored
        .iter()
        .map(|l| LineRow {
            statement_id: l.line.statement_id.clone(),
            transaction_type: l.line.transaction_type.clone(),
            order_id: l.line.order_id.clone().unwrap_or_default(),
            posted: l
                .line
                .posted_at
                .as_ref()
                .map(|t| t.raw.clone())
                .unwrap_or_default(),
            net: l.line.net().to_string(),
            components: l
                .line
                .components
                .iter()
                .map(|c| format!("{} {}", c.code.as_str(), c.amount))
                .collect::<Vec<_>>()
                .join(", "),
            rows: l
                .line
                .rows
                .iter()
                .map(|r| match &r.sheet {
                    Some(s) => format!("{s}!{}", r.row),
                    None => r.row.to_string(),
                })
                .collect::<Vec<_>>()
                .join(", "),
        })
        .collect();
    render(&BatchPage {
        layout: Layout::new(&user, "imports"),
        total_lines: sums.iter().map(|(_, n, _)| n).sum(),
        totals: sums
            .into_iter()
            .map(|(c, _, t)| (c, t.to_string()))
            .collect(),
        warnings: state.store().batch_warnings(id).await?,
        batch,
        lines,
        after,
        next,
    })
}

/// The original file, byte for byte, as evidence.
pub async fn download(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    ClientAddr(addr): ClientAddr,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let batch = find_batch(&state, id).await?;
    let bytes = state
        .store()
        .batch_file(id)
        .await?
        .ok_or_else(|| WebError::NotFound(format!("batch {id} has no stored file")))?;
    // Evidence is handed out only as the file that was imported: the bytes
    // must still have the SHA-256 the batch recorded.
    let found = crate::domain::hashing::sha256_hex(&bytes);
    if found != batch.sha256 {
        return Err(WebError::Store(crate::store::StoreError::EvidenceChanged {
            batch: id,
            recorded: batch.sha256,
            found,
        }));
    }
    state
        .store()
        .record_audit(NewAudit {
            actor: &user.actor(),
            action: "evidence.download",
            subject: Some(&format!("batch {id}")),
            detail: Some(&batch.file_name),
            remote: addr.as_deref(),
        })
        .await?;
    Ok(attachment(
        bytes,
        "application/octet-stream",
        &batch.file_name,
    ))
}
