//! Ledger throughput: posting entries in batches, the trial balance over all
//! postings, and a full `verify`, on SQLite and (when
//! SETTLEBRIDGE_TEST_POSTGRES_URL is set) PostgreSQL.
//!
//! cargo bench --bench ledger                 # 100,000 entries, 400,000 postings
//! BENCH_ENTRIES=1000000 cargo bench --bench ledger

use std::time::Instant;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use settlebridge::domain::{
    ChartOfAccounts, EntryDraft, EntryKind, JournalEntry, Money, Posting, Side,
};
use settlebridge::gl_mappings::DEFAULT_ACCOUNTS_TOML;
use settlebridge::ledger::{self, TrialBalanceRange};
use settlebridge::store::{self, LedgerStore};

fn sale(i: u64, chart: &ChartOfAccounts) -> JournalEntry {
    let usd = "USD".parse().unwrap();
    let gross = Decimal::new(1000 + (i % 9000) as i64, 2);
    let discount = Decimal::new((i % 300) as i64, 2);
    let shipping = Decimal::new(599, 2);
    let p = |a: &str, s, amount| {
        let mut p = Posting::new(a.parse().unwrap(), s, Money::new(amount, usd));
        p.source.order_id = Some(format!("5764607523{i:08}"));
        p.segments.shop = Some("tiktok-us".into());
        p
    };
    JournalEntry::new(
        EntryDraft {
            idempotency_key: format!("bench:sale:{i}"),
            date: NaiveDate::from_ymd_opt(2024, 1, 1).unwrap()
                + chrono::Duration::days((i % 360) as i64),
            kind: EntryKind::Sale,
            description: format!("Sale, order {i}"),
            postings: vec![
                p("1210", Side::Debit, gross - discount + shipping),
                p("4910", Side::Debit, discount + Decimal::new(1, 2)),
                p("4000", Side::Credit, gross + Decimal::new(1, 2)),
                p("4010", Side::Credit, shipping),
            ],
        },
        chart,
    )
    .unwrap()
}

async fn bench(name: &str, store: &dyn LedgerStore, n: u64) {
    let chart = ChartOfAccounts::from_toml(DEFAULT_ACCOUNTS_TOML).unwrap();
    store.sync_chart(&chart).await.unwrap();
    let start = Instant::now();
    let mut i = 0;
    while i < n {
        let batch: Vec<_> = (i..(i + 1000).min(n)).map(|k| sale(k, &chart)).collect();
        store.post_batch(&batch, "bench").await.unwrap();
        i += batch.len() as u64;
    }
    let post = start.elapsed();
    let start = Instant::now();
    let tb = ledger::trial_balance(store, &chart, TrialBalanceRange::All)
        .await
        .unwrap();
    let tb_time = start.elapsed();
    assert!(tb.is_balanced());
    let start = Instant::now();
    let summary = ledger::verify(store).await.unwrap();
    let verify_time = start.elapsed();
    assert_eq!(summary.entries, n);
    println!(
        "{name:<10} post {n} entries ({} postings): {:.1} s, {:.0} entries/s, {:.0} postings/s",
        n * 4,
        post.as_secs_f64(),
        n as f64 / post.as_secs_f64(),
        (n * 4) as f64 / post.as_secs_f64()
    );
    println!(
        "{name:<10} trial balance over {} postings: {} ms",
        n * 4,
        tb_time.as_millis()
    );
    println!(
        "{name:<10} verify {n} entries: {:.1} s",
        verify_time.as_secs_f64()
    );
}

#[tokio::main]
async fn main() {
    let n: u64 = std::env::var("BENCH_ENTRIES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("bench.db").display());
    let sqlite = store::connect(&url).await.unwrap();
    bench("sqlite", sqlite.as_ref(), n).await;
    sqlite.close().await;
    match std::env::var("SETTLEBRIDGE_TEST_POSTGRES_URL") {
        Ok(base) => {
            use sqlx::Connection;
            let mut conn = sqlx::PgConnection::connect(&base).await.unwrap();
            sqlx::query("DROP SCHEMA IF EXISTS sbbench CASCADE")
                .execute(&mut conn)
                .await
                .unwrap();
            sqlx::query("CREATE SCHEMA sbbench")
                .execute(&mut conn)
                .await
                .unwrap();
            let options: sqlx::postgres::PgConnectOptions = base.parse().unwrap();
            let pg = store::PgStore::connect_with(options.options([("search_path", "sbbench")]))
                .await
                .unwrap();
            bench("postgres", &pg, n).await;
            pg.close().await;
            sqlx::query("DROP SCHEMA sbbench CASCADE")
                .execute(&mut conn)
                .await
                .unwrap();
        }
        Err(_) => println!("postgres   skipped: SETTLEBRIDGE_TEST_POSTGRES_URL is not set"),
    }
}
