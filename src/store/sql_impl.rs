//! The `LedgerTx` and `LedgerStore` implementations both backends share.
//! The SQL is the same text on SQLite and PostgreSQL (see `sql`), so the code
//! is written once here and stamped out per backend: they cannot drift
//! apart. What differs — connecting, and how a write takes the ledger's
//! lock — stays in `sqlite.rs` and `postgres.rs`, which provide `BACKEND`,
//! `write_tx()` and a `pool` field.

macro_rules! impl_sql_store {
    ($store:ident, $tx:ident, $db:ty) => {
        const _: () = {
            use std::collections::BTreeSet;

            use async_trait::async_trait;
            use chrono::{NaiveDate, Utc};
            use futures_util::TryStreamExt;

            use $crate::domain::verify::PeriodSeal;
            use $crate::domain::{
                AccountTotals, ChartOfAccounts, EntryId, JournalEntry, Period, StoredEntry,
            };
            use $crate::store::batch_sql::FoundKeys;
            use $crate::store::rows::{
                AccountRow, EntryAssembler, EntryRow, JoinedRow, PeriodEventRow, PostingRow,
                SealRow, TotalsRow,
            };
            use $crate::store::rules::{self, LedgerTx};
            use $crate::store::{
                sql, Backend, ChartSync, EntryFilter, LedgerCounts, LedgerStore, PeriodState,
                Posted, StoreError, TotalsQuery,
            };
            use $crate::store::{BatchSummary, NewBatch};

            #[async_trait]
            impl LedgerTx for $tx {
                async fn find_keys(&mut self, keys: &[&str]) -> Result<FoundKeys, StoreError> {
                    self.find_key_rows(keys).await
                }

                async fn load_entry(
                    &mut self,
                    id: EntryId,
                ) -> Result<Option<StoredEntry>, StoreError> {
                    let Some(entry) = sqlx::query_as::<_, EntryRow>(&sql::entry_by_seq())
                        .bind(id.0)
                        .fetch_optional(&mut *self.tx)
                        .await?
                    else {
                        return Ok(None);
                    };
                    let postings = sqlx::query_as::<_, PostingRow>(&sql::postings_of())
                        .bind(id.0)
                        .fetch_all(&mut *self.tx)
                        .await?;
                    entry.into_stored(postings).map(Some)
                }

                async fn reversed_by(
                    &mut self,
                    id: EntryId,
                ) -> Result<Option<EntryId>, StoreError> {
                    let row: Option<(i64,)> = sqlx::query_as(sql::REVERSED_BY)
                        .bind(id.0)
                        .fetch_optional(&mut *self.tx)
                        .await?;
                    Ok(row.map(|(seq,)| EntryId(seq)))
                }

                async fn closed_periods(&mut self) -> Result<BTreeSet<Period>, StoreError> {
                    let rows: Vec<(String,)> = sqlx::query_as(sql::CLOSED_PERIODS)
                        .fetch_all(&mut *self.tx)
                        .await?;
                    rows.into_iter()
                        .map(|(p,)| p.parse().map_err(|e| StoreError::Corrupt(format!("{e}"))))
                        .collect()
                }

                async fn head(&mut self) -> Result<(i64, String), StoreError> {
                    Ok(sqlx::query_as(sql::HEAD).fetch_one(&mut *self.tx).await?)
                }

                async fn insert_entries(
                    &mut self,
                    entries: &[StoredEntry],
                ) -> Result<(), StoreError> {
                    // Each backend's fastest bulk path (sqlite.rs, postgres.rs).
                    self.insert_entry_rows(entries).await
                }

                async fn set_head(&mut self, seq: i64, hash: &str) -> Result<(), StoreError> {
                    sqlx::query(sql::SET_HEAD)
                        .bind(seq)
                        .bind(hash)
                        .execute(&mut *self.tx)
                        .await?;
                    Ok(())
                }

                async fn account_totals(
                    &mut self,
                    query: TotalsQuery,
                ) -> Result<Vec<AccountTotals>, StoreError> {
                    let sql = sql::account_totals(&query);
                    let mut q = sqlx::query_as::<_, TotalsRow>(&sql);
                    if let Some(from) = query.from {
                        q = q.bind(from);
                    }
                    if let Some(to) = query.to {
                        q = q.bind(to);
                    }
                    if let Some(max) = query.max_seq {
                        q = q.bind(max);
                    }
                    q.fetch_all(&mut *self.tx)
                        .await?
                        .into_iter()
                        .map(TotalsRow::into_totals)
                        .collect()
                }

                async fn insert_close(
                    &mut self,
                    seal: &PeriodSeal,
                    actor: &str,
                ) -> Result<(), StoreError> {
                    sqlx::query(sql::INSERT_CLOSE)
                        .bind(seal.period.to_string())
                        .bind(actor)
                        .bind(seal.closed_at)
                        .bind(seal.head_seq)
                        .bind(&seal.head_hash)
                        .bind(&seal.seal_hash)
                        .execute(&mut *self.tx)
                        .await?;
                    Ok(())
                }

                async fn insert_reopen(
                    &mut self,
                    period: Period,
                    reason: &str,
                    actor: &str,
                ) -> Result<(), StoreError> {
                    sqlx::query(sql::INSERT_REOPEN)
                        .bind(period.to_string())
                        .bind(reason)
                        .bind(actor)
                        .bind(Utc::now())
                        .execute(&mut *self.tx)
                        .await?;
                    Ok(())
                }
            }

            #[async_trait]
            impl LedgerStore for $store {
                fn backend(&self) -> Backend {
                    <$store>::BACKEND
                }

                async fn close(&self) {
                    self.pool.close().await;
                }

                async fn sync_chart(
                    &self,
                    chart: &ChartOfAccounts,
                ) -> Result<ChartSync, StoreError> {
                    let mut tx = self.write_tx().await?.tx;
                    let existing: Vec<AccountRow> =
                        sqlx::query_as(sql::ACCOUNTS).fetch_all(&mut *tx).await?;
                    let existing: Vec<_> = existing
                        .into_iter()
                        .map(AccountRow::into_account)
                        .collect::<Result<_, _>>()?;
                    let plan = super::chart_sync::plan(chart, &existing);
                    for change in &plan.type_changes {
                        let used: Option<(i64,)> = sqlx::query_as(sql::ACCOUNT_HAS_POSTINGS)
                            .bind(change.code.as_str())
                            .fetch_optional(&mut *tx)
                            .await?;
                        if used.is_some() {
                            return Err(change.clone().into_error());
                        }
                    }
                    for a in &plan.writes {
                        sqlx::query(sql::UPSERT_ACCOUNT)
                            .bind(a.code.as_str())
                            .bind(&a.name)
                            .bind(a.account_type.as_str())
                            .bind(&a.netsuite_id)
                            .bind(a.active)
                            .bind(Utc::now())
                            .execute(&mut *tx)
                            .await?;
                    }
                    tx.commit().await?;
                    Ok(plan.summary)
                }

                async fn chart(&self) -> Result<ChartOfAccounts, StoreError> {
                    let rows: Vec<AccountRow> =
                        sqlx::query_as(sql::ACCOUNTS).fetch_all(&self.pool).await?;
                    super::chart_sync::chart_from_rows(rows)
                }

                async fn post_batch(
                    &self,
                    entries: &[JournalEntry],
                    actor: &str,
                ) -> Result<Vec<Posted>, StoreError> {
                    let mut tx = self.write_tx().await?;
                    let posted = rules::post_batch(&mut tx, entries, actor).await?;
                    tx.tx.commit().await?;
                    Ok(posted)
                }

                async fn reverse(
                    &self,
                    id: EntryId,
                    date: Option<NaiveDate>,
                    reason: &str,
                    actor: &str,
                ) -> Result<StoredEntry, StoreError> {
                    let mut tx = self.write_tx().await?;
                    let entry = rules::reverse(&mut tx, id, date, reason, actor).await?;
                    tx.tx.commit().await?;
                    Ok(entry)
                }

                async fn entry(&self, id: EntryId) -> Result<Option<StoredEntry>, StoreError> {
                    let mut tx = $tx {
                        tx: self.pool.begin().await?,
                    };
                    tx.load_entry(id).await
                }

                async fn entry_by_key(&self, key: &str) -> Result<Option<StoredEntry>, StoreError> {
                    let mut tx = $tx {
                        tx: self.pool.begin().await?,
                    };
                    match tx.find_keys(&[key]).await?.remove(key) {
                        Some((id, _)) => tx.load_entry(id).await,
                        None => Ok(None),
                    }
                }

                async fn reversed_by(&self, id: EntryId) -> Result<Option<EntryId>, StoreError> {
                    let row: Option<(i64,)> = sqlx::query_as(sql::REVERSED_BY)
                        .bind(id.0)
                        .fetch_optional(&self.pool)
                        .await?;
                    Ok(row.map(|(seq,)| EntryId(seq)))
                }

                async fn for_each_entry(
                    &self,
                    filter: EntryFilter,
                    visit: &mut (dyn FnMut(StoredEntry) -> Result<(), StoreError> + Send),
                ) -> Result<(), StoreError> {
                    let sql =
                        sql::entries_with_postings((filter.from.is_some(), filter.to.is_some()));
                    let mut q = sqlx::query_as::<_, JoinedRow>(&sql);
                    if let Some(from) = filter.from {
                        q = q.bind(from);
                    }
                    if let Some(to) = filter.to {
                        q = q.bind(to);
                    }
                    let mut rows = q.fetch(&self.pool);
                    let mut assembler = EntryAssembler::default();
                    while let Some(row) = rows.try_next().await? {
                        if let Some(entry) = assembler.push(row)? {
                            visit(entry)?;
                        }
                    }
                    if let Some(entry) = assembler.finish()? {
                        visit(entry)?;
                    }
                    Ok(())
                }

                async fn account_totals(
                    &self,
                    query: TotalsQuery,
                ) -> Result<Vec<AccountTotals>, StoreError> {
                    let mut tx = $tx {
                        tx: self.pool.begin().await?,
                    };
                    tx.account_totals(query).await
                }

                async fn head(&self) -> Result<Option<(i64, String)>, StoreError> {
                    let head: (i64, String) =
                        sqlx::query_as(sql::HEAD).fetch_one(&self.pool).await?;
                    Ok(Some(head))
                }

                async fn counts(&self) -> Result<LedgerCounts, StoreError> {
                    let (entries, postings, accounts): (i64, i64, i64) =
                        sqlx::query_as(sql::COUNTS).fetch_one(&self.pool).await?;
                    Ok(LedgerCounts {
                        entries: entries as u64,
                        postings: postings as u64,
                        accounts: accounts as u64,
                    })
                }

                async fn close_period(
                    &self,
                    period: Period,
                    actor: &str,
                ) -> Result<PeriodSeal, StoreError> {
                    let mut tx = self.write_tx().await?;
                    let seal = rules::close_period(&mut tx, period, actor).await?;
                    tx.tx.commit().await?;
                    Ok(seal)
                }

                async fn reopen_period(
                    &self,
                    period: Period,
                    reason: &str,
                    actor: &str,
                ) -> Result<(), StoreError> {
                    let mut tx = self.write_tx().await?;
                    rules::reopen_period(&mut tx, period, reason, actor).await?;
                    tx.tx.commit().await?;
                    Ok(())
                }

                async fn period_states(&self) -> Result<Vec<PeriodState>, StoreError> {
                    let rows: Vec<PeriodEventRow> = sqlx::query_as(sql::PERIOD_STATES)
                        .fetch_all(&self.pool)
                        .await?;
                    rows.into_iter().map(PeriodEventRow::into_state).collect()
                }

                async fn seals(&self) -> Result<Vec<PeriodSeal>, StoreError> {
                    let rows: Vec<SealRow> =
                        sqlx::query_as(sql::SEALS).fetch_all(&self.pool).await?;
                    rows.into_iter().map(SealRow::into_seal).collect()
                }

                async fn batch_by_sha256(
                    &self,
                    sha256: &str,
                ) -> Result<Option<BatchSummary>, StoreError> {
                    Ok(sqlx::query_as(&sql::batch_by_sha256())
                        .bind(sha256)
                        .fetch_optional(&self.pool)
                        .await?)
                }

                async fn batch_file(&self, batch_id: i64) -> Result<Option<Vec<u8>>, StoreError> {
                    let row: Option<(Vec<u8>,)> = sqlx::query_as(sql::BATCH_FILE)
                        .bind(batch_id)
                        .fetch_optional(&self.pool)
                        .await?;
                    if let Some((content,)) = row {
                        return Ok(Some(content));
                    }
                    let chunks: Vec<(i64, String, Vec<u8>)> = sqlx::query_as(sql::FILE_CHUNKS)
                        .bind(batch_id)
                        .fetch_all(&self.pool)
                        .await?;
                    if chunks.is_empty() {
                        let known = sqlx::query_as::<_, BatchSummary>(&sql::batch_by_id())
                            .bind(batch_id)
                            .fetch_optional(&self.pool)
                            .await?;
                        // An empty file has no chunks but is a file all the same.
                        return Ok(known.map(|_| Vec::new()));
                    }
                    let mut file = Vec::new();
                    for (seq, encoding, bytes) in chunks {
                        $crate::store::evidence::decode_into(
                            batch_id, seq, &encoding, &bytes, &mut file,
                        )?;
                    }
                    Ok(Some(file))
                }

                async fn lines_of_batch(
                    &self,
                    batch_id: i64,
                ) -> Result<Vec<$crate::store::StoredLine>, StoreError> {
                    let rows: Vec<$crate::store::imports::LineRowOut> =
                        sqlx::query_as($crate::store::imports::LINES_OF_BATCH)
                            .bind(batch_id)
                            .fetch_all(&self.pool)
                            .await?;
                    let names =
                        $crate::store::component_labels::names_for(&self.pool, &rows).await?;
                    rows.into_iter()
                        .map(|r| $crate::store::imports::stored_line(r, &names))
                        .collect()
                }

                async fn batches(&self) -> Result<Vec<BatchSummary>, StoreError> {
                    let sql = format!("{} ORDER BY b.id", $crate::store::imports::BATCH_SELECT);
                    Ok(sqlx::query_as::<_, BatchSummary>(&sql)
                        .fetch_all(&self.pool)
                        .await?)
                }

                async fn order(
                    &self,
                    channel: $crate::domain::settlement::Channel,
                    shop: &str,
                    order_id: &str,
                ) -> Result<Option<$crate::store::OrderRecord>, StoreError> {
                    use $crate::store::order_read as q;
                    let Some(row): Option<q::OrderRow> = sqlx::query_as(q::LATEST_ORDER)
                        .bind(channel.as_str())
                        .bind(shop)
                        .bind(order_id)
                        .fetch_optional(&self.pool)
                        .await?
                    else {
                        return Ok(None);
                    };
                    let id = row.0;
                    let lines: Vec<q::LineRow> = sqlx::query_as(q::ORDER_LINES)
                        .bind(id)
                        .fetch_all(&self.pool)
                        .await?;
                    let amounts: Vec<q::AmountRow> = sqlx::query_as(q::ORDER_AMOUNTS)
                        .bind(id)
                        .fetch_all(&self.pool)
                        .await?;
                    let rows: Vec<q::RowRow> = sqlx::query_as(q::ORDER_ROWS)
                        .bind(id)
                        .fetch_all(&self.pool)
                        .await?;
                    let observation: Option<(Option<String>, Option<i64>)> =
                        sqlx::query_as(q::LATEST_OBSERVATION)
                            .bind(id)
                            .fetch_optional(&self.pool)
                            .await?;
                    q::order_record(channel, order_id, row, lines, amounts, rows, observation)
                        .map(Some)
                }

                async fn bank_lines(
                    &self,
                    bank: &str,
                    from: chrono::NaiveDate,
                    to: chrono::NaiveDate,
                ) -> Result<Vec<$crate::store::StoredBankLine>, StoreError> {
                    let rows: Vec<$crate::store::bank_sql::BankLineRow> =
                        sqlx::query_as($crate::store::bank_sql::BANK_LINES)
                            .bind(bank)
                            .bind(from)
                            .bind(to)
                            .fetch_all(&self.pool)
                            .await?;
                    Ok(rows
                        .into_iter()
                        .map($crate::store::bank_sql::bank_line)
                        .collect())
                }

                async fn bank_statements(
                    &self,
                    bank: &str,
                ) -> Result<Vec<$crate::store::StoredBankStatement>, StoreError> {
                    let rows: Vec<$crate::store::bank_sql::BankStatementRow> =
                        sqlx::query_as($crate::store::bank_sql::BANK_STATEMENTS)
                            .bind(bank)
                            .fetch_all(&self.pool)
                            .await?;
                    Ok(rows
                        .into_iter()
                        .map($crate::store::bank_sql::bank_statement)
                        .collect())
                }

                async fn queue_documents(
                    &self,
                    docs: &[$crate::store::NewOutboxDocument],
                ) -> Result<usize, StoreError> {
                    self.queue_documents_impl(docs).await
                }

                async fn queued_entry_seqs(
                    &self,
                    from: chrono::NaiveDate,
                    to: chrono::NaiveDate,
                ) -> Result<std::collections::HashSet<i64>, StoreError> {
                    self.queued_entry_seqs_impl(from, to).await
                }

                async fn outbox_documents(
                    &self,
                    statuses: &[$crate::store::OutboxStatus],
                    from: chrono::NaiveDate,
                    to: chrono::NaiveDate,
                ) -> Result<Vec<$crate::store::OutboxDocument>, StoreError> {
                    self.outbox_documents_impl(statuses, from, to).await
                }

                async fn outbox_document_of_entry(
                    &self,
                    seq: i64,
                ) -> Result<Option<$crate::store::OutboxDocument>, StoreError> {
                    self.outbox_document_of_entry_impl(seq).await
                }

                async fn record_outbox_outcome(
                    &self,
                    external_id: &str,
                    outcome: &$crate::store::OutboxOutcome,
                ) -> Result<(), StoreError> {
                    self.record_outbox_outcome_impl(external_id, outcome).await
                }

                async fn claim_document(
                    &self,
                    external_id: &str,
                    holder: &str,
                    until: chrono::DateTime<chrono::Utc>,
                ) -> Result<bool, StoreError> {
                    self.claim_document_impl(external_id, holder, until).await
                }

                async fn release_document(
                    &self,
                    external_id: &str,
                    holder: &str,
                ) -> Result<(), StoreError> {
                    self.release_document_impl(external_id, holder).await
                }

                async fn netsuite_posted_entries(
                    &self,
                    channel: $crate::domain::settlement::Channel,
                    shop: &str,
                    from: chrono::NaiveDate,
                    to: chrono::NaiveDate,
                ) -> Result<u64, StoreError> {
                    self.netsuite_posted_entries_impl(channel.as_str(), shop, from, to)
                        .await
                }

                async fn outbox_counts(
                    &self,
                    from: chrono::NaiveDate,
                    to: chrono::NaiveDate,
                ) -> Result<$crate::store::OutboxCounts, StoreError> {
                    self.outbox_counts_impl(from, to).await
                }

                async fn record_shops(
                    &self,
                ) -> Result<Vec<($crate::domain::settlement::Channel, String)>, StoreError>
                {
                    self.record_shops_impl().await
                }

                async fn shop_facts(
                    &self,
                    channel: $crate::domain::settlement::Channel,
                    shop: &str,
                ) -> Result<$crate::domain::matching::ShopFacts, StoreError> {
                    self.shop_facts_impl(channel, shop).await
                }

                async fn order_facts(
                    &self,
                    order_id: &str,
                ) -> Result<Vec<$crate::domain::matching::ShopFacts>, StoreError> {
                    self.order_facts_impl(order_id).await
                }

                async fn payout_facts(
                    &self,
                    payout_id: &str,
                ) -> Result<Vec<$crate::domain::matching::ShopFacts>, StoreError> {
                    self.payout_facts_impl(payout_id).await
                }

                async fn booking_state(
                    &self,
                    channel: &str,
                    shop: &str,
                ) -> Result<$crate::domain::booking::changes::BookingState, StoreError> {
                    self.booking_state_impl(channel, shop).await
                }

                async fn apply_bookings(
                    &self,
                    channel: &str,
                    shop: &str,
                    writes: Vec<$crate::store::BookingWrite>,
                    actor: &str,
                ) -> Result<usize, StoreError> {
                    self.apply_bookings_impl(channel, shop, writes, actor).await
                }

                async fn booked_entries(
                    &self,
                    channel: $crate::domain::settlement::Channel,
                    shop: &str,
                    from: NaiveDate,
                    to: NaiveDate,
                ) -> Result<u64, StoreError> {
                    self.booked_entries_impl(channel, shop, from, to).await
                }

                async fn shop_activity(
                    &self,
                    channel: $crate::domain::settlement::Channel,
                    shop: &str,
                    from: NaiveDate,
                    to: NaiveDate,
                ) -> Result<Vec<$crate::store::ActivityTotals>, StoreError> {
                    self.shop_activity_impl(channel, shop, from, to).await
                }

                async fn entries_touching(
                    &self,
                    order_id: Option<&str>,
                    payout_id: Option<&str>,
                ) -> Result<Vec<StoredEntry>, StoreError> {
                    self.entries_touching_impl(order_id, payout_id).await
                }

                async fn begin_import(
                    &self,
                    batch: &NewBatch,
                ) -> Result<Box<dyn $crate::store::ImportWriter>, StoreError> {
                    let tx = self.write_tx().await?;
                    tx.begin_import_tx(batch).await
                }
            }
        };
    };
}

pub(crate) use impl_sql_store;
