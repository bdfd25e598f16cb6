//! `columns = [...]` in `[[datasets]]`: several models' predictions in one
//! file, each a named model.
//!
//! ```toml
//! [[datasets]]
//! name = "predictions"
//! csv = "data/regression.csv"
//! columns = ["unbiased=pred_unbiased", "tight=pred_biased", "pred_noisy"]
//! # or: columns = "pred_*"            (one model per matching column)
//! # or: columns = ["a=prob_a_*", "b=prob_b_*"]   (one row model per glob)
//! ```
//!
//! In a list, each entry is one model, `label=pattern` or just `pattern`
//! (the model is then named after it): a pattern without `*` is one column
//! (one prediction per row), a pattern with `*` is every matching column in
//! file order (the rows of a row loss: probabilities or logits). A single
//! string is a glob whose every matching column is a model of its own, named
//! after the column. The file is read once for every model.

use std::path::Path;

use serde::Deserialize;

use super::error::{Reporter, ScenarioError};
use crate::io::{self, Columns, DataError, FileSpec, Header};
use crate::loss::Data;

/// Most characters in a model's name.
const MAX_MODEL_NAME: usize = 64;

/// Rows read per batch.
const BATCH_ROWS: usize = 1 << 16;

/// `columns` as written: one glob, or one entry per model.
#[derive(Debug, Clone, Deserialize, serde::Serialize, PartialEq)]
#[serde(untagged)]
pub enum ColumnList {
    Glob(String),
    List(Vec<String>),
}

/// One model's predictions, read from its columns.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelData {
    pub name: String,
    /// The file's columns it was read from, in order.
    pub columns: Vec<String>,
    /// Flat for one column, rows for a glob.
    pub data: Data,
}

