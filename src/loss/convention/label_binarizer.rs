//! scikit-learn's binary label rule for `hinge_loss`: the whole target is
//! read by `LabelBinarizer(neg_label=-1).fit_transform(y_true)`, so what a
//! label means depends on the other labels of the column.
//!
//! # Rule
//! - Labels are class labels: whole numbers (`type_of_target` calls 0.5
//!   "continuous" and `LabelBinarizer` refuses it: "Unknown label type").
//! - Two distinct labels a < b: a becomes −1 and b becomes 1, so {0, 1},
//!   {−1, 1}, {1, 2} and {−1, 0} all work.
//! - One distinct label: `label_binarize` returns `neg_label` for every
//!   sample (`n_classes == 1`), so every label, even 1, counts as −1.
//!   losslab reproduces that number and warns.
//! - More than two: `hinge_loss` takes the multiclass branch, which refuses
//!   1-D decision values ("The shape of pred_decision cannot be 1d array
//!   with a multiclass target"); losslab refuses them too and names three.
//!
//! Source: sklearn/metrics/_classification.py (`hinge_loss`),
//! sklearn/preprocessing/_label.py (`label_binarize`), scikit-learn 1.9.

use crate::loss::validate::bad;
use crate::loss::LossError;

/// A target as scikit-learn's binary `hinge_loss` reads it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Binarized {
    /// ±1 for every finite label; a non-finite label is kept as it is, for
    /// the usual finiteness check to report in its usual order.
    pub labels: Vec<f64>,
    /// Set when the target holds a single label (all read as −1).
    pub warning: Option<String>,
}

/// Binarise a whole target column (see the module documentation).
pub(crate) fn binarize(target: &[f64]) -> Result<Binarized, LossError> {
    // The distinct finite labels, each with the index where it first appears.
    let mut first: Option<(usize, f64)> = None;
    let mut second: Option<(usize, f64)> = None;
    for (i, &y) in target.iter().enumerate() {
        if !y.is_finite() {
            continue;
        }
        if y.fract() != 0.0 {
            return Err(bad(
                "target",
                format!(
                    "index {i} is {y}; scikit-learn's hinge_loss takes class labels (whole \
                     numbers): LabelBinarizer refuses a continuous target"
                ),
            ));
        }
        match (first, second) {
            (None, _) => first = Some((i, y)),
            (Some((_, a)), _) if a == y => {}
            (Some(_), None) => second = Some((i, y)),
            (Some(_), Some((_, b))) if b == y => {}
            (Some((i0, a)), Some((i1, b))) => {
                return Err(bad(
                    "target",
                    format!(
                        "index {i0} is {a}, index {i1} is {b} and index {i} is {y}: more than two \
                         labels, which scikit-learn's hinge_loss refuses with 1-D decision values \
                         (\"cannot be 1d array with a multiclass target\"); for three or more \
                         classes give one-hot rows and one decision value per class to \
                         categorical_hinge with convention = sklearn"
                    ),
                ))
            }
        }
    }
    // The larger of two labels is the positive class; a single label is negative.
    let positive = match (first, second) {
        (Some((_, a)), Some((_, b))) => Some(a.max(b)),
        _ => None,
    };
    let labels = target
        .iter()
        .map(|&y| match positive {
            _ if !y.is_finite() => y,
            Some(p) if y == p => 1.0,
            _ => -1.0,
        })
        .collect();
    let warning = match (first, second) {
        (Some((_, a)), None) => Some(format!(
            "every label is {a}: scikit-learn's LabelBinarizer reads a single class as the \
             negative one, so every sample counts as label -1"
        )),
        _ => None,
    };
    Ok(Binarized { labels, warning })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(target: &[f64]) -> Vec<f64> {
        binarize(target).unwrap().labels
    }

    #[test]
    fn smaller_label_is_negative() {
        assert_eq!(labels(&[0.0, 1.0, 1.0]), [-1.0, 1.0, 1.0]);
        assert_eq!(labels(&[1.0, -1.0]), [1.0, -1.0]);
        assert_eq!(labels(&[2.0, 1.0, 2.0]), [1.0, -1.0, 1.0]);
        // {−1, 0}: 0 is the larger label, so it is the positive class.
        assert_eq!(labels(&[-1.0, 0.0]), [-1.0, 1.0]);
        assert_eq!(binarize(&[0.0, 1.0]).unwrap().warning, None);
    }

    #[test]
    fn a_single_label_is_negative_with_a_warning() {
        let b = binarize(&[1.0, 1.0]).unwrap();
        assert_eq!(b.labels, [-1.0, -1.0]);
        assert_eq!(
            b.warning.as_deref(),
            Some(
                "every label is 1: scikit-learn's LabelBinarizer reads a single class as the \
                 negative one, so every sample counts as label -1"
            )
        );
    }

    #[test]
    fn non_finite_labels_pass_through() {
        let b = labels(&[0.0, f64::NAN, 1.0]);
        assert_eq!((b[0], b[2]), (-1.0, 1.0));
        assert!(b[1].is_nan());
    }

    #[test]
    fn refusals_name_the_labels() {
        let e = binarize(&[0.0, 1.0, 1.0, 2.0]).unwrap_err().to_string();
        assert!(
            e.starts_with(
                "target: index 0 is 0, index 1 is 1 and index 3 is 2: more than two labels"
            ),
            "{e}"
        );
        let e = binarize(&[0.0, 0.5]).unwrap_err().to_string();
        assert!(e.starts_with("target: index 1 is 0.5; "), "{e}");
    }
}
