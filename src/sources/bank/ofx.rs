//! OFX bank and credit-card statements, SGML (OFX 1.x) and XML (OFX 2.x):
//! `BANKMSGSRSV1/STMTTRNRS/STMTRS` and `CREDITCARDMSGSRSV1/CCSTMTTRNRS/CCSTMTRS`,
//! one [`BankStatement`] each, one [`BankLine`] per `STMTTRN`.
//!
//! `TRNAMT` is signed with a `.` decimal point. The closing balance is
//! `LEDGERBAL/BALAMT`; OFX gives no opening balance, so the statement check
//! covers the currency only. Text is read as UTF-8, or Windows-1252 when it
//! is not valid UTF-8 (OFX 1.x files often say `CHARSET:1252`).

mod tree;

#[cfg(test)]
mod tests;

use std::collections::HashMap;

use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::domain::bank::{BankLine, BankStatement};
use crate::domain::money::Currency;
use crate::sources::bank::error::{bounded, check_size, checked, decode_text, BankParseError};
use tree::Node;

/// The statements of an OFX file and what was noticed on the way (duplicate
/// FITIDs, a bank status other than success).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OfxParsed {
    pub statements: Vec<BankStatement>,
    pub warnings: Vec<String>,
}

/// Parses an OFX file (1.x SGML or 2.x XML) into its bank and credit-card statements.
pub fn parse_ofx(bytes: &[u8], file: &str) -> Result<OfxParsed, BankParseError> {
    check_size(bytes, file)?;
    let text = decode_text(bytes);
    let root = tree::parse(&text, file)?;
    let mut warnings = status_warnings(&root);
    let mut found = Vec::new();
    root.find_all(&["STMTRS", "CCSTMTRS"], &mut found);
    if found.is_empty() {
        let mut message =
            "the OFX file holds no bank or credit-card statement (STMTRS or CCSTMTRS)".to_string();
        for w in &warnings {
            message.push_str("; ");
            message.push_str(w);
        }
        return Err(BankParseError::at(file, root.line, message));
    }
    let mut statements = Vec::new();
    let mut ledger_lines = Vec::new();
    for rs in found {
        let (s, ledger_line) = statement(rs, file)?;
        statements.push(s);
        ledger_lines.push(ledger_line);
    }
    dedupe_fitids(&mut statements, &mut warnings);
    let statements = statements
        .into_iter()
        .zip(ledger_lines)
        .map(|(s, line)| checked(s, file, line))
        .collect::<Result<_, _>>()?;
    Ok(OfxParsed {
        statements,
        warnings,
    })
}

/// A `STATUS` whose `CODE` is not 0 (success), as a warning.
fn status_warnings(root: &Node) -> Vec<String> {
    let mut all = Vec::new();
    root.find_all(&["STATUS"], &mut all);
    all.into_iter()
        .filter_map(|s| {
            let code = s.text_at(&["CODE"])?;
            (code != "0").then(|| {
                let severity = s.text_at(&["SEVERITY"]).unwrap_or("?");
                let message = s.text_at(&["MESSAGE"]).unwrap_or("no message");
                format!(
                    "line {}: the bank answered status {code} ({severity}): {message}",
                    s.line
                )
            })
        })
        .collect()
}

fn statement(rs: &Node, file: &str) -> Result<(BankStatement, Option<u64>), BankParseError> {
    let Some(curdef) = rs.child("CURDEF").filter(|n| !n.text.is_empty()) else {
        return Err(BankParseError::at(
            file,
            rs.line,
            format!("<{}> names no default currency", rs.name),
        )
        .field("CURDEF"));
    };
    let currency = parse_currency(curdef, file)?;
    let account = rs
        .text_at(&["BANKACCTFROM", "ACCTID"])
        .or_else(|| rs.text_at(&["CCACCTFROM", "ACCTID"]))
        .map(str::to_string);
    let list = rs.child("BANKTRANLIST");
    let (mut from, mut to, mut lines) = (None, None, Vec::new());
    if let Some(list) = list {
        from = optional_date(list, "DTSTART", file)?;
        to = optional_date(list, "DTEND", file)?;
        for trn in list.children("STMTTRN") {
            lines.push(line(trn, file, currency)?);
        }
    }
    let ledger = rs.child("LEDGERBAL");
    let closing = match ledger.and_then(|l| l.child("BALAMT")) {
        Some(b) => Some(amount(b, file)?),
        None => None,
    };
    let s = BankStatement {
        statement_id: None,
        account,
        currency,
        from,
        to,
        opening: None,
        closing,
        lines,
    };
    Ok((s, ledger.map(|l| l.line)))
}

