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

    /// Add `x` to entry `i`.
    #[inline]
    pub(crate) fn add_at(&mut self, i: usize, x: f64) {
        let s = self.sum[i];
        let t = s + x;
        self.compensation[i] += if s.abs() >= x.abs() {
            (s - t) + x
        } else {
            (x - t) + s
        };
        self.sum[i] = t;
    }

    /// Add another compensated vector (both its sum and its compensation).
    pub(crate) fn merge(&mut self, other: &CompensatedVec) {
        for (i, (s, c)) in other.sum.iter().zip(&other.compensation).enumerate() {
            self.add_at(i, *s);
            self.add_at(i, *c);
        }
    }

    pub(crate) fn total(&self) -> Vec<f64> {
        self.sum
            .iter()
            .zip(&self.compensation)
            .map(|(s, c)| s + c)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::CompensatedVec;

    #[test]
    fn small_terms_survive_large_cancelling_ones() {
        let mut sum = CompensatedVec::zeros(2);
        for x in [1e16, 1.0, -1e16, 1e-3] {
            sum.add_at(0, x);
            sum.add_at(1, -x);
        }
        let mut other = CompensatedVec::zeros(2);
        other.add_at(0, 0.5);
        sum.merge(&other);
        // Plain summation gives 0.001 (the 1 is lost against 1e16) and 0.5 + 0.001.
        assert_eq!(sum.total(), [1.501, -1.001]);
    }
}
