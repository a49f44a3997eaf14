//! Where a parser puts what it reads. Streaming parsers hand records over as
//! they go (the importer writes them to the database while the file is still
//! being read); `ParsedFile` collects them for callers that want the whole
//! file in memory (tests, small files).

use crate::domain::order::Order;
use crate::domain::payout::Payout;
use crate::domain::settlement::{ParsedFile, SettlementLine, Statement};

pub trait RecordSink {
    fn statement(&mut self, statement: Statement);
    fn line(&mut self, line: SettlementLine);
    fn payout(&mut self, payout: Payout);
    fn order(&mut self, order: Order);
}

impl RecordSink for ParsedFile {
    fn statement(&mut self, statement: Statement) {
        self.statements.push(statement);
    }
    fn line(&mut self, line: SettlementLine) {
        self.lines.push(line);
    }
    fn payout(&mut self, payout: Payout) {
        self.payouts.push(payout);
    }
    fn order(&mut self, order: Order) {
        self.orders.push(order);
    }
}

/// Hands every record of a parsed file to `sink`, statements first.
pub fn emit_all(parsed: ParsedFile, sink: &mut dyn RecordSink) {
    for s in parsed.statements {
        sink.statement(s);
    }
    for l in parsed.lines {
        sink.line(l);
    }
    for p in parsed.payouts {
        sink.payout(p);
    }
    for o in parsed.orders {
        sink.order(o);
    }
}
