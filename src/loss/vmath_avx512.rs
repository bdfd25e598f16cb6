//! [`vmath`]'s `exp` and `ln_1p_unit`, and the value loops of log-cosh
//! and binary cross-entropy from logits built on them, written with
//! AVX-512F intrinsics: eight doubles per operation, the same operations in
//! the same order as the scalar functions, so the same bits (IEEE addition,
//! multiplication and division are exact-rounded whatever the width; no
//! fused multiply-add).
//!
//! Why not leave it to the compiler, as for the other paths: compiled for
//! AVX-512 from the scalar code, (1) `exp`'s two table reads become two
//! gathers per eight values, which are slow on AMD's Zen (two in four of
//! the exponential loop's samples, `perf annotate`); here the table of 16
//! entries sits in two registers and `vpermt2pd` reads it, one instruction
//! per eight values; (2) `ln_1p_unit`'s choice between its two reductions
//! is moved by LLVM after the logarithm, so every value took two divisions
//! and two series; here the choice is made on the operands and the
//! logarithm runs once.
//!
//! Every function here needs AVX-512F: callers check that the processor
//! has it (`slices::path` returns `Isa::Avx512` only then).

use std::arch::x86_64::*;

use super::pair_formulas::{bce_logit_value, log_cosh_argument, log_cosh_of_argument, smooth};
use super::vmath::{
    self, C2, C3, C4, C5, C6, C7, COSH, EXP2_SCALE, EXP2_TAIL, EXP_TABLE_BITS, INV_LN2_16, LG1,
    LG2, LG3, LG4, LG5, LG6, LG7, LN2_HI, LN2_HI_16, LN2_LO, LN2_LO_16, NEAR_1P, SHIFT, U0, U1,
};

/// Registers a step works on: the functions below take [`U`] registers
/// of eight doubles and emit each operation for all of them one after
/// another. Why: every value is a long chain of dependent operations (the
/// exponential, then a division and the logarithm's series), and the
/// processor's schedulers fill with the waiting operations of one chain
/// before the next iteration's independent ones arrive (`perf annotate`:
/// the samples sat on the series after each division); interleaved, two
/// chains advance together.
const U: usize = 4;

/// Doubles per step.
pub(super) const STEP: usize = 8 * U;

/// [`U`] registers of eight doubles.
pub(super) type V = [__m512d; U];
type I = [__m512i; U];
type M = [__mmask8; U];

/// `f` on each register (lane i of the result from lane i of the inputs).
macro_rules! each {
    (|$($a:ident),+| $body:expr) => {
        std::array::from_fn(|i| {
            $(let $a = $a[i];)+
            $body
        })
    };
}

#[inline]
#[target_feature(enable = "avx512f")]
fn splat(x: f64) -> V {
    [_mm512_set1_pd(x); U]
}

#[inline]
#[target_feature(enable = "avx512f")]
fn splat_bits(x: u64) -> I {
    [_mm512_set1_epi64(x as i64); U]
}

#[inline]
#[target_feature(enable = "avx512f")]
fn add(a: V, b: V) -> V {
    each!(|a, b| _mm512_add_pd(a, b))
}

#[inline]
#[target_feature(enable = "avx512f")]
fn sub(a: V, b: V) -> V {
    each!(|a, b| _mm512_sub_pd(a, b))
}

#[inline]
#[target_feature(enable = "avx512f")]
fn mul(a: V, b: V) -> V {
    each!(|a, b| _mm512_mul_pd(a, b))
}

#[inline]
#[target_feature(enable = "avx512f")]
fn div(a: V, b: V) -> V {
    each!(|a, b| _mm512_div_pd(a, b))
}

/// `if m { a } else { b }`, lane by lane.
#[inline]
#[target_feature(enable = "avx512f")]
fn select(m: M, a: V, b: V) -> V {
    each!(|m, a, b| _mm512_mask_blend_pd(m, b, a))
}

