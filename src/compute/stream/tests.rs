//! The streamed result equals the in-memory one, bit for bit, whatever the
//! batch size (against the core's chunk of 4096) and the thread count, for
//! every loss of a pass at once; bad data is refused for the same reason.

use super::*;
use crate::io::MemorySource;
use crate::loss::{Data, ParamValue, Params};

/// One in-memory source per column.
fn sources(columns: &[&[f64]]) -> Vec<Box<dyn BatchSource>> {
    columns
        .iter()
        .map(|c| Box::new(MemorySource::new(&Data::Flat(c.to_vec()))) as Box<dyn BatchSource>)
        .collect()
}

/// Run `work` on a pool of `threads` threads, with batches of `batch_rows`
/// rows and `threads + 1` of them in flight.
pub(super) fn on_pool<R: Send>(
    threads: usize,
    batch_rows: usize,
    work: impl FnOnce(StreamOptions) -> R + Send,
) -> R {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap();
    let options = StreamOptions {
        batch_rows,
        batches_in_flight: threads + 1,
    };
    pool.install(|| work(options))
}

pub(super) fn pick(source: usize) -> Pick {
    Pick {
        source,
        selection: 0,
    }
}

fn loss(name: &str, params: &[(&str, f64)]) -> Loss {
    let params: Params = params
        .iter()
        .map(|(k, v)| (k.to_string(), ParamValue::Number(*v)))
        .collect();
    Loss::new(name, &params).unwrap()
}

/// Columns that make naive and compensated sums differ: 0 regression
/// targets, 1 predictions, 2 weights (with zeros), 3 binary labels,
/// 4 probabilities, 5 labels ±1.
fn columns(n: usize) -> Vec<Vec<f64>> {
    let target = (0..n).map(|i| ((i * 7919) % 1000) as f64 / 997.0).collect();
    let prediction = (0..n)
        .map(|i| {
            if i % 97 == 0 {
                1e7 + i as f64
            } else {
                (i as f64).sin() * 1e-3
            }
        })
        .collect();
    let weights = (0..n).map(|i| ((i % 5) as f64) * 0.3).collect();
    let labels: Vec<f64> = (0..n).map(|i| ((i * 31) % 7 < 3) as u8 as f64).collect();
    let probabilities = (0..n)
        .map(|i| ((i * 7919) % 10_007) as f64 / 10_007.0)
        .collect();
    let signs = labels.iter().map(|&y| 2.0 * y - 1.0).collect();
    vec![target, prediction, weights, labels, probabilities, signs]
}

/// Every job's value, per-sample values, gradients and Hessians, streamed.
type Streamed = Vec<(f64, Vec<f64>, Vec<f64>, Vec<f64>)>;

fn streamed(
    jobs: &[Job],
    data: &[&[f64]],
    reduction: Reduction,
    options: StreamOptions,
) -> Streamed {
    let ones = vec![1.0; jobs.len()];
    let totals = run_pass(jobs, &mut sources(data), &ones, Need::Sums, options, |_| {
        Ok(())
    })
    .unwrap();
    let mut out = Vec::new();
    for (k, job) in jobs.iter().enumerate() {
        let (value, denominator, _) = reduce(&totals[k], reduction);
        let (mut per_sample, mut gradient, mut hessian) = (Vec::new(), Vec::new(), Vec::new());
        let one = std::slice::from_ref(job);
        run_pass(
            one,
            &mut sources(data),
            &[denominator],
            Need::Samples,
            options,
            |b| {
                assert_eq!(b.first_row as usize, per_sample.len());
                per_sample.extend_from_slice(&b.losses[0].per_sample);
                gradient.extend_from_slice(&b.losses[0].gradient);
                hessian.extend_from_slice(&b.losses[0].hessian);
                Ok(())
            },
        )
        .unwrap();
        out.push((value, per_sample, gradient, hessian));
    }
    out
}

