//! The HTTP server: accept loop, routing, admission, latency, auth and fault injection.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Body;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

use crate::auth::{authenticate, RequestParts};
use crate::auth_oauth1::{decode, parse_query};
use crate::auth_oauth2::{token_endpoint, TOKEN_PATH};
use crate::catalog::Catalog;
use crate::config::{FakeConfig, M2mClient, TbaCredentials};
use crate::errors::{concurrency_exceeded, method_not_allowed, unexpected_error, NsError, Resp};
use crate::limits::{Fault, FaultState, Gate};
use crate::records::{self, RecordRequest, Store, JOURNAL_TYPE, RECORD_PREFIX};
use crate::suiteql::{self, SUITEQL_PATH};
use crate::FakeStats;

/// NetSuite's documented REST request size limit.
const MAX_BODY: usize = 104 * 1024 * 1024;

/// Shared state of one fake account.
pub(crate) struct State {
    pub account_id: String,
    /// Public base URL without trailing slash.
    pub public_base: String,
    pub line_limit: usize,
    pub tba: Vec<TbaCredentials>,
    pub m2m: Vec<M2mClient>,
    pub token_ttl: Duration,
    /// HS256 key of the access tokens this server mints.
    pub token_secret: Vec<u8>,
    pub catalog: Mutex<Catalog>,
    pub store: Mutex<Store>,
    pub faults: Mutex<FaultState>,
    pub gate: Arc<Gate>,
    stats: Mutex<FakeStats>,
    /// (token id, nonce) → server time first seen.
    nonces: Mutex<HashMap<(String, String), i64>>,
}

impl State {
    pub fn new(config: FakeConfig, public_base: String) -> State {
        State {
            account_id: config.account_id,
            public_base: public_base.trim_end_matches('/').to_string(),
            line_limit: config.line_limit,
            tba: config.tba,
            m2m: config.m2m,
            token_ttl: config.token_ttl,
            token_secret: (0..32).map(|_| rand::random::<u8>()).collect(),
            catalog: Mutex::new(config.catalog),
            store: Mutex::new(Store::default()),
            faults: Mutex::new(FaultState::new(config.faults)),
            gate: Gate::new(config.concurrency_limit),
            stats: Mutex::new(FakeStats::default()),
            nonces: Mutex::new(HashMap::new()),
        }
    }

    pub fn stats(&self, f: impl FnOnce(&mut FakeStats)) {
        f(&mut self.stats.lock().expect("stats lock"));
    }

    pub fn stats_snapshot(&self) -> FakeStats {
        let mut s = self.stats.lock().expect("stats lock").clone();
        s.max_in_flight = self.gate.max_in_flight();
        s
    }

    /// Records a nonce for a token; false if it was already used. Entries older than twice
    /// the allowed clock skew can never match a valid request again and are pruned.
    pub fn remember_nonce(&self, token_id: &str, nonce: &str, now: i64) -> bool {
        let mut seen = self.nonces.lock().expect("nonce lock");
        if seen.len() > 100_000 {
            seen.retain(|_, t| now - *t <= 2 * crate::auth_oauth1::MAX_SKEW_SECS);
        }
        seen.insert((token_id.to_string(), nonce.to_string()), now)
            .is_none()
    }
}

/// Returned by the service to make hyper close the connection without any response.
#[derive(Debug, thiserror::Error)]
#[error("connection dropped after commit (injected fault)")]
pub(crate) struct DropConnection;

pub(crate) fn spawn(state: Arc<State>, listener: TcpListener, mut shutdown: watch::Receiver<()>) {
    tokio::spawn(async move {
        loop {
            tokio::select! {
                _ = shutdown.changed() => break,
                accepted = listener.accept() => match accepted {
                    Ok((stream, _)) => serve_connection(state.clone(), stream, shutdown.clone()),
                    Err(e) => {
                        tracing::warn!(error = %e, "accept failed");
                        tokio::time::sleep(Duration::from_millis(10)).await;
                    }
                },
            }
        }
    });
}

fn serve_connection(state: Arc<State>, stream: TcpStream, mut shutdown: watch::Receiver<()>) {
    let _ = stream.set_nodelay(true);
    tokio::spawn(async move {
        let svc = service_fn(move |req| handle(state.clone(), req));
        let conn = http1::Builder::new()
            .timer(TokioTimer::new())
            .serve_connection(TokioIo::new(stream), svc);
        tokio::select! {
            r = conn => if let Err(e) = r { tracing::debug!(error = %e, "connection ended") },
            _ = shutdown.changed() => {}
        }
    });
}

