//! The AVX-512 functions give the scalar functions' bits (where the
//! processor has AVX-512F): every input of a mixed set (random over many
//! binades, the ends of the reduced arguments, the thresholds, special
//! values), each at every lane position.

use super::*;

/// A small deterministic generator.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

fn has_avx512() -> bool {
    std::arch::is_x86_feature_detected!("avx512f")
}

/// Inputs of every kind: any bits, any magnitude in [−800, 800], the unit
/// interval, and the special values.
fn inputs() -> Vec<f64> {
    let mut rng = XorShift(0x9e37_79b9_7f4a_7c15);
    let mut xs = vec![
        0.0,
        -0.0,
        5e-324,
        -5e-324,
        f64::MIN_POSITIVE,
        1.0,
        -1.0,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NAN,
        709.782712893384,
        709.7827128933841,
        710.0,
        -708.3964185322641,
        -745.1332191019411,
        -745.1332191019412,
        -746.0,
        vmath::NEAR_1P,
        f64::from_bits(vmath::NEAR_1P.to_bits() - 1),
        1e-300,
        1.7e308,
    ];
    for i in 0..200_000u64 {
        let bits = rng.next();
        let unit = (bits >> 11) as f64 / (1u64 << 53) as f64;
        xs.push(match i % 4 {
            0 => f64::from_bits(bits),
            1 => (unit - 0.5) * 1600.0,
            2 => unit,
            _ => (unit - 0.5) * 2f64.powi((bits % 60) as i32 - 50),
        });
    }
    xs
}

/// `wide` on every whole step of `xs` (the rest left at NaN).
fn wide_map(xs: &[f64], wide: impl Fn(V) -> V) -> Vec<f64> {
    let mut out = vec![f64::NAN; xs.len()];
    // SAFETY: the processor has AVX-512F (the callers check).
    unsafe { map(&mut out, xs, wide, |_| f64::NAN) };
    out
}

fn assert_same(xs: &[f64], got: &[f64], scalar: impl Fn(f64) -> f64, name: &str) {
    let whole = xs.len() - xs.len() % STEP;
    for (&x, &g) in xs[..whole].iter().zip(got) {
        assert_eq!(g.to_bits(), scalar(x).to_bits(), "{name}({x:e})");
    }
}

#[test]
fn exp_and_ln_1p_unit_are_the_scalar_functions_bit_for_bit() {
    if !has_avx512() {
        return;
    }
    let xs = inputs();
    // SAFETY: the processor has AVX-512F (checked above).
    let got = wide_map(&xs, |x| unsafe { exp(x) });
    assert_same(&xs, &got, vmath::exp, "exp");
    // ln_1p_unit is meant for [0, 1] (and NaN); its other results are
    // unspecified but still the same.
    let got = wide_map(&xs, |x| unsafe { ln_1p_unit(x) });
    assert_same(&xs, &got, vmath::ln_1p_unit, "ln_1p_unit");
    // Every lane position for each special value.
    for lane in 0..STEP {
        for &x in &xs[..21] {
            let mut v = [0.5; STEP];
            v[lane] = x;
            let got = wide_map(&v, |x| unsafe { exp(x) });
            assert_eq!(got[lane].to_bits(), vmath::exp(x).to_bits(), "exp({x:e})");
        }
    }
}

#[test]
fn value_loops_are_the_block_forms_bit_for_bit() {
    if !has_avx512() {
        return;
    }
    let xs = inputs();
    let n = 10_003; // not a multiple of 8: the scalar tail too
    let target: Vec<f64> = xs
        .iter()
        .rev()
        .take(n)
        .map(|&x| x.clamp(-3.0, 3.0))
        .collect();
    let labels: Vec<f64> = (0..n).map(|i| f64::from(u8::from(i % 3 == 0))).collect();
    let prediction = &xs[..n];
    let mut got = vec![0.0; n];
    // SAFETY: the processor has AVX-512F (checked above).
    unsafe { log_cosh_values(&target, prediction, &mut got) };
    for i in 0..n {
        let a = (prediction[i] - target[i]).abs();
        let arg = log_cosh_argument(a, vmath::exp(-2.0 * a), vmath::cosh_m1_small(a));
        let expected = log_cosh_of_argument(a, arg);
        assert_eq!(got[i].to_bits(), expected.to_bits(), "log-cosh {i}");
    }
    for ls in [0.0, 0.1] {
        for t in [&labels, &target] {
            unsafe { bce_logit_values(ls, t, prediction, &mut got) };
            for i in 0..n {
                let (y, ybar) = smooth(t[i], ls);
                let z = prediction[i];
                let log_term = vmath::ln_1p_unit(vmath::exp(-z.abs()));
                let expected = bce_logit_value(y, ybar, z, log_term);
                assert_eq!(got[i].to_bits(), expected.to_bits(), "BCE {i}: {z:e}");
            }
        }
    }
}
