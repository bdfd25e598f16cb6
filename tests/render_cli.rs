//! End-to-end: the real binary renders scenarios into temporary folders.

mod report_files;
use report_files::files;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

fn losslab() -> Command {
    Command::cargo_bin("losslab").unwrap()
}

fn render(config: &Path, out: &Path) {
    let output = losslab()
        .arg("render")
        .arg(config)
        .arg("--out")
        .arg(out)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}: {}",
        config.display(),
        String::from_utf8_lossy(&output.stderr)
    );
    let stem = config.file_stem().unwrap().to_string_lossy();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains(&format!("{stem}{}index.html", std::path::MAIN_SEPARATOR)),
        "{stdout}"
    );
}

fn article() -> (tempfile::TempDir, PathBuf) {
    let out = tempfile::tempdir().unwrap();
    render(Path::new("configs/article.toml"), out.path());
    let dir = out.path().join("article");
    (out, dir)
}

fn quantity(results: &Value, name: &str) -> f64 {
    results["quantities"]
        .as_array()
        .unwrap()
        .iter()
        .find(|q| q["name"] == name)
        .unwrap_or_else(|| panic!("no quantity {name}"))["value"]
        .as_f64()
        .unwrap_or_else(|| panic!("{name} is not a number"))
}

#[test]
fn article_report_has_every_file() {
    let (_out, dir) = article();
    for name in [
        "original-vs-predicted",
        "huber-delta-02",
        "regression-losses",
        "huber-deltas",
        "best-constant",
        "log-x",
        "log-loss",
        "distributions",
        "normal-kl",
        "hinge",
    ] {
        for ext in ["svg", "png"] {
            let path = dir.join(format!("figures/{name}.{ext}"));
            assert!(path.is_file(), "missing {}", path.display());
        }
    }
    for table in [
        "regression-numbers",
        "best-constants",
        "bce-examples",
        "kl-numbers",
        "normal-kl",
    ] {
        assert!(
            dir.join(format!("tables/{table}.csv")).is_file(),
            "missing table {table}"
        );
    }
    assert!(dir.join("index.html").is_file());
    assert!(dir.join("results.json").is_file());
    // Nothing but the report: no temporary or old folders left beside it.
    let siblings: Vec<_> = std::fs::read_dir(dir.parent().unwrap()).unwrap().collect();
    assert_eq!(siblings.len(), 1);
}

