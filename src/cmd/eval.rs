//! `losslab eval`: one loss on data given on the command line.
//!
//! The JSON form (`--json`) is a contract that scripts depend on: exactly one
//! object on stdout, non-finite numbers as the strings "Infinity",
//! "-Infinity" and "NaN".

use std::io::Write;

use anyhow::{bail, Context, Result};
use serde_json::{json, Map, Value};

use super::data_arg::parse_data_arg;
use super::json::json_number;
use crate::loss::{Data, Evaluation, Loss, LossError, ParamValue, Params, Reduction};

#[derive(Debug, clap::Args)]
pub struct EvalArgs {
    /// Loss name or alias (see `losslab list`).
    #[arg(long)]
    pub loss: String,
    /// A loss parameter, KEY=VALUE (repeatable): `delta=1.5`, `from_logits=true`, `class_weights=[1,2]`.
    #[arg(long = "param", value_name = "KEY=VALUE")]
    pub params: Vec<String>,
    /// How per-sample values are reduced.
    #[arg(long, value_enum, default_value = "mean")]
    pub reduction: ReductionArg,
    /// Targets: a JSON array, a comma-separated list, or @PATH (JSON or CSV, one row per sample).
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
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum ReductionArg {
    Mean,
    Sum,
    #[value(name = "weighted_mean", alias = "weighted-mean")]
    WeightedMean,
}

impl From<ReductionArg> for Reduction {
    fn from(arg: ReductionArg) -> Reduction {
        match arg {
            ReductionArg::Mean => Reduction::Mean,
            ReductionArg::Sum => Reduction::Sum,
            ReductionArg::WeightedMean => Reduction::WeightedMean,
        }
    }
}

pub fn run(args: &EvalArgs) -> Result<()> {
    let params = parse_params(&args.params)?;
    let loss = Loss::new(&args.loss, &params).map_err(on_the_command_line)?;
    let target = parse_data_arg("--target", &args.target)?;
    let prediction = parse_data_arg("--prediction", &args.prediction)?;
    let weights = match &args.weights {
        Some(text) => match parse_data_arg("--weights", text)? {
            Data::Flat(values) => Some(values),
            Data::Rows(_) => bail!("--weights: expected one weight per sample, got rows"),
        },
        None => None,
    };
    let reduction = Reduction::from(args.reduction);
    let evaluation = loss
        .evaluate(&target, &prediction, weights.as_deref(), reduction)
        .map_err(on_the_command_line)?;
    if !args.json {
        for warning in &evaluation.warnings {
            eprintln!("warning: {warning}");
        }
    }
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let written = if args.json {
        serde_json::to_writer(&mut out, &to_json(&loss, reduction, &evaluation))
            .map_err(std::io::Error::from)
            .and_then(|()| out.write_all(b"\n"))
    } else {
        write_table(
            &mut out,
            &loss,
            reduction,
            &target,
            &prediction,
            &evaluation,
        )
    };
    match written.and_then(|()| out.flush()) {
        // A reader that stops early (`| head`) ends the output quietly, as
        // for any Unix filter, instead of a panic or an error.
        Err(err) if err.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(err).context("cannot write to standard output")
        }
        _ => Ok(()),
    }
}

