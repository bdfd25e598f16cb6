//! End-to-end: `losslab compare` and scenarios with `[[comparisons]]` and
//! `[[checks]]`, run by the real binary in temporary folders.

mod report_files;
use report_files::files;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

fn losslab() -> Command {
    Command::cargo_bin("losslab").unwrap()
}

/// A regression file: y, three models (one exactly y + 0.1, one a copy of
/// it, one noisy with rare gross errors), and 3-class probabilities.
fn regression_csv(dir: &Path, rows: usize) -> PathBuf {
    let mut text = String::from("y,a,b,c,label,p_a_0,p_a_1,p_a_2,p_b_0,p_b_1,p_b_2\n");
    for i in 0..rows {
        let y = (i as f64 * 0.37).sin() * 3.0 + 1.0;
        let a = y + 0.1;
        let wobble = ((i * 7919) % 101) as f64 / 50.0 - 1.0;
        let c = if i % 50 == 0 {
            y + 9.0
        } else {
            y + 0.4 * wobble
        };
        let label = i % 3;
        let pa = [0.2, 0.3, 0.5];
        let s = 0.1 + 0.8 * (((i * 31) % 17) as f64 / 16.0);
        let pb = [s * 0.5, s * 0.5, 1.0 - s];
        text.push_str(&format!(
            "{y},{a},{a},{c},{label},{},{},{},{},{},{}\n",
            pa[0], pa[1], pa[2], pb[0], pb[1], pb[2]
        ));
    }
    let path = dir.join("data.csv");
    std::fs::write(&path, text).unwrap();
    path
}

fn compare_json(args: &[&str], threads: Option<&str>) -> Value {
    let mut cmd = losslab();
    cmd.arg("compare").args(args).arg("--json");
    if let Some(t) = threads {
        cmd.env("RAYON_NUM_THREADS", t);
    }
    let output = cmd.output().unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

fn eval_value(loss: &str, params: &[&str], target: &str, prediction: &str) -> f64 {
    let mut cmd = losslab();
    cmd.args(["eval", "--loss", loss, "--json", "--summary"])
        .arg("--target")
        .arg(target)
        .arg("--prediction")
        .arg(prediction);
    for p in params {
        cmd.arg("--param").arg(p);
    }
    let output = cmd.output().unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let json: Value = serde_json::from_slice(&output.stdout).unwrap();
    json["value"].as_f64().unwrap()
}

fn result<'a>(json: &'a Value, model: &str, loss: &str) -> &'a Value {
    json["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["model"] == model && r["loss"] == loss)
        .unwrap_or_else(|| panic!("no result for {model} {loss}"))
}

#[test]
fn means_equal_eval_to_the_last_bit() {
    let dir = tempfile::tempdir().unwrap();
    let data = regression_csv(dir.path(), 3001);
    let file = data.to_str().unwrap();
    let json = compare_json(
        &[
            file,
            "--target",
            "y",
            "--models",
            "a,c",
            "--loss",
            "mse,mae,huber:delta=0.7",
            "--bootstrap",
            "50",
        ],
        None,
    );
    for model in ["a", "c"] {
        for (loss, params) in [
            ("mse", vec![]),
            ("mae", vec![]),
            ("huber", vec!["delta=0.7"]),
        ] {
            let expected = eval_value(
                loss,
                &params,
                &format!("@{file}:y"),
                &format!("@{file}:{model}"),
            );
            let got = result(&json, model, loss)["value"].as_f64().unwrap();
            assert_eq!(
                got.to_bits(),
                expected.to_bits(),
                "{model} {loss}: {got} vs {expected}"
            );
        }
    }
    // A row loss on probability columns: sparse cross-entropy against class indices.
    let json = compare_json(
        &[
            file,
            "--target",
            "label",
            "--models",
            "a=p_a_*,b=p_b_*",
            "--loss",
            "scce",
            "--bootstrap",
            "50",
        ],
        None,
    );
    for model in ["a", "b"] {
        let expected = eval_value(
            "scce",
            &[],
            &format!("@{file}:label"),
            &format!("@{file}:p_{model}_*"),
        );
        let got = result(&json, model, "sparse_categorical_cross_entropy")["value"]
            .as_f64()
            .unwrap();
        assert_eq!(
            got.to_bits(),
            expected.to_bits(),
            "{model}: {got} vs {expected}"
        );
    }
}

