//! The work budget: a training or a landscape is refused before it starts
//! when its count of sample evaluations exceeds the limit.
//!
//! A training costs steps × samples (× parameters for an MLP, whose
//! per-sample work grows with its size); a landscape costs points × samples
//! (× parameters). At the default limit a training runs in seconds.

use super::problem::Problem;
use super::TrainError;

/// The default limit: 2·10⁸ units, a few seconds of work on one core.
pub const DEFAULT_LIMIT: u128 = 200_000_000;

/// The most work a caller allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Budget {
    pub limit: u128,
}

impl Default for Budget {
    fn default() -> Budget {
        Budget {
            limit: DEFAULT_LIMIT,
        }
    }
}

impl Budget {
    pub fn new(limit: u128) -> Budget {
        Budget { limit }
    }

    /// Refuse `count` units of `unit` work (`2000 steps`) of `per` each
    /// (`100 samples`, `100 samples × 33 parameters`).
    pub(crate) fn check(
        &self,
        count: u128,
        unit: &str,
        per: (u128, String),
    ) -> Result<(), TrainError> {
        let work = count.saturating_mul(per.0);
        if work > self.limit {
            return Err(TrainError::OverBudget {
                what: format!("{count} {unit} × {}", per.1),
                work,
                limit: self.limit,
            });
        }
        Ok(())
    }
}

impl Budget {
    /// Refuse a training of `steps` steps on `problem` before it starts, as
    /// [`Problem::train`] does: steps × samples (× parameters for an MLP).
    pub fn check_training(&self, problem: &Problem, steps: usize) -> Result<(), TrainError> {
        self.check(steps as u128, "steps", problem.evaluation_work())
    }
}
