//! Regression losses on the residual a = ŷ − y: MAE, MSE, Huber, smooth L1
//! and log-cosh. Derivatives are taken with respect to the prediction ŷ
//! (so ∂a/∂ŷ = 1).
//!
//! ```
//! use losslab::loss::{Loss, Params};
//! let log_cosh = Loss::new("log_cosh", &Params::new()).unwrap();
//! // No overflow of cosh: log cosh(1e300) = 1e300 − ln 2 = 1e300 in f64.
//! let p = log_cosh.point(0.0, 1e300).unwrap();
//! assert_eq!((p.value, p.gradient, p.hessian), (1e300, 1.0, 0.0));
//! ```

use super::Point;

/// Sign with sign(0) = 0: the subgradient autograd frameworks use at a kink.
pub(crate) fn sign0(a: f64) -> f64 {
    if a > 0.0 {
        1.0
    } else if a < 0.0 {
        -1.0
    } else {
        0.0
    }
}

/// Mean absolute error term.
///
/// # Formula
/// L = |a|, L′ = sign(a) (0 at a = 0), L″ = 0,
/// with a = ŷ − y the residual, y the target, ŷ the prediction.
/// Reference: PyTorch `L1Loss`.
pub(crate) fn mae(y: f64, yhat: f64) -> Point {
    let a = yhat - y;
    Point {
        value: a.abs(),
        gradient: sign0(a),
        hessian: 0.0,
    }
}

/// Mean squared error term.
///
/// # Formula
/// L = a², L′ = 2a, L″ = 2, with a = ŷ − y.
/// Reference: PyTorch `MSELoss`.
pub(crate) fn mse(y: f64, yhat: f64) -> Point {
    let a = yhat - y;
    Point {
        value: a * a,
        gradient: 2.0 * a,
        hessian: 2.0,
    }
}

/// Huber loss with threshold δ > 0.
///
/// # Formula
/// L = ½a² if |a| ≤ δ, else δ(|a| − ½δ);
/// L′ = a if |a| ≤ δ, else δ·sign(a); L″ = 1 if |a| ≤ δ, else 0.
/// a = ŷ − y. The linear branch never squares a, so |a| = 1e300 is fine.
/// Reference: Huber (1964), "Robust Estimation of a Location Parameter";
/// PyTorch `HuberLoss`, Keras `Huber`.
pub(crate) fn huber(delta: f64, y: f64, yhat: f64) -> Point {
    let a = yhat - y;
    if a.abs() <= delta {
        Point {
            value: 0.5 * a * a,
            gradient: a,
            hessian: 1.0,
        }
    } else {
        Point {
            value: delta * (a.abs() - 0.5 * delta),
            gradient: delta * sign0(a),
            hessian: 0.0,
        }
    }
}

/// Smooth L1 loss with threshold β > 0.
///
/// # Formula
/// L = ½a²/β if |a| < β, else |a| − ½β;
/// L′ = a/β if |a| < β, else sign(a); L″ = 1/β if |a| < β, else 0.
/// a = ŷ − y. Reference: Girshick (2015), "Fast R-CNN"; PyTorch `SmoothL1Loss`.
pub(crate) fn smooth_l1(beta: f64, y: f64, yhat: f64) -> Point {
    let a = yhat - y;
    if a.abs() < beta {
        Point {
            value: 0.5 * a * a / beta,
            gradient: a / beta,
            hessian: 1.0 / beta,
        }
    } else {
        Point {
            value: a.abs() - 0.5 * beta,
            gradient: sign0(a),
            hessian: 0.0,
        }
    }
}

/// Log-cosh loss.
///
/// # Formula
/// L = log cosh a, L′ = tanh a, L″ = sech² a = 4e^{−2|a|}/(1 + e^{−2|a|})²,
/// a = ŷ − y. Computed as log1p(2 sinh²(a/2)) for |a| < 1 (no cancellation
/// near 0, where L ≈ a²/2) and as |a| + log1p(e^{−2|a|}) − ln 2 otherwise
/// (no overflow of cosh up to |a| = 1e300).
/// Reference: Keras `LogCosh`; Chen et al. (2019), "Log Hyperbolic Cosine Loss".
pub(crate) fn log_cosh(y: f64, yhat: f64) -> Point {
    let a = yhat - y;
    let abs = a.abs();
    let value = if abs < 1.0 {
        let s = (0.5 * a).sinh();
        (2.0 * s * s).ln_1p()
    } else {
        abs + (-2.0 * abs).exp().ln_1p() - std::f64::consts::LN_2
    };
    let e = (-2.0 * abs).exp();
    Point {
        value,
        gradient: a.tanh(),
        hessian: 4.0 * e / ((1.0 + e) * (1.0 + e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn huber_at_1e300_does_not_overflow() {
        let p = huber(1.0, 0.0, -1e300);
        assert_eq!(p.value, 1e300);
        assert_eq!(p.gradient, -1.0);
    }

    #[test]
    fn kinks_have_zero_gradient() {
        assert_eq!(mae(2.0, 2.0).gradient, 0.0);
        assert_eq!(smooth_l1(1.0, 1.0, 2.0).gradient, 1.0);
    }

    #[test]
    fn log_cosh_small_residual_is_accurate() {
        let p = log_cosh(0.0, 1e-9);
        assert!((p.value - 5e-19).abs() < 1e-33);
        assert_eq!(log_cosh(0.0, 0.0).value, 0.0);
    }
}
