//! The chunk kernels of the row losses (`row_slices`) give the numbers of
//! the per-row kernels bit for bit, on every compiled path: packed rows
//! (which go through the chunk kernels) against the same rows as a matrix
//! (which the core runs row by row), with edge values (zeros, subnormals,
//! ratios beyond the doubles, ties and huge logits), weights and label
//! smoothing; a chunk that would earn a warning or an error is left to the
//! per-row kernel, with the same messages.

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::categorical_slices::top_class;
use super::definition::Kernel;
use super::row_slices::RowChunk;
use super::slice_path_tests::on_each_path;
use super::{Data, Input, Loss, Output, ParamValue, Params, Reduction, CHUNK};

const CLASSES: usize = 7;

fn loss(name: &str, params: &[(&str, ParamValue)]) -> Loss {
    let params: Params = params
        .iter()
        .map(|(k, v)| ((*k).to_string(), v.clone()))
        .collect();
    Loss::new(name, &params).expect("a catalogue loss")
}

/// The row losses and forms that have chunk kernels.
fn losses() -> Vec<Loss> {
    let logits = ("from_logits", ParamValue::Bool(true));
    let smooth = ("label_smoothing", ParamValue::Number(0.1));
    vec![
        loss("kl_divergence", &[]),
        loss("kl_divergence", &[("base", ParamValue::Number(2.0))]),
        loss("categorical_cross_entropy", &[]),
        loss("categorical_cross_entropy", std::slice::from_ref(&smooth)),
        loss("categorical_cross_entropy", std::slice::from_ref(&logits)),
        loss(
            "categorical_cross_entropy",
            &[logits.clone(), smooth.clone()],
        ),
        loss("sparse_categorical_cross_entropy", &[]),
        loss(
            "sparse_categorical_cross_entropy",
            std::slice::from_ref(&logits),
        ),
        loss("sparse_categorical_cross_entropy", &[logits, smooth]),
        loss(
            "sparse_categorical_cross_entropy",
            &[("ignore_index", ParamValue::Number(-100.0))],
        ),
    ]
}

fn logits(loss: &Loss) -> bool {
    loss.params().get("from_logits") == Some(&ParamValue::Bool(true))
}

/// A probability row summing to 1 (to the last bits), with exact zeros and
/// tiny entries here and there.
fn distribution(rng: &mut ChaCha8Rng, classes: usize) -> Vec<f64> {
    let mut row: Vec<f64> = (0..classes)
        .map(|_| match rng.random_range(0..10) {
            0 => 0.0,
            1 => 5e-324,
            2 => 1e-300,
            3 => 1e-17,
            _ => rng.random_range(0.01..1.0),
        })
        .collect();
    if row.iter().all(|&x| x == 0.0) {
        row[0] = 1.0;
    }
    let total: f64 = row.iter().sum();
    row.iter_mut().for_each(|x| *x /= total);
    row
}

/// Rows of targets and predictions inside each loss's domain.
fn data(loss: &Loss, rows: usize, rng: &mut ChaCha8Rng) -> (Vec<f64>, Vec<f64>) {
    data_of(loss, (rows, CLASSES), rng)
}

/// [`data`] with any number of classes.
fn data_of(
    loss: &Loss,
    (rows, classes): (usize, usize),
    rng: &mut ChaCha8Rng,
) -> (Vec<f64>, Vec<f64>) {
    let prediction: Vec<f64> = if logits(loss) {
        (0..rows * classes)
            .map(|i| match rng.random_range(0..12) {
                0 => 700.0,
                1 => -700.0,
                2 => 3.0, // ties with other 3s
                _ => rng.random_range(-30.0..30.0) + (i % 3) as f64,
            })
            .collect()
    } else {
        (0..rows).flat_map(|_| distribution(rng, classes)).collect()
    };
    let target: Vec<f64> = if loss.sparse_labels() {
        (0..rows)
            .map(|_| f64::from(rng.random_range(0..classes as u32)))
            .collect()
    } else {
        (0..rows).flat_map(|_| distribution(rng, classes)).collect()
    };
    (target, prediction)
}

