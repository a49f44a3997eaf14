//! ISO 20022 camt.053 (Bank-to-Customer Statement), versions .001.02 to
//! .001.08. Elements are matched on their local names, so the namespace (and
//! its version) does not matter: `Document/BkToCstmrStmt/Stmt*`, one
//! [`BankStatement`] per `Stmt`, one [`BankLine`] per booked `Ntry`.
//!
//! Amounts are unsigned with a `.` decimal point; `CdtDbtInd` (CRDT/DBIT)
//! gives the sign. Only entries with status BOOK are lines: pending (PDNG)
//! and information (INFO) entries are skipped and do not count in the balance.

mod xml;

#[cfg(test)]
mod tests;

use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::domain::bank::{BankLine, BankStatement};
use crate::domain::money::Currency;
use crate::sources::bank::error::{bounded, check_size, checked, decode_text, BankParseError};
use xml::Node;

/// Parses a camt.053 file into its statements, each checked
/// (opening + booked entries = closing, one currency).
pub fn parse_camt053(bytes: &[u8], file: &str) -> Result<Vec<BankStatement>, BankParseError> {
    check_size(bytes, file)?;
    let text = decode_text(bytes);
    let root = xml::parse(&text, file)?;
    let statements = match root
        .child("BkToCstmrStmt")
        .filter(|_| root.name == "Document")
    {
        Some(b) => b,
        None => {
            // An envelope around the Document (e.g. a business application header).
            let mut found = Vec::new();
            root.descendants("BkToCstmrStmt", &mut found);
            match found.first() {
                Some(b) => *b,
                None => return Err(not_camt053(&root, file)),
            }
        }
    };
    let mut out = Vec::new();
    for stmt in statements.children("Stmt") {
        out.push(statement(stmt, file)?);
    }
    if out.is_empty() {
        return Err(BankParseError::at(
            file,
            statements.line,
            "the statement message holds no Stmt",
        )
        .field("BkToCstmrStmt"));
    }
    Ok(out)
}

fn not_camt053(root: &Node, file: &str) -> BankParseError {
    let ns = root
        .attr("xmlns")
        .map(|ns| format!(" in namespace {ns}"))
        .unwrap_or_default();
    BankParseError::at(
        file,
        root.line,
        format!(
            "not a camt.053 bank statement: the root element is <{}>{ns}, and there is no Document/BkToCstmrStmt",
            root.name
        ),
    )
}

fn statement(stmt: &Node, file: &str) -> Result<BankStatement, BankParseError> {
    let statement_id = stmt.text_at(&["Id"]).map(str::to_string);
    let account = stmt
        .text_at(&["Acct", "Id", "IBAN"])
        .or_else(|| stmt.text_at(&["Acct", "Id", "Othr", "Id"]))
        .map(str::to_string);
    let label = statement_id
        .clone()
        .or_else(|| account.clone())
        .unwrap_or_else(|| "(unnamed)".into());
    let currency = statement_currency(stmt, file, &label)?;

    let period = stmt.child("FrToDt");
    let from = period
        .map(|p| dt_date(p, "FrDtTm", file))
        .transpose()?
        .flatten();
    let to = period
        .map(|p| dt_date(p, "ToDtTm", file))
        .transpose()?
        .flatten();

    let (mut opening, mut previous, mut closing) = (None, None, None);
    for bal in stmt.children("Bal") {
        let code = bal.text_at(&["Tp", "CdOrPrtry", "Cd"]).unwrap_or("");
        let slot = match code {
            "OPBD" => &mut opening,
            "PRCD" => &mut previous,
            "CLBD" => &mut closing,
            _ => continue,
        };
        if slot.is_none() {
            let (amount, _) = signed_amount(bal, file, Some(currency))?;
            *slot = Some((amount, bal.line));
        }
    }
    let opening = opening.or(previous);

    let mut lines = Vec::new();
    for ntry in stmt.children("Ntry") {
        if is_booked(ntry, file)? {
            lines.push(line(ntry, file, currency)?);
        }
    }
    let s = BankStatement {
        statement_id,
        account,
        currency,
        from,
        to,
        opening: opening.map(|(a, _)| a),
        closing: closing.map(|(a, _)| a),
        lines,
    };
    checked(s, file, closing.map(|(_, l)| l))
}

