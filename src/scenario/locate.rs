//! Where a key path was written: `losses[2].delta` → line 14, column 9, and
//! the block's own name (`losses[2] (huber_2).delta`).
//!
//! Validation works on the serde structs, which have forgotten the text. So
//! the document is parsed once more into toml's spanned tree ([`DeTable`])
//! and every key path is recorded with the position of its value; an error
//! then looks its path up when it is reported. This covers every error that
//! names a key path, without a span on every field of every struct.
//!
//! Indexes stay 0-based, as in TOML tooling and in the key paths of every
//! message; the line, column and block name say which block is meant.

use std::collections::BTreeMap;
use std::fmt;

use toml::de::{DeTable, DeValue};
use toml::Spanned;

/// A position in the file, both 1-based (as editors and toml's own errors count).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Place {
    pub line: usize,
    pub column: usize,
}

/// Where the key paths of one document were written, found when first
/// asked: only a message needs it, and a scenario that renders without
/// one never parses its text a second time (that parse and walk was about
/// 1 % of a render's instructions).
#[derive(Debug, Clone, Default)]
pub struct Locator {
    text: String,
    index: std::sync::OnceLock<Index>,
}

/// Two locators of the same text say the same.
impl PartialEq for Locator {
    fn eq(&self, other: &Self) -> bool {
        self.text == other.text
    }
}

impl Locator {
    /// A locator of `text`; a document that does not parse gives an empty
    /// one (its parse error already carries a line).
    pub fn new(text: &str) -> Self {
        Locator {
            text: text.to_string(),
            index: std::sync::OnceLock::new(),
        }
    }

    fn index(&self) -> &Index {
        self.index.get_or_init(|| Index::new(&self.text))
    }

    /// The path with its place and block name (see `Index::locate`).
    pub fn locate(&self, path: &str) -> Located {
        self.index().locate(path)
    }

    /// [`Locator::locate`], placed at `needle` inside the string at `path`.
    pub fn locate_in(&self, path: &str, needle: &str) -> Located {
        self.index().locate_in(path, needle)
    }

    /// The key path of the key or value that starts at byte `offset`.
    pub fn path_at(&self, offset: usize) -> Option<String> {
        self.index().path_at(offset)
    }
}

/// Every key path of one document with where its value starts, and the
/// `name` (or `id`) of each top-level block.
#[derive(Debug, Clone, Default, PartialEq)]
struct Index {
    places: BTreeMap<String, Place>,
    names: BTreeMap<String, String>,
    /// Byte offset of every key and value → its key path (for toml's own
    /// errors, which carry a span but no path).
    at_offset: BTreeMap<usize, String>,
    /// Byte span of every string value, to place a word inside it.
    strings: BTreeMap<String, (usize, usize)>,
    lines: LineStarts,
}

/// A key path as an error shows it: `line 14, column 9: losses[2] (huber_2).delta`.
#[derive(Debug, Clone, PartialEq)]
pub struct Located {
    pub place: Option<Place>,
    pub path: String,
}

impl fmt::Display for Located {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(Place { line, column }) = self.place {
            write!(f, "line {line}, column {column}: ")?;
        }
        f.write_str(&self.path)
    }
}

impl Index {
    /// Record every key path of `text`; a document that does not parse gives
    /// an empty index.
    fn new(text: &str) -> Self {
        let mut locator = Index::default();
        let Ok(document) = DeTable::parse(text) else {
            return locator;
        };
        let lines = LineStarts::new(text);
        locator.walk_table(document.get_ref(), "", &lines);
        for (path, name) in top_level_names(document.get_ref()) {
            locator.names.insert(path, name);
        }
        locator.lines = lines;
        locator
    }

    /// The path with its place and block name. A key that is not written
    /// (a default) is placed at its nearest written parent.
    fn locate(&self, path: &str) -> Located {
        let mut prefix = path;
        let place = loop {
            if let Some(place) = self.places.get(prefix) {
                break Some(*place);
            }
            match parent(prefix) {
                Some(up) => prefix = up,
                None => break None,
            }
        };
        Located {
            place,
            path: self.named(path),
        }
    }

