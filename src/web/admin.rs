//! Users (admins only) and the audit log (everyone reads it; nobody edits it).

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::{Extension, Form};
use serde::Deserialize;

use super::auth::{self, ClientAddr, CurrentUser};
use super::page::{attachment, render, see_other, Layout};
use super::{AppState, WebError};
use crate::domain::access::{check_password_rules, Permission, Role, UserName};
use crate::store::{AuditRecord, NewAudit, User};

#[derive(Template)]
#[template(path = "web/users.html")]
struct UsersPage {
    layout: Layout,
    users: Vec<User>,
    roles: Vec<&'static str>,
    done: Option<String>,
}

#[derive(Deserialize, Default)]
pub struct DoneQuery {
    done: Option<String>,
}

pub async fn users(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    Query(q): Query<DoneQuery>,
) -> Result<Response, WebError> {
    user.require(Permission::ManageUsers)?;
    render(&UsersPage {
        layout: Layout::new(&user, "users"),
        users: state.store().users().await?,
        roles: Role::ALL.iter().map(|r| r.as_str()).collect(),
        done: q.done,
    })
}

#[derive(Deserialize)]
pub struct NewUserForm {
    name: String,
    role: String,
    password: String,
}

pub async fn hash(password: String) -> Result<String, WebError> {
    tokio::task::spawn_blocking(move || auth::hash_password(&password))
        .await
        .map_err(|e| WebError::Internal(anyhow::anyhow!("{e}")))?
        .map_err(|e| WebError::Internal(anyhow::anyhow!("password hashing failed: {e}")))
}

pub async fn add_user(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    ClientAddr(addr): ClientAddr,
    Form(f): Form<NewUserForm>,
) -> Result<Response, WebError> {
    user.require(Permission::ManageUsers)?;
    let name = UserName::parse(f.name.trim()).map_err(|e| WebError::BadRequest(e.to_string()))?;
    let role: Role = f
        .role
        .parse()
        .map_err(|e: crate::domain::access::UnknownRole| WebError::BadRequest(e.to_string()))?;
    check_password_rules(&f.password).map_err(|e| WebError::BadRequest(e.to_string()))?;
    let hashed = hash(f.password).await?;
    state
        .store()
        .create_user(name.as_str(), role, &hashed)
        .await?;
    state
        .store()
        .record_audit(NewAudit {
            actor: &user.actor(),
            action: "user.add",
            subject: Some(name.as_str()),
            detail: Some(role.as_str()),
            remote: addr.as_deref(),
        })
        .await?;
    Ok(see_other(&format!(
        "/admin/users?done={}",
        super::page::url_encode(&format!("added {name}"))
    )))
}

#[derive(Deserialize)]
pub struct ChangeUserForm {
    /// `role`, `disable`, `enable` or `password`.
    action: String,
    role: Option<String>,
    password: Option<String>,
}

pub async fn change_user(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    ClientAddr(addr): ClientAddr,
    Path(name): Path<String>,
    Form(f): Form<ChangeUserForm>,
) -> Result<Response, WebError> {
    user.require(Permission::ManageUsers)?;
    let store = state.store();
    if !store.users().await?.iter().any(|u| u.name == name) {
        return Err(WebError::NotFound(format!(
            "there is no user named `{name}`"
        )));
    }
    let detail = match f.action.as_str() {
        "role" => {
            let role: Role = f.role.as_deref().unwrap_or_default().parse().map_err(
                |e: crate::domain::access::UnknownRole| WebError::BadRequest(e.to_string()),
            )?;
            if name == user.name() && role != Role::Admin {
                return Err(WebError::BadRequest(
                    "you cannot take the admin role from yourself: ask another admin".into(),
                ));
            }
            store.set_user_role(&name, role).await?;
            format!("role {role}")
        }
        "disable" => {
            if name == user.name() {
                return Err(WebError::BadRequest("you cannot disable yourself".into()));
            }
            store.set_user_disabled(&name, true).await?;
            "disabled".to_string()
        }
        "enable" => {
            store.set_user_disabled(&name, false).await?;
            "enabled".to_string()
        }
        "password" => {
            let password = f.password.unwrap_or_default();
            check_password_rules(&password).map_err(|e| WebError::BadRequest(e.to_string()))?;
            store
                .set_user_password(&name, &hash(password).await?)
                .await?;
            "password reset".to_string()
        }
        other => {
            return Err(WebError::BadRequest(format!(
                "`{other}` is not something a user can be changed by"
            )))
        }
    };
    store
        .record_audit(NewAudit {
            actor: &user.actor(),
            action: "user.change",
            subject: Some(&name),
            detail: Some(&detail),
            remote: addr.as_deref(),
        })
        .await?;
    Ok(see_other(&format!(
        "/admin/users?done={}",
        super::page::url_encode(&format!("{name}: {detail}"))
    )))
}

pub const AUDIT_PAGE: i64 = 100;

#[derive(Template)]
#[template(path = "web/audit.html")]
struct AuditPage {
    layout: Layout,
    records: Vec<AuditRecord>,
    action: String,
    next: Option<String>,
}

#[derive(Deserialize, Default)]
pub struct AuditQuery {
    before: Option<i64>,
    action: Option<String>,
}

pub async fn audit_log(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    Query(q): Query<AuditQuery>,
) -> Result<Response, WebError> {
    let action = q.action.unwrap_or_default().trim().to_string();
    let filter = (!action.is_empty()).then_some(action.as_str());
    let mut records = state
        .store()
        .audit_log(q.before, AUDIT_PAGE + 1, filter)
        .await?;
    let more = records.len() as i64 > AUDIT_PAGE;
    records.truncate(AUDIT_PAGE as usize);
    let next = match (more, records.last()) {
        (true, Some(last)) => Some(format!(
            "/audit?before={}&action={}",
            last.id,
            super::page::url_encode(&action)
        )),
        _ => None,
    };
    render(&AuditPage {
        layout: Layout::new(&user, "audit"),
        records,
        action,
        next,
    })
}

/// The whole audit log as CSV, oldest first, formula-safe.
pub async fn audit_csv(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    ClientAddr(addr): ClientAddr,
) -> Result<Response, WebError> {
    let store = state.store();
    store
        .record_audit(NewAudit {
            actor: &user.actor(),
            action: "evidence.export",
            subject: Some("audit log"),
            remote: addr.as_deref(),
            ..Default::default()
        })
        .await?;
    let mut all = Vec::new();
    let mut before = None;
    loop {
        let page = store.audit_log(before, 1000, None).await?;
        let Some(last) = page.last() else { break };
        before = Some(last.id);
        all.extend(page);
    }
    all.reverse();
    let mut w = csv::Writer::from_writer(Vec::new());
    let safe = |s: &str| crate::export::spreadsheet_safe(s).into_owned();
    w.write_record(["id", "at", "actor", "action", "subject", "detail", "remote"])
        .map_err(anyhow::Error::from)?;
    for r in &all {
        w.write_record([
            r.id.to_string(),
            r.at.to_rfc3339(),
            safe(&r.actor),
            safe(&r.action),
            safe(r.subject.as_deref().unwrap_or_default()),
            safe(r.detail.as_deref().unwrap_or_default()),
            safe(r.remote.as_deref().unwrap_or_default()),
        ])
        .map_err(anyhow::Error::from)?;
    }
    let bytes = w.into_inner().map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(attachment(
        bytes,
        "text/csv; charset=utf-8",
        "audit-log.csv",
    ))
}
