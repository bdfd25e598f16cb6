//! Glyph coverage masks, each scan-converted once per process, and the
//! source-over compositing of masks and stamps onto the canvas.
//!
//! Why: tiny-skia's anti-aliased fill of a label costs about 0.5 M
//! instructions (4× supersampled scan conversion, then a raster pipeline
//! run per span), however often the same glyphs recur. The article's labels
//! are built from a few dozen glyphs at four sizes; with the glyph's origin
//! on the nearest quarter pixel (as Skia places glyphs; it moves a glyph by
//! at most 1/8 pixel) each glyph at each size and phase is scan-converted by
//! tiny-skia once, then blended where it is needed.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use resvg::tiny_skia::{FillRule, Mask, PathBuilder, Transform};
use resvg::usvg::fontdb::{Database, ID};

/// Sub-pixel positions per pixel, in each direction.
pub(super) const PHASES: f32 = 4.0;

/// A glyph's anti-aliased coverage (0–255), `width` bytes a row, whose
/// top-left pixel lies `offset` pixels from the pixel of the glyph's origin.
pub(super) struct GlyphMask {
    coverage: Vec<u8>,
    width: usize,
    height: usize,
    pub offset: (i32, i32),
}

/// A mask's key: font, glyph, pixels per font unit (x, y, as bits), phase
/// of the origin in quarter pixels (x, y).
type Key = (ID, u16, u32, u32, u8, u8);

/// Masks made so far (`None`: the glyph has no outline, a space).
type Masks = HashMap<Key, Option<Arc<GlyphMask>>>;

/// Beyond this many masks (a long `--watch` session) the cache starts
/// afresh: it only saves time.
const MAX_MASKS: usize = 16384;

/// The mask of glyph `glyph` of `font` scaled by `scale` pixels per font
/// unit (y negative: font outlines point up) with its origin `phase`
/// quarter pixels right of and below a pixel corner. `None` when the font
/// is not in `fonts` or the glyph id does not fit a TrueType id (the label
/// is then drawn whole); `Some(None)` for a glyph without an outline.
pub(super) fn mask(
    fonts: &Database,
    font: ID,
    glyph: u32,
    scale: (f32, f32),
    phase: (u8, u8),
) -> Option<Option<Arc<GlyphMask>>> {
    static MASKS: OnceLock<Mutex<Masks>> = OnceLock::new();
    let masks = MASKS.get_or_init(Mutex::default);
    let glyph = u16::try_from(glyph).ok()?;
    let key = (
        font,
        glyph,
        scale.0.to_bits(),
        scale.1.to_bits(),
        phase.0,
        phase.1,
    );
    if let Some(made) = masks.lock().ok()?.get(&key) {
        return Some(made.clone());
    }
    // Made outside the lock: two threads may make the same mask, which is
    // the same bytes either way.
    let made = make(fonts, font, glyph, scale, phase)?.map(Arc::new);
    let mut cache = masks.lock().ok()?;
    if cache.len() >= MAX_MASKS {
        cache.clear();
    }
    cache.insert(key, made.clone());
    Some(made)
}

fn make(
    fonts: &Database,
    font: ID,
    glyph: u16,
    scale: (f32, f32),
    phase: (u8, u8),
) -> Option<Option<GlyphMask>> {
    let outline = fonts.with_face_data(font, |data, index| {
        let face = ttf_parser::Face::parse(data, index).ok()?;
        let mut outline = Outline(PathBuilder::new());
        face.outline_glyph(ttf_parser::GlyphId(glyph), &mut outline)?;
        outline.0.finish()
    })?;
    let Some(outline) = outline else {
        return Some(None);
    };
    let origin = (f32::from(phase.0) / PHASES, f32::from(phase.1) / PHASES);
    let bounds = outline.bounds();
    let xs = [bounds.left() * scale.0, bounds.right() * scale.0];
    let ys = [bounds.top() * scale.1, bounds.bottom() * scale.1];
    // One pixel of margin each side for anti-aliasing.
    let left = (origin.0 + xs[0].min(xs[1])).floor() as i32 - 1;
    let right = (origin.0 + xs[0].max(xs[1])).ceil() as i32 + 1;
    let top = (origin.1 + ys[0].min(ys[1])).floor() as i32 - 1;
    let bottom = (origin.1 + ys[0].max(ys[1])).ceil() as i32 + 1;
    let (width, height) = (
        u32::try_from(right - left).ok()?,
        u32::try_from(bottom - top).ok()?,
    );
    let mut mask = Mask::new(width, height)?;
    let transform = Transform::from_row(
        scale.0,
        0.0,
        0.0,
        scale.1,
        origin.0 - left as f32,
        origin.1 - top as f32,
    );
    mask.fill_path(&outline, FillRule::Winding, true, transform);
    Some(Some(GlyphMask {
        coverage: mask.take(),
        width: width as usize,
        height: height as usize,
        offset: (left, top),
    }))
}

