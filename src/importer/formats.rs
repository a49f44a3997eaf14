//! The formats settlebridge reads: their names, how a file is recognized
//! (a workbook by its sheets, JSON by its shape, a text file by a header
//! among its first lines) and which parser reads it.

use std::io::Read;

use serde::Serialize;

use crate::domain::settlement::{Channel, FileSummary, ParsedFile};
use crate::sources::header::normalize_header;
use crate::sources::problems::ParseError;
use crate::sources::sink::{emit_all, RecordSink};
use crate::sources::ParseOptions;
use crate::sources::{
    amazon_settlement, amazon_settlement_v2, amazon_transactions, shopify_orders, shopify_payouts,
    tiktok_api, tiktok_income, tiktok_orders, tiktok_statement, walmart_recon, workbook,
};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum SourceKind {
    /// Amazon settlement flat file, legacy 33/36-column layout (TSV)
    AmazonSettlement,
    /// Amazon settlement flat file V2 (amount-type/amount-description/amount), TSV
    AmazonSettlementV2,
    /// Amazon date range transaction report (Payments > Reports Repository), CSV
    AmazonTransactions,
    /// Shopify Payments transactions export (Finance > Payouts > Export), CSV
    ShopifyPayouts,
    /// Shopify orders export (Orders > Export), CSV
    ShopifyOrders,
    /// TikTok Shop income workbook (Finance > Income > Export), XLSX, or its Order details as CSV
    #[value(name = "tiktok-income")]
    #[serde(rename = "tiktok-income")]
    TikTokIncome,
    /// TikTok Shop US statement (P&L) workbook, merchant_statement_profit_loss_*.xlsx
    #[value(name = "tiktok-statement")]
    #[serde(rename = "tiktok-statement")]
    TikTokStatement,
    /// Walmart Marketplace reconciliation report (recon report v1), CSV or TSV
    WalmartRecon,
    /// TikTok Shop order export (Orders > Manage orders > Export), CSV or XLSX
    #[serde(rename = "tiktok-orders")]
    #[value(name = "tiktok-orders")]
    TikTokOrders,
    /// TikTok Shop finance API statement transactions (202309 or 202501), JSON
    #[serde(rename = "tiktok-api")]
    #[value(name = "tiktok-api")]
    TikTokApi,
}

impl SourceKind {
    /// The kebab-case name `--source` and JSON reports use.
    pub fn as_str(&self) -> &'static str {
        match self {
            SourceKind::AmazonSettlement => "amazon-settlement",
            SourceKind::AmazonSettlementV2 => "amazon-settlement-v2",
            SourceKind::AmazonTransactions => "amazon-transactions",
            SourceKind::ShopifyPayouts => "shopify-payouts",
            SourceKind::ShopifyOrders => "shopify-orders",
            SourceKind::TikTokIncome => "tiktok-income",
            SourceKind::TikTokStatement => "tiktok-statement",
            SourceKind::WalmartRecon => "walmart-recon",
            SourceKind::TikTokOrders => "tiktok-orders",
            SourceKind::TikTokApi => "tiktok-api",
        }
    }

    pub fn describe(&self) -> &'static str {
        match self {
            SourceKind::AmazonSettlement => "Amazon settlement flat file (legacy layout)",
            SourceKind::AmazonSettlementV2 => "Amazon settlement flat file V2",
            SourceKind::AmazonTransactions => "Amazon date range transaction report",
            SourceKind::ShopifyPayouts => "Shopify Payments transactions export",
            SourceKind::ShopifyOrders => "Shopify orders export",
            SourceKind::TikTokIncome => "TikTok Shop income workbook (Order details)",
            SourceKind::TikTokStatement => "TikTok Shop US statement (P&L) workbook",
            SourceKind::WalmartRecon => "Walmart reconciliation report",
            SourceKind::TikTokOrders => "TikTok Shop order export",
            SourceKind::TikTokApi => "TikTok Shop finance API statement transactions (JSON)",
        }
    }

    pub fn channel(&self) -> Channel {
        match self {
            SourceKind::AmazonSettlement
            | SourceKind::AmazonSettlementV2
            | SourceKind::AmazonTransactions => Channel::Amazon,
            SourceKind::ShopifyPayouts | SourceKind::ShopifyOrders => Channel::Shopify,
            SourceKind::TikTokIncome
            | SourceKind::TikTokStatement
            | SourceKind::TikTokOrders
            | SourceKind::TikTokApi => Channel::TikTok,
            SourceKind::WalmartRecon => Channel::Walmart,
        }
    }
}

/// How many lines may stand above a text file's header (Amazon's
/// date-range report has up to 9 lines of preamble).
const HEADER_SEARCH_LINES: usize = 12;

