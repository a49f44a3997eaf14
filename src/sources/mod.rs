//! Channel file formats, one module per format, and the rules every
//! importer shares: amounts, header names and how problems are reported.

pub mod amazon_settlement;
pub mod amount;
pub mod drift;
pub mod header;
pub mod problems;
pub mod shopify_payouts;
pub mod table;
pub mod tiktok_api;
pub mod tiktok_orders;
pub mod time;
pub mod workbook;

/// What every parser is told besides the file itself.
#[derive(Clone, Copy, Debug, Default)]
pub struct ParseOptions {
    /// Book amounts of unknown types to `adjustment.unclassified` for review
    /// instead of stopping the import.
    pub accept_unclassified: bool,
    /// The shop's configured zone: used for times when neither the cell,
    /// the header nor the workbook names one.
    pub shop_zone: Option<time::Zone>,
    /// The shop's configured currency: used by exports that name none
    /// (TikTok's order export has no currency column).
    pub shop_currency: Option<crate::domain::money::Currency>,
}
