//! LaTeX → MathML, so formulas render natively in browsers without scripts or fonts.

use pulldown_latex::config::DisplayMode;
use pulldown_latex::{push_mathml, Parser, RenderConfig, Storage};

use super::markup::{self, Token};
use super::ReportError;

/// Render one LaTeX formula as a `<math>` element.
///
/// pulldown-latex would draw a parse error in red inside the formula; a lecturer
/// should learn about a typo when rendering, not from the page, so any error fails.
pub fn latex_to_mathml(latex: &str, display: DisplayMode) -> Result<String, ReportError> {
    let storage = Storage::new();
    let events: Vec<_> = Parser::new(latex, &storage).collect();
    if let Some(Err(error)) = events.iter().find(|e| e.is_err()) {
        return Err(ReportError::Formula {
            latex: latex.to_string(),
            // The error's Display spans several lines with a context snippet; one line reads better.
            message: error
                .to_string()
                .lines()
                .map(str::trim)
                .collect::<Vec<_>>()
                .join(" "),
        });
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
    let fail = |message: String| ReportError::Formula {
        latex: latex.to_string(),
        message,
    };
    push_mathml(&mut mathml, events.into_iter(), config).map_err(|e| fail(e.to_string()))?;
    // pulldown-latex 0.8 writes `<`, `>` and `\&` raw (`<mo><</mo>`, `<mi>&</mi>`); browsers
    // cope, but the check below, and any XML reader, would not.
    let mathml = mathml
        .replace("><</", ">&lt;</")
        .replace(">></", ">&gt;</")
        .replace(">&</", ">&amp;</");
    // The output is marked safe, and pulldown-latex does not escape everything
    // (`\operatorname{a<b}` comes out as `<mi>a<b</mi>`): accept only balanced MathML.
    check_only_mathml(&mathml)
        .map_err(|m| fail(format!("{m} (markup characters in the formula?)")))?;
    Ok(mathml)
}

fn escape_text(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// One `<math>` element, balanced, of MathML elements only, without handlers or links.
fn check_only_mathml(mathml: &str) -> Result<(), String> {
    let mut open: Vec<&str> = Vec::new();
    for (i, token) in markup::tokenize(mathml)?.into_iter().enumerate() {
        match token {
            Token::Start(tag) => {
                if !is_mathml_element(tag.name) || (i > 0 && open.is_empty()) {
                    return Err(format!("unexpected <{}> in the MathML", tag.name));
                }
                if let Some(attr) = tag.attrs.iter().find(|a| {
                    let name = a.name.to_ascii_lowercase();
                    name.starts_with("on") || name.contains("href") || name == "src"
                }) {
                    return Err(format!("unexpected attribute {} in the MathML", attr.name));
                }
                if !tag.self_closing {
                    open.push(tag.name);
                }
            }
            Token::End(name) => {
                if open.pop() != Some(name) {
                    return Err(format!("unbalanced </{name}> in the MathML"));
                }
            }
            Token::Text(_) => {}
            Token::Comment(_) | Token::Declaration(_) | Token::CData(_) => {
                return Err("unexpected markup in the MathML".into());
            }
        }
    }
    if !open.is_empty() {
        return Err("unclosed element in the MathML".into());
    }
    Ok(())
}

fn is_mathml_element(name: &str) -> bool {
    name == "math"
        || name == "semantics"
        || name == "annotation"
        || name == "none"
        || name == "merror"
        || (name.starts_with('m') && name.len() > 1 && name.bytes().all(|b| b.is_ascii_lowercase()))
            && !name.starts_with("meta")
            && !name.starts_with("menu")
            && !name.starts_with("mark")
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
}
