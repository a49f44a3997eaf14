//! One error type for every handler, rendered as a page a person can act on.

use askama::Template;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};

#[derive(Debug, thiserror::Error)]
pub enum WebError {
    /// No session: a page sends the browser to the login form.
    #[error("please log in")]
    LoginRequired { next: String },
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    TooManyRequests(String),
    #[error("{0}")]
    PayloadTooLarge(String),
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
    #[error("{0:#}")]
    Internal(#[from] anyhow::Error),
}

impl WebError {
    pub fn status(&self) -> StatusCode {
        match self {
            WebError::LoginRequired { .. } => StatusCode::UNAUTHORIZED,
            WebError::Forbidden(_) => StatusCode::FORBIDDEN,
            WebError::NotFound(_) => StatusCode::NOT_FOUND,
            WebError::BadRequest(_) => StatusCode::BAD_REQUEST,
            WebError::TooManyRequests(_) => StatusCode::TOO_MANY_REQUESTS,
            WebError::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            WebError::Store(crate::store::StoreError::Conflict(_))
            | WebError::Store(crate::store::StoreError::PeriodAlreadyClosed(_))
            | WebError::Store(crate::store::StoreError::PeriodNotClosed(_))
            | WebError::Store(crate::store::StoreError::ReasonRequired) => StatusCode::CONFLICT,
            WebError::Store(_) | WebError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

#[derive(Template)]
#[template(path = "web/error.html")]
struct ErrorPage<'a> {
    status: u16,
    title: &'a str,
    message: String,
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        if let WebError::LoginRequired { next } = &self {
            let target = format!("/login?next={}", super::page::url_encode(next));
            return Redirect::to(&target).into_response();
        }
        let status = self.status();
        // A server fault is logged in full; the page says only that it
        // happened (SQL text and paths are not for the browser) — except
        // damaged evidence, which the auditor asking for it must be told.
        let evidence_damaged = matches!(
            self,
            WebError::Store(
                crate::store::StoreError::CorruptEvidence { .. }
                    | crate::store::StoreError::EvidenceChanged { .. }
            )
        );
        if status.is_server_error() {
            tracing::error!(error = %self, "request failed");
        }
        let message = if status.is_server_error() && !evidence_damaged {
            "something went wrong on the server; the details are in its log".to_string()
        } else {
            self.to_string()
        };
        let page = ErrorPage {
            status: status.as_u16(),
            title: status.canonical_reason().unwrap_or("Error"),
            message,
        };
        match page.render() {
            Ok(html) => (
                status,
                [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
                html,
            )
                .into_response(),
            Err(_) => status.into_response(),
        }
    }
}
