//! Tamper evidence: the canonical rendering of an entry, the hash chain that
//! links entries, and the seal that closes a period.
//!
//! The rendering is JSON built from explicit structs in a fixed field order,
//! with decimals normalized (`10.50` → `10.5`) and times in UTC to the
//! microsecond. Changing anything here invalidates every stored hash, so the
//! format carries a version and must never change in place.

use chrono::{DateTime, Utc};
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::entry::{EntryId, JournalEntry};
use super::money::canonical_decimal;
use super::period::Period;
use super::trial_balance::AccountTotals;

/// `prev_hash` of the first entry.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

pub fn sha256_hex(bytes: &[u8]) -> String {
    // Into a buffer, not `hex::encode`'s char-by-char collect: this runs for
    // every entry's content, chain link and basis (six million in a big month).
    let mut hex = [0u8; 64];
    hex::encode_to_slice(Sha256::digest(bytes), &mut hex).expect("32 bytes are 64 hex digits");
    std::str::from_utf8(&hex)
        .expect("hex digits are ASCII")
        .to_owned()
}

#[derive(Serialize)]
struct CanonicalEntry<'a> {
    v: u8,
    key: &'a str,
    date: String,
    kind: &'a str,
    description: &'a str,
    reverses: Option<i64>,
    postings: Vec<CanonicalPosting<'a>>,
}

#[derive(Serialize)]
struct CanonicalPosting<'a> {
    account: &'a str,
    side: &'a str,
    amount: String,
    currency: &'a str,
    memo: Option<&'a str>,
    subsidiary: Option<&'a str>,
    department: Option<&'a str>,
    class: Option<&'a str>,
    location: Option<&'a str>,
    channel: Option<&'a str>,
    shop: Option<&'a str>,
    order_id: Option<&'a str>,
    statement_id: Option<&'a str>,
    payout_id: Option<&'a str>,
    batch_id: Option<i64>,
    sheet: Option<&'a str>,
    row: Option<i64>,
    mapping_version: Option<&'a str>,
}

/// The canonical text of an entry's content (everything but its place in
/// the chain). Two entries with the same rendering are the same entry.
pub fn canonical_content(entry: &JournalEntry) -> String {
    let postings = entry
        .postings()
        .iter()
        .map(|p| CanonicalPosting {
            account: p.account.as_str(),
            side: p.side.as_str(),
            amount: canonical_decimal(p.amount.amount),
            currency: p.amount.currency.code(),
            memo: p.memo.as_deref(),
            subsidiary: p.segments.subsidiary.as_deref(),
            department: p.segments.department.as_deref(),
            class: p.segments.class.as_deref(),
            location: p.segments.location.as_deref(),
            channel: p.segments.channel.as_deref(),
            shop: p.segments.shop.as_deref(),
            order_id: p.source.order_id.as_deref(),
            statement_id: p.source.statement_id.as_deref(),
            payout_id: p.source.payout_id.as_deref(),
            batch_id: p.source.batch_id,
            sheet: p.source.sheet.as_deref(),
            row: p.source.row,
            mapping_version: p.mapping_version.as_deref(),
        })
        .collect();
    let canonical = CanonicalEntry {
        v: 1,
        key: entry.idempotency_key(),
        // `Display` is `%Y-%m-%d` (both sign years outside 0–9999), without
        // parsing a format string for every entry.
        date: entry.date().to_string(),
        kind: entry.kind().as_str(),
        description: entry.description(),
        reverses: entry.reverses().map(|id| id.0),
        postings,
    };
    serde_json::to_string(&canonical).expect("plain structs serialize")
}

pub fn content_hash(entry: &JournalEntry) -> String {
    sha256_hex(canonical_content(entry).as_bytes())
}

/// An entry with its content hash, computed once. Only `new` makes one, so
/// the hash is always the entry's own; a bulk writer computes them ahead, on
/// a core the database's writer is not using.
#[derive(Clone, Debug)]
pub struct HashedEntry {
    entry: JournalEntry,
    content_hash: String,
}

impl HashedEntry {
    pub fn new(entry: JournalEntry) -> Self {
        HashedEntry {
            content_hash: content_hash(&entry),
            entry,
        }
    }

