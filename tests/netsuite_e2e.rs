//! Posting to NetSuite end to end: the real binary against the fake NetSuite
//! in this repo (`fake-netsuite/`), which checks signatures, balance,
//! accounts, periods, external ids and the concurrency limit as NetSuite
//! does. Every test asserts what NetSuite ends up holding: one record per
//! ledger entry, no line appended twice, per-account totals equal to the
//! trial balance — through faults, kills, closed periods and bad credentials.

mod support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use fake_netsuite::{
    Catalog, CatalogAccount, CatalogCurrency, CatalogRecord, CatalogSubsidiary, FakeConfig,
    FakeNetSuite, Faults, M2mClient, TbaCredentials,
};
use rust_decimal::Decimal;
use settlebridge::store::{self, LedgerStore};
use support::cli::{tb_balances, use_shipped_mappings};
use support::imports::fixture;

const SHOPS: &str = r#"
[[shop]]
name = "amazon-us"
channel = "amazon"
currency = "USD"
time_zone = "UTC"
clearing_account = "1212"
[shop.segments]
subsidiary = "1"
class = "amazon"

[[shop]]
name = "tiktok-main"
channel = "tiktok"
currency = "USD"
time_zone = "UTC"
clearing_account = "1210"
[shop.segments]
subsidiary = "1"
class = "tiktok"
"#;

const CK: &str = "consumer-key-e2e";
const CS: &str = "consumer-secret-e2e";
const TK: &str = "token-id-e2e";
const TS: &str = "token-secret-e2e";

/// NetSuite's internal id of an account: "9" + its code.
fn ns_id(code: &str) -> String {
    format!("9{code}")
}

struct Books {
    _dir: tempfile::TempDir,
    dir: PathBuf,
    codes: Vec<String>,
}

impl Books {
    fn db_url(&self) -> String {
        format!("sqlite://{}", self.dir.join("settlebridge.db").display())
    }

    async fn store(&self) -> Box<dyn LedgerStore> {
        store::connect(&self.db_url()).await.unwrap()
    }

    async fn entries(&self) -> u64 {
        let s = self.store().await;
        let n = s.counts().await.unwrap().entries;
        s.close().await;
        n
    }

    /// Closing balance per account code (debit positive), from the binary.
    fn trial_balance(&self) -> BTreeMap<String, Decimal> {
        let out = run(&self.dir, &["trial-balance", "--format", "csv"]);
        assert!(out.0 == 0, "{}", out.1);
        tb_balances(&out.2)
            .into_iter()
            .map(|((code, _), v)| (code, v))
            .collect()
    }

    fn write_netsuite_toml(&self, base_url: &str, extra: &str) {
        std::fs::write(
            self.dir.join("gl-mappings/netsuite.toml"),
            format!(
                "account_id = \"123456_SB1\"\nbase_url = \"{base_url}\"\nauth = \"tba\"\n\
                 retry_base_ms = 5\nmax_attempts = 25\nrequest_timeout_secs = 5\n{extra}\n\
                 [tba]\nconsumer_key = \"{CK}\"\ntoken_id = \"{TK}\"\n\
                 [shop.amazon-us]\ncustomer = \"501\"\n[shop.tiktok-main]\ncustomer = \"502\"\n\
                 [segments.class]\namazon = \"31\"\ntiktok = \"32\"\n"
            ),
        )
        .unwrap();
    }
}

