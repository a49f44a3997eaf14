//! Import throughput and memory: generates channel files of growing size,
//! then, each in a fresh child process (so peak memory is that phase's
//! own), parses them without storing (rows/s parsed and normalized) and
//! imports them end to end into a fresh SQLite database (and PostgreSQL when
//! SETTLEBRIDGE_TEST_POSTGRES_URL is set). Peak memory is the child's
//! VmHWM: flat as the file grows means the rows stream.
//!
//! cargo bench --bench import                          # 1,000,000 rows
//! BENCH_IMPORT_ROWS=100000 cargo bench --bench import
//! BENCH_IMPORT_FORMATS=shopify-payouts cargo bench --bench import

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use settlebridge::domain::order::Order;
use settlebridge::domain::payout::Payout;
use settlebridge::domain::settlement::{SettlementLine, Statement};
use settlebridge::domain::shop::NO_SHOPS;
use settlebridge::importer::{self, ImportReport, ImportRequest, SourceKind};
use settlebridge::sources::sink::RecordSink;
use settlebridge::sources::ParseOptions;

/// A generated format: its kind and how to write `rows` data rows of it.
struct Generated {
    kind: SourceKind,
    extension: &'static str,
    write: fn(&Path, usize),
}

fn formats() -> Vec<Generated> {
    vec![Generated {
        kind: SourceKind::ShopifyPayouts,
        extension: "csv",
        write: write_shopify_payouts,
    }]
}

/// Shopify Payments transactions: charges and the odd refund over 30 days.
fn write_shopify_payouts(path: &Path, rows: usize) {
    let mut out = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    writeln!(
        out,
        "Transaction Date,Type,Order,Card Brand,Card Source,Payout Status,Payout Date,\
         Available On,Amount,Fee,Net,Checkout,Payment Method Name,Presentment Amount,\
         Presentment Currency,Currency"
    )
    .unwrap();
    for i in 0..rows {
        let day = 1 + i % 30;
        let cents = 1000 + (i * 37) % 20000;
        let fee = cents * 29 / 1000 + 30;
        let (kind, amount, fee) = if i % 50 == 49 {
            ("refund", -(cents as i64), 0)
        } else {
            ("charge", cents as i64, fee as i64)
        };
        let money = |c: i64| {
            format!(
                "{}{}.{:02}",
                if c < 0 { "-" } else { "" },
                c.abs() / 100,
                c.abs() % 100
            )
        };
        writeln!(
            out,
            "2026-06-{day:02} {:02}:{:02}:{:02} -0400,{kind},#{},visa,online,paid,2026-07-{day:02},\
             2026-07-{day:02},{},{},{},#{},card,{},USD,USD",
            i / 3600 % 24,
            i / 60 % 60,
            i % 60,
            100_000 + i,
            money(amount),
            money(fee),
            money(amount - fee),
            5_000_000 + i,
            money(amount.abs()),
        )
        .unwrap();
    }
}

/// Counts what a parser emits and drops it.
#[derive(Default)]
struct Counting {
    lines: u64,
    orders: u64,
}

impl RecordSink for Counting {
    fn statement(&mut self, _: Statement) {}
    fn line(&mut self, _: SettlementLine) {
        self.lines += 1;
    }
    fn payout(&mut self, _: Payout) {}
    fn order(&mut self, _: Order) {
        self.orders += 1;
    }
}

fn peak_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|n| n.parse().ok())
        })
        .unwrap_or(0)
}

/// One phase in this (child) process; prints `seconds records peak_kib`.
fn child(phase: &str, kind: &str, file: &Path, db: Option<&str>) {
    let kind = <SourceKind as clap::ValueEnum>::from_str(kind, true).unwrap();
    let start = Instant::now();
    let records = match phase {
        "parse" => {
            let mut input = std::io::BufReader::new(std::fs::File::open(file).unwrap());
            let mut sink = Counting::default();
            importer::parse_into(
                kind,
                "bench",
                &mut input,
                ParseOptions::default(),
                &mut sink,
            )
            .unwrap();
            sink.lines + sink.orders
        }
        "import" => {
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(async {
                let store = settlebridge::store::connect(db.unwrap()).await.unwrap();
                let request = ImportRequest {
                    file_name: "bench",
                    shop: None,
                    shops: &NO_SHOPS,
                    source: Some(kind),
                    accept_unclassified: false,
                    actor: "bench",
                };
                let report = importer::import_path(store.as_ref(), file, request)
                    .await
                    .unwrap();
                store.close().await;
                match report {
                    ImportReport::Imported { batch, .. } => {
                        (batch.lines_new + batch.orders_new) as u64
                    }
                    other => panic!("not imported: {other:?}"),
                }
            })
        }
        other => panic!("unknown phase {other}"),
    };
    println!("{} {records} {}", start.elapsed().as_secs_f64(), peak_kib());
}

