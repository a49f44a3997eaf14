//! The `Order details` columns: every header TikTok is known to write (SEA,
//! older US, the ID/TH/VN variants), what it is, and — for money — its
//! component code and the subtotal it sits under.
//!
//! Names are matched after `normalize_header` (trimmed, spaces collapsed,
//! case-folded, `\` → `/`) and with a trailing time zone in parentheses
//! removed (`Order created time(UTC)`). The layout is a flattened tree:
//!
//! ```text
//! Total settlement amount = Total revenue + Total fees + Adjustment amount
//!   Total revenue = Subtotal after seller discounts + Refund subtotal after seller discounts
//!     Subtotal after seller discounts = Subtotal before discounts + Seller discounts
//!     Refund subtotal after … = Refund subtotal before … + Refund of seller discounts
//!   Total fees = the fee columns + Seller shipping fee
//!     Seller shipping fee = Actual shipping fee + Platform shipping fee discount
//!                           + Customer shipping fee + return/refund/subsidy columns
//! ```
//!
//! Subtotals are checks, never components. What the buyer paid for shipping
//! sits inside TikTok's fee block but is shipping income to the seller
//! (`sale.shipping_income`); its place in the tree only matters for the
//! check. Where the exact text of a column is inferred rather than seen
//! (formats.md marks it [INFER]), a wrong guess cannot book wrong money: a
//! column the table does not name is schema drift, and every row is checked
//! against the file's own totals.

use crate::sources::tiktok_finance::{adjustment_code, base_name};

/// The subtotal a component column sits under.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Block {
    /// Under `Total revenue`.
    Revenue,
    /// Under `Seller shipping fee` (itself under `Total fees`).
    Shipping,
    /// Directly under `Total fees`.
    Fees,
}

