//! Component code → GL account: the merchant's policy for one channel, from
//! `gl-mappings/<channel>.toml`. Parsers own column → code (a fact about the
//! format); this owns code → account and segments (a choice the merchant
//! makes). Pure: the text comes in, a `GlMapping` or every problem with its
//! file, line, entry and field comes out.
//!
//! ```toml
//! channel = "tiktok"
//!
//! [components]
//! "sale.gross" = "4000"                         # an account
//! "fee.*" = "6190"                              # a family (or part: "fee.affiliate_*")
//! "fee.advertising" = { account = "6150", segments = { department = "marketing" } }
//! "sale.platform_discount" = "clearing"         # a memo pair that nets inside clearing
//!
//! [[rule]]
//! name = "creator-samples"
//! codes = ["sale.*", "refund.*", "fee.*"]
//! order_type = "Sample order*"                  # glob on the transaction type, any case
//! account = "6200"
//! ```
//!
//! How a code resolves, in a context (shop, country, SKU, transaction type,
//! date):
//! - the default is the most specific `[components]` entry matching the
//!   code: the code itself, else the longest matching wildcard;
//! - a rule applies when it matches the code and every condition it sets
//!   (a condition on something the context does not know does not match).
//!   Of the rules that apply, the one with the most conditions wins, then
//!   the one whose code pattern is most specific, then the first in the
//!   file. Two rules with the same code, the same conditions and
//!   overlapping dates are refused: which one wins would depend on their
//!   order. Effective dates are inclusive;
//! - the winning rule's account (when it sets one) replaces the default's,
//!   its segments are laid over the default's one by one. A code with no
//!   default and no rule giving an account is unmapped: booking refuses it.
//!
//! `account = "clearing"` stands for the shop's clearing account (from
//! shops.toml, not these files). It is meant for memo pairs such as TikTok's
//! platform discount and the platform's funding of it: the buyer paid less
//! and the platform pays the difference, so the two amounts net to zero and
//! neither is the brand's revenue or cost; mapped to clearing they net there
//! and touch no P&L account. Marketplace-facilitator tax pairs go to the
//! pass-through liability instead (accounting-model.md), so that what the
//! channel collected and remitted stays visible there.

mod check;
mod parse;
mod parse_rule;
mod pattern;
#[cfg(test)]
mod tests;

use std::collections::BTreeMap;
use std::fmt;

use chrono::NaiveDate;
use serde::Serialize;

use super::account::AccountCode;
use super::settlement::{Channel, ComponentCode};

pub use pattern::{CodePattern, Glob};

/// Segment name → value (subsidiary, department, class, location).
pub type SegmentValues = BTreeMap<String, String>;

/// Where a component goes.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum MappedAccount {
    Account(AccountCode),
    /// The shop's clearing account (shops.toml).
    Clearing,
}

impl fmt::Display for MappedAccount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MappedAccount::Account(a) => write!(f, "{a}"),
            MappedAccount::Clearing => f.write_str("clearing"),
        }
    }
}

/// What is known about the amount being categorized.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Context<'a> {
    pub shop: Option<&'a str>,
    /// ISO 3166 alpha-2 (the marketplace or the buyer's country).
    pub country: Option<&'a str>,
    pub sku: Option<&'a str>,
    /// The channel's transaction or order type (TikTok `Sample order: …`).
    pub order_type: Option<&'a str>,
    pub date: Option<NaiveDate>,
}

/// How a code resolved.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Resolution {
    pub account: MappedAccount,
    pub segments: SegmentValues,
    /// The rule that applied, by name.
    pub rule: Option<String>,
    /// The `[components]` entry that gave the default (`fee.*`), if one did.
    pub default: Option<String>,
    /// The mapping file's version (`sha256:…`): what the posting records.
    pub version: String,
}

/// One `[components]` entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DefaultEntry {
    pub pattern: CodePattern,
    pub account: MappedAccount,
    pub segments: SegmentValues,
    pub line: usize,
}

/// What a rule requires of the context. Unset conditions match anything.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Conditions {
    pub shop: Option<String>,
    /// Upper case.
    pub country: Option<String>,
    /// Case-sensitive, like SKUs.
    pub sku: Option<Glob>,
    /// Any case, as channels write types differently.
    pub order_type: Option<Glob>,
    pub effective_from: Option<NaiveDate>,
    pub effective_to: Option<NaiveDate>,
}

impl Conditions {
    /// How many conditions are set (the dates count as one).
    pub fn count(&self) -> usize {
        [
            self.shop.is_some(),
            self.country.is_some(),
            self.sku.is_some(),
            self.order_type.is_some(),
            self.effective_from.is_some() || self.effective_to.is_some(),
        ]
        .into_iter()
        .filter(|set| *set)
        .count()
    }

