//! Named quantities: one number each (plus per-sample values and the core's
//! warnings for loss evaluations).

use serde::Serialize;

use super::best_constant::best_constant;
use super::fit::check_data;
use super::normal_kl::{normal_kl_analytic, normal_kl_numeric};
use crate::loss::accurate_sum;
use crate::scenario::{KlMethod, QuantityPlan, ValidQuantity};

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QuantityResult {
    pub name: String,
    pub label: String,
    pub value: f64,
    /// One value per sample for loss evaluations; empty otherwise.
    pub per_sample: Vec<f64>,
    /// The core's warnings (and a mean over nothing).
    pub warnings: Vec<String>,
}

/// Compute one quantity; the error message continues the key path.
pub fn evaluate(
    quantity: &ValidQuantity,
    trained: super::training_figures::Trained<'_>,
) -> Result<QuantityResult, String> {
    let mut per_sample = Vec::new();
    let mut warnings = Vec::new();
    let value = match &quantity.plan {
        QuantityPlan::Evaluate {
            loss,
            target,
            prediction,
            weights,
            reduction,
        } => {
            let eval = loss
                .evaluate(target, prediction, weights.as_deref(), *reduction)
                .map_err(|e| format!("cannot be evaluated by {}: {e}", loss.name()))?;
            per_sample = eval.per_sample;
            warnings = eval.warnings;
            eval.value
        }
        QuantityPlan::BestConstant { loss, data } => {
            check_data(loss, data).map_err(|m| format!("cannot be computed: {m}"))?;
            best_constant(loss, data)
        }
        QuantityPlan::Mean(values) => {
            if values.is_empty() {
                // What numpy's mean([]) does: NaN and a RuntimeWarning, not 0.
                warnings.push("mean of an empty list: the result is NaN".to_string());
                f64::NAN
            } else {
                accurate_sum(values) / values.len() as f64
            }
        }
        QuantityPlan::Sum(values) => accurate_sum(values),
        QuantityPlan::NewtonStep {
            loss,
            target,
            score,
            mode,
        } => {
            let d = loss
                .wrt_score(target, score, *mode, false)
                .map_err(|e| format!("cannot be computed by {}: {e}", loss.name()))?;
            let flat = |d: &crate::loss::Data| match d {
                crate::loss::Data::Flat(v) => accurate_sum(v),
                crate::loss::Data::Rows(rows) => {
                    accurate_sum(&rows.iter().map(|r| accurate_sum(r)).collect::<Vec<_>>())
                }
            };
            // A surrogate is the author's choice: only the exact Hessian's
            // failure (a step through 0 curvature) is worth a warning here.
            if *mode == crate::loss::HessianMode::Exact {
                warnings = d.warnings;
            }
            // One leaf for every sample (and every class of a softmax row).
            -flat(&d.gradient) / flat(&d.hessian)
        }
        QuantityPlan::Training {
            training,
            member,
            value,
            parameter,
        } => super::training::value_of(
            &trained.trainings[*training],
            &trained.records[*training],
            *member,
            *value,
            *parameter,
        ),
        QuantityPlan::NormalKl {
            target,
            model,
            shift,
            method,
        } => {
            let mut moved = model.clone();
            moved.mean += shift;
            match method {
                KlMethod::Analytic => normal_kl_analytic(target, &moved),
                KlMethod::Numeric => {
                    let (value, core_warnings) = normal_kl_numeric(target, &moved)?;
                    warnings = core_warnings;
                    value
                }
            }
        }
    };
    Ok(QuantityResult {
        name: quantity.name.clone(),
        label: quantity.label.clone(),
        value,
        per_sample,
        warnings,
    })
}
