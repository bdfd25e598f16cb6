//! The figures of a comparison section, as plain [`FigureData`]: per-sample
//! loss distributions, residual (or true-class probability) distributions,
//! prediction against target, loss concentration, the mean loss as a
//! parameter sweeps, and reliability diagrams for classifiers.
//!
//! Every figure holds a bounded number of marks whatever the number of rows:
//! histograms of [`BINS`] bins, curves of at most [`CURVE_POINTS`] points,
//! and a scatter only up to [`super::MAX_SCATTER_MARKS`] points (a 2-D
//! density of [`DENSITY_BINS`]² cells above).

use rayon::prelude::*;

use super::losses::{classes, means_under};
use super::MAX_SCATTER_MARKS;
use crate::compute::model::{FigureData, Panel, Series, SeriesKind};
use crate::loss::{Data, Loss, ParamValue};
use crate::scenario::ValidComparison;
use crate::stats::{
    concentration_curve, density_2d, histogram, quantiles, reliability_bins, top_label, Binning,
    PairedLosses,
};

/// Bins of a distribution histogram.
const BINS: usize = 40;
/// Points of a concentration curve.
const CURVE_POINTS: usize = 200;
/// Bins per axis of a prediction-against-target density.
const DENSITY_BINS: usize = 40;
/// Shades of a density.
const DENSITY_LEVELS: usize = 5;
/// Losses shown, one panel each, in the distribution and concentration figures.
const MAX_LOSS_PANELS: usize = 6;
/// Values of a swept parameter.
const SWEEP_POINTS: usize = 16;
/// Bins of a reliability diagram.
const RELIABILITY_BINS: usize = 10;
/// Log-binned losses cover at most this many decades below the largest.
const MAX_DECADES: f64 = 8.0;

/// The parameters a sweep figure varies, in order of preference.
const SWEEPABLE: [&str; 4] = ["delta", "beta", "tau", "gamma"];

fn model_series(m: usize, label: &str, kind: SeriesKind, points: Vec<(f64, f64)>) -> Series {
    Series {
        label: label.to_string(),
        kind,
        // One colour per model in every figure; every other model dashed.
        color_key: format!("model {m}"),
        dashed: m % 2 == 1,
        points,
    }
}

fn reference_line(label: &str, points: Vec<(f64, f64)>) -> Series {
    Series {
        label: label.to_string(),
        kind: SeriesKind::Line,
        color_key: "target".into(),
        dashed: true,
        points,
    }
}

fn panel(title: &str, x_label: &str, y_label: &str, x: (f64, f64), y: (f64, f64)) -> Panel {
    Panel {
        title: title.to_string(),
        x_label: x_label.to_string(),
        y_label: y_label.to_string(),
        x_range: x,
        y_range: y,
        categories: Vec::new(),
        series: Vec::new(),
    }
}

