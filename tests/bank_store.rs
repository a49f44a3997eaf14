//! Bank statements in the store, on both backends: imported whole, read
//! back to the cent, and an overlapping statement adds only its new lines.

mod support;

use settlebridge::domain::bank::BankAccounts;
use settlebridge::importer::bank::{import_bank_file, BankImportRequest};
use support::{all_backends, d, date};

const BANKS: &str = "[[bank]]\nname = \"eur\"\ncurrency = \"EUR\"\ngl_account = \"1010\"\naccount = \"DE89370400440532013000\"\n\
                     [[bank]]\nname = \"usd\"\ncurrency = \"USD\"\ngl_account = \"1020\"\naccount = \"000123456789\"\n";

#[tokio::test]
async fn camt053_round_trips_and_a_resent_statement_adds_nothing() {
    let banks = BankAccounts::from_toml(BANKS).unwrap();
    let bytes =
        std::fs::read(support::imports::fixture("bank/camt053-two-statements.xml")).unwrap();
    for db in all_backends().await {
        let store = db.store();
        let req = |name| BankImportRequest {
            file_name: name,
            bank: None,
            banks: &banks,
            actor: "test",
        };
        let first = import_bank_file(store, &bytes, req("march.xml"))
            .await
            .unwrap();
        assert_eq!(first.statements.len(), 2, "{}", db.name);
        let lines = store
            .bank_lines("eur", date("2026-01-01"), date("2026-12-31"))
            .await
            .unwrap();
        assert_eq!(lines.len(), 4, "{}", db.name);
        let shopify = lines.iter().find(|l| l.amount == d("4210.37")).unwrap();
        assert_eq!(shopify.booked, date("2026-03-03"), "{}", db.name);
        assert!(shopify
            .reference
            .as_deref()
            .unwrap_or("")
            .contains("118274650"));
        let total: rust_decimal::Decimal = lines.iter().map(|l| l.amount).sum();
        let statements = store.bank_statements("eur").await.unwrap();
        assert_eq!(statements.len(), 1);
        assert_eq!(
            statements[0].opening.unwrap() + total,
            statements[0].closing.unwrap(),
            "{}: the stored lines tie the stored balances",
            db.name
        );
        // The bank sends the same statement again (another file, same lines).
        let mut resent = bytes.clone();
        resent.extend_from_slice(b"\n<!-- resent -->\n");
        let second = import_bank_file(store, &resent, req("march-again.xml"))
            .await
            .unwrap();
        assert_eq!(second.batch.lines_new, 0, "{}", db.name);
        assert_eq!(
            second.batch.lines_duplicate as usize, first.batch.lines_new as usize,
            "{}",
            db.name
        );
        assert_eq!(
            store
                .bank_lines("eur", date("2026-01-01"), date("2026-12-31"))
                .await
                .unwrap()
                .len(),
            4
        );
        // Bank lines are evidence: the database refuses to change them.
        assert!(
            db.raw_execute("UPDATE bank_lines SET amount_micros = 0")
                .await
                .is_err(),
            "{}",
            db.name
        );
        assert!(
            db.raw_execute("DELETE FROM bank_statements").await.is_err(),
            "{}",
            db.name
        );
    }
}