fn parse_currency(n: &Node, file: &str) -> Result<Currency, BankParseError> {
    n.text.parse().map_err(|e| {
        BankParseError::at(file, n.line, format!("{e}"))
            .field(&n.name)
            .value(&n.text)
    })
}

/// An OFX date-time (`20260302`, `20260302120000.000[-5:EST]`): its first
/// eight digits, YYYYMMDD.
fn ofx_date(n: &Node, file: &str) -> Result<NaiveDate, BankParseError> {
    n.text
        .get(..8)
        .filter(|d| d.bytes().all(|b| b.is_ascii_digit()))
        .and_then(|d| NaiveDate::parse_from_str(d, "%Y%m%d").ok())
        .ok_or_else(|| {
            BankParseError::at(file, n.line, "not an OFX date (YYYYMMDD…)")
                .field(&n.name)
                .value(&n.text)
        })
}

fn optional_date(
    parent: &Node,
    field: &str,
    file: &str,
) -> Result<Option<NaiveDate>, BankParseError> {
    match parent.child(field).filter(|n| !n.text.is_empty()) {
        Some(n) => ofx_date(n, file).map(Some),
        None => Ok(None),
    }
}

/// A signed OFX amount: `-10.00`, `+5`, `.50`. A `,` is an error, never a
/// decimal comma.
fn amount(n: &Node, file: &str) -> Result<Decimal, BankParseError> {
    let err = |m: &str| {
        BankParseError::at(file, n.line, m)
            .field(&n.name)
            .value(&n.text)
    };
    let t = n.text.as_str();
    if t.contains(',') {
        return Err(err(
            "OFX amounts use a `.` decimal point; a `,` is not allowed",
        ));
    }
    let unsigned = t.strip_prefix(['-', '+']).unwrap_or(t);
    let (int, frac) = unsigned.split_once('.').unwrap_or((unsigned, ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if (int.is_empty() && frac.is_empty()) || !digits(int) || !digits(frac) {
        return Err(err("amount is not a decimal number"));
    }
    let sign = if t.starts_with('-') { "-" } else { "" };
    let int = if int.is_empty() { "0" } else { int };
    let exact = if frac.is_empty() {
        format!("{sign}{int}")
    } else {
        format!("{sign}{int}.{frac}")
    };
    Decimal::from_str_exact(&exact)
        .map_err(|_| "amount is too large or too precise")
        .and_then(bounded)
        .map_err(err)
}

fn line(trn: &Node, file: &str, curdef: Currency) -> Result<BankLine, BankParseError> {
    let Some(posted) = trn.child("DTPOSTED").filter(|n| !n.text.is_empty()) else {
        return Err(
            BankParseError::at(file, trn.line, "the transaction has no posting date")
                .field("DTPOSTED"),
        );
    };
    let Some(trnamt) = trn.child("TRNAMT").filter(|n| !n.text.is_empty()) else {
        return Err(
            BankParseError::at(file, trn.line, "the transaction has no amount").field("TRNAMT"),
        );
    };
    let currency = match trn
        .at(&["CURRENCY", "CURSYM"])
        .filter(|n| !n.text.is_empty())
    {
        Some(c) => parse_currency(c, file)?,
        None => curdef,
    };
    let name = trn
        .text_at(&["NAME"])
        .or_else(|| trn.text_at(&["PAYEE", "NAME"]));
    let memo = trn.text_at(&["MEMO"]);
    let description = [name, memo]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
    let reference = memo
        .or_else(|| trn.text_at(&["REFNUM"]))
        .or_else(|| trn.text_at(&["CHECKNUM"]))
        .map(str::to_string);
    Ok(BankLine {
        transaction_id: trn.text_at(&["FITID"]).map(str::to_string),
        booked: ofx_date(posted, file)?,
        value_date: optional_date(trn, "DTAVAIL", file)?,
        amount: amount(trnamt, file)?,
        currency,
        description,
        reference,
        counterparty: None,
        row: trn.line,
    })
}

/// At most this many duplicate-FITID warnings are written; the rest are counted.
const MAX_DUPLICATE_WARNINGS: usize = 100;

/// At most this many rows are listed in one warning.
const MAX_LISTED_ROWS: usize = 10;

/// Everything the bank says about a line except where it stands in the file.
type Content<'a> = (
    NaiveDate,
    Option<NaiveDate>,
    Decimal,
    Currency,
    &'a str,
    Option<&'a str>,
);

fn content(l: &BankLine) -> Content<'_> {
    (
        l.booked,
        l.value_date,
        l.amount.normalize(),
        l.currency,
        &l.description,
        l.reference.as_deref(),
    )
}

