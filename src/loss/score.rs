//! Derivatives with respect to the raw score, as gradient boosting uses them.
//!
//! XGBoost and LightGBM custom objectives return, per sample, the gradient
//! and the Hessian of the loss with respect to the raw score s, through the
//! loss's link: the identity for regression losses and hinge, the logit for
//! binary cross-entropy and binary focal (q = σ(s)), the log for Poisson
//! (rate e^s), the softmax for the categorical cross-entropies (one score per
//! class; the Hessian is m(diag q − q qᵀ) with m = Σ_c w_c y′_c, whose
//! diagonal is what the boosting libraries use).
//!
//! Each derivative is the loss's own stable logit (or log) form, so it is
//! exact for any score, ±1000 included.
//!
//! Where the true Hessian is 0, undefined or negative (MAE, quantile and
//! hinge everywhere, Huber's tails, focal in places) a Newton step −g/h is
//! undefined or points uphill; the boosting libraries substitute a surrogate
//! ([`HessianMode`]), and a warning names the region either way.
//!
//! ```
//! use losslab::loss::{Data, HessianMode, Loss, Params};
//! let bce = Loss::new("bce", &Params::new()).unwrap();
//! let d = bce
//!     .wrt_score(&Data::Flat(vec![1.0]), &Data::Flat(vec![0.0]), HessianMode::Exact, false)
//!     .unwrap();
//! assert_eq!(d.gradient, Data::Flat(vec![-0.5])); // σ(0) − 1
//! assert_eq!(d.hessian, Data::Flat(vec![0.25])); // σ(0)(1 − σ(0))
//! ```

use super::domain::Place;
use super::{Data, Loss, LossError, ParamValue, Params, Reduction, Shape};

/// How the raw score becomes the loss's prediction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Link {
    Identity,
    Logit,
    Log,
    Softmax,
}

impl Link {
    pub fn as_str(self) -> &'static str {
        match self {
            Link::Identity => "identity",
            Link::Logit => "logit",
            Link::Log => "log",
            Link::Softmax => "softmax",
        }
    }
}

/// The Hessian handed to the booster.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum HessianMode {
    /// The true second derivative.
    Exact,
    /// 1 everywhere (LightGBM's Huber and L1 objectives; LightGBM issue 5567).
    Constant,
    /// max(h, ε).
    Floor(f64),
    /// XGBoost's `reg:pseudohubererror` curvature (1 + (a/δ)²)^(−3/2),
    /// a = s − y, δ the loss's δ (1 for losses without one); identity link only.
    PseudoHuber,
}

impl HessianMode {
    pub fn name(self) -> &'static str {
        match self {
            HessianMode::Exact => "exact",
            HessianMode::Constant => "constant",
            HessianMode::Floor(_) => "floor",
            HessianMode::PseudoHuber => "pseudo_huber",
        }
    }

    /// `exact`, `constant`, `floor` (with `floor`, the ε) or `pseudo_huber`.
    pub fn parse(text: &str, floor: f64) -> Result<HessianMode, String> {
        match text.trim() {
            "exact" => Ok(HessianMode::Exact),
            "constant" => Ok(HessianMode::Constant),
            "floor" if floor > 0.0 && floor.is_finite() => Ok(HessianMode::Floor(floor)),
            "floor" => Err(format!(
                "the floor must be a finite number > 0, got {floor}"
            )),
            "pseudo_huber" | "pseudo-huber" => Ok(HessianMode::PseudoHuber),
            other => Err(format!(
                "unknown hessian `{other}` (expected exact, constant, floor or pseudo_huber)"
            )),
        }
    }
}

/// Per-sample value, gradient and Hessian with respect to the score.
#[derive(Debug, Clone, PartialEq)]
pub struct ScoreDerivatives {
    pub link: Link,
    /// The loss at each sample (each row for the categorical losses).
    pub value: Vec<f64>,
    /// ∂ℓ/∂s, the shape of the score.
    pub gradient: Data,
    /// The Hessian handed to the booster (its diagonal for softmax), after the surrogate.
    pub hessian: Data,
    /// The full softmax Hessian per row, on request (exact only).
    pub hessian_matrix: Option<Vec<Vec<Vec<f64>>>>,
    pub warnings: Vec<String>,
}

