//! The exact sum against two independent references: Shewchuk's exact
//! partials (the algorithm of Python's `math.fsum`, correctly rounded), and
//! integer arithmetic (`i128`, whose conversion to `f64` rounds to nearest
//! even) for sums of integers times one power of two.

use super::*;
use rand::seq::SliceRandom;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Shewchuk (1997) exact partials with CPython's final correction for
/// half-way cases: the correctly rounded sum, for sums whose partials do not
/// overflow.
fn fsum(values: &[f64]) -> f64 {
    let mut partials: Vec<f64> = Vec::new();
    for &value in values {
        let mut x = value;
        let mut i = 0;
        for j in 0..partials.len() {
            let mut y = partials[j];
            if x.abs() < y.abs() {
                std::mem::swap(&mut x, &mut y);
            }
            let hi = x + y;
            let lo = y - (hi - x);
            if lo != 0.0 {
                partials[i] = lo;
                i += 1;
            }
            x = hi;
        }
        partials.truncate(i);
        partials.push(x);
    }
    let mut n = partials.len();
    if n == 0 {
        return 0.0;
    }
    n -= 1;
    let mut hi = partials[n];
    let mut lo = 0.0;
    while n > 0 {
        let x = hi;
        n -= 1;
        let y = partials[n];
        hi = x + y;
        lo = y - (hi - x);
        if lo != 0.0 {
            break;
        }
    }
    if n > 0 && ((lo < 0.0 && partials[n - 1] < 0.0) || (lo > 0.0 && partials[n - 1] > 0.0)) {
        let y = lo * 2.0;
        let x = hi + y;
        if y == x - hi {
            hi = x;
        }
    }
    hi
}

fn exact(values: &[f64]) -> f64 {
    let mut sum = ExactSum::new();
    sum.add_slice(values);
    sum.value()
}

/// 2^e exactly, subnormal powers included.
fn pow2(e: i32) -> f64 {
    if e >= -1022 {
        f64::from_bits(((e + 1023) as u64) << 52)
    } else {
        f64::from_bits(1 << (e + 1074))
    }
}

/// Doubles of every magnitude from subnormal to 2^1000, both signs.
fn wild(rng: &mut ChaCha8Rng, n: usize) -> Vec<f64> {
    (0..n)
        .map(|_| {
            let mantissa: f64 = rng.random_range(-1.0..1.0);
            let exponent: i32 = rng.random_range(-1074..1000);
            if exponent < -1022 {
                f64::from_bits(rng.random_range(0..1u64 << 52)) * mantissa.signum()
            } else {
                mantissa * pow2(exponent)
            }
        })
        .collect()
}

#[test]
fn correctly_rounded_against_exact_partials() {
    let mut rng = ChaCha8Rng::seed_from_u64(14);
    for round in 0..300 {
        let n = rng.random_range(0..200);
        let mut values = wild(&mut rng, n);
        // Narrow ranges make the cancellations and ties that wide ones miss.
        if round % 3 == 1 {
            values
                .iter_mut()
                .for_each(|x| *x = (*x).rem_euclid(1e6) - 5e5);
        }
        if round % 3 == 2 {
            let copy: Vec<f64> = values.iter().map(|x| -x * 0.5).collect();
            values.extend(copy.iter().chain(&copy));
            values.push(1e-300);
        }
        assert_eq!(
            exact(&values).to_bits(),
            fsum(&values).to_bits(),
            "round {round}"
        );
    }
}

#[test]
fn integer_sums_round_to_nearest_even() {
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    for round in 0..2000 {
        let scale = rng.random_range(-1074..970);
        let n = rng.random_range(1..40);
        let integers: Vec<i64> = (0..n)
            .map(|_| rng.random_range(-(1i64 << 53) + 1..1i64 << 53) >> rng.random_range(0..53u32))
            .collect();
        let total: i128 = integers.iter().map(|&k| i128::from(k)).sum();
        // Scaling by a power of two is exact when the result stays normal.
        let expected = total as f64 * pow2(scale);
        if !expected.is_normal() {
            continue;
        }
        let values: Vec<f64> = integers.iter().map(|&k| k as f64 * pow2(scale)).collect();
        assert_eq!(
            exact(&values).to_bits(),
            expected.to_bits(),
            "round {round}"
        );
    }
}

