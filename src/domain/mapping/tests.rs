use chrono::NaiveDate;

use super::*;
use crate::domain::account::ChartOfAccounts;
use crate::domain::shop::Shops;

const CHART: &str = r#"
[[account]]
code = "1210"
name = "Clearing"
type = "asset"
[[account]]
code = "1900"
name = "Suspense"
type = "asset"
[[account]]
code = "4000"
name = "Sales"
type = "income"
[[account]]
code = "6100"
name = "Commission"
type = "expense"
[[account]]
code = "6120"
name = "Affiliates"
type = "expense"
[[account]]
code = "6130"
name = "Shipping labels"
type = "expense"
[[account]]
code = "6190"
name = "Other fees"
type = "expense"
[[account]]
code = "6200"
name = "Marketing - creator samples"
type = "expense"
[[account]]
code = "6999"
name = "Old fees"
type = "expense"
active = false
"#;

const MAPPING: &str = r#"
channel = "tiktok"

[components]
"sale.gross" = "4000"
"fee.*" = "6190"
"fee.affiliate_*" = "6120"
"fee.commission" = { account = "6100", segments = { department = "sales", class = "fees" } }
"sale.platform_discount" = "clearing"
"adjustment.*" = 1900

[[rule]]
name = "samples"
codes = ["sale.*", "fee.*"]
order_type = "Sample order*"
account = "6200"
segments = { department = "marketing" }

[[rule]]
name = "us-labels-2024"
code = "fee.shipping_label"
shop = "tiktok-us"
effective_from = 2024-01-01
effective_to = "2024-12-31"
account = "6130"

[[rule]]
name = "kits"
code = "sale.gross"
sku = "KIT-*"
segments = { class = "kits" }

[[rule]]
name = "us-commission-class"
code = "fee.commission"
country = "us"
segments = { class = "us-fees" }

[[rule]]
name = "uk-commission-class"
code = "fee.commission"
shop = "tiktok-uk"
segments = { class = "uk-fees" }
"#;

fn chart() -> ChartOfAccounts {
    ChartOfAccounts::from_toml(CHART).unwrap()
}

fn mapping() -> GlMapping {
    GlMapping::load("tiktok.toml", Channel::TikTok, MAPPING, &chart())
        .unwrap_or_else(|e| panic!("{e}"))
}

fn code(s: &str) -> ComponentCode {
    ComponentCode::new(s).unwrap()
}

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn account(r: &Option<Resolution>) -> String {
    r.as_ref()
        .map(|r| r.account.to_string())
        .unwrap_or_else(|| "unmapped".into())
}

/// The problems of `text` checked against the test chart, as displayed.
fn problems(text: &str) -> Vec<String> {
    match GlMapping::load("gl-mappings/tiktok.toml", Channel::TikTok, text, &chart()) {
        Ok(_) => Vec::new(),
        Err(MappingErrors(issues)) => issues.iter().map(|i| i.to_string()).collect(),
    }
}

#[test]
fn the_most_specific_default_wins() {
    let m = mapping();
    let none = Context::default();
    assert_eq!(account(&m.resolve(&code("fee.commission"), &none)), "6100");
    assert_eq!(
        account(&m.resolve(&code("fee.affiliate_commission"), &none)),
        "6120",
        "a part of a family beats the family"
    );
    assert_eq!(
        account(&m.resolve(&code("fee.anything_new"), &none)),
        "6190"
    );
    assert_eq!(
        account(&m.resolve(&code("adjustment.x"), &none)),
        "1900",
        "an integer account code is read as text"
    );
    assert_eq!(
        account(&m.resolve(&code("sale.platform_discount"), &none)),
        "clearing"
    );
    assert_eq!(
        account(&m.resolve(&code("sale.shipping_income"), &none)),
        "unmapped"
    );
    assert_eq!(
        account(&m.resolve(&code("tax.collected"), &none)),
        "unmapped"
    );
    let r = m.resolve(&code("fee.commission"), &none).unwrap();
    assert_eq!(r.default.as_deref(), Some("fee.commission"));
    assert_eq!(r.rule, None);
    assert_eq!(
        r.segments.get("department").map(String::as_str),
        Some("sales")
    );
    let r = m.resolve(&code("fee.x"), &none).unwrap();
    assert_eq!(r.default.as_deref(), Some("fee.*"));
}

