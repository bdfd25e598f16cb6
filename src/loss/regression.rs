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

use std::sync::Arc;

use super::blocks;
use super::convention;
use super::definition::{chunk_with_blocks, Build, Definition, ElementwiseKernel, Hue, Lhs};
use super::pair_formulas::{log_cosh_argument, log_cosh_of_argument, sech_squared};
use super::params::{ParamDefault, ParamSpec};
use super::sampling::{Sampling, WIDE};
use super::slices::{ChunkOut, ChunkTask};
use super::vmath;
use super::Point;

#[derive(Debug)]
struct Mae;

impl ElementwiseKernel for Mae {
    #[inline]
    fn point(&self, y: f64, yhat: f64) -> Point {
        mae(y, yhat)
    }
}

pub(crate) static MAE: Definition = Definition {
    name: "mae",
    aliases: &["l1", "mean_absolute_error"],
    family: "regression",
    display_name: "MAE",
    params: &[],
    formula: "|a|, a = prediction - target",
    latex: r"|a|,\quad a = \hat y - y",
    lhs: Lhs {
        text: "ℓ_MAE",
        latex: r"\ell_{\mathrm{MAE}}",
    },
    hue: Hue::Blue,
    sampling: &[Sampling::new(WIDE, WIDE).kinks(&[0.0])],
    build: Build::Elementwise(|_| Ok(Arc::new(Mae))),
    conventions: convention::regression::MAE,
};

#[derive(Debug)]
struct Mse;

impl ElementwiseKernel for Mse {
    #[inline]
    fn point(&self, y: f64, yhat: f64) -> Point {
        mse(y, yhat)
    }
}

pub(crate) static MSE: Definition = Definition {
    name: "mse",
    aliases: &["l2", "mean_squared_error"],
    family: "regression",
    display_name: "MSE",
    params: &[],
    formula: "a^2",
    latex: r"a^2",
    lhs: Lhs {
        text: "ℓ_MSE",
        latex: r"\ell_{\mathrm{MSE}}",
    },
    hue: Hue::Vermillion,
    sampling: &[Sampling::new(WIDE, WIDE)],
    build: Build::Elementwise(|_| Ok(Arc::new(Mse))),
    conventions: convention::regression::MSE,
};

#[derive(Debug)]
struct Huber {
    delta: f64,
}

impl ElementwiseKernel for Huber {
    #[inline]
    fn point(&self, y: f64, yhat: f64) -> Point {
        huber(self.delta, y, yhat)
    }

    fn huber_delta(&self) -> Option<f64> {
        Some(self.delta)
    }
}

pub(crate) static HUBER: Definition = Definition {
    name: "huber",
    aliases: &[],
    family: "regression",
    display_name: "Huber",
    params: &[ParamSpec::new(
        "delta",
        ParamDefault::Number(1.0),
        "threshold between the quadratic and linear parts, > 0",
    )],
    formula: "a^2/2 if |a| <= delta, else delta (|a| - delta/2)",
    latex: r"\begin{cases}\tfrac12 a^2 & |a|\le\delta\\ \delta(|a|-\tfrac12\delta) & \text{otherwise}\end{cases}",
    lhs: Lhs {
        text: "ℓ_Huber",
        latex: r"\ell_{\mathrm{Huber}}",
    },
    hue: Hue::BluishGreen,
    sampling: &[Sampling::new(WIDE, WIDE)
        .with(&[("delta", ParamDefault::Number(1.5))])
        .kinks(&[-1.5, 1.5])],
    build: Build::Elementwise(|r| {
        Ok(Arc::new(Huber {
            delta: r.positive("delta")?,
        }))
    }),
    conventions: convention::regression::HUBER,
};

#[derive(Debug)]
struct SmoothL1 {
    beta: f64,
}

impl ElementwiseKernel for SmoothL1 {
    #[inline]
    fn point(&self, y: f64, yhat: f64) -> Point {
        smooth_l1(self.beta, y, yhat)
    }
}

