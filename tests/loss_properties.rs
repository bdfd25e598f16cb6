//! Properties every loss of the catalogue must have, driven by the
//! catalogue itself: each loss's definition says where to sample it
//! (`LossInfo::sampling`) and where its derivatives jump, so a new loss is
//! checked here without anyone adding a case. Analytic derivatives agree with
//! central finite differences; row losses have a symmetric Hessian (their
//! gradient is the gradient of a function); losses from logits stay finite at
//! extreme logits; values are non-negative where the loss says so; parallel
//! evaluation is deterministic and compensated.

mod common;

use common::{
    close, ABS_FINITE_DIFFERENCE, FINITE_DIFFERENCE_STEP, REL_FINITE_DIFFERENCE, REL_ULPS,
};
use losslab::loss::{
    accurate_sum, catalogue, Data, Loss, ParamDefault, ParamValue, Params, Reduction, Region,
    Sampling, Shape,
};
use proptest::prelude::*;

fn loss(name: &str, params: &[(&str, ParamValue)]) -> Loss {
    let params: Params = params
        .iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect();
    Loss::new(name, &params).expect("valid loss")
}

fn num(x: f64) -> ParamValue {
    ParamValue::Number(x)
}

fn yes() -> ParamValue {
    ParamValue::Bool(true)
}

/// The loss `name` with the parameters of a sampling case.
fn with_params(name: &str, params: &[(&str, ParamDefault)]) -> Loss {
    let params: Params = params
        .iter()
        .map(|(k, v)| (k.to_string(), v.value()))
        .collect();
    Loss::new(name, &params).unwrap_or_else(|e| panic!("{name}: sampling parameters: {e}"))
}

/// Every (loss, sampling case) of the catalogue of one shape.
fn cases(shape: Shape) -> Vec<(Loss, Sampling)> {
    catalogue()
        .into_iter()
        .filter(|info| info.shape == shape)
        .flat_map(|info| {
            info.sampling
                .iter()
                .map(move |s| (with_params(info.name, s.params), *s))
        })
        .collect()
}

/// Central difference of `f` at `x`.
fn central_difference(f: impl Fn(f64) -> f64, x: f64) -> f64 {
    let h = FINITE_DIFFERENCE_STEP * x.abs().max(1.0);
    (f(x + h) - f(x - h)) / (2.0 * h)
}

/// Analytic vs finite difference, with a tolerance that scales with the
/// function's size (rounding in f(x ± h) is about eps·|f|/h).
fn agrees(analytic: f64, numeric: f64, scale: f64) -> bool {
    close(
        numeric,
        analytic,
        REL_FINITE_DIFFERENCE,
        ABS_FINITE_DIFFERENCE * (1.0 + scale.abs()),
    )
}

/// An elementwise input from its region.
fn element(region: Region, u: f64) -> f64 {
    region
        .at(u)
        .unwrap_or_else(|| panic!("{region:?} is a row region"))
}

