//! No panic on user input: the article scenario with a line dropped or a
//! number replaced by an awkward value, and scenarios built from awkward
//! pieces (grids, generated datasets, figure ranges, formulas), either pass
//! every check `render` makes or fail with an error. They never panic.
//!
//! `cargo test` runs a bounded number of cases. A longer run, for
//! maintainers after touching the parser or validator:
//! `LOSSLAB_FUZZ_CASES=200000 cargo test --release --test scenario_fuzz awkward`
//! (the article variants compute the whole article per case: give them fewer).

use std::path::Path;

use losslab::compute::compute;
use losslab::scenario::{parse_str, validate};
use proptest::prelude::*;
use proptest::test_runner::Config;

/// Cases per property: `LOSSLAB_FUZZ_CASES` if set, else `default`.
fn cases(default: u32) -> Config {
    let cases = std::env::var("LOSSLAB_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default);
    Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    }
}

/// Everything `render` checks short of drawing: parse, validate, compute,
/// then every figure's drawability and every formula.
fn check_all(text: &str) {
    let Ok(scenario) = parse_str(text, "fuzz.toml") else {
        return;
    };
    let Ok(valid) = validate(&scenario, Path::new("fuzz.toml")) else {
        return;
    };
    let Ok(computed) = compute(&valid) else {
        return;
    };
    for figure in &computed.results.figures {
        let _ = losslab::plot::check_drawable(figure, valid.png_scale);
    }
    for section in &computed.results.sections {
        let _ = losslab::report::check_markdown(&section.markdown);
        for formula in &section.formulas {
            let _ = losslab::report::check_formula(formula);
        }
    }
}

/// Numbers a hostile author would try, as TOML.
const NUMBERS: &[&str] = &[
    "0",
    "-0.0",
    "1",
    "-1",
    "0.5",
    "3",
    "1e7",
    "1e-7",
    "1e-300",
    "1e-320",
    "5e-324",
    "1e308",
    "-1e308",
    "1.7976931348623157e308",
    "nan",
    "inf",
    "-inf",
];

fn number() -> impl Strategy<Value = &'static str> {
    prop::sample::select(NUMBERS)
}

/// A grid with awkward ends and step; `to` is often `from` plus a sliver,
/// where an open end has only `to` to leave out.
fn grid() -> impl Strategy<Value = String> {
    (
        number(),
        number(),
        number(),
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(|(from, to, step, near, open_start, open_end)| {
            let to = if near {
                format!("{}", from.parse::<f64>().unwrap_or(0.0) + to.parse::<f64>().unwrap_or(0.0).abs())
            } else {
                to.to_string()
            };
            let to = match to.as_str() {
                "NaN" => "nan".to_string(),
                "inf" | "-inf" => to,
                other if other.parse::<f64>().is_ok() => format!("{:e}", other.parse::<f64>().unwrap_or(0.0)),
                _ => to,
            };
            format!("{{ from = {from}, to = {to}, step = {step}, open_start = {open_start}, open_end = {open_end} }}")
        })
}

/// A generated dataset's distribution with awkward parameters; half the
/// uniforms are symmetric, `[-x, x]`, where a finite pair can have an
/// infinite width.
fn distribution() -> impl Strategy<Value = String> {
    (0usize..6, number(), number(), number()).prop_map(|(kind, a, b, c)| match kind {
        0 => format!("{{ kind = 'normal', mean = {a}, std = {b} }}"),
        1 => format!("{{ kind = 'laplace', location = {a}, scale = {b} }}"),
        2 => format!("{{ kind = 'student_t', location = {a}, scale = {b}, freedom = {c} }}"),
        3 => format!("{{ kind = 'uniform', low = {a}, high = {b} }}"),
        4 => {
            let x = a.trim_start_matches('-');
            format!("{{ kind = 'uniform', low = -{x}, high = {x} }}")
        }
        _ => format!("{{ kind = 'constant', value = {a} }}"),
    })
}

const ARTICLE: &str = include_str!("../configs/article.toml");

/// Parse, validate and compute; errors are fine, panics are not.
fn run(text: &str) {
    let path = Path::new("configs/article.toml");
    if let Ok(scenario) = parse_str(text, "configs/article.toml") {
        if let Ok(valid) = validate(&scenario, path) {
            let _ = compute(&valid);
        }
    }
}

fn awkward() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec![
        "0", "-1", "1e308", "-1e308", "1e-320", "nan", "inf", "-inf", "0.5", "1e7", "[]", "[0]",
        "\"x\"",
    ])
}

