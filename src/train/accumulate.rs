//! Compensated sums of gradient vectors (Neumaier 1974): the error of a sum
//! stays near one rounding whatever the number of samples, so a fitted
//! optimum is not blurred by the length of the data.

/// One Neumaier sum per entry.
#[derive(Debug, Clone)]
pub(crate) struct CompensatedVec {
    sum: Vec<f64>,
    compensation: Vec<f64>,
}

impl CompensatedVec {
    pub(crate) fn zeros(len: usize) -> CompensatedVec {
        CompensatedVec {
            sum: vec![0.0; len],
            compensation: vec![0.0; len],
        }
    }

    /// Add `values` entry by entry.
    pub(crate) fn add(&mut self, values: &[f64]) {
        for ((s, c), &x) in self.sum.iter_mut().zip(&mut self.compensation).zip(values) {
            let t = *s + x;
            *c += if s.abs() >= x.abs() {
                (*s - t) + x
            } else {
                (x - t) + *s
            };
            *s = t;
        }
    }

    /// Add another compensated vector (both its sum and its compensation).
    pub(crate) fn merge(&mut self, other: &CompensatedVec) {
        self.add(&other.sum);
        self.add(&other.compensation);
    }

    pub(crate) fn total(&self) -> Vec<f64> {
        self.sum
            .iter()
            .zip(&self.compensation)
            .map(|(s, c)| s + c)
            .collect()
    }
}
