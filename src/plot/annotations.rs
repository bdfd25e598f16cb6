//! A figure's annotations, drawn on any panel of any kind: shaded `bands`
//! (under the data), reference lines `vlines` and `hlines`, `text` at a
//! point and `arrows` (over the data). Coordinates are data values, mapped
//! through the panel's axis scales; whatever falls outside the plotted
//! range is cut at the frame like a curve, never pinned to it.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::axis_scale::forward;
use super::font::{text_size, text_style, LEGEND_PX};
use super::layout::Fonts;
use super::panel_layout::line;
use super::series::{cut_polyline, dash_polyline, Range};
use crate::scenario::{AxisScale, BandAxis, FigureOptions};

/// Reference lines and arrows: dark grey, so they read as not-data.
const MARK: RGBColor = RGBColor(70, 70, 70);
const BAND: RGBColor = RGBColor(120, 120, 120);
const BAND_OPACITY: f64 = 0.14;
const TEXT: RGBColor = RGBColor(34, 34, 34);

/// What the annotations of one panel need to know about it.
pub struct Frame<'a> {
    /// 0-based index of the panel (annotations say `panel = 1` for the first).
    pub index: usize,
    pub x: Range,
    pub y: Range,
    pub scales: (AxisScale, AxisScale),
    pub px: &'a dyn Fn((f64, f64)) -> (f64, f64),
    pub s: f64,
}

fn on_panel(panel: Option<usize>, index: usize) -> bool {
    panel.unwrap_or(1) == index + 1
}

fn err<E: std::error::Error + Send + Sync>(e: DrawingAreaErrorKind<E>) -> String {
    format!("drawing failed: {e}")
}

fn at((x, y): (f64, f64)) -> (i32, i32) {
    (x.round() as i32, y.round() as i32)
}

/// Shaded bands, drawn before the series so the data stays on top.
pub fn draw_bands<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    options: &FigureOptions,
    frame: &Frame,
    fonts: &Fonts,
) -> Result<(), String> {
    for band in options
        .bands
        .iter()
        .filter(|b| on_panel(b.panel, frame.index))
    {
        let (scale, range) = match band.axis {
            BandAxis::X => (frame.scales.0, frame.x),
            BandAxis::Y => (frame.scales.1, frame.y),
        };
        let low = forward(scale, band.from);
        let high = forward(scale, band.to);
        // A log axis has no place for values ≤ 0: the band starts at the frame.
        let low = if low.is_nan() {
            range.0
        } else {
            low.max(range.0)
        };
        if high.is_nan() || high.min(range.1) <= low {
            continue;
        }
        let high = high.min(range.1);
        let (a, b) = match band.axis {
            BandAxis::X => ((low, frame.y.0), (high, frame.y.1)),
            BandAxis::Y => ((frame.x.0, low), (frame.x.1, high)),
        };
        let (p, q) = ((frame.px)(a), (frame.px)(b));
        let fill = BAND.mix(BAND_OPACITY).filled();
        area.draw(&Rectangle::new([at(p), at(q)], fill))
            .map_err(err)?;
        if !band.label.is_empty() {
            let corner = (p.0.min(q.0) + 6.0 * frame.s, p.1.min(q.1) + 6.0 * frame.s);
            let anchor = (HPos::Left, VPos::Top);
            label(area, &band.label, anchor, corner, fonts, frame.s)?;
        }
    }
    Ok(())
}

