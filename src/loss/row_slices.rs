//! Row slice kernels: a row loss over a chunk of whole rows, as flat loops
//! over the chunk's `rows × classes` values, with no closure call, no
//! `Result` and no allocation per row or per element.
//!
//! A kernel that has such a form (`RowKernel::chunk` in `definition`)
//! runs block by block (a few hundred values, in the L1 cache). Each block
//! is first checked without a branch (finite, inside the domain, rows
//! summing to 1 where a warning would say otherwise); if anything would
//! earn an error or a warning, the kernel declines, and the core runs the
//! chunk row by row with the per-row kernel, which overwrites what the
//! earlier blocks wrote, finds the first error and writes the warnings,
//! with the same texts in the same order as ever. Checking block by block
//! (not the whole chunk first) reads the data from memory once, while the
//! processor computes the previous block.
//! A valid block is computed with the per-element terms (the logarithms
//! and exponentials of `vmath`) in flat loops the compiler vectorises, then
//! each row's compensated sum (`row_lanes`: eight rows side by side), in
//! the same order and with the same operations as the per-row kernel, so
//! that a row has the same bits whichever way it is computed (a stream cuts
//! its batches anywhere, and a batch may fall back where the whole data did
//! not).

use super::row_lanes::{self, Group, LANES};
use super::slices::{self, LoopKind};
use super::validate::RowsRef;

/// Values per block: the blocks' scratch stays in the L1 cache.
pub(crate) const BLOCK: usize = 512;

/// Most values per block for wide rows, which take [`LANES`] rows a block
/// up to this size (the scratch of a block of a row loss of a million
/// classes stays small).
const WIDE_BLOCK: usize = 1 << 16;

/// One chunk of whole rows of a row pass.
pub(crate) struct RowChunk<'a> {
    /// Target rows one after another (sparse labels: one label per row).
    pub target: &'a [f64],
    /// Prediction rows one after another, `classes` values each.
    pub prediction: &'a [f64],
    pub classes: usize,
    /// Each row's value (before weights), one per row.
    pub values: &'a mut [f64],
    /// ∂loss/∂ŷ of each row (before weights), or empty when not wanted.
    pub gradient: &'a mut [f64],
}

impl RowChunk<'_> {
    /// Rows per block: about [`BLOCK`] values, whole groups of [`LANES`]
    /// rows; for wide rows, up to [`LANES`] rows of at most [`WIDE_BLOCK`]
    /// values; never more than the chunk's rows (at least one row).
    ///
    /// Why the chunk's rows: the kernels size their scratch arrays by a
    /// block, and one row of 20,001 classes (the numerical KL of two normal
    /// densities) would otherwise get scratch for three, 1.4 MB where
    /// 0.5 MB is used: every page of it is zeroed, and the kernel maps
    /// fresh ones for it (about 240 more page faults a call).
    pub(crate) fn rows_per_block(&self) -> usize {
        let rows = BLOCK / self.classes;
        let per_block = if rows >= LANES {
            rows - rows % LANES
        } else {
            (WIDE_BLOCK / self.classes).clamp(1, LANES)
        };
        per_block.min(self.values.len()).max(1)
    }
}

/// Rows `start..end` of `rows` as one contiguous slice, where they are one
/// (packed rows, one flat row, labels); `None` for a matrix of row vectors.
pub(crate) fn span<'a>(rows: RowsRef<'a>, start: usize, end: usize) -> Option<&'a [f64]> {
    match rows {
        RowsRef::One(r) => (start == 0 && end == 1).then_some(r),
        RowsRef::Labels(l) => Some(&l[start..end]),
        RowsRef::Packed(v, width) => Some(&v[start * width..end * width]),
        RowsRef::Matrix(_) => None,
    }
}

/// A chunk kernel (`chunk`, returning whether the chunk was valid) on the
/// instruction set the block forms of the elementwise losses take
/// (`slices::on_path` with `LoopKind::Blocks`: the widest the processor
/// has, unless `LOSSLAB_SIMD` names another; every path gives the same
/// bits). The kernel's loops must be inlined into `chunk` (marked
/// `#[inline(always)]`), so that they are compiled for that path.
#[inline(always)]
pub(crate) fn on_path(chunk: impl FnOnce() -> bool) -> bool {
    slices::on_path(LoopKind::Blocks, chunk)
}

