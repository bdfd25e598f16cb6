//! A loss accumulated over batches that arrive in any order and from any
//! number of workers, as a query engine's aggregate sees them: each batch
//! goes through the loss's slice kernels (the numbers of [`Loss::reduce`]),
//! its per-sample values into a sum, and partial accumulators merge through
//! a byte form. The mean is the sum over the count.
//!
//! Two sums: [`Summation::Exact`] ([`ExactSum`]) gives the correctly rounded
//! sum, so the mean has the same bits whatever the batches, partitions and
//! merge order; [`Summation::Compensated`] merges the core's chunked
//! compensated sums ([`Neumaier`]), within a few ulps of it and dependent
//! on the order in its last bits.
//!
//! ```
//! use losslab::loss::{Loss, LossAccumulator, Params, Summation};
//! let mse = Loss::new("mse", &Params::new()).unwrap();
//! let mut left = LossAccumulator::new(mse.clone(), Summation::Exact).unwrap();
//! let mut right = LossAccumulator::new(mse, Summation::Exact).unwrap();
//! left.add(&[1.0, 2.0], &[1.5, 2.0]).unwrap();
//! right.add(&[3.0, 4.0], &[2.0, 4.0]).unwrap();
//! left.merge_bytes(&right.to_bytes()).unwrap();
//! assert_eq!(left.mean(), Some(0.3125));
//! ```

use super::exact_sum::ExactSum;
use super::slice_eval::{Input, Output};
use super::sum::{chunked_sum, Neumaier, CHUNK};
use super::validate::bad;
use super::{Loss, LossError, Reduction, Shape};

/// How the per-sample values are summed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Summation {
    /// Correctly rounded, independent of order and partitioning.
    Exact,
    /// The core's compensated sum per batch, merged with compensation.
    Compensated,
}

#[derive(Debug, Clone)]
enum Total {
    // Boxed: 576 bytes against the compensated sum's 16.
    Exact(Box<ExactSum>),
    Compensated(Neumaier),
}

/// The running sum and count of a loss's per-sample values.
#[derive(Debug, Clone)]
pub struct LossAccumulator {
    loss: Loss,
    total: Total,
    count: u64,
    /// Labels 0 and −1 seen (hinge losses: the two conventions must not mix
    /// across batches either).
    zeros: bool,
    minus_ones: bool,
    /// Per-sample values of the current batch (reused between batches).
    values: Vec<f64>,
}

impl LossAccumulator {
    /// An empty accumulator; any loss whose labels do not depend on the
    /// whole column (elementwise losses take pairs by [`LossAccumulator::add`],
    /// row losses rows by [`LossAccumulator::add_rows`]).
    pub fn new(loss: Loss, summation: Summation) -> Result<LossAccumulator, LossError> {
        if loss.labels_depend_on_whole_target() {
            return Err(bad(
                loss.name(),
                "reads its labels by a rule over the whole target column (Keras: all-{0, 1} \
                 labels as ±1; scikit-learn: the smaller of two labels as -1), which an \
                 accumulator over batches cannot apply; give labels ±1 with convention = exact"
                    .to_string(),
            ));
        }
        let total = match summation {
            Summation::Exact => Total::Exact(Box::default()),
            Summation::Compensated => Total::Compensated(Neumaier::new()),
        };
        Ok(LossAccumulator {
            loss,
            total,
            count: 0,
            zeros: false,
            minus_ones: false,
            values: Vec::new(),
        })
    }

    /// The loss accumulated.
    pub fn loss(&self) -> &Loss {
        &self.loss
    }

