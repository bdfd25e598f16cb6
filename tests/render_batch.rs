//! Batch rendering through the real binary: a folder or many files, in
//! parallel, one bad scenario never stopping the others, a landing page and
//! summaries beside the reports that never replace a user's file.

mod report_files;
use report_files::files;
use std::fs;
use std::path::Path;

use assert_cmd::Command;
use serde_json::Value;

const MINIMAL: &str = "tests/fixtures/valid/minimal.toml";
const BAD: &str = "tests/fixtures/invalid/unknown_loss.toml";

fn losslab() -> Command {
    Command::cargo_bin("losslab").unwrap()
}

/// `count` generated scenarios in `dir`, by the benchmark's own generator.
fn generate(dir: &Path, count: usize) {
    let status = std::process::Command::new("bash")
        .arg("bench/make_batch.sh")
        .arg(dir)
        .arg(count.to_string())
        .status()
        .unwrap();
    assert!(status.success());
}

fn render_folder(configs: &Path, out: &Path, jobs: &str) -> std::process::Output {
    losslab()
        .arg("render")
        .arg(configs)
        .arg("--out")
        .arg(out)
        .args(["--jobs", jobs])
        .output()
        .unwrap()
}

/// The same folder gives the same bytes, reports and landing files alike,
/// with one thread or several, and the lines come in the given order.
#[test]
fn the_thread_count_changes_no_byte() {
    let work = tempfile::tempdir().unwrap();
    let configs = work.path().join("configs");
    generate(&configs, 6);
    let mut outputs = Vec::new();
    for jobs in ["1", "2", "4"] {
        let out = work.path().join(format!("out-{jobs}"));
        let output = render_folder(&configs, &out, jobs);
        assert!(output.status.success(), "{output:?}");
        let stdout = String::from_utf8(output.stdout).unwrap();
        let order: Vec<&str> = stdout
            .lines()
            .filter_map(|line| {
                line.split_once(": report written")
                    .map(|(config, _)| config)
            })
            .collect();
        let expected: Vec<String> = (1..=6)
            .map(|i| {
                configs
                    .join(format!("batch-{i:03}.toml"))
                    .display()
                    .to_string()
            })
            .collect();
        assert_eq!(order, expected, "{stdout}");
        outputs.push(files(&out));
    }
    // Per report: marker, index.html, results.json, two figures as SVG and PNG.
    assert_eq!(outputs[0].len(), 6 * 7 + 4, "{:?}", outputs[0].keys());
    assert!(outputs[0] == outputs[1] && outputs[1] == outputs[2]);
}

/// A bad scenario is listed with its error; the others are rendered; the exit status is 1.
#[test]
fn one_bad_scenario_does_not_stop_the_others() {
    let work = tempfile::tempdir().unwrap();
    let configs = work.path().join("configs");
    generate(&configs, 2);
    fs::copy(BAD, configs.join("bad.toml")).unwrap();
    let out = work.path().join("out");
    let output = render_folder(&configs, &out, "2");
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(
        stderr.contains("unknown loss \"hubber\"")
            && stderr.ends_with(&format!(
                "error: 1 of 3 scenarios could not be rendered: {}\n",
                configs.join("bad.toml").display()
            )),
        "{stderr}"
    );
    for name in ["batch-001", "batch-002"] {
        assert!(out.join(name).join("index.html").is_file());
    }
    assert!(!out.join("bad").exists());

    let summary: Value =
        serde_json::from_slice(&fs::read(out.join("summary.json")).unwrap()).unwrap();
    let statuses: Vec<(&str, &str)> = summary["reports"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["folder"].as_str().unwrap(), r["status"].as_str().unwrap()))
        .collect();
    assert_eq!(
        statuses,
        vec![
            ("bad", "failed"),
            ("batch-001", "rendered"),
            ("batch-002", "rendered")
        ]
    );
    assert!(summary["reports"][0]["error"]
        .as_str()
        .unwrap()
        .contains("did you mean \"huber\""));

    let landing = fs::read_to_string(out.join("index.html")).unwrap();
    assert!(landing.contains("Content-Security-Policy"));
    assert!(landing.contains("<a href=\"batch-001&#x2F;index.html\">Generated scenario 1</a>"));
    assert!(landing.contains("<p class=\"summary\">Scenario 2 of 2.</p>"));
    assert!(landing.contains("did you mean &quot;huber&quot;"));
    assert!(landing.contains("2 reports rendered, 1 scenario failed."));
    assert!(!landing.contains("<script"));
}

