//! One normal fitted to a two-component normal mixture: forward KL(p‖q)
//! matches the mixture's mean and variance (closed form), reverse KL(q‖p)
//! locks onto one component.

use losslab::train::{Budget, Method, ModelSpec, Objective, Problem, Samples, Step, Training};

/// A mixture of normals: (weight, mean, std) per component.
struct Mixture(Vec<(f64, f64, f64)>);

impl Mixture {
    fn density(&self, x: f64) -> f64 {
        self.0
            .iter()
            .map(|&(w, m, s)| {
                w * (-0.5 * ((x - m) / s).powi(2)).exp() / (s * (std::f64::consts::TAU).sqrt())
            })
            .sum()
    }

    /// E[X] = Σ w_k μ_k.
    fn mean(&self) -> f64 {
        self.0.iter().map(|&(w, m, _)| w * m).sum()
    }

    /// Var X = Σ w_k (σ_k² + μ_k²) − E[X]².
    fn variance(&self) -> f64 {
        self.0
            .iter()
            .map(|&(w, m, s)| w * (s * s + m * m))
            .sum::<f64>()
            - self.mean().powi(2)
    }

    /// A grid 12 component standard deviations beyond every component, cell masses.
    fn grid(&self, cell: f64) -> (Vec<f64>, Vec<f64>) {
        let lo = self
            .0
            .iter()
            .map(|&(_, m, s)| m - 12.0 * s)
            .fold(f64::INFINITY, f64::min);
        let hi = self
            .0
            .iter()
            .map(|&(_, m, s)| m + 12.0 * s)
            .fold(f64::NEG_INFINITY, f64::max);
        let n = ((hi - lo) / cell).ceil() as usize + 1;
        let xs: Vec<f64> = (0..n).map(|i| lo + i as f64 * cell).collect();
        let masses = xs.iter().map(|&x| self.density(x) * cell).collect();
        (xs, masses)
    }
}

/// The fitted (μ, ln σ) and the final divergence.
fn fit(mixture: &Mixture, reverse: bool, training: &Training) -> (Vec<f64>, f64) {
    let cell = 0.05;
    let (grid, masses) = mixture.grid(cell);
    let objective = Objective::kl(masses, reverse).unwrap();
    let model = ModelSpec::Normal { grid, cell };
    let problem = Problem::new(model, Samples::featureless(1), objective).unwrap();
    let history = problem.train(training, &Budget::default()).unwrap();
    (history.final_parameters, history.losses[training.steps])
}

#[test]
fn forward_kl_fit_matches_the_mixture_mean_and_variance_to_1e_12() {
    let mixture = Mixture(vec![(0.3, -2.0, 0.8), (0.7, 1.5, 1.2)]);
    let training = Training::new(
        Method::GradientDescent {
            step: Step::Constant(0.4),
        },
        3000,
    )
    .initial(vec![0.0, 0.0]);
    let (theta, _) = fit(&mixture, false, &training);
    let (mean, variance) = (theta[0], (2.0 * theta[1]).exp());
    assert!(
        (mean - mixture.mean()).abs() < 1e-12,
        "{mean} vs {}",
        mixture.mean()
    );
    assert!(
        (variance - mixture.variance()).abs() < 1e-12 * mixture.variance(),
        "{variance} vs {}",
        mixture.variance()
    );
}

#[test]
fn reverse_kl_fit_locks_onto_one_mode_while_forward_spreads_over_both() {
    let mixture = Mixture(vec![(0.5, -3.0, 1.0), (0.5, 3.0, 1.0)]);
    let descent = Training::new(
        Method::GradientDescent {
            step: Step::Constant(0.3),
        },
        2000,
    );
    let (right, kl) = fit(&mixture, true, &descent.clone().initial(vec![2.0, 0.0]));
    // Mode-seeking: onto the right component (mean 3, std 1; the left one's
    // tail pulls it a little), far from the mixture's mean 0; q covers half
    // of p's mass, so KL(q‖p) ≈ ln 2.
    assert!(
        (right[0] - 3.0).abs() < 0.05 && right[1].abs() < 0.05,
        "{right:?}"
    );
    assert!((kl - std::f64::consts::LN_2).abs() < 0.01, "{kl}");
    // Started on the other side, it finds the other mode (by symmetry, exactly mirrored).
    let (left, _) = fit(&mixture, true, &descent.clone().initial(vec![-2.0, 0.0]));
    assert!((left[0] + right[0]).abs() < 1e-9, "{left:?}");
    // Mean-seeking: the forward fit sits between the modes with variance 1 + 9.
    let (forward, _) = fit(&mixture, false, &descent.initial(vec![1.0, 0.0]));
    assert!(forward[0].abs() < 1e-12, "{forward:?}");
    assert!(
        ((2.0 * forward[1]).exp() - 10.0).abs() < 1e-11,
        "{forward:?}"
    );
}
