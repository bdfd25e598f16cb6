//! The MathML a report may contain: pulldown-latex's output is parsed and
//! written again from an allow-list of elements and attributes, each value
//! checked against what that attribute means (a keyword, a boolean, a
//! length, a number). Anything else, such as `style`, `href`, `id`,
//! `mathbackground` or an element that is not MathML, fails the formula,
//! so no text of the user can become markup or a remote reference.

use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;

/// The kind of value an attribute may hold.
#[derive(Clone, Copy)]
enum Value {
    Bool,
    /// `0.1667em`, `-2mu`, `1.2`, `50%`.
    Length,
    /// A small integer (`scriptlevel`).
    Integer,
    /// One of these words.
    Keyword(&'static [&'static str]),
    /// Space-separated words, each one of these.
    Keywords(&'static [&'static str]),
    /// Space-separated `menv-…`/`mop-…` class names of pulldown-latex.
    Classes,
}

const ALIGN: &[&str] = &[
    "left", "center", "right", "top", "bottom", "baseline", "axis",
];
const LINES: &[&str] = &["none", "solid", "dashed"];
const VARIANTS: &[&str] = &[
    "normal",
    "bold",
    "italic",
    "bold-italic",
    "double-struck",
    "bold-fraktur",
    "script",
    "bold-script",
    "fraktur",
    "sans-serif",
    "bold-sans-serif",
    "sans-serif-italic",
    "sans-serif-bold-italic",
    "monospace",
];

/// Elements pulldown-latex writes, and the few layout elements of MathML Core.
const ELEMENTS: &[&str] = &[
    "math",
    "semantics",
    "annotation",
    "mrow",
    "mi",
    "mn",
    "mo",
    "ms",
    "mtext",
    "mspace",
    "msup",
    "msub",
    "msubsup",
    "mfrac",
    "msqrt",
    "mroot",
    "munder",
    "mover",
    "munderover",
    "mmultiscripts",
    "mprescripts",
    "none",
    "mtable",
    "mtr",
    "mtd",
    "mstyle",
    "mpadded",
    "mphantom",
];

/// The attribute `name` of element `element`: what its value may be.
fn attribute(element: &str, name: &str) -> Option<Value> {
    use Value::*;
    Some(match (element, name) {
        ("math", "display") => Keyword(&["block", "inline"]),
        ("annotation", "encoding") => Keyword(&["application/x-tex"]),
        (_, "mathvariant") => Keyword(VARIANTS),
        (_, "displaystyle") => Bool,
        (_, "scriptlevel") => Integer,
        ("mo", "stretchy" | "symmetric" | "movablelimits" | "largeop" | "fence" | "separator") => {
            Bool
        }
        ("mo", "minsize" | "maxsize" | "lspace" | "rspace") => Length,
        ("mo", "form") => Keyword(&["prefix", "infix", "postfix"]),
        ("mover" | "munderover", "accent") | ("munder" | "munderover", "accentunder") => Bool,
        ("mspace" | "mpadded", "width" | "height" | "depth") => Length,
        ("mpadded", "lspace" | "voffset") => Length,
        ("mfrac", "linethickness") => Length,
        ("mtable" | "mtr" | "mtd", "class") => Classes,
        ("mtable" | "mtr" | "mtd", "columnalign" | "rowalign") => Keywords(ALIGN),
        ("mtable", "columnlines" | "rowlines" | "frame") => Keywords(LINES),
        ("mtable", "columnspacing" | "rowspacing") => Length,
        ("mtd", "columnspan" | "rowspan") => Integer,
        _ => return None,
    })
}

fn value_is_valid(kind: Value, value: &str) -> bool {
    match kind {
        Value::Bool => matches!(value, "true" | "false"),
        Value::Length => is_length(value),
        Value::Integer => {
            let digits = value.strip_prefix('-').unwrap_or(value);
            (1..=3).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit())
        }
        Value::Keyword(words) => words.contains(&value),
        Value::Keywords(words) => value.split(' ').all(|w| words.contains(&w)),
        Value::Classes => value.split(' ').all(|class| {
            (class.starts_with("menv-") || class.starts_with("mop-"))
                && class.bytes().all(|b| b.is_ascii_lowercase() || b == b'-')
        }),
    }
}

/// A number with an optional CSS or TeX unit: `0.1667em`, `-3mu`, `1.2`, `50%`.
fn is_length(value: &str) -> bool {
    let body = value.strip_prefix('-').unwrap_or(value);
    let number_end = body
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(body.len());
    let (number, unit) = body.split_at(number_end);
    number.bytes().any(|b| b.is_ascii_digit())
        && number.matches('.').count() <= 1
        && number.len() <= 12
        && matches!(unit, "" | "em" | "ex" | "px" | "pt" | "mu" | "%")
}

/// Entities pulldown-latex writes in text.
fn entity_is_allowed(name: &str) -> bool {
    matches!(name, "amp" | "lt" | "gt" | "quot" | "apos" | "nbsp")
        || name
            .strip_prefix("#x")
            .is_some_and(|hex| !hex.is_empty() && hex.bytes().all(|b| b.is_ascii_hexdigit()))
        || name
            .strip_prefix('#')
            .is_some_and(|dec| !dec.is_empty() && dec.bytes().all(|b| b.is_ascii_digit()))
}