pub(crate) static SMOOTH_L1: Definition = Definition {
    name: "smooth_l1",
    aliases: &[],
    family: "regression",
    display_name: "Smooth L1",
    params: &[ParamSpec::new(
        "beta",
        ParamDefault::Number(1.0),
        "threshold between the quadratic and linear parts, > 0",
    )],
    formula: "a^2/(2 beta) if |a| < beta, else |a| - beta/2",
    latex: r"\begin{cases}\tfrac{a^2}{2\beta} & |a|<\beta\\ |a|-\tfrac12\beta & \text{otherwise}\end{cases}",
    lhs: Lhs {
        text: "ℓ_SmoothL1",
        latex: r"\ell_{\mathrm{SmoothL1}}",
    },
    hue: Hue::ReddishPurple,
    sampling: &[Sampling::new(WIDE, WIDE)
        .with(&[("beta", ParamDefault::Number(0.5))])
        .kinks(&[-0.5, 0.5])],
    build: Build::Elementwise(|r| {
        Ok(Arc::new(SmoothL1 {
            beta: r.positive("beta")?,
        }))
    }),
    conventions: convention::regression::SMOOTH_L1,
};

#[derive(Debug)]
struct LogCosh;

impl ElementwiseKernel for LogCosh {
    #[inline]
    fn point(&self, y: f64, yhat: f64) -> Point {
        log_cosh(y, yhat)
    }

    // Without the gradient's tanh when only the value is wanted.
    #[inline]
    fn value(&self, y: f64, yhat: f64) -> f64 {
        log_cosh_value(yhat - y)
    }

    /// The slice loop with the arithmetic inlined; the values and
    /// derivatives come from [`blocks::log_cosh`], in steps the compiler
    /// vectorises.
    fn chunk(&self, task: ChunkTask<'_>) -> ChunkOut {
        chunk_with_blocks(
            self,
            log_cosh,
            #[inline(always)]
            |y, yhat| log_cosh_value(yhat - y),
            #[inline(always)]
            |t: &[f64], p: &[f64], out: &mut [f64], g: &mut [f64], h: &mut [f64]| {
                blocks::log_cosh(t, p, out, g, h)
            },
            task,
        )
    }
}

pub(crate) static LOG_COSH: Definition = Definition {
    name: "log_cosh",
    aliases: &["logcosh"],
    family: "regression",
    display_name: "log-cosh",
    params: &[],
    formula: "log cosh(a)",
    latex: r"\log\cosh a",
    lhs: Lhs {
        text: "ℓ_LogCosh",
        latex: r"\ell_{\mathrm{LogCosh}}",
    },
    hue: Hue::Orange,
    sampling: &[Sampling::new(WIDE, WIDE)],
    build: Build::Elementwise(|_| Ok(Arc::new(LogCosh))),
    conventions: convention::regression::LOG_COSH,
};

/// Sign with sign(0) = 0: the subgradient autograd frameworks use at a kink.
#[inline]
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
#[inline]
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
#[inline]
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
#[inline]
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
#[inline]
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
/// a = ŷ − y. Computed as log1p(cosh a − 1) for |a| < 1, with cosh a − 1
/// by its series (no cancellation near 0, where L ≈ a²/2), and as
/// |a| + log1p(e^{−2|a|}) − ln 2 otherwise (no overflow of cosh up to
/// |a| = 1e300). Both branches are computed and one is chosen, with no
/// library call, so that a slice loop vectorises.
/// Reference: Keras `LogCosh`; Chen et al. (2019), "Log Hyperbolic Cosine Loss".
#[inline(always)]
pub(crate) fn log_cosh(y: f64, yhat: f64) -> Point {
    let a = yhat - y;
    let e = vmath::exp(-2.0 * a.abs());
    let cosh_m1 = vmath::cosh_m1_small(a);
    Point {
        value: log_cosh_from(a.abs(), e, cosh_m1),
        gradient: vmath::tanh_from(a, e, cosh_m1),
        hessian: sech_squared(e),
    }
}

/// log cosh a, the value of [`log_cosh`] alone.
#[inline(always)]
fn log_cosh_value(a: f64) -> f64 {
    let abs = a.abs();
    log_cosh_from(abs, vmath::exp(-2.0 * abs), vmath::cosh_m1_small(a))
}

/// log cosh a from |a|, e = e^{−2|a|} and the series of cosh a − 1 (used
/// where |a| < 1 only), the numbers it shares with tanh a.
#[inline(always)]
fn log_cosh_from(abs: f64, e: f64, cosh_m1: f64) -> f64 {
    log_cosh_of_argument(abs, log_cosh_argument(abs, e, cosh_m1))
}

