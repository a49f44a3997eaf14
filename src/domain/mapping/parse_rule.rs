//! Reading one `[[rule]]`: its name, codes, conditions, account and
//! segments, every problem with the line of the field it is about.

use super::parse::{account_value, date_value, segments_value, Issues, RawRule};
use super::pattern::{CodePattern, Glob};
use super::{Conditions, Rule, SegmentValues};

pub(super) fn read_rule(
    issues: &mut Issues,
    index: usize,
    rule_line: usize,
    raw: &RawRule,
) -> Option<Rule> {
    let line = rule_line;
    let name = raw
        .name
        .as_ref()
        .map(|n| n.get_ref().trim().to_string())
        .filter(|n| !n.is_empty());
    let entry = match &name {
        Some(n) => format!("rule \"{n}\""),
        None => format!("rule {index}"),
    };
    let mut ok = true;
    macro_rules! fail {
        ($line:expr, $field:expr, $message:expr $(,)?) => {{
            issues.push(Some($line), &entry, $field, String::from($message));
            ok = false;
        }};
    }
    if name.is_none() {
        fail!(
            line,
            Some("name"),
            "missing: every rule has a name, recorded with what it categorizes",
        );
    }

    let mut codes = Vec::new();
    let texts: Vec<(String, usize)> = match (&raw.code, &raw.codes) {
        (Some(c), None) => vec![(c.get_ref().clone(), issues.line(c.span()))],
        (None, Some(cs)) => {
            let l = issues.line(cs.span());
            if cs.get_ref().is_empty() {
                fail!(l, Some("codes"), "the list is empty");
            }
            cs.get_ref().iter().map(|c| (c.clone(), l)).collect()
        }
        (Some(c), Some(_)) => {
            let l = issues.line(c.span());
            fail!(l, Some("code"), "write `code` or `codes`, not both");
            Vec::new()
        }
        (None, None) => {
            fail!(
                line,
                Some("code"),
                "missing: say which component codes the rule applies to (`code` or `codes`)",
            );
            Vec::new()
        }
    };
    let field = if raw.codes.is_some() { "codes" } else { "code" };
    for (text, l) in texts {
        match CodePattern::parse(text.trim(), true) {
            Ok(p) => codes.push(p),
            Err(message) => fail!(l, Some(field), message),
        }
    }

    let mut conditions = Conditions::default();
    if let Some(shop) = &raw.shop {
        let s = shop.get_ref().trim();
        let valid = !s.is_empty()
            && s.len() <= 64
            && s.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_');
        if valid {
            conditions.shop = Some(s.to_string());
        } else {
            let l = issues.line(shop.span());
            fail!(l,
                Some("shop"),
                format!("`{s}` is not a shop name (lowercase letters, digits, - and _, as in shops.toml)"),
            );
        }
    }
    if let Some(country) = &raw.country {
        let c = country.get_ref().trim();
        if c.len() == 2 && c.chars().all(|ch| ch.is_ascii_alphabetic()) {
            conditions.country = Some(c.to_ascii_uppercase());
        } else {
            let l = issues.line(country.span());
            fail!(
                l,
                Some("country"),
                format!("`{c}` is not a two-letter ISO 3166 country code (US, GB, DE …)"),
            );
        }
    }
    for (field, raw_glob, fold) in [
        ("sku", &raw.sku, false),
        ("order_type", &raw.order_type, true),
    ] {
        if let Some(g) = raw_glob {
            match Glob::new(g.get_ref(), fold) {
                Ok(glob) => {
                    if field == "sku" {
                        conditions.sku = Some(glob);
                    } else {
                        conditions.order_type = Some(glob);
                    }
                }
                Err(message) => {
                    let l = issues.line(g.span());
                    fail!(l, Some(field), message);
                }
            }
        }
    }
    for (field, value) in [
        ("effective_from", &raw.effective_from),
        ("effective_to", &raw.effective_to),
    ] {
        if let Some(v) = value {
            let l = issues.line(v.span());
            match date_value(issues, l, &entry, field, v.get_ref()) {
                Some(d) if field == "effective_from" => conditions.effective_from = Some(d),
                Some(d) => conditions.effective_to = Some(d),
                None => ok = false,
            }
        }
    }
    if let (Some(from), Some(to)) = (conditions.effective_from, conditions.effective_to) {
        if to < from {
            let l = raw
                .effective_to
                .as_ref()
                .map(|v| issues.line(v.span()))
                .unwrap_or(line);
            fail!(
                l,
                Some("effective_to"),
                format!("{to} is before effective_from {from}: the rule would never apply"),
            );
        }
    }
    let conditions_written = raw.shop.is_some()
        || raw.country.is_some()
        || raw.sku.is_some()
        || raw.order_type.is_some()
        || raw.effective_from.is_some()
        || raw.effective_to.is_some();
    if !conditions_written {
        fail!(
            line,
            None,
            "the rule has no condition (shop, country, sku, order_type, effective_from, \
             effective_to), so it is a default: put it under [components]",
        );
    }

    let account = match &raw.account {
        None => None,
        Some(a) => {
            let l = issues.line(a.span());
            let parsed = account_value(issues, l, &entry, a.get_ref());
            if parsed.is_none() {
                ok = false;
            }
            parsed
        }
    };
    let segments = match &raw.segments {
        None => SegmentValues::new(),
        Some(s) => {
            let l = issues.line(s.span());
            match segments_value(issues, l, &entry, s.get_ref()) {
                Some(v) => v,
                None => {
                    ok = false;
                    SegmentValues::new()
                }
            }
        }
    };
    if raw.account.is_none() && raw.segments.is_none() {
        fail!(
            line,
            None,
            "the rule sets neither `account` nor `segments`, so it changes nothing",
        );
    }
    let name = name?;
    ok.then_some(Rule {
        name,
        codes,
        conditions,
        account,
        segments,
        line,
    })
}
