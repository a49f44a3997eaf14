//! `settlebridge demo` through the real binary: it writes the demo books,
//! serves them, and each printed login works with its role's rights.

mod support;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use support::web::input_value;

struct Kill(std::process::Child);
impl Drop for Kill {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_serves_its_books_to_a_user_per_role() {
    let dir = tempfile::tempdir().unwrap();
    support::cli::use_shipped_mappings(dir.path());
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut child = Command::new(env!("CARGO_BIN_EXE_settlebridge"))
        .args(["demo", "--listen", &format!("127.0.0.1:{port}")])
        .current_dir(dir.path())
        .env_remove("DATABASE_URL")
        .env_remove("SETTLEBRIDGE_MAPPINGS")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let guard = Kill(child);
    // Read what it prints until it serves, on a thread (the pipe blocks).
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            let _ = tx.send(line);
        }
    });
    let mut printed = String::new();
    let deadline = Instant::now() + Duration::from_secs(240);
    while !printed.contains("is serving on") {
        assert!(
            Instant::now() < deadline,
            "the demo did not serve:\n{printed}"
        );
        if let Ok(line) = rx.recv_timeout(Duration::from_millis(200)) {
            printed.push_str(&line);
            printed.push('\n');
        }
    }
    for (user, password) in [
        ("admin", "demo-admin-pass"),
        ("accountant", "demo-accountant-pass"),
        ("auditor", "demo-auditor-pass"),
    ] {
        assert!(
            printed.contains(user) && printed.contains(password),
            "{printed}"
        );
    }
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    for (user, password, can_upload) in [
        ("admin", "demo-admin-pass", true),
        ("accountant", "demo-accountant-pass", true),
        ("auditor", "demo-auditor-pass", false),
    ] {
        let page = client.get(format!("{base}/login")).send().await.unwrap();
        let cookie = page.headers()["set-cookie"].to_str().unwrap().to_string();
        assert!(!cookie.contains("Secure"), "the demo serves plain HTTP");
        let login_cookie = cookie.split(';').next().unwrap().to_string();
        let token = input_value(&page.text().await.unwrap(), "token").unwrap();
        let r = client
            .post(format!("{base}/login"))
            .header("cookie", &login_cookie)
            .form(&[("user", user), ("password", password), ("token", &token)])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303, "{user} logs in");
        let session = r
            .headers()
            .get_all("set-cookie")
            .iter()
            .map(|v| v.to_str().unwrap().split(';').next().unwrap().to_string())
            .find(|c| c.starts_with("sb_session="))
            .unwrap();
        let get = |path: &str| {
            client
                .get(format!("{base}{path}"))
                .header("cookie", &session)
                .send()
        };
        let dash = get("/").await.unwrap();
        assert_eq!(dash.status(), 200);
        let dash = dash.text().await.unwrap();
        for shop in ["brand-shopify", "brand-tiktok", "brand-amazon", "amazon-us"] {
            assert!(dash.contains(shop), "{shop} on the dashboard of {user}");
        }
        let exceptions = get("/exceptions?period=2026-06")
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            exceptions.contains("24411310005@2026-06-11T16:21:09Z"),
            "the payout that does not tie"
        );
        assert!(
            exceptions.contains("adjustment.gmv_payment_for_tiktok_ads"),
            "the parked fee"
        );
        let order = get("/orders/112-1000001-2000001")
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            order.contains("journal entry") && order.contains("(external id SB-"),
            "the order's entries are in the fake NetSuite"
        );
        assert_eq!(
            get("/upload").await.unwrap().status().as_u16(),
            if can_upload { 200 } else { 403 },
            "{user} /upload"
        );
    }
    drop(guard);
}

fn run_with_stdin(dir: &std::path::Path, args: &[&str], stdin: &str) -> std::process::Output {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_settlebridge"))
        .args(args)
        .current_dir(dir)
        .env_remove("DATABASE_URL")
        .env_remove("SETTLEBRIDGE_MAPPINGS")
        .env("SETTLEBRIDGE_ACTOR", "e2e")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

#[test]
fn users_are_added_from_the_command_line_with_the_password_on_stdin() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    support::cli::ok(d, &["init"]);
    let out = run_with_stdin(
        d,
        &["user", "add", "ana", "--role", "accountant"],
        "a long password\n",
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("user ana added as accountant"));
    // The password is never echoed, and never stored as typed.
    assert!(!String::from_utf8_lossy(&out.stdout).contains("a long password"));
    let out = run_with_stdin(
        d,
        &["user", "add", "ana", "--role", "auditor"],
        "another password\n",
    );
    assert!(!out.status.success(), "a second ana");
    assert!(String::from_utf8_lossy(&out.stderr).contains("already exists"));
    let out = run_with_stdin(
        d,
        &["user", "add", "bob", "--role", "root"],
        "a long password\n",
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a role"));
    let out = run_with_stdin(d, &["user", "add", "bob", "--role", "auditor"], "short\n");
    assert!(String::from_utf8_lossy(&out.stderr).contains("at least 8 characters"));
    support::cli::ok(d, &["user", "disable", "ana"]);
    let list = support::cli::ok(d, &["user", "list"]);
    assert_eq!(list.trim(), "ana\taccountant\tdisabled");
    let db = d.join("settlebridge.db");
    let raw = std::fs::read(&db).unwrap();
    assert!(
        !raw.windows(15).any(|w| w == b"a long password"),
        "the password is in the database file"
    );
}