impl Loss {
    /// The link from the raw score to this loss's prediction, or an error
    /// for a loss that boosting libraries do not fit on a score.
    pub fn score_link(&self) -> Result<Link, LossError> {
        let refuse = |why: &str| LossError::BadParam {
            loss: self.name().to_string(),
            param: "wrt".to_string(),
            message: why.to_string(),
        };
        match self.name() {
            "binary_cross_entropy" | "binary_focal_cross_entropy" => Ok(Link::Logit),
            "poisson" => Ok(Link::Log),
            "categorical_cross_entropy" | "sparse_categorical_cross_entropy" => Ok(Link::Softmax),
            _ if self.shape() == Shape::Elementwise => Ok(Link::Identity),
            _ => Err(refuse(
                "derivatives with respect to a score are offered for elementwise losses and the (sparse) categorical cross-entropy",
            )),
        }
    }

    /// This loss written on the score: the logit or log parametrisation of
    /// the same loss (same parameters otherwise).
    fn on_score(&self, link: Link) -> Result<Loss, LossError> {
        let mut params: Params = self.params();
        match link {
            Link::Logit | Link::Softmax => {
                params.insert("from_logits".into(), ParamValue::Bool(true));
            }
            Link::Log => {
                params.insert("log_input".into(), ParamValue::Bool(true));
            }
            Link::Identity => {}
        }
        Loss::new(self.name(), &params)
    }

    /// Gradient and Hessian with respect to the raw score, per sample.
    pub fn wrt_score(
        &self,
        target: &Data,
        score: &Data,
        mode: HessianMode,
        full_matrix: bool,
    ) -> Result<ScoreDerivatives, LossError> {
        let link = self.score_link()?;
        let bad = |message: String| LossError::BadParam {
            loss: self.name().to_string(),
            param: "hessian".to_string(),
            message,
        };
        if mode == HessianMode::PseudoHuber && link != Link::Identity {
            return Err(bad(format!(
                "pseudo_huber is a surrogate for regression losses (identity link), not the {} link",
                link.as_str()
            )));
        }
        if full_matrix && (link != Link::Softmax || mode != HessianMode::Exact) {
            return Err(bad(
                "the full Hessian matrix is offered for the softmax link with hessian = exact"
                    .to_string(),
            ));
        }
        let linked = self.on_score(link)?;
        let mut out = if link == Link::Softmax {
            softmax_derivatives(&linked, target, score, full_matrix)?
        } else {
            elementwise_derivatives(&linked, link, target, score)?
        };
        let (y, s) = match (target, score) {
            (Data::Flat(y), Data::Flat(s)) if link != Link::Softmax => (y.as_slice(), s.as_slice()),
            _ => (&[][..], &[][..]),
        };
        let delta = self.huber_delta().unwrap_or(1.0);
        let (flat, negative, first) = surrogate(&mut out.hessian, mode, y, s, delta);
        if flat + negative > 0 {
            out.warnings.push(format!(
                "the true Hessian is 0 or undefined for {flat} and negative for {negative} of {} values ({}; first: value {first}): a Newton step −g/h is undefined or points uphill there; {}",
                out.value.len().max(1) * if link == Link::Softmax { classes(score) } else { 1 },
                region(self),
                if mode == HessianMode::Exact {
                    "hessian = constant, floor or pseudo_huber substitutes a positive curvature".to_string()
                } else {
                    format!("the {} surrogate replaces it", mode.name())
                }
            ));
        }
        Ok(out)
    }
}

fn classes(score: &Data) -> usize {
    match score {
        Data::Rows(r) => r.first().map_or(1, Vec::len),
        Data::Flat(v) => v.len().max(1),
    }
}