/// Does `name` match `pattern`, where `*` stands for any run of characters?
pub fn glob_matches(pattern: &str, name: &str) -> bool {
    let (p, n): (Vec<char>, Vec<char>) = (pattern.chars().collect(), name.chars().collect());
    let (mut pi, mut ni) = (0, 0);
    // The last `*` seen and the name position it was tried at: on a
    // mismatch the star takes one more character (linear backtracking).
    let mut star: Option<(usize, usize)> = None;
    while ni < n.len() {
        if pi < p.len() && p[pi] != '*' && p[pi] == n[ni] {
            pi += 1;
            ni += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some((pi, ni));
            pi += 1;
        } else if let Some((sp, sn)) = star {
            pi = sp + 1;
            ni = sn + 1;
            star = Some((sp, sn + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

/// A model name as a report can show it everywhere (tables, legends, prose).
pub fn check_model_name(name: &str) -> Result<(), String> {
    if name.trim().is_empty() {
        return Err("is an empty model name".into());
    }
    if name.chars().count() > MAX_MODEL_NAME {
        return Err(format!(
            "\"{name}\" is longer than {MAX_MODEL_NAME} characters"
        ));
    }
    if name.chars().any(|c| c.is_control() || c == '`' || c == '=') {
        return Err(format!(
            "\"{}\" holds a control character, a backtick or `=`, which a model name may not",
            name.escape_debug()
        ));
    }
    Ok(())
}

/// The models `list` asks for, as (name, columns) against the file's `names`.
fn resolve(
    list: &ColumnList,
    names: &[String],
    shown: &str,
    path: &str,
    rep: &Reporter,
) -> Result<Vec<(String, Vec<String>, bool)>, ScenarioError> {
    let listing = || names.join(", ");
    let matching = |pattern: &str| -> Vec<String> {
        names
            .iter()
            .filter(|n| glob_matches(pattern, n))
            .cloned()
            .collect()
    };
    let mut models = Vec::new();
    match list {
        ColumnList::Glob(pattern) => {
            let found = matching(pattern);
            if found.is_empty() {
                return Err(rep.invalid(
                    path,
                    format!(
                        "no column of \"{shown}\" matches `{pattern}` (columns: {})",
                        listing()
                    ),
                ));
            }
            for column in found {
                models.push((column.clone(), vec![column], false));
            }
        }
        ColumnList::List(entries) => {
            if entries.is_empty() {
                return Err(rep.invalid(path, "is empty; name at least one model's columns"));
            }
            for (i, entry) in entries.iter().enumerate() {
                let at = format!("{path}[{i}]");
                let (name, pattern) = match entry.split_once('=') {
                    Some((name, pattern)) => (name.trim().to_string(), pattern.trim()),
                    None => (entry.trim().to_string(), entry.trim()),
                };
                let is_glob = pattern.contains('*');
                let found = if is_glob {
                    matching(pattern)
                } else {
                    names.iter().filter(|n| *n == pattern).cloned().collect()
                };
                if found.is_empty() {
                    let what = if is_glob { "matches" } else { "is named" };
                    return Err(rep.invalid(
                        at,
                        format!(
                            "no column of \"{shown}\" {what} `{pattern}` (columns: {})",
                            listing()
                        ),
                    ));
                }
                models.push((name, found, is_glob));
            }
        }
    }
    for (i, (name, _, _)) in models.iter().enumerate() {
        check_model_name(name).map_err(|m| rep.invalid(path, m))?;
        if models[..i].iter().any(|(other, _, _)| other == name) {
            return Err(rep.invalid(
                path,
                format!("names the model \"{name}\" twice; rename one as `label=column`"),
            ));
        }
    }
    Ok(models)
}

/// Read every model of `list` from `file` (shown as `shown`) in one pass, at
/// most `max_rows` rows. `path` is `datasets[i]`.
pub fn read_models(
    (file, shown): (&Path, &str),
    list: &ColumnList,
    max_rows: usize,
    path: &str,
    rep: &Reporter,
) -> Result<Vec<ModelData>, ScenarioError> {
    let spec = FileSpec::new(file.to_path_buf(), Columns::All);
    let csv_path = format!("{path}.csv");
    let data_error = |err: DataError| match err {
        DataError::Unreadable(e) => rep.invalid(&csv_path, format!("cannot read \"{shown}\": {e}")),
        DataError::Invalid(message) => rep.invalid(&csv_path, format!("\"{shown}\": {message}")),
    };
    let names = io::column_names(&spec.path, spec.format).map_err(data_error)?;
    let models = resolve(list, &names, shown, &format!("{path}.columns"), rep)?;
    // One selection per column; models take their columns back in order.
    let selections: Vec<Columns> = models
        .iter()
        .flat_map(|(_, columns, _)| columns.iter().map(|c| Columns::Named(c.clone())))
        .collect();
    let mut source =
        io::open(&spec.path, spec.format, &selections, Header::Required).map_err(data_error)?;
    let mut values: Vec<Vec<f64>> = vec![Vec::new(); selections.len()];
    let mut rows = 0usize;
    while let Some(raw) = source.next_raw(BATCH_ROWS).map_err(data_error)? {
        let batch = raw.decode().map_err(data_error)?;
        rows += batch.rows;
        if rows > max_rows {
            return Err(rep.invalid(
                &csv_path,
                format!("\"{shown}\" holds more than {max_rows} rows, the most a comparison reads"),
            ));
        }
        for (all, new) in values.iter_mut().zip(batch.columns) {
            all.extend_from_slice(&new);
        }
    }
    if rows == 0 {
        return Err(rep.invalid(&csv_path, format!("\"{shown}\" holds no data")));
    }
    let mut columns = values.into_iter();
    let mut out = Vec::with_capacity(models.len());
    for (name, names, is_rows) in models {
        let own: Vec<Vec<f64>> = columns.by_ref().take(names.len()).collect();
        let data = if is_rows {
            Data::Rows(
                (0..rows)
                    .map(|r| own.iter().map(|c| c[r]).collect())
                    .collect(),
            )
        } else {
            Data::Flat(own.into_iter().next().unwrap_or_default())
        };
        out.push(ModelData {
            name,
            columns: names,
            data,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_match_anywhere() {
        assert!(glob_matches("prob_a_*", "prob_a_0"));
        assert!(glob_matches("*_a", "pred_a"));
        assert!(glob_matches("p*b*c", "pxxbyyc"));
        assert!(glob_matches("*", ""));
        assert!(!glob_matches("prob_a_*", "prob_b_0"));
        assert!(!glob_matches("a*b", "acbd"));
        assert!(glob_matches("exact", "exact"));
        assert!(!glob_matches("exact", "exactly"));
    }

    #[test]
    fn names_are_checked() {
        assert!(check_model_name("model A").is_ok());
        assert!(check_model_name("").is_err());
        assert!(check_model_name("a`b").is_err());
        assert!(check_model_name("a\nb").is_err());
    }
}
