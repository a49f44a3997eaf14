//! Bringing the ledger to the plan: what to book, reverse and book again,
//! or reverse, given what is booked now. The ledger is append-only, so a
//! changed entry is corrected by its reversal and a replacement, never an
//! edit; an entry in a closed period is corrected in the first open one.

use std::collections::{BTreeSet, HashMap, HashSet};

use chrono::NaiveDate;

use super::{PlannedEntry, Subject};
use crate::domain::entry::EntryId;
use crate::domain::period::Period;

/// A subject's booking that stands (not reversed).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LiveBooking {
    pub subject: Subject,
    pub revision: i64,
    pub entry: EntryId,
    pub basis_hash: String,
    pub date: NaiveDate,
}

/// What is booked for a shop: the live booking of each subject and the
/// highest revision ever used (a reversed subject keeps its numbers).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BookingState {
    pub live: HashMap<Subject, LiveBooking>,
    pub max_revision: HashMap<Subject, i64>,
}

/// A reversal to write: of `entry`, dated `date`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reversal {
    pub entry: EntryId,
    pub date: NaiveDate,
    pub reason: String,
}

/// One step of bringing the ledger to the plan; both halves happen in one
/// transaction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BookingChange {
    pub subject: Subject,
    pub reverse: Option<Reversal>,
    /// The entry to book as `revision`, keyed and dated for it.
    pub book: Option<(i64, PlannedEntry)>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ChangePlan {
    pub changes: Vec<BookingChange>,
    pub unchanged: usize,
    /// Of the changes: new subjects, replaced ones, withdrawn ones.
    pub new: usize,
    pub replaced: usize,
    pub withdrawn: usize,
    /// Entries dated into an open period because their own was closed.
    pub redated: usize,
}

/// The first day of the first open period on or after `date`'s, or `date`
/// itself when its period is open.
pub fn open_date(date: NaiveDate, closed: &BTreeSet<Period>) -> NaiveDate {
    let mut period = Period::of(date);
    if !closed.contains(&period) {
        return date;
    }
    while closed.contains(&period) {
        period = period.next();
    }
    period.first_day()
}

/// Compares the plan with what is booked. `withdraw` says whether live
/// subjects missing from the plan are reversed (not when the plan covers
/// only part of the shop, e.g. one period).
pub fn plan_changes(
    planned: Vec<PlannedEntry>,
    state: &BookingState,
    closed: &BTreeSet<Period>,
    withdraw: bool,
) -> ChangePlan {
    let mut plan = ChangePlan {
        changes: Vec::with_capacity(planned.len()),
        ..ChangePlan::default()
    };
    // The live bookings the plan still has (borrowed from the state: a
    // first booking of millions of subjects copies none of them).
    let mut kept: HashSet<&Subject> = HashSet::new();
    for mut entry in planned {
        let live = state
            .live
            .get_key_value(&entry.subject)
            .map(|(subject, live)| {
                kept.insert(subject);
                live
            });
        if live.is_some_and(|l| l.basis_hash == entry.basis_hash) {
            plan.unchanged += 1;
            continue;
        }
        let revision = state.max_revision.get(&entry.subject).copied().unwrap_or(0) + 1;
        entry.draft.idempotency_key = entry.subject.key(revision);
        let natural = entry.draft.date;
        let date = open_date(natural, closed);
        if date != natural {
            entry.draft.date = date;
            entry.draft.description = format!(
                "{} (belongs to {natural}; its period is closed)",
                entry.draft.description
            );
            plan.redated += 1;
        }
        let reverse = live.map(|l| Reversal {
            entry: l.entry,
            date: open_date(l.date, closed),
            reason: "replaced: its records or mapping changed".into(),
        });
        if reverse.is_some() {
            plan.replaced += 1;
        } else {
            plan.new += 1;
        }
        plan.changes.push(BookingChange {
            subject: entry.subject.clone(),
            reverse,
            book: Some((revision, entry)),
        });
    }
    if withdraw {
        let mut gone: Vec<&LiveBooking> = state
            .live
            .values()
            .filter(|l| !kept.contains(&l.subject))
            .collect();
        gone.sort_by(|a, b| a.subject.cmp(&b.subject));
        for l in gone {
            plan.withdrawn += 1;
            plan.changes.push(BookingChange {
                subject: l.subject.clone(),
                reverse: Some(Reversal {
                    entry: l.entry,
                    date: open_date(l.date, closed),
                    reason: "withdrawn: nothing in the records books it any more".into(),
                }),
                book: None,
            });
        }
    }
    plan
}
