//! Evaluation over slices into arrays the caller provides: the core's fast
//! path. No array is allocated per call (a row loss without a gradient
//! array uses one row of scratch per chunk), the data are checked in a
//! branch-free pass per chunk, and the loops are the slice kernels of each
//! loss. The numbers are those of [`Loss::evaluate`], bit for bit.
//!
//! ```
//! use losslab::loss::{Input, Loss, Output, Params, Reduction};
//! let mse = Loss::new("mse", &Params::new()).unwrap();
//! let (y, yhat) = ([1.0, 2.0, 3.0, 4.0], [1.5, 2.0, 2.0, 4.0]);
//! // The mean, and the mean with its gradient.
//! assert_eq!(mse.value(&y, &yhat).unwrap(), 0.3125);
//! let mut gradient = [0.0; 4];
//! assert_eq!(mse.value_and_gradient(&y, &yhat, &mut gradient).unwrap(), 0.3125);
//! assert_eq!(gradient, [0.25, 0.0, -0.5, 0.0]);
//! // Everything at once: weights, a reduction, per-sample values.
//! let mut per_sample = [0.0; 4];
//! let out = Output { per_sample: Some(&mut per_sample), ..Output::default() };
//! let r = mse.reduce(Input::new(&y, &yhat).weights(&[1.0, 0.0, 1.0, 2.0]), Reduction::Sum, out).unwrap();
//! assert_eq!((r.value, per_sample), (1.25, [0.25, 0.0, 1.0, 0.0]));
//! ```

use super::definition::{Kernel, Row, RowKernel};
use super::reduce::{self, Outs, Totals};
use super::validate::{self, bad, output_length, RowsRef};
use super::{Loss, LossError, Reduction};

/// The data of a [`Loss::reduce`] call: target and prediction (flat arrays
/// for an elementwise loss; for a row loss, rows one after another, see
/// [`Input::rows`]), and optional sample weights.
#[derive(Debug, Clone, Copy)]
pub struct Input<'a> {
    pub target: &'a [f64],
    pub prediction: &'a [f64],
    /// One weight ≥ 0 per sample (element, or row of a row loss).
    pub weights: Option<&'a [f64]>,
    /// Row losses: values per row. `None`: the slices are one row (as a flat
    /// [`super::Data`] is); sparse labels are one per row in either case.
    pub classes: Option<usize>,
}

impl<'a> Input<'a> {
    pub fn new(target: &'a [f64], prediction: &'a [f64]) -> Self {
        Input {
            target,
            prediction,
            weights: None,
            classes: None,
        }
    }

    /// Weigh each sample.
    pub fn weights(self, weights: &'a [f64]) -> Self {
        Input {
            weights: Some(weights),
            ..self
        }
    }

    /// The slices hold rows of `classes` values, one after another (row losses).
    pub fn rows(self, classes: usize) -> Self {
        Input {
            classes: Some(classes),
            ..self
        }
    }
}

/// Arrays a [`Loss::reduce`] call fills, each optional: per-sample values
/// (one per element, or per row), the gradient of the reduced value (shape
/// of the prediction) and, for elementwise losses, its diagonal Hessian
/// (only together with the gradient).
#[derive(Debug, Default)]
pub struct Output<'a> {
    pub per_sample: Option<&'a mut [f64]>,
    pub gradient: Option<&'a mut [f64]>,
    pub hessian: Option<&'a mut [f64]>,
}

/// What [`Loss::reduce`] returns besides the arrays it filled.
#[derive(Debug, Clone, PartialEq)]
pub struct Reduced {
    /// The reduced loss.
    pub value: f64,
    /// What the sum was divided by (1 for `sum`, n for `mean`, Σ weights for `weighted_mean`).
    pub denominator: f64,
    /// Things the user should know (rows that do not sum to 1, a mean over nothing).
    pub warnings: Vec<String>,
}

impl Loss {
    /// The mean loss over two slices (see [`Loss::reduce`] for weights,
    /// other reductions, per-sample values and row losses' rows).
    pub fn value(&self, target: &[f64], prediction: &[f64]) -> Result<f64, LossError> {
        let input = Input::new(target, prediction);
        Ok(self
            .reduce(input, Reduction::Mean, Output::default())?
            .value)
    }

    /// The mean loss, with its gradient with respect to the prediction
    /// (including the 1/n) written to `gradient`, as long as the prediction.
    pub fn value_and_gradient(
        &self,
        target: &[f64],
        prediction: &[f64],
        gradient: &mut [f64],
    ) -> Result<f64, LossError> {
        let output = Output {
            gradient: Some(gradient),
            ..Output::default()
        };
        let input = Input::new(target, prediction);
        Ok(self.reduce(input, Reduction::Mean, output)?.value)
    }

