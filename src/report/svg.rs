//! Figures inline: a plot's SVG document made into a safe, accessible `<svg>` element.

use std::borrow::Cow;
use std::collections::BTreeSet;

use super::markup::{self, Attr, Token};

/// Elements that could run code or pull in other documents; plots never need them.
const FORBIDDEN_ELEMENTS: &[&str] = &[
    "script",
    "foreignobject",
    "iframe",
    "object",
    "embed",
    "handler",
    "listener",
    // Animations can set `href` to `javascript:` after the fact.
    "set",
    "animate",
    "animatemotion",
    "animatetransform",
];

/// Prepare an SVG document for inlining into the report.
///
/// Drops the XML declaration, DOCTYPE and comments; makes the root `role="img"`
/// with `alt` as `aria-label` and `<title>`; prefixes every `id` (and the `#id` /
/// `url(#id)` references to it) with `id_prefix` so two figures never clash;
/// drops the root's `xmlns` (HTML puts inline `<svg>` in the SVG namespace itself).
/// Refuses scripts, event handlers and references to anything outside the document.
pub fn inline_svg(svg: &str, id_prefix: &str, alt: &str) -> Result<String, String> {
    let tokens = markup::tokenize(svg)?;
    let ids: BTreeSet<&str> = tokens
        .iter()
        .filter_map(|t| match t {
            Token::Start(tag) => tag
                .attrs
                .iter()
                .find(|a| a.is("id"))
                .map(|a| a.value.as_ref()),
            _ => None,
        })
        .collect();
    let rewrite = Rewriter {
        prefix: id_prefix,
        ids,
    };

    let mut out = String::with_capacity(svg.len() + 256);
    let mut depth = 0usize;
    let mut in_style = false;
    for token in &tokens {
        match token {
            Token::Comment(_) | Token::Declaration(_) => {}
            Token::Text(text) | Token::CData(text) if depth > 0 => {
                if in_style {
                    check_css(text)?;
                }
                out.push_str(text);
            }
            Token::Text(text) if text.trim().is_empty() => {}
            Token::Text(_) | Token::CData(_) => return Err("text outside the <svg> element".into()),
            Token::Start(tag) => {
                let name = tag.name.to_ascii_lowercase();
                if FORBIDDEN_ELEMENTS.contains(&name.as_str()) {
                    return Err(format!("<{}> is not allowed in an inline figure", tag.name));
                }
                let mut attrs = Vec::with_capacity(tag.attrs.len() + 3);
                for attr in &tag.attrs {
                    if let Some(attr) = rewrite.attr(attr)? {
                        attrs.push(attr);
                    }
                }
                if depth == 0 {
                    if name != "svg" {
                        return Err(format!("the root element is <{}>, not <svg>", tag.name));
                    }
                    write_root(&mut out, tag.name, attrs, alt);
                    if tag.self_closing {
                        out.push_str("</svg>");
                        break;
                    }
                    depth = 1;
                    continue;
                }
                markup::write_start_tag(&mut out, tag.name, &attrs, tag.self_closing);
                if !tag.self_closing {
                    depth += 1;
                    in_style = name == "style";
                }
            }
            Token::End(name) => {
                if depth == 0 {
                    return Err(format!("unexpected </{name}>"));
                }
                out.push_str("</");
                out.push_str(name);
                out.push('>');
                in_style = false;
                depth -= 1;
                if depth == 0 {
                    // Whatever follows the root element is not part of the figure.
                    break;
                }
            }
        }
    }
    if depth != 0 || out.is_empty() {
        return Err("no complete <svg> element".into());
    }
    Ok(out)
}