/// Write `mathml` again from the allow-list; an error names the first thing
/// that is not allowed. Allowed input comes out byte for byte as it went in.
pub fn rebuild_allowed(mathml: &str) -> Result<String, String> {
    let mut reader = Reader::from_str(mathml);
    reader.config_mut().check_end_names = true;
    let mut out = String::with_capacity(mathml.len());
    let mut open: Vec<String> = Vec::new();
    let mut seen_root = false;
    loop {
        let event = reader
            .read_event()
            .map_err(|e| format!("the MathML does not parse: {e}"))?;
        match event {
            Event::Start(tag) | Event::Empty(tag) if seen_root && open.is_empty() => {
                return Err(format!(
                    "unexpected <{}> after the <math> element",
                    tag.name().into_inner()
                ));
            }
            Event::Start(tag) => {
                let name = start_tag(&tag, &mut out, open.is_empty())?;
                out.push('>');
                seen_root = true;
                open.push(name);
            }
            Event::Empty(tag) => {
                start_tag(&tag, &mut out, open.is_empty())?;
                out.push_str(" />");
                seen_root = true;
            }
            Event::End(tag) => {
                let name = tag.name().into_inner().to_string();
                if open.pop().as_deref() != Some(name.as_str()) {
                    return Err(format!("unbalanced </{name}> in the MathML"));
                }
                out.push_str("</");
                out.push_str(&name);
                out.push('>');
            }
            Event::Text(text) if !open.is_empty() => {
                let raw: &str = &text;
                out.push_str(&raw.replace('>', "&gt;"));
            }
            Event::GeneralRef(reference) if !open.is_empty() => {
                let name: &str = &reference;
                if !entity_is_allowed(name) {
                    return Err(format!("unexpected entity &{name}; in the MathML"));
                }
                out.push('&');
                out.push_str(name);
                out.push(';');
            }
            Event::Eof => break,
            _ => return Err("unexpected markup in the MathML".into()),
        }
    }
    if !open.is_empty() || !seen_root {
        return Err("unclosed element in the MathML".into());
    }
    Ok(out)
}

/// Check one start tag against the allow-list and write `<name attrs`
/// (without the closing `>`); returns the element name.
fn start_tag(tag: &BytesStart, out: &mut String, is_root: bool) -> Result<String, String> {
    let name = tag.name().into_inner().to_string();
    if !ELEMENTS.contains(&name.as_str()) || (is_root != (name == "math")) {
        return Err(format!("unexpected <{name}> in the MathML"));
    }
    out.push('<');
    out.push_str(&name);
    for attr in tag.attributes() {
        let attr = attr.map_err(|e| format!("a malformed attribute in the MathML: {e}"))?;
        let key = attr.key.into_inner().to_string();
        let value = attr.value.to_string();
        let allowed = attribute(&name, &key).is_some_and(|kind| value_is_valid(kind, &value));
        if !allowed {
            return Err(format!(
                "unexpected attribute {key}=\"{value}\" on <{name}> in the MathML"
            ));
        }
        out.push(' ');
        out.push_str(&key);
        out.push_str("=\"");
        out.push_str(&value);
        out.push('"');
    }
    Ok(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allowed_mathml_comes_out_unchanged() {
        let mathml = "<math display=\"block\"><semantics><mrow><mi mathvariant=\"normal\">a</mi>\
                      <mspace width=\"0.1667em\" /><mo stretchy=\"false\">&lt;</mo><mtext>&nbsp;x&amp;y</mtext>\
                      <mtable class=\"menv-cells-left menv-cases\"><mtr><mtd><mn>1</mn></mtd></mtr></mtable></mrow>\
                      <annotation encoding=\"application/x-tex\">a &lt; b</annotation></semantics></math>";
        assert_eq!(rebuild_allowed(mathml).unwrap(), mathml);
    }

    /// What the issue found reaching the page, and its relatives.
    #[test]
    fn styles_urls_ids_and_foreign_elements_are_refused() {
        for bad in [
            "<math><mtext style=\"position:fixed;background:url(https://x.org/a)\">x</mtext></math>",
            "<math><mrow mathbackground=\"red\">x</mrow></math>",
            "<math><mi id=\"main\">x</mi></math>",
            "<math><mi href=\"https://x.org\">x</mi></math>",
            "<math><mi onclick=\"alert(1)\">x</mi></math>",
            "<math><mi class=\"evil\">x</mi></math>",
            "<math><mtable class=\"menv-x evil\"></mtable></math>",
            "<math><mspace width=\"url(x)\" /></math>",
            "<math><img src=\"x\" /></math>",
            "<math><mi>a</mi></math><script>x</script>",
            "<math><maction actiontype=\"toggle\">x</maction></math>",
            "<math><mi>&xxe;</mi></math>",
            "<math><!-- c --></math>",
            "<mi>x</mi>",
            "<math><mi>x</mo></math>",
        ] {
            assert!(rebuild_allowed(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn lengths() {
        for good in ["0.1667em", "1em", "-3mu", "1.2", "50%", "0"] {
            assert!(is_length(good), "{good}");
        }
        for bad in ["", "em", "1..2em", "1em;", "calc(1em)", "1e9em", "url(x)"] {
            assert!(!is_length(bad), "{bad}");
        }
    }
}