/// Titles and intros are escaped on the landing page as in the reports.
#[test]
fn the_landing_page_escapes_scenario_text() {
    let work = tempfile::tempdir().unwrap();
    let text = fs::read_to_string(MINIMAL).unwrap().replace(
        "title = \"Minimal\"",
        "title = \"<script>alert(1)</script>\"\nintro = \"It <b>bolds</b> & more. Second.\"",
    );
    fs::write(work.path().join("a.toml"), &text).unwrap();
    fs::copy(MINIMAL, work.path().join("b.toml")).unwrap();
    let out = work.path().join("out");
    losslab()
        .current_dir(work.path())
        .args(["render", "a.toml", "b.toml", "--out", "out"])
        .assert()
        .success();
    let landing = fs::read_to_string(out.join("index.html")).unwrap();
    assert!(!landing.contains("<script>alert"));
    assert!(landing.contains("&lt;script&gt;alert(1)&lt;&#x2F;script&gt;"));
    assert!(landing.contains("It bolds &amp; more."), "{landing}");
}

/// One scenario writes no landing page: the output folder holds its report only.
#[test]
fn a_single_scenario_writes_no_landing_page() {
    let out = tempfile::tempdir().unwrap();
    losslab()
        .arg("render")
        .arg(MINIMAL)
        .arg("--out")
        .arg(out.path())
        .assert()
        .success();
    let names: Vec<String> = fs::read_dir(out.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, vec!["minimal"]);
}

/// A user's index.html, summary.csv or summary.json in the output folder is
/// never overwritten; the reports are still written; the exit status is 1.
#[test]
fn a_users_index_html_is_never_overwritten() {
    for name in ["index.html", "summary.csv", "summary.json"] {
        let work = tempfile::tempdir().unwrap();
        fs::copy(MINIMAL, work.path().join("a.toml")).unwrap();
        fs::copy(MINIMAL, work.path().join("b.toml")).unwrap();
        let out = work.path().join("out");
        fs::create_dir(&out).unwrap();
        fs::write(out.join(name), "my own page").unwrap();
        let output = losslab()
            .current_dir(work.path())
            .args(["render", "a.toml", "b.toml", "--out", "out"])
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(1), "{output:?}");
        let stderr = String::from_utf8(output.stderr).unwrap();
        assert!(
            stderr.contains(name) && stderr.contains("was not written by losslab"),
            "{stderr}"
        );
        assert_eq!(fs::read_to_string(out.join(name)).unwrap(), "my own page");
        assert!(out.join("a/index.html").is_file() && out.join("b/index.html").is_file());
    }
}

/// A second render replaces the landing files losslab wrote.
#[test]
fn the_landing_page_is_replaced_by_the_next_render() {
    let work = tempfile::tempdir().unwrap();
    fs::copy(MINIMAL, work.path().join("a.toml")).unwrap();
    fs::copy(MINIMAL, work.path().join("b.toml")).unwrap();
    let render = |configs: &[&str]| {
        losslab()
            .current_dir(work.path())
            .arg("render")
            .args(configs)
            .args(["--out", "out"])
            .assert()
            .success();
        fs::read_to_string(work.path().join("out/index.html")).unwrap()
    };
    let first = render(&["a.toml", "b.toml"]);
    fs::copy(MINIMAL, work.path().join("c.toml")).unwrap();
    let second = render(&["a.toml", "b.toml", "c.toml"]);
    assert!(!first.contains("c&#x2F;index.html") && second.contains("c&#x2F;index.html"));
}

/// `--templates` overrides the landing page by name, like the reports' templates.
#[test]
fn the_landing_template_can_be_overridden() {
    let work = tempfile::tempdir().unwrap();
    fs::copy(MINIMAL, work.path().join("a.toml")).unwrap();
    fs::copy(MINIMAL, work.path().join("b.toml")).unwrap();
    fs::create_dir(work.path().join("templates")).unwrap();
    fs::write(
        work.path().join("templates/landing.html"),
        "{% for report in reports %}[{{ report.title }} {{ report.href }}]{% endfor %}",
    )
    .unwrap();
    losslab()
        .current_dir(work.path())
        .args([
            "render",
            "a.toml",
            "b.toml",
            "--out",
            "out",
            "--templates",
            "templates",
        ])
        .assert()
        .success();
    assert_eq!(
        fs::read_to_string(work.path().join("out/index.html")).unwrap(),
        "[Minimal a&#x2F;index.html][Minimal b&#x2F;index.html]"
    );
}

/// `--jobs 0` is refused by the argument parser, naming the argument.
#[test]
fn zero_jobs_is_refused() {
    let output = losslab()
        .args(["render", MINIMAL, "--jobs", "0"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("--jobs"));
}
