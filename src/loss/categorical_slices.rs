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
//!
//! The values alone of one label per row from logits (no gradient, up to
//! 64 classes) take `sparse_logits` instead (`categorical` chooses), which
//! transposes eight rows at a time rather than building their columns
//! four times.

use super::row_lanes::{self, Group, LaneSums, Lanes, LANES};
use super::row_slices::{self, RowChunk};
use super::sum::Neumaier;
use super::vmath;
#[cfg(target_arch = "x86_64")]
use super::{row_lanes_avx512, vmath_avx512};

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
/// false if a row would earn an error or has an ignored label (what the
/// blocks before it wrote is then overwritten row by row).
pub(crate) fn chunk(cat: &Options, targets: Targets, task: RowChunk<'_>) -> bool {
    // Built inside, so that the loops are compiled for the chosen path.
    row_slices::on_path(
        #[inline(always)]
        || {
            if cat.from_logits {
                logits(cat, targets, task)
            } else {
                probabilities(cat, targets, task)
            }
        },
    )
}

/// The checks of the per-row kernels on a block, as one yes or no: dense
/// targets and probabilities in [0, 1], logits finite, labels integers in
/// [0, classes) (and none equal to `ignore_index`, which the per-row pass
/// leaves out).
#[inline(always)]
pub(super) fn valid(
    cat: &Options,
    targets: Targets,
    (target, prediction): (&[f64], &[f64]),
    classes: usize,
) -> bool {
    let target_ok = match targets {
        Targets::Dense => row_slices::all_within(target, 0.0, 1.0),
        Targets::Labels => {
            // Below 2^52, adding and subtracting 2^52 rounds to an integer.
            const TWO52: f64 = 4_503_599_627_370_496.0;
            let classes = classes as f64;
            let ignored = cat.ignore_index.map_or(f64::NAN, |k| k as f64);
            target.iter().fold(true, |ok, &l| {
                ok & (l >= 0.0) & (l < classes) & ((l + TWO52) - TWO52 == l) & (l != ignored)
            })
        }
    };
    let prediction_ok = if cat.from_logits {
        row_slices::all_finite(prediction)
    } else {
        row_slices::all_within(prediction, 0.0, 1.0)
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

/// The arrays of a chunk that hold its rows one after another, for
/// `row_slices::map_asking`: the predictions, and the targets if dense (a
/// label per row is read 1/C as fast, which the processor's prefetcher
/// follows: the predictions are named twice instead).
#[inline(always)]
fn row_major<'a>(targets: Targets, task: &RowChunk<'a>) -> [&'a [f64]; 2] {
    match targets {
        Targets::Dense => [task.target, task.prediction],
        Targets::Labels => [task.prediction, task.prediction],
    }
}

/// Rows of probabilities: −Σ_c y_c log q_c, ∂/∂q_c = −y_c/q_c; false
/// at the first invalid block.
#[inline(always)]
fn probabilities(cat: &Options, targets: Targets, task: RowChunk<'_>) -> bool {
    let classes = task.classes;
    let per_block = task.rows_per_block();
    let rows = task.values.len();
    // The logarithms and the rows' sums are written with intrinsics there.
    let avx512 = super::slices::on_avx512();
    // Without smoothing a dense target is its own y (t·1 + 0 is t but for
    // −0 → +0, and the term and the gradient are 0 for y = ±0 alike): no
    // pass to write y out.
    let unsmoothed = matches!(targets, Targets::Dense) && cat.label_smoothing == 0.0;
    let mut y = vec![0.0; if unsmoothed { 0 } else { per_block * classes }];
    let mut terms = vec![0.0; per_block * classes];
    let mut first = 0;
    while first < rows {
        let here = per_block.min(rows - first);
        let (t, q) = block(targets, &task, first, here);
        if !valid(cat, targets, (t, q), classes) {
            return false;
        }
        let terms = &mut terms[..q.len()];
        let y: &[f64] = if unsmoothed {
            t
        } else {
            let y = &mut y[..q.len()];
            smoothed(cat, targets, t, classes, y);
            y
        };
        let next = (row_major(targets, &task), (first + here) * classes);
        let values = &mut task.values[first..first + here];
        row_values(avx512, (y, q), terms, values, next);
        if !task.gradient.is_empty() {
            let g = &mut task.gradient[first * classes..first * classes + q.len()];
            // The division and the select in loops of their own: together
            // they are not vectorised.
            for ((g, &y), &q) in g.iter_mut().zip(y).zip(q) {
                *g = -y / q;
            }
            for (g, &y) in g.iter_mut().zip(y) {
                *g = if y != 0.0 { *g } else { 0.0 };
            }
        }
        first += here;
    }
    true
}

/// Each row's −Σ_c y_c log q_c of a block (rows of `values.len()` classes
/// each, every q in [0, 1]) into `values`, `terms` as scratch; `next`:
/// the arrays to ask for and where the next block starts (`map_asking`).
/// On the AVX-512 path the logarithms and the terms are one pass
/// (`vmath_avx512::log_loss_terms`) and the rows' sums transpose eight rows
/// with permutes (`row_lanes_avx512`); elsewhere the logarithms are a loop
/// of their own (with the select, the loop would not be vectorised). The
/// same bits either way.
#[inline(always)]
fn row_values(
    avx512: bool,
    (y, q): (&[f64], &[f64]),
    terms: &mut [f64],
    values: &mut [f64],
    next: ([&[f64]; 2], usize),
) {
    let classes = q.len() / values.len();
    #[cfg(target_arch = "x86_64")]
    if avx512 {
        let run = |start: usize, end: usize| {
            let (q, y) = (&q[start..end], &y[start..end]);
            // SAFETY: the path is AVX-512F only where the processor has it.
            unsafe { vmath_avx512::log_loss_terms(&mut terms[start..end], q, y) };
        };
        row_slices::runs_asking(q.len(), run, next.0, next.1);
        // SAFETY: as above.
        unsafe { row_lanes_avx512::row_sums(terms, classes, values) };
        return;
    }
    let _ = avx512;
    row_slices::map_asking((terms, q), vmath::ln_unit, next.0, next.1);
    for (term, &y) in terms.iter_mut().zip(y) {
        *term = log_loss_term(y, *term);
    }
    row_lanes::row_sums(terms, classes, values);
}

/// Per-row numbers of a block of logit rows (one entry per row).
struct RowScratch {
    /// The class of the largest logit.
    tops: Vec<usize>,
    /// The largest logit.
    bests: Vec<f64>,
    /// rest = Σ_{c≠top} e^{z_c − z_top}.
    rests: Vec<f64>,
    /// log(1 + rest).
    log_norms: Vec<f64>,
    /// Σ y_c.
    masses: Vec<f64>,
}

/// Rows of logits: see the module documentation; false at the first
/// invalid block. The per-row steps (largest logit, compensated sums) take
/// eight rows at a time (`row_lanes`), each row in class order as
/// `Softmax` (in `categorical`) computes it.
#[inline(always)]
fn logits(cat: &Options, targets: Targets, task: RowChunk<'_>) -> bool {
    let classes = task.classes;
    let per_block = task.rows_per_block();
    let rows = task.values.len();
    let mut y = vec![0.0; per_block * classes];
    let mut shifted = vec![0.0; per_block * classes];
    let mut exps = vec![0.0; per_block * classes];
    let mut per_row = RowScratch {
        tops: vec![0; per_block],
        bests: vec![0.0; per_block],
        rests: vec![0.0; per_block],
        log_norms: vec![0.0; per_block],
        masses: vec![0.0; per_block],
    };
    let mut first = 0;
    while first < rows {
        let here = per_block.min(rows - first);
        let (t, z) = block(targets, &task, first, here);
        if !valid(cat, targets, (t, z), classes) {
            return false;
        }
        let len = z.len();
        let (y, shifted, exps) = (&mut y[..len], &mut shifted[..len], &mut exps[..len]);
        smoothed(cat, targets, t, classes, y);
        for start in row_lanes::starts(here) {
            let group = Group::new(z, classes, start);
            let (tops, bests) = top_classes(&group, classes);
            row_lanes::store(&mut per_row.tops, &group, &tops);
            row_lanes::store(&mut per_row.bests, &group, &bests);
        }
        let rows_of = shifted
            .chunks_exact_mut(classes)
            .zip(z.chunks_exact(classes));
        for ((d, z), &best) in rows_of.zip(&per_row.bests) {
            for (d, &x) in d.iter_mut().zip(z) {
                *d = x - best;
            }
        }
        let next = (row_major(targets, &task), (first + here) * classes);
        row_slices::map_asking((exps, shifted), vmath::exp_rational, next.0, next.1);
        for start in row_lanes::starts(here) {
            let group = Group::new(exps, classes, start);
            let rests = rest_masses(&group, &group.of(&per_row.tops), classes);
            row_lanes::store(&mut per_row.rests, &group, &rests);
        }
        let norms = per_row.log_norms.iter_mut().zip(&per_row.rests[..here]);
        for (log_norm, &rest) in norms {
            *log_norm = vmath::ln_1p(rest);
        }
        for start in row_lanes::starts(here) {
            let (d, y) = (
                Group::new(shifted, classes, start),
                Group::new(y, classes, start),
            );
            let log_norms = d.of(&per_row.log_norms);
            let (mut values, mut masses) = (LaneSums::default(), LaneSums::default());
            for j in 0..classes {
                let (d, y) = (d.column(j), y.column(j));
                masses.add(&y);
                values.add(&std::array::from_fn(|r| {
                    log_loss_term(y[r], d[r] - log_norms[r])
                }));
            }
            row_lanes::store(&mut task.values[first..first + here], &d, &values.values());
            row_lanes::store(&mut per_row.masses, &d, &masses.values());
        }
        if !task.gradient.is_empty() {
            let g = &mut task.gradient[first * classes..first * classes + len];
            let rows_of = g.chunks_exact_mut(classes).zip(exps.chunks_exact(classes));
            let rows_of = rows_of.zip(y.chunks_exact(classes)).enumerate();
            for (r, ((g, er), yr)) in rows_of {
                let (top, rest, mass) = (per_row.tops[r], per_row.rests[r], per_row.masses[r]);
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
    true
}

/// The class of each row's largest logit (the first of equals) and that
/// logit, eight rows at a time: [`top_class`]'s rule, lane by lane.
#[inline(always)]
fn top_classes(z: &Group<'_>, classes: usize) -> ([usize; LANES], Lanes) {
    let (mut top, mut best) = ([0; LANES], z.column(0));
    for j in 0..classes {
        let x = z.column(j);
        for r in 0..LANES {
            let better = x[r] > best[r];
            best[r] = if better { x[r] } else { best[r] };
            top[r] = if better { j } else { top[r] };
        }
    }
    (top, best)
}

/// [`rest_mass`] of eight rows of exponentials at once: lane r adds row
/// r's e_c in class order, 0 for its top class.
#[inline(always)]
fn rest_masses(e: &Group<'_>, tops: &[usize; LANES], classes: usize) -> Lanes {
    let mut rest = LaneSums::default();
    for j in 0..classes {
        let e = e.column(j);
        rest.add(&std::array::from_fn(
            |r| if j != tops[r] { e[r] } else { 0.0 },
        ));
    }
    rest.values()
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
