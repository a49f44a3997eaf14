//! Importing in tests: fixtures by path, a request with no shops configured,
//! and `import_once`, which imports a file and proves that the same bytes
//! again change nothing.

use std::collections::BTreeMap;
use std::path::PathBuf;

use rust_decimal::Decimal;
use settlebridge::domain::settlement::ParsedFile;
use settlebridge::domain::shop::NO_SHOPS;
use settlebridge::importer::{self, ImportReport, ImportRequest, SourceKind, StatementReport};
use settlebridge::store::BatchSummary;

use super::TestDb;

/// A file under `fixtures/` (e.g. `amazon/settlement-v2-us.txt`).
pub fn fixture(relative: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(relative)
}

pub fn fixture_text(relative: &str) -> String {
    std::fs::read_to_string(fixture(relative)).unwrap()
}

/// An import request by `tester`, under `shop`, with no shops configured.
pub fn request<'a>(name: &'a str, shop: Option<&'a str>) -> ImportRequest<'a> {
    ImportRequest {
        file_name: name,
        shop,
        shops: &NO_SHOPS,
        source: None,
        accept_unclassified: false,
        actor: "tester",
    }
}

/// What `ImportReport::Imported` says.
pub struct Imported {
    pub format: SourceKind,
    pub batch: Box<BatchSummary>,
    pub statements: Vec<StatementReport>,
    pub totals: BTreeMap<String, String>,
    pub payout_totals: BTreeMap<String, String>,
    pub warnings: Vec<String>,
}

/// Imports `bytes` as `name`, then the same bytes under another name, and
/// asserts the second import is recognized and adds no line, order or batch.
pub async fn import_once(db: &TestDb, bytes: &[u8], name: &str, shop: Option<&str>) -> Imported {
    let report = importer::import_file(db.store(), bytes, request(name, shop))
        .await
        .unwrap_or_else(|e| panic!("{}: {name}: {e}", db.name));
    let ImportReport::Imported {
        format,
        batch,
        statements,
        totals,
        payout_totals,
        warnings,
        ..
    } = report
    else {
        panic!("{}: {name} was not imported", db.name)
    };
    let before = counts(db).await;
    let again = importer::import_file(db.store(), bytes, request("again", shop))
        .await
        .unwrap();
    assert!(
        matches!(again, ImportReport::AlreadyImported { batch: b, .. } if b == batch.id),
        "{}: {name} imported twice",
        db.name
    );
    assert_eq!(
        counts(db).await,
        before,
        "{}: the second import changed something",
        db.name
    );
    Imported {
        format,
        batch,
        statements,
        totals,
        payout_totals,
        warnings,
    }
}

async fn counts(db: &TestDb) -> [i64; 4] {
    [
        db.raw_count("import_batches").await,
        db.raw_count("settlement_lines").await,
        db.raw_count("orders").await,
        db.raw_count("payouts").await,
    ]
}

/// Σ of a parsed file's lines.
pub fn net_total(p: &ParsedFile) -> Decimal {
    p.lines.iter().map(|l| l.net()).sum()
}
