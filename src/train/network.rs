//! Dense networks and back-propagation, written once for every model from the
//! constant (no inputs, no hidden layer) to the two-hidden-layer perceptron.
//!
//! # Formula
//! Layer l has weights W_l (outputs × inputs, row-major) and biases b_l:
//! z_l = W_l a_{l−1} + b_l, a_l = φ(z_l) on hidden layers, ŷ = z_L (linear
//! output), a_0 = x. Given the core's δ_L = ∂L/∂ŷ for one sample,
//! back-propagation (Rumelhart, Hinton & Williams 1986) gives
//! ∂L/∂W_l = δ_l a_{l−1}ᵀ, ∂L/∂b_l = δ_l, δ_{l−1} = (W_lᵀ δ_l) ⊙ φ′(z_{l−1}),
//! with φ′ = 1 − tanh² z (tanh) or 1{z > 0} (ReLU).

use std::ops::Range;

use serde::{Deserialize, Serialize};

use super::accumulate::CompensatedVec;
use super::random::Uniform;
use super::TrainError;

/// Hidden-layer nonlinearity of a multilayer perceptron.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Activation {
    /// tanh z; derivative 1 − tanh² z.
    Tanh,
    /// max(0, z); derivative 1 for z > 0, else 0 (0 at the kink, as frameworks do).
    Relu,
}

/// One dense layer's shape and where its parameters start.
#[derive(Debug, Clone, Copy)]
struct Layer {
    inputs: usize,
    outputs: usize,
    /// Index of W's first entry; b follows W.
    offset: usize,
}

impl Layer {
    fn weights(&self) -> Range<usize> {
        self.offset..self.offset + self.inputs * self.outputs
    }

    fn biases(&self) -> Range<usize> {
        let start = self.offset + self.inputs * self.outputs;
        start..start + self.outputs
    }

    /// out = W a + b.
    fn apply(&self, params: &[f64], a: &[f64], out: &mut [f64]) {
        let w = &params[self.weights()];
        let b = &params[self.biases()];
        for (o, z) in out.iter_mut().enumerate() {
            let row = &w[o * self.inputs..(o + 1) * self.inputs];
            *z = row.iter().zip(a).fold(b[o], |acc, (wi, ai)| acc + wi * ai);
        }
    }
}

/// Buffers reused from sample to sample: the activations a_0, ..., a_L and
/// two δ vectors, so a pass allocates nothing.
#[derive(Debug, Clone, Default)]
pub(crate) struct Scratch {
    acts: Vec<Vec<f64>>,
    delta: Vec<f64>,
    next: Vec<f64>,
}

/// A dense network; see the module formula.
#[derive(Debug, Clone)]
pub(crate) struct Network {
    layers: Vec<Layer>,
    activation: Activation,
    logits: bool,
}

impl Network {
    pub(crate) fn new(
        inputs: usize,
        hidden: &[usize],
        activation: Activation,
        outputs: usize,
        logits: bool,
    ) -> Result<Network, TrainError> {
        if outputs == 0 {
            return Err(TrainError::bad(
                "outputs",
                "a model needs at least one output",
            ));
        }
        let mut layers = Vec::new();
        let mut offset = 0;
        let mut from = inputs;
        for &to in hidden.iter().chain(std::iter::once(&outputs)) {
            layers.push(Layer {
                inputs: from,
                outputs: to,
                offset,
            });
            offset += to * (from + 1);
            from = to;
        }
        Ok(Network {
            layers,
            activation,
            logits,
        })
    }

    pub(crate) fn parameter_count(&self) -> usize {
        self.layers.last().map_or(0, |l| l.biases().end)
    }

    pub(crate) fn inputs(&self) -> usize {
        self.layers[0].inputs
    }

    pub(crate) fn outputs(&self) -> usize {
        self.layers.last().map_or(0, |l| l.outputs)
    }

    pub(crate) fn hidden_layers(&self) -> usize {
        self.layers.len() - 1
    }

    pub(crate) fn logits(&self) -> bool {
        self.logits
    }

    fn activate(&self, z: f64) -> f64 {
        match self.activation {
            Activation::Tanh => z.tanh(),
            Activation::Relu => z.max(0.0),
        }
    }

    /// φ′ from the activation's output a = φ(z) (tanh) or z's sign (ReLU: a > 0 ⇔ z > 0).
    fn slope(&self, a: f64) -> f64 {
        match self.activation {
            Activation::Tanh => 1.0 - a * a,
            Activation::Relu => f64::from(u8::from(a > 0.0)),
        }
    }

