//! A training problem: samples, a model and an objective. It gives the loss,
//! the gradient (the core's ∂L/∂ŷ carried back through the model) and the
//! curvature data of second-order methods at any parameters.

use rayon::prelude::*;

use super::accumulate::CompensatedVec;
use super::adapter::{Evaluated, Objective};
use super::model::{Model, ModelSpec};
use super::TrainError;

/// Samples per parallel chunk: a constant, so the bits never depend on the
/// thread count.
const CHUNK: usize = 256;

/// Input features, one row of `dim` numbers per sample, stored row-major.
#[derive(Debug, Clone, PartialEq)]
pub struct Samples {
    inputs: Vec<f64>,
    dim: usize,
    count: usize,
}

impl Samples {
    /// `inputs` holds `dim` features per sample, sample after sample.
    pub fn new(inputs: Vec<f64>, dim: usize) -> Result<Samples, TrainError> {
        if dim == 0 || !inputs.len().is_multiple_of(dim) {
            return Err(TrainError::bad(
                "inputs",
                format!(
                    "{} numbers do not make rows of {dim} features",
                    inputs.len()
                ),
            ));
        }
        if let Some(i) = inputs.iter().position(|x| !x.is_finite()) {
            return Err(TrainError::bad(
                "inputs",
                format!("sample {} feature {} is {}", i / dim, i % dim, inputs[i]),
            ));
        }
        let count = inputs.len() / dim;
        Ok(Samples { inputs, dim, count })
    }

    /// `count` samples without features (for a constant or a density model).
    pub fn featureless(count: usize) -> Samples {
        Samples {
            inputs: Vec::new(),
            dim: 0,
            count,
        }
    }

    pub fn count(&self) -> usize {
        self.count
    }

    pub fn dim(&self) -> usize {
        self.dim
    }

    fn row(&self, i: usize) -> &[f64] {
        &self.inputs[i * self.dim..(i + 1) * self.dim]
    }
}

/// Samples, a model and what its outputs are scored against.
#[derive(Debug, Clone)]
pub struct Problem {
    pub(crate) model: Model,
    samples: Samples,
    objective: Objective,
}

/// Everything one evaluation yields.
pub(crate) struct Point {
    pub outputs: Vec<f64>,
    pub evaluated: Evaluated,
    pub gradient: Vec<f64>,
}

impl Problem {
    /// Check that model, samples and objective fit together.
    pub fn new(
        spec: ModelSpec,
        samples: Samples,
        objective: Objective,
    ) -> Result<Problem, TrainError> {
        let model = Model::new(&spec, samples.dim)?;
        if model.inputs() > samples.dim {
            return Err(TrainError::bad(
                "inputs",
                format!(
                    "the model reads {} features, the samples have {}",
                    model.inputs(),
                    samples.dim
                ),
            ));
        }
        if samples.count != objective.samples() {
            return Err(TrainError::bad(
                "targets",
                format!(
                    "{} targets for {} samples",
                    objective.samples(),
                    samples.count
                ),
            ));
        }
        if samples.count == 0 {
            return Err(TrainError::bad("samples", "there is no sample to train on"));
        }
        if model.outputs_logits() && objective.wants_probabilities() {
            return Err(TrainError::bad(
                "loss",
                format!(
                    "this model outputs logits; set from_logits = true on {}",
                    objective.name()
                ),
            ));
        }
        Ok(Problem {
            model,
            samples,
            objective,
        })
    }

    pub fn parameter_count(&self) -> usize {
        self.model.parameter_count()
    }

    /// A name per parameter, in the order of every parameter vector.
    pub fn parameter_names(&self) -> Vec<String> {
        self.model.parameter_names()
    }

    pub fn samples(&self) -> usize {
        self.samples.count
    }

    pub(crate) fn objective(&self) -> &Objective {
        &self.objective
    }

    /// Units of work of one evaluation: samples, times parameters for an MLP.
    pub(crate) fn evaluation_work(&self) -> (u128, String) {
        let n = self.samples.count as u128;
        if self.model.is_deep() {
            let p = self.model.parameter_count() as u128;
            (n * p, format!("{n} samples × {p} parameters"))
        } else {
            (n, format!("{n} samples"))
        }
    }

