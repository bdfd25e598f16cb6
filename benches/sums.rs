//! What the exact sum costs against the core's compensated sum:
//! `ChunkSum` (compensated, 8 lanes) and `ExactSum` (superaccumulator) over
//! 2^22 values of many magnitudes, and a loss accumulated over batches of
//! 8192 pairs (as a DataFusion aggregate sees them) with each sum.
//! `cargo bench --bench sums`.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use losslab::loss::{ChunkSum, ExactSum, Loss, LossAccumulator, Params, Summation};

const N: usize = 1 << 22;

/// Batch size of DataFusion's scans.
const BATCH: usize = 8192;

fn sums(c: &mut Criterion) {
    let values: Vec<f64> = (0..N)
        .map(|i| (i as f64 * 0.37).sin() * 10f64.powi((i % 31) as i32 - 15))
        .collect();
    let target: Vec<f64> = (0..N).map(|i| (i as f64 * 0.7).sin()).collect();
    let prediction: Vec<f64> = (0..N).map(|i| (i as f64 * 1.3).cos()).collect();
    let mut group = c.benchmark_group("sums");
    group.sample_size(10);
    group.throughput(Throughput::Elements(N as u64));
    group.bench_function("chunk_sum", |b| {
        b.iter(|| {
            let mut sum = ChunkSum::new();
            sum.add_slice(black_box(&values));
            sum.total().value()
        })
    });
    group.bench_function("exact_sum", |b| {
        b.iter(|| {
            let mut sum = ExactSum::new();
            sum.add_slice(black_box(&values));
            sum.value()
        })
    });
    let huber = Loss::new("huber", &Params::new()).unwrap();
    for (name, summation) in [
        ("huber_batches_compensated", Summation::Compensated),
        ("huber_batches_exact", Summation::Exact),
    ] {
        group.bench_function(name, |b| {
            b.iter(|| {
                let mut acc = LossAccumulator::new(huber.clone(), summation).unwrap();
                for (t, p) in target.chunks(BATCH).zip(prediction.chunks(BATCH)) {
                    acc.add(black_box(t), black_box(p)).unwrap();
                }
                acc.mean()
            })
        });
    }
    group.finish();
}

criterion_group!(benches, sums);
criterion_main!(benches);
