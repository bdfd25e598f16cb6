//! Numbers in the JSON that losslab writes (`eval --json`, `results.json`).
//! JSON has no NaN or infinity: those become the strings "NaN", "Infinity"
//! and "-Infinity", which the contract of `eval` fixes.

use serde_json::Value;

use super::{ExportError, ReportDigest, ResultsJson};
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
/// text (so from the same numbers): only the top-level entries it needs are
/// parsed, not the whole text.
///
/// The text is written by [`ResultsJson`] straight from the values, in the
/// layout and key order it had when it was printed from a `toml::Value`
/// copy of them (building, printing and dropping that copy of about 800,000
/// values was most of the cost).
pub fn results_json(computed: &Computed) -> Result<(ResultsJson, ReportDigest), ExportError> {
    const KEYS: [&str; 5] = ["title", "intro", "warnings", "comparisons", "checks"];
    let (json, picked) = ResultsJson::with_picked(computed, &KEYS)?;
    let mut part = b"{".to_vec();
    for (i, (key, value)) in picked.iter().enumerate() {
        if i > 0 {
            part.push(b',');
        }
        serde_json::to_writer(&mut part, key)?;
        part.push(b':');
        part.extend_from_slice(value);
    }
    part.push(b'}');
    let digest = serde_json::from_slice(&part)?;
    Ok((json, digest))
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

/// `results.json` the way it was first written: through a `toml::Value`
/// copy of the results and serde_json's pretty printer. The tests hold
/// [`results_json`] to it, byte for byte.
#[cfg(test)]
pub fn results_json_through_toml(value: &impl serde::Serialize) -> Result<String, ExportError> {
    let value = toml::Value::try_from(value)?;
    Ok(serde_json::to_string_pretty(&to_json(value))? + "\n")
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
}
