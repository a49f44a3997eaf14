//! A small element tree over quick-xml: local names (namespace prefixes
//! dropped), attributes, trimmed text and the line each element starts on.

use quick_xml::events::{BytesRef, Event};
use quick_xml::Reader;

use crate::sources::bank::error::BankParseError;

/// Elements nest at most this deep (camt.053 needs about 12).
const MAX_DEPTH: usize = 128;

#[derive(Debug, Default)]
pub(crate) struct Node {
    /// Local name: `Ntry` for `<camt:Ntry>`.
    pub name: String,
    pub attrs: Vec<(String, String)>,
    /// The element's own text, trimmed (empty for aggregates).
    pub text: String,
    pub children: Vec<Node>,
    /// 1-based line of the file where the start tag is.
    pub line: u64,
}

impl Node {
    pub fn child(&self, name: &str) -> Option<&Node> {
        self.children.iter().find(|c| c.name == name)
    }

    pub fn children<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Node> + 'a {
        self.children.iter().filter(move |c| c.name == name)
    }

    /// The element at a path of child names below this one.
    pub fn at(&self, path: &[&str]) -> Option<&Node> {
        path.iter().try_fold(self, |n, name| n.child(name))
    }

    /// The non-empty text at a path below this one.
    pub fn text_at(&self, path: &[&str]) -> Option<&str> {
        self.at(path)
            .map(|n| n.text.as_str())
            .filter(|t| !t.is_empty())
    }

    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// Every element of this name below this one, in document order.
    pub fn descendants<'a>(&'a self, name: &str, out: &mut Vec<&'a Node>) {
        for c in &self.children {
            if c.name == name {
                out.push(c);
            }
            c.descendants(name, out);
        }
    }
}

/// Counts lines up to increasing byte offsets.
struct Lines<'a> {
    bytes: &'a [u8],
    pos: usize,
    line: u64,
}

impl Lines<'_> {
    fn at(&mut self, offset: u64) -> u64 {
        let end = usize::try_from(offset)
            .unwrap_or(usize::MAX)
            .clamp(self.pos, self.bytes.len());
        let newlines = self.bytes[self.pos..end]
            .iter()
            .filter(|&&b| b == b'\n')
            .count();
        self.line += newlines as u64;
        self.pos = end;
        self.line
    }
}

fn resolve(r: &BytesRef<'_>) -> Option<String> {
    if let Ok(Some(c)) = r.resolve_char_ref() {
        return Some(c.to_string());
    }
    let name = r.decode().ok()?;
    quick_xml::escape::resolve_predefined_entity(&name).map(str::to_string)
}

fn name_of(raw: &[u8]) -> String {
    String::from_utf8_lossy(raw).into_owned()
}

/// Reads the whole document into a tree and returns its root element.
pub(crate) fn parse(text: &str, file: &str) -> Result<Node, BankParseError> {
    let mut reader = Reader::from_str(text);
    let mut lines = Lines {
        bytes: text.as_bytes(),
        pos: 0,
        line: 1,
    };
    let mut stack: Vec<Node> = Vec::new();
    loop {
        let start = reader.buffer_position();
        let event = reader.read_event().map_err(|e| {
            let line = lines.at(reader.error_position());
            BankParseError::at(file, line, format!("not well-formed XML: {e}"))
        })?;
        let empty = matches!(event, Event::Empty(_));
        match event {
            Event::Start(e) | Event::Empty(e) => {
                if stack.len() >= MAX_DEPTH {
                    return Err(BankParseError::at(
                        file,
                        lines.at(start),
                        format!("elements nest deeper than {MAX_DEPTH} levels"),
                    ));
                }
                let mut node = Node {
                    name: name_of(e.local_name().as_ref()),
                    line: lines.at(start),
                    ..Node::default()
                };
                for a in e.attributes() {
                    let a = a.map_err(|err| {
                        BankParseError::at(file, node.line, format!("bad attribute: {err}"))
                            .field(&node.name)
                    })?;
                    let value = a
                        .decode_and_unescape_value(reader.decoder())
                        .map_err(|err| {
                            BankParseError::at(file, node.line, format!("bad attribute: {err}"))
                                .field(&node.name)
                        })?;
                    node.attrs
                        .push((name_of(a.key.local_name().as_ref()), value.into_owned()));
                }
                if empty && stack.is_empty() {
                    return Ok(node);
                } else if empty {
                    close(&mut stack, node);
                } else {
                    stack.push(node);
                }
            }
            Event::End(_) => {
                let mut node = stack.pop().expect("quick-xml checks end tags");
                node.text = if node.children.is_empty() {
                    node.text.trim().to_string()
                } else {
                    String::new()
                };
                if stack.is_empty() {
                    return Ok(node);
                }
                close(&mut stack, node);
            }
            Event::Text(t) => {
                if let Some(top) = stack.last_mut() {
                    let s = t.decode().map_err(|e| {
                        BankParseError::at(file, lines.at(start), format!("bad text: {e}"))
                    })?;
                    top.text.push_str(&s);
                }
            }
            Event::CData(t) => {
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&String::from_utf8_lossy(&t));
                }
            }
            Event::GeneralRef(r) => {
                let Some(s) = resolve(&r) else {
                    return Err(BankParseError::at(
                        file,
                        lines.at(start),
                        "unknown entity reference (only the XML ones and &#…; are known)",
                    )
                    .value(&String::from_utf8_lossy(&r)));
                };
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&s);
                }
            }
            Event::Eof => {
                return Err(match stack.last() {
                    Some(open) => BankParseError::at(
                        file,
                        open.line,
                        format!("the file ends inside <{}>", open.name),
                    ),
                    None => BankParseError::new(file, "the file holds no XML element"),
                });
            }
            Event::Comment(_) | Event::Decl(_) | Event::PI(_) | Event::DocType(_) => {}
        }
    }
}

/// Adds a finished element to its parent.
fn close(stack: &mut [Node], node: Node) {
    if let Some(parent) = stack.last_mut() {
        parent.children.push(node);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_lines_text_and_entities() {
        let doc = "<?xml version=\"1.0\"?>\n<a:Doc xmlns:a=\"urn:x\">\n  <a:B Ccy=\"EUR\">1.50</a:B>\n  <C>x &amp; y&#33;</C><D/>\n</a:Doc>";
        let root = parse(doc, "f.xml").unwrap();
        assert_eq!(root.name, "Doc");
        assert_eq!(root.line, 2);
        let b = root.child("B").unwrap();
        assert_eq!(
            (b.text.as_str(), b.line, b.attr("Ccy")),
            ("1.50", 3, Some("EUR"))
        );
        assert_eq!(root.text_at(&["C"]), Some("x & y!"));
        assert_eq!(root.child("C").unwrap().line, 4);
        assert!(root.child("D").is_some());
    }

    #[test]
    fn broken_xml_names_the_line() {
        let e = parse("<a>\n<b>\n</c>\n</a>", "f.xml").unwrap_err();
        assert_eq!(e.line, Some(3), "{e}");
        let e = parse("<a>\n<b>", "f.xml").unwrap_err();
        assert!(e.message.contains("ends inside"), "{e}");
        let deep = "<a>".repeat(MAX_DEPTH + 1);
        assert!(parse(&deep, "f.xml")
            .unwrap_err()
            .message
            .contains("deeper"));
    }
}
