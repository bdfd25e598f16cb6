//! Drawing one panel onto any plotters backend (SVG or bitmap), in pixel
//! coordinates computed by `layout` (the grid) and `panel_layout` (inside
//! the panel).

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters::style::FontTransform;

use super::annotations::{self, Frame};
use super::font::{text_style, TICK_PX};
use super::layout::{Fonts, Rect};
use super::panel_layout::{
    line, PanelLayout, XTickStyle, LEGEND_SAMPLE, LEGEND_SAMPLE_GAP, TICK_LABEL_OFFSET, TICK_LENGTH,
};
use super::series::{bar_rect, cut_polyline, dash_polyline, inside, Range};
use super::simplify::simplify;
use super::style::SeriesLook;
use crate::compute::{Panel, Series, SeriesKind};
use crate::scenario::{AxisScale, Dash, FigureOptions, Marker};

/// What a panel is drawn with besides its data: its index in the figure,
/// the look of each series and the figure's options (annotations, scales).
pub struct Scene<'a> {
    pub index: usize,
    pub looks: &'a [SeriesLook],
    pub options: &'a FigureOptions,
}

pub const TEXT: RGBColor = RGBColor(34, 34, 34);
const AXIS: RGBColor = RGBColor(90, 90, 90);
const GRID: RGBColor = RGBColor(226, 226, 226);
const ZERO_LINE: RGBColor = RGBColor(165, 165, 165);

/// Line and marker sizes at scale 1, in pixels.
const LINE_WIDTH: f64 = 3.0;
const POINT_RADIUS: f64 = 5.0;
const DASH: f64 = 12.0;
const DASH_GAP: f64 = 7.0;
const DOT: f64 = 3.0;
const DOT_GAP: f64 = 5.0;
/// A line with a marker shows at most this many marks along it.
const MARKS_ON_A_LINE: usize = 20;

/// A drawing error as text; the caller adds figure and panel.
type DrawResult = Result<(), String>;

fn drawing_err<E: std::error::Error + Send + Sync>(error: DrawingAreaErrorKind<E>) -> String {
    format!("drawing failed: {error}")
}

/// Maps data coordinates of a panel to pixels of its plot area.
struct Mapping {
    plot: Rect,
    x: Range,
    y: Range,
}

impl Mapping {
    fn px(&self, (x, y): (f64, f64)) -> (f64, f64) {
        (
            self.plot.x + (x - self.x.0) / (self.x.1 - self.x.0) * self.plot.w,
            self.plot.bottom() - (y - self.y.0) / (self.y.1 - self.y.0) * self.plot.h,
        )
    }
}

fn round((x, y): (f64, f64)) -> (i32, i32) {
    (x.round() as i32, y.round() as i32)
}

/// A stroke width of `px` pixels at scale 1, at least one pixel.
fn width(px: f64, s: f64) -> u32 {
    (px * s).round().max(1.0) as u32
}

/// Draw `panel` laid out as `layout` at scale `s`.
pub fn draw_panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    panel: &Panel,
    layout: &PanelLayout,
    scene: &Scene,
    fonts: &Fonts,
    s: f64,
) -> DrawResult {
    let map = Mapping {
        plot: layout.plot,
        x: panel.x_range,
        y: panel.y_range,
    };
    let centre_x = layout.plot.x + layout.plot.w / 2.0;
    let centred = Pos::new(HPos::Center, VPos::Center);
    if !panel.title.is_empty() {
        let style = text_style(&fonts.panel_title, TEXT, centred);
        area.draw_text(&panel.title, &style, round((centre_x, layout.title_y)))
            .map_err(drawing_err)?;
    }
    draw_grid(area, panel, layout, &map, s)?;
    let px = |p: (f64, f64)| map.px(p);
    let options = scene.options;
    let frame = Frame {
        index: scene.index,
        x: panel.x_range,
        y: panel.y_range,
        scales: (
            if panel.categories.is_empty() {
                options.x_scale
            } else {
                AxisScale::Linear
            },
            options.y_scale,
        ),
        px: &px,
        s,
    };
    annotations::draw_bands(area, options, &frame, fonts)?;
    // Bars first, so lines and points stay visible on top of them.
    let bar_count = panel
        .series
        .iter()
        .filter(|it| it.kind == SeriesKind::Bars)
        .count();
    for kind in [
        SeriesKind::Cells,
        SeriesKind::Bars,
        SeriesKind::Line,
        SeriesKind::Points,
    ] {
        let same_kind = panel
            .series
            .iter()
            .zip(scene.looks)
            .filter(|(it, _)| it.kind == kind);
        for (index, (series, look)) in same_kind.enumerate() {
            match kind {
                SeriesKind::Line => draw_line(area, series, look, &map, s)?,
                SeriesKind::Points => draw_points(area, series, look, &map, s)?,
                SeriesKind::Bars => draw_bars(area, series, look.color, index, bar_count, &map, s)?,
                SeriesKind::Cells => {
                    let to_px = |p| round(map.px(p));
                    super::cells::draw_cells(area, series, map.x, map.y, &to_px, s)?
                }
            }
        }
    }
    annotations::draw_marks(area, options, &frame, fonts)?;
    draw_axes(area, panel, layout, fonts, s)?;
    draw_legend(area, &panel.series, scene.looks, layout, fonts, s)
}

