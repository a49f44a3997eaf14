//! How settlebridge reaches NetSuite: `gl-mappings/netsuite.toml` for what
//! may be read by anyone (account id, base URL, which auth, which customer
//! each shop posts as, segment ids), the environment for secrets. Secrets
//! live in `Secret`, whose `Debug` and `Display` print `[redacted]`.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::path::{Path, PathBuf};

use serde::Deserialize;

/// A value that must never reach a log, a terminal or a page.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Secret {
        Secret(value.into())
    }
    /// The value itself, for the one place that signs with it.
    pub fn expose(&self) -> &str {
        &self.0
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

/// Token-based authentication (OAuth 1.0a): for integrations set up before
/// NetSuite stopped issuing new TBA tokens (2027.1).
#[derive(Clone, PartialEq, Eq)]
pub struct TbaCredentials {
    pub consumer_key: String,
    pub consumer_secret: Secret,
    pub token_id: String,
    pub token_secret: Secret,
}

/// Identifiers are half of a credential: only their last four characters print.
fn tail(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let keep = chars.len().saturating_sub(4);
    format!("…{}", chars[keep..].iter().collect::<String>())
}

impl fmt::Debug for TbaCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TbaCredentials")
            .field("consumer_key", &tail(&self.consumer_key))
            .field("consumer_secret", &self.consumer_secret)
            .field("token_id", &tail(&self.token_id))
            .field("token_secret", &self.token_secret)
            .finish()
    }
}

/// OAuth 2.0 client credentials (machine to machine): a JWT assertion signed
/// with the private key of the certificate uploaded to NetSuite.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct M2mCredentials {
    pub client_id: String,
    pub certificate_id: String,
    /// PEM of the RSA private key (PKCS#8 or PKCS#1).
    pub private_key_pem: Secret,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Auth {
    M2m(M2mCredentials),
    Tba(TbaCredentials),
}

impl Auth {
    pub fn name(&self) -> &'static str {
        match self {
            Auth::M2m(_) => "OAuth 2.0 machine-to-machine",
            Auth::Tba(_) => "token-based authentication (OAuth 1.0a)",
        }
    }
}

/// How ledger entries become NetSuite journal entries.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum PostingMode {
    /// One journal entry per ledger entry.
    Entry,
    /// One journal entry per payout (a line per order and component), split
    /// below the line limit; entries outside any payout go one by one.
    Payout,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NetSuiteConfig {
    /// As NetSuite shows it: `123456`, or `123456_SB1` for a sandbox.
    pub account_id: String,
    /// `https://123456-sb1.suitetalk.api.netsuite.com` unless configured.
    pub base_url: String,
    pub auth: Auth,
    pub concurrency: usize,
    pub request_timeout_secs: u64,
    /// Tries per journal entry for retryable failures (429, 5xx, timeouts).
    pub max_attempts: u32,
    /// First backoff step; doubles per attempt (capped at 30 s), full jitter.
    pub retry_base_ms: u64,
    /// How long a run holds a document it is sending; a killed run's hold
    /// expires after this.
    pub claim_lease_secs: u64,
    pub rules: DocumentRules,
}

/// How entries become journal entries: shared by API posting and the CSV
/// export, so it needs no credentials.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DocumentRules {
    pub mode: PostingMode,
    /// Lines per journal entry in payout mode (NetSuite's limit is 1,000).
    pub max_lines: usize,
    /// Where a rounding residual goes when an entry does not balance after
    /// rounding each line to NetSuite's precision.
    pub rounding_account: Option<String>,
    /// The subsidiary of entries whose postings name none (manual entries).
    pub default_subsidiary: Option<String>,
    /// Per shop: the customer (entity internal id) its lines carry.
    pub shop_customers: BTreeMap<String, String>,
    /// Shop segment values (shops.toml) → NetSuite internal ids, per segment.
    pub segment_ids: BTreeMap<String, BTreeMap<String, String>>,
    /// The date layout of the NetSuite CSV import (the account's preference).
    pub csv_date_format: String,
}

impl Default for DocumentRules {
    fn default() -> Self {
        DocumentRules {
            mode: PostingMode::Entry,
            max_lines: 999,
            rounding_account: None,
            default_subsidiary: None,
            shop_customers: BTreeMap::new(),
            segment_ids: BTreeMap::new(),
            csv_date_format: "%m/%d/%Y".into(),
        }
    }
}

