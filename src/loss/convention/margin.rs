//! Hinge losses and the cosine similarity as each library computes them.
//!
//! # Formula
//! - Hinge, Keras: max(1 − yŷ, 0), where y becomes 2y − 1 if **every** label
//!   of the target is 0 or 1 and is used as given otherwise (a mix of 0, 1 and
//!   −1 is not converted: `convert_binary_labels_to_hinge`); squared hinge is
//!   its square. L′ = −y where 1 − yŷ > 0, else 0.
//! - Hinge, optax (`hinge_loss`): max(0, 1 − yŷ) with y as given (a label 0
//!   gives 1 whatever the score).
//! - Categorical hinge, Keras: max(neg − pos + 1, 0) with pos = Σ_c y_c ŷ_c and
//!   neg = max_c (1 − y_c) ŷ_c, labels never converted; where the loss is
//!   positive, ∂/∂ŷ_j = −y_j + (1 − y_j)·[j attains neg]/(number of ties), as
//!   TensorFlow's `reduce_max` gradient splits ties.
//! - Hinge, scikit-learn (`hinge_loss` with 1-D decision values): max(0,
//!   1 − yŷ) with y from `LabelBinarizer(neg_label=-1)` over the whole
//!   target (the smaller of two labels −1, the larger 1, a single label −1;
//!   more than two refused: see `label_binarizer`). y is an integer array
//!   there, so in float32 only ŷ is rounded and the arithmetic is float64.
//!   scikit-learn computes no gradient; losslab gives the exact hinge's
//!   subgradient, −y where 1 − yŷ > 0, else 0 (0 at the kink).
//! - Categorical hinge, scikit-learn (`hinge_loss` with 2-D decision values,
//!   Crammer–Singer): max(0, 1 − (ŷ_t − max_{c≠t} ŷ_c)) for the one-hot
//!   row's class t, with at least three classes (scikit-learn reads two
//!   classes as binary and refuses 2-D decision values for them). The
//!   columns are the classes, as when `labels` is passed, so a class absent
//!   from the target is not an error. In float64 these are the exact loss's
//!   bits; in float32 the margin and 1 − margin are rounded (the mean stays
//!   losslab's float64 sum, as for every convention, where numpy averages
//!   float32 values in float32: 4/3 can come out as 1.3333334). Where the loss
//!   is positive the subgradient is −1 at t and +1 at the first maximising
//!   rival (the exact loss's choice; scikit-learn has no gradient). It
//!   equals Keras' categorical hinge when max_{c≠t} ŷ_c ≥ 0 (probabilities,
//!   say); below 0 Keras' max over (1 − y)ŷ takes the true class's 0
//!   instead, so [1, 0, 0] against [−1, −2, −3] is 2 in Keras and 0 here.
//! - Cosine similarity, Keras: −Σ_c ŷ_c y_c / (n(ŷ) n(y)) with
//!   n(x) = sqrt(max(Σ x², ε²)), ε = 1e-7 (`ops.nn.normalize`): a zero row
//!   gives 0, not an error.
//!
//! Source: keras/src/losses/losses.py, keras/src/ops/nn.py (`_normalize`);
//! optax/losses/_classification.py; sklearn/metrics/_classification.py
//! (`hinge_loss`, scikit-learn 1.9).

use std::sync::Arc;

use super::binary::KERAS_EPSILON;
use super::{elementwise, rows, Convention, Conventional, Dtype};
use crate::loss::definition::{ElementwiseKernel, Labels, Row, RowKernel, RowOut};
use crate::loss::margin::{crammer_singer_row, hinge};
use crate::loss::{LossError, Point};

pub(crate) static HINGE: &[Conventional] = &[
    elementwise(Convention::Keras, |_, dtype| {
        Ok(Arc::new(Hinge {
            squared: false,
            keras_labels: true,
            dtype,
        }))
    }),
    elementwise(Convention::Optax, |_, dtype| {
        Ok(Arc::new(Hinge {
            squared: false,
            keras_labels: false,
            dtype,
        }))
    }),
    elementwise(Convention::Sklearn, |_, dtype| {
        Ok(Arc::new(SklearnHinge { dtype }))
    }),
];

pub(crate) static SQUARED_HINGE: &[Conventional] = &[elementwise(Convention::Keras, |_, dtype| {
    Ok(Arc::new(Hinge {
        squared: true,
        keras_labels: true,
        dtype,
    }))
})];

pub(crate) static CATEGORICAL_HINGE: &[Conventional] = &[
    rows(Convention::Keras, |_, dtype| {
        Ok(Arc::new(CategoricalHinge { dtype }))
    }),
    rows(Convention::Sklearn, |_, dtype| {
        Ok(Arc::new(SklearnCategoricalHinge { dtype }))
    }),
];

pub(crate) static COSINE: &[Conventional] = &[rows(Convention::Keras, |_, dtype| {
    Ok(Arc::new(Cosine { dtype }))
})];

#[derive(Debug)]
struct Hinge {
    squared: bool,
    keras_labels: bool,
    dtype: Dtype,
}

