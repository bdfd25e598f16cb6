//! Properties every loss must have: analytic derivatives agree with central
//! finite differences, losses are non-negative and vanish at a perfect
//! prediction where the mathematics says so, and parallel evaluation is
//! deterministic and compensated.

mod common;

use common::{close, ABS_FINITE_DIFFERENCE, REL_FINITE_DIFFERENCE};
use losslab::loss::{accurate_sum, catalogue, Data, Loss, ParamValue, Params, Reduction, Shape};
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

/// Central difference of `f` at `x`.
fn central_difference(f: impl Fn(f64) -> f64, x: f64) -> f64 {
    let h = 1e-6 * x.abs().max(1.0);
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

/// An elementwise loss with the domain of its inputs (from two uniforms in
/// [0, 1]) and where its derivatives jump.
struct Elementwise {
    loss: Loss,
    target: fn(f64) -> f64,
    prediction: fn(f64) -> f64,
    /// Predictions (for a target) where a derivative is discontinuous.
    kinks: Box<dyn Fn(f64) -> Vec<f64>>,
    non_negative: bool,
}

fn residual_kinks(offsets: Vec<f64>) -> Box<dyn Fn(f64) -> Vec<f64>> {
    Box::new(move |y| offsets.iter().map(|o| y + o).collect())
}

fn elementwise_cases() -> Vec<Elementwise> {
    let wide = |u: f64| -10.0 + 20.0 * u;
    let unit = |u: f64| 0.02 + 0.96 * u;
    let binary = |u: f64| if u < 0.5 { 0.0 } else { 1.0 };
    let soft = |u: f64| u;
    let sign = |u: f64| if u < 0.5 { -1.0 } else { 1.0 };
    let case = |loss, target, prediction, kinks, non_negative| Elementwise {
        loss,
        target,
        prediction,
        kinks,
        non_negative,
    };
    vec![
        case(
            self::loss("mae", &[]),
            wide,
            wide,
            residual_kinks(vec![0.0]),
            true,
        ),
        case(
            self::loss("mse", &[]),
            wide,
            wide,
            residual_kinks(vec![]),
            true,
        ),
        case(
            self::loss("huber", &[("delta", num(1.5))]),
            wide,
            wide,
            residual_kinks(vec![-1.5, 1.5]),
            true,
        ),
        case(
            self::loss("smooth_l1", &[("beta", num(0.5))]),
            wide,
            wide,
            residual_kinks(vec![-0.5, 0.5]),
            true,
        ),
        case(
            self::loss("log_cosh", &[]),
            wide,
            wide,
            residual_kinks(vec![]),
            true,
        ),
        case(
            self::loss("quantile", &[("tau", num(0.2))]),
            wide,
            wide,
            residual_kinks(vec![0.0]),
            true,
        ),
        case(
            self::loss("msle", &[]),
            |u| -0.9 + 10.0 * u,
            |u| -0.9 + 10.0 * u,
            residual_kinks(vec![]),
            true,
        ),
        case(
            self::loss("mape", &[]),
            |u| 0.1 + 5.0 * u,
            wide,
            residual_kinks(vec![0.0]),
            true,
        ),
        case(
            self::loss("poisson", &[]),
            |u| (5.0 * u).floor(),
            |u| 0.1 + 8.0 * u,
            residual_kinks(vec![]),
            false,
        ),
        case(
            self::loss("poisson", &[("log_input", yes())]),
            |u| (5.0 * u).floor(),
            |u| -3.0 + 6.0 * u,
            residual_kinks(vec![]),
            false,
        ),
        case(
            self::loss("bce", &[]),
            soft,
            unit,
            residual_kinks(vec![]),
            true,
        ),
        case(
            self::loss("bce", &[("from_logits", yes())]),
            soft,
            |u| -30.0 + 60.0 * u,
            residual_kinks(vec![]),
            true,
        ),
        case(
            self::loss("bce", &[("label_smoothing", num(0.1))]),
            binary,
            unit,
            residual_kinks(vec![]),
            true,
        ),
        case(
            self::loss("bce", &[("epsilon", num(1e-3))]),
            binary,
            unit,
            residual_kinks(vec![]),
            true,
        ),
        case(
            self::loss("binary_focal_cross_entropy", &[]),
            binary,
            unit,
            residual_kinks(vec![]),
            true,
        ),
        case(
            self::loss(
                "binary_focal_cross_entropy",
                &[("gamma", num(0.5)), ("alpha", num(0.25))],
            ),
            soft,
            unit,
            residual_kinks(vec![]),
            true,
        ),
        case(
            self::loss(
                "binary_focal_cross_entropy",
                &[
                    ("gamma", num(1.5)),
                    ("from_logits", yes()),
                    ("label_smoothing", num(0.2)),
                ],
            ),
            binary,
            |u| -8.0 + 16.0 * u,
            residual_kinks(vec![]),
            true,
        ),
        case(
            self::loss("hinge", &[]),
            sign,
            wide,
            Box::new(|y: f64| vec![y]),
            true,
        ),
        case(
            self::loss("squared_hinge", &[]),
            sign,
            wide,
            Box::new(|y: f64| vec![y]),
            true,
        ),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 3000, failure_persistence: None, ..ProptestConfig::default() })]

    /// Gradient and Hessian of every elementwise loss against central differences.
    #[test]
    fn elementwise_derivatives(index in 0usize..19, u in 0.0f64..1.0, v in 0.0f64..1.0) {
        let cases = elementwise_cases();
        let c = &cases[index % cases.len()];
        let (y, yhat) = ((c.target)(u), (c.prediction)(v));
        prop_assume!((c.kinks)(y).iter().all(|k| (yhat - k).abs() > 1e-3));
        let p = c.loss.point(y, yhat).expect("elementwise");
        let value = |x: f64| c.loss.point(y, x).expect("elementwise").value;
        let gradient = |x: f64| c.loss.point(y, x).expect("elementwise").gradient;
        let g = central_difference(value, yhat);
        prop_assert!(agrees(p.gradient, g, p.value), "{} at ({y}, {yhat}): gradient {} vs {g}", c.loss.name(), p.gradient);
        let h = central_difference(gradient, yhat);
        prop_assert!(agrees(p.hessian, h, p.gradient), "{} at ({y}, {yhat}): hessian {} vs {h}", c.loss.name(), p.hessian);
        if c.non_negative {
            prop_assert!(p.value >= 0.0, "{} at ({y}, {yhat}) is {}", c.loss.name(), p.value);
        }
    }

    /// Huber tends to ½·MSE as δ → ∞ (exactly ½a² once δ ≥ |a|).
    #[test]
    fn huber_tends_to_half_mse(y in -100.0f64..100.0, yhat in -100.0f64..100.0) {
        let huber = loss("huber", &[("delta", num(1e6))]).point(y, yhat).unwrap();
        let mse = loss("mse", &[]).point(y, yhat).unwrap();
        prop_assert!(close(huber.value, 0.5 * mse.value, 1e-15, 0.0));
        prop_assert!(close(huber.gradient, 0.5 * mse.gradient, 1e-15, 0.0));
        prop_assert!(close(huber.hessian, 0.5 * mse.hessian, 1e-15, 0.0));
    }

    /// Zero loss at a perfect prediction, where that holds.
    #[test]
    fn zero_at_perfect_prediction(y in -50.0f64..50.0, label in 0usize..2) {
        for name in ["mae", "mse", "huber", "smooth_l1", "log_cosh", "quantile"] {
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

/// A row loss and how to draw its target and prediction from uniforms.
struct RowCase {
    loss: Loss,
    target: fn(&[f64], usize) -> Data,
    prediction: fn(&[f64]) -> Vec<f64>,
    non_negative: bool,
    /// A fixed class count (for class weights), else drawn.
    classes: Option<usize>,
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

fn row_cases() -> Vec<RowCase> {
    let dist_target = |u: &[f64], _k: usize| Data::Flat(distribution(u));
    let hot_target = |u: &[f64], k: usize| Data::Flat(one_hot(u, k));
    let label_target = |_u: &[f64], k: usize| Data::Flat(vec![k as f64]);
    let probabilities = |v: &[f64]| v.iter().map(|x| 0.05 + 0.9 * x).collect();
    let dist_prediction = |v: &[f64]| distribution(v);
    let logits = |v: &[f64]| v.iter().map(|x| -6.0 + 12.0 * x).collect();
    let case = |loss, target, prediction, non_negative| RowCase {
        loss,
        target,
        prediction,
        non_negative,
        classes: None,
    };
    vec![
        case(loss("cce", &[]), dist_target, probabilities, true),
        case(
            loss(
                "cce",
                &[("from_logits", yes()), ("label_smoothing", num(0.1))],
            ),
            dist_target,
            logits,
            true,
        ),
        RowCase {
            classes: Some(5),
            ..case(
                loss(
                    "scce",
                    &[(
                        "class_weights",
                        ParamValue::List(vec![1.0, 2.0, 0.5, 3.0, 1.0]),
                    )],
                ),
                label_target,
                probabilities,
                true,
            )
        },
        case(
            loss(
                "scce",
                &[("from_logits", yes()), ("label_smoothing", num(0.2))],
            ),
            label_target,
            logits,
            true,
        ),
        case(
            loss("categorical_focal_cross_entropy", &[]),
            hot_target,
            probabilities,
            true,
        ),
        case(
            loss(
                "categorical_focal_cross_entropy",
                &[("gamma", num(1.5)), ("from_logits", yes())],
            ),
            dist_target,
            logits,
            true,
        ),
        case(loss("categorical_hinge", &[]), hot_target, logits, true),
        case(loss("cosine_similarity", &[]), dist_target, logits, false),
        case(loss("kl", &[]), dist_target, dist_prediction, true),
        case(
            loss("kl", &[("base", num(2.0)), ("normalize", yes())]),
            dist_target,
            probabilities,
            true,
        ),
        case(
            loss("jensen_shannon", &[("base", ParamValue::Text("e".into()))]),
            dist_target,
            probabilities,
            true,
        ),
    ]
}

/// Value of a row loss on one row (sum reduction).
fn row_value(l: &Loss, t: &Data, p: &[f64]) -> f64 {
    l.evaluate(t, &Data::Flat(p.to_vec()), None, Reduction::Sum)
        .expect("valid row")
        .value
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, failure_persistence: None, ..ProptestConfig::default() })]

    /// Gradient of every row loss against central differences, per component.
    #[test]
    fn row_gradients(index in 0usize..11, u in prop::collection::vec(0.0f64..1.0, 5), v in prop::collection::vec(0.0f64..1.0, 5), classes in 2usize..=5, k in 0usize..5) {
        let cases = row_cases();
        let c = &cases[index % cases.len()];
        let classes = c.classes.unwrap_or(classes);
        let k = k % classes;
        let t = (c.target)(&u[..classes], k);
        let p: Vec<f64> = (c.prediction)(&v[..classes]);
        if c.loss.name() == "categorical_hinge" {
            // Away from the kink (margin 0) and from ties for the rival class.
            let mut rivals: Vec<f64> = (0..classes).filter(|&j| j != k).map(|j| p[j]).collect();
            rivals.sort_by(|a, b| b.total_cmp(a));
            prop_assume!((1.0 + rivals[0] - p[k]).abs() > 1e-3);
            prop_assume!(rivals.len() < 2 || rivals[0] - rivals[1] > 1e-3);
        }
        let e = c.loss.evaluate(&t, &Data::Flat(p.clone()), None, Reduction::Sum).expect("valid row");
        let Data::Flat(g) = &e.gradient else { panic!("flat in, flat out") };
        for j in 0..classes {
            let numeric = central_difference(|x| {
                let mut q = p.clone();
                q[j] = x;
                row_value(&c.loss, &t, &q)
            }, p[j]);
            prop_assert!(agrees(g[j], numeric, e.value), "{} d/dq[{j}] at t={t:?} q={p:?}: {} vs {numeric}", c.loss.name(), g[j]);
        }
        if c.non_negative {
            prop_assert!(e.value >= -1e-15, "{} is {}", c.loss.name(), e.value);
        }
    }

    /// KL(p‖p) = 0 and JS(p, p) = 0, with zero gradient of KL... of JS at q = p.
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
        assert_eq!(
            l.point(1.0, 0.5).is_some(),
            info.shape == Shape::Elementwise
        );
        assert_eq!(l.params().len(), info.params.len());
        assert_eq!(l.info().formula, info.formula);
        for alias in info.aliases {
            assert_eq!(Loss::new(alias, &Params::new()).unwrap().name(), info.name);
        }
    }
}

