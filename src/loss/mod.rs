//! The numerical core: every loss, its value, gradient and (for elementwise
//! losses) second derivative, with exact, stable arithmetic.
//!
//! This module knows nothing else of the crate: no scenario, no plot, no
//! report, no file, no printing. Every later stage goes through [`Loss`].
//!
//! ```
//! use losslab::loss::{Data, Loss, Params, Reduction};
//! let mse = Loss::new("mse", &Params::new()).unwrap();
//! let y = Data::Flat(vec![1.0, 2.0]);
//! let yhat = Data::Flat(vec![1.5, 2.0]);
//! let eval = mse.evaluate(&y, &yhat, None, Reduction::Mean).unwrap();
//! assert_eq!(eval.value, 0.125);
//! ```
//!
//! # Layout
//! One loss family per file — `regression` (mae, mse, huber, smooth_l1,
//! log_cosh), `robust` (quantile, msle, mape), `count` (poisson), `binary`
//! (bce, binary focal), `categorical` (cce, scce, categorical focal),
//! `divergence` (kl, jensen_shannon), `margin` (hinge, squared_hinge,
//! categorical_hinge), `similarity` (cosine). Each family file holds, per
//! loss, its kernels and its `Definition` (names, parameters,
//! domain, formula, colour, sampling region); `catalogue` is the list of the
//! definitions. Beside them: `definition` (the definition and kernel types),
//! `params` (parameter parsing and checked reads), `domain` (typed domain
//! errors), `sampling` (property-test regions), `evaluate` (dispatch),
//! `reduce` (weights, reductions, the parallel pass), `sum` (compensated and
//! double-double arithmetic), `validate` (data checks) and `prec` (test
//! tolerances).
//!
//! # Adding a loss
//! Write its kernel and its `static` definition in its family file (a new
//! family is a new file plus a `mod` line here) and add the definition to
//! `catalogue::DEFINITIONS`. Everything else (`list`, `eval`, scenarios,
//! colours, formulas, the property tests) reads the catalogue.
//!
//! # Conventions where the mathematics leaves a choice
//! - A sample with weight 0 contributes 0 (value, gradient, Hessian), even
//!   where its loss is infinite.
//! - A mean over no sample (every sparse label ignored) or a weighted mean over
//!   a total weight of 0 is NaN, with a warning; so is its gradient.
//! - The class factor of `weighted_mean` uses the targets before label
//!   smoothing (Σ_c w_c y_c, or w_t for a sparse label), as PyTorch does.
//! - A Poisson rate of 0 is allowed: +∞ where the count is positive, q where it is 0.
//! - KL and Jensen–Shannon check target and prediction alike: every entry
//!   must be ≥ 0. Rows not summing to 1 are computed as given with a warning
//!   naming the sum; with KL's `normalize = true` they are rescaled (counts
//!   are welcome) and each row must have a positive sum.
//! - Categorical cross-entropy targets must lie in [0, 1]; they need not sum to 1.
//! - With `epsilon`, BCE's derivatives are 0 where the clip is active.
//! - Categorical hinge: ties for the rival class go to the first one.
//! - Sparse labels may also be given as a one-column matrix.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

mod accumulate;
mod binary;
mod blocks;
mod catalogue;
mod categorical;
mod categorical_slices;
pub mod convention;
mod count;
mod definition;
mod divergence;
mod domain;
mod evaluate;
mod exact_sum;
mod margin;
mod pair_formulas;
mod params;
pub mod prec;
mod reduce;
mod regression;
mod robust;
mod row_batch;
mod row_lanes;
#[cfg(target_arch = "x86_64")]
mod row_lanes_avx512;
mod row_slices;
mod sampling;
mod score;
mod similarity;
mod slice_eval;
mod slices;
mod sparse_logits;
mod sum;
#[cfg(target_arch = "x86_64")]
mod sum_avx512;
mod validate;
pub mod vmath;
#[cfg(target_arch = "x86_64")]
mod vmath_avx512;

#[cfg(test)]
mod error_tests;
#[cfg(test)]
mod row_slice_tests;
#[cfg(test)]
mod slice_path_tests;
#[cfg(test)]
mod slice_tests;

pub use accumulate::{LossAccumulator, Partial, PartialSum, Summation};
pub use catalogue::{catalogue, loss_hue, loss_info};
pub use definition::{Hue, Lhs};
pub use domain::{Argument, DomainError, Place};
pub use exact_sum::ExactSum;
pub use params::ParamDefault;
pub(crate) use row_batch::{more_warnings, MAX_WARNINGS};
pub use sampling::{Region, Sampling};
pub use score::{HessianMode, Link, ScoreDerivatives};
pub use slice_eval::{Input, Output, Reduced};
pub use sum::{compensated_sum, ChunkSum, Neumaier, CHUNK, LANES};

