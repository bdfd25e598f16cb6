//! Every class of bad input gets a typed error whose message names the
//! argument, the position and the value.

use super::{Data, Loss, LossError, ParamValue, Params, Reduction};

fn loss(name: &str, params: &[(&str, ParamValue)]) -> Loss {
    let params: Params = params
        .iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect();
    Loss::new(name, &params).expect("valid loss")
}

fn flat(v: &[f64]) -> Data {
    Data::Flat(v.to_vec())
}

fn rows(v: &[&[f64]]) -> Data {
    Data::Rows(v.iter().map(|r| r.to_vec()).collect())
}

/// The error of an evaluation that must fail, as (what, message): bad data,
/// or a value outside the domain.
fn fail(l: &Loss, t: &Data, p: &Data, w: Option<&[f64]>) -> (String, String) {
    match l.evaluate(t, p, w, Reduction::Mean) {
        Err(LossError::BadData { what, message }) => (what, message),
        // A domain error's fields, in the form of the message.
        Err(LossError::Domain(e)) => (
            e.argument.to_string(),
            format!("{} is {}; {}", e.element, e.value, e.reason),
        ),
        Err(other) => panic!("expected bad data, got {other}"),
        Ok(e) => panic!("expected an error, got {e:?}"),
    }
}

fn assert_fails(l: &Loss, t: &Data, p: &Data, what: &str, message: &str) {
    let (w, m) = fail(l, t, p, None);
    assert_eq!((w.as_str(), m.as_str()), (what, message));
}

#[test]
fn length_and_shape_mismatch() {
    let mse = loss("mse", &[]);
    assert_fails(
        &mse,
        &flat(&[1.0, 2.0, 3.0]),
        &flat(&[1.0, 2.0]),
        "prediction",
        "has 2 values but target has 3",
    );
    let cce = loss("cce", &[]);
    assert_fails(
        &cce,
        &rows(&[&[1.0, 0.0], &[0.0, 1.0]]),
        &rows(&[&[0.5, 0.5]]),
        "prediction",
        "has 1 row but target has 2",
    );
    assert_fails(
        &cce,
        &rows(&[&[1.0, 0.0]]),
        &rows(&[&[0.5, 0.25, 0.25]]),
        "prediction",
        "rows have 3 values but target rows have 2",
    );
    let scce = loss("scce", &[]);
    assert_fails(
        &scce,
        &flat(&[0.0, 1.0]),
        &rows(&[&[0.5, 0.5]]),
        "target",
        "has 2 labels but prediction has 1 row",
    );
}

#[test]
fn matrix_given_to_elementwise_loss() {
    let mae = loss("mae", &[]);
    let (what, message) = fail(&mae, &flat(&[1.0]), &rows(&[&[1.0]]), None);
    assert_eq!(what, "prediction");
    assert!(message.contains("a matrix given to an elementwise loss"));
}

#[test]
fn ragged_rows() {
    let kl = loss("kl", &[]);
    assert_fails(
        &kl,
        &rows(&[&[0.5, 0.5], &[1.0]]),
        &rows(&[&[0.5, 0.5], &[0.5, 0.5]]),
        "target",
        "ragged rows: row 1 has 1 value but row 0 has 2",
    );
}

#[test]
fn empty_data() {
    assert_fails(
        &loss("mse", &[]),
        &flat(&[]),
        &flat(&[]),
        "target",
        "is empty",
    );
    assert_fails(
        &loss("cce", &[]),
        &rows(&[]),
        &rows(&[]),
        "target",
        "is empty",
    );
    assert_fails(
        &loss("cce", &[]),
        &rows(&[&[1.0]]),
        &rows(&[&[]]),
        "prediction",
        "is empty",
    );
}

#[test]
fn non_finite_input() {
    let mse = loss("mse", &[]);
    assert_fails(
        &mse,
        &flat(&[1.0, f64::NAN]),
        &flat(&[1.0, 2.0]),
        "target",
        "index 1 is NaN; every value must be a finite number",
    );
    assert_fails(
        &mse,
        &flat(&[1.0, 2.0]),
        &flat(&[f64::INFINITY, 2.0]),
        "prediction",
        "index 0 is inf; every value must be a finite number",
    );
    let cce = loss("cce", &[]);
    assert_fails(
        &cce,
        &rows(&[&[1.0, 0.0], &[0.0, 1.0]]),
        &rows(&[&[0.5, 0.5], &[f64::NEG_INFINITY, 0.5]]),
        "prediction",
        "row 1, column 0 is -inf; every value must be a finite number",
    );
}

