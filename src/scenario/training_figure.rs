//! Validation of what refers to `[[trainings]]`: the trainings themselves
//! (in order, with the scenario's total budget), the figure kinds that draw
//! them, and `kind = "training"` quantities.
//!
//! | figure kind         | keys                                                        |
//! |---------------------|-------------------------------------------------------------|
//! | `training_curve`    | `trainings`, `excess` (L − min L); a log y axis unless `y_scale` says otherwise |
//! | `parameter_path`    | `trainings`, `parameters` (one: against the step; two: a path in their plane) |
//! | `fit_line`          | `trainings` (models of one feature, or constants)           |
//! | `decision_boundary` | `trainings` (one classifier of two features)                |
//! | `calibration`       | `trainings` (binary classifiers), `bins`                    |
//! | `landscape`         | `trainings` (one), `dimensions` (1 or 2), `span`, `points`, `seed`, `directions` |
//! | `training_sweep`    | `trainings` (with a sweep), `value`, `parameter`            |
//!
//! Every kind but `training_sweep` takes `explore = true` when its
//! trainings have sweeps of the same length: the report then shows one frame
//! per sweep value (member k of every swept training, and every training
//! without a sweep) with a control to switch between them.

use std::collections::BTreeMap;

use super::context::Context;
use super::error::ScenarioError;
use super::training::{check_total, TrainingSpec, MAX_MEMBERS};
use super::training_types::{
    Directions, ModelName, TrainingFigure, TrainingFigureKind, TrainingRef, TrainingSamples,
    TrainingValue, ValidTraining,
};
use crate::train::Budget;

/// Points of each axis of a decision map's grid.
pub const BOUNDARY_RESOLUTION: usize = 121;
/// Most points along one axis of a landscape slice.
pub const MAX_SLICE_POINTS: usize = 201;

/// Validate every `[[trainings]]` entry, fill the context, and check the
/// scenario's total work.
pub(crate) fn validate_trainings(
    specs: &[TrainingSpec],
    ctx: &mut Context,
) -> Result<Vec<ValidTraining>, ScenarioError> {
    let mut trainings = Vec::new();
    let mut refs = BTreeMap::new();
    for (i, spec) in specs.iter().enumerate() {
        let path = format!("trainings[{i}]");
        ctx.check_name(&format!("{path}.name"), &spec.name)?;
        let valid = spec.validate(&path, ctx)?;
        let first = &valid.members[0];
        let (dim, classes) = match &first.samples {
            TrainingSamples::Points(p) => (p.dim, p.classes()),
            TrainingSamples::Density(_) => (0, 0),
        };
        let reference = TrainingRef {
            index: i,
            members: valid.members.len(),
            parameter_names: valid.parameter_names(),
            model: spec.model,
            dim,
            classes,
            work_per_evaluation: first.problem.work_per_evaluation(),
        };
        if refs.insert(spec.name.clone(), reference).is_some() {
            return Err(ctx.rep.invalid(
                format!("{path}.name"),
                format!("\"{}\" is defined twice", spec.name),
            ));
        }
        trainings.push(valid);
    }
    check_total(&trainings, &ctx.rep)?;
    ctx.trainings = refs;
    Ok(trainings)
}

/// The keys each training figure kind takes.
pub(crate) fn allowed_keys(kind: TrainingFigureKind) -> &'static [&'static str] {
    match kind {
        TrainingFigureKind::Curve => &["trainings", "excess"],
        TrainingFigureKind::ParameterPath => &["trainings", "parameters"],
        TrainingFigureKind::FitLine | TrainingFigureKind::DecisionBoundary => &["trainings"],
        TrainingFigureKind::Calibration => &["trainings", "bins"],
        TrainingFigureKind::Landscape => &[
            "trainings",
            "dimensions",
            "span",
            "points",
            "seed",
            "directions",
        ],
        TrainingFigureKind::Sweep => &["trainings", "value", "parameter"],
    }
}

