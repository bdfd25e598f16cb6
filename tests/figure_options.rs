//! Figure options, data figures, dataset tables, placement and references,
//! each shown working through the real binary: a scenario is rendered into
//! a temporary folder and its SVG, HTML, CSV and results.json are read.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

fn losslab() -> Command {
    Command::cargo_bin("losslab").unwrap()
}

const HEAD: &str = r#"[metadata]
title = "Options"

[[datasets]]
name = "v"
label = "values"
values = [-2.0, 0.0, 0.01, 1.0, 100.0, 1000.0]

[[datasets]]
name = "counts"
values = [0.5, 1.5, 1.5, 2.5, 2.5, 2.5]

[[datasets]]
name = "twelve"
label = "twelve values"
values = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]

[[losses]]
loss = "mse"

[[losses]]
loss = "mae"
"#;

/// A scenario of `HEAD`, `body` and a section placing every figure named.
fn scenario(body: &str, figures: &[&str]) -> String {
    let placed: String = figures
        .iter()
        .map(|f| format!("{{{{figure {f}}}}}\n\n"))
        .collect();
    format!(
        "{HEAD}\n{body}\n[[sections]]\nid = \"s\"\ntitle = \"S\"\nmarkdown = '''\n{placed}'''\n"
    )
}

fn write(dir: &Path, text: &str) -> PathBuf {
    let path = dir.join("case.toml");
    std::fs::write(&path, text).unwrap();
    path
}

/// Render `text`; the report folder.
fn render(dir: &Path, text: &str) -> PathBuf {
    let config = write(dir, text);
    let out = dir.join("out");
    losslab()
        .arg("render")
        .arg(&config)
        .arg("--out")
        .arg(&out)
        .assert()
        .success();
    out.join("case")
}

fn svg(report: &Path, name: &str) -> String {
    std::fs::read_to_string(report.join(format!("figures/{name}.svg"))).unwrap()
}

fn results(report: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(report.join("results.json")).unwrap()).unwrap()
}

/// The text of every `<text>` element of an SVG.
fn texts(svg: &str) -> Vec<String> {
    svg.split("<text")
        .skip(1)
        .filter_map(|t| {
            let start = t.find('>')? + 1;
            let end = t.find("</text>")?;
            Some(t[start..end].trim().to_string())
        })
        .collect()
}

fn check_fails(text: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let config = write(dir.path(), text);
    let output = losslab().arg("check").arg(&config).output().unwrap();
    assert!(!output.status.success(), "check passed:\n{text}");
    String::from_utf8(output.stderr).unwrap()
}

const POINTS_FIGURE: &str = r#"
[[figures]]
name = "p"
kind = "data"
title = ""
caption = ""
alt = "points"
datasets = ["v"]
legend = "none"
"#;

#[test]
fn a_log_axis_has_ticks_at_powers_of_ten_and_draws_no_value_below_or_at_zero() {
    let dir = tempfile::tempdir().unwrap();
    let linear = render(dir.path(), &scenario(POINTS_FIGURE, &["p"]));
    let linear_svg = svg(&linear, "p");
    let body = format!("{POINTS_FIGURE}y_scale = \"log\"\n");
    let dir = tempfile::tempdir().unwrap();
    let log = render(dir.path(), &scenario(&body, &["p"]));
    let log_svg = svg(&log, "p");
    // Each point is a marker and its white halo: 6 points, 4 of them > 0.
    assert_eq!(linear_svg.matches("<circle").count(), 2 * 6);
    assert_eq!(log_svg.matches("<circle").count(), 2 * 4);
    let labels = texts(&log_svg);
    for power in ["10⁻²", "10⁰", "10³"] {
        assert!(labels.iter().any(|l| l == power), "{power} in {labels:?}");
    }
    // Every y tick is a power of ten (x ticks are sample indexes 0–5).
    let y_ticks: Vec<&String> = labels.iter().filter(|l| l.starts_with("10")).collect();
    assert!(y_ticks.len() >= 4, "{labels:?}");
    assert!(
        y_ticks
            .iter()
            .all(|l| l.chars().skip(2).all(|c| "⁰¹²³⁴⁵⁶⁷⁸⁹⁻".contains(c))),
        "{y_ticks:?}"
    );
}

#[test]
fn a_log_range_must_start_above_zero() {
    let body = format!("{POINTS_FIGURE}y_scale = \"log\"\ny_range = [0.0, 10.0]\n");
    let message = check_fails(&scenario(&body, &["p"]));
    assert!(message.contains("figures[0] (p).y_range"), "{message}");
    assert!(
        message.contains("a log axis shows only values > 0"),
        "{message}"
    );
}