/// A glyph outline as a tiny-skia path (font units, y up).
struct Outline(PathBuilder);

impl ttf_parser::OutlineBuilder for Outline {
    fn move_to(&mut self, x: f32, y: f32) {
        self.0.move_to(x, y);
    }
    fn line_to(&mut self, x: f32, y: f32) {
        self.0.line_to(x, y);
    }
    fn quad_to(&mut self, x1: f32, y1: f32, x: f32, y: f32) {
        self.0.quad_to(x1, y1, x, y);
    }
    fn curve_to(&mut self, x1: f32, y1: f32, x2: f32, y2: f32, x: f32, y: f32) {
        self.0.cubic_to(x1, y1, x2, y2, x, y);
    }
    fn close(&mut self) {
        self.0.close();
    }
}

/// Blend `mask` in `color` (premultiplied RGBA) over `canvas` with its
/// top-left pixel at `at`.
///
/// The source pixel is `color · coverage / 255`, blended source over as
/// [`composite`] blends; pixels of zero coverage (a mask's margins and the
/// space between strokes, most of it) are skipped without computing it, and
/// full coverage of an opaque colour is the colour itself (`div255(255·c)`
/// is `c`, and nothing of the canvas is kept).
pub(super) fn draw_mask(
    mask: &GlyphMask,
    at: (i32, i32),
    color: [u8; 4],
    canvas: &mut [u8],
    width: usize,
) {
    let size = (mask.width, mask.height);
    for_each_row(canvas, width, at, size, |row, columns, line| {
        let coverage = &mask.coverage[row * mask.width..][columns];
        for (&m, d) in coverage.iter().zip(line.chunks_exact_mut(4)) {
            match m {
                0 => {}
                u8::MAX if color[3] == u8::MAX => d.copy_from_slice(&color),
                m => blend(d, color.map(|c| div255(u16::from(m) * u16::from(c)))),
            }
        }
    });
}

/// Source over, `d = s + d·(255 − αs)/255` rounded, of a `size` image of
/// premultiplied RGBA pixels (`source(i)` for the `i`-th, row by row) onto
/// `canvas` (premultiplied RGBA, `width` pixels a row) with its top-left
/// pixel at `at`, clipped to the canvas.
pub(super) fn composite(
    canvas: &mut [u8],
    width: usize,
    at: (i32, i32),
    size: (usize, usize),
    source: impl Fn(usize) -> [u8; 4],
) {
    for_each_row(canvas, width, at, size, |row, columns, line| {
        for (column, d) in columns.zip(line.chunks_exact_mut(4)) {
            blend(d, source(row * size.0 + column));
        }
    });
}

/// One pixel `s` source over the canvas pixel `d` (premultiplied RGBA).
fn blend(d: &mut [u8], s: [u8; 4]) {
    if s[3] == 0 {
        return;
    }
    let keep = 255 - u16::from(s[3]);
    for (d, s) in d.iter_mut().zip(s) {
        *d = s.saturating_add(div255(u16::from(*d) * keep));
    }
}

