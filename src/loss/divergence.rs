//! Divergences between probability rows: Kullback–Leibler and Jensen–Shannon.
//!
//! ```
//! use losslab::loss::{Data, Loss, Params, Reduction};
//! let kl = Loss::new("kl", &Params::new()).unwrap();
//! let p = Data::Flat(vec![0.5, 0.5, 0.0]);
//! let q = Data::Flat(vec![0.25, 0.25, 0.5]);
//! let e = kl.evaluate(&p, &q, None, Reduction::Mean).unwrap();
//! // 0·log(0/q) = 0: KL = ln 2.
//! assert!((e.value - std::f64::consts::LN_2).abs() < 1e-16);
//! assert!(e.warnings.is_empty());
//! ```

use std::f64::consts::LN_2;

use std::sync::Arc;

use super::convention;
use super::definition::{Build, Definition, Hue, Lhs, Row, RowKernel, RowOut};
use super::domain::Argument;
use super::params::{ParamDefault, ParamSpec};
use super::row_lanes;
use super::row_slices::{self, RowChunk};
use super::sampling::{Region, Sampling};
use super::sum::{DoubleDouble, Neumaier};
use super::validate::{self, bad, RowsRef};
use super::{vmath, LossError};

const BASE: ParamSpec = ParamSpec::new(
    "base",
    ParamDefault::Text("e"),
    "logarithm base: e (nats), 2 (bits), 10, or any number > 0 other than 1",
);

#[derive(Debug)]
struct Kl {
    ln_base: f64,
    normalize: bool,
}

impl RowKernel for Kl {
    fn row(&self, row: Row<'_, '_>) -> Result<RowOut, LossError> {
        kl_row(self.ln_base, self.normalize, row)
    }

    /// Without `normalize` (whose rows are counts, rescaled row by row).
    fn chunk(&self, task: RowChunk<'_>) -> bool {
        !self.normalize
            && row_slices::on_path(
                #[inline(always)]
                || kl_chunk(self.ln_base, task),
            )
    }
}

pub(crate) static KL: Definition = Definition {
    name: "kl_divergence",
    aliases: &["kl", "kld", "kullback_leibler"],
    family: "divergence",
    display_name: "KL divergence",
    params: &[
        BASE,
        ParamSpec::new(
            "normalize",
            ParamDefault::Bool(false),
            "rescale both rows (entries >= 0, such as counts) to sum to 1 first; the gradient goes through the rescaling",
        ),
    ],
    formula: "sum_c p_c log(p_c / q_c) / log(base) per row (p = target, q = prediction)",
    latex: r"\frac{1}{\log b}\sum_c p_c \log\frac{p_c}{q_c}",
    lhs: Lhs {
        text: "D_KL(p‖q)",
        latex: r"D_{\mathrm{KL}}(p\Vert q)",
    },
    hue: Hue::ReddishPurple,
    sampling: &[
        Sampling::new(Region::Distribution, Region::Distribution),
        Sampling::new(Region::Distribution, Region::Between(0.05, 0.95)).with(&[
            ("base", ParamDefault::Number(2.0)),
            ("normalize", ParamDefault::Bool(true)),
        ]),
    ],
    build: Build::Rows(|r| {
        Ok(Arc::new(Kl {
            ln_base: r.log_base("base")?,
            normalize: r.flag("normalize")?,
        }))
    }),
    conventions: convention::divergence::KL,
};

#[derive(Debug)]
struct JensenShannon {
    ln_base: f64,
}

impl RowKernel for JensenShannon {
    fn row(&self, row: Row<'_, '_>) -> Result<RowOut, LossError> {
        js_row(self.ln_base, row)
    }
}

