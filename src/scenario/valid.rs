//! The validated scenario: every reference resolved to its data, every loss
//! built by the core, every range checked. The compute stage reads only this.

use super::grid::Grid;
use crate::loss::{Data, Loss, Reduction};

/// A scenario that passed validation.
#[derive(Debug, Clone)]
pub struct ValidScenario {
    /// The file as given on the command line (for messages).
    pub file: String,
    /// Where each key path was written, for messages of later stages.
    pub locator: std::sync::Arc<super::locate::Locator>,
    /// The file stem: the report folder's name.
    pub stem: String,
    pub title: String,
    pub intro: String,
    pub png_scale: f64,
    /// `[[trainings]]`, each with its members (sweep values).
    pub trainings: Vec<super::training_types::ValidTraining>,
    pub quantities: Vec<ValidQuantity>,
    pub figures: Vec<ValidFigure>,
    pub tables: Vec<ValidTable>,
    pub sections: Vec<ValidSection>,
    pub errata: Vec<ValidErratum>,
    pub comparisons: Vec<ValidComparison>,
    pub checks: Vec<ValidCheck>,
}

/// One loss of a `[[losses]]` entry (a sweep has several).
#[derive(Debug, Clone, PartialEq)]
pub struct LossMember {
    pub loss: Loss,
    pub label: String,
    /// The swept parameter and its value, if this member comes from a sweep.
    pub sweep: Option<(String, f64)>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Discrete {
    pub label: String,
    pub events: Vec<String>,
    pub probabilities: Vec<f64>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NormalParams {
    pub label: String,
    pub mean: f64,
    pub std: f64,
}

/// A named number (with per-sample values and warnings where it has them).
#[derive(Debug, Clone)]
pub struct ValidQuantity {
    pub name: String,
    pub label: String,
    /// `quantities[i]`, for compute-time errors.
    pub path: String,
    pub plan: QuantityPlan,
}

#[derive(Debug, Clone)]
pub enum QuantityPlan {
    /// A loss on target and prediction, through `Loss::evaluate`.
    Evaluate {
        loss: Loss,
        target: Data,
        prediction: Data,
        weights: Option<Vec<f64>>,
        reduction: Reduction,
    },
    /// The constant prediction minimising the total loss over `data`.
    BestConstant {
        loss: Loss,
        data: Vec<f64>,
    },
    /// Mean of a list; an empty list gives NaN with a warning (as numpy does).
    Mean(Vec<f64>),
    Sum(Vec<f64>),
    /// A number read off a finished training.
    Training {
        training: usize,
        member: usize,
        value: super::training_types::TrainingValue,
        parameter: Option<usize>,
    },
    /// One boosting step from the raw scores: the leaf value −Σg/Σh of
    /// `loss` with respect to the score, with the Hessian surrogate `mode`.
    NewtonStep {
        loss: Loss,
        target: Data,
        score: Data,
        mode: crate::loss::HessianMode,
    },
    /// KL(target ‖ model) of two normals, the model mean moved by `shift`.
    NormalKl {
        target: NormalParams,
        model: NormalParams,
        shift: f64,
        method: KlMethod,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KlMethod {
    /// Closed form: log(σ₂/σ₁) + (σ₁² + (μ₁−μ₂)²)/(2σ₂²) − ½.
    Analytic,
    /// The core's discrete KL on the densities sampled on a fine grid.
    Numeric,
}

#[derive(Debug, Clone)]
pub struct ValidFigure {
    pub name: String,
    pub title: String,
    pub caption: String,
    pub alt: String,
    pub x_label: Option<String>,
    pub y_label: Option<String>,
    pub x_range: Option<(f64, f64)>,
    pub y_range: Option<(f64, f64)>,
    pub columns: Option<usize>,
    /// One frame per sweep value (see `figure`'s `explore`).
    pub explore: bool,
    pub kind: FigureKind,
    /// Shown in the report's appendix rather than by a section.
    pub appendix: bool,
    /// Scales, size, legend, series styles, annotations, panels.
    pub options: super::figure_options::FigureOptions,
}

/// What a loss curve puts on its x axis.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CurveAxis {
    /// x = a = ŷ − y with y fixed at the target value: the prediction is y + x.
    Residual,
    /// x = ŷ itself, y fixed (probabilities for cross-entropy, margins for hinge with y = 1).
    Prediction,
    /// x = log₁₀(1 − q): the prediction is q = 1 − 10^x, so a linear grid of
    /// x resolves q near 1 (x = −8 is q = 1 − 1e-8).
    LogComplement,
}

/// Which curves a loss curve shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Show {
    Value,
    Derivative,
    Both,
}

/// Whitelisted functions for `function` figures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Function {
    Ln,
    Log2,
    Log10,
    Exp,
    Sigmoid,
    Tanh,
    Softplus,
}

/// How a data figure without a prediction shows its datasets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DataDraw {
    /// Each value against its index.
    Points,
    /// One column of points per dataset, spread sideways so they do not hide one another.
    Strip,
    Histogram,
}

/// A flat dataset with its name and legend label.
#[derive(Debug, Clone, PartialEq)]
pub struct LabelledData {
    pub name: String,
    pub label: String,
    pub values: Vec<f64>,
}

/// A checked saturation map (`scenario::saturation`): each conventional
/// loss with its exact twin.
#[derive(Debug, Clone)]
pub struct SaturationFigure {
    pub losses: Vec<LossMember>,
    /// `exact[i]` is `losses[i]` with `convention = exact`.
    pub exact: Vec<Loss>,
    /// log₁₀ odds of the prediction.
    pub odds: Grid,
    /// The targets, in [0, 1].
    pub targets: Grid,
}

