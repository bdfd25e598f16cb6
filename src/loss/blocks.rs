//! Block forms of the kernels built on [`super::vmath`]'s exponentials and
//! logarithms (log-cosh, binary cross-entropy): a block of pairs of the
//! slice loop at once, as several simple loops of one function each, which
//! the compiler vectorises on every path (see `slices::on_path`).
//!
//! The per-pair kernels, with their exponential, logarithm, series and
//! selects in one body, are too large for the vectoriser: a slice loop over
//! them stays scalar even when compiled for AVX-512. Cut into loops over
//! arrays of a block (e^x for the whole block, then ln(1 + ·), then the
//! rest), each loop is a straight line of arithmetic and selects and
//! becomes packed code. Every number is that of the per-pair kernel: the
//! same helpers (`log_cosh_from`, `bce_logit_value`...) on the same inputs,
//! in the same order; only the loop around them differs.
//!
//! A block function takes `(target, prediction, values, gradient,
//! hessian)`: it writes every value, and the gradient and Hessian only
//! where their slice is not empty (the derivatives before weights and
//! scale). It must be called through an `#[inline(always)]` closure, so
//! that it is compiled into each path's loop.

use super::pair_formulas::{
    bce_logit_derivatives, bce_logit_value, bce_probability_derivatives, bce_probability_value,
    log_cosh_argument, log_cosh_of_argument, sech_squared, smooth,
};
use super::vmath;

/// Pairs per step: the slice loop's block, whose scratch arrays stay in
/// the L1 cache.
const STEP: usize = 256;

/// The steps of a block of `len` pairs: (start, end) of each.
#[inline(always)]
fn steps(len: usize) -> impl Iterator<Item = (usize, usize)> {
    (0..len)
        .step_by(STEP)
        .map(move |start| (start, (start + STEP).min(len)))
}

/// The part `start..end` of an output, or `None` where it is not wanted
/// (empty).
#[inline(always)]
fn wanted(out: &mut [f64], start: usize, end: usize) -> Option<&mut [f64]> {
    if out.is_empty() {
        None
    } else {
        Some(&mut out[start..end])
    }
}

/// Log-cosh of a = ŷ − y (`regression::log_cosh`): a, |a|, e^{−2|a|} and
/// the series of cosh a − 1 (of |a|: it is even, the same a², the same
/// bits) in one loop, ln(1 + ·) and the value in a second, tanh a (from the
/// same e and series) and sech² a in a third. (Measured: the exponential
/// and the series in one loop and the logarithm in another is faster than a
/// loop per function, and than one loop, which spills; the second loop is
/// fastest reading two arrays, |a| and the logarithm's argument.)
#[inline(always)]
pub(super) fn log_cosh(
    target: &[f64],
    prediction: &[f64],
    values: &mut [f64],
    gradient: &mut [f64],
    hessian: &mut [f64],
) {
    #[cfg(target_arch = "x86_64")]
    if gradient.is_empty() && super::slices::on_avx512() {
        // SAFETY: the path is AVX-512F only where the processor has it.
        unsafe { super::vmath_avx512::log_cosh_values(target, prediction, values) };
        return;
    }
    let (mut a, mut abs, mut arg) = ([0.0; STEP], [0.0; STEP], [0.0; STEP]);
    let (mut e, mut cosh_m1) = ([0.0; STEP], [0.0; STEP]);
    for (start, end) in steps(values.len()) {
        let n = end - start;
        let (t, p) = (&target[start..end], &prediction[start..end]);
        let (a, abs, arg) = (&mut a[..n], &mut abs[..n], &mut arg[..n]);
        let (e, cosh_m1) = (&mut e[..n], &mut cosh_m1[..n]);
        if gradient.is_empty() {
            for (((abs, arg), &y), &yhat) in abs.iter_mut().zip(arg.iter_mut()).zip(t).zip(p) {
                *abs = (yhat - y).abs();
                let e = vmath::exp(-2.0 * *abs);
                *arg = log_cosh_argument(*abs, e, vmath::cosh_m1_small(*abs));
            }
        } else {
            let ae = a.iter_mut().zip(abs.iter_mut()).zip(arg.iter_mut());
            let ec = e.iter_mut().zip(cosh_m1.iter_mut());
            for ((((a, abs), arg), (e, c)), (&y, &yhat)) in ae.zip(ec).zip(t.iter().zip(p)) {
                *a = yhat - y;
                *abs = a.abs();
                *e = vmath::exp(-2.0 * *abs);
                *c = vmath::cosh_m1_small(*abs);
                *arg = log_cosh_argument(*abs, *e, *c);
            }
        }
        let v = values[start..end].iter_mut();
        for ((v, &abs), &arg) in v.zip(&*abs).zip(&*arg) {
            *v = log_cosh_of_argument(abs, arg);
        }
        if let Some(g) = wanted(gradient, start, end) {
            for (((g, &a), &e), &c) in g.iter_mut().zip(&*a).zip(&*e).zip(&*cosh_m1) {
                *g = vmath::tanh_from(a, e, c);
            }
        }
        if let Some(h) = wanted(hessian, start, end) {
            for (h, &e) in h.iter_mut().zip(&*e) {
                *h = sech_squared(e);
            }
        }
    }
}

