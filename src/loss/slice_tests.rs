//! The slice kernels against the per-point kernels: every elementwise loss
//! of the catalogue, every mode, bit for bit; the reduction against a
//! stream's chunk-by-chunk use of [`ChunkSum`]; the thread count; errors.

use super::prec::{close, REL_SUMMATION};
use super::slices::STREAM_STORES_FROM;
use super::{
    catalogue, compensated_sum, ChunkSum, Data, Input, Loss, LossError, Neumaier, Output, Params,
    Reduction, Shape, CHUNK,
};

/// `n` pairs inside the loss's domain (as `Loss::point` judges them), over
/// several chunks, mixing labels, residuals and probabilities.
fn pairs_in_domain(loss: &Loss, n: usize) -> (Vec<f64>, Vec<f64>) {
    let labels = [1.0, -1.0, 0.0, 0.3, 2.5, -0.7, 4.0, 0.9];
    let (mut target, mut prediction) = (Vec::with_capacity(n), Vec::with_capacity(n));
    let mut k = 0usize;
    while target.len() < n {
        let y = labels[k % labels.len()];
        let yhat = if k.is_multiple_of(2) {
            ((k * 7919) % 999 + 1) as f64 / 1000.0
        } else {
            ((k * 104_729) % 6001) as f64 / 1000.0 - 3.0
        };
        if loss.point(y, yhat).is_ok() {
            target.push(y);
            prediction.push(yhat);
        }
        k += 1;
    }
    (target, prediction)
}

fn elementwise_losses() -> Vec<Loss> {
    catalogue()
        .into_iter()
        .filter(|info| info.shape == Shape::Elementwise)
        .map(|info| Loss::new(info.name, &Params::new()).expect("a catalogue loss"))
        .collect()
}

fn bits(v: &[f64]) -> Vec<u64> {
    v.iter().map(|x| x.to_bits()).collect()
}

fn flat(data: Data) -> Vec<f64> {
    match data {
        Data::Flat(v) => v,
        Data::Rows(rows) => rows.concat(),
    }
}

/// Every elementwise loss: per-sample values, gradients and Hessians are the
/// per-point kernel's numbers (divided by n), in every mode of the slice API.
#[test]
fn slice_kernels_are_the_point_kernels_bit_for_bit() {
    let n = 2 * CHUNK + 123;
    for loss in elementwise_losses() {
        let (t, p) = pairs_in_domain(&loss, n);
        let e = loss
            .evaluate(
                &Data::Flat(t.clone()),
                &Data::Flat(p.clone()),
                None,
                Reduction::Mean,
            )
            .unwrap();
        let points: Vec<_> = t
            .iter()
            .zip(&p)
            .map(|(&y, &q)| loss.point(y, q).unwrap())
            .collect();
        let scale = n as f64;
        let name = loss.name();
        assert_eq!(
            bits(&e.per_sample),
            bits(&points.iter().map(|x| x.value).collect::<Vec<_>>()),
            "{name}"
        );
        let gradient: Vec<f64> = points.iter().map(|x| x.gradient / scale).collect();
        let hessian: Vec<f64> = points.iter().map(|x| x.hessian / scale).collect();
        assert_eq!(bits(&flat(e.gradient.clone())), bits(&gradient), "{name}");
        assert_eq!(bits(&e.hessian.clone().unwrap()), bits(&hessian), "{name}");

        assert_eq!(
            loss.value(&t, &p).unwrap().to_bits(),
            e.value.to_bits(),
            "{name}"
        );
        let (mut g, mut h) = (vec![0.0; n], vec![0.0; n]);
        let v = loss.value_and_gradient(&t, &p, &mut g).unwrap();
        assert_eq!(
            (v.to_bits(), bits(&g)),
            (e.value.to_bits(), bits(&gradient)),
            "{name}"
        );
        let v = loss.value_gradient_hessian(&t, &p, &mut g, &mut h).unwrap();
        assert_eq!(v.to_bits(), e.value.to_bits(), "{name}");
        assert_eq!(
            (bits(&g), bits(&h)),
            (bits(&gradient), bits(&hessian)),
            "{name}"
        );

        // The value is the compensated sum of the per-sample values.
        let sequential = compensated_sum(e.per_sample.iter().copied()) / scale;
        assert!(close(e.value, sequential, REL_SUMMATION, 1e-300), "{name}");
    }
}

