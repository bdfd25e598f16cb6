//! Accuracy of `vmath`: against exact values from mpmath (errors in ulps of
//! the true value), against the C library over millions of inputs, and at
//! the special values.

use super::*;

/// The spacing of doubles at |x| (the subnormal spacing at least).
fn ulp(x: f64) -> f64 {
    let x = x.abs();
    f64::from_bits(x.to_bits() + 1) - x
}

/// Distance in representable doubles (0 for equal values, NaN = NaN).
fn ulps_apart(a: f64, b: f64) -> u64 {
    if a.is_nan() && b.is_nan() {
        return 0;
    }
    let ordered = |x: f64| {
        let b = x.to_bits() as i64;
        if b < 0 {
            i64::MIN - b
        } else {
            b
        }
    };
    ordered(a).abs_diff(ordered(b))
}

/// Error of `got` from the exact hi + lo, in ulps of hi.
fn error_in_ulps(got: f64, hi: f64, lo: f64) -> f64 {
    ((got - hi) - lo).abs() / ulp(hi)
}

/// A reference input 1 ulp off or more: (function, input, result, ulps).
type Miss = (String, f64, f64, f64);

/// The largest error of each function over the reference table, in ulps
/// of the exact value: exp (normal results), ln, ln_1p, ln_1p_unit, exp
/// (subnormal results, in ulps of the subnormal spacing), exp_rational
/// (normal, subnormal), ln_prob, ln_1m_prob; and how many lines there
/// are, and which inputs were 1 ulp off or more.
fn worst_against_the_reference() -> ([f64; 9], usize, Vec<Miss>) {
    let table = include_str!("vmath_reference.txt");
    let mut worst = [0.0f64; 9];
    let (mut count, mut bad) = (0, Vec::new());
    for line in table.lines().filter(|l| !l.starts_with('#')) {
        let fields: Vec<&str> = line.split_whitespace().collect();
        let x = f64::from_bits(u64::from_str_radix(fields[1], 16).unwrap());
        let (hi, lo): (f64, f64) = (fields[2].parse().unwrap(), fields[3].parse().unwrap());
        let cases = match fields[0] {
            "exp" => vec![(0, exp(x)), (5, exp_rational(x))],
            "ln" => vec![(1, ln(x))],
            "ln_1p" => vec![(2, ln_1p(x))],
            "ln_1p_unit" => vec![(3, ln_1p_unit(x))],
            "exp_times_2_64" => vec![(4, exp(x)), (6, exp_rational(x))],
            "ln_prob" => vec![(7, ln_prob(x)), (7, ln_prob_or_1m(x, true))],
            "ln_1m_prob" => vec![(8, ln_1m_prob(x)), (8, ln_prob_or_1m(x, false))],
            other => panic!("unknown function {other}"),
        };
        for (slot, got) in cases {
            let error = if slot == 4 || slot == 6 {
                // hi + lo is e^x·2^64; the spacing of subnormals is 2^−1074.
                let two_64 = f64::from_bits(0x43f0_0000_0000_0000);
                ((got * two_64 - hi) - lo).abs() / (5e-324 * two_64)
            } else {
                error_in_ulps(got, hi, lo)
            };
            if error >= 1.0 && bad.len() < 20 {
                bad.push((fields[0].to_string(), x, got, error));
            }
            worst[slot] = worst[slot].max(error);
        }
        count += 1;
    }
    (worst, count, bad)
}

#[test]
fn within_one_ulp_of_the_exact_values() {
    let (worst, count, bad) = worst_against_the_reference();
    assert!(
        bad.is_empty(),
        "(function, input, result, ulps) beyond 1 ulp: {bad:?}"
    );
    assert!(count > 8900, "{count} reference values");
    // The table exercises the polynomials: some error, but below 1 ulp.
    assert!(worst.iter().all(|&w| w > 0.3 && w < 1.0), "{worst:?}");
}

