//! Per-sample losses of every model under every loss of a comparison,
//! through the core's `Loss::evaluate` with the `mean` reduction, whose
//! value is the mean `eval` prints, bit for bit.
//!
//! Rows a loss leaves out (a class label equal to its `ignore_index`) are
//! left out for every loss of the comparison, so that every model and loss
//! is compared over the same rows; the ignoring loss's mean is the core's
//! over the whole data (which does not count those rows either), the other
//! losses' means are over the rows kept.

use rayon::prelude::*;

use crate::loss::{Data, Loss, ParamValue, Reduction};
use crate::scenario::{ModelData, ValidComparison};

/// What the statistics need: per-sample values and means, `[loss][model]`.
pub(super) struct Evaluated {
    pub per_sample: Vec<Vec<Vec<f64>>>,
    pub means: Vec<Vec<f64>>,
    /// Rows kept (every row unless a loss ignores some), in order.
    pub kept: Vec<usize>,
}

/// The rows a loss leaves out: sparse labels equal to its `ignore_index`.
fn ignored_label(loss: &Loss) -> Option<f64> {
    if !loss.sparse_labels() {
        return None;
    }
    match loss.params().get("ignore_index") {
        Some(ParamValue::Number(k)) => Some(*k),
        _ => None,
    }
}

/// Class indices as one-hot rows, for a row loss that takes dense targets
/// when the comparison's target is a column of class indices.
pub(super) fn one_hot(labels: &[f64], classes: usize) -> Result<Vec<Vec<f64>>, String> {
    labels
        .iter()
        .enumerate()
        .map(|(row, &label)| {
            let is_class = label.fract() == 0.0 && label >= 0.0 && label < classes as f64;
            if !is_class {
                return Err(format!(
                    "target row {row} is {label}; class indices must be integers in [0, {classes})"
                ));
            }
            let mut one = vec![0.0; classes];
            one[label as usize] = 1.0;
            Ok(one)
        })
        .collect()
}

/// The target as `loss` takes it next to row predictions of `classes` columns.
pub(super) fn target_for(
    loss: &Loss,
    target: &Data,
    classes: Option<usize>,
) -> Result<Data, String> {
    match (target, classes) {
        (Data::Flat(labels), Some(k)) if !loss.sparse_labels() => {
            Ok(Data::Rows(one_hot(labels, k)?))
        }
        _ => Ok(target.clone()),
    }
}

/// Values per row of the models (None: one column each).
pub(super) fn classes(models: &[ModelData]) -> Option<usize> {
    match &models.first()?.data {
        Data::Flat(_) => None,
        Data::Rows(rows) => Some(rows.first().map_or(0, Vec::len)),
    }
}

fn select(data: &Data, kept: &[usize]) -> Data {
    match data {
        Data::Flat(v) => Data::Flat(kept.iter().map(|&r| v[r]).collect()),
        Data::Rows(rows) => Data::Rows(kept.iter().map(|&r| rows[r].clone()).collect()),
    }
}

fn flat_or_first(data: &Data) -> Vec<f64> {
    match data {
        Data::Flat(v) => v.clone(),
        Data::Rows(rows) => rows
            .iter()
            .map(|r| r.first().copied().unwrap_or(0.0))
            .collect(),
    }
}

/// Evaluate every (loss, model) pair, on all cores, in a fixed order.
pub(super) fn evaluate(c: &ValidComparison) -> Result<Evaluated, String> {
    let rows = c.rows();
    let labels = flat_or_first(&c.target);
    let ignored: Vec<Option<f64>> = c
        .losses
        .iter()
        .map(|l| ignored_label(&l.member.loss))
        .collect();
    let kept: Vec<usize> = (0..rows)
        .filter(|&r| {
            !ignored
                .iter()
                .flatten()
                .any(|&k| matches!(c.target, Data::Flat(_)) && labels[r] == k)
        })
        .collect();
    if kept.is_empty() {
        return Err("every row is left out by an `ignore_index`: nothing to compare".into());
    }
    let all_kept = kept.len() == rows;
    let (kept_target, kept_models) = if all_kept {
        (c.target.clone(), c.models.clone())
    } else {
        let models = c
            .models
            .iter()
            .map(|m| ModelData {
                data: select(&m.data, &kept),
                ..m.clone()
            })
            .collect();
        (select(&c.target, &kept), models)
    };
    let classes = classes(&c.models);
    let pairs: Vec<(usize, usize)> = (0..c.losses.len())
        .flat_map(|l| (0..c.models.len()).map(move |m| (l, m)))
        .collect();
    let evaluated = pairs
        .par_iter()
        .map(|&(l, m)| {
            let loss = &c.losses[l].member;
            let model = &c.models[m];
            let fail = |e: String| {
                format!(
                    "model \"{}\" ({}) under {}: {e}",
                    model.name,
                    model.columns.join(", "),
                    loss.label
                )
            };
            // A loss that ignores rows is evaluated whole: its mean is eval's.
            let whole = ignored[l].is_some() || all_kept;
            let (target, prediction) = if whole {
                (&c.target, &model.data)
            } else {
                (&kept_target, &kept_models[m].data)
            };
            let target = target_for(&loss.loss, target, classes).map_err(fail)?;
            let evaluation = loss
                .loss
                .evaluate(&target, prediction, None, Reduction::Mean)
                .map_err(|e| fail(e.to_string()))?;
            let per_sample = if whole && !all_kept {
                kept.iter().map(|&r| evaluation.per_sample[r]).collect()
            } else {
                evaluation.per_sample
            };
            Ok((evaluation.value, per_sample))
        })
        .collect::<Result<Vec<_>, String>>()?;
    let mut per_sample = vec![Vec::new(); c.losses.len()];
    let mut means = vec![Vec::new(); c.losses.len()];
    for ((l, _), (mean, values)) in pairs.into_iter().zip(evaluated) {
        per_sample[l].push(values);
        means[l].push(mean);
    }
    Ok(Evaluated {
        per_sample,
        means,
        kept,
    })
}

/// The mean loss of each model under `loss` (a loss built for a sweep), over
/// the `kept` rows.
pub(super) fn means_under(
    loss: &Loss,
    c: &ValidComparison,
    kept: &[usize],
) -> Result<Vec<f64>, String> {
    let all = kept.len() == c.rows();
    let target = if all {
        c.target.clone()
    } else {
        select(&c.target, kept)
    };
    let target = target_for(loss, &target, classes(&c.models))?;
    c.models
        .iter()
        .map(|model| {
            let prediction = if all {
                model.data.clone()
            } else {
                select(&model.data, kept)
            };
            loss.evaluate(&target, &prediction, None, Reduction::Mean)
                .map(|e| e.value)
                .map_err(|e| format!("model \"{}\": {e}", model.name))
        })
        .collect()
}
