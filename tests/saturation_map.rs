//! The saturation map (`kind = "saturation"`): its cells through the
//! library against the conventions' formulas, the map of
//! `configs/conventions.toml`, and the errors of a badly written one.

use std::path::Path;

use losslab::compute::{compute, FigureData, Panel};
use losslab::scenario::{parse_str, validate};

fn scenario(losses: &str, figure_extra: &str) -> String {
    format!(
        r#"
[metadata]
title = "t"

{losses}

[[figures]]
name = "m"
kind = "saturation"
title = "m"
caption = "c"
alt = "a"
losses = ["k"]
appendix = true
{figure_extra}
"#
    )
}

const KERAS: &str = "[[losses]]\nname = \"k\"\nloss = \"bce\"\nconvention = \"keras\"\n";
const GRID: &str =
    "x = { from = -10.0, to = 10.0, step = 1.0 }\ny = { from = 0.0, to = 1.0, step = 0.5 }";

fn error_of(text: &str) -> String {
    let parsed = parse_str(text, "t.toml").unwrap();
    match validate(&parsed, Path::new("t.toml")) {
        Ok(_) => panic!("should be refused"),
        Err(e) => e.to_string(),
    }
}

fn figure(text: &str) -> FigureData {
    let parsed = parse_str(text, "t.toml").unwrap();
    let valid = validate(&parsed, Path::new("t.toml")).unwrap();
    compute(&valid).unwrap().results.figures.remove(0)
}

/// The cells (lower-left corners' centres) of a panel's series `key`.
fn centres(panel: &Panel, key: &str) -> Vec<(f64, f64)> {
    panel
        .series
        .iter()
        .filter(|s| s.color_key == key)
        .flat_map(|s| {
            s.points
                .chunks_exact(2)
                .map(|c| {
                    (
                        round((c[0].0 + c[1].0) / 2.0),
                        round((c[0].1 + c[1].1) / 2.0),
                    )
                })
                .collect::<Vec<_>>()
        })
        .collect()
}

/// To 1e-9, so that a centre computed from its corners compares equal.
fn round(v: f64) -> f64 {
    (v * 1e9).round() / 1e9
}

fn level_at(panel: &Panel, x: f64, y: f64) -> String {
    let found: Vec<&str> = panel
        .series
        .iter()
        .filter(|s| s.color_key.starts_with("gap:"))
        .filter(|s| {
            s.points.chunks_exact(2).any(|c| {
                ((c[0].0 + c[1].0) / 2.0 - x).abs() < 1e-9
                    && ((c[0].1 + c[1].1) / 2.0 - y).abs() < 1e-9
            })
        })
        .map(|s| s.color_key.as_str())
        .collect();
    assert_eq!(found.len(), 1, "cell ({x}, {y}) in {found:?}");
    found[0].to_string()
}

/// Keras (float64) clips q to [1e-7, 1 − 1e-7] (conventions.md): at
/// |log-odds| ≥ 7 every target is saturated (1/(1 + 10^7) is just below
/// 1e-7), at |log-odds| ≤ 6 none is. The
/// gap at log-odds 0 (q = 1/2) is 0 to the last bits (level 1); at y = 0,
/// log-odds 10 (1 − q ≈ 1e-10) it is log(1e-7/1e-10) ≈ 6.9 (level 6, ≥ 1).
#[test]
fn keras_cells_follow_its_clip() {
    let f = figure(&scenario(KERAS, GRID));
    assert_eq!(f.panels.len(), 1);
    let p = &f.panels[0];
    let saturated = centres(p, "saturated");
    for y in [0.0, 0.5, 1.0] {
        for x in [-10.0, -7.0, 7.0, 10.0] {
            assert!(saturated.contains(&(x, y)), "({x}, {y}) not saturated");
        }
        for x in [-6.0, 0.0, 6.0] {
            assert!(!saturated.contains(&(x, y)), "({x}, {y}) saturated");
        }
    }
    assert_eq!(saturated.len(), 3 * 8);
    assert_eq!(level_at(p, 0.0, 0.5), "gap:1:7");
    assert_eq!(level_at(p, 10.0, 0.0), "gap:6:7");
    // Every level is in the legend, the colour bar of the map.
    let levels = p
        .series
        .iter()
        .filter(|s| s.color_key.starts_with("gap:"))
        .count();
    assert_eq!(levels, 7);
}