    /// The mean loss with its gradient and its (diagonal) second derivative,
    /// for elementwise losses.
    pub fn value_gradient_hessian(
        &self,
        target: &[f64],
        prediction: &[f64],
        gradient: &mut [f64],
        hessian: &mut [f64],
    ) -> Result<f64, LossError> {
        let output = Output {
            gradient: Some(gradient),
            hessian: Some(hessian),
            ..Output::default()
        };
        let input = Input::new(target, prediction);
        Ok(self.reduce(input, Reduction::Mean, output)?.value)
    }

    /// Check the data and compute the reduced loss, filling the arrays of
    /// `output` that are given: [`Loss::evaluate`] without allocating its
    /// results, with the same numbers and the same errors. An output array
    /// of the wrong length is an error naming it.
    pub fn reduce(
        &self,
        input: Input<'_>,
        reduction: Reduction,
        output: Output<'_>,
    ) -> Result<Reduced, LossError> {
        let Output {
            per_sample,
            gradient,
            hessian,
        } = output;
        if hessian.is_some() && gradient.is_none() {
            return Err(bad(
                "hessian",
                "is filled only together with the gradient".to_string(),
            ));
        }
        let totals = match &self.kernel {
            Kernel::Elementwise(kernel) => {
                if input.classes.is_some_and(|c| c != 1) {
                    return Err(bad(
                        "target",
                        "rows given to an elementwise loss; give flat arrays".to_string(),
                    ));
                }
                let (t, p) = validate::flat_slices(input.target, input.prediction)?;
                let n = t.len();
                output_length("per_sample", per_sample.as_deref(), n)?;
                output_length("gradient", gradient.as_deref(), n)?;
                output_length("hessian", hessian.as_deref(), n)?;
                let outs = Outs {
                    per_sample: per_sample.unwrap_or_default(),
                    gradient: gradient.unwrap_or_default(),
                    hessian: hessian.unwrap_or_default(),
                    terms: &mut [],
                };
                reduce::elementwise(kernel.as_ref(), t, p, input.weights, reduction, outs)?
            }
            Kernel::Rows(kernel) => {
                if hessian.is_some() {
                    return Err(bad(
                        "hessian",
                        "a row loss gives no Hessian here".to_string(),
                    ));
                }
                let (t, p, classes) = row_input(kernel.as_ref(), self.name(), input)?;
                output_length("per_sample", per_sample.as_deref(), p.len())?;
                output_length("gradient", gradient.as_deref(), p.len() * classes)?;
                let outs = Outs {
                    per_sample: per_sample.unwrap_or_default(),
                    gradient: gradient.unwrap_or_default(),
                    hessian: &mut [],
                    terms: &mut [],
                };
                let kernel = kernel.as_ref();
                let row = |row: Row<'_, '_>| kernel.row(row);
                reduce::rows(t, p, input.weights, reduction, outs, (kernel, row))?
            }
        };
        let Totals {
            value,
            denominator,
            warnings,
        } = totals;
        Ok(Reduced {
            value,
            denominator,
            warnings,
        })
    }
}

/// The rows of a row loss's [`Input`], checked to match, with their number
/// of classes (also checked against the loss's class weights).
pub(super) fn row_input<'a>(
    kernel: &dyn RowKernel,
    name: &str,
    input: Input<'a>,
) -> Result<(RowsRef<'a>, RowsRef<'a>, usize), LossError> {
    let prediction = match input.classes {
        Some(classes) => validate::packed("prediction", input.prediction, classes)?,
        None => one_row("prediction", input.prediction)?,
    };
    let (t, p, classes) = if kernel.sparse_labels() {
        let labels = non_empty("target", input.target)?;
        validate::sparse_pair(RowsRef::Labels(labels), prediction)?
    } else {
        let target = match input.classes {
            Some(classes) => validate::packed("target", input.target, classes)?,
            None => one_row("target", input.target)?,
        };
        validate::dense_pair(target, prediction)?
    };
    kernel.check_classes(name, classes)?;
    Ok((t, p, classes))
}

fn non_empty<'a>(what: &str, values: &'a [f64]) -> Result<&'a [f64], LossError> {
    if values.is_empty() {
        Err(bad(what, "is empty".to_string()))
    } else {
        Ok(values)
    }
}

fn one_row<'a>(what: &str, values: &'a [f64]) -> Result<RowsRef<'a>, LossError> {
    Ok(RowsRef::One(non_empty(what, values)?))
}
