//! Parameters: parsing of CLI text, validation against the catalogue, and the
//! typed, validated parameter set ([`Kind`]) the kernels run on.
//!
//! ```
//! use losslab::loss::{Loss, ParamValue, Params};
//! assert_eq!(ParamValue::parse_text("true"), ParamValue::Bool(true));
//! assert_eq!(ParamValue::parse_text("[1, 2]"), ParamValue::List(vec![1.0, 2.0]));
//! assert_eq!(ParamValue::parse_text("e"), ParamValue::Text("e".into()));
//! let mut params = Params::new();
//! params.insert("delta".into(), ParamValue::parse_text("-1"));
//! let err = Loss::new("huber", &params).unwrap_err();
//! assert_eq!(err.to_string(), "parameter `delta` of `huber`: must be > 0, got -1");
//! ```

use super::catalogue::Entry;
use super::{LossError, ParamValue, Params};

impl ParamValue {
    /// Read a parameter value from command-line text: `true`/`false` → Bool,
    /// a number → Number, a JSON list `[1,2]` → List, `none`/`null` → None,
    /// anything else → Text (e.g. `e` for a logarithm base).
    pub fn parse_text(text: &str) -> ParamValue {
        let t = text.trim();
        match t.to_ascii_lowercase().as_str() {
            "true" => return ParamValue::Bool(true),
            "false" => return ParamValue::Bool(false),
            "none" | "null" => return ParamValue::None,
            _ => {}
        }
        if let Ok(x) = t.parse::<f64>() {
            return ParamValue::Number(x);
        }
        if t.starts_with('[') {
            if let Ok(list) = serde_json::from_str::<Vec<f64>>(t) {
                return ParamValue::List(list);
            }
        }
        ParamValue::Text(t.to_string())
    }

    /// How a value is shown in an error message.
    pub(crate) fn describe(&self) -> String {
        match self {
            ParamValue::Number(x) => format!("{x}"),
            ParamValue::Bool(b) => format!("{b}"),
            ParamValue::Text(s) => format!("`{s}`"),
            ParamValue::List(v) => format!("{v:?}"),
            ParamValue::None => "none".to_string(),
        }
    }
}

/// Options shared by the binary cross-entropies.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Binary {
    pub from_logits: bool,
    pub epsilon: f64,
    pub label_smoothing: f64,
}

/// Options shared by the categorical cross-entropies.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Categorical {
    pub from_logits: bool,
    pub label_smoothing: f64,
    pub class_weights: Option<Vec<f64>>,
    pub ignore_index: Option<i64>,
}

/// A loss with typed, validated parameters.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Kind {
    Mae,
    Mse,
    Huber {
        delta: f64,
    },
    SmoothL1 {
        beta: f64,
    },
    LogCosh,
    Quantile {
        tau: f64,
    },
    Msle,
    Mape,
    Poisson {
        log_input: bool,
    },
    Bce(Binary),
    BinaryFocal {
        bin: Binary,
        gamma: f64,
        alpha: Option<f64>,
    },
    Hinge,
    SquaredHinge,
    Cce(Categorical),
    Scce(Categorical),
    CategoricalFocal {
        from_logits: bool,
        gamma: f64,
        alpha: f64,
    },
    CategoricalHinge,
    Cosine,
    Kl {
        ln_base: f64,
        normalize: bool,
    },
    Js {
        ln_base: f64,
    },
}

/// Reads parameters of one loss, after unknown names were rejected.
struct Reader<'a> {
    loss: &'static str,
    values: &'a Params,
    /// The validated values, as `Loss::params` reports them.
    out: Params,
}