    /// Check a batch of pairs and add their losses (an invalid batch adds
    /// nothing). Elementwise losses only.
    pub fn add(&mut self, target: &[f64], prediction: &[f64]) -> Result<(), LossError> {
        if self.loss.shape() != Shape::Elementwise {
            return Err(bad(
                self.loss.name(),
                "is a row loss; give rows (add_rows)".to_string(),
            ));
        }
        if target.is_empty() && prediction.is_empty() {
            return Ok(());
        }
        if target.len() != prediction.len() {
            // The core's own message for unequal lengths.
            return self
                .loss
                .reduce(
                    Input::new(target, prediction),
                    Reduction::Sum,
                    Output::default(),
                )
                .map(|_| ());
        }
        self.values.clear();
        self.values.resize(prediction.len(), 0.0);
        // A chunk at a time: the per-sample values are the same, and the
        // caller's thread does the work (an engine already runs one
        // accumulator per partition; waking the thread pool per batch costs).
        for ((t, p), values) in target
            .chunks(CHUNK)
            .zip(prediction.chunks(CHUNK))
            .zip(self.values.chunks_mut(CHUNK))
        {
            let output = Output {
                per_sample: Some(values),
                ..Output::default()
            };
            if let Err(chunk_error) = self.loss.reduce(Input::new(t, p), Reduction::Sum, output) {
                // The whole batch's error names the row within the batch.
                let whole = Input::new(target, prediction);
                let error = self.loss.reduce(whole, Reduction::Sum, Output::default());
                return Err(error.err().unwrap_or(chunk_error));
            }
        }
        if self.loss.signed_labels() {
            let zeros = self.zeros || target.contains(&0.0);
            let minus_ones = self.minus_ones || target.contains(&-1.0);
            if zeros && minus_ones {
                return Err(mixed_labels());
            }
            (self.zeros, self.minus_ones) = (zeros, minus_ones);
        }
        self.add_values();
        Ok(())
    }

    /// Check a batch of rows of `classes` values each and add their losses
    /// (an invalid batch adds nothing). Row losses only; `target` holds
    /// whole rows, or one label per row for sparse labels.
    pub fn add_rows(
        &mut self,
        target: &[f64],
        prediction: &[f64],
        classes: usize,
    ) -> Result<(), LossError> {
        if self.loss.shape() != Shape::Rows {
            return Err(bad(
                self.loss.name(),
                "is an elementwise loss; give pairs (add)".to_string(),
            ));
        }
        if target.is_empty() && prediction.is_empty() {
            return Ok(());
        }
        if classes == 0 {
            return Err(bad("prediction", "has rows of no value".to_string()));
        }
        let rows = prediction.len() / classes;
        self.values.clear();
        self.values.resize(rows, 0.0);
        let output = Output {
            per_sample: Some(&mut self.values),
            ..Output::default()
        };
        let input = Input::new(target, prediction).rows(classes);
        self.loss.reduce(input, Reduction::Sum, output)?;
        self.add_values();
        Ok(())
    }

    /// Add the per-sample values of the batch just checked.
    fn add_values(&mut self) {
        match &mut self.total {
            Total::Exact(sum) => sum.add_slice(&self.values),
            Total::Compensated(sum) => sum.merge(&chunked_sum(&self.values)),
        }
        self.count += self.values.len() as u64;
    }

    /// Pairs added so far (merged ones included).
    pub fn count(&self) -> u64 {
        self.count
    }

    /// The sum of the per-sample losses.
    pub fn sum(&self) -> f64 {
        match &self.total {
            Total::Exact(sum) => sum.value(),
            Total::Compensated(sum) => sum.value(),
        }
    }

    /// The mean loss; `None` over no pair.
    pub fn mean(&self) -> Option<f64> {
        (self.count > 0).then(|| self.sum() / self.count as f64)
    }

    /// The partial state in parts, for engines that keep states as columns.
    pub fn partial(&self) -> Partial {
        let sum = match &self.total {
            Total::Exact(sum) => PartialSum::Exact(sum.to_bytes()),
            Total::Compensated(sum) => {
                let (sum, compensation) = sum.parts();
                PartialSum::Compensated { sum, compensation }
            }
        };
        Partial {
            count: self.count,
            labels: u8::from(self.zeros) | (u8::from(self.minus_ones) << 1),
            sum,
        }
    }

    /// Merge the partial state of an accumulator of the same loss and summation.
    pub fn merge_partial(&mut self, partial: &Partial) -> Result<(), LossError> {
        match (&mut self.total, &partial.sum) {
            (Total::Exact(sum), PartialSum::Exact(bytes)) => {
                sum.merge(&ExactSum::from_bytes(bytes).ok_or_else(not_a_state)?)
            }
            (
                Total::Compensated(sum),
                &PartialSum::Compensated {
                    sum: s,
                    compensation,
                },
            ) => sum.merge(&Neumaier::from_parts(s, compensation)),
            _ => return Err(not_a_state()),
        }
        self.count += partial.count;
        self.zeros |= partial.labels & 1 != 0;
        self.minus_ones |= partial.labels & 2 != 0;
        if self.zeros && self.minus_ones {
            return Err(mixed_labels());
        }
        Ok(())
    }

