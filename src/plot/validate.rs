//! Checks that a figure can be drawn, before anything is drawn, so errors
//! name the figure and panel instead of surfacing as a plotters failure.

use crate::compute::{FigureData, Panel};

/// `panel 2 ("Huber loss")`, or `panel 2` when untitled: how messages name a panel.
pub fn panel_name(index: usize, panel: &Panel) -> String {
    if panel.title.is_empty() {
        format!("panel {}", index + 1)
    } else {
        format!("panel {} (\"{}\")", index + 1, panel.title)
    }
}

/// The first problem that would keep `figure` from being drawn.
pub fn check_figure(figure: &FigureData) -> Result<(), String> {
    if figure.panels.is_empty() {
        return Err("has no panels".to_string());
    }
    for (index, panel) in figure.panels.iter().enumerate() {
        check_panel(panel).map_err(|e| format!("{}: {e}", panel_name(index, panel)))?;
    }
    if let Some(message) = super::style::unmatched_rule(figure) {
        return Err(message);
    }
    check_annotation_panels(figure)
}

/// Every annotation names a panel the figure has.
fn check_annotation_panels(figure: &FigureData) -> Result<(), String> {
    let o = &figure.options;
    let asked = o
        .vlines
        .iter()
        .chain(&o.hlines)
        .map(|l| ("vlines/hlines", l.panel))
        .chain(o.bands.iter().map(|b| ("bands", b.panel)))
        .chain(o.text.iter().map(|t| ("text", t.panel)))
        .chain(o.arrows.iter().map(|a| ("arrows", a.panel)));
    for (key, panel) in asked {
        if let Some(p) = panel.filter(|&p| p > figure.panels.len()) {
            return Err(format!(
                "an annotation of `{key}` is on panel {p}, but the figure has {} panel{}",
                figure.panels.len(),
                if figure.panels.len() == 1 { "" } else { "s" }
            ));
        }
    }
    Ok(())
}

fn check_panel(panel: &Panel) -> Result<(), String> {
    check_range("x", panel.x_range)?;
    check_range("y", panel.y_range)?;
    if panel.series.is_empty() {
        return Err("has no series".to_string());
    }
    Ok(())
}

fn check_range(axis: &str, (min, max): (f64, f64)) -> Result<(), String> {
    if !(min.is_finite() && max.is_finite()) {
        return Err(format!("{axis} range ({min}, {max}) is not finite"));
    }
    if min >= max {
        return Err(format!(
            "{axis} range ({min}, {max}) is empty: min must be below max"
        ));
    }
    // Spans too small for f64 to place ticks would draw a nonsense axis.
    if (max - min) <= f64::EPSILON * min.abs().max(max.abs()) * 16.0 || !(max - min).is_finite() {
        return Err(format!(
            "{axis} range ({min}, {max}) is too narrow or too wide to draw"
        ));
    }
    Ok(())
}

/// Largest PNG we agree to draw, in pixels (about 8k × 8k): a mistyped scale
/// should fail, not exhaust memory.
pub const MAX_PIXELS: u64 = 64_000_000;

pub fn check_scale(scale: f64) -> Result<(), String> {
    if !(scale.is_finite() && scale > 0.0) {
        return Err(format!("scale {scale} must be a positive number"));
    }
    Ok(())
}

pub fn check_size((width, height): (u32, u32), scale: f64) -> Result<(), String> {
    if width == 0 || height == 0 || u64::from(width) * u64::from(height) > MAX_PIXELS {
        return Err(format!(
            "scale {scale} gives a {width}×{height} image; the limit is {MAX_PIXELS} pixels"
        ));
    }
    Ok(())
}
