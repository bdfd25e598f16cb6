//! Tables as CSV, with every number at full precision (the HTML shows them
//! rounded).

use super::json::non_finite_name;
use super::ExportError;
use crate::compute::{Cell, TableData};

/// A table as CSV with full precision (HTML shows rounded numbers).
pub fn table_csv(table: &TableData) -> Result<String, ExportError> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(table.columns.iter().map(|c| spreadsheet_safe(c)))?;
    for row in &table.rows {
        let cells: Vec<String> = row
            .iter()
            .map(|cell| match cell {
                Cell::Text(t) => spreadsheet_safe(t),
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

/// A text cell as a spreadsheet will not run it (CSV injection, as OWASP
/// describes it): text starting with `=`, `+`, `-`, `@`, a tab or a carriage
/// return is a formula to Excel and LibreOffice (`=HYPERLINK(…)`), so it gets
/// a leading `'`, which they show as text. Text that is a plain number
/// (`-1.5`, `+2`) is left as it is: a spreadsheet reads it as that number,
/// never as a formula. Number cells never come here: they are written by
/// Rust's float formatting (`-1.5`, or `-Infinity` as in results.json).
pub(super) fn spreadsheet_safe(text: &str) -> String {
    let starts_formula = text.starts_with(['=', '+', '-', '@', '\t', '\r']);
    let is_number = text.parse::<f64>().is_ok_and(f64::is_finite);
    if starts_formula && !is_number {
        format!("'{text}")
    } else {
        text.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_in_text_cells_are_neutralised_and_numbers_kept() {
        let table = TableData {
            name: "t".into(),
            title: String::new(),
            caption: String::new(),
            columns: vec!["=cmd".into(), "value".into()],
            shown: None,
            rows: vec![
                vec![
                    Cell::Text("=HYPERLINK(\"https://x.org\",\"y\")".into()),
                    Cell::Number {
                        value: -1.5,
                        digits: 2,
                    },
                ],
                vec![Cell::Text("-1.5".into()), Cell::Text("-sum".into())],
                vec![Cell::Text("@a".into()), Cell::Text("\tb".into())],
                vec![Cell::Text("+x".into()), Cell::Text("a-b".into())],
            ],
        };
        let csv = table_csv(&table).unwrap();
        assert_eq!(
            csv,
            "'=cmd,value\n\"'=HYPERLINK(\"\"https://x.org\"\",\"\"y\"\")\",-1.5\n\
             -1.5,'-sum\n'@a,'\tb\n'+x,a-b\n"
        );
    }

    #[test]
    fn numbers_keep_every_digit_and_name_non_finite_values() {
        let table = TableData {
            name: "t".into(),
            title: String::new(),
            caption: String::new(),
            columns: vec!["quantity".into(), "value".into()],
            shown: None,
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