#[test]
fn every_annotation_is_drawn() {
    let body = format!(
        "{POINTS_FIGURE}{}",
        r#"vlines = [{ x = 2.0, label = "vline-label" }]
hlines = [{ y = 500.0, label = "hline-label" }]
bands = [{ from = 1.0, to = 3.0, label = "band-label" }, { axis = "y", from = 50.0, to = 60.0 }]
text = [{ x = 4.0, y = 800.0, text = "note-text" }]
arrows = [{ from = [1.0, 700.0], to = [4.0, 1000.0], label = "arrow-label" }]
"#
    );
    let dir = tempfile::tempdir().unwrap();
    let plain = svg(&render(dir.path(), &scenario(POINTS_FIGURE, &["p"])), "p");
    let dir = tempfile::tempdir().unwrap();
    let annotated = svg(&render(dir.path(), &scenario(&body, &["p"])), "p");
    let labels = texts(&annotated);
    for label in [
        "vline-label",
        "hline-label",
        "band-label",
        "note-text",
        "arrow-label",
    ] {
        assert_eq!(labels.iter().filter(|l| *l == label).count(), 1, "{label}");
    }
    // Two band rectangles, the arrow head, dashed reference lines.
    assert!(annotated.matches("<polygon").count() > plain.matches("<polygon").count());
    assert!(
        annotated.matches("<rect").count() >= plain.matches("<rect").count() + 2 + 4,
        "bands and label boxes"
    );
    assert!(annotated.matches("<polyline").count() > plain.matches("<polyline").count() + 2);
    // An annotation outside the plotted range is cut, not pinned to the frame.
    let far = format!("{POINTS_FIGURE}vlines = [{{ x = 99.0, label = \"far-away\" }}]\n");
    let dir = tempfile::tempdir().unwrap();
    let far_svg = svg(&render(dir.path(), &scenario(&far, &["p"])), "p");
    assert!(!texts(&far_svg).iter().any(|l| l == "far-away"));
}

const CURVES: &str = r#"
[[figures]]
name = "c"
kind = "loss_curve"
title = ""
caption = ""
alt = "curves"
losses = ["mse", "mae"]
x = { from = -2.0, to = 2.0, step = 0.01 }
"#;

/// x of the `<text>` showing `label`.
fn text_x(svg: &str, label: &str) -> f64 {
    let element = svg
        .split("<text")
        .skip(1)
        .find(|t| {
            t.find("</text>")
                .is_some_and(|end| t[t.find('>').unwrap() + 1..end].trim() == label)
        })
        .unwrap_or_else(|| panic!("no text {label}"));
    let x = element.split("x=\"").nth(1).unwrap();
    x[..x.find('"').unwrap()].parse().unwrap()
}

fn has_text(svg: &str, label: &str) -> bool {
    texts(svg).iter().any(|t| t == label)
}

#[test]
fn the_legend_goes_where_it_is_asked_and_none_means_none() {
    let run = |legend: &str| {
        let dir = tempfile::tempdir().unwrap();
        let body = format!("{CURVES}legend = \"{legend}\"\n");
        svg(&render(dir.path(), &scenario(&body, &["c"])), "c")
    };
    let top = run("top");
    let right = run("right");
    let none = run("none");
    // The figure is 960 px wide (3840 in SVG units): a top legend is centred
    // over the plot, a right one starts beyond three quarters of the width.
    assert!(text_x(&top, "MSE") < 0.6 * 3840.0);
    assert!(
        text_x(&right, "MSE") > 0.75 * 3840.0,
        "{}",
        text_x(&right, "MSE")
    );
    assert!(
        (text_x(&right, "MSE") - text_x(&right, "MAE")).abs() < 1e-9,
        "stacked"
    );
    assert!(!has_text(&none, "MSE") && !has_text(&none, "MAE"));
}

#[test]
fn series_rules_set_colour_and_label_and_a_rule_must_name_a_series() {
    let body = format!(
        "{CURVES}series = [{{ of = \"mse\", color = \"#123456\", label = \"squared\", dash = \"dotted\" }}]\n"
    );
    let dir = tempfile::tempdir().unwrap();
    let drawn = svg(&render(dir.path(), &scenario(&body, &["c"])), "c");
    assert!(drawn.contains("#123456"));
    assert!(has_text(&drawn, "squared") && !has_text(&drawn, "MSE"));
    let bad = format!("{CURVES}series = [{{ of = \"msee\", color = \"#123456\" }}]\n");
    let message = check_fails(&scenario(&bad, &["c"]));
    assert!(
        message.contains("series[0].of = \"msee\" names no series"),
        "{message}"
    );
    assert!(message.contains("\"mse\""), "{message}");
}