fn draw_grid<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    panel: &Panel,
    layout: &PanelLayout,
    map: &Mapping,
    s: f64,
) -> DrawResult {
    let plot = layout.plot;
    let grid = ShapeStyle {
        color: GRID.to_rgba(),
        filled: false,
        stroke_width: width(1.0, s),
    };
    let zero = ShapeStyle {
        color: ZERO_LINE.to_rgba(),
        ..grid
    };
    for tick in &layout.y_ticks {
        let y = map.px((panel.x_range.0, tick.value)).1;
        let style = if tick.value == 0.0 && layout.zero_line.1 {
            zero
        } else {
            grid
        };
        let line = vec![round((plot.x, y)), round((plot.right(), y))];
        area.draw(&PathElement::new(line, style))
            .map_err(drawing_err)?;
    }
    // Category axes get no vertical grid: it would cut through the bars.
    if panel.categories.is_empty() {
        for tick in &layout.x_ticks {
            let x = map.px((tick.value, panel.y_range.0)).0;
            let style = if tick.value == 0.0 && layout.zero_line.0 {
                zero
            } else {
                grid
            };
            let line = vec![round((x, plot.y)), round((x, plot.bottom()))];
            area.draw(&PathElement::new(line, style))
                .map_err(drawing_err)?;
        }
    }
    Ok(())
}

fn draw_axes<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    panel: &Panel,
    layout: &PanelLayout,
    fonts: &Fonts,
    s: f64,
) -> DrawResult {
    let plot = layout.plot;
    let map = Mapping {
        plot,
        x: panel.x_range,
        y: panel.y_range,
    };
    let axis = ShapeStyle {
        color: AXIS.to_rgba(),
        filled: false,
        stroke_width: width(1.0, s),
    };
    // A closed path rather than an unfilled `Rectangle`: plotters' SVG backend
    // ignores the stroke width of rectangles. The first side is drawn twice so
    // every corner gets a join.
    let (x0, y0, x1, y1) = (plot.x, plot.y, plot.right(), plot.bottom());
    let frame = [(x0, y0), (x1, y0), (x1, y1), (x0, y1), (x0, y0), (x1, y0)];
    area.draw(&PathElement::new(frame.map(round).to_vec(), axis))
        .map_err(drawing_err)?;

    let tick_len = TICK_LENGTH * s;
    let label_gap = TICK_LABEL_OFFSET * s;
    let x_style = match layout.x_tick_style {
        XTickStyle::Upright => text_style(&fonts.tick, TEXT, Pos::new(HPos::Right, VPos::Center))
            .transform(FontTransform::Rotate270),
        XTickStyle::Flat | XTickStyle::Staggered => {
            text_style(&fonts.tick, TEXT, Pos::new(HPos::Center, VPos::Top))
        }
    };
    for (index, tick) in layout.x_ticks.iter().enumerate() {
        let x = map.px((tick.value, panel.y_range.0)).0;
        let mark = vec![
            round((x, plot.bottom())),
            round((x, plot.bottom() + tick_len)),
        ];
        area.draw(&PathElement::new(mark, axis))
            .map_err(drawing_err)?;
        let lower = layout.x_tick_style == XTickStyle::Staggered && index % 2 == 1;
        let y = plot.bottom() + label_gap + if lower { line(TICK_PX, s) } else { 0.0 };
        area.draw_text(&tick.label, &x_style, round((x, y)))
            .map_err(drawing_err)?;
    }
    let y_style = text_style(&fonts.tick, TEXT, Pos::new(HPos::Right, VPos::Center));
    for tick in &layout.y_ticks {
        let y = map.px((panel.x_range.0, tick.value)).1;
        let mark = vec![round((plot.x - tick_len, y)), round((plot.x, y))];
        area.draw(&PathElement::new(mark, axis))
            .map_err(drawing_err)?;
        area.draw_text(&tick.label, &y_style, round((plot.x - label_gap, y)))
            .map_err(drawing_err)?;
    }

    let centred = Pos::new(HPos::Center, VPos::Center);
    if !panel.x_label.is_empty() {
        let style = text_style(&fonts.axis_label, TEXT, centred);
        let at = (plot.x + plot.w / 2.0, layout.x_label_y);
        area.draw_text(&panel.x_label, &style, round(at))
            .map_err(drawing_err)?;
    }
    if !panel.y_label.is_empty() {
        let style =
            text_style(&fonts.axis_label, TEXT, centred).transform(FontTransform::Rotate270);
        let at = (layout.y_label_x, plot.y + plot.h / 2.0);
        area.draw_text(&panel.y_label, &style, round(at))
            .map_err(drawing_err)?;
    }
    Ok(())
}

