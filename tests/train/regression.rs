//! Least squares against the normal equations, logistic regression against a
//! hand-coded Newton iteration, MAE and pinball lines against the exact L1
//! solution found by enumerating lines through pairs of points.

use losslab::loss::{Data, ParamValue, Reduction};
use losslab::train::{Budget, Method, ModelSpec, Objective, Problem, Samples, Step, Training};

use crate::common::{close, design, features, gauss_solve, logits, loss, monotone, normals};

fn least_squares_problem() -> (Problem, Vec<f64>) {
    let (n, dim) = (60, 3);
    let xs = features(n, dim, 1);
    let noise = normals(n, 2);
    let truth = [1.5, -0.75, 0.25, 2.0];
    let ys: Vec<f64> = design(&xs, dim)
        .iter()
        .zip(&noise)
        .map(|(row, e)| row.iter().zip(&truth).map(|(x, w)| x * w).sum::<f64>() + 0.3 * e)
        .collect();
    let rows = design(&xs, dim);
    let ata: Vec<Vec<f64>> = (0..=dim)
        .map(|a| {
            (0..=dim)
                .map(|b| rows.iter().map(|r| r[a] * r[b]).sum())
                .collect()
        })
        .collect();
    let aty: Vec<f64> = (0..=dim)
        .map(|a| rows.iter().zip(&ys).map(|(r, y)| r[a] * y).sum())
        .collect();
    let reference = gauss_solve(ata, aty);
    let objective = Objective::loss(&loss("mse", &[]), Data::Flat(ys), None, Reduction::Mean);
    let problem =
        Problem::new(ModelSpec::Linear, Samples::new(xs, dim).unwrap(), objective).unwrap();
    (problem, reference)
}

#[test]
fn least_squares_matches_the_normal_equations_by_newton_and_by_gradient_descent() {
    let (problem, reference) = least_squares_problem();
    let newton = problem
        .train(
            &Training::new(Method::Newton { damping: 0.0 }, 2),
            &Budget::default(),
        )
        .unwrap();
    let descent = problem
        .train(
            &Training::new(
                Method::GradientDescent {
                    step: Step::Constant(0.3),
                },
                3000,
            ),
            &Budget::default(),
        )
        .unwrap();
    for (i, r) in reference.iter().enumerate() {
        assert!(
            close(newton.final_parameters[i], *r, 1e-13),
            "newton {i}: {newton:?}"
        );
        assert!(close(descent.final_parameters[i], *r, 1e-12), "descent {i}");
    }
    assert_eq!(newton.parameter_names, ["w[0]", "w[1]", "w[2]", "b"]);
    // MSE converges monotonically under a stable fixed step.
    assert!(monotone(&descent.losses));
}

/// Newton–Raphson for logistic regression, written out from the formulas.
fn logistic_reference(rows: &[Vec<f64>], ys: &[f64]) -> Vec<f64> {
    let p = rows[0].len();
    let mut theta = vec![0.0; p];
    for _ in 0..50 {
        let mut grad = vec![0.0; p];
        let mut hess = vec![vec![0.0; p]; p];
        for (r, y) in rows.iter().zip(ys) {
            let z: f64 = r.iter().zip(&theta).map(|(x, t)| x * t).sum();
            let s = 1.0 / (1.0 + (-z).exp());
            for a in 0..p {
                grad[a] += (s - y) * r[a];
                for b in 0..p {
                    hess[a][b] += s * (1.0 - s) * r[a] * r[b];
                }
            }
        }
        let step = gauss_solve(hess, grad);
        theta.iter_mut().zip(step).for_each(|(t, s)| *t -= s);
    }
    theta
}

#[test]
fn logistic_regression_by_newton_matches_a_hand_coded_newton_to_1e_10() {
    let (n, dim) = (80, 2);
    let xs = features(n, dim, 3);
    let noise = normals(n, 4);
    let ys: Vec<f64> = xs
        .chunks(2)
        .zip(&noise)
        .map(|(x, e)| f64::from(u8::from(1.2 * x[0] - 0.8 * x[1] + 0.3 + e > 0.0)))
        .collect();
    let reference = logistic_reference(&design(&xs, dim), &ys);
    let objective = Objective::loss(&logits("bce"), Data::Flat(ys), None, Reduction::Mean);
    let problem = Problem::new(
        ModelSpec::Logistic,
        Samples::new(xs, dim).unwrap(),
        objective,
    )
    .unwrap();
    let history = problem
        .train(
            &Training::new(Method::Newton { damping: 0.0 }, 25),
            &Budget::default(),
        )
        .unwrap();
    for (got, want) in history.final_parameters.iter().zip(&reference) {
        assert!(close(*got, *want, 1e-10), "{got} vs {want}");
    }
    // Newton converges quadratically: the gradient vanishes within a few steps.
    assert!(
        history.gradient_norms[8] < 1e-12,
        "{:?}",
        history.gradient_norms
    );
}

