//! `post netsuite`: queue what is not yet queued, check the run against
//! NetSuite, then post every pending journal entry with bounded concurrency,
//! retrying what NetSuite says to retry, and recording every attempt.
//!
//! Exactly once: a document's external id is fixed when it is queued, and
//! every send is `PUT …/eid:<id>?replace=line`. A crash after NetSuite
//! stored a record but before the outbox heard of it leaves the document
//! pending; the next run upserts the same record with the same lines.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use futures_util::StreamExt;
use rand::Rng;
use serde::Serialize;

use crate::domain::{ChartOfAccounts, EntryId, Period, StoredEntry};
use crate::store::{
    EntryFilter, LedgerStore, NewOutboxDocument, OutboxOutcome, OutboxStatus, StoreError,
};

use super::body::{journal_body, BodyIds};
use super::catalog::{check_documents, read_catalog};
use super::client::{NetSuiteClient, NsError};
use super::config::DocumentRules;
use super::journal::{plan_documents, rebuild_document, AccountRef, DocumentProblem, NsDocument};

#[derive(Debug, thiserror::Error)]
pub enum PostError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{} entr{} cannot become NetSuite journal entries; nothing was queued or posted:\n{}",
        .0.len(), if .0.len() == 1 { "y" } else { "ies" }, bullet(.0.iter().map(|p| p.to_string())))]
    Plan(Vec<DocumentProblem>),
    #[error("NetSuite would refuse this run; nothing was posted:\n{}", bullet(.0.iter().cloned()))]
    Check(Vec<String>),
    #[error("could not read NetSuite's accounts and periods: {0}")]
    Catalog(NsError),
    #[error("outbox document {0} is unreadable: {1}")]
    Corrupt(String, String),
}

fn bullet(items: impl Iterator<Item = String>) -> String {
    items
        .map(|i| format!("  - {i}"))
        .collect::<Vec<_>>()
        .join("\n")
}

#[derive(Clone, Debug)]
pub struct PostOptions {
    pub period: Option<Period>,
    pub dry_run: bool,
    pub concurrency: usize,
    /// Also send documents NetSuite refused before (after fixing the cause).
    pub retry_failed: bool,
}

