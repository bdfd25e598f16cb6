//! Exact quantiles, the empirical distribution function at a bounded number
//! of points, and the loss-concentration curve: summaries of a million
//! per-sample values small enough to draw.
//!
//! # Definitions
//! - Quantile at probability p of n sorted values x₍₀₎ ≤ … ≤ x₍ₙ₋₁₎: with
//!   h = (n − 1)·p, q = x₍⌊h⌋₎ + (h − ⌊h⌋)·(x₍⌊h⌋+1₎ − x₍⌊h⌋₎), Hyndman & Fan
//!   (1996) definition 7, numpy's and R's default.
//! - ECDF: F(x) = #{i : xᵢ ≤ x} / n, exact at every point returned.
//! - Concentration: for the k largest losses, the share Σ(k largest) / Σ(all),
//!   against k / n (the Lorenz curve read from the top; Lorenz 1905).
//!
//! ```
//! use losslab::stats::quantiles;
//! assert_eq!(quantiles(&[4.0, 1.0, 3.0, 2.0], &[0.0, 0.5, 1.0]).unwrap(), vec![1.0, 2.5, 4.0]);
//! ```

use super::resample::Compensated;
use super::StatsError;

/// The quantile at `p` ∈ [0, 1] of values sorted ascending (empty → NaN: no value).
pub(crate) fn quantile_of_sorted(sorted: &[f64], p: f64) -> f64 {
    let Some(last) = sorted.len().checked_sub(1) else {
        return f64::NAN;
    };
    let h = last as f64 * p;
    let below = (h.floor() as usize).min(last);
    let fraction = h - below as f64;
    let (a, b) = (sorted[below], sorted[(below + 1).min(last)]);
    // Equal neighbours (also two infinities) or no fraction: no interpolation,
    // so that ∞ − ∞ and 0 · ∞ never appear.
    if fraction == 0.0 || a == b {
        a
    } else {
        a + fraction * (b - a)
    }
}

/// NaN is not a value that can be ordered: refuse it, naming the row.
fn check_no_nan(values: &[f64]) -> Result<(), StatsError> {
    match values.iter().position(|x| x.is_nan()) {
        Some(row) => Err(StatsError::NotANumber { row }),
        None => Ok(()),
    }
}

fn sorted_copy(values: &[f64]) -> Result<Vec<f64>, StatsError> {
    if values.is_empty() {
        return Err(StatsError::Empty);
    }
    check_no_nan(values)?;
    let mut sorted = values.to_vec();
    sorted.sort_unstable_by(f64::total_cmp);
    Ok(sorted)
}

/// Quantiles at each probability in `probabilities` (each in [0, 1]).
/// One probability selects in linear time; several sort one copy.
pub fn quantiles(values: &[f64], probabilities: &[f64]) -> Result<Vec<f64>, StatsError> {
    if let Some(&p) = probabilities.iter().find(|p| !(0.0..=1.0).contains(*p)) {
        return Err(StatsError::Probability(p));
    }
    if let [p] = probabilities {
        if values.is_empty() {
            return Err(StatsError::Empty);
        }
        check_no_nan(values)?;
        let mut copy = values.to_vec();
        let h = (copy.len() - 1) as f64 * p;
        let below = h.floor() as usize;
        let (_, &mut a, above) = copy.select_nth_unstable_by(below, f64::total_cmp);
        // The next order statistic is the smallest of the values above.
        let b = above.iter().copied().min_by(f64::total_cmp).unwrap_or(a);
        return Ok(vec![quantile_of_sorted(&[a, b], h - below as f64)]);
    }
    let sorted = sorted_copy(values)?;
    Ok(probabilities
        .iter()
        .map(|&p| quantile_of_sorted(&sorted, p))
        .collect())
}

/// The ECDF at no more than `max_points` points, as (x, F(x)) pairs, x ascending.
/// With n ≤ `max_points` values, one point per distinct value (each step of
/// the staircase); otherwise at the order statistics of ranks ⌈k·n/max⌉,
/// k = 1..max. F is exact at every point (ties are counted whole).
pub fn ecdf(values: &[f64], max_points: usize) -> Result<Vec<(f64, f64)>, StatsError> {
    let sorted = sorted_copy(values)?;
    let n = sorted.len();
    let ranks: Vec<usize> = if n <= max_points {
        (1..=n).collect()
    } else {
        (1..=max_points)
            .map(|k| (k * n).div_ceil(max_points))
            .collect()
    };
    let mut points: Vec<(f64, f64)> = Vec::with_capacity(ranks.len());
    for rank in ranks {
        let x = sorted[rank - 1];
        if points.last().is_some_and(|&(last, _)| last == x) {
            continue;
        }
        let at_or_below = sorted.partition_point(|&v| v <= x);
        points.push((x, at_or_below as f64 / n as f64));
    }
    Ok(points)
}

