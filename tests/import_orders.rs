//! Orders and payouts in the store, on both backends: stored once with their
//! lines, amounts and rows; a later export with another status is an
//! observation, with other amounts a revision — never an overwrite; a payout
//! recorded twice with another amount refuses the file; shops from
//! shops.toml decide the zone and refuse a file in another currency.

mod support;

use rust_decimal::Decimal;
use settlebridge::domain::payout::Payout;
use settlebridge::domain::settlement::{Channel, ParsedFile, SourceRow};
use settlebridge::domain::shop::{Shops, NO_SHOPS};
use settlebridge::importer::{self, ImportReport, ImportRequest};
use settlebridge::store::{BatchSummary, NewBatch};
use support::{all_backends, d};

fn fixture() -> String {
    std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/shopify/orders-export.csv"
    ))
    .unwrap()
}

fn request<'a>(name: &'a str, shops: &'a Shops) -> ImportRequest<'a> {
    ImportRequest {
        file_name: name,
        shop: None,
        shops,
        source: None,
        accept_unclassified: false,
        actor: "tester",
    }
}

fn imported(report: ImportReport) -> Box<BatchSummary> {
    match report {
        ImportReport::Imported { batch, .. } => batch,
        other => panic!("not imported: {other:?}"),
    }
}

#[tokio::test]
async fn orders_are_stored_once_then_observed_or_revised() {
    let original = fixture();
    // The next week's export: #2002 fully refunded now (same amounts).
    let later = original.replacen("partially_refunded,2026-03-05", "refunded,2026-03-05", 1);
    let later = later.replacen(",150.00,Brewco", ",1249.00,Brewco", 1);
    // A price edit on #2004 (another amount: a revision).
    let edited = original
        .replacen(
            "2400.00,35.00,0.00,2476.20",
            "2360.00,35.00,0.00,2436.20",
            1,
        )
        .replacen(",600.00,,GB-SET", ",590.00,,GB-SET", 1);
    for db in all_backends().await {
        let name = db.name;
        let store = db.store();
        let batch = imported(
            importer::import_file(store, original.as_bytes(), request("orders.csv", &NO_SHOPS))
                .await
                .unwrap(),
        );
        assert_eq!(
            (batch.orders_new, batch.orders_duplicate, batch.lines_new),
            (4, 0, 0),
            "{name}"
        );
        assert_eq!(db.raw_count("orders").await, 4);
        assert_eq!(db.raw_count("order_lines").await, 6);
        assert_eq!(db.raw_count("order_rows").await, 6);
        // Order-level amounts (#2001: discount, shipping, 2 taxes; #2003:
        // shipping; #2004: shipping, duties) plus one sale.gross per line.
        assert_eq!(db.raw_count("order_amounts").await, 7 + 6, "{name}");

        let observed = imported(
            importer::import_file(store, later.as_bytes(), request("orders-2.csv", &NO_SHOPS))
                .await
                .unwrap(),
        );
        assert_eq!(
            (
                observed.orders_new,
                observed.orders_duplicate,
                observed.orders_revised
            ),
            (0, 4, 0),
            "{name}"
        );
        assert_eq!(db.raw_count("orders").await, 4);
        assert_eq!(db.raw_count("order_observations").await, 1, "{name}");
        // The same observation in yet another file adds nothing.
        let again = format!("{later}\n");
        let same = imported(
            importer::import_file(store, again.as_bytes(), request("orders-3.csv", &NO_SHOPS))
                .await
                .unwrap(),
        );
        assert_eq!(same.orders_duplicate, 4);
        assert_eq!(db.raw_count("order_observations").await, 1, "{name}");
        let observed_order = store
            .order(Channel::Shopify, "", "#2002")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(observed_order.revision, 1);
        assert_eq!(
            observed_order.order.status.as_deref(),
            Some("refunded"),
            "{name}"
        );
        assert_eq!(observed_order.order.refunded, Some(d("1249")), "{name}");

        let revised = imported(
            importer::import_file(store, edited.as_bytes(), request("orders-4.csv", &NO_SHOPS))
                .await
                .unwrap(),
        );
        assert_eq!(
            (
                revised.orders_new,
                revised.orders_duplicate,
                revised.orders_revised
            ),
            (1, 3, 1),
            "{name}"
        );
        assert_eq!(db.raw_count("orders").await, 5);
        let revisions = db
            .raw_count("orders WHERE order_id = '#2004' AND revision = 2")
            .await;
        assert_eq!(revisions, 1, "{name}");

        // Read back: the latest revision, the latest status, the file's figures.
        let parsed = settlebridge::sources::shopify_orders::parse(
            "orders.csv",
            original.as_bytes(),
            Default::default(),
        )
        .unwrap();
        let first = store
            .order(Channel::Shopify, "", "#2001")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(first.revision, 1);
        assert_eq!(
            &first.order,
            parsed
                .orders
                .iter()
                .find(|o| o.order_id == "#2001")
                .unwrap(),
            "{name}: stored as parsed, to the last cell"
        );
        // orders-4.csv was cut from the first export, so it shows #2002 as
        // partially refunded again: the latest import's observation wins.
        let refunded = store
            .order(Channel::Shopify, "", "#2002")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(db.raw_count("order_observations").await, 2, "{name}");
        assert_eq!(
            refunded.order.status.as_deref(),
            Some("partially_refunded"),
            "{name}"
        );
        assert_eq!(refunded.order.refunded, Some(d("150")), "{name}");
        let edited_order = store
            .order(Channel::Shopify, "", "#2004")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(edited_order.revision, 2, "{name}");
        assert_eq!(edited_order.order.lines[0].unit_price, Some(d("590")));
        assert_eq!(edited_order.order.amount("sale.gross"), d("2360"));
        assert!(store
            .order(Channel::Shopify, "", "#9999")
            .await
            .unwrap()
            .is_none());
        assert!(store
            .order(Channel::Amazon, "", "#2001")
            .await
            .unwrap()
            .is_none());

        for sql in [
            "UPDATE orders SET status = 'x'",
            "DELETE FROM order_amounts",
            "DELETE FROM order_observations",
        ] {
            let err = db.raw_execute(sql).await.unwrap_err();
            assert!(
                err.to_string().contains("append-only"),
                "{name}: {sql}: {err}"
            );
        }
    }
}

