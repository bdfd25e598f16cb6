//! Running the `[[trainings]]` of a scenario, and the numbers read off them.
//!
//! Members run in parallel; each training is deterministic whatever the
//! thread count (see [`crate::train`]), and the records keep scenario order.

use rayon::prelude::*;
use serde::Serialize;

use crate::scenario::{TrainingMember, TrainingSamples, TrainingValue, ValidTraining};
use crate::train::{Budget, History, ModelSpec, Objective, Problem, Samples};

/// One `[[trainings]]` entry's results (the `trainings` key of `results.json`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TrainingRecord {
    pub name: String,
    pub label: String,
    /// What the members vary (`δ`, `outliers`), if they vary.
    pub sweep: Option<String>,
    pub members: Vec<MemberRecord>,
}

/// One member's run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MemberRecord {
    pub label: String,
    pub sweep_value: Option<f64>,
    pub color_key: String,
    pub final_loss: f64,
    pub min_loss: f64,
    pub tail_range: f64,
    /// Mean ‖θ_{k+1} − θ_k‖ over the last tenth of the recorded path.
    pub tail_step: f64,
    /// Share of samples classified as labelled (classifiers only).
    pub accuracy: Option<f64>,
    /// The fitted normal against its mixture (normal models only).
    pub kl_forward: Option<f64>,
    pub kl_reverse: Option<f64>,
    pub history: History,
}

/// Run every training; an error names the training's key path.
pub fn run_all(trainings: &[ValidTraining]) -> Result<Vec<TrainingRecord>, (String, String)> {
    let jobs: Vec<(usize, &TrainingMember)> = trainings
        .iter()
        .enumerate()
        .flat_map(|(i, t)| t.members.iter().map(move |m| (i, m)))
        .collect();
    let runs = jobs
        .par_iter()
        .map(|(i, member)| run_member(member).map_err(|m| (trainings[*i].path.clone(), m)))
        .collect::<Result<Vec<_>, _>>()?;
    let mut runs = runs.into_iter();
    Ok(trainings
        .iter()
        .map(|t| TrainingRecord {
            name: t.name.clone(),
            label: t.label.clone(),
            sweep: t.sweep.clone(),
            members: runs.by_ref().take(t.members.len()).collect(),
        })
        .collect())
}

fn run_member(member: &TrainingMember) -> Result<MemberRecord, String> {
    let history = member
        .problem
        .train(&member.training, &Budget::default())
        .map_err(|e| format!("cannot be trained ({}): {e}", member.label))?;
    let losses = &history.losses;
    let final_loss = losses.last().copied().unwrap_or(f64::NAN);
    let min_loss = losses.iter().copied().fold(f64::INFINITY, f64::min);
    let tail = losses.len().div_ceil(10).max(1);
    let window = &losses[losses.len().saturating_sub(tail)..];
    let tail_range = window.iter().copied().fold(f64::NEG_INFINITY, f64::max)
        - window.iter().copied().fold(f64::INFINITY, f64::min);
    let path = &history.path;
    let moves = path.len().saturating_sub(1);
    let last = moves.div_ceil(10).max(1).min(moves);
    let tail_step = if moves == 0 {
        0.0
    } else {
        path[path.len() - 1 - last..]
            .windows(2)
            .map(|w| {
                w[1].parameters
                    .iter()
                    .zip(&w[0].parameters)
                    .map(|(a, b)| (a - b) * (a - b))
                    .sum::<f64>()
                    .sqrt()
            })
            .sum::<f64>()
            / last as f64
    };
    let params = &history.final_parameters;
    let (mut accuracy, mut kl_forward, mut kl_reverse) = (None, None, None);
    match &member.samples {
        TrainingSamples::Points(points) if member.problem.outputs_scores() => {
            let scores = member.problem.predict(params).map_err(|e| e.to_string())?;
            accuracy = Some(accuracy_of(
                &scores,
                member.problem.outputs(),
                &points.targets,
            ));
        }
        TrainingSamples::Density(density) => {
            let kl = |reverse: bool| -> Result<f64, String> {
                let objective =
                    Objective::kl(density.masses.clone(), reverse).map_err(|e| e.to_string())?;
                let spec = ModelSpec::Normal {
                    grid: density.grid.clone(),
                    cell: density.cell,
                };
                Problem::new(spec, Samples::featureless(1), objective)
                    .and_then(|p| p.loss(params))
                    .map_err(|e| e.to_string())
            };
            kl_forward = Some(kl(false)?);
            kl_reverse = Some(kl(true)?);
        }
        TrainingSamples::Points(_) => {}
    }
    Ok(MemberRecord {
        label: member.label.clone(),
        sweep_value: member.sweep_value,
        color_key: member.color_key.clone(),
        final_loss,
        min_loss,
        tail_range,
        tail_step,
        accuracy,
        kl_forward,
        kl_reverse,
        history,
    })
}

/// The predicted class: score > 0 for one output (a logit or a margin),
/// the largest score for several.
pub fn predicted_class(row: &[f64]) -> f64 {
    match row {
        [score] => f64::from(u8::from(*score > 0.0)),
        _ => {
            row.iter()
                .enumerate()
                .fold((0, f64::NEG_INFINITY), |best, (i, &z)| {
                    if z > best.1 {
                        (i, z)
                    } else {
                        best
                    }
                })
                .0 as f64
        }
    }
}

fn accuracy_of(scores: &[f64], width: usize, labels: &[f64]) -> f64 {
    let right = scores
        .chunks(width.max(1))
        .zip(labels)
        .filter(|(row, &y)| predicted_class(row) == y)
        .count();
    right as f64 / labels.len().max(1) as f64
}

/// A number of a finished training (a `kind = "training"` quantity).
pub fn value_of(
    training: &ValidTraining,
    record: &TrainingRecord,
    member: usize,
    value: TrainingValue,
    parameter: Option<usize>,
) -> f64 {
    let run = &record.members[member];
    let history = &run.history;
    let density = match &training.members[member].samples {
        TrainingSamples::Density(d) => Some(d),
        TrainingSamples::Points(_) => None,
    };
    match value {
        TrainingValue::FinalLoss => run.final_loss,
        TrainingValue::InitialLoss => history.losses.first().copied().unwrap_or(f64::NAN),
        TrainingValue::MinLoss => run.min_loss,
        TrainingValue::TailRange => run.tail_range,
        TrainingValue::TailStep => run.tail_step,
        TrainingValue::Parameter => parameter
            .and_then(|p| history.final_parameters.get(p).copied())
            .unwrap_or(f64::NAN),
        TrainingValue::Std => history
            .final_parameters
            .get(1)
            .map_or(f64::NAN, |s| s.exp()),
        TrainingValue::Accuracy => run.accuracy.unwrap_or(f64::NAN),
        TrainingValue::KlForward => run.kl_forward.unwrap_or(f64::NAN),
        TrainingValue::KlReverse => run.kl_reverse.unwrap_or(f64::NAN),
        TrainingValue::TargetMean => density.map_or(f64::NAN, |d| d.mean()),
        TrainingValue::TargetStd => density.map_or(f64::NAN, |d| d.std()),
    }
}
