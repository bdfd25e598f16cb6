//! Each convention's value and gradient at the edges (q = 0, 1, 1 − 1e-8,
//! logits ±1000, β → 0, KLDivLoss `mean` vs `batchmean`, every target
//! ignored, a zero in the target distribution), and the documented examples.
//! Every expected number says where it comes from.

use losslab::loss::{Data, Loss, LossError, ParamValue, Params, Reduction};

fn loss(name: &str, params: &[(&str, ParamValue)]) -> Loss {
    let params: Params = params
        .iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect();
    Loss::new(name, &params).unwrap()
}

fn text(s: &str) -> ParamValue {
    ParamValue::Text(s.into())
}

fn close(got: f64, want: f64, rel: f64) -> bool {
    (got - want).abs() <= rel * want.abs()
}

fn keras(dtype: &str) -> Loss {
    loss(
        "bce",
        &[("convention", text("keras")), ("dtype", text(dtype))],
    )
}

/// conventions.md (Keras 3): clip to [1e-7, 1 − 1e-7]; in float32 1 − 1e-7 is
/// 0.99999988, so the largest loss is 16.118 for y = 1, q = 0 and 15.942 for
/// y = 0, q = 1; the clip is part of the function, so the gradient is 0.
#[test]
fn keras_bce_at_zero_and_one() {
    let k = keras("float32");
    let p = k.point(1.0, 0.0).unwrap();
    assert!(close(p.value, 16.118095, 1e-6), "{p:?}");
    assert_eq!((p.gradient, p.hessian), (0.0, 0.0));
    let p = k.point(0.0, 1.0).unwrap();
    assert!(close(p.value, 15.942385, 1e-6), "{p:?}");
    assert_eq!(p.gradient, 0.0);
    // q = 1 − 1e-8 for a wrong label: saturated, no gradient (the issue's
    // "a model that outputs q = 1 − 1e-8 for a wrong label gets no gradient").
    let p = k.point(0.0, 1.0 - 1e-8).unwrap();
    assert!(close(p.value, 15.942385, 1e-6), "{p:?}");
    assert_eq!(p.gradient, 0.0);
    // In float64 the bound is 1 − 1e-7 itself: −log 1e-7 on both sides.
    let p = keras("float64").point(0.0, 1.0).unwrap();
    assert!(close(p.value, -(1e-7f64.ln()), 1e-8), "{p:?}");
    // The exact loss is infinite there, with an infinite gradient.
    let exact = loss("bce", &[]).point(0.0, 1.0 - 1e-8).unwrap();
    assert!(close(exact.value, -(1e-8f64.ln()), 1e-7));
    assert!(exact.gradient > 1e7);
}

/// The warning names the saturated region.
#[test]
fn saturation_is_warned() {
    let e = keras("float32")
        .evaluate(
            &Data::Flat(vec![0.0, 1.0, 1.0]),
            &Data::Flat(vec![1.0 - 1e-8, 0.5, 0.0]),
            None,
            Reduction::Mean,
        )
        .unwrap();
    assert_eq!(e.warnings.len(), 1, "{:?}", e.warnings);
    assert!(
        e.warnings[0].starts_with("2 of 3 predictions"),
        "{:?}",
        e.warnings
    );
    assert!(
        e.warnings[0].contains("keras clips q to"),
        "{:?}",
        e.warnings
    );
    let Data::Flat(g) = e.gradient else { panic!() };
    assert_eq!((g[0], g[2]), (0.0, 0.0));
    assert!(close(g[1], -2.0 / 3.0, 1e-6));
}

/// conventions.md (legacy tf.keras): log(q + ε) after the clip, ε counted
/// twice, about 15.42 = −log(2·1e-7) (Keras issue 15249).
#[test]
fn tf_keras_counts_epsilon_twice() {
    let t = loss("bce", &[("convention", text("tf_keras"))]);
    for (y, q) in [(0.0, 1.0), (1.0, 0.0)] {
        let p = t.point(y, q).unwrap();
        assert!(close(p.value, -(2e-7f64.ln()), 1e-9), "{p:?}");
        assert_eq!(p.gradient, 0.0);
    }
}