fn figure(
    c: &ValidComparison,
    suffix: &str,
    title: &str,
    caption: String,
    panels: Vec<Panel>,
) -> FigureData {
    FigureData {
        name: format!("{}-{suffix}", c.name),
        title: title.to_string(),
        alt: format!(
            "{title}: {}",
            c.models
                .iter()
                .map(|m| m.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ),
        caption,
        columns: panels.len().clamp(1, 3),
        panels,
        options: Default::default(),
    }
}

/// Every figure of the comparison that its data allows.
pub(super) fn figures(
    c: &ValidComparison,
    paired: &PairedLosses,
    kept: &[usize],
) -> Result<Vec<FigureData>, String> {
    let target = select(&c.target, kept);
    let models: Vec<Data> = c.models.iter().map(|m| select(&m.data, kept)).collect();
    let kind = Kind::of(c, &target, &models);
    let mut out = Vec::new();
    out.extend(loss_distribution(c, paired));
    match kind {
        Kind::Regression => {
            out.extend(residuals(c, &target, &models));
            out.extend(scatter(c, &target, &models));
        }
        Kind::Classifier(labels) => {
            out.extend(true_class_probability(c, &labels, &models, &target));
            out.extend(reliability(c, &labels, &models, &target));
        }
        Kind::Other => {}
    }
    out.extend(concentration(c, paired));
    out.extend(sweeps(c, kept)?);
    Ok(out)
}

fn select(data: &Data, kept: &[usize]) -> Data {
    if kept.len() == crate::compute::comparison::rows_of(data) {
        return data.clone();
    }
    match data {
        Data::Flat(v) => Data::Flat(kept.iter().map(|&r| v[r]).collect()),
        Data::Rows(rows) => Data::Rows(kept.iter().map(|&r| rows[r].clone()).collect()),
    }
}

/// What the predictions are, which decides the figures.
enum Kind {
    /// One number per row against a numeric target.
    Regression,
    /// Probabilities (rows, or one per row for a 0/1 target), with the true class of each row.
    Classifier(Vec<usize>),
    /// Anything else (logits, scores): no residual or calibration figure.
    Other,
}

impl Kind {
    fn of(c: &ValidComparison, target: &Data, models: &[Data]) -> Kind {
        let probabilities = |d: &Data| match d {
            Data::Flat(v) => v.iter().all(|p| (0.0..=1.0).contains(p)),
            Data::Rows(rows) => rows.iter().all(|r| {
                r.iter().all(|p| (0.0..=1.0).contains(p))
                    && (r.iter().sum::<f64>() - 1.0).abs() <= 1e-6 * r.len() as f64
            }),
        };
        let takes_probability = c.losses.iter().any(|l| l.member.loss.takes_probability());
        match (target, classes(&c.models)) {
            (Data::Flat(y), Some(k)) if models.iter().all(probabilities) => {
                let labels: Option<Vec<usize>> = y
                    .iter()
                    .map(|&v| (v >= 0.0 && v.fract() == 0.0 && v < k as f64).then_some(v as usize))
                    .collect();
                labels.map_or(Kind::Other, Kind::Classifier)
            }
            (Data::Rows(rows), Some(_)) if models.iter().all(probabilities) => Kind::Classifier(
                rows.iter()
                    .map(|r| {
                        (0..r.len())
                            .max_by(|&a, &b| r[a].total_cmp(&r[b]).then(b.cmp(&a)))
                            .unwrap_or(0)
                    })
                    .collect(),
            ),
            (Data::Flat(y), None)
                if takes_probability
                    && y.iter().all(|&v| v == 0.0 || v == 1.0)
                    && models.iter().all(probabilities) =>
            {
                Kind::Classifier(y.iter().map(|&v| v as usize).collect())
            }
            (Data::Flat(_), None) => Kind::Regression,
            _ => Kind::Other,
        }
    }
}

fn flat(data: &Data) -> &[f64] {
    match data {
        Data::Flat(v) => v,
        Data::Rows(_) => &[],
    }
}

/// A histogram as a step outline of shares of rows: (edge, share) pairs.
fn steps(edges: &[f64], counts: &[u64], n: usize, log: bool) -> Vec<(f64, f64)> {
    let x = |e: f64| if log { e.log10() } else { e };
    let mut points = Vec::with_capacity(2 * counts.len());
    for (k, &count) in counts.iter().enumerate() {
        let share = count as f64 / n as f64;
        points.push((x(edges[k]), share));
        points.push((x(edges[k + 1]), share));
    }
    points
}

fn top_of(panel: &Panel) -> f64 {
    let top = panel
        .series
        .iter()
        .flat_map(|s| s.points.iter().map(|p| p.1))
        .filter(|y| y.is_finite())
        .fold(0.0_f64, f64::max);
    if top > 0.0 {
        top * 1.08
    } else {
        1.0
    }
}

fn loss_distribution(c: &ValidComparison, paired: &PairedLosses) -> Option<FigureData> {
    let n = paired.rows();
    let mut panels = Vec::new();
    let mut notes = Vec::new();
    for (l, loss) in c.losses.iter().enumerate().take(MAX_LOSS_PANELS) {
        let columns: Vec<&[f64]> = (0..c.models.len()).map(|m| paired.column(l, m)).collect();
        let Ok(mut binning) = Binning::auto_shared(&columns, BINS) else {
            continue;
        };
        if let Binning::Log { low, high, .. } = binning {
            let floor = high / 10f64.powf(MAX_DECADES);
            if low < floor {
                binning = Binning::log(floor, high, BINS).unwrap_or(binning);
            }
        }
        let log = matches!(binning, Binning::Log { .. });
        let mut p = panel(
            &loss.member.label,
            if log {
                "per-sample loss (log₁₀)"
            } else {
                "per-sample loss"
            },
            "share of rows",
            (0.0, 1.0),
            (0.0, 1.0),
        );
        for (m, column) in columns.iter().enumerate() {
            let Ok(h) = histogram(column, &binning) else {
                continue;
            };
            if h.below + h.above > 0 {
                notes.push(format!(
                    "{} under {}: {} rows below and {} above the bins",
                    c.models[m].name, loss.member.label, h.below, h.above
                ));
            }
            p.series.push(model_series(
                m,
                &c.models[m].name,
                SeriesKind::Line,
                steps(&h.edges, &h.counts, n, log),
            ));
        }
        let edges = binning.edges();
        let x = |e: f64| if log { e.log10() } else { e };
        p.x_range = (x(edges[0]), x(edges[edges.len() - 1]));
        p.y_range = (0.0, top_of(&p));
        if !p.series.is_empty() {
            panels.push(p);
        }
    }
    if panels.is_empty() {
        return None;
    }
    let mut caption = format!(
        "Distribution of the per-sample losses of each model: share of the {n} rows in each of {BINS} bins \
         (log-spaced, axis in log₁₀, where the losses span two decades or more)."
    );
    if c.losses.len() > MAX_LOSS_PANELS {
        caption.push_str(&format!(
            " The first {MAX_LOSS_PANELS} of {} losses are shown.",
            c.losses.len()
        ));
    }
    if !notes.is_empty() {
        caption.push_str(&format!(
            " Not in the bins (zero losses on a log axis, or beyond {} decades): {}.",
            MAX_DECADES,
            notes.join("; ")
        ));
    }
    Some(figure(
        c,
        "loss-distribution",
        "Per-sample loss distribution",
        caption,
        panels,
    ))
}

/// The 0.5 % and 99.5 % quantiles of several series pooled, widened if equal.
fn central_range(columns: &[&[f64]]) -> Option<(f64, f64)> {
    let pooled: Vec<f64> = columns
        .iter()
        .flat_map(|c| c.iter().copied())
        .filter(|x| x.is_finite())
        .collect();
    let q = quantiles(&pooled, &[0.005, 0.995]).ok()?;
    let (mut low, mut high) = (q[0], q[1]);
    if high <= low || high.is_nan() || low.is_nan() {
        low -= 0.5;
        high += 0.5;
    }
    Some((low, high))
}

fn residuals(c: &ValidComparison, target: &Data, models: &[Data]) -> Option<FigureData> {
    let y = flat(target);
    let residuals: Vec<Vec<f64>> = models
        .iter()
        .map(|d| flat(d).iter().zip(y).map(|(p, t)| p - t).collect())
        .collect();
    let refs: Vec<&[f64]> = residuals.iter().map(Vec::as_slice).collect();
    let (low, high) = central_range(&refs)?;
    let binning = Binning::linear(low, high, BINS).ok()?;
    let mut p = panel(
        "",
        "residual a = ŷ − y",
        "share of rows",
        (low, high),
        (0.0, 1.0),
    );
    let mut outside = Vec::new();
    for (m, r) in residuals.iter().enumerate() {
        let h = histogram(r, &binning).ok()?;
        outside.push(format!("{} {}", c.models[m].name, h.below + h.above));
        p.series.push(model_series(
            m,
            &c.models[m].name,
            SeriesKind::Line,
            steps(&h.edges, &h.counts, y.len(), false),
        ));
    }
    p.y_range = (0.0, top_of(&p));
    let caption = format!(
        "Distribution of the residuals ŷ − y of each model between the 0.5 % and 99.5 % quantiles of all \
         residuals; rows outside that range (gross errors): {}.",
        outside.join(", ")
    );
    Some(figure(
        c,
        "residuals",
        "Residual distribution",
        caption,
        vec![p],
    ))
}

fn scatter(c: &ValidComparison, target: &Data, models: &[Data]) -> Option<FigureData> {
    let y = flat(target);
    let mut columns: Vec<&[f64]> = vec![y];
    columns.extend(models.iter().map(flat));
    let (low, high) = central_range(&columns)?;
    let marks = y.len() * models.len();
    let diagonal = reference_line("ŷ = y", vec![(low, low), (high, high)]);
    let mut panels = Vec::new();
    for (m, d) in models.iter().enumerate() {
        let mut p = panel(
            &c.models[m].name,
            "target y",
            "prediction ŷ",
            (low, high),
            (low, high),
        );
        if marks <= MAX_SCATTER_MARKS {
            let points = y.iter().zip(flat(d)).map(|(&t, &p)| (t, p)).collect();
            p.series.push(model_series(
                m,
                &c.models[m].name,
                SeriesKind::Points,
                points,
            ));
        } else {
            let binning = Binning::linear(low, high, DENSITY_BINS).ok()?;
            let density = density_2d(y, flat(d), &binning, &binning).ok()?;
            p.series.extend(density_series(&density));
        }
        p.series.push(diagonal.clone());
        panels.push(p);
    }
    let how = if marks <= MAX_SCATTER_MARKS {
        "one point per row".to_string()
    } else {
        format!(
            "a 2-D density: rows counted in {DENSITY_BINS} × {DENSITY_BINS} cells, shaded on a log scale \
             ({} points would not be readable)",
            marks
        )
    };
    let caption = format!(
        "Prediction against target for each model, {how}, between the 0.5 % and 99.5 % quantiles of all \
         targets and predictions; the dashed line is ŷ = y."
    );
    Some(figure(
        c,
        "scatter",
        "Prediction against target",
        caption,
        panels,
    ))
}

/// A density as cell series, one per shade: `points` holds each cell's
/// lower-left and upper-right corners in turn, `color_key` its shade.
fn density_series(density: &crate::stats::Density2d) -> Vec<Series> {
    let max = density.max_count();
    if max == 0 {
        return Vec::new();
    }
    let (xe, ye) = (&density.x_edges, &density.y_edges);
    let level = |count: u64| -> usize {
        if max == 1 {
            return DENSITY_LEVELS;
        }
        let share = (count as f64).ln() / (max as f64).ln();
        ((share * DENSITY_LEVELS as f64).ceil() as usize).clamp(1, DENSITY_LEVELS)
    };
    let mut by_level: Vec<Vec<(f64, f64)>> = vec![Vec::new(); DENSITY_LEVELS];
    let mut bounds = vec![(u64::MAX, 0u64); DENSITY_LEVELS];
    for yi in 0..ye.len() - 1 {
        for xi in 0..xe.len() - 1 {
            let count = density.count(xi, yi);
            if count == 0 {
                continue;
            }
            let k = level(count) - 1;
            by_level[k].push((xe[xi], ye[yi]));
            by_level[k].push((xe[xi + 1], ye[yi + 1]));
            bounds[k] = (bounds[k].0.min(count), bounds[k].1.max(count));
        }
    }
    by_level
        .into_iter()
        .zip(bounds)
        .enumerate()
        .filter(|(_, (points, _))| !points.is_empty())
        .map(|(k, (points, (low, high)))| Series {
            label: if low == high {
                format!("{low} rows")
            } else {
                format!("{low}–{high} rows")
            },
            kind: SeriesKind::Cells,
            color_key: format!("density:{}:{DENSITY_LEVELS}", k + 1),
            dashed: false,
            points,
        })
        .collect()
}

/// Per row, the probability each model gives the true class.
fn true_class(labels: &[usize], model: &Data) -> Vec<f64> {
    match model {
        Data::Rows(rows) => rows.iter().zip(labels).map(|(r, &k)| r[k]).collect(),
        Data::Flat(p) => p
            .iter()
            .zip(labels)
            .map(|(&p, &k)| if k == 1 { p } else { 1.0 - p })
            .collect(),
    }
}

fn true_class_probability(
    c: &ValidComparison,
    labels: &[usize],
    models: &[Data],
    _target: &Data,
) -> Option<FigureData> {
    let binning = Binning::linear(0.0, 1.0, 20).ok()?;
    let mut p = panel(
        "",
        "predicted probability of the true class",
        "share of rows",
        (0.0, 1.0),
        (0.0, 1.0),
    );
    for (m, d) in models.iter().enumerate() {
        let h = histogram(&true_class(labels, d), &binning).ok()?;
        p.series.push(model_series(
            m,
            &c.models[m].name,
            SeriesKind::Line,
            steps(&h.edges, &h.counts, labels.len(), false),
        ));
    }
    p.y_range = (0.0, top_of(&p));
    let caption =
        "Distribution of the probability each model gives the true class of a row (20 bins): \
                   a confident and right model piles up at 1, an overconfident one also near 0."
            .to_string();
    Some(figure(
        c,
        "true-class-probability",
        "Predicted probability of the true class",
        caption,
        vec![p],
    ))
}

fn reliability(
    c: &ValidComparison,
    labels: &[usize],
    models: &[Data],
    _target: &Data,
) -> Option<FigureData> {
    let mut p = panel(
        "",
        "predicted probability (top class)",
        "observed frequency",
        (0.0, 1.0),
        (0.0, 1.0),
    );
    p.series.push(reference_line(
        "perfect calibration",
        vec![(0.0, 0.0), (1.0, 1.0)],
    ));
    for (m, d) in models.iter().enumerate() {
        let (confidence, correct) = match d {
            Data::Rows(rows) => top_label(rows, labels).ok()?,
            Data::Flat(v) => (v.clone(), labels.iter().map(|&k| k as f64).collect()),
        };
        let bins = reliability_bins(&confidence, &correct, RELIABILITY_BINS).ok()?;
        let points: Vec<(f64, f64)> = bins
            .iter()
            .filter_map(|b| Some((b.mean_predicted?, b.observed_frequency?)))
            .collect();
        p.series.push(model_series(
            m,
            &c.models[m].name,
            SeriesKind::Line,
            points.clone(),
        ));
        p.series.push(Series {
            label: String::new(),
            ..model_series(m, "", SeriesKind::Points, points)
        });
    }
    let caption = format!(
        "Reliability diagram: rows binned by the predicted probability of the top class ({RELIABILITY_BINS} \
         equal bins), mean prediction against the share of rows where the top class is right. Below the \
         diagonal: overconfident."
    );
    Some(figure(
        c,
        "reliability",
        "Reliability (calibration)",
        caption,
        vec![p],
    ))
}

fn concentration(c: &ValidComparison, paired: &PairedLosses) -> Option<FigureData> {
    let mut panels = Vec::new();
    let mut skipped = Vec::new();
    for (l, loss) in c.losses.iter().enumerate().take(MAX_LOSS_PANELS) {
        let mut p = panel(
            &loss.member.label,
            "share of rows, worst first",
            "share of the total loss",
            (0.0, 1.0),
            (0.0, 1.0),
        );
        p.series
            .push(reference_line("equal shares", vec![(0.0, 0.0), (1.0, 1.0)]));
        for (m, model) in c.models.iter().enumerate() {
            match concentration_curve(paired.column(l, m), CURVE_POINTS) {
                Ok(curve) => p
                    .series
                    .push(model_series(m, &model.name, SeriesKind::Line, curve)),
                Err(e) => skipped.push(format!("{} under {} ({e})", model.name, loss.member.label)),
            }
        }
        if p.series.len() > 1 {
            panels.push(p);
        }
    }
    if panels.is_empty() {
        return None;
    }
    let mut caption =
        "Loss concentration: the share of each model's total loss carried by its worst x % of \
                       rows. A curve that rises steeply means a few gross errors carry the mean."
            .to_string();
    if !skipped.is_empty() {
        caption.push_str(&format!(" Not drawn: {}.", skipped.join("; ")));
    }
    Some(figure(
        c,
        "concentration",
        "Loss concentration",
        caption,
        panels,
    ))
}

/// The parameter of `loss` a sweep figure varies, and its grid.
fn sweep_grid(loss: &Loss, values: &[f64]) -> Option<(&'static str, Vec<f64>, bool)> {
    let params = loss.params();
    let name = SWEEPABLE
        .iter()
        .copied()
        .find(|p| matches!(params.get(*p), Some(ParamValue::Number(_))))?;
    let (low, high) = values
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| {
            (a.min(v), b.max(v))
        });
    let linear = |a: f64, b: f64| {
        (0..SWEEP_POINTS)
            .map(|k| a + (b - a) * k as f64 / (SWEEP_POINTS - 1) as f64)
            .collect()
    };
    match name {
        "tau" => Some((name, linear(0.05, 0.95), false)),
        "gamma" => Some((name, linear(0.0, (2.0 * high).max(5.0)), false)),
        _ if low > 0.0 && high.is_finite() => {
            let (a, b) = ((low / 4.0).ln(), (high * 4.0).ln());
            Some((
                name,
                (0..SWEEP_POINTS)
                    .map(|k| (a + (b - a) * k as f64 / (SWEEP_POINTS - 1) as f64).exp())
                    .collect(),
                true,
            ))
        }
        _ => None,
    }
}

