//! The database itself refuses rows that name what does not exist, on both
//! backends: SQLite by its foreign keys, PostgreSQL (for the tables a big
//! import or booking fills) by checks run once per statement (migration
//! 0014). Each refusal leaves the tables as they were.

mod support;

use std::time::Duration;

use sqlx::error::ErrorKind;
use support::{all_backends, postgres_db, sale, Raw, TestDb};

/// Posts one sale (seq 1: Dr 1210, Cr 4000) and one import batch (id 1)
/// with a settlement line (id 1) and an order (id 1).
async fn books_with_one_of_each(db: &TestDb) {
    db.store()
        .post(&sale("k1", "2026-01-10", "10.00"), "a")
        .await
        .unwrap();
    for sql in [
        "INSERT INTO import_batches (id, file_name, sha256, size_bytes, source_kind, shop, \
         imported_by, imported_at, header, rows_read, lines_new, lines_duplicate) \
         VALUES (1, 'f.csv', 'abc', 1, 'shopify-payouts', 's', 'a', '2026-01-10T00:00:00Z', \
         '[]', 1, 1, 0)",
        "INSERT INTO settlement_lines (id, channel, shop, statement_id, identity, occurrence, \
         content_hash, transaction_type, currency, net_micros, batch_id) \
         VALUES (1, 'shopify', 's', 'p1', 'i1', 1, 'h', 'order', 'USD', 1000000, 1)",
        "INSERT INTO orders (id, channel, shop, order_id, revision, content_hash, currency, \
         batch_id) VALUES (1, 'shopify', 's', '#1001', 1, 'h', 'USD', 1)",
    ] {
        db.raw_execute(sql).await.unwrap();
    }
}

/// An account nothing is posted to.
const ADD_SPARE_ACCOUNT: &str = "INSERT INTO accounts (code, name, account_type, active, \
     updated_at) VALUES ('9990', 'Spare', 'asset', TRUE, '2026-01-10T00:00:00Z')";

/// `books_with_one_of_each` on PostgreSQL, with its pool; None without it.
async fn postgres_books() -> Option<(TestDb, sqlx::PgPool)> {
    let db = postgres_db().await?;
    let Raw::Postgres(pool) = &db.raw else {
        unreachable!()
    };
    let pool = pool.clone();
    books_with_one_of_each(&db).await;
    Some((db, pool))
}

fn is_reference_refusal(err: &sqlx::Error) -> bool {
    err.as_database_error()
        .is_some_and(|e| e.kind() == ErrorKind::ForeignKeyViolation)
}

