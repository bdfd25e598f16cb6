//! Elementary functions for the loss kernels: `exp`, `ln`, `ln_1p` (each
//! within 1 ulp of the exact value; `ln_1p_unit`, the same for arguments in
//! [0, 1], cheaper), and `cosh(a) − 1`, `sinh` and `tanh`
//! built on them (a few ulps), written so that a loop over a slice becomes
//! vector code.
//!
//! The C library's `exp` and `log` are calls the compiler cannot inline,
//! one element at a time; these are plain arithmetic with no branch: the
//! argument is reduced with integer operations on the bits (exponent and
//! mantissa taken apart with shifts and masks, powers of two built the
//! same way), a fixed polynomial does the rest, and special inputs (0,
//! subnormals, ±∞, NaN, overflow and underflow) are chosen with selects
//! after the main path. Inlined into a slice loop, they vectorise like an
//! addition does (`exp`'s two reads of a table of 16 entries become
//! gathers; `vmath_avx512` reads them with permutes instead).
//!
//! The logarithms' algorithms and coefficients are fdlibm's (Sun
//! Microsystems, 1993: `e_log.c`, `s_log1p.c`, whose error is below 1 ulp),
//! with fdlibm's branches turned into selects; `exp` is the table-driven
//! one of ARM's optimized-routines (as in glibc and musl), without
//! division. No fused multiply-add is used, and the compiler never
//! contracts `a * b + c` into one: every machine computes the same bits,
//! whatever its vector width.
//!
//! ```
//! use losslab::loss::vmath;
//! assert_eq!(vmath::exp(0.0), 1.0);
//! assert_eq!(vmath::ln(1.0), 0.0);
//! assert_eq!(vmath::ln(0.0), f64::NEG_INFINITY);
//! assert_eq!(vmath::ln_1p(-1.0), f64::NEG_INFINITY);
//! assert_eq!(vmath::exp(1000.0), f64::INFINITY);
//! assert!(vmath::ln(-1.0).is_nan());
//! assert!((vmath::exp(1.0) - std::f64::consts::E).abs() <= f64::EPSILON * 2.0);
//! ```

// fdlibm's constants are kept digit for digit as published (they parse to
// the doubles fdlibm uses), more digits than a double holds.
#![allow(clippy::excessive_precision)]

/// 1.5·2^52: adding and subtracting it rounds a double below 2^51 in
/// magnitude to the nearest integer, whose value then sits in the low bits.
pub(super) const SHIFT: f64 = 6_755_399_441_055_744.0;
/// ln 2 split in two: the high part has 21 trailing zero bits, so k·LN2_HI
/// is exact for every |k| < 2^21.
pub(super) const LN2_HI: f64 = 6.931_471_803_691_238_164_90e-01;
pub(super) const LN2_LO: f64 = 1.908_214_929_270_587_700_02e-10;

// exp: e^x = 2^k · 2^(j/16) · e^r with x = (16k + j)·ln 2/16 + r,
// |r| ≤ ln 2/32; e^r − 1 − r by its Taylor polynomial r²(1/2 + r/6 +
// r²/24 + … + r⁵/5040), whose next term r⁸/40320 is below 2^−59.5 there.
mod exp_table {
    include!("vmath_exp_table.rs");
}
pub(super) use exp_table::{EXP2_SCALE, EXP2_TAIL};
/// Entries of `exp`'s table: j takes the low 4 bits of 16k + j.
pub(super) const EXP_TABLE_BITS: u32 = 4;
/// 16/ln 2.
pub(super) const INV_LN2_16: f64 = std::f64::consts::LOG2_E * 16.0;
/// ln 2/16 split as LN2_HI and LN2_LO are (exact scalings by 2^−4):
/// k·LN2_HI_16 is exact for every |k| < 2^21.
pub(super) const LN2_HI_16: f64 = LN2_HI / 16.0;
pub(super) const LN2_LO_16: f64 = LN2_LO / 16.0;
pub(super) const C2: f64 = 1.0 / 2.0;
pub(super) const C3: f64 = 1.0 / 6.0;
pub(super) const C4: f64 = 1.0 / 24.0;
pub(super) const C5: f64 = 1.0 / 120.0;
pub(super) const C6: f64 = 1.0 / 720.0;
pub(super) const C7: f64 = 1.0 / 5040.0;

