#![no_main]
//! Any bytes given to the OFX parser end in statements that check or an error, never a panic.

use libfuzzer_sys::fuzz_target;
use settlebridge::sources::bank::parse_ofx;

fuzz_target!(|data: &[u8]| {
    if let Ok(parsed) = parse_ofx(data, "fuzz") {
        for s in &parsed.statements {
            assert!(s.check().is_ok(), "a parsed OFX statement must check");
        }
    }
});
