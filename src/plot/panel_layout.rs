//! Inside each panel: the title, the legend band, the plot area and the tick
//! labels, with plot areas aligned across the grid (same top and bottom in a
//! row, same left edge in a column) so compared panels line up.
//!
//! The legend gets its own band between the panel title and the plot area,
//! so it can never cover data.
//!
//! # Why a layout of our own rather than plotters' `ChartBuilder`
//! `ChartBuilder` lays out each chart on its own: its label areas are fixed
//! sizes given up front, so panels side by side get plot areas that start at
//! different places when their tick labels differ in width, and a legend
//! (`SeriesLabelStyle`) is drawn inside the plot area, where it can cover
//! curves. Here every text is measured first with the embedded font, then
//! one layout is solved for the whole grid (aligned plot areas, a legend
//! band that never overlaps data, tick labels that never collide), and the
//! panel is drawn in those pixel coordinates by `panel`.

use plotters::style::FontDesc;

use super::axis_scale;
use super::font::{self, text_size};
use super::layout::{Fonts, Rect};
use super::legend::{self, Item};
use super::series::Range;
use super::style::SeriesLook;
use super::ticks::{nice_step, nice_ticks, tick_labels};
use crate::compute::Panel;
use crate::scenario::{AxisScale, FigureOptions, LegendPosition};

/// One tick: data value and label.
#[derive(Debug, Clone, PartialEq)]
pub struct Tick {
    pub value: f64,
    pub label: String,
}

/// One legend entry: the series it names and where its sample starts.
#[derive(Debug, Clone, PartialEq)]
pub struct LegendEntry {
    pub series: usize,
    /// A point series whose marker is drawn on this entry's line sample.
    pub marker_of: Option<usize>,
    pub label: String,
    pub x: f64,
    /// Vertical centre of the entry.
    pub y: f64,
}

/// Everything `panel` needs to draw a panel without measuring text.
#[derive(Debug, Clone, PartialEq)]
pub struct PanelLayout {
    /// Vertical centre of the panel title.
    pub title_y: f64,
    pub legend: Vec<LegendEntry>,
    /// The white box behind a legend inside the plot.
    pub legend_box: Option<Rect>,
    pub plot: Rect,
    pub x_ticks: Vec<Tick>,
    pub y_ticks: Vec<Tick>,
    pub x_tick_style: XTickStyle,
    /// Vertical centre of the x axis label.
    pub x_label_y: f64,
    /// Horizontal centre of the (rotated) y axis label.
    pub y_label_x: f64,
    /// Whether a tick at 0 on x, on y is the value zero (and gets the
    /// darker zero line); on a log axis 0 is 10⁰.
    pub zero_line: (bool, bool),
}

/// How x tick labels are set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum XTickStyle {
    /// Side by side on one line.
    Flat,
    /// Category labels too wide for one line: every second one a line lower.
    Staggered,
    /// Category labels too wide even for two lines: turned upright.
    Upright,
}

/// Sizes at scale 1, in pixels.
pub const PAD: f64 = 14.0;
pub const TICK_LENGTH: f64 = 6.0;
/// From the axis to its tick labels.
pub const TICK_LABEL_OFFSET: f64 = 10.0;
const GAP: f64 = 6.0;
pub const LEGEND_SAMPLE: f64 = 34.0;
pub const LEGEND_SAMPLE_GAP: f64 = 8.0;
const LEGEND_ENTRY_GAP: f64 = 24.0;
const LINE_HEIGHT: f64 = 1.45;
/// Room right of the plot for half of the last x tick label.
const RIGHT_ROOM: f64 = 24.0;
/// Minimum spacing between tick labels, and target spacing between ticks.
const LABEL_SPACING: f64 = 16.0;
const X_TICK_SPACING: f64 = 90.0;
const Y_TICK_SPACING: f64 = 55.0;
/// A panel's plot area lines up with its row's neighbours unless that costs
/// more than this share of the cell height (a tall legend or upright labels
/// next door should not squash it).
const ALIGN_SLACK: f64 = 0.12;
/// Upright category labels take at most this share of the cell height.
const UPRIGHT_MAX: f64 = 0.3;

/// What one panel needs above and below its plot area.
struct Bands {
    legend_rows: Vec<LegendRow>,
    /// From the cell's top to the plot's top.
    top: f64,
    /// From the plot's bottom to the cell's bottom.
    bottom: f64,
    x_tick_style: XTickStyle,
    x_tick_band: f64,
    /// Category labels as shown (upright ones may be shortened).
    categories: Vec<String>,
}

/// Legend entries of one row: (entry, width), and the row's width.
struct LegendRow {
    entries: Vec<(Item, f64)>,
    width: f64,
}