/// For each row of a `size` image placed at `at` on `canvas` (RGBA, `width`
/// pixels a row) that falls on the canvas: the image's row, its columns on
/// the canvas, and the canvas pixels under them.
fn for_each_row(
    canvas: &mut [u8],
    width: usize,
    at: (i32, i32),
    size: (usize, usize),
    mut each: impl FnMut(usize, std::ops::Range<usize>, &mut [u8]),
) {
    let height = canvas.len() / 4 / width.max(1);
    let columns = clip(at.0, size.0, width);
    let rows = clip(at.1, size.1, height);
    let Some(x) = columns.clone().next().map(|c| (at.0 + c as i32) as usize) else {
        return;
    };
    for row in rows {
        let y = (at.1 + row as i32) as usize;
        let line = &mut canvas[(y * width + x) * 4..][..columns.len() * 4];
        each(row, columns.clone(), line);
    }
}

/// The indices `0..len` of an image placed at `at` that fall in `0..limit`.
fn clip(at: i32, len: usize, limit: usize) -> std::ops::Range<usize> {
    let start = (-i64::from(at)).clamp(0, len as i64) as usize;
    let end = (limit as i64 - i64::from(at)).clamp(0, len as i64) as usize;
    start..end.max(start)
}

/// `v / 255` rounded to nearest, for `v` ≤ 255².
pub(super) fn div255(v: u16) -> u8 {
    let v = u32::from(v) + 128;
    ((v + (v >> 8)) >> 8) as u8
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn div255_rounds_to_nearest() {
        for v in 0..=255u16 * 255 {
            let exact = (f64::from(v) / 255.0).round() as u8;
            assert_eq!(div255(v), exact, "{v}");
        }
    }

    /// Drawing a mask is compositing its pixels, `color · coverage / 255`:
    /// for every coverage, opaque and translucent colours, clipped or not.
    #[test]
    fn masks_draw_as_their_pixels_composite() {
        let (width, height) = (7, 5);
        let coverage: Vec<u8> = (0..=255).chain([0, 255, 255, 0]).collect();
        let mask = GlyphMask {
            width: 20,
            height: 13,
            coverage,
            offset: (0, 0),
        };
        let canvas: Vec<u8> = (0..width * height * 4)
            .map(|i| (i * 53 % 256) as u8)
            .collect();
        for color in [
            [20, 40, 60, 255],
            [255; 4],
            [0, 0, 0, 255],
            [10, 20, 30, 128],
            [0; 4],
        ] {
            for at in [(0, 0), (-3, -2), (-15, -9), (4, 1), (-18, -11)] {
                let mut drawn = canvas.clone();
                draw_mask(&mask, at, color, &mut drawn, width);
                let mut composited = canvas.clone();
                let source = |i: usize| {
                    let m = u16::from(mask.coverage[i]);
                    color.map(|c| div255(m * u16::from(c)))
                };
                composite(&mut composited, width, at, (20, 13), source);
                assert_eq!(drawn, composited, "{color:?} at {at:?}");
                if color[3] != 0 {
                    assert_ne!(drawn, canvas, "{color:?} at {at:?}");
                }
            }
        }
    }

    #[test]
    fn compositing_is_source_over_and_clipped() {
        // A 3×2 canvas of opaque white, a 2×2 image at (2, 1): one pixel lands.
        let mut canvas = vec![255u8; 3 * 2 * 4];
        let half_red = [128, 0, 0, 128];
        composite(&mut canvas, 3, (2, 1), (2, 2), |_| half_red);
        let landed = &canvas[(3 + 2) * 4..][..4];
        // 128 + 255·127/255 = 255 for red, 0 + 127 for green and blue.
        assert_eq!(landed, &[255, 127, 127, 255]);
        assert!(canvas[..(3 + 2) * 4].iter().all(|&b| b == 255));
        // Entirely off the canvas: nothing changes, nothing panics.
        let before = canvas.clone();
        for at in [(-5, 0), (3, 0), (0, 2), (0, -2), (i32::MIN, i32::MAX)] {
            composite(&mut canvas, 3, at, (2, 2), |_| half_red);
        }
        assert_eq!(canvas, before);
    }
}
