//! Categorical losses on rows of class probabilities (or logits):
//! categorical and sparse categorical cross-entropy, categorical focal
//! cross-entropy. Class weights, label smoothing and `ignore_index`.
//!
//! ```
//! use losslab::loss::{Data, Loss, ParamValue, Params, Reduction};
//! let mut params = Params::new();
//! params.insert("from_logits".into(), ParamValue::Bool(true));
//! let scce = Loss::new("scce", &params).unwrap();
//! // Logits of ±1000 stay finite (log-sum-exp).
//! let z = Data::Rows(vec![vec![1000.0, 0.0, -1000.0]]);
//! let e = scce.evaluate(&Data::Flat(vec![2.0]), &z, None, Reduction::Mean).unwrap();
//! assert_eq!(e.value, 2000.0);
//! ```

use std::sync::Arc;

use super::categorical_slices::{self, log_loss_term, rest_mass, top_class, Options, Targets};
use super::convention;
use super::definition::{Build, Definition, Hue, Lhs, Row, RowKernel, RowOut};
use super::domain::Argument;
use super::params::{ParamDefault, ParamSpec, Reader, FROM_LOGITS, GAMMA, LABEL_SMOOTHING};
use super::row_slices::RowChunk;
use super::sampling::{Region, Sampling};
use super::sparse_logits;
use super::sum::Neumaier;
use super::validate::{self, bad, RowsRef};
use super::{vmath, LossError};

/// Options shared by the categorical cross-entropies.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Categorical {
    pub from_logits: bool,
    pub label_smoothing: f64,
    pub class_weights: Option<Vec<f64>>,
    pub ignore_index: Option<i64>,
}

impl Categorical {
    /// What the chunk kernels read (they take no class weights).
    fn options(&self) -> Options {
        Options {
            from_logits: self.from_logits,
            label_smoothing: self.label_smoothing,
            ignore_index: self.ignore_index,
        }
    }

    fn read(r: &mut Reader<'_>, sparse: bool) -> Result<Categorical, LossError> {
        Ok(Categorical {
            from_logits: r.flag("from_logits")?,
            label_smoothing: r.probability("label_smoothing")?,
            class_weights: r.class_weights("class_weights")?,
            ignore_index: if sparse {
                r.optional_integer("ignore_index")?
            } else {
                None
            },
        })
    }
}

const CLASS_WEIGHTS: ParamSpec = ParamSpec::new(
    "class_weights",
    ParamDefault::NoList,
    "one non-negative weight per class (a list); weighted_mean divides by sum of weight x class weight",
);

/// Probabilities away from 0 and 1, entry by entry (rows need not sum to 1).
const PROBABILITIES: Region = Region::Between(0.05, 0.95);
const LOGITS: Region = Region::Between(-6.0, 6.0);

#[derive(Debug)]
struct Cce(Categorical);

impl RowKernel for Cce {
    fn check_classes(&self, loss: &str, classes: usize) -> Result<(), LossError> {
        check_class_weights(loss, &self.0, classes)
    }

    fn row(&self, row: Row<'_, '_>) -> Result<RowOut, LossError> {
        cce_row(&self.0, row)
    }

    fn chunk(&self, task: RowChunk<'_>) -> bool {
        self.0.class_weights.is_none()
            && categorical_slices::chunk(&self.0.options(), Targets::Dense, task)
    }
}

pub(crate) static CCE: Definition = Definition {
    name: "categorical_cross_entropy",
    aliases: &["cce", "cross_entropy"],
    family: "categorical",
    display_name: "categorical cross-entropy",
    params: &[FROM_LOGITS, LABEL_SMOOTHING, CLASS_WEIGHTS],
    formula: "-sum_c w_c y_c log q_c per row (logits: log-softmax)",
    latex: r"-\sum_c w_c\, y_c \log q_c",
    lhs: Lhs {
        text: "ℓ_CCE",
        latex: r"\ell_{\mathrm{CCE}}",
    },
    hue: Hue::Blue,
    sampling: &[
        Sampling::new(Region::Distribution, PROBABILITIES),
        Sampling::new(Region::Distribution, LOGITS).with(&[
            ("from_logits", ParamDefault::Bool(true)),
            ("label_smoothing", ParamDefault::Number(0.1)),
        ]),
    ],
    build: Build::Rows(|r| Ok(Arc::new(Cce(Categorical::read(r, false)?)))),
    conventions: convention::categorical::CCE,
};

