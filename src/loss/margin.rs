//! Margin losses: hinge, squared hinge (labels ±1) and the Crammer–Singer
//! categorical hinge.
//!
//! ```
//! use losslab::loss::{Data, Loss, Params, Reduction};
//! let hinge = Loss::new("hinge", &Params::new()).unwrap();
//! // Labels in {0, 1} are mapped to −1/1, as Keras does.
//! let e = hinge
//!     .evaluate(&Data::Flat(vec![0.0, 1.0]), &Data::Flat(vec![0.5, 0.5]), None, Reduction::Sum)
//!     .unwrap();
//! assert_eq!(e.per_sample, vec![1.5, 0.5]);
//! ```

use std::sync::Arc;

use super::convention;
use super::definition::{
    Build, Definition, ElementwiseKernel, Hue, Labels, Lhs, Row, RowKernel, RowOut,
};
use super::sampling::{Region, Sampling, WIDE};
use super::validate::{bad, RowsRef};
use super::{LossError, Point};

const SIGNS: Region = Region::OneOf(&[-1.0, 1.0]);

#[derive(Debug)]
struct Hinge;

impl ElementwiseKernel for Hinge {
    #[inline]
    fn point(&self, y: f64, yhat: f64) -> Point {
        hinge(y, yhat)
    }

    fn labels(&self) -> Labels {
        Labels::Signed
    }
}

pub(crate) static HINGE: Definition = Definition {
    name: "hinge",
    aliases: &[],
    family: "margin",
    display_name: "hinge",
    params: &[],
    formula: "max(0, 1 - y prediction), y in {-1, 1} (or {0, 1} mapped to -1/1)",
    latex: r"\max(0, 1 - y\hat y)",
    lhs: Lhs {
        text: "ℓ_Hinge",
        latex: r"\ell_{\mathrm{Hinge}}",
    },
    hue: Hue::Vermillion,
    // The kink is at margin 1, where ŷ = y for y = ±1.
    sampling: &[Sampling::new(SIGNS, WIDE).kinks(&[0.0])],
    build: Build::Elementwise(|_| Ok(Arc::new(Hinge))),
    conventions: convention::margin::HINGE,
};

#[derive(Debug)]
struct SquaredHinge;

impl ElementwiseKernel for SquaredHinge {
    #[inline]
    fn point(&self, y: f64, yhat: f64) -> Point {
        squared_hinge(y, yhat)
    }

    fn labels(&self) -> Labels {
        Labels::Signed
    }
}

pub(crate) static SQUARED_HINGE: Definition = Definition {
    name: "squared_hinge",
    aliases: &[],
    family: "margin",
    display_name: "squared hinge",
    params: &[],
    formula: "max(0, 1 - y prediction)^2",
    latex: r"\max(0, 1 - y\hat y)^2",
    lhs: Lhs {
        text: "ℓ_SquaredHinge",
        latex: r"\ell_{\mathrm{SquaredHinge}}",
    },
    hue: Hue::BluishGreen,
    sampling: &[Sampling::new(SIGNS, WIDE).kinks(&[0.0])],
    build: Build::Elementwise(|_| Ok(Arc::new(SquaredHinge))),
    conventions: convention::margin::SQUARED_HINGE,
};

#[derive(Debug)]
struct CategoricalHinge;

impl RowKernel for CategoricalHinge {
    fn row(&self, row: Row<'_, '_>) -> Result<RowOut, LossError> {
        categorical_hinge_row(row)
    }
}

pub(crate) static CATEGORICAL_HINGE: Definition = Definition {
    name: "categorical_hinge",
    aliases: &[],
    family: "margin",
    display_name: "categorical hinge",
    params: &[],
    formula: "max(0, 1 + max_{c != t} prediction_c - prediction_t) per one-hot row",
    latex: r"\max\left(0, 1 + \max_{c\ne t}\hat y_c - \hat y_t\right)",
    lhs: Lhs {
        text: "ℓ_CategoricalHinge",
        latex: r"\ell_{\mathrm{CategoricalHinge}}",
    },
    hue: Hue::SkyBlue,
    // The property tests keep away from the kink (margin 0) and rival ties.
    sampling: &[Sampling::new(Region::OneHot, Region::Between(-6.0, 6.0))],
    build: Build::Rows(|_| Ok(Arc::new(CategoricalHinge))),
    conventions: convention::margin::CATEGORICAL_HINGE,
};

/// Hinge loss for a label y = ±1.
///
/// # Formula
/// L = max(0, 1 − yŷ); L′ = −y where 1 − yŷ > 0, else 0 (also at the kink); L″ = 0.
/// y ∈ {−1, 1} is the label, ŷ the score.
/// Reference: Cortes & Vapnik (1995), "Support-vector networks"; Keras `Hinge`.
#[inline]
pub(crate) fn hinge(y: f64, yhat: f64) -> Point {
    let m = 1.0 - y * yhat;
    if m > 0.0 {
        Point {
            value: m,
            gradient: -y,
            hessian: 0.0,
        }
    } else {
        Point {
            value: 0.0,
            gradient: 0.0,
            hessian: 0.0,
        }
    }
}

/// Squared hinge loss for a label y = ±1.
///
/// # Formula
/// L = max(0, 1 − yŷ)²; L′ = −2y·max(0, 1 − yŷ); L″ = 2y² = 2 where
/// 1 − yŷ > 0, else 0 (0 at the kink, where the second derivative jumps).
/// Reference: Keras `SquaredHinge`.
#[inline]
pub(crate) fn squared_hinge(y: f64, yhat: f64) -> Point {
    let m = 1.0 - y * yhat;
    if m > 0.0 {
        Point {
            value: m * m,
            gradient: -2.0 * y * m,
            hessian: 2.0 * y * y,
        }
    } else {
        Point {
            value: 0.0,
            gradient: 0.0,
            hessian: 0.0,
        }
    }
}

