//! End to end through the real binary: a fresh directory, no flags, both
//! databases, tampering, and imports.

mod support;

use std::path::Path;
use std::process::Command;

use support::cli::{fails, ok, settlebridge, tb_balances, write};

#[test]
fn init_and_verify_work_with_no_flags_on_a_fresh_directory() {
    let dir = tempfile::tempdir().unwrap();
    let init = ok(dir.path(), &["init"]);
    assert!(init.contains("sqlite://settlebridge.db"), "{init}");
    assert!(init.contains("the built-in default chart"), "{init}");
    assert!(dir.path().join("settlebridge.db").exists());
    let verify = ok(dir.path(), &["verify"]);
    assert!(verify.starts_with("ok: 0 entries, 0 postings"), "{verify}");
    // Running init again changes nothing.
    let again = ok(dir.path(), &["init"]);
    assert!(again.contains("0 added, 0 updated"), "{again}");
}

#[test]
fn the_repository_chart_loads_from_gl_mappings() {
    let dir = tempfile::tempdir().unwrap();
    let mappings = Path::new(env!("CARGO_MANIFEST_DIR")).join("gl-mappings");
    let out = ok(
        dir.path(),
        &["init", "--mappings", mappings.to_str().unwrap()],
    );
    assert!(out.contains("accounts.toml"), "{out}");
}

#[test]
fn manual_entries_post_reverse_and_refuse_bad_input() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    ok(d, &["init"]);
    let good = write(
        d,
        "accrual.json",
        r#"{"key": "manual:2024-01-accrual", "date": "2024-01-31", "description": "Ads accrual",
            "postings": [{"account": "6150", "debit": "120.00", "currency": "USD", "memo": "January ads"},
                         {"account": "2050", "credit": "120.00", "currency": "USD"}]}"#,
    );
    let out = ok(d, &["entry", "post", &good]);
    assert!(
        out.contains("posted #1 2024-01-31 manual:2024-01-accrual"),
        "{out}"
    );
    assert!(ok(d, &["entry", "post", &good]).contains("already posted #1"));

    let float = write(
        d,
        "float.json",
        r#"{"key": "f", "date": "2024-01-31", "description": "x",
            "postings": [{"account": "6150", "debit": 0.1, "currency": "USD"},
                         {"account": "2050", "credit": "0.10", "currency": "USD"}]}"#,
    );
    let (code, text) = fails(d, &["entry", "post", &float]);
    assert_eq!(code, 1);
    assert!(
        text.contains("float.json") && text.contains("expected a string"),
        "{text}"
    );

    let unbalanced = write(
        d,
        "unbalanced.json",
        r#"[{"key": "u1", "date": "2024-01-31", "description": "ok",
             "postings": [{"account": "6150", "debit": "1", "currency": "USD"}, {"account": "2050", "credit": "1", "currency": "USD"}]},
            {"key": "u2", "date": "2024-01-31", "description": "off by a cent",
             "postings": [{"account": "6150", "debit": "10.00", "currency": "USD"}, {"account": "2050", "credit": "9.99", "currency": "USD"}]}]"#,
    );
    let (_, text) = fails(d, &["entry", "post", &unbalanced]);
    assert!(
        text.contains("entry 2 (`u2`)") && text.contains("debits exceed credits by 0.01"),
        "{text}"
    );
    // Neither entry of the refused file was written.
    assert!(ok(d, &["verify"]).starts_with("ok: 1 entries"));

    let out = ok(d, &["entry", "reverse", "1", "--reason", "accrued twice"]);
    assert!(out.contains("reversed #1 by #2 dated 2024-01-31"), "{out}");
    let (_, text) = fails(d, &["entry", "reverse", "1", "--reason", "again"]);
    assert!(text.contains("already reversed by entry #2"), "{text}");
    let show = ok(d, &["entry", "show", "1"]);
    assert!(
        show.contains("reversed by #2") && show.contains("January ads"),
        "{show}"
    );
    let json: serde_json::Value =
        serde_json::from_str(&ok(d, &["entry", "show", "2", "--json"])).unwrap();
    assert_eq!(json["reverses"], 1);
    assert_eq!(json["postings"][0]["side"], "credit");
}

