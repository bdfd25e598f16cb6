//! Arrow columns into the slices the core's kernels take.
//!
//! Nulls: a row whose target or prediction is null is skipped, as SQL's
//! own aggregates skip nulls (`avg` over a column with nulls is the mean of
//! the others); a null *inside* a row of a row loss is an error, since a
//! distribution with a hole has no loss. Without nulls the Arrow buffers
//! are used as they are (no copy).

use std::borrow::Cow;

use datafusion::arrow::array::{Array, ArrayRef, AsArray, Float64Array, ListArray};
use datafusion::arrow::datatypes::Float64Type;
use datafusion::common::{exec_err, Result};

/// One value per row: the two columns with the rows where either is null removed.
pub fn pairs<'a>(
    target: &'a Float64Array,
    prediction: &'a Float64Array,
    (t, p): (&'a mut Vec<f64>, &'a mut Vec<f64>),
) -> (Cow<'a, [f64]>, Cow<'a, [f64]>) {
    if target.null_count() == 0 && prediction.null_count() == 0 {
        return (
            Cow::Borrowed(target.values().as_ref()),
            Cow::Borrowed(prediction.values().as_ref()),
        );
    }
    t.clear();
    p.clear();
    for i in 0..target.len() {
        if target.is_valid(i) && prediction.is_valid(i) {
            t.push(target.value(i));
            p.push(prediction.value(i));
        }
    }
    (Cow::Borrowed(t.as_slice()), Cow::Borrowed(p.as_slice()))
}

/// Rows of equal length gathered for the core: consecutive non-null rows
/// with the same number of values go out as one run.
pub struct Run<'a> {
    pub target: &'a [f64],
    pub prediction: &'a [f64],
    pub classes: usize,
}

/// The rows of a row loss, in runs of equal length; `each` gets every run.
/// The target is a list column, or one label per row (sparse labels).
pub fn rows(
    name: &str,
    target: &ArrayRef,
    prediction: &ArrayRef,
    scratch: (&mut Vec<f64>, &mut Vec<f64>),
    mut each: impl FnMut(Run<'_>) -> Result<()>,
) -> Result<()> {
    let (t_out, p_out) = scratch;
    let prediction: &ListArray = prediction.as_list::<i32>();
    let p_values = list_values(name, prediction, "prediction")?;
    let (dense, labels) = if target.data_type().is_nested() {
        let list = target.as_list::<i32>();
        (Some((list, list_values(name, list, "target")?)), None)
    } else {
        (None, Some(target.as_primitive::<Float64Type>()))
    };
    t_out.clear();
    p_out.clear();
    let mut classes = 0;
    let mut flush = |t: &mut Vec<f64>, p: &mut Vec<f64>, classes: usize| -> Result<()> {
        if !p.is_empty() {
            each(Run {
                target: t,
                prediction: p,
                classes,
            })?;
        }
        t.clear();
        p.clear();
        Ok(())
    };
    for i in 0..prediction.len() {
        let target_valid = match (&dense, labels) {
            (Some((list, _)), _) => list.is_valid(i),
            (_, Some(labels)) => labels.is_valid(i),
            _ => false,
        };
        if !(prediction.is_valid(i) && target_valid) {
            continue;
        }
        let range =
            prediction.value_offsets()[i] as usize..prediction.value_offsets()[i + 1] as usize;
        if range.is_empty() {
            return exec_err!(
                "{name}: a prediction row is empty; a row loss needs at least one class"
            );
        }
        if range.len() != classes {
            flush(t_out, p_out, classes)?;
            classes = range.len();
        }
        p_out.extend_from_slice(&p_values[range.clone()]);
        match (&dense, labels) {
            (Some((list, values)), _) => {
                let t_range =
                    list.value_offsets()[i] as usize..list.value_offsets()[i + 1] as usize;
                if t_range.len() != range.len() {
                    return exec_err!(
                        "{name}: a row's target has {} values and its prediction {}: each target row \
                         must be as long as its prediction row",
                        t_range.len(),
                        range.len()
                    );
                }
                t_out.extend_from_slice(&values[t_range]);
            }
            (_, Some(labels)) => t_out.push(labels.value(i)),
            _ => {}
        }
    }
    flush(t_out, p_out, classes)
}

/// The values of a list column, which must hold no null inside a row.
fn list_values<'a>(name: &str, list: &'a ListArray, what: &str) -> Result<&'a [f64]> {
    let values = list.values().as_primitive::<Float64Type>();
    if values.null_count() > 0 {
        // Nulls under null rows are not inside any row that is read.
        let offsets = list.value_offsets();
        for i in 0..list.len() {
            if list.is_valid(i) {
                let (start, end) = (offsets[i] as usize, offsets[i + 1] as usize);
                if (start..end).any(|j| values.is_null(j)) {
                    return exec_err!(
                        "{name}: {what}: a row holds a null value; a row must be whole (a null row is \
                         skipped, a null inside a row is not)"
                    );
                }
            }
        }
    }
    Ok(values.values().as_ref())
}

#[cfg(test)]
mod tests {
    use super::*;
    use datafusion::arrow::array::Float64Builder;
    use datafusion::arrow::array::ListBuilder;
    use std::sync::Arc;

    #[test]
    fn rows_with_nulls_are_skipped() {
        let t = Float64Array::from(vec![Some(1.0), None, Some(3.0), Some(4.0)]);
        let p = Float64Array::from(vec![Some(1.5), Some(2.0), None, Some(4.5)]);
        let (mut a, mut b) = (Vec::new(), Vec::new());
        let (t, p) = pairs(&t, &p, (&mut a, &mut b));
        assert_eq!((&*t, &*p), (&[1.0, 4.0][..], &[1.5, 4.5][..]));
    }

    #[test]
    fn rows_come_in_runs_of_equal_length() {
        let mut builder = ListBuilder::new(Float64Builder::new());
        for row in [
            Some(vec![0.5, 0.5]),
            None,
            Some(vec![0.2, 0.8]),
            Some(vec![0.1, 0.2, 0.7]),
        ] {
            match row {
                Some(values) => {
                    builder.values().append_slice(&values);
                    builder.append(true);
                }
                None => builder.append(false),
            }
        }
        let prediction: ArrayRef = Arc::new(builder.finish());
        let labels: ArrayRef = Arc::new(Float64Array::from(vec![0.0, 1.0, 1.0, 2.0]));
        let mut runs = Vec::new();
        let (mut a, mut b) = (Vec::new(), Vec::new());
        rows("scce", &labels, &prediction, (&mut a, &mut b), |run| {
            runs.push((run.target.to_vec(), run.prediction.to_vec(), run.classes));
            Ok(())
        })
        .unwrap();
        assert_eq!(
            runs,
            [
                (vec![0.0, 1.0], vec![0.5, 0.5, 0.2, 0.8], 2),
                (vec![2.0], vec![0.1, 0.2, 0.7], 3)
            ]
        );
    }
}
