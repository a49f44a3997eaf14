//! The month of a large shop, booked: `cargo bench --bench books`.
//!
//! Generates a Shopify Payments transactions export of BENCH_BOOK_ORDERS
//! orders (default 1,000,000) paid out by 30 daily payouts, then on SQLite
//! (and PostgreSQL when SETTLEBRIDGE_TEST_POSTGRES_URL is set) times, in a
//! fresh database each: the import, the reconcile that matches and books it
//! (a sale and a settlement entry per order, a payout entry per payout), the
//! close report, `trail order` (mean of 20) and the trial balance over every
//! posting. Each backend runs in a child process so its peak memory is its own.
//! BENCH_BOOK_BACKENDS=sqlite or =postgres runs one of them; BENCH_BOOK_DIR
//! keeps the file and the SQLite database in that directory.

#[path = "generate/mod.rs"]
mod generate;

use std::path::Path;
use std::process::Command;
use std::time::Instant;

use settlebridge::domain::shop::NO_SHOPS;
use settlebridge::importer::{self, ImportRequest, SourceKind};
use settlebridge::ledger::{trial_balance, TrialBalanceRange};
use settlebridge::reconcile::{reconcile, Scope};

/// The binary's allocator (see src/main.rs), so the figures are the binary's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn peak_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|n| n.parse::<f64>().ok())
        })
        .unwrap_or(0.0)
        / 1024.0
}

/// The web app's pages over real HTTP on the booked month: p99 of 50
/// requests for the dashboard, an order trail and a ledger page, and the
/// slowest of 3 close report pages.
async fn web_pages(
    store: std::sync::Arc<dyn settlebridge::store::LedgerStore>,
    mappings: &Path,
) -> Vec<(&'static str, f64)> {
    use settlebridge::domain::access::Role;
    let hash = settlebridge::web::hash_password("bench-password").unwrap();
    store
        .create_user("bench", Role::Auditor, &hash)
        .await
        .unwrap();
    let config = settlebridge::web::WebConfig::new(mappings.to_path_buf());
    let state = settlebridge::web::AppState::new(store, config);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let server = tokio::spawn(settlebridge::web::serve(listener, state));
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let login = client.get(format!("{base}/login")).send().await.unwrap();
    let cookie = login.headers()["set-cookie"].to_str().unwrap().to_string();
    let token = cookie
        .split(';')
        .next()
        .unwrap()
        .split_once('=')
        .unwrap()
        .1
        .to_string();
    let r = client
        .post(format!("{base}/login"))
        .header("cookie", format!("sb_login={token}"))
        .form(&[
            ("user", "bench"),
            ("password", "bench-password"),
            ("token", &token),
        ])
        .send()
        .await
        .unwrap();
    let session = r
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().split(';').next().unwrap().to_string())
        .find(|c| c.starts_with("sb_session="))
        .expect("the bench user logs in");
    let time = |path: String, n: usize| {
        let (client, session, base) = (client.clone(), session.clone(), base.clone());
        async move {
            let mut secs = Vec::new();
            for _ in 0..n {
                let t = Instant::now();
                let r = client
                    .get(format!("{base}{path}"))
                    .header("cookie", &session)
                    .send()
                    .await
                    .unwrap();
                assert_eq!(r.status(), 200, "{path}");
                r.bytes().await.unwrap();
                secs.push(t.elapsed().as_secs_f64());
            }
            secs.sort_by(|a, b| a.total_cmp(b));
            secs[((secs.len() * 99).div_ceil(100)).saturating_sub(1)]
        }
    };
    let out = vec![
        ("web dashboard p99", time("/".into(), 50).await),
        (
            "web order trail p99",
            time("/orders/%23100997".into(), 50).await,
        ),
        ("web ledger page p99", time("/ledger".into(), 50).await),
        (
            "web close report (max of 3)",
            time("/close?period=2026-06".into(), 3).await,
        ),
    ];
    server.abort();
    out
}