/// `exp`'s stated accuracy: 0.55 ulp where the result is a normal double
/// (6,000 inputs: the whole range, near 0, the ends of the reduced
/// argument), below 1 ulp where it is subnormal (1,000 inputs).
#[test]
fn exp_is_within_its_stated_accuracy() {
    let (worst, _, _) = worst_against_the_reference();
    assert!(worst[0] > 0.5 && worst[0] <= 0.55, "{}", worst[0]);
    assert!(worst[4] > 0.5 && worst[4] < 1.0, "{}", worst[4]);
}

/// A small deterministic generator (the tests must not depend on a seed file).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 ^ (self.0 >> 29)
    }

    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// Every input within 1 ulp of the C library's result (itself within
/// about half an ulp of the exact value), over uniform arguments, random
/// bit patterns (every binade, subnormals included) and small magnitudes.
#[test]
fn within_one_ulp_of_the_c_library_over_millions_of_inputs() {
    let mut rng = Lcg(0x2545_f491_4f6c_dd1d);
    let mut worst = [0u64; 4];
    let mut bad = Vec::new();
    for i in 0..3_000_000u32 {
        let x = match i % 3 {
            0 => -746.0 + 1456.0 * rng.unit(),
            1 => f64::from_bits(rng.next() >> 1),
            _ => (rng.unit() - 0.5) * 10f64.powf(-30.0 * rng.unit()),
        };
        // ln_1p over (−1, ∞): x itself, or a number in (−1, 0].
        let y = if x > -1.0 { x } else { -rng.unit() };
        let apart = [
            (x, ulps_apart(exp(x), x.exp())),
            (x, ulps_apart(exp_rational(x), x.exp())),
            (x.abs(), ulps_apart(ln(x.abs()), x.abs().ln())),
            (y, ulps_apart(ln_1p(y), y.ln_1p())),
        ];
        for (k, &(input, d)) in apart.iter().enumerate() {
            worst[k] = worst[k].max(d);
            if d > 1 && bad.len() < 20 {
                bad.push((k, input, d));
            }
        }
    }
    assert!(
        bad.is_empty(),
        "(function, input, ulps) beyond 1 ulp: {bad:?}"
    );
    assert_eq!(worst, [1, 1, 1, 1], "the comparison can tell 0 from 1 ulp");
}

#[test]
fn special_values() {
    let (inf, nan) = (f64::INFINITY, f64::NAN);
    for f in [exp as fn(f64) -> f64, exp_rational] {
        assert_eq!(f(inf), inf);
        assert_eq!(f(-inf), 0.0);
        assert!(f(nan).is_nan());
        assert_eq!(f(0.0), 1.0);
        assert_eq!(f(-0.0), 1.0);
        // Around the overflow and underflow thresholds, as the C library rounds.
        for x in [
            709.782712893384f64,
            709.7827128933841,
            -708.39,
            -745.1332191019411,
        ] {
            for y in [
                x,
                f64::from_bits(x.to_bits() + 1),
                f64::from_bits(x.to_bits() - 1),
            ] {
                assert_eq!(f(y), y.exp(), "exp({y:e})");
            }
        }
        assert_eq!(f(709.7827128933841), inf);
        assert_eq!(f(-745.2), 0.0);
        assert_eq!(f(1e-300), 1.0);
    }
    assert_eq!(ln(inf), inf);
    assert_eq!(ln(0.0), -inf);
    assert_eq!(ln(-0.0), -inf);
    assert!(ln(-1e-300).is_nan() && ln(-inf).is_nan() && ln(nan).is_nan());
    assert_eq!(ln(1.0), 0.0);
    assert_eq!(ln(5e-324), 5e-324f64.ln());
    assert_eq!(ln(f64::MAX), f64::MAX.ln());
    assert_eq!(ln_1p(0.0), 0.0);
    assert_eq!(ln_1p(-0.0).to_bits(), (-0.0f64).to_bits());
    assert_eq!(ln_1p(5e-324), 5e-324);
    assert_eq!(ln_1p(1e-300), 1e-300);
    assert_eq!(ln_1p(-1.0), -inf);
    assert_eq!(ln_1p(inf), inf);
    assert!(ln_1p(-1.0000000000000002).is_nan() && ln_1p(-inf).is_nan() && ln_1p(nan).is_nan());
    assert_eq!(ln_1p(f64::MAX), f64::MAX.ln());
}

