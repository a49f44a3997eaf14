//! The month-end close report per shop: from the close basis a reconcile
//! kept, while it holds, else from the records read again.

use chrono::NaiveDate;

use crate::domain::booking::BookingShop;
use crate::domain::close::{close_report, CloseInput, CloseReport, KindTotals};
use crate::domain::close_basis::CloseBasis;
use crate::domain::hashing::sha256_hex;
use crate::domain::matching::PayoutCheck;
use crate::domain::rate_card::RateCards;
use crate::domain::settlement::Channel;
use crate::domain::shop::Shops;
use crate::domain::{ChartOfAccounts, Period};
use crate::gl_mappings::Mappings;
use crate::reconcile::{read_shop, shops_in_scope, ReconcileError, ShopBooks};
use crate::store::{ActivityTotals, LedgerStore};

fn kind_totals(rows: Vec<ActivityTotals>) -> Vec<KindTotals> {
    rows.into_iter()
        .map(|r| KindTotals {
            balance: r.balance(),
            account: r.account,
            kind: r.kind,
        })
        .collect()
}

/// The close report of every shop with records (or the one named). Each
/// shop's records come folded from the close basis its last reconcile kept,
/// when nothing it was computed from has changed since; else they are read
/// and matched again (the same figures, slower).
pub async fn close(
    store: &dyn LedgerStore,
    chart: &ChartOfAccounts,
    mappings: &Mappings,
    shops: &Shops,
    rate_cards: &RateCards,
    period: Period,
    shop: Option<&str>,
) -> Result<Vec<CloseReport>, ReconcileError> {
    close_with(
        store,
        chart,
        mappings,
        shops,
        rate_cards,
        period,
        shop,
        Listing::Kept,
    )
    .await
}

/// The close report with every orphan line, variance and fee overcharge
/// listed, not only the first 200 of each: read from the records, so it
/// takes the seconds a big shop's matching needs (an explicit export).
pub async fn close_in_full(
    store: &dyn LedgerStore,
    chart: &ChartOfAccounts,
    mappings: &Mappings,
    shops: &Shops,
    rate_cards: &RateCards,
    period: Period,
    shop: Option<&str>,
) -> Result<Vec<CloseReport>, ReconcileError> {
    close_with(
        store,
        chart,
        mappings,
        shops,
        rate_cards,
        period,
        shop,
        Listing::Full,
    )
    .await
}

/// Where a report's shop figures come from.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Listing {
    /// The kept basis while it holds, else the records; the first 200 listed.
    Kept,
    /// The records; the first 200 listed.
    Records,
    /// The records; everything listed.
    Full,
}

/// The close report read from the records, never from a kept basis: what
/// tests hold the kept basis to.
pub async fn close_from_records(
    store: &dyn LedgerStore,
    chart: &ChartOfAccounts,
    mappings: &Mappings,
    shops: &Shops,
    rate_cards: &RateCards,
    period: Period,
    shop: Option<&str>,
) -> Result<Vec<CloseReport>, ReconcileError> {
    close_with(
        store,
        chart,
        mappings,
        shops,
        rate_cards,
        period,
        shop,
        Listing::Records,
    )
    .await
}

#[allow(clippy::too_many_arguments)]
async fn close_with(
    store: &dyn LedgerStore,
    chart: &ChartOfAccounts,
    mappings: &Mappings,
    shops: &Shops,
    rate_cards: &RateCards,
    period: Period,
    shop: Option<&str>,
    listing: Listing,
) -> Result<Vec<CloseReport>, ReconcileError> {
    let mut out = Vec::new();
    let epoch = NaiveDate::from_ymd_opt(1900, 1, 1).expect("a date");
    let before_end = period.first_day().pred_opt().expect("after 1900");
    for (channel, name) in shops_in_scope(store, shop).await? {
        let kept = if listing == Listing::Kept {
            kept_basis(store, mappings, shops, rate_cards, channel, &name).await?
        } else {
            None
        };
        let (booking_shop, basis, kept_entries) = match kept {
            Some((shop, kept)) => {
                let mark = store.shop_ledger_mark(channel.as_str(), &name).await?;
                let entries = kept.entries_in(period, &mark);
                (shop, kept.basis, entries)
            }
            None => {
                let Some(books) = read_shop(store, shops, mappings, channel, &name).await? else {
                    continue;
                };
                let cap = match listing {
                    Listing::Full => usize::MAX,
                    Listing::Kept | Listing::Records => crate::domain::close::LISTED,
                };
                let basis = CloseBasis::listing(
                    &books.shop,
                    &books.facts,
                    &books.matching,
                    rate_cards,
                    cap,
                );
                (books.shop, basis, None)
            }
        };
        let before = kind_totals(
            store
                .shop_activity(channel, &name, epoch, before_end)
                .await?,
        );
        let within = kind_totals(
            store
                .shop_activity(channel, &name, period.first_day(), period.last_day())
                .await?,
        );
        let entries = match kept_entries {
            Some(n) => n,
            None => {
                store
                    .booked_entries(channel, &name, period.first_day(), period.last_day())
                    .await?
            }
        } as usize;
        out.push(close_report(&CloseInput {
            period,
            shop: &booking_shop,
            basis: &basis,
            chart,
            rate_cards: rate_cards
                .cards
                .iter()
                .filter(|c| c.channel == channel)
                .count(),
            before: &before,
            within: &within,
            entries,
            entries_not_in_netsuite: entries.saturating_sub(
                store
                    .netsuite_posted_entries(channel, &name, period.first_day(), period.last_day())
                    .await? as usize,
            ),
        }));
    }
    Ok(out)
}

