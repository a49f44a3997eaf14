//! OAuth 2.0 client credentials (M2M): JWT assertion → access token → bearer requests.

mod common;

use std::time::Duration;

use common::*;
use fake_netsuite::{FakeConfig, FakeNetSuite, M2mClient};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{json, Value};

const CLIENT: &str = "client-123";
const CERT: &str = "cert-abc";

async fn fake_with_key(ttl: Duration) -> (FakeNetSuite, String) {
    let (private, public) = rsa_keypair();
    let fake = start(FakeConfig {
        m2m: vec![M2mClient {
            client_id: CLIENT.into(),
            certificate_id: CERT.into(),
            public_key_pem: public,
        }],
        token_ttl: ttl,
        ..config()
    })
    .await;
    (fake, private)
}

fn assertion(private: &str, alg: Algorithm, kid: Option<&str>, claims: &Value) -> String {
    let mut h = Header::new(alg);
    h.kid = kid.map(str::to_string);
    h.typ = Some("JWT".into());
    jsonwebtoken::encode(
        &h,
        claims,
        &EncodingKey::from_rsa_pem(private.as_bytes()).unwrap(),
    )
    .unwrap()
}

fn claims(fake: &FakeNetSuite) -> Value {
    let now = chrono::Utc::now().timestamp();
    json!({"iss": CLIENT, "scope": ["restlets", "rest_webservices"], "aud": fake.token_url(),
           "iat": now, "exp": now + 3000})
}

async fn token_request(fake: &FakeNetSuite, jwt: &str) -> (u16, Value, String) {
    let form = format!(
        "grant_type=client_credentials&client_assertion_type={}&client_assertion={jwt}",
        "urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer"
    );
    let r = reqwest::Client::new()
        .post(
            fake.token_url()
                .replace(&fake.public_base_url(), &fake.base_url()),
        )
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(form)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    let reason = reason(&r);
    (status, r.json().await.unwrap(), reason)
}

async fn bearer_post(fake: &FakeNetSuite, token: &str, eid: &str) -> reqwest::Response {
    reqwest::Client::new()
        .post(format!("{}{JE}", fake.base_url()))
        .bearer_auth(token)
        .header("Content-Type", "application/json")
        .body(je(eid, "42.5").to_string())
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn bearer_flow_and_expiry() {
    let (fake, private) = fake_with_key(Duration::from_secs(1)).await;
    let (status, v, _) = token_request(
        &fake,
        &assertion(&private, Algorithm::PS256, Some(CERT), &claims(&fake)),
    )
    .await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["token_type"], "bearer");
    assert_eq!(v["expires_in"], 1);
    let token = v["access_token"].as_str().unwrap().to_string();

    let r = bearer_post(&fake, &token, "M2M-1").await;
    assert_eq!(r.status().as_u16(), 204);
    assert!(fake.journal_by_external_id("M2M-1").is_some());

    tokio::time::sleep(Duration::from_millis(1100)).await;
    let r = bearer_post(&fake, &token, "M2M-2").await;
    assert_eq!(
        (r.status().as_u16(), reason(&r).as_str()),
        (401, "TokenExpired")
    );
    assert!(r.headers()["www-authenticate"]
        .to_str()
        .unwrap()
        .starts_with("Bearer"));
    assert!(fake.journal_by_external_id("M2M-2").is_none());

    // A token from another server instance (other secret) is not accepted.
    let (other, other_key) = fake_with_key(Duration::from_secs(3600)).await;
    let (_, v, _) = token_request(
        &other,
        &assertion(&other_key, Algorithm::PS256, Some(CERT), &claims(&other)),
    )
    .await;
    let foreign = v["access_token"].as_str().unwrap().to_string();
    let r = bearer_post(&fake, &foreign, "M2M-3").await;
    assert_eq!(
        (r.status().as_u16(), reason(&r).as_str()),
        (401, "InvalidToken")
    );

    let s = fake.stats();
    assert_eq!((s.tokens_issued, s.creates, s.auth_failures), (1, 1, 2));
}

