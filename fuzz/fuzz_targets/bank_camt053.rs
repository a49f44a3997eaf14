#![no_main]
//! Any bytes given to the camt.053 parser end in statements that check or an error, never a panic.

use libfuzzer_sys::fuzz_target;
use settlebridge::sources::bank::parse_camt053;

fuzz_target!(|data: &[u8]| {
    if let Ok(statements) = parse_camt053(data, "fuzz") {
        for s in &statements {
            assert!(s.check().is_ok(), "a parsed camt.053 statement must check");
        }
    }
});
