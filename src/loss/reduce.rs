//! Weights, reductions and the parallel, deterministic evaluation passes.
//!
//! One pass over the data computes, per sample, the loss (times its weight)
//! and the wanted derivatives straight into the caller's arrays; chunks of
//! [`CHUNK`] samples run on the rayon pool, each summed by [`ChunkSum`], and
//! the chunk sums are merged in index order, so the result has the same bits
//! for any thread count. An elementwise pass knows its denominator before it
//! starts (the weights are summed first) and divides the derivatives on the
//! way; a row pass divides them in a last pass, since ignored labels and
//! class factors are known only at the end.
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

use super::convention::{self, label_binarizer};
use super::definition::{ElementwiseKernel, Labels, Row, RowKernel, RowOut};
use super::domain::{Argument, Place};
use super::margin;
use super::row_slices::{self, RowChunk};
use super::slices::{self, ChunkOut, ChunkTask, STREAM_STORES_FROM};
use super::sum::{chunked_sum, merge_chunks, ChunkSum, Neumaier, CHUNK};
use super::validate::{self, RowsRef};
use super::{LossError, Reduction};

/// One chunk of a row pass: its index, its per-sample values, its gradient
/// rows and its denominator terms.
type RowTask<'a> = (usize, ((&'a mut [f64], &'a mut [f64]), &'a mut [f64]));

/// At most this many per-row warnings are listed; the rest are counted.
const MAX_WARNINGS: usize = 10;

/// Output arrays of a pass: each as long as the data (per sample, or per
/// prediction value for gradients and Hessians) or empty when not wanted.
#[derive(Default)]
pub(crate) struct Outs<'a> {
    pub per_sample: &'a mut [f64],
    pub gradient: &'a mut [f64],
    pub hessian: &'a mut [f64],
    /// Row passes: each row's `weighted_mean` denominator term (w × class
    /// factor, 0 for a row left out), for a stream that sums them itself.
    pub terms: &'a mut [f64],
}

/// A pass's reduced value, the denominator it divided by, and its warnings.
pub(crate) struct Totals {
    pub value: f64,
    pub denominator: f64,
    pub warnings: Vec<String>,
}

/// Partial results of one chunk of rows.
#[derive(Default)]
struct Partial {
    value: Neumaier,
    denominator: Neumaier,
    counted: usize,
    warnings: Vec<String>,
}

/// The value over the denominator, with a warning where the denominator is 0.
fn finish(
    value: Neumaier,
    denominator: f64,
    reduction: Reduction,
    mut warnings: Vec<String>,
) -> Totals {
    if denominator == 0.0 {
        // A mean over nothing is undefined: NaN, as PyTorch gives, not an error.
        warnings.push(match reduction {
            Reduction::Mean => {
                "mean over no sample (every sample is ignored): the value is NaN".to_string()
            }
            _ => "weighted mean over a total weight of 0: the value is NaN".to_string(),
        });
    }
    Totals {
        value: value.value() / denominator,
        denominator,
        warnings,
    }
}

/// `s` cut into `count` pieces of `CHUNK` values, or `count` empty pieces if `s` is empty.
fn pieces(s: &mut [f64], count: usize, chunk: usize) -> Vec<&mut [f64]> {
    if s.is_empty() {
        (0..count).map(|_| <&mut [f64]>::default()).collect()
    } else {
        s.chunks_mut(chunk).collect()
    }
}

