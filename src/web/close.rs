//! The month-end close report (page, CSV, XLSX, print), closing and
//! reopening a period, reconcile and NetSuite posting buttons, and the
//! exceptions page.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::{Extension, Form};
use serde::Deserialize;

use super::auth::{ClientAddr, CurrentUser};
use super::books::parse_period;
use super::page::{attachment, render, see_other, Layout};
use super::{AppState, WebError};
use crate::domain::access::Permission;
use crate::domain::{Period, PeriodStatus};
use crate::store::{NewAudit, OutboxDocument, OutboxStatus, PeriodState};
use crate::workflow::{self, ClosePackage};

#[derive(Deserialize, Default)]
pub struct CloseQuery {
    period: Option<String>,
    shop: Option<String>,
    done: Option<String>,
    /// Downloads: `all=1` lists every orphan line, variance and fee
    /// overcharge (read from the records) instead of the first 200.
    all: Option<String>,
}

/// The month asked for, else the last month with entries, else this month.
async fn period_of(state: &AppState, asked: Option<&str>) -> Result<Period, WebError> {
    if let Some(p) = asked.map(str::trim).filter(|p| !p.is_empty()) {
        return parse_period(p);
    }
    let last = state
        .store()
        .entry_page(&crate::store::EntryPageQuery {
            limit: 1,
            ..Default::default()
        })
        .await?;
    if let Some(seq) = last.first() {
        if let Some(e) = state.store().entry(crate::domain::EntryId(*seq)).await? {
            return Ok(e.entry.period());
        }
    }
    Ok(Period::of(chrono::Utc::now().date_naive()))
}

