//! The one file that calls the loss core: every value and derivative the
//! trainer uses comes through [`Objective::evaluate`]. When the core's API
//! changes, only this file changes.
//!
//! The core takes derivatives with respect to the prediction. A fit puts the
//! model's outputs in the prediction slot. A reverse divergence KL(q‖p) puts
//! the model's distribution q in the *target* slot, where the core gives no
//! derivative; there ∂/∂q_c = ln(q_c/p_c) + 1 follows from the core's
//! derivative with respect to the prediction p, −q_c/p_c.

use super::TrainError;
use crate::loss::{Data, Loss, ParamValue, Params, Reduction, Shape};

/// What the model's outputs are scored against: a loss with its targets, or a
/// reverse divergence to a reference distribution.
#[derive(Debug, Clone)]
pub struct Objective {
    kind: Kind,
}

#[derive(Debug, Clone)]
enum Kind {
    Fit {
        loss: Loss,
        targets: Data,
        weights: Option<Vec<f64>>,
        reduction: Reduction,
    },
    /// KL(q‖p) with q the model's one output row and p this reference.
    ReverseKl { kl: Loss, reference: Vec<f64> },
}

/// The objective at one set of outputs, everything flattened to the outputs' layout.
#[derive(Debug, Clone)]
pub(crate) struct Evaluated {
    pub value: f64,
    /// ∂value/∂output, one entry per output (samples × outputs per sample).
    pub gradient: Vec<f64>,
    /// ∂²value/∂output², elementwise losses only.
    pub hessian: Option<Vec<f64>>,
}

impl Objective {
    /// A loss between `targets` and the model's outputs (flat for one output
    /// per sample and an elementwise loss; rows otherwise; sparse labels flat).
    pub fn loss(
        loss: &Loss,
        targets: Data,
        weights: Option<Vec<f64>>,
        reduction: Reduction,
    ) -> Objective {
        Objective {
            kind: Kind::Fit {
                loss: loss.clone(),
                targets,
                weights,
                reduction,
            },
        }
    }

    /// KL(p‖q) in nats (forward, mean-seeking: p = `reference` is the target,
    /// the model's q the prediction) or KL(q‖p) (reverse, mode-seeking).
    /// `reference` is one distribution, as cell masses.
    pub fn kl(reference: Vec<f64>, reverse: bool) -> Result<Objective, TrainError> {
        let kl = Loss::new("kl_divergence", &Params::new()).map_err(|e| core("kl", e))?;
        let kind = if reverse {
            Kind::ReverseKl { kl, reference }
        } else {
            Kind::Fit {
                loss: kl,
                targets: Data::Rows(vec![reference]),
                weights: None,
                reduction: Reduction::Sum,
            }
        };
        Ok(Objective { kind })
    }

    /// Samples the targets describe (rows, or elements of a flat target).
    pub(crate) fn samples(&self) -> usize {
        match &self.kind {
            Kind::Fit { targets, .. } => match targets {
                Data::Flat(v) => v.len(),
                Data::Rows(r) => r.len(),
            },
            Kind::ReverseKl { .. } => 1,
        }
    }

    /// Flat numeric targets, one per sample (regression residuals for IRLS).
    pub(crate) fn flat_targets(&self) -> Option<&[f64]> {
        match &self.kind {
            Kind::Fit {
                targets: Data::Flat(t),
                loss,
                ..
            } if loss.shape() == Shape::Elementwise => Some(t),
            _ => None,
        }
    }

    /// The loss's name, for messages.
    pub(crate) fn name(&self) -> String {
        match &self.kind {
            Kind::Fit { loss, .. } => loss.name().to_string(),
            Kind::ReverseKl { .. } => "reverse kl_divergence".to_string(),
        }
    }

    /// A loss that reads probabilities although it could read logits: a model
    /// with a logit head must be paired with `from_logits = true`.
    pub(crate) fn wants_probabilities(&self) -> bool {
        match &self.kind {
            Kind::Fit { loss, .. } => {
                let params: Params = loss.params();
                matches!(params.get("from_logits"), Some(ParamValue::Bool(false)))
            }
            Kind::ReverseKl { .. } => false,
        }
    }

    /// Value and derivatives at `outputs` (`width` outputs per sample).
    pub(crate) fn evaluate(&self, outputs: &[f64], width: usize) -> Result<Evaluated, TrainError> {
        match &self.kind {
            Kind::Fit {
                loss,
                targets,
                weights,
                reduction,
            } => {
                let prediction = if width == 1 && loss.shape() == Shape::Elementwise {
                    Data::Flat(outputs.to_vec())
                } else {
                    Data::Rows(outputs.chunks(width.max(1)).map(<[f64]>::to_vec).collect())
                };
                let e = loss
                    .evaluate(targets, &prediction, weights.as_deref(), *reduction)
                    .map_err(|e| core("predictions", e))?;
                let gradient = match e.gradient {
                    Data::Flat(g) => g,
                    Data::Rows(rows) => rows.concat(),
                };
                Ok(Evaluated {
                    value: e.value,
                    gradient,
                    hessian: e.hessian,
                })
            }
            Kind::ReverseKl { kl, reference } => reverse_kl(kl, reference, outputs),
        }
    }
}

/// KL(q‖p) and ∂/∂q in one call of the core with q as the target and p as
/// the prediction: the value is the core's, and its gradient with respect to
/// the prediction, g_c = −q_c/p_c, gives ∂/∂q_c = ln(q_c/p_c) + 1 = ln(−g_c) + 1.
fn reverse_kl(kl: &Loss, reference: &[f64], q: &[f64]) -> Result<Evaluated, TrainError> {
    if q.len() != reference.len() {
        return Err(TrainError::bad(
            "reference",
            format!("{} cells, but the model has {}", reference.len(), q.len()),
        ));
    }
    let row = |v: &[f64]| Data::Rows(vec![v.to_vec()]);
    let e = kl
        .evaluate(&row(q), &row(reference), None, Reduction::Sum)
        .map_err(|e| core("model distribution", e))?;
    let by_prediction = match e.gradient {
        Data::Flat(g) => g,
        Data::Rows(rows) => rows.concat(),
    };
    let gradient = by_prediction
        .iter()
        .zip(q)
        // Where q_c = 0 the derivative ln 0 = −∞ meets ∂q_c/∂θ = 0, and
        // q ln q → 0: the cell contributes nothing to the parameters' gradient.
        .map(|(&g, &qc)| if qc > 0.0 { (-g).ln() + 1.0 } else { 0.0 })
        .collect();
    Ok(Evaluated {
        value: e.value,
        gradient,
        hessian: None,
    })
}

fn core(at: &str, error: impl std::error::Error + Send + Sync + 'static) -> TrainError {
    TrainError::Loss {
        at: at.to_string(),
        source: Box::new(error),
    }
}
