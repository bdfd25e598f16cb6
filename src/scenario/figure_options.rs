//! How a figure looks, whatever its kind: axis scales, size, legend place,
//! per-series colour, dash, marker and label, annotations and panels. Kept
//! apart from the kinds (`figure.rs`) so every kind, present or future,
//! takes the same options and the plot stage applies them in one place.
//!
//! ```toml
//! y_scale = "log"                      # "linear" (default), "log", "symlog"
//! width = 900                          # pixels at scale 1; or height, aspect
//! legend = "right"                     # "top" (default), "right", "inside-top-left", …, "none"
//! series = [{ of = "mse", color = "#000000", dash = "dashed", marker = "square", label = "MSE" }]
//! vlines = [{ x = 8.75, label = "mean" }]
//! bands = [{ from = 5, to = 10, label = "data" }]
//! text = [{ x = 2, y = 30, text = "outliers" }]
//! arrows = [{ from = [2, 30], to = [0.5, 5] }]
//! panels = "separate"                  # one panel per loss
//! ```

use serde::{Deserialize, Serialize};

use super::error::{shown_number, Reporter, ScenarioError};

/// How an axis maps values to positions.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AxisScale {
    #[default]
    Linear,
    /// log₁₀: ticks at powers of ten; values ≤ 0 are not drawn.
    Log,
    /// sign(v)·log₁₀(1 + |v|): linear near 0, logarithmic beyond ±1, and
    /// defined for every value (matplotlib's symlog with linthresh 1).
    Symlog,
}

impl AxisScale {
    pub fn is_linear(&self) -> bool {
        *self == AxisScale::Linear
    }

    /// The axis-space coordinate of `v`; NaN where a log axis has no place
    /// for it (v ≤ 0).
    pub fn forward(self, v: f64) -> f64 {
        match self {
            AxisScale::Linear => v,
            AxisScale::Log if v > 0.0 => v.log10(),
            AxisScale::Log => f64::NAN,
            AxisScale::Symlog => v.signum() * v.abs().ln_1p() / std::f64::consts::LN_10,
        }
    }

    /// The value at axis-space coordinate `t`.
    pub fn inverse(self, t: f64) -> f64 {
        match self {
            AxisScale::Linear => t,
            AxisScale::Log => 10f64.powf(t),
            AxisScale::Symlog => t.signum() * (t.abs() * std::f64::consts::LN_10).exp_m1(),
        }
    }
}

/// Where a panel's legend goes. Inside positions move to another free
/// corner, or beside the plot, rather than cover data.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum LegendPosition {
    #[default]
    Top,
    Right,
    InsideTopLeft,
    InsideTopRight,
    InsideBottomLeft,
    InsideBottomRight,
    None,
}

impl LegendPosition {
    fn is_top(&self) -> bool {
        *self == LegendPosition::Top
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Dash {
    Solid,
    Dashed,
    Dotted,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Marker {
    None,
    Circle,
    Square,
    Triangle,
    Diamond,
}

/// `panels = "separate"`: each loss (series colour) in a panel of its own,
/// with its own y range, so one large loss does not flatten the others.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PanelMode {
    #[default]
    Shared,
    Separate,
}

impl PanelMode {
    fn is_shared(&self) -> bool {
        *self == PanelMode::Shared
    }
}

/// One `series = [{ of = …, … }]` rule: `of` is a series' legend label, or
/// a loss name (every series drawn for that loss: its curve and its marks).
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SeriesStyle {
    pub of: String,
    /// `#rrggbb`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub color: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dash: Option<Dash>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub marker: Option<Marker>,
    /// The legend text; `""` leaves the series out of the legend.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
}

/// A vertical (`x`) or horizontal (`y`) reference line with an optional label.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RefLine {
    #[serde(alias = "x", alias = "y")]
    pub at: f64,
    #[serde(default)]
    pub label: String,
    /// 1-based panel; default the first.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub panel: Option<usize>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BandAxis {
    #[default]
    X,
    Y,
}

/// A shaded stretch `from`–`to` of the x axis (or the y axis).
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Band {
    pub from: f64,
    pub to: f64,
    #[serde(default)]
    pub axis: BandAxis,
    #[serde(default)]
    pub label: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub panel: Option<usize>,
}

/// Text at a data point (its left end).
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct TextNote {
    pub x: f64,
    pub y: f64,
    pub text: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub panel: Option<usize>,
}

/// An arrow from one data point to another, with an optional label at its tail.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Arrow {
    pub from: [f64; 2],
    pub to: [f64; 2],
    #[serde(default)]
    pub label: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub panel: Option<usize>,
}

