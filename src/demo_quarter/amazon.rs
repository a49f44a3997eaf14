//! The quarter's Amazon settlements: V2 flat files and June's date range report (see the module above).

use super::*;

/// One amount row of a settlement: what V2 writes per row.
struct AmzAmount {
    amount_type: &'static str,
    description: &'static str,
    cents: i64,
}

struct AmzEvent {
    /// `Order`, `Refund`, `ServiceFee`, `other-transaction`.
    kind: &'static str,
    order_id: String,
    adjustment_id: String,
    shipment_id: String,
    posted: NaiveDateTime,
    /// AFN (FBA) or MFN (merchant fulfilled); empty for non-order rows.
    fulfillment: &'static str,
    item_code: String,
    sku: &'static str,
    qty: i64,
    promotion: &'static str,
    place: (&'static str, &'static str, &'static str, i64),
    amounts: Vec<AmzAmount>,
}

impl AmzEvent {
    fn total(&self) -> i64 {
        self.amounts.iter().map(|a| a.cents).sum()
    }
    fn sum(&self, amount_type: &str, descriptions: &[&str]) -> i64 {
        self.amounts
            .iter()
            .filter(|a| a.amount_type == amount_type && descriptions.contains(&a.description))
            .map(|a| a.cents)
            .sum()
    }
}

struct AmzSettlement {
    id: String,
    start: NaiveDate,
    end: NaiveDate,
    deposit: NaiveDate,
    events: Vec<AmzEvent>,
}

impl AmzSettlement {
    fn total(&self) -> i64 {
        self.events.iter().map(AmzEvent::total).sum()
    }
}

fn amount(amount_type: &'static str, description: &'static str, cents: i64) -> AmzAmount {
    AmzAmount {
        amount_type,
        description,
        cents,
    }
}

fn other(
    kind: &'static str,
    amount_type: &'static str,
    description: &'static str,
    cents: i64,
    posted: NaiveDateTime,
) -> AmzEvent {
    AmzEvent {
        kind,
        order_id: String::new(),
        adjustment_id: String::new(),
        shipment_id: String::new(),
        posted,
        fulfillment: "",
        item_code: String::new(),
        sku: "",
        qty: 0,
        promotion: "",
        place: ("", "", "", 0),
        amounts: vec![amount(amount_type, description, cents)],
    }
}

fn amazon_settlements() -> Vec<AmzSettlement> {
    let mut rng = Lcg(0xa3a2_0000_0000_0003);
    let starts = [
        day(3, 31),
        day(4, 14),
        day(4, 28),
        day(5, 12),
        day(5, 26),
        day(6, 9),
        day(6, 23),
    ];
    let mut settlements: Vec<AmzSettlement> = starts
        .iter()
        .enumerate()
        .map(|(i, &start)| AmzSettlement {
            id: format!("2441131000{}", i + 1),
            start,
            end: start + Duration::days(14),
            deposit: start + Duration::days(16),
            events: Vec::new(),
        })
        .collect();
    let mut events = Vec::new();
    let mut n = 0u64;
    for month in MONTHS {
        for i in 0..AMAZON_ORDERS {
            let ordered = rng.time_on(spread(month, i, AMAZON_ORDERS));
            let posted = rng.time_on(ordered.date() + Duration::days(1));
            let fba = rng.chance(70);
            let product = PRODUCTS[rng.below(PRODUCTS.len() as u64) as usize];
            let qty = if rng.chance(15) { 2 } else { 1 };
            let place = PLACES[rng.below(PLACES.len() as u64) as usize];
            let principal = product.3 * qty + 299; // Amazon prices a little higher
            let promo = if rng.chance(10) {
                pct(principal, 1000)
            } else {
                0
            };
            let shipping = if fba { 0 } else { 499 };
            let tax = pct(principal - promo, place.3);
            let commission = pct(principal + shipping - promo, 1500);
            let fba_fee = if fba { rng.range(322, 540) * qty } else { 0 };
            let order_id = format!(
                "11{}-{:07}-{:07}",
                3 + n % 4,
                1_000_000 + (n * 7919) % 9_000_000,
                2_000_000 + n
            );
            let item_code = format!("{}", 60_000_000_000_000u64 + n);
            let mut amounts = vec![amount("ItemPrice", "Principal", principal)];
            if tax != 0 {
                amounts.push(amount("ItemPrice", "Tax", tax));
            }
            if shipping != 0 {
                amounts.push(amount("ItemPrice", "Shipping", shipping));
            }
            if tax != 0 {
                amounts.push(amount(
                    "ItemWithheldTax",
                    "MarketplaceFacilitatorTax-Principal",
                    -tax,
                ));
            }
            amounts.push(amount("ItemFees", "Commission", -commission));
            if fba {
                amounts.push(amount("ItemFees", "FBAPerUnitFulfillmentFee", -fba_fee));
            }
            if promo != 0 {
                amounts.push(amount("Promotion", "Principal", -promo));
            }
            let sale = AmzEvent {
                kind: "Order",
                order_id: order_id.clone(),
                adjustment_id: String::new(),
                shipment_id: rng.alnum(9),
                posted,
                fulfillment: if fba { "AFN" } else { "MFN" },
                item_code: item_code.clone(),
                sku: product.0,
                qty,
                promotion: if promo != 0 { "Summer Sale 2026" } else { "" },
                place,
                amounts,
            };
            if rng.below(25) == 0 {
                let after = Duration::days(rng.range(5, 15));
                let when = rng.time_on(posted.date() + after);
                let mut amounts = vec![amount("ItemPrice", "Principal", -principal)];
                if tax != 0 {
                    amounts.push(amount("ItemPrice", "Tax", -tax));
                    amounts.push(amount(
                        "ItemWithheldTax",
                        "MarketplaceFacilitatorTax-Principal",
                        tax,
                    ));
                }
                amounts.push(amount("ItemFees", "Commission", commission));
                amounts.push(amount(
                    "ItemFees",
                    "RefundCommission",
                    -pct(commission, 2000).min(500),
                ));
                if promo != 0 {
                    amounts.push(amount("Promotion", "Principal", promo));
                }
                events.push(AmzEvent {
                    kind: "Refund",
                    order_id,
                    adjustment_id: format!("amzn1:crow:{}", rng.alnum(16)),
                    shipment_id: String::new(),
                    posted: when,
                    fulfillment: if fba { "AFN" } else { "MFN" },
                    item_code,
                    sku: product.0,
                    qty,
                    promotion: "",
                    place,
                    amounts,
                });
            }
            events.push(sale);
            n += 1;
        }
    }
    // What is not an order: advertising per settlement, the selling plan
    // and storage once a month, an inventory reimbursement, and the
    // reserve (April and May only: the June report carries none).
    for (k, s) in settlements.iter().enumerate().take(4) {
        let mid = s.start + Duration::days(6);
        events.push(other(
            "ServiceFee",
            "Cost of Advertising",
            "TransactionTotalAmount",
            -rng.range(18_000, 32_000),
            rng.time_on(mid),
        ));
        if k % 2 == 0 {
            events.push(other(
                "other-transaction",
                "other-transaction",
                "Subscription Fee",
                -3999,
                rng.time_on(s.start + Duration::days(2)),
            ));
            events.push(other(
                "other-transaction",
                "other-transaction",
                "Storage Fee",
                -rng.range(1_800, 4_200),
                rng.time_on(s.start + Duration::days(8)),
            ));
        }
    }
    let mut reimbursement = other(
        "other-transaction",
        "FBA Inventory Reimbursement",
        "WAREHOUSE_DAMAGE",
        2_199,
        rng.time_on(day(5, 5)),
    );
    reimbursement.sku = "BOTTLE-SS";
    reimbursement.qty = 1;
    events.push(reimbursement);

    for e in events {
        if let Some(s) = settlements
            .iter_mut()
            .find(|s| s.start <= e.posted.date() && e.posted.date() < s.end)
        {
            s.events.push(e);
        }
    }
    let reserves = [25_000, 31_000, 27_550, 0];
    for k in 0..4 {
        let closing =
            settlements[k].end.and_hms_opt(0, 0, 0).expect("midnight") - Duration::seconds(60);
        if k > 0 {
            settlements[k].events.push(other(
                "other-transaction",
                "other-transaction",
                "Previous Reserve Amount Balance",
                reserves[k - 1],
                closing,
            ));
        }
        if reserves[k] != 0 {
            settlements[k].events.push(other(
                "other-transaction",
                "other-transaction",
                "Current Reserve Amount",
                -reserves[k],
                closing,
            ));
        }
    }
    for s in &mut settlements {
        s.events.sort_by_key(|e| e.posted);
    }
    settlements
}

const V2_HEADER: &str = "settlement-id\tsettlement-start-date\tsettlement-end-date\tdeposit-date\t\
    total-amount\tcurrency\ttransaction-type\torder-id\tmerchant-order-id\tadjustment-id\t\
    shipment-id\tmarketplace-name\tamount-type\tamount-description\tamount\tfulfillment-id\t\
    posted-date\tposted-date-time\torder-item-code\tmerchant-order-item-id\t\
    merchant-adjustment-item-id\tsku\tquantity-purchased\tpromotion-id\n";

fn amazon_v2(s: &AmzSettlement) -> String {
    let utc = |d: NaiveDate| format!("{} 00:00:00 UTC", d);
    let mut out = String::from(V2_HEADER);
    out.push_str(&format!(
        "{}\t{}\t{}\t{}\t{}\tUSD{}\n",
        s.id,
        utc(s.start),
        utc(s.end),
        utc(s.deposit),
        money(s.total()),
        "\t".repeat(18)
    ));
    for e in &s.events {
        let order = !e.order_id.is_empty();
        for a in &e.amounts {
            let promotion = if a.amount_type == "Promotion" {
                e.promotion
            } else {
                ""
            };
            out.push_str(&format!(
                "{}\t\t\t\t\t\t{}\t{}\t\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t\t\t{}\t{}\t{}\n",
                s.id,
                e.kind,
                e.order_id,
                e.adjustment_id,
                e.shipment_id,
                if order { "Amazon.com" } else { "" },
                a.amount_type,
                a.description,
                money(a.cents),
                e.fulfillment,
                e.posted.format("%m/%d/%y"),
                e.posted.format("%Y-%m-%d %H:%M:%S UTC"),
                e.item_code,
                e.sku,
                if e.qty > 0 {
                    e.qty.to_string()
                } else {
                    String::new()
                },
                promotion,
            ));
        }
    }
    out
}

/// A UTC time as the US report writes it, in Pacific daylight time (every
/// time of the quarter is in PDT).
fn pdt(t: NaiveDateTime) -> String {
    let local = t - Duration::hours(7);
    format!("{} PDT", local.format("%b %-d, %Y %-I:%M:%S %p"))
}

const RANGE_HEADER: &str = "\"date/time\",\"settlement id\",\"type\",\"order id\",\"sku\",\
    \"description\",\"quantity\",\"marketplace\",\"account type\",\"fulfillment\",\"order city\",\
    \"order state\",\"order postal\",\"tax collection model\",\"product sales\",\
    \"product sales tax\",\"shipping credits\",\"shipping credits tax\",\"gift wrap credits\",\
    \"giftwrap credits tax\",\"Regulatory Fee\",\"Tax On Regulatory Fee\",\"promotional rebates\",\
    \"promotional rebates tax\",\"marketplace withheld tax\",\"selling fees\",\"fba fees\",\
    \"other transaction fees\",\"other\",\"total\"\n";

/// June's date range report: the June rows of the settlements open in
/// June, and the transfers paid in June.
fn amazon_june_report(settlements: &[AmzSettlement]) -> String {
    let mut out = String::from(
        "\"Includes Amazon Marketplace, Fulfillment by Amazon (FBA), and Amazon Webstore transactions\"\n\
         \"All amounts in USD, unless specified\"\n\
         \"Definitions:\"\n\
         \"Sales tax collected: Includes sales tax collected from buyers for product sales, shipping, and gift wrap.\"\n\
         \"Selling fees: Includes variable closing fees and referral fees.\"\n\
         \"Other transaction fees: Includes shipping chargebacks, shipping holdbacks, per-item fees  and sales tax collection fees.\"\n\
         \"Other: Includes non-order transaction amounts. For more details, see the \"\"Type\"\" and \"\"Description\"\" columns for each order ID.\"\n",
    );
    out.push_str(RANGE_HEADER);
    let june = |t: NaiveDateTime| t.date() >= day(6, 1) && t.date() <= last_day();
    let mut rows: Vec<(NaiveDateTime, String)> = Vec::new();
    let q = |s: &str| format!("\"{}\"", s.replace('"', "\"\""));
    for s in settlements {
        for e in s.events.iter().filter(|e| june(e.posted)) {
            let product = PRODUCTS
                .iter()
                .find(|p| p.0 == e.sku)
                .map(|p| p.1)
                .unwrap_or("");
            let cells = [
                e.sum("ItemPrice", &["Principal"]),
                e.sum("ItemPrice", &["Tax"]),
                e.sum("ItemPrice", &["Shipping"]),
                0,
                0,
                0,
                0,
                0,
                e.sum("Promotion", &["Principal"]),
                0,
                e.sum("ItemWithheldTax", &["MarketplaceFacilitatorTax-Principal"]),
                e.sum("ItemFees", &["Commission", "RefundCommission"]),
                e.sum("ItemFees", &["FBAPerUnitFulfillmentFee"]),
                0,
                0,
            ];
            debug_assert_eq!(
                cells.iter().sum::<i64>(),
                e.total(),
                "June rows are orders and refunds"
            );
            let mut row = vec![
                q(&pdt(e.posted)),
                q(&s.id),
                q(e.kind),
                q(&e.order_id),
                q(e.sku),
                q(product),
                q(&e.qty.to_string()),
                q("amazon.com"),
                q("Standard Orders"),
                q(if e.fulfillment == "AFN" {
                    "Amazon"
                } else {
                    "Seller"
                }),
                q(&e.place.1.to_uppercase()),
                q(e.place.0),
                q(e.place.2),
                q("MarketplaceFacilitator"),
            ];
            row.extend(cells.iter().map(|&c| q(&money_grouped(c))));
            row.push(q(&money_grouped(e.total())));
            rows.push((e.posted, row.join(",")));
        }
        if june(s.deposit.and_hms_opt(16, 21, 9).expect("a time")) {
            let at = s.deposit.and_hms_opt(16, 21, 9).expect("a time");
            let mut row = vec![
                q(&pdt(at)),
                q(&s.id),
                q("Transfer"),
                q(""),
                q(""),
                q("To account ending in: 042"),
            ];
            row.extend(std::iter::repeat_n(q(""), 8));
            row.extend(std::iter::repeat_n(q("0"), 14));
            row.push(q(&money_grouped(-s.total())));
            row.push(q(&money_grouped(-s.total())));
            rows.push((at, row.join(",")));
        }
    }
    rows.sort_by_key(|(t, _)| *t);
    for (_, row) in rows {
        out.push_str(&row);
        out.push('\n');
    }
    out
}

pub(super) fn amazon_files() -> Vec<DemoFile> {
    let settlements = amazon_settlements();
    let mut files: Vec<DemoFile> = settlements
        .iter()
        .take(4)
        .map(|s| DemoFile {
            name: format!("amazon-settlement-{}.txt", s.id),
            shop: AMAZON_SHOP,
            bytes: amazon_v2(s).into_bytes(),
        })
        .collect();
    files.push(DemoFile {
        name: "amazon-2026Jun1-2026Jun30CustomUnifiedTransaction.csv".into(),
        shop: AMAZON_SHOP,
        bytes: amazon_june_report(&settlements).into_bytes(),
    });
    files
}
