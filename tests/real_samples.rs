//! Every real export in ../shared/samples (written by other people, see its
//! PROVENANCE.md) imports through format detection, on both backends, and a
//! second import of each changes nothing. Per-format tests check their
//! amounts; this one proves none is left out.

mod support;

use settlebridge::domain::shop::NO_SHOPS;
use settlebridge::importer::{self, ImportReport, ImportRequest, SourceKind};

fn request(name: &str) -> ImportRequest<'_> {
    ImportRequest {
        file_name: name,
        // One shop per seller: `amazon-adwweaver_…` is shop `amazon-adwweaver`.
        shop: name.split('_').next(),
        shops: &NO_SHOPS,
        source: None,
        accept_unclassified: false,
        actor: "tester",
    }
}

#[tokio::test]
async fn every_real_sample_imports_by_detection_and_only_once() {
    let Some(provenance) = support::sample("PROVENANCE.md") else {
        return;
    };
    let dir = provenance.parent().unwrap().to_path_buf();
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_name().is_some_and(|n| n != "PROVENANCE.md"))
        .collect();
    files.sort();
    assert!(files.len() >= 7, "the samples folder lost files: {files:?}");
    for db in support::all_backends().await {
        let mut kinds = Vec::new();
        for path in &files {
            let name = path.file_name().unwrap().to_str().unwrap();
            let report = importer::import_path(db.store(), path, request(name))
                .await
                .unwrap_or_else(|e| panic!("{}: {name}: {e}", db.name));
            let ImportReport::Imported { format, batch, .. } = report else {
                panic!("{}: {name} was not imported", db.name)
            };
            assert!(
                batch.lines_new + batch.orders_new > 0,
                "{}: {name} stored nothing",
                db.name
            );
            kinds.push(format);
            let again = importer::import_path(db.store(), path, request(name))
                .await
                .unwrap();
            assert!(
                matches!(again, ImportReport::AlreadyImported { .. }),
                "{}: {name}",
                db.name
            );
        }
        for kind in [
            SourceKind::AmazonSettlement,
            SourceKind::AmazonTransactions,
            SourceKind::ShopifyPayouts,
            SourceKind::ShopifyOrders,
        ] {
            assert!(
                kinds.contains(&kind),
                "{}: no sample detected as {kind:?}",
                db.name
            );
        }
        assert_eq!(db.raw_count("import_batches").await, files.len() as i64);

        // Every sample books with the shipped mappings: no component lacks
        // an account, every payout that names its lines ties, the books
        // verify, and a second run writes nothing.
        let chart = db.store().chart().await.unwrap();
        let shipped = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("gl-mappings");
        let mappings = settlebridge::gl_mappings::load_mappings(&shipped, &chart).unwrap();
        let scope = settlebridge::reconcile::Scope::default();
        let report = settlebridge::reconcile::reconcile(
            db.store(),
            &chart,
            &mappings,
            &NO_SHOPS,
            &Default::default(),
            scope,
            "t",
        )
        .await
        .unwrap_or_else(|e| panic!("{}: {e}", db.name));
        assert!(report.shops.len() >= 4, "{:?}", report.shops);
        for shop in &report.shops {
            assert!(
                shop.entries_written > 0,
                "{}: {} booked nothing",
                db.name,
                shop.shop
            );
            assert!(
                shop.matching.payouts_not_tied.is_empty(),
                "{}: {}: {:?}",
                db.name,
                shop.shop,
                shop.matching.payouts_not_tied
            );
        }
        settlebridge::ledger::verify(db.store()).await.unwrap();
        let again = settlebridge::reconcile::reconcile(
            db.store(),
            &chart,
            &mappings,
            &NO_SHOPS,
            &Default::default(),
            scope,
            "t",
        )
        .await
        .unwrap();
        assert!(again.shops.iter().all(|s| s.entries_written == 0));
    }
}
