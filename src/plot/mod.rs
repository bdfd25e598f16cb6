//! Draw stage: figures from [`crate::compute::FigureData`] to SVG and PNG bytes.
//!
//! Pure functions: they return bytes and never touch a file.

use crate::compute::FigureData;

/// Something went wrong while drawing (a plotters backend error, a bad range).
#[derive(Debug, thiserror::Error)]
#[error("figure `{figure}`: {message}")]
pub struct PlotError {
    pub figure: String,
    pub message: String,
}

/// Draw a figure as a standalone SVG document.
pub fn draw_svg(figure: &FigureData) -> Result<String, PlotError> {
    todo!("{}", figure.name)
}

/// Draw a figure as PNG bytes; `scale` multiplies the default pixel size (1.0 = default, at least 600 px wide).
pub fn draw_png(figure: &FigureData, scale: f64) -> Result<Vec<u8>, PlotError> {
    todo!("{} {scale}", figure.name)
}
