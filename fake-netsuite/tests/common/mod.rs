//! Test helpers: a tiny OAuth 1.0a signer (test code only), key generation via the openssl CLI,
//! journal-entry bodies.
#![allow(dead_code)]

use std::path::PathBuf;
use std::process::Command;

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use fake_netsuite::{Catalog, FakeConfig, FakeNetSuite, TbaCredentials};
use hmac::{Hmac, Mac};
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use rand::distributions::Alphanumeric;
use rand::Rng;
use reqwest::{Method, Response};
use serde_json::{json, Value};
use sha2::Sha256;

pub const ACCOUNT: &str = "123456_SB1";

pub fn creds() -> TbaCredentials {
    TbaCredentials {
        consumer_key: "ck-test".into(),
        consumer_secret: "cs secret/+=".into(),
        token_id: "tid-test".into(),
        token_secret: "ts&secret".into(),
    }
}

pub fn config() -> FakeConfig {
    FakeConfig {
        account_id: ACCOUNT.into(),
        tba: vec![creds()],
        catalog: Catalog::sample(),
        ..FakeConfig::default()
    }
}

pub async fn start(config: FakeConfig) -> FakeNetSuite {
    FakeNetSuite::start(config, "127.0.0.1:0").await.unwrap()
}

const ENC: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

fn enc(s: &str) -> String {
    utf8_percent_encode(s, ENC).to_string()
}

/// Knobs to produce deliberately wrong headers.
#[derive(Clone, Debug)]
pub struct Sign {
    pub realm: String,
    pub nonce: String,
    pub timestamp: i64,
    pub method: &'static str,
    pub consumer_secret: String,
}

impl Default for Sign {
    fn default() -> Self {
        Sign {
            realm: ACCOUNT.into(),
            nonce: random_nonce(),
            timestamp: chrono::Utc::now().timestamp(),
            method: "HMAC-SHA256",
            consumer_secret: creds().consumer_secret,
        }
    }
}

pub fn random_nonce() -> String {
    rand::thread_rng()
        .sample_iter(&Alphanumeric)
        .take(20)
        .map(char::from)
        .collect()
}

/// `Authorization: OAuth …` for `method url` (url may carry a query string).
pub fn tba_header(method: &str, url: &str, s: &Sign) -> String {
    let c = creds();
    let (base, query) = url.split_once('?').unwrap_or((url, ""));
    let ts = s.timestamp.to_string();
    let mut oauth = vec![
        ("oauth_consumer_key", c.consumer_key.clone()),
        ("oauth_nonce", s.nonce.clone()),
        ("oauth_signature_method", s.method.to_string()),
        ("oauth_timestamp", ts),
        ("oauth_token", c.token_id.clone()),
        ("oauth_version", "1.0".to_string()),
    ];
    let mut params: Vec<(String, String)> = oauth.iter().map(|(k, v)| (enc(k), enc(v))).collect();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        let dec = |x: &str| {
            percent_encoding::percent_decode_str(&x.replace('+', " "))
                .decode_utf8()
                .unwrap()
                .into_owned()
        };
        params.push((enc(&dec(k)), enc(&dec(v))));
    }
    params.sort();
    let norm = params
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&");
    let sbs = format!("{}&{}&{}", method.to_uppercase(), enc(base), enc(&norm));
    let key = format!("{}&{}", enc(&s.consumer_secret), enc(&c.token_secret));
    let mut mac = Hmac::<Sha256>::new_from_slice(key.as_bytes()).unwrap();
    mac.update(sbs.as_bytes());
    let sig = B64.encode(mac.finalize().into_bytes());
    oauth.push(("oauth_signature", sig));
    let fields: Vec<String> = oauth
        .iter()
        .map(|(k, v)| format!("{k}=\"{}\"", enc(v)))
        .collect();
    format!("OAuth realm=\"{}\", {}", s.realm, fields.join(", "))
}

/// A TBA-signing client for one fake.
pub struct Client {
    pub http: reqwest::Client,
    pub base: String,
}

impl Client {
    pub fn new(fake: &FakeNetSuite) -> Client {
        Client {
            http: reqwest::Client::new(),
            base: fake.base_url(),
        }
    }

