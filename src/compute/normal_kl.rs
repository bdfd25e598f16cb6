//! KL divergence between two normal densities: the closed form, and the
//! core's discrete KL applied to the densities sampled on a fine grid. The two
//! must agree; a test holds them to 1e-9.

use std::collections::VecDeque;
use std::sync::{Mutex, PoisonError};

use super::model::{Panel, Series, SeriesKind};
use super::panel::panel;
use crate::format::{format_number, Decimals};
use crate::loss::{Input, Loss, Output, Params, Reduction};
use crate::scenario::{Grid, NormalParams, ValidFigure};

/// Grid half-width in the target's standard deviations: beyond 12σ its density
/// is below 1e-31 and adds nothing to ∫ p ln(p/q).
const HALF_WIDTH_SIGMAS: f64 = 12.0;
/// The model density underflows to 0 beyond about 38σ; the grid stops at 35σ
/// of the model so that q > 0 wherever p is sampled (else KL would be infinite
/// by rounding, not by mathematics).
const MODEL_SIGMAS: f64 = 35.0;
/// Grid points for the numerical integral (validation counts them).
const INTEGRATION_POINTS: usize = crate::scenario::KL_INTEGRATION_POINTS;

/// A numerical KL in nats, with the core's warnings about its inputs.
pub type NumericKl = (f64, Vec<String>);

/// KL(p ‖ q) = ln(σ_q/σ_p) + (σ_p² + (μ_p − μ_q)²)/(2σ_q²) − ½, in nats.
/// For unit variances this is shift²/2.
pub fn normal_kl_analytic(p: &NormalParams, q: &NormalParams) -> f64 {
    (q.std / p.std).ln() + (p.std * p.std + (p.mean - q.mean).powi(2)) / (2.0 * q.std * q.std) - 0.5
}

/// ∫ p ln(p/q) dx by a Riemann sum, computed as the core's discrete KL of the
/// cell masses p(xᵢ)Δx and q(xᵢ)Δx (the Δx cancels inside the logarithm).
/// The rule is spectrally accurate for smooth integrands that vanish at the ends.
///
/// A scenario often asks for the same integral twice (a figure's titles and
/// a quantity in the text, computed on different threads): the process
/// remembers the last few results, keyed by the four parameters' bits, so the
/// 20,001-point sum usually runs once per pair. A result is the same whether
/// it is remembered or computed afresh (two threads may both compute it).
pub fn normal_kl_numeric(p: &NormalParams, q: &NormalParams) -> Result<NumericKl, String> {
    type Key = [u64; 4];
    /// Enough for every shift of a figure; the oldest is forgotten first.
    const REMEMBERED: usize = 32;
    static RECENT: Mutex<VecDeque<(Key, NumericKl)>> = Mutex::new(VecDeque::new());
    let recent = || RECENT.lock().unwrap_or_else(PoisonError::into_inner);
    let key = [p.mean, p.std, q.mean, q.std].map(f64::to_bits);
    let remembered = |recent: &VecDeque<(Key, NumericKl)>| {
        recent
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, result)| result.clone())
    };
    if let Some(result) = remembered(&recent()) {
        return Ok(result);
    }
    let result = integrate_normal_kl(p, q)?;
    let mut recent = recent();
    if remembered(&recent).is_none() {
        if recent.len() == REMEMBERED {
            recent.pop_front();
        }
        recent.push_back((key, result.clone()));
    }
    Ok(result)
}

/// The Riemann sum behind [`normal_kl_numeric`], computed afresh.
fn integrate_normal_kl(p: &NormalParams, q: &NormalParams) -> Result<NumericKl, String> {
    // Both densities' bulk (so both masses sum to 1), clipped where q would underflow.
    let (k, m) = (HALF_WIDTH_SIGMAS, MODEL_SIGMAS);
    let from = (p.mean - k * p.std)
        .min(q.mean - k * q.std)
        .max(q.mean - m * q.std);
    let to = (p.mean + k * p.std)
        .max(q.mean + k * q.std)
        .min(q.mean + m * q.std);
    let dx = (to - from) / (INTEGRATION_POINTS - 1) as f64;
    let xs = (0..INTEGRATION_POINTS).map(|i| from + i as f64 * dx);
    let (p_density, q_density) = (normal(p), normal(q));
    let p_mass: Vec<f64> = xs.clone().map(|x| pdf(&p_density, x) * dx).collect();
    let q_mass: Vec<f64> = xs.map(|x| pdf(&q_density, x) * dx).collect();
    let kl = Loss::new("kl_divergence", &Params::new()).map_err(|e| e.to_string())?;
    // The value alone (the slice path computes no gradient), the same
    // number and warnings as `evaluate`.
    let reduced = kl
        .reduce(
            Input::new(&p_mass, &q_mass),
            Reduction::Sum,
            Output::default(),
        )
        .map_err(|e| format!("numerical KL failed: {e}"))?;
    Ok((reduced.value, reduced.warnings))
}

