//! The lines and rectangles of plotters' SVG drawn on the canvas with
//! tiny-skia directly, as resvg draws them, without usvg reading them.
//!
//! Why: nearly every element of a figure is a `<polyline>` (curves, grid,
//! axes, ticks) or a `<rect>` (bars, legend boxes), written by plotters in
//! one fixed form. usvg's parsing of them (XML, attributes, styles, paths)
//! cost about as much as stroking them. For these two forms this module
//! builds the same tiny-skia path (the same points, as `f32`), the same
//! paint and stroke (usvg's defaults: butt caps, miter joins, limit 4,
//! anti-aliased, source over) and the same transform (resvg's, taken from
//! usvg's tree of the SVG's header), and makes the same tiny-skia call, so
//! the pixels are resvg's (a test compares whole figures byte for byte).
//! Any other element, or these with other attributes (an opacity other
//! than 1, a dash, a stroke on a rectangle), is left to usvg and resvg.

use resvg::tiny_skia::{
    FillRule, LineCap, LineJoin, Paint, PathBuilder, PixmapMut, Rect, Stroke, Transform,
};
use resvg::usvg;

use super::vertical_hairlines;

/// One element drawn directly.
#[derive(Debug, PartialEq)]
pub(super) enum Shape {
    /// `<polyline fill="none" opacity="1" stroke="#RRGGBB" stroke-width="W" points="x,y …"/>`
    Line {
        color: [u8; 3],
        width: f32,
        points: Vec<(f32, f32)>,
    },
    /// `<rect x="X" y="Y" width="W" height="H" opacity="1" fill="#RRGGBB" stroke="none"/>`
    Rect { color: [u8; 3], rect: [f32; 4] },
}

/// A run of the SVG's elements: drawn directly, or left to usvg.
#[derive(Debug, PartialEq)]
pub(super) enum Run<'a> {
    Direct(Vec<Shape>),
    Svg(&'a str),
}

/// `shapes` (whole lines of plotters' SVG body, no text) cut into runs of
/// elements drawn directly and runs left to usvg, in order.
pub(super) fn runs(shapes: &str) -> Vec<Run<'_>> {
    let mut runs: Vec<Run<'_>> = Vec::new();
    // Start of the run left to usvg that is being gathered.
    let mut other_from: Option<usize> = None;
    let mut at = 0;
    for line in shapes.split_inclusive('\n') {
        match shape(line.trim_end_matches('\n')) {
            Some(shape) => {
                if let Some(from) = other_from.take() {
                    runs.push(Run::Svg(&shapes[from..at]));
                }
                match runs.last_mut() {
                    Some(Run::Direct(list)) => list.push(shape),
                    _ => runs.push(Run::Direct(vec![shape])),
                }
            }
            // Not one of the two forms (an empty line is usvg's too: it
            // draws nothing, and a line of another element may continue).
            None => {
                other_from.get_or_insert(at);
            }
        }
        at += line.len();
    }
    if let Some(from) = other_from {
        if !shapes[from..].trim().is_empty() {
            runs.push(Run::Svg(&shapes[from..]));
        }
    }
    runs.retain(|run| !matches!(run, Run::Svg(s) if s.trim().is_empty()));
    runs
}