#[test]
fn every_loss_is_sampled() {
    for info in catalogue() {
        assert!(
            !info.sampling.is_empty(),
            "{} has no sampling region",
            info.name
        );
        for s in info.sampling {
            with_params(info.name, s.params);
            if info.shape == Shape::Elementwise {
                assert!(s.target.at(0.5).is_some() && s.prediction.at(0.5).is_some());
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, failure_persistence: None, ..ProptestConfig::default() })]

    /// Gradient and Hessian of every elementwise loss against central
    /// differences, away from the kinks its definition names.
    #[test]
    fn elementwise_derivatives(u in 0.0f64..1.0, v in 0.0f64..1.0) {
        for (l, s) in cases(Shape::Elementwise) {
            let (y, yhat) = (element(s.target, u), element(s.prediction, v));
            if s.kinks.iter().any(|k| (yhat - (y + k)).abs() <= 1e-3) {
                continue;
            }
            let p = l.point(y, yhat).unwrap_or_else(|e| panic!("{} at ({y}, {yhat}): {e}", l.name()));
            let value = |x: f64| l.point(y, x).expect("in the region").value;
            let gradient = |x: f64| l.point(y, x).expect("in the region").gradient;
            let g = central_difference(value, yhat);
            prop_assert!(agrees(p.gradient, g, p.value), "{} {:?} at ({y}, {yhat}): gradient {} vs {g}", l.name(), s.params, p.gradient);
            let h = central_difference(gradient, yhat);
            prop_assert!(agrees(p.hessian, h, p.gradient), "{} {:?} at ({y}, {yhat}): hessian {} vs {h}", l.name(), s.params, p.hessian);
            if s.non_negative {
                prop_assert!(p.value >= 0.0, "{} at ({y}, {yhat}) is {}", l.name(), p.value);
            }
        }
    }

    /// Huber tends to ½·MSE as δ → ∞ (exactly ½a² once δ ≥ |a|).
    #[test]
    fn huber_tends_to_half_mse(y in -100.0f64..100.0, yhat in -100.0f64..100.0) {
        let huber = loss("huber", &[("delta", num(1e6))]).point(y, yhat).unwrap();
        let mse = loss("mse", &[]).point(y, yhat).unwrap();
        prop_assert!(close(huber.value, 0.5 * mse.value, REL_ULPS, 0.0));
        prop_assert!(close(huber.gradient, 0.5 * mse.gradient, REL_ULPS, 0.0));
        prop_assert!(close(huber.hessian, 0.5 * mse.hessian, REL_ULPS, 0.0));
    }

    /// Zero loss at a perfect prediction, where that holds.
    #[test]
    fn zero_at_perfect_prediction(y in -50.0f64..50.0, label in 0usize..2) {
        for name in ["mae", "mse", "huber", "smooth_l1", "log_cosh", "quantile", "pseudo_huber"] {
            prop_assert_eq!(loss(name, &[]).point(y, y).unwrap().value, 0.0);
        }
        if y > -1.0 && y != 0.0 {
            prop_assert_eq!(loss("msle", &[]).point(y, y).unwrap().value, 0.0);
            prop_assert_eq!(loss("mape", &[]).point(y, y).unwrap().value, 0.0);
        }
        let b = label as f64;
        prop_assert_eq!(loss("bce", &[]).point(b, b).unwrap().value, 0.0);
        prop_assert_eq!(loss("binary_focal_cross_entropy", &[]).point(b, b).unwrap().value, 0.0);
        let s = 2.0 * b - 1.0;
        prop_assert_eq!(loss("hinge", &[]).point(s, s * (1.0 + y.abs())).unwrap().value, 0.0);
    }
}

fn distribution(u: &[f64]) -> Vec<f64> {
    let s: f64 = u.iter().map(|x| x + 0.05).sum();
    u.iter().map(|x| (x + 0.05) / s).collect()
}

fn one_hot(u: &[f64], k: usize) -> Vec<f64> {
    (0..u.len())
        .map(|c| if c == k { 1.0 } else { 0.0 })
        .collect()
}

/// A row (or, for sparse labels, the label k) from its region.
fn row(region: Region, u: &[f64], k: usize) -> Vec<f64> {
    match region {
        Region::Between(..) | Region::OneOf(_) => u.iter().map(|&x| element(region, x)).collect(),
        Region::Distribution => distribution(u),
        Region::OneHot => one_hot(u, k),
        Region::Label => vec![k as f64],
    }
}

/// Value of a row loss on one row (sum reduction).
fn row_value(l: &Loss, t: &Data, p: &[f64]) -> f64 {
    l.evaluate(t, &Data::Flat(p.to_vec()), None, Reduction::Sum)
        .expect("valid row")
        .value
}

