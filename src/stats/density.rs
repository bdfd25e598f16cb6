//! A 2-D binned density (a heat map of counts) for prediction against target
//! when there are too many points to draw one mark each (above about 5,000).
//!
//! Each axis is a [`Binning`] (linear or log), with the same half-open bins
//! as [`super::histogram`]; a point outside either axis's range is counted in
//! `outside` rather than clamped onto the border.
//!
//! ```
//! use losslab::stats::{density_2d, Binning};
//! let axis = Binning::linear(0.0, 2.0, 2).unwrap();
//! let d = density_2d(&[0.5, 1.5, 1.5], &[0.5, 0.5, 1.5], &axis, &axis).unwrap();
//! assert_eq!(d.counts, vec![1, 1, 0, 1]); // row-major: y bin, then x bin
//! ```

use serde::Serialize;

use super::histogram::{Binning, Place};
use super::StatsError;

/// Most cells of a grid (a heat map shows a few hundred per side at most).
pub const MAX_CELLS: usize = 4_000_000;

/// Counts on a grid: `counts[y_bin · x_bins + x_bin]`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Density2d {
    pub x_edges: Vec<f64>,
    pub y_edges: Vec<f64>,
    pub counts: Vec<u64>,
    /// Points outside the grid (±∞ included).
    pub outside: u64,
}

impl Density2d {
    /// The count of the cell in x bin `x` and y bin `y`.
    pub fn count(&self, x: usize, y: usize) -> u64 {
        self.counts[y * (self.x_edges.len() - 1) + x]
    }

    /// The largest count of a cell (for the colour scale).
    pub fn max_count(&self) -> u64 {
        self.counts.iter().copied().max().unwrap_or(0)
    }
}

/// Count the points (`x[i]`, `y[i]`) into the grid of `x_bins` × `y_bins`.
pub fn density_2d(
    x: &[f64],
    y: &[f64],
    x_bins: &Binning,
    y_bins: &Binning,
) -> Result<Density2d, StatsError> {
    if x.len() != y.len() {
        return Err(StatsError::Shape(format!(
            "{} x values but {} y values",
            x.len(),
            y.len()
        )));
    }
    if x_bins.bins() * y_bins.bins() > MAX_CELLS {
        return Err(StatsError::Bins(format!(
            "{} × {} cells: at most {MAX_CELLS} are possible",
            x_bins.bins(),
            y_bins.bins()
        )));
    }
    let (x_edges, y_edges) = (x_bins.edges(), y_bins.edges());
    let columns = x_bins.bins();
    let mut density = Density2d {
        counts: vec![0; columns * y_bins.bins()],
        x_edges,
        y_edges,
        outside: 0,
    };
    for (row, (&a, &b)) in x.iter().zip(y).enumerate() {
        if a.is_nan() || b.is_nan() {
            return Err(StatsError::NotANumber { row });
        }
        let cell = (
            x_bins.place(&density.x_edges, a),
            y_bins.place(&density.y_edges, b),
        );
        match cell {
            (Place::Bin(i), Place::Bin(j)) => density.counts[j * columns + i] += 1,
            _ => density.outside += 1,
        }
    }
    Ok(density)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_by_hand() {
        // 3 × 2 grid over x ∈ [0, 3], y ∈ [0, 1].
        let xb = Binning::linear(0.0, 3.0, 3).unwrap();
        let yb = Binning::linear(0.0, 1.0, 2).unwrap();
        let x = [0.1, 0.2, 2.5, 3.0, 1.0, 4.0, 1.5];
        let y = [0.1, 0.9, 0.5, 1.0, 0.25, 0.5, f64::INFINITY];
        let d = density_2d(&x, &y, &xb, &yb).unwrap();
        // (0.1, 0.1) → (0, 0); (0.2, 0.9) → (0, 1); (2.5, 0.5) → (2, 1);
        // (3, 1) → (2, 1); (1, 0.25) → (1, 0); x = 4 and y = ∞ are outside.
        assert_eq!(d.counts, vec![1, 1, 0, 1, 0, 2]);
        assert_eq!((d.count(2, 1), d.outside, d.max_count()), (2, 2, 2));
        let n: u64 = d.counts.iter().sum::<u64>() + d.outside;
        assert_eq!(n, x.len() as u64);
    }

    #[test]
    fn refuses_mismatch_and_nan() {
        let b = Binning::linear(0.0, 1.0, 1).unwrap();
        assert!(density_2d(&[0.5], &[], &b, &b).is_err());
        let wide = Binning::linear(0.0, 1.0, 10_000).unwrap();
        let err = density_2d(&[0.5], &[0.5], &wide, &wide).unwrap_err();
        assert_eq!(
            err.to_string(),
            "10000 × 10000 cells: at most 4000000 are possible"
        );
        assert_eq!(
            density_2d(&[0.5, 0.5], &[0.5, f64::NAN], &b, &b),
            Err(StatsError::NotANumber { row: 1 })
        );
    }
}