/// Lay out every panel in its cell; an error carries the panel's index.
pub fn layout_panels(
    panels: &[Panel],
    cells: &[Rect],
    columns: usize,
    fonts: &Fonts,
    s: f64,
    options: &FigureOptions,
    looks: &[Vec<SeriesLook>],
) -> Result<Vec<PanelLayout>, (usize, String)> {
    let scales = (options.x_scale, options.y_scale);
    let items: Vec<Vec<Item>> = panels
        .iter()
        .zip(looks)
        .map(|(panel, looks)| match options.legend {
            LegendPosition::None => Vec::new(),
            _ => legend::items(panel, looks),
        })
        .collect();
    let bands = panels
        .iter()
        .zip(cells)
        .zip(&items)
        .enumerate()
        .map(|(i, ((panel, cell), items))| {
            let top = if options.legend == LegendPosition::Top {
                items.as_slice()
            } else {
                &[]
            };
            bands(panel, *cell, top, fonts, s).map_err(|e| (i, e))
        })
        .collect::<Result<Vec<_>, _>>()?;
    // Room right of the plot for a legend there (or for an inside legend
    // with no free corner; decided below, once the plot is known).
    let side_width = |items: &[Item]| -> Result<f64, String> {
        let widest = items
            .iter()
            .map(|it| item_width(&it.label, fonts, s))
            .try_fold(0.0_f64, |m, w| Ok::<f64, String>(m.max(w?)))?;
        Ok(if items.is_empty() {
            0.0
        } else {
            widest + LEGEND_ENTRY_GAP * s
        })
    };
    let aligned = |i: usize, f: &dyn Fn(&Bands) -> f64| {
        let row = i / columns;
        let row_max = bands
            .iter()
            .skip(row * columns)
            .take(columns)
            .map(f)
            .fold(0.0, f64::max);
        let own = f(&bands[i]);
        if row_max - own <= ALIGN_SLACK * cells[i].h {
            row_max
        } else {
            own
        }
    };
    let mut y_ticks = Vec::new();
    let mut lefts = Vec::new();
    for (i, (panel, cell)) in panels.iter().zip(cells).enumerate() {
        let plot_h = (cell.h - aligned(i, &|b| b.top) - aligned(i, &|b| b.bottom)).max(20.0 * s);
        let ticks = scaled_ticks(
            scales.1,
            panel.y_range,
            (plot_h / (Y_TICK_SPACING * s)) as usize,
        );
        let widest =
            widest(&fonts.tick, ticks.iter().map(|t| t.label.as_str())).map_err(|e| (i, e))?;
        lefts.push(PAD * s + label_height(&panel.y_label, s) + widest + TICK_LABEL_OFFSET * s);
        y_ticks.push(ticks);
    }
    let column_max = |i: usize| {
        lefts
            .iter()
            .skip(i % columns)
            .step_by(columns)
            .copied()
            .fold(0.0, f64::max)
    };
    let mut layouts = Vec::new();
    for (i, ((panel, cell), (band, y_ticks))) in panels
        .iter()
        .zip(cells)
        .zip(bands.iter().zip(y_ticks))
        .enumerate()
    {
        let top = cell.y + aligned(i, &|b| b.top);
        let left = cell.x + column_max(i);
        let plot_in = |right_room: f64| Rect {
            x: left,
            y: top,
            w: (cell.right() - (PAD + RIGHT_ROOM) * s - right_room - left).max(20.0 * s),
            h: (cell.bottom() - aligned(i, &|b| b.bottom) - top).max(20.0 * s),
        };
        let mut plot = plot_in(0.0);
        let mut legend_box = None;
        let mut entries = Vec::new();
        match options.legend {
            LegendPosition::Top => {
                let legend_top = cell.y + PAD * s + title_height(panel, s);
                entries = place_legend(&band.legend_rows, legend_top, plot, *cell, s);
            }
            LegendPosition::None => {}
            position => {
                let row_h = line(font::LEGEND_PX, s);
                let width = side_width(&items[i]).map_err(|e| (i, e))?;
                let size = (width, row_h * items[i].len() as f64 + GAP * s);
                let map = |p: (f64, f64)| {
                    (
                        plot.x + (p.0 - panel.x_range.0) / span(panel.x_range) * plot.w,
                        plot.bottom() - (p.1 - panel.y_range.0) / span(panel.y_range) * plot.h,
                    )
                };
                let corner = (position != LegendPosition::Right)
                    .then(|| {
                        legend::corners(position).into_iter().find(|c| {
                            let area = legend::corner_box(*c, plot, size, GAP * s);
                            area.w <= plot.w - 2.0 * GAP * s
                                && area.h <= plot.h - 2.0 * GAP * s
                                && !legend::covers_data(panel, area, &map)
                        })
                    })
                    .flatten();
                let area = match corner {
                    Some(c) => {
                        let area = legend::corner_box(c, plot, size, GAP * s);
                        legend_box = (!items[i].is_empty()).then_some(area);
                        area
                    }
                    None => {
                        plot = plot_in(width);
                        Rect {
                            x: plot.right() + (RIGHT_ROOM * 0.5 + GAP) * s,
                            y: plot.y,
                            w: width,
                            h: size.1,
                        }
                    }
                };
                entries = items[i]
                    .iter()
                    .enumerate()
                    .map(|(r, item)| LegendEntry {
                        series: item.series,
                        marker_of: item.marker_of,
                        label: item.label.clone(),
                        x: area.x + LEGEND_SAMPLE_GAP * s,
                        y: area.y + GAP * s / 2.0 + row_h * (r as f64 + 0.5),
                    })
                    .collect();
            }
        }
        let x_ticks = if panel.categories.is_empty() {
            fitting_x_ticks(scales.0, panel.x_range, plot.w, &fonts.tick, s).map_err(|e| (i, e))?
        } else {
            category_ticks(&band.categories, panel.x_range)
        };
        let title_y = cell.y + PAD * s + line(font::PANEL_TITLE_PX, s) / 2.0;
        layouts.push(PanelLayout {
            title_y,
            legend: entries,
            legend_box,
            zero_line: (
                scales.0 != AxisScale::Log || !panel.categories.is_empty(),
                scales.1 != AxisScale::Log,
            ),
            plot,
            x_ticks,
            y_ticks,
            x_tick_style: band.x_tick_style,
            x_label_y: plot.bottom()
                + TICK_LABEL_OFFSET * s
                + band.x_tick_band
                + label_height(&panel.x_label, s) / 2.0,
            y_label_x: cell.x + PAD * s + label_height(&panel.y_label, s) / 2.0,
        });
    }
    Ok(layouts)
}

