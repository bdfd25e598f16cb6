//! `losslab bench`: how fast the core's slice kernels evaluate each loss, as
//! a report uses them (the mean, through [`Loss::reduce`] into arrays
//! allocated once), on generated float64 data larger than the caches.
//!
//! Modes: `value` (the mean only), `value_gradient` (and the gradient),
//! `value_gradient_hessian` (and the diagonal Hessian; elementwise losses),
//! and `evaluate` ([`Loss::evaluate`]: every result in fresh arrays; on
//! request). Each figure is the median of several runs; the data are
//! generated once per loss, with a fixed seed, inside its domain. A row loss
//! counts its values (rows × classes) as pairs, as numpy's figures do.

use std::io::Write;
use std::time::Instant;

use anyhow::{bail, Context, Result};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::huge_buffer::HugeBuffer;
use crate::loss::{Data, Input, Loss, Output, ParamValue, Params, Reduction, Shape};

#[derive(Debug, clap::Args)]
pub struct BenchArgs {
    /// A loss to time, as NAME or NAME:KEY=VALUE,KEY=VALUE (repeatable;
    /// default: a representative set).
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
    /// A mode to time (repeatable): value, value_gradient,
    /// value_gradient_hessian, evaluate. Default: the first three.
    #[arg(long = "mode", value_name = "MODE")]
    pub modes: Vec<Mode>,
    /// One JSON object per loss and mode, one per line.
    #[arg(long)]
    pub json: bool,
}

/// What a timed run computes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
#[value(rename_all = "snake_case")]
pub enum Mode {
    Value,
    ValueGradient,
    ValueGradientHessian,
    Evaluate,
}

impl Mode {
    fn as_str(self) -> &'static str {
        match self {
            Mode::Value => "value",
            Mode::ValueGradient => "value_gradient",
            Mode::ValueGradientHessian => "value_gradient_hessian",
            Mode::Evaluate => "evaluate",
        }
    }
}

const DEFAULT_MODES: &[Mode] = &[Mode::Value, Mode::ValueGradient, Mode::ValueGradientHessian];

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
    (
        "sparse_categorical_cross_entropy",
        &[("from_logits", ParamValue::Bool(true))],
    ),
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
    /// CPU seconds of the process (all threads) in the same run: on a
    /// shared machine, the figure that other processes disturb least.
    pub cpu_seconds: Option<f64>,
}

pub fn run(args: &BenchArgs) -> Result<()> {
    if args.n < CLASSES || args.n > MAX_N {
        bail!("--n must be between {CLASSES} and {MAX_N}, got {}", args.n);
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
            .map(String::as_str)
            .map(parse_loss)
            .collect::<Result<_>>()?
    };
    let modes = if args.modes.is_empty() {
        DEFAULT_MODES
    } else {
        &args.modes[..]
    };
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(args.threads)
        .build()
        .context("cannot start the worker threads")?;
    let mut out = std::io::stdout().lock();
    if !args.json {
        writeln!(
            out,
            "{:<42} {:<22} {:>10} {:>7} {:>9} {:>12} {:>9} {:>16}",
            "loss", "mode", "n", "threads", "seconds", "M pairs/s", "CPU s", "M pairs/CPU s"
        )?;
    }
    for loss in &losses {
        for timing in pool.install(|| time_loss(loss, modes, args))? {
            if args.json {
                writeln!(out, "{}", serde_json::to_string(&timing)?)?;
            } else {
                let cpu = timing.cpu_seconds.unwrap_or(f64::NAN);
                writeln!(
                    out,
                    "{:<42} {:<22} {:>10} {:>7} {:>9.4} {:>12.1} {:>9.4} {:>16.1}",
                    timing.loss,
                    timing.mode,
                    timing.n,
                    timing.threads,
                    timing.seconds,
                    timing.elements_per_second / 1e6,
                    cpu,
                    timing.n as f64 / cpu / 1e6
                )?;
            }
        }
    }
    Ok(())
}

