//! Datasets on their own: each value against its index, a strip plot (one
//! column of points per dataset), or histograms with shared bins drawn as
//! steps, so several datasets overlap without hiding one another.

use super::model::{Panel, Series, SeriesKind};
use super::panel::panel;
use crate::scenario::{AxisScale, DataDraw, LabelledData, ValidFigure};
use crate::stats::{histogram, Binning};

/// Half the width of a strip's column, in category units.
const STRIP_HALF_WIDTH: f64 = 0.28;

/// The panel of a `data` figure without prediction, or of a `histogram`.
pub fn figure(
    spec: &ValidFigure,
    sets: &[LabelledData],
    draw: DataDraw,
    bins: usize,
    density: bool,
) -> Result<Panel, String> {
    match draw {
        DataDraw::Points => {
            let series = sets
                .iter()
                .map(|set| Series {
                    label: set.label.clone(),
                    kind: SeriesKind::Points,
                    color_key: set.name.clone(),
                    dashed: false,
                    points: set
                        .values
                        .iter()
                        .enumerate()
                        .map(|(i, v)| (i as f64, *v))
                        .collect(),
                })
                .collect();
            let n = sets.iter().map(|s| s.values.len()).max().unwrap_or(1) as f64;
            Ok(panel(
                spec,
                0,
                String::new(),
                label_or(&spec.x_label, "sample index i"),
                label_or(&spec.y_label, "value"),
                (-0.5, n - 0.5),
                series,
            ))
        }
        DataDraw::Strip => {
            let series = sets
                .iter()
                .enumerate()
                .map(|(column, set)| Series {
                    label: String::new(),
                    kind: SeriesKind::Points,
                    color_key: set.name.clone(),
                    dashed: false,
                    points: set
                        .values
                        .iter()
                        .enumerate()
                        .map(|(k, v)| (column as f64 + jitter(k), *v))
                        .collect(),
                })
                .collect();
            let mut strip = panel(
                spec,
                0,
                String::new(),
                label_or(&spec.x_label, "dataset"),
                label_or(&spec.y_label, "value"),
                (-0.5, sets.len() as f64 - 0.5),
                series,
            );
            strip.categories = sets.iter().map(|s| s.label.clone()).collect();
            Ok(strip)
        }
        DataDraw::Histogram => histograms(spec, sets, bins, density),
    }
}

/// A fixed sideways offset for the k-th point of a strip: the golden-ratio
/// sequence spreads points evenly over the column, the same on every run.
pub fn jitter(k: usize) -> f64 {
    let golden = 0.618_033_988_749_895_f64;
    ((k as f64 * golden).fract() - 0.5) * 2.0 * STRIP_HALF_WIDTH
}

fn label_or(label: &Option<String>, default: &str) -> String {
    label.clone().unwrap_or_else(|| default.to_string())
}

/// Step outlines over shared bins: linear bins over the data's extent, or
/// log-spaced over its positive values on a log x axis.
fn histograms(
    spec: &ValidFigure,
    sets: &[LabelledData],
    bins: usize,
    density: bool,
) -> Result<Panel, String> {
    let values = || sets.iter().flat_map(|s| s.values.iter().copied());
    let finite = || values().filter(|v| v.is_finite());
    let (low, high) = match spec.x_range {
        Some(range) => range,
        None if spec.options.x_scale == AxisScale::Log => {
            let positive = finite().filter(|v| *v > 0.0);
            positive.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
                (a.min(v), b.max(v))
            })
        }
        None => finite().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
            (a.min(v), b.max(v))
        }),
    };
    let (low, high) = if low < high {
        (low, high)
    } else if low.is_finite() {
        // One distinct value: a bin around it.
        (low - 0.5, low + 0.5)
    } else {
        return Err("has no finite values (positive ones, on a log axis) to count".into());
    };
    let binning = if spec.options.x_scale == AxisScale::Log && low > 0.0 {
        Binning::log(low, high, bins)
    } else {
        Binning::linear(low, high, bins)
    }
    .map_err(|e| e.to_string())?;
    let mut series = Vec::new();
    for set in sets {
        let counted =
            histogram(&set.values, &binning).map_err(|e| format!("\"{}\": {e}", set.name))?;
        let n = set.values.len() as f64;
        let heights: Vec<f64> = counted
            .counts
            .iter()
            .zip(counted.edges.windows(2))
            .map(|(&c, edge)| {
                if density {
                    c as f64 / (n * (edge[1] - edge[0]))
                } else {
                    c as f64
                }
            })
            .collect();
        series.push(Series {
            label: set.label.clone(),
            kind: SeriesKind::Line,
            color_key: set.name.clone(),
            dashed: false,
            points: steps(&counted.edges, &heights),
        });
    }
    let mut shown = panel(
        spec,
        0,
        String::new(),
        label_or(&spec.x_label, "value"),
        label_or(&spec.y_label, if density { "density" } else { "count" }),
        (low, high),
        series,
    );
    if spec.y_range.is_none() && spec.options.y_scale == AxisScale::Linear {
        // Counts stand on zero.
        shown.y_range.0 = 0.0;
    }
    Ok(shown)
}

/// The outline of bars of `heights` between `edges`, from 0 back to 0.
pub fn steps(edges: &[f64], heights: &[f64]) -> Vec<(f64, f64)> {
    let mut points = Vec::with_capacity(2 * heights.len() + 2);
    if let Some(&first) = edges.first() {
        points.push((first, 0.0));
    }
    for (edge, &h) in edges.windows(2).zip(heights) {
        points.push((edge[0], h));
        points.push((edge[1], h));
    }
    if let Some(&last) = edges.last() {
        points.push((last, 0.0));
    }
    points
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_outline_each_bar() {
        let outline = steps(&[0.0, 1.0, 2.0], &[3.0, 1.0]);
        assert_eq!(
            outline,
            [
                (0.0, 0.0),
                (0.0, 3.0),
                (1.0, 3.0),
                (1.0, 1.0),
                (2.0, 1.0),
                (2.0, 0.0)
            ]
        );
    }

    #[test]
    fn strip_jitter_stays_in_its_column() {
        assert!((0..1000).all(|k| jitter(k).abs() <= STRIP_HALF_WIDTH));
        assert_ne!(jitter(1), jitter(2));
    }
}