pub(crate) static JENSEN_SHANNON: Definition = Definition {
    name: "jensen_shannon",
    aliases: &["js", "jsd", "jensen_shannon_divergence"],
    family: "divergence",
    display_name: "jensen shannon",
    params: &[BASE],
    formula: "KL(p||m)/2 + KL(q||m)/2, m = (p + q)/2, per row",
    latex: r"\tfrac12 D_{\mathrm{KL}}(p\Vert m) + \tfrac12 D_{\mathrm{KL}}(q\Vert m),\quad m = \tfrac{p+q}{2}",
    lhs: Lhs {
        text: "JS(p, q)",
        latex: r"\mathrm{JS}(p, q)",
    },
    hue: Hue::Blue,
    sampling: &[Sampling::new(
        Region::Distribution,
        Region::Between(0.05, 0.95),
    )],
    build: Build::Rows(|r| {
        Ok(Arc::new(JensenShannon {
            ln_base: r.log_base("base")?,
        }))
    }),
    conventions: &[],
};

/// How far a row sum may be from 1 before it earns a warning.
const SUM_TOLERANCE: f64 = 1e-9;

/// log(x/y) for x, y > 0 without overflow, underflow, or loss of digits when x ≈ y.
pub(crate) fn ln_ratio(x: f64, y: f64) -> f64 {
    let r = x / y;
    if (0.5..=2.0).contains(&r) {
        // x − y is exact here (Sterbenz), so log1p keeps every digit.
        ((x - y) / y).ln_1p()
    } else if r.is_normal() {
        r.ln()
    } else {
        x.ln() - y.ln()
    }
}

/// scipy's rel_entr: x·log(x/y), 0 at x = 0, +∞ for x > 0 = y, with the
/// logarithm of [`vmath`], in the steps the slice loops take one by one
/// (see [`kl_chunk`]).
///
/// log(x/y) takes one division and one logarithm: for y/2 ≤ x ≤ 2y,
/// log(1 + t) with t = (x − y)/y (x − y is exact there, by Sterbenz), as
/// log(u) + c/u where u = 1 + t rounded and c = t − (u − 1) is what the
/// rounding lost (exact: |t| ≤ 1), fdlibm's `log1p` correction; elsewhere
/// log(x/y), whose rounding costs less than an ulp of a logarithm of at
/// least log 2, unless x/y leaves the normal doubles: then log x − log y.
pub(crate) fn rel_entr(x: f64, y: f64) -> f64 {
    let quotient = ratio(x, y);
    let (u, c) = log_argument(x, y, quotient);
    match rel_entr_from(x, y, (u, c), vmath::ln(u)) {
        (_, true) => x * (vmath::ln(x) - vmath::ln(y)),
        (value, false) => value,
    }
}

/// y/2 ≤ x ≤ 2y: log(x/y) is taken as log1p((x − y)/y).
#[inline(always)]
fn near(x: f64, y: f64) -> bool {
    // `&` of two comparisons, not a short-circuiting range test: no branch.
    (x >= 0.5 * y) & (x <= 2.0 * y)
}

/// Step 1 of [`rel_entr`]: (x − y)/y where x is near y, else x/y.
#[inline(always)]
fn ratio(x: f64, y: f64) -> f64 {
    let numerator = if near(x, y) { x - y } else { x };
    numerator / y
}

/// Step 2 of [`rel_entr`]: the argument u of the logarithm and the
/// correction c/u (0 where x is not near y).
#[inline(always)]
fn log_argument(x: f64, y: f64, quotient: f64) -> (f64, f64) {
    let near = near(x, y);
    let u = if near { 1.0 + quotient } else { quotient };
    let c = if near {
        (quotient - (u - 1.0)) / u
    } else {
        0.0
    };
    (u, c)
}

/// Step 3 of [`rel_entr`], after log u: the value, and whether x/y left
/// the normal doubles (x, y > 0 far apart), where the value is not this one
/// but x·(log x − log y).
#[inline(always)]
fn rel_entr_from(x: f64, y: f64, (u, c): (f64, f64), ln_u: f64) -> (f64, bool) {
    let value = x * (ln_u + c);
    let value = if y == 0.0 { f64::INFINITY } else { value };
    let value = if x == 0.0 { 0.0 } else { value };
    // Where x is not near y, u is x/y. (`&`, not a short-circuiting range test.)
    #[allow(clippy::manual_range_contains)]
    let normal = (u >= f64::MIN_POSITIVE) & (u <= f64::MAX);
    let rare = !near(x, y) & !normal & (x > 0.0) & (y > 0.0);
    (value, rare)
}

