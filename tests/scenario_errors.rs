//! Every bad scenario under `tests/fixtures/invalid/` fails `check` and
//! `render` with exactly the message a user should see, and a failed render
//! writes nothing.

use assert_cmd::Command;

const DIR: &str = "tests/fixtures/invalid";

/// (fixture, the whole of stderr after "error: ").
const CASES: &[(&str, &str)] = &[
    (
        "toml_syntax.toml",
        "tests/fixtures/invalid/toml_syntax.toml: line 14, column 9: string values must be quoted, expected literal string\n   |\n14 | delta = 1 2\n   |         ^^^",
    ),
    (
        "unknown_field.toml",
        "tests/fixtures/invalid/unknown_field.toml: line 16, column 1: unknown field `captoin`, expected one of `name`, `kind`, `title`, `caption`, `alt`, `x_label`, `y_label`, `x_range`, `y_range`, `columns`, `target`, `prediction`, `model`, `losses`, `x`, `axis`, `target_value`, `show`, `split`, `dataset`, `delta`, `function`, `distributions`, `shifts`, `shift_range`\n   |\n16 | captoin = \"typo\"\n   | ^^^^^^^",
    ),
    (
        "bad_delta.toml",
        "tests/fixtures/invalid/bad_delta.toml: losses[2].delta must be > 0, got -1",
    ),
    (
        "unknown_dataset.toml",
        "tests/fixtures/invalid/unknown_dataset.toml: figures[1].target refers to unknown dataset \"fig1_yy\" (did you mean \"fig1_y\"?)",
    ),
    (
        "unknown_loss.toml",
        "tests/fixtures/invalid/unknown_loss.toml: losses[0].loss refers to unknown loss \"hubber\" (did you mean \"huber\"?)",
    ),
    (
        "unknown_placeholder.toml",
        "tests/fixtures/invalid/unknown_placeholder.toml: sections[0].markdown refers to unknown quantity \"mse_valeu\" (did you mean \"mse_value\"?)",
    ),
    (
        "too_many_points.toml",
        "tests/fixtures/invalid/too_many_points.toml: figures[0].x would produce 20000001 points; the limit is 1000000",
    ),
    (
        "sweep_points.toml",
        "tests/fixtures/invalid/sweep_points.toml: figures[0] would produce 1200003 points; the limit is 1000000",
    ),
    (
        "bad_output_name.toml",
        "tests/fixtures/invalid/bad_output_name.toml: figures[0].name \"../evil\" is not a valid name (use lowercase letters, digits, '_' and '-', starting with a letter or digit)",
    ),
    (
        "missing_csv.toml",
        "tests/fixtures/invalid/missing_csv.toml: datasets[0].csv cannot read \"no_such_file.csv\": No such file or directory (os error 2)",
    ),
    (
        "ragged_csv.toml",
        "tests/fixtures/invalid/ragged_csv.toml: datasets[0].csv \"ragged.csv\": line 3 has 1 field, but the header has 2",
    ),
    (
        "length_mismatch.toml",
        "tests/fixtures/invalid/length_mismatch.toml: quantities[0] cannot be evaluated by mse: prediction: has 2 values but target has 3",
    ),
    (
        "too_many_evaluations.toml",
        "tests/fixtures/invalid/too_many_evaluations.toml: figures[0] would need 40129000000 loss evaluations (40001 values of c × 1 loss × 1000000 data values, plus 128 per data value for each of 1 best constant); the limit is 100000000",
    ),
    (
        "curve_outside_domain.toml",
        "tests/fixtures/invalid/curve_outside_domain.toml: figures[0] cannot be drawn: binary cross-entropy is not defined anywhere on x from 2 to 3 (prediction: probabilities must be in [0, 1])",
    ),
    (
        "fit_outside_domain.toml",
        "tests/fixtures/invalid/fit_outside_domain.toml: figures[0] cannot be drawn: the data has a value outside the domain of mape: index 1 is 0; mape divides by the target, which must not be 0",
    ),
    (
        "grid_open_end.toml",
        "tests/fixtures/invalid/grid_open_end.toml: figures[0].x contains no point",
    ),
    (
        "uniform_width.toml",
        "tests/fixtures/invalid/uniform_width.toml: datasets[0].generate.distribution.high must be above low (-1e308) by a finite width, got 1e308 (width inf)",
    ),
    (
        "y_range_overflow.toml",
        "tests/fixtures/invalid/y_range_overflow.toml: figures[0].y_range must be [low, high] with low < high and a finite width, got [-1e308, 1e308]",
    ),
    (
        "formula_syntax.toml",
        "tests/fixtures/invalid/formula_syntax.toml: sections[0].formulas[0]: formula `\\frac{1}{`: unbalanced group found, expected it to be closed with `}`",
    ),
    (
        "markup_in_formula.toml",
        "tests/fixtures/invalid/markup_in_formula.toml: sections[0].markdown: formula `\\operatorname{<mtext style=\"position:fixed;inset:0;background:url(https://example.org/x.png)\">x}`: \"<mtext style=\"position:fixed;inset:0;background:url(https://example.org/x.png)\">x\" holds a markup character (<, >, & or \"), which a formula name cannot",
    ),
    (
        "png_too_large.toml",
        "tests/fixtures/invalid/png_too_large.toml: figures[0] cannot be drawn: figure `kl`: scale 8 gives a 10240×7712 image; the limit is 64000000 pixels",
    ),
    (
        "device_csv.toml",
        "tests/fixtures/invalid/device_csv.toml: datasets[0].csv cannot read \"/dev/zero\": not a regular file (a device, pipe, socket or folder cannot be read as one)",
    ),
    (
        "kl_integration_budget.toml",
        "tests/fixtures/invalid/kl_integration_budget.toml: figures[0] would need 100005000 loss evaluations (5000 shifts × 20001 integration points); the limit is 100000000",
    ),
    (
        "sweep_series.toml",
        "tests/fixtures/invalid/sweep_series.toml: figures[0] would draw 1001 curves; the limit is 1000",
    ),
];

