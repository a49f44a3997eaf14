//! Bank-statement parsers: ISO 20022 camt.053, OFX (1.x SGML and 2.x XML)
//! and bank CSV exports by column layout (presets, or a layout from
//! banks.toml). Every parser returns statements whose own arithmetic checks
//! (`BankStatement::check`), or an error naming the file, the line and,
//! where it can, the field and value.

pub mod bank_csv;
pub mod camt053;
pub mod error;
mod layout;
pub mod ofx;

#[cfg(test)]
mod robustness;

pub use bank_csv::{csv_preset, parse_bank_csv, CsvLayout, CSV_PRESETS};
pub use camt053::parse_camt053;
pub use error::{BankParseError, MAX_INPUT_BYTES};
pub use layout::csv_layout_from_toml;
pub use ofx::{parse_ofx, OfxParsed};
