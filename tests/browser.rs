//! The article report looked at in a real browser (headless Chromium): the
//! figures and formulas are in the DOM, and the page is not blank.
//!
//! `.ci/run` installs Chromium; on a machine without it this test says so and
//! passes, except under CI (`CI=true`), where a missing browser is a failure.

use std::path::{Path, PathBuf};
use std::process::Command;

use assert_cmd::cargo::CommandCargoExt;

fn find_chromium() -> Option<PathBuf> {
    let paths = std::env::var_os("PATH")?;
    let dirs: Vec<PathBuf> = std::env::split_paths(&paths).collect();
    ["chromium", "chromium-browser", "google-chrome"]
        .iter()
        .flat_map(|name| dirs.iter().map(move |dir| dir.join(name)))
        .find(|path| path.is_file())
}

fn chromium(browser: &Path, profile: &Path, args: &[String]) -> std::process::Output {
    Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(args)
        .output()
        .expect("chromium runs")
}

#[test]
fn article_report_renders_in_a_headless_browser() {
    let Some(browser) = find_chromium() else {
        assert!(
            std::env::var("CI").map(|v| v != "true").unwrap_or(true),
            "CI must have Chromium (.ci/run installs it)"
        );
        eprintln!("skipped: no Chromium on this machine (apt-get install chromium)");
        return;
    };
    let out = tempfile::tempdir().unwrap();
    let status = Command::cargo_bin("losslab")
        .unwrap()
        .args(["render", "configs/article.toml", "--out"])
        .arg(out.path())
        .status()
        .unwrap();
    assert!(status.success());
    let page = out.path().join("article/index.html");
    let url = format!("file://{}", page.display());
    let profile = tempfile::tempdir().unwrap();

    let dom = chromium(
        &browser,
        profile.path(),
        &["--dump-dom".into(), url.clone()],
    );
    let dom = String::from_utf8_lossy(&dom.stdout);
    assert!(dom.matches("<svg").count() >= 9, "figures in the DOM");
    assert!(dom.contains("<math"), "formulas in the DOM");
    assert!(dom.contains("<table"), "tables in the DOM");

    let shot = out.path().join("shot.png");
    chromium(
        &browser,
        profile.path(),
        &[
            format!("--screenshot={}", shot.display()),
            "--window-size=1200,2400".into(),
            url,
        ],
    );
    let decoder = png::Decoder::new(std::fs::File::open(&shot).expect("a screenshot"));
    let mut reader = decoder.read_info().unwrap();
    let mut pixels = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut pixels).unwrap();
    let pixels = &pixels[..info.buffer_size()];
    let step = info.color_type.samples();
    let mut colours: Vec<&[u8]> = pixels.chunks(step).collect();
    colours.sort();
    colours.dedup();
    assert!(
        colours.len() > 50,
        "the screenshot is not blank ({} colours)",
        colours.len()
    );
}
