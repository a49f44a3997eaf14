//! The patterns a mapping file writes: which component codes an entry or a
//! rule applies to (`fee.commission`, `fee.*`, `fee.affiliate_*`, `*`), and
//! the globs rules match SKUs and transaction types with.

use crate::domain::settlement::{ComponentCode, COMPONENT_FAMILIES};

/// Which component codes an entry or a rule applies to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CodePattern {
    /// One code: `fee.commission`.
    Exact(ComponentCode),
    /// Every code that starts with the text before the `*`: `fee.*` (a
    /// family), `fee.affiliate_*` (part of one).
    Prefix(String),
    /// `*`: every code (rules only; a default for every code would hide new
    /// components from `mappings check`).
    Any,
}

impl CodePattern {
    /// Reads a pattern; `allow_any` permits the bare `*`.
    pub fn parse(text: &str, allow_any: bool) -> Result<CodePattern, String> {
        if text == "*" {
            return if allow_any {
                Ok(CodePattern::Any)
            } else {
                Err(
                    "`*` would give every component an account, so `mappings check` could never \
                     find a new one; write a family wildcard such as `fee.*` instead"
                        .to_string(),
                )
            };
        }
        let families = COMPONENT_FAMILIES.join(", ");
        if let Some(prefix) = text.strip_suffix('*') {
            let Some((family, rest)) = prefix.split_once('.') else {
                return Err(format!(
                    "`{text}`: a wildcard goes after the family and its dot, as in `fee.*`"
                ));
            };
            let rest_ok = rest
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '.');
            if !COMPONENT_FAMILIES.contains(&family) {
                return Err(format!(
                    "`{text}`: `{family}` is not a component family ({families})"
                ));
            }
            if !rest_ok {
                return Err(format!(
                    "`{text}`: only one `*`, at the end, after lowercase letters, digits and _"
                ));
            }
            return Ok(CodePattern::Prefix(prefix.to_string()));
        }
        ComponentCode::new(text)
            .map(CodePattern::Exact)
            .map_err(|e| e.to_string())
    }

    pub fn matches(&self, code: &ComponentCode) -> bool {
        match self {
            CodePattern::Exact(c) => c == code,
            CodePattern::Prefix(p) => code.as_str().starts_with(p.as_str()),
            CodePattern::Any => true,
        }
    }

    /// How specific the pattern is: one code beats any wildcard, a longer
    /// prefix beats a shorter one (`fee.affiliate_*` beats `fee.*`), `*` is last.
    pub fn specificity(&self) -> (u8, usize) {
        match self {
            CodePattern::Exact(_) => (2, 0),
            CodePattern::Prefix(p) => (1, p.len()),
            CodePattern::Any => (0, 0),
        }
    }

    /// Whether some code matches both patterns.
    pub fn overlaps(&self, other: &CodePattern) -> bool {
        use CodePattern::*;
        match (self, other) {
            (Any, _) | (_, Any) => true,
            (Exact(a), Exact(b)) => a == b,
            (Exact(c), Prefix(p)) | (Prefix(p), Exact(c)) => c.as_str().starts_with(p.as_str()),
            (Prefix(a), Prefix(b)) => a.starts_with(b.as_str()) || b.starts_with(a.as_str()),
        }
    }
}

impl std::fmt::Display for CodePattern {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CodePattern::Exact(c) => write!(f, "{c}"),
            CodePattern::Prefix(p) => write!(f, "{p}*"),
            CodePattern::Any => f.write_str("*"),
        }
    }
}

/// A shell-style pattern: `*` is any run of characters, `?` one character,
/// everything else itself. `fold_case` compares without regard to case.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Glob {
    text: String,
    chars: Vec<char>,
    fold_case: bool,
}

impl Glob {
    pub fn new(text: &str, fold_case: bool) -> Result<Glob, String> {
        if text.trim().is_empty() {
            return Err("the pattern is empty".to_string());
        }
        let fold = |s: &str| {
            if fold_case {
                s.to_lowercase()
            } else {
                s.to_string()
            }
        };
        Ok(Glob {
            text: text.to_string(),
            chars: fold(text).chars().collect(),
            fold_case,
        })
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }

    pub fn matches(&self, candidate: &str) -> bool {
        let text: Vec<char> = if self.fold_case {
            candidate.to_lowercase().chars().collect()
        } else {
            candidate.chars().collect()
        };
        let p = &self.chars;
        // The classic two-pointer match with one backtrack point per `*`.
        let (mut pi, mut ti) = (0usize, 0usize);
        let mut star: Option<(usize, usize)> = None;
        while ti < text.len() {
            match p.get(pi) {
                Some('*') => {
                    star = Some((pi, ti));
                    pi += 1;
                }
                Some(c) if *c == '?' || *c == text[ti] => {
                    pi += 1;
                    ti += 1;
                }
                _ => match star {
                    Some((sp, st)) => {
                        pi = sp + 1;
                        ti = st + 1;
                        star = Some((sp, st + 1));
                    }
                    None => return false,
                },
            }
        }
        p[pi..].iter().all(|c| *c == '*')
    }

    /// Two globs that are the same pattern (after case folding when folded).
    pub fn same_as(&self, other: &Glob) -> bool {
        self.chars == other.chars && self.fold_case == other.fold_case
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(s: &str) -> ComponentCode {
        ComponentCode::new(s).unwrap()
    }

    #[test]
    fn code_patterns_parse_match_and_rank() {
        let exact = CodePattern::parse("fee.commission", false).unwrap();
        let family = CodePattern::parse("fee.*", false).unwrap();
        let part = CodePattern::parse("fee.affiliate_*", false).unwrap();
        let any = CodePattern::parse("*", true).unwrap();
        assert!(exact.matches(&code("fee.commission")));
        assert!(!exact.matches(&code("fee.commission_x")));
        assert!(family.matches(&code("fee.anything")));
        assert!(!family.matches(&code("refund.fee_reversal")));
        assert!(part.matches(&code("fee.affiliate_commission")));
        assert!(!part.matches(&code("fee.commission")));
        assert!(any.matches(&code("tax.collected")));
        assert!(exact.specificity() > part.specificity());
        assert!(part.specificity() > family.specificity());
        assert!(family.specificity() > any.specificity());
        assert!(part.overlaps(&family) && family.overlaps(&exact) && !part.overlaps(&exact));
        for bad in [
            "*x",
            "fee*",
            "fees.*",
            "fee.a*b*",
            "fee.Commission",
            "commission",
        ] {
            assert!(CodePattern::parse(bad, true).is_err(), "{bad}");
        }
        assert!(CodePattern::parse("*", false)
            .unwrap_err()
            .contains("family wildcard"));
        assert_eq!(part.to_string(), "fee.affiliate_*");
    }

    #[test]
    fn globs_match_like_a_shell() {
        let g = Glob::new("Sample order*", true).unwrap();
        assert!(g.matches("Sample order: free sample from seller"));
        assert!(g.matches("sample ORDER"));
        assert!(!g.matches("Order"));
        let sku = Glob::new("PROMO-??-*", false).unwrap();
        assert!(sku.matches("PROMO-US-123"));
        assert!(!sku.matches("promo-US-123"));
        assert!(!sku.matches("PROMO-U-1"));
        let mid = Glob::new("*-KIT-*", false).unwrap();
        assert!(mid.matches("A-KIT-B") && mid.matches("-KIT-") && !mid.matches("A-KIT"));
        assert!(Glob::new("x", false).unwrap().matches("x"));
        assert!(!Glob::new("x", false).unwrap().matches("xx"));
        assert!(Glob::new("  ", false).is_err());
    }
}
