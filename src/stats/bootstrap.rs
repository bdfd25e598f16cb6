//! The paired nonparametric bootstrap over rows, and percentile intervals.
//!
//! # Method
//! A replicate draws n rows with replacement, uniformly, and every series
//! (every model under every loss) is summed over the *same* draws, so that
//! differences between models keep their pairing (Efron & Tibshirani 1993,
//! *An Introduction to the Bootstrap*, ch. 6, and §13.3 for the percentile
//! interval).
//!
//! The n draws are made hierarchically, which gives exactly the same
//! multinomial distribution of row counts as n independent uniform draws:
//! first how many of the n draws fall into each block of rows (sequential
//! binomial splitting, Kachitvichyanukul & Schmeiser's BTPE via statrs), then,
//! inside each block, that many uniform draws among its rows, summed
//! straight away. Each block's draws thus need only that block in cache, and
//! no resampled vector is ever built.
//!
//! The percentile interval at confidence 1 − α is the α/2 and 1 − α/2
//! quantiles of the B replicate values ([`super::quantile`]'s linear
//! interpolation, numpy's default).

use rand::distr::Distribution;
use rand::RngExt;
use statrs::distribution::Binomial;

use super::quantile::quantile_of_sorted;
use super::resample::{self, block_count, seeded_rng, Block, Purpose, ReplicateSums, BLOCK_ROWS};
use rayon::prelude::*;

/// How many of each replicate's n draws fall into each block: `totals[r][b]`.
fn block_totals(rows: usize, replicates: usize, seed: u64) -> Vec<Vec<u64>> {
    let blocks = block_count(rows);
    (0..replicates)
        .into_par_iter()
        .map(|r| {
            let mut rng = seeded_rng(seed, Purpose::BlockTotals, r, 0);
            let mut left_draws = rows as u64;
            let mut left_rows = rows;
            (0..blocks)
                .map(|b| {
                    let len = BLOCK_ROWS.min(left_rows);
                    let here = if b + 1 == blocks {
                        left_draws
                    } else {
                        // p is in (0, 1) since `len` < `left_rows` before the
                        // last block, so `new` cannot fail; were it to, the
                        // draws would pass to the next blocks, still n in all.
                        let p = len as f64 / left_rows as f64;
                        Binomial::new(p, left_draws).map_or(0, |d| d.sample(&mut rng))
                    };
                    left_draws -= here;
                    left_rows -= len;
                    here
                })
                .collect()
        })
        .collect()
}

/// Bootstrap sums of every column: for each of `replicates` resamples of the
/// rows, the sum of each column over the resampled rows.
/// Columns must have the same length.
pub(crate) fn paired_bootstrap_sums(
    columns: &[&[f64]],
    replicates: usize,
    seed: u64,
    progress: &dyn Fn(usize, usize),
) -> ReplicateSums {
    let rows = columns.first().map_or(0, |c| c.len());
    let totals = block_totals(rows, replicates, seed);
    let load = |index, start: usize, len| {
        let mut block = Block::zeroed(index, len, len, columns.len());
        for (s, column) in columns.iter().enumerate() {
            for (e, &x) in column[start..start + len].iter().enumerate() {
                *block.entry_mut(s, e) = x;
            }
        }
        block
    };
    resample::replicate_sums(
        rows,
        columns.len(),
        replicates,
        load,
        |r, block, selected| {
            if block.rows == 0 {
                return;
            }
            let mut rng = seeded_rng(seed, Purpose::Draws, r, block.index);
            let rows = block.rows as u32;
            let draws = (0..totals[r][block.index]).map(|_| rng.random_range(0..rows));
            selected.extend(draws);
        },
        progress,
    )
}

/// A percentile interval (Efron & Tibshirani 1993, §13.3).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Interval {
    pub low: f64,
    pub high: f64,
}

