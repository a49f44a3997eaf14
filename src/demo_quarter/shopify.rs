//! The quarter's Shopify Payments transactions exports (see the module above).

use super::*;

struct ShopifyTx {
    at: NaiveDateTime,
    kind: &'static str,
    order: String,
    card: &'static str,
    method: &'static str,
    payout: NaiveDate,
    amount: i64,
    fee: i64,
    checkout: u64,
}

/// Two business days after `d` (Shopify's US payout schedule).
fn shopify_payout_day(d: NaiveDate) -> NaiveDate {
    let p = d + Duration::days(2);
    match p.weekday() {
        Weekday::Sat => p + Duration::days(2),
        Weekday::Sun => p + Duration::days(1),
        _ => p,
    }
}

pub(super) fn shopify_files() -> Vec<DemoFile> {
    let mut rng = Lcg(0x5407_1f1e_0000_0001);
    let mut txs = Vec::new();
    let mut number = 5001;
    for month in MONTHS {
        // Order names count up with time.
        let mut times: Vec<NaiveDateTime> = (0..SHOPIFY_ORDERS)
            .map(|i| rng.time_on(spread(month, i, SHOPIFY_ORDERS)))
            .collect();
        times.sort();
        for at in times {
            let mut subtotal = 0;
            let mut prices = Vec::new();
            for _ in 0..rng.range(1, 3) {
                let p = PRODUCTS[rng.below(PRODUCTS.len() as u64) as usize];
                let qty = if rng.chance(20) { 2 } else { 1 };
                subtotal += p.3 * qty;
                prices.push(p.3 * qty);
            }
            let discount = if rng.chance(15) {
                pct(subtotal, 1000)
            } else {
                0
            };
            let shipping = if subtotal - discount >= 5000 { 0 } else { 599 };
            let place = PLACES[rng.below(PLACES.len() as u64) as usize];
            let tax = pct(subtotal - discount, place.3);
            let total = subtotal - discount + shipping + tax;
            let (card, method) = match rng.below(10) {
                0..=4 => ("visa", "card"),
                5..=7 => ("master", "card"),
                8 => ("american_express", "card"),
                _ => ("visa", "shop_pay_installments"),
            };
            let fee = pct(total, 290) + 30;
            let order = format!("#{number}");
            let checkout = 38_000_000_000 + number as u64 * 7;
            number += 1;
            txs.push(ShopifyTx {
                at: at + Duration::seconds(3),
                kind: "charge",
                order: order.clone(),
                card,
                method,
                payout: shopify_payout_day(at.date()),
                amount: total,
                fee,
                checkout,
            });
            // A handful of refunds: whole orders, or one item of them.
            if rng.below(25) == 0 {
                let after = Duration::days(rng.range(4, 18));
                let when = rng.time_on(at.date() + after);
                if when.date() <= last_day() {
                    let amount = if prices.len() > 1 { prices[0] } else { total };
                    txs.push(ShopifyTx {
                        at: when,
                        kind: "refund",
                        order,
                        card,
                        method,
                        payout: shopify_payout_day(when.date()),
                        amount: -amount,
                        fee: 0,
                        checkout,
                    });
                }
            }
        }
    }
    txs.sort_by_key(|t| t.at);
    MONTHS
        .iter()
        .map(|&month| {
            let mut out = String::from(
                "Transaction Date,Type,Order,Card Brand,Card Source,Payout Status,Payout Date,\
                 Available On,Amount,Fee,Net,Checkout,Payment Method Name,Presentment Amount,\
                 Presentment Currency,Currency\n",
            );
            for t in txs.iter().filter(|t| t.at.month() == month) {
                out.push_str(&format!(
                    "{} +0000,{},{},{},online,paid,{},{},{},{},{},#{},{},{},USD,USD\n",
                    t.at.format("%Y-%m-%d %H:%M:%S"),
                    t.kind,
                    t.order,
                    t.card,
                    t.payout,
                    t.payout,
                    money(t.amount),
                    money(t.fee),
                    money(t.amount - t.fee),
                    t.checkout,
                    t.method,
                    money(t.amount.abs()),
                ));
            }
            DemoFile {
                name: format!("shopify-payment_transactions_export_2026-{month:02}.csv"),
                shop: SHOPIFY_SHOP,
                bytes: out.into_bytes(),
            }
        })
        .collect()
}