#[tokio::test]
async fn rows_naming_what_does_not_exist_are_refused() {
    for db in all_backends().await {
        books_with_one_of_each(&db).await;
        let posting = "INSERT INTO postings (entry_seq, line_no, entry_date, account, side, \
                       amount_micros, currency) VALUES";
        let refused = [
            // An entry that is not there; and one bad row among good ones
            // refuses the whole statement.
            format!("{posting} (2, 1, '2026-01-10', '1210', 'debit', 5, 'USD')"),
            format!(
                "{posting} (1, 3, '2026-01-10', '1210', 'debit', 5, 'USD'), \
                 (7, 1, '2026-01-10', '1210', 'debit', 5, 'USD')"
            ),
            // An account that is not in the chart.
            format!("{posting} (1, 3, '2026-01-10', '9999', 'debit', 5, 'USD')"),
            "INSERT INTO entries (seq, idempotency_key, entry_date, kind, description, \
             reverses, created_at, created_by, content_hash, prev_hash, hash) \
             VALUES (20, 'r', '2026-01-10', 'manual', 'd', 9, '2026-01-10T00:00:00Z', 'a', \
             'c', 'p', 'h')"
                .to_string(),
            "INSERT INTO settlement_lines (id, channel, shop, statement_id, identity, \
             occurrence, content_hash, transaction_type, currency, net_micros, batch_id) \
             VALUES (2, 'shopify', 's', 'p1', 'i2', 1, 'h', 'order', 'USD', 1, 8)"
                .to_string(),
            "INSERT INTO settlement_line_details (line_id, components, source_rows) \
             VALUES (1, '[]', '[]'), (3, '[]', '[]')"
                .to_string(),
            "INSERT INTO orders (id, channel, shop, order_id, revision, content_hash, currency, \
             batch_id) VALUES (2, 'shopify', 's', '#1002', 1, 'h', 'USD', 4)"
                .to_string(),
            "INSERT INTO order_lines (order_ref, line_no, name, quantity_micros) \
             VALUES (6, 1, 'Mug', 1000000)"
                .to_string(),
            "INSERT INTO order_amounts (order_ref, line_no, seq, code, label, amount_micros) \
             VALUES (6, 0, 1, 'sale.gross', 'Subtotal', 1)"
                .to_string(),
            "INSERT INTO order_rows (order_ref, seq, source_row, cells) VALUES (6, 1, 2, '[]')"
                .to_string(),
            "INSERT INTO order_observations (order_ref, batch_id, status) VALUES (6, 1, 'paid')"
                .to_string(),
            "INSERT INTO order_observations (order_ref, batch_id, status) VALUES (1, 6, 'paid')"
                .to_string(),
        ];
        for sql in &refused {
            let err = db.raw_execute(sql).await.unwrap_err();
            assert!(is_reference_refusal(&err), "{}: `{sql}`: {err}", db.name);
        }
        // A booking of an entry that is not there: SQLite's trigger on the
        // booking's key speaks before its foreign key does.
        let err = db
            .raw_execute(
                "INSERT INTO bookings (entry_seq, channel, shop, subject, revision, basis_hash) \
                 VALUES (5, 'shopify', 's', 'x', 1, 'b')",
            )
            .await
            .unwrap_err();
        assert!(
            is_reference_refusal(&err) || err.to_string().contains("must be keyed by its subject"),
            "{}: {err}",
            db.name
        );
        assert_eq!(db.raw_count("entries").await, 1, "{}", db.name);
        assert_eq!(db.raw_count("postings").await, 2, "{}", db.name);
        assert_eq!(db.raw_count("bookings").await, 0, "{}", db.name);
        assert_eq!(db.raw_count("settlement_lines").await, 1, "{}", db.name);
        assert_eq!(db.raw_count("settlement_line_details").await, 0);
        assert_eq!(db.raw_count("orders").await, 1, "{}", db.name);
        assert_eq!(db.raw_count("order_lines").await, 0, "{}", db.name);
        assert_eq!(db.raw_count("order_observations").await, 0);

        // What does exist is accepted.
        for sql in [
            "INSERT INTO settlement_line_details (line_id, components, source_rows) \
             VALUES (1, '[]', '[]')",
            "INSERT INTO order_lines (order_ref, line_no, name, quantity_micros) \
             VALUES (1, 1, 'Mug', 1000000)",
            "INSERT INTO order_observations (order_ref, batch_id, status) VALUES (1, 1, 'paid')",
        ] {
            db.raw_execute(sql).await.unwrap();
        }
        assert_eq!(db.raw_count("order_lines").await, 1, "{}", db.name);
    }
}

#[tokio::test]
async fn an_account_with_postings_cannot_be_deleted_or_renamed() {
    for db in all_backends().await {
        books_with_one_of_each(&db).await;
        for sql in [
            "DELETE FROM accounts WHERE code = '1210'",
            "UPDATE accounts SET code = 'X1210' WHERE code = '1210'",
        ] {
            let err = db.raw_execute(sql).await.unwrap_err();
            assert!(is_reference_refusal(&err), "{}: `{sql}`: {err}", db.name);
        }
        // Its other fields change; an account nothing posted to goes.
        db.raw_execute("UPDATE accounts SET name = 'Clearing' WHERE code = '1210'")
            .await
            .unwrap();
        db.raw_execute(ADD_SPARE_ACCOUNT).await.unwrap();
        assert_eq!(
            db.raw_execute("DELETE FROM accounts WHERE code = '9990'")
                .await
                .unwrap(),
            1
        );
        assert_eq!(
            db.raw_i64("SELECT COUNT(*) FROM accounts WHERE code = '1210'")
                .await,
            1
        );
        if db.name == "postgres" {
            for sql in [
                "TRUNCATE accounts CASCADE",
                "TRUNCATE import_batches CASCADE",
            ] {
                assert!(db.raw_execute(sql).await.is_err(), "{sql}");
            }
            assert_eq!(db.raw_count("postings").await, 2);
            assert_eq!(db.raw_count("settlement_lines").await, 1);
        }
    }
}