/// What a kept close basis was computed from: the shop's import batches, its
/// channel's mapping file, its shops.toml entry, the channel's rate cards
/// and this build. A report trusts a basis only under the same fingerprint.
pub fn close_basis_fingerprint(
    import_mark: &str,
    mappings: &Mappings,
    shops: &Shops,
    rate_cards: &RateCards,
    channel: Channel,
    shop: &str,
) -> Result<String, ReconcileError> {
    let mapping = mappings.get(channel)?;
    let configured = shops.get(shop).filter(|s| s.channel == channel);
    let cards: Vec<_> = rate_cards
        .cards
        .iter()
        .filter(|c| c.channel == channel)
        .collect();
    let text = format!(
        "close basis of settlebridge {} ({})\n{import_mark}\n{}\n{configured:?}\n{cards:?}",
        env!("CARGO_PKG_VERSION"),
        folding_code_digest(),
        mapping.version(),
    );
    Ok(sha256_hex(text.as_bytes()))
}

/// The source of the code a basis is folded with — how records are read,
/// matched, dated and folded — so a build that changes any of it never
/// trusts a basis an older one kept (the package version alone rarely moves).
fn folding_code_digest() -> &'static str {
    static DIGEST: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DIGEST.get_or_init(|| {
        const SOURCES: [&str; 10] = [
            include_str!("../domain/close_basis.rs"),
            include_str!("../domain/close.rs"),
            include_str!("../domain/matching/mod.rs"),
            include_str!("../domain/matching/payouts.rs"),
            include_str!("../domain/rate_card.rs"),
            include_str!("../domain/zone.rs"),
            include_str!("../domain/booking/mod.rs"),
            include_str!("../reconcile.rs"),
            include_str!("../store/booking_sql.rs"),
            include_str!("close_report.rs"),
        ];
        sha256_hex(SOURCES.concat().as_bytes())
    })
}

/// What reconcile keeps for the close report: the folded records, and the
/// shop's booked entries per day as of a ledger mark (counting a large
/// shop's bookings takes seconds; the mark says whether any changed since).
#[derive(serde::Serialize, serde::Deserialize)]
struct KeptBasis {
    basis: CloseBasis,
    ledger_mark: String,
    entries_by_day: Vec<(NaiveDate, u64)>,
}

impl KeptBasis {
    /// The booked entries dated in `period`, when the ledger still stands at the mark.
    fn entries_in(&self, period: Period, mark: &str) -> Option<u64> {
        (self.ledger_mark == mark).then(|| {
            self.entries_by_day
                .iter()
                .filter(|(d, _)| period.contains(*d))
                .map(|(_, n)| n)
                .sum()
        })
    }
}

/// Folds a matched shop and keeps it for the close report, with its
/// booked entries as they stand after the reconcile's writes.
pub async fn keep_close_basis(
    store: &dyn LedgerStore,
    books: &ShopBooks,
    fingerprint: &str,
    rate_cards: &RateCards,
) -> Result<(), ReconcileError> {
    let channel = books.shop.channel.as_str();
    // The mark first: entries booked while counting leave a mark that no
    // longer holds, never counts that look current.
    let ledger_mark = store.shop_ledger_mark(channel, &books.facts.shop).await?;
    let entries_by_day = store
        .booked_entries_by_day(channel, &books.facts.shop)
        .await?;
    let kept = KeptBasis {
        basis: CloseBasis::of(&books.shop, &books.facts, &books.matching, rate_cards),
        ledger_mark,
        entries_by_day,
    };
    let json = serde_json::to_string(&kept).expect("a close basis serializes");
    store
        .save_close_basis(
            books.shop.channel.as_str(),
            &books.facts.shop,
            fingerprint,
            &json,
        )
        .await?;
    Ok(())
}

/// The shop's payout checks with the day each was paid, from its kept
/// basis while that holds (what bank matching needs of a shop).
pub async fn kept_payouts(
    store: &dyn LedgerStore,
    mappings: &Mappings,
    shops: &Shops,
    rate_cards: &RateCards,
    channel: Channel,
    shop: &str,
) -> Result<Option<(BookingShop, Vec<(Option<NaiveDate>, PayoutCheck)>)>, ReconcileError> {
    Ok(
        kept_basis(store, mappings, shops, rate_cards, channel, shop)
            .await?
            .map(|(shop, kept)| {
                let payouts = kept
                    .basis
                    .payouts
                    .into_iter()
                    .map(|p| (p.paid_on, p.check))
                    .collect();
                (shop, payouts)
            }),
    )
}

/// The shop's kept basis, when its fingerprint still holds.
async fn kept_basis(
    store: &dyn LedgerStore,
    mappings: &Mappings,
    shops: &Shops,
    rate_cards: &RateCards,
    channel: Channel,
    shop: &str,
) -> Result<Option<(BookingShop, KeptBasis)>, ReconcileError> {
    let Some((fingerprint, json)) = store.close_basis(channel.as_str(), shop).await? else {
        return Ok(None);
    };
    let mark = store.shop_import_mark(shop).await?;
    if fingerprint != close_basis_fingerprint(&mark, mappings, shops, rate_cards, channel, shop)? {
        return Ok(None);
    }
    // A basis this build cannot read is only a cache missed.
    let Ok(kept) = serde_json::from_str::<KeptBasis>(&json) else {
        return Ok(None);
    };
    let booking_shop = match shops.get(shop).filter(|s| s.channel == channel) {
        Some(s) => BookingShop::from_shop(s),
        None => {
            let mut s = BookingShop::unconfigured(channel, kept.basis.currency);
            s.name = shop.to_string();
            s
        }
    };
    Ok(Some((booking_shop, kept)))
}