    pub fn matches(&self, ctx: &Context) -> bool {
        let text = |want: &Option<String>, have: Option<&str>, fold: bool| match (want, have) {
            (None, _) => true,
            (Some(_), None) => false,
            (Some(w), Some(h)) if fold => w.eq_ignore_ascii_case(h.trim()),
            (Some(w), Some(h)) => w == h.trim(),
        };
        let glob = |want: &Option<Glob>, have: Option<&str>| match (want, have) {
            (None, _) => true,
            (Some(_), None) => false,
            (Some(g), Some(h)) => g.matches(h.trim()),
        };
        let dated = self.effective_from.is_some() || self.effective_to.is_some();
        let in_range = match ctx.date {
            None => !dated,
            Some(d) => {
                self.effective_from.is_none_or(|from| d >= from)
                    && self.effective_to.is_none_or(|to| d <= to)
            }
        };
        text(&self.shop, ctx.shop, false)
            && text(&self.country, ctx.country, true)
            && glob(&self.sku, ctx.sku)
            && glob(&self.order_type, ctx.order_type)
            && in_range
    }
}

/// One `[[rule]]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rule {
    pub name: String,
    pub codes: Vec<CodePattern>,
    pub conditions: Conditions,
    pub account: Option<MappedAccount>,
    pub segments: SegmentValues,
    pub line: usize,
}

impl Rule {
    /// The most specific of the rule's patterns that matches `code`.
    fn matching_pattern(&self, code: &ComponentCode) -> Option<&CodePattern> {
        self.codes
            .iter()
            .filter(|p| p.matches(code))
            .max_by_key(|p| p.specificity())
    }
}

/// One channel's mapping file, parsed and checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GlMapping {
    file: String,
    channel: Channel,
    version: String,
    defaults: Vec<DefaultEntry>,
    rules: Vec<Rule>,
}

impl GlMapping {
    /// The file's name as messages give it.
    pub fn file(&self) -> &str {
        &self.file
    }

    pub fn channel(&self) -> Channel {
        self.channel
    }

    /// `sha256:<hex>` of the file's text: what every posting it categorized records.
    pub fn version(&self) -> &str {
        &self.version
    }

    pub fn defaults(&self) -> &[DefaultEntry] {
        &self.defaults
    }

    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// The most specific `[components]` entry for `code`.
    pub fn default_for(&self, code: &ComponentCode) -> Option<&DefaultEntry> {
        self.defaults
            .iter()
            .filter(|d| d.pattern.matches(code))
            .max_by_key(|d| d.pattern.specificity())
    }

    /// The account and segments for `code` in `ctx`; None when the file
    /// gives it none (see the module docs for the precedence).
    pub fn resolve(&self, code: &ComponentCode, ctx: &Context) -> Option<Resolution> {
        let default = self.default_for(code);
        let rule = self
            .rules
            .iter()
            .enumerate()
            .filter(|(_, r)| r.conditions.matches(ctx))
            .filter_map(|(i, r)| r.matching_pattern(code).map(|p| (i, r, p)))
            .max_by_key(|(i, r, p)| (r.conditions.count(), p.specificity(), std::cmp::Reverse(*i)))
            .map(|(_, r, _)| r);
        let account = rule
            .and_then(|r| r.account.clone())
            .or_else(|| default.map(|d| d.account.clone()))?;
        let mut segments = default.map(|d| d.segments.clone()).unwrap_or_default();
        if let Some(r) = rule {
            segments.extend(r.segments.clone());
        }
        Some(Resolution {
            account,
            segments,
            rule: rule.map(|r| r.name.clone()),
            default: default.map(|d| d.pattern.to_string()),
            version: self.version.clone(),
        })
    }
}

/// One problem in a mapping file, with its place, like hledger or beancount
/// say it: `gl-mappings/tiktok.toml:12: component "fee.x": account: …`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MappingIssue {
    pub file: String,
    pub line: Option<usize>,
    /// `component "fee.commission"`, `rule "creator-samples"`, or empty for the file.
    pub entry: String,
    pub field: Option<String>,
    pub message: String,
}

impl fmt::Display for MappingIssue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        f.write_str(": ")?;
        if !self.entry.is_empty() {
            write!(f, "{}: ", self.entry)?;
        }
        if let Some(field) = &self.field {
            write!(f, "{field}: ")?;
        }
        f.write_str(&self.message)
    }
}

/// Every problem found in one or more mapping files.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub struct MappingErrors(pub Vec<MappingIssue>);

impl fmt::Display for MappingErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.0.len();
        write!(
            f,
            "{n} problem{} in the mapping files",
            if n == 1 { "" } else { "s" }
        )?;
        for issue in &self.0 {
            write!(f, "\n  {issue}")?;
        }
        Ok(())
    }
}