/// PyTorch BCELoss clamps the logs only where q is exactly 0 or 1: in
/// float64 q = 1/(1 + 10^−x) is 1 from log-odds 16 on, so only the cells
/// there saturate, and the exact loss is infinite there for y < 1.
#[test]
fn pytorch_saturates_only_at_q_equal_one() {
    let losses = "[[losses]]\nname = \"k\"\nloss = \"bce\"\nconvention = \"pytorch\"\n";
    let grid =
        "x = { from = -18.0, to = 18.0, step = 2.0 }\ny = { from = 0.0, to = 1.0, step = 0.5 }";
    let f = figure(&scenario(losses, grid));
    let p = &f.panels[0];
    let mut saturated = centres(p, "saturated");
    saturated.sort_by(|a, b| a.partial_cmp(b).unwrap());
    assert_eq!(
        saturated,
        vec![
            (16.0, 0.0),
            (16.0, 0.5),
            (16.0, 1.0),
            (18.0, 0.0),
            (18.0, 0.5),
            (18.0, 1.0)
        ],
        "{saturated:?}"
    );
    assert_eq!(level_at(p, 18.0, 0.0), "gap:7:7");
    assert_eq!(level_at(p, 0.0, 0.5), "gap:1:7");
}

/// The map of `configs/conventions.toml`: four BCE panels and the Keras
/// categorical one, each saturated where the conventions say.
#[test]
fn conventions_config_maps() {
    let valid = losslab::scenario::load(Path::new("configs/conventions.toml")).unwrap();
    let computed = compute(&valid).unwrap();
    let map = computed
        .results
        .figures
        .iter()
        .find(|f| f.name == "bce-saturation")
        .unwrap();
    let titles: Vec<&str> = map.panels.iter().map(|p| p.title.as_str()).collect();
    assert_eq!(
        titles,
        [
            "Keras 3 (float32)",
            "tf.keras 2.x",
            "PyTorch BCELoss",
            "scikit-learn log_loss"
        ]
    );
    // The issue's example: q = 1 − 1e-8 (log-odds 8) for a label 0 gets no
    // gradient in Keras: a saturated cell; in PyTorch it does not.
    assert!(centres(&map.panels[0], "saturated").contains(&(8.0, 0.0)));
    assert!(!centres(&map.panels[2], "saturated").contains(&(8.0, 0.0)));
    let cat = computed
        .results
        .figures
        .iter()
        .find(|f| f.name == "categorical-saturation")
        .unwrap();
    assert!(centres(&cat.panels[0], "saturated").contains(&(-10.0, 1.0)));
    // Keras's KL clips to [ε, 1]: the other class keeps its gradient.
    assert!(centres(&cat.panels[1], "saturated").is_empty());
}

#[test]
fn bad_maps_are_refused_with_the_reason() {
    let exact = "[[losses]]\nname = \"k\"\nloss = \"bce\"\n";
    let message = error_of(&scenario(exact, GRID));
    assert!(
        message.contains("figures[0] (m).losses[0]")
            && message.contains(
                "is computed exactly; a saturation map compares a library's convention with the exact loss"
            ),
        "{message}"
    );
    let logits =
        "[[losses]]\nname = \"k\"\nloss = \"bce\"\nconvention = \"keras\"\nfrom_logits = true\n";
    assert!(error_of(&scenario(logits, GRID))
        .contains("does not read its prediction as a probability q"));
    let torch_kl = "[[losses]]\nname = \"k\"\nloss = \"kl\"\nconvention = \"pytorch\"\n";
    assert!(error_of(&scenario(torch_kl, GRID))
        .contains("does not read its prediction as a probability q"));
    let bad_y =
        "x = { from = -1.0, to = 1.0, step = 1.0 }\ny = { from = 0.0, to = 2.0, step = 0.5 }";
    assert!(error_of(&scenario(KERAS, bad_y))
        .contains("figures[0] (m).y holds the targets y, which must lie in [0, 1]; got 0 to 2"));
    let huge =
        "x = { from = -10.0, to = 10.0, step = 0.001 }\ny = { from = 0.0, to = 1.0, step = 0.01 }";
    assert!(error_of(&scenario(KERAS, huge))
        .contains("would draw 2020101 cells (20001 × 101 × 1 loss); the limit is 60000"));
    let no_y = "x = { from = -1.0, to = 1.0, step = 1.0 }";
    assert!(error_of(&scenario(KERAS, no_y)).contains("needs `y` for kind \"saturation\""));
    let stray = format!("{GRID}\nshow = \"both\"");
    assert!(error_of(&scenario(KERAS, &stray)).contains("is not used by kind \"saturation\""));
}