/// conventions.md (PyTorch): BCELoss clamps each log at −100; its backward
/// (q − y)/max(q(1 − q), 1e-12) (aten binary_cross_entropy_backward) gives
/// −1e12 at q = 0, y = 1 rather than 0.
#[test]
fn pytorch_bce_clamps_at_100() {
    let t = loss("bce", &[("convention", text("pytorch"))]);
    let p = t.point(1.0, 0.0).unwrap();
    assert_eq!(p.value, 100.0);
    assert_eq!(p.gradient, -1e12);
    let p = t.point(0.0, 1.0).unwrap();
    assert_eq!((p.value, p.gradient), (100.0, 1e12));
    let p = t.point(0.0, 1.0 - 1e-8).unwrap();
    assert!(close(p.value, -(1e-8f64.ln()), 1e-6), "{p:?}");
}

/// Logits ±1000: every library uses the stable form (TensorFlow
/// sigmoid_cross_entropy_with_logits, BCEWithLogitsLoss, optax log_sigmoid):
/// softplus(1000) = 1000 and the gradient σ(z) − y is ±1 or 0.
#[test]
fn logits_of_1000() {
    for convention in ["keras", "tf_keras", "pytorch", "optax"] {
        let l = loss(
            "bce",
            &[
                ("convention", text(convention)),
                ("from_logits", ParamValue::Bool(true)),
            ],
        );
        let p = l.point(1.0, -1000.0).unwrap();
        assert_eq!((p.value, p.gradient), (1000.0, -1.0), "{convention}");
        let p = l.point(1.0, 1000.0).unwrap();
        assert_eq!((p.value, p.gradient), (0.0, 0.0), "{convention}");
        let p = l.point(0.0, 1000.0).unwrap();
        assert_eq!((p.value, p.gradient), (1000.0, 1.0), "{convention}");
    }
}

/// conventions.md (scikit-learn): log_loss clips to the machine epsilon of
/// the dtype: −log(2^−52) = 36.04365338911715 in float64.
#[test]
fn sklearn_clips_at_machine_epsilon() {
    let s = loss("bce", &[("convention", text("sklearn"))]);
    let p = s.point(1.0, 0.0).unwrap();
    assert!(close(p.value, 36.04365338911715, 1e-15), "{p:?}");
    let p = s.point(0.0, 1.0).unwrap();
    assert!(close(p.value, 36.04365338911715, 1e-15), "{p:?}");
}

/// PyTorch issue 48595 / conventions.md: Huber = β·SmoothL1 with δ = β; as
/// β → 0 SmoothL1 tends to L1 (|a| − β/2) while Huber tends to 0.
#[test]
fn smooth_l1_is_not_huber_as_beta_vanishes() {
    for beta in [1e-3, 1e-8] {
        let smooth = loss(
            "smooth_l1",
            &[
                ("convention", text("pytorch")),
                ("beta", ParamValue::Number(beta)),
            ],
        );
        let huber = loss(
            "huber",
            &[
                ("convention", text("pytorch")),
                ("delta", ParamValue::Number(beta)),
            ],
        );
        let (s, h) = (
            smooth.point(0.0, 2.0).unwrap(),
            huber.point(0.0, 2.0).unwrap(),
        );
        assert!(close(s.value, 2.0 - beta / 2.0, 1e-15));
        assert!(close(h.value, beta * (2.0 - beta / 2.0), 1e-15));
        assert!(close(h.value, beta * s.value, 1e-15));
    }
    // β = 0 is L1 in PyTorch (the exact smooth_l1 requires β > 0).
    let l1 = loss(
        "smooth_l1",
        &[
            ("convention", text("pytorch")),
            ("beta", ParamValue::Number(0.0)),
        ],
    );
    let p = l1.point(0.0, -2.0).unwrap();
    assert_eq!((p.value, p.gradient), (2.0, -1.0));
}

