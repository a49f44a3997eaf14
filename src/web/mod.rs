//! `settlebridge serve`: the web app (axum handlers, askama pages). Every
//! request passes `guard::guard` first: it finds the session, refuses
//! auditors' writes and checks the CSRF token of every form; each handler
//! then checks the permission its action needs.

mod admin;
pub mod auth;
mod books;
mod close;
mod dashboard;
mod error;
mod guard;
mod imports;
mod login;
mod page;
mod trails;
mod upload;

use std::path::PathBuf;
use std::sync::Arc;

use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use axum::Router;

pub use auth::{hash_password, LoginLimiter};
pub use error::WebError;

use crate::store::LedgerStore;

/// How the server runs.
#[derive(Clone, Debug)]
pub struct WebConfig {
    /// Directory with accounts.toml and the mapping files.
    pub mappings: PathBuf,
    /// Mark cookies `Secure` (browsers then send them over HTTPS and to
    /// localhost only). Off only for plain-HTTP deployments on a LAN.
    pub secure_cookies: bool,
    pub session_hours: i64,
    /// Largest upload accepted, in bytes (all files of one request).
    pub max_upload_bytes: usize,
    /// Where uploads are spooled before they are imported.
    pub spool_dir: PathBuf,
    /// NetSuite settings for the "post to NetSuite" button, when configured.
    pub netsuite: Option<crate::netsuite::config::NetSuiteConfig>,
}

impl WebConfig {
    pub fn new(mappings: PathBuf) -> Self {
        WebConfig {
            mappings,
            secure_cookies: true,
            session_hours: 8,
            max_upload_bytes: 256 * 1024 * 1024,
            spool_dir: std::env::temp_dir(),
            netsuite: None,
        }
    }
}

pub(crate) struct Inner {
    pub store: Arc<dyn LedgerStore>,
    pub config: WebConfig,
    pub limiter: LoginLimiter,
    /// Password checks in flight (argon2 is memory- and CPU-hard).
    pub hashing: tokio::sync::Semaphore,
}

#[derive(Clone)]
pub struct AppState(pub(crate) Arc<Inner>);

impl AppState {
    pub fn new(store: Arc<dyn LedgerStore>, config: WebConfig) -> Self {
        AppState(Arc::new(Inner {
            store,
            config,
            limiter: LoginLimiter::default(),
            hashing: tokio::sync::Semaphore::new(2),
        }))
    }
    pub(crate) fn store(&self) -> &dyn LedgerStore {
        self.0.store.as_ref()
    }
    pub(crate) fn config(&self) -> &WebConfig {
        &self.0.config
    }
}

/// Every route of the app.
pub fn router(state: AppState) -> Router {
    let upload_limit = state.config().max_upload_bytes;
    Router::new()
        .route("/", get(dashboard::dashboard))
        .route("/login", get(login::form).post(login::submit))
        .route("/logout", post(login::logout))
        .route("/static/app.css", get(page::stylesheet))
        .route("/static/app.js", get(page::script))
        .route("/healthz", get(|| async { "ok" }))
        .route("/favicon.ico", get(page::favicon))
        .route(
            "/upload",
            get(upload::form)
                .post(upload::submit)
                .layer(DefaultBodyLimit::max(upload_limit)),
        )
        .route("/imports", get(imports::list))
        .route("/imports/{id}", get(imports::batch))
        .route("/imports/{id}/file", get(imports::download))
        .route("/orders/{id}", get(trails::order))
        .route("/payouts/{id}", get(trails::payout))
        .route("/ledger", get(books::ledger))
        .route("/ledger/entries/{seq}", get(books::entry))
        .route("/trial-balance", get(books::trial_balance))
        .route("/search", get(books::search))
        .route("/exceptions", get(close::exceptions))
        .route("/close", get(close::report))
        .route("/close/report.csv", get(close::download_csv))
        .route("/close/report.xlsx", get(close::download_xlsx))
        .route("/close/print", get(close::print))
        .route("/periods/{period}/close", post(close::close_period))
        .route("/periods/{period}/reopen", post(close::reopen_period))
        .route("/reconcile", post(close::reconcile))
        .route("/netsuite/post", post(close::post_netsuite))
        .route("/admin/users", get(admin::users).post(admin::add_user))
        .route("/admin/users/{name}", post(admin::change_user))
        .route("/audit", get(admin::audit_log))
        .route("/audit.csv", get(admin::audit_csv))
        .fallback(page::not_found)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            guard::guard,
        ))
        // Forms other than uploads are small.
        .layer(DefaultBodyLimit::max(64 * 1024))
        .with_state(state)
}

/// Serves until the process is stopped.
pub async fn serve(listener: tokio::net::TcpListener, state: AppState) -> std::io::Result<()> {
    axum::serve(
        listener,
        router(state).into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .await
}
