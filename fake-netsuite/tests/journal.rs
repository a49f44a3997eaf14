//! Journal-entry validation, duplicates, upsert / patch line semantics.

mod common;

use common::*;
use fake_netsuite::FakeConfig;
use reqwest::Method;
use serde_json::{json, Value};

async fn rejected(c: &Client, body: &Value) -> (u16, String, String, String) {
    error_of(c.post_je(body).await).await
}

#[tokio::test]
async fn invalid_entries_are_rejected_and_nothing_is_stored() {
    let fake = start(FakeConfig {
        line_limit: 10,
        ..config()
    })
    .await;
    fake.close_period("26"); // Feb 2026
    let c = Client::new(&fake);

    let mut unbalanced = je("BAD-1", "10");
    unbalanced["line"]["items"][1]["credit"] = json!(9.99);
    let (s, code, detail, _) = rejected(&c, &unbalanced).await;
    assert_eq!((s, code.as_str()), (400, "USER_ERROR"));
    assert_eq!(
        detail,
        "Error while accessing resource: The amounts in a journal entry must balance."
    );

    let mut one_sided = je("BAD-2", "10");
    one_sided["line"]["items"][1] = json!({"account": {"id": "5"}, "debit": -10});
    let (s, code, _, path) = rejected(&c, &one_sided).await;
    assert_eq!(
        (s, code.as_str(), path.as_str()),
        (400, "INVALID_CONTENT", "line.items[1].debit")
    );

    let mut unknown_account = je("BAD-3", "10");
    unknown_account["line"]["items"][1]["account"] = json!({"id": "777"});
    let (s, code, detail, path) = rejected(&c, &unknown_account).await;
    assert_eq!(
        (s, code.as_str(), path.as_str()),
        (400, "INVALID_CONTENT", "line.items[1].account")
    );
    assert_eq!(
        detail,
        "Error while accessing resource: You have entered an Invalid Field Value 777 for the following field: account"
    );

    let mut inactive = je("BAD-4", "10");
    inactive["line"]["items"][0]["account"] = json!({"id": "9"});
    assert_eq!(rejected(&c, &inactive).await.3, "line.items[0].account");

    let mut closed = je("BAD-5", "10");
    closed["tranDate"] = json!("2026-02-10");
    let (s, code, detail, path) = rejected(&c, &closed).await;
    assert_eq!(
        (s, code.as_str(), path.as_str()),
        (400, "USER_ERROR", "postingPeriod")
    );
    assert!(
        detail.contains("Feb 2026") && detail.contains("closed"),
        "{detail}"
    );
    // Explicit closed period, and a date outside the given period.
    let mut explicit = je("BAD-6", "10");
    explicit["tranDate"] = json!("2026-02-10");
    explicit["postingPeriod"] = json!({"id": "26"});
    assert!(rejected(&c, &explicit).await.2.contains("closed"));
    let mut outside = je("BAD-7", "10");
    outside["postingPeriod"] = json!({"id": "27"});
    assert!(rejected(&c, &outside)
        .await
        .2
        .contains("outside the posting period"));

    let (s, _, detail, path) = rejected(&c, &je("BAD.8|x", "10")).await;
    assert_eq!((s, path.as_str()), (400, "externalId"));
    assert!(detail.contains("Invalid external ID"), "{detail}");

    let mut too_many = je("BAD-9", "1");
    let items: Vec<Value> = (0..11)
        .map(|i| {
            let side = if i < 10 { "debit" } else { "credit" };
            let amount = if i < 10 { json!(1) } else { json!(10) };
            json!({"account": {"id": "2"}, side: amount})
        })
        .collect();
    too_many["line"]["items"] = json!(items);
    let (s, _, detail, _) = rejected(&c, &too_many).await;
    assert_eq!(s, 400);
    assert!(detail.contains("at most 10 lines"), "{detail}");

    let mut no_sub = je("BAD-10", "10");
    no_sub.as_object_mut().unwrap().remove("subsidiary");
    let (_, code, detail, _) = rejected(&c, &no_sub).await;
    assert_eq!(code, "USER_ERROR");
    assert_eq!(
        detail,
        "Error while accessing resource: Please enter a value for subsidiary"
    );

    let mut three_dp = je("BAD-11", "10.125");
    three_dp["line"]["items"][1]["credit"] = json!(10.125);
    assert_eq!(rejected(&c, &three_dp).await.3, "line.items[0].debit");

    let mut jpy_cents = je("BAD-12", "100.5");
    jpy_cents["currency"] = json!({"id": "5"}); // JPY
    assert_eq!(rejected(&c, &jpy_cents).await.3, "line.items[0].debit");

    let mut bad_entity = je("BAD-13", "10");
    bad_entity["line"]["items"][0]["entity"] = json!({"id": "404"});
    assert_eq!(rejected(&c, &bad_entity).await.3, "line.items[0].entity");

    let mut bad_date = je("BAD-14", "10");
    bad_date["tranDate"] = json!("15/01/2026");
    assert_eq!(rejected(&c, &bad_date).await.3, "tranDate");

    let mut no_lines = je("BAD-15", "10");
    no_lines["line"] = json!({"items": []});
    assert_eq!(rejected(&c, &no_lines).await.0, 400);

    let r = c.send(Method::POST, JE, None, &[]).await;
    assert_eq!(error_of(r).await.1, "INVALID_REQUEST");

    // Unknown field names: an error only when asked for.
    let mut typo = je("TYPO-1", "10");
    typo["line"]["items"][0]["acount"] = json!({"id": "2"});
    let strict = [("X-NetSuite-PropertyNameValidation", "Error")];
    let r = c.send(Method::POST, JE, Some(&typo), &strict).await;
    let (s, code, detail, path) = error_of(r).await;
    assert_eq!(
        (s, code.as_str(), path.as_str()),
        (400, "INVALID_CONTENT", "line.items[0].acount")
    );
    assert!(detail.contains("acount"));
    let mut header_typo = je("TYPO-2", "10");
    header_typo["tranDatee"] = json!("2026-01-01");
    let r = c.send(Method::POST, JE, Some(&header_typo), &strict).await;
    assert_eq!(error_of(r).await.3, "tranDatee");

    assert!(fake.journals().is_empty());
    assert_eq!(fake.stats().validation_errors, 18);
    assert_eq!(fake.stats().creates, 0);

    // Lenient by default: the same body with a typo is accepted.
    assert_eq!(c.post_je(&header_typo).await.status().as_u16(), 204);
    // Amounts as strings, and JPY without decimals.
    let mut strings = je("OK-2", "1");
    strings["currency"] = json!({"id": "5"});
    strings["line"]["items"][0]["debit"] = json!("1500");
    strings["line"]["items"][1]["credit"] = json!("1500");
    assert_eq!(c.post_je(&strings).await.status().as_u16(), 204);
    assert_eq!(fake.journals().len(), 2);
}