#[derive(Debug)]
struct Scce(Categorical);

impl RowKernel for Scce {
    fn sparse_labels(&self) -> bool {
        true
    }

    fn check_classes(&self, loss: &str, classes: usize) -> Result<(), LossError> {
        check_class_weights(loss, &self.0, classes)
    }

    fn row(&self, row: Row<'_, '_>) -> Result<RowOut, LossError> {
        scce_row(&self.0, row)
    }

    fn chunk(&self, task: RowChunk<'_>) -> bool {
        let values_of_logits =
            self.0.from_logits && task.gradient.is_empty() && sparse_logits::fits(task.classes);
        self.0.class_weights.is_none()
            && if values_of_logits {
                sparse_logits::chunk(&self.0.options(), task)
            } else {
                categorical_slices::chunk(&self.0.options(), Targets::Labels, task)
            }
    }
}

pub(crate) static SCCE: Definition = Definition {
    name: "sparse_categorical_cross_entropy",
    aliases: &["scce", "sparse_cce"],
    family: "categorical",
    display_name: "sparse categorical cross-entropy",
    params: &[
        FROM_LOGITS,
        LABEL_SMOOTHING,
        CLASS_WEIGHTS,
        ParamSpec::new(
            "ignore_index",
            ParamDefault::None,
            "a label whose samples count for nothing (PyTorch uses -100)",
        ),
    ],
    formula: "-w_t log q_t per row, t = integer label (0-based)",
    latex: r"-w_t \log q_t",
    lhs: Lhs {
        text: "ℓ_SCCE",
        latex: r"\ell_{\mathrm{SCCE}}",
    },
    hue: Hue::Blue,
    sampling: &[
        Sampling::new(Region::Label, PROBABILITIES)
            .with(&[(
                "class_weights",
                ParamDefault::List(&[1.0, 2.0, 0.5, 3.0, 1.0]),
            )])
            .classes(5),
        Sampling::new(Region::Label, LOGITS).with(&[
            ("from_logits", ParamDefault::Bool(true)),
            ("label_smoothing", ParamDefault::Number(0.2)),
        ]),
    ],
    build: Build::Rows(|r| Ok(Arc::new(Scce(Categorical::read(r, true)?)))),
    conventions: convention::categorical::SCCE,
};

#[derive(Debug)]
struct CategoricalFocal {
    gamma: f64,
    alpha: f64,
    from_logits: bool,
}

impl RowKernel for CategoricalFocal {
    fn row(&self, row: Row<'_, '_>) -> Result<RowOut, LossError> {
        focal_row(self, row)
    }
}

pub(crate) static CATEGORICAL_FOCAL: Definition = Definition {
    name: "categorical_focal_cross_entropy",
    aliases: &["categorical_focal"],
    family: "categorical",
    display_name: "categorical focal cross entropy",
    params: &[
        GAMMA,
        ParamSpec::new(
            "alpha",
            ParamDefault::Number(0.25),
            "weight of every term, in [0, 1]",
        ),
        FROM_LOGITS,
    ],
    formula: "-sum_c alpha (1 - q_c)^gamma y_c log q_c per row",
    latex: r"-\sum_c \alpha (1-q_c)^\gamma y_c\log q_c",
    lhs: Lhs {
        text: "ℓ_CategoricalFocal",
        latex: r"\ell_{\mathrm{CategoricalFocal}}",
    },
    hue: Hue::Blue,
    sampling: &[
        Sampling::new(Region::OneHot, PROBABILITIES),
        Sampling::new(Region::Distribution, LOGITS).with(&[
            ("gamma", ParamDefault::Number(1.5)),
            ("from_logits", ParamDefault::Bool(true)),
        ]),
        Sampling::new(Region::OneHot, LOGITS).with(&[
            ("gamma", ParamDefault::Number(0.0)),
            ("from_logits", ParamDefault::Bool(true)),
        ]),
        Sampling::new(Region::Distribution, LOGITS).with(&[
            ("gamma", ParamDefault::Number(0.5)),
            ("from_logits", ParamDefault::Bool(true)),
        ]),
        Sampling::new(Region::OneHot, LOGITS).with(&[
            ("gamma", ParamDefault::Number(1.0)),
            ("alpha", ParamDefault::Number(1.0)),
            ("from_logits", ParamDefault::Bool(true)),
        ]),
        Sampling::new(Region::Distribution, LOGITS).with(&[
            ("gamma", ParamDefault::Number(3.5)),
            ("alpha", ParamDefault::Number(0.5)),
            ("from_logits", ParamDefault::Bool(true)),
        ]),
    ],
    build: Build::Rows(|r| {
        Ok(Arc::new(CategoricalFocal {
            gamma: r.gamma()?,
            alpha: r.probability("alpha")?,
            from_logits: r.flag("from_logits")?,
        }))
    }),
    conventions: convention::categorical::CATEGORICAL_FOCAL,
};

