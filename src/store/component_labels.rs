//! A settlement line's components, named by number within their import.
//!
//! A file uses a few dozen (code, label) pairs — its money columns, or its
//! amount descriptions — and a million lines repeat them. Each import
//! numbers the pairs it meets (`ComponentNumbering`, on the parser's
//! thread), keeps them once in `import_component_labels`, and writes each
//! line's components as `[[n, amount_micros], ...]`. Lines stored before
//! migration 0015 say `[[code, label, amount_micros], ...]`; `ComponentNames`
//! reads both.

use std::collections::HashMap;

use crate::domain::settlement::{Component, ComponentCode};

use super::amounts::{from_micros, to_micros};
use super::StoreError;

/// One numbered (code, label) pair of an import.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ComponentLabel {
    pub n: i64,
    pub code: String,
    pub label: String,
}

/// Numbers the (code, label) pairs of one import in the order met.
#[derive(Debug, Default)]
pub struct ComponentNumbering {
    /// code → (label, number): a file has few labels per code, and looking
    /// a pair up this way needs no key built for it.
    numbers: HashMap<String, Vec<(String, i64)>>,
    next: i64,
    /// Numbered since the last `take_new`: what the writer has not stored.
    new: Vec<ComponentLabel>,
}

impl ComponentNumbering {
    pub fn new() -> Self {
        Self::default()
    }

    /// The pair's number, numbering it if it is new.
    pub fn number(&mut self, code: &str, label: &str) -> i64 {
        let labels = match self.numbers.get_mut(code) {
            Some(labels) => labels,
            None => self.numbers.entry(code.to_string()).or_default(),
        };
        if let Some((_, n)) = labels.iter().find(|(l, _)| l == label) {
            return *n;
        }
        let n = self.next;
        self.next += 1;
        labels.push((label.to_string(), n));
        self.new.push(ComponentLabel {
            n,
            code: code.to_string(),
            label: label.to_string(),
        });
        n
    }

    /// The pairs numbered since the last call, to be stored before (or
    /// with) the lines that name them.
    pub fn take_new(&mut self) -> Vec<ComponentLabel> {
        std::mem::take(&mut self.new)
    }

    /// `components` as a line's details store them: `[[n, micros], ...]`.
    pub fn encode(&mut self, components: &[Component]) -> Result<String, StoreError> {
        let mut out = String::with_capacity(2 + components.len() * 16);
        out.push('[');
        let mut numbers = itoa::Buffer::new();
        for (i, c) in components.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            out.push('[');
            out.push_str(numbers.format(self.number(c.code.as_str(), &c.label)));
            out.push(',');
            out.push_str(numbers.format(to_micros(c.amount)?));
            out.push(']');
        }
        out.push(']');
        Ok(out)
    }
}

/// An import's numbered pairs, as `ComponentNames::add` takes them.
pub const LABELS_OF_BATCH: &str =
    "SELECT n, code, label FROM import_component_labels WHERE batch_id = $1 ORDER BY n";

/// The numbered pairs of the imports whose lines are being read.
#[derive(Debug, Default)]
pub struct ComponentNames {
    by_batch: HashMap<i64, HashMap<i64, (ComponentCode, String)>>,
}

impl ComponentNames {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn has(&self, batch_id: i64) -> bool {
        self.by_batch.contains_key(&batch_id)
    }

    /// Adds an import's pairs (as `LABELS_OF_BATCH` reads them).
    pub fn add(
        &mut self,
        batch_id: i64,
        rows: impl IntoIterator<Item = (i64, String, String)>,
    ) -> Result<(), StoreError> {
        let mut names = HashMap::new();
        for (n, code, label) in rows {
            let code = ComponentCode::new(&code).map_err(|e| {
                StoreError::Corrupt(format!("import {batch_id}: component {n}: {e}"))
            })?;
            names.insert(n, (code, label));
        }
        self.by_batch.insert(batch_id, names);
        Ok(())
    }

    /// The components of line `line_id` of import `batch_id`, from its
    /// details' JSON in either form.
    pub fn decode(
        &self,
        batch_id: i64,
        line_id: i64,
        json: &str,
    ) -> Result<Vec<Component>, StoreError> {
        let corrupt =
            |what: String| StoreError::Corrupt(format!("settlement line {line_id}: {what}"));
        if is_inline(json) {
            let inline: Vec<(String, String, i64)> =
                serde_json::from_str(json).map_err(|e| corrupt(format!("components: {e}")))?;
            return inline
                .into_iter()
                .map(|(code, label, micros)| {
                    Ok(Component {
                        code: ComponentCode::new(&code)
                            .map_err(|e| corrupt(format!("component code: {e}")))?,
                        amount: from_micros(micros),
                        label,
                    })
                })
                .collect();
        }
        let numbered: Vec<(i64, i64)> =
            serde_json::from_str(json).map_err(|e| corrupt(format!("components: {e}")))?;
        let names = self.by_batch.get(&batch_id);
        numbered
            .into_iter()
            .map(|(n, micros)| {
                let (code, label) = names.and_then(|m| m.get(&n)).ok_or_else(|| {
                    corrupt(format!("component {n} is not among import {batch_id}'s"))
                })?;
                Ok(Component {
                    code: code.clone(),
                    amount: from_micros(micros),
                    label: label.clone(),
                })
            })
            .collect()
    }
}

