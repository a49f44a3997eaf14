//! The constructor refuses everything that is not sound double entry, and
//! says which line and by how much.

mod support;

use settlebridge::domain::{EntryError, JournalEntry};
use support::{chart, d, draft};

fn refuse(lines: &[(&str, &str, &str, &str)]) -> EntryError {
    JournalEntry::new(draft("k", "2024-01-31", lines), &chart()).unwrap_err()
}

#[test]
fn a_balanced_entry_is_accepted() {
    let e = JournalEntry::new(
        draft(
            "k",
            "2024-01-31",
            &[
                ("1210", "debit", "50.99", "USD"),
                ("4910", "debit", "5.00", "USD"),
                ("4000", "credit", "50.00", "USD"),
                ("4010", "credit", "5.99", "USD"),
            ],
        ),
        &chart(),
    )
    .unwrap();
    assert_eq!(e.postings().len(), 4);
    let totals = e.totals_by_currency();
    assert_eq!(totals[&"USD".parse().unwrap()], (d("55.99"), d("55.99")));
}

#[test]
fn unbalanced_says_by_how_much_and_which_side() {
    let err = refuse(&[
        ("1210", "debit", "50.99", "USD"),
        ("4000", "credit", "50.98", "USD"),
    ]);
    assert_eq!(
        err.to_string(),
        "the entry does not balance in USD: debits 50.99, credits 50.98, debits exceed credits by 0.01"
    );
}

#[test]
fn balance_is_per_currency() {
    // 10 USD against 10 EUR is not balanced, even though the numbers match.
    let err = refuse(&[
        ("1210", "debit", "10", "USD"),
        ("4000", "credit", "10", "EUR"),
    ]);
    assert!(matches!(err, EntryError::Unbalanced { .. }), "{err}");
    assert!(err.to_string().contains("EUR"), "{err}");
    // Both currencies balanced on their own: accepted.
    JournalEntry::new(
        draft(
            "k",
            "2024-01-31",
            &[
                ("1210", "debit", "10", "USD"),
                ("4000", "credit", "10", "USD"),
                ("1212", "debit", "13.7", "CAD"),
                ("4000", "credit", "13.70", "CAD"),
            ],
        ),
        &chart(),
    )
    .unwrap();
}

#[test]
fn fewer_than_two_postings_is_refused() {
    assert_eq!(
        refuse(&[("1210", "debit", "1", "USD")]),
        EntryError::TooFewPostings { count: 1 }
    );
    assert_eq!(refuse(&[]), EntryError::TooFewPostings { count: 0 });
}

#[test]
fn zero_and_negative_amounts_are_refused_with_their_line() {
    let err = refuse(&[
        ("1210", "debit", "0.00", "USD"),
        ("4000", "credit", "0.00", "USD"),
    ]);
    assert_eq!(
        err.to_string(),
        "line 1 (1210): amount 0.00 must be greater than zero (use the other side for a negative)"
    );
    let err = refuse(&[
        ("1210", "debit", "5", "USD"),
        ("4000", "credit", "-5", "USD"),
        ("4000", "credit", "10", "USD"),
    ]);
    assert!(
        matches!(err, EntryError::NonPositiveAmount { line: 2, .. }),
        "{err}"
    );
}

#[test]
fn unknown_and_inactive_accounts_are_refused() {
    let err = refuse(&[
        ("1210", "debit", "5", "USD"),
        ("9999", "credit", "5", "USD"),
    ]);
    assert_eq!(
        err.to_string(),
        "line 2: account 9999 is not in the chart of accounts"
    );

    let mut accounts: Vec<_> = chart().iter().cloned().collect();
    accounts
        .iter_mut()
        .find(|a| a.code.as_str() == "6190")
        .unwrap()
        .active = false;
    let chart = settlebridge::domain::ChartOfAccounts::new(accounts).unwrap();
    let err = JournalEntry::new(
        draft(
            "k",
            "2024-01-31",
            &[
                ("6190", "debit", "5", "USD"),
                ("1210", "credit", "5", "USD"),
            ],
        ),
        &chart,
    )
    .unwrap_err();
    assert!(
        matches!(err, EntryError::InactiveAccount { line: 1, .. }),
        "{err}"
    );
}

#[test]
fn precision_and_size_limits() {
    let err = refuse(&[
        ("1210", "debit", "0.0000001", "USD"),
        ("4000", "credit", "0.0000001", "USD"),
    ]);
    assert!(
        matches!(err, EntryError::TooPrecise { line: 1, .. }),
        "{err}"
    );
    // Trailing zeros are not precision.
    JournalEntry::new(
        draft(
            "k",
            "2024-01-31",
            &[
                ("1210", "debit", "1.50000000", "USD"),
                ("4000", "credit", "1.5", "USD"),
            ],
        ),
        &chart(),
    )
    .unwrap();
    let err = refuse(&[
        ("1210", "debit", "1000000000000", "USD"),
        ("4000", "credit", "1000000000000", "USD"),
    ]);
    assert!(matches!(err, EntryError::TooLarge { .. }), "{err}");
}

#[test]
fn keys_are_required_and_bounded() {
    let lines = [
        ("1210", "debit", "1", "USD"),
        ("4000", "credit", "1", "USD"),
    ];
    let err = JournalEntry::new(draft("  ", "2024-01-31", &lines), &chart()).unwrap_err();
    assert_eq!(err, EntryError::EmptyKey);
    let long = "k".repeat(201);
    let err = JournalEntry::new(draft(&long, "2024-01-31", &lines), &chart()).unwrap_err();
    assert_eq!(err, EntryError::KeyTooLong { len: 201 });
}

#[test]
fn control_characters_are_cleaned_once() {
    let mut dr = draft(
        "k",
        "2024-01-31",
        &[
            ("1210", "debit", "1", "USD"),
            ("4000", "credit", "1", "USD"),
        ],
    );
    dr.description = "line one\nline two\t".into();
    dr.postings[0].memo = Some("\r\n".into());
    let e = JournalEntry::new(dr, &chart()).unwrap();
    assert_eq!(e.description(), "line one line two");
    assert_eq!(e.postings()[0].memo, None);
}

#[test]
fn dates_outside_nameable_periods_are_refused() {
    let lines = [
        ("1210", "debit", "1", "USD"),
        ("4000", "credit", "1", "USD"),
    ];
    let err = JournalEntry::new(draft("k", "1899-12-31", &lines), &chart()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "date 1899-12-31 is outside the years 1900 to 9999"
    );
    JournalEntry::new(draft("k", "1900-01-01", &lines), &chart()).unwrap();
}