fn bits(v: &[f64]) -> Vec<u64> {
    v.iter().map(|x| x.to_bits()).collect()
}

/// Value, per-sample values, gradient and warnings from packed rows.
type Results = (u64, Vec<u64>, Vec<u64>, Vec<String>);

fn packed(loss: &Loss, t: &[f64], p: &[f64], w: Option<&[f64]>) -> Result<Results, String> {
    packed_of(loss, (t, p, CLASSES), w)
}

/// [`packed`] with any number of classes.
fn packed_of(
    loss: &Loss,
    (t, p, classes): (&[f64], &[f64], usize),
    w: Option<&[f64]>,
) -> Result<Results, String> {
    let rows = p.len() / classes;
    let (mut per_sample, mut gradient) = (vec![0.0; rows], vec![f64::NAN; p.len()]);
    let mut input = Input::new(t, p).rows(classes);
    if let Some(w) = w {
        input = input.weights(w);
    }
    let output = Output {
        per_sample: Some(&mut per_sample),
        gradient: Some(&mut gradient),
        hessian: None,
    };
    let r = loss
        .reduce(input, Reduction::WeightedMean, output)
        .map_err(|e| e.to_string())?;
    Ok((
        r.value.to_bits(),
        bits(&per_sample),
        bits(&gradient),
        r.warnings,
    ))
}

/// The same from a matrix of rows: the per-row kernels.
fn by_rows(loss: &Loss, t: &[f64], p: &[f64], w: Option<&[f64]>) -> Result<Results, String> {
    by_rows_of(loss, (t, p, CLASSES), w)
}

/// [`by_rows`] with any number of classes.
fn by_rows_of(
    loss: &Loss,
    (t, p, classes): (&[f64], &[f64], usize),
    w: Option<&[f64]>,
) -> Result<Results, String> {
    let matrix = |v: &[f64]| Data::Rows(v.chunks(classes).map(<[f64]>::to_vec).collect());
    let target = if loss.sparse_labels() {
        Data::Flat(t.to_vec())
    } else {
        matrix(t)
    };
    let e = loss
        .evaluate(&target, &matrix(p), w, Reduction::WeightedMean)
        .map_err(|e| e.to_string())?;
    let Data::Rows(gradient) = e.gradient else {
        panic!("rows in, rows out")
    };
    Ok((
        e.value.to_bits(),
        bits(&e.per_sample),
        bits(&gradient.concat()),
        e.warnings,
    ))
}

/// Whether the loss's chunk kernel takes these rows (and so computes them).
fn taken(loss: &Loss, t: &[f64], p: &[f64]) -> bool {
    taken_of(loss, (t, p, CLASSES))
}

/// [`taken`] with any number of classes.
fn taken_of(loss: &Loss, (t, p, classes): (&[f64], &[f64], usize)) -> bool {
    let Kernel::Rows(kernel) = &loss.kernel else {
        panic!("a row loss")
    };
    let mut values = vec![0.0; p.len() / classes];
    kernel.chunk(RowChunk {
        target: t,
        prediction: p,
        classes,
        values: &mut values,
        gradient: &mut [],
    })
}

#[test]
fn chunk_kernels_give_the_per_row_numbers_on_every_path() {
    let mut rng = ChaCha8Rng::seed_from_u64(13);
    let rows = CHUNK - 3;
    for loss in losses() {
        let (t, p) = data(&loss, rows, &mut rng);
        assert!(taken(&loss, &t, &p), "{:?}", loss.params());
        let w: Vec<f64> = (0..rows)
            .map(|i| [0.0, 1.0, 2.5][i % 3] * f64::from(u8::from(i % 7 != 0)))
            .collect();
        let expected = by_rows(&loss, &t, &p, None);
        let weighted = by_rows(&loss, &t, &p, Some(&w));
        assert!(expected.is_ok(), "{expected:?}");
        for (isa, got) in on_each_path(|| packed(&loss, &t, &p, None)) {
            assert_eq!(got, expected, "{} {:?} {isa:?}", loss.name(), loss.params());
        }
        for (isa, got) in on_each_path(|| packed(&loss, &t, &p, Some(&w))) {
            assert_eq!(got, weighted, "{} {:?} {isa:?}", loss.name(), loss.params());
        }
    }
}

