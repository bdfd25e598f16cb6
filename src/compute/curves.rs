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

use std::collections::BTreeMap;

use super::gaps::{checked_curve, domain_reason, outside};
use super::model::{Panel, Series, SeriesKind};
use super::panel::{loss_color, panel};
use crate::loss::{Data, Loss, Reduction, Shape};
use crate::scenario::{CurveAxis, Grid, LossMember, Show, ValidFigure};

/// Value and gradient of an elementwise loss at one pair, or why the pair is
/// outside the loss's domain (the core's typed error: argument and rule).
pub fn elementwise_point(loss: &Loss, target: f64, prediction: f64) -> Result<(f64, f64), String> {
    loss.point(target, prediction)
        .map(|p| (p.value, p.gradient))
        .map_err(|e| outside(&e))
}

/// Value and derivative at x, or why x is outside the loss's domain.
pub fn curve_point(
    loss: &Loss,
    target: f64,
    x: f64,
    axis: CurveAxis,
) -> Result<(f64, f64), String> {
    // On the log-complement axis x = log₁₀(1 − q); the derivative stays ∂L/∂q.
    let x = match axis {
        CurveAxis::LogComplement => 1.0 - 10f64.powf(x),
        _ => x,
    };
    match loss.shape() {
        Shape::Elementwise => {
            let prediction = match axis {
                CurveAxis::Residual => target + x,
                CurveAxis::Prediction | CurveAxis::LogComplement => x,
            };
            elementwise_point(loss, target, prediction)
        }
        Shape::Rows => {
            let target = if loss.sparse_labels() {
                Data::Flat(vec![0.0])
            } else {
                Data::Rows(vec![vec![1.0, 0.0]])
            };
            let prediction = Data::Rows(vec![vec![x, 1.0 - x]]);
            let eval = loss
                .evaluate(&target, &prediction, None, Reduction::Mean)
                .map_err(|e| domain_reason(&e))?;
            let slope = match &eval.gradient {
                Data::Rows(rows) => rows.first().map(|g| g[0] - g[1]).unwrap_or(f64::NAN),
                Data::Flat(g) if g.len() == 2 => g[0] - g[1],
                Data::Flat(_) => f64::NAN,
            };
            Ok((eval.value, slope))
        }
    }
}

