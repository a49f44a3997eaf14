//! Concurrency limit (429), injected 500s and connections dropped after commit.

mod common;

use std::time::Duration;

use common::*;
use fake_netsuite::{FakeConfig, Faults};
use reqwest::Method;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrency_limit_rejects_and_never_exceeds() {
    let fake = start(FakeConfig {
        concurrency_limit: 2,
        faults: Faults {
            latency: Duration::from_millis(400),
            ..Faults::default()
        },
        ..config()
    })
    .await;
    let c = std::sync::Arc::new(Client::new(&fake));
    let tasks: Vec<_> = (0..6)
        .map(|_| {
            let c = c.clone();
            tokio::spawn(async move {
                c.send(Method::GET, &format!("{JE}/eid:NONE"), None, &[])
                    .await
            })
        })
        .collect();
    let mut statuses = Vec::new();
    let mut limited = None;
    for t in tasks {
        let r = t.await.unwrap();
        statuses.push(r.status().as_u16());
        if r.status().as_u16() == 429 {
            limited = Some(r);
        }
    }
    let admitted = statuses.iter().filter(|s| **s == 404).count();
    let rejected = statuses.iter().filter(|s| **s == 429).count();
    assert_eq!(admitted + rejected, 6, "{statuses:?}");
    assert!(rejected >= 1 && admitted >= 2, "{statuses:?}");
    let s = fake.stats();
    assert_eq!(s.rejected_concurrency, rejected as u64);
    assert_eq!(s.max_in_flight, 2);

    let v: serde_json::Value = limited.unwrap().json().await.unwrap();
    assert_eq!(v["status"], 429);
    assert_eq!(v["o:errorCode"], "USER_ERROR");
    assert_eq!(
        v["o:errorDetails"][0]["o:errorCode"],
        "CONCURRENCY_LIMIT_EXCEEDED"
    );
    assert_eq!(
        v["o:errorDetails"][0]["detail"],
        "Concurrent request limit exceeded. Request blocked."
    );

    // Slots are released: a later request is admitted.
    let r = c
        .send(Method::GET, &format!("{JE}/eid:NONE"), None, &[])
        .await;
    assert_eq!(r.status().as_u16(), 404);
    assert!(fake.stats().max_in_flight <= 2);
}

#[tokio::test]
async fn injected_server_errors_store_nothing() {
    let fake = start(FakeConfig {
        faults: Faults {
            server_error_rate: 1.0,
            ..Faults::default()
        },
        ..config()
    })
    .await;
    let c = Client::new(&fake);
    let r = c.post_je(&je("E500-1", "10")).await;
    let (s, code, detail, _) = error_of(r).await;
    assert_eq!((s, code.as_str()), (500, "UNEXPECTED_ERROR"));
    assert!(
        detail.starts_with("An unexpected error occurred. Error ID: "),
        "{detail}"
    );
    // Not even validation runs: an invalid body also gets the 500.
    let r = c
        .put_eid("E500-2", "", &serde_json::json!({"nonsense": true}))
        .await;
    assert_eq!(r.status().as_u16(), 500);
    // Reads are not faulted.
    let (s, _) = c.get_json(&format!("{JE}/eid:E500-1")).await;
    assert_eq!(s, 404);
    assert!(fake.journals().is_empty());
    let st = fake.stats();
    assert_eq!(
        (st.server_errors_injected, st.validation_errors, st.creates),
        (2, 0, 0)
    );

    fake.set_faults(Faults::default());
    assert_eq!(c.post_je(&je("E500-1", "10")).await.status().as_u16(), 204);
}

#[tokio::test]
async fn dropped_after_commit_leaves_the_record() {
    let fake = start(FakeConfig {
        faults: Faults {
            drop_after_commit_rate: 1.0,
            ..Faults::default()
        },
        ..config()
    })
    .await;
    let c = Client {
        http: reqwest::Client::builder()
            .pool_max_idle_per_host(0)
            .build()
            .unwrap(),
        base: fake.base_url(),
    };
    let url = format!("{}{JE}", fake.base_url());
    let err = c
        .http
        .post(&url)
        .header("Authorization", tba_header("POST", &url, &Sign::default()))
        .body(je("DROP-1", "10").to_string())
        .send()
        .await
        .expect_err("the connection is dropped without a response");
    assert!(!err.is_status(), "{err:?}");
    let j = fake
        .journal_by_external_id("DROP-1")
        .expect("the write was committed");
    assert_eq!(j.writes, 1);
    let s = fake.stats();
    assert_eq!((s.drops_injected, s.creates), (1, 1));

    // A failed write is answered normally (nothing was committed, nothing to drop).
    let r = c.post_je(&je("DROP-1", "10")).await;
    assert_eq!(r.status().as_u16(), 400);
    // The client recovers by reading the record back.
    fake.set_faults(Faults::default());
    let (s, v) = c.get_json(&format!("{JE}/eid:DROP-1")).await;
    assert_eq!((s, v["id"].as_str()), (200, Some(j.internal_id.as_str())));
}
