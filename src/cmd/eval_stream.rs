//! `eval` over streamed data ([`crate::compute::stream`]): every loss in one
//! pass, memory independent of the file. Elementwise losses read one value
//! per sample; row losses read rows of classes (`file.csv:prob_*`, a Parquet
//! prefix or list column, a 2-D `.npy`) and sparse labels one per row.
//!
//! The values are known only at the end of the data, and they come before
//! the samples in the output, so a listing of samples reads the data again
//! (once for the table; once per array for JSON, in the contract's key
//! order); the first pass also checks every sample of every loss before
//! anything is printed.

use std::io::{IsTerminal, Write};

use anyhow::{Context, Result};

use super::data_arg::{file_error, load_data_arg, DataArg};
use super::eval_args::{for_loss, Argument, Request, Task};
use super::eval_output::{self as output, Cells, JsonArray, Samples, Table};
use crate::compute::stream::{
    self, Job, Need, PassTotals, Pick, SampleBatch, StreamError, StreamOptions,
};
use crate::io::{self, BatchSource, Columns, FileSpec, Header, MemorySource};
use crate::loss::convention::Saturation;
use crate::loss::{Data, Shape};

/// The opened sources, which argument reads which column, and the jobs.
pub(super) struct Inputs {
    sources: Vec<Box<dyn BatchSource>>,
    /// For each source: the file (None for data given inline) and the
    /// arguments that read it, for messages.
    shown: Vec<(Option<FileSpec>, String)>,
    /// For each argument, its column.
    picks: Vec<Pick>,
    /// For each argument read as rows (a prefix glob, several columns, a
    /// 2-D array), the values per row.
    row_widths: Vec<Option<usize>>,
    jobs: Vec<Job>,
}

/// An argument's column before the files are opened.
enum Pending {
    Inline(usize),
    /// A file (in order of first mention) and a selection of it.
    File(usize, usize),
}

/// Open every argument as a batch source; files named twice are read once.
/// `None` when the data must be read into memory: a loss whose label rule
/// looks at the whole target, data given inline as rows, or data whose shape
/// does not fit its loss (the in-memory path then says what is wrong).
pub(super) fn open(arguments: &[Argument], tasks: &[Task]) -> Result<Option<Inputs>> {
    if tasks.iter().any(|t| t.loss.labels_depend_on_whole_target()) {
        return Ok(None);
    }
    let mut sources: Vec<Box<dyn BatchSource>> = Vec::new();
    let mut shown: Vec<(Option<FileSpec>, String)> = Vec::new();
    let mut pending = Vec::with_capacity(arguments.len());
    // Files by path, with their selections (opened once all are known).
    let mut files: Vec<(FileSpec, Vec<Columns>, Vec<&str>)> = Vec::new();
    for argument in arguments {
        let flag = argument.flag.as_str();
        match &argument.data {
            DataArg::File(spec)
                if !(spec.format == io::Format::Csv
                    && spec.columns == Columns::All
                    && io::is_inline_text(&spec.path)
                        .map_err(|e| file_error(flag, spec, e))?) =>
            {
                let file = files
                    .iter()
                    .position(|(f, _, _)| f.path == spec.path && f.format == spec.format);
                let file = file.unwrap_or_else(|| {
                    files.push((spec.clone(), Vec::new(), Vec::new()));
                    files.len() - 1
                });
                let (_, selections, flags) = &mut files[file];
                if !flags.contains(&flag) {
                    flags.push(flag);
                }
                let selection = selections.iter().position(|c| *c == spec.columns);
                let selection = selection.unwrap_or_else(|| {
                    selections.push(spec.columns.clone());
                    selections.len() - 1
                });
                pending.push(Pending::File(file, selection));
            }
            data => {
                let data = load_data_arg(flag, data)?;
                if matches!(data, Data::Rows(_)) {
                    return Ok(None);
                }
                pending.push(Pending::Inline(sources.len()));
                sources.push(Box::new(MemorySource::new(&data)));
                shown.push((None, flag.to_string()));
            }
        }
    }
    let first_file = sources.len();
    for (spec, selections, flags) in &files {
        let flags = flags.join(" and ");
        let source = io::open(&spec.path, spec.format, selections, Header::Detect)
            .map_err(|e| file_error(&flags, spec, e))?;
        sources.push(source);
        shown.push((Some(spec.clone()), flags));
    }
    // Files come after the inline sources.
    let picks: Vec<Pick> = pending
        .into_iter()
        .map(|p| match p {
            Pending::Inline(source) => Pick {
                source,
                selection: 0,
            },
            Pending::File(file, selection) => Pick {
                source: first_file + file,
                selection,
            },
        })
        .collect();
    // Rows where the in-memory reader gives rows: a prefix glob, or several values per sample.
    let row_widths: Vec<Option<usize>> = arguments
        .iter()
        .zip(&picks)
        .map(|(argument, pick)| {
            let width = sources[pick.source].widths()[pick.selection];
            let prefix = matches!(&argument.data, DataArg::File(spec) if matches!(spec.columns, Columns::Prefix(_)));
            (prefix || width != 1).then_some(width)
        })
        .collect();
    if !tasks.iter().all(|task| fits(task, &row_widths)) {
        return Ok(None);
    }
    let jobs = tasks
        .iter()
        .map(|task| Job {
            loss: task.loss.clone(),
            target: picks[task.target],
            prediction: picks[task.prediction],
            weights: task.weights.map(|w| picks[w]),
        })
        .collect();
    Ok(Some(Inputs {
        sources,
        shown,
        picks,
        row_widths,
        jobs,
    }))
}