/// PyTorch issue 14457 / conventions.md: KLDivLoss takes log-probabilities;
/// `batchmean` (losslab `mean`) is the mathematical KL, the default `mean`
/// (losslab `weighted_mean` here) also divides by the number of classes.
#[test]
fn kl_div_loss_mean_versus_batchmean() {
    let target = Data::Rows(vec![vec![0.5, 0.5, 0.0, 0.0], vec![0.25, 0.25, 0.25, 0.25]]);
    let q = [vec![0.25, 0.25, 0.25, 0.25], vec![0.1, 0.2, 0.3, 0.4]];
    let log_q = Data::Rows(
        q.iter()
            .map(|r| r.iter().map(|x: &f64| x.ln()).collect())
            .collect(),
    );
    let torch = loss("kl", &[("convention", text("pytorch"))]);
    let batchmean = torch
        .evaluate(&target, &log_q, None, Reduction::Mean)
        .unwrap();
    let mean = torch
        .evaluate(&target, &log_q, None, Reduction::WeightedMean)
        .unwrap();
    let exact = loss("kl", &[])
        .evaluate(&target, &Data::Rows(q.to_vec()), None, Reduction::Mean)
        .unwrap();
    assert!(close(batchmean.value, exact.value, 1e-14));
    assert!(close(mean.value, exact.value / 4.0, 1e-14));
    // A zero in the target contributes 0 (xlogy), as in optax's
    // where(targets == 0, 0, log targets).
    let optax = loss("kl", &[("convention", text("optax"))]);
    let o = optax
        .evaluate(&target, &log_q, None, Reduction::Mean)
        .unwrap();
    assert!(close(o.value, exact.value, 1e-14));
    // ∂/∂x_j = −p_j (per row, before the reduction).
    let Data::Rows(g) = batchmean.gradient else {
        panic!()
    };
    assert_eq!(g[0], vec![-0.25, -0.25, -0.0, -0.0]);
}

/// conventions.md (Keras): KL clips both rows to [ε, 1]; a zero in the
/// target contributes ε·log(ε/q), not 0.
#[test]
fn keras_kl_counts_a_zero_target() {
    let k = loss("kl", &[("convention", text("keras"))]);
    let e = k
        .evaluate(
            &Data::Flat(vec![1.0, 0.0]),
            &Data::Flat(vec![0.5, 0.5]),
            None,
            Reduction::Mean,
        )
        .unwrap();
    let want = std::f64::consts::LN_2 + 1e-7 * (1e-7f64 / 0.5).ln();
    assert!(close(e.value, want, 1e-15), "{} {want}", e.value);
}

/// conventions.md (PyTorch CrossEntropyLoss): all targets ignored → NaN.
#[test]
fn all_targets_ignored_is_nan() {
    let ce = loss(
        "scce",
        &[
            ("convention", text("pytorch")),
            ("from_logits", ParamValue::Bool(true)),
            ("ignore_index", ParamValue::Number(-100.0)),
        ],
    );
    let e = ce
        .evaluate(
            &Data::Flat(vec![-100.0, -100.0]),
            &Data::Rows(vec![vec![1.0, 2.0], vec![0.5, 0.1]]),
            None,
            Reduction::Mean,
        )
        .unwrap();
    assert!(e.value.is_nan());
    assert!(!e.warnings.is_empty());
}

/// optax docstrings of softmax_cross_entropy and
/// softmax_cross_entropy_with_integer_labels: [0.2761 2.9518].
#[test]
fn optax_softmax_cross_entropy_docstring() {
    let logits = Data::Rows(vec![vec![1.2, -0.8, -0.5], vec![0.9, -1.2, 1.1]]);
    let dense = loss(
        "cce",
        &[
            ("convention", text("optax")),
            ("from_logits", ParamValue::Bool(true)),
        ],
    );
    let sparse = loss(
        "scce",
        &[
            ("convention", text("optax")),
            ("from_logits", ParamValue::Bool(true)),
        ],
    );
    let a = dense
        .evaluate(
            &Data::Rows(vec![vec![1.0, 0.0, 0.0], vec![0.0, 1.0, 0.0]]),
            &logits,
            None,
            Reduction::Mean,
        )
        .unwrap();
    let b = sparse
        .evaluate(&Data::Flat(vec![0.0, 1.0]), &logits, None, Reduction::Mean)
        .unwrap();
    for e in [a, b] {
        assert!(
            (e.per_sample[0] - 0.2761).abs() < 5e-5,
            "{:?}",
            e.per_sample
        );
        assert!(
            (e.per_sample[1] - 2.9518).abs() < 5e-5,
            "{:?}",
            e.per_sample
        );
    }
}

