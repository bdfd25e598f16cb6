//! A row loss over one batch of a stream: [`Loss::reduce`]'s row pass on
//! rows `first_row..` of the whole data, with what a stream needs to rebuild
//! the in-memory result from its batches.
//!
//! The pass is the core's own ([`reduce::rows`] with the loss's row kernel);
//! the per-row kernel (run where the chunk kernel declines, see
//! `row_slices`) is wrapped so that
//! - every message and warning names the row's index in the whole data
//!   (the kernel is told `first_row + i`; it uses the index for messages
//!   only, never to look data up),
//! - each row's term of the `weighted_mean` denominator (w·class factor, 0
//!   for a row left out by `ignore_index`) is kept ([`reduce::rows`] writes
//!   it), so that the stream sums the denominator chunk by chunk as the
//!   core does,
//! - every row's warnings are kept, in row order (the core lists only the
//!   first [`MAX_WARNINGS`] of a call; a stream lists the first of the whole
//!   data).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

use super::definition::{Kernel, Row};
use super::reduce::{self, Outs};
use super::slice_eval::row_input;
use super::validate::bad;
use super::{Input, Loss, LossError, Reduction};

/// At most this many row warnings are listed; the rest are counted (as in
/// the core's row pass: the in-memory and streamed outputs are compared
/// warning for warning by the stream's tests).
pub(crate) const MAX_WARNINGS: usize = 10;

/// The line that stands for the warnings after the first [`MAX_WARNINGS`].
pub(crate) fn more_warnings(more: u64) -> String {
    format!("... and {more} more such warnings")
}

/// What a batch of rows gave besides its per-sample values and gradient.
#[derive(Debug, Default)]
pub(crate) struct RowBatch {
    /// Rows counted by a mean (all but those of `ignore_index`).
    pub counted: u64,
    /// Every warning of the batch's rows, in row order.
    pub warnings: Vec<String>,
}

impl Loss {
    /// Evaluate a row loss on a batch whose first row is row `first_row` of
    /// the data: per-sample values (times the weights) into `per_sample`,
    /// the unscaled gradient rows into `gradient` (or nothing, if empty),
    /// and each row's `weighted_mean` denominator term into `terms`. The
    /// numbers are those of [`Loss::reduce`] with [`Reduction::Sum`]; an
    /// error names the row in the whole data.
    pub(crate) fn row_batch(
        &self,
        input: Input<'_>,
        first_row: usize,
        (per_sample, gradient, terms): (&mut [f64], &mut [f64], &mut [f64]),
    ) -> Result<RowBatch, LossError> {
        let Kernel::Rows(kernel) = &self.kernel else {
            return Err(bad(
                "prediction",
                "an elementwise loss has no rows".to_string(),
            ));
        };
        let (t, p, _) = row_input(kernel.as_ref(), self.name(), input)?;
        let n = p.len();
        let weights = input.weights;
        let left_out = AtomicU64::new(0);
        let warned: Mutex<Vec<(usize, Vec<String>)>> = Mutex::new(Vec::new());
        let outs = Outs {
            per_sample,
            gradient,
            hessian: &mut [],
            terms,
        };
        let kernel = kernel.as_ref();
        let row = |row: Row<'_, '_>| {
            let i = row.index;
            let mut out = kernel.row(Row {
                index: first_row + i,
                ..row
            })?;
            if !out.counted {
                left_out.fetch_add(1, Ordering::Relaxed);
            }
            if !out.warnings.is_empty() {
                let taken = std::mem::take(&mut out.warnings);
                if let Ok(mut warned) = warned.lock() {
                    warned.push((i, taken));
                }
            }
            Ok(out)
        };
        reduce::rows(t, p, weights, Reduction::Sum, outs, (kernel, row))?;
        let mut warned = warned.into_inner().unwrap_or_default();
        // Chunks run on any thread: row order is the core's order.
        warned.sort_by_key(|(i, _)| *i);
        Ok(RowBatch {
            counted: n as u64 - left_out.load(Ordering::Relaxed),
            warnings: warned.into_iter().flat_map(|(_, w)| w).collect(),
        })
    }
}