#[derive(Clone, Debug, Serialize)]
pub struct Parked {
    pub external_id: String,
    pub detail: String,
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct RunSummary {
    pub dry_run: bool,
    pub newly_queued: usize,
    pub considered: usize,
    pub posted: usize,
    pub entries_posted: usize,
    pub lines_posted: usize,
    pub failed: Vec<Parked>,
    pub still_pending: Vec<Parked>,
    pub stopped: Option<String>,
    pub requests: u64,
    pub retries: u64,
    /// Requests allowed in flight at the end (lower than asked if NetSuite throttled).
    pub final_concurrency: usize,
    pub seconds: f64,
    /// `--dry-run`: each body that would be sent.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub bodies: Vec<serde_json::Value>,
}

impl RunSummary {
    pub fn is_complete(&self) -> bool {
        self.failed.is_empty() && self.still_pending.is_empty() && self.stopped.is_none()
    }
}

fn range(period: Option<Period>) -> (NaiveDate, NaiveDate) {
    match period {
        Some(p) => (p.first_day(), p.last_day()),
        None => (
            NaiveDate::from_ymd_opt(1, 1, 1).expect("valid"),
            NaiveDate::from_ymd_opt(9999, 12, 31).expect("valid"),
        ),
    }
}

/// Entries dated in the range that no document carries yet, planned.
pub async fn plan_unqueued(
    store: &dyn LedgerStore,
    chart: &ChartOfAccounts,
    rules: &DocumentRules,
    period: Option<Period>,
) -> Result<Vec<NsDocument>, PostError> {
    let (from, to) = range(period);
    let queued = store.queued_entry_seqs(from, to).await?;
    let mut entries: Vec<StoredEntry> = Vec::new();
    store
        .for_each_entry(
            EntryFilter {
                from: period.map(|p| p.first_day()),
                to: period.map(|p| p.last_day()),
            },
            &mut |e| {
                if !queued.contains(&e.seq.0) {
                    entries.push(e);
                }
                Ok(())
            },
        )
        .await?;
    plan_documents(&entries, chart, rules, AccountRef::NetSuiteId).map_err(PostError::Plan)
}

/// Queues the planned documents; each transaction holds whole documents.
pub async fn queue(store: &dyn LedgerStore, docs: &[NsDocument]) -> Result<usize, PostError> {
    let mut queued = 0;
    for chunk in docs.chunks(2000) {
        let rows: Vec<NewOutboxDocument> = chunk
            .iter()
            .map(|d| NewOutboxDocument {
                external_id: d.external_id.clone(),
                document_json: serde_json::to_string(d).expect("documents serialize"),
                tran_date: d.tran_date,
                currency: d.currency.code().to_string(),
                line_count: d.lines.len() as i64,
                entry_seqs: d.entry_seqs.clone(),
            })
            .collect();
        queued += store.queue_documents(&rows).await?;
    }
    Ok(queued)
}

pub async fn run(
    store: &dyn LedgerStore,
    client: &NetSuiteClient,
    chart: &ChartOfAccounts,
    options: &PostOptions,
) -> Result<RunSummary, PostError> {
    let started = Instant::now();
    let config = client.config();
    let rules = &config.rules;
    let mut summary = RunSummary {
        dry_run: options.dry_run,
        ..RunSummary::default()
    };
    let fresh = plan_unqueued(store, chart, rules, options.period).await?;
    let (from, to) = range(options.period);
    let mut statuses = vec![OutboxStatus::Pending];
    if options.retry_failed {
        statuses.push(OutboxStatus::Failed);
    }
    // Documents queued by earlier runs, rebuilt from their entries with
    // today's chart and rules: a corrected netsuite_id takes effect.
    let mut docs: Vec<Pending> = Vec::new();
    let mut problems = Vec::new();
    for queued in store.outbox_documents(&statuses, from, to).await? {
        let plan: NsDocument = serde_json::from_str(&queued.document_json)
            .map_err(|e| PostError::Corrupt(queued.external_id.clone(), e.to_string()))?;
        let mut entries = Vec::with_capacity(plan.entry_seqs.len());
        for seq in &plan.entry_seqs {
            if let Some(e) = store.entry(EntryId(*seq)).await? {
                entries.push(e);
            }
        }
        match rebuild_document(&plan, &entries, chart, rules, AccountRef::NetSuiteId) {
            Ok(doc) => docs.push(Pending {
                doc,
                // Held by a run that never let go (killed mid-request), or
                // answered before: NetSuite may have it.
                tried_before: queued.attempts > 0 || queued.claimed_by.is_some(),
            }),
            Err(mut p) => problems.append(&mut p),
        }
    }
    if !problems.is_empty() {
        problems.sort_by_key(|p| p.to_string());
        problems.dedup();
        return Err(PostError::Plan(problems));
    }
    let fresh_count = fresh.len();
    docs.extend(fresh.iter().cloned().map(|doc| Pending {
        doc,
        tried_before: false,
    }));
    summary.considered = docs.len();
    if docs.is_empty() {
        summary.seconds = started.elapsed().as_secs_f64();
        return Ok(summary);
    }
    // Check everything against NetSuite before queueing or sending anything.
    let mut customers: Vec<String> = docs
        .iter()
        .flat_map(|p| p.doc.lines.iter().filter_map(|l| l.entity.clone()))
        .collect();
    customers.sort();
    customers.dedup();
    let catalog = with_retries(config, || read_catalog(client, &customers))
        .await
        .map_err(PostError::Catalog)?;
    let plain: Vec<NsDocument> = docs.iter().map(|p| p.doc.clone()).collect();
    let ids = check_documents(&plain, &catalog).map_err(PostError::Check)?;
    if options.dry_run {
        summary.bodies = plain
            .iter()
            .zip(&ids)
            .map(|(d, ids)| serde_json::from_str(&journal_body(d, ids)).expect("our own JSON"))
            .collect();
        summary.seconds = started.elapsed().as_secs_f64();
        return Ok(summary);
    }
    summary.newly_queued = queue(store, &fresh).await?;
    debug_assert!(summary.newly_queued <= fresh_count);
    let shared = Shared {
        store,
        client,
        gate: Gate::new(options.concurrency),
        holder: format!("{}-{}", std::process::id(), rand::thread_rng().gen::<u64>()),
        stop: AtomicBool::new(false),
        stop_reason: Mutex::new(None),
        requests: AtomicU64::new(0),
        retries: AtomicU64::new(0),
    };
    let outcomes: Vec<Result<DocOutcome, PostError>> =
        futures_util::stream::iter(docs.iter().zip(ids.iter()))
            .map(|(pending, ids)| post_one(&shared, pending, ids))
            .buffer_unordered(options.concurrency.max(1))
            .collect()
            .await;
    for outcome in outcomes {
        match outcome? {
            DocOutcome::Posted { entries, lines } => {
                summary.posted += 1;
                summary.entries_posted += entries;
                summary.lines_posted += lines;
            }
            DocOutcome::Failed(p) => summary.failed.push(p),
            DocOutcome::Pending(p) => summary.still_pending.push(p),
        }
    }
    summary
        .failed
        .sort_by(|a, b| a.external_id.cmp(&b.external_id));
    summary
        .still_pending
        .sort_by(|a, b| a.external_id.cmp(&b.external_id));
    summary.stopped = shared.stop_reason.lock().expect("not poisoned").clone();
    summary.requests = shared.requests.load(Ordering::Relaxed);
    summary.retries = shared.retries.load(Ordering::Relaxed);
    summary.final_concurrency = shared.gate.allowed();
    summary.seconds = started.elapsed().as_secs_f64();
    Ok(summary)
}

/// A document to send, and whether an earlier run already tried it (then
/// NetSuite may have it: ask before sending).
struct Pending {
    doc: NsDocument,
    tried_before: bool,
}

/// Runs `attempt` until it succeeds or fails for a reason retrying cannot fix.
async fn with_retries<T, F, Fut>(
    config: &super::NetSuiteConfig,
    mut attempt: F,
) -> Result<T, NsError>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, NsError>>,
{
    let mut n = 1;
    loop {
        match attempt().await {
            Err(NsError::Retryable { .. }) if n < config.max_attempts => {
                tokio::time::sleep(backoff(config.retry_base_ms, n)).await;
                n += 1;
            }
            other => return other,
        }
    }
}

/// How many requests may be in flight: starts at `--concurrency` and, when
/// NetSuite answers 429, drops to one below what was in flight then — for
/// the rest of the run, so once it settles no request exceeds the
/// account's limit (which settlebridge cannot read without admin rights).
struct Gate {
    state: Mutex<(usize, usize)>,
    changed: tokio::sync::Notify,
}

struct GatePermit<'a> {
    gate: &'a Gate,
    in_flight_at_start: usize,
}

