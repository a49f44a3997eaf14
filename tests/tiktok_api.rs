//! TikTok Shop finance API statement transactions (JSON, 202309 flat and
//! 202501 nested): the project's fixtures, with realistic fictional values
//! (a refund, an adjustment, reserves withheld and released, a statement in
//! two pages). The API is not a file anyone exports, so there is no real
//! sample in ../shared/samples.

mod support;

use proptest::prelude::*;
use rust_decimal::Decimal;
use serde_json::{json, Value};
use settlebridge::domain::settlement::ParsedFile;
use settlebridge::domain::shop::NO_SHOPS;
use settlebridge::importer::{self, ImportReport, ImportRequest, SourceKind};
use settlebridge::sources::problems::ParseError;
use settlebridge::sources::tiktok_api::{parse, Options};
use support::{component_total, d};

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures/tiktok")
            .join(name),
    )
    .unwrap()
}

fn v202309() -> Vec<u8> {
    fixture("api-statement-transactions-202309.json")
}

fn v202501() -> Vec<u8> {
    fixture("api-statement-transactions-202501.json")
}

fn run(bytes: &[u8]) -> Result<ParsedFile, ParseError> {
    parse("statement.json", bytes, Options::default())
}

fn accepting(bytes: &[u8]) -> Result<ParsedFile, ParseError> {
    parse(
        "statement.json",
        bytes,
        Options {
            accept_unclassified: true,
            ..Default::default()
        },
    )
}

fn error(result: Result<ParsedFile, ParseError>) -> String {
    result.unwrap_err().to_string()
}

/// The fixture with `change` applied to its JSON.
fn edit(bytes: &[u8], change: impl FnOnce(&mut Value)) -> Vec<u8> {
    let mut value: Value = serde_json::from_slice(bytes).unwrap();
    change(&mut value);
    serde_json::to_vec_pretty(&value).unwrap()
}

fn set(value: &mut Value, pointer: &str, to: Value) {
    *value
        .pointer_mut(pointer)
        .unwrap_or_else(|| panic!("{pointer}")) = to;
}

fn net(p: &ParsedFile, statement: &str) -> Decimal {
    p.lines
        .iter()
        .filter(|l| l.statement_id == statement)
        .map(|l| l.net())
        .sum()
}

#[test]
fn a_202309_statement_in_its_envelope_gives_lines_with_canonical_components() {
    let p = run(&v202309()).unwrap();
    assert_eq!(p.rows_read, 4);
    assert_eq!(p.lines.len(), 4);
    assert_eq!(p.statements.len(), 1);
    let st = &p.statements[0];
    assert_eq!(st.statement_id, "7300000000000000001");
    assert_eq!(st.currency.code(), "USD");
    assert_eq!(st.declared_total, Some(d("68.06")));
    assert_eq!(
        st.period_end.as_ref().unwrap().utc.to_rfc3339(),
        "2026-03-16T00:00:00+00:00"
    );
    assert_eq!(net(&p, "7300000000000000001"), d("68.06"));
    for (code, total) in [
        ("sale.gross", "105.50"),
        ("sale.seller_discount", "-5.00"),
        ("refund.gross", "-25.00"),
        ("fee.referral", "-4.53"),
        ("fee.refund_administration", "-0.30"),
        ("fee.affiliate_commission", "-6.30"),
        ("fee.shipping_label", "-13.39"),
        ("fee.shipping_platform_discount", "7.99"),
        ("sale.shipping_income", "4.99"),
        ("adjustment.logistics_reimbursement", "4.10"),
    ] {
        assert_eq!(component_total(&p, code), d(total), "{code}");
    }
    // Memo figures (customer payment, platform discounts, sales tax) are not booked.
    assert!(p
        .lines
        .iter()
        .flat_map(|l| &l.components)
        .all(|c| c.code.family() != "tax"));
    let sale = &p.lines[0];
    assert_eq!(sale.transaction_type, "ORDER");
    assert_eq!(sale.order_id.as_deref(), Some("576800000000000101"));
    assert_eq!(sale.adjustment_id.as_deref(), Some("7300000000000100001"));
    assert_eq!(sale.net(), d("52.51"));
    assert_eq!(sale.rows[0].row, 1);
    assert!(sale.rows[0].cells[0].contains("\"referral_fee_amount\":\"-3.78\""));
    // Fees are negative at line level, as the API returns them.
    for c in sale.components.iter().filter(|c| c.code.family() == "fee") {
        if c.code.as_str() != "fee.shipping_platform_discount" {
            assert!(c.amount < Decimal::ZERO, "{c:?}");
        }
    }
    let adjustment = &p.lines[3];
    assert_eq!(adjustment.transaction_type, "LOGISTICS_REIMBURSEMENT");
    assert_eq!(
        adjustment.order_id.as_deref(),
        Some("576800000000000101"),
        "the adjustment's order"
    );
    assert_eq!(
        adjustment.adjustment_id.as_deref(),
        Some("7300000000000900001")
    );
}

