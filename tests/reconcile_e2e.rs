//! Matching and booking end to end: through the binary on the Amazon
//! fixture (the close report's figures equal independent sums of the file,
//! every payout ties, the roll-forward's proof holds, re-running books
//! nothing), and through the library on both backends (the order files
//! arrive in does not change the books; a mapping change moves exactly the
//! amounts it should, by reversal and replacement).

mod support;

use std::collections::BTreeMap;
use std::path::Path;
use std::str::FromStr;

use rust_decimal::Decimal;
use settlebridge::domain::rate_card::RateCards;
use settlebridge::domain::shop::Shops;
use settlebridge::gl_mappings;
use settlebridge::importer::{self, ImportRequest};
use settlebridge::ledger::{trial_balance, TrialBalanceRange};
use settlebridge::reconcile::{preview, reconcile, Scope};
use settlebridge::reports;
use support::cli::{ok, use_shipped_mappings};
use support::imports::{fixture, request};

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

const SHOPS: &str = r#"
[[shop]]
name = "amazon-us"
channel = "amazon"
currency = "USD"
time_zone = "UTC"
clearing_account = "1212"
"#;

/// Σ of the `amount` column of an Amazon flat file's rows that `keep`.
fn amazon_sum(path: &Path, keep: impl Fn(&str, &str, &str) -> bool) -> Decimal {
    let mut r = csv::ReaderBuilder::new()
        .delimiter(b'\t')
        .flexible(true)
        .from_path(path)
        .unwrap();
    let h = r.headers().unwrap().clone();
    let col = |name: &str| h.iter().position(|c| c == name).unwrap();
    let (tt, at, ad, amount) = (
        col("transaction-type"),
        col("amount-type"),
        col("amount-description"),
        col("amount"),
    );
    r.records()
        .map(|row| row.unwrap())
        .filter(|row| !row.get(amount).unwrap_or("").trim().is_empty())
        .filter(|row| keep(&row[tt], &row[at], &row[ad]))
        .map(|row| d(row[amount].trim()))
        .sum()
}

fn json(text: &str) -> serde_json::Value {
    serde_json::from_str(text).unwrap()
}

fn dec(v: &serde_json::Value) -> Decimal {
    d(v.as_str()
        .unwrap_or_else(|| panic!("{v} is not a decimal string")))
}

