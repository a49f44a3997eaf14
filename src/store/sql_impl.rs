//! The `LedgerTx` and `LedgerStore` implementations both backends share.
//! The SQL is the same text on SQLite and PostgreSQL (see `sql`), so the code
//! is written once here and stamped out per backend: they cannot drift
//! apart. What differs — connecting, and how a write takes the ledger's
//! lock — stays in `sqlite.rs` and `postgres.rs`, which provide `BACKEND`,
//! `write_tx()` and a `pool` field.

macro_rules! impl_sql_store {
    ($store:ident, $tx:ident, $db:ty) => {
        const _: () = {
            use std::collections::{BTreeSet, HashMap};

            use async_trait::async_trait;
            use chrono::{NaiveDate, Utc};
            use futures_util::TryStreamExt;

            use $crate::domain::hashing::truncate_to_micros;
            use $crate::domain::line_dedupe::plan_lines;
            use $crate::domain::settlement::{ParsedFile, Timestamp};
            use $crate::domain::verify::PeriodSeal;
            use $crate::domain::{
                AccountTotals, ChartOfAccounts, EntryId, JournalEntry, Period, StoredEntry,
            };
            use $crate::store::amounts::{from_micros, to_micros};
            use $crate::store::batch_sql::{self, FoundKeys};
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
                    let mut found = FoundKeys::new();
                    for chunk in keys.chunks(batch_sql::KEY_CHUNK) {
                        let rows: Vec<(String, i64, String)> = batch_sql::find_keys::<$db>(chunk)
                            .build_query_as()
                            .fetch_all(&mut *self.tx)
                            .await?;
                        for (key, seq, hash) in rows {
                            found.insert(key, (EntryId(seq), hash));
                        }
                    }
                    Ok(found)
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
                    for chunk in entries.chunks(batch_sql::CHUNK_ROWS) {
                        batch_sql::insert_entries::<$db>(chunk)
                            .build()
                            .execute(&mut *self.tx)
                            .await?;
                    }
                    let rows = batch_sql::posting_rows(entries)?;
                    for chunk in rows.chunks(batch_sql::CHUNK_ROWS) {
                        batch_sql::insert_postings::<$db>(chunk)
                            .build()
                            .execute(&mut *self.tx)
                            .await?;
                    }
                    Ok(())
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
                    Ok(row.map(|(content,)| content))
                }

                async fn record_import(
                    &self,
                    batch: &NewBatch,
                    content: &[u8],
                    parsed: &ParsedFile,
                ) -> Result<BatchSummary, StoreError> {
                    let mut tx = self.write_tx().await?;
                    let conn = &mut *tx.tx;
                    let channel = batch.channel.as_str();
                    let shop = batch.shop.as_str();
                    if let Some(existing) =
                        sqlx::query_as::<_, BatchSummary>(&sql::batch_by_sha256())
                            .bind(&batch.sha256)
                            .fetch_optional(&mut *conn)
                            .await?
                    {
                        return Err(StoreError::AlreadyImported {
                            batch: existing.id,
                            file_name: existing.file_name,
                        });
                    }
                    let mut conflicts = Vec::new();
                    let mut new_statements = Vec::new();
                    for st in &parsed.statements {
                        let declared = st.declared_total.map(to_micros).transpose()?;
                        let found: Option<(String, Option<i64>)> =
                            sqlx::query_as(sql::FIND_STATEMENT)
                                .bind(channel)
                                .bind(shop)
                                .bind(&st.statement_id)
                                .fetch_optional(&mut *conn)
                                .await?;
                        match found {
                            None => new_statements.push((st, declared)),
                            Some((currency, total))
                                if currency == st.currency.code() && total == declared => {}
                            Some((currency, total)) => conflicts.push(format!(
                                "statement {} was imported before as {} {} and is now {} {}",
                                st.statement_id,
                                total
                                    .map(|t| from_micros(t).to_string())
                                    .unwrap_or_else(|| "(no total)".into()),
                                currency,
                                st.declared_total
                                    .map(|t| t.to_string())
                                    .unwrap_or_else(|| "(no total)".into()),
                                st.currency
                            )),
                        }
                    }
                    let identities: Vec<String> =
                        parsed.lines.iter().map(|l| l.identity()).collect();
                    let mut unique: Vec<&str> = identities.iter().map(String::as_str).collect();
                    unique.sort_unstable();
                    unique.dedup();
                    let mut stored: HashMap<String, Vec<String>> = HashMap::new();
                    for chunk in unique.chunks(batch_sql::KEY_CHUNK) {
                        let rows: Vec<(String, String)> =
                            batch_sql::stored_identities::<$db>(channel, shop, chunk)
                                .build_query_as()
                                .fetch_all(&mut *conn)
                                .await?;
                        for (identity, hash) in rows {
                            stored.entry(identity).or_default().push(hash);
                        }
                    }
                    let plan = plan_lines(&parsed.lines, &stored);
                    conflicts.extend(plan.conflicts.iter().map(|c| c.to_string()));
                    if !conflicts.is_empty() {
                        return Err(StoreError::ImportConflicts(conflicts));
                    }

                    let header = serde_json::to_string(&parsed.header).expect("strings serialize");
                    let (batch_id,): (i64,) = sqlx::query_as(sql::INSERT_BATCH)
                        .bind(&batch.file_name)
                        .bind(&batch.sha256)
                        .bind(content.len() as i64)
                        .bind(&batch.source_kind)
                        .bind(shop)
                        .bind(&batch.imported_by)
                        .bind(truncate_to_micros(Utc::now()))
                        .bind(header)
                        .bind(parsed.rows_read as i64)
                        .bind(plan.new.len() as i64)
                        .bind(plan.duplicates as i64)
                        .fetch_one(&mut *conn)
                        .await?;
                    sqlx::query(sql::INSERT_FILE)
                        .bind(batch_id)
                        .bind(content)
                        .execute(&mut *conn)
                        .await?;
                    for (st, declared) in new_statements {
                        let raw = |t: &Option<Timestamp>| t.as_ref().map(|t| t.raw.clone());
                        let utc = |t: &Option<Timestamp>| t.as_ref().map(|t| t.utc);
                        sqlx::query(sql::INSERT_STATEMENT)
                            .bind(channel)
                            .bind(shop)
                            .bind(&st.statement_id)
                            .bind(&st.payout_id)
                            .bind(st.currency.code())
                            .bind(declared)
                            .bind(raw(&st.period_start))
                            .bind(utc(&st.period_start))
                            .bind(raw(&st.period_end))
                            .bind(utc(&st.period_end))
                            .bind(raw(&st.deposit_date))
                            .bind(utc(&st.deposit_date))
                            .bind(batch_id)
                            .bind(st.source.as_ref().map(|s| s.row as i64))
                            .bind(st.source.as_ref().map(|s| {
                                serde_json::to_string(&s.cells).expect("strings serialize")
                            }))
                            .execute(&mut *conn)
                            .await?;
                    }
                    for new in &plan.new {
                        let line = &parsed.lines[new.index];
                        let (line_id,): (i64,) = sqlx::query_as(sql::INSERT_LINE)
                            .bind(channel)
                            .bind(shop)
                            .bind(&line.statement_id)
                            .bind(&identities[new.index])
                            .bind(new.occurrence)
                            .bind(line.content_hash())
                            .bind(&line.transaction_type)
                            .bind(&line.order_id)
                            .bind(&line.adjustment_id)
                            .bind(line.posted_at.as_ref().map(|t| t.raw.clone()))
                            .bind(line.posted_at.as_ref().map(|t| t.utc))
                            .bind(line.currency.code())
                            .bind(to_micros(line.net())?)
                            .bind(batch_id)
                            .fetch_one(&mut *conn)
                            .await?;
                        let components = line
                            .components
                            .iter()
                            .enumerate()
                            .map(|(i, c)| {
                                Ok((
                                    i as i64 + 1,
                                    c.code.as_str(),
                                    c.label.as_str(),
                                    to_micros(c.amount)?,
                                ))
                            })
                            .collect::<Result<Vec<_>, StoreError>>()?;
                        if !components.is_empty() {
                            batch_sql::insert_components::<$db>(line_id, &components)
                                .build()
                                .execute(&mut *conn)
                                .await?;
                        }
                        let rows: Vec<_> = line
                            .rows
                            .iter()
                            .enumerate()
                            .map(|(i, r)| {
                                (
                                    i as i64 + 1,
                                    r.sheet.as_deref(),
                                    r.row as i64,
                                    serde_json::to_string(&r.cells).expect("strings serialize"),
                                )
                            })
                            .collect();
                        batch_sql::insert_line_rows::<$db>(line_id, &rows)
                            .build()
                            .execute(&mut *conn)
                            .await?;
                    }
                    let summary = sqlx::query_as::<_, BatchSummary>(&sql::batch_by_id())
                        .bind(batch_id)
                        .fetch_one(&mut *conn)
                        .await?;
                    tx.tx.commit().await?;
                    Ok(summary)
                }
            }
        };
    };
}

pub(crate) use impl_sql_store;
