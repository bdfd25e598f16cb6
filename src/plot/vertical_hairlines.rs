//! Vertical one-pixel lines (grid lines, axes, ticks) drawn with tiny-skia's
//! own arithmetic, without its raster pipeline.
//!
//! Why: a stroke one device pixel wide is an anti-aliased hairline in
//! tiny-skia, and a vertical hairline is blended a pixel at a time, one
//! pipeline run per row and column (about 6 % of a render's instructions).
//! Its pixels follow from a few integers: the line's x in 26.6 fixed point
//! gives two columns and their coverages, its ends partial rows. This
//! module computes them as tiny-skia's `hairline_aa` does (the `VLine`
//! blitter, caps scaled by the end rows' fractions) and blends as its
//! low-precision pipeline does for an opaque colour (`Source` over the
//! canvas, then `lerp_u8` by coverage): the same bytes (tests compare with
//! tiny-skia on noise, and whole figures with resvg). Anything else — a
//! slanted line, a line tiny-skia would clip, or split into slanted halves
//! (longer than 511 pixels at an odd 1/64 of a pixel), a width that is not
//! exactly one pixel — is left to tiny-skia.

use resvg::tiny_skia::{PixmapMut, Point, Transform};

/// tiny-skia halves hairlines longer than this (26.6 fixed point).
const LONGEST: i32 = 511 * 64;

/// The largest canvas tiny-skia draws without tiling.
const UNTILED: u32 = 8191;

/// Draw the line from `from` to `to` (user units) of `width` in `color`
/// with `transform` on `pixmap`, as tiny-skia's anti-aliased butt-capped
/// stroke would, if it is a vertical hairline of full coverage that
/// tiny-skia draws unclipped; `false` (nothing drawn) otherwise.
pub(super) fn draw(
    from: (f32, f32),
    to: (f32, f32),
    width: f32,
    color: [u8; 3],
    transform: Transform,
    pixmap: &mut PixmapMut<'_>,
) -> bool {
    if from.0 != to.0 || from.1 == to.1 || !full_coverage(width, transform) {
        return false;
    }
    let (canvas_width, canvas_height) = (pixmap.width(), pixmap.height());
    if canvas_width > UNTILED || canvas_height > UNTILED {
        return false;
    }
    let mut points = [Point::from_xy(from.0, from.1), Point::from_xy(to.0, to.1)];
    transform.map_points(&mut points);
    if !points.iter().all(|p| p.x.is_finite() && p.y.is_finite()) {
        return false;
    }
    // tiny-skia's `fdot6::from_f32`.
    let dot6 = |v: f32| (v * 64.0) as i32;
    let (x, x_end) = (dot6(points[0].x), dot6(points[1].x));
    let (y0, y1) = (dot6(points[0].y), dot6(points[1].y));
    // tiny-skia halves a line longer than `LONGEST` with its x halved and
    // doubled: still vertical only when that x is even.
    let split_moves_x = (y1 - y0).abs() > LONGEST && x & 1 == 1;
    if x != x_end || y0 == y1 || split_moves_x || !(0..1 << 20).contains(&x) {
        return false;
    }
    // Unclipped only when the line's pixels and one around are inside.
    let (left, right) = ((x >> 6) - 1, ((x + 63) >> 6) + 1);
    let (top, bottom) = ((y0.min(y1) >> 6) - 1, ((y0.max(y1) + 63) >> 6) + 1);
    if left < 0 || top < 0 || right > canvas_width as i32 || bottom > canvas_height as i32 {
        return false;
    }
    let mut canvas = Canvas {
        data: pixmap.data_mut(),
        stride: canvas_width as usize * 4,
        color,
    };
    // The x in 16.16 plus a half pixel gives the right column and its
    // coverage, the column left of it the rest.
    let fx = (x << 10) + (1 << 15);
    let column = (fx >> 16) as usize;
    let alpha = ((fx >> 8) & 0xFF) as u16;
    segment(
        &mut canvas,
        [(column, alpha), (column.max(1) - 1, 255 - alpha)],
        y0,
        y1,
    );
    true
}

