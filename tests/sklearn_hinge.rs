//! scikit-learn's `hinge_loss` as `convention = sklearn` of `hinge` (1-D
//! decision values, labels through `LabelBinarizer(neg_label=-1)`) and of
//! `categorical_hinge` (Crammer–Singer rows, three classes or more).
//!
//! Every expected mean was computed once with scikit-learn 1.9.1
//! (`sklearn.metrics.hinge_loss`, Python 3.11, numpy float64 unless said)
//! and checked by hand from the formula; the tests need no Python.

use assert_cmd::Command;
use losslab::loss::{Data, Evaluation, Loss, LossError, ParamValue, Params, Reduction};
use serde_json::Value;

fn sklearn(name: &str, dtype: &str) -> Loss {
    let mut params = Params::new();
    params.insert("convention".into(), ParamValue::Text("sklearn".into()));
    params.insert("dtype".into(), ParamValue::Text(dtype.into()));
    Loss::new(name, &params).unwrap()
}

fn flat(target: &[f64], prediction: &[f64], weights: Option<&[f64]>) -> Evaluation {
    try_flat(target, prediction, weights).unwrap()
}

fn try_flat(
    target: &[f64],
    prediction: &[f64],
    weights: Option<&[f64]>,
) -> Result<Evaluation, LossError> {
    let reduction = match weights {
        Some(_) => Reduction::WeightedMean,
        None => Reduction::Mean,
    };
    sklearn("hinge", "float64").evaluate(
        &Data::Flat(target.to_vec()),
        &Data::Flat(prediction.to_vec()),
        weights,
        reduction,
    )
}

fn rows(loss: &Loss, target: &[&[f64]], prediction: &[&[f64]]) -> Result<Evaluation, LossError> {
    let data = |r: &[&[f64]]| Data::Rows(r.iter().map(|x| x.to_vec()).collect());
    loss.evaluate(&data(target), &data(prediction), None, Reduction::Mean)
}

const SCORES: [f64; 4] = [-0.5, 0.3, 1.5, 0.2];

/// hinge_loss(y, [-0.5, 0.3, 1.5, 0.2]) = 0.6 for y = [a, b, b, a] whatever
/// the two labels a < b: a is −1 and b is 1, so the losses are 0.5, 0.7, 0,
/// 1.2. The exact loss refuses {1, 2} and {−1, 0}; Keras would use 1 and 2
/// as given.
#[test]
fn any_two_labels_become_minus_one_and_one() {
    for (a, b) in [(0.0, 1.0), (-1.0, 1.0), (1.0, 2.0), (-1.0, 0.0)] {
        let e = flat(&[a, b, b, a], &SCORES, None);
        assert_eq!(e.value, 0.6, "labels {a}, {b}");
        assert_eq!(e.per_sample, [0.5, 0.7, 0.0, 1.2], "labels {a}, {b}");
        assert_eq!(e.gradient, Data::Flat(vec![0.25, -0.25, 0.0, 0.25]));
        assert!(e.warnings.is_empty(), "{:?}", e.warnings);
    }
    // Label order does not matter: the larger label is positive even first.
    assert_eq!(flat(&[2.0, 1.0], &[0.5, 0.5], None).per_sample, [0.5, 1.5]);
}

/// A single label is the negative class, even 1: hinge_loss([1, 1, 1],
/// [0.5, 2, −1]) = mean(1.5, 3, 0) = 1.5 (the exact and Keras hinges give
/// mean(0.5, 0, 2) = 0.8333), and losslab says why.
#[test]
fn a_single_label_counts_as_negative() {
    let e = flat(&[1.0, 1.0, 1.0], &[0.5, 2.0, -1.0], None);
    assert_eq!(e.value, 1.5);
    assert_eq!(e.per_sample, [1.5, 3.0, 0.0]);
    assert_eq!(e.warnings.len(), 1);
    assert!(
        e.warnings[0].starts_with("every label is 1: scikit-learn's LabelBinarizer"),
        "{:?}",
        e.warnings
    );
    // hinge_loss([0, 0], [0.5, −2]) = hinge_loss([−1, −1], [0.5, −2]) = 0.75.
    assert_eq!(flat(&[0.0, 0.0], &[0.5, -2.0], None).value, 0.75);
    assert_eq!(flat(&[-1.0, -1.0], &[0.5, -2.0], None).value, 0.75);
}

