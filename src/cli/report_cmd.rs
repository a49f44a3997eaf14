//! `settlebridge report close` and `settlebridge trail order|payout`.

use std::io::Write;
use std::process::ExitCode;

use super::{Cli, CloseFormat};
use crate::domain::close::CloseReport;
use crate::domain::Period;
use crate::gl_mappings;
use crate::reports;
use crate::store::LedgerStore;

pub async fn close(
    cli: &Cli,
    store: &dyn LedgerStore,
    period: &str,
    shop: Option<&str>,
    format: CloseFormat,
    output: Option<&std::path::Path>,
    all_exceptions: bool,
) -> anyhow::Result<ExitCode> {
    let period: Period = period
        .parse()
        .map_err(|e| anyhow::anyhow!("--period: {e}"))?;
    let package =
        crate::workflow::close_package(&cli.mappings, store, period, shop, all_exceptions).await?;
    let (reports, bank_sections) = (package.shops, package.banks);
    let bytes = match format {
        // One document: the shops' reports and the bank section, as the
        // table, CSV and XLSX forms carry both.
        CloseFormat::Json => (serde_json::to_string_pretty(&serde_json::json!({
            "period": period.to_string(),
            "shops": reports,
            "banks": bank_sections,
        }))? + "\n")
            .into_bytes(),
        CloseFormat::Csv => {
            crate::export::close_report::csv(&reports, &bank_sections)?.into_bytes()
        }
        CloseFormat::Table => {
            let mut text = reports
                .iter()
                .map(close_text)
                .collect::<Vec<_>>()
                .join("\n");
            for b in &bank_sections {
                text.push('\n');
                text.push_str(&bank_text(b));
            }
            text.into_bytes()
        }
        CloseFormat::Xlsx => {
            if output.is_none() {
                anyhow::bail!("--format xlsx writes a workbook: name the file with --output");
            }
            crate::export::close_report::xlsx(&reports, &bank_sections)?
        }
    };
    match output {
        Some(path) => std::fs::write(path, &bytes)
            .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", path.display()))?,
        None => std::io::stdout().lock().write_all(&bytes)?,
    }
    Ok(ExitCode::SUCCESS)
}

