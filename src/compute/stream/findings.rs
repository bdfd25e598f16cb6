//! What a streamed pass found wrong, decided as an in-memory evaluation
//! decides it: `Loss::evaluate` on the whole data checks the hinge labels of
//! the whole target first (a value other than −1, 0, 1; then 0 and −1
//! mixed), then every weight, then each sample in order. A stream sees the
//! data a batch at a time, so each batch reports the first finding of each
//! kind in its range, the pass keeps the earliest of each kind, and the error
//! is chosen by that order only at the end (or as soon as nothing later can
//! change it). A file mixing {0, 1} and ±1 labels across batches is thus
//! refused exactly as it is in memory.

use super::Role;

/// A refused sample: its argument, its index from the start of the data, and why.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Refusal {
    pub role: Role,
    pub sample: u64,
    pub message: String,
    /// A row loss's column within the row, which the message names by
    /// its index (a caller that knows the columns' names can name it).
    pub column: Option<usize>,
}

/// The earliest finding of each kind for one loss.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Findings {
    /// A hinge label that is none of −1, 0, 1: (sample, value).
    pub bad_label: Option<(u64, f64)>,
    /// The first label 0 and the first label −1 (both: a mix of conventions).
    pub first_zero: Option<u64>,
    pub first_minus: Option<u64>,
    pub bad_weight: Option<Refusal>,
    pub refusal: Option<Refusal>,
}

/// Keep the earlier of two optional findings (`later` comes from a later batch).
fn earliest<T>(kept: &mut Option<T>, later: Option<T>) {
    if kept.is_none() {
        *kept = later;
    }
}

impl Findings {
    /// Merge the findings of the next batch (batches are merged in order).
    pub(crate) fn absorb(&mut self, later: Findings) {
        earliest(&mut self.bad_label, later.bad_label);
        earliest(&mut self.first_zero, later.first_zero);
        earliest(&mut self.first_minus, later.first_minus);
        earliest(&mut self.bad_weight, later.bad_weight);
        earliest(&mut self.refusal, later.refusal);
    }

    /// Labels 0 and −1 both seen: the two conventions are mixed.
    fn mixed(&self) -> Option<(u64, u64)> {
        self.first_zero.zip(self.first_minus)
    }

    /// Anything found at all (the pass then hands no more batches out).
    pub(crate) fn any(&self) -> bool {
        self.bad_label.is_some()
            || self.mixed().is_some()
            || self.bad_weight.is_some()
            || self.refusal.is_some()
    }

    /// Could a later batch still bring a finding that `Loss::evaluate` would
    /// report before this one? Only labels and weights, which are checked
    /// over the whole data before any sample.
    pub(crate) fn may_change(&self, signed_labels: bool, weighted: bool) -> bool {
        let label_settled = !signed_labels || self.bad_label.is_some();
        let weight_settled = !weighted || self.bad_weight.is_some() || self.label_error();
        !(label_settled && weight_settled)
    }

    fn label_error(&self) -> bool {
        self.bad_label.is_some() || self.mixed().is_some()
    }

    /// The one finding `Loss::evaluate` would report, as (argument, sample, message).
    pub(crate) fn verdict(&self) -> Option<Refusal> {
        const RULE: &str = "hinge labels must be all in {-1, 1} or all in {0, 1}";
        if let Some((sample, value)) = self.bad_label {
            return Some(Refusal {
                role: Role::Target,
                sample,
                message: format!("is {value}; {RULE}"),
                column: None,
            });
        }
        if let Some((zero, minus)) = self.mixed() {
            let (later, later_value, earlier, earlier_value) = if zero > minus {
                (zero, "0", minus, "-1")
            } else {
                (minus, "-1", zero, "0")
            };
            return Some(Refusal {
                role: Role::Target,
                sample: later,
                message: format!(
                    "is {later_value} but sample {earlier} is {earlier_value}; {RULE}"
                ),
                column: None,
            });
        }
        self.bad_weight.clone().or_else(|| self.refusal.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refusal(sample: u64) -> Refusal {
        Refusal {
            role: Role::Prediction,
            sample,
            message: "x".into(),
            column: None,
        }
    }

    #[test]
    fn labels_then_weights_then_samples_whatever_the_batch_order() {
        let mut found = Findings {
            refusal: Some(refusal(3)),
            first_zero: Some(1),
            ..Findings::default()
        };
        assert_eq!(found.verdict(), Some(refusal(3)));
        assert!(found.may_change(true, false));
        found.absorb(Findings {
            first_minus: Some(9_000),
            refusal: Some(refusal(8_000)),
            ..Findings::default()
        });
        let verdict = found.verdict().unwrap();
        assert_eq!((verdict.role, verdict.sample), (Role::Target, 9_000));
        assert_eq!(
            verdict.message,
            "is -1 but sample 1 is 0; hinge labels must be all in {-1, 1} or all in {0, 1}"
        );
        // A label that is none of −1, 0, 1 comes before a mix, even later in the data.
        found.absorb(Findings {
            bad_label: Some((9_500, 2.0)),
            ..Findings::default()
        });
        assert_eq!(found.verdict().unwrap().sample, 9_500);
        assert!(!found.may_change(true, true));
    }
}