// exp_rational: e^r = 1 + 2r/(2 − c) with c = r − r²·P(r²) (fdlibm e_exp.c).
/// 1/ln 2 (fdlibm's `invln2`, the same double).
const INV_LN2: f64 = std::f64::consts::LOG2_E;
const P1: f64 = 1.666_666_666_666_660_190_37e-01;
const P2: f64 = -2.777_777_777_701_559_338_42e-03;
const P3: f64 = 6.613_756_321_437_934_361_17e-05;
const P4: f64 = -1.653_390_220_546_525_153_90e-06;
const P5: f64 = 4.138_136_797_057_238_460_39e-08;

// log: log(1 + f) = 2s + s·R(s²), s = f/(2 + f) (fdlibm e_log.c, s_log1p.c).
pub(super) const LG1: f64 = 6.666_666_666_666_735_130e-01;
pub(super) const LG2: f64 = 3.999_999_999_940_941_908e-01;
pub(super) const LG3: f64 = 2.857_142_874_366_239_149e-01;
pub(super) const LG4: f64 = 2.222_219_843_214_978_396e-01;
pub(super) const LG5: f64 = 1.818_357_216_161_805_012e-01;
pub(super) const LG6: f64 = 1.531_383_769_920_937_332e-01;
pub(super) const LG7: f64 = 1.479_819_860_511_658_591e-01;

/// The integer nearest to `x` (|x| < 2^51), as a double.
#[inline(always)]
fn round_int(x: f64) -> f64 {
    (x + SHIFT) - SHIFT
}

/// 2^k for an integer-valued `k` in [−1022, 1023], built from its bits:
/// `k + SHIFT` holds k in its low bits; adding the bias and shifting it into
/// the exponent field gives the power of two.
#[inline(always)]
fn pow2i(k: f64) -> f64 {
    let bias = 1023u64.wrapping_sub(SHIFT.to_bits());
    f64::from_bits((k + SHIFT).to_bits().wrapping_add(bias) << 52)
}

/// A positive finite double split as m·2^k with m in [√2/2, √2) (up to
/// fdlibm's threshold `offset`): (m, k). `offset` is the bits of the lowest
/// m; subtracting it makes the exponent field count k (floor division of a
/// signed value, computed unsigned with a bias of 1024), and adding it back
/// to the remaining mantissa bits gives m.
#[inline(always)]
fn split(x: f64, offset: u64) -> (f64, f64) {
    const TWO52: f64 = 4_503_599_627_370_496.0;
    let v = x.to_bits().wrapping_sub(offset);
    let biased = v.wrapping_add(1024u64 << 52) >> 52;
    let k = f64::from_bits(biased | TWO52.to_bits()) - (TWO52 + 1024.0);
    let m = f64::from_bits((v & 0x000f_ffff_ffff_ffff).wrapping_add(offset));
    (m, k)
}

/// e^x, within 1 ulp (0.55 ulp the most measured where the result is a
/// normal double; below 2^−1022, where it is rounded twice, less than 1
/// ulp); +∞ above 709.78…, 0 below −745.13…, NaN for NaN.
///
/// The table-driven form of ARM's optimized-routines and glibc (Szabolcs
/// Nagy, 2018), without its branches and without fused multiply-adds, with
/// a table of 16 entries instead of 128 and a polynomial two degrees
/// longer: x = (16k + j)·ln 2/16 + r with |r| ≤ ln 2/32 (j in 0..16, r
/// exact up to ln 2's low part), 2^(j/16) = scale_j·(1 + tail_j), and
/// e^x = 2^k·scale_j·(1 + t) with t = tail_j + r + r²·(1/2 + r/6) +
/// r⁴·((1/24 + r/120) + r²·(1/720 + r/5040)). No division (fdlibm's
/// rational form needs one, the slowest operation of a vector loop).
/// Why 16 entries: a table of 16 doubles fits two AVX-512 registers, read
/// by one permute instruction per value (`vmath_avx512::exp`, the same
/// bits); compiled for other paths the reads are scalar loads or gathers
/// (a gather of eight values costs about as much as the two degrees).
/// The power of two goes into the exponent field of scale_j with an offset:
/// +64 for x < 0, whose result is then multiplied by 2^−64 (the one
/// rounding into a subnormal, after the first rounding to 53 bits: less
/// than 1 ulp together), −1 otherwise, multiplied back by 2 (exact, or
/// ∞ past the largest double).
#[inline(always)]
pub fn exp(x: f64) -> f64 {
    // Beyond these the result is ∞ or 0 anyway; NaN passes both.
    let x = if x > 710.0 { 710.0 } else { x };
    let x = if x < -746.0 { -746.0 } else { x };
    // kd = 16k + j, the integer nearest x·16/ln 2; its bits (plus SHIFT's)
    // hold it in their low bits.
    let shifted = x * INV_LN2_16 + SHIFT;
    let kj = shifted.to_bits();
    let kd = shifted - SHIFT;
    // x − kd·LN2_HI_16 is exact (kd·LN2_HI_16 is, and x is near it).
    let r = (x - kd * LN2_HI_16) - kd * LN2_LO_16;
    let j = (kj % (1 << EXP_TABLE_BITS)) as usize;
    let negative = x < 0.0;
    let offset: u64 = if negative {
        64 << 52
    } else {
        1u64.wrapping_neg() << 52
    };
    let unscale = if negative {
        f64::from_bits(0x3bf0_0000_0000_0000) // 2^−64
    } else {
        2.0
    };
    // (kj << 48) is (16k + j) << 48 modulo 2^64: k into the exponent
    // field, j into the mantissa, where EXP2_SCALE[j] takes it away again.
    let scale = f64::from_bits(
        EXP2_SCALE[j]
            .wrapping_add(kj << (52 - EXP_TABLE_BITS))
            .wrapping_add(offset),
    );
    (scale + scale * exp_tail(EXP2_TAIL[j], r)) * unscale
}

