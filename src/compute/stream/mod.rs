//! Evaluating an elementwise loss over data read in batches, in constant
//! memory, on every core, with the exact result of an in-memory evaluation.
//!
//! A pass reads a few batches in file order, then decodes and evaluates them
//! in parallel (each through [`Loss::evaluate`]), then merges their sums in
//! order ([`chunked_sum`]). Whatever the batch size and thread count, the
//! value has the same bits as `Loss::evaluate` on the whole data, and every
//! per-sample value, gradient and Hessian is the same number.

mod chunked_sum;

use rayon::prelude::*;

use crate::io::{Batch, BatchSource, DataError, RawBatch};
use crate::loss::{Data, Loss, LossError, Reduction};
use chunked_sum::{BatchSums, StreamSums};

/// Which argument of the loss a column feeds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Target,
    Prediction,
    Weights,
}

impl Role {
    pub fn name(self) -> &'static str {
        match self {
            Role::Target => "target",
            Role::Prediction => "prediction",
            Role::Weights => "weights",
        }
    }
}

/// Where a role's column comes from: a source and one of its selections.
#[derive(Debug, Clone, Copy)]
pub struct Pick {
    pub source: usize,
    pub selection: usize,
}

/// The opened sources of one pass and which column is which argument.
pub struct Inputs {
    pub sources: Vec<Box<dyn BatchSource>>,
    /// Target, prediction and (optional) weights.
    pub picks: Vec<(Role, Pick)>,
}

/// Why a streamed evaluation stopped.
#[derive(Debug, thiserror::Error)]
pub enum StreamError {
    /// A file could not be read or holds a bad value; `role` is its first user.
    #[error("{}: {source}", role.name())]
    Read { role: Role, source: DataError },
    /// The core refused a sample (its index counts from the start of the data).
    #[error("{}: sample {sample}: {message}", role.name())]
    Refused {
        role: Role,
        sample: u64,
        message: String,
    },
    /// Another core error (not tied to one sample).
    #[error("{0}")]
    Loss(LossError),
    #[error("{}: has {count} values but {} has {long_count}", short.name(), long.name())]
    Lengths {
        short: Role,
        count: u64,
        long: Role,
        long_count: u64,
    },
    /// The output could not be written.
    #[error("{0}")]
    Write(std::io::Error),
}

/// Batch size and how many batches are read ahead of the evaluation.
#[derive(Debug, Clone, Copy)]
pub struct StreamOptions {
    pub batch_rows: usize,
    pub batches_in_flight: usize,
}

impl Default for StreamOptions {
    fn default() -> Self {
        StreamOptions {
            batch_rows: 1 << 16,
            batches_in_flight: 2 * rayon::current_num_threads(),
        }
    }
}

/// One evaluated batch, for output.
#[derive(Debug, Clone, Default)]
pub struct SampleBatch {
    pub first_row: u64,
    pub target: Vec<f64>,
    pub prediction: Vec<f64>,
    pub per_sample: Vec<f64>,
    /// Divided by the pass's `scale` (the reduction's denominator).
    pub gradient: Vec<f64>,
    pub hessian: Vec<f64>,
}

/// What a pass found: the sums the reduction needs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PassTotals {
    pub samples: u64,
    /// Σ per-sample (weighted) values, compensated, in the core's chunk order.
    pub value_sum: f64,
    /// Σ weights (1 per sample without weights), likewise.
    pub weight_sum: f64,
}

/// The reduced value and its denominator, with the core's warnings.
pub fn reduce(totals: &PassTotals, reduction: Reduction) -> (f64, f64, Vec<String>) {
    let denominator = match reduction {
        Reduction::Sum => 1.0,
        Reduction::Mean => totals.samples as f64,
        Reduction::WeightedMean => totals.weight_sum,
    };
    let mut warnings = Vec::new();
    if denominator == 0.0 {
        warnings.push(match reduction {
            Reduction::Mean => {
                "mean over no sample (every sample is ignored): the value is NaN".to_string()
            }
            _ => "weighted mean over a total weight of 0: the value is NaN".to_string(),
        });
    }
    (totals.value_sum / denominator, denominator, warnings)
}

