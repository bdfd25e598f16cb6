//! `kind = "saturation"`: the saturation map of framework conventions.
//!
//! ```toml
//! [[figures]]
//! name = "bce-saturation"
//! kind = "saturation"
//! losses = ["bce_keras", "bce_tf_keras", "bce_pytorch", "bce_sklearn"]
//! x = { from = -12.0, to = 12.0, step = 0.25 }   # log₁₀(q/(1 − q))
//! y = { from = 0.0, to = 1.0, step = 0.05 }      # the target y
//! ```
//!
//! One panel per loss in `losses`, each computed under a convention (not
//! `exact`) and compared with the same loss and parameters under `exact`.
//! The prediction axis is the log-odds x = log₁₀(q/(1 − q)), so q = 1e-8
//! sits near x = −8 and q = 1 − 1e-8 near x = 8: the regions where the
//! libraries clip are as wide as the middle. Elementwise losses must take a
//! probability; row losses (categorical cross-entropy, KL) are drawn on the
//! two-class path, target [y, 1 − y] and prediction [q, 1 − q], and must read
//! probabilities (not logits or log-probabilities).
//!
//! Budget: every cell is two evaluations (the convention and the exact
//! loss); a figure draws at most [`MAX_SATURATION_CELLS`] cells, checked
//! before any work.

use super::context::Context;
use super::error::ScenarioError;
use super::grid::{check_evaluations, GridSpec};
use super::valid::SaturationFigure;
use crate::loss::{Loss, ParamValue, Shape};

/// Most cells of one saturation figure, all panels together (each is a
/// rectangle in the SVG: 60,000 keep a figure under about 6 MB).
pub const MAX_SATURATION_CELLS: usize = 60_000;

/// Conventions whose row losses read probabilities (PyTorch and optax take
/// logits or log-probabilities there).
const ROW_PROBABILITY_CONVENTIONS: [&str; 3] = ["keras", "tf_keras", "scipy"];

pub(crate) fn validate(
    path: &str,
    ctx: &Context,
    names: &[String],
    x: &GridSpec,
    y: &GridSpec,
) -> Result<SaturationFigure, ScenarioError> {
    let rep = &ctx.rep;
    let losses = ctx.loss_list(&format!("{path}.losses"), names)?;
    let odds = x.validate(&format!("{path}.x"), rep)?;
    let targets = y.validate(&format!("{path}.y"), rep)?;
    let (low, high) = targets.span();
    if low < 0.0 || high > 1.0 {
        return Err(rep.invalid(
            format!("{path}.y"),
            format!("holds the targets y, which must lie in [0, 1]; got {low} to {high}"),
        ));
    }
    let cells = odds
        .len()
        .saturating_mul(targets.len())
        .saturating_mul(losses.len());
    if cells > MAX_SATURATION_CELLS {
        return Err(rep.invalid(
            path,
            format!(
                "would draw {cells} cells ({} × {} × {}); the limit is {MAX_SATURATION_CELLS}",
                odds.len(),
                targets.len(),
                count(losses.len())
            ),
        ));
    }
    check_evaluations(
        path,
        cells.saturating_mul(2),
        "each cell evaluates the convention and the exact loss",
        rep,
    )?;
    let mut exact = Vec::with_capacity(losses.len());
    for (i, member) in losses.iter().enumerate() {
        let at = format!("{path}.losses[{i}]");
        let mut params = member.loss.params();
        let convention = match params.remove("convention") {
            Some(ParamValue::Text(c)) if c != "exact" => c,
            _ => {
                return Err(rep.invalid(
                    at,
                    format!(
                        "\"{}\" is computed exactly; a saturation map compares a library's \
                         convention with the exact loss (set `convention` on it)",
                        member.label
                    ),
                ))
            }
        };
        params.remove("dtype");
        let reads_probability = match member.loss.shape() {
            Shape::Elementwise => member.loss.takes_probability(),
            Shape::Rows => {
                ROW_PROBABILITY_CONVENTIONS.contains(&convention.as_str())
                    && params.get("from_logits") != Some(&ParamValue::Bool(true))
            }
        };
        if !reads_probability {
            return Err(rep.invalid(
                at,
                format!(
                    "\"{}\" does not read its prediction as a probability q (logits, \
                     log-probabilities or a score); a saturation map is drawn against q",
                    member.label
                ),
            ));
        }
        let twin = Loss::new(member.loss.name(), &params)
            .map_err(|e| rep.invalid(at, format!("has no exact counterpart: {e}")))?;
        exact.push(twin);
    }
    Ok(SaturationFigure {
        losses,
        exact,
        odds,
        targets,
    })
}

fn count(n: usize) -> String {
    format!("{n} {}", if n == 1 { "loss" } else { "losses" })
}
