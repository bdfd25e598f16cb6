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
        "tests/fixtures/invalid/unknown_field.toml: line 16, column 1: figures[0] (data).captoin: unknown key `captoin` (did you mean `caption`?)\n   |\n16 | captoin = \"typo\"\n   | ^^^^^^^",
    ),
    (
        "bad_delta.toml",
        "tests/fixtures/invalid/bad_delta.toml: line 20, column 9: losses[2] (huber).delta must be > 0, got -1",
    ),
    (
        "unknown_dataset.toml",
        "tests/fixtures/invalid/unknown_dataset.toml: line 27, column 10: figures[1] (second).target refers to unknown dataset \"fig1_yy\" (did you mean \"fig1_y\"?)",
    ),
    (
        "unknown_loss.toml",
        "tests/fixtures/invalid/unknown_loss.toml: line 13, column 8: losses[0] (hubber).loss refers to unknown loss \"hubber\" (did you mean \"huber\"?)",
    ),
    (
        "unknown_placeholder.toml",
        "tests/fixtures/invalid/unknown_placeholder.toml: line 24, column 20: sections[0] (s).markdown refers to unknown quantity \"mse_valeu\" (did you mean \"mse_value\"?)",
    ),
    (
        "too_many_points.toml",
        "tests/fixtures/invalid/too_many_points.toml: line 22, column 1: figures[0] (dense).x would produce 20000001 points; the limit is 1000000",
    ),
    (
        "sweep_points.toml",
        "tests/fixtures/invalid/sweep_points.toml: line 17, column 1: figures[0] (sweep) would produce 1200003 points; the limit is 1000000",
    ),
    (
        "bad_output_name.toml",
        "tests/fixtures/invalid/bad_output_name.toml: line 13, column 8: figures[0] (../evil).name \"../evil\" is not a valid name (use lowercase letters, digits, '_' and '-', starting with a letter or digit)",
    ),
    (
        "missing_csv.toml",
        "tests/fixtures/invalid/missing_csv.toml: line 6, column 7: datasets[0] (y).csv cannot read \"no_such_file.csv\": No such file or directory (os error 2)",
    ),
    (
        "ragged_csv.toml",
        "tests/fixtures/invalid/ragged_csv.toml: line 6, column 7: datasets[0] (y).csv \"ragged.csv\": line 3 has 1 field, but the header has 2",
    ),
    (
        "length_mismatch.toml",
        "tests/fixtures/invalid/length_mismatch.toml: line 19, column 1: quantities[0] (mismatch) cannot be evaluated by mse: prediction: has 2 values but target has 3",
    ),
    (
        "too_many_evaluations.toml",
        "tests/fixtures/invalid/too_many_evaluations.toml: line 14, column 1: figures[0] (fit) would need 40129000000 loss evaluations (40001 values of c × 1 loss × 1000000 data values, plus 128 per data value for each of 1 best constant); the limit is 100000000",
    ),
    (
        "curve_outside_domain.toml",
        "tests/fixtures/invalid/curve_outside_domain.toml: line 9, column 1: figures[0] (bce) cannot be drawn: binary cross-entropy is not defined anywhere on x from 2 to 3 (prediction: probabilities must be in [0, 1])",
    ),
    (
        "fit_outside_domain.toml",
        "tests/fixtures/invalid/fit_outside_domain.toml: line 13, column 1: figures[0] (fit) cannot be drawn: the data has a value outside the domain of mape: index 1 is 0; mape divides by the target, which must not be 0",
    ),
    (
        "grid_open_end.toml",
        "tests/fixtures/invalid/grid_open_end.toml: line 13, column 1: figures[0] (f).x contains no point",
    ),
    (
        "uniform_width.toml",
        "tests/fixtures/invalid/uniform_width.toml: line 7, column 91: datasets[0] (d).generate.distribution.high must be above low (-1e308) by a finite width, got 1e308 (width inf)",
    ),
    (
        "y_range_overflow.toml",
        "tests/fixtures/invalid/y_range_overflow.toml: line 13, column 11: figures[0] (f).y_range must be [low, high] with low < high and a finite width, got [-1e308, 1e308]",
    ),
    (
        "formula_syntax.toml",
        "tests/fixtures/invalid/formula_syntax.toml: line 9, column 13: sections[0] (s).formulas[0]: formula `\\frac{1}{`: unbalanced group found, expected it to be closed with `}`",
    ),
    (
        "markup_in_formula.toml",
        "tests/fixtures/invalid/markup_in_formula.toml: line 8, column 12: sections[0] (s).markdown: formula `\\operatorname{<mtext style=\"position:fixed;inset:0;background:url(https://example.org/x.png)\">x}`: \"<mtext style=\"position:fixed;inset:0;background:url(https://example.org/x.png)\">x\" holds a markup character (<, >, & or \"), which a formula name cannot",
    ),
    (
        "png_too_large.toml",
        "tests/fixtures/invalid/png_too_large.toml: line 18, column 1: figures[0] (kl) cannot be drawn: figure `kl`: scale 8 gives a 10240×7712 image; the limit is 64000000 pixels",
    ),
    (
        "device_csv.toml",
        "tests/fixtures/invalid/device_csv.toml: line 7, column 7: datasets[0] (d).csv cannot read \"/dev/zero\": not a regular file (a device, pipe, socket or folder cannot be read as one)",
    ),
    (
        "kl_integration_budget.toml",
        "tests/fixtures/invalid/kl_integration_budget.toml: line 17, column 1: figures[0] (kl) would need 100005000 loss evaluations (5000 shifts × 20001 integration points); the limit is 100000000",
    ),
    (
        "sweep_series.toml",
        "tests/fixtures/invalid/sweep_series.toml: line 10, column 1: figures[0] (f) would draw 1001 curves; the limit is 1000",
    ),
    (
        "bad_placeholder_format.toml",
        "tests/fixtures/invalid/bad_placeholder_format.toml: line 26, column 56: sections[0] (s).markdown has the placeholder \"{bce_val:x}\" with a format losslab does not know; write {bce_val} or {bce_val:N} with N decimals from 0 to 15 (or {{ and }} for literal braces)",
    ),
    (
        "bad_placeholder_width.toml",
        "tests/fixtures/invalid/bad_placeholder_width.toml: line 25, column 20: sections[0] (s).markdown has the placeholder \"{bce_val:20}\" with a format losslab does not know; write {bce_val} or {bce_val:N} with N decimals from 0 to 15 (or {{ and }} for literal braces)",
    ),
    (
        "unplaced_figure.toml",
        "tests/fixtures/invalid/unplaced_figure.toml: line 17, column 1: figures[1] (forgotten) is placed in no section, so the page would not show it; place it in a section's text with a line {{figure NAME}} or list it in a section's `figures`, or set `appendix = true` to show it in the appendix",
    ),
    (
        "rowwise_in_loss_curve.toml",
        "tests/fixtures/invalid/rowwise_in_loss_curve.toml: line 18, column 18: figures[0] (curves).losses[1] \"KL divergence\" compares whole rows (distributions or classes), but \"MAE\" compares one target with one prediction: they cannot share the x axis of one loss_curve figure (row losses are drawn along the two-class path [x, 1 − x], elementwise ones against a residual or prediction); give them separate figures",
    ),
    (
        "type_in_words.toml",
        "tests/fixtures/invalid/type_in_words.toml: line 14, column 10: tables[0] (t).digits: found the string \"2\", expected a whole number (0 or more)\n   |\n14 | digits = \"2\"\n   |          ^^^",
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