#[tokio::test]
async fn bad_assertions_are_refused() {
    let (fake, private) = fake_with_key(Duration::from_secs(3600)).await;
    let now = chrono::Utc::now().timestamp();
    let base = claims(&fake);
    let with = |k: &str, v: Value| {
        let mut c = base.clone();
        c[k] = v;
        c
    };
    let cases: Vec<(String, u16, &str, &str)> = vec![
        (
            assertion(&private, Algorithm::PS256, None, &base),
            401,
            "invalid_client",
            "MissingKeyId",
        ),
        (
            assertion(&private, Algorithm::PS256, Some("other"), &base),
            401,
            "invalid_client",
            "MissingKey",
        ),
        (
            assertion(&private, Algorithm::RS256, Some(CERT), &base),
            400,
            "invalid_grant",
            "UnsupportedAlgo",
        ),
        (
            assertion(
                &private,
                Algorithm::PS256,
                Some(CERT),
                &with("iss", json!("someone")),
            ),
            401,
            "invalid_client",
            "InvalidIssuer",
        ),
        (
            assertion(
                &private,
                Algorithm::PS256,
                Some(CERT),
                &with("aud", json!("https://x/token")),
            ),
            400,
            "invalid_grant",
            "InvalidAudience",
        ),
        (
            assertion(
                &private,
                Algorithm::PS256,
                Some(CERT),
                &with("scope", json!("restlets")),
            ),
            400,
            "invalid_scope",
            "ScopeMismatched",
        ),
        (
            assertion(
                &private,
                Algorithm::PS256,
                Some(CERT),
                &with("exp", json!(now - 5)),
            ),
            400,
            "invalid_grant",
            "TokenExpired",
        ),
        (
            assertion(
                &private,
                Algorithm::PS256,
                Some(CERT),
                &with("exp", json!(now + 3700)),
            ),
            400,
            "invalid_grant",
            "TokenValidityTooBroad",
        ),
        (
            assertion(
                &private,
                Algorithm::PS256,
                Some(CERT),
                &with("iat", json!(now + 120)),
            ),
            400,
            "invalid_grant",
            "TokenNotAcceptable",
        ),
    ];
    for (jwt, status, error, why) in cases {
        let (s, v, r) = token_request(&fake, &jwt).await;
        assert_eq!(
            (s, v["error"].as_str().unwrap(), r.as_str()),
            (status, error, why),
            "{v}"
        );
    }
    // Tampered signature.
    let good = assertion(&private, Algorithm::PS256, Some(CERT), &base);
    let (head, sig) = good.rsplit_once('.').unwrap();
    let flipped = if sig.starts_with('A') { "B" } else { "A" };
    let (s, v, r) = token_request(&fake, &format!("{head}.{flipped}{}", &sig[1..])).await;
    assert_eq!(
        (s, v["error"].as_str().unwrap(), r.as_str()),
        (400, "invalid_grant", "InvalidSignature")
    );
    // Scope as comma string and aud as array are accepted; PS512 too.
    let ok = with("scope", json!("restlets,rest_webservices"));
    let mut ok = ok.clone();
    ok["aud"] = json!(["other", fake.token_url()]);
    let (s, _, _) = token_request(
        &fake,
        &assertion(&private, Algorithm::PS512, Some(CERT), &ok),
    )
    .await;
    assert_eq!(s, 200);

    // Form-level errors.
    let http = reqwest::Client::new();
    let url = format!("{}{}", fake.base_url(), fake_netsuite::TOKEN_PATH);
    let r = http
        .post(&url)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body("grant_type=password")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 400);
    assert_eq!(
        r.json::<Value>().await.unwrap()["error"],
        "unsupported_grant_type"
    );
    let r = http
        .post(&url)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body("grant_type=client_credentials")
        .send()
        .await
        .unwrap();
    assert_eq!(r.json::<Value>().await.unwrap()["error"], "invalid_request");
    let s = fake.stats();
    assert_eq!((s.tokens_issued, s.auth_failures), (1, 12));
}
