//! What a model is: its kind, its parameters (names, filters for landscape
//! normalisation, initial values) and one dispatch to forward and backward.

use std::ops::Range;

use serde::{Deserialize, Serialize};

use super::accumulate::CompensatedVec;
use super::network::{Activation, Network, Scratch};
use super::normal::NormalGrid;
use super::random::Uniform;
use super::TrainError;

/// The models the trainer knows. Logistic, softmax and MLP models output
/// logits (scores): pair them with a loss reading logits (`from_logits = true`)
/// or scores (hinge).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum ModelSpec {
    /// ŷ = b, whatever the inputs.
    Constant,
    /// ŷ = w·x + b over every input feature.
    Linear,
    /// z = w·x + b, a logit: P(y = 1) = σ(z).
    Logistic,
    /// z = W x + b, one logit per class.
    Softmax { classes: usize },
    /// Dense layers x → h₁ (→ h₂) → outputs, `activation` on hidden layers,
    /// the last layer linear (scores).
    Mlp {
        hidden: Vec<usize>,
        activation: Activation,
        outputs: usize,
    },
    /// A normal density N(μ, σ²) as cell masses on a grid (`cell` wide),
    /// parameters (μ, ln σ); for divergence fits, no inputs.
    Normal { grid: Vec<f64>, cell: f64 },
}

/// A built model.
#[derive(Debug, Clone)]
pub(crate) enum Model {
    Network(Network),
    Normal(NormalGrid),
}

impl Model {
    pub(crate) fn new(spec: &ModelSpec, input_dim: usize) -> Result<Model, TrainError> {
        let network = |inputs, hidden: &[usize], activation, outputs, logits| {
            Network::new(inputs, hidden, activation, outputs, logits).map(Model::Network)
        };
        match spec {
            ModelSpec::Constant => network(0, &[], Activation::Tanh, 1, false),
            ModelSpec::Linear => network(input_dim, &[], Activation::Tanh, 1, false),
            ModelSpec::Logistic => network(input_dim, &[], Activation::Tanh, 1, true),
            ModelSpec::Softmax { classes } => {
                if *classes < 2 {
                    return Err(TrainError::bad(
                        "classes",
                        format!("softmax regression needs at least 2 classes, got {classes}"),
                    ));
                }
                network(input_dim, &[], Activation::Tanh, *classes, true)
            }
            ModelSpec::Mlp {
                hidden,
                activation,
                outputs,
            } => {
                if hidden.is_empty() || hidden.len() > 2 || hidden.contains(&0) {
                    return Err(TrainError::bad(
                        "hidden",
                        format!(
                            "an MLP has 1 or 2 hidden layers of at least one unit, got {hidden:?}"
                        ),
                    ));
                }
                network(input_dim, hidden, *activation, *outputs, true)
            }
            ModelSpec::Normal { grid, cell } => NormalGrid::new(grid, *cell).map(Model::Normal),
        }
    }

    pub(crate) fn parameter_count(&self) -> usize {
        match self {
            Model::Network(n) => n.parameter_count(),
            Model::Normal(_) => 2,
        }
    }

    /// Outputs per sample.
    pub(crate) fn outputs(&self) -> usize {
        match self {
            Model::Network(n) => n.outputs(),
            Model::Normal(g) => g.cells(),
        }
    }

    /// Inputs read per sample.
    pub(crate) fn inputs(&self) -> usize {
        match self {
            Model::Network(n) => n.inputs(),
            Model::Normal(_) => 0,
        }
    }

    /// Whether the outputs are logits (scores), not values of the target's kind.
    pub(crate) fn outputs_logits(&self) -> bool {
        matches!(self, Model::Network(n) if n.logits())
    }

    /// Whether the per-sample work grows with the parameter count in the budget (MLP).
    pub(crate) fn is_deep(&self) -> bool {
        matches!(self, Model::Network(n) if n.hidden_layers() > 0)
    }

    /// One output per sample and affine in the parameters: ŷ = w·x + b, whose
    /// Jacobian row is (x, 1). Newton and IRLS need this.
    pub(crate) fn is_affine_scalar(&self) -> bool {
        matches!(self, Model::Network(n) if n.hidden_layers() == 0 && n.outputs() == 1)
    }

    /// Reusable buffers for [`Model::forward`] and [`Model::backward`].
    pub(crate) fn scratch(&self) -> Scratch {
        match self {
            Model::Network(n) => n.scratch(),
            Model::Normal(_) => Scratch::default(),
        }
    }

    pub(crate) fn forward(
        &self,
        params: &[f64],
        x: &[f64],
        out: &mut [f64],
        scratch: &mut Scratch,
    ) {
        match self {
            Model::Network(n) => n.forward(params, x, out, scratch),
            Model::Normal(g) => g.forward(params, out),
        }
    }

    /// Add ∂/∂θ of Σ_k upstream_k · ŷ_k(θ) into `grad` (vector–Jacobian product).
    pub(crate) fn backward(
        &self,
        params: &[f64],
        x: &[f64],
        upstream: &[f64],
        grad: &mut CompensatedVec,
        scratch: &mut Scratch,
    ) {
        match self {
            Model::Network(n) => n.backward(params, x, upstream, grad, scratch),
            Model::Normal(g) => g.backward(params, upstream, grad),
        }
    }

    /// Initial parameters: zeros for models convex in their parameters; a
    /// seeded Glorot-uniform draw for the MLP's weights (biases 0); for a
    /// normal, the grid's middle and a quarter of its width.
    pub(crate) fn initial(&self, seed: u64) -> Vec<f64> {
        match self {
            Model::Network(n) if n.hidden_layers() > 0 => n.glorot(&mut Uniform::new(seed)),
            Model::Network(n) => vec![0.0; n.parameter_count()],
            Model::Normal(g) => g.initial(),
        }
    }

    /// A name per parameter (`w[0]`, `b`, `layer1.w[2,0]`, `mu`).
    pub(crate) fn parameter_names(&self) -> Vec<String> {
        match self {
            Model::Network(n) => n.parameter_names(),
            Model::Normal(_) => vec!["mu".to_string(), "ln_sigma".to_string()],
        }
    }

    /// Filters (Li et al. 2018): weight groups normalised together (one
    /// unit's incoming weights), and the bias entries, kept apart.
    pub(crate) fn filters(&self) -> (Vec<Range<usize>>, Vec<usize>) {
        match self {
            Model::Network(n) => n.filters(),
            // Each parameter of a normal is its own filter.
            Model::Normal(_) => (vec![0..1, 1..2], Vec::new()),
        }
    }
}