/// Weights and every reduction: the weighted per-sample values, with zero
/// weights removing their samples, and the denominator of each reduction.
#[test]
fn weighted_reductions_match_evaluate() {
    let n = CHUNK + 77;
    let weights: Vec<f64> = (0..n).map(|i| (i % 5) as f64 * 0.5).collect();
    for loss in elementwise_losses() {
        let (t, p) = pairs_in_domain(&loss, n);
        for reduction in [Reduction::Mean, Reduction::Sum, Reduction::WeightedMean] {
            let e = loss
                .evaluate(
                    &Data::Flat(t.clone()),
                    &Data::Flat(p.clone()),
                    Some(&weights),
                    reduction,
                )
                .unwrap();
            let (mut per_sample, mut g) = (vec![0.0; n], vec![0.0; n]);
            let output = Output {
                per_sample: Some(&mut per_sample),
                gradient: Some(&mut g),
                hessian: None,
            };
            let r = loss
                .reduce(Input::new(&t, &p).weights(&weights), reduction, output)
                .unwrap();
            assert_eq!(r.value.to_bits(), e.value.to_bits(), "{}", loss.name());
            assert_eq!(bits(&per_sample), bits(&e.per_sample));
            assert_eq!(bits(&g), bits(&flat(e.gradient)));
            assert!(per_sample.iter().step_by(5).all(|&x| x == 0.0));
            let expected = match reduction {
                Reduction::Sum => 1.0,
                Reduction::Mean => n as f64,
                Reduction::WeightedMean => weights.iter().sum(),
            };
            assert_eq!(r.denominator, expected);
        }
    }
}

/// What a stream does: per-sample values arriving in batches of any size,
/// summed chunk by chunk with `ChunkSum` (a chunk split across batches is
/// fed in pieces) and merged in chunk order: the in-memory value, bit for
/// bit, and the same bits on one thread and on two.
#[test]
fn streamed_sums_and_thread_counts_give_the_same_bits() {
    let loss = Loss::new("log_cosh", &Params::new()).unwrap();
    let n = 5 * CHUNK + 999;
    let (t, p) = pairs_in_domain(&loss, n);
    let mut per_sample = vec![0.0; n];
    let output = Output {
        per_sample: Some(&mut per_sample),
        ..Output::default()
    };
    let in_memory = loss
        .reduce(Input::new(&t, &p), Reduction::Sum, output)
        .unwrap();
    for batch in [1000, CHUNK, 3 * CHUNK + 1, n] {
        let mut total = Neumaier::new();
        let mut open = ChunkSum::new();
        let mut filled = 0;
        for piece in per_sample.chunks(batch) {
            let mut rest = piece;
            while !rest.is_empty() {
                let take = (CHUNK - filled).min(rest.len());
                open.add_slice(&rest[..take]);
                filled += take;
                rest = &rest[take..];
                if filled == CHUNK {
                    total.merge(&open.total());
                    (open, filled) = (ChunkSum::new(), 0);
                }
            }
        }
        if filled > 0 {
            total.merge(&open.total());
        }
        assert_eq!(
            total.value().to_bits(),
            in_memory.value.to_bits(),
            "{batch}"
        );
    }
    for threads in [1, 2] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        let value = pool.install(|| loss.value(&t, &p).unwrap());
        assert_eq!(value.to_bits(), (in_memory.value / n as f64).to_bits());
    }
}

fn message(err: LossError) -> String {
    err.to_string()
}

