//! Tolerances of losslab's tests, in one place (as statrs's `prec`), used by
//! the unit tests and the integration tests alike. Each says whether it is
//! relative (to the expected value) or absolute.
//!
//! ```
//! use losslab::loss::prec::{close, REL_CORE};
//! assert!(close(1.0 + 1e-13, 1.0, REL_CORE, 0.0));
//! assert!(close(f64::INFINITY, f64::INFINITY, REL_CORE, 0.0));
//! assert!(!close(f64::NAN, 1.0, REL_CORE, 0.0));
//! ```

/// Relative tolerance for `tier: core` golden cases (ordinary inputs).
pub const REL_CORE: f64 = 1e-12;
/// Relative tolerance for `tier: stress` golden cases (extreme inputs).
pub const REL_STRESS: f64 = 1e-9;
/// Relative tolerance for golden cases whose id ends in `summation`.
pub const REL_SUMMATION: f64 = 1e-13;
/// Absolute differences below this are ignored (the golden files' rule for
/// subnormal-sized results).
pub const ABS_FLOOR: f64 = 1e-300;

/// Relative tolerance of analytic derivatives against central finite differences.
pub const REL_FINITE_DIFFERENCE: f64 = 1e-5;
/// Absolute tolerance of the same comparison, for derivatives near 0.
pub const ABS_FINITE_DIFFERENCE: f64 = 1e-6;
/// Relative step of a central finite difference, h = STEP·max(|x|, 1).
pub const FINITE_DIFFERENCE_STEP: f64 = 1e-6;

/// Relative tolerance of a closed form against a stable kernel (a few ulps).
pub const REL_ULPS: f64 = 1e-15;
/// Absolute tolerance of the same comparison for values of order 1 that may be 0.
pub const ABS_ULPS: f64 = 1e-15;

/// |got − expected| ≤ rel·|expected| + abs, with equal infinities and NaN = NaN.
pub fn close(got: f64, expected: f64, rel: f64, abs: f64) -> bool {
    if expected.is_nan() {
        return got.is_nan();
    }
    if expected.is_infinite() || got.is_infinite() {
        return got == expected;
    }
    (got - expected).abs() <= rel * expected.abs() + abs
}
