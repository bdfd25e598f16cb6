//! Seeded two-dimensional toy datasets for classifiers: two interleaving
//! half-moons (the recipe of scikit-learn's `make_moons`) and normal blobs
//! around given centres. The draws come from [`Uniform`], so the points
//! depend on the seed alone.

use serde::{Deserialize, Serialize};

use super::random::Uniform;
use super::TrainError;

/// The most points a toy dataset may have.
pub const MAX_TOY_POINTS: usize = 1_000_000;

/// Points (x₁, x₂), row-major, and a class label (0, 1, ...) per point.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Toy {
    pub inputs: Vec<f64>,
    pub labels: Vec<f64>,
}

fn check_size(points: usize, noise: f64) -> Result<(), TrainError> {
    if points == 0 || points > MAX_TOY_POINTS {
        return Err(TrainError::bad(
            "points",
            format!("must be between 1 and {MAX_TOY_POINTS}, got {points}"),
        ));
    }
    if !(noise.is_finite() && noise >= 0.0) {
        return Err(TrainError::bad(
            "noise",
            format!("must be >= 0, got {noise}"),
        ));
    }
    Ok(())
}

/// Two half-moons: ⌊n/2⌋ points (cos t, sin t) labelled 0 and the rest
/// (1 − cos t, ½ − sin t) labelled 1, t evenly spaced over [0, π], each
/// coordinate plus N(0, noise²).
pub fn two_moons(points: usize, noise: f64, seed: u64) -> Result<Toy, TrainError> {
    check_size(points, noise)?;
    let mut draw = Uniform::new(seed);
    let outer = points / 2;
    let mut toy = Toy {
        inputs: Vec::with_capacity(2 * points),
        labels: Vec::with_capacity(points),
    };
    for (count, label) in [(outer, 0.0), (points - outer, 1.0)] {
        for i in 0..count {
            let t = std::f64::consts::PI * i as f64 / (count.max(2) - 1) as f64;
            let (x, y) = if label == 0.0 {
                (t.cos(), t.sin())
            } else {
                (1.0 - t.cos(), 0.5 - t.sin())
            };
            toy.inputs.push(x + noise * draw.normal());
            toy.inputs.push(y + noise * draw.normal());
            toy.labels.push(label);
        }
    }
    Ok(toy)
}

/// `per_class` points around each centre, each coordinate N(centre, spread²);
/// class k is the k-th centre.
pub fn blobs(
    centers: &[[f64; 2]],
    spread: f64,
    per_class: usize,
    seed: u64,
) -> Result<Toy, TrainError> {
    check_size(centers.len().saturating_mul(per_class), spread)?;
    let mut draw = Uniform::new(seed);
    let mut toy = Toy {
        inputs: Vec::with_capacity(2 * centers.len() * per_class),
        labels: Vec::with_capacity(centers.len() * per_class),
    };
    for (k, center) in centers.iter().enumerate() {
        for _ in 0..per_class {
            toy.inputs.push(center[0] + spread * draw.normal());
            toy.inputs.push(center[1] + spread * draw.normal());
            toy.labels.push(k as f64);
        }
    }
    Ok(toy)
}
