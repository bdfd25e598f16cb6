//! Loss-landscape slices around a point θ* (Li, Xu, Taylor, Studer &
//! Goldstein 2018, "Visualizing the Loss Landscape of Neural Nets"):
//! L(θ* + αd) along one direction, L(θ* + αd₁ + βd₂) over a plane.
//!
//! A random direction is drawn from N(0, I) (seeded) and *filter-normalised*:
//! each filter (the incoming weights of one unit) is rescaled to the norm of
//! the same filter of θ*, d_f ← d_f ‖θ*_f‖/‖d_f‖, so that a slice of a network
//! is comparable across scales; biases get direction 0, as in the paper's
//! code (its "biasbn" option). A model without weights (the constant) treats
//! each bias as its own filter. A given direction is used as it is, or
//! filter-normalised on request.

use serde::{Deserialize, Serialize};

use super::budget::Budget;
use super::problem::Problem;
use super::random::Uniform;
use super::TrainError;

/// Where a slice direction comes from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DirectionSpec {
    /// This vector, as it is.
    Given(Vec<f64>),
    /// This vector, filter-normalised against the centre.
    FilterNormalized(Vec<f64>),
    /// A seeded N(0, I) draw, filter-normalised against the centre.
    Random { seed: u64 },
}

/// L(θ* + α d) at each α; `None` where the loss is undefined (outside its domain).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Slice1d {
    pub center: Vec<f64>,
    pub direction: Vec<f64>,
    pub alphas: Vec<f64>,
    pub losses: Vec<Option<f64>>,
}

/// L(θ* + α d₁ + β d₂): `losses[j][i]` at (alphas[i], betas[j]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Slice2d {
    pub center: Vec<f64>,
    pub direction_x: Vec<f64>,
    pub direction_y: Vec<f64>,
    pub alphas: Vec<f64>,
    pub betas: Vec<f64>,
    pub losses: Vec<Vec<Option<f64>>>,
}

impl Problem {
    /// The direction `spec` describes, around `center`.
    pub fn direction(&self, center: &[f64], spec: &DirectionSpec) -> Result<Vec<f64>, TrainError> {
        let n = self.parameter_count();
        let (raw, normalise) = match spec {
            DirectionSpec::Given(d) => (d.clone(), false),
            DirectionSpec::FilterNormalized(d) => (d.clone(), true),
            DirectionSpec::Random { seed } => {
                let mut draw = Uniform::new(*seed);
                ((0..n).map(|_| draw.normal()).collect(), true)
            }
        };
        for (what, v) in [("direction", &raw), ("center", &center.to_vec())] {
            if v.len() != n || v.iter().any(|x| !x.is_finite()) {
                return Err(TrainError::bad(
                    what,
                    format!(
                        "needs {n} finite numbers (one per parameter), got {}",
                        v.len()
                    ),
                ));
            }
        }
        Ok(if normalise {
            self.filter_normalise(center, raw)
        } else {
            raw
        })
    }

    fn filter_normalise(&self, center: &[f64], mut d: Vec<f64>) -> Vec<f64> {
        let (mut filters, biases) = self.model.filters();
        if filters.is_empty() {
            filters = biases.iter().map(|&b| b..b + 1).collect();
        } else {
            biases.iter().for_each(|&b| d[b] = 0.0);
        }
        let norm = |v: &[f64]| v.iter().map(|x| x * x).sum::<f64>().sqrt();
        for f in filters {
            let (dn, cn) = (norm(&d[f.clone()]), norm(&center[f.clone()]));
            let scale = if dn > 0.0 { cn / dn } else { 0.0 };
            d[f].iter_mut().for_each(|x| *x *= scale);
        }
        d
    }

    /// The loss along `direction` at each α.
    pub fn slice_1d(
        &self,
        center: &[f64],
        direction: &[f64],
        alphas: &[f64],
        budget: &Budget,
    ) -> Result<Slice1d, TrainError> {
        budget.check(alphas.len() as u128, "points", self.evaluation_work())?;
        let losses = alphas
            .iter()
            .map(|&a| self.loss_or_gap(&shifted(center, &[(a, direction)])))
            .collect::<Result<_, _>>()?;
        Ok(Slice1d {
            center: center.to_vec(),
            direction: direction.to_vec(),
            alphas: alphas.to_vec(),
            losses,
        })
    }

    /// The loss over the plane spanned by two directions.
    pub fn slice_2d(
        &self,
        center: &[f64],
        directions: [&[f64]; 2],
        alphas: &[f64],
        betas: &[f64],
        budget: &Budget,
    ) -> Result<Slice2d, TrainError> {
        let points = alphas.len() as u128 * betas.len() as u128;
        budget.check(points, "points", self.evaluation_work())?;
        let [dx, dy] = directions;
        let losses = betas
            .iter()
            .map(|&b| {
                alphas
                    .iter()
                    .map(|&a| self.loss_or_gap(&shifted(center, &[(a, dx), (b, dy)])))
                    .collect::<Result<Vec<_>, _>>()
            })
            .collect::<Result<_, _>>()?;
        Ok(Slice2d {
            center: center.to_vec(),
            direction_x: dx.to_vec(),
            direction_y: dy.to_vec(),
            alphas: alphas.to_vec(),
            betas: betas.to_vec(),
            losses,
        })
    }

    /// The loss, or None where the core finds the predictions outside its domain.
    fn loss_or_gap(&self, params: &[f64]) -> Result<Option<f64>, TrainError> {
        match self.loss(params) {
            Ok(v) => Ok(Some(v)),
            Err(TrainError::Loss { .. }) => Ok(None),
            Err(other) => Err(other),
        }
    }
}

/// θ* + Σ_k a_k d_k.
fn shifted(center: &[f64], moves: &[(f64, &[f64])]) -> Vec<f64> {
    let mut p = center.to_vec();
    for (a, d) in moves {
        p.iter_mut().zip(*d).for_each(|(x, di)| *x += a * di);
    }
    p
}