/// Where a loss's curvature vanishes or turns negative, in words.
fn region(loss: &Loss) -> String {
    match loss.name() {
        "mae" | "mape" => "everywhere: the loss is piecewise linear in s".to_string(),
        "quantile" => "everywhere: the pinball loss is piecewise linear in s".to_string(),
        "hinge" => "everywhere: hinge is piecewise linear in s".to_string(),
        "squared_hinge" => "y·s ≥ 1, past the margin".to_string(),
        "huber" => format!(
            "|s − y| > δ = {}: Huber's linear tails",
            loss.huber_delta().unwrap_or(1.0)
        ),
        "smooth_l1" => "|s − y| ≥ β: SmoothL1's linear tails".to_string(),
        "binary_cross_entropy" => "|s| > 745, where σ(s)(1 − σ(s)) underflows to 0".to_string(),
        "binary_focal_cross_entropy" => {
            "where the focal factor bends the loss (confident correct scores)".to_string()
        }
        _ => "where the loss is flat or concave in s".to_string(),
    }
}

/// Apply the surrogate in place; returns (zero-or-undefined count, negative
/// count, first such position) of the true Hessian.
fn surrogate(
    hessian: &mut Data,
    mode: HessianMode,
    y: &[f64],
    s: &[f64],
    delta: f64,
) -> (usize, usize, usize) {
    let (mut values, width) = match hessian {
        Data::Flat(v) => (std::mem::take(v), None),
        Data::Rows(r) => (r.concat(), Some(r.first().map_or(1, Vec::len).max(1))),
    };
    let (mut flat, mut negative, mut first) = (0, 0, None);
    for (i, h) in values.iter_mut().enumerate() {
        let true_h = *h;
        if true_h == 0.0 || !true_h.is_finite() {
            flat += 1;
            first.get_or_insert(i);
        } else if true_h < 0.0 {
            negative += 1;
            first.get_or_insert(i);
        }
        *h = match mode {
            HessianMode::Exact => true_h,
            HessianMode::Constant => 1.0,
            HessianMode::Floor(eps) => {
                if true_h.is_nan() {
                    eps
                } else {
                    true_h.max(eps)
                }
            }
            HessianMode::PseudoHuber => {
                let a = (s[i] - y[i]) / delta;
                (1.0 + a * a).powf(-1.5)
            }
        };
    }
    *hessian = match width {
        None => Data::Flat(values),
        Some(w) => Data::Rows(values.chunks(w).map(<[f64]>::to_vec).collect()),
    };
    (flat, negative, first.unwrap_or(0))
}

fn elementwise_derivatives(
    linked: &Loss,
    link: Link,
    target: &Data,
    score: &Data,
) -> Result<ScoreDerivatives, LossError> {
    let (Data::Flat(y), Data::Flat(s)) = (target, score) else {
        return Err(LossError::BadData {
            what: "prediction".to_string(),
            message: "scores of an elementwise loss are a flat array, one per sample".to_string(),
        });
    };
    if y.len() != s.len() {
        return Err(LossError::BadData {
            what: "prediction".to_string(),
            message: format!("has {} scores but target has {}", s.len(), y.len()),
        });
    }
    // Hinge labels {0, 1} are read as −1/1 for the whole target, as `evaluate` does.
    let zero_one = linked.signed_labels() && y.iter().all(|&v| v == 0.0 || v == 1.0);
    let mut value = Vec::with_capacity(y.len());
    let mut gradient = Vec::with_capacity(y.len());
    let mut hessian = Vec::with_capacity(y.len());
    for (i, (&yi, &si)) in y.iter().zip(s).enumerate() {
        let yi = if zero_one { 2.0 * yi - 1.0 } else { yi };
        let p = linked.point(yi, si).map_err(|mut e| {
            e.element = Place::index(i);
            LossError::Domain(e)
        })?;
        value.push(p.value);
        gradient.push(p.gradient);
        hessian.push(p.hessian);
    }
    Ok(ScoreDerivatives {
        link,
        value,
        gradient: Data::Flat(gradient),
        hessian: Data::Flat(hessian),
        hessian_matrix: None,
        warnings: Vec::new(),
    })
}

