//! The booking side of the store, for both backends (like `sql_impl`):
//! reading a shop's records whole for reconcile, reading only what one
//! order's or one payout's trail needs, the booking state, and writing
//! bookings with their entries in one transaction.

macro_rules! impl_sql_booking {
    ($store:ident, $tx:ident, $db:ty) => {
        const _: () = {
            use chrono::NaiveDate;

            use $crate::domain::hashing::HashedEntry;
            use $crate::domain::{EntryId, JournalEntry, StoredEntry};
            use $crate::store::rules::{self, LedgerTx};
            use $crate::store::{LedgerStore, StoreError};

            impl $store {
                pub(crate) async fn record_shops_impl(
                    &self,
                ) -> Result<Vec<($crate::domain::settlement::Channel, String)>, StoreError>
                {
                    use $crate::domain::settlement::Channel;
                    let rows: Vec<(String, String)> =
                        sqlx::query_as($crate::store::booking_sql::RECORD_SHOPS)
                            .fetch_all(&self.pool)
                            .await?;
                    rows.into_iter()
                        .map(|(c, s)| {
                            Channel::parse(&c)
                                .map(|c| (c, s))
                                .ok_or_else(|| StoreError::Corrupt(format!("channel `{c}`")))
                        })
                        .collect()
                }

                pub(crate) async fn shop_facts_impl(
                    &self,
                    channel: $crate::domain::settlement::Channel,
                    shop: &str,
                ) -> Result<$crate::domain::matching::ShopFacts, StoreError> {
                    self.read_shop_rows(channel.as_str(), shop)
                        .await?
                        .into_facts(channel, shop)
                }

                pub(crate) async fn booking_state_impl(
                    &self,
                    channel: &str,
                    shop: &str,
                ) -> Result<$crate::domain::booking::changes::BookingState, StoreError> {
                    Ok($crate::store::booking_sql::booking_state(
                        self.read_booking_rows(channel, shop).await?,
                    ))
                }

                pub(crate) async fn apply_bookings_impl(
                    &self,
                    channel: &str,
                    shop: &str,
                    writes: Vec<$crate::store::BookingWrite>,
                    actor: &str,
                ) -> Result<usize, StoreError> {
                    use $crate::store::booking_sql as q;
                    let mut tx = self.write_tx().await?;
                    // In order: each reversal (None: hashed below, all at
                    // once) and each booked entry (hashed ahead by the caller).
                    let mut slots: Vec<Option<HashedEntry>> = Vec::with_capacity(writes.len());
                    let mut reversals = Vec::new();
                    // (index in slots, subject, revision, basis) of each booked entry.
                    let mut booked = Vec::with_capacity(writes.len());
                    for w in writes {
                        if let Some(r) = &w.reverse {
                            let original = tx
                                .load_entry(r.entry)
                                .await?
                                .ok_or(StoreError::EntryNotFound(r.entry))?;
                            // Reversed already (by a reconcile running at the
                            // same time, or by hand): nothing left to reverse.
                            if tx.reversed_by(r.entry).await?.is_none() {
                                reversals
                                    .push(JournalEntry::reversal_of(&original, r.date, &r.reason));
                                slots.push(None);
                            }
                        }
                        if let Some((revision, basis, entry)) = w.book {
                            booked.push((slots.len(), w.subject, revision, basis));
                            slots.push(Some(entry));
                        }
                    }
                    let mut reversals = $crate::domain::hashing::hash_all(reversals).into_iter();
                    let entries: Vec<HashedEntry> = slots
                        .into_iter()
                        .map(|s| s.unwrap_or_else(|| reversals.next().expect("one per reversal")))
                        .collect();
                    let seqs = rules::post_batch_seqs(&mut tx, entries, actor).await?;
                    let written = seqs.iter().filter(|s| s.is_some()).count();
                    let mut rows = Vec::with_capacity(booked.len());
                    for (i, subject, revision, basis) in &booked {
                        // The same key and content already there: a reconcile
                        // running at the same time booked it, with its record.
                        let Some(seq) = seqs[*i] else {
                            continue;
                        };
                        rows.push(q::NewBooking {
                            entry_seq: seq.0,
                            channel,
                            shop,
                            subject: subject.as_str(),
                            revision: *revision,
                            basis_hash: basis,
                        });
                    }
                    let clock = std::time::Instant::now();
                    tx.insert_booking_rows(&rows).await?;
                    let bookings = clock.elapsed().as_secs_f64();
                    tx.tx.commit().await?;
                    tracing::debug!(
                        bookings,
                        committed = clock.elapsed().as_secs_f64() - bookings,
                        "wrote a batch of bookings"
                    );
                    Ok(written)
                }

                pub(crate) async fn booked_entries_impl(
                    &self,
                    channel: $crate::domain::settlement::Channel,
                    shop: &str,
                    from: NaiveDate,
                    to: NaiveDate,
                ) -> Result<u64, StoreError> {
                    let (n,): (i64,) = sqlx::query_as($crate::store::booking_sql::BOOKED_IN_RANGE)
                        .bind(channel.as_str())
                        .bind(shop)
                        .bind(from)
                        .bind(to)
                        .fetch_one(&self.pool)
                        .await?;
                    Ok(n as u64)
                }

                pub(crate) async fn shop_activity_impl(
                    &self,
                    channel: $crate::domain::settlement::Channel,
                    shop: &str,
                    from: NaiveDate,
                    to: NaiveDate,
                ) -> Result<Vec<$crate::store::ActivityTotals>, StoreError> {
                    use $crate::store::booking_sql as q;
                    let rows: Vec<q::ShopActivityRow> = sqlx::query_as(q::SHOP_ACTIVITY)
                        .bind(channel.as_str())
                        .bind(shop)
                        .bind(from)
                        .bind(to)
                        .fetch_all(&self.pool)
                        .await?;
                    q::activity(rows)
                }

                pub(crate) async fn entries_touching_impl(
                    &self,
                    order_id: Option<&str>,
                    payout_id: Option<&str>,
                ) -> Result<Vec<StoredEntry>, StoreError> {
                    use $crate::store::booking_sql as q;
                    let (sql, id) = match (order_id, payout_id) {
                        (Some(o), _) => (q::ENTRIES_OF_ORDER, o),
                        (None, Some(p)) => (q::ENTRIES_OF_PAYOUT, p),
                        (None, None) => return Ok(Vec::new()),
                    };
                    let seqs: Vec<(i64,)> =
                        sqlx::query_as(sql).bind(id).fetch_all(&self.pool).await?;
                    let mut tx = $tx {
                        tx: self.pool.begin().await?,
                    };
                    let mut out = Vec::with_capacity(seqs.len());
                    for (seq,) in seqs {
                        if let Some(e) = tx.load_entry(EntryId(seq)).await? {
                            out.push(e);
                        }
                    }
                    Ok(out)
                }

                pub(crate) async fn statement_facts(
                    &self,
                    channel: $crate::domain::settlement::Channel,
                    shop: &str,
                    ids: &std::collections::BTreeSet<String>,
                    statements: &mut Vec<$crate::domain::matching::StatementFact>,
                ) -> Result<(), StoreError> {
                    use $crate::store::booking_sql as q;
                    for id in ids {
                        if statements.iter().any(|s| &s.statement.statement_id == id) {
                            continue;
                        }
                        let row: Option<q::ShopStatementRow> = sqlx::query_as(q::STATEMENT_BY_ID)
                            .bind(channel.as_str())
                            .bind(shop)
                            .bind(id)
                            .fetch_optional(&self.pool)
                            .await?;
                        if let Some(r) = row {
                            statements.push(q::statement_fact(channel, r)?);
                        }
                    }
                    Ok(())
                }

                /// Statements and payout records of the payouts named.
                pub(crate) async fn payout_parts(
                    &self,
                    channel: $crate::domain::settlement::Channel,
                    shop: &str,
                    payout_ids: &std::collections::BTreeSet<String>,
                    statements: &mut Vec<$crate::domain::matching::StatementFact>,
                    payouts: &mut Vec<$crate::domain::matching::PayoutFact>,
                ) -> Result<(), StoreError> {
                    use $crate::store::booking_sql as q;
                    for p in payout_ids {
                        let rows: Vec<q::ShopStatementRow> =
                            sqlx::query_as(q::STATEMENTS_OF_PAYOUT)
                                .bind(channel.as_str())
                                .bind(shop)
                                .bind(p)
                                .fetch_all(&self.pool)
                                .await?;
                        for r in rows {
                            let st = q::statement_fact(channel, r)?;
                            if !statements
                                .iter()
                                .any(|s| s.statement.statement_id == st.statement.statement_id)
                            {
                                statements.push(st);
                            }
                        }
                        let record: Option<q::ShopPayoutRow> = sqlx::query_as(q::PAYOUT_BY_ID)
                            .bind(channel.as_str())
                            .bind(shop)
                            .bind(p)
                            .fetch_optional(&self.pool)
                            .await?;
                        if let Some(r) = record {
                            payouts.push(q::payout_fact(channel, r)?);
                        }
                    }
                    Ok(())
                }

                pub(crate) async fn order_facts_impl(
                    &self,
                    order_id: &str,
                ) -> Result<Vec<$crate::domain::matching::ShopFacts>, StoreError> {
                    use std::collections::{BTreeMap, BTreeSet};
                    use $crate::domain::matching::{OrderFact, ShopFacts};
                    use $crate::domain::settlement::Channel;
                    use $crate::store::booking_sql as q;
                    let rows: Vec<$crate::store::imports::LineRowOut> =
                        sqlx::query_as(q::LINES_OF_ORDER)
                            .bind(order_id)
                            .fetch_all(&self.pool)
                            .await?;
                    let names =
                        $crate::store::component_labels::names_for(&self.pool, &rows).await?;
                    let mut lines_of: BTreeMap<(String, String), Vec<_>> = BTreeMap::new();
                    for row in rows {
                        let (key, line) = q::line_fact(row, &names)?;
                        lines_of.entry(key).or_default().push(line);
                    }
                    let with_order: Vec<(String, String)> = sqlx::query_as(q::ORDER_SHOPS)
                        .bind(order_id)
                        .fetch_all(&self.pool)
                        .await?;
                    for key in with_order {
                        lines_of.entry(key).or_default();
                    }
                    let mut out = Vec::new();
                    for ((ch, shop), lines) in lines_of {
                        let channel = Channel::parse(&ch)
                            .ok_or_else(|| StoreError::Corrupt(format!("channel `{ch}`")))?;
                        let orders =
                            match LedgerStore::order(self, channel, &shop, order_id).await? {
                                Some(r) => vec![OrderFact {
                                    batch_id: r.batch_id,
                                    revision: r.revision,
                                    order: r.order,
                                }],
                                None => Vec::new(),
                            };
                        let ids: BTreeSet<String> =
                            lines.iter().map(|l| l.line.statement_id.clone()).collect();
                        let mut statements = Vec::new();
                        self.statement_facts(channel, &shop, &ids, &mut statements)
                            .await?;
                        let payout_ids: BTreeSet<String> = statements
                            .iter()
                            .filter_map(|s| {
                                s.statement.payout_id.clone().or_else(|| {
                                    s.statement
                                        .deposit_date
                                        .is_some()
                                        .then(|| s.statement.statement_id.clone())
                                })
                            })
                            .collect();
                        let mut payouts = Vec::new();
                        self.payout_parts(
                            channel,
                            &shop,
                            &payout_ids,
                            &mut statements,
                            &mut payouts,
                        )
                        .await?;
                        let mut outside_lines = BTreeMap::new();
                        for s in &statements {
                            let id = &s.statement.statement_id;
                            let (count, micros): (i64, i64) = sqlx::query_as(q::STATEMENT_TOTALS)
                                .bind(channel.as_str())
                                .bind(&shop)
                                .bind(id)
                                .fetch_one(&self.pool)
                                .await?;
                            let own: Vec<_> = lines
                                .iter()
                                .filter(|l| &l.line.statement_id == id)
                                .collect();
                            let own_net: rust_decimal::Decimal =
                                own.iter().map(|l| l.line.net()).sum();
                            outside_lines.insert(
                                id.clone(),
                                (
                                    count as usize - own.len(),
                                    $crate::store::amounts::from_micros(micros) - own_net,
                                ),
                            );
                        }
                        out.push(ShopFacts {
                            channel,
                            shop,
                            lines,
                            orders,
                            statements,
                            payouts,
                            outside_lines,
                        });
                    }
                    Ok(out)
                }

                pub(crate) async fn payout_facts_impl(
                    &self,
                    payout_id: &str,
                ) -> Result<Vec<$crate::domain::matching::ShopFacts>, StoreError> {
                    use std::collections::BTreeSet;
                    use $crate::domain::matching::ShopFacts;
                    use $crate::domain::settlement::Channel;
                    use $crate::store::booking_sql as q;
                    let shops: Vec<(String, String)> = sqlx::query_as(q::PAYOUT_SHOPS)
                        .bind(payout_id)
                        .fetch_all(&self.pool)
                        .await?;
                    let mut out = Vec::new();
                    for (ch, shop) in shops {
                        let channel = Channel::parse(&ch)
                            .ok_or_else(|| StoreError::Corrupt(format!("channel `{ch}`")))?;
                        let (mut statements, mut payouts) = (Vec::new(), Vec::new());
                        let ids: BTreeSet<String> = [payout_id.to_string()].into_iter().collect();
                        self.payout_parts(channel, &shop, &ids, &mut statements, &mut payouts)
                            .await?;
                        let mut lines = Vec::new();
                        let mut names = $crate::store::ComponentNames::new();
                        for s in &statements {
                            let rows: Vec<$crate::store::imports::LineRowOut> =
                                sqlx::query_as(q::LINES_OF_STATEMENT)
                                    .bind(channel.as_str())
                                    .bind(&shop)
                                    .bind(&s.statement.statement_id)
                                    .fetch_all(&self.pool)
                                    .await?;
                            $crate::store::component_labels::load(&self.pool, &mut names, &rows)
                                .await?;
                            for r in rows {
                                lines.push(q::line_fact(r, &names)?.1);
                            }
                        }
                        out.push(ShopFacts {
                            channel,
                            shop,
                            lines,
                            orders: Vec::new(),
                            statements,
                            payouts,
                            outside_lines: Default::default(),
                        });
                    }
                    Ok(out)
                }
            }
        };
    };
}

pub(crate) use impl_sql_booking;