#[test]
fn a_rule_beats_the_default_and_keeps_what_it_does_not_set() {
    let m = mapping();
    let sample = Context {
        order_type: Some("SAMPLE ORDER: free sample from seller"),
        ..Context::default()
    };
    let r = m.resolve(&code("fee.commission"), &sample).unwrap();
    assert_eq!(r.account.to_string(), "6200");
    assert_eq!(r.rule.as_deref(), Some("samples"));
    assert_eq!(r.default.as_deref(), Some("fee.commission"));
    // Segments: the rule's over the default's, one by one.
    assert_eq!(
        r.segments.get("department").map(String::as_str),
        Some("marketing")
    );
    assert_eq!(r.segments.get("class").map(String::as_str), Some("fees"));
    assert_eq!(account(&m.resolve(&code("sale.gross"), &sample)), "6200");
    // Codes the rule does not name keep their default.
    assert_eq!(account(&m.resolve(&code("adjustment.x"), &sample)), "1900");
    // A rule can give an account to a code without a default.
    assert_eq!(
        account(&m.resolve(&code("sale.shipping_income"), &sample)),
        "6200"
    );
    // Another type does not match.
    let order = Context {
        order_type: Some("Order"),
        ..Context::default()
    };
    assert_eq!(account(&m.resolve(&code("fee.commission"), &order)), "6100");
}

#[test]
fn effective_dates_are_inclusive_and_need_a_date() {
    let m = mapping();
    let at = |shop: &'static str, date: Option<&str>| Context {
        shop: Some(shop),
        date: date.map(day),
        ..Context::default()
    };
    let label = code("fee.shipping_label");
    assert_eq!(
        account(&m.resolve(&label, &at("tiktok-us", Some("2024-01-01")))),
        "6130"
    );
    assert_eq!(
        account(&m.resolve(&label, &at("tiktok-us", Some("2024-12-31")))),
        "6130"
    );
    assert_eq!(
        account(&m.resolve(&label, &at("tiktok-us", Some("2023-12-31")))),
        "6190"
    );
    assert_eq!(
        account(&m.resolve(&label, &at("tiktok-us", Some("2025-01-01")))),
        "6190"
    );
    assert_eq!(
        account(&m.resolve(&label, &at("tiktok-us", None))),
        "6190",
        "a dated rule does not apply when the date is unknown"
    );
    assert_eq!(
        account(&m.resolve(&label, &at("tiktok-uk", Some("2024-06-01")))),
        "6190",
        "another shop"
    );
}

#[test]
fn sku_globs_shops_and_countries() {
    let m = mapping();
    let sku = |s: &'static str| Context {
        sku: Some(s),
        ..Context::default()
    };
    let kit = m.resolve(&code("sale.gross"), &sku("KIT-0042")).unwrap();
    assert_eq!(
        kit.account.to_string(),
        "4000",
        "a segments-only rule keeps the account"
    );
    assert_eq!(kit.rule.as_deref(), Some("kits"));
    assert_eq!(kit.segments.get("class").map(String::as_str), Some("kits"));
    let other = m.resolve(&code("sale.gross"), &sku("kit-0042")).unwrap();
    assert_eq!(other.rule, None, "SKUs match case-sensitively");

    // Two rules with one condition each, both matching: the first in the file wins.
    let both = Context {
        shop: Some("tiktok-uk"),
        country: Some("US"),
        ..Context::default()
    };
    let r = m.resolve(&code("fee.commission"), &both).unwrap();
    assert_eq!(r.rule.as_deref(), Some("us-commission-class"));
    let uk = Context {
        shop: Some("tiktok-uk"),
        ..Context::default()
    };
    let r = m.resolve(&code("fee.commission"), &uk).unwrap();
    assert_eq!(r.rule.as_deref(), Some("uk-commission-class"));
    assert_eq!(r.segments.get("class").map(String::as_str), Some("uk-fees"));
}

#[test]
fn more_conditions_beat_fewer_and_exact_codes_beat_wildcards() {
    let text = r#"
[components]
"fee.shipping_label" = "6130"
[[rule]]
name = "samples"
code = "fee.*"
order_type = "Sample*"
account = "6200"
[[rule]]
name = "us-labels"
code = "fee.shipping_label"
shop = "tiktok-us"
account = "6190"
[[rule]]
name = "us-samples"
code = "fee.*"
order_type = "Sample*"
shop = "tiktok-us"
account = "1900"
"#;
    let m = GlMapping::load("t.toml", Channel::TikTok, text, &chart()).unwrap();
    let ctx = |shop| Context {
        shop: Some(shop),
        order_type: Some("Sample order"),
        ..Context::default()
    };
    // Two conditions beat one.
    let r = m
        .resolve(&code("fee.shipping_label"), &ctx("tiktok-us"))
        .unwrap();
    assert_eq!(r.rule.as_deref(), Some("us-samples"));
    // One condition each: the exact code beats the family.
    let only_shop = Context {
        shop: Some("tiktok-us"),
        ..Context::default()
    };
    let r = m.resolve(&code("fee.shipping_label"), &only_shop).unwrap();
    assert_eq!(r.rule.as_deref(), Some("us-labels"));
    let r = m
        .resolve(&code("fee.shipping_label"), &ctx("tiktok-uk"))
        .unwrap();
    assert_eq!(r.rule.as_deref(), Some("samples"));
}