/// (exit code, stderr, stdout) of the binary run in `dir` with the TBA secrets.
fn run(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_settlebridge"))
        .args(args)
        .current_dir(dir)
        .env_remove("DATABASE_URL")
        .env_remove("SETTLEBRIDGE_MAPPINGS")
        .env("SETTLEBRIDGE_ACTOR", "e2e")
        .env("NETSUITE_CONSUMER_SECRET", CS)
        .env("NETSUITE_TOKEN_SECRET", TS)
        .output()
        .expect("the binary runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

async fn run_async(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let dir = dir.to_path_buf();
    let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
    tokio::task::spawn_blocking(move || {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        run(&dir, &args)
    })
    .await
    .unwrap()
}

/// The shipped mappings with NetSuite ids, the project's fixtures imported
/// and booked (an Amazon settlement of February 2026, a TikTok order export
/// and statement).
fn books() -> Books {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().to_path_buf();
    use_shipped_mappings(&dir);
    std::fs::write(dir.join("gl-mappings/shops.toml"), SHOPS).unwrap();
    let accounts = std::fs::read_to_string(dir.join("gl-mappings/accounts.toml")).unwrap();
    let mut with_ids = String::new();
    let mut codes = Vec::new();
    for line in accounts.lines() {
        with_ids.push_str(line);
        with_ids.push('\n');
        if let Some(code) = line
            .strip_prefix("code = \"")
            .and_then(|l| l.strip_suffix('"'))
        {
            with_ids.push_str(&format!("netsuite_id = \"{}\"\n", ns_id(code)));
            codes.push(code.to_string());
        }
    }
    std::fs::write(dir.join("gl-mappings/accounts.toml"), with_ids).unwrap();
    assert_eq!(run(&dir, &["init"]).0, 0);
    for (shop, file) in [
        ("amazon-us", "amazon/settlement-v2-us.txt"),
        ("tiktok-main", "tiktok/orders-export-us.csv"),
        (
            "tiktok-main",
            "tiktok/api-statement-transactions-202309.json",
        ),
    ] {
        let path = fixture(file);
        let (code, err, out) = run(&dir, &["import", "--shop", shop, path.to_str().unwrap()]);
        assert_eq!(code, 0, "{err}{out}");
    }
    Books {
        _dir: tmp,
        dir,
        codes,
    }
}

fn catalog(books: &Books) -> Catalog {
    let day = |s: &str| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
    let record = |id: &str, name: &str| CatalogRecord {
        id: id.into(),
        name: name.into(),
        isinactive: false,
    };
    Catalog {
        accounts: books
            .codes
            .iter()
            .map(|c| CatalogAccount {
                id: ns_id(c),
                acctnumber: c.clone(),
                fullname: format!("Account {c}"),
                accttype: "Expense".into(),
                isinactive: false,
            })
            .collect(),
        periods: Catalog::monthly_periods(day("2023-01-01"), day("2026-12-31")),
        currencies: vec![CatalogCurrency {
            id: "1".into(),
            symbol: "USD".into(),
            name: "US Dollar".into(),
        }],
        subsidiaries: vec![CatalogSubsidiary {
            id: "1".into(),
            name: "Brand Inc.".into(),
            currency: "1".into(),
        }],
        departments: vec![],
        classes: vec![record("31", "Amazon"), record("32", "TikTok Shop")],
        locations: vec![],
        customers: vec![record("501", "Amazon.com"), record("502", "TikTok Shop")],
    }
}

/// The fake for these books' account, taking the tests' TBA credentials.
fn tba_config(catalog: Catalog) -> FakeConfig {
    FakeConfig {
        account_id: "123456_SB1".into(),
        tba: vec![TbaCredentials {
            consumer_key: CK.into(),
            consumer_secret: CS.into(),
            token_id: TK.into(),
            token_secret: TS.into(),
        }],
        catalog,
        ..FakeConfig::default()
    }
}

/// Starts the fake and points the books' netsuite.toml at it.
async fn start_fake(books: &Books, config: FakeConfig) -> FakeNetSuite {
    let fake = FakeNetSuite::start(config, "127.0.0.1:0").await.unwrap();
    books.write_netsuite_toml(&fake.base_url(), "");
    fake
}

async fn fake(books: &Books, faults: Faults) -> FakeNetSuite {
    start_fake(
        books,
        FakeConfig {
            faults,
            ..tba_config(catalog(books))
        },
    )
    .await
}

/// What NetSuite holds must be the ledger, exactly once: one record per
/// ledger entry, each with the lines of one posting set (never appended
/// twice), and per-account totals equal to the trial balance.
async fn assert_netsuite_equals_ledger(books: &Books, fake: &FakeNetSuite) {
    let journals = fake.journals();
    assert_eq!(
        journals.len() as u64,
        books.entries().await,
        "one record per ledger entry"
    );
    let store = books.store().await;
    let mut postings = 0usize;
    store
        .for_each_entry(Default::default(), &mut |e| {
            postings += e.entry.postings().len();
            Ok(())
        })
        .await
        .unwrap();
    store.close().await;
    let lines: usize = journals.iter().map(|j| j.lines.len()).sum();
    assert_eq!(lines, postings, "no line appended twice, none lost");
    let mut external_ids: Vec<_> = journals
        .iter()
        .map(|j| j.external_id.clone().unwrap())
        .collect();
    external_ids.sort();
    external_ids.dedup();
    assert_eq!(
        external_ids.len(),
        journals.len(),
        "one record per external id"
    );
    let by_code: BTreeMap<String, Decimal> = fake
        .account_totals()
        .into_iter()
        .map(|(id, (dr, cr))| (id.strip_prefix('9').unwrap().to_string(), dr - cr))
        .filter(|(_, v)| !v.is_zero())
        .collect();
    assert_eq!(
        by_code,
        books.trial_balance(),
        "NetSuite's totals are the trial balance"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_month_posts_every_entry_exactly_once_and_a_rerun_sends_nothing() {
    let books = books();
    let fake = fake(&books, Faults::default()).await;
    // A dry run checks against NetSuite and shows bodies, and changes nothing.
    let (code, err, out) =
        run_async(&books.dir, &["post", "netsuite", "--dry-run", "--json"]).await;
    assert_eq!(code, 0, "{err}{out}");
    let dry: serde_json::Value = serde_json::from_str(&out).unwrap();
    let bodies = dry["bodies"].as_array().unwrap();
    assert_eq!(bodies.len() as u64, books.entries().await);
    for body in bodies {
        assert!(
            body["externalId"].is_string() && body["postingPeriod"]["id"].is_string(),
            "{body}"
        );
        for line in body["line"]["items"].as_array().unwrap() {
            let sides: Vec<f64> = ["debit", "credit"]
                .iter()
                .filter_map(|k| line[*k].as_f64())
                .collect();
            assert_eq!(
                sides.len(),
                1,
                "one side per line, the other absent: {line}"
            );
            assert!(sides[0] > 0.0, "{line}");
        }
    }
    assert_eq!(fake.stats().creates, 0);

    let (code, err, out) = run_async(&books.dir, &["post", "netsuite", "--json"]).await;
    assert_eq!(code, 0, "{err}{out}");
    let summary: serde_json::Value = serde_json::from_str(&out).unwrap();
    let entries = books.entries().await;
    assert_eq!(summary["posted"].as_u64(), Some(entries), "{summary}");
    assert_eq!(summary["entries_posted"].as_u64(), Some(entries));
    assert_netsuite_equals_ledger(&books, &fake).await;
    let stats = fake.stats();
    assert_eq!(stats.creates, entries);
    assert_eq!(stats.updates, 0);
    assert!(stats.max_in_flight <= 5, "{stats:?}");
    // Every record carries the shop's customer, the class id and the order.
    let amazon = fake
        .journals()
        .into_iter()
        .find(|j| j.memo.as_deref().unwrap_or("").contains("order 112-"))
        .expect("an Amazon order's entry");
    assert!(
        amazon
            .lines
            .iter()
            .all(|l| l.entity.as_deref() == Some("501")),
        "{amazon:?}"
    );
    assert!(
        amazon
            .lines
            .iter()
            .all(|l| l.class.as_deref() == Some("31")),
        "{amazon:?}"
    );

    // Again: nothing new to send, nothing sent.
    let requests = fake.stats().requests;
    let (code, err, out) = run_async(&books.dir, &["post", "netsuite"]).await;
    assert_eq!(code, 0, "{err}{out}");
    assert!(out.contains("0 newly queued, 0 to send"), "{out}");
    assert_eq!(fake.stats().requests, requests, "not even a catalog read");

    // The close report counts them as in NetSuite; the trail shows the record.
    let (code, err, out) = run_async(
        &books.dir,
        &["report", "close", "--period", "2026-02", "--format", "json"],
    )
    .await;
    assert_eq!(code, 0, "{err}{out}");
    let report: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        report["shops"][0]["entries_not_in_netsuite"].as_u64(),
        Some(0),
        "{}",
        report["shops"][0]
    );
    let (code, err, out) = run_async(&books.dir, &["trail", "order", "112-1000001-2000001"]).await;
    assert_eq!(code, 0, "{err}{out}");
    assert!(out.contains("NetSuite: journal entry "), "{out}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn thirty_percent_faults_still_land_everything_once() {
    let books = books();
    let fake = fake(
        &books,
        Faults {
            server_error_rate: 0.15,
            drop_after_commit_rate: 0.15,
            latency: Duration::from_millis(2),
            seed: 7,
        },
    )
    .await;
    let (code, err, out) = run_async(&books.dir, &["post", "netsuite"]).await;
    assert_eq!(code, 0, "{err}{out}");
    let stats = fake.stats();
    assert!(
        stats.server_errors_injected > 0 && stats.drops_injected > 0,
        "{stats:?}"
    );
    // A dropped answer after NetSuite stored the record: the poster asks
    // before sending again, and finds it — no second record, no rewrite.
    assert_eq!(stats.updates, 0, "{stats:?}");
    assert_eq!(stats.creates, books.entries().await, "{stats:?}");
    assert_netsuite_equals_ledger(&books, &fake).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_poster_killed_mid_run_and_restarted_creates_no_second_record() {
    let books = books();
    let fake = fake(
        &books,
        Faults {
            latency: Duration::from_millis(150),
            ..Faults::default()
        },
    )
    .await;
    // A killed run's hold on the documents it was sending lasts a second.
    books.write_netsuite_toml(&fake.base_url(), "claim_lease_secs = 1");
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_settlebridge"))
        .args(["post", "netsuite", "--concurrency", "3"])
        .current_dir(&books.dir)
        .env("NETSUITE_CONSUMER_SECRET", CS)
        .env("NETSUITE_TOKEN_SECRET", TS)
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while fake.stats().creates < 4 {
        assert!(
            std::time::Instant::now() < deadline,
            "the poster never got going"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    child.kill().unwrap(); // SIGKILL: no cleanup, requests in flight
    child.wait().unwrap();
    let entries = books.entries().await;
    assert!(fake.stats().creates < entries, "killed before the end");
    fake.set_faults(Faults::default());
    // Straight away, what the killed run held is not touched.
    let (code, _, out) = run_async(&books.dir, &["post", "netsuite"]).await;
    let held = out.matches("held by another run").count();
    assert!(code == 0 || held > 0, "{out}");
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let (code, err, out) = run_async(&books.dir, &["post", "netsuite"]).await;
    assert_eq!(code, 0, "{err}{out}");
    assert_netsuite_equals_ledger(&books, &fake).await;
    // Records the killed run stored without hearing back were found, not resent.
    assert_eq!(fake.stats().updates, 0, "{:?}", fake.stats());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_closed_period_or_an_unknown_account_posts_nothing_and_says_why() {
    let books = books();
    let fake = fake(&books, Faults::default()).await;
    let february = fake
        .catalog()
        .periods
        .iter()
        .find(|p| p.startdate.to_string() == "2026-02-01")
        .unwrap()
        .id
        .clone();
    fake.close_period(&february);
    let (code, err, out) = run_async(&books.dir, &["post", "netsuite"]).await;
    assert_eq!(code, 1, "{err}{out}");
    assert!(
        err.contains("nothing was posted") && err.contains("is closed"),
        "{err}"
    );
    assert_eq!(fake.stats().creates, 0, "not even the open months");
    // Nothing was queued either: once NetSuite reopens it, all goes.
    let store = books.store().await;
    let counts = store
        .outbox_counts(support::date("2000-01-01"), support::date("2100-01-01"))
        .await
        .unwrap();
    store.close().await;
    assert_eq!(counts.entries_queued, 0);

    // Reopened, but an account NetSuite does not have: the same.
    let books2 = books;
    let fake2 = fake_without_account(&books2, "6100").await;
    let (code, err, out) = run_async(&books2.dir, &["post", "netsuite"]).await;
    assert_eq!(code, 1, "{err}{out}");
    assert!(
        err.contains("account 6100 (netsuite_id 96100) does not exist in NetSuite"),
        "{err}"
    );
    assert_eq!(fake2.stats().creates, 0);
    // Corrected in accounts.toml (NetSuite knows 6100 as 96199), it posts.
    let accounts = std::fs::read_to_string(books2.dir.join("gl-mappings/accounts.toml")).unwrap();
    std::fs::write(
        books2.dir.join("gl-mappings/accounts.toml"),
        accounts.replace("netsuite_id = \"96100\"", "netsuite_id = \"96199\""),
    )
    .unwrap();
    assert_eq!(run_async(&books2.dir, &["init"]).await.0, 0);
    let mut corrected = catalog(&books2);
    for a in &mut corrected.accounts {
        if a.acctnumber == "6100" {
            a.id = "96199".into();
        }
    }
    let fake3 = start_fake(&books2, tba_config(corrected)).await;
    let (code, err, out) = run_async(&books2.dir, &["post", "netsuite"]).await;
    assert_eq!(code, 0, "{err}{out}");
    assert_eq!(fake3.journals().len() as u64, books2.entries().await);
    assert!(fake3
        .journals()
        .iter()
        .any(|j| j.lines.iter().any(|l| l.account == "96199")));
}

async fn fake_without_account(books: &Books, code: &str) -> FakeNetSuite {
    let mut catalog = catalog(books);
    catalog.accounts.retain(|a| a.acctnumber != code);
    start_fake(books, tba_config(catalog)).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refused_entries_are_parked_with_netsuites_message_and_the_run_goes_on() {
    let books = books();
    let fake = start_fake(
        &books,
        FakeConfig {
            // Entries of more than 3 lines are refused (NetSuite's line limit, shrunk).
            line_limit: 3,
            ..tba_config(catalog(&books))
        },
    )
    .await;
    let (code, err, out) = run_async(&books.dir, &["post", "netsuite", "--json"]).await;
    assert_eq!(code, 1, "{err}{out}");
    let summary: serde_json::Value = serde_json::from_str(&out).unwrap();
    let failed = summary["failed"].as_array().unwrap();
    let posted = summary["posted"].as_u64().unwrap();
    assert!(!failed.is_empty() && posted > 0, "{summary}");
    assert_eq!(posted + failed.len() as u64, books.entries().await);
    assert!(
        failed[0]["detail"].as_str().unwrap().contains("line"),
        "{summary}"
    );
    assert_eq!(fake.journals().len() as u64, posted);
    // A plain re-run leaves parked entries alone; --retry-failed resends them.
    let (_, _, out) = run_async(&books.dir, &["post", "netsuite"]).await;
    assert!(out.contains("0 to send"), "{out}");
    let (code, _, out) = run_async(
        &books.dir,
        &["post", "netsuite", "--retry-failed", "--json"],
    )
    .await;
    assert_eq!(code, 1);
    let again: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(again["failed"].as_array().unwrap().len(), failed.len());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_credentials_stop_the_run_and_leave_everything_pending() {
    let books = books();
    let fake = fake(&books, Faults::default()).await;
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_settlebridge"))
        .args(["post", "netsuite"])
        .current_dir(&books.dir)
        .env("NETSUITE_CONSUMER_SECRET", CS)
        .env("NETSUITE_TOKEN_SECRET", "not-the-token-secret")
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("HTTP 401"), "{text}");
    assert!(
        !text.contains("not-the-token-secret") && !text.contains(CS),
        "secrets never printed: {text}"
    );
    assert_eq!(fake.stats().creates, 0);
    // Fixed, the next run posts everything.
    let (code, err, out) = run_async(&books.dir, &["post", "netsuite"]).await;
    assert_eq!(code, 0, "{err}{out}");
    assert_netsuite_equals_ledger(&books, &fake).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oauth2_machine_to_machine_posts_with_one_cached_token() {
    let books = books();
    let key = books.dir.join("m2m-key.pem");
    let public = books.dir.join("m2m-public.pem");
    let gen = std::process::Command::new("openssl")
        .args([
            "genpkey",
            "-algorithm",
            "RSA",
            "-pkeyopt",
            "rsa_keygen_bits:3072",
            "-out",
        ])
        .arg(&key)
        .output()
        .expect("openssl is installed");
    assert!(
        gen.status.success(),
        "{}",
        String::from_utf8_lossy(&gen.stderr)
    );
    let pubout = std::process::Command::new("openssl")
        .args(["pkey", "-pubout", "-in"])
        .arg(&key)
        .arg("-out")
        .arg(&public)
        .output()
        .unwrap();
    assert!(pubout.status.success());
    let config = FakeConfig {
        account_id: "123456_SB1".into(),
        m2m: vec![M2mClient {
            client_id: "client-e2e".into(),
            certificate_id: "cert-e2e".into(),
            public_key_pem: std::fs::read_to_string(&public).unwrap(),
        }],
        catalog: catalog(&books),
        ..FakeConfig::default()
    };
    let fake = FakeNetSuite::start(config, "127.0.0.1:0").await.unwrap();
    std::fs::write(
        books.dir.join("gl-mappings/netsuite.toml"),
        format!(
            "account_id = \"123456_SB1\"\nbase_url = \"{}\"\nauth = \"m2m\"\n\
             [m2m]\nclient_id = \"client-e2e\"\ncertificate_id = \"cert-e2e\"\nprivate_key_file = \"../m2m-key.pem\"\n\
             [shop.amazon-us]\ncustomer = \"501\"\n[shop.tiktok-main]\ncustomer = \"502\"\n\
             [segments.class]\namazon = \"31\"\ntiktok = \"32\"\n",
            fake.base_url()
        ),
    )
    .unwrap();
    let (code, err, out) = run_async(&books.dir, &["post", "netsuite"]).await;
    assert_eq!(code, 0, "{err}{out}");
    assert!(out.contains("OAuth 2.0"), "{out}");
    assert_eq!(fake.stats().tokens_issued, 1, "one token for the whole run");
    assert_netsuite_equals_ledger(&books, &fake).await;
}

#[test]
fn netsuite_csv_export_balances_per_external_id_with_blank_not_zero() {
    let books = books();
    let out_path = books.dir.join("journal.csv");
    let (code, err, out) = run(
        &books.dir,
        &[
            "export",
            "journal",
            "--format",
            "netsuite-csv",
            "-o",
            out_path.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 0, "{err}{out}");
    let mut r = csv::Reader::from_path(&out_path).unwrap();
    let header = r.headers().unwrap().clone();
    assert_eq!(&header[0], "External ID");
    assert_eq!(&header[5], "Journal Entry - Line: Account");
    let mut per_id: BTreeMap<String, (Decimal, Decimal)> = BTreeMap::new();
    let mut rows = 0;
    let mut per_account: BTreeMap<String, Decimal> = BTreeMap::new();
    for rec in r.records() {
        let rec = rec.unwrap();
        rows += 1;
        let (debit, credit) = (&rec[6], &rec[7]);
        assert!(
            debit.is_empty() != credit.is_empty(),
            "exactly one side: {rec:?}"
        );
        assert_ne!(debit, "0.00");
        assert_ne!(credit, "0.00");
        let amount = |s: &str| {
            if s.is_empty() {
                Decimal::ZERO
            } else {
                s.parse::<Decimal>().unwrap()
            }
        };
        assert!(amount(debit).scale() <= 2 && amount(credit).scale() <= 2);
        let e = per_id.entry(rec[0].to_string()).or_default();
        e.0 += amount(debit);
        e.1 += amount(credit);
        *per_account.entry(rec[5].to_string()).or_default() += amount(debit) - amount(credit);
        assert!(rec[1].contains('/'), "M/D/Y dates: {rec:?}");
    }
    for (id, (dr, cr)) in &per_id {
        assert_eq!(dr, cr, "{id} balances");
    }
    assert_eq!(
        per_id.len() as u64,
        tokio::runtime::Runtime::new()
            .unwrap()
            .block_on(books.entries())
    );
    assert!(rows > per_id.len());
    per_account.retain(|_, v| !v.is_zero());
    assert_eq!(
        per_account,
        books.trial_balance(),
        "the file carries the trial balance"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn payout_mode_posts_one_journal_entry_per_payout_with_a_line_per_order_and_component() {
    let books = books();
    let fake = fake(&books, Faults::default()).await;
    books.write_netsuite_toml(&fake.base_url(), "mode = \"payout\"\nmax_lines = 40");
    let (code, err, out) = run_async(&books.dir, &["post", "netsuite", "--json"]).await;
    assert_eq!(code, 0, "{err}{out}");
    let summary: serde_json::Value = serde_json::from_str(&out).unwrap();
    let entries = books.entries().await;
    assert_eq!(
        summary["entries_posted"].as_u64(),
        Some(entries),
        "{summary}"
    );
    let journals = fake.journals();
    assert!(
        (journals.len() as u64) < entries,
        "entries were combined: {} records",
        journals.len()
    );
    let payouts: Vec<_> = journals
        .iter()
        .filter(|j| j.memo.as_deref().unwrap_or("").starts_with("Payout "))
        .collect();
    assert!(!payouts.is_empty());
    for j in &payouts {
        assert!(j.lines.len() <= 40, "split below the line limit");
        let (dr, cr) = j
            .lines
            .iter()
            .fold((Decimal::ZERO, Decimal::ZERO), |(d, c), l| {
                (
                    d + l.debit.unwrap_or_default(),
                    c + l.credit.unwrap_or_default(),
                )
            });
        assert_eq!(dr, cr, "each part balances");
        assert!(j
            .lines
            .iter()
            .all(|l| l.memo.as_deref().unwrap_or("").contains("payout ")));
    }
    assert!(
        payouts.iter().any(|j| j
            .lines
            .iter()
            .filter(|l| l.memo.as_deref().unwrap_or("").contains("| order "))
            .count()
            > 3),
        "a line per order and component"
    );
    // Same lines and totals as entry by entry.
    let store = books.store().await;
    let mut postings = 0usize;
    store
        .for_each_entry(Default::default(), &mut |e| {
            postings += e.entry.postings().len();
            Ok(())
        })
        .await
        .unwrap();
    store.close().await;
    assert_eq!(
        journals.iter().map(|j| j.lines.len()).sum::<usize>(),
        postings
    );
    let by_code: BTreeMap<String, Decimal> = fake
        .account_totals()
        .into_iter()
        .map(|(id, (dr, cr))| (id.strip_prefix('9').unwrap().to_string(), dr - cr))
        .filter(|(_, v)| !v.is_zero())
        .collect();
    assert_eq!(by_code, books.trial_balance());
}
