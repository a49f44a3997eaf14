//! Recording an imported file as it streams in, written once for both
//! backends (like `sql_impl`). One transaction holds the whole file: the
//! batch row first (so lines can name it), then the original bytes in
//! chunks, statements, settlement lines, payouts and orders as they come —
//! only what is new — and at the end the results. Anything that conflicts
//! with what is stored is collected on the way and refuses the whole file
//! at `finish`; a writer dropped before `finish` rolls everything back.

macro_rules! impl_sql_import {
    ($tx:ident, $db:ty) => {
        const _: () = {
            use std::collections::HashMap;

            use async_trait::async_trait;
            use chrono::Utc;

            use $crate::domain::hashing::truncate_to_micros;
            use $crate::domain::line_dedupe::{LineDecision, LineDeduper};
            use $crate::domain::order::{plan_orders, Order, StoredOrder};
            use $crate::domain::payout::Payout;
            use $crate::domain::settlement::{FileSummary, SourceRow, Statement, Timestamp};
            use $crate::store::amounts::{from_micros, to_micros};
            use $crate::store::{batch_sql, import_sql};
            use $crate::store::{
                sql, BatchSummary, ComponentLabel, ImportWriter, NewBatch, PreparedLine, StoreError,
            };

            fn raw(t: &Option<Timestamp>) -> Option<String> {
                t.as_ref().map(|t| t.raw.clone())
            }
            fn utc(t: &Option<Timestamp>) -> Option<chrono::DateTime<Utc>> {
                t.as_ref().map(|t| t.utc)
            }
            fn cells_json(cells: &[String]) -> String {
                serde_json::to_string(cells).expect("strings serialize")
            }
            fn rows_json(rows: &[SourceRow]) -> Vec<(i64, Option<&str>, i64, String)> {
                rows.iter()
                    .enumerate()
                    .map(|(i, r)| {
                        (
                            i as i64 + 1,
                            r.sheet.as_deref(),
                            r.row as i64,
                            cells_json(&r.cells),
                        )
                    })
                    .collect()
            }

            #[derive(Default)]
            struct Counts {
                bank_lines_duplicate: i64,
                statements_new: i64,
                lines_new: i64,
                orders_new: i64,
                orders_duplicate: i64,
                orders_revised: i64,
                payouts_new: i64,
                payouts_duplicate: i64,
            }

            struct Writer {
                tx: $tx,
                batch_id: i64,
                channel: &'static str,
                shop: String,
                content_seq: i64,
                /// The id the last line written got.
                next_line_id: i64,
                /// Whether each statement met had lines stored before this import.
                statement_had_lines: HashMap<String, bool>,
                lines: LineDeduper,
                statements_in_file: HashMap<String, (String, Option<i64>)>,
                payouts_in_file: HashMap<String, (String, i64)>,
                orders_in_file: HashMap<String, String>,
                conflicts: Vec<String>,
                counts: Counts,
            }

            impl $tx {
                /// Starts recording `batch`; nothing is visible to others
                /// until the writer's `finish` commits.
                pub(super) async fn begin_import_tx(
                    mut self,
                    batch: &NewBatch,
                ) -> Result<Box<dyn ImportWriter>, StoreError> {
                    let conn = &mut *self.tx;
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
                    let (batch_id,): (i64,) = sqlx::query_as(sql::INSERT_BATCH)
                        .bind(&batch.file_name)
                        .bind(&batch.sha256)
                        .bind(batch.size_bytes)
                        .bind(&batch.source_kind)
                        .bind(&batch.shop)
                        .bind(&batch.imported_by)
                        .bind(truncate_to_micros(Utc::now()))
                        .bind("[]")
                        .bind(0i64)
                        .bind(0i64)
                        .bind(0i64)
                        .fetch_one(&mut *conn)
                        .await?;
                    let (last_line_id,): (i64,) = sqlx::query_as(sql::LAST_LINE_ID)
                        .fetch_one(&mut *conn)
                        .await?;
                    Ok(Box::new(Writer {
                        tx: self,
                        batch_id,
                        channel: batch.channel.map(|c| c.as_str()).unwrap_or(""),
                        shop: batch.shop.clone(),
                        content_seq: 0,
                        next_line_id: last_line_id,
                        statement_had_lines: HashMap::new(),
                        lines: LineDeduper::default(),
                        statements_in_file: HashMap::new(),
                        payouts_in_file: HashMap::new(),
                        orders_in_file: HashMap::new(),
                        conflicts: Vec::new(),
                        counts: Counts::default(),
                    }))
                }
            }

            #[async_trait]
            impl ImportWriter for Writer {
                async fn add_content(
                    &mut self,
                    chunk: &$crate::store::evidence::FileChunk,
                ) -> Result<(), StoreError> {
                    self.content_seq += 1;
                    sqlx::query(sql::INSERT_FILE_CHUNK)
                        .bind(self.batch_id)
                        .bind(self.content_seq)
                        .bind(chunk.encoding.as_str())
                        .bind(&chunk.bytes)
                        .execute(&mut *self.tx.tx)
                        .await?;
                    Ok(())
                }

                async fn add_statements(
                    &mut self,
                    statements: &[Statement],
                ) -> Result<(), StoreError> {
                    let conn = &mut *self.tx.tx;
                    for st in statements {
                        let declared = st.declared_total.map(to_micros).transpose()?;
                        let this = (st.currency.code().to_string(), declared);
                        let found: Option<(String, Option<i64>)> =
                            match self.statements_in_file.get(&st.statement_id) {
                                Some(seen) => Some(seen.clone()),
                                None => {
                                    sqlx::query_as(sql::FIND_STATEMENT)
                                        .bind(self.channel)
                                        .bind(&self.shop)
                                        .bind(&st.statement_id)
                                        .fetch_optional(&mut *conn)
                                        .await?
                                }
                            };
                        match found {
                            None => {
                                sqlx::query(sql::INSERT_STATEMENT)
                                    .bind(self.channel)
                                    .bind(&self.shop)
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
                                    .bind(self.batch_id)
                                    .bind(st.source.as_ref().map(|s| s.row as i64))
                                    .bind(st.source.as_ref().map(|s| cells_json(&s.cells)))
                                    .execute(&mut *conn)
                                    .await?;
                                self.counts.statements_new += 1;
                            }
                            Some(before) if before == this => {}
                            Some((currency, total)) => self.conflicts.push(format!(
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
                        self.statements_in_file
                            .insert(st.statement_id.clone(), this);
                    }
                    Ok(())
                }

                async fn add_lines(
                    &mut self,
                    labels: &[ComponentLabel],
                    lines: &[PreparedLine],
                ) -> Result<(), StoreError> {
                    let conn = &mut *self.tx.tx;
                    // The pairs first: the lines name them by number.
                    for chunk in labels.chunks(500) {
                        import_sql::insert_component_labels::<$db>(self.batch_id, chunk)
                            .build()
                            .execute(&mut *conn)
                            .await?;
                    }
                    // A line's identity starts with its statement: lines of a
                    // statement that had none stored before this import need
                    // no lookup (the common case: a new statement).
                    for l in lines {
                        let statement = l.line.statement_id.as_str();
                        if !self.statement_had_lines.contains_key(statement) {
                            let found: Option<(i64,)> = sqlx::query_as(sql::STATEMENT_HAS_LINES)
                                .bind(self.channel)
                                .bind(&self.shop)
                                .bind(statement)
                                .fetch_optional(&mut *conn)
                                .await?;
                            self.statement_had_lines
                                .insert(statement.to_string(), found.is_some());
                        }
                    }
                    let mut unseen: Vec<&str> = lines
                        .iter()
                        .filter(|l| {
                            self.statement_had_lines.get(l.line.statement_id.as_str())
                                == Some(&true)
                        })
                        .map(|l| l.identity.as_str())
                        .filter(|i| !self.lines.seen(i))
                        .collect();
                    unseen.sort_unstable();
                    unseen.dedup();
                    let mut stored: HashMap<String, Vec<String>> = HashMap::new();
                    for chunk in unseen.chunks(batch_sql::KEY_CHUNK) {
                        let rows: Vec<(String, String)> =
                            batch_sql::stored_identities::<$db>(self.channel, &self.shop, chunk)
                                .build_query_as()
                                .fetch_all(&mut *conn)
                                .await?;
                        for (identity, hash) in rows {
                            stored.entry(identity).or_default().push(hash);
                        }
                    }
                    for (identity, hashes) in stored {
                        self.lines.load(&identity, hashes);
                    }
                    let mut rows = Vec::new();
                    for l in lines {
                        let row = l.line.rows.first().map(|r| r.row).unwrap_or(0);
                        if let LineDecision::New { occurrence } =
                            self.lines.classify(&l.identity, &l.content_hash, row)
                        {
                            // Ids are ours to give: this transaction holds the
                            // writers' lock, so no other import writes lines now.
                            self.next_line_id += 1;
                            rows.push(import_sql::LineRow {
                                id: self.next_line_id,
                                line: l,
                                occurrence,
                            });
                        }
                    }
                    self.counts.lines_new += rows.len() as i64;
                    self.tx
                        .insert_line_rows(self.channel, &self.shop, self.batch_id, &rows)
                        .await
                }

                async fn add_payouts(&mut self, payouts: &[Payout]) -> Result<(), StoreError> {
                    let conn = &mut *self.tx.tx;
                    let mut ids: Vec<&str> = payouts
                        .iter()
                        .map(|p| p.payout_id.as_str())
                        .filter(|id| !self.payouts_in_file.contains_key(*id))
                        .collect();
                    ids.sort_unstable();
                    ids.dedup();
                    let mut stored: HashMap<String, (String, i64)> = HashMap::new();
                    for chunk in ids.chunks(batch_sql::KEY_CHUNK) {
                        let rows: Vec<(String, String, i64)> =
                            import_sql::stored_payouts::<$db>(self.channel, &self.shop, chunk)
                                .build_query_as()
                                .fetch_all(&mut *conn)
                                .await?;
                        for (id, currency, micros) in rows {
                            stored.insert(id, (currency, micros));
                        }
                    }
                    for p in payouts {
                        let micros = to_micros(p.amount)?;
                        let this = (p.currency.code().to_string(), micros);
                        let earlier = self
                            .payouts_in_file
                            .get(&p.payout_id)
                            .cloned()
                            .or_else(|| stored.get(&p.payout_id).cloned());
                        match earlier {
                            None => {
                                sqlx::query(sql::INSERT_PAYOUT)
                                    .bind(self.channel)
                                    .bind(&self.shop)
                                    .bind(&p.payout_id)
                                    .bind(p.currency.code())
                                    .bind(micros)
                                    .bind(raw(&p.paid_at))
                                    .bind(utc(&p.paid_at))
                                    .bind(&p.status)
                                    .bind(p.bank_amount.map(|m| to_micros(m.amount)).transpose()?)
                                    .bind(p.bank_amount.map(|m| m.currency.code().to_string()))
                                    .bind(p.exchange_rate.map(|r| r.normalize().to_string()))
                                    .bind(&p.bank_account)
                                    .bind(self.batch_id)
                                    .bind(p.source.as_ref().and_then(|s| s.sheet.clone()))
                                    .bind(p.source.as_ref().map(|s| s.row as i64))
                                    .bind(p.source.as_ref().map(|s| cells_json(&s.cells)))
                                    .execute(&mut *conn)
                                    .await?;
                                self.counts.payouts_new += 1;
                                self.payouts_in_file.insert(p.payout_id.clone(), this);
                            }
                            Some(before) if before == this => {
                                self.counts.payouts_duplicate += 1;
                                self.payouts_in_file.insert(p.payout_id.clone(), this);
                            }
                            Some((currency, before)) => self.conflicts.push(format!(
                                "payout {} was recorded as {} {currency} and is now {} {}",
                                p.payout_id,
                                from_micros(before),
                                p.amount,
                                p.currency
                            )),
                        }
                    }
                    Ok(())
                }

                async fn add_orders(&mut self, orders: &[Order]) -> Result<(), StoreError> {
                    let conn = &mut *self.tx.tx;
                    // Orders met earlier in this file: the same amounts are a
                    // duplicate, others a conflict within the file.
                    let mut first_time: Vec<Order> = Vec::new();
                    for o in orders {
                        match self.orders_in_file.get(&o.order_id) {
                            Some(hash) if *hash == o.content_hash() => {
                                self.counts.orders_duplicate += 1
                            }
                            Some(_) => self.conflicts.push(format!(
                                "order {} appears twice in this file with other amounts (row {})",
                                o.order_id,
                                o.rows.first().map(|r| r.row).unwrap_or(0)
                            )),
                            None => first_time.push(o.clone()),
                        }
                    }
                    let mut ids: Vec<&str> =
                        first_time.iter().map(|o| o.order_id.as_str()).collect();
                    ids.sort_unstable();
                    ids.dedup();
                    let mut stored: HashMap<String, StoredOrder> = HashMap::new();
                    for chunk in ids.chunks(batch_sql::KEY_CHUNK) {
                        let rows: Vec<(String, i64, i64, String, Option<String>, Option<i64>)> =
                            import_sql::stored_orders::<$db>(self.channel, &self.shop, chunk)
                                .build_query_as()
                                .fetch_all(&mut *conn)
                                .await?;
                        // Ordered by revision: the last row is the latest.
                        for (id, order_ref, revision, hash, status, refunded) in rows {
                            let entry = stored.entry(id).or_insert(StoredOrder {
                                latest_ref: order_ref,
                                latest_revision: revision,
                                hashes: Vec::new(),
                                status: None,
                                refunded: None,
                            });
                            entry.latest_ref = order_ref;
                            entry.latest_revision = revision;
                            entry.hashes.push(hash);
                            entry.status = status;
                            entry.refunded = refunded.map(from_micros);
                        }
                    }
                    let by_ref: HashMap<i64, String> = stored
                        .iter()
                        .map(|(id, o)| (o.latest_ref, id.clone()))
                        .collect();
                    let refs: Vec<i64> = by_ref.keys().copied().collect();
                    for chunk in refs.chunks(batch_sql::KEY_CHUNK) {
                        let rows: Vec<(i64, Option<String>, Option<i64>)> =
                            import_sql::latest_observations::<$db>(chunk)
                                .build_query_as()
                                .fetch_all(&mut *conn)
                                .await?;
                        // Ordered by id: later observations win.
                        for (order_ref, status, refunded) in rows {
                            if let Some(o) =
                                by_ref.get(&order_ref).and_then(|id| stored.get_mut(id))
                            {
                                o.status = status;
                                o.refunded = refunded.map(from_micros);
                            }
                        }
                    }
                    let plan = plan_orders(&first_time, &stored);
                    self.conflicts.extend(plan.conflicts.iter().cloned());
                    self.counts.orders_duplicate += plan.duplicates as i64;
                    self.counts.orders_new += plan.new.len() as i64;
                    self.counts.orders_revised += plan.revised.len() as i64;
                    for o in &first_time {
                        self.orders_in_file
                            .entry(o.order_id.clone())
                            .or_insert_with(|| o.content_hash());
                    }
                    for &(index, revision) in &plan.new {
                        let order = &first_time[index];
                        let (order_ref,): (i64,) = sqlx::query_as(sql::INSERT_ORDER)
                            .bind(self.channel)
                            .bind(&self.shop)
                            .bind(&order.order_id)
                            .bind(revision)
                            .bind(order.content_hash())
                            .bind(&order.alt_id)
                            .bind(&order.status)
                            .bind(order.currency.code())
                            .bind(raw(&order.created_at))
                            .bind(utc(&order.created_at))
                            .bind(order.total.map(to_micros).transpose()?)
                            .bind(order.refunded.map(to_micros).transpose()?)
                            .bind(self.batch_id)
                            .fetch_one(&mut *conn)
                            .await?;
                        let mut lines = Vec::with_capacity(order.lines.len());
                        let mut amounts = Vec::new();
                        for (seq, c) in order.amounts.iter().enumerate() {
                            amounts.push((0i64, seq as i64 + 1, c, to_micros(c.amount)?));
                        }
                        for (i, line) in order.lines.iter().enumerate() {
                            let line_no = i as i64 + 1;
                            lines.push((
                                line_no,
                                line,
                                to_micros(line.quantity)?,
                                line.unit_price.map(to_micros).transpose()?,
                            ));
                            for (seq, c) in line.amounts.iter().enumerate() {
                                amounts.push((line_no, seq as i64 + 1, c, to_micros(c.amount)?));
                            }
                        }
                        for chunk in lines.chunks(batch_sql::CHUNK_ROWS) {
                            import_sql::insert_order_lines::<$db>(order_ref, chunk)
                                .build()
                                .execute(&mut *conn)
                                .await?;
                        }
                        for chunk in amounts.chunks(batch_sql::CHUNK_ROWS) {
                            import_sql::insert_order_amounts::<$db>(order_ref, chunk)
                                .build()
                                .execute(&mut *conn)
                                .await?;
                        }
                        let rows = rows_json(&order.rows);
                        for chunk in rows.chunks(batch_sql::CHUNK_ROWS) {
                            import_sql::insert_order_rows::<$db>(order_ref, chunk)
                                .build()
                                .execute(&mut *conn)
                                .await?;
                        }
                    }
                    for &(index, order_ref) in &plan.observations {
                        let order = &first_time[index];
                        sqlx::query(sql::INSERT_ORDER_OBSERVATION)
                            .bind(order_ref)
                            .bind(self.batch_id)
                            .bind(&order.status)
                            .bind(order.refunded.map(to_micros).transpose()?)
                            .execute(&mut *conn)
                            .await?;
                    }
                    Ok(())
                }

                async fn add_bank_statements(
                    &mut self,
                    bank: &str,
                    statements: &[$crate::domain::bank::BankStatement],
                ) -> Result<(), StoreError> {
                    use $crate::store::amounts::to_micros;
                    use $crate::store::bank_sql as q;
                    let conn = &mut *self.tx.tx;
                    for s in statements {
                        sqlx::query(q::INSERT_STATEMENT)
                            .bind(self.batch_id)
                            .bind(bank)
                            .bind(&s.statement_id)
                            .bind(&s.account)
                            .bind(s.currency.code())
                            .bind(s.from)
                            .bind(s.to)
                            .bind(s.opening.map(to_micros).transpose()?)
                            .bind(s.closing.map(to_micros).transpose()?)
                            .execute(&mut *conn)
                            .await?;
                        self.counts.statements_new += 1;
                        let mut seen: HashMap<String, u32> = HashMap::new();
                        for l in &s.lines {
                            let base = l.identity(0);
                            let n = seen.entry(base).or_default();
                            let identity = l.identity(*n);
                            *n += 1;
                            let r = sqlx::query(q::INSERT_LINE)
                                .bind(bank)
                                .bind(&identity)
                                .bind(self.batch_id)
                                .bind(&s.statement_id)
                                .bind(&l.transaction_id)
                                .bind(l.booked)
                                .bind(l.value_date)
                                .bind(to_micros(l.amount)?)
                                .bind(l.currency.code())
                                .bind(&l.description)
                                .bind(&l.reference)
                                .bind(&l.counterparty)
                                .bind(l.row as i64)
                                .execute(&mut *conn)
                                .await?;
                            if r.rows_affected() == 1 {
                                self.counts.lines_new += 1;
                            } else {
                                self.counts.bank_lines_duplicate += 1;
                            }
                        }
                    }
                    Ok(())
                }

                async fn finish(
                    self: Box<Self>,
                    end: &FileSummary,
                ) -> Result<BatchSummary, StoreError> {
                    let mut this = *self;
                    let (lines_duplicate, line_conflicts) =
                        std::mem::take(&mut this.lines).finish();
                    this.conflicts
                        .extend(line_conflicts.iter().map(|c| c.to_string()));
                    if !this.conflicts.is_empty() {
                        // Dropping the transaction rolls everything back.
                        return Err(StoreError::ImportConflicts(this.conflicts));
                    }
                    let conn = &mut *this.tx.tx;
                    let c = &this.counts;
                    sqlx::query(sql::INSERT_RESULTS)
                        .bind(this.batch_id)
                        .bind(end.rows_read as i64)
                        .bind(c.statements_new)
                        .bind(c.lines_new)
                        .bind(lines_duplicate as i64 + c.bank_lines_duplicate)
                        .bind(c.orders_new)
                        .bind(c.orders_duplicate)
                        .bind(c.orders_revised)
                        .bind(c.payouts_new)
                        .bind(c.payouts_duplicate)
                        .bind(cells_json(&end.header))
                        .bind(cells_json(&end.warnings))
                        .execute(&mut *conn)
                        .await?;
                    let summary = sqlx::query_as::<_, BatchSummary>(&sql::batch_by_id())
                        .bind(this.batch_id)
                        .fetch_one(&mut *conn)
                        .await?;
                    this.tx.tx.commit().await?;
                    Ok(summary)
                }
            }
        };
    };
}

pub(crate) use impl_sql_import;