fn shop_of(q: &CloseQuery) -> Option<String> {
    q.shop
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

#[derive(Template)]
#[template(path = "web/close.html")]
struct ClosePage {
    layout: Layout,
    package: ClosePackage,
    shop: String,
    state: Option<PeriodState>,
    closed: bool,
    can_close: bool,
    can_reopen: bool,
    can_post: bool,
    can_reconcile: bool,
    print: bool,
    done: Option<String>,
}

impl ClosePage {
    /// An amount to its currency's minor units (`35` → `35.00`).
    fn money(&self, d: &rust_decimal::Decimal, currency: &str) -> String {
        money_text(*d, currency)
    }
}

pub fn money_text(d: rust_decimal::Decimal, currency: &str) -> String {
    match currency.parse::<crate::domain::Currency>() {
        Ok(c) => crate::domain::money::format_amount(d, c),
        Err(_) => d.to_string(),
    }
}

async fn close_page(
    state: &AppState,
    user: &CurrentUser,
    q: CloseQuery,
    print: bool,
) -> Result<Response, WebError> {
    let period = period_of(state, q.period.as_deref()).await?;
    let shop = shop_of(&q);
    let package = workflow::close_package(
        &state.config().mappings,
        state.store(),
        period,
        shop.as_deref(),
        false,
    )
    .await?;
    let period_state = state
        .store()
        .period_states()
        .await?
        .into_iter()
        .find(|s| s.period == period);
    let closed = period_state
        .as_ref()
        .is_some_and(|s| s.status == PeriodStatus::Closed);
    render(&ClosePage {
        layout: Layout::new(user, "close"),
        package,
        shop: shop.unwrap_or_default(),
        closed,
        state: period_state,
        can_close: user.can(Permission::ClosePeriod),
        can_reopen: user.can(Permission::ReopenPeriod),
        can_post: user.can(Permission::PostNetSuite) && state.config().netsuite.is_some(),
        can_reconcile: user.can(Permission::Reconcile),
        print,
        done: q.done,
    })
}

pub async fn report(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    Query(q): Query<CloseQuery>,
) -> Result<Response, WebError> {
    close_page(&state, &user, q, false).await
}

pub async fn print(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    Query(q): Query<CloseQuery>,
) -> Result<Response, WebError> {
    close_page(&state, &user, q, true).await
}

async fn export(
    state: &AppState,
    user: &CurrentUser,
    addr: Option<String>,
    q: CloseQuery,
    xlsx: bool,
) -> Result<Response, WebError> {
    let period = period_of(state, q.period.as_deref()).await?;
    let shop = shop_of(&q);
    let full = q.all.as_deref() == Some("1");
    let p = workflow::close_package(
        &state.config().mappings,
        state.store(),
        period,
        shop.as_deref(),
        full,
    )
    .await?;
    let name = format!(
        "close-{period}{}{}.{}",
        shop.as_deref().map(|s| format!("-{s}")).unwrap_or_default(),
        if full { "-all-exceptions" } else { "" },
        if xlsx { "xlsx" } else { "csv" }
    );
    state
        .store()
        .record_audit(NewAudit {
            actor: &user.actor(),
            action: "evidence.export",
            subject: Some(&name),
            remote: addr.as_deref(),
            ..Default::default()
        })
        .await?;
    if xlsx {
        let bytes = crate::export::close_report::xlsx(&p.shops, &p.banks)
            .map_err(|e| WebError::Internal(anyhow::anyhow!("the workbook: {e}")))?;
        Ok(attachment(
            bytes,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            &name,
        ))
    } else {
        let text = crate::export::close_report::csv(&p.shops, &p.banks)
            .map_err(|e| WebError::Internal(anyhow::anyhow!("the CSV: {e}")))?;
        Ok(attachment(
            text.into_bytes(),
            "text/csv; charset=utf-8",
            &name,
        ))
    }
}

pub async fn download_csv(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    ClientAddr(addr): ClientAddr,
    Query(q): Query<CloseQuery>,
) -> Result<Response, WebError> {
    export(&state, &user, addr, q, false).await
}

pub async fn download_xlsx(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    ClientAddr(addr): ClientAddr,
    Query(q): Query<CloseQuery>,
) -> Result<Response, WebError> {
    export(&state, &user, addr, q, true).await
}

#[derive(Deserialize)]
pub struct ReasonForm {
    reason: Option<String>,
}

pub async fn close_period(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    ClientAddr(addr): ClientAddr,
    Path(period): Path<String>,
    Form(f): Form<ReasonForm>,
) -> Result<Response, WebError> {
    user.require(Permission::ClosePeriod)?;
    let period = parse_period(&period)?;
    let seal = state.store().close_period(period, &user.actor()).await?;
    let detail = format!("sealed at entry {} ({})", seal.head_seq, seal.seal_hash);
    let reason = f.reason.unwrap_or_default();
    state
        .store()
        .record_audit(NewAudit {
            actor: &user.actor(),
            action: "period.close",
            subject: Some(&period.to_string()),
            detail: Some(if reason.trim().is_empty() {
                &detail
            } else {
                reason.trim()
            }),
            remote: addr.as_deref(),
        })
        .await?;
    Ok(see_other(&format!("/close?period={period}&done=closed")))
}

pub async fn reopen_period(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    ClientAddr(addr): ClientAddr,
    Path(period): Path<String>,
    Form(f): Form<ReasonForm>,
) -> Result<Response, WebError> {
    user.require(Permission::ReopenPeriod)?;
    let period = parse_period(&period)?;
    let reason = f.reason.unwrap_or_default();
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(WebError::BadRequest(
            "reopening a closed period needs a reason".into(),
        ));
    }
    state
        .store()
        .reopen_period(period, reason, &user.actor())
        .await?;
    state
        .store()
        .record_audit(NewAudit {
            actor: &user.actor(),
            action: "period.reopen",
            subject: Some(&period.to_string()),
            detail: Some(reason),
            remote: addr.as_deref(),
        })
        .await?;
    Ok(see_other(&format!("/close?period={period}&done=reopened")))
}

#[derive(Template)]
#[template(path = "web/result.html")]
struct ResultPage {
    layout: Layout,
    title: String,
    text: String,
    ok: bool,
    back: String,
}

pub async fn reconcile(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    ClientAddr(addr): ClientAddr,
) -> Result<Response, WebError> {
    user.require(Permission::Reconcile)?;
    let result = workflow::reconcile_all(
        &state.config().mappings,
        state.store(),
        crate::reconcile::Scope::default(),
        &user.actor(),
    )
    .await;
    let (text, ok) = match &result {
        Ok(r) => (workflow::text::render_reconcile(r), true),
        Err(e) => (format!("{e:#}"), false),
    };
    state
        .store()
        .record_audit(NewAudit {
            actor: &user.actor(),
            action: "reconcile",
            detail: Some(if ok { "done" } else { "failed" }),
            remote: addr.as_deref(),
            ..Default::default()
        })
        .await?;
    render(&ResultPage {
        layout: Layout::new(&user, "close"),
        title: "Reconcile".into(),
        text,
        ok,
        back: "/".into(),
    })
}

#[derive(Deserialize)]
pub struct PostForm {
    period: Option<String>,
}

