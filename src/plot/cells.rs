//! Drawing [`SeriesKind::Cells`](crate::compute::SeriesKind::Cells): the
//! filled cells of a 2-D density (prediction against target at a million
//! rows), shaded along one sequential, colour-blind-safe ramp.
//!
//! A cell is cut to the plot range like every other mark: a cell partly
//! outside is drawn up to the border, one wholly outside is not drawn.
//!
//! The saturation map (`compute::saturation`) uses the same cells with two
//! more keys: `gap:LEVEL:LEVELS`, a log colour scale of |convention − exact|
//! on a second ramp (light yellow to dark blue, so it is not read as the
//! density's counts), and `saturated`, drawn as a diagonal hatch over the
//! cell's gap colour so both stay visible.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::series::Range;
use crate::compute::Series;

/// Light to dark blue (the sequential "Blues" ramp of ColorBrewer, which
/// reads in greyscale and to colour-blind readers as more and less).
const RAMP: [(u8, u8, u8); 5] = [
    (198, 219, 239),
    (158, 202, 225),
    (107, 174, 214),
    (49, 130, 189),
    (8, 69, 148),
];

/// Light yellow to dark blue through green (ColorBrewer "YlGnBu", 7
/// classes): sequential, readable in greyscale and by colour-blind readers.
const GAP_RAMP: [(u8, u8, u8); 7] = [
    (255, 255, 204),
    (199, 233, 180),
    (127, 205, 187),
    (65, 182, 196),
    (29, 145, 192),
    (34, 94, 168),
    (12, 44, 132),
];

/// The hatch of saturated cells: Okabe–Ito vermillion, apart from every
/// colour of the gap ramp.
const HATCH: RGBColor = RGBColor(0xD5, 0x5E, 0x00);

/// The shade of a `density:LEVEL:LEVELS` or `gap:LEVEL:LEVELS` colour key
/// (the darkest if unreadable).
pub fn shade(key: &str) -> RGBColor {
    if key.starts_with("gap:") {
        return ramp_shade(key, &GAP_RAMP);
    }
    ramp_shade(key, &RAMP)
}

fn ramp_shade(key: &str, ramp: &[(u8, u8, u8)]) -> RGBColor {
    let mut parts = key.split(':').skip(1).map(|p| p.parse::<usize>().ok());
    let index = match (parts.next().flatten(), parts.next().flatten()) {
        (Some(level), Some(levels)) if levels > 0 && (1..=levels).contains(&level) => {
            ((level - 1) * (ramp.len() - 1)).div_ceil((levels - 1).max(1))
        }
        _ => ramp.len() - 1,
    };
    let (r, g, b) = ramp[index.min(ramp.len() - 1)];
    RGBColor(r, g, b)
}

/// Saturated cells are hatched, not filled.
fn hatched(key: &str) -> bool {
    key == "saturated"
}

/// The hatch inside the cell [a, b] (pixels): the 45° lines
/// px + py = k·spacing of one pattern fixed to the drawing, cut to the
/// cell, so neighbouring cells continue each other's stripes whatever
/// their shape. `s` is the drawing scale (line width and spacing follow it).
fn hatch<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    (a, b): ((i32, i32), (i32, i32)),
    s: f64,
) -> Result<(), String> {
    let (left, right) = (a.0.min(b.0), a.0.max(b.0));
    let (top, bottom) = (a.1.min(b.1), a.1.max(b.1));
    let spacing = (7.0 * s).round().max(3.0) as i32;
    let style = ShapeStyle {
        color: HATCH.to_rgba(),
        filled: false,
        stroke_width: (1.5 * s).round().max(1.0) as u32,
    };
    let first = (left + top).div_euclid(spacing) + 1;
    let last = (right + bottom).div_euclid(spacing);
    for k in first..=last {
        let c = k * spacing;
        let (x0, x1) = ((c - bottom).max(left), (c - top).min(right));
        if x0 > x1 {
            continue;
        }
        area.draw(&PathElement::new(vec![(x0, c - x0), (x1, c - x1)], style))
            .map_err(drawing_err)?;
    }
    Ok(())
}

fn clamp_to(range: Range, v: f64) -> f64 {
    v.clamp(range.0.min(range.1), range.0.max(range.1))
}

fn drawing_err<E: std::error::Error + Send + Sync>(error: DrawingAreaErrorKind<E>) -> String {
    format!("drawing failed: {error}")
}

