//! The shipped comparison scenarios: rendered by the real binary, their
//! numbers checked against an independent computation here (plain loops over
//! the CSV, not the code under test), and the claims of their prose checked
//! against those independent numbers.

use std::path::Path;

use assert_cmd::Command;
use serde_json::Value;

/// A loss's swept parameter and its value, if any.
type Param = Option<(&'static str, f64)>;

/// An elementwise loss of the residual.
type ResidualLoss = Box<dyn Fn(f64) -> f64>;

/// A row loss of (probabilities, label).
type RowLoss = Box<dyn Fn(&[f64], usize) -> f64>;

fn render(config: &str) -> Value {
    let out = tempfile::tempdir().unwrap();
    let output = Command::cargo_bin("losslab")
        .unwrap()
        .arg("render")
        .arg(config)
        .arg("--out")
        .arg(out.path())
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stem = Path::new(config).file_stem().unwrap();
    let text = std::fs::read(out.path().join(stem).join("results.json")).unwrap();
    serde_json::from_slice(&text).unwrap()
}

fn columns(path: &str) -> (Vec<String>, Vec<Vec<f64>>) {
    let mut reader = csv::Reader::from_path(path).unwrap();
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    let mut columns = vec![Vec::new(); header.len()];
    for record in reader.records() {
        for (c, cell) in record.unwrap().iter().enumerate() {
            columns[c].push(cell.parse::<f64>().unwrap());
        }
    }
    (header, columns)
}

fn mean(values: impl Iterator<Item = f64>) -> f64 {
    let v: Vec<f64> = values.collect();
    v.iter().sum::<f64>() / v.len() as f64
}

/// The reported mean of `model` under `loss` (with `param` = `value` if given).
fn reported(
    comparison: &Value,
    model: &str,
    loss: &str,
    param: Option<(&str, f64)>,
) -> (f64, f64, f64) {
    let row = comparison["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| {
            r["model"] == model
                && r["loss"] == loss
                && param.is_none_or(|(k, v)| r["params"][k].as_f64() == Some(v))
        })
        .unwrap_or_else(|| panic!("{model} {loss} {param:?}"));
    let get = |k: &str| row[k].as_f64().unwrap();
    (get("value"), get("ci_low"), get("ci_high"))
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-12 * a.abs().max(b.abs()).max(1.0)
}

fn winner(means: &[(&str, f64)]) -> String {
    means
        .iter()
        .min_by(|a, b| a.1.total_cmp(&b.1))
        .unwrap()
        .0
        .to_string()
}

#[test]
fn regression_numbers_and_claims() {
    let json = render("configs/compare-regression.toml");
    let comparison = &json["comparisons"][0];
    assert_eq!(comparison["n"], 1000);
    let (header, data) = columns("configs/data/compare-regression.csv");
    let y = &data[header.iter().position(|h| h == "y").unwrap()];
    let models = [
        ("unbiased", "pred_unbiased"),
        ("tight", "pred_tight"),
        ("noisy", "pred_noisy"),
    ];
    let huber = |d: f64| {
        move |a: f64| {
            if a.abs() <= d {
                0.5 * a * a
            } else {
                d * (a.abs() - 0.5 * d)
            }
        }
    };
    let log_cosh = |a: f64| a.abs() + (-2.0 * a.abs()).exp().ln_1p() - std::f64::consts::LN_2;
    let losses: Vec<(&str, Param, ResidualLoss)> = vec![
        ("mse", None, Box::new(|a: f64| a * a)),
        ("mae", None, Box::new(|a: f64| a.abs())),
        ("huber", Some(("delta", 0.1)), Box::new(huber(0.1))),
        ("huber", Some(("delta", 1.0)), Box::new(huber(1.0))),
        ("huber", Some(("delta", 3.0)), Box::new(huber(3.0))),
        ("log_cosh", None, Box::new(log_cosh)),
    ];
    let mut winners = Vec::new();
    let mut independent = Vec::new();
    for (loss, param, f) in &losses {
        let mut means = Vec::new();
        for (model, column) in models {
            let p = &data[header.iter().position(|h| h == column).unwrap()];
            let expected = mean(p.iter().zip(y).map(|(p, t)| f(p - t)));
            let (value, low, high) = reported(comparison, model, loss, *param);
            assert!(
                close(value, expected),
                "{model} {loss} {param:?}: {value} vs {expected}"
            );
            assert!(
                low <= value && value <= high,
                "{model} {loss}: [{low}, {high}]"
            );
            means.push((model, expected));
            independent.push((model, *loss, *param, expected));
        }
        winners.push(winner(&means));
    }
    // Every number the prose quotes is the independent mean, rounded as written.
    let prose = std::fs::read_to_string("configs/compare-regression.toml").unwrap();
    let quoted = [
        ("unbiased", "mae", None, "0.375", 3),
        ("tight", "mae", None, "0.500", 3),
        ("unbiased", "mse", None, "1.237", 3),
        ("tight", "mse", None, "0.273", 3),
        ("unbiased", "huber", Some(0.1), "0.0329", 4),
        ("tight", "huber", Some(0.1), "0.0450", 4),
        ("tight", "huber", Some(1.0), "0.136", 3),
        ("unbiased", "huber", Some(1.0), "0.177", 3),
    ];
    for (model, loss, delta, text, decimals) in quoted {
        let value = independent
            .iter()
            .find(|(m, l, p, _)| *m == model && *l == loss && p.map(|p| p.1) == delta)
            .unwrap()
            .3;
        assert_eq!(
            format!("{value:.decimals$}"),
            text,
            "{model} {loss} {delta:?}"
        );
        assert!(prose.contains(text), "{text} not in the prose");
    }
    // The prose: MAE and Huber δ = 0.1 go to `unbiased`; MSE, Huber δ = 1 and 3 to `tight`.
    assert_eq!(
        winners,
        [
            "tight",
            "unbiased",
            "unbiased",
            "tight",
            "tight",
            winners[5].as_str()
        ]
    );
    // ... and the rank table agrees with the independent winners.
    for (rank, w) in comparison["ranks"].as_array().unwrap().iter().zip(&winners) {
        assert_eq!(&rank["order"][0], w);
    }
    // Both checks hold.
    assert!(json["checks"]
        .as_array()
        .unwrap()
        .iter()
        .all(|c| c["passed"] == true));
}