/// "a and b", "a, b and c".
fn and_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// A FITID that appears more than once for one account in the file:
/// identical lines are kept once; lines that differ are all kept, with
/// transaction ids `FITID#row` so that each stays its own line.
fn dedupe_fitids(statements: &mut [BankStatement], warnings: &mut Vec<String>) {
    // (account, FITID) → (statement, line) indexes, in file order.
    type Key<'a> = (Option<&'a str>, &'a str);
    let mut groups: HashMap<Key<'_>, Vec<(usize, usize)>> = HashMap::new();
    let mut order = Vec::new();
    for (si, s) in statements.iter().enumerate() {
        for (li, l) in s.lines.iter().enumerate() {
            if let Some(id) = &l.transaction_id {
                let group = groups.entry((s.account.as_deref(), id)).or_default();
                if group.is_empty() {
                    order.push((s.account.as_deref(), id.as_str()));
                }
                group.push((si, li));
            }
        }
    }
    let (mut notes, mut unlisted) = (Vec::new(), 0usize);
    let mut note = |text: String| {
        if notes.len() < MAX_DUPLICATE_WARNINGS {
            notes.push(text);
        } else {
            unlisted += 1;
        }
    };
    let (mut drop, mut rename) = (Vec::new(), Vec::new());
    for key in order {
        let members = &groups[&key];
        if members.len() < 2 {
            continue;
        }
        let fitid = key.1;
        let row = |(si, li): (usize, usize)| statements[si].lines[li].row;
        let mut first_of: HashMap<Content<'_>, (usize, usize)> = HashMap::new();
        let mut distinct = Vec::new();
        for &m in members {
            match first_of.entry(content(&statements[m.0].lines[m.1])) {
                std::collections::hash_map::Entry::Occupied(first) => {
                    note(format!(
                        "FITID {fitid} appears twice with the same content (rows {} and {}); kept once",
                        row(*first.get()),
                        row(m)
                    ));
                    drop.push(m);
                }
                std::collections::hash_map::Entry::Vacant(slot) => {
                    slot.insert(m);
                    distinct.push(m);
                }
            }
        }
        if distinct.len() > 1 {
            let rows: Vec<String> = distinct.iter().map(|&m| row(m).to_string()).collect();
            note(if rows.len() <= MAX_LISTED_ROWS {
                let ids: Vec<String> = rows.iter().map(|r| format!("{fitid}#{r}")).collect();
                format!(
                    "FITID {fitid} appears on rows {} with different content; kept each, as {}",
                    and_list(&rows),
                    and_list(&ids)
                )
            } else {
                format!(
                    "FITID {fitid} appears on {} rows with different content (rows {}, …); kept each, as {fitid}#<row>",
                    rows.len(),
                    rows[..MAX_LISTED_ROWS].join(", ")
                )
            });
            rename.extend(distinct.iter().map(|&m| (m, format!("{fitid}#{}", row(m)))));
        }
    }
    if unlisted > 0 {
        notes.push(format!("… and {unlisted} more duplicate FITID warnings"));
    }
    warnings.extend(notes);
    for ((si, li), id) in rename {
        statements[si].lines[li].transaction_id = Some(id);
    }
    drop.sort_unstable();
    for (si, s) in statements.iter_mut().enumerate() {
        let mut li = 0;
        s.lines.retain(|_| {
            li += 1;
            drop.binary_search(&(si, li - 1)).is_err()
        });
    }
}