/// A numerically careful softmax of one row of logits z: log q_c, q_c and
/// 1 − q_c, all without overflow, and 1 − q_c of the largest class computed
/// from the others' mass (no cancellation when q_c ≈ 1).
pub(crate) struct Softmax<'a> {
    z: &'a [f64],
    top: usize,
    /// Σ_{c ≠ top} e^{z_c − z_top}
    rest: f64,
    /// log1p(rest) = log Σ_c e^{z_c − z_top}
    log_norm: f64,
}

impl<'a> Softmax<'a> {
    /// With the `exp_rational` and `ln_1p` of [`vmath`], as the chunk kernels
    /// (`categorical_slices`) compute them.
    pub(crate) fn new(z: &'a [f64]) -> Self {
        let top = top_class(z);
        let rest = rest_mass(z.iter().map(|&x| vmath::exp_rational(x - z[top])), top);
        Softmax {
            z,
            top,
            rest,
            log_norm: vmath::ln_1p(rest),
        }
    }

    pub(crate) fn log_q(&self, c: usize) -> f64 {
        (self.z[c] - self.z[self.top]) - self.log_norm
    }

    pub(crate) fn q(&self, c: usize) -> f64 {
        if c == self.top {
            1.0 / (1.0 + self.rest)
        } else {
            vmath::exp_rational(self.z[c] - self.z[self.top]) / (1.0 + self.rest)
        }
    }

    pub(crate) fn q_complement(&self, c: usize) -> f64 {
        if c == self.top {
            self.rest / (1.0 + self.rest)
        } else {
            1.0 - self.q(c)
        }
    }
}

/// A number as a user would write it: `2.5`, `3`, and `1e-30` rather than
/// thirty zeros.
fn show(x: f64) -> String {
    let plain = x.to_string();
    if plain.len() > 16 {
        format!("{x:e}")
    } else {
        plain
    }
}

/// "1 value", "3 values", "2 classes".
fn count(n: usize, word: &str) -> String {
    match (n, word.ends_with('s')) {
        (1, _) => format!("{n} {word}"),
        (_, true) => format!("{n} {word}es"),
        (_, false) => format!("{n} {word}s"),
    }
}

/// Check a class-weight list against the number of classes; the message shows
/// the list as given.
fn check_class_weights(loss: &str, cat: &Categorical, classes: usize) -> Result<(), LossError> {
    match &cat.class_weights {
        Some(w) if w.len() != classes => Err(LossError::BadParam {
            loss: loss.to_string(),
            param: "class_weights".to_string(),
            message: format!(
                "class_weights = [{}] has {} but the data has {}",
                w.iter().map(|&x| show(x)).collect::<Vec<_>>().join(", "),
                count(w.len(), "value"),
                count(classes, "class"),
            ),
        }),
        _ => Ok(()),
    }
}

/// Check prediction probabilities of a row (skipped for logits).
fn check_probabilities(rows: &RowsRef<'_>, i: usize, p: &[f64]) -> Result<(), LossError> {
    for (c, &x) in p.iter().enumerate() {
        validate::probability(Argument::Prediction, rows.place(i, c), x)?;
    }
    Ok(())
}

