//! `[[checks]]`: conditions on a comparison's numbers that a training
//! pipeline can gate on. A failed check is shown in the report and in
//! `results.json`, and makes `render` exit with status 3.
//!
//! ```toml
//! [[checks]]
//! model = "tight"
//! loss = "huber"           # a [[losses]] name of the comparison (every member of a sweep)
//! below = "unbiased"       # mean(tight) − mean(unbiased) < 0 with the interval's upper end below 0
//! confidence = 0.95        # default: the comparison's
//!
//! [[checks]]
//! model = "tight"
//! loss = "mse"
//! max = 1.5                # mean loss at most 1.5 (with `confidence`: the interval's upper end)
//! comparison = "models"    # needed only when the scenario has several comparisons
//! ```

use serde::Deserialize;

use super::error::{Reporter, ScenarioError};
use super::valid::{Condition, ValidCheck, ValidComparison};

#[derive(Debug, Clone, Deserialize, serde::Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct CheckSpec {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comparison: Option<String>,
    pub model: String,
    pub loss: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub below: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub confidence: Option<f64>,
}

impl CheckSpec {
    pub(crate) fn validate(
        &self,
        path: &str,
        comparisons: &[ValidComparison],
        rep: &Reporter,
    ) -> Result<ValidCheck, ScenarioError> {
        let index = match &self.comparison {
            Some(name) => comparisons
                .iter()
                .position(|c| &c.name == name)
                .ok_or_else(|| {
                    rep.unknown(
                        format!("{path}.comparison"),
                        "comparison",
                        name,
                        comparisons.iter().map(|c| c.name.as_str()),
                    )
                })?,
            None if comparisons.len() == 1 => 0,
            None if comparisons.is_empty() => {
                return Err(rep.invalid(path, "needs a [[comparisons]] entry to check"))
            }
            None => {
                return Err(rep.invalid(
                    path,
                    "needs `comparison = \"...\"`: the scenario has several comparisons",
                ))
            }
        };
        let comparison = &comparisons[index];
        let model_names = || comparison.models.iter().map(|m| m.name.as_str());
        let model = comparison.model_index(&self.model).ok_or_else(|| {
            rep.unknown(format!("{path}.model"), "model", &self.model, model_names())
        })?;
        let losses: Vec<usize> = (0..comparison.losses.len())
            .filter(|&l| comparison.losses[l].entry == self.loss)
            .collect();
        if losses.is_empty() {
            let mut entries: Vec<&str> =
                comparison.losses.iter().map(|l| l.entry.as_str()).collect();
            entries.dedup();
            return Err(rep.unknown(
                format!("{path}.loss"),
                "loss of the comparison",
                &self.loss,
                entries,
            ));
        }
        if let Some(c) = self.confidence {
            if !(c > 0.0 && c < 1.0) {
                return Err(rep.invalid(
                    format!("{path}.confidence"),
                    format!("must be strictly between 0 and 1, got {c}"),
                ));
            }
        }
        let condition = match (&self.below, self.max) {
            (Some(other), None) => {
                let other_index = comparison.model_index(other).ok_or_else(|| {
                    rep.unknown(format!("{path}.below"), "model", other, model_names())
                })?;
                if other_index == model {
                    return Err(
                        rep.invalid(format!("{path}.below"), "names the checked model itself")
                    );
                }
                Condition::Below {
                    other: other_index,
                    confidence: self.confidence.unwrap_or(comparison.confidence),
                }
            }
            (None, Some(max)) if max.is_finite() => Condition::Max {
                max,
                confidence: self.confidence,
            },
            (None, Some(max)) => {
                return Err(rep.invalid(
                    format!("{path}.max"),
                    format!("must be a finite number, got {max}"),
                ))
            }
            _ => return Err(rep.invalid(path, "needs exactly one of `below`, `max`")),
        };
        Ok(ValidCheck {
            path: path.to_string(),
            comparison: index,
            model,
            losses,
            condition,
        })
    }
}