/// Text formats, recognized by their normalized header: (kind, delimiter, detect).
type TextDetect = (SourceKind, u8, fn(&[String]) -> bool);
const TEXT_FORMATS: &[TextDetect] = &[
    (
        SourceKind::AmazonSettlement,
        b'\t',
        amazon_settlement::detect,
    ),
    (
        SourceKind::AmazonSettlementV2,
        b'\t',
        amazon_settlement_v2::detect,
    ),
    (
        SourceKind::AmazonTransactions,
        b',',
        amazon_transactions::detect,
    ),
    (SourceKind::ShopifyPayouts, b',', shopify_payouts::detect),
    (SourceKind::ShopifyOrders, b',', shopify_orders::detect),
    (SourceKind::TikTokIncome, b',', tiktok_income::detect),
    (SourceKind::WalmartRecon, b',', walmart_recon::detect),
    (SourceKind::WalmartRecon, b'\t', walmart_recon::detect),
    (SourceKind::TikTokOrders, b',', tiktok_orders::detect),
];

/// Detects the format: a workbook by its sheets, JSON by its fields, a text
/// file by a header among its first lines.
pub fn detect(bytes: &[u8]) -> Option<SourceKind> {
    if workbook::is_zip(bytes) {
        return detect_workbook(bytes);
    }
    if tiktok_api::detect(bytes) {
        return Some(SourceKind::TikTokApi);
    }
    let head = &bytes[..bytes.len().min(64 * 1024)];
    for line in head.split(|b| *b == b'\n').take(HEADER_SEARCH_LINES) {
        for (kind, delimiter, detect) in TEXT_FORMATS {
            let mut reader = csv::ReaderBuilder::new()
                .has_headers(false)
                .flexible(true)
                .delimiter(*delimiter)
                .quoting(*delimiter != b'\t')
                .from_reader(line);
            let Some(Ok(record)) = reader.byte_records().next() else {
                continue;
            };
            let names: Vec<String> = record
                .iter()
                .map(|c| normalize_header(&String::from_utf8_lossy(c)))
                .collect();
            if detect(&names) {
                return Some(*kind);
            }
        }
    }
    None
}

/// Workbook formats, recognized by their sheets and headers.
fn detect_workbook(bytes: &[u8]) -> Option<SourceKind> {
    let mut workbook = workbook::Workbook::open("detect", bytes).ok()?;
    if tiktok_income::detect_workbook(&mut workbook) {
        return Some(SourceKind::TikTokIncome);
    }
    if tiktok_statement::detect_workbook(&mut workbook) {
        return Some(SourceKind::TikTokStatement);
    }
    if tiktok_orders::detect_workbook(bytes) {
        return Some(SourceKind::TikTokOrders);
    }
    None
}
/// Parses `bytes` as `kind`, without storing anything (also the entry point
/// of the fuzz targets in `fuzz/`).
pub fn parse(
    kind: SourceKind,
    file: &str,
    bytes: &[u8],
    options: ParseOptions,
) -> Result<ParsedFile, ParseError> {
    match kind {
        SourceKind::AmazonSettlement => amazon_settlement::parse(file, bytes, options),
        SourceKind::AmazonSettlementV2 => amazon_settlement_v2::parse(file, bytes, options),
        SourceKind::AmazonTransactions => amazon_transactions::parse(file, bytes, options),
        SourceKind::ShopifyPayouts => shopify_payouts::parse(file, bytes, options),
        SourceKind::ShopifyOrders => shopify_orders::parse(file, bytes, options),
        SourceKind::TikTokIncome => tiktok_income::parse(file, bytes, options),
        SourceKind::TikTokStatement => tiktok_statement::parse(file, bytes, options),
        SourceKind::WalmartRecon => walmart_recon::parse(file, bytes, options),
        SourceKind::TikTokOrders => tiktok_orders::parse(file, bytes, options),
        SourceKind::TikTokApi => tiktok_api::parse(file, bytes, options),
    }
}

/// Parses `input` as `kind` and hands its records to `sink` as it goes.
/// Formats that stream read row by row; the others (workbooks, JSON, small
/// settlement files) read the whole input first.
pub fn parse_into(
    kind: SourceKind,
    file: &str,
    input: &mut dyn Read,
    options: ParseOptions,
    sink: &mut dyn RecordSink,
) -> Result<FileSummary, ParseError> {
    match kind {
        SourceKind::ShopifyPayouts => shopify_payouts::parse_into(file, input, options, sink),
        SourceKind::TikTokIncome => tiktok_income::parse_into(file, input, options, sink),
        _ => {
            let mut bytes = Vec::new();
            input
                .read_to_end(&mut bytes)
                .map_err(|e| ParseError::NotThisFormat {
                    file: file.into(),
                    message: format!("cannot read: {e}"),
                })?;
            let parsed = parse(kind, file, &bytes, options)?;
            let summary = parsed.summary();
            emit_all(parsed, sink);
            Ok(summary)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::ValueEnum;

    #[test]
    fn every_kind_has_one_name_for_cli_json_and_store() {
        for kind in SourceKind::value_variants() {
            let cli = kind.to_possible_value().expect("not skipped");
            assert_eq!(cli.get_name(), kind.as_str());
            assert_eq!(serde_json::to_value(kind).unwrap(), kind.as_str());
        }
    }
}