/// −Σ_c w_c y_c log q_c of one row, gradient into `g`; `y(c)` gives the
/// (smoothed) target of class c.
fn cross_entropy_row(cat: &Categorical, y: impl Fn(usize) -> f64, p: &[f64], g: &mut [f64]) -> f64 {
    let w = |c: usize| cat.class_weights.as_ref().map_or(1.0, |w| w[c]);
    let mut value = Neumaier::new();
    if cat.from_logits {
        let soft = Softmax::new(p);
        let mut mass = Neumaier::new();
        for c in 0..p.len() {
            let wy = w(c) * y(c);
            mass.add(wy);
            value.add(log_loss_term(wy, soft.log_q(c)));
        }
        let mass = mass.value();
        for (j, gj) in g.iter_mut().enumerate() {
            let wy = w(j) * y(j);
            // (Σ_c w_c y_c) q_j − w_j y_j, split so that q_j ≈ 1 loses nothing.
            *gj = (mass - wy) * soft.q(j) - wy * soft.q_complement(j);
        }
    } else {
        for (c, (&q, gc)) in p.iter().zip(g.iter_mut()).enumerate() {
            let wy = w(c) * y(c);
            // Every term, 0 included, as the chunk kernel adds them.
            value.add(ce_term(wy, q));
            if wy != 0.0 {
                *gc = -wy / q;
            }
        }
    }
    value.value()
}

/// −y log q, 0 where y = 0 (whatever q), with the logarithm of [`vmath`].
pub(crate) fn ce_term(y: f64, q: f64) -> f64 {
    log_loss_term(y, vmath::ln(q))
}

/// Categorical cross-entropy of one row.
///
/// # Formula
/// L = −Σ_c w_c y_c log q_c, ∂L/∂q_c = −w_c y_c/q_c (probabilities used as
/// given, no renormalisation). With `from_logits` (q = softmax(z)):
/// L = −Σ_c w_c y_c (z_c − logΣ_k e^{z_k}), ∂L/∂z_j = (Σ_c w_c y_c) q_j − w_j y_j.
/// Second derivatives (documented, not returned for row losses):
/// ∂²L/∂q_c² = w_c y_c/q_c² (diagonal); from logits
/// ∂²L/∂z_i∂z_j = (Σ_c w_c y_c)(q_i[i = j] − q_i q_j).
/// y_c = target (after smoothing y(1 − ls) + ls/C), q_c = predicted
/// probability, w_c = class weight (1 without `class_weights`). The class
/// factor for `weighted_mean` is Σ_c w_c y_c with the unsmoothed y.
/// Reference: Goodfellow et al. (2016), *Deep Learning*, §6.2.2.3; PyTorch
/// `CrossEntropyLoss`; Keras `CategoricalCrossentropy`.
fn cce_row(cat: &Categorical, row: Row<'_, '_>) -> Result<RowOut, LossError> {
    let Row {
        targets: rows,
        predictions: preds,
        index: i,
        target: t,
        prediction: p,
        gradient: g,
    } = row;
    for (c, &x) in t.iter().enumerate() {
        validate::probability(Argument::Target, rows.place(i, c), x)?;
    }
    if !cat.from_logits {
        check_probabilities(&preds, i, p)?;
    }
    let ls = cat.label_smoothing;
    let classes = t.len() as f64;
    let value = cross_entropy_row(cat, |c| t[c] * (1.0 - ls) + ls / classes, p, g);
    let factor = match &cat.class_weights {
        Some(w) => {
            let mut f = Neumaier::new();
            t.iter().zip(w).for_each(|(y, w)| f.add(y * w));
            f.value()
        }
        None => 1.0,
    };
    Ok(RowOut {
        factor,
        ..RowOut::new(value)
    })
}

/// Sparse categorical cross-entropy of one row (label `t[0]`).
///
/// # Formula
/// The categorical cross-entropy with the one-hot target of the label t:
/// L = −w_t log q_t (without smoothing), ∂L/∂q_t = −w_t/q_t; from logits
/// ∂L/∂z_j = w_t(q_j − [j = t]); second derivatives w_t/q_t² (probabilities)
/// and w_t(q_i[i = j] − q_i q_j) (logits). With smoothing y_c = (1 − ls)[c = t] + ls/C
/// and L = −Σ_c w_c y_c log q_c. The class factor for `weighted_mean` is w_t.
/// A label equal to `ignore_index` contributes 0 and is not counted.
/// Reference: PyTorch `CrossEntropyLoss` (class indices, `weight`, `ignore_index`).
fn scce_row(cat: &Categorical, row: Row<'_, '_>) -> Result<RowOut, LossError> {
    let Row {
        targets: labels,
        predictions: preds,
        index: i,
        target: t,
        prediction: p,
        gradient: g,
    } = row;
    let label = t[0];
    let classes = p.len();
    if cat
        .ignore_index
        .is_some_and(|ignore| label == ignore as f64)
    {
        return Ok(RowOut {
            factor: 0.0,
            counted: false,
            ..RowOut::new(0.0)
        });
    }
    if label.fract() != 0.0 || label < 0.0 || label >= classes as f64 {
        return Err(bad(
            "target",
            format!(
                "{} is {label}; labels must be integers in [0, {classes}){}",
                labels.place(i, 0),
                cat.ignore_index
                    .map(|k| format!(" or the ignore_index {k}"))
                    .unwrap_or_default()
            ),
        ));
    }
    if !cat.from_logits {
        check_probabilities(&preds, i, p)?;
    }
    let k = label as usize;
    let ls = cat.label_smoothing;
    let n = classes as f64;
    let value = cross_entropy_row(
        cat,
        |c| if c == k { 1.0 - ls + ls / n } else { ls / n },
        p,
        g,
    );
    Ok(RowOut {
        factor: cat.class_weights.as_ref().map_or(1.0, |w| w[k]),
        ..RowOut::new(value)
    })
}

