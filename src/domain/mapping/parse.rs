//! Reading a mapping file: TOML into `GlMapping`, every problem collected
//! with its line, entry and field (never the first one only).

use std::collections::BTreeMap;
use std::ops::Range;

use chrono::NaiveDate;
use serde::Deserialize;
use toml::Spanned;

use super::pattern::{CodePattern, Glob};
use super::{
    Conditions, DefaultEntry, GlMapping, MappedAccount, MappingErrors, MappingIssue, Rule,
    SegmentValues,
};
use crate::domain::account::ChartOfAccounts;
use crate::domain::hashing::sha256_hex;
use crate::domain::settlement::Channel;
use crate::domain::shop::SEGMENTS;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    channel: Option<Spanned<String>>,
    #[serde(default)]
    components: BTreeMap<Spanned<String>, Spanned<toml::Value>>,
    #[serde(default, rename = "rule")]
    rules: Vec<Spanned<RawRule>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRule {
    name: Option<Spanned<String>>,
    code: Option<Spanned<String>>,
    codes: Option<Spanned<Vec<String>>>,
    shop: Option<Spanned<String>>,
    country: Option<Spanned<String>>,
    sku: Option<Spanned<String>>,
    order_type: Option<Spanned<String>>,
    effective_from: Option<Spanned<toml::Value>>,
    effective_to: Option<Spanned<toml::Value>>,
    account: Option<Spanned<toml::Value>>,
    segments: Option<Spanned<BTreeMap<String, toml::Value>>>,
}

/// Collects problems for one file.
pub(super) struct Issues<'a> {
    file: &'a str,
    text: &'a str,
    pub(super) list: Vec<MappingIssue>,
}

impl<'a> Issues<'a> {
    pub(super) fn new(file: &'a str, text: &'a str) -> Self {
        Issues {
            file,
            text,
            list: Vec::new(),
        }
    }

    /// The 1-based line of a byte offset.
    fn line(&self, span: Range<usize>) -> usize {
        let end = span.start.min(self.text.len());
        self.text.as_bytes()[..end]
            .iter()
            .filter(|b| **b == b'\n')
            .count()
            + 1
    }

    pub(super) fn push(
        &mut self,
        line: Option<usize>,
        entry: &str,
        field: Option<&str>,
        message: impl Into<String>,
    ) {
        self.list.push(MappingIssue {
            file: self.file.to_string(),
            line,
            entry: entry.to_string(),
            field: field.map(str::to_string),
            message: message.into(),
        });
    }
}

impl GlMapping {
    /// Reads `text` (the file `file` of `channel`) and checks it against
    /// `chart`: all problems or a mapping ready to resolve.
    pub fn load(
        file: &str,
        channel: Channel,
        text: &str,
        chart: &ChartOfAccounts,
    ) -> Result<GlMapping, MappingErrors> {
        let (mapping, mut issues) = GlMapping::read(file, channel, text);
        issues.extend(mapping.check_chart(chart));
        if issues.is_empty() {
            Ok(mapping)
        } else {
            Err(MappingErrors(issues))
        }
    }

    /// Reads `text` without a chart: the file's own consistency only.
    pub fn parse(file: &str, channel: Channel, text: &str) -> Result<GlMapping, MappingErrors> {
        let (mapping, issues) = GlMapping::read(file, channel, text);
        if issues.is_empty() {
            Ok(mapping)
        } else {
            Err(MappingErrors(issues))
        }
    }

    /// What can be read, and every problem; entries with problems are left out.
    pub(super) fn read(file: &str, channel: Channel, text: &str) -> (GlMapping, Vec<MappingIssue>) {
        let mut issues = Issues::new(file, text);
        let mut mapping = GlMapping {
            file: file.to_string(),
            channel,
            version: format!("sha256:{}", sha256_hex(text.as_bytes())),
            defaults: Vec::new(),
            rules: Vec::new(),
        };
        let raw: RawFile = match toml::from_str(text) {
            Ok(raw) => raw,
            Err(e) => {
                let line = e.span().map(|s| issues.line(s));
                issues.push(line, "", None, e.message().trim().to_string());
                return (mapping, issues.list);
            }
        };
        if let Some(named) = &raw.channel {
            if named.get_ref() != channel.as_str() {
                issues.push(
                    Some(issues.line(named.span())),
                    "",
                    Some("channel"),
                    format!(
                        "the file says `{}`, but it is the mapping file of {}",
                        named.get_ref(),
                        channel.as_str()
                    ),
                );
            }
        }
        for (key, value) in &raw.components {
            let line = issues.line(key.span());
            let entry = format!("component \"{}\"", key.get_ref());
            if let Some(d) = read_default(&mut issues, line, &entry, key.get_ref(), value.get_ref())
            {
                mapping.defaults.push(d);
            }
        }
        mapping.defaults.sort_by_key(|d| d.line);
        let mut names: BTreeMap<String, usize> = BTreeMap::new();
        for (i, raw_rule) in raw.rules.iter().enumerate() {
            let line = issues.line(raw_rule.span());
            if let Some(rule) = read_rule(&mut issues, i + 1, line, raw_rule.get_ref()) {
                if let Some(first) = names.get(&rule.name) {
                    issues.push(
                        Some(rule.line),
                        &format!("rule \"{}\"", rule.name),
                        Some("name"),
                        format!("another rule has this name (line {first}); names must be unique"),
                    );
                    continue;
                }
                names.insert(rule.name.clone(), rule.line);
                mapping.rules.push(rule);
            }
        }
        issues
            .list
            .extend(super::check::overlapping_rules(file, &mapping.rules));
        issues.list.sort_by_key(|i| i.line);
        (mapping, issues.list)
    }
}

