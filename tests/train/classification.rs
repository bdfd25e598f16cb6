//! Classifiers on seeded 2-D toy data: an MLP bends its boundary around two
//! moons where logistic regression cannot; softmax regression meets the
//! moment conditions of its maximum-likelihood solution.

use losslab::loss::{Data, Reduction};
use losslab::train::toy::{blobs, two_moons};
use losslab::train::{
    Activation, Budget, Method, ModelSpec, Objective, Problem, Samples, Step, Training,
};

use crate::common::logits;

fn accuracy(scores: &[f64], labels: &[f64]) -> f64 {
    let right = scores
        .iter()
        .zip(labels)
        .filter(|(s, y)| (**s > 0.0) == (**y == 1.0))
        .count();
    right as f64 / labels.len() as f64
}

#[test]
fn an_mlp_separates_two_moons_where_logistic_regression_cannot() {
    let moons = two_moons(200, 0.1, 1).unwrap();
    let samples = Samples::new(moons.inputs.clone(), 2).unwrap();
    let objective = Objective::loss(
        &logits("bce"),
        Data::Flat(moons.labels.clone()),
        None,
        Reduction::Mean,
    );
    let spec = ModelSpec::Mlp {
        hidden: vec![8],
        activation: Activation::Tanh,
        outputs: 1,
    };
    let mlp = Problem::new(spec, samples.clone(), objective.clone()).unwrap();
    let trained = mlp
        .train(
            &Training::new(Method::adam(Step::Constant(0.05)), 1500)
                .seed(2)
                .path_stride(100),
            &Budget::default(),
        )
        .unwrap();
    let deep = accuracy(
        &mlp.predict(&trained.final_parameters).unwrap(),
        &moons.labels,
    );
    let logistic = Problem::new(ModelSpec::Logistic, samples, objective).unwrap();
    let line = logistic
        .train(
            &Training::new(Method::Newton { damping: 0.0 }, 30),
            &Budget::default(),
        )
        .unwrap();
    let flat = accuracy(
        &logistic.predict(&line.final_parameters).unwrap(),
        &moons.labels,
    );
    assert!(deep >= 0.98, "MLP accuracy {deep}");
    assert!(flat < 0.92 && flat > 0.75, "logistic accuracy {flat}");
    // The same network on a grid of new points: a decision map (here: its corners' classes).
    let corners = Samples::new(vec![-1.0, 1.0, 2.0, -1.0], 2).unwrap();
    let map = mlp.predict_at(&trained.final_parameters, &corners).unwrap();
    assert!(map[0] < 0.0 && map[1] > 0.0, "{map:?}");
}

#[test]
fn softmax_regression_meets_its_likelihood_equations() {
    let toy = blobs(&[[0.0, 0.0], [2.0, 0.5], [0.5, 2.0]], 1.0, 40, 3).unwrap();
    let objective = Objective::loss(
        &logits("scce"),
        Data::Flat(toy.labels.clone()),
        None,
        Reduction::Sum,
    );
    let problem = Problem::new(
        ModelSpec::Softmax { classes: 3 },
        Samples::new(toy.inputs.clone(), 2).unwrap(),
        objective,
    )
    .unwrap();
    let momentum = Method::Momentum {
        step: Step::Constant(0.002),
        momentum: 0.9,
    };
    let fit = problem
        .train(&Training::new(momentum, 3000), &Budget::default())
        .unwrap();
    let scores = problem.predict(&fit.final_parameters).unwrap();
    // At the maximum-likelihood fit, for each class c: Σ_i p_ic = n_c and Σ_i p_ic x_i = Σ_{i in c} x_i.
    for c in 0..3 {
        let (mut mass, mut first, mut second) = (0.0, 0.0, 0.0);
        let (mut count, mut sum1, mut sum2) = (0.0, 0.0, 0.0);
        for (i, row) in scores.chunks(3).enumerate() {
            let top = row.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            let total: f64 = row.iter().map(|z| (z - top).exp()).sum();
            let p = (row[c] - top).exp() / total;
            let x = &toy.inputs[2 * i..2 * i + 2];
            mass += p;
            first += p * x[0];
            second += p * x[1];
            if toy.labels[i] == c as f64 {
                count += 1.0;
                sum1 += x[0];
                sum2 += x[1];
            }
        }
        for (got, want) in [(mass, count), (first, sum1), (second, sum2)] {
            assert!((got - want).abs() < 1e-8, "class {c}: {got} vs {want}");
        }
    }
}