/// Read every batch once, evaluate `loss` on it and hand it to `sink` in
/// order. Gradients and Hessians handed out are divided by `scale` (the
/// denominator from a first pass, or 1).
pub fn run_pass(
    loss: &Loss,
    inputs: &mut Inputs,
    scale: f64,
    options: StreamOptions,
    mut sink: impl FnMut(&SampleBatch) -> std::io::Result<()>,
) -> Result<PassTotals, StreamError> {
    let mut sums = StreamSums::default();
    let first_role = |source: usize| {
        inputs
            .picks
            .iter()
            .find(|(_, pick)| pick.source == source)
            .map_or(Role::Target, |(role, _)| *role)
    };
    let roles: Vec<Role> = (0..inputs.sources.len()).map(first_role).collect();
    let mut at_end = false;
    let mut read_rows = 0u64;
    while !at_end {
        let mut work = Vec::with_capacity(options.batches_in_flight);
        while work.len() < options.batches_in_flight.max(1) {
            match read_batch(inputs, &roles, options.batch_rows, read_rows)? {
                Some(raws) => {
                    read_rows += raws.first().map_or(0, |r| r.rows() as u64);
                    work.push(raws);
                }
                None => {
                    at_end = true;
                    break;
                }
            }
        }
        let done: Vec<Result<(SampleBatch, BatchSums), StreamError>> = work
            .into_par_iter()
            .map(|raws| evaluate_batch(loss, &inputs.picks, &roles, raws, scale))
            .collect();
        for result in done {
            let (batch, batch_sums) = result?;
            sums.absorb(&batch_sums);
            sink(&batch).map_err(StreamError::Write)?;
        }
    }
    let samples = sums.samples;
    let (value_sum, weight_sum) = sums.finish();
    Ok(PassTotals {
        samples,
        value_sum,
        weight_sum,
    })
}

/// The next batch of every source, checked to cover the same samples.
fn read_batch(
    inputs: &mut Inputs,
    roles: &[Role],
    rows: usize,
    read_so_far: u64,
) -> Result<Option<Vec<RawBatch>>, StreamError> {
    let mut raws = Vec::with_capacity(inputs.sources.len());
    for (source, role) in inputs.sources.iter_mut().zip(roles) {
        let raw = source.next_raw(rows).map_err(|source| StreamError::Read {
            role: *role,
            source,
        })?;
        raws.push(raw);
    }
    let counts: Vec<usize> = raws
        .iter()
        .map(|r| r.as_ref().map_or(0, RawBatch::rows))
        .collect();
    let (min, max) = (
        counts.iter().copied().min().unwrap_or(0),
        counts.iter().copied().max().unwrap_or(0),
    );
    if min != max {
        let short = counts.iter().position(|&c| c == min).unwrap_or(0);
        let long = counts.iter().position(|&c| c == max).unwrap_or(0);
        // Count the rest of the longer input, for a message with both lengths.
        let mut long_count = read_so_far + max as u64;
        while let Some(raw) =
            inputs.sources[long]
                .next_raw(rows)
                .map_err(|source| StreamError::Read {
                    role: roles[long],
                    source,
                })?
        {
            long_count += raw.rows() as u64;
        }
        return Err(StreamError::Lengths {
            short: roles[short],
            count: read_so_far + min as u64,
            long: roles[long],
            long_count,
        });
    }
    if max == 0 {
        return Ok(None);
    }
    Ok(Some(raws.into_iter().flatten().collect()))
}