    pub fn entry(&self) -> &JournalEntry {
        &self.entry
    }

    pub fn content_hash(&self) -> &str {
        &self.content_hash
    }

    pub fn into_parts(self) -> (JournalEntry, String) {
        (self.entry, self.content_hash)
    }
}

/// The entries with their content hashes, in order. A big batch is hashed
/// on every core: rendering and hashing is most of the CPU a booking costs
/// besides the database's own.
pub fn hash_all(entries: Vec<JournalEntry>) -> Vec<HashedEntry> {
    super::parallel::map_in_order(entries, 2000, HashedEntry::new)
}

/// Times are hashed and stored to the microsecond (PostgreSQL's precision).
pub fn truncate_to_micros(t: DateTime<Utc>) -> DateTime<Utc> {
    DateTime::from_timestamp_micros(t.timestamp_micros()).expect("in range")
}

pub fn canonical_time(t: DateTime<Utc>) -> String {
    use chrono::{Datelike, Timelike};
    let t = truncate_to_micros(t);
    let nanos = t.nanosecond();
    if (0..=9999).contains(&t.year()) && nanos < 1_000_000_000 {
        // `%Y-%m-%dT%H:%M:%S%.6fZ` written out: one per booked entry.
        format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}Z",
            t.year(),
            t.month(),
            t.day(),
            t.hour(),
            t.minute(),
            t.second(),
            nanos / 1000
        )
    } else {
        t.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
    }
}

#[derive(Serialize)]
struct ChainLink<'a> {
    v: u8,
    seq: i64,
    prev_hash: &'a str,
    created_at: String,
    created_by: &'a str,
    content_hash: &'a str,
}

/// The hash of the entry at `seq`: it covers the previous hash, so changing
/// or removing any entry breaks every hash after it.
pub fn chain_hash(
    seq: EntryId,
    prev_hash: &str,
    created_at: DateTime<Utc>,
    created_by: &str,
    content_hash: &str,
) -> String {
    let link = ChainLink {
        v: 1,
        seq: seq.0,
        prev_hash,
        created_at: canonical_time(created_at),
        created_by,
        content_hash,
    };
    sha256_hex(
        serde_json::to_string(&link)
            .expect("plain struct")
            .as_bytes(),
    )
}

#[derive(Serialize)]
struct CanonicalSeal<'a> {
    v: u8,
    period: String,
    head_seq: i64,
    head_hash: &'a str,
    balances: Vec<[String; 4]>,
}

/// The seal of a closed period: the chain head when it was closed and the
/// cumulative trial balance at the period's end (entries up to the head).
pub fn seal_hash(
    period: Period,
    head_seq: i64,
    head_hash: &str,
    balances: &[AccountTotals],
) -> String {
    let mut rows: Vec<[String; 4]> = balances
        .iter()
        .map(|b| {
            [
                b.account.to_string(),
                b.currency.to_string(),
                canonical_decimal(b.debits),
                canonical_decimal(b.credits),
            ]
        })
        .collect();
    rows.sort();
    let seal = CanonicalSeal {
        v: 1,
        period: period.to_string(),
        head_seq,
        head_hash,
        balances: rows,
    };
    sha256_hex(
        serde_json::to_string(&seal)
            .expect("plain struct")
            .as_bytes(),
    )
}

#[cfg(test)]
mod tests {
    use chrono::{NaiveDate, TimeZone};
    use rust_decimal::Decimal;

    use super::*;
    use crate::domain::entry::{EntryKind, Posting, Side};
    use crate::domain::money::Money;

