//! The `eval` and `list` commands as a script or a person uses them.

use assert_cmd::Command;
use serde_json::Value;

fn losslab() -> Command {
    Command::cargo_bin("losslab").unwrap()
}

/// Run `losslab eval ARGS --json` and parse its one JSON object.
fn eval_json(args: &[&str]) -> Value {
    let output = losslab()
        .arg("eval")
        .args(args)
        .arg("--json")
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "eval {args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("stdout is one JSON object")
}

/// Run `losslab eval ARGS` expecting failure; return stderr.
fn eval_error(args: &[&str]) -> String {
    let output = losslab().arg("eval").args(args).output().unwrap();
    assert!(!output.status.success(), "eval {args:?} should fail");
    assert!(
        output.stdout.is_empty(),
        "eval {args:?} printed on stdout: {}",
        String::from_utf8_lossy(&output.stdout)
    );
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.starts_with("error:"), "stderr: {stderr}");
    assert!(!stderr.contains("panicked"), "stderr: {stderr}");
    stderr
}

#[test]
fn json_contract_for_an_elementwise_loss() {
    let out = eval_json(&[
        "--loss",
        "l2",
        "--target",
        "[-3,-1,-2,1,-1,1,2,1,3,4,3,5]",
        "--prediction",
        "-2,1,-1,0,-1,1,2,2,3,3,3,5",
    ]);
    assert_eq!(out["loss"], "mse");
    assert_eq!(out["reduction"], "mean");
    assert_eq!(out["value"], 0.75);
    assert_eq!(out["per_sample"].as_array().unwrap().len(), 12);
    assert_eq!(out["gradient"][1].as_f64().unwrap(), 2.0 * 2.0 / 12.0);
    assert_eq!(out["hessian"][0].as_f64().unwrap(), 2.0 / 12.0);
    assert_eq!(out["warnings"], Value::Array(vec![]));
}

#[test]
fn json_fills_in_default_parameters() {
    let out = eval_json(&["--loss", "huber", "--target", "0", "--prediction", "2"]);
    assert_eq!(out["params"]["delta"], 1.0);
    assert_eq!(out["value"], 1.5);
}

#[test]
fn json_writes_infinity_as_a_string_and_row_losses_have_no_hessian() {
    let out = eval_json(&[
        "--loss",
        "bce",
        "--reduction",
        "sum",
        "--target",
        "[1, 0]",
        "--prediction",
        "[0, 0]",
    ]);
    assert_eq!(out["value"], "Infinity");
    assert_eq!(out["per_sample"][0], "Infinity");
    assert_eq!(out["per_sample"][1], 0.0);

    let out = eval_json(&[
        "--loss",
        "cce",
        "--target",
        "[[0,1],[1,0]]",
        "--prediction",
        "[[0.2,0.8],[0.5,0.5]]",
    ]);
    assert!(out.get("hessian").is_none());
    assert_eq!(out["gradient"].as_array().unwrap().len(), 2);
    assert_eq!(out["gradient"][0].as_array().unwrap().len(), 2);
}

#[test]
fn kl_that_does_not_sum_to_one_warns_naming_the_sum() {
    let out = eval_json(&[
        "--loss",
        "kl",
        "--target",
        "[0.10, 0.30, 0.05, 0.90, 0.65, 0.21]",
        "--prediction",
        "[0.70, 0.55, 0.15, 0.04, 0.25, 0.45]",
    ]);
    let value = out["value"].as_f64().unwrap();
    assert!((value - 2.832).abs() < 5e-4, "{value}");
    let warnings = out["warnings"].to_string();
    assert!(warnings.contains("2.21"), "{warnings}");
}

#[test]
fn reads_data_from_json_and_csv_files() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("t.csv");
    let prediction = dir.path().join("p.json");
    std::fs::write(&target, "label\n1\n0\n").unwrap();
    std::fs::write(&prediction, "[0.8, 0.1]").unwrap();
    let out = eval_json(&[
        "--loss",
        "log_loss",
        "--target",
        &format!("@{}", target.display()),
        "--prediction",
        &format!("@{}", prediction.display()),
    ]);
    let expected = -(0.8f64.ln() + 0.9f64.ln()) / 2.0;
    assert!((out["value"].as_f64().unwrap() - expected).abs() < 1e-15);
}

