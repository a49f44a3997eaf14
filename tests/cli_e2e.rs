//! End to end through the real binary: a fresh directory, no flags, and
//! independent tools (hledger, beancount) as oracles of the exported books.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use rust_decimal::Decimal;

const ORACLES_REQUIRED_ENV: &str = "SETTLEBRIDGE_REQUIRE_ORACLES";

fn settlebridge(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_settlebridge"))
        .args(args)
        .current_dir(dir)
        .env_remove("DATABASE_URL")
        .env_remove("SETTLEBRIDGE_MAPPINGS")
        .env("SETTLEBRIDGE_ACTOR", "e2e")
        .output()
        .expect("the binary runs")
}

fn ok(dir: &Path, args: &[&str]) -> String {
    let out = settlebridge(dir, args);
    assert!(
        out.status.success(),
        "settlebridge {args:?} failed ({:?}):\n{}{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn fails(dir: &Path, args: &[&str]) -> (i32, String) {
    let out = settlebridge(dir, args);
    assert!(!out.status.success(), "settlebridge {args:?} should fail");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code().unwrap_or(-1), text)
}

/// The tool, or None (loudly) when it is missing and CI does not require it.
fn oracle(tool: &str) -> Option<()> {
    let found = Command::new(tool)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok();
    if found {
        return Some(());
    }
    if std::env::var_os(ORACLES_REQUIRED_ENV).is_some() {
        panic!("{tool} is required ({ORACLES_REQUIRED_ENV} is set) but not installed");
    }
    eprintln!(
        "\n!!! {tool} is not installed: this oracle check is SKIPPED (.ci/run installs it) !!!\n"
    );
    None
}

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

fn write(dir: &Path, name: &str, text: &str) -> String {
    std::fs::write(dir.join(name), text).unwrap();
    name.to_string()
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

/// Per (account code, currency), closing balance, from the trial balance CSV.
fn tb_balances(csv_text: &str) -> BTreeMap<(String, String), Decimal> {
    let mut r = csv::Reader::from_reader(csv_text.as_bytes());
    r.records()
        .map(|rec| {
            let rec = rec.unwrap();
            (
                (rec[0].to_string(), rec[3].to_string()),
                Decimal::from_str_exact(&rec[7]).unwrap(),
            )
        })
        .filter(|(_, v)| !v.is_zero())
        .collect()
}

/// The same from `hledger balance -O csv` ("assets:1010 Bank", "6.00 CAD, 2.70 USD").
fn hledger_balances(csv_text: &str) -> BTreeMap<(String, String), Decimal> {
    let mut out = BTreeMap::new();
    let mut r = csv::Reader::from_reader(csv_text.as_bytes());
    for rec in r.records() {
        let rec = rec.unwrap();
        if &rec[0] == "total" {
            continue;
        }
        let code = rec[0]
            .split_once(':')
            .unwrap()
            .1
            .split(' ')
            .next()
            .unwrap()
            .to_string();
        for amount in rec[1].split(", ") {
            let (number, currency) = amount.split_once(' ').unwrap();
            let v = Decimal::from_str_exact(number).unwrap();
            if !v.is_zero() {
                out.insert((code.clone(), currency.to_string()), v);
            }
        }
    }
    out
}

#[test]
fn hledger_and_beancount_accept_the_export_and_agree_with_the_trial_balance() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    ok(d, &["demo"]);
    let db = ["--db", "sqlite://settlebridge-demo.db"];
    let tb = ok(
        d,
        &[&db[..], &["trial-balance", "--format", "csv"]].concat(),
    );
    let ours = tb_balances(&tb);
    assert!(ours.len() > 10, "{tb}");
    ok(
        d,
        &[
            &db[..],
            &[
                "export",
                "journal",
                "--format",
                "ledger",
                "-o",
                "books.journal",
            ],
        ]
        .concat(),
    );
    ok(
        d,
        &[
            &db[..],
            &[
                "export",
                "journal",
                "--format",
                "beancount",
                "-o",
                "books.beancount",
            ],
        ]
        .concat(),
    );
    ok(
        d,
        &[
            &db[..],
            &["export", "journal", "--format", "csv", "-o", "books.csv"],
        ]
        .concat(),
    );

    let csv_rows = std::fs::read_to_string(d.join("books.csv"))
        .unwrap()
        .lines()
        .count();
    assert_eq!(csv_rows, 1 + 32, "header + one row per posting");

    if let Some(theirs) = check_with_oracles(d) {
        assert_eq!(theirs, ours, "hledger balance vs trial-balance");
    }
}

