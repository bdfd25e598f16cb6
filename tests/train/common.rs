//! Shared helpers: seeded data and small reference solvers written
//! independently of the trainer.

use losslab::loss::{Loss, ParamValue, Params};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

pub fn loss(name: &str, params: &[(&str, ParamValue)]) -> Loss {
    let params: Params = params
        .iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect();
    Loss::new(name, &params).unwrap()
}

pub fn logits(name: &str) -> Loss {
    loss(name, &[("from_logits", ParamValue::Bool(true))])
}

/// `n` × `dim` features uniform in [−2, 2), seeded.
pub fn features(n: usize, dim: usize, seed: u64) -> Vec<f64> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    (0..n * dim).map(|_| rng.random_range(-2.0..2.0)).collect()
}

/// Standard normal draws by Box–Muller, seeded.
pub fn normals(n: usize, seed: u64) -> Vec<f64> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    (0..n)
        .map(|_| {
            let u1: f64 = 1.0 - rng.random::<f64>();
            let u2: f64 = rng.random();
            (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
        })
        .collect()
}

/// Solve A x = b by Gaussian elimination with partial pivoting.
pub fn gauss_solve(mut a: Vec<Vec<f64>>, mut b: Vec<f64>) -> Vec<f64> {
    let n = b.len();
    for col in 0..n {
        let pivot = (col..n)
            .max_by(|&i, &j| a[i][col].abs().total_cmp(&a[j][col].abs()))
            .unwrap();
        a.swap(col, pivot);
        b.swap(col, pivot);
        for row in col + 1..n {
            let f = a[row][col] / a[col][col];
            let pivot_row = a[col].clone();
            for (x, p) in a[row].iter_mut().zip(&pivot_row).skip(col) {
                *x -= f * p;
            }
            b[row] -= f * b[col];
        }
    }
    let mut x = vec![0.0; n];
    for i in (0..n).rev() {
        let s: f64 = (i + 1..n).map(|k| a[i][k] * x[k]).sum();
        x[i] = (b[i] - s) / a[i][i];
    }
    x
}

/// Rows (x, 1) of a design matrix.
pub fn design(xs: &[f64], dim: usize) -> Vec<Vec<f64>> {
    xs.chunks(dim)
        .map(|r| r.iter().copied().chain([1.0]).collect())
        .collect()
}

pub fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol * b.abs().max(1.0)
}

/// Non-increasing up to rounding (a few ulps of the previous value).
pub fn monotone(losses: &[f64]) -> bool {
    losses
        .windows(2)
        .all(|w| w[1] <= w[0] + 4.0 * f64::EPSILON * w[0].abs())
}
