//! Numbers in the JSON that losslab writes (`eval --json`, `results.json`).
//! JSON has no NaN or infinity: those become the strings "NaN", "Infinity"
//! and "-Infinity", which the contract of `eval` fixes.

use serde::Deserialize;
use serde_json::Value;

use super::{sorted_json, ExportError, ReportDigest};
use crate::compute::Computed;

/// The name of a non-finite number, as JSON and CSV files spell it.
pub fn non_finite_name(value: f64) -> Option<&'static str> {
    if value.is_nan() {
        Some("NaN")
    } else if value == f64::INFINITY {
        Some("Infinity")
    } else if value == f64::NEG_INFINITY {
        Some("-Infinity")
    } else {
        None
    }
}

/// A number for the JSON contract: finite numbers as numbers, the rest as strings.
pub fn json_number(value: f64) -> Value {
    match non_finite_name(value) {
        Some(name) => Value::from(name),
        None => Value::from(value),
    }
}

/// `results.json`: every computed number. JSON has no NaN or infinity, so
/// those become the strings "NaN", "Infinity" and "-Infinity" (as `eval --json`).
/// With it, what the landing page shows of the report, read from the same
/// numbers as the text without parsing the text back.
///
/// The layout is serde_json's pretty printing of the results' toml value
/// tree (sorted keys, `None` fields left out); [`sorted_json`] prints those
/// bytes in one pass without building the tree: building and dropping the
/// tree of the article's tens of thousands of points cost more than printing
/// them. Only the few top-level entries the digest reads are converted.
pub fn results_json(computed: &Computed) -> Result<(String, ReportDigest), ExportError> {
    let mut picked = serde_json::Map::new();
    let bytes = sorted_json::print(computed, &DIGEST_KEYS, &mut |key, tree| {
        picked.insert(key.to_string(), to_json(tree));
    })
    .map_err(|e| ExportError::Print(e.to_string()))?;
    let digest = ReportDigest::deserialize(Value::Object(picked))?;
    let mut text = String::from_utf8(bytes)?;
    text.push('\n');
    Ok((text, digest))
}

/// The top-level keys of `results.json` that [`ReportDigest`] reads.
const DIGEST_KEYS: [&str; 5] = ["title", "intro", "warnings", "comparisons", "checks"];

/// `serde_json::to_string_pretty`, byte for byte, through [`Pretty`].
#[cfg(test)]
fn pretty(value: &impl serde::Serialize) -> Result<String, ExportError> {
    let mut bytes = Vec::new();
    let mut serializer = serde_json::Serializer::with_formatter(&mut bytes, Pretty::default());
    value.serialize(&mut serializer)?;
    Ok(String::from_utf8(bytes)?)
}

/// Nesting depth up to which a line break and its indent are one write.
const FLAT_DEPTH: usize = 32;

/// A newline followed by the indent of [`FLAT_DEPTH`] levels (two spaces each).
const LINE_BREAK: [u8; 1 + 2 * FLAT_DEPTH] = {
    let mut bytes = [b' '; 1 + 2 * FLAT_DEPTH];
    bytes[0] = b'\n';
    bytes
};

/// serde_json's `PrettyFormatter` layout (two-space indent), writing each
/// line break with its indent at once instead of one write per level:
/// `results.json` holds about 800,000 values, mostly deep in figure data.
#[derive(Default)]
pub(super) struct Pretty {
    depth: usize,
    has_value: bool,
}

impl Pretty {
    /// A formatter for a value printed `depth` levels deep.
    pub(super) fn at(depth: usize) -> Pretty {
        Pretty {
            depth,
            has_value: false,
        }
    }

    /// The current depth (that of the entries of an open array or object).
    pub(super) fn depth(&self) -> usize {
        self.depth
    }

    fn line_break<W: ?Sized + std::io::Write>(&self, writer: &mut W) -> std::io::Result<()> {
        match LINE_BREAK.get(..1 + 2 * self.depth) {
            Some(bytes) => writer.write_all(bytes),
            None => {
                writer.write_all(b"\n")?;
                (0..self.depth).try_for_each(|_| writer.write_all(b"  "))
            }
        }
    }

    fn open<W: ?Sized + std::io::Write>(
        &mut self,
        writer: &mut W,
        bracket: &[u8],
    ) -> std::io::Result<()> {
        self.depth += 1;
        self.has_value = false;
        writer.write_all(bracket)
    }

    fn close<W: ?Sized + std::io::Write>(
        &mut self,
        writer: &mut W,
        bracket: &[u8],
    ) -> std::io::Result<()> {
        self.depth -= 1;
        if self.has_value {
            self.line_break(writer)?;
        }
        writer.write_all(bracket)
    }

    fn item<W: ?Sized + std::io::Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        if !first {
            writer.write_all(b",")?;
        }
        self.line_break(writer)
    }
}