#[test]
fn width_height_and_png_scale_set_the_figure_size() {
    let body = format!("{CURVES}width = 500\naspect = 2.0\npng_scale = 2.0\n");
    let dir = tempfile::tempdir().unwrap();
    let report = render(dir.path(), &scenario(&body, &["c"]));
    assert!(svg(&report, "c").starts_with("<svg width=\"500\" height=\"250\""));
    let png = std::fs::read(report.join("figures/c.png")).unwrap();
    let side = |at: usize| u32::from_be_bytes(png[at..at + 4].try_into().unwrap());
    assert_eq!((side(16), side(20)), (1000, 500));
}

#[test]
fn separate_panels_give_each_loss_its_own_y_range() {
    let body = format!("{CURVES}panels = \"separate\"\n");
    let dir = tempfile::tempdir().unwrap();
    let json = results(&render(dir.path(), &scenario(&body, &["c"])));
    let panels = json["figures"][0]["panels"].as_array().unwrap();
    assert_eq!(panels.len(), 2);
    let top = |p: &Value| p["y_range"][1].as_f64().unwrap();
    // MSE reaches 4 on [−2, 2], MAE 2: each range fits its own loss.
    assert!(top(&panels[0]) > 4.0 && top(&panels[1]) < 2.5, "{panels:?}");
    assert_eq!(panels[0]["x_range"], panels[1]["x_range"]);
}

#[test]
fn a_histogram_counts_values_into_its_bins() {
    let body = r#"
[[figures]]
name = "h"
kind = "histogram"
title = ""
caption = ""
alt = "histogram"
datasets = ["counts"]
bins = 3
x_range = [0.0, 3.0]

[[figures]]
name = "d"
kind = "data"
draw = "histogram"
title = ""
caption = ""
alt = "densities"
datasets = ["counts"]
bins = 3
density = true
x_range = [0.0, 3.0]
"#;
    let dir = tempfile::tempdir().unwrap();
    let json = results(&render(dir.path(), &scenario(body, &["h", "d"])));
    let heights = |figure: usize| -> Vec<f64> {
        let points = json["figures"][figure]["panels"][0]["series"][0]["points"]
            .as_array()
            .unwrap()
            .clone();
        // The outline goes (edge, h), (next edge, h) for each bin.
        points[1..points.len() - 1]
            .iter()
            .step_by(2)
            .map(|p| p[1].as_f64().unwrap())
            .collect()
    };
    assert_eq!(heights(0), [1.0, 2.0, 3.0]);
    assert_eq!(heights(1), [1.0 / 6.0, 2.0 / 6.0, 3.0 / 6.0]);
}

#[test]
fn a_strip_plot_puts_each_dataset_in_its_column() {
    let body = r#"
[[figures]]
name = "s"
kind = "data"
draw = "strip"
title = ""
caption = ""
alt = "strip"
datasets = ["counts", "twelve"]
"#;
    let dir = tempfile::tempdir().unwrap();
    let json = results(&render(dir.path(), &scenario(body, &["s"])));
    let panel = &json["figures"][0]["panels"][0];
    assert_eq!(panel["categories"][1], "twelve values");
    for (column, series) in panel["series"].as_array().unwrap().iter().enumerate() {
        for point in series["points"].as_array().unwrap() {
            let x = point[0].as_f64().unwrap();
            assert!((x - column as f64).abs() < 0.3, "{x} in column {column}");
        }
    }
}

const DATASET_TABLE: &str = r#"
[[tables]]
name = "t"
title = "Twelve"
kind = "dataset"
datasets = ["twelve", "counts"]
rows = 2
digits = 1
"#;

#[test]
fn a_dataset_table_shows_its_ends_and_writes_every_row() {
    let text = format!(
        "{HEAD}{DATASET_TABLE}\n[[sections]]\nid = \"s\"\ntitle = \"S\"\ntables = [\"t\"]\n"
    );
    let dir = tempfile::tempdir().unwrap();
    let report = render(dir.path(), &text);
    let html = std::fs::read_to_string(report.join("index.html")).unwrap();
    let table = &html[html.find("id=\"tab-t\"").unwrap()..];
    let table = &table[..table.find("</table>").unwrap()];
    assert_eq!(table.matches("<tr>").count(), 1 + 2 + 1 + 2, "{table}");
    assert!(
        table.contains("… 8 more rows (all in tables&#x2F;t.csv) …"),
        "{table}"
    );
    assert!(table.contains(">12</td>") && !table.contains(">6</td>"));
    let csv = std::fs::read_to_string(report.join("tables/t.csv")).unwrap();
    assert_eq!(csv.lines().count(), 13);
    assert!(
        csv.starts_with("#,twelve values,counts\n1,1,0.5\n"),
        "{csv}"
    );
}

