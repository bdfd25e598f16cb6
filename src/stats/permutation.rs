//! The two-sided paired sign-flip permutation test.
//!
//! # Method
//! Under the null hypothesis that two models' per-sample losses are
//! exchangeable within each row, each per-sample difference dᵢ is as likely
//! to be −dᵢ. The statistic is T = |Σᵢ dᵢ| (equivalently |mean d|); each of B
//! replicates flips the sign of every dᵢ with probability ½ and computes
//! T* = |Σᵢ sᵢ dᵢ|. The p-value counts the replicates at least as extreme as
//! the observation, ties included, with the observation itself counted once:
//! p = (1 + #{T* ≥ T}) / (B + 1) (Phipson & Smyth 2010, "Permutation p-values
//! should never be zero", SAGMB 9(1); Good 2005, *Permutation, Parametric and
//! Bootstrap Tests of Hypotheses*, §3.1 for the paired sign-flip test).
//!
//! Signs are applied four rows at a time: each block stores, for every group
//! of four rows, the 16 signed sums of their differences, and a replicate
//! picks one of them per group with four random bits — a quarter of the
//! additions of flipping row by row, and the same statistic.
//!
//! Every difference series is flipped with the same signs in a replicate, and
//! the observed statistic goes through exactly the same summation (replicate
//! 0 with every sign +1), so that a replicate whose statistic equals the
//! observation mathematically by symmetry (all signs flipped, or all
//! differences zero) also equals it in floating point. Identical models
//! (every dᵢ = 0) therefore get p = 1 exactly.

use rand::Rng;

use super::resample::{self, seeded_rng, Block, Purpose};

/// Rows whose signs one table entry covers.
const GROUP: usize = 4;

/// Sign patterns of a group: 2^GROUP.
const PATTERNS: usize = 1 << GROUP;

/// A paired difference: per row, column `model` minus column `baseline`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Pair {
    pub model: usize,
    pub baseline: usize,
}

