//! The dashboard: per shop and month, where the books stand and what to do next.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use axum::Extension;

use super::auth::CurrentUser;
use super::page::{render, Layout};
use super::{AppState, WebError};
use crate::domain::PeriodStatus;
use crate::workflow::{self, ShopOverview};

pub struct MonthRow {
    pub period: String,
    pub entries: u64,
    pub posted: u64,
    pub closed: bool,
}

pub struct ShopRow {
    pub s: ShopOverview,
    pub months: Vec<MonthRow>,
    pub exceptions: usize,
    pub lines: usize,
}

#[derive(Template)]
#[template(path = "web/dashboard.html")]
struct DashboardPage {
    layout: Layout,
    shops: Vec<ShopRow>,
    next_steps: Vec<(String, String)>,
    unmapped: usize,
    failed_posts: u64,
}

pub async fn dashboard(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
) -> Result<Response, WebError> {
    let store = state.store();
    let standings = workflow::shop_overviews(store).await?;
    let unmapped: usize = standings
        .iter()
        .map(|s| s.standing.unmapped.len() + s.standing.wildcard.len())
        .sum();
    let closed: std::collections::BTreeSet<String> = store
        .period_states()
        .await?
        .into_iter()
        .filter(|p| p.status == PeriodStatus::Closed)
        .map(|p| p.period.to_string())
        .collect();
    let epoch = chrono::NaiveDate::from_ymd_opt(1900, 1, 1).expect("a date");
    let far = chrono::NaiveDate::from_ymd_opt(9999, 12, 31).expect("a date");
    // Refused documents only (counting every posted one joins millions of rows).
    let failed_documents = store
        .outbox_documents(&[crate::store::OutboxStatus::Failed], epoch, far)
        .await?
        .len() as u64;
    let mut next_steps = Vec::new();
    if standings.is_empty() {
        next_steps.push((
            "/upload".into(),
            "Upload the channels' settlement files".into(),
        ));
    }
    if unmapped > 0 {
        next_steps.push((
            "/exceptions".into(),
            format!("{unmapped} component(s) have no GL account of their own: map them in the mapping files"),
        ));
    }
    if failed_documents > 0 {
        next_steps.push((
            "/exceptions".into(),
            format!(
                "{} NetSuite document(s) were refused: fix the cause and post again",
                failed_documents
            ),
        ));
    }
    let mut shops = Vec::new();
    for s in standings {
        let m = &s.standing.matching;
        let shop = s.standing.shop.clone();
        let exceptions = s.standing.exceptions();
        if exceptions > 0 {
            next_steps.push((
                format!("/exceptions?shop={}", super::page::url_encode(&shop)),
                format!("{}: review {exceptions} exception(s)", shop),
            ));
        }
        let months: Vec<MonthRow> = s
            .months
            .iter()
            .map(|(p, entries, posted)| MonthRow {
                period: p.to_string(),
                entries: *entries,
                posted: *posted,
                closed: closed.contains(&p.to_string()),
            })
            .collect();
        for mr in &months {
            if mr.entries > mr.posted {
                next_steps.push((
                    format!(
                        "/close?period={}&shop={}",
                        mr.period,
                        super::page::url_encode(&shop)
                    ),
                    format!(
                        "{} {}: post {} entries to NetSuite",
                        shop,
                        mr.period,
                        mr.entries - mr.posted
                    ),
                ));
            } else if !mr.closed && mr.entries > 0 {
                next_steps.push((
                    format!("/close?period={}", mr.period),
                    format!(
                        "{} {}: review the close report and close the month",
                        shop, mr.period
                    ),
                ));
            }
        }
        let lines = m.lines_matched + m.lines_variance + m.lines_orphan + m.lines_no_order;
        shops.push(ShopRow {
            months,
            exceptions,
            lines,
            s,
        });
    }
    next_steps.dedup();
    next_steps.truncate(12);
    render(&DashboardPage {
        layout: Layout::new(&user, "dashboard"),
        shops,
        next_steps,
        unmapped,
        failed_posts: failed_documents,
    })
}
