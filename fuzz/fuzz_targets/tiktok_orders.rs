#![no_main]
//! Any bytes given to the tiktok_orders parser end in a result or an error, never a panic.

use libfuzzer_sys::fuzz_target;
use settlebridge::importer::{parse, SourceKind};
use settlebridge::sources::ParseOptions;

fuzz_target!(|data: &[u8]| {
    let _ = parse(SourceKind::TikTokOrders, "fuzz", data, ParseOptions::default());
});
