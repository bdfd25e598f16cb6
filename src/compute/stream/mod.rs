//! Evaluating losses over data read in batches, in constant memory, on
//! every core, with the exact result of an in-memory evaluation: elementwise
//! losses one value per sample, row losses one row of classes per sample
//! (the batch's columns hold the rows one after another).
//!
//! A pass reads a few batches in file order, decodes them in parallel,
//! places them in the data (a file read alone is cut by size, so a batch
//! knows how many samples it holds only once decoded), evaluates every
//! requested loss on them in parallel ([`job`]), then merges their sums in
//! order ([`chunked_sum`]) and their findings ([`findings`]). Whatever the
//! batch size and thread count, each value has the same bits as
//! `Loss::evaluate` on the whole data, every per-sample value, gradient and
//! Hessian is the same number, and bad data is refused for the same reason.

mod chunked_sum;
mod findings;
mod job;

use rayon::prelude::*;

use crate::io::{Batch, BatchSource, DataError, RawBatch, Spare, Undecoded};
use crate::loss::{more_warnings, Loss, Reduction, Shape, MAX_WARNINGS};
use chunked_sum::StreamSums;
use findings::Findings;
pub use job::LossSamples;

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

/// A column: one selection of one source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pick {
    pub source: usize,
    pub selection: usize,
}

/// One loss and the columns it reads.
#[derive(Debug, Clone)]
pub struct Job {
    pub loss: Loss,
    pub target: Pick,
    pub prediction: Pick,
    pub weights: Option<Pick>,
}

impl Job {
    fn pick(&self, role: Role) -> Option<Pick> {
        match role {
            Role::Target => Some(self.target),
            Role::Prediction => Some(self.prediction),
            Role::Weights => self.weights,
        }
    }
}

/// What a pass hands out: per-sample values only for the sums, or the
/// derivatives and the data too, for output.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    Sums,
    Samples,
}

/// Why a streamed evaluation stopped.
#[derive(Debug, thiserror::Error)]
pub enum StreamError {
    /// Source `source` could not be read or holds a bad value.
    #[error("source {source_index}: {error}")]
    Read {
        source_index: usize,
        error: DataError,
    },
    /// Job `job`'s loss refused a sample (counted from the start of the data).
    #[error("{}: sample {sample} {message}", role.name())]
    Refused {
        job: usize,
        role: Role,
        sample: u64,
        message: String,
        /// A row loss's column within the row (the message names its index).
        column: Option<usize>,
    },
    /// Two sources hold different numbers of rows.
    #[error("source {short} has {count} rows but source {long} has {long_count}")]
    Lengths {
        short: usize,
        count: u64,
        long: usize,
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
            // Memory: about 2 × batches_in_flight raw batches (the group
            // evaluated and the group read ahead), 0.5 MB each of CSV text
            // for 60-byte lines. Batches of 8,192 rows measured a little
            // less CPU than 32,768 (the arrays stay in the core's cache)
            // and half the peak memory, 19 MB on a 1e7-row file.
            batch_rows: 1 << 13,
            batches_in_flight: 2 * rayon::current_num_threads(),
        }
    }
}

/// One evaluated batch, for output: the data of each job and its values.
#[derive(Debug, Clone, Default)]
pub struct SampleBatch {
    pub first_row: u64,
    pub rows: usize,
    /// The decoded columns of every source, by source then selection.
    pub columns: Vec<Vec<Vec<f64>>>,
    /// One entry per job, in the order of the jobs.
    pub losses: Vec<LossSamples>,
}

impl SampleBatch {
    /// The values of a column of this batch.
    pub fn column(&self, pick: Pick) -> &[f64] {
        &self.columns[pick.source][pick.selection]
    }
}

