//! The training loop and its record: the loss at every step and the path of
//! the parameters, as plain serialisable results for figures.

use serde::{Deserialize, Serialize};

use super::budget::Budget;
use super::method::{FirstOrder, Method};
use super::problem::Problem;
use super::second_order;
use super::TrainError;

/// What to run: a method for a number of steps from seeded or given parameters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Training {
    pub method: Method,
    /// Parameter updates; the loss is recorded before each and after the last.
    pub steps: usize,
    /// Seeds the initial parameters of an MLP (other models start at 0).
    pub seed: u64,
    /// Start here instead (one value per parameter).
    pub initial: Option<Vec<f64>>,
    /// Record the parameters every this many steps (and always the last).
    pub path_stride: usize,
}

impl Training {
    pub fn new(method: Method, steps: usize) -> Training {
        Training {
            method,
            steps,
            seed: 0,
            initial: None,
            path_stride: 1,
        }
    }

    pub fn seed(mut self, seed: u64) -> Training {
        self.seed = seed;
        self
    }

    pub fn initial(mut self, initial: Vec<f64>) -> Training {
        self.initial = Some(initial);
        self
    }

    pub fn path_stride(mut self, stride: usize) -> Training {
        self.path_stride = stride;
        self
    }
}

/// Parameters at one step.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PathPoint {
    pub step: usize,
    pub parameters: Vec<f64>,
}

/// How a training ended.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "outcome")]
pub enum Outcome {
    /// Every step ran.
    Completed,
    /// The parameters, the loss or its gradient stopped being finite at
    /// `step` (a step too large, a logit run off to infinity): the record
    /// (losses, path, final parameters) ends at the step before, so every
    /// recorded number is finite.
    Diverged { step: usize },
}

/// The record of one training.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct History {
    pub method: Method,
    pub parameter_names: Vec<String>,
    /// Loss at θ_0, θ_1, ..., θ_steps (fewer if the training diverged).
    pub losses: Vec<f64>,
    /// ‖∇L(θ_t)‖₂ at the same steps.
    pub gradient_norms: Vec<f64>,
    /// θ_t every `path_stride` steps, and at the last step.
    pub path: Vec<PathPoint>,
    /// θ at the last recorded step.
    pub final_parameters: Vec<f64>,
    pub outcome: Outcome,
}

impl Problem {
    /// Run `training`, after checking the method, the initial parameters and
    /// the budget (steps × samples, × parameters for an MLP).
    pub fn train(&self, training: &Training, budget: &Budget) -> Result<History, TrainError> {
        let method = training.method;
        method.check()?;
        let second_order = matches!(method, Method::Newton { .. } | Method::Irls { .. });
        if second_order && !self.model.is_affine_scalar() {
            return Err(TrainError::Unsupported {
                method: method.name().into(),
                reason: "it needs a model with one output, affine in its parameters (constant, linear, logistic)".into(),
            });
        }
        if training.path_stride == 0 {
            return Err(TrainError::bad("path_stride", "must be at least 1"));
        }
        budget.check(training.steps as u128, "steps", self.evaluation_work())?;
        let mut params = match &training.initial {
            Some(initial) => {
                if initial.len() != self.parameter_count() {
                    return Err(TrainError::bad(
                        "initial",
                        format!(
                            "{} values given, the model has {} parameters ({})",
                            initial.len(),
                            self.parameter_count(),
                            self.parameter_names().join(", ")
                        ),
                    ));
                }
                if let Some(x) = initial.iter().find(|x| !x.is_finite()) {
                    return Err(TrainError::bad(
                        "initial",
                        format!("parameters must be finite, got {x}"),
                    ));
                }
                initial.clone()
            }
            None => self.model.initial(training.seed),
        };
        let mut first = FirstOrder::new(method, params.len());
        let mut history = History {
            method,
            parameter_names: self.parameter_names(),
            losses: Vec::with_capacity(training.steps + 1),
            gradient_norms: Vec::with_capacity(training.steps + 1),
            path: Vec::new(),
            final_parameters: Vec::new(),
            outcome: Outcome::Completed,
        };
        // The parameters of the last step whose loss and gradient were finite.
        let mut last_good = params.clone();
        for t in 0..=training.steps {
            if params.iter().any(|p| !p.is_finite()) {
                history.outcome = Outcome::Diverged { step: t };
                break;
            }
            let point = self.point(&params).map_err(|e| at_step(e, t))?;
            let norm = point.gradient.iter().map(|g| g * g).sum::<f64>().sqrt();
            if !(point.evaluated.value.is_finite() && norm.is_finite()) {
                history.outcome = Outcome::Diverged { step: t };
                break;
            }
            history.losses.push(point.evaluated.value);
            history.gradient_norms.push(norm);
            if t % training.path_stride == 0 || t == training.steps {
                history.path.push(PathPoint {
                    step: t,
                    parameters: params.clone(),
                });
            }
            last_good.clone_from(&params);
            if t == training.steps {
                break;
            }
            match method {
                Method::Newton { damping } => {
                    second_order::newton(self, &point, damping, t, &mut params)?
                }
                Method::Irls { floor } => second_order::irls(self, &point, floor, t, &mut params)?,
                _ => first.update(t, &mut params, &point.gradient),
            }
        }
        if let Some(last) = history.losses.len().checked_sub(1) {
            if history.path.last().map(|p| p.step) != Some(last) {
                history.path.push(PathPoint {
                    step: last,
                    parameters: last_good.clone(),
                });
            }
        }
        history.final_parameters = last_good;
        Ok(history)
    }
}

/// Say at which step the core refused the predictions.
fn at_step(error: TrainError, step: usize) -> TrainError {
    match error {
        TrainError::Loss { at, source } => TrainError::Loss {
            at: format!("{at} at step {step}"),
            source,
        },
        other => other,
    }
}