/// Gradient of a row loss on one row (sum reduction).
fn row_gradient(l: &Loss, t: &Data, p: &[f64]) -> Vec<f64> {
    match l
        .evaluate(t, &Data::Flat(p.to_vec()), None, Reduction::Sum)
        .expect("valid row")
        .gradient
    {
        Data::Flat(g) => g,
        Data::Rows(_) => panic!("flat in, flat out"),
    }
}

/// p with entry j moved by d.
fn moved(p: &[f64], j: usize, d: f64) -> Vec<f64> {
    let mut q = p.to_vec();
    q[j] += d;
    q
}

/// Where a row loss is not differentiable (the categorical hinge's kink and
/// rival ties): its analytic gradient jumps within a few steps of `p`.
fn near_a_kink(l: &Loss, t: &Data, p: &[f64]) -> bool {
    let g = row_gradient(l, t, p);
    (0..p.len()).any(|j| {
        let h = 2.0 * FINITE_DIFFERENCE_STEP * p[j].abs().max(1.0);
        let (up, down) = (
            row_gradient(l, t, &moved(p, j, h)),
            row_gradient(l, t, &moved(p, j, -h)),
        );
        (0..p.len()).any(|k| (up[k] - down[k]).abs() > 0.1 * (1.0 + g[k].abs()))
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1000, failure_persistence: None, ..ProptestConfig::default() })]

    /// Gradient of every row loss against central differences, per
    /// component, and its Hessian (the Jacobian of the gradient, by central
    /// differences) symmetric.
    #[test]
    fn row_gradients_and_symmetric_hessians(
        u in prop::collection::vec(0.0f64..1.0, 5),
        v in prop::collection::vec(0.0f64..1.0, 5),
        classes in 2usize..=5,
        k in 0usize..5,
    ) {
        for (l, s) in cases(Shape::Rows) {
            let classes = s.classes.unwrap_or(classes);
            let k = k % classes;
            let t = Data::Flat(row(s.target, &u[..classes], k));
            let p = row(s.prediction, &v[..classes], k);
            if near_a_kink(&l, &t, &p) {
                continue;
            }
            let value = row_value(&l, &t, &p);
            let g = row_gradient(&l, &t, &p);
            // Column j of the Hessian: ∂g/∂q_j by central differences of the gradient.
            let mut columns = Vec::with_capacity(classes);
            for j in 0..classes {
                let numeric = central_difference(|x| row_value(&l, &t, &moved(&p, j, x - p[j])), p[j]);
                prop_assert!(agrees(g[j], numeric, value), "{} {:?} d/dq[{j}] at t={t:?} q={p:?}: {} vs {numeric}", l.name(), s.params, g[j]);
                let h = FINITE_DIFFERENCE_STEP * p[j].abs().max(1.0);
                let (up, down) = (row_gradient(&l, &t, &moved(&p, j, h)), row_gradient(&l, &t, &moved(&p, j, -h)));
                columns.push(up.iter().zip(&down).map(|(a, b)| (a - b) / (2.0 * h)).collect::<Vec<f64>>());
            }
            let size = columns.iter().flatten().fold(0.0f64, |m, x| m.max(x.abs()));
            for (i, column_i) in columns.iter().enumerate() {
                for (j, column_j) in columns.iter().enumerate().take(i) {
                    // ∂g_i/∂q_j against ∂g_j/∂q_i.
                    prop_assert!(
                        close(column_j[i], column_i[j], REL_FINITE_DIFFERENCE, ABS_FINITE_DIFFERENCE * (1.0 + size)),
                        "{} {:?} Hessian [{i}][{j}] {} vs [{j}][{i}] {} at t={t:?} q={p:?}",
                        l.name(), s.params, column_j[i], column_i[j]
                    );
                }
            }
            if s.non_negative {
                prop_assert!(value >= -1e-15, "{} is {}", l.name(), value);
            }
        }
    }

    /// KL(p‖p) = 0 and JS(p, p) = 0, with zero gradient of JS at q = p.
    #[test]
    fn divergence_of_a_distribution_from_itself(u in prop::collection::vec(0.0f64..1.0, 2..8)) {
        let p = Data::Flat(distribution(&u));
        let kl = loss("kl", &[]).evaluate(&p, &p, None, Reduction::Mean).unwrap();
        prop_assert_eq!(kl.value, 0.0);
        let js = loss("js", &[]).evaluate(&p, &p, None, Reduction::Mean).unwrap();
        prop_assert_eq!(js.value, 0.0);
        let Data::Flat(g) = js.gradient else { panic!("flat") };
        prop_assert!(g.iter().all(|&x| x == 0.0));
    }

    /// Perfect predictions of the row losses.
    #[test]
    fn row_losses_vanish_at_perfect_prediction(u in prop::collection::vec(0.0f64..1.0, 2..6), k in 0usize..6) {
        let k = k % u.len();
        let hot = Data::Flat(one_hot(&u, k));
        prop_assert_eq!(loss("cce", &[]).evaluate(&hot, &hot, None, Reduction::Mean).unwrap().value, 0.0);
        let label = Data::Flat(vec![k as f64]);
        prop_assert_eq!(loss("scce", &[]).evaluate(&label, &hot, None, Reduction::Mean).unwrap().value, 0.0);
        let margin: Vec<f64> = one_hot(&u, k).iter().map(|x| 2.0 * x).collect();
        prop_assert_eq!(loss("categorical_hinge", &[]).evaluate(&hot, &Data::Flat(margin), None, Reduction::Mean).unwrap().value, 0.0);
    }
}