#[test]
fn the_version_is_the_files_sha256() {
    let m = mapping();
    assert_eq!(
        m.version(),
        format!(
            "sha256:{}",
            crate::domain::hashing::sha256_hex(MAPPING.as_bytes())
        )
    );
    let changed = GlMapping::load(
        "tiktok.toml",
        Channel::TikTok,
        &MAPPING.replace("\"6190\"", "\"6100\""),
        &chart(),
    )
    .unwrap();
    assert_ne!(changed.version(), m.version());
    let r = m.resolve(&code("fee.x"), &Context::default()).unwrap();
    assert_eq!(
        r.version,
        m.version(),
        "every resolution carries the version"
    );
    assert_eq!(m.rules().len(), 5);
    assert_eq!(m.defaults().len(), 6);
}

#[test]
fn accounts_are_checked_against_the_chart() {
    let p = problems(
        "[components]\n\"fee.commission\" = \"6101\"\n\"fee.old\" = \"6999\"\n\
         [[rule]]\nname = \"x\"\ncode = \"fee.*\"\nshop = \"tiktok-us\"\naccount = \"7777\"\n",
    );
    assert_eq!(
        p,
        [
            "gl-mappings/tiktok.toml:2: component \"fee.commission\": account: account 6101 is not in the chart of accounts",
            "gl-mappings/tiktok.toml:3: component \"fee.old\": account: account 6999 (Old fees) is inactive and takes no new postings",
            "gl-mappings/tiktok.toml:4: rule \"x\": account: account 7777 is not in the chart of accounts",
        ]
    );
}

#[test]
fn entries_are_checked_with_their_line_and_field() {
    let text = "channel = \"tiktok\"\n\
                [components]\n\
                \"fees.commission\" = \"6100\"\n\
                \"fee.Commission\" = \"6100\"\n\
                \"*\" = \"1900\"\n\
                \"fee.x\" = { account = \"6100\", segments = { region = \"eu\" } }\n\
                \"fee.y\" = { acount = \"6100\" }\n\
                \"fee.z\" = \"61 00\"\n\
                \"fee.w\" = true\n";
    let p = problems(text);
    let expect = [
        "gl-mappings/tiktok.toml:3: component \"fees.commission\": `fees.commission` is not a component code",
        "gl-mappings/tiktok.toml:4: component \"fee.Commission\": `fee.Commission` is not a component code",
        "gl-mappings/tiktok.toml:5: component \"*\": `*` would give every component an account",
        "gl-mappings/tiktok.toml:6: component \"fee.x\": segments.region: `region` is not a segment (subsidiary, department, class, location)",
        "gl-mappings/tiktok.toml:7: component \"fee.y\": acount: unknown field",
        "gl-mappings/tiktok.toml:7: component \"fee.y\": account: missing",
        "gl-mappings/tiktok.toml:8: component \"fee.z\": account: `61 00` is not a valid account code",
        "gl-mappings/tiktok.toml:9: component \"fee.w\": account: expected an account code",
    ];
    assert_eq!(p.len(), expect.len(), "{p:#?}");
    for e in expect {
        assert!(p.iter().any(|m| m.starts_with(e)), "{e}\nnot in {p:#?}");
    }
}

