//! `losslab objective` prints Python that computes exactly what
//! `eval --wrt score` computes: run the printed code with NumPy on random and
//! extreme scores and compare both arrays, value by value.
//!
//! Needs python3 with NumPy; CI installs NumPy in `.ci/run` when it is
//! missing. Without them the test says so and checks nothing else.

use std::process::Command;

use assert_cmd::cargo::CommandCargoExt;
use serde_json::Value;

fn losslab(args: &[&str]) -> String {
    let out = Command::cargo_bin("losslab")
        .unwrap()
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn numpy_available() -> bool {
    Command::new("python3")
        .args(["-c", "import numpy"])
        .status()
        .is_ok_and(|s| s.success())
}

fn flat(v: &Value) -> Vec<f64> {
    match v {
        Value::Array(items) => items.iter().flat_map(flat).collect(),
        Value::Number(n) => vec![n.as_f64().unwrap()],
        Value::String(s) if s == "Infinity" => vec![f64::INFINITY],
        Value::String(s) if s == "-Infinity" => vec![f64::NEG_INFINITY],
        other => panic!("{other}"),
    }
}

/// Deterministic scores: a spread, then the extremes ±1000 and ±40.
fn scores(n: usize) -> Vec<f64> {
    let mut state = 0x9E37_79B9_7F4A_7C15_u64;
    let mut out: Vec<f64> = (0..n)
        .map(|_| {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((state >> 11) as f64 / (1u64 << 53) as f64 - 0.5) * 12.0
        })
        .collect();
    out.extend([1000.0, -1000.0, 40.0, -40.0, 0.0]);
    out
}

fn check(loss: &str, params: &[&str], hessian: &str, target: &str, score: &str, booster: &str) {
    let mut common: Vec<&str> = vec!["--loss", loss];
    for p in params {
        common.extend(["--param", p]);
    }
    let mut objective_args = vec!["objective"];
    objective_args.extend(&common);
    objective_args.extend(["--for", booster, "--hessian", hessian]);
    let code = losslab(&objective_args);
    let mut eval_args = vec!["eval"];
    eval_args.extend(&common);
    eval_args.extend([
        "--wrt",
        "score",
        "--hessian",
        hessian,
        "--target",
        target,
        "--prediction",
        score,
        "--json",
    ]);
    let eval: Value = serde_json::from_str(&losslab(&eval_args)).unwrap();
    let dir = std::env::temp_dir().join(format!(
        "losslab-objective-{}-{loss}-{hessian}-{booster}",
        std::process::id()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("objective.py"), &code).unwrap();
    let driver = format!(
        "import json, sys\nsys.path.insert(0, {dir:?})\nimport numpy as np\nfrom objective import gradient_hessian, objective\n\
         y = np.array(json.loads({target:?}), dtype=float)\ns = np.array(json.loads({score:?}), dtype=float)\n\
         g, h = gradient_hessian(y, s)\nprint(json.dumps([np.asarray(g, dtype=float).ravel().tolist(), np.asarray(h, dtype=float).ravel().tolist()]))\n",
        dir = dir.to_str().unwrap()
    );
    let out = Command::new("python3")
        .args(["-c", &driver])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{loss}: {}\n{code}",
        String::from_utf8_lossy(&out.stderr)
    );
    let python: Value = serde_json::from_slice(&out.stdout).unwrap();
    for (i, key) in ["gradient", "hessian"].iter().enumerate() {
        let want = flat(&eval[key]);
        let got = flat(&python[i]);
        assert_eq!(got.len(), want.len(), "{loss} {key}");
        for (j, (g, w)) in got.iter().zip(&want).enumerate() {
            let ok = g == w || (g - w).abs() <= 1e-13 * w.abs().max(1e-300);
            assert!(
                ok,
                "{loss} {hessian} {key}[{j}]: python {g} vs eval {w}\n{code}"
            );
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn printed_objectives_compute_what_eval_computes() {
    if !numpy_available() {
        println!("SKIPPED: python3 with NumPy is not available (install it with `python3 -m pip install --user numpy`)");
        return;
    }
    let s = scores(40);
    let json = |v: &[f64]| serde_json::to_string(v).unwrap();
    let binary: Vec<f64> = (0..s.len()).map(|i| (i % 2) as f64).collect();
    let real: Vec<f64> = (0..s.len())
        .map(|i| (i as f64 * 0.37).sin() * 3.0)
        .collect();
    let counts: Vec<f64> = (0..s.len()).map(|i| (i % 5) as f64).collect();
    let (sj, bj, rj) = (json(&s), json(&binary), json(&real));
    for booster in ["xgboost", "lightgbm"] {
        check("bce", &[], "exact", &bj, &sj, booster);
        check("bce", &["label_smoothing=0.1"], "floor", &bj, &sj, booster);
        check("huber", &["delta=1.5"], "pseudo_huber", &rj, &sj, booster);
        check("huber", &[], "constant", &rj, &sj, booster);
        check("mae", &[], "floor", &rj, &sj, booster);
        check("mse", &[], "exact", &rj, &sj, booster);
        check("log_cosh", &[], "exact", &rj, &sj, booster);
        check("pseudo_huber", &["delta=2"], "exact", &rj, &sj, booster);
        check("quantile", &["tau=0.9"], "constant", &rj, &sj, booster);
        // No ±1000 for the log link: e^1000 overflows to +∞ in both.
        let log_scores: Vec<f64> = s[..s.len() - 5]
            .iter()
            .copied()
            .chain([30.0, -30.0])
            .collect();
        let log_counts = json(&counts[..log_scores.len()]);
        check(
            "poisson",
            &[],
            "exact",
            &log_counts,
            &json(&log_scores),
            booster,
        );
        check("hinge", &[], "constant", &bj, &sj, booster);
        check("squared_hinge", &[], "floor", &bj, &sj, booster);
    }
    // Softmax: three classes, integer labels, rows of scores with extremes.
    let rows: Vec<Vec<f64>> = s
        .chunks(3)
        .filter(|c| c.len() == 3)
        .map(<[f64]>::to_vec)
        .collect();
    let labels: Vec<f64> = (0..rows.len()).map(|i| (i % 3) as f64).collect();
    let rows_json = serde_json::to_string(&rows).unwrap();
    check("scce", &[], "exact", &json(&labels), &rows_json, "xgboost");
    check(
        "scce",
        &["label_smoothing=0.2"],
        "floor",
        &json(&labels),
        &rows_json,
        "lightgbm",
    );
}
