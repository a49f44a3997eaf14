use std::path::PathBuf;
use std::str::FromStr;

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::parse_camt053;

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

const FIXTURE: &str = "camt053-two-statements.xml";

#[test]
fn the_fixture_holds_two_statements_that_tie() {
    let stmts = parse_camt053(fixture(FIXTURE).as_bytes(), FIXTURE).unwrap();
    assert_eq!(stmts.len(), 2);
    let (eur, usd) = (&stmts[0], &stmts[1]);

    assert_eq!(eur.statement_id.as_deref(), Some("STMT-2026-03-EUR-001"));
    assert_eq!(eur.account.as_deref(), Some("DE89370400440532013000"));
    assert_eq!(eur.currency.code(), "EUR");
    assert_eq!(
        (eur.from, eur.to),
        (Some(day("2026-03-01")), Some(day("2026-03-31")))
    );
    assert_eq!(
        (eur.opening, eur.closing),
        (Some(d("12500.00")), Some(d("18235.52")))
    );
    assert_eq!(eur.lines.len(), 4, "the PDNG entry is skipped");
    assert!(eur.check().is_ok());

    assert_eq!(usd.statement_id.as_deref(), Some("STMT-2026-03-USD-001"));
    assert_eq!(
        usd.account.as_deref(),
        Some("000123456789"),
        "Acct/Id/Othr/Id"
    );
    assert_eq!(usd.currency.code(), "USD");
    assert_eq!(
        (usd.opening, usd.closing),
        (Some(d("3000.00")), Some(d("5492.38")))
    );
    assert_eq!(usd.lines.len(), 3);
    assert!(usd.check().is_ok());
}

#[test]
fn credits_carry_ids_references_and_the_payer() {
    let stmts = parse_camt053(fixture(FIXTURE).as_bytes(), FIXTURE).unwrap();
    let shopify = &stmts[0].lines[0];
    assert_eq!(
        shopify.transaction_id.as_deref(),
        Some("2026030300012345"),
        "AcctSvcrRef before NtryRef"
    );
    assert_eq!(shopify.booked, day("2026-03-03"));
    assert_eq!(shopify.value_date, Some(day("2026-03-03")));
    assert_eq!(shopify.amount, d("4210.37"));
    assert_eq!(shopify.currency.code(), "EUR");
    assert_eq!(
        shopify.description,
        "SEPA CREDIT TRANSFER SHOPIFY INTERNATIONAL"
    );
    assert_eq!(
        shopify.reference.as_deref(),
        Some("SHOPIFY PAYOUT 118274650")
    );
    assert_eq!(
        shopify.counterparty.as_deref(),
        Some("SHOPIFY INTERNATIONAL LIMITED"),
        "Dbtr/Pty/Nm (.001.08)"
    );
    assert_eq!(shopify.row, 50, "the line the Ntry starts on");

    let amazon = &stmts[0].lines[1];
    assert_eq!(amazon.amount, d("2987.65"));
    assert_eq!(amazon.value_date, Some(day("2026-03-11")));
    assert_eq!(
        amazon.description, "AMAZON SETTLEMENT 14928376021 EU",
        "no AddtlNtryInf: the first Ustrd"
    );
    assert_eq!(
        amazon.reference.as_deref(),
        Some("AMAZON SETTLEMENT 14928376021 EU"),
        "Ustrd before EndToEndId"
    );
    assert_eq!(
        amazon.counterparty.as_deref(),
        Some("AMAZON PAYMENTS EUROPE S.C.A.")
    );
    assert_eq!(amazon.row, 99);

    let tiktok = &stmts[1].lines[1];
    assert_eq!(tiktok.amount, d("642.18"));
    assert_eq!(
        tiktok.reference.as_deref(),
        Some("TIKTOK SHOP SETTLEMENT ST-7729150033 TIKTOK SHOP SETTLEMENT ST-7729150034"),
        "the Ustrd of every TxDtls"
    );
    assert_eq!(tiktok.counterparty.as_deref(), Some("TIKTOK PTE. LTD."));

    let usd_shopify = &stmts[1].lines[0];
    assert_eq!(usd_shopify.booked, day("2026-03-05"), "BookgDt/DtTm");
    assert_eq!(
        usd_shopify.transaction_id.as_deref(),
        Some("US20260305A1875")
    );
    assert_eq!(
        usd_shopify.reference.as_deref(),
        Some("SHOPIFY PAYOUT 118274777")
    );
}