/// t = tail + (e^r − 1) for [`exp`]: the one polynomial, in one order,
/// that every path evaluates (`vmath_avx512::exp` the same operations).
#[inline(always)]
pub(super) fn exp_tail(tail: f64, r: f64) -> f64 {
    let r2 = r * r;
    let low = r2 * (C2 + r * C3);
    let high = r2 * r2 * ((C4 + r * C5) + r2 * (C6 + r * C7));
    tail + r + low + high
}

/// e^x, within 1 ulp, by fdlibm's `e_exp.c`: no table, one division; +∞
/// above 709.78…, 0 below −745.13…, NaN for NaN. For the loops where the
/// compiler keeps [`exp`]'s table reads scalar rather than gathering them
/// (the row losses' softmax, `categorical_slices`): there this one, packed,
/// is faster (sparse cross-entropy from logits measured 1.65× on AVX-512F,
/// 1.45× on AVX2).
#[inline(always)]
pub fn exp_rational(x: f64) -> f64 {
    // Beyond these the result is ∞ or 0 anyway; NaN passes both.
    let x = if x > 710.0 { 710.0 } else { x };
    let x = if x < -746.0 { -746.0 } else { x };
    // x = k·ln 2 + r, |r| ≤ ln 2 / 2; hi is exact (k·LN2_HI is, and x is near it).
    let k = round_int(x * INV_LN2);
    let hi = x - k * LN2_HI;
    let lo = k * LN2_LO;
    let r = hi - lo;
    let t = r * r;
    let c = r - t * (P1 + t * (P2 + t * (P3 + t * (P4 + t * P5))));
    let y = 1.0 - ((lo - (r * c) / (2.0 - c)) - hi);
    // y·2^k as two exact scalings (k ∈ [−1077, 1025] splits into halves
    // inside the normal range); only the last can round, into a subnormal.
    let k1 = round_int(0.5 * k);
    y * pow2i(k1) * pow2i(k - k1)
}

/// The natural logarithm, within 1 ulp (0.79 ulp the most measured); −∞ at
/// ±0, NaN below 0 and for NaN.
#[inline(always)]
pub fn ln(x: f64) -> f64 {
    let y = ln_finite(x);
    let y = if x == f64::INFINITY { x } else { y };
    // Negative numbers and NaN (every comparison with NaN is false).
    if x >= 0.0 {
        y
    } else {
        f64::NAN
    }
}

/// [`ln`] for a probability, x in [0, 1]: the same bits there (−∞ at ±0,
/// subnormals exact), without the selects for +∞, negative numbers and
/// NaN, which a vector loop would compute for every value although a
/// caller that has checked its inputs (`categorical_slices`) never needs
/// them. Outside [0, 1] the result is unspecified (a number, never a
/// panic).
#[inline(always)]
pub fn ln_unit(x: f64) -> f64 {
    ln_finite(x)
}

