//! Bank statements end to end, through the binary: camt.053, OFX and CSV
//! imported into the bank accounts of banks.toml (all or nothing, the same
//! file twice changes nothing, an overlapping statement adds only its new
//! lines), and a channel payout matched to its deposit and booked from cash
//! in transit to the bank.

mod support;

use std::collections::BTreeMap;
use std::path::Path;

use rust_decimal::Decimal;
use support::cli::{fails, ok, tb_balances, use_shipped_mappings};
use support::imports::fixture;

const BANKS: &str = r#"
[[bank]]
name = "eur-main"
currency = "EUR"
gl_account = "1011"
account = "DE89 3704 0044 0532 0130 00"
fee_account = "6900"

[[bank]]
name = "usd-operating"
currency = "USD"
gl_account = "1010"
account = "000123456789"
fee_account = "6900"
csv = "chase"
[[bank.rule]]
contains = "service fee"
account = "6900"
side = "debit"

[[bank]]
name = "usd-checking"
currency = "USD"
gl_account = "1012"
account = "000987654321"
csv = "chase"
"#;

const SHOPS: &str = r#"
[[shop]]
name = "amazon-us"
channel = "amazon"
currency = "USD"
time_zone = "UTC"
clearing_account = "1212"
"#;

fn setup() -> tempfile::TempDir {
    setup_with(None)
}

/// A directory with the shipped mappings, banks and shops, its database
/// initialised: SQLite in the directory, or the PostgreSQL `database`.
fn setup_with(database: Option<&str>) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    if let Some(url) = database {
        support::cli::use_database(dir.path(), url);
    }
    use_shipped_mappings(dir.path());
    std::fs::write(dir.path().join("gl-mappings/banks.toml"), BANKS).unwrap();
    let mut chart = std::fs::read_to_string(dir.path().join("gl-mappings/accounts.toml")).unwrap();
    chart.push_str(
        "\n[[account]]\ncode = \"1011\"\nname = \"Bank - EUR\"\ntype = \"asset\"\n\
         \n[[account]]\ncode = \"1012\"\nname = \"Bank - checking\"\ntype = \"asset\"\n",
    );
    std::fs::write(dir.path().join("gl-mappings/accounts.toml"), chart).unwrap();
    std::fs::write(dir.path().join("gl-mappings/shops.toml"), SHOPS).unwrap();
    ok(dir.path(), &["init"]);
    assert_eq!(
        dir.path().join("settlebridge.db").exists(),
        database.is_none(),
        "the books are where the test says"
    );
    dir
}

fn json(text: &str) -> serde_json::Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("{e}: {text}"))
}

fn import_json(dir: &Path, args: &[&str]) -> serde_json::Value {
    let mut all = vec!["import", "--json"];
    all.extend_from_slice(args);
    json(&ok(dir, &all))
}

#[test]
fn camt053_with_two_statements_lands_in_two_accounts_once() {
    let dir = setup();
    let file = fixture("bank/camt053-two-statements.xml");
    let out = import_json(dir.path(), &[file.to_str().unwrap()]);
    let imp = &out["imports"][0];
    assert_eq!(imp["format"], "camt053", "{imp}");
    let statements = imp["statements"].as_array().unwrap();
    assert_eq!(statements.len(), 2);
    assert_eq!(statements[0]["bank"], "eur-main");
    assert_eq!(statements[0]["opening"], "12500.00");
    assert_eq!(statements[0]["closing"], "18235.52");
    assert_eq!(statements[0]["lines"], 4, "the pending entry is not a line");
    assert_eq!(statements[1]["bank"], "usd-operating");
    let new = imp["batch"]["lines_new"].as_u64().unwrap();
    assert_eq!(
        new as usize,
        statements
            .iter()
            .map(|s| s["lines"].as_u64().unwrap() as usize)
            .sum::<usize>()
    );
    // The same file again changes nothing.
    let again = ok(dir.path(), &["import", file.to_str().unwrap()]);
    assert!(again.contains("already imported"), "{again}");
}

#[test]
fn a_statement_whose_balances_do_not_tie_imports_nothing() {
    let dir = setup();
    let text = std::fs::read_to_string(fixture("bank/camt053-two-statements.xml")).unwrap();
    let broken = text.replacen("18235.52", "18235.51", 1);
    assert_ne!(text, broken);
    std::fs::write(dir.path().join("broken.xml"), broken).unwrap();
    let (code, out) = fails(dir.path(), &["import", "broken.xml"]);
    assert_eq!(code, 1);
    assert!(
        out.contains("STMT-2026-03-EUR-001") && out.contains("0.01"),
        "{out}"
    );
    // Not even the USD statement, which ties, was kept.
    let file = fixture("bank/camt053-two-statements.xml");
    let imp = &import_json(dir.path(), &[file.to_str().unwrap()])["imports"][0];
    assert_eq!(imp["batch"]["lines_duplicate"], 0, "{imp}");
}