fn read_default(
    issues: &mut Issues,
    line: usize,
    entry: &str,
    key: &str,
    value: &toml::Value,
) -> Option<DefaultEntry> {
    let pattern = match CodePattern::parse(key, false) {
        Ok(p) => Some(p),
        Err(message) => {
            issues.push(Some(line), entry, None, message);
            None
        }
    };
    let (account, segments) = match value {
        toml::Value::Table(table) => {
            for unknown in table.keys().filter(|k| *k != "account" && *k != "segments") {
                issues.push(
                    Some(line),
                    entry,
                    Some(unknown),
                    "unknown field (an entry has `account` and `segments`)",
                );
            }
            let account = match table.get("account") {
                Some(v) => account_value(issues, line, entry, v),
                None => {
                    issues.push(
                        Some(line),
                        entry,
                        Some("account"),
                        "missing: say which account the component goes to",
                    );
                    None
                }
            };
            let segments = match table.get("segments") {
                None => Some(SegmentValues::new()),
                Some(toml::Value::Table(t)) => {
                    let map: BTreeMap<String, toml::Value> =
                        t.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
                    segments_value(issues, line, entry, &map)
                }
                Some(_) => {
                    issues.push(
                        Some(line),
                        entry,
                        Some("segments"),
                        "expected a table, e.g. segments = { department = \"marketing\" }",
                    );
                    None
                }
            };
            (account, segments)
        }
        other => (
            account_value(issues, line, entry, other),
            Some(SegmentValues::new()),
        ),
    };
    Some(DefaultEntry {
        pattern: pattern?,
        account: account?,
        segments: segments?,
        line,
    })
}

/// `"6100"`, `6100` or `"clearing"`.
fn account_value(
    issues: &mut Issues,
    line: usize,
    entry: &str,
    value: &toml::Value,
) -> Option<MappedAccount> {
    let text = match value {
        toml::Value::String(s) => s.trim().to_string(),
        toml::Value::Integer(i) => i.to_string(),
        _ => {
            issues.push(
                Some(line),
                entry,
                Some("account"),
                "expected an account code such as \"6100\", or \"clearing\"",
            );
            return None;
        }
    };
    if text == "clearing" {
        return Some(MappedAccount::Clearing);
    }
    match text.parse() {
        Ok(code) => Some(MappedAccount::Account(code)),
        Err(e) => {
            issues.push(Some(line), entry, Some("account"), format!("{e}"));
            None
        }
    }
}

fn segments_value(
    issues: &mut Issues,
    line: usize,
    entry: &str,
    raw: &BTreeMap<String, toml::Value>,
) -> Option<SegmentValues> {
    let mut ok = true;
    let mut out = SegmentValues::new();
    for (name, value) in raw {
        let field = format!("segments.{name}");
        if !SEGMENTS.contains(&name.as_str()) {
            issues.push(
                Some(line),
                entry,
                Some(&field),
                format!("`{name}` is not a segment ({})", SEGMENTS.join(", ")),
            );
            ok = false;
            continue;
        }
        let text = match value {
            toml::Value::String(s) => s.trim().to_string(),
            toml::Value::Integer(i) => i.to_string(),
            _ => String::new(),
        };
        if text.is_empty() {
            issues.push(
                Some(line),
                entry,
                Some(&field),
                "expected a non-empty text value",
            );
            ok = false;
            continue;
        }
        out.insert(name.clone(), text);
    }
    ok.then_some(out)
}

/// A TOML date (`2025-01-01`) or the same as text.
fn date_value(
    issues: &mut Issues,
    line: usize,
    entry: &str,
    field: &str,
    value: &toml::Value,
) -> Option<NaiveDate> {
    let parsed = match value {
        toml::Value::Datetime(dt) => match (dt.date, dt.time, dt.offset) {
            (Some(d), None, None) => {
                NaiveDate::from_ymd_opt(i32::from(d.year), u32::from(d.month), u32::from(d.day))
            }
            _ => None,
        },
        toml::Value::String(s) => NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok(),
        _ => None,
    };
    if parsed.is_none() {
        issues.push(
            Some(line),
            entry,
            Some(field),
            format!("`{value}` is not a date (write YYYY-MM-DD, e.g. 2025-01-01)"),
        );
    }
    parsed
}

fn read_rule(issues: &mut Issues, index: usize, rule_line: usize, raw: &RawRule) -> Option<Rule> {
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