/// The first loop of the BCE blocks: `aux = first(x)` for every pair (the
/// exponential or the logarithm), and where wanted the gradient and Hessian
/// `derivatives(y, x, aux)`.
#[inline(always)]
fn first_loop(
    (t, x, aux): (&[f64], &[f64], &mut [f64]),
    (gradient, hessian): (Option<&mut [f64]>, Option<&mut [f64]>),
    first: impl Fn(f64) -> f64,
    derivatives: impl Fn(f64, f64, f64) -> (f64, f64),
) {
    let pairs = t.iter().zip(x);
    match (gradient, hessian) {
        (Some(g), Some(h)) => {
            let gh = g.iter_mut().zip(h.iter_mut());
            for (((g, h), a), (&y, &x)) in gh.zip(aux.iter_mut()).zip(pairs) {
                *a = first(x);
                (*g, *h) = derivatives(y, x, *a);
            }
        }
        (Some(g), None) => {
            for ((g, a), (&y, &x)) in g.iter_mut().zip(aux.iter_mut()).zip(pairs) {
                *a = first(x);
                *g = derivatives(y, x, *a).0;
            }
        }
        _ => {
            for (a, &x) in aux.iter_mut().zip(x) {
                *a = first(x);
            }
        }
    }
}

/// Binary cross-entropy from logits z (`binary::bce_logit`, labels smoothed
/// by `label_smoothing`): e^{−|z|} (and the derivatives, from it) in one
/// loop, then log1p(e^{−|z|}) and the value in another.
#[inline(always)]
pub(super) fn bce_logit(
    label_smoothing: f64,
    target: &[f64],
    logit: &[f64],
    values: &mut [f64],
    gradient: &mut [f64],
    hessian: &mut [f64],
) {
    #[cfg(target_arch = "x86_64")]
    if gradient.is_empty() && super::slices::on_avx512() {
        // SAFETY: the path is AVX-512F only where the processor has it.
        unsafe { super::vmath_avx512::bce_logit_values(label_smoothing, target, logit, values) };
        return;
    }
    let mut e = [0.0; STEP];
    let smooth = |y| smooth(y, label_smoothing);
    for (start, end) in steps(values.len()) {
        let (t, z) = (&target[start..end], &logit[start..end]);
        let e = &mut e[..end - start];
        first_loop(
            (t, z, &mut *e),
            (wanted(gradient, start, end), wanted(hessian, start, end)),
            #[inline(always)]
            |z| vmath::exp(-z.abs()),
            #[inline(always)]
            |y, z, e| {
                let (y, ybar) = smooth(y);
                bce_logit_derivatives(y, ybar, z, e)
            },
        );
        let v = values[start..end].iter_mut();
        for ((v, &y), (&z, &e)) in v.zip(t).zip(z.iter().zip(&*e)) {
            let (y, ybar) = smooth(y);
            *v = bce_logit_value(y, ybar, z, vmath::ln_1p_unit(e));
        }
    }
}

