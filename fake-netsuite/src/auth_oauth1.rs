//! Server-side verification of NetSuite Token-Based Authentication (OAuth 1.0a, HMAC-SHA256).
//!
//! Written independently of settlebridge's client signer, following RFC 5849 §3.4 and NetSuite's
//! rules: realm must equal the account id exactly, HMAC-SHA256 only, version 1.0, ±300 s clock
//! skew, nonce ≥ 6 characters and unique per token. The base string covers every `oauth_*`
//! parameter of the header except `oauth_signature` (so `oauth_body_hash` is covered when a
//! client sends it) plus every URL query parameter.

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use hmac::{Hmac, Mac};
use percent_encoding::{percent_decode_str, utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use sha2::Sha256;

use crate::auth::Reason;
use crate::config::TbaCredentials;

/// Everything except RFC 3986 unreserved characters `A-Z a-z 0-9 - . _ ~` is encoded.
const RFC3986: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Maximum accepted clock skew, seconds.
pub(crate) const MAX_SKEW_SECS: i64 = 300;

pub(crate) fn encode(s: &str) -> String {
    utf8_percent_encode(s, RFC3986).to_string()
}

/// Percent-decodes a header component (`+` stays `+`).
pub(crate) fn decode(s: &str) -> Option<String> {
    percent_decode_str(s)
        .decode_utf8()
        .ok()
        .map(|c| c.into_owned())
}

/// Percent-decodes a query / form component (`+` means space).
pub(crate) fn decode_form(s: &str) -> Option<String> {
    decode(&s.replace('+', " "))
}

/// Splits a raw query string (or form body) into decoded pairs, in order.
pub(crate) fn parse_query(raw: &str) -> Option<Vec<(String, String)>> {
    raw.split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            Some((decode_form(k)?, decode_form(v)?))
        })
        .collect()
}

/// RFC 5849 §3.4.1: `METHOD&enc(base URI)&enc(normalized params)`.
pub(crate) fn base_string(method: &str, base_uri: &str, params: &[(String, String)]) -> String {
    let mut encoded: Vec<(String, String)> =
        params.iter().map(|(k, v)| (encode(k), encode(v))).collect();
    encoded.sort();
    let normalized = encoded
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&");
    format!(
        "{}&{}&{}",
        method.to_ascii_uppercase(),
        encode(base_uri),
        encode(&normalized)
    )
}

fn mac(consumer_secret: &str, token_secret: &str) -> Hmac<Sha256> {
    let key = format!("{}&{}", encode(consumer_secret), encode(token_secret));
    Hmac::<Sha256>::new_from_slice(key.as_bytes()).expect("HMAC accepts any key length")
}

/// base64(HMAC-SHA256(enc(cs)&enc(ts), base string)).
#[cfg(test)]
pub(crate) fn signature(base: &str, consumer_secret: &str, token_secret: &str) -> String {
    let mut m = mac(consumer_secret, token_secret);
    m.update(base.as_bytes());
    B64.encode(m.finalize().into_bytes())
}

/// Constant-time comparison of a provided base64 signature against the expected MAC.
fn signature_matches(base: &str, consumer_secret: &str, token_secret: &str, given: &str) -> bool {
    let Ok(bytes) = B64.decode(given.trim()) else {
        return false;
    };
    let mut m = mac(consumer_secret, token_secret);
    m.update(base.as_bytes());
    m.verify_slice(&bytes).is_ok()
}

/// A parsed `Authorization: OAuth …` header, values percent-decoded.
#[derive(Debug, Default)]
pub(crate) struct OAuthHeader {
    pub realm: Option<String>,
    /// All parameters other than `realm`, in header order.
    pub params: Vec<(String, String)>,
}

