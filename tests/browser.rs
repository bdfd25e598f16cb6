//! The article report in a real browser: headless Chromium loads it from
//! disk, the figures and formulas are in its DOM, and its screenshot is not
//! blank. Skipped (with a note) where no Chromium is installed; `.ci/run`
//! can install Debian's `chromium`. `LOSSLAB_CHROMIUM` names another binary.

use std::path::{Path, PathBuf};
use std::process::Command;

fn chromium() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("LOSSLAB_CHROMIUM") {
        return Some(PathBuf::from(path));
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|dir| {
            ["chromium", "chromium-browser", "google-chrome"].map(|name| dir.join(name))
        })
        .find(|candidate| candidate.is_file())
}

fn headless(browser: &Path, profile: &Path) -> Command {
    let mut cmd = Command::new(browser);
    cmd.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--hide-scrollbars",
    ])
    .arg(format!("--user-data-dir={}", profile.display()));
    cmd
}

#[test]
fn article_report_renders_in_chromium() {
    let Some(browser) = chromium() else {
        eprintln!("skipped: no chromium found (set LOSSLAB_CHROMIUM or install chromium)");
        return;
    };
    let out = tempfile::tempdir().unwrap();
    let status = assert_cmd::Command::cargo_bin("losslab")
        .unwrap()
        .args(["render", "configs/article.toml", "--out"])
        .arg(out.path())
        .output()
        .unwrap();
    assert!(
        status.status.success(),
        "{}",
        String::from_utf8_lossy(&status.stderr)
    );
    let index = out.path().join("article/index.html");
    let url = format!("file://{}", index.canonicalize().unwrap().display());

    let dom = headless(&browser, &out.path().join("profile-dom"))
        .arg("--dump-dom")
        .arg(&url)
        .output()
        .unwrap();
    let dom = String::from_utf8_lossy(&dom.stdout);
    assert!(
        dom.matches("<svg").count() >= 10,
        "figures missing from the DOM"
    );
    assert!(dom.contains("<math"), "formulas missing from the DOM");
    assert!(dom.contains("<table"), "tables missing from the DOM");
    assert!(
        dom.contains("Figure 9."),
        "figure numbering missing from the DOM"
    );

    let shot = out.path().join("shot.png");
    let result = headless(&browser, &out.path().join("profile-shot"))
        .arg("--window-size=1200,2400")
        .arg(format!("--screenshot={}", shot.display()))
        .arg(&url)
        .output()
        .unwrap();
    assert!(
        shot.is_file(),
        "no screenshot: {}",
        String::from_utf8_lossy(&result.stderr)
    );
    let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(&shot).unwrap()));
    let mut reader = decoder.read_info().unwrap();
    let mut pixels = vec![0; reader.output_buffer_size()];
    let frame = reader.next_frame(&mut pixels).unwrap();
    let bytes = &pixels[..frame.buffer_size()];
    let channels = frame.color_type.samples();
    let first = &bytes[..channels];
    let differing = bytes.chunks(channels).filter(|p| p != &first).count();
    // Text, figures and tables cover well over 2 % of the first 2400 px.
    assert!(
        differing * 50 > bytes.len() / channels,
        "screenshot looks blank ({differing} differing pixels)"
    );
}
