//! TikTok Shop order export (CSV and XLSX): the project's fixtures, shaped
//! like the real export (BOM, trailing TABs, description row, repeated
//! order-level amounts, 18-digit ids, a cancelled order; US and TH date
//! orders). No real TikTok order export exists in ../shared/samples.

mod support;
#[path = "support/tiktok_orders_xlsx.rs"]
mod tiktok_orders_xlsx;

use proptest::prelude::*;
use rust_decimal::Decimal;
use settlebridge::domain::order::Order;
use settlebridge::domain::settlement::ParsedFile;
use settlebridge::domain::shop::Shops;
use settlebridge::importer::{self, ImportReport, ImportRequest, SourceKind};
use settlebridge::sources::problems::ParseError;
use settlebridge::sources::tiktok_orders::{parse, Options};
use support::d;
use tiktok_orders_xlsx::{workbook_from_csv, Shape};

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures/tiktok")
            .join(name),
    )
    .unwrap()
}

fn us() -> Vec<u8> {
    fixture("orders-export-us.csv")
}

fn options(zone: &str, currency: &str) -> Options {
    Options {
        shop_zone: Some(zone.parse().unwrap()),
        shop_currency: Some(currency.parse().unwrap()),
        ..Default::default()
    }
}

fn us_options() -> Options {
    options("America/Los_Angeles", "USD")
}

fn parse_us(bytes: &[u8]) -> Result<ParsedFile, ParseError> {
    parse("orders.csv", bytes, us_options())
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).unwrap()
}

fn error(result: Result<ParsedFile, ParseError>) -> String {
    result.unwrap_err().to_string()
}

/// Σ of one code over every order of a file (order- and line-level).
fn total(p: &ParsedFile, code: &str) -> Decimal {
    p.orders.iter().map(|o| o.amount(code)).sum()
}

fn order<'p>(p: &'p ParsedFile, id: &str) -> &'p Order {
    p.orders.iter().find(|o| o.order_id == id).unwrap()
}

/// Every component of an order, order- and line-level, summed.
fn order_net(o: &Order) -> Decimal {
    o.amounts
        .iter()
        .chain(o.lines.iter().flat_map(|l| l.amounts.iter()))
        .map(|c| c.amount)
        .sum()
}

