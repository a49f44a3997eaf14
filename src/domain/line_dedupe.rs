//! Which settlement lines of a file are new. Channels re-send data
//! (weekly exports that repeat earlier blocks, a corrected re-download), and
//! the same order can legitimately settle twice with one identity (a payment
//! and its reversal). Lines are therefore compared per identity as
//! multisets of content: what the file has beyond what is stored is new;
//! a file that is a subset adds nothing; anything else is a conflict that is
//! reported, never overwritten.

use std::collections::HashMap;

use super::settlement::SettlementLine;

/// A line to store, with its occurrence number within its identity.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewLine {
    pub index: usize,
    pub occurrence: i64,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LineConflict {
    /// The file row where the conflicting identity first appears.
    pub row: u64,
    pub identity: String,
    pub stored: usize,
    pub in_file: usize,
}

impl std::fmt::Display for LineConflict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "row {}: line `{}` was imported before with other amounts ({} stored, {} in this file); nothing was overwritten",
            self.row,
            self.identity.replace('\u{1f}', " | "),
            self.stored,
            self.in_file
        )
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LinePlan {
    pub new: Vec<NewLine>,
    pub duplicates: usize,
    pub conflicts: Vec<LineConflict>,
}

/// `stored` maps identity → content hashes already stored for it.
pub fn plan_lines(lines: &[SettlementLine], stored: &HashMap<String, Vec<String>>) -> LinePlan {
    let mut groups: Vec<(String, Vec<usize>)> = Vec::new();
    let mut group_of: HashMap<String, usize> = HashMap::new();
    for (i, line) in lines.iter().enumerate() {
        let identity = line.identity();
        match group_of.get(&identity) {
            Some(&g) => groups[g].1.push(i),
            None => {
                group_of.insert(identity.clone(), groups.len());
                groups.push((identity, vec![i]));
            }
        }
    }
    let mut plan = LinePlan::default();
    for (identity, members) in groups {
        let existing = stored.get(&identity).map(Vec::as_slice).unwrap_or(&[]);
        let mut unmatched: HashMap<&str, usize> = HashMap::new();
        for hash in existing {
            *unmatched.entry(hash.as_str()).or_default() += 1;
        }
        let mut fresh = Vec::new();
        for &i in &members {
            let hash = lines[i].content_hash();
            match unmatched.get_mut(hash.as_str()) {
                Some(n) if *n > 0 => *n -= 1,
                _ => fresh.push(i),
            }
        }
        let stored_left = unmatched.values().sum::<usize>();
        if !fresh.is_empty() && stored_left > 0 {
            // Neither side contains the other: the amounts changed.
            plan.conflicts.push(LineConflict {
                row: lines[members[0]].rows.first().map(|r| r.row).unwrap_or(0),
                identity,
                stored: existing.len(),
                in_file: members.len(),
            });
            continue;
        }
        plan.duplicates += members.len() - fresh.len();
        for (k, i) in fresh.into_iter().enumerate() {
            plan.new.push(NewLine {
                index: i,
                occurrence: (existing.len() + k + 1) as i64,
            });
        }
    }
    plan.new.sort_by_key(|n| n.index);
    plan
}

/// What to do with one line of a file being streamed in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LineDecision {
    New { occurrence: i64 },
    Duplicate,
}

/// An identity stored before: what is stored and what this file matched.
struct KnownIdentity {
    stored: usize,
    unmatched: HashMap<String, usize>,
    fresh: usize,
    in_file: usize,
    first_row: u64,
}

/// `plan_lines` for a file that streams in chunk by chunk: lines are
/// decided as they come, and conflicts — known only once the whole file is
/// read — are reported by `finish` (the caller's transaction then refuses
/// everything). Memory grows with the number of distinct identities, kept as
/// 16-byte digests, never with the rows themselves.
#[derive(Default)]
pub struct LineDeduper {
    known: HashMap<String, KnownIdentity>,
    fresh: HashMap<[u8; 16], i64>,
    duplicates: usize,
}

fn digest(identity: &str) -> [u8; 16] {
    use sha2::{Digest, Sha256};
    let full = Sha256::digest(identity.as_bytes());
    let mut out = [0u8; 16];
    out.copy_from_slice(&full[..16]);
    out
}

impl LineDeduper {
    /// Whether this identity was met before in the file (its stored lines,
    /// if any, are then already loaded).
    pub fn seen(&self, identity: &str) -> bool {
        self.known.contains_key(identity) || self.fresh.contains_key(&digest(identity))
    }

    /// Gives the content hashes stored for an identity met for the first
    /// time (none: call `classify` directly).
    pub fn load(&mut self, identity: &str, hashes: Vec<String>) {
        if hashes.is_empty() || self.seen(identity) {
            return;
        }
        let mut unmatched: HashMap<String, usize> = HashMap::new();
        for h in &hashes {
            *unmatched.entry(h.clone()).or_default() += 1;
        }
        self.known.insert(
            identity.to_string(),
            KnownIdentity {
                stored: hashes.len(),
                unmatched,
                fresh: 0,
                in_file: 0,
                first_row: 0,
            },
        );
    }

    pub fn classify(&mut self, identity: &str, hash: &str, row: u64) -> LineDecision {
        if let Some(k) = self.known.get_mut(identity) {
            if k.in_file == 0 {
                k.first_row = row;
            }
            k.in_file += 1;
            if let Some(n) = k.unmatched.get_mut(hash).filter(|n| **n > 0) {
                *n -= 1;
                self.duplicates += 1;
                return LineDecision::Duplicate;
            }
            k.fresh += 1;
            return LineDecision::New {
                occurrence: (k.stored + k.fresh) as i64,
            };
        }
        let count = self.fresh.entry(digest(identity)).or_default();
        *count += 1;
        LineDecision::New { occurrence: *count }
    }