    /// Budget units of one evaluation (see [`super::Budget`]).
    pub fn work_per_evaluation(&self) -> u128 {
        self.evaluation_work().0
    }

    /// Whether the outputs are logits or scores (classifiers).
    pub fn outputs_scores(&self) -> bool {
        self.model.outputs_logits()
    }

    /// Outputs per sample.
    pub fn outputs(&self) -> usize {
        self.model.outputs()
    }

    fn check_params(&self, params: &[f64]) -> Result<(), TrainError> {
        if params.len() != self.parameter_count() {
            return Err(TrainError::bad(
                "parameters",
                format!(
                    "{} given, the model has {}",
                    params.len(),
                    self.parameter_count()
                ),
            ));
        }
        Ok(())
    }

    /// The model's outputs at `params`, `outputs()` numbers per sample.
    pub fn predict(&self, params: &[f64]) -> Result<Vec<f64>, TrainError> {
        self.check_params(params)?;
        let width = self.model.outputs();
        let mut out = vec![0.0; self.samples.count * width];
        out.par_chunks_mut(CHUNK * width)
            .enumerate()
            .for_each(|(c, chunk)| {
                let mut scratch = self.model.scratch();
                for (k, o) in chunk.chunks_mut(width).enumerate() {
                    let row = self.samples.row(c * CHUNK + k);
                    self.model.forward(params, row, o, &mut scratch);
                }
            });
        Ok(out)
    }

    /// The model's outputs at `params` for other inputs (a fitted line over
    /// a range, a classifier over a grid), `dim` features each like the training samples.
    pub fn predict_at(&self, params: &[f64], inputs: &Samples) -> Result<Vec<f64>, TrainError> {
        self.check_params(params)?;
        if inputs.dim < self.model.inputs() {
            return Err(TrainError::bad(
                "inputs",
                format!(
                    "the model reads {} features, got {}",
                    self.model.inputs(),
                    inputs.dim
                ),
            ));
        }
        let width = self.model.outputs();
        let mut out = vec![0.0; inputs.count * width];
        let mut scratch = self.model.scratch();
        for (i, o) in out.chunks_mut(width).enumerate() {
            self.model.forward(params, inputs.row(i), o, &mut scratch);
        }
        Ok(out)
    }

    /// The loss at `params`.
    pub fn loss(&self, params: &[f64]) -> Result<f64, TrainError> {
        let outputs = self.predict(params)?;
        Ok(self
            .objective
            .evaluate(&outputs, self.model.outputs())?
            .value)
    }

    /// ∂loss/∂θ at `params`, by back-propagation of the core's ∂L/∂ŷ.
    pub fn gradient(&self, params: &[f64]) -> Result<Vec<f64>, TrainError> {
        Ok(self.point(params)?.gradient)
    }

    pub(crate) fn point(&self, params: &[f64]) -> Result<Point, TrainError> {
        let outputs = self.predict(params)?;
        let width = self.model.outputs();
        let evaluated = self.objective.evaluate(&outputs, width)?;
        let gradient = self.backward(params, &evaluated.gradient, width);
        Ok(Point {
            outputs,
            evaluated,
            gradient,
        })
    }

    /// Σ_i J_iᵀ upstream_i, each chunk summed with compensation, the chunk
    /// sums merged in chunk order.
    fn backward(&self, params: &[f64], upstream: &[f64], width: usize) -> Vec<f64> {
        let count = self.parameter_count();
        let partials: Vec<CompensatedVec> = upstream
            .par_chunks(CHUNK * width)
            .enumerate()
            .map(|(c, chunk)| {
                let mut sum = CompensatedVec::zeros(count);
                let mut scratch = self.model.scratch();
                for (k, up) in chunk.chunks(width).enumerate() {
                    let row = self.samples.row(c * CHUNK + k);
                    self.model.backward(params, row, up, &mut sum, &mut scratch);
                }
                sum
            })
            .collect();
        let mut total = CompensatedVec::zeros(count);
        partials.iter().for_each(|p| total.merge(p));
        total.total()
    }

    /// The row (x, 1) of sample i in an affine scalar model's Jacobian.
    pub(crate) fn affine_row(&self, i: usize) -> Vec<f64> {
        let mut row = self.samples.row(i)[..self.model.inputs()].to_vec();
        row.push(1.0);
        row
    }
}
