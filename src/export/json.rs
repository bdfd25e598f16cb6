//! Numbers in the JSON that losslab writes (`eval --json`, `results.json`).
//! JSON has no NaN or infinity: those become the strings "NaN", "Infinity"
//! and "-Infinity", which the contract of `eval` fixes.

use serde::Deserialize;
use serde_json::Value;

use super::{ExportError, ReportDigest};
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
/// value tree as the text (so from the same numbers) without parsing the text back.
///
/// The text is printed from toml's value tree directly (through [`AsJson`]),
/// not from a `serde_json::Value` copy of it: building and dropping that copy
/// of about 800,000 values was most of the cost. The digest reads only the
/// top-level keys it needs, converted.
pub fn results_json(computed: &Computed) -> Result<(String, ReportDigest), ExportError> {
    // toml's value model keeps non-finite floats, unlike serde_json's.
    let value = toml::Value::try_from(computed)?;
    let digest = ReportDigest::deserialize(digest_part(&value))?;
    let mut text = pretty(&AsJson(&value))?;
    text.push('\n');
    Ok((text, digest))
}

/// The top-level keys of `results.json` that [`ReportDigest`] reads, as JSON.
fn digest_part(value: &toml::Value) -> Value {
    const KEYS: [&str; 5] = ["title", "intro", "warnings", "comparisons", "checks"];
    let picked = KEYS
        .iter()
        .filter_map(|&key| Some((key.to_string(), to_json(value.get(key)?.clone()))));
    Value::Object(picked.collect())
}

/// A toml value serialised as `results.json` spells it (what [`to_json`]
/// then serde_json would write): non-finite floats as their names, dates as
/// strings, tables as objects in key order (both crates' maps are sorted).
struct AsJson<'a>(&'a toml::Value);

impl serde::Serialize for AsJson<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self.0 {
            toml::Value::String(s) => serializer.serialize_str(s),
            toml::Value::Integer(i) => serializer.serialize_i64(*i),
            toml::Value::Float(f) => match non_finite_name(*f) {
                Some(name) => serializer.serialize_str(name),
                None => serializer.serialize_f64(*f),
            },
            toml::Value::Boolean(b) => serializer.serialize_bool(*b),
            toml::Value::Datetime(d) => serializer.collect_str(d),
            toml::Value::Array(items) => serializer.collect_seq(items.iter().map(AsJson)),
            toml::Value::Table(table) => {
                serializer.collect_map(table.iter().map(|(k, v)| (k, AsJson(v))))
            }
        }
    }
}

/// `serde_json::to_string_pretty`, byte for byte, through [`Pretty`].
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
struct Pretty {
    depth: usize,
    has_value: bool,
}

impl Pretty {
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

    /// Printing toml's tree directly gives the text the `serde_json::Value`
    /// copy gave: key order, integers, non-finite floats, dates, nesting.
    #[test]
    fn toml_printed_directly_is_the_json_copy_printed() {
        let value: toml::Value = toml::from_str(
            r#"
            zeta = 1
            alpha = [1.5, -0.0, 1e300, 5e-324, -7]
            when = 1979-05-27T07:32:00Z
            text = "quote \" and ‖"
            empty = []
            [nested.inner]
            b = [[1, 2], [true, false]]
            a = { y = 2, x = 1 }
            "#,
        )
        .unwrap();
        let mut value = value;
        let table = value.as_table_mut().unwrap();
        table.insert("nan".into(), toml::Value::Float(f64::NAN));
        table.insert(
            "infinities".into(),
            toml::Value::Array(vec![f64::INFINITY.into(), f64::NEG_INFINITY.into()]),
        );
        assert_eq!(
            pretty(&AsJson(&value)).unwrap(),
            pretty(&to_json(value.clone())).unwrap()
        );
    }

    /// The digest from the picked keys is the digest from the whole file.
    #[test]
    fn the_digest_needs_only_its_keys() {
        let value: toml::Value = toml::from_str(
            r#"
            title = "T"
            intro = "I"
            warnings = ["w"]
            quantities = [{ name = "q", value = 1.0 }]
            [[checks]]
            description = "d"
            passed = false
            "#,
        )
        .unwrap();
        let whole = ReportDigest::deserialize(&to_json(value.clone())).unwrap();
        assert_eq!(
            ReportDigest::deserialize(digest_part(&value)).unwrap(),
            whole
        );
        assert_eq!(whole.title, "T");
    }
}