#[test]
fn probabilities_outside_unit_interval() {
    let msg = "index 1 is 1.5; probabilities must be in [0, 1]";
    assert_fails(
        &loss("bce", &[]),
        &flat(&[1.0, 0.0]),
        &flat(&[0.5, 1.5]),
        "prediction",
        msg,
    );
    assert_fails(
        &loss("binary_focal_cross_entropy", &[]),
        &flat(&[1.0, 0.0]),
        &flat(&[0.5, 1.5]),
        "prediction",
        msg,
    );
    assert_fails(
        &loss("cce", &[]),
        &flat(&[1.0, 0.0]),
        &flat(&[0.5, 1.5]),
        "prediction",
        msg,
    );
    assert_fails(
        &loss("categorical_focal_cross_entropy", &[]),
        &flat(&[1.0, 0.0]),
        &flat(&[0.5, 1.5]),
        "prediction",
        msg,
    );
    assert_fails(
        &loss("scce", &[]),
        &flat(&[0.0]),
        &flat(&[-0.5, 1.5]),
        "prediction",
        "index 0 is -0.5; probabilities must be in [0, 1]",
    );
    // Logits are not probabilities.
    let logits = loss("bce", &[("from_logits", ParamValue::Bool(true))]);
    assert!(logits
        .evaluate(&flat(&[1.0]), &flat(&[7.0]), None, Reduction::Mean)
        .is_ok());
}

#[test]
fn bce_targets_outside_unit_interval() {
    assert_fails(
        &loss("bce", &[]),
        &flat(&[1.0, -0.25]),
        &flat(&[0.5, 0.5]),
        "target",
        "index 1 is -0.25; binary targets must be in [0, 1]",
    );
}

/// KL and Jensen–Shannon check target and prediction alike: every entry must
/// be non-negative; a row that does not sum to 1 is computed as given (or
/// rescaled with `normalize`), with a warning naming its sum.
#[test]
fn divergences_check_both_rows_alike() {
    let kl = loss("kl", &[]);
    let normalized = loss("kl", &[("normalize", ParamValue::Bool(true))]);
    let js = loss("js", &[]);
    for l in [&kl, &normalized, &js] {
        for (t, p) in [
            ([1.0, 2.0, 3.0], [3.0, 2.0, 1.0]),
            ([0.5, 0.5, 0.0], [0.5, 1.5, 0.0]),
        ] {
            let e = l
                .evaluate(&flat(&t), &flat(&p), None, Reduction::Mean)
                .unwrap_or_else(|err| panic!("{} rejects {t:?} {p:?}: {err}", l.name()));
            assert!(e.value.is_finite(), "{}: {}", l.name(), e.value);
            assert!(
                e.warnings
                    .iter()
                    .any(|w| w.starts_with("prediction row 0 sums to")),
                "{}: {:?}",
                l.name(),
                e.warnings
            );
        }
        for what in ["target", "prediction"] {
            let (good, bad) = (flat(&[0.5, 0.5]), flat(&[1.5, -0.5]));
            let (t, p) = if what == "target" {
                (&bad, &good)
            } else {
                (&good, &bad)
            };
            assert_fails(l, t, p, what, "index 1 is -0.5; probabilities must be >= 0");
        }
    }
    // Counts with normalize: the divergence of the rescaled rows.
    let e = normalized
        .evaluate(
            &flat(&[1.0, 2.0, 3.0]),
            &flat(&[3.0, 2.0, 1.0]),
            None,
            Reduction::Mean,
        )
        .unwrap();
    let (p, q) = (
        [1.0, 2.0, 3.0].map(|x: f64| x / 6.0),
        [3.0, 2.0, 1.0].map(|x: f64| x / 6.0),
    );
    let expected: f64 = p.iter().zip(q).map(|(p, q)| p * (p / q).ln()).sum();
    assert!(
        (e.value - expected).abs() < 1e-15,
        "{} vs {expected}",
        e.value
    );
    assert_fails(
        &normalized,
        &flat(&[0.5, 0.5]),
        &flat(&[0.0, 0.0]),
        "prediction",
        "row 0 sums to 0 and cannot be normalized",
    );
}

