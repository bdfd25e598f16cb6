//! The `eval --json` contract on every golden case: the command line gives
//! exactly the library's numbers (which `golden_cases.rs` checks against the
//! 80-digit references), with parameters passed as text, as a user types them.

#[path = "common/golden.rs"]
mod golden;

use assert_cmd::Command;
use golden::{data, flat, number, params};
use losslab::loss::{Loss, Reduction};
use serde_json::Value;

fn param_text(value: &Value) -> Option<String> {
    match value {
        Value::Null => None,
        Value::String(s) => Some(s.clone()),
        other => Some(other.to_string()),
    }
}

fn numbers(value: &Value) -> Vec<f64> {
    match value {
        Value::Array(items) => items.iter().flat_map(numbers).collect(),
        other => vec![number(other).expect("a number or a non-finite string")],
    }
}

/// Every case of the golden files (the two shared ones and the local one).
pub fn all_cases() -> Vec<Value> {
    [
        "tests/golden/eval-cases.json",
        "tests/golden/eval-cases-extended.json",
        "tests/golden/eval-cases-local.json",
    ]
    .iter()
    .flat_map(|path| {
        let text = std::fs::read_to_string(path).expect("golden file");
        let json: Value = serde_json::from_str(&text).expect("golden JSON");
        json["cases"].as_array().expect("cases").clone()
    })
    .collect()
}

/// Bitwise equality, NaN equal to NaN.
fn same(a: &[f64], b: &[f64]) -> bool {
    a.len() == b.len()
        && a.iter()
            .zip(b)
            .all(|(x, y)| x.to_bits() == y.to_bits() || (x.is_nan() && y.is_nan()))
}

#[test]
fn eval_json_matches_the_library_on_every_golden_case() {
    let dir = tempfile::tempdir().unwrap();
    let mut failures = Vec::new();
    let cases = all_cases();
    assert_eq!(cases.len(), 211);
    for case in &cases {
        let id = case["id"].as_str().unwrap();
        let write = |name: &str, value: &Value| {
            let path = dir.path().join(name);
            std::fs::write(&path, value.to_string()).unwrap();
            format!("@{}", path.display())
        };
        let mut cmd = Command::cargo_bin("losslab").unwrap();
        cmd.args(["eval", "--loss", case["loss"].as_str().unwrap()])
            .args(["--reduction", case["reduction"].as_str().unwrap()])
            .args(["--target", &write("t.json", &case["target"])])
            .args(["--prediction", &write("p.json", &case["prediction"])])
            .arg("--json");
        if let Some(weights) = case.get("weights") {
            cmd.args(["--weights", &write("w.json", weights)]);
        }
        for (key, value) in case["params"].as_object().unwrap() {
            if let Some(text) = param_text(value) {
                cmd.args(["--param", &format!("{key}={text}")]);
            }
        }
        let output = cmd.output().unwrap();
        if !output.status.success() {
            failures.push(format!("{id}: {}", String::from_utf8_lossy(&output.stderr)));
            continue;
        }
        let json: Value = serde_json::from_slice(&output.stdout).unwrap();

        let weights: Option<Vec<f64>> = case.get("weights").map(numbers);
        let reduction: Reduction = case["reduction"].as_str().unwrap().parse().unwrap();
        let loss = Loss::new(case["loss"].as_str().unwrap(), &params(&case["params"])).unwrap();
        let expected = loss
            .evaluate(
                &data(&case["target"]),
                &data(&case["prediction"]),
                weights.as_deref(),
                reduction,
            )
            .unwrap();

        let mut problems = Vec::new();
        if json["loss"] != loss.name() {
            problems.push(format!("loss {}", json["loss"]));
        }
        if !same(&numbers(&json["value"]), &[expected.value]) {
            problems.push("value".to_string());
        }
        if !same(&numbers(&json["per_sample"]), &expected.per_sample) {
            problems.push("per_sample".to_string());
        }
        if !same(&numbers(&json["gradient"]), &flat(&expected.gradient)) {
            problems.push("gradient".to_string());
        }
        match (&expected.hessian, json.get("hessian")) {
            (Some(h), Some(j)) if same(&numbers(j), h) => {}
            (None, None) => {}
            _ => problems.push("hessian".to_string()),
        }
        if json["warnings"].as_array().map(Vec::len) != Some(expected.warnings.len()) {
            problems.push("warnings".to_string());
        }
        if !problems.is_empty() {
            failures.push(format!("{id}: {}", problems.join(", ")));
        }
    }
    assert!(
        failures.is_empty(),
        "{} cases differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
