//! Robust and relative regression losses: quantile (pinball), MSLE, MAPE.
//!
//! ```
//! use losslab::loss::{Loss, ParamValue, Params};
//! let mut params = Params::new();
//! params.insert("tau".into(), ParamValue::Number(0.9));
//! let q = Loss::new("quantile", &params).unwrap();
//! // Under-prediction (y > ŷ) costs τ per unit, over-prediction 1 − τ.
//! let p = q.point(2.0, 1.0).unwrap();
//! assert!((p.value - 0.9).abs() < 1e-15 && p.gradient == -0.9);
//! ```

use std::sync::Arc;

use super::convention;
use super::definition::{Build, Definition, ElementwiseKernel, Hue, Lhs};
use super::domain::{require, Outside};
use super::params::{ParamDefault, ParamSpec};
use super::regression::sign0;
use super::sampling::{Region, Sampling, WIDE};
use super::Point;

#[derive(Debug)]
struct Quantile {
    tau: f64,
}

impl ElementwiseKernel for Quantile {
    #[inline]
    fn point(&self, y: f64, yhat: f64) -> Point {
        quantile(self.tau, y, yhat)
    }
}

pub(crate) static QUANTILE: Definition = Definition {
    name: "quantile",
    aliases: &["pinball"],
    family: "robust",
    display_name: "quantile",
    params: &[ParamSpec::new(
        "tau",
        ParamDefault::Number(0.5),
        "quantile level, in (0, 1)",
    )],
    formula: "max(tau u, (tau - 1) u), u = target - prediction",
    latex: r"\max(\tau u, (\tau-1)u),\quad u = y - \hat y",
    lhs: Lhs {
        text: "ℓ_Quantile",
        latex: r"\ell_{\mathrm{Quantile}}",
    },
    hue: Hue::SkyBlue,
    sampling: &[Sampling::new(WIDE, WIDE)
        .with(&[("tau", ParamDefault::Number(0.2))])
        .kinks(&[0.0])],
    build: Build::Elementwise(|r| {
        Ok(Arc::new(Quantile {
            tau: r.number_where("tau", |x| x > 0.0 && x < 1.0, "must be in (0, 1)")?,
        }))
    }),
    conventions: &[],
};

#[derive(Debug)]
struct Msle;

impl ElementwiseKernel for Msle {
    #[inline]
    fn domain(&self, y: f64, yhat: f64) -> Result<(), Outside> {
        require(y > -1.0, Outside::target("msle needs values > -1"))?;
        require(yhat > -1.0, Outside::prediction("msle needs values > -1"))
    }

    #[inline]
    fn point(&self, y: f64, yhat: f64) -> Point {
        msle(y, yhat)
    }
}

pub(crate) static MSLE: Definition = Definition {
    name: "msle",
    aliases: &["mean_squared_logarithmic_error"],
    family: "robust",
    display_name: "msle",
    params: &[],
    formula: "(log1p(prediction) - log1p(target))^2, inputs > -1",
    latex: r"\left(\log(1+\hat y) - \log(1+y)\right)^2",
    lhs: Lhs {
        text: "ℓ_MSLE",
        latex: r"\ell_{\mathrm{MSLE}}",
    },
    hue: Hue::ReddishPurple,
    sampling: &[Sampling::new(
        Region::Between(-0.9, 9.1),
        Region::Between(-0.9, 9.1),
    )],
    build: Build::Elementwise(|_| Ok(Arc::new(Msle))),
    conventions: convention::regression::MSLE,
};

#[derive(Debug)]
struct Mape;

impl ElementwiseKernel for Mape {
    #[inline]
    fn domain(&self, y: f64, _yhat: f64) -> Result<(), Outside> {
        require(
            y != 0.0,
            Outside::target("mape divides by the target, which must not be 0"),
        )
    }

    #[inline]
    fn point(&self, y: f64, yhat: f64) -> Point {
        mape(y, yhat)
    }
}

