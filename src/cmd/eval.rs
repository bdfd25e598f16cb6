//! `losslab eval`: one loss on data given on the command line or in files.
//!
//! The JSON form (`--json`) is a contract that scripts depend on: exactly one
//! object on stdout, non-finite numbers as the strings "Infinity",
//! "-Infinity" and "NaN".
//!
//! An elementwise loss streams its data ([`crate::compute::stream`]): memory
//! does not grow with the file, and the value has the same bits as an
//! in-memory evaluation. The value is known only at the end of the data, and
//! it comes before the samples in the output, so a listing of samples reads
//! the data again (once for the table; once per array for JSON, in the
//! contract's key order); the first pass also checks every sample before
//! anything is printed. Row losses read their data into memory.

use std::io::{IsTerminal, Write};

use anyhow::{bail, Context, Result};

use super::data_arg::{file_error, load_data_arg, parse_data_arg, DataArg};
use super::eval_output::{self as output, Cells, JsonArray, Samples, Table};
use crate::compute::stream::{self, Inputs, Pick, Role, SampleBatch, StreamError, StreamOptions};
use crate::io::{self, BatchSource, Columns, FileSpec, Header, MemorySource};
use crate::loss::convention::Saturation;
use crate::loss::{Data, Loss, LossError, ParamValue, Params, Reduction, Shape};

#[derive(Debug, clap::Args)]
pub struct EvalArgs {
    /// Loss name or alias (see `losslab list`).
    #[arg(long)]
    pub loss: String,
    /// A loss parameter, KEY=VALUE (repeatable): `delta=1.5`, `from_logits=true`, `class_weights=[1,2]`.
    #[arg(long = "param", value_name = "KEY=VALUE")]
    pub params: Vec<String>,
    /// How per-sample values are reduced; `none` lists them without a value.
    #[arg(long, value_enum, default_value = "mean")]
    pub reduction: ReductionArg,
    /// Targets: a JSON array, a comma-separated list, or @FILE, @FILE:COLUMN,
    /// @FILE:PREFIX* (CSV, .parquet, .npy; JSON or a list in a file).
    #[arg(long, allow_hyphen_values = true)]
    pub target: String,
    /// Predictions, in the same forms as --target.
    #[arg(long, allow_hyphen_values = true)]
    pub prediction: String,
    /// One non-negative weight per sample, in the same forms as --target.
    #[arg(long, allow_hyphen_values = true)]
    pub weights: Option<String>,
    /// Print one JSON object instead of a table.
    #[arg(long)]
    pub json: bool,
    /// Print the value only (and the number of samples), not every sample: for big files.
    #[arg(long)]
    pub summary: bool,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum ReductionArg {
    Mean,
    Sum,
    #[value(name = "weighted_mean", alias = "weighted-mean")]
    WeightedMean,
    None,
}

impl ReductionArg {
    fn reduction(self) -> Option<Reduction> {
        match self {
            ReductionArg::Mean => Some(Reduction::Mean),
            ReductionArg::Sum => Some(Reduction::Sum),
            ReductionArg::WeightedMean => Some(Reduction::WeightedMean),
            ReductionArg::None => None,
        }
    }
}

/// One data argument: its flag, its role, and what was given.
struct Argument {
    flag: &'static str,
    role: Role,
    data: DataArg,
}

/// What to print.
#[derive(Clone, Copy)]
struct Request {
    reduction: Option<Reduction>,
    json: bool,
    summary: bool,
}

pub fn run(args: &EvalArgs) -> Result<()> {
    let params = parse_params(&args.params)?;
    let loss = Loss::new(&args.loss, &params).map_err(on_the_command_line)?;
    let request = Request {
        reduction: args.reduction.reduction(),
        json: args.json,
        summary: args.summary,
    };
    if request.summary && request.reduction.is_none() {
        bail!("--summary prints the reduced value: give --reduction mean, sum or weighted_mean");
    }
    let mut arguments = vec![
        Argument {
            flag: "--target",
            role: Role::Target,
            data: parse_data_arg("--target", &args.target)?,
        },
        Argument {
            flag: "--prediction",
            role: Role::Prediction,
            data: parse_data_arg("--prediction", &args.prediction)?,
        },
    ];
    if let Some(text) = &args.weights {
        arguments.push(Argument {
            flag: "--weights",
            role: Role::Weights,
            data: parse_data_arg("--weights", text)?,
        });
    }
    let mut out = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    let streamed = match loss.shape() {
        Shape::Elementwise => open_inputs(&arguments)?.filter(|inputs| {
            inputs
                .sources
                .iter()
                .all(|s| s.widths().iter().all(|&w| w == 1))
        }),
        Shape::Rows => None,
    };
    let written = match streamed {
        Some(inputs) => run_streamed(&loss, &arguments, inputs, request, &mut out),
        None => run_in_memory(&loss, &arguments, request, &mut out),
    };
    let written = match written {
        Ok(()) => out.flush().map_err(anyhow::Error::from),
        Err(err) => Err(err),
    };
    match written {
        // A reader that stops early (`| head`) ends the output quietly, as
        // for any Unix filter, instead of a panic or an error.
        Err(err)
            if err
                .downcast_ref::<std::io::Error>()
                .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe) =>
        {
            Ok(())
        }
        Err(err) if err.downcast_ref::<std::io::Error>().is_some() => {
            Err(err).context("cannot write to standard output")
        }
        other => other,
    }
}

