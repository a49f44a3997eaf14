//! Shopify orders export: the project's fixture (multi-row orders, a
//! discount code, two taxes, duties, refunds, a cancelled order, a quoted
//! multi-line note), the real export in ../shared/samples, broken copies,
//! and hostile bytes.

mod support;

use proptest::prelude::*;
use rust_decimal::Decimal;
use settlebridge::domain::order::Order;
use settlebridge::domain::settlement::ParsedFile;
use settlebridge::sources::shopify_orders::parse;
use settlebridge::sources::ParseOptions;
use support::{d, sample};

fn fixture() -> String {
    std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/shopify/orders-export.csv"
    ))
    .unwrap()
}

fn parsed(text: &str) -> ParsedFile {
    parse("orders.csv", text.as_bytes(), ParseOptions::default()).unwrap_or_else(|e| panic!("{e}"))
}

fn order<'a>(p: &'a ParsedFile, name: &str) -> &'a Order {
    p.orders
        .iter()
        .find(|o| o.order_id == name)
        .unwrap_or_else(|| panic!("no order {name}"))
}

fn net(o: &Order) -> Decimal {
    o.amounts
        .iter()
        .chain(o.lines.iter().flat_map(|l| l.amounts.iter()))
        .map(|c| c.amount)
        .sum()
}

fn error(text: &str) -> String {
    parse("broken.csv", text.as_bytes(), ParseOptions::default())
        .unwrap_err()
        .to_string()
}

#[test]
fn the_fixture_gives_each_order_once_with_its_lines_and_amounts() {
    let p = parsed(&fixture());
    assert_eq!(p.rows_read, 6);
    assert_eq!(p.orders.len(), 4);
    assert!(p.lines.is_empty() && p.statements.is_empty());

    let o = order(&p, "#2001");
    assert_eq!(o.lines.len(), 2);
    assert_eq!(o.alt_id.as_deref(), Some("5550000002001"));
    assert_eq!(o.status.as_deref(), Some("paid"));
    assert_eq!(o.currency.code(), "USD");
    assert_eq!(
        o.created_at.as_ref().unwrap().utc.to_rfc3339(),
        "2026-03-02T14:15:09+00:00"
    );
    assert_eq!(o.amount("sale.gross"), d("120.00"), "2 × 45.00 + 30.00");
    assert_eq!(
        o.amount("sale.seller_discount"),
        d("-12.00"),
        "the order's Discount Amount once; the line discounts (9.00 + 3.00) are inside it"
    );
    assert_eq!(o.amount("sale.shipping_income"), d("7.95"));
    let taxes: Vec<(&str, Decimal)> = o
        .amounts
        .iter()
        .filter(|c| c.code.as_str() == "tax.collected")
        .map(|c| (c.label.as_str(), c.amount))
        .collect();
    assert_eq!(
        taxes,
        vec![
            ("MA State Tax 6.25%", d("7.75")),
            ("Local Tax 1.95%", d("2.11"))
        ]
    );
    assert_eq!(o.total, Some(d("125.81")));
    assert_eq!(net(o), d("125.81"));
    assert_eq!(o.lines[1].unit_price, Some(d("30.00")));
    assert_eq!(o.lines[0].quantity, d("2"));
    assert_eq!(o.lines[0].sku.as_deref(), Some("CBK-L"));

    // The quoted multi-line note makes row 2 span two lines: #2001's second
    // item is on line 4, and personal data is blanked in the stored cells.
    assert_eq!(o.rows.iter().map(|r| r.row).collect::<Vec<_>>(), vec![2, 4]);
    let joined = o.rows[0].cells.join("|");
    assert!(
        !joined.contains("ana@example.test") && !joined.contains("Test Way"),
        "{joined}"
    );
    assert!(
        joined.contains("MA State Tax"),
        "the books' own figures stay"
    );

    let refunded = order(&p, "#2002");
    assert_eq!(refunded.refunded, Some(d("150.00")));
    assert_eq!(refunded.status.as_deref(), Some("partially_refunded"));
    assert_eq!(
        refunded.lines[0].name,
        "Espresso Machine \"Pro\" 64\" counter"
    );

    let cancelled = order(&p, "#2003");
    assert_eq!(cancelled.lines.len(), 2);
    assert_eq!(
        cancelled.amount("sale.gross"),
        d("57.50"),
        "12.50 + 3 × 15.00"
    );
    assert_eq!(
        cancelled.status.as_deref(),
        Some("refunded (cancelled 2026-03-09 11:30:00 -0500)")
    );

    let duties = order(&p, "#2004");
    assert_eq!(duties.amount("tax.duties"), d("41.20"));
    assert_eq!(net(duties), d("2476.20"));

    let all: Decimal = p.orders.iter().filter_map(|o| o.total).sum();
    assert_eq!(all, d("3913.51"), "125.81 + 1249.00 + 62.50 + 2476.20");
}

