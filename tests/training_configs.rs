//! The shipped training scenarios (issue 12), rendered by the real binary:
//! their numbers against independent computations written here, their
//! explorable figures, byte-for-byte determinism across thread counts, and
//! the work budget refused at `check`.

mod report_files;
use report_files::files;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

const CONFIGS: [&str; 6] = [
    "outliers-fit",
    "training-dynamics",
    "classification",
    "kl-forward-reverse",
    "huber-delta",
    "entropy",
];

fn render_with(config: &str, out: &Path, threads: &str) -> PathBuf {
    let output = Command::cargo_bin("losslab")
        .unwrap()
        .env("RAYON_NUM_THREADS", threads)
        .arg("render")
        .arg(format!("configs/{config}.toml"))
        .arg("--out")
        .arg(out)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{config}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    out.join(config)
}

fn render(config: &str) -> (tempfile::TempDir, PathBuf, Value) {
    let out = tempfile::tempdir().unwrap();
    let dir = render_with(config, out.path(), "2");
    let json = std::fs::read_to_string(dir.join("results.json")).unwrap();
    (out, dir, serde_json::from_str(&json).unwrap())
}

fn quantity(results: &Value, name: &str) -> f64 {
    results["quantities"]
        .as_array()
        .unwrap()
        .iter()
        .find(|q| q["name"] == name)
        .unwrap_or_else(|| panic!("no quantity {name}"))["value"]
        .as_f64()
        .unwrap()
}

fn training<'a>(results: &'a Value, name: &str) -> &'a Value {
    results["trainings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == name)
        .unwrap_or_else(|| panic!("no training {name}"))
}

fn final_parameters(results: &Value, name: &str, member: usize) -> Vec<f64> {
    training(results, name)["members"][member]["history"]["final_parameters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect()
}

/// The points of the series labelled `label` in a figure (or frame) value.
fn series_points(figure: &Value, label: &str) -> Vec<(f64, f64)> {
    let series = figure["panels"][0]["series"].as_array().unwrap();
    let found = series
        .iter()
        .find(|s| s["label"] == label)
        .unwrap_or_else(|| panic!("no series {label}"));
    found["points"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p[0].as_f64().unwrap(), p[1].as_f64().unwrap()))
        .collect()
}

fn explorable<'a>(results: &'a Value, name: &str) -> &'a Value {
    results["explorables"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["name"] == name)
        .unwrap()
}

/// Least squares by the normal equations of y = w x + b (Cramer's rule on
/// the 2 × 2 system, sums taken in order).
fn least_squares(points: &[(f64, f64)]) -> (f64, f64) {
    let n = points.len() as f64;
    let (sx, sy) = points
        .iter()
        .fold((0.0, 0.0), |(a, b), (x, y)| (a + x, b + y));
    let (sxx, sxy) = points
        .iter()
        .fold((0.0, 0.0), |(a, b), (x, y)| (a + x * x, b + x * y));
    let det = n * sxx - sx * sx;
    ((n * sxy - sx * sy) / det, (sxx * sy - sx * sxy) / det)
}

/// The smallest Σ|w x + b − y| over the lines through two data points
/// (an optimal L1 line passes through two of them).
fn best_l1_line(points: &[(f64, f64)]) -> f64 {
    let mut best = f64::INFINITY;
    for (i, &(xi, yi)) in points.iter().enumerate() {
        for &(xj, yj) in &points[i + 1..] {
            if xi == xj {
                continue;
            }
            let w = (yj - yi) / (xj - xi);
            let b = yi - w * xi;
            let total: f64 = points.iter().map(|(x, y)| (w * x + b - y).abs()).sum();
            best = best.min(total);
        }
    }
    best
}

#[test]
fn every_training_config_renders_with_its_trainings_in_the_results() {
    for config in CONFIGS {
        let (_out, dir, results) = render(config);
        assert!(dir.join("index.html").is_file(), "{config}");
        let trained = config != "entropy";
        assert_eq!(results.get("trainings").is_some(), trained, "{config}");
        let html = std::fs::read_to_string(dir.join("index.html")).unwrap();
        assert!(!html.contains("<script"), "{config}");
        // No placeholder is left unfilled in the prose.
        assert!(
            !html.contains("{mse_") && !html.contains("{acc_"),
            "{config}"
        );
    }
}

