//! `losslab eval`: one loss on data given on the command line.
//!
//! The JSON form (`--json`) is a contract that scripts depend on: exactly one
//! object on stdout, non-finite numbers as the strings "Infinity",
//! "-Infinity" and "NaN".

use std::fmt::Write as _;
use std::io::Write as _;

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
    let text = if args.json {
        let mut text = serde_json::to_string(&to_json(&loss, reduction, &evaluation))?;
        text.push('\n');
        text
    } else {
        for warning in &evaluation.warnings {
            eprintln!("warning: {warning}");
        }
        to_table(&loss, reduction, &target, &prediction, &evaluation)
    };
    write_stdout(&text)
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

/// Print to stdout; a reader that stops early (`| head`) ends the output
/// quietly, as for any Unix filter, instead of a panic.
fn write_stdout(text: &str) -> Result<()> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(err) if err.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(err).context("cannot write to standard output")
        }
        _ => Ok(()),
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

fn format_param(value: &ParamValue) -> String {
    json_param(value).to_string()
}

fn format_row(values: &[f64]) -> String {
    let cells: Vec<String> = values.iter().map(|v| format!("{v}")).collect();
    format!("[{}]", cells.join(", "))
}

fn rows_of(data: &Data) -> Vec<String> {
    match data {
        Data::Flat(values) => values.iter().map(|v| format!("{v}")).collect(),
        Data::Rows(rows) => rows.iter().map(|row| format_row(row)).collect(),
    }
}

/// A readable table for a person: summary, then one line per sample.
fn to_table(
    loss: &Loss,
    reduction: Reduction,
    target: &Data,
    prediction: &Data,
    evaluation: &Evaluation,
) -> String {
    let params: Vec<String> = loss
        .params()
        .iter()
        .map(|(key, value)| format!("{key} = {}", format_param(value)))
        .collect();
    let mut out = String::new();
    let _ = writeln!(out, "loss       {}", loss.name());
    if !params.is_empty() {
        let _ = writeln!(out, "params     {}", params.join(", "));
    }
    let _ = writeln!(out, "reduction  {}", reduction_name(reduction));
    let _ = writeln!(out, "value      {}", evaluation.value);
    let _ = writeln!(out);

    let mut header = vec!["sample", "target", "prediction", "loss", "gradient"];
    if evaluation.hessian.is_some() {
        header.push("hessian");
    }
    let targets = rows_of(target);
    let predictions = rows_of(prediction);
    let gradients = rows_of(&evaluation.gradient);
    // A 1-D input to a row loss is one row: show it as one line.
    let single_row = |column: &[String]| {
        if column.len() == evaluation.per_sample.len() {
            column.to_vec()
        } else {
            vec![format!("[{}]", column.join(", "))]
        }
    };
    let targets = single_row(&targets);
    let predictions = single_row(&predictions);
    let gradients = single_row(&gradients);
    let mut lines = vec![header.iter().map(|s| s.to_string()).collect::<Vec<_>>()];
    for (i, value) in evaluation.per_sample.iter().enumerate() {
        let mut line = vec![
            i.to_string(),
            targets.get(i).cloned().unwrap_or_default(),
            predictions.get(i).cloned().unwrap_or_default(),
            format!("{value}"),
            gradients.get(i).cloned().unwrap_or_default(),
        ];
        if let Some(hessian) = &evaluation.hessian {
            line.push(hessian.get(i).map(|h| format!("{h}")).unwrap_or_default());
        }
        lines.push(line);
    }
    let widths: Vec<usize> = (0..header.len())
        .map(|c| {
            lines
                .iter()
                .map(|l| l[c].chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    for line in lines {
        let cells: Vec<String> = line
            .iter()
            .zip(&widths)
            .map(|(cell, width)| format!("{cell:<width$}"))
            .collect();
        let _ = writeln!(out, "{}", cells.join("  ").trim_end());
    }
    out
}
