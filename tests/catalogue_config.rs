//! End-to-end: `configs/catalogue.toml` renders, draws every loss of the
//! catalogue with its derivative, shows every formula, and its table numbers
//! match values computed independently (by hand and with Python).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

const CONFIG: &str = "configs/catalogue.toml";

/// Render the catalogue into a fresh temporary folder; returns the folder
/// (kept alive by the caller) and the report directory inside it.
fn render() -> (tempfile::TempDir, PathBuf) {
    let out = tempfile::tempdir().unwrap();
    let output = Command::cargo_bin("losslab")
        .unwrap()
        .arg("render")
        .arg(CONFIG)
        .arg("--out")
        .arg(out.path())
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{CONFIG}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let dir = out.path().join("catalogue");
    assert!(dir.join("index.html").is_file());
    (out, dir)
}

fn results(dir: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(dir.join("results.json")).unwrap()).unwrap()
}

fn array<'a>(value: &'a Value, key: &str) -> &'a Vec<Value> {
    value[key]
        .as_array()
        .unwrap_or_else(|| panic!("`{key}` is not an array in {value}"))
}

fn quantity<'a>(results: &'a Value, name: &str) -> &'a Value {
    array(results, "quantities")
        .iter()
        .find(|q| q["name"] == name)
        .unwrap_or_else(|| panic!("no quantity {name}"))
}

fn value(results: &Value, name: &str) -> f64 {
    quantity(results, name)["value"]
        .as_f64()
        .unwrap_or_else(|| panic!("{name} is not a number"))
}

fn per_sample(results: &Value, name: &str) -> Vec<f64> {
    array(quantity(results, name), "per_sample")
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect()
}

fn close(got: f64, want: f64, name: &str) {
    assert!(
        (got - want).abs() <= 1e-12 * want.abs().max(1.0),
        "{name}: got {got}, expected {want}"
    );
}

/// The canonical loss of a series: its colour key without a sweep suffix
/// (`quantile:1` is the second member of a quantile sweep).
fn series_loss(series: &Value) -> String {
    let key = series["color_key"].as_str().unwrap();
    key.split(':').next().unwrap().to_string()
}

#[test]
fn every_catalogue_loss_is_drawn_with_its_derivative() {
    let (_out, dir) = render();
    let results = results(&dir);
    let figures = array(&results, "figures");
    assert!(!figures.is_empty());

    let mut drawn = BTreeSet::new();
    let mut with_derivative = BTreeSet::new();
    for figure in figures {
        let name = figure["name"].as_str().unwrap();
        let mut has_derivative = false;
        for panel in array(figure, "panels") {
            let derivative_panel = panel["y_label"]
                .as_str()
                .is_some_and(|l| l.contains("derivative"));
            for series in array(panel, "series") {
                let loss = series_loss(series);
                let derivative_series = derivative_panel
                    || series["label"]
                        .as_str()
                        .is_some_and(|l| l.starts_with("derivative of"));
                let points = array(series, "points");
                assert!(points.len() > 50, "{name}: {loss} has few points");
                // Ranges are chosen inside each loss's domain: every point is finite.
                let finite = points
                    .iter()
                    .filter(|p| p[0].as_f64().is_some() && p[1].as_f64().is_some())
                    .count();
                assert_eq!(finite, points.len(), "{name}: {loss} has non-finite points");
                if derivative_series {
                    has_derivative = true;
                    with_derivative.insert(loss.clone());
                    // Not flattened to nothing: the derivative varies or is a non-zero constant.
                    let ys: Vec<f64> = points.iter().map(|p| p[1].as_f64().unwrap()).collect();
                    assert!(
                        ys.iter().any(|y| y.abs() > 1e-9),
                        "{name}: derivative of {loss} is zero everywhere"
                    );
                }
                drawn.insert(loss);
            }
        }
        assert!(has_derivative, "figure {name} has no derivative series");
    }

    let catalogue: BTreeSet<String> = losslab::loss::catalogue()
        .iter()
        .map(|info| info.name.to_string())
        .collect();
    let missing: Vec<_> = catalogue.difference(&drawn).collect();
    assert!(missing.is_empty(), "losses in no figure: {missing:?}");
    let missing: Vec<_> = catalogue.difference(&with_derivative).collect();
    assert!(
        missing.is_empty(),
        "losses without a derivative: {missing:?}"
    );
}

#[test]
fn every_catalogue_formula_is_shown() {
    let (_out, dir) = render();
    let results = results(&dir);
    let formulas: BTreeSet<&str> = array(&results, "sections")
        .iter()
        .flat_map(|s| array(s, "formulas").iter().map(|f| f.as_str().unwrap()))
        .collect();
    for info in losslab::loss::catalogue() {
        assert!(
            formulas
                .iter()
                .any(|f| f.ends_with(&format!(" = {}", info.latex))),
            "formula of {} is in no section",
            info.name
        );
    }
    // Every figure is placed in a section and inlined in the page.
    let html = std::fs::read_to_string(dir.join("index.html")).unwrap();
    let placed: BTreeSet<&str> = array(&results, "sections")
        .iter()
        .flat_map(|s| array(s, "figures").iter().map(|f| f.as_str().unwrap()))
        .collect();
    for figure in array(&results, "figures") {
        let name = figure["name"].as_str().unwrap();
        assert!(placed.contains(name), "figure {name} is in no section");
        assert!(dir.join(format!("figures/{name}.png")).is_file());
        let title = figure["title"].as_str().unwrap();
        assert!(html.contains(title), "index.html lacks the title {title}");
    }
    assert!(html.matches("<svg").count() >= array(&results, "figures").len());
}

