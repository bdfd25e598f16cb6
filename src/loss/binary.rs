//! Binary losses on a probability q (or a logit z): binary cross-entropy and
//! binary focal cross-entropy, with label smoothing.
//!
//! ```
//! use losslab::loss::{Loss, ParamValue, Params};
//! let bce = Loss::new("bce", &Params::new()).unwrap();
//! // Exact by default: q = 0 for a positive target is an infinite loss.
//! assert_eq!(bce.point(1.0, 0.0).unwrap().value, f64::INFINITY);
//! let mut params = Params::new();
//! params.insert("from_logits".into(), ParamValue::Bool(true));
//! let logits = Loss::new("bce", &params).unwrap();
//! // Stable for huge logits: softplus(800) = 800.
//! assert_eq!(logits.point(1.0, -800.0).unwrap().value, 800.0);
//! ```

use std::sync::Arc;

use super::blocks;
use super::convention;
use super::definition::{
    chunk_with, chunk_with_blocks, Build, Definition, ElementwiseKernel, Hue, Lhs,
};
use super::domain::{require, Outside};
use super::pair_formulas::{
    bce_logit_derivatives, bce_logit_value, bce_probability_derivatives, bce_probability_value,
    smooth,
};
use super::params::{ParamDefault, ParamSpec, Reader, FROM_LOGITS, GAMMA, LABEL_SMOOTHING};
use super::sampling::{Region, Sampling, BINARY, SOFT, UNIT};
use super::slices::{self, ChunkOut, ChunkTask, Isa, LoopKind};
use super::vmath;
use super::{LossError, Point};

/// Options shared by the binary cross-entropies.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Binary {
    pub from_logits: bool,
    pub epsilon: f64,
    pub label_smoothing: f64,
}

impl Binary {
    fn read(r: &mut Reader<'_>, with_epsilon: bool) -> Result<Binary, LossError> {
        let from_logits = r.flag("from_logits")?;
        let epsilon = if with_epsilon {
            r.number_where(
                "epsilon",
                |x| (0.0..0.5).contains(&x),
                "must be in [0, 0.5)",
            )?
        } else {
            0.0
        };
        let label_smoothing = r.probability("label_smoothing")?;
        Ok(Binary {
            from_logits,
            epsilon,
            label_smoothing,
        })
    }

    /// Binary targets in [0, 1]; probabilities in [0, 1] unless they are logits.
    #[inline]
    fn domain(&self, y: f64, yhat: f64) -> Result<(), Outside> {
        require(
            (0.0..=1.0).contains(&y),
            Outside::target("binary targets must be in [0, 1]"),
        )?;
        require(
            self.from_logits || (0.0..=1.0).contains(&yhat),
            Outside::prediction("probabilities must be in [0, 1]"),
        )
    }
}

#[derive(Debug)]
struct Bce(Binary);

impl ElementwiseKernel for Bce {
    #[inline]
    fn domain(&self, y: f64, yhat: f64) -> Result<(), Outside> {
        self.0.domain(y, yhat)
    }

    /// [`Binary::domain`] without a branch (`&` of comparisons, not `&&`),
    /// so that the check of a chunk stays a straight line.
    #[inline]
    // `&` of two comparisons, not a short-circuiting range test: no branch.
    #[allow(clippy::manual_range_contains)]
    fn admits(&self, y: f64, yhat: f64) -> bool {
        let unit = |x: f64| (x >= 0.0) & (x <= 1.0);
        unit(y) & (self.0.from_logits | unit(yhat))
    }

    #[inline]
    fn point(&self, y: f64, yhat: f64) -> Point {
        bce(&self.0, y, yhat)
    }

