//! Finding where a key path sits in the source text, for diagnostics.

use std::ops::Range;
use toml_edit::{ImDocument, Item, Table, Value};

/// One step of a key path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Seg {
    Key(String),
    Index(usize),
}

/// Renders a path as `windows[2].services[1]`.
pub(crate) fn render(path: &[Seg]) -> String {
    let mut out = String::new();
    for seg in path {
        match seg {
            Seg::Key(k) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(k);
            }
            Seg::Index(i) => out.push_str(&format!("[{i}]")),
        }
    }
    out
}

/// A node of the parsed document: items, tables of an array of tables, and values inside
/// arrays are different types in toml_edit.
#[derive(Clone, Copy)]
enum Node<'a> {
    Item(&'a Item),
    Table(&'a Table),
    Value(&'a Value),
}

impl<'a> Node<'a> {
    fn span(self) -> Option<Range<usize>> {
        match self {
            Node::Item(i) => i.span(),
            Node::Table(t) => t.span(),
            Node::Value(v) => v.span(),
        }
    }

    fn key(self, key: &str) -> Option<(Option<Range<usize>>, Self)> {
        let table: &dyn toml_edit::TableLike = match self {
            Node::Item(i) => i.as_table_like()?,
            Node::Table(t) => t,
            Node::Value(Value::InlineTable(t)) => t,
            Node::Value(_) => return None,
        };
        let (k, v) = table.get_key_value(key)?;
        Some((k.span(), Node::Item(v)))
    }

    fn index(self, i: usize) -> Option<Self> {
        match self {
            Node::Item(Item::ArrayOfTables(a)) => a.get(i).map(Node::Table),
            Node::Item(Item::Value(Value::Array(a))) | Node::Value(Value::Array(a)) => {
                a.get(i).map(Node::Value)
            }
            _ => None,
        }
    }
}

/// The span of the deepest part of `path` found in `doc`: the key itself when the path
/// ends in a key, else the value.
pub(crate) fn span_of(doc: &ImDocument<&str>, path: &[Seg]) -> Option<Range<usize>> {
    let mut node = Node::Item(doc.as_item());
    let mut best = None;
    for seg in path {
        let next = match seg {
            Seg::Key(k) => node.key(k).map(|(ks, n)| (ks.or_else(|| n.span()), n)),
            Seg::Index(i) => node.index(*i).map(|n| (n.span(), n)),
        };
        let Some((span, n)) = next else { break };
        best = span.or(best);
        node = n;
    }
    best
}

/// The value at `path` in `doc`, when the whole path is there and ends at a value.
pub(crate) fn value_of<'d>(doc: &'d ImDocument<&str>, path: &[Seg]) -> Option<&'d Value> {
    let mut node = Node::Item(doc.as_item());
    for seg in path {
        node = match seg {
            Seg::Key(k) => node.key(k)?.1,
            Seg::Index(i) => node.index(*i)?,
        };
    }
    match node {
        Node::Item(Item::Value(v)) | Node::Value(v) => Some(v),
        _ => None,
    }
}

/// The largest char boundary at or before byte `at` (clamped to the text).
pub(crate) fn floor_char(src: &str, at: usize) -> usize {
    let mut at = at.min(src.len());
    while !src.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// Line and column (both 1-based, column in characters) of a byte offset.
pub(crate) fn line_col(src: &str, offset: usize) -> (usize, usize) {
    let offset = floor_char(src, offset);
    let before = &src[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |p| p + 1);
    let col = src[line_start..offset].chars().count() + 1;
    (line, col)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_keys_in_arrays_of_tables() {
        let src = "[hall]\nid = \"x\"\n\n[[windows]]\nid = \"1\"\nservices = [\"a\", \"b\"]\n";
        let doc = ImDocument::parse(src).unwrap();
        let path = [
            Seg::Key("windows".into()),
            Seg::Index(0),
            Seg::Key("services".into()),
            Seg::Index(1),
        ];
        let span = span_of(&doc, &path).unwrap();
        assert_eq!(&src[span.clone()], "\"b\"");
        assert_eq!(line_col(src, span.start), (6, 18));
        assert_eq!(render(&path), "windows[0].services[1]");
    }
}
