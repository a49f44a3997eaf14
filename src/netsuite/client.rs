//! One request at a time to SuiteTalk REST, signed with the configured auth,
//! and NetSuite's answer sorted into what the poster can do about it.
//! Retrying is the poster's business; the client only refreshes an expired
//! OAuth 2.0 token once.

use std::time::{Duration, Instant};

use reqwest::{Method, StatusCode, Url};
use serde_json::Value;
use tokio::sync::Mutex;

use super::config::{Auth, NetSuiteConfig};
use super::m2m::{self, CachedToken, TokenResponse};
use super::oauth1;

/// What went wrong, by what to do about it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NsError {
    /// 429, 5xx, a timeout or a dropped connection: try again later.
    #[error("{detail}")]
    Retryable { status: Option<u16>, detail: String },
    /// 401/403: no request will succeed until someone fixes the credentials.
    #[error("NetSuite refused the credentials (HTTP {status}): {detail}")]
    Auth { status: u16, detail: String },
    /// 4xx on the record itself: NetSuite's message says what to fix.
    #[error("NetSuite rejected it (HTTP {status} {code}): {detail}")]
    Rejected {
        status: u16,
        code: String,
        detail: String,
    },
    /// Our side cannot even form the request (a bad key, a bad URL).
    #[error("{0}")]
    Setup(String),
}

impl NsError {
    pub fn status(&self) -> Option<u16> {
        match self {
            NsError::Retryable { status, .. } => *status,
            NsError::Auth { status, .. } | NsError::Rejected { status, .. } => Some(*status),
            NsError::Setup(_) => None,
        }
    }
}

pub struct NetSuiteClient {
    http: reqwest::Client,
    config: NetSuiteConfig,
    token: Mutex<Option<CachedToken>>,
}

impl std::fmt::Debug for NetSuiteClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NetSuiteClient")
            .field("account_id", &self.config.account_id)
            .field("base_url", &self.config.base_url)
            .field("auth", &self.config.auth.name())
            .finish()
    }
}

