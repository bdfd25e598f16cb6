//! Compensated summation: Neumaier's improved Kahan–Babuška algorithm, run
//! over fixed-size chunks so that a parallel sum has the same bits whatever
//! the number of threads.
//!
//! ```
//! use losslab::loss::accurate_sum;
//! let mut values = vec![1e-8; 100_000];
//! values.insert(0, 1e8);
//! // numpy's pairwise sum and a naive loop both lose the tiny values' digits.
//! assert!((accurate_sum(&values) - 100_000_000.001).abs() < 1e-13 * 1e8);
//! ```

use rayon::prelude::*;

/// Elements per chunk of a parallel pass. Fixed (not derived from the thread
/// count) so that the partial sums, and hence the result, are deterministic.
pub const CHUNK: usize = 4096;

/// A running compensated sum (Neumaier 1974, "Rundungsfehleranalyse einiger
/// Verfahren zur Summation endlicher Summen", ZAMM 54).
///
/// The bits each addition loses are recovered exactly with Knuth's two-sum,
/// which needs no comparison of magnitudes (Neumaier's own form takes the
/// larger one first; both give the exact error, so the same compensation),
/// and so no branch: several accumulators side by side become vector code.
///
/// The error is bounded by about `eps·|Σx| + n·eps²·Σ|x|`, independent of
/// `n` to first order, where a naive loop has `n·eps·Σ|x|`.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Neumaier {
    /// The running sum: the plain (naive) sum, rounded at every step.
    sum: f64,
    /// The bits the rounded sum lost, added up.
    compensation: f64,
}

impl Neumaier {
    pub fn new() -> Self {
        Self::default()
    }

    #[inline(always)]
    pub fn add(&mut self, x: f64) {
        let (t, error) = two_sum(self.sum, x);
        self.compensation += error;
        self.sum = t;
    }

    /// Merge another partial sum into this one (used in a fixed order).
    pub fn merge(&mut self, other: &Neumaier) {
        self.add(other.sum);
        self.compensation += other.compensation;
    }

    /// The running sum and its compensation, for shipping a partial sum
    /// between processes ([`Neumaier::from_parts`] takes them back).
    pub fn parts(&self) -> (f64, f64) {
        (self.sum, self.compensation)
    }

    pub fn from_parts(sum: f64, compensation: f64) -> Self {
        Neumaier { sum, compensation }
    }

    pub fn value(&self) -> f64 {
        // `&`, not `&&`: a select rather than branches, so that lanes of
        // sums finished side by side (`row_lanes::LaneSums`) vectorise.
        if self.sum.is_finite() & self.compensation.is_finite() {
            self.sum + self.compensation
        } else {
            // With an infinite term (or an overflow) the compensation
            // becomes `inf - inf = NaN`; the plain sum is then the answer.
            self.sum
        }
    }
}

/// Compensated sum of values produced one by one, sequentially: for short
/// sums computed many times, where waking threads would cost more than adding.
pub fn compensated_sum(values: impl IntoIterator<Item = f64>) -> f64 {
    let mut acc = Neumaier::new();
    for x in values {
        acc.add(x);
    }
    acc.value()
}

/// Accumulators of a [`ChunkSum`]: the value at position `j` of a chunk goes
/// to accumulator `j % LANES`. Independent accumulators break the chain of
/// dependent additions (one add's latency per element) and fill vector
/// registers; the count is fixed, so the result is too.
pub const LANES: usize = 8;

// The intrinsics hold the lanes in one register of eight doubles.
#[cfg(target_arch = "x86_64")]
const _: () = assert!(LANES == super::sum_avx512::LANES);

