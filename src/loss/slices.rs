//! Slice kernels: an elementwise loss over one chunk of pairs, as tight
//! loops with no call, no `Result` and no allocation per element.
//!
//! A chunk is computed block by block: one loop per block computes the
//! values and the wanted derivatives and checks, without a branch, that
//! every pair is inside the domain; the values go to a buffer on the stack
//! (or to the caller's per-sample array), the derivatives straight to the
//! caller's arrays. A second loop adds the block's values to the chunk's
//! [`ChunkSum`] a group of lanes at a time and asks, on the way, for the
//! inputs a few blocks ahead ([`PREFETCH`]): without it the loops wait for
//! memory, which is their limit. A whole block's loop has a known trip
//! count (no scalar epilogue). Blocks are not moved to start on a cache
//! line of the array stored to: that helped the AVX-512 path's gradients
//! and slowed the portable path's, which is the default. The loops are generic over the kernel's
//! closures and over which outputs are wanted, so each loss gets its own
//! copy with the arithmetic inlined, which the compiler vectorises where its
//! cost model agrees (the logarithms and exponentials are those of
//! [`super::vmath`], plain arithmetic; a formula with several of them is
//! declined in one loop, so such a kernel may hand over its values a block
//! at a time, computed in several simple loops: [`Closures::values`]). The
//! numbers are those of the per-point kernel: the same operations on the
//! same inputs, summed in the same order.
//!
//! Errors are not located here: a chunk only says whether it is valid, and
//! the caller finds the first invalid element with the per-element checks.

use super::sum::{ChunkSum, Neumaier};
use super::Point;

/// Values per block: small enough for the stack and the L1 cache; a
/// multiple of [`super::LANES`].
const BLOCK: usize = 256;

/// How far ahead (in pairs) the loops ask for their inputs: 6 KiB an
/// array, three blocks ahead and past the next page, where the processor's
/// own prefetcher stops. Measured with MSE's values on 2^25 pairs (one
/// thread; a standalone copy of the loop): 256 to 1024 pairs are alike,
/// 2048 a little slower.
const PREFETCH: usize = 768;

/// Ask the processor to bring `slice[at]` into the cache (past the end of
/// the slice too, where the next chunk's inputs usually are; a no-op off
/// x86-64). Without it the loads of a streaming loop wait for memory: the
/// processor's prefetcher does not cross a page boundary, and the loop's
/// arithmetic fills the window of instructions it can run ahead.
#[inline(always)]
pub(crate) fn prefetch(slice: &[f64], at: usize) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: SSE (which has `prefetcht0`) is part of every x86-64
    // processor. A prefetch is a hint: it never faults, reads nothing into
    // the program and changes nothing in its memory, so the address
    // (computed with `wrapping_add`, never dereferenced) need not point
    // into the slice or be valid at all.
    unsafe {
        use core::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
        _mm_prefetch::<_MM_HINT_T0>(slice.as_ptr().wrapping_add(at).cast::<i8>());
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = (slice, at);
}

/// `dst.copy_from_slice(src)` with non-temporal stores where `dst` is
/// 16-byte aligned (plain stores for the one value before and after): they
/// go to memory without reading the destination's cache lines first and
/// without evicting the inputs from the caches. The same values, so the
/// same bits; [`store_fence`] must follow before another thread reads them.
#[inline(always)]
fn stream_copy(dst: &mut [f64], src: &[f64]) {
    #[cfg(target_arch = "x86_64")]
    {
        use core::arch::x86_64::{_mm_loadu_pd, _mm_stream_pd};
        // 0 or 1 for an array of f64 (`usize::MAX`, "cannot", copies plainly).
        let head = dst.as_ptr().align_offset(16).min(dst.len());
        let (dst_head, dst_rest) = dst.split_at_mut(head);
        let (src_head, src_rest) = src.split_at(head);
        dst_head.copy_from_slice(src_head);
        let mut pairs = dst_rest.chunks_exact_mut(2);
        let mut from = src_rest.chunks_exact(2);
        for (d, s) in (&mut pairs).zip(&mut from) {
            // SAFETY: SSE2 is part of every x86-64 processor; `d` starts
            // at a 16-byte boundary (the head was skipped and every piece
            // is 16 bytes long) and holds two doubles, as does `s`.
            unsafe { _mm_stream_pd(d.as_mut_ptr(), _mm_loadu_pd(s.as_ptr())) }
        }
        pairs.into_remainder().copy_from_slice(from.remainder());
    }
    #[cfg(not(target_arch = "x86_64"))]
    dst.copy_from_slice(src);
}