/// Values per run of [`map_asking`]: eight cache lines of doubles, enough
/// for the loop inside a run to be vectorised (with eight, it is not).
const RUN: usize = 64;

/// Doubles per cache line.
const LINE: usize = 8;

/// `out[i] = f(input[i])` (a block's logarithms or exponentials), asking
/// for the cache lines of each array of `next` at `at + i` run by run
/// ([`RUN`] values; `at`: where the next block's inputs start). Why: a
/// block is checked (and so read from memory) in a burst, then computed;
/// without these requests, spread over the longest loop of the block,
/// memory would sit idle while the processor computes (its own prefetcher
/// follows the loads, never far ahead, and stops at a page's end).
#[inline(always)]
pub(crate) fn map_asking<const N: usize>(
    (out, input): (&mut [f64], &[f64]),
    f: impl Fn(f64) -> f64,
    next: [&[f64]; N],
    at: usize,
) {
    let runs = out.chunks_exact_mut(RUN).zip(input.chunks_exact(RUN));
    for (k, (out, input)) in runs.enumerate() {
        ask(next, at + k * RUN, RUN);
        for (o, &x) in out.iter_mut().zip(input) {
            *o = f(x);
        }
    }
    let whole = input.len() - input.len() % RUN;
    ask(next, at + whole, input.len() - whole);
    for (o, &x) in out[whole..].iter_mut().zip(&input[whole..]) {
        *o = f(x);
    }
}

/// [`map_asking`] for a function of whole runs: `run(start, end)` computes
/// the values `start..end` of a block of `len` (at most [`RUN`] at a time),
/// for functions written for vectors of their own (`vmath_avx512`).
#[inline(always)]
pub(crate) fn runs_asking<const N: usize>(
    len: usize,
    mut run: impl FnMut(usize, usize),
    next: [&[f64]; N],
    at: usize,
) {
    for start in (0..len).step_by(RUN) {
        let end = (start + RUN).min(len);
        ask(next, at + start, end - start);
        run(start, end);
    }
}

/// Ask for the cache lines of `len` values of each array of `next` from
/// `at` on.
#[inline(always)]
fn ask<const N: usize>(next: [&[f64]; N], at: usize, len: usize) {
    for line in (0..len).step_by(LINE) {
        for array in next {
            slices::prefetch(array, at + line);
        }
    }
}

/// Every value is in `[low, high]` (so finite).
///
/// For `low = 0` (probabilities, densities) the largest bit pattern is
/// compared with that of `high` first: non-negative doubles are ordered as
/// their bits, and anything else (a sign bit, NaN above +∞) has larger
/// bits, so a block that passes is valid. One unsigned maximum per value,
/// in independent accumulators: the comparison pair below, folded into a
/// mask, made a chain of dependent masked compares that cost a seventh of
/// the probability cross-entropy's time (`perf annotate`). Only a block that
/// fails (an invalid value, or a −0, which is valid) takes the pair.
#[inline(always)]
pub(crate) fn all_within(values: &[f64], low: f64, high: f64) -> bool {
    let largest_bits = || values.iter().fold(0u64, |m, &x| m.max(x.to_bits()));
    (low == 0.0 && high >= 0.0 && largest_bits() <= high.to_bits())
        || values
            .iter()
            .fold(true, |ok, &x| ok & (x >= low) & (x <= high))
}

/// Every value is finite (`x − x` is 0 only for finite `x`).
#[inline(always)]
// `x − x` on purpose: it is not 0 for every double.
#[allow(clippy::eq_op)]
pub(crate) fn all_finite(values: &[f64]) -> bool {
    values.iter().fold(true, |ok, &x| ok & (x - x == 0.0))
}