/// Open every argument as a batch source; files named twice are read once.
/// `None` when an argument is not one value per sample (rows: read in memory).
fn open_inputs(arguments: &[Argument]) -> Result<Option<Inputs>> {
    let mut sources: Vec<Box<dyn BatchSource>> = Vec::new();
    let mut picks = Vec::new();
    // Files by path, with their selections.
    let mut files: Vec<(&FileSpec, Vec<Columns>)> = Vec::new();
    let mut file_picks = Vec::new();
    for argument in arguments {
        match &argument.data {
            DataArg::File(spec) if matches!(spec.columns, Columns::Prefix(_)) => return Ok(None),
            DataArg::File(spec)
                if !(spec.format == io::Format::Csv
                    && spec.columns == Columns::All
                    && io::is_inline_text(&spec.path)
                        .map_err(|e| file_error(argument.flag, spec, e))?) =>
            {
                let file = files
                    .iter()
                    .position(|(f, _)| f.path == spec.path && f.format == spec.format);
                let file = file.unwrap_or_else(|| {
                    files.push((spec, Vec::new()));
                    files.len() - 1
                });
                let selections = &mut files[file].1;
                let selection = selections.iter().position(|c| *c == spec.columns);
                let selection = selection.unwrap_or_else(|| {
                    selections.push(spec.columns.clone());
                    selections.len() - 1
                });
                file_picks.push((argument.role, file, selection));
            }
            data => {
                let data = load_data_arg(argument.flag, data)?;
                if matches!(data, Data::Rows(_)) {
                    return Ok(None);
                }
                picks.push((
                    argument.role,
                    Pick {
                        source: sources.len(),
                        selection: 0,
                    },
                ));
                sources.push(Box::new(MemorySource::new(&data)));
            }
        }
    }
    let first_file = sources.len();
    for (spec, selections) in &files {
        let source = io::open(&spec.path, spec.format, selections, Header::Detect)
            .map_err(|e| file_error(&flags_of(arguments, spec), spec, e))?;
        sources.push(source);
    }
    for (role, file, selection) in file_picks {
        picks.push((
            role,
            Pick {
                source: first_file + file,
                selection,
            },
        ));
    }
    Ok(Some(Inputs { sources, picks }))
}

/// The arguments reading `spec`'s file (read once for all of them).
fn flags_of(arguments: &[Argument], spec: &FileSpec) -> String {
    let flags: Vec<&str> = arguments
        .iter()
        .filter(|a| matches!(&a.data, DataArg::File(f) if f.path == spec.path))
        .map(|a| a.flag)
        .collect();
    flags.join(" and ")
}

/// A streamed evaluation's error, named by argument and file.
fn stream_error(arguments: &[Argument], err: StreamError) -> anyhow::Error {
    let argument = |role: Role| arguments.iter().find(|a| a.role == role);
    let flag = |role: Role| argument(role).map_or("--data", |a| a.flag);
    let file = |role: Role| match argument(role).map(|a| &a.data) {
        Some(DataArg::File(spec)) => Some(spec),
        _ => None,
    };
    match err {
        StreamError::Read { role, source } => match file(role) {
            Some(spec) => file_error(&flags_of(arguments, spec), spec, source),
            None => anyhow::anyhow!("{}: {source}", flag(role)),
        },
        StreamError::Refused {
            role,
            sample,
            message,
        } => {
            let place = file(role).map_or(String::new(), |spec| {
                format!(" (file `{}`{})", spec.shown(), column_text(&spec.columns))
            });
            anyhow::anyhow!("{}: sample {sample} {message}{place}", flag(role))
        }
        StreamError::Loss(err) => on_the_command_line(err),
        StreamError::Lengths {
            short,
            count,
            long,
            long_count,
        } => anyhow::anyhow!(
            "{}: has {count} value{} but {} has {long_count}",
            flag(short),
            if count == 1 { "" } else { "s" },
            flag(long)
        ),
        StreamError::Write(err) => anyhow::Error::from(err),
    }
}

fn column_text(columns: &Columns) -> String {
    match columns {
        Columns::Named(name) => format!(", column `{name}`"),
        _ => String::new(),
    }
}

