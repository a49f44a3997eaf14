//! Generated channel files for the benchmarks, shared by `import` and `books`.

use std::io::Write;
use std::path::Path;

/// Shopify Payments transactions: charges and the odd refund over 30 days.
pub fn write_shopify_payouts(path: &Path, rows: usize) {
    let mut out = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    writeln!(
        out,
        "Transaction Date,Type,Order,Card Brand,Card Source,Payout Status,Payout Date,\
         Available On,Amount,Fee,Net,Checkout,Payment Method Name,Presentment Amount,\
         Presentment Currency,Currency"
    )
    .unwrap();
    for i in 0..rows {
        let day = 1 + i % 30;
        let cents = 1000 + (i * 37) % 20000;
        let fee = cents * 29 / 1000 + 30;
        let (kind, amount, fee) = if i % 50 == 49 {
            ("refund", -(cents as i64), 0)
        } else {
            ("charge", cents as i64, fee as i64)
        };
        let money = |c: i64| {
            format!(
                "{}{}.{:02}",
                if c < 0 { "-" } else { "" },
                c.abs() / 100,
                c.abs() % 100
            )
        };
        writeln!(
            out,
            "2026-06-{day:02} {:02}:{:02}:{:02} -0400,{kind},#{},visa,online,paid,2026-07-{day:02},\
             2026-07-{day:02},{},{},{},#{},card,{},USD,USD",
            i / 3600 % 24,
            i / 60 % 60,
            i % 60,
            100_000 + i,
            money(amount),
            money(fee),
            money(amount - fee),
            5_000_000 + i,
            money(amount.abs()),
        )
        .unwrap();
    }
}