#[test]
fn a_202501_array_of_pages_and_statements_with_reserves() {
    let p = run(&v202501()).unwrap();
    assert_eq!(p.rows_read, 5);
    assert_eq!(p.lines.len(), 5);
    let ids: Vec<&str> = p
        .statements
        .iter()
        .map(|s| s.statement_id.as_str())
        .collect();
    assert_eq!(ids, ["7400000000000000001", "7400000000000000002"]);
    assert_eq!(p.statements[0].currency.code(), "GBP");
    // `order_create_time` dates a sale booked from the settlement.
    let first = p
        .lines
        .iter()
        .find(|l| l.order_id.as_deref() == Some("578100000000000111"));
    assert_eq!(
        first.unwrap().ordered_at.as_ref().unwrap().utc.timestamp(),
        1_775_128_800
    );
    // What each statement pays: settlement + reserve.
    assert_eq!(p.statements[0].declared_total, Some(d("52.90")));
    assert_eq!(net(&p, "7400000000000000001"), d("52.90"));
    assert_eq!(p.statements[1].declared_total, Some(d("25.65")));
    assert_eq!(net(&p, "7400000000000000002"), d("25.65"));
    for (code, total) in [
        ("sale.gross", "80.00"),
        ("sale.seller_discount", "-4.00"),
        ("fee.shipping_label", "-6.30"),
        ("sale.shipping_income", "2.99"),
        ("fee.shipping_platform_discount", "3.01"),
        ("fee.referral", "-6.84"),
        ("fee.affiliate_commission", "-3.60"),
        ("fee.epr_eco_contribution", "-0.05"),
        ("adjustment.platform_reimbursement", "6.50"),
        ("reserve.hold", "-5.16"),
        ("reserve.release", "12.00"),
    ] {
        assert_eq!(component_total(&p, code), d(total), "{code}");
    }
    let held = &p.lines[0];
    assert_eq!(held.net(), d("25.97"), "28.86 settled, 2.89 withheld");
    let release = &p.lines[3];
    assert_eq!(release.transaction_type, "RESERVE");
    assert_eq!(release.order_id.as_deref(), Some("578100000000000050"));
    assert_eq!(release.rows[0].row, 4, "rows count across pages");
}

#[test]
fn a_money_field_sent_as_a_json_number_is_refused_by_its_path() {
    let bytes = edit(&v202309(), |v| {
        set(
            v,
            "/data/statement_transactions/0/referral_fee_amount",
            json!(-3.78),
        )
    });
    let err = error(run(&bytes));
    assert!(err.contains("statement.json: 1 problem(s)"), "{err}");
    assert!(
        err.contains("row 1, column `data.statement_transactions[0].referral_fee_amount`, value `-3.78`: transaction 7300000000000100001: a JSON number, not a string"),
        "{err}"
    );
}