impl Drop for GatePermit<'_> {
    fn drop(&mut self) {
        self.gate.state.lock().expect("not poisoned").1 -= 1;
        self.gate.changed.notify_waiters();
    }
}

impl Gate {
    fn new(allowed: usize) -> Gate {
        Gate {
            state: Mutex::new((allowed.max(1), 0)),
            changed: tokio::sync::Notify::new(),
        }
    }

    async fn enter(&self) -> GatePermit<'_> {
        loop {
            let notified = self.changed.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            {
                let mut s = self.state.lock().expect("not poisoned");
                if s.1 < s.0 {
                    s.1 += 1;
                    return GatePermit {
                        gate: self,
                        in_flight_at_start: s.1,
                    };
                }
            }
            notified.await;
        }
    }

    fn throttled(&self, permit: &GatePermit<'_>) {
        let mut s = self.state.lock().expect("not poisoned");
        let seen = permit.in_flight_at_start.max(s.1);
        s.0 = s.0.min(seen.saturating_sub(1).max(1));
    }

    fn allowed(&self) -> usize {
        self.state.lock().expect("not poisoned").0
    }
}

struct Shared<'a> {
    store: &'a dyn LedgerStore,
    client: &'a NetSuiteClient,
    gate: Gate,
    /// This run's name on the documents it holds.
    holder: String,
    stop: AtomicBool,
    stop_reason: Mutex<Option<String>>,
    requests: AtomicU64,
    retries: AtomicU64,
}

enum DocOutcome {
    Posted { entries: usize, lines: usize },
    Failed(Parked),
    Pending(Parked),
}

/// Exponential backoff with full jitter: a random wait up to base·2^(n−1),
/// capped at 30 s, so retries from several workers do not line up.
fn backoff(base_ms: u64, attempt: u32) -> Duration {
    let cap = base_ms
        .saturating_mul(1u64 << attempt.saturating_sub(1).min(16))
        .min(30_000);
    Duration::from_millis(rand::thread_rng().gen_range(0..=cap.max(1)))
}

