//! Tables as CSV, with every number at full precision (the HTML shows them
//! rounded).

use super::json::non_finite_name;
use super::ExportError;
use crate::compute::{Cell, TableData};

/// A table as CSV with full precision (HTML shows rounded numbers).
pub fn table_csv(table: &TableData) -> Result<String, ExportError> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(&table.columns)?;
    for row in &table.rows {
        let cells: Vec<String> = row
            .iter()
            .map(|cell| match cell {
                Cell::Text(t) => t.clone(),
                Cell::Number { value, .. } => match non_finite_name(*value) {
                    Some(name) => name.to_string(),
                    None => value.to_string(),
                },
            })
            .collect();
        writer.write_record(&cells)?;
    }
    let bytes = writer
        .into_inner()
        .map_err(|e| ExportError::Csv(e.into_error().into()))?;
    Ok(String::from_utf8(bytes)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_keep_every_digit_and_name_non_finite_values() {
        let table = TableData {
            name: "t".into(),
            title: String::new(),
            caption: String::new(),
            columns: vec!["quantity".into(), "value".into()],
            rows: vec![
                vec![
                    Cell::Text("a, b".into()),
                    Cell::Number {
                        value: 0.1 + 0.2,
                        digits: 2,
                    },
                ],
                vec![
                    Cell::Text("c".into()),
                    Cell::Number {
                        value: f64::NEG_INFINITY,
                        digits: 2,
                    },
                ],
            ],
        };
        assert_eq!(
            table_csv(&table).unwrap(),
            "quantity,value\n\"a, b\",0.30000000000000004\nc,-Infinity\n"
        );
    }
}
