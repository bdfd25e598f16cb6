//! A comparison's per-sample table as CSV: every number at full precision
//! (the shortest text that reads back to the same bits), non-finite numbers
//! spelled as in results.json. Written row by row into the given writer, so
//! a million rows never become one string in memory.

use std::io::Write;

use super::json::non_finite_name;
use super::ExportError;
use crate::compute::comparison::PerSampleTable;

/// Write `table` as CSV into `out`.
pub fn per_sample_csv(table: &PerSampleTable, out: impl Write) -> Result<(), ExportError> {
    let mut writer = csv::Writer::from_writer(out);
    writer.write_record(
        table
            .header
            .iter()
            .map(|h| super::csv_table::spreadsheet_safe(h)),
    )?;
    let rows = table.columns.first().map_or(0, Vec::len);
    let mut cell = String::new();
    for row in 0..rows {
        for column in &table.columns {
            let value = column[row];
            cell.clear();
            match non_finite_name(value) {
                Some(name) => cell.push_str(name),
                None => {
                    use std::fmt::Write as _;
                    // Display of f64 is the shortest round-trip form.
                    let _ = write!(cell, "{value}");
                }
            }
            writer.write_field(&cell)?;
        }
        writer.write_record(None::<&[u8]>)?;
    }
    writer.flush().map_err(|e| ExportError::Csv(e.into()))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_round_trip_and_infinities_are_named() {
        let table = PerSampleTable {
            name: "t".into(),
            header: vec!["row".into(), "=loss".into()],
            columns: vec![vec![0.0, 1.0], vec![0.1 + 0.2, f64::INFINITY]],
        };
        let mut out = Vec::new();
        per_sample_csv(&table, &mut out).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "row,'=loss\n0,0.30000000000000004\n1,Infinity\n"
        );
    }
}
