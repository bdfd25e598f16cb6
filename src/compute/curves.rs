//! Loss curves: value and/or derivative of losses along a grid.
//!
//! Elementwise losses are evaluated with [`Loss::point`] at (y, ŷ): on the
//! residual axis ŷ = y + x, on the prediction axis ŷ = x.
//!
//! Row losses (categorical cross-entropy, KL...) follow a two-class path:
//! x is the predicted probability of the true class, the prediction row is
//! [x, 1 − x] and the target is class 0 (the row [1, 0], or the label 0 for
//! sparse labels). The derivative shown is d/dx along that path, g₀ − g₁,
//! from the core's gradient.

use super::figures::{loss_color, panel};
use super::model::{Panel, Series, SeriesKind};
use crate::loss::{Data, Loss, Reduction, Shape};
use crate::scenario::{CurveAxis, Grid, LossMember, Show, ValidFigure};

/// Value and derivative at x; NaN where the core has no value (outside the domain).
pub fn curve_point(loss: &Loss, target: f64, x: f64, axis: CurveAxis) -> (f64, f64) {
    match loss.shape() {
        Shape::Elementwise => {
            let prediction = match axis {
                CurveAxis::Residual => target + x,
                CurveAxis::Prediction => x,
            };
            loss.point(target, prediction)
                .map(|p| (p.value, p.gradient))
                .unwrap_or((f64::NAN, f64::NAN))
        }
        Shape::Rows => {
            let target = if loss.name() == "sparse_categorical_cross_entropy" {
                Data::Flat(vec![0.0])
            } else {
                Data::Rows(vec![vec![1.0, 0.0]])
            };
            let prediction = Data::Rows(vec![vec![x, 1.0 - x]]);
            match loss.evaluate(&target, &prediction, None, Reduction::Mean) {
                Ok(eval) => {
                    let slope = match &eval.gradient {
                        Data::Rows(rows) => rows.first().map(|g| g[0] - g[1]).unwrap_or(f64::NAN),
                        Data::Flat(g) if g.len() == 2 => g[0] - g[1],
                        Data::Flat(_) => f64::NAN,
                    };
                    (eval.value, slope)
                }
                Err(_) => (f64::NAN, f64::NAN),
            }
        }
    }
}

/// Panels of a `loss_curve` or `margin` figure and their column count.
pub fn loss_curve(
    spec: &ValidFigure,
    losses: &[LossMember],
    grid: &Grid,
    axis: CurveAxis,
    targets: &[f64],
    show: Show,
    split: bool,
) -> Result<(Vec<Panel>, usize), String> {
    let xs: Vec<f64> = grid.points().collect();
    let single_curve = losses.len() * targets.len() == 1;
    let mut values = Vec::new();
    let mut derivatives = Vec::new();
    for (i, member) in losses.iter().enumerate() {
        let sweep_index = losses[..i]
            .iter()
            .filter(|other| {
                other.loss.name() == member.loss.name()
                    && other.sweep.is_some()
                    && other.sweep.as_ref().map(|s| &s.0) == member.sweep.as_ref().map(|s| &s.0)
            })
            .count();
        let color = loss_color(member, sweep_index);
        for (t, &target) in targets.iter().enumerate() {
            let label = if targets.len() > 1 {
                format!("{}, y = {target}", member.label)
            } else {
                member.label.clone()
            };
            let evaluated: Vec<(f64, (f64, f64))> = xs
                .iter()
                .map(|&x| (x, curve_point(&member.loss, target, x, axis)))
                .collect();
            // A second target or sweep member of the same loss is told apart by its dashes (greyscale print).
            let dashed = (t + sweep_index) % 2 == 1;
            values.push(Series {
                label: label.clone(),
                kind: SeriesKind::Line,
                color_key: color.clone(),
                dashed,
                points: evaluated.iter().map(|(x, (v, _))| (*x, *v)).collect(),
            });
            let together = show == Show::Both && !split;
            derivatives.push(Series {
                label: if together {
                    format!("derivative of {label}")
                } else {
                    label
                },
                kind: SeriesKind::Line,
                color_key: if together && single_curve {
                    "derivative".into()
                } else {
                    color.clone()
                },
                dashed: if together { true } else { dashed },
                points: evaluated.iter().map(|(x, (_, d))| (*x, *d)).collect(),
            });
        }
    }
    let x_label = spec
        .x_label
        .clone()
        .unwrap_or_else(|| default_x_label(losses, axis, targets));
    let value_label = spec.y_label.clone().unwrap_or_else(|| "loss L".into());
    let slope_label = "derivative ∂L/∂ŷ".to_string();
    let span = grid.span();
    Ok(match (show, split) {
        (Show::Value, _) => (
            vec![panel(
                spec,
                0,
                String::new(),
                x_label,
                value_label,
                span,
                values,
            )],
            1,
        ),
        (Show::Derivative, _) => (
            vec![panel(
                spec,
                0,
                String::new(),
                x_label,
                slope_label,
                span,
                derivatives,
            )],
            1,
        ),
        (Show::Both, false) => {
            values.extend(derivatives);
            let y = spec
                .y_label
                .clone()
                .unwrap_or_else(|| "loss L and ∂L/∂ŷ".into());
            (
                vec![panel(spec, 0, String::new(), x_label, y, span, values)],
                1,
            )
        }
        (Show::Both, true) => (
            vec![
                panel(
                    spec,
                    0,
                    "Loss value".into(),
                    x_label.clone(),
                    value_label,
                    span,
                    values,
                ),
                panel(
                    spec,
                    1,
                    "Derivative".into(),
                    x_label,
                    slope_label,
                    span,
                    derivatives,
                ),
            ],
            2,
        ),
    })
}

