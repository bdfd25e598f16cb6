//! Figures of trainings: loss curves against the step, parameter paths,
//! fitted lines over the data, decision boundaries with margins, reliability
//! diagrams, loss-landscape slices, and a final value against a sweep.
//!
//! Every figure keeps its marks bounded whatever the training's length: a
//! curve of many steps is thinned to at most [`MAX_CURVE_POINTS`] points,
//! keeping each bucket's lowest and highest value (so an oscillation stays
//! visible), and level lines are joined into one path each.

use super::contour::level_lines;
use super::model::{Panel, Series, SeriesKind};
use super::panel::{auto_range, panel};
use super::training::{MemberRecord, TrainingRecord};
use crate::scenario::{
    Directions, TrainingFigure, TrainingFigureKind, TrainingSamples, ValidFigure, ValidTraining,
};
use crate::train::{DirectionSpec, Samples};

/// Most points a curve of one member keeps.
pub const MAX_CURVE_POINTS: usize = 1_000;

/// The trainings of a scenario with their results.
#[derive(Clone, Copy)]
pub struct Trained<'a> {
    pub trainings: &'a [ValidTraining],
    pub records: &'a [TrainingRecord],
}

/// One member of one training, as a figure draws it.
struct Shown<'a> {
    training: &'a ValidTraining,
    record: &'a MemberRecord,
    member: usize,
    /// Label: the member's, or the training's when it has one member only
    /// and the figure shows several trainings.
    label: String,
}

/// The members a figure (or one frame of it) shows.
fn shown<'a>(tf: &TrainingFigure, trained: Trained<'a>, frame: Option<usize>) -> Vec<Shown<'a>> {
    let several = tf.trainings.len() > 1;
    let mut out = Vec::new();
    for &t in &tf.trainings {
        let training = &trained.trainings[t];
        let record = &trained.records[t];
        for (m, run) in record.members.iter().enumerate() {
            if frame.is_some_and(|f| f != m) && record.members.len() > 1 {
                continue;
            }
            let label = if several && (record.members.len() == 1 || frame.is_some()) {
                training.label.clone()
            } else {
                run.label.clone()
            };
            out.push(Shown {
                training,
                record: run,
                member: m,
                label,
            });
        }
    }
    out
}

/// Panels and columns of a training figure (of frame `frame` when exploring).
pub fn figure(
    spec: &ValidFigure,
    tf: &TrainingFigure,
    trained: Trained<'_>,
    frame: Option<usize>,
) -> Result<(Vec<Panel>, usize), String> {
    let members = shown(tf, trained, frame);
    let (mut panels, columns) = draw(spec, tf, trained, &members)?;
    panels
        .iter_mut()
        .for_each(|p| distinct_colors(&mut p.series));
    Ok((panels, columns))
}

/// Two trainings with the same loss (MAE with a fixed and a decaying step)
/// would share the loss's colour: the second and later ones get a colour of
/// their own (a key `loss:n`) and a dashed line. Unlabelled series (end
/// markers) follow the labelled series of their key drawn last before them.
fn distinct_colors(series: &mut [Series]) {
    let mut first_label: std::collections::BTreeMap<String, String> = Default::default();
    let mut current: std::collections::BTreeMap<String, (String, bool)> = Default::default();
    let mut renamed = 0;
    for s in series.iter_mut() {
        let key = s.color_key.clone();
        if s.label.is_empty() {
            if let Some((k, dashed)) = current.get(&key) {
                s.color_key = k.clone();
                s.dashed |= *dashed && s.kind == SeriesKind::Line;
            }
            continue;
        }
        match first_label.get(&key) {
            None => {
                first_label.insert(key.clone(), s.label.clone());
                current.insert(key, (s.color_key.clone(), false));
            }
            Some(label) if *label == s.label => {}
            Some(_) => {
                renamed += 1;
                s.color_key = format!("{key}:{renamed}");
                s.dashed |= s.kind == SeriesKind::Line;
                current.insert(key, (s.color_key.clone(), true));
            }
        }
    }
}