/// Height of a line of text of `css_px` CSS pixels at scale `s`.
pub fn line(css_px: f64, s: f64) -> f64 {
    css_px * s * LINE_HEIGHT
}

fn title_height(panel: &Panel, s: f64) -> f64 {
    if panel.title.is_empty() {
        0.0
    } else {
        line(font::PANEL_TITLE_PX, s)
    }
}

/// Height of an axis label's line (its width when rotated), 0 if there is none.
fn label_height(label: &str, s: f64) -> f64 {
    if label.is_empty() {
        0.0
    } else {
        line(font::AXIS_LABEL_PX, s)
    }
}

fn bands(
    panel: &Panel,
    cell: Rect,
    legend_items: &[Item],
    fonts: &Fonts,
    s: f64,
) -> Result<Bands, String> {
    let legend_rows = legend_rows(legend_items, cell.w - 2.0 * PAD * s, fonts, s)?;
    let legend_h = line(font::LEGEND_PX, s) * legend_rows.len() as f64;
    let top = PAD * s + title_height(panel, s) + legend_h + GAP * s;

    let tick_h = line(font::TICK_PX, s);
    let (x_tick_style, x_tick_band, categories) = if panel.categories.is_empty() {
        (XTickStyle::Flat, tick_h, Vec::new())
    } else {
        // The plot width is not known yet; the cell less a typical y-axis
        // band is close enough to decide whether labels fit side by side.
        let slot = (cell.w - 2.0 * PAD * s - 100.0 * s) / span(panel.x_range);
        let widest = widest(&fonts.tick, panel.categories.iter().map(String::as_str))?;
        let needed = widest + LABEL_SPACING * s / 2.0;
        if needed <= slot {
            (XTickStyle::Flat, tick_h, panel.categories.clone())
        } else if needed <= 2.0 * slot {
            (
                XTickStyle::Staggered,
                2.0 * tick_h,
                panel.categories.clone(),
            )
        } else {
            let longest = widest.min(UPRIGHT_MAX * cell.h);
            let shortened = panel
                .categories
                .iter()
                .map(|c| shorten(&fonts.tick, c, longest))
                .collect::<Result<_, _>>()?;
            (XTickStyle::Upright, longest + GAP * s, shortened)
        }
    };
    let bottom = TICK_LABEL_OFFSET * s + x_tick_band + label_height(&panel.x_label, s) + PAD * s;
    Ok(Bands {
        legend_rows,
        top,
        bottom,
        x_tick_style,
        x_tick_band,
        categories,
    })
}

/// `text` cut to at most `max_w` pixels, with an ellipsis if it was cut.
fn shorten(font: &FontDesc<'static>, text: &str, max_w: f64) -> Result<String, String> {
    if text_size(font, text)?.0 <= max_w {
        return Ok(text.to_string());
    }
    let mut chars: Vec<char> = text.chars().collect();
    while chars.len() > 1 {
        chars.pop();
        let candidate = format!("{}…", chars.iter().collect::<String>());
        if text_size(font, &candidate)?.0 <= max_w {
            return Ok(candidate);
        }
    }
    Ok("…".to_string())
}

