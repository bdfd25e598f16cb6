//! Figures like the article's, shared by the tests of the draw stage.

use crate::compute::{FigureData, Panel, Series, SeriesKind};

pub fn series(
    label: &str,
    kind: SeriesKind,
    key: &str,
    dashed: bool,
    points: Vec<(f64, f64)>,
) -> Series {
    Series {
        label: label.into(),
        kind,
        color_key: key.into(),
        dashed,
        points,
    }
}

pub fn curve(f: impl Fn(f64) -> f64, from: f64, to: f64, n: usize) -> Vec<(f64, f64)> {
    (0..=n)
        .map(|i| from + (to - from) * i as f64 / n as f64)
        .map(|x| (x, f(x)))
        .collect()
}

pub fn panel(
    title: &str,
    x_label: &str,
    y_label: &str,
    x: (f64, f64),
    y: (f64, f64),
    series: Vec<Series>,
) -> Panel {
    Panel {
        title: title.into(),
        x_label: x_label.into(),
        y_label: y_label.into(),
        x_range: x,
        y_range: y,
        categories: Vec::new(),
        series,
    }
}

pub fn figure(name: &str, title: &str, columns: usize, panels: Vec<Panel>) -> FigureData {
    FigureData {
        name: name.into(),
        title: title.into(),
        caption: String::new(),
        alt: String::new(),
        panels,
        columns,
        options: Default::default(),
    }
}

pub fn huber(a: f64, delta: f64) -> f64 {
    if a.abs() <= delta {
        0.5 * a * a
    } else {
        delta * (a.abs() - 0.5 * delta)
    }
}

pub fn huber_panel() -> Panel {
    panel(
        "Huber loss, δ = 1",
        "residual a = ŷ − y",
        "loss",
        (-3.0, 3.0),
        (-1.5, 3.0),
        vec![
            series(
                "Huber",
                SeriesKind::Line,
                "huber",
                false,
                curve(|a| huber(a, 1.0), -3.0, 3.0, 300),
            ),
            series(
                "MSE",
                SeriesKind::Line,
                "mse",
                false,
                curve(|a| 0.5 * a * a, -3.0, 3.0, 300),
            ),
            series(
                "derivative",
                SeriesKind::Line,
                "derivative",
                true,
                curve(|a| a.clamp(-1.0, 1.0), -3.0, 3.0, 300),
            ),
        ],
    )
}

pub fn regression_panel() -> Panel {
    let y = [
        -3.0, -1.0, -2.0, 1.0, -1.0, 1.0, 2.0, 1.0, 3.0, 4.0, 3.0, 5.0,
    ];
    let yhat = [
        -2.0, 1.0, -1.0, 0.0, -1.0, 1.0, 2.0, 2.0, 3.0, 3.0, 3.0, 5.0,
    ];
    let xy = |v: &[f64]| v.iter().enumerate().map(|(i, &v)| (i as f64, v)).collect();
    panel(
        "Targets and predictions",
        "sample i",
        "value",
        (-0.5, 11.5),
        (-4.0, 6.0),
        vec![
            series("target y", SeriesKind::Points, "target", false, xy(&y)),
            series(
                "prediction ŷ",
                SeriesKind::Line,
                "prediction",
                false,
                xy(&yhat),
            ),
        ],
    )
}

pub fn bars_panel() -> Panel {
    let events = ["red", "green", "blue", "black", "yellow", "orange"];
    let p = [0.10, 0.30, 0.05, 0.90, 0.65, 0.21];
    let q = [0.70, 0.55, 0.15, 0.04, 0.25, 0.45];
    let xy = |v: &[f64]| v.iter().enumerate().map(|(i, &v)| (i as f64, v)).collect();
    Panel {
        categories: events.iter().map(|e| e.to_string()).collect(),
        ..panel(
            "P and Q over six events",
            "event",
            "probability",
            (-0.5, 5.5),
            (0.0, 1.0),
            vec![
                series("P (target)", SeriesKind::Bars, "p", false, xy(&p)),
                series("Q (model)", SeriesKind::Bars, "q", true, xy(&q)),
            ],
        )
    }
}