/// A progress bar on a terminal, for data read from files.
fn progress_bar(arguments: &[Argument]) -> Option<indicatif::ProgressBar> {
    let from_files = arguments.iter().any(|a| matches!(a.data, DataArg::File(_)));
    if !from_files || !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = indicatif::ProgressBar::new_spinner();
    let style = indicatif::ProgressStyle::with_template(
        "{spinner} {human_pos} samples read, {per_sec} ({elapsed})",
    )
    .ok()?;
    bar.set_style(style);
    Some(bar)
}

/// One pass over freshly opened inputs, with a progress bar.
fn pass(
    loss: &Loss,
    arguments: &[Argument],
    inputs: Option<Inputs>,
    scale: f64,
    mut sink: impl FnMut(&SampleBatch) -> std::io::Result<()>,
) -> Result<stream::PassTotals> {
    let mut inputs = match inputs {
        Some(inputs) => inputs,
        None => open_inputs(arguments)?.context("the data changed while being read")?,
    };
    let bar = progress_bar(arguments);
    let totals = stream::run_pass(
        loss,
        &mut inputs,
        scale,
        StreamOptions::default(),
        |batch| {
            if let Some(bar) = &bar {
                bar.inc(batch.per_sample.len() as u64);
            }
            sink(batch)
        },
    );
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    totals.map_err(|err| stream_error(arguments, err))
}

fn samples_of(batch: &SampleBatch) -> Samples<'_> {
    Samples {
        first_row: batch.first_row,
        rows: batch.per_sample.len(),
        target: Cells::Flat(&batch.target),
        prediction: Cells::Flat(&batch.prediction),
        per_sample: &batch.per_sample,
        gradient: Cells::Flat(&batch.gradient),
        hessian: Some(&batch.hessian),
    }
}

fn run_streamed(
    loss: &Loss,
    arguments: &[Argument],
    inputs: Inputs,
    request: Request,
    out: &mut impl Write,
) -> Result<()> {
    // A first pass finds the value and checks every sample, so that a bad
    // sample stops the command before anything is printed.
    let mut saturation = Saturation::default();
    let totals = pass(loss, arguments, Some(inputs), 1.0, |batch| {
        saturation.add(loss, batch.first_row, &batch.target, &batch.prediction);
        Ok(())
    })?;
    let (value, denominator, mut warnings, samples) = match request.reduction {
        Some(reduction) => {
            let (value, denominator, warnings) = stream::reduce(&totals, reduction);
            (Some(value), denominator, warnings, totals.samples)
        }
        None => (None, 1.0, Vec::new(), totals.samples),
    };
    warnings.extend(saturation.warning());
    if request.json {
        out.write_all(b"{")?;
        if !request.summary {
            for key in ["gradient", "hessian"] {
                let mut array = JsonArray::open(out, key)?;
                pass(loss, arguments, None, denominator, |batch| {
                    let values = if key == "gradient" {
                        &batch.gradient
                    } else {
                        &batch.hessian
                    };
                    array.write(out, Cells::Flat(values), values.len())
                })?;
                array.close(out)?;
                out.write_all(b",")?;
            }
        }
        output::json_loss_and_params(out, loss)?;
        out.write_all(b",")?;
        if !request.summary {
            let mut array = JsonArray::open(out, "per_sample")?;
            pass(loss, arguments, None, denominator, |batch| {
                array.write(out, Cells::Flat(&batch.per_sample), batch.per_sample.len())
            })?;
            array.close(out)?;
            out.write_all(b",")?;
        }
        let counted = request.summary.then_some(samples);
        output::json_tail(out, request.reduction, counted, value, &warnings)?;
        out.write_all(b"}\n")?;
        return Ok(());
    }
    for warning in &warnings {
        eprintln!("warning: {warning}");
    }
    output::table_head(
        out,
        loss,
        request.reduction,
        value,
        request.summary.then_some(samples),
    )?;
    if !request.summary {
        let mut table = Table::new(true);
        let mut started = false;
        pass(loss, arguments, None, denominator, |batch| {
            let samples = samples_of(batch);
            if !started {
                table.start(out, &samples)?;
                started = true;
            }
            table.write(out, &samples)
        })?;
    }
    Ok(())
}

/// Cells of data in memory: a flat array with one value per sample, a
/// matrix, or one row shown whole on every line.
fn data_cells(data: &Data, flat_rows: &mut Vec<f64>, samples: usize) -> usize {
    match data {
        Data::Flat(values) if values.len() == samples => 0,
        Data::Flat(_) => 1,
        Data::Rows(rows) => {
            *flat_rows = rows.concat();
            rows.first().map_or(1, Vec::len).max(1)
        }
    }
}

fn cells<'a>(data: &'a Data, flat_rows: &'a [f64], kind: usize) -> Cells<'a> {
    match (data, kind) {
        (Data::Flat(values), 0) => Cells::Flat(values),
        (Data::Flat(values), _) => Cells::Whole(values),
        (Data::Rows(_), width) => Cells::Rows(flat_rows, width),
    }
}