    /// The partial state as bytes, to be merged elsewhere by
    /// [`LossAccumulator::merge_bytes`]: the count, the label flags, then
    /// the sum's own bytes (the exact sum's, or the two compensated parts).
    pub fn to_bytes(&self) -> Vec<u8> {
        let Partial { count, labels, sum } = self.partial();
        let mut bytes = count.to_le_bytes().to_vec();
        bytes.push(labels);
        match sum {
            PartialSum::Exact(sum) => bytes.extend(sum),
            PartialSum::Compensated { sum, compensation } => {
                bytes.extend(sum.to_le_bytes());
                bytes.extend(compensation.to_le_bytes());
            }
        }
        bytes
    }

    /// Merge a partial state written by [`LossAccumulator::to_bytes`] of an
    /// accumulator of the same loss and summation.
    pub fn merge_bytes(&mut self, bytes: &[u8]) -> Result<(), LossError> {
        if bytes.len() < 9 {
            return Err(not_a_state());
        }
        let (head, rest) = bytes.split_at(9);
        let count = u64::from_le_bytes(head[..8].try_into().map_err(|_| not_a_state())?);
        let sum = match &self.total {
            Total::Exact(_) => PartialSum::Exact(rest.to_vec()),
            Total::Compensated(_) => {
                if rest.len() != 16 {
                    return Err(not_a_state());
                }
                let part = |i: usize| {
                    let word: [u8; 8] = rest[i..i + 8].try_into().unwrap_or_default();
                    f64::from_le_bytes(word)
                };
                PartialSum::Compensated {
                    sum: part(0),
                    compensation: part(8),
                }
            }
        };
        self.merge_partial(&Partial {
            count,
            labels: head[8],
            sum,
        })
    }
}

/// A [`LossAccumulator`]'s partial state: what one partition, thread or
/// machine hands on to be merged.
#[derive(Debug, Clone, PartialEq)]
pub struct Partial {
    /// Samples (pairs or rows) added.
    pub count: u64,
    /// Hinge labels seen: bit 0 for a label 0, bit 1 for a label −1.
    pub labels: u8,
    pub sum: PartialSum,
}

/// The sum of a [`Partial`].
#[derive(Debug, Clone, PartialEq)]
pub enum PartialSum {
    /// [`ExactSum::to_bytes`].
    Exact(Vec<u8>),
    /// [`Neumaier::parts`].
    Compensated { sum: f64, compensation: f64 },
}

fn not_a_state() -> LossError {
    bad("state", "is not a partial loss sum".to_string())
}