/// What a pass found for one loss: the sums the reduction needs.
#[derive(Debug, Clone, PartialEq)]
pub struct PassTotals {
    pub samples: u64,
    /// Samples a mean divides by (a row loss leaves out `ignore_index` rows).
    pub counted: u64,
    /// Σ per-sample (weighted) values, compensated, in the core's chunk order.
    pub value_sum: f64,
    /// Σ weights (1 per sample without weights), likewise; for a row loss,
    /// Σ weight × class factor over the counted rows.
    pub weight_sum: f64,
    /// A row loss's row warnings as the core lists them: the first
    /// [`MAX_WARNINGS`] of the data, then how many more.
    pub warnings: Vec<String>,
}

/// The row warnings of a pass so far: the first few, and a count.
#[derive(Debug, Default)]
struct Warnings {
    listed: Vec<String>,
    count: u64,
}

impl Warnings {
    fn absorb(&mut self, batch: Vec<String>) {
        self.count += batch.len() as u64;
        let room = MAX_WARNINGS.saturating_sub(self.listed.len());
        self.listed.extend(batch.into_iter().take(room));
    }

    fn finish(mut self) -> Vec<String> {
        if self.count > MAX_WARNINGS as u64 {
            self.listed
                .push(more_warnings(self.count - MAX_WARNINGS as u64));
        }
        self.listed
    }
}

