//! CSV datasets: a header row, then one sample per line; a ragged line or a
//! cell that is not a number is an error with its line number.

use std::path::Path;

use super::error::{Reporter, ScenarioError};
use crate::loss::Data;

/// Read `file` (shown to the user as `shown`); `column` picks one column by
/// header name, otherwise one column gives a flat array and several give
/// rows. More than `max_rows` rows is an error.
pub(crate) fn read_csv(
    file: &Path,
    shown: &str,
    column: Option<&str>,
    max_rows: usize,
    path: &str,
    rep: &Reporter,
) -> Result<Data, ScenarioError> {
    // Streamed, so only a regular file is required, not a size; the row
    // count is capped below instead.
    let opened = crate::read_limits::open_regular(file)
        .map_err(|e| rep.invalid(path, format!("cannot read \"{shown}\": {e}")))?;
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(std::io::BufReader::new(opened));
    let headers = reader
        .headers()
        .map_err(|e| rep.invalid(path, format!("\"{shown}\": {e}")))?
        .clone();
    let selected = match column {
        Some(name) => Some(headers.iter().position(|h| h == name).ok_or_else(|| {
            rep.invalid(
                path.replace(".csv", ".column"),
                format!(
                    "names no column of \"{shown}\": \"{name}\" (columns: {})",
                    headers.iter().collect::<Vec<_>>().join(", ")
                ),
            )
        })?),
        None => None,
    };
    let mut rows = Vec::new();
    for record in reader.records() {
        let record =
            record.map_err(|e| rep.invalid(path, format!("\"{shown}\": {}", csv_message(&e))))?;
        if rows.len() >= max_rows {
            return Err(rep.invalid(
                path,
                format!("\"{shown}\" has more than {max_rows} rows; the limit is {max_rows}"),
            ));
        }
        let line = record.position().map(|p| p.line()).unwrap_or(0);
        let mut row = Vec::with_capacity(record.len());
        for (i, field) in record.iter().enumerate() {
            if selected.is_some_and(|c| c != i) {
                continue;
            }
            let value: f64 = field.parse().map_err(|_| {
                rep.invalid(
                    path,
                    format!("\"{shown}\" line {line}: \"{field}\" is not a number"),
                )
            })?;
            row.push(value);
        }
        rows.push(row);
    }
    Ok(if selected.is_some() || headers.len() == 1 {
        Data::Flat(rows.into_iter().flatten().collect())
    } else {
        Data::Rows(rows)
    })
}

/// csv's ragged-row message, with the line number a person looks for.
fn csv_message(e: &csv::Error) -> String {
    match e.kind() {
        csv::ErrorKind::UnequalLengths {
            pos,
            expected_len,
            len,
        } => format!(
            "line {} has {len} field{}, but the header has {expected_len}",
            pos.as_ref().map(|p| p.line()).unwrap_or(0),
            if *len == 1 { "" } else { "s" }
        ),
        _ => e.to_string(),
    }
}
