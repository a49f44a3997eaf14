//! What Amazon's settlement formats share: the names Amazon gives its
//! amounts (the legacy flat file's typed columns and the V2 file's
//! `amount-type` name the same groups with the same labels), the component
//! code for each, the times the files write, the decimal mark each
//! marketplace uses, and the payout a settlement summary row stands for.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use rust_decimal::Decimal;

use super::amount::{parse_amount, DecimalMark};
use super::problems::Problems;
use crate::domain::money::Currency;
use crate::domain::payout::Payout;
use crate::domain::settlement::{Channel, SourceRow, Statement, Timestamp};

/// The group an Amazon amount belongs to. The legacy flat file names it by
/// the column the amount is in (`price-type`/`price-amount` …); the V2 file
/// by `amount-type` (`ItemPrice`, `ItemFees` …). The label within the group
/// (`Principal`, `Commission`, `Current Reserve Amount` …) is the same in both.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AmountGroup {
    /// Legacy `price-type`, V2 `ItemPrice`.
    ItemPrice,
    /// Legacy `item-related-fee-type`, V2 `ItemFees`.
    ItemFees,
    /// Legacy `shipment-fee-type`, V2 `ShipmentFees`.
    ShipmentFees,
    /// Legacy `order-fee-type`, V2 `OrderFees`.
    OrderFees,
    /// Legacy `promotion-type`, V2 `Promotion`.
    Promotion,
    /// Legacy `direct-payment-type`, V2 `DirectPayment`.
    DirectPayment,
    /// V2 `ItemWithheldTax` (marketplace facilitator tax Amazon remits).
    WithheldTax,
    /// Legacy `other-fee-reason-description`.
    OtherFee,
    /// Legacy `misc-fee-amount` (labelled by the transaction type).
    MiscFee,
    /// Legacy `other-amount` (labelled by the transaction type), V2
    /// `other-transaction` (labelled by `amount-description`).
    Other,
}

/// Whether a transaction type gives money back to the buyer: its sale
/// amounts are refunds (`Refund`, `Chargeback Refund`, `A-to-z Guarantee
/// Refund`, and the localized date-range report's names).
pub fn is_refund(transaction_type: &str) -> bool {
    let t = transaction_type.trim().to_lowercase();
    t == "refund"
        || t.ends_with(" refund")
        || matches!(
            t.as_str(),
            "remboursement" | "erstattung" | "reembolso" | "rimborso"
        )
}

/// The canonical code for an amount of `label` in `group` on a row of
/// `transaction_type`; None is schema drift.
pub fn component_code(
    transaction_type: &str,
    group: AmountGroup,
    label: &str,
) -> Option<&'static str> {
    use AmountGroup::*;
    let refund = is_refund(transaction_type);
    Some(match (group, label) {
        (ItemPrice, "Principal") if refund => "refund.gross",
        (ItemPrice, "Principal") => "sale.gross",
        (ItemPrice, "Shipping") if refund => "refund.shipping",
        (ItemPrice, "Shipping") => "sale.shipping_income",
        (ItemPrice, "GiftWrap") if refund => "refund.giftwrap",
        (ItemPrice, "GiftWrap") => "sale.giftwrap",
        (ItemPrice, "Tax" | "ShippingTax" | "GiftWrapTax") if refund => "refund.tax",
        (ItemPrice, "Tax" | "ShippingTax" | "GiftWrapTax") => "tax.collected",
        (ItemFees, "Commission") if refund => "refund.fee_reversal",
        (ItemFees, "Commission") => "fee.commission",
        (ItemFees, "RefundCommission") => "fee.refund_commission",
        (ItemFees, "DigitalServicesFee") if refund => "refund.fee_reversal",
        (ItemFees, "DigitalServicesFee") => "fee.digital_services",
        (
            ItemFees,
            "FBAPerUnitFulfillmentFee" | "FBAPerOrderFulfillmentFee" | "FBAWeightBasedFee",
        ) => "fee.fulfillment",
        (ItemFees, "ShippingChargeback") => "fee.shipping_label",
        (ItemFees, "ShippingHB") => "fee.shipping_holdback",
        (ItemFees, "VariableClosingFee" | "FixedClosingFee") => "fee.closing",
        (ItemFees, "Cost of Advertising") => "fee.advertising",
        (ShipmentFees, "FBA transportation fee") => "fee.inbound_transportation",
        (Promotion, _) if refund => "refund.seller_discount",
        (Promotion, _) => "sale.seller_discount",
        // Marketplace facilitator tax: Amazon collected it (ItemPrice/Tax,
        // `tax.collected` or `refund.tax`) and remits it; the pair nets to
        // zero on the line.
        (WithheldTax, l)
            if l.starts_with("MarketplaceFacilitatorTax-")
                || l.starts_with("MarketplaceFacilitatorVAT-") =>
        {
            "tax.withheld_by_marketplace"
        }
        (OtherFee, "TaxAmount") => "tax.on_fees",
        (MiscFee, _) => "fee.misc",
        (Other, "Successful charge") => "adjustment.card_charge",
        (Other, "Payable to Amazon") => "adjustment.carried_balance",
        (Other, "Micro Deposit") => "adjustment.micro_deposit",
        (Other, "WAREHOUSE_DAMAGE" | "REVERSAL_REIMBURSEMENT") => "adjustment.reimbursement",
        (Other, "Subscription Fee") => "fee.subscription",
        (Other, "Inbound Transportation Fee") => "fee.inbound_transportation",
        (Other, "Storage Fee") => "fee.storage",
        (Other, "Previous Reserve Amount Balance") => "reserve.release",
        (Other, "Current Reserve Amount") => "reserve.hold",
        _ => return None,
    })
}

