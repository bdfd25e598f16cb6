//! Parameters: parsing of CLI text, defaults, the checked reads a loss's
//! definition builds its kernel with, and the parameters shared by families.
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

use serde::Serialize;

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

/// A parameter default that can live in a `static` table.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub enum ParamDefault {
    Number(f64),
    Bool(bool),
    Text(&'static str),
    None,
    /// Unset by default; when set, a list of numbers.
    NoList,
    /// A list of numbers (sampling parameters such as class weights).
    List(&'static [f64]),
}

impl ParamDefault {
    pub fn value(self) -> ParamValue {
        match self {
            ParamDefault::Number(x) => ParamValue::Number(x),
            ParamDefault::Bool(b) => ParamValue::Bool(b),
            ParamDefault::Text(s) => ParamValue::Text(s.to_string()),
            ParamDefault::None | ParamDefault::NoList => ParamValue::None,
            ParamDefault::List(list) => ParamValue::List(list.to_vec()),
        }
    }

    /// The value is a list of numbers, not a scalar.
    pub fn takes_list(self) -> bool {
        matches!(self, ParamDefault::NoList | ParamDefault::List(_))
    }
}

/// A parameter of a loss: name, default, and what it means.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ParamSpec {
    pub name: &'static str,
    pub default: ParamDefault,
    pub doc: &'static str,
}

impl ParamSpec {
    pub(crate) const fn new(name: &'static str, default: ParamDefault, doc: &'static str) -> Self {
        ParamSpec { name, default, doc }
    }
}

/// `from_logits`, shared by the cross-entropies.
pub(crate) const FROM_LOGITS: ParamSpec = ParamSpec::new(
    "from_logits",
    ParamDefault::Bool(false),
    "the prediction is a logit (sigmoid/softmax applied inside, stable forms)",
);
/// `label_smoothing`, shared by the cross-entropies.
pub(crate) const LABEL_SMOOTHING: ParamSpec = ParamSpec::new(
    "label_smoothing",
    ParamDefault::Number(0.0),
    "mix targets with the uniform distribution: y(1-ls) + ls/C (C = 2 for binary), in [0, 1]",
);
/// `gamma`, shared by the focal losses.
pub(crate) const GAMMA: ParamSpec = ParamSpec::new(
    "gamma",
    ParamDefault::Number(2.0),
    "focusing exponent, >= 0 (0 gives plain cross-entropy)",
);

/// Reads parameters of one loss, after unknown names were rejected; each
/// read checks the value and records it for [`Loss::params`](super::Loss::params).
pub(crate) struct Reader<'a> {
    loss: &'static str,
    values: &'a Params,
    /// The validated values, as `Loss::params` reports them.
    out: Params,
}

impl<'a> Reader<'a> {
    /// A reader of `values` (defaults already filled in) for the loss `loss`.
    pub(crate) fn new(loss: &'static str, values: &'a Params) -> Self {
        Reader {
            loss,
            values,
            out: Params::new(),
        }
    }

    /// Every parameter read, as checked.
    pub(crate) fn finish(self) -> Params {
        self.out
    }

    pub(crate) fn bad(&self, param: &str, message: String) -> LossError {
        LossError::BadParam {
            loss: self.loss.to_string(),
            param: param.to_string(),
            message,
        }
    }

    fn raw(&self, name: &str) -> &ParamValue {
        self.values.get(name).unwrap_or(&ParamValue::None)
    }

    pub(crate) fn number(&mut self, name: &str) -> Result<f64, LossError> {
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

    pub(crate) fn optional_number(&mut self, name: &str) -> Result<Option<f64>, LossError> {
        if matches!(self.raw(name), ParamValue::None) {
            self.out.insert(name.to_string(), ParamValue::None);
            return Ok(None);
        }
        self.number(name).map(Some)
    }

    pub(crate) fn flag(&mut self, name: &str) -> Result<bool, LossError> {
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
    pub(crate) fn number_where(
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

    pub(crate) fn probability(&mut self, name: &str) -> Result<f64, LossError> {
        self.number_where(name, |x| (0.0..=1.0).contains(&x), "must be in [0, 1]")
    }

    pub(crate) fn class_weights(&mut self, name: &str) -> Result<Option<Vec<f64>>, LossError> {
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

    pub(crate) fn optional_integer(&mut self, name: &str) -> Result<Option<i64>, LossError> {
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
    pub(crate) fn log_base(&mut self, name: &str) -> Result<f64, LossError> {
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

    pub(crate) fn gamma(&mut self) -> Result<f64, LossError> {
        self.number_where("gamma", |x| x >= 0.0, "must be >= 0")
    }

    pub(crate) fn positive(&mut self, name: &str) -> Result<f64, LossError> {
        self.number_where(name, |x| x > 0.0, "must be > 0")
    }
}

#[cfg(test)]
#[path = "params_tests.rs"]
mod tests;
