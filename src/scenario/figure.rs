//! `[[figures]]`: what to draw. One flat table per figure; `kind` decides
//! which keys it needs, and a key the kind does not use is an error (so a
//! typo or a copy-paste leftover never passes silently).
//!
//! | kind          | keys                                                        |
//! |---------------|-------------------------------------------------------------|
//! | `data`        | `target`, `prediction` (datasets)                           |
//! | `loss_curve`  | `losses`, `x`, `axis`, `target_value`, `show`, `split`      |
//! | `margin`      | `losses`, `x` (x = y·ŷ: the prediction for a target of 1)   |
//! | `constant_fit`| `dataset`, `losses`, `x` (constants c), `delta` (Huber δ)   |
//! | `function`    | `function`, `x`                                             |
//! | `bars`        | `distributions`, or `dataset` (a `sql` dataset's result)    |
//! | `normal_kl`   | `target`, `model` (normals), `shifts`, `x`, `shift_range`   |
//! | `histogram`   | `datasets`, `bins`, `density`                               |
//! | `saturation`  | `losses` (under conventions), `x` (log₁₀ odds), `y` (targets)|
//!
//! A `data` figure without `prediction` shows `target` or `datasets` as
//! `draw = "points"` (against the index), `"strip"` or `"histogram"`.
//!
//! Training kinds (`training_curve`, `parameter_path`, `fit_line`,
//! `decision_boundary`, `calibration`, `landscape`, `training_sweep`) are
//! listed in `training_figure`.
//!
//! Every kind also takes `name`, `title`, `caption`, `alt`, `x_label`,
//! `y_label`, `x_range`, `y_range`, `columns`, `appendix`, and the options
//! of `figure_options.rs` (scales, size, legend, series styles,
//! annotations, panels).
//!
//! `explore = true` on a figure with a sweep (of a loss, a training, or
//! normal shifts) shows one frame per value with a control to switch
//! between them.

use serde::Deserialize;

