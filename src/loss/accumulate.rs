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
use super::sum::{chunked_sum, Neumaier};
use super::validate::bad;
use super::{Loss, LossError, Reduction, Shape};

/// How the per-sample values are summed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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
    /// An empty accumulator; elementwise losses only, and only those whose
    /// labels do not depend on the whole column.
    pub fn new(loss: Loss, summation: Summation) -> Result<LossAccumulator, LossError> {
        if loss.shape() != Shape::Elementwise {
            return Err(bad(
                loss.name(),
                "is a row loss; only elementwise losses accumulate over batches".to_string(),
            ));
        }
        if loss.labels_depend_on_whole_target() {
            return Err(bad(
                loss.name(),
                "reads {0, 1} labels as ±1 by a rule over the whole target column, which an \
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

    /// Check a batch of pairs and add their losses (an invalid batch adds nothing).
    pub fn add(&mut self, target: &[f64], prediction: &[f64]) -> Result<(), LossError> {
        if target.is_empty() && prediction.is_empty() {
            return Ok(());
        }
        self.values.clear();
        self.values.resize(prediction.len(), 0.0);
        let output = Output {
            per_sample: Some(&mut self.values),
            ..Output::default()
        };
        self.loss
            .reduce(Input::new(target, prediction), Reduction::Sum, output)?;
        if self.loss.signed_labels() {
            let zeros = self.zeros || target.contains(&0.0);
            let minus_ones = self.minus_ones || target.contains(&-1.0);
            if zeros && minus_ones {
                return Err(mixed_labels());
            }
            (self.zeros, self.minus_ones) = (zeros, minus_ones);
        }
        match &mut self.total {
            Total::Exact(sum) => sum.add_slice(&self.values),
            Total::Compensated(sum) => sum.merge(&chunked_sum(&self.values)),
        }
        self.count += self.values.len() as u64;
        Ok(())
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

    /// The partial state, to be merged elsewhere by [`LossAccumulator::merge_bytes`]:
    /// the count, the label flags, then the sum's own bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut bytes = self.count.to_le_bytes().to_vec();
        bytes.push(u8::from(self.zeros) | (u8::from(self.minus_ones) << 1));
        match &self.total {
            Total::Exact(sum) => bytes.extend(sum.to_bytes()),
            Total::Compensated(sum) => {
                let (s, c) = sum.parts();
                bytes.extend(s.to_le_bytes());
                bytes.extend(c.to_le_bytes());
            }
        }
        bytes
    }

    /// Merge a partial state written by [`LossAccumulator::to_bytes`] of an
    /// accumulator of the same loss and summation.
    pub fn merge_bytes(&mut self, bytes: &[u8]) -> Result<(), LossError> {
        let not_a_state = || bad("state", "is not a partial loss sum".to_string());
        if bytes.len() < 9 {
            return Err(not_a_state());
        }
        let (head, rest) = bytes.split_at(9);
        let count = u64::from_le_bytes(head[..8].try_into().map_err(|_| not_a_state())?);
        match &mut self.total {
            Total::Exact(sum) => sum.merge(&ExactSum::from_bytes(rest).ok_or_else(not_a_state)?),
            Total::Compensated(sum) => {
                if rest.len() != 16 {
                    return Err(not_a_state());
                }
                let part = |i: usize| {
                    let word: [u8; 8] = rest[i..i + 8].try_into().unwrap_or_default();
                    f64::from_le_bytes(word)
                };
                sum.merge(&Neumaier::from_parts(part(0), part(8)));
            }
        }
        self.count += count;
        self.zeros |= head[8] & 1 != 0;
        self.minus_ones |= head[8] & 2 != 0;
        if self.zeros && self.minus_ones {
            return Err(mixed_labels());
        }
        Ok(())
    }
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
        let cce = Loss::new("categorical_cross_entropy", &Params::new()).unwrap();
        assert!(LossAccumulator::new(cce, Summation::Exact).is_err());
    }
}
