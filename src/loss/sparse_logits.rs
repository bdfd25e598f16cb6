//! The values of sparse categorical cross-entropy from logits (one label
//! per row, no gradient asked for), a chunk kernel of `categorical_slices`
//! with the numbers of the per-row kernel (`Softmax` in `categorical`) bit
//! for bit.
//!
//! Why a kernel of its own: every per-row step of a softmax (the largest
//! logit, the sum of the exponentials, the value's sum) runs on eight rows
//! side by side (`row_lanes`), and the general kernel (`logits` in
//! `categorical_slices`, which keeps its blocks row-major for the
//! gradient) builds the eight-row columns of the logits, the exponentials,
//! the shifted logits and the targets from scalar loads, four times per
//! value, and writes a dense target row for each label. Here each group of
//! eight rows is transposed once, into class-major columns:
//!
//! ```text
//!   block (row-major)            scratch, group by group (class-major)
//!   row r    : z z z … z         [ z_r,0 … z_r+7,0 | z_r,1 … z_r+7,1 | … ]
//!   row r + 1: z z z … z           one column of eight rows per class
//! ```
//!
//! so that every later step reads whole vectors: per group, the largest
//! logit z_top (the first of equals) and d_c = z_c − z_top; flat over the
//! block, e^{d_c} (`exp_rational`, as `Softmax`); per group, rest =
//! Σ_{c≠top} e^{d_c} compensated in class order; per row, log_norm =
//! ln_1p(rest); per group, the value −Σ_c y_c (d_c − log_norm), compensated
//! in class order, with y_c = (1 − ls) + ls/C at the label and ls/C
//! elsewhere chosen by comparing the label with c (no target row).

use super::categorical_slices::{log_loss_term, valid, Options, Targets};
use super::row_lanes::{self, Group, LaneSums, Lanes, LANES};
use super::row_slices::{self, RowChunk, BLOCK};
use super::vmath;

/// Whether [`values`] takes a chunk of rows of `classes`: whole groups of
/// eight rows fit a block (wider rows would make a group of one live row
/// compute eight).
pub(super) fn fits(classes: usize) -> bool {
    classes * LANES <= BLOCK
}

/// The chunk kernel of sparse categorical cross-entropy from logits
/// without a gradient, for rows that [`fit`](fits): [`values`] on the
/// instruction set of the other chunk kernels (`row_slices::on_path`).
pub(super) fn chunk(cat: &Options, task: RowChunk<'_>) -> bool {
    row_slices::on_path(
        #[inline(always)]
        || values(cat, task),
    )
}