/// The element on `line`, if it is one of the two forms.
fn shape(line: &str) -> Option<Shape> {
    if let Some(rest) = line.strip_prefix("<polyline fill=\"none\" opacity=\"1\" stroke=\"#") {
        let (color, rest) = rest.split_at_checked(6)?;
        let rest = rest.strip_prefix("\" stroke-width=\"")?;
        let (width, rest) = rest.split_once('"')?;
        let points = rest.strip_prefix(" points=\"")?.strip_suffix("\"/>")?;
        let width = width.parse::<u32>().ok().filter(|&w| w > 0)? as f32;
        let points = points
            .split_ascii_whitespace()
            .map(|point| {
                let (x, y) = point.split_once(',')?;
                Some((x.parse::<i32>().ok()? as f32, y.parse::<i32>().ok()? as f32))
            })
            .collect::<Option<Vec<_>>>()?;
        return Some(Shape::Line {
            color: hex(color)?,
            width,
            points,
        });
    }
    let rest = line.strip_prefix("<rect x=\"")?;
    let (x, rest) = rest.split_once("\" y=\"")?;
    let (y, rest) = rest.split_once("\" width=\"")?;
    let (w, rest) = rest.split_once("\" height=\"")?;
    let (h, rest) = rest.split_once("\" opacity=\"1\" fill=\"#")?;
    let (color, rest) = rest.split_at_checked(6)?;
    if rest != "\" stroke=\"none\"/>" {
        return None;
    }
    let number = |s: &str| s.parse::<i32>().ok().map(|v| v as f32);
    Some(Shape::Rect {
        color: hex(color)?,
        rect: [number(x)?, number(y)?, number(w)?, number(h)?],
    })
}

/// `RRGGBB` (hexadecimal digits, either case) as bytes.
fn hex(digits: &str) -> Option<[u8; 3]> {
    if !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let byte = |i: usize| u8::from_str_radix(digits.get(i..i + 2)?, 16).ok();
    Some([byte(0)?, byte(2)?, byte(4)?])
}

/// The transform resvg draws the body of the SVG headed by `header` with
/// at `size` pixels (as `raster` renders a tree: scaled from the tree's size
/// to `size`), then through the groups usvg puts around the body (the view
/// box's scale), found by reading the header with one rectangle.
pub(super) fn body_transform(
    header: &str,
    size: (u32, u32),
    options: &usvg::Options<'_>,
) -> Option<Transform> {
    let probe = format!("{header}\n<rect width=\"1\" height=\"1\"/>\n</svg>\n");
    let tree = usvg::Tree::from_str(&probe, options).ok()?;
    let drawn = tree.size();
    let mut transform = Transform::from_scale(
        size.0 as f32 / drawn.width(),
        size.1 as f32 / drawn.height(),
    );
    let mut group = tree.root();
    loop {
        match group.children() {
            [usvg::Node::Group(inner)] => {
                transform = transform.pre_concat(inner.transform());
                group = inner;
            }
            [usvg::Node::Path(_)] => return Some(transform),
            _ => return None,
        }
    }
}

/// Draw `shapes` on `pixmap` with `transform` (from [`body_transform`]),
/// as resvg draws the paths usvg makes of them.
pub(super) fn draw(shapes: &[Shape], transform: Transform, pixmap: &mut PixmapMut<'_>) {
    for shape in shapes {
        match shape {
            Shape::Line {
                color,
                width,
                points,
            } => {
                // usvg skips a polyline of fewer than two points.
                if points.len() < 2 {
                    continue;
                }
                let has_vertical = points.windows(2).any(|pair| pair[0].0 == pair[1].0);
                if has_vertical && vertical_hairlines::full_coverage(*width, transform) {
                    // A hairline's segments are drawn one after another with
                    // nothing joining them: each vertical one directly, the
                    // others as paths of their own (the same pixels).
                    for pair in points.windows(2) {
                        let (from, to) = (pair[0], pair[1]);
                        if !vertical_hairlines::draw(from, to, *width, *color, transform, pixmap) {
                            stroke(pair, *width, *color, transform, pixmap);
                        }
                    }
                    continue;
                }
                stroke(points, *width, *color, transform, pixmap);
            }
            Shape::Rect { color, rect } => {
                let [x, y, w, h] = *rect;
                // usvg skips a rectangle without area; resvg a fill without extent.
                if w <= 0.0 || h <= 0.0 {
                    continue;
                }
                let Some(path) = Rect::from_xywh(x, y, w, h).map(PathBuilder::from_rect) else {
                    continue;
                };
                pixmap.fill_path(&path, &paint(*color), FillRule::Winding, transform, None);
            }
        }
    }
}

