//! NumPy `.npy` files, streamed: the header is read by `npyz`; the data are
//! little-endian numbers read in blocks. A 1-D array is one value per
//! sample; a 2-D array is one row per sample, for row losses: in C order
//! (numpy's default) a block of rows is one stretch of the file; in Fortran
//! order (column-major, as `np.asfortranarray` or a transposed array saves)
//! each column of the block is its own stretch, read at its offset and
//! interleaved into rows, so memory stays one block either way.
//! Accepted types: float64, float32, int64, int32 (widened exactly to f64).

use std::io::{BufReader, Read, Seek, SeekFrom};
use std::path::Path;

use super::number::CellProblem;
use super::{invalid, open_regular, Batch, Columns, DataError, RawBatch};

/// The element types read, with their size in bytes.
#[derive(Debug, Clone, Copy)]
enum Element {
    F64,
    F32,
    I64,
    I32,
}

impl Element {
    fn size(self) -> usize {
        match self {
            Element::F64 | Element::I64 => 8,
            Element::F32 | Element::I32 => 4,
        }
    }

    fn value(self, bytes: &[u8]) -> f64 {
        let mut b8 = [0u8; 8];
        let mut b4 = [0u8; 4];
        match self {
            Element::F64 => {
                b8.copy_from_slice(bytes);
                f64::from_le_bytes(b8)
            }
            Element::I64 => {
                b8.copy_from_slice(bytes);
                i64::from_le_bytes(b8) as f64
            }
            Element::F32 => {
                b4.copy_from_slice(bytes);
                f64::from(f32::from_le_bytes(b4))
            }
            Element::I32 => {
                b4.copy_from_slice(bytes);
                f64::from(i32::from_le_bytes(b4))
            }
        }
    }
}

pub(super) struct NpySource {
    reader: BufReader<std::fs::File>,
    /// Fortran order (2-D): where the data start in the file.
    fortran_data: Option<u64>,
    /// Fortran order: the block's columns, one after the other.
    by_column: Vec<u8>,
    element: Element,
    widths: Vec<usize>,
    width: usize,
    total_rows: u64,
    next_row: u64,
    buffer: Vec<u8>,
}

impl NpySource {
    pub(super) fn open(path: &Path, selections: &[Columns]) -> Result<NpySource, DataError> {
        if let Some(named) = selections.iter().find(|c| **c != Columns::All) {
            return Err(invalid(format!(
                "is a .npy array, which has no named columns (asked for {named:?})"
            )));
        }
        let mut reader = BufReader::with_capacity(1 << 20, open_regular(path)?);
        let header = npyz::NpyHeader::from_reader(&mut reader)
            .map_err(|e| invalid(format!("is not a valid .npy file: {e}")))?;
        let dtype = header.dtype();
        let type_name = match &dtype {
            npyz::DType::Plain(ty) => ty.to_string(),
            other => other.descr(),
        };
        let element = match type_name.as_str() {
            "<f8" => Element::F64,
            "<f4" => Element::F32,
            "<i8" => Element::I64,
            "<i4" => Element::I32,
            _ => {
                return Err(invalid(format!(
                    "has dtype {type_name}; expected little-endian float64 (<f8), float32, int64 or int32"
                )))
            }
        };
        let shape = header.shape().to_vec();
        let (total_rows, width) = match shape.as_slice() {
            [n] => (*n, 1),
            [n, k] if *k > 0 => (
                *n,
                usize::try_from(*k).map_err(|_| invalid("has too many columns"))?,
            ),
            _ => {
                return Err(invalid(format!(
                    "has shape {shape:?}; expected a 1-D array (one value per sample) or a 2-D array with columns (one row per sample)"
                )))
            }
        };
        // A 1-D array is the same bytes in either order.
        let fortran_data = if width > 1 && header.order() == npyz::Order::Fortran {
            let start = reader
                .stream_position()
                .map_err(|e| invalid(format!("could not be read: {e}")))?;
            Some(start)
        } else {
            None
        };
        Ok(NpySource {
            reader,
            fortran_data,
            by_column: Vec::new(),
            element,
            widths: vec![width; selections.len()],
            width,
            total_rows,
            next_row: 0,
            buffer: Vec::new(),
        })
    }
}

impl super::BatchSource for NpySource {
    fn widths(&self) -> &[usize] {
        &self.widths
    }

    fn next_raw(&mut self, rows: usize) -> Result<Option<RawBatch>, DataError> {
        let left = self.total_rows - self.next_row;
        if left == 0 {
            return Ok(None);
        }
        let rows = (rows.max(1) as u64).min(left) as usize;
        let size = self.element.size();
        self.buffer.resize(rows * self.width * size, 0);
        let ends_early = |e: std::io::Error| {
            invalid(format!(
                "ends early: its header promises {} rows, reading row {} failed: {e}",
                self.total_rows, self.next_row
            ))
        };
        match self.fortran_data {
            None => self
                .reader
                .read_exact(&mut self.buffer)
                .map_err(ends_early)?,
            Some(start) => {
                read_columns(
                    self.reader.get_mut(),
                    start + self.next_row * size as u64,
                    self.total_rows * size as u64,
                    &mut self.by_column,
                    rows * size,
                    self.width,
                )
                .map_err(ends_early)?;
                transpose(&self.by_column, &mut self.buffer, rows, self.width, size);
            }
        }
        let mut values = Vec::with_capacity(rows * self.width);
        for (i, bytes) in self.buffer.chunks_exact(size).enumerate() {
            let x = self.element.value(bytes);
            if !x.is_finite() {
                let sample = self.next_row + (i / self.width) as u64;
                let place = if self.width == 1 {
                    format!("sample {sample}")
                } else {
                    format!("sample {sample}, column {}", i % self.width)
                };
                return Err(invalid(format!(
                    "{place} {}",
                    CellProblem::NotFinite(x).describe(b"")
                )));
            }
            values.push(x);
        }
        let batch = Batch {
            first_row: self.next_row,
            rows,
            lines: rows as u64,
            columns: vec![values; self.widths.len()],
        };
        self.next_row += rows as u64;
        Ok(Some(RawBatch::ready(batch)))
    }
}

/// Fortran order: `width` stretches of `bytes` bytes each, the first at
/// `start`, each `stride` bytes after the last, into `out`, one after the other.
fn read_columns(
    file: &mut std::fs::File,
    start: u64,
    stride: u64,
    out: &mut Vec<u8>,
    bytes: usize,
    width: usize,
) -> std::io::Result<()> {
    out.resize(bytes * width, 0);
    for (j, column) in out.chunks_exact_mut(bytes).enumerate() {
        file.seek(SeekFrom::Start(start + j as u64 * stride))?;
        file.read_exact(column)?;
    }
    Ok(())
}

/// `rows` × `width` elements of `size` bytes, column after column in
/// `columns`, into row after row in `rows_out` (the C-order bytes).
fn transpose(columns: &[u8], rows_out: &mut [u8], rows: usize, width: usize, size: usize) {
    for (j, column) in columns.chunks_exact(rows * size).enumerate() {
        for (i, element) in column.chunks_exact(size).enumerate() {
            let at = (i * width + j) * size;
            rows_out[at..at + size].copy_from_slice(element);
        }
    }
}
