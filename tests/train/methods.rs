//! The update rules as their papers state them: Adam's first step, the
//! decaying schedules, momentum on least squares, and refused settings.

use losslab::loss::{Data, Reduction};
use losslab::train::{Budget, Method, ModelSpec, Objective, Problem, Samples, Step, Training};

use crate::common::{close, loss};

fn line_problem() -> Problem {
    let xs = vec![0.0, 1.0, 2.0, 3.0, 4.0];
    let ys = Data::Flat(vec![1.0, 2.9, 5.2, 7.1, 8.8]);
    let objective = Objective::loss(&loss("mse", &[]), ys, None, Reduction::Mean);
    Problem::new(ModelSpec::Linear, Samples::new(xs, 1).unwrap(), objective).unwrap()
}

#[test]
fn adams_first_step_moves_every_parameter_by_the_step_size() {
    // Kingma & Ba (2015), §2.1: with bias correction, |Δθ| ≈ η on the first step.
    let problem = line_problem();
    let eta = 0.01;
    let history = problem
        .train(
            &Training::new(Method::adam(Step::Constant(eta)), 1),
            &Budget::default(),
        )
        .unwrap();
    let gradient = problem.gradient(&[0.0, 0.0]).unwrap();
    for (theta, g) in history.final_parameters.iter().zip(&gradient) {
        let expected = -eta * g / (g.abs() + 1e-8);
        assert!(close(*theta, expected, 1e-15), "{theta} vs {expected}");
    }
}

#[test]
fn schedules_decay_as_documented() {
    let inverse = Step::InverseTime {
        initial: 0.5,
        decay: 0.1,
    };
    assert_eq!([inverse.at(0), inverse.at(10)], [0.5, 0.25]);
    let sqrt = Step::InverseSqrt { initial: 0.3 };
    assert_eq!([sqrt.at(0), sqrt.at(3)], [0.3, 0.15]);
    assert_eq!(Step::Constant(0.2).at(1000), 0.2);
}

#[test]
fn momentum_reaches_the_least_squares_line() {
    // Normal equations for y = a x + b over x = 0..4: a = Sxy/Sxx, b = ȳ − a x̄.
    let (xs, ys) = ([0.0, 1.0, 2.0, 3.0, 4.0], [1.0, 2.9, 5.2, 7.1, 8.8]);
    let (mx, my) = (2.0, ys.iter().sum::<f64>() / 5.0);
    let sxy: f64 = xs.iter().zip(&ys).map(|(x, y)| (x - mx) * (y - my)).sum();
    let sxx: f64 = xs.iter().map(|x| (x - mx) * (x - mx)).sum();
    let (a, b) = (sxy / sxx, my - sxy / sxx * mx);
    let method = Method::Momentum {
        step: Step::Constant(0.02),
        momentum: 0.9,
    };
    let fit = line_problem()
        .train(&Training::new(method, 2000), &Budget::default())
        .unwrap();
    assert!(
        close(fit.final_parameters[0], a, 1e-12) && close(fit.final_parameters[1], b, 1e-12),
        "{fit:?}"
    );
}

#[test]
fn bad_settings_are_refused_with_their_name_and_value() {
    let problem = line_problem();
    let cases = [
        (
            Method::Momentum {
                step: Step::Constant(0.1),
                momentum: 1.0,
            },
            "momentum: must be in [0, 1), got 1",
        ),
        (
            Method::GradientDescent {
                step: Step::Constant(-0.1),
            },
            "step: must be > 0, got -0.1",
        ),
        (Method::Irls { floor: 0.0 }, "floor: must be > 0, got 0"),
        (
            Method::Newton { damping: f64::NAN },
            "damping: must be >= 0, got NaN",
        ),
    ];
    for (method, message) in cases {
        let err = problem
            .train(&Training::new(method, 5), &Budget::default())
            .unwrap_err();
        assert_eq!(err.to_string(), message);
    }
    let err = problem
        .train(
            &Training::new(Method::adam(Step::Constant(0.1)), 5).initial(vec![1.0]),
            &Budget::default(),
        )
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "initial: 1 values given, the model has 2 parameters (w[0], b)"
    );
}

#[test]
fn newton_without_curvature_and_irls_without_a_residual_minimum_are_refused() {
    let xs = vec![0.0, 1.0, 2.0];
    let mae = Objective::loss(
        &loss("mae", &[]),
        Data::Flat(vec![0.0, 1.0, 3.0]),
        None,
        Reduction::Mean,
    );
    let problem =
        Problem::new(ModelSpec::Linear, Samples::new(xs.clone(), 1).unwrap(), mae).unwrap();
    // MAE's second derivative is 0: Newton has no curvature to step by (IRLS does).
    let err = problem
        .train(
            &Training::new(Method::Newton { damping: 0.0 }, 3),
            &Budget::default(),
        )
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "step 0: the curvature matrix is not positive definite (no Newton/IRLS step)"
    );
    // Poisson on log-rates is minimised at ŷ = ln y, not at y: IRLS weights
    // turn negative (here (1 − 0.5)/3 over the residual −0.5, with the mean's 1/3).
    let log_rates = loss(
        "poisson",
        &[("log_input", losslab::loss::ParamValue::Bool(true))],
    );
    let poisson = Objective::loss(
        &log_rates,
        Data::Flat(vec![0.5, 1.0, 3.0]),
        None,
        Reduction::Mean,
    );
    let problem = Problem::new(ModelSpec::Linear, Samples::new(xs, 1).unwrap(), poisson).unwrap();
    let err = problem
        .train(
            &Training::new(Method::Irls { floor: 1e-9 }, 3),
            &Budget::default(),
        )
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "IRLS cannot train this problem: poisson is not minimised at ŷ = y (sample 0: weight -0.3333333333333333)"
    );
}

#[test]
fn a_step_too_large_makes_mse_diverge_and_the_record_says_where() {
    // b ← b − η·2(b − ȳ): with η = 1.5 the gap doubles and the loss quadruples each step.
    let objective = Objective::loss(
        &loss("mse", &[]),
        Data::Flat(vec![1.0, 3.0]),
        None,
        Reduction::Mean,
    );
    let problem = Problem::new(ModelSpec::Constant, Samples::featureless(2), objective).unwrap();
    let history = problem
        .train(
            &Training::new(
                Method::GradientDescent {
                    step: Step::Constant(1.5),
                },
                3000,
            )
            .initial(vec![3.0]),
            &Budget::default(),
        )
        .unwrap();
    // L(b) = (b − 2)² + 1: the excess quadruples.
    for t in 0..100 {
        let ratio = (history.losses[t + 1] - 1.0) / (history.losses[t] - 1.0);
        assert!(close(ratio, 4.0, 1e-12), "step {t}: {ratio}");
    }
    let losslab::train::Outcome::Diverged { step } = history.outcome else {
        panic!("{:?}", history.outcome)
    };
    // The record stops before the first infinite loss: every number in it is finite.
    assert_eq!(history.losses.len(), step);
    assert!(step > 500 && history.losses.iter().all(|l| l.is_finite()));
    assert!(
        history.losses[step - 1] > 1e300,
        "{}",
        history.losses[step - 1]
    );
    assert_eq!(history.path.last().unwrap().step, step - 1);
    assert_eq!(
        history.final_parameters,
        history.path.last().unwrap().parameters
    );
    let json = serde_json::to_string(&history).unwrap();
    assert_eq!(
        serde_json::from_str::<losslab::train::History>(&json).unwrap(),
        history
    );
}
