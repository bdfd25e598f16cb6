//! Whole-report tests on a hand-made `Results`.

use std::collections::BTreeMap;

use super::{assemble, ReportError, Templates};
use crate::compute::{Cell, Erratum, FigureData, Results, Section, TableData};

const XSS: &str = "<script>alert(1)</script>";

/// A small plot as plotters writes it (text escaped by plotters).
fn tiny_svg(colour: &str) -> String {
    format!(
        r##"<svg width="400" height="240" viewBox="0 0 400 240" xmlns="http://www.w3.org/2000/svg">
<rect x="0" y="0" width="400" height="240" fill="#FFFFFF" stroke="none"/>
<line x1="40" y1="210" x2="390" y2="210" stroke="#000000"/>
<line x1="40" y1="10" x2="40" y2="210" stroke="#000000"/>
<polyline fill="none" stroke="{colour}" stroke-width="3" points="40,10 120,130 215,200 310,130 390,10 "/>
<text x="215" y="234" font-family="sans-serif" font-size="14" text-anchor="middle">residual a = ŷ − y</text>
<text x="215" y="24" font-family="sans-serif" font-size="14" text-anchor="middle">&lt;script&gt;alert(1)&lt;/script&gt;</text>
</svg>
"##
    )
}

fn sample() -> (Results, BTreeMap<String, String>) {
    let figure = |name: &str, title: &str, caption: &str| FigureData {
        name: name.into(),
        title: title.into(),
        caption: caption.into(),
        alt: format!("Plot of {name}: a parabola"),
        panels: Vec::new(),
        columns: 1,
        options: Default::default(),
    };
    let results = Results {
        title: format!("Loss functions {XSS}"),
        intro: "An **exact** tour of losses. See [Huber](#huber).\n\n<b>raw</b> ![remote](https://example.org/x.png)".into(),
        sections: vec![
            Section {
                id: "mse".into(),
                title: "Mean squared error".into(),
                markdown: format!("MSE punishes large residuals. {XSS}\n\n[bad](javascript:alert(1))"),
                formulas: vec![r"\mathrm{MSE} = \frac{1}{n}\sum_{i=1}^{n} (y_i - \hat y_i)^2".into()],
                figures: vec!["mse".into()],
                tables: vec!["metrics".into()],
                placed: Vec::new(),
            },
            Section {
                id: "huber".into(),
                title: "Huber loss".into(),
                markdown: "Quadratic near zero, linear beyond $\\delta$.".into(),
                formulas: vec![
                    r"L_\delta(a) = \begin{cases} \frac{1}{2}a^2 & |a| \le \delta \\ \delta(|a| - \frac{1}{2}\delta) & \text{otherwise} \end{cases}".into(),
                ],
                figures: vec!["huber".into()],
                tables: Vec::new(),
                placed: Vec::new(),
            },
        ],
        figures: vec![
            figure("mse", "MSE against the residual", "The parabola of MSE."),
            figure("huber", "Huber, δ = 1", &format!("Caption {XSS}")),
        ],
        tables: vec![TableData {
            name: "metrics".into(),
            title: "Metrics on the figure-1 data".into(),
            caption: format!("Caption {XSS}"),
            columns: vec!["loss".into(), "value".into(), "bound".into()],
            shown: None,
            rows: vec![
                vec![
                    Cell::Text("MSE".into()),
                    Cell::Number { value: 0.75, digits: 3 },
                    Cell::Number { value: f64::INFINITY, digits: 2 },
                ],
                vec![
                    Cell::Text(XSS.into()),
                    Cell::Number { value: 0.583_333_3, digits: 3 },
                    Cell::Number { value: f64::NEG_INFINITY, digits: 2 },
                ],
                vec![
                    Cell::Text("mean of nothing".into()),
                    Cell::Number { value: -1.234_56, digits: 1 },
                    Cell::Number { value: f64::NAN, digits: 2 },
                ],
            ],
        }],
        errata: vec![Erratum {
            id: "bits".into(),
            claim: format!("KL(P‖Q) = 2.832 bits {XSS}"),
            correction: "`np.log` gives **nats**: 2.832 nats is 4.085 bits.".into(),
            evidence: vec![("KL(P‖Q) in nats".into(), 2.832_4), ("KL(P‖Q) in bits".into(), 4.085_1)],
            digits: None,
        }],
        warnings: vec![format!("P sums to 2.21, not 1 {XSS}")],
        explained_warnings: Vec::new(),
        explorables: Vec::new(),
    };
    // The plot stage hands the report inline-ready elements.
    let svgs = [("mse", "#E69F00"), ("huber", "#0072B2")]
        .into_iter()
        .map(|(name, colour)| {
            let figure = results.figures.iter().find(|f| f.name == name).unwrap();
            let inline = crate::plot::inline_svg(&tiny_svg(colour), figure).unwrap();
            (name.to_string(), inline)
        })
        .collect();
    (results, svgs)
}

