//! Logarithmic and symmetric-logarithmic axes.
//!
//! A panel is drawn in *axis space*: every coordinate (series points,
//! ranges, annotations) goes through [`forward`] first, and the rest of the
//! plot stage (cutting at the frame, layout, drawing) stays linear. A log
//! axis maps v to log₁₀ v, so a value ≤ 0 becomes NaN: a line breaks there
//! and a point is not drawn, never pinned to the frame. A symlog axis maps v
//! to sign(v)·log₁₀(1 + |v|): linear near 0, logarithmic beyond ±1, defined
//! everywhere. Ticks sit at powers of ten on both.

use super::series::Range;
use super::ticks::{power_of_ten, tick_labels};
use crate::compute::Panel;
use crate::scenario::AxisScale;

/// The axis-space coordinate of `v`; NaN where a log axis has no place for it.
pub fn forward(scale: AxisScale, v: f64) -> f64 {
    scale.forward(v)
}

/// `forward` on both coordinates of a point.
pub fn forward_point(scales: (AxisScale, AxisScale), (x, y): (f64, f64)) -> (f64, f64) {
    (forward(scales.0, x), forward(scales.1, y))
}

/// The axis-space range of a panel's data-space `range`. A log axis whose
/// range reaches 0 or below (an automatic range with a margin, or data that
/// include 0) starts instead at the smallest positive value of `values`,
/// with a margin of a twentieth of the decades shown.
pub fn axis_range(scale: AxisScale, range: Range, values: impl Iterator<Item = f64>) -> Range {
    match scale {
        AxisScale::Linear => range,
        AxisScale::Symlog => (forward(scale, range.0), forward(scale, range.1)),
        AxisScale::Log => {
            let positive = values
                .filter(|v| v.is_finite() && *v > 0.0)
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
                    (lo.min(v), hi.max(v))
                });
            let high = if range.1 > 0.0 { range.1 } else { positive.1 };
            let (low, margin) = if range.0 > 0.0 {
                (range.0, false)
            } else {
                (positive.0, true)
            };
            if !(low.is_finite() && high.is_finite() && low < high) {
                // Nothing positive to show: one decade, 1 to 10.
                return match (low.is_finite(), high.is_finite()) {
                    (true, _) => (low.log10(), low.log10() + 1.0),
                    _ => (0.0, 1.0),
                };
            }
            let (a, b) = (low.log10(), high.log10());
            let pad = if margin { (b - a) / 20.0 } else { 0.0 };
            (a - pad, if margin { b + pad } else { b })
        }
    }
}

/// The panel in axis space.
pub fn to_axis_space(panel: &Panel, scales: (AxisScale, AxisScale)) -> Panel {
    let mut out = panel.clone();
    if scales.0.is_linear() && scales.1.is_linear() {
        return out;
    }
    let xs = panel
        .series
        .iter()
        .flat_map(|s| s.points.iter().map(|p| p.0));
    let ys = panel
        .series
        .iter()
        .flat_map(|s| s.points.iter().map(|p| p.1));
    if panel.categories.is_empty() {
        out.x_range = axis_range(scales.0, panel.x_range, xs);
    }
    out.y_range = axis_range(scales.1, panel.y_range, ys);
    let x_scale = if panel.categories.is_empty() {
        scales.0
    } else {
        AxisScale::Linear
    };
    for series in &mut out.series {
        for point in &mut series.points {
            *point = forward_point((x_scale, scales.1), *point);
        }
    }
    out
}

/// A tick in axis space: position and label.
pub type ScaledTick = (f64, String);