#[test]
fn streamed_equals_in_memory_bit_for_bit() {
    let n = 3 * 4096 + 1234;
    let data = columns(n);
    let data: Vec<&[f64]> = data.iter().map(Vec::as_slice).collect();
    // (loss, target column, prediction column)
    let cases = [
        (loss("mse", &[]), 0, 1),
        (loss("mae", &[]), 0, 1),
        (loss("huber", &[("delta", 0.5)]), 0, 1),
        (loss("log_cosh", &[]), 0, 1),
        (loss("quantile", &[("tau", 0.9)]), 0, 1),
        (loss("bce", &[]), 3, 4),
        (loss("bce", &[]), 4, 4),
        (loss("hinge", &[]), 3, 1),
        (loss("squared_hinge", &[]), 5, 1),
    ];
    for weighted in [false, true] {
        let jobs: Vec<Job> = cases
            .iter()
            .map(|(loss, t, p)| Job {
                loss: loss.clone(),
                target: pick(*t),
                prediction: pick(*p),
                weights: weighted.then(|| pick(2)),
            })
            .collect();
        for reduction in [Reduction::Mean, Reduction::Sum, Reduction::WeightedMean] {
            let expected: Vec<_> = cases
                .iter()
                .map(|(loss, t, p)| {
                    loss.evaluate(
                        &Data::Flat(data[*t].to_vec()),
                        &Data::Flat(data[*p].to_vec()),
                        weighted.then_some(data[2]),
                        reduction,
                    )
                    .unwrap()
                })
                .collect();
            for batch_rows in [1000, 4095, 4096, 4097, 5000, 1 << 16] {
                for threads in [1, 2, 3] {
                    let got = on_pool(threads, batch_rows, |options| {
                        streamed(&jobs, &data, reduction, options)
                    });
                    for ((job, expected), (value, per_sample, gradient, hessian)) in
                        jobs.iter().zip(&expected).zip(&got)
                    {
                        let case = format!(
                            "{} {reduction:?} weighted {weighted}, {batch_rows} rows, {threads} threads",
                            job.loss.name()
                        );
                        let Data::Flat(expected_gradient) = &expected.gradient else {
                            unreachable!()
                        };
                        assert_eq!(value.to_bits(), expected.value.to_bits(), "{case}");
                        assert_eq!(per_sample, &expected.per_sample, "{case}");
                        assert_eq!(gradient, expected_gradient, "{case}");
                        assert_eq!(Some(hessian), expected.hessian.as_ref(), "{case}");
                    }
                }
            }
        }
    }
}

#[test]
fn the_compensated_sum_is_not_the_naive_one_here() {
    // Guards the test above: on these data the order of additions matters.
    let data = columns(3 * 4096 + 1234);
    let e = loss("mse", &[])
        .evaluate(
            &Data::Flat(data[0].clone()),
            &Data::Flat(data[1].clone()),
            None,
            Reduction::Sum,
        )
        .unwrap();
    let naive: f64 = e.per_sample.iter().sum();
    assert_ne!(naive.to_bits(), e.value.to_bits());
}

/// The streamed error of bad data, and the in-memory one in its words
/// ("sample" for the core's "index").
fn both_errors(loss: &Loss, t: &[f64], p: &[f64], w: Option<&[f64]>) -> Vec<(String, String)> {
    let in_memory = loss
        .evaluate(
            &Data::Flat(t.to_vec()),
            &Data::Flat(p.to_vec()),
            w,
            Reduction::Mean,
        )
        .unwrap_err()
        .to_string()
        .replace("index", "sample");
    let mut columns = vec![t, p];
    columns.extend(w);
    let job = Job {
        loss: loss.clone(),
        target: pick(0),
        prediction: pick(1),
        weights: w.map(|_| pick(2)),
    };
    let mut found = Vec::new();
    for batch_rows in [1, 1000, 4096, 1 << 16] {
        for threads in [1, 2] {
            let err = on_pool(threads, batch_rows, |options| {
                run_pass(
                    std::slice::from_ref(&job),
                    &mut sources(&columns),
                    &[1.0],
                    Need::Sums,
                    options,
                    |_| Ok(()),
                )
            })
            .unwrap_err();
            found.push((err.to_string(), in_memory.clone()));
        }
    }
    found
}

#[test]
fn bad_data_is_refused_for_the_reason_an_in_memory_evaluation_gives() {
    let n = 10_000;
    let mut p = vec![0.5; n];
    p[9_001] = 1.5;
    let ones = vec![1.0; n];
    let mut cases = vec![(loss("bce", &[]), ones.clone(), p.clone(), None)];
    // Labels 0 and 1 early, −1 late: refused as a mix even though no batch mixes them.
    let mut labels = vec![1.0; n];
    labels[3] = 0.0;
    labels[9_000] = -1.0;
    let mut scores = vec![0.25; n];
    scores[5] = f64::NAN;
    cases.push((loss("hinge", &[]), labels.clone(), scores.clone(), None));
    // A label that is none of −1, 0, 1 comes before the mix, even later.
    labels[9_500] = 2.0;
    cases.push((loss("hinge", &[]), labels, scores, None));
    // Every weight is checked before any sample.
    let mut weights = vec![1.0; n];
    weights[8_000] = -1.0;
    cases.push((loss("bce", &[]), ones.clone(), p, Some(weights)));
    for (loss, t, p, w) in &cases {
        for (streamed, in_memory) in both_errors(loss, t, p, w.as_deref()) {
            assert_eq!(streamed, in_memory, "{}", loss.name());
        }
    }
    assert_eq!(
        both_errors(&cases[1].0, &cases[1].1, &cases[1].2, None)[0].0,
        "target: sample 9000 is -1 but sample 3 is 0; hinge labels must be all in {-1, 1} or all in {0, 1}"
    );
}

