//! Legend entries and where they go.
//!
//! One entry per series, except that a line and the marks of the same loss
//! (a curve and its best constant, say) are one entry whose sample shows the
//! line with the marker on it, so an entry never reads as half of another.
//! `top` packs entries in rows above the plot; `right` stacks them beside
//! it; an inside corner stacks them on a white box in that corner of the
//! plot, unless data would be under it: then the first free corner (in the
//! order top right, top left, bottom right, bottom left) is taken, and with
//! none free the legend goes to the right. A legend never covers data.

use super::layout::Rect;
use super::series::{inside, Range};
use super::style::SeriesLook;
use crate::compute::{Panel, SeriesKind};
use crate::scenario::LegendPosition;

/// One legend entry: the series whose sample it shows, a marker drawn on
/// that sample (the merged marks of the same loss), and its text.
#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    pub series: usize,
    pub marker_of: Option<usize>,
    pub label: String,
}

/// The entries of a panel, in series order.
pub fn items(panel: &Panel, looks: &[SeriesLook]) -> Vec<Item> {
    let series = &panel.series;
    let mut merged_into: Vec<Option<usize>> = vec![None; series.len()];
    for (i, line) in series.iter().enumerate() {
        if line.kind != SeriesKind::Line || looks[i].label.is_empty() {
            continue;
        }
        let partner = series.iter().enumerate().find(|(j, marks)| {
            marks.kind == SeriesKind::Points
                && marks.color_key == line.color_key
                && !looks[*j].label.is_empty()
                && looks[*j].color == looks[i].color
                && merged_into[*j].is_none()
                && !merged_into.contains(&Some(i))
        });
        if let Some((j, _)) = partner {
            merged_into[j] = Some(i);
        }
    }
    let mut out = Vec::new();
    for (i, look) in looks.iter().enumerate() {
        if look.label.is_empty() || merged_into[i].is_some() {
            continue;
        }
        let marks = merged_into.iter().position(|m| *m == Some(i));
        let label = match marks {
            Some(j) => format!("{} ({})", look.label, looks[j].label),
            None => look.label.clone(),
        };
        out.push(Item {
            series: i,
            marker_of: marks,
            label,
        });
    }
    out
}

/// The corners to try for an inside legend, the asked-for one first.
pub fn corners(position: LegendPosition) -> Vec<LegendPosition> {
    use LegendPosition::*;
    let all = [
        InsideTopRight,
        InsideTopLeft,
        InsideBottomRight,
        InsideBottomLeft,
    ];
    std::iter::once(position)
        .chain(all.into_iter().filter(|c| *c != position))
        .collect()
}

/// The box of size `(w, h)` in `corner` of `plot`, `margin` from its sides.
pub fn corner_box(corner: LegendPosition, plot: Rect, (w, h): (f64, f64), margin: f64) -> Rect {
    use LegendPosition::*;
    let left = matches!(corner, InsideTopLeft | InsideBottomLeft);
    let top = matches!(corner, InsideTopLeft | InsideTopRight);
    Rect {
        x: if left {
            plot.x + margin
        } else {
            plot.right() - margin - w
        },
        y: if top {
            plot.y + margin
        } else {
            plot.bottom() - margin - h
        },
        w,
        h,
    }
}

/// Whether any drawn point of the panel, or any point along its lines,
/// falls in `area` (pixels); `px` maps axis-space points to pixels.
pub fn covers_data(panel: &Panel, area: Rect, px: &dyn Fn((f64, f64)) -> (f64, f64)) -> bool {
    let hit = |p: (f64, f64)| {
        let (x, y) = px(p);
        x >= area.x && x <= area.right() && y >= area.y && y <= area.bottom()
    };
    let shown = |p: (f64, f64)| inside(p, panel.x_range, panel.y_range);
    panel.series.iter().any(|series| match series.kind {
        SeriesKind::Line => series.points.windows(2).any(|w| {
            // Samples along each segment catch a sparse line crossing the box.
            (0..=8).any(|k| {
                let t = f64::from(k) / 8.0;
                let p = (
                    w[0].0 + t * (w[1].0 - w[0].0),
                    w[0].1 + t * (w[1].1 - w[0].1),
                );
                p.0.is_finite() && p.1.is_finite() && shown(p) && hit(p)
            })
        }),
        SeriesKind::Points => series.points.iter().any(|&p| shown(p) && hit(p)),
        SeriesKind::Bars => series.points.iter().any(|&(x, y)| {
            let bar_range: Range = (y.min(0.0), y.max(0.0));
            (0..=8).any(|k| {
                let v = bar_range.0 + f64::from(k) / 8.0 * (bar_range.1 - bar_range.0);
                shown((x, v)) && hit((x, v))
            })
        }),
    })
}
