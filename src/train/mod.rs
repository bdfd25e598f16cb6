//! A small, exact, deterministic trainer on the core's own derivatives.
//!
//! A model maps inputs to outputs ŷ; the loss core ([`crate::loss`]) gives the
//! loss and its exact ∂L/∂ŷ (and ∂²L/∂ŷ² for elementwise losses); the trainer
//! carries these back to the parameters by back-propagation written once
//! ([`network`]) and updates the parameters by one of the [`Method`]s. No
//! automatic differentiation: every derivative is the core's, chained by hand.
//!
//! ```
//! use losslab::loss::{Data, Loss, Params, Reduction};
//! use losslab::train::{Budget, Method, ModelSpec, Objective, Problem, Samples, Step, Training};
//! // y = 1 + 2x, fitted by least squares with gradient descent.
//! let xs = vec![0.0, 1.0, 2.0, 3.0];
//! let ys = Data::Flat(xs.iter().map(|x| 1.0 + 2.0 * x).collect());
//! let mse = Loss::new("mse", &Params::new()).unwrap();
//! let objective = Objective::loss(&mse, ys, None, Reduction::Mean);
//! let samples = Samples::new(xs, 1).unwrap();
//! let problem = Problem::new(ModelSpec::Linear, samples, objective).unwrap();
//! let training = Training::new(Method::GradientDescent { step: Step::Constant(0.1) }, 2000);
//! let history = problem.train(&training, &Budget::default()).unwrap();
//! let [slope, intercept] = history.final_parameters[..] else { panic!() };
//! assert!((slope - 2.0).abs() < 1e-12 && (intercept - 1.0).abs() < 1e-12);
//! ```
//!
//! # Layout
//! - `adapter`: the only file that calls the loss core ([`Objective`]).
//! - `model` (what a model is: kinds, parameter names, filters), `network`
//!   (dense layers, forward and back-propagation), `normal` (a normal density
//!   on a grid, for divergence fits).
//! - `problem` (samples + model + objective: loss, gradient and curvature at
//!   any parameters, in parallel with thread-independent bits).
//! - `method` (gradient descent, momentum, Adam), `second_order` (Newton and
//!   IRLS), `run` (the loop and its [`History`]).
//! - `landscape` (1-D and 2-D loss slices after Li et al. 2018), `budget`,
//!   `random` (seeded draws), `accumulate` (compensated vector sums), [`toy`]
//!   (seeded 2-D datasets: two moons, blobs).
//!
//! # Determinism
//! Samples are cut into chunks of a fixed size (never derived from the thread
//! count); each chunk's gradient is summed in sample order and the chunk sums
//! are merged in chunk order, all with compensation (Neumaier). The same
//! seed gives the same bits on any number of threads.

mod accumulate;
mod adapter;
mod budget;
mod landscape;
mod method;
mod model;
mod network;
mod normal;
mod problem;
mod random;
mod run;
mod second_order;
pub mod toy;

pub use adapter::Objective;
pub use budget::{Budget, DEFAULT_LIMIT};
pub use landscape::{DirectionSpec, Slice1d, Slice2d};
pub use method::{Method, Step};
pub use model::ModelSpec;
pub use network::Activation;
pub use problem::{Problem, Samples};
pub use run::{History, Outcome, PathPoint, Training};

/// Everything that can stop a training before or during work.
#[derive(Debug, thiserror::Error)]
pub enum TrainError {
    /// The work asked for exceeds the budget; `what` spells out the product.
    #[error("{what} = {work} exceeds the budget of {limit}")]
    OverBudget {
        what: String,
        work: u128,
        limit: u128,
    },
    /// Inputs of the wrong shape or value (names the argument).
    #[error("{what}: {message}")]
    BadInput { what: String, message: String },
    /// A method that the model or loss cannot support (Newton on an MLP...).
    #[error("{method} cannot train this problem: {reason}")]
    Unsupported { method: String, reason: String },
    /// The loss core refused the data or the predictions.
    #[error("the loss refused the {at}")]
    Loss {
        at: String,
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// The curvature matrix of a Newton or IRLS step is not positive definite.
    #[error("step {step}: the curvature matrix is not positive definite (no Newton/IRLS step)")]
    SingularCurvature { step: usize },
}

impl TrainError {
    pub(crate) fn bad(what: &str, message: impl Into<String>) -> TrainError {
        TrainError::BadInput {
            what: what.to_string(),
            message: message.into(),
        }
    }
}