/// A KL value for a title: exact short values as they are (0.03125), others to 4 decimals.
fn short(value: f64) -> String {
    let exact = format_number(value, Decimals::Exactly(6));
    let trimmed = exact.trim_end_matches('0').trim_end_matches('.');
    let decimals = trimmed.split_once('.').map(|(_, d)| d.len()).unwrap_or(0);
    if decimals <= 5 {
        trimmed.to_string()
    } else {
        format_number(value, Decimals::Exactly(4))
    }
}

/// The normal density, through statrs.
pub fn density(n: &NormalParams, x: f64) -> f64 {
    pdf(&normal(n), x)
}

/// statrs's normal distribution for `n` (`None` cannot happen: validation
/// guarantees std > 0 and finite parameters), built once per integral.
fn normal(n: &NormalParams) -> Option<statrs::distribution::Normal> {
    statrs::distribution::Normal::new(n.mean, n.std).ok()
}

/// The density of `normal` at `x`, NaN without a distribution.
fn pdf(normal: &Option<statrs::distribution::Normal>, x: f64) -> f64 {
    use statrs::distribution::Continuous;
    normal.as_ref().map_or(f64::NAN, |d| d.pdf(x))
}

/// Panels of a `normal_kl` figure: the target and the shifted model density at
/// each shift (KL in the title, closed form and numerical), then KL against
/// the shift (closed form as a line, numerical values as points).
pub fn figure(
    spec: &ValidFigure,
    target: &NormalParams,
    model: &NormalParams,
    shifts: &[f64],
    grid: &Grid,
    shift_grid: &Grid,
) -> Result<(Vec<Panel>, usize), String> {
    let moved = |shift: f64| NormalParams {
        label: model.label.clone(),
        mean: model.mean + shift,
        std: model.std,
    };
    let mut panels = Vec::new();
    let mut numeric_points = Vec::new();
    for (i, &shift) in shifts.iter().enumerate() {
        let q = moved(shift);
        let analytic = normal_kl_analytic(target, &q);
        let (numeric, _) = normal_kl_numeric(target, &q)?;
        numeric_points.push((shift, numeric));
        let curve = |n: &NormalParams| grid.points().map(|x| (x, density(n, x))).collect();
        let series = vec![
            Series {
                label: format!("target P = {}", target.label),
                kind: SeriesKind::Line,
                color_key: "p".into(),
                dashed: false,
                points: curve(target),
            },
            Series {
                label: format!("model Q = {}", model.label),
                kind: SeriesKind::Line,
                color_key: "q".into(),
                dashed: true,
                points: curve(&q),
            },
        ];
        let title = format!(
            "shift {}: KL = {} nats (numerical {})",
            format_number(shift, Decimals::PROSE),
            short(analytic),
            short(numeric),
        );
        let x_label = spec.x_label.clone().unwrap_or_else(|| "x".into());
        let y_label = spec.y_label.clone().unwrap_or_else(|| "density".into());
        let mut p = panel(spec, i + 1, title, x_label, y_label, grid.span(), series);
        p.y_range.0 = 0.0;
        panels.push(p);
    }
    let kl_curve = shift_grid
        .points()
        .map(|s| (s, normal_kl_analytic(target, &moved(s))))
        .collect();
    let series = vec![
        Series {
            label: "closed form".into(),
            kind: SeriesKind::Line,
            color_key: "kl_divergence".into(),
            dashed: false,
            points: kl_curve,
        },
        Series {
            label: "numerical integration".into(),
            kind: SeriesKind::Points,
            color_key: "derivative".into(),
            dashed: false,
            points: numeric_points,
        },
    ];
    let mut last = panel(
        spec,
        usize::MAX,
        "KL(P‖Q) against the shift".into(),
        "shift = mean of Q − mean of P".into(),
        "KL (nats)".into(),
        shift_grid.span(),
        series,
    );
    last.x_range = shift_grid.span();
    panels.push(last);
    Ok((panels, 2))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn normal(mean: f64, std: f64) -> NormalParams {
        NormalParams {
            label: String::new(),
            mean,
            std,
        }
    }

    #[test]
    fn unit_variance_is_half_shift_squared() {
        for shift in [3.0, 2.0, 1.0, 0.25] {
            let kl = normal_kl_analytic(&normal(0.0, 1.0), &normal(shift, 1.0));
            assert!((kl - shift * shift / 2.0).abs() < 1e-15);
        }
    }

    #[test]
    fn numeric_integration_agrees_with_closed_form() {
        for (p, q) in [
            (normal(0.0, 1.0), normal(3.0, 1.0)),
            (normal(0.0, 1.0), normal(0.25, 1.0)),
            (normal(1.0, 0.5), normal(-1.0, 2.0)),
            (normal(0.0, 2.0), normal(0.5, 1.0)),
            (normal(1.0, 2.0), normal(0.0, 0.5)),
        ] {
            let analytic = normal_kl_analytic(&p, &q);
            let (numeric, warnings) = normal_kl_numeric(&p, &q).unwrap();
            assert!(
                (numeric - analytic).abs() < 1e-9,
                "{p:?} {q:?}: {numeric} vs {analytic}"
            );
            assert!(warnings.is_empty(), "{warnings:?}");
        }
    }

    /// A remembered result is the integral itself, bit for bit, and a
    /// different pair is not mistaken for a remembered one.
    #[test]
    fn remembered_results_equal_fresh_ones() {
        let (p, q) = (normal(0.0, 1.0), normal(1.5, 1.0));
        let first = normal_kl_numeric(&p, &q).unwrap();
        let again = normal_kl_numeric(&p, &q).unwrap();
        let fresh = integrate_normal_kl(&p, &q).unwrap();
        assert_eq!(first.0.to_bits(), fresh.0.to_bits());
        assert_eq!(again.0.to_bits(), fresh.0.to_bits());
        let other = normal_kl_numeric(&p, &normal(1.5, 2.0)).unwrap();
        assert_ne!(other.0, first.0);
        assert_eq!(
            other.0.to_bits(),
            integrate_normal_kl(&p, &normal(1.5, 2.0))
                .unwrap()
                .0
                .to_bits()
        );
    }

    /// Panel titles are short enough for half a figure, and labels have no
    /// TeX-like subscripts.
    #[test]
    fn titles_fit_and_labels_are_plain() {
        let text = "[metadata]\ntitle = 't'\n\
                    [[normals]]\nname = 'p'\nlabel = 'P'\nmean = 0\nstd = 1\n\
                    [[normals]]\nname = 'q'\nlabel = 'Q'\nmean = 0\nstd = 1\n\
                    [[figures]]\nname = 'f'\nkind = 'normal_kl'\ntitle = ''\ncaption = ''\nalt = ''\nappendix = true\n\
                    target = 'p'\nmodel = 'q'\nshifts = [3, 0.25]\n\
                    x = { from = -5, to = 8, step = 0.05 }\nshift_range = { from = 0, to = 3.5, step = 0.01 }\n";
        let scenario = crate::scenario::parse_str(text, "x.toml").unwrap();
        let valid = crate::scenario::validate(&scenario, std::path::Path::new("x.toml")).unwrap();
        let figure = crate::compute::compute(&valid).unwrap().results.figures[0].clone();
        assert_eq!(
            figure.panels[1].title,
            "shift 0.25: KL = 0.03125 nats (numerical 0.03125)"
        );
        for panel in &figure.panels {
            assert!(panel.title.chars().count() <= 50, "{}", panel.title);
            assert!(!panel.x_label.contains('_'), "{}", panel.x_label);
        }
    }
}