/// Every option a figure takes besides its kind's own keys, validated.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct FigureOptions {
    #[serde(skip_serializing_if = "AxisScale::is_linear")]
    pub x_scale: AxisScale,
    #[serde(skip_serializing_if = "AxisScale::is_linear")]
    pub y_scale: AxisScale,
    /// Figure size in pixels at scale 1 (None: the default for its panels).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub width: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub height: Option<f64>,
    /// width / height, when only one of them (or neither) is given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub aspect: Option<f64>,
    /// This figure's PNG scale (default: `[metadata.output] png_scale`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub png_scale: Option<f64>,
    #[serde(skip_serializing_if = "LegendPosition::is_top")]
    pub legend: LegendPosition,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub series: Vec<SeriesStyle>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub vlines: Vec<RefLine>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub hlines: Vec<RefLine>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub bands: Vec<Band>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub text: Vec<TextNote>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub arrows: Vec<Arrow>,
    #[serde(skip_serializing_if = "PanelMode::is_shared")]
    pub panels: PanelMode,
}

impl FigureOptions {
    pub fn is_default(&self) -> bool {
        *self == FigureOptions::default()
    }
}

/// Sizes a figure may ask for, in pixels at scale 1.
pub const MIN_SIDE: f64 = 200.0;
pub const MAX_SIDE: f64 = 4000.0;
/// Annotations of one figure, all kinds together.
pub const MAX_ANNOTATIONS: usize = 200;

/// The figure keys of [`FigureOptions`] as written, before validation.
#[derive(Debug, Clone, Copy)]
pub struct OptionKeys<'a> {
    pub x_scale: Option<AxisScale>,
    pub y_scale: Option<AxisScale>,
    pub width: Option<f64>,
    pub height: Option<f64>,
    pub aspect: Option<f64>,
    pub png_scale: Option<f64>,
    pub legend: Option<LegendPosition>,
    pub series: &'a Option<Vec<SeriesStyle>>,
    pub vlines: &'a Option<Vec<RefLine>>,
    pub hlines: &'a Option<Vec<RefLine>>,
    pub bands: &'a Option<Vec<Band>>,
    pub text: &'a Option<Vec<TextNote>>,
    pub arrows: &'a Option<Vec<Arrow>>,
    pub panels: Option<PanelMode>,
    pub x_range: Option<[f64; 2]>,
    pub y_range: Option<[f64; 2]>,
}

/// Check every option (`path` is the figure's, `figures[3]`).
pub fn validate_options(
    keys: OptionKeys,
    path: &str,
    rep: &Reporter,
) -> Result<FigureOptions, ScenarioError> {
    let side = |key: &str, v: Option<f64>| -> Result<Option<f64>, ScenarioError> {
        match v {
            Some(v) if !(MIN_SIDE..=MAX_SIDE).contains(&v) => Err(rep.invalid(
                format!("{path}.{key}"),
                format!(
                    "must be from {MIN_SIDE} to {MAX_SIDE} pixels, got {}",
                    shown_number(v)
                ),
            )),
            v => Ok(v),
        }
    };
    let width = side("width", keys.width)?;
    let height = side("height", keys.height)?;
    if let Some(a) = keys.aspect {
        if !(0.1..=10.0).contains(&a) {
            return Err(rep.invalid(
                format!("{path}.aspect"),
                format!(
                    "must be from 0.1 to 10 (width / height), got {}",
                    shown_number(a)
                ),
            ));
        }
        if width.is_some() && height.is_some() {
            return Err(rep.invalid(
                format!("{path}.aspect"),
                "cannot be given with both `width` and `height` (they fix it already)",
            ));
        }
    }
    if let Some(s) = keys.png_scale {
        if !(s.is_finite() && s > 0.0 && s <= 8.0) {
            return Err(rep.invalid(
                format!("{path}.png_scale"),
                format!("must be in (0, 8], got {}", shown_number(s)),
            ));
        }
    }
    let x_scale = keys.x_scale.unwrap_or_default();
    let y_scale = keys.y_scale.unwrap_or_default();
    for (key, scale, range) in [
        ("x_range", x_scale, keys.x_range),
        ("y_range", y_scale, keys.y_range),
    ] {
        if let (AxisScale::Log, Some([low, _])) = (scale, range) {
            if low.is_finite() && low <= 0.0 {
                return Err(rep.invalid(
                    format!("{path}.{key}"),
                    format!(
                        "starts at {} but its axis is logarithmic: a log axis shows only \
                         values > 0 (use \"symlog\" to show 0 and negative values)",
                        shown_number(low)
                    ),
                ));
            }
        }
    }
    let series = keys.series.clone().unwrap_or_default();
    if series.len() > super::grid::MAX_SERIES {
        return Err(rep.invalid(
            format!("{path}.series"),
            format!(
                "has {} rules; the limit is {}",
                series.len(),
                super::grid::MAX_SERIES
            ),
        ));
    }
    for (i, style) in series.iter().enumerate() {
        if let Some(color) = &style.color {
            if parse_color(color).is_none() {
                return Err(rep.invalid(
                    format!("{path}.series[{i}].color"),
                    format!("must be a colour written #rrggbb (as \"#0072b2\"), got \"{color}\""),
                ));
            }
        }
    }
    let options = FigureOptions {
        x_scale,
        y_scale,
        width,
        height,
        aspect: keys.aspect,
        png_scale: keys.png_scale,
        legend: keys.legend.unwrap_or_default(),
        series,
        vlines: keys.vlines.clone().unwrap_or_default(),
        hlines: keys.hlines.clone().unwrap_or_default(),
        bands: keys.bands.clone().unwrap_or_default(),
        text: keys.text.clone().unwrap_or_default(),
        arrows: keys.arrows.clone().unwrap_or_default(),
        panels: keys.panels.unwrap_or_default(),
    };
    check_annotations(&options, path, rep)?;
    Ok(options)
}