#[test]
fn rules_are_checked_with_their_line_and_field() {
    let text = r#"[components]
"fee.*" = "6190"

[[rule]]
name = "bad-dates"
code = "fee.*"
effective_from = 2024-13-01
account = "6100"

[[rule]]
name = "inverted"
code = "fee.*"
effective_from = 2024-06-01
effective_to = 2024-01-31
account = "6100"

[[rule]]
name = "odd"
codes = ["fee.*", "fee*"]
country = "USA"
shop = "TikTok US"
sku = ""
account = "6100"

[[rule]]
code = "fee.*"
shop = "a"
account = "6100"

[[rule]]
name = "unconditional"
code = "fee.*"
account = "6100"

[[rule]]
name = "does-nothing"
code = "fee.*"
shop = "b"

[[rule]]
name = "timed"
code = "fee.*"
effective_from = "2024-06-31"
account = "6100"
"#;
    let p = problems(text);
    let expect = [
        // TOML itself refuses month 13; everything else is ours.
        "gl-mappings/tiktok.toml:7: ",
    ];
    assert_eq!(p.len(), 1, "a syntax error stops the file: {p:#?}");
    assert!(p[0].starts_with(expect[0]), "{p:#?}");

    let text = text.replace("2024-13-01", "2024-01-01");
    let p = problems(&text);
    let expect = [
        "gl-mappings/tiktok.toml:14: rule \"inverted\": effective_to: 2024-01-31 is before effective_from 2024-06-01: the rule would never apply",
        "gl-mappings/tiktok.toml:19: rule \"odd\": codes: `fee*`: a wildcard goes after the family and its dot, as in `fee.*`",
        "gl-mappings/tiktok.toml:20: rule \"odd\": country: `USA` is not a two-letter ISO 3166 country code (US, GB, DE …)",
        "gl-mappings/tiktok.toml:21: rule \"odd\": shop: `TikTok US` is not a shop name",
        "gl-mappings/tiktok.toml:22: rule \"odd\": sku: the pattern is empty",
        "gl-mappings/tiktok.toml:25: rule 4: name: missing: every rule has a name",
        "gl-mappings/tiktok.toml:30: rule \"unconditional\": the rule has no condition (shop, country, sku, order_type, effective_from, effective_to), so it is a default: put it under [components]",
        "gl-mappings/tiktok.toml:35: rule \"does-nothing\": the rule sets neither `account` nor `segments`, so it changes nothing",
        "gl-mappings/tiktok.toml:43: rule \"timed\": effective_from: `\"2024-06-31\"` is not a date (write YYYY-MM-DD, e.g. 2025-01-01)",
    ];
    assert_eq!(p.len(), expect.len(), "{p:#?}");
    for (found, e) in p.iter().zip(expect) {
        assert!(found.starts_with(e), "{found}\ndoes not start with\n{e}");
    }
}

#[test]
fn rules_that_would_tie_are_refused() {
    let text = r#"[components]
"fee.*" = "6190"

[[rule]]
name = "a"
code = "fee.commission"
shop = "tiktok-us"
effective_from = 2024-01-01
effective_to = 2024-12-31
account = "6100"

[[rule]]
name = "b"
codes = ["fee.shipping_label", "fee.commission"]
shop = "tiktok-us"
effective_from = 2024-03-01
effective_to = 2024-03-31
account = "6130"

[[rule]]
name = "c"
code = "fee.commission"
shop = "tiktok-us"
effective_from = 2025-01-01
account = "6190"

[[rule]]
name = "d"
code = "fee.commission"
country = "US"
account = "6190"

[[rule]]
name = "a"
code = "fee.commission"
country = "GB"
account = "6190"
"#;
    let p = problems(text);
    assert_eq!(
        p,
        [
            "gl-mappings/tiktok.toml:12: rule \"b\": applies to `fee.commission` under the same \
             conditions as rule \"a\" (line 4), so which one wins would depend on their order in \
             the file; make one of them more specific or give them effective dates that do not overlap",
            "gl-mappings/tiktok.toml:33: rule \"a\": name: another rule has this name (line 4); names must be unique",
        ],
        "c starts after a and b end, d has another condition"
    );
}

#[test]
fn the_file_must_be_the_channels_and_valid_toml() {
    let p = problems("channel = \"amazon\"\n[components]\n\"fee.*\" = \"6190\"\n");
    assert_eq!(
        p,
        ["gl-mappings/tiktok.toml:1: channel: the file says `amazon`, but it is the mapping file of tiktok"]
    );
    let p =
        problems("[components]\n\"fee.*\" = \"6190\"\n[[rule]]\nname = \"x\"\ncolour = \"red\"\n");
    assert_eq!(p.len(), 1);
    assert!(
        p[0].starts_with("gl-mappings/tiktok.toml:5: unknown field `colour`"),
        "{p:?}"
    );
    let p = problems("[components\n");
    assert!(p[0].starts_with("gl-mappings/tiktok.toml:1: "), "{p:?}");
    assert!(
        GlMapping::parse("t.toml", Channel::TikTok, "").is_ok(),
        "an empty file maps nothing"
    );
}

#[test]
fn rules_naming_unknown_shops_are_reported_when_shops_are_configured() {
    let m = mapping();
    assert!(m.check_shops(&Shops::default()).is_empty());
    let shops = Shops::from_toml(
        r#"
[[shop]]
name = "tiktok-us"
channel = "tiktok"
currency = "USD"
time_zone = "UTC"
clearing_account = "1210"
[[shop]]
name = "tiktok-uk"
channel = "amazon"
currency = "GBP"
time_zone = "UTC"
clearing_account = "1210"
"#,
    )
    .unwrap();
    let issues: Vec<String> = m
        .check_shops(&shops)
        .iter()
        .map(|i| i.to_string())
        .collect();
    assert_eq!(
        issues,
        ["tiktok.toml:39: rule \"uk-commission-class\": shop: shop `tiktok-uk` is a amazon shop, but this is the tiktok mapping"]
    );
}