/// The losses that take logits, with the parameters that change their
/// arithmetic (γ below and above 1, α, label smoothing, class weights).
fn logit_row_losses() -> Vec<Loss> {
    let focal = |gamma: f64, alpha: f64| {
        loss(
            "categorical_focal_cross_entropy",
            &[
                ("gamma", num(gamma)),
                ("alpha", num(alpha)),
                ("from_logits", yes()),
            ],
        )
    };
    vec![
        loss("cce", &[("from_logits", yes())]),
        loss(
            "cce",
            &[("from_logits", yes()), ("label_smoothing", num(0.1))],
        ),
        loss("scce", &[("from_logits", yes())]),
        focal(0.0, 0.25),
        focal(0.5, 0.25),
        focal(1.0, 1.0),
        focal(2.0, 0.25),
        focal(3.5, 0.5),
    ]
}

fn logit_elementwise_losses() -> Vec<Loss> {
    let focal = |gamma: f64, alpha: Option<f64>, ls: f64| {
        let mut params = vec![
            ("gamma", num(gamma)),
            ("from_logits", yes()),
            ("label_smoothing", num(ls)),
        ];
        if let Some(a) = alpha {
            params.push(("alpha", num(a)));
        }
        loss("binary_focal_cross_entropy", &params)
    };
    vec![
        loss("bce", &[("from_logits", yes())]),
        loss(
            "bce",
            &[("from_logits", yes()), ("label_smoothing", num(0.1))],
        ),
        focal(0.0, None, 0.0),
        focal(0.5, None, 0.0),
        focal(1.0, Some(0.25), 0.1),
        focal(2.0, None, 0.0),
        focal(2.0, Some(0.25), 0.2),
        focal(3.5, None, 0.1),
        loss("poisson", &[("log_input", yes())]),
    ]
}