impl serde_json::ser::Formatter for Pretty {
    fn begin_array<W: ?Sized + std::io::Write>(&mut self, writer: &mut W) -> std::io::Result<()> {
        self.open(writer, b"[")
    }

    fn end_array<W: ?Sized + std::io::Write>(&mut self, writer: &mut W) -> std::io::Result<()> {
        self.close(writer, b"]")
    }

    fn begin_array_value<W: ?Sized + std::io::Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        self.item(writer, first)
    }

    fn end_array_value<W: ?Sized + std::io::Write>(
        &mut self,
        _writer: &mut W,
    ) -> std::io::Result<()> {
        self.has_value = true;
        Ok(())
    }

    fn begin_object<W: ?Sized + std::io::Write>(&mut self, writer: &mut W) -> std::io::Result<()> {
        self.open(writer, b"{")
    }

    fn end_object<W: ?Sized + std::io::Write>(&mut self, writer: &mut W) -> std::io::Result<()> {
        self.close(writer, b"}")
    }

    fn begin_object_key<W: ?Sized + std::io::Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        self.item(writer, first)
    }

    fn begin_object_value<W: ?Sized + std::io::Write>(
        &mut self,
        writer: &mut W,
    ) -> std::io::Result<()> {
        writer.write_all(b": ")
    }

    fn end_object_value<W: ?Sized + std::io::Write>(
        &mut self,
        _writer: &mut W,
    ) -> std::io::Result<()> {
        self.has_value = true;
        Ok(())
    }
}

/// `compare --json`: the comparison's numbers as one object, non-finite
/// numbers as strings (as `eval --json`), an undefined p-value as null.
pub fn comparison_json(stats: &crate::stats::ComparisonStats) -> Result<String, ExportError> {
    let mut value = to_json(toml::Value::try_from(stats)?);
    if let Some(rows) = value.get_mut("differences").and_then(Value::as_array_mut) {
        for row in rows.iter_mut().filter_map(Value::as_object_mut) {
            row.entry("p_value").or_insert(Value::Null);
        }
    }
    Ok(serde_json::to_string_pretty(&value)?)
}