    /// The form (logits, probabilities, clipped probabilities) is chosen
    /// once per chunk, so that the loop holds one form's arithmetic only,
    /// inlined (and vectorised: no library call is left in it).
    fn chunk(&self, task: ChunkTask<'_>) -> ChunkOut {
        let b = &self.0;
        let ls = b.label_smoothing;
        if b.from_logits {
            chunk_with_blocks(
                self,
                #[inline(always)]
                move |y, z| bce_logit_smoothed(ls, y, z),
                #[inline(always)]
                move |y, z| bce_logit_smoothed(ls, y, z).value,
                #[inline(always)]
                move |t: &[f64], z: &[f64], v: &mut [f64], g: &mut [f64], h: &mut [f64]| {
                    blocks::bce_logit(ls, t, z, v, g, h)
                },
                task,
            )
        } else if b.epsilon == 0.0 && slices::path(LoopKind::Blocks) != Isa::Portable {
            // Both logarithms for every pair, in packed code: faster with
            // wide vectors, slower than one logarithm per pair with SSE2's
            // two lanes (measured), where the loop below is taken.
            chunk_with_blocks(
                self,
                #[inline(always)]
                move |y, q| bce_probability_smoothed(ls, y, q),
                #[inline(always)]
                move |y, q| bce_probability_smoothed(ls, y, q).value,
                #[inline(always)]
                move |t: &[f64], q: &[f64], v: &mut [f64], g: &mut [f64], h: &mut [f64]| {
                    blocks::bce_probability(ls, t, q, v, g, h)
                },
                task,
            )
        } else if b.epsilon == 0.0 {
            chunk_with(
                self,
                #[inline(always)]
                move |y, q| bce_probability_smoothed(ls, y, q),
                #[inline(always)]
                move |y, q| bce_probability_smoothed(ls, y, q).value,
                task,
            )
        } else {
            chunk_with(
                self,
                #[inline(always)]
                |y, yhat| bce(b, y, yhat),
                #[inline(always)]
                |y, yhat| bce(b, y, yhat).value,
                task,
            )
        }
    }

    fn takes_probability(&self) -> bool {
        !self.0.from_logits
    }
}

const LOGITS: Region = Region::Between(-30.0, 30.0);

pub(crate) static BCE: Definition = Definition {
    name: "binary_cross_entropy",
    aliases: &["bce", "log_loss"],
    family: "binary",
    display_name: "binary cross-entropy",
    params: &[
        FROM_LOGITS,
        ParamSpec::new(
            "epsilon",
            ParamDefault::Number(0.0),
            "clip q to [eps, 1 - eps] first (Keras uses 1e-7); 0 = exact; in [0, 0.5)",
        ),
        LABEL_SMOOTHING,
    ],
    formula: "-[y log q + (1 - y) log(1 - q)]; logits: max(z,0) - z y + log1p(e^-|z|)",
    latex: r"-\left[y\log q + (1-y)\log(1-q)\right]",
    lhs: Lhs {
        text: "ℓ_BCE",
        latex: r"\ell_{\mathrm{BCE}}",
    },
    hue: Hue::Blue,
    sampling: &[
        Sampling::new(SOFT, UNIT),
        Sampling::new(SOFT, LOGITS).with(&[("from_logits", ParamDefault::Bool(true))]),
        Sampling::new(BINARY, UNIT).with(&[("label_smoothing", ParamDefault::Number(0.1))]),
        Sampling::new(BINARY, UNIT).with(&[("epsilon", ParamDefault::Number(1e-3))]),
        Sampling::new(BINARY, Region::Between(-8.0, 8.0)).with(&[
            ("from_logits", ParamDefault::Bool(true)),
            ("label_smoothing", ParamDefault::Number(0.1)),
        ]),
    ],
    build: Build::Elementwise(|r| Ok(Arc::new(Bce(Binary::read(r, true)?)))),
    conventions: convention::binary::BCE,
};

#[derive(Debug)]
struct BinaryFocal {
    bin: Binary,
    gamma: f64,
    alpha: Option<f64>,
}

impl ElementwiseKernel for BinaryFocal {
    #[inline]
    fn domain(&self, y: f64, yhat: f64) -> Result<(), Outside> {
        self.bin.domain(y, yhat)
    }

    #[inline]
    fn point(&self, y: f64, yhat: f64) -> Point {
        binary_focal(&self.bin, self.gamma, self.alpha, y, yhat)
    }

    fn takes_probability(&self) -> bool {
        !self.bin.from_logits
    }
}

fn read_binary_focal(r: &mut Reader<'_>) -> Result<BinaryFocal, LossError> {
    let gamma = r.gamma()?;
    let alpha = match r.optional_number("alpha")? {
        Some(a) if !(0.0..=1.0).contains(&a) => {
            return Err(r.bad("alpha", format!("must be in [0, 1] or none, got {a}")))
        }
        a => a,
    };
    Ok(BinaryFocal {
        bin: Binary::read(r, false)?,
        gamma,
        alpha,
    })
}

