//! Binary cross-entropy and binary focal cross-entropy as each library
//! computes them.
//!
//! # Formula
//! With ε = 1e-7 (Keras' `backend.epsilon()`), c = clip(q, ε, 1 − ε) where
//! 1 − ε is formed in the working dtype (0.99999988 in float32):
//! - `keras`: L = −[y log c + (1 − y) log(1 − c)]; L′ = 0 where the clip is
//!   active, else −y/c + (1 − y)/(1 − c) (keras/src/backend/tensorflow/nn.py,
//!   `binary_crossentropy`). Logits: max(z, 0) − zy + log1p(e^{−|z|}),
//!   L′ = σ(z) − y (`tf.nn.sigmoid_cross_entropy_with_logits`).
//! - `tf_keras`: L = −[y log(c + ε) + (1 − y) log(1 − c + ε)]: ε counted twice,
//!   largest loss −log 2ε ≈ 15.42 (Keras issue 15249, TensorFlow issue 51675).
//! - `pytorch` (`BCELoss`): L = −[y max(log q, −100) + (1 − y) max(log1p(−q), −100)];
//!   its backward is (q − y)/max(q(1 − q), 1e-12) and its double backward
//!   (q² − 2qy + y)/max(q(1 − q), 1e-12)² (aten `binary_cross_entropy_backward`),
//!   so the gradient at q = 0, y = 1 is −1e12, not 0. Logits:
//!   `BCEWithLogitsLoss`, the stable form.
//! - `optax` (`sigmoid_binary_cross_entropy`): logits only,
//!   −y log σ(z) − (1 − y) log σ(−z).
//! - `sklearn` (`log_loss`): clip q to [eps, 1 − eps], eps the machine epsilon
//!   of the dtype (2.2e-16, or 1.19e-7 in float32); no logits.
//!
//! Focal (Keras `binary_focal_crossentropy`): L = w·u^γ·BCE_keras(y, q) with
//! u = y(1 − q) + (1 − y)q taken from the unclipped q; with logits Keras'
//! TensorFlow backend recovers the logits from the sigmoid, so the BCE factor
//! is the stable logit form. optax `sigmoid_focal_loss` is the same product
//! on logits. w = αy + (1 − α)(1 − y) when `alpha` is given (Keras'
//! `apply_class_balancing`).

use std::sync::Arc;

use super::{elementwise, Convention, Conventional, Dtype};
use crate::loss::definition::ElementwiseKernel;
use crate::loss::domain::{require, Outside};
use crate::loss::pair_formulas::smooth;
use crate::loss::params::Reader;
use crate::loss::{LossError, Point};

/// Keras' `backend.epsilon()`.
pub(crate) const KERAS_EPSILON: f64 = 1e-7;
/// PyTorch `BCELoss` clamps each log term at −100.
const TORCH_LOG_FLOOR: f64 = -100.0;
/// PyTorch's `binary_cross_entropy_backward` denominator floor.
const TORCH_GRAD_EPSILON: f64 = 1e-12;

pub(crate) static BCE: &[Conventional] = &[
    elementwise(Convention::Keras, |r, d| bce(r, d, Flavour::Keras)),
    elementwise(Convention::TfKeras, |r, d| bce(r, d, Flavour::TfKeras)),
    elementwise(Convention::Pytorch, |r, d| bce(r, d, Flavour::Pytorch)),
    elementwise(Convention::Optax, |r, d| bce(r, d, Flavour::Optax)),
    elementwise(Convention::Sklearn, |r, d| bce(r, d, Flavour::Sklearn)),
];

pub(crate) static BINARY_FOCAL: &[Conventional] = &[
    elementwise(Convention::Keras, |r, d| focal(r, d, Flavour::Keras)),
    elementwise(Convention::Optax, |r, d| focal(r, d, Flavour::Optax)),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Flavour {
    Keras,
    TfKeras,
    Pytorch,
    Optax,
    Sklearn,
}

impl Flavour {
    fn name(self) -> &'static str {
        match self {
            Flavour::Keras => "keras",
            Flavour::TfKeras => "tf_keras",
            Flavour::Pytorch => "pytorch",
            Flavour::Optax => "optax",
            Flavour::Sklearn => "sklearn",
        }
    }
}

#[derive(Debug)]
struct ConventionalBce {
    flavour: Flavour,
    dtype: Dtype,
    from_logits: bool,
    label_smoothing: f64,
}