/// Does the data have the shape its loss reads? An elementwise loss and
/// sparse labels take one value per sample; a row loss takes rows, its
/// target as wide as its prediction; weights are one per sample.
fn fits(task: &Task, row_widths: &[Option<usize>]) -> bool {
    let weights_fit = task.weights.is_none_or(|w| row_widths[w].is_none());
    let (target, prediction) = (row_widths[task.target], row_widths[task.prediction]);
    let data_fit = match task.loss.shape() {
        Shape::Elementwise => target.is_none() && prediction.is_none(),
        Shape::Rows if task.loss.sparse_labels() => target.is_none() && prediction.is_some(),
        Shape::Rows => prediction.is_some() && target == prediction,
    };
    weights_fit && data_fit
}

/// Batch options for these inputs: batches of about the same number of
/// values whatever the width of the rows, so that memory does not grow
/// with the number of classes either.
fn options(inputs: &Inputs) -> StreamOptions {
    let defaults = StreamOptions::default();
    let mut seen = Vec::new();
    let mut width = 0;
    for (pick, row_width) in inputs.picks.iter().zip(&inputs.row_widths) {
        if !seen.contains(pick) {
            seen.push(*pick);
            width += row_width.unwrap_or(1);
        }
    }
    // The elementwise default holds about 3 values per row (target, prediction, weights).
    let batch_rows = (defaults.batch_rows * 3 / width.max(1)).clamp(64, defaults.batch_rows);
    StreamOptions {
        batch_rows,
        ..defaults
    }
}

/// A streamed evaluation's error, named by argument and file.
fn stream_error(arguments: &[Argument], inputs: &Inputs, err: StreamError) -> anyhow::Error {
    let flags = |source: usize| inputs.shown[source].1.clone();
    match err {
        StreamError::Read {
            source_index,
            error,
        } => match &inputs.shown[source_index] {
            (Some(spec), flags) => file_error(flags, spec, error),
            (None, flags) => anyhow::anyhow!("{flags}: {error}"),
        },
        StreamError::Refused {
            job,
            role,
            sample,
            message,
            column,
        } => {
            let pick = match role {
                stream::Role::Target => Some(inputs.jobs[job].target),
                stream::Role::Prediction => Some(inputs.jobs[job].prediction),
                stream::Role::Weights => inputs.jobs[job].weights,
            };
            let argument = pick
                .and_then(|pick| inputs.picks.iter().position(|p| *p == pick))
                .map(|a| &arguments[a]);
            let flag = argument.map_or(role.name(), |a| a.flag.as_str());
            let (place, message) = match argument.map(|a| &a.data) {
                Some(DataArg::File(spec)) => (
                    format!(" (file `{}`{})", spec.shown(), column_text(&spec.columns)),
                    match column.and_then(|c| glob_column_name(spec, c)) {
                        // "row r, column c is …": the column by its name.
                        Some((c, name)) => message.replacen(
                            &format!(", column {c} is "),
                            &format!(", column `{name}` is "),
                            1,
                        ),
                        None => message,
                    },
                ),
                _ => (String::new(), message),
            };
            // A row loss's message names the row and column itself.
            let rows =
                inputs.jobs[job].loss.shape() == Shape::Rows && role != stream::Role::Weights;
            let err = match rows {
                true => anyhow::anyhow!("{flag}: {message}{place}"),
                false => anyhow::anyhow!("{flag}: sample {sample} {message}{place}"),
            };
            for_loss(err, &inputs.jobs[job].loss, inputs.jobs.len() > 1)
        }
        StreamError::Lengths {
            short,
            count,
            long,
            long_count,
        } => anyhow::anyhow!(
            "{}: has {count} value{} but {} has {long_count}",
            flags(short),
            if count == 1 { "" } else { "s" },
            flags(long)
        ),
        StreamError::Write(err) => anyhow::Error::from(err),
    }
}