#[test]
fn least_squares_lines_match_the_normal_equations_and_mae_the_exact_l1_line() {
    let (_out, _dir, results) = render("outliers-fit");
    let frames = explorable(&results, "fitted-lines")["frames"]
        .as_array()
        .unwrap();
    let percents = [0, 5, 10, 15, 20, 25, 30];
    assert_eq!(frames.len(), percents.len());
    for (k, (frame, pct)) in frames.iter().zip(percents).enumerate() {
        let data = series_points(frame, "data");
        assert_eq!(data.len(), 40);
        // The data of frame k has round(k · 5 % · 40) points moved up by 30.
        let moved = data
            .iter()
            .filter(|(x, y)| y - (1.0 + 2.0 * x) > 15.0)
            .count();
        assert_eq!(moved, (pct as f64 * 0.4).round() as usize, "frame {k}");
        let (w, b) = least_squares(&data);
        let fitted = final_parameters(&results, "fit_mse", k);
        assert!(
            (fitted[0] - w).abs() < 1e-10 * w.abs().max(1.0),
            "{fitted:?} vs {w}"
        );
        assert!(
            (fitted[1] - b).abs() < 1e-10 * b.abs().max(1.0),
            "{fitted:?} vs {b}"
        );
        assert_eq!(quantity(&results, &format!("mse_slope_{pct}")), fitted[0]);
        // The MAE fit by IRLS reaches the exact L1 optimum (mean over 40 points).
        let exact = best_l1_line(&data) / 40.0;
        let mae = training(&results, "fit_mae")["members"][k]["final_loss"]
            .as_f64()
            .unwrap();
        assert!(
            mae >= exact - 1e-12 && mae - exact < 1e-7,
            "{mae} vs {exact}"
        );
    }
    // The claim: MSE breaks at once, MAE holds to 30 %.
    assert!((quantity(&results, "mse_slope_30") - 2.0).abs() > 1.0);
    assert!((quantity(&results, "mae_slope_30") - 2.0).abs() < 0.2);
}

#[test]
fn the_forward_kl_normal_is_the_mixture_mean_and_variance() {
    let (_out, _dir, results) = render("kl-forward-reverse");
    // 0.6 N(−2, 0.7²) + 0.4 N(2, 0.7²), written here independently.
    let (w, m, s) = ([0.6, 0.4], [-2.0, 2.0], [0.7, 0.7]);
    let mean: f64 = (0..2).map(|k| w[k] * m[k]).sum();
    let second: f64 = (0..2).map(|k| w[k] * (s[k] * s[k] + m[k] * m[k])).sum();
    let std = (second - mean * mean).sqrt();
    let fitted = final_parameters(&results, "forward", 0);
    assert!((fitted[0] - mean).abs() < 1e-12, "{} vs {mean}", fitted[0]);
    assert!(
        (fitted[1].exp() - std).abs() < 1e-12,
        "{} vs {std}",
        fitted[1].exp()
    );
    assert!((quantity(&results, "p_mean") - mean).abs() < 1e-15);
    assert!((quantity(&results, "p_std") - std).abs() < 1e-15);
    // Mode-seeking: each reverse fit ends on one component, narrow.
    for (name, mode) in [("reverse_left", -2.0), ("reverse_right", 2.0)] {
        let p = final_parameters(&results, name, 0);
        assert!(
            (p[0] - mode).abs() < 0.1 && p[1].exp() < 0.8,
            "{name}: {p:?}"
        );
    }
    // Each fit is better in its own direction than the other fit.
    assert!(quantity(&results, "fwd_kl_pq") < quantity(&results, "left_kl_pq"));
    assert!(quantity(&results, "left_kl_qp") < quantity(&results, "fwd_kl_qp"));
}

