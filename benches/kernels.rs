//! Criterion harness for the core's slice kernels through the public API, as
//! a report uses them (the mean): `value`, `value_gradient` and
//! `value_gradient_hessian` into arrays allocated once, for the losses of
//! `losslab bench`. `cargo bench --bench kernels` (one thread:
//! `RAYON_NUM_THREADS=1 cargo bench --bench kernels`). `losslab bench` gives
//! the same figures on 2^25 pairs without Criterion. The arrays are
//! [`HugeBuffer`]s, on huge pages where the system offers them, as in
//! `losslab bench` and as numpy's large arrays are.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use losslab::huge_buffer::HugeBuffer;
use losslab::loss::{Input, Loss, Output, ParamValue, Params, Reduction, Shape};

/// Pairs per iteration: 2^22 (64 MiB of inputs, past the caches).
const N: usize = 1 << 22;

/// Classes per row of the row losses.
const CLASSES: usize = 10;

/// Deterministic data inside each loss's domain.
fn data(name: &str, logits: bool) -> (Vec<f64>, Vec<f64>) {
    let u = |i: usize| ((i * 7919) % 1000) as f64 / 1000.0;
    let v = |i: usize| ((i * 104_729) % 2000) as f64 / 1000.0 - 1.0;
    match name {
        "kl" | "cce" => {
            // Rows of 10 probabilities summing to 1 (up to rounding).
            let row = |i: usize, k: usize| (1 + (i + 3 * k) % 10) as f64 / 55.0;
            let target = (0..N).map(|i| row(i / CLASSES, i % CLASSES)).collect();
            let prediction = (0..N).map(|i| row(i / CLASSES + 1, i % CLASSES)).collect();
            (target, prediction)
        }
        "bce" => (0..N)
            .map(|i| {
                let label = f64::from(u8::from(u(i) < 0.3));
                let q = if logits {
                    3.0 * v(i)
                } else {
                    (v(i) / 2.0 + 0.5).clamp(1e-6, 1.0 - 1e-6)
                };
                (label, q)
            })
            .unzip(),
        "squared_hinge" => (0..N)
            .map(|i| (if u(i) < 0.5 { -1.0 } else { 1.0 }, 3.0 * v(i)))
            .unzip(),
        _ => (0..N).map(|i| (u(i) * 2.0 - 1.0, 3.0 * v(i))).unzip(),
    }
}

fn kernels(c: &mut Criterion) {
    let mut group = c.benchmark_group("kernels");
    group.throughput(Throughput::Elements(N as u64));
    group.sample_size(10);
    let mut logits = Params::new();
    logits.insert("from_logits".into(), ParamValue::Bool(true));
    let cases = [
        ("mse", Params::new()),
        ("mae", Params::new()),
        ("huber", Params::new()),
        ("squared_hinge", Params::new()),
        ("log_cosh", Params::new()),
        ("bce", Params::new()),
        ("bce_logits", logits),
        ("kl", Params::new()),
        ("cce", Params::new()),
    ];
    let (mut gradient, mut hessian) = (HugeBuffer::zeroed(N), HugeBuffer::zeroed(N));
    for (label, params) in cases {
        let name = label.trim_end_matches("_logits");
        let loss = Loss::new(name, &params).expect("a catalogue loss");
        let (t, p) = data(name, label.ends_with("_logits"));
        let (t, p) = (HugeBuffer::from_slice(&t), HugeBuffer::from_slice(&p));
        let mut input = Input::new(&t, &p);
        if loss.shape() == Shape::Rows {
            input = input.rows(CLASSES);
        }
        group.bench_function(format!("{label}/value"), |b| {
            b.iter(|| black_box(loss.reduce(input, Reduction::Mean, Output::default())))
        });
        group.bench_function(format!("{label}/value_gradient"), |b| {
            b.iter(|| {
                let output = Output {
                    gradient: Some(&mut gradient),
                    ..Output::default()
                };
                black_box(loss.reduce(input, Reduction::Mean, output))
            })
        });
        if loss.shape() == Shape::Elementwise {
            group.bench_function(format!("{label}/value_gradient_hessian"), |b| {
                b.iter(|| {
                    let output = Output {
                        gradient: Some(&mut gradient),
                        hessian: Some(&mut hessian),
                        ..Output::default()
                    };
                    black_box(loss.reduce(input, Reduction::Mean, output))
                })
            });
        }
    }
    group.finish();
}

criterion_group!(benches, kernels);
criterion_main!(benches);
