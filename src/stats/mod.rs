//! Statistics for comparing models: the paired bootstrap, the sign-flip
//! permutation test, ranks, and the aggregations that keep a million
//! per-sample values drawable (histograms, ECDF, quantiles, 2-D density,
//! loss concentration, reliability bins, worst samples).
//!
//! Pure functions over slices: no I/O, no printing. Everything random is
//! seeded and gives the same bits whatever the rayon thread count: each
//! replicate's random stream is keyed by (seed, replicate, block of rows),
//! and parallel partial results are merged in a fixed order.
//!
//! # Use
//! A comparison builds [`PairedLosses`] from the core's per-sample values
//! (`Loss::evaluate(.., Reduction::Mean).per_sample`, one vector per model and
//! loss) and calls [`compare`] (or [`compare_with_progress`] for a progress
//! bar). Its means are the core's `accurate_sum(per_sample) / n`, or, given
//! with [`PairedLosses::with_means`], the core's own `mean` reduction (what
//! `compute::comparison` does, so that every mean equals `eval`'s bit for
//! bit, row losses included). Rows a loss ignores (`ignore_index`) are left
//! out by the caller before the values come here.
//! The p-values are the sign-flip permutation test's, not the bootstrap's.
//!
//! # Layout
//! `paired` (the checked input), `compare` (the comparison numbers),
//! `resample` (the shared parallel engine), `bootstrap`, `permutation`,
//! `rank`, `quantile` (quantiles, ECDF, concentration), `histogram`,
//! `density` (2-D bins), `calibration` (reliability bins), `worst`.

mod bootstrap;
mod calibration;
mod compare;
mod density;
mod histogram;
mod paired;
mod permutation;
mod quantile;
mod rank;
mod resample;
mod worst;

pub use bootstrap::{percentile_interval, Interval};
pub use calibration::{reliability_bins, top_label, ReliabilityBin};
pub use compare::{
    compare, compare_with_progress, ComparisonSettings, ComparisonStats, DifferenceRow, Progress,
    ResultRow, Stage, MAX_DRAWS, MAX_RESAMPLES,
};
pub use density::{density_2d, Density2d, MAX_CELLS};
pub use histogram::{histogram, spans_decades, Binning, Histogram, MAX_BINS};
pub use paired::{LossLabel, PairedLosses};
pub use quantile::{concentration_curve, ecdf, quantiles};
pub use rank::{rank_models, rows_with_different_order, RankRow};
pub use worst::{worst_samples, WorstSample};

/// Input the statistics cannot work on.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum StatsError {
    #[error("no values")]
    Empty,
    #[error("a comparison needs at least one model and one loss")]
    NoModelOrLoss,
    #[error("model `{name}` is named twice (again at position {index})")]
    DuplicateModel { name: String, index: usize },
    #[error("{0}")]
    Shape(String),
    #[error("row {row} is NaN")]
    NotANumber { row: usize },
    #[error("row {row} is {value}; losses must be finite and non-negative here")]
    NotNonNegative { row: usize, value: f64 },
    #[error("the losses sum to 0: no share of the total is defined")]
    ZeroTotal,
    #[error("probability {0} is outside [0, 1]")]
    Probability(f64),
    #[error("baseline index {index} is not one of the {models} models")]
    Baseline { index: usize, models: usize },
    #[error("confidence must be strictly between 0 and 1, got {0}")]
    Confidence(f64),
    #[error(
        "{resamples} resamples over {rows} rows is outside the budget \
         (1 to {MAX_RESAMPLES} resamples, at most {MAX_DRAWS} row draws)"
    )]
    Resamples { resamples: usize, rows: usize },
    #[error("{0}")]
    Bins(String),
    #[error("row {row}: {message}")]
    Row { row: usize, message: String },
}
