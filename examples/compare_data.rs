//! Writes the data of the shipped comparison scenarios, once, from fixed
//! seeds (ChaCha8, the same stream on every platform):
//!
//! ```text
//! cargo run --release --example compare_data -- configs/data
//! ```
//!
//! - `compare-regression.csv` (seed 2026): 1,000 targets y ~ U(0, 10) and
//!   three models: `unbiased` = y + N(0, 0.3²) with 2 % gross errors of ±8,
//!   `tight` = y + 0.5 + N(0, 0.15²) (biased, never far off), `noisy` =
//!   y + N(0, 1).
//! - `compare-classification.csv` (seed 2027): 1,000 rows of 5 classes.
//!   Latent scores L = N(0, 1)⁵ + 2·e_c (c uniform); the `calibrated`
//!   model predicts p = softmax(L) and the label is drawn from p, so it is
//!   calibrated by construction; the `sharp` model sees the label a little
//!   (L + 0.4·e_label + N(0, 0.3²)) and predicts softmax(3·that): better
//!   ranked, and overconfident.
//!
//! Numbers are written with Rust's shortest round-trip formatting.

use std::fmt::Write as _;
use std::path::PathBuf;

use rand::distr::Distribution;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use statrs::distribution::Normal;

const ROWS: usize = 1000;
const CLASSES: usize = 5;

fn softmax(scores: &[f64]) -> Vec<f64> {
    let top = scores.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let exp: Vec<f64> = scores.iter().map(|s| (s - top).exp()).collect();
    let total: f64 = exp.iter().sum();
    exp.iter().map(|e| e / total).collect()
}

fn regression() -> Result<String, Box<dyn std::error::Error>> {
    let mut rng = ChaCha8Rng::seed_from_u64(2026);
    let unit = Normal::new(0.0, 1.0)?;
    let mut csv = String::from("y,pred_unbiased,pred_tight,pred_noisy\n");
    for _ in 0..ROWS {
        let y: f64 = rng.random::<f64>() * 10.0;
        let gross = rng.random::<f64>() < 0.02;
        let sign = if rng.random::<bool>() { 1.0 } else { -1.0 };
        let unbiased = if gross {
            y + sign * 8.0
        } else {
            y + 0.3 * unit.sample(&mut rng)
        };
        let tight = y + 0.5 + 0.15 * unit.sample(&mut rng);
        let noisy = y + unit.sample(&mut rng);
        writeln!(csv, "{y},{unbiased},{tight},{noisy}")?;
    }
    Ok(csv)
}

fn classification() -> Result<String, Box<dyn std::error::Error>> {
    let mut rng = ChaCha8Rng::seed_from_u64(2027);
    let unit = Normal::new(0.0, 1.0)?;
    let mut csv = String::from("label");
    for model in ["calibrated", "sharp"] {
        for k in 0..CLASSES {
            write!(csv, ",{model}_{k}")?;
        }
    }
    csv.push('\n');
    for _ in 0..ROWS {
        let centre = rng.random_range(0..CLASSES);
        let scores: Vec<f64> = (0..CLASSES)
            .map(|k| unit.sample(&mut rng) + if k == centre { 2.0 } else { 0.0 })
            .collect();
        let calibrated = softmax(&scores);
        // The label is drawn from the calibrated model's probabilities.
        let u: f64 = rng.random();
        let mut cumulative = 0.0;
        let mut label = CLASSES - 1;
        for (k, p) in calibrated.iter().enumerate() {
            cumulative += p;
            if u < cumulative {
                label = k;
                break;
            }
        }
        let seen: Vec<f64> = (0..CLASSES)
            .map(|k| {
                let hint = if k == label { 0.4 } else { 0.0 };
                3.0 * (scores[k] + hint + 0.3 * unit.sample(&mut rng))
            })
            .collect();
        let sharp = softmax(&seen);
        write!(csv, "{label}")?;
        for p in calibrated.iter().chain(&sharp) {
            write!(csv, ",{p}")?;
        }
        csv.push('\n');
    }
    Ok(csv)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let folder = PathBuf::from(
        std::env::args()
            .nth(1)
            .unwrap_or_else(|| "configs/data".into()),
    );
    std::fs::create_dir_all(&folder)?;
    std::fs::write(folder.join("compare-regression.csv"), regression()?)?;
    std::fs::write(folder.join("compare-classification.csv"), classification()?)?;
    println!(
        "wrote {}/compare-regression.csv and compare-classification.csv",
        folder.display()
    );
    Ok(())
}