#[test]
fn the_us_export_gives_orders_with_their_lines_and_order_level_amounts_once() {
    let p = parse_us(&us()).unwrap();
    assert_eq!(p.rows_read, 5, "the description row is not a data row");
    assert_eq!(p.orders.len(), 3);
    assert_eq!(p.orders.iter().map(|o| o.lines.len()).sum::<usize>(), 5);
    assert_eq!(p.header[0], "Order ID", "BOM gone from the header");
    assert!(
        p.warnings
            .iter()
            .any(|w| w.contains("row 2: the row of field descriptions")),
        "{:?}",
        p.warnings
    );
    assert_eq!(p.warnings.len(), 1, "{:?}", p.warnings);

    let a = order(&p, "576800000000000101");
    assert_eq!(a.rows.len(), 2);
    assert_eq!(
        a.rows[0].row, 3,
        "header line 1, description 2, first order 3"
    );
    assert!(
        a.rows[0].cells[0].ends_with('\t'),
        "raw cells kept as written"
    );
    assert_eq!(a.status.as_deref(), Some("Completed / Delivered"));
    assert_eq!(a.currency.code(), "USD");
    // Repeated on both SKU rows, taken once.
    assert_eq!(a.total, Some(d("71.43")));
    assert_eq!(a.refunded, Some(d("0.00")));
    assert_eq!(a.amount("tax.collected"), d("5.44"));
    assert_eq!(a.amount("sale.shipping_income"), d("7.99"));
    assert_eq!(a.amount("sale.shipping_seller_discount"), d("-1.00"));
    assert_eq!(a.amount("sale.shipping_platform_discount"), d("-2.00"));
    assert_eq!(
        a.amount("sale.shipping_platform_discount_funded"),
        d("2.00")
    );
    assert_eq!(a.amount("sale.gross"), d("68.00"));
    assert_eq!(a.amount("sale.seller_discount"), d("-5.00"));
    assert_eq!(a.amount("sale.platform_discount"), d("-2.00"));
    assert_eq!(a.amount("sale.platform_discount_funded"), d("2.00"));
    assert_eq!(a.amount("tax.withheld_by_marketplace"), d("-5.44"));
    // What the brand is owed: gross − seller discounts, shipping less the
    // seller's shipping discount; platform discounts and the facilitator
    // tax net to zero.
    assert_eq!(order_net(a), d("68.00") - d("5.00") + d("7.99") - d("1.00"));
    assert_eq!(
        a.created_at.as_ref().unwrap().utc.to_rfc3339(),
        "2026-03-01T18:00:00+00:00",
        "03/01/2026 10:00:00 AM in Los Angeles (PST)"
    );
    assert_eq!(a.created_at.as_ref().unwrap().raw, "03/01/2026 10:00:00 AM");
    let tee = &a.lines[0];
    assert_eq!(tee.sku.as_deref(), Some("TEE-BLK-M"), "trailing TAB gone");
    assert_eq!(tee.sku_id.as_deref(), Some("1729500000000000011"));
    assert_eq!(tee.name, "Classic Tee (Black, M)");
    assert_eq!(tee.quantity, d("2"));
    assert_eq!(tee.unit_price, Some(d("25.00")));

    let b = order(&p, "576800000000000202");
    assert_eq!(b.status.as_deref(), Some("Shipped / In transit"));
    assert_eq!(
        b.created_at.as_ref().unwrap().utc.to_rfc3339(),
        "2026-03-15T04:30:12+00:00",
        "03/14/2026 09:30:12 PM in Los Angeles (PDT since March 8)"
    );
    assert_eq!(b.amount("tax.retail_delivery_fee"), d("0.28"));
    assert_eq!(b.amount("tax.withheld_by_marketplace"), d("-2.98"));
    assert_eq!(b.amount("sale.shipping_income"), d("5.99"));
    assert_eq!(b.amount("sale.shipping_platform_discount"), d("-5.99"));

    let c = order(&p, "576800000000000303");
    assert_eq!(c.status.as_deref(), Some("Canceled"));
    assert_eq!(c.total, Some(d("54.43")));
    assert_eq!(c.refunded, Some(d("54.43")));
    assert_eq!(
        c.amount("tax.collected"),
        d("3.44"),
        "blank on the continuation row is no conflict"
    );

    // Not double-counted across SKU rows.
    let totals: Decimal = p.orders.iter().filter_map(|o| o.total).sum();
    assert_eq!(totals, d("162.59"), "71.43 + 36.73 + 54.43");
    assert_eq!(total(&p, "sale.gross"), d("148.50"));
    assert_eq!(total(&p, "tax.collected"), d("11.58"));
    assert_eq!(total(&p, "sale.shipping_income"), d("21.97"));
    assert_eq!(total(&p, "sale.seller_discount"), d("-5.00"));
    assert_eq!(
        total(&p, "sale.platform_discount") + total(&p, "sale.platform_discount_funded"),
        Decimal::ZERO
    );
}

#[test]
fn the_th_export_reads_day_first_dates_and_keeps_thai_statuses() {
    let p = parse(
        "th.csv",
        fixture("orders-export-th.csv").as_slice(),
        options("Asia/Bangkok", "THB"),
    )
    .unwrap();
    assert_eq!(p.orders.len(), 2);
    assert_eq!(p.rows_read, 3);
    assert!(p.warnings.is_empty(), "{:?}", p.warnings);
    let o = order(&p, "583870900000000001");
    assert_eq!(o.lines.len(), 2);
    assert_eq!(o.total, Some(d("296")));
    assert_eq!(o.status.as_deref(), Some("จัดส่งแล้ว / จัดส่งสำเร็จ"));
    assert_eq!(
        o.created_at.as_ref().unwrap().utc.to_rfc3339(),
        "2026-05-10T15:05:43+00:00",
        "10/05/2026 22:05:43 is 10 May in Bangkok (UTC+7)"
    );
    assert_eq!(o.amount("sale.shipping_income"), d("48"));
    assert_eq!(o.amount("tax.withheld_by_marketplace"), Decimal::ZERO);
    let cancelled = order(&p, "583870900000000002");
    assert_eq!(cancelled.status.as_deref(), Some("ยกเลิกแล้ว"));
    assert_eq!(cancelled.refunded, Some(d("67")));
}

#[test]
fn a_repeated_order_amount_that_differs_names_both_rows() {
    let t = text(&us());
    // The second SKU row of order 101 (line 4) says 71.44.
    let lines: Vec<&str> = t.split("\r\n").collect();
    let changed = lines[3].replacen(",71.43,", ",71.44,", 1);
    let broken = t.replacen(lines[3], &changed, 1);
    let err = error(parse_us(broken.as_bytes()));
    assert!(
        err.contains("orders.csv: 1 problem(s); nothing was imported"),
        "{err}"
    );
    assert!(
        err.contains("row 4, column `order amount`, value `71.44`: order 576800000000000101: differs from `71.43` on row 3 of the same order"),
        "{err}"
    );
}

