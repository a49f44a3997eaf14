//! Token-Based Authentication over real HTTP: create → 204 + Location → GET; refusals with reasons.

mod common;

use common::*;
use fake_netsuite::FakeConfig;
use reqwest::Method;
use serde_json::json;

#[tokio::test]
async fn signed_create_then_get_back() {
    let fake = start(config()).await;
    let c = Client::new(&fake);
    let r = c.post_je(&je("SETTLE-1", "100.25")).await;
    assert_eq!(r.status().as_u16(), 204);
    let location = r.headers()["location"].to_str().unwrap().to_string();
    assert!(r.text().await.unwrap().is_empty());
    let prefix = format!("{}{JE}/", fake.base_url());
    let id = location
        .strip_prefix(&prefix)
        .expect("Location under the record URL");
    assert!(!id.is_empty() && id.chars().all(|c| c.is_ascii_digit()));

    let (status, v) = c.get_json(&format!("{JE}/{id}")).await;
    assert_eq!(status, 200);
    assert_eq!(v["id"], id);
    assert_eq!(v["externalId"], "SETTLE-1");
    assert_eq!(v["tranDate"], "2026-01-15");
    assert_eq!(v["subsidiary"]["id"], "1");
    assert_eq!(v["currency"]["id"], "1");
    assert_eq!(v["postingPeriod"]["id"], "25"); // Jan 2026 in the sample catalog
    assert_eq!(v["postingPeriod"]["refName"], "Jan 2026");
    assert_eq!(v["memo"], "test settlement");
    let items = v["line"]["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    assert_eq!(items[0]["account"]["id"], "2");
    assert_eq!(items[0]["debit"], json!(100.25));
    assert_eq!(items[0]["entity"]["id"], "1");
    assert_eq!(items[1]["credit"], json!(100.25));
    assert!(items[0].get("credit").is_none());

    // Same record by external id, and record type case-insensitively.
    let (status, by_eid) = c
        .get_json("/services/rest/record/v1/journalEntry/eid:SETTLE-1")
        .await;
    assert_eq!(status, 200);
    assert_eq!(by_eid["id"], id);

    let stored = fake.journal_by_external_id("SETTLE-1").unwrap();
    assert_eq!(stored.internal_id, id);
    assert_eq!(stored.writes, 1);
    assert_eq!(stored.posting_period, "25");
    assert_eq!(stored.lines[0].debit, Some("100.25".parse().unwrap()));
    assert_eq!(stored.lines[1].location.as_deref(), Some("1"));
    let totals = fake.account_totals();
    assert_eq!(totals["2"], ("100.25".parse().unwrap(), 0.into()));
    assert_eq!(totals["5"], (0.into(), "100.25".parse().unwrap()));
    let s = fake.stats();
    assert_eq!((s.creates, s.auth_failures), (1, 0));

    // Missing records: 404 NONEXISTENT_ID.
    let r = c
        .send(Method::GET, &format!("{JE}/999999"), None, &[])
        .await;
    let (status, code, detail, _) = error_of(r).await;
    assert_eq!(
        (status, code.as_str(), detail.as_str()),
        (404, "NONEXISTENT_ID", "Record does not exist.")
    );
    let (status, _) = c.get_json(&format!("{JE}/eid:NOPE")).await;
    assert_eq!(status, 404);
}

async fn refused(
    fake: &fake_netsuite::FakeNetSuite,
    auth: Option<String>,
    url_path: &str,
) -> (u16, String, String) {
    let http = reqwest::Client::new();
    let mut rb = http.get(format!("{}{url_path}", fake.base_url()));
    if let Some(a) = auth {
        rb = rb.header("Authorization", a);
    }
    let r = rb.send().await.unwrap();
    let reason = reason(&r);
    let (status, code, _, _) = error_of(r).await;
    (status, code, reason)
}

#[tokio::test]
async fn refusals_carry_reasons() {
    let fake = start(config()).await;
    let path = format!("{JE}/eid:X1");
    let url = format!("{}{path}", fake.base_url());

    let bad_secret = Sign {
        consumer_secret: "wrong".into(),
        ..Sign::default()
    };
    let got = refused(&fake, Some(tba_header("GET", &url, &bad_secret)), &path).await;
    assert_eq!(
        got,
        (401, "INVALID_LOGIN".into(), "InvalidSignature".into())
    );

    // Signed for a different path.
    let other = format!("{}{JE}/eid:X2", fake.base_url());
    let got = refused(
        &fake,
        Some(tba_header("GET", &other, &Sign::default())),
        &path,
    )
    .await;
    assert_eq!(got.2, "InvalidSignature");

    let lower_realm = Sign {
        realm: "123456_sb1".into(),
        ..Sign::default()
    };
    let got = refused(&fake, Some(tba_header("GET", &url, &lower_realm)), &path).await;
    assert_eq!(got, (401, "INVALID_LOGIN".into(), "InvalidRealm".into()));

    let old = Sign {
        timestamp: chrono::Utc::now().timestamp() - 301,
        ..Sign::default()
    };
    let got = refused(&fake, Some(tba_header("GET", &url, &old)), &path).await;
    assert_eq!(got.2, "InvalidTimestamp");

    let sha1 = Sign {
        method: "HMAC-SHA1",
        ..Sign::default()
    };
    let got = refused(&fake, Some(tba_header("GET", &url, &sha1)), &path).await;
    assert_eq!(got.2, "UnknownAlgorithm");

    let short = Sign {
        nonce: "abc".into(),
        ..Sign::default()
    };
    let got = refused(&fake, Some(tba_header("GET", &url, &short)), &path).await;
    assert_eq!(got.2, "nonce_rejected");

    let got = refused(&fake, None, &path).await;
    assert_eq!(
        got,
        (401, "INVALID_LOGIN".into(), "MissingAuthorization".into())
    );
    let got = refused(&fake, Some("Basic dXNlcjpwYXNz".into()), &path).await;
    assert_eq!(got.2, "UnsupportedScheme");
    let got = refused(&fake, Some("Bearer not-a-token".into()), &path).await;
    assert_eq!(got.2, "InvalidToken");

    // Nonce reuse: the first use is fine (404: no such record), the replay is refused.
    let once = Sign::default();
    let got = refused(&fake, Some(tba_header("GET", &url, &once)), &path).await;
    assert_eq!(got.0, 404);
    let got = refused(&fake, Some(tba_header("GET", &url, &once)), &path).await;
    assert_eq!(got, (401, "INVALID_LOGIN".into(), "NonceUsed".into()));

    assert_eq!(fake.stats().auth_failures, 10);
    assert!(fake.journals().is_empty());
}

#[tokio::test]
async fn signature_covers_query_and_public_base() {
    // Clients sign the public URL, not the address the fake listens on.
    let public = "https://123456-sb1.suitetalk.api.netsuite.com";
    let fake = start(FakeConfig {
        public_base_url: Some(format!("{public}/")),
        ..config()
    })
    .await;
    let http = reqwest::Client::new();
    let path = "/services/rest/query/v1/suiteql?limit=2&offset=0";
    let send = |signed_url: String| {
        let http = http.clone();
        let url = format!("{}{path}", fake.base_url());
        async move {
            http.post(url)
                .header(
                    "Authorization",
                    tba_header("POST", &signed_url, &Sign::default()),
                )
                .header("Prefer", "transient")
                .body(r#"{"q":"SELECT id FROM currency"}"#)
                .send()
                .await
                .unwrap()
        }
    };
    let r = send(format!("{public}{path}")).await;
    assert_eq!(r.status().as_u16(), 200);
    let r = send(format!("{}{path}", fake.base_url())).await;
    assert_eq!(
        (r.status().as_u16(), reason(&r).as_str()),
        (401, "InvalidSignature")
    );
    // Query params left out of the signature.
    let r = send(format!("{public}/services/rest/query/v1/suiteql")).await;
    assert_eq!(reason(&r), "InvalidSignature");

    // The Location header uses the public base too.
    let c = Client::new(&fake);
    let url = format!("{}{JE}", fake.base_url());
    let r = c
        .http
        .post(&url)
        .header(
            "Authorization",
            tba_header("POST", &format!("{public}{JE}"), &Sign::default()),
        )
        .body(je("PUB-1", "5").to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 204);
    let loc = r.headers()["location"].to_str().unwrap();
    assert!(loc.starts_with(&format!("{public}{JE}/")), "{loc}");
    assert_eq!(
        fake.token_url(),
        format!("{public}/services/rest/auth/oauth2/v1/token")
    );
}
