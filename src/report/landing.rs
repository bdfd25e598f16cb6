//! The landing page of a batch (`OUT/index.html`): every report with its
//! title, first sentence, warnings and failed checks, and one table of every
//! comparison result across the reports.
//!
//! Like [`super::ReportContext`], the view is plain and serialisable and
//! holds no HTML: tera escapes every string of it.

use pulldown_cmark::{Event, Options, Parser, TagEnd};
use serde::Serialize;

use crate::export::{BatchSummary, Check, ComparisonRow, ReportOutcome};
use crate::format::format_evidence;

/// The longest one-line summary, in characters; a longer first sentence is cut at a word.
const SUMMARY_CHARS: usize = 240;

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct LandingContext {
    pub title: String,
    /// losslab's version, for the footer and the generator meta tag.
    pub version: String,
    pub reports: Vec<LandingReport>,
    /// Every comparison result of every report.
    pub comparisons: Vec<LandingRow>,
    pub rendered: usize,
    pub failed: usize,
    /// Reports with at least one failed check.
    pub failing_checks: usize,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct LandingReport {
    pub folder: String,
    /// Relative link to the report (`a/index.html`); empty for a failed scenario.
    pub href: String,
    pub config: String,
    pub title: String,
    pub summary: String,
    pub warnings: Vec<String>,
    pub checks_total: usize,
    pub checks_passed: usize,
    pub failed_checks: Vec<String>,
    /// The error of a scenario that could not be rendered; empty otherwise.
    pub error: String,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct LandingRow {
    pub report: String,
    pub href: String,
    pub comparison: String,
    pub loss: String,
    pub model: String,
    pub n: String,
    pub value: String,
    /// `[low, high]` with the confidence, or empty without an interval.
    pub interval: String,
    pub rank: String,
    /// The best model under this loss in its comparison.
    pub best: bool,
}

impl LandingContext {
    pub fn build(summary: &BatchSummary) -> LandingContext {
        let reports: Vec<LandingReport> = summary.reports.iter().map(report_view).collect();
        let failed = reports.iter().filter(|r| !r.error.is_empty()).count();
        let failing_checks = reports
            .iter()
            .filter(|r| !r.failed_checks.is_empty())
            .count();
        LandingContext {
            title: "losslab reports".into(),
            version: env!("CARGO_PKG_VERSION").to_string(),
            rendered: reports.len() - failed,
            failed,
            failing_checks,
            comparisons: summary.comparison_rows().iter().map(row_view).collect(),
            reports,
        }
    }
}

fn report_view(report: &crate::export::ReportSummary) -> LandingReport {
    let mut view = LandingReport {
        folder: report.folder.clone(),
        href: String::new(),
        config: report.config.clone(),
        title: report.folder.clone(),
        summary: String::new(),
        warnings: Vec::new(),
        checks_total: 0,
        checks_passed: 0,
        failed_checks: Vec::new(),
        error: String::new(),
    };
    match &report.outcome {
        ReportOutcome::Rendered(digest) => {
            view.href = format!("{}/index.html", report.folder);
            view.title = digest.title.clone();
            view.summary = first_sentence(&digest.intro);
            view.warnings = digest.warnings.clone();
            view.checks_total = digest.checks.len();
            view.checks_passed = digest.checks.iter().filter(|c| c.passed).count();
            view.failed_checks = digest.failed_checks().map(Check::text).collect();
        }
        ReportOutcome::Failed(error) => view.error = error.clone(),
    }
    view
}

fn row_view(row: &ComparisonRow) -> LandingRow {
    let interval = match (row.ci_low, row.ci_high) {
        (Some(low), Some(high)) => {
            let level = row
                .confidence
                .map(|c| format!("{} % ", format_evidence(100.0 * c)))
                .unwrap_or_default();
            format!(
                "{level}[{}, {}]",
                format_evidence(low),
                format_evidence(high)
            )
        }
        _ => String::new(),
    };
    LandingRow {
        report: row.report.clone(),
        href: format!("{}/index.html", row.report),
        comparison: row.comparison.clone(),
        loss: row.loss.clone(),
        model: row.model.clone(),
        n: row.n.map(|n| n.to_string()).unwrap_or_default(),
        value: format_evidence(row.value),
        interval,
        rank: row.rank.map(|r| r.to_string()).unwrap_or_default(),
        best: row.rank == Some(1),
    }
}

/// The first sentence of Markdown prose as plain text, on one line: what a
/// list of reports shows under each title. A sentence ends at `.`, `!` or
/// `?` followed by a space and a capital (so `e.g. this` does not end one),
/// or with its paragraph.
pub fn first_sentence(markdown: &str) -> String {
    let mut text = String::new();
    for event in Parser::new_ext(markdown, Options::ENABLE_MATH) {
        match event {
            Event::Text(t) | Event::Code(t) | Event::InlineMath(t) | Event::DisplayMath(t) => {
                text.push_str(&t)
            }
            Event::SoftBreak | Event::HardBreak => text.push(' '),
            Event::End(TagEnd::Paragraph | TagEnd::Heading(_)) if !text.trim().is_empty() => break,
            _ => {}
        }
    }
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let chars: Vec<char> = text.chars().collect();
    let end = chars
        .windows(3)
        .position(|w| matches!(w[0], '.' | '!' | '?') && w[1] == ' ' && w[2].is_uppercase())
        .map_or(chars.len(), |i| i + 1);
    if end <= SUMMARY_CHARS {
        return chars[..end].iter().collect();
    }
    let cut: String = chars[..SUMMARY_CHARS].iter().collect();
    let at_word = cut.rfind(' ').map_or(cut.as_str(), |i| &cut[..i]);
    format!("{at_word}…")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_summary_is_the_first_sentence_in_plain_text() {
        assert_eq!(
            first_sentence("This page *retraces* the `article`, e.g. its\nfigures. More here."),
            "This page retraces the article, e.g. its figures."
        );
        assert_eq!(first_sentence("# Heading\n\nBody."), "Heading");
        assert_eq!(first_sentence(""), "");
        assert_eq!(
            first_sentence("A loss $\\ell(y)$ is small"),
            "A loss \\ell(y) is small"
        );
        let long = "word ".repeat(100);
        let summary = first_sentence(&long);
        assert!(summary.ends_with('…') && summary.chars().count() <= SUMMARY_CHARS + 1);
    }
}