/// Whether details' components are in the form before migration 0015,
/// whose first element starts with its code's string.
fn is_inline(json: &str) -> bool {
    let mut chars = json.chars().filter(|c| !c.is_ascii_whitespace());
    matches!(
        (chars.next(), chars.next(), chars.next()),
        (Some('['), Some('['), Some('"'))
    )
}

/// The pairs of the imports of `rows` (lines read by `select_lines!`),
/// through sqlx.
pub(crate) async fn names_for<DB>(
    pool: &sqlx::Pool<DB>,
    rows: &[super::imports::LineRowOut],
) -> Result<ComponentNames, StoreError>
where
    DB: sqlx::Database,
    i64: for<'q> sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    (i64, String, String): for<'r> sqlx::FromRow<'r, DB::Row>,
    for<'c> &'c sqlx::Pool<DB>: sqlx::Executor<'c, Database = DB>,
    for<'q> <DB as sqlx::Database>::Arguments<'q>: sqlx::IntoArguments<'q, DB>,
{
    let mut names = ComponentNames::new();
    load(pool, &mut names, rows).await?;
    Ok(names)
}

/// Adds to `names` the pairs of every import of `rows` it lacks. Lines and
/// their import's pairs commit together and neither ever changes, so the
/// pairs read after the lines always cover them, whichever snapshot each
/// read saw.
pub(crate) async fn load<DB>(
    pool: &sqlx::Pool<DB>,
    names: &mut ComponentNames,
    rows: &[super::imports::LineRowOut],
) -> Result<(), StoreError>
where
    DB: sqlx::Database,
    i64: for<'q> sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    (i64, String, String): for<'r> sqlx::FromRow<'r, DB::Row>,
    for<'c> &'c sqlx::Pool<DB>: sqlx::Executor<'c, Database = DB>,
    for<'q> <DB as sqlx::Database>::Arguments<'q>: sqlx::IntoArguments<'q, DB>,
{
    // A row's batch is its third column.
    let mut wanted: Vec<i64> = rows
        .iter()
        .map(|r| r.2)
        .filter(|b| !names.has(*b))
        .collect();
    wanted.sort_unstable();
    wanted.dedup();
    for batch_id in wanted {
        let rows: Vec<(i64, String, String)> = sqlx::query_as(LABELS_OF_BATCH)
            .bind(batch_id)
            .fetch_all(pool)
            .await?;
        names.add(batch_id, rows)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::Decimal;

    fn comp(code: &str, label: &str, cents: i64) -> Component {
        Component {
            code: ComponentCode::new(code).unwrap(),
            amount: Decimal::new(cents, 2),
            label: label.into(),
        }
    }

    #[test]
    fn numbered_components_read_back_as_written_with_their_labels() {
        let mut numbering = ComponentNumbering::new();
        let first = vec![
            comp("sale.gross", "Subtotal", 1000),
            comp("fee.commission", "Commission", -150),
        ];
        // The same code under two labels is two pairs; a pair met again
        // keeps its number.
        let second = vec![
            comp("fee.commission", "Referral fee", -90),
            comp("sale.gross", "Subtotal", 500),
        ];
        let a = numbering.encode(&first).unwrap();
        let new = numbering.take_new();
        let b = numbering.encode(&second).unwrap();
        let newer = numbering.take_new();
        assert_eq!(a, "[[0,10000000],[1,-1500000]]");
        assert_eq!(b, "[[2,-900000],[0,5000000]]");
        assert_eq!(new.len(), 2);
        assert_eq!(
            newer,
            vec![ComponentLabel {
                n: 2,
                code: "fee.commission".into(),
                label: "Referral fee".into()
            }]
        );
        let mut names = ComponentNames::new();
        names
            .add(
                7,
                new.into_iter().chain(newer).map(|l| (l.n, l.code, l.label)),
            )
            .unwrap();
        assert_eq!(names.decode(7, 1, &a).unwrap(), first);
        assert_eq!(names.decode(7, 2, &b).unwrap(), second);
        assert_eq!(names.decode(7, 3, "[]").unwrap(), vec![]);
        // Another import's numbers are its own.
        let err = names.decode(8, 4, &a).unwrap_err().to_string();
        assert!(err.contains("settlement line 4"), "{err}");
        assert!(err.contains("component 0 is not among import 8's"), "{err}");
    }

    #[test]
    fn components_stored_before_numbering_still_read() {
        let names = ComponentNames::new();
        let old =
            r#"[["sale.gross","Principal",10000000],["fee.commission","Commission",-2500000]]"#;
        assert_eq!(
            names.decode(1, 1, old).unwrap(),
            vec![
                comp("sale.gross", "Principal", 1000),
                comp("fee.commission", "Commission", -250)
            ]
        );
        let spaced = r#"[ [ "sale.gross", "Principal", 10000000 ] ]"#;
        assert_eq!(names.decode(1, 1, spaced).unwrap().len(), 1);
        let err = names
            .decode(1, 9, r#"[["no_family","x",1]]"#)
            .unwrap_err()
            .to_string();
        assert!(err.contains("settlement line 9: component code"), "{err}");
    }
}