/// tiny-skia's `do_anti_hairline` for a vertical line from `y0` to `y1`
/// (26.6 fixed point) blending `columns` (pixel column, coverage): halves
/// of a long line one after the other, then the first row's cap, the full
/// rows, the last row's cap.
fn segment(canvas: &mut Canvas<'_>, columns: [(usize, u16); 2], y0: i32, y1: i32) {
    if (y1 - y0).abs() > LONGEST {
        let half = (y0 >> 1) + (y1 >> 1);
        segment(canvas, columns, y0, half);
        segment(canvas, columns, half, y1);
        return;
    }
    let (y0, y1) = (y0.min(y1), y0.max(y1));
    if y0 == y1 {
        return;
    }
    let (start, stop) = (y0 >> 6, (y1 + 63) >> 6);
    let (scale_start, scale_stop) = if stop - start == 1 {
        (y1 - y0, 0)
    } else {
        (64 - (y0 & 63), y1 & 63)
    };
    // A cap: one row, coverage scaled by the part of the row covered.
    let cap = |canvas: &mut Canvas<'_>, row: i32, mod64: i32| {
        for (at, coverage) in columns {
            let scaled = ((i32::from(coverage) * mod64) >> 6) as u16;
            canvas.blend(at, row as usize, 1, scaled);
        }
    };
    cap(canvas, start, scale_start);
    let full = stop - (start + 1) - i32::from(scale_stop > 0);
    if full > 0 {
        for (at, coverage) in columns {
            canvas.blend(at, (start + 1) as usize, full as usize, coverage);
        }
    }
    if scale_stop > 0 {
        cap(canvas, stop - 1, scale_stop);
    }
}

/// The canvas's bytes (premultiplied RGBA) and the line's opaque colour.
struct Canvas<'a> {
    data: &'a mut [u8],
    stride: usize,
    color: [u8; 3],
}

impl Canvas<'_> {
    /// tiny-skia's `blit_v` for an opaque colour: `height` pixels of column
    /// `x` from row `y` become `lerp(canvas, colour, coverage)` in its
    /// low-precision arithmetic (`(d·(255 − c) + s·c + 255) >> 8`).
    fn blend(&mut self, x: usize, y: usize, height: usize, coverage: u16) {
        if coverage == 0 {
            return;
        }
        let [r, g, b] = self.color.map(u16::from);
        let source = [r, g, b, 255];
        for row in y..y + height {
            let at = row * self.stride + x * 4;
            let Some(pixel) = self.data.get_mut(at..at + 4) else {
                return;
            };
            for (d, s) in pixel.iter_mut().zip(source) {
                *d = ((u16::from(*d) * (255 - coverage) + s * coverage + 255) >> 8) as u8;
            }
        }
    }
}

/// Whether tiny-skia strokes `width` with `transform` as a hairline of
/// full coverage (one pixel wide): the strokes [`draw`] may take.
pub(super) fn full_coverage(width: f32, transform: Transform) -> bool {
    hairline_coverage(width, transform) == Some(1.0)
}

/// tiny-skia's `treat_as_hairline` for an anti-aliased stroke of `width`
/// (> 0) with `transform`: the coverage of a stroke no wider than a pixel.
fn hairline_coverage(width: f32, mut transform: Transform) -> Option<f32> {
    if width <= 0.0 {
        return None;
    }
    let fast_len = |p: Point| {
        let (x, y) = (p.x.abs(), p.y.abs());
        let (long, short) = if x < y { (y, x) } else { (x, y) };
        long + short * 0.5
    };
    transform.tx = 0.0;
    transform.ty = 0.0;
    let mut points = [Point::from_xy(width, 0.0), Point::from_xy(0.0, width)];
    transform.map_points(&mut points);
    let (len0, len1) = (fast_len(points[0]), fast_len(points[1]));
    (len0 <= 1.0 && len1 <= 1.0).then_some((len0 + len1) * 0.5)
}

#[cfg(test)]
mod tests {
    use super::*;
    use resvg::tiny_skia::Pixmap;

    /// A canvas of noise, so that every blend is seen.
    fn noise(width: u32, height: u32, seed: u64) -> Pixmap {
        let mut pixmap = Pixmap::new(width, height).unwrap();
        let mut state = seed;
        for byte in pixmap.data_mut().chunks_exact_mut(4) {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let b = (state >> 33).to_le_bytes();
            byte.copy_from_slice(&[b[0], b[1], b[2], 255]);
        }
        pixmap
    }

    /// The polyline stroked by tiny-skia as one path (`direct_shapes`'s
    /// call, as resvg makes it).
    fn tiny_skia_line(
        pixmap: &mut Pixmap,
        points: &[(f32, f32)],
        width: f32,
        color: [u8; 3],
        transform: Transform,
    ) {
        crate::plot::direct_shapes::stroke(points, width, color, transform, &mut pixmap.as_mut());
    }

