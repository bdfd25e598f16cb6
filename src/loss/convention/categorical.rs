//! Categorical cross-entropies as each library computes them.
//!
//! # Formula
//! y′ = y(1 − ls) + ls/C (label smoothing over C classes), ε = 1e-7:
//! - Keras, probabilities (`categorical_crossentropy`, numpy and TensorFlow
//!   backends): renormalise the row, r = q/Σq, clip to [ε, 1 − ε], then
//!   L = −Σ_c y′_c log clip(r_c). The autograd gradient passes through the
//!   renormalisation: ∂L/∂q_j = (a_j − Σ_c a_c r_c)/Σq with
//!   a_c = −y′_c/r_c where r_c is inside the clip and 0 where it is clipped.
//!   Sparse labels: the same with y′ one-hot (`ignore_index` plays Keras'
//!   `ignore_class`).
//! - Keras, logits, and PyTorch `CrossEntropyLoss` (always logits), optax
//!   `softmax_cross_entropy` / `..._with_integer_labels` (logits, no smoothing):
//!   L = −Σ_c w_c y′_c log softmax(z)_c, ∂L/∂z_j = (Σ_c w_c y′_c) softmax(z)_j − w_j y′_j.
//!   PyTorch's `mean` over class indices with class weights divides by
//!   Σ w_t: losslab's `weighted_mean`; all targets ignored gives NaN.
//! - Keras focal (`categorical_focal_crossentropy`): softmax first with
//!   logits, renormalise, clip, then L = Σ_c α(1 − r_c)^γ·(−y′_c log r_c); α
//!   multiplies every class (0.25 by default).
//!
//! Source: keras/src/losses/losses.py, keras/src/backend/numpy/nn.py;
//! torch/nn/modules/loss.py (CrossEntropyLoss); optax/losses/_classification.py.

use std::sync::Arc;

use super::super::definition::{Row, RowKernel, RowOut};
use super::super::params::Reader;
use super::super::validate::bad;
use super::super::LossError;
use super::binary::KERAS_EPSILON;
use super::{rows, Convention, Conventional, Dtype};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Flavour {
    Keras,
    Pytorch,
    Optax,
}

#[derive(Debug)]
struct CrossEntropy {
    dtype: Dtype,
    sparse: bool,
    from_logits: bool,
    label_smoothing: f64,
    class_weights: Option<Vec<f64>>,
    ignore_index: Option<i64>,
    /// Categorical focal: (γ, α).
    focal: Option<(f64, f64)>,
}

fn read(
    r: &mut Reader<'_>,
    dtype: Dtype,
    flavour: Flavour,
    sparse: bool,
    focal: bool,
) -> Result<Arc<dyn RowKernel>, LossError> {
    let focal = if focal {
        Some((r.gamma()?, r.probability("alpha")?))
    } else {
        None
    };
    let from_logits = r.flag("from_logits")?;
    if flavour != Flavour::Keras && !from_logits {
        let library = if flavour == Flavour::Pytorch {
            "pytorch` takes logits (CrossEntropyLoss applies log_softmax)"
        } else {
            "optax` takes logits (softmax_cross_entropy)"
        };
        return Err(r.bad(
            "from_logits",
            format!("convention `{library}: set from_logits = true"),
        ));
    }
    let label_smoothing = if flavour == Flavour::Optax {
        0.0
    } else {
        r.probability("label_smoothing")?
    };
    let class_weights = if flavour == Flavour::Pytorch && focal.is_none() {
        r.class_weights("class_weights")?
    } else {
        None
    };
    let ignore_index = if sparse && flavour != Flavour::Optax {
        r.optional_integer("ignore_index")?
    } else {
        None
    };
    Ok(Arc::new(CrossEntropy {
        dtype,
        sparse,
        from_logits,
        label_smoothing,
        class_weights,
        ignore_index,
        focal,
    }))
}