impl ElementwiseKernel for Hinge {
    fn point(&self, y: f64, yhat: f64) -> Point {
        let d = self.dtype;
        let (y, yhat) = (d.r(y), d.r(yhat));
        let margin = d.r(1.0 - d.r(y * yhat));
        if margin <= 0.0 {
            return Point {
                value: 0.0,
                gradient: 0.0,
                hessian: 0.0,
            };
        }
        if self.squared {
            Point {
                value: d.r(margin * margin),
                gradient: d.r(-2.0 * y * margin),
                hessian: d.r(2.0 * y * y),
            }
        } else {
            Point {
                value: margin,
                gradient: -y,
                hessian: 0.0,
            }
        }
    }

    fn labels(&self) -> Labels {
        if self.keras_labels {
            Labels::ConvertIfZeroOne
        } else {
            Labels::AsGiven
        }
    }
}

#[derive(Debug)]
struct CategoricalHinge {
    dtype: Dtype,
}

impl RowKernel for CategoricalHinge {
    fn row(&self, row: Row<'_, '_>) -> Result<RowOut, LossError> {
        let d = self.dtype;
        let (y, q, g) = (row.target, row.prediction, row.gradient);
        let mut pos = 0.0;
        for (a, b) in y.iter().zip(q) {
            pos = d.r(pos + d.r(d.r(*a) * d.r(*b)));
        }
        let rival = |c: usize| d.r(d.r(1.0 - d.r(y[c])) * d.r(q[c]));
        let neg = (0..q.len()).map(rival).fold(f64::NEG_INFINITY, f64::max);
        let value = d.r(d.r(neg - pos) + 1.0).max(0.0);
        if value > 0.0 {
            let ties = (0..q.len()).filter(|&c| rival(c) == neg).count() as f64;
            for (c, gc) in g.iter_mut().enumerate() {
                let split = if rival(c) == neg {
                    (1.0 - y[c]) / ties
                } else {
                    0.0
                };
                *gc = d.r(split - y[c]);
            }
        }
        Ok(RowOut::new(value))
    }
}

#[derive(Debug)]
struct SklearnHinge {
    dtype: Dtype,
}

impl ElementwiseKernel for SklearnHinge {
    /// `y` is ±1 here: the whole target has been binarised (`Labels::Binarize`).
    fn point(&self, y: f64, yhat: f64) -> Point {
        hinge(y, self.dtype.r(yhat))
    }

    fn labels(&self) -> Labels {
        Labels::Binarize
    }
}

#[derive(Debug)]
struct SklearnCategoricalHinge {
    dtype: Dtype,
}

impl RowKernel for SklearnCategoricalHinge {
    fn check_classes(&self, loss: &str, classes: usize) -> Result<(), LossError> {
        if classes >= 3 {
            return Ok(());
        }
        Err(LossError::BadParam {
            loss: loss.to_string(),
            param: "convention".to_string(),
            message: format!(
                "scikit-learn's hinge_loss takes one decision value per class only for three or \
                 more classes (it reads two as binary and wants one decision value per sample), \
                 but the data has {classes}; for two classes give ŷ₁ − ŷ₀ and labels to hinge \
                 with convention = sklearn"
            ),
        })
    }

    fn row(&self, row: Row<'_, '_>) -> Result<RowOut, LossError> {
        // Three classes or more (`check_classes`), so a rival exists.
        let d = self.dtype;
        crammer_singer_row(row, |x| d.r(x))
    }
}

#[derive(Debug)]
struct Cosine {
    dtype: Dtype,
}

impl RowKernel for Cosine {
    fn row(&self, row: Row<'_, '_>) -> Result<RowOut, LossError> {
        let d = self.dtype;
        let (y, q, g) = (row.target, row.prediction, row.gradient);
        let floor = d.r(d.r(KERAS_EPSILON) * d.r(KERAS_EPSILON));
        let squares = |v: &[f64]| v.iter().fold(0.0, |s, x| d.r(s + d.r(d.r(*x) * d.r(*x))));
        let (sy, sq) = (squares(y), squares(q));
        let inv_y = d.r(1.0 / d.r(sy.max(floor).sqrt()));
        let inv_q = d.r(1.0 / d.r(sq.max(floor).sqrt()));
        let mut dot = 0.0;
        for (a, b) in y.iter().zip(q) {
            dot = d.r(dot + d.r(d.r(d.r(*a) * inv_y) * d.r(d.r(*b) * inv_q)));
        }
        // ∂/∂q_j of −(ŷ·y_n)·inv_q: −y_n,j·inv_q, plus, where the norm is not
        // clamped, the rescaling term (ŷ·y_n)·q_j·inv_q³.
        let clamped = sq < floor;
        let yq = dot / inv_q;
        for (j, gj) in g.iter_mut().enumerate() {
            let direct = -y[j] * inv_y * inv_q;
            let through_norm = if clamped {
                0.0
            } else {
                yq * q[j] * inv_q * inv_q * inv_q
            };
            *gj = d.r(direct + through_norm);
        }
        Ok(RowOut::new(-dot))
    }
}