/// Keras docstrings: binary_crossentropy [0.916, 0.714];
/// categorical_crossentropy [0.0513, 2.303] (a zero probability is clipped);
/// cosine_similarity [-0., -0.99999994, 0.99999994].
#[test]
fn keras_docstrings() {
    let bce = keras("float32");
    let e = bce
        .evaluate(
            &Data::Flat(vec![0.0, 1.0, 0.0, 0.0]),
            &Data::Flat(vec![0.6, 0.4, 0.4, 0.6]),
            None,
            Reduction::Mean,
        )
        .unwrap();
    let row = |a: f64, b: f64| (a + b) / 2.0;
    assert!((row(e.per_sample[0], e.per_sample[1]) - 0.916).abs() < 5e-4);
    assert!((row(e.per_sample[2], e.per_sample[3]) - 0.714).abs() < 5e-4);
    let cce = loss("cce", &[("convention", text("keras"))]);
    let e = cce
        .evaluate(
            &Data::Rows(vec![vec![0.0, 1.0, 0.0], vec![0.0, 0.0, 1.0]]),
            &Data::Rows(vec![vec![0.05, 0.95, 0.0], vec![0.1, 0.8, 0.1]]),
            None,
            Reduction::Mean,
        )
        .unwrap();
    assert!((e.per_sample[0] - 0.0513).abs() < 5e-5);
    assert!((e.per_sample[1] - 2.303).abs() < 5e-4);
    let cosine = loss(
        "cosine",
        &[("convention", text("keras")), ("dtype", text("float32"))],
    );
    let e = cosine
        .evaluate(
            &Data::Rows(vec![vec![0.0, 1.0], vec![1.0, 1.0], vec![1.0, 1.0]]),
            &Data::Rows(vec![vec![1.0, 0.0], vec![1.0, 1.0], vec![-1.0, -1.0]]),
            None,
            Reduction::Mean,
        )
        .unwrap();
    assert_eq!(e.per_sample[0], 0.0);
    assert!(
        (e.per_sample[1] + 0.99999994).abs() < 1e-7,
        "{:?}",
        e.per_sample
    );
    assert!(
        (e.per_sample[2] - 0.99999994).abs() < 1e-7,
        "{:?}",
        e.per_sample
    );
}

/// conventions.md (Keras): hinge labels become 2y − 1 only if every label
/// is 0 or 1; a mix of 0, 1 and −1 is used as given.
#[test]
fn keras_hinge_label_conversion() {
    let h = loss("hinge", &[("convention", text("keras"))]);
    let zero_one = h
        .evaluate(
            &Data::Flat(vec![0.0, 1.0]),
            &Data::Flat(vec![0.5, 0.5]),
            None,
            Reduction::Sum,
        )
        .unwrap();
    assert_eq!(zero_one.per_sample, vec![1.5, 0.5]);
    let mixed = h
        .evaluate(
            &Data::Flat(vec![0.0, 1.0, -1.0]),
            &Data::Flat(vec![0.5, 0.5, 0.5]),
            None,
            Reduction::Sum,
        )
        .unwrap();
    assert_eq!(mixed.per_sample, vec![1.0, 0.5, 1.5]);
}

