//! Parse and validate stages: the TOML scenario format.
//!
//! A scenario is one TOML file with one array of tables per concept:
//! `[metadata]`, `[[datasets]]`, `[[losses]]`, `[[distributions]]`,
//! `[[normals]]`, `[[trainings]]`, `[[quantities]]`, `[[figures]]`, `[[tables]]`,
//! `[[sections]]`, `[[errata]]`, `[[comparisons]]` and `[[checks]]`. [`parse_str`] turns the text into a
//! [`Scenario`] (serde, strict: unknown keys fail with toml's own line, column
//! and caret); [`validate`] resolves every reference and builds every loss
//! through the core, giving a [`ValidScenario`] the compute stage can trust.
//! Run `losslab new NAME` for a commented example.

mod check;
mod comparison;
mod context;
mod data_file;
mod dataset;
mod distribution;
mod error;
mod figure;
mod figure_options;
mod grid;
mod locate;
mod loss_spec;
mod metadata;
mod model_columns;
mod placement;
mod quantity;
mod query;
pub mod query_table;
mod saturation;
mod text;
mod training;
mod training_data;
mod training_figure;
mod training_types;
mod valid;
mod validate;
mod wording;

use std::path::Path;

use serde::Deserialize;

pub use check::CheckSpec;
pub use comparison::{ComparisonSpec, MAX_PER_SAMPLE_VALUES, MAX_WORST};
pub use dataset::{
    CountSpec, DatasetSpec, DistributionSpec, GenerateSpec, MixtureComponent, MAX_DATASET_SIZE,
};
pub use distribution::{DiscreteSpec, NormalSpec};
pub use error::{
    is_safe_folder_name, is_safe_name, nearest, report_folder_name, Reporter, ScenarioError,
};
pub use figure::{FigureKindName, FigureSpec};
pub use figure_options::{
    parse_color, Arrow, AxisScale, Band, BandAxis, Dash, FigureOptions, LegendPosition, Marker,
    PanelMode, RefLine, SeriesStyle, TextNote,
};
pub use grid::{
    Grid, GridSpec, OneOrMany, BISECTION_STEPS, KL_INTEGRATION_POINTS, MAX_EVALUATIONS, MAX_POINTS,
    MAX_SERIES,
};
pub use locate::{Located, Locator, Place};
pub use loss_spec::{LossSpec, MAX_SWEEP};
pub use metadata::{Metadata, OutputSettings};
pub use model_columns::{check_model_name, glob_matches, ColumnList, ModelData};
pub use placement::{placement_of, split as split_placements, Placed, Placement};
pub use quantity::{QuantityKind, QuantitySpec};
pub use query::MAX_PARTITIONS as MAX_QUERY_PARTITIONS;
pub use query_table::{QueryRow, QueryTable, DEFAULT_QUERY_ROWS, MAX_QUERY_ROWS};
pub use saturation::MAX_SATURATION_CELLS;
pub use text::{pieces, ErratumSpec, Piece, RefKind, SectionSpec, TableKindName, TableSpec};
pub use training::{Divergence, MethodName, TrainingSpec, MAX_MEMBERS};
pub use training_data::DataSpec;
pub use training_figure::{BOUNDARY_RESOLUTION, MAX_SLICE_POINTS};
pub use training_types::{
    Component, DensityData, Directions, ModelName, PointData, TrainingFigure, TrainingFigureKind,
    TrainingMember, TrainingRef, TrainingSamples, TrainingValue, ValidTraining,
};
pub use valid::*;
pub use validate::validate;
pub(crate) use wording::symbol as parameter_symbol;

/// A scenario file exactly as written (parse stage output).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    pub metadata: Metadata,
    #[serde(default)]
    pub datasets: Vec<DatasetSpec>,
    #[serde(default)]
    pub losses: Vec<LossSpec>,
    #[serde(default)]
    pub distributions: Vec<DiscreteSpec>,
    #[serde(default)]
    pub normals: Vec<NormalSpec>,
    #[serde(default)]
    pub trainings: Vec<TrainingSpec>,
    #[serde(default)]
    pub quantities: Vec<QuantitySpec>,
    #[serde(default)]
    pub figures: Vec<FigureSpec>,
    #[serde(default)]
    pub tables: Vec<TableSpec>,
    #[serde(default)]
    pub sections: Vec<SectionSpec>,
    #[serde(default)]
    pub errata: Vec<ErratumSpec>,
    /// Models compared under several losses (each a report section).
    #[serde(default)]
    pub comparisons: Vec<ComparisonSpec>,
    /// Conditions on the comparisons' numbers (pass/fail; exit status 3).
    #[serde(default)]
    pub checks: Vec<CheckSpec>,
    /// Where each key path was written, for messages (not part of the format).
    #[serde(skip)]
    pub locator: std::sync::Arc<Locator>,
}

/// Parse TOML text; `file` names it in messages.
pub fn parse_str(text: &str, file: &str) -> Result<Scenario, ScenarioError> {
    // A byte-order mark is an editor's habit, not content.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let locator = Locator::new(text);
    let mut scenario: Scenario = toml::from_str(text).map_err(|e| ScenarioError::Toml {
        file: file.to_string(),
        message: reason_first(&e, &locator),
    })?;
    scenario.locator = std::sync::Arc::new(locator);
    Ok(scenario)
}

/// toml's message with the reason first: `line 14, column 9: string values
/// must be quoted`, then the snippet and caret. toml puts the reason last,
/// under the snippet, where a reader of the first line misses it. When the
/// error points at a key or value, its key path follows the place
/// (`line 14, column 10: tables[0] (t).digits: found the string "2", …`).
fn reason_first(error: &toml::de::Error, locator: &Locator) -> String {
    let shown = error.to_string();
    let shown = shown.trim_end();
    let reason = error.message().trim_end();
    let plain = wording::plain_reason(reason);
    let (first, rest) = shown.split_once('\n').unwrap_or((shown, ""));
    match (
        first.strip_prefix("TOML parse error at "),
        rest.strip_suffix(reason),
    ) {
        (Some(place), Some(snippet)) if !reason.is_empty() => {
            let path = error
                .span()
                .and_then(|span| locator.path_at(span.start))
                .map(|path| format!("{path}: "))
                .unwrap_or_default();
            format!("{place}: {path}{plain}\n{}", snippet.trim_end())
        }
        _ => shown.to_string(),
    }
}

/// Read and parse a scenario file (a regular file of at most
/// [`crate::read_limits::MAX_IN_MEMORY_BYTES`]).
pub fn parse_file(path: &Path) -> Result<Scenario, ScenarioError> {
    let file = path.display().to_string();
    let text = crate::read_limits::read_capped(path).map_err(|e| ScenarioError::Read {
        file: file.clone(),
        message: e.to_string(),
    })?;
    parse_str(&text, &file)
}

/// The report folder of a scenario file: its stem, made safe
/// (`a b.toml` → `a-b`).
pub fn report_folder(path: &Path) -> String {
    report_folder_name(
        &path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default(),
    )
}

/// Parse then validate one file.
pub fn load(path: &Path) -> Result<ValidScenario, ScenarioError> {
    validate(&parse_file(path)?, path)
}