fn losslab() -> Command {
    Command::cargo_bin("losslab").unwrap()
}

#[test]
fn check_reports_each_error_exactly() {
    for (file, expected) in CASES {
        let output = losslab()
            .args(["check", &format!("{DIR}/{file}")])
            .output()
            .unwrap();
        assert!(!output.status.success(), "{file} passed check");
        assert!(
            output.stdout.is_empty(),
            "{file}: stdout {:?}",
            String::from_utf8_lossy(&output.stdout)
        );
        assert_eq!(
            String::from_utf8_lossy(&output.stderr),
            format!("error: {expected}\n"),
            "{file}"
        );
    }
}

#[test]
fn failed_render_writes_nothing() {
    let out = tempfile::tempdir().unwrap();
    for (file, expected) in CASES {
        let output = losslab()
            .args(["render", &format!("{DIR}/{file}"), "--out"])
            .arg(out.path())
            .output()
            .unwrap();
        assert!(!output.status.success(), "{file} rendered");
        assert_eq!(
            String::from_utf8_lossy(&output.stderr),
            format!("error: {expected}\n"),
            "{file}"
        );
        let left: Vec<_> = std::fs::read_dir(out.path()).unwrap().collect();
        assert!(left.is_empty(), "{file} left {left:?}");
    }
}

/// The corpus is every invalid fixture: a new one without an expected
/// message here fails, so `check` and `render` are always compared on all.
#[test]
fn every_invalid_fixture_is_in_the_corpus() {
    let mut listed: Vec<&str> = CASES.iter().map(|(file, _)| *file).collect();
    listed.sort_unstable();
    let mut present: Vec<String> = std::fs::read_dir(DIR)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".toml"))
        .collect();
    present.sort();
    assert_eq!(listed, present);
}

#[test]
fn a_missing_scenario_file_is_named() {
    losslab()
        .args(["check", "tests/fixtures/invalid/does_not_exist.toml"])
        .assert()
        .failure()
        .stderr(
            "error: tests/fixtures/invalid/does_not_exist.toml: cannot read the file: No such file or directory (os error 2)\n",
        );
}