/// Logits from uniforms, spread over ±scale; scale up to 1000.
fn spread(v: &[f64], scale: f64) -> Vec<f64> {
    v.iter().map(|x| scale * (2.0 * x - 1.0)).collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, failure_persistence: None, ..ProptestConfig::default() })]

    /// Row losses from logits at moderate and extreme logits (±1000): wherever
    /// the value is finite, every gradient component is finite and agrees
    /// with central differences (the losses are smooth, so the differences
    /// stay accurate at any logit scale).
    #[test]
    fn row_gradients_at_extreme_logits(
        index in 0usize..8,
        scale in prop::sample::select(vec![1.0, 8.0, 40.0, 400.0, 800.0, 1000.0]),
        u in prop::collection::vec(0.0f64..1.0, 5),
        v in prop::collection::vec(0.0f64..1.0, 5),
        classes in 2usize..=5,
        k in 0usize..5,
        soft_target in any::<bool>(),
    ) {
        let losses = logit_row_losses();
        let l = &losses[index % losses.len()];
        let k = k % classes;
        let t = if l.name() == "sparse_categorical_cross_entropy" {
            Data::Flat(vec![k as f64])
        } else if soft_target {
            Data::Flat(distribution(&u[..classes]))
        } else {
            Data::Flat(one_hot(&u[..classes], k))
        };
        let z = spread(&v[..classes], scale);
        let e = l.evaluate(&t, &Data::Flat(z.clone()), None, Reduction::Sum).expect("valid row");
        prop_assert!(e.value.is_finite(), "{} at t={t:?} z={z:?} is {}", l.name(), e.value);
        prop_assert!(e.value >= -1e-12 * scale, "{} at t={t:?} z={z:?} is {}", l.name(), e.value);
        let Data::Flat(g) = &e.gradient else { panic!("flat in, flat out") };
        for j in 0..classes {
            prop_assert!(g[j].is_finite(), "{} d/dz[{j}] at t={t:?} z={z:?} is {}", l.name(), g[j]);
            let numeric = central_difference(|x| {
                let mut w = z.clone();
                w[j] = x;
                row_value(l, &t, &w)
            }, z[j]);
            prop_assert!(agrees(g[j], numeric, e.value), "{} d/dz[{j}] at t={t:?} z={z:?}: {} vs {numeric}", l.name(), g[j]);
        }
    }

    /// Elementwise losses from logits, up to ±1000, with hard and soft labels:
    /// gradient and Hessian finite wherever the value is, and both agree
    /// with central differences.
    #[test]
    fn elementwise_derivatives_at_extreme_logits(
        index in 0usize..9,
        scale in prop::sample::select(vec![1.0, 8.0, 40.0, 400.0, 800.0, 1000.0]),
        v in 0.0f64..1.0,
        label in prop::sample::select(vec![0.0, 1.0, 0.3]),
    ) {
        let losses = logit_elementwise_losses();
        let l = &losses[index % losses.len()];
        let y = if l.name() == "poisson" { 3.0 * label } else { label };
        let z = scale * (2.0 * v - 1.0);
        let p = l.point(y, z).expect("a logit is in the domain");
        prop_assume!(p.value.is_finite());
        prop_assert!(p.gradient.is_finite() && p.hessian.is_finite(), "{} at ({y}, {z}): {p:?}", l.name());
        let value = |x: f64| l.point(y, x).expect("in the domain").value;
        let gradient = |x: f64| l.point(y, x).expect("in the domain").gradient;
        // Poisson's e^z overflows near the edge of the range; the differences with it.
        prop_assume!(value(z + 1e-6 * z.abs().max(1.0)).is_finite());
        let g = central_difference(value, z);
        prop_assert!(agrees(p.gradient, g, p.value), "{} at ({y}, {z}): gradient {} vs {g}", l.name(), p.gradient);
        let h = central_difference(gradient, z);
        prop_assert!(agrees(p.hessian, h, p.gradient), "{} at ({y}, {z}): hessian {} vs {h}", l.name(), p.hessian);
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
            assert!(close(*got, want, 1e-15, 0.0), "{z:?}: {g:?}");
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

/// Every elementwise loss with parameters that move its domain.
fn elementwise_losses() -> Vec<Loss> {
    let mut all: Vec<Loss> = catalogue()
        .into_iter()
        .filter(|info| info.shape == Shape::Elementwise)
        .map(|info| loss(info.name, &[]))
        .collect();
    all.push(loss("bce", &[("from_logits", yes())]));
    all.push(loss("bce", &[("epsilon", num(1e-3))]));
    all.push(loss("bce", &[("label_smoothing", num(0.1))]));
    all.push(loss(
        "binary_focal_cross_entropy",
        &[("from_logits", yes())],
    ));
    all.push(loss("poisson", &[("log_input", yes())]));
    all
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 3000, failure_persistence: None, ..ProptestConfig::default() })]

    /// `point` has a value exactly where `evaluate` accepts the pair as one
    /// element (hinge labels: ±1 only, the {0, 1} convention being a property
    /// of a whole target), and then the same value and derivatives.
    #[test]
    fn point_is_defined_exactly_on_the_domain(
        index in 0usize..40,
        y in prop::sample::select(vec![-2.0, -1.0, -0.5, 0.0, 0.25, 1.0, 1.5, 3.0, f64::NAN, f64::INFINITY]),
        yhat in prop::sample::select(vec![-2.0, -1.0, -0.5, 0.0, 0.25, 1.0, 1.5, 3.0, f64::NAN, f64::NEG_INFINITY]),
    ) {
        let losses = elementwise_losses();
        let l = &losses[index % losses.len()];
        let point = l.point(y, yhat);
        let hinge_zero = matches!(l.name(), "hinge" | "squared_hinge") && y == 0.0;
        let eval = l.evaluate(&Data::Flat(vec![y]), &Data::Flat(vec![yhat]), None, Reduction::Sum);
        match (point, eval) {
            (Some(p), Ok(e)) => {
                let same = |a: f64, b: f64| a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan());
                let (Data::Flat(g), Some(h)) = (&e.gradient, &e.hessian) else { panic!("flat") };
                prop_assert!(same(p.value, e.value) && same(p.gradient, g[0]) && same(p.hessian, h[0]),
                    "{} at ({y}, {yhat}): {p:?} vs {e:?}", l.name());
            }
            (None, Err(_)) => {}
            (None, Ok(_)) if hinge_zero => {}
            (p, e) => prop_assert!(false, "{} at ({y}, {yhat}): point {p:?}, evaluate {e:?}", l.name()),
        }
    }
}

