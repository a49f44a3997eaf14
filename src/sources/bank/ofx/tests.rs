use std::path::PathBuf;
use std::str::FromStr;

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::parse_ofx;

/// The project's bank fixtures: `SETTLEBRIDGE_BANK_FIXTURES`, else
/// `fixtures/bank` of the project.
fn fixture(name: &str) -> String {
    let dir = std::env::var_os("SETTLEBRIDGE_BANK_FIXTURES")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/bank"));
    let path = dir.join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

const SGML: &str = "ofx-sgml-duplicate-fitid.ofx";
const CC: &str = "ofx-xml-creditcard.ofx";

#[test]
fn sgml_checking_statement_with_an_identical_duplicate_kept_once() {
    let p = parse_ofx(fixture(SGML).as_bytes(), SGML).unwrap();
    assert_eq!(
        p.warnings,
        ["FITID 202603100003 appears twice with the same content (rows 59 and 75); kept once"]
    );
    assert_eq!(p.statements.len(), 1);
    let s = &p.statements[0];
    assert_eq!(s.account.as_deref(), Some("000987654321"));
    assert_eq!(s.currency.code(), "USD");
    assert_eq!(
        (s.from, s.to),
        (Some(day("2026-03-01")), Some(day("2026-03-31")))
    );
    assert_eq!((s.opening, s.closing), (None, Some(d("8329.89"))));
    assert_eq!(s.lines.len(), 5, "six STMTTRN, one a duplicate");
    let ids: Vec<_> = s
        .lines
        .iter()
        .map(|l| l.transaction_id.as_deref().unwrap())
        .collect();
    assert_eq!(
        ids,
        [
            "202603030001",
            "202603050002",
            "202603100003",
            "202603120004",
            "202603200005"
        ]
    );
    let total: Decimal = s.lines.iter().map(|l| l.amount).sum();
    assert_eq!(total, d("3329.89"));

    let shopify = &s.lines[0];
    assert_eq!(
        (shopify.booked, shopify.amount, shopify.row),
        (day("2026-03-03"), d("2345.67"), 43)
    );
    assert_eq!(
        shopify.description, "SHOPIFY TRANSFER PAYOUT 118275001",
        "NAME + MEMO"
    );
    assert_eq!(shopify.reference.as_deref(), Some("PAYOUT 118275001"));
    assert_eq!(shopify.value_date, None);

    let fee = &s.lines[1];
    assert_eq!(
        (fee.amount, fee.description.as_str()),
        (d("-10.00"), "MONTHLY SERVICE FEE")
    );
    assert_eq!(fee.reference, None, "an empty SGML <MEMO> is no reference");

    let check = &s.lines[3];
    assert_eq!(check.description, "JOHNSON & SONS SUPPLY", "&amp; decoded");
    assert_eq!(check.reference.as_deref(), Some("1042"), "CHECKNUM");

    let ups = &s.lines[4];
    assert_eq!(
        (ups.booked, ups.value_date),
        (day("2026-03-20"), Some(day("2026-03-21")))
    );
}

#[test]
fn a_duplicate_fitid_with_different_content_keeps_both_under_row_ids() {
    let text = fixture(SGML);
    // Change the second occurrence only.
    let second = text.rfind("<TRNAMT>1534.21").unwrap();
    let text = format!(
        "{}<TRNAMT>1543.21{}",
        &text[..second],
        &text[second + "<TRNAMT>1534.21".len()..]
    );
    let p = parse_ofx(text.as_bytes(), SGML).unwrap();
    assert_eq!(
        p.warnings,
        ["FITID 202603100003 appears on rows 59 and 75 with different content; kept each, as 202603100003#59 and 202603100003#75"]
    );
    let s = &p.statements[0];
    assert_eq!(s.lines.len(), 6);
    let amazon: Vec<_> = s
        .lines
        .iter()
        .filter(|l| l.description.starts_with("AMAZON"))
        .map(|l| (l.transaction_id.as_deref().unwrap(), l.amount))
        .collect();
    assert_eq!(
        amazon,
        [
            ("202603100003#59", d("1534.21")),
            ("202603100003#75", d("1543.21"))
        ]
    );
}

#[test]
fn xml_credit_card_statement_keeps_the_cardholder_signs() {
    let p = parse_ofx(fixture(CC).as_bytes(), CC).unwrap();
    assert!(p.warnings.is_empty(), "{:?}", p.warnings);
    assert_eq!(p.statements.len(), 1);
    let s = &p.statements[0];
    assert_eq!(
        s.account.as_deref(),
        Some("4111XXXXXXXX1234"),
        "CCACCTFROM/ACCTID"
    );
    assert_eq!(s.currency.code(), "USD");
    assert_eq!(
        (s.from, s.to),
        (Some(day("2026-03-01")), Some(day("2026-03-31")))
    );
    assert_eq!(
        (s.opening, s.closing),
        (None, Some(d("-1234.56"))),
        "a card balance owed is negative"
    );
    assert_eq!(s.lines.len(), 6);
    let amounts: Vec<_> = s.lines.iter().map(|l| l.amount).collect();
    assert_eq!(
        amounts,
        [
            d("-129.00"),
            d("-45.60"),
            d("19.99"),
            d("-8.75"),
            d("1000.00"),
            d("-1.37")
        ],
        "purchases and fees negative, refunds and payments positive"
    );
    let shopify = &s.lines[0];
    assert_eq!(
        shopify.transaction_id.as_deref(),
        Some("2026030424692160123456789")
    );
    assert_eq!(
        shopify.description,
        "SHOPIFY* 219384756 SHOPIFY.COM/CHARGE ON"
    );
    assert_eq!((shopify.booked, shopify.row), (day("2026-03-04"), 30));
    assert_eq!(s.lines[3].description, "BLUE BOTTLE CAFÉ OAKLAND CA");
    assert_eq!(s.lines[4].reference.as_deref(), Some("PMT-0320"), "REFNUM");
    assert_eq!(s.lines[1].reference, None);
}

#[test]
fn a_comma_in_an_amount_names_line_and_value() {
    let text = fixture(CC).replace("<TRNAMT>-45.60</TRNAMT>", "<TRNAMT>-45,60</TRNAMT>");
    let e = parse_ofx(text.as_bytes(), CC).unwrap_err();
    assert_eq!(
        e.to_string(),
        "ofx-xml-creditcard.ofx, line 41, field TRNAMT, value `-45,60`: OFX amounts use a `.` decimal point; a `,` is not allowed"
    );
    let text = fixture(SGML).replace(
        "<BALAMT>8329.89\n<DTASOF>20260331050000.000[-5:EST]\n</LEDGERBAL>",
        "<BALAMT>8.329,89\n</LEDGERBAL>",
    );
    let e = parse_ofx(text.as_bytes(), SGML).unwrap_err();
    assert_eq!((e.line, e.value.as_deref()), (Some(95), Some("8.329,89")));
}

fn sgml(stmttrn: &str) -> String {
    format!(
        "OFXHEADER:100\nDATA:OFXSGML\nVERSION:102\n\n<OFX>\n<BANKMSGSRSV1><STMTTRNRS><STMTRS>\n<CURDEF>EUR\n\
<BANKACCTFROM><ACCTID>NL91ABNA0417164300</BANKACCTFROM>\n<BANKTRANLIST>\n{stmttrn}\n</BANKTRANLIST>\n\
</STMTRS></STMTTRNRS></BANKMSGSRSV1>\n</OFX>\n"
    )
}

#[test]
fn windows_1252_text_is_read() {
    let mut bytes = sgml("<STMTTRN><DTPOSTED>20260302<TRNAMT>-3.50<FITID>A1<NAME>CAF").into_bytes();
    let at = bytes.windows(3).position(|w| w == b"CAF").unwrap() + 3;
    bytes.splice(at..at, b"\xC9 M\xDCLLER \x80".iter().copied());
    let p = parse_ofx(&bytes, "latin.ofx").unwrap();
    let l = &p.statements[0].lines[0];
    assert_eq!(l.description, "CAFÉ MÜLLER €");
    assert_eq!((l.amount, l.currency.code()), (d("-3.50"), "EUR"));
    assert_eq!(p.statements[0].closing, None, "no LEDGERBAL");
}

#[test]
fn bad_dates_currencies_and_missing_parts_are_named() {
    let e = parse_ofx(
        sgml("<STMTTRN><DTPOSTED>2026-03-02<TRNAMT>1<FITID>A").as_bytes(),
        "f",
    )
    .unwrap_err();
    assert_eq!(
        (e.field.as_deref(), e.value.as_deref()),
        (Some("DTPOSTED"), Some("2026-03-02"))
    );
    let e = parse_ofx(sgml("<STMTTRN><DTPOSTED>20260302<FITID>A").as_bytes(), "f").unwrap_err();
    assert_eq!(e.field.as_deref(), Some("TRNAMT"));
    let e = parse_ofx(
        sgml("<STMTTRN><DTPOSTED>20260302<TRNAMT>1.2.3<FITID>A").as_bytes(),
        "f",
    )
    .unwrap_err();
    assert!(e.message.contains("not a decimal"), "{e}");
    let other = sgml("<STMTTRN><DTPOSTED>20260302<TRNAMT>1<FITID>A<CURRENCY><CURRATE>1.1<CURSYM>USD</CURRENCY></STMTTRN>");
    let e = parse_ofx(other.as_bytes(), "f").unwrap_err();
    assert!(
        e.message.contains("USD") && e.message.contains("EUR"),
        "{e}"
    );
    assert_eq!(e.line, Some(10), "the STMTTRN's line");
    let e = parse_ofx(sgml("").replace("<CURDEF>EUR", "").as_bytes(), "f").unwrap_err();
    assert_eq!(e.field.as_deref(), Some("CURDEF"));
}

#[test]
fn files_without_a_statement_are_refused_with_the_banks_status() {
    let e = parse_ofx(b"Date,Amount\n1,2\n", "x.csv").unwrap_err();
    assert!(e.message.contains("not an OFX file"), "{e}");
    let refused = "OFXHEADER:100\n\n<OFX><SIGNONMSGSRSV1><SONRS><STATUS><CODE>15500<SEVERITY>ERROR\
<MESSAGE>Signon invalid</STATUS></SONRS></SIGNONMSGSRSV1></OFX>";
    let e = parse_ofx(refused.as_bytes(), "f").unwrap_err();
    assert!(
        e.message.contains("no bank or credit-card statement"),
        "{e}"
    );
    assert!(
        e.message.contains("status 15500 (ERROR): Signon invalid"),
        "{e}"
    );
}

#[test]
fn payee_aggregate_names_and_positive_signs() {
    let p = parse_ofx(
        sgml("<STMTTRN><DTPOSTED>20260302<TRNAMT>+.50<FITID>A<PAYEE><NAME>ACME</PAYEE></STMTTRN>")
            .as_bytes(),
        "f",
    )
    .unwrap();
    let l = &p.statements[0].lines[0];
    assert_eq!((l.amount, l.description.as_str()), (d("0.50"), "ACME"));
}

#[test]
fn many_duplicates_are_summed_up_not_listed_forever() {
    let trn =
        |amount: u32| format!("<STMTTRN><DTPOSTED>20260302<TRNAMT>{amount}<FITID>SAME</STMTTRN>\n");
    let different: String = (1..=12).map(trn).collect();
    let p = parse_ofx(sgml(&different).as_bytes(), "f").unwrap();
    assert_eq!(p.statements[0].lines.len(), 12);
    assert_eq!(p.warnings.len(), 1);
    assert!(
        p.warnings[0]
            .starts_with("FITID SAME appears on 12 rows with different content (rows 10, 11,"),
        "{}",
        p.warnings[0]
    );
    assert_eq!(
        p.statements[0].lines[11].transaction_id.as_deref(),
        Some("SAME#21")
    );

    let identical: String = (0..106).map(|_| trn(7)).collect();
    let p = parse_ofx(sgml(&identical).as_bytes(), "f").unwrap();
    assert_eq!(p.statements[0].lines.len(), 1);
    assert_eq!(
        p.statements[0].lines[0].transaction_id.as_deref(),
        Some("SAME")
    );
    assert_eq!(p.warnings.len(), 101);
    assert_eq!(p.warnings[100], "… and 5 more duplicate FITID warnings");
}
