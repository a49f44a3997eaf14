//! A payout in one currency deposited into a bank account in another,
//! through the binary: Amazon.ca pays a settlement in CAD (the real sample
//! 24702193891, 10,015.64 CAD) into a USD account. The deposit quoting the
//! settlement id is its deposit; the CAD leaves cash in transit through the
//! currency exchange account, the USD that arrived enters the bank, each
//! entry in one currency (as NetSuite wants a journal), and the bank still
//! ties to its statement.

mod support;

use std::collections::BTreeMap;
use std::path::Path;

use rust_decimal::Decimal;
use support::cli::{ok, tb_balances, use_shipped_mappings};

const SHOPS: &str = r#"
[[shop]]
name = "amazon-ca"
channel = "amazon"
currency = "CAD"
time_zone = "UTC"
clearing_account = "1212"
"#;

fn banks(fx_account: bool) -> String {
    format!(
        "[[bank]]\nname = \"usd-operating\"\ncurrency = \"USD\"\ngl_account = \"1010\"\n\
         account = \"000123456789\"\nfee_account = \"6900\"\ncsv = \"chase\"\n{}",
        if fx_account {
            "fx_account = \"1030\"\n"
        } else {
            ""
        }
    )
}

/// The Chase export (newest first): the USD deposit of the CAD settlement
/// two days after Amazon's deposit date, and a credit no payout explains.
const CHASE: &str = "Details,Posting Date,Description,Amount,Type,Balance,Check or Slip #\n\
    CREDIT,10/29/2025,\"WIRE FROM CUSTOMER 7781\",50.00,WIRE_INCOMING,7362.45,,\n\
    CREDIT,10/27/2025,\"AMAZON.CA SETTLEMENT 24702193891 FX CAD/USD\",7312.45,ACH_CREDIT,7312.45,,\n";

/// None (said loudly by `sample`) where the real samples are absent.
fn setup(fx_account: bool) -> Option<tempfile::TempDir> {
    let dir = tempfile::tempdir().unwrap();
    use_shipped_mappings(dir.path());
    std::fs::write(dir.path().join("gl-mappings/banks.toml"), banks(fx_account)).unwrap();
    std::fs::write(dir.path().join("gl-mappings/shops.toml"), SHOPS).unwrap();
    ok(dir.path(), &["init"]);
    for id in ["50065020384", "50034020328"] {
        let sample = support::sample(&format!("amazon-adwweaver_{id}.txt"))?;
        ok(
            dir.path(),
            &["import", "--shop", "amazon-ca", sample.to_str().unwrap()],
        );
    }
    std::fs::write(dir.path().join("chase-oct.csv"), CHASE).unwrap();
    Some(dir)
}

fn json(text: &str) -> serde_json::Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("{e}: {text}"))
}

fn dec(v: &serde_json::Value) -> Decimal {
    v.as_str().unwrap().parse().unwrap()
}