#[test]
fn json_has_the_contract_shape_and_p_values() {
    let dir = tempfile::tempdir().unwrap();
    let data = regression_csv(dir.path(), 2000);
    let file = data.to_str().unwrap();
    let json = compare_json(
        &[
            file,
            "--target",
            "y",
            "--models",
            "first=a,copy=b,c",
            "--loss",
            "mse,mae",
            "--bootstrap",
            "999",
            "--seed",
            "3",
        ],
        None,
    );
    let keys: Vec<&str> = json
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    let mut expected = vec![
        "n",
        "models",
        "baseline",
        "confidence",
        "bootstrap",
        "seed",
        "results",
        "differences",
        "ranks",
    ];
    expected.sort();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(sorted, expected);
    assert_eq!(json["n"], 2000);
    assert_eq!(json["models"], serde_json::json!(["first", "copy", "c"]));
    assert_eq!(json["baseline"], "first");
    assert_eq!(json["bootstrap"], 999);
    let differences = json["differences"].as_array().unwrap();
    assert_eq!(differences.len(), 4);
    for d in differences {
        let p = d["p_value"].as_f64().unwrap();
        if d["model"] == "copy" {
            // The same predictions: every difference is 0, the p-value 1.
            assert_eq!(p, 1.0);
            assert_eq!(d["value"], 0.0);
        } else {
            // c is clearly worse than a (0.1 off) under both losses.
            assert!(p < 0.01, "{d}");
            assert!(d["ci_low"].as_f64().unwrap() > 0.0, "{d}");
        }
    }
    let ranks = json["ranks"].as_array().unwrap();
    assert_eq!(ranks[0]["loss"], "mse");
    assert_eq!(ranks[0]["order"][2], "c");
}

#[test]
fn identical_output_whatever_the_thread_count() {
    let dir = tempfile::tempdir().unwrap();
    let data = regression_csv(dir.path(), 5000);
    let file = data.to_str().unwrap();
    let args = [
        file,
        "--target",
        "y",
        "--models",
        "a,c",
        "--loss",
        "mse,huber:delta=[0.5,2]",
        "--bootstrap",
        "300",
    ];
    let one = compare_json(&args, Some("1"));
    let two = compare_json(&args, Some("2"));
    let three = compare_json(&args, Some("3"));
    assert_eq!(one, two);
    assert_eq!(one, three);
}

#[test]
fn the_written_scenario_renders_the_same_report() {
    let dir = tempfile::tempdir().unwrap();
    let data = regression_csv(dir.path(), 6000);
    let out = dir.path().join("out");
    let output = losslab()
        .arg("compare")
        .arg(&data)
        .args([
            "--target",
            "y",
            "--models",
            "a,c",
            "--loss",
            "mse,mae,huber:delta=[0.5,2]",
            "--bootstrap",
            "200",
        ])
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let scenario = out.join("data.toml");
    let text = std::fs::read_to_string(&scenario).unwrap();
    assert!(text.contains("csv = \"../data.csv\""), "{text}");
    let report = files(&out.join("data"));
    for name in [
        "index.html",
        "results.json",
        "tables/comparison-means.csv",
        "tables/comparison-per-sample.csv",
        "figures/comparison-scatter.svg",
        "figures/comparison-sweep.svg",
    ] {
        assert!(report.contains_key(Path::new(name)), "{name} missing");
    }
    // 6,000 rows × 2 models: a density, with a bounded number of marks.
    let scatter =
        String::from_utf8_lossy(&report[Path::new("figures/comparison-scatter.svg")]).into_owned();
    assert!(scatter.matches("<rect").count() < 10_000);
    assert!(scatter.matches("<circle").count() < 100);
    // The per-sample CSV has every row at full precision.
    let csv = String::from_utf8_lossy(&report[Path::new("tables/comparison-per-sample.csv")])
        .into_owned();
    assert_eq!(csv.lines().count(), 6001);

    let again = dir.path().join("again");
    let output = losslab()
        .arg("render")
        .arg(&scenario)
        .arg("--out")
        .arg(&again)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(report, files(&again.join("data")));
    // results.json carries the comparison under its name.
    let results: Value = serde_json::from_slice(&report[Path::new("results.json")]).unwrap();
    assert_eq!(results["comparisons"][0]["name"], "comparison");
    assert_eq!(results["comparisons"][0]["n"], 6000);
    assert!(results.get("checks").is_none());
}

#[test]
fn a_scenario_of_mine_is_never_replaced() {
    let dir = tempfile::tempdir().unwrap();
    let data = regression_csv(dir.path(), 100);
    let out = dir.path().join("out");
    std::fs::create_dir(&out).unwrap();
    std::fs::write(out.join("data.toml"), "my own notes").unwrap();
    let output = losslab()
        .arg("compare")
        .arg(&data)
        .args(["--target", "y", "--models", "a,c", "--bootstrap", "50"])
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("was not written by `losslab compare`")
    );
    assert_eq!(
        std::fs::read_to_string(out.join("data.toml")).unwrap(),
        "my own notes"
    );
    assert!(!out.join("data").exists());
}

