//! Reports over the books: the month-end close report per shop, and the
//! trail of an order or a payout from its source rows to its postings.

mod close_report;
mod trail;

pub use close_report::*;
pub use trail::*;
