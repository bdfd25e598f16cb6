//! `[[comparisons]]`: several models under several losses on the same rows,
//! shown as a report section of its own (tables of means with intervals,
//! ranks, differences against a baseline, figures, worst samples).
//!
//! ```toml
//! [[comparisons]]
//! name = "models"                 # names its figures and tables: models-means, …
//! title = "Which model wins?"     # default: "Comparison of models"
//! markdown = "Prose shown before the generated summary."
//! target = "y"                    # a dataset: values, or class indices, or one-hot rows
//! predictions = "predictions"     # a dataset with `columns = [...]`
//! models = ["unbiased", "tight"]  # optional: which models, in which order (default: all)
//! losses = ["mse", "mae", "huber"]  # [[losses]] names; a sweep compares every member
//! baseline = "unbiased"           # default: the first model
//! confidence = 0.95
//! bootstrap = 1000                # resamples (and as many sign flips)
//! seed = 0
//! worst = 10                      # rows in the table of worst samples per model
//! ```

use serde::Deserialize;

use super::context::Context;
use super::error::ScenarioError;
use super::model_columns::ModelData;
use super::valid::{ComparedLoss, ValidComparison};
use crate::loss::Data;
use crate::stats::{MAX_DRAWS, MAX_RESAMPLES};

/// Most per-sample loss values one comparison holds (rows × models × losses):
/// 40 million values are 320 MB.
pub const MAX_PER_SAMPLE_VALUES: usize = 40_000_000;

/// Most rows in a table of worst samples, per model.
pub const MAX_WORST: usize = 1000;

fn default_confidence() -> f64 {
    0.95
}

fn default_bootstrap() -> usize {
    1000
}