/// Evaluate an elementwise loss over slices of one length (checked by the
/// caller, as are the output lengths): the chunks run through the kernel's
/// slice kernel; if one is not valid, the per-element checks find the first
/// invalid element, in the order the checks have always been made.
pub(crate) fn elementwise(
    kernel: &dyn ElementwiseKernel,
    target: &[f64],
    prediction: &[f64],
    weights: Option<&[f64]>,
    reduction: Reduction,
    out: Outs<'_>,
) -> Result<Totals, LossError> {
    // scikit-learn's hinge reads the whole target through its label binariser
    // first (the labels are then ±1, used as given); a label it refuses
    // is judged before the weights, as hinge labels are.
    let binarized = match kernel.labels() {
        Labels::Binarize => Some(label_binarizer::binarize(target)?),
        _ => None,
    };
    let target = binarized.as_ref().map_or(target, |b| &b.labels[..]);
    let n = target.len();
    let signed = kernel.labels() == Labels::Signed;
    if let Some(w) = weights {
        if let Err(e) = validate::weights(w, n) {
            // Hinge labels are judged before the weights.
            if signed {
                margin::zero_one_labels(target)?;
            }
            return Err(e);
        }
    }
    let denominator = match (reduction, weights) {
        (Reduction::Sum, _) => 1.0,
        (Reduction::WeightedMean, Some(w)) => chunked_sum(w).value(),
        (Reduction::Mean | Reduction::WeightedMean, _) => n as f64,
    };
    // Labels ±1 may come as 0/1; Keras' rule relabels only a target of 0s and 1s.
    let zero_is_minus_one = match kernel.labels() {
        Labels::AsGiven | Labels::Binarize => false,
        Labels::Signed => true,
        Labels::ConvertIfZeroOne => target.iter().all(|&y| y == 0.0 || y == 1.0),
    };
    let count = n.div_ceil(CHUNK);
    let stream_stores = out.gradient.len() >= STREAM_STORES_FROM;
    let tasks: Vec<ChunkTask<'_>> = target
        .chunks(CHUNK)
        .zip(prediction.chunks(CHUNK))
        .zip(pieces(out.per_sample, count, CHUNK))
        .zip(pieces(out.gradient, count, CHUNK))
        .zip(pieces(out.hessian, count, CHUNK))
        .enumerate()
        .map(|(c, ((((t, p), ps), g), h))| ChunkTask {
            target: t,
            prediction: p,
            weights: weights.map(|w| &w[c * CHUNK..c * CHUNK + t.len()]),
            scale: denominator,
            zero_is_minus_one,
            per_sample: ps,
            gradient: g,
            hessian: h,
            stream_stores,
        })
        .collect();
    // One chunk runs here: the same bits, without waking the thread pool.
    let chunks: Vec<ChunkOut> = if count <= 1 {
        tasks.into_iter().map(|task| kernel.chunk(task)).collect()
    } else {
        tasks
            .into_par_iter()
            .map(|task| kernel.chunk(task))
            .collect()
    };
    let valid = chunks.iter().all(|c| c.valid);
    let mixed = signed && chunks.iter().any(|c| c.zeros) && chunks.iter().any(|c| c.minus_ones);
    if !valid || mixed {
        if let Some(error) = first_error(kernel, target, prediction) {
            return Err(error);
        }
    }
    let value = merge_chunks(chunks.iter().map(|c| c.sum));
    let warnings = binarized
        .as_ref()
        .and_then(|b| b.warning.clone())
        .into_iter()
        .collect();
    let mut totals = finish(value, denominator, reduction, warnings);
    if chunks.iter().any(|c| c.saturated) {
        totals
            .warnings
            .extend(convention::saturation_warning(kernel, target, prediction));
    }
    Ok(totals)
}

/// The first invalid pair, by the per-element checks: hinge labels over the
/// whole target first, then finiteness and the domain element by element.
fn first_error(
    kernel: &dyn ElementwiseKernel,
    target: &[f64],
    prediction: &[f64],
) -> Option<LossError> {
    if kernel.labels() == Labels::Signed {
        if let Err(e) = margin::zero_one_labels(target) {
            return Some(e);
        }
    }
    target
        .iter()
        .zip(prediction)
        .enumerate()
        .find_map(|(i, (&y, &yhat))| {
            let at = Place::index(i);
            let checked = validate::finite(Argument::Target, at, y)
                .and_then(|()| validate::finite(Argument::Prediction, at, yhat))
                .and_then(|()| kernel.domain(y, yhat).map_err(|o| o.at(at, y, yhat)));
            checked.err().map(LossError::from)
        })
}