/// The percentile interval at `confidence` of bootstrap replicate values
/// (sorted here; NaN-free input expected, infinities are ordered as numbers).
pub fn percentile_interval(mut replicate_values: Vec<f64>, confidence: f64) -> Interval {
    replicate_values.sort_by(f64::total_cmp);
    let alpha = 1.0 - confidence;
    Interval {
        low: quantile_of_sorted(&replicate_values, alpha / 2.0),
        high: quantile_of_sorted(&replicate_values, 1.0 - alpha / 2.0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_replicate_draws_exactly_n_rows() {
        let rows = 3 * BLOCK_ROWS + 17;
        for r in block_totals(rows, 50, 9) {
            assert_eq!(r.len(), 4);
            assert_eq!(r.iter().sum::<u64>(), rows as u64);
        }
        // Counting draws with a column of ones: each replicate sums to n.
        let ones = vec![1.0; rows];
        let sums = paired_bootstrap_sums(&[&ones], 20, 3, &|_, _| ());
        for r in 0..20 {
            assert_eq!(sums.get(r, 0).value(), rows as f64);
        }
    }

    #[test]
    fn block_shares_follow_block_sizes() {
        // Over many replicates the mean share of the short last block is its size share.
        let rows = BLOCK_ROWS + BLOCK_ROWS / 4;
        let totals = block_totals(rows, 2000, 1);
        let last: f64 = totals.iter().map(|t| t[1] as f64).sum::<f64>() / 2000.0;
        let expected = (BLOCK_ROWS / 4) as f64;
        // sd of one draw ≈ √(n p (1 − p)) ≈ 29; of the mean over 2000 ≈ 0.65.
        assert!((last - expected).abs() < 4.0, "{last} vs {expected}");
    }

    #[test]
    fn row_draw_frequencies_are_uniform() {
        // Column k is the indicator of row k: its bootstrap sum is row k's count,
        // Binomial(n, 1/n) with mean 1.
        let n = 50;
        let columns: Vec<Vec<f64>> = (0..n)
            .map(|k| (0..n).map(|i| f64::from(u8::from(i == k))).collect())
            .collect();
        let refs: Vec<&[f64]> = columns.iter().map(Vec::as_slice).collect();
        let sums = paired_bootstrap_sums(&refs, 4000, 5, &|_, _| ());
        for k in 0..n {
            let mean: f64 = (0..4000).map(|r| sums.get(r, k).value()).sum::<f64>() / 4000.0;
            // sd of the mean ≈ √(0.98/4000) ≈ 0.016
            assert!((mean - 1.0).abs() < 0.08, "row {k}: {mean}");
        }
    }

    #[test]
    fn every_series_sees_the_same_resample() {
        // Columns 0..50 are row indicators (their sums are the row counts);
        // column 50 holds values. Its bootstrap sum must be Σ count_k · x_k,
        // so the resample is shared across series (and panels: 51 series).
        let n = 50;
        let mut columns: Vec<Vec<f64>> = (0..n)
            .map(|k| (0..n).map(|i| f64::from(u8::from(i == k))).collect())
            .collect();
        columns.push((0..n).map(|i| (i * i) as f64).collect());
        let refs: Vec<&[f64]> = columns.iter().map(Vec::as_slice).collect();
        let sums = paired_bootstrap_sums(&refs, 300, 12, &|_, _| ());
        for r in 0..300 {
            let expected: f64 = (0..n)
                .map(|k| sums.get(r, k).value() * (k * k) as f64)
                .sum();
            assert_eq!(sums.get(r, n).value(), expected, "replicate {r}");
        }
    }

    #[test]
    fn percentile_interval_by_hand() {
        // 0..=100: the quartiles are 25 and 75; (1 − 0.5)/2 is exact in binary.
        let values: Vec<f64> = (0..=100).rev().map(f64::from).collect();
        let i = percentile_interval(values.clone(), 0.5);
        assert_eq!((i.low, i.high), (25.0, 75.0));
        // 0.95 is not exact in binary: 2.5 and 97.5 up to the rounding of 1 − 0.95.
        let i = percentile_interval(values, 0.95);
        assert!((i.low - 2.5).abs() < 1e-14 && (i.high - 97.5).abs() < 1e-14);
        // 0..=8 with B·α/2 between order statistics: h = 8·0.1 = 0.8 → 0.8.
        let nine: Vec<f64> = (0..=8).map(f64::from).collect();
        let i = percentile_interval(nine, 0.8);
        assert!((i.low - 0.8).abs() < 1e-15 && (i.high - 7.2).abs() < 1e-14);
    }
}