    /// Lines at every quarter and odd fraction of a pixel, short and long
    /// (longer than 511 pixels: halved by tiny-skia),
    /// up and down, with ends inside one row, at the canvas's edges and
    /// beyond (left to tiny-skia), on noise: the same bytes as tiny-skia's.
    #[test]
    fn vertical_hairlines_are_tiny_skias_pixels() {
        let (width, height) = (64, 700);
        let transforms = [
            Transform::from_scale(0.25, 0.25),
            Transform::from_row(0.25, 0.0, 0.0, 0.25, 0.37, -0.61),
            Transform::from_scale(0.5, 0.5),
            Transform::from_scale(0.2, 0.3),
        ];
        let ys: [(f32, f32); 9] = [
            (8.0, 400.0),
            (401.0, 9.0),
            (13.0, 14.0),
            (13.0, 17.0),
            (5.0, 2700.0),
            (-40.0, 100.0),
            (2000.0, 2790.0),
            (30.0, 2079.0),
            (40.0, 2083.0),
        ];
        let (mut drawn, mut left, mut long) = (0, 0, 0);
        for (t, transform) in transforms.into_iter().enumerate() {
            for (i, &(y0, y1)) in ys.iter().enumerate() {
                for x in [
                    0.0, 1.0, 2.0, 3.0, 5.0, 17.0, 101.0, 130.0, 250.0, 255.0, 256.0,
                ] {
                    let color = [(x as u8).wrapping_mul(7), 90, (i * 20) as u8];
                    let seed = (t * 1000 + i * 50) as u64 + x as u64;
                    let mut ours = noise(width, height, seed);
                    let mut theirs = ours.clone();
                    let (from, to) = ((x, y0), (x, y1));
                    let w = if t == 2 { 2.0 } else { 4.0 };
                    if draw(from, to, w, color, transform, &mut ours.as_mut()) {
                        drawn += 1;
                        long += usize::from((y1 - y0).abs() * transform.sy > 511.0);
                    } else {
                        left += 1;
                        tiny_skia_line(&mut ours, &[from, to], w, color, transform);
                    }
                    tiny_skia_line(&mut theirs, &[from, to], w, color, transform);
                    assert!(
                        ours.data() == theirs.data(),
                        "transform {t}, x {x}, y {y0}..{y1}"
                    );
                }
            }
        }
        assert!(drawn > 80 && left > 50, "{drawn} drawn, {left} left");
        // Lines tiny-skia halves were drawn here too.
        assert!(long > 4, "{long} lines longer than 511 pixels drawn");
    }

    /// Polylines with vertical segments among others (a frame drawn round
    /// and once more along its top, a slanted and an empty segment) drawn
    /// segment by segment are tiny-skia's whole-path strokes, byte for byte.
    #[test]
    fn polylines_drawn_by_segments_are_tiny_skias_strokes() {
        use crate::plot::direct_shapes::{self, Shape};
        let polylines: [&[(f32, f32)]; 3] = [
            &[
                (20.0, 30.0),
                (200.0, 30.0),
                (200.0, 500.0),
                (20.0, 500.0),
                (20.0, 30.0),
                (200.0, 30.0),
            ],
            &[
                (41.0, 10.0),
                (41.0, 300.0),
                (90.0, 420.0),
                (90.0, 420.0),
                (90.0, 100.0),
            ],
            &[(7.0, 600.0), (7.0, 20.0), (7.0, 2700.0)],
        ];
        for transform in [
            Transform::from_scale(0.25, 0.25),
            Transform::from_row(0.25, 0.0, 0.0, 0.25, 0.37, -0.61),
        ] {
            for (n, points) in polylines.iter().enumerate() {
                let color = [10, (n * 60) as u8, 200];
                let mut ours = noise(64, 700, n as u64);
                let mut theirs = ours.clone();
                let shape = Shape::Line {
                    color,
                    width: 4.0,
                    points: points.to_vec(),
                };
                direct_shapes::draw(&[shape], transform, &mut ours.as_mut());
                tiny_skia_line(&mut theirs, points, 4.0, color, transform);
                assert!(ours.data() == theirs.data(), "polyline {n}");
            }
        }
    }

    #[test]
    fn only_full_coverage_hairlines_are_taken() {
        let quarter = Transform::from_scale(0.25, 0.25);
        assert_eq!(hairline_coverage(4.0, quarter), Some(1.0));
        assert_eq!(hairline_coverage(2.0, quarter), Some(0.5));
        assert_eq!(hairline_coverage(12.0, quarter), None);
        let mut pixmap = Pixmap::new(40, 40).unwrap();
        let mut canvas = pixmap.as_mut();
        assert!(!draw(
            (8.0, 8.0),
            (8.0, 100.0),
            2.0,
            [0; 3],
            quarter,
            &mut canvas
        ));
        assert!(!draw(
            (8.0, 8.0),
            (9.0, 100.0),
            4.0,
            [0; 3],
            quarter,
            &mut canvas
        ));
        assert!(draw(
            (8.0, 8.0),
            (8.0, 100.0),
            4.0,
            [0; 3],
            quarter,
            &mut canvas
        ));
    }
}
