//! `losslab bench`: how fast the core evaluates each loss, through its
//! public API, on generated float64 data larger than the caches.
//!
//! Two modes are timed: `evaluate` ([`Loss::evaluate`]: value, per-sample
//! values, gradient and Hessian into fresh arrays, on the thread pool) and
//! `point` ([`Loss::point`] per pair, summing the values: no arrays). Each
//! figure is the median of several runs; the data are generated once, with a
//! fixed seed, inside each loss's domain.

use std::io::Write;
use std::time::Instant;

use anyhow::{bail, Context, Result};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;

use crate::loss::{Data, Loss, ParamValue, Params, Reduction, Shape};

#[derive(Debug, clap::Args)]
pub struct BenchArgs {
    /// A loss to time (repeatable; default: a representative set).
    #[arg(long = "loss", value_name = "NAME")]
    pub losses: Vec<String>,
    /// Pairs per run (2^25 by default: 512 MiB of inputs, larger than any cache).
    #[arg(long, default_value_t = 1 << 25)]
    pub n: usize,
    /// Worker threads.
    #[arg(long, default_value_t = 1)]
    pub threads: usize,
    /// Runs per figure; the median is reported.
    #[arg(long, default_value_t = 5)]
    pub runs: usize,
    /// One JSON object per loss and mode, one per line.
    #[arg(long)]
    pub json: bool,
}

/// The losses timed by default: `(name, parameters)`.
const DEFAULT_LOSSES: &[(&str, &[(&str, ParamValue)])] = &[
    ("mse", &[]),
    ("mae", &[]),
    ("huber", &[]),
    ("squared_hinge", &[]),
    ("log_cosh", &[]),
    ("binary_cross_entropy", &[]),
    (
        "binary_cross_entropy",
        &[("from_logits", ParamValue::Bool(true))],
    ),
    ("kl_divergence", &[]),
    ("categorical_cross_entropy", &[]),
];

/// Classes per row for row losses.
const CLASSES: usize = 10;

/// Most pairs a run may take (about 4 GiB of inputs and outputs).
const MAX_N: usize = 1 << 27;

/// One timing.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Timing {
    pub loss: String,
    pub mode: &'static str,
    pub n: usize,
    pub threads: usize,
    pub seconds: f64,
    pub elements_per_second: f64,
}

pub fn run(args: &BenchArgs) -> Result<()> {
    if args.n == 0 || args.n > MAX_N {
        bail!("--n must be between 1 and {MAX_N}, got {}", args.n);
    }
    if args.threads == 0 || args.runs == 0 {
        bail!("--threads and --runs must be at least 1");
    }
    let losses: Vec<Loss> = if args.losses.is_empty() {
        DEFAULT_LOSSES
            .iter()
            .map(|(name, params)| {
                let params: Params = params
                    .iter()
                    .map(|(k, v)| ((*k).to_string(), v.clone()))
                    .collect();
                Loss::new(name, &params)
            })
            .collect::<Result<_, _>>()?
    } else {
        args.losses
            .iter()
            .map(|name| Loss::new(name, &Params::new()).map_err(|e| anyhow::anyhow!("--loss: {e}")))
            .collect::<Result<_>>()?
    };
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(args.threads)
        .build()
        .context("cannot start the worker threads")?;
    let mut out = std::io::stdout().lock();
    if !args.json {
        writeln!(
            out,
            "{:<34} {:<9} {:>10} {:>7} {:>9} {:>12}",
            "loss", "mode", "n", "threads", "seconds", "M pairs/s"
        )?;
    }
    for loss in &losses {
        for timing in pool.install(|| time_loss(loss, args))? {
            if args.json {
                writeln!(out, "{}", serde_json::to_string(&timing)?)?;
            } else {
                writeln!(
                    out,
                    "{:<34} {:<9} {:>10} {:>7} {:>9.4} {:>12.1}",
                    label(loss),
                    timing.mode,
                    timing.n,
                    timing.threads,
                    timing.seconds,
                    timing.elements_per_second / 1e6
                )?;
            }
        }
    }
    Ok(())
}