#[test]
fn amazon_settlement_books_ties_and_reruns_to_nothing_through_the_binary() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    use_shipped_mappings(dir);
    std::fs::write(dir.join("gl-mappings/shops.toml"), SHOPS).unwrap();
    std::fs::write(
        dir.join("gl-mappings/rates.toml"),
        "[[rate]]\nname = \"referral 15%\"\nchannel = \"amazon\"\nfee = \"fee.commission\"\n\
         basis = [\"sale.gross\"]\nrate = \"0.15\"\n",
    )
    .unwrap();
    ok(dir, &["init"]);
    let file = fixture("amazon/settlement-v2-us.txt");
    // A file that fails does not keep the one that imported from being booked.
    std::fs::write(dir.join("notes.txt"), "not a channel file\n").unwrap();
    let (code, out) = support::cli::fails(dir, &["import", "notes.txt", file.to_str().unwrap()]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("not recognized"), "{out}");
    assert!(out.contains("amazon-us (amazon, USD): "), "{out}");
    assert!(out.contains("payouts: 1 of 1 tie to their lines"), "{out}");
    assert!(ok(dir, &["verify"]).starts_with("ok:"));

    let report = json(&ok(
        dir,
        &["report", "close", "--period", "2026-02", "--format", "json"],
    ));
    assert_eq!(report["period"], "2026-02");
    assert_eq!(
        report["banks"].as_array().unwrap().len(),
        0,
        "no banks.toml"
    );
    let r = &report["shops"][0];
    assert_eq!(r["shop"], "amazon-us");
    // Every figure against an independent sum of the file.
    let deposit = amazon_sum(&file, |_, _, _| true);
    assert_eq!(deposit, d("116.09"), "the file's own total");
    assert_eq!(dec(&r["payouts_total"]), deposit);
    assert_eq!(r["payouts_not_tied"].as_array().unwrap().len(), 0);
    let account = |section: &str, code: &str| -> Decimal {
        r[section]
            .as_array()
            .unwrap()
            .iter()
            .filter(|l| l["account"] == code)
            .map(|l| dec(&l["amount"]))
            .sum()
    };
    let commission = amazon_sum(&file, |_, at, ad| {
        at == "ItemFees" && (ad == "Commission" || ad == "RefundCommission")
    });
    assert_eq!(
        account("costs", "6100"),
        -commission,
        "commission, net of refunds"
    );
    let principal = amazon_sum(&file, |tt, at, ad| {
        tt == "Order" && at == "ItemPrice" && ad == "Principal"
    });
    assert_eq!(account("revenue", "4000"), principal, "gross sales");
    let refunded = amazon_sum(&file, |tt, at, ad| {
        tt == "Refund" && at == "ItemPrice" && ad == "Principal"
    });
    assert_eq!(
        account("revenue", "4900"),
        refunded,
        "refunds, as contra revenue"
    );
    let advertising = amazon_sum(&file, |_, at, _| at == "Cost of Advertising");
    assert_eq!(account("costs", "6150"), -advertising);
    // Paid out in full: clearing rolls forward to zero and the proof holds.
    let rf = &r["rollforward"];
    assert_eq!(dec(&rf["opening"]), Decimal::ZERO);
    assert_eq!(dec(&rf["closing"]), Decimal::ZERO);
    assert_eq!(dec(&r["proof"]["difference"]), Decimal::ZERO);
    // The rate card: 15% of 24.99 is 3.75 (half away from zero), Amazon
    // charged 4.35; the other orders were charged exactly 15%.
    assert_eq!(r["fee_overcharges"]["count"], 1);
    assert_eq!(dec(&r["fee_overcharges"]["total"]), d("0.60"));
    let over = r["fee_overcharges"]["items"].as_array().unwrap();
    assert_eq!(over.len(), 1, "{over:?}");
    assert_eq!(over[0]["order_id"], "112-1000001-2000001");
    assert_eq!(dec(&over[0]["expected"]), d("3.75"));
    assert_eq!(dec(&over[0]["charged"]), d("4.35"));
    assert_eq!(dec(&over[0]["over"]), d("0.60"));
    let table = ok(dir, &["report", "close", "--period", "2026-02"]);
    assert!(table.contains("holds: closing = open items"), "{table}");
    assert!(
        table.contains("order 112-1000001-2000001 fee.commission: charged 4.35, card `referral 15%` says 24.99 × 0.15 = 3.75 (0.60 over)"),
        "{table}"
    );
    let csv = ok(
        dir,
        &["report", "close", "--period", "2026-02", "--format", "csv"],
    );
    assert!(
        csv.contains("amazon-us,2026-02,costs,Commission fees,6100,"),
        "{csv}"
    );

    // Re-running books nothing.
    let counts = |dir: &Path| ok(dir, &["verify"]).lines().next().unwrap().to_string();
    let before = counts(dir);
    let again = json(&ok(dir, &["reconcile", "--json"]));
    let shop = &again["shops"][0];
    assert_eq!(
        (shop["new"].as_u64(), shop["replaced"].as_u64()),
        (Some(0), Some(0))
    );
    assert!(shop["unchanged"].as_u64().unwrap() > 10, "{shop}");
    assert_eq!(counts(dir), before);

    // A mapping change, previewed: commission to 6190 moves exactly the
    // commission, and nothing is written until reconcile.
    let maps = dir.join("gl-mappings/amazon.toml");
    let text = std::fs::read_to_string(&maps).unwrap();
    let edited = text.replace(
        "\"fee.commission\" = \"6100\"",
        "\"fee.commission\" = \"6190\"",
    );
    assert_ne!(text, edited);
    std::fs::write(&maps, edited).unwrap();
    let diff = json(&ok(dir, &["mappings", "diff", "--json"]));
    let totals: BTreeMap<String, Decimal> = diff[0]["totals"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| (t[0].as_str().unwrap().to_string(), dec(&t[2])))
        .collect();
    let charged = -amazon_sum(&file, |tt, at, ad| {
        tt == "Order" && at == "ItemFees" && ad == "Commission"
    });
    assert_eq!(
        totals,
        [
            ("6100".to_string(), -charged),
            ("6190".to_string(), charged)
        ]
        .into_iter()
        .collect()
    );
    assert_eq!(counts(dir), before, "diff writes nothing");
    let text_diff = ok(dir, &["mappings", "diff"]);
    assert!(
        text_diff.contains("would be reversed and re-booked"),
        "{text_diff}"
    );
    let applied = json(&ok(dir, &["reconcile", "--json"]));
    assert_eq!(applied["shops"][0]["replaced"], diff[0]["replaced"]);
    std::fs::write(&maps, text).unwrap();

    // The trail of an order: its lines, entries and payout.
    let trail = ok(dir, &["trail", "order", "112-1000001-2000001"]);
    assert!(
        trail.contains("statement 22233344455 (payout 22233344455)"),
        "{trail}"
    );
    assert!(
        trail.contains("sale `amazon/amazon-us/sale/112-1000001-2000001`"),
        "{trail}"
    );
    assert!(trail.contains("refund"), "{trail}");
    // Read for the order alone, the payout still proves itself from all its lines.
    assert!(
        trail.contains("payout 22233344455: 116.09 USD (ties to its lines: "),
        "{trail}"
    );
    let payout = ok(dir, &["trail", "payout", "22233344455"]);
    assert!(payout.contains("116.09 USD"), "{payout}");
    assert!(payout.contains("ties"), "{payout}");
}