    /// Like [`Locator::locate`], placed at the first `needle` inside the
    /// string at `path` (a placeholder in a long Markdown text) when the file
    /// has it as written there.
    fn locate_in(&self, path: &str, needle: &str) -> Located {
        let mut located = self.locate(path);
        if let Some(&(start, end)) = self.strings.get(path) {
            let written = self.lines.text.get(start..end).unwrap_or_default();
            if let Some(i) = written.find(needle).filter(|_| !needle.is_empty()) {
                located.place = Some(self.lines.place(start + i));
            }
        }
        located
    }

    /// The key path (with its block's name) of the key or value that starts at
    /// byte `offset`, if one does.
    fn path_at(&self, offset: usize) -> Option<String> {
        self.at_offset.get(&offset).map(|path| self.named(path))
    }

    /// `losses[2].delta` → `losses[2] (huber_2).delta` when the block has a name.
    fn named(&self, path: &str) -> String {
        let block_end = path.find(']').map(|i| i + 1);
        match block_end.and_then(|end| Some((end, self.names.get(&path[..end])?))) {
            Some((end, name)) => format!("{} ({name}){}", &path[..end], &path[end..]),
            None => path.to_string(),
        }
    }

    fn walk_table(&mut self, table: &DeTable<'_>, prefix: &str, lines: &LineStarts) {
        for (key, value) in table {
            let path = if prefix.is_empty() {
                key.get_ref().to_string()
            } else {
                format!("{prefix}.{}", key.get_ref())
            };
            // A table points at its key (`[metadata]`, `output = {…}`), a value at itself.
            let at = match value.get_ref() {
                DeValue::Table(_) => key.span().start,
                _ => value.span().start,
            };
            self.places.insert(path.clone(), lines.place(at));
            self.at_offset.insert(key.span().start, path.clone());
            if let DeValue::String(_) = value.get_ref() {
                self.strings
                    .insert(path.clone(), (value.span().start, value.span().end));
            }
            if !matches!(value.get_ref(), DeValue::Table(_) | DeValue::Array(_)) {
                self.at_offset.insert(value.span().start, path.clone());
            }
            self.walk_value(value, &path, lines);
        }
    }

    fn walk_value(&mut self, value: &Spanned<DeValue<'_>>, path: &str, lines: &LineStarts) {
        match value.get_ref() {
            DeValue::Table(table) => self.walk_table(table, path, lines),
            DeValue::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    let item_path = format!("{path}[{i}]");
                    self.places
                        .insert(item_path.clone(), lines.place(item.span().start));
                    if let DeValue::String(_) = item.get_ref() {
                        self.strings
                            .insert(item_path.clone(), (item.span().start, item.span().end));
                    }
                    self.walk_value(item, &item_path, lines);
                }
            }
            _ => {}
        }
    }
}

/// `losses[2]` → `huber_2` for every top-level array of tables whose
/// entries have a string `name` (or, for errata and sections, `id`; a loss
/// without a name is referred to by its `loss`).
fn top_level_names(document: &DeTable<'_>) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (key, value) in document {
        let DeValue::Array(items) = value.get_ref() else {
            continue;
        };
        for (i, item) in items.iter().enumerate() {
            let DeValue::Table(table) = item.get_ref() else {
                continue;
            };
            let name = ["name", "id", "loss"].iter().find_map(|k| {
                table.iter().find_map(|(key, v)| match v.get_ref() {
                    DeValue::String(s) if key.get_ref() == k => Some(s.to_string()),
                    _ => None,
                })
            });
            if let Some(name) = name {
                out.push((format!("{}[{i}]", key.get_ref()), name));
            }
        }
    }
    out
}

/// `a.b[2].c` → `a.b[2]` → `a.b` → `a`.
fn parent(path: &str) -> Option<&str> {
    if let Some(stripped) = path.strip_suffix(']') {
        return stripped
            .rfind('[')
            .map(|i| &path[..i])
            .filter(|p| !p.is_empty());
    }
    path.rfind('.').map(|i| &path[..i])
}

