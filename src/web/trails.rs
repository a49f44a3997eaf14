//! An order's trail and a payout's page: source rows → records → entries →
//! postings → NetSuite → bank, each step linked.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::Extension;

use super::auth::CurrentUser;
use super::page::{render, Layout};
use super::{AppState, WebError};
use crate::reports::{OrderTrail, PayoutTrail};
use crate::{gl_mappings, reports, workflow};

#[derive(Template)]
#[template(path = "web/order.html")]
struct OrderPage {
    layout: Layout,
    order_id: String,
    trails: Vec<OrderTrail>,
}

#[derive(Template)]
#[template(path = "web/payout.html")]
struct PayoutPage {
    layout: Layout,
    payout_id: String,
    trails: Vec<PayoutTrail>,
    /// Per trail: fee and other component totals over its lines.
    fees: Vec<Vec<(String, String)>>,
}

impl PayoutPage {
    fn fees_of(&self, i: &usize) -> &[(String, String)] {
        self.fees.get(*i).map(Vec::as_slice).unwrap_or_default()
    }
}

async fn reading(
    state: &AppState,
) -> Result<(gl_mappings::Mappings, crate::domain::shop::Shops), WebError> {
    let chart = workflow::stored_chart(state.store()).await?;
    let dir = &state.config().mappings;
    let shops = gl_mappings::load_shops(dir, &chart).map_err(anyhow::Error::from)?;
    let mappings =
        gl_mappings::load_mappings_for_reading(dir, &chart).map_err(anyhow::Error::from)?;
    Ok((mappings, shops))
}

pub async fn order(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let (mappings, shops) = reading(&state).await?;
    let trails = reports::trail_order(state.store(), &mappings, &shops, &id)
        .await
        .map_err(anyhow::Error::from)?;
    if trails.is_empty() {
        return Err(WebError::NotFound(format!(
            "no order `{id}` in the imported records"
        )));
    }
    render(&OrderPage {
        layout: Layout::new(&user, "ledger"),
        order_id: id,
        trails,
    })
}

pub async fn payout(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let (mappings, shops) = reading(&state).await?;
    let trails = reports::trail_payout(state.store(), &mappings, &shops, &id)
        .await
        .map_err(anyhow::Error::from)?;
    if trails.is_empty() {
        return Err(WebError::NotFound(format!(
            "no payout `{id}` in the imported records"
        )));
    }
    let fees = trails
        .iter()
        .map(|t| {
            let mut by_code: std::collections::BTreeMap<String, rust_decimal::Decimal> =
                Default::default();
            for l in &t.lines {
                for (code, amount) in &l.components {
                    if let Ok(a) = amount.parse::<rust_decimal::Decimal>() {
                        *by_code.entry(code.clone()).or_default() += a;
                    }
                }
            }
            by_code
                .into_iter()
                .map(|(c, a)| (c, a.to_string()))
                .collect()
        })
        .collect();
    render(&PayoutPage {
        layout: Layout::new(&user, "ledger"),
        payout_id: id,
        trails,
        fees,
    })
}
