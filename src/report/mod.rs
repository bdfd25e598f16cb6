//! Assemble stage: the HTML report from results and drawn figures.
//!
//! Pure: returns a string; the writer in `cmd/render.rs` puts it on disk.
//!
//! The flow is `Results` → [`ReportContext`] (a serialisable view whose only
//! HTML is pre-rendered here, on purpose: Markdown without raw HTML, MathML,
//! sanitised inline SVG) → tera templates with autoescaping on.
//!
//! Templates (override any by name with `Templates::with_overrides`): `index.html`
//! (entry; extends `base.html`), `base.html` (page shell; includes `style.css`),
//! `toc.html`, `warnings.html`, `section.html` (loop variable `section`), `figure.html`
//! (`figure`), `table.html` (`table`), `errata.html`. They see the fields of
//! [`ReportContext`]; only `*_html` fields may be piped through `| safe`.

mod context;
mod landing;
mod markdown;
mod math;
mod mathml_allow;
mod templates;

#[cfg(test)]
mod tests;

use std::collections::BTreeMap;

use crate::compute::Results;

pub use context::{
    CellView, ColumnView, ErratumView, EvidenceView, FigureView, FrameView, PlacedView,
    ReportContext, SectionView, TableView, TocEntry,
};
pub use landing::{first_sentence, LandingContext, LandingReport, LandingRow};
pub use templates::{Templates, ENTRY_TEMPLATE, LANDING_TEMPLATE};

#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("template {name}: {message}")]
    Template { name: String, message: String },
    #[error("formula `{latex}`: {message}")]
    Formula { latex: String, message: String },
    /// A section lists a figure that is not in `Results::figures` or has no SVG.
    #[error("section `{section}`: figure `{name}` {problem}")]
    MissingFigure {
        section: String,
        name: String,
        problem: &'static str,
    },
    /// A section lists a table that is not in `Results::tables`.
    #[error("section `{section}`: table `{name}` is not in the results")]
    MissingTable { section: String, name: String },
}

/// Assemble the self-contained `index.html`: `svgs` maps figure name to its SVG document.
pub fn assemble(
    results: &Results,
    svgs: &BTreeMap<String, String>,
    templates: &Templates,
) -> Result<String, ReportError> {
    let context = ReportContext::build(results, svgs)?;
    templates.render(&context)
}

/// The landing page of a batch of reports (`OUT/index.html`).
pub fn assemble_landing(
    summary: &crate::export::BatchSummary,
    templates: &Templates,
) -> Result<String, ReportError> {
    templates.render_landing(&LandingContext::build(summary))
}

/// Convert Markdown (with `$…$` formulas) as `assemble` will, and drop the
/// result: `check` finds what `render` would, without assembling a page.
pub fn check_markdown(markdown: &str) -> Result<(), ReportError> {
    markdown::markdown_to_html(markdown, 0).map(drop)
}

/// Convert one display formula as `assemble` will, and drop the result.
pub fn check_formula(latex: &str) -> Result<(), ReportError> {
    math::latex_to_mathml(latex, pulldown_latex::config::DisplayMode::Block).map(drop)
}
