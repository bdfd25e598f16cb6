//! LaTeX → MathML, so formulas render natively in browsers without scripts or fonts.

use pulldown_latex::config::DisplayMode;
use pulldown_latex::event::{Content, Event};
use pulldown_latex::{push_mathml, Parser, RenderConfig, Storage};

use super::mathml_allow::rebuild_allowed;
use super::ReportError;

/// Longest formula accepted, in bytes: the catalogue's longest is a few
/// hundred; a limit keeps a pathological formula from taking minutes.
pub const MAX_FORMULA_BYTES: usize = 10_000;

/// Deepest nesting of `{…}` groups accepted in a formula (the parser recurses).
pub const MAX_FORMULA_NESTING: usize = 64;

/// Render one LaTeX formula as a `<math>` element.
///
/// pulldown-latex would draw a parse error in red inside the formula; a lecturer
/// should learn about a typo when rendering, not from the page, so any error fails.
pub fn latex_to_mathml(latex: &str, display: DisplayMode) -> Result<String, ReportError> {
    let fail = |message: String| ReportError::Formula {
        latex: quoted(latex),
        message,
    };
    check_size(latex).map_err(fail)?;
    let storage = Storage::new();
    let events: Vec<_> = Parser::new(latex, &storage).collect();
    if let Some(Err(error)) = events.iter().find(|e| e.is_err()) {
        return Err(fail(parse_error_reason(&error.to_string())));
    }
    // pulldown-latex writes the text of `\operatorname{…}` and of numbers as it is
    // (checked in 0.8.0): a `<` there would become markup.
    for event in events.iter().flatten() {
        if let Event::Content(Content::Function(text) | Content::Number(text)) = event {
            if text.contains(['<', '>', '&', '"']) {
                return Err(fail(format!(
                    "\"{text}\" holds a markup character (<, >, & or \"), which a formula name cannot"
                )));
            }
        }
    }
    // pulldown-latex writes the annotation verbatim (checked in 0.8.0), so escape it here:
    // otherwise `</annotation><script>` in a formula would be markup.
    let annotation = escape_text(latex);
    let config = RenderConfig {
        display_mode: display,
        // The source as annotation: copy-paste and screen readers get the LaTeX back.
        annotation: Some(&annotation),
        ..RenderConfig::default()
    };
    let mut mathml = String::new();
    push_mathml(&mut mathml, events.into_iter(), config).map_err(|e| fail(e.to_string()))?;
    // pulldown-latex 0.8 writes `<`, `>` and `\&` raw (`<mo><</mo>`, `<mi>&</mi>`); browsers
    // cope, but an XML reader would not.
    let mathml = mathml
        .replace("><</", ">&lt;</")
        .replace(">></", ">&gt;</")
        .replace(">&</", ">&amp;</");
    // The output is marked safe: write it again from the allow-list, so only
    // known MathML elements and checked attribute values reach the page.
    rebuild_allowed(&mathml).map_err(|m| {
        fail(format!(
            "{m}: a report's formulas allow no styling (\\color, negative \\hspace) and no markup"
        ))
    })
}

