//! `[[trainings]]`: a model trained on data by a method, through the trainer
//! ([`crate::train`]), which uses the core's exact derivatives.
//!
//! ```toml
//! [[trainings]]
//! name = "fit_mae"
//! model = "linear"            # constant | linear | logistic | softmax | mlp | normal
//! loss = "mae"                # a [[losses]] name; a sweep trains once per value
//! method = "irls"             # gradient_descent | momentum | adam | newton | irls
//! steps = 50
//! data = { kind = "line", points = 40, slope = 2, intercept = 1, noise = 0.5, seed = 3 }
//! ```
//!
//! A training whose loss is a sweep, or whose `line` data has a list of
//! `outliers` fractions, has one *member* per value: figures draw them as
//! one series each, or as the frames of an explorable figure.
//!
//! Every member is checked against the work budget here, so `check` refuses
//! a scenario that asks for more than [`crate::train::DEFAULT_LIMIT`] units
//! (steps × samples, × parameters for an MLP) before anything runs.

use serde::Deserialize;

use super::context::Context;
use super::error::{Reporter, ScenarioError};
use super::training_data::DataSpec;
use super::training_types::{ModelName, TrainingMember, TrainingSamples, ValidTraining};
use crate::loss::{Data, Reduction};
use crate::train::{
    Activation, Budget, Method, ModelSpec, Objective, Problem, Samples, Step, Training,
};

/// Most members (sweep values) of one training: also the most frames of an
/// explorable figure, each a drawn SVG.
pub const MAX_MEMBERS: usize = 16;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MethodName {
    GradientDescent,
    Momentum,
    Adam,
    Newton,
    Irls,
}

/// Which divergence a `normal` model minimises against its mixture.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Divergence {
    /// KL(p‖q): p the mixture, q the model (mean-seeking).
    Forward,
    /// KL(q‖p) (mode-seeking).
    Reverse,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrainingSpec {
    pub name: String,
    /// Legend label; defaults to the loss's label (or the divergence).
    pub label: Option<String>,
    pub model: ModelName,
    /// MLP: units per hidden layer (one or two layers).
    pub hidden: Option<Vec<usize>>,
    pub activation: Option<Activation>,
    /// Softmax: number of classes (default: from the labels).
    pub classes: Option<usize>,
    pub loss: Option<String>,
    pub divergence: Option<Divergence>,
    pub method: MethodName,
    /// Step size η (first-order methods).
    pub step: Option<f64>,
    /// η_t = η / (1 + decay·t).
    pub decay: Option<f64>,
    pub momentum: Option<f64>,
    pub damping: Option<f64>,
    pub floor: Option<f64>,
    pub steps: usize,
    /// Seeds an MLP's initial weights.
    #[serde(default)]
    pub seed: u64,
    pub initial: Option<Vec<f64>>,
    /// Record the parameters every this many steps.
    pub path_stride: Option<usize>,
    pub data: DataSpec,
}

/// One loss of a training: label, sweep value, the loss (none for a
/// divergence fit) and its colour key.
type LossChoice = (
    String,
    Option<(String, f64)>,
    Option<crate::loss::Loss>,
    String,
);

