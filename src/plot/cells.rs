//! Drawing [`SeriesKind::Cells`](crate::compute::SeriesKind::Cells): the
//! filled cells of a 2-D density (prediction against target at a million
//! rows), shaded along one sequential, colour-blind-safe ramp.
//!
//! A cell is cut to the plot range like every other mark: a cell partly
//! outside is drawn up to the border, one wholly outside is not drawn.

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

/// The shade of a `density:LEVEL:LEVELS` colour key (the darkest if unreadable).
pub fn shade(key: &str) -> RGBColor {
    let mut parts = key.split(':').skip(1).map(|p| p.parse::<usize>().ok());
    let index = match (parts.next().flatten(), parts.next().flatten()) {
        (Some(level), Some(levels)) if levels > 0 && (1..=levels).contains(&level) => {
            ((level - 1) * (RAMP.len() - 1)).div_ceil((levels - 1).max(1))
        }
        _ => RAMP.len() - 1,
    };
    let (r, g, b) = RAMP[index.min(RAMP.len() - 1)];
    RGBColor(r, g, b)
}

fn clamp_to(range: Range, v: f64) -> f64 {
    v.clamp(range.0.min(range.1), range.0.max(range.1))
}

fn drawing_err<E: std::error::Error + Send + Sync>(error: DrawingAreaErrorKind<E>) -> String {
    format!("drawing failed: {error}")
}

/// Draw every cell of `series`; `to_px` maps data to pixel coordinates.
pub fn draw_cells<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    series: &Series,
    x: Range,
    y: Range,
    to_px: &dyn Fn((f64, f64)) -> (i32, i32),
) -> Result<(), String> {
    let color = shade(&series.color_key);
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
) -> Result<(), String> {
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
            draw_cells(&root, &series, (0.0, 2.0), (0.0, 2.0), &to_px).unwrap();
            root.present().unwrap();
        }
        // Two cells drawn (one cut at 2), the one at (5, 6) left out.
        assert_eq!(svg.matches("<rect").count(), 2, "{svg}");
        assert!(svg.contains("width=\"5\""), "{svg}");
    }
}