impl OAuthHeader {
    pub fn get(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

pub(crate) fn parse_header(value: &str) -> Result<OAuthHeader, Reason> {
    let value = value.trim();
    let (scheme, rest) = value.split_once(' ').unwrap_or((value, ""));
    if !scheme.eq_ignore_ascii_case("oauth") {
        return Err(Reason::UnsupportedScheme);
    }
    let mut out = OAuthHeader::default();
    let mut seen = std::collections::HashSet::new();
    for part in rest.split(',') {
        let part = part.trim();
        if part.is_empty() {
            continue;
        }
        let (k, v) = part.split_once('=').ok_or(Reason::ParameterRejected)?;
        let v = v.trim();
        let v = v
            .strip_prefix('"')
            .and_then(|v| v.strip_suffix('"'))
            .unwrap_or(v);
        let k = decode(k.trim()).ok_or(Reason::ParameterRejected)?;
        let v = decode(v).ok_or(Reason::ParameterRejected)?;
        if !seen.insert(k.clone()) {
            return Err(Reason::ParameterRejected);
        }
        if k == "realm" {
            out.realm = Some(v);
        } else {
            out.params.push((k, v));
        }
    }
    Ok(out)
}

/// What a request is checked against.
pub(crate) struct TbaContext<'a> {
    pub method: &'a str,
    /// Public base URL the client signs against, e.g. `https://123456.suitetalk.api.netsuite.com`.
    pub base_url: &'a str,
    pub raw_path: &'a str,
    pub raw_query: Option<&'a str>,
    pub account_id: &'a str,
    pub credentials: &'a [TbaCredentials],
    /// Server time, Unix seconds.
    pub now: i64,
}

/// A request whose signature verified; the caller still has to check the nonce was not used.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct VerifiedTba {
    pub token_id: String,
    pub nonce: String,
}