/// The loss's name, with `from_logits` when set (two BCE kernels).
fn label(loss: &Loss) -> String {
    match loss.params().get("from_logits") {
        Some(ParamValue::Bool(true)) => format!("{} (logits)", loss.name()),
        _ => loss.name().to_string(),
    }
}

/// Inputs inside the loss's domain: labels and probabilities for
/// cross-entropies, ±1 labels for hinges, probability rows for row losses.
fn inputs(loss: &Loss, n: usize) -> (Data, Data) {
    let mut rng = ChaCha8Rng::seed_from_u64(2026);
    let name = loss.name();
    let logits = matches!(
        loss.params().get("from_logits"),
        Some(ParamValue::Bool(true))
    );
    if loss.shape() == Shape::Rows {
        let rows = (n / CLASSES).max(1);
        let row = |rng: &mut ChaCha8Rng| {
            let raw: Vec<f64> = (0..CLASSES).map(|_| rng.random_range(0.01..1.0)).collect();
            let total: f64 = raw.iter().sum();
            raw.iter().map(|x| x / total).collect::<Vec<f64>>()
        };
        let target = (0..rows).map(|_| row(&mut rng)).collect();
        let prediction = (0..rows).map(|_| row(&mut rng)).collect();
        return (Data::Rows(target), Data::Rows(prediction));
    }
    let (target, prediction): (Vec<f64>, Vec<f64>) = (0..n)
        .map(|_| {
            let u: f64 = rng.random_range(0.0..1.0);
            let v: f64 = rng.random_range(-3.0..3.0);
            match name {
                "binary_cross_entropy" if logits => (f64::from(u8::from(u < 0.3)), v),
                "binary_cross_entropy" => (
                    f64::from(u8::from(u < 0.3)),
                    (v / 6.0 + 0.5).clamp(1e-6, 1.0 - 1e-6),
                ),
                "hinge" | "squared_hinge" => (if u < 0.5 { -1.0 } else { 1.0 }, v),
                "poisson" | "msle" => (u * 5.0, (v + 3.0) / 2.0),
                _ => (u * 2.0 - 1.0, v),
            }
        })
        .unzip();
    (Data::Flat(target), Data::Flat(prediction))
}

fn median(mut seconds: Vec<f64>) -> f64 {
    seconds.sort_by(f64::total_cmp);
    seconds[seconds.len() / 2]
}

fn time_loss(loss: &Loss, args: &BenchArgs) -> Result<Vec<Timing>> {
    let (target, prediction) = inputs(loss, args.n);
    let pairs = match &prediction {
        Data::Flat(values) => values.len(),
        Data::Rows(rows) => rows.len() * CLASSES,
    };
    let timing = |mode, seconds: f64| Timing {
        loss: label(loss),
        mode,
        n: pairs,
        threads: args.threads,
        seconds,
        elements_per_second: pairs as f64 / seconds,
    };
    let mut evaluate = Vec::with_capacity(args.runs);
    for _ in 0..args.runs {
        let start = Instant::now();
        let evaluation = loss.evaluate(&target, &prediction, None, Reduction::Mean)?;
        evaluate.push(start.elapsed().as_secs_f64());
        std::hint::black_box(evaluation);
    }
    let mut timings = vec![timing("evaluate", median(evaluate))];
    if let (Data::Flat(t), Data::Flat(p)) = (&target, &prediction) {
        let mut point = Vec::with_capacity(args.runs);
        for _ in 0..args.runs {
            let start = Instant::now();
            let total: f64 = t
                .par_chunks(1 << 16)
                .zip(p.par_chunks(1 << 16))
                .map(|(t, p)| {
                    t.iter()
                        .zip(p)
                        .filter_map(|(&y, &yhat)| loss.point(y, yhat))
                        .map(|pt| pt.value)
                        .sum::<f64>()
                })
                .sum();
            point.push(start.elapsed().as_secs_f64());
            std::hint::black_box(total);
        }
        timings.push(timing("point", median(point)));
    }
    Ok(timings)
}
