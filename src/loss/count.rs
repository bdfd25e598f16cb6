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

use std::sync::Arc;

use super::convention;
use super::definition::{Build, Definition, ElementwiseKernel, Hue, Lhs};
use super::domain::{require, Outside};
use super::params::{ParamDefault, ParamSpec};
use super::sampling::{Region, Sampling};
use super::Point;

#[derive(Debug)]
struct Poisson {
    log_input: bool,
}

impl ElementwiseKernel for Poisson {
    #[inline]
    fn domain(&self, y: f64, yhat: f64) -> Result<(), Outside> {
        require(
            y >= 0.0,
            Outside::target("Poisson targets (counts) must be >= 0"),
        )?;
        require(
            self.log_input || yhat >= 0.0,
            Outside::prediction("a Poisson rate must be >= 0 (use log_input = true for log-rates)"),
        )
    }

    #[inline]
    fn point(&self, y: f64, yhat: f64) -> Point {
        poisson(self.log_input, y, yhat)
    }
}

const COUNTS: Region = Region::OneOf(&[0.0, 1.0, 2.0, 3.0, 4.0]);

pub(crate) static POISSON: Definition = Definition {
    name: "poisson",
    aliases: &["poisson_nll"],
    family: "count",
    display_name: "poisson",
    params: &[ParamSpec::new(
        "log_input",
        ParamDefault::Bool(false),
        "the prediction is log q (PyTorch's PoissonNLLLoss default): e^z - y z",
    )],
    formula: "q - y log q (q = predicted rate >= 0); with log_input: e^z - y z",
    latex: r"q - y\log q",
    lhs: Lhs {
        text: "ℓ_Poisson",
        latex: r"\ell_{\mathrm{Poisson}}",
    },
    hue: Hue::Black,
    // Without the log y! term the value can be negative.
    sampling: &[
        Sampling::new(COUNTS, Region::Between(0.1, 8.1)).signed(),
        Sampling::new(COUNTS, Region::Between(-3.0, 3.0))
            .with(&[("log_input", ParamDefault::Bool(true))])
            .signed(),
    ],
    build: Build::Elementwise(|r| {
        Ok(Arc::new(Poisson {
            log_input: r.flag("log_input")?,
        }))
    }),
    conventions: convention::regression::POISSON,
};

/// Poisson negative log-likelihood without the log(y!) constant.
///
/// # Formula
/// With a rate q = ŷ ≥ 0: L = q − y·log q, L′ = (q − y)/q, L″ = y/q²
/// (0·log 0 = 0, so y = 0 gives L = q, L′ = 1, L″ = 0; y > 0 with q = 0 gives
/// L = +∞, L′ = −∞, L″ = +∞).
/// With `log_input` (ŷ = z = log q): L = e^z − y·z, L′ = e^z − y, L″ = e^z.
/// y is the observed count (≥ 0).
/// Reference: PyTorch `PoissonNLLLoss` (full = false), Keras `Poisson` (without ε).
#[inline]
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
    use crate::loss::prec::{close, ABS_ULPS};

    #[test]
    fn log_input_matches_rate_form() {
        let (y, q) = (3.0_f64, 2.5_f64);
        let a = poisson(false, y, q);
        let b = poisson(true, y, q.ln());
        assert!(close(a.value, b.value, 0.0, 10.0 * ABS_ULPS));
        // dL/dz = dL/dq · q
        assert!(close(a.gradient * q, b.gradient, 0.0, 10.0 * ABS_ULPS));
    }
}