/// The keys of a `[[figures]]` entry that training kinds read.
pub(crate) struct FigureKeys<'a> {
    pub trainings: Option<&'a [String]>,
    pub parameters: Option<&'a [String]>,
    pub explore: bool,
    pub excess: Option<bool>,
    pub value: Option<TrainingValue>,
    pub parameter: Option<&'a String>,
    pub dimensions: Option<usize>,
    pub span: Option<f64>,
    pub points: Option<usize>,
    pub seed: Option<u64>,
    pub directions: Option<&'a Vec<Vec<f64>>>,
    pub bins: Option<usize>,
}

/// A training figure's own keys; `path` is `figures[i]`.
pub(crate) fn validate_figure(
    spec: &FigureKeys<'_>,
    kind: TrainingFigureKind,
    path: &str,
    ctx: &Context,
) -> Result<TrainingFigure, ScenarioError> {
    let rep = &ctx.rep;
    let names = spec
        .trainings
        .ok_or_else(|| rep.invalid(path, "needs `trainings` (a list of [[trainings]] names)"))?;
    if names.is_empty() {
        return Err(rep.invalid(format!("{path}.trainings"), "is empty"));
    }
    let refs = names
        .iter()
        .enumerate()
        .map(|(i, n)| ctx.training(&format!("{path}.trainings[{i}]"), n))
        .collect::<Result<Vec<_>, _>>()?;
    let single = matches!(
        kind,
        TrainingFigureKind::DecisionBoundary | TrainingFigureKind::Landscape
    );
    if single && refs.len() != 1 {
        return Err(rep.invalid(
            format!("{path}.trainings"),
            format!("needs exactly one training, got {}", refs.len()),
        ));
    }
    let series: usize = refs.iter().map(|r| r.members).sum();
    if series > super::grid::MAX_SERIES {
        return Err(rep.invalid(path, "draws too many series"));
    }
    if spec.explore {
        let frames = refs.iter().map(|r| r.members).max().unwrap_or(1);
        let same = refs.iter().all(|r| r.members == 1 || r.members == frames);
        if kind == TrainingFigureKind::Sweep || !same || frames < 2 {
            return Err(rep.invalid(
                format!("{path}.explore"),
                "needs trainings with a sweep of the same length (one frame per sweep value)",
            ));
        }
        if frames > MAX_MEMBERS {
            return Err(rep.invalid(format!("{path}.explore"), "has too many frames"));
        }
    }
    let parameter = |i: usize, name: &str| -> Result<usize, ScenarioError> {
        let known = &refs[0].parameter_names;
        known.iter().position(|p| p == name).ok_or_else(|| {
            rep.unknown(
                format!("{path}.parameters[{i}]"),
                "parameter",
                name,
                known.iter().map(String::as_str),
            )
        })
    };
    let mut parameters = Vec::new();
    let mut value = TrainingValue::FinalLoss;
    match kind {
        TrainingFigureKind::ParameterPath => {
            let given = spec
                .parameters
                .map(<[String]>::to_vec)
                .unwrap_or_else(|| refs[0].parameter_names.iter().take(2).cloned().collect());
            if given.is_empty() || given.len() > 2 {
                return Err(
                    rep.invalid(format!("{path}.parameters"), "names one or two parameters")
                );
            }
            if refs
                .iter()
                .any(|r| r.parameter_names != refs[0].parameter_names)
            {
                return Err(rep.invalid(
                    format!("{path}.trainings"),
                    "must all have the same parameters",
                ));
            }
            for (i, name) in given.iter().enumerate() {
                parameters.push(parameter(i, name)?);
            }
        }
        TrainingFigureKind::FitLine => {
            if let Some((i, _)) = refs.iter().enumerate().find(|(_, r)| {
                !matches!(
                    r.model,
                    ModelName::Constant | ModelName::Linear | ModelName::Normal
                ) || r.dim > 1
            }) {
                return Err(rep.invalid(
                    format!("{path}.trainings[{i}]"),
                    "must be a constant or linear model of one feature, or a normal",
                ));
            }
        }
        TrainingFigureKind::DecisionBoundary | TrainingFigureKind::Calibration => {
            let binary_only = kind == TrainingFigureKind::Calibration;
            for (i, r) in refs.iter().enumerate() {
                let classifier = matches!(
                    r.model,
                    ModelName::Logistic | ModelName::Mlp | ModelName::Softmax
                );
                if !classifier || (kind == TrainingFigureKind::DecisionBoundary && r.dim != 2) {
                    return Err(rep.invalid(
                        format!("{path}.trainings[{i}]"),
                        "must be a classifier (logistic, softmax or mlp) of two features",
                    ));
                }
                if binary_only && r.model == ModelName::Softmax {
                    return Err(rep.invalid(
                        format!("{path}.trainings[{i}]"),
                        "must be a binary classifier (logistic or mlp)",
                    ));
                }
            }
        }
        TrainingFigureKind::Sweep => {
            if let Some((i, _)) = refs.iter().enumerate().find(|(_, r)| r.members < 2) {
                return Err(rep.invalid(
                    format!("{path}.trainings[{i}]"),
                    "has no sweep (a training_sweep draws a value against the sweep)",
                ));
            }
            value = spec.value.unwrap_or(TrainingValue::FinalLoss);
            match (value, spec.parameter) {
                (TrainingValue::Parameter, Some(name)) => parameters.push(parameter(0, name)?),
                (TrainingValue::Parameter, None) => {
                    return Err(rep.invalid(path, "needs `parameter` for value \"parameter\""))
                }
                (_, Some(_)) => {
                    return Err(rep.invalid(
                        format!("{path}.parameter"),
                        "is used with value = \"parameter\" only",
                    ))
                }
                _ => {}
            }
        }
        _ => {}
    }
    let dimensions = spec.dimensions.unwrap_or(1);
    let points = spec
        .points
        .unwrap_or(if dimensions == 2 { 41 } else { 101 });
    let span = spec.span.unwrap_or(1.0);
    let mut directions = Directions::Random {
        seed: spec.seed.unwrap_or(0),
    };
    if kind == TrainingFigureKind::Landscape {
        if !(1..=2).contains(&dimensions) {
            return Err(rep.invalid(format!("{path}.dimensions"), "must be 1 or 2"));
        }
        if !(3..=MAX_SLICE_POINTS).contains(&points) {
            return Err(rep.invalid(
                format!("{path}.points"),
                format!("must be between 3 and {MAX_SLICE_POINTS}, got {points}"),
            ));
        }
        if !(span.is_finite() && span > 0.0) {
            return Err(rep.invalid(format!("{path}.span"), format!("must be > 0, got {span}")));
        }
        if let Some(given) = &spec.directions {
            if spec.seed.is_some() {
                return Err(rep.invalid(
                    format!("{path}.seed"),
                    "seeds random directions; `directions` gives them",
                ));
            }
            let n = refs[0].parameter_names.len();
            if given.len() != dimensions
                || given
                    .iter()
                    .any(|d| d.len() != n || d.iter().any(|x| !x.is_finite()))
            {
                return Err(rep.invalid(
                    format!("{path}.directions"),
                    format!(
                        "needs {dimensions} list(s) of {n} finite numbers (one per parameter: {})",
                        refs[0].parameter_names.join(", ")
                    ),
                ));
            }
            directions = Directions::Given(given.to_vec());
        }
        let count = (points as u128).pow(dimensions as u32);
        let frames = refs[0].members as u128;
        Budget::default()
            .check(
                count * frames,
                "slice points",
                (
                    refs[0].work_per_evaluation,
                    format!("{} units per evaluation", refs[0].work_per_evaluation),
                ),
            )
            .map_err(|e| rep.invalid(format!("{path}.points"), e.to_string()))?;
    }
    let bins = spec.bins.unwrap_or(10);
    if !(2..=100).contains(&bins) {
        return Err(rep.invalid(format!("{path}.bins"), "must be between 2 and 100"));
    }
    Ok(TrainingFigure {
        kind,
        trainings: refs.iter().map(|r| r.index).collect(),
        parameters,
        excess: spec.excess.unwrap_or(false),
        value,
        dimensions,
        directions,
        span,
        points,
        bins,
    })
}

