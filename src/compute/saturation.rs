//! The saturation map of framework conventions: over a grid of targets y and
//! log-odds x = log₁₀(q/(1 − q)) of the prediction, each convention's gap
//! |L_convention − L_exact| on a log colour scale, and the cells where its
//! clip saturates (the loss is flat and autograd's gradient 0 or clamped).
//!
//! Every value and gradient comes from the core: elementwise losses through
//! [`Loss::point`] and [`Loss::saturated`] (the kernel names its clipped
//! region), row losses through [`Loss::evaluate`] on the two-class path
//! (target [y, 1 − y], prediction [q, 1 − q]), one call per target row.
//! A row loss has no region of its own; its cell is saturated where the
//! convention's derivative along the path is 0 while the exact one is not
//! (|∂L/∂q| ≥ [`FLAT_GRADIENT`]).

use super::model::{Panel, Series, SeriesKind};
use crate::loss::{Data, Loss, Reduction, Shape};
use crate::scenario::{Grid, LossMember, SaturationFigure, ValidFigure};

/// The exact derivative along the path a row loss must have for a
/// convention's 0 to count as saturation rather than a shared flat spot.
pub const FLAT_GRADIENT: f64 = 1e-6;

/// The colour levels of the gap: decades grouped in threes, below the first
/// bound "agrees", above the last finite one "≥ 1", and an infinite gap
/// (the exact loss is infinite, the convention's finite) on its own.
pub const GAP_BOUNDS: [f64; 5] = [1e-12, 1e-9, 1e-6, 1e-3, 1.0];

/// Legend text of each level, in the order of the colour ramp.
const GAP_LABELS: [&str; 7] = [
    "gap < 1e-12",
    "1e-12 to 1e-9",
    "1e-9 to 1e-6",
    "1e-6 to 1e-3",
    "1e-3 to 1",
    "≥ 1",
    "∞ (exact infinite)",
];

/// Colour key of gap level `k` (1-based): `gap:k:7`.
fn gap_key(level: usize) -> String {
    format!("gap:{level}:{}", GAP_LABELS.len())
}

/// The colour key of saturated cells (hatched over their gap colour).
pub const SATURATED_KEY: &str = "saturated";

/// The level (1-based) of a gap |convention − exact|; None for NaN.
pub fn gap_level(gap: f64) -> Option<usize> {
    if gap.is_nan() {
        return None;
    }
    if gap == f64::INFINITY {
        return Some(GAP_LABELS.len());
    }
    Some(1 + GAP_BOUNDS.iter().take_while(|&&b| gap >= b).count())
}

/// |a − b|, 0 where both are the same infinity (the convention agrees).
pub fn gap(convention: f64, exact: f64) -> f64 {
    if convention == exact {
        0.0
    } else {
        (convention - exact).abs()
    }
}

/// q = 1/(1 + 10^(−x)): the probability at log₁₀ odds x (0 or 1 where
/// float64 rounds it there).
pub fn probability_at(x: f64) -> f64 {
    1.0 / (1.0 + 10f64.powf(-x))
}

/// One cell's numbers: the gap and whether the convention saturates there.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CellResult {
    pub gap: f64,
    pub saturated: bool,
}

/// The cells of one target row (one per x), for a convention and its exact twin.
pub fn cell_row(
    loss: &Loss,
    exact: &Loss,
    y: f64,
    odds: &[f64],
) -> Result<Vec<CellResult>, String> {
    let qs: Vec<f64> = odds.iter().map(|&x| probability_at(x)).collect();
    match loss.shape() {
        Shape::Elementwise => qs
            .iter()
            .map(|&q| {
                let at = |l: &Loss| {
                    l.point(y, q)
                        .map_err(|e| format!("at y = {y}, q = {q}: {e}"))
                };
                let (c, e) = (at(loss)?, at(exact)?);
                Ok(CellResult {
                    gap: gap(c.value, e.value),
                    saturated: loss.saturated(y, q).is_some(),
                })
            })
            .collect(),
        Shape::Rows => {
            let target = Data::Rows(vec![vec![y, 1.0 - y]; qs.len()]);
            let prediction = Data::Rows(qs.iter().map(|&q| vec![q, 1.0 - q]).collect());
            let run = |l: &Loss| {
                l.evaluate(&target, &prediction, None, Reduction::Sum)
                    .map_err(|e| format!("at y = {y}: {e}"))
            };
            let (c, e) = (run(loss)?, run(exact)?);
            let slopes = |d: &Data| -> Vec<f64> {
                match d {
                    Data::Rows(rows) => rows.iter().map(|g| g[0] - g[1]).collect(),
                    Data::Flat(g) => g.chunks(2).map(|g| g[0] - g[1]).collect(),
                }
            };
            let (gc, ge) = (slopes(&c.gradient), slopes(&e.gradient));
            Ok(c.per_sample
                .iter()
                .zip(&e.per_sample)
                .zip(gc.iter().zip(&ge))
                .map(|((&vc, &ve), (&dc, &de))| CellResult {
                    gap: gap(vc, ve),
                    saturated: dc == 0.0 && de.abs() >= FLAT_GRADIENT,
                })
                .collect())
        }
    }
}

