//! Listing import batches, on SQLite and PostgreSQL alike: every recorded
//! import in order, with its format and shop; a refused import is not one.

mod support;

use settlebridge::domain::shop::NO_SHOPS;
use settlebridge::importer::{self, ImportRequest};
use support::all_backends;

fn fixture(path: &str) -> Vec<u8> {
    std::fs::read(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(path)).unwrap()
}

fn request<'a>(name: &'a str, shop: &'a str) -> ImportRequest<'a> {
    ImportRequest {
        file_name: name,
        shop: Some(shop),
        shops: &NO_SHOPS,
        source: None,
        accept_unclassified: false,
        actor: "tester",
    }
}

#[tokio::test]
async fn batches_lists_every_recorded_import_oldest_first() {
    let amazon = fixture("fixtures/amazon/settlement-legacy-36col.txt");
    let walmart = fixture("fixtures/walmart/recon-v1-32col.csv");
    for db in all_backends().await {
        let store = db.store();
        assert!(store.batches().await.unwrap().is_empty(), "{}", db.name);
        importer::import_file(store, &amazon, request("settlement.txt", "amazon-us"))
            .await
            .unwrap();
        // A refused file records nothing, so it is no batch.
        let broken = String::from_utf8(walmart.clone()).unwrap().replacen(
            "Product Price",
            "Mystery Money",
            1,
        );
        assert!(
            importer::import_file(store, broken.as_bytes(), request("bad.csv", "walmart-us"))
                .await
                .is_err(),
            "{}",
            db.name
        );
        importer::import_file(store, &walmart, request("recon.csv", "walmart-us"))
            .await
            .unwrap();
        // The same file again is not a new batch.
        importer::import_file(store, &amazon, request("again.txt", "amazon-us"))
            .await
            .unwrap();
        let batches = store.batches().await.unwrap();
        let seen: Vec<(&str, &str, &str)> = batches
            .iter()
            .map(|b| {
                (
                    b.file_name.as_str(),
                    b.source_kind.as_str(),
                    b.shop.as_str(),
                )
            })
            .collect();
        assert_eq!(
            seen,
            [
                ("settlement.txt", "amazon-settlement", "amazon-us"),
                ("recon.csv", "walmart-recon", "walmart-us"),
            ],
            "{}",
            db.name
        );
        assert!(batches[0].id < batches[1].id);
        assert_eq!(batches[0].lines_new, 8, "{}", db.name);
        let lines = store.lines_of_batch(batches[1].id).await.unwrap();
        assert_eq!(lines.len() as i64, batches[1].lines_new, "{}", db.name);
    }
}
