//! Bank statements and lines in the store (written by the import writer,
//! read for matching and the close report).

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;

use super::amounts::from_micros;

pub(crate) const INSERT_STATEMENT: &str = "INSERT INTO bank_statements (batch_id, bank, \
     statement_id, account, currency, from_date, to_date, opening_micros, closing_micros) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)";

pub(crate) const INSERT_LINE: &str = "INSERT INTO bank_lines (bank, identity, batch_id, \
     statement_id, transaction_id, booked, value_date, amount_micros, currency, description, \
     reference, counterparty, source_row) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) \
     ON CONFLICT (bank, identity) DO NOTHING";

pub(crate) const BANK_LINES: &str = "SELECT id, bank, identity, batch_id, statement_id, \
     transaction_id, booked, value_date, amount_micros, currency, description, reference, \
     counterparty, source_row FROM bank_lines WHERE bank = $1 AND booked >= $2 AND booked <= $3 \
     ORDER BY booked, id";

/// A bank line as stored, with where it came from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StoredBankLine {
    pub id: i64,
    pub bank: String,
    pub identity: String,
    pub batch_id: i64,
    pub statement_id: Option<String>,
    pub transaction_id: Option<String>,
    pub booked: NaiveDate,
    pub value_date: Option<NaiveDate>,
    pub amount: Decimal,
    pub currency: String,
    pub description: String,
    pub reference: Option<String>,
    pub counterparty: Option<String>,
    pub row: i64,
}

pub(crate) type BankLineRow = (
    i64,
    String,
    String,
    i64,
    Option<String>,
    Option<String>,
    NaiveDate,
    Option<NaiveDate>,
    i64,
    String,
    String,
    Option<String>,
    Option<String>,
    i64,
);

pub(crate) fn bank_line(r: BankLineRow) -> StoredBankLine {
    StoredBankLine {
        id: r.0,
        bank: r.1,
        identity: r.2,
        batch_id: r.3,
        statement_id: r.4,
        transaction_id: r.5,
        booked: r.6,
        value_date: r.7,
        amount: from_micros(r.8),
        currency: r.9,
        description: r.10,
        reference: r.11,
        counterparty: r.12,
        row: r.13,
    }
}

pub(crate) const BANK_STATEMENTS: &str = "SELECT statement_id, account, currency, from_date, \
     to_date, opening_micros, closing_micros, batch_id FROM bank_statements WHERE bank = $1 \
     ORDER BY id";

/// A bank statement as imported: its period and balances.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StoredBankStatement {
    pub statement_id: Option<String>,
    pub account: Option<String>,
    pub currency: String,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub opening: Option<Decimal>,
    pub closing: Option<Decimal>,
    pub batch_id: i64,
}

pub(crate) type BankStatementRow = (
    Option<String>,
    Option<String>,
    String,
    Option<NaiveDate>,
    Option<NaiveDate>,
    Option<i64>,
    Option<i64>,
    i64,
);

pub(crate) fn bank_statement(r: BankStatementRow) -> StoredBankStatement {
    StoredBankStatement {
        statement_id: r.0,
        account: r.1,
        currency: r.2,
        from: r.3,
        to: r.4,
        opening: r.5.map(from_micros),
        closing: r.6.map(from_micros),
        batch_id: r.7,
    }
}
