//! What an import or a reconcile did, as text for people: the command line
//! prints it and the web app shows the same words.

use crate::importer::{self, ImportReport};
use crate::reconcile::ReconcileReport;

pub fn render_banks(banks: &[crate::bank_reconcile::BankReport]) -> String {
    let mut out = String::new();
    for b in banks {
        out.push_str(&format!(
            "bank {} ({}): {} lines through {}; {} deposit match(es), {} entries booked new, {} replaced, {} unchanged\n",
            b.bank,
            b.currency,
            b.lines,
            b.through.map(|d| d.to_string()).unwrap_or_else(|| "-".into()),
            b.matches.len(),
            b.new,
            b.replaced,
            b.unchanged
        ));
        for a in &b.ambiguous {
            out.push_str(&format!(
                "  ambiguous, not matched: payouts {} / deposits {} — {}\n",
                a.payouts.join(", "),
                a.deposits.len(),
                a.reason
            ));
        }
        let overdue: Vec<_> = b.unmatched_payouts.iter().filter(|p| p.overdue).collect();
        if !overdue.is_empty() {
            out.push_str(&format!(
                "  payouts with no deposit after the window: {}\n",
                overdue.len()
            ));
            for p in overdue.iter().take(20) {
                out.push_str(&format!(
                    "    {} {} {} paid {}\n",
                    p.payout, p.amount, p.currency, p.date
                ));
            }
        }
        if !b.unmatched_deposits.is_empty() {
            out.push_str(&format!(
                "  deposits no payout explains: {}\n",
                b.unmatched_deposits.len()
            ));
            for d in b.unmatched_deposits.iter().take(20) {
                out.push_str(&format!(
                    "    {} {} `{}` [batch {}, row {}]\n",
                    d.booked, d.amount, d.description, d.batch_id, d.row
                ));
            }
        }
    }
    out
}

pub fn render_reconcile(report: &ReconcileReport) -> String {
    let mut out = String::new();
    if report.shops.is_empty() && report.banks.is_empty() {
        out.push_str("reconcile: no imported records to book\n");
    }
    for s in &report.shops {
        let m = &s.matching;
        out.push_str(&format!(
            "{} ({}, {}): {} entries booked new, {} replaced, {} withdrawn, {} unchanged\n",
            s.shop, s.channel, s.currency, s.new, s.replaced, s.withdrawn, s.unchanged
        ));
        if s.redated > 0 {
            out.push_str(&format!(
                "  {} correction(s) dated in the first open period (their own is closed)\n",
                s.redated
            ));
        }
        out.push_str(&format!(
            "  orders: {} unsettled, {} settled, {} partially refunded, {} refunded\n",
            m.orders_unsettled, m.orders_settled, m.orders_partially_refunded, m.orders_refunded
        ));
        out.push_str(&format!(
            "  settlement lines: {} matched, {} with a variance, {} orphan (order not imported), {} without an order\n",
            m.lines_matched, m.lines_variance, m.lines_orphan, m.lines_no_order
        ));
        out.push_str(&format!(
            "  payouts: {} of {} tie to their lines",
            m.payouts_tied,
            m.payouts - m.payouts_unlinked
        ));
        if m.payouts_unlinked > 0 {
            out.push_str(&format!(
                "; {} not linked to statements",
                m.payouts_unlinked
            ));
        }
        out.push('\n');
        for p in &m.payouts_not_tied {
            out.push_str(&format!("  payout does not tie: {p}\n"));
        }
        for st in &m.statements_not_tied {
            out.push_str(&format!("  statement does not tie: {st}\n"));
        }
        if m.variances > 0 {
            out.push_str(&format!(
                "  {} sale figure(s) differ between order export and settlement: booked as variances\n",
                m.variances
            ));
        }
        for u in &s.unbooked {
            out.push_str(&format!("  not booked: {}: {}\n", u.subject, u.reason));
        }
    }
    out.push_str(&render_banks(&report.banks));
    out
}

pub fn render_bank_import(r: &importer::bank::BankImportReport) -> String {
    let mut out = format!(
        "{}: {} bank statement(s), batch {}; {} line(s) new, {} already known\n",
        r.file,
        r.statements.len(),
        r.batch.id,
        r.batch.lines_new,
        r.batch.lines_duplicate
    );
    for s in &r.statements {
        out.push_str(&format!(
            "  {} {} {}: {} to {}, {} lines, opening {}, closing {}\n",
            s.bank,
            s.statement_id.as_deref().unwrap_or("-"),
            s.currency,
            s.from.as_deref().unwrap_or("?"),
            s.to.as_deref().unwrap_or("?"),
            s.lines,
            s.opening.as_deref().unwrap_or("-"),
            s.closing.as_deref().unwrap_or("-"),
        ));
    }
    for w in &r.warnings {
        out.push_str(&format!("  warning: {w}\n"));
    }
    out
}

pub fn render_import(report: &ImportReport) -> String {
    match report {
        ImportReport::AlreadyImported { file, batch } => {
            format!("{file}: already imported as batch {batch}; nothing changed\n")
        }
        ImportReport::Imported {
            file,
            format,
            batch,
            statements,
            totals,
            payout_totals,
            warnings,
        } => {
            let mut out = format!(
                "{file}: {} ({})\n  batch {}{}: {} rows read",
                format.describe(),
                format.as_str(),
                batch.id,
                if batch.shop.is_empty() {
                    String::new()
                } else {
                    format!(", shop {}", batch.shop)
                },
                batch.rows_read,
            );
            let mut counted = |what: &str, new: i64, old: i64| {
                if new + old > 0 {
                    out.push_str(&format!("; {what} {new} new, {old} already imported"));
                }
            };
            counted("settlement lines", batch.lines_new, batch.lines_duplicate);
            counted("orders", batch.orders_new, batch.orders_duplicate);
            counted("payouts", batch.payouts_new, batch.payouts_duplicate);
            out.push('\n');
            if batch.orders_revised > 0 {
                out.push_str(&format!(
                    "  {} order(s) had been imported before with other amounts: stored as new revisions\n",
                    batch.orders_revised
                ));
            }
            for st in statements {
                let declared = st
                    .declared_total
                    .as_deref()
                    .map(|t| format!("{t} {}", st.currency))
                    .unwrap_or_else(|| "no total in the file".into());
                out.push_str(&format!(
                    "  statement {}: {declared}; its lines sum to {} {}\n",
                    st.statement_id, st.lines_total, st.currency
                ));
            }
            for (currency, total) in totals {
                out.push_str(&format!("  settlement lines total {total} {currency}\n"));
            }
            for (currency, total) in payout_totals {
                out.push_str(&format!("  payouts total {total} {currency}\n"));
            }
            for warning in warnings {
                out.push_str(&format!("  warning: {warning}\n"));
            }
            out
        }
    }
}