pub(crate) static BINARY_FOCAL: Definition = Definition {
    name: "binary_focal_cross_entropy",
    aliases: &["binary_focal", "focal"],
    family: "binary",
    display_name: "binary focal cross entropy",
    params: &[
        GAMMA,
        ParamSpec::new(
            "alpha",
            ParamDefault::None,
            "class balance in [0, 1]: weight alpha y + (1 - alpha)(1 - y); none = 1",
        ),
        FROM_LOGITS,
        LABEL_SMOOTHING,
    ],
    formula: "w (1 - p_t)^gamma BCE, p_t = y q + (1 - y)(1 - q)",
    latex: r"w\,(1-p_t)^\gamma\,\mathrm{BCE}(y, q),\quad p_t = yq + (1-y)(1-q)",
    lhs: Lhs {
        text: "ℓ_Focal",
        latex: r"\ell_{\mathrm{Focal}}",
    },
    hue: Hue::Vermillion,
    sampling: &[
        Sampling::new(BINARY, UNIT),
        Sampling::new(SOFT, UNIT).with(&[
            ("gamma", ParamDefault::Number(0.5)),
            ("alpha", ParamDefault::Number(0.25)),
        ]),
        Sampling::new(BINARY, Region::Between(-8.0, 8.0)).with(&[
            ("gamma", ParamDefault::Number(1.5)),
            ("from_logits", ParamDefault::Bool(true)),
            ("label_smoothing", ParamDefault::Number(0.2)),
        ]),
        Sampling::new(SOFT, Region::Between(-8.0, 8.0)).with(&[
            ("gamma", ParamDefault::Number(0.0)),
            ("from_logits", ParamDefault::Bool(true)),
        ]),
        Sampling::new(BINARY, Region::Between(-8.0, 8.0)).with(&[
            ("gamma", ParamDefault::Number(1.0)),
            ("alpha", ParamDefault::Number(0.25)),
            ("from_logits", ParamDefault::Bool(true)),
            ("label_smoothing", ParamDefault::Number(0.1)),
        ]),
        Sampling::new(SOFT, Region::Between(-8.0, 8.0)).with(&[
            ("gamma", ParamDefault::Number(3.5)),
            ("from_logits", ParamDefault::Bool(true)),
            ("label_smoothing", ParamDefault::Number(0.1)),
        ]),
    ],
    build: Build::Elementwise(|r| Ok(Arc::new(read_binary_focal(r)?))),
    conventions: convention::binary::BINARY_FOCAL,
};

/// (σ(z), 1 − σ(z)), each computed without cancellation or overflow.
#[inline]
pub(crate) fn sigmoid_pair(z: f64) -> (f64, f64) {
    if z >= 0.0 {
        let e = vmath::exp(-z);
        (1.0 / (1.0 + e), e / (1.0 + e))
    } else {
        let e = vmath::exp(z);
        (e / (1.0 + e), 1.0 / (1.0 + e))
    }
}

/// log(1 + e^x) without overflow: max(x, 0) + log1p(e^{−|x|}).
#[inline]
pub(crate) fn softplus(x: f64) -> f64 {
    x.max(0.0) + vmath::ln_1p_unit(vmath::exp(-x.abs()))
}

/// BCE and its q-derivatives for a probability q (y already smoothed,
/// ybar = 1 − y).
#[inline(always)]
fn bce_probability(y: f64, ybar: f64, q: f64) -> Point {
    let (gradient, hessian) = bce_probability_derivatives(y, ybar, q);
    Point {
        value: bce_probability_value(y, ybar, vmath::ln_prob(q), vmath::ln_1m_prob(q)),
        gradient,
        hessian,
    }
}

/// [`bce_probability`] of a label before smoothing.
#[inline(always)]
fn bce_probability_smoothed(label_smoothing: f64, y: f64, q: f64) -> Point {
    let (y, ybar) = smooth(y, label_smoothing);
    bce_probability(y, ybar, q)
}

/// [`bce_logit`] of a label before smoothing.
#[inline(always)]
fn bce_logit_smoothed(label_smoothing: f64, y: f64, z: f64) -> Point {
    let (y, ybar) = smooth(y, label_smoothing);
    bce_logit(y, ybar, z)
}

/// BCE and its z-derivatives for a logit z (y already smoothed, ybar = 1 − y).
#[inline(always)]
fn bce_logit(y: f64, ybar: f64, z: f64) -> Point {
    // e^{−|z|} is the one exponential behind σ(z), 1 − σ(z) and both
    // softplus terms, and log1p(e^{−|z|}) the one logarithm: computed once,
    // they are the very numbers `sigmoid_pair` and `softplus` compute.
    let e = vmath::exp(-z.abs());
    let (gradient, hessian) = bce_logit_derivatives(y, ybar, z, e);
    Point {
        value: bce_logit_value(y, ybar, z, vmath::ln_1p_unit(e)),
        gradient,
        hessian,
    }
}