/// Every row of `classes` values sums to 1 within `tolerance / 2`, by a
/// plain sum (eight rows side by side): a test that errs only on the safe side of the per-row check
/// (|Σ − 1| ≤ `tolerance`, with a compensated sum). The plain sum of n
/// non-negative values near 1 is off by at most about n·2⁻⁵³, far below
/// `tolerance / 2` for any row of fewer than [`MAX_CLASSES`] values, so a
/// row passing here never earns the per-row warning; a row failing here is
/// left to the per-row check, which decides exactly.
#[inline(always)]
pub(crate) fn rows_sum_to_one(values: &[f64], classes: usize, tolerance: f64) -> bool {
    row_lanes::starts(values.len() / classes).fold(true, |ok, first| {
        let sums = Group::new(values, classes, first).plain_sums();
        sums.iter()
            .fold(ok, |ok, &sum| ok & ((sum - 1.0).abs() <= 0.5 * tolerance))
    })
}

/// Most classes for which [`rows_sum_to_one`] is a safe test.
pub(crate) const MAX_CLASSES: usize = 1 << 20;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checks_find_what_they_should() {
        assert!(all_within(&[0.0, 0.5, 1.0], 0.0, 1.0));
        assert!(!all_within(&[0.0, f64::NAN, 1.0], 0.0, 1.0));
        assert!(!all_within(&[0.0, 1.0 + 1e-16 * 3.0], 0.0, 1.0));
        assert!(!all_within(&[-0.1], 0.0, 1.0));
        // The bit test and the comparisons agree at the edges: −0 and
        // subnormals are in, −5e-324, the double after 1, ±∞ and NaN out.
        assert!(all_within(&[-0.0, 5e-324, 1.0], 0.0, 1.0));
        let above_one = f64::from_bits(1f64.to_bits() + 1);
        for bad in [
            -5e-324,
            above_one,
            f64::INFINITY,
            f64::NEG_INFINITY,
            -f64::NAN,
        ] {
            let mut block = vec![0.5; 37];
            block[29] = bad;
            assert!(!all_within(&block, 0.0, 1.0), "{bad:e}");
        }
        assert!(all_within(&[0.0, f64::MAX], 0.0, f64::MAX));
        assert!(!all_within(&[0.0, f64::INFINITY], 0.0, f64::MAX));
        assert!(all_within(&[-0.5, 0.25], -1.0, 1.0));
        assert!(!all_within(&[-1.5, 0.25], -1.0, 1.0));
        assert!(all_finite(&[-1e308, 0.0, 1e308]));
        assert!(!all_finite(&[1.0, f64::INFINITY]));
        assert!(!all_finite(&[f64::NAN]));
        let rows = [0.25, 0.75, 0.5, 0.5];
        assert!(rows_sum_to_one(&rows, 2, 1e-9));
        assert!(!rows_sum_to_one(&[0.25, 0.75, 0.5, 0.5 + 1e-9], 2, 1e-9));
        // Within the tolerance but not within half of it: left to the per-row check.
        assert!(!rows_sum_to_one(&[0.5, 0.5 + 0.8e-9], 2, 1e-9));
    }

    #[test]
    fn a_block_holds_no_more_rows_than_the_chunk() {
        let (target, prediction) = (vec![0.0; 8 * 20_001], vec![0.0; 8 * 20_001]);
        let per_block = |classes: usize, rows: usize| {
            let mut values = vec![0.0; rows];
            RowChunk {
                target: &target[..rows * classes],
                prediction: &prediction[..rows * classes],
                classes,
                values: &mut values,
                gradient: &mut [],
            }
            .rows_per_block()
        };
        assert_eq!(per_block(20_001, 8), 3);
        assert_eq!(per_block(20_001, 1), 1);
        assert_eq!(per_block(20_001, 0), 1);
        assert_eq!(per_block(10, 1000), 48);
        assert_eq!(per_block(10, 20), 20);
    }

    #[test]
    fn spans_are_the_rows() {
        let v = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0];
        assert_eq!(span(RowsRef::Packed(&v, 2), 1, 3), Some(&v[2..6]));
        assert_eq!(span(RowsRef::Labels(&v), 2, 4), Some(&v[2..4]));
        assert_eq!(span(RowsRef::One(&v), 0, 1), Some(&v[..]));
        let m = vec![vec![1.0]];
        assert_eq!(span(RowsRef::Matrix(&m), 0, 1), None);
    }
}
