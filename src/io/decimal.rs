//! A plain decimal cell (`-?digits[.digits]`, at most 19 digits, ending at a
//! comma or a newline) parsed without branches on its digits: on a
//! processor with AVX-512 (BW, VL, VBMI, VBMI2), one 32-byte load finds the
//! cell's digits, its dot and its end, the digits are gathered and
//! right-aligned by two byte shuffles, and multiply-adds give the integer
//! `w` of the digits; the value `w / 10^k` (`k` digits after the dot) is
//! then rounded exactly by Eisel–Lemire ([`to_f64`]).
//!
//! Why: profiling `eval --summary` on a 10-million-row file of 17-digit
//! numbers put more than half of the CPU in `fast-float2`, whose branches
//! on the sign, on the digits left after the first sixteen and on the
//! choice between Clinger's division and Eisel–Lemire go either way on
//! such data. Here the only branches are the checks that the cell is
//! plain, which the cells of a file pass or fail alike. Anything else (an
//! exponent, `inf`, blanks, more than 19 digits, a cell too near the end of
//! the block for the load) gets None, and the caller parses it with
//! `fast-float2` as before, so the two routes read the same numbers: both
//! round correctly (a test compares them on random, tricky and tie cases).

// Only the x86-64 route uses the conversion (tests use it everywhere).
#![cfg_attr(not(target_arch = "x86_64"), allow(dead_code))]

/// The 128-bit significands of 5^−k for k = 0..=19, high word first, as
/// `fast-float2`'s table (and the Eisel–Lemire paper's) holds them: 5^−k
/// scaled by a power of two into [2^127, 2^128) and rounded up (exact for
/// k = 0). A test recomputes them by long division.
const POW5: [(u64, u64); 20] = [
    (0x8000000000000000, 0x0000000000000000),
    (0xcccccccccccccccc, 0xcccccccccccccccd),
    (0xa3d70a3d70a3d70a, 0x3d70a3d70a3d70a4),
    (0x83126e978d4fdf3b, 0x645a1cac083126ea),
    (0xd1b71758e219652b, 0xd3c36113404ea4a9),
    (0xa7c5ac471b478423, 0x0fcf80dc33721d54),
    (0x8637bd05af6c69b5, 0xa63f9a49c2c1b110),
    (0xd6bf94d5e57a42bc, 0x3d32907604691b4d),
    (0xabcc77118461cefc, 0xfdc20d2b36ba7c3e),
    (0x89705f4136b4a597, 0x31680a88f8953031),
    (0xdbe6fecebdedd5be, 0xb573440e5a884d1c),
    (0xafebff0bcb24aafe, 0xf78f69a51539d749),
    (0x8cbccc096f5088cb, 0xf93f87b7442e45d4),
    (0xe12e13424bb40e13, 0x2865a5f206b06fba),
    (0xb424dc35095cd80f, 0x538484c19ef38c95),
    (0x901d7cf73ab0acd9, 0x0f9d37014bf60a11),
    (0xe69594bec44de15b, 0x4c2ebe687989a9b4),
    (0xb877aa3236a4b449, 0x09befeb9fad487c3),
    (0x9392ee8e921d5d07, 0x3aff322e62439fd0),
    (0xec1e4a7db69561a5, 0x2b31e9e3d06c32e6),
];

/// Most digits of a plain cell: 10^19 − 1 < 2^64.
const MAX_DIGITS: u32 = 19;

/// The biased binary exponent of `w / 10^k`'s leading bit before the
/// normalisation shift, less one (the significand's own leading bit adds
/// it back): ⌊−k·log2(10)⌋ + 63 + 1023 − 1, with Eisel–Lemire's
/// `(152170 + 65536)·q >> 16` for ⌊q·log2(10)⌋ (exact for |q| ≤ 1233).
const EXPONENT_BASE: [i32; 20] = {
    let mut base = [0i32; 20];
    let mut k = 0;
    while k < 20 {
        base[k] = ((-(k as i32) * (152_170 + 65_536)) >> 16) + 63 + 1023 - 1;
        k += 1;
    }
    base
};

/// `w / 10^k` rounded to the nearest double, ties to even (k ≤ 19, any
/// `w`): Eisel–Lemire (Lemire, "Number parsing at a gigabyte per second",
/// 2021) for exponents 10^−19..10^0, where its 128-bit product always
/// decides the rounding (Mushtak and Lemire, "Fast number parsing without
/// fallback", 2023), so no slow path is needed: w·5^−k is taken from the
/// product of the normalised `w` and the table's high word (and its low
/// word when the bits below the 55 kept are all ones), its top 54 bits
/// rounded to 53, a tie (product exact, only possible for k ≤ 4) to even.
/// The results are never subnormal or infinite (10^−19 ≤ value < 2^64).
#[inline(always)]
pub(super) fn to_f64(w: u64, k: usize) -> f64 {
    let k = k.min(MAX_DIGITS as usize);
    let lz = w.leading_zeros();
    let normal = w.checked_shl(lz).unwrap_or(0);
    let (high, low) = POW5[k];
    let product = normal as u128 * high as u128;
    let (mut lo, mut hi) = (product as u64, (product >> 64) as u64);
    const BELOW_KEPT: u64 = u64::MAX >> 55;
    if hi & BELOW_KEPT == BELOW_KEPT {
        let second = ((normal as u128 * low as u128) >> 64) as u64;
        lo = lo.wrapping_add(second);
        hi += u64::from(second > lo);
    }
    let upper = (hi >> 63) as u32;
    let mut mantissa = hi >> (upper + 9);
    // An exact product halfway between two doubles: round to even.
    if lo <= 1 && k <= 4 && mantissa & 3 == 1 && (mantissa << (upper + 9)) == hi {
        mantissa &= !1;
    }
    mantissa = (mantissa + (mantissa & 1)) >> 1;
    // Adding the exponent to the 53-bit significand (leading bit at 2^52)
    // sets the exponent field; a significand rounded up to 2^53 carries
    // into it, as it must.
    let exponent = EXPONENT_BASE[k] + upper as i32 - lz as i32;
    let bits = mantissa.wrapping_add((exponent as u64) << 52);
    f64::from_bits(if w == 0 { 0 } else { bits })
}

