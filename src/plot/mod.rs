//! Draw stage: figures from [`crate::compute::FigureData`] to SVG and PNG bytes.
//!
//! Pure functions: they return bytes and never touch a file. plotters draws
//! the SVG (one drawing routine, generic over its `DrawingBackend`); the PNG
//! is that SVG rasterised by resvg at the final size with anti-aliasing. The
//! only font is DejaVu Sans embedded in the binary, so output is the same on
//! every machine and byte-identical between runs.

mod annotations;
mod axis_scale;
mod canvas;
mod cells;
mod direct_shapes;
mod font;
#[cfg(test)]
mod font_tables;
mod glyph_masks;
mod inline;
mod layout;
mod legend;
mod palette;
mod panel;
mod panel_layout;
mod png_encode;
mod raster;
mod raster_fonts;
mod series;
mod simplify;
mod style;
mod text_stamps;
mod ticks;
mod validate;
mod vertical_hairlines;

#[cfg(test)]
mod test_figures;
#[cfg(test)]
mod tests;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

pub use palette::{color_for, color_hex, panel_colors, Rgb, PALETTE};
pub use series::cut_polyline;

use crate::compute::FigureData;
use layout::Fonts;

/// Something went wrong while drawing (a plotters backend error, a bad range).
#[derive(Debug, thiserror::Error)]
#[error("figure `{figure}`: {message}")]
pub struct PlotError {
    pub figure: String,
    pub message: String,
}

impl PlotError {
    fn new(figure: &FigureData, message: impl Into<String>) -> Self {
        PlotError {
            figure: figure.name.clone(),
            message: message.into(),
        }
    }
}

/// plotters' SVG backend writes integer coordinates, which turns a dense
/// curve into a visible zigzag; drawing on a canvas this many times larger and
/// declaring the scale-1 size in the header gives quarter-pixel precision.
const SVG_DETAIL: u32 = 4;

/// Draw a figure as a standalone SVG document (at scale 1).
pub fn draw_svg(figure: &FigureData) -> Result<String, PlotError> {
    prepare(figure)?;
    let size = figure_size(figure, 1.0);
    let canvas = (
        size.0.saturating_mul(SVG_DETAIL),
        size.1.saturating_mul(SVG_DETAIL),
    );
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, canvas).into_drawing_area();
        draw_figure(&root, figure, canvas, f64::from(SVG_DETAIL))
            .map_err(|m| PlotError::new(figure, m))?;
        root.present()
            .map_err(|e| PlotError::new(figure, format!("writing SVG: {e}")))?;
    }
    // The viewBox keeps the canvas size; width and height become scale 1.
    let drawn = format!("<svg width=\"{}\" height=\"{}\" ", canvas.0, canvas.1);
    let shown = format!("<svg width=\"{}\" height=\"{}\" ", size.0, size.1);
    if !svg.starts_with(&drawn) {
        return Err(PlotError::new(
            figure,
            "unexpected SVG header from plotters",
        ));
    }
    Ok(svg.replacen(&drawn, &shown, 1))
}

/// The figure's SVG `document` (from [`draw_svg`]) as an `<svg>` element
/// ready for the report's page, named for screen readers by its alt text.
pub fn inline_svg(document: &str, figure: &FigureData) -> Result<String, PlotError> {
    inline::inline_element(document, figure.accessible_name())
        .map_err(|m| PlotError::new(figure, m))
}

/// Draw a figure as PNG bytes; `scale` multiplies the default pixel size (1.0 = default, at least 600 px wide).
pub fn draw_png(figure: &FigureData, scale: f64) -> Result<Vec<u8>, PlotError> {
    let svg = draw_svg(figure)?;
    png_from_svg(figure, &svg, scale)
}

/// The PNG of a figure from its SVG (as [`draw_svg`] made it): the same
/// picture, rasterised at the final size with anti-aliasing.
pub fn png_from_svg(figure: &FigureData, svg: &str, scale: f64) -> Result<Vec<u8>, PlotError> {
    validate::check_scale(scale).map_err(|m| PlotError::new(figure, m))?;
    let size = figure_size(figure, scale);
    validate::check_size(size, scale).map_err(|m| PlotError::new(figure, m))?;
    raster::rasterise(svg, size, |rgba| {
        png_encode::encode_opaque_rgba(rgba, size.0, size.1)
    })
    .map_err(|m| PlotError::new(figure, m))
}