    #[test]
    fn sha256_hex_is_lowercase_hex_of_the_digest() {
        // FIPS 180-2's examples.
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(
            sha256_hex(b""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }

    /// An entry with every field set, text that JSON must escape, and a
    /// posting with none of the optional fields.
    fn full_entry() -> JournalEntry {
        let usd = "USD".parse().unwrap();
        let mut sale = Posting::new(
            "4000".parse().unwrap(),
            Side::Credit,
            Money::new(Decimal::new(1050, 2), usd),
        );
        sale.memo = Some("sale \"quoted\" \\ ünïcode\ttab".to_string());
        sale.segments.subsidiary = Some("1".to_string());
        sale.segments.department = Some("Retail".to_string());
        sale.segments.class = Some("DTC".to_string());
        sale.segments.location = Some("US-East".to_string());
        sale.segments.channel = Some("tiktok".to_string());
        sale.segments.shop = Some("us-main".to_string());
        sale.source.order_id = Some("577000000000000001".to_string());
        sale.source.statement_id = Some("st-1".to_string());
        sale.source.payout_id = Some("po-1".to_string());
        sale.source.batch_id = Some(7);
        sale.source.sheet = Some("Order details".to_string());
        sale.source.row = Some(12);
        sale.mapping_version = Some("sha256:abc".to_string());
        let owed = Posting::new(
            "1211".parse().unwrap(),
            Side::Debit,
            Money::new(Decimal::new(105, 1), usd),
        );
        JournalEntry::restore(
            "tiktok/us-main/sale/577000000000000001".to_string(),
            NaiveDate::from_ymd_opt(2026, 6, 3).unwrap(),
            EntryKind::Sale,
            "Sale 577000000000000001 — ünïcode".to_string(),
            Some(EntryId(41)),
            vec![sale, owed],
        )
    }

    /// Every stored hash depends on these texts: a faster rendering must
    /// give them byte for byte.
    #[test]
    fn canonical_texts_are_pinned() {
        let entry = full_entry();
        assert_eq!(
            canonical_content(&entry),
            r#"{"v":1,"key":"tiktok/us-main/sale/577000000000000001","date":"2026-06-03","kind":"sale","description":"Sale 577000000000000001 — ünïcode","reverses":41,"postings":[{"account":"4000","side":"credit","amount":"10.5","currency":"USD","memo":"sale \"quoted\" \\ ünïcode\ttab","subsidiary":"1","department":"Retail","class":"DTC","location":"US-East","channel":"tiktok","shop":"us-main","order_id":"577000000000000001","statement_id":"st-1","payout_id":"po-1","batch_id":7,"sheet":"Order details","row":12,"mapping_version":"sha256:abc"},{"account":"1211","side":"debit","amount":"10.5","currency":"USD","memo":null,"subsidiary":null,"department":null,"class":null,"location":null,"channel":null,"shop":null,"order_id":null,"statement_id":null,"payout_id":null,"batch_id":null,"sheet":null,"row":null,"mapping_version":null}]}"#
        );
        let content = content_hash(&entry);
        let at = Utc.with_ymd_and_hms(2026, 7, 1, 8, 5, 9).unwrap()
            + chrono::Duration::microseconds(120);
        assert_eq!(canonical_time(at), "2026-07-01T08:05:09.000120Z");
        for t in [
            at,
            Utc.with_ymd_and_hms(1900, 1, 1, 0, 0, 0).unwrap(),
            Utc.with_ymd_and_hms(9999, 12, 31, 23, 59, 59).unwrap()
                + chrono::Duration::nanoseconds(999_999_999),
            Utc.with_ymd_and_hms(10000, 1, 1, 0, 0, 0).unwrap(),
            Utc.with_ymd_and_hms(-1, 1, 1, 0, 0, 0).unwrap(),
        ] {
            let chrono_text = truncate_to_micros(t)
                .format("%Y-%m-%dT%H:%M:%S%.6fZ")
                .to_string();
            assert_eq!(canonical_time(t), chrono_text);
        }
        for (y, m, d) in [
            (1900, 1, 1),
            (2026, 6, 3),
            (9999, 12, 31),
            (10000, 1, 1),
            (-1, 1, 1),
        ] {
            let day = NaiveDate::from_ymd_opt(y, m, d).unwrap();
            assert_eq!(day.to_string(), day.format("%Y-%m-%d").to_string());
        }
        assert_eq!(
            content,
            sha256_hex(canonical_content(&entry).as_bytes()),
            "the content hash is the hash of the canonical text"
        );
        assert_eq!(
            chain_hash(EntryId(42), GENESIS_HASH, at, "ana", &content),
            "daf40c9caecf0eabb687bcbcc70317ae65e46ede39031a0686e8d23247839267"
        );
    }
}