/// A parameter value as given by a user (CLI `--param k=v` or a scenario key).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum ParamValue {
    Number(f64),
    Bool(bool),
    Text(String),
    List(Vec<f64>),
    /// An optional parameter left unset (e.g. focal `alpha = none`).
    None,
}

/// Parameters by name.
pub type Params = BTreeMap<String, ParamValue>;

/// Input data: a flat array (elementwise losses, sparse labels, or one row)
/// or a matrix of rows (row losses: one sample per row).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Data {
    Flat(Vec<f64>),
    Rows(Vec<Vec<f64>>),
}

/// How per-sample values become one number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Reduction {
    /// Σ per_sample / n.
    Mean,
    /// Σ per_sample.
    Sum,
    /// Σ per_sample / Σ (sample weight × class factor).
    WeightedMean,
}

/// Whether a loss compares element by element or row by row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Shape {
    Elementwise,
    Rows,
}

/// Value and derivatives of an elementwise loss at one (target, prediction) pair,
/// derivatives taken with respect to the prediction.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Point {
    pub value: f64,
    pub gradient: f64,
    pub hessian: f64,
}

/// The result of [`Loss::evaluate`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Evaluation {
    /// The reduced loss.
    pub value: f64,
    /// One value per sample (element or row), times its weight if weights are given.
    pub per_sample: Vec<f64>,
    /// ∂value/∂prediction, shape of the prediction, including the reduction's 1/n.
    pub gradient: Data,
    /// ∂²value/∂prediction², elementwise losses only.
    pub hessian: Option<Vec<f64>>,
    /// Things the user should know (rows that do not sum to 1, a mean over nothing).
    pub warnings: Vec<String>,
}

/// Everything that can be wrong with a loss call. Messages name the argument and value.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum LossError {
    #[error("unknown loss `{name}`{}", suggestion.as_ref().map(|s| format!(" (did you mean `{s}`?)")).unwrap_or_default())]
    UnknownLoss {
        name: String,
        suggestion: Option<String>,
    },
    #[error("loss `{loss}` has no parameter `{param}` (it takes: {known})")]
    UnknownParam {
        loss: String,
        param: String,
        known: String,
    },
    #[error("parameter `{param}` of `{loss}`: {message}")]
    BadParam {
        loss: String,
        param: String,
        message: String,
    },
    /// Bad data: `what` names the argument (`target`, `prediction`, `weights`), with position and value.
    #[error("{what}: {message}")]
    BadData { what: String, message: String },
    /// One value outside the loss's domain.
    #[error(transparent)]
    Domain(#[from] DomainError),
}

/// Catalogue entry for `losslab list` and documentation.
#[derive(Debug, Clone, Serialize)]
pub struct LossInfo {
    pub name: &'static str,
    pub aliases: &'static [&'static str],
    pub family: &'static str,
    pub shape: Shape,
    pub params: Vec<ParamInfo>,
    /// Plain-text formula for the terminal.
    pub formula: &'static str,
    /// LaTeX formula (right-hand side) for reports.
    pub latex: &'static str,
    /// Short name for legends and table headers.
    pub display_name: &'static str,
    /// Left-hand side of the formula.
    pub lhs: Lhs,
    /// Fixed colour in every figure.
    pub hue: Hue,
    /// Where the property tests sample the loss.
    #[serde(skip)]
    pub sampling: &'static [Sampling],
}

#[derive(Debug, Clone, Serialize)]
pub struct ParamInfo {
    pub name: &'static str,
    pub default: ParamValue,
    /// The value is a list of numbers (such as `class_weights`), not a scalar.
    pub takes_list: bool,
    pub doc: &'static str,
}

/// A loss with validated parameters. Construct with [`Loss::new`].
#[derive(Debug, Clone)]
pub struct Loss {
    pub(crate) definition: &'static definition::Definition,
    pub(crate) kernel: definition::Kernel,
    params: Params,
}

/// Two losses are equal when they are the same loss with the same
/// parameters (the kernel is built from exactly these).
impl PartialEq for Loss {
    fn eq(&self, other: &Loss) -> bool {
        self.definition.name == other.definition.name && self.params == other.params
    }
}

impl std::fmt::Debug for definition::Definition {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name)
    }
}

impl Loss {
    /// Look up a loss by canonical name or alias and validate its parameters
    /// (unknown names get the nearest suggestion; defaults are filled in).
    pub fn new(name: &str, params: &Params) -> Result<Loss, LossError> {
        let found = catalogue::find(name)?;
        let (kernel, params) = definition::instantiate(found, params)?;
        Ok(Loss {
            definition: found,
            kernel,
            params,
        })
    }