/// Closing balance per account (zero balances dropped).
async fn balances(store: &dyn settlebridge::store::LedgerStore) -> BTreeMap<String, Decimal> {
    let chart = store.chart().await.unwrap();
    let tb = trial_balance(store, &chart, TrialBalanceRange::All)
        .await
        .unwrap();
    let mut out = BTreeMap::new();
    for row in tb.rows {
        if !row.closing.is_zero() {
            out.insert(format!("{} {}", row.account, row.currency), row.closing);
        }
    }
    out
}

fn tiktok_shop() -> Shops {
    Shops::from_toml(
        r#"
[[shop]]
name = "tiktok-us"
channel = "tiktok"
currency = "USD"
time_zone = "America/Los_Angeles"
clearing_account = "1210"
"#,
    )
    .unwrap()
}

/// Imports a project fixture for shop tiktok-us.
async fn import_tiktok(db: &support::TestDb, shops: &Shops, file: &str) {
    let bytes = std::fs::read(fixture(file)).unwrap();
    let req = ImportRequest {
        shops,
        ..request(file, Some("tiktok-us"))
    };
    importer::import_file(db.store(), &bytes, req)
        .await
        .unwrap();
}

async fn import_and_book(
    db: &support::TestDb,
    mappings: &gl_mappings::Mappings,
    files: &[&str],
) -> settlebridge::reconcile::ReconcileReport {
    let chart = db.store().chart().await.unwrap();
    let shops = tiktok_shop();
    let mut last = None;
    for f in files {
        import_tiktok(db, &shops, f).await;
        let scope = Scope::default();
        last = Some(
            reconcile(
                db.store(),
                &chart,
                mappings,
                &shops,
                &Default::default(),
                scope,
                "tester",
            )
            .await
            .unwrap(),
        );
    }
    last.unwrap()
}

const TIKTOK: [&str; 2] = [
    "tiktok/orders-export-us.csv",
    "tiktok/api-statement-transactions-202309.json",
];

