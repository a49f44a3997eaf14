//! Authentication of record / query requests: `Authorization: OAuth …` (TBA) or `Bearer …` (M2M).

use hyper::header::{HeaderMap, HeaderValue, AUTHORIZATION, WWW_AUTHENTICATE};

use crate::errors::{invalid_login, Resp};
use crate::server::State;
use crate::{auth_oauth1, auth_oauth2};

/// Why a request was refused. The `as_str` names follow NetSuite's Login Audit Trail where one
/// exists; they are sent in the fake-only `X-Fake-NetSuite-Reason` header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reason {
    MissingAuthorization,
    UnsupportedScheme,
    MissingTokenPassportRequiredFields,
    ParameterRejected,
    InvalidRealm,
    UnknownAlgorithm,
    VersionRejected,
    InvalidTimestamp,
    NonceRejected,
    NonceUsed,
    ConsumerKeyUnknown,
    TokenRejected,
    InvalidSignature,
    InvalidToken,
    TokenExpired,
}

impl Reason {
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::MissingAuthorization => "MissingAuthorization",
            Reason::UnsupportedScheme => "UnsupportedScheme",
            Reason::MissingTokenPassportRequiredFields => "MissingTokenPassportRequiredFields",
            Reason::ParameterRejected => "parameter_rejected",
            Reason::InvalidRealm => "InvalidRealm",
            Reason::UnknownAlgorithm => "UnknownAlgorithm",
            Reason::VersionRejected => "VersionRejected",
            Reason::InvalidTimestamp => "InvalidTimestamp",
            Reason::NonceRejected => "nonce_rejected",
            Reason::NonceUsed => "NonceUsed",
            Reason::ConsumerKeyUnknown => "consumer_key_unknown",
            Reason::TokenRejected => "token_rejected",
            Reason::InvalidSignature => "InvalidSignature",
            Reason::InvalidToken => "InvalidToken",
            Reason::TokenExpired => "TokenExpired",
        }
    }
}

/// The parts of the request a signature covers.
pub(crate) struct RequestParts<'a> {
    pub method: &'a str,
    /// Path exactly as received (not decoded).
    pub raw_path: &'a str,
    pub raw_query: Option<&'a str>,
    pub headers: &'a HeaderMap,
}

/// Ok(()) when the request carries valid credentials; otherwise the 401 response to send.
pub(crate) fn authenticate(state: &State, req: &RequestParts<'_>) -> Result<(), Box<Resp>> {
    let Some(value) = req.headers.get(AUTHORIZATION) else {
        return Err(refuse(state, Reason::MissingAuthorization, false));
    };
    let Ok(value) = value.to_str() else {
        return Err(refuse(state, Reason::UnsupportedScheme, false));
    };
    let value = value.trim();
    let (scheme, rest) = value.split_once(' ').unwrap_or((value, ""));
    if scheme.eq_ignore_ascii_case("bearer") {
        auth_oauth2::verify_bearer(&state.token_secret, rest.trim(), now_ms())
            .map_err(|r| refuse(state, r, true))
    } else if scheme.eq_ignore_ascii_case("oauth") {
        let verified = auth_oauth1::verify_tba(
            value,
            &auth_oauth1::TbaContext {
                method: req.method,
                base_url: &state.public_base,
                raw_path: req.raw_path,
                raw_query: req.raw_query,
                account_id: &state.account_id,
                credentials: &state.tba,
                now: now_secs(),
            },
        )
        .map_err(|r| refuse(state, r, false))?;
        if !state.remember_nonce(&verified.token_id, &verified.nonce, now_secs()) {
            return Err(refuse(state, Reason::NonceUsed, false));
        }
        Ok(())
    } else {
        Err(refuse(state, Reason::UnsupportedScheme, false))
    }
}

fn refuse(state: &State, reason: Reason, bearer: bool) -> Box<Resp> {
    state.stats(|s| s.auth_failures += 1);
    tracing::debug!(reason = reason.as_str(), "authentication failed");
    let mut resp = invalid_login(reason.as_str());
    if bearer {
        let v = format!(
            "Bearer realm=\"{}\", error=\"invalid_token\", error_description=\"Invalid login attempt.\"",
            state.account_id
        );
        if let Ok(v) = HeaderValue::from_str(&v) {
            resp.headers_mut().insert(WWW_AUTHENTICATE, v);
        }
    }
    Box::new(resp)
}

pub(crate) fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

pub(crate) fn now_secs() -> i64 {
    chrono::Utc::now().timestamp()
}