#[tokio::test]
async fn duplicates_upserts_and_patches() {
    let fake = start(config()).await;
    let c = Client::new(&fake);
    assert_eq!(c.post_je(&je("DUP-1", "10")).await.status().as_u16(), 204);
    let (s, code, detail, _) = error_of(c.post_je(&je("DUP-1", "10")).await).await;
    assert_eq!((s, code.as_str()), (400, "USER_ERROR"));
    assert_eq!(
        detail,
        "Error while accessing resource: This record already exists"
    );
    assert_eq!(fake.journals().len(), 1);

    // Upsert creates when absent (body without externalId: the URL one is used).
    let mut body = je("IGNORED", "20");
    body.as_object_mut().unwrap().remove("externalId");
    let r = c.put_eid("UP-1", "", &body).await;
    assert_eq!(r.status().as_u16(), 204);
    let loc = r.headers()["location"].to_str().unwrap().to_string();
    let j = fake.journal_by_external_id("UP-1").unwrap();
    assert!(loc.ends_with(&format!("/journalentry/{}", j.internal_id)));
    assert_eq!((j.lines.len(), j.writes), (2, 1));

    // Upsert again without replace=line: lines are appended (NetSuite's non-keyed sublist).
    let r = c.put_eid("UP-1", "", &body).await;
    assert_eq!(r.status().as_u16(), 204);
    assert_eq!(r.headers()["location"].to_str().unwrap(), loc);
    let j = fake.journal_by_external_id("UP-1").unwrap();
    assert_eq!((j.lines.len(), j.writes), (4, 2));
    assert_eq!(fake.account_totals()["2"].0, "50".parse().unwrap()); // 10 + 20 + 20

    // With replace=line the lines are replaced; header fields overwrite.
    body["memo"] = json!("replaced");
    let r = c.put_eid("UP-1", "?replace=line", &body).await;
    assert_eq!(r.status().as_u16(), 204);
    let j = fake.journal_by_external_id("UP-1").unwrap();
    assert_eq!(
        (j.lines.len(), j.writes, j.memo.as_deref()),
        (2, 3, Some("replaced"))
    );
    let s = fake.stats();
    assert_eq!((s.creates, s.updates), (2, 2));

    // Body externalId differing from the URL one.
    let r = c.put_eid("UP-1", "?replace=line", &je("UP-2", "20")).await;
    assert_eq!(error_of(r).await.3, "externalId");
    // URL external id charset.
    let r = c.put_eid("UP.1", "", &body).await;
    assert_eq!(r.status().as_u16(), 400);

    // A rejected update changes nothing.
    let mut unbalanced = body.clone();
    unbalanced["line"]["items"][1]["credit"] = json!(1);
    let r = c.put_eid("UP-1", "?replace=line", &unbalanced).await;
    assert_eq!(r.status().as_u16(), 400);
    assert_eq!(fake.journal_by_external_id("UP-1").unwrap(), j);
    // Appending one unbalanced line is rejected too (the merged entry is validated).
    let one = json!({"line": {"items": [{"account": {"id": "7"}, "debit": 1}]}});
    let r = c
        .send(
            Method::PATCH,
            &format!("{JE}/{}", j.internal_id),
            Some(&one),
            &[],
        )
        .await;
    assert_eq!(
        error_of(r).await.2,
        "Error while accessing resource: The amounts in a journal entry must balance."
    );
    assert_eq!(fake.journal_by_external_id("UP-1").unwrap(), j);

    // PATCH by internal id: header only keeps lines; lines without replace append.
    let r = c
        .send(
            Method::PATCH,
            &format!("{JE}/{}", j.internal_id),
            Some(&json!({"memo": "patched"})),
            &[],
        )
        .await;
    assert_eq!(r.status().as_u16(), 204);
    let p = fake.journal_by_external_id("UP-1").unwrap();
    assert_eq!(
        (p.lines.len(), p.writes, p.memo.as_deref()),
        (2, 4, Some("patched"))
    );
    let pair = json!({"line": {"items": [
        {"account": {"id": "7"}, "debit": 3.5}, {"account": {"id": "1"}, "credit": 3.5}]}});
    let r = c
        .send(Method::PATCH, &format!("{JE}/eid:UP-1"), Some(&pair), &[])
        .await;
    assert_eq!(r.status().as_u16(), 204);
    assert_eq!(fake.journal_by_external_id("UP-1").unwrap().lines.len(), 4);
    let r = c
        .send(
            Method::PATCH,
            &format!("{JE}/eid:UP-1?replace=line"),
            Some(&pair),
            &[],
        )
        .await;
    assert_eq!(r.status().as_u16(), 204);
    let p = fake.journal_by_external_id("UP-1").unwrap();
    assert_eq!((p.lines.len(), p.lines[0].account.as_str()), (2, "7"));

    // PATCH of a missing record: 404; PUT by internal id: 400; DELETE: 405.
    let r = c
        .send(Method::PATCH, &format!("{JE}/eid:NOPE"), Some(&pair), &[])
        .await;
    assert_eq!(error_of(r).await.1, "NONEXISTENT_ID");
    let r = c
        .send(
            Method::PUT,
            &format!("{JE}/{}", j.internal_id),
            Some(&body),
            &[],
        )
        .await;
    assert_eq!(r.status().as_u16(), 400);
    let r = c
        .send(
            Method::DELETE,
            &format!("{JE}/{}", j.internal_id),
            None,
            &[],
        )
        .await;
    assert_eq!(r.status().as_u16(), 405);
    // Unknown record types and paths: 404.
    let r = c
        .send(Method::GET, "/services/rest/record/v1/invoice/1", None, &[])
        .await;
    assert_eq!(r.status().as_u16(), 404);
    let r = c
        .send(Method::GET, "/services/rest/nothing", None, &[])
        .await;
    assert_eq!(r.status().as_u16(), 404);

    // Collection GET lists ids.
    let (s, v) = c.get_json(JE).await;
    assert_eq!((s, v["totalResults"].as_u64()), (200, Some(2)));
    let ids: Vec<String> = fake
        .journals()
        .iter()
        .map(|j| j.internal_id.clone())
        .collect();
    assert_eq!(v["items"][0]["id"], ids[0]);
}
