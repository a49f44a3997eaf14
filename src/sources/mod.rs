//! Channel file formats, one module per format, and the rules every
//! importer shares: amounts, header names and how problems are reported.

pub mod amazon_settlement;
pub mod amount;
pub mod drift;
pub mod header;
pub mod problems;
pub mod shopify_payouts;
pub mod table;
