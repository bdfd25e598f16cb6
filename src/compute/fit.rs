//! Best constant predictions: the c minimising Σᵢ L(yᵢ, c), and the
//! `constant_fit` figure (the solver is in [`super::best_constant`]).
//!
//! For a convex elementwise loss the slope g(c) = Σᵢ ∂L/∂ŷ (yᵢ, c) is
//! non-decreasing, so the minimisers are the c with g(c) = 0, or the jump of g
//! across 0. Bisection on the sign of g finds both ends of that set to the
//! last bit: MSE gives the mean, MAE the median (the middle of the median
//! interval for an even count), Huber something in between.

use super::best_constant::best_constant;
use super::gaps::{checked_curve, domain_reason};
use super::model::{Panel, Series, SeriesKind};
use super::panel::{loss_color, panel};
use crate::format::{format_number, Decimals};
use crate::loss::{Argument, Data, Loss, LossError, ParamValue, Params, Reduction};
use crate::scenario::{Grid, LossMember, ValidFigure};

/// Mean loss over `data` for the constant prediction `c`, from the core's
/// `value` (`evaluate`'s number and errors, without the copies of the data
/// and the per-sample values, gradient and Hessian it allocates and fills:
/// the curve asks for it at every point of its grid); Err (why) where c is
/// outside the loss's domain.
fn mean_loss(loss: &Loss, data: &[f64], c: f64) -> Result<f64, String> {
    loss.value(data, &vec![c; data.len()])
        .map_err(|e| domain_reason(&e))
}

/// Refuse data a loss cannot take as targets (MAPE with a target 0, BCE with a
/// target above 1...): the error names the loss and the core's reason.
pub fn check_data(loss: &Loss, data: &[f64]) -> Result<(), String> {
    // Each value as its own prediction: a value in the loss's target domain is
    // also a valid prediction for every loss of the catalogue, so an error
    // here is about the targets.
    match loss.evaluate(
        &Data::Flat(data.to_vec()),
        &Data::Flat(data.to_vec()),
        None,
        Reduction::Mean,
    ) {
        Err(LossError::Domain(e)) if e.argument == Argument::Target => Err(format!(
            "the data has a value outside the domain of {}: {} is {}; {}",
            loss.name(),
            e.element,
            e.value,
            e.reason
        )),
        Err(LossError::BadData { what, message }) if what == "target" => Err(format!(
            "the data has a value outside the domain of {}: {message}",
            loss.name()
        )),
        // One value at a time, as the fit's slope sees them (hinge labels ±1).
        _ => match data.iter().position(|&y| loss.point(y, y).is_err()) {
            Some(i) => Err(format!(
                "the data has a value outside the domain of {}: index {i} is {}",
                loss.name(),
                data[i]
            )),
            None => Ok(()),
        },
    }
}

/// Panels of a `constant_fit` figure: mean loss against c with each best
/// constant marked, then (with `deltas`) the best Huber constant against δ
/// with the mean and median as reference lines.
pub fn constant_fit(
    spec: &ValidFigure,
    data: &[f64],
    losses: &[LossMember],
    grid: &Grid,
    deltas: Option<&Grid>,
    warnings: &mut Vec<String>,
) -> Result<(Vec<Panel>, usize), String> {
    let mut series = Vec::new();
    let cs: Vec<f64> = grid.points().collect();
    for (i, member) in losses.iter().enumerate() {
        check_data(&member.loss, data).map_err(|m| format!("cannot be drawn: {m}"))?;
        let color = loss_color(member, i);
        let evaluated = cs
            .iter()
            .map(|&c| mean_loss(&member.loss, data, c).map(|v| (v, f64::NAN)))
            .collect();
        let points = checked_curve(&member.label, &cs, evaluated, warnings)?
            .into_iter()
            .map(|(c, v, _)| (c, v))
            .collect();
        series.push(Series {
            label: member.label.clone(),
            kind: SeriesKind::Line,
            color_key: color.clone(),
            dashed: false,
            points,
        });
        let best = best_constant(&member.loss, data);
        series.push(Series {
            // The legend shows it with its curve: "MSE (best c = 8.75)".
            label: format!("best c = {}", format_number(best, Decimals::PROSE)),
            kind: SeriesKind::Points,
            color_key: color,
            dashed: false,
            points: vec![(
                best,
                mean_loss(&member.loss, data, best).unwrap_or(f64::NAN),
            )],
        });
    }
    let x_label = spec
        .x_label
        .clone()
        .unwrap_or_else(|| "constant prediction c".into());
    let y_label = spec
        .y_label
        .clone()
        .unwrap_or_else(|| "mean loss over the data".into());
    let mut panels = vec![panel(
        spec,
        0,
        "Loss of a constant prediction".into(),
        x_label,
        y_label,
        grid.span(),
        series,
    )];

    if let Some(deltas) = deltas {
        let huber = |delta: f64| {
            let params = Params::from([("delta".to_string(), ParamValue::Number(delta))]);
            Loss::new("huber", &params).map_err(|e| format!("huber with delta = {delta}: {e}"))
        };
        let curve = deltas
            .points()
            .map(|d| Ok((d, best_constant(&huber(d)?, data))))
            .collect::<Result<Vec<_>, String>>()?;
        let reference = |name: &str| {
            Loss::new(name, &Params::new())
                .map(|l| best_constant(&l, data))
                .map_err(|e| e.to_string())
        };
        let (mean, median) = (reference("mse")?, reference("mae")?);
        // δ starts at 0 on the axis (the median's end of the curve), even
        // though δ itself must be > 0.
        let span = (deltas.span().0.min(0.0), deltas.span().1);
        let flat = |label: String, color: &str, y: f64| Series {
            label,
            kind: SeriesKind::Line,
            color_key: color.into(),
            dashed: true,
            points: vec![(span.0, y), (span.1, y)],
        };
        let series = vec![
            Series {
                label: "best Huber constant".into(),
                kind: SeriesKind::Line,
                color_key: "huber".into(),
                dashed: false,
                points: curve,
            },
            flat(
                format!("mean = {} (MSE)", format_number(mean, Decimals::PROSE)),
                "mse",
                mean,
            ),
            flat(
                format!("median = {} (MAE)", format_number(median, Decimals::PROSE)),
                "mae",
                median,
            ),
        ];
        let mut second = panel(
            spec,
            1,
            "Best constant against δ".into(),
            "Huber δ".into(),
            "best constant c".into(),
            span,
            series,
        );
        // This panel has its own x axis (δ), not the figure's c range, and
        // room above and below so the dashed reference lines are not drawn
        // on the frame.
        second.x_range = span;
        second.y_range = padded_range(&second.series, 0.12);
        panels.push(second);
    }
    let columns = panels.len();
    Ok((panels, columns))
}

