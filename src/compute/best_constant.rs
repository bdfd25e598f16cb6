//! The best constant prediction: the c minimising Σᵢ L(yᵢ, c) over data.
//!
//! For a convex elementwise loss the slope g(c) = Σᵢ ∂L/∂ŷ (yᵢ, c) is
//! non-decreasing, so the minimisers are the c with g(c) = 0, or the jump of g
//! across 0; where they form an interval, its middle is taken. The data are
//! sorted once, and then:
//! - MSE: the mean, Σ yᵢ / n (compensated sum), exact when the sum is;
//! - MAE, quantile (piecewise linear in c, kinks at the data): g is constant
//!   between neighbouring data values, so a binary search over the gaps
//!   (O(log n) slopes) finds the data value or the middle of the gap;
//! - Huber (piecewise quadratic, kinks at yᵢ ± δ): a binary search over those
//!   kinks finds the piece holding the root, where g is linear and the root
//!   has a closed form;
//! - every other loss (and a loss with a framework convention): bisection on
//!   the sign of g, to the last bit.
//!
//! A binary search takes about log₂(2n) slopes where bisection took up to
//! 128, each slope a pass over the data.

use crate::loss::{compensated_sum, Loss};

/// The constant prediction that minimises the total loss over `data` (non-empty).
pub fn best_constant(loss: &Loss, data: &[f64]) -> f64 {
    let params = loss.params();
    let plain = !params.contains_key("convention") && !params.contains_key("dtype");
    if !plain || data.iter().any(|y| !y.is_finite()) {
        return bisected_constant(loss, data);
    }
    let mut sorted = data.to_vec();
    sorted.sort_by(f64::total_cmp);
    let slope = |c: f64| {
        let slopes = sorted
            .iter()
            .map(|&y| loss.point(y, c).map_or(f64::NAN, |p| p.gradient));
        compensated_sum(slopes)
    };
    match loss.name() {
        "mse" => compensated_sum(sorted.iter().copied()) / sorted.len() as f64,
        "mae" | "quantile" => piecewise_linear(&sorted, slope),
        "huber" => match loss.huber_delta() {
            Some(delta) => huber(&sorted, delta, slope),
            None => bisected_constant(loss, data),
        },
        _ => bisected_constant(loss, data),
    }
}

