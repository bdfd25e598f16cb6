//! What an adversarial pass over `render`, `check`, `eval` and `new` found
//! (issue 8), one test per finding, through the real binary.

use std::fs;
use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use assert_cmd::Command;

const MINIMAL: &str = "tests/fixtures/valid/minimal.toml";
const MARKER: &str = ".losslab-report";

fn losslab() -> Command {
    Command::cargo_bin("losslab").unwrap()
}

fn stderr_of(cmd: &mut Command) -> String {
    let output = cmd.output().unwrap();
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    String::from_utf8(output.stderr).unwrap()
}

/// Item 1: `mkdir -p out/m && echo x > out/m/thesis.tex && render m.toml --out out`
/// deleted thesis.tex; `render src.toml --out .` would have deleted `./src`.
#[test]
fn render_never_replaces_a_folder_that_is_not_a_report() {
    let work = tempfile::tempdir().unwrap();
    for (config, out) in [("m.toml", "out"), ("src.toml", ".")] {
        let stem = config.trim_end_matches(".toml");
        let folder = work.path().join(out).join(stem);
        fs::create_dir_all(&folder).unwrap();
        fs::write(folder.join("thesis.tex"), "x").unwrap();
        fs::copy(MINIMAL, work.path().join(config)).unwrap();
        let stderr = stderr_of(
            losslab()
                .current_dir(work.path())
                .args(["render", config, "--out", out]),
        );
        assert!(
            stderr.contains("is not a losslab report") && stderr.contains(stem),
            "{stderr}"
        );
        assert_eq!(fs::read_to_string(folder.join("thesis.tex")).unwrap(), "x");
        assert_eq!(fs::read_dir(&folder).unwrap().count(), 1);
    }
    // Nothing else was left in the output folder either.
    let left: Vec<String> = fs::read_dir(work.path().join("out"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(left, vec!["m"]);
}

/// A report written by losslab is replaced by the next render: the marker says so.
#[test]
fn a_report_is_replaced_and_carries_the_marker() {
    let out = tempfile::tempdir().unwrap();
    for _ in 0..2 {
        losslab()
            .args(["render", MINIMAL, "--out"])
            .arg(out.path())
            .assert()
            .success();
    }
    let report = out.path().join("minimal");
    assert!(report.join(MARKER).is_file());
    assert!(report.join("index.html").is_file());
    let names: Vec<String> = fs::read_dir(out.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, vec!["minimal"]);
}

/// Item 4: Devices were read until memory ran out.
#[cfg(unix)]
#[test]
fn devices_are_refused_wherever_a_file_is_read() {
    let stderr = stderr_of(losslab().args(["check", "/dev/zero"]));
    assert!(
        stderr.starts_with("error: /dev/zero: cannot read the file: not a regular file"),
        "{stderr}"
    );
    let stderr = stderr_of(losslab().args([
        "eval",
        "--loss",
        "mse",
        "--target",
        "@/dev/zero",
        "--prediction",
        "1",
    ]));
    assert!(
        stderr.contains("--target: cannot read file `/dev/zero`")
            && stderr.contains("not a regular file"),
        "{stderr}"
    );
}

/// Item 4: A scenario larger than the in-memory cap is refused with the limit named.
#[test]
fn a_huge_scenario_is_refused_naming_the_limit() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.toml");
    let mut text = String::from("[metadata]\ntitle = 't'\n");
    text.push_str(&"# padding padding padding padding padding padding padding\n".repeat(300_000));
    fs::write(&path, text).unwrap();
    let stderr = stderr_of(losslab().arg("check").arg(&path));
    assert!(
        stderr.contains("larger than the limit of 16 MiB (16777216 bytes)"),
        "{stderr}"
    );
}

/// Item 5: `kill -9` during renders left `.NAME.old-PID` folders, later renders
/// failed on them, and one kill in 20 left no report at all. Now the report
/// is in place, complete, after a kill at any moment, and the next render
/// leaves nothing else behind.
#[cfg(unix)]
#[test]
fn a_killed_render_never_leaves_the_report_absent() {
    let out = tempfile::tempdir().unwrap();
    let binary = assert_cmd::cargo::cargo_bin("losslab");
    let render = || {
        std::process::Command::new(&binary)
            .args(["render", MINIMAL, "--out"])
            .arg(out.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap()
    };
    assert!(render().wait().unwrap().success());
    let report = out.path().join("minimal");
    let complete = fs::read(report.join("index.html")).unwrap();
    for attempt in 0..16u64 {
        let mut child = render();
        // Spread the kills over the run, from before reading to after writing.
        std::thread::sleep(Duration::from_millis(attempt * 20));
        let _ = child.kill();
        let _ = child.wait();
        assert!(report.join(MARKER).is_file(), "attempt {attempt}");
        assert_eq!(
            fs::read(report.join("index.html")).unwrap(),
            complete,
            "attempt {attempt}"
        );
    }
    assert!(render().wait().unwrap().success());
    let names: Vec<String> = fs::read_dir(out.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, vec!["minimal"]);
}

/// Item 8: `render "a b.toml" a-b.toml` wrote both to `output/a-b/`.
#[test]
fn two_configs_for_one_report_folder_are_refused() {
    let work = tempfile::tempdir().unwrap();
    fs::copy(MINIMAL, work.path().join("a b.toml")).unwrap();
    fs::copy(MINIMAL, work.path().join("a-b.toml")).unwrap();
    let stderr = stderr_of(
        losslab()
            .current_dir(work.path())
            .args(["render", "a b.toml", "a-b.toml", "--out", "out"]),
    );
    assert_eq!(
        stderr,
        "error: a b.toml and a-b.toml would both be written to the report folder \"a-b\"; \
         rename one of them or render them into different --out folders\n"
    );
    assert!(!work.path().join("out").exists());
}

/// Item 8: A JSON `@file` with a byte-order mark was refused with an invisible character.
#[test]
fn a_json_file_with_a_byte_order_mark_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.json");
    fs::write(&path, "\u{feff}[1, 2, 3]").unwrap();
    let output = losslab()
        .args([
            "eval",
            "--loss",
            "mse",
            "--json",
            "--prediction",
            "[1,2,4]",
            "--target",
        ])
        .arg(format!("@{}", path.display()))
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    let value: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(value["value"], serde_json::json!(1.0 / 3.0));
}

/// Item 8: `new` with a line break in the name wrote a starter that did not parse.
#[test]
fn new_refuses_control_characters() {
    let work = tempfile::tempdir().unwrap();
    for name in ["a\nb/lesson", "lesson\r", "x\u{7}y/lesson"] {
        let stderr = stderr_of(losslab().current_dir(work.path()).args(["new", name]));
        assert!(stderr.contains("control character"), "{stderr}");
    }
    assert_eq!(fs::read_dir(work.path()).unwrap().count(), 0);
}

/// Item 8: TOML errors put the reason on the last of several lines.
#[test]
fn toml_errors_lead_with_the_reason() {
    let stderr = stderr_of(losslab().args(["check", "tests/fixtures/invalid/toml_syntax.toml"]));
    let first = stderr.lines().next().unwrap();
    assert_eq!(
        first,
        "error: tests/fixtures/invalid/toml_syntax.toml: line 14, column 9: string values must be quoted, expected literal string"
    );
}

/// Item 7: `check` said OK where `render` failed; now both fail alike (the
/// fixture corpus in `scenario_errors.rs` compares every message). Here: a
/// valid scenario passes both, and `check` writes nothing.
#[test]
fn check_passes_what_render_renders() {
    let work = tempfile::tempdir().unwrap();
    losslab()
        .current_dir(work.path())
        .arg("check")
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join(MINIMAL))
        .assert()
        .success();
    assert_eq!(fs::read_dir(work.path()).unwrap().count(), 0);
}