/// Order the non-temporal stores of [`stream_copy`] before whatever
/// follows (the chunk's result, which another thread may read first).
#[inline(always)]
fn store_fence() {
    // SAFETY: SSE (which has `sfence`) is part of every x86-64 processor.
    #[cfg(target_arch = "x86_64")]
    unsafe {
        core::arch::x86_64::_mm_sfence()
    };
}

/// One chunk of an elementwise pass (at most [`super::CHUNK`] pairs). An
/// output slice is either as long as the chunk or empty (not wanted).
pub(crate) struct ChunkTask<'a> {
    pub target: &'a [f64],
    pub prediction: &'a [f64],
    pub weights: Option<&'a [f64]>,
    /// Gradient and Hessian are divided by this (the reduction's denominator).
    pub scale: f64,
    /// Labels 0 stand for −1 (labels ±1 given as 0/1; decided for the whole target).
    pub zero_is_minus_one: bool,
    pub per_sample: &'a mut [f64],
    pub gradient: &'a mut [f64],
    pub hessian: &'a mut [f64],
    /// Write the derivatives with non-temporal stores ([`stream_copy`]):
    /// for arrays far larger than the caches ([`STREAM_STORES_FROM`]).
    pub stream_stores: bool,
}

/// Derivative arrays of at least this many values (16 MiB) are written with
/// non-temporal stores: 8 times the L2 cache of a core here, so that their
/// start has left the caches anyway by the time the pass ends. Measured
/// with MSE's value and gradient on 2^25 pairs (one thread; a standalone C
/// copy of the loop): 529 M pairs per CPU second with plain stores (whose
/// cache line is read before it is written: 32 bytes of traffic per pair),
/// 881 with non-temporal ones (24 bytes).
pub(crate) const STREAM_STORES_FROM: usize = 1 << 21;

/// What a chunk found.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ChunkOut {
    /// The chunk's (weighted) values, summed by [`ChunkSum`].
    pub sum: Neumaier,
    /// Every pair is finite and inside the domain (labels ±1 or 0/1 for signed labels).
    pub valid: bool,
    /// Some label is 0 / some label is −1 (signed labels: the two conventions must not mix).
    pub zeros: bool,
    pub minus_ones: bool,
    /// Some prediction lies where a convention's clip saturates.
    pub saturated: bool,
}

/// How a kernel is seen by the loops: its value and derivatives, its
/// domain, its labels, and where a convention's clip saturates.
pub(crate) struct Closures<P, V, B, A, S> {
    pub point: P,
    /// The value alone (the same number as `point`'s).
    pub value: V,
    /// A block of pairs at once, `values(target, prediction, values,
    /// gradient, hessian)`: the values, and the derivatives whose slices are
    /// not empty (the same numbers as `point`'s, before weights and scale),
    /// for a kernel whose arithmetic the compiler vectorises only when cut
    /// into several simple loops (see `LogCosh`); used in every mode when
    /// `block_values` is set.
    pub values: B,
    pub block_values: bool,
    pub admits: A,
    pub saturated: S,
    /// Labels must be −1 or 1 (or 0 for −1, the whole target alike).
    pub signed: bool,
    /// Labels may be relabelled (0 to −1), as the task says.
    pub relabels: bool,
}