/// Binary cross-entropy.
///
/// # Formula
/// L = −[y log q + (1 − y) log(1 − q)];
/// L′ = (q − y)/(q(1 − q)); L″ = y/q² + (1 − y)/(1 − q)².
/// With `from_logits` (ŷ = z, q = σ(z)): L = max(z, 0) − zy + log1p(e^{−|z|}),
/// L′ = σ(z) − y, L″ = σ(z)(1 − σ(z)).
/// y ∈ [0, 1] is the target (after label smoothing y(1 − ls) + ls/2), q the
/// predicted probability. ε > 0 clips q to [ε, 1 − ε] first (Keras), and the
/// derivatives are 0 where the clip is active. Exact by default: q = 0 with
/// y > 0 gives +∞.
/// Reference: Goodfellow, Bengio & Courville (2016), *Deep Learning*, §6.2.2;
/// PyTorch `BCELoss`/`BCEWithLogitsLoss`.
#[inline]
pub(crate) fn bce(b: &Binary, y: f64, yhat: f64) -> Point {
    if b.from_logits {
        return bce_logit_smoothed(b.label_smoothing, y, yhat);
    }
    let (y, ybar) = smooth(y, b.label_smoothing);
    if b.epsilon > 0.0 && (yhat < b.epsilon || yhat > 1.0 - b.epsilon) {
        // The clipped q is ε or 1 − ε exactly: take both logarithms from ε
        // itself, since 1 − fl(1 − ε) has lost most of ε's digits.
        let (ln_eps, ln_one_minus_eps) = (vmath::ln_prob(b.epsilon), vmath::ln_1m_prob(b.epsilon));
        let (ln_q, ln_one_minus_q) = if yhat < b.epsilon {
            (ln_eps, ln_one_minus_eps)
        } else {
            (ln_one_minus_eps, ln_eps)
        };
        return Point {
            value: -(y * ln_q + ybar * ln_one_minus_q),
            gradient: 0.0,
            hessian: 0.0,
        };
    }
    bce_probability(y, ybar, yhat)
}

/// w·u^γ·B and its first two derivatives from those of u and B.
#[inline]
fn focal_chain(gamma: f64, w: f64, u: [f64; 3], b: Point) -> Point {
    let [u0, u1, u2] = u;
    if w == 0.0 {
        // The class weight removes the term, even where BCE is infinite.
        return Point {
            value: 0.0,
            gradient: 0.0,
            hessian: 0.0,
        };
    }
    if b.value.is_infinite() {
        // q at 0 or 1 against the target: the log term dominates every
        // derivative (L ~ −log q, L′ ~ −1/q, L″ ~ 1/q²); the γ terms would
        // otherwise meet as ∞ − ∞.
        return Point {
            value: f64::INFINITY,
            gradient: f64::INFINITY.copysign(b.gradient),
            hessian: f64::INFINITY,
        };
    }
    // c·u^e·x, taken as 0 when c or x is 0 (γ = 0, or B = 0 at u = 0) rather
    // than 0·∞.
    let term = |c: f64, e: f64, x: f64| {
        if c == 0.0 || x == 0.0 {
            0.0
        } else {
            c * u0.powf(e) * x
        }
    };
    Point {
        value: w * term(1.0, gamma, b.value),
        gradient: w * (term(gamma, gamma - 1.0, u1 * b.value) + term(1.0, gamma, b.gradient)),
        hessian: w
            * (term(gamma * (gamma - 1.0), gamma - 2.0, u1 * u1 * b.value)
                + term(gamma, gamma - 1.0, u2 * b.value)
                + term(2.0 * gamma, gamma - 1.0, u1 * b.gradient)
                + term(1.0, gamma, b.hessian)),
    }
}