proptest! {
    #![proptest_config(cases(48))]

    #[test]
    fn dropping_a_line_never_panics(index in 0usize..700) {
        let lines: Vec<&str> = ARTICLE.lines().collect();
        let keep: Vec<&str> = lines
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != index % lines.len())
            .map(|(_, l)| *l)
            .collect();
        run(&keep.join("\n"));
    }

    #[test]
    fn replacing_a_number_never_panics(which in 0usize..400, value in awkward()) {
        // Positions of numbers written as `= <number>` or inside arrays.
        let mut positions = Vec::new();
        let bytes = ARTICLE.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            let starts = (bytes[i].is_ascii_digit() || bytes[i] == b'-')
                && i > 0
                && matches!(bytes[i - 1], b' ' | b'[' | b',');
            if starts {
                let end = (i + 1..bytes.len())
                    .find(|&j| !(bytes[j].is_ascii_digit() || bytes[j] == b'.' || bytes[j] == b'e'))
                    .unwrap_or(bytes.len());
                positions.push((i, end));
                i = end;
            } else {
                i += 1;
            }
        }
        let (start, end) = positions[which % positions.len()];
        let text = format!("{}{}{}", &ARTICLE[..start], value, &ARTICLE[end..]);
        run(&text);
    }
}

proptest! {
    #![proptest_config(cases(1024))]

    /// Found the "capacity overflow" panic of an open end on the first point.
    #[test]
    fn awkward_grids_never_panic(x in grid(), ranged in any::<bool>(), lo in number(), hi in number()) {
        let range = if ranged { format!("y_range = [{lo}, {hi}]\nx_range = [{lo}, {hi}]\n") } else { String::new() };
        let text = format!(
            "[metadata]\ntitle = 't'\n[[figures]]\nname = 'f'\nkind = 'function'\nfunction = 'exp'\n\
             title = 't'\ncaption = ''\nalt = ''\nx = {x}\n{range}"
        );
        // Validation alone for big grids: the point is the checks, not the drawing.
        let Ok(scenario) = parse_str(&text, "fuzz.toml") else { return Ok(()) };
        if let Ok(valid) = validate(&scenario, Path::new("fuzz.toml")) {
            let small = valid.figures.iter().all(|f| match &f.kind {
                losslab::scenario::FigureKind::Function { grid, .. } => grid.len() <= 10_000,
                _ => true,
            });
            if small {
                check_all(&text);
            }
        }
    }

    /// Found statrs' panic on a uniform of infinite width.
    #[test]
    fn awkward_generated_datasets_never_panic(d in distribution(), size in 1usize..20, seed in any::<u64>()) {
        let text = format!(
            "[metadata]\ntitle = 't'\n[[datasets]]\nname = 'd'\n\
             generate = {{ size = {size}, seed = {seed}, distribution = {d} }}\n\
             [[quantities]]\nname = 'm'\nkind = 'mean'\nof = 'd'\n"
        );
        check_all(&text);
    }

    /// Formulas and Markdown math from fragments, including markup and deep nesting.
    #[test]
    fn awkward_formulas_never_panic(parts in prop::collection::vec(prop::sample::select(vec![
        "\\frac{", "}", "{", "x", "^", "_", "\\operatorname{", "<mtext style='a'>", "&", "\\\\",
        "\\left(", "\\right)", "\\begin{cases}", "\\end{cases}", "$", "\\text{<b>}", "\\sqrt",
    ]), 0..40)) {
        let formula = parts.concat();
        let text = format!(
            "[metadata]\ntitle = 't'\n[[sections]]\nid = 's'\ntitle = 'S'\n\
             markdown = {formula:?}\nformulas = [{formula:?}]\n"
        );
        check_all(&text);
    }
}
