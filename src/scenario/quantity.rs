//! `[[quantities]]`: named numbers computed by the core, which tables, prose
//! placeholders (`{mse_fig1}`) and errata quote.
//!
//! ```toml
//! [[quantities]]
//! name = "mse_fig1"
//! loss = "mse"              # a [[losses]] name (not a sweep)
//! target = "fig1_y"         # a dataset or a discrete distribution
//! prediction = "fig1_yhat"
//! ```
//!
//! `kind = "newton_step"` is one gradient-boosting step on a single leaf:
//! −Σg/Σh of `loss` with respect to the raw scores `score` (through the
//! loss's link, as `eval --wrt score`), with the Hessian `hessian` = exact,
//! constant, floor (max(h, `floor`), default 1e-6) or pseudo_huber.

use serde::Deserialize;

use super::context::Context;
use super::error::ScenarioError;
use super::valid::{KlMethod, QuantityPlan, ValidQuantity};
use crate::loss::{Data, Reduction};

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QuantityKind {
    /// `loss` on `target` and `prediction` (optionally `weights`, `reduction`).
    #[default]
    Evaluate,
    /// The constant prediction minimising the total `loss` over dataset `of`.
    BestConstant,
    /// Mean of dataset `of` or of inline `values` (empty gives NaN and a warning).
    Mean,
    /// Sum of dataset/distribution `of` or of inline `values`.
    Sum,
    /// KL(`target` ‖ `model`) of two `[[normals]]`, the model moved by `shift`.
    NormalKl,
    /// A number of a finished `training` (`member`, `value`, `parameter`).
    Training,
    /// The leaf value −Σg/Σh of one boosting step (`loss target score hessian floor`).
    NewtonStep,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QuantitySpec {
    pub name: String,
    /// Human label for tables; defaults to the name.
    pub label: Option<String>,
    #[serde(default)]
    pub kind: QuantityKind,
    pub loss: Option<String>,
    pub target: Option<String>,
    pub prediction: Option<String>,
    /// A flat dataset of sample weights.
    pub weights: Option<String>,
    pub reduction: Option<Reduction>,
    pub of: Option<String>,
    pub values: Option<Vec<f64>>,
    pub model: Option<String>,
    pub shift: Option<f64>,
    pub method: Option<KlMethod>,
    pub training: Option<String>,
    pub member: Option<usize>,
    pub value: Option<super::training_types::TrainingValue>,
    pub parameter: Option<String>,
    /// The raw scores of a `newton_step` (a dataset).
    pub score: Option<String>,
    /// The Hessian surrogate of a `newton_step`.
    pub hessian: Option<String>,
    /// The ε of `hessian = "floor"`.
    pub floor: Option<f64>,
}

impl QuantitySpec {
    pub(crate) fn validate(
        &self,
        path: &str,
        ctx: &Context,
    ) -> Result<ValidQuantity, ScenarioError> {
        let rep = &ctx.rep;
        let used: [(&str, bool); 17] = [
            ("loss", self.loss.is_some()),
            ("target", self.target.is_some()),
            ("prediction", self.prediction.is_some()),
            ("weights", self.weights.is_some()),
            ("reduction", self.reduction.is_some()),
            ("of", self.of.is_some()),
            ("values", self.values.is_some()),
            ("model", self.model.is_some()),
            ("shift", self.shift.is_some()),
            ("method", self.method.is_some()),
            ("training", self.training.is_some()),
            ("member", self.member.is_some()),
            ("value", self.value.is_some()),
            ("parameter", self.parameter.is_some()),
            ("score", self.score.is_some()),
            ("hessian", self.hessian.is_some()),
            ("floor", self.floor.is_some()),
        ];
        let allowed: &[&str] = match self.kind {
            QuantityKind::Evaluate => &["loss", "target", "prediction", "weights", "reduction"],
            QuantityKind::BestConstant => &["loss", "of"],
            QuantityKind::Mean | QuantityKind::Sum => &["of", "values"],
            QuantityKind::NormalKl => &["target", "model", "shift", "method"],
            QuantityKind::Training => &["training", "member", "value", "parameter"],
            QuantityKind::NewtonStep => &["loss", "target", "score", "hessian", "floor"],
        };
        if let Some((key, _)) = used.iter().find(|(k, set)| *set && !allowed.contains(k)) {
            return Err(rep.invalid(
                format!("{path}.{key}"),
                format!(
                    "is not used by kind \"{}\" (it takes: {})",
                    kind_name(self.kind),
                    allowed.join(", ")
                ),
            ));
        }
        let need = |key: &str, v: &Option<String>| -> Result<String, ScenarioError> {
            v.clone().ok_or_else(|| {
                rep.invalid(
                    path,
                    format!("needs `{key}` for kind \"{}\"", kind_name(self.kind)),
                )
            })
        };
        let single_loss = |name: &str| -> Result<crate::loss::Loss, ScenarioError> {
            let members = ctx.loss(&format!("{path}.loss"), name)?;
            match members.as_slice() {
                [one] => Ok(one.loss.clone()),
                _ => Err(rep.invalid(
                    format!("{path}.loss"),
                    format!("\"{name}\" is a sweep; a quantity needs a single loss"),
                )),
            }
        };
        let plan = match self.kind {
            QuantityKind::Evaluate => {
                let loss = single_loss(&need("loss", &self.loss)?)?;
                let target = ctx.data(&format!("{path}.target"), &need("target", &self.target)?)?;
                let prediction = ctx.data(
                    &format!("{path}.prediction"),
                    &need("prediction", &self.prediction)?,
                )?;
                let weights = match &self.weights {
                    Some(w) => Some(ctx.flat(&format!("{path}.weights"), w)?),
                    None => None,
                };
                let reduction = self.reduction.unwrap_or(Reduction::Mean);
                QuantityPlan::Evaluate {
                    loss,
                    target,
                    prediction,
                    weights,
                    reduction,
                }
            }
            QuantityKind::BestConstant => {
                let loss = single_loss(&need("loss", &self.loss)?)?;
                if loss.shape() != crate::loss::Shape::Elementwise {
                    return Err(rep.invalid(
                        format!("{path}.loss"),
                        "must be an elementwise loss for a best constant",
                    ));
                }
                let data = ctx.flat(&format!("{path}.of"), &need("of", &self.of)?)?;
                super::grid::check_evaluations(
                    &format!("{path}.of"),
                    data.len().saturating_mul(super::grid::BISECTION_STEPS),
                    &format!(
                        "{} per data value for the bisection",
                        super::grid::BISECTION_STEPS
                    ),
                    rep,
                )?;
                QuantityPlan::BestConstant { loss, data }
            }
            QuantityKind::Mean | QuantityKind::Sum => {
                let values = match (&self.of, &self.values) {
                    (Some(of), None) => match ctx.data(&format!("{path}.of"), of)? {
                        Data::Flat(v) => v,
                        Data::Rows(rows) => rows.into_iter().flatten().collect(),
                    },
                    (None, Some(values)) => values.clone(),
                    _ => return Err(rep.invalid(path, "needs exactly one of `of`, `values`")),
                };
                if self.kind == QuantityKind::Mean {
                    QuantityPlan::Mean(values)
                } else {
                    QuantityPlan::Sum(values)
                }
            }
            QuantityKind::NormalKl => {
                let shift = self.shift.unwrap_or(0.0);
                if !shift.is_finite() {
                    return Err(rep.invalid(
                        format!("{path}.shift"),
                        format!("must be finite, got {shift}"),
                    ));
                }
                let target =
                    ctx.normal(&format!("{path}.target"), &need("target", &self.target)?)?;
                let model = ctx.normal(&format!("{path}.model"), &need("model", &self.model)?)?;
                if !(model.mean + shift).is_finite() {
                    return Err(rep.invalid(
                        format!("{path}.shift"),
                        format!(
                            "moves the model mean {} beyond the finite numbers",
                            model.mean
                        ),
                    ));
                }
                QuantityPlan::NormalKl {
                    target,
                    model,
                    shift,
                    method: self.method.unwrap_or(KlMethod::Analytic),
                }
            }
            QuantityKind::NewtonStep => {
                let loss = single_loss(&need("loss", &self.loss)?)?;
                loss.score_link()
                    .map_err(|e| rep.invalid(format!("{path}.loss"), e.to_string()))?;
                let target = ctx.data(&format!("{path}.target"), &need("target", &self.target)?)?;
                let score = ctx.data(&format!("{path}.score"), &need("score", &self.score)?)?;
                if self.floor.is_some() && self.hessian.as_deref() != Some("floor") {
                    return Err(rep.invalid(
                        format!("{path}.floor"),
                        "is the ε of hessian = \"floor\" only",
                    ));
                }
                let mode = crate::loss::HessianMode::parse(
                    self.hessian.as_deref().unwrap_or("exact"),
                    self.floor.unwrap_or(1e-6),
                )
                .map_err(|m| rep.invalid(format!("{path}.hessian"), m))?;
                QuantityPlan::NewtonStep {
                    loss,
                    target,
                    score,
                    mode,
                }
            }
            QuantityKind::Training => {
                let (training, member, value, parameter) =
                    super::training_figure::validate_quantity(
                        path,
                        ctx,
                        &self.training,
                        self.member,
                        self.value,
                        &self.parameter,
                    )?;
                QuantityPlan::Training {
                    training,
                    member,
                    value,
                    parameter,
                }
            }
        };
        Ok(ValidQuantity {
            name: self.name.clone(),
            label: self.label.clone().unwrap_or_else(|| self.name.clone()),
            path: path.to_string(),
            plan,
        })
    }
}

fn kind_name(kind: QuantityKind) -> &'static str {
    match kind {
        QuantityKind::Evaluate => "evaluate",
        QuantityKind::BestConstant => "best_constant",
        QuantityKind::Mean => "mean",
        QuantityKind::Sum => "sum",
        QuantityKind::NormalKl => "normal_kl",
        QuantityKind::Training => "training",
        QuantityKind::NewtonStep => "newton_step",
    }
}