#[test]
fn article_numbers_are_in_results_json() {
    let (_out, dir) = article();
    let results: Value =
        serde_json::from_slice(&std::fs::read(dir.join("results.json")).unwrap()).unwrap();
    let close = |name: &str, expected: f64, tolerance: f64| {
        let got = quantity(&results, name);
        assert!(
            (got - expected).abs() <= tolerance,
            "{name}: {got} vs {expected}"
        );
    };
    close("mse_fig1", 0.75, 1e-15);
    close("mae_fig1", 7.0 / 12.0, 1e-15);
    close("bce_examples", 0.272, 5e-4);
    close("kl_pq", 2.832, 5e-4);
    close("kl_qp", 1.840, 5e-4);
    close("kl_pq_normalised", 1.249, 5e-4);
    close("kl_qp_normalised", 0.892, 5e-4);
    close("kl_pq_bits", 4.085, 5e-4);
    close("p_sum", 2.21, 1e-12);
    close("q_sum", 2.14, 1e-12);
    close("best_mse", 8.75, 0.0);
    close("best_mae", 10.0, 0.0);
    close("best_huber", 10.0 - 1.0 / 3.0, 1e-12);
    for (shift, kl) in [("3", 4.5), ("2", 2.0), ("1", 0.5), ("025", 0.03125)] {
        close(&format!("kl_shift_{shift}"), kl, 1e-15);
        close(&format!("kl_shift_{shift}_num"), kl, 1e-9);
    }
    // The article's BCE values, example by example, to its three decimals.
    let bce = results["quantities"]
        .as_array()
        .unwrap()
        .iter()
        .find(|q| q["name"] == "bce_examples")
        .unwrap();
    let per_sample: Vec<f64> = bce["per_sample"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect();
    let printed = [
        0.357, 0.105, 0.223, 0.223, 0.511, 0.223, 0.105, 0.511, 0.105, 0.357,
    ];
    assert_eq!(per_sample.len(), printed.len());
    for (got, want) in per_sample.iter().zip(printed) {
        assert!((got - want).abs() < 5e-4, "{got} vs {want}");
    }
    // The snippet as printed averages an empty list: NaN as a string, with a warning.
    let empty = results["quantities"]
        .as_array()
        .unwrap()
        .iter()
        .find(|q| q["name"] == "bce_as_printed")
        .unwrap();
    assert_eq!(empty["value"], "NaN");
    assert!(!empty["warnings"].as_array().unwrap().is_empty());
    // The KL rows that do not sum to 1 are flagged by the core; the errata
    // explain them, so they are kept apart from the unexplained warnings.
    assert_eq!(results["warnings"], serde_json::json!([]));
    let warnings = results["explained_warnings"].as_array().unwrap();
    assert!(warnings
        .iter()
        .any(|w| w.as_str().unwrap().contains("sums to 2.21")));
    assert!(warnings
        .iter()
        .any(|w| w.as_str().unwrap().contains("sums to 2.14")));
}

#[test]
fn article_errata_carry_their_evidence() {
    let (_out, dir) = article();
    let results: Value =
        serde_json::from_slice(&std::fs::read(dir.join("results.json")).unwrap()).unwrap();
    let errata = results["errata"].as_array().unwrap();
    let ids: Vec<&str> = errata.iter().map(|e| e["id"].as_str().unwrap()).collect();
    for id in [
        "not-distributions",
        "bits-or-nats",
        "empty-results",
        "sparse-labels",
        "activations",
        "huber-axis",
    ] {
        assert!(ids.contains(&id), "missing erratum {id}");
    }
    let text = |id: &str| {
        let e = errata.iter().find(|e| e["id"] == id).unwrap();
        e["correction"].as_str().unwrap().to_string()
    };
    assert!(
        text("not-distributions").contains("2.21") && text("not-distributions").contains("1.249")
    );
    assert!(text("not-distributions").contains("0.892"));
    assert!(text("bits-or-nats").contains("4.085"));
    assert!(text("empty-results").contains("NaN") && text("empty-results").contains("0.272"));
    let html = std::fs::read_to_string(dir.join("index.html")).unwrap();
    // Evidence numbers have the article's 3 decimals, as its text and tables,
    // and say what they are.
    let errata_html = &html[html.find("id=\"errata\"").expect("no errata section")..];
    for row in [
        "<td>KL(Q‖P) as printed, nats</td><td class=\"num\">1.840</td>",
        "<td>sum of P</td><td class=\"num\">2.210</td>",
        "<td>mean binary cross-entropy of the ten examples</td><td class=\"num\">0.272</td>",
    ] {
        assert!(errata_html.contains(row), "errata lack {row}");
    }
    for number in [
        "0.75", "0.5833", "0.272", "2.832", "1.840", "1.249", "0.892", "4.085", "9.667", "8.75",
    ] {
        assert!(html.contains(number), "index.html lacks {number}");
    }
}

/// Warnings an erratum explains are shown with it, not in a box that opens
/// the report; a warning nothing explains still opens it.
#[test]
fn only_unexplained_warnings_open_the_report() {
    let (_out, dir) = article();
    let html = std::fs::read_to_string(dir.join("index.html")).unwrap();
    assert!(
        !html.contains("class=\"warnings\""),
        "article has a warnings box"
    );
    // The errata still quote them.
    assert!(html.contains("sums to 2.21"));

    let out = tempfile::tempdir().unwrap();
    render(
        Path::new("tests/fixtures/valid/unexplained_warning.toml"),
        out.path(),
    );
    let html = std::fs::read_to_string(out.path().join("unexplained_warning/index.html")).unwrap();
    let start = html
        .find("class=\"warnings\"")
        .expect("no warnings box for an unexplained warning");
    assert!(
        html[start..].contains("sums to 2.21"),
        "box lacks the warning"
    );
}

#[test]
fn report_structure_and_no_remote_resources() {
    let (_out, dir) = article();
    let html = std::fs::read_to_string(dir.join("index.html")).unwrap();
    assert!(!html.contains("<script"), "script in report");
    for attr in [
        "src=\"http",
        "href=\"http",
        "src='http",
        "href='http",
        "url(http",
        "@import",
    ] {
        assert!(!html.contains(attr), "remote reference {attr}");
    }
    assert!(html.matches("<svg").count() >= 10, "figures are not inline");
    assert!(html.contains("<math"), "no MathML formulas");
    assert!(html.contains("<table"), "no tables");
    assert!(
        html.contains("25 fives and 75 tens, fitted by one constant"),
        "figure title missing"
    );
    assert!(
        html.contains("not-distributions") || html.contains("2.21"),
        "errata missing"
    );
}

#[test]
fn two_renders_are_byte_identical() {
    let (_a, first) = article();
    let (_b, second) = article();
    let (one, two) = (files(&first), files(&second));
    assert_eq!(
        one.keys().collect::<Vec<_>>(),
        two.keys().collect::<Vec<_>>()
    );
    for (path, bytes) in &one {
        assert!(
            bytes == &two[path],
            "{} differs between renders",
            path.display()
        );
    }
}

#[test]
fn rendering_again_replaces_the_report() {
    let out = tempfile::tempdir().unwrap();
    render(Path::new("tests/fixtures/valid/minimal.toml"), out.path());
    let stale = out.path().join("minimal/stale.txt");
    std::fs::write(&stale, "old").unwrap();
    render(Path::new("tests/fixtures/valid/minimal.toml"), out.path());
    assert!(!stale.exists());
    let names: Vec<String> = std::fs::read_dir(out.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, vec!["minimal"]);
}

#[test]
fn every_shipped_config_and_valid_fixture_renders() {
    let out = tempfile::tempdir().unwrap();
    let mut configs = Vec::new();
    for dir in ["configs", "tests/fixtures/valid"] {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "toml") {
                configs.push(path);
            }
        }
    }
    assert!(configs.len() >= 3);
    for config in &configs {
        render(config, out.path());
    }
}