fn run_in_memory(
    loss: &Loss,
    arguments: &[Argument],
    request: Request,
    out: &mut impl Write,
) -> Result<()> {
    let load = |role: Role| {
        arguments
            .iter()
            .find(|a| a.role == role)
            .map(|a| load_data_arg(a.flag, &a.data))
            .transpose()
    };
    let target = load(Role::Target)?.unwrap_or(Data::Flat(Vec::new()));
    let prediction = load(Role::Prediction)?.unwrap_or(Data::Flat(Vec::new()));
    let weights = match load(Role::Weights)? {
        Some(Data::Flat(values)) => Some(values),
        Some(Data::Rows(_)) => bail!("--weights: expected one weight per sample, got rows"),
        None => None,
    };
    let evaluation = loss
        .evaluate(
            &target,
            &prediction,
            weights.as_deref(),
            request.reduction.unwrap_or(Reduction::Sum),
        )
        .map_err(on_the_command_line)?;
    let value = request.reduction.map(|_| evaluation.value);
    let n = evaluation.per_sample.len();
    let (mut t_rows, mut p_rows, mut g_rows) = (Vec::new(), Vec::new(), Vec::new());
    let t_kind = data_cells(&target, &mut t_rows, n);
    let p_kind = data_cells(&prediction, &mut p_rows, n);
    let g_kind = data_cells(&evaluation.gradient, &mut g_rows, n);
    let samples = Samples {
        first_row: 0,
        rows: n,
        target: cells(&target, &t_rows, t_kind),
        prediction: cells(&prediction, &p_rows, p_kind),
        per_sample: &evaluation.per_sample,
        gradient: cells(&evaluation.gradient, &g_rows, g_kind),
        hessian: evaluation.hessian.as_deref(),
    };
    let counted = request.summary.then_some(n as u64);
    if request.json {
        out.write_all(b"{")?;
        if !request.summary {
            let mut array = JsonArray::open(out, "gradient")?;
            match (&evaluation.gradient, samples.gradient) {
                // One row given as a flat array: its gradient is that one flat row.
                (Data::Flat(values), Cells::Whole(_)) => {
                    array.write(out, Cells::Flat(values), values.len())?
                }
                (_, cells) => array.write(out, cells, n)?,
            }
            array.close(out)?;
            out.write_all(b",")?;
            if let Some(hessian) = samples.hessian {
                let mut array = JsonArray::open(out, "hessian")?;
                array.write(out, Cells::Flat(hessian), n)?;
                array.close(out)?;
                out.write_all(b",")?;
            }
        }
        output::json_loss_and_params(out, loss)?;
        out.write_all(b",")?;
        if !request.summary {
            let mut array = JsonArray::open(out, "per_sample")?;
            array.write(out, Cells::Flat(&evaluation.per_sample), n)?;
            array.close(out)?;
            out.write_all(b",")?;
        }
        output::json_tail(out, request.reduction, counted, value, &evaluation.warnings)?;
        out.write_all(b"}\n")?;
        return Ok(());
    }
    for warning in &evaluation.warnings {
        eprintln!("warning: {warning}");
    }
    output::table_head(out, loss, request.reduction, value, counted)?;
    if !request.summary {
        let mut table = Table::new(samples.hessian.is_some());
        table.start(out, &samples)?;
        table.write(out, &samples)?;
    }
    Ok(())
}

/// A core error, named by the command-line argument it comes from.
fn on_the_command_line(err: LossError) -> anyhow::Error {
    match &err {
        LossError::UnknownLoss { .. } => anyhow::anyhow!("--loss: {err}"),
        LossError::UnknownParam { param, .. } | LossError::BadParam { param, .. } => {
            anyhow::anyhow!("--param {param}: {err}")
        }
        LossError::BadData { what, message } => anyhow::anyhow!("--{what}: {message}"),
        LossError::Domain(domain) => anyhow::anyhow!("--{domain}"),
    }
}

/// `KEY=VALUE` pairs into parameters; each key once.
fn parse_params(pairs: &[String]) -> Result<Params> {
    let mut params = Params::new();
    for pair in pairs {
        let Some((key, value)) = pair.split_once('=') else {
            bail!("--param `{pair}`: expected KEY=VALUE");
        };
        let key = key.trim();
        if key.is_empty() {
            bail!("--param `{pair}`: the parameter name is empty");
        }
        if value.trim().is_empty() {
            bail!("--param `{pair}`: the value is empty");
        }
        if params
            .insert(key.to_string(), ParamValue::parse_text(value.trim()))
            .is_some()
        {
            bail!("--param `{key}` is given twice");
        }
    }
    Ok(params)
}