/// Scratch arrays of [`kl_chunk`], one block long.
struct KlScratch {
    u: Vec<f64>,
    c: Vec<f64>,
    terms: Vec<f64>,
}

/// A chunk of KL rows (without `normalize`), block by block: checked
/// (entries ≥ 0 and finite, rows summing to 1; false at the first block
/// that is not), then [`rel_entr`] over the block's values in its steps,
/// one simple loop each (a loop with the logarithm and the divisions
/// together is not vectorised), each row's compensated sum (eight rows at
/// a time, `row_lanes`) over log b, and the gradient −p/(q log b) (0 where
/// p = 0): [`kl_row`]'s numbers.
#[inline(always)]
fn kl_chunk(ln_base: f64, task: RowChunk<'_>) -> bool {
    let classes = task.classes;
    let rows_per_block = task.rows_per_block();
    let RowChunk {
        target: p,
        prediction: q,
        values,
        gradient,
        ..
    } = task;
    let block = rows_per_block * classes;
    let mut scratch = KlScratch {
        u: vec![0.0; block],
        c: vec![0.0; block],
        terms: vec![0.0; block],
    };
    for (b, (pb, qb)) in p.chunks(block).zip(q.chunks(block)).enumerate() {
        let valid = row_slices::all_within(pb, 0.0, f64::MAX)
            & row_slices::all_within(qb, 0.0, f64::MAX)
            && row_slices::rows_sum_to_one(pb, classes, SUM_TOLERANCE)
                & row_slices::rows_sum_to_one(qb, classes, SUM_TOLERANCE);
        if !valid {
            return false;
        }
        let len = pb.len();
        let (u, c, terms) = (
            &mut scratch.u[..len],
            &mut scratch.c[..len],
            &mut scratch.terms[..len],
        );
        for ((u, &x), &y) in u.iter_mut().zip(pb).zip(qb) {
            *u = ratio(x, y);
        }
        for (((u, c), &x), &y) in u.iter_mut().zip(c.iter_mut()).zip(pb).zip(qb) {
            (*u, *c) = log_argument(x, y, *u);
        }
        let next = b * block + len;
        row_slices::map_asking((terms, &*u), vmath::ln, [p, q], next);
        let mut rare = false;
        for ((((term, &u), &c), &x), &y) in terms.iter_mut().zip(&*u).zip(&*c).zip(pb).zip(qb) {
            let (value, far) = rel_entr_from(x, y, (u, c), *term);
            *term = value;
            rare |= far;
        }
        if rare {
            for ((term, &x), &y) in terms.iter_mut().zip(pb).zip(qb) {
                *term = rel_entr(x, y);
            }
        }
        let first = b * rows_per_block;
        let values = &mut values[first..first + len / classes];
        row_lanes::row_sums(terms, classes, values);
        for value in values {
            *value /= ln_base;
        }
        if !gradient.is_empty() {
            let g = &mut gradient[first * classes..first * classes + len];
            // The divisions and the select in loops of their own: together
            // they are not vectorised.
            for ((g, &x), &y) in g.iter_mut().zip(pb).zip(qb) {
                *g = -x / y / ln_base;
            }
            for (g, &x) in g.iter_mut().zip(pb) {
                *g = if x == 0.0 { 0.0 } else { *g };
            }
        }
    }
    true
}