/// The name of column `c` of a prefix glob (the `c`-th column of the file
/// whose name starts with the prefix, as the glob was resolved), if the
/// file's names can still be read; the message keeps the index otherwise.
fn glob_column_name(spec: &FileSpec, c: usize) -> Option<(usize, String)> {
    let Columns::Prefix(prefix) = &spec.columns else {
        return None;
    };
    let names = io::column_names(&spec.path, spec.format).ok()?;
    let name = names
        .into_iter()
        .filter(|n| n.starts_with(prefix.as_str()))
        .nth(c)?;
    Some((c, name))
}

fn column_text(columns: &Columns) -> String {
    match columns {
        Columns::Named(name) => format!(", column `{name}`"),
        Columns::Prefix(prefix) => format!(", columns `{prefix}*`"),
        _ => String::new(),
    }
}

/// A progress bar with rows per second, on a terminal, for data read from files.
fn progress_bar(inputs: &Inputs) -> Option<indicatif::ProgressBar> {
    let from_files = inputs.shown.iter().any(|(spec, _)| spec.is_some());
    if !from_files || !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = indicatif::ProgressBar::new_spinner();
    let style = indicatif::ProgressStyle::with_template(
        "{spinner} {human_pos} rows read, {per_sec} ({elapsed})",
    )
    .ok()?;
    bar.set_style(style);
    Some(bar)
}

/// One pass of the jobs `which` over freshly opened inputs, with a progress bar.
fn pass(
    arguments: &[Argument],
    tasks: &[Task],
    inputs: Option<Inputs>,
    which: std::ops::Range<usize>,
    (scales, need): (&[f64], Need),
    mut sink: impl FnMut(&Inputs, &SampleBatch) -> std::io::Result<()>,
) -> Result<(Vec<PassTotals>, Inputs)> {
    let mut inputs = match inputs {
        Some(inputs) => inputs,
        None => open(arguments, tasks)?.context("the data changed while being read")?,
    };
    let bar = progress_bar(&inputs);
    let jobs = inputs.jobs[which].to_vec();
    let mut sources = std::mem::take(&mut inputs.sources);
    let totals = stream::run_pass(
        &jobs,
        &mut sources,
        scales,
        need,
        options(&inputs),
        |batch| {
            if let Some(bar) = &bar {
                bar.inc(batch.rows as u64);
            }
            sink(&inputs, batch)
        },
    );
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    match totals {
        Ok(totals) => Ok((totals, inputs)),
        Err(err) => Err(stream_error(arguments, &inputs, err)),
    }
}

/// The cells of a column: one value per sample, or rows.
fn cells_of<'a>(inputs: &Inputs, pick: Pick, values: &'a [f64]) -> Cells<'a> {
    let argument = inputs.picks.iter().position(|p| *p == pick);
    match argument.and_then(|a| inputs.row_widths[a]) {
        Some(width) => Cells::Rows(values, width),
        None => Cells::Flat(values),
    }
}

fn samples_of<'a>(inputs: &Inputs, job: &Job, batch: &'a SampleBatch) -> Samples<'a> {
    let values = &batch.losses[0];
    let rows = job.loss.shape() == Shape::Rows;
    Samples {
        first_row: batch.first_row,
        rows: batch.rows,
        target: cells_of(inputs, job.target, batch.column(job.target)),
        prediction: cells_of(inputs, job.prediction, batch.column(job.prediction)),
        per_sample: &values.per_sample,
        gradient: cells_of(inputs, job.prediction, &values.gradient),
        hessian: (!rows).then_some(&values.hessian),
    }
}

