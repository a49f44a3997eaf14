//! Running the real binary from tests.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Output};

use rust_decimal::Decimal;

/// Where `use_database` leaves the database a directory's runs use.
const DATABASE_FILE: &str = ".test-database-url";

/// Runs in `dir` use this database (a PostgreSQL schema, say) instead of
/// the SQLite file the binary makes there by default.
pub fn use_database(dir: &Path, url: &str) {
    std::fs::write(dir.join(DATABASE_FILE), url).unwrap();
}

pub fn settlebridge(dir: &Path, args: &[&str]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_settlebridge"));
    command
        .args(args)
        .current_dir(dir)
        .env_remove("DATABASE_URL")
        .env_remove("SETTLEBRIDGE_MAPPINGS")
        .env("SETTLEBRIDGE_ACTOR", "e2e");
    if let Ok(url) = std::fs::read_to_string(dir.join(DATABASE_FILE)) {
        command.env("DATABASE_URL", url.trim());
    }
    command.output().expect("the binary runs")
}

pub fn ok(dir: &Path, args: &[&str]) -> String {
    let out = settlebridge(dir, args);
    assert!(
        out.status.success(),
        "settlebridge {args:?} failed ({:?}):\n{}{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

pub fn fails(dir: &Path, args: &[&str]) -> (i32, String) {
    let out = settlebridge(dir, args);
    assert!(!out.status.success(), "settlebridge {args:?} should fail");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code().unwrap_or(-1), text)
}

pub fn write(dir: &Path, name: &str, text: &str) -> String {
    std::fs::write(dir.join(name), text).unwrap();
    name.to_string()
}

/// Per (account code, currency), closing balance, from the trial balance CSV.
pub fn tb_balances(csv_text: &str) -> BTreeMap<(String, String), Decimal> {
    let mut r = csv::Reader::from_reader(csv_text.as_bytes());
    r.records()
        .map(|rec| {
            let rec = rec.unwrap();
            (
                (rec[0].to_string(), rec[3].to_string()),
                Decimal::from_str_exact(&rec[7]).unwrap(),
            )
        })
        .filter(|(_, v)| !v.is_zero())
        .collect()
}

/// Copies the shipped `gl-mappings/` into `dir/gl-mappings`, where the
/// binary looks by default, so imports there are booked with the defaults.
#[allow(dead_code)]
pub fn use_shipped_mappings(dir: &Path) {
    let from = Path::new(env!("CARGO_MANIFEST_DIR")).join("gl-mappings");
    let to = dir.join("gl-mappings");
    std::fs::create_dir_all(&to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        std::fs::copy(&path, to.join(path.file_name().unwrap())).unwrap();
    }
}
