//! Import throughput and memory: generates channel files of growing size,
//! then, each in a fresh child process (so peak memory is that phase's
//! own), parses them without storing (rows/s parsed and normalized) and
//! imports them end to end into a fresh SQLite database (and PostgreSQL when
//! SETTLEBRIDGE_TEST_POSTGRES_URL is set). Peak memory is the child's
//! VmHWM: flat as the file grows means the rows stream (checked for the
//! formats that stream; a note follows the table when it is not).
//!
//! Formats: Shopify Payments transactions (CSV), a TikTok Shop income
//! `Order details` table saved as CSV, and a TikTok Shop income workbook
//! (XLSX, with a fifth of the rows: a workbook is held whole, its rows
//! stream).
//!
//! cargo bench --bench import                          # 1,000,000 rows
//! BENCH_IMPORT_ROWS=100000 cargo bench --bench import
//! BENCH_IMPORT_FORMATS=shopify-payouts cargo bench --bench import
//! BENCH_IMPORT_FORMATS=tiktok-income cargo bench --bench import  # CSV and XLSX
//! BENCH_IMPORT_DIR=DIR cargo bench --bench import    # keeps files and databases

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

// The binary's allocator (see src/main.rs), so the figures are the binary's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// A generated format: its kind and how to write `rows` data rows of it.
struct Generated {
    kind: SourceKind,
    extension: &'static str,
    /// Data rows per `BENCH_IMPORT_ROWS` row (a workbook gets fewer).
    divisor: usize,
    /// Whether parsing streams: its peak memory must not grow with the file.
    streams: bool,
    write: fn(&Path, usize),
}

fn formats() -> Vec<Generated> {
    vec![
        Generated {
            kind: SourceKind::ShopifyPayouts,
            extension: "csv",
            divisor: 1,
            streams: true,
            write: write_shopify_payouts,
        },
        Generated {
            kind: SourceKind::TikTokIncome,
            extension: "csv",
            divisor: 1,
            streams: true,
            write: write_tiktok_income_csv,
        },
        Generated {
            kind: SourceKind::TikTokIncome,
            extension: "xlsx",
            divisor: 5,
            streams: false,
            write: write_tiktok_income_xlsx,
        },
    ]
}

/// `1234` → `12.34`, `-5` → `-0.05`.
fn money(cents: i64) -> String {
    format!(
        "{}{}.{:02}",
        if cents < 0 { "-" } else { "" },
        cents.abs() / 100,
        cents.abs() % 100
    )
}

/// TikTok Shop income `Order details` columns (formats.md §1a), with the
/// trailing spaces real exports have. `zone` is appended to the time
/// headers (`Order settled time(UTC)`) when the zone is in the header.
fn income_headers(zone: &str) -> Vec<String> {
    [
        "Order/adjustment ID  ",
        "Type ",
        "Order created time",
        "Order settled time",
        "Currency",
        "Total settlement amount",
        "Total revenue",
        "Subtotal after seller discounts",
        "Subtotal before discounts",
        "Seller discounts",
        "Refund subtotal after seller discounts",
        "Refund subtotal before seller discounts",
        "Refund of seller discounts",
        "Total fees",
        "Transaction fee",
        "TikTok Shop commission fee",
        "Seller shipping fee",
        "Actual shipping fee ",
        "Platform shipping fee discount",
        "Customer shipping fee",
        "Actual return shipping fee",
        "Refunded customer shipping fee",
        "Affiliate commission ",
        "SFP service fee",
        "Adjustment amount",
        "Related order ID",
        "Customer payment",
        "Customer refund",
        "Platform discounts",
        "Refund of platform discounts",
        "Estimated package weight (g)",
        "Actual package weight (g)",
    ]
    .iter()
    .map(|h| {
        if h.ends_with(" time") {
            format!("{h}{zone}")
        } else {
            h.to_string()
        }
    })
    .collect()
}

/// One cell of a generated income row.
enum Field {
    Text(String),
    /// An amount in cents.
    Money(i64),
}