/// Softmax q of one row of scores, and 1 − q_j computed as the other classes' mass.
fn softmax(z: &[f64]) -> (Vec<f64>, Vec<f64>) {
    let top = z.iter().fold(f64::NEG_INFINITY, |m, &x| m.max(x));
    let e: Vec<f64> = z.iter().map(|&x| (x - top).exp()).collect();
    let total = super::compensated_sum(e.iter().copied());
    let q: Vec<f64> = e.iter().map(|x| x / total).collect();
    let rest: Vec<f64> = (0..e.len())
        .map(|j| {
            let others = e
                .iter()
                .enumerate()
                .filter(|(c, _)| *c != j)
                .map(|(_, x)| *x);
            super::compensated_sum(others) / total
        })
        .collect();
    (q, rest)
}

fn softmax_derivatives(
    linked: &Loss,
    target: &Data,
    score: &Data,
    full_matrix: bool,
) -> Result<ScoreDerivatives, LossError> {
    let eval = linked.evaluate(target, score, None, Reduction::Sum)?;
    let rows: Vec<Vec<f64>> = match score {
        Data::Rows(r) => r.clone(),
        Data::Flat(v) => vec![v.clone()],
    };
    let params = linked.params();
    let ls = match params.get("label_smoothing") {
        Some(ParamValue::Number(x)) => *x,
        _ => 0.0,
    };
    let weights = match params.get("class_weights") {
        Some(ParamValue::List(w)) => Some(w.clone()),
        _ => None,
    };
    let ignore = match params.get("ignore_index") {
        Some(ParamValue::Number(x)) => Some(*x),
        _ => None,
    };
    let sparse = linked.sparse_labels();
    let labels: Vec<Vec<f64>> = match target {
        Data::Rows(r) => r.clone(),
        Data::Flat(v) if sparse => v.iter().map(|&x| vec![x]).collect(),
        Data::Flat(v) => vec![v.clone()],
    };
    let mut diagonal = Vec::with_capacity(rows.len());
    let mut matrices = Vec::new();
    for (z, t) in rows.iter().zip(&labels) {
        let c = z.len();
        let n = c as f64;
        let smoothed = |k: usize| -> f64 {
            let y = if sparse {
                if t[0] == k as f64 {
                    1.0
                } else {
                    0.0
                }
            } else {
                t[k]
            };
            y * (1.0 - ls) + ls / n
        };
        let ignored = sparse && ignore.is_some_and(|i| i == t[0]);
        let mass: f64 = if ignored {
            0.0
        } else {
            (0..c)
                .map(|k| weights.as_ref().map_or(1.0, |w| w[k]) * smoothed(k))
                .sum()
        };
        let (q, rest) = softmax(z);
        diagonal.push((0..c).map(|j| mass * q[j] * rest[j]).collect::<Vec<f64>>());
        if full_matrix {
            matrices.push(
                (0..c)
                    .map(|i| {
                        (0..c)
                            .map(|j| {
                                if i == j {
                                    mass * q[i] * rest[i]
                                } else {
                                    -mass * q[i] * q[j]
                                }
                            })
                            .collect()
                    })
                    .collect(),
            );
        }
    }
    let (gradient, hessian) = match eval.gradient {
        Data::Flat(g) => (Data::Flat(g), Data::Flat(diagonal.concat())),
        rows @ Data::Rows(_) => (rows, Data::Rows(diagonal)),
    };
    Ok(ScoreDerivatives {
        link: Link::Softmax,
        value: eval.per_sample,
        gradient,
        hessian,
        hessian_matrix: full_matrix.then_some(matrices),
        warnings: eval.warnings,
    })
}