/// Bad input: an unknown convention lists the known ones; a convention a
/// library lacks names both; options the library lacks are refused.
#[test]
fn convention_errors() {
    let err = |name: &str, params: &[(&str, ParamValue)]| -> LossError {
        let params: Params = params
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect();
        Loss::new(name, &params).unwrap_err()
    };
    assert_eq!(
        err("bce", &[("convention", text("jax"))]).to_string(),
        "parameter `convention` of `binary_cross_entropy`: unknown convention `jax` \
         (known: exact, keras, tf_keras, pytorch, optax, sklearn, scipy)"
    );
    assert_eq!(
        err("quantile", &[("convention", text("optax"))]).to_string(),
        "parameter `convention` of `quantile`: optax has no `quantile` \
         (conventions of `quantile`: exact)"
    );
    assert_eq!(
        err("hinge", &[("convention", text("pytorch"))]).to_string(),
        "parameter `convention` of `hinge`: pytorch has no `hinge` \
         (conventions of `hinge`: exact, keras, optax, sklearn)"
    );
    assert!(err("bce", &[("convention", text("optax"))])
        .to_string()
        .contains("set from_logits = true"));
    assert!(err("bce", &[("dtype", text("float32"))])
        .to_string()
        .contains("needs a convention"));
    assert!(err(
        "bce",
        &[
            ("convention", text("keras")),
            ("epsilon", ParamValue::Number(0.1))
        ]
    )
    .to_string()
    .contains("does not apply with convention = keras"));
}

/// `exact` is the default and changes nothing, not even the parameter list.
#[test]
fn exact_is_the_default() {
    let a = loss("bce", &[]);
    let b = loss("bce", &[("convention", text("exact"))]);
    assert_eq!(a, b);
    assert!(!a.params().contains_key("convention"));
}

/// Every binary cross-entropy convention at the edges, q = 0, q = 1
/// and q = 1 − 1e-8, for both labels (float64; float32 Keras is checked in
/// `keras_bce_at_zero_and_one`, logits ±1000 in `logits_of_1000`). Each
/// expected (value, gradient) is written from the formula its source states:
/// - keras: conventions.md "Keras 3": clip q to [ε, 1 − ε], ε = 1e-7, then
///   −[y log q + (1 − y) log(1 − q)]; the clip is in the differentiated
///   function, so the gradient is 0 where it is active.
/// - tf_keras: conventions.md "Legacy tf.keras": the same clip, then
///   log(q + ε) (ε counted twice, Keras issue 15249).
/// - pytorch: conventions.md "PyTorch": each log clamped at −100; the
///   gradient is aten's (q − y)/max(q(1 − q), 1e-12) (its backward).
/// - sklearn: conventions.md "scikit-learn": clip to [eps, 1 − eps], eps the
///   machine epsilon of float64.
#[test]
fn every_bce_convention_at_the_edges() {
    const EPS: f64 = 1e-7;
    let near_one = 1.0 - 1e-8;
    let clip = |q: f64, lo: f64| q.clamp(lo, 1.0 - lo);
    // Value and gradient of −[y log c + (1 − y) log(1 − c)] with a shift s
    // inside each log, and the gradient zeroed where the clip acts.
    let clipped = |y: f64, q: f64, lo: f64, shift: f64| {
        let c = clip(q, lo);
        let value = -(y * (c + shift).ln() + (1.0 - y) * ((1.0 - c) + shift).ln());
        let gradient = if c != q {
            0.0
        } else {
            -y / (c + shift) + (1.0 - y) / ((1.0 - c) + shift)
        };
        (value, gradient)
    };
    let torch = |y: f64, q: f64| {
        let value = -(y * q.ln().max(-100.0) + (1.0 - y) * (-q).ln_1p().max(-100.0));
        (value, (q - y) / (q * (1.0 - q)).max(1e-12))
    };
    let expected = |convention: &str, y: f64, q: f64| match convention {
        "keras" => clipped(y, q, EPS, 0.0),
        "tf_keras" => clipped(y, q, EPS, EPS),
        "pytorch" => torch(y, q),
        "sklearn" => clipped(y, q, f64::EPSILON, 0.0),
        _ => unreachable!(),
    };
    for convention in ["keras", "tf_keras", "pytorch", "sklearn"] {
        let l = loss("bce", &[("convention", text(convention))]);
        for y in [0.0, 1.0] {
            for q in [0.0, 1.0, near_one] {
                let p = l.point(y, q).unwrap();
                let (value, gradient) = expected(convention, y, q);
                assert!(
                    close(p.value, value, 1e-12),
                    "{convention} y = {y} q = {q}: value {} vs {value}",
                    p.value
                );
                assert!(
                    p.gradient == gradient || close(p.gradient, gradient, 1e-12),
                    "{convention} y = {y} q = {q}: gradient {} vs {gradient}",
                    p.gradient
                );
            }
        }
    }
    // The case: q = 1 − 1e-8 for a wrong label. Keras and tf.keras
    // give no gradient; PyTorch and scikit-learn the exact 1/(1 − q) ≈ 1e8.
    let wrong = |c: &str| {
        loss("bce", &[("convention", text(c))])
            .point(0.0, near_one)
            .unwrap()
    };
    assert_eq!(wrong("keras").gradient, 0.0);
    assert_eq!(wrong("tf_keras").gradient, 0.0);
    assert!(close(
        wrong("pytorch").gradient,
        1.0 / (1.0 - near_one),
        1e-12
    ));
    assert!(close(
        wrong("sklearn").gradient,
        1.0 / (1.0 - near_one),
        1e-12
    ));
}

