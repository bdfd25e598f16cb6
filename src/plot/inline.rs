//! The inline form of a drawn figure: the drawing of `figures/<name>.svg`
//! as an `<svg>` element the report puts straight into its page.
//!
//! The plot stage writes it from its own document rather than the report
//! reading the document back: plotters escapes every text and attribute
//! value it writes and draws no script, link, style sheet or `id`, so the
//! only change is the root element, which gets `role="img"` and the figure's
//! accessible name (as `aria-label` and `<title>`) and loses `xmlns` (HTML
//! puts an inline `<svg>` in the SVG namespace itself).

/// The namespace declaration plotters ends its root start tag with.
const XMLNS: &str = r#" xmlns="http://www.w3.org/2000/svg""#;

/// The inline element of an SVG document written by [`super::draw_svg`].
pub fn inline_element(document: &str, name: &str) -> Result<String, String> {
    let unexpected = || "unexpected SVG from plotters".to_string();
    let (root, body) = document.split_once('>').ok_or_else(unexpected)?;
    let root = root
        .strip_suffix(XMLNS)
        .filter(|root| root.starts_with("<svg "))
        .ok_or_else(unexpected)?;
    // Whatever follows the root element (a final newline) is not part of the figure.
    let end = body.rfind("</svg>").ok_or_else(unexpected)? + "</svg>".len();
    let name = escape_xml(name);
    Ok(format!(
        "{root} role=\"img\" aria-label=\"{name}\"><title>{name}</title>{}",
        &body[..end]
    ))
}

/// Escape text for XML content and quoted attribute values.
fn escape_xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_root_gets_a_role_a_name_and_no_namespace() {
        let document = "<svg width=\"10\" height=\"20\" viewBox=\"0 0 40 80\" xmlns=\"http://www.w3.org/2000/svg\">\n<rect x=\"0\"/>\n</svg>\n";
        assert_eq!(
            inline_element(document, "A \"quoted\" <alt>").unwrap(),
            "<svg width=\"10\" height=\"20\" viewBox=\"0 0 40 80\" role=\"img\" aria-label=\"A &quot;quoted&quot; &lt;alt&gt;\"><title>A &quot;quoted&quot; &lt;alt&gt;</title>\n<rect x=\"0\"/>\n</svg>"
        );
    }

    #[test]
    fn a_document_plotters_did_not_write_is_refused() {
        for document in ["", "<html><svg/></html>", "<svg width=\"1\">no end"] {
            assert!(inline_element(document, "x").is_err(), "{document}");
        }
    }
}