/// Acct/Ccy, else the currency of the first balance or entry amount.
fn statement_currency(stmt: &Node, file: &str, label: &str) -> Result<Currency, BankParseError> {
    if let Some(ccy) = stmt.at(&["Acct", "Ccy"]).filter(|n| !n.text.is_empty()) {
        return parse_currency(&ccy.text, ccy.line, "Ccy", file);
    }
    for group in ["Bal", "Ntry"] {
        for n in stmt.children(group) {
            if let Some(amt) = n.child("Amt") {
                if let Some(ccy) = amt.attr("Ccy") {
                    return parse_currency(ccy, amt.line, "Amt@Ccy", file);
                }
            }
        }
    }
    Err(BankParseError::at(
        file,
        stmt.line,
        format!("statement {label} names no currency (neither Acct/Ccy nor an Amt@Ccy)"),
    ))
}

fn parse_currency(
    code: &str,
    line: u64,
    field: &str,
    file: &str,
) -> Result<Currency, BankParseError> {
    code.parse().map_err(|e| {
        BankParseError::at(file, line, format!("{e}"))
            .field(field)
            .value(code)
    })
}

/// Whether an entry is booked: `<Sts>BOOK</Sts>` (up to .001.06) or
/// `<Sts><Cd>BOOK</Cd></Sts>` (.001.07 on).
fn is_booked(ntry: &Node, file: &str) -> Result<bool, BankParseError> {
    let Some(sts) = ntry.child("Sts") else {
        return Err(BankParseError::at(file, ntry.line, "the entry has no status").field("Sts"));
    };
    let code = sts.text_at(&["Cd"]).unwrap_or(&sts.text);
    Ok(code.eq_ignore_ascii_case("BOOK"))
}

/// `Amt` (unsigned, `.` decimal) signed by `CdtDbtInd`, with the amount's
/// currency (its `Ccy`, else the statement's). When `expect` is given, an
/// amount in another currency is an error.
fn signed_amount(
    node: &Node,
    file: &str,
    expect: Option<Currency>,
) -> Result<(Decimal, Option<Currency>), BankParseError> {
    let Some(amt) = node.child("Amt") else {
        return Err(
            BankParseError::at(file, node.line, format!("<{}> has no amount", node.name))
                .field("Amt"),
        );
    };
    let magnitude = unsigned_decimal(&amt.text).map_err(|m| {
        BankParseError::at(file, amt.line, m)
            .field("Amt")
            .value(&amt.text)
    })?;
    let ccy = amt
        .attr("Ccy")
        .map(|c| parse_currency(c, amt.line, "Amt@Ccy", file))
        .transpose()?;
    if let (Some(expect), Some(ccy)) = (expect, ccy) {
        if ccy != expect {
            return Err(BankParseError::at(
                file,
                amt.line,
                format!("the amount is in {ccy}, the statement in {expect}"),
            )
            .field("Amt@Ccy")
            .value(ccy.code()));
        }
    }
    let ind = node.child("CdtDbtInd");
    let sign = match ind.map(|n| n.text.as_str()) {
        Some("CRDT") => Decimal::ONE,
        Some("DBIT") => Decimal::NEGATIVE_ONE,
        Some(other) => {
            return Err(BankParseError::at(
                file,
                ind.map_or(node.line, |n| n.line),
                "the credit/debit indicator must be CRDT or DBIT",
            )
            .field("CdtDbtInd")
            .value(other))
        }
        None => {
            return Err(BankParseError::at(
                file,
                node.line,
                format!("<{}> has no credit/debit indicator", node.name),
            )
            .field("CdtDbtInd"))
        }
    };
    Ok((magnitude * sign, ccy))
}