/// One class, a few and many: blocks of whole groups of eight rows, wide
/// rows in blocks of their own, row counts that are not a multiple of the
/// group or of the block (ragged last groups), with and without weights.
#[test]
fn any_number_of_classes_gives_the_per_row_numbers() {
    let mut rng = ChaCha8Rng::seed_from_u64(29);
    for (classes, rows) in [
        (1, 613),
        (2, 300),
        (3, 63),
        (4, 65),
        (5, 17),
        (7, 8),
        (8, 63),
        (9, 16),
        (10, 1000),
        (12, 9),
        (13, 91),
        (15, 7),
        (16, 15),
        (17, 64),
        (24, 33),
        (100, 45),
        (3000, 21),
    ] {
        for loss in losses() {
            let (t, p) = data_of(&loss, (rows, classes), &mut rng);
            let at = format!("{} {:?}, {classes} classes", loss.name(), loss.params());
            assert!(taken_of(&loss, (&t, &p, classes)), "{at}");
            let w: Vec<f64> = (0..rows).map(|i| [1.0, 0.5, 0.0][i % 3]).collect();
            for w in [None, Some(&w[..])] {
                let expected = by_rows_of(&loss, (&t, &p, classes), w);
                assert!(expected.is_ok(), "{at}: {expected:?}");
                for (isa, got) in on_each_path(|| packed_of(&loss, (&t, &p, classes), w)) {
                    assert_eq!(got, expected, "{at} {isa:?}");
                }
            }
        }
    }
}

/// KL at ratios beyond the doubles (x/y subnormal or infinite), zeros in
/// either row and a prediction of 0 under a positive target (+∞).
#[test]
fn kl_edges_take_the_per_row_numbers() {
    let kl = loss("kl_divergence", &[]);
    let rows: [[f64; CLASSES]; 4] = [
        [5e-324, 0.5, 0.5, 0.0, 0.0, 0.0, 0.0],
        [0.5, 5e-324, 0.0, 0.5, 0.0, 0.0, 0.0],
        [1e-300, 0.25, 0.25, 0.5, 0.0, 0.0, 0.0],
        [0.25, 0.25, 0.25, 0.25, 0.0, 0.0, 0.0],
    ];
    let predictions: [[f64; CLASSES]; 4] = [
        [0.5, 5e-324, 0.5, 0.0, 0.0, 0.0, 0.0],
        [0.25, 0.25, 0.25, 0.25, 0.0, 0.0, 0.0],
        [0.25, 0.25, 0.0, 0.5, 0.0, 0.0, 0.0],
        [0.25, 0.25 + 1e-16, 0.25 - 1e-16, 0.25, 0.0, 0.0, 0.0],
    ];
    let (t, p) = (rows.concat(), predictions.concat());
    assert!(taken(&kl, &t, &p));
    let expected = by_rows(&kl, &t, &p, None);
    for (isa, got) in on_each_path(|| packed(&kl, &t, &p, None)) {
        assert_eq!(got, expected, "{isa:?}");
    }
    let (value, ..) = expected.expect("valid rows");
    assert_eq!(f64::from_bits(value), f64::INFINITY);
}

