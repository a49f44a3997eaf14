//! Channel file formats, one module per format, and the rules every
//! importer shares: amounts, header names and how problems are reported.

pub mod amazon_common;
pub mod amazon_settlement;
pub mod amazon_settlement_v2;
pub mod amazon_transactions;
pub mod amount;
pub mod bank;
pub mod checks;
pub mod drift;
pub mod header;
pub mod problems;
pub mod shopify_orders;
pub mod shopify_payouts;
pub mod sink;
pub mod table;
pub mod tiktok_api;
pub(crate) mod tiktok_finance;
pub mod tiktok_income;
pub mod tiktok_orders;
pub mod tiktok_statement;
pub mod time;
pub mod walmart_recon;
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
