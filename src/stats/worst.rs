//! The k worst samples of a model: the rows a report lists instead of a
//! whole per-sample table.
//!
//! Selection in linear time (`select_nth_unstable_by`), then the k selected
//! rows sorted: largest loss first, ties by lower row number, +∞ before every
//! finite loss, so the list is the same on every run.
//!
//! ```
//! use losslab::stats::worst_samples;
//! let worst = worst_samples(&[0.1, 5.0, 0.3, 5.0], 3).unwrap();
//! let rows: Vec<usize> = worst.iter().map(|w| w.row).collect();
//! assert_eq!(rows, vec![1, 3, 2]);
//! ```

use std::cmp::Ordering;

use serde::Serialize;

use super::StatsError;

/// One row and its loss.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct WorstSample {
    pub row: usize,
    pub loss: f64,
}

/// The `k` rows with the largest `losses` (no NaN), worst first.
pub fn worst_samples(losses: &[f64], k: usize) -> Result<Vec<WorstSample>, StatsError> {
    if let Some(row) = losses.iter().position(|x| x.is_nan()) {
        return Err(StatsError::NotANumber { row });
    }
    let worse_first = |a: &usize, b: &usize| -> Ordering {
        // partial_cmp: −0 and +0 are the same loss, a tie broken by row.
        let by_loss = losses[*b]
            .partial_cmp(&losses[*a])
            .unwrap_or(Ordering::Equal);
        by_loss.then(a.cmp(b))
    };
    let mut rows: Vec<usize> = (0..losses.len()).collect();
    let k = k.min(rows.len());
    if k == 0 {
        return Ok(Vec::new());
    }
    if k < rows.len() {
        rows.select_nth_unstable_by(k - 1, worse_first);
        rows.truncate(k);
    }
    rows.sort_unstable_by(worse_first);
    Ok(rows
        .into_iter()
        .map(|row| WorstSample {
            row,
            loss: losses[row],
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn worst_first_ties_by_row() {
        let losses = [1.0, f64::INFINITY, 3.0, 3.0, 0.0, 2.0, 3.0];
        let rows = |k| -> Vec<usize> {
            worst_samples(&losses, k)
                .unwrap()
                .iter()
                .map(|w| w.row)
                .collect()
        };
        assert_eq!(rows(3), vec![1, 2, 3]);
        assert_eq!(rows(4), vec![1, 2, 3, 6]);
        assert_eq!(rows(100), vec![1, 2, 3, 6, 5, 0, 4]);
        assert!(rows(0).is_empty());
        assert!(worst_samples(&[f64::NAN], 1).is_err());
    }

    #[test]
    fn agrees_with_a_full_sort() {
        // Many ties: losses i mod 7; compare with sorting all rows.
        let losses: Vec<f64> = (0..5000).map(|i| ((i * 37) % 7) as f64).collect();
        let mut all: Vec<usize> = (0..5000).collect();
        all.sort_by(|&a, &b| losses[b].total_cmp(&losses[a]).then(a.cmp(&b)));
        let got: Vec<usize> = worst_samples(&losses, 900)
            .unwrap()
            .iter()
            .map(|w| w.row)
            .collect();
        assert_eq!(got, all[..900]);
    }
}
