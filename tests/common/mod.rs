//! Tolerances of the test suites, in one place. `rel` is relative to the
//! expected value; `ABS_FLOOR` is an absolute difference below which values
//! count as equal (the golden files' rule for subnormal-sized results).
#![allow(dead_code)]

/// Relative tolerance for `tier: core` golden cases (ordinary inputs).
pub const REL_CORE: f64 = 1e-12;
/// Relative tolerance for `tier: stress` golden cases (extreme inputs).
pub const REL_STRESS: f64 = 1e-9;
/// Relative tolerance for golden cases whose id ends in `summation`.
pub const REL_SUMMATION: f64 = 1e-13;
/// Absolute differences below this are ignored.
pub const ABS_FLOOR: f64 = 1e-300;

/// Relative tolerance of analytic derivatives against central finite differences.
pub const REL_FINITE_DIFFERENCE: f64 = 1e-5;
/// Absolute tolerance of the same comparison, for derivatives near 0.
pub const ABS_FINITE_DIFFERENCE: f64 = 1e-6;

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