#[test]
fn closed_periods_through_the_cli() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    ok(d, &["init"]);
    let out = ok(d, &["period", "close", "2024-01"]);
    assert!(
        out.starts_with("closed 2024-01: sealed at entry #0"),
        "{out}"
    );
    let file = write(
        d,
        "jan.json",
        r#"{"key": "j", "date": "2024-01-15", "description": "late",
            "postings": [{"account": "6150", "debit": "1", "currency": "USD"}, {"account": "2050", "credit": "1", "currency": "USD"}]}"#,
    );
    let (_, text) = fails(d, &["entry", "post", &file]);
    assert!(text.contains("period 2024-01, which is closed"), "{text}");
    // A reopen without a reason is a usage error.
    let (code, _) = fails(d, &["period", "reopen", "2024-01"]);
    assert_eq!(code, 2);
    ok(
        d,
        &["period", "reopen", "2024-01", "--reason", "late invoice"],
    );
    let list = ok(d, &["period", "list"]);
    assert!(
        list.contains("2024-01") && list.contains("open") && list.contains("late invoice"),
        "{list}"
    );
    ok(d, &["entry", "post", &file]);
    assert!(ok(d, &["verify"]).contains("1 period seal(s) verified"));
}

/// How many entries the demo posted to its fake NetSuite: all of them (the
/// 33 written by hand and from the project fixtures, and the generated
/// quarter's), as `verify` counts them.
fn demo_entries(demo: &str) -> usize {
    let verified: usize = demo
        .lines()
        .find_map(|l| l.strip_prefix("ok: ")?.split(' ').next()?.parse().ok())
        .unwrap_or_else(|| panic!("{demo}"));
    assert!(verified > 33, "the generated quarter is booked too: {demo}");
    assert!(
        demo.contains("posted to a fake NetSuite")
            && demo.contains(&format!(": {verified} journal entries")),
        "{demo}"
    );
    verified
}

#[test]
fn verify_detects_an_entry_edited_in_the_sqlite_file() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let demo = ok(d, &["demo", "--no-serve"]);
    let entries = demo_entries(&demo);
    let db = ["--db", "sqlite://settlebridge-demo.db"];
    assert!(ok(d, &[&db[..], &["verify"]].concat()).starts_with(&format!("ok: {entries} entries")));
    // The reports the demo suggests work where it ran (no gl-mappings/ here:
    // reading falls back to the built-in mappings).
    let close = ok(
        d,
        &[&db[..], &["report", "close", "--period", "2026-02"]].concat(),
    );
    assert!(
        close.contains("Close report 2026-02 — amazon-us (amazon, USD)"),
        "{close}"
    );
    assert!(!close.contains("DOES NOT HOLD"), "{close}");
    assert!(
        close.contains("entries not yet in NetSuite: 0 of"),
        "{close}"
    );
    let trail = ok(d, &[&db[..], &["trail", "payout", "22233344455"]].concat());
    assert!(trail.contains("116.09 USD"), "{trail}");
    assert!(trail.contains("NetSuite: journal entry "), "{trail}");
    // The generated quarter's suggested trails: a refunded order, and the
    // payout that does not tie.
    use settlebridge::demo_quarter::{EXAMPLE_ORDER, UNTIED_PAYOUT};
    let order = ok(d, &[&db[..], &["trail", "order", EXAMPLE_ORDER]].concat());
    assert!(order.contains("brand-tiktok (tiktok), refunded"), "{order}");
    let untied = ok(d, &[&db[..], &["trail", "payout", UNTIED_PAYOUT]].concat());
    assert!(untied.contains("(difference "), "{untied}");
    assert!(
        !d.join("settlebridge-demo.db-wal").exists()
            || std::fs::metadata(d.join("settlebridge-demo.db-wal"))
                .unwrap()
                .len()
                == 0
    );
    // Edit the bytes of the file itself, as a text editor or hex editor would.
    let path = d.join("settlebridge-demo.db");
    let mut bytes = std::fs::read(&path).unwrap();
    let needle = b"Sale, Shopify order #1001";
    // Every copy: a page rewritten during the demo can leave a stale one behind.
    let hits: Vec<usize> = (0..bytes.len() - needle.len())
        .filter(|&i| &bytes[i..i + needle.len()] == needle)
        .collect();
    assert!(!hits.is_empty(), "the description is in the file");
    for at in hits {
        bytes[at + needle.len() - 1] = b'9';
    }
    std::fs::write(&path, bytes).unwrap();
    let (code, text) = fails(d, &[&db[..], &["verify"]].concat());
    assert_eq!(code, 1);
    assert!(
        text.contains(
            "FAILED: entry #5 (demo:shopify:sale:#1001): its content no longer matches its hash"
        ),
        "{text}"
    );
}

