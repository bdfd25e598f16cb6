//! `[[losses]]`: a loss from the core's catalogue with its parameters; a
//! parameter given as an array of numbers is a sweep (one loss per value).
//!
//! ```toml
//! [[losses]]
//! name = "huber_sweep"        # how figures refer to it (default: the loss name)
//! loss = "huber"
//! delta = [0.2, 1.0, 1.5]     # three losses, one series each
//! ```
//!
//! Every key other than `name`, `loss` and `label` is a parameter, handed to
//! the core's `Loss::new`, which rejects unknown parameters and bad values: a
//! typo still fails, with the list of parameters the loss takes.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::error::{Reporter, ScenarioError};
use super::valid::LossMember;
use super::wording::symbol;
use crate::loss::{catalogue, loss_info, Loss, LossError, ParamValue, Params};

/// Most members one sweep may expand to (same cap as figure points).
pub const MAX_SWEEP: usize = 1_000_000;

#[derive(Debug, Clone, Deserialize)]
pub struct LossSpec {
    /// Reference name, `[a-z0-9][a-z0-9_-]*`; defaults to `loss`.
    pub name: Option<String>,
    /// Canonical loss name or alias (`losslab list`).
    pub loss: String,
    /// Legend label; defaults to a short name plus the parameters given.
    pub label: Option<String>,
    /// Parameters: numbers, booleans, strings (`"none"` for unset), lists.
    #[serde(flatten)]
    pub params: BTreeMap<String, toml::Value>,
}

impl LossSpec {
    pub fn reference_name(&self) -> &str {
        self.name.as_deref().unwrap_or(&self.loss)
    }

    /// Build every member through the core (`path` is `losses[i]`).
    pub fn build(&self, path: &str, rep: &Reporter) -> Result<Vec<LossMember>, ScenarioError> {
        let list_params = list_parameters(&self.loss);
        let mut fixed = Params::new();
        let mut sweep: Option<(String, Vec<f64>)> = None;
        for (key, value) in &self.params {
            let key_path = format!("{path}.{key}");
            match value {
                toml::Value::Array(items) if !list_params.contains(&key.as_str()) => {
                    if let Some((first, _)) = &sweep {
                        return Err(rep.invalid(
                            key_path,
                            format!("is a second sweep; only one parameter may be swept (already `{first}`)"),
                        ));
                    }
                    if items.is_empty() || items.len() > MAX_SWEEP {
                        return Err(rep.invalid(
                            key_path,
                            format!(
                                "sweep must have 1 to {MAX_SWEEP} values, got {}",
                                items.len()
                            ),
                        ));
                    }
                    let values = items
                        .iter()
                        .enumerate()
                        .map(|(i, v)| {
                            number(v).ok_or_else(|| {
                                rep.invalid(format!("{key_path}[{i}]"), "must be a number")
                            })
                        })
                        .collect::<Result<Vec<f64>, _>>()?;
                    sweep = Some((key.clone(), values));
                }
                other => {
                    let param = param_value(other).ok_or_else(|| {
                        rep.invalid(
                            &key_path,
                            "must be a number, boolean, string or list of numbers",
                        )
                    })?;
                    fixed.insert(key.clone(), param);
                }
            }
        }
        let base_label = self
            .label
            .clone()
            .unwrap_or_else(|| default_label(&self.loss, &fixed));
        let Some((key, values)) = sweep else {
            let loss = Loss::new(&self.loss, &fixed).map_err(|e| loss_error(e, path, None, rep))?;
            return Ok(vec![LossMember {
                loss,
                label: base_label,
                sweep: None,
            }]);
        };
        values
            .iter()
            .enumerate()
            .map(|(i, &v)| {
                let mut params = fixed.clone();
                params.insert(key.clone(), ParamValue::Number(v));
                let loss = Loss::new(&self.loss, &params)
                    .map_err(|e| loss_error(e, path, Some(i), rep))?;
                Ok(LossMember {
                    loss,
                    label: format!("{base_label}, {} = {}", symbol(&key), v),
                    sweep: Some((key.clone(), v)),
                })
            })
            .collect()
    }
}

/// Parameters whose value is itself a list (e.g. `class_weights`): never a sweep.
fn list_parameters(loss: &str) -> Vec<&'static str> {
    let canonical = Loss::new(loss, &Params::new())
        .map(|l| l.name())
        .unwrap_or("");
    catalogue()
        .into_iter()
        .filter(|info| info.name == canonical)
        .flat_map(|info| info.params)
        .filter(|p| p.takes_list || matches!(p.default, ParamValue::List(_)))
        .map(|p| p.name)
        .collect()
}

fn number(v: &toml::Value) -> Option<f64> {
    match v {
        toml::Value::Float(f) => Some(*f),
        toml::Value::Integer(i) => Some(*i as f64),
        _ => None,
    }
}

fn param_value(v: &toml::Value) -> Option<ParamValue> {
    Some(match v {
        toml::Value::Float(_) | toml::Value::Integer(_) => ParamValue::Number(number(v)?),
        toml::Value::Boolean(b) => ParamValue::Bool(*b),
        toml::Value::String(s) if s == "none" => ParamValue::None,
        toml::Value::String(s) => ParamValue::Text(s.clone()),
        toml::Value::Array(items) => {
            ParamValue::List(items.iter().map(number).collect::<Option<Vec<f64>>>()?)
        }
        _ => return None,
    })
}

/// Turn a core error into one that names the key path of the scenario.
fn loss_error(err: LossError, path: &str, index: Option<usize>, rep: &Reporter) -> ScenarioError {
    let at = |param: &str| match index {
        Some(i) => format!("{path}.{param}[{i}]"),
        None => format!("{path}.{param}"),
    };
    match err {
        LossError::UnknownLoss { name, suggestion } => {
            let hint = suggestion
                .map(|s| format!(" (did you mean \"{s}\"?)"))
                .unwrap_or_default();
            rep.invalid(
                format!("{path}.loss"),
                format!("refers to unknown loss \"{name}\"{hint}"),
            )
        }
        LossError::UnknownParam { loss, param, known } => rep.invalid(
            format!("{path}.{param}"),
            format!("is not a parameter of {loss} (it takes: {known})"),
        ),
        LossError::BadParam { param, message, .. } => rep.invalid(at(&param), message),
        LossError::BadData { what, message } => rep.invalid(path, format!("{what}: {message}")),
        LossError::Domain(domain) => rep.invalid(path, domain.to_string()),
    }
}

/// A short name for legends: the loss's display name from the catalogue;
/// a name the catalogue does not know is shown with spaces for underscores.
fn pretty_name(canonical: &str) -> String {
    loss_info(canonical).map_or_else(
        || canonical.replace('_', " "),
        |info| info.display_name.to_string(),
    )
}

fn default_label(loss: &str, params: &Params) -> String {
    let canonical = Loss::new(loss, &Params::new())
        .map(|l| l.name())
        .unwrap_or("");
    let name = pretty_name(if canonical.is_empty() {
        loss
    } else {
        canonical
    });
    let shown: Vec<String> = params
        .iter()
        .filter_map(|(k, v)| match v {
            ParamValue::Number(n) => Some(format!("{} = {n}", symbol(k))),
            ParamValue::Bool(true) => Some(k.clone()),
            ParamValue::Text(t) => Some(format!("{k} = {t}")),
            _ => None,
        })
        .collect();
    if shown.is_empty() {
        name
    } else {
        format!("{name} ({})", shown.join(", "))
    }
}