/// cosh − 1 and tanh against the C library's cosh and tanh, within a few
/// ulps, and their limits.
#[test]
fn hyperbolic_functions_within_a_few_ulps() {
    let mut rng = Lcg(7);
    let (mut worst_cosh, mut worst_tanh) = (0.0f64, 0u64);
    for i in 0..1_000_000u32 {
        let a = if i % 2 == 0 {
            2.0 * rng.unit() - 1.0
        } else {
            (rng.unit() - 0.5) * 10f64.powf(6.0 * rng.unit() - 5.0)
        };
        if a.abs() < 1.0 {
            let exact = 2.0 * (0.5 * a).sinh().powi(2);
            let got = cosh_m1_small(a);
            worst_cosh = worst_cosh.max((got - exact).abs() / ulp(exact));
        }
        worst_tanh = worst_tanh.max(ulps_apart(tanh(a), a.tanh()));
    }
    // The reference 2·sinh²(a/2) is itself a few ulps off.
    assert!(
        worst_cosh <= 6.0 && worst_tanh <= 4,
        "{worst_cosh} {worst_tanh}"
    );
    assert_eq!(tanh(0.0), 0.0);
    assert_eq!(tanh(1e-300), 1e-300);
    assert_eq!((tanh(40.0), tanh(-1e300)), (1.0, -1.0));
    assert_eq!((tanh(f64::INFINITY), tanh(f64::NEG_INFINITY)), (1.0, -1.0));
    assert!(tanh(f64::NAN).is_nan());
}

/// `tanh` as it was written before `tanh_from` took it apart (one body,
/// an `if` chain): the reference for the test below.
fn tanh_in_one_piece(a: f64) -> f64 {
    let abs = a.abs();
    let t = a * a;
    let small = a + a * (t * horner(t, &SINH));
    let small = small / (1.0 + t * horner(t, &COSH));
    let e = exp(-2.0 * abs);
    let large = ((1.0 - e) / (1.0 + e)).copysign(a);
    if abs < 1.0 {
        small
    } else if abs >= 1.0 {
        large
    } else {
        a
    }
}

/// `tanh_from` with the parts a block loop shares (e^{−2|a|}, the series of
/// cosh a − 1 of a or of |a|) is `tanh` bit for bit, and `tanh` is the
/// one-piece form it replaced, over edge values (zeros, subnormals, the
/// switch at |a| = 1, the far range, ±∞, NaN) and a million random ones.
#[test]
fn tanh_from_its_parts_is_tanh_bit_for_bit() {
    let bits = |x: f64| if x.is_nan() { u64::MAX } else { x.to_bits() };
    let mut inputs = vec![
        0.0,
        -0.0,
        5e-324,
        -5e-324,
        f64::MIN_POSITIVE,
        1e-300,
        1.0,
        -1.0,
        1.0 - f64::EPSILON / 2.0,
        1.0 + f64::EPSILON,
        0.5,
        18.7,
        -19.1,
        372.5,
        1e300,
        f64::MAX,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NAN,
    ];
    let mut rng = Lcg(11);
    for i in 0..1_000_000u32 {
        inputs.push(match i % 3 {
            0 => 4.0 * rng.unit() - 2.0,
            1 => f64::from_bits(rng.next()),
            _ => (rng.unit() - 0.5) * 10f64.powf(8.0 * rng.unit() - 6.0),
        });
    }
    for a in inputs {
        let e = exp(-2.0 * a.abs());
        let expected = bits(tanh_in_one_piece(a));
        assert_eq!(bits(tanh(a)), expected, "tanh({a:e})");
        assert_eq!(bits(tanh_from(a, e, cosh_m1_small(a))), expected, "{a:e}");
        let of_abs = cosh_m1_small(a.abs());
        assert_eq!(bits(tanh_from(a, e, of_abs)), expected, "|{a:e}|");
    }
}