/// Both numbers are finite: `x − x` is 0 for every finite `x` and NaN for
/// ±∞ and NaN, and NaN is equal to nothing. Two subtractions, an addition
/// and one comparison for the pair, in packed code; `is_finite` costs a mask
/// and two comparisons per number (ordered, and not infinite), which was
/// the largest part of MSE's loop.
#[inline(always)]
// `x − x` on purpose: it is not 0 for every double.
#[allow(clippy::eq_op)]
fn both_finite(y: f64, yhat: f64) -> bool {
    (y - y) + (yhat - yhat) == 0.0
}

/// Evaluate one chunk. Monomorphised per kernel (the closures) and per set
/// of outputs.
#[inline(always)]
pub(crate) fn chunk<P, V, B, A, S>(kernel: Closures<P, V, B, A, S>, task: ChunkTask<'_>) -> ChunkOut
where
    P: Fn(f64, f64) -> Point,
    V: Fn(f64, f64) -> f64,
    B: Fn(&[f64], &[f64], &mut [f64], &mut [f64], &mut [f64]),
    A: Fn(f64, f64) -> bool,
    S: Fn(f64, f64) -> bool,
{
    let per_sample = !task.per_sample.is_empty();
    let gradient = !task.gradient.is_empty();
    let hessian = !task.hessian.is_empty();
    match (task.weights.is_some(), per_sample, gradient, hessian) {
        (false, false, false, _) => {
            compute::<_, _, _, _, _, false, false, false, false>(&kernel, task)
        }
        (false, false, true, false) => {
            compute::<_, _, _, _, _, false, false, true, false>(&kernel, task)
        }
        (false, false, true, true) => {
            compute::<_, _, _, _, _, false, false, true, true>(&kernel, task)
        }
        (false, true, false, _) => {
            compute::<_, _, _, _, _, false, true, false, false>(&kernel, task)
        }
        (false, true, true, false) => {
            compute::<_, _, _, _, _, false, true, true, false>(&kernel, task)
        }
        (false, true, true, true) => {
            compute::<_, _, _, _, _, false, true, true, true>(&kernel, task)
        }
        (true, false, false, _) => {
            compute::<_, _, _, _, _, true, false, false, false>(&kernel, task)
        }
        (true, false, true, false) => {
            compute::<_, _, _, _, _, true, false, true, false>(&kernel, task)
        }
        (true, false, true, true) => {
            compute::<_, _, _, _, _, true, false, true, true>(&kernel, task)
        }
        (true, true, false, _) => compute::<_, _, _, _, _, true, true, false, false>(&kernel, task),
        (true, true, true, false) => {
            compute::<_, _, _, _, _, true, true, true, false>(&kernel, task)
        }
        (true, true, true, true) => compute::<_, _, _, _, _, true, true, true, true>(&kernel, task),
    }
}

/// The instruction sets the chunk loops are compiled for. The crate is
/// built for the baseline of its target (on x86-64: SSE2, two doubles per
/// vector); each loop is compiled again for wider vectors, which the
/// processor may run if it has them ([`Isa::chosen`]). Every copy is the same source: the
/// same operations in the same order, the same [`LANES`](super::sum::LANES)
/// accumulators, and no fused multiply-add (Rust never contracts `a * b + c`
/// and "fma" is not enabled), so every path gives the same bits, only
/// faster.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Isa {
    /// The build's own target features (any architecture).
    Portable,
    /// AVX2: four doubles per vector.
    #[cfg(target_arch = "x86_64")]
    Avx2,
    /// AVX-512F: eight doubles per vector.
    #[cfg(target_arch = "x86_64")]
    Avx512,
}

impl Isa {
    /// Every path this processor can run, narrowest first.
    pub(crate) fn available() -> Vec<Isa> {
        let mut paths = vec![Isa::Portable];
        #[cfg(target_arch = "x86_64")]
        {
            if std::arch::is_x86_feature_detected!("avx2") {
                paths.push(Isa::Avx2);
            }
            if std::arch::is_x86_feature_detected!("avx512f") {
                paths.push(Isa::Avx512);
            }
        }
        paths
    }