pub async fn post_netsuite(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    ClientAddr(addr): ClientAddr,
    Form(f): Form<PostForm>,
) -> Result<Response, WebError> {
    user.require(Permission::PostNetSuite)?;
    let Some(config) = state.config().netsuite.clone() else {
        return Err(WebError::BadRequest(
            "NetSuite is not configured for this server (gl-mappings/netsuite.toml and NETSUITE_* variables)".into(),
        ));
    };
    let period = f
        .period
        .as_deref()
        .filter(|p| !p.trim().is_empty())
        .map(parse_period)
        .transpose()?;
    let chart = workflow::stored_chart(state.store()).await?;
    let concurrency = config.concurrency;
    let client = crate::netsuite::client::NetSuiteClient::new(config)
        .map_err(|e| WebError::Internal(anyhow::anyhow!("{e}")))?;
    // The poster's future is not `Send` (its concurrent sends borrow from
    // one another), so it runs on a blocking thread of its own.
    let store = state.0.store.clone();
    let runtime = tokio::runtime::Handle::current();
    let summary = tokio::task::spawn_blocking(move || {
        runtime.block_on(crate::netsuite::poster::run(
            store.as_ref(),
            &client,
            &chart,
            &crate::netsuite::poster::PostOptions {
                period,
                dry_run: false,
                concurrency,
                retry_failed: false,
            },
        ))
    })
    .await
    .map_err(|e| WebError::Internal(anyhow::anyhow!("the posting run failed: {e}")))?;
    let (text, ok) = match &summary {
        Ok(s) => {
            let mut text = format!(
                "{} document(s) posted carrying {} entries ({} lines); {} newly queued",
                s.posted, s.entries_posted, s.lines_posted, s.newly_queued
            );
            for p in &s.failed {
                text.push_str(&format!("\nrefused: {}: {}", p.external_id, p.detail));
            }
            for p in &s.still_pending {
                text.push_str(&format!("\nstill pending: {}: {}", p.external_id, p.detail));
            }
            if let Some(why) = &s.stopped {
                text.push_str(&format!("\nstopped: {why}"));
            }
            (text, s.is_complete())
        }
        Err(e) => (e.to_string(), false),
    };
    let subject = period.map(|p| p.to_string());
    state
        .store()
        .record_audit(NewAudit {
            actor: &user.actor(),
            action: "netsuite.post",
            subject: subject.as_deref(),
            detail: Some(text.lines().next().unwrap_or_default()),
            remote: addr.as_deref(),
        })
        .await?;
    render(&ResultPage {
        layout: Layout::new(&user, "close"),
        title: "Post to NetSuite".into(),
        text,
        ok,
        back: match period {
            Some(p) => format!("/close?period={p}"),
            None => "/close".into(),
        },
    })
}

#[derive(Template)]
#[template(path = "web/exceptions.html")]
struct ExceptionsPage {
    layout: Layout,
    package: ClosePackage,
    shop: String,
    /// (channel, shop, code).
    unmapped: Vec<(String, String, crate::standing::UnmappedCode)>,
    failed_posts: Vec<OutboxDocument>,
}

impl ExceptionsPage {
    fn money(&self, d: &rust_decimal::Decimal, currency: &str) -> String {
        money_text(*d, currency)
    }
}

pub async fn exceptions(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    Query(q): Query<CloseQuery>,
) -> Result<Response, WebError> {
    let period = period_of(&state, q.period.as_deref()).await?;
    let shop = shop_of(&q);
    let dir = &state.config().mappings;
    let package =
        workflow::close_package(dir, state.store(), period, shop.as_deref(), false).await?;
    // As of each shop's last reconcile (re-reading every line of a large
    // shop here would take minutes).
    let unmapped: Vec<(String, String, crate::standing::UnmappedCode)> =
        workflow::shop_overviews(state.store())
            .await?
            .into_iter()
            .filter(|o| shop.as_ref().is_none_or(|s| &o.standing.shop == s))
            .flat_map(|o| {
                let (channel, name) = (o.standing.channel.clone(), o.standing.shop.clone());
                o.standing
                    .unmapped
                    .into_iter()
                    .chain(o.standing.wildcard)
                    .map(move |u| (channel.clone(), name.clone(), u))
            })
            .collect();
    let epoch = chrono::NaiveDate::from_ymd_opt(1900, 1, 1).expect("a date");
    let far = chrono::NaiveDate::from_ymd_opt(9999, 12, 31).expect("a date");
    let failed_posts = state
        .store()
        .outbox_documents(&[OutboxStatus::Failed], epoch, far)
        .await?;
    render(&ExceptionsPage {
        layout: Layout::new(&user, "exceptions"),
        package,
        shop: shop.unwrap_or_default(),
        unmapped,
        failed_posts,
    })
}
