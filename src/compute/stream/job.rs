//! One loss over one batch: the whole-data checks of that batch's range
//! (hinge labels, weights), then the values: for the sums alone, the core's
//! slice kernels ([`Loss::reduce`], no call per element); for output, or to
//! name the first refused sample, [`evaluate_chunk`] one point at a time
//! (the same numbers: the kernels compute what the points do). Then the
//! batch's compensated sums.

use std::borrow::Cow;

use super::chunked_sum::BatchSums;
use super::findings::{Findings, Refusal};
use super::{Need, Role};
use crate::io::Spare;
use crate::loss::{Argument, Input, Loss, LossError, Output, Reduction};

/// Per-sample values of one loss over one batch (derivatives only when asked).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LossSamples {
    pub per_sample: Vec<f64>,
    /// Divided by the pass's scale for this loss (the reduction's denominator).
    pub gradient: Vec<f64>,
    pub hessian: Vec<f64>,
    /// Some prediction of the batch lies where a convention's clip saturates
    /// (only then does the pass look at the batch's samples one by one).
    pub saturated: bool,
}

/// What one loss gave on one batch.
pub(crate) struct JobOutcome {
    pub samples: LossSamples,
    pub sums: Option<BatchSums>,
    pub findings: Findings,
    /// Samples a mean counts (a row loss leaves out `ignore_index` rows).
    pub counted: u64,
    /// A row loss's row warnings, in row order, naming rows of the whole data.
    pub warnings: Vec<String>,
}

/// Value (times the weight), gradient and Hessian of `loss` on each sample of
/// a chunk, exactly as `Loss::evaluate` computes them: the per-sample values
/// always, the derivatives with [`Need::Samples`]. A weight of 0 removes the
/// sample (0, even where the loss is infinite). Err: the first refused sample
/// of the chunk (its index in the chunk) with the core's reason.
///
/// The targets of a loss of signed labels are already ±1 here.
pub(crate) fn evaluate_chunk(
    loss: &Loss,
    target: &[f64],
    prediction: &[f64],
    weights: Option<&[f64]>,
    need: Need,
    out: &mut LossSamples,
) -> Result<(), (usize, crate::loss::DomainError)> {
    let n = target.len();
    // Not looked at by kernels here: the caller checks every sample.
    out.saturated = true;
    out.per_sample.clear();
    out.per_sample.reserve(n);
    let derivatives = need == Need::Samples;
    if derivatives {
        out.gradient.clear();
        out.gradient.reserve(n);
        out.hessian.clear();
        out.hessian.reserve(n);
    }
    for i in 0..n {
        let point = loss.point(target[i], prediction[i]).map_err(|e| (i, e))?;
        let w = weights.map_or(1.0, |w| w[i]);
        let (value, gradient, hessian) = if w == 0.0 {
            (0.0, 0.0, 0.0)
        } else {
            (point.value * w, point.gradient * w, point.hessian * w)
        };
        out.per_sample.push(value);
        if derivatives {
            out.gradient.push(gradient);
            out.hessian.push(hessian);
        }
    }
    Ok(())
}

/// Evaluate `loss` on a batch starting at sample `first_row`.
pub(crate) fn run(
    loss: &Loss,
    (target, prediction, weights): (&[f64], &[f64], Option<&[f64]>),
    first_row: u64,
    (need, scale): (Need, f64),
    spare: &Spare,
) -> JobOutcome {
    let mut findings = Findings::default();
    let mut samples = LossSamples {
        per_sample: spare.take_filled(target.len()),
        ..LossSamples::default()
    };
    let at = |i: usize| first_row + i as u64;
    let labels = if loss.signed_labels() {
        match signed_labels(target, first_row, &mut findings) {
            Some(labels) => labels,
            None => return stopped(findings, samples),
        }
    } else {
        Cow::Borrowed(target)
    };
    if let Some(refusal) = weights.and_then(|w| bad_weight(w, first_row)) {
        findings.bad_weight = Some(refusal);
        return stopped(findings, samples);
    }
    let fast = need == Need::Sums
        && kernel_values(loss, (&labels, prediction, weights), &mut samples).is_some();
    let checked = if fast {
        Ok(())
    } else {
        evaluate_chunk(loss, &labels, prediction, weights, need, &mut samples)
    };
    if let Err((i, e)) = checked {
        findings.refusal = Some(Refusal {
            role: match e.argument {
                Argument::Target => Role::Target,
                Argument::Prediction => Role::Prediction,
                Argument::Weights => Role::Weights,
            },
            sample: at(i),
            message: format!("is {}; {}", e.value, e.reason),
            column: None,
        });
        return stopped(findings, samples);
    }
    let sums = BatchSums::new(first_row, &samples.per_sample, weights);
    scale_derivatives(&mut samples, scale);
    JobOutcome {
        counted: target.len() as u64,
        samples,
        sums: Some(sums),
        findings,
        warnings: Vec::new(),
    }
}

/// An outcome without values: the batch holds a finding.
fn stopped(findings: Findings, samples: LossSamples) -> JobOutcome {
    JobOutcome {
        samples,
        sums: None,
        findings,
        counted: 0,
        warnings: Vec::new(),
    }
}

/// The first weight of a batch that is negative or not finite, refused as
/// the core refuses it.
fn bad_weight(w: &[f64], first_row: u64) -> Option<Refusal> {
    let i = w.iter().position(|&x| !(x.is_finite() && x >= 0.0))?;
    let rule = if w[i].is_finite() {
        "weights must be >= 0"
    } else {
        "every value must be a finite number"
    };
    Some(Refusal {
        role: Role::Weights,
        sample: first_row + i as u64,
        message: format!("is {}; {rule}", w[i]),
        column: None,
    })
}

