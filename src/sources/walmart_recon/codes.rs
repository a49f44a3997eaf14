//! `Amount Type` (and, for `Fee/Reimbursement`, the description and the
//! transaction type) to component codes; see the module above for the rules.

/// Which column of a row an unknown value came from, when a code is missing.
pub enum Unknown {
    AmountType,
    TransactionType,
}

/// The canonical code for one row's amount.
pub fn amount_code(
    transaction_type: &str,
    amount_type: &str,
    description: &str,
) -> Result<&'static str, Unknown> {
    let tt = transaction_type.to_lowercase();
    let refund = tt == "refund";
    match tt.as_str() {
        "sale" | "refund" | "adjustment" | "service fee" | "dispute settlement" | "campaigns" => {}
        "reserve" => return Ok("reserve.hold"),
        "release reserve" => return Ok("reserve.release"),
        _ => return Err(Unknown::TransactionType),
    }
    let pick = |sale: &'static str, back: &'static str| Ok(if refund { back } else { sale });
    match amount_type.to_lowercase().as_str() {
        "product price" => pick("sale.gross", "refund.gross"),
        "product tax" | "shipping tax" => pick("tax.collected", "refund.tax"),
        "product tax withheld" | "shipping tax withheld" => Ok("tax.withheld_by_marketplace"),
        "shipping" | "shipping price" => pick("sale.shipping_income", "refund.shipping"),
        "commission on product" | "commission on shipping" => {
            pick("fee.commission", "refund.fee_reversal")
        }
        "promo code" => pick("sale.seller_discount", "refund.seller_discount"),
        "total walmart funded savings" => {
            pick("sale.platform_discount", "refund.platform_discount")
        }
        "other tax (fees)" => Ok("tax.on_fees"),
        "sem marketing fee" => Ok("fee.advertising"),
        "review accelerator fee" => Ok("fee.review_accelerator"),
        "wfs inbound fee" => Ok("fee.inbound_transportation"),
        "fee/reimbursement" | "wfs fee/reimbursement" | "wfs inventory fee/reimbursement" => {
            Ok(fee_or_reimbursement(&tt, description))
        }
        _ => Err(Unknown::AmountType),
    }
}

/// `Fee/Reimbursement` by its description, else by its transaction type.
fn fee_or_reimbursement(transaction_type: &str, description: &str) -> &'static str {
    let d = description.trim().to_lowercase();
    match d.as_str() {
        "wfs fulfillment fee" => return "fee.fulfillment",
        "wfs storagefee" | "wfs storage fee" => return "fee.storage",
        "wfs return processing fee" => return "fee.return_processing",
        "wfs return shipping fee" => return "fee.return_shipping",
        "wfs rc_inventorydisposalfee" => return "fee.disposal",
        "wfs inventorytransferfee" => return "fee.inventory_transfer",
        "walmart product advertising" | "sem marketing" => return "fee.advertising",
        "review accelerator" => return "fee.review_accelerator",
        "wfs lostinventory" | "wfs foundinventory" | "wfs refund" => {
            return "adjustment.reimbursement"
        }
        _ if d.contains("shipping label") => return "fee.shipping_label",
        _ => {}
    }
    match transaction_type {
        "service fee" => "fee.service",
        "campaigns" => "fee.advertising",
        _ => "adjustment.reimbursement",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_by_transaction_and_amount_type() {
        let code = |t: &str, a: &str, d: &str| amount_code(t, a, d).ok();
        assert_eq!(
            code("Sale", "Product Price", "Purchase"),
            Some("sale.gross")
        );
        assert_eq!(code("Refund", "Product Price", ""), Some("refund.gross"));
        assert_eq!(
            code("Refund", "Product tax withheld", ""),
            Some("tax.withheld_by_marketplace")
        );
        assert_eq!(
            code(
                "Adjustment",
                "Fee/Reimbursement",
                "Walmart Shipping Label Service Charge"
            ),
            Some("fee.shipping_label")
        );
        assert_eq!(
            code("Dispute Settlement", "Fee/Reimbursement", "Dispute won"),
            Some("adjustment.reimbursement")
        );
        assert_eq!(
            code("Service Fee", "Fee/Reimbursement", "Something"),
            Some("fee.service")
        );
        assert_eq!(
            code(
                "Reserve",
                "Fee/Reimbursement",
                "Funds withheld to cover future refunds"
            ),
            Some("reserve.hold")
        );
        assert!(matches!(
            amount_code("Sale", "Extra Savings", ""),
            Err(Unknown::AmountType)
        ));
        assert!(matches!(
            amount_code("Chargeback", "Product Price", ""),
            Err(Unknown::TransactionType)
        ));
    }
}