/// The loss-concentration curve at no more than `max_points` points:
/// (fraction of samples, share of the total loss they carry), worst samples
/// first, from (0, 0) to (1, 1). Losses must be finite and non-negative with
/// a positive total (a share of nothing, or of infinity, is undefined).
pub fn concentration_curve(
    losses: &[f64],
    max_points: usize,
) -> Result<Vec<(f64, f64)>, StatsError> {
    if let Some(row) = losses.iter().position(|x| !(x.is_finite() && *x >= 0.0)) {
        return Err(StatsError::NotNonNegative {
            row,
            value: losses[row],
        });
    }
    let mut sorted = sorted_copy(losses)?;
    sorted.reverse();
    let n = sorted.len();
    // Running compensated sums, so the last cumulative sum is the total itself.
    let mut running = Compensated::default();
    let cumulative: Vec<f64> = sorted
        .iter()
        .map(|&x| {
            running.add(x);
            running.value()
        })
        .collect();
    let total = running.value();
    if total <= 0.0 {
        return Err(StatsError::ZeroTotal);
    }
    let steps = max_points.max(1).min(n);
    let mut curve = vec![(0.0, 0.0)];
    curve.extend((1..=steps).map(|k| {
        let count = (k * n).div_ceil(steps);
        (count as f64 / n as f64, cumulative[count - 1] / total)
    }));
    Ok(curve)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_match_hand_computation() {
        // Sorted: 1 2 3 4 5 10; h = 5p. p = 0.1: h = 0.5 → 1.5; p = 0.9: h = 4.5 → 7.5.
        let v = [10.0, 3.0, 1.0, 5.0, 2.0, 4.0];
        assert_eq!(quantiles(&v, &[0.1, 0.9]).unwrap(), vec![1.5, 7.5]);
        // One probability goes through selection: the same answers.
        assert_eq!(quantiles(&v, &[0.1]).unwrap(), vec![1.5]);
        assert_eq!(quantiles(&v, &[0.9]).unwrap(), vec![7.5]);
        assert_eq!(quantiles(&v, &[1.0]).unwrap(), vec![10.0]);
        assert_eq!(quantiles(&[7.0], &[0.3]).unwrap(), vec![7.0]);
    }

    #[test]
    fn selection_agrees_with_sorting() {
        // Many ties and both paths: one probability selects, several sort.
        let v: Vec<f64> = (0..1001).map(|i| ((i * 7919) % 101) as f64 / 7.0).collect();
        let probabilities: Vec<f64> = (0..=40).map(|k| k as f64 / 40.0).collect();
        let sorted = quantiles(&v, &probabilities).unwrap();
        for (&p, &q) in probabilities.iter().zip(&sorted) {
            assert_eq!(quantiles(&v, &[p]).unwrap(), vec![q], "p = {p}");
        }
        // By hand: 496 values are below 50/7 and 506 at or below it, so the
        // 501st smallest (the median of 1001) is 50/7.
        assert_eq!(quantiles(&v, &[0.5]).unwrap(), vec![50.0 / 7.0]);
    }

    #[test]
    fn quantiles_with_infinities_and_bad_input() {
        let v = [1.0, f64::INFINITY, f64::INFINITY];
        assert_eq!(quantiles(&v, &[0.75]).unwrap(), vec![f64::INFINITY]);
        assert_eq!(quantiles(&v, &[0.25]).unwrap(), vec![f64::INFINITY]);
        assert_eq!(quantiles(&v, &[1.5]), Err(StatsError::Probability(1.5)));
        assert_eq!(
            quantiles(&[1.0, f64::NAN], &[0.5]),
            Err(StatsError::NotANumber { row: 1 })
        );
        assert_eq!(quantiles(&[], &[0.5]), Err(StatsError::Empty));
    }

    #[test]
    fn ecdf_counts_ties_whole() {
        let v = [3.0, 1.0, 2.0, 2.0];
        assert_eq!(
            ecdf(&v, 10).unwrap(),
            vec![(1.0, 0.25), (2.0, 0.75), (3.0, 1.0)]
        );
        // 1000 values 0..999 at 4 points: ranks 250, 500, 750, 1000.
        let w: Vec<f64> = (0..1000).map(f64::from).collect();
        assert_eq!(
            ecdf(&w, 4).unwrap(),
            vec![(249.0, 0.25), (499.0, 0.5), (749.0, 0.75), (999.0, 1.0)]
        );
    }

    #[test]
    fn concentration_by_hand() {
        // Losses 6, 3, 1, 0 (total 10): the worst quarter carries 60 %, half 90 %.
        let curve = concentration_curve(&[1.0, 6.0, 0.0, 3.0], 4).unwrap();
        assert_eq!(
            curve,
            vec![(0.0, 0.0), (0.25, 0.6), (0.5, 0.9), (0.75, 1.0), (1.0, 1.0)]
        );
        // Equal losses: the curve is the diagonal.
        let flat = concentration_curve(&[2.0; 8], 2).unwrap();
        assert_eq!(flat, vec![(0.0, 0.0), (0.5, 0.5), (1.0, 1.0)]);
        assert_eq!(
            concentration_curve(&[0.0, 0.0], 2),
            Err(StatsError::ZeroTotal)
        );
        assert!(concentration_curve(&[1.0, -1.0], 2).is_err());
    }
}