/// Runs `hledger check -s` on `books.journal` and `bean-check` on
/// `books.beancount` in `dir` (each when installed), and returns hledger's
/// balances when it ran.
fn check_with_oracles(dir: &Path) -> Option<BTreeMap<(String, String), Decimal>> {
    let mut balances = None;
    if oracle("hledger").is_some() {
        let check = Command::new("hledger")
            .args(["-f", "books.journal", "check", "-s"])
            .current_dir(dir)
            .output()
            .unwrap();
        assert!(
            check.status.success(),
            "hledger check: {}",
            String::from_utf8_lossy(&check.stderr)
        );
        let bal = Command::new("hledger")
            .args(["-f", "books.journal", "balance", "--flat", "-O", "csv"])
            .current_dir(dir)
            .output()
            .unwrap();
        assert!(
            bal.status.success(),
            "{}",
            String::from_utf8_lossy(&bal.stderr)
        );
        balances = Some(hledger_balances(&String::from_utf8(bal.stdout).unwrap()));
    }
    if oracle("bean-check").is_some() {
        let check = Command::new("bean-check")
            .arg("books.beancount")
            .current_dir(dir)
            .output()
            .unwrap();
        assert!(
            check.status.success(),
            "bean-check: {}{}",
            String::from_utf8_lossy(&check.stdout),
            String::from_utf8_lossy(&check.stderr)
        );
    }
    balances
}

#[test]
fn verify_detects_an_entry_edited_in_the_sqlite_file() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    ok(d, &["demo"]);
    let db = ["--db", "sqlite://settlebridge-demo.db"];
    assert!(ok(d, &[&db[..], &["verify"]].concat()).starts_with("ok: 12 entries"));
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
    ok(d, &["demo"]);
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

/// A chart whose names hold the characters that break naive exports.
const AWKWARD_CHART: &str = r#"
[[account]]
code = "1210"
name = "Clearing: TikTok  \"US\" ; shop"
type = "asset"
[[account]]
code = "2100"
name = "Tax, payable (EU)"
type = "liability"
[[account]]
code = "3000"
name = "Équité d'ouverture"
type = "equity"
[[account]]
code = "4000"
name = "Sales | net"
type = "income"
[[account]]
code = "6100"
name = "Fees = commission + 5%"
type = "expense"
"#;