#[test]
fn entropy_and_cross_entropy_agree_with_their_definitions() {
    let (_out, _dir, results) = render("entropy");
    let p = [0.9, 0.02, 0.02, 0.02, 0.02, 0.02];
    let u = [1.0 / 6.0; 6];
    let h = |a: &[f64]| -a.iter().map(|x| x * x.ln()).sum::<f64>();
    let cross = |a: &[f64], b: &[f64]| -a.iter().zip(b).map(|(x, y)| x * y.ln()).sum::<f64>();
    let close = |got: f64, want: f64| (got - want).abs() < 1e-12;
    assert!(close(quantity(&results, "h_concentrated"), h(&p)));
    assert!(close(quantity(&results, "h_spread"), 6f64.ln()));
    assert!(close(quantity(&results, "ce_c_s"), cross(&p, &u)));
    assert!(close(quantity(&results, "ce_s_c"), cross(&u, &p)));
    // Cross-entropy = entropy + KL, both ways.
    assert!(close(
        quantity(&results, "ce_c_s"),
        quantity(&results, "h_concentrated") + quantity(&results, "kl_c_s")
    ));
    assert!(close(
        quantity(&results, "ce_s_c"),
        quantity(&results, "h_spread") + quantity(&results, "kl_s_c")
    ));
}

/// Logistic regression by Newton's method, written out: X̃ = (x, 1),
/// g = X̃ᵀ(σ(X̃θ) − y)/n, H = X̃ᵀ diag(σ(1 − σ)) X̃/n, solved by Cramer's rule.
fn logistic_newton(points: &[([f64; 2], f64)]) -> [f64; 3] {
    let mut theta = [0.0; 3];
    let n = points.len() as f64;
    for _ in 0..40 {
        let mut g = [0.0; 3];
        let mut h = [[0.0; 3]; 3];
        for (x, y) in points {
            let row = [x[0], x[1], 1.0];
            let z: f64 = row.iter().zip(&theta).map(|(a, b)| a * b).sum();
            let p = 1.0 / (1.0 + (-z).exp());
            for i in 0..3 {
                g[i] += (p - y) * row[i] / n;
                for j in 0..3 {
                    h[i][j] += p * (1.0 - p) * row[i] * row[j] / n;
                }
            }
        }
        let det = |m: [[f64; 3]; 3]| {
            m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1])
                - m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0])
                + m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0])
        };
        let d = det(h);
        for i in 0..3 {
            let mut m = h;
            (0..3).for_each(|r| m[r][i] = g[r]);
            theta[i] -= det(m) / d;
        }
    }
    theta
}

#[test]
fn logistic_regression_matches_a_hand_coded_newton_and_the_boundary_figure() {
    let (_out, _dir, results) = render("classification");
    let figure = results["figures"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == "boundary-logistic")
        .unwrap();
    let mut points = Vec::new();
    for class in [0.0, 1.0] {
        for (x1, x2) in series_points(figure, &format!("class {class}")) {
            points.push(([x1, x2], class));
        }
    }
    assert_eq!(points.len(), 200);
    let reference = logistic_newton(&points);
    let fitted = final_parameters(&results, "logistic_bce", 0);
    for (got, want) in fitted.iter().zip(&reference) {
        assert!(
            (got - want).abs() < 1e-10 * want.abs().max(1.0),
            "{fitted:?} vs {reference:?}"
        );
    }
    let right = points
        .iter()
        .filter(|(x, y)| {
            let z = reference[0] * x[0] + reference[1] * x[1] + reference[2];
            (z > 0.0) == (*y == 1.0)
        })
        .count();
    assert_eq!(quantity(&results, "acc_logistic"), right as f64 / 200.0);
    // The drawn boundary is the line z = 0 of those parameters.
    for (x1, x2) in series_points(figure, "boundary z = 0") {
        if x1.is_finite() {
            let z = fitted[0] * x1 + fitted[1] * x2 + fitted[2];
            assert!(z.abs() < 1e-9, "z = {z} at ({x1}, {x2})");
        }
    }
    // The network bends around the moons where the line cannot.
    assert!(quantity(&results, "acc_bce") > quantity(&results, "acc_logistic") + 0.05);
}

