//! Data checks: shapes, lengths, finiteness and domains. Every error names the
//! argument (`target`, `prediction`, `weights`), the position and the value.
//!
//! ```
//! use losslab::loss::{Data, Loss, Params, Reduction};
//! let mse = Loss::new("mse", &Params::new()).unwrap();
//! let err = mse
//!     .evaluate(&Data::Flat(vec![1.0, 2.0]), &Data::Flat(vec![1.0]), None, Reduction::Mean)
//!     .unwrap_err();
//! assert_eq!(err.to_string(), "prediction: has 1 value but target has 2");
//! ```

use super::domain::{Argument, DomainError, Place};
use super::{Data, LossError};

pub(crate) fn bad(what: &str, message: String) -> LossError {
    LossError::BadData {
        what: what.to_string(),
        message,
    }
}

fn outside(what: Argument, at: Place, x: f64, rule: &'static str) -> DomainError {
    DomainError {
        argument: what,
        element: at,
        value: x,
        reason: rule,
    }
}

/// A finite value, else an error naming it.
pub(crate) fn finite(what: Argument, at: Place, x: f64) -> Result<(), DomainError> {
    if x.is_finite() {
        Ok(())
    } else {
        Err(outside(what, at, x, "every value must be a finite number"))
    }
}

/// A finite value satisfying `ok`, else an error stating `rule`.
pub(crate) fn check(
    what: Argument,
    at: Place,
    x: f64,
    ok: bool,
    rule: &'static str,
) -> Result<(), DomainError> {
    finite(what, at, x)?;
    if ok {
        Ok(())
    } else {
        Err(outside(what, at, x, rule))
    }
}

pub(crate) fn probability(what: Argument, at: Place, x: f64) -> Result<(), DomainError> {
    check(
        what,
        at,
        x,
        (0.0..=1.0).contains(&x),
        "probabilities must be in [0, 1]",
    )
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("{n} {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// Target and prediction of an elementwise loss: two flat arrays of one length.
pub(crate) fn flat_pair<'a>(
    target: &'a Data,
    prediction: &'a Data,
) -> Result<(&'a [f64], &'a [f64]), LossError> {
    match (target, prediction) {
        (Data::Flat(t), Data::Flat(p)) => flat_slices(t, p),
        (Data::Rows(_), _) => Err(bad(
            "target",
            "a matrix given to an elementwise loss; give a flat array".to_string(),
        )),
        (_, Data::Rows(_)) => Err(bad(
            "prediction",
            "a matrix given to an elementwise loss; give a flat array".to_string(),
        )),
    }
}

/// Two non-empty slices of one length.
pub(crate) fn flat_slices<'a>(
    t: &'a [f64],
    p: &'a [f64],
) -> Result<(&'a [f64], &'a [f64]), LossError> {
    if t.is_empty() {
        return Err(bad("target", "is empty".to_string()));
    }
    if p.is_empty() {
        return Err(bad("prediction", "is empty".to_string()));
    }
    if t.len() != p.len() {
        return Err(bad(
            "prediction",
            format!(
                "has {} but target has {}",
                plural(p.len(), "value"),
                t.len()
            ),
        ));
    }
    Ok((t, p))
}

/// An output array the caller provides: as long as `expected`, if given.
pub(crate) fn output_length(
    what: &str,
    given: Option<&[f64]>,
    expected: usize,
) -> Result<(), LossError> {
    match given {
        Some(out) if out.len() != expected => Err(bad(
            what,
            format!(
                "has room for {} but the result has {expected}",
                plural(out.len(), "value")
            ),
        )),
        _ => Ok(()),
    }
}

/// Rows of a row loss: a matrix, a flat array standing for one row, or a
/// flat array of sparse labels (one per row, seen as rows of length 1).
#[derive(Debug, Clone, Copy)]
pub(crate) enum RowsRef<'a> {
    One(&'a [f64]),
    Matrix(&'a [Vec<f64>]),
    Labels(&'a [f64]),
    /// Rows of `width` values one after another in one slice.
    Packed(&'a [f64], usize),
}

impl<'a> RowsRef<'a> {
    pub(crate) fn len(&self) -> usize {
        match self {
            RowsRef::One(_) => 1,
            RowsRef::Matrix(m) => m.len(),
            RowsRef::Labels(l) => l.len(),
            RowsRef::Packed(v, width) => v.len() / width,
        }
    }

    pub(crate) fn row(&self, i: usize) -> &'a [f64] {
        match self {
            RowsRef::One(r) => r,
            RowsRef::Matrix(m) => &m[i],
            RowsRef::Labels(l) => std::slice::from_ref(&l[i]),
            RowsRef::Packed(v, width) => &v[i * width..(i + 1) * width],
        }
    }

    /// Position of cell (i, j) for messages: a single flat row has no row number.
    pub(crate) fn place(&self, i: usize, j: usize) -> Place {
        match self {
            RowsRef::One(_) => Place { row: None, col: j },
            RowsRef::Matrix(_) | RowsRef::Packed(..) => Place {
                row: Some(i),
                col: j,
            },
            RowsRef::Labels(_) => Place { row: None, col: i },
        }
    }
}

fn as_rows<'a>(what: &str, data: &'a Data) -> Result<RowsRef<'a>, LossError> {
    match data {
        Data::Flat(v) if v.is_empty() => Err(bad(what, "is empty".to_string())),
        Data::Flat(v) => Ok(RowsRef::One(v)),
        Data::Rows(m) => {
            if m.is_empty() || m[0].is_empty() {
                return Err(bad(what, "is empty".to_string()));
            }
            if let Some((i, r)) = m.iter().enumerate().find(|(_, r)| r.len() != m[0].len()) {
                return Err(bad(
                    what,
                    format!(
                        "ragged rows: row {i} has {} but row 0 has {}",
                        plural(r.len(), "value"),
                        m[0].len()
                    ),
                ));
            }
            Ok(RowsRef::Matrix(m))
        }
    }
}