#[tokio::test]
async fn the_books_do_not_depend_on_the_order_files_arrive_in() {
    let shipped = Path::new(env!("CARGO_MANIFEST_DIR")).join("gl-mappings");
    let (firsts, seconds) = (support::all_backends().await, support::all_backends().await);
    for (a, b) in firsts.iter().zip(seconds.iter()) {
        let chart = a.store().chart().await.unwrap();
        let mappings = gl_mappings::load_mappings(&shipped, &chart).unwrap();
        import_and_book(a, &mappings, &TIKTOK).await;
        let reversed = [TIKTOK[1], TIKTOK[0]];
        let report = import_and_book(b, &mappings, &reversed).await;
        // Settlement first: the sales were booked from it, then replaced
        // by the export's when it came.
        assert!(
            report.shops[0].replaced > 0,
            "{}: {:?}",
            b.name,
            report.shops[0]
        );
        let (ba, bb) = (balances(a.store()).await, balances(b.store()).await);
        assert_eq!(ba, bb, "{} vs {}", a.name, b.name);
        // The unsettled order stays in clearing: 576800000000000303's sale.
        assert!(ba.contains_key("1210 USD"), "{ba:?}");
        // An order's trail reads only that order's records, and matches it
        // the way the whole shop's read does.
        let full = settlebridge::reconcile::read_shop(
            a.store(),
            &tiktok_shop(),
            &mappings,
            settlebridge::domain::settlement::Channel::TikTok,
            "tiktok-us",
        )
        .await
        .unwrap()
        .unwrap();
        for (id, om) in &full.matching.orders {
            let trail = reports::trail_order(a.store(), &mappings, &tiktok_shop(), id)
                .await
                .unwrap();
            assert_eq!(trail.len(), 1, "{id}");
            assert_eq!(trail[0].status, Some(om.status), "{id}");
            let statuses: Vec<_> = trail[0].lines.iter().map(|l| l.status).collect();
            let want: Vec<_> = om
                .lines
                .iter()
                .map(|&i| full.matching.line_status[i])
                .collect();
            assert_eq!(statuses, want, "{id}");
            for p in &trail[0].payouts {
                let whole = full
                    .matching
                    .payouts
                    .iter()
                    .find(|w| w.payout_id == p.payout_id);
                assert_eq!(Some(p), whole, "{id}");
            }
        }
        for db in [a, b] {
            settlebridge::ledger::verify(db.store()).await.unwrap();
            let period = "2026-03".parse().unwrap();
            let close = reports::close(
                db.store(),
                &chart,
                &mappings,
                &tiktok_shop(),
                &Default::default(),
                period,
                None,
            )
            .await
            .unwrap();
            assert_eq!(close[0].proof.difference, Decimal::ZERO, "{}", db.name);
            assert_eq!(close[0].rollforward.closing, ba["1210 USD"], "{}", db.name);
        }
    }
}

#[tokio::test]
async fn a_mapping_change_reverses_and_rebooks_exactly_the_entries_it_moves() {
    let shipped = Path::new(env!("CARGO_MANIFEST_DIR")).join("gl-mappings");
    for db in support::all_backends().await {
        let chart = db.store().chart().await.unwrap();
        let mappings = gl_mappings::load_mappings(&shipped, &chart).unwrap();
        import_and_book(&db, &mappings, &TIKTOK).await;
        let before = balances(db.store()).await;
        let affiliate = before["6120 USD"];
        assert_eq!(affiliate, d("6.30"));

        // Affiliate commissions now count as advertising.
        let dir = tempfile::tempdir().unwrap();
        for entry in std::fs::read_dir(&shipped).unwrap() {
            let path = entry.unwrap().path();
            let text = std::fs::read_to_string(&path).unwrap().replace(
                "\"fee.affiliate_commission\" = \"6120\"",
                "\"fee.affiliate_commission\" = \"6150\"",
            );
            std::fs::write(dir.path().join(path.file_name().unwrap()), text).unwrap();
        }
        let changed = gl_mappings::load_mappings(dir.path(), &chart).unwrap();
        // Previewed first: exactly the entry and amounts it moves, nothing written.
        let entries_before = db.raw_count("entries").await;
        let preview = preview(db.store(), &changed, &tiktok_shop(), None)
            .await
            .unwrap();
        let p = &preview[0];
        assert_eq!((p.new, p.replaced, p.withdrawn), (0, 1, 0), "{}", db.name);
        let moved: Vec<_> = p.totals.iter().map(|(a, _, v)| (a.as_str(), *v)).collect();
        assert_eq!(moved, [("6120", -affiliate), ("6150", affiliate)]);
        assert_eq!(p.entries[0].action, "replace");
        assert_eq!(db.raw_count("entries").await, entries_before);
        let report = reconcile(
            db.store(),
            &chart,
            &changed,
            &tiktok_shop(),
            &Default::default(),
            Scope::default(),
            "t",
        )
        .await
        .unwrap();
        let s = &report.shops[0];
        assert_eq!(
            (s.new, s.replaced, s.withdrawn),
            (0, 1, 0),
            "{}: {s:?}",
            db.name
        );
        assert_eq!(s.entries_written, 2, "one reversal, one replacement");
        let after = balances(db.store()).await;
        let mut expected = before.clone();
        expected.remove("6120 USD");
        *expected.entry("6150 USD".into()).or_default() += affiliate;
        assert_eq!(after, expected, "{}", db.name);
        // And again: nothing more.
        let again = reconcile(
            db.store(),
            &chart,
            &changed,
            &tiktok_shop(),
            &Default::default(),
            Scope::default(),
            "t",
        )
        .await
        .unwrap();
        assert_eq!(again.shops[0].entries_written, 0);
        settlebridge::ledger::verify(db.store()).await.unwrap();
    }
}

