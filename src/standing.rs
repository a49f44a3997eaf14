//! A shop's standing as of its last reconcile: the match summary, what
//! could not be booked, the components without an account, and the months
//! with activity. Reconcile computes it anyway; keeping it lets the
//! dashboard and the exceptions page answer for a shop with a million orders
//! without re-reading them.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::domain::booking::Unbooked;
use crate::domain::shop::Shops;
use crate::domain::Period;
use crate::gl_mappings::{Coverage, Mappings};
use crate::reconcile::{MatchSummary, ShopBooks};

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct UnmappedCode {
    pub code: String,
    pub amounts: u64,
    /// (currency, Σ) as decimal text.
    pub totals: Vec<(String, String)>,
    /// The mapping file to add it to.
    pub file: String,
    /// For a code only a wildcard covers: the pattern and where it parks it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parked: Option<(String, String)>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ShopStanding {
    pub channel: String,
    pub shop: String,
    pub currency: String,
    pub matching: MatchSummary,
    /// (subject, reason) of what booking left out.
    pub unbooked: Vec<(String, String)>,
    pub unmapped: Vec<UnmappedCode>,
    /// Codes no entry names, booked through a wildcard (`adjustment.*` →
    /// suspense, say): booked, but an accountant should map them explicitly.
    #[serde(default)]
    pub wildcard: Vec<UnmappedCode>,
    /// Months with settlement lines or entries, oldest first, with the
    /// entries the reconcile booked dated in each.
    pub periods: Vec<(Period, u64)>,
    pub reconciled_at: DateTime<Utc>,
}

impl ShopStanding {
    pub fn of(
        books: &ShopBooks,
        mappings: &Mappings,
        shops: &Shops,
        unbooked: &[Unbooked],
        mut entries_by_period: std::collections::BTreeMap<Period, u64>,
    ) -> Self {
        let mut coverage = Coverage::default();
        coverage.add_batch(
            mappings,
            shops,
            books.shop.channel,
            &books.shop.name,
            books.facts.lines.iter().map(|l| &l.line),
        );
        for l in &books.facts.lines {
            if let Some(t) = &l.line.posted_at {
                entries_by_period
                    .entry(Period::of(books.shop.zone.date_of(t.utc)))
                    .or_insert(0);
            }
        }
        let periods: Vec<(Period, u64)> = entries_by_period.into_iter().collect();
        ShopStanding {
            channel: books.shop.channel.as_str().to_string(),
            shop: books.shop.name.clone(),
            currency: books.shop.currency.to_string(),
            matching: MatchSummary::of(&books.matching),
            unbooked: unbooked
                .iter()
                .map(|u| (u.subject.clone(), u.reason.clone()))
                .collect(),
            unmapped: coverage
                .unmapped()
                .into_iter()
                .map(|u| UnmappedCode {
                    code: u.code,
                    amounts: u.tally.amounts,
                    totals: u
                        .tally
                        .totals
                        .iter()
                        .map(|(c, t)| (c.clone(), t.to_string()))
                        .collect(),
                    file: u.file.display().to_string(),
                    parked: None,
                })
                .collect(),
            wildcard: coverage
                .by_wildcard()
                .into_iter()
                .map(|w| UnmappedCode {
                    code: w.code,
                    amounts: w.tally.amounts,
                    totals: w
                        .tally
                        .totals
                        .iter()
                        .map(|(c, t)| (c.clone(), t.to_string()))
                        .collect(),
                    file: w.file.display().to_string(),
                    parked: Some((w.pattern, w.account.to_string())),
                })
                .collect(),
            periods,
            reconciled_at: Utc::now(),
        }
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("a standing serializes")
    }

    pub fn from_json(text: &str) -> Result<Self, serde_json::Error> {
        serde_json::from_str(text)
    }

    /// Orphans, variances and payouts or statements that do not tie.
    pub fn exceptions(&self) -> usize {
        let m = &self.matching;
        m.lines_orphan + m.lines_variance + m.payouts_not_tied.len() + m.statements_not_tied.len()
    }
}
