//! Text in the PNG: each distinct label laid out and rasterised once per
//! process (a "stamp"), then composited wherever the label appears.
//!
//! Why: usvg lays out every `<text>` element afresh (a new shaper, glyph
//! outlines, a path) and tiny-skia scan-converts its glyphs each time; the
//! article's ten figures hold 246 labels but only 133 distinct ones (tick
//! values such as `0`, `2`, `−1` and axis titles repeat), and text was about
//! a quarter of a render's instructions. A stamp is resvg's own rendering
//! of that one `<text>` element (same font database, same attributes, same
//! scale) on a transparent pixmap, so the picture is the same; it is placed
//! with its anchor on the nearest device pixel, which moves a label by at
//! most half a pixel (the usual baseline snapping of text renderers) and
//! makes a stamp independent of where the label sits, so it is reused.
//!
//! Only the `<text>` elements plotters' SVG backend writes are recognised
//! (see [`split`]); an SVG with any other kind of text is rasterised by usvg
//! as a whole, as before.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};

use resvg::tiny_skia::{Pixmap, Transform};
use resvg::usvg;
use resvg::usvg::fontdb::Database;

use super::glyph_masks::{self, div255, GlyphMask, PHASES};

/// A piece of the SVG's body, in drawing order.
#[derive(Debug, PartialEq)]
pub(super) enum Part<'a> {
    /// Consecutive elements other than text, as they are in the SVG.
    Shapes(&'a str),
    /// One `<text>` element.
    Text(Label<'a>),
}

/// One `<text>` element: its anchor and the element re-anchored at the
/// origin (the stamp's key and source).
#[derive(Debug, PartialEq)]
pub(super) struct Label<'a> {
    /// The anchor (`x`, `y`) in the SVG's user units.
    pub x: f32,
    pub y: f32,
    /// The attributes after `x` and `y`, without a `transform`.
    style: &'a str,
    /// The angle of a `rotate(angle, x, y)` about the anchor, if any.
    angle: Option<&'a str>,
    /// The element's content, escaped as in the SVG.
    content: &'a str,
}

impl Label<'_> {
    /// The element with its anchor at the origin (a rotation about the
    /// anchor becomes one about the origin), in a group named `id` if that
    /// is not empty: the same text, moved.
    fn at_origin(&self, id: &str) -> String {
        self.at_origin_with(id, "")
    }

    /// [`Label::at_origin`] with `extra` attributes after the label's own.
    fn at_origin_with(&self, id: &str, extra: &str) -> String {
        let rotate = self
            .angle
            .map(|a| format!(" transform=\"rotate({a})\""))
            .unwrap_or_default();
        let text = format!(
            "<text x=\"0\" y=\"0\"{}{extra}{rotate}>\n{}\n</text>",
            self.style, self.content
        );
        if id.is_empty() {
            text
        } else {
            // usvg keeps a group and its id whatever it holds.
            format!("<g id=\"{id}\">{text}</g>")
        }
    }

    /// Whether the label is unrotated and undecorated: one that can be laid
    /// out with the outline-free fonts.
    fn is_plain(&self) -> bool {
        self.angle.is_none() && !self.style.contains("text-decoration")
    }

    /// The pixel of the anchor at `scale`: the nearest one.
    fn pixel(&self, scale: (f32, f32)) -> (i32, i32) {
        (
            (self.x * scale.0).round() as i32,
            (self.y * scale.1).round() as i32,
        )
    }
}

/// The body of `svg` (between its first line, the `<svg>` header, and the
/// closing `</svg>`) cut into shapes and labels, or `None` when the SVG has
/// a `<text>` element of another form than plotters' (then it is drawn by
/// usvg whole).
///
/// plotters writes each label as
/// `<text x="X" y="Y" ATTRIBUTES>\nCONTENT\n</text>\n`, with integer X and
/// Y, the content escaped, and a rotation, if any, as a last attribute
/// `transform="rotate(A, X, Y)"` about the anchor.
pub(super) fn split(body: &str) -> Option<Vec<Part<'_>>> {
    let mut parts = Vec::new();
    let mut rest = body;
    while let Some(start) = rest.find("<text") {
        let shapes = &rest[..start];
        if !shapes.trim().is_empty() {
            parts.push(Part::Shapes(shapes));
        }
        let (label, after) = label(&rest[start..])?;
        parts.push(Part::Text(label));
        rest = after;
    }
    if !rest.trim().is_empty() {
        parts.push(Part::Shapes(rest));
    }
    Some(parts)
}

