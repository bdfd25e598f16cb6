//! Several models under several losses on the same rows: mean losses with
//! paired bootstrap intervals, differences against a baseline with intervals
//! and sign-flip p-values, and the order of the models under each loss —
//! the numbers of a comparison report (issue 9, section 1).
//!
//! ```
//! use losslab::stats::{compare, ComparisonSettings, LossLabel, PairedLosses};
//! let per_sample = vec![vec![vec![1.0, 2.0, 3.0, 4.0], vec![0.5, 1.0, 1.5, 2.0]]];
//! let paired = PairedLosses::new(
//!     vec!["a".into(), "b".into()],
//!     vec![LossLabel::new("mae")],
//!     per_sample,
//! ).unwrap();
//! let settings = ComparisonSettings { resamples: 200, ..ComparisonSettings::default() };
//! let stats = compare(&paired, &settings).unwrap();
//! assert_eq!(stats.results[0].value, 2.5);
//! assert_eq!(stats.differences[0].value, -1.25);
//! assert_eq!(stats.ranks[0].order, vec!["b", "a"]);
//! ```

use serde::Serialize;

use super::bootstrap::{paired_bootstrap_sums, percentile_interval};
use super::permutation::{sign_flip_p_values, Pair};
use super::rank::rank_models;
use super::resample::ReplicateSums;
use super::{LossLabel, PairedLosses, RankRow, StatsError};
use crate::loss::accurate_sum;

/// Most resamples (bootstrap replicates, and as many sign flips) accepted.
pub const MAX_RESAMPLES: usize = 100_000;

/// Most row draws (rows × resamples) accepted: about 20 times the
/// 1e6 rows × 1,000 resamples of the largest comparison measured.
pub const MAX_DRAWS: u128 = 20_000_000_000;

/// How a comparison is computed; checked by [`compare`] before any work.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ComparisonSettings {
    /// Index in [`PairedLosses::models`] of the model the others are compared with.
    pub baseline: usize,
    /// Confidence level of the intervals, in (0, 1).
    pub confidence: f64,
    /// Bootstrap replicates B; the permutation test uses as many sign flips.
    pub resamples: usize,
    pub seed: u64,
}

impl Default for ComparisonSettings {
    fn default() -> Self {
        ComparisonSettings {
            baseline: 0,
            confidence: 0.95,
            resamples: 1000,
            seed: 0,
        }
    }
}

/// One model's mean loss with its bootstrap percentile interval.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ResultRow {
    pub model: String,
    #[serde(flatten)]
    pub loss: LossLabel,
    /// The mean per-sample loss, as the core's `mean` reduction computes it.
    pub value: f64,
    pub ci_low: f64,
    pub ci_high: f64,
}

/// mean(model) − mean(baseline) under one loss, with the paired bootstrap
/// interval and the sign-flip permutation p-value (None where a per-sample
/// difference is infinite or undefined, and for no test at all).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DifferenceRow {
    pub model: String,
    pub baseline: String,
    #[serde(flatten)]
    pub loss: LossLabel,
    pub value: f64,
    pub ci_low: f64,
    pub ci_high: f64,
    /// Left out of TOML (which has no null); `compare --json` writes null.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub p_value: Option<f64>,
}

/// Everything a comparison report shows in numbers, shaped as `compare --json`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ComparisonStats {
    pub n: usize,
    pub models: Vec<String>,
    pub baseline: String,
    pub confidence: f64,
    pub bootstrap: usize,
    pub seed: u64,
    pub results: Vec<ResultRow>,
    pub differences: Vec<DifferenceRow>,
    pub ranks: Vec<RankRow>,
}

fn check(paired: &PairedLosses, settings: &ComparisonSettings) -> Result<(), StatsError> {
    if settings.baseline >= paired.models().len() {
        return Err(StatsError::Baseline {
            index: settings.baseline,
            models: paired.models().len(),
        });
    }
    if !(settings.confidence > 0.0 && settings.confidence < 1.0) {
        return Err(StatsError::Confidence(settings.confidence));
    }
    let draws = paired.rows() as u128 * settings.resamples as u128;
    if settings.resamples == 0 || settings.resamples > MAX_RESAMPLES || draws > MAX_DRAWS {
        return Err(StatsError::Resamples {
            resamples: settings.resamples,
            rows: paired.rows(),
        });
    }
    Ok(())
}

/// Which resampling a [`Progress`] report is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    Bootstrap,
    Permutation,
}

/// Work done so far in one stage, in tasks (for a progress bar).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    pub stage: Stage,
    pub done: usize,
    pub total: usize,
}

/// Compute the comparison. Deterministic: the same input and settings give
/// the same bits whatever the number of threads of the rayon pool it runs in.
pub fn compare(
    paired: &PairedLosses,
    settings: &ComparisonSettings,
) -> Result<ComparisonStats, StatsError> {
    compare_with_progress(paired, settings, &|_| ())
}

/// Series index of model `m` under loss `l`: losses major, models minor.
fn series(paired: &PairedLosses, l: usize, m: usize) -> usize {
    l * paired.models().len() + m
}

