//! Benchmark of the comparison statistics at the scale issue 9 asks for:
//! 1,000,000 rows × 3 models × 5 losses, 1,000 bootstrap resamples and as
//! many sign flips.
//!
//! ```text
//! cargo build --release --example compare_stats
//! /usr/bin/time -v target/release/examples/compare_stats [ROWS] [RESAMPLES] [THREADS]
//! ```
//!
//! Prints the wall time of each stage; run it under `/usr/bin/time -v` for
//! CPU time and peak memory (maximum resident set size).

use std::time::Instant;

use losslab::loss::{Data, Loss, ParamValue, Params, Reduction};
use losslab::stats::{compare, ComparisonSettings, LossLabel, PairedLosses};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

fn argument(position: usize, default: usize) -> usize {
    std::env::args()
        .nth(position)
        .and_then(|a| a.parse().ok())
        .unwrap_or(default)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let rows = argument(1, 1_000_000);
    let resamples = argument(2, 1000);
    let threads = argument(3, 0);
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build_global()?;

    // Three regression models: unbiased with gross errors, biased and tight, noisy.
    let start = Instant::now();
    let mut rng = ChaCha8Rng::seed_from_u64(2026);
    let target: Vec<f64> = (0..rows).map(|_| rng.random::<f64>() * 10.0).collect();
    let noise = |rng: &mut ChaCha8Rng| rng.random::<f64>() - 0.5;
    let models: Vec<(String, Vec<f64>)> = vec![
        (
            "gross".into(),
            target
                .iter()
                .map(|&y| {
                    let e = if rng.random::<f64>() < 0.01 {
                        20.0
                    } else {
                        0.3 * noise(&mut rng)
                    };
                    y + e
                })
                .collect(),
        ),
        (
            "biased".into(),
            target
                .iter()
                .map(|&y| y + 0.4 + 0.2 * noise(&mut rng))
                .collect(),
        ),
        (
            "noisy".into(),
            target.iter().map(|&y| y + 2.0 * noise(&mut rng)).collect(),
        ),
    ];
    let with = |name: &str, key: &str, value: f64| {
        let params = Params::from([(key.to_string(), ParamValue::Number(value))]);
        (name.to_string(), params)
    };
    let losses: Vec<(String, Params)> = vec![
        ("mse".into(), Params::new()),
        ("mae".into(), Params::new()),
        with("huber", "delta", 1.0),
        ("log_cosh".into(), Params::new()),
        with("quantile", "tau", 0.9),
    ];
    let mut per_sample = Vec::new();
    for (name, params) in &losses {
        let loss = Loss::new(name, params)?;
        let mut by_model = Vec::new();
        for (_, prediction) in &models {
            let y = Data::Flat(target.clone());
            let yhat = Data::Flat(prediction.clone());
            by_model.push(loss.evaluate(&y, &yhat, None, Reduction::Mean)?.per_sample);
        }
        per_sample.push(by_model);
    }
    let labels = losses
        .iter()
        .map(|(name, params)| LossLabel::with_params(name, params.clone()))
        .collect();
    let names = models.iter().map(|(name, _)| name.clone()).collect();
    drop(models);
    drop(target);
    let paired = PairedLosses::new(names, labels, per_sample)?;
    eprintln!(
        "data and per-sample losses: {:.2} s",
        start.elapsed().as_secs_f64()
    );

    let start = Instant::now();
    let settings = ComparisonSettings {
        resamples,
        seed: 7,
        ..ComparisonSettings::default()
    };
    let stats = compare(&paired, &settings)?;
    eprintln!(
        "compare ({rows} rows, {resamples} resamples, {} threads): {:.2} s",
        rayon::current_num_threads(),
        start.elapsed().as_secs_f64()
    );
    println!("{}", serde_json::to_string_pretty(&stats)?);
    Ok(())
}
