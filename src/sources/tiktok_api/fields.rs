//! What each field of a statement transaction is, per API version: a
//! component of one of the settlement's subtotals (with its canonical code),
//! a subtotal (a check), a memo figure (never booked), or an id, text or
//! time. Field names are from the official 202501 reference and the
//! generated 202309/202501 models (formats.md §3).
//!
//! The line identity (formats.md §3; the docs state it with magnitudes, the
//! API returns signed amounts, fees negative, and this importer reads them
//! signed): `settlement_amount = revenue + shipping cost + fees (and taxes) +
//! adjustment`. Each subtotal is the sum of its leaves here. Fields the
//! 202501 docs call "part of" another field (`fbt_fulfillment_fee_amount` is
//! part of `actual_shipping_fee_amount` …) or supplementary are memo:
//! booking them would count money twice. Where the 202309 flat layout
//! leaves a field's place open (marked [INFER]) the checks decide: a wrong
//! guess shows as a subtotal that its leaves do not explain, never as a
//! silently wrong net.

/// The subtotal a leaf belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Group {
    Revenue,
    Shipping,
    Fee,
}

impl Group {
    pub const ALL: [Group; 3] = [Group::Revenue, Group::Shipping, Group::Fee];
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// An amount booked with `code`, part of `group`'s subtotal.
    Leaf(Group, &'static str),
    /// The subtotal of `group` (a check, not booked).
    Subtotal(Group),
    /// The transaction's net (a check).
    Settlement,
    /// `adjustment_amount`: booked as `adjustment.<type>`.
    Adjustment,
    /// `reserve_amount`: withheld (negative) or released (positive), outside
    /// `settlement_amount` (`payable = settlement + reserve`).
    Reserve,
    /// A money figure that is not booked: supplementary, part of another
    /// field, or a subtotal that is not one of the identity's.
    Memo,
    Id,
    Text,
    Time,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Version {
    /// `/finance/202309/…/statement_transactions`: flat fields.
    V202309,
    /// `/finance/202501/…/statement_transactions`: nested breakdowns.
    V202501,
}

impl Version {
    pub fn name(self) -> &'static str {
        match self {
            Version::V202309 => "202309",
            Version::V202501 => "202501",
        }
    }
}

use Group::{Fee, Revenue, Shipping};
use Role::{Adjustment, Id, Leaf, Memo, Reserve, Settlement, Subtotal, Text, Time};

/// Fields both versions share at the transaction's top level.
const COMMON: &[(&str, Role)] = &[
    ("id", Id),
    ("type", Text),
    ("status", Text),
    ("currency", Text),
    ("order_id", Id),
    ("adjustment_id", Id),
    ("adjustment_order_id", Id),
    ("associated_order_id", Id),
    ("reserve_id", Id),
    ("statement_id", Id),
    ("reserve_status", Text),
    ("order_create_time", Time),
    ("order_delivery_time", Time),
    ("statement_time", Time),
    ("estimated_release_time", Time),
    ("settlement_amount", Settlement),
    ("revenue_amount", Subtotal(Revenue)),
    ("shipping_cost_amount", Subtotal(Shipping)),
    ("adjustment_amount", Adjustment),
    ("reserve_amount", Reserve),
];

const V202309: &[(&str, Role)] = &[
    ("fee_amount", Subtotal(Fee)),
    ("net_sales_amount", Memo),
    ("after_seller_discounts_subtotal_amount", Memo),
    // The seller's shipping fee: actual − discounts + customer-paid, a subtotal.
    ("shipping_fee_amount", Memo),
    ("gross_sales_amount", Leaf(Revenue, "sale.gross")),
    ("gross_sales_refund_amount", Leaf(Revenue, "refund.gross")),
    (
        "seller_discount_amount",
        Leaf(Revenue, "sale.seller_discount"),
    ),
    (
        "seller_discount_refund_amount",
        Leaf(Revenue, "refund.seller_discount"),
    ),
    ("transaction_fee_amount", Leaf(Fee, "fee.transaction")),
    ("platform_commission_amount", Leaf(Fee, "fee.commission")),
    ("referral_fee_amount", Leaf(Fee, "fee.referral")),
    (
        "refund_administration_fee_amount",
        Leaf(Fee, "fee.refund_administration"),
    ),
    (
        "affiliate_commission_amount",
        Leaf(Fee, "fee.affiliate_commission"),
    ),
    // Before personal income tax is withheld from it: a memo of the above.
    ("affiliate_commission_before_pit", Memo),
    (
        "affiliate_partner_commission_amount",
        Leaf(Fee, "fee.affiliate_partner_commission"),
    ),
    (
        "affiliate_ads_commission_amount",
        Leaf(Fee, "fee.affiliate_ads_commission"),
    ),
    ("pit_amount", Leaf(Fee, "tax.pit_withheld")),
    // Mexico's withheld taxes, seen in 202309 responses [INFER place].
    ("isr_income_tax_amount", Leaf(Fee, "tax.isr_withheld")),
    ("iva_vat_amount", Leaf(Fee, "tax.iva_withheld")),
    (
        "actual_shipping_fee_amount",
        Leaf(Shipping, "fee.shipping_label"),
    ),
    (
        "actual_return_shipping_fee_amount",
        Leaf(Shipping, "fee.return_shipping_label"),
    ),
    (
        "return_shipping_fee_amount",
        Leaf(Shipping, "fee.return_shipping"),
    ),
    (
        "shipping_fee_subsidy_amount",
        Leaf(Shipping, "fee.shipping_subsidy"),
    ),
    (
        "platform_shipping_fee_discount_amount",
        Leaf(Shipping, "fee.shipping_platform_discount"),
    ),
    (
        "promo_shipping_incentive_amount",
        Leaf(Shipping, "fee.shipping_incentive"),
    ),
    (
        "shipping_cost_discount_amount",
        Leaf(Shipping, "fee.shipping_cost_discount"),
    ),
    (
        "refund_shipping_cost_discount_amount",
        Leaf(Shipping, "fee.shipping_cost_discount_refund"),
    ),
    (
        "shipping_insurance_fee_amount",
        Leaf(Shipping, "fee.shipping_insurance"),
    ),
    (
        "signature_confirmation_fee_amount",
        Leaf(Shipping, "fee.signature_confirmation"),
    ),
    (
        "fbt_fulfillment_fee_reimbursement_amount",
        Leaf(Shipping, "fee.fulfillment_reimbursement"),
    ),
    (
        "customer_paid_shipping_fee_amount",
        Leaf(Shipping, "sale.shipping_income"),
    ),
    (
        "customer_paid_shipping_fee_refund_amount",
        Leaf(Shipping, "refund.shipping"),
    ),
    // Parts of actual_shipping_fee_amount (202501 docs).
    ("fbm_shipping_cost_amount", Memo),
    ("fbt_shipping_cost_amount", Memo),
    ("fbt_fulfillment_fee_amount", Memo),
    // Parts of customer_paid_shipping_fee_amount / supplementary in 202501.
    ("customer_shipping_fee_amount", Memo),
    ("customer_shipping_fee_offset_amount", Memo),
    ("customer_payment_amount", Memo),
    ("customer_refund_amount", Memo),
    ("customer_order_refund_amount", Memo),
    ("platform_discount_amount", Memo),
    ("platform_discount_refund_amount", Memo),
    ("platform_refund_subsidy_amount", Memo),
    ("sales_tax_amount", Memo),
    ("sales_tax_payment_amount", Memo),
    ("sales_tax_refund_amount", Memo),
    ("retail_delivery_fee_amount", Memo),
    ("retail_delivery_fee_payment_amount", Memo),
    ("retail_delivery_fee_refund_amount", Memo),
];

const V202501: &[(&str, Role)] = &[
    ("fee_tax_amount", Subtotal(Fee)),
    (
        "revenue_breakdown.subtotal_before_discount_amount",
        Leaf(Revenue, "sale.gross"),
    ),
    (
        "revenue_breakdown.seller_discount_amount",
        Leaf(Revenue, "sale.seller_discount"),
    ),
    (
        "revenue_breakdown.refund_subtotal_before_discount_amount",
        Leaf(Revenue, "refund.gross"),
    ),
    (
        "revenue_breakdown.seller_discount_refund_amount",
        Leaf(Revenue, "refund.seller_discount"),
    ),
    (
        "revenue_breakdown.cod_service_fee_amount",
        Leaf(Revenue, "sale.cod_service_fee"),
    ),
    (
        "revenue_breakdown.refund_cod_service_fee_amount",
        Leaf(Revenue, "refund.cod_service_fee"),
    ),
    (
        "shipping_cost_breakdown.actual_shipping_fee_amount",
        Leaf(Shipping, "fee.shipping_label"),
    ),
    (
        "shipping_cost_breakdown.shipping_fee_discount_amount",
        Leaf(Shipping, "fee.shipping_platform_discount"),
    ),
    // Negative when refunded (the two 202309 fields combined): split by sign.
    (
        "shipping_cost_breakdown.customer_paid_shipping_fee_amount",
        Leaf(Shipping, "sale.shipping_income"),
    ),
    (
        "shipping_cost_breakdown.return_shipping_fee_amount",
        Leaf(Shipping, "fee.return_shipping"),
    ),
    (
        "shipping_cost_breakdown.replacement_shipping_fee_amount",
        Leaf(Shipping, "fee.replacement_shipping"),
    ),
    (
        "shipping_cost_breakdown.exchange_shipping_fee_amount",
        Leaf(Shipping, "fee.exchange_shipping"),
    ),
    (
        "shipping_cost_breakdown.signature_confirmation_fee_amount",
        Leaf(Shipping, "fee.signature_confirmation"),
    ),
    (
        "shipping_cost_breakdown.shipping_insurance_fee_amount",
        Leaf(Shipping, "fee.shipping_insurance"),
    ),
    (
        "shipping_cost_breakdown.failed_delivery_subsidy_amount",
        Leaf(Shipping, "fee.shipping_subsidy"),
    ),
    (
        "shipping_cost_breakdown.fbt_free_shipping_fee_amount",
        Leaf(Shipping, "fee.fbt_free_shipping"),
    ),
    (
        "shipping_cost_breakdown.fbt_fulfillment_fee_reimbursement_amount",
        Leaf(Shipping, "fee.fulfillment_reimbursement"),
    ),
    (
        "shipping_cost_breakdown.free_return_subsidy_amount",
        Leaf(Shipping, "fee.return_shipping_subsidy"),
    ),
    (
        "shipping_cost_breakdown.return_shipping_fee_paid_buyer_amount",
        Leaf(Shipping, "fee.return_shipping_reimbursement"),
    ),
    (
        "shipping_cost_breakdown.return_shipping_label_fee_amount",
        Leaf(Shipping, "sale.return_label_fee"),
    ),
    (
        "shipping_cost_breakdown.seller_self_shipping_service_fee_amount",
        Leaf(Shipping, "fee.self_shipping_service"),
    ),
    (
        "shipping_cost_breakdown.shipping_fee_guarantee_reimbursement",
        Leaf(Shipping, "fee.shipping_guarantee_reimbursement"),
    ),
    (
        "fee_tax_breakdown.fee.platform_commission_amount",
        Leaf(Fee, "fee.commission"),
    ),
    (
        "fee_tax_breakdown.fee.referral_fee_amount",
        Leaf(Fee, "fee.referral"),
    ),
    (
        "fee_tax_breakdown.fee.refund_administration_fee_amount",
        Leaf(Fee, "fee.refund_administration"),
    ),
    (
        "fee_tax_breakdown.fee.transaction_fee_amount",
        Leaf(Fee, "fee.transaction"),
    ),
    (
        "fee_tax_breakdown.fee.credit_card_handling_fee_amount",
        Leaf(Fee, "fee.credit_card_handling"),
    ),
    (
        "fee_tax_breakdown.fee.affiliate_commission_amount",
        Leaf(Fee, "fee.affiliate_commission"),
    ),
    (
        "fee_tax_breakdown.fee.affiliate_commission_amount_before_pit",
        Memo,
    ),
    (
        "fee_tax_breakdown.fee.affiliate_partner_commission_amount",
        Leaf(Fee, "fee.affiliate_partner_commission"),
    ),
    (
        "fee_tax_breakdown.fee.affiliate_ads_commission_amount",
        Leaf(Fee, "fee.affiliate_ads_commission"),
    ),
    (
        "fee_tax_breakdown.fee.affiliate_commission_deposit",
        Leaf(Fee, "fee.affiliate_commission_deposit"),
    ),
    (
        "fee_tax_breakdown.fee.affiliate_commission_release",
        Leaf(Fee, "fee.affiliate_commission_release"),
    ),
    (
        "fee_tax_breakdown.fee.bonus_cashback_service_fee_amount",
        Leaf(Fee, "fee.bonus_cashback_service"),
    ),
    (
        "fee_tax_breakdown.fee.campaign_resource_fee",
        Leaf(Fee, "fee.campaign_resource"),
    ),
    (
        "fee_tax_breakdown.fee.cofunded_creator_bonus_amount",
        Leaf(Fee, "fee.cofunded_creator_bonus"),
    ),
    (
        "fee_tax_breakdown.fee.cofunded_promotion_service_fee_amount",
        Leaf(Fee, "fee.cofunded_promotion_service"),
    ),
    (
        "fee_tax_breakdown.fee.dt_handling_fee_amount",
        Leaf(Fee, "fee.dt_handling"),
    ),
    (
        "fee_tax_breakdown.fee.dynamic_commission_amount",
        Leaf(Fee, "fee.dynamic_commission"),
    ),
    (
        "fee_tax_breakdown.fee.epr_pob_service_fee_amount",
        Leaf(Fee, "fee.epr_eco_contribution"),
    ),
    (
        "fee_tax_breakdown.fee.external_affiliate_marketing_fee_amount",
        Leaf(Fee, "fee.external_affiliate_marketing"),
    ),
    (
        "fee_tax_breakdown.fee.fee_per_item_sold_amount",
        Leaf(Fee, "fee.per_item"),
    ),
    (
        "fee_tax_breakdown.fee.flash_sales_service_fee_amount",
        Leaf(Fee, "fee.flash_sales_service"),
    ),
    (
        "fee_tax_breakdown.fee.installation_service_fee",
        Leaf(Fee, "fee.installation_service"),
    ),
    (
        "fee_tax_breakdown.fee.live_specials_fee_amount",
        Leaf(Fee, "fee.live_specials_service"),
    ),
    (
        "fee_tax_breakdown.fee.mall_service_fee_amount",
        Leaf(Fee, "fee.mall_service"),
    ),
    (
        "fee_tax_breakdown.fee.pre_order_service_fee_amount",
        Leaf(Fee, "fee.pre_order_service"),
    ),
    (
        "fee_tax_breakdown.fee.seller_paylater_handling_fee_amount",
        Leaf(Fee, "fee.paylater_handling"),
    ),
    (
        "fee_tax_breakdown.fee.sfp_service_fee_amount",
        Leaf(Fee, "fee.sfp_service"),
    ),
    (
        "fee_tax_breakdown.fee.shipping_fee_guarantee_service_fee",
        Leaf(Fee, "fee.shipping_guarantee_service"),
    ),
    (
        "fee_tax_breakdown.fee.tap_shop_ads_commission",
        Leaf(Fee, "fee.tap_shop_ads_commission"),
    ),
    (
        "fee_tax_breakdown.fee.tsp_commission_amount",
        Leaf(Fee, "fee.tsp_commission"),
    ),
    (
        "fee_tax_breakdown.fee.vn_fix_infrastructure_fee",
        Leaf(Fee, "fee.infrastructure"),
    ),
    (
        "fee_tax_breakdown.fee.voucher_xtra_service_fee_amount",
        Leaf(Fee, "fee.voucher_xtra_service"),
    ),
    (
        "fee_tax_breakdown.tax.vat_amount",
        Leaf(Fee, "tax.vat_withheld"),
    ),
    (
        "fee_tax_breakdown.tax.import_vat_amount",
        Leaf(Fee, "tax.import_vat"),
    ),
    (
        "fee_tax_breakdown.tax.customs_duty_amount",
        Leaf(Fee, "tax.customs_duty"),
    ),
    (
        "fee_tax_breakdown.tax.customs_clearance_amount",
        Leaf(Fee, "fee.customs_clearance"),
    ),
    ("fee_tax_breakdown.tax.sst_amount", Leaf(Fee, "tax.sst")),
    ("fee_tax_breakdown.tax.gst_amount", Leaf(Fee, "tax.gst")),
    (
        "fee_tax_breakdown.tax.pit_amount",
        Leaf(Fee, "tax.pit_withheld"),
    ),
    (
        "fee_tax_breakdown.tax.local_vat_amount",
        Leaf(Fee, "tax.local_vat"),
    ),
    (
        "fee_tax_breakdown.tax.isr_amount",
        Leaf(Fee, "tax.isr_withheld"),
    ),
    (
        "fee_tax_breakdown.tax.iva_amount",
        Leaf(Fee, "tax.iva_withheld"),
    ),
    (
        "fee_tax_breakdown.tax.anti_dumping_duty_amount",
        Leaf(Fee, "tax.anti_dumping_duty"),
    ),
];

/// What the field at `path` (relative to the transaction, `.`-joined) is;
/// None for a field this importer does not know.
pub fn role(version: Version, path: &str) -> Option<Role> {
    if is_supplementary(path) {
        return Some(Memo);
    }
    let table = match version {
        Version::V202309 => V202309,
        Version::V202501 => V202501,
    };
    COMMON
        .iter()
        .chain(table)
        .find(|(p, _)| *p == path)
        .map(|(_, r)| *r)
}

/// `supplementary_component` objects (at the transaction's level and inside
/// `shipping_cost_breakdown`) "do not directly contribute" to the
/// settlement (202501 docs): every field in them is memo, known or not.
pub fn is_supplementary(path: &str) -> bool {
    path.split('.').any(|s| s == "supplementary_component")
}

/// Whether an unknown field's name says it holds money. Rates, counts,
/// times and ids do not.
pub fn looks_like_money(name: &str) -> bool {
    const MONEY: [&str; 14] = [
        "amount",
        "fee",
        "commission",
        "tax",
        "subsidy",
        "discount",
        "reimbursement",
        "incentive",
        "refund",
        "cost",
        "vat",
        "duty",
        "revenue",
        "settlement",
    ];
    const NOT: [&str; 6] = ["rate", "time", "count", "_id", "status", "percent"];
    let name = name.to_ascii_lowercase();
    MONEY.iter().any(|m| name.contains(m)) && !NOT.iter().any(|n| name.contains(n)) && name != "id"
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::settlement::ComponentCode;

    #[test]
    fn every_code_in_the_tables_is_a_component_code() {
        for (path, role) in COMMON.iter().chain(V202309).chain(V202501) {
            if let Leaf(_, code) = role {
                assert!(ComponentCode::new(code).is_ok(), "{path}: {code}");
            }
        }
    }

    #[test]
    fn roles_by_version() {
        assert_eq!(role(Version::V202309, "fee_amount"), Some(Subtotal(Fee)));
        assert_eq!(role(Version::V202501, "fee_amount"), None);
        assert_eq!(
            role(
                Version::V202501,
                "shipping_cost_breakdown.supplementary_component.anything_new_amount"
            ),
            Some(Memo)
        );
        assert!(looks_like_money("gmv_max_ad_fee_amount"));
        assert!(!looks_like_money("affiliate_commission_rate"));
        assert!(!looks_like_money("reserve_id"));
    }
}