/// [`ln`] for finite x ≥ 0 (others give an unspecified number).
#[inline(always)]
fn ln_finite(x: f64) -> f64 {
    const TWO54: f64 = 18_014_398_509_481_984.0;
    // Subnormals are scaled into the normal range first.
    let subnormal = x < f64::MIN_POSITIVE;
    let scaled = if subnormal { x * TWO54 } else { x };
    let (m, k) = split(scaled, 0x3fe6_a09c_0000_0000);
    let k = if subnormal { k - 54.0 } else { k };
    let f = m - 1.0;
    let hfsq = 0.5 * f * f;
    let s = f / (2.0 + f);
    let z = s * s;
    let w = z * z;
    let t1 = w * (LG2 + w * (LG4 + w * LG6));
    let t2 = z * (LG1 + w * (LG3 + w * (LG5 + w * LG7)));
    let r = t2 + t1;
    // fdlibm's form with f²/2 apart, which fdlibm keeps for the largest |f|
    // and `ln_1p` takes everywhere: here too, rather than both of fdlibm's
    // forms and a select (a vector loop computes both). Max error measured
    // 0.79 ulp over 100,000 inputs against mpmath, 0.84 with the two forms.
    let y = k * LN2_HI - ((hfsq - (s * (hfsq + r) + k * LN2_LO)) - f);
    if x == 0.0 {
        f64::NEG_INFINITY
    } else {
        y
    }
}

/// ln(1 + x), within 1 ulp, exact for tiny x; −∞ at −1, NaN below −1 and
/// for NaN.
#[inline(always)]
pub fn ln_1p(x: f64) -> f64 {
    // Near 0 (−0.2929 < x < 0.41422), f = x itself; elsewhere u = 1 + x is
    // split and the rounding error of the sum is put back as c/u.
    let near_low = -f64::from_bits(0x3fd2_bec4_0000_0000);
    let near_high = f64::from_bits(0x3fda_827a_0000_0000);
    let near = (x > near_low) & (x < near_high);
    let u = 1.0 + x;
    let (m, k) = split(u, 0x3fe6_a09e_0000_0000);
    // fdlibm's choice by the exponent of u itself: u − 1 is exact below 2.
    let c = if u >= 2.0 {
        1.0 - (u - x)
    } else {
        x - (u - 1.0)
    } / u;
    // From 2^53 on, 1 + x is x and fdlibm drops the correction.
    let c = if x < 9_007_199_254_740_992.0 { c } else { 0.0 };
    let (f, c, k) = if near { (x, 0.0, 0.0) } else { (m - 1.0, c, k) };
    let y = log_core(f, c, k);
    // Below 2^−54, ln(1 + x) rounds to x (and keeps the sign of −0).
    let y = if x.abs() < 5.551_115_123_125_783e-17 {
        x
    } else {
        y
    };
    let y = if x == f64::INFINITY { x } else { y };
    let y = if x == -1.0 { f64::NEG_INFINITY } else { y };
    if x >= -1.0 {
        y
    } else {
        f64::NAN
    }
}

/// The end of fdlibm's near range of `ln_1p` above 0 (0.41422…, just
/// below √2 − 1): below it, f = x itself.
pub(super) const NEAR_1P: f64 = f64::from_bits(0x3fda_827a_0000_0000);

/// 1/u for u in [√2, 2] by the line U0 − U1·u, the one with the smallest
/// largest relative error there (1.5 %).
pub(super) const U0: f64 = 1.189_667_868_177_988_4;
pub(super) const U1: f64 = 0.348_590_041_952_674_07;

/// ln(1 + x) for x in [0, 1] (NaN gives NaN), within 1 ulp: [`ln_1p`]
/// without what inputs outside [0, 1] need, for the loss formulas whose
/// argument is e^{−|z|} or cosh a − 1 for |a| < 1 (log-cosh, BCE from
/// logits). Below 0.41422 (fdlibm's near range, f = x) it is `ln_1p` bit for
/// bit; above, 1 + x is in [√2, 2], so its split is m = (1 + x)/2 and k = 1
/// with no bit operations, and fdlibm's correction c/u (c = x − (u − 1), the
/// rounding error of u = 1 + x, |c/u| ≤ 2^−53) is c·(U0 − U1·u): its 1.5 %
/// error moves the result (at least ln √2) by at most 0.03 ulp. Max error
/// measured: 0.50 ulp against mpmath (`vmath_reference.txt`), ≤ 1 ulp from
/// the C library over 3 million inputs (tests).
#[inline(always)]
pub fn ln_1p_unit(x: f64) -> f64 {
    let near = x < NEAR_1P;
    let u = 1.0 + x;
    // Exact: u − 1 and x − (u − 1) lose nothing for u in [1, 2].
    let c = (x - (u - 1.0)) * (U0 - U1 * u);
    // u/2 − 1 is exact too (Sterbenz).
    let (f, c, k) = if near {
        (x, 0.0, 0.0)
    } else {
        (0.5 * u - 1.0, c, 1.0)
    };
    log_core(f, c, k)
}