/// `NAME` or `NAME:KEY=VALUE,KEY=VALUE`.
fn parse_loss(spec: &str) -> Result<Loss> {
    let (name, rest) = spec.split_once(':').unwrap_or((spec, ""));
    let mut params = Params::new();
    for pair in rest.split(',').filter(|p| !p.trim().is_empty()) {
        let Some((key, value)) = pair.split_once('=') else {
            bail!("--loss `{spec}`: expected NAME:KEY=VALUE,...");
        };
        params.insert(key.trim().to_string(), ParamValue::parse_text(value));
    }
    Loss::new(name.trim(), &params).map_err(|e| anyhow::anyhow!("--loss `{spec}`: {e}"))
}

/// The loss's name, with `from_logits` when set (two BCE kernels).
fn label(loss: &Loss) -> String {
    match loss.params().get("from_logits") {
        Some(ParamValue::Bool(true)) => format!("{} (logits)", loss.name()),
        _ => loss.name().to_string(),
    }
}

/// Generated data: flat pairs, or rows of `CLASSES` values one after another,
/// in arrays backed by huge pages where the system offers them (as numpy's
/// large arrays are: see [`crate::huge_buffer`]).
struct Generated {
    target: HugeBuffer<f64>,
    prediction: HugeBuffer<f64>,
    classes: Option<usize>,
}

/// Inputs inside the loss's domain: labels and probabilities for
/// cross-entropies, ±1 labels for hinges, probability rows (or logits and
/// labels) for row losses.
fn inputs(loss: &Loss, n: usize) -> Generated {
    let mut rng = ChaCha8Rng::seed_from_u64(2026);
    let logits = matches!(
        loss.params().get("from_logits"),
        Some(ParamValue::Bool(true))
    );
    if loss.shape() == Shape::Rows {
        let rows = n / CLASSES;
        let distribution = |rng: &mut ChaCha8Rng, row: &mut [f64]| {
            row.iter_mut()
                .for_each(|x| *x = rng.random_range(0.01..1.0));
            let total: f64 = row.iter().sum();
            row.iter_mut().for_each(|x| *x /= total);
        };
        let mut prediction = HugeBuffer::zeroed(rows * CLASSES);
        if logits {
            prediction
                .iter_mut()
                .for_each(|x| *x = rng.random_range(-6.0..6.0));
        } else {
            for row in prediction.chunks_mut(CLASSES) {
                distribution(&mut rng, row);
            }
        }
        let target = if loss.sparse_labels() {
            let mut labels = HugeBuffer::zeroed(rows);
            labels
                .iter_mut()
                .for_each(|x| *x = f64::from(rng.random_range(0..CLASSES as u32)));
            labels
        } else {
            let mut target = HugeBuffer::zeroed(rows * CLASSES);
            for row in target.chunks_mut(CLASSES) {
                distribution(&mut rng, row);
            }
            target
        };
        return Generated {
            target,
            prediction,
            classes: Some(CLASSES),
        };
    }
    let name = loss.name();
    let (mut target, mut prediction) = (HugeBuffer::zeroed(n), HugeBuffer::zeroed(n));
    for (y, yhat) in target.iter_mut().zip(prediction.iter_mut()) {
        let u: f64 = rng.random_range(0.0..1.0);
        let v: f64 = rng.random_range(-3.0..3.0);
        (*y, *yhat) = match name {
            "binary_cross_entropy" | "binary_focal_cross_entropy" if logits => {
                (f64::from(u8::from(u < 0.3)), v)
            }
            "binary_cross_entropy" | "binary_focal_cross_entropy" => (
                f64::from(u8::from(u < 0.3)),
                (v / 6.0 + 0.5).clamp(1e-6, 1.0 - 1e-6),
            ),
            "hinge" | "squared_hinge" => (if u < 0.5 { -1.0 } else { 1.0 }, v),
            "poisson" | "msle" => (u * 5.0, (v + 3.0) / 2.0),
            "mape" => (u + 0.5, v),
            _ => (u * 2.0 - 1.0, v),
        };
    }
    Generated {
        target,
        prediction,
        classes: None,
    }
}

