//! A payout: money the channel sent to (or took from) the seller's bank in
//! one transfer. Statements name the payout that pays them; a payout may pay
//! several statements (TikTok pays many daily statements at once).

use rust_decimal::Decimal;
use serde::Serialize;

use super::money::{Currency, Money};
use super::settlement::{Channel, SourceRow, Timestamp};

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Payout {
    pub channel: Channel,
    pub payout_id: String,
    pub currency: Currency,
    /// Signed as the channel signs it: positive is money to the seller.
    pub amount: Decimal,
    pub paid_at: Option<Timestamp>,
    /// The channel's status (`Transferred`, `PAID`, …) as written.
    pub status: Option<String>,
    /// What reached the bank when it differs from `amount` (another currency
    /// after the channel's exchange), with the rate the channel states.
    pub bank_amount: Option<Money>,
    pub exchange_rate: Option<Decimal>,
    /// The bank account as the channel shows it (masked).
    pub bank_account: Option<String>,
    pub source: Option<SourceRow>,
}

impl Payout {
    pub fn money(&self) -> Money {
        Money::new(self.amount, self.currency)
    }
}