#[test]
fn weights_scale_per_sample_values() {
    let out = eval_json(&[
        "--loss",
        "mae",
        "--target",
        "0,0",
        "--prediction",
        "1,3",
        "--weights",
        "2,1",
        "--reduction",
        "weighted_mean",
    ]);
    assert_eq!(out["per_sample"], serde_json::json!([2.0, 3.0]));
    assert_eq!(out["value"], 5.0 / 3.0);
}

#[test]
fn table_output_for_a_person() {
    let output = losslab()
        .args([
            "eval",
            "--loss",
            "mae",
            "--target",
            "1,2",
            "--prediction",
            "1.5,2",
        ])
        .output()
        .unwrap();
    assert!(output.status.success());
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(text.contains("loss       mae"), "{text}");
    assert!(text.contains("value      0.25"), "{text}");
    assert!(text.contains("gradient"), "{text}");
    assert_eq!(
        text.lines()
            .filter(|l| l.starts_with('0') || l.starts_with('1'))
            .count(),
        2
    );
}

#[test]
fn bad_input_gets_a_clear_error() {
    let flat = ["--target", "1,0", "--prediction", "0.5,0.5"];
    let with = |extra: &[&'static str]| -> Vec<&'static str> {
        let mut args = extra.to_vec();
        args.extend(flat);
        args
    };
    // Unknown loss, with the nearest name.
    let err = eval_error(&with(&["--loss", "hubber"]));
    assert!(err.contains("hubber") && err.contains("huber"), "{err}");
    // Unknown and malformed parameters.
    let err = eval_error(&with(&["--loss", "huber", "--param", "detla=1"]));
    assert!(err.contains("detla"), "{err}");
    let err = eval_error(&with(&["--loss", "huber", "--param", "delta"]));
    assert!(err.contains("KEY=VALUE"), "{err}");
    let err = eval_error(&with(&["--loss", "huber", "--param", "delta=abc"]));
    assert!(err.contains("delta"), "{err}");
    // Parameters out of range.
    for (loss, param) in [
        ("huber", "delta=0"),
        ("huber", "delta=-1"),
        ("smooth_l1", "beta=0"),
        ("kl", "base=1"),
        ("kl", "base=-2"),
    ] {
        let err = eval_error(&with(&["--loss", loss, "--param", param]));
        let key = param.split('=').next().unwrap();
        assert!(err.contains(key), "{loss} {param}: {err}");
    }
}

#[test]
fn bad_data_gets_a_clear_error_naming_the_argument() {
    let cases: &[(&[&str], &str)] = &[
        (
            &["--loss", "mse", "--target", "1,2,3", "--prediction", "1,2"],
            "3",
        ),
        (
            &[
                "--loss",
                "cce",
                "--target",
                "[[1,0],[0,1]]",
                "--prediction",
                "[[0.5,0.5],[1]]",
            ],
            "--prediction",
        ),
        (
            &["--loss", "mse", "--target", "[]", "--prediction", "[]"],
            "--target",
        ),
        (
            &["--loss", "mse", "--target", "1,NaN", "--prediction", "1,2"],
            "target",
        ),
        (
            &["--loss", "mse", "--target", "1,inf", "--prediction", "1,2"],
            "target",
        ),
        (
            &["--loss", "mse", "--target", "1,two", "--prediction", "1,2"],
            "two",
        ),
        (
            &["--loss", "mse", "--target", "[1,2", "--prediction", "1,2"],
            "malformed JSON",
        ),
        (
            &[
                "--loss",
                "mse",
                "--target",
                "@/no/such/file",
                "--prediction",
                "1,2",
            ],
            "/no/such/file",
        ),
        (
            &[
                "--loss",
                "bce",
                "--target",
                "1,0",
                "--prediction",
                "1.5,0.5",
            ],
            "1.5",
        ),
        (
            &[
                "--loss",
                "bce",
                "--target",
                "2,0",
                "--prediction",
                "0.5,0.5",
            ],
            "2",
        ),
        (
            &[
                "--loss",
                "kl",
                "--target",
                "0.5,-0.5",
                "--prediction",
                "0.5,0.5",
            ],
            "-0.5",
        ),
        (
            &[
                "--loss",
                "hinge",
                "--target",
                "1,2",
                "--prediction",
                "0.5,0.5",
            ],
            "2",
        ),
        (
            &[
                "--loss",
                "hinge",
                "--target",
                "1,0,-1",
                "--prediction",
                "0.5,0.5,1",
            ],
            "target",
        ),
        (
            &[
                "--loss",
                "scce",
                "--target",
                "0,3",
                "--prediction",
                "[[0.5,0.5],[0.5,0.5]]",
            ],
            "3",
        ),
        (
            &[
                "--loss",
                "scce",
                "--target",
                "0,0.5",
                "--prediction",
                "[[0.5,0.5],[0.5,0.5]]",
            ],
            "0.5",
        ),
        (
            &[
                "--loss",
                "mse",
                "--target",
                "[[1,2]]",
                "--prediction",
                "[[1,2]]",
            ],
            "matrix",
        ),
    ];
    for (args, needle) in cases {
        let err = eval_error(args);
        assert!(err.contains(needle), "{args:?}: {err}");
    }
}

#[test]
fn list_shows_every_loss_with_parameters_and_formula() {
    let output = losslab().arg("list").output().unwrap();
    assert!(output.status.success());
    let text = String::from_utf8(output.stdout).unwrap();
    for name in [
        "mae",
        "mse",
        "huber",
        "smooth_l1",
        "log_cosh",
        "binary_cross_entropy",
        "categorical_cross_entropy",
        "sparse_categorical_cross_entropy",
        "kl_divergence",
        "hinge",
        "squared_hinge",
    ] {
        assert!(text.contains(name), "list lacks {name}");
    }
    assert!(text.contains("delta=1"), "{text}");
    assert!(text.contains("log_loss"), "aliases are listed");
}

#[test]
fn a_reader_that_stops_early_gets_no_panic() {
    use std::io::Read;
    use std::process::{Command as Process, Stdio};
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("d.csv");
    let values: Vec<String> = (0..200_000).map(|i| format!("{}", i % 7)).collect();
    std::fs::write(&data, values.join("\n")).unwrap();
    let arg = format!("@{}", data.display());
    for json in [false, true] {
        let mut child = Process::new(env!("CARGO_BIN_EXE_losslab"))
            .args([
                "eval",
                "--loss",
                "huber",
                "--target",
                &arg,
                "--prediction",
                &arg,
            ])
            .args(json.then_some("--json"))
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stdout = child.stdout.take().unwrap();
        let mut head = [0u8; 64];
        stdout.read_exact(&mut head).unwrap();
        drop(stdout); // like `| head -c 64`
        let output = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!stderr.contains("panicked"), "{stderr}");
        assert!(output.status.success(), "{stderr}");
    }
}

#[test]
fn a_file_holding_the_list_form_is_one_flat_array() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("t.txt");
    std::fs::write(&target, "1, 2, 3\n").unwrap();
    let out = eval_json(&[
        "--loss",
        "mse",
        "--target",
        &format!("@{}", target.display()),
        "--prediction",
        "1,2,5",
    ]);
    assert_eq!(out["value"].as_f64().unwrap(), 4.0 / 3.0);
}

#[test]
fn parameter_errors_name_the_param_argument() {
    let err = eval_error(&[
        "--loss",
        "huber",
        "--param",
        "delta=-1",
        "--target",
        "1",
        "--prediction",
        "1",
    ]);
    assert!(err.starts_with("error: --param delta:"), "{err}");
    assert!(err.contains("-1"), "{err}");
    let err = eval_error(&[
        "--loss",
        "cce",
        "--param",
        "class_weights=[1,2,3]",
        "--target",
        "[[1,0]]",
        "--prediction",
        "[[0.5,0.5]]",
    ]);
    assert!(err.starts_with("error: --param class_weights:"), "{err}");
    let err = eval_error(&["--loss", "hubber", "--target", "1", "--prediction", "1"]);
    assert!(err.starts_with("error: --loss:"), "{err}");
}
