//! Mutated fixtures through every parser: each answers with statements that
//! check or an error, never a panic (a quick stand-in for the fuzz targets).

use std::path::PathBuf;

use crate::sources::bank::{csv_preset, parse_bank_csv, parse_camt053, parse_ofx, CSV_PRESETS};

const FIXTURES: [&str; 6] = [
    "camt053-two-statements.xml",
    "ofx-sgml-duplicate-fitid.ofx",
    "ofx-xml-creditcard.ofx",
    "debit-credit-thousands.csv",
    "chase.csv",
    "bank-of-america.csv",
];

const TOKENS: [&[u8]; 14] = [
    b"<",
    b">",
    b"</Ntry>",
    b"</STMTTRN>",
    b"<STMTTRN>",
    b"&",
    b"&#x0;",
    b"\n",
    b"\r\n",
    b",",
    b";",
    b"\"",
    b"-",
    b"99999999999999999999999999",
];

fn fixture(name: &str) -> Vec<u8> {
    let dir = std::env::var_os("SETTLEBRIDGE_BANK_FIXTURES")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/bank"));
    std::fs::read(dir.join(name)).unwrap()
}

/// xorshift64: deterministic, no dependency.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n.max(1) as u64) as usize
    }
}

fn mutate(rng: &mut Rng, data: &mut Vec<u8>) {
    for _ in 0..=rng.below(4) {
        let at = rng.below(data.len() + 1);
        match rng.below(4) {
            0 if at < data.len() => data[at] = rng.below(256) as u8,
            1 => {
                let end = (at + rng.below(64)).min(data.len());
                data.drain(at..end);
            }
            2 => {
                let end = (at + rng.below(200)).min(data.len());
                let copy = data[at..end].to_vec();
                data.splice(at..at, copy);
            }
            _ => {
                let t = TOKENS[rng.below(TOKENS.len())];
                data.splice(at..at, t.iter().copied());
            }
        }
    }
}

#[test]
fn mutated_fixtures_never_panic_and_results_always_check() {
    let usd = "USD".parse().unwrap();
    // More rounds for a longer local run: BANK_ROBUSTNESS_ROUNDS=20000.
    let rounds: usize = std::env::var("BANK_ROBUSTNESS_ROUNDS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(300);
    let mut rng = Rng(0x5EED_BA4C);
    let (mut ok, mut err) = (0, 0);
    for name in FIXTURES {
        let original = fixture(name);
        for _ in 0..rounds {
            let mut data = original.clone();
            mutate(&mut rng, &mut data);
            match parse_camt053(&data, name) {
                Ok(s) => s.iter().for_each(|s| assert!(s.check().is_ok())),
                Err(_) => err += 1,
            }
            match parse_ofx(&data, name) {
                Ok(p) => p.statements.iter().for_each(|s| assert!(s.check().is_ok())),
                Err(_) => err += 1,
            }
            for preset in CSV_PRESETS {
                match parse_bank_csv(&data, name, &csv_preset(preset).unwrap(), usd) {
                    Ok(s) => {
                        assert!(s.check().is_ok());
                        ok += 1;
                    }
                    Err(_) => err += 1,
                }
            }
        }
    }
    assert!(ok > 0 && err > 0, "ok {ok}, err {err}");
}