fn render(results: &Results, svgs: &BTreeMap<String, String>) -> String {
    assemble(results, svgs, &Templates::embedded().unwrap()).unwrap()
}

#[test]
fn report_has_every_part() {
    let (results, svgs) = sample();
    let html = render(&results, &svgs);
    assert!(html.starts_with("<!DOCTYPE html>"), "{html}");
    assert!(html.contains(r#"<meta charset="utf-8">"#));
    assert!(html.contains(r#"<meta name="viewport""#));
    for title in [
        "Mean squared error",
        "Huber loss",
        "Errata",
        "Warnings",
        "Contents",
    ] {
        assert!(html.contains(title), "missing {title}");
    }
    assert!(html.contains(r##"<a href="#mse">Mean squared error</a>"##));
    assert!(html.contains(r#"<section id="huber""#));
    assert_eq!(
        html.matches(r#"<math display="block""#).count(),
        2,
        "{html}"
    );
    assert!(
        html.contains("<math display=\"inline\""),
        "inline $\\delta$"
    );
    assert_eq!(html.matches("<svg").count(), 2);
    assert!(!html.contains("<?xml") && !html.contains("<!DOCTYPE svg"));
    assert!(html.contains(r#"role="img" aria-label="Plot of mse: a parabola""#));
    assert!(html.contains("<title>Plot of huber: a parabola</title>"));
    assert_eq!(html.matches("<figcaption>").count(), 2);
    assert!(html.contains("<table>") && html.contains("<thead>") && html.contains("<caption>"));
    for number in ["0.750", "0.583", "−1.2", "∞", "−∞", "NaN", "4.085"] {
        assert!(
            html.contains(&format!(">{number}</td>")),
            "missing {number}"
        );
    }
    assert!(html.contains(r#"<td class="num">0.750</td>"#));
    assert!(
        html.contains("<strong>nats</strong>"),
        "correction as Markdown"
    );
    assert!(html.contains(&format!(
        "Generated by losslab {}",
        env!("CARGO_PKG_VERSION")
    )));
}

#[test]
fn scenario_text_never_becomes_markup() {
    let (results, svgs) = sample();
    let html = render(&results, &svgs);
    assert!(!html.to_ascii_lowercase().contains("<script"), "{html}");
    assert!(!html.to_ascii_lowercase().contains("javascript:"), "{html}");
    assert!(!html.contains("<b>raw</b>"));
    // Title, caption, cell, prose, claim and warning: each shows the text, escaped.
    assert!(
        html.matches("&lt;script&gt;alert(1)&lt;&#x2F;script&gt;")
            .count()
            >= 6,
        "{html}"
    );
}

#[test]
fn nothing_is_loaded_from_elsewhere() {
    let (results, svgs) = sample();
    let html = render(&results, &svgs).to_ascii_lowercase();
    for attribute in ["src=", "href="] {
        for (i, _) in html.match_indices(attribute) {
            let value = &html[i + attribute.len()..];
            let tag_start = html[..i].rfind('<').unwrap();
            let tag = &html[tag_start..i];
            let remote = value.starts_with("\"http")
                || value.starts_with("'http")
                || value.starts_with("\"//");
            assert!(
                !remote || tag.starts_with("<a "),
                "remote resource in {tag}{value:.60}"
            );
        }
    }
    for forbidden in [
        "<script",
        "<link",
        "<img",
        "<iframe",
        "@import",
        "url(http",
        "@font-face",
    ] {
        assert!(!html.contains(forbidden), "{forbidden}");
    }
    assert!(
        !html.contains("http://") && !html.contains("https://"),
        "no URL at all here"
    );
}

#[test]
fn rendering_is_deterministic() {
    let (results, svgs) = sample();
    assert_eq!(render(&results, &svgs), render(&results, &svgs));
}

/// One report's templates leave out only the landing page's, and render the
/// page byte for byte as the full set does.
#[test]
fn report_templates_are_the_full_set_without_the_landing_page() {
    let (results, svgs) = sample();
    let report = Templates::embedded_report().unwrap();
    let all = Templates::embedded().unwrap();
    let mut expected = all.names();
    expected.retain(|name| name != "landing.html" && name != "landing.css");
    assert_eq!(report.names(), expected);
    assert!(expected.len() + 2 == all.names().len());
    assert_eq!(
        assemble(&results, &svgs, &report).unwrap(),
        render(&results, &svgs)
    );
}

#[test]
fn a_figure_shown_twice_gets_unique_ids() {
    let (mut results, svgs) = sample();
    results.sections[1].figures.push("mse".into());
    let html = render(&results, &svgs);
    assert!(
        html.contains(r#"<figure id="fig-mse" "#) && html.contains(r#"<figure id="fig-mse-2" "#)
    );
    // The drawing itself has no ids to clash (plotters writes none).
    assert_eq!(html.matches("<svg").count(), 3);
}

#[test]
fn a_figure_without_svg_is_an_error_naming_it() {
    let (results, mut svgs) = sample();
    svgs.remove("huber");
    let error = assemble(&results, &svgs, &Templates::embedded().unwrap()).unwrap_err();
    assert!(matches!(error, ReportError::MissingFigure { ref name, .. } if name == "huber"));
    assert!(error.to_string().contains("huber"), "{error}");
}

#[test]
fn a_bad_formula_is_an_error_naming_it() {
    let (mut results, svgs) = sample();
    results.sections[1].formulas.push(r"\frac{1}{".into());
    let error = assemble(&results, &svgs, &Templates::embedded().unwrap()).unwrap_err();
    assert!(matches!(error, ReportError::Formula { ref latex, .. } if latex == r"\frac{1}{"));
}

#[test]
fn an_override_replaces_the_embedded_template() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("figure.html"),
        "<div class=\"mine\">{{ figure.title }} {{ figure.svg_html | safe }}</div>",
    )
    .unwrap();
    std::fs::write(dir.path().join("extra.html"), "unused").unwrap();
    let templates = Templates::with_overrides(dir.path()).unwrap();
    assert!(templates.names().contains(&"extra.html".to_string()));
    let (results, svgs) = sample();
    let html = assemble(&results, &svgs, &templates).unwrap();
    assert_eq!(html.matches(r#"<div class="mine">"#).count(), 2);
    assert!(!html.contains("<figcaption>"));
    // Still autoescaped: an override cannot switch off escaping of scenario text by accident.
    assert!(!html.contains("<script"));
}

#[test]
fn a_broken_override_is_an_error_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("table.html"),
        "{% for row in table.rows %}oops",
    )
    .unwrap();
    let error = Templates::with_overrides(dir.path()).expect_err("must fail");
    assert!(matches!(error, ReportError::Template { ref name, .. } if name == "table.html"));
    assert!(error.to_string().contains("table.html"), "{error}");
}

#[test]
fn a_missing_override_folder_is_an_error_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("no-such-folder");
    let error = Templates::with_overrides(&missing).expect_err("must fail");
    assert!(error.to_string().contains("no-such-folder"), "{error}");
}

#[test]
fn an_override_failing_at_render_time_names_the_template() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("toc.html"), "{{ no_such_variable }}").unwrap();
    let templates = Templates::with_overrides(dir.path()).unwrap();
    let (results, svgs) = sample();
    let error = assemble(&results, &svgs, &templates).unwrap_err();
    assert!(error.to_string().contains("toc.html"), "{error}");
}

/// Writes the sample report for a look in a browser:
/// `cargo test --lib report::tests::write_preview -- --ignored`.
#[test]
#[ignore]
fn write_preview() {
    let (results, svgs) = sample();
    let dir = std::path::Path::new("/tmp/report-test");
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(dir.join("index.html"), render(&results, &svgs)).unwrap();
}

/// Two links to the folder itself made the walk exponential, a link to
/// `/proc/self` endless: links to folders are refused, not followed.
#[cfg(unix)]
#[test]
fn symlinked_template_folders_are_not_followed() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("toc.html"), "toc").unwrap();
    std::os::unix::fs::symlink(dir.path(), dir.path().join("a")).unwrap();
    std::os::unix::fs::symlink(dir.path(), dir.path().join("b")).unwrap();
    let error = Templates::with_overrides(dir.path()).expect_err("must fail");
    assert!(
        error
            .to_string()
            .contains("links to folders are not followed"),
        "{error}"
    );
    // A link to a file is a file.
    let other = tempfile::tempdir().unwrap();
    std::fs::write(other.path().join("real.html"), "real").unwrap();
    std::os::unix::fs::symlink(
        other.path().join("real.html"),
        other.path().join("toc.html"),
    )
    .unwrap();
    let templates = Templates::with_overrides(other.path()).unwrap();
    assert!(templates.names().contains(&"real.html".to_string()));
}

#[test]
fn template_folders_are_bounded_in_depth() {
    let dir = tempfile::tempdir().unwrap();
    let mut deep = dir.path().to_path_buf();
    for i in 0..12 {
        deep = deep.join(format!("d{i}"));
    }
    std::fs::create_dir_all(&deep).unwrap();
    std::fs::write(deep.join("x.html"), "x").unwrap();
    let error = Templates::with_overrides(dir.path()).expect_err("must fail");
    assert!(error.to_string().contains("nest deeper"), "{error}");
}

#[cfg(unix)]
#[test]
fn a_device_as_template_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink("/dev/zero", dir.path().join("toc.html")).unwrap();
    let error = Templates::with_overrides(dir.path()).expect_err("must fail");
    assert!(error.to_string().contains("not a regular file"), "{error}");
}