/// `ln_1p_unit` over [0, 1]: `ln_1p` bit for bit below 0.41422 (fdlibm's
/// near range, where it is the same computation), within 1 ulp of the C
/// library everywhere (3 million inputs: uniform on [0, 1], on the upper
/// part, and tiny ones down to subnormals), and its special values.
#[test]
fn ln_1p_unit_is_ln_1p_on_the_unit_interval() {
    let mut rng = Lcg(0x9e37_79b9_7f4a_7c15);
    let (mut worst, mut differ, mut below) = (0u64, 0u32, 0u32);
    for i in 0..3_000_000u32 {
        let x = match i % 3 {
            0 => rng.unit(),
            1 => 0.41 + 0.59 * rng.unit(),
            _ => 10f64.powf(-320.0 * rng.unit()),
        };
        let got = ln_1p_unit(x);
        worst = worst.max(ulps_apart(got, x.ln_1p()));
        if x < 0.41422 {
            below += 1;
            assert_eq!(got.to_bits(), ln_1p(x).to_bits(), "ln_1p_unit({x:e})");
        } else if got != ln_1p(x) {
            differ += 1;
        }
    }
    assert_eq!(
        worst, 1,
        "within 1 ulp (and the comparison can tell 0 from 1)"
    );
    assert!(below > 1_000_000, "{below} inputs in the near range");
    // Above it, c/u by a line instead of a division: a few last bits move.
    assert!(differ > 0 && differ < 30_000, "{differ} differ from ln_1p");
    for x in [
        0.0,
        5e-324,
        1e-300,
        0.41421,
        0.41423,
        0.5,
        1.0 - f64::EPSILON / 2.0,
        1.0,
    ] {
        assert_eq!(ulps_apart(ln_1p_unit(x), ln_1p(x)), 0, "{x:e}");
    }
    assert_eq!(ln_1p_unit(0.0).to_bits(), 0);
    assert_eq!(ln_1p_unit(1.0), std::f64::consts::LN_2);
    assert!(ln_1p_unit(f64::NAN).is_nan());
}

/// `ln_unit` is `ln` bit for bit on [0, 1]: ±0, subnormals (and the
/// boundary of the normal range), powers of two, 1, and a million doubles
/// spread over the interval both evenly and by exponent.
#[test]
fn ln_unit_is_ln_on_probabilities() {
    let mut rng = Lcg(0x9e37_79b9_7f4a_7c15);
    let edges = [
        0.0,
        -0.0,
        5e-324,
        1e-310,
        f64::MIN_POSITIVE,
        f64::from_bits(f64::MIN_POSITIVE.to_bits() - 1),
        f64::from_bits(f64::MIN_POSITIVE.to_bits() + 1),
        f64::EPSILON,
        0.5,
        std::f64::consts::FRAC_1_SQRT_2,
        f64::from_bits(1.0f64.to_bits() - 1),
        1.0,
    ];
    let spread = (0..1_000_000u32).map(|i| match i % 2 {
        0 => rng.unit(),
        // Any exponent down to the subnormals.
        _ => f64::from_bits(rng.next() % 1.0f64.to_bits()),
    });
    for x in edges.into_iter().chain(spread) {
        assert!((0.0..=1.0).contains(&x));
        assert_eq!(ln_unit(x).to_bits(), ln(x).to_bits(), "ln_unit({x:e})");
    }
}

/// `exp`'s table: scale_j is the double nearest 2^(j/16) (within 1 ulp of
/// the C library's `exp2`, which is itself within half an ulp or so),
/// and the tail a correction below half an ulp of it.
#[test]
fn exp_table_holds_the_powers_of_two() {
    let entries = 1usize << EXP_TABLE_BITS;
    assert_eq!(EXP2_SCALE.len(), entries);
    for j in 0..entries {
        let shift = 52 - EXP_TABLE_BITS;
        let scale = f64::from_bits(EXP2_SCALE[j].wrapping_add((j as u64) << shift));
        assert!((1.0..2.0).contains(&scale), "{j}: {scale}");
        assert!(
            ulps_apart(scale, (j as f64 / entries as f64).exp2()) <= 1,
            "{j}"
        );
        assert!(EXP2_TAIL[j].abs() <= f64::EPSILON / 2.0, "{j}");
        // exp at x = j·ln 2/16 (r ≈ 0) is scale·(1 + tail) rounded.
        let x = j as f64 * (std::f64::consts::LN_2 / entries as f64);
        assert!(ulps_apart(exp(x), x.exp()) <= 1, "{j}");
    }
    assert_eq!(EXP2_TAIL[0], 0.0);
}