/// The compensated sum of one chunk of [`CHUNK`] consecutive values (fewer
/// for the last chunk), counted from the start of the data: [`LANES`]
/// Neumaier accumulators, value `j` of the chunk into accumulator
/// `j % LANES`, merged in lane order by [`ChunkSum::total`].
///
/// This is the one reduction of the crate: every evaluation (in memory, in
/// parallel, or streamed in batches) sums its per-sample values and weights
/// chunk by chunk with it and merges the chunk totals in chunk order with
/// [`Neumaier::merge`], so every path gives the same bits. A chunk may be
/// fed in pieces ([`ChunkSum::add_slice`] remembers the position), so a
/// batch boundary inside a chunk changes nothing.
///
/// ```
/// use losslab::loss::{accurate_sum, ChunkSum, Neumaier, CHUNK};
/// let values: Vec<f64> = (0..10_000).map(|i| 1.0 / (1.0 + i as f64)).collect();
/// // By hand, as a stream would: one ChunkSum per chunk, fed in two pieces.
/// let mut total = Neumaier::new();
/// for chunk in values.chunks(CHUNK) {
///     let mut sum = ChunkSum::new();
///     let (a, b) = chunk.split_at(chunk.len() / 3);
///     sum.add_slice(a);
///     sum.add_slice(b);
///     total.merge(&sum.total());
/// }
/// assert_eq!(total.value(), accurate_sum(&values));
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct ChunkSum {
    // The accumulators' fields side by side (not one struct per lane), so
    // that one vector instruction serves every lane.
    sum: [f64; LANES],
    compensation: [f64; LANES],
    /// Values added so far (position of the next one in the chunk).
    position: usize,
}

impl ChunkSum {
    pub fn new() -> Self {
        Self::default()
    }

    /// Add `x` to accumulator `lane`: [`Neumaier::add`], field by field.
    #[inline(always)]
    fn add_to(&mut self, lane: usize, x: f64) {
        let (t, error) = two_sum(self.sum[lane], x);
        self.compensation[lane] += error;
        self.sum[lane] = t;
    }

    /// Add the next value of the chunk.
    #[inline]
    pub fn add(&mut self, x: f64) {
        self.add_to(self.position % LANES, x);
        self.position += 1;
    }

    /// Add the next values of the chunk, in order. Always inlined, so that
    /// a slice kernel compiled for wider vectors sums with them too.
    #[inline(always)]
    pub fn add_slice(&mut self, values: &[f64]) {
        self.add_slice_with(values, false, |_| {});
    }

    /// [`ChunkSum::add_slice`], calling `before_group(offset)` before the
    /// values `offset..offset + LANES` are added to the lanes at once (a
    /// slice kernel asks for its next inputs there, spread over the loop);
    /// with AVX-512 intrinsics if `avx512` (the caller runs on that path:
    /// `slices::on_avx512`), the same bits.
    #[inline(always)]
    pub(crate) fn add_slice_with(
        &mut self,
        values: &[f64],
        avx512: bool,
        mut before_group: impl FnMut(usize),
    ) {
        let misaligned = (LANES - self.position % LANES) % LANES;
        let (head, rest) = values.split_at(misaligned.min(values.len()));
        head.iter().for_each(|&x| self.add(x));
        let whole = rest.len() - rest.len() % LANES;
        let (groups, tail) = rest.split_at(whole);
        let before_group = |offset: usize| before_group(head.len() + offset);
        #[cfg(target_arch = "x86_64")]
        if avx512 {
            // SAFETY: on the AVX-512 path the processor has AVX-512F.
            unsafe {
                super::sum_avx512::add_groups(
                    (&mut self.sum, &mut self.compensation),
                    groups,
                    before_group,
                )
            };
        } else {
            self.add_groups(groups, before_group);
        }
        #[cfg(not(target_arch = "x86_64"))]
        {
            let _ = avx512;
            self.add_groups(groups, before_group);
        }
        self.position += whole;
        tail.iter().for_each(|&x| self.add(x));
    }

    /// The lanes' part of [`ChunkSum::add_slice_with`] (whole groups).
    #[inline(always)]
    fn add_groups(&mut self, groups: &[f64], mut before_group: impl FnMut(usize)) {
        // The lanes as local arrays, indexed by constants only, so that
        // they stay in vector registers through the loop.
        let (mut sum, mut compensation) = (self.sum, self.compensation);
        for (k, group) in groups.chunks_exact(LANES).enumerate() {
            before_group(k * LANES);
            for (lane, &x) in group.iter().enumerate() {
                let (t, error) = two_sum(sum[lane], x);
                compensation[lane] += error;
                sum[lane] = t;
            }
        }
        (self.sum, self.compensation) = (sum, compensation);
    }

