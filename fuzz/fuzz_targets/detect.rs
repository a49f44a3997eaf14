#![no_main]
//! Format detection and then the detected parser, on any bytes.

use libfuzzer_sys::fuzz_target;
use settlebridge::importer::{detect, parse};
use settlebridge::sources::ParseOptions;

fuzz_target!(|data: &[u8]| {
    if let Some(kind) = detect(data) {
        let _ = parse(kind, "fuzz", data, ParseOptions::default());
    }
});
