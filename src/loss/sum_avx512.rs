//! Eight compensated sums in AVX-512F registers ([`Sums`]): the lanes of a
//! `ChunkSum` (one register for the sums, one for the compensations) and
//! the rows' sums of `row_lanes_avx512`, Knuth's two-sum on all eight at
//! once, the same operations in the same order as `sum::two_sum`, so the
//! same bits.
//!
//! Why not the compiler's vectorisation of the lane loop: inlined into the
//! elementwise kernels' AVX-512 loop, it split the eight lanes into a
//! 128-bit, a 256-bit and a 512-bit part with inserts and extracts between
//! them, a fifth of log-cosh's time (`perf annotate`).

use std::arch::x86_64::*;

/// `sum::LANES`, the accumulators of a chunk sum (here one register).
pub(super) const LANES: usize = 8;

/// Eight running compensated sums, one per lane: `sum::Neumaier` lane by
/// lane, for a `ChunkSum`'s accumulators (`add_groups`) and
/// for eight rows side by side (`row_lanes_avx512`).
#[derive(Clone, Copy)]
pub(super) struct Sums {
    sum: __m512d,
    compensation: __m512d,
}

impl Sums {
    #[inline]
    #[target_feature(enable = "avx512f")]
    pub(super) fn zero() -> Self {
        Sums {
            sum: _mm512_setzero_pd(),
            compensation: _mm512_setzero_pd(),
        }
    }

    /// Knuth's two-sum of each lane's sum and x, the error added up
    /// (`sum::two_sum`, then the compensation's addition).
    #[inline]
    #[target_feature(enable = "avx512f")]
    pub(super) fn add(&mut self, x: __m512d) {
        let t = _mm512_add_pd(self.sum, x);
        let bb = _mm512_sub_pd(t, self.sum);
        let error = _mm512_add_pd(
            _mm512_sub_pd(self.sum, _mm512_sub_pd(t, bb)),
            _mm512_sub_pd(x, bb),
        );
        self.compensation = _mm512_add_pd(self.compensation, error);
        self.sum = t;
    }

    /// `Neumaier::value` lane by lane: sum + compensation where both are
    /// finite, else the sum. In vectors: as eight scalar calls, with their
    /// branches, it was a tenth of the probability cross-entropy's row sums.
    #[inline]
    #[target_feature(enable = "avx512f")]
    pub(super) fn values(&self) -> __m512d {
        let finite = |x: __m512d| {
            let magnitude = _mm512_castsi512_pd(_mm512_and_si512(
                _mm512_castpd_si512(x),
                _mm512_set1_epi64(i64::MAX),
            ));
            _mm512_cmp_pd_mask::<_CMP_LE_OQ>(magnitude, _mm512_set1_pd(f64::MAX))
        };
        let both = finite(self.sum) & finite(self.compensation);
        _mm512_mask_add_pd(self.sum, both, self.sum, self.compensation)
    }
}

/// Adds the values of `groups` (whole groups of [`LANES`], in order) to the
/// lanes, value `k·LANES + l` into lane l, calling `before_group(k·LANES)`
/// before group k (`ChunkSum::add_slice_with`).
#[inline]
#[target_feature(enable = "avx512f")]
pub(super) fn add_groups(
    (sum, compensation): (&mut [f64; LANES], &mut [f64; LANES]),
    groups: &[f64],
    mut before_group: impl FnMut(usize),
) {
    // SAFETY: LANES = 8 doubles in each array.
    let mut lanes = unsafe {
        Sums {
            sum: _mm512_loadu_pd(sum.as_ptr()),
            compensation: _mm512_loadu_pd(compensation.as_ptr()),
        }
    };
    for (k, group) in groups.chunks_exact(LANES).enumerate() {
        before_group(k * LANES);
        // SAFETY: a group holds LANES = 8 doubles.
        lanes.add(unsafe { _mm512_loadu_pd(group.as_ptr()) });
    }
    // SAFETY: as above.
    unsafe {
        _mm512_storeu_pd(sum.as_mut_ptr(), lanes.sum);
        _mm512_storeu_pd(compensation.as_mut_ptr(), lanes.compensation);
    }
}