/// A settlement time as Amazon writes it, in UTC: ISO 8601 with an offset
/// (legacy files), `2026-01-05 12:34:56 UTC`, `23.07.2026 18:21:50 UTC`
/// (V2, IN), or a bare date (`2026-03-17`, `23.07.2026`) read as midnight UTC.
pub fn parse_time(raw: &str) -> Option<DateTime<Utc>> {
    let s = raw.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.with_timezone(&Utc));
    }
    let bare = s.strip_suffix(" UTC").unwrap_or(s).trim();
    for format in ["%Y-%m-%d %H:%M:%S", "%d.%m.%Y %H:%M:%S"] {
        if let Ok(t) = NaiveDateTime::parse_from_str(bare, format) {
            return Some(t.and_utc());
        }
    }
    if bare.len() == s.len() {
        for format in ["%Y-%m-%d", "%d.%m.%Y"] {
            if let Ok(d) = NaiveDate::parse_from_str(bare, format) {
                return d.and_hms_opt(0, 0, 0).map(|t| t.and_utc());
            }
        }
    }
    None
}

/// The decimal mark, decided once per file from its currency: files from
/// euro and other decimal-comma marketplaces write `95,00`.
pub fn decimal_mark(currency: Currency) -> DecimalMark {
    match currency.code() {
        "EUR" | "PLN" | "SEK" | "TRY" | "BRL" => DecimalMark::Comma,
        _ => DecimalMark::Point,
    }
}

/// A settlement is its own payout: Amazon pays (or charges) `total-amount`
/// on the deposit date under the settlement's id.
pub fn settlement_payout(statement: &Statement) -> Payout {
    Payout {
        channel: Channel::Amazon,
        payout_id: statement.statement_id.clone(),
        currency: statement.currency,
        amount: statement.declared_total.unwrap_or(Decimal::ZERO),
        paid_at: statement.deposit_date.clone(),
        status: None,
        bank_amount: None,
        exchange_rate: None,
        bank_account: None,
        source: statement.source.clone(),
    }
}

/// A timestamp with its raw text, when `raw` parses with `parse_time`.
pub fn timestamp(raw: &str) -> Option<Timestamp> {
    parse_time(raw).map(|utc| Timestamp {
        raw: raw.trim().to_string(),
        utc,
    })
}