/// Keras' binary focal cross-entropy at a saturated q = 1 for y = 0: the
/// BCE factor is clipped (gradient 0) but the focal factor u^γ, u = 1 − p_t,
/// is taken from the unclipped q (keras/src/losses/losses.py,
/// `binary_focal_crossentropy`), so autograd's product rule still gives
/// γ·u^(γ−1)·(du/dq)·BCE = 2·1·1·(−log 1e-7) for γ = 2 (float64).
#[test]
fn keras_focal_keeps_a_gradient_through_its_factor() {
    let f = loss(
        "binary_focal",
        &[
            ("convention", text("keras")),
            ("gamma", ParamValue::Number(2.0)),
        ],
    );
    let p = f.point(0.0, 1.0).unwrap();
    let bce = -(1.0 - (1.0 - 1e-7f64)).ln();
    assert!(close(p.value, bce, 1e-12), "{p:?}");
    assert!(close(p.gradient, 2.0 * bce, 1e-12), "{p:?}");
}

/// conventions.md (PyTorch): `KLDivLoss(log_target=True)` reads the target
/// as a log-probability t too and computes exp(t)·(t − x). For p = (¼, ¼, ½)
/// and q = (½, ¼, ¼), given as logs, that is KL(p‖q) = ¼ log ½ + ½ log 2 =
/// ¼ log 2, the same as with log_target = false and p itself; the gradient
/// with respect to x is −exp(t) = −p. The option belongs to PyTorch only.
#[test]
fn pytorch_kl_log_target() {
    let p = [0.25f64, 0.25, 0.5];
    let q = [0.5f64, 0.25, 0.25];
    let x = Data::Rows(vec![q.iter().map(|v| v.ln()).collect()]);
    let torch = |log_target: bool| {
        loss(
            "kl",
            &[
                ("convention", text("pytorch")),
                ("log_target", ParamValue::Bool(log_target)),
            ],
        )
    };
    let logs = Data::Rows(vec![p.iter().map(|v| v.ln()).collect()]);
    let e = torch(true)
        .evaluate(&logs, &x, None, Reduction::Sum)
        .unwrap();
    assert!(close(e.value, 0.25 * 2f64.ln(), 1e-14), "{}", e.value);
    let Data::Rows(g) = &e.gradient else { panic!() };
    for (gj, pj) in g[0].iter().zip(p) {
        assert!(close(*gj, -pj, 1e-15), "{g:?}");
    }
    let plain = torch(false)
        .evaluate(&Data::Rows(vec![p.to_vec()]), &x, None, Reduction::Sum)
        .unwrap();
    assert!(close(plain.value, e.value, 1e-14));
    // Keras's KL has no such option: refused, naming it.
    let err = Loss::new(
        "kl",
        &[
            ("convention".to_string(), text("keras")),
            ("log_target".to_string(), ParamValue::Bool(true)),
        ]
        .into_iter()
        .collect(),
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("log_target"), "{err}");
}