/// One panel per convention; every panel lists every gap level in its
/// legend (the legend is the colour bar), and the saturated cells when
/// there are any.
pub fn figure(spec: &ValidFigure, map: &SaturationFigure) -> Result<(Vec<Panel>, usize), String> {
    let odds: Vec<f64> = map.odds.points().collect();
    let targets: Vec<f64> = map.targets.points().collect();
    let (hx, hy) = (half_step(&map.odds), half_step(&map.targets));
    let mut panels = Vec::with_capacity(map.losses.len());
    for (member, exact) in map.losses.iter().zip(&map.exact) {
        panels.push(panel(spec, member, exact, &odds, &targets, (hx, hy))?);
    }
    Ok((panels, map.losses.len().min(2)))
}

fn half_step(grid: &Grid) -> f64 {
    if grid.len() > 1 {
        grid.step / 2.0
    } else {
        0.5
    }
}

fn panel(
    spec: &ValidFigure,
    member: &LossMember,
    exact: &Loss,
    odds: &[f64],
    targets: &[f64],
    (hx, hy): (f64, f64),
) -> Result<Panel, String> {
    let mut levels: Vec<Vec<(f64, f64)>> = vec![Vec::new(); GAP_LABELS.len()];
    let mut saturated = Vec::new();
    for &y in targets {
        let row = cell_row(&member.loss, exact, y, odds)
            .map_err(|m| format!("\"{}\" {m}", member.label))?;
        for (&x, cell) in odds.iter().zip(&row) {
            let corners = [(x - hx, y - hy), (x + hx, y + hy)];
            if let Some(level) = gap_level(cell.gap) {
                levels[level - 1].extend(corners);
            }
            if cell.saturated {
                saturated.extend(corners);
            }
        }
    }
    let mut series: Vec<Series> = levels
        .into_iter()
        .enumerate()
        .map(|(k, points)| Series {
            label: GAP_LABELS[k].to_string(),
            kind: SeriesKind::Cells,
            color_key: gap_key(k + 1),
            dashed: false,
            points,
        })
        .collect();
    if !saturated.is_empty() {
        series.push(Series {
            label: "saturated (hatched)".into(),
            kind: SeriesKind::Cells,
            color_key: SATURATED_KEY.into(),
            dashed: false,
            points: saturated,
        });
    }
    let first = |v: &[f64]| v.first().copied().unwrap_or(0.0);
    let last = |v: &[f64]| v.last().copied().unwrap_or(0.0);
    let x_range = spec.x_range.unwrap_or((first(odds) - hx, last(odds) + hx));
    let y_range = spec
        .y_range
        .unwrap_or((first(targets) - hy, last(targets) + hy));
    Ok(Panel {
        title: member.label.clone(),
        x_label: spec
            .x_label
            .clone()
            .unwrap_or_else(|| "log₁₀(q/(1 − q)): −8 is q ≈ 1e-8, 8 is 1 − q ≈ 1e-8".into()),
        y_label: spec.y_label.clone().unwrap_or_else(|| "target y".into()),
        x_range,
        y_range,
        categories: Vec::new(),
        series,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::loss::{ParamValue, Params};

    fn loss(convention: &str) -> Loss {
        let mut p = Params::new();
        if convention != "exact" {
            p.insert("convention".into(), ParamValue::Text(convention.into()));
        }
        Loss::new("bce", &p).unwrap()
    }

    #[test]
    fn levels_follow_the_decades() {
        assert_eq!(gap_level(0.0), Some(1));
        assert_eq!(gap_level(5e-13), Some(1));
        assert_eq!(gap_level(1e-12), Some(2));
        assert_eq!(gap_level(2e-4), Some(4));
        assert_eq!(gap_level(1e-3), Some(5));
        assert_eq!(gap_level(7.0), Some(6));
        assert_eq!(gap_level(f64::INFINITY), Some(7));
        assert_eq!(gap_level(f64::NAN), None);
        assert_eq!(gap(f64::INFINITY, f64::INFINITY), 0.0);
        assert_eq!(gap(36.0, f64::INFINITY), f64::INFINITY);
    }

    /// Keras (float64) clips q to [1e-7, 1 − 1e-7]: at log-odds 8 (q ≈ 1 −
    /// 1e-8) a label 0 is saturated with a gap of log(1e-7/1e-8) ≈ 2.3;
    /// at log-odds 0 (q = 0.5) nothing is clipped and the values agree to
    /// the last bits.
    #[test]
    fn keras_saturates_beyond_its_clip() {
        let (keras, exact) = (loss("keras"), loss("exact"));
        let row = cell_row(&keras, &exact, 0.0, &[0.0, 8.0]).unwrap();
        assert!(!row[0].saturated && row[0].gap < 1e-12, "{row:?}");
        assert!(row[1].saturated, "{row:?}");
        let want = (1.0 - probability_at(8.0)).ln() - (1e-7f64).ln();
        assert!((row[1].gap - want.abs()).abs() < 1e-6, "{row:?} vs {want}");
    }

    /// Keras categorical cross-entropy on the path [q, 1 − q] clips the
    /// renormalised row: for target [1, 0] and q ≈ 1e-10 its derivative is
    /// 0 while the exact one is −1/q.
    #[test]
    fn rows_saturate_where_the_gradient_vanishes() {
        let mut p = Params::new();
        p.insert("convention".into(), ParamValue::Text("keras".into()));
        let keras = Loss::new("cce", &p).unwrap();
        let exact = Loss::new("cce", &Params::new()).unwrap();
        let row = cell_row(&keras, &exact, 1.0, &[-10.0, 0.0]).unwrap();
        assert!(row[0].saturated, "{row:?}");
        assert!(row[0].gap > 1.0, "{row:?}");
        assert!(!row[1].saturated && row[1].gap < 1e-12, "{row:?}");
    }
}