/// Panels of a `loss_curve` or `margin` figure and their column count.
#[allow(clippy::too_many_arguments)]
pub fn loss_curve(
    spec: &ValidFigure,
    losses: &[LossMember],
    grid: &Grid,
    axis: CurveAxis,
    targets: &[f64],
    show: Show,
    split: bool,
    warnings: &mut Vec<String>,
) -> Result<(Vec<Panel>, usize), String> {
    let xs: Vec<f64> = grid.points().collect();
    let single_curve = losses.len() * targets.len() == 1;
    let mut values = Vec::new();
    let mut derivatives = Vec::new();
    // Members seen so far per (loss, swept parameter): a map, not a rescan of
    // the earlier members, which made a long sweep quadratic.
    let mut swept_before: BTreeMap<(&str, &str), usize> = BTreeMap::new();
    for member in losses {
        let sweep_index = match &member.sweep {
            Some((param, _)) => {
                let seen = swept_before
                    .entry((member.loss.name(), param.as_str()))
                    .or_insert(0);
                *seen += 1;
                *seen - 1
            }
            None => 0,
        };
        let color = loss_color(member, sweep_index);
        for (t, &target) in targets.iter().enumerate() {
            let label = if targets.len() > 1 {
                format!("{}, y = {target}", member.label)
            } else {
                member.label.clone()
            };
            let evaluated = checked_curve(
                &label,
                &xs,
                xs.iter()
                    .map(|&x| curve_point(&member.loss, target, x, axis))
                    .collect(),
                warnings,
            )?;
            // A second target or sweep member of the same loss is told apart by its dashes (greyscale print).
            let dashed = (t + sweep_index) % 2 == 1;
            values.push(Series {
                label: label.clone(),
                kind: SeriesKind::Line,
                color_key: color.clone(),
                dashed,
                points: evaluated.iter().map(|&(x, v, _)| (x, v)).collect(),
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
                points: evaluated.iter().map(|&(x, _, d)| (x, d)).collect(),
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
                spec.y_label.clone().unwrap_or(slope_label),
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
    let margin_losses = losses.iter().all(|m| m.loss.signed_labels());
    // Losses of a probability (BCE and focal on probabilities, not logits).
    let probability_losses = losses.iter().all(|m| m.loss.takes_probability());
    match axis {
        CurveAxis::LogComplement if targets.len() == 1 => {
            format!(
                "log₁₀(1 − q): −8 is q = 1 − 1e-8 (label y = {})",
                targets[0]
            )
        }
        CurveAxis::LogComplement => "log₁₀(1 − q): −8 is q = 1 − 1e-8".into(),
        CurveAxis::Prediction if margin_losses && targets == [1.0] => {
            "margin y·ŷ (label y = 1)".into()
        }
        CurveAxis::Prediction if probability_losses && targets.len() == 1 => {
            format!("predicted probability q (label y = {})", targets[0])
        }
        CurveAxis::Prediction if probability_losses => "predicted probability q".into(),
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
    use crate::loss::prec::{close, ABS_FINITE_DIFFERENCE, REL_FINITE_DIFFERENCE};
    use crate::loss::{catalogue, Params};

    /// Every loss of the catalogue can be drawn: elementwise ones against the
    /// prediction over the region their definition samples them on, row
    /// losses on the two-class path.
    #[test]
    fn every_catalogue_loss_has_a_curve() {
        for info in catalogue() {
            let loss = Loss::new(info.name, &Params::new()).unwrap();
            let (target, xs): (f64, Vec<f64>) = match info.shape {
                Shape::Elementwise => {
                    let region = info.sampling[0];
                    let target = region.target.at(0.75).unwrap();
                    let xs = (1..100)
                        .map(|i| region.prediction.at(i as f64 / 100.0).unwrap())
                        .collect();
                    (target, xs)
                }
                Shape::Rows => (0.0, (1..100).map(|i| i as f64 / 100.0).collect()),
            };
            let finite = xs
                .iter()
                .filter_map(|&x| curve_point(&loss, target, x, CurveAxis::Prediction).ok())
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
        let at = |x: f64| curve_point(&loss, 0.0, x, CurveAxis::Prediction).unwrap();
        let (_, slope) = at(x);
        let (up, _) = at(x + h);
        let (down, _) = at(x - h);
        let numeric = (up - down) / (2.0 * h);
        assert!(
            close(slope, numeric, REL_FINITE_DIFFERENCE, ABS_FINITE_DIFFERENCE),
            "{slope} vs {numeric}"
        );
    }

    fn curve_of(
        loss: &str,
        axis: &str,
        target: f64,
        from: f64,
        to: f64,
        step: f64,
    ) -> (Result<Vec<Panel>, String>, Vec<String>) {
        let text = format!(
            "[metadata]\ntitle = 't'\n[[losses]]\nname = 'l'\nloss = '{loss}'\n\
             [[figures]]\nname = 'f'\nkind = 'loss_curve'\ntitle = ''\ncaption = ''\nalt = ''\nappendix = true\n\
             losses = ['l']\naxis = '{axis}'\ntarget_value = {target}\n\
             x = {{ from = {from}, to = {to}, step = {step} }}\n"
        );
        let scenario = crate::scenario::parse_str(&text, "x.toml").unwrap();
        let valid = crate::scenario::validate(&scenario, std::path::Path::new("x.toml")).unwrap();
        let spec = &valid.figures[0];
        let crate::scenario::FigureKind::LossCurve {
            losses,
            grid,
            axis,
            targets,
            show,
            split,
        } = &spec.kind
        else {
            panic!("not a loss curve")
        };
        let mut warnings = Vec::new();
        let panels = loss_curve(
            spec,
            losses,
            grid,
            *axis,
            targets,
            *show,
            *split,
            &mut warnings,
        )
        .map(|(p, _)| p);
        (panels, warnings)
    }

    /// BCE on q from −0.5 to 1.5: gaps outside [0, 1] (never −0.405 or NaN), and a warning.
    #[test]
    fn points_outside_the_domain_are_gaps_with_a_warning() {
        let (panels, warnings) =
            curve_of("binary_cross_entropy", "prediction", 1.0, -0.5, 1.5, 0.25);
        let points = &panels.unwrap()[0].series[0].points;
        for &(x, y) in points {
            if (0.0..=1.0).contains(&x) {
                assert!(!y.is_nan() && y >= 0.0, "q = {x}: {y}");
            } else {
                assert!(!y.is_finite(), "q = {x} is drawn at {y}");
            }
        }
        assert_eq!(
            warnings,
            vec!["binary cross-entropy is not defined on x from −0.5 to −0.25 and from 1.25 to 1.5, which is not drawn (prediction: probabilities must be in [0, 1])".to_string()]
        );
    }

    #[test]
    fn poisson_on_a_residual_axis_has_no_negative_loss() {
        let (panels, warnings) = curve_of("poisson", "residual", 1.0, -3.0, 3.0, 0.5);
        for &(x, y) in &panels.unwrap()[0].series[0].points {
            assert!(y.is_nan() || y >= 0.0, "a = {x}: negative loss {y}");
            if x < -1.0 {
                assert!(!y.is_finite(), "a = {x} is drawn at {y}");
            }
        }
        assert_eq!(warnings.len(), 1, "{warnings:?}");
    }

    #[test]
    fn a_curve_defined_nowhere_is_an_error() {
        let (panels, _) = curve_of("binary_cross_entropy", "prediction", 1.0, 2.0, 3.0, 0.5);
        assert_eq!(
            panels.unwrap_err(),
            "cannot be drawn: binary cross-entropy is not defined anywhere on x from 2 to 3 (prediction: probabilities must be in [0, 1])"
        );
        let (panels, _) = curve_of("mape", "residual", 0.0, -1.0, 1.0, 0.5);
        assert!(
            panels.as_ref().unwrap_err().starts_with(
                "cannot be drawn: mape is not defined anywhere on x from −1 to 1 (target: "
            ),
            "{panels:?}"
        );
    }

    #[test]
    fn the_default_x_label_fits_the_axis() {
        let label = |loss: &str, axis: &str, target: f64| {
            curve_of(loss, axis, target, 0.1, 0.9, 0.1).0.unwrap()[0]
                .x_label
                .clone()
        };
        assert_eq!(label("mse", "residual", 0.0), "residual a = ŷ − y");
        assert_eq!(
            label("mse", "prediction", 2.0),
            "prediction ŷ (target y = 2)"
        );
        assert_eq!(
            label("binary_cross_entropy", "prediction", 1.0),
            "predicted probability q (label y = 1)"
        );
    }
}
