//! Reading the golden files' JSON into the library's types (shared by the
//! library and command-line golden tests).

use losslab::loss::{Data, ParamValue, Params};
use serde_json::Value;

pub fn number(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => match s.as_str() {
            "Infinity" => Some(f64::INFINITY),
            "-Infinity" => Some(f64::NEG_INFINITY),
            "NaN" => Some(f64::NAN),
            _ => None,
        },
        _ => None,
    }
}

pub fn data(v: &Value) -> Data {
    let rows = v.as_array().expect("data is an array");
    if rows.iter().any(Value::is_array) {
        Data::Rows(
            rows.iter()
                .map(|r| {
                    r.as_array()
                        .expect("row")
                        .iter()
                        .map(|x| number(x).expect("number"))
                        .collect()
                })
                .collect(),
        )
    } else {
        Data::Flat(rows.iter().map(|x| number(x).expect("number")).collect())
    }
}

pub fn flat(d: &Data) -> Vec<f64> {
    match d {
        Data::Flat(v) => v.clone(),
        Data::Rows(r) => r.iter().flatten().copied().collect(),
    }
}

pub fn params(v: &Value) -> Params {
    let mut out = Params::new();
    for (k, v) in v.as_object().expect("params object") {
        let p = match v {
            Value::Null => continue,
            Value::Bool(b) => ParamValue::Bool(*b),
            Value::Number(n) => ParamValue::Number(n.as_f64().expect("f64")),
            Value::String(s) => ParamValue::Text(s.clone()),
            Value::Array(a) => {
                ParamValue::List(a.iter().map(|x| number(x).expect("number")).collect())
            }
            Value::Object(_) => panic!("object parameter {k}"),
        };
        out.insert(k.clone(), p);
    }
    out
}
