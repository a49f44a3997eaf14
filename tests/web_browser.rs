//! The web app in headless Chromium (Debian's `chromium` and `chromedriver`):
//! log in, upload a file and see its result, post to NetSuite and follow an
//! order from the dashboard to its NetSuite record, download the close
//! report, and an auditor finding no way to change anything. Screenshots of
//! the main pages go to target/web-screenshots/.
//!
//! Without chromedriver the test is skipped, unless
//! SETTLEBRIDGE_REQUIRE_BROWSER is set (CI sets it and installs both).

mod support;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use support::web::{fixture, start_with};

struct Driver(Child);
impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn chromedriver() -> Option<PathBuf> {
    ["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.exists())
}

fn screenshots_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/web-screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

async fn shot(c: &Client, name: &str) {
    let png = c.screenshot().await.unwrap();
    std::fs::write(screenshots_dir().join(format!("{name}.png")), png).unwrap();
}

async fn browser(downloads: &Path) -> Option<(Driver, Client)> {
    let Some(driver) = chromedriver() else {
        assert!(
            std::env::var_os("SETTLEBRIDGE_REQUIRE_BROWSER").is_none(),
            "chromedriver is not installed (apt-get install chromium chromium-driver)"
        );
        eprintln!("skipped: no chromedriver");
        return None;
    };
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = Command::new(driver)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let guard = Driver(child);
    let deadline = Instant::now() + Duration::from_secs(20);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "chromedriver did not start");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let caps = serde_json::json!({
        "goog:chromeOptions": {
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1400,1000"],
            "prefs": {
                "download.default_directory": downloads.to_str().unwrap(),
                "download.prompt_for_download": false
            }
        }
    });
    let _ = rustls::crypto::ring::default_provider().install_default();
    let client = ClientBuilder::rustls()
        .unwrap()
        .capabilities(caps.as_object().unwrap().clone())
        .connect(&format!("http://127.0.0.1:{port}"))
        .await
        .expect("a chromium session");
    Some((guard, client))
}

async fn text_of(c: &Client, css: &str) -> String {
    c.wait()
        .at_most(Duration::from_secs(20))
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"))
        .text()
        .await
        .unwrap()
}