/// The root start tag with accessibility attributes, then the `<title>`.
fn write_root(out: &mut String, name: &str, mut attrs: Vec<Attr<'_>>, alt: &str) {
    attrs.retain(|a| {
        let lower = a.name.to_ascii_lowercase();
        !(lower == "xmlns"
            || lower.starts_with("xmlns:")
            || matches!(
                lower.as_str(),
                "role" | "aria-label" | "aria-labelledby" | "aria-hidden"
            ))
    });
    // Without a viewBox, CSS `height: auto` cannot scale the plot with its width.
    let has_view_box = attrs.iter().any(|a| a.is("viewbox"));
    let size = |n: &str| {
        attrs
            .iter()
            .find(|a| a.is(n))
            .and_then(|a| a.value.trim_end_matches("px").parse::<f64>().ok())
    };
    let view_box = match (has_view_box, size("width"), size("height")) {
        (false, Some(w), Some(h)) => Some(format!("0 0 {w} {h}")),
        _ => None,
    };
    let alt = escape_xml(alt);
    if let Some(view_box) = view_box {
        attrs.push(Attr {
            name: "viewBox",
            value: Cow::Owned(view_box),
            quote: '"',
        });
    }
    attrs.push(Attr {
        name: "role",
        value: Cow::Borrowed("img"),
        quote: '"',
    });
    attrs.push(Attr {
        name: "aria-label",
        value: Cow::Owned(alt.clone()),
        quote: '"',
    });
    markup::write_start_tag(out, name, &attrs, false);
    out.push_str("<title>");
    out.push_str(&alt);
    out.push_str("</title>");
}

struct Rewriter<'a> {
    prefix: &'a str,
    ids: BTreeSet<&'a str>,
}

impl Rewriter<'_> {
    /// The attribute as it goes into the page, `None` to drop it, or why it cannot.
    fn attr<'v>(&self, attr: &Attr<'v>) -> Result<Option<Attr<'v>>, String> {
        let lower = attr.name.to_ascii_lowercase();
        if lower.starts_with("on") {
            return Err(format!(
                "event handler attribute {} is not allowed",
                attr.name
            ));
        }
        let value = if lower == "id" {
            format!("{}-{}", self.prefix, attr.value)
        } else if lower == "href" || lower == "xlink:href" {
            self.href(&attr.value)?
        } else if attr.value.contains("url(") {
            self.urls(&attr.value)?
        } else {
            return Ok(Some(attr.clone()));
        };
        Ok(Some(Attr {
            name: attr.name,
            value: Cow::Owned(value),
            quote: attr.quote,
        }))
    }

    fn href(&self, value: &str) -> Result<String, String> {
        if let Some(id) = value.strip_prefix('#') {
            return Ok(format!("#{}", self.id(id)));
        }
        let lower = value.trim_start().to_ascii_lowercase();
        // Embedded bitmaps (plotters writes `data:png;base64,...`) are part of the document.
        if lower.starts_with("data:image/") || lower.starts_with("data:png;") {
            return Ok(value.to_string());
        }
        Err(format!(
            "reference to an outside resource `{value}` is not allowed"
        ))
    }

    /// Rewrite `url(#id)` to the prefixed id; any other `url(...)` would load something.
    fn urls(&self, value: &str) -> Result<String, String> {
        let mut out = String::with_capacity(value.len() + 16);
        let mut rest = value;
        while let Some(start) = rest.find("url(") {
            out.push_str(&rest[..start + 4]);
            rest = &rest[start + 4..];
            let end = rest.find(')').ok_or("unterminated url(")?;
            let target = rest[..end].trim().trim_matches(|c| c == '\'' || c == '"');
            let Some(id) = target.strip_prefix('#') else {
                return Err(format!("url({target}) refers to an outside resource"));
            };
            out.push('#');
            out.push_str(&self.id(id));
            out.push(')');
            rest = &rest[end + 1..];
        }
        out.push_str(rest);
        Ok(out)
    }

    /// The prefixed id if the document defines it; dangling references stay as they are.
    fn id(&self, id: &str) -> String {
        if self.ids.contains(id) {
            format!("{}-{id}", self.prefix)
        } else {
            id.to_string()
        }
    }
}

