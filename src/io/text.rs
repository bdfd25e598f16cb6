//! The small inline forms of data: a JSON array (`[1, 2]`, `[[0.2, 0.8]]`)
//! or a comma-separated list (`1,0,1`), on the command line or in a file.

use std::path::Path;

use serde_json::Value;

use super::{invalid, DataError, MAX_INLINE_BYTES};
use crate::loss::Data;

/// Parse data given as text; `source` names it in messages (`--target`).
pub fn parse_inline(source: &str, text: &str) -> Result<Data, DataError> {
    let text = text.trim();
    if text.starts_with('[') {
        parse_json(source, text)
    } else {
        parse_list(source, text)
    }
}

/// A whole file holding one of the inline forms, read with a size cap.
pub(super) fn read_inline_file(path: &Path) -> Result<Data, DataError> {
    let text = crate::read_limits::read_text(path, MAX_INLINE_BYTES)?;
    // A byte-order mark (Windows editors) is not data.
    parse_inline("", text.trim_start_matches('\u{feff}'))
}

fn parse_json(source: &str, text: &str) -> Result<Data, DataError> {
    let value: Value = serde_json::from_str(text)
        .map_err(|err| invalid(format!("{source}: malformed JSON: {err}")))?;
    let Value::Array(items) = value else {
        return Err(invalid(format!(
            "{source}: expected a JSON array, got {value}"
        )));
    };
    if items.is_empty() {
        return Err(invalid(format!("{source}: empty data")));
    }
    if items.iter().all(Value::is_array) {
        let rows = items
            .iter()
            .enumerate()
            .map(|(r, row)| {
                let cells = row.as_array().map(Vec::as_slice).unwrap_or_default();
                cells
                    .iter()
                    .enumerate()
                    .map(|(c, cell)| json_number(source, &format!("[{r}][{c}]"), cell))
                    .collect::<Result<Vec<f64>, _>>()
            })
            .collect::<Result<Vec<_>, _>>()?;
        check_rows(source, rows)
    } else {
        let values = items
            .iter()
            .enumerate()
            .map(|(i, item)| json_number(source, &format!("[{i}]"), item))
            .collect::<Result<Vec<f64>, _>>()?;
        Ok(Data::Flat(values))
    }
}

fn json_number(source: &str, at: &str, value: &Value) -> Result<f64, DataError> {
    match value {
        Value::Number(n) => n
            .as_f64()
            .ok_or_else(|| invalid(format!("{source}{at}: number {n} is out of range"))),
        Value::Array(_) => Err(invalid(format!(
            "{source}{at}: mixes numbers and rows (ragged data)"
        ))),
        other => Err(invalid(format!(
            "{source}{at}: expected a number, got {other}"
        ))),
    }
}

fn parse_list(source: &str, text: &str) -> Result<Data, DataError> {
    if text.is_empty() {
        return Err(invalid(format!("{source}: empty data")));
    }
    let values = text
        .split(',')
        .enumerate()
        .map(|(i, field)| parse_number(source, &format!("[{i}]"), field))
        .collect::<Result<Vec<f64>, _>>()?;
    Ok(Data::Flat(values))
}

/// A number of the list form; non-finite values are left for the core to refuse.
fn parse_number(source: &str, at: &str, field: &str) -> Result<f64, DataError> {
    let field = field.trim();
    match field.parse::<f64>() {
        Ok(value) => Ok(value),
        Err(_) if field.is_empty() => Err(invalid(format!("{source}{at}: empty value"))),
        Err(_) => Err(invalid(format!("{source}{at}: `{field}` is not a number"))),
    }
}

fn check_rows(source: &str, rows: Vec<Vec<f64>>) -> Result<Data, DataError> {
    let width = rows[0].len();
    if width == 0 {
        return Err(invalid(format!("{source}: empty row 0")));
    }
    if let Some((r, row)) = rows.iter().enumerate().find(|(_, row)| row.len() != width) {
        return Err(invalid(format!(
            "{source}: ragged rows: row {r} has {} values, row 0 has {width}",
            row.len()
        )));
    }
    Ok(Data::Rows(rows))
}
