//! A tolerant tokenizer and tree builder for OFX, both SGML (1.x: leaf tags
//! are not closed, `<TRNAMT>-10.00`) and XML (2.x: every tag closed).
//!
//! A tag followed by text is a leaf holding that text (its closing tag, if
//! any, is consumed); any other tag opens an aggregate, closed by its
//! `</TAG>` (which also closes aggregates left open inside it).

use crate::sources::bank::error::BankParseError;

/// Aggregates nest at most this deep (OFX bank statements need about 8).
const MAX_DEPTH: usize = 64;

/// Elements that are leaves in every OFX version: an empty one
/// (`<MEMO>` with no text in SGML) must not be taken for an aggregate.
const LEAVES: &[&str] = &[
    "ACCTID",
    "ACCTKEY",
    "ACCTTYPE",
    "BALAMT",
    "BANKID",
    "BRANCHID",
    "CHECKNUM",
    "CLTCOOKIE",
    "CODE",
    "CORRECTACTION",
    "CORRECTFITID",
    "CURDEF",
    "CURRATE",
    "CURSYM",
    "DTASOF",
    "DTAVAIL",
    "DTEND",
    "DTPOSTED",
    "DTSERVER",
    "DTSTART",
    "DTUSER",
    "EXTDNAME",
    "FID",
    "FITID",
    "LANGUAGE",
    "MEMO",
    "MESSAGE",
    "NAME",
    "ORG",
    "PAYEEID",
    "REFNUM",
    "SEVERITY",
    "SIC",
    "SRVRTID",
    "TRNAMT",
    "TRNTYPE",
    "TRNUID",
];

#[derive(Debug, Default)]
pub(crate) struct Node {
    /// Upper-cased tag name.
    pub name: String,
    /// A leaf's text, trimmed, entities decoded.
    pub text: String,
    pub children: Vec<Node>,
    /// 1-based line of the file where the tag is.
    pub line: u64,
}

impl Node {
    pub fn child(&self, name: &str) -> Option<&Node> {
        self.children.iter().find(|c| c.name == name)
    }

    pub fn children<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Node> + 'a {
        self.children.iter().filter(move |c| c.name == name)
    }

    pub fn at(&self, path: &[&str]) -> Option<&Node> {
        path.iter().try_fold(self, |n, name| n.child(name))
    }

    pub fn text_at(&self, path: &[&str]) -> Option<&str> {
        self.at(path)
            .map(|n| n.text.as_str())
            .filter(|t| !t.is_empty())
    }

    /// Every element with one of these names below this one, in file order
    /// (not looking inside a match).
    pub fn find_all<'a>(&'a self, names: &[&str], out: &mut Vec<&'a Node>) {
        for c in &self.children {
            if names.contains(&c.name.as_str()) {
                out.push(c);
            } else {
                c.find_all(names, out);
            }
        }
    }
}

#[derive(Debug, PartialEq)]
enum Token {
    Start {
        name: String,
        line: u64,
        closed: bool,
    },
    End {
        name: String,
    },
    Text(String),
}

struct Tokenizer<'a> {
    text: &'a str,
    pos: usize,
    line: u64,
    peeked: Option<Token>,
    file: &'a str,
}