/// The QA report's impossible points have no value; infinite points inside
/// the domain keep their infinity.
#[test]
fn point_outside_the_domain_is_none() {
    let bce = loss("bce", &[]);
    assert_eq!(bce.point(1.0, -0.5), None);
    assert_eq!(bce.point(1.0, 1.5), None);
    assert_eq!(bce.point(1.5, 0.5), None);
    assert_eq!(bce.point(1.0, 0.0).unwrap().value, f64::INFINITY);
    assert_eq!(bce.point(0.0, 1.0).unwrap().value, f64::INFINITY);
    let logits = loss("bce", &[("from_logits", yes())]);
    assert!(logits.point(1.0, -5.0).is_some());
    let poisson = loss("poisson", &[]);
    assert_eq!(poisson.point(1.0, -1.0), None);
    assert_eq!(poisson.point(-1.0, 1.0), None);
    assert_eq!(poisson.point(2.0, 0.0).unwrap().value, f64::INFINITY);
    assert!(loss("poisson", &[("log_input", yes())])
        .point(1.0, -1.0)
        .is_some());
    assert_eq!(loss("mape", &[]).point(0.0, 1.0), None);
    assert_eq!(loss("msle", &[]).point(1.0, -1.0), None);
    assert_eq!(loss("msle", &[]).point(-1.5, 0.0), None);
    for name in ["hinge", "squared_hinge"] {
        assert_eq!(loss(name, &[]).point(0.0, 0.5), None);
        assert_eq!(loss(name, &[]).point(0.5, 0.5), None);
        assert!(loss(name, &[]).point(-1.0, 0.5).unwrap().value > 0.0);
    }
    assert_eq!(loss("mse", &[]).point(f64::NAN, 1.0), None);
    assert_eq!(loss("mse", &[]).point(1.0, f64::INFINITY), None);
    assert!(loss("mse", &[]).point(-1e300, 1e300).is_some());
    assert_eq!(loss("cce", &[]).point(1.0, 0.5), None);
}