#[tokio::test]
async fn two_reconciles_at_once_book_everything_once() {
    let shipped = Path::new(env!("CARGO_MANIFEST_DIR")).join("gl-mappings");
    for db in support::all_backends().await {
        let chart = db.store().chart().await.unwrap();
        let mappings = gl_mappings::load_mappings(&shipped, &chart).unwrap();
        let shops = tiktok_shop();
        let no_cards = RateCards::default();
        for f in TIKTOK {
            import_tiktok(&db, &shops, f).await;
        }
        let run = || {
            reconcile(
                db.store(),
                &chart,
                &mappings,
                &shops,
                &no_cards,
                Scope::default(),
                "t",
            )
        };
        let (a, b) = tokio::join!(run(), run());
        let written = a.unwrap().shops[0].entries_written + b.unwrap().shops[0].entries_written;
        let entries = db.raw_count("entries").await;
        assert_eq!(
            written as i64, entries,
            "{}: every entry written once",
            db.name
        );
        assert_eq!(db.raw_count("bookings").await, entries, "{}", db.name);
        let again = run().await.unwrap();
        assert_eq!(again.shops[0].entries_written, 0, "{}", db.name);
        settlebridge::ledger::verify(db.store()).await.unwrap();
        // The running totals the trial balance reads are checked against the
        // postings: a change to them is named.
        db.raw_execute("UPDATE account_balances SET debit_micros = debit_micros + 10000 WHERE account = '6100'")
            .await
            .unwrap();
        let err = settlebridge::ledger::verify(db.store())
            .await
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("the running totals of account 6100 in USD")
                && err.contains("changed outside settlebridge"),
            "{}: {err}",
            db.name
        );
    }
}

#[tokio::test]
async fn an_entry_the_chart_refuses_stops_the_run_before_anything_is_written() {
    let shipped = Path::new(env!("CARGO_MANIFEST_DIR")).join("gl-mappings");
    for db in support::all_backends().await {
        let chart = db.store().chart().await.unwrap();
        let mappings = gl_mappings::load_mappings(&shipped, &chart).unwrap();
        let shops = tiktok_shop();
        for f in TIKTOK {
            import_tiktok(&db, &shops, f).await;
        }
        // Affiliate commissions' account closed in the chart.
        let closed =
            settlebridge::domain::ChartOfAccounts::new(chart.iter().cloned().map(|mut a| {
                if a.code.as_str() == "6120" {
                    a.active = false;
                }
                a
            }))
            .unwrap();
        db.store().sync_chart(&closed).await.unwrap();
        let err = reconcile(
            db.store(),
            &closed,
            &mappings,
            &shops,
            &Default::default(),
            Scope::default(),
            "t",
        )
        .await
        .unwrap_err()
        .to_string();
        assert!(err.contains("6120"), "{}: {err}", db.name);
        assert_eq!(
            db.raw_count("entries").await,
            0,
            "{}: nothing written",
            db.name
        );
    }
}
