//! Same seed, same bytes, whatever the thread count; another seed, another start.

use losslab::loss::{Data, Reduction};
use losslab::train::{
    Activation, Budget, Method, ModelSpec, Objective, Problem, Samples, Step, Training,
};

use crate::common::{features, logits};

/// An MLP on 700 samples (several parallel chunks), trained by Adam; the history as JSON.
fn train_json(seed: u64, threads: usize) -> String {
    let xs = features(700, 2, 31);
    let ys: Vec<f64> = xs
        .chunks(2)
        .map(|x| f64::from(u8::from(x[0] * x[0] + x[1] < 1.0)))
        .collect();
    let objective = Objective::loss(&logits("bce"), Data::Flat(ys), None, Reduction::Mean);
    let spec = ModelSpec::Mlp {
        hidden: vec![6, 4],
        activation: Activation::Relu,
        outputs: 1,
    };
    let problem = Problem::new(spec, Samples::new(xs, 2).unwrap(), objective).unwrap();
    let training = Training::new(Method::adam(Step::Constant(0.02)), 30)
        .seed(seed)
        .path_stride(10);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap();
    let history = pool
        .install(|| problem.train(&training, &Budget::default()))
        .unwrap();
    assert!(
        history.losses[30] < history.losses[0],
        "Adam lowers the loss"
    );
    assert_eq!(
        history.path.iter().map(|p| p.step).collect::<Vec<_>>(),
        [0, 10, 20, 30]
    );
    let json = serde_json::to_string(&history).unwrap();
    // A plain result type: it comes back from its JSON unchanged.
    let back: losslab::train::History = serde_json::from_str(&json).unwrap();
    assert_eq!(back, history);
    json
}

#[test]
fn training_is_byte_reproducible_whatever_the_thread_count() {
    let one = train_json(5, 1);
    assert_eq!(one, train_json(5, 2));
    assert_eq!(one, train_json(5, 1));
    assert_ne!(one, train_json(6, 2));
}
