//! Back-propagated gradients against central finite differences, for every
//! model shape: MLPs (1 and 2 hidden layers, tanh and ReLU), softmax and
//! logistic regression, and the normal density model.

use losslab::loss::{Data, Reduction};
use losslab::train::{Activation, ModelSpec, Objective, Problem, Samples, Training};

use crate::common::{features, logits, loss};

fn check_against_finite_differences(problem: &Problem, params: &[f64]) {
    let gradient = problem.gradient(params).unwrap();
    let h = 1e-6;
    for i in 0..params.len() {
        let mut up = params.to_vec();
        let mut down = params.to_vec();
        up[i] += h;
        down[i] -= h;
        let fd = (problem.loss(&up).unwrap() - problem.loss(&down).unwrap()) / (2.0 * h);
        let scale = gradient[i].abs().max(1e-3);
        assert!(
            (gradient[i] - fd).abs() < 1e-6 * scale + 1e-9,
            "parameter {i}: backprop {} vs fd {fd}",
            gradient[i]
        );
    }
}

/// A training's seeded start, with biases moved off 0: with zero biases a
/// sample whose first-layer ReLUs are all off puts the next layer exactly on
/// its kink, where no finite difference holds.
fn start(problem: &Problem, seed: u64) -> Vec<f64> {
    let history = problem
        .train(
            &Training::new(
                losslab::train::Method::adam(losslab::train::Step::Constant(0.01)),
                0,
            )
            .seed(seed),
            &Default::default(),
        )
        .unwrap();
    let shift = |i: usize| 0.05 * (i as f64 * 1.7).sin();
    history
        .final_parameters
        .iter()
        .enumerate()
        .map(|(i, p)| p + shift(i))
        .collect()
}

fn two_class_data(n: usize) -> (Vec<f64>, Vec<f64>) {
    let xs = features(n, 2, 7);
    let ys = xs
        .chunks(2)
        .map(|x| f64::from(u8::from(x[0] * x[1] > 0.0)))
        .collect();
    (xs, ys)
}

#[test]
fn mlp_gradients_match_finite_differences() {
    let (xs, ys) = two_class_data(40);
    for activation in [Activation::Tanh, Activation::Relu] {
        for hidden in [vec![5], vec![4, 3]] {
            let objective = Objective::loss(
                &logits("bce"),
                Data::Flat(ys.clone()),
                None,
                Reduction::Mean,
            );
            let spec = ModelSpec::Mlp {
                hidden: hidden.clone(),
                activation,
                outputs: 1,
            };
            let problem =
                Problem::new(spec, Samples::new(xs.clone(), 2).unwrap(), objective).unwrap();
            let params = start(&problem, 11);
            check_against_finite_differences(&problem, &params);
        }
    }
}

#[test]
fn multi_output_mlp_and_softmax_gradients_match_finite_differences() {
    let xs = features(30, 2, 8);
    let labels: Vec<f64> = xs
        .chunks(2)
        .map(|x| ((x[0] + 2.0) * 0.75).floor().min(2.0))
        .collect();
    let objective = Objective::loss(&logits("scce"), Data::Flat(labels), None, Reduction::Mean);
    let samples = Samples::new(xs, 2).unwrap();
    let mlp = ModelSpec::Mlp {
        hidden: vec![4],
        activation: Activation::Tanh,
        outputs: 3,
    };
    let problem = Problem::new(mlp, samples.clone(), objective.clone()).unwrap();
    check_against_finite_differences(&problem, &start(&problem, 3));
    let softmax = Problem::new(ModelSpec::Softmax { classes: 3 }, samples, objective).unwrap();
    let params: Vec<f64> = (0..softmax.parameter_count())
        .map(|i| 0.1 * i as f64 - 0.4)
        .collect();
    check_against_finite_differences(&softmax, &params);
    assert_eq!(
        softmax.parameter_names()[..3],
        ["w[0,0]", "w[0,1]", "w[1,0]"]
    );
}

#[test]
fn linear_huber_and_normal_density_gradients_match_finite_differences() {
    let xs = features(25, 3, 9);
    let ys: Vec<f64> = xs.chunks(3).map(|x| x[0] - 2.0 * x[2] + 0.5).collect();
    let huber = Objective::loss(&loss("huber", &[]), Data::Flat(ys), None, Reduction::Mean);
    let linear = Problem::new(ModelSpec::Linear, Samples::new(xs, 3).unwrap(), huber).unwrap();
    check_against_finite_differences(&linear, &[0.3, -0.2, 0.1, 0.05]);
    let grid: Vec<f64> = (0..201).map(|i| -5.0 + 0.05 * i as f64).collect();
    let target: Vec<f64> = grid
        .iter()
        .map(|x| 0.05 * (-(x - 1.0) * (x - 1.0) / 2.0).exp() / std::f64::consts::TAU.sqrt())
        .collect();
    for reverse in [false, true] {
        let objective = Objective::kl(target.clone(), reverse).unwrap();
        let model = ModelSpec::Normal {
            grid: grid.clone(),
            cell: 0.05,
        };
        let problem = Problem::new(model, Samples::featureless(1), objective).unwrap();
        check_against_finite_differences(&problem, &[0.3, 0.2]);
    }
}
