#![no_main]
//! Any bytes given to the walmart_recon parser end in a result or an error, never a panic.

use libfuzzer_sys::fuzz_target;
use settlebridge::importer::{parse, SourceKind};
use settlebridge::sources::ParseOptions;

fuzz_target!(|data: &[u8]| {
    let _ = parse(SourceKind::WalmartRecon, "fuzz", data, ParseOptions::default());
});