/// Chunks that would earn a warning or an error are declined (the per-row
/// kernel writes the messages); over several chunks, the others still come
/// from the chunk kernel, with the same numbers.
#[test]
fn warnings_and_errors_are_the_per_row_kernels() {
    let mut rng = ChaCha8Rng::seed_from_u64(31);
    let rows = 2 * CHUNK + 100;
    let kl = loss("kl_divergence", &[]);
    let (mut t, p) = data(&kl, rows, &mut rng);
    // A target row in the second chunk that sums to 0.9.
    let bad = CHUNK + 17;
    t[bad * CLASSES..(bad + 1) * CLASSES]
        .iter_mut()
        .for_each(|x| *x *= 0.9);
    let chunk = |r: usize| r * CLASSES..(r + CHUNK).min(rows) * CLASSES;
    assert!(!taken(&kl, &t[chunk(CHUNK)], &p[chunk(CHUNK)]));
    assert!(taken(&kl, &t[chunk(0)], &p[chunk(0)]));
    let got = packed(&kl, &t, &p, None).expect("a warning, not an error");
    assert_eq!(got, by_rows(&kl, &t, &p, None).expect("the same"));
    assert_eq!(
        got.3,
        vec![format!(
            "target row {bad} sums to 0.9, not 1; computed as given (scipy rel_entr)"
        )]
    );
    for loss in losses() {
        let (t, mut p) = data(&loss, rows, &mut rng);
        p[(CHUNK + 5) * CLASSES + 2] = f64::NAN;
        let (fast, slow) = (packed(&loss, &t, &p, None), by_rows(&loss, &t, &p, None));
        assert!(fast.is_err(), "{:?}", loss.params());
        assert_eq!(fast, slow);
        let (mut t, p) = data(&loss, rows, &mut rng);
        if loss.sparse_labels() {
            t[CHUNK + 9] = CLASSES as f64;
        } else {
            t[(CHUNK + 9) * CLASSES] = -0.25;
        }
        let (fast, slow) = (packed(&loss, &t, &p, None), by_rows(&loss, &t, &p, None));
        assert!(fast.is_err(), "{:?}", loss.params());
        assert_eq!(fast, slow);
    }
}

/// An ignored label or class weights send the chunk to the per-row kernel
/// (a row left out, a class factor); the numbers are those of the matrix.
#[test]
fn ignored_labels_and_class_weights_go_row_by_row() {
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let scce = loss(
        "sparse_categorical_cross_entropy",
        &[("ignore_index", ParamValue::Number(-100.0))],
    );
    let (mut t, p) = data(&scce, 50, &mut rng);
    t[3] = -100.0;
    assert!(!taken(&scce, &t, &p));
    assert_eq!(packed(&scce, &t, &p, None), by_rows(&scce, &t, &p, None));
    let weights: Vec<f64> = (0..CLASSES).map(|c| 1.0 + c as f64).collect();
    let cce = loss(
        "categorical_cross_entropy",
        &[("class_weights", ParamValue::List(weights))],
    );
    let (t, p) = data(&cce, 50, &mut rng);
    assert!(!taken(&cce, &t, &p));
    assert_eq!(packed(&cce, &t, &p, None), by_rows(&cce, &t, &p, None));
}

/// Categorical cross-entropy on probabilities (its logarithm is
/// `vmath::ln_unit`), without and with smoothing: targets of −0 and +0,
/// predictions of −0 and 0 under a positive target (+∞), subnormal and tiny
/// predictions: the per-row numbers on every path.
#[test]
fn cce_zeros_and_subnormals_take_the_per_row_numbers() {
    let smooth = ("label_smoothing", ParamValue::Number(0.1));
    let targets: [[f64; CLASSES]; 3] = [
        [-0.0, 0.5, 0.0, 0.5, -0.0, 0.0, 0.0],
        [0.25, -0.0, 0.25, 0.25, 0.25, 0.0, -0.0],
        [0.5, -0.0, 0.5, -0.0, 0.0, -0.0, 0.0],
    ];
    let predictions: [[f64; CLASSES]; 3] = [
        [0.0, 5e-324, 0.5, 0.5 - 5e-324, 0.0, 0.0, 0.0],
        [0.25, 0.0, 0.25, 0.25, 0.25, 1e-310, 0.0],
        [1.0 - 1e-300, 1e-300, 0.0, 0.0, -0.0, 0.0, 0.0],
    ];
    for cce in [
        loss("categorical_cross_entropy", &[]),
        loss("categorical_cross_entropy", std::slice::from_ref(&smooth)),
    ] {
        // Enough rows for whole and ragged groups of eight.
        let (t, p) = (targets.concat().repeat(11), predictions.concat().repeat(11));
        assert!(taken(&cce, &t, &p), "{:?}", cce.params());
        let expected = by_rows(&cce, &t, &p, None);
        for (isa, got) in on_each_path(|| packed(&cce, &t, &p, None)) {
            assert_eq!(got, expected, "{:?} {isa:?}", cce.params());
        }
        let (value, ..) = expected.expect("valid rows");
        assert_eq!(f64::from_bits(value), f64::INFINITY, "{:?}", cce.params());
    }
}