/// Reference lines, text and arrows, drawn over the series.
pub fn draw_marks<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    options: &FigureOptions,
    frame: &Frame,
    fonts: &Fonts,
) -> Result<(), String> {
    let s = frame.s;
    let stroke = ShapeStyle {
        color: MARK.to_rgba(),
        filled: false,
        stroke_width: (2.0 * s).round().max(1.0) as u32,
    };
    let gap = 6.0 * s;
    // Labels of neighbouring lines go one under the other, never on top.
    let mut row = 0.0;
    for vline in options
        .vlines
        .iter()
        .filter(|l| on_panel(l.panel, frame.index))
    {
        let x = forward(frame.scales.0, vline.at);
        if !(frame.x.0..=frame.x.1).contains(&x) {
            continue;
        }
        let (top, bottom) = ((frame.px)((x, frame.y.1)), (frame.px)((x, frame.y.0)));
        dashed(area, &[top, bottom], stroke, s)?;
        if !vline.label.is_empty() {
            let y = top.1 + gap + row * line(LEGEND_PX, s);
            label(
                area,
                &vline.label,
                (HPos::Left, VPos::Top),
                (top.0 + gap, y),
                fonts,
                s,
            )?;
            row += 1.0;
        }
    }
    for hline in options
        .hlines
        .iter()
        .filter(|l| on_panel(l.panel, frame.index))
    {
        let y = forward(frame.scales.1, hline.at);
        if !(frame.y.0..=frame.y.1).contains(&y) {
            continue;
        }
        let (left, right) = ((frame.px)((frame.x.0, y)), (frame.px)((frame.x.1, y)));
        dashed(area, &[left, right], stroke, s)?;
        if !hline.label.is_empty() {
            let place = (right.0 - gap, right.1 - gap / 2.0);
            label(
                area,
                &hline.label,
                (HPos::Right, VPos::Bottom),
                place,
                fonts,
                s,
            )?;
        }
    }
    let inside = |p: (f64, f64)| {
        (frame.x.0..=frame.x.1).contains(&p.0) && (frame.y.0..=frame.y.1).contains(&p.1)
    };
    for note in options
        .text
        .iter()
        .filter(|n| on_panel(n.panel, frame.index))
    {
        let p = (
            forward(frame.scales.0, note.x),
            forward(frame.scales.1, note.y),
        );
        if inside(p) {
            let anchor = (HPos::Left, VPos::Center);
            label(area, &note.text, anchor, (frame.px)(p), fonts, s)?;
        }
    }
    for arrow in options
        .arrows
        .iter()
        .filter(|a| on_panel(a.panel, frame.index))
    {
        let from = (
            forward(frame.scales.0, arrow.from[0]),
            forward(frame.scales.1, arrow.from[1]),
        );
        let to = (
            forward(frame.scales.0, arrow.to[0]),
            forward(frame.scales.1, arrow.to[1]),
        );
        for piece in cut_polyline(&[from, to], frame.x, frame.y) {
            let pixels: Vec<(i32, i32)> = piece.iter().map(|&p| at((frame.px)(p))).collect();
            area.draw(&PathElement::new(pixels, stroke)).map_err(err)?;
        }
        let (tail, head) = ((frame.px)(from), (frame.px)(to));
        if inside(to) {
            area.draw(&Polygon::new(arrow_head(tail, head, s), MARK.filled()))
                .map_err(err)?;
        }
        if !arrow.label.is_empty() && inside(from) {
            // The label sits beyond the tail, on the side away from the head.
            let (rightward, downward) = (head.0 >= tail.0, head.1 >= tail.1);
            let h = if rightward { HPos::Right } else { HPos::Left };
            let v = if downward { VPos::Bottom } else { VPos::Top };
            let nudge = |toward: bool| if toward { -gap / 2.0 } else { gap / 2.0 };
            let place = (tail.0 + nudge(rightward), tail.1 + nudge(downward));
            label(area, &arrow.label, (h, v), place, fonts, s)?;
        }
    }
    Ok(())
}

/// Text on a pale box, so a label over data stays readable and the data
/// under it still shows through.
fn label<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    text: &str,
    (h, v): (HPos, VPos),
    point: (f64, f64),
    fonts: &Fonts,
    s: f64,
) -> Result<(), String> {
    let (w, height) = text_size(&fonts.legend, text)?;
    let left = match h {
        HPos::Left => point.0,
        HPos::Center => point.0 - w / 2.0,
        HPos::Right => point.0 - w,
    };
    let top = match v {
        VPos::Top => point.1,
        VPos::Center => point.1 - height / 2.0,
        VPos::Bottom => point.1 - height,
    };
    let pad = 3.0 * s;
    let corners = [
        at((left - pad, top - pad)),
        at((left + w + pad, top + height + pad)),
    ];
    area.draw(&Rectangle::new(corners, WHITE.mix(0.8).filled()))
        .map_err(err)?;
    let style = text_style(&fonts.legend, TEXT, Pos::new(h, v));
    area.draw_text(text, &style, at(point)).map_err(err)
}

fn dashed<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    points: &[(f64, f64)],
    style: ShapeStyle,
    s: f64,
) -> Result<(), String> {
    for dash in dash_polyline(points, 8.0 * s, 5.0 * s) {
        let pixels: Vec<(i32, i32)> = dash.iter().map(|&p| at(p)).collect();
        area.draw(&PathElement::new(pixels, style)).map_err(err)?;
    }
    Ok(())
}

/// A filled triangle with its tip at `head`, pointing away from `tail`.
fn arrow_head(tail: (f64, f64), head: (f64, f64), s: f64) -> Vec<(i32, i32)> {
    let (dx, dy) = (head.0 - tail.0, head.1 - tail.1);
    let length = (dx * dx + dy * dy).sqrt().max(1e-9);
    let (ux, uy) = (dx / length, dy / length);
    let (long, half) = (line(LEGEND_PX, s) * 0.55, line(LEGEND_PX, s) * 0.25);
    let base = (head.0 - ux * long, head.1 - uy * long);
    vec![
        at(head),
        at((base.0 - uy * half, base.1 + ux * half)),
        at((base.0 + uy * half, base.1 - ux * half)),
    ]
}