    /// Canonical name (`mae`, `binary_cross_entropy`...).
    pub fn name(&self) -> &'static str {
        self.definition.name
    }

    /// Short name for legends and table headers (`MAE`, `binary cross-entropy`).
    pub fn display_name(&self) -> &'static str {
        self.definition.display_name
    }

    /// Every parameter with defaults filled in.
    pub fn params(&self) -> Params {
        self.params.clone()
    }

    pub fn shape(&self) -> Shape {
        self.definition.shape()
    }

    /// The catalogue entry of this loss (aliases, parameter docs, formulas).
    pub fn info(&self) -> LossInfo {
        catalogue::info(self.definition)
    }

    /// The targets are labels ±1 (hinge losses), not numbers on an axis.
    pub fn signed_labels(&self) -> bool {
        match &self.kernel {
            definition::Kernel::Elementwise(k) => k.labels() == definition::Labels::Signed,
            definition::Kernel::Rows(_) => false,
        }
    }

    /// {0, 1} targets are read as −1/1 only when the whole target array is
    /// in {0, 1} (Keras's hinge), or a label's sign depends on the other
    /// labels of the column (scikit-learn's hinge): a rule over all the
    /// data, which a stream cannot apply batch by batch.
    pub fn labels_depend_on_whole_target(&self) -> bool {
        match &self.kernel {
            definition::Kernel::Elementwise(k) => matches!(
                k.labels(),
                definition::Labels::ConvertIfZeroOne | definition::Labels::Binarize
            ),
            definition::Kernel::Rows(_) => false,
        }
    }

    /// The prediction is a probability in [0, 1] (BCE and binary focal without logits).
    pub fn takes_probability(&self) -> bool {
        match &self.kernel {
            definition::Kernel::Elementwise(k) => k.takes_probability(),
            definition::Kernel::Rows(_) => false,
        }
    }

    /// The targets of a row loss are class indices, one per row.
    pub fn sparse_labels(&self) -> bool {
        match &self.kernel {
            definition::Kernel::Elementwise(_) => false,
            definition::Kernel::Rows(k) => k.sparse_labels(),
        }
    }

    /// δ of a Huber loss; None for every other loss.
    pub fn huber_delta(&self) -> Option<f64> {
        match &self.kernel {
            definition::Kernel::Elementwise(k) => k.huber_delta(),
            definition::Kernel::Rows(_) => None,
        }
    }

    /// Where a convention's clip flattens this elementwise loss at one pair
    /// (its autograd gradient is 0 or clamped there): the region, for a
    /// warning or a saturation map. None for exact losses and row losses.
    pub fn saturated(&self, target: f64, prediction: f64) -> Option<String> {
        match &self.kernel {
            definition::Kernel::Elementwise(k) => k.saturated(target, prediction),
            definition::Kernel::Rows(_) => None,
        }
    }

    /// Value, gradient and second derivative at one (target, prediction) pair,
    /// for elementwise losses.
    ///
    /// A pair outside the loss's domain is a [`DomainError`] naming the
    /// argument, the value and the rule: exactly the checks
    /// [`Loss::evaluate`] applies to one element (finite numbers; a
    /// probability in [0, 1] and a binary target in [0, 1] for BCE and binary
    /// focal without logits; Poisson counts ≥ 0 and rates ≥ 0; MSLE values
    /// above −1; a MAPE target ≠ 0). Hinge targets must be −1 or 1 here (the
    /// {0, 1} convention belongs to a whole target array). No pair is in the
    /// domain of a row loss. A curve over a range therefore has gaps where
    /// the loss is undefined, never made-up values. Inside the domain the
    /// result is infinite where the math is infinite (BCE at q = 0 for y = 1
    /// is +∞, a valid point), never NaN the math does not have.
    pub fn point(&self, target: f64, prediction: f64) -> Result<Point, DomainError> {
        self.kernel.point(target, prediction)
    }

    /// Validate the data and compute value, per-sample values, gradient and Hessian.
    pub fn evaluate(
        &self,
        target: &Data,
        prediction: &Data,
        weights: Option<&[f64]>,
        reduction: Reduction,
    ) -> Result<Evaluation, LossError> {
        self.kernel
            .evaluate(self.definition.name, target, prediction, weights, reduction)
    }
}

impl Reduction {
    /// The name used on the command line and in JSON: `mean`, `sum`, `weighted_mean`.
    pub fn as_str(self) -> &'static str {
        match self {
            Reduction::Mean => "mean",
            Reduction::Sum => "sum",
            Reduction::WeightedMean => "weighted_mean",
        }
    }
}

impl std::str::FromStr for Reduction {
    type Err = String;

    /// `mean`, `sum` or `weighted_mean`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim() {
            "mean" => Ok(Reduction::Mean),
            "sum" => Ok(Reduction::Sum),
            "weighted_mean" => Ok(Reduction::WeightedMean),
            other => Err(format!(
                "unknown reduction `{other}` (expected mean, sum or weighted_mean)"
            )),
        }
    }
}

/// Sum with error compensation (at least as accurate as numpy's pairwise sum),
/// deterministic whatever the thread count.
pub fn accurate_sum(values: &[f64]) -> f64 {
    sum::parallel_sum(values)
}