pub(crate) static CCE: &[Conventional] = &[
    rows(Convention::Keras, |r, d| {
        read(r, d, Flavour::Keras, false, false)
    }),
    rows(Convention::Pytorch, |r, d| {
        read(r, d, Flavour::Pytorch, false, false)
    }),
    rows(Convention::Optax, |r, d| {
        read(r, d, Flavour::Optax, false, false)
    }),
];

pub(crate) static SCCE: &[Conventional] = &[
    rows(Convention::Keras, |r, d| {
        read(r, d, Flavour::Keras, true, false)
    }),
    rows(Convention::Pytorch, |r, d| {
        read(r, d, Flavour::Pytorch, true, false)
    }),
    rows(Convention::Optax, |r, d| {
        read(r, d, Flavour::Optax, true, false)
    }),
];

pub(crate) static CATEGORICAL_FOCAL: &[Conventional] = &[rows(Convention::Keras, |r, d| {
    read(r, d, Flavour::Keras, false, true)
})];

impl CrossEntropy {
    /// The smoothed target of class c.
    fn target(&self, row: &[f64], classes: usize) -> Result<Vec<f64>, String> {
        let d = self.dtype;
        let ls = d.r(self.label_smoothing);
        let n = classes as f64;
        let one_hot: Vec<f64> = if self.sparse {
            let label = row[0];
            if label.fract() != 0.0 || label < 0.0 || label >= n {
                return Err(format!(
                    "is {label}; labels must be integers in [0, {classes})"
                ));
            }
            (0..classes)
                .map(|c| if c == label as usize { 1.0 } else { 0.0 })
                .collect()
        } else {
            row.iter().map(|&y| d.r(y)).collect()
        };
        if ls == 0.0 {
            return Ok(one_hot);
        }
        Ok(one_hot
            .into_iter()
            .map(|y| d.r(d.r(y * d.r(1.0 - ls)) + d.r(ls / n)))
            .collect())
    }
}

impl RowKernel for CrossEntropy {
    fn sparse_labels(&self) -> bool {
        self.sparse
    }

    fn row(&self, row: Row<'_, '_>) -> Result<RowOut, LossError> {
        let Row {
            targets,
            predictions,
            index: i,
            target,
            prediction: p,
            gradient: g,
        } = row;
        if self.sparse
            && self
                .ignore_index
                .is_some_and(|ignore| target[0] == ignore as f64)
        {
            return Ok(RowOut {
                factor: 0.0,
                counted: false,
                ..RowOut::new(0.0)
            });
        }
        let y = self
            .target(target, p.len())
            .map_err(|m| bad("target", format!("{} {m}", targets.place(i, 0))))?;
        let value = if self.from_logits && self.focal.is_none() {
            self.softmax_cross_entropy(&y, p, g)
        } else {
            if !self.from_logits {
                if let Some((c, &x)) = p.iter().enumerate().find(|(_, x)| **x < 0.0) {
                    return Err(bad(
                        "prediction",
                        format!(
                            "{} is {x}; probabilities must be >= 0",
                            predictions.place(i, c)
                        ),
                    ));
                }
                if p.iter().all(|&x| x == 0.0) {
                    return Err(bad(
                        "prediction",
                        format!(
                            "row {i} sums to 0; Keras renormalises each row and would divide by 0"
                        ),
                    ));
                }
            }
            self.renormalised(&y, p, g)
        };
        let factor = match (&self.class_weights, self.sparse) {
            (Some(w), true) => w[target[0] as usize],
            _ => 1.0,
        };
        Ok(RowOut {
            factor,
            ..RowOut::new(value)
        })
    }

    fn check_classes(&self, loss: &str, classes: usize) -> Result<(), LossError> {
        match &self.class_weights {
            Some(w) if w.len() != classes => Err(LossError::BadParam {
                loss: loss.to_string(),
                param: "class_weights".to_string(),
                message: format!("has {} values but the data has {classes} classes", w.len()),
            }),
            _ => Ok(()),
        }
    }
}