fn median(mut seconds: Vec<f64>) -> f64 {
    seconds.sort_by(f64::total_cmp);
    seconds[seconds.len() / 2]
}

fn time_loss(loss: &Loss, modes: &[Mode], args: &BenchArgs) -> Result<Vec<Timing>> {
    let data = inputs(loss, args.n);
    let pairs = data.prediction.len();
    let mut input = Input::new(&data.target, &data.prediction);
    if let Some(classes) = data.classes {
        input = input.rows(classes);
    }
    let mut gradient = HugeBuffer::zeroed(pairs);
    let mut hessian = HugeBuffer::zeroed(pairs);
    let mut timings = Vec::new();
    for &mode in modes {
        if mode == Mode::ValueGradientHessian && loss.shape() == Shape::Rows {
            continue;
        }
        let mut seconds = Vec::with_capacity(args.runs);
        let mut cpu_seconds = Vec::with_capacity(args.runs);
        for _ in 0..args.runs {
            let cpu_start = process_cpu_seconds();
            let start = Instant::now();
            let value = match mode {
                Mode::Value => {
                    loss.reduce(input, Reduction::Mean, Output::default())?
                        .value
                }
                Mode::ValueGradient => {
                    let output = Output {
                        gradient: Some(&mut gradient),
                        ..Output::default()
                    };
                    loss.reduce(input, Reduction::Mean, output)?.value
                }
                Mode::ValueGradientHessian => {
                    let output = Output {
                        gradient: Some(&mut gradient),
                        hessian: Some(&mut hessian),
                        ..Output::default()
                    };
                    loss.reduce(input, Reduction::Mean, output)?.value
                }
                Mode::Evaluate => evaluate(loss, &data)?,
            };
            seconds.push(start.elapsed().as_secs_f64());
            if let (Some(end), Some(start)) = (process_cpu_seconds(), cpu_start) {
                cpu_seconds.push(end - start);
            }
            std::hint::black_box(value);
        }
        let seconds = median(seconds);
        let cpu_seconds = (!cpu_seconds.is_empty()).then(|| median(cpu_seconds));
        timings.push(Timing {
            loss: label(loss),
            mode: mode.as_str(),
            n: pairs,
            threads: args.threads,
            seconds,
            elements_per_second: pairs as f64 / seconds,
            cpu_seconds,
        });
    }
    Ok(timings)
}

/// CPU seconds used by the process so far, all threads together.
#[cfg(target_os = "linux")]
fn process_cpu_seconds() -> Option<f64> {
    let t = rustix::time::clock_gettime(rustix::time::ClockId::ProcessCPUTime);
    Some(t.tv_sec as f64 + t.tv_nsec as f64 * 1e-9)
}

#[cfg(not(target_os = "linux"))]
fn process_cpu_seconds() -> Option<f64> {
    None
}

/// [`Loss::evaluate`] on the data as [`Data`] (built outside the timing would
/// double the memory; building it is part of what a caller of `evaluate` pays).
fn evaluate(loss: &Loss, data: &Generated) -> Result<f64> {
    let (target, prediction) = match data.classes {
        Some(classes) => {
            let rows = |v: &[f64]| Data::Rows(v.chunks(classes).map(<[f64]>::to_vec).collect());
            let target = if loss.sparse_labels() {
                Data::Flat(data.target.to_vec())
            } else {
                rows(&data.target)
            };
            (target, rows(&data.prediction))
        }
        None => (
            Data::Flat(data.target.to_vec()),
            Data::Flat(data.prediction.to_vec()),
        ),
    };
    Ok(loss
        .evaluate(&target, &prediction, None, Reduction::Mean)?
        .value)
}