/// The label at the start of `element` and what follows it.
fn label(element: &str) -> Option<(Label<'_>, &str)> {
    let rest = element.strip_prefix("<text x=\"")?;
    let (x, rest) = rest.split_once("\" y=\"")?;
    let (y, rest) = rest.split_once('"')?;
    let (attributes, rest) = rest.split_once(">\n")?;
    let (content, rest) = rest.split_once("\n</text>")?;
    let rest = rest.strip_prefix('\n').unwrap_or(rest);
    if attributes.contains(['<', '>']) || content.contains('<') {
        return None;
    }
    let (style, angle) = match attributes.split_once(" transform=\"rotate(") {
        None => (attributes, None),
        Some((style, rotate)) => {
            let arguments = rotate.strip_suffix(")\"")?;
            let mut arguments = arguments.split(", ");
            let angle = arguments.next()?;
            // Only a rotation about the anchor moves with it.
            if arguments.next()? != x || arguments.next()? != y || arguments.next().is_some() {
                return None;
            }
            (style, Some(angle))
        }
    };
    if style.contains("transform") {
        return None;
    }
    let label = Label {
        x: x.parse::<i32>().ok()? as f32,
        y: y.parse::<i32>().ok()? as f32,
        style,
        angle,
        content,
    };
    Some((label, rest))
}

/// A label ready to composite at some scale.
pub(super) enum Stamp {
    /// Glyph masks in one colour (premultiplied RGBA at full coverage), each
    /// with its top-left pixel at an offset from the anchor's pixel: plain
    /// unrotated text filled with one colour.
    Glyphs {
        color: [u8; 4],
        glyphs: Vec<(Arc<GlyphMask>, (i32, i32))>,
    },
    /// The label rasterised whole by resvg (premultiplied RGBA on
    /// transparent), its top-left pixel at an offset from the anchor's
    /// pixel: rotated text, or text that is not plain.
    Image { pixmap: Pixmap, offset: (i32, i32) },
}

/// A stamp's key: the label at the origin (without id) and the scale (as bits).
type Key = (String, u32, u32);

/// Stamps made so far in this process (`None`: the label draws nothing).
type Stamps = HashMap<Key, Option<Arc<Stamp>>>;

/// More distinct labels than this (a long `--watch` session) and the cache
/// starts afresh: it only saves time, never changes a pixel.
const MAX_STAMPS: usize = 4096;

fn stamps() -> Result<MutexGuard<'static, Stamps>, String> {
    static STAMPS: OnceLock<Mutex<Stamps>> = OnceLock::new();
    STAMPS
        .get_or_init(Mutex::default)
        .lock()
        .map_err(|_| "a drawing thread failed".to_string())
}

