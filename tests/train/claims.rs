//! The article's claims about training, as numbers: with the same fixed step,
//! MAE's constant-size gradient keeps it oscillating around the optimum (its
//! loss does not settle until the step decays) while MSE's gradient shrinks
//! with the residual and it converges monotonically; Huber is bounded like
//! MAE far from the optimum and settles like MSE near it.

use losslab::loss::{Data, ParamValue, Reduction};
use losslab::train::{
    Budget, History, Method, ModelSpec, Objective, Problem, Samples, Step, Training,
};

use crate::common::{loss, monotone, normals};

const ETA: f64 = 0.1;
const STEPS: usize = 4000;
const START: f64 = 5.0;

/// 51 values: 47 normal draws and 4 outliers at +12.
fn data() -> Vec<f64> {
    let mut ys = normals(47, 21);
    ys.extend([12.0; 4]);
    ys
}

fn run(name: &str, params: &[(&str, ParamValue)], step: Step) -> History {
    let objective = Objective::loss(
        &loss(name, params),
        Data::Flat(data()),
        None,
        Reduction::Mean,
    );
    let problem = Problem::new(
        ModelSpec::Constant,
        Samples::featureless(data().len()),
        objective,
    )
    .unwrap();
    let training = Training::new(Method::GradientDescent { step }, STEPS).initial(vec![START]);
    problem.train(&training, &Budget::default()).unwrap()
}

fn median_loss() -> f64 {
    let mut ys = data();
    ys.sort_by(f64::total_cmp);
    let m = ys[ys.len() / 2];
    ys.iter().map(|y| (y - m).abs()).sum::<f64>() / ys.len() as f64
}

/// The largest excess loss over the last 200 steps.
fn tail_excess(history: &History, best: f64) -> f64 {
    history.losses[STEPS - 200..]
        .iter()
        .map(|l| l - best)
        .fold(0.0, f64::max)
}

fn increases(history: &History) -> usize {
    history.losses[STEPS - 200..]
        .windows(2)
        .filter(|w| w[1] > w[0])
        .count()
}

#[test]
fn mae_with_a_fixed_step_oscillates_until_the_step_decays() {
    let n = data().len() as f64;
    let best = median_loss();
    let fixed = run("mae", &[], Step::Constant(ETA));
    // Every subgradient is a multiple of 1/n and never 0 off the median:
    // the parameter keeps moving by at least η/n per step.
    assert!(fixed.gradient_norms[STEPS - 200..]
        .iter()
        .all(|g| *g >= 1.0 / n - 1e-15));
    // It jumps back and forth across the median: the loss rises at about every other step...
    assert!(increases(&fixed) >= 80, "{}", increases(&fixed));
    // ...and its excess stays above half a jump, η/(2n²), on one side or the other.
    let level = ETA / (2.0 * n * n);
    assert!(
        tail_excess(&fixed, best) >= level,
        "{} < {level}",
        tail_excess(&fixed, best)
    );
    let decayed = run(
        "mae",
        &[],
        Step::InverseTime {
            initial: ETA,
            decay: 0.01,
        },
    );
    assert!(
        tail_excess(&decayed, best) < level / 10.0,
        "{}",
        tail_excess(&decayed, best)
    );
}

#[test]
fn mse_converges_monotonically_with_shrinking_steps() {
    let mse = run("mse", &[], Step::Constant(ETA));
    assert!(monotone(&mse.losses));
    // ∇ = 2(b − ȳ): each step shrinks it by the same factor 1 − 2η = 0.8.
    for t in 0..40 {
        let ratio = mse.gradient_norms[t + 1] / mse.gradient_norms[t];
        assert!((ratio - 0.8).abs() < 1e-9, "step {t}: {ratio}");
    }
    let mean = data().iter().sum::<f64>() / data().len() as f64;
    assert!((mse.final_parameters[0] - mean).abs() < 1e-13);
    assert_eq!(increases(&mse), 0);
}

