//! Demo data: the accounting model's worked example (a TikTok Shop order from
//! sale to bank deposit), a Shopify order with a partial refund, an Amazon
//! order in CAD, and a manual entry that is later reversed. Keys are fixed,
//! so loading the demo twice adds nothing.

use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::domain::{
    AccountCode, ChartOfAccounts, EntryDraft, EntryError, EntryKind, JournalEntry, Money, Posting,
    Segments, Side, SourceRef,
};

struct Line<'a> {
    account: &'a str,
    side: Side,
    amount: &'a str,
    memo: &'a str,
}

fn dr<'a>(account: &'a str, amount: &'a str, memo: &'a str) -> Line<'a> {
    Line {
        account,
        side: Side::Debit,
        amount,
        memo,
    }
}

fn cr<'a>(account: &'a str, amount: &'a str, memo: &'a str) -> Line<'a> {
    Line {
        account,
        side: Side::Credit,
        amount,
        memo,
    }
}

struct Doc<'a> {
    key: &'a str,
    date: (i32, u32, u32),
    kind: EntryKind,
    description: &'a str,
    currency: &'a str,
    channel: &'a str,
    shop: &'a str,
    order: Option<&'a str>,
    statement: Option<&'a str>,
    payout: Option<&'a str>,
    lines: Vec<Line<'a>>,
}

fn build(doc: Doc<'_>, chart: &ChartOfAccounts) -> Result<JournalEntry, EntryError> {
    let currency = doc.currency.parse().expect("demo currencies are ISO codes");
    let postings = doc
        .lines
        .iter()
        .map(|l| {
            let account: AccountCode = l.account.parse().expect("demo accounts are valid codes");
            let amount = Decimal::from_str_exact(l.amount).expect("demo amounts are decimals");
            let mut p = Posting::new(account, l.side, Money::new(amount, currency));
            p.memo = Some(l.memo.to_string());
            p.segments = Segments {
                channel: Some(doc.channel.to_string()),
                shop: Some(doc.shop.to_string()),
                ..Segments::default()
            };
            p.source = SourceRef {
                order_id: doc.order.map(str::to_string),
                statement_id: doc.statement.map(str::to_string),
                payout_id: doc.payout.map(str::to_string),
                ..SourceRef::default()
            };
            p
        })
        .collect();
    let (y, m, d) = doc.date;
    JournalEntry::new(
        EntryDraft {
            idempotency_key: doc.key.to_string(),
            date: NaiveDate::from_ymd_opt(y, m, d).expect("valid demo date"),
            kind: doc.kind,
            description: doc.description.to_string(),
            postings,
        },
        chart,
    )
}

