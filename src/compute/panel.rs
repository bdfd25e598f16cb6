//! Helpers every figure builder shares: a panel with finite axis ranges, the
//! automatic range of a set of values, and the colour key of a loss.

use super::model::{Panel, Series};
use crate::scenario::{AxisScale, LossMember, ValidFigure};

/// A panel with finite ranges: the figure's `x_range`/`y_range` where given
/// (`y_range` applies to the first panel only, whose scale it was written
/// for), otherwise the data's extent with a margin.
pub fn panel(
    spec: &ValidFigure,
    index: usize,
    title: String,
    x_label: String,
    y_label: String,
    x_span: (f64, f64),
    series: Vec<Series>,
) -> Panel {
    let x_range = spec.x_range.unwrap_or(x_span);
    let y_range = match spec.y_range {
        Some(r) if index == 0 => r,
        _ => scaled_auto_range(
            spec.options.y_scale,
            series.iter().flat_map(|s| s.points.iter().map(|p| p.1)),
        ),
    };
    Panel {
        title,
        x_label,
        y_label,
        x_range,
        y_range,
        categories: Vec::new(),
        series,
    }
}

/// The finite values' extent plus 5 % on each side; (0, 1) if nothing is finite.
pub fn auto_range(values: impl Iterator<Item = f64>) -> (f64, f64) {
    let (lo, hi) = values
        .filter(|v| v.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
            (lo.min(v), hi.max(v))
        });
    if !lo.is_finite() {
        return (0.0, 1.0);
    }
    if lo == hi {
        return (lo - 1.0, hi + 1.0);
    }
    let pad = 0.05 * (hi - lo);
    (lo - pad, hi + pad)
}

/// [`auto_range`] with its 5 % margins taken on the axis as drawn: in
/// decades on a log axis (values ≤ 0 left out), in symlog units on a
/// symlog axis.
pub fn scaled_auto_range(scale: AxisScale, values: impl Iterator<Item = f64>) -> (f64, f64) {
    if scale.is_linear() {
        return auto_range(values);
    }
    let (low, high) = auto_range(values.map(|v| scale.forward(v)));
    (scale.inverse(low), scale.inverse(high))
}

/// The colour key of a loss: its canonical name, so a loss keeps its colour in
/// every figure; members of a sweep after the first get `name:i`.
///
/// A loss computed under a library's convention gets `name:convention`
/// (and `:float32`): it has no fixed colour, so each convention drawn beside
/// the exact loss takes a colour of its own instead of sharing the loss's.
pub fn loss_color(member: &LossMember, index_in_sweep: usize) -> String {
    let params = member.loss.params();
    let text = |key: &str| match params.get(key) {
        Some(crate::loss::ParamValue::Text(t)) => Some(t.clone()),
        _ => None,
    };
    let mut name = member.loss.name().to_string();
    if let Some(convention) = text("convention").filter(|c| c != "exact") {
        name = format!("{name}:{convention}");
        if let Some(dtype) = text("dtype").filter(|d| d != "float64") {
            name = format!("{name}:{dtype}");
        }
    }
    match (&member.sweep, index_in_sweep) {
        (Some(_), i) if i > 0 => format!("{name}:{i}"),
        _ => name,
    }
}