    /// A new chunk's sum after `n` values of 1: `add_slice(&[1.0; n])` on
    /// [`ChunkSum::new`], the same bits, without the values. Each lane holds
    /// its count, and every addition of it was exact (integers below
    /// 2^53), so the compensation is +0. For a row pass's denominator,
    /// where every row of a chunk counts once.
    pub(crate) fn of_ones(n: usize) -> Self {
        ChunkSum {
            sum: std::array::from_fn(|lane| (n / LANES + usize::from(lane < n % LANES)) as f64),
            compensation: [0.0; LANES],
            position: n,
        }
    }

    /// The chunk's sum: the accumulators merged in lane order.
    pub fn total(&self) -> Neumaier {
        let lane = |k: usize| Neumaier {
            sum: self.sum[k],
            compensation: self.compensation[k],
        };
        let mut total = lane(0);
        for k in 1..LANES {
            total.merge(&lane(k));
        }
        total
    }
}

/// [`ChunkSum`] of each chunk of `values`, merged in chunk order.
pub(crate) fn merge_chunks(totals: impl IntoIterator<Item = Neumaier>) -> Neumaier {
    let mut total = Neumaier::new();
    for t in totals {
        total.merge(&t);
    }
    total
}

fn chunk_total(chunk: &[f64]) -> Neumaier {
    let mut sum = ChunkSum::new();
    sum.add_slice(chunk);
    sum.total()
}

/// The crate's reduction of a whole array: [`ChunkSum`] per chunk (in
/// parallel), merged in chunk order; the result does not depend on the
/// thread count.
pub(crate) fn chunked_sum(values: &[f64]) -> Neumaier {
    if values.len() <= CHUNK {
        // One chunk: the same bits, without the thread pool.
        return chunk_total(values);
    }
    let totals: Vec<Neumaier> = values.par_chunks(CHUNK).map(chunk_total).collect();
    merge_chunks(totals)
}