#[test]
fn classification_numbers_and_claims() {
    let json = render("configs/compare-classification.toml");
    let comparison = &json["comparisons"][0];
    assert_eq!(comparison["n"], 1000);
    let (header, data) = columns("configs/data/compare-classification.csv");
    let labels: Vec<usize> = data[0].iter().map(|&l| l as usize).collect();
    let probabilities = |model: &str| -> Vec<Vec<f64>> {
        let cols: Vec<usize> = (0..5)
            .map(|k| {
                header
                    .iter()
                    .position(|h| *h == format!("{model}_{k}"))
                    .unwrap()
            })
            .collect();
        (0..labels.len())
            .map(|r| cols.iter().map(|&c| data[c][r]).collect())
            .collect()
    };
    let cross_entropy = |p: &[f64], y: usize| -p[y].ln();
    let hinge = |p: &[f64], y: usize| {
        let rival = (0..p.len())
            .filter(|&k| k != y)
            .map(|k| p[k])
            .fold(f64::NEG_INFINITY, f64::max);
        (1.0 + rival - p[y]).max(0.0)
    };
    let focal =
        |gamma: f64| move |p: &[f64], y: usize| -0.25 * (1.0 - p[y]).powf(gamma) * p[y].ln();
    let losses: Vec<(&str, Param, RowLoss)> = vec![
        (
            "sparse_categorical_cross_entropy",
            None,
            Box::new(cross_entropy),
        ),
        ("categorical_hinge", None, Box::new(hinge)),
        (
            "categorical_focal_cross_entropy",
            Some(("gamma", 0.5)),
            Box::new(focal(0.5)),
        ),
        (
            "categorical_focal_cross_entropy",
            Some(("gamma", 2.0)),
            Box::new(focal(2.0)),
        ),
    ];
    let mut winners = Vec::new();
    for (loss, param, f) in &losses {
        let mut means = Vec::new();
        for model in ["calibrated", "sharp"] {
            let p = probabilities(model);
            let expected = mean(p.iter().zip(&labels).map(|(row, &y)| f(row, y)));
            let (value, low, high) = reported(comparison, model, loss, *param);
            assert!(
                close(value, expected),
                "{model} {loss}: {value} vs {expected}"
            );
            assert!(low <= value && value <= high);
            means.push((model, expected));
        }
        winners.push(winner(&means));
    }
    // The prose: cross-entropy goes to `calibrated`, the categorical hinge to `sharp`.
    assert_eq!(winners[0], "calibrated");
    assert_eq!(winners[1], "sharp");
    // `sharp` really is better ranked: its top class is right more often.
    let accuracy = |model: &str| {
        let p = probabilities(model);
        let right = p
            .iter()
            .zip(&labels)
            .filter(|(row, &y)| (0..5).all(|k| row[k] <= row[y]));
        right.count() as f64 / labels.len() as f64
    };
    assert!(accuracy("sharp") > accuracy("calibrated"));
    // The cross-entropy difference is clear: its interval excludes 0.
    let d = comparison["differences"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["loss"] == "sparse_categorical_cross_entropy")
        .unwrap();
    assert!(d["ci_low"].as_f64().unwrap() > 0.0, "{d}");
    assert!(json["checks"]
        .as_array()
        .unwrap()
        .iter()
        .all(|c| c["passed"] == true));
}
