//! Chunk kernels of the categorical cross-entropies (see `row_slices`):
//! whole chunks of rows of probabilities or logits, with the numbers of the
//! per-row kernels in `categorical` bit for bit.
//!
//! Each row's (smoothed) target of class c, y_c, is first written out for a
//! block of rows, so that the loops with a logarithm or an exponential run
//! flat over the block's values whatever the targets are (dense rows or
//! one label per row):
//! - probabilities: the terms −y_c log q_c (0 where y_c = 0) and the
//!   gradient −y_c/q_c in flat loops, then each row's compensated sum;
//! - logits: per row the largest logit z_top; flat, e^{z_c − z_top}; per
//!   row rest = Σ_{c≠top} e^{z_c − z_top}, log_norm = log1p(rest), the value
//!   −Σ y_c (z_c − z_top − log_norm) and the mass Σ y_c, compensated; then
//!   the gradient mass·q_j − y_j (with 1 − q_top = rest/(1 + rest)), as
//!   `Softmax` (in `categorical`) computes them.
//!
//! Only the chunks without class weights (the caller checks) and without
//! an ignored label come here (every row counted, class factor 1); the
//! others run row by row.

use super::row_slices::{self, RowChunk};
use super::sum::{compensated_sum, Neumaier};
use super::vmath;

/// The options of a categorical cross-entropy that its chunk kernel reads
/// (`categorical::Categorical` without its class weights).
pub(crate) struct Options {
    pub from_logits: bool,
    pub label_smoothing: f64,
    pub ignore_index: Option<i64>,
}

/// How the targets of a chunk are given.
#[derive(Clone, Copy)]
pub(crate) enum Targets {
    /// Rows of probabilities (categorical cross-entropy).
    Dense,
    /// One class index per row (sparse categorical cross-entropy).
    Labels,
}

/// A chunk of a categorical cross-entropy (see the module documentation):
/// false, having written nothing, if a row would earn an error or has an
/// ignored label.
pub(crate) fn chunk(cat: &Options, targets: Targets, task: RowChunk<'_>) -> bool {
    if !valid(cat, targets, &task) {
        return false;
    }
    // Built inside, so that the loops are compiled for the chosen path.
    row_slices::on_path(
        #[inline(always)]
        || {
            if cat.from_logits {
                logits(cat, targets, task);
            } else {
                probabilities(cat, targets, task);
            }
            true
        },
    )
}

/// The checks of the per-row kernels, as one yes or no: dense targets and
/// probabilities in [0, 1], logits finite, labels integers in [0, classes)
/// (and none equal to `ignore_index`, which the per-row pass leaves out).
fn valid(cat: &Options, targets: Targets, task: &RowChunk<'_>) -> bool {
    let target_ok = match targets {
        Targets::Dense => row_slices::all_within(task.target, 0.0, 1.0),
        Targets::Labels => {
            // Below 2^52, adding and subtracting 2^52 rounds to an integer.
            const TWO52: f64 = 4_503_599_627_370_496.0;
            let classes = task.classes as f64;
            let ignored = cat.ignore_index.map_or(f64::NAN, |k| k as f64);
            task.target.iter().fold(true, |ok, &l| {
                ok & (l >= 0.0) & (l < classes) & ((l + TWO52) - TWO52 == l) & (l != ignored)
            })
        }
    };
    let prediction_ok = if cat.from_logits {
        row_slices::all_finite(task.prediction)
    } else {
        row_slices::all_within(task.prediction, 0.0, 1.0)
    };
    target_ok & prediction_ok
}

/// y_c of the block's rows, one after another: t(1 − ls) + ls/C for dense
/// rows, (1 − ls) + ls/C at the label and ls/C elsewhere for labels (the
/// operations of `cce_row` and `scce_row`).
#[inline(always)]
fn smoothed(cat: &Options, targets: Targets, target: &[f64], classes: usize, y: &mut [f64]) {
    let ls = cat.label_smoothing;
    let n = classes as f64;
    match targets {
        Targets::Dense => {
            for (y, &t) in y.iter_mut().zip(target) {
                *y = t * (1.0 - ls) + ls / n;
            }
        }
        Targets::Labels => {
            let (hit, miss) = (1.0 - ls + ls / n, ls / n);
            for (row, &label) in y.chunks_exact_mut(classes).zip(target) {
                let k = label as usize;
                for (c, y) in row.iter_mut().enumerate() {
                    *y = if c == k { hit } else { miss };
                }
            }
        }
    }
}

/// The block of rows `first..first + rows` of a chunk: its targets (rows or
/// labels) and its predictions.
#[inline(always)]
fn block<'a>(
    targets: Targets,
    task: &RowChunk<'a>,
    first: usize,
    rows: usize,
) -> (&'a [f64], &'a [f64]) {
    let classes = task.classes;
    let target = match targets {
        Targets::Dense => &task.target[first * classes..(first + rows) * classes],
        Targets::Labels => &task.target[first..first + rows],
    };
    (
        target,
        &task.prediction[first * classes..(first + rows) * classes],
    )
}