/// hinge_loss([0, 1, 1], [0.5, −2, 1], sample_weight=[1, 2, 3]) = 1.25:
/// (1·1.5 + 2·3 + 3·0) / 6. At the kink (margin exactly 1) the loss and
/// the subgradient are 0: hinge_loss([1, −1], [1, −1]) = 0.
#[test]
fn weights_and_the_kink() {
    assert_eq!(
        flat(&[0.0, 1.0, 1.0], &[0.5, -2.0, 1.0], Some(&[1.0, 2.0, 3.0])).value,
        1.25
    );
    let e = flat(&[1.0, -1.0], &[1.0, -1.0], None);
    assert_eq!((e.value, e.gradient), (0.0, Data::Flat(vec![0.0, 0.0])));
}

/// numpy multiplies scikit-learn's integer labels by float32 decision
/// values in float64: hinge_loss(np.array([0, 1, 1]), np.array([0.1, 0.7,
/// 1.3], dtype=np.float32)) = 0.46666667113701504 (float64 inputs give
/// 0.46666666666666673).
#[test]
fn float32_rounds_the_decision_values_only() {
    let (y, p) = (
        Data::Flat(vec![0.0, 1.0, 1.0]),
        Data::Flat(vec![0.1, 0.7, 1.3]),
    );
    let value = |dtype| {
        sklearn("hinge", dtype)
            .evaluate(&y, &p, None, Reduction::Mean)
            .unwrap()
            .value
    };
    assert_eq!(value("float32"), 0.46666667113701504);
    assert_eq!(value("float64"), 0.46666666666666673);
}

/// What scikit-learn refuses, losslab refuses, naming the labels: three
/// labels with 1-D decision values (sklearn: "The shape of pred_decision
/// cannot be 1d array with a multiclass target") and fractional labels
/// (sklearn: "Unknown label type"). A point must be ±1 (one label alone
/// would always be −1).
#[test]
fn refusals() {
    let e = try_flat(&[0.0, 1.0, 2.0], &[0.5, 2.0, -1.0], None)
        .unwrap_err()
        .to_string();
    assert!(
        e.starts_with("target: index 0 is 0, index 1 is 1 and index 2 is 2: more than two labels"),
        "{e}"
    );
    assert!(
        e.contains("categorical_hinge with convention = sklearn"),
        "{e}"
    );
    let e = try_flat(&[0.5, 1.5, 0.5], &[0.5, 2.0, -1.0], None)
        .unwrap_err()
        .to_string();
    assert!(e.starts_with("target: index 0 is 0.5; "), "{e}");
    // Labels are judged before the weights, as the other hinges do.
    let e = try_flat(&[0.0, 1.0, 2.0], &[0.0; 3], Some(&[1.0]))
        .unwrap_err()
        .to_string();
    assert!(e.contains("more than two labels"), "{e}");
    let hinge = sklearn("hinge", "float64");
    assert_eq!(hinge.point(1.0, 0.25).unwrap().value, 0.75);
    assert_eq!(hinge.point(-1.0, 0.25).unwrap().value, 1.25);
    assert!(hinge.point(0.0, 0.25).is_err());
    assert!(hinge.point(2.0, 0.25).is_err());
}

const ONE_HOT: [&[f64]; 4] = [
    &[1.0, 0.0, 0.0],
    &[0.0, 1.0, 0.0],
    &[0.0, 0.0, 1.0],
    &[0.0, 0.0, 1.0],
];
const DECISIONS: [&[f64]; 4] = [
    &[1.0, 0.5, 0.5],
    &[0.2, 0.2, 0.1],
    &[0.0, 3.0, 1.0],
    &[0.3, -1.0, 2.5],
];

