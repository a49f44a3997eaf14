//! OAuth 2.0 client credentials (machine to machine): a JWT assertion signed
//! PS256 with the certificate's private key, exchanged at NetSuite's token
//! endpoint for a bearer token that is cached until shortly before it expires.

use std::time::{Duration, Instant};

use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde::{Deserialize, Serialize};

use super::config::{M2mCredentials, Secret};

#[derive(Serialize)]
struct AssertionClaims<'a> {
    iss: &'a str,
    scope: [&'a str; 1],
    aud: &'a str,
    iat: i64,
    exp: i64,
}

/// NetSuite allows an assertion at most an hour of validity; ours lives
/// 30 minutes, plenty for one token request.
const ASSERTION_LIFETIME_SECS: i64 = 1800;

pub fn assertion(
    credentials: &M2mCredentials,
    token_url: &str,
    now: i64,
) -> Result<String, jsonwebtoken::errors::Error> {
    let mut header = Header::new(Algorithm::PS256);
    header.kid = Some(credentials.certificate_id.clone());
    header.typ = Some("JWT".into());
    let key = EncodingKey::from_rsa_pem(credentials.private_key_pem.expose().as_bytes())?;
    let claims = AssertionClaims {
        iss: &credentials.client_id,
        scope: ["rest_webservices"],
        aud: token_url,
        iat: now,
        exp: now + ASSERTION_LIFETIME_SECS,
    };
    jsonwebtoken::encode(&header, &claims, &key)
}

#[derive(Deserialize)]
pub struct TokenResponse {
    pub access_token: String,
    pub expires_in: u64,
    pub token_type: String,
}

/// A bearer token and when to stop using it.
#[derive(Clone, Debug)]
pub struct CachedToken {
    pub token: Secret,
    pub renew_at: Instant,
}

impl CachedToken {
    /// Renewed five minutes before NetSuite's expiry (or halfway, for short lives).
    pub fn new(response: TokenResponse, now: Instant) -> CachedToken {
        let life = Duration::from_secs(response.expires_in);
        let margin = Duration::from_secs(300).min(life / 2);
        CachedToken {
            token: Secret::new(response.access_token),
            renew_at: now + life - margin,
        }
    }
    pub fn is_fresh(&self, now: Instant) -> bool {
        now < self.renew_at
    }
}