fn to_json(value: toml::Value) -> serde_json::Value {
    use serde_json::Value as J;
    match value {
        toml::Value::String(s) => J::String(s),
        toml::Value::Integer(i) => J::from(i),
        toml::Value::Float(f) => json_number(f),
        toml::Value::Boolean(b) => J::Bool(b),
        toml::Value::Datetime(d) => J::String(d.to_string()),
        toml::Value::Array(items) => J::Array(items.into_iter().map(to_json).collect()),
        toml::Value::Table(table) => {
            J::Object(table.into_iter().map(|(k, v)| (k, to_json(v))).collect())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn non_finite_numbers_are_strings() {
        assert_eq!(json_number(0.5), Value::from(0.5));
        assert_eq!(json_number(f64::NAN), Value::from("NaN"));
        assert_eq!(json_number(f64::INFINITY), Value::from("Infinity"));
        assert_eq!(json_number(f64::NEG_INFINITY), Value::from("-Infinity"));
    }

    /// The one-write line breaks lay out JSON exactly as serde_json's pretty
    /// printer does: empty and nested containers, strings with escapes,
    /// floats, and nesting deeper than the precomputed indent.
    #[test]
    fn pretty_is_serde_jsons_pretty_byte_for_byte() {
        let mut deep = serde_json::json!([1, {"k": []}]);
        for level in 0..FLAT_DEPTH + 3 {
            deep = serde_json::json!({ "level": level, "inner": deep, "list": [0.1, -2.5e-300] });
        }
        let value = serde_json::json!({
            "empty_list": [],
            "empty_map": {},
            "text": "quote \" and\nline ‖",
            "numbers": [1, -2, 0.5, 1e300, 12345678901234567890u64],
            "nested": [[[]], [{}], [null, true, false]],
            "deep": deep,
        });
        assert_eq!(
            pretty(&value).unwrap(),
            serde_json::to_string_pretty(&value).unwrap()
        );
    }

    /// What `results.json` was before [`sorted_json`]: toml's value tree
    /// of the value, copied into serde_json's and printed; with the digest
    /// read from the whole tree.
    fn through_toml<T: serde::Serialize>(value: &T) -> Result<(String, Value), String> {
        let tree = toml::Value::try_from(value).map_err(|e| e.to_string())?;
        let json = to_json(tree);
        Ok((pretty(&json).map_err(|e| e.to_string())?, json))
    }

    fn printed<T: serde::Serialize>(value: &T) -> Result<String, String> {
        let bytes = sorted_json::print(value, &[], &mut |_, _| {}).map_err(|e| e.to_string())?;
        Ok(String::from_utf8(bytes).unwrap())
    }

    #[derive(serde::Serialize)]
    enum Variant {
        Unit,
        Newtype(f64),
        Tuple(i32, String),
        Struct { zed: u8, alpha: Option<f32> },
    }

    #[derive(serde::Serialize)]
    struct Inner {
        y: f64,
        x: Vec<[f64; 2]>,
        skipped: Option<i32>,
    }

    #[derive(serde::Serialize)]
    struct Newtype(&'static str);

    /// Fields out of key order, a flattened struct, `None` left out, maps,
    /// every kind of enum variant, non-finite and negative-zero floats,
    /// `f32`, big integers, escapes, empty containers and nesting deeper
    /// than the precomputed indents.
    #[derive(serde::Serialize)]
    struct Everything {
        zeta: i64,
        #[serde(flatten)]
        inner: Inner,
        alpha: Vec<f64>,
        map: std::collections::BTreeMap<String, Option<u64>>,
        hash: std::collections::HashMap<char, bool>,
        variants: Vec<Variant>,
        text: String,
        newtype: Newtype,
        empty: Vec<u8>,
        empty_struct: std::collections::BTreeMap<String, i32>,
        single: f32,
        deep: Value,
        beta: Option<Box<Everything>>,
    }

    fn everything(nested: Option<Box<Everything>>) -> Everything {
        let mut deep = serde_json::json!([1, {"k": []}]);
        for level in 0..FLAT_DEPTH + 3 {
            deep = serde_json::json!({ "level": level, "inner": deep, "list": [0.1, -2.5e-300] });
        }
        Everything {
            zeta: -7,
            inner: Inner {
                y: f64::NAN,
                x: vec![
                    [1.5, -0.0],
                    [f64::INFINITY, f64::NEG_INFINITY],
                    [1e300, 5e-324],
                ],
                skipped: None,
            },
            alpha: vec![0.1, 2.0 / 3.0],
            map: [
                ("b".to_string(), Some(u64::from(u32::MAX))),
                ("a".to_string(), None),
            ]
            .into_iter()
            .collect(),
            hash: [('q', true), ('c', false), ('x', true)]
                .into_iter()
                .collect(),
            variants: vec![
                Variant::Unit,
                Variant::Newtype(0.25),
                Variant::Tuple(3, "t".into()),
                Variant::Struct {
                    zed: 1,
                    alpha: Some(0.1),
                },
                Variant::Struct {
                    zed: 2,
                    alpha: None,
                },
            ],
            text: "quote \" and\nline ‖ \u{1}".into(),
            newtype: Newtype("n"),
            empty: Vec::new(),
            empty_struct: Default::default(),
            single: 0.1,
            deep,
            beta: nested,
        }
    }

    /// The one-pass printer writes the bytes toml's tree printed, whatever
    /// the shape of the value.
    #[test]
    fn sorted_printing_is_the_toml_tree_printed() {
        let value = everything(Some(Box::new(everything(None))));
        let (expected, _) = through_toml(&value).unwrap();
        assert_eq!(printed(&value).unwrap(), expected);
        assert!(expected.contains("\"Infinity\""), "{expected}");
    }

    /// What toml's tree refuses, the printer refuses too.
    #[test]
    fn what_toml_refuses_is_refused() {
        let big = vec![u64::MAX];
        let with_none = vec![Some(1), None];
        assert!(through_toml(&big).is_err() && printed(&big).is_err());
        assert!(through_toml(&with_none).is_err() && printed(&with_none).is_err());
        assert!(through_toml(&vec![()]).is_err() && printed(&vec![()]).is_err());
        let int_keys: std::collections::BTreeMap<i32, i32> = [(1, 2)].into_iter().collect();
        assert!(through_toml(&int_keys).is_err() && printed(&int_keys).is_err());
    }

    /// `results.json` and its digest are what the toml tree gave, for every
    /// scenario shipped in `configs/` (the article's among them).
    #[test]
    fn results_json_of_every_shipped_scenario_is_unchanged() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("configs");
        let mut compared = Vec::new();
        let mut names: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|entry| entry.unwrap().path())
            .filter(|path| path.extension().is_some_and(|e| e == "toml"))
            .collect();
        names.sort();
        for path in names {
            let Ok(prepared) = crate::cmd::prepare::prepare(&path) else {
                continue;
            };
            let (text, digest) = results_json(&prepared.computed).unwrap();
            let (expected, tree) = through_toml(&prepared.computed).unwrap();
            assert!(text == format!("{expected}\n"), "{}", path.display());
            assert_eq!(digest, ReportDigest::deserialize(&tree).unwrap());
            compared.push(path.file_name().unwrap().to_string_lossy().into_owned());
        }
        assert!(compared.len() >= 10, "{compared:?}");
        assert!(compared.iter().any(|name| name == "article.toml"));
    }
}