#[test]
fn negative_kl_probabilities() {
    assert_fails(
        &loss("kl", &[]),
        &flat(&[1.2, -0.2]),
        &flat(&[0.5, 0.5]),
        "target",
        "index 1 is -0.2; probabilities must be >= 0",
    );
    assert_fails(
        &loss("kl", &[("normalize", ParamValue::Bool(true))]),
        &flat(&[0.0, 0.0]),
        &flat(&[0.5, 0.5]),
        "target",
        "row 0 sums to 0 and cannot be normalized",
    );
}

#[test]
fn sparse_labels() {
    let scce = loss("scce", &[]);
    let p = rows(&[&[0.5, 0.5], &[0.5, 0.5]]);
    assert_fails(
        &scce,
        &flat(&[0.0, 1.5]),
        &p,
        "target",
        "index 1 is 1.5; labels must be integers in [0, 2)",
    );
    assert_fails(
        &scce,
        &flat(&[2.0, 1.0]),
        &p,
        "target",
        "index 0 is 2; labels must be integers in [0, 2)",
    );
    assert_fails(
        &scce,
        &flat(&[-1.0, 1.0]),
        &p,
        "target",
        "index 0 is -1; labels must be integers in [0, 2)",
    );
    let ignoring = loss("scce", &[("ignore_index", ParamValue::Number(-100.0))]);
    assert!(ignoring
        .evaluate(&flat(&[-100.0, 1.0]), &p, None, Reduction::Mean)
        .is_ok());
    assert_fails(
        &ignoring,
        &flat(&[-1.0, 1.0]),
        &p,
        "target",
        "index 0 is -1; labels must be integers in [0, 2) or the ignore_index -100",
    );
}

#[test]
fn every_sample_ignored_is_nan_with_a_warning() {
    let scce = loss("scce", &[("ignore_index", ParamValue::Number(1.0))]);
    let e = scce
        .evaluate(
            &flat(&[1.0, 1.0]),
            &rows(&[&[0.3, 0.7], &[0.6, 0.4]]),
            None,
            Reduction::Mean,
        )
        .expect("not an error");
    assert!(e.value.is_nan());
    assert_eq!(e.per_sample, vec![0.0, 0.0]);
    assert!(
        e.warnings[0].contains("mean over no sample"),
        "{:?}",
        e.warnings
    );
}

#[test]
fn weights() {
    let mse = loss("mse", &[]);
    let (t, p) = (flat(&[1.0, 2.0]), flat(&[1.0, 2.0]));
    let cases: [(&[f64], &str); 4] = [
        (&[1.0], "has 1 value but the data has 2 samples"),
        (&[1.0, -2.0], "index 1 is -2; weights must be >= 0"),
        (
            &[f64::NAN, 1.0],
            "index 0 is NaN; every value must be a finite number",
        ),
        (
            &[1.0, f64::INFINITY],
            "index 1 is inf; every value must be a finite number",
        ),
    ];
    for (w, message) in cases {
        assert_eq!(
            fail(&mse, &t, &p, Some(w)),
            ("weights".to_string(), message.to_string())
        );
    }
    let cce = loss("cce", &[]);
    let (what, message) = fail(
        &cce,
        &rows(&[&[1.0, 0.0]]),
        &rows(&[&[0.5, 0.5]]),
        Some(&[1.0, 1.0]),
    );
    assert_eq!(
        (what.as_str(), message.as_str()),
        ("weights", "has 2 values but the data has 1 sample")
    );
}

