//! Best constant predictions: the c minimising Σᵢ L(yᵢ, c).
//!
//! For a convex elementwise loss the slope g(c) = Σᵢ ∂L/∂ŷ (yᵢ, c) is
//! non-decreasing, so the minimisers are the c with g(c) = 0, or the jump of g
//! across 0. Bisection on the sign of g finds both ends of that set to the
//! last bit: MSE gives the mean, MAE the median (the middle of the median
//! interval for an even count), Huber something in between.

use super::gaps::{checked_curve, domain_reason};
use super::model::{Panel, Series, SeriesKind};
use super::panel::{loss_color, panel};
use crate::format::{format_number, Decimals};
use crate::loss::{
    compensated_sum, Argument, Data, Loss, LossError, ParamValue, Params, Reduction,
};
use crate::scenario::{Grid, LossMember, ValidFigure};

/// Mean loss over `data` for the constant prediction `c`, from the core's
/// `evaluate`; Err (why) where c is outside the loss's domain.
fn mean_loss(loss: &Loss, data: &[f64], c: f64) -> Result<f64, String> {
    loss.evaluate(
        &Data::Flat(data.to_vec()),
        &Data::Flat(vec![c; data.len()]),
        None,
        Reduction::Mean,
    )
    .map(|e| e.value)
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

/// The constant prediction that minimises the total loss over `data` (non-empty).
pub fn best_constant(loss: &Loss, data: &[f64]) -> f64 {
    let slope = |c: f64| {
        let slopes = data
            .iter()
            .map(|&y| loss.point(y, c).map_or(f64::NAN, |p| p.gradient));
        compensated_sum(slopes)
    };
    let lo = data.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = data.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if lo >= hi || lo.is_nan() || hi.is_nan() {
        return lo;
    }
    // start = inf{c : g(c) >= 0}, end = sup{c : g(c) <= 0}.
    let start = first_where(lo, hi, |c| slope(c) >= 0.0);
    let end = last_where(lo, hi, |c| slope(c) <= 0.0);
    let bisected = if end < start {
        // g jumps over 0 at `start` (MAE at an odd-count median, for example).
        start
    } else {
        start + (end - start) / 2.0
    };
    match loss.huber_delta() {
        Some(delta) => huber_exact(data, delta, bisected).unwrap_or(bisected),
        None => bisected,
    }
}

/// Huber's root in closed form on the piece that holds the bisected `c`:
/// there g(c) = Σ_lin (c − yᵢ) + δ·(n₊ − n₋) is linear, so
/// c = (Σ_lin yᵢ − δ·(n₊ − n₋)) / n_lin, rounded once (correctly rounded
/// when the sum is exact, as for the article's data). None when no point is
/// on the quadratic piece or the solution leaves the piece.
fn huber_exact(data: &[f64], delta: f64, c: f64) -> Option<f64> {
    let piece = |c: f64| {
        let (mut linear, mut above, mut below) = (Vec::new(), 0.0, 0.0);
        for &y in data {
            let r = c - y;
            if r > delta {
                above += 1.0;
            } else if r < -delta {
                below += 1.0;
            } else {
                linear.push(y);
            }
        }
        (linear, above, below)
    };
    let (linear, above, below) = piece(c);
    if linear.is_empty() {
        return None;
    }
    let n = linear.len() as f64;
    let offset = delta * (above - below);
    let exact = (compensated_sum(linear.iter().copied().chain([-offset])) / n).clamp(
        data.iter().copied().fold(f64::INFINITY, f64::min),
        data.iter().copied().fold(f64::NEG_INFINITY, f64::max),
    );
    let (linear2, above2, below2) = piece(exact);
    let same = linear2.len() == linear.len() && above2 == above && below2 == below;
    // Only a step along the piece the bisection already found (a few ulp).
    (same && (exact - c).abs() <= 1e-9 * c.abs().max(1.0)).then_some(exact)
}

/// Half an ulp of the data's largest magnitude: bisection stops there (or at
/// adjacent floats, whichever comes first), so it takes at most about 55
/// halvings even when the root is near 0, where floats are much denser. This
/// is the bound the scenario limit counts (`BISECTION_STEPS`).
fn resolution(lo: f64, hi: f64) -> f64 {
    0.5 * f64::EPSILON * lo.abs().max(hi.abs())
}

/// The smallest c in [lo, hi] where `holds` is true, for a predicate that is
/// false then true; hi if it never holds before.
fn first_where(lo: f64, hi: f64, holds: impl Fn(f64) -> bool) -> f64 {
    if holds(lo) {
        return lo;
    }
    let tolerance = resolution(lo, hi);
    let (mut false_at, mut true_at) = (lo, hi);
    loop {
        let mid = false_at + (true_at - false_at) / 2.0;
        if mid <= false_at || mid >= true_at || true_at - false_at <= tolerance {
            return true_at;
        }
        if holds(mid) {
            true_at = mid;
        } else {
            false_at = mid;
        }
    }
}

/// The largest c in [lo, hi] where `holds` is true, for a predicate that is
/// true then false; lo if it fails at once.
fn last_where(lo: f64, hi: f64, holds: impl Fn(f64) -> bool) -> f64 {
    if holds(hi) {
        return hi;
    }
    let tolerance = resolution(lo, hi);
    let (mut true_at, mut false_at) = (lo, hi);
    loop {
        let mid = true_at + (false_at - true_at) / 2.0;
        if mid <= true_at || mid >= false_at || false_at - true_at <= tolerance {
            return true_at;
        }
        if holds(mid) {
            true_at = mid;
        } else {
            false_at = mid;
        }
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

    fn fives_and_tens() -> Vec<f64> {
        let mut v = vec![5.0; 25];
        v.extend(vec![10.0; 75]);
        v
    }

    fn loss(name: &str, delta: Option<f64>) -> Loss {
        let mut params = Params::new();
        if let Some(d) = delta {
            params.insert("delta".into(), ParamValue::Number(d));
        }
        Loss::new(name, &params).unwrap()
    }

    #[test]
    fn article_best_constants() {
        let data = fives_and_tens();
        assert_eq!(best_constant(&loss("mse", None), &data), 8.75);
        assert_eq!(best_constant(&loss("mae", None), &data), 10.0);
        // The correctly rounded 29/3, not a bisection's neighbour 2 ulp away.
        assert_eq!(best_constant(&loss("huber", Some(1.0)), &data), 29.0 / 3.0);
    }

    #[test]
    fn even_count_median_is_the_middle() {
        assert_eq!(
            best_constant(&loss("mae", None), &[1.0, 2.0, 3.0, 4.0]),
            2.5
        );
    }

    #[test]
    fn huber_moves_from_mean_to_median() {
        let data = fives_and_tens();
        // For δ < 3.75 the root of 25δ + 75(c − 10) is c = 10 − δ/3.
        let small = best_constant(&loss("huber", Some(0.03)), &data);
        let large = best_constant(&loss("huber", Some(100.0)), &data);
        assert!((small - 9.99).abs() < 1e-12, "{small}");
        assert!((large - 8.75).abs() < 1e-12, "{large}");
    }

    #[test]
    fn a_root_near_zero_takes_few_halvings() {
        let data = [-1.0, 1.0, -3.0, 3.0];
        assert_eq!(best_constant(&loss("mse", None), &data), 0.0);
        let huber = best_constant(&loss("huber", Some(0.5)), &data);
        assert!(huber.abs() < 1e-15, "{huber}");
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
