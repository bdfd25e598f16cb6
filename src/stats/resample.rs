//! The resampling engine shared by the bootstrap and the permutation test:
//! weighted sums of every per-sample series, for many seeded replicates,
//! computed in parallel with the same bits whatever the thread count.
//!
//! # Method
//! The rows are cut into blocks of [`BLOCK_ROWS`] (a constant, never derived
//! from the thread count). A task takes one block and a run of replicates:
//! it copies the block's rows into a row-major buffer once (the S values of a
//! row side by side, so one draw touches one or two cache lines and the
//! additions vectorise across series), then lets the kernel add, for each
//! replicate, the weighted rows of the block into S plain partial sums. The
//! block stays in cache across the replicates, so memory traffic is about one
//! pass over the data per [`REPLICATES_PER_TASK`] replicates.
//!
//! Each replicate's random numbers for a block come from their own ChaCha8
//! stream keyed by (seed, purpose, replicate, block), so no task depends on
//! another's draws. The block partials are merged into compensated sums
//! ([`Compensated`]) in block order, which fixes every result's bits.
//!
//! # Accuracy
//! A block partial adds at most a few thousand terms in plain `f64`, with a
//! relative error below about (terms)·ε ≈ 1e-12 for non-negative terms; the
//! merge across blocks is compensated, so the error does not grow with the
//! number of rows. This is far below the Monte Carlo error of any bootstrap
//! quantity (≈ 1/√B), while the point estimates themselves come from the
//! core's exact reduction.

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;

/// Rows per block: 4096 rows × 15 series × 8 bytes ≈ 0.5 MB, within L2.
pub(crate) const BLOCK_ROWS: usize = 4096;

/// Replicates computed by one task on one cached block.
const REPLICATES_PER_TASK: usize = 32;

/// Tasks run in parallel before their partials are merged (bounds memory).
const TASKS_PER_ROUND: usize = 128;

/// What a replicate's random stream is for, so streams never coincide.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Purpose {
    /// How many of a bootstrap replicate's draws fall into each block.
    BlockTotals = 1,
    /// The draws of a bootstrap replicate inside one block.
    Draws = 2,
    /// The signs of a permutation replicate inside one block.
    Signs = 3,
}

/// A ChaCha8 generator keyed by (seed, purpose, replicate, block): each
/// replicate's draws are fixed by its own index, not by the order of work.
pub(crate) fn seeded_rng(
    seed: u64,
    purpose: Purpose,
    replicate: usize,
    block: usize,
) -> ChaCha8Rng {
    let mut key = [0u8; 32];
    key[0..8].copy_from_slice(&seed.to_le_bytes());
    key[8..16].copy_from_slice(&(purpose as u64).to_le_bytes());
    key[16..24].copy_from_slice(&(replicate as u64).to_le_bytes());
    key[24..32].copy_from_slice(&(block as u64).to_le_bytes());
    ChaCha8Rng::from_seed(key)
}

/// A running sum with its rounding error carried alongside (Knuth's two-sum,
/// branch-free; Neumaier 1974 for the idea of compensating each addition).
/// With an infinite term the error becomes NaN and the plain sum, `hi`, is the answer.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct Compensated {
    hi: f64,
    lo: f64,
}

impl Compensated {
    pub(crate) fn add(&mut self, x: f64) {
        let sum = self.hi + x;
        let x_part = sum - self.hi;
        let error = (self.hi - (sum - x_part)) + (x - x_part);
        self.hi = sum;
        self.lo += error;
    }

    pub(crate) fn value(&self) -> f64 {
        if self.lo.is_finite() {
            self.hi + self.lo
        } else {
            self.hi
        }
    }

    /// `self − other`, with both compensations kept before the last rounding,
    /// so that a difference of two close sums keeps its digits.
    pub(crate) fn minus(&self, other: &Compensated) -> f64 {
        if !(self.hi.is_finite() && other.hi.is_finite()) {
            return self.hi - other.hi;
        }
        let mut d = Compensated::default();
        d.add(self.hi);
        d.add(-other.hi);
        d.add(self.lo);
        d.add(-other.lo);
        d.value()
    }
}

/// The rows of one block, row-major: row `j`'s value of series `s` is at `j·series + s`.
pub(crate) struct Block<'a> {
    /// Index of the block (its rows start at `index · BLOCK_ROWS`).
    pub index: usize,
    pub rows: usize,
    pub series: usize,
    pub values: &'a [f64],
}

