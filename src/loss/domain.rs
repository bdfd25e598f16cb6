//! Typed domain errors: which value of which argument lies outside a loss's
//! domain, and why. Callers read the fields; they never parse a message.
//!
//! ```
//! use losslab::loss::{Argument, Loss, Params};
//! let bce = Loss::new("bce", &Params::new()).unwrap();
//! let err = bce.point(1.0, 1.5).unwrap_err();
//! assert_eq!(err.argument, Argument::Prediction);
//! assert_eq!(err.value, 1.5);
//! assert_eq!(err.reason, "probabilities must be in [0, 1]");
//! assert_eq!(err.to_string(), "prediction: index 0 is 1.5; probabilities must be in [0, 1]");
//! ```

use std::fmt;

/// The argument of a loss call a value belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Argument {
    Target,
    Prediction,
    Weights,
}

impl Argument {
    /// `target`, `prediction` or `weights`: the name used in messages and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Argument::Target => "target",
            Argument::Prediction => "prediction",
            Argument::Weights => "weights",
        }
    }
}

impl fmt::Display for Argument {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where a value sits: `index 3` in a flat array, `row 2, column 1` in a matrix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Place {
    pub row: Option<usize>,
    pub col: usize,
}

impl Place {
    /// Position `i` of a flat array.
    pub fn index(i: usize) -> Place {
        Place { row: None, col: i }
    }
}

impl fmt::Display for Place {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.row {
            Some(r) => write!(f, "row {r}, column {}", self.col),
            None => write!(f, "index {}", self.col),
        }
    }
}

/// One value outside a loss's domain: the argument, the element, the value
/// and the rule it breaks (`probabilities must be in [0, 1]`).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{argument}: {element} is {value}; {reason}")]
pub struct DomainError {
    pub argument: Argument,
    pub element: Place,
    pub value: f64,
    pub reason: &'static str,
}

/// A pair outside an elementwise loss's domain, before its position is known:
/// which of the two values breaks which rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Outside {
    pub argument: Argument,
    pub reason: &'static str,
}

impl Outside {
    #[inline]
    pub(crate) fn target(reason: &'static str) -> Outside {
        Outside {
            argument: Argument::Target,
            reason,
        }
    }

    #[inline]
    pub(crate) fn prediction(reason: &'static str) -> Outside {
        Outside {
            argument: Argument::Prediction,
            reason,
        }
    }

    /// The error at element `at` of the pair (target, prediction).
    pub(crate) fn at(self, at: Place, target: f64, prediction: f64) -> DomainError {
        DomainError {
            argument: self.argument,
            element: at,
            value: if self.argument == Argument::Target {
                target
            } else {
                prediction
            },
            reason: self.reason,
        }
    }
}

/// `ok`, or the rule a pair breaks.
#[inline]
pub(crate) fn require(ok: bool, outside: Outside) -> Result<(), Outside> {
    if ok {
        Ok(())
    } else {
        Err(outside)
    }
}