#[test]
fn labels_zero_one_and_signed_give_the_same_hinge_values() {
    let data = columns(9_000);
    let job = |t| Job {
        loss: loss("hinge", &[]),
        target: pick(t),
        prediction: pick(1),
        weights: None,
    };
    let data: Vec<&[f64]> = data.iter().map(Vec::as_slice).collect();
    let options = StreamOptions {
        batch_rows: 1000,
        batches_in_flight: 2,
    };
    let got = streamed(&[job(3), job(5)], &data, Reduction::Mean, options);
    assert_eq!(got[0], got[1]);
}

#[test]
fn inputs_of_different_lengths_are_refused() {
    let options = StreamOptions {
        batch_rows: 3,
        batches_in_flight: 2,
    };
    let job = Job {
        loss: loss("mse", &[]),
        target: pick(0),
        prediction: pick(1),
        weights: None,
    };
    let err = run_pass(
        &[job],
        &mut sources(&[&[1.0; 7], &[1.0; 5]]),
        &[1.0],
        Need::Sums,
        options,
        |_| Ok(()),
    )
    .unwrap_err();
    assert_eq!(err.to_string(), "source 1 has 5 rows but source 0 has 7");
}

/// A CSV file of `data`'s columns (shortest round-trip numbers), header `c0,c1,…`.
fn csv_file(data: &[&[f64]]) -> tempfile::NamedTempFile {
    use std::io::Write;
    let mut file = tempfile::Builder::new().suffix(".csv").tempfile().unwrap();
    let mut text = (0..data.len())
        .map(|c| format!("c{c}"))
        .collect::<Vec<_>>()
        .join(",");
    text.push('\n');
    for i in 0..data[0].len() {
        let row: Vec<String> = data.iter().map(|c| format!("{:?}", c[i])).collect();
        text.push_str(&row.join(","));
        text.push('\n');
    }
    file.write_all(text.as_bytes()).unwrap();
    file
}

/// Every job's value over `path` read in batches of `batch_rows` on `threads` threads.
fn streamed_csv(
    jobs: &[Job],
    path: &std::path::Path,
    selections: &[crate::io::Columns],
    (batch_rows, threads): (usize, usize),
) -> Result<Vec<f64>, String> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap();
    let options = StreamOptions {
        batch_rows,
        batches_in_flight: 2 * threads,
    };
    let source = crate::io::open(
        path,
        crate::io::Format::Csv,
        selections,
        crate::io::Header::Detect,
    )
    .map_err(|e| e.to_string())?;
    let ones = vec![1.0; jobs.len()];
    let totals = pool
        .install(|| run_pass(jobs, &mut [source], &ones, Need::Sums, options, |_| Ok(())))
        .map_err(|e| e.to_string())?;
    Ok(totals
        .iter()
        .map(|t| reduce(t, Reduction::Mean).0)
        .collect())
}

#[test]
fn a_csv_file_parsed_on_every_thread_gives_the_in_memory_bits() {
    let n = 5 * 4096 + 777;
    let data = columns(n);
    let data: Vec<&[f64]> = data.iter().map(Vec::as_slice).collect();
    let file = csv_file(&data[..5]);
    let selections: Vec<crate::io::Columns> = (0..5)
        .map(|c| crate::io::Columns::Named(format!("c{c}")))
        .collect();
    let job = |loss: Loss, t: usize, p: usize| Job {
        loss,
        target: Pick {
            source: 0,
            selection: t,
        },
        prediction: Pick {
            source: 0,
            selection: p,
        },
        weights: None,
    };
    let jobs = [
        job(loss("mse", &[]), 0, 1),
        job(loss("mae", &[]), 0, 1),
        job(loss("huber", &[]), 0, 1),
        job(loss("bce", &[]), 3, 4),
    ];
    let expected: Vec<u64> = [(0, 1), (0, 1), (0, 1), (3, 4)]
        .iter()
        .zip(&jobs)
        .map(|(&(t, p), job)| {
            let e = job
                .loss
                .evaluate(
                    &Data::Flat(data[t].to_vec()),
                    &Data::Flat(data[p].to_vec()),
                    None,
                    Reduction::Mean,
                )
                .unwrap();
            e.value.to_bits()
        })
        .collect();
    for batch_rows in [1, 999, 4096, 5000, 1 << 15] {
        for threads in [1, 2, 4] {
            let got = streamed_csv(&jobs, file.path(), &selections, (batch_rows, threads)).unwrap();
            let got: Vec<u64> = got.iter().map(|x| x.to_bits()).collect();
            assert_eq!(got, expected, "{batch_rows} rows, {threads} threads");
        }
    }
}