/// Stroke the polyline through `points` as resvg strokes usvg's path of it.
pub(super) fn stroke(
    points: &[(f32, f32)],
    width: f32,
    color: [u8; 3],
    transform: Transform,
    pixmap: &mut PixmapMut<'_>,
) {
    let [first, rest @ ..] = points else {
        return;
    };
    let mut builder = PathBuilder::new();
    builder.move_to(first.0, first.1);
    for &(x, y) in rest {
        builder.line_to(x, y);
    }
    let Some(path) = builder.finish() else {
        return;
    };
    let stroke = Stroke {
        width,
        miter_limit: 4.0,
        line_cap: LineCap::Butt,
        line_join: LineJoin::Miter,
        dash: None,
    };
    pixmap.stroke_path(&path, &paint(color), &stroke, transform, None);
}

/// resvg's paint for an opaque colour: anti-aliased, source over.
fn paint(color: [u8; 3]) -> Paint<'static> {
    let mut paint = Paint::default();
    paint.set_color_rgba8(color[0], color[1], color[2], u8::MAX);
    paint.anti_alias = true;
    paint
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plotters_lines_and_rectangles_are_read() {
        let body = "<polyline fill=\"none\" opacity=\"1\" stroke=\"#D55E00\" stroke-width=\"8\" points=\"235,2206 3688,-13 \"/>\n\
                    <rect x=\"10\" y=\"-20\" width=\"30\" height=\"40\" opacity=\"1\" fill=\"#ffffff\" stroke=\"none\"/>\n";
        assert_eq!(
            runs(body),
            vec![Run::Direct(vec![
                Shape::Line {
                    color: [0xD5, 0x5E, 0x00],
                    width: 8.0,
                    points: vec![(235.0, 2206.0), (3688.0, -13.0)],
                },
                Shape::Rect {
                    color: [255, 255, 255],
                    rect: [10.0, -20.0, 30.0, 40.0],
                },
            ])]
        );
    }

    /// Other elements and other attributes stay with usvg, in their place.
    #[test]
    fn anything_else_is_left_to_usvg_in_order() {
        let line = "<polyline fill=\"none\" opacity=\"1\" stroke=\"#000000\" stroke-width=\"4\" points=\"0,0 1,1 \"/>\n";
        let others = [
            "<circle cx=\"1\" cy=\"2\" r=\"3\" opacity=\"1\" fill=\"#FFFFFF\" stroke=\"none\" stroke-width=\"4\"/>\n",
            "<polyline fill=\"none\" opacity=\"0.5\" stroke=\"#000000\" stroke-width=\"4\" points=\"0,0 1,1 \"/>\n",
            "<polyline fill=\"none\" opacity=\"1\" stroke=\"#000000\" stroke-width=\"4\" stroke-dasharray=\"2\" points=\"0,0 1,1 \"/>\n",
            "<polyline fill=\"none\" opacity=\"1\" stroke=\"#000000\" stroke-width=\"1.5\" points=\"0,0 1,1 \"/>\n",
            "<polyline fill=\"none\" opacity=\"1\" stroke=\"#000000\" stroke-width=\"4\" points=\"0.5,0 1,1 \"/>\n",
            "<polyline fill=\"none\" opacity=\"1\" stroke=\"#00000G\" stroke-width=\"4\" points=\"0,0 1,1 \"/>\n",
            "<rect x=\"1\" y=\"2\" width=\"3\" height=\"4\" opacity=\"1\" fill=\"#000000\" stroke=\"#000000\"/>\n",
            "<rect x=\"1\" y=\"2\" width=\"3\" height=\"4\" opacity=\"0.2\" fill=\"#000000\" stroke=\"none\"/>\n",
            "<path d=\"M0 0L1 1\"/>\n",
        ];
        for other in others {
            let body = format!("{line}{other}{line}");
            let got = runs(&body);
            assert_eq!(got.len(), 3, "{other}");
            assert_eq!(got[1], Run::Svg(other), "{other}");
            assert!(matches!(&got[0], Run::Direct(s) if s.len() == 1));
            assert!(matches!(&got[2], Run::Direct(s) if s.len() == 1));
        }
        assert_eq!(runs(""), vec![]);
        assert_eq!(runs("\n"), vec![]);
    }
}