impl Reader<'_> {
    fn bad(&self, param: &str, message: String) -> LossError {
        LossError::BadParam {
            loss: self.loss.to_string(),
            param: param.to_string(),
            message,
        }
    }

    fn raw(&self, name: &str) -> &ParamValue {
        self.values.get(name).unwrap_or(&ParamValue::None)
    }

    fn number(&mut self, name: &str) -> Result<f64, LossError> {
        let v = self.raw(name);
        let x = match v {
            ParamValue::Number(x) => *x,
            ParamValue::Text(s) => s
                .trim()
                .parse::<f64>()
                .map_err(|_| self.bad(name, format!("expected a number, got {}", v.describe())))?,
            other => {
                return Err(self.bad(name, format!("expected a number, got {}", other.describe())))
            }
        };
        if !x.is_finite() {
            return Err(self.bad(name, format!("must be a finite number, got {x}")));
        }
        self.out.insert(name.to_string(), ParamValue::Number(x));
        Ok(x)
    }

    fn optional_number(&mut self, name: &str) -> Result<Option<f64>, LossError> {
        if matches!(self.raw(name), ParamValue::None) {
            self.out.insert(name.to_string(), ParamValue::None);
            return Ok(None);
        }
        self.number(name).map(Some)
    }

    fn flag(&mut self, name: &str) -> Result<bool, LossError> {
        let v = self.raw(name);
        let b = match v {
            ParamValue::Bool(b) => *b,
            ParamValue::Text(s) if s.eq_ignore_ascii_case("true") => true,
            ParamValue::Text(s) if s.eq_ignore_ascii_case("false") => false,
            other => {
                return Err(self.bad(
                    name,
                    format!("expected true or false, got {}", other.describe()),
                ))
            }
        };
        self.out.insert(name.to_string(), ParamValue::Bool(b));
        Ok(b)
    }

    /// A number in a range; `check` says whether it is acceptable, `rule` how to say it.
    fn number_where(
        &mut self,
        name: &str,
        check: impl Fn(f64) -> bool,
        rule: &str,
    ) -> Result<f64, LossError> {
        let x = self.number(name)?;
        if check(x) {
            Ok(x)
        } else {
            Err(self.bad(name, format!("{rule}, got {x}")))
        }
    }

    fn probability(&mut self, name: &str) -> Result<f64, LossError> {
        self.number_where(name, |x| (0.0..=1.0).contains(&x), "must be in [0, 1]")
    }

    fn class_weights(&mut self, name: &str) -> Result<Option<Vec<f64>>, LossError> {
        let v = self.raw(name).clone();
        let list = match v {
            ParamValue::None => None,
            ParamValue::List(list) => Some(list),
            ParamValue::Text(ref s) => match ParamValue::parse_text(s) {
                ParamValue::List(list) => Some(list),
                _ => {
                    return Err(self.bad(
                        name,
                        format!("expected a list like [1, 2.5], got {}", v.describe()),
                    ))
                }
            },
            other => {
                return Err(self.bad(
                    name,
                    format!("expected a list like [1, 2.5], got {}", other.describe()),
                ))
            }
        };
        if let Some(list) = &list {
            if list.is_empty() {
                return Err(self.bad(name, "must not be empty".to_string()));
            }
            if let Some((i, w)) = list
                .iter()
                .enumerate()
                .find(|(_, w)| !(w.is_finite() && **w >= 0.0))
            {
                return Err(self.bad(
                    name,
                    format!("entry {i} is {w}; class weights must be finite and >= 0"),
                ));
            }
        }
        self.out.insert(
            name.to_string(),
            list.clone()
                .map(ParamValue::List)
                .unwrap_or(ParamValue::None),
        );
        Ok(list)
    }

    fn optional_integer(&mut self, name: &str) -> Result<Option<i64>, LossError> {
        let Some(x) = self.optional_number(name)? else {
            return Ok(None);
        };
        // 2^53: beyond it f64 no longer holds every integer.
        if x.fract() != 0.0 || x.abs() > 9_007_199_254_740_992.0 {
            return Err(self.bad(name, format!("must be an integer, got {x}")));
        }
        Ok(Some(x as i64))
    }

    /// A logarithm base: a number > 0 and != 1, or the text `e`. Returns ln(base).
    fn log_base(&mut self, name: &str) -> Result<f64, LossError> {
        let v = self.raw(name).clone();
        if let ParamValue::Text(s) = &v {
            if s.trim() == "e" {
                self.out
                    .insert(name.to_string(), ParamValue::Text("e".to_string()));
                return Ok(1.0);
            }
        }
        let b = self.number(name).map_err(|_| {
            self.bad(
                name,
                format!(
                    "expected e, 2, 10 or a number > 0 other than 1, got {}",
                    v.describe()
                ),
            )
        })?;
        if b <= 0.0 || b == 1.0 {
            return Err(self.bad(name, format!("must be > 0 and not 1, got {b}")));
        }
        Ok(b.ln())
    }

    fn binary(&mut self, with_epsilon: bool) -> Result<Binary, LossError> {
        let from_logits = self.flag("from_logits")?;
        let epsilon = if with_epsilon {
            self.number_where(
                "epsilon",
                |x| (0.0..0.5).contains(&x),
                "must be in [0, 0.5)",
            )?
        } else {
            0.0
        };
        let label_smoothing = self.probability("label_smoothing")?;
        Ok(Binary {
            from_logits,
            epsilon,
            label_smoothing,
        })
    }

    fn categorical(&mut self, sparse: bool) -> Result<Categorical, LossError> {
        Ok(Categorical {
            from_logits: self.flag("from_logits")?,
            label_smoothing: self.probability("label_smoothing")?,
            class_weights: self.class_weights("class_weights")?,
            ignore_index: if sparse {
                self.optional_integer("ignore_index")?
            } else {
                None
            },
        })
    }

    fn gamma(&mut self) -> Result<f64, LossError> {
        self.number_where("gamma", |x| x >= 0.0, "must be >= 0")
    }
}