pub async fn bank(
    cli: &Cli,
    store: &dyn LedgerStore,
    period: &str,
    json: bool,
) -> anyhow::Result<ExitCode> {
    let period: Period = period
        .parse()
        .map_err(|e| anyhow::anyhow!("--period: {e}"))?;
    let chart = super::ledger_cmd::stored_chart(store).await?;
    let banks = gl_mappings::load_banks(&cli.mappings, &chart)?;
    if banks.is_empty() {
        anyhow::bail!(
            "no bank accounts are configured: add gl-mappings/banks.toml (see banks.example.toml)"
        );
    }
    let shops = gl_mappings::load_shops(&cli.mappings, &chart)?;
    let sections = crate::bank_report::bank_close(
        store,
        &banks,
        &crate::workflow::transit_accounts(&shops),
        period,
    )
    .await?;
    if json {
        println!("{}", serde_json::to_string_pretty(&sections)?);
    } else {
        for b in &sections {
            print!("{}", bank_text(b));
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The shops' cash-in-transit accounts; 1020 without a shops.toml.
fn bank_text(b: &crate::bank_report::BankClose) -> String {
    let c = &b.currency;
    let f = |d: rust_decimal::Decimal| amount(d, c);
    let opt = |d: Option<rust_decimal::Decimal>| d.map(f).unwrap_or_else(|| "-".into());
    let mut out = format!(
        "Bank {} — {} ({c}, GL {})\n",
        b.period, b.bank, b.gl_account
    );
    out.push_str(&format!(
        "  channel deposits matched and booked: {} ({})\n",
        b.deposits_matched,
        f(b.deposits_matched_total)
    ));
    out.push_str(&format!(
        "  statement closing balance: {}{}\n",
        opt(b.statement_closing),
        b.statement_closing_date
            .map(|d| format!(" (on {d})"))
            .unwrap_or_default()
    ));
    out.push_str(&format!(
        "  GL {} balance at the period's end: {}\n",
        b.gl_account,
        f(b.gl_balance)
    ));
    out.push_str(&format!(
        "  opening balance before the first statement: {}\n",
        opt(b.first_opening)
    ));
    out.push_str(&format!(
        "  bank lines the ledger does not carry (through the period's end): {}\n",
        f(b.unbooked_through_end)
    ));
    for (account, balance) in &b.in_transit {
        out.push_str(&format!(
            "  paid out by the channels, not yet in the bank ({account}, at the period's end): {}\n",
            f(*balance)
        ));
    }
    match b.unexplained {
        Some(d) if d.is_zero() => {
            out.push_str("  tie-out: statement = GL + opening + lines not carried (ties)\n")
        }
        Some(d) => out.push_str(&format!("  tie-out: {} UNEXPLAINED\n", f(d))),
        None => out.push_str("  tie-out: no statement closes on or before the period's end\n"),
    }
    if !b.unbooked_lines.is_empty() {
        out.push_str(&format!(
            "  lines of the period not carried ({}):\n",
            b.unbooked_lines.len()
        ));
        for l in b.unbooked_lines.iter().take(50) {
            out.push_str(&format!(
                "    {} {:>14}  {} [batch {}, row {}]\n",
                l.booked,
                f(l.amount),
                l.description,
                l.batch_id,
                l.row
            ));
        }
    }
    out
}

/// Amounts as the currency writes them (two decimals for USD).
fn amount(d: rust_decimal::Decimal, currency: &str) -> String {
    match currency.parse() {
        Ok(c) => crate::domain::money::format_amount(d, c),
        Err(_) => d.to_string(),
    }
}

fn close_text(r: &CloseReport) -> String {
    let c = &r.currency;
    let f = |d: rust_decimal::Decimal| amount(d, c);
    let mut out = format!(
        "Close report {} — {} ({}, {c})\n",
        r.period, r.shop, r.channel
    );
    let section = |out: &mut String, title: &str, lines: &[crate::domain::close::AccountLine]| {
        let f = |d: rust_decimal::Decimal| amount(d, c);
        out.push_str(&format!("\n{title}\n"));
        if lines.is_empty() {
            out.push_str("  (none)\n");
        }
        for l in lines {
            out.push_str(&format!(
                "  {:<6} {:<44} {:>14}\n",
                l.account,
                l.name,
                f(l.amount)
            ));
        }
    };
    section(
        &mut out,
        "Revenue (net of discounts and refunds)",
        &r.revenue,
    );
    section(&mut out, "Fees and costs", &r.costs);
    section(&mut out, "Reserves, taxes and other accounts", &r.other);
    out.push_str(&format!(
        "\nPayouts: {} in the period, {} {c} sent to cash in transit\n",
        r.payouts.len(),
        f(r.payouts_total)
    ));
    let rf = &r.rollforward;
    out.push_str(&format!("\nClearing {} roll-forward\n", rf.account));
    out.push_str(&format!("  {:<51} {:>14}\n", "opening", f(rf.opening)));
    for a in &rf.activity {
        out.push_str(&format!("  {:<51} {:>14}\n", a.kind, f(a.amount)));
    }
    out.push_str(&format!("  {:<51} {:>14}\n", "closing", f(rf.closing)));
    let p = &r.proof;
    out.push_str("\nProof of the closing balance from the records\n");
    out.push_str(&format!(
        "  {:<51} {:>14}\n",
        format!("unsettled orders ({})", p.unsettled_orders),
        f(p.unsettled_amount)
    ));
    out.push_str(&format!(
        "  {:<51} {:>14}\n",
        format!("settled, not yet paid out ({} lines)", p.unpaid_lines),
        f(p.unpaid_amount)
    ));
    if !p.payout_differences.is_zero() {
        out.push_str(&format!(
            "  {:<51} {:>14}\n",
            "payouts that do not tie (lines − paid)",
            f(p.payout_differences)
        ));
    }
    if !p.unlinked_payouts.is_zero() {
        out.push_str(&format!(
            "  {:<51} {:>14}\n",
            "payouts not linked to statements",
            f(-p.unlinked_payouts)
        ));
    }
    out.push_str(&format!("  {:<51} {:>14}\n", "open items", f(p.open_items)));
    out.push_str(&format!(
        "  {}\n",
        if p.difference.is_zero() {
            "holds: closing = open items".to_string()
        } else {
            format!("DOES NOT HOLD: closing − open items = {}", f(p.difference))
        }
    ));
    out.push_str("\nUnsettled orders by age at the period's end\n");
    for b in &r.aging {
        out.push_str(&format!(
            "  {:<12} {:>8} orders {:>14}\n",
            b.label,
            b.orders,
            f(b.amount)
        ));
    }
    out.push_str(&format!(
        "\nExceptions\n  orphan settlement lines (order not imported): {}{}\n",
        r.orphans.count,
        totalled(&r.orphans, f)
    ));
    for o in r.orphans.items.iter().take(20) {
        out.push_str(&format!(
            "    order {} statement {} {} {} (batch {}, row {})\n",
            o.order_id,
            o.statement_id,
            o.transaction_type,
            f(o.net),
            o.batch_id,
            o.row.map(|r| r.to_string()).unwrap_or_default()
        ));
    }
    out.push_str(&format!(
        "  payouts that do not tie: {}\n",
        r.payouts_not_tied.len()
    ));
    for p in &r.payouts_not_tied {
        out.push_str(&format!(
            "    {}: paid {}, lines {}, difference {}; {}\n",
            p.payout_id,
            f(p.amount),
            f(p.lines_total),
            f(p.difference),
            p.causes.join("; ")
        ));
    }
    out.push_str(&format!(
        "  statements whose lines do not sum to their total: {}\n",
        r.statements_not_tied.len()
    ));
    out.push_str(&format!(
        "  sale variances: {}{}\n",
        r.variances.count,
        totalled(&r.variances, f)
    ));
    for v in r.variances.items.iter().take(20) {
        out.push_str(&format!(
            "    order {} {}: export {}, settled {}, booked {} to {}\n",
            v.order_id,
            v.code,
            f(v.ordered),
            f(v.settled),
            f(v.difference),
            v.account
        ));
    }
    if r.rate_cards == 0 {
        out.push_str("  fee checks: no rate card for this channel (gl-mappings/rates.toml)\n");
    } else {
        out.push_str(&format!(
            "  orders charged more than the rate card: {}{}\n",
            r.fee_overcharges.count,
            totalled(&r.fee_overcharges, f)
        ));
        for o in r.fee_overcharges.items.iter().take(20) {
            out.push_str(&format!(
                "    order {} {}: charged {}, card `{}` says {} × {} = {} ({} over)\n",
                o.order_id,
                o.fee,
                f(o.charged),
                o.card,
                f(o.basis),
                o.rate,
                f(o.expected),
                f(o.over)
            ));
        }
    }
    out.push_str(&format!(
        "  entries not yet in NetSuite: {} of {}\n",
        r.entries_not_in_netsuite, r.entries
    ));
    out
}

pub async fn trail(
    cli: &Cli,
    store: &dyn LedgerStore,
    what: &str,
    id: &str,
    json: bool,
) -> anyhow::Result<ExitCode> {
    let chart = super::ledger_cmd::stored_chart(store).await?;
    let shops = gl_mappings::load_shops(&cli.mappings, &chart)?;
    let mappings = gl_mappings::load_mappings_for_reading(&cli.mappings, &chart)?;
    let (value, text, found) = if what == "order" {
        let t = reports::trail_order(store, &mappings, &shops, id).await?;
        (
            serde_json::to_value(&t)?,
            t.iter().map(order_text).collect::<String>(),
            !t.is_empty(),
        )
    } else {
        let t = reports::trail_payout(store, &mappings, &shops, id).await?;
        (
            serde_json::to_value(&t)?,
            t.iter().map(payout_text).collect::<String>(),
            !t.is_empty(),
        )
    };
    if !found {
        eprintln!("no {what} `{id}` in the imported records");
        return Ok(ExitCode::from(1));
    }
    let mut out = std::io::stdout().lock();
    if json {
        writeln!(out, "{}", serde_json::to_string_pretty(&value)?)?;
    } else {
        out.write_all(text.as_bytes())?;
    }
    Ok(ExitCode::SUCCESS)
}

fn rows_text(rows: &[(Option<String>, u64)]) -> String {
    rows.iter()
        .map(|(sheet, row)| match sheet {
            Some(s) => format!("{s}!{row}"),
            None => format!("row {row}"),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn lines_text(out: &mut String, lines: &[reports::TrailLine]) {
    for l in lines {
        out.push_str(&format!(
            "  settlement line: statement {}{}, {} {}, net {} ({:?}; batch {}, {})\n",
            l.statement_id,
            l.payout_id
                .as_deref()
                .map(|p| format!(" (payout {p})"))
                .unwrap_or_default(),
            l.transaction_type,
            l.posted.as_deref().unwrap_or("no time"),
            l.net,
            l.status,
            l.batch_id,
            rows_text(&l.rows)
        ));
        for (code, amount) in &l.components {
            out.push_str(&format!("      {code:<40} {amount:>12}\n"));
        }
    }
}

fn entries_text(out: &mut String, entries: &[reports::TrailEntry]) {
    for e in entries {
        out.push_str(&format!(
            "  entry #{} {} {} `{}`{}: {}\n",
            e.id,
            e.date,
            e.kind,
            e.key,
            e.reversed_by
                .map(|r| format!(" (reversed by #{r})"))
                .unwrap_or_default(),
            e.description
        ));
        for p in &e.postings {
            out.push_str(&format!(
                "      {:<6} {:<6} {:>16}  {}{}\n",
                p.account,
                p.side,
                p.amount,
                p.memo.as_deref().unwrap_or(""),
                match (p.batch_id, p.row) {
                    (Some(b), Some(r)) => format!(" [batch {b}, row {r}]"),
                    (Some(b), None) => format!(" [batch {b}]"),
                    _ => String::new(),
                }
            ));
        }
        if let Some(n) = &e.netsuite {
            out.push_str(&format!("      NetSuite: {}\n", n.describe()));
        }
    }
}

fn order_text(t: &reports::OrderTrail) -> String {
    let mut out = format!(
        "Order {} — {} ({}), {}\n",
        t.order_id,
        t.shop,
        t.channel,
        t.status.map(|s| s.as_str()).unwrap_or("unknown")
    );
    match &t.export {
        Some(x) => {
            out.push_str(&format!(
                "  order export: revision {}, batch {}, {}, created {}, status {}\n",
                x.revision,
                x.batch_id,
                rows_text(&x.rows),
                x.created.as_deref().unwrap_or("?"),
                x.status.as_deref().unwrap_or("?")
            ));
            for (code, amount) in &x.amounts {
                out.push_str(&format!("      {code:<40} {amount:>12}\n"));
            }
        }
        None => {
            out.push_str("  order export: not imported (the sale is booked from the settlement)\n")
        }
    }
    lines_text(&mut out, &t.lines);
    for p in &t.payouts {
        out.push_str(&format!(
            "  payout {}: {} {} ({})\n",
            p.payout_id,
            amount(p.amount, p.currency.code()),
            p.currency,
            if p.ties() {
                format!("ties to its lines: {} lines", p.line_count)
            } else {
                format!(
                    "does not tie: its {} lines sum to {}",
                    p.line_count,
                    amount(p.lines_total, p.currency.code())
                )
            }
        ));
    }
    entries_text(&mut out, &t.entries);
    out.push_str(&format!("  NetSuite: {}\n", t.netsuite));
    for (payout, deposit) in &t.bank_deposits {
        out.push_str(&format!("  bank deposit of payout {payout}: {deposit}\n"));
    }
    out
}

fn payout_text(t: &reports::PayoutTrail) -> String {
    let p = &t.payout;
    let mut out = format!(
        "Payout {} — {} ({}): {} {}, {} statement(s), lines sum to {} ({})\n",
        p.payout_id,
        t.shop,
        t.channel,
        p.amount,
        p.currency,
        p.statements.len(),
        p.lines_total,
        if p.ties() {
            "ties".to_string()
        } else {
            format!("difference {}: {}", p.difference, p.causes.join("; "))
        }
    );
    lines_text(&mut out, &t.lines);
    entries_text(&mut out, &t.entries);
    out.push_str(&format!(
        "  bank deposit: {}\n  NetSuite: {}\n",
        t.bank_deposit, t.netsuite
    ));
    out
}

/// ", totalling X (the first 20 shown)" after a count, when there are any.
fn totalled<T>(
    listed: &crate::domain::close::Listed<T>,
    f: impl Fn(rust_decimal::Decimal) -> String,
) -> String {
    match listed.count {
        0 => String::new(),
        n if n > 20 => format!(", totalling {} (the first 20 shown)", f(listed.total)),
        _ => format!(", totalling {}", f(listed.total)),
    }
}
