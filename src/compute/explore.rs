//! Explorable figures: one frame per sweep value, each a whole figure, so
//! the report can switch between them without a script.

use super::figures;
use super::model::Explorable;
use super::training_figures::Trained;
use crate::format::format_evidence;
use crate::scenario::{FigureKind, ValidFigure};

/// Every frame of `spec` (which has `explore = true` and passed validation).
pub fn frames(spec: &ValidFigure, trained: Trained<'_>) -> Result<Explorable, String> {
    let (control, values): (String, Vec<String>) = match &spec.kind {
        FigureKind::LossCurve { losses, .. } | FigureKind::ConstantFit { losses, .. } => {
            let swept: Vec<&(String, f64)> =
                losses.iter().filter_map(|m| m.sweep.as_ref()).collect();
            let control = swept
                .first()
                .map(|(param, _)| crate::scenario::parameter_symbol(param))
                .unwrap_or_default();
            (
                control,
                swept.iter().map(|s| format_evidence(s.1)).collect(),
            )
        }
        FigureKind::NormalKl { shifts, .. } => (
            "shift of the model's mean".into(),
            shifts.iter().map(|s| format_evidence(*s)).collect(),
        ),
        FigureKind::Training(tf) => {
            let training = tf
                .trainings
                .iter()
                .map(|&t| &trained.trainings[t])
                .max_by_key(|t| t.members.len())
                .ok_or("has no training")?;
            let sweep = training.sweep.clone().unwrap_or_default();
            let values = training
                .members
                .iter()
                .map(|m| match m.sweep_value {
                    Some(v) if sweep == "outliers" => format!("{} %", format_evidence(100.0 * v)),
                    Some(v) => format_evidence(v),
                    None => m.label.clone(),
                })
                .collect();
            let control = if sweep == "outliers" {
                "share of outliers".to_string()
            } else {
                sweep
            };
            (control, values)
        }
        _ => return Err("has nothing to explore".into()),
    };
    let mut ignored = Vec::new();
    let frames = (0..values.len())
        .map(|k| {
            let mut frame = figures::figure(spec, trained, Some(k), &mut ignored)?;
            frame.name = if k == 0 {
                spec.name.clone()
            } else {
                format!("{}-frame-{}", spec.name, k + 1)
            };
            Ok(frame)
        })
        .collect::<Result<Vec<_>, String>>()?;
    Ok(Explorable {
        name: spec.name.clone(),
        control,
        values,
        frames,
    })
}