    /// Sends a signed request; `path` may include a query string.
    pub async fn send(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
        headers: &[(&str, &str)],
    ) -> Response {
        let url = format!("{}{path}", self.base);
        let auth = tba_header(method.as_str(), &url, &Sign::default());
        let mut rb = self
            .http
            .request(method, &url)
            .header("Authorization", auth);
        for (k, v) in headers {
            rb = rb.header(*k, *v);
        }
        if let Some(b) = body {
            rb = rb
                .header("Content-Type", "application/json")
                .body(b.to_string());
        }
        rb.send().await.unwrap()
    }

    pub async fn post_je(&self, body: &Value) -> Response {
        self.send(Method::POST, JE, Some(body), &[]).await
    }

    pub async fn put_eid(&self, eid: &str, query: &str, body: &Value) -> Response {
        self.send(
            Method::PUT,
            &format!("{JE}/eid:{eid}{query}"),
            Some(body),
            &[],
        )
        .await
    }

    pub async fn get_json(&self, path: &str) -> (u16, Value) {
        let r = self.send(Method::GET, path, None, &[]).await;
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or(Value::Null))
    }

    pub async fn suiteql(&self, query: &str, q: &str, transient: bool) -> (u16, Value) {
        let headers: &[(&str, &str)] = if transient {
            &[("Prefer", "transient")]
        } else {
            &[]
        };
        let r = self
            .send(
                Method::POST,
                &format!("/services/rest/query/v1/suiteql{query}"),
                Some(&json!({"q": q})),
                headers,
            )
            .await;
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or(Value::Null))
    }
}

pub const JE: &str = "/services/rest/record/v1/journalentry";

/// A balanced two-line entry in Jan 2026: debit clearing (2), credit sales (5).
pub fn je(eid: &str, amount: &str) -> Value {
    json!({
        "externalId": eid,
        "subsidiary": {"id": "1"},
        "currency": {"id": "1"},
        "tranDate": "2026-01-15",
        "memo": "test settlement",
        "line": {"items": [
            {"account": {"id": "2"}, "debit": amount.parse::<f64>().unwrap(), "memo": "gross", "entity": {"id": "1"}},
            {"account": {"id": "5"}, "credit": amount.parse::<f64>().unwrap(), "department": {"id": "1"}, "class": {"id": "1"}, "location": {"id": "1"}},
        ]},
    })
}

/// First `o:errorDetails` entry's (errorCode, detail, errorPath).
pub async fn error_of(r: Response) -> (u16, String, String, String) {
    let status = r.status().as_u16();
    let v: Value = r.json().await.unwrap();
    let d = &v["o:errorDetails"][0];
    let s = |k: &str| d[k].as_str().unwrap_or_default().to_string();
    (status, s("o:errorCode"), s("detail"), s("o:errorPath"))
}

pub fn reason(r: &Response) -> String {
    r.headers()
        .get("x-fake-netsuite-reason")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default()
}

/// A fresh directory under the system temp dir.
pub fn temp_dir(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "fake-netsuite-{tag}-{}-{}",
        std::process::id(),
        rand::random::<u32>()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// (private PKCS#8 PEM, public SPKI PEM) of a fresh RSA-2048 key, via the openssl CLI.
pub fn rsa_keypair() -> (String, String) {
    let dir = temp_dir("rsa");
    let private = dir.join("private.pem");
    let public = dir.join("public.pem");
    let ok = Command::new("openssl")
        .args([
            "genpkey",
            "-algorithm",
            "RSA",
            "-pkeyopt",
            "rsa_keygen_bits:2048",
            "-out",
        ])
        .arg(&private)
        .output()
        .unwrap();
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    let ok = Command::new("openssl")
        .args(["pkey", "-pubout", "-in"])
        .arg(&private)
        .arg("-out")
        .arg(&public)
        .output()
        .unwrap();
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    let out = (
        std::fs::read_to_string(&private).unwrap(),
        std::fs::read_to_string(&public).unwrap(),
    );
    let _ = std::fs::remove_dir_all(&dir);
    out
}
