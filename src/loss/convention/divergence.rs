//! The Kullback–Leibler divergence as each library computes it.
//!
//! # Formula
//! Per row, p = target, q = prediction, ε = 1e-7:
//! - Keras (`kl_divergence`): clip both to [ε, 1], L = Σ_c p̃_c log(p̃_c/q̃_c); a
//!   zero in p contributes ε log(ε/q̃_c), not 0 (Keras issue 15665).
//!   ∂L/∂q_j = −p̃_j/q̃_j where q_j is inside the clip, else 0.
//! - PyTorch (`KLDivLoss`, log_target = false): the prediction is the
//!   **log**-probability x = log q; L = Σ_c p_c (log p_c − x_c) with 0 at
//!   p_c = 0 (xlogy); ∂L/∂x_j = −p_j. Its default `reduction = "mean"` divides
//!   by every element, N·C, which losslab spells `weighted_mean` here (each
//!   row counts C times); losslab's `mean` is PyTorch's `batchmean`, the
//!   mathematical KL (PyTorch issue 14457: distillation with `mean` shrinks
//!   the loss by the number of classes). With `log_target = true` the
//!   target is a log-probability t too: L = Σ_c e^{t_c}(t_c − x_c),
//!   ∂L/∂x_j = −e^{t_j} (conventions.md).
//! - optax (`kl_divergence(log_predictions, targets)`): the same per-row sum
//!   on log-probabilities, left unreduced (the caller averages: `mean`).
//! - scipy (`scipy.stats.entropy(p, q, base)`): both rows silently rescaled to
//!   sum to 1 (scipy issue 12553), then Σ p̂ log(p̂/q̂)/log b;
//!   ∂L/∂q_j = (1/S_q − p̂_j/q_j)/log b with S_q = Σq.
//!
//! Source: keras/src/losses/losses.py; torch/nn/modules/loss.py and
//! torch/nn/functional.py (`kl_div`); optax/losses/_classification.py;
//! scipy/stats/_entropy.py.

use std::sync::Arc;

use super::binary::KERAS_EPSILON;
use super::{rows, Convention, Conventional, Dtype};
use crate::loss::definition::{Row, RowKernel, RowOut};
use crate::loss::divergence::ln_ratio;
use crate::loss::params::{ParamDefault, ParamSpec};
use crate::loss::validate::bad;
use crate::loss::LossError;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Flavour {
    Keras,
    Pytorch,
    Optax,
    Scipy,
}

#[derive(Debug)]
struct Kl {
    flavour: Flavour,
    dtype: Dtype,
    ln_base: f64,
    /// PyTorch's `log_target`: the target is a log-probability.
    log_target: bool,
}

/// PyTorch `KLDivLoss(log_target=...)`, an option the exact KL lacks.
const LOG_TARGET: ParamSpec = ParamSpec::new(
    "log_target",
    ParamDefault::Bool(false),
    "convention pytorch only: the target is a log-probability t too, loss exp(t)(t - x)",
);

pub(crate) static KL: &[Conventional] = &[
    rows(Convention::Keras, |_, dtype| {
        Ok(Arc::new(Kl {
            flavour: Flavour::Keras,
            dtype,
            ln_base: 1.0,
            log_target: false,
        }))
    }),
    Conventional {
        extra: &[LOG_TARGET],
        ..rows(Convention::Pytorch, |r, dtype| {
            Ok(Arc::new(Kl {
                flavour: Flavour::Pytorch,
                dtype,
                ln_base: 1.0,
                log_target: r.flag("log_target")?,
            }))
        })
    },
    rows(Convention::Optax, |_, dtype| {
        Ok(Arc::new(Kl {
            flavour: Flavour::Optax,
            dtype,
            ln_base: 1.0,
            log_target: false,
        }))
    }),
    rows(Convention::Scipy, |r, dtype| {
        Ok(Arc::new(Kl {
            flavour: Flavour::Scipy,
            dtype,
            ln_base: r.log_base("base")?,
            log_target: false,
        }))
    }),
];

impl RowKernel for Kl {
    fn row(&self, row: Row<'_, '_>) -> Result<RowOut, LossError> {
        let Row {
            targets,
            predictions,
            index: i,
            target: p,
            prediction: x,
            gradient: g,
        } = row;
        // A log-probability target is ≤ 0 by nature; probabilities are ≥ 0.
        if let Some((c, &v)) = p
            .iter()
            .enumerate()
            .find(|(_, v)| !self.log_target && **v < 0.0)
        {
            return Err(bad(
                "target",
                format!("{} is {v}; probabilities must be >= 0", targets.place(i, c)),
            ));
        }
        let d = self.dtype;
        match self.flavour {
            Flavour::Keras => {
                let eps = d.r(KERAS_EPSILON);
                let mut value = 0.0;
                for (j, gj) in g.iter_mut().enumerate() {
                    let pc = d.r(p[j]).clamp(eps, 1.0);
                    let q = d.r(x[j]);
                    let qc = q.clamp(eps, 1.0);
                    value = d.r(value + d.r(pc * d.ln(d.r(pc / qc))));
                    *gj = if (eps..=1.0).contains(&q) {
                        d.r(-pc / qc)
                    } else {
                        0.0
                    };
                }
                Ok(RowOut::new(value))
            }
            Flavour::Pytorch | Flavour::Optax => {
                let mut value = 0.0;
                for (j, gj) in g.iter_mut().enumerate() {
                    // (weight p_c, log p_c): from p, or from t = log p.
                    let (pc, log_p) = if self.log_target {
                        let t = d.r(p[j]);
                        (d.r(t.exp()), t)
                    } else {
                        let pc = d.r(p[j]);
                        (pc, d.ln(pc))
                    };
                    if pc != 0.0 {
                        value = d.r(value + d.r(pc * d.r(log_p - d.r(x[j]))));
                    }
                    *gj = -pc;
                }
                let factor = if self.flavour == Flavour::Pytorch {
                    p.len() as f64
                } else {
                    1.0
                };
                Ok(RowOut {
                    factor,
                    ..RowOut::new(value)
                })
            }
            Flavour::Scipy => {
                if let Some((c, &v)) = x.iter().enumerate().find(|(_, v)| **v < 0.0) {
                    return Err(bad(
                        "prediction",
                        format!(
                            "{} is {v}; probabilities must be >= 0",
                            predictions.place(i, c)
                        ),
                    ));
                }
                let sp: f64 = p.iter().sum();
                let sq: f64 = x.iter().sum();
                if sp == 0.0 || sq == 0.0 {
                    return Err(bad(
                        "target",
                        format!("row {i} sums to 0; scipy's entropy rescales rows to sum to 1"),
                    ));
                }
                let mut value = 0.0;
                for (j, gj) in g.iter_mut().enumerate() {
                    let (ph, qh) = (p[j] / sp, x[j] / sq);
                    if ph > 0.0 {
                        value += if qh == 0.0 {
                            f64::INFINITY
                        } else {
                            ph * ln_ratio(ph, qh)
                        };
                    }
                    let direct = if ph == 0.0 { 0.0 } else { -ph / x[j] };
                    *gj = d.r((1.0 / sq + direct) / self.ln_base);
                }
                Ok(RowOut::new(d.r(value / self.ln_base)))
            }
        }
    }
}
