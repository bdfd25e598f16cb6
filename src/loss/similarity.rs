//! Similarity losses: cosine similarity (Keras' sign: lower is better).
//!
//! ```
//! use losslab::loss::{Data, Loss, Params, Reduction};
//! let cosine = Loss::new("cosine_similarity", &Params::new()).unwrap();
//! let e = cosine
//!     .evaluate(&Data::Flat(vec![1.0, 0.0]), &Data::Flat(vec![2.0, 0.0]), None, Reduction::Mean)
//!     .unwrap();
//! assert_eq!(e.value, -1.0);
//! ```

use super::reduce::RowOut;
use super::sum::Neumaier;
use super::validate::{bad, RowsRef};
use super::LossError;

/// Euclidean norm without overflow or underflow of the squares.
fn norm(v: &[f64]) -> f64 {
    let mut sq = Neumaier::new();
    v.iter().for_each(|x| sq.add(x * x));
    let sq = sq.value();
    if sq.is_finite() && sq > 1e-290 {
        return sq.sqrt();
    }
    // Rescale by the largest magnitude: squares of 1e200 or 1e-200 are out of range.
    let scale = v.iter().fold(0.0f64, |m, x| m.max(x.abs()));
    if scale == 0.0 {
        return 0.0;
    }
    let mut sq = Neumaier::new();
    v.iter().for_each(|x| sq.add((x / scale) * (x / scale)));
    scale * sq.value().sqrt()
}

/// Cosine-similarity loss of one row.
///
/// # Formula
/// L = −(y·ŷ)/(‖y‖‖ŷ‖) = −u·v with u = y/‖y‖, v = ŷ/‖ŷ‖;
/// ∂L/∂ŷ = −(u − (u·v)v)/‖ŷ‖. y = target row, ŷ = prediction row; a zero
/// row has no direction and is an error.
/// Reference: Keras `CosineSimilarity` (loss sign), Salton & McGill (1983).
pub(crate) fn cosine_row(
    rows: &RowsRef<'_>,
    preds: &RowsRef<'_>,
    i: usize,
    t: &[f64],
    p: &[f64],
    g: &mut [f64],
) -> Result<RowOut, LossError> {
    let (ny, np) = (norm(t), norm(p));
    for (what, n, r) in [("target", ny, rows), ("prediction", np, preds)] {
        if n == 0.0 {
            let row = if matches!(r, RowsRef::One(_)) {
                "the row".to_string()
            } else {
                format!("row {i}")
            };
            return Err(bad(
                what,
                format!("{row} is all zeros; cosine similarity needs a non-zero row"),
            ));
        }
    }
    let mut dot = Neumaier::new();
    t.iter()
        .zip(p)
        .for_each(|(a, b)| dot.add((a / ny) * (b / np)));
    let cos = dot.value();
    for (j, gj) in g.iter_mut().enumerate() {
        *gj = -(t[j] / ny - cos * (p[j] / np)) / np;
    }
    Ok(RowOut::new(-cos))
}
