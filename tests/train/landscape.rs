//! Loss-landscape slices: exact parabolas for least squares, filter
//! normalisation after Li et al. (2018), gaps outside a loss's domain, budgets.

use losslab::loss::{Data, Reduction};
use losslab::train::{
    Activation, Budget, DirectionSpec, Method, ModelSpec, Objective, Problem, Samples, Training,
};

use crate::common::{close, design, features, logits, loss};

#[test]
fn least_squares_slices_are_the_exact_parabolas() {
    let xs = features(40, 2, 41);
    let ys: Vec<f64> = xs
        .chunks(2)
        .map(|x| 3.0 * x[0] - x[1] + 0.5 + 0.1 * (x[0] * 7.0).sin())
        .collect();
    let objective = Objective::loss(&loss("mse", &[]), Data::Flat(ys), None, Reduction::Mean);
    let problem = Problem::new(
        ModelSpec::Linear,
        Samples::new(xs.clone(), 2).unwrap(),
        objective,
    )
    .unwrap();
    let center = problem
        .train(
            &Training::new(Method::Newton { damping: 0.0 }, 2),
            &Budget::default(),
        )
        .unwrap()
        .final_parameters;
    let best = problem.loss(&center).unwrap();
    let d1 = problem
        .direction(&center, &DirectionSpec::Given(vec![1.0, 0.0, 0.0]))
        .unwrap();
    let d2 = problem
        .direction(&center, &DirectionSpec::Random { seed: 3 })
        .unwrap();
    let rows = design(&xs, 2);
    // At the optimum the linear term vanishes: L(θ* + αd) = L* + α² mean((x̃·d)²).
    let curvature = |d: &[f64], e: &[f64], a: f64, b: f64| {
        rows.iter()
            .map(|r| {
                let v: f64 = r
                    .iter()
                    .zip(d.iter().zip(e))
                    .map(|(x, (di, ei))| x * (a * di + b * ei))
                    .sum();
                v * v
            })
            .sum::<f64>()
            / rows.len() as f64
    };
    let alphas: Vec<f64> = (-10..=10).map(|i| i as f64 * 0.2).collect();
    let slice = problem
        .slice_1d(&center, &d1, &alphas, &Budget::default())
        .unwrap();
    for (a, l) in slice.alphas.iter().zip(&slice.losses) {
        assert!(
            close(l.unwrap(), best + curvature(&d1, &d1, *a, 0.0), 1e-12),
            "{a}"
        );
    }
    let plane = problem
        .slice_2d(
            &center,
            [&d1, &d2],
            &alphas,
            &alphas[5..15],
            &Budget::default(),
        )
        .unwrap();
    for (j, b) in plane.betas.iter().enumerate() {
        for (i, a) in plane.alphas.iter().enumerate() {
            assert!(close(
                plane.losses[j][i].unwrap(),
                best + curvature(&d1, &d2, *a, *b),
                1e-12
            ));
        }
    }
}

#[test]
fn random_directions_are_filter_normalised_with_biases_still() {
    let xs = features(20, 2, 42);
    let ys: Vec<f64> = xs
        .chunks(2)
        .map(|x| f64::from(u8::from(x[0] > x[1])))
        .collect();
    let objective = Objective::loss(&logits("bce"), Data::Flat(ys), None, Reduction::Mean);
    let spec = ModelSpec::Mlp {
        hidden: vec![3],
        activation: Activation::Tanh,
        outputs: 1,
    };
    let problem = Problem::new(spec, Samples::new(xs, 2).unwrap(), objective).unwrap();
    let center: Vec<f64> = (0..13).map(|i| 0.3 * i as f64 - 1.7).collect();
    let d = problem
        .direction(&center, &DirectionSpec::Random { seed: 9 })
        .unwrap();
    let norm = |v: &[f64]| v.iter().map(|x| x * x).sum::<f64>().sqrt();
    // Layout: layer 1 W (3 × 2) then b (3); layer 2 W (1 × 3) then b (1).
    for filter in [0..2, 2..4, 4..6, 9..12] {
        assert!(
            close(
                norm(&d[filter.clone()]),
                norm(&center[filter.clone()]),
                1e-14
            ),
            "{filter:?}"
        );
    }
    assert_eq!([d[6], d[7], d[8], d[12]], [0.0; 4]);
    assert_ne!(
        d,
        problem
            .direction(&center, &DirectionSpec::Random { seed: 10 })
            .unwrap()
    );
}

#[test]
fn slices_leave_gaps_outside_the_domain_and_respect_the_budget() {
    // A Poisson rate must be >= 0: a constant rate below 0 is outside the domain.
    let objective = Objective::loss(
        &loss("poisson", &[]),
        Data::Flat(vec![1.0, 2.0, 3.0]),
        None,
        Reduction::Mean,
    );
    let problem = Problem::new(ModelSpec::Constant, Samples::featureless(3), objective).unwrap();
    let slice = problem
        .slice_1d(&[1.0], &[1.0], &[-2.0, 0.0, 1.0], &Budget::default())
        .unwrap();
    assert_eq!(slice.losses[0], None);
    assert!(slice.losses[1].is_some() && slice.losses[2].is_some());
    let err = problem
        .slice_2d(
            &[1.0],
            [&[1.0], &[1.0]],
            &[0.0; 30],
            &[0.0; 30],
            &Budget::new(2000),
        )
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "900 points × 3 samples = 2700 exceeds the budget of 2000"
    );
}

#[test]
fn trainings_beyond_the_budget_are_refused_before_work_with_the_count() {
    let xs = features(200, 2, 43);
    let ys: Vec<f64> = xs
        .chunks(2)
        .map(|x| f64::from(u8::from(x[0] > 0.0)))
        .collect();
    let objective = Objective::loss(&logits("bce"), Data::Flat(ys), None, Reduction::Mean);
    let samples = Samples::new(xs, 2).unwrap();
    let linear = Problem::new(ModelSpec::Logistic, samples.clone(), objective.clone()).unwrap();
    let training = Training::new(Method::adam(losslab::train::Step::Constant(0.1)), 999);
    let err = linear.train(&training, &Budget::new(100_000)).unwrap_err();
    assert_eq!(
        err.to_string(),
        "999 steps × 200 samples = 199800 exceeds the budget of 100000"
    );
    let spec = ModelSpec::Mlp {
        hidden: vec![8],
        activation: Activation::Relu,
        outputs: 1,
    };
    let mlp = Problem::new(spec, samples, objective).unwrap();
    let err = mlp.train(&training, &Budget::new(1_000_000)).unwrap_err();
    assert_eq!(
        err.to_string(),
        "999 steps × 200 samples × 33 parameters = 6593400 exceeds the budget of 1000000"
    );
}