/// The demo's entries, checked against `chart` (the default chart has every
/// account they use).
pub fn demo_entries(chart: &ChartOfAccounts) -> Result<Vec<JournalEntry>, EntryError> {
    let tiktok_order = "576460752303423541";
    let docs = vec![
        Doc {
            key: "demo:tiktok-us:sale:576460752303423541",
            date: (2024, 1, 5),
            kind: EntryKind::Sale,
            description: "Sale, TikTok Shop order 576460752303423541",
            currency: "USD",
            channel: "tiktok",
            shop: "tiktok-us",
            order: Some(tiktok_order),
            statement: None,
            payout: None,
            lines: vec![
                dr("1210", "50.99", "due from TikTok Shop"),
                dr("4910", "5.00", "seller discount"),
                cr("4000", "50.00", "gross sales"),
                cr("4010", "5.99", "shipping paid by buyer"),
            ],
        },
        Doc {
            key: "demo:tiktok-us:settlement:576460752303423541",
            date: (2024, 1, 12),
            kind: EntryKind::Settlement,
            description: "Settlement of TikTok Shop order 576460752303423541",
            currency: "USD",
            channel: "tiktok",
            shop: "tiktok-us",
            order: Some(tiktok_order),
            statement: Some("7311232331144627968"),
            payout: Some("PAY-20240115-01"),
            lines: vec![
                dr("6110", "1.35", "transaction fee"),
                dr("6100", "2.70", "TikTok Shop commission"),
                dr("6120", "4.50", "affiliate commission"),
                dr("6130", "7.40", "actual shipping fee"),
                cr("6130", "1.41", "platform shipping fee discount"),
                cr("1210", "14.54", "fees withheld"),
            ],
        },
        Doc {
            key: "demo:tiktok-us:payout:PAY-20240115-01",
            date: (2024, 1, 15),
            kind: EntryKind::Payout,
            description: "TikTok Shop payout PAY-20240115-01",
            currency: "USD",
            channel: "tiktok",
            shop: "tiktok-us",
            order: None,
            statement: Some("7311232331144627968"),
            payout: Some("PAY-20240115-01"),
            lines: vec![
                dr("1020", "36.45", "payout sent"),
                cr("1210", "36.45", "payout"),
            ],
        },
        Doc {
            key: "demo:tiktok-us:deposit:PAY-20240115-01",
            date: (2024, 1, 17),
            kind: EntryKind::Deposit,
            description: "Bank deposit of TikTok Shop payout PAY-20240115-01",
            currency: "USD",
            channel: "tiktok",
            shop: "tiktok-us",
            order: None,
            statement: None,
            payout: Some("PAY-20240115-01"),
            lines: vec![
                dr("1010", "36.45", "deposit"),
                cr("1020", "36.45", "deposit matched"),
            ],
        },
        Doc {
            key: "demo:shopify:sale:#1001",
            date: (2024, 1, 20),
            kind: EntryKind::Sale,
            description: "Sale, Shopify order #1001",
            currency: "USD",
            channel: "shopify",
            shop: "shopify-main",
            order: Some("#1001"),
            statement: None,
            payout: None,
            lines: vec![
                dr("1211", "84.00", "due from Shopify Payments"),
                cr("4000", "80.00", "gross sales"),
                cr("4010", "4.00", "shipping paid by buyer"),
            ],
        },
        Doc {
            key: "demo:shopify:fee:#1001",
            date: (2024, 1, 22),
            kind: EntryKind::Settlement,
            description: "Shopify Payments fee, order #1001",
            currency: "USD",
            channel: "shopify",
            shop: "shopify-main",
            order: Some("#1001"),
            statement: None,
            payout: Some("97230725301"),
            lines: vec![
                dr("6110", "2.74", "processing fee (2.9% + 0.30)"),
                cr("1211", "2.74", "fee withheld"),
            ],
        },
        Doc {
            key: "demo:shopify:refund:#1001",
            date: (2024, 2, 2),
            kind: EntryKind::Refund,
            description: "Partial refund, Shopify order #1001",
            currency: "USD",
            channel: "shopify",
            shop: "shopify-main",
            order: Some("#1001"),
            statement: None,
            payout: Some("97230725302"),
            lines: vec![
                dr("4900", "20.00", "refund to buyer"),
                cr("1211", "20.00", "refund withheld"),
            ],
        },
        Doc {
            key: "demo:amazon-ca:sale:702-5519261-6262668",
            date: (2024, 2, 8),
            kind: EntryKind::Sale,
            description: "Sale, Amazon.ca order 702-5519261-6262668",
            currency: "CAD",
            channel: "amazon",
            shop: "amazon-ca",
            order: Some("702-5519261-6262668"),
            statement: None,
            payout: None,
            lines: vec![
                dr("1212", "39.98", "due from Amazon"),
                cr("4000", "39.98", "gross sales"),
            ],
        },
        Doc {
            key: "demo:amazon-ca:settlement:702-5519261-6262668",
            date: (2024, 2, 14),
            kind: EntryKind::Settlement,
            description: "Settlement 50065020384, order 702-5519261-6262668",
            currency: "CAD",
            channel: "amazon",
            shop: "amazon-ca",
            order: Some("702-5519261-6262668"),
            statement: Some("50065020384"),
            payout: Some("50065020384"),
            lines: vec![
                dr("6100", "6.00", "referral fee"),
                dr("6140", "8.34", "FBA fulfilment fee"),
                cr("1212", "14.34", "fees withheld"),
            ],
        },
        Doc {
            key: "demo:manual:misposted-ads",
            date: (2024, 2, 20),
            kind: EntryKind::Manual,
            description: "TikTok ads charge (booked to the wrong account)",
            currency: "USD",
            channel: "tiktok",
            shop: "tiktok-us",
            order: None,
            statement: None,
            payout: None,
            lines: vec![
                dr("6190", "25.00", "ads"),
                cr("1210", "25.00", "withheld from statement"),
            ],
        },
        Doc {
            key: "demo:manual:ads",
            date: (2024, 2, 20),
            kind: EntryKind::Adjustment,
            description: "TikTok ads charge",
            currency: "USD",
            channel: "tiktok",
            shop: "tiktok-us",
            order: None,
            statement: None,
            payout: None,
            lines: vec![
                dr("6150", "25.00", "ads"),
                cr("1210", "25.00", "withheld from statement"),
            ],
        },
    ];
    docs.into_iter().map(|d| build(d, chart)).collect()
}

/// The key of the demo entry that the demo reverses.
pub const MISPOSTED_KEY: &str = "demo:manual:misposted-ads";
