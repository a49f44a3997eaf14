//! The gate every request passes: find the session, send strangers to the
//! login page, refuse any write from an auditor whatever the URL, and check
//! the CSRF token (and the Origin) of every write.

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::auth::{self, CurrentUser};
use super::{AppState, WebError};

/// Paths anyone may reach.
fn public(path: &str) -> bool {
    matches!(path, "/login" | "/healthz" | "/favicon.ico") || path.starts_with("/static/")
}

pub async fn guard(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let mut response = match check(&state, request).await {
        Ok(request) => next.run(request).await,
        Err(e) => e.into_response(),
    };
    let h = response.headers_mut();
    // Pages are the books: not framed, not cached, no foreign scripts, and
    // no URL (an upload's token) sent to another site.
    for (name, value) in [
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "same-origin"),
        (
            header::CONTENT_SECURITY_POLICY,
            "default-src 'self'; frame-ancestors 'none'; form-action 'self'",
        ),
    ] {
        h.insert(name, header::HeaderValue::from_static(value));
    }
    if !h.contains_key(header::CACHE_CONTROL) {
        h.insert(
            header::CACHE_CONTROL,
            header::HeaderValue::from_static("no-store"),
        );
    }
    response
}

async fn check(state: &AppState, mut request: Request) -> Result<Request, WebError> {
    let path = request.uri().path().to_string();
    let writes = !matches!(*request.method(), Method::GET | Method::HEAD);
    if writes {
        same_origin(&request)?;
    }
    if public(&path) {
        return Ok(request);
    }
    let token = auth::cookie(request.headers(), auth::SESSION_COOKIE);
    let session = match &token {
        Some(t) => {
            state
                .store()
                .session(&auth::token_hash(t), chrono::Utc::now())
                .await?
        }
        None => None,
    };
    let Some(session) = session else {
        if writes {
            return Err(WebError::Forbidden(
                "your session has ended; log in again".into(),
            ));
        }
        let next = request
            .uri()
            .path_and_query()
            .map(|p| p.as_str().to_string())
            .unwrap_or_else(|| "/".into());
        return Err(WebError::LoginRequired { next });
    };
    let user = CurrentUser {
        user: session.user,
        csrf: session.csrf_token,
        token_hash: auth::token_hash(token.as_deref().unwrap_or_default()),
    };
    if writes {
        // Logging out changes nothing but the auditor's own session.
        if !user.role().writes() && path != "/logout" {
            return Err(WebError::Forbidden(format!(
                "{} is an auditor: auditors read and export, they change nothing",
                user.name()
            )));
        }
        request = check_csrf(request, &user.csrf).await?;
    }
    request.extensions_mut().insert(user);
    Ok(request)
}

/// A browser names the page a form came from: it must be this site.
fn same_origin(request: &Request) -> Result<(), WebError> {
    let Some(origin) = request.headers().get(header::ORIGIN) else {
        return Ok(());
    };
    let host = request
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or_default();
    let origin = origin.to_str().unwrap_or_default();
    let origin_host = origin
        .split_once("://")
        .map(|(_, rest)| rest)
        .unwrap_or_default();
    if origin_host.eq_ignore_ascii_case(host) {
        Ok(())
    } else {
        Err(WebError::Forbidden(format!(
            "a form from {origin} cannot change anything here"
        )))
    }
}

/// A multipart upload whose token is still to be read: the body streams to
/// disk, so the upload handler checks the form's first field (`csrf`)
/// before it reads anything else (`UploadCsrf::check`).
#[derive(Clone)]
pub struct UploadCsrf(String);

impl UploadCsrf {
    /// The first field's name and value must be `csrf` and the session's token.
    pub fn check(&self, name: &str, value: &str) -> Result<(), WebError> {
        if name == "csrf" && auth::same_secret(value, &self.0) {
            Ok(())
        } else {
            Err(refused_csrf())
        }
    }
}

fn refused_csrf() -> WebError {
    WebError::Forbidden(
        "the form's security token is missing or stale: reload the page and try again".into(),
    )
}

/// The token comes in the `X-CSRF-Token` header, the `csrf` field of a
/// urlencoded form, or — for the upload only, whose multipart body streams
/// to disk — the form's first field, which the upload handler checks. Tokens
/// never travel in URLs.
async fn check_csrf(mut request: Request, expected: &str) -> Result<Request, WebError> {
    let refused = refused_csrf;
    if let Some(t) = request.headers().get("x-csrf-token") {
        return if auth::same_secret(t.to_str().unwrap_or_default(), expected) {
            Ok(request)
        } else {
            Err(refused())
        };
    }
    let content_type = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_ascii_lowercase();
    if content_type.starts_with("multipart/form-data") {
        // Only the upload reads a multipart body, and it checks the token
        // first; anywhere else a multipart POST would go unchecked.
        if request.uri().path() != "/upload" {
            return Err(refused());
        }
        request
            .extensions_mut()
            .insert(UploadCsrf(expected.to_string()));
        return Ok(request);
    }
    let (parts, body) = request.into_parts();
    let bytes = axum::body::to_bytes(body, 64 * 1024)
        .await
        .map_err(|_| WebError::PayloadTooLarge("the form is larger than 64 KiB".into()))?;
    match form_field(&bytes, "csrf") {
        Some(t) if auth::same_secret(&t, expected) => {
            Ok(Request::from_parts(parts, Body::from(bytes)))
        }
        _ => Err(refused()),
    }
}

pub fn form_field(body: &[u8], name: &str) -> Option<String> {
    serde_urlencoded_pairs(body)
        .into_iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v)
}

fn serde_urlencoded_pairs(body: &[u8]) -> Vec<(String, String)> {
    body.split(|b| *b == b'&')
        .filter_map(|pair| {
            let mut it = pair.splitn(2, |b| *b == b'=');
            let k = decode(it.next()?);
            let v = decode(it.next().unwrap_or_default());
            Some((k, v))
        })
        .collect()
}

fn decode(raw: &[u8]) -> String {
    let plus: Vec<u8> = raw
        .iter()
        .map(|b| if *b == b'+' { b' ' } else { *b })
        .collect();
    percent_encoding::percent_decode(&plus)
        .decode_utf8_lossy()
        .into_owned()
}

#[cfg(test)]
mod tests {
    #[test]
    fn form_fields_decode() {
        assert_eq!(
            super::form_field(b"a=1&csrf=x%2By+z&b=", "csrf").as_deref(),
            Some("x+y z")
        );
        assert_eq!(super::form_field(b"a=1", "csrf"), None);
    }
}