fn mixed_labels() -> LossError {
    bad(
        "target",
        "mixes labels 0 and -1: give labels as -1/1 or as 0/1, not both".to_string(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::loss::{ParamValue, Params};

    fn huber(summation: Summation) -> LossAccumulator {
        let params = Params::from([("delta".to_string(), ParamValue::Number(0.5))]);
        LossAccumulator::new(Loss::new("huber", &params).unwrap(), summation).unwrap()
    }

    /// Batches in any split and order, merged through bytes, give the exact
    /// accumulator the same bits as one pass; the compensated one agrees
    /// within its error and the core's own mean is within it too.
    #[test]
    fn partitions_merge_to_the_same_bits() {
        let n: usize = 20_000;
        let target: Vec<f64> = (0..n).map(|i| (i as f64 * 0.7).sin() * 1e3).collect();
        let prediction: Vec<f64> = (0..n).map(|i| (i as f64 * 0.3).cos() * 1e-3).collect();
        let mut whole = huber(Summation::Exact);
        whole.add(&target, &prediction).unwrap();
        let core = Loss::new(
            "huber",
            &Params::from([("delta".into(), ParamValue::Number(0.5))]),
        )
        .unwrap()
        .value(&target, &prediction)
        .unwrap();
        let mean = whole.mean().unwrap();
        assert!((mean - core).abs() <= 4.0 * f64::EPSILON * core);
        for (parts, summation) in [
            (3, Summation::Exact),
            (64, Summation::Exact),
            (7, Summation::Compensated),
        ] {
            let mut merged = huber(summation);
            let size = n.div_ceil(parts);
            for start in (0..n).step_by(size).rev() {
                let end = (start + size).min(n);
                let mut part = huber(summation);
                part.add(&target[start..end], &prediction[start..end])
                    .unwrap();
                merged.merge_bytes(&part.to_bytes()).unwrap();
            }
            assert_eq!(merged.count(), n as u64);
            let got = merged.mean().unwrap();
            if summation == Summation::Exact {
                assert_eq!(got.to_bits(), mean.to_bits());
            } else {
                assert!((got - mean).abs() <= 4.0 * f64::EPSILON * mean);
            }
        }
    }

    /// Rows split over batches and merged through parts give the bits of one
    /// pass, and the mean is the core's mean over the rows.
    #[test]
    fn rows_merge_to_the_same_bits() {
        let classes = 3;
        let rows = 1000;
        let prediction: Vec<f64> = (0..rows * classes)
            .map(|i| 1.0 + (i as f64 * 0.37).sin())
            .collect::<Vec<f64>>()
            .chunks(classes)
            .flat_map(|row| {
                let total: f64 = row.iter().sum();
                row.iter().map(move |q| q / total).collect::<Vec<f64>>()
            })
            .collect();
        let labels: Vec<f64> = (0..rows).map(|i| (i % classes) as f64).collect();
        let scce = Loss::new("sparse_categorical_cross_entropy", &Params::new()).unwrap();
        let core = scce
            .reduce(
                Input::new(&labels, &prediction).rows(classes),
                Reduction::Mean,
                Output::default(),
            )
            .unwrap()
            .value;
        let mut whole = LossAccumulator::new(scce.clone(), Summation::Exact).unwrap();
        whole.add_rows(&labels, &prediction, classes).unwrap();
        assert_eq!(whole.count(), rows as u64);
        let mean = whole.mean().unwrap();
        assert!((mean - core).abs() <= 4.0 * f64::EPSILON * core);
        let mut merged = LossAccumulator::new(scce.clone(), Summation::Exact).unwrap();
        for start in (0..rows).step_by(77) {
            let end = (start + 77).min(rows);
            let mut part = LossAccumulator::new(scce.clone(), Summation::Exact).unwrap();
            part.add_rows(
                &labels[start..end],
                &prediction[start * classes..end * classes],
                classes,
            )
            .unwrap();
            merged.merge_partial(&part.partial()).unwrap();
        }
        assert_eq!(merged.mean().unwrap().to_bits(), mean.to_bits());
    }

    #[test]
    fn bad_batches_and_states_are_errors() {
        let hinge = Loss::new("hinge", &Params::new()).unwrap();
        let mut acc = LossAccumulator::new(hinge.clone(), Summation::Exact).unwrap();
        acc.add(&[0.0, 1.0], &[0.3, 0.2]).unwrap();
        let err = acc.add(&[-1.0], &[0.3]).unwrap_err();
        assert!(err.to_string().contains("mixes labels 0 and -1"), "{err}");
        let mut other = LossAccumulator::new(hinge, Summation::Exact).unwrap();
        other.add(&[-1.0], &[0.3]).unwrap();
        assert!(acc.merge_bytes(&other.to_bytes()).is_err());
        let mut bce =
            LossAccumulator::new(Loss::new("bce", &Params::new()).unwrap(), Summation::Exact)
                .unwrap();
        let err = bce.add(&[1.0, 0.0], &[0.5, 1.5]).unwrap_err();
        assert!(err.to_string().contains("1.5"), "{err}");
        assert_eq!(bce.count(), 0);
        assert_eq!(bce.mean(), None);
        assert!(bce.merge_bytes(&[1, 2, 3]).is_err());
        // A batch longer than a chunk names the bad row within the batch.
        let mut target = vec![1.0; 5000];
        let mut prob = vec![0.5; 5000];
        prob[4500] = 2.0;
        target[0] = 0.0;
        let err = bce.add(&target, &prob).unwrap_err();
        assert!(err.to_string().contains("4500"), "{err}");
        let compensated = LossAccumulator::new(
            Loss::new("mse", &Params::new()).unwrap(),
            Summation::Compensated,
        )
        .unwrap();
        assert!(bce.merge_partial(&compensated.partial()).is_err());
        let cce = Loss::new("categorical_cross_entropy", &Params::new()).unwrap();
        let mut rows = LossAccumulator::new(cce, Summation::Exact).unwrap();
        assert!(rows.add(&[1.0], &[1.0]).is_err());
        assert!(bce.add_rows(&[1.0], &[1.0], 1).is_err());
        // A row that is not a distribution adds nothing.
        assert!(rows
            .add_rows(&[0.0, 1.0, 1.0, 0.0], &[0.5, 0.5, 1.5, -0.5], 2)
            .is_err());
        assert_eq!(rows.count(), 0);
    }
}