fn default_worst() -> usize {
    10
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ComparisonSpec {
    pub name: String,
    pub title: Option<String>,
    #[serde(default)]
    pub markdown: String,
    pub target: String,
    pub predictions: String,
    pub models: Option<Vec<String>>,
    pub losses: Vec<String>,
    pub baseline: Option<String>,
    #[serde(default = "default_confidence")]
    pub confidence: f64,
    #[serde(default = "default_bootstrap")]
    pub bootstrap: usize,
    #[serde(default)]
    pub seed: u64,
    #[serde(default = "default_worst")]
    pub worst: usize,
}

fn data_rows(data: &Data) -> usize {
    match data {
        Data::Flat(v) => v.len(),
        Data::Rows(r) => r.len(),
    }
}

/// Values per row: None for flat data.
fn width(data: &Data) -> Option<usize> {
    match data {
        Data::Flat(_) => None,
        Data::Rows(r) => Some(r.first().map_or(0, Vec::len)),
    }
}

impl ComparisonSpec {
    pub(crate) fn validate(
        &self,
        path: &str,
        ctx: &Context,
    ) -> Result<ValidComparison, ScenarioError> {
        let rep = &ctx.rep;
        ctx.check_name(&format!("{path}.name"), &self.name)?;
        let target = ctx.data(&format!("{path}.target"), &self.target)?;
        let set = ctx.model_sets.get(&self.predictions).ok_or_else(|| {
            let mut message = super::error::unknown_message(
                "dataset of models",
                &self.predictions,
                ctx.model_sets.keys().map(String::as_str),
            );
            if ctx.datasets.contains_key(&self.predictions) {
                message.push_str(
                    "; it is a dataset of one column: give a dataset `columns = [...]` instead",
                );
            }
            rep.invalid(format!("{path}.predictions"), message)
        })?;
        let models: Vec<ModelData> = match &self.models {
            None => set.clone(),
            Some(names) if names.is_empty() => {
                return Err(rep.invalid(format!("{path}.models"), "is empty"))
            }
            Some(names) => names
                .iter()
                .enumerate()
                .map(|(i, name)| {
                    let at = format!("{path}.models[{i}]");
                    if names[..i].contains(name) {
                        return Err(rep.invalid(at, format!("names \"{name}\" twice")));
                    }
                    set.iter()
                        .find(|m| &m.name == name)
                        .cloned()
                        .ok_or_else(|| {
                            rep.unknown(at, "model", name, set.iter().map(|m| m.name.as_str()))
                        })
                })
                .collect::<Result<_, _>>()?,
        };
        check_shapes(&target, &models, path, ctx)?;
        if self.losses.is_empty() {
            return Err(rep.invalid(format!("{path}.losses"), "is empty"));
        }
        let mut losses = Vec::new();
        for (i, entry) in self.losses.iter().enumerate() {
            let at = format!("{path}.losses[{i}]");
            if self.losses[..i].contains(entry) {
                return Err(rep.invalid(at, format!("names \"{entry}\" twice")));
            }
            for member in ctx.loss(&at, entry)? {
                losses.push(ComparedLoss {
                    entry: entry.clone(),
                    member: member.clone(),
                });
            }
        }
        let baseline = match &self.baseline {
            None => 0,
            Some(name) => models.iter().position(|m| &m.name == name).ok_or_else(|| {
                rep.unknown(
                    format!("{path}.baseline"),
                    "model",
                    name,
                    models.iter().map(|m| m.name.as_str()),
                )
            })?,
        };
        if !(self.confidence > 0.0 && self.confidence < 1.0) {
            return Err(rep.invalid(
                format!("{path}.confidence"),
                format!("must be strictly between 0 and 1, got {}", self.confidence),
            ));
        }
        let rows = data_rows(&target);
        let draws = rows as u128 * self.bootstrap as u128;
        if self.bootstrap == 0 || self.bootstrap > MAX_RESAMPLES || draws > MAX_DRAWS {
            return Err(rep.invalid(
                format!("{path}.bootstrap"),
                format!(
                    "must be 1 to {MAX_RESAMPLES} with rows × bootstrap at most {MAX_DRAWS}, \
                     got {} over {rows} rows",
                    self.bootstrap
                ),
            ));
        }
        let values = rows
            .saturating_mul(models.len())
            .saturating_mul(losses.len());
        if values > MAX_PER_SAMPLE_VALUES {
            return Err(rep.invalid(
                path,
                format!(
                    "would hold {values} per-sample losses ({rows} rows × {} models × {} losses); \
                     the limit is {MAX_PER_SAMPLE_VALUES}",
                    models.len(),
                    losses.len()
                ),
            ));
        }
        if self.worst > MAX_WORST {
            return Err(rep.invalid(
                format!("{path}.worst"),
                format!("must be at most {MAX_WORST}, got {}", self.worst),
            ));
        }
        Ok(ValidComparison {
            name: self.name.clone(),
            title: self
                .title
                .clone()
                .unwrap_or_else(|| "Comparison of models".to_string()),
            markdown: self.markdown.clone(),
            path: path.to_string(),
            target,
            models,
            losses,
            baseline,
            confidence: self.confidence,
            bootstrap: self.bootstrap,
            seed: self.seed,
            worst: self.worst,
        })
    }
}

/// Every model has as many rows as the target; row models all have the
/// same number of columns, which a one-hot target has too.
fn check_shapes(
    target: &Data,
    models: &[ModelData],
    path: &str,
    ctx: &Context,
) -> Result<(), ScenarioError> {
    let rows = data_rows(target);
    let first = &models[0];
    for model in models {
        let at = format!("{path}.predictions");
        if data_rows(&model.data) != rows {
            return Err(ctx.rep.invalid(
                at,
                format!(
                    "model \"{}\" has {} rows but the target has {rows}",
                    model.name,
                    data_rows(&model.data)
                ),
            ));
        }
        if width(&model.data) != width(&first.data) {
            let describe = |m: &ModelData| match width(&m.data) {
                None => format!("\"{}\" is one column ({})", m.name, m.columns.join(", ")),
                Some(k) => format!("\"{}\" has {k} columns ({})", m.name, m.columns.join(", ")),
            };
            return Err(ctx.rep.invalid(
                at,
                format!(
                    "models must have the same number of columns: {} but {}",
                    describe(first),
                    describe(model)
                ),
            ));
        }
    }
    if let (Some(classes), Some(k)) = (width(target), width(&first.data)) {
        if classes != k {
            return Err(ctx.rep.invalid(
                format!("{path}.predictions"),
                format!(
                    "model \"{}\" has {k} columns ({}) but the target has {classes} classes",
                    first.name,
                    first.columns.join(", ")
                ),
            ));
        }
    }
    if width(target).is_some() && width(&first.data).is_none() {
        return Err(ctx.rep.invalid(
            format!("{path}.target"),
            "has rows (one-hot or probabilities) but the models have one column each",
        ));
    }
    Ok(())
}