#[test]
fn debits_are_negative_and_name_the_payee() {
    let stmts = parse_camt053(fixture(FIXTURE).as_bytes(), FIXTURE).unwrap();
    let fee = &stmts[0].lines[2];
    assert_eq!(fee.amount, d("-12.50"));
    assert_eq!(
        fee.transaction_id.as_deref(),
        Some("4"),
        "NtryRef when there is no AcctSvcrRef"
    );
    assert_eq!(fee.description, "ACCOUNT MAINTENANCE FEE 03/2026");
    assert_eq!(
        (fee.reference.as_deref(), fee.counterparty.as_deref()),
        (None, None)
    );
    let supplier = &stmts[0].lines[3];
    assert_eq!(supplier.amount, d("-1450.00"));
    assert_eq!(
        supplier.reference.as_deref(),
        Some("INV-2026-0311"),
        "EndToEndId when no Ustrd"
    );
    assert_eq!(
        supplier.counterparty.as_deref(),
        Some("NORDIC PACKAGING AB"),
        "Cdtr on a debit"
    );
    assert_eq!(stmts[1].lines[2].amount, d("-25.00"));
    let all: Vec<_> = stmts.iter().flat_map(|s| &s.lines).collect();
    assert!(
        all.iter().all(|l| l.row != 131),
        "the PDNG entry (line 131) is no line"
    );
    assert!(!all.iter().any(|l| l.text().contains("118279999")));
}

#[test]
fn a_closing_balance_that_does_not_tie_names_the_statement_and_the_difference() {
    let text = fixture(FIXTURE).replace(">18235.52<", ">18235.50<");
    let e = parse_camt053(text.as_bytes(), FIXTURE).unwrap_err();
    assert_eq!(e.line, Some(38), "the CLBD balance");
    let shown = e.to_string();
    assert!(
        shown.starts_with("camt053-two-statements.xml, line 38: statement STMT-2026-03-EUR-001"),
        "{shown}"
    );
    assert!(shown.contains("-0.02 apart"), "{shown}");
}

#[test]
fn a_file_that_is_not_camt053_says_so() {
    let pain = r#"<?xml version="1.0"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.001.001.03"><CstmrCdtTrfInitn/></Document>"#;
    let e = parse_camt053(pain.as_bytes(), "pay.xml").unwrap_err();
    assert_eq!(e.line, Some(2));
    assert!(
        e.message.contains("not a camt.053") && e.message.contains("pain.001.001.03"),
        "{e}"
    );
    let e = parse_camt053(b"<rss><channel/></rss>", "feed.xml").unwrap_err();
    assert!(
        e.message.contains("not a camt.053") && e.message.contains("<rss>"),
        "{e}"
    );
    let e = parse_camt053(b"Date,Amount\n", "x.csv").unwrap_err();
    assert!(e.message.contains("no XML element"), "{e}");
    assert!(parse_camt053(b"<Document><BkToCstmrStmt/></Document>", "f").is_err());
}

/// A camt.053.001.02 statement: `<Sts>BOOK</Sts>`, `Dbtr/Nm`, no `Acct/Ccy`.
fn camt02(balances: &str, entries: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02">
<BkToCstmrStmt><GrpHdr><MsgId>M1</MsgId></GrpHdr>
<Stmt><Id>S-02</Id><Acct><Id><IBAN>NL91ABNA0417164300</IBAN></Id></Acct>
{balances}
{entries}
</Stmt></BkToCstmrStmt></Document>"#
    )
}

fn bal(code: &str, amount: &str, ind: &str) -> String {
    format!(
        "<Bal><Tp><CdOrPrtry><Cd>{code}</Cd></CdOrPrtry></Tp><Amt Ccy=\"EUR\">{amount}</Amt><CdtDbtInd>{ind}</CdtDbtInd><Dt><Dt>2026-03-31</Dt></Dt></Bal>"
    )
}

fn entry(amount: &str, ind: &str, sts: &str) -> String {
    format!(
        "<Ntry>\n<Amt Ccy=\"EUR\">{amount}</Amt><CdtDbtInd>{ind}</CdtDbtInd><Sts>{sts}</Sts>\
<BookgDt><Dt>2026-03-02</Dt></BookgDt><NtryDtls><TxDtls><Refs><EndToEndId>E2E-1</EndToEndId></Refs>\
<RltdPties><Dbtr><Nm>BOL.COM B.V.</Nm></Dbtr><Cdtr><Nm>ACME</Nm></Cdtr></RltdPties>\
<RmtInf><Strd><CdtrRefInf><Ref>RF18539007547034</Ref></CdtrRefInf></Strd></RmtInf></TxDtls></NtryDtls></Ntry>"
    )
}

