//! Amount parsing: whatever the grouping, sign style or decimal mark, the
//! value comes back exactly; and no input makes it panic.

use proptest::prelude::*;
use rust_decimal::Decimal;
use settlebridge::sources::amount::{parse_amount, DecimalMark};

/// Writes `units / 10^scale` the way a channel might.
fn render(units: i64, scale: u32, mark: DecimalMark, grouped: bool, parens: bool) -> String {
    let value = Decimal::new(units.abs(), scale);
    let text = value.to_string();
    let (int, frac) = text
        .split_once('.')
        .map(|(i, f)| (i.to_string(), Some(f.to_string())))
        .unwrap_or((text.clone(), None));
    let (dec, grp) = match mark {
        DecimalMark::Point => ('.', ','),
        DecimalMark::Comma => (',', '.'),
    };
    let mut int_out = String::new();
    for (i, ch) in int.chars().enumerate() {
        if grouped && i > 0 && (int.len() - i) % 3 == 0 {
            int_out.push(grp);
        }
        int_out.push(ch);
    }
    let mut body = int_out;
    if let Some(f) = frac {
        body.push(dec);
        body.push_str(&f);
    }
    match (units < 0, parens) {
        (true, true) => format!("({body})"),
        (true, false) => format!("-{body}"),
        _ => body,
    }
}

proptest! {
    #[test]
    fn rendered_amounts_parse_back_exactly(
        units in -10_000_000_000_000i64..10_000_000_000_000,
        scale in 0u32..=6,
        comma in any::<bool>(),
        grouped in any::<bool>(),
        parens in any::<bool>(),
    ) {
        let mark = if comma { DecimalMark::Comma } else { DecimalMark::Point };
        let text = render(units, scale, mark, grouped, parens);
        let parsed = parse_amount(&text, mark).map_err(|e| TestCaseError::fail(format!("{text}: {e}")))?;
        prop_assert_eq!(parsed, Decimal::new(units, scale), "{}", text);
    }

    #[test]
    fn arbitrary_text_never_panics(text in ".{0,40}") {
        let _ = parse_amount(&text, DecimalMark::Point);
        let _ = parse_amount(&text, DecimalMark::Comma);
    }
}