/// Deterministic pseudo-random numbers in [0, 1) (no dependence on a seedable RNG).
fn pseudo_random(n: usize, seed: u64) -> Vec<f64> {
    let mut state = seed;
    (0..n)
        .map(|_| {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (state >> 11) as f64 / (1u64 << 53) as f64
        })
        .collect()
}

fn in_pool<T: Send>(threads: usize, f: impl FnOnce() -> T + Send) -> T {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("thread pool")
        .install(f)
}

#[test]
fn parallel_evaluation_is_deterministic() {
    let n = 300_000;
    let y: Vec<f64> = pseudo_random(n, 1).iter().map(|x| 10.0 * x - 5.0).collect();
    let yhat: Vec<f64> = pseudo_random(n, 2).iter().map(|x| 1e3 * x - 5e2).collect();
    let w = pseudo_random(n, 3);
    let (t, p) = (Data::Flat(y), Data::Flat(yhat));
    let lc = loss("log_cosh", &[]);
    let run = || {
        lc.evaluate(&t, &p, Some(&w), Reduction::WeightedMean)
            .unwrap()
    };
    let (one, two) = (in_pool(1, run), in_pool(2, run));
    assert_eq!(one.value.to_bits(), two.value.to_bits());
    assert_eq!(one, two);

    let rows: Vec<Vec<f64>> = pseudo_random(3 * 100_000, 4)
        .chunks(3)
        .map(|r| r.iter().map(|x| 20.0 * x - 10.0).collect())
        .collect();
    let labels: Vec<f64> = pseudo_random(100_000, 5)
        .iter()
        .map(|x| (3.0 * x).floor())
        .collect();
    let scce = loss("scce", &[("from_logits", yes())]);
    let (t, p) = (Data::Flat(labels), Data::Rows(rows));
    let run = || scce.evaluate(&t, &p, None, Reduction::Mean).unwrap();
    let (one, two) = (in_pool(1, run), in_pool(2, run));
    assert_eq!(one.value.to_bits(), two.value.to_bits());
    assert_eq!(one, two);
}

#[test]
fn one_large_and_many_tiny_values_sum_exactly() {
    let mut values = vec![1e-8; 100_000];
    values.insert(0, 1e8);
    let expected = 100_000_000.001;
    assert!(close(accurate_sum(&values), expected, 1e-13, 0.0));
    let zeros = Data::Flat(vec![0.0; values.len()]);
    let mae = loss("mae", &[]);
    let e = in_pool(2, || {
        mae.evaluate(&zeros, &Data::Flat(values.clone()), None, Reduction::Sum)
            .unwrap()
    });
    assert!(close(e.value, expected, 1e-13, 0.0), "{}", e.value);
}

