//! `[[distributions]]` (discrete, over labelled events) and `[[normals]]`
//! (parametric continuous distributions for divergences).

use serde::Deserialize;

use super::error::{Reporter, ScenarioError};
use super::valid::{Discrete, NormalParams};

/// A discrete distribution: one probability per event label.
///
/// The probabilities are not required to sum to 1: a source may get that
/// wrong, and the core's warning is then part of the story.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DiscreteSpec {
    pub name: String,
    /// Legend label; defaults to the name.
    pub label: Option<String>,
    pub events: Vec<String>,
    pub probabilities: Vec<f64>,
}

/// A normal distribution N(mean, std²).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NormalSpec {
    pub name: String,
    pub label: Option<String>,
    pub mean: f64,
    pub std: f64,
}

impl DiscreteSpec {
    pub fn validate(&self, path: &str, rep: &Reporter) -> Result<Discrete, ScenarioError> {
        if self.events.is_empty() {
            return Err(rep.invalid(format!("{path}.events"), "is empty"));
        }
        if self.events.len() != self.probabilities.len() {
            return Err(rep.invalid(
                format!("{path}.probabilities"),
                format!(
                    "has {} values but there are {} events",
                    self.probabilities.len(),
                    self.events.len()
                ),
            ));
        }
        if let Some((i, p)) = self
            .probabilities
            .iter()
            .enumerate()
            .find(|(_, p)| !(p.is_finite() && **p >= 0.0))
        {
            return Err(rep.invalid(
                format!("{path}.probabilities[{i}]"),
                format!("must be a finite number >= 0, got {p}"),
            ));
        }
        Ok(Discrete {
            label: self.label.clone().unwrap_or_else(|| self.name.clone()),
            events: self.events.clone(),
            probabilities: self.probabilities.clone(),
        })
    }
}

impl NormalSpec {
    pub fn validate(&self, path: &str, rep: &Reporter) -> Result<NormalParams, ScenarioError> {
        if !self.mean.is_finite() {
            return Err(rep.invalid(
                format!("{path}.mean"),
                format!("must be finite, got {}", self.mean),
            ));
        }
        if !(self.std.is_finite() && self.std > 0.0) {
            return Err(rep.invalid(
                format!("{path}.std"),
                format!("must be > 0, got {}", self.std),
            ));
        }
        Ok(NormalParams {
            label: self.label.clone().unwrap_or_else(|| self.name.clone()),
            mean: self.mean,
            std: self.std,
        })
    }
}