#[test]
fn ofx_with_a_repeated_transaction_id_keeps_it_once_and_says_so() {
    let dir = setup();
    let file = fixture("bank/ofx-sgml-duplicate-fitid.ofx");
    let imp = &import_json(dir.path(), &[file.to_str().unwrap()])["imports"][0];
    assert_eq!(
        imp["statements"][0]["bank"], "usd-checking",
        "routed by ACCTID"
    );
    assert_eq!(imp["batch"]["lines_new"], 5, "{imp}");
    let warnings = imp["warnings"].as_array().unwrap();
    assert!(
        warnings
            .iter()
            .any(|w| w.as_str().unwrap().contains("202603100003")),
        "{imp}"
    );
}

/// `fixtures/bank/chase.csv` cut into two overlapping statements.
fn chase_parts(dir: &Path) -> (String, String) {
    let text = std::fs::read_to_string(fixture("bank/chase.csv")).unwrap();
    let mut lines = text.lines();
    let header = lines.next().unwrap().to_string();
    let rows: Vec<&str> = lines.filter(|l| !l.trim().is_empty()).collect();
    assert!(rows.len() >= 5, "the fixture has enough rows");
    let part = |name: &str, rows: &[&str]| {
        let mut t = header.clone();
        t.push('\n');
        for r in rows {
            t.push_str(r);
            t.push('\n');
        }
        std::fs::write(dir.join(name), t).unwrap();
        name.to_string()
    };
    part("march-c.csv", &rows[1..3]);
    (
        part("march-a.csv", &rows[2..]),
        part("march-b.csv", &rows[..4]),
    )
}