#[test]
fn scenario_text_is_escaped() {
    let out = tempfile::tempdir().unwrap();
    render(
        Path::new("tests/fixtures/valid/everything.toml"),
        out.path(),
    );
    let html = std::fs::read_to_string(out.path().join("everything/index.html")).unwrap();
    assert!(!html.contains("<script>alert"));
    assert!(!html.contains("<b>escaped</b>"));
    let results: Value =
        serde_json::from_slice(&std::fs::read(out.path().join("everything/results.json")).unwrap())
            .unwrap();
    assert!((quantity(&results, "weighted") - 0.4 / 1.8).abs() < 1e-12);
}

#[test]
fn check_writes_nothing() {
    let work = tempfile::tempdir().unwrap();
    let config = std::fs::canonicalize("configs/article.toml").unwrap();
    losslab()
        .current_dir(work.path())
        .arg("check")
        .arg(&config)
        .assert()
        .success()
        .stdout(predicates::str::contains(": OK ("));
    assert_eq!(std::fs::read_dir(work.path()).unwrap().count(), 0);
}

#[test]
fn new_writes_a_starter_that_renders_and_is_not_overwritten() {
    let work = tempfile::tempdir().unwrap();
    losslab()
        .current_dir(work.path())
        .args(["new", "my_lesson"])
        .assert()
        .success();
    let config = work.path().join("my_lesson.toml");
    assert!(config.is_file());
    losslab()
        .current_dir(work.path())
        .args(["check", "my_lesson.toml"])
        .assert()
        .success();
    losslab()
        .current_dir(work.path())
        .args(["render", "my_lesson.toml", "--out", "out"])
        .assert()
        .success();
    assert!(work.path().join("out/my_lesson/index.html").is_file());
    let before = std::fs::read(&config).unwrap();
    losslab()
        .current_dir(work.path())
        .args(["new", "my_lesson"])
        .assert()
        .failure()
        .stderr(predicates::str::contains(
            "my_lesson.toml already exists; not overwriting it",
        ));
    assert_eq!(std::fs::read(&config).unwrap(), before);
}

#[test]
fn templates_folder_overrides_by_name_and_a_broken_one_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let templates = dir.path().join("templates");
    std::fs::create_dir(&templates).unwrap();
    std::fs::write(
        templates.join("toc.html"),
        "<nav class=\"toc\">Course contents:{% for entry in toc %} {{ entry.title }};{% endfor %}</nav>\n",
    )
    .unwrap();
    let out = dir.path().join("out");
    let output = losslab()
        .args(["render", "tests/fixtures/valid/minimal.toml", "--templates"])
        .arg(&templates)
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let html = std::fs::read_to_string(out.join("minimal/index.html")).unwrap();
    assert!(
        html.contains("Course contents:"),
        "the user's toc.html wins"
    );
    assert!(
        !html.contains("id=\"toc-title\""),
        "the embedded toc.html is replaced"
    );

    std::fs::write(templates.join("toc.html"), "{% for entry in toc %}").unwrap();
    let broken = dir.path().join("broken");
    let output = losslab()
        .args(["render", "tests/fixtures/valid/minimal.toml", "--templates"])
        .arg(&templates)
        .arg("--out")
        .arg(&broken)
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.starts_with("error:") && stderr.contains("toc.html"),
        "{stderr}"
    );
    assert!(
        !broken.join("minimal").exists(),
        "no report after a failed render"
    );
}

/// `new` refuses names that are not safe folder names; a scenario file whose
/// stem is not one still renders into a safe folder inside `--out`.
#[test]
fn unsafe_scenario_names_never_leave_the_output_folder() {
    let work = tempfile::tempdir().unwrap();
    losslab()
        .current_dir(work.path())
        .args(["new", "Bad Name"])
        .assert()
        .failure()
        .stderr(predicates::str::contains(
            "\"Bad Name\" is not a usable scenario name: use letters, digits, '_' and '-', starting with a letter or digit (for example \"Bad-Name\")",
        ));
    assert_eq!(std::fs::read_dir(work.path()).unwrap().count(), 0);

    std::fs::copy(
        "tests/fixtures/valid/minimal.toml",
        work.path().join("Bad Name.toml"),
    )
    .unwrap();
    losslab()
        .current_dir(work.path())
        .args(["render", "Bad Name.toml", "--out", "out"])
        .assert()
        .success();
    let made: Vec<String> = std::fs::read_dir(work.path().join("out"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(made, vec!["Bad-Name".to_string()]);
    assert!(work.path().join("out/Bad-Name/index.html").is_file());
}