/// The reduced value and its denominator, with the core's warnings.
pub fn reduce(totals: &PassTotals, reduction: Reduction) -> (f64, f64, Vec<String>) {
    let denominator = match reduction {
        Reduction::Sum => 1.0,
        Reduction::Mean => totals.counted as f64,
        Reduction::WeightedMean => totals.weight_sum,
    };
    let mut warnings = totals.warnings.clone();
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

/// Read every batch of `sources` once, evaluate every job on it and hand it
/// to `sink` in order. Gradients and Hessians handed out are divided by the
/// job's entry of `scales` (the denominator from a first pass, or 1).
///
/// Bad data stops the pass with the error `Loss::evaluate` on the whole data
/// would give (the first job in order that has one); no batch is handed to
/// `sink` after the first finding.
pub fn run_pass(
    jobs: &[Job],
    sources: &mut [Box<dyn BatchSource>],
    scales: &[f64],
    need: Need,
    options: StreamOptions,
    mut sink: impl FnMut(&SampleBatch) -> std::io::Result<()>,
) -> Result<Vec<PassTotals>, StreamError> {
    let mut sums: Vec<StreamSums> = jobs.iter().map(|_| StreamSums::default()).collect();
    let mut findings: Vec<Findings> = vec![Findings::default(); jobs.len()];
    let mut counted = vec![0u64; jobs.len()];
    let mut warnings: Vec<Warnings> = jobs.iter().map(|_| Warnings::default()).collect();
    let in_flight = options.batches_in_flight.max(1);
    let sources_count = sources.len();
    if sources_count == 1 {
        sources[0].cut_by_size();
    }
    let spare = Spare::default();
    // Samples and lines of each source before the next batch.
    let mut placed = vec![(0u64, 0u64); sources_count];
    // The files are read (and Parquet pages decoded) on a thread of their
    // own, a group of batches ahead of the evaluation; the channel bounds
    // what is in memory.
    std::thread::scope(|scope| -> Result<(), StreamError> {
        let (sender, receiver) = std::sync::mpsc::sync_channel(in_flight);
        scope.spawn(move || read_ahead(sources, options.batch_rows, &sender));
        let mut at_end = false;
        while !at_end {
            let mut work = Vec::with_capacity(in_flight);
            while work.len() < in_flight {
                match receiver.recv() {
                    Ok(read) => {
                        // A read error is reported in its place in the file.
                        at_end = read.is_err();
                        work.push(read);
                        if at_end {
                            break;
                        }
                    }
                    Err(_) => {
                        at_end = true;
                        break;
                    }
                }
            }
            let decoded: Vec<_> = work
                .into_par_iter()
                .map(|raws| raws.map(|raws| decode(raws, &spare)))
                .collect();
            // The batches up to the first that fails, placed; then its error.
            let (batches, failure) = place(decoded, &mut placed, &spare);
            let done: Vec<(SampleBatch, Vec<job::JobOutcome>)> = batches
                .into_par_iter()
                .map(|batches| evaluate_batch(jobs, batches, scales, need, &spare))
                .collect();
            for (mut batch, outcomes) in done {
                for (k, outcome) in outcomes.into_iter().enumerate() {
                    findings[k].absorb(outcome.findings);
                    if let Some(batch_sums) = &outcome.sums {
                        sums[k].absorb(batch_sums);
                    }
                    counted[k] += outcome.counted;
                    warnings[k].absorb(outcome.warnings);
                    batch.losses.push(outcome.samples);
                }
                if findings.iter().any(Findings::any) {
                    if settled(jobs, sources_count, &findings) {
                        break;
                    }
                    continue;
                }
                sink(&batch).map_err(StreamError::Write)?;
                recycle(batch, &spare);
            }
            if findings.iter().any(Findings::any) && settled(jobs, sources_count, &findings) {
                break;
            }
            if let Some(error) = failure {
                return Err(error);
            }
        }
        // Dropping the receiver stops the reader at its next batch.
        Ok(())
    })?;
    for (k, found) in findings.iter().enumerate() {
        if let Some(refusal) = found.verdict() {
            return Err(StreamError::Refused {
                job: k,
                role: refusal.role,
                sample: refusal.sample,
                message: refusal.message,
                column: refusal.column,
            });
        }
    }
    Ok(sums
        .into_iter()
        .zip(counted)
        .zip(warnings)
        .map(|((s, counted), warnings)| {
            let samples = s.samples;
            let (value_sum, weight_sum) = s.finish();
            PassTotals {
                samples,
                counted,
                value_sum,
                weight_sum,
                warnings: warnings.finish(),
            }
        })
        .collect())
}

/// Read every batch of `sources` in order into `sender`, until the end, the
/// first error (sent too), or the receiver hanging up.
fn read_ahead(
    sources: &mut [Box<dyn BatchSource>],
    rows: usize,
    sender: &std::sync::mpsc::SyncSender<Result<Vec<RawBatch>, StreamError>>,
) {
    let mut read_rows = 0u64;
    loop {
        let read = match read_batch(sources, rows, read_rows) {
            Ok(Some(raws)) => {
                read_rows += raws.first().and_then(RawBatch::rows).unwrap_or(0) as u64;
                Ok(raws)
            }
            Ok(None) => return,
            Err(err) => Err(err),
        };
        let failed = read.is_err();
        if sender.send(read).is_err() || failed {
            return;
        }
    }
}

/// Can the rest of the data no longer change which error is reported? Not
/// while inputs of different lengths (several sources) may still show, nor
/// while the first job may still fail (it is reported before the others), nor
/// while an earlier kind of check of its own may still fail.
fn settled(jobs: &[Job], sources: usize, findings: &[Findings]) -> bool {
    match (jobs.first(), findings.first()) {
        (Some(job), Some(found)) => {
            sources == 1
                && found.any()
                && !found.may_change(job.loss.signed_labels(), job.weights.is_some())
        }
        _ => true,
    }
}

/// The next batch of every source, checked to cover the same samples.
fn read_batch(
    sources: &mut [Box<dyn BatchSource>],
    rows: usize,
    read_so_far: u64,
) -> Result<Option<Vec<RawBatch>>, StreamError> {
    let mut raws = Vec::with_capacity(sources.len());
    for (k, source) in sources.iter_mut().enumerate() {
        let raw = source.next_raw(rows).map_err(|error| StreamError::Read {
            source_index: k,
            error,
        })?;
        raws.push(raw);
    }
    if let [raw] = raws.as_mut_slice() {
        // Read alone, perhaps cut by size: its end is the only check.
        return Ok(raw.take().map(|raw| vec![raw]));
    }
    // Several sources are cut by rows, so their counts are known.
    let counts: Vec<usize> = raws
        .iter()
        .map(|r| r.as_ref().and_then(RawBatch::rows).unwrap_or(0))
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
        while let Some(raw) = sources[long]
            .next_raw(rows)
            .map_err(|error| StreamError::Read {
                source_index: long,
                error,
            })?
        {
            long_count += raw.rows().unwrap_or(0) as u64;
        }
        return Err(StreamError::Lengths {
            short,
            count: read_so_far + min as u64,
            long,
            long_count,
        });
    }
    if max == 0 {
        return Ok(None);
    }
    Ok(Some(raws.into_iter().flatten().collect()))
}