fn read_logits(r: &mut Reader<'_>, flavour: Flavour) -> Result<bool, LossError> {
    let from_logits = r.flag("from_logits")?;
    match flavour {
        Flavour::Optax if !from_logits => Err(r.bad(
            "from_logits",
            "convention `optax` takes logits (sigmoid_binary_cross_entropy): set from_logits = true"
                .to_string(),
        )),
        Flavour::Sklearn if from_logits => Err(r.bad(
            "from_logits",
            "convention `sklearn` takes probabilities (log_loss has no logits)".to_string(),
        )),
        _ => Ok(from_logits),
    }
}

fn bce(
    r: &mut Reader<'_>,
    dtype: Dtype,
    flavour: Flavour,
) -> Result<Arc<dyn ElementwiseKernel>, LossError> {
    let from_logits = read_logits(r, flavour)?;
    // optax and scikit-learn have no label smoothing inside the loss.
    let label_smoothing = match flavour {
        Flavour::Optax | Flavour::Sklearn => 0.0,
        _ => r.probability("label_smoothing")?,
    };
    Ok(Arc::new(ConventionalBce {
        flavour,
        dtype,
        from_logits,
        label_smoothing,
    }))
}

fn binary_domain(from_logits: bool, y: f64, yhat: f64) -> Result<(), Outside> {
    require(
        (0.0..=1.0).contains(&y),
        Outside::target("binary targets must be in [0, 1]"),
    )?;
    require(
        from_logits || (0.0..=1.0).contains(&yhat),
        Outside::prediction("probabilities must be in [0, 1]"),
    )
}

impl ConventionalBce {
    /// The clip interval [lo, hi] of the probability path, if any.
    fn clip(&self) -> Option<(f64, f64)> {
        let d = self.dtype;
        match self.flavour {
            Flavour::Keras | Flavour::TfKeras => {
                let eps = d.r(KERAS_EPSILON);
                Some((eps, d.r(1.0 - eps)))
            }
            Flavour::Sklearn => {
                let eps = if d.float32 {
                    f32::EPSILON as f64
                } else {
                    f64::EPSILON
                };
                Some((eps, d.r(1.0 - eps)))
            }
            Flavour::Pytorch | Flavour::Optax => None,
        }
    }
}

impl ElementwiseKernel for ConventionalBce {
    fn domain(&self, y: f64, yhat: f64) -> Result<(), Outside> {
        binary_domain(self.from_logits, y, yhat)
    }

    fn point(&self, y: f64, yhat: f64) -> Point {
        let d = self.dtype;
        let y = smoothed(d, y, self.label_smoothing);
        if self.from_logits {
            return logit_bce(d, y, d.r(yhat));
        }
        let q = d.r(yhat);
        match self.flavour {
            Flavour::Pytorch => torch_bce(d, y, q),
            _ => clipped_bce(
                d,
                y,
                q,
                self.clip().unwrap_or((0.0, 1.0)),
                self.flavour == Flavour::TfKeras,
            ),
        }
    }

    fn takes_probability(&self) -> bool {
        !self.from_logits
    }

    fn saturated(&self, _y: f64, yhat: f64) -> Option<String> {
        if self.from_logits {
            return None;
        }
        let q = self.dtype.r(yhat);
        match self.clip() {
            Some((lo, hi)) if q < lo || q > hi => Some(format!(
                "{} clips q to [{lo:e}, {hi}] in {}",
                self.flavour.name(),
                self.dtype.name()
            )),
            None if self.flavour == Flavour::Pytorch && (q == 0.0 || q == 1.0) => {
                Some("pytorch clamps log q and log(1 − q) at −100".to_string())
            }
            _ => None,
        }
    }
}

/// y(1 − ls) + ls/2 in the working dtype.
fn smoothed(d: Dtype, y: f64, ls: f64) -> f64 {
    if ls == 0.0 {
        d.r(y)
    } else if d.float32 {
        d.r(d.r(d.r(y) * d.r(1.0 - d.r(ls))) + d.r(0.5 * d.r(ls)))
    } else {
        smooth(y, ls).0
    }
}

/// Keras, tf.keras and scikit-learn: clip, then the two logarithms.
fn clipped_bce(d: Dtype, y: f64, q: f64, (lo, hi): (f64, f64), twice: bool) -> Point {
    let c = q.clamp(lo, hi);
    let ybar = d.r(1.0 - y);
    let shift = if twice { d.r(KERAS_EPSILON) } else { 0.0 };
    let (a, b) = (d.r(c + shift), d.r(d.r(1.0 - c) + shift));
    let value = -d.r(d.r(y * d.ln(a)) + d.r(ybar * d.ln(b)));
    if q < lo || q > hi {
        return Point {
            value,
            gradient: 0.0,
            hessian: 0.0,
        };
    }
    Point {
        value,
        gradient: d.r(-y / a + ybar / b),
        hessian: d.r(y / (a * a) + ybar / (b * b)),
    }
}