#[test]
fn huber_is_bounded_like_mae_and_settles_like_mse() {
    let delta = 1.0;
    let huber = run(
        "huber",
        &[("delta", ParamValue::Number(delta))],
        Step::Constant(ETA),
    );
    let mse = run("mse", &[], Step::Constant(ETA));
    let mae = run("mae", &[], Step::Constant(ETA));
    // Far from the optimum: MSE's gradient grows with the residual, Huber's is capped at δ.
    assert!(
        mse.gradient_norms[0] > 5.0 * delta,
        "{}",
        mse.gradient_norms[0]
    );
    assert!(huber.gradient_norms.iter().all(|g| *g <= delta));
    // Near it: Huber's gradient vanishes (MSE-like), MAE's does not.
    assert!(
        huber.gradient_norms[STEPS] < 1e-13,
        "{}",
        huber.gradient_norms[STEPS]
    );
    assert!(mae.gradient_norms[STEPS] > 0.01);
    assert!(monotone(&huber.losses));
    // Its optimum resists the outliers: far nearer the median than the mean.
    let (h, m2, m1) = (
        huber.final_parameters[0],
        mse.final_parameters[0],
        mae.final_parameters[0],
    );
    assert!((h - m1).abs() < (h - m2).abs() / 10.0, "{m1} {h} {m2}");
}

/// A line y = 2x + 1 with small noise; `outliers` of its 30 points, spread
/// along x (every fifth), lifted by 30.
fn contaminated_line(outliers: usize) -> (Vec<f64>, Vec<f64>) {
    let xs: Vec<f64> = (0..30).map(|i| i as f64 / 10.0).collect();
    let noise = normals(30, 22);
    let ys = xs
        .iter()
        .zip(&noise)
        .enumerate()
        .map(|(i, (x, e))| {
            2.0 * x
                + 1.0
                + 0.1 * e
                + if i % 5 == 2 && i / 5 < outliers {
                    30.0
                } else {
                    0.0
                }
        })
        .collect();
    (xs, ys)
}

/// The fitted (slope, intercept).
fn line(name: &str, params: &[(&str, ParamValue)], method: Method, outliers: usize) -> (f64, f64) {
    let (xs, ys) = contaminated_line(outliers);
    let objective = Objective::loss(&loss(name, params), Data::Flat(ys), None, Reduction::Mean);
    let problem = Problem::new(ModelSpec::Linear, Samples::new(xs, 1).unwrap(), objective).unwrap();
    let fit = problem
        .train(&Training::new(method, 60), &Budget::default())
        .unwrap();
    (fit.final_parameters[0], fit.final_parameters[1])
}

#[test]
fn mse_chases_outliers_while_mae_and_huber_hold_the_line() {
    let newton = Method::Newton { damping: 0.0 };
    // Huber by IRLS: weights min(1, δ/|r|), the classical robust-regression scheme.
    let irls = Method::Irls { floor: 1e-12 };
    let delta = [("delta", ParamValue::Number(1.0))];
    let near = |(a, b): (f64, f64), tol: f64| (a - 2.0).abs() < tol && (b - 1.0).abs() < tol;
    // Clean data: all three find y = 2x + 1 (up to the noise).
    for fit in [
        line("mse", &[], newton, 0),
        line("mae", &[], irls, 0),
        line("huber", &delta, irls, 0),
    ] {
        assert!(near(fit, 0.1), "{fit:?}");
    }
    // 20 % outliers at +30: least squares moves up by about 6 (a fifth of
    // 30); MAE barely moves; Huber, whose outliers each pull with a bounded
    // force δ, moves by about 6δ/24 (six bounded pulls against 24 inliers).
    let (_, mse_intercept) = line("mse", &[], newton, 6);
    assert!(mse_intercept - 1.0 > 5.0, "{mse_intercept}");
    let mae = line("mae", &[], irls, 6);
    assert!(near(mae, 0.1), "{mae:?}");
    let huber = line("huber", &delta, irls, 6);
    assert!(near(huber, 0.4) && huber.1 > mae.1, "{huber:?} vs {mae:?}");
}
