//! Where the property tests sample a loss: part of each loss's definition,
//! so a new loss is checked by the catalogue-driven tests without anyone
//! adding a case.
//!
//! ```
//! use losslab::loss::{catalogue, Region};
//! let huber = catalogue().into_iter().find(|l| l.name == "huber").unwrap();
//! let case = &huber.sampling[0];
//! assert!(matches!(case.target, Region::Between(..)));
//! assert_eq!(case.kinks, &[-1.5, 1.5]);
//! ```

use super::params::ParamDefault;

/// Where one input is drawn from a uniform u ∈ [0, 1].
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Region {
    /// lo + (hi − lo)·u (for a row: each entry).
    Between(f64, f64),
    /// One of these values (labels, counts).
    OneOf(&'static [f64]),
    /// A row of positive entries summing to 1.
    Distribution,
    /// A one-hot row.
    OneHot,
    /// A class index, one per row (sparse labels).
    Label,
}

impl Region {
    /// The value of an elementwise region at u ∈ [0, 1]; None for row regions.
    pub fn at(&self, u: f64) -> Option<f64> {
        match self {
            Region::Between(lo, hi) => Some(lo + (hi - lo) * u),
            Region::OneOf(values) => {
                let last = values.len().checked_sub(1)?;
                let i = ((u * values.len() as f64) as usize).min(last);
                values.get(i).copied()
            }
            Region::Distribution | Region::OneHot | Region::Label => None,
        }
    }
}

/// One parameter set of a loss and the region of its inputs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Sampling {
    /// Parameters other than the defaults.
    pub params: &'static [(&'static str, ParamDefault)],
    pub target: Region,
    pub prediction: Region,
    /// Residuals ŷ − y where a derivative jumps (finite differences skip them).
    pub kinks: &'static [f64],
    /// The value is ≥ 0 everywhere in the region.
    pub non_negative: bool,
    /// A fixed number of classes (for class weights); else any.
    pub classes: Option<usize>,
}

impl Sampling {
    /// Defaults: no parameters, no kink, a non-negative value, any class count.
    pub const fn new(target: Region, prediction: Region) -> Sampling {
        Sampling {
            params: &[],
            target,
            prediction,
            kinks: &[],
            non_negative: true,
            classes: None,
        }
    }

    pub const fn with(self, params: &'static [(&'static str, ParamDefault)]) -> Sampling {
        Sampling { params, ..self }
    }

    pub const fn kinks(self, kinks: &'static [f64]) -> Sampling {
        Sampling { kinks, ..self }
    }

    /// The value may be negative (Poisson without log y!, cosine similarity).
    pub const fn signed(self) -> Sampling {
        Sampling {
            non_negative: false,
            ..self
        }
    }

    pub const fn classes(self, classes: usize) -> Sampling {
        Sampling {
            classes: Some(classes),
            ..self
        }
    }
}

/// Residuals and predictions of every sign.
pub(crate) const WIDE: Region = Region::Between(-10.0, 10.0);
/// Probabilities away from 0 and 1.
pub(crate) const UNIT: Region = Region::Between(0.02, 0.98);
/// Soft binary targets.
pub(crate) const SOFT: Region = Region::Between(0.0, 1.0);
/// Hard binary targets.
pub(crate) const BINARY: Region = Region::OneOf(&[0.0, 1.0]);
