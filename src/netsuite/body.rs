//! A planned journal entry → the SuiteTalk REST JSON body. Amounts are
//! written as JSON numbers straight from their decimal text (never through
//! a float), with no `0.00` on the other side of a line.

use serde::Serialize;
use serde_json::value::RawValue;

use crate::domain::Side;

use super::journal::NsDocument;

#[derive(Serialize)]
struct Ref {
    id: String,
}

fn reference(id: &Option<String>) -> Option<Ref> {
    id.as_ref().map(|id| Ref { id: id.clone() })
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct JournalBody<'a> {
    external_id: &'a str,
    subsidiary: Ref,
    currency: Ref,
    tran_date: String,
    posting_period: Ref,
    memo: &'a str,
    line: Lines<'a>,
}

#[derive(Serialize)]
struct Lines<'a> {
    items: Vec<LineBody<'a>>,
}

#[derive(Serialize)]
struct LineBody<'a> {
    account: Ref,
    #[serde(skip_serializing_if = "Option::is_none")]
    debit: Option<Box<RawValue>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    credit: Option<Box<RawValue>>,
    memo: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    entity: Option<Ref>,
    #[serde(skip_serializing_if = "Option::is_none")]
    department: Option<Ref>,
    #[serde(skip_serializing_if = "Option::is_none")]
    class: Option<Ref>,
    #[serde(skip_serializing_if = "Option::is_none")]
    location: Option<Ref>,
}

/// The ids NetSuite knows the document's currency and period by.
pub struct BodyIds {
    pub currency_id: String,
    pub posting_period_id: String,
}

pub fn journal_body(doc: &NsDocument, ids: &BodyIds) -> String {
    let number = |d: rust_decimal::Decimal| {
        RawValue::from_string(d.to_string()).expect("a decimal's text is a JSON number")
    };
    let body = JournalBody {
        external_id: &doc.external_id,
        subsidiary: Ref {
            id: doc.subsidiary.clone(),
        },
        currency: Ref {
            id: ids.currency_id.clone(),
        },
        tran_date: doc.tran_date.format("%Y-%m-%d").to_string(),
        posting_period: Ref {
            id: ids.posting_period_id.clone(),
        },
        memo: &doc.memo,
        line: Lines {
            items: doc
                .lines
                .iter()
                .map(|l| LineBody {
                    account: Ref {
                        id: l.account_id.clone(),
                    },
                    debit: (l.side == Side::Debit).then(|| number(l.amount)),
                    credit: (l.side == Side::Credit).then(|| number(l.amount)),
                    memo: &l.memo,
                    entity: reference(&l.entity),
                    department: reference(&l.department),
                    class: reference(&l.class),
                    location: reference(&l.location),
                })
                .collect(),
        },
    };
    serde_json::to_string(&body).expect("the body serializes")
}