/// Every loss in one first pass (which also checks every sample), then each
/// loss's output in turn.
pub(super) fn run(
    arguments: &[Argument],
    tasks: &[Task],
    inputs: Inputs,
    request: Request,
    out: &mut impl Write,
) -> Result<()> {
    let n = tasks.len();
    let ones = vec![1.0; n];
    // Predictions where a convention's clip saturates, counted as the core counts them.
    let mut saturations = vec![Saturation::default(); n];
    let (totals, _) = pass(
        arguments,
        tasks,
        Some(inputs),
        0..n,
        (&ones, Need::Sums),
        |inputs, batch| {
            for ((job, saturation), values) in
                inputs.jobs.iter().zip(&mut saturations).zip(&batch.losses)
            {
                if values.saturated {
                    let (target, prediction) =
                        (batch.column(job.target), batch.column(job.prediction));
                    saturation.add(&job.loss, batch.first_row, target, prediction);
                } else {
                    saturation.pass_over(batch.rows as u64);
                }
            }
            Ok(())
        },
    )?;
    let several = n > 1;
    if several && request.json {
        out.write_all(b"{\"evaluations\":[")?;
    }
    for (k, totals) in totals.iter().enumerate() {
        if k > 0 {
            out.write_all(if request.json { b"," } else { b"\n" })?;
        }
        let saturation = saturations[k].warning();
        write_one(arguments, tasks, k, (totals, saturation), request, out)?;
    }
    if several && request.json {
        out.write_all(b"]}\n")?;
    }
    Ok(())
}

/// The output of task `k` (a single loss's output), from its totals.
fn write_one(
    arguments: &[Argument],
    tasks: &[Task],
    k: usize,
    (totals, saturation): (&PassTotals, Option<String>),
    request: Request,
    out: &mut impl Write,
) -> Result<()> {
    let loss = &tasks[k].loss;
    let several = tasks.len() > 1;
    let (value, denominator, mut warnings) = match request.reduction {
        Some(reduction) => {
            let (value, denominator, warnings) = stream::reduce(totals, reduction);
            (Some(value), denominator, warnings)
        }
        None => (None, 1.0, Vec::new()),
    };
    warnings.extend(saturation);
    let counted = request.summary.then_some(totals.samples);
    let rows = loss.shape() == Shape::Rows;
    type Sink<'s> = dyn FnMut(&Inputs, &Job, &SampleBatch) -> std::io::Result<()> + 's;
    let samples_pass = |sink: &mut Sink<'_>| {
        pass(
            arguments,
            tasks,
            None,
            k..k + 1,
            (&[denominator], Need::Samples),
            |inputs, batch| sink(inputs, &inputs.jobs[k], batch),
        )
        .map(|_| ())
    };
    if request.json {
        out.write_all(b"{")?;
        if !request.summary {
            // A row loss has no Hessian (as in memory).
            let keys: &[&str] = if rows {
                &["gradient"]
            } else {
                &["gradient", "hessian"]
            };
            for &key in keys {
                let mut array = JsonArray::open(out, key)?;
                samples_pass(&mut |inputs, job, batch| {
                    let values = &batch.losses[0];
                    if key == "gradient" {
                        let cells = cells_of(inputs, job.prediction, &values.gradient);
                        array.write(out, cells, batch.rows)
                    } else {
                        array.write(out, Cells::Flat(&values.hessian), batch.rows)
                    }
                })?;
                array.close(out)?;
                out.write_all(b",")?;
            }
        }
        output::json_loss_and_params(out, loss)?;
        out.write_all(b",")?;
        if !request.summary {
            let mut array = JsonArray::open(out, "per_sample")?;
            samples_pass(&mut |_, _, batch| {
                let values = &batch.losses[0].per_sample;
                array.write(out, Cells::Flat(values), values.len())
            })?;
            array.close(out)?;
            out.write_all(b",")?;
        }
        output::json_tail(out, request.reduction, counted, value, &warnings)?;
        out.write_all(if several { b"}" } else { b"}\n" })?;
        return Ok(());
    }
    for warning in &warnings {
        match several {
            true => eprintln!("warning: --loss {}: {warning}", loss.name()),
            false => eprintln!("warning: {warning}"),
        }
    }
    output::table_head(out, loss, request.reduction, value, counted)?;
    if !request.summary {
        let mut table = Table::new(!rows);
        let mut started = false;
        samples_pass(&mut |inputs, job, batch| {
            let samples = samples_of(inputs, job, batch);
            if !started {
                table.start(out, &samples)?;
                started = true;
            }
            table.write(out, &samples)
        })?;
    }
    Ok(())
}