#[test]
fn reductions_round_trip() {
    for r in [Reduction::Mean, Reduction::Sum, Reduction::WeightedMean] {
        assert_eq!(r.as_str().parse::<Reduction>(), Ok(r));
    }
    assert!("average"
        .parse::<Reduction>()
        .unwrap_err()
        .contains("`average`"));
}

#[test]
fn catalogue_matches_constructors() {
    for info in catalogue() {
        let l = Loss::new(info.name, &Params::new()).expect("defaults are valid");
        assert_eq!(l.name(), info.name);
        assert_eq!(l.shape(), info.shape);
        assert_eq!(l.point(1.0, 0.5).is_ok(), info.shape == Shape::Elementwise);
        // `convention` and `dtype` are listed but reported only when a
        // convention is chosen (exact output stays as it was).
        assert_eq!(l.params().len() + 2, info.params.len());
        assert_eq!(l.info().formula, info.formula);
        assert_eq!(l.display_name(), info.display_name);
        for alias in info.aliases {
            assert_eq!(Loss::new(alias, &Params::new()).unwrap().name(), info.name);
        }
    }
}

/// A parameter that makes the prediction a logit (or a log-rate).
fn takes_logits(params: &[(&str, ParamDefault)]) -> bool {
    params.iter().any(|(name, value)| {
        matches!(*name, "from_logits" | "log_input") && *value == ParamDefault::Bool(true)
    })
}

/// Every loss of the catalogue that can take logits, as (loss, sampling):
/// its defaults with `from_logits = true`, and each sampling case on logits.
fn logit_cases(shape: Shape) -> Vec<(Loss, Sampling)> {
    let mut all = Vec::new();
    for info in catalogue().into_iter().filter(|i| i.shape == shape) {
        let Some(first) = info.sampling.first() else {
            continue;
        };
        if info.params.iter().any(|p| p.name == "from_logits") {
            let logits: &[(&str, ParamDefault)] = &[("from_logits", ParamDefault::Bool(true))];
            all.push((with_params(info.name, logits), *first));
        }
        for s in info.sampling.iter().filter(|s| takes_logits(s.params)) {
            all.push((with_params(info.name, s.params), *s));
        }
    }
    all
}

#[test]
fn every_loss_with_logits_is_checked_at_extreme_logits() {
    for info in catalogue() {
        if info.params.iter().any(|p| p.name == "from_logits") {
            assert!(
                logit_cases(info.shape)
                    .iter()
                    .any(|(l, _)| l.name() == info.name),
                "{}",
                info.name
            );
        }
    }
}