/// k·ln 2 + ln(1 + f) + c for |f| ≤ √2 − 1 and a correction c far below
/// f's last bit: `s_log1p.c`'s last steps (s = f/(2 + f), the odd series
/// in s by Horner's rule, f²/2 apart), which [`ln_1p`], [`ln_1p_unit`],
/// [`ln_prob`] and [`ln_1m_prob`] share: a loop that needs one of two
/// logarithms per element (binary cross-entropy with labels 0 and 1) picks
/// the (f, c, k) of the one it needs and runs this once
/// ([`ln_prob_or_1m`]).
#[inline(always)]
fn log_core(f: f64, c: f64, k: f64) -> f64 {
    let hfsq = 0.5 * f * f;
    let s = f / (2.0 + f);
    let z = s * s;
    let r = z * (LG1 + z * (LG2 + z * (LG3 + z * (LG4 + z * (LG5 + z * (LG6 + z * LG7))))));
    k * LN2_HI - ((hfsq - (s * (hfsq + r) + (k * LN2_LO + c))) - f)
}

/// 1/u for u in [1/2, √2/2] by the line V0 − V1·u: [`U0`] and [`U1`]'s
/// line scaled to this interval (u·2√2 is in [√2, 2]), the same largest
/// relative error (1.5 %).
const V0: f64 = U0 * 2.0 * std::f64::consts::SQRT_2;
const V1: f64 = U1 * 8.0;

/// ln q for a probability q in [0, 1], within 1 ulp (measured against
/// mpmath: `vmath_reference.txt`; against the C library over millions of
/// inputs: tests); −∞ at 0, NaN outside [0, 1] and for NaN. [`ln`]'s
/// reduction with [`log_core`] (fdlibm's `s_log1p.c` form, one series by
/// Horner's rule) in place of `e_log.c`'s two half-series: not [`ln`]'s
/// bits everywhere, but the same core as [`ln_1m_prob`], so that
/// [`ln_prob_or_1m`] can give either with one logarithm.
#[inline(always)]
pub fn ln_prob(q: f64) -> f64 {
    ln_prob_or_1m(q, true)
}

/// ln(1 − q) for a probability q in [0, 1], within 1 ulp, exact (−q) for
/// q below 2^−54; −∞ at 1, NaN outside [0, 1] and for NaN. The numbers of
/// `ln_1p(−q)` but for the last bit where fdlibm's division c/u is here a
/// multiplication by an approximation of 1/u (see [`ln_prob_or_1m`]).
#[inline(always)]
pub fn ln_1m_prob(q: f64) -> f64 {
    ln_prob_or_1m(q, false)
}

/// [`ln_prob`]`(q)` if `of_q`, else [`ln_1m_prob`]`(q)`, bit for bit, with
/// one logarithm. Binary cross-entropy with a label 1 needs ln q alone,
/// with a label 0 ln(1 − q) alone; a vector loop that takes both computes
/// two divisions and two series per pair.
///
/// The argument u (q, or 1 − q) is chosen first, then reduced once:
/// subnormals scaled into the normal range, u split as m·2^k with m in
/// [√2/2, √2), f = m − 1 (exact). For ln(1 − q) that is `ln_1p(−q)`'s
/// reduction without what other arguments need: below 0.29289 (fdlibm's
/// near range) f = −q, k = 0; above, the rounding error of u = 1 − q (exact:
/// 1 − q and u − 1 lose nothing) is put back as c/u with 1/u from the line
/// V0 − V1·u: from q = 1/2 on, u is exact and c = 0; below, u is in
/// [1/2, √2/2], where the line is within 1.5 %, which moves the result (at
/// least ln √2 in magnitude, |c/u| ≤ 2^−53) by at most 0.03 ulp. (Choosing
/// between two whole reductions instead, the compiler moves the choice
/// after the logarithm and computes both.)
#[inline(always)]
pub fn ln_prob_or_1m(q: f64, of_q: bool) -> f64 {
    const TWO54: f64 = 18_014_398_509_481_984.0;
    let u = if of_q { q } else { 1.0 - q };
    let subnormal = u < f64::MIN_POSITIVE;
    let scaled = if subnormal { u * TWO54 } else { u };
    let (m, k) = split(scaled, 0x3fe6_a09e_0000_0000);
    let k = if subnormal { k - 54.0 } else { k };
    let c = if of_q {
        0.0
    } else {
        (-q - (u - 1.0)) * (V0 - V1 * u)
    };
    let near = !of_q & (q < f64::from_bits(0x3fd2_bec4_0000_0000));
    let (f, c, k) = if near {
        (-q, 0.0, 0.0)
    } else {
        (m - 1.0, c, k)
    };
    let y = log_core(f, c, k);
    // ln 0 (q = 0, or 1 − q = 0 at q = 1).
    let y = if u == 0.0 { f64::NEG_INFINITY } else { y };
    // Below 2^−54, ln(1 − q) rounds to −q.
    let y = if !of_q & (q < 5.551_115_123_125_783e-17) {
        -q
    } else {
        y
    };
    // Outside [0, 1], and NaN (every comparison with NaN is false).
    if (0.0..=1.0).contains(&q) {
        y
    } else {
        f64::NAN
    }
}

