//! Running `losslab` (and `losslab eval`) from a test: its success, stdout and stderr.

use std::path::Path;

use assert_cmd::Command;

/// Run `losslab ARGS…`: its success, stdout and stderr.
pub fn losslab(args: &[&str]) -> (bool, String, String) {
    let output = Command::cargo_bin("losslab")
        .unwrap()
        .args(args)
        .output()
        .unwrap();
    (
        output.status.success(),
        String::from_utf8(output.stdout).unwrap(),
        String::from_utf8(output.stderr).unwrap(),
    )
}

/// Run `losslab eval ARGS…`.
pub fn eval(args: &[&str]) -> (bool, String, String) {
    let mut all = vec!["eval"];
    all.extend_from_slice(args);
    losslab(&all)
}

/// The stdout of an `eval` that must succeed.
pub fn ok(args: &[&str]) -> String {
    let (success, stdout, stderr) = eval(args);
    assert!(success, "eval {args:?}: {stderr}");
    stdout
}

/// `losslab eval --summary --json` of one loss on two columns of a file:
/// the value, which must be there.
pub fn summary_value(loss: &str, file: &Path, target: &str, prediction: &str) -> f64 {
    let file = file.display();
    let stdout = ok(&[
        "--loss",
        loss,
        "--target",
        &format!("@{file}:{target}"),
        "--prediction",
        &format!("@{file}:{prediction}"),
        "--summary",
        "--json",
    ]);
    let json: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    json["value"].as_f64().unwrap()
}
