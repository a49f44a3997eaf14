//! Journal exports that other tools read as they are: hledger's journal
//! format, beancount, and a flat CSV of postings.

pub mod beancount;
pub mod csv_export;
pub mod hledger;
