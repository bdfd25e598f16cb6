//! `losslab eval --wrt score`: gradient and Hessian with respect to the raw
//! score, per sample, as XGBoost and LightGBM custom objectives return them
//! (no reduction, no weights: the booster applies both).

use std::io::Write;

use anyhow::{bail, Context, Result};
use serde_json::{json, Value};

use super::data_arg::{load_data_arg, parse_data_arg};
use crate::loss::{Data, HessianMode, Loss, ScoreDerivatives};

/// Parsed options of `--wrt score`.
pub struct ScoreRequest<'a> {
    pub target: &'a str,
    pub score: &'a str,
    pub hessian: HessianMode,
    pub full_matrix: bool,
    pub json: bool,
}

/// `--hessian MODE` with `--hessian-floor EPS`, as a mode.
pub fn hessian_mode(text: &str, floor: f64) -> Result<HessianMode> {
    HessianMode::parse(text, floor).map_err(|e| anyhow::anyhow!("--hessian: {e}"))
}

pub fn run(loss: &Loss, request: &ScoreRequest<'_>) -> Result<()> {
    let target = load_data_arg("--target", &parse_data_arg("--target", request.target)?)?;
    let score = load_data_arg(
        "--prediction",
        &parse_data_arg("--prediction", request.score)?,
    )?;
    let derivatives = loss
        .wrt_score(&target, &score, request.hessian, request.full_matrix)
        .map_err(|e| anyhow::anyhow!("{e}"))
        .context("eval --wrt score")?;
    let mut out = std::io::stdout().lock();
    if request.json {
        let value = to_json(loss, request.hessian, &derivatives);
        writeln!(out, "{value}")?;
        return Ok(());
    }
    for warning in &derivatives.warnings {
        eprintln!("warning: {warning}");
    }
    writeln!(out, "loss       {}", loss.name())?;
    writeln!(out, "link       {}", derivatives.link.as_str())?;
    writeln!(out, "hessian    {}", request.hessian.name())?;
    writeln!(out)?;
    writeln!(out, "sample  loss  gradient  hessian")?;
    let rows = |d: &Data| -> Vec<String> {
        match d {
            Data::Flat(v) if derivatives.link != crate::loss::Link::Softmax => {
                v.iter().map(|x| format!("{x}")).collect()
            }
            Data::Flat(v) => vec![format!("{v:?}")],
            Data::Rows(r) => r.iter().map(|x| format!("{x:?}")).collect(),
        }
    };
    let (g, h) = (rows(&derivatives.gradient), rows(&derivatives.hessian));
    for (i, v) in derivatives.value.iter().enumerate() {
        if i >= g.len() {
            bail!("internal: fewer gradients than values");
        }
        writeln!(out, "{i}  {v}  {}  {}", g[i], h[i])?;
    }
    Ok(())
}

/// A number as the JSON contract writes it: non-finite as a string.
fn number(x: f64) -> Value {
    if x.is_finite() {
        json!(x)
    } else if x.is_nan() {
        json!("NaN")
    } else if x > 0.0 {
        json!("Infinity")
    } else {
        json!("-Infinity")
    }
}

fn data(d: &Data) -> Value {
    match d {
        Data::Flat(v) => Value::Array(v.iter().map(|&x| number(x)).collect()),
        Data::Rows(r) => Value::Array(
            r.iter()
                .map(|row| Value::Array(row.iter().map(|&x| number(x)).collect()))
                .collect(),
        ),
    }
}

fn to_json(loss: &Loss, mode: HessianMode, d: &ScoreDerivatives) -> Value {
    let mut object = json!({
        "gradient": data(&d.gradient),
        "hessian": data(&d.hessian),
        "hessian_mode": mode.name(),
        "link": d.link.as_str(),
        "loss": loss.name(),
        "params": serde_json::to_value(loss.params()).unwrap_or(Value::Null),
        "per_sample": Value::Array(d.value.iter().map(|&x| number(x)).collect()),
        "warnings": d.warnings,
        "wrt": "score",
    });
    if let (Some(m), Some(map)) = (&d.hessian_matrix, object.as_object_mut()) {
        map.insert(
            "hessian_matrix".to_string(),
            Value::Array(
                m.iter()
                    .map(|rows| data(&Data::Rows(rows.clone())))
                    .collect(),
            ),
        );
    }
    if let (HessianMode::Floor(eps), Some(map)) = (mode, object.as_object_mut()) {
        map.insert("hessian_floor".to_string(), number(eps));
    }
    object
}
