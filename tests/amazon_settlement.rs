//! Amazon's legacy settlement flat file: the project's fixture (with the
//! real files' traps) and the real samples in ../shared/samples.

mod support;

use std::path::PathBuf;

use rust_decimal::Decimal;
use settlebridge::domain::settlement::ParsedFile;
use settlebridge::sources::amazon_settlement::{parse, Options};
use settlebridge::sources::problems::ParseError;
use support::{component_total, d, sample};

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/amazon")
        .join(name)
}

fn parse_file(path: &PathBuf) -> Result<ParsedFile, ParseError> {
    let name = path.file_name().unwrap().to_string_lossy().to_string();
    parse(
        &name,
        std::fs::File::open(path).unwrap(),
        Options::default(),
    )
}

fn net_total(p: &ParsedFile) -> Decimal {
    p.lines.iter().map(|l| l.net()).sum()
}

#[test]
fn the_fixture_parses_into_lines_that_sum_to_the_deposit() {
    let p = parse_file(&fixture("settlement-legacy-36col.txt")).unwrap();
    assert_eq!(p.statements[0].statement_id, "11122233344");
    assert_eq!(p.statements[0].declared_total.unwrap(), d("74.41"));
    assert_eq!(p.statements[0].currency.code(), "USD");
    assert_eq!(
        p.statements[0].deposit_date.as_ref().unwrap().raw,
        "2026-01-17T08:00:00+00:00"
    );
    assert_eq!(net_total(&p), d("74.41"));
    // The settlement is its own payout.
    assert_eq!(p.payouts.len(), 1);
    let payout = &p.payouts[0];
    assert_eq!(payout.payout_id, "11122233344");
    assert_eq!(payout.amount, d("74.41"));
    assert_eq!(payout.currency.code(), "USD");
    assert_eq!(
        payout.paid_at.as_ref().unwrap().utc.to_rfc3339(),
        "2026-01-17T08:00:00+00:00"
    );
    assert_eq!(payout.source.as_ref().unwrap().row, 2);
    // Order 1 (6 rows incl. the quantity-only row) is one line; order 2's sale
    // and its refund are two; then ads, ads tax, two reserve rows, damage.
    assert_eq!(p.lines.len(), 8);
    let order1 = &p.lines[0];
    assert_eq!(order1.order_id.as_deref(), Some("111-0000001-0000001"));
    assert_eq!(order1.rows.len(), 6);
    assert_eq!(
        order1.rows[0].row, 3,
        "file line numbers: header 1, summary 2"
    );
    assert_eq!(order1.net(), d("37.09"));
    let refund = &p.lines[2];
    assert_eq!(
        (
            refund.transaction_type.as_str(),
            refund.adjustment_id.as_deref()
        ),
        ("Refund", Some("ADJ2"))
    );
    assert_eq!(refund.net(), d("-26.40"));
    assert_eq!(component_total(&p, "sale.gross"), d("79.99"));
    assert_eq!(component_total(&p, "sale.shipping_income"), d("5.99"));
    assert_eq!(component_total(&p, "sale.seller_discount"), d("-5.99"));
    assert_eq!(component_total(&p, "fee.commission"), d("-12.00"));
    assert_eq!(component_total(&p, "refund.gross"), d("-30.00"));
    assert_eq!(component_total(&p, "refund.fee_reversal"), d("4.50"));
    assert_eq!(component_total(&p, "fee.refund_commission"), d("-0.90"));
    assert_eq!(component_total(&p, "fee.advertising"), d("-20.00"));
    assert_eq!(component_total(&p, "tax.on_fees"), d("-1.00"));
    assert_eq!(component_total(&p, "reserve.release"), d("100.00"));
    assert_eq!(component_total(&p, "reserve.hold"), d("-60.00"));
    assert_eq!(component_total(&p, "adjustment.reimbursement"), d("19.22"));
}

fn edited(from: &str, to: &str) -> Vec<u8> {
    let text = std::fs::read_to_string(fixture("settlement-legacy-36col.txt")).unwrap();
    assert!(text.contains(from), "{from}");
    text.replacen(from, to, 1).into_bytes()
}

fn problems_of(bytes: Vec<u8>, options: Options) -> String {
    match parse("edited.txt", bytes.as_slice(), options) {
        Err(e) => e.to_string(),
        Ok(p) => panic!("should be refused, parsed {} lines", p.lines.len()),
    }
}