/// Sum with error compensation, in parallel over fixed chunks: the value of
/// [`chunked_sum`].
pub(crate) fn parallel_sum(values: &[f64]) -> f64 {
    chunked_sum(values).value()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_large_and_many_tiny() {
        let mut v = vec![1e-8; 100_000];
        v.insert(0, 1e8);
        let s = parallel_sum(&v);
        assert!((s - 100_000_000.001).abs() <= 1e-13 * 1e8, "{s}");
        // and with the large value last
        v.rotate_left(1);
        assert!((parallel_sum(&v) - 100_000_000.001).abs() <= 1e-13 * 1e8);
    }

    #[test]
    fn cancellation_is_exact() {
        assert_eq!(compensated_sum([1.0, 1e100, 1.0, -1e100]), 2.0);
    }

    #[test]
    fn infinities_do_not_become_nan() {
        assert_eq!(compensated_sum([1.0, f64::INFINITY, 2.0]), f64::INFINITY);
        assert!(compensated_sum([f64::INFINITY, f64::NEG_INFINITY]).is_nan());
        assert_eq!(parallel_sum(&[]), 0.0);
        let mut v = vec![1.0; 10_000];
        v[5000] = f64::INFINITY;
        assert_eq!(parallel_sum(&v), f64::INFINITY);
    }

    /// The branch-free two-sum gives Neumaier's own compensation (larger
    /// magnitude first), bit for bit, whatever the magnitudes.
    #[test]
    fn two_sum_compensation_is_neumaiers() {
        let (mut sum, mut compensation) = (0.0f64, 0.0f64);
        let mut acc = Neumaier::new();
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        for i in 0..20_000i32 {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1);
            let mantissa = (state >> 11) as f64 / (1u64 << 53) as f64 - 0.5;
            let x = mantissa * 2f64.powi(i % 97 - 48);
            let t = sum + x;
            compensation += if sum.abs() >= x.abs() {
                (sum - t) + x
            } else {
                (x - t) + sum
            };
            sum = t;
            acc.add(x);
            assert_eq!((acc.sum, acc.compensation), (sum, compensation), "{i}");
        }
    }

    /// One value at a time or a slice at once: the same lanes, the same bits.
    #[test]
    fn add_and_add_slice_agree() {
        let values: Vec<f64> = (0..1000).map(|i| (i as f64).sqrt() - 15.0).collect();
        let mut one_by_one = ChunkSum::new();
        values.iter().for_each(|&x| one_by_one.add(x));
        assert_eq!(one_by_one.total(), chunk_total(&values));
    }

    /// `add_slice_with` calls its hook once before each whole group, at
    /// the group's offset, whatever the chunk's position.
    #[test]
    fn add_slice_with_calls_before_each_group() {
        let values: Vec<f64> = (0..40).map(f64::from).collect();
        for (position, expected) in [(0, vec![0, 8, 16, 24, 32]), (3, vec![5, 13, 21, 29])] {
            let mut sum = ChunkSum::new();
            sum.add_slice(&values[..position]);
            let mut offsets = Vec::new();
            sum.add_slice_with(&values[position..], false, |offset| offsets.push(offset));
            assert_eq!(offsets, expected, "position {position}");
            let mut plain = ChunkSum::new();
            plain.add_slice(&values);
            assert_eq!(sum, plain);
        }
    }

    /// The lanes give the same bits with the AVX-512 intrinsics as without:
    /// values of every magnitude and sign, −0, subnormals and, in a second
    /// sum, ±∞ (whose compensation is NaN, which `value` leaves out), fed
    /// from every position in pieces of every length.
    #[test]
    fn lanes_are_the_same_bits_with_intrinsics() {
        #[cfg(target_arch = "x86_64")]
        if !std::arch::is_x86_feature_detected!("avx512f") {
            return;
        }
        let mut values: Vec<f64> = (0..CHUNK)
            .map(|i| (i as f64 * 0.37).sin() * 10f64.powi((i % 41) as i32 - 20))
            .collect();
        values[5] = -0.0;
        values[77] = 5e-324;
        let mut infinite = values.clone();
        (infinite[100], infinite[1000]) = (f64::INFINITY, -1.5e308);
        // Lane states the same to the bit (a NaN compensation, after an
        // infinity, stays NaN: which NaN is not specified).
        let same = |a: &ChunkSum, b: &ChunkSum| {
            let bits = |x: f64| if x.is_nan() { u64::MAX } else { x.to_bits() };
            a.sum.map(bits) == b.sum.map(bits)
                && a.compensation.map(bits) == b.compensation.map(bits)
                && a.position == b.position
        };
        for values in [&values, &infinite] {
            let mut one_by_one = ChunkSum::new();
            values.iter().for_each(|&x| one_by_one.add(x));
            for piece in [1, 7, 8, 13, 256, CHUNK] {
                let (mut wide, mut portable) = (ChunkSum::new(), ChunkSum::new());
                let (mut calls, mut portable_calls) = (Vec::new(), Vec::new());
                for p in values.chunks(piece) {
                    wide.add_slice_with(p, true, |at| calls.push(at));
                    portable.add_slice_with(p, false, |at| portable_calls.push(at));
                }
                assert!(same(&wide, &one_by_one), "pieces of {piece}");
                assert!(same(&portable, &one_by_one), "pieces of {piece}");
                assert_eq!(calls, portable_calls, "pieces of {piece}");
                assert!(piece < LANES || !calls.is_empty());
            }
        }
    }

    /// A chunk of ones built from its count is the chunk summed one by one,
    /// to the bit (the compensation's sign too), then fed further.
    #[test]
    fn ones_are_counted_as_added() {
        for n in (0..40).chain([CHUNK - 1, CHUNK]) {
            let mut added = ChunkSum::new();
            added.add_slice(&vec![1.0; n]);
            let built = ChunkSum::of_ones(n);
            assert_eq!(built, added, "{n}");
            let bits = |c: &ChunkSum| c.compensation.map(f64::to_bits);
            assert_eq!(bits(&built), bits(&added), "{n}");
            let (mut a, mut b) = (built, added);
            a.add_slice(&[0.25, 1e-17, 3.0]);
            b.add_slice(&[0.25, 1e-17, 3.0]);
            assert_eq!(a.total().parts(), b.total().parts(), "{n}");
        }
    }

    /// Lanes, pieces and chunks: any split of a chunk into pieces gives the
    /// same bits, and the lanes keep the compensation of the sequential sum.
    #[test]
    fn chunk_sums_in_pieces_are_the_same_bits() {
        let values: Vec<f64> = (0..CHUNK)
            .map(|i| (i as f64 * 0.37).sin() * 10f64.powi((i % 31) as i32 - 15))
            .collect();
        let whole = chunk_total(&values);
        for cut in [0, 1, 2, 3, 5, 1000, CHUNK - 1] {
            let mut sum = ChunkSum::new();
            let (a, b) = values.split_at(cut);
            for piece in a.chunks(7) {
                sum.add_slice(piece);
            }
            sum.add_slice(b);
            assert_eq!(sum.total(), whole, "cut at {cut}");
        }
        let sequential = compensated_sum(values.iter().copied());
        assert!((whole.value() - sequential).abs() <= 1e-15 * sequential.abs());
        assert_eq!(compensated_sum([1.0, 1e100, 1.0, -1e100]), 2.0);
        assert_eq!(chunk_total(&[1.0, 1e100, 1.0, -1e100, 1.0]).value(), 3.0);
    }
}

