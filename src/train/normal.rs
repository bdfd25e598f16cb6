//! A normal density as cell masses on a grid: the model of a divergence fit.
//!
//! # Formula
//! Parameters θ = (μ, s) with σ = eˢ (so σ > 0 without a constraint); on
//! grid points x_c with cell width Δ, q_c = Δ·φ(u_c)/σ, u_c = (x_c − μ)/σ,
//! φ the standard normal density. Then ∂q_c/∂μ = q_c u_c/σ and
//! ∂q_c/∂s = q_c (u_c² − 1). The Riemann sum Σ_c q_c f(x_c) of a smooth
//! f decaying at the grid's ends is spectrally accurate, so cell masses stand
//! for the density.

use super::accumulate::CompensatedVec;
use super::TrainError;

/// ln √(2π).
const LN_SQRT_2PI: f64 = 0.918_938_533_204_672_8;

#[derive(Debug, Clone)]
pub(crate) struct NormalGrid {
    grid: Vec<f64>,
    cell: f64,
}

impl NormalGrid {
    pub(crate) fn new(grid: &[f64], cell: f64) -> Result<NormalGrid, TrainError> {
        if grid.len() < 2 || grid.iter().any(|x| !x.is_finite()) {
            return Err(TrainError::bad(
                "grid",
                "a normal model needs at least 2 finite grid points",
            ));
        }
        if !(cell.is_finite() && cell > 0.0) {
            return Err(TrainError::bad("cell", format!("must be > 0, got {cell}")));
        }
        Ok(NormalGrid {
            grid: grid.to_vec(),
            cell,
        })
    }

    pub(crate) fn cells(&self) -> usize {
        self.grid.len()
    }

    fn standardised(&self, params: &[f64]) -> impl Iterator<Item = (f64, f64)> + '_ {
        let (mu, s) = (params[0], params[1]);
        let sigma = s.exp();
        let ln_cell = self.cell.ln();
        self.grid.iter().map(move |&x| {
            let u = (x - mu) / sigma;
            (u, (ln_cell - 0.5 * u * u - s - LN_SQRT_2PI).exp())
        })
    }

    pub(crate) fn forward(&self, params: &[f64], out: &mut [f64]) {
        for (o, (_, q)) in out.iter_mut().zip(self.standardised(params)) {
            *o = q;
        }
    }

    pub(crate) fn backward(&self, params: &[f64], upstream: &[f64], grad: &mut CompensatedVec) {
        let sigma = params[1].exp();
        for (&d, (u, q)) in upstream.iter().zip(self.standardised(params)) {
            // q = 0 (underflow) carries no gradient, whatever d is.
            if q > 0.0 {
                grad.add_at(0, d * q * u / sigma);
                grad.add_at(1, d * q * (u * u - 1.0));
            }
        }
    }

    /// μ at the grid's middle, σ a quarter of its width.
    pub(crate) fn initial(&self) -> Vec<f64> {
        let lo = self.grid.iter().copied().fold(f64::INFINITY, f64::min);
        let hi = self.grid.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        vec![lo + (hi - lo) / 2.0, ((hi - lo) / 4.0).ln()]
    }
}