/// p-values of the sign-flip test of the per-row differences of each pair of
/// columns, from `permutations` random sign vectors shared by every pair.
/// The differences are formed block by block, never stored whole.
/// A pair with a non-finite difference has no defined test: `None`.
pub(crate) fn sign_flip_p_values(
    columns: &[&[f64]],
    pairs: &[Pair],
    permutations: usize,
    seed: u64,
    progress: &dyn Fn(usize, usize),
) -> Vec<Option<f64>> {
    let rows = columns.first().map_or(0, |c| c.len());
    let load = |index: usize, start: usize, len: usize| {
        let groups = len.div_ceil(GROUP);
        let mut block = Block::zeroed(index, len, groups * PATTERNS, pairs.len());
        for (s, pair) in pairs.iter().enumerate() {
            let (m, b) = (columns[pair.model], columns[pair.baseline]);
            let difference = |i: usize| {
                if i < len {
                    m[start + i] - b[start + i]
                } else {
                    0.0
                }
            };
            for g in 0..groups {
                let d = |k: usize| difference(g * GROUP + k);
                // Pattern bit k set: row k's difference enters with a minus.
                // ±1 times d is exact, and each pattern's sum is the exact
                // negation of its complement's (rounding is symmetric).
                let low = [d(0) + d(1), -d(0) + d(1), d(0) - d(1), -d(0) - d(1)];
                let high = [d(2) + d(3), -d(2) + d(3), d(2) - d(3), -d(2) - d(3)];
                for pattern in 0..PATTERNS {
                    *block.entry_mut(s, g * PATTERNS + pattern) =
                        low[pattern & 3] + high[pattern >> 2];
                }
            }
        }
        block
    };
    // Replicate 0 is the identity (the observed statistic); 1..=B are random.
    let select = |r: usize, block: &Block, selected: &mut Vec<u32>| {
        let groups = block.rows.div_ceil(GROUP);
        if r == 0 {
            selected.extend((0..groups).map(|g| (g * PATTERNS) as u32));
            return;
        }
        let mut rng = seeded_rng(seed, Purpose::Signs, r, block.index);
        let mut bits = 0u64;
        for g in 0..groups {
            if g % 16 == 0 {
                bits = rng.next_u64();
            }
            let pattern = (bits >> (4 * (g % 16))) & 0xf;
            selected.push((g * PATTERNS) as u32 + pattern as u32);
        }
    };
    let replicates = permutations + 1;
    let sums = resample::replicate_sums(rows, pairs.len(), replicates, load, select, progress);
    pairs
        .iter()
        .enumerate()
        .map(|(s, pair)| {
            let (m, b) = (columns[pair.model], columns[pair.baseline]);
            if m.iter().zip(b).any(|(x, y)| !(x - y).is_finite()) {
                return None;
            }
            let observed = sums.get(0, s).value().abs();
            let extreme = (1..=permutations)
                .filter(|&r| sums.get(r, s).value().abs() >= observed)
                .count();
            Some((extreme + 1) as f64 / (permutations + 1) as f64)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// p-value of the differences `d` against a zero baseline.
    fn p_value(d: &[f64], permutations: usize, seed: u64) -> Option<f64> {
        let zeros = vec![0.0; d.len()];
        let pair = Pair {
            model: 0,
            baseline: 1,
        };
        sign_flip_p_values(&[d, &zeros], &[pair], permutations, seed, &|_, _| ())[0]
    }

    #[test]
    fn identical_models_give_one() {
        let losses: Vec<f64> = (0..5000).map(|i| (i as f64).sqrt()).collect();
        let pair = Pair {
            model: 0,
            baseline: 1,
        };
        let p = sign_flip_p_values(&[&losses, &losses], &[pair], 199, 1, &|_, _| ());
        assert_eq!(p, vec![Some(1.0)]);
    }

    #[test]
    fn a_clear_difference_gives_the_smallest_p() {
        // Every difference positive: no flip but the identity (probability
        // 2^-300) reaches the observed sum, so p = 1 / (B + 1).
        let d: Vec<f64> = (0..300).map(|i| 0.5 + (i % 7) as f64).collect();
        assert_eq!(p_value(&d, 999, 4), Some(1.0 / 1000.0));
    }

    #[test]
    fn small_sample_matches_the_exact_distribution() {
        // d = (1, 2, 3): of the 8 sign vectors, |Σ s d| ≥ 6 for 2 (all + or
        // all −); the exact p-value is 2/8 = 0.25. With many flips the Monte
        // Carlo p-value is close to it.
        let p = p_value(&[1.0, 2.0, 3.0], 20_000, 8).unwrap();
        assert!((p - 0.25).abs() < 0.01, "{p}");
        // d = (1, 1, 0, 0): |Σ s d| = 2 when the first two signs agree, for 8
        // of the 16 vectors (flipped zeros tie) → 0.5.
        let q = p_value(&[1.0, 1.0, 0.0, 0.0], 20_000, 8).unwrap();
        assert!((q - 0.5).abs() < 0.012, "{q}");
    }

    #[test]
    fn every_pair_sees_the_same_signs() {
        // Pair 1's differences are twice pair 0's (doubling is exact), and
        // pair 2's are their negation: with shared signs every replicate's
        // statistic scales alike, so the p-values are equal.
        let d: Vec<f64> = (0..3000).map(|i| ((i * 7919) % 13) as f64 - 6.0).collect();
        let twice: Vec<f64> = d.iter().map(|x| 2.0 * x).collect();
        let zeros = vec![0.0; d.len()];
        let pair = |model| Pair { model, baseline: 2 };
        let negated = Pair {
            model: 2,
            baseline: 0,
        };
        let columns: [&[f64]; 3] = [&d, &twice, &zeros];
        let p = sign_flip_p_values(&columns, &[pair(0), pair(1), negated], 500, 3, &|_, _| ());
        assert_eq!(p[0], p[1]);
        assert_eq!(p[0], p[2]);
        // And the p-value is not trivially 1 or minimal.
        let p0 = p[0].unwrap();
        assert!(p0 > 2.0 / 501.0 && p0 < 1.0, "{p0}");
    }

    #[test]
    fn infinite_differences_have_no_test() {
        assert_eq!(p_value(&[1.0, f64::INFINITY], 10, 1), None);
    }
}