/// The finite y extent of the series plus `share` of it on each side.
fn padded_range(series: &[Series], share: f64) -> (f64, f64) {
    let (lo, hi) = series
        .iter()
        .flat_map(|s| s.points.iter().map(|p| p.1))
        .filter(|v| v.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
            (lo.min(v), hi.max(v))
        });
    if !lo.is_finite() {
        return (0.0, 1.0);
    }
    let pad = if hi > lo { share * (hi - lo) } else { 1.0 };
    (lo - pad, hi + pad)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::loss::{ParamValue, Params};

    fn loss(name: &str, delta: Option<f64>) -> Loss {
        let mut params = Params::new();
        if let Some(d) = delta {
            params.insert("delta".into(), ParamValue::Number(d));
        }
        Loss::new(name, &params).unwrap()
    }

    #[test]
    fn data_outside_the_domain_is_refused() {
        let mape = loss("mape", None);
        assert!(check_data(&mape, &[1.0, 2.0]).is_ok());
        let err = check_data(&mape, &[1.0, 0.0]).unwrap_err();
        assert!(
            err.starts_with("the data has a value outside the domain of mape: index 1 is 0"),
            "{err}"
        );
        let bce = loss("binary_cross_entropy", None);
        assert!(check_data(&bce, &[0.0, 1.0, 0.5]).is_ok());
        assert!(check_data(&bce, &[0.0, 2.0]).is_err());
    }

    /// The curve's mean loss is `evaluate`'s value bit for bit, and its
    /// domain errors are `evaluate`'s, for losses of every kind of slice path.
    #[test]
    fn mean_loss_is_evaluates_mean() {
        let data = [5.0, 5.0, 10.0, 0.25, 10.0, 7.5, 1e-3, 3.0];
        let losses = [
            loss("mse", None),
            loss("mae", None),
            loss("huber", Some(1.0)),
            loss("log_cosh", None),
            loss("binary_cross_entropy", None),
        ];
        for loss in &losses {
            for c in [-2.0, 0.0, 0.3, 0.999, 1.0, 4.0, 8.75, 12.0] {
                let evaluated = loss
                    .evaluate(
                        &Data::Flat(data.to_vec()),
                        &Data::Flat(vec![c; data.len()]),
                        None,
                        Reduction::Mean,
                    )
                    .map(|e| e.value.to_bits())
                    .map_err(|e| domain_reason(&e));
                let ours = mean_loss(loss, &data, c).map(f64::to_bits);
                assert_eq!(ours, evaluated, "{} at c = {c}", loss.name());
            }
        }
    }

    /// The δ panel starts at δ = 0 and keeps the dashed mean and median lines
    /// off its frame.
    #[test]
    fn delta_panel_starts_at_zero_with_reference_lines_inside() {
        let text = "[metadata]\ntitle = 't'\n[[datasets]]\nname = 'd'\n\
                    values = [5, 5, 10, 10, 10, 10, 10, 10]\n\
                    [[losses]]\nname = 'm'\nloss = 'mse'\n\
                    [[figures]]\nname = 'f'\nkind = 'constant_fit'\ntitle = ''\ncaption = ''\nalt = ''\nappendix = true\n\
                    dataset = 'd'\nlosses = ['m']\nx = { from = 4, to = 12, step = 0.5 }\n\
                    delta = { from = 0.05, to = 6, step = 0.05 }\n";
        let scenario = crate::scenario::parse_str(text, "x.toml").unwrap();
        let valid = crate::scenario::validate(&scenario, std::path::Path::new("x.toml")).unwrap();
        let crate::scenario::FigureKind::ConstantFit {
            data,
            losses,
            grid,
            deltas,
        } = &valid.figures[0].kind
        else {
            panic!("not a constant fit")
        };
        let mut warnings = Vec::new();
        let (panels, _) = constant_fit(
            &valid.figures[0],
            data,
            losses,
            grid,
            deltas.as_ref(),
            &mut warnings,
        )
        .unwrap();
        let right = &panels[1];
        assert_eq!(right.x_range, (0.0, 6.0));
        let (lo, hi) = right.y_range;
        let margin = 0.05 * (hi - lo);
        for s in &right.series[1..] {
            let y = s.points[0].1;
            assert!(
                y > lo + margin && y < hi - margin,
                "{} at {y} in {lo}..{hi}",
                s.label
            );
        }
        assert!(warnings.is_empty(), "{warnings:?}");
    }
}
