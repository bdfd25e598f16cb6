//! `losslab eval`: losses on data given on the command line or in files.
//!
//! The JSON form (`--json`) is a contract that scripts depend on: exactly one
//! object on stdout, non-finite numbers as the strings "Infinity",
//! "-Infinity" and "NaN". With several losses (`--loss mse,mae` or
//! `--loss` repeated) the output is each loss's own output in turn: tables
//! one after the other, separated by an empty line, or one JSON object
//! `{"evaluations": [...]}` holding each loss's object.
//!
//! Elementwise losses stream their data ([`super::eval_stream`]): every loss
//! in one pass, memory independent of the file, values with the bits of an
//! in-memory evaluation. Row losses read their data into memory.

use std::io::Write;

use anyhow::{bail, Context, Result};

use super::data_arg::{load_data_arg, parse_data_arg};
use super::eval_args::{for_loss, Argument, Request, Task};
use super::eval_output::{self as output, Cells, JsonArray, Samples, Table};
use crate::loss::{Data, Loss, LossError, ParamValue, Params, Reduction};

#[derive(Debug, clap::Args)]
pub struct EvalArgs {
    /// Loss name or alias (see `losslab list`), with parameters as
    /// NAME:KEY=VALUE[:KEY=VALUE]; several losses comma-separated or with
    /// --loss repeated (`--loss mse,huber:delta=0.5`), all in one pass.
    #[arg(long = "loss", required = true)]
    pub losses: Vec<String>,
    /// A loss parameter, KEY=VALUE (repeatable), for a single loss: `delta=1.5`, `from_logits=true`, `class_weights=[1,2]`.
    #[arg(long = "param", value_name = "KEY=VALUE")]
    pub params: Vec<String>,
    /// How per-sample values are reduced; `none` lists them without a value.
    #[arg(long, value_enum, default_value = "mean")]
    pub reduction: ReductionArg,
    /// Targets: a JSON array, a comma-separated list, or @FILE, @FILE:COLUMN,
    /// @FILE:PREFIX* (CSV, .parquet, .npy; JSON or a list in a file). Once for
    /// every loss, or once per loss in the order of --loss.
    #[arg(long = "target", required = true, allow_hyphen_values = true)]
    pub targets: Vec<String>,
    /// Predictions, in the same forms as --target (once, or once per loss).
    #[arg(long = "prediction", required = true, allow_hyphen_values = true)]
    pub predictions: Vec<String>,
    /// One non-negative weight per sample, in the same forms as --target.
    #[arg(long, allow_hyphen_values = true)]
    pub weights: Option<String>,
    /// Print one JSON object instead of a table.
    #[arg(long)]
    pub json: bool,
    /// Print the value only (and the number of samples), not every sample: for big files.
    #[arg(long)]
    pub summary: bool,
    /// Derivatives with respect to the prediction (default) or to the raw
    /// score through the loss's link (identity, logit, log or softmax), per
    /// sample, as gradient boosting uses them; --prediction holds the scores.
    #[arg(long, value_enum, default_value = "prediction")]
    pub wrt: Wrt,
    /// With --wrt score: the Hessian handed to the booster: exact, constant
    /// (1), floor (max(h, --hessian-floor)) or pseudo_huber (XGBoost's form).
    #[arg(long, default_value = "exact")]
    pub hessian: String,
    /// The ε of --hessian floor.
    #[arg(long, default_value_t = 1e-6)]
    pub hessian_floor: f64,
    /// With --wrt score and a softmax link: also print each row's full Hessian matrix.
    #[arg(long)]
    pub full_hessian: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Wrt {
    Prediction,
    Score,
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

pub fn run(args: &EvalArgs) -> Result<()> {
    let losses = parse_losses(&args.losses, &args.params)?;
    if args.wrt == Wrt::Score {
        if args.weights.is_some() || args.summary {
            bail!("--wrt score gives per-sample derivatives for a booster, which applies weights itself: drop --weights and --summary");
        }
        let ([loss], [target], [score]) = (
            losses.as_slice(),
            args.targets.as_slice(),
            args.predictions.as_slice(),
        ) else {
            bail!("--wrt score takes one loss, one --target and one --prediction");
        };
        let request = super::eval_score::ScoreRequest {
            target,
            score,
            hessian: super::eval_score::hessian_mode(&args.hessian, args.hessian_floor)?,
            full_matrix: args.full_hessian,
            json: args.json,
        };
        return super::eval_score::run(loss, &request);
    }
    if args.hessian != "exact" || args.full_hessian {
        bail!("--hessian and --full-hessian apply to --wrt score");
    }
    let request = Request {
        reduction: args.reduction.reduction(),
        json: args.json,
        summary: args.summary,
    };
    if request.summary && request.reduction.is_none() {
        bail!("--summary prints the reduced value: give --reduction mean, sum or weighted_mean");
    }
    let (arguments, tasks) = arguments(args, losses)?;
    let mut out = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    let written = match super::eval_stream::open(&arguments, &tasks)? {
        Some(inputs) => super::eval_stream::run(&arguments, &tasks, inputs, request, &mut out),
        None => run_all_in_memory(&arguments, &tasks, request, &mut out),
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

/// The data arguments and which loss reads which: `--target` and
/// `--prediction` once for all losses, or once per loss.
fn arguments(args: &EvalArgs, losses: Vec<Loss>) -> Result<(Vec<Argument>, Vec<Task>)> {
    let n = losses.len();
    let mut arguments = Vec::new();
    let mut add = |flag: &str, texts: &[String]| -> Result<Vec<usize>> {
        if texts.len() != 1 && texts.len() != n {
            bail!(
                "{flag} is given {} times for {n} losses: give it once for every loss, or once per loss",
                texts.len()
            );
        }
        let mut indices = Vec::new();
        for (k, text) in texts.iter().enumerate() {
            let flag = if texts.len() == 1 {
                flag.to_string()
            } else {
                format!("{flag} #{}", k + 1)
            };
            let data = parse_data_arg(&flag, text)?;
            indices.push(arguments.len());
            arguments.push(Argument { flag, data });
        }
        Ok(indices)
    };
    let targets = add("--target", &args.targets)?;
    let predictions = add("--prediction", &args.predictions)?;
    let weights = match &args.weights {
        Some(text) => Some(add("--weights", std::slice::from_ref(text))?[0]),
        None => None,
    };
    let pick = |indices: &[usize], k: usize| indices[k.min(indices.len() - 1)];
    let tasks = losses
        .into_iter()
        .enumerate()
        .map(|(k, loss)| Task {
            loss,
            target: pick(&targets, k),
            prediction: pick(&predictions, k),
            weights,
        })
        .collect();
    Ok((arguments, tasks))
}

/// The losses of `--loss` (and `--param`, for a single loss).
fn parse_losses(values: &[String], params: &[String]) -> Result<Vec<Loss>> {
    let mut specs: Vec<(String, Vec<String>)> = Vec::new();
    for value in values {
        for item in split_outside_brackets(value) {
            let item = item.trim();
            let is_param = item
                .find('=')
                .is_some_and(|eq| item.find(':').is_none_or(|colon| eq < colon));
            match specs.last_mut() {
                // `focal:gamma=2,alpha=0.25`: a further parameter of the loss before.
                Some((_, pairs)) if is_param => pairs.push(item.to_string()),
                _ if is_param => bail!("--loss `{value}`: a parameter comes before any loss name"),
                _ => {
                    let mut parts = item.split(':');
                    let name = parts.next().unwrap_or_default().trim();
                    if name.is_empty() {
                        bail!("--loss `{value}`: a loss name is empty");
                    }
                    specs.push((name.to_string(), parts.map(str::to_string).collect()));
                }
            }
        }
    }
    if !params.is_empty() && specs.len() != 1 {
        bail!(
            "--param is for a single loss; with several, give parameters as --loss NAME:KEY=VALUE"
        );
    }
    specs
        .into_iter()
        .map(|(name, mut pairs)| {
            pairs.extend(params.iter().cloned());
            let params = parse_params(&pairs)?;
            Loss::new(&name, &params).map_err(on_the_command_line)
        })
        .collect()
}

/// `a,b:[1,2],c` into `a`, `b:[1,2]`, `c`: commas inside brackets belong to a list.
fn split_outside_brackets(text: &str) -> Vec<&str> {
    let (mut items, mut depth, mut start) = (Vec::new(), 0i32, 0);
    for (i, c) in text.char_indices() {
        match c {
            '[' => depth += 1,
            ']' => depth -= 1,
            ',' if depth == 0 => {
                items.push(&text[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    items.push(&text[start..]);
    items
}

/// Several losses: each one's output in turn (see the module documentation).
fn run_all_in_memory(
    arguments: &[Argument],
    tasks: &[Task],
    request: Request,
    out: &mut impl Write,
) -> Result<()> {
    let several = tasks.len() > 1;
    if several && request.json {
        out.write_all(b"{\"evaluations\":[")?;
    }
    for (k, task) in tasks.iter().enumerate() {
        if k > 0 {
            out.write_all(if request.json { b"," } else { b"\n" })?;
        }
        let load = |index: Option<usize>| {
            index
                .map(|i| load_data_arg(&arguments[i].flag, &arguments[i].data))
                .transpose()
        };
        let target = load(Some(task.target))?.unwrap_or(Data::Flat(Vec::new()));
        let prediction = load(Some(task.prediction))?.unwrap_or(Data::Flat(Vec::new()));
        let weights = match load(task.weights)? {
            Some(Data::Flat(values)) => Some(values),
            Some(Data::Rows(_)) => bail!("--weights: expected one weight per sample, got rows"),
            None => None,
        };
        run_in_memory(
            &task.loss,
            (&target, &prediction, weights.as_deref()),
            request,
            out,
        )
        .map_err(|err| for_loss(err, &task.loss, several))?;
    }
    if several && request.json {
        out.write_all(b"]}\n")?;
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

/// One loss on data in memory; the output of a single loss.
fn run_in_memory(
    loss: &Loss,
    (target, prediction, weights): (&Data, &Data, Option<&[f64]>),
    request: Request,
    out: &mut impl Write,
) -> Result<()> {
    let evaluation = loss
        .evaluate(
            target,
            prediction,
            weights,
            request.reduction.unwrap_or(Reduction::Sum),
        )
        .map_err(on_the_command_line)?;
    let value = request.reduction.map(|_| evaluation.value);
    let n = evaluation.per_sample.len();
    let (mut t_rows, mut p_rows, mut g_rows) = (Vec::new(), Vec::new(), Vec::new());
    let t_kind = data_cells(target, &mut t_rows, n);
    let p_kind = data_cells(prediction, &mut p_rows, n);
    let g_kind = data_cells(&evaluation.gradient, &mut g_rows, n);
    let samples = Samples {
        first_row: 0,
        rows: n,
        target: cells(target, &t_rows, t_kind),
        prediction: cells(prediction, &p_rows, p_kind),
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
pub(super) fn on_the_command_line(err: LossError) -> anyhow::Error {
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