impl Tokenizer<'_> {
    /// Moves past `len` bytes, counting their line breaks.
    fn advance(&mut self, len: usize) {
        let end = (self.pos + len).min(self.text.len());
        self.line += self.text.as_bytes()[self.pos..end]
            .iter()
            .filter(|&&b| b == b'\n')
            .count() as u64;
        self.pos = end;
    }

    /// Skips past `close` (or to the end when it never comes).
    fn skip_past(&mut self, close: &str) {
        let len = self.text[self.pos..]
            .find(close)
            .map_or(self.text.len() - self.pos, |i| i + close.len());
        self.advance(len);
    }

    fn peek_token(&mut self) -> Result<Option<&Token>, BankParseError> {
        if self.peeked.is_none() {
            self.peeked = self.scan()?;
        }
        Ok(self.peeked.as_ref())
    }

    fn next_token(&mut self) -> Result<Option<Token>, BankParseError> {
        match self.peeked.take() {
            Some(t) => Ok(Some(t)),
            None => self.scan(),
        }
    }

    fn scan(&mut self) -> Result<Option<Token>, BankParseError> {
        loop {
            let rest = &self.text[self.pos..];
            if rest.is_empty() {
                return Ok(None);
            }
            if !rest.starts_with('<') {
                let len = rest.find('<').unwrap_or(rest.len());
                let raw = rest[..len].trim();
                let text = (!raw.is_empty()).then(|| decode_entities(raw));
                self.advance(len);
                match text {
                    Some(t) => return Ok(Some(Token::Text(t))),
                    None => continue,
                }
            }
            if rest.starts_with("<!--") {
                self.skip_past("-->");
                continue;
            }
            if rest.starts_with("<?") {
                self.skip_past("?>");
                continue;
            }
            if rest.starts_with("<!") {
                self.skip_past(">");
                continue;
            }
            let line = self.line;
            let Some(close) = rest.find('>') else {
                return Err(
                    BankParseError::at(self.file, line, "a tag is never closed with `>`")
                        .value(rest.lines().next().unwrap_or("")),
                );
            };
            let inner = &rest[1..close];
            let (is_end, body) = match inner.strip_prefix('/') {
                Some(b) => (true, b),
                None => (false, inner),
            };
            let closed = !is_end && body.ends_with('/');
            let name = body
                .trim_end_matches('/')
                .split_whitespace()
                .next()
                .unwrap_or("")
                .to_ascii_uppercase();
            if name.is_empty() || name.contains(['<', '/']) {
                return Err(BankParseError::at(self.file, line, "not a tag").value(&rest[..=close]));
            }
            self.advance(close + 1);
            return Ok(Some(if is_end {
                Token::End { name }
            } else {
                Token::Start { name, line, closed }
            }));
        }
    }
}