/// The inner revenue subtotal a component sits under.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Part {
    /// `Subtotal after seller discounts`.
    Sales,
    /// `Refund subtotal after seller discounts`.
    Refunds,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Check {
    Settlement,
    Revenue,
    SalesAfterDiscounts,
    RefundsAfterDiscounts,
    Fees,
    SellerShipping,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Field {
    Id,
    Type,
    CreatedTime,
    SettledTime,
    Currency,
    RelatedOrder,
    StatementId,
    StatementDate,
    SkuId,
    /// Names, quantities, item lists: kept in the row's raw cells.
    Text,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Kind {
    Component {
        code: &'static str,
        block: Block,
        part: Option<Part>,
    },
    Check(Check),
    /// `Adjustment amount`: its code comes from the row's `Type`, unless
    /// the file breaks it down into per-kind columns (then it is a check).
    AdjustmentAmount,
    /// A per-kind adjustment column (the Indonesian layout): its code.
    AdjustmentBreakdown(&'static str),
    /// A figure that is not money of the line; see `MEMO`.
    Memo,
    Field(Field),
}

const fn component(code: &'static str, block: Block) -> Kind {
    Kind::Component {
        code,
        block,
        part: None,
    }
}

const fn revenue(code: &'static str, part: Part) -> Kind {
    Kind::Component {
        code,
        block: Block::Revenue,
        part: Some(part),
    }
}

use Block::{Fees, Revenue, Shipping};

/// Known columns: normalized names (aliases) and what they are.
const COLUMNS: &[(&[&str], Kind)] = &[
    // Who, what and when.
    (&["order/adjustment id"], Kind::Field(Field::Id)),
    (&["type", "transaction type"], Kind::Field(Field::Type)),
    (
        &[
            "order created time",
            "order create time",
            "order creation time",
        ],
        Kind::Field(Field::CreatedTime),
    ),
    (
        &["order settled time", "order settlement time"],
        Kind::Field(Field::SettledTime),
    ),
    (&["currency"], Kind::Field(Field::Currency)),
    (&["related order id"], Kind::Field(Field::RelatedOrder)),
    (&["statement id"], Kind::Field(Field::StatementId)),
    (&["statement date"], Kind::Field(Field::StatementDate)),
    (&["sku id"], Kind::Field(Field::SkuId)),
    (
        &[
            "quantity",
            "product name",
            "sku name",
            "seller sku",
            "order source",
            "shopping center items",
            "details of items sold",
        ],
        Kind::Field(Field::Text),
    ),
    // Subtotals: checked on every row, never booked.
    (&["total settlement amount"], Kind::Check(Check::Settlement)),
    (&["total revenue"], Kind::Check(Check::Revenue)),
    (
        &["subtotal after seller discounts"],
        Kind::Check(Check::SalesAfterDiscounts),
    ),
    (
        &["refund subtotal after seller discounts"],
        Kind::Check(Check::RefundsAfterDiscounts),
    ),
    (&["total fees"], Kind::Check(Check::Fees)),
    // `Shipping cost` is the Indonesian layout's name for the same subtotal.
    (
        &["seller shipping fee", "shipping cost"],
        Kind::Check(Check::SellerShipping),
    ),
    // Revenue.
    (
        &["subtotal before discounts"],
        revenue("sale.gross", Part::Sales),
    ),
    (
        &["seller discounts"],
        revenue("sale.seller_discount", Part::Sales),
    ),
    (
        &[
            "refund subtotal before seller discounts",
            "refund subtotal before discounts",
        ],
        revenue("refund.gross", Part::Refunds),
    ),
    (
        &["refund of seller discounts"],
        revenue("refund.seller_discount", Part::Refunds),
    ),
    // ID writes it between the revenue columns.
    (
        &["distance item fee from horizon+ program"],
        component("fee.horizon_distance_item", Revenue),
    ),
    // Shipping, under `Seller shipping fee`.
    (
        &[
            "actual shipping fee",
            "shipping costs passed on to the logistics provider",
        ],
        component("fee.shipping_label", Shipping),
    ),
    (
        &[
            "platform shipping fee discount",
            "shipping cost borne by the platform",
        ],
        component("fee.shipping_label_subsidy", Shipping),
    ),
    (
        &[
            "customer shipping fee",
            "shipping cost paid by the customer",
        ],
        component("sale.shipping_income", Shipping),
    ),
    (
        &[
            "actual return shipping fee",
            "return shipping fee",
            "return shipping costs (passed on to the customer)",
        ],
        component("fee.return_shipping_label", Shipping),
    ),
    (
        &[
            "refunded customer shipping fee",
            "refund customer shipping fee",
            "refunded shipping cost paid by the customer",
        ],
        component("refund.shipping", Shipping),
    ),
    (
        &[
            "shipping fee subsidy",
            "shipping subsidy",
            "shipping cost subsidy",
        ],
        component("fee.shipping_label_subsidy", Shipping),
    ),
    (
        &["sfr reimbursement"],
        component("fee.shipping_label_reimbursement", Shipping),
    ),
    (
        &["failed delivery subsidy", "failed-delivery subsidy"],
        component("fee.failed_delivery_subsidy", Shipping),
    ),
    (
        &["replacement shipping fee (passed on to the customer)"],
        component("fee.replacement_shipping", Shipping),
    ),
    (
        &["exchange shipping fee (passed on to the customer)"],
        component("fee.exchange_shipping", Shipping),
    ),
    (
        &["distance shipping fee from horizon+ program"],
        component("fee.horizon_distance_shipping", Shipping),
    ),
    // Fees, under `Total fees`.
    (
        &["transaction fee", "payment fee"],
        component("fee.transaction", Fees),
    ),
    (
        &["tiktok shop commission fee", "platform commission fee"],
        component("fee.commission", Fees),
    ),
    (
        &[
            "credit card installment - handling fee",
            "credit card installment - interest rate cost",
        ],
        component("fee.installment", Fees),
    ),
    (
        &["affiliate commission"],
        component("fee.affiliate_commission", Fees),
    ),
    (
        &["affiliate shop ads commission"],
        component("fee.affiliate_shop_ads_commission", Fees),
    ),
    (
        &["affiliate partner commission"],
        component("fee.affiliate_partner_commission", Fees),
    ),
    (
        &["affiliate commission deposit"],
        component("fee.affiliate_commission_deposit", Fees),
    ),
    (
        &["affiliate commission refund"],
        component("fee.affiliate_commission_refund", Fees),
    ),
    (
        &["affiliate partner shop ads commission"],
        component("fee.affiliate_partner_shop_ads_commission", Fees),
    ),
    (
        &["sfp service fee", "shipping fee program service fee"],
        component("fee.sfp_service", Fees),
    ),
    (
        &["dynamic commission"],
        component("fee.dynamic_commission", Fees),
    ),
    (
        &["bonus cashback service fee"],
        component("fee.cashback_service", Fees),
    ),
    (
        &["live specials service fee"],
        component("fee.live_specials_service", Fees),
    ),
    (
        &["voucher xtra service fee"],
        component("fee.voucher_xtra_service", Fees),
    ),
    (
        &["order processing fee"],
        component("fee.order_processing", Fees),
    ),
    (
        &["eams program service fee"],
        component("fee.eams_service", Fees),
    ),
    (
        &[
            "flash sale service fee",
            "brands crazy deals/flash sale service fee",
        ],
        component("fee.flash_sale_service", Fees),
    ),
    (
        &[
            "tiktok paylater fee",
            "tiktok paylater program fee",
            "paylater program fee",
        ],
        component("fee.paylater", Fees),
    ),
    (
        &["campaign resource fee"],
        component("fee.campaign_resource", Fees),
    ),
    (&["sfr service fee"], component("fee.sfr_service", Fees)),
    (
        &["shipping service fee"],
        component("fee.shipping_service", Fees),
    ),
    (
        &["pre-order service fee"],
        component("fee.pre_order_service", Fees),
    ),
    (&["mall service fee"], component("fee.mall_service", Fees)),
    (
        &[
            "platform support fee",
            "infrastructure fee",
            "commerce growth fee",
        ],
        component("fee.platform_support", Fees),
    ),
    (&["gmv max ad fee"], component("fee.advertising", Fees)),
    (&["gmv max coupon"], component("fee.gmv_max_coupon", Fees)),
    (
        &["dilayani tokopedia fee"],
        component("fee.dilayani_tokopedia", Fees),
    ),
    (
        &["dilayani tokopedia handling fee"],
        component("fee.dilayani_tokopedia_handling", Fees),
    ),
    (
        &["installation service fee"],
        component("fee.installation_service", Fees),
    ),
    (
        &["platform special service fee"],
        component("fee.platform_special_service", Fees),
    ),
    (&["flat fee"], component("fee.flat", Fees)),
    (&["sales fee"], component("fee.sales", Fees)),
    // Taxes in the fee block. Withheld at source: the seller's own tax,
    // prepaid through TikTok (VN, ID). SST/GST: tax on TikTok's fees (MY, SG).
    (
        &["vat withheld by tiktok shop", "platform vat"],
        component("tax.vat_withheld_at_source", Fees),
    ),
    (
        &[
            "pit withheld by tiktok shop",
            "platform income tax",
            "article 22 income tax withheld",
        ],
        component("tax.income_tax_withheld_at_source", Fees),
    ),
    (&["sst", "gst"], component("tax.on_fees", Fees)),
    (&["customs duty"], component("tax.customs_duty", Fees)),
    (&["import vat"], component("tax.import_vat", Fees)),
    (
        &["import duty and value added tax"],
        component("tax.import_duty_and_vat", Fees),
    ),
    // Adjustments.
    (
        // `Ajustment amount` is TikTok's own spelling in several layouts.
        &["adjustment amount", "ajustment amount"],
        Kind::AdjustmentAmount,
    ),
    (MEMO, Kind::Memo),
];

/// Memo figures: not components, never booked, never summed.
/// - What the buyer paid and was refunded, and the platform's discounts
///   and co-funded vouchers: TikTok funds these; they explain the order,
///   they are not the seller's money (the seller's revenue is the subtotal
///   after seller discounts).
/// - The seller's shipping discount: already inside `Customer shipping fee`.
/// - Package weights: not money.
/// - Affiliate commission before PIT and the PIT withheld from it (VN):
///   a breakdown of `Affiliate commission`, which carries the amount.
const MEMO: &[&str] = &[
    "customer payment",
    "customer refund",
    "seller co-funded voucher discount",
    "refund of seller co-funded voucher discount",
    "platform discounts",
    "platform discount",
    "refund of platform discounts",
    "platform co-funded voucher discounts",
    "refund of platform co-funded voucher discounts",
    "seller shipping fee discount",
    "seller shipping cost discount",
    "estimated package weight",
    "estimated package weight (g)",
    "actual package weight",
    "actual package weight (g)",
    "chargeable package weight",
    "chargeable package weight (g)",
    "sku quantity of return",
    "affiliate commission before pit",
    "affiliate commission before pit (personal income tax)",
    "personal income tax withheld from affiliate commission",
    "pit withheld from affiliate commission",
    "affiliate shop ads commission before pit",
    "personal income tax withheld from affiliate shop ads commission",
    "pit withheld from affiliate shop ads commission",
];

/// What a header is; None for a column this importer does not know.
pub(super) fn classify(raw: &str) -> Option<Kind> {
    let name = base_name(raw);
    if let Some((_, kind)) = COLUMNS
        .iter()
        .find(|(names, _)| names.contains(&name.as_str()))
    {
        return Some(*kind);
    }
    // The Indonesian layout breaks `Adjustment amount` down by kind, one
    // column each, named like the adjustment types.
    match adjustment_code(&name) {
        Some("adjustment.other") if name == "adjustment" => None,
        Some(code) => Some(Kind::AdjustmentBreakdown(code)),
        None => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spellings_in_the_wild_resolve() {
        assert_eq!(
            classify("Order\\adjustment ID   "),
            Some(Kind::Field(Field::Id))
        );
        assert_eq!(
            classify("Order/Adjustment ID"),
            Some(Kind::Field(Field::Id))
        );
        assert_eq!(classify("Type "), Some(Kind::Field(Field::Type)));
        assert_eq!(classify("Transaction type"), Some(Kind::Field(Field::Type)));
        assert_eq!(
            classify("Order created time(UTC)"),
            Some(Kind::Field(Field::CreatedTime))
        );
        assert_eq!(classify("Total Revenue"), Some(Kind::Check(Check::Revenue)));
        assert_eq!(classify("Total Fees"), Some(Kind::Check(Check::Fees)));
        assert_eq!(
            classify("Actual shipping fee "),
            Some(component("fee.shipping_label", Shipping))
        );
        assert_eq!(classify("Estimated package weight (g)"), Some(Kind::Memo));
        assert_eq!(
            classify("Platform reimbursement"),
            Some(Kind::AdjustmentBreakdown(
                "adjustment.platform_reimbursement"
            ))
        );
        assert_eq!(classify("Boost service fee"), None);
    }

    #[test]
    fn every_component_code_is_valid() {
        use crate::domain::settlement::ComponentCode;
        for (names, kind) in COLUMNS {
            if let Kind::Component { code, .. } = kind {
                assert!(ComponentCode::new(code).is_ok(), "{names:?}: {code}");
            }
        }
    }
}