/// Data row `i` of `rows` under `income_headers`: mostly orders shaped
/// like the accounting model's worked example (amounts varying), a refund
/// every 25th row, an adjustment every 50th. Every row adds up the way the
/// parser checks: Total settlement = Total revenue + Total fees +
/// Adjustment, each subtotal the sum of its columns. Settled days ascend
/// over the month (30 statements).
fn income_row(i: usize, rows: usize, currency: &str) -> (Vec<Field>, u32, i64) {
    use Field::{Money, Text};
    let day = 1 + (i * 30 / rows.max(1)) as u32;
    let order_id = 576_786_105_183_930_101u64 + 2 * i as u64;
    let created = format!("2026/03/{:02}", day.saturating_sub(3).max(1));
    let settled = format!("2026/04/{day:02}");
    let mut cells = vec![
        Text(order_id.to_string()),
        Text("Order".into()),
        Text(created),
        Text(settled),
        Text(currency.into()),
    ];
    let gross = 1000 + (i as i64 * 37) % 20000;
    let discount = if i % 3 == 0 { -(gross / 10) } else { 0 };
    let (mut sales_gross, mut sales_discount) = (gross, discount);
    let (mut refund_gross, mut refund_discount) = (0, 0);
    let (mut transaction, mut commission, mut affiliate, mut sfp) = (0, 0, 0, 0);
    let (mut actual_shipping, mut platform_shipping, mut customer_shipping) = (0, 0, 0);
    let (mut return_shipping, mut refunded_shipping, mut adjustment) = (0, 0, 0);
    let mut related = "/".to_string();
    if i % 50 == 49 {
        // An adjustment: only its amount, the order it concerns in Related.
        let (kind, amount) = match i % 150 {
            49 => ("Platform reimbursement", 250 + (i as i64 % 900)),
            99 => ("Shipping fee compensation", 120 + (i as i64 % 300)),
            _ => ("Deductions incurred by seller", -(300 + (i as i64 % 500))),
        };
        cells[0] = Text((7_300_012_345_678_900_000u64 + i as u64).to_string());
        cells[1] = Text(kind.into());
        cells[2] = Text("/".into());
        (sales_gross, sales_discount) = (0, 0);
        adjustment = amount;
        related = (order_id - 2).to_string();
    } else if i % 25 == 24 {
        // A refund settling: the revenue reversed, the return label paid.
        (sales_gross, sales_discount) = (0, 0);
        (refund_gross, refund_discount) = (-gross, -discount);
        return_shipping = -520;
        refunded_shipping = if i % 2 == 0 { -599 } else { 0 };
    } else {
        let sales = gross + discount;
        transaction = -(sales * 3 / 100);
        commission = -(sales * 6 / 100);
        affiliate = if i % 4 == 0 { -(sales / 10) } else { 0 };
        sfp = if i % 7 == 0 { -(sales * 4 / 100) } else { 0 };
        actual_shipping = -(600 + (i as i64 % 5) * 35);
        platform_shipping = if i % 2 == 0 { 141 } else { 0 };
        customer_shipping = if i % 2 == 0 { 599 } else { 0 };
    }
    let sales_after = sales_gross + sales_discount;
    let refund_after = refund_gross + refund_discount;
    let revenue = sales_after + refund_after;
    let seller_shipping = actual_shipping
        + platform_shipping
        + customer_shipping
        + return_shipping
        + refunded_shipping;
    let fees = transaction + commission + affiliate + sfp + seller_shipping;
    let total = revenue + fees + adjustment;
    let platform_discounts = if i % 5 == 0 { 200 } else { 0 };
    cells.extend([
        Money(total),
        Money(revenue),
        Money(sales_after),
        Money(sales_gross),
        Money(sales_discount),
        Money(refund_after),
        Money(refund_gross),
        Money(refund_discount),
        Money(fees),
        Money(transaction),
        Money(commission),
        Money(seller_shipping),
        Money(actual_shipping),
        Money(platform_shipping),
        Money(customer_shipping),
        Money(return_shipping),
        Money(refunded_shipping),
        Money(affiliate),
        Money(sfp),
        Money(adjustment),
        Text(related),
        // Memo figures: what the buyer paid and the platform funded.
        Money(sales_after + customer_shipping - platform_discounts),
        Money(refund_after),
        Money(platform_discounts),
        Money(0),
        Text((200 + i % 800).to_string()),
        Text((210 + i % 790).to_string()),
    ]);
    (cells, day, total)
}

