//! The exact sum: a superaccumulator (Kulisch's long accumulator, kept in
//! carry-save form as in Neal's "small superaccumulator", arXiv:1505.05571)
//! holding every finite double's bits over the whole exponent range, so the
//! reduced value is the sum correctly rounded (to nearest, ties to even) —
//! one number whatever the order of the additions, the batches, the
//! partitions, the threads or the machines.
//!
//! # Representation
//! A finite double is `m · 2^(s − 1074)` with an integer mantissa `m < 2^53`
//! and a bit offset `0 ≤ s ≤ 2045` (the biased exponent minus 1; 0 for
//! subnormals). The sum is `Σ_k word[k] · 2^(32k − 1074)` over [`WORDS`]
//! signed 64-bit words, each carrying 32 bits of digits and 31 bits of
//! headroom: an addition puts the shifted mantissa (at most 84 bits) into
//! three consecutive words with no carry, and the carries are propagated
//! only every [`ADDS_BEFORE_CARRY`] additions, when merging, and at the end.
//! Infinities and NaN are counted apart: +∞ and −∞ together, or a NaN, give
//! NaN; one sign of infinity gives that infinity (as [`super::Neumaier`]).
//!
//! ```
//! use losslab::loss::ExactSum;
//! let mut a = ExactSum::new();
//! a.add_slice(&[1e100, 1.0, -1e100, 1e-300]);
//! assert_eq!(a.value(), 1.0 + 1e-300);
//! // Two halves summed apart and merged: the same bits as one pass.
//! let (mut left, mut right) = (ExactSum::new(), ExactSum::new());
//! left.add_slice(&[0.1, 0.2]);
//! right.add(0.3);
//! left.merge(&right);
//! // 0.6 correctly rounded, where a plain (0.1 + 0.2) + 0.3 gives 0.6000000000000001.
//! assert_eq!(left.value(), 0.6);
//! ```

/// Words of 32 bits: 2098 bits for every finite double's digits, and room
/// above for the carries of up to 2^63 additions of the largest double.
pub const WORDS: usize = 68;

/// Each addition changes a normalised word by less than 2^32; an `i64` holds
/// 2^31 such changes, so the carries are propagated at half that (the tests
/// propagate them every few additions, so that every path runs often).
#[cfg(not(test))]
const ADDS_BEFORE_CARRY: u32 = 1 << 30;
#[cfg(test)]
const ADDS_BEFORE_CARRY: u32 = 5;

const LOW_32: i64 = 0xFFFF_FFFF;

/// The exact sum of the doubles added so far; see the module documentation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExactSum {
    words: [i64; WORDS],
    /// Additions since the carries were last propagated.
    pending: u32,
    positive_infinities: u64,
    negative_infinities: u64,
    nans: u64,
}

impl Default for ExactSum {
    fn default() -> Self {
        Self::new()
    }
}

impl ExactSum {
    pub fn new() -> Self {
        ExactSum {
            words: [0; WORDS],
            pending: 0,
            positive_infinities: 0,
            negative_infinities: 0,
            nans: 0,
        }
    }

    /// Add one double, exactly.
    #[inline]
    pub fn add(&mut self, x: f64) {
        let bits = x.to_bits();
        let biased = ((bits >> 52) & 0x7FF) as usize;
        let fraction = bits & ((1 << 52) - 1);
        if biased == 0x7FF {
            self.add_special(x);
            return;
        }
        if self.pending == ADDS_BEFORE_CARRY {
            self.carry();
        }
        self.pending += 1;
        let (mantissa, offset) = if biased == 0 {
            (fraction, 0)
        } else {
            (fraction | (1 << 52), biased - 1)
        };
        let shifted = u128::from(mantissa) << (offset % 32);
        let k = offset / 32;
        let low = (shifted as i64) & LOW_32;
        let middle = ((shifted >> 32) as i64) & LOW_32;
        let high = (shifted >> 64) as i64;
        // ±1 by the sign bit: no branch on the sign, which data mix at random.
        let sign = 1 - 2 * (bits >> 63) as i64;
        self.words[k] += sign * low;
        self.words[k + 1] += sign * middle;
        self.words[k + 2] += sign * high;
    }

    /// Add every value of a slice, exactly.
    pub fn add_slice(&mut self, values: &[f64]) {
        for &x in values {
            self.add(x);
        }
    }

    #[cold]
    fn add_special(&mut self, x: f64) {
        if x.is_nan() {
            self.nans += 1;
        } else if x > 0.0 {
            self.positive_infinities += 1;
        } else {
            self.negative_infinities += 1;
        }
    }

    /// Add another exact sum into this one (any order gives the same value).
    pub fn merge(&mut self, other: &ExactSum) {
        let mut other = other.clone();
        other.carry();
        self.carry();
        for (word, o) in self.words.iter_mut().zip(other.words) {
            *word += o;
        }
        self.pending = 1;
        self.positive_infinities += other.positive_infinities;
        self.negative_infinities += other.negative_infinities;
        self.nans += other.nans;
    }

