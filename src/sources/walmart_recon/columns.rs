//! The report's columns, by their normalized names.

pub const PERIOD_START: &str = "period start date";
pub const PERIOD_END: &str = "period end date";
pub const TOTAL_PAYABLE: &str = "total payable";
pub const CURRENCY: &str = "currency";
pub const KEY: &str = "transaction key";
pub const POSTED: &str = "transaction posted timestamp";
pub const TYPE: &str = "transaction type";
pub const DESCRIPTION: &str = "transaction description";
pub const PO: &str = "purchase order #";
pub const PO_LINE: &str = "purchase order line #";
pub const AMOUNT: &str = "amount";
pub const AMOUNT_TYPE: &str = "amount type";

pub const REQUIRED: [&str; 10] = [
    PERIOD_START,
    PERIOD_END,
    TOTAL_PAYABLE,
    CURRENCY,
    POSTED,
    TYPE,
    PO,
    PO_LINE,
    AMOUNT,
    AMOUNT_TYPE,
];

/// Every column known: the 32 of v1 and the trailing ones newer downloads
/// add. `Original Commission`, `Commission Saving` and `Total Walmart
/// Funded Savings Program` are memo figures beside `Amount`, never summed.
pub const KNOWN: [&str; 38] = [
    PERIOD_START,
    PERIOD_END,
    TOTAL_PAYABLE,
    CURRENCY,
    KEY,
    POSTED,
    TYPE,
    DESCRIPTION,
    "customer order #",
    "customer order line #",
    PO,
    PO_LINE,
    AMOUNT,
    AMOUNT_TYPE,
    "ship qty",
    "commission rate",
    "base commission rate",
    "transaction reason description",
    "partner item id",
    "partner gtin",
    "partner item name",
    "product tax code",
    "ship to state",
    "ship to city",
    "ship to zipcode",
    "contract category",
    "product type",
    "commission rule",
    "shipping method",
    "fulfillment type",
    "fulfillment details",
    "original commission",
    "commission incentive program",
    "commission saving",
    "customer promo type",
    "total walmart funded savings program",
    "campaign id",
    "item condition",
];

/// Words that make an unknown column's name a money column's.
pub const MONEY_WORDS: [&str; 12] = [
    "amount",
    "fee",
    "price",
    "commission",
    "saving",
    "tax",
    "payable",
    "cost",
    "charge",
    "total",
    "refund",
    "reimbursement",
];
