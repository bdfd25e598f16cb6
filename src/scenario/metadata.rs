//! `[metadata]`: the report's title, introduction and output settings.

use serde::Deserialize;

/// The head of a report.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Metadata {
    /// Report title (plain text).
    pub title: String,
    /// Markdown shown before the first section.
    #[serde(default)]
    pub intro: String,
    /// Output settings.
    #[serde(default)]
    pub output: OutputSettings,
}

/// `[metadata.output]`: how figures are written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OutputSettings {
    /// Multiplies the default PNG size (1.0 gives at least 600 px wide; 2.0 for slides).
    #[serde(default = "default_scale")]
    pub png_scale: f64,
}

fn default_scale() -> f64 {
    1.0
}

impl Default for OutputSettings {
    fn default() -> Self {
        OutputSettings {
            png_scale: default_scale(),
        }
    }
}
