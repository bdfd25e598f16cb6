//! The input of a comparison: per-sample losses of several models under
//! several losses, over the same rows, checked once on construction.

use serde::Serialize;

use super::StatsError;
use crate::loss::Params;

/// A loss as a report names it: canonical name and parameters
/// (serialised flat as `"loss"` and `"params"`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LossLabel {
    pub loss: String,
    pub params: Params,
}

impl LossLabel {
    /// A loss without parameters.
    pub fn new(loss: &str) -> Self {
        LossLabel {
            loss: loss.to_string(),
            params: Params::new(),
        }
    }

    /// A loss with parameters.
    pub fn with_params(loss: &str, params: Params) -> Self {
        LossLabel {
            loss: loss.to_string(),
            params,
        }
    }
}

/// Per-sample losses `per_sample[loss][model][row]`: every model under every
/// loss, all on the same n ≥ 1 rows, none NaN (+∞ is a loss value; NaN is not).
#[derive(Debug, Clone, PartialEq)]
pub struct PairedLosses {
    models: Vec<String>,
    losses: Vec<LossLabel>,
    per_sample: Vec<Vec<Vec<f64>>>,
    /// Means computed elsewhere (`means[loss][model]`), reported instead of
    /// `accurate_sum / n`: the core's own reduction, which for a row loss
    /// sums in its own chunks, so that the numbers equal `eval`'s bit for bit.
    means: Option<Vec<Vec<f64>>>,
}

impl PairedLosses {
    /// Check shapes, names and values once, so that the computation never re-checks.
    pub fn new(
        models: Vec<String>,
        losses: Vec<LossLabel>,
        per_sample: Vec<Vec<Vec<f64>>>,
    ) -> Result<Self, StatsError> {
        if models.is_empty() || losses.is_empty() {
            return Err(StatsError::NoModelOrLoss);
        }
        if let Some((i, name)) = models
            .iter()
            .enumerate()
            .find(|(i, name)| models[..*i].contains(name))
        {
            return Err(StatsError::DuplicateModel {
                name: name.clone(),
                index: i,
            });
        }
        if per_sample.len() != losses.len() {
            return Err(StatsError::Shape(format!(
                "{} losses named but per-sample values for {}",
                losses.len(),
                per_sample.len()
            )));
        }
        let rows = per_sample[0].first().map_or(0, Vec::len);
        if rows == 0 {
            return Err(StatsError::Empty);
        }
        for (l, by_model) in per_sample.iter().enumerate() {
            let loss = &losses[l].loss;
            if by_model.len() != models.len() {
                return Err(StatsError::Shape(format!(
                    "loss `{loss}`: {} models named but per-sample values for {}",
                    models.len(),
                    by_model.len()
                )));
            }
            for (m, values) in by_model.iter().enumerate() {
                let model = &models[m];
                if values.len() != rows {
                    return Err(StatsError::Shape(format!(
                        "loss `{loss}`, model `{model}`: {} rows where the first has {rows}",
                        values.len()
                    )));
                }
                if let Some(row) = values.iter().position(|x| x.is_nan()) {
                    return Err(StatsError::Shape(format!(
                        "loss `{loss}`, model `{model}`: row {row} is NaN"
                    )));
                }
            }
        }
        Ok(PairedLosses {
            models,
            losses,
            per_sample,
            means: None,
        })
    }

    /// Report these means (`means[loss][model]`, the core's `mean`
    /// reduction of the same per-sample values) instead of computing them.
    pub fn with_means(mut self, means: Vec<Vec<f64>>) -> Result<Self, StatsError> {
        let shaped =
            means.len() == self.losses.len() && means.iter().all(|m| m.len() == self.models.len());
        if !shaped {
            return Err(StatsError::Shape(format!(
                "means for {} losses × {} models expected",
                self.losses.len(),
                self.models.len()
            )));
        }
        self.means = Some(means);
        Ok(self)
    }

    /// The per-sample values back, `[loss][model][row]`, without a copy.
    pub fn into_per_sample(self) -> Vec<Vec<Vec<f64>>> {
        self.per_sample
    }

    /// The mean given by [`PairedLosses::with_means`], if any.
    pub(crate) fn given_mean(&self, loss: usize, model: usize) -> Option<f64> {
        self.means.as_ref().map(|m| m[loss][model])
    }

    pub fn models(&self) -> &[String] {
        &self.models
    }

    pub fn losses(&self) -> &[LossLabel] {
        &self.losses
    }

    /// Number of rows n.
    pub fn rows(&self) -> usize {
        self.per_sample[0][0].len()
    }

    /// Per-sample values of model `model` under loss `loss` (indices).
    pub fn column(&self, loss: usize, model: usize) -> &[f64] {
        &self.per_sample[loss][model]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(n: &[&str]) -> Vec<String> {
        n.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn refuses_bad_shapes_naming_the_culprit() {
        let mae = vec![LossLabel::new("mae")];
        let err = PairedLosses::new(names(&["a", "b"]), mae.clone(), vec![vec![vec![1.0]]]);
        assert_eq!(
            err.unwrap_err().to_string(),
            "loss `mae`: 2 models named but per-sample values for 1"
        );
        let ragged = vec![vec![vec![1.0, 2.0], vec![1.0]]];
        let err = PairedLosses::new(names(&["a", "b"]), mae.clone(), ragged);
        assert_eq!(
            err.unwrap_err().to_string(),
            "loss `mae`, model `b`: 1 rows where the first has 2"
        );
        let nan = vec![vec![vec![1.0, f64::NAN]]];
        let err = PairedLosses::new(names(&["a"]), mae.clone(), nan);
        assert_eq!(
            err.unwrap_err().to_string(),
            "loss `mae`, model `a`: row 1 is NaN"
        );
        let twice = vec![vec![vec![1.0], vec![2.0]]];
        let err = PairedLosses::new(names(&["a", "a"]), mae, twice);
        assert_eq!(
            err.unwrap_err(),
            StatsError::DuplicateModel {
                name: "a".into(),
                index: 1
            }
        );
    }
}
