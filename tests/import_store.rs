//! Recording imports, on SQLite and PostgreSQL: all or nothing, the same
//! file twice changes nothing, overlapping files add only what is new, and
//! changed amounts are refused, never overwritten.

mod support;

use rust_decimal::Decimal;
use settlebridge::domain::settlement::{
    Channel, Component, ComponentCode, ParsedFile, SettlementLine, SourceRow, Statement,
};
use settlebridge::domain::shop::NO_SHOPS;
use settlebridge::importer::{self, ImportReport, ImportRequest};
use settlebridge::store::{NewBatch, StoreError};
use support::{all_backends, d};

fn fixture() -> Vec<u8> {
    std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/amazon/settlement-legacy-36col.txt"
    ))
    .unwrap()
}

fn request<'a>(name: &'a str) -> ImportRequest<'a> {
    ImportRequest {
        file_name: name,
        shop: Some("amazon-us"),
        shops: &NO_SHOPS,
        source: None,
        accept_unclassified: false,
        actor: "tester",
    }
}

#[tokio::test]
async fn a_file_is_recorded_with_its_evidence_and_only_once() {
    let bytes = fixture();
    for db in all_backends().await {
        let report = importer::import_file(db.store(), &bytes, request("settlement.txt"))
            .await
            .unwrap();
        let ImportReport::Imported {
            batch,
            statements,
            totals,
            ..
        } = report
        else {
            panic!("{}: not imported", db.name)
        };
        assert_eq!(
            (batch.rows_read, batch.lines_new, batch.lines_duplicate),
            (16, 8, 0),
            "{}",
            db.name
        );
        assert_eq!(batch.shop, "amazon-us");
        assert_eq!(batch.imported_by, "tester");
        assert_eq!(batch.size_bytes, bytes.len() as i64);
        assert_eq!(statements[0].declared_total.as_deref(), Some("74.41"));
        assert_eq!(totals["USD"], "74.41");
        assert_eq!(db.raw_count("settlement_lines").await, 8);
        // 5 + 2 for the two sales, 3 for the refund, 5 account-level amounts.
        let stored = db.store().lines_of_batch(batch.id).await.unwrap();
        let components: usize = stored.iter().map(|l| l.line.components.len()).sum();
        let rows: usize = stored.iter().map(|l| l.line.rows.len()).sum();
        assert_eq!((stored.len(), components, rows), (8, 15, 16), "{}", db.name);
        // What is stored is what the file says, to the last cell.
        let parsed = settlebridge::sources::amazon_settlement::parse(
            "settlement.txt",
            bytes.as_slice(),
            Default::default(),
        )
        .unwrap();
        let lines: Vec<_> = stored.into_iter().map(|l| l.line).collect();
        assert_eq!(lines, parsed.lines, "{}", db.name);
        assert_eq!(db.raw_count("statements").await, 1);
        assert_eq!(
            db.store().batch_file(batch.id).await.unwrap().unwrap(),
            bytes,
            "{}: the original bytes",
            db.name
        );

        let again = importer::import_file(db.store(), &bytes, request("renamed.txt"))
            .await
            .unwrap();
        assert!(
            matches!(again, ImportReport::AlreadyImported { batch: b, .. } if b == batch.id),
            "{}",
            db.name
        );
        assert_eq!(db.raw_count("import_batches").await, 1);
        assert_eq!(db.raw_count("settlement_lines").await, 8);

        for sql in [
            "UPDATE settlement_lines SET net_micros = 0",
            "DELETE FROM settlement_line_details",
            "DELETE FROM import_component_labels",
            "DELETE FROM import_file_chunks",
            "DELETE FROM import_results",
        ] {
            let err = db.raw_execute(sql).await.unwrap_err();
            assert!(
                err.to_string().contains("append-only"),
                "{}: {sql}: {err}",
                db.name
            );
        }
    }
}