pub fn log_panel() -> Panel {
    panel(
        "log(x) for x in (0, 1]",
        "x",
        "log(x)",
        (0.0, 1.0),
        (-4.0, 0.5),
        vec![series(
            "",
            SeriesKind::Line,
            "mae",
            false,
            curve(f64::ln, 0.001, 1.0, 999),
        )],
    )
}

pub fn grid_figure() -> FigureData {
    figure(
        "grid",
        "Four panels",
        2,
        vec![regression_panel(), huber_panel(), bars_panel(), log_panel()],
    )
}

/// Many legend entries, long category names, huge and negative numbers.
pub fn stress_figure() -> FigureData {
    let keys = [
        "mae",
        "mse",
        "huber",
        "smooth_l1",
        "log_cosh",
        "quantile",
        "poisson",
        "focal",
    ];
    let losses = keys
        .iter()
        .enumerate()
        .map(|(i, k)| {
            series(
                &format!("{k} loss"),
                SeriesKind::Line,
                k,
                i % 2 == 1,
                curve(
                    |a| (i as f64 + 1.0) * a.abs().powf(1.0 + i as f64 / 4.0),
                    -2.0,
                    2.0,
                    200,
                ),
            )
        })
        .collect();
    let many = panel(
        "Eight losses",
        "residual",
        "loss",
        (-2.0, 2.0),
        (0.0, 6.0),
        losses,
    );
    let long = Panel {
        categories: [
            "categorical_cross_entropy",
            "kl_divergence",
            "binary_cross_entropy",
            "squared_hinge",
        ]
        .iter()
        .map(|c| c.to_string())
        .collect(),
        ..panel(
            "Long names",
            "",
            "value",
            (-0.5, 3.5),
            (-2.0, 3.0),
            vec![series(
                "",
                SeriesKind::Bars,
                "hinge",
                false,
                vec![(0.0, 1.0), (1.0, -1.5), (2.0, 2.5), (3.0, 9.0)],
            )],
        )
    };
    let big = panel(
        "",
        "step",
        "count",
        (0.0, 5e6),
        (-3e9, 1e9),
        vec![series(
            "growth",
            SeriesKind::Points,
            "poisson",
            false,
            curve(|x| -x * 500.0, 0.0, 5e6, 12),
        )],
    );
    let tiny = panel(
        "Tiny numbers",
        "x",
        "",
        (1e-6, 5e-5),
        (-1e-5, 1e-5),
        vec![series(
            "tiny",
            SeriesKind::Line,
            "kl",
            false,
            curve(|x| (x * 2e5).sin() * 1e-5, 1e-6, 5e-5, 100),
        )],
    );
    figure("stress", "", 2, vec![many, long, big, tiny])
}

pub fn gaussians_figure() -> FigureData {
    let pdf = |m: f64| {
        move |x: f64| (-(x - m) * (x - m) / 2.0).exp() / (2.0 * std::f64::consts::PI).sqrt()
    };
    let panels = [3.0, 2.0, 1.0, 0.25]
        .iter()
        .map(|&shift| {
            panel(
                &format!("shift = {shift}, KL(P‖Q) = {:.3}", shift * shift / 2.0),
                "x",
                "density",
                (-5.0, 10.0),
                (0.0, 0.45),
                vec![
                    series(
                        "target P",
                        SeriesKind::Line,
                        "p",
                        false,
                        curve(pdf(0.0), -5.0, 10.0, 600),
                    ),
                    series(
                        "model Q",
                        SeriesKind::Line,
                        "q",
                        true,
                        curve(pdf(shift), -5.0, 10.0, 600),
                    ),
                ],
            )
        })
        .collect();
    figure("gaussians", "", 2, panels)
}