pub(crate) static MAPE: Definition = Definition {
    name: "mape",
    aliases: &["mean_absolute_percentage_error"],
    family: "robust",
    display_name: "mape",
    params: &[],
    formula: "100 |prediction - target| / |target|, target != 0",
    latex: r"100\,\frac{|\hat y - y|}{|y|}",
    lhs: Lhs {
        text: "ℓ_MAPE",
        latex: r"\ell_{\mathrm{MAPE}}",
    },
    hue: Hue::Orange,
    sampling: &[Sampling::new(Region::Between(0.1, 5.1), WIDE).kinks(&[0.0])],
    build: Build::Elementwise(|_| Ok(Arc::new(Mape))),
    conventions: convention::regression::MAPE,
};

/// Quantile (pinball) loss at level τ ∈ (0, 1).
///
/// # Formula
/// L = max(τu, (τ − 1)u) with u = y − ŷ;
/// L′ = −τ if u > 0, 1 − τ if u < 0, 0 at u = 0 (the kink); L″ = 0.
/// Reference: Koenker & Bassett (1978), "Regression Quantiles".
#[inline]
pub(crate) fn quantile(tau: f64, y: f64, yhat: f64) -> Point {
    let u = y - yhat;
    let (value, gradient) = if u > 0.0 {
        (tau * u, -tau)
    } else if u < 0.0 {
        ((tau - 1.0) * u, 1.0 - tau)
    } else {
        (0.0, 0.0)
    };
    Point {
        value,
        gradient,
        hessian: 0.0,
    }
}

/// Squared logarithmic error; inputs must be > −1.
///
/// # Formula
/// L = d², d = log(1 + ŷ) − log(1 + y); L′ = 2d/(1 + ŷ); L″ = 2(1 − d)/(1 + ŷ)².
/// d is computed as log1p((ŷ − y)/(1 + y)) when the ratio (1 + ŷ)/(1 + y) is
/// within [½, 2], so it keeps its digits when ŷ ≈ y.
/// Reference: Keras `MeanSquaredLogarithmicError`.
#[inline]
pub(crate) fn msle(y: f64, yhat: f64) -> Point {
    let (py, pyhat) = (1.0 + y, 1.0 + yhat);
    let ratio = pyhat / py;
    let d = if (0.5..=2.0).contains(&ratio) {
        ((yhat - y) / py).ln_1p()
    } else {
        yhat.ln_1p() - y.ln_1p()
    };
    Point {
        value: d * d,
        gradient: 2.0 * d / pyhat,
        hessian: 2.0 * (1.0 - d) / (pyhat * pyhat),
    }
}

/// Absolute percentage error; the target must not be 0 (no silent epsilon).
///
/// # Formula
/// L = 100·|ŷ − y|/|y|; L′ = 100·sign(ŷ − y)/|y| (0 at ŷ = y); L″ = 0.
/// Reference: Keras `MeanAbsolutePercentageError` (without its epsilon).
#[inline]
pub(crate) fn mape(y: f64, yhat: f64) -> Point {
    let a = yhat - y;
    Point {
        value: 100.0 * a.abs() / y.abs(),
        gradient: 100.0 * sign0(a) / y.abs(),
        hessian: 0.0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::loss::prec::{close, REL_ULPS};

    #[test]
    fn quantile_kink_and_sides() {
        assert_eq!(quantile(0.3, 1.0, 1.0).gradient, 0.0);
        assert_eq!(quantile(0.3, 1.0, 0.0).gradient, -0.3);
        assert_eq!(quantile(0.3, 0.0, 1.0).gradient, 0.7);
    }

    #[test]
    fn msle_near_equal_inputs_keeps_digits() {
        let yhat = 1.0 + 1e-12;
        let a = yhat - 1.0; // exact
                            // d = log1p(a/2) = a/2 − a²/8 + …; the subtraction log1p(ŷ) − log1p(y)
                            // would keep only about 4 digits of it.
        let d = a / 2.0 - a * a / 8.0;
        let p = msle(1.0, yhat);
        assert!(
            close(p.value, d * d, 10.0 * REL_ULPS, 0.0),
            "{} vs {}",
            p.value,
            d * d
        );
    }

    #[test]
    fn mape_is_percent() {
        assert_eq!(mape(2.0, 3.0).value, 50.0);
        assert_eq!(mape(-2.0, -3.0).gradient, -50.0);
    }
}
