//! settlebridge: channel settlements to a double-entry ledger and NetSuite.
//!
//! `domain` is plain Rust with no I/O. Around it: `store` (sqlx, SQLite and
//! PostgreSQL), `gl_mappings` (the chart and mapping files), `export`
//! (hledger, beancount, CSV) and `cli`.

pub mod bank_reconcile;
pub mod bank_report;
pub mod cli;
pub mod demo;
pub mod demo_quarter;
pub mod domain;
pub mod export;
pub mod gl_mappings;
pub mod importer;
pub mod ledger;
pub mod netsuite;
pub mod reconcile;
pub mod reports;
pub mod sources;
pub mod standing;
pub mod store;
pub mod web;
pub mod workflow;
