//! How each series looks: its colour from the palette (one colour per loss
//! in every figure), its dash and marker from its kind, then the figure's
//! `series = [{ of = …, color, dash, marker, label }]` rules on top.
//!
//! A rule's `of` names a series by its legend label or by its colour key
//! (the loss's catalogue name, `mse`, or a role such as `target`); a loss
//! name reaches every series of that loss (its curve and its marks).

use plotters::style::RGBColor;

use super::palette::panel_colors;
use crate::compute::{FigureData, Series, SeriesKind};
use crate::scenario::{parse_color, Dash, Marker, SeriesStyle};

/// Everything the drawing needs to know about one series' appearance.
#[derive(Debug, Clone, PartialEq)]
pub struct SeriesLook {
    pub color: RGBColor,
    pub dash: Dash,
    /// The marker of a point series, or marks along a line (`None`: none).
    pub marker: Marker,
    /// Markers drawn as rings (the greyscale cue of a dashed point series).
    pub hollow: bool,
    /// Legend text; empty: not in the legend.
    pub label: String,
}

fn matches(rule: &SeriesStyle, series: &Series) -> bool {
    rule.of == series.label || rule.of == series.color_key
}

/// The look of every series of a panel, rules applied in order.
pub fn looks(series: &[Series], rules: &[SeriesStyle]) -> Vec<SeriesLook> {
    let keys: Vec<&str> = series.iter().map(|it| it.color_key.as_str()).collect();
    let colors = panel_colors(&keys);
    series
        .iter()
        .zip(colors)
        .map(|(item, (r, g, b))| {
            let mut look = SeriesLook {
                color: RGBColor(r, g, b),
                dash: if item.dashed && item.kind == SeriesKind::Line {
                    Dash::Dashed
                } else {
                    Dash::Solid
                },
                marker: if item.kind == SeriesKind::Points {
                    Marker::Circle
                } else {
                    Marker::None
                },
                hollow: item.dashed && item.kind == SeriesKind::Points,
                label: item.label.clone(),
            };
            for rule in rules.iter().filter(|rule| matches(rule, item)) {
                if let Some((r, g, b)) = rule.color.as_deref().and_then(parse_color) {
                    look.color = RGBColor(r, g, b);
                }
                if let Some(dash) = rule.dash {
                    look.dash = dash;
                }
                if let Some(marker) = rule.marker {
                    look.marker = marker;
                }
                if let Some(label) = &rule.label {
                    look.label = label.clone();
                }
            }
            look
        })
        .collect()
}

/// The first rule that matches no series of the figure, as a message.
pub fn unmatched_rule(figure: &FigureData) -> Option<String> {
    let all = || figure.panels.iter().flat_map(|p| p.series.iter());
    figure
        .options
        .series
        .iter()
        .enumerate()
        .find(|(_, rule)| !all().any(|s| matches(rule, s)))
        .map(|(i, rule)| {
            let mut names: Vec<&str> = all()
                .flat_map(|s| [s.label.as_str(), s.color_key.as_str()])
                .filter(|n| !n.is_empty())
                .collect();
            names.sort_unstable();
            names.dedup();
            let shown: Vec<String> = names.iter().map(|n| format!("\"{n}\"")).collect();
            format!(
                "series[{i}].of = \"{}\" names no series of this figure; a series is named by \
                 its legend label or its loss: {}",
                rule.of,
                shown.join(", ")
            )
        })
}
