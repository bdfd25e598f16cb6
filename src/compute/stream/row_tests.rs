//! Row losses streamed: the result equals the in-memory one bit for bit
//! (value, per-sample values, gradient rows, warnings) whatever the batch
//! size and thread count, with class weights, `ignore_index` and a
//! convention's class factor; a refused row is named by its row in the
//! whole data, as in memory.

use super::tests::{on_pool, pick};
use super::*;
use crate::io::MemorySource;
use crate::loss::{Data, ParamValue, Params};

const CLASSES: usize = 4;

fn source(data: &Data) -> Box<dyn BatchSource> {
    Box::new(MemorySource::new(data))
}

fn loss(name: &str, params: &[(&str, ParamValue)]) -> Loss {
    let params: Params = params
        .iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect();
    Loss::new(name, &params).unwrap()
}

/// 0: target rows (probabilities; every 7th row does not sum to 1, so KL
/// warns), 1: prediction rows (probabilities, some 0), 2: labels (some 9,
/// the ignore_index below), 3: weights (some 0).
fn data(n: usize) -> Vec<Data> {
    let row = |i: usize, salt: usize| -> Vec<f64> {
        let raw: Vec<f64> = (0..CLASSES)
            .map(|c| (((i % 1000 + 1) * (c + salt) * 7919) % 1009) as f64)
            .collect();
        let sum: f64 = raw.iter().sum();
        raw.iter().map(|x| x / sum).collect()
    };
    let targets = (0..n)
        .map(|i| {
            let mut r = row(i, 3);
            if i % 7 == 0 {
                r[0] += 0.25;
            }
            r
        })
        .collect();
    let predictions = (0..n).map(|i| row(i, 5)).collect();
    let labels = (0..n)
        .map(|i| {
            if i % 11 == 0 {
                9.0
            } else {
                (i % CLASSES) as f64
            }
        })
        .collect();
    let weights = (0..n).map(|i| ((i % 5) as f64) * 0.3).collect();
    vec![
        Data::Rows(targets),
        Data::Rows(predictions),
        Data::Flat(labels),
        Data::Flat(weights),
    ]
}

/// Value, per-sample values, gradient rows (flat) and warnings, streamed.
fn streamed(
    job: &Job,
    data: &[Data],
    reduction: Reduction,
    options: StreamOptions,
) -> (f64, Vec<f64>, Vec<f64>, Vec<String>) {
    let sources = || data.iter().map(source).collect::<Vec<_>>();
    let jobs = std::slice::from_ref(job);
    let totals = run_pass(
        jobs,
        &mut sources(),
        &[1.0],
        Need::Sums,
        options,
        |_| Ok(()),
    )
    .unwrap();
    let (value, denominator, warnings) = reduce(&totals[0], reduction);
    let (mut per_sample, mut gradient) = (Vec::new(), Vec::new());
    run_pass(
        jobs,
        &mut sources(),
        &[denominator],
        Need::Samples,
        options,
        |b| {
            assert_eq!(b.first_row as usize, per_sample.len());
            per_sample.extend_from_slice(&b.losses[0].per_sample);
            gradient.extend_from_slice(&b.losses[0].gradient);
            Ok(())
        },
    )
    .unwrap();
    (value, per_sample, gradient, warnings)
}

