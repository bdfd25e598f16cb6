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

use super::definition::{ElementwiseKernel, Kernel, Labels, Row, RowKernel};
use super::domain::{Argument, DomainError, Place};
use super::reduce::{self, Outs};
use super::validate::{self, RowsRef};
use super::{Data, Evaluation, LossError, Point, Reduction};

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
        Labels::Signed | Labels::Binarize if y.abs() == 1.0 => {}
        Labels::Signed => {
            return Err(DomainError {
                argument: Argument::Target,
                element: at,
                value: y,
                reason: "labels must be −1 or 1",
            })
        }
        // scikit-learn binarises a whole target; one label alone would
        // always be read as −1, so a point takes the label as ±1 itself.
        Labels::Binarize => {
            return Err(DomainError {
                argument: Argument::Target,
                element: at,
                value: y,
                reason:
                    "labels must be −1 or 1 (scikit-learn binarises a whole target, not one label)",
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
    let n = t.len();
    let (mut per_sample, mut gradient, mut hessian) = (vec![0.0; n], vec![0.0; n], vec![0.0; n]);
    let outs = Outs {
        per_sample: &mut per_sample,
        gradient: &mut gradient,
        hessian: &mut hessian,
        terms: &mut [],
    };
    let totals = reduce::elementwise(kernel, t, p, weights, reduction, outs)?;
    Ok(Evaluation {
        value: totals.value,
        per_sample,
        gradient: Data::Flat(gradient),
        hessian: Some(hessian),
        warnings: totals.warnings,
    })
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
    let n = p.len();
    let (mut per_sample, mut gradient) = (vec![0.0; n], vec![0.0; n * classes]);
    let outs = Outs {
        per_sample: &mut per_sample,
        gradient: &mut gradient,
        hessian: &mut [],
        terms: &mut [],
    };
    let row = |row: Row<'_, '_>| kernel.row(row);
    let totals = reduce::rows(t, p, weights, reduction, outs, (kernel, row))?;
    let gradient = match p {
        RowsRef::One(_) => Data::Flat(gradient),
        _ => Data::Rows(gradient.chunks(classes).map(<[f64]>::to_vec).collect()),
    };
    Ok(Evaluation {
        value: totals.value,
        per_sample,
        gradient,
        hessian: None,
        warnings: totals.warnings,
    })
}
