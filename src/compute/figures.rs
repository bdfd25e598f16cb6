//! Figures: one builder per kind.

use super::model::{FigureData, Panel, Series, SeriesKind};
use super::panel::panel;
use super::training_figures::Trained;
use super::{curves, datasets, fit, normal_kl, separate, training_figures};
use crate::scenario::{FigureKind, Function, PanelMode, QueryTable, ValidFigure};

/// Build the figure's panels; an error message continues the key path.
/// Curves that are only partly inside their loss's domain add a warning.
/// `frame` picks one sweep value of an explorable figure.
pub fn figure(
    spec: &ValidFigure,
    trained: Trained<'_>,
    frame: Option<usize>,
    warnings: &mut Vec<String>,
) -> Result<FigureData, String> {
    // A frame keeps the losses that are not swept and the frame-th swept one.
    let one = |members: &[crate::scenario::LossMember], frame: Option<usize>| match frame {
        Some(k) => {
            let mut swept = 0;
            members
                .iter()
                .filter(|m| {
                    m.sweep.is_none() || {
                        swept += 1;
                        swept == k + 1
                    }
                })
                .cloned()
                .collect()
        }
        None => members.to_vec(),
    };
    let (panels, columns) = match &spec.kind {
        FigureKind::Datasets {
            sets,
            draw,
            bins,
            density,
        } => (
            vec![datasets::figure(spec, sets, *draw, *bins, *density)?],
            1,
        ),
        FigureKind::Data {
            target,
            prediction,
            target_label,
            prediction_label,
        } => (
            vec![data_panel(
                spec,
                target,
                prediction,
                target_label,
                prediction_label,
            )],
            1,
        ),
        FigureKind::LossCurve {
            losses,
            grid,
            axis,
            targets,
            show,
            split,
        } => curves::loss_curve(
            spec,
            &one(losses, frame),
            grid,
            *axis,
            targets,
            *show,
            *split,
            warnings,
        )?,
        FigureKind::ConstantFit {
            data,
            losses,
            grid,
            deltas,
        } => fit::constant_fit(
            spec,
            data,
            &one(losses, frame),
            grid,
            deltas.as_ref(),
            warnings,
        )?,
        FigureKind::Function { function, grid } => {
            let points = grid.points().map(|x| (x, apply(*function, x))).collect();
            let series = vec![Series {
                label: function_name(*function).to_string(),
                kind: SeriesKind::Line,
                color_key: "function".into(),
                dashed: false,
                points,
            }];
            let x_label = spec.x_label.clone().unwrap_or_else(|| "x".into());
            let y_label = spec
                .y_label
                .clone()
                .unwrap_or_else(|| format!("{}(x)", function_name(*function)));
            (
                vec![panel(
                    spec,
                    0,
                    String::new(),
                    x_label,
                    y_label,
                    grid.span(),
                    series,
                )],
                1,
            )
        }
        FigureKind::Bars { distributions } => {
            let series = distributions
                .iter()
                .enumerate()
                .map(|(i, d)| Series {
                    label: d.label.clone(),
                    kind: SeriesKind::Bars,
                    color_key: ["p", "q"]
                        .get(i)
                        .map(|s| s.to_string())
                        .unwrap_or_else(|| format!("series{i}")),
                    dashed: false,
                    points: d
                        .probabilities
                        .iter()
                        .enumerate()
                        .map(|(j, p)| (j as f64, *p))
                        .collect(),
                })
                .collect();
            let n = distributions[0].events.len() as f64;
            let mut bars = panel(
                spec,
                0,
                String::new(),
                spec.x_label.clone().unwrap_or_else(|| "event".into()),
                spec.y_label.clone().unwrap_or_else(|| "probability".into()),
                (-0.5, n - 0.5),
                series,
            );
            // Bars stand on zero.
            bars.y_range.0 = bars.y_range.0.min(0.0);
            bars.categories = distributions[0].events.clone();
            (vec![bars], 1)
        }
        FigureKind::QueryBars { name, table } => (query_bars(spec, name, table), 3),
        FigureKind::NormalKl {
            target,
            model,
            shifts,
            grid,
            shift_grid,
        } => normal_kl::figure(
            spec,
            target,
            model,
            &frame.map_or(shifts.clone(), |k| vec![shifts[k]]),
            grid,
            shift_grid,
        )?,
        FigureKind::Training(tf) => training_figures::figure(spec, tf, trained, frame)?,
        FigureKind::Saturation(map) => super::saturation::figure(spec, map)?,
    };
    let (panels, columns) = match spec.options.panels {
        PanelMode::Shared => (panels, columns),
        PanelMode::Separate => separate::separate(panels, columns, spec.options.y_scale),
    };
    Ok(FigureData {
        name: spec.name.clone(),
        title: spec.title.clone(),
        caption: spec.caption.clone(),
        alt: spec.alt.clone(),
        columns: spec.columns.unwrap_or(columns).min(panels.len().max(1)),
        panels,
        options: spec.options.clone(),
    })
}