    /// The path's name, as `LOSSLAB_SIMD` takes it.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Isa::Portable => "portable",
            #[cfg(target_arch = "x86_64")]
            Isa::Avx2 => "avx2",
            #[cfg(target_arch = "x86_64")]
            Isa::Avx512 => "avx512",
        }
    }

    /// The widest path the processor has.
    fn widest() -> Isa {
        *Isa::available().last().unwrap_or(&Isa::Portable)
    }

    /// The path a loop of this kind takes: the one named by the environment
    /// variable `LOSSLAB_SIMD` (`portable`, `avx2`, `avx512`; all give the
    /// same bits) if the processor has it, else the one measured fastest
    /// for the kind on the development machine (`losslab bench`, every
    /// kernel and mode, 2^25 pairs, one thread, idle): the widest path for
    /// block forms (log-cosh and BCE: 1.6–3× portable on AVX-512F) and for
    /// loops that only sum (MSE, MAE, Huber, squared hinge values: 1.1–1.5×)
    /// or write their derivatives with non-temporal stores from a block on
    /// the stack (MSE's, MAE's, Huber's and squared hinge's value and
    /// gradient: 1.05–1.5×), the portable one for plain loops that store
    /// per-sample values or derivatives into the caller's arrays (MSE's
    /// and MAE's gradients ran 0.8–0.9× as fast on the wide paths: their
    /// 64-byte stores straddle cache lines of arrays that are only 16-byte
    /// aligned). Summing loops whose kernels still call
    /// the C library (MSLE, Poisson, pseudo-Huber, Keras-clipped BCE) ran
    /// 0.9–0.95× as fast on AVX-512F: the rule is per kind, not per kernel.
    pub(crate) fn chosen(kind: LoopKind) -> Isa {
        static NAMED: std::sync::OnceLock<Option<Isa>> = std::sync::OnceLock::new();
        static WIDEST: std::sync::OnceLock<Isa> = std::sync::OnceLock::new();
        let named = NAMED.get_or_init(|| {
            let name = std::env::var("LOSSLAB_SIMD").ok()?;
            Isa::available().into_iter().find(|isa| isa.name() == name)
        });
        if let Some(isa) = named {
            return *isa;
        }
        match kind {
            LoopKind::Blocks | LoopKind::Plain { stores: false } => {
                *WIDEST.get_or_init(Isa::widest)
            }
            LoopKind::Plain { stores: true } => Isa::Portable,
        }
    }
}

/// What a chunk loop does, for the choice of its path ([`Isa::chosen`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LoopKind {
    /// A kernel computed by block forms (`Closures::values`).
    Blocks,
    /// A per-pair loop; `stores` when it writes per-sample values or
    /// derivatives straight into the caller's arrays.
    Plain { stores: bool },
}

#[cfg(test)]
thread_local! {
    /// Tests run the loops of one path on this thread (a single chunk runs
    /// on the calling thread, see `reduce::elementwise`).
    pub(crate) static FORCED: std::cell::Cell<Option<Isa>> = const { std::cell::Cell::new(None) };
}

/// Whether the block loops run on the AVX-512 path, where the loops
/// written with intrinsics (`vmath_avx512`, `row_lanes_avx512`,
/// `sum_avx512`: the same
/// bits as the portable code) take over from the compiler's vectorisation.
#[inline(always)]
pub(crate) fn on_avx512() -> bool {
    #[cfg(target_arch = "x86_64")]
    return path(LoopKind::Blocks) == Isa::Avx512;
    #[cfg(not(target_arch = "x86_64"))]
    false
}

/// The path a chunk loop of this kind takes.
#[inline]
pub(crate) fn path(kind: LoopKind) -> Isa {
    #[cfg(test)]
    if let Some(isa) = FORCED.with(std::cell::Cell::get) {
        return isa;
    }
    Isa::chosen(kind)
}