#[test]
fn an_overlapping_statement_adds_only_its_new_lines() {
    let dir = setup();
    let (a, b) = chase_parts(dir.path());
    let first = &import_json(dir.path(), &["--bank", "usd-operating", &a])["imports"][0];
    let n_a = first["batch"]["lines_new"].as_u64().unwrap();
    let second = &import_json(dir.path(), &["--bank", "usd-operating", &b])["imports"][0];
    assert_eq!(second["batch"]["lines_duplicate"], 2, "{second}");
    assert_eq!(second["batch"]["lines_new"], 2, "{second}");
    assert!(n_a >= 2);
    // A statement naming another account than the bank told is refused.
    let ofx = fixture("bank/ofx-sgml-duplicate-fitid.ofx");
    let (code, out) = fails(
        dir.path(),
        &["import", "--bank", "usd-operating", ofx.to_str().unwrap()],
    );
    assert_eq!(code, 1);
    assert!(
        out.contains("000987654321") && out.contains("usd-operating"),
        "{out}"
    );
    // A bank CSV needs to be told its bank (its layout is the bank's own).
    let (code, out) = fails(dir.path(), &["import", "march-c.csv"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("not recognized"), "{out}");
}

#[test]
fn an_amazon_payout_is_matched_to_its_deposit_and_moves_to_the_bank() {
    amazon_payout_to_the_bank(setup());
}

/// The same through the binary on PostgreSQL.
#[test]
fn an_amazon_payout_is_matched_to_its_deposit_and_moves_to_the_bank_on_postgres() {
    let Some(url) = support::postgres_schema_url() else {
        return;
    };
    amazon_payout_to_the_bank(setup_with(Some(&url)));
}

fn amazon_payout_to_the_bank(dir: tempfile::TempDir) {
    let settlement = fixture("amazon/settlement-v2-us.txt");
    ok(
        dir.path(),
        &[
            "import",
            "--shop",
            "amazon-us",
            settlement.to_str().unwrap(),
        ],
    );
    // The bank's CSV (Chase layout, newest first): the deposit quoting the
    // settlement id two days after Amazon's deposit date, a fee, and a
    // credit no payout explains.
    std::fs::write(
        dir.path().join("chase-feb.csv"),
        "Details,Posting Date,Description,Amount,Type,Balance,Check or Slip #\n\
         CREDIT,02/24/2026,\"WIRE FROM CUSTOMER 7781\",50.00,WIRE_INCOMING,1151.09,,\n\
         DEBIT,02/20/2026,\"MONTHLY SERVICE FEE\",-15.00,FEE_TRANSACTION,1101.09,,\n\
         CREDIT,02/19/2026,\"ORIG CO NAME:AMAZON.COM SVCS IND ID:22233344455 SETTLEMENT\",116.09,ACH_CREDIT,1116.09,,\n\
         CREDIT,02/02/2026,\"OPENING DEPOSIT\",1000.00,ACH_CREDIT,1000.00,,\n",
    )
    .unwrap();
    let out = import_json(dir.path(), &["--bank", "usd-operating", "chase-feb.csv"]);
    let banks = out["reconcile"]["banks"].as_array().unwrap();
    let bank = banks.iter().find(|b| b["bank"] == "usd-operating").unwrap();
    let matches = bank["matches"].as_array().unwrap();
    assert_eq!(matches.len(), 1, "{bank}");
    assert_eq!(matches[0]["basis"], "reference");
    assert_eq!(matches[0]["payouts"][0], "amazon/amazon-us/22233344455");
    let dec = |v: &serde_json::Value| v.as_str().unwrap().parse::<Decimal>().unwrap();
    assert!(dec(&matches[0]["difference"]).is_zero());
    let unexplained: Vec<Decimal> = bank["unmatched_deposits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| dec(&d["amount"]))
        .collect();
    assert_eq!(
        unexplained,
        vec![Decimal::from(1000), Decimal::from(50)],
        "{bank}"
    );
    // Matched in one account, the payout is not missing from the other.
    let checking = banks.iter().find(|b| b["bank"] == "usd-checking").unwrap();
    assert!(
        checking["unmatched_payouts"].as_array().unwrap().is_empty(),
        "{checking}"
    );
    // The payout's cash in transit is now in the bank.
    let tb: BTreeMap<String, Decimal> =
        tb_balances(&ok(dir.path(), &["trial-balance", "--format", "csv"]))
            .into_iter()
            .map(|((code, _), v)| (code, v))
            .collect();
    assert_eq!(tb.get("1020"), None, "cash in transit is cleared: {tb:?}");
    assert_eq!(
        tb["1010"],
        Decimal::new(10109, 2),
        "the deposit less the fee: {tb:?}"
    );
    assert_eq!(
        tb["6900"],
        Decimal::new(15, 0),
        "the fee, by the bank's rule"
    );
    // Again: nothing new.
    let again = json(&ok(dir.path(), &["reconcile", "--json"]));
    let again = again["banks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["bank"] == "usd-operating")
        .unwrap()
        .clone();
    assert_eq!(again["new"], 0, "{again}");
    assert_eq!(again["unchanged"], 2, "the deposit and the fee: {again}");
    assert!(ok(dir.path(), &["verify"]).starts_with("ok:"));
    // The close's bank section: the deposit booked, the other lines named,
    // and the GL tied to the statement's closing balance.
    let bank_close = json(&ok(
        dir.path(),
        &["report", "bank", "--period", "2026-02", "--json"],
    ));
    let usd = bank_close
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["bank"] == "usd-operating")
        .unwrap();
    let dec = |v: &serde_json::Value| v.as_str().unwrap().parse::<Decimal>().unwrap();
    assert_eq!(usd["deposits_matched"], 1, "{usd}");
    assert_eq!(dec(&usd["deposits_matched_total"]), Decimal::new(11609, 2));
    assert_eq!(dec(&usd["statement_closing"]), Decimal::new(115109, 2));
    // The deposit, less the service fee a banks.toml rule booked.
    assert_eq!(dec(&usd["gl_balance"]), Decimal::new(10109, 2));
    // 1000 + 50 not carried; the CSV starts from a zero opening.
    assert_eq!(dec(&usd["unbooked_through_end"]), Decimal::new(1050, 0));
    assert!(dec(&usd["unexplained"]).is_zero(), "{usd}");
    assert_eq!(usd["unbooked_lines"].as_array().unwrap().len(), 2);
    // Nothing left in transit: the one payout reached the bank.
    assert_eq!(usd["in_transit"][0][0], "1020", "{usd}");
    assert!(dec(&usd["in_transit"][0][1]).is_zero(), "{usd}");
    let csv_text = ok(
        dir.path(),
        &["report", "close", "--period", "2026-02", "--format", "csv"],
    );
    assert!(
        csv_text.contains(
            "bank:usd-operating,2026-02,bank,deposits matched and booked,1010,116.09,USD"
        ),
        "{csv_text}"
    );
    assert!(
        csv_text.contains("bank,tie-out: unexplained,,0.00,USD"),
        "{csv_text}"
    );
    // The JSON form carries the same bank section beside the shops.
    let close = json(&ok(
        dir.path(),
        &["report", "close", "--period", "2026-02", "--format", "json"],
    ));
    assert_eq!(close["shops"][0]["shop"], "amazon-us", "{close}");
    let in_close = close["banks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["bank"] == "usd-operating")
        .unwrap();
    assert_eq!(in_close, usd);
    let table = ok(dir.path(), &["report", "close", "--period", "2026-02"]);
    assert!(
        table.contains("Bank 2026-02 — usd-operating") && table.contains("(ties)"),
        "{table}"
    );
    // The payout's trail ends at the bank line.
    let trail = ok(dir.path(), &["trail", "payout", "22233344455"]);
    assert!(
        trail.contains("bank deposit: 2026-02-19 (entry #"),
        "{trail}"
    );
    assert!(
        trail.contains("AMAZON.COM SVCS") && trail.contains("row 4]"),
        "{trail}"
    );

    // The deposit entry reversed by hand after the statement's last day:
    // on that day it still stood, so February (and March, whose last
    // statement is still February's) ties as before — the GL of that day
    // has the deposit and its line is carried, not counted twice.
    let deposit_entry: i64 = trail
        .split("bank deposit: 2026-02-19 (entry #")
        .nth(1)
        .and_then(|t| t.split(|c: char| !c.is_ascii_digit()).next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("{trail}"));
    ok(
        dir.path(),
        &[
            "entry",
            "reverse",
            &deposit_entry.to_string(),
            "--reason",
            "deposit matched to the wrong payout",
            "--date",
            "2026-03-05",
        ],
    );
    for period in ["2026-02", "2026-03"] {
        let sections = json(&ok(
            dir.path(),
            &["report", "bank", "--period", period, "--json"],
        ));
        let usd = sections
            .as_array()
            .unwrap()
            .iter()
            .find(|b| b["bank"] == "usd-operating")
            .unwrap()
            .clone();
        assert_eq!(
            dec(&usd["gl_balance"]),
            Decimal::new(10109, 2),
            "{period}: {usd}"
        );
        assert!(dec(&usd["unexplained"]).is_zero(), "{period}: {usd}");
        assert_eq!(
            dec(&usd["unbooked_through_end"]),
            Decimal::new(1050, 0),
            "{period}"
        );
    }
}

#[test]
fn the_same_amount_in_two_accounts_is_never_guessed() {
    let dir = setup();
    let settlement = fixture("amazon/settlement-v2-us.txt");
    ok(
        dir.path(),
        &[
            "import",
            "--shop",
            "amazon-us",
            settlement.to_str().unwrap(),
        ],
    );
    let header = "Details,Posting Date,Description,Amount,Type,Balance,Check or Slip #\n";
    std::fs::write(
        dir.path().join("operating.csv"),
        format!("{header}CREDIT,02/18/2026,\"ACH CREDIT\",116.09,ACH_CREDIT,116.09,,\n"),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("checking.csv"),
        format!("{header}CREDIT,02/19/2026,\"INCOMING TRANSFER\",116.09,ACH_CREDIT,116.09,,\n"),
    )
    .unwrap();
    ok(
        dir.path(),
        &["import", "--bank", "usd-operating", "operating.csv"],
    );
    let out = import_json(dir.path(), &["--bank", "usd-checking", "checking.csv"]);
    let banks = out["reconcile"]["banks"].as_array().unwrap();
    let matches: usize = banks
        .iter()
        .map(|b| b["matches"].as_array().unwrap().len())
        .sum();
    assert_eq!(matches, 0, "{out}");
    let ambiguous: Vec<&serde_json::Value> = banks
        .iter()
        .flat_map(|b| b["ambiguous"].as_array().unwrap())
        .collect();
    assert_eq!(ambiguous.len(), 1, "{out}");
    assert_eq!(ambiguous[0]["payouts"][0], "amazon/amazon-us/22233344455");
    assert_eq!(ambiguous[0]["deposits"].as_array().unwrap().len(), 2);
    // Nothing moved out of cash in transit.
    let tb = tb_balances(&ok(dir.path(), &["trial-balance", "--format", "csv"]));
    assert_eq!(
        tb[&("1020".to_string(), "USD".to_string())],
        Decimal::new(11609, 2)
    );
}