impl NetSuiteClient {
    pub fn new(config: NetSuiteConfig) -> Result<NetSuiteClient, NsError> {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(config.request_timeout_secs))
            .connect_timeout(Duration::from_secs(config.request_timeout_secs.min(30)))
            // No cookie store (reqwest's `cookies` feature is off): NetSuite
            // treats a request with a Cookie as a browser session.
            .build()
            .map_err(|e| NsError::Setup(format!("cannot build the HTTP client: {e}")))?;
        Ok(NetSuiteClient {
            http,
            config,
            token: Mutex::new(None),
        })
    }

    pub fn config(&self) -> &NetSuiteConfig {
        &self.config
    }

    fn url(&self, path_and_query: &str) -> Result<Url, NsError> {
        Url::parse(&format!("{}{path_and_query}", self.config.base_url))
            .map_err(|e| NsError::Setup(format!("bad NetSuite URL: {e}")))
    }

    /// Upserts by external id with `replace=line`, so a retry replaces the
    /// lines instead of appending a second set. Returns the internal id.
    pub async fn upsert_journal_entry(
        &self,
        external_id: &str,
        body: &str,
    ) -> Result<String, NsError> {
        let url = self.url(&format!(
            "/services/rest/record/v1/journalentry/eid:{external_id}?replace=line"
        ))?;
        let response = self
            .send(Method::PUT, url, Some(body.to_string()), false)
            .await?;
        let status = response.status();
        if status == StatusCode::NO_CONTENT || status == StatusCode::OK {
            let location = response
                .headers()
                .get(reqwest::header::LOCATION)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_string();
            let id = location.rsplit('/').next().unwrap_or_default();
            if !id.is_empty() && !id.starts_with("eid:") {
                return Ok(id.to_string());
            }
            // Stored, but the answer does not say as what: ask.
            return match self.journal_entry_id(external_id).await? {
                Some(id) => Ok(id),
                None => Err(NsError::Retryable {
                    status: Some(status.as_u16()),
                    detail: format!(
                        "NetSuite answered {status} without the record's Location, and has no {external_id}"
                    ),
                }),
            };
        }
        Err(classify(status, response.text().await.unwrap_or_default()))
    }

    /// A journal entry by external id, as NetSuite returns it.
    pub async fn journal_entry(&self, external_id: &str) -> Result<Option<Value>, NsError> {
        let url = self.url(&format!(
            "/services/rest/record/v1/journalentry/eid:{external_id}"
        ))?;
        let response = self.send(Method::GET, url, None, false).await?;
        let status = response.status();
        if status == StatusCode::NOT_FOUND {
            return Ok(None);
        }
        let text = response.text().await.unwrap_or_default();
        if !status.is_success() {
            return Err(classify(status, text));
        }
        serde_json::from_str(&text)
            .map(Some)
            .map_err(|e| NsError::Retryable {
                status: Some(status.as_u16()),
                detail: format!("unreadable record: {e}"),
            })
    }

    /// The internal id of the journal entry with this external id, if NetSuite has one.
    pub async fn journal_entry_id(&self, external_id: &str) -> Result<Option<String>, NsError> {
        Ok(self
            .journal_entry(external_id)
            .await?
            .and_then(|record| match record.get("id") {
                Some(Value::String(s)) => Some(s.clone()),
                Some(Value::Number(n)) => Some(n.to_string()),
                _ => None,
            }))
    }

    /// Every row of a SuiteQL query, page by page (1,000 a page).
    pub async fn suiteql(
        &self,
        query: &str,
    ) -> Result<Vec<serde_json::Map<String, Value>>, NsError> {
        let mut rows = Vec::new();
        let limit = 1000;
        let mut offset = 0;
        loop {
            let url = self.url(&format!(
                "/services/rest/query/v1/suiteql?limit={limit}&offset={offset}"
            ))?;
            let body = serde_json::json!({ "q": query }).to_string();
            let response = self.send(Method::POST, url, Some(body), true).await?;
            let status = response.status();
            let text = response.text().await.unwrap_or_default();
            if !status.is_success() {
                return Err(classify(status, text));
            }
            let page: Value = serde_json::from_str(&text).map_err(|e| NsError::Retryable {
                status: Some(status.as_u16()),
                detail: format!("unreadable SuiteQL page: {e}"),
            })?;
            if let Some(items) = page.get("items").and_then(Value::as_array) {
                for item in items {
                    if let Some(obj) = item.as_object() {
                        rows.push(obj.clone());
                    }
                }
            }
            if page.get("hasMore").and_then(Value::as_bool) != Some(true) {
                return Ok(rows);
            }
            offset += limit;
        }
    }

    async fn send(
        &self,
        method: Method,
        url: Url,
        body: Option<String>,
        transient: bool,
    ) -> Result<reqwest::Response, NsError> {
        let mut refreshed = false;
        loop {
            let mut authorization = reqwest::header::HeaderValue::from_str(
                &self.authorization(&method, &url).await?,
            )
            .map_err(|_| NsError::Setup("the Authorization header is not valid text".into()))?;
            // Kept out of any debug print of the request.
            authorization.set_sensitive(true);
            let mut request = self
                .http
                .request(method.clone(), url.clone())
                .header(reqwest::header::AUTHORIZATION, authorization)
                .header("X-NetSuite-PropertyNameValidation", "error");
            if transient {
                request = request.header("Prefer", "transient");
            }
            if let Some(body) = &body {
                request = request
                    .header(reqwest::header::CONTENT_TYPE, "application/json")
                    .body(body.clone());
            }
            let response = request.send().await.map_err(transport)?;
            if response.status() == StatusCode::UNAUTHORIZED
                && matches!(self.config.auth, Auth::M2m(_))
                && !refreshed
            {
                // The token may have expired early: one fresh token, one retry.
                *self.token.lock().await = None;
                refreshed = true;
                continue;
            }
            return Ok(response);
        }
    }

    async fn authorization(&self, method: &Method, url: &Url) -> Result<String, NsError> {
        match &self.config.auth {
            Auth::Tba(credentials) => Ok(oauth1::authorization_header(
                method.as_str(),
                url,
                &self.config.account_id,
                credentials,
                &oauth1::Nonce::fresh(),
            )),
            Auth::M2m(credentials) => {
                let mut cached = self.token.lock().await;
                if let Some(token) = cached.as_ref().filter(|t| t.is_fresh(Instant::now())) {
                    return Ok(format!("Bearer {}", token.token.expose()));
                }
                let token_url = self.config.token_url();
                let assertion =
                    m2m::assertion(credentials, &token_url, chrono::Utc::now().timestamp())
                        .map_err(|e| {
                            NsError::Setup(format!(
                        "cannot sign the OAuth 2.0 assertion with the configured private key: {e}"
                    ))
                        })?;
                let response = self
                    .http
                    .post(&token_url)
                    .form(&[
                        ("grant_type", "client_credentials"),
                        (
                            "client_assertion_type",
                            "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
                        ),
                        ("client_assertion", assertion.as_str()),
                    ])
                    .send()
                    .await
                    .map_err(transport)?;
                let status = response.status();
                let text = response.text().await.unwrap_or_default();
                if !status.is_success() {
                    let error = serde_json::from_str::<Value>(&text)
                        .ok()
                        .and_then(|v| v.get("error").and_then(Value::as_str).map(str::to_string))
                        .unwrap_or_else(|| "no error code".into());
                    if status.is_server_error() || status == StatusCode::TOO_MANY_REQUESTS {
                        return Err(NsError::Retryable {
                            status: Some(status.as_u16()),
                            detail: format!("token endpoint answered {status}"),
                        });
                    }
                    return Err(NsError::Auth {
                        status: status.as_u16(),
                        detail: format!("the token endpoint refused the assertion: {error}"),
                    });
                }
                let parsed: TokenResponse =
                    serde_json::from_str(&text).map_err(|e| NsError::Auth {
                        status: status.as_u16(),
                        detail: format!("unreadable token response: {e}"),
                    })?;
                if !parsed.token_type.eq_ignore_ascii_case("bearer") {
                    return Err(NsError::Auth {
                        status: status.as_u16(),
                        detail: format!("token type `{}`, expected bearer", parsed.token_type),
                    });
                }
                let token = CachedToken::new(parsed, Instant::now());
                let header = format!("Bearer {}", token.token.expose());
                *cached = Some(token);
                Ok(header)
            }
        }
    }
}