#[test]
fn placed_items_appear_where_the_text_places_them() {
    let text = format!(
        "{HEAD}{CURVES}{DATASET_TABLE}\n[[sections]]\nid = \"s\"\ntitle = \"S\"\nmarkdown = '''\nAlpha {{ref:t}} and {{ref:c}}.\n\n{{{{figure c}}}}\n\nBeta.\n\n{{{{table t}}}}\n\nGamma.\n'''\n"
    );
    let dir = tempfile::tempdir().unwrap();
    let html = std::fs::read_to_string(render(dir.path(), &text).join("index.html")).unwrap();
    let at = |needle: &str| html.find(needle).unwrap_or_else(|| panic!("{needle}"));
    assert!(at("Alpha") < at("id=\"fig-c\""));
    assert!(at("id=\"fig-c\"") < at("Beta."));
    assert!(at("Beta.") < at("id=\"tab-t\""));
    assert!(at("id=\"tab-t\"") < at("Gamma."));
    assert!(
        html.contains("Alpha <a href=\"#tab-t\">Table 1</a> and <a href=\"#fig-c\">Figure 1</a>.")
    );
}

#[test]
fn references_follow_page_order_and_the_appendix_comes_last() {
    let body = format!(
        "{CURVES}{}",
        r#"
[[figures]]
name = "later"
kind = "data"
title = ""
caption = ""
alt = "later"
datasets = ["twelve"]

[[figures]]
name = "extra"
kind = "histogram"
title = ""
caption = ""
alt = "extra"
datasets = ["twelve"]
appendix = true
"#
    );
    let text = format!(
        "{HEAD}{body}\n[[sections]]\nid = \"one\"\ntitle = \"One\"\nmarkdown = '''\nSee {{ref:later}}, {{ref:c}} and {{ref:extra}}.\n\n{{{{figure c}}}}\n'''\n\n[[sections]]\nid = \"two\"\ntitle = \"Two\"\nfigures = [\"later\"]\n"
    );
    let dir = tempfile::tempdir().unwrap();
    let html = std::fs::read_to_string(render(dir.path(), &text).join("index.html")).unwrap();
    assert!(html.contains(
        "See <a href=\"#fig-later\">Figure 2</a>, <a href=\"#fig-c\">Figure 1</a> and <a href=\"#fig-extra\">Figure 3</a>."
    ), "{html}");
    let caption = |n: usize| html.find(&format!("class=\"label\">Figure {n}.")).unwrap();
    assert!(html.find("id=\"fig-c\"").unwrap() < caption(1));
    assert!(caption(2) < html.find("id=\"appendix\"").unwrap());
    assert!(html.find("id=\"appendix\"").unwrap() < caption(3));
}

#[test]
fn placement_and_reference_mistakes_are_caught_by_check() {
    let unplaced = format!("{HEAD}{CURVES}\n[[sections]]\nid = \"s\"\ntitle = \"S\"\n");
    let message = check_fails(&unplaced);
    assert!(
        message.contains("figures[0] (c) is placed in no section"),
        "{message}"
    );
    let typo = scenario(CURVES, &["cc"]);
    let message = check_fails(&typo);
    assert!(
        message.contains("unknown figure \"cc\" (did you mean \"c\"?)"),
        "{message}"
    );
    let twice = scenario(&format!("{CURVES}appendix = true\n"), &["c"]);
    let message = check_fails(&twice);
    assert!(
        message.contains("appendix is true but a section shows this figure too"),
        "{message}"
    );
    let bad_ref =
        scenario(CURVES, &["c"]).replace("{{figure c}}", "{{figure c}}\n\nSee {ref:nope}.");
    let message = check_fails(&bad_ref);
    assert!(
        message.contains("{ref:nope}: refers to unknown figure or table \"nope\""),
        "{message}"
    );
    let misspelt = scenario(
        &CURVES.replace("title = \"\"", "y_scal = \"log\"\ntitle = \"\""),
        &["c"],
    );
    let message = check_fails(&misspelt);
    assert!(message.contains("did you mean `y_scale`?"), "{message}");
}

#[test]
fn shipped_lecture_renders_with_its_own_data() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    losslab()
        .arg("render")
        .arg("configs/lecture-outliers.toml")
        .arg("--out")
        .arg(&out)
        .assert()
        .success();
    let html = std::fs::read_to_string(out.join("lecture-outliers/index.html")).unwrap();
    assert!(html.contains("<a href=\"#fig-minutes\">Figure 1</a>"));
    assert!(html.contains("… 28 more rows (all in tables&#x2F;deliveries.csv) …"));
    let csv = std::fs::read_to_string(out.join("lecture-outliers/tables/deliveries.csv")).unwrap();
    assert_eq!(csv.lines().count(), 37);
}
