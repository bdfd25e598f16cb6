//! Numbers in the JSON that losslab writes (`eval --json`, `results.json`).
//! JSON has no NaN or infinity: those become the strings "NaN", "Infinity"
//! and "-Infinity", which the contract of `eval` fixes.

use serde_json::Value;

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