fn child(file: &Path, db: &str) {
    // RUST_LOG=info shows the reconcile's phases.
    let _ = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_writer(std::io::stderr)
        .try_init();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let store = settlebridge::store::connect(db).await.unwrap();
        let chart = settlebridge::domain::ChartOfAccounts::from_toml(
            settlebridge::gl_mappings::DEFAULT_ACCOUNTS_TOML,
        )
        .unwrap();
        store.sync_chart(&chart).await.unwrap();
        let shipped = Path::new(env!("CARGO_MANIFEST_DIR")).join("gl-mappings");
        let mappings = settlebridge::gl_mappings::load_mappings(&shipped, &chart).unwrap();
        let mut times = Vec::new();
        let t = Instant::now();
        let request = ImportRequest {
            file_name: "month.csv",
            shop: Some("shopify-big"),
            shops: &NO_SHOPS,
            source: Some(SourceKind::ShopifyPayouts),
            accept_unclassified: false,
            actor: "bench",
        };
        importer::import_path(store.as_ref(), file, request)
            .await
            .unwrap();
        times.push(("import", t.elapsed().as_secs_f64()));
        let t = Instant::now();
        let report = reconcile(
            store.as_ref(),
            &chart,
            &mappings,
            &NO_SHOPS,
            &Default::default(),
            Scope::default(),
            "bench",
        )
        .await
        .unwrap();
        times.push(("reconcile + book", t.elapsed().as_secs_f64()));
        let written = report.shops[0].entries_written;
        let t = Instant::now();
        let close = settlebridge::reports::close(
            store.as_ref(),
            &chart,
            &mappings,
            &NO_SHOPS,
            &Default::default(),
            "2026-06".parse().unwrap(),
            None,
        )
        .await
        .unwrap();
        assert!(close[0].proof.difference.is_zero(), "the proof holds");
        times.push(("close report", t.elapsed().as_secs_f64()));
        let t = Instant::now();
        for i in 0..20 {
            let id = format!("#{}", 100_000 + i * 997);
            let trail =
                settlebridge::reports::trail_order(store.as_ref(), &mappings, &NO_SHOPS, &id)
                    .await
                    .unwrap();
            assert_eq!(trail.len(), 1);
        }
        times.push(("trail order (each)", t.elapsed().as_secs_f64() / 20.0));
        let t = Instant::now();
        let tb = trial_balance(store.as_ref(), &chart, TrialBalanceRange::All)
            .await
            .unwrap();
        assert!(!tb.rows.is_empty());
        times.push(("trial balance", t.elapsed().as_secs_f64()));
        let store: std::sync::Arc<dyn settlebridge::store::LedgerStore> =
            std::sync::Arc::from(store);
        times.extend(web_pages(store.clone(), &shipped).await);
        let counts = store.counts().await.unwrap();
        store.close().await;
        let text: Vec<String> = times.iter().map(|(n, s)| format!("{n}={s:.3}")).collect();
        println!(
            "{} entries={} postings={} written={written} peak_mib={:.0}",
            text.join(" "),
            counts.entries,
            counts.postings,
            peak_mib()
        );
    });
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(at) = args.iter().position(|a| a == "--child") {
        child(Path::new(&args[at + 1]), &args[at + 2]);
        return;
    }
    let orders: usize = std::env::var("BENCH_BOOK_ORDERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    // BENCH_BOOK_DIR keeps the generated file and the SQLite database there
    // (to look at the booked month afterwards); a temporary directory else.
    let temp = tempfile::tempdir().unwrap();
    let kept = std::env::var("BENCH_BOOK_DIR")
        .ok()
        .map(std::path::PathBuf::from);
    let dir = kept.as_deref().unwrap_or(temp.path());
    std::fs::create_dir_all(dir).unwrap();
    let _ = std::fs::remove_file(dir.join("books.db"));
    let file = dir.join("month.csv");
    generate::write_shopify_payouts(&file, orders);
    // BENCH_BOOK_BACKENDS=sqlite,postgres (the default) picks the backends.
    let backends = std::env::var("BENCH_BOOK_BACKENDS").unwrap_or("sqlite,postgres".into());
    let wanted = |b: &str| backends.split(',').any(|x| x.trim() == b);
    let mut dbs = Vec::new();
    if wanted("sqlite") {
        dbs.push((
            "SQLite".to_string(),
            format!("sqlite://{}", dir.join("books.db").display()),
            None,
        ));
    }
    if let Some(url) = std::env::var("SETTLEBRIDGE_TEST_POSTGRES_URL")
        .ok()
        .filter(|_| wanted("postgres"))
    {
        let schema = format!("bench_books_{}", std::process::id());
        let ok = Command::new("psql")
            .args([url.as_str(), "-qc", &format!("CREATE SCHEMA {schema}")])
            .status()
            .map(|s| s.success())
            .unwrap_or(false);
        if ok {
            let sep = if url.contains('?') { "&" } else { "?" };
            let scoped = format!("{url}{sep}options=-csearch_path%3D{schema}");
            dbs.push(("PostgreSQL".into(), scoped, Some((url, schema))));
        }
    }
    println!("{orders} orders, 30 daily payouts (Shopify Payments transactions export)");
    for (name, db, cleanup) in dbs {
        let out = Command::new(std::env::current_exe().unwrap())
            .args(["--child", file.to_str().unwrap(), &db])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{name}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        eprint!("{}", String::from_utf8_lossy(&out.stderr));
        println!("{name}: {}", String::from_utf8_lossy(&out.stdout).trim());
        // BENCH_BOOK_DIR keeps the PostgreSQL schema too.
        if let Some((url, schema)) = cleanup.filter(|_| kept.is_none()) {
            let _ = Command::new("psql")
                .args([
                    url.as_str(),
                    "-qc",
                    &format!("DROP SCHEMA {schema} CASCADE"),
                ])
                .status();
        }
    }
}