/// Load the embedded fonts now (both the SVG's text measures and the PNG
/// rasteriser's font database; each is built once per process), so that a
/// caller can do it beside other work instead of in the first figure.
pub fn load_fonts() {
    // A font that fails to load is reported by the first figure that needs it.
    let _ = font::ensure_registered();
    raster_fonts::load_fonts();
}

/// Every check drawing makes before it starts (panels, ranges, the PNG's
/// pixel budget at `scale`), without drawing: `check` runs it, and `render`
/// runs it on every figure before drawing any.
pub fn check_drawable(figure: &FigureData, scale: f64) -> Result<(), PlotError> {
    validate::check_figure(figure).map_err(|m| PlotError::new(figure, m))?;
    validate::check_scale(scale).map_err(|m| PlotError::new(figure, m))?;
    validate::check_size(figure_size(figure, scale), scale).map_err(|m| PlotError::new(figure, m))
}

/// Validate and make sure the font is registered.
fn prepare(figure: &FigureData) -> Result<(), PlotError> {
    validate::check_figure(figure).map_err(|m| PlotError::new(figure, m))?;
    font::ensure_registered().map_err(|m| PlotError::new(figure, m))
}

fn figure_size(figure: &FigureData, scale: f64) -> (u32, u32) {
    let options = &figure.options;
    let (width, height) = layout::figure_size(
        figure.panels.len(),
        figure.columns,
        !figure.title.is_empty(),
        1.0,
    );
    let (width, height) = (f64::from(width), f64::from(height));
    // A given width or height is kept; the other follows the aspect ratio
    // (given, or the default size's).
    let aspect = options.aspect.unwrap_or(width / height);
    let (width, height) = match (options.width, options.height) {
        (Some(w), Some(h)) => (w, h),
        (Some(w), None) => (w, w / aspect),
        (None, Some(h)) => (h * aspect, h),
        (None, None) if options.aspect.is_some() => (width, width / aspect),
        (None, None) => {
            return layout::figure_size(
                figure.panels.len(),
                figure.columns,
                !figure.title.is_empty(),
                scale,
            )
        }
    };
    (
        (width * scale).round() as u32,
        (height * scale).round() as u32,
    )
}

/// Draw the whole figure on a canvas of `size` pixels at text/line scale `s`.
fn draw_figure<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    figure: &FigureData,
    size: (u32, u32),
    s: f64,
) -> Result<(), String> {
    root.fill(&WHITE)
        .map_err(|e| format!("drawing failed: {e}"))?;
    let fonts = Fonts::new(s);
    let has_title = !figure.title.is_empty();
    let (title, cells) = layout::cells(figure.panels.len(), figure.columns, has_title, size, s);
    if has_title {
        let style = font::text_style(
            &fonts.figure_title,
            panel::TEXT,
            Pos::new(HPos::Center, VPos::Center),
        );
        let at = (
            (title.w / 2.0).round() as i32,
            (title.y + title.h * 0.6).round() as i32,
        );
        root.draw_text(&figure.title, &style, at)
            .map_err(|e| format!("drawing failed: {e}"))?;
    }
    let (columns, _) = layout::grid(figure.panels.len(), figure.columns);
    let name = |index: usize| validate::panel_name(index, &figure.panels[index]);
    let options = &figure.options;
    let scales = (options.x_scale, options.y_scale);
    // Log and symlog axes: everything is drawn in axis space.
    let panels: Vec<_> = figure
        .panels
        .iter()
        .map(|p| axis_scale::to_axis_space(p, scales))
        .collect();
    let looks: Vec<_> = panels
        .iter()
        .map(|p| style::looks(&p.series, &options.series))
        .collect();
    let layouts = panel_layout::layout_panels(&panels, &cells, columns, &fonts, s, options, &looks)
        .map_err(|(index, e)| format!("{}: {e}", name(index)))?;
    for (index, ((panel, layout), looks)) in panels.iter().zip(&layouts).zip(&looks).enumerate() {
        let scene = panel::Scene {
            index,
            looks,
            options,
        };
        panel::draw_panel(root, panel, layout, &scene, &fonts, s)
            .map_err(|e| format!("{}: {e}", name(index)))?;
    }
    Ok(())
}
