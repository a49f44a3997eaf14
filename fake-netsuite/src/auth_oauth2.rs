//! OAuth 2.0 client credentials (M2M): the token endpoint and bearer-token verification.
//!
//! The token endpoint verifies a JWT client assertion (PS256/PS384/PS512 with an RSA key, or
//! ES256 with a P-256 key) against the configured certificate and mints an HS256 access token
//! signed with a random per-server secret.

use hyper::header::{HeaderMap, HeaderValue, CACHE_CONTROL, CONTENT_TYPE, WWW_AUTHENTICATE};
use hyper::StatusCode;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde_json::{json, Value};

use crate::auth::{now_ms, Reason};
use crate::auth_oauth1::parse_query;
use crate::errors::{json_response, Resp, REASON_HEADER};
use crate::server::State;

pub const TOKEN_PATH: &str = "/services/rest/auth/oauth2/v1/token";
const JWT_BEARER: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
/// Maximum `exp - iat` of a client assertion.
const MAX_ASSERTION_VALIDITY: i64 = 3600;
/// Tolerated clock skew for an assertion's `iat` in the future.
const MAX_IAT_SKEW: i64 = 60;

/// A token-endpoint error: OAuth `error` value, description, fake-only reason.
struct TokenError {
    status: StatusCode,
    error: &'static str,
    description: String,
    reason: &'static str,
}

fn err(
    status: StatusCode,
    error: &'static str,
    reason: &'static str,
    description: impl Into<String>,
) -> TokenError {
    TokenError {
        status,
        error,
        description: description.into(),
        reason,
    }
}

fn invalid_request(reason: &'static str, d: impl Into<String>) -> TokenError {
    err(StatusCode::BAD_REQUEST, "invalid_request", reason, d)
}

fn invalid_grant(reason: &'static str, d: impl Into<String>) -> TokenError {
    err(StatusCode::BAD_REQUEST, "invalid_grant", reason, d)
}

fn invalid_client(reason: &'static str, d: impl Into<String>) -> TokenError {
    err(StatusCode::UNAUTHORIZED, "invalid_client", reason, d)
}

/// `POST /services/rest/auth/oauth2/v1/token`.
pub(crate) fn token_endpoint(state: &State, headers: &HeaderMap, body: &[u8]) -> Resp {
    match issue(state, headers, body) {
        Ok(resp) => {
            state.stats(|s| s.tokens_issued += 1);
            resp
        }
        Err(e) => {
            state.stats(|s| s.auth_failures += 1);
            tracing::debug!(reason = e.reason, "token request refused");
            let mut resp = json_response(
                e.status,
                "application/json;charset=UTF-8",
                &json!({"error": e.error, "error_description": e.description}),
            );
            let h = resp.headers_mut();
            if let Ok(v) = HeaderValue::from_str(e.reason) {
                h.insert(REASON_HEADER, v);
            }
            if e.status == StatusCode::UNAUTHORIZED {
                let v = format!("Basic realm=\"{}\"", state.account_id);
                if let Ok(v) = HeaderValue::from_str(&v) {
                    h.insert(WWW_AUTHENTICATE, v);
                }
            }
            resp
        }
    }
}