async fn log_in(c: &Client, base: &str, user: &str, password: &str) {
    c.goto(&format!("{base}/")).await.unwrap();
    // A stranger lands on the login form.
    assert!(c.current_url().await.unwrap().path().starts_with("/login"));
    c.find(Locator::Css("input[name=user]"))
        .await
        .unwrap()
        .send_keys(user)
        .await
        .unwrap();
    c.find(Locator::Css("input[name=password]"))
        .await
        .unwrap()
        .send_keys(password)
        .await
        .unwrap();
    c.find(Locator::Css("form.login button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let who = text_of(c, "form.who .user").await;
    assert!(who.contains(user), "{who}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn accountant_and_auditor_in_a_real_browser() {
    let downloads = tempfile::tempdir().unwrap();
    let Some((_driver, c)) = browser(downloads.path()).await else {
        return;
    };
    let app = start_with(16 * 1024 * 1024, true).await;
    // Browsers treat localhost as secure: the Secure session cookie works.
    let base = app.base.replace("127.0.0.1", "localhost");

    // Log in, upload a file and see its result.
    log_in(&c, &base, "carl", "accountant-password-1").await;
    shot(&c, "dashboard-empty").await;
    c.goto(&format!("{base}/upload")).await.unwrap();
    c.find(Locator::Css("select[name=shop]"))
        .await
        .unwrap()
        .select_by_value("amazon-us")
        .await
        .unwrap();
    let file = fixture("amazon/settlement-v2-us.txt");
    c.find(Locator::Css("input[type=file]"))
        .await
        .unwrap()
        .send_keys(file.to_str().unwrap())
        .await
        .unwrap();
    c.find(Locator::Css("form[data-upload] button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let result = text_of(&c, "#results").await;
    assert!(result.contains("settlement-v2-us.txt"), "{result}");
    assert!(result.contains("batch 1"), "{result}");
    assert!(result.contains("entries booked new"), "{result}");
    shot(&c, "upload-result").await;

    // Post the month to NetSuite from the close report.
    c.goto(&format!("{base}/close?period=2026-02"))
        .await
        .unwrap();
    c.find(Locator::Css("#post-netsuite"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let posted = text_of(&c, "#result").await;
    assert!(posted.contains("posted"), "{posted}");
    let fake = app.netsuite.as_ref().unwrap();
    let entries = app.store.counts().await.unwrap().entries as usize;
    assert!(!fake.journals().is_empty(), "{posted}");

    // From the dashboard, search the order, open it, then its entry.
    c.goto(&format!("{base}/")).await.unwrap();
    shot(&c, "dashboard").await;
    let search = c.find(Locator::Css("form.search input")).await.unwrap();
    search
        .send_keys("112-1000001-2000001\u{E007}")
        .await
        .unwrap();
    let h1 = text_of(&c, "h1").await;
    assert_eq!(h1, "Order 112-1000001-2000001");
    let ns = text_of(&c, "td.netsuite").await;
    assert!(ns.contains("posted"), "the order's entry in NetSuite: {ns}");
    shot(&c, "order-trail").await;
    c.find(Locator::Css("table.entries a[href^='/ledger/entries/']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let record = text_of(&c, "#netsuite").await;
    assert!(
        record.contains("posted") && record.contains("internal id"),
        "{record}"
    );
    shot(&c, "entry").await;

    // Download the close report.
    c.goto(&format!("{base}/close?period=2026-02"))
        .await
        .unwrap();
    shot(&c, "close-report").await;
    c.find(Locator::Css("#download-csv"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    let csv = loop {
        let done = std::fs::read_dir(downloads.path())
            .unwrap()
            .filter_map(|e| e.ok())
            .map(|e| e.path())
            .find(|p| p.extension().is_some_and(|x| x == "csv"));
        if let Some(p) = done {
            break std::fs::read_to_string(p).unwrap();
        }
        assert!(
            Instant::now() < deadline,
            "the close report did not download"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert!(csv.contains("amazon-us"), "{csv}");

    // An auditor finds no way to change anything.
    c.find(Locator::Css("form.who button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    log_in(&c, &base, "olga", "auditor-password-1").await;
    let pages = [
        "/",
        "/imports",
        "/imports/1",
        "/orders/112-1000001-2000001",
        "/payouts/22233344455",
        "/ledger",
        "/ledger/entries/1",
        "/trial-balance",
        "/exceptions",
        "/close?period=2026-02",
        "/audit",
    ];
    for page in pages {
        c.goto(&format!("{base}{page}")).await.unwrap();
        let writes = c
            .execute(
                "return [...document.querySelectorAll('form')]\
                   .filter(f => f.method.toLowerCase() === 'post' && !f.action.endsWith('/logout'))\
                   .length + document.querySelectorAll('input[type=file]').length;",
                vec![],
            )
            .await
            .unwrap();
        assert_eq!(
            writes,
            serde_json::json!(0),
            "{page} offers an auditor a form"
        );
    }
    shot(&c, "auditor-close-report").await;
    c.goto(&format!("{base}/upload")).await.unwrap();
    assert!(text_of(&c, "h1").await.starts_with("403"));
    // Even a hand-made request with the page's own token is refused.
    c.goto(&format!("{base}/close?period=2026-02"))
        .await
        .unwrap();
    let status = c
        .execute_async(
            "const done = arguments[0];\
             const csrf = document.querySelector('input[name=csrf]').value;\
             fetch('/periods/2026-02/close', {method: 'POST', headers: {'content-type': 'application/x-www-form-urlencoded'}, body: 'csrf=' + encodeURIComponent(csrf)})\
               .then(r => done(r.status));",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(status, serde_json::json!(403));
    assert!(app.store.period_states().await.unwrap().is_empty());
    assert_eq!(app.store.counts().await.unwrap().entries as usize, entries);
    c.close().await.unwrap();
}