/// Pixel polyline as integer points, without consecutive repeats, and
/// without the points within half a unit of a chord (see [`simplify`]).
fn pixel_path(points: &[(f64, f64)]) -> Vec<(i32, i32)> {
    let mut path: Vec<(i32, i32)> = points.iter().map(|&p| round(p)).collect();
    path.dedup();
    simplify(&path)
}

/// Stroke a pixel-space polyline, solid or dashed.
fn stroke<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    points: &[(f64, f64)],
    dash: Dash,
    style: ShapeStyle,
    s: f64,
) -> DrawResult {
    let pieces = match dash {
        Dash::Solid => vec![points.to_vec()],
        Dash::Dashed => dash_polyline(points, DASH * s, DASH_GAP * s),
        Dash::Dotted => dash_polyline(points, DOT * s, DOT_GAP * s),
    };
    for piece in pieces {
        let path = pixel_path(&piece);
        if path.len() >= 2 {
            area.draw(&PathElement::new(path, style))
                .map_err(drawing_err)?;
        }
    }
    Ok(())
}

fn draw_line<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    series: &Series,
    look: &SeriesLook,
    map: &Mapping,
    s: f64,
) -> DrawResult {
    let style = ShapeStyle {
        color: look.color.to_rgba(),
        filled: false,
        stroke_width: width(LINE_WIDTH, s),
    };
    for piece in cut_polyline(&series.points, map.x, map.y) {
        let pixels: Vec<(f64, f64)> = piece.iter().map(|&p| map.px(p)).collect();
        stroke(area, &pixels, look.dash, style, s)?;
    }
    if look.marker != Marker::None {
        // Marks along the line, evenly spaced by index, at most a few dozen.
        let step = series.points.len().div_ceil(MARKS_ON_A_LINE).max(1);
        for &point in series.points.iter().step_by(step) {
            if inside(point, map.x, map.y) {
                marker(area, map.px(point), look, s)?;
            }
        }
    }
    Ok(())
}

/// A filled marker with a thin white halo, so points on top of a line of the
/// same colour stay visible; `hollow` ones are rings (greyscale cue).
fn marker<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    centre: (f64, f64),
    look: &SeriesLook,
    s: f64,
) -> DrawResult {
    let radius = POINT_RADIUS * s;
    let style = if look.hollow {
        ShapeStyle {
            color: look.color.to_rgba(),
            filled: false,
            stroke_width: width(2.5, s),
        }
    } else {
        look.color.filled()
    };
    let halo_style = WHITE.filled();
    let (x, y) = centre;
    let polygon = |r: f64| -> Option<Vec<(i32, i32)>> {
        let corners: &[(f64, f64)] = match look.marker {
            Marker::Square => &[(-0.9, -0.9), (0.9, -0.9), (0.9, 0.9), (-0.9, 0.9)],
            Marker::Triangle => &[(0.0, -1.25), (1.1, 0.75), (-1.1, 0.75)],
            Marker::Diamond => &[(0.0, -1.25), (1.25, 0.0), (0.0, 1.25), (-1.25, 0.0)],
            Marker::Circle | Marker::None => return None,
        };
        Some(
            corners
                .iter()
                .map(|(dx, dy)| round((x + dx * r, y + dy * r)))
                .collect(),
        )
    };
    match polygon(radius) {
        None => {
            let centre = round(centre);
            let halo = Circle::new(centre, (radius + 1.5 * s).round() as i32, halo_style);
            area.draw(&halo).map_err(drawing_err)?;
            area.draw(&Circle::new(centre, radius.round() as i32, style))
                .map_err(drawing_err)
        }
        Some(shape) => {
            let halo = polygon(radius + 1.5 * s).unwrap_or_default();
            area.draw(&Polygon::new(halo, halo_style))
                .map_err(drawing_err)?;
            if look.hollow {
                let mut ring = shape.clone();
                ring.extend(shape.first().copied());
                area.draw(&PathElement::new(ring, style))
                    .map_err(drawing_err)
            } else {
                area.draw(&Polygon::new(shape, style)).map_err(drawing_err)
            }
        }
    }
}

