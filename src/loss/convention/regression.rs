//! Regression, percentage, logarithmic and count losses as each library
//! computes them. Most agree with the mathematics on flat data (Keras'
//! mean over the last axis followed by `sum_over_batch_size` is the mean over
//! every element; PyTorch's `mean` is too); the differences are Keras'
//! epsilons and PyTorch's SmoothL1 at β = 0.
//!
//! # Formula
//! a = ŷ − y, ε = 1e-7 (Keras), all in the working dtype:
//! - MAE |a| (Keras, PyTorch `L1Loss`, scikit-learn), L′ = sign a (0 at a = 0).
//! - MSE a² (Keras, PyTorch `MSELoss`, optax `squared_error`, scikit-learn).
//! - Huber ½a² if |a| ≤ δ else δ|a| − ½δ² (Keras `huber`, PyTorch
//!   `HuberLoss`, optax `huber_loss`).
//! - SmoothL1 (PyTorch): ½a²/β if |a| < β else |a| − ½β, and |a| at β = 0, so
//!   as β → 0 it tends to L1 while Huber (= β·SmoothL1) tends to 0
//!   (PyTorch issue 48595).
//! - log-cosh (Keras, optax): a + softplus(−2a) − log 2, L′ = tanh a.
//! - MAPE, Keras: 100|a|/max(|y|, ε) (a zero target divides by ε);
//!   scikit-learn: |a|/max(|y|, machine ε), a fraction rather than a percentage.
//! - MSLE, Keras: (log(max(ŷ, ε) + 1) − log(max(y, ε) + 1))², L′ = 0 where ŷ < ε.
//! - Poisson, Keras: ŷ − y log(ŷ + ε); PyTorch `PoissonNLLLoss`: e^z − yz with
//!   `log_input` (PyTorch's default, here `log_input = true`), else
//!   ŷ − y log(ŷ + 1e-8).
//!
//! Source: keras/src/losses/losses.py; torch/nn/modules/loss.py;
//! optax/losses/_regression.py; sklearn/metrics/_regression.py.

use std::sync::Arc;

use super::super::definition::ElementwiseKernel;
use super::super::domain::{require, Outside};
use super::super::params::Reader;
use super::super::{LossError, Point};
use super::binary::KERAS_EPSILON;
use super::{elementwise, Convention, Conventional, Dtype};

/// PyTorch `PoissonNLLLoss`'s `eps` for rates.
const TORCH_POISSON_EPSILON: f64 = 1e-8;

fn simple(kind: Kind, dtype: Dtype) -> Result<Arc<dyn ElementwiseKernel>, LossError> {
    Ok(Arc::new(Regression { kind, dtype }))
}

pub(crate) static MAE: &[Conventional] = &[
    elementwise(Convention::Keras, |_, d| simple(Kind::Mae, d)),
    elementwise(Convention::Pytorch, |_, d| simple(Kind::Mae, d)),
    elementwise(Convention::Sklearn, |_, d| simple(Kind::Mae, d)),
];

pub(crate) static MSE: &[Conventional] = &[
    elementwise(Convention::Keras, |_, d| simple(Kind::Mse, d)),
    elementwise(Convention::Pytorch, |_, d| simple(Kind::Mse, d)),
    elementwise(Convention::Optax, |_, d| simple(Kind::Mse, d)),
    elementwise(Convention::Sklearn, |_, d| simple(Kind::Mse, d)),
];

fn huber(r: &mut Reader<'_>, d: Dtype) -> Result<Arc<dyn ElementwiseKernel>, LossError> {
    simple(Kind::Huber(r.positive("delta")?), d)
}

pub(crate) static HUBER: &[Conventional] = &[
    elementwise(Convention::Keras, huber),
    elementwise(Convention::Pytorch, huber),
    elementwise(Convention::Optax, huber),
];

pub(crate) static SMOOTH_L1: &[Conventional] = &[elementwise(Convention::Pytorch, |r, d| {
    // PyTorch accepts β = 0 (plain L1).
    simple(
        Kind::SmoothL1(r.number_where("beta", |b| b >= 0.0, "must be >= 0")?),
        d,
    )
})];

pub(crate) static LOG_COSH: &[Conventional] = &[
    elementwise(Convention::Keras, |_, d| simple(Kind::LogCosh, d)),
    elementwise(Convention::Optax, |_, d| simple(Kind::LogCosh, d)),
];

pub(crate) static MAPE: &[Conventional] = &[
    elementwise(Convention::Keras, |_, d| simple(Kind::KerasMape, d)),
    elementwise(Convention::Sklearn, |_, d| simple(Kind::SklearnMape, d)),
];

pub(crate) static MSLE: &[Conventional] = &[elementwise(Convention::Keras, |_, d| {
    simple(Kind::KerasMsle, d)
})];