/// Hand a batch's arrays back for the next batches.
fn recycle(batch: SampleBatch, spare: &Spare) {
    for values in batch.columns.into_iter().flatten() {
        spare.give(values);
    }
    for samples in batch.losses {
        spare.give(samples.per_sample);
        spare.give(samples.gradient);
        spare.give(samples.hessian);
    }
}

/// Decode one batch of every source (on any thread).
fn decode(raws: Vec<RawBatch>, spare: &Spare) -> Vec<Result<Batch, Undecoded>> {
    raws.into_iter().map(|raw| raw.try_decode(spare)).collect()
}

/// In order: give each decoded batch its place in the data (`placed`: the
/// samples and lines of each source so far), up to the first batch that
/// failed to read or decode, whose error comes back too. A batch cut by
/// size that holds bad data is decoded again once placed, for the line and
/// sample its message names.
fn place(
    decoded: Vec<Result<Vec<Result<Batch, Undecoded>>, StreamError>>,
    placed: &mut [(u64, u64)],
    spare: &Spare,
) -> (Vec<Vec<Batch>>, Option<StreamError>) {
    let mut batches = Vec::with_capacity(decoded.len());
    for read in decoded {
        let sources = match read {
            Ok(sources) => sources,
            Err(error) => return (batches, Some(error)),
        };
        let mut group = Vec::with_capacity(sources.len());
        for (k, result) in sources.into_iter().enumerate() {
            let (rows_before, lines_before) = placed[k];
            let result = match result {
                Ok(batch) => Ok(batch),
                Err(Undecoded::Error(error)) => Err(error),
                Err(Undecoded::Unplaced(mut raw)) => {
                    raw.place(rows_before, lines_before);
                    raw.decode_with(spare)
                }
            };
            let mut batch = match result {
                Ok(batch) => batch,
                Err(error) => {
                    let error = StreamError::Read {
                        source_index: k,
                        error,
                    };
                    return (batches, Some(error));
                }
            };
            batch.first_row = rows_before;
            placed[k] = (rows_before + batch.rows as u64, lines_before + batch.lines);
            group.push(batch);
        }
        // A block of empty lines holds no sample: nothing to evaluate or hand out.
        if group.iter().any(|b| b.rows > 0) {
            batches.push(group);
        }
    }
    (batches, None)
}

fn evaluate_batch(
    jobs: &[Job],
    batches: Vec<Batch>,
    scales: &[f64],
    need: Need,
    spare: &Spare,
) -> (SampleBatch, Vec<job::JobOutcome>) {
    let first_row = batches.first().map_or(0, |b| b.first_row);
    let rows = batches.first().map_or(0, |b| b.rows);
    let batch = SampleBatch {
        first_row,
        rows,
        columns: batches.into_iter().map(|b| b.columns).collect(),
        losses: Vec::with_capacity(jobs.len()),
    };
    let outcomes = jobs
        .iter()
        .zip(scales)
        .map(|(job, &scale)| {
            let column = |role: Role| job.pick(role).map(|pick| batch.column(pick));
            let (target, prediction) = (batch.column(job.target), batch.column(job.prediction));
            if job.loss.shape() == Shape::Rows {
                return job::run_rows(
                    &job.loss,
                    (target, prediction, column(Role::Weights)),
                    (first_row, rows),
                    (need, scale),
                    spare,
                );
            }
            job::run(
                &job.loss,
                (target, prediction, column(Role::Weights)),
                first_row,
                (need, scale),
                spare,
            )
        })
        .collect();
    (batch, outcomes)
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod row_tests;
