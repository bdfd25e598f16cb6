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

use std::sync::Arc;

use super::convention;
use super::definition::{Build, Definition, Hue, Lhs, Row, RowKernel, RowOut};
use super::sampling::{Region, Sampling};
use super::sum::DoubleDouble;
use super::validate::{bad, RowsRef};
use super::LossError;

#[derive(Debug)]
struct Cosine;

impl RowKernel for Cosine {
    fn row(&self, row: Row<'_, '_>) -> Result<RowOut, LossError> {
        cosine_row(row)
    }
}

pub(crate) static COSINE: Definition = Definition {
    name: "cosine_similarity",
    aliases: &["cosine"],
    family: "similarity",
    display_name: "cosine similarity",
    params: &[],
    formula: "-(y . prediction) / (|y| |prediction|) per row",
    latex: r"-\frac{y\cdot\hat y}{\lVert y\rVert\,\lVert\hat y\rVert}",
    lhs: Lhs {
        text: "ℓ_Cosine",
        latex: r"\ell_{\mathrm{Cosine}}",
    },
    hue: Hue::SkyBlue,
    // −cos lies in [−1, 1].
    sampling: &[Sampling::new(Region::Distribution, Region::Between(-6.0, 6.0)).signed()],
    build: Build::Rows(|_| Ok(Arc::new(Cosine))),
    conventions: convention::margin::COSINE,
};

/// 2^k with 2^k·max|v| in [1, 2): an exact rescaling that keeps squares in range.
fn power_of_two_scale(v: &[f64]) -> f64 {
    let largest = v.iter().fold(0.0f64, |m, x| m.max(x.abs()));
    if largest == 0.0 {
        return 0.0;
    }
    let k = largest.log2().floor() as i32;
    // Two steps: 2^-k alone may not be representable for subnormal rows.
    let (a, b) = (-k / 2, -k - (-k / 2));
    2f64.powi(a) * 2f64.powi(b)
}

/// Cosine-similarity loss of one row.
///
/// # Formula
/// L = −(y·ŷ)/(‖y‖‖ŷ‖) = −u·v with u = y/‖y‖, v = ŷ/‖ŷ‖;
/// ∂L/∂ŷ = −(u − cv)/‖ŷ‖ with c = u·v;
/// ∂²L/∂ŷ² = [v(u − cv)ᵀ + (u − cv)vᵀ + c(I − vvᵀ)]/‖ŷ‖² (not returned for row losses).
/// y = target row, ŷ = prediction row; a zero row has no direction and is an error.
/// Sums are taken in double-double on rows rescaled by powers of 2 (exact), so
/// 1e±200 entries neither overflow nor underflow and ∂L/∂ŷ keeps its digits.
/// Reference: Keras `CosineSimilarity` (loss sign), Salton & McGill (1983).
fn cosine_row(row: Row<'_, '_>) -> Result<RowOut, LossError> {
    let Row {
        targets: rows,
        predictions: preds,
        index: i,
        target: t,
        prediction: p,
        gradient: g,
    } = row;
    let (sy, sp) = (power_of_two_scale(t), power_of_two_scale(p));
    for (what, s, r) in [("target", sy, &rows), ("prediction", sp, &preds)] {
        if s == 0.0 {
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
    // Scaled rows (exact): cosine is scale-invariant, and ∂L/∂ŷ = s·∇L(sŷ).
    // Sums of squares and the dot product in double-double, so that the
    // gradient's numerator y_j‖ŷ‖² − (y·ŷ)ŷ_j keeps its digits when it nearly cancels.
    let (mut yy, mut pp, mut yp) = (
        DoubleDouble::default(),
        DoubleDouble::default(),
        DoubleDouble::default(),
    );
    for (&a, &b) in t.iter().zip(p) {
        let (a, b) = (a * sy, b * sp);
        yy = yy.add_product(a, a);
        pp = pp.add_product(b, b);
        yp = yp.add_product(a, b);
    }
    let (ny, np) = (yy.value().sqrt(), pp.value().sqrt());
    let cos = yp.value() / (ny * np);
    let denominator = ny * np * pp.value();
    for (j, gj) in g.iter_mut().enumerate() {
        let numerator = pp.times(t[j] * sy).add(yp.times(p[j] * sp).neg());
        *gj = -(numerator.value() / denominator) * sp;
    }
    Ok(RowOut::new(-cos))
}