#[test]
fn two_terms_are_ieee_addition() {
    let mut rng = ChaCha8Rng::seed_from_u64(3);
    let mut values = wild(&mut rng, 4000);
    values.extend([f64::MAX, -f64::MAX, f64::MIN_POSITIVE, 5e-324, -5e-324, 0.0]);
    for pair in values.chunks(2).chain(values.windows(2)) {
        let sum = pair[0] + pair[1];
        assert_eq!(exact(pair).to_bits(), (sum + 0.0).to_bits(), "{pair:?}");
    }
}

#[test]
fn ties_subnormals_and_overflow() {
    let two53 = pow2(53);
    assert_eq!(exact(&[two53, 1.0]), two53);
    assert_eq!(exact(&[two53, 1.0, pow2(-1000)]), two53 + 2.0);
    assert_eq!(exact(&[two53 + 2.0, 1.0]), two53 + 4.0);
    assert_eq!(exact(&[5e-324, 5e-324, 5e-324]), 1.5e-323);
    assert_eq!(exact(&[1.0, 5e-324, -1.0]), 5e-324);
    assert_eq!(exact(&[f64::MAX, f64::MAX]), f64::INFINITY);
    assert_eq!(exact(&[-f64::MAX, -f64::MAX]), f64::NEG_INFINITY);
    assert_eq!(exact(&[f64::MAX, f64::MAX, -f64::MAX]), f64::MAX);
    // MAX + half its ulp is a tie with an odd mantissa: IEEE rounds it to ∞.
    assert_eq!(exact(&[f64::MAX, pow2(970)]), f64::INFINITY);
    assert_eq!(exact(&[f64::MAX, pow2(969)]), f64::MAX);
    assert_eq!(exact(&[]), 0.0);
    assert_eq!(exact(&[0.1; 10]), 1.0);
}

#[test]
fn infinities_and_nan_as_the_compensated_sum() {
    let inf = f64::INFINITY;
    assert_eq!(exact(&[1.0, inf, 2.0]), inf);
    assert_eq!(exact(&[-inf, -f64::MAX, -f64::MAX]), -inf);
    assert!(exact(&[inf, -inf]).is_nan());
    assert!(exact(&[1.0, f64::NAN]).is_nan());
    assert_eq!(
        exact(&[1.0, inf, 2.0]),
        super::super::compensated_sum([1.0, inf, 2.0])
    );
}

#[test]
fn any_order_and_any_partition_give_the_same_bits() {
    let mut rng = ChaCha8Rng::seed_from_u64(99);
    let mut values = wild(&mut rng, 3000);
    values.extend([1e308, 1e308, -1e308, 5e-324]);
    let reference = exact(&values);
    for _ in 0..20 {
        values.shuffle(&mut rng);
        let parts = rng.random_range(1..64);
        let mut sums: Vec<ExactSum> = vec![ExactSum::new(); parts];
        for &x in &values {
            sums[rng.random_range(0..parts)].add(x);
        }
        sums.shuffle(&mut rng);
        // Merge as a tree would, through the byte form a cluster ships.
        while sums.len() > 1 {
            let b = sums.pop().unwrap_or_default();
            let b = ExactSum::from_bytes(&b.to_bytes()).expect("a state");
            let i = rng.random_range(0..sums.len());
            sums[i].merge(&b);
        }
        assert_eq!(sums[0].value().to_bits(), reference.to_bits());
    }
}

#[test]
fn bytes_round_trip_and_garbage_is_refused() {
    let mut sum = ExactSum::new();
    sum.add_slice(&[-3.5, 1e-310, f64::INFINITY]);
    let back = ExactSum::from_bytes(&sum.to_bytes()).expect("a state");
    assert_eq!(back.to_bytes(), sum.to_bytes());
    assert_eq!(back.value(), f64::INFINITY);
    assert_eq!(
        ExactSum::from_bytes(&ExactSum::new().to_bytes()),
        Some(ExactSum::new())
    );
    assert_eq!(ExactSum::from_bytes(&[1, 2, 3]), None);
    let mut bad = sum.to_bytes();
    bad.truncate(bad.len() - 8);
    assert_eq!(ExactSum::from_bytes(&bad), None);
    let mut bad = sum.to_bytes();
    bad[32..40].copy_from_slice(&(-1i64).to_le_bytes());
    assert_eq!(ExactSum::from_bytes(&bad), None);
}