#[test]
fn class_weights_of_the_wrong_length() {
    let cce = loss(
        "cce",
        &[("class_weights", ParamValue::List(vec![1.0, 2.0, 3.0]))],
    );
    let err = cce
        .evaluate(
            &rows(&[&[1.0, 0.0]]),
            &rows(&[&[0.5, 0.5]]),
            None,
            Reduction::Mean,
        )
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "parameter `class_weights` of `categorical_cross_entropy`: class_weights = [1, 2, 3] has 3 values but the data has 2 classes"
    );
    let scce = loss("scce", &[("class_weights", ParamValue::List(vec![0.5]))]);
    let err = scce
        .evaluate(&flat(&[1.0]), &rows(&[&[0.5, 0.5]]), None, Reduction::Mean)
        .unwrap_err();
    assert!(matches!(err, LossError::BadParam { .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        "parameter `class_weights` of `sparse_categorical_cross_entropy`: class_weights = [0.5] has 1 value but the data has 2 classes"
    );
}

#[test]
fn poisson_domain() {
    let poisson = loss("poisson", &[]);
    assert_fails(
        &poisson,
        &flat(&[-1.0]),
        &flat(&[1.0]),
        "target",
        "index 0 is -1; Poisson targets (counts) must be >= 0",
    );
    let (what, message) = fail(&poisson, &flat(&[1.0]), &flat(&[-0.5]), None);
    assert_eq!(what, "prediction");
    assert!(
        message.starts_with("index 0 is -0.5; a Poisson rate must be >= 0"),
        "{message}"
    );
    // A rate of 0 is allowed: +∞ where a count was seen.
    let e = poisson
        .evaluate(&flat(&[1.0]), &flat(&[0.0]), None, Reduction::Mean)
        .unwrap();
    assert_eq!(e.value, f64::INFINITY);
}

#[test]
fn msle_and_mape_domains() {
    assert_fails(
        &loss("msle", &[]),
        &flat(&[0.0, -1.0]),
        &flat(&[0.0, 0.0]),
        "target",
        "index 1 is -1; msle needs values > -1",
    );
    assert_fails(
        &loss("msle", &[]),
        &flat(&[0.0]),
        &flat(&[-2.0]),
        "prediction",
        "index 0 is -2; msle needs values > -1",
    );
    assert_fails(
        &loss("mape", &[]),
        &flat(&[1.0, 0.0]),
        &flat(&[1.0, 1.0]),
        "target",
        "index 1 is 0; mape divides by the target, which must not be 0",
    );
}

#[test]
fn hinge_labels() {
    let hinge = loss("hinge", &[]);
    assert_fails(
        &hinge,
        &flat(&[1.0, 0.5]),
        &flat(&[0.0, 0.0]),
        "target",
        "index 1 is 0.5; hinge labels must be all in {-1, 1} or all in {0, 1}",
    );
    assert_fails(
        &loss("squared_hinge", &[]),
        &flat(&[-1.0, 0.0]),
        &flat(&[0.0, 0.0]),
        "target",
        "index 1 is 0 but index 0 is -1; hinge labels must be all in {-1, 1} or all in {0, 1}",
    );
}

#[test]
fn categorical_hinge_needs_one_hot_rows() {
    let ch = loss("categorical_hinge", &[]);
    let p = rows(&[&[0.1, 0.9], &[0.3, 0.7]]);
    assert_fails(&ch, &rows(&[&[1.0, 0.0], &[0.5, 0.5]]), &p, "target", "row 1 is not one-hot (row 1, column 0 is 0.5); categorical_hinge needs exactly one 1 and zeros elsewhere");
    assert_fails(&ch, &rows(&[&[1.0, 0.0], &[1.0, 1.0]]), &p, "target", "row 1 is not one-hot (it has 2 ones); categorical_hinge needs exactly one 1 and zeros elsewhere");
}

#[test]
fn cosine_zero_row() {
    let cos = loss("cosine_similarity", &[]);
    assert_fails(
        &cos,
        &rows(&[&[1.0, 0.0], &[1.0, 1.0]]),
        &rows(&[&[1.0, 1.0], &[0.0, 0.0]]),
        "prediction",
        "row 1 is all zeros; cosine similarity needs a non-zero row",
    );
}

#[test]
fn unknown_loss_and_parameter() {
    let err = Loss::new("binary_crossentropy", &Params::new()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "unknown loss `binary_crossentropy` (did you mean `binary_cross_entropy`?)"
    );
    let mut p = Params::new();
    p.insert("delta".into(), ParamValue::Number(1.0));
    let err = Loss::new("kl", &p).unwrap_err();
    assert_eq!(
        err.to_string(),
        "loss `kl_divergence` has no parameter `delta` (it takes: base, normalize)"
    );
}