#[test]
fn a_wrong_settlement_amount_is_refused_with_expected_and_found() {
    let bytes = edit(&v202309(), |v| {
        set(
            v,
            "/data/statement_transactions/0/settlement_amount",
            json!("52.52"),
        )
    });
    let err = error(run(&bytes));
    assert!(err.contains("1 problem(s)"), "{err}");
    assert!(
        err.contains("row 1, column `data.statement_transactions[0].settlement_amount`, value `52.52`: transaction 7300000000000100001: revenue_amount 63.00 + shipping_cost_amount -0.41 + fee_amount -10.08 + adjustment_amount 0 is 52.51, not the settlement_amount the transaction gives"),
        "{err}"
    );

    let bytes = edit(&v202309(), |v| {
        set(v, "/data/settlement_amount", json!("68.16"))
    });
    let err = error(run(&bytes));
    assert!(
        err.contains("column `data.settlement_amount`, value `68.16`: statement 7300000000000000001: its transactions' settlement_amount sum to 68.06"),
        "{err}"
    );
}

#[test]
fn costs_written_as_positive_magnitudes_are_named_not_misread() {
    let bytes = edit(&v202309(), |v| {
        set(
            v,
            "/data/statement_transactions/0/fee_amount",
            json!("10.08"),
        );
        set(
            v,
            "/data/statement_transactions/0/shipping_cost_amount",
            json!("0.41"),
        );
    });
    let err = error(run(&bytes));
    assert!(
        err.contains("value `52.51`: transaction 7300000000000100001: 52.51 is revenue_amount 63.00 − shipping_cost_amount 0.41 − fee_amount 10.08 − adjustment_amount 0: costs written as positive magnitudes"),
        "{err}"
    );
}

#[test]
fn an_unknown_money_field_is_drift_until_accepted() {
    let bytes = edit(&v202501(), |v| {
        let tx = "/0/data/transactions/1";
        v.pointer_mut(&format!("{tx}/fee_tax_breakdown/fee"))
            .and_then(Value::as_object_mut)
            .unwrap()
            .insert("gmv_max_ad_fee_amount".into(), json!("-1.00"));
        set(v, &format!("{tx}/fee_tax_amount"), json!("-3.30"));
        set(v, &format!("{tx}/settlement_amount"), json!("21.70"));
        for page in ["/0/data", "/1/data"] {
            set(
                v,
                &format!("{page}/total_settlement_amount"),
                json!("57.06"),
            );
            set(v, &format!("{page}/payable_amount"), json!("51.90"));
            set(
                v,
                &format!("{page}/total_settlement_breakdown/total_fee_tax_amount"),
                json!("10.14"),
            );
        }
    });
    let err = error(run(&bytes));
    assert!(err.contains("1 problem(s)"), "{err}");
    assert!(
        err.contains("row 2, column `data.transactions[].fee_tax_breakdown.fee.gmv_max_ad_fee_amount`, value `gmv_max_ad_fee_amount`: money the importer has no field for: 1 transaction(s), total -1.00 (rerun accepting unclassified amounts"),
        "{err}"
    );
    let p = accepting(&bytes).unwrap();
    assert_eq!(component_total(&p, "adjustment.unclassified"), d("-1.00"));
    assert_eq!(p.statements[0].declared_total, Some(d("51.90")));
    assert_eq!(net(&p, "7400000000000000001"), d("51.90"));
}

#[test]
fn a_subtotal_its_fields_do_not_explain_is_drift_until_accepted() {
    // 0.50 of fees the 202309 flat fields do not itemize.
    let bytes = edit(&v202309(), |v| {
        set(
            v,
            "/data/statement_transactions/1/fee_amount",
            json!("-2.75"),
        );
        set(
            v,
            "/data/statement_transactions/1/settlement_amount",
            json!("34.75"),
        );
        set(v, "/data/settlement_amount", json!("67.56"));
        set(v, "/data/fee_amount", json!("-11.63"));
    });
    let err = error(run(&bytes));
    assert!(
        err.contains("row 2, column `data.statement_transactions[].fee_amount`, value `fee_amount not itemized by the known fields`: money the importer has no field for: 1 transaction(s), total -0.50"),
        "{err}"
    );
    let p = accepting(&bytes).unwrap();
    assert_eq!(component_total(&p, "adjustment.unclassified"), d("-0.50"));
    assert_eq!(net(&p, "7300000000000000001"), d("67.56"));
}