#[test]
fn huber_moves_from_the_median_to_the_mean() {
    let (_out, dir, results) = render("huber-delta");
    let mean = quantity(&results, "mean");
    let median = quantity(&results, "median");
    // δ = 30 exceeds every residual: Huber is half of MSE, its minimum the mean.
    assert!((quantity(&results, "const_30") - mean).abs() < 1e-10);
    let constants: Vec<f64> = ["0_1", "0_3", "1", "3", "10", "30"]
        .iter()
        .map(|d| quantity(&results, &format!("const_{d}")))
        .collect();
    assert!(constants.windows(2).all(|w| w[0] < w[1]), "{constants:?}");
    assert!((constants[0] - median).abs() < (constants[0] - mean).abs());
    // Three explorable figures, six frames each, every frame drawn.
    for name in ["loss", "constant", "line"] {
        let e = explorable(&results, name);
        assert_eq!(e["control"], "δ");
        assert_eq!(e["frames"].as_array().unwrap().len(), 6);
        for k in 2..=6 {
            assert!(dir.join(format!("figures/{name}-frame-{k}.svg")).is_file());
        }
    }
    // Each frame of the loss figure shows its own δ and the two references.
    let frame = &explorable(&results, "loss")["frames"][3];
    let labels: Vec<&str> = frame["panels"][0]["series"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["label"].as_str().unwrap())
        .collect();
    assert_eq!(labels, ["Huber, δ = 3", "MAE", "MSE"]);
}

#[test]
fn explorable_figures_are_radio_buttons_and_frames_without_script() {
    let (_out, dir, _results) = render("huber-delta");
    let html = std::fs::read_to_string(dir.join("index.html")).unwrap();
    assert!(
        html.contains("content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\"")
    );
    assert!(!html.contains("<script"));
    let figure_start = html.find("<figure id=\"fig-loss\"").unwrap();
    let figure =
        &html[figure_start..figure_start + html[figure_start..].find("</figure>").unwrap()];
    assert_eq!(figure.matches("<input type=\"radio\"").count(), 6);
    assert_eq!(figure.matches("name=\"fig-loss-frame\"").count(), 6);
    assert_eq!(figure.matches(" checked>").count(), 1);
    assert!(figure.contains(
        "id=\"fig-loss-1\" checked><label class=\"explore-button\" for=\"fig-loss-1\">0.1</label>"
    ));
    assert_eq!(figure.matches("<div class=\"explore-frame\">").count(), 6);
    // Radios precede the frames as siblings, so `:checked ~` can reach them.
    let last_radio = figure.rfind("<input type=\"radio\"").unwrap();
    assert!(last_radio < figure.find("explore-frames").unwrap());
    // One rule per frame position, and print shows the first frame.
    for k in 1..=16 {
        assert!(html.contains(&format!(
            ".explore-input:nth-of-type({k}):checked ~ .explore-frames > .explore-frame:nth-child({k})"
        )));
    }
    assert!(html.contains(".explore-frame:first-child { display: block !important; }"));
}

#[test]
fn a_report_without_explorable_figures_has_no_explorable_rules() {
    let (_out, dir, _results) = render("entropy");
    let html = std::fs::read_to_string(dir.join("index.html")).unwrap();
    assert!(!html.contains("explore"));
}

#[test]
fn trainings_render_the_same_bytes_on_one_and_two_threads() {
    for config in ["classification", "kl-forward-reverse", "training-dynamics"] {
        let one = tempfile::tempdir().unwrap();
        let two = tempfile::tempdir().unwrap();
        let a = files(&render_with(config, one.path(), "1"));
        let b = files(&render_with(config, two.path(), "2"));
        assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>());
        for (path, bytes) in &a {
            assert!(bytes == &b[path], "{config}: {} differs", path.display());
        }
    }
}

#[test]
fn check_refuses_a_training_over_the_budget_with_its_count() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("big.toml");
    std::fs::write(
        &config,
        "[metadata]\ntitle = 't'\n\n[[losses]]\nloss = 'mse'\n\n[[trainings]]\nname = 'big'\n\
         model = 'linear'\nloss = 'mse'\nmethod = 'gradient_descent'\nstep = 0.1\n\
         steps = 3000000\ndata = { kind = 'line', points = 100, slope = 1, intercept = 0, noise = 1, seed = 1 }\n",
    )
    .unwrap();
    let output = Command::cargo_bin("losslab")
        .unwrap()
        .arg("check")
        .arg(&config)
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(
            "big.toml: line 13, column 9: trainings[0] (big).steps 3000000 steps × 100 samples = 300000000 exceeds the budget of 200000000"
        ),
        "{stderr}"
    );
}