/// Each model's mean under each loss with its percentile interval.
fn result_rows(
    paired: &PairedLosses,
    means: &[f64],
    sums: &ReplicateSums,
    confidence: f64,
) -> Vec<ResultRow> {
    let n = paired.rows() as f64;
    let mut rows = Vec::with_capacity(means.len());
    for (l, label) in paired.losses().iter().enumerate() {
        for (m, model) in paired.models().iter().enumerate() {
            let s = series(paired, l, m);
            let replicates = (0..sums.replicates()).map(|r| sums.get(r, s).value() / n);
            let interval = percentile_interval(replicates.collect(), confidence);
            rows.push(ResultRow {
                model: model.clone(),
                loss: label.clone(),
                value: means[s],
                ci_low: interval.low,
                ci_high: interval.high,
            });
        }
    }
    rows
}

/// Each model's difference from the baseline under each loss, with its
/// percentile interval (p-values to come), and the pairs of series to test.
fn difference_rows(
    paired: &PairedLosses,
    means: &[f64],
    sums: &ReplicateSums,
    settings: &ComparisonSettings,
) -> (Vec<DifferenceRow>, Vec<Pair>) {
    let n = paired.rows() as f64;
    let baseline = &paired.models()[settings.baseline];
    let (mut rows, mut pairs) = (Vec::new(), Vec::new());
    for (l, label) in paired.losses().iter().enumerate() {
        let base = series(paired, l, settings.baseline);
        for (m, model) in paired.models().iter().enumerate() {
            if m == settings.baseline {
                continue;
            }
            let s = series(paired, l, m);
            // Both sums keep their compensation until the difference is taken.
            let replicates =
                (0..sums.replicates()).map(|r| sums.get(r, s).minus(sums.get(r, base)) / n);
            let interval = percentile_interval(replicates.collect(), settings.confidence);
            pairs.push(Pair {
                model: s,
                baseline: base,
            });
            rows.push(DifferenceRow {
                model: model.clone(),
                baseline: baseline.clone(),
                loss: label.clone(),
                value: means[s] - means[base],
                ci_low: interval.low,
                ci_high: interval.high,
                p_value: None,
            });
        }
    }
    (rows, pairs)
}

/// [`compare`], calling `progress` (on the calling thread, a few dozen times
/// per stage) as the bootstrap and the permutation test advance.
pub fn compare_with_progress(
    paired: &PairedLosses,
    settings: &ComparisonSettings,
    progress: &dyn Fn(Progress),
) -> Result<ComparisonStats, StatsError> {
    check(paired, settings)?;
    let report = |stage| move |done, total| progress(Progress { stage, done, total });
    let (models, losses) = (paired.models(), paired.losses());
    let n = paired.rows();
    let columns: Vec<&[f64]> = (0..losses.len())
        .flat_map(|l| (0..models.len()).map(move |m| paired.column(l, m)))
        .collect();
    // The core's own mean reduction, so these equal `eval`'s means bit for bit.
    let means: Vec<f64> = (0..losses.len())
        .flat_map(|l| (0..models.len()).map(move |m| (l, m)))
        .zip(&columns)
        .map(|((l, m), c)| {
            paired
                .given_mean(l, m)
                .unwrap_or_else(|| accurate_sum(c) / n as f64)
        })
        .collect();

    let (b, seed) = (settings.resamples, settings.seed);
    let sums = paired_bootstrap_sums(&columns, b, seed, &report(Stage::Bootstrap));
    let results = result_rows(paired, &means, &sums, settings.confidence);
    let (mut differences, pairs) = difference_rows(paired, &means, &sums, settings);
    let on_permutation = report(Stage::Permutation);
    let p_values = sign_flip_p_values(&columns, &pairs, b, seed, &on_permutation);
    for (row, p) in differences.iter_mut().zip(p_values) {
        row.p_value = p;
    }
    let ranks = losses
        .iter()
        .enumerate()
        .map(|(l, label)| {
            let values: Vec<f64> = (0..models.len())
                .map(|m| means[series(paired, l, m)])
                .collect();
            RankRow {
                loss: label.clone(),
                order: rank_models(models, &values),
            }
        })
        .collect();
    Ok(ComparisonStats {
        n,
        models: models.to_vec(),
        baseline: models[settings.baseline].clone(),
        confidence: settings.confidence,
        bootstrap: b,
        seed,
        results,
        differences,
        ranks,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_model_has_results_and_no_differences() {
        let paired = PairedLosses::new(
            vec!["only".into()],
            vec![LossLabel::new("mae"), LossLabel::new("mse")],
            vec![vec![vec![1.0, 3.0]], vec![vec![1.0, 9.0]]],
        )
        .unwrap();
        let settings = ComparisonSettings {
            resamples: 400,
            ..ComparisonSettings::default()
        };
        let stats = compare(&paired, &settings).unwrap();
        assert!(stats.differences.is_empty());
        let values: Vec<f64> = stats.results.iter().map(|r| r.value).collect();
        assert_eq!(values, vec![2.0, 5.0]);
        // Two rows: a resample's mean is 1, 2 or 3 (mae); with 400 resamples
        // the 2.5 % and 97.5 % quantiles are the extremes, each drawn with p = ¼.
        assert_eq!(
            (stats.results[0].ci_low, stats.results[0].ci_high),
            (1.0, 3.0)
        );
        assert_eq!(stats.ranks[1].order, vec!["only"]);
    }
}