/// A number for a message: at most 6 significant decimals, no trailing zeros.
fn short(x: f64) -> String {
    let s = format!("{x:.6}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    s.to_string()
}

/// Check a row of a divergence and return its (compensated) sum, with a
/// warning if that is not 1. Target and prediction are checked alike: every
/// entry ≥ 0 (an entry above 1 can only come with a row sum above 1, which
/// the warning names); with `normalize` the row must also have a positive
/// sum, since it is rescaled by it — counts and unnormalised weights are
/// what `normalize` is for.
fn checked_sum(
    what: Argument,
    rows: &RowsRef<'_>,
    i: usize,
    v: &[f64],
    normalize: bool,
    warnings: &mut Vec<String>,
) -> Result<DoubleDouble, LossError> {
    for (c, &x) in v.iter().enumerate() {
        validate::check(
            what,
            rows.place(i, c),
            x,
            x >= 0.0,
            "probabilities must be >= 0",
        )?;
    }
    // Double-double: normalisation divides by this sum, and a rounded sum
    // would cost the digits of a small divergence.
    let exact = v
        .iter()
        // (x·1 is exact: adding x itself, without the product's FMA.)
        .fold(DoubleDouble::default(), |acc, &x| {
            acc.add(DoubleDouble { hi: x, lo: 0.0 })
        });
    let sum = exact.value();
    if (sum - 1.0).abs() > SUM_TOLERANCE {
        if normalize && sum == 0.0 {
            return Err(bad(
                what.as_str(),
                format!("row {i} sums to 0 and cannot be normalized"),
            ));
        }
        let how = if normalize {
            "rescaled to sum to 1 (normalize = true)"
        } else {
            "computed as given (scipy rel_entr)"
        };
        warnings.push(format!(
            "{what} row {i} sums to {}, not 1; {how}",
            short(sum)
        ));
    }
    Ok(exact)
}

/// Kullback–Leibler divergence of one row.
///
/// # Formula
/// L = Σ_c p_c log(p_c/q_c) / log b, ∂L/∂q_c = −p_c/(q_c log b),
/// ∂²L/∂q_c² = p_c/(q_c² log b) (diagonal; not returned for row losses);
/// 0·log(0/q) = 0; p_c > 0 with q_c = 0 gives +∞. With `normalize`, p̂ = p/Σp
/// and q̂ = q/Σq replace p and q and ∂L/∂q_j = (−p̂_j/q_j + 1/Σq)/log b.
/// p = target, q = prediction, b = base (e: nats, 2: bits). Both rows need
/// only entries ≥ 0 (checked alike); rows that do not sum to 1 are computed
/// as given (scipy `rel_entr`), or rescaled with `normalize` (then each row
/// needs a positive sum), with a warning naming the sum.
/// Reference: Cover & Thomas (2006), *Elements of Information Theory*, §2.3.
fn kl_row(ln_base: f64, normalize: bool, row: Row<'_, '_>) -> Result<RowOut, LossError> {
    let Row {
        targets: rows,
        predictions: preds,
        index: i,
        target: p,
        prediction: q,
        gradient: g,
    } = row;
    let mut warnings = Vec::new();
    let sp = checked_sum(Argument::Target, &rows, i, p, normalize, &mut warnings)?;
    let sq = checked_sum(Argument::Prediction, &preds, i, q, normalize, &mut warnings)?;
    let mut value = Neumaier::new();
    if !normalize {
        // The numbers of `kl_chunk`, which adds the same terms in the same order.
        for (j, (&pj, &qj)) in p.iter().zip(q).enumerate() {
            value.add(rel_entr(pj, qj));
            g[j] = if pj == 0.0 { 0.0 } else { -pj / qj / ln_base };
        }
    } else {
        let (sp_value, sq_value) = (sp.value(), sq.value());
        for (j, (&pj, &qj)) in p.iter().zip(q).enumerate() {
            if pj == 0.0 {
                g[j] = 1.0 / sq_value / ln_base;
                continue;
            }
            if qj == 0.0 {
                value.add(f64::INFINITY);
                g[j] = f64::NEG_INFINITY;
                continue;
            }
            // p̂/q̂ = (p·Σq)/(q·Σp); the products and their difference in
            // double-double, so that p̂ ≈ q̂ keeps its digits.
            let numerator = sq.times(pj);
            let denominator = sp.times(qj);
            let difference = numerator.add(denominator.neg()).value();
            let d = denominator.value();
            let ratio = numerator.value() / d;
            let log_ratio = if (0.5..=2.0).contains(&ratio) {
                (difference / d).ln_1p()
            } else if ratio.is_normal() {
                ratio.ln()
            } else {
                (pj.ln() - qj.ln()) + (sq_value.ln() - sp_value.ln())
            };
            value.add(pj / sp_value * log_ratio);
            // −p̂_j/q_j + 1/Σq = −(p_jΣq − q_jΣp)/(q_jΣp·Σq)
            g[j] = -(difference / d) / sq_value / ln_base;
        }
    }
    Ok(RowOut {
        warnings,
        ..RowOut::new(value.value() / ln_base)
    })
}

/// p log(2p/(p+q)) + q log(2q/(p+q)) ≥ 0, the Jensen–Shannon term of one class.
fn js_term(p: f64, q: f64) -> f64 {
    if p == 0.0 || q == 0.0 {
        return (p + q) * LN_2;
    }
    let s = 0.5 * (p + q);
    let x = (p - q) / (p + q);
    if x.abs() < 0.5 {
        // s[(1+x)log(1+x) + (1−x)log(1−x)] regrouped: no cancellation of the
        // first-order terms, which the direct form suffers when p ≈ q.
        s * (2.0 * x * x.atanh() + (-x * x).ln_1p())
    } else {
        p * (2.0 * p / (p + q)).ln() + q * (2.0 * q / (p + q)).ln()
    }
}

/// Jensen–Shannon divergence of one row.
///
/// # Formula
/// L = ½KL(p‖m) + ½KL(q‖m) with m = (p + q)/2, divided by log b;
/// ∂L/∂q_c = ½ log(q_c/m_c)/log b (−∞ where q_c = 0 < p_c; ½ log 2/log b where p_c = 0);
/// ∂²L/∂q_c² = p_c/(4 m_c q_c log b) (diagonal; not returned for row losses).
/// p = target, q = prediction, b = base. Finite wherever p and q have zeros
/// (at most log 2 / log b for rows summing to 1). Both rows need only entries
/// ≥ 0 (checked alike, as JS is symmetric); rows that do not sum to 1 are
/// computed as given with a warning naming the sum.
/// Reference: Lin (1991), "Divergence measures based on the Shannon entropy".
fn js_row(ln_base: f64, row: Row<'_, '_>) -> Result<RowOut, LossError> {
    let Row {
        targets: rows,
        predictions: preds,
        index: i,
        target: p,
        prediction: q,
        gradient: g,
    } = row;
    let mut warnings = Vec::new();
    checked_sum(Argument::Target, &rows, i, p, false, &mut warnings)?;
    checked_sum(Argument::Prediction, &preds, i, q, false, &mut warnings)?;
    let mut value = Neumaier::new();
    for (j, (&pj, &qj)) in p.iter().zip(q).enumerate() {
        value.add(js_term(pj, qj));
        let log_q_over_m = if pj == 0.0 {
            LN_2
        } else if qj == 0.0 {
            f64::NEG_INFINITY
        } else {
            let x = (qj - pj) / (pj + qj);
            if x.abs() < 0.5 {
                x.ln_1p()
            } else {
                (2.0 * qj / (pj + qj)).ln()
            }
        };
        g[j] = 0.5 * log_q_over_m / ln_base;
    }
    Ok(RowOut {
        warnings,
        ..RowOut::new(0.5 * value.value() / ln_base)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rel_entr_edges() {
        assert_eq!(rel_entr(0.0, 0.0), 0.0);
        assert_eq!(rel_entr(0.5, 0.0), f64::INFINITY);
        assert!((rel_entr(1e-300, 0.5) - 1e-300 * (2e-300f64.ln())).abs() < 1e-310);
        assert!(ln_ratio(1e-300, 1e300).is_finite());
    }

    #[test]
    fn js_term_is_symmetric_and_bounded() {
        assert!((js_term(0.3, 0.7) - js_term(0.7, 0.3)).abs() < 1e-16);
        assert_eq!(js_term(0.4, 0.0), 0.4 * LN_2);
        assert!(js_term(0.5, 0.5 + 1e-12) > 0.0);
    }

    #[test]
    fn short_numbers() {
        assert_eq!(short(2.2100000000000004), "2.21");
        assert_eq!(short(1.0), "1");
    }
}
