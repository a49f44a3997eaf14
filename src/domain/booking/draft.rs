//! One entry's postings under construction, and what every entry shares:
//! where a posting points (source), its memo, the mapping context, and the
//! basis hash that says whether an entry changed.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::BookingShop;
use crate::domain::entry::{EntryDraft, Posting, Segments, Side, SourceRef};
use crate::domain::hashing::sha256_hex;
use crate::domain::mapping::{Context, GlMapping, MappedAccount};
use crate::domain::money::{canonical_decimal, Money};
use crate::domain::settlement::{Component, ComponentCode, SourceRow};

/// Postings of one entry under construction, with clearing taking the net.
pub(super) struct Draft<'a> {
    shop: &'a BookingShop,
    mapping: &'a GlMapping,
    /// code → (amounts, total) of what the mapping has no account for.
    unmapped: BTreeMap<String, (usize, Decimal)>,
    postings: Vec<Posting>,
    /// Σ of the amounts added, signed as the channel signs them.
    net: Decimal,
    /// Where the clearing posting points.
    clearing_source: SourceRef,
}

impl<'a> Draft<'a> {
    pub(super) fn new(
        shop: &'a BookingShop,
        mapping: &'a GlMapping,
        clearing_source: SourceRef,
    ) -> Self {
        Draft {
            shop,
            mapping,
            unmapped: BTreeMap::new(),
            postings: Vec::new(),
            net: Decimal::ZERO,
            clearing_source,
        }
    }

    pub(super) fn segments(&self, extra: &BTreeMap<String, String>) -> Segments {
        // The mapping's segments over the shop's (no merged copy per posting).
        let get = |k: &str| extra.get(k).or_else(|| self.shop.segments.get(k)).cloned();
        Segments {
            subsidiary: get("subsidiary"),
            department: get("department"),
            class: get("class"),
            location: get("location"),
            channel: Some(self.shop.channel.as_str().to_string()),
            shop: (!self.shop.name.is_empty()).then(|| self.shop.name.clone()),
        }
    }

    fn money(&self, amount: Decimal) -> Money {
        Money::new(amount.abs(), self.shop.currency)
    }

    /// One amount to its mapped account (or into clearing).
    pub(super) fn add(
        &mut self,
        code: &ComponentCode,
        amount: Decimal,
        memo: String,
        ctx: Context,
        source: SourceRef,
    ) {
        if amount.is_zero() {
            return;
        }
        let Some(res) = self.mapping.resolve(code, &ctx) else {
            let e = self.unmapped.entry(code.to_string()).or_default();
            e.0 += 1;
            e.1 += amount;
            return;
        };
        self.net += amount;
        if let MappedAccount::Account(account) = res.account {
            let side = if amount > Decimal::ZERO {
                Side::Credit
            } else {
                Side::Debit
            };
            let mut p = Posting::new(account, side, self.money(amount));
            p.memo = Some(memo);
            p.segments = self.segments(&res.segments);
            p.source = source;
            p.mapping_version = Some(res.version);
            self.postings.push(p);
        }
    }

    /// Clearing takes the net; None when nothing is left to book. What had
    /// no account goes to the builder's list.
    pub(super) fn finish(
        mut self,
        unmapped: &mut BTreeMap<String, (usize, Decimal)>,
        memo: &str,
    ) -> Option<Vec<Posting>> {
        for (code, (count, total)) in std::mem::take(&mut self.unmapped) {
            let e = unmapped.entry(code).or_default();
            e.0 += count;
            e.1 += total;
        }
        if !self.net.is_zero() {
            let side = if self.net > Decimal::ZERO {
                Side::Debit
            } else {
                Side::Credit
            };
            let mut p = Posting::new(self.shop.clearing.clone(), side, self.money(self.net));
            p.memo = Some(memo.to_string());
            p.segments = self.segments(&BTreeMap::new());
            p.source = self.clearing_source.clone();
            self.postings.push(p);
        }
        if self.postings.is_empty() {
            return None;
        }
        // Planned postings live until they are written (millions in a big
        // month): kept at their size, not at the room pushing grew them to
        // (four postings' room for an entry of two — a gigabyte at a
        // million orders, each page of it fresh memory to fault in).
        let mut exact = Vec::with_capacity(self.postings.len());
        exact.append(&mut self.postings);
        Some(exact)
    }
}

pub(super) fn source_of(
    order_id: Option<&str>,
    statement_id: Option<&str>,
    payout_id: Option<&str>,
    batch_id: i64,
    row: Option<&SourceRow>,
) -> SourceRef {
    SourceRef {
        order_id: order_id.map(str::to_string),
        statement_id: statement_id.map(str::to_string),
        payout_id: payout_id.map(str::to_string),
        batch_id: Some(batch_id),
        sheet: row.and_then(|r| r.sheet.clone()),
        row: row.map(|r| r.row as i64),
    }
}

pub(super) fn memo(c: &Component) -> String {
    if c.label.is_empty() || c.label == c.code.as_str() {
        c.code.to_string()
    } else {
        format!("{} ({})", c.code, c.label)
    }
}

pub(super) fn ctx<'c>(
    shop: &'c BookingShop,
    order_type: Option<&'c str>,
    sku: Option<&'c str>,
    date: NaiveDate,
) -> Context<'c> {
    Context {
        shop: (!shop.name.is_empty()).then_some(shop.name.as_str()),
        country: None,
        sku,
        order_type,
        date: Some(date),
    }
}

/// A canonical rendering of the draft, hashed: equal drafts, equal hashes,
/// whatever scale the amounts were written with. The mapping version is left
/// out on purpose: editing a mapping file must re-book only the entries
/// whose accounts or segments it changes, not every entry it once produced.
pub fn basis_hash(draft: &EntryDraft) -> String {
    let mut text = format!(
        "{}|{}|{}\n",
        draft.date,
        draft.kind.as_str(),
        draft.description
    );
    // Written in place, borrowing: this runs for every planned entry (two
    // million in a big month). The text must never change: stored bookings
    // compare with it.
    use std::fmt::Write as _;
    for p in &draft.postings {
        let s = &p.segments;
        let src = &p.source;
        fn opt(o: &Option<String>) -> &str {
            o.as_deref().unwrap_or("")
        }
        let _ = write!(
            text,
            "{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|",
            p.account,
            p.side.as_str(),
            canonical_decimal(p.amount.amount),
            p.amount.currency,
            opt(&p.memo),
            opt(&s.subsidiary),
            opt(&s.department),
            opt(&s.class),
            opt(&s.location),
            opt(&s.channel),
            opt(&s.shop),
            opt(&src.order_id),
            opt(&src.statement_id),
            opt(&src.payout_id),
        );
        if let Some(b) = src.batch_id {
            let _ = write!(text, "{b}");
        }
        let _ = write!(text, "|{}|", opt(&src.sheet));
        if let Some(r) = src.row {
            let _ = write!(text, "{r}");
        }
        text.push('\n');
    }
    sha256_hex(text.as_bytes())
}