/// Categorical focal cross-entropy of one row of logits z, gradient into `g`.
///
/// Works in log-softmax form, so that no q divides: with q = softmax(z),
/// log q_c from log-sum-exp and ∂ log q_c/∂z_j = [j = c] − q_j,
/// ∂L/∂z_j = q_j Σ_c h_c − h_j, h_c = αy_c[(1 − q_c)^γ − γ q_c(1 − q_c)^{γ−1} log q_c].
/// Every h_c is finite (q log q → 0 as q → 0, and (1 − q)^{γ−1} log q → 0 as
/// q → 1), and q_j Σh − h_j is evaluated as (Σ_{c≠j} h_c) q_j − h_j(1 − q_j),
/// which loses nothing where q_j ≈ 1.
fn focal_logits(gamma: f64, alpha: f64, t: &[f64], z: &[f64], g: &mut [f64]) -> f64 {
    let soft = Softmax::new(z);
    let mut value = Neumaier::new();
    let mut mass = Neumaier::new();
    for (c, gc) in g.iter_mut().enumerate() {
        let y = t[c];
        if y == 0.0 {
            *gc = 0.0;
            continue;
        }
        let (q, qbar, lq) = (soft.q(c), soft.q_complement(c), soft.log_q(c));
        let focal = qbar.powf(gamma);
        value.add(-alpha * y * focal * lq);
        // γ q (1 − q)^{γ−1} log q = γ q (1 − q)^γ · (log q/(1 − q)); the ratio
        // tends to −1 as q → 1 and is finite (no 0^{γ−1}) wherever 1 − q > 0.
        let focus = if gamma == 0.0 || qbar == 0.0 {
            0.0
        } else {
            gamma * q * focal * (lq / qbar)
        };
        // h_c, kept in g until the second pass.
        *gc = alpha * y * (focal - focus);
        mass.add(*gc);
    }
    let mass = mass.value();
    for (j, gj) in g.iter_mut().enumerate() {
        let h = *gj;
        *gj = (mass - h) * soft.q(j) - h * soft.q_complement(j);
    }
    value.value()
}