#[test]
fn a_bad_cell_deep_in_a_csv_file_is_named_whatever_the_batches() {
    let n = 3 * 4096;
    let data = columns(n);
    let data: Vec<&[f64]> = data.iter().map(Vec::as_slice).collect();
    let file = csv_file(&data[..2]);
    let text = std::fs::read_to_string(file.path()).unwrap();
    // Sample 9000 is line 9002 (after the header); its prediction becomes text.
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    lines[9001] = format!("{:?},high", data[0][9000]);
    std::fs::write(file.path(), lines.join("\n") + "\n").unwrap();
    let selections = [
        crate::io::Columns::Named("c0".into()),
        crate::io::Columns::Named("c1".into()),
    ];
    let jobs = [Job {
        loss: loss("mse", &[]),
        target: Pick {
            source: 0,
            selection: 0,
        },
        prediction: Pick {
            source: 0,
            selection: 1,
        },
        weights: None,
    }];
    for batch_rows in [7, 4096, 1 << 15] {
        for threads in [1, 3] {
            let err =
                streamed_csv(&jobs, file.path(), &selections, (batch_rows, threads)).unwrap_err();
            assert_eq!(
                err, "source 0: line 9002 (sample 9000), column `c1`: `high` is not a number",
                "{batch_rows} rows, {threads} threads"
            );
        }
    }
}

/// Two files read side by side are cut by rows (a file read alone is cut by
/// size): the values are the in-memory ones all the same, and a file with
/// empty lines, quotes and carriage returns in some blocks is read alone as
/// in memory too.
#[test]
fn files_read_side_by_side_or_alone_give_the_in_memory_bits() {
    let n = 2 * 4096 + 333;
    let data = columns(n);
    let (target, prediction) = (&data[0], &data[1]);
    let job = |source_of_prediction: usize| Job {
        loss: loss("huber", &[]),
        target: Pick {
            source: 0,
            selection: 0,
        },
        prediction: Pick {
            source: source_of_prediction,
            selection: usize::from(source_of_prediction == 0),
        },
        weights: None,
    };
    let expected = job(0)
        .loss
        .evaluate(
            &Data::Flat(target.clone()),
            &Data::Flat(prediction.clone()),
            None,
            Reduction::Mean,
        )
        .unwrap()
        .value
        .to_bits();
    let (left, right) = (csv_file(&[target]), csv_file(&[prediction]));
    let c0 = [crate::io::Columns::Named("c0".into())];
    // One file, with an empty line every 1000 rows, a quoted cell and `\r\n`
    // line ends in the second half.
    let both = csv_file(&[target, prediction]);
    let text = std::fs::read_to_string(both.path()).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    lines[5000] = format!("\"{}\",{:?}", target[4999], prediction[4999]);
    let mut edited = String::new();
    for (i, line) in lines.iter().enumerate() {
        edited.push_str(line);
        edited.push_str(if i > n / 2 { "\r\n" } else { "\n" });
        if i % 1000 == 999 {
            edited.push('\n');
        }
    }
    std::fs::write(both.path(), edited).unwrap();
    let c01 = [
        crate::io::Columns::Named("c0".into()),
        crate::io::Columns::Named("c1".into()),
    ];
    for batch_rows in [1, 777, 4096, 1 << 15] {
        for threads in [1, 3] {
            let options = StreamOptions {
                batch_rows,
                batches_in_flight: 2 * threads,
            };
            let open = |path: &std::path::Path, columns: &[crate::io::Columns]| {
                crate::io::open(
                    path,
                    crate::io::Format::Csv,
                    columns,
                    crate::io::Header::Detect,
                )
                .unwrap()
            };
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            let run = |jobs: &[Job], sources: &mut [Box<dyn BatchSource>]| {
                let totals = pool
                    .install(|| run_pass(jobs, sources, &[1.0], Need::Sums, options, |_| Ok(())))
                    .unwrap();
                assert_eq!(totals[0].samples, n as u64);
                reduce(&totals[0], Reduction::Mean).0.to_bits()
            };
            let side_by_side = run(
                &[job(1)],
                &mut [open(left.path(), &c0), open(right.path(), &c0)],
            );
            let alone = run(&[job(0)], &mut [open(both.path(), &c01)]);
            assert_eq!(
                (side_by_side, alone),
                (expected, expected),
                "{batch_rows} rows, {threads} threads"
            );
        }
    }
}
