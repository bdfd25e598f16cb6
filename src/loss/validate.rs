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
    let (t, p) = match (target, prediction) {
        (Data::Flat(t), Data::Flat(p)) => (t, p),
        (Data::Rows(_), _) => {
            return Err(bad(
                "target",
                "a matrix given to an elementwise loss; give a flat array".to_string(),
            ))
        }
        (_, Data::Rows(_)) => {
            return Err(bad(
                "prediction",
                "a matrix given to an elementwise loss; give a flat array".to_string(),
            ))
        }
    };
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

/// Rows of a row loss: a matrix, a flat array standing for one row, or a
/// flat array of sparse labels (one per row, seen as rows of length 1).
#[derive(Debug, Clone, Copy)]
pub(crate) enum RowsRef<'a> {
    One(&'a [f64]),
    Matrix(&'a [Vec<f64>]),
    Labels(&'a [f64]),
}

impl<'a> RowsRef<'a> {
    pub(crate) fn len(&self) -> usize {
        match self {
            RowsRef::One(_) => 1,
            RowsRef::Matrix(m) => m.len(),
            RowsRef::Labels(l) => l.len(),
        }
    }

    pub(crate) fn row(&self, i: usize) -> &'a [f64] {
        match self {
            RowsRef::One(r) => r,
            RowsRef::Matrix(m) => &m[i],
            RowsRef::Labels(l) => std::slice::from_ref(&l[i]),
        }
    }

    /// Position of cell (i, j) for messages: a single flat row has no row number.
    pub(crate) fn place(&self, i: usize, j: usize) -> Place {
        match self {
            RowsRef::One(_) => Place { row: None, col: j },
            RowsRef::Matrix(_) => Place {
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

/// Target and prediction of a dense row loss, checked to have one shape.
/// Returns them with the number of classes (row length).
pub(crate) fn dense_rows<'a>(
    target: &'a Data,
    prediction: &'a Data,
) -> Result<(RowsRef<'a>, RowsRef<'a>, usize), LossError> {
    let t = as_rows("target", target)?;
    let p = as_rows("prediction", prediction)?;
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
    let p = as_rows("prediction", prediction)?;
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
