//! The lanes of a `ChunkSum` with AVX-512F
//! intrinsics: the eight accumulators in one register each for the sums
//! and the compensations, Knuth's two-sum on all eight at once, the same
//! operations in the same order as `sum::two_sum`, so the same bits.
//!
//! Why not the compiler's vectorisation of the lane loop: inlined into the
//! elementwise kernels' AVX-512 loop, it split the eight lanes into a
//! 128-bit, a 256-bit and a 512-bit part with inserts and extracts between
//! them, a fifth of log-cosh's time (`perf annotate`).

use std::arch::x86_64::*;

/// `sum::LANES`, the accumulators of a chunk sum (here one register).
pub(super) const LANES: usize = 8;

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
    let (mut s, mut c) = unsafe {
        (
            _mm512_loadu_pd(sum.as_ptr()),
            _mm512_loadu_pd(compensation.as_ptr()),
        )
    };
    for (k, group) in groups.chunks_exact(LANES).enumerate() {
        before_group(k * LANES);
        // SAFETY: a group holds LANES = 8 doubles.
        let x = unsafe { _mm512_loadu_pd(group.as_ptr()) };
        let t = _mm512_add_pd(s, x);
        let bb = _mm512_sub_pd(t, s);
        let error = _mm512_add_pd(_mm512_sub_pd(s, _mm512_sub_pd(t, bb)), _mm512_sub_pd(x, bb));
        c = _mm512_add_pd(c, error);
        s = t;
    }
    // SAFETY: as above.
    unsafe {
        _mm512_storeu_pd(sum.as_mut_ptr(), s);
        _mm512_storeu_pd(compensation.as_mut_ptr(), c);
    }
}