/// 1/(2n)! for n = 1..=10: cosh a − 1 = a²·Σ a^{2n−2}/(2n)! (the series'
/// next term is below 2^−70 of the sum for |a| < 1).
pub(super) const COSH: [f64; 10] = [
    1.0 / 2.0,
    1.0 / 24.0,
    1.0 / 720.0,
    1.0 / 40_320.0,
    1.0 / 3_628_800.0,
    1.0 / 479_001_600.0,
    1.0 / 87_178_291_200.0,
    1.0 / 20_922_789_888_000.0,
    1.0 / 6_402_373_705_728_000.0,
    1.0 / 2_432_902_008_176_640_000.0,
];
/// 1/(2n+1)! for n = 1..=10: sinh a = a + a·Σ a^{2n}/(2n+1)!.
const SINH: [f64; 10] = [
    1.0 / 6.0,
    1.0 / 120.0,
    1.0 / 5_040.0,
    1.0 / 362_880.0,
    1.0 / 39_916_800.0,
    1.0 / 6_227_020_800.0,
    1.0 / 1_307_674_368_000.0,
    1.0 / 355_687_428_096_000.0,
    1.0 / 121_645_100_408_832_000.0,
    1.0 / 51_090_942_171_709_440_000.0,
];

/// Σ c_i t^i by Horner's rule, highest power first.
#[inline(always)]
fn horner(t: f64, c: &[f64; 10]) -> f64 {
    let mut acc = c[9];
    for &ci in c[..9].iter().rev() {
        acc = acc * t + ci;
    }
    acc
}

/// cosh a − 1 for |a| ≤ 1 by its Taylor series (no cancellation near 0,
/// where it is a²/2), within a few ulps. Not meant for |a| > 1.
#[inline(always)]
pub fn cosh_m1_small(a: f64) -> f64 {
    let t = a * a;
    t * horner(t, &COSH)
}

/// tanh a, within a few ulps: sinh a/cosh a by their series for |a| < 1,
/// (1 − e)/(1 + e) with e = e^{−2|a|} (at most e^{−2}, no cancellation)
/// beyond; ±1 far out, NaN for NaN.
#[inline(always)]
pub fn tanh(a: f64) -> f64 {
    tanh_from(a, exp(-2.0 * a.abs()), cosh_m1_small(a))
}

/// [`tanh`] from the two numbers it shares with log cosh a and its second
/// derivative: `e` = e^{−2|a|} (`exp(-2.0 * a.abs())`) and `cosh_m1` =
/// [`cosh_m1_small`]`(a)` (or of |a|: the series is even). The same bits as
/// `tanh(a)`, for a block loop that has them already.
#[inline(always)]
pub fn tanh_from(a: f64, e: f64, cosh_m1: f64) -> f64 {
    let abs = a.abs();
    let t = a * a;
    let small = a + a * (t * horner(t, &SINH));
    // One division, of the numerator and denominator of the branch this
    // input takes, chosen first: a vector loop computes both branches, and
    // two divisions would take it longer than all the rest (a division is
    // the same operation on the same operands whichever branch chose them).
    let near = abs < 1.0;
    let numerator = if near { small } else { 1.0 - e };
    let denominator = if near { 1.0 + cosh_m1 } else { 1.0 + e };
    let quotient = numerator / denominator;
    // Selects, not an `if` chain: a chain of branches keeps a loop scalar.
    let y = if abs >= 1.0 {
        quotient.copysign(a)
    } else {
        a // NaN
    };
    if near {
        quotient
    } else {
        y
    }
}

#[cfg(test)]
#[path = "vmath_tests.rs"]
mod tests;