#[tokio::test]
async fn a_changed_statement_total_is_refused_and_nothing_is_written() {
    let bytes = fixture();
    let text = String::from_utf8(bytes.clone()).unwrap();
    // The same settlement, re-downloaded with one fee changed (and the total to match).
    let changed = text
        .replacen("\t74.41\t", "\t74.31\t", 1)
        .replacen("-7.50", "-7.60", 1);
    for db in all_backends().await {
        importer::import_file(db.store(), &bytes, request("a.txt"))
            .await
            .unwrap();
        let err = importer::import_file(db.store(), changed.as_bytes(), request("b.txt"))
            .await
            .unwrap_err();
        let text = err.to_string();
        assert!(
            text.contains("b.txt: 3 conflict(s) with earlier imports; nothing was imported"),
            "{}: {text}",
            db.name
        );
        assert!(
            text.contains(
                "statement 11122233344 was imported before as 74.41 USD and is now 74.31 USD"
            ),
            "{text}"
        );
        assert!(
            text.contains("payout 11122233344 was recorded as 74.41 USD and is now 74.31 USD"),
            "{text}"
        );
        assert!(
            text.contains("row 3: line `11122233344 | Order | 111-0000001-0000001"),
            "{text}"
        );
        assert_eq!(db.raw_count("import_batches").await, 1, "{}", db.name);
        assert_eq!(db.raw_count("settlement_lines").await, 8);
    }
}

fn line(order: &str, amount: &str, row: u64) -> SettlementLine {
    SettlementLine {
        ordered_at: None,
        statement_id: "2025-07-03".into(),
        transaction_type: "charge".into(),
        order_id: Some(order.into()),
        adjustment_id: None,
        posted_at: None,
        currency: "USD".parse().unwrap(),
        components: vec![Component {
            code: ComponentCode::new("sale.charge").unwrap(),
            amount: d(amount),
            label: "Amount".into(),
        }],
        rows: vec![SourceRow {
            sheet: None,
            row,
            cells: vec![order.into(), amount.into()],
        }],
    }
}

fn file(lines: Vec<SettlementLine>) -> ParsedFile {
    ParsedFile {
        header: vec!["Order".into(), "Amount".into()],
        statements: vec![Statement {
            channel: Channel::Shopify,
            statement_id: "2025-07-03".into(),
            payout_id: None,
            currency: "USD".parse().unwrap(),
            declared_total: None,
            period_start: None,
            period_end: None,
            deposit_date: None,
            source: None,
        }],
        rows_read: lines.len() as u64,
        lines,
        ..Default::default()
    }
}

fn batch(sha: &str) -> NewBatch {
    NewBatch {
        file_name: format!("{sha}.csv"),
        sha256: sha.into(),
        source_kind: "test".into(),
        channel: Some(Channel::Shopify),
        shop: "shopify-main".into(),
        imported_by: "tester".into(),
        size_bytes: 1,
    }
}

#[tokio::test]
async fn overlapping_exports_add_each_real_line_once() {
    for db in all_backends().await {
        let week1 = file(vec![line("#1", "10.00", 2), line("#2", "20.00", 3)]);
        let first = db
            .store()
            .record_import(&batch("w1"), b"w1", &week1)
            .await
            .unwrap();
        assert_eq!((first.lines_new, first.lines_duplicate), (2, 0));
        // Week 2 repeats week 1 and adds order #3 and a second, identical #1 charge.
        let week2 = file(vec![
            line("#1", "10.00", 2),
            line("#2", "20.00", 3),
            line("#3", "5.00", 4),
            line("#1", "10.00", 5),
        ]);
        let second = db
            .store()
            .record_import(&batch("w2"), b"w2", &week2)
            .await
            .unwrap();
        assert_eq!(
            (second.lines_new, second.lines_duplicate),
            (2, 2),
            "{}",
            db.name
        );
        assert_eq!(db.raw_count("settlement_lines").await, 4);
        // A changed amount under a known identity refuses the whole file.
        let week3 = file(vec![line("#4", "1.00", 2), line("#2", "21.00", 3)]);
        let err = db
            .store()
            .record_import(&batch("w3"), b"w3", &week3)
            .await
            .unwrap_err();
        assert!(
            matches!(err, StoreError::ImportConflicts(ref c) if c.len() == 1),
            "{}: {err}",
            db.name
        );
        assert_eq!(
            db.raw_count("settlement_lines").await,
            4,
            "{}: nothing of week 3",
            db.name
        );
        assert_eq!(db.raw_count("import_batches").await, 2);
    }
}

