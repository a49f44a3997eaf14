//! Configuration of a fake NetSuite account: credentials, limits, faults.

use std::time::Duration;

use crate::catalog::Catalog;

/// One Token-Based-Authentication (OAuth 1.0a) credential set: an integration record (consumer)
/// plus an access token issued for it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TbaCredentials {
    pub consumer_key: String,
    pub consumer_secret: String,
    pub token_id: String,
    pub token_secret: String,
}

/// One OAuth 2.0 client-credentials (M2M) mapping: integration client id, the certificate id
/// (`kid` of the client's JWT assertions) and the certificate's public key.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct M2mClient {
    pub client_id: String,
    pub certificate_id: String,
    /// `-----BEGIN PUBLIC KEY-----` PEM (RSA for PS256/PS384/PS512, EC P-256 for ES256).
    pub public_key_pem: String,
}

/// Injected faults. Faults are drawn from an RNG seeded with `seed`, so a given seed and request
/// sequence always produce the same faults.
#[derive(Clone, Debug, Default)]
pub struct Faults {
    /// Added to every record / SuiteQL request while it holds a concurrency slot.
    pub latency: Duration,
    /// 0..1: probability that a record write is answered 500 UNEXPECTED_ERROR before anything happens.
    pub server_error_rate: f64,
    /// 0..1: probability that a record write is committed and then the connection is dropped
    /// without a response.
    pub drop_after_commit_rate: f64,
    pub seed: u64,
}

/// Everything a fake account needs.
#[derive(Clone, Debug)]
pub struct FakeConfig {
    /// Account id, e.g. `123456_SB1`; the OAuth 1.0a `realm` must equal it exactly.
    pub account_id: String,
    /// Base URL clients sign against and use as the JWT `aud` prefix, e.g. `http://127.0.0.1:PORT`.
    /// `None` = the server's own `http://<bound addr>`.
    pub public_base_url: Option<String>,
    /// Concurrent requests admitted (all endpoints except the token endpoint).
    pub concurrency_limit: usize,
    /// Maximum lines per journal entry.
    pub line_limit: usize,
    pub tba: Vec<TbaCredentials>,
    pub m2m: Vec<M2mClient>,
    /// Lifetime of access tokens minted by the token endpoint.
    pub token_ttl: Duration,
    pub catalog: Catalog,
    pub faults: Faults,
}

impl Default for FakeConfig {
    fn default() -> Self {
        FakeConfig {
            account_id: "123456".to_string(),
            public_base_url: None,
            concurrency_limit: 5,
            line_limit: 1000,
            tba: Vec::new(),
            m2m: Vec::new(),
            token_ttl: Duration::from_secs(3600),
            catalog: Catalog::default(),
            faults: Faults::default(),
        }
    }
}