#[test]
fn tax_inclusive_prices_reclassify_the_tax_out_of_the_gross() {
    // Total = Subtotal + Shipping: the 9.86 tax sits inside the prices.
    let text = fixture().replacen("108.00,7.95,9.86,125.81", "108.00,7.95,9.86,115.95", 1);
    let p = parsed(&text);
    let o = order(&p, "#2001");
    assert_eq!(o.amount("tax.collected"), d("9.86"));
    assert_eq!(o.amount("sale.tax_included"), d("-9.86"));
    assert_eq!(net(o), d("115.95"));
}

#[test]
fn the_real_export_imports_every_order_once() {
    let Some(path) = sample("shopify-ramkumar_orders_export_1.csv") else {
        return;
    };
    let text = std::fs::read_to_string(path).unwrap();
    let p = parsed(&text);
    assert_eq!(p.rows_read, 121);
    assert_eq!(p.orders.len(), 51);
    assert_eq!(p.orders.iter().map(|o| o.lines.len()).sum::<usize>(), 121);
    assert!(p.orders.iter().all(|o| o.currency.code() == "INR"));
    // Independent sums of the file's columns (awk over Total, Taxes and
    // Lineitem price × quantity).
    let totals: Decimal = p.orders.iter().filter_map(|o| o.total).sum();
    assert_eq!(totals, d("590683.29"));
    let gross: Decimal = p.orders.iter().map(|o| o.amount("sale.gross")).sum();
    assert_eq!(gross, d("585942.00"));
    let tax: Decimal = p.orders.iter().map(|o| o.amount("tax.collected")).sum();
    assert_eq!(tax, d("4741.29"));
    let o = order(&p, "#1002");
    let labels: Vec<&str> = o
        .amounts
        .iter()
        .filter(|c| c.code.as_str() == "tax.collected")
        .map(|c| c.label.as_str())
        .collect();
    assert_eq!(labels, vec!["CGST 9%", "SGST 9%"]);
    assert_eq!(order(&p, "#1050").lines.len(), 4);
    for o in &p.orders {
        assert_eq!(Some(net(o)), o.total, "{}", o.order_id);
    }
}

#[test]
fn broken_copies_name_row_column_and_value() {
    let err = error(&fixture().replacen("125.81", "125.18", 1));
    assert!(err.contains("1 problem(s); nothing was imported"), "{err}");
    assert!(
        err.contains("row 2, column `total`, value `125.18`: order #2001: subtotal, shipping, taxes and duties make 125.81"),
        "{err}"
    );

    let err = error(&fixture().replacen(",108.00,", ",118.00,", 1));
    assert!(
        err.contains("column `subtotal`, value `118.00`: order #2001: line items 120.00 less discount 12.00 make 108.00"),
        "{err}"
    );

    let err =
        error(&fixture().replacen("1249.00,0.00,0.00,1249.00", "12x9.00,0.00,0.00,1249.00", 1));
    assert!(
        err.contains("row 5, column `subtotal`, value `12x9.00`"),
        "{err}"
    );

    // A continuation row that carries order-level figures of its own.
    let err = error(&fixture().replacen(
        "#2003,cy@example.test,,,,,,,,,,",
        "#2003,cy@example.test,,,,,,USD,1.00,,,1.00",
        1,
    ));
    assert!(
        err.contains("order #2003 has its order-level figures on rows 6 and 7"),
        "{err}"
    );

    // An order whose first row is missing.
    let text: String = fixture()
        .lines()
        .filter(|l| !l.starts_with("#2002"))
        .chain(std::iter::once(
            "#2009,x@example.test,,,,,,,,,,,,,,2026-03-05 18:39:58 -0500,1,Thing,5.00",
        ))
        .collect::<Vec<_>>()
        .join("\n");
    let err = error(&text);
    assert!(
        err.contains("order #2009 has no row with its order-level figures"),
        "{err}"
    );

    let err = error("Name,Total\n#1,5\n");
    assert!(err.contains("not a Shopify orders export"), "{err}");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let _ = parse("random.csv", bytes.as_slice(), ParseOptions::default());
    }

    #[test]
    fn mutated_fixtures_never_panic(edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..16)) {
        let mut bytes = fixture().into_bytes();
        for (at, byte) in edits {
            let i = at.index(bytes.len());
            bytes[i] = byte;
        }
        let _ = parse("mutated.csv", bytes.as_slice(), ParseOptions::default());
    }
}