/// hinge_loss([0, 1, 2, 2], DECISIONS) = 1.125 (losses 0.5, 1, 3, 0), with
/// one-hot rows for the labels; the same bits as the exact categorical hinge.
#[test]
fn crammer_singer_rows() {
    let e = rows(
        &sklearn("categorical_hinge", "float64"),
        &ONE_HOT,
        &DECISIONS,
    )
    .unwrap();
    assert_eq!(e.value, 1.125);
    assert_eq!(e.per_sample, [0.5, 1.0, 3.0, 0.0]);
    let exact = Loss::new("categorical_hinge", &Params::new()).unwrap();
    let x = rows(&exact, &ONE_HOT, &DECISIONS).unwrap();
    assert_eq!((x.value, x.per_sample), (e.value, e.per_sample));
    // A class absent from the target is fine (the columns are the classes,
    // as with sklearn's `labels` argument): hinge_loss([0, 1, 1],
    // DECISIONS[..3], labels=[0, 1, 2]) = 0.5.
    let absent: [&[f64]; 3] = [&[1.0, 0.0, 0.0], &[0.0, 1.0, 0.0], &[0.0, 1.0, 0.0]];
    let e = rows(
        &sklearn("categorical_hinge", "float64"),
        &absent,
        &DECISIONS[..3],
    )
    .unwrap();
    assert_eq!(e.value, 0.5);
}

/// Ties in the rival max change no value: hinge_loss([0, 0, 1, 2], ...) =
/// 0.8999999999999999 (losses 1.4, 1, 1.2, 0). The subgradient moves the
/// first maximising rival (+1) and the true class (−1), divided by n = 4.
#[test]
fn ties_in_the_rival_max() {
    let target: [&[f64]; 4] = [
        &[1.0, 0.0, 0.0],
        &[1.0, 0.0, 0.0],
        &[0.0, 1.0, 0.0],
        &[0.0, 0.0, 1.0],
    ];
    let prediction: [&[f64]; 4] = [
        &[0.5, 0.9, 0.9],
        &[0.9, 0.9, 0.1],
        &[0.3, 0.1, 0.3],
        &[2.0, 2.0, 3.5],
    ];
    let e = rows(
        &sklearn("categorical_hinge", "float64"),
        &target,
        &prediction,
    )
    .unwrap();
    assert_eq!(e.value, 0.8999999999999999);
    assert_eq!(e.per_sample, [1.4, 1.0, 1.2, 0.0]);
    let Data::Rows(g) = e.gradient else { panic!() };
    assert_eq!(g[0], [-0.25, 0.25, 0.0]);
    assert_eq!(g[1], [-0.25, 0.25, 0.0]);
    assert_eq!(g[2], [0.25, -0.25, 0.0]);
    assert_eq!(g[3], [0.0, 0.0, 0.0]);
}

/// Keras' categorical hinge takes its max over (1 − y)·ŷ, which counts the
/// true class as 0: equal to scikit-learn's where some rival scores ≥ 0,
/// different where every rival is negative ([1, 0, 0] against [−1, −2, −3]:
/// sklearn 1 − (−1 − (−2)) = 0, Keras 0 − (−1) + 1 = 2).
#[test]
fn keras_agrees_only_for_a_non_negative_rival() {
    let keras = {
        let mut params = Params::new();
        params.insert("convention".into(), ParamValue::Text("keras".into()));
        Loss::new("categorical_hinge", &params).unwrap()
    };
    let sk = sklearn("categorical_hinge", "float64");
    let k = rows(&keras, &ONE_HOT, &DECISIONS).unwrap();
    let s = rows(&sk, &ONE_HOT, &DECISIONS).unwrap();
    assert_eq!(k.per_sample, s.per_sample);
    let negative: [&[f64]; 1] = [&[-1.0, -2.0, -3.0]];
    let one: [&[f64]; 1] = [&[1.0, 0.0, 0.0]];
    assert_eq!(rows(&sk, &one, &negative).unwrap().value, 0.0);
    assert_eq!(rows(&keras, &one, &negative).unwrap().value, 2.0);
}