/// Lanes where a < b (false for NaN, as Rust's `<`).
#[inline]
#[target_feature(enable = "avx512f")]
fn less(a: V, b: V) -> M {
    each!(|a, b| _mm512_cmp_pd_mask::<_CMP_LT_OQ>(a, b))
}

#[inline]
#[target_feature(enable = "avx512f")]
fn bits(x: V) -> I {
    each!(|x| _mm512_castpd_si512(x))
}

#[inline]
#[target_feature(enable = "avx512f")]
fn from_bits(x: I) -> V {
    each!(|x| _mm512_castsi512_pd(x))
}

/// |x| (the sign bit cleared, as `f64::abs`).
#[inline]
#[target_feature(enable = "avx512f")]
fn abs(x: V) -> V {
    let (x, mask) = (bits(x), splat_bits(i64::MAX as u64));
    from_bits(each!(|x, mask| _mm512_and_si512(x, mask)))
}

/// −x (the sign bit flipped, as Rust's `-`; 0 − x would turn −0 into +0).
#[inline]
#[target_feature(enable = "avx512f")]
fn neg(x: V) -> V {
    let (x, sign) = (bits(x), splat_bits(1 << 63));
    from_bits(each!(|x, sign| _mm512_xor_si512(x, sign)))
}

/// `if x > limit { limit } else { x }`: vminpd returns its second operand
/// when either is NaN, and its first when it is the smaller.
#[inline]
#[target_feature(enable = "avx512f")]
fn at_most(limit: f64, x: V) -> V {
    let limit = splat(limit);
    each!(|limit, x| _mm512_min_pd(limit, x))
}

/// `if x < limit { limit } else { x }` (NaN stays NaN, as [`at_most`]).
#[inline]
#[target_feature(enable = "avx512f")]
fn at_least(limit: f64, x: V) -> V {
    let limit = splat(limit);
    each!(|limit, x| _mm512_max_pd(limit, x))
}

/// `x.max(0.0)` as the compiler emits it for `f64::max` with a constant:
/// vmaxpd(x, 0), 0 where x is NaN or ±0.
#[inline]
#[target_feature(enable = "avx512f")]
fn max_zero(x: V) -> V {
    let zero = splat(0.0);
    each!(|x, zero| _mm512_max_pd(x, zero))
}

/// A 16-entry table of u64 bits in two registers.
#[inline]
#[target_feature(enable = "avx512f")]
fn table(bits: &[u64; 16]) -> (__m512i, __m512i) {
    let half = |from: usize| {
        let lane = |i: usize| bits[from + i] as i64;
        _mm512_setr_epi64(
            lane(0),
            lane(1),
            lane(2),
            lane(3),
            lane(4),
            lane(5),
            lane(6),
            lane(7),
        )
    };
    (half(0), half(8))
}

/// Entry (index mod 16) of a [`table`] for each lane: one `vpermt2q`.
#[inline]
#[target_feature(enable = "avx512f")]
fn look_up((lo, hi): (__m512i, __m512i), index: I) -> I {
    each!(|index| _mm512_permutex2var_epi64(lo, index, hi))
}

