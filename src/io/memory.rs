//! Data already in memory (given on the command line), as a [`BatchSource`],
//! so that small and large inputs take one path.

use std::sync::Mutex;

use super::{Batch, DataError, RawBatch};
use crate::loss::Data;

/// Arrays of numbers handed back after use, for the next batches of a pass:
/// memory reused is neither asked from the system nor faulted in again (a
/// pass over a big file otherwise clears a fresh page for every 512 numbers
/// it decodes or computes, a tenth of its time).
#[derive(Debug, Default)]
pub struct Spare(Mutex<Vec<Vec<f64>>>);

/// Most arrays kept: a few batches' columns and per-sample values.
const MAX_SPARE: usize = 64;

impl Spare {
    /// An empty array with room for `capacity` numbers.
    pub fn take(&self, capacity: usize) -> Vec<f64> {
        let kept = self.0.lock().ok().and_then(|mut spare| spare.pop());
        let mut values = kept.unwrap_or_default();
        values.clear();
        values.reserve(capacity);
        values
    }

    /// An array of `len` numbers, for a caller that overwrites every one:
    /// whatever an array handed back held, zeros beyond.
    pub fn take_filled(&self, len: usize) -> Vec<f64> {
        let kept = self.0.lock().ok().and_then(|mut spare| spare.pop());
        let mut values = kept.unwrap_or_default();
        values.truncate(len);
        values.resize(len, 0.0);
        values
    }

    /// Keep `values` for a later [`Spare::take`].
    pub fn give(&self, values: Vec<f64>) {
        if values.capacity() == 0 {
            return;
        }
        if let Ok(mut spare) = self.0.lock() {
            if spare.len() < MAX_SPARE {
                spare.push(values);
            }
        }
    }
}

/// A flat array or a matrix, handed out in batches of rows.
pub struct MemorySource {
    values: Vec<f64>,
    widths: Vec<usize>,
    next_row: usize,
}

impl MemorySource {
    /// Rows of a matrix, or one value per sample of a flat array.
    pub fn new(data: &Data) -> MemorySource {
        let (values, width) = match data {
            Data::Flat(values) => (values.clone(), 1),
            Data::Rows(rows) => (rows.concat(), rows.first().map_or(1, Vec::len).max(1)),
        };
        MemorySource {
            values,
            widths: vec![width],
            next_row: 0,
        }
    }

    pub fn rows(&self) -> usize {
        self.values.len() / self.widths[0]
    }
}

impl super::BatchSource for MemorySource {
    fn widths(&self) -> &[usize] {
        &self.widths
    }

    fn next_raw(&mut self, rows: usize) -> Result<Option<RawBatch>, DataError> {
        let width = self.widths[0];
        let left = self.rows() - self.next_row;
        if left == 0 {
            return Ok(None);
        }
        let rows = rows.max(1).min(left);
        let start = self.next_row * width;
        let batch = Batch {
            first_row: self.next_row as u64,
            rows,
            lines: rows as u64,
            columns: vec![self.values[start..start + rows * width].to_vec()],
        };
        self.next_row += rows;
        Ok(Some(RawBatch::ready(batch)))
    }
}
