//! PNG from the SVG already drawn: resvg rasterises it at the final size with
//! anti-aliasing, with the embedded DejaVu Sans as its only font, so the PNG
//! is the same picture as the SVG (the SVG's `sans-serif` text is set in
//! DejaVu Sans, as the bitmap backend did) and nothing depends on system fonts.

use std::borrow::Cow;
use std::cell::RefCell;

use resvg::tiny_skia::{PixmapMut, Transform};
use resvg::usvg;

use super::canvas::Canvas;
use super::raster_fonts::{fonts, layout_fonts};
use super::{direct_shapes, text_stamps};

/// The least a drawing thread's canvas reserves (address space; a page
/// costs memory only once drawn on). Why: a canvas that grows is mapped
/// anew and its pages zeroed again by the kernel, and a thread that drew a
/// small figure first used to do that for the article's tall one; 32 MiB
/// holds a figure of 8 million pixels, far more than the default sizes.
const RESERVED_CANVAS: usize = 32 << 20;

thread_local! {
    /// Each drawing thread's RGBA canvas, kept from one figure to the next: a
    /// fresh multi-megabyte buffer per figure cost more in page faults (the
    /// kernel zeroing new pages) than drawing into it (see [`Canvas`]).
    static CANVAS: RefCell<Option<Canvas>> = const { RefCell::new(None) };
}

/// usvg's options for laying out labels (see [`layout_fonts`]).
fn layout_options() -> usvg::Options<'static> {
    usvg::Options {
        fontdb: layout_fonts(),
        ..usvg::Options::default()
    }
}

/// Rasterise `svg` at `size` (the SVG's own aspect ratio) onto white and hand
/// the premultiplied RGBA pixels, opaque, to `use_pixels` (they live in a
/// buffer the next figure reuses).
pub(super) fn rasterise<T>(
    svg: &str,
    size: (u32, u32),
    use_pixels: impl FnOnce(&[u8]) -> Result<T, String>,
) -> Result<T, String> {
    rasterise_with(svg, size, Direct::Yes, use_pixels)
}

/// Whether plotters' lines and rectangles are drawn without usvg (see
/// [`direct_shapes`]); tests compare with `No`, everything through usvg.
#[derive(Clone, Copy, PartialEq)]
enum Direct {
    Yes,
    #[cfg_attr(not(test), allow(dead_code))]
    No,
}

/// [`rasterise`], drawing lines and rectangles directly or not.
fn rasterise_with<T>(
    svg: &str,
    size: (u32, u32),
    direct: Direct,
    use_pixels: impl FnOnce(&[u8]) -> Result<T, String>,
) -> Result<T, String> {
    let options = usvg::Options {
        fontdb: fonts(),
        ..usvg::Options::default()
    };
    let svg = without_white_background(svg);
    let pieces = pieces(&svg, size, &options, direct)?;
    let labels: Vec<_> = pieces
        .iter()
        .filter_map(|piece| match piece {
            Piece::Text(label, _) => Some(label),
            Piece::Shapes(_) | Piece::Direct(..) => None,
        })
        .collect();
    let stamps = match pieces.iter().find_map(|piece| match piece {
        Piece::Text(_, scale) => Some(*scale),
        Piece::Shapes(_) | Piece::Direct(..) => None,
    }) {
        Some(scale) => text_stamps::stamps_for(&labels, scale, &options, &layout_options())?,
        None => Vec::new(),
    };
    let too_big = || format!("cannot allocate a {}×{} image", size.0, size.1);
    let pixels = (size.0 as usize)
        .checked_mul(size.1 as usize)
        .ok_or_else(too_big)?;
    let bytes = pixels.checked_mul(4).ok_or_else(too_big)?;
    CANVAS.with_borrow_mut(|canvas| {
        if canvas.as_ref().is_none_or(|c| c.capacity() < bytes) {
            // The old canvas goes first: two large ones need not coexist.
            *canvas = None;
            *canvas = Some(Canvas::new(bytes.max(RESERVED_CANVAS)).map_err(|_| too_big())?);
        }
        let rgba = canvas
            .as_mut()
            .map(|c| c.bytes(bytes))
            .ok_or_else(too_big)?;
        // Whatever the last figure left is painted over with white: opaque
        // white is 255 in every byte, so one memset (the SVG's own white
        // background is left out of the tree, see `without_white_background`).
        rgba.fill(u8::MAX);
        let mut stamps = stamps.iter();
        for piece in &pieces {
            match piece {
                Piece::Shapes(tree) => {
                    let mut pixmap =
                        PixmapMut::from_bytes(rgba, size.0, size.1).ok_or_else(too_big)?;
                    let drawn = tree.size();
                    let transform = Transform::from_scale(
                        size.0 as f32 / drawn.width(),
                        size.1 as f32 / drawn.height(),
                    );
                    resvg::render(tree, transform, &mut pixmap);
                }
                Piece::Direct(shapes, transform) => {
                    let mut pixmap =
                        PixmapMut::from_bytes(rgba, size.0, size.1).ok_or_else(too_big)?;
                    direct_shapes::draw(shapes, *transform, &mut pixmap);
                }
                Piece::Text(label, scale) => {
                    if let Some(Some(stamp)) = stamps.next() {
                        text_stamps::draw(label, *scale, stamp, rgba, size.0 as usize);
                    }
                }
            }
        }
        use_pixels(rgba)
    })
}