/// A double-double number hi + lo (about 106 bits), for the few quantities
/// whose difference cancels most of their digits (cosine's gradient).
/// Dekker (1971), "A floating-point technique for extending the available precision".
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct DoubleDouble {
    pub hi: f64,
    pub lo: f64,
}

/// s + e = a + b exactly (Knuth's two-sum).
#[inline(always)]
pub(crate) fn two_sum(a: f64, b: f64) -> (f64, f64) {
    let s = a + b;
    let bb = s - a;
    (s, (a - (s - bb)) + (b - bb))
}

/// p + e = a·b exactly (fused multiply-add).
fn two_product(a: f64, b: f64) -> (f64, f64) {
    let p = a * b;
    (p, a.mul_add(b, -p))
}

impl DoubleDouble {
    fn normalised(hi: f64, lo: f64) -> Self {
        let (hi, lo) = two_sum(hi, lo);
        DoubleDouble { hi, lo }
    }

    pub fn add(self, other: DoubleDouble) -> Self {
        let (s, e) = two_sum(self.hi, other.hi);
        DoubleDouble::normalised(s, e + self.lo + other.lo)
    }

    /// self + a·b with the product taken exactly.
    pub(crate) fn add_product(self, a: f64, b: f64) -> Self {
        let (p, e) = two_product(a, b);
        self.add(DoubleDouble { hi: p, lo: e })
    }

    pub(crate) fn times(self, x: f64) -> Self {
        let (p, e) = two_product(self.hi, x);
        DoubleDouble::normalised(p, e + self.lo * x)
    }

    pub(crate) fn neg(self) -> Self {
        DoubleDouble {
            hi: -self.hi,
            lo: -self.lo,
        }
    }

    pub fn value(self) -> f64 {
        self.hi + self.lo
    }
}

#[cfg(test)]
mod double_double_tests {
    use super::DoubleDouble;

    #[test]
    fn keeps_what_doubles_lose() {
        // (1 + 2^-30)·(1 − 2^-30) − 1 = −2^-60: rounds away in f64, kept here.
        let t = 2f64.powi(-30);
        let x = DoubleDouble::default().add_product(1.0 + t, 1.0 - t);
        let x = x.add(DoubleDouble { hi: -1.0, lo: 0.0 });
        assert_eq!(x.value(), -(t * t));
    }
}