/// With label_smoothing = 0 the chunk kernel reads a dense target as its own
/// y (no smoothing pass): the numbers of the per-row kernel, which smooths
/// with ls = 0 (−0 → +0), on every path, with −0 targets over zero and
/// non-zero predictions (their term and gradient are +0).
#[test]
fn cce_without_smoothing_reads_targets_as_the_smoothed_ones() {
    let cce = loss(
        "categorical_cross_entropy",
        &[("label_smoothing", ParamValue::Number(0.0))],
    );
    let target = [-0.0, 0.5, -0.0, 0.5, 0.0, -0.0, 0.0];
    let prediction = [0.0, 0.25, 0.25, 0.25, 0.0, 0.25, -0.0];
    let (t, p) = (target.repeat(13), prediction.repeat(13));
    assert!(taken(&cce, &t, &p));
    let expected = by_rows(&cce, &t, &p, None);
    let (_, _, gradient, _) = expected.clone().expect("valid rows");
    for (c, &g) in gradient.iter().enumerate() {
        if t[c] == 0.0 {
            assert_eq!(g, 0.0f64.to_bits(), "class {c}");
        }
    }
    for (isa, got) in on_each_path(|| packed(&cce, &t, &p, None)) {
        assert_eq!(got, expected, "{isa:?}");
    }
}

/// Value and per-sample values from packed rows without a gradient (the
/// sparse cross-entropy from logits then takes a kernel of its own,
/// `sparse_logits`).
fn values_of(loss: &Loss, (t, p, classes): (&[f64], &[f64], usize)) -> (u64, Vec<u64>) {
    let mut per_sample = vec![f64::NAN; p.len() / classes];
    let output = Output {
        per_sample: Some(&mut per_sample),
        gradient: None,
        hessian: None,
    };
    let input = Input::new(t, p).rows(classes);
    let r = loss
        .reduce(input, Reduction::WeightedMean, output)
        .expect("valid rows");
    (r.value.to_bits(), bits(&per_sample))
}

/// Sparse cross-entropy from logits without a gradient (its own kernel,
/// eight rows transposed at a time): the per-row numbers on every path,
/// with and without smoothing, for class counts around the groups and the
/// block (64 classes the widest it takes, 65 the general kernel), ragged
/// row counts, ties, huge logits and labels at the top class.
#[test]
fn sparse_logit_values_are_the_per_row_numbers() {
    let mut rng = ChaCha8Rng::seed_from_u64(41);
    let logits = ("from_logits", ParamValue::Bool(true));
    for smoothing in [0.0, 0.1, 1.0] {
        let smooth = ("label_smoothing", ParamValue::Number(smoothing));
        let scce = loss(
            "sparse_categorical_cross_entropy",
            &[logits.clone(), smooth],
        );
        for (classes, rows) in [
            (1, 9),
            (2, 300),
            (3, 7),
            (7, CHUNK + 13),
            (10, 1001),
            (16, 15),
            (63, 17),
            (64, 40),
            (65, 9),
        ] {
            let (mut t, mut p) = data_of(&scce, (rows, classes), &mut rng);
            // Ties at the top, and the label at the top class.
            p[..classes].fill(3.0);
            t[1] = top_class(&p[classes..2 * classes]) as f64;
            let at = format!("{smoothing} {classes} classes, {rows} rows");
            let (value, per_row, ..) = by_rows_of(&scce, (&t, &p, classes), None).expect("valid");
            for (isa, got) in on_each_path(|| values_of(&scce, (&t, &p, classes))) {
                assert_eq!(got, (value, per_row.clone()), "{at} {isa:?}");
            }
        }
    }
}
