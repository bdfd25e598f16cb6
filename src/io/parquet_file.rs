//! Parquet files, streamed a row group's pages at a time with the `parquet`
//! crate's column readers (no Arrow arrays in between). Columns are chosen by
//! name; their type must be a number (DOUBLE, FLOAT, INT64, INT32), not null.

use std::path::Path;

use parquet::basic::Type as PhysicalType;
use parquet::column::reader::{get_typed_column_reader, ColumnReader, ColumnReaderImpl};
use parquet::data_type::{DoubleType, FloatType, Int32Type, Int64Type};
use parquet::file::reader::{FileReader, SerializedFileReader};

use super::number::CellProblem;
use super::{invalid, open_regular, Batch, Columns, DataError, RawBatch};

fn parquet_error(err: parquet::errors::ParquetError) -> DataError {
    invalid(format!("cannot be read as Parquet: {err}"))
}

/// A column reader of one of the accepted physical types.
enum Typed {
    F64(ColumnReaderImpl<DoubleType>),
    F32(ColumnReaderImpl<FloatType>),
    I64(ColumnReaderImpl<Int64Type>),
    I32(ColumnReaderImpl<Int32Type>),
}

/// Append up to `rows` records of a typed reader to `values`; `Some(index)`
/// of a null value.
fn read_records<T: parquet::data_type::DataType>(
    reader: &mut ColumnReaderImpl<T>,
    rows: usize,
    nullable: bool,
    values: &mut Vec<T::T>,
) -> Result<(usize, Option<usize>), DataError> {
    let before = values.len();
    let mut levels: Vec<i16> = Vec::with_capacity(if nullable { rows } else { 0 });
    let mut records = 0;
    while records < rows {
        let (got, _, _) = reader
            .read_records(
                rows - records,
                nullable.then_some(&mut levels),
                None,
                values,
            )
            .map_err(parquet_error)?;
        if got == 0 {
            break;
        }
        records += got;
    }
    if values.len() - before < records {
        let null = levels.iter().position(|&level| level == 0).unwrap_or(0);
        return Ok((records, Some(null)));
    }
    Ok((records, None))
}

/// [`read_records`] of another type than `f64`, widened into `out`.
fn read_widened<T: parquet::data_type::DataType>(
    reader: &mut ColumnReaderImpl<T>,
    rows: usize,
    nullable: bool,
    widen: impl Fn(&T::T) -> f64,
    out: &mut Vec<f64>,
) -> Result<(usize, Option<usize>), DataError> {
    let mut values: Vec<T::T> = Vec::with_capacity(rows);
    let read = read_records(reader, rows, nullable, &mut values)?;
    out.extend(values.iter().map(widen));
    Ok(read)
}

impl Typed {
    fn read(
        &mut self,
        rows: usize,
        nullable: bool,
        out: &mut Vec<f64>,
    ) -> Result<(usize, Option<usize>), DataError> {
        match self {
            // Doubles go straight into the batch's array: no copy.
            Typed::F64(r) => read_records(r, rows, nullable, out),
            Typed::F32(r) => read_widened(r, rows, nullable, |x| f64::from(*x), out),
            Typed::I64(r) => read_widened(r, rows, nullable, |x| *x as f64, out),
            Typed::I32(r) => read_widened(r, rows, nullable, |x| f64::from(*x), out),
        }
    }
}

pub(super) struct ParquetSource {
    file: SerializedFileReader<std::fs::File>,
    /// Leaf column indices of each selection.
    selections: Vec<Vec<usize>>,
    /// Every leaf column read, once, in order; with its name and nullability.
    leaves: Vec<(usize, String, bool)>,
    widths: Vec<usize>,
    readers: Vec<Typed>,
    row_group: usize,
    left_in_group: u64,
    next_row: u64,
}

/// The column names of a Parquet file, in schema order.
pub(super) fn column_names(path: &Path) -> Result<Vec<String>, DataError> {
    let file = SerializedFileReader::new(open_regular(path)?).map_err(parquet_error)?;
    let schema = file.metadata().file_metadata().schema_descr_ptr();
    Ok(schema.columns().iter().map(|c| c.path().string()).collect())
}

impl ParquetSource {
    pub(super) fn open(path: &Path, selections: &[Columns]) -> Result<ParquetSource, DataError> {
        let file = SerializedFileReader::new(open_regular(path)?).map_err(parquet_error)?;
        let schema = file.metadata().file_metadata().schema_descr_ptr();
        let names: Vec<String> = schema.columns().iter().map(|c| c.path().string()).collect();
        let listing = names.join(", ");
        let mut resolved = Vec::new();
        for columns in selections {
            let found: Vec<usize> = match columns {
                Columns::All => (0..names.len()).collect(),
                Columns::Named(name) => names.iter().position(|n| n == name).into_iter().collect(),
                Columns::Prefix(prefix) => (0..names.len())
                    .filter(|&i| names[i].starts_with(prefix.as_str()))
                    .collect(),
            };
            if found.is_empty() {
                return Err(invalid(match columns {
                    Columns::Named(name) => format!("has no column `{name}` (columns: {listing})"),
                    Columns::Prefix(p) => {
                        format!("has no column starting with `{p}` (columns: {listing})")
                    }
                    Columns::All => "has no column".to_string(),
                }));
            }
            resolved.push(found);
        }
        let mut leaves: Vec<(usize, String, bool)> = Vec::new();
        for &i in resolved.iter().flatten() {
            if leaves.iter().any(|(j, _, _)| *j == i) {
                continue;
            }
            let column = schema.column(i);
            let accepted = matches!(
                column.physical_type(),
                PhysicalType::DOUBLE
                    | PhysicalType::FLOAT
                    | PhysicalType::INT64
                    | PhysicalType::INT32
            );
            if !accepted || column.max_rep_level() > 0 {
                return Err(invalid(format!(
                    "column `{}` has Parquet type {}{}; expected numbers: DOUBLE, FLOAT, INT64 or INT32, one per row",
                    names[i],
                    column.physical_type(),
                    if column.max_rep_level() > 0 { " (repeated)" } else { "" }
                )));
            }
            leaves.push((i, names[i].clone(), column.max_def_level() > 0));
        }
        let widths = resolved.iter().map(Vec::len).collect();
        Ok(ParquetSource {
            file,
            selections: resolved,
            leaves,
            widths,
            readers: Vec::new(),
            row_group: 0,
            left_in_group: 0,
            next_row: 0,
        })
    }