use super::context::Context;
use super::error::{shown_number, ScenarioError};
use super::figure_options::{
    validate_options, Arrow, AxisScale, Band, LegendPosition, OptionKeys, PanelMode, RefLine,
    SeriesStyle, TextNote,
};
use super::grid::{
    check_evaluations, GridSpec, OneOrMany, BISECTION_STEPS, KL_INTEGRATION_POINTS, MAX_POINTS,
    MAX_SERIES,
};
use super::training_figure::FigureKeys;
use super::training_types::TrainingFigureKind;
use super::valid::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FigureKindName {
    Data,
    LossCurve,
    Margin,
    ConstantFit,
    Function,
    Bars,
    NormalKl,
    TrainingCurve,
    ParameterPath,
    FitLine,
    DecisionBoundary,
    Calibration,
    Landscape,
    TrainingSweep,
    Histogram,
    Saturation,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FigureSpec {
    /// File stem of `figures/<name>.svg|png`.
    pub name: String,
    pub kind: FigureKindName,
    pub title: String,
    /// Shown under the figure.
    pub caption: String,
    /// Alternative text for screen readers.
    pub alt: String,
    pub x_label: Option<String>,
    pub y_label: Option<String>,
    pub x_range: Option<[f64; 2]>,
    pub y_range: Option<[f64; 2]>,
    /// Panels per row.
    pub columns: Option<usize>,
    pub target: Option<String>,
    pub prediction: Option<String>,
    pub model: Option<String>,
    pub losses: Option<Vec<String>>,
    pub x: Option<GridSpec>,
    /// The target grid of a saturation map.
    pub y: Option<GridSpec>,
    pub axis: Option<CurveAxis>,
    /// The fixed target y of a loss curve (a list gives one curve per value).
    pub target_value: Option<OneOrMany>,
    pub show: Option<Show>,
    /// Values and derivatives in separate panels.
    pub split: Option<bool>,
    pub dataset: Option<String>,
    pub delta: Option<GridSpec>,
    pub function: Option<Function>,
    pub distributions: Option<Vec<String>>,
    pub shifts: Option<Vec<f64>>,
    pub shift_range: Option<GridSpec>,
    /// Datasets shown by a `data` or `histogram` figure.
    pub datasets: Option<Vec<String>>,
    /// How a `data` figure shows its datasets.
    pub draw: Option<DataDraw>,
    /// Histogram bins (default 20) and whether bars are densities.
    pub bins: Option<usize>,
    pub density: Option<bool>,
    /// Shown in the report's appendix instead of by a section: a figure no
    /// section shows is otherwise an error (it would be missing from the page).
    #[serde(default)]
    pub appendix: bool,
    /// One frame per sweep value, switched by a control in the report.
    #[serde(default)]
    pub explore: bool,
    pub trainings: Option<Vec<String>>,
    pub parameters: Option<Vec<String>>,
    /// A training curve of L(θ_t) − min_t L(θ_t) (the distance to the best
    /// loss the run reached) instead of the loss itself.
    pub excess: Option<bool>,
    pub value: Option<super::training_types::TrainingValue>,
    pub parameter: Option<String>,
    pub dimensions: Option<usize>,
    pub span: Option<f64>,
    pub points: Option<usize>,
    pub seed: Option<u64>,
    pub directions: Option<Vec<Vec<f64>>>,
    // Options every kind takes (`figure_options.rs`).
    pub x_scale: Option<AxisScale>,
    pub y_scale: Option<AxisScale>,
    pub width: Option<f64>,
    pub height: Option<f64>,
    pub aspect: Option<f64>,
    pub png_scale: Option<f64>,
    pub legend: Option<LegendPosition>,
    pub series: Option<Vec<SeriesStyle>>,
    pub vlines: Option<Vec<RefLine>>,
    pub hlines: Option<Vec<RefLine>>,
    pub bands: Option<Vec<Band>>,
    pub text: Option<Vec<TextNote>>,
    pub arrows: Option<Vec<Arrow>>,
    pub panels: Option<PanelMode>,
}

impl FigureKindName {
    pub(crate) fn training_kind(self) -> Option<TrainingFigureKind> {
        Some(match self {
            FigureKindName::TrainingCurve => TrainingFigureKind::Curve,
            FigureKindName::ParameterPath => TrainingFigureKind::ParameterPath,
            FigureKindName::FitLine => TrainingFigureKind::FitLine,
            FigureKindName::DecisionBoundary => TrainingFigureKind::DecisionBoundary,
            FigureKindName::Calibration => TrainingFigureKind::Calibration,
            FigureKindName::Landscape => TrainingFigureKind::Landscape,
            FigureKindName::TrainingSweep => TrainingFigureKind::Sweep,
            _ => return None,
        })
    }
}

impl FigureSpec {
    fn used_keys(&self) -> [(&'static str, bool); 30] {
        [
            ("target", self.target.is_some()),
            ("prediction", self.prediction.is_some()),
            ("model", self.model.is_some()),
            ("losses", self.losses.is_some()),
            ("x", self.x.is_some()),
            ("y", self.y.is_some()),
            ("axis", self.axis.is_some()),
            ("target_value", self.target_value.is_some()),
            ("show", self.show.is_some()),
            ("split", self.split.is_some()),
            ("dataset", self.dataset.is_some()),
            ("delta", self.delta.is_some()),
            ("function", self.function.is_some()),
            ("distributions", self.distributions.is_some()),
            ("shifts", self.shifts.is_some()),
            ("shift_range", self.shift_range.is_some()),
            ("trainings", self.trainings.is_some()),
            ("parameters", self.parameters.is_some()),
            ("excess", self.excess.is_some()),
            ("value", self.value.is_some()),
            ("parameter", self.parameter.is_some()),
            ("dimensions", self.dimensions.is_some()),
            ("span", self.span.is_some()),
            ("points", self.points.is_some()),
            ("seed", self.seed.is_some()),
            ("directions", self.directions.is_some()),
            ("datasets", self.datasets.is_some()),
            ("draw", self.draw.is_some()),
            ("bins", self.bins.is_some()),
            ("density", self.density.is_some()),
        ]
    }

    pub(crate) fn validate(&self, path: &str, ctx: &Context) -> Result<ValidFigure, ScenarioError> {
        let rep = &ctx.rep;
        let allowed: &[&str] = match self.kind {
            FigureKindName::Data => &[
                "target",
                "prediction",
                "datasets",
                "draw",
                "bins",
                "density",
            ],
            FigureKindName::Histogram => &["datasets", "bins", "density"],
            FigureKindName::Saturation => &["losses", "x", "y"],
            FigureKindName::LossCurve => &["losses", "x", "axis", "target_value", "show", "split"],
            FigureKindName::Margin => &["losses", "x", "show", "split"],
            FigureKindName::ConstantFit => &["dataset", "losses", "x", "delta"],
            FigureKindName::Function => &["function", "x"],
            FigureKindName::Bars => &["distributions", "dataset"],
            FigureKindName::NormalKl => &["target", "model", "shifts", "x", "shift_range"],
            other => other
                .training_kind()
                .map(super::training_figure::allowed_keys)
                .unwrap_or(&[]),
        };
        if let Some((key, _)) = self
            .used_keys()
            .iter()
            .find(|(k, set)| *set && !allowed.contains(k))
        {
            return Err(rep.invalid(
                format!("{path}.{key}"),
                format!(
                    "is not used by kind \"{}\" (it takes: {})",
                    kind_name(self.kind),
                    allowed.join(", ")
                ),
            ));
        }
        let missing = |key: &str| {
            rep.invalid(
                path,
                format!("needs `{key}` for kind \"{}\"", kind_name(self.kind)),
            )
        };
        let text = |key: &str, v: &Option<String>| v.clone().ok_or_else(|| missing(key));
        let grid = |key: &str, spec: &Option<GridSpec>| {
            spec.ok_or_else(|| missing(key))?
                .validate(&format!("{path}.{key}"), rep)
        };
        let losses = |ctx: &Context| -> Result<Vec<LossMember>, ScenarioError> {
            ctx.loss_list(
                &format!("{path}.losses"),
                self.losses.as_deref().ok_or_else(|| missing("losses"))?,
            )
        };

        let kind = match self.kind {
            FigureKindName::Data | FigureKindName::Histogram if self.prediction.is_none() => {
                self.datasets_kind(path, ctx)?
            }
            FigureKindName::Histogram => unreachable_kind(path, rep)?,
            FigureKindName::Data => {
                let target_name = text("target", &self.target)?;
                let prediction_name = text("prediction", &self.prediction)?;
                let target = ctx.flat(&format!("{path}.target"), &target_name)?;
                let prediction = ctx.flat(&format!("{path}.prediction"), &prediction_name)?;
                if target.len() != prediction.len() {
                    return Err(rep.invalid(
                        format!("{path}.prediction"),
                        format!(
                            "has {} values but the target has {}",
                            prediction.len(),
                            target.len()
                        ),
                    ));
                }
                FigureKind::Data {
                    target,
                    prediction,
                    target_label: ctx.label(&target_name),
                    prediction_label: ctx.label(&prediction_name),
                }
            }
            FigureKindName::LossCurve | FigureKindName::Margin => {
                let margin = self.kind == FigureKindName::Margin;
                let losses = losses(ctx)?;
                one_shape(path, self, ctx)?;
                let grid = grid("x", &self.x)?;
                let targets = match &self.target_value {
                    None if margin => vec![1.0],
                    None => vec![0.0],
                    Some(OneOrMany::One(v)) => vec![*v],
                    Some(OneOrMany::Many(v)) if !v.is_empty() => v.clone(),
                    Some(OneOrMany::Many(_)) => {
                        return Err(rep.invalid(format!("{path}.target_value"), "is empty"))
                    }
                };
                if let Some(v) = targets.iter().find(|v| !v.is_finite()) {
                    return Err(rep.invalid(
                        format!("{path}.target_value"),
                        format!("must be finite, got {v}"),
                    ));
                }
                let show = self.show.unwrap_or(Show::Value);
                let curves = losses
                    .len()
                    .saturating_mul(targets.len())
                    .saturating_mul(if show == Show::Both { 2 } else { 1 });
                check_series(path, curves, "curves", ctx)?;
                check_points(path, grid.len().saturating_mul(curves), ctx)?;
                FigureKind::LossCurve {
                    losses,
                    grid,
                    axis: if margin {
                        CurveAxis::Prediction
                    } else {
                        self.axis.unwrap_or(CurveAxis::Residual)
                    },
                    targets,
                    show,
                    split: self.split.unwrap_or(false),
                }
            }
            FigureKindName::ConstantFit => {
                let data =
                    ctx.flat(&format!("{path}.dataset"), &text("dataset", &self.dataset)?)?;
                let losses = losses(ctx)?;
                one_shape(path, self, ctx)?;
                let grid = grid("x", &self.x)?;
                let deltas = match &self.delta {
                    Some(d) => Some(d.validate(&format!("{path}.delta"), rep)?),
                    None => None,
                };
                check_series(path, losses.len(), "curves", ctx)?;
                check_points(path, grid.len().saturating_mul(losses.len()), ctx)?;
                // Every point of a curve evaluates the loss at every data
                // value; every best constant (one per loss, one per δ, and
                // the mean and median of the δ panel) is a bisection.
                let fits = losses
                    .len()
                    .saturating_add(deltas.map(|d| d.len().saturating_add(2)).unwrap_or(0));
                let evaluations = grid
                    .len()
                    .saturating_mul(losses.len())
                    .saturating_add(fits.saturating_mul(BISECTION_STEPS))
                    .saturating_mul(data.len());
                check_evaluations(
                    path,
                    evaluations,
                    &format!(
                        "{} values of c × {} × {} data values, plus {BISECTION_STEPS} per data value for each of {}",
                        grid.len(),
                        count(losses.len(), "loss", "losses"),
                        data.len(),
                        count(fits, "best constant", "best constants"),
                    ),
                    rep,
                )?;
                if let Some(d) = &deltas {
                    if d.span().0 <= 0.0 {
                        return Err(
                            rep.invalid(format!("{path}.delta.from"), "must be > 0 (δ of Huber)")
                        );
                    }
                }
                FigureKind::ConstantFit {
                    data,
                    losses,
                    grid,
                    deltas,
                }
            }
            FigureKindName::Function => FigureKind::Function {
                function: self.function.ok_or_else(|| missing("function"))?,
                grid: grid("x", &self.x)?,
            },
            FigureKindName::Bars => {
                if let Some(name) = &self.dataset {
                    if self.distributions.is_some() {
                        return Err(rep.invalid(
                            format!("{path}.dataset"),
                            "cannot be given with `distributions`: a bars figure shows \
                             distributions or the result of a `sql` dataset",
                        ));
                    }
                    let table = ctx.query(&format!("{path}.dataset"), name)?.clone();
                    check_series(path, table.rows.len(), "bars per panel", ctx)?;
                    FigureKind::QueryBars {
                        name: name.clone(),
                        table,
                    }
                } else {
                    self.distribution_bars(path, ctx)?
                }
            }
            FigureKindName::NormalKl => {
                let shifts = self.shifts.clone().ok_or_else(|| missing("shifts"))?;
                if let Some(s) = shifts.iter().find(|s| !s.is_finite()) {
                    return Err(
                        rep.invalid(format!("{path}.shifts"), format!("must be finite, got {s}"))
                    );
                }
                let grid = grid("x", &self.x)?;
                let shift_grid = grid_or(&self.shift_range, path, "shift_range", rep)?;
                check_points(
                    path,
                    grid.len()
                        .saturating_mul(shifts.len().saturating_mul(2))
                        .saturating_add(shift_grid.len()),
                    ctx,
                )?;
                // Each shift is a numerical integral over its own fine grid.
                check_evaluations(
                    path,
                    shifts.len().saturating_mul(KL_INTEGRATION_POINTS),
                    &format!(
                        "{} × {KL_INTEGRATION_POINTS} integration points",
                        count(shifts.len(), "shift", "shifts")
                    ),
                    rep,
                )?;
                check_series(path, shifts.len(), "shifts (one panel each)", ctx)?;
                let target =
                    ctx.normal(&format!("{path}.target"), &text("target", &self.target)?)?;
                let model = ctx.normal(&format!("{path}.model"), &text("model", &self.model)?)?;
                let (low, high) = shift_grid.span();
                for (key, shift) in shifts
                    .iter()
                    .map(|s| ("shifts", *s))
                    .chain([("shift_range", low), ("shift_range", high)])
                {
                    if !(model.mean + shift).is_finite() {
                        return Err(rep.invalid(
                            format!("{path}.{key}"),
                            format!(
                                "moves the model mean {} beyond the finite numbers",
                                model.mean
                            ),
                        ));
                    }
                }
                FigureKind::NormalKl {
                    target,
                    model,
                    shifts,
                    grid,
                    shift_grid,
                }
            }
            FigureKindName::Saturation => FigureKind::Saturation(super::saturation::validate(
                path,
                ctx,
                self.losses.as_deref().ok_or_else(|| missing("losses"))?,
                self.x.as_ref().ok_or_else(|| missing("x"))?,
                self.y.as_ref().ok_or_else(|| missing("y"))?,
            )?),
            other => {
                let kind = other
                    .training_kind()
                    .ok_or_else(|| missing("a known kind"))?;
                let keys = FigureKeys {
                    trainings: self.trainings.as_deref(),
                    parameters: self.parameters.as_deref(),
                    explore: self.explore,
                    excess: self.excess,
                    value: self.value,
                    parameter: self.parameter.as_ref(),
                    dimensions: self.dimensions,
                    span: self.span,
                    points: self.points,
                    seed: self.seed,
                    directions: self.directions.as_ref(),
                    bins: self.bins,
                };
                FigureKind::Training(super::training_figure::validate_figure(
                    &keys, kind, path, ctx,
                )?)
            }
        };
        if self.explore {
            check_explorable(path, &kind, ctx)?;
        }
        let range = |key: &str, r: Option<[f64; 2]>| -> Result<Option<(f64, f64)>, ScenarioError> {
            match r {
                None => Ok(None),
                // The width too must be finite: [-1e308, 1e308] passed here and
                // failed only when drawn.
                Some([a, b]) if a.is_finite() && b.is_finite() && a < b && (b - a).is_finite() => {
                    Ok(Some((a, b)))
                }
                Some([a, b]) => Err(rep.invalid(
                    format!("{path}.{key}"),
                    format!(
                        "must be [low, high] with low < high and a finite width, got [{}, {}]",
                        shown_number(a),
                        shown_number(b)
                    ),
                )),
            }
        };
        if self.columns == Some(0) {
            return Err(rep.invalid(format!("{path}.columns"), "must be at least 1"));
        }
        let mut options = validate_options(self.option_keys(), path, rep)?;
        // A training curve spans orders of magnitude: a log axis unless the
        // author chose another.
        if self.kind == FigureKindName::TrainingCurve && self.y_scale.is_none() {
            options.y_scale = AxisScale::Log;
        }
        Ok(ValidFigure {
            name: self.name.clone(),
            title: self.title.clone(),
            caption: self.caption.clone(),
            alt: self.alt.clone(),
            x_label: self.x_label.clone(),
            y_label: self.y_label.clone(),
            x_range: range("x_range", self.x_range)?,
            y_range: range("y_range", self.y_range)?,
            columns: self.columns,
            explore: self.explore,
            kind,
            appendix: self.appendix,
            options,
        })
    }

    fn option_keys(&self) -> OptionKeys<'_> {
        OptionKeys {
            x_scale: self.x_scale,
            y_scale: self.y_scale,
            width: self.width,
            height: self.height,
            aspect: self.aspect,
            png_scale: self.png_scale,
            legend: self.legend,
            series: &self.series,
            vlines: &self.vlines,
            hlines: &self.hlines,
            bands: &self.bands,
            text: &self.text,
            arrows: &self.arrows,
            panels: self.panels,
            x_range: self.x_range,
            y_range: self.y_range,
        }
    }
}

/// `explore = true` needs something to explore: the members of one loss
/// sweep (losses that are not swept show in every frame), or several normal
/// shifts (training kinds check their own).
fn check_explorable(path: &str, kind: &FigureKind, ctx: &Context) -> Result<(), ScenarioError> {
    let frames = match kind {
        FigureKind::LossCurve {
            losses, targets, ..
        } if targets.len() == 1 => losses.iter().filter(|m| m.sweep.is_some()).count(),
        FigureKind::ConstantFit {
            losses,
            deltas: None,
            ..
        } => losses.iter().filter(|m| m.sweep.is_some()).count(),
        FigureKind::NormalKl { shifts, .. } => shifts.len(),
        FigureKind::Training(_) => return Ok(()),
        _ => 0,
    };
    if frames < 2 {
        return Err(ctx.rep.invalid(
            format!("{path}.explore"),
            "needs a sweep to explore (a swept loss, one target value, or several shifts)",
        ));
    }
    if frames > super::MAX_MEMBERS {
        return Err(ctx.rep.invalid(
            format!("{path}.explore"),
            format!(
                "would make {frames} frames; the limit is {}",
                super::MAX_MEMBERS
            ),
        ));
    }
    Ok(())
}

fn grid_or(
    spec: &Option<GridSpec>,
    path: &str,
    key: &str,
    rep: &super::error::Reporter,
) -> Result<super::grid::Grid, ScenarioError> {
    match spec {
        Some(s) => s.validate(&format!("{path}.{key}"), rep),
        None => Err(rep.invalid(path, format!("needs `{key}`"))),
    }
}

/// A figure's x axis means one thing for all its losses. Elementwise losses
/// are drawn against a residual or prediction; row losses (KL, categorical
/// cross-entropy, …) along the two-class path `[x, 1 − x]`. Mixed in one
/// figure, a row loss would be drawn on an axis that is not its own (and can
/// hide a real curve); a constant fit has elementwise losses only.
fn one_shape(path: &str, spec: &FigureSpec, ctx: &Context) -> Result<(), ScenarioError> {
    use crate::loss::Shape;
    let rows_allowed = spec.kind != FigureKindName::ConstantFit;
    let mut first: Option<(Shape, String)> = None;
    for (i, name) in spec.losses.iter().flatten().enumerate() {
        let entry = format!("{path}.losses[{i}]");
        for member in ctx.loss(&entry, name)? {
            let shape = member.loss.shape();
            let row_reason = || {
                format!(
                    "\"{}\" compares whole rows (distributions or classes), not one target \
                     with one prediction",
                    member.label
                )
            };
            if shape == Shape::Rows && !rows_allowed {
                return Err(ctx.rep.invalid(
                    entry,
                    format!(
                        "{}; a {} figure needs elementwise losses",
                        row_reason(),
                        kind_name(spec.kind)
                    ),
                ));
            }
            match &first {
                None => first = Some((shape, member.label.clone())),
                Some((shape0, label0)) if *shape0 != shape => {
                    let reason = match shape {
                        Shape::Rows => format!(
                            "\"{}\" compares whole rows (distributions or classes), but \
                             \"{label0}\" compares one target with one prediction",
                            member.label
                        ),
                        Shape::Elementwise => format!(
                            "\"{}\" compares one target with one prediction, but \"{label0}\" \
                             compares whole rows",
                            member.label
                        ),
                    };
                    return Err(ctx.rep.invalid(
                        entry,
                        format!(
                            "{reason}: they cannot share the x axis of one {} figure (row \
                             losses are drawn along the two-class path [x, 1 − x], elementwise \
                             ones against a residual or prediction); give them separate figures",
                            kind_name(spec.kind)
                        ),
                    ));
                }
                Some(_) => {}
            }
        }
    }
    Ok(())
}

fn check_series(path: &str, series: usize, what: &str, ctx: &Context) -> Result<(), ScenarioError> {
    if series > MAX_SERIES {
        return Err(ctx.rep.invalid(
            path,
            format!("would draw {series} {what}; the limit is {MAX_SERIES}"),
        ));
    }
    Ok(())
}

fn check_points(path: &str, points: usize, ctx: &Context) -> Result<(), ScenarioError> {
    if points > MAX_POINTS {
        return Err(ctx.rep.invalid(
            path,
            format!("would produce {points} points; the limit is {MAX_POINTS}"),
        ));
    }
    Ok(())
}

/// `1 loss`, `3 losses`.
fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn kind_name(kind: FigureKindName) -> &'static str {
    match kind {
        FigureKindName::Data => "data",
        FigureKindName::LossCurve => "loss_curve",
        FigureKindName::Margin => "margin",
        FigureKindName::ConstantFit => "constant_fit",
        FigureKindName::Function => "function",
        FigureKindName::Bars => "bars",
        FigureKindName::NormalKl => "normal_kl",
        FigureKindName::TrainingCurve => "training_curve",
        FigureKindName::ParameterPath => "parameter_path",
        FigureKindName::FitLine => "fit_line",
        FigureKindName::DecisionBoundary => "decision_boundary",
        FigureKindName::Calibration => "calibration",
        FigureKindName::Landscape => "landscape",
        FigureKindName::TrainingSweep => "training_sweep",
        FigureKindName::Histogram => "histogram",
        FigureKindName::Saturation => "saturation",
    }
}