fn sweeps(c: &ValidComparison, kept: &[usize]) -> Result<Option<FigureData>, String> {
    let mut entries: Vec<&str> = c.losses.iter().map(|l| l.entry.as_str()).collect();
    entries.dedup();
    let mut panels = Vec::new();
    for entry in entries.into_iter().take(4) {
        let members: Vec<&Loss> = c
            .losses
            .iter()
            .filter(|l| l.entry == entry)
            .map(|l| &l.member.loss)
            .collect();
        let first = members[0];
        let Some(name) = SWEEPABLE
            .iter()
            .find(|p| matches!(first.params().get(**p), Some(ParamValue::Number(_))))
        else {
            continue;
        };
        let values: Vec<f64> = members
            .iter()
            .filter_map(|l| match l.params().get(*name) {
                Some(ParamValue::Number(v)) => Some(*v),
                _ => None,
            })
            .collect();
        let Some((param, grid, log)) = sweep_grid(first, &values) else {
            continue;
        };
        let means: Vec<Vec<f64>> = grid
            .par_iter()
            .map(|&v| {
                let mut params = first.params();
                params.insert(param.to_string(), ParamValue::Number(v));
                let loss = Loss::new(first.name(), &params).map_err(|e| e.to_string())?;
                means_under(&loss, c, kept)
            })
            .collect::<Result<_, String>>()?;
        let x = |v: f64| if log { v.log10() } else { v };
        let x_label = if log {
            format!("{param} (log₁₀)")
        } else {
            param.to_string()
        };
        let mut p = panel(
            first.display_name(),
            &x_label,
            "mean loss",
            (x(grid[0]), x(grid[grid.len() - 1])),
            (0.0, 1.0),
        );
        for (m, model) in c.models.iter().enumerate() {
            let points = grid
                .iter()
                .zip(&means)
                .map(|(&v, row)| (x(v), row[m]))
                .collect();
            p.series
                .push(model_series(m, &model.name, SeriesKind::Line, points));
        }
        let finite = means.iter().flatten().copied().filter(|v| v.is_finite());
        let (low, high) = finite.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
            (a.min(v), b.max(v))
        });
        if !(low.is_finite() && high.is_finite()) {
            continue;
        }
        let pad = ((high - low) * 0.06).max(high.abs() * 1e-6).max(1e-12);
        p.y_range = (
            (low - pad).max(if low >= 0.0 { 0.0 } else { f64::NEG_INFINITY }),
            high + pad,
        );
        panels.push(p);
    }
    if panels.is_empty() {
        return Ok(None);
    }
    let caption = format!(
        "Mean loss of each model as the loss's parameter sweeps over {SWEEP_POINTS} values around those of the \
         comparison: where the curves cross, the winner changes."
    );
    Ok(Some(figure(
        c,
        "sweep",
        "Mean loss as the parameter sweeps",
        caption,
        panels,
    )))
}