/// Rows of `classes` values one after another in one slice.
pub(crate) fn packed<'a>(
    what: &str,
    values: &'a [f64],
    classes: usize,
) -> Result<RowsRef<'a>, LossError> {
    if values.is_empty() {
        return Err(bad(what, "is empty".to_string()));
    }
    if classes == 0 || !values.len().is_multiple_of(classes) {
        return Err(bad(
            what,
            format!(
                "has {}, not a whole number of rows of {classes}",
                plural(values.len(), "value")
            ),
        ));
    }
    Ok(RowsRef::Packed(values, classes))
}

/// Target and prediction of a dense row loss, checked to have one shape.
/// Returns them with the number of classes (row length).
pub(crate) fn dense_rows<'a>(
    target: &'a Data,
    prediction: &'a Data,
) -> Result<(RowsRef<'a>, RowsRef<'a>, usize), LossError> {
    dense_pair(
        as_rows("target", target)?,
        as_rows("prediction", prediction)?,
    )
}

/// Dense target and prediction rows, checked to have one shape.
pub(crate) fn dense_pair<'a>(
    t: RowsRef<'a>,
    p: RowsRef<'a>,
) -> Result<(RowsRef<'a>, RowsRef<'a>, usize), LossError> {
    let (tc, pc) = (t.row(0).len(), p.row(0).len());
    if t.len() != p.len() {
        return Err(bad(
            "prediction",
            format!("has {} but target has {}", plural(p.len(), "row"), t.len()),
        ));
    }
    if tc != pc {
        return Err(bad(
            "prediction",
            format!(
                "rows have {} but target rows have {tc}",
                plural(pc, "value")
            ),
        ));
    }
    Ok((t, p, pc))
}

/// Labels (flat, one per row) and prediction rows of a sparse loss.
pub(crate) fn sparse_rows<'a>(
    target: &'a Data,
    prediction: &'a Data,
) -> Result<(RowsRef<'a>, RowsRef<'a>, usize), LossError> {
    let labels =
        match target {
            Data::Flat(v) if v.is_empty() => return Err(bad("target", "is empty".to_string())),
            Data::Flat(v) => RowsRef::Labels(v),
            // A column of labels (e.g. a CSV file with one label per line).
            Data::Rows(m) if !m.is_empty() && m.iter().all(|r| r.len() == 1) => RowsRef::Matrix(m),
            Data::Rows(_) => return Err(bad(
                "target",
                "sparse labels must be a flat array of class indices, one per row, not a matrix"
                    .to_string(),
            )),
        };
    sparse_pair(labels, as_rows("prediction", prediction)?)
}

/// Sparse labels and prediction rows, checked to be as many.
pub(crate) fn sparse_pair<'a>(
    labels: RowsRef<'a>,
    p: RowsRef<'a>,
) -> Result<(RowsRef<'a>, RowsRef<'a>, usize), LossError> {
    if labels.len() != p.len() {
        return Err(bad(
            "target",
            format!(
                "has {} but prediction has {}",
                plural(labels.len(), "label"),
                plural(p.len(), "row")
            ),
        ));
    }
    let classes = p.row(0).len();
    Ok((labels, p, classes))
}

/// Weights: one finite, non-negative number per sample.
pub(crate) fn weights(w: &[f64], samples: usize) -> Result<(), LossError> {
    if w.len() != samples {
        return Err(bad(
            "weights",
            format!(
                "has {} but the data has {}",
                plural(w.len(), "value"),
                plural(samples, "sample")
            ),
        ));
    }
    for (i, &x) in w.iter().enumerate() {
        check(
            Argument::Weights,
            Place::index(i),
            x,
            x >= 0.0,
            "weights must be >= 0",
        )?;
    }
    Ok(())
}
