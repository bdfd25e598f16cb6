//! No panic on user input: the article scenario with a line dropped or a
//! number replaced by an awkward value either validates and computes, or
//! fails with an error. It never panics.

use std::path::Path;

use losslab::compute::compute;
use losslab::scenario::{parse_str, validate};
use proptest::prelude::*;

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
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

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
