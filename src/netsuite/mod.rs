//! NetSuite: the adapter that takes ledger entries to NetSuite journal
//! entries, exactly once.
//!
//! - `config`: netsuite.toml + environment (secrets redacted in `Debug`).
//! - `journal`: entries → planned journal entries (pure: grouping, external
//!   ids, rounding); `body`: a plan → the REST JSON body.
//! - `oauth1` (TBA signatures) and `m2m` (OAuth 2.0 JWT assertions) sign;
//!   `client` sends one request and classifies NetSuite's answer.
//! - `catalog`: accounts, periods, subsidiaries… read through SuiteQL, and
//!   the pre-run check that stops a run before anything is posted.
//! - `poster`: the outbox run (queue, post with bounded concurrency and
//!   backoff, record every attempt); `csv_import`: NetSuite's CSV layout.

pub mod body;
pub mod catalog;
pub mod client;
pub mod config;
pub mod csv_import;
pub mod journal;
pub mod local_fake;
pub mod m2m;
pub mod oauth1;
pub mod poster;

pub use config::{Auth, DocumentRules, NetSuiteConfig, PostingMode, Secret};
pub use journal::{plan_documents, AccountRef, NsDocument, NsLine};