/// Divide the derivatives by the pass's scale: the same operation as the
/// core's last pass, for the same bits.
fn scale_derivatives(samples: &mut LossSamples, scale: f64) {
    if scale != 1.0 {
        samples.gradient.iter_mut().for_each(|x| *x /= scale);
        samples.hessian.iter_mut().for_each(|x| *x /= scale);
    }
}

/// Evaluate a row loss on a batch of `rows` rows starting at row
/// `first_row`: target and prediction hold the rows one after another
/// (sparse labels: one per row). The core's row pass
/// ([`Loss::row_batch`]) gives per-sample values, gradient rows when
/// samples are wanted, and each row's denominator term, which the batch
/// sums in place of the weights (for a row loss, `weighted_mean` divides by
/// Σ w·class factor over the counted rows).
pub(crate) fn run_rows(
    loss: &Loss,
    (target, prediction, weights): (&[f64], &[f64], Option<&[f64]>),
    (first_row, rows): (u64, usize),
    (need, scale): (Need, f64),
    spare: &Spare,
) -> JobOutcome {
    let mut findings = Findings::default();
    let mut samples = LossSamples {
        per_sample: spare.take_filled(rows),
        // The core's row pass wants the gradient zeroed (kernels skip entries).
        gradient: match need {
            Need::Samples => zeroed(spare, prediction.len()),
            Need::Sums => Vec::new(),
        },
        ..LossSamples::default()
    };
    if let Some(refusal) = weights.and_then(|w| bad_weight(w, first_row)) {
        findings.bad_weight = Some(refusal);
        return stopped(findings, samples);
    }
    let mut terms = spare.take_filled(rows);
    let input = Input {
        target,
        prediction,
        weights,
        classes: Some(prediction.len() / rows.max(1)),
    };
    let outs = (
        samples.per_sample.as_mut_slice(),
        samples.gradient.as_mut_slice(),
        terms.as_mut_slice(),
    );
    let batch = match loss.row_batch(input, first_row as usize, outs) {
        Ok(batch) => batch,
        Err(err) => {
            spare.give(terms);
            findings.refusal = Some(row_refusal(err, first_row));
            return stopped(findings, samples);
        }
    };
    let sums = BatchSums::new(first_row, &samples.per_sample, Some(&terms));
    spare.give(terms);
    scale_derivatives(&mut samples, scale);
    JobOutcome {
        samples,
        sums: Some(sums),
        findings,
        counted: batch.counted,
        warnings: batch.warnings,
    }
}

/// `len` zeros, in an array handed back by an earlier batch if there is one.
fn zeroed(spare: &Spare, len: usize) -> Vec<f64> {
    let mut values = spare.take(len);
    values.clear();
    values.resize(len, 0.0);
    values
}

/// A row loss's error as a refusal: its argument, and the core's message
/// (which names the row and column in the whole data).
fn row_refusal(err: LossError, first_row: u64) -> Refusal {
    let role = |what: &str| match what {
        "target" => Role::Target,
        "weights" => Role::Weights,
        _ => Role::Prediction,
    };
    match err {
        LossError::Domain(d) => Refusal {
            role: role(d.argument.as_str()),
            sample: d.element.row.unwrap_or(d.element.col) as u64,
            message: format!("{} is {}; {}", d.element, d.value, d.reason),
            column: d.element.row.map(|_| d.element.col),
        },
        LossError::BadData { what, message } => Refusal {
            role: role(&what),
            sample: first_row,
            message,
            column: None,
        },
        other => Refusal {
            role: Role::Prediction,
            sample: first_row,
            message: other.to_string(),
            column: None,
        },
    }
}

/// The per-sample values of a batch by the core's slice kernels, and
/// whether a convention's clip saturates somewhere in it. None when a sample
/// is refused: [`evaluate_chunk`] then finds which, with the core's reason.
fn kernel_values(
    loss: &Loss,
    (target, prediction, weights): (&[f64], &[f64], Option<&[f64]>),
    out: &mut LossSamples,
) -> Option<()> {
    // Every value is written by the kernel: an array handed back by an
    // earlier batch keeps its old values instead of being cleared first
    // (zeroing four arrays per batch measured 2.5 % of a pass).
    out.per_sample.truncate(target.len());
    out.per_sample.resize(target.len(), 0.0);
    let input = Input {
        target,
        prediction,
        weights,
        classes: None,
    };
    let output = Output {
        per_sample: Some(&mut out.per_sample),
        ..Output::default()
    };
    // A sum has no denominator, so its only warning is the saturation one.
    let reduced = loss.reduce(input, Reduction::Sum, output).ok()?;
    // Signed labels were relabelled here (0 to −1): the caller looks at the labels as given.
    out.saturated = !reduced.warnings.is_empty() || loss.signed_labels();
    Some(())
}

/// Hinge labels of one batch as ±1: 0 becomes −1, which is what either
/// convention makes of it (the mix is refused at the end of the pass, as the
/// whole data decides). None when a label is none of −1, 0, 1.
fn signed_labels<'a>(
    target: &'a [f64],
    first_row: u64,
    findings: &mut Findings,
) -> Option<Cow<'a, [f64]>> {
    for (i, &y) in target.iter().enumerate() {
        let sample = first_row + i as u64;
        if y == 0.0 {
            findings.first_zero.get_or_insert(sample);
        } else if y == -1.0 {
            findings.first_minus.get_or_insert(sample);
        } else if y != 1.0 {
            findings.bad_label = Some((sample, y));
            return None;
        }
    }
    if findings.first_zero.is_none() {
        return Some(Cow::Borrowed(target));
    }
    let mapped = target
        .iter()
        .map(|&y| if y == 0.0 { -1.0 } else { y })
        .collect();
    Some(Cow::Owned(mapped))
}