#[test]
fn undecidable_and_contradictory_dates_are_problems() {
    let th = text(&fixture("orders-export-th.csv"));
    // Without 13/05 every date has both fields ≤ 12 on a 24-hour clock.
    let undecidable = th.replace("13/05/2026", "12/05/2026");
    let err = error(parse(
        "th.csv",
        undecidable.as_bytes(),
        options("Asia/Bangkok", "THB"),
    ));
    assert!(
        err.contains("cannot tell whether the file's dates are DD/MM/YYYY or MM/DD/YYYY"),
        "{err}"
    );
    assert!(
        err.contains("row 2, column `created time`, value `10/05/2026 22:05:43`"),
        "{err}"
    );

    let contradictory = text(&us()).replacen("03/05/2026 02:33:10 PM", "15/03/2026 02:33:10 PM", 1);
    let err = error(parse_us(contradictory.as_bytes()));
    assert!(
        err.contains("the file's dates contradict each other"),
        "{err}"
    );
    assert!(
        err.contains(
            "`15/03/2026 02:33:10 PM` (row 3, column `delivered time`) can only be DD/MM/YYYY"
        ),
        "{err}"
    );
}

#[test]
fn no_zone_or_no_currency_is_a_problem_not_a_guess() {
    let err = error(parse("orders.csv", us().as_slice(), Options::default()));
    assert!(err.contains("2 problem(s)"), "{err}");
    assert!(
        err.contains("row 1, column `created time`: the export's times name no time zone"),
        "{err}"
    );
    assert!(
        err.contains("row 1: the order export names no currency"),
        "{err}"
    );
}

#[test]
fn broken_cells_are_reported_with_their_place() {
    let t = text(&us());
    let broken = t
        // Unit price × quantity no longer gives the subtotal (row 3).
        .replacen(",2,0,25.00,50.00,", ",2,0,25.00,49.00,", 1)
        // A bad amount on row 5.
        .replacen(",37.50,", ",37.5O,", 1)
        // An id that is not one on row 6.
        .replacen("576800000000000303\t", "57680000000000030X", 1);
    let err = error(parse_us(broken.as_bytes()));
    assert!(err.contains("row 3, column `sku subtotal before discount`, value `49.00`: SKU Unit Original Price 25.00 × Quantity 2 is 50.00, not the SKU Subtotal Before Discount the row gives"), "{err}");
    assert!(
        err.contains("row 6, column `order id`, value `57680000000000030X`: not an order id"),
        "{err}"
    );
    assert!(
        err.contains(
            "row 5, column `sku subtotal before discount`, value `37.5O`: `37.5O` is not an amount"
        ),
        "{err}"
    );
    assert!(err.contains("3 problem(s)"), "{err}");
}

#[test]
fn relations_no_document_states_are_warnings_with_expected_and_found() {
    let t = text(&us());
    // Order 202 says 36.74 on its only row: Σ after + shipping + taxes + RDF is 36.73.
    let off = t.replacen(",36.73,", ",36.74,", 1);
    let p = parse_us(off.as_bytes()).unwrap();
    assert!(
        p.warnings.iter().any(|w| w.contains(
            "row 5: order 576800000000000202 (row 5): Σ SKU Subtotal After Discount 33.75 + Shipping Fee After Discount 0.00 + Taxes 2.70 + Retail Delivery Fee 0.28 − Payment platform discount 0.00 is 36.73, but Order Amount is 36.74"
        )),
        "{:?}",
        p.warnings
    );
}

#[test]
fn the_xlsx_export_reads_like_the_csv_despite_an_understated_dimension() {
    let csv = parse_us(&us()).unwrap();
    let xlsx = workbook_from_csv(&us(), Shape::default());
    let p = parse("orders.xlsx", &xlsx, us_options()).unwrap();
    assert_eq!(
        p.rows_read, 5,
        "every row read although <dimension> says A1:U2"
    );
    assert_eq!(p.orders.len(), 3);
    for (a, b) in csv.orders.iter().zip(&p.orders) {
        assert_eq!(a.order_id, b.order_id);
        assert_eq!(a.total, b.total);
        assert_eq!(a.content_hash(), b.content_hash(), "order {}", a.order_id);
        assert_eq!(a.created_at, b.created_at);
    }
    assert_eq!(p.orders[0].rows[0].sheet.as_deref(), Some("OrderSKUList"));
    assert_eq!(total(&p, "sale.gross"), d("148.50"));
}