#[test]
fn shipping_counted_inside_fee_amount_as_sea_responses_do() {
    let bytes = serde_json::to_vec(&json!({
        "statement_id": "7500000000000000001",
        "statement_time": 1_780_000_000,
        "payment_id": "7500000000000009999",
        "currency": "VND",
        "settlement_amount": "326000",
        "statement_transactions": [{
            "id": "7500000000000100001",
            "type": "ORDER",
            "order_id": "585000000000000001",
            "order_create_time": 1_779_900_000,
            "settlement_amount": "326000",
            "revenue_amount": "500000",
            "gross_sales_amount": "800000",
            "seller_discount_amount": "-300000",
            "fee_amount": "-174000",
            "platform_commission_amount": "-75000",
            "affiliate_commission_amount": "-75000",
            "shipping_cost_amount": "-24000",
            "actual_shipping_fee_amount": "-54000",
            "platform_shipping_fee_discount_amount": "30000",
            "adjustment_amount": "0"
        }]
    }))
    .unwrap();
    let p = run(&bytes).unwrap();
    assert_eq!(p.lines[0].net(), d("326000"));
    assert_eq!(component_total(&p, "fee.shipping_label"), d("-54000"));
    assert_eq!(p.statements[0].declared_total, Some(d("326000")));
    assert_eq!(
        p.statements[0].payout_id.as_deref(),
        Some("7500000000000009999")
    );
    assert!(p.warnings.is_empty(), "{:?}", p.warnings);
}

#[test]
fn pages_must_be_complete_unrepeated_and_agree() {
    let missing = edit(&v202501(), |v| {
        v.as_array_mut().unwrap().remove(1);
    });
    let err = error(run(&missing));
    assert!(
        err.contains("column `[0].data.total_count`, value `3`: statement 7400000000000000001 has 3 transactions but the file holds 2: a page is missing"),
        "{err}"
    );

    let repeated = edit(&v202501(), |v| {
        let first = v[0].clone();
        v.as_array_mut().unwrap().push(first);
    });
    let err = error(run(&repeated));
    assert!(
        err.contains("row 6, column `[3].data.transactions[0].id`, value `7400000000000100001`: transaction 7400000000000100001: appears twice in statement 7400000000000000001 (first at `[0].data.transactions[0]`)"),
        "{err}"
    );

    let disagree = edit(&v202501(), |v| {
        set(v, "/1/data/total_settlement_amount", json!("58.07"))
    });
    let err = error(run(&disagree));
    assert!(
        err.contains("column `[1].data.total_settlement_amount`, value `58.07`: statement 7400000000000000001: differs from `58.06` at `[0].data.total_settlement_amount`"),
        "{err}"
    );

    let payable = edit(&v202501(), |v| {
        set(v, "/2/data/payable_amount", json!("25.66"))
    });
    let err = error(run(&payable));
    assert!(
        err.contains("column `[2].data.payable_amount`, value `25.66`: statement 7400000000000000002: total_settlement_amount 13.65 + total_reserve_amount 12.00 is 25.65, not the payable_amount it gives"),
        "{err}"
    );
}