/// Pseudo-Huber loss with scale δ > 0: smooth everywhere, ½a² near 0 and
/// δ|a| far out, like Huber without its kink in the second derivative.
///
/// # Formula
/// L = δ²(√(1 + (a/δ)²) − 1), L′ = a/√(1 + (a/δ)²), L″ = (1 + (a/δ)²)^{−3/2},
/// a = ŷ − y, δ the scale. With h = √(1 + (a/δ)²) (a hypot, no overflow):
/// L = a·(a/(h + 1)) (no cancellation near a = 0, where L ≈ a²/2, and no
/// overflow of a² or δ² far out), L′ = a/h, L″ = (1/h)³. Where a/δ
/// overflows (δ tiny against a) the limits are taken: L = δ|a|,
/// L′ = δ·sign(a), L″ = 0.
/// Reference: Charbonnier et al. (1997), "Deterministic edge-preserving
/// regularization in computed imaging"; Hartley & Zisserman (2003),
/// *Multiple View Geometry*, §A6.8.
#[inline]
pub(crate) fn pseudo_huber(delta: f64, y: f64, yhat: f64) -> Point {
    let a = yhat - y;
    let r = a / delta;
    if r.is_infinite() {
        return Point {
            value: delta * a.abs(),
            gradient: delta * sign0(a),
            hessian: 0.0,
        };
    }
    let h = 1.0f64.hypot(r);
    let c = 1.0 / h;
    Point {
        value: a * (a / (h + 1.0)),
        gradient: a / h,
        hessian: c * c * c,
    }
}

#[derive(Debug)]
struct PseudoHuber {
    delta: f64,
}

impl ElementwiseKernel for PseudoHuber {
    #[inline]
    fn point(&self, y: f64, yhat: f64) -> Point {
        pseudo_huber(self.delta, y, yhat)
    }
}

pub(crate) static PSEUDO_HUBER: Definition = Definition {
    name: "pseudo_huber",
    aliases: &[],
    family: "regression",
    display_name: "pseudo-Huber",
    params: &[ParamSpec::new(
        "delta",
        ParamDefault::Number(1.0),
        "scale where the quadratic part turns linear, > 0",
    )],
    formula: "delta^2 (sqrt(1 + (a/delta)^2) - 1)",
    latex: r"\delta^2\left(\sqrt{1 + (a/\delta)^2} - 1\right)",
    lhs: Lhs {
        text: "ℓ_PseudoHuber",
        latex: r"\ell_{\mathrm{PseudoHuber}}",
    },
    hue: Hue::SkyBlue,
    sampling: &[
        Sampling::new(WIDE, WIDE),
        Sampling::new(WIDE, WIDE).with(&[("delta", ParamDefault::Number(0.3))]),
    ],
    build: Build::Elementwise(|r| {
        Ok(Arc::new(PseudoHuber {
            delta: r.positive("delta")?,
        }))
    }),
    conventions: &[],
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::loss::prec::{close, REL_ULPS};

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
    fn pseudo_huber_is_half_mse_near_zero_and_linear_far_out() {
        let p = pseudo_huber(1.0, 0.0, 1e-9);
        assert_eq!((p.value, p.gradient, p.hessian), (5e-19, 1e-9, 1.0));
        let p = pseudo_huber(2.0, 0.0, -1e300);
        assert_eq!((p.value, p.gradient, p.hessian), (2e300, -2.0, 0.0));
        // δ tiny against a: r = a/δ overflows, the value is δ|a|.
        let p = pseudo_huber(1e-300, 0.0, 1e300);
        assert_eq!((p.value, p.gradient, p.hessian), (1.0, 1e-300, 0.0));
        // δ²(√2 − 1) at a = δ.
        let p = pseudo_huber(3.0, 1.0, 4.0);
        assert!(close(p.value, 9.0 * (2f64.sqrt() - 1.0), REL_ULPS, 0.0));
        assert!(close(p.gradient, 3.0 / 2f64.sqrt(), REL_ULPS, 0.0));
    }

    #[test]
    fn log_cosh_small_residual_is_accurate() {
        let p = log_cosh(0.0, 1e-9);
        assert!(close(p.value, 5e-19, REL_ULPS, 0.0));
        assert_eq!(log_cosh(0.0, 0.0).value, 0.0);
    }
}