/// Each bad input: a clear message naming the file, row and column, a
/// failure status, and nothing written.
#[test]
fn bad_input_names_file_row_and_column_and_writes_nothing() {
    let cases: [(&str, &str, &[&str], &[&str]); 6] = [
        (
            "y,a\n1,2\n3,4\n",
            "missing column",
            &["--models", "a,zz"],
            &["data.csv", "zz", "columns: y, a"],
        ),
        (
            "y,a\n1,2\n3,x\n",
            "non-numeric",
            &["--models", "a"],
            &["data.csv", "line 3", "column `a`"],
        ),
        (
            "y,a\n1,2\n3\n",
            "ragged",
            &["--models", "a"],
            &["data.csv", "line 3 has 1 field"],
        ),
        (
            "y,a\n1,2\nnan,4\n",
            "NaN target",
            &["--models", "a"],
            &["data.csv", "line 3", "column `y`"],
        ),
        (
            "y,a\n1,2\n3,4\n",
            "glob",
            &["--models", "m=p_*"],
            &["data.csv", "matches `p_*`"],
        ),
        (
            "y,a_0,a_1,b_0,b_1,b_2\n0,0.5,0.5,0.2,0.3,0.5\n",
            "classes",
            &["--models", "a=a_*,b=b_*", "--loss", "scce"],
            &[
                "\"a\" has 2 columns (a_0, a_1)",
                "\"b\" has 3 columns (b_0, b_1, b_2)",
            ],
        ),
    ];
    for (text, what, extra, needles) in cases {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data.csv");
        std::fs::write(&data, text).unwrap();
        let out = dir.path().join("out");
        let output = losslab()
            .arg("compare")
            .arg(&data)
            .args(["--target", "y"])
            .args(extra)
            .args(["--bootstrap", "20"])
            .arg("--out")
            .arg(&out)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{what}: {stderr}");
        for needle in needles {
            assert!(
                stderr.contains(needle),
                "{what}: `{needle}` not in {stderr}"
            );
        }
        assert!(!out.exists(), "{what}: something was written");
    }
}

#[test]
fn a_failed_check_exits_with_status_3_and_writes_the_report() {
    let dir = tempfile::tempdir().unwrap();
    regression_csv(dir.path(), 500);
    let scenario = dir.path().join("gate.toml");
    std::fs::write(
        &scenario,
        r#"[metadata]
title = "gate"
[[datasets]]
name = "y"
csv = "data.csv"
column = "y"
[[datasets]]
name = "models"
csv = "data.csv"
columns = ["good=a", "bad=c"]
[[losses]]
name = "mse"
loss = "mse"
[[comparisons]]
name = "cmp"
target = "y"
predictions = "models"
losses = ["mse"]
bootstrap = 200
[[checks]]
model = "bad"
loss = "mse"
below = "good"
[[checks]]
model = "good"
loss = "mse"
max = 0.5
"#,
    )
    .unwrap();
    let out = dir.path().join("out");
    let output = losslab()
        .arg("render")
        .arg(&scenario)
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(3), "{stderr}");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("(1 of 2 checks failed)"), "{stdout}");
    let results: Value =
        serde_json::from_slice(&std::fs::read(out.join("gate/results.json")).unwrap()).unwrap();
    let checks = results["checks"].as_array().unwrap();
    assert_eq!(checks.len(), 2);
    assert_eq!(checks[0]["passed"], false);
    assert_eq!(checks[0]["model"], "bad");
    assert_eq!(checks[0]["loss"], "mse");
    assert!(checks[0]["value"].as_f64().unwrap() > 0.0);
    assert_eq!(checks[1]["passed"], true);
    // good = y + 0.1 exactly: its MSE is 0.01 (up to rounding of y + 0.1).
    assert!((checks[1]["value"].as_f64().unwrap() - 0.01).abs() < 1e-9);
    let html = std::fs::read_to_string(out.join("gate/index.html")).unwrap();
    assert!(html.contains("✘ FAIL") && html.contains("✔ pass"));
}

