//! NetSuite's RFC-7807-style error bodies and small response helpers.

use axum::body::Body;
use hyper::header::{HeaderValue, CONTENT_TYPE};
use hyper::{Response, StatusCode};
use rand::Rng;
use serde_json::{json, Map, Value};

pub(crate) type Resp = Response<Body>;

pub(crate) const CT_ERROR: &str = "application/vnd.oracle.resource+json; type=error; charset=UTF-8";
pub(crate) const CT_SINGULAR: &str =
    "application/vnd.oracle.resource+json; type=singular; charset=UTF-8";
pub(crate) const CT_COLLECTION: &str =
    "application/vnd.oracle.resource+json; type=collection; charset=UTF-8";

/// Prefix NetSuite puts in front of business-rule error details.
pub(crate) const RESOURCE_PREFIX: &str = "Error while accessing resource: ";

/// Fake-only response header naming the precise reason of an authentication failure.
pub(crate) const REASON_HEADER: &str = "x-fake-netsuite-reason";

/// One NetSuite error (a single `o:errorDetails` entry plus the HTTP status).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct NsError {
    pub status: StatusCode,
    pub code: &'static str,
    pub detail: String,
    pub path: Option<String>,
    pub header: Option<&'static str>,
    pub query_param: Option<&'static str>,
}

impl NsError {
    pub fn new(status: StatusCode, code: &'static str, detail: impl Into<String>) -> NsError {
        NsError {
            status,
            code,
            detail: detail.into(),
            path: None,
            header: None,
            query_param: None,
        }
    }

    /// 400 with a detail prefixed "Error while accessing resource: ".
    pub fn business(code: &'static str, detail: impl AsRef<str>) -> NsError {
        NsError::new(
            StatusCode::BAD_REQUEST,
            code,
            format!("{RESOURCE_PREFIX}{}", detail.as_ref()),
        )
    }

    /// 400 INVALID_CONTENT "You have entered an Invalid Field Value V for the following field: F".
    pub fn invalid_value(value: impl std::fmt::Display, field: &str, path: String) -> NsError {
        NsError::business(
            "INVALID_CONTENT",
            format!(
                "You have entered an Invalid Field Value {value} for the following field: {field}"
            ),
        )
        .at(path)
    }

    pub fn bad_request(code: &'static str, detail: impl Into<String>) -> NsError {
        NsError::new(StatusCode::BAD_REQUEST, code, detail)
    }

    pub fn malformed() -> NsError {
        NsError::bad_request(
            "INVALID_REQUEST",
            "The request could not be understood by the server due to malformed syntax.",
        )
    }

    pub fn not_found() -> NsError {
        NsError::new(
            StatusCode::NOT_FOUND,
            "NONEXISTENT_ID",
            "Record does not exist.",
        )
    }

    pub fn at(mut self, path: impl Into<String>) -> NsError {
        self.path = Some(path.into());
        self
    }

    pub fn header(mut self, name: &'static str) -> NsError {
        self.header = Some(name);
        self
    }

    pub fn query_param(mut self, name: &'static str) -> NsError {
        self.query_param = Some(name);
        self
    }

    pub fn into_response(self) -> Resp {
        let mut detail = Map::new();
        detail.insert("detail".into(), Value::String(self.detail));
        detail.insert("o:errorCode".into(), Value::String(self.code.into()));
        if let Some(p) = self.path {
            detail.insert("o:errorPath".into(), Value::String(p));
        }
        if let Some(h) = self.header {
            detail.insert("o:errorHeader".into(), Value::String(h.into()));
        }
        if let Some(q) = self.query_param {
            detail.insert("o:errorQueryParam".into(), Value::String(q.into()));
        }
        let body = json!({
            "type": type_url(self.status),
            "title": title(self.status),
            "status": self.status.as_u16(),
            "o:errorDetails": [Value::Object(detail)],
        });
        json_response(self.status, CT_ERROR, &body)
    }
}

fn type_url(status: StatusCode) -> &'static str {
    match status.as_u16() {
        400 => "https://www.w3.org/Protocols/rfc2616/rfc2616-sec10.html#sec10.4.1",
        401 => "https://www.w3.org/Protocols/rfc2616/rfc2616-sec10.html#sec10.4.2",
        404 => "https://www.w3.org/Protocols/rfc2616/rfc2616-sec10.html#sec10.4.5",
        405 => "https://www.w3.org/Protocols/rfc2616/rfc2616-sec10.html#sec10.4.6",
        500 => "https://www.w3.org/Protocols/rfc2616/rfc2616-sec10.html#sec10.5.1",
        _ => "https://www.w3.org/Protocols/rfc2616/rfc2616-sec10.html",
    }
}

fn title(status: StatusCode) -> &'static str {
    status.canonical_reason().unwrap_or("Error")
}

pub(crate) fn json_response(status: StatusCode, content_type: &str, body: &Value) -> Resp {
    let mut resp = Response::new(Body::from(body.to_string()));
    *resp.status_mut() = status;
    resp.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_str(content_type).unwrap_or(HeaderValue::from_static("application/json")),
    );
    resp
}

pub(crate) fn empty(status: StatusCode) -> Resp {
    let mut resp = Response::new(Body::empty());
    *resp.status_mut() = status;
    resp
}

/// 401 INVALID_LOGIN with the fake-only reason header.
pub(crate) fn invalid_login(reason: &str) -> Resp {
    let mut resp = NsError::new(
        StatusCode::UNAUTHORIZED,
        "INVALID_LOGIN",
        "Invalid login attempt. For more details, see the Login Audit Trail in the NetSuite UI at \
         Setup > Users/Roles > User Management > View Login Audit Trail.",
    )
    .into_response();
    if let Ok(v) = HeaderValue::from_str(reason) {
        resp.headers_mut().insert(REASON_HEADER, v);
    }
    resp
}

/// 429 exactly as Oracle documents it (title "Bad Request", top-level USER_ERROR).
pub(crate) fn concurrency_exceeded() -> Resp {
    let body = json!({
        "type": "https://www.w3.org/Protocols/rfc2616/rfc2616-sec10.html",
        "title": "Bad Request",
        "status": 429,
        "o:errorCode": "USER_ERROR",
        "o:errorDetails": [{
            "detail": "Concurrent request limit exceeded. Request blocked.",
            "o:errorCode": "CONCURRENCY_LIMIT_EXCEEDED",
        }],
    });
    json_response(StatusCode::TOO_MANY_REQUESTS, CT_ERROR, &body)
}

/// 500 UNEXPECTED_ERROR with a random 20-letter error id.
pub(crate) fn unexpected_error() -> Resp {
    let mut rng = rand::thread_rng();
    let id: String = (0..20)
        .map(|_| rng.gen_range(b'a'..=b'z') as char)
        .collect();
    NsError::new(
        StatusCode::INTERNAL_SERVER_ERROR,
        "UNEXPECTED_ERROR",
        format!("An unexpected error occurred. Error ID: {id}"),
    )
    .into_response()
}

pub(crate) fn method_not_allowed() -> Resp {
    NsError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "INVALID_REQUEST",
        "The HTTP method is not allowed for this resource.",
    )
    .into_response()
}