/// Byte offset → line and column (columns count characters).
#[derive(Debug, Clone, Default, PartialEq)]
struct LineStarts {
    text: String,
    starts: Vec<usize>,
}

impl LineStarts {
    fn new(text: &str) -> Self {
        let starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        LineStarts {
            text: text.to_string(),
            starts,
        }
    }

    fn place(&self, offset: usize) -> Place {
        let line = self.starts.partition_point(|&s| s <= offset).max(1);
        let start = self.starts[line - 1];
        let column = self
            .text
            .get(start..offset)
            .map_or(0, |s| s.chars().count())
            + 1;
        Place { line, column }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "[metadata]\ntitle = \"t\"\noutput = { png_scale = 2 }\n\n\
        [[losses]]\nname = \"mae\"\nloss = \"mae\"\n\n\
        [[losses]]\nname = \"huber_2\"\nloss = \"huber\"\ndelta = -2\n\n\
        [[sections]]\nid = \"intro\"\nformulas = ['a', 'é', '\\frac{1}{2}']\n";

    fn at(path: &str) -> String {
        Locator::new(TEXT).locate(path).to_string()
    }

    #[test]
    fn a_value_is_placed_where_it_is_written_with_its_block_name() {
        assert_eq!(
            at("losses[1].delta"),
            "line 12, column 9: losses[1] (huber_2).delta"
        );
        assert_eq!(
            at("metadata.output.png_scale"),
            "line 3, column 24: metadata.output.png_scale"
        );
        assert_eq!(
            at("sections[0].formulas[2]"),
            "line 16, column 23: sections[0] (intro).formulas[2]"
        );
    }

    #[test]
    fn an_unwritten_key_is_placed_at_its_parent() {
        // An array-of-tables entry is placed at its `[[losses]]` header.
        assert_eq!(
            at("losses[0].delta"),
            "line 5, column 1: losses[0] (mae).delta"
        );
        assert_eq!(at("nothing.here"), "nothing.here");
    }

    #[test]
    fn a_key_or_value_is_found_by_its_offset() {
        let locator = Locator::new(TEXT);
        let value = TEXT.find("-2").unwrap();
        let key = TEXT.find("delta").unwrap();
        assert_eq!(
            locator.path_at(value).as_deref(),
            Some("losses[1] (huber_2).delta")
        );
        assert_eq!(
            locator.path_at(key).as_deref(),
            Some("losses[1] (huber_2).delta")
        );
        assert_eq!(locator.path_at(0), None);
    }

    #[test]
    fn a_word_inside_a_long_text_is_placed_on_its_own_line() {
        let text =
            "[[sections]]\nid = 's'\nmarkdown = \'\'\'\nfirst line\nsee {nope} here\n\'\'\'\n";
        let locator = Locator::new(text);
        assert_eq!(
            locator
                .locate_in("sections[0].markdown", "{nope")
                .to_string(),
            "line 5, column 5: sections[0] (s).markdown"
        );
        assert_eq!(
            locator.locate_in("sections[0].markdown", "absent"),
            locator.locate("sections[0].markdown")
        );
    }

    #[test]
    fn parents_of_key_paths() {
        assert_eq!(parent("a.b[2].c"), Some("a.b[2]"));
        assert_eq!(parent("a.b[2]"), Some("a.b"));
        assert_eq!(parent("a.b"), Some("a"));
        assert_eq!(parent("a"), None);
    }

    #[test]
    fn a_document_that_does_not_parse_locates_nothing() {
        let located = Locator::new("a = ").locate("a");
        assert_eq!(located.place, None);
    }

    /// The text is walked only when a place is first asked for, and once.
    #[test]
    fn the_index_is_built_when_first_needed() {
        let locator = Locator::new(TEXT);
        assert!(locator.index.get().is_none());
        let first = locator.locate("losses[1].delta");
        assert!(locator.index.get().is_some());
        assert_eq!(locator.locate("losses[1].delta"), first);
        assert_eq!(first.place.map(|p| p.line), Some(12));
        assert_eq!(locator.clone(), Locator::new(TEXT));
    }
}