/// `vmath::exp`, the same bits: the table entries are read with
/// `vpermt2q` from the low 4 bits of 16k + j.
#[inline]
#[target_feature(enable = "avx512f")]
pub(super) fn exp(x: V) -> V {
    const _: () = assert!(EXP_TABLE_BITS == 4);
    let x = at_least(-746.0, at_most(710.0, x));
    let shifted = add(mul(x, splat(INV_LN2_16)), splat(SHIFT));
    let kj = bits(shifted);
    let kd = sub(shifted, splat(SHIFT));
    let r = sub(sub(x, mul(kd, splat(LN2_HI_16))), mul(kd, splat(LN2_LO_16)));
    let negative = less(x, splat(0.0));
    let (low_offset, high_offset) = (splat_bits(64 << 52), splat_bits(1u64.wrapping_neg() << 52));
    let offset: I = each!(|negative, high_offset, low_offset| _mm512_mask_blend_epi64(
        negative,
        high_offset,
        low_offset
    ));
    let unscale = select(
        negative,
        splat(f64::from_bits(0x3bf0_0000_0000_0000)), // 2^−64
        splat(2.0),
    );
    let scale_bits = look_up(table(&EXP2_SCALE), kj);
    let tail = from_bits(look_up(table(&EXP2_TAIL.map(f64::to_bits)), kj));
    let scale: I = each!(|scale_bits, kj, offset| _mm512_add_epi64(
        _mm512_add_epi64(scale_bits, _mm512_slli_epi64::<{ 52 - EXP_TABLE_BITS }>(kj)),
        offset
    ));
    let scale = from_bits(scale);
    // `vmath::exp_tail`.
    let r2 = mul(r, r);
    let low = mul(r2, add(splat(C2), mul(r, splat(C3))));
    let high = mul(
        mul(r2, r2),
        add(
            add(splat(C4), mul(r, splat(C5))),
            mul(r2, add(splat(C6), mul(r, splat(C7)))),
        ),
    );
    let t = add(add(add(tail, r), low), high);
    mul(add(scale, mul(scale, t)), unscale)
}

/// `vmath::log_core` (k·ln 2 + ln(1 + f) + c).
#[inline]
#[target_feature(enable = "avx512f")]
fn log_core(f: V, c: V, k: V) -> V {
    let hfsq = mul(mul(splat(0.5), f), f);
    let s = div(f, add(splat(2.0), f));
    let z = mul(s, s);
    let mut r = splat(LG7);
    for lg in [LG6, LG5, LG4, LG3, LG2, LG1] {
        r = add(splat(lg), mul(z, r));
    }
    let r = mul(z, r);
    let inner = add(mul(s, add(hfsq, r)), add(mul(k, splat(LN2_LO)), c));
    sub(mul(k, splat(LN2_HI)), sub(sub(hfsq, inner), f))
}

/// `vmath::ln_1p_unit`, the same bits: the reduction's operands chosen
/// first, one division and one series.
#[inline]
#[target_feature(enable = "avx512f")]
pub(super) fn ln_1p_unit(x: V) -> V {
    let near = less(x, splat(NEAR_1P));
    let one = splat(1.0);
    let u = add(one, x);
    let c = mul(sub(x, sub(u, one)), sub(splat(U0), mul(splat(U1), u)));
    let zero = splat(0.0);
    let f = select(near, x, sub(mul(splat(0.5), u), one));
    let c = select(near, zero, c);
    let k = select(near, zero, one);
    log_core(f, c, k)
}

/// `vmath::cosh_m1_small`.
#[inline]
#[target_feature(enable = "avx512f")]
fn cosh_m1_small(a: V) -> V {
    let t = mul(a, a);
    let mut acc = splat(COSH[9]);
    for &c in COSH[..9].iter().rev() {
        acc = add(mul(acc, t), splat(c));
    }
    mul(t, acc)
}

/// Loads [`STEP`] doubles from `x` at `i`.
///
/// # Safety
/// `i + STEP ≤ x.len()`.
#[inline]
#[target_feature(enable = "avx512f")]
unsafe fn load(x: &[f64], i: usize) -> V {
    debug_assert!(i + STEP <= x.len());
    // SAFETY: as the caller promises.
    std::array::from_fn(|r| unsafe { _mm512_loadu_pd(x.as_ptr().add(i + 8 * r)) })
}

/// Stores [`STEP`] doubles into `out` at `i`.
///
/// # Safety
/// `i + STEP ≤ out.len()`.
#[inline]
#[target_feature(enable = "avx512f")]
unsafe fn store(out: &mut [f64], i: usize, v: V) {
    debug_assert!(i + STEP <= out.len());
    for (r, v) in v.into_iter().enumerate() {
        // SAFETY: as the caller promises.
        unsafe { _mm512_storeu_pd(out.as_mut_ptr().add(i + 8 * r), v) };
    }
}