/// `chunk` on the chosen path: `chunk` (a closure that builds the kernel's
/// closures and runs [`chunk`]) is inlined into a function compiled with
/// the path's target features, and so is everything it calls with its
/// inline hints: the loops, the kernel's arithmetic, the reduction. The
/// kernel must be built inside, so that its constants (its labels, which
/// outputs are wanted) are known where the loop is compiled: a function
/// with target features is never inlined into its caller, and a flag that
/// comes in at run time keeps the loop from being vectorised.
#[inline(always)]
pub(crate) fn on_path<T>(kind: LoopKind, chunk: impl FnOnce() -> T) -> T {
    match path(kind) {
        Isa::Portable => chunk(),
        // SAFETY: `Isa::available` lists a path only if the processor has
        // its features.
        #[cfg(target_arch = "x86_64")]
        Isa::Avx2 => unsafe { wide::avx2(chunk) },
        #[cfg(target_arch = "x86_64")]
        Isa::Avx512 => unsafe { wide::avx512(chunk) },
    }
}

/// The wide paths of [`on_path`].
#[cfg(target_arch = "x86_64")]
mod wide {
    /// # Safety
    /// The processor must have AVX2.
    #[target_feature(enable = "avx2")]
    pub(super) unsafe fn avx2<T>(chunk: impl FnOnce() -> T) -> T {
        chunk()
    }

    /// # Safety
    /// The processor must have AVX-512F.
    #[target_feature(enable = "avx512f")]
    pub(super) unsafe fn avx512<T>(chunk: impl FnOnce() -> T) -> T {
        chunk()
    }
}

/// The value (and the wanted derivatives) of every pair of the chunk, the
/// values' [`ChunkSum`], and the check of every pair (a Hessian only comes
/// with the gradient). A zero weight removes its sample, even where the
/// loss is infinite. The outputs a mode does not want are empty and unused
/// (the unused combinations of flags are never instantiated).
#[inline(always)]
fn compute<
    P,
    V,
    B,
    A,
    S,
    const WEIGHTED: bool,
    const PER_SAMPLE: bool,
    const GRADIENT: bool,
    const HESSIAN: bool,
>(
    kernel: &Closures<P, V, B, A, S>,
    task: ChunkTask<'_>,
) -> ChunkOut
where
    P: Fn(f64, f64) -> Point,
    V: Fn(f64, f64) -> f64,
    B: Fn(&[f64], &[f64], &mut [f64], &mut [f64], &mut [f64]),
    A: Fn(f64, f64) -> bool,
    S: Fn(f64, f64) -> bool,
{
    let ChunkTask {
        target,
        prediction,
        weights,
        scale,
        zero_is_minus_one,
        per_sample,
        gradient,
        hessian,
        stream_stores,
    } = task;
    let mut state = State {
        sum: ChunkSum::new(),
        valid: true,
        zeros: false,
        minus_ones: false,
        saturated: false,
    };
    let relabel = kernel.relabels & zero_is_minus_one;
    let avx512 = on_avx512();
    let mut buffer = Aligned([0.0; BLOCK]);
    let buffer = &mut buffer.0;
    // The derivatives of a block, when they go out with non-temporal stores.
    let (mut gradient_block, mut hessian_block) = (Aligned([0.0; BLOCK]), Aligned([0.0; BLOCK]));
    let stream = GRADIENT && stream_stores;
    let n = target.len().min(prediction.len());
    let mut start = 0;
    while start < n {
        let end = (start + BLOCK).min(n);
        let len = end - start;
        let w = match weights {
            Some(w) if WEIGHTED => &w[start..end],
            _ => &[],
        };
        let values: &mut [f64] = if PER_SAMPLE {
            &mut per_sample[start..end]
        } else {
            &mut buffer[..len]
        };
        let g: &mut [f64] = match (GRADIENT, stream) {
            (false, _) => &mut [],
            (true, false) => &mut gradient[start..end],
            (true, true) => &mut gradient_block.0[..len],
        };
        let h: &mut [f64] = match (HESSIAN, stream) {
            (false, _) => &mut [],
            (true, false) => &mut hessian[start..end],
            (true, true) => &mut hessian_block.0[..len],
        };
        let block = Block {
            target: &target[start..end],
            prediction: &prediction[start..end],
            weights: w,
            values,
            gradient: g,
            hessian: h,
        };
        // A whole block is a copy of the loop whose trip count is known, so
        // that no scalar epilogue is left for the last pairs of each block.
        if len == BLOCK {
            block_loop::<_, _, _, _, _, WEIGHTED, PER_SAMPLE, GRADIENT, HESSIAN, BLOCK>(
                kernel, block, scale, relabel, &mut state,
            );
        } else {
            block_loop::<_, _, _, _, _, WEIGHTED, PER_SAMPLE, GRADIENT, HESSIAN, 0>(
                kernel, block, scale, relabel, &mut state,
            );
        }
        if stream {
            stream_copy(&mut gradient[start..end], &gradient_block.0[..len]);
            if HESSIAN {
                stream_copy(&mut hessian[start..end], &hessian_block.0[..len]);
            }
        }
        // The block's values into the sum, asking for the inputs
        // `PREFETCH` pairs ahead: one cache line of each array per group of
        // `LANES` values, so that the requests are spread over the loop (a
        // burst of them at the start of a block waits for the processor's
        // few line-fill buffers).
        let values: &[f64] = if PER_SAMPLE {
            &per_sample[start..end]
        } else {
            &buffer[..len]
        };
        state.sum.add_slice_with(values, avx512, |offset| {
            let ahead = start + offset + PREFETCH;
            prefetch(target, ahead);
            prefetch(prediction, ahead);
            if let (true, Some(w)) = (WEIGHTED, weights) {
                prefetch(w, ahead);
            }
        });
        start = end;
    }
    if stream {
        store_fence();
    }
    let State {
        sum,
        valid,
        zeros,
        minus_ones,
        saturated,
    } = state;
    ChunkOut {
        sum: sum.total(),
        valid,
        zeros,
        minus_ones,
        saturated,
    }
}