/// The first invalid element of a later chunk, with the per-element error of
/// `evaluate`, from every entry point.
#[test]
fn the_first_invalid_element_is_found_in_any_chunk() {
    let n = 3 * CHUNK;
    let mse = Loss::new("mse", &Params::new()).unwrap();
    let (t, mut p) = (vec![0.5; n], vec![0.25; n]);
    p[2 * CHUNK + 7] = f64::INFINITY;
    p[CHUNK + 5] = f64::NAN;
    let want = format!(
        "prediction: index {} is NaN; every value must be a finite number",
        CHUNK + 5
    );
    assert_eq!(message(mse.value(&t, &p).unwrap_err()), want);
    let e = mse
        .evaluate(
            &Data::Flat(t.clone()),
            &Data::Flat(p),
            None,
            Reduction::Mean,
        )
        .unwrap_err();
    assert_eq!(message(e), want);

    let bce = Loss::new("bce", &Params::new()).unwrap();
    let mut q = vec![0.5; n];
    q[n - 1] = 1.5;
    let mut g = vec![0.0; n];
    let e = bce.value_and_gradient(&t, &q, &mut g).unwrap_err();
    let want = format!(
        "prediction: index {} is 1.5; probabilities must be in [0, 1]",
        n - 1
    );
    assert_eq!(message(e), want);

    // Hinge labels: {0, 1} in one chunk and −1 in another do not mix.
    let hinge = Loss::new("hinge", &Params::new()).unwrap();
    let mut labels = vec![1.0; n];
    labels[10] = 0.0;
    labels[2 * CHUNK] = -1.0;
    let e = hinge.value(&labels, &vec![0.5; n]).unwrap_err();
    let want = format!(
        "target: index {} is -1 but index 10 is 0; hinge labels must be all in {{-1, 1}} or all in {{0, 1}}",
        2 * CHUNK
    );
    assert_eq!(message(e), want);
    // {0, 1} alone is mapped to −1/1, as in `evaluate`.
    labels[2 * CHUNK] = 1.0;
    let zero_one = hinge.value(&labels, &vec![0.5; n]).unwrap();
    labels[10] = -1.0;
    assert_eq!(zero_one, hinge.value(&labels, &vec![0.5; n]).unwrap());
}

/// Row losses over rows packed one after another: the numbers of
/// `evaluate` on a matrix; shapes and outputs are checked.
#[test]
fn packed_rows_match_matrices() {
    let rows: Vec<Vec<f64>> = (0..CHUNK + 9)
        .map(|i| {
            let a = 0.1 + (i % 7) as f64 * 0.1;
            vec![a, 0.9 - a, 0.1]
        })
        .collect();
    let targets: Vec<Vec<f64>> = (0..rows.len())
        .map(|i| {
            let mut r = vec![0.0; 3];
            r[i % 3] = 1.0;
            r
        })
        .collect();
    for name in ["cce", "kl", "categorical_hinge", "jensen_shannon"] {
        let loss = Loss::new(name, &Params::new()).unwrap();
        let e = loss
            .evaluate(
                &Data::Rows(targets.clone()),
                &Data::Rows(rows.clone()),
                None,
                Reduction::Mean,
            )
            .unwrap();
        let (t, p) = (targets.concat(), rows.concat());
        let mut g = vec![0.0; p.len()];
        let output = Output {
            gradient: Some(&mut g),
            ..Output::default()
        };
        let r = loss
            .reduce(Input::new(&t, &p).rows(3), Reduction::Mean, output)
            .unwrap();
        assert_eq!(r.value.to_bits(), e.value.to_bits(), "{name}");
        assert_eq!(bits(&g), bits(&flat(e.gradient)), "{name}");
        assert_eq!(r.warnings, e.warnings, "{name}");
    }
    let scce = Loss::new("scce", &Params::new()).unwrap();
    let labels: Vec<f64> = (0..rows.len()).map(|i| (i % 3) as f64).collect();
    let e = scce
        .evaluate(
            &Data::Flat(labels.clone()),
            &Data::Rows(rows.clone()),
            None,
            Reduction::Sum,
        )
        .unwrap();
    let r = scce
        .reduce(
            Input::new(&labels, &rows.concat()).rows(3),
            Reduction::Sum,
            Output::default(),
        )
        .unwrap();
    assert_eq!(r.value.to_bits(), e.value.to_bits());

    let cce = Loss::new("cce", &Params::new()).unwrap();
    let err = cce
        .reduce(
            Input::new(&[1.0, 0.0, 0.0], &[0.5; 7]).rows(3),
            Reduction::Mean,
            Output::default(),
        )
        .unwrap_err();
    assert_eq!(
        message(err),
        "prediction: has 7 values, not a whole number of rows of 3"
    );
    let mut h = [0.0; 3];
    let output = Output {
        gradient: Some(&mut [0.0; 3]),
        hessian: Some(&mut h),
        ..Output::default()
    };
    let err = cce.reduce(
        Input::new(&[1.0, 0.0, 0.0], &[0.5; 3]),
        Reduction::Mean,
        output,
    );
    assert_eq!(
        message(err.unwrap_err()),
        "hessian: a row loss gives no Hessian here"
    );
}