/// Binary cross-entropy of probabilities q (`binary::bce_probability`,
/// without a clip, labels smoothed by `label_smoothing`). A block whose
/// labels are all 0 or 1 (without smoothing: the usual case) needs one
/// logarithm per pair, ln q where y = 1 and ln(1 − q) where y = 0, which
/// `vmath::ln_prob_or_1m` gives with one division and one series (the
/// derivatives, where wanted, in a loop of their own). Other blocks take
/// ln q (and the derivatives) in one loop, ln(1 − q) and the value in
/// another. Either way every value is `bce_probability_value` of the same
/// logarithms (the unused one is dropped by its select there), so a block's
/// labels never change a pair's bits.
#[inline(always)]
// A closure around `vmath::ln_prob`, not the function item: the item's `Fn`
// shim would be compiled once, out of line, outside the wide paths.
#[allow(clippy::redundant_closure)]
pub(super) fn bce_probability(
    label_smoothing: f64,
    target: &[f64],
    probability: &[f64],
    values: &mut [f64],
    gradient: &mut [f64],
    hessian: &mut [f64],
) {
    let mut ln_q = [0.0; STEP];
    let smooth = |y| smooth(y, label_smoothing);
    let derivatives = |y, q| {
        let (y, ybar) = smooth(y);
        bce_probability_derivatives(y, ybar, q)
    };
    for (start, end) in steps(values.len()) {
        let (t, q) = (&target[start..end], &probability[start..end]);
        let (g, h) = (wanted(gradient, start, end), wanted(hessian, start, end));
        let hard = (label_smoothing == 0.0)
            & t.iter()
                .fold(true, |hard, &y| hard & ((y == 0.0) | (y == 1.0)));
        if hard {
            let v = values[start..end].iter_mut();
            for ((v, &y), &q) in v.zip(t).zip(q) {
                let (y, ybar) = smooth(y);
                let l = vmath::ln_prob_or_1m(q, y == 1.0);
                *v = bce_probability_value(y, ybar, l, l);
            }
            derivatives_loop((t, q), (g, h), derivatives);
            continue;
        }
        let ln_q = &mut ln_q[..end - start];
        first_loop(
            (t, q, &mut *ln_q),
            (g, h),
            #[inline(always)]
            |q| vmath::ln_prob(q),
            #[inline(always)]
            |y, q, _| derivatives(y, q),
        );
        let v = values[start..end].iter_mut();
        for ((v, &y), (&q, &l)) in v.zip(t).zip(q.iter().zip(&*ln_q)) {
            let (y, ybar) = smooth(y);
            *v = bce_probability_value(y, ybar, l, vmath::ln_1m_prob(q));
        }
    }
}

/// The gradient and, where wanted, the Hessian `derivatives(y, x)` of every
/// pair, in a loop of their own.
#[inline(always)]
fn derivatives_loop(
    (t, x): (&[f64], &[f64]),
    (gradient, hessian): (Option<&mut [f64]>, Option<&mut [f64]>),
    derivatives: impl Fn(f64, f64) -> (f64, f64),
) {
    let pairs = t.iter().zip(x);
    match (gradient, hessian) {
        (Some(g), Some(h)) => {
            for ((g, h), (&y, &x)) in g.iter_mut().zip(h.iter_mut()).zip(pairs) {
                (*g, *h) = derivatives(y, x);
            }
        }
        (Some(g), None) => {
            for (g, (&y, &x)) in g.iter_mut().zip(pairs) {
                *g = derivatives(y, x).0;
            }
        }
        _ => {}
    }
}
