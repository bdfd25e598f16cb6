//! The `data` of a `[[trainings]]` entry: datasets, or a seeded generator.
//!
//! | kind       | keys                                                                 |
//! |------------|----------------------------------------------------------------------|
//! | `datasets` | `y` (targets), `x` (inputs: flat = one feature, rows = features)     |
//! | `line`     | `points`, `slope`, `intercept`, `noise`, `seed`, `x_from`, `x_to`, `outliers`, `outlier_shift` |
//! | `moons`    | `points`, `noise`, `seed`, `flip` (fraction of labels flipped)       |
//! | `blobs`    | `centers`, `spread`, `per_class`, `seed`, `flip`                     |
//! | `mixture`  | `components` (`share`, `mean`, `std`), `x` (the density grid)        |
//!
//! `line` puts its x evenly on [x_from, x_to] and y = intercept + slope·x +
//! noise·N(0, 1); `outliers` (a fraction, or a list of fractions: one
//! training per value) moves the y of that fraction of the points, picked in
//! a seeded random order, by `outlier_shift` (gross errors in y). The draws
//! do not depend on the fraction, and a larger fraction keeps the outliers of
//! a smaller one, so the members differ by their added outliers only.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::Deserialize;

use super::context::Context;
use super::error::ScenarioError;
use super::grid::{GridSpec, OneOrMany};
use super::training_types::{Component, DensityData, PointData, TrainingSamples};
use crate::loss::Data;
use crate::train::toy;

/// Most samples a generated training set may have.
pub const MAX_TRAINING_POINTS: usize = 100_000;

#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum DataSpec {
    Datasets {
        x: Option<String>,
        y: String,
    },
    Line {
        points: usize,
        slope: f64,
        intercept: f64,
        noise: f64,
        seed: u64,
        #[serde(default)]
        x_from: Option<f64>,
        #[serde(default)]
        x_to: Option<f64>,
        #[serde(default)]
        outliers: Option<OneOrMany>,
        #[serde(default)]
        outlier_shift: Option<f64>,
    },
    Moons {
        points: usize,
        noise: f64,
        seed: u64,
        #[serde(default)]
        flip: f64,
    },
    Blobs {
        centers: Vec<[f64; 2]>,
        spread: f64,
        per_class: usize,
        seed: u64,
        #[serde(default)]
        flip: f64,
    },
    Mixture {
        components: Vec<Component>,
        x: GridSpec,
    },
}

