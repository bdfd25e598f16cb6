//! Framework conventions: how Keras, legacy tf.keras, PyTorch, optax,
//! scikit-learn and scipy compute "the same" loss, reproduced function for
//! function so that losslab can put their answers beside the exact one.
//!
//! A convention is a property of a loss's definition: each family file lists
//! the conventions of its losses (`Definition::conventions`, one
//! [`Conventional`] per library), and the kernels live here, one file per
//! family (`binary`, `regression`, `categorical`, `divergence`, `margin`;
//! `label_binarizer` is scikit-learn's label rule for its hinge).
//! [`instantiate`](super::definition::instantiate) dispatches on the
//! `convention` parameter before it builds the exact kernel; `exact` (the
//! default) is the mathematics and never passes through this module.
//!
//! Each conventional kernel computes the library's function and the gradient
//! its autograd would return: clipping is part of the function, so the
//! gradient is 0 where a clip is active, and [`ElementwiseKernel::saturated`]
//! names that region so that `evaluate` can warn about it.
//!
//! # Precision
//! `dtype = "float64"` (the default) evaluates the library's formula with its
//! constants (ε = 1e-7 for Keras, −100 for PyTorch's log clamp, machine
//! epsilon for scikit-learn) in double precision: what the library computes
//! for float64 tensors. `dtype = "float32"` rounds every input, constant and
//! intermediate result to float32, as the library does at its default
//! precision (Keras' `floatx`, PyTorch's default dtype, JAX without x64):
//! this changes the clip bounds (1 − 1e-7 becomes 0.99999988, so Keras' BCE
//! at y = 0, q = 1 is 15.942 instead of 16.118), scikit-learn's epsilon
//! (1.19e-7 instead of 2.2e-16) and the last digits of every value.
//!
//! ```
//! use losslab::loss::{Loss, ParamValue, Params};
//! let mut params = Params::new();
//! params.insert("convention".into(), ParamValue::Text("keras".into()));
//! params.insert("dtype".into(), ParamValue::Text("float32".into()));
//! let keras = Loss::new("bce", &params).unwrap();
//! let p = keras.point(0.0, 1.0).unwrap();
//! assert!((p.value - 15.942385).abs() < 1e-5);
//! assert_eq!(p.gradient, 0.0); // the clip saturates: Keras' autograd gives 0
//! ```

use super::definition::{BuildConventionElementwise, BuildConventionRows};
use super::definition::{ConventionBuild, Conventional, ElementwiseKernel, Kernel};
use super::{ParamInfo, ParamValue};

pub(crate) mod binary;
pub(crate) mod categorical;
pub(crate) mod choice;
pub(crate) mod divergence;
pub(crate) mod label_binarizer;
pub(crate) mod margin;
pub(crate) mod regression;

pub(crate) use choice::Dtype;
pub use choice::{Convention, CONVENTIONS};

pub(crate) const fn elementwise(
    convention: Convention,
    build: BuildConventionElementwise,
) -> Conventional {
    Conventional {
        convention,
        build: ConventionBuild::Elementwise(build),
        extra: &[],
    }
}

pub(crate) const fn rows(convention: Convention, build: BuildConventionRows) -> Conventional {
    Conventional {
        convention,
        build: ConventionBuild::Rows(build),
        extra: &[],
    }
}

/// The two parameters every loss with conventions takes, as `list` shows them.
pub(crate) fn param_infos() -> [ParamInfo; 2] {
    [
        ParamInfo {
            name: "convention",
            default: ParamValue::Text("exact".to_string()),
            takes_list: false,
            doc: "compute as a library does: exact (the mathematics), keras, tf_keras, pytorch, optax, sklearn, scipy (where the library has this loss)",
        },
        ParamInfo {
            name: "dtype",
            default: ParamValue::Text("float64".to_string()),
            takes_list: false,
            doc: "float32 rounds every step as the library does at its default precision (clip bounds, epsilons, last digits); needs a convention",
        },
    ]
}

/// Counts the predictions that fall where a convention's clip saturates,
/// batch after batch, and words the warning (the streamed `eval` and
/// [`Loss::evaluate`](super::Loss::evaluate) say the same thing).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Saturation {
    count: u64,
    total: u64,
    first: Option<(u64, f64, String)>,
}

impl Saturation {
    /// Look at the pairs of one batch starting at sample `first_row`.
    pub fn add(&mut self, loss: &super::Loss, first_row: u64, target: &[f64], prediction: &[f64]) {
        if let Kernel::Elementwise(kernel) = &loss.kernel {
            self.add_kernel(kernel.as_ref(), first_row, target, prediction);
        }
    }

    /// Count `samples` pairs known to lie where no clip saturates.
    pub fn pass_over(&mut self, samples: u64) {
        self.total += samples;
    }

    fn add_kernel(
        &mut self,
        kernel: &dyn ElementwiseKernel,
        first_row: u64,
        target: &[f64],
        prediction: &[f64],
    ) {
        self.total += prediction.len() as u64;
        for (i, (&y, &yhat)) in target.iter().zip(prediction).enumerate() {
            if let Some(region) = kernel.saturated(y, yhat) {
                self.count += 1;
                self.first
                    .get_or_insert((first_row + i as u64, yhat, region));
            }
        }
    }

    /// The warning, if any prediction was in a saturated region.
    pub fn warning(&self) -> Option<String> {
        self.first.as_ref().map(|(i, yhat, region)| {
            format!(
                "{} of {} predictions lie where the convention's clip saturates ({region}; first: sample {i}, prediction {yhat}): the loss is flat there and its gradient 0 or clamped",
                self.count, self.total
            )
        })
    }
}

/// The warning for predictions in a region where a convention's clip
/// flattens the loss (its autograd gradient is 0 there).
pub(crate) fn saturation_warning(
    kernel: &dyn ElementwiseKernel,
    target: &[f64],
    prediction: &[f64],
) -> Option<String> {
    let mut saturation = Saturation::default();
    saturation.add_kernel(kernel, 0, target, prediction);
    saturation.warning()
}