#[test]
fn trial_balance_formats_agree() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let demo = ok(d, &["demo", "--no-serve"]);
    demo_entries(&demo);
    let db = ["--db", "sqlite://settlebridge-demo.db"];
    let json: serde_json::Value = serde_json::from_str(&ok(
        d,
        &[
            &db[..],
            &["trial-balance", "--period", "2024-02", "--format", "json"],
        ]
        .concat(),
    ))
    .unwrap();
    let clearing = json["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["account"] == "1211")
        .unwrap();
    // Shopify: sold 84.00 and paid 2.74 fees in January; refunded 20.00 in February.
    assert_eq!(clearing["opening"], "81.26");
    assert_eq!(clearing["credits"], "20.00");
    assert_eq!(clearing["closing"], "61.26");
    let table = ok(
        d,
        &[&db[..], &["trial-balance", "--as-of", "2024-01-31"]].concat(),
    );
    assert!(table.contains("Trial balance as of 2024-01-31"), "{table}");
    let (code, text) = fails(
        d,
        &[&db[..], &["trial-balance", "--period", "2024-13"]].concat(),
    );
    assert_eq!(code, 1);
    assert!(text.contains("`2024-13` is not a period"), "{text}");
}

/// The same commands against PostgreSQL, in a schema of their own.
#[tokio::test]
async fn the_cli_works_the_same_on_postgresql() {
    use sqlx::Connection;
    let Ok(base) = std::env::var("SETTLEBRIDGE_TEST_POSTGRES_URL") else {
        if std::env::var_os("SETTLEBRIDGE_REQUIRE_POSTGRES").is_some() {
            panic!(
                "SETTLEBRIDGE_REQUIRE_POSTGRES is set but SETTLEBRIDGE_TEST_POSTGRES_URL is not"
            );
        }
        eprintln!("\n!!! SETTLEBRIDGE_TEST_POSTGRES_URL is not set: the PostgreSQL CLI test is SKIPPED !!!\n");
        return;
    };
    let schema = format!(
        "sbtest_{}_cli_{}",
        std::process::id(),
        rand::random::<u32>()
    );
    let mut conn = sqlx::PgConnection::connect(&base).await.unwrap();
    sqlx::query(&format!("CREATE SCHEMA {schema}"))
        .execute(&mut conn)
        .await
        .unwrap();
    let sep = if base.contains('?') { '&' } else { '?' };
    let url = format!("{base}{sep}options[search_path]={schema}");

    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_settlebridge"))
            .args(args)
            .current_dir(d)
            .env("DATABASE_URL", &url)
            .env("SETTLEBRIDGE_ACTOR", "e2e")
            .output()
            .unwrap()
    };
    let init = run(&["init"]);
    assert!(
        init.status.success(),
        "{}",
        String::from_utf8_lossy(&init.stderr)
    );
    assert!(String::from_utf8_lossy(&init.stdout).contains("(Postgres)"));
    let file = write(
        d,
        "e.json",
        r#"{"key": "pg-1", "date": "2024-03-31", "description": "Storage fee",
            "postings": [{"account": "6160", "debit": "12.34", "currency": "EUR"}, {"account": "1212", "credit": "12.34", "currency": "EUR"}]}"#,
    );
    assert!(run(&["entry", "post", &file]).status.success());
    assert!(run(&["period", "close", "2024-03"]).status.success());
    let refused = run(&[
        "entry",
        "reverse",
        "1",
        "--reason",
        "x",
        "--date",
        "2024-03-31",
    ]);
    assert!(String::from_utf8_lossy(&refused.stderr).contains("which is closed"));
    assert!(run(&["entry", "reverse", "1", "--reason", "wrong shop"])
        .status
        .success());
    let verify = run(&["verify"]);
    assert!(
        String::from_utf8_lossy(&verify.stdout)
            .starts_with("ok: 2 entries, 4 postings, 1 period seal(s)"),
        "{}{}",
        String::from_utf8_lossy(&verify.stdout),
        String::from_utf8_lossy(&verify.stderr)
    );
    let tb = run(&["trial-balance", "--period", "2024-04", "--format", "csv"]);
    let balances = tb_balances(&String::from_utf8(tb.stdout).unwrap());
    assert!(
        balances.is_empty(),
        "the reversal on 2024-04-01 brings everything back to zero: {balances:?}"
    );
    sqlx::query(&format!("DROP SCHEMA {schema} CASCADE"))
        .execute(&mut conn)
        .await
        .unwrap();
}

