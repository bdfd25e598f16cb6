//! Framework conventions: how Keras, legacy tf.keras, PyTorch, optax,
//! scikit-learn and scipy compute "the same" loss, reproduced function for
//! function so that losslab can put their answers beside the exact one.
//!
//! A convention is a property of a loss's definition: each family file lists
//! the conventions of its losses (`Definition::conventions`, one
//! [`Conventional`] per library), and the kernels live here, one file per
//! family (`binary`, `regression`, `categorical`, `divergence`, `margin`).
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

use std::sync::Arc;

use super::definition::{Definition, ElementwiseKernel, Kernel, RowKernel};
use super::params::Reader;
use super::{LossError, ParamInfo, ParamValue, Params};

pub(crate) mod binary;
pub(crate) mod categorical;
pub(crate) mod divergence;
pub(crate) mod margin;
pub(crate) mod regression;

/// A library whose way of computing a loss losslab reproduces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Convention {
    /// The mathematics (the default).
    Exact,
    /// Keras 3 (`keras/src/losses/losses.py`).
    Keras,
    /// Legacy tf.keras 2.x (`tf_keras/backend.py`).
    TfKeras,
    /// PyTorch (`torch/nn/modules/loss.py`).
    Pytorch,
    /// optax (`optax/losses/`).
    Optax,
    /// scikit-learn 1.7 (`sklearn/metrics/`).
    Sklearn,
    /// scipy (`scipy.special.rel_entr`, `kl_div`, `scipy.stats.entropy`).
    Scipy,
}

/// Every convention, in the order error messages list them.
pub const CONVENTIONS: [Convention; 7] = [
    Convention::Exact,
    Convention::Keras,
    Convention::TfKeras,
    Convention::Pytorch,
    Convention::Optax,
    Convention::Sklearn,
    Convention::Scipy,
];

impl Convention {
    pub fn as_str(self) -> &'static str {
        match self {
            Convention::Exact => "exact",
            Convention::Keras => "keras",
            Convention::TfKeras => "tf_keras",
            Convention::Pytorch => "pytorch",
            Convention::Optax => "optax",
            Convention::Sklearn => "sklearn",
            Convention::Scipy => "scipy",
        }
    }

    fn parse(text: &str) -> Option<Convention> {
        CONVENTIONS
            .into_iter()
            .find(|c| c.as_str() == text.trim().to_ascii_lowercase().replace('-', "_"))
    }
}

/// The arithmetic a convention runs in: `round` maps every intermediate
/// result to the working precision (identity for float64; float32 rounding
/// otherwise, which for +, −, ×, ÷ and √ of float32 inputs is exactly what
/// float32 hardware returns, and for log/exp agrees with a float32 libm to
/// within an ulp).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Dtype {
    pub float32: bool,
}

impl Dtype {
    pub(crate) fn r(self, x: f64) -> f64 {
        if self.float32 {
            x as f32 as f64
        } else {
            x
        }
    }

    pub(crate) fn ln(self, x: f64) -> f64 {
        self.r(self.r(x).ln())
    }

    pub(crate) fn name(self) -> &'static str {
        if self.float32 {
            "float32"
        } else {
            "float64"
        }
    }
}