/// A `<style>` element inside a figure may not import or load anything.
fn check_css(css: &str) -> Result<(), String> {
    let lower = css.to_ascii_lowercase();
    if lower.contains("@import") {
        return Err("@import in an inline figure's <style>".into());
    }
    let mut rest = lower.as_str();
    while let Some(start) = rest.find("url(") {
        rest = &rest[start + 4..];
        if !rest
            .trim_start()
            .trim_start_matches(['\'', '"'])
            .starts_with('#')
        {
            return Err("url() to an outside resource in an inline figure's <style>".into());
        }
    }
    Ok(())
}

/// Escape text for XML/HTML content and quoted attribute values.
pub fn escape_xml(text: &str) -> String {
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

    fn inline(svg: &str) -> Result<String, String> {
        inline_svg(svg, "fig-a", "A \"quoted\" <alt>")
    }

    #[test]
    fn root_gets_role_label_title_and_loses_namespace() {
        let html = inline(
            r#"<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="10" height="20" role="presentation"><g/></svg>"#,
        )
        .unwrap();
        assert_eq!(
            html,
            r#"<svg width="10" height="20" viewBox="0 0 10 20" role="img" aria-label="A &quot;quoted&quot; &lt;alt&gt;"><title>A &quot;quoted&quot; &lt;alt&gt;</title><g/></svg>"#
        );
    }

    #[test]
    fn ids_and_their_references_are_prefixed() {
        let html = inline(
            r##"<svg><linearGradient id="g"/><use href="#g"/><use xlink:href="#g"/><rect fill="url(#g)" stroke="url('#other')"/></svg>"##,
        )
        .unwrap();
        assert!(html.contains(r#"id="fig-a-g""#), "{html}");
        assert_eq!(html.matches("\"#fig-a-g\"").count(), 2, "{html}");
        assert!(html.contains("url(#fig-a-g)"), "{html}");
        // A reference to an id the document lacks is left alone (it points nowhere either way).
        assert!(html.contains("url(#other)"), "{html}");
    }

    #[test]
    fn anything_active_or_remote_is_refused() {
        for svg in [
            "<svg><script>alert(1)</script></svg>",
            "<svg onload=\"alert(1)\"></svg>",
            "<svg><g ONCLICK='x'/></svg>",
            "<svg><foreignObject><p>x</p></foreignObject></svg>",
            "<svg><a href=\"javascript:alert(1)\"><text>x</text></a></svg>",
            "<svg><image href=\"https://example.org/x.png\"/></svg>",
            "<svg><rect fill=\"url(https://example.org/p.svg#x)\"/></svg>",
            "<svg><style>@import 'https://example.org/a.css';</style></svg>",
            "<svg><set attributeName=\"href\" to=\"javascript:x\"/></svg>",
            "<html><svg/></html>",
            "<svg><g>",
        ] {
            assert!(inline(svg).is_err(), "accepted {svg}");
        }
    }

    #[test]
    fn embedded_bitmaps_are_kept() {
        let html = inline("<svg><image href=\"data:png;base64,AAAA\"/></svg>").unwrap();
        assert!(html.contains("data:png;base64,AAAA"));
    }

    #[test]
    fn real_plotters_output_inlines() {
        use plotters::prelude::*;
        let mut svg = String::new();
        {
            let root = SVGBackend::with_string(&mut svg, (320, 200)).into_drawing_area();
            root.fill(&WHITE).unwrap();
            let mut chart = ChartBuilder::on(&root)
                .build_cartesian_2d(-1.0..1.0, 0.0..1.0)
                .unwrap();
            let points = (-10..=10).map(|i| (f64::from(i) / 10.0, (f64::from(i) / 10.0).powi(2)));
            chart.draw_series(LineSeries::new(points, &BLUE)).unwrap();
            root.present().unwrap();
        }
        let html = inline(&svg).unwrap();
        assert!(
            html.starts_with(
                "<svg width=\"320\" height=\"200\" viewBox=\"0 0 320 200\" role=\"img\""
            ),
            "{html}"
        );
        assert!(
            html.contains("<polyline") && html.ends_with("</svg>"),
            "{html}"
        );
        assert!(!html.contains("xmlns"));
    }
}