/// A TikTok Shop income `Order details` table saved as CSV (USD, the zone
/// in the time headers, so no shop is needed).
fn write_tiktok_income_csv(path: &Path, rows: usize) {
    let mut out = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    let quote = |s: &str| {
        if s.contains([',', '"', '\n']) {
            format!("\"{}\"", s.replace('"', "\"\""))
        } else {
            s.to_string()
        }
    };
    let header: Vec<String> = income_headers("(UTC)").iter().map(|h| quote(h)).collect();
    writeln!(out, "\u{feff}{}", header.join(",")).unwrap();
    for i in 0..rows {
        let (cells, _, _) = income_row(i, rows, "USD");
        let cells: Vec<String> = cells
            .into_iter()
            .map(|c| match c {
                Field::Text(s) => quote(&s),
                Field::Money(c) => money(c),
            })
            .collect();
        writeln!(out, "{}", cells.join(",")).unwrap();
    }
}

/// A TikTok Shop income workbook (MYR): `Reports` (zone, currency, the
/// total the lines must sum to), `Order details` with amounts typed as
/// numbers and ids as text, `Withdrawal records` (one transfer a day).
fn write_tiktok_income_xlsx(path: &Path, rows: usize) {
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let mut total = 0i64;
    let mut by_day = std::collections::BTreeMap::<u32, i64>::new();
    {
        let details = workbook.add_worksheet();
        details.set_name("Order details").unwrap();
        for (c, h) in income_headers("").iter().enumerate() {
            details.write_string(0, c as u16, h).unwrap();
        }
        for i in 0..rows {
            let (cells, day, line_total) = income_row(i, rows, "MYR");
            total += line_total;
            *by_day.entry(day).or_default() += line_total;
            let r = i as u32 + 1;
            for (c, cell) in cells.iter().enumerate() {
                match cell {
                    Field::Text(s) => details.write_string(r, c as u16, s),
                    Field::Money(cents) => details.write_number(r, c as u16, *cents as f64 / 100.0),
                }
                .unwrap();
            }
        }
    }
    {
        let reports = workbook.add_worksheet();
        reports.set_name("Reports").unwrap();
        reports.write_string(0, 0, "Income statement").unwrap();
        let labels = [
            ("Time period:", None, "2026/04/01-2026/04/30"),
            ("Timezone", None, "UTC+8"),
            ("Currency", None, "MYR"),
            ("Total settlement amount", Some(total), ""),
        ];
        for (r, (label, amount, text)) in labels.iter().enumerate() {
            let r = r as u32 + 1;
            reports.write_string(r, 0, *label).unwrap();
            match amount {
                Some(cents) => reports.write_number(r, 5, *cents as f64 / 100.0),
                None => reports.write_string(r, 5, *text),
            }
            .unwrap();
        }
    }
    {
        let withdrawals = workbook.add_worksheet();
        withdrawals.set_name("Withdrawal records").unwrap();
        let header = [
            "Type",
            "Reference ID",
            "Request time",
            "Amount",
            "Status",
            "Success time",
            "Bank account",
        ];
        for (c, h) in header.iter().enumerate() {
            withdrawals.write_string(0, c as u16, *h).unwrap();
        }
        for (r, (day, cents)) in by_day.iter().enumerate() {
            let r = r as u32 + 1;
            let at = format!("2026/04/{day:02} 10:00:00");
            withdrawals.write_string(r, 0, "Withdrawal").unwrap();
            withdrawals
                .write_string(
                    r,
                    1,
                    (8_800_000_000_000_010_000u64 + *day as u64).to_string(),
                )
                .unwrap();
            withdrawals.write_string(r, 2, &at).unwrap();
            withdrawals
                .write_number(r, 3, -(*cents as f64) / 100.0)
                .unwrap();
            withdrawals.write_string(r, 4, "Transferred").unwrap();
            withdrawals.write_string(r, 5, &at).unwrap();
            withdrawals.write_string(r, 6, "****1234").unwrap();
        }
    }
    workbook.save(path).unwrap();
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

#[path = "generate/mod.rs"]
mod generate;
use generate::write_shopify_payouts;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    // `--generate KIND EXTENSION ROWS FILE` writes one generated file (for
    // profiling a phase by hand).
    if let Some(at) = args.iter().position(|a| a == "--generate") {
        let format = formats()
            .into_iter()
            .find(|f| f.kind.as_str() == args[at + 1] && f.extension == args[at + 2])
            .expect("a generated format: KIND EXTENSION");
        (format.write)(Path::new(&args[at + 4]), args[at + 3].parse().unwrap());
        return;
    }
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
    // BENCH_IMPORT_DIR keeps the generated files and databases (to profile
    // one import with `--phase import`); otherwise they go with a temp dir.
    let kept = std::env::var("BENCH_IMPORT_DIR").ok().map(PathBuf::from);
    let temp = tempfile::tempdir().unwrap();
    let dir = kept.as_deref().unwrap_or(temp.path());
    let pg = std::env::var("SETTLEBRIDGE_TEST_POSTGRES_URL").ok();
    println!("| format | rows | file MiB | parse rows/s | parse peak MiB | SQLite import rows/s | SQLite peak MiB |{}", if pg.is_some() { " PostgreSQL rows/s |" } else { "" });
    println!(
        "|---|---|---|---|---|---|---|{}",
        if pg.is_some() { "---|" } else { "" }
    );
    let mut notes = Vec::new();
    for format in formats() {
        let name = format.kind.as_str();
        if only
            .as_deref()
            .is_some_and(|o| !o.split(',').any(|x| x == name))
        {
            continue;
        }
        // Two sizes: memory that stays flat between them streams.
        let mut parse_peaks = Vec::new();
        let ext = format.extension;
        for n in [rows / 10, rows].map(|n| n / format.divisor) {
            let file: PathBuf = dir.join(format!("{name}-{n}.{ext}"));
            (format.write)(&file, n);
            let size = std::fs::metadata(&file).unwrap().len() as f64 / (1 << 20) as f64;
            let f = file.to_str().unwrap();
            let (parse_s, parsed, parse_peak) = run_child(&["--phase", "parse", name, f]);
            let db = format!(
                "sqlite://{}",
                dir.join(format!("{name}-{n}-{ext}.db")).display()
            );
            let (import_s, imported, import_peak) =
                run_child(&["--phase", "import", name, f, "--db", &db]);
            let mut row = format!(
                "| {name} ({ext}) | {n} | {size:.0} | {:.0} | {:.0} | {:.0} | {:.0} |",
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
            parse_peaks.push(parse_peak);
            if kept.is_none() {
                let _ = std::fs::remove_file(&file);
            }
        }
        if let [small, large] = parse_peaks[..] {
            let mib = |k: u64| k as f64 / 1024.0;
            // Flat: at most a quarter more, or 16 MiB, at ten times the rows.
            let flat = large <= small + (small / 4).max(16 * 1024);
            if format.streams && !flat {
                notes.push(format!(
                    "{name} ({ext}): parse peak memory grew from {:.0} to {:.0} MiB: it does not stream",
                    mib(small),
                    mib(large)
                ));
            } else if format.streams {
                notes.push(format!(
                    "{name} ({ext}): parse peak memory flat ({:.0} → {:.0} MiB)",
                    mib(small),
                    mib(large)
                ));
            }
        }
    }
    if !notes.is_empty() {
        println!();
        for note in notes {
            println!("{note}");
        }
    }
}