/// Reads a settlement file's summary row (id, period, deposit date, total,
/// currency) into its statement, and the decimal mark its currency implies.
/// A summary row without a readable currency stops the file: nothing after
/// it can be read safely.
pub fn read_summary_row<'r>(
    get: &dyn Fn(&str) -> &'r str,
    source: SourceRow,
    problems: &mut Problems,
) -> Option<(Statement, DecimalMark)> {
    let row = source.row;
    let currency: Currency = match get("currency").parse() {
        Ok(c) => c,
        Err(e) => {
            problems.push(
                Some(row),
                Some("currency"),
                Some(get("currency")),
                e.to_string(),
            );
            return None;
        }
    };
    let mark = decimal_mark(currency);
    let total = match parse_amount(get("total-amount"), mark) {
        Ok(t) => t,
        Err(e) => {
            problems.push(
                Some(row),
                Some("total-amount"),
                Some(get("total-amount")),
                e.to_string(),
            );
            Decimal::ZERO
        }
    };
    if get("settlement-id").is_empty() {
        problems.push(
            Some(row),
            Some("settlement-id"),
            None,
            "the summary row has no settlement id",
        );
    }
    let mut time = |column: &str| {
        let raw = get(column);
        if raw.is_empty() {
            return None;
        }
        let t = timestamp(raw);
        if t.is_none() {
            problems.push(Some(row), Some(column), Some(raw), "not a date and time");
        }
        t
    };
    let statement = Statement {
        channel: Channel::Amazon,
        statement_id: get("settlement-id").to_string(),
        period_start: time("settlement-start-date"),
        period_end: time("settlement-end-date"),
        deposit_date: time("deposit-date"),
        payout_id: Some(get("settlement-id").to_string()),
        currency,
        declared_total: Some(total),
        source: Some(source),
    };
    Some((statement, mark))
}

/// A detail row may repeat the settlement id and currency; when it does,
/// they must be the summary row's.
pub fn check_detail_row<'r>(
    get: &dyn Fn(&str) -> &'r str,
    row: u64,
    statement: &Statement,
    problems: &mut Problems,
) {
    let id = get("settlement-id");
    if !id.is_empty() && id != statement.statement_id {
        problems.push(
            Some(row),
            Some("settlement-id"),
            Some(id),
            format!(
                "belongs to another settlement than {}",
                statement.statement_id
            ),
        );
    }
    let currency = get("currency");
    if !currency.is_empty() && currency != statement.currency.code() {
        problems.push(
            Some(row),
            Some("currency"),
            Some(currency),
            "differs from the summary row's currency",
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settlement_times_in_every_spelling() {
        let t = |s: &str| parse_time(s).map(|t| t.to_rfc3339());
        let noon = Some("2026-07-23T18:21:50+00:00".to_string());
        assert_eq!(t("2026-07-23T18:21:50+00:00"), noon);
        assert_eq!(t("2026-07-23 18:21:50 UTC"), noon);
        assert_eq!(t("23.07.2026 18:21:50 UTC"), noon);
        assert_eq!(
            t("2026-03-17"),
            Some("2026-03-17T00:00:00+00:00".to_string())
        );
        assert_eq!(
            t("19.07.2026"),
            Some("2026-07-19T00:00:00+00:00".to_string())
        );
        for bad in [
            "",
            "yesterday",
            "2026-13-01",
            "2026-03-17 UTC",
            "32.01.2026",
        ] {
            assert_eq!(t(bad), None, "{bad}");
        }
    }

    #[test]
    fn refunds_by_any_name() {
        for t in [
            "Refund",
            "refund",
            "Chargeback Refund",
            "A-to-z Guarantee Refund",
            "Remboursement",
        ] {
            assert!(is_refund(t), "{t}");
        }
        for t in ["Order", "Refund Fee", "ServiceFee", ""] {
            assert!(!is_refund(t), "{t}");
        }
    }

    #[test]
    fn both_layouts_name_amounts_alike() {
        use AmountGroup::*;
        assert_eq!(
            component_code("Order", ItemPrice, "Principal"),
            Some("sale.gross")
        );
        assert_eq!(
            component_code("Refund", ItemFees, "Commission"),
            Some("refund.fee_reversal")
        );
        assert_eq!(
            component_code("Order", WithheldTax, "MarketplaceFacilitatorTax-Shipping"),
            Some("tax.withheld_by_marketplace")
        );
        assert_eq!(
            component_code("other-transaction", Other, "Current Reserve Amount"),
            Some("reserve.hold")
        );
        assert_eq!(component_code("Order", WithheldTax, "TCS-IGST"), None);
        assert_eq!(component_code("Order", ItemFees, "Brand New Fee"), None);
    }
}
