//! Criterion harness for the core's kernels through the public API:
//! `Loss::evaluate` (value, per-sample values, gradient, Hessian) and
//! `Loss::point` summed over the data. `cargo bench --bench kernels`.
//! (`losslab bench` gives the same figures on 2^25 pairs without Criterion.)

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use losslab::loss::{Data, Loss, ParamValue, Params, Reduction};

/// Pairs per iteration: 2^22 (64 MiB of inputs, past the caches).
const N: usize = 1 << 22;

fn data(labels: bool) -> (Vec<f64>, Vec<f64>) {
    (0..N)
        .map(|i| {
            let u = ((i * 7919) % 1000) as f64 / 1000.0;
            let v = ((i * 104_729) % 2000) as f64 / 1000.0 - 1.0;
            if labels {
                (
                    f64::from(u8::from(u < 0.3)),
                    (v / 2.0 + 0.5).clamp(1e-6, 1.0 - 1e-6),
                )
            } else {
                (u * 2.0 - 1.0, v * 3.0)
            }
        })
        .unzip()
}

fn kernels(c: &mut Criterion) {
    let mut group = c.benchmark_group("kernels");
    group.throughput(Throughput::Elements(N as u64));
    group.sample_size(10);
    let mut logits = Params::new();
    logits.insert("from_logits".into(), ParamValue::Bool(true));
    let cases = [
        ("mse", Params::new(), false),
        ("mae", Params::new(), false),
        ("huber", Params::new(), false),
        ("log_cosh", Params::new(), false),
        ("bce", Params::new(), true),
        ("bce_logits", logits, true),
    ];
    for (label, params, labels) in cases {
        let name = label.trim_end_matches("_logits");
        let loss = Loss::new(name, &params).expect("a catalogue loss");
        let (t, p) = data(labels);
        let (target, prediction) = (Data::Flat(t.clone()), Data::Flat(p.clone()));
        group.bench_function(format!("{label}/evaluate"), |b| {
            b.iter(|| loss.evaluate(&target, &prediction, None, Reduction::Mean))
        });
        group.bench_function(format!("{label}/point"), |b| {
            b.iter(|| {
                t.iter()
                    .zip(&p)
                    .filter_map(|(&y, &q)| loss.point(y, q))
                    .map(|pt| pt.value)
                    .sum::<f64>()
            })
        });
    }
    group.finish();
}

criterion_group!(benches, kernels);
criterion_main!(benches);
