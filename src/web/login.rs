//! Logging in and out.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Form};
use serde::Deserialize;

use super::auth::{self, ClientAddr, CurrentUser};
use super::page::render;
use super::{AppState, WebError};
use crate::store::NewAudit;

#[derive(Template)]
#[template(path = "web/login.html")]
struct LoginPage {
    token: String,
    next: String,
    error: Option<String>,
}

#[derive(Deserialize)]
pub struct NextQuery {
    next: Option<String>,
}

/// Only paths on this site: `//evil.example` and `https://…` go home.
fn local_path(next: Option<&str>) -> String {
    let safe = |p: &str| {
        p.starts_with('/')
            && !p.starts_with("//")
            && p.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"/-_.~%?&=+:@,;".contains(&b))
    };
    match next {
        Some(p) if safe(p) => p.to_string(),
        _ => "/".to_string(),
    }
}

fn login_page(
    state: &AppState,
    headers: &HeaderMap,
    next: &str,
    error: Option<String>,
    status: StatusCode,
) -> Result<Response, WebError> {
    // Keep the browser's token if it has one: a second login page (another
    // tab, a prefetch) must not make the first one's form stale.
    let token = auth::cookie(headers, auth::LOGIN_COOKIE)
        .filter(|t| {
            t.len() == 43
                && t.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        })
        .unwrap_or_else(auth::random_token);
    let mut response = render(&LoginPage {
        token: token.clone(),
        next: next.to_string(),
        error,
    })?;
    *response.status_mut() = status;
    response.headers_mut().append(
        header::SET_COOKIE,
        auth::set_cookie(
            auth::LOGIN_COOKIE,
            &token,
            3600,
            state.config().secure_cookies,
        )
        .parse()
        .expect("a valid header"),
    );
    Ok(response)
}

pub async fn form(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<NextQuery>,
) -> Result<Response, WebError> {
    login_page(
        &state,
        &headers,
        &local_path(q.next.as_deref()),
        None,
        StatusCode::OK,
    )
}

#[derive(Deserialize)]
pub struct LoginForm {
    user: String,
    password: String,
    token: String,
    next: Option<String>,
}

pub async fn submit(
    State(state): State<AppState>,
    ClientAddr(addr): ClientAddr,
    headers: HeaderMap,
    Form(f): Form<LoginForm>,
) -> Result<Response, WebError> {
    let next = local_path(f.next.as_deref());
    // The form's token must be the one this browser was given with it.
    let cookie = auth::cookie(&headers, auth::LOGIN_COOKIE).unwrap_or_default();
    if cookie.is_empty() || !auth::same_secret(&cookie, &f.token) {
        return Err(WebError::Forbidden(
            "the login form has expired: reload the page and try again".into(),
        ));
    }
    // The audit log names who tried as the name typed, only when it could be
    // a user name (a password typed in the wrong box is not kept).
    let typed = crate::domain::access::UserName::parse(f.user.trim()).ok();
    let subject = typed.as_ref().map(|n| n.as_str().to_string());
    let keys = vec![
        format!(
            "user:{}",
            subject
                .as_deref()
                .unwrap_or("(not a user name)")
                .to_lowercase()
        ),
        format!("addr:{}", addr.as_deref().unwrap_or("-")),
    ];
    if let Some(wait) = state.0.limiter.locked(&keys) {
        // Once per lockout: the log records the attack, not every request of it.
        if state.0.limiter.first_refusal(&keys) {
            state
                .store()
                .record_audit(NewAudit {
                    actor: "anonymous",
                    action: "login.locked",
                    subject: subject.as_deref(),
                    remote: addr.as_deref(),
                    ..Default::default()
                })
                .await?;
        }
        return login_page(
            &state,
            &headers,
            &next,
            Some(format!(
                "too many failed logins: try again in {} minute(s)",
                wait.div_ceil(60)
            )),
            StatusCode::TOO_MANY_REQUESTS,
        );
    }
    let store = state.store();
    let found = match &subject {
        Some(name) => store.user_credentials(name).await?,
        None => None,
    };
    // Counted before the (slow) check, so parallel guesses cannot slip
    // past the limit; a success clears it.
    state.0.limiter.failed(&keys);
    // argon2 takes ~19 MiB and a core per check: at most two at once.
    let _permit = state
        .0
        .hashing
        .acquire()
        .await
        .map_err(|e| WebError::Internal(anyhow::anyhow!("{e}")))?;
    let password = f.password.clone();
    let hash = found
        .as_ref()
        .map(|(_, h)| h.clone())
        .unwrap_or_else(|| auth::decoy_hash().to_string());
    let verified = tokio::task::spawn_blocking(move || auth::verify_password(&password, &hash))
        .await
        .map_err(|e| WebError::Internal(anyhow::anyhow!("password check failed: {e}")))?;
    let user = match found {
        Some((user, _)) if verified && user.disabled_at.is_none() => user,
        _ => {
            store
                .record_audit(NewAudit {
                    actor: "anonymous",
                    action: "login.failed",
                    subject: subject.as_deref(),
                    remote: addr.as_deref(),
                    ..Default::default()
                })
                .await?;
            return login_page(
                &state,
                &headers,
                &next,
                Some("wrong user name or password".into()),
                StatusCode::UNAUTHORIZED,
            );
        }
    };
    state.0.limiter.succeeded(&keys);
    let token = auth::random_token();
    let hours = state.config().session_hours;
    let expires = chrono::Utc::now() + chrono::Duration::hours(hours);
    store
        .create_session(
            &auth::token_hash(&token),
            user.id,
            &auth::random_token(),
            expires,
        )
        .await?;
    store
        .record_audit(NewAudit {
            actor: &format!("web:{}", user.name),
            action: "login",
            remote: addr.as_deref(),
            ..Default::default()
        })
        .await?;
    let secure = state.config().secure_cookies;
    let mut response = super::page::see_other(&next);
    for c in [
        auth::set_cookie(auth::SESSION_COOKIE, &token, hours * 3600, secure),
        auth::set_cookie(auth::LOGIN_COOKIE, "", 0, secure),
    ] {
        response
            .headers_mut()
            .append(header::SET_COOKIE, c.parse().expect("a valid header"));
    }
    Ok(response)
}

pub async fn logout(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    ClientAddr(addr): ClientAddr,
) -> Result<Response, WebError> {
    state.store().delete_session(&user.token_hash).await?;
    state
        .store()
        .record_audit(NewAudit {
            actor: &user.actor(),
            action: "logout",
            remote: addr.as_deref(),
            ..Default::default()
        })
        .await?;
    let mut response = super::page::see_other("/login");
    response.headers_mut().append(
        header::SET_COOKIE,
        auth::set_cookie(auth::SESSION_COOKIE, "", 0, state.config().secure_cookies)
            .parse()
            .expect("a valid header"),
    );
    Ok(response.into_response())
}
