//! Which convention a loss is computed under: the names, the working dtype,
//! the checks of `convention` and `dtype`, and the parameters reported.
//! The definition's dispatch (`instantiate`) reads this file; the kernels
//! live in the family files beside it.

use crate::loss::params::ParamSpec;
use crate::loss::{LossError, ParamValue, Params};

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

/// The convention and dtype asked for, checked against the loss's list.
/// `None` for `exact` (the exact kernel is built as usual).
pub(crate) fn choose(
    loss: &'static str,
    available: impl Iterator<Item = Convention> + Clone,
    convention: Option<&ParamValue>,
    dtype: Option<&ParamValue>,
) -> Result<Option<(Convention, Dtype)>, LossError> {
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
    let found = available.clone().find(|c| *c == chosen).ok_or_else(|| {
        let mut has: Vec<&str> = vec!["exact"];
        has.extend(available.map(|c| c.as_str()));
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

/// The parameters as `Loss::params` reports them under a convention: those
/// the convention read, plus `convention` (and `dtype` when float32). A
/// parameter given with a non-default value that the convention does not
/// read is an error: the library has no such option.
pub(crate) fn finish_params(
    loss: &str,
    specs: impl Iterator<Item = &'static ParamSpec> + Clone,
    convention: Convention,
    dtype: Dtype,
    given: &Params,
    mut read: Params,
) -> Result<Params, LossError> {
    for (name, value) in given {
        let default = specs
            .clone()
            .find(|p| p.name == name.as_str())
            .map(|p| p.default.value());
        if !read.contains_key(name) && *value != ParamValue::None && default.as_ref() != Some(value)
        {
            return Err(LossError::BadParam {
                loss: loss.to_string(),
                param: name.clone(),
                message: format!(
                    "does not apply with convention = {} (the library has no such option)",
                    convention.as_str()
                ),
            });
        }
    }
    read.insert(
        "convention".to_string(),
        ParamValue::Text(convention.as_str().to_string()),
    );
    if dtype.float32 {
        read.insert("dtype".to_string(), ParamValue::Text("float32".to_string()));
    }
    Ok(read)
}
