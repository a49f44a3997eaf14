//! Schema drift: amounts of a type the parser has no component code for.
//! They are never dropped silently: each unknown (column, label) is counted
//! with its rows and total, and either stops the import or, when the user
//! accepts it, is booked to `adjustment.unclassified` for review.

use std::collections::BTreeMap;

use rust_decimal::Decimal;

use super::problems::Problems;

/// The component code accepted drift is booked to.
pub const UNCLASSIFIED: &str = "adjustment.unclassified";

struct Seen {
    rows: u64,
    total: Decimal,
    first_row: u64,
}

#[derive(Default)]
pub struct SchemaDrift {
    seen: BTreeMap<(String, String), Seen>,
}

impl SchemaDrift {
    /// Counts one amount of an unknown `label` in `column`.
    pub fn record(&mut self, row: u64, column: &str, label: &str, amount: Decimal) {
        let seen = self
            .seen
            .entry((column.to_string(), label.to_string()))
            .or_insert(Seen {
                rows: 0,
                total: Decimal::ZERO,
                first_row: row,
            });
        seen.rows += 1;
        seen.total += amount;
    }

    /// Whether nothing unknown was seen.
    pub fn is_empty(&self) -> bool {
        self.seen.is_empty()
    }

    /// One problem per unknown label, at its first row; `summary` says what
    /// was seen from (rows, total).
    pub fn report(&self, problems: &mut Problems, summary: impl Fn(u64, Decimal) -> String) {
        for ((column, label), seen) in &self.seen {
            problems.push(
                Some(seen.first_row),
                Some(column),
                Some(label),
                format!(
                    "{} (rerun accepting unclassified amounts to book them to {UNCLASSIFIED} for review)",
                    summary(seen.rows, seen.total)
                ),
            );
        }
    }
}
