//! Newton and IRLS steps for models affine in their parameters (ŷ_i = x̃_iᵀθ,
//! x̃ = (x, 1)), where the core's per-sample derivatives give the curvature:
//!
//! - Newton: θ ← θ − (Σ_i h_i x̃_i x̃_iᵀ + λI)⁻¹ Σ_i g_i x̃_i, with g_i and h_i
//!   the core's ∂L/∂ŷ and ∂²L/∂ŷ² at sample i (for logistic regression
//!   h_i = σ(z_i)(1 − σ(z_i)): the classical Newton–Raphson / IRLS of
//!   McCullagh & Nelder 1989, §4.4).
//! - IRLS for M-estimation (Holland & Welsch 1977): with residuals
//!   r_i = ŷ_i − y_i and weights w_i = g_i / r_i, θ ← argmin Σ_i w_i (x̃_iᵀθ − y_i)²,
//!   i.e. the solution of (Σ w_i x̃_i x̃_iᵀ) θ = Σ w_i y_i x̃_i. For MAE
//!   w = 1/|r| (Schlossmacher 1973); for the pinball loss w = τ/|r| or
//!   (1−τ)/|r| by side. Where |r_i| < floor the weight is taken at
//!   r = floor (g at ŷ = y + floor, divided by floor), which keeps the
//!   weights finite as points come to lie on the fit.

use super::problem::{Point, Problem};
use super::TrainError;

/// One Newton step from `params` (updated in place).
pub(crate) fn newton(
    problem: &Problem,
    point: &Point,
    damping: f64,
    step: usize,
    params: &mut [f64],
) -> Result<(), TrainError> {
    let hessian = point
        .evaluated
        .hessian
        .as_ref()
        .ok_or_else(|| TrainError::Unsupported {
            method: "Newton".into(),
            reason: format!(
                "{} has no second derivative in the core",
                problem.objective().name()
            ),
        })?;
    let mut matrix = gram(problem, hessian);
    for (d, row) in matrix.iter_mut().enumerate() {
        row[d] += damping;
    }
    let delta =
        solve(matrix, point.gradient.clone()).ok_or(TrainError::SingularCurvature { step })?;
    params.iter_mut().zip(&delta).for_each(|(p, d)| *p -= d);
    Ok(())
}

/// One IRLS step from `params` (replaced by the weighted least-squares solution).
pub(crate) fn irls(
    problem: &Problem,
    point: &Point,
    floor: f64,
    step: usize,
    params: &mut [f64],
) -> Result<(), TrainError> {
    let unsupported = |reason: String| TrainError::Unsupported {
        method: "IRLS".into(),
        reason,
    };
    let targets = problem
        .objective()
        .flat_targets()
        .ok_or_else(|| unsupported("IRLS needs one numeric target per sample".into()))?;
    let residuals: Vec<f64> = point
        .outputs
        .iter()
        .zip(targets)
        .map(|(p, y)| p - y)
        .collect();
    // The core's derivative at ŷ = y + floor, for samples (nearly) on the fit.
    let floored: Vec<f64> = residuals
        .iter()
        .zip(targets)
        .zip(&point.outputs)
        .map(|((r, y), p)| if r.abs() < floor { y + floor } else { *p })
        .collect();
    let shifted = if residuals.iter().any(|r| r.abs() < floor) {
        Some(problem.objective().evaluate(&floored, 1)?.gradient)
    } else {
        None
    };
    let mut weights = Vec::with_capacity(residuals.len());
    for (i, &r) in residuals.iter().enumerate() {
        let w = match &shifted {
            Some(g) if r.abs() < floor => g[i] / floor,
            _ => point.evaluated.gradient[i] / r,
        };
        if !(w.is_finite() && w >= 0.0) {
            return Err(unsupported(format!(
                "{} is not minimised at ŷ = y (sample {i}: weight {w})",
                problem.objective().name()
            )));
        }
        weights.push(w);
    }
    let matrix = gram(problem, &weights);
    let mut right = vec![0.0; params.len()];
    for (i, (w, y)) in weights.iter().zip(targets).enumerate() {
        for (r, x) in right.iter_mut().zip(problem.affine_row(i)) {
            *r += w * y * x;
        }
    }
    let solution = solve(matrix, right).ok_or(TrainError::SingularCurvature { step })?;
    params.copy_from_slice(&solution);
    Ok(())
}

/// Σ_i c_i x̃_i x̃_iᵀ.
fn gram(problem: &Problem, curvature: &[f64]) -> Vec<Vec<f64>> {
    let n = problem.parameter_count();
    let mut matrix = vec![vec![0.0; n]; n];
    for (i, &c) in curvature.iter().enumerate() {
        let row = problem.affine_row(i);
        for (line, xa) in matrix.iter_mut().zip(&row) {
            for (entry, xb) in line.iter_mut().zip(&row) {
                *entry += c * xa * xb;
            }
        }
    }
    matrix
}

/// Solve A x = b for symmetric positive definite A by Cholesky (A = LLᵀ);
/// None if A is not positive definite.
fn solve(mut a: Vec<Vec<f64>>, mut b: Vec<f64>) -> Option<Vec<f64>> {
    let n = b.len();
    for j in 0..n {
        let d = a[j][j] - (0..j).map(|k| a[j][k] * a[j][k]).sum::<f64>();
        if !(d > 0.0 && d.is_finite()) {
            return None;
        }
        a[j][j] = d.sqrt();
        for i in j + 1..n {
            let s = a[i][j] - (0..j).map(|k| a[i][k] * a[j][k]).sum::<f64>();
            a[i][j] = s / a[j][j];
        }
    }
    for i in 0..n {
        b[i] = (b[i] - (0..i).map(|k| a[i][k] * b[k]).sum::<f64>()) / a[i][i];
    }
    for i in (0..n).rev() {
        b[i] = (b[i] - (i + 1..n).map(|k| a[k][i] * b[k]).sum::<f64>()) / a[i][i];
    }
    Some(b)
}

#[cfg(test)]
mod tests {
    use super::solve;

    #[test]
    fn cholesky_solves_positive_definite_systems_and_refuses_others() {
        // A = [[4, 2, 0], [2, 5, 1], [0, 1, 3]], x = (1, −1, 2): b = A x.
        let a = vec![
            vec![4.0, 2.0, 0.0],
            vec![2.0, 5.0, 1.0],
            vec![0.0, 1.0, 3.0],
        ];
        let x = solve(a, vec![2.0, -1.0, 5.0]).unwrap();
        for (got, want) in x.iter().zip([1.0, -1.0, 2.0]) {
            assert!((got - want).abs() < 1e-15, "{x:?}");
        }
        assert_eq!(
            solve(vec![vec![1.0, 2.0], vec![2.0, 1.0]], vec![1.0, 1.0]),
            None
        );
        assert_eq!(solve(vec![vec![0.0]], vec![1.0]), None);
    }
}
