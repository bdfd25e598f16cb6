//! The streamed result equals the in-memory one, bit for bit, whatever the
//! batch size and the thread count.

use super::*;
use crate::io::MemorySource;
use crate::loss::{ParamValue, Params};

fn inputs(target: &[f64], prediction: &[f64], weights: Option<&[f64]>) -> Inputs {
    let mut sources: Vec<Box<dyn BatchSource>> = vec![
        Box::new(MemorySource::new(&Data::Flat(target.to_vec()))),
        Box::new(MemorySource::new(&Data::Flat(prediction.to_vec()))),
    ];
    let mut picks = vec![
        (
            Role::Target,
            Pick {
                source: 0,
                selection: 0,
            },
        ),
        (
            Role::Prediction,
            Pick {
                source: 1,
                selection: 0,
            },
        ),
    ];
    if let Some(w) = weights {
        sources.push(Box::new(MemorySource::new(&Data::Flat(w.to_vec()))));
        picks.push((
            Role::Weights,
            Pick {
                source: 2,
                selection: 0,
            },
        ));
    }
    Inputs { sources, picks }
}

/// Values that make naive and compensated sums differ.
fn data(n: usize) -> (Vec<f64>, Vec<f64>, Vec<f64>) {
    let target: Vec<f64> = (0..n).map(|i| ((i * 7919) % 1000) as f64 / 997.0).collect();
    let prediction: Vec<f64> = (0..n)
        .map(|i| {
            if i % 97 == 0 {
                1e7 + i as f64
            } else {
                (i as f64).sin() * 1e-3
            }
        })
        .collect();
    let weights: Vec<f64> = (0..n).map(|i| ((i % 5) as f64) * 0.3).collect();
    (target, prediction, weights)
}

fn streamed(
    loss: &Loss,
    (t, p, w): (&[f64], &[f64], Option<&[f64]>),
    reduction: Reduction,
    options: StreamOptions,
) -> (f64, Vec<f64>, Vec<f64>) {
    let totals = run_pass(loss, &mut inputs(t, p, w), 1.0, options, |_| Ok(())).unwrap();
    let (value, denominator, _) = reduce(&totals, reduction);
    let mut per_sample = Vec::new();
    let mut gradient = Vec::new();
    run_pass(loss, &mut inputs(t, p, w), denominator, options, |b| {
        assert_eq!(b.first_row as usize, per_sample.len());
        per_sample.extend_from_slice(&b.per_sample);
        gradient.extend_from_slice(&b.gradient);
        Ok(())
    })
    .unwrap();
    (value, per_sample, gradient)
}

#[test]
fn streamed_equals_in_memory_bit_for_bit() {
    let n = 3 * 4096 + 1234;
    let (t, p, w) = data(n);
    let mut huber_params = Params::new();
    huber_params.insert("delta".into(), ParamValue::Number(0.5));
    let losses = [
        Loss::new("mse", &Params::new()).unwrap(),
        Loss::new("mae", &Params::new()).unwrap(),
        Loss::new("huber", &huber_params).unwrap(),
        Loss::new("log_cosh", &Params::new()).unwrap(),
    ];
    for loss in &losses {
        for reduction in [Reduction::Mean, Reduction::Sum, Reduction::WeightedMean] {
            for weights in [None, Some(w.as_slice())] {
                let expected = loss
                    .evaluate(
                        &Data::Flat(t.clone()),
                        &Data::Flat(p.clone()),
                        weights,
                        reduction,
                    )
                    .unwrap();
                let Data::Flat(expected_gradient) = &expected.gradient else {
                    unreachable!()
                };
                for batch_rows in [1000, 4096, 5000, 1 << 16] {
                    for threads in [1, 2, 3] {
                        let pool = rayon::ThreadPoolBuilder::new()
                            .num_threads(threads)
                            .build()
                            .unwrap();
                        let options = StreamOptions {
                            batch_rows,
                            batches_in_flight: threads + 1,
                        };
                        let (value, per_sample, gradient) =
                            pool.install(|| streamed(loss, (&t, &p, weights), reduction, options));
                        let case = format!(
                            "{} {reduction:?} {batch_rows} rows, {threads} threads",
                            loss.name()
                        );
                        assert_eq!(value.to_bits(), expected.value.to_bits(), "{case}");
                        assert_eq!(per_sample, expected.per_sample, "{case}");
                        assert_eq!(&gradient, expected_gradient, "{case}");
                    }
                }
            }
        }
    }
}

#[test]
fn the_compensated_sum_is_not_the_naive_one_here() {
    // Guards the test above: on these data the order of additions matters.
    let (t, p, _) = data(3 * 4096 + 1234);
    let mse = Loss::new("mse", &Params::new()).unwrap();
    let e = mse
        .evaluate(&Data::Flat(t), &Data::Flat(p), None, Reduction::Sum)
        .unwrap();
    let naive: f64 = e.per_sample.iter().sum();
    assert_ne!(naive.to_bits(), e.value.to_bits());
}

#[test]
fn a_refused_sample_is_counted_from_the_start_of_the_data() {
    let bce = Loss::new("bce", &Params::new()).unwrap();
    let n = 10_000;
    let t = vec![1.0; n];
    let mut p = vec![0.5; n];
    p[9_001] = 1.5;
    let options = StreamOptions {
        batch_rows: 4096,
        batches_in_flight: 2,
    };
    let err = run_pass(&bce, &mut inputs(&t, &p, None), 1.0, options, |_| Ok(())).unwrap_err();
    assert_eq!(
        err.to_string(),
        "prediction: sample 9001: is 1.5; probabilities must be in [0, 1]"
    );
}

#[test]
fn inputs_of_different_lengths_are_refused() {
    let mse = Loss::new("mse", &Params::new()).unwrap();
    let options = StreamOptions {
        batch_rows: 3,
        batches_in_flight: 2,
    };
    let err = run_pass(
        &mse,
        &mut inputs(&[1.0; 7], &[1.0; 5], None),
        1.0,
        options,
        |_| Ok(()),
    )
    .unwrap_err();
    assert_eq!(err.to_string(), "prediction: has 5 values but target has 7");
}
