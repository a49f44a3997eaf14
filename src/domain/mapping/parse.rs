//! Reading a mapping file: TOML into `GlMapping`, every problem collected
//! with its line, entry and field (never the first one only).

use std::collections::BTreeMap;
use std::ops::Range;

use chrono::NaiveDate;
use serde::Deserialize;
use toml::Spanned;

use super::pattern::CodePattern;
use super::{DefaultEntry, GlMapping, MappedAccount, MappingErrors, MappingIssue, SegmentValues};
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
pub(super) struct RawRule {
    pub(super) name: Option<Spanned<String>>,
    pub(super) code: Option<Spanned<String>>,
    pub(super) codes: Option<Spanned<Vec<String>>>,
    pub(super) shop: Option<Spanned<String>>,
    pub(super) country: Option<Spanned<String>>,
    pub(super) sku: Option<Spanned<String>>,
    pub(super) order_type: Option<Spanned<String>>,
    pub(super) effective_from: Option<Spanned<toml::Value>>,
    pub(super) effective_to: Option<Spanned<toml::Value>>,
    pub(super) account: Option<Spanned<toml::Value>>,
    pub(super) segments: Option<Spanned<BTreeMap<String, toml::Value>>>,
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
    pub(super) fn line(&self, span: Range<usize>) -> usize {
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
            if let Some(rule) =
                super::parse_rule::read_rule(&mut issues, i + 1, line, raw_rule.get_ref())
            {
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
pub(super) fn account_value(
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

pub(super) fn segments_value(
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
pub(super) fn date_value(
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