/// Ticks of a non-linear axis over the axis-space `range`, about
/// `max_count` of them: powers of ten (every k-th when there are too many
/// decades; 1, 2 and 5 times a power when less than one decade is shown);
/// symlog adds 0 and the negative powers.
pub fn ticks(scale: AxisScale, range: Range, max_count: usize) -> Vec<ScaledTick> {
    let max_count = max_count.max(2);
    match scale {
        AxisScale::Linear => Vec::new(),
        AxisScale::Log => {
            let (first, last) = (range.0.ceil(), range.1.floor());
            if last - first < 1.0 {
                return within_a_decade(range);
            }
            let decades = (last - first) as usize + 1;
            let step = decades.div_ceil(max_count).max(1) as f64;
            (0..decades)
                .map(|i| first + i as f64)
                .filter(|e| (e - first) % step == 0.0)
                .map(|e| (e, power_of_ten(10f64.powf(e))))
                .collect()
        }
        AxisScale::Symlog => {
            // |v| = 10^k for k ≥ 0 lies at ±log₁₀(1 + 10^k); 0 at 0.
            let largest = range.0.abs().max(range.1.abs());
            let top = (10f64.powf(largest) - 1.0)
                .max(1.0)
                .log10()
                .floor()
                .max(0.0) as i32;
            let signs: &[f64] = match (range.0 < 0.0, range.1 > 0.0) {
                (true, true) => &[-1.0, 1.0],
                (true, false) => &[-1.0],
                _ => &[1.0],
            };
            let per_side = (max_count.saturating_sub(1) / signs.len()).max(1);
            let step = ((top + 1) as usize).div_ceil(per_side).max(1) as i32;
            let mut out: Vec<ScaledTick> = Vec::new();
            if range.0 <= 0.0 && range.1 >= 0.0 {
                out.push((0.0, "0".into()));
            }
            for &sign in signs {
                for k in (0..=top).filter(|k| k % step == 0) {
                    let v = sign * 10f64.powi(k);
                    let t = forward(AxisScale::Symlog, v);
                    if (range.0..=range.1).contains(&t) {
                        let label = match k {
                            0 => "1".to_string(),
                            1 => "10".to_string(),
                            _ => power_of_ten(10f64.powi(k)),
                        };
                        let label = if sign < 0.0 {
                            format!("\u{2212}{label}")
                        } else {
                            label
                        };
                        out.push((t, label));
                    }
                }
            }
            out.sort_by(|a, b| a.0.total_cmp(&b.0));
            out
        }
    }
}

/// Less than a decade on a log axis: 1, 2 and 5 times powers of ten, or
/// failing that the two ends.
fn within_a_decade(range: Range) -> Vec<ScaledTick> {
    let low = range.0.floor() as i32;
    let values: Vec<f64> = (low..=range.1.ceil() as i32)
        .flat_map(|e| [1.0, 2.0, 5.0].map(|m| m * 10f64.powi(e)))
        .filter(|v| (range.0..=range.1).contains(&v.log10()))
        .collect();
    let values = if values.len() >= 2 {
        values
    } else {
        vec![10f64.powf(range.0), 10f64.powf(range.1)]
    };
    let step = values
        .windows(2)
        .map(|w| w[1] - w[0])
        .fold(f64::INFINITY, f64::min);
    let labels = tick_labels(&values, step);
    values.iter().map(|v| v.log10()).zip(labels).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_ticks_are_powers_of_ten() {
        let ticks = ticks(AxisScale::Log, (-2.3, 3.1), 10);
        let positions: Vec<f64> = ticks.iter().map(|t| t.0).collect();
        assert_eq!(positions, [-2.0, -1.0, 0.0, 1.0, 2.0, 3.0]);
        assert_eq!(ticks[0].1, "10⁻²");
        assert_eq!(ticks[5].1, "10³");
        // Thirteen powers on room for four ticks: every fourth power.
        let thinned = super::ticks(AxisScale::Log, (-6.0, 6.0), 4);
        let positions: Vec<f64> = thinned.iter().map(|t| t.0).collect();
        assert_eq!(positions, [-6.0, -2.0, 2.0, 6.0]);
        assert_eq!(thinned[1].1, "10⁻²");
    }

    #[test]
    fn non_positive_values_have_no_place_on_a_log_axis() {
        assert!(forward(AxisScale::Log, 0.0).is_nan());
        assert!(forward(AxisScale::Log, -3.0).is_nan());
        assert_eq!(forward(AxisScale::Log, 1000.0), 3.0);
        // An automatic range reaching below 0 starts at the smallest positive value.
        let range = axis_range(
            AxisScale::Log,
            (-5.0, 100.0),
            [0.0, -2.0, 1.0, 100.0].into_iter(),
        );
        assert!(
            range.0 < 0.0 && range.0 > -0.2 && range.1 > 2.0,
            "{range:?}"
        );
    }

    #[test]
    fn symlog_is_odd_linear_near_zero_and_logarithmic_far_out() {
        assert_eq!(forward(AxisScale::Symlog, 0.0), 0.0);
        assert_eq!(
            forward(AxisScale::Symlog, -5.0),
            -forward(AxisScale::Symlog, 5.0)
        );
        assert!((forward(AxisScale::Symlog, 1e6) - 6.0).abs() < 1e-6);
        let labels: Vec<String> = ticks(AxisScale::Symlog, (-2.1, 3.1), 12)
            .into_iter()
            .map(|t| t.1)
            .collect();
        assert_eq!(labels, ["−10²", "−10", "−1", "0", "1", "10", "10²", "10³"]);
    }
}