/// The values of a chunk of rows of logits with one label each (see the
/// module documentation; `fits(task.classes)`, no gradient); false at the
/// first invalid block, as the other chunk kernels.
///
/// The scratch holds columns as [`Lanes`] (not a flat slice) and every
/// step reads a column into a local array first: with a column's entries
/// indexed in a flat slice, LLVM vectorised across columns instead (gathers
/// and scatters) or turned the top-class select into branches.
#[inline(always)]
fn values(cat: &Options, task: RowChunk<'_>) -> bool {
    let classes = task.classes;
    let per_block = task.rows_per_block();
    let rows = task.values.len();
    let groups_per_block = per_block.div_ceil(LANES);
    let mut shifted = vec![[0.0; LANES]; groups_per_block * classes];
    let mut exps = vec![[0.0; LANES]; shifted.len()];
    let mut tops = vec![[0.0; LANES]; groups_per_block];
    let mut log_norms = vec![[0.0; LANES]; groups_per_block];
    let (ls, n) = (cat.label_smoothing, classes as f64);
    let (hit, miss) = (1.0 - ls + ls / n, ls / n);
    let mut first = 0;
    while first < rows {
        let here = per_block.min(rows - first);
        let labels = &task.target[first..first + here];
        let z = &task.prediction[first * classes..(first + here) * classes];
        if !valid(cat, Targets::Labels, (labels, z), classes) {
            return false;
        }
        let groups = here.div_ceil(LANES);
        let (shifted, exps) = (
            &mut shifted[..groups * classes],
            &mut exps[..groups * classes],
        );
        let each_group = shifted.chunks_exact_mut(classes).zip(&mut tops);
        for (g, (columns, top)) in each_group.enumerate() {
            *top = shift_by_top(&Group::new(z, classes, g * LANES), columns);
        }
        let next = (first + here) * classes;
        let flat = (exps.as_flattened_mut(), shifted.as_flattened());
        row_slices::map_asking(flat, vmath::exp_rational, [task.prediction], next);
        let each_group = exps.chunks_exact(classes).zip(&tops);
        for ((columns, top), norms) in each_group.zip(&mut log_norms) {
            *norms = rest_masses(columns, top);
        }
        for log_norm in log_norms[..groups].as_flattened_mut() {
            *log_norm = vmath::ln_1p(*log_norm);
        }
        let values = &mut task.values[first..first + here];
        let each_group = shifted.chunks_exact(classes).enumerate();
        for ((g, columns), norms) in each_group.zip(&log_norms) {
            let group = Group::new(z, classes, g * LANES);
            let label = group.of(labels);
            let mut sum = LaneSums::default();
            for (c, &d) in columns.iter().enumerate() {
                let c = c as f64;
                sum.add(&std::array::from_fn(|r| {
                    let y = if label[r] == c { hit } else { miss };
                    log_loss_term(y, d[r] - norms[r])
                }));
            }
            row_lanes::store(values, &group, &sum.values());
        }
        first += here;
    }
    true
}

/// A group's columns written into `columns` as d_c = z_c − z_top, each
/// row's largest logit z_top (the first of equals, `top_class`'s rule)
/// subtracted; returns each row's top class (as a double, so that the
/// comparisons with it are vector ones).
///
/// In three steps, each of which LLVM compiles to vector operations or
/// plain moves: the rows' columns copied into `columns`; the top found on
/// them (a loop over the columns that carries the top and z_top, one
/// vector operation per column; on the columns as the group reads them,
/// it was scalar); d_c from the rows again (a loop over `columns` alone,
/// which carries nothing, was vectorised across columns with gathers and
/// scatters).
#[inline(always)]
fn shift_by_top(group: &Group<'_>, columns: &mut [Lanes]) -> Lanes {
    let mut out = columns.iter_mut();
    group.each_column(|z| {
        if let Some(column) = out.next() {
            *column = *z;
        }
    });
    let (top, best) = top_classes(columns);
    let mut out = columns.iter_mut();
    group.each_column(|z| {
        if let Some(d) = out.next() {
            *d = std::array::from_fn(|r| z[r] - best[r]);
        }
    });
    top
}

/// Each row's top class (the first of equals; as a double) and largest
/// logit z_top, from a group's columns.
#[inline(always)]
// Lane r of each array by its index: one vector operation per step.
#[allow(clippy::needless_range_loop)]
fn top_classes(columns: &[Lanes]) -> (Lanes, Lanes) {
    let (mut top, mut best, mut j) = ([0.0; LANES], columns[0], 0.0);
    for z in columns {
        for r in 0..LANES {
            let better = z[r] > best[r];
            best[r] = if better { z[r] } else { best[r] };
            top[r] = if better { j } else { top[r] };
        }
        j += 1.0;
    }
    (top, best)
}

/// `rest_mass` of a group's exponentials (class-major columns): lane r adds
/// row r's e_c in class order, 0 for its top class.
#[inline(always)]
fn rest_masses(columns: &[Lanes], tops: &Lanes) -> Lanes {
    let mut rest = LaneSums::default();
    let mut j = 0.0;
    for &e in columns {
        rest.add(&std::array::from_fn(
            |r| if j != tops[r] { e[r] } else { 0.0 },
        ));
        j += 1.0;
    }
    rest.values()
}
