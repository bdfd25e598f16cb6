//! Markdown prose → HTML with raw HTML disabled and nothing loaded from elsewhere.

use pulldown_cmark::{html, CowStr, Event, HeadingLevel, LinkType, Options, Parser, Tag, TagEnd};
use pulldown_latex::config::DisplayMode;

use super::math::latex_to_mathml;
use super::ReportError;

/// Render scenario Markdown as HTML that is safe to mark `safe` in a template.
///
/// - Raw HTML (blocks and inline) is shown as text, so `<script>` in prose stays text.
/// - Links keep only relative targets, `#anchors`, `http(s):` and `mailto:`; a
///   `javascript:`, `data:` or other scheme link becomes its plain text.
/// - Images are never emitted (they would be a remote or outside resource): their
///   alt text is shown instead, in brackets.
/// - `$...$` and `$$...$$` become MathML.
/// - Headings are shifted down by `heading_offset` (1 → `#` is `<h2>`) so prose never
///   competes with the page's own headings.
pub fn markdown_to_html(markdown: &str, heading_offset: usize) -> Result<String, ReportError> {
    let options = Options::ENABLE_TABLES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_MATH;
    let mut events = Vec::new();
    // Link ends must match their starts: remember which links were dropped.
    let mut kept_links = Vec::new();
    for event in Parser::new_ext(markdown, options) {
        let event = match event {
            Event::Html(text) | Event::InlineHtml(text) => Event::Text(text),
            // A raw HTML block's content is now text; give it a paragraph to live in.
            Event::Start(Tag::HtmlBlock) => Event::Start(Tag::Paragraph),
            Event::End(TagEnd::HtmlBlock) => Event::End(TagEnd::Paragraph),
            Event::InlineMath(latex) => {
                Event::InlineHtml(latex_to_mathml(&latex, DisplayMode::Inline)?.into())
            }
            Event::DisplayMath(latex) => {
                Event::InlineHtml(latex_to_mathml(&latex, DisplayMode::Block)?.into())
            }
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                let keep = link_is_allowed(link_type, &dest_url);
                kept_links.push(keep);
                if !keep {
                    continue;
                }
                Event::Start(Tag::Link {
                    link_type,
                    dest_url,
                    title,
                    id,
                })
            }
            Event::End(TagEnd::Link) => {
                if !kept_links.pop().unwrap_or(false) {
                    continue;
                }
                Event::End(TagEnd::Link)
            }
            Event::Start(Tag::Image { .. }) => Event::Text(CowStr::Borrowed("[image: ")),
            Event::End(TagEnd::Image) => Event::Text(CowStr::Borrowed("]")),
            Event::Start(Tag::Heading { level, .. }) => Event::Start(Tag::Heading {
                level: shift(level, heading_offset),
                // Ids and classes from `{#id .class}` are not enabled; start clean anyway.
                id: None,
                classes: Vec::new(),
                attrs: Vec::new(),
            }),
            Event::End(TagEnd::Heading(level)) => {
                Event::End(TagEnd::Heading(shift(level, heading_offset)))
            }
            other => other,
        };
        events.push(event);
    }
    let mut out = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut out, events.into_iter());
    Ok(out)
}

fn shift(level: HeadingLevel, offset: usize) -> HeadingLevel {
    let shifted = (level as usize + offset).min(6);
    HeadingLevel::try_from(shifted).unwrap_or(HeadingLevel::H6)
}

/// Whether a link may be an `<a>`: a relative path, an anchor, or a web or mail address.
fn link_is_allowed(link_type: LinkType, url: &str) -> bool {
    if link_type == LinkType::Email {
        return true;
    }
    // Browsers ignore ASCII whitespace and control characters inside a scheme
    // (`java\tscript:`), so look at the URL the way they do.
    let cleaned: String = url
        .chars()
        .filter(|c| !c.is_ascii_whitespace() && !c.is_ascii_control())
        .collect::<String>()
        .to_ascii_lowercase();
    let scheme_end = cleaned.find([':', '/', '?', '#']);
    match scheme_end {
        Some(i) if cleaned.as_bytes()[i] == b':' => {
            matches!(&cleaned[..i], "http" | "https" | "mailto")
        }
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn md(text: &str) -> String {
        markdown_to_html(text, 2).unwrap()
    }

    #[test]
    fn raw_html_is_text() {
        let html = md("Hi <script>alert(1)</script> there\n\n<div onclick=\"x\">block</div>\n");
        assert!(!html.contains("<script"), "{html}");
        assert!(
            html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
            "{html}"
        );
        assert!(!html.contains("<div"), "{html}");
    }

    #[test]
    fn dangerous_links_become_text() {
        let html = md("[a](javascript:alert(1)) [b](java\tscript:x) [c](data:text/html,x) [d](#sec) [e](https://example.org)");
        assert!(!html.to_ascii_lowercase().contains("javascript"), "{html}");
        assert!(!html.contains("data:"), "{html}");
        assert!(html.contains(r##"<a href="#sec">d</a>"##), "{html}");
        assert!(
            html.contains(r#"<a href="https://example.org">e</a>"#),
            "{html}"
        );
        assert!(html.contains('a') && html.contains('b') && html.contains('c'));
    }

    #[test]
    fn images_become_their_alt_text() {
        let html = md("![a plot](https://example.org/x.png) and ![local](x.png)");
        assert!(!html.contains("<img"), "{html}");
        assert!(!html.contains("example.org"), "{html}");
        assert!(html.contains("[image: a plot]"), "{html}");
    }

    #[test]
    fn headings_are_shifted_and_math_is_mathml() {
        let html = md("# Title\n\nThe mean $\\bar y$ is\n\n$$\\sum_i y_i / n$$\n");
        assert!(html.contains("<h3>Title</h3>"), "{html}");
        assert!(html.contains("<math"), "{html}");
        assert!(html.contains(r#"display="block""#), "{html}");
    }

    #[test]
    fn bad_inline_math_names_the_formula() {
        let error = markdown_to_html("see $\\nosuchcommand x$ here", 2).unwrap_err();
        assert!(error.to_string().contains("\\nosuchcommand x"), "{error}");
    }
}
