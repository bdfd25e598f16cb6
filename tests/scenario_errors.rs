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