#[test]
fn a_bad_amount_names_row_column_and_value() {
    let text = problems_of(edited("-7.50", "-7.5O"), Options::default());
    assert!(
        text.starts_with("edited.txt: 1 problem(s); nothing was imported"),
        "{text}"
    );
    assert!(
        text.contains(
            "row 7, column `item-related-fee-amount`, value `-7.5O`: `-7.5O` is not an amount"
        ),
        "{text}"
    );
}

#[test]
fn a_file_that_does_not_add_up_is_refused() {
    let text = problems_of(edited("\t74.41\t", "\t74.42\t"), Options::default());
    assert!(
        text.contains(
            "row 2, column `total-amount`, value `74.42`: the detail rows sum to 74.41 USD"
        ),
        "{text}"
    );
}

#[test]
fn unknown_amount_types_stop_the_import_unless_accepted() {
    let bytes = edited("Cost of Advertising", "Brand New Fee");
    let text = problems_of(bytes.clone(), Options::default());
    assert!(
        text.contains("column `item-related-fee-type`, value `Brand New Fee`: unknown amount type: 1 row(s) totalling -20.00 USD"),
        "{text}"
    );
    let p = parse(
        "edited.txt",
        bytes.as_slice(),
        Options {
            accept_unclassified: true,
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(component_total(&p, "adjustment.unclassified"), d("-20.00"));
    assert_eq!(net_total(&p), d("74.41"), "accepted drift is still counted");
}

#[test]
fn invalid_utf8_and_other_formats_are_refused_clearly() {
    let mut bytes = edited("MUG-RED", "MUG-R\u{fffd}D");
    let at = bytes
        .windows(3)
        .position(|w| w == "\u{fffd}".as_bytes())
        .unwrap();
    bytes.splice(at..at + 3, [0xff]);
    let text = problems_of(bytes, Options::default());
    assert!(
        text.contains("row 3, column `sku`: not valid UTF-8"),
        "{text}"
    );
    let err = parse(
        "orders.csv",
        "Name,Email\n#1001,a@b.c\n".as_bytes(),
        Options::default(),
    )
    .unwrap_err();
    assert!(
        err.to_string()
            .contains("not an Amazon settlement flat file"),
        "{err}"
    );
    let err = parse("empty.txt", "".as_bytes(), Options::default()).unwrap_err();
    assert_eq!(err.to_string(), "empty.txt: the file is empty");
}

#[test]
fn real_settlement_50065020384_sums_to_10015_64_cad() {
    let Some(path) = sample("amazon-adwweaver_50065020384.txt") else {
        return;
    };
    let p = parse_file(&path).unwrap();
    assert_eq!(p.statements[0].declared_total.unwrap(), d("10015.64"));
    assert_eq!(p.statements[0].currency.code(), "CAD");
    assert_eq!(net_total(&p), d("10015.64"));
    let orders = p
        .lines
        .iter()
        .filter(|l| l.transaction_type == "Order")
        .count();
    assert!(orders > 250, "{orders} order lines");
    assert_eq!(
        p.lines
            .iter()
            .filter(|l| l.transaction_type == "Refund")
            .count(),
        3
    );
    assert!(component_total(&p, "fee.commission") < Decimal::ZERO);
}

#[test]
fn real_settlement_50034020328_with_refunds_ads_and_damage() {
    let Some(path) = sample("amazon-adwweaver_50034020328.txt") else {
        return;
    };
    let p = parse_file(&path).unwrap();
    assert_eq!(net_total(&p), p.statements[0].declared_total.unwrap());
    assert!(component_total(&p, "fee.advertising") < Decimal::ZERO);
    assert!(component_total(&p, "adjustment.reimbursement") > Decimal::ZERO);
    assert_eq!(component_total(&p, "adjustment.micro_deposit"), d("-0.01"));
}

#[test]
fn real_settlement_50011020300_has_33_columns_and_a_negative_total() {
    let Some(path) = sample("amazon-adwweaver_50011020300.txt") else {
        return;
    };
    let p = parse_file(&path).unwrap();
    assert!(p.statements[0].declared_total.unwrap() < Decimal::ZERO);
    assert_eq!(net_total(&p), p.statements[0].declared_total.unwrap());
    // A negative settlement is a negative payout (Amazon charged the card).
    assert_eq!(p.payouts[0].amount, d("-321.69"));
    assert_eq!(p.lines.len(), 3);
}