fn span(range: Range) -> f64 {
    range.1 - range.0
}

fn widest<'a>(
    font: &FontDesc<'static>,
    texts: impl Iterator<Item = &'a str>,
) -> Result<f64, String> {
    texts
        .map(|t| text_size(font, t).map(|(w, _)| w))
        .try_fold(0.0_f64, |m, w| Ok(m.max(w?)))
}

/// About `max_count` ticks, but never fewer than two (a short axis would
/// otherwise get a single unreadable tick).
fn numeric_ticks(range: Range, max_count: usize) -> Vec<Tick> {
    let mut count = max_count.max(2);
    let mut values = nice_ticks(range, count);
    while values.len() < 2 && count < max_count.max(2) + 10 {
        count += 1;
        values = nice_ticks(range, count);
    }
    let labels = tick_labels(&values, nice_step(range, count));
    values
        .into_iter()
        .zip(labels)
        .map(|(value, label)| Tick { value, label })
        .collect()
}

/// Ticks of an axis of `scale` over its axis-space `range`.
fn scaled_ticks(scale: AxisScale, range: Range, max_count: usize) -> Vec<Tick> {
    match scale {
        AxisScale::Linear => numeric_ticks(range, max_count),
        _ => axis_scale::ticks(scale, range, max_count)
            .into_iter()
            .map(|(value, label)| Tick { value, label })
            .collect(),
    }
}

/// As many x ticks as fit without their labels touching.
fn fitting_x_ticks(
    scale: AxisScale,
    range: Range,
    plot_w: f64,
    font: &FontDesc<'static>,
    s: f64,
) -> Result<Vec<Tick>, String> {
    let mut count = ((plot_w / (X_TICK_SPACING * s)).floor() as usize).max(2);
    loop {
        let ticks = scaled_ticks(scale, range, count);
        let widest = widest(font, ticks.iter().map(|t| t.label.as_str()))?;
        let spacing = match scale {
            AxisScale::Linear => plot_w / span(range) * nice_step(range, count),
            _ => ticks
                .windows(2)
                .map(|w| (w[1].value - w[0].value) / span(range) * plot_w)
                .fold(f64::INFINITY, f64::min),
        };
        if widest + LABEL_SPACING * s <= spacing || count <= 2 {
            return Ok(ticks);
        }
        count -= 1;
    }
}

/// Bar i sits at x = i: one tick per category inside the range.
fn category_ticks(categories: &[String], range: Range) -> Vec<Tick> {
    categories
        .iter()
        .enumerate()
        .map(|(i, label)| Tick {
            value: i as f64,
            label: label.clone(),
        })
        .filter(|t| (range.0..=range.1).contains(&t.value))
        .collect()
}

/// Labelled series packed into rows no wider than `max_w`; none if no series
/// has a label.
fn legend_rows(
    items: &[Item],
    max_w: f64,
    fonts: &Fonts,
    s: f64,
) -> Result<Vec<LegendRow>, String> {
    let gap = LEGEND_ENTRY_GAP * s;
    let mut rows: Vec<LegendRow> = Vec::new();
    for item in items {
        let w = item_width(&item.label, fonts, s)?;
        match rows.last_mut() {
            Some(row) if row.width + gap + w <= max_w => {
                row.entries.push((item.clone(), w));
                row.width += gap + w;
            }
            _ => rows.push(LegendRow {
                entries: vec![(item.clone(), w)],
                width: w,
            }),
        }
    }
    Ok(rows)
}

/// Sample, gap and text of one legend entry.
fn item_width(label: &str, fonts: &Fonts, s: f64) -> Result<f64, String> {
    Ok((LEGEND_SAMPLE + LEGEND_SAMPLE_GAP) * s + text_size(&fonts.legend, label)?.0)
}

/// Rows centred over the plot area (as the title is), kept inside the cell.
fn place_legend(rows: &[LegendRow], top: f64, plot: Rect, cell: Rect, s: f64) -> Vec<LegendEntry> {
    let row_h = line(font::LEGEND_PX, s);
    let mut entries = Vec::new();
    for (r, row) in rows.iter().enumerate() {
        let centred = plot.x + (plot.w - row.width) / 2.0;
        let mut x = centred
            .min(cell.right() - PAD * s - row.width)
            .max(cell.x + PAD * s);
        let y = top + row_h * (r as f64 + 0.5);
        for (item, w) in &row.entries {
            entries.push(LegendEntry {
                series: item.series,
                marker_of: item.marker_of,
                label: item.label.clone(),
                x,
                y,
            });
            x += w + LEGEND_ENTRY_GAP * s;
        }
    }
    entries
}