impl DataSpec {
    /// Every data set this spec describes, with its sweep value (`line`
    /// with a list of `outliers`) or None; `path` is `trainings[i].data`.
    pub(crate) fn load(
        &self,
        path: &str,
        ctx: &Context,
    ) -> Result<Vec<(TrainingSamples, Option<f64>)>, ScenarioError> {
        let rep = &ctx.rep;
        let toy_error = |e: crate::train::TrainError| rep.invalid(path, e.to_string());
        let one = |data: PointData| vec![(TrainingSamples::Points(data), None)];
        Ok(match self {
            DataSpec::Datasets { x, y } => {
                let targets = ctx.flat(&format!("{path}.y"), y)?;
                let (inputs, dim) = match x {
                    None => (Vec::new(), 0),
                    Some(x) => match ctx.data(&format!("{path}.x"), x)? {
                        Data::Flat(v) => (v, 1),
                        Data::Rows(rows) => {
                            let dim = rows.first().map_or(0, Vec::len);
                            (rows.concat(), dim)
                        }
                    },
                };
                if dim > 0 && inputs.len() != targets.len() * dim {
                    return Err(rep.invalid(
                        format!("{path}.x"),
                        format!(
                            "has {} samples but y has {}",
                            inputs.len() / dim,
                            targets.len()
                        ),
                    ));
                }
                one(PointData {
                    inputs,
                    dim,
                    targets,
                })
            }
            DataSpec::Line {
                points,
                slope,
                intercept,
                noise,
                seed,
                x_from,
                x_to,
                outliers,
                outlier_shift,
            } => {
                let size = *points;
                if !(2..=MAX_TRAINING_POINTS).contains(&size) {
                    return Err(rep.invalid(
                        format!("{path}.points"),
                        format!("must be between 2 and {MAX_TRAINING_POINTS}, got {size}"),
                    ));
                }
                let (from, to) = (x_from.unwrap_or(0.0), x_to.unwrap_or(1.0));
                for (key, v) in [
                    ("slope", *slope),
                    ("intercept", *intercept),
                    ("x_from", from),
                    ("x_to", to),
                    ("outlier_shift", outlier_shift.unwrap_or(0.0)),
                ] {
                    if !v.is_finite() {
                        return Err(rep
                            .invalid(format!("{path}.{key}"), format!("must be finite, got {v}")));
                    }
                }
                if !(noise.is_finite() && *noise >= 0.0) {
                    return Err(rep.invalid(
                        format!("{path}.noise"),
                        format!("must be >= 0, got {noise}"),
                    ));
                }
                if from >= to {
                    return Err(rep.invalid(format!("{path}.x_to"), "must be > x_from"));
                }
                let fractions = fractions(outliers);
                if fractions.is_empty() {
                    return Err(rep.invalid(format!("{path}.outliers"), "is empty"));
                }
                if let Some((i, f)) = fractions
                    .iter()
                    .enumerate()
                    .find(|(_, f)| !(0.0..=1.0).contains(*f))
                {
                    return Err(rep.invalid(
                        format!("{path}.outliers[{i}]"),
                        format!("must be a fraction in [0, 1], got {f}"),
                    ));
                }
                let mut rng = ChaCha8Rng::seed_from_u64(*seed);
                let step = (to - from) / (size - 1) as f64;
                let xs: Vec<f64> = (0..size).map(|i| from + i as f64 * step).collect();
                let clean: Vec<f64> = xs
                    .iter()
                    .map(|x| intercept + slope * x + noise * standard_normal(&mut rng))
                    .collect();
                // One seeded order of the points (Fisher–Yates): a fraction f
                // moves the first round(f·n) of it, so larger fractions add
                // outliers to those of smaller ones.
                let mut order: Vec<usize> = (0..size).collect();
                for i in (1..size).rev() {
                    let j = (rng.next_u64() % (i as u64 + 1)) as usize;
                    order.swap(i, j);
                }
                let shift = outlier_shift.unwrap_or(0.0);
                let sweep = fractions.len() > 1;
                fractions
                    .iter()
                    .map(|&fraction| {
                        let bad = (fraction * size as f64).round() as usize;
                        let mut targets = clean.clone();
                        order[..bad].iter().for_each(|&i| targets[i] += shift);
                        let data = PointData {
                            inputs: xs.clone(),
                            dim: 1,
                            targets,
                        };
                        (TrainingSamples::Points(data), sweep.then_some(fraction))
                    })
                    .collect()
            }
            DataSpec::Moons {
                points,
                noise,
                seed,
                flip,
            } => {
                check_points(path, *points, ctx)?;
                let moons = toy::two_moons(*points, *noise, *seed).map_err(toy_error)?;
                one(flipped(path, moons, *flip, 2, *seed, ctx)?)
            }
            DataSpec::Blobs {
                centers,
                spread,
                per_class,
                seed,
                flip,
            } => {
                if centers.len() < 2 || centers.iter().flatten().any(|c| !c.is_finite()) {
                    return Err(rep.invalid(
                        format!("{path}.centers"),
                        "needs at least two finite centres [x1, x2]",
                    ));
                }
                check_points(path, centers.len().saturating_mul(*per_class), ctx)?;
                let blobs = toy::blobs(centers, *spread, *per_class, *seed).map_err(toy_error)?;
                one(flipped(path, blobs, *flip, centers.len(), *seed, ctx)?)
            }
            DataSpec::Mixture { components, x } => {
                vec![(
                    TrainingSamples::Density(mixture(path, components, x, ctx)?),
                    None,
                )]
            }
        })
    }
}

