//! The core's deterministic reduction, rebuilt over a stream: sums over
//! fixed chunks of `CHUNK` samples counted from the start of the data, each
//! summed by the core's [`ChunkSum`] (its lanes fed in the same order,
//! whatever the batch boundaries inside the chunk), merged in index order.
//! Batches of any size and the thread count therefore leave every bit of the
//! result unchanged, and the result equals [`crate::loss::Loss::evaluate`]
//! on the whole data (a test checks it against the core on every reduction).
//!
//! The accumulators and the chunk size are the core's own ([`ChunkSum`],
//! [`Neumaier`], [`CHUNK`]), so the two cannot drift apart.

use crate::loss::{ChunkSum, Neumaier, CHUNK};

/// Sums of the loss values and of the weights over one chunk (or part of one).
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct ChunkSums {
    value: ChunkSum,
    weight: ChunkSum,
    /// Samples without weights: the denominator of a mean is their count, as
    /// in the core.
    unweighted: u64,
}

impl ChunkSums {
    fn of(values: &[f64], weights: Option<&[f64]>) -> ChunkSums {
        let mut sums = ChunkSums::default();
        sums.extend(values, weights);
        sums
    }

    fn extend(&mut self, values: &[f64], weights: Option<&[f64]>) {
        self.value.add_slice(values);
        match weights {
            Some(weights) => self.weight.add_slice(weights),
            None => self.unweighted += values.len() as u64,
        }
    }
}

/// One batch's contribution, computed on any thread: the samples that finish
/// the chunk left open by the previous batch, the sums of the chunks that lie
/// wholly inside the batch, and the sums of the chunk it leaves open.
#[derive(Debug, Default)]
pub(crate) struct BatchSums {
    head_values: Vec<f64>,
    head_weights: Option<Vec<f64>>,
    full: Vec<ChunkSums>,
    tail: Option<ChunkSums>,
    /// Index of the sample after the head.
    head_end: u64,
    /// Index of the sample after the batch.
    end: u64,
}

impl BatchSums {
    /// `values` are the (weighted) per-sample losses of samples `first_row..`.
    pub(crate) fn new(first_row: u64, values: &[f64], weights: Option<&[f64]>) -> BatchSums {
        let n = values.len();
        let offset = (first_row % CHUNK as u64) as usize;
        let head = if offset == 0 {
            0
        } else {
            (CHUNK - offset).min(n)
        };
        let mut full = Vec::with_capacity((n - head) / CHUNK);
        let mut start = head;
        while start + CHUNK <= n {
            let end = start + CHUNK;
            full.push(ChunkSums::of(
                &values[start..end],
                weights.map(|w| &w[start..end]),
            ));
            start = end;
        }
        let tail =
            (start < n).then(|| ChunkSums::of(&values[start..], weights.map(|w| &w[start..])));
        BatchSums {
            head_values: values[..head].to_vec(),
            head_weights: weights.map(|w| w[..head].to_vec()),
            full,
            tail,
            head_end: first_row + head as u64,
            end: first_row + n as u64,
        }
    }
}

/// The merged sums of every batch so far, taken in order.
#[derive(Debug, Default)]
pub(crate) struct StreamSums {
    value: Neumaier,
    weight: Neumaier,
    unweighted: u64,
    open: Option<ChunkSums>,
    pub(crate) samples: u64,
}

impl StreamSums {
    /// Merge the next batch (batches must come in order).
    pub(crate) fn absorb(&mut self, batch: &BatchSums) {
        if !batch.head_values.is_empty() {
            let open = self.open.get_or_insert_with(ChunkSums::default);
            open.extend(&batch.head_values, batch.head_weights.as_deref());
            if batch.head_end.is_multiple_of(CHUNK as u64) {
                self.close_open();
            }
        }
        for chunk in &batch.full {
            self.merge(chunk);
        }
        if let Some(tail) = batch.tail {
            self.open = Some(tail);
        }
        self.samples = batch.end;
    }

    fn merge(&mut self, chunk: &ChunkSums) {
        self.value.merge(&chunk.value.total());
        self.weight.merge(&chunk.weight.total());
        self.unweighted += chunk.unweighted;
    }

    fn close_open(&mut self) {
        if let Some(open) = self.open.take() {
            self.merge(&open);
        }
    }

    /// The sums of the loss values and of the weights (or the count of
    /// samples, when there are no weights) over everything absorbed.
    pub(crate) fn finish(mut self) -> (f64, f64) {
        self.close_open();
        // A stream has weights for every sample or for none: one term is 0.
        let weight = self.weight.value() + self.unweighted as f64;
        (self.value.value(), weight)
    }
}