#[tokio::test]
async fn random_ledgers_with_awkward_text_pass_both_oracles() {
    use rand::{seq::SliceRandom, Rng, SeedableRng};
    use settlebridge::domain::{
        ChartOfAccounts, EntryDraft, EntryKind, JournalEntry, Money, Posting, Side,
    };

    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::create_dir(d.join("chart")).unwrap();
    std::fs::write(d.join("chart/accounts.toml"), AWKWARD_CHART).unwrap();
    ok(d, &["--mappings", "chart", "init"]);

    let chart = ChartOfAccounts::from_toml(AWKWARD_CHART).unwrap();
    let codes: Vec<_> = chart.iter().map(|a| a.code.clone()).collect();
    let texts = [
        "Order \"A;B\" #1, 50% off",
        "déjà vu | x: y",
        "=cmd|' /C calc'!A0",
        "back\\slash",
        "tab\there",
    ];
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
    let mut entries = Vec::new();
    for i in 0..150 {
        let currency: settlebridge::domain::Currency = ["USD", "EUR", "JPY", "BHD"]
            .choose(&mut rng)
            .unwrap()
            .parse()
            .unwrap();
        let scale = rng.gen_range(currency.minor_units()..=6);
        let amount = rust_decimal::Decimal::new(rng.gen_range(1..10_000_000_000i64), scale);
        let part = rust_decimal::Decimal::new(rng.gen_range(1..=amount.mantissa() as i64), scale);
        let mut postings = vec![Posting::new(
            codes.choose(&mut rng).unwrap().clone(),
            Side::Debit,
            Money::new(amount, currency),
        )];
        for credit in [part, amount - part] {
            if !credit.is_zero() {
                let mut p = Posting::new(
                    codes.choose(&mut rng).unwrap().clone(),
                    Side::Credit,
                    Money::new(credit, currency),
                );
                p.memo = Some(texts.choose(&mut rng).unwrap().to_string());
                p.source.order_id = Some(format!("{}-{i}", texts.choose(&mut rng).unwrap()));
                postings.push(p);
            }
        }
        entries.push(
            JournalEntry::new(
                EntryDraft {
                    idempotency_key: format!("k{i}, {}", texts.choose(&mut rng).unwrap()),
                    date: chrono::NaiveDate::from_ymd_opt(2024, 1, 1).unwrap()
                        + chrono::Duration::days(rng.gen_range(0..400)),
                    kind: EntryKind::Manual,
                    description: texts.choose(&mut rng).unwrap().to_string(),
                    postings,
                },
                &chart,
            )
            .unwrap(),
        );
    }
    let store =
        settlebridge::store::connect(&format!("sqlite://{}", d.join("settlebridge.db").display()))
            .await
            .unwrap();
    store.post_batch(&entries, "e2e").await.unwrap();
    store
        .reverse(
            settlebridge::domain::EntryId(3),
            None,
            "oracle check",
            "e2e",
        )
        .await
        .unwrap();
    store.close().await;

    let ours = tb_balances(&ok(d, &["trial-balance", "--format", "csv"]));
    ok(
        d,
        &[
            "export",
            "journal",
            "--format",
            "ledger",
            "-o",
            "books.journal",
        ],
    );
    ok(
        d,
        &[
            "export",
            "journal",
            "--format",
            "beancount",
            "-o",
            "books.beancount",
        ],
    );
    ok(
        d,
        &["export", "journal", "--format", "csv", "-o", "books.csv"],
    );
    let csv_text = std::fs::read_to_string(d.join("books.csv")).unwrap();
    assert!(
        csv_text.contains("'=cmd") && !csv_text.contains(",=cmd"),
        "formula cells are neutralized"
    );

    if let Some(theirs) = check_with_oracles(d) {
        // hledger shows amounts at the precision its commodity directives give
        // (the currency's minor units): compare to the cent, as promised.
        let round =
            |m: BTreeMap<(String, String), Decimal>| -> BTreeMap<(String, String), Decimal> {
                m.into_iter()
                    .map(|((a, c), v)| {
                        let cur: settlebridge::domain::Currency = c.parse().unwrap();
                        ((a, c), cur.round_half_away_from_zero(v))
                    })
                    .filter(|(_, v)| !v.is_zero())
                    .collect()
            };
        assert_eq!(round(theirs), round(ours));
    }
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
    let fixture =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/amazon/settlement-legacy-36col.txt");
    let fixture = fixture.to_str().unwrap();
    let out = ok(d, &["import", "--shop", "amazon-us", fixture]);
    assert!(out.contains("Amazon settlement flat file"), "{out}");
    assert!(
        out.contains("batch 1: 16 rows read, 8 settlement lines new, 0 already imported"),
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
    assert_eq!(json[0]["outcome"], "failed");
    assert!(json[0]["error"]
        .as_str()
        .unwrap()
        .contains("not recognized"));
    assert_eq!(json[1]["outcome"], "already_imported");
}