/// An ISO 20022 amount: digits with an optional `.` fraction, no sign.
fn unsigned_decimal(text: &str) -> Result<Decimal, &'static str> {
    if text.starts_with(['-', '+']) {
        return Err("camt.053 amounts are unsigned (CdtDbtInd gives the sign)");
    }
    let (int, frac) = text.split_once('.').unwrap_or((text, ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if int.is_empty() || !digits(int) || !digits(frac) || (text.ends_with('.')) {
        return Err(
            "amount is not a decimal number (camt.053 writes digits with a `.` decimal point)",
        );
    }
    Decimal::from_str_exact(text)
        .map_err(|_| "amount is too large or too precise")
        .and_then(bounded)
}

/// A date from an ISODate (`2026-03-02`) or the date part of an ISODateTime
/// (`2026-03-02T10:15:00+01:00`).
fn iso_date(text: &str) -> Option<NaiveDate> {
    let day = text.get(..10)?;
    let rest = &text[10..];
    if !(rest.is_empty() || rest.starts_with(['T', '+', '-', 'Z'])) {
        return None;
    }
    NaiveDate::parse_from_str(day, "%Y-%m-%d").ok()
}

/// The date in `<parent><field>…</field></parent>`, if the field is there.
fn dt_date(parent: &Node, field: &str, file: &str) -> Result<Option<NaiveDate>, BankParseError> {
    let Some(n) = parent.child(field).filter(|n| !n.text.is_empty()) else {
        return Ok(None);
    };
    iso_date(&n.text).map(Some).ok_or_else(|| {
        BankParseError::at(file, n.line, "not an ISO date (YYYY-MM-DD)")
            .field(field)
            .value(&n.text)
    })
}

/// A `BookgDt`/`ValDt`: `<Dt>` or `<DtTm>`.
fn date_choice(parent: &Node, file: &str) -> Result<Option<NaiveDate>, BankParseError> {
    match dt_date(parent, "Dt", file)? {
        Some(d) => Ok(Some(d)),
        None => dt_date(parent, "DtTm", file),
    }
}

/// Text with runs of whitespace (line breaks in remittance info) made one space.
fn clean(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn line(ntry: &Node, file: &str, currency: Currency) -> Result<BankLine, BankParseError> {
    let (amount, ccy) = signed_amount(ntry, file, None)?;
    let credit = ntry.text_at(&["CdtDbtInd"]) == Some("CRDT");
    let booked = match ntry.child("BookgDt") {
        Some(b) => date_choice(b, file)?,
        None => None,
    }
    .ok_or_else(|| {
        BankParseError::at(file, ntry.line, "the booked entry has no booking date").field("BookgDt")
    })?;
    let value_date = match ntry.child("ValDt") {
        Some(v) => date_choice(v, file)?,
        None => None,
    };

    let txs: Vec<&Node> = ntry
        .children("NtryDtls")
        .flat_map(|d| d.children("TxDtls"))
        .collect();
    let (mut ustrd, mut structured) = (Vec::new(), Vec::new());
    for rmt in txs.iter().filter_map(|tx| tx.child("RmtInf")) {
        let texts = rmt.children("Ustrd").filter(|n| !n.text.is_empty());
        ustrd.extend(texts.map(|n| clean(&n.text)));
        let refs = rmt.children("Strd");
        structured.extend(
            refs.filter_map(|n| n.text_at(&["CdtrRefInf", "Ref"]))
                .map(clean),
        );
    }
    let end_to_end = txs
        .iter()
        .filter_map(|tx| tx.text_at(&["Refs", "EndToEndId"]))
        .find(|id| !id.eq_ignore_ascii_case("NOTPROVIDED"));
    let reference = if !ustrd.is_empty() {
        Some(ustrd.join(" "))
    } else if !structured.is_empty() {
        Some(structured.join(" "))
    } else {
        end_to_end.map(clean)
    };

    let party = if credit { "Dbtr" } else { "Cdtr" };
    let counterparty = txs
        .iter()
        .find_map(|tx| {
            tx.text_at(&["RltdPties", party, "Nm"])
                .or_else(|| tx.text_at(&["RltdPties", party, "Pty", "Nm"]))
        })
        .map(clean);

    let description = ntry
        .text_at(&["AddtlNtryInf"])
        .map(clean)
        .or_else(|| ustrd.first().cloned())
        .or_else(|| {
            txs.iter()
                .find_map(|tx| tx.text_at(&["AddtlTxInf"]))
                .map(clean)
        })
        .or_else(|| counterparty.clone())
        .unwrap_or_default();

    Ok(BankLine {
        transaction_id: ntry
            .text_at(&["AcctSvcrRef"])
            .or_else(|| ntry.text_at(&["NtryRef"]))
            .map(str::to_string),
        booked,
        value_date,
        amount,
        currency: ccy.unwrap_or(currency),
        description,
        reference,
        counterparty,
        row: ntry.line,
    })
}