/// Histograms have no `prediction` (refused above as a key of another kind).
fn unreachable_kind(path: &str, rep: &super::error::Reporter) -> Result<FigureKind, ScenarioError> {
    Err(rep.invalid(path, "a histogram takes `datasets`, not `prediction`"))
}

/// Most bins of a histogram figure.
pub const MAX_FIGURE_BINS: usize = 1000;

impl FigureSpec {
    /// A bars figure of discrete distributions (with the same events).
    fn distribution_bars(&self, path: &str, ctx: &Context) -> Result<FigureKind, ScenarioError> {
        let rep = &ctx.rep;
        let missing = |key: &str| rep.invalid(path, format!("needs `{key}` for kind \"bars\""));
        let names = self
            .distributions
            .as_deref()
            .ok_or_else(|| missing("distributions"))?;
        if names.is_empty() {
            return Err(rep.invalid(format!("{path}.distributions"), "is empty"));
        }
        check_series(path, names.len(), "distributions", ctx)?;
        let distributions = names
            .iter()
            .enumerate()
            .map(|(i, n)| ctx.discrete(&format!("{path}.distributions[{i}]"), n))
            .collect::<Result<Vec<_>, _>>()?;
        if let Some((i, d)) = distributions
            .iter()
            .enumerate()
            .find(|(_, d)| d.events != distributions[0].events)
        {
            return Err(rep.invalid(
                format!("{path}.distributions[{i}]"),
                format!(
                    "\"{}\" has other events than the first distribution",
                    d.label
                ),
            ));
        }
        Ok(FigureKind::Bars { distributions })
    }