/// What [`rasterise`] draws, in order: trees of shapes, lines and
/// rectangles drawn directly (with resvg's transform for them), and labels
/// (with the scale from the SVG's user units to pixels) drawn from stamps.
enum Piece<'a> {
    Shapes(Box<usvg::Tree>),
    Direct(Vec<direct_shapes::Shape>, Transform),
    Text(text_stamps::Label<'a>, (f32, f32)),
}

/// `svg` read into pieces: the runs of shapes between labels, each a tree
/// with the SVG's header or, for plotters' lines and rectangles, shapes
/// drawn directly (see [`direct_shapes`]), and the labels (see
/// [`text_stamps`]); or, when its text is not plotters' or its view box is
/// not read, one tree of the whole.
fn pieces<'a>(
    svg: &'a str,
    size: (u32, u32),
    options: &usvg::Options<'_>,
    direct: Direct,
) -> Result<Vec<Piece<'a>>, String> {
    let tree = |source: &str| {
        usvg::Tree::from_str(source, options)
            .map(|tree| Piece::Shapes(Box::new(tree)))
            .map_err(|e| format!("reading SVG: {e}"))
    };
    let Some((header, body, scale)) = svg.split_once('\n').and_then(|(header, rest)| {
        let body = rest.strip_suffix("</svg>\n")?;
        let (width, height) = view_box(header)?;
        let (width, height) = (width.parse::<f32>().ok()?, height.parse::<f32>().ok()?);
        let scale = (size.0 as f32 / width, size.1 as f32 / height);
        Some((header, body, scale))
    }) else {
        return Ok(vec![tree(svg)?]);
    };
    let Some(parts) = text_stamps::split(body) else {
        return Ok(vec![tree(svg)?]);
    };
    // resvg's transform for the body, when lines and rectangles are drawn directly.
    let transform = match direct {
        Direct::Yes => direct_shapes::body_transform(header, size, options),
        Direct::No => None,
    };
    let mut pieces = Vec::new();
    for part in parts {
        match part {
            text_stamps::Part::Shapes(shapes) => match transform {
                Some(transform) => {
                    for run in direct_shapes::runs(shapes) {
                        pieces.push(match run {
                            direct_shapes::Run::Direct(list) => Piece::Direct(list, transform),
                            direct_shapes::Run::Svg(other) => {
                                tree(&format!("{header}\n{other}</svg>\n"))?
                            }
                        });
                    }
                }
                None => pieces.push(tree(&format!("{header}\n{shapes}</svg>\n"))?),
            },
            text_stamps::Part::Text(label) => pieces.push(Piece::Text(label, scale)),
        }
    }
    Ok(pieces)
}

