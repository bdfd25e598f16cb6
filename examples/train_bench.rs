//! Benchmark of the trainer at the sizes the shipped scenarios of issue 12
//! will use, and a little beyond: least squares by gradient descent, an MLP
//! on two moons by Adam, MAE by IRLS, and the reverse-KL normal fit.
//!
//! ```text
//! cargo build --release --example train_bench
//! /usr/bin/time -v target/release/examples/train_bench [THREADS]
//! ```
//!
//! Prints the wall time, final loss and a check of each training; run it
//! under `/usr/bin/time -v` for CPU time and peak memory.

use std::time::Instant;

use losslab::loss::{Data, Loss, ParamValue, Params, Reduction};
use losslab::train::toy::two_moons;
use losslab::train::{
    Activation, Budget, Method, ModelSpec, Objective, Problem, Samples, Step, Training,
};

fn loss(name: &str, params: &[(&str, ParamValue)]) -> Result<Loss, Box<dyn std::error::Error>> {
    let params: Params = params
        .iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect();
    Ok(Loss::new(name, &params)?)
}

fn timed<T>(
    what: &str,
    work: impl FnOnce() -> Result<T, Box<dyn std::error::Error>>,
) -> Result<T, Box<dyn std::error::Error>> {
    let start = Instant::now();
    let out = work()?;
    println!("{what}: {:.3} s", start.elapsed().as_secs_f64());
    Ok(out)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let threads = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(0);
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build_global()?;
    let budget = Budget::default();

    // Least squares: 10,000 samples × 5 features, 1,000 steps.
    let (n, dim) = (10_000, 5);
    let xs: Vec<f64> = (0..n * dim)
        .map(|i| ((i * 7919) % 1000) as f64 / 500.0 - 1.0)
        .collect();
    let ys: Vec<f64> = xs
        .chunks(dim)
        .map(|x| x.iter().sum::<f64>() + 0.5)
        .collect();
    let mse = Objective::loss(
        &loss("mse", &[])?,
        Data::Flat(ys.clone()),
        None,
        Reduction::Mean,
    );
    let linear = Problem::new(ModelSpec::Linear, Samples::new(xs.clone(), dim)?, mse)?;
    let fit = timed("least squares, 10,000 × 5, 1,000 GD steps", || {
        Ok(linear.train(
            &Training::new(
                Method::GradientDescent {
                    step: Step::Constant(0.5),
                },
                1000,
            ),
            &budget,
        )?)
    })?;
    println!("  final loss {:e}", fit.losses[1000]);

    // MAE by IRLS on the same data, 50 steps.
    let mae = Objective::loss(&loss("mae", &[])?, Data::Flat(ys), None, Reduction::Mean);
    let robust = Problem::new(ModelSpec::Linear, Samples::new(xs, dim)?, mae)?;
    let fit = timed("MAE by IRLS, 10,000 × 5, 50 steps", || {
        Ok(robust.train(&Training::new(Method::Irls { floor: 1e-12 }, 50), &budget)?)
    })?;
    println!("  final loss {:e}", fit.losses[50]);

    // MLP [16, 16] tanh on 1,000 moons, 1,000 Adam steps.
    let moons = two_moons(1000, 0.15, 1)?;
    let bce = loss("bce", &[("from_logits", ParamValue::Bool(true))])?;
    let objective = Objective::loss(&bce, Data::Flat(moons.labels), None, Reduction::Mean);
    let spec = ModelSpec::Mlp {
        hidden: vec![16, 16],
        activation: Activation::Tanh,
        outputs: 1,
    };
    let mlp = Problem::new(spec, Samples::new(moons.inputs, 2)?, objective)?;
    let fit = timed("MLP 2-16-16-1 on 1,000 moons, 1,000 Adam steps", || {
        // 3.4·10⁸ units: above the default budget, on purpose, to measure it.
        let training = Training::new(Method::adam(Step::Constant(0.01)), 1000).path_stride(50);
        Ok(mlp.train(&training, &Budget::new(1_000_000_000))?)
    })?;
    println!("  loss {:.4} → {:.4}", fit.losses[0], fit.losses[1000]);

    // Reverse KL: a normal onto one mode of a mixture, 601 cells, 2,000 steps.
    let cell = 0.05;
    let grid: Vec<f64> = (0..601).map(|i| -15.0 + cell * i as f64).collect();
    let phi = |x: f64| (-0.5 * x * x).exp() / std::f64::consts::TAU.sqrt();
    let masses = grid
        .iter()
        .map(|&x| cell * 0.5 * (phi(x - 3.0) + phi(x + 3.0)))
        .collect();
    let normal = Problem::new(
        ModelSpec::Normal { grid, cell },
        Samples::featureless(1),
        Objective::kl(masses, true)?,
    )?;
    let fit = timed("reverse KL, 601 cells, 2,000 GD steps", || {
        let training = Training::new(
            Method::GradientDescent {
                step: Step::Constant(0.3),
            },
            2000,
        )
        .initial(vec![2.0, 0.0]);
        Ok(normal.train(&training, &budget)?)
    })?;
    println!(
        "  mu {:.4}, sigma {:.4}",
        fit.final_parameters[0],
        fit.final_parameters[1].exp()
    );
    Ok(())
}