/// Every column of a line comes back as it went in, whatever its text holds
/// (PostgreSQL's lines go in through COPY, whose text format escapes tabs,
/// newlines and backslashes; SQLite's through rusqlite).
#[tokio::test]
async fn stored_lines_keep_every_column_and_character() {
    let at = |raw: &str, micros: i64| settlebridge::domain::settlement::Timestamp {
        raw: raw.into(),
        utc: chrono::DateTime::from_timestamp_micros(micros).unwrap(),
    };
    let mut tricky = line("#1\\t", "-12.34", 2);
    tricky.transaction_type = "charge\tback".into();
    tricky.adjustment_id = Some("adj\n1 « ü »".into());
    tricky.posted_at = Some(at("2025-07-03 10:00:00\t-0700", 1_751_562_000_123_456));
    tricky.ordered_at = Some(at("07/01/2025 9:00:00 PM", 1_751_428_800_000_000));
    tricky.components[0].label = "Amount\r\n\\N".into();
    tricky.rows[0].cells = vec!["a\tb".into(), "c\nd".into(), "\\N".into(), "\"q\"".into()];
    let plain = line("#2", "5.00", 3);
    let parsed = file(vec![tricky, plain]);
    for db in all_backends().await {
        let summary = db
            .store()
            .record_import(&batch("tricky"), b"tricky", &parsed)
            .await
            .unwrap();
        assert_eq!(summary.lines_new, 2, "{}", db.name);
        let stored = db.store().lines_of_batch(summary.id).await.unwrap();
        let lines: Vec<_> = stored.into_iter().map(|l| l.line).collect();
        assert_eq!(lines, parsed.lines, "{}", db.name);
    }
}

/// Each import numbers its own (code, label) pairs: two files that name
/// the same components differently, in another order, read back as each
/// was written — by batch, and together as booking reads a shop.
#[tokio::test]
async fn each_import_keeps_its_own_component_labels() {
    let with = |order: &str, parts: &[(&str, &str, &str)], row: u64| {
        let mut l = line(order, "0", row);
        l.components = parts
            .iter()
            .map(|(code, label, amount)| Component {
                code: ComponentCode::new(code).unwrap(),
                amount: d(amount),
                label: (*label).into(),
            })
            .collect();
        l
    };
    let first = file(vec![
        with(
            "#1",
            &[
                ("sale.charge", "Amount", "10.00"),
                ("fee.transaction", "Fee", "-0.59"),
            ],
            2,
        ),
        with("#2", &[("sale.charge", "Amount", "20.00")], 3),
    ]);
    let second = file(vec![
        with(
            "#3",
            &[
                ("fee.transaction", "Processing fee", "-0.30"),
                ("sale.charge", "Gross", "5.00"),
            ],
            2,
        ),
        // The same code twice under two labels in one line.
        with(
            "#4",
            &[
                ("sale.charge", "Gross", "1.00"),
                ("sale.charge", "Amount", "2.00"),
            ],
            3,
        ),
    ]);
    for db in all_backends().await {
        let a = db
            .store()
            .record_import(&batch("labels-1"), b"1", &first)
            .await
            .unwrap();
        let b = db
            .store()
            .record_import(&batch("labels-2"), b"2", &second)
            .await
            .unwrap();
        for (summary, parsed) in [(&a, &first), (&b, &second)] {
            let stored = db.store().lines_of_batch(summary.id).await.unwrap();
            let lines: Vec<_> = stored.into_iter().map(|l| l.line).collect();
            assert_eq!(lines, parsed.lines, "{}", db.name);
        }
        // Two pairs in the first file, three in the second.
        assert_eq!(
            db.raw_count("import_component_labels").await,
            5,
            "{}",
            db.name
        );
        let facts = db
            .store()
            .shop_facts(Channel::Shopify, "shopify-main")
            .await
            .unwrap();
        // Booking reads lines without their cells; their components whole.
        let read: Vec<_> = facts
            .lines
            .iter()
            .map(|f| f.line.components.clone())
            .collect();
        let written: Vec<_> = first
            .lines
            .iter()
            .chain(&second.lines)
            .map(|l| l.components.clone())
            .collect();
        assert_eq!(read, written, "{}", db.name);
    }
}

/// A Shopify payouts export of `rows` charges; with `broken_last`, the last
/// row's Net does not match Amount − Fee.
fn big_payouts_csv(rows: usize, broken_last: bool) -> String {
    let mut text = String::from(
        "Transaction Date,Type,Order,Card Brand,Card Source,Payout Status,Payout Date,Available On,\
         Amount,Fee,Net,Checkout,Payment Method Name,Presentment Amount,Presentment Currency,Currency\n",
    );
    for i in 0..rows {
        let net = if broken_last && i + 1 == rows {
            "9.99"
        } else {
            "9.41"
        };
        text.push_str(&format!(
            "2026-04-{:02} 10:{:02}:{:02} -0400,charge,#{},visa,online,paid,2026-04-{:02},2026-04-{:02},\
             10.00,0.59,{net},#{},card,10.00,USD,USD\n",
            1 + i % 28,
            i / 60 % 60,
            i % 60,
            i,
            2 + i % 27,
            2 + i % 27,
            900_000 + i
        ));
    }
    text
}