fn draw_points<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    series: &Series,
    look: &SeriesLook,
    map: &Mapping,
    s: f64,
) -> DrawResult {
    if look.marker == Marker::None {
        return Ok(());
    }
    // Points outside the range are cut like lines: not drawn at all.
    for &point in series.points.iter().filter(|&&p| inside(p, map.x, map.y)) {
        marker(area, map.px(point), look, s)?;
    }
    Ok(())
}

/// A bar: solid fill, or for `dashed` series a pale fill inside a solid
/// border (two filled rectangles: an unfilled one has no stroke width in SVG).
fn bar_box<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    corners: [(i32, i32); 2],
    color: RGBColor,
    pale: bool,
    s: f64,
) -> DrawResult {
    area.draw(&Rectangle::new(corners, color.filled()))
        .map_err(drawing_err)?;
    let border = width(2.0, s) as i32;
    let [(left, top), (right, bottom)] = corners;
    if pale && right - left > 2 * border && bottom - top > 2 * border {
        let mix = |c: u8| ((u16::from(c) + 2 * 255) / 3) as u8;
        let fill = RGBColor(mix(color.0), mix(color.1), mix(color.2));
        let inner = [
            (left + border, top + border),
            (right - border, bottom - border),
        ];
        area.draw(&Rectangle::new(inner, fill.filled()))
            .map_err(drawing_err)?;
    }
    Ok(())
}

fn draw_bars<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    series: &Series,
    color: RGBColor,
    index: usize,
    count: usize,
    map: &Mapping,
    s: f64,
) -> DrawResult {
    let baseline = 0.0_f64.clamp(map.y.0, map.y.1);
    for &(x, y) in &series.points {
        if let Some((low, high)) = bar_rect(x, y, index, count, baseline, map.x, map.y) {
            let (left, bottom) = round(map.px(low));
            let (right, top) = round(map.px(high));
            // A hairline gap between neighbouring bars of one group.
            let right = if count > 1 {
                right - width(1.0, s) as i32
            } else {
                right
            };
            bar_box(
                area,
                [(left, top), (right, bottom)],
                color,
                series.dashed,
                s,
            )?;
        }
    }
    Ok(())
}

fn draw_legend<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    series: &[Series],
    looks: &[SeriesLook],
    layout: &PanelLayout,
    fonts: &Fonts,
    s: f64,
) -> DrawResult {
    if let Some(frame) = layout.legend_box {
        let corners = [
            round((frame.x, frame.y)),
            round((frame.right(), frame.bottom())),
        ];
        area.draw(&Rectangle::new(corners, WHITE.mix(0.92).filled()))
            .map_err(drawing_err)?;
        let border = ShapeStyle {
            color: GRID.to_rgba(),
            filled: false,
            stroke_width: width(1.0, s),
        };
        let (x0, y0, x1, y1) = (frame.x, frame.y, frame.right(), frame.bottom());
        let outline = [(x0, y0), (x1, y0), (x1, y1), (x0, y1), (x0, y0), (x1, y0)];
        area.draw(&PathElement::new(outline.map(round).to_vec(), border))
            .map_err(drawing_err)?;
    }
    let label_style = text_style(&fonts.legend, TEXT, Pos::new(HPos::Left, VPos::Center));
    for entry in &layout.legend {
        let item = &series[entry.series];
        let look = &looks[entry.series];
        let (x, y) = (entry.x, entry.y);
        let sample_end = x + LEGEND_SAMPLE * s;
        let middle = ((x + sample_end) / 2.0, y);
        match item.kind {
            SeriesKind::Line => {
                let style = ShapeStyle {
                    color: look.color.to_rgba(),
                    filled: false,
                    stroke_width: width(LINE_WIDTH, s),
                };
                stroke(area, &[(x, y), (sample_end, y)], look.dash, style, s)?;
                if look.marker != Marker::None {
                    marker(area, middle, look, s)?;
                }
            }
            SeriesKind::Points => marker(area, middle, look, s)?,
            SeriesKind::Bars => {
                let half = 8.0 * s;
                let corners = [
                    round((middle.0 - half, y - half)),
                    round((middle.0 + half, y + half)),
                ];
                bar_box(area, corners, look.color, item.dashed, s)?;
            }
            SeriesKind::Cells => {
                let half = 8.0 * s;
                let corners = [
                    round((middle.0 - half, y - half)),
                    round((middle.0 + half, y + half)),
                ];
                super::cells::swatch(area, &item.color_key, corners, s)?;
            }
        }
        if let Some(marks) = entry.marker_of {
            marker(area, middle, &looks[marks], s)?;
        }
        let at = round((sample_end + LEGEND_SAMPLE_GAP * s, y));
        area.draw_text(&entry.label, &label_style, at)
            .map_err(drawing_err)?;
    }
    Ok(())
}