/// A core error, named by the command-line argument it comes from.
fn on_the_command_line(err: LossError) -> anyhow::Error {
    match &err {
        LossError::UnknownLoss { .. } => anyhow::anyhow!("--loss: {err}"),
        LossError::UnknownParam { param, .. } | LossError::BadParam { param, .. } => {
            anyhow::anyhow!("--param {param}: {err}")
        }
        LossError::BadData { what, message } => anyhow::anyhow!("--{what}: {message}"),
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

fn json_numbers(values: &[f64]) -> Value {
    Value::Array(values.iter().copied().map(json_number).collect())
}

fn json_data(data: &Data) -> Value {
    match data {
        Data::Flat(values) => json_numbers(values),
        Data::Rows(rows) => Value::Array(rows.iter().map(|row| json_numbers(row)).collect()),
    }
}

fn json_param(value: &ParamValue) -> Value {
    match value {
        ParamValue::Number(x) => json_number(*x),
        ParamValue::Bool(b) => Value::from(*b),
        ParamValue::Text(s) => Value::from(s.as_str()),
        ParamValue::List(xs) => json_numbers(xs),
        ParamValue::None => Value::Null,
    }
}

fn to_json(loss: &Loss, reduction: Reduction, evaluation: &Evaluation) -> Value {
    let params: Map<String, Value> = loss
        .params()
        .iter()
        .map(|(key, value)| (key.clone(), json_param(value)))
        .collect();
    let mut object = json!({
        "loss": loss.name(),
        "params": params,
        "reduction": reduction_name(reduction),
        "value": json_number(evaluation.value),
        "per_sample": json_numbers(&evaluation.per_sample),
        "gradient": json_data(&evaluation.gradient),
        "warnings": evaluation.warnings,
    });
    if let Some(hessian) = &evaluation.hessian {
        object["hessian"] = json_numbers(hessian);
    }
    object
}

fn reduction_name(reduction: Reduction) -> &'static str {
    match reduction {
        Reduction::Mean => "mean",
        Reduction::Sum => "sum",
        Reduction::WeightedMean => "weighted_mean",
    }
}

/// As `list` shows it (`class_weights = none`, `ignore_index = -100`).
fn format_param(value: &ParamValue) -> String {
    super::list::param_text(value)
}

fn format_row(values: &[f64]) -> String {
    let cells: Vec<String> = values.iter().map(|v| format!("{v}")).collect();
    format!("[{}]", cells.join(", "))
}

/// How many rows decide the column widths: a million-row table is streamed,
/// not held in memory, and a rare wider cell just pushes its row out.
const WIDTH_SAMPLE: usize = 1000;

/// A readable table for a person: summary, then one line per sample, streamed.
fn write_table(
    out: &mut impl Write,
    loss: &Loss,
    reduction: Reduction,
    target: &Data,
    prediction: &Data,
    evaluation: &Evaluation,
) -> std::io::Result<()> {
    writeln!(out, "loss       {}", loss.name())?;
    let params: Vec<String> = loss
        .params()
        .iter()
        .map(|(key, value)| format!("{key} = {}", format_param(value)))
        .collect();
    if !params.is_empty() {
        writeln!(out, "params     {}", params.join(", "))?;
    }
    writeln!(out, "reduction  {}", reduction_name(reduction))?;
    writeln!(out, "value      {}", evaluation.value)?;
    writeln!(out)?;

    let mut header = vec!["sample", "target", "prediction", "loss", "gradient"];
    if evaluation.hessian.is_some() {
        header.push("hessian");
    }
    let samples = evaluation.per_sample.len();
    let cells = |i: usize| -> Vec<String> {
        let mut line = vec![
            i.to_string(),
            sample_text(target, i, samples),
            sample_text(prediction, i, samples),
            format!("{}", evaluation.per_sample[i]),
            sample_text(&evaluation.gradient, i, samples),
        ];
        if let Some(hessian) = &evaluation.hessian {
            line.push(format!("{}", hessian[i]));
        }
        line
    };
    let mut widths: Vec<usize> = header.iter().map(|h| h.len()).collect();
    for i in 0..samples.min(WIDTH_SAMPLE) {
        for (width, cell) in widths.iter_mut().zip(cells(i)) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let write_line = |out: &mut dyn Write, line: &[String]| -> std::io::Result<()> {
        let padded: Vec<String> = line
            .iter()
            .zip(&widths)
            .map(|(cell, width)| format!("{cell:<width$}"))
            .collect();
        writeln!(out, "{}", padded.join("  ").trim_end())
    };
    let header: Vec<String> = header.iter().map(|h| h.to_string()).collect();
    write_line(out, &header)?;
    for i in 0..samples {
        write_line(out, &cells(i))?;
    }
    Ok(())
}

/// Sample `i` of `data` as text; a 1-D input to a row loss is one row, shown whole.
fn sample_text(data: &Data, i: usize, samples: usize) -> String {
    match data {
        Data::Flat(values) if values.len() == samples => format!("{}", values[i]),
        Data::Flat(values) => format_row(values),
        Data::Rows(rows) => format_row(&rows[i]),
    }
}