    /// A `data` figure without a prediction, or a `histogram`: one or more
    /// flat datasets as points, a strip plot or histograms.
    fn datasets_kind(&self, path: &str, ctx: &Context) -> Result<FigureKind, ScenarioError> {
        let rep = &ctx.rep;
        let (names, key) = match (&self.target, &self.datasets) {
            (Some(_), Some(_)) => {
                return Err(rep.invalid(
                    format!("{path}.datasets"),
                    "cannot be given with `target`: a data figure shows a target (and its \
                     prediction) or `datasets`",
                ))
            }
            (Some(target), None) => (vec![target.clone()], "target"),
            (None, Some(names)) if !names.is_empty() => (names.clone(), "datasets"),
            (None, Some(_)) => return Err(rep.invalid(format!("{path}.datasets"), "is empty")),
            (None, None) => {
                return Err(rep.invalid(
                    path,
                    format!(
                        "needs `datasets` (or `target`) for kind \"{}\"",
                        kind_name(self.kind)
                    ),
                ))
            }
        };
        check_series(path, names.len(), "datasets", ctx)?;
        let mut sets = Vec::new();
        for (i, name) in names.iter().enumerate() {
            let at = if key == "target" {
                format!("{path}.target")
            } else {
                format!("{path}.datasets[{i}]")
            };
            let values = ctx.flat(&at, name)?;
            if values.is_empty() {
                return Err(rep.invalid(at, format!("\"{name}\" has no values")));
            }
            sets.push(LabelledData {
                name: name.clone(),
                label: ctx.label(name),
                values,
            });
        }
        let total = sets
            .iter()
            .map(|s| s.values.len())
            .fold(0usize, usize::saturating_add);
        check_points(path, total, ctx)?;
        let draw = match self.kind {
            FigureKindName::Histogram => DataDraw::Histogram,
            _ => self.draw.unwrap_or(DataDraw::Points),
        };
        if draw != DataDraw::Histogram {
            for key in ["bins", "density"] {
                if (key == "bins" && self.bins.is_some())
                    || (key == "density" && self.density.is_some())
                {
                    return Err(rep.invalid(
                        format!("{path}.{key}"),
                        "is used by histograms only (`kind = \"histogram\"` or `draw = \"histogram\"`)",
                    ));
                }
            }
        }
        let bins = self.bins.unwrap_or(20);
        if !(1..=MAX_FIGURE_BINS).contains(&bins) {
            return Err(rep.invalid(
                format!("{path}.bins"),
                format!("must be from 1 to {MAX_FIGURE_BINS}, got {bins}"),
            ));
        }
        Ok(FigureKind::Datasets {
            sets,
            draw,
            bins,
            density: self.density.unwrap_or(false),
        })
    }
}