fn check_annotations(
    options: &FigureOptions,
    path: &str,
    rep: &Reporter,
) -> Result<(), ScenarioError> {
    let count = options.vlines.len()
        + options.hlines.len()
        + options.bands.len()
        + options.text.len()
        + options.arrows.len();
    if count > MAX_ANNOTATIONS {
        return Err(rep.invalid(
            path,
            format!("has {count} annotations; the limit is {MAX_ANNOTATIONS}"),
        ));
    }
    let finite = |key: String, values: &[f64]| match values.iter().find(|v| !v.is_finite()) {
        Some(v) => Err(rep.invalid(key, format!("must be finite, got {}", shown_number(*v)))),
        None => Ok(()),
    };
    let panel = |key: String, panel: Option<usize>| match panel {
        Some(0) => Err(rep.invalid(key, "counts panels from 1")),
        _ => Ok(()),
    };
    for (list, lines) in [("vlines", &options.vlines), ("hlines", &options.hlines)] {
        for (i, line) in lines.iter().enumerate() {
            finite(format!("{path}.{list}[{i}]"), &[line.at])?;
            panel(format!("{path}.{list}[{i}].panel"), line.panel)?;
        }
    }
    for (i, band) in options.bands.iter().enumerate() {
        finite(format!("{path}.bands[{i}]"), &[band.from, band.to])?;
        if band.from >= band.to {
            return Err(rep.invalid(
                format!("{path}.bands[{i}]"),
                format!(
                    "must have from < to, got from = {} and to = {}",
                    shown_number(band.from),
                    shown_number(band.to)
                ),
            ));
        }
        panel(format!("{path}.bands[{i}].panel"), band.panel)?;
    }
    for (i, note) in options.text.iter().enumerate() {
        finite(format!("{path}.text[{i}]"), &[note.x, note.y])?;
        panel(format!("{path}.text[{i}].panel"), note.panel)?;
    }
    for (i, arrow) in options.arrows.iter().enumerate() {
        let [a, b] = arrow.from;
        let [c, d] = arrow.to;
        finite(format!("{path}.arrows[{i}]"), &[a, b, c, d])?;
        if arrow.from == arrow.to {
            return Err(rep.invalid(
                format!("{path}.arrows[{i}]"),
                "starts where it ends (from = to)",
            ));
        }
        panel(format!("{path}.arrows[{i}].panel"), arrow.panel)?;
    }
    Ok(())
}

/// `#rrggbb` (either case) as RGB.
pub fn parse_color(text: &str) -> Option<(u8, u8, u8)> {
    let hex = text.strip_prefix('#')?;
    if hex.len() != 6 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let byte = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).ok();
    Some((byte(0)?, byte(2)?, byte(4)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colours_are_hex_triplets() {
        assert_eq!(parse_color("#0072B2"), Some((0x00, 0x72, 0xb2)));
        assert_eq!(parse_color("0072b2"), None);
        assert_eq!(parse_color("#0072b"), None);
        assert_eq!(parse_color("#00é2b2"), None);
    }
}
