//! Weights, reductions and the parallel, deterministic evaluation passes.
//!
//! One pass over the data computes, per sample, the loss (times its weight),
//! the gradient and the Hessian straight into the output arrays, checking the
//! data on the way; chunks of fixed size run on the rayon pool and return
//! compensated partial sums that are merged in index order, so the result has
//! the same bits for any thread count. A last pass over the outputs divides by
//! the reduction's denominator, known only at the end for `weighted_mean`.
//!
//! ```
//! use losslab::loss::{Data, Loss, Params, Reduction};
//! let mae = Loss::new("mae", &Params::new()).unwrap();
//! let (y, yhat) = (Data::Flat(vec![0.0, 0.0]), Data::Flat(vec![1.0, -3.0]));
//! let e = mae.evaluate(&y, &yhat, Some(&[3.0, 1.0]), Reduction::WeightedMean).unwrap();
//! assert_eq!(e.per_sample, vec![3.0, 3.0]);
//! assert_eq!(e.value, 1.5);
//! assert_eq!(e.gradient, Data::Flat(vec![0.75, -0.25]));
//! ```

use rayon::prelude::*;

use super::definition::{Row, RowOut};
use super::domain::{Argument, Place};
use super::sum::{Neumaier, CHUNK};
use super::validate::{self, RowsRef};
use super::{Data, Evaluation, LossError, Point, Reduction};

/// Rows per chunk of a parallel pass over a row loss (fixed for determinism).
const ROW_CHUNK: usize = 64;

/// At most this many per-row warnings are listed; the rest are counted.
const MAX_WARNINGS: usize = 10;

/// Partial results of one chunk.
#[derive(Default)]
struct Partial {
    value: Neumaier,
    denominator: Neumaier,
    counted: usize,
    warnings: Vec<String>,
}

impl Partial {
    fn merge(&mut self, other: Partial) {
        self.value.merge(&other.value);
        self.denominator.merge(&other.denominator);
        self.counted += other.counted;
        self.warnings.extend(other.warnings);
    }
}

/// Merge chunk results in order; the first error (lowest index) wins.
fn merge_in_order(parts: Vec<Result<Partial, LossError>>) -> Result<Partial, LossError> {
    let mut total = Partial::default();
    for p in parts {
        total.merge(p?);
    }
    Ok(total)
}

/// Divide outputs by the reduction's denominator; returns the value and warnings.
fn finish(
    total: Partial,
    reduction: Reduction,
    mut warnings: Vec<String>,
) -> (f64, f64, Vec<String>) {
    let denominator = match reduction {
        Reduction::Sum => 1.0,
        Reduction::Mean => total.counted as f64,
        Reduction::WeightedMean => total.denominator.value(),
    };
    if total.warnings.len() > MAX_WARNINGS {
        let more = total.warnings.len() - MAX_WARNINGS;
        warnings.extend(total.warnings.into_iter().take(MAX_WARNINGS));
        warnings.push(format!("... and {more} more such warnings"));
    } else {
        warnings.extend(total.warnings);
    }
    if denominator == 0.0 {
        // A mean over nothing is undefined: NaN, as PyTorch gives, not an error.
        warnings.push(match reduction {
            Reduction::Mean => {
                "mean over no sample (every sample is ignored): the value is NaN".to_string()
            }
            _ => "weighted mean over a total weight of 0: the value is NaN".to_string(),
        });
    }
    (total.value.value() / denominator, denominator, warnings)
}

fn scale(values: &mut [f64], denominator: f64) {
    if denominator == 1.0 {
        return;
    }
    if values.len() <= CHUNK {
        values.iter_mut().for_each(|x| *x /= denominator);
    } else {
        values.par_iter_mut().for_each(|x| *x /= denominator);
    }
}

/// One chunk of the outputs of an elementwise pass: its index, and its
/// per-sample values, gradient and Hessian.
type ElementChunk<'a> = (usize, ((&'a mut [f64], &'a mut [f64]), &'a mut [f64]));

