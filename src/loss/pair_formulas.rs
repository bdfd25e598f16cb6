//! The per-pair formulas that the per-pair kernels (`binary.rs`,
//! `regression.rs`) and their block forms (`blocks.rs`) share: both compute
//! every number with these, so a value has the same bits whichever loop
//! computed it. Kept apart so that the kernels and the block forms depend
//! on them, not on each other.

use super::vmath;

/// y(1 − ls) + ls/2: Keras' and PyTorch's binary label smoothing. Returns
/// (y_s, 1 − y_s), the complement computed as (1 − y)(1 − ls) + ls/2, a sum
/// of non-negative terms: 1 − y_s would lose the digits of a small ls.
#[inline(always)]
pub(crate) fn smooth(y: f64, label_smoothing: f64) -> (f64, f64) {
    if label_smoothing == 0.0 {
        (y, 1.0 - y)
    } else {
        let keep = 1.0 - label_smoothing;
        let half = 0.5 * label_smoothing;
        (y * keep + half, (1.0 - y) * keep + half)
    }
}

/// The value of `bce_probability` (binary.rs) from ln q and ln(1 − q).
#[inline(always)]
pub(crate) fn bce_probability_value(y: f64, ybar: f64, ln_q: f64, ln_one_minus_q: f64) -> f64 {
    // Each log term only where its weight is non-zero: 0·log 0 = 0.
    let positive = if y == 0.0 { 0.0 } else { -y * ln_q };
    let negative = if ybar == 0.0 {
        0.0
    } else {
        -ybar * ln_one_minus_q
    };
    positive + negative
}

/// The gradient and Hessian of `bce_probability` (binary.rs).
#[inline(always)]
pub(crate) fn bce_probability_derivatives(y: f64, ybar: f64, q: f64) -> (f64, f64) {
    let qbar = 1.0 - q;
    // (q − y)/(q(1 − q)) rather than −y/q + (1 − y)/(1 − q): no cancellation
    // near q = y; −1/q where ybar = 0, 1/(1 − q) where y = 0. The numerator
    // and denominator are chosen first and divided once (the same operation
    // on the same operands as dividing in each branch): a vector loop
    // computes every branch, and its divisions are the slowest part.
    // Selects rather than an `if` chain, which would keep a loop scalar.
    let numerator = if ybar == 0.0 { -1.0 } else { q - y };
    let denominator = if ybar == 0.0 { q } else { q * qbar };
    let numerator = if y == 0.0 { 1.0 } else { numerator };
    let denominator = if y == 0.0 { qbar } else { denominator };
    let gradient = numerator / denominator;
    // y/q² + ybar/(1 − q)², or its one term where the other weight is 0
    // (1/q² where ybar = 0, 1/(1 − q)² where y = 0), whose 0/0 at q = 1
    // or q = 0 the sum would turn into NaN.
    let positive = if ybar == 0.0 { 1.0 } else { y } / (q * q);
    let negative = if y == 0.0 { 1.0 } else { ybar } / (qbar * qbar);
    let hessian = if ybar == 0.0 {
        positive
    } else {
        positive + negative
    };
    let hessian = if y == 0.0 { negative } else { hessian };
    (gradient, hessian)
}

/// The value of `bce_logit` (binary.rs) from log1p(e^{−|z|}).
#[inline(always)]
pub(crate) fn bce_logit_value(y: f64, ybar: f64, z: f64, log_term: f64) -> f64 {
    // y·softplus(−z) + (1 − y)·softplus(z): two non-negative terms, equal to
    // max(z, 0) − zy + log1p(e^{−|z|}) without its cancellation.
    y * ((-z).max(0.0) + log_term) + ybar * (z.max(0.0) + log_term)
}

/// The gradient and Hessian of `bce_logit` (binary.rs) from e = e^{−|z|}.
#[inline(always)]
pub(crate) fn bce_logit_derivatives(y: f64, ybar: f64, z: f64, e: f64) -> (f64, f64) {
    let (q, qbar) = if z >= 0.0 {
        (1.0 / (1.0 + e), e / (1.0 + e))
    } else {
        (e / (1.0 + e), 1.0 / (1.0 + e))
    };
    // σ(z) − y, written so that σ(z) ≈ y loses nothing.
    (ybar * q - y * qbar, q * qbar)
}

/// The argument of ln(1 + ·) in `log_cosh_from` (regression.rs): cosh a − 1 where
/// |a| < 1, e^{−2|a|} beyond.
#[inline(always)]
pub(crate) fn log_cosh_argument(abs: f64, e: f64, cosh_m1: f64) -> f64 {
    if abs < 1.0 {
        cosh_m1
    } else {
        e
    }
}

/// log cosh a from |a| and [`log_cosh_argument`]: ln(1 + (cosh a − 1))
/// where |a| < 1, |a| + ln(1 + e^{−2|a|}) − ln 2 beyond.
#[inline(always)]
pub(crate) fn log_cosh_of_argument(abs: f64, argument: f64) -> f64 {
    // The argument is in [0, cosh 1 − 1] (or NaN).
    let log_term = vmath::ln_1p_unit(argument);
    if abs < 1.0 {
        log_term
    } else {
        abs + log_term - std::f64::consts::LN_2
    }
}

/// sech² a = 4e/(1 + e)² from e = e^{−2|a|}.
#[inline(always)]
pub(crate) fn sech_squared(e: f64) -> f64 {
    4.0 * e / ((1.0 + e) * (1.0 + e))
}

#[cfg(test)]
#[path = "pair_formulas_tests.rs"]
mod tests;
