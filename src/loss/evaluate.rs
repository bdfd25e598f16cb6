//! Dispatch from a validated [`Kind`] to its family's kernels: the value and
//! derivatives at one point, and whole evaluations with data checks.
//!
//! ```
//! use losslab::loss::{Data, Loss, Params, Reduction};
//! let cce = Loss::new("cce", &Params::new()).unwrap();
//! let err = cce
//!     .evaluate(&Data::Flat(vec![0.0, 1.0]), &Data::Flat(vec![0.5, 1.5]), None, Reduction::Mean)
//!     .unwrap_err();
//! assert_eq!(err.to_string(), "prediction: index 1 is 1.5; probabilities must be in [0, 1]");
//! ```

use super::params::Kind;
use super::reduce::{self, RowOut};
use super::validate::{self, Place, RowsRef};
use super::{binary, categorical, count, divergence, margin, regression, robust, similarity};
use super::{Data, Evaluation, LossError, Point, Reduction};

impl Kind {
    /// Value and derivatives at one pair: None for row kinds and for a pair
    /// outside the loss's domain — exactly the checks `evaluate` applies to one
    /// element (finite inputs, [`Kind::check_point`]), with hinge labels ±1.
    pub(crate) fn point(&self, y: f64, yhat: f64) -> Option<Point> {
        if !(y.is_finite() && yhat.is_finite()) {
            return None;
        }
        if matches!(self, Kind::Hinge | Kind::SquaredHinge) && y.abs() != 1.0 {
            return None;
        }
        self.check_point(0, y, yhat).ok()?;
        self.kernel(y, yhat)
    }

    /// Value and derivatives at one pair already checked (elementwise kinds only).
    fn kernel(&self, y: f64, yhat: f64) -> Option<Point> {
        Some(match self {
            Kind::Mae => regression::mae(y, yhat),
            Kind::Mse => regression::mse(y, yhat),
            Kind::Huber { delta } => regression::huber(*delta, y, yhat),
            Kind::SmoothL1 { beta } => regression::smooth_l1(*beta, y, yhat),
            Kind::LogCosh => regression::log_cosh(y, yhat),
            Kind::Quantile { tau } => robust::quantile(*tau, y, yhat),
            Kind::Msle => robust::msle(y, yhat),
            Kind::Mape => robust::mape(y, yhat),
            Kind::Poisson { log_input } => count::poisson(*log_input, y, yhat),
            Kind::Bce(b) => binary::bce(b, y, yhat),
            Kind::BinaryFocal { bin, gamma, alpha } => {
                binary::binary_focal(bin, *gamma, *alpha, y, yhat)
            }
            Kind::Hinge => margin::hinge(y, yhat),
            Kind::SquaredHinge => margin::squared_hinge(y, yhat),
            _ => return None,
        })
    }

    fn is_elementwise(&self) -> bool {
        !matches!(
            self,
            Kind::Cce(_)
                | Kind::Scce(_)
                | Kind::CategoricalFocal { .. }
                | Kind::CategoricalHinge
                | Kind::Cosine
                | Kind::Kl { .. }
                | Kind::Js { .. }
        )
    }

    /// Domain checks of one elementwise pair beyond finiteness.
    fn check_point(&self, i: usize, y: f64, yhat: f64) -> Result<(), LossError> {
        let at = Place { row: None, col: i };
        match self {
            Kind::Bce(b) | Kind::BinaryFocal { bin: b, .. } => {
                validate::check(
                    "target",
                    at,
                    y,
                    (0.0..=1.0).contains(&y),
                    "binary targets must be in [0, 1]",
                )?;
                if !b.from_logits {
                    validate::probability("prediction", at, yhat)?;
                }
            }
            Kind::Poisson { log_input } => {
                validate::check(
                    "target",
                    at,
                    y,
                    y >= 0.0,
                    "Poisson targets (counts) must be >= 0",
                )?;
                if !log_input {
                    validate::check(
                        "prediction",
                        at,
                        yhat,
                        yhat >= 0.0,
                        "a Poisson rate must be >= 0 (use log_input = true for log-rates)",
                    )?;
                }
            }
            Kind::Msle => {
                validate::check("target", at, y, y > -1.0, "msle needs values > -1")?;
                validate::check(
                    "prediction",
                    at,
                    yhat,
                    yhat > -1.0,
                    "msle needs values > -1",
                )?;
            }
            Kind::Mape => {
                validate::check(
                    "target",
                    at,
                    y,
                    y != 0.0,
                    "mape divides by the target, which must not be 0",
                )?;
            }
            _ => {}
        }
        Ok(())
    }

    pub(crate) fn evaluate(
        &self,
        name: &str,
        target: &Data,
        prediction: &Data,
        weights: Option<&[f64]>,
        reduction: Reduction,
    ) -> Result<Evaluation, LossError> {
        if self.is_elementwise() {
            return self.evaluate_elementwise(target, prediction, weights, reduction);
        }
        let (t, p) = match self {
            Kind::Scce(cat) => {
                let (t, p, classes) = validate::sparse_rows(target, prediction)?;
                categorical::check_class_weights(name, cat, classes)?;
                (t, p)
            }
            _ => {
                let (t, p, classes) = validate::dense_rows(target, prediction)?;
                if let Kind::Cce(cat) = self {
                    categorical::check_class_weights(name, cat, classes)?;
                }
                (t, p)
            }
        };
        reduce::rows(t, p, weights, reduction, |i, tr, pr, g| {
            self.row(&t, &p, i, tr, pr, g)
        })
    }

    fn evaluate_elementwise(
        &self,
        target: &Data,
        prediction: &Data,
        weights: Option<&[f64]>,
        reduction: Reduction,
    ) -> Result<Evaluation, LossError> {
        let (t, p) = validate::flat_pair(target, prediction)?;
        // Hinge labels: one convention for the whole target, decided up front.
        let zero_one = match self {
            Kind::Hinge | Kind::SquaredHinge => margin::zero_one_labels(t)?,
            _ => false,
        };
        reduce::elementwise(t, p, weights, reduction, |i, y, yhat| {
            self.check_point(i, y, yhat)?;
            let y = if zero_one { 2.0 * y - 1.0 } else { y };
            // Elementwise kinds always have a kernel.
            Ok(self.kernel(y, yhat).unwrap_or(Point {
                value: f64::NAN,
                gradient: f64::NAN,
                hessian: f64::NAN,
            }))
        })
    }

    #[allow(clippy::too_many_arguments)]
    fn row(
        &self,
        rows: &RowsRef<'_>,
        preds: &RowsRef<'_>,
        i: usize,
        t: &[f64],
        p: &[f64],
        g: &mut [f64],
    ) -> Result<RowOut, LossError> {
        match self {
            Kind::Cce(cat) => categorical::cce_row(cat, rows, preds, i, t, p, g),
            Kind::Scce(cat) => categorical::scce_row(cat, rows, preds, i, t, p, g),
            Kind::CategoricalFocal {
                gamma,
                alpha,
                from_logits,
            } => categorical::focal_row(*gamma, *alpha, *from_logits, rows, preds, i, t, p, g),
            Kind::CategoricalHinge => margin::categorical_hinge_row(rows, i, t, p, g),
            Kind::Cosine => similarity::cosine_row(rows, preds, i, t, p, g),
            Kind::Kl { ln_base, normalize } => {
                divergence::kl_row(*ln_base, *normalize, rows, preds, i, t, p, g)
            }
            Kind::Js { ln_base } => divergence::js_row(*ln_base, rows, preds, i, t, p, g),
            _ => Ok(RowOut::new(f64::NAN)),
        }
    }
}