enum Route {
    /// journalentry collection (`id` None) or one record.
    Journal {
        id: Option<String>,
    },
    UnknownRecordType(String),
    Suiteql,
    NotFound,
}

fn strip_prefix_ci<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let head = s.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &s[prefix.len()..])
}

fn route(path: &str) -> Route {
    let trimmed = path.trim_end_matches('/');
    if trimmed.eq_ignore_ascii_case(SUITEQL_PATH) {
        return Route::Suiteql;
    }
    let Some(rest) = strip_prefix_ci(trimmed, RECORD_PREFIX) else {
        return Route::NotFound;
    };
    let segments: Option<Vec<String>> = rest.split('/').map(decode).collect();
    match segments.as_deref() {
        Some([ty]) if ty.eq_ignore_ascii_case(JOURNAL_TYPE) => Route::Journal { id: None },
        Some([ty, id]) if ty.eq_ignore_ascii_case(JOURNAL_TYPE) && !id.is_empty() => {
            Route::Journal {
                id: Some(id.clone()),
            }
        }
        Some([ty]) | Some([ty, _]) if !ty.is_empty() => Route::UnknownRecordType(ty.clone()),
        _ => Route::NotFound,
    }
}

fn not_found(detail: impl Into<String>) -> Resp {
    NsError::new(StatusCode::NOT_FOUND, "NONEXISTENT_ID", detail).into_response()
}

async fn handle(state: Arc<State>, req: Request<Incoming>) -> Result<Resp, DropConnection> {
    state.stats(|s| s.requests += 1);
    let (parts, body) = req.into_parts();
    let path = parts.uri.path().to_string();
    tracing::debug!(method = %parts.method, %path, "request");

    if path.eq_ignore_ascii_case(TOKEN_PATH) {
        if parts.method != Method::POST {
            return Ok(method_not_allowed());
        }
        let Ok(bytes) = axum::body::to_bytes(Body::new(body), MAX_BODY).await else {
            return Ok(NsError::malformed().into_response());
        };
        return Ok(token_endpoint(&state, &parts.headers, &bytes));
    }

    let Some(_permit) = state.gate.try_admit() else {
        state.stats(|s| s.rejected_concurrency += 1);
        return Ok(concurrency_exceeded());
    };
    let route = route(&path);
    if let Route::NotFound = route {
        return Ok(not_found(format!("No resource at {path}.")));
    }
    let latency = state.faults.lock().expect("faults lock").faults.latency;
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    let Ok(bytes) = axum::body::to_bytes(Body::new(body), MAX_BODY).await else {
        return Ok(NsError::malformed().into_response());
    };
    let raw_query = parts.uri.query();
    let parts_ref = RequestParts {
        method: parts.method.as_str(),
        raw_path: &path,
        raw_query,
        headers: &parts.headers,
    };
    if let Err(resp) = authenticate(&state, &parts_ref) {
        return Ok(*resp);
    }
    let Some(query) = parse_query(raw_query.unwrap_or("")) else {
        return Ok(NsError::malformed().into_response());
    };

    let resp = match route {
        Route::NotFound => unreachable!("handled above"),
        Route::UnknownRecordType(ty) => not_found(format!(
            "Record type '{ty}' does not exist (this fake serves only journalentry)."
        )),
        Route::Suiteql => {
            if parts.method != Method::POST {
                return Ok(method_not_allowed());
            }
            let catalog = state.catalog.lock().expect("catalog lock");
            suiteql::handle(&catalog, &state.public_base, &query, &parts.headers, &bytes)
        }
        Route::Journal { id } => {
            let is_write = matches!(parts.method, Method::POST | Method::PUT | Method::PATCH);
            let fault = if is_write {
                state.faults.lock().expect("faults lock").draw()
            } else {
                Fault::None
            };
            if fault == Fault::ServerError {
                state.stats(|s| s.server_errors_injected += 1);
                return Ok(unexpected_error());
            }
            let outcome = records::handle(
                &state,
                &RecordRequest {
                    method: &parts.method,
                    id: id.as_deref(),
                    query: &query,
                    headers: &parts.headers,
                    body: &bytes,
                },
            );
            if fault == Fault::DropAfterCommit && outcome.committed {
                state.stats(|s| s.drops_injected += 1);
                return Err(DropConnection);
            }
            outcome.resp
        }
    };
    if resp.status() == StatusCode::BAD_REQUEST {
        state.stats(|s| s.validation_errors += 1);
    }
    Ok(resp)
}