#[test]
fn a_logit_model_refuses_a_loss_reading_probabilities() {
    let objective = Objective::loss(
        &loss("bce", &[]),
        Data::Flat(vec![0.0, 1.0]),
        None,
        Reduction::Mean,
    );
    let err = Problem::new(
        ModelSpec::Logistic,
        Samples::new(vec![0.0, 1.0], 1).unwrap(),
        objective,
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "loss: this model outputs logits; set from_logits = true on binary_cross_entropy"
    );
}

/// Data for L1 lines: a line with noise and two gross outliers.
fn l1_data() -> (Vec<f64>, Vec<f64>) {
    let xs: Vec<f64> = (0..15)
        .map(|i| i as f64 * 0.5 + 0.1 * (i * i % 7) as f64)
        .collect();
    let noise = normals(xs.len(), 5);
    let mut ys: Vec<f64> = xs
        .iter()
        .zip(&noise)
        .map(|(x, e)| 0.7 * x - 1.0 + 0.4 * e)
        .collect();
    ys[3] += 9.0;
    ys[11] -= 6.0;
    (xs, ys)
}

/// The best of the lines through two data points under `cost` of the
/// residual ŷ − y: an optimal L1 (or pinball) line passes through two points.
fn best_pair_line(xs: &[f64], ys: &[f64], cost: impl Fn(f64) -> f64) -> (f64, [f64; 2]) {
    let mut best = (f64::INFINITY, [0.0, 0.0]);
    for i in 0..xs.len() {
        for j in i + 1..xs.len() {
            let slope = (ys[j] - ys[i]) / (xs[j] - xs[i]);
            let intercept = ys[i] - slope * xs[i];
            let total: f64 = xs
                .iter()
                .zip(ys)
                .map(|(x, y)| cost(slope * x + intercept - y))
                .sum();
            if total < best.0 {
                best = (total, [slope, intercept]);
            }
        }
    }
    best
}

fn irls_line(name: &str, params: &[(&str, ParamValue)], xs: &[f64], ys: &[f64]) -> Vec<f64> {
    let objective = Objective::loss(
        &loss(name, params),
        Data::Flat(ys.to_vec()),
        None,
        Reduction::Sum,
    );
    let problem = Problem::new(
        ModelSpec::Linear,
        Samples::new(xs.to_vec(), 1).unwrap(),
        objective,
    )
    .unwrap();
    let history = problem
        .train(
            &Training::new(Method::Irls { floor: 1e-12 }, 200),
            &Budget::default(),
        )
        .unwrap();
    history.final_parameters
}

#[test]
fn mae_line_by_irls_is_the_exact_l1_line_through_two_points() {
    let (xs, ys) = l1_data();
    let (best, line) = best_pair_line(&xs, &ys, f64::abs);
    let fit = irls_line("mae", &[], &xs, &ys);
    let total: f64 = xs
        .iter()
        .zip(&ys)
        .map(|(x, y)| (fit[0] * x + fit[1] - y).abs())
        .sum();
    assert!(close(total, best, 1e-12), "{total} vs {best}");
    assert!(
        close(fit[0], line[0], 1e-9) && close(fit[1], line[1], 1e-9),
        "{fit:?} vs {line:?}"
    );
}

#[test]
fn pinball_line_by_irls_is_the_exact_quantile_line() {
    let (xs, ys) = l1_data();
    let tau = 0.8;
    // Pinball on u = y − ŷ = −r: τu for u > 0, (τ − 1)u otherwise.
    let pinball = |r: f64| if r < 0.0 { -tau * r } else { (1.0 - tau) * r };
    let (best, line) = best_pair_line(&xs, &ys, pinball);
    let fit = irls_line("quantile", &[("tau", ParamValue::Number(tau))], &xs, &ys);
    let total: f64 = xs
        .iter()
        .zip(&ys)
        .map(|(x, y)| pinball(fit[0] * x + fit[1] - y))
        .sum();
    assert!(close(total, best, 1e-12), "{total} vs {best}");
    assert!(
        close(fit[0], line[0], 1e-9) && close(fit[1], line[1], 1e-9),
        "{fit:?} vs {line:?}"
    );
}

#[test]
fn newton_and_irls_refuse_what_they_cannot_do() {
    let (xs, ys) = l1_data();
    let objective = Objective::loss(&loss("mse", &[]), Data::Flat(ys), None, Reduction::Mean);
    let mlp = ModelSpec::Mlp {
        hidden: vec![3],
        activation: losslab::train::Activation::Tanh,
        outputs: 1,
    };
    let problem = Problem::new(mlp, Samples::new(xs, 1).unwrap(), objective).unwrap();
    let err = problem
        .train(
            &Training::new(Method::Newton { damping: 0.0 }, 3),
            &Budget::default(),
        )
        .unwrap_err();
    assert!(
        err.to_string()
            .starts_with("Newton cannot train this problem: it needs a model with one output"),
        "{err}"
    );
}