fn draw(
    spec: &ValidFigure,
    tf: &TrainingFigure,
    trained: Trained<'_>,
    members: &[Shown<'_>],
) -> Result<(Vec<Panel>, usize), String> {
    let label = |given: &Option<String>, default: &str| given.clone().unwrap_or(default.into());
    let one = |x_label: &str, y_label: &str, x_span: (f64, f64), series: Vec<Series>| {
        let x = label(&spec.x_label, x_label);
        let y = label(&spec.y_label, y_label);
        Ok((vec![panel(spec, 0, String::new(), x, y, x_span, series)], 1))
    };
    match tf.kind {
        TrainingFigureKind::Curve => {
            let series: Vec<Series> = members
                .iter()
                .map(|m| {
                    let floor = if tf.excess { m.record.min_loss } else { 0.0 };
                    let points = m
                        .record
                        .history
                        .losses
                        .iter()
                        .enumerate()
                        .map(|(t, &l)| (t as f64, l - floor))
                        .collect::<Vec<_>>();
                    line(&m.label, &m.record.color_key, thin(&points))
                })
                .collect();
            let steps = members
                .iter()
                .map(|m| m.record.history.losses.len())
                .max()
                .unwrap_or(1);
            let y = if tf.excess {
                "loss − lowest loss of the run"
            } else {
                "loss"
            };
            one("step t", y, (0.0, (steps.max(2) - 1) as f64), series)
        }
        TrainingFigureKind::ParameterPath => parameter_path(spec, tf, members),
        TrainingFigureKind::FitLine => fit_line(spec, members),
        TrainingFigureKind::DecisionBoundary => boundary(spec, members),
        TrainingFigureKind::Calibration => calibration(spec, tf, members),
        TrainingFigureKind::Landscape => landscape(spec, tf, members),
        TrainingFigureKind::Sweep => {
            let mut series = Vec::new();
            for &t in &tf.trainings {
                let (training, record) = (&trained.trainings[t], &trained.records[t]);
                let points: Vec<(f64, f64)> = record
                    .members
                    .iter()
                    .enumerate()
                    .map(|(m, run)| {
                        let value = super::training::value_of(
                            training,
                            record,
                            m,
                            tf.value,
                            tf.parameters.first().copied(),
                        );
                        (run.sweep_value.unwrap_or(m as f64), value)
                    })
                    .collect();
                let key = &record.members[0].color_key;
                series.push(line(&training.label, key, points.clone()));
                series.push(dots("", key, points));
            }
            let x_span = auto_range(series.iter().flat_map(|s| s.points.iter().map(|p| p.0)));
            let sweep = trained.trainings[tf.trainings[0]]
                .sweep
                .clone()
                .unwrap_or_default();
            let y = match tf.value {
                crate::scenario::TrainingValue::Parameter => trained.trainings[tf.trainings[0]]
                    .parameter_names()
                    .get(tf.parameters[0])
                    .cloned()
                    .unwrap_or_default(),
                _ => "final loss".into(),
            };
            let x = if sweep == "outliers" {
                "share of outliers".to_string()
            } else {
                sweep
            };
            one(&x, &y, x_span, series)
        }
    }
}

fn line(label: &str, key: &str, points: Vec<(f64, f64)>) -> Series {
    Series {
        label: label.to_string(),
        kind: SeriesKind::Line,
        color_key: key.to_string(),
        dashed: false,
        points,
    }
}

fn dots(label: &str, key: &str, points: Vec<(f64, f64)>) -> Series {
    Series {
        kind: SeriesKind::Points,
        ..line(label, key, points)
    }
}

/// At most [`MAX_CURVE_POINTS`] points: each bucket of consecutive points
/// keeps its lowest and highest, in step order.
pub fn thin(points: &[(f64, f64)]) -> Vec<(f64, f64)> {
    if points.len() <= MAX_CURVE_POINTS {
        return points.to_vec();
    }
    let bucket = points.len().div_ceil(MAX_CURVE_POINTS / 2);
    let mut out = Vec::with_capacity(MAX_CURVE_POINTS + 2);
    for chunk in points.chunks(bucket) {
        let low = chunk
            .iter()
            .enumerate()
            .min_by(|a, b| a.1 .1.total_cmp(&b.1 .1))
            .map(|(i, _)| i)
            .unwrap_or(0);
        let high = chunk
            .iter()
            .enumerate()
            .max_by(|a, b| a.1 .1.total_cmp(&b.1 .1))
            .map(|(i, _)| i)
            .unwrap_or(0);
        let (first, second) = (low.min(high), low.max(high));
        out.push(chunk[first]);
        if second != first {
            out.push(chunk[second]);
        }
    }
    if out.last() != points.last() {
        out.extend(points.last());
    }
    out
}

fn parameter_path(
    spec: &ValidFigure,
    tf: &TrainingFigure,
    members: &[Shown<'_>],
) -> Result<(Vec<Panel>, usize), String> {
    let names = members
        .first()
        .map(|m| m.training.parameter_names())
        .unwrap_or_default();
    let name = |k: usize| names.get(tf.parameters[k]).cloned().unwrap_or_default();
    let mut series = Vec::new();
    let (x_label, y_label, x_span);
    if let [a, b] = tf.parameters[..] {
        for m in members {
            let path: Vec<(f64, f64)> = m
                .record
                .history
                .path
                .iter()
                .map(|p| (p.parameters[a], p.parameters[b]))
                .collect();
            let end: Vec<(f64, f64)> = path.last().copied().into_iter().collect();
            series.push(line(&m.label, &m.record.color_key, thin_path(&path)));
            series.push(dots("", &m.record.color_key, end));
        }
        let mut starts: Vec<(f64, f64)> = members
            .iter()
            .filter_map(|m| m.record.history.path.first())
            .map(|p| (p.parameters[a], p.parameters[b]))
            .collect();
        starts.dedup();
        series.push(Series {
            dashed: true,
            ..dots("start", "target", starts)
        });
        x_label = name(0);
        y_label = name(1);
        x_span = auto_range(series.iter().flat_map(|s| s.points.iter().map(|p| p.0)));
    } else {
        let a = tf.parameters[0];
        for m in members {
            let path: Vec<(f64, f64)> = m
                .record
                .history
                .path
                .iter()
                .map(|p| (p.step as f64, p.parameters[a]))
                .collect();
            series.push(line(&m.label, &m.record.color_key, thin(&path)));
        }
        x_label = "step t".to_string();
        y_label = name(0);
        x_span = auto_range(series.iter().flat_map(|s| s.points.iter().map(|p| p.0)));
    }
    let x = spec.x_label.clone().unwrap_or(x_label);
    let y = spec.y_label.clone().unwrap_or(y_label);
    Ok((vec![panel(spec, 0, String::new(), x, y, x_span, series)], 1))
}

/// A path in a plane keeps every [`MAX_CURVE_POINTS`]-th share of its points
/// (and its last): thinning by value would break the path's order.
fn thin_path(points: &[(f64, f64)]) -> Vec<(f64, f64)> {
    let stride = points.len().div_ceil(MAX_CURVE_POINTS).max(1);
    let mut out: Vec<(f64, f64)> = points.iter().step_by(stride).copied().collect();
    if out.last() != points.last() {
        out.extend(points.last());
    }
    out
}

fn points_of<'a>(m: &'a Shown<'_>) -> Option<&'a crate::scenario::PointData> {
    match &m.training.members[m.member].samples {
        TrainingSamples::Points(p) => Some(p),
        TrainingSamples::Density(_) => None,
    }
}

fn fit_line(spec: &ValidFigure, members: &[Shown<'_>]) -> Result<(Vec<Panel>, usize), String> {
    if let Some(TrainingSamples::Density(_)) = members
        .first()
        .map(|m| &m.training.members[m.member].samples)
    {
        return fit_density(spec, members);
    }
    let data = members
        .first()
        .and_then(points_of)
        .ok_or("a fit_line figure needs point data")?;
    let xs: Vec<f64> = if data.dim == 0 {
        (0..data.targets.len()).map(|i| i as f64).collect()
    } else {
        data.inputs.clone()
    };
    let (lo, hi) = xs
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &x| {
            (a.min(x), b.max(x))
        });
    // Black points: the data never take a loss's colour.
    let mut series = vec![dots(
        "data",
        "y",
        xs.iter()
            .copied()
            .zip(data.targets.iter().copied())
            .collect(),
    )];
    for m in members {
        let problem = &m.training.members[m.member].problem;
        let ends = Samples::new(vec![lo, hi], 1).map_err(|e| e.to_string())?;
        let params = &m.record.history.final_parameters;
        let y = problem
            .predict_at(params, &ends)
            .map_err(|e| e.to_string())?;
        series.push(line(
            &m.label,
            &m.record.color_key,
            vec![(lo, y[0]), (hi, y[1])],
        ));
    }
    let x = spec.x_label.clone().unwrap_or(if data.dim == 0 {
        "sample index i".into()
    } else {
        "x".into()
    });
    let y = spec.y_label.clone().unwrap_or("y".into());
    let span = auto_range([lo, hi].into_iter());
    let mut p = panel(spec, 0, String::new(), x, y, span, series);
    // The data, not an outlier's line, sets the vertical range.
    if spec.y_range.is_none() {
        p.y_range = auto_range(data.targets.iter().copied());
    }
    Ok((vec![p], 1))
}

/// The target mixture's density and each fitted normal's, on the grid.
fn fit_density(spec: &ValidFigure, members: &[Shown<'_>]) -> Result<(Vec<Panel>, usize), String> {
    let mut series = Vec::new();
    let mut span = (0.0, 1.0);
    for (k, m) in members.iter().enumerate() {
        let TrainingSamples::Density(d) = &m.training.members[m.member].samples else {
            return Err("a fitted density needs a mixture".into());
        };
        if k == 0 {
            let target = d.grid.iter().zip(&d.masses).map(|(&x, &p)| (x, p / d.cell));
            series.push(line("target p (mixture)", "target", target.collect()));
            span = (d.grid[0], d.grid[d.grid.len() - 1]);
        }
        let problem = &m.training.members[m.member].problem;
        let q = problem
            .predict(&m.record.history.final_parameters)
            .map_err(|e| e.to_string())?;
        let fitted = d.grid.iter().zip(&q).map(|(&x, &q)| (x, q / d.cell));
        series.push(Series {
            dashed: true,
            ..line(
                &m.label,
                &m.record.color_key,
                thin_path(&fitted.collect::<Vec<_>>()),
            )
        });
    }
    if let Some(first) = series.first_mut() {
        first.points = thin_path(&first.points);
    }
    let x = spec.x_label.clone().unwrap_or("x".into());
    let y = spec.y_label.clone().unwrap_or("density".into());
    let mut p = panel(spec, 0, String::new(), x, y, span, series);
    if spec.y_range.is_none() {
        p.y_range.0 = 0.0;
    }
    Ok((vec![p], 1))
}

/// A grid over the data's bounding box, 10 % wider on each side.
fn grid_over(data: &crate::scenario::PointData) -> (Vec<f64>, Vec<f64>) {
    let n = crate::scenario::BOUNDARY_RESOLUTION;
    let axis = |k: usize| {
        let (lo, hi) = auto_range(data.inputs.iter().skip(k).step_by(2).copied());
        let (lo, hi) = (lo - 0.05 * (hi - lo), hi + 0.05 * (hi - lo));
        (0..n)
            .map(|i| lo + (hi - lo) * i as f64 / (n - 1) as f64)
            .collect::<Vec<f64>>()
    };
    (axis(0), axis(1))
}

fn boundary(spec: &ValidFigure, members: &[Shown<'_>]) -> Result<(Vec<Panel>, usize), String> {
    let m = members.first().ok_or("nothing to draw")?;
    let data = points_of(m).ok_or("a decision_boundary figure needs point data")?;
    let problem = &m.training.members[m.member].problem;
    let params = &m.record.history.final_parameters;
    let (xs, ys) = grid_over(data);
    let inputs: Vec<f64> = ys
        .iter()
        .flat_map(|&y| xs.iter().flat_map(move |&x| [x, y]))
        .collect();
    let grid = Samples::new(inputs, 2).map_err(|e| e.to_string())?;
    let scores = problem
        .predict_at(params, &grid)
        .map_err(|e| e.to_string())?;
    let width = problem.outputs();
    let mut series = Vec::new();
    let classes = data.classes().max(width);
    for c in 0..classes {
        let points: Vec<(f64, f64)> = data
            .inputs
            .chunks(2)
            .zip(&data.targets)
            .filter(|(_, &y)| y == c as f64)
            .map(|(x, _)| (x[0], x[1]))
            .collect();
        series.push(dots(&format!("class {c}"), &format!("class{c}"), points));
    }
    // Level lines of one field per boundary: the score z for one output
    // (boundary z = 0, margins z = ±1); z_c − max_{k≠c} z_k for several.
    let field = |f: &dyn Fn(&[f64]) -> f64| -> Vec<Vec<f64>> {
        scores
            .chunks(width * xs.len())
            .map(|row| row.chunks(width).map(f).collect())
            .collect()
    };
    let joined = |lines: Vec<Vec<(f64, f64)>>| -> Vec<(f64, f64)> {
        let mut out = Vec::new();
        for l in lines {
            if !out.is_empty() {
                out.push((f64::NAN, f64::NAN));
            }
            out.extend(l);
        }
        out
    };
    if width == 1 {
        let z = field(&|row| row[0]);
        series.push(line(
            "boundary z = 0",
            "boundary",
            joined(level_lines(&xs, &ys, &z, 0.0)),
        ));
        let mut margins = joined(level_lines(&xs, &ys, &z, 1.0));
        margins.push((f64::NAN, f64::NAN));
        margins.extend(joined(level_lines(&xs, &ys, &z, -1.0)));
        series.push(Series {
            dashed: true,
            ..line("margins z = ±1", "boundary", margins)
        });
    } else {
        let mut all = Vec::new();
        for c in 0..width {
            let f = field(&|row: &[f64]| {
                let others = row
                    .iter()
                    .enumerate()
                    .filter(|(k, _)| *k != c)
                    .fold(f64::NEG_INFINITY, |m, (_, &z)| m.max(z));
                row[c] - others
            });
            if !all.is_empty() {
                all.push((f64::NAN, f64::NAN));
            }
            all.extend(joined(level_lines(&xs, &ys, &f, 0.0)));
        }
        series.push(line("boundaries", "boundary", all));
    }
    let x = spec.x_label.clone().unwrap_or("x₁".into());
    let y = spec.y_label.clone().unwrap_or("x₂".into());
    let title = format!(
        "{}: accuracy {:.1} %",
        m.label,
        100.0 * m.record.accuracy.unwrap_or(f64::NAN)
    );
    let mut p = panel(spec, 0, title, x, y, (xs[0], xs[xs.len() - 1]), series);
    if spec.y_range.is_none() {
        p.y_range = (ys[0], ys[ys.len() - 1]);
    }
    Ok((vec![p], 1))
}

fn calibration(
    spec: &ValidFigure,
    tf: &TrainingFigure,
    members: &[Shown<'_>],
) -> Result<(Vec<Panel>, usize), String> {
    let mut series = vec![Series {
        dashed: true,
        ..line("calibrated", "target", vec![(0.0, 0.0), (1.0, 1.0)])
    }];
    for m in members {
        let data = points_of(m).ok_or("a calibration figure needs point data")?;
        let problem = &m.training.members[m.member].problem;
        let scores = problem
            .predict(&m.record.history.final_parameters)
            .map_err(|e| e.to_string())?;
        // σ(z), written to stay exact for large |z|.
        let p: Vec<f64> = scores
            .iter()
            .map(|&z| {
                if z >= 0.0 {
                    1.0 / (1.0 + (-z).exp())
                } else {
                    z.exp() / (1.0 + z.exp())
                }
            })
            .collect();
        let bins = crate::stats::reliability_bins(&p, &data.targets, tf.bins)
            .map_err(|e| e.to_string())?;
        let points: Vec<(f64, f64)> = bins
            .iter()
            .filter_map(|b| Some((b.mean_predicted?, b.observed_frequency?)))
            .collect();
        series.push(line(&m.label, &m.record.color_key, points.clone()));
        series.push(dots("", &m.record.color_key, points));
    }
    let x = spec
        .x_label
        .clone()
        .unwrap_or("mean predicted P(y = 1) = σ(z)".into());
    let y = spec
        .y_label
        .clone()
        .unwrap_or("observed frequency of y = 1".into());
    let mut p = panel(spec, 0, String::new(), x, y, (0.0, 1.0), series);
    if spec.y_range.is_none() {
        p.y_range = (-0.02, 1.02);
    }
    Ok((vec![p], 1))
}

fn landscape(
    spec: &ValidFigure,
    tf: &TrainingFigure,
    members: &[Shown<'_>],
) -> Result<(Vec<Panel>, usize), String> {
    let budget = crate::train::Budget::default();
    let alphas: Vec<f64> = (0..tf.points)
        .map(|i| -tf.span + 2.0 * tf.span * i as f64 / (tf.points - 1) as f64)
        .collect();
    let mut series = Vec::new();
    for m in members {
        let problem = &m.training.members[m.member].problem;
        let centre = &m.record.history.final_parameters;
        let direction = |k: usize| -> Result<Vec<f64>, String> {
            let spec = match &tf.directions {
                Directions::Random { seed } => DirectionSpec::Random {
                    seed: seed.wrapping_add(k as u64),
                },
                Directions::Given(d) => DirectionSpec::Given(d[k].clone()),
            };
            problem.direction(centre, &spec).map_err(|e| e.to_string())
        };
        if tf.dimensions == 1 {
            let d = direction(0)?;
            let slice = problem
                .slice_1d(centre, &d, &alphas, &budget)
                .map_err(|e| e.to_string())?;
            let points = alphas
                .iter()
                .zip(&slice.losses)
                .map(|(&a, l)| (a, l.unwrap_or(f64::NAN)))
                .collect();
            series.push(line(&m.label, &m.record.color_key, points));
        } else {
            let (dx, dy) = (direction(0)?, direction(1)?);
            let slice = problem
                .slice_2d(centre, [&dx, &dy], &alphas, &alphas, &budget)
                .map_err(|e| e.to_string())?;
            let values: Vec<Vec<f64>> = slice
                .losses
                .iter()
                .map(|row| row.iter().map(|l| l.unwrap_or(f64::NAN)).collect())
                .collect();
            series.extend(contours(&alphas, &values, &m.record.color_key));
            series.push(dots("minimum found", "target", vec![(0.0, 0.0)]));
        }
    }
    let (x, y) = if tf.dimensions == 1 {
        ("α along d (θ = θ* + α d)", "loss")
    } else {
        ("α along d₁", "β along d₂")
    };
    let x = spec.x_label.clone().unwrap_or(x.into());
    let y = spec.y_label.clone().unwrap_or(y.into());
    let span = (-tf.span, tf.span);
    let mut p = panel(spec, 0, String::new(), x, y, span, series);
    if tf.dimensions == 2 && spec.y_range.is_none() {
        p.y_range = span;
    }
    Ok((vec![p], 1))
}

/// Level lines at ten levels spread evenly in log(loss − min) between the
/// slice's lowest and highest values, so a valley shows as well as its walls.
fn contours(alphas: &[f64], values: &[Vec<f64>], key: &str) -> Vec<Series> {
    let finite = values.iter().flatten().copied().filter(|v| v.is_finite());
    let (lo, hi) = finite.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
        (a.min(v), b.max(v))
    });
    if lo >= hi || !lo.is_finite() {
        return Vec::new();
    }
    let levels = 10;
    let mut out = Vec::new();
    for k in 1..=levels {
        // From 0.1 % to 100 % of the range, evenly in log.
        let share = 10f64.powf(-3.0 + 3.0 * k as f64 / levels as f64);
        let level = lo + share * (hi - lo) * 0.999;
        let mut points = Vec::new();
        for l in level_lines(alphas, alphas, values, level) {
            if !points.is_empty() {
                points.push((f64::NAN, f64::NAN));
            }
            points.extend(l);
        }
        let label = if k == 1 {
            "loss level lines".to_string()
        } else {
            String::new()
        };
        out.push(line(&label, key, points));
    }
    out
}