    /// Lines found stored already, and the identities whose amounts changed.
    pub fn finish(self) -> (usize, Vec<LineConflict>) {
        let mut conflicts: Vec<LineConflict> = self
            .known
            .into_iter()
            .filter(|(_, k)| k.fresh > 0 && k.unmatched.values().sum::<usize>() > 0)
            .map(|(identity, k)| LineConflict {
                row: k.first_row,
                identity,
                stored: k.stored,
                in_file: k.in_file,
            })
            .collect();
        conflicts.sort_by_key(|c| c.row);
        (self.duplicates, conflicts)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::settlement::{Component, ComponentCode, SourceRow};
    use rust_decimal::Decimal;

    fn line(order: &str, amounts: &[i64], row: u64) -> SettlementLine {
        SettlementLine {
            ordered_at: None,
            statement_id: "S1".into(),
            transaction_type: "Order".into(),
            order_id: Some(order.into()),
            adjustment_id: None,
            posted_at: None,
            currency: "USD".parse().unwrap(),
            components: amounts
                .iter()
                .map(|a| Component {
                    code: ComponentCode::new("sale.gross").unwrap(),
                    amount: Decimal::new(*a, 2),
                    label: "x".into(),
                })
                .collect(),
            rows: vec![SourceRow {
                sheet: None,
                row,
                cells: vec![],
            }],
        }
    }

    fn stored(lines: &[SettlementLine]) -> HashMap<String, Vec<String>> {
        let mut m: HashMap<String, Vec<String>> = HashMap::new();
        for l in lines {
            m.entry(l.identity()).or_default().push(l.content_hash());
        }
        m
    }

    #[test]
    fn a_fresh_file_is_all_new_with_occurrences() {
        let file = [
            line("A", &[100], 2),
            line("A", &[-100], 3),
            line("B", &[5], 4),
        ];
        let plan = plan_lines(&file, &HashMap::new());
        assert_eq!(
            plan.new
                .iter()
                .map(|n| (n.index, n.occurrence))
                .collect::<Vec<_>>(),
            vec![(0, 1), (1, 2), (2, 1)]
        );
        assert_eq!(plan.duplicates, 0);
    }

    #[test]
    fn overlapping_files_add_only_what_is_new() {
        let first = [line("A", &[100], 2), line("B", &[5], 3)];
        // The next week's export repeats A and B, and A settles again.
        let second = [
            line("A", &[100], 2),
            line("B", &[5], 3),
            line("A", &[100], 4),
            line("C", &[7], 5),
        ];
        let plan = plan_lines(&second, &stored(&first));
        assert_eq!(plan.duplicates, 2);
        assert_eq!(
            plan.new
                .iter()
                .map(|n| (n.index, n.occurrence))
                .collect::<Vec<_>>(),
            vec![(2, 2), (3, 1)]
        );
        // An older, smaller export adds nothing.
        let plan = plan_lines(&first[..1], &stored(&second));
        assert_eq!(
            (plan.new.len(), plan.duplicates, plan.conflicts.len()),
            (0, 1, 0)
        );
    }

    #[test]
    fn changed_amounts_are_a_conflict() {
        let first = [line("A", &[100], 2)];
        let plan = plan_lines(&[line("A", &[101], 9)], &stored(&first));
        assert_eq!(plan.conflicts.len(), 1);
        assert!(plan.new.is_empty());
        assert!(
            plan.conflicts[0]
                .to_string()
                .starts_with("row 9: line `S1 | Order | A |  | ` was imported before"),
            "{}",
            plan.conflicts[0]
        );
    }

    /// The streaming deduper decides exactly what `plan_lines` decides.
    fn streamed(file: &[SettlementLine], stored_lines: &[SettlementLine]) -> LinePlan {
        let stored_map = stored(stored_lines);
        let mut d = LineDeduper::default();
        let mut plan = LinePlan::default();
        for (i, l) in file.iter().enumerate() {
            let identity = l.identity();
            if !d.seen(&identity) {
                d.load(
                    &identity,
                    stored_map.get(&identity).cloned().unwrap_or_default(),
                );
            }
            if let LineDecision::New { occurrence } =
                d.classify(&identity, &l.content_hash(), l.rows[0].row)
            {
                plan.new.push(NewLine {
                    index: i,
                    occurrence,
                });
            }
        }
        let (duplicates, conflicts) = d.finish();
        plan.duplicates = duplicates;
        plan.conflicts = conflicts;
        plan
    }

    proptest::proptest! {
        #[test]
        fn streaming_decides_as_planning_does(
            stored_spec in proptest::collection::vec((0u8..4, 0i64..3), 0..12),
            file_spec in proptest::collection::vec((0u8..4, 0i64..3), 0..12),
        ) {
            let make = |spec: &[(u8, i64)]| -> Vec<SettlementLine> {
                spec.iter().enumerate().map(|(i, (o, a))| {
                    line(&format!("O{o}"), &[*a], i as u64 + 2)
                }).collect()
            };
            let stored_lines = make(&stored_spec);
            let file = make(&file_spec);
            let planned = plan_lines(&file, &stored(&stored_lines));
            let got = streamed(&file, &stored_lines);
            let ids = |p: &LinePlan| {
                let mut v: Vec<String> = p.conflicts.iter().map(|c| c.identity.clone()).collect();
                v.sort();
                v
            };
            proptest::prop_assert_eq!(ids(&planned), ids(&got));
            if planned.conflicts.is_empty() {
                proptest::prop_assert_eq!(&planned.new, &got.new);
                proptest::prop_assert_eq!(planned.duplicates, got.duplicates);
            }
        }
    }
}
