//! Recording an imported file, written once for both backends (like
//! `sql_impl`): the batch and its original bytes, then statements, settlement
//! lines, payouts and orders — only what is new, in the one transaction the
//! caller commits. Anything that conflicts with what is stored refuses the
//! whole file.

macro_rules! impl_sql_import {
    ($tx:ident, $db:ty) => {
        const _: () = {
            use std::collections::HashMap;

            use chrono::Utc;

            use $crate::domain::hashing::truncate_to_micros;
            use $crate::domain::line_dedupe::plan_lines;
            use $crate::domain::order::{plan_orders, StoredOrder};
            use $crate::domain::settlement::{ParsedFile, SourceRow, Timestamp};
            use $crate::store::amounts::{from_micros, to_micros};
            use $crate::store::{batch_sql, import_sql};
            use $crate::store::{sql, BatchSummary, NewBatch, StoreError};

            /// Lines per insert: 14 columns stay below SQLite's 32,766
            /// bound parameters.
            const LINE_CHUNK: usize = 1000;

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

            impl $tx {
                pub(super) async fn write_import(
                    &mut self,
                    batch: &NewBatch,
                    content: &[u8],
                    parsed: &ParsedFile,
                ) -> Result<BatchSummary, StoreError> {
                    let conn = &mut *self.tx;
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

                    // 1. Plan: what is new, what is there, what conflicts.
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

                    // Payouts: the same id with the same amount is a
                    // duplicate; another amount or currency is a conflict.
                    let mut payout_ids: Vec<&str> = parsed
                        .payouts
                        .iter()
                        .map(|p| p.payout_id.as_str())
                        .collect();
                    payout_ids.sort_unstable();
                    payout_ids.dedup();
                    let mut stored_payouts: HashMap<String, (String, i64)> = HashMap::new();
                    for chunk in payout_ids.chunks(batch_sql::KEY_CHUNK) {
                        let rows: Vec<(String, String, i64)> =
                            import_sql::stored_payouts::<$db>(channel, shop, chunk)
                                .build_query_as()
                                .fetch_all(&mut *conn)
                                .await?;
                        for (id, currency, micros) in rows {
                            stored_payouts.insert(id, (currency, micros));
                        }
                    }
                    let mut new_payouts = Vec::new();
                    let mut payouts_duplicate = 0i64;
                    let mut seen_payouts: HashMap<&str, (String, i64)> = HashMap::new();
                    for p in &parsed.payouts {
                        let micros = to_micros(p.amount)?;
                        let this = (p.currency.code().to_string(), micros);
                        let earlier = seen_payouts
                            .get(p.payout_id.as_str())
                            .cloned()
                            .or_else(|| stored_payouts.get(&p.payout_id).cloned());
                        match earlier {
                            None => {
                                seen_payouts.insert(&p.payout_id, this);
                                new_payouts.push((p, micros));
                            }
                            Some(before) if before == this => payouts_duplicate += 1,
                            Some((currency, before)) => conflicts.push(format!(
                                "payout {} was recorded as {} {currency} and is now {} {}",
                                p.payout_id,
                                from_micros(before),
                                p.amount,
                                p.currency
                            )),
                        }
                    }

                    let mut order_ids: Vec<&str> =
                        parsed.orders.iter().map(|o| o.order_id.as_str()).collect();
                    order_ids.sort_unstable();
                    order_ids.dedup();
                    let mut stored_orders: HashMap<String, StoredOrder> = HashMap::new();
                    for chunk in order_ids.chunks(batch_sql::KEY_CHUNK) {
                        let rows: Vec<(String, i64, i64, String, Option<String>, Option<i64>)> =
                            import_sql::stored_orders::<$db>(channel, shop, chunk)
                                .build_query_as()
                                .fetch_all(&mut *conn)
                                .await?;
                        // Ordered by revision: the last row is the latest.
                        for (id, order_ref, revision, hash, status, refunded) in rows {
                            let entry = stored_orders.entry(id).or_insert(StoredOrder {
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
                    let latest_refs: Vec<i64> =
                        stored_orders.values().map(|o| o.latest_ref).collect();
                    let mut by_ref: HashMap<i64, String> = stored_orders
                        .iter()
                        .map(|(id, o)| (o.latest_ref, id.clone()))
                        .collect();
                    for chunk in latest_refs.chunks(batch_sql::KEY_CHUNK) {
                        let rows: Vec<(i64, Option<String>, Option<i64>)> =
                            import_sql::latest_observations::<$db>(chunk)
                                .build_query_as()
                                .fetch_all(&mut *conn)
                                .await?;
                        // Ordered by id: later observations win.
                        for (order_ref, status, refunded) in rows {
                            if let Some(id) = by_ref.get(&order_ref) {
                                if let Some(o) = stored_orders.get_mut(id) {
                                    o.status = status;
                                    o.refunded = refunded.map(from_micros);
                                }
                            }
                        }
                    }
                    by_ref.clear();
                    let order_plan = plan_orders(&parsed.orders, &stored_orders);
                    conflicts.extend(order_plan.conflicts.iter().cloned());
                    if !conflicts.is_empty() {
                        return Err(StoreError::ImportConflicts(conflicts));
                    }

                    // 2. Write.
                    let header = cells_json(&parsed.header);
                    let warnings =
                        serde_json::to_string(&parsed.warnings).expect("strings serialize");
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
                        .bind(order_plan.new.len() as i64)
                        .bind(order_plan.duplicates as i64)
                        .bind(order_plan.revised.len() as i64)
                        .bind(new_payouts.len() as i64)
                        .bind(payouts_duplicate)
                        .bind(warnings)
                        .fetch_one(&mut *conn)
                        .await?;
                    sqlx::query(sql::INSERT_FILE)
                        .bind(batch_id)
                        .bind(content)
                        .execute(&mut *conn)
                        .await?;
                    for (st, declared) in new_statements {
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
                            .bind(st.source.as_ref().map(|s| cells_json(&s.cells)))
                            .execute(&mut *conn)
                            .await?;
                    }
                    // Lines in multi-row chunks, then their ids by
                    // (identity, occurrence) — unique per shop — so
                    // components and rows go in chunks too.
                    let line_rows = plan
                        .new
                        .iter()
                        .map(|new| {
                            let line = &parsed.lines[new.index];
                            Ok((
                                line,
                                identities[new.index].as_str(),
                                new.occurrence,
                                line.content_hash(),
                                to_micros(line.net())?,
                            ))
                        })
                        .collect::<Result<Vec<_>, StoreError>>()?;
                    for chunk in line_rows.chunks(LINE_CHUNK) {
                        import_sql::insert_lines::<$db>(channel, shop, batch_id, chunk)
                            .build()
                            .execute(&mut *conn)
                            .await?;
                    }
                    drop(line_rows);
                    let ids: Vec<(i64, String, i64)> = sqlx::query_as(sql::LINES_OF_BATCH)
                        .bind(batch_id)
                        .fetch_all(&mut *conn)
                        .await?;
                    let id_of: HashMap<(&str, i64), i64> = ids
                        .iter()
                        .map(|(id, identity, occurrence)| ((identity.as_str(), *occurrence), *id))
                        .collect();
                    let mut components = Vec::new();
                    let mut source_rows = Vec::new();
                    for new in &plan.new {
                        let line = &parsed.lines[new.index];
                        let key = (identities[new.index].as_str(), new.occurrence);
                        let line_id = *id_of.get(&key).ok_or_else(|| {
                            StoreError::Corrupt(format!(
                                "line {} was written but cannot be read back",
                                key.0
                            ))
                        })?;
                        for (i, c) in line.components.iter().enumerate() {
                            components.push((
                                line_id,
                                i as i64 + 1,
                                c.code.as_str(),
                                c.label.as_str(),
                                to_micros(c.amount)?,
                            ));
                        }
                        for (seq, sheet, row, cells) in rows_json(&line.rows) {
                            source_rows.push((line_id, seq, sheet, row, cells));
                        }
                        if components.len() >= batch_sql::CHUNK_ROWS {
                            import_sql::insert_components::<$db>(&components)
                                .build()
                                .execute(&mut *conn)
                                .await?;
                            components.clear();
                        }
                        if source_rows.len() >= batch_sql::CHUNK_ROWS {
                            import_sql::insert_line_rows::<$db>(&source_rows)
                                .build()
                                .execute(&mut *conn)
                                .await?;
                            source_rows.clear();
                        }
                    }
                    if !components.is_empty() {
                        import_sql::insert_components::<$db>(&components)
                            .build()
                            .execute(&mut *conn)
                            .await?;
                    }
                    if !source_rows.is_empty() {
                        import_sql::insert_line_rows::<$db>(&source_rows)
                            .build()
                            .execute(&mut *conn)
                            .await?;
                    }
                    for (p, micros) in new_payouts {
                        sqlx::query(sql::INSERT_PAYOUT)
                            .bind(channel)
                            .bind(shop)
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
                            .bind(batch_id)
                            .bind(p.source.as_ref().and_then(|s| s.sheet.clone()))
                            .bind(p.source.as_ref().map(|s| s.row as i64))
                            .bind(p.source.as_ref().map(|s| cells_json(&s.cells)))
                            .execute(&mut *conn)
                            .await?;
                    }
                    for &(index, revision) in &order_plan.new {
                        let order = &parsed.orders[index];
                        let (order_ref,): (i64,) = sqlx::query_as(sql::INSERT_ORDER)
                            .bind(channel)
                            .bind(shop)
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
                            .bind(batch_id)
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
                    for &(index, order_ref) in &order_plan.observations {
                        let order = &parsed.orders[index];
                        sqlx::query(sql::INSERT_ORDER_OBSERVATION)
                            .bind(order_ref)
                            .bind(batch_id)
                            .bind(&order.status)
                            .bind(order.refunded.map(to_micros).transpose()?)
                            .execute(&mut *conn)
                            .await?;
                    }
                    let summary = sqlx::query_as::<_, BatchSummary>(&sql::batch_by_id())
                        .bind(batch_id)
                        .fetch_one(&mut *conn)
                        .await?;
                    Ok(summary)
                }
            }
        };
    };
}

pub(crate) use impl_sql_import;