#[test]
fn scenario_errors_name_the_key() {
    let dir = tempfile::tempdir().unwrap();
    regression_csv(dir.path(), 50);
    let scenario = dir.path().join("bad.toml");
    std::fs::write(
        &scenario,
        "[metadata]\ntitle = 't'\n[[datasets]]\nname = 'y'\ncsv = 'data.csv'\ncolumn = 'y'\n\
         [[datasets]]\nname = 'm'\ncsv = 'data.csv'\ncolumns = ['a', 'c']\n\
         [[losses]]\nname = 'mse'\nloss = 'mse'\n\
         [[comparisons]]\nname = 'x'\ntarget = 'y'\npredictions = 'm'\nlosses = ['mse']\nbaseline = 'cc'\n",
    )
    .unwrap();
    let output = losslab().arg("check").arg(&scenario).output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success());
    assert!(
        stderr.contains("line 19, column 12: comparisons[0] (x).baseline refers to unknown model \"cc\" (did you mean \"c\"?)"),
        "{stderr}"
    );
}

#[test]
fn rows_a_loss_ignores_are_left_out_for_every_loss() {
    let dir = tempfile::tempdir().unwrap();
    // Labels 0, 1 or 2; label 2 is the ignore_index: those rows leave.
    let mut text = String::from("label,a_0,a_1,a_2,b_0,b_1,b_2\n");
    for i in 0..300 {
        let s = 0.2 + 0.6 * ((i * 13) % 7) as f64 / 6.0;
        text.push_str(&format!("{},{s},{},0.1,0.3,0.4,0.3\n", i % 3, 0.9 - s));
    }
    let data = dir.path().join("data.csv");
    std::fs::write(&data, text).unwrap();
    let file = data.to_str().unwrap();
    let json = compare_json(
        &[
            file,
            "--target",
            "label",
            "--models",
            "a=a_*,b=b_*",
            "--loss",
            "scce:ignore_index=2",
            "--bootstrap",
            "50",
        ],
        None,
    );
    assert_eq!(json["n"], 200);
    // The ignoring loss's mean is eval's on the whole file (which skips them too).
    let expected = eval_value(
        "scce",
        &["ignore_index=2"],
        &format!("@{file}:label"),
        &format!("@{file}:a_*"),
    );
    let got = result(&json, "a", "sparse_categorical_cross_entropy")["value"]
        .as_f64()
        .unwrap();
    assert_eq!(got.to_bits(), expected.to_bits());
}

/// `compare` takes a convention like any other parameter
/// (`--loss bce:convention=keras:dtype=float32`), gives each model exactly
/// what `eval --param convention=keras --param dtype=float32` gives, and
/// keeps it apart from the exact loss: q = 1 − 1e-8 for a label 0 costs
/// −log 1e-8 ≈ 18.42 exactly but 15.942 under Keras in float32.
#[test]
fn compare_takes_a_convention() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::from("y,p\n");
    for i in 0..40 {
        let (y, p) = match i % 4 {
            0 => (0, "0.99999999"),
            1 => (1, "0.9"),
            2 => (0, "0.2"),
            _ => (1, "0.6"),
        };
        text.push_str(&format!("{y},{p}\n"));
    }
    let path = dir.path().join("probs.csv");
    std::fs::write(&path, text).unwrap();
    let file = path.to_str().unwrap();
    let json = compare_json(
        &[
            file,
            "--target",
            "y",
            "--models",
            "p",
            "--loss",
            "bce:convention=keras:dtype=float32,bce",
            "--bootstrap",
            "20",
        ],
        None,
    );
    // Both are `binary_cross_entropy`; the parameters tell them apart.
    let by_convention = |convention: Option<&str>| {
        json["results"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["params"]["convention"].as_str() == convention)
            .unwrap_or_else(|| panic!("no result with convention {convention:?}: {json}"))["value"]
            .as_f64()
            .unwrap()
    };
    let keras = by_convention(Some("keras"));
    let exact = by_convention(None);
    let want = eval_value(
        "bce",
        &["convention=keras", "dtype=float32"],
        &format!("@{file}:y"),
        &format!("@{file}:p"),
    );
    assert_eq!(keras.to_bits(), want.to_bits(), "{keras} vs {want}");
    let want_exact = eval_value("bce", &[], &format!("@{file}:y"), &format!("@{file}:p"));
    assert_eq!(exact.to_bits(), want_exact.to_bits());
    // A quarter of the rows is the saturated q = 1 − 1e-8: the means differ
    // by about (18.42 − 15.94)/4.
    assert!(
        (exact - keras - (-(1e-8f64).ln() - 15.942385) / 4.0).abs() < 1e-3,
        "{exact} {keras}"
    );
    // An unknown convention names the known ones.
    let output = losslab()
        .args([
            "compare",
            file,
            "--target",
            "y",
            "--models",
            "p",
            "--loss",
            "bce:convention=jax",
        ])
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("unknown convention `jax` (known: exact, keras, tf_keras, pytorch, optax, sklearn, scipy)"),
        "{stderr}"
    );
}
