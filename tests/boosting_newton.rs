//! `eval --wrt score` through the library: gradients and Hessians with
//! respect to the raw score, the surrogates, and the Newton leaf values
//! −Σg/Σh of `configs/boosting.toml`, each against a hand computation.

use losslab::loss::{Data, HessianMode, Link, Loss, ParamValue, Params};

fn loss(name: &str, params: &[(&str, f64)]) -> Loss {
    let params: Params = params
        .iter()
        .map(|(k, v)| (k.to_string(), ParamValue::Number(*v)))
        .collect();
    Loss::new(name, &params).unwrap()
}

fn flat(d: &Data) -> Vec<f64> {
    match d {
        Data::Flat(v) => v.clone(),
        Data::Rows(r) => r.concat(),
    }
}

/// One boosting step from a constant score: the leaf value −Σg/Σh.
fn newton_leaf(loss: &Loss, y: &[f64], s: &[f64], mode: HessianMode) -> f64 {
    let d = loss
        .wrt_score(
            &Data::Flat(y.to_vec()),
            &Data::Flat(s.to_vec()),
            mode,
            false,
        )
        .unwrap();
    let g: f64 = flat(&d.gradient).iter().sum();
    let h: f64 = flat(&d.hessian).iter().sum();
    -g / h
}

/// BCE through the logit at s = 0: g = σ(0) − y = 0.5 − y, h = 0.25.
/// Labels 0, 1, 1, 0, 1: Σg = 2.5 − 3 = −0.5, Σh = 1.25, leaf = 0.4.
#[test]
fn bce_newton_step_by_hand() {
    let bce = loss("bce", &[]);
    let y = [0.0, 1.0, 1.0, 0.0, 1.0];
    let leaf = newton_leaf(&bce, &y, &[0.0; 5], HessianMode::Exact);
    assert!((leaf - 0.4).abs() < 1e-15, "{leaf}");
    assert_eq!(bce.score_link().unwrap(), Link::Logit);
}

/// Huber δ = 1 at s = 0 for y = 0, 0.5, 3, −4: a = s − y = 0, −0.5, −3, 4,
/// g = 0, −0.5, −1, 1 (Σ = −0.5). Exact h = 1, 1, 0, 0 (Σ = 2): leaf 0.25.
/// Constant h = 1 (Σ = 4): leaf 0.125. Pseudo-Huber h = (1 + a²)^(−3/2):
/// 1 + 1.25^(−3/2) + 10^(−3/2) + 17^(−3/2) = 1.761333… : leaf 0.283875….
#[test]
fn huber_newton_steps_by_hand() {
    let huber = loss("huber", &[("delta", 1.0)]);
    let y = [0.0, 0.5, 3.0, -4.0];
    let s = [0.0; 4];
    let exact = newton_leaf(&huber, &y, &s, HessianMode::Exact);
    assert!((exact - 0.25).abs() < 1e-15, "{exact}");
    let constant = newton_leaf(&huber, &y, &s, HessianMode::Constant);
    assert!((constant - 0.125).abs() < 1e-15, "{constant}");
    let sum_h = 1.0 + 1.25f64.powf(-1.5) + 10f64.powf(-1.5) + 17f64.powf(-1.5);
    let pseudo = newton_leaf(&huber, &y, &s, HessianMode::PseudoHuber);
    assert!(
        (pseudo - 0.5 / sum_h).abs() < 1e-15,
        "{pseudo} vs {}",
        0.5 / sum_h
    );
}

/// MAE: the true Hessian is 0 everywhere, so the exact Newton step divides
/// by 0 (+∞ here: Σg = −1); the floor 1e-6 gives 1/(4e-6) = 250000, the
/// constant 1/4. A warning names the region.
#[test]
fn mae_needs_a_surrogate() {
    let mae = loss("mae", &[]);
    let y = [0.0, 0.5, 3.0, -4.0];
    let s = [0.0; 4];
    assert_eq!(newton_leaf(&mae, &y, &s, HessianMode::Exact), f64::INFINITY);
    let floor = newton_leaf(&mae, &y, &s, HessianMode::Floor(1e-6));
    assert!((floor - 250_000.0).abs() < 1e-6, "{floor}");
    assert_eq!(newton_leaf(&mae, &y, &s, HessianMode::Constant), 0.25);
    let d = mae
        .wrt_score(
            &Data::Flat(y.to_vec()),
            &Data::Flat(s.to_vec()),
            HessianMode::Exact,
            false,
        )
        .unwrap();
    assert_eq!(d.warnings.len(), 1);
    assert!(
        d.warnings[0].contains("for 4 and negative for 0 of 4"),
        "{:?}",
        d.warnings
    );
    assert!(
        d.warnings[0].contains("piecewise linear"),
        "{:?}",
        d.warnings
    );
}

/// Scores ±1000 stay exact: σ(1000) = 1, so g = 1 − y and h = 0 (underflow,
/// warned), never NaN.
#[test]
fn extreme_scores() {
    let bce = loss("bce", &[]);
    let d = bce
        .wrt_score(
            &Data::Flat(vec![0.0, 1.0, 1.0]),
            &Data::Flat(vec![1000.0, -1000.0, 1000.0]),
            HessianMode::Exact,
            false,
        )
        .unwrap();
    assert_eq!(flat(&d.gradient), vec![1.0, -1.0, 0.0]);
    assert_eq!(flat(&d.hessian), vec![0.0, 0.0, 0.0]);
    assert_eq!(d.value, vec![1000.0, 1000.0, 0.0]);
    assert!(d.warnings[0].contains("underflows"), "{:?}", d.warnings);
}