/// `out[i] = f(x[i])` step by step, the last values (fewer than a step)
/// by `scalar` (for the tests, which compare each function with its
/// scalar form).
#[cfg(test)]
#[inline]
#[target_feature(enable = "avx512f")]
pub(super) fn map(out: &mut [f64], x: &[f64], f: impl Fn(V) -> V, scalar: impl Fn(f64) -> f64) {
    let n = out.len().min(x.len());
    let whole = n - n % STEP;
    for i in (0..whole).step_by(STEP) {
        // SAFETY: i + STEP ≤ n, within both slices.
        unsafe { store(out, i, f(load(x, i))) };
    }
    for (o, &x) in out[whole..n].iter_mut().zip(&x[whole..n]) {
        *o = scalar(x);
    }
}

/// Log-cosh values of a block (`blocks::log_cosh` without derivatives):
/// `log_cosh_of_argument(|a|, log_cosh_argument(|a|, e^{−2|a|}, cosh |a| − 1))`
/// for a = ŷ − y, the same bits; the last pairs by the scalar functions.
#[target_feature(enable = "avx512f")]
pub(super) fn log_cosh_values(target: &[f64], prediction: &[f64], values: &mut [f64]) {
    let n = values.len().min(target.len()).min(prediction.len());
    let whole = n - n % STEP;
    for i in (0..whole).step_by(STEP) {
        // SAFETY: i + STEP ≤ n, within every slice.
        let (y, yhat) = unsafe { (load(target, i), load(prediction, i)) };
        let a = abs(sub(yhat, y));
        let e = exp(mul(splat(-2.0), a));
        let near = less(a, splat(1.0));
        let log_term = ln_1p_unit(select(near, cosh_m1_small(a), e));
        let far = sub(add(a, log_term), splat(std::f64::consts::LN_2));
        // SAFETY: as above.
        unsafe { store(values, i, select(near, log_term, far)) };
    }
    for i in whole..n {
        let a = (prediction[i] - target[i]).abs();
        let arg = log_cosh_argument(a, vmath::exp(-2.0 * a), vmath::cosh_m1_small(a));
        values[i] = log_cosh_of_argument(a, arg);
    }
}

/// Values of binary cross-entropy from logits of a block
/// (`blocks::bce_logit` without derivatives): `bce_logit_value(y, 1 − y,
/// z, ln_1p_unit(e^{−|z|}))` with labels smoothed by `label_smoothing`, the
/// same bits; the last pairs by the scalar functions.
#[target_feature(enable = "avx512f")]
pub(super) fn bce_logit_values(
    label_smoothing: f64,
    target: &[f64],
    logit: &[f64],
    values: &mut [f64],
) {
    let n = values.len().min(target.len()).min(logit.len());
    let whole = n - n % STEP;
    let one = splat(1.0);
    for i in (0..whole).step_by(STEP) {
        // SAFETY: i + STEP ≤ n, within every slice.
        let (y, z) = unsafe { (load(target, i), load(logit, i)) };
        // `pair_formulas::smooth`.
        let (y, ybar) = if label_smoothing == 0.0 {
            (y, sub(one, y))
        } else {
            let keep = splat(1.0 - label_smoothing);
            let half = splat(0.5 * label_smoothing);
            (add(mul(y, keep), half), add(mul(sub(one, y), keep), half))
        };
        let log_term = ln_1p_unit(exp(neg(abs(z))));
        // `pair_formulas::bce_logit_value`.
        let positive = mul(y, add(max_zero(neg(z)), log_term));
        let negative = mul(ybar, add(max_zero(z), log_term));
        // SAFETY: as above.
        unsafe { store(values, i, add(positive, negative)) };
    }
    for i in whole..n {
        let (y, ybar) = smooth(target[i], label_smoothing);
        let z = logit[i];
        values[i] = bce_logit_value(y, ybar, z, vmath::ln_1p_unit(vmath::exp(-z.abs())));
    }
}

#[path = "vmath_avx512_log.rs"]
mod log;
pub(super) use log::log_loss_terms;

#[cfg(test)]
#[path = "vmath_avx512_tests.rs"]
mod tests;