#[test]
fn xlsx_ids_typed_as_numbers_have_lost_digits_and_are_refused() {
    let xlsx = workbook_from_csv(
        &us(),
        Shape {
            ids_as_numbers: true,
            ..Shape::default()
        },
    );
    let err = error(parse("orders.xlsx", &xlsx, us_options()));
    assert!(
        err.contains("row 3, column `order id`, value `576800000000000100`: an id typed as a number in the workbook has lost digits (a number keeps 15, this id has 18)"),
        "{err}"
    );
}

#[test]
fn a_description_row_is_only_dropped_right_under_the_header() {
    let t = text(&us());
    let lines: Vec<&str> = t.split("\r\n").collect();
    // Move the description row below the first order row: now it is a bad row.
    let moved = [lines[0], lines[2], lines[1]]
        .into_iter()
        .chain(lines[3..].iter().copied())
        .collect::<Vec<_>>()
        .join("\r\n");
    let err = error(parse_us(moved.as_bytes()));
    assert!(
        err.contains("column `order id`, value `Platform unique order ID.`: not an order id"),
        "{err}"
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let _ = parse_us(&bytes);
    }

    #[test]
    fn mutated_exports_never_panic(
        edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..12),
        cut in any::<prop::sample::Index>(),
    ) {
        let mut bytes = us();
        for (at, byte) in edits {
            let i = at.index(bytes.len());
            bytes[i] = byte;
        }
        let _ = parse_us(&bytes);
        let end = cut.index(bytes.len());
        let _ = parse_us(&bytes[..end]);
    }

    #[test]
    fn mutated_workbooks_never_panic(
        edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..6),
    ) {
        let mut bytes = workbook_from_csv(&us(), Shape::default());
        for (at, byte) in edits {
            let i = at.index(bytes.len());
            bytes[i] = byte;
        }
        let _ = parse("orders.xlsx", &bytes, us_options());
    }
}

/// The shop the export belongs to: its zone and currency are not in the file.
static SHOPS: std::sync::LazyLock<Shops> = std::sync::LazyLock::new(|| {
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
});

fn request(name: &str) -> ImportRequest<'_> {
    ImportRequest {
        file_name: name,
        shop: Some("tiktok-us"),
        shops: &SHOPS,
        source: None,
        accept_unclassified: false,
        actor: "tester",
    }
}

#[tokio::test]
async fn import_detects_the_csv_and_the_xlsx_export_and_a_second_import_changes_nothing() {
    let csv = us();
    let xlsx = workbook_from_csv(&us(), Shape::default());
    assert_eq!(importer::detect(&csv), Some(SourceKind::TikTokOrders));
    assert_eq!(importer::detect(&xlsx), Some(SourceKind::TikTokOrders));
    for db in support::all_backends().await {
        for (bytes, name) in [(&csv, "orders.csv"), (&xlsx, "orders.xlsx")] {
            let report = importer::import_file(db.store(), bytes, request(name))
                .await
                .unwrap();
            let ImportReport::Imported { format, batch, .. } = report else {
                panic!("{}: {name} not imported", db.name)
            };
            assert_eq!(format, SourceKind::TikTokOrders);
            assert_eq!(batch.rows_read, 5, "{}", db.name);
            let orders = parse(name, bytes, us_options()).unwrap().orders.len() as i64;
            // The CSV stored the orders; the same orders as XLSX are duplicates.
            let expected = if name.ends_with(".csv") {
                (orders, 0)
            } else {
                (0, orders)
            };
            assert_eq!(
                (batch.orders_new, batch.orders_duplicate),
                expected,
                "{}: {name}",
                db.name
            );
            assert_eq!(
                batch.lines_new, 0,
                "an order export has no settlement lines"
            );
            let again = importer::import_file(db.store(), bytes, request(name))
                .await
                .unwrap();
            assert!(
                matches!(again, ImportReport::AlreadyImported { batch: b, .. } if b == batch.id),
                "{}",
                db.name
            );
        }
        assert_eq!(db.raw_count("import_batches").await, 2);
        assert_eq!(db.raw_count("settlement_lines").await, 0);
        assert!(db.raw_count("orders").await > 0);
    }
}
