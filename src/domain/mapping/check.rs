//! Checks beyond one entry: rules that would tie, accounts the chart does
//! not have or has closed, shops that are not configured.

use chrono::NaiveDate;

use super::{Conditions, GlMapping, MappedAccount, MappingIssue, Rule};
use crate::domain::account::ChartOfAccounts;
use crate::domain::shop::Shops;

/// Whether two rules set the same conditions to the same values (dates:
/// ranges that share a day). Such rules tie on specificity, and which one
/// applies would depend on their order in the file.
fn same_conditions(a: &Conditions, b: &Conditions) -> bool {
    let globs = |x: &Option<super::Glob>, y: &Option<super::Glob>| match (x, y) {
        (None, None) => true,
        (Some(x), Some(y)) => x.same_as(y),
        _ => false,
    };
    let dated = |c: &Conditions| c.effective_from.is_some() || c.effective_to.is_some();
    let dates_overlap = || {
        let from = |c: &Conditions| c.effective_from.unwrap_or(NaiveDate::MIN);
        let to = |c: &Conditions| c.effective_to.unwrap_or(NaiveDate::MAX);
        from(a) <= to(b) && from(b) <= to(a)
    };
    a.shop == b.shop
        && a.country == b.country
        && globs(&a.sku, &b.sku)
        && globs(&a.order_type, &b.order_type)
        && dated(a) == dated(b)
        && (!dated(a) || dates_overlap())
}

/// Rules that tie: the same conditions, overlapping dates, and a code
/// pattern each that overlaps the other's at the same specificity.
pub(super) fn overlapping_rules(file: &str, rules: &[Rule]) -> Vec<MappingIssue> {
    let mut issues = Vec::new();
    for (j, later) in rules.iter().enumerate() {
        for earlier in &rules[..j] {
            if !same_conditions(&earlier.conditions, &later.conditions) {
                continue;
            }
            let clash = later.codes.iter().find_map(|p| {
                earlier
                    .codes
                    .iter()
                    .find(|q| p.specificity() == q.specificity() && p.overlaps(q))
                    .map(|_| p)
            });
            if let Some(pattern) = clash {
                issues.push(MappingIssue {
                    file: file.to_string(),
                    line: Some(later.line),
                    entry: format!("rule \"{}\"", later.name),
                    field: None,
                    message: format!(
                        "applies to `{pattern}` under the same conditions as rule \"{}\" (line {}), \
                         so which one wins would depend on their order in the file; make one of \
                         them more specific or give them effective dates that do not overlap",
                        earlier.name, earlier.line
                    ),
                });
                break;
            }
        }
    }
    issues
}

impl GlMapping {
    /// Accounts the chart does not have, or has made inactive.
    pub fn check_chart(&self, chart: &ChartOfAccounts) -> Vec<MappingIssue> {
        let mut issues = Vec::new();
        let mut check = |line: usize, entry: String, account: &MappedAccount| {
            let MappedAccount::Account(code) = account else {
                return;
            };
            let message = match chart.get(code) {
                None => format!("account {code} is not in the chart of accounts"),
                Some(a) if !a.active => format!(
                    "account {code} ({}) is inactive and takes no new postings",
                    a.name
                ),
                Some(_) => return,
            };
            issues.push(MappingIssue {
                file: self.file.clone(),
                line: Some(line),
                entry,
                field: Some("account".into()),
                message,
            });
        };
        for d in &self.defaults {
            check(d.line, format!("component \"{}\"", d.pattern), &d.account);
        }
        for r in &self.rules {
            if let Some(account) = &r.account {
                check(r.line, format!("rule \"{}\"", r.name), account);
            }
        }
        issues
    }

    /// Rules naming a shop that shops.toml does not configure, or one of
    /// another channel (only when shops are configured at all).
    pub fn check_shops(&self, shops: &Shops) -> Vec<MappingIssue> {
        if shops.is_empty() {
            return Vec::new();
        }
        self.rules
            .iter()
            .filter_map(|r| {
                let name = r.conditions.shop.as_deref()?;
                let message = match shops.get(name) {
                    None => format!("shop `{name}` is not in shops.toml"),
                    Some(s) if s.channel != self.channel => format!(
                        "shop `{name}` is a {} shop, but this is the {} mapping",
                        s.channel.as_str(),
                        self.channel.as_str()
                    ),
                    Some(_) => return None,
                };
                Some(MappingIssue {
                    file: self.file.clone(),
                    line: Some(r.line),
                    entry: format!("rule \"{}\"", r.name),
                    field: Some("shop".into()),
                    message,
                })
            })
            .collect()
    }
}
