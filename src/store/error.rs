use chrono::NaiveDate;

use crate::domain::{AccountCode, AccountType, EntryId, Period};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    /// From SQLite's bulk write path (`sqlite_bulk`), which uses rusqlite.
    #[error("database error: {0}")]
    SqliteBulk(#[from] rusqlite::Error),
    #[error("could not migrate the database: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("`{0}` is not a database URL settlebridge knows (use sqlite://FILE or postgres://…)")]
    UnsupportedUrl(String),
    #[error("idempotency key `{key}` is already used by entry {existing} with different content; nothing was written")]
    IdempotencyConflict { key: String, existing: EntryId },
    #[error(
        "entry `{key}` is dated {date}, in period {period}, which is closed; nothing was written"
    )]
    PeriodClosed {
        key: String,
        date: NaiveDate,
        period: Period,
    },
    #[error("entry {0} does not exist")]
    EntryNotFound(EntryId),
    #[error("entry {id} was already reversed by entry {by}; an entry is reversed at most once")]
    AlreadyReversed { id: EntryId, by: EntryId },
    #[error("entry {0} is itself a reversal; post a new entry instead of reversing it")]
    ReversalOfReversal(EntryId),
    #[error("a reversal of entry {id} (dated {original}) cannot be dated {date}, before it")]
    ReversalBeforeOriginal {
        id: EntryId,
        original: NaiveDate,
        date: NaiveDate,
    },
    #[error("period {0} is already closed")]
    PeriodAlreadyClosed(Period),
    #[error("period {0} is not closed")]
    PeriodNotClosed(Period),
    #[error("reopening a period needs a reason")]
    ReasonRequired,
    #[error("account {code} is {from} and has postings; it cannot become {to} (add a new account instead)")]
    AccountTypeChange {
        code: AccountCode,
        from: AccountType,
        to: AccountType,
    },
    #[error(transparent)]
    Entry(#[from] crate::domain::EntryError),
    #[error("{file_name} was already imported as batch {batch} (same SHA-256); nothing changed")]
    AlreadyImported { batch: i64, file_name: String },
    #[error("{}", render_conflicts(.0))]
    ImportConflicts(Vec<String>),
    #[error("stored data is not readable: {0}")]
    Corrupt(String),
    /// A stored chunk of an original file does not read back.
    #[error("the original file of batch {batch} is damaged in the store (chunk {chunk}: {why})")]
    CorruptEvidence { batch: i64, chunk: i64, why: String },
    /// The original file reads back, but not as the file that was imported.
    #[error("the original file of batch {batch} no longer has the SHA-256 it was imported with ({recorded}; the store gives {found}): it was changed in the store")]
    EvidenceChanged {
        batch: i64,
        recorded: String,
        found: String,
    },
    /// Two writers disagree about a record; nothing was written.
    #[error("{0}; nothing was written")]
    Conflict(String),
    /// A reader of streamed entries stopped the stream (an export's file
    /// could not be written, say).
    #[error("{0}")]
    Stopped(String),
}

fn render_conflicts(conflicts: &[String]) -> String {
    let mut text = format!(
        "{} conflict(s) with earlier imports; nothing was imported",
        conflicts.len()
    );
    for c in conflicts.iter().take(50) {
        text.push_str("\n  - ");
        text.push_str(c);
    }
    if conflicts.len() > 50 {
        text.push_str(&format!("\n  … and {} more", conflicts.len() - 50));
    }
    text
}
