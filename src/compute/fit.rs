//! Best constant predictions: the c minimising Σᵢ L(yᵢ, c).
//!
//! For a convex elementwise loss the slope g(c) = Σᵢ ∂L/∂ŷ (yᵢ, c) is
//! non-decreasing, so the minimisers are the c with g(c) = 0, or the jump of g
//! across 0. Bisection on the sign of g finds both ends of that set to the
//! last bit: MSE gives the mean, MAE the median (the middle of the median
//! interval for an even count), Huber something in between.

use super::figures::{loss_color, panel};
use super::model::{Panel, Series, SeriesKind};
use crate::loss::{compensated_sum, Loss, ParamValue, Params};
use crate::scenario::{format_number, Grid, LossMember, ValidFigure};

/// Mean loss over `data` for the constant prediction `c`, from the core's pointwise values.
fn mean_loss(loss: &Loss, data: &[f64], c: f64) -> f64 {
    let values = data
        .iter()
        .map(|&y| loss.point(y, c).map_or(f64::NAN, |p| p.value));
    compensated_sum(values) / data.len() as f64
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
    if end < start {
        // g jumps over 0 at `start` (MAE at an odd-count median, for example).
        start
    } else {
        start + (end - start) / 2.0
    }
}

/// The smallest c in [lo, hi] where `holds` is true, for a predicate that is
/// false then true; hi if it never holds before.
fn first_where(lo: f64, hi: f64, holds: impl Fn(f64) -> bool) -> f64 {
    if holds(lo) {
        return lo;
    }
    let (mut false_at, mut true_at) = (lo, hi);
    loop {
        let mid = false_at + (true_at - false_at) / 2.0;
        if mid <= false_at || mid >= true_at {
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
    let (mut true_at, mut false_at) = (lo, hi);
    loop {
        let mid = true_at + (false_at - true_at) / 2.0;
        if mid <= true_at || mid >= false_at {
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
) -> Result<(Vec<Panel>, usize), String> {
    let mut series = Vec::new();
    for (i, member) in losses.iter().enumerate() {
        let color = loss_color(member, i);
        let points = grid
            .points()
            .map(|c| (c, mean_loss(&member.loss, data, c)))
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
            label: format!(
                "best c for {} = {}",
                member.label,
                format_number(best, None)
            ),
            kind: SeriesKind::Points,
            color_key: color,
            dashed: false,
            points: vec![(best, mean_loss(&member.loss, data, best))],
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
        let span = deltas.span();
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
                format!("mean = {} (MSE)", format_number(mean, None)),
                "mse",
                mean,
            ),
            flat(
                format!("median = {} (MAE)", format_number(median, None)),
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
        // This panel has its own x axis (δ), not the figure's c range.
        second.x_range = span;
        panels.push(second);
    }
    let columns = panels.len();
    Ok((panels, columns))
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
        let huber = best_constant(&loss("huber", Some(1.0)), &data);
        assert!((huber - (10.0 - 1.0 / 3.0)).abs() < 1e-14, "{huber}");
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
}
