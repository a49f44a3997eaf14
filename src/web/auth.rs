//! Passwords (argon2id), session tokens and cookies, and login throttling.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use axum::http::HeaderMap;
use base64::Engine;
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::domain::access::{Permission, Role};
use crate::store::User;

use super::WebError;

pub const SESSION_COOKIE: &str = "sb_session";
/// The login form's double-submit token (there is no session yet).
pub const LOGIN_COOKIE: &str = "sb_login";

/// Hashes a password with argon2id and a random salt (PHC string).
pub fn hash_password(password: &str) -> Result<String, argon2::password_hash::Error> {
    let salt = SaltString::generate(&mut rand::rngs::OsRng);
    Ok(Argon2::default()
        .hash_password(password.as_bytes(), &salt)?
        .to_string())
}

pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

/// A hash to verify against when the user does not exist, so a login for an
/// unknown name takes as long as one with a wrong password.
pub fn decoy_hash() -> &'static str {
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DECOY.get_or_init(|| hash_password("settlebridge-decoy-password").expect("argon2 hashes"))
}

/// 32 random bytes, URL-safe base64.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// What the database keeps of a session token.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Compares secrets without an early exit.
pub fn same_secret(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

/// A `Set-Cookie` value: HttpOnly, SameSite=Strict, Path=/, and Secure when
/// configured. `max_age` 0 deletes the cookie.
pub fn set_cookie(name: &str, value: &str, max_age_secs: i64, secure: bool) -> String {
    format!(
        "{name}={value}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age_secs}{}",
        if secure { "; Secure" } else { "" }
    )
}

/// The signed-in person a request acts for.
#[derive(Clone, Debug)]
pub struct CurrentUser {
    pub user: User,
    pub csrf: String,
    pub token_hash: String,
}

impl CurrentUser {
    pub fn role(&self) -> Role {
        self.user.role
    }
    pub fn name(&self) -> &str {
        &self.user.name
    }
    pub fn can(&self, p: Permission) -> bool {
        self.user.role.can(p)
    }
    /// Refuses the request unless the role grants `p`.
    pub fn require(&self, p: Permission) -> Result<(), WebError> {
        if self.can(p) {
            Ok(())
        } else {
            Err(WebError::Forbidden(format!(
                "{} is {}: that needs another role",
                self.user.name, self.user.role
            )))
        }
    }
    /// How the ledger and the audit log name the person.
    pub fn actor(&self) -> String {
        format!("web:{}", self.user.name)
    }
}

/// Failed logins: after `MAX_FAILURES` within `WINDOW` for one user name (or
/// `MAX_ADDRESS_FAILURES` from one address, which may be a whole office),
/// further attempts are refused until the window passes.
#[derive(Default)]
pub struct LoginLimiter {
    failures: Mutex<HashMap<String, (u32, Instant)>>,
    /// Keys whose lockout was already reported in the audit log.
    reported: Mutex<HashMap<String, Instant>>,
}

pub const MAX_FAILURES: u32 = 5;
pub const MAX_ADDRESS_FAILURES: u32 = 20;
pub const WINDOW: Duration = Duration::from_secs(15 * 60);

impl LoginLimiter {
    /// Seconds until `keys` may try again, if any of them is locked out.
    pub fn locked(&self, keys: &[String]) -> Option<u64> {
        let map = self.failures.lock().expect("limiter lock");
        let now = Instant::now();
        keys.iter()
            .filter_map(|k| map.get(k).map(|v| (limit_of(k), v)))
            .filter(|(limit, (n, since))| *n >= *limit && now.duration_since(*since) < WINDOW)
            .map(|(_, v)| v)
            .map(|(_, since)| (WINDOW - now.duration_since(*since)).as_secs() + 1)
            .max()
    }

    /// True the first time a locked-out key is refused in its window.
    pub fn first_refusal(&self, keys: &[String]) -> bool {
        let mut reported = self.reported.lock().expect("limiter lock");
        let now = Instant::now();
        reported.retain(|_, at| now.duration_since(*at) < WINDOW);
        let mut first = false;
        for k in keys {
            if !reported.contains_key(k) && self.locked(std::slice::from_ref(k)).is_some() {
                reported.insert(k.clone(), now);
                first = true;
            }
        }
        first
    }

    pub fn failed(&self, keys: &[String]) {
        let mut map = self.failures.lock().expect("limiter lock");
        let now = Instant::now();
        for k in keys {
            let e = map.entry(k.clone()).or_insert((0, now));
            if now.duration_since(e.1) >= WINDOW {
                *e = (0, now);
            }
            e.0 += 1;
        }
        // Forget old windows so the map cannot grow without bound.
        if map.len() > 10_000 {
            map.retain(|_, (_, since)| now.duration_since(*since) < WINDOW);
        }
    }

    pub fn succeeded(&self, keys: &[String]) {
        let mut map = self.failures.lock().expect("limiter lock");
        for k in keys {
            map.remove(k);
        }
    }
}

/// Keys are `user:NAME` or `addr:IP`.
fn limit_of(key: &str) -> u32 {
    if key.starts_with("addr:") {
        MAX_ADDRESS_FAILURES
    } else {
        MAX_FAILURES
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_verify_only_themselves() {
        let h = hash_password("correct horse").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("correct horse", &h));
        assert!(!verify_password("correct horsf", &h));
        assert!(!verify_password("correct horse", "not a hash"));
    }

    #[test]
    fn limiter_locks_after_five_failures() {
        let l = LoginLimiter::default();
        let keys = vec!["user:ana".to_string()];
        for _ in 0..MAX_FAILURES - 1 {
            l.failed(&keys);
        }
        assert_eq!(l.locked(&keys), None);
        l.failed(&keys);
        assert!(l.locked(&keys).unwrap() > 0);
        assert_eq!(l.locked(&["user:bob".to_string()]), None);
        l.succeeded(&keys);
        assert_eq!(l.locked(&keys), None);
        let office = vec!["addr:10.0.0.1".to_string()];
        for _ in 0..MAX_FAILURES {
            l.failed(&office);
        }
        assert_eq!(l.locked(&office), None, "an address has a higher limit");
        for _ in MAX_FAILURES..MAX_ADDRESS_FAILURES {
            l.failed(&office);
        }
        assert!(l.locked(&office).is_some());
    }

    #[test]
    fn cookies_parse_and_carry_flags() {
        let mut h = HeaderMap::new();
        h.insert("cookie", "a=1; sb_session=tok; b=2".parse().unwrap());
        assert_eq!(cookie(&h, SESSION_COOKIE).as_deref(), Some("tok"));
        assert_eq!(cookie(&h, "c"), None);
        let c = set_cookie(SESSION_COOKIE, "x", 60, true);
        assert!(c.contains("HttpOnly") && c.contains("SameSite=Strict") && c.contains("Secure"));
        assert!(same_secret("abc", "abc") && !same_secret("abc", "abd") && !same_secret("a", "ab"));
    }
}

/// The client's address when the server knows it (tests that call the
/// router directly have none).
#[derive(Clone, Debug)]
pub struct ClientAddr(pub Option<String>);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for ClientAddr {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _: &S,
    ) -> Result<Self, Self::Rejection> {
        Ok(ClientAddr(
            parts
                .extensions
                .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
                .map(|c| c.0.ip().to_string()),
        ))
    }
}
