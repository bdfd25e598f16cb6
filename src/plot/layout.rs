//! Figure size, the panel grid and the fonts; the layout inside a panel is
//! `panel_layout`'s.

use plotters::style::FontDesc;

use super::font;

/// A rectangle in pixels: left, top, width, height.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rect {
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
}

impl Rect {
    pub fn right(&self) -> f64 {
        self.x + self.w
    }
    pub fn bottom(&self) -> f64 {
        self.y + self.h
    }
}

/// Figure size at scale 1 for a lone panel, and for each panel of a grid.
const SINGLE_PANEL: (f64, f64) = (960.0, 600.0);
const GRID_CELL: (f64, f64) = (640.0, 460.0);
/// Height of the figure title band at scale 1.
const FIGURE_TITLE_BAND: f64 = 44.0;

/// Columns and rows of the panel grid.
pub fn grid(panel_count: usize, columns: usize) -> (usize, usize) {
    let columns = columns.clamp(1, panel_count.max(1));
    (columns, panel_count.div_ceil(columns))
}

/// Figure size in pixels at `scale`.
pub fn figure_size(panel_count: usize, columns: usize, has_title: bool, scale: f64) -> (u32, u32) {
    let (columns, rows) = grid(panel_count, columns);
    let (cell_w, cell_h) = if panel_count == 1 {
        SINGLE_PANEL
    } else {
        GRID_CELL
    };
    let title = if has_title { FIGURE_TITLE_BAND } else { 0.0 };
    let width = columns as f64 * cell_w * scale;
    let height = (title + rows as f64 * cell_h) * scale;
    (width.round() as u32, height.round() as u32)
}

/// The figure title band and one cell per panel, row by row, filling a
/// canvas of `size` pixels.
pub fn cells(
    panel_count: usize,
    columns: usize,
    has_title: bool,
    size: (u32, u32),
    scale: f64,
) -> (Rect, Vec<Rect>) {
    let (columns, rows) = grid(panel_count, columns);
    let title_h = if has_title {
        FIGURE_TITLE_BAND * scale
    } else {
        0.0
    };
    let title = Rect {
        x: 0.0,
        y: 0.0,
        w: f64::from(size.0),
        h: title_h,
    };
    let cell_w = f64::from(size.0) / columns as f64;
    let cell_h = (f64::from(size.1) - title_h) / rows as f64;
    let cells = (0..panel_count)
        .map(|i| Rect {
            x: (i % columns) as f64 * cell_w,
            y: title_h + (i / columns) as f64 * cell_h,
            w: cell_w,
            h: cell_h,
        })
        .collect();
    (title, cells)
}

/// The fonts of one figure at one scale.
pub struct Fonts {
    pub tick: FontDesc<'static>,
    pub axis_label: FontDesc<'static>,
    pub legend: FontDesc<'static>,
    pub panel_title: FontDesc<'static>,
    pub figure_title: FontDesc<'static>,
}

impl Fonts {
    pub fn new(scale: f64) -> Self {
        Fonts {
            tick: font::font(font::TICK_PX, scale, false),
            axis_label: font::font(font::AXIS_LABEL_PX, scale, false),
            legend: font::font(font::LEGEND_PX, scale, false),
            panel_title: font::font(font::PANEL_TITLE_PX, scale, true),
            figure_title: font::font(font::FIGURE_TITLE_PX, scale, true),
        }
    }
}
