//! First-order methods: gradient descent with a fixed or decaying step,
//! heavy-ball momentum and Adam; and the names of the second-order ones
//! (Newton, IRLS) carried out in `second_order`.

use serde::{Deserialize, Serialize};

use super::TrainError;

/// The step size η_t at step t = 0, 1, ...
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    /// η_t = η.
    Constant(f64),
    /// η_t = η₀ / (1 + decay·t): Σ η_t = ∞ and η_t → 0, so subgradient
    /// descent on a convex loss (MAE) settles.
    InverseTime { initial: f64, decay: f64 },
    /// η_t = η₀ / √(t + 1).
    InverseSqrt { initial: f64 },
}

impl Step {
    pub fn at(&self, t: usize) -> f64 {
        match *self {
            Step::Constant(eta) => eta,
            Step::InverseTime { initial, decay } => initial / (1.0 + decay * t as f64),
            Step::InverseSqrt { initial } => initial / ((t + 1) as f64).sqrt(),
        }
    }

    fn check(&self) -> Result<(), TrainError> {
        let (eta, decay) = match *self {
            Step::Constant(eta) | Step::InverseSqrt { initial: eta } => (eta, 0.0),
            Step::InverseTime { initial, decay } => (initial, decay),
        };
        positive("step", eta)?;
        if !(decay.is_finite() && decay >= 0.0) {
            return Err(TrainError::bad(
                "decay",
                format!("must be >= 0, got {decay}"),
            ));
        }
        Ok(())
    }
}

/// How parameters move from one step to the next.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "method")]
pub enum Method {
    /// θ_{t+1} = θ_t − η_t ∇L(θ_t).
    GradientDescent { step: Step },
    /// Heavy ball (Polyak 1964): v_{t+1} = β v_t + ∇L(θ_t),
    /// θ_{t+1} = θ_t − η_t v_{t+1}, v_0 = 0.
    Momentum { step: Step, momentum: f64 },
    /// Adam (Kingma & Ba 2015, Algorithm 1): m ← β₁m + (1−β₁)g,
    /// v ← β₂v + (1−β₂)g², m̂ = m/(1−β₁ᵗ), v̂ = v/(1−β₂ᵗ),
    /// θ ← θ − η_t m̂/(√v̂ + ε); the paper's defaults are β₁ = 0.9,
    /// β₂ = 0.999, ε = 1e-8.
    Adam {
        step: Step,
        beta1: f64,
        beta2: f64,
        epsilon: f64,
    },
    /// Newton: θ ← θ − (H + λI)⁻¹∇L with H = Σ_i h_i x̃_i x̃_iᵀ, h_i the
    /// core's ∂²L/∂ŷ², x̃ = (x, 1); exact for models affine in their
    /// parameters (logistic regression, the linear model). λ = `damping` ≥ 0.
    Newton { damping: f64 },
    /// Iteratively reweighted least squares (Holland & Welsch 1977): each
    /// step solves the weighted least-squares problem with weights
    /// w_i = ψ(r_i)/r_i, ψ = the core's ∂L/∂ŷ, r = ŷ − y, and
    /// |r_i| < `floor` replaced by `floor` (Schlossmacher 1973 for MAE, where
    /// w = 1/|r|). For MAE and quantile losses, whose Hessian is 0.
    Irls { floor: f64 },
}

impl Method {
    /// Adam with the paper's defaults and step η.
    pub fn adam(step: Step) -> Method {
        Method::Adam {
            step,
            beta1: 0.9,
            beta2: 0.999,
            epsilon: 1e-8,
        }
    }

    pub fn name(&self) -> &'static str {
        match self {
            Method::GradientDescent { .. } => "gradient descent",
            Method::Momentum { .. } => "momentum",
            Method::Adam { .. } => "Adam",
            Method::Newton { .. } => "Newton",
            Method::Irls { .. } => "IRLS",
        }
    }

    pub(crate) fn check(&self) -> Result<(), TrainError> {
        match *self {
            Method::GradientDescent { step } => step.check(),
            Method::Momentum { step, momentum } => {
                step.check()?;
                unit("momentum", momentum)
            }
            Method::Adam {
                step,
                beta1,
                beta2,
                epsilon,
            } => {
                step.check()?;
                unit("beta1", beta1)?;
                unit("beta2", beta2)?;
                positive("epsilon", epsilon)
            }
            Method::Newton { damping } if !(damping.is_finite() && damping >= 0.0) => Err(
                TrainError::bad("damping", format!("must be >= 0, got {damping}")),
            ),
            Method::Newton { .. } => Ok(()),
            Method::Irls { floor } => positive("floor", floor),
        }
    }
}

fn positive(what: &str, x: f64) -> Result<(), TrainError> {
    if x.is_finite() && x > 0.0 {
        Ok(())
    } else {
        Err(TrainError::bad(what, format!("must be > 0, got {x}")))
    }
}

fn unit(what: &str, x: f64) -> Result<(), TrainError> {
    if (0.0..1.0).contains(&x) {
        Ok(())
    } else {
        Err(TrainError::bad(what, format!("must be in [0, 1), got {x}")))
    }
}

/// The state a first-order method carries between steps.
pub(crate) struct FirstOrder {
    method: Method,
    velocity: Vec<f64>,
    second: Vec<f64>,
}

impl FirstOrder {
    pub(crate) fn new(method: Method, parameters: usize) -> FirstOrder {
        FirstOrder {
            method,
            velocity: vec![0.0; parameters],
            second: vec![0.0; parameters],
        }
    }

    /// Move `params` by one step t (0-based) along the gradient `g`.
    pub(crate) fn update(&mut self, t: usize, params: &mut [f64], g: &[f64]) {
        match self.method {
            Method::GradientDescent { step } => {
                let eta = step.at(t);
                params.iter_mut().zip(g).for_each(|(p, gi)| *p -= eta * gi);
            }
            Method::Momentum { step, momentum } => {
                let eta = step.at(t);
                for ((p, v), gi) in params.iter_mut().zip(&mut self.velocity).zip(g) {
                    *v = momentum * *v + gi;
                    *p -= eta * *v;
                }
            }
            Method::Adam {
                step,
                beta1,
                beta2,
                epsilon,
            } => {
                let eta = step.at(t);
                // Bias corrections 1 − βᵗ for t counted from 1, kept exact near 1.
                let k = (t + 1) as f64;
                let c1 = -(k * beta1.ln()).exp_m1();
                let c2 = -(k * beta2.ln()).exp_m1();
                let moments = self.velocity.iter_mut().zip(&mut self.second);
                for ((p, (m, v)), gi) in params.iter_mut().zip(moments).zip(g) {
                    *m = beta1 * *m + (1.0 - beta1) * gi;
                    *v = beta2 * *v + (1.0 - beta2) * gi * gi;
                    *p -= eta * (*m / c1) / ((*v / c2).sqrt() + epsilon);
                }
            }
            // Second-order methods never reach here (see `run`).
            Method::Newton { .. } | Method::Irls { .. } => {}
        }
    }
}