/// A `kind = "training"` quantity: (training index, member, value, parameter index).
pub(crate) fn validate_quantity(
    path: &str,
    ctx: &Context,
    training: &Option<String>,
    member: Option<usize>,
    value: Option<TrainingValue>,
    parameter: &Option<String>,
) -> Result<(usize, usize, TrainingValue, Option<usize>), ScenarioError> {
    let rep = &ctx.rep;
    let name = training
        .as_deref()
        .ok_or_else(|| rep.invalid(path, "needs `training` for kind \"training\""))?;
    let r = ctx.training(&format!("{path}.training"), name)?;
    let member = member.unwrap_or(0);
    if member >= r.members {
        return Err(rep.invalid(
            format!("{path}.member"),
            format!(
                "must be below {} (the training's members), got {member}",
                r.members
            ),
        ));
    }
    let value = value.unwrap_or(TrainingValue::FinalLoss);
    let normal_only = matches!(
        value,
        TrainingValue::Std
            | TrainingValue::KlForward
            | TrainingValue::KlReverse
            | TrainingValue::TargetMean
            | TrainingValue::TargetStd
    );
    if normal_only && r.model != ModelName::Normal {
        return Err(rep.invalid(format!("{path}.value"), "needs a normal model"));
    }
    if value == TrainingValue::Accuracy && r.classes < 2 {
        return Err(rep.invalid(
            format!("{path}.value"),
            "needs a classifier with class labels",
        ));
    }
    let index = match (value, parameter) {
        (TrainingValue::Parameter, Some(p)) => Some(
            r.parameter_names
                .iter()
                .position(|n| n == p)
                .ok_or_else(|| {
                    rep.unknown(
                        format!("{path}.parameter"),
                        "parameter",
                        p,
                        r.parameter_names.iter().map(String::as_str),
                    )
                })?,
        ),
        (TrainingValue::Parameter, None) => {
            return Err(rep.invalid(path, "needs `parameter` for value \"parameter\""))
        }
        (_, Some(_)) => {
            return Err(rep.invalid(
                format!("{path}.parameter"),
                "is used with value = \"parameter\" only",
            ))
        }
        (_, None) => None,
    };
    Ok((r.index, member, value, index))
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use crate::scenario::{parse_str, validate, ScenarioError, ValidScenario};

    const HEAD: &str = "[metadata]\ntitle = 't'\n[[losses]]\nloss = 'mse'\n\
        [[losses]]\nname = 'bce'\nloss = 'bce'\n[[losses]]\nname = 'bcel'\nloss = 'bce'\nfrom_logits = true\n\
        [[trainings]]\nname = 'fit'\nmodel = 'linear'\nloss = 'mse'\nmethod = 'newton'\nsteps = 2\n\
        data = { kind = 'line', points = 10, slope = 1, intercept = 0, noise = 0.1, seed = 1 }\n";

    fn check(body: &str) -> Result<ValidScenario, ScenarioError> {
        let text = format!("{HEAD}{body}");
        validate(&parse_str(&text, "x.toml")?, Path::new("x.toml"))
    }

    fn error(body: &str) -> String {
        check(body).unwrap_err().to_string()
    }

    const FIGURE: &str =
        "[[figures]]\nname = 'f'\ntitle = ''\ncaption = ''\nalt = ''\nappendix = true\n";

    #[test]
    fn a_valid_training_and_its_figure_pass() {
        let valid = check(&format!(
            "{FIGURE}kind = 'training_curve'\ntrainings = ['fit']\n"
        ))
        .unwrap();
        assert_eq!(valid.trainings[0].members.len(), 1);
        assert_eq!(valid.trainings[0].parameter_names(), ["w[0]", "b"]);
    }

    #[test]
    fn a_figure_names_an_unknown_training_with_a_suggestion() {
        assert_eq!(
            error(&format!("{FIGURE}kind = 'training_curve'\ntrainings = ['fitt']\n")),
            "x.toml: line 26, column 14: figures[0] (f).trainings[0] refers to unknown training \"fitt\" (did you mean \"fit\"?)"
        );
    }

    #[test]
    fn a_key_the_method_does_not_use_is_refused() {
        let err = error(
            "[[trainings]]\nname = 'g'\nmodel = 'linear'\nloss = 'mse'\nmethod = 'gradient_descent'\n\
             step = 0.1\nmomentum = 0.9\nsteps = 2\n\
             data = { kind = 'line', points = 10, slope = 1, intercept = 0, noise = 0.1, seed = 1 }\n",
        );
        assert_eq!(
            err,
            "x.toml: line 25, column 12: trainings[1] (g).momentum is not used by model \"linear\" with method \"gradient_descent\""
        );
    }

    #[test]
    fn a_logit_model_needs_a_loss_on_logits() {
        let err = error(
            "[[trainings]]\nname = 'c'\nmodel = 'logistic'\nloss = 'bce'\nmethod = 'newton'\nsteps = 2\n\
             data = { kind = 'moons', points = 20, noise = 0.1, seed = 1 }\n",
        );
        assert_eq!(
            err,
            "x.toml: line 22, column 8: trainings[1] (c).loss this model outputs logits; set from_logits = true on binary_cross_entropy"
        );
    }

    #[test]
    fn a_parameter_path_names_known_parameters() {
        assert_eq!(
            error(&format!(
                "{FIGURE}kind = 'parameter_path'\ntrainings = ['fit']\nparameters = ['w[1]']\n"
            )),
            "x.toml: line 27, column 15: figures[0] (f).parameters[0] refers to unknown parameter \"w[1]\" (did you mean \"w[0]\"?)"
        );
    }

    #[test]
    fn explore_needs_a_sweep() {
        assert_eq!(
            error(&format!(
                "{FIGURE}kind = 'fit_line'\ntrainings = ['fit']\nexplore = true\n"
            )),
            "x.toml: line 27, column 11: figures[0] (f).explore needs trainings with a sweep of the same length (one frame per sweep value)"
        );
    }

    #[test]
    fn an_outlier_sweep_makes_one_member_per_fraction() {
        let valid = check(
            "[[trainings]]\nname = 's'\nmodel = 'linear'\nloss = 'mse'\nmethod = 'newton'\nsteps = 2\n\
             data = { kind = 'line', points = 10, slope = 1, intercept = 0, noise = 0.1, seed = 1, outliers = [0, 0.2, 0.5], outlier_shift = 9 }\n",
        )
        .unwrap();
        let training = &valid.trainings[1];
        assert_eq!(training.sweep.as_deref(), Some("outliers"));
        let moved: Vec<usize> = training
            .members
            .iter()
            .map(|m| match &m.samples {
                crate::scenario::TrainingSamples::Points(p) => p
                    .targets
                    .iter()
                    .zip(&p.inputs)
                    .filter(|(y, x)| (**y - **x).abs() > 4.0)
                    .count(),
                _ => 0,
            })
            .collect();
        assert_eq!(moved, [0, 2, 5]);
    }

    #[test]
    fn a_landscape_over_the_budget_is_refused_with_its_count() {
        let err = error(&format!(
            "[[trainings]]\nname = 'n'\nmodel = 'mlp'\nhidden = [50, 50]\nloss = 'bcel'\nmethod = 'adam'\nstep = 0.1\nsteps = 1\n\
             data = {{ kind = 'moons', points = 10000, noise = 0.1, seed = 1 }}\n\
             {FIGURE}kind = 'landscape'\ntrainings = ['n']\ndimensions = 2\npoints = 101\n"
        ));
        assert!(
            err.contains("figures[0] (f).points 10201 slice points × "),
            "{err}"
        );
        assert!(err.contains("exceeds the budget of 200000000"), "{err}");
    }
}
