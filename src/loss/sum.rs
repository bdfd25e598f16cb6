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
/// The error is bounded by about `eps·|Σx| + n·eps²·Σ|x|`, independent of
/// `n` to first order, where a naive loop has `n·eps·Σ|x|`.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Neumaier {
    sum: f64,
    compensation: f64,
    /// A plain sum kept alongside: with an infinite term, the compensation
    /// becomes `inf - inf = NaN`, and the plain sum is then the right answer.
    naive: f64,
}

impl Neumaier {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn add(&mut self, x: f64) {
        self.naive += x;
        let t = self.sum + x;
        // Two-sum of the larger and the smaller magnitude recovers the bits
        // that the rounded `t` lost.
        if self.sum.abs() >= x.abs() {
            self.compensation += (self.sum - t) + x;
        } else {
            self.compensation += (x - t) + self.sum;
        }
        self.sum = t;
    }

    /// Merge another partial sum into this one (used in a fixed order).
    pub fn merge(&mut self, other: &Neumaier) {
        let naive = self.naive + other.naive;
        self.add(other.sum);
        self.compensation += other.compensation;
        self.naive = naive;
    }

    pub fn value(&self) -> f64 {
        if self.sum.is_finite() && self.compensation.is_finite() {
            self.sum + self.compensation
        } else {
            self.naive
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

/// Sum with error compensation, in parallel over fixed chunks; the chunk
/// partials are merged in index order, so the result does not depend on the
/// thread count.
pub(crate) fn parallel_sum(values: &[f64]) -> f64 {
    if values.len() <= CHUNK {
        // One chunk: the same bits as the parallel pass, without the thread pool.
        return compensated_sum(values.iter().copied());
    }
    let partials: Vec<Neumaier> = values
        .par_chunks(CHUNK)
        .map(|chunk| {
            let mut acc = Neumaier::new();
            for &x in chunk {
                acc.add(x);
            }
            acc
        })
        .collect();
    let mut total = Neumaier::new();
    for p in &partials {
        total.merge(p);
    }
    total.value()
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
fn two_sum(a: f64, b: f64) -> (f64, f64) {
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