#[test]
fn ids_as_numbers_errors_and_garbage_are_refused() {
    let bytes = edit(&v202309(), |v| {
        set(
            v,
            "/data/statement_transactions/2/order_id",
            json!(576800000000000404u64),
        )
    });
    let err = error(run(&bytes));
    assert!(
        err.contains("row 3, column `data.statement_transactions[2].order_id`, value `576800000000000404`: transaction 7300000000000100003: an id written as a JSON number (18 digits)"),
        "{err}"
    );

    let denied = edit(&v202309(), |v| {
        v["code"] = json!(105005);
        v["message"] = json!("Access denied: the app lacks the Finance scope");
    });
    let err = error(run(&denied));
    assert!(
        err.contains("column `code`, value `105005`: the API answered with an error, not a statement: Access denied"),
        "{err}"
    );

    let err = error(run(b"{\"data\": {\"statement_transactions\": [}"));
    assert!(err.contains("not valid JSON"), "{err}");
    let err = error(run(b"[]"));
    assert!(err.contains("no pages"), "{err}");
    assert!(error(run(b"{\"data\": {\"statements\": []}, \"code\": 0}"))
        .contains("neither `statement_transactions` nor `transactions`"));
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let _ = run(&bytes);
        let _ = importer::detect(&bytes);
    }

    #[test]
    fn mutated_fixtures_never_panic(
        edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8),
        which in any::<bool>(),
    ) {
        let mut bytes = if which { v202309() } else { v202501() };
        for (at, byte) in edits {
            let i = at.index(bytes.len());
            bytes[i] = byte;
        }
        let _ = run(&bytes);
        let _ = accepting(&bytes);
    }

    #[test]
    fn any_value_anywhere_never_panics(
        at in any::<prop::sample::Index>(),
        replacement in prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::from),
            any::<i64>().prop_map(Value::from),
            any::<f64>().prop_map(|f| json!(f)),
            "[ -~]{0,12}".prop_map(Value::from),
            Just(json!({})),
            Just(json!([1, "2", null])),
        ],
        which in any::<bool>(),
    ) {
        let mut value: Value =
            serde_json::from_slice(&if which { v202309() } else { v202501() }).unwrap();
        let mut pointers = Vec::new();
        collect(&value, String::new(), &mut pointers);
        let pointer = &pointers[at.index(pointers.len())];
        *value.pointer_mut(pointer).unwrap() = replacement;
        let bytes = serde_json::to_vec(&value).unwrap();
        let _ = run(&bytes);
        let _ = accepting(&bytes);
    }
}

/// Every JSON pointer in `value`.
fn collect(value: &Value, at: String, out: &mut Vec<String>) {
    out.push(at.clone());
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                collect(v, format!("{at}/{k}"), out);
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                collect(v, format!("{at}/{i}"), out);
            }
        }
        _ => {}
    }
}

fn request(name: &str) -> ImportRequest<'_> {
    ImportRequest {
        file_name: name,
        shop: Some("tiktok-uk"),
        shops: &NO_SHOPS,
        source: None,
        accept_unclassified: false,
        actor: "tester",
    }
}

#[tokio::test]
async fn import_detects_both_versions_and_a_second_import_changes_nothing() {
    let files = [
        (v202309(), "statement-202309.json", 4, 1),
        (v202501(), "statement-202501.json", 5, 2),
    ];
    for (bytes, _, _, _) in &files {
        assert_eq!(importer::detect(bytes), Some(SourceKind::TikTokApi));
    }
    for db in support::all_backends().await {
        let mut lines = 0;
        for (bytes, name, count, statements) in &files {
            let report = importer::import_file(db.store(), bytes, request(name))
                .await
                .unwrap();
            let ImportReport::Imported {
                format,
                batch,
                statements: reported,
                ..
            } = report
            else {
                panic!("{}: {name} not imported", db.name)
            };
            assert_eq!(format, SourceKind::TikTokApi);
            assert_eq!(batch.lines_new, *count, "{}: {name}", db.name);
            assert_eq!(reported.len(), *statements);
            for st in &reported {
                assert_eq!(
                    st.declared_total.as_deref(),
                    Some(st.lines_total.as_str()),
                    "{name}: statement {}",
                    st.statement_id
                );
            }
            lines += count;
            let again = importer::import_file(db.store(), bytes, request(name))
                .await
                .unwrap();
            assert!(
                matches!(again, ImportReport::AlreadyImported { batch: b, .. } if b == batch.id),
                "{}",
                db.name
            );
        }
        assert_eq!(db.raw_count("settlement_lines").await, lines);
        assert_eq!(db.raw_count("statements").await, 3);
    }
}