/// Softmax: g = q − y, diagonal h = q(1 − q), full matrix diag(q) − q qᵀ.
#[test]
fn softmax_gradient_and_hessian() {
    let scce = loss("scce", &[]);
    let z = vec![vec![0.0, 0.0f64.ln_1p(), 2f64.ln()]]; // q = 1/4, 1/4, 1/2
    let d = scce
        .wrt_score(
            &Data::Flat(vec![2.0]),
            &Data::Rows(z),
            HessianMode::Exact,
            true,
        )
        .unwrap();
    let g = flat(&d.gradient);
    let want = [0.25, 0.25, -0.5];
    assert!(
        g.iter().zip(want).all(|(a, b)| (a - b).abs() < 1e-15),
        "{g:?}"
    );
    let h = flat(&d.hessian);
    let want = [0.1875, 0.1875, 0.25];
    assert!(
        h.iter().zip(want).all(|(a, b)| (a - b).abs() < 1e-15),
        "{h:?}"
    );
    let m = &d.hessian_matrix.unwrap()[0];
    assert!((m[0][2] + 0.125).abs() < 1e-15 && (m[2][0] + 0.125).abs() < 1e-15);
    assert!((m[0][1] + 0.0625).abs() < 1e-15);
}

/// Regression losses use the identity link: the score derivatives are the
/// prediction derivatives; pseudo_huber is refused for other links.
#[test]
fn links_and_refusals() {
    assert_eq!(loss("mse", &[]).score_link().unwrap(), Link::Identity);
    assert_eq!(loss("poisson", &[]).score_link().unwrap(), Link::Log);
    assert!(loss("kl", &[]).score_link().is_err());
    let err = loss("bce", &[])
        .wrt_score(
            &Data::Flat(vec![1.0]),
            &Data::Flat(vec![0.0]),
            HessianMode::PseudoHuber,
            false,
        )
        .unwrap_err();
    assert!(err.to_string().contains("identity link"), "{err}");
}

/// Every leaf value of `configs/boosting.toml`'s table, as the scenario
/// computes it (through `kind = "newton_step"` quantities), against −Σg/Σh
/// written out here from the plain formulas of each loss and surrogate.
#[test]
fn boosting_config_leaves_equal_a_hand_computation() {
    let scenario = losslab::scenario::load(std::path::Path::new("configs/boosting.toml")).unwrap();
    let computed = losslab::compute::compute(&scenario).unwrap();
    let leaf = |name: &str| {
        computed
            .quantities
            .iter()
            .find(|q| q.name == name)
            .unwrap_or_else(|| panic!("no quantity {name}"))
            .value
    };
    // Regression data: y = 0, 0.5, 3, −4 at s = 0, so a = s − y.
    let a = [0.0, -0.5, -3.0, 4.0];
    let step = |g: &[f64], h: &[f64]| -g.iter().sum::<f64>() / h.iter().sum::<f64>();
    let ones = [1.0; 4];
    // MSE: ℓ = a², g = 2a, h = 2.
    let g: Vec<f64> = a.iter().map(|a| 2.0 * a).collect();
    let checks: Vec<(&str, f64)> = vec![
        ("leaf_mse_exact", step(&g, &[2.0; 4])),
        ("leaf_mse_constant", step(&g, &ones)),
        // MAE: g = sign(a) (0 at a = 0), h = 0; floor h = 1e-6.
        ("leaf_mae_exact", f64::INFINITY),
        ("leaf_mae_constant", step(&[0.0, -1.0, -1.0, 1.0], &ones)),
        ("leaf_mae_floor", step(&[0.0, -1.0, -1.0, 1.0], &[1e-6; 4])),
        // Huber δ = 1: g = clamp(a, −1, 1), h = 1 inside |a| ≤ 1, else 0;
        // pseudo-Huber surrogate h = (1 + a²)^(−3/2).
        (
            "leaf_huber_exact",
            step(&[0.0, -0.5, -1.0, 1.0], &[1.0, 1.0, 0.0, 0.0]),
        ),
        ("leaf_huber_constant", step(&[0.0, -0.5, -1.0, 1.0], &ones)),
        (
            "leaf_huber_pseudo",
            step(
                &[0.0, -0.5, -1.0, 1.0],
                &a.map(|a: f64| (1.0 + a * a).powf(-1.5)),
            ),
        ),
        // Pseudo-Huber δ = 1: g = a/√(1 + a²), h = (1 + a²)^(−3/2).
        (
            "leaf_pseudo_huber_exact",
            step(
                &a.map(|a: f64| a / (1.0 + a * a).sqrt()),
                &a.map(|a: f64| (1.0 + a * a).powf(-1.5)),
            ),
        ),
        // BCE on the logit at s = 0: g = σ(0) − y = 0.5 − y, h = 0.25.
        (
            "leaf_bce_exact",
            step(&[0.5, -0.5, -0.5, 0.5, -0.5], &[0.25; 5]),
        ),
        (
            "leaf_bce_constant",
            step(&[0.5, -0.5, -0.5, 0.5, -0.5], &[1.0; 5]),
        ),
        // Poisson on the log link at s = 0: g = e^0 − y = 1 − y, h = e^0 = 1.
        ("leaf_poisson_exact", step(&[1.0, 0.0, -1.0, -4.0], &ones)),
    ];
    for (name, want) in checks {
        let got = leaf(name);
        assert!(
            got == want || (got - want).abs() <= 1e-15 * want.abs(),
            "{name}: scenario {got}, by hand {want}"
        );
    }
    // The numbers the prose quotes.
    assert_eq!(leaf("leaf_huber_exact"), 0.25);
    assert_eq!(leaf("leaf_mae_floor"), 250_000.0);
    assert_eq!(leaf("leaf_bce_exact"), 0.4);
}