pub(crate) fn verify_tba(header: &str, ctx: &TbaContext<'_>) -> Result<VerifiedTba, Reason> {
    let h = parse_header(header)?;
    let required = [
        "oauth_consumer_key",
        "oauth_token",
        "oauth_signature_method",
        "oauth_timestamp",
        "oauth_nonce",
        "oauth_version",
        "oauth_signature",
    ];
    if required.iter().any(|k| h.get(k).is_none_or(str::is_empty)) {
        return Err(Reason::MissingTokenPassportRequiredFields);
    }
    let field = |k: &str| h.get(k).unwrap_or_default();
    if h.realm.as_deref() != Some(ctx.account_id) {
        return Err(Reason::InvalidRealm);
    }
    if field("oauth_signature_method") != "HMAC-SHA256" {
        return Err(Reason::UnknownAlgorithm);
    }
    if field("oauth_version") != "1.0" {
        return Err(Reason::VersionRejected);
    }
    let ts: i64 = field("oauth_timestamp")
        .parse()
        .map_err(|_| Reason::InvalidTimestamp)?;
    if (ctx.now - ts).abs() > MAX_SKEW_SECS {
        return Err(Reason::InvalidTimestamp);
    }
    let nonce = field("oauth_nonce");
    if nonce.chars().count() < 6 {
        return Err(Reason::NonceRejected);
    }
    let consumer_key = field("oauth_consumer_key");
    let token = field("oauth_token");
    if !ctx
        .credentials
        .iter()
        .any(|c| c.consumer_key == consumer_key)
    {
        return Err(Reason::ConsumerKeyUnknown);
    }
    let creds = ctx
        .credentials
        .iter()
        .find(|c| c.consumer_key == consumer_key && c.token_id == token)
        .ok_or(Reason::TokenRejected)?;

    let mut params: Vec<(String, String)> = h
        .params
        .iter()
        .filter(|(k, _)| k.starts_with("oauth_") && k != "oauth_signature")
        .cloned()
        .collect();
    if let Some(q) = ctx.raw_query {
        params.extend(parse_query(q).ok_or(Reason::InvalidSignature)?);
    }
    let base_uri = format!("{}{}", ctx.base_url.trim_end_matches('/'), ctx.raw_path);
    let base = base_string(ctx.method, &base_uri, &params);
    if !signature_matches(
        &base,
        &creds.consumer_secret,
        &creds.token_secret,
        field("oauth_signature"),
    ) {
        tracing::debug!(%base, "TBA signature mismatch");
        return Err(Reason::InvalidSignature);
    }
    Ok(VerifiedTba {
        token_id: creds.token_id.clone(),
        nonce: nonce.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    // Oracle's documented inputs (notes §2.1.4).
    const CK: &str = "ef40afdd8abaac111b13825dd5e5e2ddddb44f86d5a0dd6dcf38c20aae6b67e4";
    const CS: &str = "d26ad321a4b2f23b0741c8d38392ce01c3e23e109df6c96eac6d099e9ab9e8b5";
    const TK: &str = "2b0ce516420110bcbd36b69e99196d1b7f6de3c6234c5afb799b73d87569f5cc";
    const TS: &str = "c29a677df7d5439a458c063654187e3d678d73aca8e3c9d8bea1478a3eb0d295";
    const NONCE: &str = "fjaLirsIcCGVZWzBX0pg";
    const TIME: i64 = 1508242306;
    const PROD: &str = "https://123456.suitetalk.api.netsuite.com";
    const SB: &str = "https://123456-sb1.suitetalk.api.netsuite.com";

    fn creds() -> Vec<TbaCredentials> {
        vec![TbaCredentials {
            consumer_key: CK.into(),
            consumer_secret: CS.into(),
            token_id: TK.into(),
            token_secret: TS.into(),
        }]
    }

    fn header(realm: &str, sig: &str, extra: &str) -> String {
        format!(
            "OAuth realm=\"{realm}\", oauth_token=\"{TK}\", oauth_consumer_key=\"{CK}\", \
             oauth_nonce=\"{NONCE}\", oauth_timestamp=\"{TIME}\", oauth_signature_method=\"HMAC-SHA256\", \
             oauth_version=\"1.0\"{extra}, oauth_signature=\"{}\"",
            encode(sig)
        )
    }

    fn verify(
        method: &str,
        base: &str,
        path: &str,
        query: Option<&str>,
        h: &str,
    ) -> Result<VerifiedTba, Reason> {
        let creds = creds();
        verify_tba(
            h,
            &TbaContext {
                method,
                base_url: base,
                raw_path: path,
                raw_query: query,
                account_id: "123456",
                credentials: &creds,
                now: TIME + 10,
            },
        )
    }

    const V1: &str = "B5OIWznZ2YP0OB7VrJrGkYsTh+8H+5T9Hag+o92q0zY=";
    const V3: &str = "hxjABHU9/fx9suvhTNYoRa6DBLAY6w721nAek71w1GM=";
    const V4: &str = "1CUD7lBS2i97cMymgIgZc366ue0JG95oXvJx0Ku99T8=";
    const V5: &str = "YrKbaVEM+NzhP+gn9GcjbP0e/bqnVtEcKrZQANTQvr4=";

    #[test]
    fn v1_base_string_and_signature() {
        let params: Vec<(String, String)> = [
            ("oauth_consumer_key", CK),
            ("oauth_nonce", NONCE),
            ("oauth_signature_method", "HMAC-SHA256"),
            ("oauth_timestamp", "1508242306"),
            ("oauth_token", TK),
            ("oauth_version", "1.0"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let base = base_string(
            "GET",
            &format!("{PROD}/services/rest/record/v1/employee/40"),
            &params,
        );
        let expected = "GET&https%3A%2F%2F123456.suitetalk.api.netsuite.com%2Fservices%2Frest%2Frecord%2Fv1%2Femployee%2F40&oauth_consumer_key%3Def40afdd8abaac111b13825dd5e5e2ddddb44f86d5a0dd6dcf38c20aae6b67e4%26oauth_nonce%3DfjaLirsIcCGVZWzBX0pg%26oauth_signature_method%3DHMAC-SHA256%26oauth_timestamp%3D1508242306%26oauth_token%3D2b0ce516420110bcbd36b69e99196d1b7f6de3c6234c5afb799b73d87569f5cc%26oauth_version%3D1.0";
        assert_eq!(base, expected);
        assert_eq!(signature(&base, CS, TS), V1);
    }

    #[test]
    fn v1_header_verifies() {
        let h = header("123456", V1, "");
        let ok = verify(
            "GET",
            PROD,
            "/services/rest/record/v1/employee/40",
            None,
            &h,
        )
        .unwrap();
        assert_eq!(ok.token_id, TK);
        assert_eq!(ok.nonce, NONCE);
    }

    #[test]
    fn v3_query_params_are_signed() {
        let h = header("123456", V3, "");
        let path = "/services/rest/query/v1/suiteql";
        verify("POST", PROD, path, Some("limit=10&offset=0"), &h).unwrap();
        // Same header, query dropped or changed: signature no longer matches.
        assert_eq!(
            verify("POST", PROD, path, None, &h),
            Err(Reason::InvalidSignature)
        );
        assert_eq!(
            verify("POST", PROD, path, Some("limit=10&offset=10"), &h),
            Err(Reason::InvalidSignature)
        );
    }

    #[test]
    fn v4_upsert_path_with_eid() {
        let h = header("123456", V4, "");
        let path = "/services/rest/record/v1/journalentry/eid:SETTLE-2024-06-01-AMZ-US";
        verify("PUT", SB, path, None, &h).unwrap();
        assert_eq!(
            verify("POST", SB, path, None, &h),
            Err(Reason::InvalidSignature)
        );
    }

    #[test]
    fn v5_body_hash_is_covered() {
        let extra = ", oauth_body_hash=\"Tye07zUgadtVXxndyCFfXgVI0R0%3D\"";
        let h = header("123456", V5, extra);
        let path = "/services/rest/record/v1/journalentry";
        verify("POST", SB, path, None, &h).unwrap();
        // Without the body hash parameter the V5 signature must not validate.
        let h = header("123456", V5, "");
        assert_eq!(
            verify("POST", SB, path, None, &h),
            Err(Reason::InvalidSignature)
        );
    }

    #[test]
    fn rule_violations_have_reasons() {
        let path = "/services/rest/record/v1/employee/40";
        let v = |h: &str| verify("GET", PROD, path, None, h);
        assert_eq!(v(&header("123456x", V1, "")), Err(Reason::InvalidRealm));
        let h = header("123456", V1, "").replace("HMAC-SHA256", "HMAC-SHA1");
        assert_eq!(v(&h), Err(Reason::UnknownAlgorithm));
        let h = header("123456", V1, "").replace("\"1.0\"", "\"1.1\"");
        assert_eq!(v(&h), Err(Reason::VersionRejected));
        let h = header("123456", V1, "").replace(CK, "nope");
        assert_eq!(v(&h), Err(Reason::ConsumerKeyUnknown));
        let h = header("123456", V1, "").replace(TK, "nope");
        assert_eq!(v(&h), Err(Reason::TokenRejected));
        let h = header("123456", V1, "").replace(NONCE, "abc");
        assert_eq!(v(&h), Err(Reason::NonceRejected));
        let h = header("123456", V1, "").replace(", oauth_nonce=\"fjaLirsIcCGVZWzBX0pg\"", "");
        assert_eq!(v(&h), Err(Reason::MissingTokenPassportRequiredFields));
        let h = format!("{}, oauth_nonce=\"again1\"", header("123456", V1, ""));
        assert_eq!(v(&h), Err(Reason::ParameterRejected));
        let creds = creds();
        let late = TbaContext {
            method: "GET",
            base_url: PROD,
            raw_path: path,
            raw_query: None,
            account_id: "123456",
            credentials: &creds,
            now: TIME + MAX_SKEW_SECS + 1,
        };
        assert_eq!(
            verify_tba(&header("123456", V1, ""), &late),
            Err(Reason::InvalidTimestamp)
        );
    }

    #[test]
    fn encoding_is_rfc3986() {
        assert_eq!(encode("a b+c/~-._!*'()"), "a%20b%2Bc%2F~-._%21%2A%27%28%29");
        assert_eq!(encode("é"), "%C3%A9");
        assert_eq!(
            parse_query("q=a+b%20c&limit=10&x").unwrap(),
            vec![
                ("q".to_string(), "a b c".to_string()),
                ("limit".to_string(), "10".to_string()),
                ("x".to_string(), String::new()),
            ]
        );
    }
}
