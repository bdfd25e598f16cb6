//! Assemble stage: the HTML report from results and drawn figures.
//!
//! Pure: returns a string; the writer in `cmd/render.rs` puts it on disk.

use std::collections::BTreeMap;
use std::path::Path;

use crate::compute::Results;

#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("template {name}: {message}")]
    Template { name: String, message: String },
    #[error("formula `{latex}`: {message}")]
    Formula { latex: String, message: String },
}

/// The report templates: the embedded defaults, optionally overridden by name from a folder.
pub struct Templates {}

impl Templates {
    /// The default templates embedded in the binary.
    pub fn embedded() -> Result<Templates, ReportError> {
        todo!()
    }

    /// The embedded templates, with any file of `dir` replacing the one of the same name.
    pub fn with_overrides(dir: &Path) -> Result<Templates, ReportError> {
        todo!("{dir:?}")
    }
}

/// Assemble the self-contained `index.html`: `svgs` maps figure name to its SVG document.
pub fn assemble(
    results: &Results,
    svgs: &BTreeMap<String, String>,
    templates: &Templates,
) -> Result<String, ReportError> {
    todo!(
        "{} {} {}",
        results.title,
        svgs.len(),
        templates as *const _ as usize
    )
}