fn usd_bank(reconcile: &serde_json::Value) -> serde_json::Value {
    reconcile["banks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["bank"] == "usd-operating")
        .unwrap()
        .clone()
}

fn import_bank(dir: &Path) -> serde_json::Value {
    json(&ok(
        dir,
        &[
            "import",
            "--json",
            "--bank",
            "usd-operating",
            "chase-oct.csv",
        ],
    ))
}

#[test]
fn a_cad_payout_deposited_in_usd_is_exchanged_through_the_fx_account() {
    let Some(dir) = setup(true) else { return };
    let out = import_bank(dir.path());
    let bank = usd_bank(&out["reconcile"]);
    let matches = bank["matches"].as_array().unwrap();
    assert_eq!(matches.len(), 1, "{bank}");
    assert_eq!(matches[0]["basis"], "reference");
    assert_eq!(matches[0]["payouts"][0], "amazon/amazon-ca/24702193891");
    assert!(dec(&matches[0]["difference"]).is_zero());
    // Two entries: the USD deposit and the CAD exchange.
    assert_eq!(bank["new"], 2, "{bank}");
    // The other CAD settlement (1,016.08 CAD, paid in August) has no
    // deposit: listed once, with the only account that could have had it.
    let unmatched: Vec<&str> = bank["unmatched_payouts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["payout"].as_str().unwrap())
        .collect();
    assert_eq!(unmatched, vec!["amazon/amazon-ca/24288684721"], "{bank}");
    let unexplained: Vec<Decimal> = bank["unmatched_deposits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| dec(&d["amount"]))
        .collect();
    assert_eq!(unexplained, vec![Decimal::from(50)], "{bank}");

    // Per currency, everything balances: the CAD payout left cash in
    // transit into the exchange account, the USD came out of it.
    let tb = tb_balances(&ok(dir.path(), &["trial-balance", "--format", "csv"]));
    let at = |code: &str, cur: &str| {
        tb.get(&(code.to_string(), cur.to_string()))
            .copied()
            .unwrap_or_default()
    };
    assert!(
        at("1020", "CAD") == Decimal::new(101608, 2),
        "only the August payout is still in transit: {tb:?}"
    );
    assert_eq!(at("1030", "CAD"), Decimal::new(1001564, 2), "{tb:?}");
    assert_eq!(at("1030", "USD"), Decimal::new(-731245, 2), "{tb:?}");
    assert_eq!(at("1010", "USD"), Decimal::new(731245, 2), "{tb:?}");
    for cur in ["CAD", "USD"] {
        let sum: Decimal = tb
            .iter()
            .filter(|((_, c), _)| c == cur)
            .map(|(_, v)| *v)
            .sum();
        assert!(sum.is_zero(), "{cur} balances: {tb:?}");
    }
    assert!(ok(dir.path(), &["verify"]).starts_with("ok:"));

    // Each entry is in one currency: NetSuite's CSV takes both, each
    // journal balanced in its own currency.
    std::fs::write(
        dir.path().join("gl-mappings/netsuite.toml"),
        "account_id = \"1\"\nauth = \"tba\"\ndefault_subsidiary = \"1\"\n\
         [tba]\nconsumer_key = \"ck\"\ntoken_id = \"tk\"\n",
    )
    .unwrap();
    let ns = ok(
        dir.path(),
        &[
            "export",
            "journal",
            "--format",
            "netsuite-csv",
            "--period",
            "2025-10",
        ],
    );
    let mut journals: BTreeMap<String, (String, Decimal)> = BTreeMap::new();
    let mut exchange = Vec::new();
    for rec in csv::Reader::from_reader(ns.as_bytes()).records() {
        let rec = rec.unwrap();
        let amount = |i: usize| rec[i].parse::<Decimal>().unwrap_or_default();
        let j = journals
            .entry(rec[0].to_string())
            .or_insert((rec[3].to_string(), Decimal::ZERO));
        assert_eq!(j.0, &rec[3], "one currency per journal: {rec:?}");
        j.1 += amount(6) - amount(7);
        if &rec[5] == "1030" {
            exchange.push((rec[3].to_string(), amount(6) - amount(7)));
        }
    }
    assert!(
        journals.values().all(|(_, net)| net.is_zero()),
        "{journals:?}"
    );
    exchange.sort();
    assert_eq!(
        exchange,
        vec![
            ("CAD".to_string(), Decimal::new(1001564, 2)),
            ("USD".to_string(), Decimal::new(-731245, 2)),
        ]
    );

    // The trail of the payout ends at the USD bank line.
    let trail = ok(dir.path(), &["trail", "payout", "24702193891"]);
    assert!(trail.contains("7312.45"), "{trail}");
    assert!(
        trail.contains("10015.64 CAD exchanged into 7312.45 USD"),
        "{trail}"
    );

    // The bank section: one deposit matched, the GL tied to the statement.
    let report = json(&ok(
        dir.path(),
        &["report", "bank", "--period", "2025-10", "--json"],
    ));
    let usd = &report.as_array().unwrap()[0];
    assert_eq!(usd["deposits_matched"], 1, "{usd}");
    assert_eq!(dec(&usd["deposits_matched_total"]), Decimal::new(731245, 2));
    assert_eq!(dec(&usd["gl_balance"]), Decimal::new(731245, 2));
    assert_eq!(dec(&usd["statement_closing"]), Decimal::new(736245, 2));
    assert!(dec(&usd["unexplained"]).is_zero(), "{usd}");

    // Again: nothing new.
    let again = usd_bank(&json(&ok(dir.path(), &["reconcile", "--json"])));
    assert_eq!(again["new"], 0, "{again}");
    assert_eq!(again["unchanged"], 2, "{again}");
}

#[test]
fn without_an_fx_account_a_foreign_payout_is_never_matched() {
    let Some(dir) = setup(false) else { return };
    let bank = usd_bank(&import_bank(dir.path())["reconcile"]);
    assert!(bank["matches"].as_array().unwrap().is_empty(), "{bank}");
    assert_eq!(
        bank["unmatched_deposits"].as_array().unwrap().len(),
        2,
        "{bank}"
    );
    let tb: BTreeMap<(String, String), Decimal> =
        tb_balances(&ok(dir.path(), &["trial-balance", "--format", "csv"]));
    assert_eq!(
        tb.get(&("1020".to_string(), "CAD".to_string())),
        Some(&Decimal::new(1103172, 2)),
        "both payouts still in transit: {tb:?}"
    );
    assert!(!tb.contains_key(&("1030".to_string(), "CAD".to_string())));
}