fn run_child(args: &[&str]) -> (f64, u64, u64) {
    let out = Command::new(std::env::current_exe().unwrap())
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let line = text.lines().last().unwrap_or_default().to_string();
    let mut it = line.split_whitespace();
    (
        it.next().unwrap().parse().unwrap(),
        it.next().unwrap().parse().unwrap(),
        it.next().unwrap().parse().unwrap(),
    )
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(at) = args.iter().position(|a| a == "--phase") {
        let db = args
            .iter()
            .position(|a| a == "--db")
            .map(|i| args[i + 1].as_str());
        child(&args[at + 1], &args[at + 2], Path::new(&args[at + 3]), db);
        return;
    }
    let rows: usize = std::env::var("BENCH_IMPORT_ROWS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let only = std::env::var("BENCH_IMPORT_FORMATS").ok();
    let dir = tempfile::tempdir().unwrap();
    let pg = std::env::var("SETTLEBRIDGE_TEST_POSTGRES_URL").ok();
    println!("| format | rows | file MiB | parse rows/s | parse peak MiB | SQLite import rows/s | SQLite peak MiB |{}", if pg.is_some() { " PostgreSQL rows/s |" } else { "" });
    println!(
        "|---|---|---|---|---|---|---|{}",
        if pg.is_some() { "---|" } else { "" }
    );
    for format in formats() {
        let name = format.kind.as_str();
        if only
            .as_deref()
            .is_some_and(|o| !o.split(',').any(|x| x == name))
        {
            continue;
        }
        // Two sizes: memory that stays flat between them streams.
        for n in [rows / 10, rows] {
            let file: PathBuf = dir.path().join(format!("{name}-{n}.{}", format.extension));
            (format.write)(&file, n);
            let size = std::fs::metadata(&file).unwrap().len() as f64 / (1 << 20) as f64;
            let f = file.to_str().unwrap();
            let (parse_s, parsed, parse_peak) = run_child(&["--phase", "parse", name, f]);
            let db = format!(
                "sqlite://{}",
                dir.path().join(format!("{name}-{n}.db")).display()
            );
            let (import_s, imported, import_peak) =
                run_child(&["--phase", "import", name, f, "--db", &db]);
            let mut row = format!(
                "| {name} | {n} | {size:.0} | {:.0} | {:.0} | {:.0} | {:.0} |",
                parsed as f64 / parse_s,
                parse_peak as f64 / 1024.0,
                imported as f64 / import_s,
                import_peak as f64 / 1024.0
            );
            if let Some(url) = &pg {
                let schema = format!("bench_import_{}", std::process::id());
                let admin = Command::new("psql")
                    .args([
                        url.as_str(),
                        "-qc",
                        &format!("DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}"),
                    ])
                    .status();
                if admin.map(|s| s.success()).unwrap_or(false) {
                    let scoped = format!(
                        "{url}{}options=-csearch_path%3D{schema}",
                        if url.contains('?') { "&" } else { "?" }
                    );
                    let (s, n_pg, _) = run_child(&["--phase", "import", name, f, "--db", &scoped]);
                    row.push_str(&format!(" {:.0} |", n_pg as f64 / s));
                    let _ = Command::new("psql")
                        .args([
                            url.as_str(),
                            "-qc",
                            &format!("DROP SCHEMA {schema} CASCADE"),
                        ])
                        .status();
                }
            }
            println!("{row}");
            let _ = std::fs::remove_file(&file);
        }
    }
}
