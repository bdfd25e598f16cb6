//! The validated form of `[[trainings]]` and of what refers to them: plain
//! types, apart from the files that check them (`training`,
//! `training_data`, `training_figure`), so that the validated scenario and
//! the validation context can hold them without importing the validators.

use serde::{Deserialize, Serialize};

use crate::train::{Problem, Training};

/// What validation remembers of a training for later references.
#[derive(Debug, Clone)]
pub struct TrainingRef {
    pub index: usize,
    pub members: usize,
    pub parameter_names: Vec<String>,
    pub model: ModelName,
    /// Inputs per sample (0 for a constant or a normal).
    pub dim: usize,
    /// Classes of the labels (0 when the targets are not labels).
    pub classes: usize,
    pub work_per_evaluation: u128,
}

/// A number read off a finished training (`kind = "training"` quantities,
/// `training_sweep` figures).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TrainingValue {
    /// The loss at the last step.
    FinalLoss,
    InitialLoss,
    /// The smallest loss recorded.
    MinLoss,
    /// max − min of the loss over the last tenth of the steps: how much a
    /// training still oscillates at its end.
    TailRange,
    /// The mean length ‖θ_{k+1} − θ_k‖ of the recorded path's moves over
    /// its last tenth: how far the parameters still jump at the end.
    TailStep,
    /// A final parameter (named by `parameter`).
    Parameter,
    /// The fitted σ = exp(ln_sigma) of a normal model.
    Std,
    /// Share of samples whose predicted class is the label.
    Accuracy,
    /// KL(p‖q) and KL(q‖p) of the fitted normal against its mixture.
    KlForward,
    KlReverse,
    /// The mixture's mean and standard deviation (closed form).
    TargetMean,
    TargetStd,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TrainingFigureKind {
    Curve,
    ParameterPath,
    FitLine,
    DecisionBoundary,
    Calibration,
    Landscape,
    Sweep,
}

/// Where landscape directions come from.
#[derive(Debug, Clone, PartialEq)]
pub enum Directions {
    /// Seeded random directions, filter-normalised (Li et al. 2018).
    Random { seed: u64 },
    /// These vectors, as given.
    Given(Vec<Vec<f64>>),
}

/// A validated training figure.
#[derive(Debug, Clone)]
pub struct TrainingFigure {
    pub kind: TrainingFigureKind,
    /// Indices into `ValidScenario::trainings`.
    pub trainings: Vec<usize>,
    /// Parameter indices (`parameter_path`, `training_sweep`).
    pub parameters: Vec<usize>,
    pub excess: bool,
    pub value: TrainingValue,
    pub dimensions: usize,
    pub directions: Directions,
    pub span: f64,
    pub points: usize,
    pub bins: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ModelName {
    Constant,
    Linear,
    Logistic,
    Softmax,
    Mlp,
    Normal,
}

/// A training that passed validation: one member per sweep value.
#[derive(Debug, Clone)]
pub struct ValidTraining {
    pub name: String,
    pub label: String,
    /// `trainings[i]`, for compute-time errors.
    pub path: String,
    /// What the members vary (`δ`, `outliers`), if they vary.
    pub sweep: Option<String>,
    pub members: Vec<TrainingMember>,
}

/// One training to run.
#[derive(Debug, Clone)]
pub struct TrainingMember {
    pub label: String,
    pub sweep_value: Option<f64>,
    /// The loss's colour key, so a loss keeps its colour in training figures.
    pub color_key: String,
    pub problem: Problem,
    pub training: Training,
    pub samples: TrainingSamples,
}

impl ValidTraining {
    pub fn parameter_names(&self) -> Vec<String> {
        self.members
            .first()
            .map(|m| m.problem.parameter_names())
            .unwrap_or_default()
    }
}

#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Component {
    pub share: f64,
    pub mean: f64,
    pub std: f64,
}

/// Inputs and flat targets (values or class labels).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PointData {
    /// Row-major, `dim` features per sample.
    pub inputs: Vec<f64>,
    pub dim: usize,
    pub targets: Vec<f64>,
}

impl PointData {
    /// Classes 0..k when every target is a whole number ≥ 0 (k = largest + 1).
    pub fn classes(&self) -> usize {
        if self
            .targets
            .iter()
            .all(|t| *t >= 0.0 && t.fract() == 0.0 && *t < 1e6)
        {
            self.targets.iter().fold(0.0_f64, |m, t| m.max(*t)) as usize + 1
        } else {
            0
        }
    }
}

/// A target density as cell masses on a grid, and the mixture it came from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DensityData {
    pub grid: Vec<f64>,
    pub cell: f64,
    pub masses: Vec<f64>,
    pub components: Vec<Component>,
}

impl DensityData {
    /// E[X] = Σ w_k μ_k of the mixture (closed form).
    pub fn mean(&self) -> f64 {
        self.components.iter().map(|c| c.share * c.mean).sum()
    }

    /// sd X from Var X = Σ w_k (σ_k² + μ_k²) − E[X]² (closed form).
    pub fn std(&self) -> f64 {
        let second: f64 = self
            .components
            .iter()
            .map(|c| c.share * (c.std * c.std + c.mean * c.mean))
            .sum();
        (second - self.mean().powi(2)).max(0.0).sqrt()
    }
}

/// What a member trains on.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum TrainingSamples {
    Points(PointData),
    Density(DensityData),
}
