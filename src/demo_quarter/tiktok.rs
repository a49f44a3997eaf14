//! The quarter's TikTok Shop order exports and statement transactions (see the module above).

use super::*;

struct TtItem {
    sku_id: String,
    product: (&'static str, &'static str, &'static str, i64),
    qty: i64,
    before: i64,
    platform: i64,
    seller: i64,
}

impl TtItem {
    fn after(&self) -> i64 {
        self.before - self.platform - self.seller
    }
}

struct TtOrder {
    id: String,
    created: NaiveDateTime,
    items: Vec<TtItem>,
    place: (&'static str, &'static str, &'static str, i64),
    /// What the buyer paid for shipping (no shipping discounts here).
    shipping: i64,
    taxes: i64,
    delivery_fee: i64,
    /// The label TikTok charges (positive).
    label: i64,
    /// Basis points of revenue the creator earns, 0 without an affiliate.
    affiliate_bp: i64,
    shipped: NaiveDateTime,
    delivered: NaiveDateTime,
    settled: NaiveDate,
    /// The refund: when it settles and which items it covers.
    refund: Option<(NaiveDateTime, Vec<usize>)>,
}

impl TtOrder {
    fn gross(&self, items: &[usize]) -> i64 {
        items.iter().map(|&i| self.items[i].before).sum()
    }
    fn seller(&self, items: &[usize]) -> i64 {
        items.iter().map(|&i| self.items[i].seller).sum()
    }
    fn platform(&self, items: &[usize]) -> i64 {
        items.iter().map(|&i| self.items[i].platform).sum()
    }
    fn all(&self) -> Vec<usize> {
        (0..self.items.len()).collect()
    }
    fn revenue(&self, items: &[usize]) -> i64 {
        self.gross(items) - self.seller(items)
    }
    fn referral(&self, items: &[usize]) -> i64 {
        pct(self.revenue(items), 600)
    }
    fn affiliate(&self, items: &[usize]) -> i64 {
        pct(self.revenue(items), self.affiliate_bp)
    }
    fn tax_of(&self, items: &[usize]) -> i64 {
        pct(self.revenue(items), self.place.3)
    }
    fn order_amount(&self) -> i64 {
        let after: i64 = self.items.iter().map(TtItem::after).sum();
        after + self.shipping + self.taxes + self.delivery_fee
    }
}

/// One statement transaction, with the 202309 money fields it fills.
struct TtTx {
    id: u64,
    kind: &'static str,
    order_id: String,
    created: i64,
    adjustment_id: String,
    adjustment_order_id: String,
    fields: Vec<(&'static str, i64)>,
}

impl TtTx {
    fn get(&self, name: &str) -> i64 {
        self.fields
            .iter()
            .filter(|(n, _)| *n == name)
            .map(|(_, v)| v)
            .sum()
    }
}

/// The 202309 money fields, in the order the API sends them.
const TT_FIELDS: [&str; 50] = [
    "settlement_amount",
    "revenue_amount",
    "net_sales_amount",
    "gross_sales_amount",
    "gross_sales_refund_amount",
    "seller_discount_amount",
    "seller_discount_refund_amount",
    "after_seller_discounts_subtotal_amount",
    "fee_amount",
    "transaction_fee_amount",
    "platform_commission_amount",
    "referral_fee_amount",
    "refund_administration_fee_amount",
    "affiliate_commission_amount",
    "affiliate_commission_before_pit",
    "affiliate_partner_commission_amount",
    "affiliate_ads_commission_amount",
    "pit_amount",
    "shipping_cost_amount",
    "shipping_fee_amount",
    "actual_shipping_fee_amount",
    "actual_return_shipping_fee_amount",
    "return_shipping_fee_amount",
    "shipping_fee_subsidy_amount",
    "platform_shipping_fee_discount_amount",
    "promo_shipping_incentive_amount",
    "shipping_cost_discount_amount",
    "refund_shipping_cost_discount_amount",
    "shipping_insurance_fee_amount",
    "signature_confirmation_fee_amount",
    "fbm_shipping_cost_amount",
    "fbt_shipping_cost_amount",
    "fbt_fulfillment_fee_amount",
    "customer_paid_shipping_fee_amount",
    "customer_paid_shipping_fee_refund_amount",
    "customer_shipping_fee_amount",
    "customer_shipping_fee_offset_amount",
    "customer_payment_amount",
    "customer_refund_amount",
    "customer_order_refund_amount",
    "platform_discount_amount",
    "platform_discount_refund_amount",
    "platform_refund_subsidy_amount",
    "sales_tax_amount",
    "sales_tax_payment_amount",
    "sales_tax_refund_amount",
    "retail_delivery_fee_amount",
    "retail_delivery_fee_payment_amount",
    "retail_delivery_fee_refund_amount",
    "adjustment_amount",
];

/// The sale settling: revenue, the shipping the buyer paid against the
/// label, referral fee and creator commission.
fn tt_sale(o: &TtOrder, id: u64) -> TtTx {
    let all = o.all();
    let (gross, seller, platform) = (o.gross(&all), o.seller(&all), o.platform(&all));
    let revenue = gross - seller;
    let (referral, affiliate) = (o.referral(&all), o.affiliate(&all));
    let shipping_cost = o.shipping - o.label;
    let fee = -referral - affiliate;
    TtTx {
        id,
        kind: "ORDER",
        order_id: o.id.clone(),
        created: unix(o.created),
        adjustment_id: String::new(),
        adjustment_order_id: String::new(),
        fields: vec![
            ("settlement_amount", revenue + shipping_cost + fee),
            ("revenue_amount", revenue),
            ("net_sales_amount", revenue),
            ("gross_sales_amount", gross),
            ("seller_discount_amount", -seller),
            ("after_seller_discounts_subtotal_amount", revenue),
            ("fee_amount", fee),
            ("referral_fee_amount", -referral),
            ("affiliate_commission_amount", -affiliate),
            ("affiliate_commission_before_pit", -affiliate),
            ("shipping_cost_amount", shipping_cost),
            ("shipping_fee_amount", shipping_cost),
            ("actual_shipping_fee_amount", -o.label),
            ("fbm_shipping_cost_amount", -o.label),
            ("customer_paid_shipping_fee_amount", o.shipping),
            ("customer_shipping_fee_amount", o.shipping),
            ("customer_payment_amount", o.order_amount()),
            ("platform_discount_amount", platform),
            ("sales_tax_amount", o.taxes),
            ("sales_tax_payment_amount", o.taxes),
            ("retail_delivery_fee_amount", o.delivery_fee),
            ("retail_delivery_fee_payment_amount", o.delivery_fee),
        ],
    }
}

/// A refund of `items`: their revenue back to the buyer, the referral fee
/// and creator commission on them given back, less the refund
/// administration fee (20% of the referral fee returned).
fn tt_refund(o: &TtOrder, items: &[usize], id: u64) -> TtTx {
    let (gross, seller, platform) = (o.gross(items), o.seller(items), o.platform(items));
    let revenue = seller - gross;
    let referral = o.referral(items);
    let admin = pct(referral, 2000);
    let affiliate = o.affiliate(items);
    let fee = referral - admin + affiliate;
    let tax = o.tax_of(items);
    let paid_back = gross - seller - platform + tax;
    TtTx {
        id,
        kind: "ORDER",
        order_id: o.id.clone(),
        created: unix(o.created),
        adjustment_id: String::new(),
        adjustment_order_id: String::new(),
        fields: vec![
            ("settlement_amount", revenue + fee),
            ("revenue_amount", revenue),
            ("net_sales_amount", revenue),
            ("gross_sales_refund_amount", -gross),
            ("seller_discount_refund_amount", seller),
            ("after_seller_discounts_subtotal_amount", revenue),
            ("fee_amount", fee),
            ("referral_fee_amount", referral),
            ("refund_administration_fee_amount", -admin),
            ("affiliate_commission_amount", affiliate),
            ("affiliate_commission_before_pit", affiliate),
            ("customer_refund_amount", -paid_back),
            ("customer_order_refund_amount", -paid_back),
            ("platform_discount_refund_amount", -platform),
            ("sales_tax_refund_amount", -tax),
        ],
    }
}

/// An adjustment: its type, the order it concerns (if any), its amount.
fn tt_adjustment(kind: &'static str, order: &str, amount: i64, at: i64, id: u64) -> TtTx {
    TtTx {
        id,
        kind,
        order_id: String::new(),
        created: at,
        adjustment_id: format!("{}", 7_309_000_000_000_000_000u64 + id % 1_000_000),
        adjustment_order_id: order.to_string(),
        fields: vec![("settlement_amount", amount), ("adjustment_amount", amount)],
    }
}

fn tt_tx_json(t: &TtTx) -> Value {
    let mut m = Map::new();
    m.insert("id".into(), json!(t.id.to_string()));
    m.insert("type".into(), json!(t.kind));
    m.insert("order_id".into(), json!(t.order_id));
    m.insert("order_create_time".into(), json!(t.created));
    m.insert("adjustment_id".into(), json!(t.adjustment_id));
    m.insert("adjustment_order_id".into(), json!(t.adjustment_order_id));
    m.insert("currency".into(), json!("USD"));
    for name in TT_FIELDS {
        let v = t.get(name);
        let text = if v == 0 { "0".to_string() } else { money(v) };
        m.insert(name.into(), json!(text));
    }
    Value::Object(m)
}

fn tt_orders() -> Vec<TtOrder> {
    let mut rng = Lcg(0x7171_7070_0000_0002);
    let mut orders = Vec::new();
    let mut n = 0u64;
    for month in MONTHS {
        for i in 0..TIKTOK_ORDERS {
            let created = rng.time_on(spread(month, i, TIKTOK_ORDERS));
            let mut items = Vec::new();
            let count = if rng.chance(25) { 2 } else { 1 };
            for k in 0..count {
                let product = PRODUCTS[rng.below(PRODUCTS.len() as u64) as usize];
                let qty = if rng.chance(15) { 2 } else { 1 };
                let before = product.3 * qty;
                let seller = if rng.chance(20) { pct(before, 1000) } else { 0 };
                let platform = if rng.chance(15) { 200 } else { 0 };
                items.push(TtItem {
                    sku_id: format!("17295{:013}", 1000 + k as u64 + 10 * n),
                    product,
                    qty,
                    before,
                    platform,
                    seller,
                });
            }
            let place = PLACES[rng.below(PLACES.len() as u64) as usize];
            let after: i64 = items.iter().map(TtItem::after).sum();
            let shipping = if after >= 3500 { 0 } else { 499 };
            let label = rng.range(450, 790);
            let affiliate_bp = if rng.chance(30) {
                rng.range(10, 20) * 100
            } else {
                0
            };
            let shipped = created + Duration::seconds(rng.range(20, 40) * 3600);
            let delivered = created + Duration::seconds(rng.range(72, 120) * 3600);
            let mut o = TtOrder {
                id: format!("{}", 577_100_000_000_000_000u64 + n),
                created,
                items,
                place,
                shipping,
                taxes: 0,
                // Colorado's retail delivery fee, collected like the tax.
                delivery_fee: if place.0 == "CO" { 28 } else { 0 },
                label,
                affiliate_bp,
                shipped,
                delivered,
                // Released a week after delivery.
                settled: delivered.date() + Duration::days(7),
                refund: None,
            };
            o.taxes = o.tax_of(&o.all());
            // A handful of refunds, settled a week or two after the sale.
            if n == 12 || rng.below(20) == 0 {
                let after = Duration::days(rng.range(5, 15));
                let when = rng.time_on(o.settled + after);
                let items = if o.items.len() > 1 && rng.chance(50) {
                    vec![0]
                } else {
                    o.all()
                };
                o.refund = Some((when, items));
            }
            orders.push(o);
            n += 1;
        }
    }
    orders
}

/// The statement transactions, per statement day.
fn tt_statements(orders: &[TtOrder]) -> BTreeMap<NaiveDate, Vec<TtTx>> {
    let mut by_day: BTreeMap<NaiveDate, Vec<TtTx>> = BTreeMap::new();
    let mut id = 7_300_000_000_000_100_000u64;
    let mut next = || {
        id += 1;
        id
    };
    for o in orders {
        if o.settled <= last_day() {
            by_day
                .entry(o.settled)
                .or_default()
                .push(tt_sale(o, next()));
        }
        if let Some((when, items)) = &o.refund {
            if when.date() <= last_day() && o.settled <= when.date() {
                by_day
                    .entry(when.date())
                    .or_default()
                    .push(tt_refund(o, items, next()));
            }
        }
    }
    // The ads spend TikTok takes from the settlement, as a type tiktok.toml
    // does not name (see the module docs), and a lost parcel it reimburses.
    let adjustments: [(NaiveDate, &'static str, Option<usize>, i64); 5] = [
        (day(4, 17), "GMV_PAYMENT_FOR_TIKTOK_ADS", None, -4820),
        (day(5, 8), "GMV_PAYMENT_FOR_TIKTOK_ADS", None, -7500),
        (day(5, 22), "LOGISTICS_REIMBURSEMENT", Some(57), 1250),
        (day(5, 29), "GMV_PAYMENT_FOR_TIKTOK_ADS", None, -6235),
        (day(6, 19), "GMV_PAYMENT_FOR_TIKTOK_ADS", None, -9010),
    ];
    for (d, kind, order, amount) in adjustments {
        let order_id = order.map(|i| orders[i].id.as_str()).unwrap_or("");
        let at = unix(d.and_hms_opt(0, 0, 0).expect("midnight"));
        by_day
            .entry(d)
            .or_default()
            .push(tt_adjustment(kind, order_id, amount, at, next()));
    }
    by_day
}

/// TikTok writes `03/01/2026 10:00:00 AM` with a trailing TAB.
fn tt_time(t: NaiveDateTime) -> String {
    format!("{}\t", t.format("%m/%d/%Y %I:%M:%S %p"))
}

fn tt_export(orders: &[&TtOrder], month_end: NaiveDateTime) -> String {
    let mut out = String::from(
        "\u{feff}Order ID,Order Status,Order Substatus,Cancelation/Return Type,Normal or Pre-order,\
         SKU ID,Seller SKU,Product Name,Variation,Quantity,Sku Quantity of return,\
         SKU Unit Original Price,SKU Subtotal Before Discount,SKU Platform Discount,\
         SKU Seller Discount,SKU Subtotal After Discount,Shipping Fee After Discount,\
         Original Shipping Fee,Shipping Fee Seller Discount,Shipping Fee Platform Discount,\
         Payment platform discount,Retail Delivery Fee,Taxes,Order Amount,Order Refund Amount,\
         Created Time,Paid Time,RTS Time,Shipped Time,Delivered Time,Cancelled Time,Cancel By,\
         Cancel Reason,Fulfillment Type,Warehouse Name,Tracking ID,Delivery Option Type,\
         Delivery Option,Shipping Provider Name,Buyer Message,Buyer Username,Recipient,Phone #,\
         Country,State,City,Zipcode,Detail Address,Additional address information,\
         House Name or Number,Delivery Instruction,Payment Method,Weight(kg),Product Category,\
         Package ID,Seller Note,Shipping Information\r\n",
    );
    for o in orders {
        // The export is a snapshot at the month's end.
        let refunded = o
            .refund
            .as_ref()
            .filter(|(when, _)| *when <= month_end)
            .map(|(_, items)| {
                items.iter().map(|&i| o.items[i].after()).sum::<i64>() + o.tax_of(items)
            })
            .unwrap_or(0);
        let delivered = o.delivered <= month_end;
        let shipped = o.shipped <= month_end;
        let (status, sub) = match (delivered, shipped) {
            (true, _) => ("Completed", "Delivered"),
            (false, true) => ("Shipped", "In transit"),
            (false, false) => ("Awaiting shipment", "Awaiting shipment"),
        };
        let refund_type = if refunded > 0 { "Return/Refund" } else { "" };
        let tracking = format!("94001112{:014}", o.id[6..].parse::<u64>().unwrap_or(0));
        for (k, item) in o.items.iter().enumerate() {
            let returned = match &o.refund {
                Some((when, items)) if *when <= month_end && items.contains(&k) => item.qty,
                _ => 0,
            };
            let (sku, product, variation, price) = item.product;
            out.push_str(&format!(
                "{}\t,{status},{sub},{refund_type},Normal,{}\t,{sku}\t,{product},\"{variation}\",\
                 {},{returned},{},{},{},{},{},{},{},0.00,0.00,0.00,{},{},{},{},{},{},{},{},{},\
                 ,,,Fulfillment by seller,Main Warehouse,{tracking}\t,Standard shipping,\
                 Standard shipping,USPS,,shopper_{},B*** S***,(+1)213*****67,United States,{},{},{},\
                 1*** M*** St,,,,Credit card,0.45,Apparel & Accessories,{}\t,,\r\n",
                o.id,
                item.sku_id,
                item.qty,
                money(price),
                money(item.before),
                money(item.platform),
                money(item.seller),
                money(item.after()),
                money(o.shipping),
                money(o.shipping),
                money(o.delivery_fee),
                money(o.taxes),
                money(o.order_amount()),
                money(refunded),
                tt_time(o.created),
                tt_time(o.created + Duration::seconds(40)),
                tt_time(o.shipped - Duration::seconds(3 * 3600)),
                if shipped {
                    tt_time(o.shipped)
                } else {
                    String::new()
                },
                if delivered {
                    tt_time(o.delivered)
                } else {
                    String::new()
                },
                &o.id[12..],
                o.place.0,
                o.place.1,
                o.place.2,
                1_150_000_000_000_000_000u64 + o.id[9..].parse::<u64>().unwrap_or(0),
            ));
        }
    }
    out
}

/// The payment a statement is paid by: weekly, Monday to Sunday.
fn tt_payment_id(d: NaiveDate) -> String {
    let week = d.iso_week().week() as u64;
    format!("{}", 7_320_000_000_000_000_000u64 + 202_600 + week)
}

pub(super) fn tiktok_files() -> Vec<DemoFile> {
    let orders = tt_orders();
    let statements = tt_statements(&orders);
    let mut files = Vec::new();
    for month in MONTHS {
        let end = day(month, days_in(month))
            .and_hms_opt(23, 59, 59)
            .expect("a time");
        let placed: Vec<&TtOrder> = orders
            .iter()
            .filter(|o| o.created.month() == month)
            .collect();
        files.push(DemoFile {
            name: format!("tiktok-orders-export-2026-{month:02}.csv"),
            shop: TIKTOK_SHOP,
            bytes: tt_export(&placed, end).into_bytes(),
        });
        let mut pages = Vec::new();
        for (d, txs) in statements.range(day(month, 1)..=day(month, days_in(month))) {
            let sum = |name: &str| money(txs.iter().map(|t| t.get(name)).sum());
            let statement_id = 7_310_000_000_000_000_000u64 + d.ordinal() as u64;
            pages.push(json!({
                "code": 0,
                "message": "Success",
                "request_id": format!("{}0900000000{:06}", d.format("%Y%m%d"), d.ordinal()),
                "data": {
                    "statement_id": statement_id.to_string(),
                    "statement_time": unix(d.and_hms_opt(0, 0, 0).expect("midnight")),
                    "currency": "USD",
                    "settlement_amount": sum("settlement_amount"),
                    "revenue_amount": sum("revenue_amount"),
                    "fee_amount": sum("fee_amount"),
                    "adjustment_amount": sum("adjustment_amount"),
                    "shipping_cost_amount": sum("shipping_cost_amount"),
                    "net_sales_amount": sum("net_sales_amount"),
                    "payment_id": tt_payment_id(*d),
                    "total_count": txs.len(),
                    "next_page_token": "",
                    "statement_transactions": txs.iter().map(tt_tx_json).collect::<Vec<_>>(),
                }
            }));
        }
        files.push(DemoFile {
            name: format!("tiktok-statement-transactions-2026-{month:02}.json"),
            shop: TIKTOK_SHOP,
            bytes: serde_json::to_vec(&Value::Array(pages)).expect("JSON"),
        });
    }
    files
}