/// Binary focal cross-entropy.
///
/// # Formula
/// L = w·(1 − p_t)^γ·BCE(y, q), p_t = yq + (1 − y)(1 − q), so
/// u = 1 − p_t = y(1 − q) + (1 − y)q; w = αy + (1 − α)(1 − y) if α is given, else 1.
/// L′ = w[γu^{γ−1}u′B + u^γB′],
/// L″ = w[γ(γ−1)u^{γ−2}u′²B + γu^{γ−1}u″B + 2γu^{γ−1}u′B′ + u^γB″],
/// with B, B′, B″ the binary cross-entropy and its derivatives; for
/// probabilities u′ = 1 − 2y, u″ = 0; for logits (q = σ(z)) u′ = (1 − 2y)q(1 − q),
/// u″ = (1 − 2y)q(1 − q)(1 − 2q). y is smoothed first (y(1 − ls) + ls/2).
/// Reference: Lin et al. (2017), "Focal Loss for Dense Object Detection";
/// Keras `BinaryFocalCrossentropy`.
#[inline]
pub(crate) fn binary_focal(b: &Binary, gamma: f64, alpha: Option<f64>, y: f64, yhat: f64) -> Point {
    let (y, ybar) = smooth(y, b.label_smoothing);
    let w = alpha.map_or(1.0, |a| a * y + (1.0 - a) * ybar);
    // 1 − 2y as (1 − y) − y.
    let s = ybar - y;
    if b.from_logits {
        let (q, qbar) = sigmoid_pair(yhat);
        let u = y * qbar + ybar * q;
        let dq = q * qbar;
        // 1 − 2σ(z) = tanh(−z/2), exact where σ(z) ≈ ½.
        let u = [u, s * dq, s * dq * (-0.5 * yhat).tanh()];
        focal_chain(gamma, w, u, bce_logit(y, ybar, yhat))
    } else {
        let q = yhat;
        let u = y * (1.0 - q) + ybar * q;
        focal_chain(gamma, w, [u, s, 0.0], bce_probability(y, ybar, q))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::loss::prec::{close, ABS_ULPS, REL_CORE, REL_ULPS};

    const PLAIN: Binary = Binary {
        from_logits: false,
        epsilon: 0.0,
        label_smoothing: 0.0,
    };

    #[test]
    /// The shared exponential gives the numbers of σ and softplus themselves.
    fn logit_form_matches_sigmoid_and_softplus() {
        for z in [-800.0, -30.0, -1.5, -1e-300, 0.0, 1e-12, 0.7, 36.0, 1000.0] {
            for y in [0.0, 0.3, 1.0] {
                let (q, qbar) = sigmoid_pair(z);
                let p = bce_logit(y, 1.0 - y, z);
                let value = y * softplus(-z) + (1.0 - y) * softplus(z);
                assert_eq!(p.value.to_bits(), value.to_bits(), "{y} {z}");
                assert_eq!(p.gradient, (1.0 - y) * q - y * qbar, "{y} {z}");
                assert_eq!(p.hessian, q * qbar, "{y} {z}");
            }
        }
    }

    /// The derivatives' selects give the numbers of the `if` chain they
    /// replaced (a label 0, else a label 1, else the general form), at the
    /// ends of the domain, for smoothed labels and for random pairs.
    #[test]
    fn derivative_selects_are_the_if_chain() {
        let chain = |y: f64, ybar: f64, q: f64| {
            let qbar = 1.0 - q;
            if y == 0.0 {
                (1.0 / qbar, 1.0 / (qbar * qbar))
            } else if ybar == 0.0 {
                (-1.0 / q, 1.0 / (q * q))
            } else {
                ((q - y) / (q * qbar), y / (q * q) + ybar / (qbar * qbar))
            }
        };
        let bits = |(g, h): (f64, f64)| (g.to_bits(), h.to_bits());
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        let mut unit = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 11) as f64 / (1u64 << 53) as f64
        };
        let edges = [0.0, 5e-324, 1e-300, 1e-17, 0.5, 1.0 - 1e-16, 1.0];
        let mut pairs: Vec<(f64, f64)> = edges
            .iter()
            .flat_map(|&y| edges.iter().map(move |&q| (y, q)))
            .collect();
        pairs.extend((0..100_000).map(|i| {
            let y = if i % 2 == 0 {
                f64::from(i % 4 / 2)
            } else {
                unit()
            };
            (y, unit())
        }));
        for (y, q) in pairs {
            for ls in [0.0, 0.1, 1e-12] {
                let (y, ybar) = smooth(y, ls);
                let got = bce_probability_derivatives(y, ybar, q);
                assert_eq!(bits(got), bits(chain(y, ybar, q)), "{y} {q} {ls}");
            }
        }
    }

    #[test]
    fn never_nan_at_the_edges() {
        let p = bce(&PLAIN, 1.0, 0.0);
        assert_eq!((p.value, p.gradient), (f64::INFINITY, f64::NEG_INFINITY));
        let p = bce(&PLAIN, 0.0, 0.0);
        assert_eq!((p.value, p.gradient, p.hessian), (0.0, 1.0, 1.0));
        let p = bce(&PLAIN, 0.0, 1.0);
        assert_eq!(p.value, f64::INFINITY);
    }

    #[test]
    fn logits_of_1000_are_finite() {
        let b = Binary {
            from_logits: true,
            ..PLAIN
        };
        assert_eq!(bce(&b, 0.0, 1000.0).value, 1000.0);
        assert_eq!(bce(&b, 1.0, 1000.0).value, 0.0);
        assert_eq!(bce(&b, 1.0, -1000.0).gradient, -1.0);
    }

    #[test]
    fn epsilon_clip_at_one_keeps_the_digits_of_epsilon() {
        let b = Binary {
            epsilon: 1e-6,
            ..PLAIN
        };
        // q = 1 − 1e-10 is clipped to 1 − ε: for y = 0 the loss is −ln ε.
        let p = bce(&b, 0.0, 0.9999999999);
        assert!(
            close(p.value, 13.815510557964274, REL_ULPS, 0.0),
            "{}",
            p.value
        );
        let p = bce(&b, 1.0, 1e-9);
        assert!(
            close(p.value, 13.815510557964274, REL_ULPS, 0.0),
            "{}",
            p.value
        );
        assert_eq!((p.gradient, p.hessian), (0.0, 0.0));
    }

    #[test]
    fn epsilon_clips_like_keras() {
        let b = Binary {
            epsilon: 1e-7,
            ..PLAIN
        };
        let p = bce(&b, 1.0, 0.0);
        assert!(close(p.value, 16.11809565095832, REL_CORE, 0.0));
        assert_eq!(p.gradient, 0.0);
    }

    #[test]
    fn focal_at_the_edges_is_infinite_not_nan() {
        for gamma in [0.0, 0.5, 2.0] {
            let p = binary_focal(&PLAIN, gamma, None, 1.0, 0.0);
            assert_eq!(
                (p.value, p.gradient, p.hessian),
                (f64::INFINITY, f64::NEG_INFINITY, f64::INFINITY)
            );
            let p = binary_focal(&PLAIN, gamma, None, 0.0, 1.0);
            assert_eq!(
                (p.value, p.gradient, p.hessian),
                (f64::INFINITY, f64::INFINITY, f64::INFINITY)
            );
            let p = binary_focal(&PLAIN, gamma, Some(1.0), 0.0, 1.0);
            assert_eq!((p.value, p.gradient, p.hessian), (0.0, 0.0, 0.0));
        }
    }

    /// A tiny label smoothing at a huge logit: the loss is (ls/2)·|z|, all of
    /// it carried by 1 − y_s, which must not be computed as 1 − (1 − ls/2).
    #[test]
    fn tiny_label_smoothing_keeps_its_digits() {
        let close = |got: f64, want: f64| close(got, want, REL_ULPS, 0.0);
        for ls in [1e-8, 3e-13, 0.1] {
            let b = Binary {
                from_logits: true,
                label_smoothing: ls,
                ..PLAIN
            };
            let half = ls / 2.0;
            for (y, z) in [(1.0, 800.0), (0.0, -800.0), (1.0, 1000.0)] {
                let p = bce(&b, y, z);
                assert!(close(p.value, half * z.abs()), "{ls} {y} {z}: {p:?}");
                assert!(close(p.gradient, half.copysign(z)), "{ls} {y} {z}: {p:?}");
                for gamma in [0.5, 2.0] {
                    let p = binary_focal(&b, gamma, Some(0.25), y, z);
                    let w = 0.25 * (1.0 - half) + 0.75 * half;
                    let w = if y == 1.0 {
                        w
                    } else {
                        0.25 * half + 0.75 * (1.0 - half)
                    };
                    let want = w * half.powf(gamma) * half * z.abs();
                    assert!(
                        close(p.value, want),
                        "{ls} {gamma} {y} {z}: {p:?} vs {want}"
                    );
                }
            }
        }
    }

    #[test]
    fn focal_with_gamma_zero_is_bce() {
        let a = binary_focal(&PLAIN, 0.0, None, 0.3, 0.8);
        let b = bce(&PLAIN, 0.3, 0.8);
        assert!(close(a.value, b.value, 0.0, ABS_ULPS));
        assert!(close(a.gradient, b.gradient, 0.0, ABS_ULPS));
        assert!(close(a.hessian, b.hessian, 0.0, 10.0 * ABS_ULPS));
    }
}
