//! The per-pair formulas against the forms they replaced.

use super::*;

/// `bce_probability_derivatives` as it was written before it chose its
/// numerator and denominator first: a division in each branch.
fn divided_in_each_branch(y: f64, ybar: f64, q: f64) -> (f64, f64) {
    let qbar = 1.0 - q;
    let (gradient, hessian) = ((q - y) / (q * qbar), y / (q * q) + ybar / (qbar * qbar));
    let gradient = if ybar == 0.0 { -1.0 / q } else { gradient };
    let hessian = if ybar == 0.0 { 1.0 / (q * q) } else { hessian };
    let gradient = if y == 0.0 { 1.0 / qbar } else { gradient };
    let hessian = if y == 0.0 {
        1.0 / (qbar * qbar)
    } else {
        hessian
    };
    (gradient, hessian)
}

/// One division per derivative gives the bits of a division per branch:
/// labels 0, 1 and between (smoothed or not), q at 0, 1, subnormal, tiny,
/// next to 1, NaN and 100,000 spread over [0, 1).
#[test]
fn bce_probability_derivatives_divide_once_with_the_same_bits() {
    let bits = |x: f64| if x.is_nan() { u64::MAX } else { x.to_bits() };
    let mut qs = vec![
        0.0,
        5e-324,
        1e-300,
        1e-17,
        0.25,
        0.5,
        1.0 - f64::EPSILON / 2.0,
        1.0,
        f64::NAN,
    ];
    let mut state = 0x1234_5678_u64;
    for _ in 0..100_000 {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        qs.push((state >> 11) as f64 / (1u64 << 53) as f64);
    }
    let mut special = 0;
    for label in [0.0, 1.0, 0.5, 0.3, 1e-300, 1.0 - f64::EPSILON / 2.0] {
        for label_smoothing in [0.0, 0.1, 1e-12] {
            let (y, ybar) = smooth(label, label_smoothing);
            special += usize::from(y == 0.0 || ybar == 0.0);
            for &q in &qs {
                let (g, h) = bce_probability_derivatives(y, ybar, q);
                let (g0, h0) = divided_in_each_branch(y, ybar, q);
                assert_eq!((bits(g), bits(h)), (bits(g0), bits(h0)), "y {y} q {q:e}");
            }
        }
    }
    assert_eq!(special, 2, "the branches y = 0 and 1 − y = 0 are taken");
}