/// Does this processor have what [`wide::cell`] uses? Checked once.
#[cfg(target_arch = "x86_64")]
pub(super) fn wide_available() -> bool {
    static AVAILABLE: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *AVAILABLE.get_or_init(|| {
        // `LOSSLAB_SIMD` naming a narrower path (as for the loss kernels)
        // keeps every cell on `fast-float2`.
        let narrower = std::env::var("LOSSLAB_SIMD").is_ok_and(|name| name != "avx512");
        !narrower
            && std::arch::is_x86_feature_detected!("avx512f")
            && std::arch::is_x86_feature_detected!("avx512bw")
            && std::arch::is_x86_feature_detected!("avx512vl")
            && std::arch::is_x86_feature_detected!("avx512vbmi")
            && std::arch::is_x86_feature_detected!("avx512vbmi2")
            && std::arch::is_x86_feature_detected!("bmi1")
            && std::arch::is_x86_feature_detected!("bmi2")
            && std::arch::is_x86_feature_detected!("popcnt")
    })
}

#[cfg(target_arch = "x86_64")]
pub(super) mod wide {
    use std::arch::x86_64::*;

    /// The cell at `bytes[at..]`: its value and length, or None if it is
    /// not plain (see the module's doc) or fewer than 32 bytes remain.
    #[target_feature(enable = "avx512f,avx512bw,avx512vl,avx512vbmi,avx512vbmi2,bmi1,bmi2,popcnt")]
    #[inline]
    pub(in crate::io) fn cell(bytes: &[u8], at: usize) -> Option<(f64, usize)> {
        let window: &[u8; 32] = bytes.get(at..at + 32)?.try_into().ok()?;
        // SAFETY: the window holds the 32 bytes loaded.
        let text = unsafe { _mm256_loadu_si256(window.as_ptr().cast::<__m256i>()) };
        let values = _mm256_sub_epi8(text, _mm256_set1_epi8(b'0' as i8));
        let digits = _mm256_cmple_epu8_mask(values, _mm256_set1_epi8(9));
        let dots = _mm256_cmpeq_epi8_mask(text, _mm256_set1_epi8(b'.' as i8));
        let ends = _mm256_cmpeq_epi8_mask(text, _mm256_set1_epi8(b',' as i8))
            | _mm256_cmpeq_epi8_mask(text, _mm256_set1_epi8(b'\n' as i8));
        let end = ends.trailing_zeros();
        let negative = window[0] == b'-';
        let cell = _bzhi_u32(u32::MAX, end);
        let body = cell & !u32::from(negative);
        let digits = digits & cell;
        let dot = dots & cell;
        let count = digits.count_ones();
        // Every byte after the sign a digit but one dot at most, 1 to 19
        // digits, and an end within the window.
        if end == 32
            || digits | dot != body
            || dot & dot.wrapping_sub(1) != 0
            || count.wrapping_sub(1) >= super::MAX_DIGITS
        {
            return None;
        }
        // Digits after the dot (none without one).
        let k = (digits & !(dot << 1).wrapping_sub(1)).count_ones() as usize;
        // The digits packed, then placed to end at byte 24: three groups of
        // eight, most significant first.
        let packed = _mm256_maskz_compress_epi8(digits, values);
        let lead = 24 - count;
        let index = _mm256_sub_epi8(
            _mm256_setr_epi8(
                0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22,
                23, 24, 25, 26, 27, 28, 29, 30, 31,
            ),
            _mm256_set1_epi8(lead as i8),
        );
        let placed = _bzhi_u32(u32::MAX, 24) & !_bzhi_u32(u32::MAX, lead);
        let aligned = _mm256_maskz_permutexvar_epi8(placed, index, packed);
        // Pairs of digits (10·a + b), then fours (100·ab + cd), then eights.
        let pairs = _mm256_maddubs_epi16(aligned, _mm256_set1_epi16(0x010a));
        let fours = _mm256_madd_epi16(pairs, _mm256_set1_epi32(0x0001_0064));
        let eights = _mm256_add_epi64(
            _mm256_mul_epu32(fours, _mm256_set1_epi64x(10_000)),
            _mm256_srli_epi64(fours, 32),
        );
        let low = _mm256_castsi256_si128(eights);
        let first = _mm_cvtsi128_si64(low) as u64;
        let second = _mm_extract_epi64(low, 1) as u64;
        let third = _mm256_extract_epi64(eights, 2) as u64;
        let w = first * 10_000_000_000_000_000 + second * 100_000_000 + third;
        let x = super::to_f64(w, k);
        let x = f64::from_bits(x.to_bits() | (u64::from(negative) << 63));
        Some((x, end as usize))
    }
}

#[cfg(test)]
mod tests;