#[tokio::test]
async fn a_large_file_streams_in_and_a_problem_on_its_last_row_leaves_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let rows = 12_000;
    let good = dir.path().join("payouts.csv");
    std::fs::write(&good, big_payouts_csv(rows, false)).unwrap();
    let bad = dir.path().join("payouts-bad.csv");
    std::fs::write(&bad, big_payouts_csv(rows, true)).unwrap();
    for db in all_backends().await {
        let name = db.name;
        let err = importer::import_path(db.store(), &bad, request("payouts-bad.csv"))
            .await
            .unwrap_err()
            .to_string();
        assert!(
            err.contains(&format!("row {}, column `net`, value `9.99`", rows + 1)),
            "{name}: {err}"
        );
        for table in [
            "import_batches",
            "import_file_chunks",
            "settlement_lines",
            "settlement_line_details",
            "import_component_labels",
            "statements",
        ] {
            assert_eq!(
                db.raw_count(table).await,
                0,
                "{name}: {table} after a refused file"
            );
        }

        let report = importer::import_path(db.store(), &good, request("payouts.csv"))
            .await
            .unwrap();
        let ImportReport::Imported {
            batch,
            statements,
            totals,
            ..
        } = report
        else {
            panic!("{name}: not imported")
        };
        assert_eq!(
            (batch.rows_read, batch.lines_new),
            (rows as i64, rows as i64),
            "{name}"
        );
        assert_eq!(
            batch.statements_new, 27,
            "{name}: one payout per payout date"
        );
        assert_eq!(statements.len(), 27);
        assert_eq!(
            totals["USD"],
            (Decimal::new(941, 2) * Decimal::from(rows)).to_string()
        );
        assert_eq!(db.raw_count("settlement_lines").await, rows as i64);
        let stored = db.store().lines_of_batch(batch.id).await.unwrap();
        assert_eq!(stored.len(), rows);
        assert_eq!(
            stored
                .iter()
                .map(|l| l.line.components.len())
                .sum::<usize>(),
            2 * rows,
            "{name}: amount and fee per charge"
        );
        assert_eq!(stored[rows - 1].line.rows[0].row, rows as u64 + 1);
        assert!(
            db.raw_count("import_file_chunks").await >= 2,
            "{name}: over 1 MiB, in chunks"
        );
        // Kept deflated (a CSV shrinks), and given back byte for byte.
        assert_eq!(
            db.raw_count("import_file_chunks WHERE encoding = 'deflate'")
                .await,
            db.raw_count("import_file_chunks").await,
            "{name}"
        );
        let stored_bytes = db
            .raw_i64("SELECT CAST(SUM(length(content)) AS BIGINT) FROM import_file_chunks")
            .await;
        let file_bytes = std::fs::metadata(&good).unwrap().len() as i64;
        assert!(
            stored_bytes * 3 < file_bytes,
            "{name}: {stored_bytes} bytes stored of {file_bytes}"
        );
        assert_eq!(
            db.store().batch_file(batch.id).await.unwrap().unwrap(),
            std::fs::read(&good).unwrap(),
            "{name}: the original bytes, whole"
        );
    }
}

#[tokio::test]
async fn a_json_export_larger_than_the_detection_window_is_still_recognized() {
    // The API fixture with 100 KiB of white space inside: the first 64 KiB
    // alone are not a JSON document.
    let text = support::imports::fixture_text("tiktok/api-statement-transactions-202309.json");
    let at = text.find('{').unwrap() + 1;
    let padded = format!("{}{}{}", &text[..at], " ".repeat(100 * 1024), &text[at..]);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("statement.json");
    std::fs::write(&path, &padded).unwrap();
    let db = support::sqlite_db().await;
    let report = importer::import_path(db.store(), &path, request("statement.json"))
        .await
        .unwrap();
    let ImportReport::Imported { format, batch, .. } = report else {
        panic!("not imported")
    };
    assert_eq!(format, settlebridge::importer::SourceKind::TikTokApi);
    assert!(batch.lines_new > 0);
}