/// A `sql` dataset's result as bars: one panel per number column (each on
/// its own scale, as losses are), one bar per row, labelled by its keys; a
/// null (a loss over no row) has no bar.
fn query_bars(spec: &ValidFigure, name: &str, table: &QueryTable) -> Vec<Panel> {
    let categories: Vec<String> = table
        .rows
        .iter()
        .enumerate()
        .map(|(i, row)| row.label(i))
        .collect();
    let x_label = spec.x_label.clone().unwrap_or_else(|| {
        if table.keys.is_empty() {
            name.to_string()
        } else {
            table.keys.join(", ")
        }
    });
    let n = table.rows.len() as f64;
    table
        .values
        .iter()
        .enumerate()
        .map(|(column, value_name)| {
            let points = table
                .rows
                .iter()
                .enumerate()
                .filter_map(|(i, row)| row.values[column].map(|v| (i as f64, v)))
                .collect();
            let series = vec![Series {
                label: value_name.clone(),
                kind: SeriesKind::Bars,
                color_key: value_name.clone(),
                dashed: false,
                points,
            }];
            let y_label = spec.y_label.clone().unwrap_or_else(|| value_name.clone());
            let mut bars = panel(
                spec,
                column,
                value_name.clone(),
                x_label.clone(),
                y_label,
                (-0.5, n - 0.5),
                series,
            );
            // Bars stand on zero.
            bars.y_range.0 = bars.y_range.0.min(0.0);
            bars.categories = categories.clone();
            bars
        })
        .collect()
}

fn data_panel(
    spec: &ValidFigure,
    target: &[f64],
    prediction: &[f64],
    target_label: &str,
    prediction_label: &str,
) -> Panel {
    let indexed = |v: &[f64]| v.iter().enumerate().map(|(i, y)| (i as f64, *y)).collect();
    let series = vec![
        Series {
            label: target_label.to_string(),
            kind: SeriesKind::Points,
            color_key: "original".into(),
            dashed: false,
            points: indexed(target),
        },
        Series {
            label: prediction_label.to_string(),
            kind: SeriesKind::Line,
            color_key: "predicted".into(),
            dashed: false,
            points: indexed(prediction),
        },
    ];
    let n = target.len() as f64;
    panel(
        spec,
        0,
        String::new(),
        spec.x_label
            .clone()
            .unwrap_or_else(|| "sample index i".into()),
        spec.y_label.clone().unwrap_or_else(|| "value".into()),
        (-0.5, n - 0.5),
        series,
    )
}

fn apply(function: Function, x: f64) -> f64 {
    match function {
        Function::Ln => x.ln(),
        Function::Log2 => x.log2(),
        Function::Log10 => x.log10(),
        Function::Exp => x.exp(),
        Function::Sigmoid => 1.0 / (1.0 + (-x).exp()),
        Function::Tanh => x.tanh(),
        Function::Softplus => x.max(0.0) + (-x.abs()).exp().ln_1p(),
    }
}

fn function_name(function: Function) -> &'static str {
    match function {
        Function::Ln => "ln",
        Function::Log2 => "log2",
        Function::Log10 => "log10",
        Function::Exp => "exp",
        Function::Sigmoid => "sigmoid",
        Function::Tanh => "tanh",
        Function::Softplus => "softplus",
    }
}
