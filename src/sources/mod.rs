//! Channel file formats. One module per format (to come); the shared rules
//! every importer follows live here: amounts and header names.

pub mod amount;
pub mod header;