/// Decide the label convention of hinge targets: `Ok(true)` if every label is
/// 0 or 1 (to be mapped to −1/1), `Ok(false)` if every label is −1 or 1.
pub(crate) fn zero_one_labels(target: &[f64]) -> Result<bool, LossError> {
    let mut first_zero = None;
    let mut first_minus = None;
    for (i, &y) in target.iter().enumerate() {
        if y == 0.0 {
            first_zero.get_or_insert(i);
        } else if y == -1.0 {
            first_minus.get_or_insert(i);
        } else if y != 1.0 {
            return Err(bad(
                "target",
                format!(
                    "index {i} is {y}; hinge labels must be all in {{-1, 1}} or all in {{0, 1}}"
                ),
            ));
        }
    }
    match (first_zero, first_minus) {
        (Some(z), Some(m)) => Err(bad(
            "target",
            format!(
                "index {} is {} but index {} is {}; hinge labels must be all in {{-1, 1}} or all in {{0, 1}}",
                z.max(m),
                if z > m { "0" } else { "-1" },
                z.min(m),
                if z > m { "-1" } else { "0" },
            ),
        )),
        (Some(_), None) => Ok(true),
        _ => Ok(false),
    }
}

/// Categorical (Crammer–Singer) hinge of one one-hot row.
///
/// # Formula
/// L = max(0, 1 + max_{c≠t} ŷ_c − ŷ_t), t the class with y_t = 1;
/// where L > 0: ∂L/∂ŷ_k = +1 for k the (first) maximising c ≠ t, −1 for k = t,
/// 0 elsewhere; where L = 0 (including the kink) the gradient is 0.
/// The second derivative is 0 wherever it exists (L is piecewise linear).
/// Reference: Crammer & Singer (2001), "On the algorithmic implementation of
/// multiclass kernel-based vector machines". (Keras takes the max over
/// (1 − y)·ŷ, counting the true class as 0; not done here.)
fn categorical_hinge_row(row: Row<'_, '_>) -> Result<RowOut, LossError> {
    crammer_singer_row(row, |x| x)
}

/// [`categorical_hinge_row`] with every input and step passed through
/// `round` (a convention's working precision; the identity for the exact
/// loss): 1 − (ŷ_t − ŷ_rival) is 1 + (ŷ_rival − ŷ_t) to the last bit, since
/// rounding is symmetric in sign.
pub(crate) fn crammer_singer_row(
    row: Row<'_, '_>,
    round: impl Fn(f64) -> f64,
) -> Result<RowOut, LossError> {
    let truth = one_hot_class(&row)?;
    let (p, g) = (row.prediction, row.gradient);
    if p.len() < 2 {
        // No rival class: the max over an empty set is −∞, so no margin is violated.
        return Ok(RowOut::new(0.0));
    }
    let rival = first_rival(p, truth);
    let value = round(1.0 - round(round(p[truth]) - round(p[rival])));
    if value > 0.0 {
        g[rival] = 1.0;
        g[truth] = -1.0;
        Ok(RowOut::new(value))
    } else {
        Ok(RowOut::new(0.0))
    }
}

/// The class of a one-hot target row, or an error naming the row and what
/// is wrong with it (categorical hinge needs exactly one 1 and zeros elsewhere).
fn one_hot_class(row: &Row<'_, '_>) -> Result<usize, LossError> {
    let (rows, i, t) = (row.targets, row.index, row.target);
    let ones = t.iter().filter(|&&y| y == 1.0).count();
    let stray = t.iter().position(|&y| y != 0.0 && y != 1.0);
    if ones != 1 || stray.is_some() {
        let detail = match stray {
            Some(c) => format!("{} is {}", rows.place(i, c), t[c]),
            None => format!("it has {ones} ones"),
        };
        let row = if matches!(rows, RowsRef::One(_)) {
            "the row".to_string()
        } else {
            format!("row {i}")
        };
        return Err(bad(
            "target",
            format!("{row} is not one-hot ({detail}); categorical_hinge needs exactly one 1 and zeros elsewhere"),
        ));
    }
    Ok(t.iter().position(|&y| y == 1.0).unwrap_or(0))
}

/// The first class c ≠ `truth` with the largest score (at least two classes):
/// the rival whose ŷ_c the subgradient moves when several tie.
fn first_rival(p: &[f64], truth: usize) -> usize {
    let mut rival = if truth == 0 { 1 } else { 0 };
    for (c, &x) in p.iter().enumerate() {
        if c != truth && x > p[rival] {
            rival = c;
        }
    }
    rival
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn label_sets() {
        assert_eq!(zero_one_labels(&[0.0, 1.0, 1.0]), Ok(true));
        assert_eq!(zero_one_labels(&[-1.0, 1.0]), Ok(false));
        let e = zero_one_labels(&[1.0, 0.0, -1.0]).unwrap_err().to_string();
        assert_eq!(e, "target: index 2 is -1 but index 1 is 0; hinge labels must be all in {-1, 1} or all in {0, 1}");
        let e = zero_one_labels(&[1.0, 2.0]).unwrap_err().to_string();
        assert!(e.contains("index 1 is 2"), "{e}");
    }

    #[test]
    fn kink_gradient_is_zero() {
        assert_eq!(hinge(1.0, 1.0).gradient, 0.0);
        assert_eq!(squared_hinge(-1.0, -1.0).gradient, 0.0);
    }
}