#[test]
fn table_numbers_match_independent_values() {
    let (_out, dir) = render();
    let results = results(&dir);
    let ln = f64::ln;

    // Residuals ŷ − y = (0.5, −1, 0, 2); squared (0.25, 1, 0, 4).
    close(value(&results, "reg_mae"), 3.5 / 4.0, "reg_mae");
    close(value(&results, "reg_mse"), 5.25 / 4.0, "reg_mse");
    // Sample weights (1, 2, 1, 0.5): weighted squares (0.25, 2, 0, 2), sum 4.25,
    // total weight 4.5.
    assert_eq!(
        per_sample(&results, "reg_mse_weighted_mean"),
        vec![0.25, 2.0, 0.0, 2.0]
    );
    close(
        value(&results, "reg_mse_weighted_mean"),
        17.0 / 18.0,
        "weighted_mean",
    );
    close(
        value(&results, "reg_mse_weighted_plain_mean"),
        4.25 / 4.0,
        "mean with weights",
    );
    close(value(&results, "reg_mse_weighted_sum"), 4.25, "sum");
    // Huber δ = 1: (0.125, 0.5, 0, 1.5); Smooth L1 β = 1 is the same.
    close(value(&results, "reg_huber"), 2.125 / 4.0, "reg_huber");
    close(
        value(&results, "reg_smooth_l1"),
        2.125 / 4.0,
        "reg_smooth_l1",
    );
    // Smooth L1 β = 0.5: (0.25, 0.75, 0, 1.75).
    close(
        value(&results, "reg_smooth_l1_half"),
        2.75 / 4.0,
        "smooth_half",
    );
    // Pinball on u = y − ŷ = (−0.5, 1, 0, −2): τ = 0.9 gives (0.05, 0.9, 0, 0.2).
    close(
        value(&results, "reg_quantile_09"),
        1.15 / 4.0,
        "pinball 0.9",
    );
    close(
        value(&results, "reg_quantile_01"),
        2.35 / 4.0,
        "pinball 0.1",
    );
    // MAPE: 50 %, 50 %, 0 %, 50 %.
    close(value(&results, "reg_mape"), 37.5, "reg_mape");

    // Poisson: q − y ln q on y = (0, 1, 3), q = (0.5, 1, 2); same with log rates.
    let poisson = (0.5 + 1.0 + 2.0 - 3.0 * ln(2.0)) / 3.0;
    close(value(&results, "count_poisson"), poisson, "poisson");
    assert!((value(&results, "count_poisson_log") - poisson).abs() < 1e-12);

    // Binary focal, γ = 2: Σ (1 − p_t)² (−ln p_t) / 4, p_t = (0.9, 0.8, 0.4, 0.3).
    let focal: f64 = [0.9f64, 0.8, 0.4, 0.3]
        .iter()
        .map(|&p| (1.0 - p).powi(2) * -ln(p))
        .sum::<f64>()
        / 4.0;
    close(value(&results, "bin_focal"), focal, "bin_focal");

    // Class weights (1, 2, 0.5), weighted_mean: divided by Σ w_t = 3.5.
    let weighted = (-ln(0.7) - 2.0 * ln(0.6) - 0.5 * ln(0.5)) / 3.5;
    close(
        value(&results, "cat_cce_weighted"),
        weighted,
        "class weights",
    );
    close(
        value(&results, "cat_scce"),
        -(ln(0.7) + ln(0.6) + ln(0.5)) / 3.0,
        "cat_scce",
    );
    // ignore_index = 2: the third sample counts for nothing and is not counted.
    close(
        value(&results, "cat_scce_ignore"),
        -(ln(0.7) + ln(0.6)) / 2.0,
        "ignore_index",
    );
    assert_eq!(per_sample(&results, "cat_scce_ignore")[2], 0.0);
    // Categorical hinge on scores: margins violated by 0, 0.8 and 2.
    close(value(&results, "cat_hinge_value"), 2.8 / 3.0, "cat_hinge");

    // Jensen–Shannon between (0.5, 0.3, 0.2) and (0.4, 0.4, 0.2) (Python: 0.006367198333995731).
    let kl = |p: &[f64], q: &[f64]| -> f64 {
        p.iter()
            .zip(q)
            .filter(|(a, _)| **a > 0.0)
            .map(|(a, b)| a * ln(a / b))
            .sum()
    };
    let (p, q) = ([0.5, 0.3, 0.2], [0.4, 0.4, 0.2]);
    let m = [0.45, 0.35, 0.2];
    close(value(&results, "div_kl"), kl(&p, &q), "div_kl");
    let js = 0.5 * kl(&p, &m) + 0.5 * kl(&q, &m);
    assert!((value(&results, "div_js") - js).abs() < 1e-15);
    assert!((js - 0.006_367_198_333_995_731).abs() < 1e-15);

    // Hinge on margins (2, 0.5, 0.3, −0.8): (0, 0.5, 0.7, 1.8) and their squares.
    close(value(&results, "margin_hinge"), 0.75, "hinge");
    close(
        value(&results, "margin_squared_hinge"),
        0.995,
        "squared_hinge",
    );

    // No quantity is NaN or warned about, and the page quotes the key numbers.
    for q in array(&results, "quantities") {
        assert!(q["value"].as_f64().is_some(), "{q}");
        assert!(array(q, "warnings").is_empty(), "{q}");
    }
    let html = std::fs::read_to_string(dir.join("index.html")).unwrap();
    for number in ["0.944444", "0.492829", "0.433750", "37.5"] {
        assert!(html.contains(number), "index.html lacks {number}");
    }
}