/// `ln_prob` and `ln_1m_prob` within 1 ulp of the C library's `ln q` and
/// `ln_1p(−q)` over three million probabilities (uniform, every binade
/// down to the subnormals, and [0.29289, 1/2), where 1 − q is rounded);
/// `ln_1m_prob` is `ln_1p(−q)` bit for bit wherever 1 − q is exact or q is
/// in fdlibm's near range, and `ln_prob_or_1m` is each of them bit for bit.
#[test]
fn logarithms_of_probabilities_within_one_ulp() {
    let mut rng = Lcg(0x9e37_79b9_7f4a_7c15);
    let (mut worst, mut differs) = ([0u64; 2], 0u32);
    for i in 0..3_000_000u32 {
        let q = match i % 3 {
            0 => rng.unit(),
            1 => 2f64.powf(-1074.0 * rng.unit()),
            _ => 0.29289 + 0.20711 * rng.unit(),
        };
        let q = q.clamp(0.0, 1.0);
        let (a, b) = (ln_prob(q), ln_1m_prob(q));
        assert_eq!(a.to_bits(), ln_prob_or_1m(q, true).to_bits(), "{q:e}");
        assert_eq!(b.to_bits(), ln_prob_or_1m(q, false).to_bits(), "{q:e}");
        if q > 0.0 {
            worst[0] = worst[0].max(ulps_apart(a, q.ln()));
        }
        worst[1] = worst[1].max(ulps_apart(b, (-q).ln_1p()));
        let exact = 1.0 - (1.0 - q) == q;
        if q < 0.29289 || exact {
            assert_eq!(b.to_bits(), ln_1p(-q).to_bits(), "{q:e}");
        } else if b != ln_1p(-q) {
            differs += 1;
        }
    }
    assert_eq!(
        worst,
        [1, 1],
        "within 1 ulp (and the comparison can tell 0 from 1)"
    );
    // Where 1 − q is rounded, the correction by an approximate 1/u may
    // change the last bit: rarely.
    assert!(differs < 30_000, "{differs}");
}

/// The ends and the special values of `ln_prob` and `ln_1m_prob`.
#[test]
fn logarithms_of_probabilities_at_special_values() {
    assert_eq!(ln_prob(0.0), f64::NEG_INFINITY);
    assert_eq!(ln_prob(-0.0), f64::NEG_INFINITY);
    assert_eq!(ln_prob(1.0).to_bits(), 0.0f64.to_bits());
    assert!(ulps_apart(ln_prob(5e-324), 5e-324f64.ln()) <= 1);
    assert_eq!(ln_prob(0.5), -std::f64::consts::LN_2);
    assert_eq!(ln_1m_prob(1.0), f64::NEG_INFINITY);
    assert_eq!(ln_1m_prob(0.0), 0.0);
    assert_eq!(ln_1m_prob(1e-300), -1e-300);
    assert_eq!(ln_1m_prob(0.5), -std::f64::consts::LN_2);
    let last = 1.0 - f64::EPSILON / 2.0;
    assert!(ulps_apart(ln_1m_prob(last), (f64::EPSILON / 2.0).ln()) <= 1);
    for q in [
        -1e-300,
        -0.5,
        1.0 + f64::EPSILON,
        2.0,
        f64::INFINITY,
        f64::NAN,
    ] {
        assert!(ln_prob(q).is_nan(), "{q}");
        assert!(ln_1m_prob(q).is_nan(), "{q}");
        assert!(ln_prob_or_1m(q, true).is_nan() && ln_prob_or_1m(q, false).is_nan());
    }
}