/// Refuse formulas longer than [`MAX_FORMULA_BYTES`] or nested deeper than
/// [`MAX_FORMULA_NESTING`] before the parser sees them.
fn check_size(latex: &str) -> Result<(), String> {
    if latex.len() > MAX_FORMULA_BYTES {
        return Err(format!(
            "is {} bytes long; the limit is {MAX_FORMULA_BYTES}",
            latex.len()
        ));
    }
    let mut depth = 0usize;
    let mut escaped = false;
    for c in latex.chars() {
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            '{' => {
                depth += 1;
                if depth > MAX_FORMULA_NESTING {
                    return Err(format!(
                        "nests {{…}} deeper than {MAX_FORMULA_NESTING} levels"
                    ));
                }
            }
            '}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    Ok(())
}

/// pulldown-latex's error is `parsing error: REASON` followed by a box-drawn
/// snippet over several lines; the formula is quoted in our message anyway,
/// so keep the reason.
fn parse_error_reason(shown: &str) -> String {
    let first = shown.lines().next().unwrap_or_default().trim();
    first
        .strip_prefix("parsing error: ")
        .unwrap_or(first)
        .to_string()
}

/// The formula as an error message quotes it: whole up to 200 characters,
/// else its start and an ellipsis (a message is read, not scrolled).
fn quoted(latex: &str) -> String {
    const SHOWN: usize = 200;
    match latex.char_indices().nth(SHOWN) {
        Some((cut, _)) => format!("{}…", &latex[..cut]),
        None => latex.to_string(),
    }
}

fn escape_text(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn block_formula_is_display_math() {
        let html = latex_to_mathml(
            r"L = \frac{1}{n}\sum_i (y_i - \hat y_i)^2",
            DisplayMode::Block,
        )
        .unwrap();
        assert!(html.starts_with("<math"), "{html}");
        assert!(html.contains(r#"display="block""#), "{html}");
        assert!(
            !html.contains("http"),
            "no namespace URL needed in HTML: {html}"
        );
    }

    #[test]
    fn bad_formula_is_an_error_naming_it() {
        let error = latex_to_mathml(r"\frac{1}{", DisplayMode::Block).unwrap_err();
        assert!(error.to_string().contains(r"\frac{1}{"), "{error}");
    }

    #[test]
    fn annotation_is_escaped() {
        let html = latex_to_mathml(r"a < b", DisplayMode::Inline).unwrap();
        assert!(!html.contains("a < b"), "{html}");
        let html = latex_to_mathml(
            r"x </annotation><script>alert(1)</script>",
            DisplayMode::Inline,
        );
        if let Ok(html) = html {
            assert!(!html.contains("<script"), "{html}");
        }
    }

    #[test]
    fn relations_are_escaped() {
        let html = latex_to_mathml(r"a < b > c", DisplayMode::Inline).unwrap();
        assert!(
            html.contains("<mo>&lt;</mo>") && html.contains("<mo>&gt;</mo>"),
            "{html}"
        );
    }

    #[test]
    fn markup_in_a_formula_is_refused() {
        for latex in [
            r"\operatorname{a<b}",
            r"\operatorname{<img/src=x/onerror=alert(1)>}",
        ] {
            if let Ok(html) = latex_to_mathml(latex, DisplayMode::Inline) {
                assert!(!html.contains("<b") && !html.contains("<img"), "{html}");
            }
        }
    }

    #[test]
    fn text_is_escaped() {
        let html = latex_to_mathml(r"\text{<b>bold</b>}", DisplayMode::Inline).unwrap();
        assert!(!html.contains("<b>"), "{html}");
    }

    /// The overlay of the issue: markup typed into `\operatorname`.
    #[test]
    fn markup_through_operatorname_never_reaches_the_page() {
        for latex in [
            r#"\operatorname{<mtext style="position:fixed;inset:0;background:url(https://x.org/a)">x}"#,
            r#"\operatorname{<mrow mathbackground="red">x}"#,
            r#"\operatorname{<mi id="main">x}"#,
            r#"\operatorname{&lt;b&gt;}"#,
        ] {
            let error = latex_to_mathml(latex, DisplayMode::Inline).unwrap_err();
            assert!(error.to_string().contains("markup"), "{error}");
        }
    }

    #[test]
    fn long_or_deep_formulas_are_refused_quickly() {
        let deep = format!("{}x{}", "{".repeat(100_000), "}".repeat(100_000));
        let error = latex_to_mathml(&deep, DisplayMode::Block).unwrap_err();
        assert!(error.to_string().contains("limit is 10000"), "{error}");
        let nested = format!("{}x{}", "{".repeat(65), "}".repeat(65));
        let error = latex_to_mathml(&nested, DisplayMode::Block).unwrap_err();
        assert!(error.to_string().contains("deeper than 64"), "{error}");
        let fine = format!("{}x{}", "{".repeat(64), "}".repeat(64));
        assert!(latex_to_mathml(&fine, DisplayMode::Block).is_ok());
    }

    #[test]
    fn a_parse_error_is_one_plain_line() {
        let error = latex_to_mathml(r"\frac{1}{", DisplayMode::Block).unwrap_err();
        let shown = error.to_string();
        assert!(!shown.contains('\n') && !shown.contains('│'), "{shown}");
        assert!(!shown.contains("error:"), "{shown}");
    }
}