pub(crate) type BuildElementwise =
    fn(&mut Reader<'_>, Dtype) -> Result<Arc<dyn ElementwiseKernel>, LossError>;
pub(crate) type BuildRows = fn(&mut Reader<'_>, Dtype) -> Result<Arc<dyn RowKernel>, LossError>;

/// How one library computes one loss: the kernel builder for that convention.
pub(crate) struct Conventional {
    pub convention: Convention,
    pub build: ConventionBuild,
}

#[derive(Clone, Copy)]
pub(crate) enum ConventionBuild {
    Elementwise(BuildElementwise),
    Rows(BuildRows),
}

pub(crate) const fn elementwise(convention: Convention, build: BuildElementwise) -> Conventional {
    Conventional {
        convention,
        build: ConventionBuild::Elementwise(build),
    }
}

pub(crate) const fn rows(convention: Convention, build: BuildRows) -> Conventional {
    Conventional {
        convention,
        build: ConventionBuild::Rows(build),
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

/// The convention and dtype asked for, checked against the loss's list.
/// `None` for `exact` (the exact kernel is built as usual).
pub(crate) fn choose(
    loss: &'static str,
    available: &'static [Conventional],
    convention: Option<&ParamValue>,
    dtype: Option<&ParamValue>,
) -> Result<Option<(&'static Conventional, Dtype)>, LossError> {
    let bad = |param: &str, message: String| LossError::BadParam {
        loss: loss.to_string(),
        param: param.to_string(),
        message,
    };
    let chosen = match convention {
        None | Some(ParamValue::None) => Convention::Exact,
        Some(ParamValue::Text(text)) => Convention::parse(text).ok_or_else(|| {
            bad(
                "convention",
                format!("unknown convention `{text}` (known: {})", known_list()),
            )
        })?,
        Some(other) => {
            return Err(bad(
                "convention",
                format!(
                    "expected a convention name ({}), got {}",
                    known_list(),
                    other.describe()
                ),
            ))
        }
    };
    let float32 = match dtype {
        None | Some(ParamValue::None) => false,
        Some(ParamValue::Text(t)) if t.trim() == "float64" => false,
        Some(ParamValue::Text(t)) if t.trim() == "float32" => true,
        Some(other) => {
            return Err(bad(
                "dtype",
                format!("expected float64 or float32, got {}", other.describe()),
            ))
        }
    };
    if chosen == Convention::Exact {
        if float32 {
            return Err(bad(
                "dtype",
                "float32 rounds as a library does and needs a convention (exact is the mathematics)"
                    .to_string(),
            ));
        }
        return Ok(None);
    }
    let found = available
        .iter()
        .find(|c| c.convention == chosen)
        .ok_or_else(|| {
            let mut has: Vec<&str> = vec!["exact"];
            has.extend(available.iter().map(|c| c.convention.as_str()));
            bad(
                "convention",
                format!(
                    "{} has no `{loss}` (conventions of `{loss}`: {})",
                    chosen.as_str(),
                    has.join(", ")
                ),
            )
        })?;
    Ok(Some((found, Dtype { float32 })))
}

fn known_list() -> String {
    CONVENTIONS
        .iter()
        .map(|c| c.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Build the conventional kernel.
pub(crate) fn build(
    conventional: &Conventional,
    dtype: Dtype,
    reader: &mut Reader<'_>,
) -> Result<Kernel, LossError> {
    Ok(match conventional.build {
        ConventionBuild::Elementwise(build) => Kernel::Elementwise(build(reader, dtype)?),
        ConventionBuild::Rows(build) => Kernel::Rows(build(reader, dtype)?),
    })
}

/// The parameters as `Loss::params` reports them under a convention: those
/// the convention read, plus `convention` (and `dtype` when float32). A
/// parameter given with a non-default value that the convention does not
/// read is an error: the library has no such option.
pub(crate) fn finish_params(
    def: &Definition,
    conventional: &Conventional,
    dtype: Dtype,
    given: &Params,
    mut read: Params,
) -> Result<Params, LossError> {
    for (name, value) in given {
        let default = def
            .params
            .iter()
            .find(|p| p.name == name.as_str())
            .map(|p| p.default.value());
        if !read.contains_key(name) && *value != ParamValue::None && default.as_ref() != Some(value)
        {
            return Err(LossError::BadParam {
                loss: def.name.to_string(),
                param: name.clone(),
                message: format!(
                    "does not apply with convention = {} (the library has no such option)",
                    conventional.convention.as_str()
                ),
            });
        }
    }
    read.insert(
        "convention".to_string(),
        ParamValue::Text(conventional.convention.as_str().to_string()),
    );
    if dtype.float32 {
        read.insert("dtype".to_string(), ParamValue::Text("float32".to_string()));
    }
    Ok(read)
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
