//! Count losses: the Poisson negative log-likelihood.
//!
//! ```
//! use losslab::loss::{Loss, Params};
//! let poisson = Loss::new("poisson", &Params::new()).unwrap();
//! // A rate of 0 where a count was seen is infinitely wrong, not NaN.
//! assert_eq!(poisson.point(2.0, 0.0).unwrap().value, f64::INFINITY);
//! // 0·log 0 = 0.
//! assert_eq!(poisson.point(0.0, 0.0).unwrap().value, 0.0);
//! ```

use super::Point;

/// Poisson negative log-likelihood without the log(y!) constant.
///
/// # Formula
/// With a rate q = ŷ ≥ 0: L = q − y·log q, L′ = (q − y)/q, L″ = y/q²
/// (0·log 0 = 0, so y = 0 gives L = q, L′ = 1, L″ = 0; y > 0 with q = 0 gives
/// L = +∞, L′ = −∞, L″ = +∞).
/// With `log_input` (ŷ = z = log q): L = e^z − y·z, L′ = e^z − y, L″ = e^z.
/// y is the observed count (≥ 0).
/// Reference: PyTorch `PoissonNLLLoss` (full = false), Keras `Poisson` (without ε).
pub(crate) fn poisson(log_input: bool, y: f64, yhat: f64) -> Point {
    if log_input {
        let e = yhat.exp();
        let yz = if y == 0.0 { 0.0 } else { y * yhat };
        return Point {
            value: e - yz,
            gradient: e - y,
            hessian: e,
        };
    }
    let q = yhat;
    if y == 0.0 {
        return Point {
            value: q,
            gradient: 1.0,
            hessian: 0.0,
        };
    }
    if q == 0.0 {
        return Point {
            value: f64::INFINITY,
            gradient: f64::NEG_INFINITY,
            hessian: f64::INFINITY,
        };
    }
    Point {
        value: q - y * q.ln(),
        gradient: (q - y) / q,
        hessian: y / (q * q),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_input_matches_rate_form() {
        let (y, q) = (3.0_f64, 2.5_f64);
        let a = poisson(false, y, q);
        let b = poisson(true, y, q.ln());
        assert!((a.value - b.value).abs() < 1e-14);
        // dL/dz = dL/dq · q
        assert!((a.gradient * q - b.gradient).abs() < 1e-14);
    }
}
