//! Histograms with fixed bins, linear or logarithmic, for per-sample values
//! that may span many decades (a few gross errors under MSE).
//!
//! Bin k holds the values x with eₖ ≤ x < eₖ₊₁; the last bin also holds its
//! upper edge. Log bins have edges eₖ = low·(high/low)^(k/bins), equal widths
//! on a log axis. The bin of a value is computed by formula, then corrected
//! against the published edges, so that counts and edges always agree.
//!
//! ```
//! use losslab::stats::{histogram, Binning};
//! let h = histogram(&[0.5, 1.0, 1.5, 3.0, 9.0], &Binning::linear(0.0, 4.0, 4).unwrap()).unwrap();
//! assert_eq!((h.counts, h.above), (vec![1, 2, 0, 1], 1));
//! ```

use serde::Serialize;

use super::StatsError;

/// Fixed bins over [low, high].
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(tag = "scale", rename_all = "snake_case")]
pub enum Binning {
    Linear {
        low: f64,
        high: f64,
        bins: usize,
    },
    /// 0 < low < high; values ≤ 0 fall below the first edge.
    Log {
        low: f64,
        high: f64,
        bins: usize,
    },
}

/// Where a value falls.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Place {
    Below,
    Bin(usize),
    Above,
}

/// The extent of the finite values of several series.
struct Extent {
    low: f64,
    high: f64,
    min_positive: f64,
}

fn extent(columns: &[&[f64]]) -> Extent {
    let finite = columns
        .iter()
        .flat_map(|c| c.iter().copied())
        .filter(|x| x.is_finite());
    let mut e = Extent {
        low: f64::INFINITY,
        high: f64::NEG_INFINITY,
        min_positive: f64::INFINITY,
    };
    for x in finite {
        e.low = e.low.min(x);
        e.high = e.high.max(x);
        if x > 0.0 {
            e.min_positive = e.min_positive.min(x);
        }
    }
    e
}

impl Extent {
    /// All ≥ 0 with the positive ones spanning two decades or more.
    fn spans_decades(&self) -> bool {
        self.low >= 0.0 && self.min_positive.is_finite() && self.high / self.min_positive >= 100.0
    }
}

/// True when the finite values are all ≥ 0 and the positive ones span at
/// least two decades (max / min positive ≥ 100): a log axis reads better.
pub fn spans_decades(values: &[f64]) -> bool {
    extent(&[values]).spans_decades()
}

/// Most bins of one axis (a figure shows a few hundred at most).
pub const MAX_BINS: usize = 100_000;

fn check_bin_count(bins: usize) -> Result<(), StatsError> {
    if bins == 0 || bins > MAX_BINS {
        return Err(StatsError::Bins(format!(
            "{bins} bins: between 1 and {MAX_BINS} are possible"
        )));
    }
    Ok(())
}

impl Binning {
    pub fn linear(low: f64, high: f64, bins: usize) -> Result<Binning, StatsError> {
        check_bin_count(bins)?;
        // The width must be finite too, or the edges would overflow.
        if !((high - low).is_finite() && low < high) {
            return Err(StatsError::Bins(format!(
                "linear bins need finite low < high with a finite width, got [{low}, {high}]"
            )));
        }
        Ok(Binning::Linear { low, high, bins })
    }

    pub fn log(low: f64, high: f64, bins: usize) -> Result<Binning, StatsError> {
        check_bin_count(bins)?;
        if !(low > 0.0 && high.is_finite() && low < high) {
            return Err(StatsError::Bins(format!(
                "log bins need 0 < low < high, high finite, got [{low}, {high}]"
            )));
        }
        Ok(Binning::Log { low, high, bins })
    }

    /// Bins covering the finite values: log-spaced from the smallest positive
    /// value when they [span decades](spans_decades), linear otherwise (a
    /// single value gets a unit-wide range around it).
    pub fn auto(values: &[f64], bins: usize) -> Result<Binning, StatsError> {
        Binning::auto_shared(&[values], bins)
    }

    /// [`Binning::auto`] over several series at once, so that their
    /// histograms (models side by side) or both axes of a density
    /// (prediction against target) share one set of bins.
    pub fn auto_shared(columns: &[&[f64]], bins: usize) -> Result<Binning, StatsError> {
        let e = extent(columns);
        if !e.low.is_finite() {
            return Err(StatsError::Empty);
        }
        if e.spans_decades() {
            return Binning::log(e.min_positive, e.high, bins);
        }
        if e.low == e.high {
            return Binning::linear(e.low - 0.5, e.high + 0.5, bins);
        }
        Binning::linear(e.low, e.high, bins)
    }

    pub fn bins(&self) -> usize {
        match *self {
            Binning::Linear { bins, .. } | Binning::Log { bins, .. } => bins,
        }
    }

    /// The bins + 1 edges, the first and last exactly `low` and `high`.
    pub fn edges(&self) -> Vec<f64> {
        let bins = self.bins();
        let mut edges: Vec<f64> = match *self {
            Binning::Linear { low, high, bins } => (0..=bins)
                .map(|k| low + (high - low) * (k as f64 / bins as f64))
                .collect(),
            Binning::Log { low, high, bins } => {
                let (a, b) = (low.ln(), high.ln());
                (0..=bins)
                    .map(|k| (a + (b - a) * (k as f64 / bins as f64)).exp())
                    .collect()
            }
        };
        let (low, high) = match *self {
            Binning::Linear { low, high, .. } | Binning::Log { low, high, .. } => (low, high),
        };
        edges[0] = low;
        edges[bins] = high;
        edges
    }