/// A foreign key locks the row it found until the inserting transaction
/// ends; the statement-level check does too, so a delete of an account that
/// races a posting waits, then sees the posting and is refused.
#[tokio::test]
async fn deleting_an_account_waits_for_a_posting_to_it_then_is_refused() {
    let Some((db, pool)) = postgres_books().await else {
        return;
    };
    db.raw_execute(ADD_SPARE_ACCOUNT).await.unwrap();

    let mut posting = pool.begin().await.unwrap();
    sqlx::query(
        "INSERT INTO postings (entry_seq, line_no, entry_date, account, side, amount_micros, \
         currency) VALUES (1, 3, '2026-01-10', '9990', 'debit', 5, 'USD')",
    )
    .execute(&mut *posting)
    .await
    .unwrap();

    let delete = tokio::spawn({
        let pool = pool.clone();
        async move {
            sqlx::query("DELETE FROM accounts WHERE code = '9990'")
                .execute(&pool)
                .await
        }
    });
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(!delete.is_finished(), "the delete waits for the posting");
    posting.commit().await.unwrap();

    let err = delete.await.unwrap().unwrap_err();
    assert!(is_reference_refusal(&err), "{err}");
    assert_eq!(
        db.raw_i64("SELECT COUNT(*) FROM postings WHERE account = '9990'")
            .await,
        1
    );
    assert_eq!(
        db.raw_i64("SELECT COUNT(*) FROM accounts WHERE code = '9990'")
            .await,
        1
    );
}

/// The checks name their tables by the trigger's schema: a temporary table
/// of the same name (which a session's search_path finds first) changes
/// nothing.
#[tokio::test]
async fn temporary_tables_do_not_stand_in_for_the_real_ones() {
    let Some((db, pool)) = postgres_books().await else {
        return;
    };
    let mut conn = pool.acquire().await.unwrap();
    let schema: String = sqlx::query_scalar("SELECT current_schema()::text")
        .fetch_one(&mut *conn)
        .await
        .unwrap();
    for sql in [
        "CREATE TEMP TABLE accounts (code TEXT)",
        "INSERT INTO pg_temp.accounts VALUES ('GHOST')",
        "CREATE TEMP TABLE entries (seq BIGINT, idempotency_key TEXT)",
        "INSERT INTO pg_temp.entries VALUES (5, 'x')",
        "CREATE TEMP TABLE postings (account TEXT)",
    ] {
        sqlx::query(sql).execute(&mut *conn).await.unwrap();
    }
    for sql in [
        format!(
            "INSERT INTO {schema}.postings (entry_seq, line_no, entry_date, account, side, \
             amount_micros, currency) VALUES (1, 3, '2026-01-10', 'GHOST', 'debit', 5, 'USD')"
        ),
        format!(
            "INSERT INTO {schema}.bookings (entry_seq, channel, shop, subject, revision, \
             basis_hash) VALUES (5, 'shopify', 's', 'x', 1, 'b')"
        ),
        format!("DELETE FROM {schema}.accounts WHERE code = '1210'"),
    ] {
        let err = sqlx::query(&sql).execute(&mut *conn).await.unwrap_err();
        assert!(is_reference_refusal(&err), "`{sql}`: {err}");
    }
    drop(conn);
    assert_eq!(db.raw_count("postings").await, 2);
    assert_eq!(db.raw_count("bookings").await, 0);
}

/// Under a snapshot older than the statement, postings committed since
/// would be invisible to the account's guard: a delete there is refused.
#[tokio::test]
async fn an_account_is_deleted_only_at_read_committed() {
    let Some((db, pool)) = postgres_books().await else {
        return;
    };
    db.raw_execute(ADD_SPARE_ACCOUNT).await.unwrap();
    let mut tx = pool.begin().await.unwrap();
    sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        .execute(&mut *tx)
        .await
        .unwrap();
    let err = sqlx::query("DELETE FROM accounts WHERE code = '9990'")
        .execute(&mut *tx)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("READ COMMITTED"), "{err}");
    tx.rollback().await.unwrap();
    // At READ COMMITTED the unused account goes.
    assert_eq!(
        db.raw_execute("DELETE FROM accounts WHERE code = '9990'")
            .await
            .unwrap(),
        1
    );
}