/// Logits from uniforms, spread over ±scale; scale up to 1000.
fn spread(v: &[f64], scale: f64) -> Vec<f64> {
    v.iter().map(|x| scale * (2.0 * x - 1.0)).collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 500, failure_persistence: None, ..ProptestConfig::default() })]

    /// Row losses from logits at moderate and extreme logits (±1000): the
    /// value is finite, every gradient component is finite and agrees with
    /// central differences (the losses are smooth, so the differences stay
    /// accurate at any logit scale).
    #[test]
    fn row_gradients_at_extreme_logits(
        scale in prop::sample::select(vec![1.0, 8.0, 40.0, 400.0, 800.0, 1000.0]),
        u in prop::collection::vec(0.0f64..1.0, 5),
        v in prop::collection::vec(0.0f64..1.0, 5),
        classes in 2usize..=5,
        k in 0usize..5,
    ) {
        for (l, s) in logit_cases(Shape::Rows) {
            let classes = s.classes.unwrap_or(classes);
            let k = k % classes;
            let t = Data::Flat(row(s.target, &u[..classes], k));
            let z = spread(&v[..classes], scale);
            let e = l.evaluate(&t, &Data::Flat(z.clone()), None, Reduction::Sum).expect("valid row");
            prop_assert!(e.value.is_finite(), "{} at t={t:?} z={z:?} is {}", l.name(), e.value);
            prop_assert!(e.value >= -1e-12 * scale, "{} at t={t:?} z={z:?} is {}", l.name(), e.value);
            let Data::Flat(g) = &e.gradient else { panic!("flat in, flat out") };
            for j in 0..classes {
                prop_assert!(g[j].is_finite(), "{} d/dz[{j}] at t={t:?} z={z:?} is {}", l.name(), g[j]);
                let numeric = central_difference(|x| row_value(&l, &t, &moved(&z, j, x - z[j])), z[j]);
                prop_assert!(agrees(g[j], numeric, e.value), "{} d/dz[{j}] at t={t:?} z={z:?}: {} vs {numeric}", l.name(), g[j]);
            }
        }
    }

    /// Elementwise losses from logits, up to ±1000: gradient and Hessian
    /// finite wherever the value is, and both agree with central differences.
    #[test]
    fn elementwise_derivatives_at_extreme_logits(
        scale in prop::sample::select(vec![1.0, 8.0, 40.0, 400.0, 800.0, 1000.0]),
        u in 0.0f64..1.0,
        v in 0.0f64..1.0,
    ) {
        for (l, s) in logit_cases(Shape::Elementwise) {
            let y = element(s.target, u);
            let z = scale * (2.0 * v - 1.0);
            let p = l.point(y, z).expect("a logit is in the domain");
            if !p.value.is_finite() {
                continue;
            }
            prop_assert!(p.gradient.is_finite() && p.hessian.is_finite(), "{} at ({y}, {z}): {p:?}", l.name());
            let value = |x: f64| l.point(y, x).expect("in the domain").value;
            let gradient = |x: f64| l.point(y, x).expect("in the domain").gradient;
            // Poisson's e^z overflows near the edge of the range; no differences there.
            if !value(z + FINITE_DIFFERENCE_STEP * z.abs().max(1.0)).is_finite() {
                continue;
            }
            let g = central_difference(value, z);
            prop_assert!(agrees(p.gradient, g, p.value), "{} at ({y}, {z}): gradient {} vs {g}", l.name(), p.gradient);
            let h = central_difference(gradient, z);
            prop_assert!(agrees(p.hessian, h, p.gradient), "{} at ({y}, {z}): hessian {} vs {h}", l.name(), p.hessian);
        }
    }
}

/// The cases of the QA report, through the public API.
#[test]
fn categorical_focal_from_logits_at_the_reported_logits() {
    let l = loss("categorical_focal_cross_entropy", &[("from_logits", yes())]);
    let t = Data::Rows(vec![vec![0.0, 1.0, 0.0]]);
    for z in [[5.0, -800.0, 2.0], [5.0, -740.0, 2.0]] {
        let e = l
            .evaluate(&t, &Data::Rows(vec![z.to_vec()]), None, Reduction::Mean)
            .unwrap();
        let Data::Rows(g) = &e.gradient else {
            panic!("rows in, rows out")
        };
        // α·softmax(5, 2) at the other classes, −α at the true one.
        let e3 = (-3.0f64).exp();
        let want = [0.25 / (1.0 + e3), -0.25, 0.25 * e3 / (1.0 + e3)];
        for (got, want) in g[0].iter().zip(want) {
            assert!(close(*got, want, REL_ULPS, 0.0), "{z:?}: {g:?}");
        }
    }
    let e = l
        .evaluate(
            &t,
            &Data::Rows(vec![vec![1000.0, -1000.0, 0.0]]),
            None,
            Reduction::Mean,
        )
        .unwrap();
    assert_eq!(e.gradient, Data::Rows(vec![vec![0.25, -0.25, 0.0]]));
}
