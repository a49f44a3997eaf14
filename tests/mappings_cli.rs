//! `settlebridge mappings check` through the real binary: imported data with
//! a code the mapping files do not map is named with its count and total
//! and fails; a broken file is named by file, line, entry and field; data of
//! a channel without a file fails; the shipped defaults pass.

mod support;

use std::path::{Path, PathBuf};

use support::cli::{fails, ok, settlebridge};

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn fixture(path: &str) -> String {
    repo().join("fixtures").join(path).display().to_string()
}

/// A copy of the shipped gl-mappings/ in `dir/maps`, with `edit` applied to
/// each file's text.
fn copy_mappings(dir: &Path, edit: impl Fn(&str, String) -> Option<String>) {
    let maps = dir.join("maps");
    std::fs::create_dir_all(&maps).unwrap();
    for entry in std::fs::read_dir(repo().join("gl-mappings")).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(&path).unwrap();
        if let Some(text) = edit(&name, text) {
            std::fs::write(maps.join(&name), text).unwrap();
        }
    }
}

/// The shipped file without the lines that start with `"code" =`.
fn without(text: &str, code: &str) -> String {
    let key = format!("\"{code}\" =");
    text.lines()
        .filter(|l| !l.starts_with(&key))
        .map(|l| format!("{l}\n"))
        .collect()
}

#[test]
fn mappings_check_names_unmapped_components_and_passes_with_the_defaults() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let shipped = repo().join("gl-mappings").display().to_string();
    ok(d, &["init", "--mappings", &shipped]);

    // Nothing imported yet: the defaults pass.
    let out = ok(d, &["mappings", "check", "--mappings", &shipped]);
    assert!(out.contains("imported data: 0 batches"), "{out}");
    assert!(out.contains("ok: the mapping files are valid"), "{out}");

    ok(
        d,
        &[
            "import",
            "--mappings",
            &shipped,
            "--shop",
            "amazon-us",
            &fixture("amazon/settlement-legacy-36col.txt"),
        ],
    );
    // A TikTok adjustment type no one has named yet: the family default
    // takes it to Suspense, and the check says so without failing.
    let api = std::fs::read_to_string(fixture("tiktok/api-statement-transactions-202309.json"))
        .unwrap()
        .replace("LOGISTICS_REIMBURSEMENT", "MYSTERY_BONUS");
    std::fs::write(d.join("api.json"), api).unwrap();
    ok(
        d,
        &[
            "import",
            "--mappings",
            &shipped,
            "--shop",
            "tiktok-us",
            "api.json",
        ],
    );

    // Amazon's commission removed from a copy of the defaults.
    copy_mappings(d, |name, text| {
        Some(if name == "amazon.toml" {
            without(&text, "fee.commission")
        } else {
            text
        })
    });
    let (code, text) = fails(d, &["mappings", "check", "--mappings", "maps"]);
    assert_eq!(code, 1, "{text}");
    assert!(
        text.contains(
            "fee.commission (Amazon, shop amazon-us): 2 amounts totalling -12.00 USD have no account in maps/amazon.toml"
        ),
        "{text}"
    );
    assert!(
        text.contains("FAILED: 1 component code without an account"),
        "{text}"
    );
    assert!(
        text.contains(
            "adjustment.mystery_bonus (TikTok Shop, shop tiktok-us): 1 amount totalling 4.10 USD \
             goes to 1900 by `adjustment.*` in maps/tiktok.toml"
        ),
        "{text}"
    );
    // The same as JSON.
    let out = settlebridge(d, &["mappings", "check", "--mappings", "maps", "--json"]);
    assert_eq!(out.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["ok"], false);
    assert_eq!(json["unmapped"].as_array().unwrap().len(), 1);
    assert_eq!(json["unmapped"][0]["code"], "fee.commission");
    assert_eq!(json["unmapped"][0]["shop"], "amazon-us");
    assert_eq!(json["unmapped"][0]["amounts"], 2);
    assert_eq!(json["unmapped"][0]["totals"]["USD"], "-12.00");
    assert_eq!(json["by_wildcard"][0]["code"], "adjustment.mystery_bonus");
    assert_eq!(json["data"]["batches"], 2);

    // With the full defaults it passes (the wildcard notice stays).
    let out = ok(d, &["mappings", "check", "--mappings", &shipped]);
    assert!(out.contains("ok: the mapping files are valid"), "{out}");
    assert!(out.contains("imported data: 2 batches"), "{out}");
    assert!(out.contains("adjustment.mystery_bonus"), "{out}");
}

#[test]
fn mappings_check_names_broken_and_missing_files() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let shipped = repo().join("gl-mappings").display().to_string();
    ok(d, &["init", "--mappings", &shipped]);
    ok(
        d,
        &[
            "import",
            "--mappings",
            &shipped,
            "--shop",
            "walmart-us",
            &fixture("walmart/recon-v1-32col.csv"),
        ],
    );
    // An account the chart lacks in Shopify's file; no Walmart file at all.
    copy_mappings(d, |name, text| match name {
        "walmart.toml" => None,
        "shopify.toml" => Some(text.replace(
            "\"fee.transaction\" = \"6110\"",
            "\"fee.transaction\" = \"6111\"",
        )),
        _ => Some(text),
    });
    let line = std::fs::read_to_string(d.join("maps/shopify.toml"))
        .unwrap()
        .lines()
        .position(|l| l.starts_with("\"fee.transaction\""))
        .unwrap()
        + 1;
    let (code, text) = fails(d, &["mappings", "check", "--mappings", "maps"]);
    assert_eq!(code, 1);
    assert!(
        text.contains(&format!(
            "maps/shopify.toml:{line}: component \"fee.transaction\": account: account 6111 is not in the chart of accounts"
        )),
        "{text}"
    );
    assert!(
        text.contains("maps/walmart.toml does not exist, and 1 batch of Walmart data"),
        "{text}"
    );
    assert!(
        text.contains("FAILED: 1 problem in the mapping files, 1 part of the data not checked"),
        "{text}"
    );
    // Without Walmart data a missing walmart.toml is no failure.
    let empty = tempfile::tempdir().unwrap();
    ok(empty.path(), &["init", "--mappings", &shipped]);
    std::fs::remove_file(d.join("maps/walmart.toml")).ok();
    std::fs::write(
        d.join("maps/shopify.toml"),
        std::fs::read_to_string(repo().join("gl-mappings/shopify.toml")).unwrap(),
    )
    .unwrap();
    let maps = d.join("maps").display().to_string();
    let out = ok(empty.path(), &["mappings", "check", "--mappings", &maps]);
    assert!(
        out.contains("walmart.toml: does not exist (no Walmart data needs it yet)"),
        "{out}"
    );
}