#[derive(Debug, Clone)]
pub enum FigureKind {
    /// Datasets on their own: points, a strip plot or histograms.
    Datasets {
        sets: Vec<LabelledData>,
        draw: DataDraw,
        bins: usize,
        density: bool,
    },
    /// Target as points and prediction as a line against the sample index.
    Data {
        target: Vec<f64>,
        prediction: Vec<f64>,
        target_label: String,
        prediction_label: String,
    },
    /// Value and/or derivative of losses over a grid.
    LossCurve {
        losses: Vec<LossMember>,
        grid: Grid,
        axis: CurveAxis,
        targets: Vec<f64>,
        show: Show,
        split: bool,
    },
    /// Mean loss against a constant prediction, and (with `deltas`) the best
    /// Huber constant against δ with the mean and median marked.
    ConstantFit {
        data: Vec<f64>,
        losses: Vec<LossMember>,
        grid: Grid,
        deltas: Option<Grid>,
    },
    Function {
        function: Function,
        grid: Grid,
    },
    Bars {
        distributions: Vec<Discrete>,
    },
    /// The result of a `sql` dataset as bars: one panel per number column,
    /// one bar per row.
    QueryBars {
        name: String,
        table: super::query_table::QueryTable,
    },
    NormalKl {
        target: NormalParams,
        model: NormalParams,
        shifts: Vec<f64>,
        grid: Grid,
        shift_grid: Grid,
    },
    /// Where each convention's clip saturates and how far it is from the
    /// exact loss, over a grid of targets and log-odds of the prediction
    /// (see `saturation`).
    Saturation(SaturationFigure),
    /// A figure of `[[trainings]]` (see `training_figure`).
    Training(super::training_types::TrainingFigure),
}

#[derive(Debug, Clone)]
pub struct ValidTable {
    pub name: String,
    pub title: String,
    pub caption: String,
    pub digits: usize,
    pub kind: TableKind,
    /// Shown in the report's appendix rather than by a section.
    pub appendix: bool,
}

#[derive(Debug, Clone)]
pub enum TableKind {
    /// One row per quantity: label and value.
    Quantities(Vec<String>),
    /// Datasets side by side, one column each; the page shows the first and
    /// last `shown` rows, `tables/NAME.csv` all of them.
    Dataset {
        columns: Vec<LabelledData>,
        shown: usize,
    },
    /// One row per sample of one evaluated quantity, then its reduced value.
    PerSample(String),
    /// The result of a `sql` dataset: its key columns, then its numbers,
    /// with every digit unless `digits` is given; the page shows the first
    /// and last `shown` rows when given, `tables/NAME.csv` all of them.
    Query {
        table: super::query_table::QueryTable,
        digits: Option<usize>,
        shown: Option<usize>,
    },
}

#[derive(Debug, Clone)]
pub struct ValidSection {
    pub id: String,
    pub title: String,
    /// Markdown with `{quantity}` placeholders still in it (filled by compute).
    pub markdown: String,
    pub formulas: Vec<String>,
    /// The key path of each formula (`sections[0].formulas[1]`,
    /// `sections[0].formulas_of[0]`), for messages.
    pub formula_keys: Vec<String>,
    pub figures: Vec<String>,
    pub tables: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct ValidErratum {
    pub id: String,
    pub claim: String,
    pub correction: String,
    pub evidence: Vec<String>,
    /// Shown only if this quantity got a core warning; the warning is quoted.
    pub when_warning: Option<String>,
    /// Decimals of the evidence numbers; None trims trailing zeros.
    pub digits: Option<usize>,
}

/// One loss of a comparison: a member of a `[[losses]]` entry.
#[derive(Debug, Clone, PartialEq)]
pub struct ComparedLoss {
    /// The `[[losses]]` entry it comes from (checks refer to it).
    pub entry: String,
    pub member: LossMember,
}

/// A comparison whose every reference resolved and every size is in budget.
#[derive(Debug, Clone)]
pub struct ValidComparison {
    pub name: String,
    pub title: String,
    pub markdown: String,
    /// `comparisons[i]`, for compute-time errors.
    pub path: String,
    pub target: Data,
    pub models: Vec<super::model_columns::ModelData>,
    pub losses: Vec<ComparedLoss>,
    pub baseline: usize,
    pub confidence: f64,
    pub bootstrap: usize,
    pub seed: u64,
    pub worst: usize,
}

impl ValidComparison {
    /// Number of rows (samples) compared.
    pub fn rows(&self) -> usize {
        match &self.target {
            Data::Flat(v) => v.len(),
            Data::Rows(r) => r.len(),
        }
    }

    /// Index of the model called `name`.
    pub fn model_index(&self, name: &str) -> Option<usize> {
        self.models.iter().position(|m| m.name == name)
    }
}

/// What must hold.
#[derive(Debug, Clone, PartialEq)]
pub enum Condition {
    /// The paired difference model − `other` has an interval at `confidence`
    /// wholly below 0.
    Below { other: usize, confidence: f64 },
    /// The mean (or, with a confidence, the interval's upper end) is ≤ `max`.
    Max { max: f64, confidence: Option<f64> },
}

/// A check resolved against its comparison.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidCheck {
    /// `checks[i]`.
    pub path: String,
    pub comparison: usize,
    pub model: usize,
    /// Indices into the comparison's losses (several for a sweep).
    pub losses: Vec<usize>,
    pub condition: Condition,
}
