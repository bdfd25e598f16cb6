//! `render --watch` through the real binary: it renders everything, then
//! again what an edit to a config, a data file or a template affects, and a
//! bad edit prints its error without ending the watch.
//!
//! No timing is asserted: each step waits (up to a generous limit, for a
//! loaded machine) for the output it expects, then checks it.

use std::fs;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const MINIMAL: &str = "tests/fixtures/valid/minimal.toml";

/// Most a step waits for its output before the test fails.
const PATIENCE: Duration = Duration::from_secs(180);

/// The watching process; killed when the test ends, passed or failed.
struct Watch {
    child: Child,
    lines: Arc<Mutex<Vec<String>>>,
}

impl Watch {
    fn start(dir: &Path) -> Watch {
        let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("losslab"))
            .current_dir(dir)
            .args([
                "render",
                "--watch",
                ".",
                "--out",
                "out",
                "--templates",
                "tpl",
            ])
            .args(["--jobs", "2"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let lines = Arc::new(Mutex::new(Vec::new()));
        let stdout = child.stdout.take().unwrap();
        let stderr = child.stderr.take().unwrap();
        collect(stdout, "out", &lines);
        collect(stderr, "err", &lines);
        Watch { child, lines }
    }

    fn lines(&self) -> Vec<String> {
        self.lines.lock().unwrap().clone()
    }

    fn count(&self, needle: &str) -> usize {
        self.lines().iter().filter(|l| l.contains(needle)).count()
    }

    /// Wait until `ready` holds; fail with everything the process printed.
    fn wait_for(&mut self, what: &str, ready: impl Fn(&Watch) -> bool) {
        let start = Instant::now();
        while !ready(self) {
            if let Some(status) = self.child.try_wait().unwrap() {
                panic!(
                    "watch ended ({status}) waiting for {what}: {:#?}",
                    self.lines()
                );
            }
            if start.elapsed() > PATIENCE {
                panic!("no {what} after {PATIENCE:?}: {:#?}", self.lines());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Watch {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn collect(stream: impl Read + Send + 'static, tag: &'static str, lines: &Arc<Mutex<Vec<String>>>) {
    let lines = Arc::clone(lines);
    std::thread::spawn(move || {
        for line in BufReader::new(stream).lines().map_while(Result::ok) {
            lines.lock().unwrap().push(format!("{tag}: {line}"));
        }
    });
}

fn read(path: PathBuf) -> String {
    fs::read_to_string(path).unwrap_or_default()
}

/// `b.toml` reads its numbers from `data/values.csv`.
fn data_scenario(prediction: &[f64]) -> (String, String) {
    let toml = fs::read_to_string(MINIMAL)
        .unwrap()
        .replace("title = \"Minimal\"", "title = \"From a file\"")
        .replace(
            "values = [1, 2, 3]",
            "csv = \"data/values.csv\"\ncolumn = \"target\"",
        )
        .replace(
            "values = [1.5, 2, 2]",
            "csv = \"data/values.csv\"\ncolumn = \"prediction\"",
        );
    let mut csv = "target,prediction\n".to_string();
    for (i, p) in prediction.iter().enumerate() {
        csv.push_str(&format!("{},{p}\n", i + 1));
    }
    (toml, csv)
}

fn mse_of(results: &str) -> Option<f64> {
    let value: serde_json::Value = serde_json::from_str(results).ok()?;
    value["quantities"]
        .as_array()?
        .iter()
        .find(|q| q["name"] == "mse")?["value"]
        .as_f64()
}

#[test]
fn watch_renders_again_what_an_edit_affects_and_survives_a_bad_edit() {
    let work = tempfile::tempdir().unwrap();
    let dir = work.path();
    let minimal = fs::read_to_string(MINIMAL).unwrap();
    fs::write(dir.join("a.toml"), &minimal).unwrap();
    let (b_toml, b_csv) = data_scenario(&[1.5, 2.0, 2.0]);
    fs::create_dir_all(dir.join("data")).unwrap();
    fs::create_dir_all(dir.join("tpl")).unwrap();
    fs::write(dir.join("b.toml"), b_toml).unwrap();
    fs::write(dir.join("data/values.csv"), b_csv).unwrap();
    let out = dir.join("out");

    let mut watch = Watch::start(dir);
    watch.wait_for("first render", |w| {
        w.count("a.toml: report written") == 1
            && w.count("b.toml: report written") == 1
            && w.count("watching for changes") == 1
    });
    assert!(read(out.join("index.html")).contains("From a file"));
    assert_eq!(mse_of(&read(out.join("b/results.json"))), Some(1.25 / 3.0));

    // An edited config: its report, and the landing page, show the edit.
    fs::write(
        dir.join("a.toml"),
        minimal.replace("title = \"Minimal\"", "title = \"Edited title\""),
    )
    .unwrap();
    watch.wait_for("the edited title", |_| {
        read(out.join("a/index.html")).contains("Edited title")
            && read(out.join("index.html")).contains("Edited title")
    });

    // An edited data file: the scenario that reads it, and only that one.
    let a_renders = watch.count("a.toml: report written");
    let b_renders = watch.count("b.toml: report written");
    fs::write(
        dir.join("data/values.csv"),
        data_scenario(&[1.0, 2.0, 5.0]).1,
    )
    .unwrap();
    watch.wait_for("the new data", |w| {
        w.count("b.toml: report written") > b_renders
            && mse_of(&read(out.join("b/results.json"))) == Some(4.0 / 3.0)
    });
    assert_eq!(watch.count("a.toml: report written"), a_renders);

    // A bad edit: the error is printed, the watch goes on, the report stays.
    let errors = watch.count("err: error:");
    fs::write(dir.join("a.toml"), "[metadata\ntitle = ").unwrap();
    watch.wait_for("the error", |w| {
        w.lines()
            .iter()
            .filter(|l| l.starts_with("err: error:"))
            .skip(errors)
            .any(|l| l.contains("a.toml") && l.contains("line 1"))
    });
    assert!(watch.child.try_wait().unwrap().is_none());
    assert!(read(out.join("a/index.html")).contains("Edited title"));

    // Fixed: rendered again.
    fs::write(
        dir.join("a.toml"),
        minimal.replace("title = \"Minimal\"", "title = \"Fixed title\""),
    )
    .unwrap();
    watch.wait_for("the fixed title", |_| {
        read(out.join("a/index.html")).contains("Fixed title")
    });

    // A template: everything is rendered with it.
    fs::write(
        dir.join("tpl/landing.html"),
        "{% for report in reports %}[{{ report.title }}]{% endfor %}",
    )
    .unwrap();
    watch.wait_for("the new landing template", |_| {
        read(out.join("index.html")) == "[Fixed title][From a file]"
    });
}