/// Evaluate a row loss. A chunk of rows goes first to the kernel's chunk
/// kernel ([`RowKernel::chunk`], on contiguous rows); where that declines,
/// `row(row)` runs row by row: it checks the row's domain (finiteness is
/// checked here), writes ∂loss/∂ŷ of the row into `row.gradient` (zeroed;
/// usable as scratch) and returns the row's value. Both give the same
/// numbers. `out.gradient` holds the rows one after another (or is empty);
/// `out.terms` receives each row's `weighted_mean` denominator term (or is
/// empty); `out.hessian` is not used.
pub(crate) fn rows<F>(
    target: RowsRef<'_>,
    prediction: RowsRef<'_>,
    weights: Option<&[f64]>,
    reduction: Reduction,
    out: Outs<'_>,
    (kernel, row): (&dyn RowKernel, F),
) -> Result<Totals, LossError>
where
    F: Fn(Row<'_, '_>) -> Result<RowOut, LossError> + Sync,
{
    let n = prediction.len();
    if let Some(w) = weights {
        validate::weights(w, n)?;
    }
    let classes = prediction.row(0).len();
    let count = n.div_ceil(CHUNK);
    let Outs {
        per_sample,
        gradient,
        terms,
        ..
    } = out;
    let gradient_wanted = !gradient.is_empty();
    let work = |(c, ((ps, gradients), kept)): RowTask<'_>| {
        let mut part = Partial::default();
        let (mut values, mut denominators) = (ChunkSum::new(), ChunkSum::new());
        let rows_here = (n - c * CHUNK).min(CHUNK);
        let (first, end) = (c * CHUNK, c * CHUNK + rows_here);
        // The chunk kernel's row values; a row's value is then weighed as below.
        let mut fast_values = vec![0.0; rows_here];
        let fast = classes <= row_slices::MAX_CLASSES
            && match (
                row_slices::span(target, first, end),
                row_slices::span(prediction, first, end),
            ) {
                (Some(t), Some(p)) => kernel.chunk(RowChunk {
                    target: t,
                    prediction: p,
                    classes,
                    values: &mut fast_values,
                    gradient: &mut *gradients,
                }),
                _ => false,
            };
        let mut scratch = if gradient_wanted || fast {
            Vec::new()
        } else {
            vec![0.0; classes]
        };
        if fast && weights.is_none() {
            // What the loop below does for rows of weight 1, all counted
            // with a class factor of 1 (a chunk kernel's rows): each value
            // as it is (x·1 is x) and a denominator term of 1, as slices.
            if !ps.is_empty() {
                ps.copy_from_slice(&fast_values);
            }
            kept.fill(1.0);
            values.add_slice_with(&fast_values, slices::on_avx512(), |_| {});
            denominators = ChunkSum::of_ones(rows_here);
            part.counted += rows_here;
        }
        let slow_rows = if fast && weights.is_none() {
            0
        } else {
            rows_here
        };
        for j in 0..slow_rows {
            let i = first + j;
            let g: &mut [f64] = if gradient_wanted {
                &mut gradients[j * classes..(j + 1) * classes]
            } else {
                &mut scratch
            };
            let row_out = if fast {
                RowOut::new(fast_values[j])
            } else {
                let (t, p) = (target.row(i), prediction.row(i));
                for (k, &x) in t.iter().enumerate() {
                    validate::finite(Argument::Target, target.place(i, k), x)?;
                }
                for (k, &x) in p.iter().enumerate() {
                    validate::finite(Argument::Prediction, prediction.place(i, k), x)?;
                }
                // Kernels write only the entries they need.
                g.iter_mut().for_each(|x| *x = 0.0);
                row(Row {
                    targets: target,
                    predictions: prediction,
                    index: i,
                    target: t,
                    prediction: p,
                    gradient: &mut *g,
                })?
            };
            part.warnings.extend(row_out.warnings);
            let w = weights.map_or(1.0, |w| w[i]);
            let value = if !row_out.counted || w == 0.0 {
                g.iter_mut().for_each(|x| *x = 0.0);
                0.0
            } else {
                if w != 1.0 {
                    g.iter_mut().for_each(|x| *x *= w);
                }
                row_out.value * w
            };
            if !ps.is_empty() {
                ps[j] = value;
            }
            // An uncounted row adds 0 (so that the sums are those of the
            // per-sample values) and is left out of the count.
            let term = if row_out.counted {
                w * row_out.factor
            } else {
                0.0
            };
            if !kept.is_empty() {
                kept[j] = term;
            }
            values.add(value);
            denominators.add(term);
            part.counted += usize::from(row_out.counted);
        }
        part.value = values.total();
        part.denominator = denominators.total();
        Ok(part)
    };
    let tasks: Vec<RowTask<'_>> = pieces(per_sample, count, CHUNK)
        .into_iter()
        .zip(pieces(&mut *gradient, count, CHUNK * classes))
        .zip(pieces(terms, count, CHUNK))
        .enumerate()
        .collect();
    let parts: Vec<Result<Partial, LossError>> = if count <= 1 {
        tasks.into_iter().map(work).collect()
    } else {
        tasks.into_par_iter().map(work).collect()
    };
    // Chunk results in order; the first error (lowest index) wins.
    let mut total = Partial::default();
    for part in parts {
        let part = part?;
        total.value.merge(&part.value);
        total.denominator.merge(&part.denominator);
        total.counted += part.counted;
        total.warnings.extend(part.warnings);
    }
    let denominator = match reduction {
        Reduction::Sum => 1.0,
        Reduction::Mean => total.counted as f64,
        Reduction::WeightedMean => total.denominator.value(),
    };
    let mut warnings = Vec::new();
    if total.warnings.len() > MAX_WARNINGS {
        let more = total.warnings.len() - MAX_WARNINGS;
        warnings.extend(total.warnings.into_iter().take(MAX_WARNINGS));
        warnings.push(format!("... and {more} more such warnings"));
    } else {
        warnings.extend(total.warnings);
    }
    if denominator != 1.0 && gradient_wanted {
        let divide = |x: &mut f64| *x /= denominator;
        if gradient.len() <= CHUNK {
            gradient.iter_mut().for_each(divide);
        } else {
            gradient.par_iter_mut().for_each(divide);
        }
    }
    Ok(finish(total.value, denominator, reduction, warnings))
}