#[test]
fn row_losses_stream_bit_for_bit() {
    let n = 2 * 4096 + 777;
    let data = data(n);
    let list = ParamValue::List(vec![0.5, 2.0, 1.0, 3.0]);
    // (loss, target source)
    let cases = [
        (loss("cce", &[]), 0),
        (loss("cce", &[("class_weights", list.clone())]), 0),
        (
            loss(
                "cce",
                &[
                    ("from_logits", ParamValue::Bool(true)),
                    ("label_smoothing", ParamValue::Number(0.1)),
                ],
            ),
            0,
        ),
        (loss("kl", &[]), 0),
        (loss("kl", &[("normalize", ParamValue::Bool(true))]), 0),
        (
            loss("kl", &[("convention", ParamValue::Text("pytorch".into()))]),
            0,
        ),
        (
            loss(
                "sparse_cce",
                &[
                    ("ignore_index", ParamValue::Number(9.0)),
                    ("class_weights", list),
                ],
            ),
            2,
        ),
    ];
    for (loss, t) in &cases {
        for weighted in [false, true] {
            let job = Job {
                loss: loss.clone(),
                target: pick(*t),
                prediction: pick(1),
                weights: weighted.then(|| pick(3)),
            };
            let weights = match &data[3] {
                Data::Flat(w) => weighted.then_some(w.as_slice()),
                Data::Rows(_) => unreachable!(),
            };
            for reduction in [Reduction::Mean, Reduction::Sum, Reduction::WeightedMean] {
                let expected = loss
                    .evaluate(&data[*t], &data[1], weights, reduction)
                    .unwrap();
                let Data::Rows(expected_gradient) = &expected.gradient else {
                    unreachable!()
                };
                let expected_gradient = expected_gradient.concat();
                for batch_rows in [1, 1000, 4095, 4096, 4097, 1 << 16] {
                    for threads in [1, 2, 3] {
                        let (value, per_sample, gradient, warnings) =
                            on_pool(threads, batch_rows, |options| {
                                streamed(&job, &data, reduction, options)
                            });
                        let case = format!(
                            "{loss:?} {reduction:?} weighted {weighted}, {batch_rows} rows, {threads} threads"
                        );
                        assert_eq!(value.to_bits(), expected.value.to_bits(), "{case}");
                        assert!(per_sample == expected.per_sample, "{case}");
                        let first_difference = gradient
                            .iter()
                            .zip(&expected_gradient)
                            .position(|(a, b)| a.to_bits() != b.to_bits());
                        assert_eq!(gradient.len(), expected_gradient.len(), "{case}");
                        assert_eq!(first_difference, None, "{case}");
                        assert!(warnings == expected.warnings, "{case}");
                    }
                }
            }
        }
    }
}

#[test]
fn the_cases_above_warn_and_weigh() {
    // Guards the test above: KL warns on more rows than are listed, and
    // class weights with ignore_index move the weighted mean's denominator.
    let data = data(2 * 4096 + 777);
    let kl = loss("kl", &[])
        .evaluate(&data[0], &data[1], None, Reduction::Mean)
        .unwrap();
    assert_eq!(kl.warnings.len(), 11, "{:?}", kl.warnings);
    assert!(kl.warnings[10].contains("more such warnings"));
    let sparse = loss("sparse_cce", &[("ignore_index", ParamValue::Number(9.0))]);
    let e = sparse
        .evaluate(&data[2], &data[1], None, Reduction::Mean)
        .unwrap();
    let sum: f64 = crate::loss::accurate_sum(&e.per_sample);
    assert!(e.value.is_finite());
    assert_ne!(e.value, sum / (2 * 4096 + 777) as f64);
}

/// A refused row far into the data: the streamed message names the same
/// row and column as the in-memory one, whatever the batch size.
#[test]
fn a_refused_row_is_named_as_in_memory() {
    let n = 3 * 4096;
    let mut data = data(n);
    if let Data::Rows(rows) = &mut data[1] {
        rows[9000][2] = 1.5;
        rows[9500][1] = -0.5;
    }
    for (name, t) in [("cce", 0), ("sparse_cce", 2), ("kl", 0)] {
        let loss = loss(
            name,
            &[("ignore_index", ParamValue::Number(9.0))][..usize::from(t == 2)],
        );
        let expected = loss
            .evaluate(&data[t], &data[1], None, Reduction::Mean)
            .unwrap_err();
        for batch_rows in [100, 4096, 5000] {
            let job = Job {
                loss: loss.clone(),
                target: pick(t),
                prediction: pick(1),
                weights: None,
            };
            let options = StreamOptions {
                batch_rows,
                batches_in_flight: 3,
            };
            let mut sources: Vec<_> = data.iter().map(source).collect();
            let err = run_pass(
                &[job],
                &mut sources,
                &[1.0],
                Need::Sums,
                options,
                |_| Ok(()),
            )
            .unwrap_err();
            let StreamError::Refused { role, message, .. } = err else {
                panic!("{err}")
            };
            assert_eq!(format!("{}: {message}", role.name()), expected.to_string());
            assert!(message.starts_with("row 9"), "{message}");
        }
    }
}
