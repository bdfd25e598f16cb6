//! What a lecturer writing a scenario meets: LaTeX written as in LaTeX,
//! placeholders beside it, a starter in a new folder, and the small words of
//! `check` and `eval`.

use std::path::Path;

use assert_cmd::Command;

fn losslab() -> Command {
    Command::cargo_bin("losslab").unwrap()
}

const MATH_SCENARIO: &str = r#"[metadata]
title = "Maths"

[[quantities]]
name = "m"
kind = "mean"
values = [1, 2]

[[sections]]
id = "s"
title = "S"
markdown = '''
The mean $\frac{a}{b} = \bar{y}$ is {m:.2}; as a display:

$$\begin{cases} 1 & x > 0 \\ 0 & \text{otherwise} \end{cases}$$

Braces outside maths are written {{ and }}.
'''
"#;

fn write(dir: &Path, name: &str, text: &str) -> std::path::PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn latex_in_prose_needs_no_doubled_braces() {
    let dir = tempfile::tempdir().unwrap();
    let config = write(dir.path(), "maths.toml", MATH_SCENARIO);
    let out = dir.path().join("out");
    losslab()
        .arg("render")
        .arg(&config)
        .arg("--out")
        .arg(&out)
        .assert()
        .success();
    let html = std::fs::read_to_string(out.join("maths/index.html")).unwrap();
    let section = &html[html.find("id=\"s\"").expect("the section")..];
    // \frac{a}{b} became a MathML fraction of a over b, not a placeholder "a".
    assert!(
        section.contains("<mfrac><mrow><mi>a</mi></mrow><mrow><mi>b</mi></mrow></mfrac>"),
        "{section}"
    );
    // \begin{cases} is LaTeX, not a quantity named "cases".
    assert!(section.contains("otherwise"), "{section}");
    // The placeholder beside the maths is filled, with two decimals.
    assert!(section.contains("is 1.50;"), "{section}");
    assert!(section.contains("written { and }."), "{section}");
}

#[test]
fn new_makes_the_folder_it_is_given() {
    let dir = tempfile::tempdir().unwrap();
    losslab()
        .current_dir(dir.path())
        .args(["new", "sub/lec2"])
        .assert()
        .success();
    let written = dir.path().join("sub/lec2.toml");
    assert!(written.is_file());
    // And the starter it wrote passes check: 1 figure, in the singular.
    let output = losslab()
        .current_dir(dir.path())
        .args(["check", "sub/lec2.toml"])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn check_counts_in_the_singular_for_one() {
    let output = losslab()
        .args(["check", "tests/fixtures/valid/minimal.toml"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("OK (1 figure, 0 tables, 1 quantity, 0 warnings,"),
        "{stdout}"
    );
}

#[test]
fn check_help_describes_its_argument() {
    let output = losslab().args(["check", "--help"]).output().unwrap();
    let help = String::from_utf8_lossy(&output.stdout);
    assert!(help.contains("Scenario files (TOML)"), "{help}");
}

#[test]
fn eval_shows_parameters_as_list_does() {
    let output = losslab()
        .args([
            "eval",
            "--loss",
            "scce",
            "--param",
            "ignore_index=-100",
            "--target",
            "0,1",
            "--prediction",
            "[[0.7,0.3],[0.4,0.6]]",
        ])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let params = stdout
        .lines()
        .find(|l| l.starts_with("params"))
        .expect("a params line");
    assert!(params.contains("class_weights = none"), "{params}");
    assert!(params.contains("ignore_index = -100,"), "{params}");
    assert!(
        !params.contains("null") && !params.contains("-100.0"),
        "{params}"
    );
}

/// The maths example of configs/README.md, as written there, renders.
#[test]
fn the_readme_maths_example_renders() {
    let readme = std::fs::read_to_string("configs/README.md").unwrap();
    let start = readme.find("```toml\nmarkdown = '''").expect("the example") + "```toml\n".len();
    let example = &readme[start..start + readme[start..].find("```").unwrap()];
    let scenario = format!(
        "[metadata]\ntitle = \"README\"\n\n[[quantities]]\nname = \"mean_y\"\nkind = \"mean\"\n\
         values = [1, 2]\n\n[[sections]]\nid = \"s\"\ntitle = \"S\"\n{example}"
    );
    let dir = tempfile::tempdir().unwrap();
    let config = write(dir.path(), "readme.toml", &scenario);
    let out = dir.path().join("out");
    losslab()
        .arg("render")
        .arg(&config)
        .arg("--out")
        .arg(&out)
        .assert()
        .success();
    let html = std::fs::read_to_string(out.join("readme/index.html")).unwrap();
    assert!(html.contains("here it is 1.50."), "{html}");
    assert!(html.contains("menv-cases"), "{html}");
}
