//! Reading a DATA argument of `eval`: a JSON array, a comma-separated list,
//! or `@PATH` to a file holding either (CSV: one row per sample).
//!
//! Only the shape and the numbers are checked here; what the numbers must be
//! (probabilities, labels, ...) is the core's business.

use std::path::Path;

use anyhow::{bail, Context, Result};
use serde_json::Value;

use crate::loss::Data;

/// Parse the DATA given to the argument `arg` (`--target`, `--prediction`, `--weights`).
pub fn parse_data_arg(arg: &str, text: &str) -> Result<Data> {
    let text = text.trim();
    if let Some(path) = text.strip_prefix('@') {
        let path = Path::new(path);
        // Only a regular file (`@/dev/zero` would never end); JSON is capped.
        let content = crate::read_limits::read_data_text(path)
            .with_context(|| format!("{arg}: cannot read file `{}`", path.display()))?;
        let source = format!("{arg} (file `{}`)", path.display());
        // A byte-order mark (Windows editors) is not data, in JSON as in CSV.
        let content = content.trim_start_matches('\u{feff}').trim();
        if content.starts_with('[') {
            parse_json(&source, content)
        } else if !content.contains('\n') {
            // One line is the comma-separated list form, as on the command line.
            parse_list(&source, content)
        } else {
            parse_csv(&source, content)
        }
    } else if text.starts_with('[') {
        parse_json(arg, text)
    } else {
        parse_list(arg, text)
    }
}

fn parse_json(source: &str, text: &str) -> Result<Data> {
    let value: Value = serde_json::from_str(text)
        .map_err(|err| anyhow::anyhow!("{source}: malformed JSON: {err}"))?;
    let Value::Array(items) = value else {
        bail!("{source}: expected a JSON array, got {value}");
    };
    if items.is_empty() {
        bail!("{source}: empty data");
    }
    if items.iter().all(|item| item.is_array()) {
        let rows = items
            .iter()
            .enumerate()
            .map(|(r, row)| {
                let cells = row.as_array().map(Vec::as_slice).unwrap_or_default();
                cells
                    .iter()
                    .enumerate()
                    .map(|(c, cell)| json_number(source, &format!("[{r}][{c}]"), cell))
                    .collect::<Result<Vec<f64>>>()
            })
            .collect::<Result<Vec<_>>>()?;
        check_rows(source, rows)
    } else {
        let values = items
            .iter()
            .enumerate()
            .map(|(i, item)| json_number(source, &format!("[{i}]"), item))
            .collect::<Result<Vec<f64>>>()?;
        Ok(Data::Flat(values))
    }
}

fn json_number(source: &str, at: &str, value: &Value) -> Result<f64> {
    match value {
        Value::Number(n) => n
            .as_f64()
            .with_context(|| format!("{source}{at}: number {n} is out of range")),
        Value::Array(_) => bail!("{source}{at}: mixes numbers and rows (ragged data)"),
        other => bail!("{source}{at}: expected a number, got {other}"),
    }
}

fn parse_list(source: &str, text: &str) -> Result<Data> {
    if text.is_empty() {
        bail!("{source}: empty data");
    }
    let values = text
        .split(',')
        .enumerate()
        .map(|(i, field)| parse_number(source, &format!("[{i}]"), field))
        .collect::<Result<Vec<f64>>>()?;
    Ok(Data::Flat(values))
}

/// CSV: one sample per record; a first record with no number in it is a header.
fn parse_csv(source: &str, text: &str) -> Result<Data> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    for (index, record) in reader.records().enumerate() {
        let record = record.with_context(|| format!("{source}: malformed CSV"))?;
        let line = index + 1;
        let is_header = index == 0 && record.iter().all(|f| f.parse::<f64>().is_err());
        if is_header {
            continue;
        }
        let row = record
            .iter()
            .enumerate()
            .map(|(c, field)| {
                parse_number(source, &format!(" line {line}, column {}", c + 1), field)
            })
            .collect::<Result<Vec<f64>>>()?;
        rows.push(row);
    }
    if rows.is_empty() {
        bail!("{source}: empty data");
    }
    if rows.iter().all(|row| row.len() == 1) {
        return Ok(Data::Flat(rows.into_iter().map(|row| row[0]).collect()));
    }
    check_rows(source, rows)
}

fn parse_number(source: &str, at: &str, field: &str) -> Result<f64> {
    let field = field.trim();
    match field.parse::<f64>() {
        Ok(value) => Ok(value),
        Err(_) if field.is_empty() => bail!("{source}{at}: empty value"),
        Err(_) => bail!("{source}{at}: `{field}` is not a number"),
    }
}

fn check_rows(source: &str, rows: Vec<Vec<f64>>) -> Result<Data> {
    let width = rows[0].len();
    if width == 0 {
        bail!("{source}: empty row 0");
    }
    if let Some((r, row)) = rows.iter().enumerate().find(|(_, row)| row.len() != width) {
        bail!(
            "{source}: ragged rows: row {r} has {} values, row 0 has {width}",
            row.len()
        );
    }
    Ok(Data::Rows(rows))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_json_list_and_csv_forms() {
        assert_eq!(
            parse_data_arg("--target", "[1, 0, 1]").unwrap(),
            Data::Flat(vec![1.0, 0.0, 1.0])
        );
        assert_eq!(
            parse_data_arg("--target", "1,0,0.5").unwrap(),
            Data::Flat(vec![1.0, 0.0, 0.5])
        );
        assert_eq!(
            parse_data_arg("--p", "[[0.2,0.8],[0.5,0.5]]").unwrap(),
            Data::Rows(vec![vec![0.2, 0.8], vec![0.5, 0.5]])
        );
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p.csv");
        std::fs::write(&path, "a,b\n0.2,0.8\n0.5,0.5\n").unwrap();
        let arg = format!("@{}", path.display());
        assert_eq!(
            parse_data_arg("--p", &arg).unwrap(),
            Data::Rows(vec![vec![0.2, 0.8], vec![0.5, 0.5]])
        );
        std::fs::write(&path, "1, 2, 3\n").unwrap();
        assert_eq!(
            parse_data_arg("--p", &arg).unwrap(),
            Data::Flat(vec![1.0, 2.0, 3.0])
        );
        std::fs::write(&path, "1\n2\n3\n").unwrap();
        assert_eq!(
            parse_data_arg("--p", &arg).unwrap(),
            Data::Flat(vec![1.0, 2.0, 3.0])
        );
    }

    #[test]
    fn names_the_argument_and_position_of_bad_data() {
        let err = |text: &str| {
            parse_data_arg("--prediction", text)
                .unwrap_err()
                .to_string()
        };
        assert_eq!(err("1,x,3"), "--prediction[1]: `x` is not a number");
        assert_eq!(err("[]"), "--prediction: empty data");
        assert_eq!(err(""), "--prediction: empty data");
        assert!(err("[1, 2").starts_with("--prediction: malformed JSON"));
        assert_eq!(
            err("[[1,2],[3]]"),
            "--prediction: ragged rows: row 1 has 1 values, row 0 has 2"
        );
        assert_eq!(
            err("[1, \"a\"]"),
            "--prediction[1]: expected a number, got \"a\""
        );
        assert!(err("@/no/such/file.csv").starts_with("--prediction: cannot read file"));
    }
}