    /// Buffers sized for this network.
    pub(crate) fn scratch(&self) -> Scratch {
        let mut acts = vec![vec![0.0; self.inputs()]];
        acts.extend(self.layers.iter().map(|l| vec![0.0; l.outputs]));
        let widest = acts.iter().map(Vec::len).max().unwrap_or(0);
        Scratch {
            acts,
            delta: Vec::with_capacity(widest),
            next: Vec::with_capacity(widest),
        }
    }

    /// Fill the activations a_0 (the inputs read), a_1, ..., and the outputs z_L last.
    fn run(&self, params: &[f64], x: &[f64], acts: &mut [Vec<f64>]) {
        acts[0].copy_from_slice(&x[..self.inputs()]);
        let hidden = self.hidden_layers();
        for (l, layer) in self.layers.iter().enumerate() {
            let (done, rest) = acts.split_at_mut(l + 1);
            let z = &mut rest[0];
            layer.apply(params, &done[l], z);
            if l < hidden {
                z.iter_mut().for_each(|v| *v = self.activate(*v));
            }
        }
    }

    pub(crate) fn forward(
        &self,
        params: &[f64],
        x: &[f64],
        out: &mut [f64],
        scratch: &mut Scratch,
    ) {
        self.run(params, x, &mut scratch.acts);
        if let Some(last) = scratch.acts.last() {
            out.copy_from_slice(last);
        }
    }

    pub(crate) fn backward(
        &self,
        params: &[f64],
        x: &[f64],
        upstream: &[f64],
        grad: &mut CompensatedVec,
        scratch: &mut Scratch,
    ) {
        self.run(params, x, &mut scratch.acts);
        let Scratch { acts, delta, next } = scratch;
        delta.clear();
        delta.extend_from_slice(upstream);
        for (l, layer) in self.layers.iter().enumerate().rev() {
            let input = &acts[l];
            let (w, b) = (layer.weights(), layer.biases());
            for (o, &d) in delta.iter().enumerate() {
                grad.add_at(b.start + o, d);
                let start = w.start + o * layer.inputs;
                for (k, a) in input.iter().enumerate() {
                    grad.add_at(start + k, d * a);
                }
            }
            if l == 0 {
                break;
            }
            let weights = &params[w];
            next.clear();
            next.extend((0..layer.inputs).map(|i| {
                let back: f64 = (0..layer.outputs)
                    .map(|o| weights[o * layer.inputs + i] * delta[o])
                    .sum();
                back * self.slope(input[i])
            }));
            std::mem::swap(delta, next);
        }
    }

    /// Glorot-uniform weights, U(±√(6/(fan_in + fan_out))) (Glorot & Bengio
    /// 2010), biases 0.
    pub(crate) fn glorot(&self, uniform: &mut Uniform) -> Vec<f64> {
        let mut params = vec![0.0; self.parameter_count()];
        for layer in &self.layers {
            let limit = (6.0 / (layer.inputs + layer.outputs) as f64).sqrt();
            for p in &mut params[layer.weights()] {
                *p = limit * (2.0 * uniform.next() - 1.0);
            }
        }
        params
    }

    pub(crate) fn parameter_names(&self) -> Vec<String> {
        let deep = self.layers.len() > 1;
        let mut names = Vec::with_capacity(self.parameter_count());
        for (l, layer) in self.layers.iter().enumerate() {
            let prefix = if deep {
                format!("layer{}.", l + 1)
            } else {
                String::new()
            };
            let single = layer.outputs == 1 && !deep;
            for o in 0..layer.outputs {
                for i in 0..layer.inputs {
                    names.push(if single {
                        format!("{prefix}w[{i}]")
                    } else {
                        format!("{prefix}w[{o},{i}]")
                    });
                }
            }
            for o in 0..layer.outputs {
                names.push(if single {
                    format!("{prefix}b")
                } else {
                    format!("{prefix}b[{o}]")
                });
            }
        }
        names
    }

    /// One filter per unit (its incoming weights, a row of W); biases apart.
    pub(crate) fn filters(&self) -> (Vec<Range<usize>>, Vec<usize>) {
        let mut filters = Vec::new();
        let mut biases = Vec::new();
        for layer in &self.layers {
            let w = layer.weights();
            if layer.inputs > 0 {
                filters.extend(
                    (0..layer.outputs)
                        .map(|o| w.start + o * layer.inputs..w.start + (o + 1) * layer.inputs),
                );
            }
            biases.extend(layer.biases());
        }
        (filters, biases)
    }
}