fn check_points(path: &str, points: usize, ctx: &Context) -> Result<(), ScenarioError> {
    if points == 0 || points > MAX_TRAINING_POINTS {
        return Err(ctx.rep.invalid(
            format!("{path}.points"),
            format!("must be between 1 and {MAX_TRAINING_POINTS}, got {points}"),
        ));
    }
    Ok(())
}

/// √(−2 ln u₁)·cos(2π u₂): Box–Muller, so the draws depend on the seed alone.
fn standard_normal(rng: &mut ChaCha8Rng) -> f64 {
    let u1 = 1.0 - (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
    let u2 = (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

/// Label noise: each label moves to the next class with probability `flip`
/// (a stream of its own, so the points are those without flips).
fn flipped(
    path: &str,
    toy: toy::Toy,
    flip: f64,
    classes: usize,
    seed: u64,
    ctx: &Context,
) -> Result<PointData, ScenarioError> {
    if !(0.0..=1.0).contains(&flip) {
        return Err(ctx.rep.invalid(
            format!("{path}.flip"),
            format!("must be a fraction in [0, 1], got {flip}"),
        ));
    }
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x9E37_79B9_7F4A_7C15);
    let targets = toy
        .labels
        .iter()
        .map(|&label| {
            let u = (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
            if u < flip {
                ((label as usize + 1) % classes) as f64
            } else {
                label
            }
        })
        .collect();
    Ok(PointData {
        inputs: toy.inputs,
        dim: 2,
        targets,
    })
}

/// The mixture's density on the grid, as cell masses (density × cell width).
fn mixture(
    path: &str,
    components: &[Component],
    x: &GridSpec,
    ctx: &Context,
) -> Result<DensityData, ScenarioError> {
    let rep = &ctx.rep;
    let grid = x.validate(&format!("{path}.x"), rep)?;
    if grid.len() < 2 || grid.len() > 100_001 {
        return Err(rep.invalid(
            format!("{path}.x"),
            format!("needs 2 to 100001 points, got {}", grid.len()),
        ));
    }
    if components.is_empty() {
        return Err(rep.invalid(format!("{path}.components"), "is empty"));
    }
    for (i, c) in components.iter().enumerate() {
        let at = format!("{path}.components[{i}]");
        if !(c.share.is_finite() && c.share > 0.0) {
            return Err(rep.invalid(
                format!("{at}.share"),
                format!("must be > 0, got {}", c.share),
            ));
        }
        if !c.mean.is_finite() {
            return Err(rep.invalid(format!("{at}.mean"), "must be finite"));
        }
        if !(c.std.is_finite() && c.std > 0.0) {
            return Err(rep.invalid(format!("{at}.std"), format!("must be > 0, got {}", c.std)));
        }
    }
    let total: f64 = components.iter().map(|c| c.share).sum();
    if (total - 1.0).abs() > 1e-9 {
        return Err(rep.invalid(
            format!("{path}.components"),
            format!("shares must sum to 1, got {total}"),
        ));
    }
    let points: Vec<f64> = grid.points().collect();
    let cell = grid.step.abs();
    let masses = points
        .iter()
        .map(|&x| {
            components
                .iter()
                .map(|c| {
                    let u = (x - c.mean) / c.std;
                    c.share * (-0.5 * u * u).exp() / (c.std * std::f64::consts::TAU.sqrt())
                })
                .sum::<f64>()
                * cell
        })
        .collect();
    Ok(DensityData {
        grid: points,
        cell,
        masses,
        components: components.to_vec(),
    })
}

/// The sweep values of `outliers` (one or a list).
pub(crate) fn fractions(spec: &Option<OneOrMany>) -> Vec<f64> {
    match spec {
        None => vec![0.0],
        Some(OneOrMany::One(v)) => vec![*v],
        Some(OneOrMany::Many(v)) => v.clone(),
    }
}