    /// Open the next row group's column readers; false at the end of the file.
    fn next_group(&mut self) -> Result<bool, DataError> {
        while self.left_in_group == 0 {
            if self.row_group >= self.file.num_row_groups() {
                return Ok(false);
            }
            let group = self
                .file
                .get_row_group(self.row_group)
                .map_err(parquet_error)?;
            self.left_in_group = u64::try_from(group.metadata().num_rows()).unwrap_or(0);
            self.readers = self
                .leaves
                .iter()
                .map(|(i, _, _)| {
                    Ok(match group.get_column_reader(*i).map_err(parquet_error)? {
                        r @ ColumnReader::DoubleColumnReader(_) => {
                            Typed::F64(get_typed_column_reader(r))
                        }
                        r @ ColumnReader::FloatColumnReader(_) => {
                            Typed::F32(get_typed_column_reader(r))
                        }
                        r @ ColumnReader::Int64ColumnReader(_) => {
                            Typed::I64(get_typed_column_reader(r))
                        }
                        r @ ColumnReader::Int32ColumnReader(_) => {
                            Typed::I32(get_typed_column_reader(r))
                        }
                        _ => return Err(invalid("changed its column types between row groups")),
                    })
                })
                .collect::<Result<Vec<_>, _>>()?;
            self.row_group += 1;
        }
        Ok(true)
    }
}

impl super::BatchSource for ParquetSource {
    fn widths(&self) -> &[usize] {
        &self.widths
    }

    fn next_raw(&mut self, rows: usize) -> Result<Option<RawBatch>, DataError> {
        let rows = rows.max(1);
        let mut leaf_values: Vec<Vec<f64>> = vec![Vec::with_capacity(rows); self.leaves.len()];
        let mut done = 0usize;
        while done < rows && self.next_group()? {
            let want = (rows - done).min(usize::try_from(self.left_in_group).unwrap_or(usize::MAX));
            for (k, reader) in self.readers.iter_mut().enumerate() {
                let (name, nullable) = (&self.leaves[k].1, self.leaves[k].2);
                let (got, null) = reader.read(want, nullable, &mut leaf_values[k])?;
                if let Some(index) = null {
                    return Err(invalid(format!(
                        "column `{name}`: sample {} is null",
                        self.next_row + (done + index) as u64
                    )));
                }
                if got != want {
                    return Err(invalid(format!(
                        "column `{name}` ends before its row group's {} rows",
                        self.left_in_group
                    )));
                }
            }
            done += want;
            self.left_in_group -= want as u64;
        }
        if done == 0 {
            return Ok(None);
        }
        for (k, values) in leaf_values.iter().enumerate() {
            if let Some(i) = values.iter().position(|x| !x.is_finite()) {
                return Err(invalid(format!(
                    "column `{}`: sample {} {}",
                    self.leaves[k].1,
                    self.next_row + i as u64,
                    CellProblem::NotFinite(values[i]).describe(b"")
                )));
            }
        }
        // Selections in row-major order (several columns interleave into rows).
        let leaf_of = |i: &usize| self.leaves.iter().position(|(j, _, _)| j == i).unwrap_or(0);
        // Selections still to come that read each leaf: the last one of a
        // single column takes the leaf's array, the others copy it.
        let mut uses = vec![0usize; self.leaves.len()];
        for i in self.selections.iter().flatten() {
            uses[leaf_of(i)] += 1;
        }
        let mut columns = Vec::with_capacity(self.selections.len());
        for fields in &self.selections {
            if let [i] = fields.as_slice() {
                let k = leaf_of(i);
                uses[k] -= 1;
                columns.push(if uses[k] == 0 {
                    std::mem::take(&mut leaf_values[k])
                } else {
                    leaf_values[k].clone()
                });
                continue;
            }
            let sources: Vec<usize> = fields.iter().map(leaf_of).collect();
            let values = &leaf_values;
            let out: Vec<f64> = (0..done)
                .flat_map(|r| sources.iter().map(move |&k| values[k][r]))
                .collect();
            sources.iter().for_each(|&k| uses[k] -= 1);
            columns.push(out);
        }
        let batch = Batch {
            first_row: self.next_row,
            rows: done,
            lines: done as u64,
            columns,
        };
        self.next_row += done as u64;
        Ok(Some(RawBatch::ready(batch)))
    }
}