#[test]
fn outputs_of_the_wrong_length_are_refused() {
    let mse = Loss::new("mse", &Params::new()).unwrap();
    let mut g = [0.0; 2];
    let err = mse
        .value_and_gradient(&[1.0; 3], &[2.0; 3], &mut g)
        .unwrap_err();
    assert_eq!(
        message(err),
        "gradient: has room for 2 values but the result has 3"
    );
    let output = Output {
        hessian: Some(&mut g),
        ..Output::default()
    };
    let err = mse.reduce(Input::new(&[1.0; 2], &[2.0; 2]), Reduction::Mean, output);
    assert_eq!(
        message(err.unwrap_err()),
        "hessian: is filled only together with the gradient"
    );
    let err = mse.value(&[], &[]).unwrap_err();
    assert_eq!(message(err), "target: is empty");
}

/// Values alone (the path where BCE from logits and log-cosh compute a block's values in
/// several loops): the per-sample values are the per-point kernel's, bit
/// for bit, with and without weights, for every form of BCE.
#[test]
fn values_alone_are_the_point_values_bit_for_bit() {
    use super::ParamValue;
    let n = CHUNK + 300;
    let forms: [(&str, &[(&str, ParamValue)]); 7] = [
        ("log_cosh", &[]),
        ("binary_cross_entropy", &[]),
        (
            "binary_cross_entropy",
            &[("label_smoothing", ParamValue::Number(0.1))],
        ),
        (
            "binary_cross_entropy",
            &[("from_logits", ParamValue::Bool(true))],
        ),
        (
            "binary_cross_entropy",
            &[
                ("from_logits", ParamValue::Bool(true)),
                ("label_smoothing", ParamValue::Number(0.2)),
            ],
        ),
        (
            "binary_cross_entropy",
            &[("epsilon", ParamValue::Number(1e-7))],
        ),
        ("mse", &[]),
    ];
    for (name, params) in forms {
        let params: Params = params
            .iter()
            .map(|(k, v)| ((*k).to_string(), v.clone()))
            .collect();
        let loss = Loss::new(name, &params).unwrap();
        let (t, mut p) = pairs_in_domain(&loss, n);
        // The edges of the domain too: probabilities 0 and 1, logits far out.
        p[7] = if loss.takes_probability() {
            0.0
        } else {
            -800.0
        };
        p[8] = if loss.takes_probability() { 1.0 } else { 800.0 };
        let Ok(_) = loss.value(&t, &p) else {
            continue;
        };
        let expected: Vec<f64> = t
            .iter()
            .zip(&p)
            .map(|(&y, &q)| loss.point(y, q).unwrap().value)
            .collect();
        let mut per_sample = vec![0.0; n];
        let out = Output {
            per_sample: Some(&mut per_sample),
            ..Output::default()
        };
        loss.reduce(Input::new(&t, &p), Reduction::Mean, out)
            .unwrap();
        assert_eq!(bits(&per_sample), bits(&expected), "{name} {params:?}");
        let weights: Vec<f64> = (0..n).map(|i| (i % 3) as f64).collect();
        let out = Output {
            per_sample: Some(&mut per_sample),
            ..Output::default()
        };
        let input = Input::new(&t, &p).weights(&weights);
        loss.reduce(input, Reduction::Sum, out).unwrap();
        let weighted: Vec<f64> = expected
            .iter()
            .zip(&weights)
            .map(|(&v, &w)| if w == 0.0 { 0.0 } else { v * w })
            .collect();
        assert_eq!(
            bits(&per_sample),
            bits(&weighted),
            "{name} {params:?} weighted"
        );
    }
}