#[test]
fn version_02_shapes_prcd_and_a_negative_balance() {
    let text = camt02(
        &(bal("PRCD", "100.00", "DBIT") + &bal("CLBD", "20.50", "CRDT")),
        &(entry("120.50", "CRDT", "BOOK") + &entry("999.00", "CRDT", "INFO")),
    );
    let s = &parse_camt053(text.as_bytes(), "v02.xml").unwrap()[0];
    assert_eq!(s.currency.code(), "EUR", "from the first Amt@Ccy");
    assert_eq!(
        (s.opening, s.closing),
        (Some(d("-100.00")), Some(d("20.50")))
    );
    assert_eq!(s.lines.len(), 1, "INFO is skipped");
    let l = &s.lines[0];
    assert_eq!(
        l.counterparty.as_deref(),
        Some("BOL.COM B.V."),
        "Dbtr/Nm on a credit"
    );
    assert_eq!(
        l.reference.as_deref(),
        Some("RF18539007547034"),
        "structured creditor reference"
    );
    assert_eq!(l.description, "BOL.COM B.V.");
    assert_eq!(l.transaction_id, None);
    assert_eq!(l.row, 6);
}

#[test]
fn bad_amounts_and_indicators_name_line_field_and_value() {
    let text = camt02(&bal("OPBD", "0", "CRDT"), &entry("12,5", "CRDT", "BOOK"));
    let e = parse_camt053(text.as_bytes(), "statement.xml").unwrap_err();
    assert_eq!(
        e.to_string(),
        "statement.xml, line 7, field Amt, value `12,5`: amount is not a decimal number (camt.053 writes digits with a `.` decimal point)"
    );
    let text = camt02("", &entry("-5.00", "CRDT", "BOOK"));
    let e = parse_camt053(text.as_bytes(), "f").unwrap_err();
    assert!(e.message.contains("unsigned"), "{e}");
    let text = camt02("", &entry("5.00", "CREDIT", "BOOK"));
    let e = parse_camt053(text.as_bytes(), "f").unwrap_err();
    assert_eq!(
        (e.field.as_deref(), e.value.as_deref()),
        (Some("CdtDbtInd"), Some("CREDIT"))
    );
    let text = camt02(
        "",
        &entry("5.00", "CRDT", "BOOK").replace("<Dt>2026-03-02</Dt>", "<Dt>02.03.2026</Dt>"),
    );
    let e = parse_camt053(text.as_bytes(), "f").unwrap_err();
    assert_eq!(
        (e.field.as_deref(), e.value.as_deref()),
        (Some("Dt"), Some("02.03.2026"))
    );
    let text = camt02(
        "",
        &entry("5.00", "CRDT", "BOOK").replace("Ccy=\"EUR\"", "Ccy=\"EURO\""),
    );
    assert_eq!(
        parse_camt053(text.as_bytes(), "f")
            .unwrap_err()
            .field
            .as_deref(),
        Some("Amt@Ccy")
    );
}

#[test]
fn an_entry_in_another_currency_is_refused() {
    let text = fixture(FIXTURE).replacen(
        "<Amt Ccy=\"EUR\">2987.65</Amt>",
        "<Amt Ccy=\"GBP\">2987.65</Amt>",
        1,
    );
    let e = parse_camt053(text.as_bytes(), FIXTURE).unwrap_err();
    assert_eq!(e.line, Some(99));
    assert!(
        e.message.contains("GBP") && e.message.contains("STMT-2026-03-EUR-001"),
        "{e}"
    );
}

#[test]
fn an_envelope_around_the_document_is_looked_through() {
    let inner = camt02("", &entry("1.00", "CRDT", "BOOK"));
    let inner = inner.trim_start_matches(r#"<?xml version="1.0" encoding="UTF-8"?>"#);
    let text = format!("<Envelope><AppHdr><Fr/></AppHdr>{inner}</Envelope>");
    let s = parse_camt053(text.as_bytes(), "f").unwrap();
    assert_eq!(s[0].lines.len(), 1);
    assert_eq!((s[0].opening, s[0].closing), (None, None));
}