fn payout(id: &str, amount: &str) -> Payout {
    Payout {
        channel: Channel::TikTok,
        payout_id: id.into(),
        currency: "MYR".parse().unwrap(),
        amount: d(amount),
        paid_at: None,
        status: Some("Transferred".into()),
        bank_amount: None,
        exchange_rate: Some(d("1.000000")),
        bank_account: Some("****1234".into()),
        source: Some(SourceRow {
            sheet: Some("Withdrawal records".into()),
            row: 2,
            cells: vec![id.into(), amount.into()],
        }),
    }
}

fn batch(sha: &str) -> NewBatch {
    NewBatch {
        file_name: format!("{sha}.xlsx"),
        sha256: sha.into(),
        source_kind: "tiktok-income".into(),
        channel: Some(Channel::TikTok),
        shop: "tiktok-my".into(),
        imported_by: "tester".into(),
        size_bytes: 1,
    }
}

#[tokio::test]
async fn payouts_are_recorded_once_and_never_changed() {
    for db in all_backends().await {
        let name = db.name;
        let store = db.store();
        let first = ParsedFile {
            payouts: vec![payout("W1", "1200.50"), payout("W2", "80.00")],
            ..Default::default()
        };
        let s = store
            .record_import(&batch("a"), b"a", &first)
            .await
            .unwrap();
        assert_eq!((s.payouts_new, s.payouts_duplicate), (2, 0), "{name}");
        let overlapping = ParsedFile {
            payouts: vec![payout("W2", "80.00"), payout("W3", "15.25")],
            ..Default::default()
        };
        let s = store
            .record_import(&batch("b"), b"b", &overlapping)
            .await
            .unwrap();
        assert_eq!((s.payouts_new, s.payouts_duplicate), (1, 1), "{name}");
        let conflicting = ParsedFile {
            payouts: vec![payout("W4", "1.00"), payout("W1", "1200.05")],
            ..Default::default()
        };
        let err = store
            .record_import(&batch("c"), b"c", &conflicting)
            .await
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("payout W1 was recorded as 1200.5 MYR and is now 1200.05 MYR"),
            "{name}: {err}"
        );
        assert_eq!(
            db.raw_count("payouts").await,
            3,
            "{name}: nothing of the refused file"
        );
        assert_eq!(db.raw_count("import_batches").await, 2);
        let rate: Decimal = d("1");
        let stored: i64 = db
            .raw_count("payouts WHERE exchange_rate = '1' AND bank_account = '****1234'")
            .await;
        assert_eq!(stored, 3, "{name}: rate {rate} normalized");
    }
}

const SHOPS: &str = r#"
[[shop]]
name = "shopify-us"
channel = "shopify"
currency = "USD"
time_zone = "America/New_York"
clearing_account = "1211"

[[shop]]
name = "shopify-eu"
channel = "shopify"
currency = "EUR"
time_zone = "Europe/Berlin"
clearing_account = "1211"
"#;

#[tokio::test]
async fn a_shop_is_named_or_found_by_channel_and_its_currency_is_enforced() {
    let shops = Shops::from_toml(SHOPS).unwrap();
    let bytes = fixture();
    let db = support::sqlite_db().await;
    let err = importer::import_file(db.store(), bytes.as_bytes(), request("o.csv", &shops))
        .await
        .unwrap_err()
        .to_string();
    assert_eq!(
        err,
        "o.csv: shops.toml has 2 shopify shops (shopify-us, shopify-eu): say which with --shop"
    );
    let mut eu = request("o.csv", &shops);
    eu.shop = Some("shopify-eu");
    let err = importer::import_file(db.store(), bytes.as_bytes(), eu)
        .await
        .unwrap_err()
        .to_string();
    assert!(
        err.contains(
            "row 2, value `USD`: order #2001 is in USD, but shop `shopify-eu` books in EUR"
        ),
        "{err}"
    );
    assert_eq!(db.raw_count("import_batches").await, 0);
    let mut us = request("o.csv", &shops);
    us.shop = Some("shopify-us");
    let batch = imported(
        importer::import_file(db.store(), bytes.as_bytes(), us)
            .await
            .unwrap(),
    );
    assert_eq!(batch.shop, "shopify-us");
    assert_eq!(batch.orders_new, 4);
}
