//! Amounts are stored as 64-bit integers of millionths (`MAX_AMOUNT_SCALE`
//! = 6 decimal places), in both databases. Integer sums are exact in SQLite
//! (which has no decimal type, and whose SUM raises on overflow rather than
//! rounding) and in PostgreSQL.

use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;

use super::StoreError;
use crate::domain::entry::MAX_AMOUNT_SCALE;

pub fn to_micros(amount: Decimal) -> Result<i64, StoreError> {
    let scaled = amount
        .checked_mul(Decimal::from(10i64.pow(MAX_AMOUNT_SCALE)))
        .ok_or_else(|| StoreError::Corrupt(format!("amount {amount} is out of range")))?;
    if !scaled.fract().is_zero() {
        return Err(StoreError::Corrupt(format!(
            "amount {amount} has more than {MAX_AMOUNT_SCALE} decimal places"
        )));
    }
    scaled
        .to_i64()
        .ok_or_else(|| StoreError::Corrupt(format!("amount {amount} is out of range")))
}

pub fn from_micros(micros: i64) -> Decimal {
    Decimal::new(micros, MAX_AMOUNT_SCALE).normalize()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_exactly() {
        for s in ["0.01", "36.45", "999999999999.999999", "0.000001", "-12.5"] {
            let d = Decimal::from_str_exact(s).unwrap();
            assert_eq!(from_micros(to_micros(d).unwrap()), d.normalize(), "{s}");
        }
        assert!(to_micros(Decimal::from_str_exact("0.0000001").unwrap()).is_err());
    }
}