/// Categorical focal cross-entropy of one row.
///
/// # Formula
/// L = −Σ_c α(1 − q_c)^γ y_c log q_c;
/// ∂L/∂q_c = αy_c[γ(1 − q_c)^{γ−1} log q_c − (1 − q_c)^γ/q_c];
/// from logits (q = softmax(z), log q_c = z_c − logΣ_k e^{z_k}):
/// ∂L/∂z_j = q_j Σ_c h_c − h_j with h_c = αy_c[(1 − q_c)^γ − γq_c(1 − q_c)^{γ−1} log q_c]
/// (the log-softmax form: finite for any logits, see `focal_logits`);
/// ∂²L/∂q_c² = αy_c[−γ(γ−1)(1 − q_c)^{γ−2} log q_c + 2γ(1 − q_c)^{γ−1}/q_c + (1 − q_c)^γ/q_c²]
/// (diagonal; documented, not returned for row losses).
/// y_c = target, q_c = predicted probability (used as given), α ∈ [0, 1], γ ≥ 0.
/// Reference: Lin et al. (2017), "Focal Loss for Dense Object Detection";
/// Keras `CategoricalFocalCrossentropy`.
fn focal_row(focal: &CategoricalFocal, row: Row<'_, '_>) -> Result<RowOut, LossError> {
    let CategoricalFocal {
        gamma,
        alpha,
        from_logits,
    } = *focal;
    let Row {
        targets: rows,
        predictions: preds,
        index: i,
        target: t,
        prediction: p,
        gradient: g,
    } = row;
    for (c, &x) in t.iter().enumerate() {
        validate::probability(Argument::Target, rows.place(i, c), x)?;
    }
    if !from_logits {
        check_probabilities(&preds, i, p)?;
    }
    if from_logits {
        return Ok(RowOut::new(focal_logits(gamma, alpha, t, p, g)));
    }
    let mut value = Neumaier::new();
    for c in 0..p.len() {
        let y = t[c];
        if y == 0.0 {
            continue;
        }
        let (q, qbar, lq) = (p[c], 1.0 - p[c], p[c].ln());
        value.add(-alpha * y * qbar.powf(gamma) * lq);
        // γ(1 − q)^{γ−1} log q → 0 as q → 1 for γ > 0; avoid ∞·0 there.
        let focus = if lq == 0.0 || gamma == 0.0 {
            0.0
        } else {
            gamma * qbar.powf(gamma - 1.0) * lq
        };
        g[c] = alpha * y * (focus - qbar.powf(gamma) / q);
    }
    Ok(RowOut::new(value.value()))
}

#[cfg(test)]
mod tests {
    use crate::loss::prec::{close, ABS_ULPS, REL_ULPS};
    use crate::loss::{Data, Loss, ParamValue, Params, Reduction};

    fn focal_from_logits(gamma: f64) -> Loss {
        let mut params = Params::new();
        params.insert("from_logits".into(), ParamValue::Bool(true));
        params.insert("gamma".into(), ParamValue::Number(gamma));
        Loss::new("categorical_focal_cross_entropy", &params).unwrap()
    }

    fn gradient(loss: &Loss, t: &[f64], z: &[f64]) -> (f64, Vec<f64>) {
        let e = loss
            .evaluate(
                &Data::Flat(t.to_vec()),
                &Data::Flat(z.to_vec()),
                None,
                Reduction::Sum,
            )
            .unwrap();
        let Data::Flat(g) = e.gradient else {
            panic!("flat in, flat out")
        };
        (e.value, g)
    }

    /// A true class far below the others: q_t underflows, yet L ≈ α(z_top − z_t)
    /// and the gradient is α(softmax of the others) − α at the true class.
    #[test]
    fn focal_from_logits_survives_a_vanishing_true_class() {
        let alpha = 0.25;
        let (e3, e0) = ((-3.0f64).exp(), 1.0);
        let (q0, q2) = (e0 / (e0 + e3), e3 / (e0 + e3));
        for gamma in [0.0, 0.5, 1.0, 2.0, 3.5] {
            let loss = focal_from_logits(gamma);
            for low in [-740.0, -800.0, -1000.0] {
                let (value, g) = gradient(&loss, &[0.0, 1.0, 0.0], &[5.0, low, 2.0]);
                let expected = alpha * (5.0 - low + (1.0 + e3).ln());
                assert!(
                    close(value, expected, REL_ULPS, 0.0),
                    "{gamma} {low}: {value}"
                );
                let want = [alpha * q0, -alpha, alpha * q2];
                for (got, want) in g.iter().zip(want) {
                    assert!(close(*got, want, 0.0, ABS_ULPS), "{gamma} {low}: {g:?}");
                }
            }
            let (value, g) = gradient(&loss, &[0.0, 1.0, 0.0], &[1000.0, -1000.0, 0.0]);
            assert_eq!(value, alpha * 2000.0);
            assert_eq!(g, vec![alpha, -alpha, 0.0]);
        }
    }

    /// A true class that takes all the mass: value and gradient 0, not NaN.
    #[test]
    fn focal_from_logits_at_a_certain_true_class() {
        for gamma in [0.0, 0.5, 2.0] {
            let loss = focal_from_logits(gamma);
            let (value, g) = gradient(&loss, &[0.0, 1.0, 0.0], &[-1000.0, 1000.0, 0.0]);
            assert_eq!(value, 0.0);
            assert!(g.iter().all(|x| x.abs() < 1e-300), "{gamma}: {g:?}");
        }
    }
}