/// PyTorch `BCELoss` and its registered backward and double backward.
fn torch_bce(d: Dtype, y: f64, q: f64) -> Point {
    let ln_q = d.ln(q).max(TORCH_LOG_FLOOR);
    let ln_qbar = d.r((-q).ln_1p()).max(TORCH_LOG_FLOOR);
    let value = d.r(d.r(d.r(y - 1.0) * ln_qbar) - d.r(y * ln_q));
    let denominator = d.r(d.r(q * d.r(1.0 - q)).max(TORCH_GRAD_EPSILON));
    Point {
        value,
        gradient: d.r(d.r(q - y) / denominator),
        hessian: d.r(d.r(q * q - 2.0 * q * y + y) / (denominator * denominator)),
    }
}

/// The stable logit form every library uses (TensorFlow, PyTorch, optax).
fn logit_bce(d: Dtype, y: f64, z: f64) -> Point {
    let (q, qbar) = crate::loss::binary::sigmoid_pair(z);
    let softplus = crate::loss::binary::softplus;
    let ybar = d.r(1.0 - y);
    Point {
        value: d.r(d.r(y * d.r(softplus(-z))) + d.r(ybar * d.r(softplus(z)))),
        gradient: d.r(ybar * q - y * qbar),
        hessian: d.r(q * qbar),
    }
}

#[derive(Debug)]
struct ConventionalFocal {
    bce: ConventionalBce,
    gamma: f64,
    alpha: Option<f64>,
}

fn focal(
    r: &mut Reader<'_>,
    dtype: Dtype,
    flavour: Flavour,
) -> Result<Arc<dyn ElementwiseKernel>, LossError> {
    let gamma = r.gamma()?;
    let alpha = match r.optional_number("alpha")? {
        Some(a) if !(0.0..=1.0).contains(&a) => {
            return Err(r.bad("alpha", format!("must be in [0, 1] or none, got {a}")))
        }
        a => a,
    };
    let from_logits = read_logits(r, flavour)?;
    let label_smoothing = match flavour {
        Flavour::Optax => 0.0,
        _ => r.probability("label_smoothing")?,
    };
    Ok(Arc::new(ConventionalFocal {
        bce: ConventionalBce {
            flavour,
            dtype,
            from_logits,
            label_smoothing,
        },
        gamma,
        alpha,
    }))
}

impl ElementwiseKernel for ConventionalFocal {
    fn domain(&self, y: f64, yhat: f64) -> Result<(), Outside> {
        self.bce.domain(y, yhat)
    }

    fn point(&self, y: f64, yhat: f64) -> Point {
        let d = self.bce.dtype;
        let ys = smoothed(d, y, self.bce.label_smoothing);
        let ybar = d.r(1.0 - ys);
        let b = self.bce.point(y, yhat);
        // u = 1 − p_t and its derivatives with respect to the prediction.
        let (u, du, d2u) = if self.bce.from_logits {
            let (q, qbar) = crate::loss::binary::sigmoid_pair(d.r(yhat));
            let s = ybar - ys;
            let dq = q * qbar;
            (
                d.r(ys * qbar + ybar * q),
                s * dq,
                s * dq * (-0.5 * yhat).tanh(),
            )
        } else {
            let q = d.r(yhat);
            (d.r(d.r(ys * d.r(1.0 - q)) + d.r(ybar * q)), ybar - ys, 0.0)
        };
        let w = self.alpha.map_or(1.0, |a| d.r(a * ys + (1.0 - a) * ybar));
        let g = self.gamma;
        let pow = |e: f64| if e == 0.0 { 1.0 } else { u.powf(e) };
        let factor = d.r(pow(g));
        let value = d.r(w * d.r(factor * b.value));
        // The product rule on w·u^γ·B, as autograd applies it; a factor of 0
        // contributes nothing (autograd's 0·x = 0 for finite x).
        let term = |c: f64, e: f64, x: f64| {
            if c == 0.0 || x == 0.0 {
                0.0
            } else {
                c * pow(e) * x
            }
        };
        let gradient = w * (term(g, g - 1.0, du * b.value) + term(1.0, g, b.gradient));
        let hessian = w
            * (term(g * (g - 1.0), g - 2.0, du * du * b.value)
                + term(g, g - 1.0, d2u * b.value)
                + term(2.0 * g, g - 1.0, du * b.gradient)
                + term(1.0, g, b.hessian));
        Point {
            value,
            gradient: d.r(gradient),
            hessian: d.r(hessian),
        }
    }

    fn takes_probability(&self) -> bool {
        !self.bce.from_logits
    }

    fn saturated(&self, y: f64, yhat: f64) -> Option<String> {
        self.bce.saturated(y, yhat)
    }
}