impl DocumentRules {
    /// The rules of `netsuite.toml` (its connection settings are not needed).
    pub fn from_toml(text: &str, path: &str) -> Result<DocumentRules, ConfigError> {
        let file = parse_file(text, path)?;
        rules_of(&file)
    }

    /// `path` when it exists, else the defaults.
    pub fn load(path: &Path) -> Result<DocumentRules, ConfigError> {
        if !path.exists() {
            return Ok(DocumentRules::default());
        }
        let text = std::fs::read_to_string(path).map_err(|e| ConfigError::Read {
            path: path.display().to_string(),
            message: e.to_string(),
        })?;
        DocumentRules::from_toml(&text, &path.display().to_string())
    }
}

fn parse_file(text: &str, path: &str) -> Result<ConfigFile, ConfigError> {
    toml::from_str(text).map_err(|e| ConfigError::Syntax {
        path: path.to_string(),
        message: e.message().to_string(),
    })
}

fn rules_of(file: &ConfigFile) -> Result<DocumentRules, ConfigError> {
    let max_lines = file.max_lines.unwrap_or(999);
    if !(2..=1000).contains(&max_lines) {
        return Err(ConfigError::Invalid(format!(
            "max_lines {max_lines}: NetSuite takes 2 to 1,000 lines per journal entry"
        )));
    }
    Ok(DocumentRules {
        mode: file.mode.unwrap_or(PostingMode::Entry),
        max_lines,
        rounding_account: file.rounding_account.clone(),
        default_subsidiary: file.default_subsidiary.clone(),
        shop_customers: file
            .shop
            .iter()
            .map(|(k, v)| (k.clone(), v.customer.clone()))
            .collect(),
        segment_ids: file.segments.clone(),
        csv_date_format: file
            .csv_date_format
            .clone()
            .unwrap_or_else(|| "%m/%d/%Y".into()),
    })
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ConfigError {
    #[error("cannot read {path}: {message}")]
    Read { path: String, message: String },
    #[error("{path} is not valid: {message}")]
    Syntax { path: String, message: String },
    #[error("NetSuite is not configured: {0}")]
    Missing(String),
    #[error("NetSuite configuration: {0}")]
    Invalid(String),
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct ConfigFile {
    account_id: Option<String>,
    base_url: Option<String>,
    auth: Option<String>,
    concurrency: Option<usize>,
    mode: Option<PostingMode>,
    max_lines: Option<usize>,
    rounding_account: Option<String>,
    default_subsidiary: Option<String>,
    csv_date_format: Option<String>,
    request_timeout_secs: Option<u64>,
    max_attempts: Option<u32>,
    retry_base_ms: Option<u64>,
    claim_lease_secs: Option<u64>,
    m2m: Option<M2mFile>,
    tba: Option<TbaFile>,
    #[serde(default)]
    shop: BTreeMap<String, ShopFile>,
    #[serde(default)]
    segments: BTreeMap<String, BTreeMap<String, String>>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct M2mFile {
    client_id: Option<String>,
    certificate_id: Option<String>,
    private_key_file: Option<PathBuf>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct TbaFile {
    consumer_key: Option<String>,
    token_id: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ShopFile {
    customer: String,
}

/// NetSuite's account-specific host: lower case, `_` → `-`.
pub fn default_base_url(account_id: &str) -> String {
    format!(
        "https://{}.suitetalk.api.netsuite.com",
        account_id.to_ascii_lowercase().replace('_', "-")
    )
}

impl NetSuiteConfig {
    /// Reads `path` when it exists, then the environment, which wins.
    pub fn load(path: &Path) -> Result<NetSuiteConfig, ConfigError> {
        let text = if path.exists() {
            std::fs::read_to_string(path).map_err(|e| ConfigError::Read {
                path: path.display().to_string(),
                message: e.to_string(),
            })?
        } else {
            String::new()
        };
        let env: HashMap<String, String> = std::env::vars()
            .filter(|(k, _)| k.starts_with("NETSUITE_"))
            .collect();
        let base = path.parent().unwrap_or(Path::new("."));
        NetSuiteConfig::from_parts(&text, &path.display().to_string(), &env, base)
    }

    /// `text` is the TOML file (may be empty); `env` the NETSUITE_* variables;
    /// relative key files resolve against `base`.
    pub fn from_parts(
        text: &str,
        path: &str,
        env: &HashMap<String, String>,
        base: &Path,
    ) -> Result<NetSuiteConfig, ConfigError> {
        let file = parse_file(text, path)?;
        let rules = rules_of(&file)?;
        let var = |name: &str| env.get(name).filter(|v| !v.is_empty()).cloned();
        let account_id = var("NETSUITE_ACCOUNT_ID")
            .or(file.account_id)
            .ok_or_else(|| {
                ConfigError::Missing(format!(
                    "no account id (set account_id in {path} or NETSUITE_ACCOUNT_ID)"
                ))
            })?;
        if account_id.is_empty()
            || !account_id
                .chars()
                .all(|c| c.is_ascii_digit() || c.is_ascii_uppercase() || c == '_')
        {
            return Err(ConfigError::Invalid(format!(
                "account id `{account_id}` must be written as NetSuite shows it (digits, upper-case, `_`: 123456_SB1)"
            )));
        }
        let base_url = var("NETSUITE_BASE_URL")
            .or(file.base_url)
            .unwrap_or_else(|| default_base_url(&account_id))
            .trim_end_matches('/')
            .to_string();
        if !(base_url.starts_with("https://") || base_url.starts_with("http://")) {
            return Err(ConfigError::Invalid(format!(
                "base URL `{base_url}` must start with https://"
            )));
        }
        let auth_kind = var("NETSUITE_AUTH")
            .or(file.auth)
            .unwrap_or_else(|| "m2m".into());
        let auth = match auth_kind.as_str() {
            "m2m" => {
                let m = file.m2m.unwrap_or_default();
                let need = |v: Option<String>, what: &str, envname: &str| {
                    v.ok_or_else(|| {
                        ConfigError::Missing(format!(
                            "OAuth 2.0 needs {what} ([m2m] in {path} or {envname})"
                        ))
                    })
                };
                let client_id = need(
                    var("NETSUITE_CLIENT_ID").or(m.client_id),
                    "the client id",
                    "NETSUITE_CLIENT_ID",
                )?;
                let certificate_id = need(
                    var("NETSUITE_CERTIFICATE_ID").or(m.certificate_id),
                    "the certificate id",
                    "NETSUITE_CERTIFICATE_ID",
                )?;
                let pem = match var("NETSUITE_PRIVATE_KEY") {
                    Some(pem) => pem,
                    None => {
                        let file = var("NETSUITE_PRIVATE_KEY_FILE")
                            .map(PathBuf::from)
                            .or(m.private_key_file)
                            .ok_or_else(|| {
                                ConfigError::Missing(format!(
                                    "OAuth 2.0 needs the certificate's private key (private_key_file in [m2m] of {path}, NETSUITE_PRIVATE_KEY_FILE or NETSUITE_PRIVATE_KEY)"
                                ))
                            })?;
                        let file = if file.is_relative() {
                            base.join(file)
                        } else {
                            file
                        };
                        std::fs::read_to_string(&file).map_err(|e| ConfigError::Read {
                            path: file.display().to_string(),
                            message: e.to_string(),
                        })?
                    }
                };
                Auth::M2m(M2mCredentials {
                    client_id,
                    certificate_id,
                    private_key_pem: Secret::new(pem),
                })
            }
            "tba" => {
                let t = file.tba.unwrap_or_default();
                let need = |v: Option<String>, what: &str, envname: &str| {
                    v.ok_or_else(|| {
                        ConfigError::Missing(format!("token-based auth needs {what} ({envname})"))
                    })
                };
                Auth::Tba(TbaCredentials {
                    consumer_key: need(
                        var("NETSUITE_CONSUMER_KEY").or(t.consumer_key),
                        "the consumer key",
                        "NETSUITE_CONSUMER_KEY or [tba] consumer_key",
                    )?,
                    consumer_secret: Secret::new(need(
                        var("NETSUITE_CONSUMER_SECRET"),
                        "the consumer secret",
                        "NETSUITE_CONSUMER_SECRET; secrets are read from the environment only",
                    )?),
                    token_id: need(
                        var("NETSUITE_TOKEN_ID").or(t.token_id),
                        "the token id",
                        "NETSUITE_TOKEN_ID or [tba] token_id",
                    )?,
                    token_secret: Secret::new(need(
                        var("NETSUITE_TOKEN_SECRET"),
                        "the token secret",
                        "NETSUITE_TOKEN_SECRET; secrets are read from the environment only",
                    )?),
                })
            }
            other => {
                return Err(ConfigError::Invalid(format!(
                    "auth `{other}`: expected m2m or tba"
                )))
            }
        };
        let concurrency = var("NETSUITE_CONCURRENCY")
            .map(|v| {
                v.parse::<usize>().map_err(|_| {
                    ConfigError::Invalid(format!("NETSUITE_CONCURRENCY `{v}` is not a number"))
                })
            })
            .transpose()?
            .or(file.concurrency)
            .unwrap_or(5);
        if concurrency == 0 {
            return Err(ConfigError::Invalid(
                "concurrency must be at least 1".into(),
            ));
        }
        Ok(NetSuiteConfig {
            account_id,
            base_url,
            auth,
            concurrency,
            request_timeout_secs: file.request_timeout_secs.unwrap_or(60),
            max_attempts: file.max_attempts.unwrap_or(8).max(1),
            retry_base_ms: file.retry_base_ms.unwrap_or(500),
            claim_lease_secs: file.claim_lease_secs.unwrap_or(600).max(1),
            rules,
        })
    }

    pub fn token_url(&self) -> String {
        format!("{}/services/rest/auth/oauth2/v1/token", self.base_url)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn tba_from_file_and_environment_and_secrets_never_print() {
        let cfg = NetSuiteConfig::from_parts(
            "account_id = \"123456_SB1\"\nauth = \"tba\"\n[tba]\nconsumer_key = \"ck\"\ntoken_id = \"tk\"\n[shop.tiktok-us]\ncustomer = \"55\"\n",
            "netsuite.toml",
            &env(&[("NETSUITE_CONSUMER_SECRET", "cs-very-secret"), ("NETSUITE_TOKEN_SECRET", "ts-very-secret")]),
            Path::new("."),
        )
        .unwrap();
        assert_eq!(
            cfg.base_url,
            "https://123456-sb1.suitetalk.api.netsuite.com"
        );
        assert_eq!(cfg.rules.shop_customers["tiktok-us"], "55");
        let printed = format!("{cfg:?}");
        assert!(!printed.contains("very-secret"), "{printed}");
        assert!(printed.contains("[redacted]"));
    }

    #[test]
    fn the_shipped_example_parses() {
        let text = include_str!("../../gl-mappings/netsuite.example.toml");
        let rules = DocumentRules::from_toml(text, "netsuite.example.toml").unwrap();
        assert_eq!(rules.segment_ids["class"]["tiktok"], "3");
        let e =
            NetSuiteConfig::from_parts(text, "netsuite.example.toml", &env(&[]), Path::new("."))
                .unwrap_err();
        assert!(e.to_string().contains("private key"), "{e}");
    }

    #[test]
    fn missing_and_bad_values_are_named() {
        let e = NetSuiteConfig::from_parts("", "n.toml", &env(&[]), Path::new(".")).unwrap_err();
        assert!(e.to_string().contains("NETSUITE_ACCOUNT_ID"), "{e}");
        let e = NetSuiteConfig::from_parts(
            "account_id = \"123456_sb1\"",
            "n.toml",
            &env(&[]),
            Path::new("."),
        )
        .unwrap_err();
        assert!(e.to_string().contains("upper-case"), "{e}");
        let e = NetSuiteConfig::from_parts(
            "account_id = \"1\"\nauth = \"tba\"\n[tba]\nconsumer_key = \"c\"\ntoken_id = \"t\"",
            "n.toml",
            &env(&[]),
            Path::new("."),
        )
        .unwrap_err();
        assert!(e.to_string().contains("NETSUITE_CONSUMER_SECRET"), "{e}");
        // A secret in the file is refused outright: there is no field for it.
        let e = NetSuiteConfig::from_parts(
            "account_id = \"1\"\n[tba]\nconsumer_secret = \"x\"",
            "n.toml",
            &env(&[]),
            Path::new("."),
        )
        .unwrap_err();
        assert!(matches!(e, ConfigError::Syntax { .. }), "{e}");
    }
}