/// Rows of probabilities: −Σ_c y_c log q_c, ∂/∂q_c = −y_c/q_c.
#[inline(always)]
fn probabilities(cat: &Options, targets: Targets, task: RowChunk<'_>) {
    let classes = task.classes;
    let per_block = task.rows_per_block();
    let rows = task.values.len();
    let mut y = vec![0.0; per_block * classes];
    let mut terms = vec![0.0; per_block * classes];
    let mut first = 0;
    while first < rows {
        let here = per_block.min(rows - first);
        let (t, q) = block(targets, &task, first, here);
        let (y, terms) = (&mut y[..q.len()], &mut terms[..q.len()]);
        smoothed(cat, targets, t, classes, y);
        // The logarithms in a loop of their own: with the select, the
        // loop would not be vectorised.
        for (term, &q) in terms.iter_mut().zip(q) {
            *term = vmath::ln(q);
        }
        for (term, &y) in terms.iter_mut().zip(&*y) {
            *term = log_loss_term(y, *term);
        }
        for (value, row) in task.values[first..].iter_mut().zip(terms.chunks(classes)) {
            *value = compensated_sum(row.iter().copied());
        }
        if !task.gradient.is_empty() {
            let g = &mut task.gradient[first * classes..first * classes + q.len()];
            // The division and the select in loops of their own: together
            // they are not vectorised.
            for ((g, &y), &q) in g.iter_mut().zip(&*y).zip(q) {
                *g = -y / q;
            }
            for (g, &y) in g.iter_mut().zip(&*y) {
                *g = if y != 0.0 { *g } else { 0.0 };
            }
        }
        first += here;
    }
}

/// Rows of logits: see the module documentation.
#[inline(always)]
fn logits(cat: &Options, targets: Targets, task: RowChunk<'_>) {
    let classes = task.classes;
    let per_block = task.rows_per_block();
    let rows = task.values.len();
    let mut y = vec![0.0; per_block * classes];
    let mut shifted = vec![0.0; per_block * classes];
    let mut exps = vec![0.0; per_block * classes];
    let mut tops = vec![0; per_block];
    let (mut rests, mut log_norms) = (vec![0.0; per_block], vec![0.0; per_block]);
    let mut first = 0;
    while first < rows {
        let here = per_block.min(rows - first);
        let (t, z) = block(targets, &task, first, here);
        let len = z.len();
        let (y, shifted, exps) = (&mut y[..len], &mut shifted[..len], &mut exps[..len]);
        smoothed(cat, targets, t, classes, y);
        let rows = shifted
            .chunks_exact_mut(classes)
            .zip(z.chunks_exact(classes));
        for ((d, z), top) in rows.zip(tops.iter_mut()) {
            *top = top_class(z);
            let top = z[*top];
            for (d, &x) in d.iter_mut().zip(z) {
                *d = x - top;
            }
        }
        for (e, &d) in exps.iter_mut().zip(&*shifted) {
            *e = vmath::exp(d);
        }
        let row_exps = exps.chunks_exact(classes);
        for ((rest, e), &top) in rests.iter_mut().zip(row_exps).zip(&tops) {
            *rest = rest_mass(e.iter().copied(), top);
        }
        for (log_norm, &rest) in log_norms.iter_mut().zip(&rests[..here]) {
            *log_norm = vmath::ln_1p(rest);
        }
        for r in 0..here {
            let span = r * classes..(r + 1) * classes;
            let (dr, er, yr) = (&shifted[span.clone()], &exps[span.clone()], &y[span]);
            let (top, rest, log_norm) = (tops[r], rests[r], log_norms[r]);
            let (mut value, mut mass) = (Neumaier::new(), Neumaier::new());
            for (&d, &y) in dr.iter().zip(yr) {
                mass.add(y);
                value.add(log_loss_term(y, d - log_norm));
            }
            task.values[first + r] = value.value();
            if !task.gradient.is_empty() {
                let mass = mass.value();
                let g = &mut task.gradient[(first + r) * classes..(first + r + 1) * classes];
                for (c, ((g, &e), &y)) in g.iter_mut().zip(er).zip(yr).enumerate() {
                    let q = e / (1.0 + rest);
                    let q_complement = if c == top {
                        rest / (1.0 + rest)
                    } else {
                        1.0 - q
                    };
                    *g = (mass - y) * q - y * q_complement;
                }
            }
        }
        first += here;
    }
}

/// The class of the largest logit (the first of equals), as
/// `Softmax` (in `categorical`) picks it.
#[inline(always)]
pub(crate) fn top_class(z: &[f64]) -> usize {
    // Selects, not branches: which class is largest is not predictable.
    let (mut top, mut best) = (0, z[0]);
    for (c, &x) in z.iter().enumerate() {
        let better = x > best;
        best = if better { x } else { best };
        top = if better { c } else { top };
    }
    top
}

/// Σ_{c≠top} e_c, compensated, in class order: the top class adds 0 (the
/// same bits as leaving it out, every term being ≥ 0), without a branch.
#[inline(always)]
pub(crate) fn rest_mass(e: impl Iterator<Item = f64>, top: usize) -> f64 {
    let mut rest = Neumaier::new();
    for (c, e) in e.enumerate() {
        rest.add(if c != top { e } else { 0.0 });
    }
    rest.value()
}

/// −y·log q from log q, 0 where y = 0 (a select: adding 0 to the row's
/// non-negative terms is the same as leaving it out).
#[inline(always)]
pub(crate) fn log_loss_term(y: f64, log_q: f64) -> f64 {
    let term = -y * log_q;
    if y != 0.0 {
        term
    } else {
        0.0
    }
}
