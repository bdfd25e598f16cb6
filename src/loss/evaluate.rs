//! Dispatch from a loss's [`Kernel`] to its family's code: the value and
//! derivatives at one point, and whole evaluations with data checks. Every
//! dispatch is a `match` over the two kinds of kernel.
//!
//! ```
//! use losslab::loss::{Data, Loss, Params, Reduction};
//! let cce = Loss::new("cce", &Params::new()).unwrap();
//! let err = cce
//!     .evaluate(&Data::Flat(vec![0.0, 1.0]), &Data::Flat(vec![0.5, 1.5]), None, Reduction::Mean)
//!     .unwrap_err();
//! assert_eq!(err.to_string(), "prediction: index 1 is 1.5; probabilities must be in [0, 1]");
//! ```

use super::convention;
use super::definition::{ElementwiseKernel, Kernel, Labels, RowKernel};
use super::domain::{Argument, DomainError, Place};
use super::reduce;
use super::validate;
use super::{margin, Data, Evaluation, LossError, Point, Reduction};

/// Why no single pair is in the domain of a row loss.
const ROW_LOSS: &str = "a row loss compares whole rows, not one (target, prediction) pair";

impl Kernel {
    /// Value and derivatives at one pair, or the first rule the pair breaks:
    /// exactly the checks `evaluate` applies to one element, with labels ±1
    /// for losses of signed labels. No pair is in the domain of a row loss.
    pub(crate) fn point(&self, y: f64, yhat: f64) -> Result<Point, DomainError> {
        match self {
            Kernel::Elementwise(kernel) => point(kernel.as_ref(), y, yhat),
            Kernel::Rows(_) => Err(DomainError {
                argument: Argument::Prediction,
                element: Place::index(0),
                value: yhat,
                reason: ROW_LOSS,
            }),
        }
    }

    pub(crate) fn evaluate(
        &self,
        name: &str,
        target: &Data,
        prediction: &Data,
        weights: Option<&[f64]>,
        reduction: Reduction,
    ) -> Result<Evaluation, LossError> {
        match self {
            Kernel::Elementwise(kernel) => {
                elementwise(kernel.as_ref(), target, prediction, weights, reduction)
            }
            Kernel::Rows(kernel) => rows(
                kernel.as_ref(),
                name,
                target,
                prediction,
                weights,
                reduction,
            ),
        }
    }
}

fn point(kernel: &dyn ElementwiseKernel, y: f64, yhat: f64) -> Result<Point, DomainError> {
    let at = Place::index(0);
    validate::finite(Argument::Target, at, y)?;
    validate::finite(Argument::Prediction, at, yhat)?;
    match kernel.labels() {
        Labels::AsGiven => {}
        Labels::ConvertIfZeroOne => {
            let y = if y == 0.0 || y == 1.0 {
                2.0 * y - 1.0
            } else {
                y
            };
            kernel
                .domain(y, yhat)
                .map_err(|outside| outside.at(at, y, yhat))?;
            return Ok(kernel.point(y, yhat));
        }
        Labels::Signed if y.abs() == 1.0 => {}
        Labels::Signed => {
            return Err(DomainError {
                argument: Argument::Target,
                element: at,
                value: y,
                reason: "labels must be −1 or 1",
            })
        }
    }
    kernel
        .domain(y, yhat)
        .map_err(|outside| outside.at(at, y, yhat))?;
    Ok(kernel.point(y, yhat))
}

fn elementwise(
    kernel: &dyn ElementwiseKernel,
    target: &Data,
    prediction: &Data,
    weights: Option<&[f64]>,
    reduction: Reduction,
) -> Result<Evaluation, LossError> {
    let (t, p) = validate::flat_pair(target, prediction)?;
    // Signed labels: one convention for the whole target, decided up front.
    let zero_one = match kernel.labels() {
        Labels::AsGiven => false,
        Labels::Signed => margin::zero_one_labels(t)?,
        Labels::ConvertIfZeroOne => t.iter().all(|&y| y == 0.0 || y == 1.0),
    };
    let mut evaluation = reduce::elementwise(t, p, weights, reduction, |i, y, yhat| {
        kernel
            .domain(y, yhat)
            .map_err(|outside| outside.at(Place::index(i), y, yhat))?;
        let y = if zero_one { 2.0 * y - 1.0 } else { y };
        Ok(kernel.point(y, yhat))
    })?;
    evaluation
        .warnings
        .extend(convention::saturation_warning(kernel, t, p));
    Ok(evaluation)
}

fn rows(
    kernel: &dyn RowKernel,
    name: &str,
    target: &Data,
    prediction: &Data,
    weights: Option<&[f64]>,
    reduction: Reduction,
) -> Result<Evaluation, LossError> {
    let (t, p, classes) = if kernel.sparse_labels() {
        validate::sparse_rows(target, prediction)?
    } else {
        validate::dense_rows(target, prediction)?
    };
    kernel.check_classes(name, classes)?;
    reduce::rows(t, p, weights, reduction, |row| kernel.row(row))
}