/// `&amp;`, `&lt;`, `&gt;`, `&quot;`, `&apos;`, `&nbsp;`, `&#N;`, `&#xH;`;
/// anything else is kept as written.
pub(crate) fn decode_entities(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let decoded = rest.find(';').filter(|&j| j <= 10).and_then(|j| {
            let c = match &rest[1..j] {
                "amp" => '&',
                "lt" => '<',
                "gt" => '>',
                "quot" => '"',
                "apos" => '\'',
                "nbsp" => '\u{A0}',
                e => {
                    let n = e.strip_prefix('#')?;
                    let code = match n.strip_prefix(['x', 'X']) {
                        Some(h) => u32::from_str_radix(h, 16).ok()?,
                        None => n.parse().ok()?,
                    };
                    char::from_u32(code)?
                }
            };
            Some((c, j + 1))
        });
        match decoded {
            Some((c, len)) => {
                out.push(c);
                rest = &rest[len..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// Where `<OFX>` starts (any case), if anywhere.
fn find_root(text: &str) -> Option<usize> {
    let b = text.as_bytes();
    text.match_indices('<').map(|(i, _)| i).find(|&i| {
        b.len() > i + 4
            && b[i + 1..i + 4].eq_ignore_ascii_case(b"OFX")
            && (b[i + 4] == b'>' || b[i + 4].is_ascii_whitespace())
    })
}

/// Reads the `<OFX>` element (everything before it is the header) into a tree.
pub(crate) fn parse(text: &str, file: &str) -> Result<Node, BankParseError> {
    let Some(start) = find_root(text) else {
        return Err(BankParseError::new(
            file,
            "not an OFX file: there is no <OFX> element",
        ));
    };
    let line = 1 + text[..start].bytes().filter(|&b| b == b'\n').count() as u64;
    let mut tokens = Tokenizer {
        text,
        pos: start,
        line,
        peeked: None,
        file,
    };
    let mut stack: Vec<Node> = Vec::new();
    while let Some(token) = tokens.next_token()? {
        match token {
            Token::Start { name, line, closed } => {
                let mut node = Node {
                    name,
                    line,
                    ..Node::default()
                };
                let is_leaf = closed
                    || match tokens.peek_token()? {
                        Some(Token::Text(_)) => {
                            if let Some(Token::Text(t)) = tokens.next_token()? {
                                node.text = t;
                            }
                            if matches!(tokens.peek_token()?, Some(Token::End { name }) if *name == node.name)
                            {
                                tokens.next_token()?;
                            }
                            true
                        }
                        Some(Token::End { name }) if *name == node.name => {
                            tokens.next_token()?;
                            true
                        }
                        _ => LEAVES.contains(&node.name.as_str()),
                    };
                if is_leaf {
                    match stack.last_mut() {
                        Some(parent) => parent.children.push(node),
                        None => return Ok(node),
                    }
                } else if stack.len() >= MAX_DEPTH {
                    return Err(BankParseError::at(
                        file,
                        line,
                        format!("aggregates nest deeper than {MAX_DEPTH} levels"),
                    ));
                } else {
                    stack.push(node);
                }
            }
            Token::End { name } => {
                // A stray end tag (nothing open by that name) is ignored.
                if stack.iter().any(|n| n.name == name) {
                    loop {
                        let node = stack.pop().expect("an open aggregate by that name");
                        let done = node.name == name;
                        match stack.last_mut() {
                            Some(parent) => parent.children.push(node),
                            None => return Ok(node),
                        }
                        if done {
                            break;
                        }
                    }
                }
            }
            // Text after an aggregate's tag or after a closed leaf: not OFX data.
            Token::Text(_) => {}
        }
    }
    let open = stack.last().expect("the <OFX> tag was read");
    Err(BankParseError::at(
        file,
        open.line,
        format!("the file ends inside <{}> (is it cut short?)", open.name),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sgml_leaves_are_closed_by_the_next_tag() {
        let t = "OFXHEADER:100\n\n<OFX>\n<A>\n<B>one &amp; two\n<MEMO>\n<C>3</C>\n</A>\n</OFX>\n";
        let root = parse(t, "f.ofx").unwrap();
        assert_eq!((root.name.as_str(), root.line), ("OFX", 3));
        let a = root.child("A").unwrap();
        assert_eq!(a.text_at(&["B"]), Some("one & two"));
        assert_eq!(a.child("B").unwrap().line, 5);
        assert_eq!(a.child("MEMO").map(|m| m.text.as_str()), Some(""));
        assert_eq!(a.text_at(&["C"]), Some("3"), "C stays a child of A");
    }

    #[test]
    fn xml_and_odd_shapes() {
        let t = "<?xml version=\"1.0\"?><?OFX OFXHEADER=\"200\"?><ofx><A><B>x</B><D/><E></E><!-- c --></A></ofx>";
        let root = parse(t, "f.ofx").unwrap();
        let a = root.child("A").unwrap();
        assert_eq!(a.children.len(), 3);
        assert_eq!(a.text_at(&["B"]), Some("x"));
        assert!(parse("no ofx here", "f")
            .unwrap_err()
            .message
            .contains("no <OFX>"));
        assert!(parse("<OFX><A><B>1", "f")
            .unwrap_err()
            .message
            .contains("ends inside <A>"));
        assert!(parse("<OFX><A", "f")
            .unwrap_err()
            .message
            .contains("never closed"));
        let deep = format!("<OFX>{}", "<X>".repeat(MAX_DEPTH + 1));
        assert!(parse(&deep, "f").unwrap_err().message.contains("deeper"));
    }

    #[test]
    fn entities() {
        assert_eq!(
            decode_entities("a &lt;b&gt; &#65;&#x42; &bogus; & c"),
            "a <b> AB &bogus; & c"
        );
    }
}