async fn post_one(
    shared: &Shared<'_>,
    pending: &Pending,
    ids: &BodyIds,
) -> Result<DocOutcome, PostError> {
    let doc = &pending.doc;
    let config = shared.client.config();
    let lease = chrono::Duration::seconds(config.claim_lease_secs as i64);
    if !shared
        .store
        .claim_document(&doc.external_id, &shared.holder, chrono::Utc::now() + lease)
        .await?
    {
        return Ok(DocOutcome::Pending(Parked {
            external_id: doc.external_id.clone(),
            detail:
                "held by another run (it is sending it, or was killed and its hold has not expired)"
                    .into(),
        }));
    }
    let outcome = send(shared, doc, ids, pending.tried_before).await;
    shared
        .store
        .release_document(&doc.external_id, &shared.holder)
        .await?;
    outcome
}

async fn send(
    shared: &Shared<'_>,
    doc: &NsDocument,
    ids: &BodyIds,
    tried_before: bool,
) -> Result<DocOutcome, PostError> {
    let body = journal_body(doc, ids);
    let config = shared.client.config();
    let pending = |detail: String| {
        DocOutcome::Pending(Parked {
            external_id: doc.external_id.clone(),
            detail,
        })
    };
    let posted = |internal_id: String| async move {
        shared
            .store
            .record_outbox_outcome(
                &doc.external_id,
                &OutboxOutcome::Posted {
                    internal_id,
                    body: journal_body(doc, ids),
                },
            )
            .await?;
        Ok::<_, PostError>(DocOutcome::Posted {
            entries: doc.entry_seqs.len(),
            lines: doc.lines.len(),
        })
    };
    // An earlier attempt may have reached NetSuite without us hearing the
    // answer: then look before sending, so what NetSuite has is never rewritten.
    let mut maybe_there = tried_before;
    let mut last = String::from("not sent: the run stopped first");
    for attempt in 1..=config.max_attempts {
        if shared.stop.load(Ordering::SeqCst) {
            return Ok(pending(last));
        }
        shared.requests.fetch_add(1, Ordering::Relaxed);
        let permit = shared.gate.enter().await;
        let found = if maybe_there {
            shared.client.journal_entry_id(&doc.external_id).await
        } else {
            Ok(None)
        };
        let answer = match found {
            Ok(Some(id)) => Ok(id),
            Ok(None) => {
                maybe_there = false;
                shared
                    .client
                    .upsert_journal_entry(&doc.external_id, &body)
                    .await
            }
            Err(e) => Err(e),
        };
        if matches!(
            answer,
            Err(NsError::Retryable {
                status: Some(429),
                ..
            })
        ) {
            shared.gate.throttled(&permit);
        }
        drop(permit);
        match answer {
            Ok(internal_id) => return posted(internal_id).await,
            Err(NsError::Retryable { status, detail }) => {
                shared
                    .store
                    .record_outbox_outcome(
                        &doc.external_id,
                        &OutboxOutcome::Retry {
                            http_status: status,
                            detail: detail.clone(),
                        },
                    )
                    .await?;
                // No answer at all (a timeout, a dropped connection): the
                // record may have been stored.
                if status.is_none() {
                    maybe_there = true;
                }
                last = detail;
                if attempt < config.max_attempts {
                    shared.retries.fetch_add(1, Ordering::Relaxed);
                    tokio::time::sleep(backoff(config.retry_base_ms, attempt)).await;
                }
            }
            Err(NsError::Rejected {
                status,
                code,
                detail,
            }) => {
                let detail = if code.is_empty() {
                    detail
                } else {
                    format!("{code}: {detail}")
                };
                shared
                    .store
                    .record_outbox_outcome(
                        &doc.external_id,
                        &OutboxOutcome::Failed {
                            http_status: Some(status),
                            detail: detail.clone(),
                            body: body.clone(),
                        },
                    )
                    .await?;
                return Ok(DocOutcome::Failed(Parked {
                    external_id: doc.external_id.clone(),
                    detail,
                }));
            }
            Err(e @ (NsError::Auth { .. } | NsError::Setup(_))) => {
                let detail = e.to_string();
                shared
                    .store
                    .record_outbox_outcome(
                        &doc.external_id,
                        &OutboxOutcome::Stopped {
                            http_status: e.status(),
                            detail: detail.clone(),
                        },
                    )
                    .await?;
                if !shared.stop.swap(true, Ordering::SeqCst) {
                    *shared.stop_reason.lock().expect("not poisoned") = Some(detail.clone());
                }
                return Ok(pending(detail));
            }
        }
    }
    Ok(pending(format!(
        "still failing after {} attempts: {last}",
        config.max_attempts
    )))
}