/// Slices that start anywhere in a cache line (inputs and outputs each at
/// their own offset) and of any length, shorter than a group or a block or
/// ending anywhere past them: the slice kernels read and write exactly the
/// slices (the prefetches ahead of them and the blocks aligned on the
/// outputs change nothing), with the per-point numbers and the sum of a
/// stream's `ChunkSum`.
#[test]
fn unaligned_and_short_slices_give_the_point_numbers() {
    let lengths = [1, 2, 5, 7, 8, 9, 100, 255, 256, 257, 263, 1000, CHUNK + 17];
    for name in ["mse", "huber", "squared_hinge", "log_cosh"] {
        let loss = Loss::new(name, &Params::new()).unwrap();
        let longest = CHUNK + 17 + 16;
        let (t, p) = pairs_in_domain(&loss, longest);
        let (t, p) = if name == "squared_hinge" {
            // ±1 labels throughout (`pairs_in_domain` mixes 0/1 and −1).
            let t: Vec<f64> = (0..longest).map(|i| [1.0, -1.0][i % 2]).collect();
            (t, p)
        } else {
            (t, p)
        };
        for &n in &lengths {
            for (input_offset, output_offset) in [(0, 0), (1, 3), (3, 0), (5, 7), (7, 2)] {
                let (ts, ps) = (
                    &t[input_offset..input_offset + n],
                    &p[input_offset + 1..input_offset + 1 + n],
                );
                let (mut per_sample, mut gradient, mut hessian) =
                    (vec![7.0; n + 8], vec![7.0; n + 8], vec![7.0; n + 8]);
                let end = output_offset + n;
                let r = loss
                    .reduce(
                        Input::new(ts, ps),
                        Reduction::Sum,
                        Output {
                            per_sample: Some(&mut per_sample[output_offset..end]),
                            gradient: Some(&mut gradient[output_offset..end]),
                            hessian: Some(&mut hessian[output_offset..end]),
                        },
                    )
                    .unwrap();
                let here = format!("{name} n={n} offsets {input_offset}/{output_offset}");
                let points: Vec<_> = ts
                    .iter()
                    .zip(ps)
                    .map(|(&y, &yhat)| loss.point(y, yhat).unwrap())
                    .collect();
                let values: Vec<f64> = points.iter().map(|q| q.value).collect();
                let gradients: Vec<f64> = points.iter().map(|q| q.gradient).collect();
                let hessians: Vec<f64> = points.iter().map(|q| q.hessian).collect();
                assert_eq!(
                    bits(&per_sample[output_offset..end]),
                    bits(&values),
                    "{here}"
                );
                assert_eq!(
                    bits(&gradient[output_offset..end]),
                    bits(&gradients),
                    "{here}"
                );
                assert_eq!(
                    bits(&hessian[output_offset..end]),
                    bits(&hessians),
                    "{here}"
                );
                // Nothing written outside the output slices.
                for out in [&per_sample, &gradient, &hessian] {
                    assert!(out[..output_offset].iter().all(|&x| x == 7.0), "{here}");
                    assert!(out[end..].iter().all(|&x| x == 7.0), "{here}");
                }
                let mut total = Neumaier::new();
                for chunk in values.chunks(CHUNK) {
                    let mut sum = ChunkSum::new();
                    chunk.iter().for_each(|&x| sum.add(x));
                    total.merge(&sum.total());
                }
                assert_eq!(r.value.to_bits(), total.value().to_bits(), "{here}");
                // Values alone: the same sum.
                let alone = loss
                    .reduce(Input::new(ts, ps), Reduction::Sum, Output::default())
                    .unwrap();
                assert_eq!(alone.value.to_bits(), total.value().to_bits(), "{here}");
            }
        }
    }
}

/// Derivative arrays large enough to be written with non-temporal stores
/// (`slices::STREAM_STORES_FROM`), starting off a 16-byte boundary: every
/// number is the per-point one, nothing is written outside the slices, and
/// the value is that of the values alone.
#[test]
fn non_temporal_stores_write_the_point_numbers() {
    let n = STREAM_STORES_FROM + 13;
    for name in ["mse", "huber", "log_cosh"] {
        let loss = Loss::new(name, &Params::new()).unwrap();
        let (t, p) = pairs_in_domain(&loss, n);
        let (mut gradient, mut hessian) = (vec![7.0; n + 2], vec![7.0; n + 2]);
        let output = Output {
            gradient: Some(&mut gradient[1..=n]),
            hessian: Some(&mut hessian[1..=n]),
            ..Output::default()
        };
        let r = loss
            .reduce(Input::new(&t, &p), Reduction::Sum, output)
            .unwrap();
        for i in 0..n {
            let q = loss.point(t[i], p[i]).unwrap();
            assert_eq!(
                gradient[i + 1].to_bits(),
                q.gradient.to_bits(),
                "{name} {i}"
            );
            assert_eq!(hessian[i + 1].to_bits(), q.hessian.to_bits(), "{name} {i}");
        }
        for out in [&gradient, &hessian] {
            assert_eq!((out[0], out[n + 1]), (7.0, 7.0), "{name}");
        }
        let alone = loss
            .reduce(Input::new(&t, &p), Reduction::Sum, Output::default())
            .unwrap();
        assert_eq!(alone.value.to_bits(), r.value.to_bits(), "{name}");
    }
}