/// In float32 the margin and 1 − margin are float32, as numpy computes them
/// for a float32 `pred_decision`: losses 1.5999999046325684, 1,
/// 1.399999976158142 (numpy, float32). numpy's float32 mean of those is
/// 1.3333333730697632; losslab keeps its float64 mean of the float32 values.
#[test]
fn float32_rows() {
    let target: [&[f64]; 3] = [&[1.0, 0.0, 0.0], &[0.0, 1.0, 0.0], &[0.0, 0.0, 1.0]];
    let prediction: [&[f64]; 3] = [&[0.1, 0.7, 0.3], &[0.2, 0.2, 0.1], &[1.3, -0.4, 0.9]];
    let e = rows(
        &sklearn("categorical_hinge", "float32"),
        &target,
        &prediction,
    )
    .unwrap();
    assert_eq!(e.per_sample, [1.5999999046325684, 1.0, 1.399999976158142]);
    assert_eq!(e.value as f32, 1.3333333);
}

/// Two classes are binary to scikit-learn, which then refuses 2-D decision
/// values ("y should be a 1d array, got an array of shape (3, 2)"); rows
/// that are not one-hot are not labels.
#[test]
fn row_refusals() {
    let sk = sklearn("categorical_hinge", "float64");
    let e = rows(&sk, &[&[1.0, 0.0]], &[&[0.5, 0.2]])
        .unwrap_err()
        .to_string();
    assert!(e.contains("only for three or more classes"), "{e}");
    assert!(e.contains("but the data has 2"), "{e}");
    let e = rows(&sk, &[&[0.5, 0.5, 0.0]], &[&[0.5, 0.2, 0.1]])
        .unwrap_err()
        .to_string();
    assert!(e.contains("is not one-hot"), "{e}");
}

fn losslab(args: &[&str]) -> std::process::Output {
    Command::cargo_bin("losslab")
        .unwrap()
        .arg("eval")
        .args(args)
        .output()
        .unwrap()
}

/// `eval` prints scikit-learn's numbers, from inline data and from a file
/// (a whole-target rule: the file is read into memory, not streamed).
#[test]
fn eval_prints_sklearn_numbers() {
    let json = |args: &[&str]| -> Value {
        let out = losslab(&[args, &["--json"]].concat());
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let v = json(&[
        "--loss",
        "hinge:convention=sklearn",
        "--target",
        "[1, 2, 2, 1]",
        "--prediction",
        "[-0.5, 0.3, 1.5, 0.2]",
    ]);
    assert_eq!(v["value"], 0.6);
    assert_eq!(v["params"]["convention"], "sklearn");
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("h.csv");
    std::fs::write(&csv, "y,p\n1,0.5\n1,2.0\n1,-1.0\n").unwrap();
    let (y, p) = (
        format!("@{}:y", csv.display()),
        format!("@{}:p", csv.display()),
    );
    let v = json(&[
        "--loss",
        "hinge:convention=sklearn",
        "--target",
        &y,
        "--prediction",
        &p,
    ]);
    assert_eq!(v["value"], 1.5);
    assert_eq!(v["warnings"].as_array().unwrap().len(), 1);
    let v = json(&[
        "--loss",
        "categorical_hinge:convention=sklearn",
        "--target",
        "[[1,0,0],[0,1,0],[0,0,1],[0,0,1]]",
        "--prediction",
        "[[1.0,0.5,0.5],[0.2,0.2,0.1],[0.0,3.0,1.0],[0.3,-1.0,2.5]]",
    ]);
    assert_eq!(v["value"], 1.125);
}

/// What scikit-learn refuses is a one-line error and a non-zero exit.
#[test]
fn eval_refusals_exit_non_zero() {
    let error = |args: &[&str]| -> String {
        let out = losslab(args);
        assert!(!out.status.success(), "{args:?} should fail");
        assert!(out.stdout.is_empty());
        String::from_utf8(out.stderr).unwrap()
    };
    let e = error(&[
        "--loss",
        "hinge:convention=sklearn",
        "--target",
        "[0, 1, 2]",
        "--prediction",
        "[0.5, 2.0, -1.0]",
    ]);
    assert!(
        e.starts_with(
            "error: --target: index 0 is 0, index 1 is 1 and index 2 is 2: more than two labels"
        ),
        "{e}"
    );
    let e = error(&[
        "--loss",
        "categorical_hinge:convention=sklearn",
        "--target",
        "[[1,0],[0,1]]",
        "--prediction",
        "[[1.0,0.5],[0.2,0.2]]",
    ]);
    assert!(e.contains("but the data has 2"), "{e}");
    assert!(!e.contains("panicked"), "{e}");
}
