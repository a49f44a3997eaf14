//! Unit tests of journal validation helpers (the HTTP behaviour is covered in tests/journal.rs).

use super::*;
use serde_json::json;

fn dec(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

#[test]
fn amounts_parse_exactly() {
    let v: Value =
        serde_json::from_str(r#"[0.1, 0.2, 0.30000000000000004, "12.50", 1e3, 100]"#).unwrap();
    let got: Vec<_> = v.as_array().unwrap().iter().map(parse_amount).collect();
    assert_eq!(got[0], Some(dec("0.1")));
    assert_eq!(got[1], Some(dec("0.2")));
    assert_eq!(got[2].unwrap().normalize().scale(), 17);
    assert_eq!(got[3], Some(dec("12.50")));
    assert_eq!(got[4], Some(dec("1000")));
    assert_eq!(got[5], Some(dec("100")));
    assert_eq!(parse_amount(&json!(true)), None);
    assert_eq!(parse_amount(&json!("12,50")), None);
}

#[test]
fn external_id_charset() {
    assert!(valid_external_id("AMZ-US_2024-06-01-1"));
    for bad in ["", "a|b", "a.b", "a:b", "a b", "é"] {
        assert!(!valid_external_id(bad), "{bad}");
    }
}

#[test]
fn balanced_entry_validates_and_normalizes() {
    let catalog = Catalog::sample();
    let body = json!({
        "subsidiary": {"id": 1}, "tranDate": "2026-01-31", "memo": "m",
        "line": {"items": [
            {"account": {"id": "2"}, "debit": 0.1},
            {"account": {"id": "7"}, "debit": "0.20"},
            {"account": {"id": "5"}, "credit": 0.3, "credit_note": null},
        ]},
    });
    let (header, change) = split_body(body.as_object().unwrap()).unwrap();
    let LineChange::Items(lines) = change else {
        panic!("items expected")
    };
    let j = validate(&header, &lines, &catalog, 1000).unwrap();
    assert_eq!(j.posting_period, "25");
    assert_eq!(j.subsidiary.as_deref(), Some("1"));
    assert_eq!(j.lines[1].debit, Some(dec("0.2")));
    assert_eq!(j.lines[2].credit, Some(dec("0.3")));
    // Strict names reject the stray line field.
    let e = check_property_names(body.as_object().unwrap()).unwrap_err();
    assert_eq!(e.path.as_deref(), Some("line.items[2].credit_note"));
}
