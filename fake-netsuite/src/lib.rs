//! A faithful local fake of the NetSuite SuiteTalk REST endpoints settlebridge uses:
//! journal-entry create / upsert / patch / read, SuiteQL over a reference catalog, the OAuth 2.0
//! M2M token endpoint, Token-Based Authentication (OAuth 1.0a HMAC-SHA256) verification, the
//! account concurrency limit (429), and injected faults (latency, 500s, connections dropped
//! after commit).
//!
//! ```no_run
//! # async fn demo() -> anyhow::Result<()> {
//! use fake_netsuite::{Catalog, FakeConfig, FakeNetSuite};
//! let fake = FakeNetSuite::start(
//!     FakeConfig { catalog: Catalog::sample(), ..FakeConfig::default() },
//!     "127.0.0.1:0",
//! )
//! .await?;
//! println!("{}", fake.base_url());
//! # Ok(()) }
//! ```

mod auth;
mod auth_oauth1;
mod auth_oauth2;
mod catalog;
mod config;
mod errors;
mod journal;
mod limits;
mod records;
mod server;
mod suiteql;

use std::collections::BTreeMap;
use std::io::Write;
use std::net::SocketAddr;
use std::sync::Arc;

use rust_decimal::Decimal;
use tokio::net::TcpListener;
use tokio::sync::watch;

pub use auth_oauth2::TOKEN_PATH;
pub use catalog::{
    Catalog, CatalogAccount, CatalogCurrency, CatalogPeriod, CatalogRecord, CatalogSubsidiary,
};
pub use config::{FakeConfig, Faults, M2mClient, TbaCredentials};
pub use journal::{StoredJournal, StoredLine};
pub use suiteql::SUITEQL_PATH;

/// Fake-only response header carrying the precise reason of a 401 (e.g. `InvalidSignature`).
pub const REASON_HEADER: &str = "X-Fake-NetSuite-Reason";

/// Counters of what the fake saw and did.
#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct FakeStats {
    /// Every request received.
    pub requests: u64,
    /// 429s sent.
    pub rejected_concurrency: u64,
    /// Highest number of concurrently admitted requests (never above the limit).
    pub max_in_flight: usize,
    pub server_errors_injected: u64,
    pub drops_injected: u64,
    /// 401s on record / query requests plus refused token requests.
    pub auth_failures: u64,
    /// 400s on record and SuiteQL requests.
    pub validation_errors: u64,
    /// Records created.
    pub creates: u64,
    /// Upserts / patches of an existing record.
    pub updates: u64,
    pub tokens_issued: u64,
}

/// A running fake; stops serving when dropped (or on [`FakeNetSuite::shutdown`]).
pub struct FakeNetSuite {
    state: Arc<server::State>,
    addr: SocketAddr,
    _shutdown: watch::Sender<()>,
}

impl FakeNetSuite {
    /// Binds `addr` (use `"127.0.0.1:0"` for a free port) and serves in a tokio task.
    pub async fn start(config: FakeConfig, addr: &str) -> anyhow::Result<FakeNetSuite> {
        let listener = TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let own = format!("http://{addr}");
        let public = config.public_base_url.clone().unwrap_or(own);
        let state = Arc::new(server::State::new(config, public));
        let (tx, rx) = watch::channel(());
        server::spawn(state.clone(), listener, rx);
        Ok(FakeNetSuite {
            state,
            addr,
            _shutdown: tx,
        })
    }

    /// `http://127.0.0.1:PORT` (no trailing slash): where the server actually listens.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The base URL signatures and JWT audiences are checked against.
    pub fn public_base_url(&self) -> String {
        self.state.public_base.clone()
    }

    /// `<public base>/services/rest/auth/oauth2/v1/token` (the JWT `aud`).
    pub fn token_url(&self) -> String {
        format!("{}{TOKEN_PATH}", self.state.public_base)
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// Replaces the faults and reseeds the fault RNG with `faults.seed`.
    pub fn set_faults(&self, faults: Faults) {
        *self.state.faults.lock().expect("faults lock") = limits::FaultState::new(faults);
    }

    /// Marks a catalog period closed (no-op for an unknown id).
    pub fn close_period(&self, period_id: &str) {
        let mut catalog = self.state.catalog.lock().expect("catalog lock");
        if let Some(p) = catalog.periods.iter_mut().find(|p| p.id == period_id) {
            p.closed = true;
        }
    }

    /// A copy of the current catalog.
    pub fn catalog(&self) -> Catalog {
        self.state.catalog.lock().expect("catalog lock").clone()
    }

    /// Every journal entry held, in internal-id order.
    pub fn journals(&self) -> Vec<StoredJournal> {
        let store = self.state.store.lock().expect("store lock");
        store.by_id.values().map(|r| r.journal.clone()).collect()
    }

    pub fn journal_by_external_id(&self, eid: &str) -> Option<StoredJournal> {
        let store = self.state.store.lock().expect("store lock");
        store.by_external_id(eid).map(|r| r.journal.clone())
    }

    /// Per account id: (Σ debits, Σ credits) over all stored journal lines.
    pub fn account_totals(&self) -> BTreeMap<String, (Decimal, Decimal)> {
        let mut out: BTreeMap<String, (Decimal, Decimal)> = BTreeMap::new();
        for j in self.journals() {
            for l in &j.lines {
                let e = out.entry(l.account.clone()).or_default();
                e.0 += l.debit.unwrap_or_default();
                e.1 += l.credit.unwrap_or_default();
            }
        }
        out
    }

    pub fn stats(&self) -> FakeStats {
        self.state.stats_snapshot()
    }

    /// Stops accepting and closes open connections.
    pub fn shutdown(self) {
        drop(self);
    }
}

/// Starts a fake on `addr`, prints `listening on <base url>` as the first stdout line and
/// serves until the process is killed (Ctrl-C / SIGTERM end it through their default action).
pub async fn serve_until_ctrl_c(config: FakeConfig, addr: &str) -> anyhow::Result<()> {
    let fake = FakeNetSuite::start(config, addr).await?;
    {
        let mut out = std::io::stdout().lock();
        writeln!(out, "listening on {}", fake.base_url())?;
        if fake.public_base_url() != fake.base_url() {
            writeln!(out, "public base url {}", fake.public_base_url())?;
        }
        out.flush()?;
    }
    std::future::pending::<()>().await;
    drop(fake);
    Ok(())
}
