//! The web app's store on both backends: users, sessions, the append-only
//! audit log, shop standings, and the paged ledger reads.

mod support;

use chrono::{Duration, Utc};
use settlebridge::domain::access::Role;
use settlebridge::domain::JournalEntry;
use settlebridge::store::{EntryPageQuery, NewAudit, StoreError};
use support::{all_backends, chart, draft};

fn shop_entry(key: &str, on: &str, amount: &str, shop: Option<&str>) -> JournalEntry {
    let mut d = draft(
        key,
        on,
        &[
            ("1210", "debit", amount, "USD"),
            ("4000", "credit", amount, "USD"),
        ],
    );
    for p in &mut d.postings {
        p.segments.shop = shop.map(str::to_string);
    }
    JournalEntry::new(d, &chart()).unwrap()
}

#[tokio::test]
async fn users_and_sessions() {
    for db in all_backends().await {
        let s = db.store();
        let ana = s
            .create_user("ana", Role::Accountant, "hash-1")
            .await
            .unwrap();
        assert_eq!(ana.role, Role::Accountant);
        let again = s
            .create_user("ana", Role::Admin, "hash-2")
            .await
            .unwrap_err();
        assert!(
            matches!(again, StoreError::Conflict(_)),
            "{}: {again}",
            db.name
        );
        let (user, hash) = s.user_credentials("ana").await.unwrap().unwrap();
        assert_eq!((user.id, hash.as_str()), (ana.id, "hash-1"), "{}", db.name);
        assert!(s.user_credentials("nobody").await.unwrap().is_none());

        let now = Utc::now();
        s.create_session("live", ana.id, "csrf-1", now + Duration::hours(1))
            .await
            .unwrap();
        s.create_session("old", ana.id, "csrf-2", now - Duration::seconds(1))
            .await
            .unwrap();
        let live = s.session("live", now).await.unwrap().unwrap();
        assert_eq!(
            (live.user.name.as_str(), live.csrf_token.as_str()),
            ("ana", "csrf-1")
        );
        assert!(
            s.session("old", now).await.unwrap().is_none(),
            "{}: expired",
            db.name
        );
        assert!(s.session("unknown", now).await.unwrap().is_none());

        s.set_user_role("ana", Role::Admin).await.unwrap();
        assert_eq!(
            s.session("live", now).await.unwrap().unwrap().user.role,
            Role::Admin
        );
        s.set_user_password("ana", "hash-3").await.unwrap();
        assert!(
            s.session("live", now).await.unwrap().is_none(),
            "{}: a new password ends sessions",
            db.name
        );
        s.create_session("next", ana.id, "csrf-3", now + Duration::hours(1))
            .await
            .unwrap();
        s.set_user_disabled("ana", true).await.unwrap();
        assert!(
            s.session("next", now).await.unwrap().is_none(),
            "{}",
            db.name
        );
        assert!(s.users().await.unwrap()[0].disabled_at.is_some());
        s.set_user_disabled("ana", false).await.unwrap();
        assert!(s.users().await.unwrap()[0].disabled_at.is_none());
        assert!(matches!(
            s.set_user_role("ghost", Role::Auditor).await.unwrap_err(),
            StoreError::Conflict(_)
        ));
        s.delete_session("next").await.unwrap();
    }
}

#[tokio::test]
async fn the_audit_log_pages_newest_first_and_cannot_be_changed() {
    for db in all_backends().await {
        let s = db.store();
        for i in 0..25 {
            let action = if i % 5 == 0 { "period.close" } else { "upload" };
            let subject = format!("item {i}");
            s.record_audit(NewAudit {
                actor: "web:ana",
                action,
                subject: Some(&subject),
                ..Default::default()
            })
            .await
            .unwrap();
        }
        let first = s.audit_log(None, 10, None).await.unwrap();
        assert_eq!(first.len(), 10);
        assert_eq!(first[0].subject.as_deref(), Some("item 24"), "{}", db.name);
        let second = s.audit_log(Some(first[9].id), 10, None).await.unwrap();
        assert_eq!(second[0].subject.as_deref(), Some("item 14"));
        let closes = s.audit_log(None, 100, Some("period.close")).await.unwrap();
        assert_eq!(closes.len(), 5, "{}", db.name);
        for sql in [
            "UPDATE audit_log SET actor = 'someone else'",
            "DELETE FROM audit_log",
        ] {
            let err = db.raw_execute(sql).await.unwrap_err();
            assert!(
                err.to_string().contains("append-only"),
                "{}: {sql}: {err}",
                db.name
            );
        }
        assert_eq!(db.raw_count("audit_log").await, 25);
    }
}

#[tokio::test]
async fn ledger_pages_filter_by_period_account_and_shop_and_search_finds_amounts() {
    for db in all_backends().await {
        let s = db.store();
        let mut entries = Vec::new();
        for i in 0..30u32 {
            let day = format!("2026-0{}-{:02}", 1 + i % 3, 1 + i / 3);
            let shop = if i % 2 == 0 {
                Some("even")
            } else {
                Some("odd")
            };
            entries.push(shop_entry(
                &format!("e{i}"),
                &day,
                &format!("{}.25", 10 + i),
                shop,
            ));
        }
        s.post_batch(&entries, "test").await.unwrap();
        // What a big reconcile runs after its writes (PostgreSQL's VACUUM
        // outside any transaction): it runs, and the pages read the same.
        s.refresh_after_bulk_write()
            .await
            .unwrap_or_else(|e| panic!("{}: {e}", db.name));
        let page = |q: EntryPageQuery| async move { s.entry_page(&q).await.unwrap() };
        let all = page(EntryPageQuery {
            limit: 100,
            ..Default::default()
        })
        .await;
        assert_eq!(all.len(), 30, "{}", db.name);
        assert!(all.windows(2).all(|w| w[0] > w[1]), "newest first");
        let first = page(EntryPageQuery {
            limit: 7,
            ..Default::default()
        })
        .await;
        let rest = page(EntryPageQuery {
            limit: 100,
            before: first.last().copied(),
            ..Default::default()
        })
        .await;
        assert_eq!(
            first.len() + rest.len(),
            30,
            "{}: pages cover the ledger once",
            db.name
        );
        let february = page(EntryPageQuery {
            from: Some(support::date("2026-02-01")),
            to: Some(support::date("2026-02-28")),
            limit: 100,
            ..Default::default()
        })
        .await;
        assert_eq!(february.len(), 10, "{}", db.name);
        let even = page(EntryPageQuery {
            shop: Some("even".into()),
            limit: 100,
            ..Default::default()
        })
        .await;
        assert_eq!(even.len(), 15, "{}", db.name);
        let none = page(EntryPageQuery {
            account: Some("6100".into()),
            limit: 100,
            ..Default::default()
        })
        .await;
        assert!(none.is_empty());
        let hits = s.search("17.25", 10).await.unwrap();
        assert_eq!(hits.entries.len(), 1, "{}", db.name);
        let e = s
            .entry(settlebridge::domain::EntryId(hits.entries[0]))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(e.entry.idempotency_key(), "e7");
        assert!(s.search("999.99", 10).await.unwrap().entries.is_empty());

        s.save_shop_standing("amazon", "us", "{\"v\":1}")
            .await
            .unwrap();
        s.save_shop_standing("amazon", "us", "{\"v\":2}")
            .await
            .unwrap();
        assert_eq!(
            s.shop_standings().await.unwrap(),
            vec!["{\"v\":2}".to_string()]
        );
    }
}