fn evaluate_batch(
    loss: &Loss,
    picks: &[(Role, Pick)],
    roles: &[Role],
    raws: Vec<RawBatch>,
    scale: f64,
) -> Result<(SampleBatch, BatchSums), StreamError> {
    let batches: Vec<Batch> = raws
        .into_iter()
        .zip(roles)
        .map(|(raw, role)| {
            raw.decode().map_err(|source| StreamError::Read {
                role: *role,
                source,
            })
        })
        .collect::<Result<_, _>>()?;
    let first_row = batches.first().map_or(0, |b| b.first_row);
    let column = |role: Role| -> Option<Vec<f64>> {
        picks
            .iter()
            .find(|(r, _)| *r == role)
            .map(|(_, pick)| batches[pick.source].columns[pick.selection].clone())
    };
    let target = Data::Flat(column(Role::Target).unwrap_or_default());
    let prediction = Data::Flat(column(Role::Prediction).unwrap_or_default());
    let weights = column(Role::Weights);
    let evaluation = loss
        .evaluate(&target, &prediction, weights.as_deref(), Reduction::Sum)
        .map_err(|err| {
            locate_refusal(
                loss,
                err,
                (&target, &prediction, weights.as_deref()),
                first_row,
            )
        })?;
    let sums = BatchSums::new(first_row, &evaluation.per_sample, weights.as_deref());
    let mut gradient = match evaluation.gradient {
        Data::Flat(values) => values,
        Data::Rows(rows) => rows.concat(),
    };
    let mut hessian = evaluation.hessian.unwrap_or_default();
    if scale != 1.0 {
        // The same operation as the core's last pass, for the same bits.
        gradient.iter_mut().for_each(|x| *x /= scale);
        hessian.iter_mut().for_each(|x| *x /= scale);
    }
    let (Data::Flat(target), Data::Flat(prediction)) = (target, prediction) else {
        unreachable!("built as flat arrays above")
    };
    Ok((
        SampleBatch {
            first_row,
            target,
            prediction,
            per_sample: evaluation.per_sample,
            gradient,
            hessian,
        },
        sums,
    ))
}

/// The core refused a batch: find the first sample it refuses (the shortest
/// failing prefix) and ask the core about that sample alone, so the message
/// counts samples from the start of the data rather than of the batch.
fn locate_refusal(
    loss: &Loss,
    batch_error: LossError,
    (target, prediction, weights): (&Data, &Data, Option<&[f64]>),
    first_row: u64,
) -> StreamError {
    let (Data::Flat(t), Data::Flat(p)) = (target, prediction) else {
        unreachable!("streamed data are flat")
    };
    let fails = |m: usize| {
        loss.evaluate(
            &Data::Flat(t[..m].to_vec()),
            &Data::Flat(p[..m].to_vec()),
            weights.map(|w| &w[..m]),
            Reduction::Sum,
        )
        .is_err()
    };
    let (mut good, mut bad) = (0, t.len().min(p.len()));
    while bad - good > 1 {
        let middle = good + (bad - good) / 2;
        if fails(middle) {
            bad = middle;
        } else {
            good = middle;
        }
    }
    let k = bad.saturating_sub(1);
    let single = loss.evaluate(
        &Data::Flat(vec![t[k]]),
        &Data::Flat(vec![p[k]]),
        weights.map(|w| &w[k..=k]),
        Reduction::Sum,
    );
    let sample = first_row + k as u64;
    match single {
        Err(LossError::BadData { what, message }) => {
            let role = match what.as_str() {
                "prediction" => Role::Prediction,
                "weights" => Role::Weights,
                _ => Role::Target,
            };
            let message = message
                .strip_prefix("index 0 is ")
                .map_or(message.clone(), |rest| format!("is {rest}"));
            StreamError::Refused {
                role,
                sample,
                message,
            }
        }
        Err(other) => StreamError::Loss(other),
        // Refused as a whole, not one sample (hinge labels mixing conventions).
        Ok(_) => StreamError::Loss(batch_error),
    }
}

#[cfg(test)]
mod tests;
