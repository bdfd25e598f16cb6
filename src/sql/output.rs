//! The result of `losslab sql`: a table (default), JSON (an array of
//! objects, one per row, keys in column order) or CSV. Floats are written
//! in their shortest round-trip form (`ryu`), so that the text reads back
//! as the same bits; non-finite values as `eval` writes them.

use datafusion::arrow::array::{Array, ArrayRef, AsArray};
use datafusion::arrow::datatypes::{DataType, Float32Type, Float64Type, SchemaRef};
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::arrow::util::display::{ArrayFormatter, FormatOptions};
use datafusion::common::Result;

use crate::cmd::eval_output::number;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Table,
    Json,
    Csv,
}

/// One cell: a number (JSON without quotes), text, or null.
enum Cell {
    Number(String),
    Text(String),
    Null,
}

fn cell(column: &ArrayRef, row: usize, json: bool) -> Result<Cell> {
    if column.is_null(row) {
        return Ok(Cell::Null);
    }
    let float = match column.data_type() {
        DataType::Float64 => Some(column.as_primitive::<Float64Type>().value(row)),
        DataType::Float32 => Some(f64::from(column.as_primitive::<Float32Type>().value(row))),
        _ => None,
    };
    if let Some(x) = float {
        let mut out = Vec::new();
        number(&mut out, x, json);
        return Ok(Cell::Number(String::from_utf8_lossy(&out).into_owned()));
    }
    let text = ArrayFormatter::try_new(column.as_ref(), &FormatOptions::default())?
        .value(row)
        .to_string();
    Ok(if column.data_type().is_integer() {
        Cell::Number(text)
    } else {
        Cell::Text(text)
    })
}

/// The whole result as text in `format`.
pub fn render(schema: &SchemaRef, batches: &[RecordBatch], format: Format) -> Result<String> {
    let names: Vec<String> = schema.fields().iter().map(|f| f.name().clone()).collect();
    let json = format == Format::Json;
    let mut rows: Vec<Vec<Cell>> = Vec::new();
    for batch in batches {
        for row in 0..batch.num_rows() {
            let cells = batch.columns().iter().map(|c| cell(c, row, json));
            rows.push(cells.collect::<Result<_>>()?);
        }
    }
    Ok(match format {
        Format::Table => table(&names, &rows),
        Format::Json => json_rows(&names, &rows),
        Format::Csv => csv_rows(&names, &rows),
    })
}

fn text(cell: &Cell) -> &str {
    match cell {
        Cell::Number(s) | Cell::Text(s) => s,
        Cell::Null => "NULL",
    }
}

/// Columns padded to their widest cell; numbers to the right.
fn table(names: &[String], rows: &[Vec<Cell>]) -> String {
    let widths: Vec<usize> = (0..names.len())
        .map(|c| {
            rows.iter()
                .map(|r| text(&r[c]).chars().count())
                .chain([names[c].chars().count()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    let line = |cells: Vec<(&str, bool)>, out: &mut String| {
        let padded: Vec<String> = cells
            .iter()
            .zip(&widths)
            .map(|(&(s, right), &w)| {
                if right {
                    format!("{s:>w$}")
                } else {
                    format!("{s:<w$}")
                }
            })
            .collect();
        out.push_str(padded.join("  ").trim_end());
        out.push('\n');
    };
    line(
        names.iter().map(|n| (n.as_str(), false)).collect(),
        &mut out,
    );
    out.push_str(
        &widths
            .iter()
            .map(|&w| "-".repeat(w))
            .collect::<Vec<_>>()
            .join("  "),
    );
    out.push('\n');
    for row in rows {
        let cells = row
            .iter()
            .map(|c| (text(c), matches!(c, Cell::Number(_))))
            .collect();
        line(cells, &mut out);
    }
    out
}

fn json_rows(names: &[String], rows: &[Vec<Cell>]) -> String {
    let key = |s: &str| serde_json::Value::from(s).to_string();
    let objects: Vec<String> = rows
        .iter()
        .map(|row| {
            let fields: Vec<String> = names
                .iter()
                .zip(row)
                .map(|(name, c)| {
                    let value = match c {
                        Cell::Number(s) => s.clone(),
                        Cell::Text(s) => key(s),
                        Cell::Null => "null".to_string(),
                    };
                    format!("{}: {value}", key(name))
                })
                .collect();
            format!("  {{{}}}", fields.join(", "))
        })
        .collect();
    if objects.is_empty() {
        "[]\n".to_string()
    } else {
        format!("[\n{}\n]\n", objects.join(",\n"))
    }
}

fn csv_rows(names: &[String], rows: &[Vec<Cell>]) -> String {
    let mut writer = csv::Writer::from_writer(Vec::new());
    // Writing to memory cannot fail.
    let _ = writer.write_record(names);
    for row in rows {
        let _ = writer.write_record(row.iter().map(|c| match c {
            Cell::Null => "",
            c => text(c),
        }));
    }
    let bytes = writer.into_inner().unwrap_or_default();
    String::from_utf8_lossy(&bytes).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use datafusion::arrow::array::{Float64Array, StringArray};
    use datafusion::arrow::datatypes::{Field, Schema};
    use std::sync::Arc;

    fn result() -> (SchemaRef, Vec<RecordBatch>) {
        let schema = Arc::new(Schema::new(vec![
            Field::new("model", DataType::Utf8, true),
            Field::new("mse(y,p)", DataType::Float64, true),
        ]));
        let batch = RecordBatch::try_new(
            schema.clone(),
            vec![
                Arc::new(StringArray::from(vec![Some("a, b"), None])),
                Arc::new(Float64Array::from(vec![
                    Some(0.1 + 0.2),
                    Some(f64::INFINITY),
                ])),
            ],
        )
        .unwrap();
        (schema, vec![batch])
    }

    #[test]
    fn every_format_keeps_every_digit() {
        let (schema, batches) = result();
        let table = render(&schema, &batches, Format::Table).unwrap();
        assert_eq!(
            table,
            "model  mse(y,p)\n-----  -------------------\na, b   0.30000000000000004\nNULL                   inf\n"
        );
        let json = render(&schema, &batches, Format::Json).unwrap();
        assert_eq!(
            json,
            "[\n  {\"model\": \"a, b\", \"mse(y,p)\": 0.30000000000000004},\n  {\"model\": null, \"mse(y,p)\": \"Infinity\"}\n]\n"
        );
        let parsed: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(parsed[0]["mse(y,p)"].as_f64(), Some(0.1 + 0.2));
        let csv = render(&schema, &batches, Format::Csv).unwrap();
        // A header holding a comma is quoted, as any field.
        assert_eq!(
            csv,
            "model,\"mse(y,p)\"\n\"a, b\",0.30000000000000004\n,inf\n"
        );
    }
}