fn transport(e: reqwest::Error) -> NsError {
    let what = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "could not connect"
    } else {
        "connection failed"
    };
    // reqwest's message can carry the URL, never a credential.
    NsError::Retryable {
        status: None,
        detail: format!("request {what}: {e}"),
    }
}

/// NetSuite's error body: `o:errorDetails[0]` has the detail and code.
pub fn classify(status: StatusCode, text: String) -> NsError {
    let parsed: Option<Value> = serde_json::from_str(&text).ok();
    let first = parsed
        .as_ref()
        .and_then(|v| v.get("o:errorDetails"))
        .and_then(Value::as_array)
        .and_then(|a| a.first());
    let detail = first
        .and_then(|d| d.get("detail"))
        .and_then(Value::as_str)
        .map(str::to_string)
        .unwrap_or_else(|| {
            let t: String = text.chars().take(300).collect();
            if t.is_empty() {
                format!("HTTP {status}")
            } else {
                t
            }
        });
    let code = first
        .and_then(|d| d.get("o:errorCode"))
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let path = first
        .and_then(|d| d.get("o:errorPath"))
        .and_then(Value::as_str);
    let detail = match path {
        Some(p) => format!("{detail} (at {p})"),
        None => detail,
    };
    let s = status.as_u16();
    // NetSuite's own example of the concurrency refusal says "Bad Request":
    // the code decides, whatever the status.
    let throttled = code == "CONCURRENCY_LIMIT_EXCEEDED";
    if status == StatusCode::TOO_MANY_REQUESTS
        || throttled
        || status.is_server_error()
        || status == StatusCode::REQUEST_TIMEOUT
        || status == StatusCode::CONFLICT
    {
        let s = if throttled { 429 } else { s };
        NsError::Retryable {
            status: Some(s),
            detail: format!("HTTP {s} {code}: {detail}"),
        }
    } else if status == StatusCode::UNAUTHORIZED || status == StatusCode::FORBIDDEN {
        NsError::Auth { status: s, detail }
    } else {
        NsError::Rejected {
            status: s,
            code,
            detail,
        }
    }
}