    /// The bin of `x` (not NaN) given this binning's `edges`.
    pub(crate) fn place(&self, edges: &[f64], x: f64) -> Place {
        let bins = self.bins();
        if x < edges[0] {
            return Place::Below;
        }
        if x > edges[bins] {
            return Place::Above;
        }
        let position = match *self {
            Binning::Linear { low, high, .. } => (x - low) / (high - low),
            Binning::Log { low, high, .. } => (x / low).ln() / (high / low).ln(),
        };
        let mut k = ((position * bins as f64) as usize).min(bins - 1);
        // Rounding may put x one bin off its edges: step until eₖ ≤ x < eₖ₊₁.
        while k > 0 && x < edges[k] {
            k -= 1;
        }
        while k + 1 < bins && x >= edges[k + 1] {
            k += 1;
        }
        Place::Bin(k)
    }
}

/// Counts per bin, plus the values outside the edges.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Histogram {
    pub binning: Binning,
    pub edges: Vec<f64>,
    pub counts: Vec<u64>,
    /// Values below the first edge (with log bins: also every value ≤ 0), −∞ included.
    pub below: u64,
    /// Values above the last edge, +∞ included.
    pub above: u64,
}

/// Count `values` (no NaN) into `binning`'s bins.
pub fn histogram(values: &[f64], binning: &Binning) -> Result<Histogram, StatsError> {
    let edges = binning.edges();
    let mut h = Histogram {
        binning: *binning,
        counts: vec![0; binning.bins()],
        edges,
        below: 0,
        above: 0,
    };
    for (row, &x) in values.iter().enumerate() {
        if x.is_nan() {
            return Err(StatsError::NotANumber { row });
        }
        match binning.place(&h.edges, x) {
            Place::Below => h.below += 1,
            Place::Above => h.above += 1,
            Place::Bin(k) => h.counts[k] += 1,
        }
    }
    Ok(h)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn linear_bins_by_hand() {
        // Edges 0, 0.1, …, 1: 0.1 and 0.3 are edges (as rounded), 1 goes to the last bin.
        let b = Binning::linear(0.0, 1.0, 10).unwrap();
        let values = [0.0, 0.05, 0.1, 0.3, 0.99, 1.0, -0.1, 1.5, f64::INFINITY];
        let h = histogram(&values, &b).unwrap();
        assert_eq!(h.counts, vec![2, 1, 0, 1, 0, 0, 0, 0, 0, 2]);
        assert_eq!((h.below, h.above), (1, 2));
        for (k, &e) in h.edges.iter().enumerate() {
            assert_eq!(b.place(&h.edges, e), Place::Bin(k.min(9)), "edge {k}");
        }
    }

    #[test]
    fn log_bins_by_hand() {
        // Decades 1e-3..1e3 in 6 bins: one bin per decade.
        let b = Binning::log(1e-3, 1e3, 6).unwrap();
        let values = [2e-3, 5e-2, 0.5, 2.0, 20.0, 999.0, 1000.0, 0.0, 1e-4, 2e3];
        let h = histogram(&values, &b).unwrap();
        assert_eq!(h.counts, vec![1, 1, 1, 1, 1, 2]);
        assert_eq!((h.below, h.above), (2, 1));
        assert!((h.edges[3] - 1.0).abs() < 1e-15);
        assert!(histogram(&[f64::NAN], &b).is_err());
    }

    #[test]
    fn automatic_bins() {
        assert!(spans_decades(&[0.0, 0.01, 5.0]));
        assert!(!spans_decades(&[0.5, 5.0]));
        assert!(!spans_decades(&[-1.0, 0.01, 5.0]));
        assert_eq!(
            Binning::auto(&[0.0, 0.01, 5.0, f64::INFINITY], 3).unwrap(),
            Binning::Log {
                low: 0.01,
                high: 5.0,
                bins: 3
            }
        );
        assert_eq!(
            Binning::auto(&[2.0, 2.0], 2).unwrap(),
            Binning::Linear {
                low: 1.5,
                high: 2.5,
                bins: 2
            }
        );
        assert!(Binning::auto(&[f64::INFINITY], 2).is_err());
        // Shared bins span every series: 0.5..3 here, and 0.05..30 spans decades.
        let (a, b) = ([1.0, 3.0], [0.5, 2.0]);
        assert_eq!(
            Binning::auto_shared(&[&a, &b], 5).unwrap(),
            Binning::Linear {
                low: 0.5,
                high: 3.0,
                bins: 5
            }
        );
        let (c, d) = ([0.05, 1.0], [30.0]);
        assert!(matches!(
            Binning::auto_shared(&[&c, &d], 5).unwrap(),
            Binning::Log {
                low: 0.05,
                high: 30.0,
                ..
            }
        ));
        assert!(Binning::log(0.0, 1.0, 2).is_err());
        assert!(Binning::linear(-f64::MAX, f64::MAX, 2).is_err());
        let too_many = Binning::linear(0.0, 1.0, MAX_BINS + 1).unwrap_err();
        assert_eq!(
            too_many.to_string(),
            "100001 bins: between 1 and 100000 are possible"
        );
    }
}