/// Draw every cell of `series`; `to_px` maps data to pixel coordinates,
/// `s` is the drawing scale.
pub fn draw_cells<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    series: &Series,
    x: Range,
    y: Range,
    to_px: &dyn Fn((f64, f64)) -> (i32, i32),
    s: f64,
) -> Result<(), String> {
    let color = shade(&series.color_key);
    let hatch_only = hatched(&series.color_key);
    for corners in series.points.chunks_exact(2) {
        let (low, high) = (corners[0], corners[1]);
        let outside = high.0 <= x.0 || low.0 >= x.1 || high.1 <= y.0 || low.1 >= y.1;
        if outside
            || !(low.0.is_finite() && low.1.is_finite() && high.0.is_finite() && high.1.is_finite())
        {
            continue;
        }
        let a = to_px((clamp_to(x, low.0), clamp_to(y, low.1)));
        let b = to_px((clamp_to(x, high.0), clamp_to(y, high.1)));
        if hatch_only {
            hatch(area, (a, b), s)?;
            continue;
        }
        area.draw(&Rectangle::new([a, b], color.filled()))
            .map_err(drawing_err)?;
    }
    Ok(())
}

/// The legend sample of a cell series: a square of its shade.
pub fn swatch<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    key: &str,
    corners: [(i32, i32); 2],
    s: f64,
) -> Result<(), String> {
    if hatched(key) {
        // A white square with a border and the hatch.
        area.draw(&Rectangle::new(corners, WHITE.filled()))
            .map_err(drawing_err)?;
        hatch(area, (corners[0], corners[1]), s)?;
        area.draw(&Rectangle::new(corners, HATCH.stroke_width(1)))
            .map_err(drawing_err)?;
        return Ok(());
    }
    area.draw(&Rectangle::new(corners, shade(key).filled()))
        .map_err(drawing_err)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shades_run_from_light_to_dark() {
        assert_eq!(shade("density:1:5"), RGBColor(198, 219, 239));
        assert_eq!(shade("density:5:5"), RGBColor(8, 69, 148));
        assert_eq!(shade("density:1:1"), RGBColor(198, 219, 239));
        assert_eq!(shade("nonsense"), RGBColor(8, 69, 148));
        // The gap scale has its own ramp, light to dark.
        assert_eq!(shade("gap:1:7"), RGBColor(255, 255, 204));
        assert_eq!(shade("gap:7:7"), RGBColor(12, 44, 132));
        assert_ne!(shade("gap:3:7"), shade("density:3:7"));
    }

    /// Saturated cells are a hatch line each, not a filled rectangle.
    #[test]
    fn saturated_cells_are_hatched() {
        let series = Series {
            label: "saturated".into(),
            kind: crate::compute::SeriesKind::Cells,
            color_key: "saturated".into(),
            dashed: false,
            points: vec![(0.0, 0.0), (1.0, 1.0)],
        };
        let mut svg = String::new();
        {
            let root = SVGBackend::with_string(&mut svg, (100, 100)).into_drawing_area();
            let to_px = |(x, y): (f64, f64)| ((x * 10.0) as i32, (100.0 - y * 10.0) as i32);
            draw_cells(&root, &series, (0.0, 2.0), (0.0, 2.0), &to_px, 1.0).unwrap();
            root.present().unwrap();
        }
        assert_eq!(svg.matches("<rect").count(), 0, "{svg}");
        assert!(svg.contains("<polyline") || svg.contains("<path"), "{svg}");
        assert!(svg.to_ascii_uppercase().contains("D55E00"), "{svg}");
    }

    #[test]
    fn cells_outside_the_range_are_not_drawn_and_others_are_cut() {
        let series = Series {
            label: "n".into(),
            kind: crate::compute::SeriesKind::Cells,
            color_key: "density:3:5".into(),
            dashed: false,
            points: vec![
                (0.0, 0.0),
                (1.0, 1.0),
                (5.0, 5.0),
                (6.0, 6.0),
                (1.5, 1.5),
                (2.5, 2.5),
            ],
        };
        let mut svg = String::new();
        {
            let root = SVGBackend::with_string(&mut svg, (100, 100)).into_drawing_area();
            let to_px = |(x, y): (f64, f64)| ((x * 10.0) as i32, (100.0 - y * 10.0) as i32);
            draw_cells(&root, &series, (0.0, 2.0), (0.0, 2.0), &to_px, 1.0).unwrap();
            root.present().unwrap();
        }
        // Two cells drawn (one cut at 2), the one at (5, 6) left out.
        assert_eq!(svg.matches("<rect").count(), 2, "{svg}");
        assert!(svg.contains("width=\"5\""), "{svg}");
    }
}