/// Validate `given` against the loss's parameter list and build its [`Kind`];
/// returns the kind and every parameter with defaults filled in.
pub(crate) fn build(entry: &'static Entry, given: &Params) -> Result<(Kind, Params), LossError> {
    if let Some(unknown) = given
        .keys()
        .find(|k| !entry.params.iter().any(|(n, _, _)| n == k))
    {
        let known: Vec<&str> = entry.params.iter().map(|(n, _, _)| *n).collect();
        return Err(LossError::UnknownParam {
            loss: entry.name.to_string(),
            param: unknown.clone(),
            known: if known.is_empty() {
                "no parameters".to_string()
            } else {
                known.join(", ")
            },
        });
    }
    // Defaults first, then what was given; `None` given for a parameter
    // means "unset", i.e. the default.
    let mut values: Params = entry
        .params
        .iter()
        .map(|(n, d, _)| (n.to_string(), d.value()))
        .collect();
    for (k, v) in given {
        if *v != ParamValue::None {
            values.insert(k.clone(), v.clone());
        }
    }
    let mut r = Reader {
        loss: entry.name,
        values: &values,
        out: Params::new(),
    };
    let positive = |x: f64| x > 0.0;
    let kind = match entry.name {
        "mae" => Kind::Mae,
        "mse" => Kind::Mse,
        "huber" => Kind::Huber {
            delta: r.number_where("delta", positive, "must be > 0")?,
        },
        "smooth_l1" => Kind::SmoothL1 {
            beta: r.number_where("beta", positive, "must be > 0")?,
        },
        "log_cosh" => Kind::LogCosh,
        "quantile" => Kind::Quantile {
            tau: r.number_where("tau", |x| x > 0.0 && x < 1.0, "must be in (0, 1)")?,
        },
        "msle" => Kind::Msle,
        "mape" => Kind::Mape,
        "poisson" => Kind::Poisson {
            log_input: r.flag("log_input")?,
        },
        "binary_cross_entropy" => Kind::Bce(r.binary(true)?),
        "binary_focal_cross_entropy" => {
            let gamma = r.gamma()?;
            let alpha = match r.optional_number("alpha")? {
                Some(a) if !(0.0..=1.0).contains(&a) => {
                    return Err(r.bad("alpha", format!("must be in [0, 1] or none, got {a}")))
                }
                a => a,
            };
            Kind::BinaryFocal {
                bin: r.binary(false)?,
                gamma,
                alpha,
            }
        }
        "hinge" => Kind::Hinge,
        "squared_hinge" => Kind::SquaredHinge,
        "categorical_cross_entropy" => Kind::Cce(r.categorical(false)?),
        "sparse_categorical_cross_entropy" => Kind::Scce(r.categorical(true)?),
        "categorical_focal_cross_entropy" => Kind::CategoricalFocal {
            gamma: r.gamma()?,
            alpha: r.probability("alpha")?,
            from_logits: r.flag("from_logits")?,
        },
        "categorical_hinge" => Kind::CategoricalHinge,
        "cosine_similarity" => Kind::Cosine,
        "kl_divergence" => Kind::Kl {
            ln_base: r.log_base("base")?,
            normalize: r.flag("normalize")?,
        },
        "jensen_shannon" => Kind::Js {
            ln_base: r.log_base("base")?,
        },
        other => unreachable!("catalogue entry `{other}` has no kernel"),
    };
    Ok((kind, r.out))
}

#[cfg(test)]
#[path = "params_tests.rs"]
mod tests;
