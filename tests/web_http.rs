//! The web app over real HTTP: every route for every role (and strangers),
//! CSRF and Origin refusals, sessions, login throttling, uploads, the close
//! report downloads, period close/reopen, users and the audit log.

mod support;

use support::web::{fixture, input_value, logged_in, start, App, Browser};

/// Pages any signed-in role may read.
const READ_PAGES: &[&str] = &[
    "/",
    "/imports",
    "/imports/1",
    "/orders/112-1000001-2000001",
    "/payouts/22233344455",
    "/ledger",
    "/ledger?period=2026-02&account=1212",
    "/ledger/entries/1",
    "/trial-balance",
    "/trial-balance?period=2026-02",
    "/search?q=112-1000001-2000001",
    "/search?q=24.99",
    "/exceptions",
    "/close?period=2026-02",
    "/close/print?period=2026-02",
    "/audit",
];

/// Every form the app has.
const WRITES: &[&str] = &[
    "/upload",
    "/periods/2026-02/close",
    "/periods/2026-02/reopen",
    "/reconcile",
    "/netsuite/post",
    "/admin/users",
    "/admin/users/olga",
    "/logout",
    "/no-such-page",
];

/// The app with the Amazon fixture uploaded (and booked) by the accountant.
async fn app_with_books() -> App {
    let app = start(8 * 1024 * 1024).await;
    let mut carl = logged_in(&app, "carl").await;
    carl.get("/upload").await;
    let bytes = std::fs::read(fixture("amazon/settlement-v2-us.txt")).unwrap();
    let r = carl
        .upload(&[("settlement-v2-us.txt", bytes)], Some("amazon-us"))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body.contains("batch 1"), "{}", r.body);
    app
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn strangers_are_sent_to_login_and_cannot_write() {
    let app = app_with_books().await;
    let mut anon = Browser::new(&app);
    for page in READ_PAGES
        .iter()
        .chain(["/upload", "/admin/users", "/audit.csv"].iter())
    {
        let r = anon.get(page).await;
        assert_eq!(r.status, 303, "{page}");
        let to = r.location().unwrap();
        assert!(to.starts_with("/login?next="), "{page} → {to}");
    }
    for path in WRITES.iter().filter(|p| **p != "/logout") {
        let r = anon.post_raw(path, &[("csrf", "x")], None).await;
        assert_eq!(r.status, 403, "POST {path} without a session");
    }
    // The login page and static files are public.
    assert_eq!(anon.get("/login").await.status, 200);
    assert_eq!(anon.get("/static/app.css").await.status, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_role_reads_every_page_and_only_admins_manage_users() {
    let app = app_with_books().await;
    for user in ["ada", "carl", "olga"] {
        let mut b = logged_in(&app, user).await;
        for page in READ_PAGES {
            let r = b.get(page).await;
            // A search with exactly one hit goes straight to it.
            let ok = r.status == 200 || (page.starts_with("/search") && r.status == 303);
            assert!(ok, "{user} GET {page}: {} {}", r.status, r.body);
        }
        let users = b.get("/admin/users").await.status;
        assert_eq!(
            users,
            if user == "ada" { 200 } else { 403 },
            "{user} /admin/users"
        );
        let upload = b.get("/upload").await.status;
        assert_eq!(
            upload,
            if user == "olga" { 403 } else { 200 },
            "{user} /upload"
        );
        let (status, _, bytes) = b.get_bytes("/close/report.csv?period=2026-02").await;
        assert_eq!(status, 200);
        let listed = String::from_utf8(bytes).unwrap();
        assert!(listed.contains("amazon-us"));
        // Every exception listed, read from the records: the same figures
        // here (fewer than 200 of each), under its own file name.
        let (status, headers, bytes) = b.get_bytes("/close/report.csv?period=2026-02&all=1").await;
        assert_eq!(status, 200);
        assert!(headers["content-disposition"]
            .to_str()
            .unwrap()
            .contains("close-2026-02-all-exceptions.csv"));
        assert_eq!(String::from_utf8(bytes).unwrap(), listed);
        let (status, headers, bytes) = b.get_bytes("/close/report.xlsx?period=2026-02").await;
        assert_eq!(status, 200);
        assert!(headers["content-disposition"]
            .to_str()
            .unwrap()
            .contains("close-2026-02.xlsx"));
        assert_eq!(&bytes[..2], b"PK");
        let (status, _, original) = b.get_bytes("/imports/1/file").await;
        assert_eq!(status, 200);
        assert_eq!(
            original,
            std::fs::read(fixture("amazon/settlement-v2-us.txt")).unwrap()
        );
    }
    // Pages that do not exist are 404 pages, not errors.
    let mut ada = logged_in(&app, "ada").await;
    // The dashboard shows the shop as of its last reconcile.
    let dash = ada.get("/").await.body;
    assert!(dash.contains("/ledger?shop=amazon-us"), "{dash}");
    assert!(dash.contains("2026-02"), "the month with activity");
    let batch = ada.get("/imports/1").await.body;
    let lines = app.store.lines_of_batch(1).await.unwrap().len();
    assert_eq!(
        batch.matches("<tr><td>22233344455</td>").count(),
        lines.min(100)
    );
    assert_eq!(ada.get("/orders/NO-SUCH-ORDER").await.status, 404);
    assert_eq!(ada.get("/ledger/entries/999999").await.status, 404);
    assert_eq!(ada.get("/nothing-here").await.status, 404);
    assert_eq!(ada.get("/ledger?period=2026-13").await.status, 400);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_auditor_gets_403_on_every_write_whatever_the_url() {
    let app = app_with_books().await;
    let mut olga = logged_in(&app, "olga").await;
    let entries_before = app.store.counts().await.unwrap().entries;
    for path in WRITES.iter().filter(|p| **p != "/logout") {
        // With a valid CSRF token: the role alone refuses.
        let r = olga
            .post(
                path,
                &[
                    ("reason", "x"),
                    ("action", "disable"),
                    ("name", "z"),
                    ("role", "admin"),
                    ("password", "long enough pw"),
                ],
            )
            .await;
        assert_eq!(r.status, 403, "auditor POST {path}: {}", r.body);
    }
    let r = olga
        .upload(
            &[(
                "x.txt",
                std::fs::read(fixture("amazon/settlement-v2-us.txt")).unwrap(),
            )],
            None,
        )
        .await;
    assert_eq!(r.status, 403);
    assert_eq!(app.store.counts().await.unwrap().entries, entries_before);
    assert_eq!(app.store.batches().await.unwrap().len(), 1);
    assert!(app.store.period_states().await.unwrap().is_empty());
    // The pages offer an auditor no forms but search and logout.
    let page = olga.get("/close?period=2026-02").await.body;
    assert!(
        !page.contains("action=\"/periods/"),
        "close form shown to an auditor"
    );
    assert!(!page.contains("action=\"/reconcile\""));
    assert!(page.contains("read-only"));
    // Logging out is the one POST an auditor makes.
    let r = olga.post("/logout", &[]).await;
    assert_eq!(r.status, 303);
    assert_eq!(olga.get("/").await.status, 303);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn writes_without_the_csrf_token_or_from_another_origin_are_refused() {
    let app = app_with_books().await;
    let mut ada = logged_in(&app, "ada").await;
    let r = ada.post_raw("/periods/2026-02/close", &[], None).await;
    assert_eq!(r.status, 403, "no token");
    let r = ada
        .post_raw("/periods/2026-02/close", &[("csrf", "forged")], None)
        .await;
    assert_eq!(r.status, 403, "wrong token");
    let token = ada.csrf.clone().unwrap();
    let r = ada
        .post_raw(
            "/periods/2026-02/close",
            &[("csrf", &token)],
            Some("https://evil.example"),
        )
        .await;
    assert_eq!(r.status, 403, "foreign origin");
    assert!(app.store.period_states().await.unwrap().is_empty());
    // Uploads: the token is the form's first field, never the URL's; a
    // multipart POST anywhere else is refused whatever it carries.
    let good = token.clone();
    for (path, fields) in [
        (format!("/upload?csrf={good}"), vec![("shop", "amazon-us")]),
        (
            "/upload".to_string(),
            vec![("shop", "amazon-us"), ("csrf", good.as_str())],
        ),
        (
            "/periods/2026-02/close".to_string(),
            vec![("csrf", good.as_str())],
        ),
    ] {
        let r = ada.post_multipart(&path, &fields).await;
        assert_eq!(r.status, 403, "{path} {fields:?}: {}", r.body);
    }
    assert!(app.store.period_states().await.unwrap().is_empty());
    ada.csrf = Some("forged".into());
    let r = ada.upload(&[("a.txt", b"x".to_vec())], None).await;
    assert_eq!(r.status, 403);
    ada.csrf = Some(good);
    // The login form has its own token, tied to the browser by a cookie.
    let mut fresh = Browser::new(&app);
    let r = fresh
        .post_raw(
            "/login",
            &[
                ("user", "ada"),
                ("password", "admin-password-1"),
                ("token", "t"),
            ],
            None,
        )
        .await;
    assert_eq!(r.status, 403);
    // With the right token the same origin passes.
    ada.csrf = Some(token.clone());
    let origin = app.base.clone();
    let r = ada
        .post_raw("/periods/2026-02/close", &[("csrf", &token)], Some(&origin))
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sessions_are_secure_cookies_that_end_at_logout_and_wrong_passwords_are_throttled() {
    let app = start(1024 * 1024).await;
    let mut b = Browser::new(&app);
    let page = b.get("/login").await;
    let token = input_value(&page.body, "token").unwrap();
    let r = b
        .post_raw(
            "/login",
            &[
                ("user", "ada"),
                ("password", "admin-password-1"),
                ("token", &token),
                ("next", "//evil.example/"),
            ],
            None,
        )
        .await;
    assert_eq!(r.status, 303);
    assert_eq!(r.location(), Some("/"), "an open redirect");
    for next in [
        "/\t/evil.example",
        "https://evil.example/",
        "/\\evil.example",
    ] {
        let mut other = Browser::new(&app);
        let page = other.get("/login").await;
        let t = input_value(&page.body, "token").unwrap();
        let fields = [
            ("user", "ada"),
            ("password", "admin-password-1"),
            ("token", t.as_str()),
            ("next", next),
        ];
        let r = other.post_raw("/login", &fields, None).await;
        assert_eq!(r.location(), Some("/"), "next={next:?}");
    }
    let cookie = r
        .headers
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .find(|c| c.starts_with("sb_session="))
        .unwrap();
    for flag in [
        "HttpOnly",
        "SameSite=Strict",
        "Secure",
        "Path=/",
        "Max-Age=28800",
    ] {
        assert!(cookie.contains(flag), "{flag} in {cookie}");
    }
    // The database keeps only a hash of the token.
    let token_value = b.cookies["sb_session"].clone();
    assert!(app
        .store
        .session(&token_value, chrono::Utc::now())
        .await
        .unwrap()
        .is_none());
    assert_eq!(b.get("/").await.status, 200);
    let stolen = b.cookies.clone();
    assert_eq!(b.post("/logout", &[]).await.status, 303);
    let mut thief = Browser::new(&app);
    thief.cookies = stolen;
    assert_eq!(
        thief.get("/").await.status,
        303,
        "a logged-out session still works"
    );

    // Five wrong passwords lock the name out, even with the right one after.
    let mut m = Browser::new(&app);
    for _ in 0..5 {
        let r = m.login("carl", "wrong-password").await;
        assert_eq!(r.status, 401);
        assert!(r.body.contains("wrong user name or password"));
    }
    let r = m.login("carl", "accountant-password-1").await;
    assert_eq!(r.status, 429, "{}", r.body);
    assert!(r.body.contains("too many failed logins"));
    // An unknown name gets the same answer as a wrong password.
    let r = Browser::new(&app).login("nobody", "whatever-pass").await;
    assert_eq!(r.status, 401);
    let failed = app
        .store
        .audit_log(None, 100, Some("login.failed"))
        .await
        .unwrap();
    assert_eq!(failed.len(), 6, "{failed:?}");
    let locked = app
        .store
        .audit_log(None, 100, Some("login.locked"))
        .await
        .unwrap();
    assert_eq!(locked.len(), 1, "the refused attempt is on record too");
    assert_eq!(locked[0].actor, "anonymous");
    assert_eq!(locked[0].subject.as_deref(), Some("carl"));
    // A password typed as the name is not kept.
    Browser::new(&app).login("my secret password!", "x").await;
    let last = app.store.audit_log(None, 1, None).await.unwrap();
    assert_eq!(last[0].action, "login.failed");
    assert_eq!(last[0].subject, None);
    // The pages carry the headers that keep them out of frames and caches.
    let r = b.get("/login").await;
    assert_eq!(r.headers["x-frame-options"], "DENY");
    assert_eq!(r.headers["cache-control"], "no-store");
    assert!(r.headers["content-security-policy"]
        .to_str()
        .unwrap()
        .contains("default-src 'self'"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn uploads_import_once_report_errors_and_respect_the_size_limit() {
    let app = start(64 * 1024).await;
    let mut carl = logged_in(&app, "carl").await;
    carl.get("/upload").await;
    let good = std::fs::read(fixture("amazon/settlement-v2-us.txt")).unwrap();
    let bad = b"settlement-id\tnonsense\n1\t2\n".to_vec();
    let r = carl
        .upload(
            &[("settlement-v2-us.txt", good.clone()), ("broken.txt", bad)],
            Some("amazon-us"),
        )
        .await;
    assert_eq!(r.status, 200);
    assert!(r.body.contains("data-outcome=\"imported\""), "{}", r.body);
    assert!(r.body.contains("data-outcome=\"failed\""), "{}", r.body);
    assert!(r.body.contains("broken.txt"));
    // Booked right away, as `import` does.
    assert!(r.body.contains("entries booked new"), "{}", r.body);
    let entries = app.store.counts().await.unwrap().entries;
    assert!(entries > 0);
    let tb = app.store.account_totals(Default::default()).await.unwrap();
    let debits: rust_decimal::Decimal = tb.iter().map(|t| t.debits).sum();
    let credits: rust_decimal::Decimal = tb.iter().map(|t| t.credits).sum();
    assert!(!debits.is_zero());
    assert_eq!(debits, credits, "the books balance");
    // The same file again changes nothing.
    carl.get("/upload").await;
    let r = carl.upload(&[("again.txt", good)], Some("amazon-us")).await;
    assert!(r.body.contains("already imported as batch 1"), "{}", r.body);
    assert_eq!(app.store.counts().await.unwrap().entries, entries);
    assert_eq!(app.store.batches().await.unwrap().len(), 1);
    // Larger than the limit: refused, nothing written, nothing left spooled.
    let big = vec![b'a'; 100 * 1024];
    let r = carl.upload(&[("big.csv", big)], None).await;
    assert_eq!(r.status, 413, "{}", r.body);
    assert_eq!(app.store.batches().await.unwrap().len(), 1);
    let spooled = std::fs::read_dir(app.dir.path())
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .starts_with("settlebridge-upload-")
        })
        .count();
    assert_eq!(spooled, 0);
    let audit = app
        .store
        .audit_log(None, 100, Some("upload"))
        .await
        .unwrap();
    assert_eq!(audit.len(), 3, "{audit:?}");
    assert!(audit.iter().all(|a| a.actor == "web:carl"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn accountants_close_admins_reopen_with_a_reason_and_the_audit_log_keeps_it() {
    let app = app_with_books().await;
    let mut carl = logged_in(&app, "carl").await;
    let r = carl.post("/periods/2026-02/close", &[]).await;
    assert_eq!(r.status, 303, "{}", r.body);
    let page = carl.get("/close?period=2026-02").await.body;
    assert!(page.contains("is <strong>closed</strong>"), "{page}");
    assert_eq!(
        carl.post("/periods/2026-02/reopen", &[("reason", "late refund")])
            .await
            .status,
        403
    );
    let mut ada = logged_in(&app, "ada").await;
    assert_eq!(
        ada.post("/periods/2026-02/reopen", &[("reason", " ")])
            .await
            .status,
        400
    );
    let r = ada
        .post("/periods/2026-02/reopen", &[("reason", "late refund")])
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let states = app.store.period_states().await.unwrap();
    assert_eq!(states.len(), 1);
    assert_eq!(states[0].reason.as_deref(), Some("late refund"));
    assert_eq!(states[0].changed_by, "web:ada");
    // Closing twice is a conflict, shown as such.
    carl.post("/periods/2026-02/close", &[]).await;
    carl.get("/close?period=2026-02").await;
    assert_eq!(carl.post("/periods/2026-02/close", &[]).await.status, 409);

    let log = ada.get("/audit?action=period.reopen").await.body;
    assert!(
        log.contains("late refund") && log.contains("web:ada"),
        "{log}"
    );
    let (status, _, csv) = ada.get_bytes("/audit.csv").await;
    assert_eq!(status, 200);
    let csv = String::from_utf8(csv).unwrap();
    for action in ["upload", "login", "period.close", "period.reopen"] {
        assert!(csv.contains(&format!(",{action},")), "{action} in\n{csv}");
    }
    // The audit log cannot be edited, even by SQL.
    let id = app.store.audit_log(None, 1, None).await.unwrap()[0].id;
    let url = format!("sqlite://{}", app.dir.path().join("web.db").display());
    let pool = sqlx::SqlitePool::connect(&url).await.unwrap();
    let err = sqlx::query("UPDATE audit_log SET actor = 'x' WHERE id = $1")
        .bind(id)
        .execute(&pool)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("append-only"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admins_manage_users_and_exports_neutralize_formulas() {
    let app = start(1024 * 1024).await;
    let mut ada = logged_in(&app, "ada").await;
    ada.get("/admin/users").await;
    let r = ada
        .post(
            "/admin/users",
            &[
                ("name", "newbie"),
                ("role", "auditor"),
                ("password", "short"),
            ],
        )
        .await;
    assert_eq!(r.status, 400);
    let r = ada
        .post(
            "/admin/users",
            &[
                ("name", "newbie"),
                ("role", "auditor"),
                ("password", "a long password"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let r = ada
        .post(
            "/admin/users",
            &[
                ("name", "newbie"),
                ("role", "admin"),
                ("password", "a long password"),
            ],
        )
        .await;
    assert_eq!(r.status, 409, "a second newbie");
    let mut newbie = Browser::new(&app);
    assert_eq!(newbie.login("newbie", "a long password").await.status, 303);
    assert_eq!(newbie.get("/upload").await.status, 403, "auditor role");
    let r = ada
        .post("/admin/users/newbie", &[("action", "disable")])
        .await;
    assert_eq!(r.status, 303);
    assert_eq!(
        newbie.get("/").await.status,
        303,
        "a disabled user's session ends"
    );
    assert_eq!(
        Browser::new(&app)
            .login("newbie", "a long password")
            .await
            .status,
        401
    );
    assert_eq!(
        ada.post("/admin/users/ada", &[("action", "disable")])
            .await
            .status,
        400
    );
    let r = ada
        .post("/admin/users/ghost", &[("action", "enable")])
        .await;
    assert_eq!(r.status, 404);

    // A file name that is a formula is logged as sent and exported inert.
    ada.get("/upload").await;
    ada.upload(
        &[("=HYPERLINK(\"x\").csv", b"not a channel file".to_vec())],
        None,
    )
    .await;
    let (_, _, csv) = ada.get_bytes("/audit.csv").await;
    let csv = String::from_utf8(csv).unwrap();
    assert!(csv.contains("'=HYPERLINK"), "{csv}");
    assert!(!csv.contains(",=HYPERLINK"), "{csv}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_ledger_pages_on_the_server_and_the_trail_links_every_step() {
    let app = app_with_books().await;
    let mut olga = logged_in(&app, "olga").await;
    let entries = app.store.counts().await.unwrap().entries as usize;
    let mut seen = Vec::new();
    let mut page = olga.get("/ledger").await.body;
    loop {
        let on_page = page.matches("href=\"/ledger/entries/").count();
        assert!(on_page <= 50);
        seen.push(on_page);
        let Some(at) = page.find("rel=\"next\"") else {
            break;
        };
        let href_start = page[..at].rfind("href=\"").unwrap() + 6;
        let href = page[href_start..at]
            .trim_end_matches("\" ")
            .replace("&amp;", "&");
        page = olga.get(&href).await.body;
    }
    assert_eq!(seen.iter().sum::<usize>(), entries);
    let order = olga.get("/orders/112-1000001-2000001").await.body;
    for step in [
        "/imports/1",
        "/payouts/22233344455",
        "/ledger/entries/",
        "NetSuite",
    ] {
        assert!(order.contains(step), "{step} missing from the order trail");
    }
    let payout = olga.get("/payouts/22233344455").await.body;
    assert!(payout.contains("116.09"), "the payout amount");
    assert!(payout.contains("ties"), "{payout}");
    let tb = olga.get("/trial-balance").await.body;
    assert!(
        tb.contains("id=\"balanced\"") && tb.contains("Balanced"),
        "{tb}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_mapping_change_is_in_the_audit_log_when_a_reconcile_first_books_with_it() {
    let app = app_with_books().await;
    let versions = |log: Vec<settlebridge::store::AuditRecord>| {
        log.into_iter()
            .filter(|r| {
                r.subject
                    .as_deref()
                    .is_some_and(|s| s.ends_with("amazon.toml"))
            })
            .map(|r| r.detail.unwrap())
            .collect::<Vec<_>>()
    };
    let first = versions(
        app.store
            .audit_log(None, 100, Some("mappings.version"))
            .await
            .unwrap(),
    );
    assert_eq!(first.len(), 1, "{first:?}");
    let file = app.mappings().join("amazon.toml");
    let mut text = std::fs::read_to_string(&file).unwrap();
    text.push_str("\n# reviewed by the controller\n");
    std::fs::write(&file, text).unwrap();
    let mut carl = logged_in(&app, "carl").await;
    carl.get("/close?period=2026-02").await;
    let r = carl.post("/reconcile", &[]).await;
    assert_eq!(r.status, 200, "{}", r.body);
    // Reconciling again with the same files records nothing more.
    carl.post("/reconcile", &[]).await;
    let now = versions(
        app.store
            .audit_log(None, 100, Some("mappings.version"))
            .await
            .unwrap(),
    );
    assert_eq!(now.len(), 2, "{now:?}");
    assert!(now[0].contains(&format!("(was {})", first[0])), "{now:?}");
    let reconciles = app
        .store
        .audit_log(None, 100, Some("reconcile"))
        .await
        .unwrap();
    assert_eq!(reconciles.len(), 2);
    assert_eq!(reconciles[0].actor, "web:carl");
}

/// Evidence is handed out only as the file that was imported: a stored file
/// changed behind the app's back (its append-only trigger dropped by hand)
/// is refused, naming the batch and both hashes, never downloaded.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stored_file_changed_in_the_store_is_not_handed_out() {
    let app = app_with_books().await;
    let url = format!("sqlite://{}", app.dir.path().join("web.db").display());
    let pool = sqlx::SqlitePool::connect(&url).await.unwrap();
    for sql in [
        "DROP TRIGGER import_file_chunks_append_only_update",
        "UPDATE import_file_chunks SET encoding = 'identity', content = CAST('forged' AS BLOB) \
         WHERE batch_id = 1",
    ] {
        sqlx::query(sql).execute(&pool).await.unwrap();
    }
    pool.close().await;
    let mut auditor = logged_in(&app, "olga").await;
    let (status, _, body) = auditor.get_bytes("/imports/1/file").await;
    let body = String::from_utf8_lossy(&body);
    assert_eq!(status, 500, "{body}");
    assert!(
        body.contains("batch 1 no longer has the SHA-256 it was imported with"),
        "{body}"
    );
    assert!(
        !body.contains("forged"),
        "the forged bytes are not shown: {body}"
    );
}
