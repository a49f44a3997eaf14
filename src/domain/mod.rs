//! The domain: money, accounts, periods, journal entries and the rules that
//! keep a ledger sound. Plain Rust, no I/O; adapters live around it.

pub mod access;
pub mod account;
pub mod bank;
pub mod booking;
pub mod close;
pub mod close_basis;
pub mod entry;
pub mod hashing;
pub mod line_dedupe;
pub mod mapping;
pub mod matching;
pub mod money;
pub mod order;
pub mod parallel;
pub mod payout;
pub mod period;
pub mod rate_card;
pub mod settlement;
pub mod shop;
pub mod trial_balance;
pub mod verify;
pub mod zone;

pub use account::{Account, AccountCode, AccountType, ChartOfAccounts};
pub use entry::{
    EntryDraft, EntryError, EntryId, EntryKind, JournalEntry, Posting, Segments, Side, SourceRef,
    StoredEntry,
};
pub use money::{Currency, Money};
pub use period::{Period, PeriodStatus};
pub use trial_balance::{AccountTotals, TrialBalance};
