//! `AccessStore` for both backends: the same SQL text on SQLite and
//! PostgreSQL, stamped out per store like `sql_impl`.

macro_rules! impl_sql_access {
    ($store:ident, $db:ty) => {
        const _: () = {
            use async_trait::async_trait;
            use chrono::{DateTime, Utc};
            use $crate::domain::access::Role;
            use $crate::store::access::{
                self as a, AccessStore, AuditRecord, EntryPageQuery, NewAudit, SearchHits,
                SessionRecord, User,
            };
            use $crate::store::StoreError;

            #[async_trait]
            impl AccessStore for $store {
                async fn create_user(
                    &self,
                    name: &str,
                    role: Role,
                    password_hash: &str,
                ) -> Result<User, StoreError> {
                    let mut tx = self.pool.begin().await?;
                    let taken: Option<i64> =
                        sqlx::query_scalar("SELECT id FROM users WHERE name = $1")
                            .bind(name)
                            .fetch_optional(&mut *tx)
                            .await?;
                    if taken.is_some() {
                        return Err(StoreError::Conflict(format!(
                            "a user named `{name}` already exists"
                        )));
                    }
                    let sql = format!(
                        "INSERT INTO users (name, role, password_hash, created_at) \
                         VALUES ($1, $2, $3, $4) RETURNING {}",
                        a::USER_COLUMNS
                    );
                    let row: a::UserRow = sqlx::query_as(&sql)
                        .bind(name)
                        .bind(role.as_str())
                        .bind(password_hash)
                        .bind(Utc::now())
                        .fetch_one(&mut *tx)
                        .await?;
                    tx.commit().await?;
                    a::user(row)
                }

                async fn users(&self) -> Result<Vec<User>, StoreError> {
                    let sql = format!("SELECT {} FROM users ORDER BY name", a::USER_COLUMNS);
                    let rows: Vec<a::UserRow> = sqlx::query_as(&sql).fetch_all(&self.pool).await?;
                    rows.into_iter().map(a::user).collect()
                }

                async fn user_credentials(
                    &self,
                    name: &str,
                ) -> Result<Option<(User, String)>, StoreError> {
                    let sql = format!(
                        "SELECT {}, password_hash FROM users WHERE name = $1",
                        a::USER_COLUMNS
                    );
                    let row: Option<(
                        i64,
                        String,
                        String,
                        DateTime<Utc>,
                        Option<DateTime<Utc>>,
                        String,
                    )> = sqlx::query_as(&sql)
                        .bind(name)
                        .fetch_optional(&self.pool)
                        .await?;
                    match row {
                        None => Ok(None),
                        Some((id, name, role, created, disabled, hash)) => Ok(Some((
                            a::user((id, name, role, created, disabled))?,
                            hash,
                        ))),
                    }
                }

                async fn set_user_password(
                    &self,
                    name: &str,
                    password_hash: &str,
                ) -> Result<(), StoreError> {
                    let mut tx = self.pool.begin().await?;
                    let id = user_id(&mut tx, name).await?;
                    sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
                        .bind(password_hash)
                        .bind(id)
                        .execute(&mut *tx)
                        .await?;
                    // A new password ends the sessions the old one opened.
                    sqlx::query("DELETE FROM web_sessions WHERE user_id = $1")
                        .bind(id)
                        .execute(&mut *tx)
                        .await?;
                    tx.commit().await?;
                    Ok(())
                }

                async fn set_user_role(&self, name: &str, role: Role) -> Result<(), StoreError> {
                    let mut tx = self.pool.begin().await?;
                    let id = user_id(&mut tx, name).await?;
                    sqlx::query("UPDATE users SET role = $1 WHERE id = $2")
                        .bind(role.as_str())
                        .bind(id)
                        .execute(&mut *tx)
                        .await?;
                    tx.commit().await?;
                    Ok(())
                }

                async fn set_user_disabled(
                    &self,
                    name: &str,
                    disabled: bool,
                ) -> Result<(), StoreError> {
                    let mut tx = self.pool.begin().await?;
                    let id = user_id(&mut tx, name).await?;
                    let at = disabled.then(Utc::now);
                    sqlx::query("UPDATE users SET disabled_at = $1 WHERE id = $2")
                        .bind(at)
                        .bind(id)
                        .execute(&mut *tx)
                        .await?;
                    if disabled {
                        sqlx::query("DELETE FROM web_sessions WHERE user_id = $1")
                            .bind(id)
                            .execute(&mut *tx)
                            .await?;
                    }
                    tx.commit().await?;
                    Ok(())
                }

                async fn create_session(
                    &self,
                    token_hash: &str,
                    user_id: i64,
                    csrf_token: &str,
                    expires_at: DateTime<Utc>,
                ) -> Result<(), StoreError> {
                    let now = Utc::now();
                    // Expired sessions go when a new one comes: the table stays small.
                    sqlx::query("DELETE FROM web_sessions WHERE expires_at < $1")
                        .bind(now)
                        .execute(&self.pool)
                        .await?;
                    sqlx::query(
                        "INSERT INTO web_sessions (token_hash, user_id, csrf_token, created_at, \
                         expires_at) VALUES ($1, $2, $3, $4, $5)",
                    )
                    .bind(token_hash)
                    .bind(user_id)
                    .bind(csrf_token)
                    .bind(now)
                    .bind(expires_at)
                    .execute(&self.pool)
                    .await?;
                    Ok(())
                }

                async fn session(
                    &self,
                    token_hash: &str,
                    now: DateTime<Utc>,
                ) -> Result<Option<SessionRecord>, StoreError> {
                    let row: Option<(
                        i64,
                        String,
                        String,
                        DateTime<Utc>,
                        Option<DateTime<Utc>>,
                        String,
                        DateTime<Utc>,
                    )> = sqlx::query_as(
                        "SELECT u.id, u.name, u.role, u.created_at, u.disabled_at, \
                         s.csrf_token, s.expires_at FROM web_sessions s \
                         JOIN users u ON u.id = s.user_id WHERE s.token_hash = $1",
                    )
                    .bind(token_hash)
                    .fetch_optional(&self.pool)
                    .await?;
                    let Some((id, name, role, created, disabled, csrf, expires)) = row else {
                        return Ok(None);
                    };
                    if expires <= now || disabled.is_some() {
                        return Ok(None);
                    }
                    Ok(Some(SessionRecord {
                        user: a::user((id, name, role, created, disabled))?,
                        csrf_token: csrf,
                        expires_at: expires,
                    }))
                }

                async fn delete_session(&self, token_hash: &str) -> Result<(), StoreError> {
                    sqlx::query("DELETE FROM web_sessions WHERE token_hash = $1")
                        .bind(token_hash)
                        .execute(&self.pool)
                        .await?;
                    Ok(())
                }

                async fn record_audit(&self, r: NewAudit<'_>) -> Result<i64, StoreError> {
                    let id: i64 = sqlx::query_scalar(
                        "INSERT INTO audit_log (at, actor, action, subject, detail, remote) \
                         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
                    )
                    .bind(Utc::now())
                    .bind(r.actor)
                    .bind(r.action)
                    .bind(r.subject)
                    .bind(r.detail)
                    .bind(r.remote)
                    .fetch_one(&self.pool)
                    .await?;
                    Ok(id)
                }

                async fn audit_log(
                    &self,
                    before: Option<i64>,
                    limit: i64,
                    action: Option<&str>,
                ) -> Result<Vec<AuditRecord>, StoreError> {
                    let rows: Vec<a::AuditRow> = sqlx::query_as(
                        "SELECT id, at, actor, action, subject, detail, remote FROM audit_log \
                         WHERE id < $1 AND ($2 = '' OR action = $2) ORDER BY id DESC LIMIT $3",
                    )
                    .bind(before.unwrap_or(i64::MAX))
                    .bind(action.unwrap_or(""))
                    .bind(limit)
                    .fetch_all(&self.pool)
                    .await?;
                    Ok(rows.into_iter().map(a::audit).collect())
                }

                async fn entry_page(&self, q: &EntryPageQuery) -> Result<Vec<i64>, StoreError> {
                    let sql = a::entry_page_sql(q);
                    let mut query = sqlx::query_scalar::<_, i64>(&sql);
                    if let Some(from) = q.from {
                        query = query.bind(from);
                    }
                    if let Some(to) = q.to {
                        query = query.bind(to);
                    }
                    if let Some(before) = q.before {
                        query = query.bind(before);
                    }
                    if let Some(account) = &q.account {
                        query = query.bind(account.clone());
                    }
                    if let Some(shop) = &q.shop {
                        query = query.bind(shop.clone());
                    }
                    Ok(query.bind(q.limit).fetch_all(&self.pool).await?)
                }

                async fn batch_lines_page(
                    &self,
                    batch_id: i64,
                    after_id: i64,
                    limit: i64,
                ) -> Result<Vec<$crate::store::StoredLine>, StoreError> {
                    let rows: Vec<$crate::store::imports::LineRowOut> =
                        sqlx::query_as($crate::store::imports::LINES_OF_BATCH_PAGE)
                            .bind(batch_id)
                            .bind(after_id)
                            .bind(limit)
                            .fetch_all(&self.pool)
                            .await?;
                    let names =
                        $crate::store::component_labels::names_for(&self.pool, &rows).await?;
                    rows.into_iter()
                        .map(|r| $crate::store::imports::stored_line(r, &names))
                        .collect()
                }

                async fn batch_line_totals(
                    &self,
                    batch_id: i64,
                ) -> Result<Vec<(String, i64, rust_decimal::Decimal)>, StoreError> {
                    let rows: Vec<(String, i64, i64)> =
                        sqlx::query_as($crate::store::imports::BATCH_LINE_TOTALS)
                            .bind(batch_id)
                            .fetch_all(&self.pool)
                            .await?;
                    Ok(rows
                        .into_iter()
                        .map(|(c, n, m)| (c, n, $crate::store::amounts::from_micros(m)))
                        .collect())
                }

                async fn batch_warnings(&self, batch_id: i64) -> Result<Vec<String>, StoreError> {
                    let text: Option<String> =
                        sqlx::query_scalar("SELECT warnings FROM import_results WHERE batch_id = $1")
                            .bind(batch_id)
                            .fetch_optional(&self.pool)
                            .await?;
                    match text {
                        None => Ok(Vec::new()),
                        Some(t) => serde_json::from_str(&t).map_err(|e| {
                            StoreError::Corrupt(format!("warnings of batch {batch_id}: {e}"))
                        }),
                    }
                }

                async fn deposit_entries_of_payout(
                    &self,
                    payout_id: &str,
                ) -> Result<Vec<$crate::domain::StoredEntry>, StoreError> {
                    // From the deposit entries (partial index `entries_deposits`:
                    // a few a payout) to their postings, never through the
                    // payout's own postings (one per line and order: a hundred
                    // thousand in a big month). COALESCE keeps the planner off
                    // the payout index.
                    let seqs: Vec<i64> = sqlx::query_scalar(
                        "SELECT DISTINCT e.seq FROM entries e CROSS JOIN postings p \
                         WHERE e.kind = 'deposit' AND p.entry_seq = e.seq \
                         AND COALESCE(p.payout_id, '') = $1 ORDER BY e.seq",
                    )
                    .bind(payout_id)
                    .fetch_all(&self.pool)
                    .await?;
                    let mut out = Vec::with_capacity(seqs.len());
                    for seq in seqs {
                        if let Some(e) =
                            $crate::store::LedgerStore::entry(self, $crate::domain::EntryId(seq))
                                .await?
                        {
                            out.push(e);
                        }
                    }
                    Ok(out)
                }

                async fn save_shop_standing(
                    &self,
                    channel: &str,
                    shop: &str,
                    standing: &str,
                ) -> Result<(), StoreError> {
                    sqlx::query(
                        "INSERT INTO shop_standings (channel, shop, standing, updated_at) \
                         VALUES ($1, $2, $3, $4) ON CONFLICT (channel, shop) DO UPDATE \
                         SET standing = excluded.standing, updated_at = excluded.updated_at",
                    )
                    .bind(channel)
                    .bind(shop)
                    .bind(standing)
                    .bind(Utc::now())
                    .execute(&self.pool)
                    .await?;
                    Ok(())
                }

                async fn shop_standings(&self) -> Result<Vec<String>, StoreError> {
                    Ok(sqlx::query_scalar(
                        "SELECT standing FROM shop_standings ORDER BY channel, shop",
                    )
                    .fetch_all(&self.pool)
                    .await?)
                }

                async fn refresh_after_bulk_write(&self) -> Result<(), StoreError> {
                    use sqlx::Executor;
                    let sql = match <$store>::BACKEND {
                        $crate::store::Backend::Sqlite => "PRAGMA optimize",
                        // Outside any transaction: VACUUM refuses to run in one.
                        $crate::store::Backend::Postgres => {
                            "VACUUM (ANALYZE) settlement_lines, settlement_components, orders, \
                             statements, payouts, entries, postings, bookings, account_balances"
                        }
                    };
                    self.pool.execute(sql).await?;
                    Ok(())
                }

                async fn shop_import_mark(&self, shop: &str) -> Result<String, StoreError> {
                    let (n, last): (i64, Option<i64>) = sqlx::query_as(
                        "SELECT COUNT(*), MAX(id) FROM import_batches WHERE shop = $1",
                    )
                    .bind(shop)
                    .fetch_one(&self.pool)
                    .await?;
                    Ok(format!("batches {n}, last {}", last.unwrap_or(0)))
                }

                async fn save_close_basis(
                    &self,
                    channel: &str,
                    shop: &str,
                    fingerprint: &str,
                    basis: &str,
                ) -> Result<(), StoreError> {
                    sqlx::query(
                        "INSERT INTO close_bases (channel, shop, fingerprint, basis, updated_at) \
                         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (channel, shop) DO UPDATE \
                         SET fingerprint = excluded.fingerprint, basis = excluded.basis, \
                         updated_at = excluded.updated_at",
                    )
                    .bind(channel)
                    .bind(shop)
                    .bind(fingerprint)
                    .bind(basis)
                    .bind(Utc::now())
                    .execute(&self.pool)
                    .await?;
                    Ok(())
                }

                async fn shop_ledger_mark(
                    &self,
                    channel: &str,
                    shop: &str,
                ) -> Result<String, StoreError> {
                    // Latest first: SQLite (no index by shop since its 0016)
                    // walks the table back from its end, stopping at the
                    // shop's newest booking instead of reading them all.
                    let booked: Option<i64> = sqlx::query_scalar(
                        "SELECT entry_seq FROM bookings WHERE channel = $1 AND shop = $2 \
                         ORDER BY entry_seq DESC LIMIT 1",
                    )
                    .bind(channel)
                    .bind(shop)
                    .fetch_optional(&self.pool)
                    .await?;
                    let reversed: Option<i64> = sqlx::query_scalar(
                        "SELECT MAX(seq) FROM entries WHERE reverses IS NOT NULL",
                    )
                    .fetch_one(&self.pool)
                    .await?;
                    Ok(format!(
                        "booked {}, reversed {}",
                        booked.unwrap_or(0),
                        reversed.unwrap_or(0)
                    ))
                }

                async fn bookings_standing_on(
                    &self,
                    channel: &str,
                    shop: &str,
                    as_of: chrono::NaiveDate,
                ) -> Result<Vec<$crate::domain::EntryId>, StoreError> {
                    let seqs: Vec<i64> = sqlx::query_scalar(
                        "SELECT b.entry_seq FROM bookings b \
                         JOIN entries e ON e.seq = b.entry_seq \
                         WHERE b.channel = $1 AND b.shop = $2 AND e.entry_date <= $3 \
                         AND NOT EXISTS (SELECT 1 FROM entries r \
                             WHERE r.reverses = b.entry_seq AND r.entry_date <= $3) \
                         ORDER BY b.entry_seq",
                    )
                    .bind(channel)
                    .bind(shop)
                    .bind(as_of)
                    .fetch_all(&self.pool)
                    .await?;
                    Ok(seqs.into_iter().map($crate::domain::EntryId).collect())
                }

                async fn booked_entries_by_day(
                    &self,
                    channel: &str,
                    shop: &str,
                ) -> Result<Vec<(chrono::NaiveDate, u64)>, StoreError> {
                    let rows: Vec<(chrono::NaiveDate, i64)> = sqlx::query_as(
                        "SELECT e.entry_date, COUNT(*) FROM bookings b \
                         JOIN entries e ON e.seq = b.entry_seq \
                         WHERE b.channel = $1 AND b.shop = $2 \
                         AND NOT EXISTS (SELECT 1 FROM entries r WHERE r.reverses = b.entry_seq) \
                         GROUP BY e.entry_date ORDER BY e.entry_date",
                    )
                    .bind(channel)
                    .bind(shop)
                    .fetch_all(&self.pool)
                    .await?;
                    Ok(rows.into_iter().map(|(d, n)| (d, n as u64)).collect())
                }

                async fn close_basis(
                    &self,
                    channel: &str,
                    shop: &str,
                ) -> Result<Option<(String, String)>, StoreError> {
                    Ok(sqlx::query_as(
                        "SELECT fingerprint, basis FROM close_bases WHERE channel = $1 AND shop = $2",
                    )
                    .bind(channel)
                    .bind(shop)
                    .fetch_optional(&self.pool)
                    .await?)
                }

                async fn search(&self, text: &str, limit: i64) -> Result<SearchHits, StoreError> {
                    let text = text.trim();
                    let mut hits = SearchHits::default();
                    if text.is_empty() {
                        return Ok(hits);
                    }
                    // Order names are searched as typed and with Shopify's `#`.
                    let hashed = format!("#{}", text.trim_start_matches('#'));
                    hits.orders = sqlx::query_as(
                        "SELECT DISTINCT channel, shop, order_id FROM orders \
                         WHERE order_id = $1 OR order_id = $2 OR alt_id = $1 \
                         UNION SELECT DISTINCT channel, shop, order_id FROM settlement_lines \
                         WHERE order_id = $1 OR order_id = $2 LIMIT $3",
                    )
                    .bind(text)
                    .bind(&hashed)
                    .bind(limit)
                    .fetch_all(&self.pool)
                    .await?;
                    hits.payouts = sqlx::query_as(
                        "SELECT DISTINCT channel, shop, payout_id FROM payouts WHERE payout_id = $1 \
                         UNION SELECT DISTINCT channel, shop, payout_id FROM statements \
                         WHERE (payout_id = $1 OR statement_id = $1) AND payout_id IS NOT NULL \
                         LIMIT $2",
                    )
                    .bind(text)
                    .bind(limit)
                    .fetch_all(&self.pool)
                    .await?;
                    let amount = text.trim_start_matches('-').replace(',', "");
                    if let Ok(amount) = amount.parse::<rust_decimal::Decimal>() {
                        if let Ok(micros) = $crate::store::amounts::to_micros(amount) {
                            hits.entries = sqlx::query_scalar(
                                "SELECT DISTINCT entry_seq FROM postings WHERE amount_micros = $1 \
                                 ORDER BY entry_seq DESC LIMIT $2",
                            )
                            .bind(micros)
                            .bind(limit)
                            .fetch_all(&self.pool)
                            .await?;
                        }
                    }
                    Ok(hits)
                }
            }

            async fn user_id(
                tx: &mut sqlx::Transaction<'_, $db>,
                name: &str,
            ) -> Result<i64, StoreError> {
                let id: Option<i64> = sqlx::query_scalar("SELECT id FROM users WHERE name = $1")
                    .bind(name)
                    .fetch_optional(&mut **tx)
                    .await?;
                id.ok_or_else(|| StoreError::Conflict(format!("there is no user named `{name}`")))
            }
        };
    };
}
pub(crate) use impl_sql_access;