#[test]
fn import_through_the_binary_all_or_nothing_and_once() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    support::cli::use_shipped_mappings(d);
    ok(d, &["init"]);
    let fixture =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/amazon/settlement-legacy-36col.txt");
    let fixture = fixture.to_str().unwrap();
    let out = ok(d, &["import", "--shop", "amazon-us", fixture]);
    assert!(out.contains("Amazon settlement flat file"), "{out}");
    assert!(
        out.contains(
            "batch 1, shop amazon-us: 16 rows read; settlement lines 8 new, 0 already imported"
        ),
        "{out}"
    );
    assert!(
        out.contains("statement 11122233344: 74.41 USD; its lines sum to 74.41 USD"),
        "{out}"
    );
    let again = ok(d, &["import", fixture]);
    assert!(
        again.contains("already imported as batch 1; nothing changed"),
        "{again}"
    );

    // A broken copy: every problem listed with row, column and value; nothing stored.
    let text = std::fs::read_to_string(fixture)
        .unwrap()
        .replacen("-7.50", "abc", 1)
        .replacen("-5.40", "(5.4", 1);
    write(d, "broken.txt", &text);
    let (code, err) = fails(d, &["import", "broken.txt"]);
    assert_eq!(code, 1);
    assert!(
        err.contains("broken.txt: 2 problem(s); nothing was imported"),
        "{err}"
    );
    assert!(
        err.contains("row 7, column `item-related-fee-amount`, value `abc`"),
        "{err}"
    );
    assert!(
        err.contains("row 8, column `item-related-fee-amount`, value `(5.4`"),
        "{err}"
    );

    write(d, "notes.txt", "hello\tworld\n");
    let out = settlebridge(d, &["import", "--json", "notes.txt", fixture]);
    assert_eq!(out.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["imports"][0]["outcome"], "failed");
    assert!(json["imports"][0]["error"]
        .as_str()
        .unwrap()
        .contains("not recognized"));
    assert_eq!(json["imports"][1]["outcome"], "already_imported");
    assert!(
        json["reconcile"].is_null(),
        "nothing new was imported, so nothing is booked"
    );

    // A Shopify export in the same run is detected by its header.
    let shopify = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/shopify/payments-transactions-eu-payout-id.csv");
    let out = ok(
        d,
        &["import", "--shop", "shopify-eu", shopify.to_str().unwrap()],
    );
    assert!(
        out.contains("Shopify Payments transactions export"),
        "{out}"
    );
    assert!(
        out.contains("statement 98765001: no total in the file; its lines sum to 1264.16 EUR"),
        "{out}"
    );
}