impl TrainingSpec {
    fn used_keys(&self) -> [(&'static str, bool); 9] {
        [
            ("hidden", self.hidden.is_some()),
            ("activation", self.activation.is_some()),
            ("classes", self.classes.is_some()),
            ("loss", self.loss.is_some()),
            ("divergence", self.divergence.is_some()),
            ("step", self.step.is_some()),
            ("decay", self.decay.is_some()),
            ("momentum", self.momentum.is_some()),
            ("damping", self.damping.is_some() || self.floor.is_some()),
        ]
    }

    pub(crate) fn validate(
        &self,
        path: &str,
        ctx: &Context,
    ) -> Result<ValidTraining, ScenarioError> {
        let rep = &ctx.rep;
        let normal = self.model == ModelName::Normal;
        let mut allowed: Vec<&str> = match self.method {
            MethodName::GradientDescent => vec!["step", "decay"],
            MethodName::Momentum => vec!["step", "decay", "momentum"],
            MethodName::Adam => vec!["step", "decay"],
            MethodName::Newton | MethodName::Irls => vec!["damping"],
        };
        allowed.push(if normal { "divergence" } else { "loss" });
        match self.model {
            ModelName::Mlp => allowed.extend(["hidden", "activation"]),
            ModelName::Softmax => allowed.push("classes"),
            _ => {}
        }
        if let Some((key, _)) = self
            .used_keys()
            .iter()
            .find(|(k, set)| *set && !allowed.contains(k))
        {
            let key = match *key {
                "damping" if self.floor.is_some() => "floor",
                k => k,
            };
            return Err(rep.invalid(
                format!("{path}.{key}"),
                format!(
                    "is not used by model \"{}\" with method \"{}\"",
                    model_name(self.model),
                    method_name(self.method)
                ),
            ));
        }
        if self.floor.is_some() && self.method != MethodName::Irls {
            return Err(rep.invalid(format!("{path}.floor"), "is used by method \"irls\" only"));
        }
        if self.damping.is_some() && self.method != MethodName::Newton {
            return Err(rep.invalid(
                format!("{path}.damping"),
                "is used by method \"newton\" only",
            ));
        }
        if self.steps == 0 {
            return Err(rep.invalid(format!("{path}.steps"), "must be at least 1"));
        }
        let method = self.method(path, rep)?;
        let mut training = Training::new(method, self.steps)
            .seed(self.seed)
            .path_stride(self.path_stride.unwrap_or(1));
        if self.path_stride == Some(0) {
            return Err(rep.invalid(format!("{path}.path_stride"), "must be at least 1"));
        }
        if let Some(initial) = &self.initial {
            training = training.initial(initial.clone());
        }
        let datasets = self.data.load(&format!("{path}.data"), ctx)?;
        // The loss members (a sweep gives several) or the one divergence.
        let losses: Vec<LossChoice> = if normal {
            let divergence = self.divergence.ok_or_else(|| {
                rep.invalid(
                    path,
                    "needs `divergence` (forward or reverse) for model \"normal\"",
                )
            })?;
            let (label, key) = match divergence {
                Divergence::Forward => ("forward KL(p‖q)", "kl_forward"),
                Divergence::Reverse => ("reverse KL(q‖p)", "kl_reverse"),
            };
            vec![(label.to_string(), None, None, key.to_string())]
        } else {
            let name = self
                .loss
                .as_deref()
                .ok_or_else(|| rep.invalid(path, "needs `loss` (a [[losses]] name)"))?;
            let members = ctx.loss(&format!("{path}.loss"), name)?;
            members
                .iter()
                .enumerate()
                .map(|(i, m)| {
                    let color = match (&m.sweep, i) {
                        (Some(_), i) if i > 0 => format!("{}:{i}", m.loss.name()),
                        _ => m.loss.name().to_string(),
                    };
                    (
                        m.label.clone(),
                        m.sweep.clone(),
                        Some(m.loss.clone()),
                        color,
                    )
                })
                .collect()
        };
        if losses.len() > 1 && datasets.len() > 1 {
            return Err(rep.invalid(
                format!("{path}.data.outliers"),
                "is a second sweep; a training sweeps either its loss or its data",
            ));
        }
        let count = losses.len().max(datasets.len());
        if count > MAX_MEMBERS {
            return Err(rep.invalid(
                path,
                format!(
                    "would train {count} members (one per sweep value); the limit is {MAX_MEMBERS}"
                ),
            ));
        }
        let mut members = Vec::with_capacity(count);
        for i in 0..count {
            let (loss_label, loss_sweep, loss, color) = &losses[i.min(losses.len() - 1)];
            let (samples, data_sweep) = &datasets[i.min(datasets.len() - 1)];
            let problem = self.problem(path, ctx, samples, loss.as_ref())?;
            let (label, sweep_value) = match (loss_sweep, data_sweep) {
                (Some((_, v)), _) => (loss_label.clone(), Some(*v)),
                (None, Some(v)) => (format!("{loss_label}, {} % outliers", v * 100.0), Some(*v)),
                (None, None) => (self.label.clone().unwrap_or(loss_label.clone()), None),
            };
            members.push(TrainingMember {
                label,
                sweep_value,
                color_key: color.clone(),
                problem,
                training: training.clone(),
                samples: samples.clone(),
            });
        }
        let sweep = match (&losses[0].1, datasets.len() > 1) {
            (Some((key, _)), _) => Some(super::wording::symbol(key)),
            (None, true) => Some("outliers".to_string()),
            (None, false) => None,
        };
        let label = self
            .label
            .clone()
            .unwrap_or_else(|| losses[0].0.split(", ").next().unwrap_or("").to_string());
        Ok(ValidTraining {
            name: self.name.clone(),
            label,
            path: path.to_string(),
            sweep,
            members,
        })
    }

    fn method(&self, path: &str, rep: &Reporter) -> Result<Method, ScenarioError> {
        let need_step = || {
            self.step.ok_or_else(|| {
                rep.invalid(
                    path,
                    format!("needs `step` for method \"{}\"", method_name(self.method)),
                )
            })
        };
        let step = || -> Result<Step, ScenarioError> {
            let eta = need_step()?;
            Ok(match self.decay {
                Some(decay) => Step::InverseTime {
                    initial: eta,
                    decay,
                },
                None => Step::Constant(eta),
            })
        };
        let method = match self.method {
            MethodName::GradientDescent => Method::GradientDescent { step: step()? },
            MethodName::Momentum => Method::Momentum {
                step: step()?,
                momentum: self.momentum.unwrap_or(0.9),
            },
            MethodName::Adam => Method::adam(step()?),
            MethodName::Newton => Method::Newton {
                damping: self.damping.unwrap_or(0.0),
            },
            MethodName::Irls => Method::Irls {
                floor: self.floor.unwrap_or(1e-8),
            },
        };
        method.check().map_err(|e| match e {
            crate::train::TrainError::BadInput { what, message } => {
                rep.invalid(format!("{path}.{what}"), message)
            }
            other => rep.invalid(path, other.to_string()),
        })?;
        Ok(method)
    }

    /// The trainer's problem for one member, with the budget checked.
    fn problem(
        &self,
        path: &str,
        ctx: &Context,
        samples: &TrainingSamples,
        loss: Option<&crate::loss::Loss>,
    ) -> Result<Problem, ScenarioError> {
        let rep = &ctx.rep;
        let bad = |key: &str, e: crate::train::TrainError| {
            rep.invalid(format!("{path}.{key}"), e.to_string())
        };
        let (spec, inputs, objective) = match (samples, loss) {
            (TrainingSamples::Density(density), _) => {
                let reverse = self.divergence == Some(Divergence::Reverse);
                let objective = Objective::kl(density.masses.clone(), reverse)
                    .map_err(|e| bad("divergence", e))?;
                let spec = ModelSpec::Normal {
                    grid: density.grid.clone(),
                    cell: density.cell,
                };
                (spec, Samples::featureless(1), objective)
            }
            (TrainingSamples::Points(points), Some(loss)) => {
                let spec = match self.model {
                    ModelName::Constant => ModelSpec::Constant,
                    ModelName::Linear => ModelSpec::Linear,
                    ModelName::Logistic => ModelSpec::Logistic,
                    ModelName::Softmax => ModelSpec::Softmax {
                        classes: self.classes.unwrap_or(points.classes().max(2)),
                    },
                    ModelName::Mlp => ModelSpec::Mlp {
                        hidden: self.hidden.clone().unwrap_or_else(|| vec![8]),
                        activation: self.activation.unwrap_or(Activation::Tanh),
                        outputs: 1,
                    },
                    ModelName::Normal => {
                        return Err(rep.invalid(
                            format!("{path}.data"),
                            "a normal model is fitted to a `mixture`",
                        ))
                    }
                };
                let inputs = if self.model == ModelName::Constant {
                    Samples::featureless(points.targets.len())
                } else {
                    Samples::new(points.inputs.clone(), points.dim).map_err(|e| bad("data", e))?
                };
                let objective = Objective::loss(
                    loss,
                    Data::Flat(points.targets.clone()),
                    None,
                    Reduction::Mean,
                );
                (spec, inputs, objective)
            }
            (TrainingSamples::Points(_), None) => {
                return Err(rep.invalid(
                    format!("{path}.data"),
                    "model \"normal\" needs `data = { kind = \"mixture\", … }`",
                ))
            }
        };
        let problem = Problem::new(spec, inputs, objective).map_err(|e| match e {
            crate::train::TrainError::BadInput { what, message } if what == "loss" => {
                rep.invalid(format!("{path}.loss"), message)
            }
            other => bad("data", other),
        })?;
        Budget::default()
            .check_training(&problem, self.steps)
            .map_err(|e| bad("steps", e))?;
        if let Some(initial) = &self.initial {
            if initial.len() != problem.parameter_count() {
                return Err(rep.invalid(
                    format!("{path}.initial"),
                    format!(
                        "has {} values; the model has {} parameters ({})",
                        initial.len(),
                        problem.parameter_count(),
                        problem.parameter_names().join(", ")
                    ),
                ));
            }
        }
        Ok(problem)
    }
}

/// The training's work in budget units, summed over members, for the
/// scenario's total.
pub(crate) fn training_work(training: &ValidTraining) -> u128 {
    training
        .members
        .iter()
        .map(|m| (m.training.steps as u128 + 1).saturating_mul(m.problem.work_per_evaluation()))
        .fold(0u128, u128::saturating_add)
}

/// Refuse a scenario whose trainings together exceed the budget.
pub(crate) fn check_total(
    trainings: &[ValidTraining],
    rep: &Reporter,
) -> Result<(), ScenarioError> {
    let limit = crate::train::DEFAULT_LIMIT;
    let total = trainings
        .iter()
        .map(training_work)
        .fold(0u128, u128::saturating_add);
    if total > limit {
        let parts: Vec<String> = trainings
            .iter()
            .map(|t| format!("{} {}", t.name, training_work(t)))
            .collect();
        return Err(rep.invalid(
            "trainings",
            format!(
                "would need {total} units of work (steps × samples, summed: {}); the budget is {limit}",
                parts.join(", ")
            ),
        ));
    }
    Ok(())
}

pub(crate) fn model_name(model: ModelName) -> &'static str {
    match model {
        ModelName::Constant => "constant",
        ModelName::Linear => "linear",
        ModelName::Logistic => "logistic",
        ModelName::Softmax => "softmax",
        ModelName::Mlp => "mlp",
        ModelName::Normal => "normal",
    }
}

fn method_name(method: MethodName) -> &'static str {
    match method {
        MethodName::GradientDescent => "gradient_descent",
        MethodName::Momentum => "momentum",
        MethodName::Adam => "adam",
        MethodName::Newton => "newton",
        MethodName::Irls => "irls",
    }
}
