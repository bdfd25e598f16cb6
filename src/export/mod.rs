//! The export stage: results as `results.json` and CSV tables, as pure
//! functions from computed results to text (hyperfine's `src/export/`); the
//! commands only write what these return.

mod csv_table;
mod json;
mod per_sample;
mod sorted_json;
mod summary;

pub use csv_table::table_csv;
#[cfg(test)]
pub use json::results_json_through_toml;
pub use json::{comparison_json, json_number, non_finite_name, results_json};
pub use per_sample::per_sample_csv;
pub use sorted_json::{JsonError, ResultsJson};
pub use summary::{
    loss_with_params, summary_csv, summary_json, BatchSummary, Check, Comparison, ComparisonResult,
    ComparisonRow, Rank, ReportDigest, ReportOutcome, ReportSummary,
};

/// Why results could not be turned into text (never expected: the
/// results are plain numbers and strings).
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("cannot serialise the results: {0}")]
    Serialise(#[from] toml::ser::Error),
    #[error("cannot serialise the results: {0}")]
    Results(#[from] JsonError),
    #[error("cannot write JSON: {0}")]
    Json(#[from] serde_json::Error),
    #[error("cannot write CSV: {0}")]
    Csv(#[from] csv::Error),
    #[error("CSV is not UTF-8: {0}")]
    Utf8(#[from] std::string::FromUtf8Error),
}