fn issue(state: &State, headers: &HeaderMap, body: &[u8]) -> Result<Resp, TokenError> {
    let ct = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if !ct
        .to_ascii_lowercase()
        .starts_with("application/x-www-form-urlencoded")
    {
        return Err(invalid_request(
            "InvalidContentType",
            "Content-Type must be application/x-www-form-urlencoded.",
        ));
    }
    let form = std::str::from_utf8(body)
        .ok()
        .and_then(parse_query)
        .ok_or_else(|| invalid_request("MalformedRequest", "Malformed form body."))?;
    let field = |name: &str| {
        form.iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    match field("grant_type") {
        None => {
            return Err(invalid_request(
                "MissingGrantType",
                "grant_type is required.",
            ))
        }
        Some("client_credentials") => {}
        Some(other) => {
            return Err(err(
                StatusCode::BAD_REQUEST,
                "unsupported_grant_type",
                "UnsupportedGrantType",
                format!("Unsupported grant_type '{other}'."),
            ))
        }
    }
    if field("client_assertion_type") != Some(JWT_BEARER) {
        return Err(invalid_request(
            "InvalidAssertionType",
            format!("client_assertion_type must be {JWT_BEARER}."),
        ));
    }
    let assertion = field("client_assertion")
        .filter(|a| !a.is_empty())
        .ok_or_else(|| invalid_request("MissingAssertion", "client_assertion is required."))?;
    let claims = verify_assertion(state, assertion)?;

    let now = now_ms();
    let ttl_ms = i64::try_from(state.token_ttl.as_millis()).unwrap_or(i64::MAX / 4);
    let exp_ms = now + ttl_ms;
    let access = json!({
        "iss": "https://system.netsuite.com",
        "sub": claims.client_id,
        "aud": [claims.client_id],
        "scope": ["rest_webservices"],
        "iat": now / 1000,
        "exp": (exp_ms + 999) / 1000,
        "exp_ms": exp_ms,
        "jti": format!("{:032x}", rand::random::<u128>()),
    });
    let mut header = Header::new(Algorithm::HS256);
    header.kid = Some("fake-netsuite".into());
    let token = jsonwebtoken::encode(
        &header,
        &access,
        &EncodingKey::from_secret(&state.token_secret),
    )
    .map_err(|e| invalid_request("InternalError", e.to_string()))?;
    let expires_in = state.token_ttl.as_secs_f64().ceil() as u64;
    let mut resp = json_response(
        StatusCode::OK,
        "application/json;charset=UTF-8",
        &json!({"access_token": token, "expires_in": expires_in, "token_type": "bearer"}),
    );
    resp.headers_mut()
        .insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(resp)
}

struct AssertionClaims {
    client_id: String,
}

fn verify_assertion(state: &State, jwt: &str) -> Result<AssertionClaims, TokenError> {
    let header = jsonwebtoken::decode_header(jwt)
        .map_err(|e| invalid_request("MalformedAssertion", format!("Malformed JWT: {e}")))?;
    if !matches!(
        header.alg,
        Algorithm::PS256 | Algorithm::PS384 | Algorithm::PS512 | Algorithm::ES256
    ) {
        return Err(invalid_grant(
            "UnsupportedAlgo",
            format!("Unsupported JWT algorithm {:?}.", header.alg),
        ));
    }
    let kid = header
        .kid
        .ok_or_else(|| invalid_client("MissingKeyId", "The JWT header has no kid."))?;
    let client = state
        .m2m
        .iter()
        .find(|c| c.certificate_id == kid)
        .ok_or_else(|| invalid_client("MissingKey", "No certificate matches the kid."))?;
    let key = if header.alg == Algorithm::ES256 {
        DecodingKey::from_ec_pem(client.public_key_pem.as_bytes())
    } else {
        DecodingKey::from_rsa_pem(client.public_key_pem.as_bytes())
    }
    .map_err(|_| {
        invalid_client(
            "MissingKey",
            "The certificate cannot verify this algorithm.",
        )
    })?;
    let mut validation = Validation::new(header.alg);
    validation.required_spec_claims.clear();
    validation.validate_exp = false;
    validation.validate_nbf = false;
    validation.validate_aud = false;
    let data = jsonwebtoken::decode::<Value>(jwt, &key, &validation)
        .map_err(|e| invalid_grant("InvalidSignature", format!("Assertion not verified: {e}")))?;
    let c = data.claims;
    if c.get("iss").and_then(Value::as_str) != Some(client.client_id.as_str()) {
        return Err(invalid_client(
            "InvalidIssuer",
            "iss does not match the client of the certificate.",
        ));
    }
    let token_url = format!("{}{TOKEN_PATH}", state.public_base);
    let aud_ok = match c.get("aud") {
        Some(Value::String(s)) => *s == token_url,
        Some(Value::Array(a)) => a.iter().any(|v| v.as_str() == Some(token_url.as_str())),
        _ => false,
    };
    if !aud_ok {
        return Err(invalid_grant(
            "InvalidAudience",
            format!("aud must be {token_url}."),
        ));
    }
    if !scope_has_rest(c.get("scope")) {
        return Err(err(
            StatusCode::BAD_REQUEST,
            "invalid_scope",
            "ScopeMismatched",
            "scope must include rest_webservices.",
        ));
    }
    let (Some(iat), Some(exp)) = (
        c.get("iat").and_then(Value::as_i64),
        c.get("exp").and_then(Value::as_i64),
    ) else {
        return Err(invalid_grant("MissingClaims", "iat and exp are required."));
    };
    let now = now_ms() / 1000;
    if exp <= now {
        return Err(invalid_grant("TokenExpired", "The assertion has expired."));
    }
    if iat > now + MAX_IAT_SKEW {
        return Err(invalid_grant("TokenNotAcceptable", "iat is in the future."));
    }
    if exp - iat > MAX_ASSERTION_VALIDITY {
        return Err(invalid_grant(
            "TokenValidityTooBroad",
            "exp must be at most 3600 seconds after iat.",
        ));
    }
    Ok(AssertionClaims {
        client_id: client.client_id.clone(),
    })
}

fn scope_has_rest(scope: Option<&Value>) -> bool {
    match scope {
        Some(Value::String(s)) => s
            .split(|c: char| c == ',' || c.is_whitespace())
            .any(|p| p == "rest_webservices"),
        Some(Value::Array(a)) => a.iter().any(|v| v.as_str() == Some("rest_webservices")),
        _ => false,
    }
}

/// Verifies an access token minted by [`token_endpoint`].
pub(crate) fn verify_bearer(secret: &[u8], token: &str, now_ms: i64) -> Result<(), Reason> {
    let mut validation = Validation::new(Algorithm::HS256);
    validation.required_spec_claims.clear();
    validation.validate_exp = false;
    validation.validate_nbf = false;
    validation.validate_aud = false;
    let data = jsonwebtoken::decode::<Value>(token, &DecodingKey::from_secret(secret), &validation)
        .map_err(|_| Reason::InvalidToken)?;
    let exp_ms = data
        .claims
        .get("exp_ms")
        .and_then(Value::as_i64)
        .ok_or(Reason::InvalidToken)?;
    if now_ms >= exp_ms {
        return Err(Reason::TokenExpired);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes() {
        assert!(scope_has_rest(Some(&json!("rest_webservices"))));
        assert!(scope_has_rest(Some(&json!("restlets,rest_webservices"))));
        assert!(scope_has_rest(Some(&json!("restlets rest_webservices"))));
        assert!(scope_has_rest(Some(&json!([
            "restlets",
            "rest_webservices"
        ]))));
        assert!(!scope_has_rest(Some(&json!("restlets"))));
        assert!(!scope_has_rest(None));
    }

    #[test]
    fn bearer_tokens() {
        let secret = b"0123456789abcdef0123456789abcdef";
        let claims = json!({"exp_ms": 10_000});
        let t = jsonwebtoken::encode(
            &Header::new(Algorithm::HS256),
            &claims,
            &EncodingKey::from_secret(secret),
        )
        .unwrap();
        assert_eq!(verify_bearer(secret, &t, 9_999), Ok(()));
        assert_eq!(verify_bearer(secret, &t, 10_000), Err(Reason::TokenExpired));
        assert_eq!(verify_bearer(b"other", &t, 0), Err(Reason::InvalidToken));
        assert_eq!(
            verify_bearer(secret, "garbage", 0),
            Err(Reason::InvalidToken)
        );
    }
}