/// Evaluate an elementwise loss. `kernel(i, y, ŷ)` checks the domain of its
/// inputs (finiteness is checked here) and returns value and derivatives.
pub(crate) fn elementwise<F>(
    target: &[f64],
    prediction: &[f64],
    weights: Option<&[f64]>,
    reduction: Reduction,
    kernel: F,
) -> Result<Evaluation, LossError>
where
    F: Fn(usize, f64, f64) -> Result<Point, LossError> + Sync,
{
    let n = target.len();
    if let Some(w) = weights {
        validate::weights(w, n)?;
    }
    let mut per_sample = vec![0.0; n];
    let mut gradient = vec![0.0; n];
    let mut hessian = vec![0.0; n];
    let work = |(c, ((ps, g), h)): ElementChunk<'_>| {
        let mut part = Partial::default();
        for j in 0..ps.len() {
            let i = c * CHUNK + j;
            let (y, yhat) = (target[i], prediction[i]);
            let at = Place::index(i);
            validate::finite(Argument::Target, at, y)?;
            validate::finite(Argument::Prediction, at, yhat)?;
            let pt = kernel(i, y, yhat)?;
            let w = weights.map_or(1.0, |w| w[i]);
            // A zero weight removes the sample, even where its loss is infinite.
            if w != 0.0 {
                ps[j] = pt.value * w;
                g[j] = pt.gradient * w;
                h[j] = pt.hessian * w;
            }
            part.value.add(ps[j]);
            part.denominator.add(w);
            part.counted += 1;
        }
        Ok(part)
    };
    // One chunk runs here: the same bits, without waking the thread pool.
    let parts: Vec<Result<Partial, LossError>> = if n <= CHUNK {
        per_sample
            .chunks_mut(CHUNK)
            .zip(gradient.chunks_mut(CHUNK))
            .zip(hessian.chunks_mut(CHUNK))
            .enumerate()
            .map(work)
            .collect()
    } else {
        per_sample
            .par_chunks_mut(CHUNK)
            .zip(gradient.par_chunks_mut(CHUNK))
            .zip(hessian.par_chunks_mut(CHUNK))
            .enumerate()
            .map(work)
            .collect()
    };
    let total = merge_in_order(parts)?;
    let (value, denominator, warnings) = finish(total, reduction, Vec::new());
    scale(&mut gradient, denominator);
    scale(&mut hessian, denominator);
    Ok(Evaluation {
        value,
        per_sample,
        gradient: Data::Flat(gradient),
        hessian: Some(hessian),
        warnings,
    })
}

/// Evaluate a row loss. `kernel(row)` checks the row's domain (finiteness is
/// checked here), writes ∂loss/∂ŷ of the row into `row.gradient` (zeroed;
/// usable as scratch) and returns the row's value.
pub(crate) fn rows<F>(
    target: RowsRef<'_>,
    prediction: RowsRef<'_>,
    weights: Option<&[f64]>,
    reduction: Reduction,
    kernel: F,
) -> Result<Evaluation, LossError>
where
    F: Fn(Row<'_, '_>) -> Result<RowOut, LossError> + Sync,
{
    let n = prediction.len();
    if let Some(w) = weights {
        validate::weights(w, n)?;
    }
    let classes = prediction.row(0).len();
    let mut per_sample = vec![0.0; n];
    let mut gradient: Vec<Vec<f64>> = vec![vec![0.0; classes]; n];
    let work = |(c, (ps, g)): (usize, (&mut [f64], &mut [Vec<f64>]))| {
        let mut part = Partial::default();
        for j in 0..ps.len() {
            let i = c * ROW_CHUNK + j;
            let (t, p) = (target.row(i), prediction.row(i));
            for (k, &x) in t.iter().enumerate() {
                validate::finite(Argument::Target, target.place(i, k), x)?;
            }
            for (k, &x) in p.iter().enumerate() {
                validate::finite(Argument::Prediction, prediction.place(i, k), x)?;
            }
            let out = kernel(Row {
                targets: target,
                predictions: prediction,
                index: i,
                target: t,
                prediction: p,
                gradient: &mut g[j],
            })?;
            part.warnings.extend(out.warnings);
            let w = weights.map_or(1.0, |w| w[i]);
            if !out.counted || w == 0.0 {
                g[j].iter_mut().for_each(|x| *x = 0.0);
            } else {
                ps[j] = out.value * w;
                if w != 1.0 {
                    g[j].iter_mut().for_each(|x| *x *= w);
                }
            }
            if out.counted {
                part.value.add(ps[j]);
                part.denominator.add(w * out.factor);
                part.counted += 1;
            }
        }
        Ok(part)
    };
    let parts: Vec<Result<Partial, LossError>> = if n <= ROW_CHUNK {
        per_sample
            .chunks_mut(ROW_CHUNK)
            .zip(gradient.chunks_mut(ROW_CHUNK))
            .enumerate()
            .map(work)
            .collect()
    } else {
        per_sample
            .par_chunks_mut(ROW_CHUNK)
            .zip(gradient.par_chunks_mut(ROW_CHUNK))
            .enumerate()
            .map(work)
            .collect()
    };
    let total = merge_in_order(parts)?;
    let (value, denominator, warnings) = finish(total, reduction, Vec::new());
    if denominator != 1.0 {
        gradient
            .par_iter_mut()
            .for_each(|row| row.iter_mut().for_each(|x| *x /= denominator));
    }
    let gradient = match prediction {
        RowsRef::One(_) => Data::Flat(gradient.pop().unwrap_or_default()),
        _ => Data::Rows(gradient),
    };
    Ok(Evaluation {
        value,
        per_sample,
        gradient,
        hessian: None,
        warnings,
    })
}