fn default_x_label(losses: &[LossMember], axis: CurveAxis, targets: &[f64]) -> String {
    if losses.iter().all(|m| m.loss.shape() == Shape::Rows) {
        return "predicted probability of the true class".into();
    }
    let margin_losses = losses
        .iter()
        .all(|m| matches!(m.loss.name(), "hinge" | "squared_hinge"));
    match axis {
        CurveAxis::Prediction if margin_losses && targets == [1.0] => {
            "margin y·ŷ (label y = 1)".into()
        }
        CurveAxis::Residual => "residual a = ŷ − y".into(),
        CurveAxis::Prediction if targets.len() == 1 => {
            format!("prediction ŷ (target y = {})", targets[0])
        }
        CurveAxis::Prediction => "prediction ŷ".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::loss::{catalogue, Params};

    /// Every loss of the catalogue can be drawn: elementwise ones on the
    /// residual (or probability) axis, row losses on the two-class path.
    #[test]
    fn every_catalogue_loss_has_a_curve() {
        for info in catalogue() {
            let loss = Loss::new(info.name, &Params::new()).unwrap();
            let (axis, target, xs): (CurveAxis, f64, Vec<f64>) = match info.name {
                // Losses of probabilities, rates or labels: ŷ in their domain.
                "binary_cross_entropy"
                | "binary_focal_cross_entropy"
                | "poisson"
                | "msle"
                | "mape" => (
                    CurveAxis::Prediction,
                    1.0,
                    (1..100).map(|i| i as f64 / 100.0).collect(),
                ),
                "hinge" | "squared_hinge" => (
                    CurveAxis::Prediction,
                    1.0,
                    (-20..=30).map(|i| i as f64 / 10.0).collect(),
                ),
                _ if info.shape == Shape::Rows => (
                    CurveAxis::Prediction,
                    0.0,
                    (1..100).map(|i| i as f64 / 100.0).collect(),
                ),
                _ => (
                    CurveAxis::Residual,
                    0.0,
                    (-20..=20).map(|i| i as f64 / 10.0).collect(),
                ),
            };
            let finite = xs
                .iter()
                .map(|&x| curve_point(&loss, target, x, axis))
                .filter(|(v, d)| v.is_finite() && d.is_finite())
                .count();
            assert_eq!(
                finite,
                xs.len(),
                "{}: only {finite} of {} points finite",
                info.name,
                xs.len()
            );
        }
    }

    #[test]
    fn row_path_derivative_matches_finite_difference() {
        let loss = Loss::new("categorical_cross_entropy", &Params::new()).unwrap();
        let x = 0.3;
        let h = 1e-6;
        let (_, slope) = curve_point(&loss, 0.0, x, CurveAxis::Prediction);
        let (up, _) = curve_point(&loss, 0.0, x + h, CurveAxis::Prediction);
        let (down, _) = curve_point(&loss, 0.0, x - h, CurveAxis::Prediction);
        assert!((slope - (up - down) / (2.0 * h)).abs() < 1e-6, "{slope}");
    }
}