/// The width and height, as written, of the view box of an SVG header
/// `<svg … viewBox="0 0 W H" …>`.
fn view_box(header: &str) -> Option<(&str, &str)> {
    header
        .split_once(" viewBox=\"0 0 ")
        .and_then(|(_, after)| after.split_once('"'))
        .and_then(|(size, _)| size.split_once(' '))
}

/// `svg` without its first element when that is the opaque white rectangle
/// over the whole view box that plotters draws first (`root.fill(&WHITE)`):
/// on a canvas already white it changes no pixel, and painting it cost a
/// pass over every pixel. Anything else comes back as it is.
fn without_white_background(svg: &str) -> Cow<'_, str> {
    let unchanged = Cow::Borrowed(svg);
    let Some((header, rest)) = svg.split_once('\n') else {
        return unchanged;
    };
    let Some(view_box) = view_box(header) else {
        return unchanged;
    };
    let background = format!(
        "<rect x=\"0\" y=\"0\" width=\"{}\" height=\"{}\" opacity=\"1\" fill=\"#FFFFFF\" stroke=\"none\"/>\n",
        view_box.0, view_box.1
    );
    match rest.strip_prefix(&background) {
        Some(drawing) => Cow::Owned(format!("{header}\n{drawing}")),
        None => unchanged,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `svg` rasterised as one usvg tree, text and all (the way every PNG
    /// was drawn before labels were stamped): opaque RGBA.
    fn whole_tree(svg: &str, size: (u32, u32)) -> Vec<u8> {
        let options = usvg::Options {
            fontdb: fonts(),
            ..usvg::Options::default()
        };
        let tree = usvg::Tree::from_str(svg, &options).unwrap();
        let mut pixmap = resvg::tiny_skia::Pixmap::new(size.0, size.1).unwrap();
        pixmap.fill(resvg::tiny_skia::Color::WHITE);
        let drawn = tree.size();
        let transform = Transform::from_scale(
            size.0 as f32 / drawn.width(),
            size.1 as f32 / drawn.height(),
        );
        resvg::render(&tree, transform, &mut pixmap.as_mut());
        pixmap.take()
    }

    /// The grey level (mean of R, G, B) of each `block`×`block` square.
    fn block_means(rgba: &[u8], size: (u32, u32), block: usize) -> Vec<f64> {
        let (w, h) = (size.0 as usize, size.1 as usize);
        let mut means = Vec::new();
        for by in (0..h - block + 1).step_by(block) {
            for bx in (0..w - block + 1).step_by(block) {
                let mut sum = 0u32;
                for y in by..by + block {
                    for x in bx..bx + block {
                        let p = &rgba[(y * w + x) * 4..][..3];
                        sum += p.iter().map(|&v| u32::from(v)).sum::<u32>();
                    }
                }
                means.push(f64::from(sum) / (3 * block * block) as f64);
            }
        }
        means
    }

    /// Labels from stamps and glyph masks are the labels resvg draws, each
    /// moved by less than a pixel: the same bytes whether the stamps were
    /// made by this call or an earlier one, few pixels differ from the
    /// whole-tree rendering, and no 8×8 square's mean grey differs by more
    /// than a sub-pixel shift of a glyph edge can explain (a label missing,
    /// doubled or misplaced by a pixel or more changes some square by far
    /// more). At scale 1.5 the anchors fall between pixels.
    #[test]
    fn stamped_labels_are_resvgs_labels_within_a_pixel() {
        use crate::plot::{draw_svg, figure_size, test_figures::grid_figure};
        let figure = grid_figure();
        let svg = draw_svg(&figure).unwrap();
        assert!(svg.matches("<text").count() > 40);
        for scale in [1.0, 1.5] {
            let size = figure_size(&figure, scale);
            let cold = rasterise(&svg, size, |p| Ok(p.to_vec())).unwrap();
            let warm = rasterise(&svg, size, |p| Ok(p.to_vec())).unwrap();
            assert!(cold == warm, "stamps made anew and reused differ");
            let reference = whole_tree(&svg, size);
            let pixels = cold.len() / 4;
            let differing = cold
                .chunks_exact(4)
                .zip(reference.chunks_exact(4))
                .filter(|(a, b)| a != b)
                .count();
            assert!(
                differing * 50 < pixels,
                "{differing} of {pixels} pixels differ"
            );
            let worst = block_means(&cold, size, 8)
                .iter()
                .zip(block_means(&reference, size, 8))
                .map(|(a, b)| (a - b).abs())
                .fold(0.0, f64::max);
            assert!(worst < 24.0, "an 8×8 square differs by {worst} grey levels");
        }
    }

    /// Lines and rectangles drawn directly are resvg's pixels byte for byte
    /// (curves, grid, bars, legend boxes, markers left to usvg between
    /// them), also at scales where their edges fall between pixels.
    #[test]
    fn direct_lines_and_rectangles_are_resvgs_pixels() {
        use crate::plot::test_figures::{bars_panel, figure, grid_figure, huber_panel};
        use crate::plot::{draw_svg, figure_size};
        let figures = [
            grid_figure(),
            figure(
                "bars",
                "Bars and a curve",
                2,
                vec![bars_panel(), huber_panel()],
            ),
        ];
        let options = usvg::Options {
            fontdb: fonts(),
            ..usvg::Options::default()
        };
        for figure in &figures {
            let svg = draw_svg(figure).unwrap();
            for scale in [1.0, 1.5, 0.7] {
                let size = figure_size(figure, scale);
                let drawn = without_white_background(&svg);
                let pieces = pieces(&drawn, size, &options, Direct::Yes).unwrap();
                let direct = pieces
                    .iter()
                    .filter_map(|piece| match piece {
                        Piece::Direct(shapes, _) => Some(shapes.len()),
                        _ => None,
                    })
                    .sum::<usize>();
                assert!(direct > 20, "{} shapes drawn directly", direct);
                let fast = rasterise_with(&svg, size, Direct::Yes, |p| Ok(p.to_vec())).unwrap();
                let slow = rasterise_with(&svg, size, Direct::No, |p| Ok(p.to_vec())).unwrap();
                let differing = fast.iter().zip(&slow).filter(|(a, b)| a != b).count();
                assert_eq!(differing, 0, "{} at scale {scale}", figure.name);
            }
        }
    }

    /// The same check's converse: a label left out is seen.
    #[test]
    fn a_missing_label_is_seen_by_the_block_means() {
        use crate::plot::{draw_svg, figure_size, test_figures::grid_figure};
        let figure = grid_figure();
        let svg = draw_svg(&figure).unwrap();
        let size = figure_size(&figure, 1.0);
        let start = svg.find("<text").unwrap();
        let end = start + svg[start..].find("</text>\n").unwrap() + "</text>\n".len();
        let without = format!("{}{}", &svg[..start], &svg[end..]);
        let drawn = rasterise(&without, size, |p| Ok(p.to_vec())).unwrap();
        let worst = block_means(&drawn, size, 8)
            .iter()
            .zip(block_means(&whole_tree(&svg, size), size, 8))
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f64::max);
        assert!(worst >= 24.0, "{worst}");
    }

    #[test]
    fn only_the_full_white_background_is_left_out() {
        let header = "<svg width=\"10\" height=\"5\" viewBox=\"0 0 40 20\" xmlns=\"http://www.w3.org/2000/svg\">";
        let rect = |w: u32, fill: &str| {
            format!("<rect x=\"0\" y=\"0\" width=\"{w}\" height=\"20\" opacity=\"1\" fill=\"{fill}\" stroke=\"none\"/>")
        };
        let body = "<text x=\"1\" y=\"2\">a</text>\n</svg>\n";
        let svg = format!("{header}\n{}\n{body}", rect(40, "#FFFFFF"));
        assert_eq!(without_white_background(&svg), format!("{header}\n{body}"));
        // A partial or coloured rectangle is part of the picture.
        for other in [rect(39, "#FFFFFF"), rect(40, "#FFFFFE")] {
            let svg = format!("{header}\n{other}\n{body}");
            assert_eq!(without_white_background(&svg), svg);
        }
        assert_eq!(without_white_background("<svg/>"), "<svg/>");
    }
}