/// The stamps of `labels` at `scale` (user units to pixels), in order
/// (`None`: the label draws nothing), with fonts from `options`.
///
/// The labels not yet stamped in this process are laid out together, in
/// one document (usvg keeps each glyph's outline for the whole document),
/// each as its own `<text>` element, then rasterised one by one. Plain
/// unrotated labels are laid out with `layout` (fonts without outlines,
/// see `raster_fonts::layout_fonts`) and drawn from glyph masks of the full fonts;
/// the others, and any plain label that cannot be drawn from masks, with
/// `options`.
pub(super) fn stamps_for(
    labels: &[&Label<'_>],
    scale: (f32, f32),
    options: &usvg::Options<'_>,
    layout: &usvg::Options<'_>,
) -> Result<Vec<Option<Arc<Stamp>>>, String> {
    let key = |label: &Label<'_>| (label.at_origin(""), scale.0.to_bits(), scale.1.to_bits());
    let keys: Vec<Key> = labels.iter().map(|label| key(label)).collect();
    let mut missing: Vec<(usize, &Key)> = Vec::new();
    {
        let cache = stamps()?;
        for (index, key) in keys.iter().enumerate() {
            if !cache.contains_key(key) && !missing.iter().any(|(_, k)| *k == key) {
                missing.push((index, key));
            }
        }
    }
    if !missing.is_empty() {
        // Made outside the lock: two threads may make the same stamp, which
        // is the same pixels either way.
        let (plain, mut other): (Vec<_>, Vec<_>) = missing
            .iter()
            .partition(|(index, _)| labels[*index].is_plain());
        let plain_labels: Vec<&Label<'_>> = plain.iter().map(|(i, _)| labels[*i]).collect();
        let mut made = Vec::new();
        for ((index, key), stamp) in
            plain
                .iter()
                .zip(laid_out(&plain_labels, scale, options, layout)?)
        {
            match stamp {
                Outcome::Made(stamp) => made.push((*key, stamp)),
                Outcome::Whole => other.push((*index, *key)),
            }
        }
        let other_labels: Vec<&Label<'_>> = other.iter().map(|(i, _)| labels[*i]).collect();
        for ((_, key), stamp) in other
            .iter()
            .zip(drawn_whole(&other_labels, scale, options)?)
        {
            made.push((*key, stamp));
        }
        let mut cache = stamps()?;
        if cache.len() + made.len() > MAX_STAMPS {
            cache.clear();
        }
        for (key, stamp) in made {
            cache.insert(key.clone(), stamp);
        }
    }
    let cache = stamps()?;
    Ok(keys
        .iter()
        .map(|key| cache.get(key).cloned().flatten())
        .collect())
}

/// What laying a plain label out with the outline-free fonts gave.
enum Outcome {
    /// Its stamp (`None`: it draws nothing).
    Made(Option<Arc<Stamp>>),
    /// It is not drawn from glyph masks: draw it whole with the full fonts.
    Whole,
}

/// The document holding `labels`, each at the origin in a group `s{n}`,
/// each with the attributes `extra` added.
fn document(labels: &[&Label<'_>], extra: &str) -> String {
    let mut document =
        String::from("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"1\" height=\"1\">\n");
    for (n, label) in labels.iter().enumerate() {
        document.push_str(&label.at_origin_with(&format!("s{n}"), extra));
        document.push('\n');
    }
    document.push_str("</svg>\n");
    document
}

/// Plain labels laid out with `layout`'s fonts (no outlines) and drawn from
/// glyph masks of `options`' fonts.
///
/// Each label is underlined in the document: usvg drops a text whose glyphs
/// have no outline and that draws nothing else, and the underline (a
/// rectangle it computes from the font's metrics) keeps it; the stamp
/// ignores it.
fn laid_out(
    labels: &[&Label<'_>],
    scale: (f32, f32),
    options: &usvg::Options<'_>,
    layout: &usvg::Options<'_>,
) -> Result<Vec<Outcome>, String> {
    if labels.is_empty() {
        return Ok(Vec::new());
    }
    let tree = usvg::Tree::from_str(&document(labels, UNDERLINE), layout)
        .map_err(|e| format!("reading SVG text: {e}"))?;
    Ok((0..labels.len())
        .map(|n| match tree.node_by_id(&format!("s{n}")) {
            // An empty group: the label lays out to nothing.
            Some(usvg::Node::Group(group)) if group.children().is_empty() => Outcome::Made(None),
            Some(node) => glyph_stamp(node, scale, &options.fontdb, Fonts::Layout)
                .map_or(Outcome::Whole, |stamp| Outcome::Made(Some(Arc::new(stamp)))),
            None => Outcome::Made(None),
        })
        .collect())
}

/// The attribute that keeps an outline-free label in usvg's tree (see [`laid_out`]).
const UNDERLINE: &str = " text-decoration=\"underline\"";

/// Labels laid out and drawn by usvg and resvg with `options`' fonts:
/// from glyph masks where they can be, else rasterised whole.
fn drawn_whole(
    labels: &[&Label<'_>],
    scale: (f32, f32),
    options: &usvg::Options<'_>,
) -> Result<Vec<Option<Arc<Stamp>>>, String> {
    if labels.is_empty() {
        return Ok(Vec::new());
    }
    let tree = usvg::Tree::from_str(&document(labels, ""), options)
        .map_err(|e| format!("reading SVG text: {e}"))?;
    Ok((0..labels.len())
        .map(|n| {
            tree.node_by_id(&format!("s{n}"))
                .and_then(|node| stamp(node, scale, &options.fontdb))
                .map(Arc::new)
        })
        .collect())
}

/// The stamp of a label's group `node` (the text anchored at the origin) at
/// `scale`, or `None` when it draws nothing.
fn stamp(node: &usvg::Node, scale: (f32, f32), fonts: &Database) -> Option<Stamp> {
    glyph_stamp(node, scale, fonts, Fonts::Full).or_else(|| image_stamp(node, scale))
}

/// Which fonts a label was laid out with.
#[derive(Clone, Copy, PartialEq)]
enum Fonts {
    /// The full fonts, whose ids are those of the database masks are made from.
    Full,
    /// The outline-free fonts (the document underlines every label).
    Layout,
}

/// The label as glyph masks, when it is unrotated text in one plain colour
/// without stroke or decoration (else `None`); the masks are made from
/// `fonts`, the full fonts.
fn glyph_stamp(
    node: &usvg::Node,
    scale: (f32, f32),
    fonts: &Database,
    laid_out_with: Fonts,
) -> Option<Stamp> {
    let usvg::Node::Group(group) = node else {
        return None;
    };
    // A rotated label's text sits in a group of its own, with the rotation.
    let [usvg::Node::Text(text)] = group.children() else {
        return None;
    };
    if !text.abs_transform().is_identity() {
        return None;
    }
    let mut color = None;
    let mut glyphs = Vec::new();
    for span in text.layouted() {
        let plain = span.visible
            && span.stroke.is_none()
            && (laid_out_with == Fonts::Layout || span.underline.is_none())
            && span.overline.is_none()
            && span.line_through.is_none();
        let fill = span.fill.as_ref().filter(|_| plain)?;
        let usvg::Paint::Color(c) = fill.paint() else {
            return None;
        };
        if fill.rule() != usvg::FillRule::NonZero {
            return None;
        }
        let alpha = (fill.opacity().get() * 255.0).round() as u16;
        let span_color = [c.red, c.green, c.blue]
            .map(|v| div255(u16::from(v) * alpha))
            .into_iter()
            .chain([alpha as u8]);
        let span_color: [u8; 4] = span_color.collect::<Vec<_>>().try_into().ok()?;
        if *color.get_or_insert(span_color) != span_color {
            return None;
        }
        for glyph in &span.positioned_glyphs {
            let t = glyph.outline_transform();
            if t.kx != 0.0 || t.ky != 0.0 {
                return None;
            }
            // The origin on the nearest quarter pixel: whole pixels and phase.
            let quarters = (
                (t.tx * scale.0 * PHASES).round(),
                (t.ty * scale.1 * PHASES).round(),
            );
            let pixel = ((quarters.0 / PHASES).floor(), (quarters.1 / PHASES).floor());
            let phase = (
                (quarters.0 - pixel.0 * PHASES) as u8,
                (quarters.1 - pixel.1 * PHASES) as u8,
            );
            let per_unit = (t.sx * scale.0, t.sy * scale.1);
            let font = match laid_out_with {
                Fonts::Full => glyph.font,
                Fonts::Layout => super::raster_fonts::full_face(glyph.font)?,
            };
            let mask = glyph_masks::mask(fonts, font, glyph.id.0, per_unit, phase)?;
            if let Some(mask) = mask {
                let at = (
                    pixel.0 as i32 + mask.offset.0,
                    pixel.1 as i32 + mask.offset.1,
                );
                glyphs.push((mask, at));
            }
        }
    }
    Some(Stamp::Glyphs {
        color: color?,
        glyphs,
    })
}

/// The label rasterised whole by resvg.
fn image_stamp(node: &usvg::Node, scale: (f32, f32)) -> Option<Stamp> {
    let bounds = node.abs_layer_bounding_box()?;
    // One pixel of margin each side for anti-aliasing.
    let left = (bounds.left() * scale.0).floor() as i32 - 1;
    let top = (bounds.top() * scale.1).floor() as i32 - 1;
    let right = (bounds.right() * scale.0).ceil() as i32 + 1;
    let bottom = (bounds.bottom() * scale.1).ceil() as i32 + 1;
    let mut pixmap = Pixmap::new(
        u32::try_from(right - left).ok()?,
        u32::try_from(bottom - top).ok()?,
    )?;
    // `render_node` draws the node's layer box from the transform's origin.
    let transform = Transform::from_row(
        scale.0,
        0.0,
        0.0,
        scale.1,
        bounds.left() * scale.0 - left as f32,
        bounds.top() * scale.1 - top as f32,
    );
    resvg::render_node(node, transform, &mut pixmap.as_mut())?;
    Some(Stamp::Image {
        pixmap,
        offset: (left, top),
    })
}

/// Composite `stamp` for `label` (at `scale`) over `canvas`, premultiplied
/// RGBA `width` pixels a row, source over, anchored at the label's pixel.
pub(super) fn draw(
    label: &Label<'_>,
    scale: (f32, f32),
    stamp: &Stamp,
    canvas: &mut [u8],
    width: usize,
) {
    let (x, y) = label.pixel(scale);
    match stamp {
        Stamp::Glyphs { color, glyphs } => {
            for (mask, offset) in glyphs {
                glyph_masks::draw_mask(mask, (x + offset.0, y + offset.1), *color, canvas, width);
            }
        }
        Stamp::Image { pixmap, offset } => {
            let source = pixmap.data();
            let size = (pixmap.width() as usize, pixmap.height() as usize);
            glyph_masks::composite(canvas, width, (x + offset.0, y + offset.1), size, |i| {
                [0, 1, 2, 3].map(|c| source[i * 4 + c])
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plotters_labels_are_cut_out_in_order() {
        let body = "<rect x=\"0\"/>\n<text x=\"12\" y=\"-40\" dy=\"0.5ex\" fill=\"#222222\">\na &lt; b\n</text>\n<polyline points=\"1,2\"/>\n<text x=\"5\" y=\"6\" font-size=\"68\" transform=\"rotate(270, 5, 6)\">\nloss L\n</text>\n";
        let parts = split(body).unwrap();
        assert_eq!(parts.len(), 4);
        assert_eq!(parts[0], Part::Shapes("<rect x=\"0\"/>\n"));
        let Part::Text(first) = &parts[1] else {
            panic!("{parts:?}")
        };
        assert_eq!((first.x, first.y), (12.0, -40.0));
        assert_eq!(
            first.at_origin(""),
            "<text x=\"0\" y=\"0\" dy=\"0.5ex\" fill=\"#222222\">\na &lt; b\n</text>"
        );
        assert_eq!(parts[2], Part::Shapes("<polyline points=\"1,2\"/>\n"));
        let Part::Text(second) = &parts[3] else {
            panic!("{parts:?}")
        };
        assert_eq!(
            second.at_origin(""),
            "<text x=\"0\" y=\"0\" font-size=\"68\" transform=\"rotate(270)\">\nloss L\n</text>"
        );
    }

    /// A plain label laid out with the outline-free fonts gets the stamp the
    /// full fonts give it: the same colour and the very same glyph masks at
    /// the same offsets; labels that are not plain are not laid out so.
    #[test]
    fn outline_free_layout_stamps_what_the_full_fonts_stamp() {
        use crate::plot::{draw_svg, test_figures::grid_figure};
        let svg = draw_svg(&grid_figure()).unwrap();
        let body = svg.split_once('\n').unwrap().1;
        let labels: Vec<Label<'_>> = split(body)
            .unwrap()
            .into_iter()
            .filter_map(|part| match part {
                Part::Text(label) => Some(label),
                Part::Shapes(_) => None,
            })
            .collect();
        let (plain, rotated): (Vec<&Label<'_>>, Vec<&Label<'_>>) =
            labels.iter().partition(|label| label.is_plain());
        assert!(plain.len() > 30 && !rotated.is_empty());
        let options = |fontdb| usvg::Options {
            fontdb,
            ..usvg::Options::default()
        };
        let (full, layout) = (
            options(crate::plot::raster_fonts::test_fonts().0),
            options(crate::plot::raster_fonts::test_fonts().1),
        );
        for scale in [(0.25, 0.25), (0.375, 0.375)] {
            let fast = laid_out(&plain, scale, &full, &layout).unwrap();
            let whole = drawn_whole(&plain, scale, &full).unwrap();
            assert_eq!(fast.len(), whole.len());
            let mut glyphs = 0;
            for (n, (fast, whole)) in fast.iter().zip(&whole).enumerate() {
                let Outcome::Made(fast) = fast else {
                    panic!("label {n} was not laid out");
                };
                match (fast.as_deref(), whole.as_deref()) {
                    (None, None) => {}
                    (
                        Some(Stamp::Glyphs {
                            color: c1,
                            glyphs: g1,
                        }),
                        Some(Stamp::Glyphs {
                            color: c2,
                            glyphs: g2,
                        }),
                    ) => {
                        assert_eq!(c1, c2, "label {n}");
                        assert_eq!(g1.len(), g2.len(), "label {n}");
                        for ((m1, at1), (m2, at2)) in g1.iter().zip(g2) {
                            assert!(Arc::ptr_eq(m1, m2) && at1 == at2, "label {n}");
                        }
                        glyphs += g1.len();
                    }
                    _ => panic!("label {n}: the stamps differ in kind"),
                }
            }
            assert!(glyphs > 100, "{glyphs}");
        }
    }

    #[test]
    fn other_text_is_left_to_usvg() {
        for body in [
            // A rotation about another point than the anchor.
            "<text x=\"5\" y=\"6\" transform=\"rotate(270, 5, 7)\">\nA\n</text>\n",
            // Another transform.
            "<text x=\"5\" y=\"6\" transform=\"scale(2)\">\nA\n</text>\n",
            // Markup inside, fractional or missing coordinates.
            "<text x=\"5\" y=\"6\">\n<tspan>A</tspan>\n</text>\n",
            "<text x=\"5.5\" y=\"6\">\nA\n</text>\n",
            "<text y=\"6\">\nA\n</text>\n",
            "<text x=\"5\" y=\"6\">A</text>\n",
        ] {
            assert_eq!(split(body), None, "{body}");
        }
        assert_eq!(split(""), Some(vec![]));
    }
}
