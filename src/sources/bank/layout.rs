//! A bank's own CSV layout from banks.toml (`[bank.csv_layout]`), or one of
//! the presets as a starting point (`preset = "chase"` plus overrides).

use super::bank_csv::{csv_preset, CsvLayout, CSV_PRESETS};

pub fn csv_layout_from_toml(t: &toml::Table) -> Result<CsvLayout, String> {
    const KNOWN: [&str; 11] = [
        "preset",
        "date",
        "date_format",
        "description",
        "amount",
        "debit",
        "credit",
        "balance",
        "reference",
        "decimal_comma",
        "delimiter",
    ];
    if let Some(unknown) = t.keys().find(|k| !KNOWN.contains(&k.as_str())) {
        return Err(format!(
            "unknown key `{unknown}` (known: {})",
            KNOWN.join(", ")
        ));
    }
    let text = |k: &str| -> Result<Option<String>, String> {
        match t.get(k) {
            None => Ok(None),
            Some(toml::Value::String(s)) => Ok(Some(s.clone())),
            Some(other) => Err(format!("`{k}` must be text, not {}", other.type_str())),
        }
    };
    let mut layout = match text("preset")? {
        Some(p) => csv_preset(&p)
            .ok_or_else(|| format!("no preset `{p}` (presets: {})", CSV_PRESETS.join(", ")))?,
        None => CsvLayout {
            date: String::new(),
            date_format: "%Y-%m-%d".into(),
            description: Vec::new(),
            amount: None,
            debit: None,
            credit: None,
            balance: None,
            reference: None,
            decimal_comma: false,
            delimiter: b',',
        },
    };
    if let Some(v) = text("date")? {
        layout.date = v;
    }
    if let Some(v) = text("date_format")? {
        layout.date_format = v;
    }
    match t.get("description") {
        None => {}
        Some(toml::Value::String(s)) => layout.description = vec![s.clone()],
        Some(toml::Value::Array(a)) => {
            layout.description = a
                .iter()
                .map(|v| {
                    v.as_str()
                        .map(str::to_string)
                        .ok_or_else(|| "`description` lists column names (text)".to_string())
                })
                .collect::<Result<_, _>>()?
        }
        Some(_) => return Err("`description` is a column name or a list of them".into()),
    }
    for (key, slot) in [
        ("amount", &mut layout.amount),
        ("debit", &mut layout.debit),
        ("credit", &mut layout.credit),
        ("balance", &mut layout.balance),
        ("reference", &mut layout.reference),
    ] {
        if let Some(v) = text(key)? {
            *slot = Some(v);
        }
    }
    match t.get("decimal_comma") {
        None => {}
        Some(toml::Value::Boolean(b)) => layout.decimal_comma = *b,
        Some(_) => return Err("`decimal_comma` is true or false".into()),
    }
    if let Some(d) = text("delimiter")? {
        let bytes = d.as_bytes();
        layout.delimiter = match (bytes, d.as_str()) {
            (_, "\\t" | "tab") => b'\t',
            ([b], _) if b.is_ascii() => *b,
            _ => return Err(format!("`delimiter` is one character, not `{d}`")),
        };
    }
    if layout.date.is_empty() {
        return Err("`date` names the date column".into());
    }
    if layout.amount.is_none() && (layout.debit.is_none() || layout.credit.is_none()) {
        return Err("give `amount`, or both `debit` and `credit`".into());
    }
    Ok(layout)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(text: &str) -> toml::Table {
        text.parse().unwrap()
    }

    #[test]
    fn layouts_from_scratch_or_a_preset_and_their_mistakes() {
        let l = csv_layout_from_toml(&table(
            "date = \"Booked\"\ndate_format = \"%d.%m.%Y\"\ndescription = [\"Payee\", \"Purpose\"]\ndebit = \"Out\"\ncredit = \"In\"\ndecimal_comma = true\ndelimiter = \";\"",
        ))
        .unwrap();
        assert_eq!(l.description, vec!["Payee", "Purpose"]);
        assert_eq!((l.delimiter, l.decimal_comma), (b';', true));
        let chase =
            csv_layout_from_toml(&table("preset = \"chase\"\ndate_format = \"%m/%d/%y\"")).unwrap();
        assert_eq!(chase.date_format, "%m/%d/%y");
        assert!(chase.amount.is_some());
        assert!(csv_layout_from_toml(&table("date = \"D\""))
            .unwrap_err()
            .contains("amount"));
        assert!(
            csv_layout_from_toml(&table("date = \"D\"\namount = \"A\"\ncolor = \"red\""))
                .unwrap_err()
                .contains("unknown key `color`")
        );
        assert!(csv_layout_from_toml(&table("preset = \"nope\""))
            .unwrap_err()
            .contains("presets:"));
    }
}