impl Block<'_> {
    pub(crate) fn row(&self, j: usize) -> &[f64] {
        &self.values[j * self.series..(j + 1) * self.series]
    }
}

/// Compensated sums per replicate and output series: `sums[r · series + s]`.
#[derive(Debug, Clone)]
pub(crate) struct ReplicateSums {
    pub series: usize,
    pub sums: Vec<Compensated>,
}

impl ReplicateSums {
    pub(crate) fn get(&self, replicate: usize, series: usize) -> &Compensated {
        &self.sums[replicate * self.series + series]
    }
}

/// Number of blocks for `rows` rows (at least one).
pub(crate) fn block_count(rows: usize) -> usize {
    rows.div_ceil(BLOCK_ROWS).max(1)
}

/// For every replicate `r` and output `s` < `outputs`, the sum over blocks of
/// what `kernel(r, block, partial)` adds into `partial[s]` (zeroed before each
/// call); the block holds every column. All columns must have the same length.
pub(crate) fn replicate_sums<K>(
    columns: &[&[f64]],
    outputs: usize,
    replicates: usize,
    kernel: K,
) -> ReplicateSums
where
    K: Fn(usize, &Block<'_>, &mut [f64]) + Sync,
{
    let series = columns.len();
    let rows = columns.first().map_or(0, |c| c.len());
    let mut sums = vec![Compensated::default(); replicates * outputs];
    let runs = replicates.div_ceil(REPLICATES_PER_TASK);
    // Tasks in block-major order: merging them in this order adds each
    // replicate's block partials in block order.
    let tasks: Vec<(usize, usize)> = (0..block_count(rows))
        .flat_map(|b| (0..runs).map(move |run| (b, run)))
        .collect();
    let work = |&(b, run): &(usize, usize)| {
        let start = b * BLOCK_ROWS;
        let len = BLOCK_ROWS.min(rows - start.min(rows));
        let mut values = vec![0.0; len * series];
        for (s, column) in columns.iter().enumerate() {
            for (j, &x) in column[start..start + len].iter().enumerate() {
                values[j * series + s] = x;
            }
        }
        let block = Block {
            index: b,
            rows: len,
            series,
            values: &values,
        };
        let first = run * REPLICATES_PER_TASK;
        let last = (first + REPLICATES_PER_TASK).min(replicates);
        let mut partials = vec![0.0; (last - first) * outputs];
        for (r, partial) in (first..last).zip(partials.chunks_mut(outputs.max(1))) {
            kernel(r, &block, partial);
        }
        partials
    };
    for round in tasks.chunks(TASKS_PER_ROUND) {
        let partials: Vec<Vec<f64>> = round.par_iter().map(work).collect();
        for (&(_, run), partial) in round.iter().zip(&partials) {
            let offset = run * REPLICATES_PER_TASK * outputs;
            for (sum, &x) in sums[offset..].iter_mut().zip(partial) {
                sum.add(x);
            }
        }
    }
    ReplicateSums {
        series: outputs,
        sums,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compensated_keeps_small_terms() {
        let mut c = Compensated::default();
        c.add(1e16);
        for _ in 0..1000 {
            c.add(1.0);
        }
        c.add(-1e16);
        assert_eq!(c.value(), 1000.0);
        let mut inf = Compensated::default();
        inf.add(1.0);
        inf.add(f64::INFINITY);
        assert_eq!(inf.value(), f64::INFINITY);
    }

    #[test]
    fn difference_of_close_sums_is_exact() {
        let (mut a, mut b) = (Compensated::default(), Compensated::default());
        a.add(1.0);
        a.add(1e-20);
        b.add(1.0);
        assert_eq!(a.minus(&b), 1e-20);
    }

    #[test]
    fn weight_one_everywhere_gives_the_column_sums() {
        // 10,000 rows span three blocks; replicate r weighs every row by r.
        let a: Vec<f64> = (0..10_000).map(|i| i as f64).collect();
        let b: Vec<f64> = (0..10_000).map(|i| 0.5 * i as f64).collect();
        let sums = replicate_sums(&[&a, &b], 2, 40, |r, block, partial| {
            for j in 0..block.rows {
                for (p, &x) in partial.iter_mut().zip(block.row(j)) {
                    *p += r as f64 * x;
                }
            }
        });
        let total: f64 = 9_999.0 * 10_000.0 / 2.0;
        for r in 0..40 {
            assert_eq!(sums.get(r, 0).value(), r as f64 * total);
            assert_eq!(sums.get(r, 1).value(), r as f64 * total / 2.0);
        }
    }
}