/// The first index in `0..n` where `holds` is true (n if none), for a
/// predicate that is false then true.
fn first_index(n: usize, holds: impl Fn(usize) -> bool) -> usize {
    let (mut lo, mut hi) = (0, n);
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        if holds(mid) {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    lo
}

/// The middle of a gap between two neighbouring values.
fn middle(a: f64, b: f64) -> f64 {
    a + (b - a) / 2.0
}

/// A slope constant between neighbouring data values: the start of the
/// minimisers is the left end of the first gap where g ≥ 0, their end the
/// right end of the last gap where g ≤ 0.
fn piecewise_linear(sorted: &[f64], slope: impl Fn(f64) -> f64) -> f64 {
    let n = sorted.len();
    let gap_slope = |j: usize| slope(middle(sorted[j], sorted[j + 1]));
    let gaps = n - 1;
    // start = inf{c : g(c) ≥ 0}, end = sup{c : g(c) ≤ 0}.
    let first_up = first_index(gaps, |j| gap_slope(j) >= 0.0);
    let start = sorted[first_up.min(n - 1)];
    let first_above = first_index(gaps, |j| gap_slope(j) > 0.0);
    let end = sorted[first_above];
    if end <= start {
        start
    } else {
        middle(start, end)
    }
}

/// Huber: g is linear between the sorted kinks yᵢ ± δ; find the piece where
/// g crosses 0 and solve on it.
fn huber(sorted: &[f64], delta: f64, slope: impl Fn(f64) -> f64) -> f64 {
    let mut kinks: Vec<f64> = sorted
        .iter()
        .flat_map(|&y| [y - delta, y + delta])
        .collect();
    kinks.sort_by(f64::total_cmp);
    kinks.dedup();
    let (lo, hi) = (sorted[0], sorted[sorted.len() - 1]);
    if lo >= hi {
        return lo;
    }
    // The first kink where g ≥ 0: the root lies in the piece before it.
    let k = first_index(kinks.len(), |j| slope(kinks[j]) >= 0.0);
    if k < kinks.len() && slope(kinks[k]) == 0.0 {
        // g is 0 at the kink itself (and maybe on a flat piece after it).
        let last = first_index(kinks.len(), |j| slope(kinks[j]) > 0.0);
        let end = if last < kinks.len() {
            kinks[last - 1]
        } else {
            hi
        };
        return middle(kinks[k], end.max(kinks[k])).clamp(lo, hi);
    }
    let left = if k == 0 { lo } else { kinks[k - 1] };
    let right = if k < kinks.len() { kinks[k] } else { hi };
    huber_on_piece(sorted, delta, middle(left, right))
        .map_or_else(|| middle(left, right), |c| c.clamp(left, right))
        .clamp(lo, hi)
}

/// Huber's root on the piece that holds `inside`: there
/// g(c) = Σ_lin (c − yᵢ) + δ·(n₊ − n₋) is linear, so
/// c = (Σ_lin yᵢ − δ·(n₊ − n₋)) / n_lin, rounded once (correctly rounded when
/// the sum is exact). None when no point is on the quadratic piece.
fn huber_on_piece(sorted: &[f64], delta: f64, inside: f64) -> Option<f64> {
    let (mut linear, mut above, mut below) = (Vec::new(), 0.0, 0.0);
    for &y in sorted {
        let r = inside - y;
        if r > delta {
            above += 1.0;
        } else if r < -delta {
            below += 1.0;
        } else {
            linear.push(y);
        }
    }
    if linear.is_empty() {
        return None;
    }
    let offset = delta * (above - below);
    Some(compensated_sum(linear.iter().copied().chain([-offset])) / linear.len() as f64)
}

/// The minimiser by bisection on the sign of the slope, for every other
/// convex loss (and, in tests, the reference for the sorted solves).
pub(super) fn bisected_constant(loss: &Loss, data: &[f64]) -> f64 {
    let slope = |c: f64| {
        let slopes = data
            .iter()
            .map(|&y| loss.point(y, c).map_or(f64::NAN, |p| p.gradient));
        compensated_sum(slopes)
    };
    let lo = data.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = data.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if lo >= hi || lo.is_nan() || hi.is_nan() {
        return lo;
    }
    // start = inf{c : g(c) >= 0}, end = sup{c : g(c) <= 0}.
    let start = first_where(lo, hi, |c| slope(c) >= 0.0);
    let end = last_where(lo, hi, |c| slope(c) <= 0.0);
    let bisected = if end < start {
        // g jumps over 0 at `start` (MAE at an odd-count median, for example).
        start
    } else {
        start + (end - start) / 2.0
    };
    match loss.huber_delta() {
        Some(delta) => huber_exact(data, delta, bisected).unwrap_or(bisected),
        None => bisected,
    }
}

/// Huber's root in closed form on the piece that holds the bisected `c`:
/// there g(c) = Σ_lin (c − yᵢ) + δ·(n₊ − n₋) is linear, so
/// c = (Σ_lin yᵢ − δ·(n₊ − n₋)) / n_lin, rounded once (correctly rounded
/// when the sum is exact, as for the article's data). None when no point is
/// on the quadratic piece or the solution leaves the piece.
fn huber_exact(data: &[f64], delta: f64, c: f64) -> Option<f64> {
    let piece = |c: f64| {
        let (mut linear, mut above, mut below) = (Vec::new(), 0.0, 0.0);
        for &y in data {
            let r = c - y;
            if r > delta {
                above += 1.0;
            } else if r < -delta {
                below += 1.0;
            } else {
                linear.push(y);
            }
        }
        (linear, above, below)
    };
    let (linear, above, below) = piece(c);
    if linear.is_empty() {
        return None;
    }
    let n = linear.len() as f64;
    let offset = delta * (above - below);
    let exact = (compensated_sum(linear.iter().copied().chain([-offset])) / n).clamp(
        data.iter().copied().fold(f64::INFINITY, f64::min),
        data.iter().copied().fold(f64::NEG_INFINITY, f64::max),
    );
    let (linear2, above2, below2) = piece(exact);
    let same = linear2.len() == linear.len() && above2 == above && below2 == below;
    // Only a step along the piece the bisection already found (a few ulp).
    (same && (exact - c).abs() <= 1e-9 * c.abs().max(1.0)).then_some(exact)
}

/// Half an ulp of the data's largest magnitude: bisection stops there (or at
/// adjacent floats, whichever comes first), so it takes at most about 55
/// halvings even when the root is near 0, where floats are much denser. This
/// is the bound the scenario limit counts (`BISECTION_STEPS`).
fn resolution(lo: f64, hi: f64) -> f64 {
    0.5 * f64::EPSILON * lo.abs().max(hi.abs())
}

/// The smallest c in [lo, hi] where `holds` is true, for a predicate that is
/// false then true; hi if it never holds before.
fn first_where(lo: f64, hi: f64, holds: impl Fn(f64) -> bool) -> f64 {
    if holds(lo) {
        return lo;
    }
    bisect(lo, hi, |c| !holds(c)).1
}

/// The largest c in [lo, hi] where `holds` is true, for a predicate that is
/// true then false; lo if it fails at once.
fn last_where(lo: f64, hi: f64, holds: impl Fn(f64) -> bool) -> f64 {
    if holds(hi) {
        return hi;
    }
    bisect(lo, hi, holds).0
}

/// The two closest points (left, right) around where `is_left` turns from
/// true to false in [lo, hi]: halves until they are adjacent floats or
/// within [`resolution`] of each other.
fn bisect(lo: f64, hi: f64, is_left: impl Fn(f64) -> bool) -> (f64, f64) {
    let tolerance = resolution(lo, hi);
    let (mut left, mut right) = (lo, hi);
    loop {
        let mid = left + (right - left) / 2.0;
        if mid <= left || mid >= right || right - left <= tolerance {
            return (left, right);
        }
        if is_left(mid) {
            left = mid;
        } else {
            right = mid;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::loss::{ParamValue, Params};

    fn loss(name: &str, params: &[(&str, f64)]) -> Loss {
        let params: Params = params
            .iter()
            .map(|(k, v)| (k.to_string(), ParamValue::Number(*v)))
            .collect();
        Loss::new(name, &params).unwrap()
    }

    fn fives_and_tens() -> Vec<f64> {
        let mut v = vec![5.0; 25];
        v.extend(vec![10.0; 75]);
        v
    }

    #[test]
    fn article_best_constants() {
        let data = fives_and_tens();
        assert_eq!(best_constant(&loss("mse", &[]), &data), 8.75);
        assert_eq!(best_constant(&loss("mae", &[]), &data), 10.0);
        // The correctly rounded 29/3, not a bisection's neighbour 2 ulp away.
        assert_eq!(
            best_constant(&loss("huber", &[("delta", 1.0)]), &data),
            29.0 / 3.0
        );
    }

    #[test]
    fn even_count_median_is_the_middle() {
        assert_eq!(best_constant(&loss("mae", &[]), &[4.0, 2.0, 3.0, 1.0]), 2.5);
        assert_eq!(best_constant(&loss("mae", &[]), &[3.0, 1.0, 2.0]), 2.0);
    }

    #[test]
    fn huber_moves_from_mean_to_median() {
        let data = fives_and_tens();
        // For δ < 3.75 the root of 25δ + 75(c − 10) is c = 10 − δ/3.
        let small = best_constant(&loss("huber", &[("delta", 0.03)]), &data);
        let large = best_constant(&loss("huber", &[("delta", 100.0)]), &data);
        assert!((small - 9.99).abs() < 1e-12, "{small}");
        assert!((large - 8.75).abs() < 1e-12, "{large}");
    }

    #[test]
    fn a_root_near_zero() {
        let data = [-1.0, 1.0, -3.0, 3.0];
        assert_eq!(best_constant(&loss("mse", &[]), &data), 0.0);
        let huber = best_constant(&loss("huber", &[("delta", 0.5)]), &data);
        assert!(huber.abs() < 1e-15, "{huber}");
    }

    /// The sorted solves agree with bisection on the sign of the slope (the
    /// method they replace) on awkward data: ties, outliers, even and odd
    /// counts, flat pieces.
    #[test]
    fn sorted_solves_agree_with_bisection() {
        let mut sets: Vec<Vec<f64>> = vec![
            fives_and_tens(),
            vec![1.0, 2.0, 3.0, 4.0],
            vec![0.1, 0.2, 0.3],
            vec![-7.5, 0.0, 0.0, 2.0, 1e3],
            vec![2.0, 2.0],
        ];
        for n in [7usize, 40, 101] {
            sets.push(
                (0..n)
                    .map(|i| ((i * 7919) % 113) as f64 / 7.0 + if i % 13 == 0 { 50.0 } else { 0.0 })
                    .collect(),
            );
        }
        let losses = [
            loss("mse", &[]),
            loss("mae", &[]),
            loss("quantile", &[("tau", 0.1)]),
            loss("quantile", &[("tau", 0.5)]),
            loss("quantile", &[("tau", 0.9)]),
            loss("huber", &[("delta", 0.05)]),
            loss("huber", &[("delta", 1.0)]),
            loss("huber", &[("delta", 30.0)]),
        ];
        for data in &sets {
            for l in &losses {
                let (fast, slow) = (best_constant(l, data), bisected_constant(l, data));
                let scale = data.iter().fold(1.0f64, |m, y| m.max(y.abs()));
                assert!(
                    (fast - slow).abs() <= 4.0 * f64::EPSILON * scale,
                    "{} {params:?} on {data:?}: {fast} vs {slow}",
                    l.name(),
                    params = l.params()
                );
            }
        }
    }
}
