//! Running `losslab eval` from a test: its success, stdout and stderr.

use assert_cmd::Command;

pub fn eval(args: &[&str]) -> (bool, String, String) {
    let output = Command::cargo_bin("losslab")
        .unwrap()
        .arg("eval")
        .args(args)
        .output()
        .unwrap();
    (
        output.status.success(),
        String::from_utf8(output.stdout).unwrap(),
        String::from_utf8(output.stderr).unwrap(),
    )
}

/// The stdout of an `eval` that must succeed.
pub fn ok(args: &[&str]) -> String {
    let (success, stdout, stderr) = eval(args);
    assert!(success, "eval {args:?}: {stderr}");
    stdout
}
