//! `row_lanes::row_sums` with AVX-512F intrinsics: the same lanes (row r
//! of a group of eight in lane r), the same compensated sum in class order,
//! the same bits, but each column of eight rows is built by transposing
//! blocks of 8 rows × 8 classes with two-source permutes.
//!
//! Why: compiled from `Group::column`, a column was eight scalar loads and
//! seven inserts or unpacks for the seven operations of its two-sum (a
//! third of the probability cross-entropy's time went there, `perf
//! annotate`). Here a window of eight classes of the eight rows is eight
//! vector loads (masked, for the last window of a row whose classes are
//! not a multiple of eight) and at most 24 `vpermt2pd`, three per column:
//!
//! ```text
//!   rows r, r + 4 zipped:   a_r  = r0 r4 r0 r4 …   (columns in pairs)
//!   a_r, a_r+2 zipped:      b_r  = r0 r2 r4 r6 …   (two columns each)
//!   b_0, b_1 zipped:        column j = r0 r1 r2 … r7
//! ```
//!
//! A window of fewer classes computes only the permutes its columns need.

use std::arch::x86_64::*;

use super::row_lanes::{starts, LANES};
use super::sum_avx512::Sums;

/// Lanes of `a` and `b` interleaved, a0 b0 a1 b1 a2 b2 a3 b3 from lanes
/// 0–3 (`half` 0) or 4–7 (`half` 1): one `vpermt2pd`.
#[inline]
#[target_feature(enable = "avx512f")]
fn zip(a: __m512d, b: __m512d, half: usize) -> __m512d {
    let index = if half == 0 {
        _mm512_setr_epi64(0, 8, 1, 9, 2, 10, 3, 11)
    } else {
        _mm512_setr_epi64(4, 12, 5, 13, 6, 14, 7, 15)
    };
    _mm512_permutex2var_pd(a, index, b)
}

/// Adds classes `from..from + COLS` (COLS ≤ 8) of the eight rows that
/// start at `rows` into `sums`, in class order.
///
/// # Safety
/// Each `rows[r]` must be valid for reading `from + COLS` doubles.
#[inline]
#[target_feature(enable = "avx512f")]
unsafe fn add_window<const COLS: usize>(rows: &[*const f64; LANES], from: usize, sums: &mut Sums) {
    let mask = ((1u16 << COLS) - 1) as u8;
    // SAFETY: as the caller promises; masked lanes are not read.
    let row: [__m512d; LANES] =
        std::array::from_fn(|r| unsafe { _mm512_maskz_loadu_pd(mask, rows[r].add(from)) });
    let zero = _mm512_setzero_pd();
    // Only the halves the columns below read (columns 0..COLS).
    let mut a = [[zero; 2]; 4];
    for (r, a) in a.iter_mut().enumerate() {
        for (half, a) in a.iter_mut().enumerate().take(COLS.div_ceil(4)) {
            *a = zip(row[r], row[r + 4], half);
        }
    }
    let mut b = [[zero; 4]; 2];
    for (r, b) in b.iter_mut().enumerate() {
        for (v, b) in b.iter_mut().enumerate().take(COLS.div_ceil(2)) {
            *b = zip(a[r][v / 2], a[r + 2][v / 2], v % 2);
        }
    }
    for j in 0..COLS {
        sums.add(zip(b[0][j / 2], b[1][j / 2], j % 2));
    }
}

/// Each row's compensated sum into `out` (one per row of `terms`, rows of
/// `classes`; rows past the end of `terms` are left alone): the bits of
/// `compensated_sum(row)`, eight rows at a time.
#[target_feature(enable = "avx512f")]
pub(super) fn row_sums(terms: &[f64], classes: usize, out: &mut [f64]) {
    if classes == 0 {
        return;
    }
    let rows = out.len().min(terms.len() / classes);
    for first in starts(rows) {
        let live = (rows - first).min(LANES);
        // A short group repeats its last row (as `row_lanes::Group`).
        let at: [*const f64; LANES] = std::array::from_fn(|r| {
            let row = first + r.min(live - 1);
            terms[row * classes..].as_ptr()
        });
        let mut sums = Sums::zero();
        for from in (0..classes).step_by(LANES) {
            // SAFETY: each row has `classes` doubles in `terms` (`rows` is
            // at most its rows), so `from + cols ≤ classes` are readable.
            unsafe {
                match classes - from {
                    1 => add_window::<1>(&at, from, &mut sums),
                    2 => add_window::<2>(&at, from, &mut sums),
                    3 => add_window::<3>(&at, from, &mut sums),
                    4 => add_window::<4>(&at, from, &mut sums),
                    5 => add_window::<5>(&at, from, &mut sums),
                    6 => add_window::<6>(&at, from, &mut sums),
                    7 => add_window::<7>(&at, from, &mut sums),
                    _ => add_window::<8>(&at, from, &mut sums),
                }
            }
        }
        let live_lanes = ((1u16 << live) - 1) as u8;
        let values = sums.values();
        // SAFETY: rows ≤ out.len(), so out[first..first + live] exists;
        // the other lanes are not written.
        unsafe { _mm512_mask_storeu_pd(out[first..].as_mut_ptr(), live_lanes, values) };
    }
}

#[cfg(test)]
mod tests {
    use super::super::row_lanes;

    /// The transposed sums are `row_lanes::row_sums` (itself checked
    /// against the scalar sums) bit for bit, for every class count up to
    /// 33 (every window width, one to five windows) and ragged groups.
    #[test]
    fn row_sums_are_the_lane_sums() {
        if !std::arch::is_x86_feature_detected!("avx512f") {
            return;
        }
        for classes in (1..=33).chain([64, 1000]) {
            for count in [1, 3, 7, 8, 9, 16, 17, 25, 48] {
                let values = row_lanes::tests::rows(count, classes);
                let (mut got, mut expected) = (vec![f64::NAN; count], vec![f64::NAN; count]);
                // SAFETY: the processor has AVX-512F (checked above).
                unsafe { super::row_sums(&values, classes, &mut got) };
                row_lanes::row_sums(&values, classes, &mut expected);
                for r in 0..count {
                    let at = format!("{classes} classes, {count} rows, row {r}");
                    // Which NaN an operation with two NaN operands returns
                    // is not specified (the compiler may swap an
                    // addition's operands); a NaN must stay a NaN. (The
                    // cross-entropy's terms are never NaN.)
                    if expected[r].is_nan() {
                        assert!(got[r].is_nan(), "{at}");
                    } else {
                        assert_eq!(got[r].to_bits(), expected[r].to_bits(), "{at}");
                    }
                }
            }
        }
    }
}