pub(crate) static POISSON: &[Conventional] = &[
    elementwise(Convention::Keras, |r, d| {
        if r.flag("log_input")? {
            return Err(r.bad(
                "log_input",
                "convention `keras` takes rates (Poisson has no log input)".to_string(),
            ));
        }
        simple(Kind::KerasPoisson, d)
    }),
    elementwise(Convention::Pytorch, |r, d| {
        simple(
            Kind::TorchPoisson {
                log_input: r.flag("log_input")?,
            },
            d,
        )
    }),
];

#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    Mae,
    Mse,
    Huber(f64),
    SmoothL1(f64),
    LogCosh,
    KerasMape,
    SklearnMape,
    KerasMsle,
    KerasPoisson,
    TorchPoisson { log_input: bool },
}

#[derive(Debug)]
struct Regression {
    kind: Kind,
    dtype: Dtype,
}

fn sign0(x: f64) -> f64 {
    if x == 0.0 {
        0.0
    } else {
        x.signum()
    }
}

impl ElementwiseKernel for Regression {
    fn domain(&self, y: f64, yhat: f64) -> Result<(), Outside> {
        match self.kind {
            Kind::KerasPoisson | Kind::TorchPoisson { log_input: false } => {
                require(y >= 0.0, Outside::target("Poisson counts must be >= 0"))?;
                require(
                    yhat >= 0.0,
                    Outside::prediction("Poisson rates must be >= 0"),
                )
            }
            Kind::TorchPoisson { log_input: true } => {
                require(y >= 0.0, Outside::target("Poisson counts must be >= 0"))
            }
            _ => Ok(()),
        }
    }

    fn point(&self, y: f64, yhat: f64) -> Point {
        let d = self.dtype;
        let (y, yhat) = (d.r(y), d.r(yhat));
        let a = d.r(yhat - y);
        let p = |value: f64, gradient: f64, hessian: f64| Point {
            value: d.r(value),
            gradient: d.r(gradient),
            hessian: d.r(hessian),
        };
        match self.kind {
            Kind::Mae => p(a.abs(), sign0(a), 0.0),
            Kind::Mse => p(a * a, 2.0 * a, 2.0),
            Kind::Huber(delta) => {
                if a.abs() <= delta {
                    p(0.5 * a * a, a, 1.0)
                } else {
                    p(
                        d.r(delta * a.abs()) - d.r(0.5 * delta * delta),
                        delta * a.signum(),
                        0.0,
                    )
                }
            }
            Kind::SmoothL1(beta) => {
                if a.abs() < beta {
                    p(d.r(0.5 * a * a) / beta, a / beta, 1.0 / beta)
                } else {
                    p(a.abs() - 0.5 * beta, sign0(a), 0.0)
                }
            }
            Kind::LogCosh => {
                let softplus = super::super::binary::softplus;
                let value =
                    d.r(d.r(a + d.r(softplus(d.r(-2.0 * a)))) - d.r(std::f64::consts::LN_2));
                let t = a.tanh();
                p(value, t, 1.0 - t * t)
            }
            Kind::KerasMape => {
                let scale = y.abs().max(d.r(KERAS_EPSILON));
                p(100.0 * d.r(a.abs() / scale), 100.0 * sign0(a) / scale, 0.0)
            }
            Kind::SklearnMape => {
                let eps = if d.float32 {
                    f32::EPSILON as f64
                } else {
                    f64::EPSILON
                };
                let scale = y.abs().max(eps);
                p(a.abs() / scale, sign0(a) / scale, 0.0)
            }
            Kind::KerasMsle => {
                let eps = d.r(KERAS_EPSILON);
                let first = d.ln(yhat.max(eps) + 1.0);
                let second = d.ln(y.max(eps) + 1.0);
                let e = d.r(first - second);
                if yhat < eps {
                    p(e * e, 0.0, 0.0)
                } else {
                    let s = 1.0 / (yhat + 1.0);
                    p(e * e, 2.0 * e * s, 2.0 * s * s * (1.0 - e))
                }
            }
            Kind::KerasPoisson => {
                let shifted = d.r(yhat + d.r(KERAS_EPSILON));
                p(
                    yhat - d.r(y * d.ln(shifted)),
                    1.0 - y / shifted,
                    y / (shifted * shifted),
                )
            }
            Kind::TorchPoisson { log_input: true } => {
                let e = d.r(yhat.exp());
                p(e - d.r(y * yhat), e - y, e)
            }
            Kind::TorchPoisson { log_input: false } => {
                let shifted = yhat + TORCH_POISSON_EPSILON;
                p(
                    yhat - d.r(y * d.ln(shifted)),
                    1.0 - y / shifted,
                    y / (shifted * shifted),
                )
            }
        }
    }

    fn saturated(&self, y: f64, yhat: f64) -> Option<String> {
        match self.kind {
            Kind::KerasMsle if yhat < KERAS_EPSILON => {
                Some("keras replaces predictions below 1e-7 by 1e-7".to_string())
            }
            Kind::KerasMape if y.abs() < KERAS_EPSILON => {
                Some("keras divides by max(|y|, 1e-7): a target near 0 multiplies the error by up to 1e9".to_string())
            }
            _ => None,
        }
    }
}