    /// Propagate the carries: every word but the top one in [0, 2^32), the
    /// top word signed (it carries the sign of the whole sum).
    fn carry(&mut self) {
        for k in 0..WORDS - 1 {
            let carry = self.words[k] >> 32;
            self.words[k] &= LOW_32;
            self.words[k + 1] += carry;
        }
        self.pending = 0;
    }

    /// The sum, correctly rounded to the nearest double (ties to even);
    /// ±∞ past the largest double, as IEEE addition overflows.
    pub fn value(&self) -> f64 {
        let infinities = (self.positive_infinities > 0, self.negative_infinities > 0);
        if self.nans > 0 || infinities == (true, true) {
            return f64::NAN;
        }
        if infinities.0 {
            return f64::INFINITY;
        }
        if infinities.1 {
            return f64::NEG_INFINITY;
        }
        let mut magnitude = self.clone();
        magnitude.carry();
        let negative = magnitude.words[WORDS - 1] < 0;
        if negative {
            magnitude.words.iter_mut().for_each(|w| *w = -*w);
            magnitude.carry();
        }
        let rounded = round_to_double(&magnitude.words);
        if negative {
            -rounded
        } else {
            rounded
        }
    }

    /// The state as bytes (flags, then the normalised words from the lowest
    /// non-zero one), for an engine to ship partial sums between processes.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut normal = self.clone();
        normal.carry();
        let first = normal.words.iter().position(|&w| w != 0).unwrap_or(WORDS);
        let mut bytes = Vec::with_capacity(32 + 8 * (WORDS - first));
        for count in [
            self.positive_infinities,
            self.negative_infinities,
            self.nans,
            first as u64,
        ] {
            bytes.extend_from_slice(&count.to_le_bytes());
        }
        for w in &normal.words[first..] {
            bytes.extend_from_slice(&w.to_le_bytes());
        }
        bytes
    }

    /// The state written by [`ExactSum::to_bytes`]; `None` if the bytes are not one.
    pub fn from_bytes(bytes: &[u8]) -> Option<ExactSum> {
        if bytes.len() < 32 || !bytes.len().is_multiple_of(8) {
            return None;
        }
        let word = |i: usize| -> [u8; 8] { bytes[8 * i..8 * i + 8].try_into().unwrap_or([0; 8]) };
        let counts: Vec<u64> = (0..4).map(|i| u64::from_le_bytes(word(i))).collect();
        let first = usize::try_from(counts[3]).ok()?;
        let stored = bytes.len() / 8 - 4;
        if first > WORDS || first + stored != WORDS {
            return None;
        }
        let mut sum = ExactSum::new();
        for (j, w) in sum.words[first..].iter_mut().enumerate() {
            *w = i64::from_le_bytes(word(4 + j));
        }
        // Normalised words are in [0, 2^32) but the top one: anything else is not a state.
        if sum.words[..WORDS - 1]
            .iter()
            .any(|&w| !(0..=LOW_32).contains(&w))
        {
            return None;
        }
        sum.positive_infinities = counts[0];
        sum.negative_infinities = counts[1];
        sum.nans = counts[2];
        Some(sum)
    }
}

/// The non-negative integer `Σ words[k] · 2^(32k)` (normalised words) times
/// 2^−1074, rounded to the nearest double, ties to even.
///
/// With `H` the position of the top bit, a value below 2^53 is exact and its
/// bits are the double's bits (subnormals run on into the first binade);
/// above, the top 53 bits `m` are kept and the double's bits are
/// `(H − 52) · 2^52 + m`, so a mantissa rounded up to 2^53 carries into the
/// exponent by itself and an exponent past the top gives the bits of ∞.
fn round_to_double(words: &[i64; WORDS]) -> f64 {
    let Some(top) = words.iter().rposition(|&w| w != 0) else {
        return 0.0;
    };
    // The top three words (or all of them, near the bottom) in one integer.
    let base = top.saturating_sub(2);
    let gathered = words[base..=top]
        .iter()
        .rev()
        .fold(0u128, |acc, &w| (acc << 32) | w as u128);
    let below_nonzero = words[..base].iter().any(|&w| w != 0);
    let high_bit = 32 * base + 127 - gathered.leading_zeros() as usize;
    if high_bit < 53 {
        return f64::from_bits(gathered as u64);
    }
    let shift = high_bit - 52;
    let local = shift - 32 * base;
    let mut mantissa = (gathered >> local) as u64;
    let remainder = gathered & ((1u128 << local) - 1);
    let half = 1u128 << (local - 1);
    let up = remainder > half || (remainder == half && (below_nonzero || mantissa & 1 == 1));
    mantissa += u64::from(up);
    let bits = ((shift as u64) << 52) + mantissa;
    if bits >= f64::INFINITY.to_bits() {
        f64::INFINITY
    } else {
        f64::from_bits(bits)
    }
}

#[cfg(test)]
#[path = "exact_sum_tests.rs"]
mod tests;
