#![no_main]
//! Any bytes given to the bank CSV parser, under each preset layout, end in
//! a statement that checks or an error, never a panic.

use libfuzzer_sys::fuzz_target;
use settlebridge::domain::money::Currency;
use settlebridge::sources::bank::{csv_preset, parse_bank_csv};

fuzz_target!(|data: &[u8]| {
    let currency: Currency = "USD".parse().expect("USD is a currency");
    for name in ["chase", "bank-of-america", "debit-credit"] {
        let layout = csv_preset(name).expect("a preset");
        if let Ok(s) = parse_bank_csv(data, "fuzz", &layout, currency) {
            assert!(s.check().is_ok(), "a parsed CSV statement must check");
        }
    }
});