impl CrossEntropy {
    /// −Σ w_c y′_c log softmax(z)_c and its gradient, in the working dtype.
    fn softmax_cross_entropy(&self, y: &[f64], z: &[f64], g: &mut [f64]) -> f64 {
        let d = self.dtype;
        let w = |c: usize| self.class_weights.as_ref().map_or(1.0, |w| w[c]);
        let top = z.iter().fold(f64::NEG_INFINITY, |m, &x| m.max(d.r(x)));
        let mut total = 0.0;
        for &x in z {
            total = d.r(total + d.r((d.r(x) - top).exp()));
        }
        let log_norm = d.ln(total);
        let mut value = 0.0;
        let mut mass = 0.0;
        for (c, &x) in z.iter().enumerate() {
            let wy = d.r(w(c) * y[c]);
            mass += wy;
            if wy != 0.0 {
                let log_q = d.r(d.r(d.r(x) - top) - log_norm);
                value = d.r(value - d.r(wy * log_q));
            }
        }
        for (j, gj) in g.iter_mut().enumerate() {
            let q = ((d.r(z[j]) - top) - log_norm).exp();
            *gj = d.r(mass * q - w(j) * y[j]);
        }
        value
    }

    /// Keras on probabilities (or focal after a softmax): renormalise, clip,
    /// then the sum; the gradient goes back through clip, renormalisation
    /// and softmax as autograd takes it.
    fn renormalised(&self, y: &[f64], p: &[f64], g: &mut [f64]) -> f64 {
        let d = self.dtype;
        let eps = d.r(KERAS_EPSILON);
        let hi = d.r(1.0 - eps);
        let q: Vec<f64> = if self.from_logits {
            let top = p.iter().fold(f64::NEG_INFINITY, |m, &x| m.max(x));
            let e: Vec<f64> = p.iter().map(|&x| d.r((d.r(x) - top).exp())).collect();
            let s = e.iter().fold(0.0, |s, x| d.r(s + x));
            e.iter().map(|x| d.r(x / s)).collect()
        } else {
            p.iter().map(|&x| d.r(x)).collect()
        };
        let sum = q.iter().fold(0.0, |s, x| d.r(s + x));
        let r: Vec<f64> = q.iter().map(|x| d.r(x / sum)).collect();
        let (gamma, alpha) = self.focal.unwrap_or((0.0, 1.0));
        let mut value = 0.0;
        // a_c = ∂L/∂r_c (0 where the clip is active).
        let mut a = vec![0.0; r.len()];
        for c in 0..r.len() {
            let rc = r[c].clamp(eps, hi);
            let log_r = d.ln(rc);
            let ce = d.r(-y[c] * log_r);
            let modulating = if gamma == 0.0 {
                1.0
            } else {
                d.r(d.r(1.0 - rc).powf(gamma))
            };
            value = d.r(value + d.r(d.r(alpha * modulating) * ce));
            if (eps..=hi).contains(&r[c]) && y[c] != 0.0 {
                let dmod = if gamma == 0.0 {
                    0.0
                } else {
                    -gamma * (1.0 - rc).powf(gamma - 1.0)
                };
                a[c] = alpha * (dmod * ce - modulating * y[c] / rc);
            }
        }
        // Through r = q/Σq.
        let inner: f64 = a.iter().zip(&r).map(|(ac, rc)| ac * rc).sum();
        let b: Vec<f64> = a.iter().map(|ac| (ac - inner) / sum).collect();
        // Through q = softmax(z).
        let softmax_inner: f64 = if self.from_logits {
            b.iter().zip(&q).map(|(bc, qc)| bc * qc).sum()
        } else {
            0.0
        };
        for (j, gj) in g.iter_mut().enumerate() {
            *gj = d.r(if self.from_logits {
                q[j] * (b[j] - softmax_inner)
            } else {
                b[j]
            });
        }
        value
    }
}
