//! The embedded font and the text styles every figure uses.
//!
//! plotters' `ab_glyph` backend knows no font until one is registered; the
//! bytes come from the `dejavu` crate so nothing depends on system fonts or
//! fontconfig.

use std::sync::OnceLock;

use plotters::style::text_anchor::Pos;
use plotters::style::{register_font, FontDesc, FontFamily, FontStyle, RGBColor, TextStyle};

/// The family name the SVG writes (`FontFamily::SansSerif`); browsers
/// substitute their own sans-serif.
const FAMILY: &str = "sans-serif";

/// plotters writes `font-size = size / 1.24` into SVG and scales glyphs about
/// the same way for bitmaps, so a request of `px * 1.24` gives text `px` high
/// in CSS terms (the unit the readability rules are stated in).
const PLOTTERS_SIZE_PER_CSS_PX: f64 = 1.24;

/// Text sizes in CSS px at scale 1, chosen for a projector.
pub const TICK_PX: f64 = 15.0;
pub const AXIS_LABEL_PX: f64 = 17.0;
pub const LEGEND_PX: f64 = 16.0;
pub const PANEL_TITLE_PX: f64 = 19.0;
pub const FIGURE_TITLE_PX: f64 = 21.0;

/// Register DejaVu Sans (regular and bold) once per process.
pub fn ensure_registered() -> Result<(), String> {
    static REGISTERED: OnceLock<Result<(), String>> = OnceLock::new();
    REGISTERED
        .get_or_init(|| {
            register_font(FAMILY, FontStyle::Normal, dejavu::sans::regular())
                .map_err(|_| "embedded DejaVu Sans regular is not a valid font".to_string())?;
            register_font(FAMILY, FontStyle::Bold, dejavu::sans::bold())
                .map_err(|_| "embedded DejaVu Sans bold is not a valid font".to_string())
        })
        .clone()
}

/// The font for text `css_px` CSS pixels high at scale 1, multiplied by `scale`.
/// Call [`ensure_registered`] first: plotters loads the glyphs here.
pub fn font(css_px: f64, scale: f64, bold: bool) -> FontDesc<'static> {
    let style = if bold {
        FontStyle::Bold
    } else {
        FontStyle::Normal
    };
    FontDesc::new(
        FontFamily::SansSerif,
        css_px * scale * PLOTTERS_SIZE_PER_CSS_PX,
        style,
    )
}

/// A text style: `font` in `color`, anchored at `anchor`.
pub fn text_style(font: &FontDesc<'static>, color: RGBColor, anchor: Pos) -> TextStyle<'static> {
    font.color(&color).pos(anchor)
}

/// Width and height in pixels of `text` set in `font` (unrotated).
pub fn text_size(font: &FontDesc<'static>, text: &str) -> Result<(f64, f64), String> {
    let ((x0, y0), (x1, y1)) = font
        .layout_box(text)
        .map_err(|e| format!("cannot lay out text `{text}`: {e}"))?;
    Ok((f64::from(x1 - x0), f64::from(y1 - y0)))
}