/// A block's values, on cache lines of their own.
#[repr(align(64))]
struct Aligned([f64; BLOCK]);

/// What a chunk has found so far.
struct State {
    sum: ChunkSum,
    valid: bool,
    zeros: bool,
    minus_ones: bool,
    saturated: bool,
}

/// One block of a chunk: its inputs and outputs, all as long as the block
/// (the outputs a mode does not want are empty, except `values`, which is
/// the caller's per-sample array or a buffer).
struct Block<'a> {
    target: &'a [f64],
    prediction: &'a [f64],
    weights: &'a [f64],
    values: &'a mut [f64],
    gradient: &'a mut [f64],
    hessian: &'a mut [f64],
}

/// The values and wanted derivatives of a block, and its checks: one loop
/// the compiler vectorises. `LEN` is the block's length when it is known
/// (0 otherwise): the loop then has a constant trip count.
#[inline(always)]
fn block_loop<
    P,
    V,
    B,
    A,
    S,
    const WEIGHTED: bool,
    const PER_SAMPLE: bool,
    const GRADIENT: bool,
    const HESSIAN: bool,
    const LEN: usize,
>(
    kernel: &Closures<P, V, B, A, S>,
    block: Block<'_>,
    scale: f64,
    relabel: bool,
    state: &mut State,
) where
    P: Fn(f64, f64) -> Point,
    V: Fn(f64, f64) -> f64,
    B: Fn(&[f64], &[f64], &mut [f64], &mut [f64], &mut [f64]),
    A: Fn(f64, f64) -> bool,
    S: Fn(f64, f64) -> bool,
{
    let Block {
        target,
        prediction,
        weights,
        values,
        gradient,
        hessian,
    } = block;
    let len = if LEN > 0 { LEN } else { values.len() };
    let (t, p, values) = (&target[..len], &prediction[..len], &mut values[..len]);
    let w = if WEIGHTED { &weights[..len] } else { weights };
    let g = if GRADIENT {
        &mut gradient[..len]
    } else {
        gradient
    };
    let h = if HESSIAN {
        &mut hessian[..len]
    } else {
        hessian
    };
    let (mut valid, mut saturated) = (true, false);
    let (mut label_bits_and, mut minus_bits) = (u64::MAX, 0u64);
    // The flags in locals: read through `kernel` inside the loop, they are
    // loaded again for every pair (the stores to the outputs might alias
    // them, as far as the compiler knows), and the branch on them keeps
    // the loop scalar.
    let (signed, block_values) = (kernel.signed, kernel.block_values);
    // Labels are never relabelled here: `block_values` is for kernels
    // that take their targets as given.
    if block_values {
        (kernel.values)(t, p, values, g, h);
    }
    for (j, value) in values.iter_mut().enumerate() {
        let (y, yhat) = (t[j], p[j]);
        valid &= both_finite(y, yhat) & (kernel.admits)(y, yhat);
        if signed {
            // y ∈ {−1, 0, 1}: for a finite y, y·y = |y| holds exactly for
            // these and no other. Which labels there are, from their bits
            // (valid labels only; an invalid chunk is not used): bit 61 is
            // set in ±1 and clear in ±0, bit 63 is the sign. Integer ANDs
            // and ORs where three comparisons and four mask operations per
            // vector ran out of mask registers (spilled to the stack on
            // AVX-512).
            valid &= y * y == y.abs();
            let bits = y.to_bits();
            label_bits_and &= bits;
            minus_bits |= bits & (bits << 2);
        }
        // Where a convention's clip saturates, at the label as given.
        saturated |= (kernel.saturated)(y, yhat);
        let y = if relabel & (y == 0.0) { -1.0 } else { y };
        let pt = if block_values {
            Point {
                value: *value,
                gradient: if GRADIENT { g[j] } else { 0.0 },
                hessian: if HESSIAN { h[j] } else { 0.0 },
            }
        } else if GRADIENT {
            (kernel.point)(y, yhat)
        } else {
            Point {
                value: (kernel.value)(y, yhat),
                gradient: 0.0,
                hessian: 0.0,
            }
        };
        let pt = if WEIGHTED {
            let w = w[j];
            if w != 0.0 {
                Point {
                    value: pt.value * w,
                    gradient: pt.gradient * w,
                    hessian: pt.hessian * w,
                }
            } else {
                Point {
                    value: 0.0,
                    gradient: 0.0,
                    hessian: 0.0,
                }
            }
        } else {
            pt
        };
        *value = pt.value;
        if GRADIENT {
            g[j] = pt.gradient / scale;
        }
        if HESSIAN {
            h[j] = pt.hessian / scale;
        }
    }
    state.valid &= valid;
    if signed {
        // A zero (±0) lacks bit 61; a −1 has bit 61 and the sign.
        state.zeros |= label_bits_and & (1 << 61) == 0;
        state.minus_ones |= minus_bits >> 63 == 1;
    }
    state.saturated |= saturated;
}

#[cfg(test)]
mod tests {
    use super::{both_finite, Isa, LoopKind};

    #[test]
    fn each_kind_of_loop_takes_its_measured_path() {
        if std::env::var_os("LOSSLAB_SIMD").is_some() {
            return; // a path named by the user overrides the rule
        }
        let widest = *Isa::available().last().expect("portable is always there");
        assert_eq!(Isa::chosen(LoopKind::Blocks), widest);
        assert_eq!(Isa::chosen(LoopKind::Plain { stores: false }), widest);
        assert_eq!(Isa::chosen(LoopKind::Plain { stores: true }), Isa::Portable);
    }

    #[test]
    fn both_finite_is_is_finite_of_both() {
        let values = [
            0.0,
            -0.0,
            5e-324,
            -5e-324,
            f64::MIN_POSITIVE,
            1.0,
            -3.5,
            f64::MAX,
            f64::MIN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NAN,
            -f64::NAN,
        ];
        for &y in &values {
            for &yhat in &values {
                let expected = y.is_finite() && yhat.is_finite();
                assert_eq!(both_finite(y, yhat), expected, "{y} {yhat}");
            }
        }
    }
}
