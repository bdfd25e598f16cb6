//! The comparison statistics on synthetic data whose truth is known: interval
//! coverage, shrinking with n, p-values of identical and clearly different
//! models, determinism across thread counts, and means equal to the core's.

use losslab::loss::{Data, Loss, ParamValue, Params, Reduction};
use std::cell::RefCell;

use losslab::stats::{
    compare, compare_with_progress, ComparisonSettings, ComparisonStats, LossLabel, PairedLosses,
    Progress, Stage,
};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;

/// True mean of the baseline's loss and true mean difference (model − baseline).
const BASELINE_MEAN: f64 = 1.0;
const TRUE_DIFFERENCE: f64 = 0.3;

/// A standard normal variate by Box–Muller (independent of the code under test).
fn normal(rng: &mut ChaCha8Rng) -> f64 {
    let (u, v): (f64, f64) = (rng.random(), rng.random());
    (-2.0 * (1.0 - u).ln()).sqrt() * (std::f64::consts::TAU * v).cos()
}

/// Per-sample losses of a baseline (exponential, mean 1: skewed, as losses
/// are) and a model worse by `difference` on average, with noisy pairing.
fn synthetic(n: usize, difference: f64, seed: u64) -> PairedLosses {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let baseline: Vec<f64> = (0..n)
        .map(|_| -(1.0 - rng.random::<f64>()).ln() * BASELINE_MEAN)
        .collect();
    let model: Vec<f64> = baseline
        .iter()
        .map(|&x| x + difference + 0.5 * normal(&mut rng))
        .collect();
    PairedLosses::new(
        vec!["baseline".into(), "model".into()],
        vec![LossLabel::new("synthetic")],
        vec![vec![baseline, model]],
    )
    .unwrap()
}

fn settings(resamples: usize, seed: u64) -> ComparisonSettings {
    ComparisonSettings {
        resamples,
        seed,
        ..ComparisonSettings::default()
    }
}

#[test]
fn intervals_cover_the_truth_at_the_nominal_rate() {
    // 200 datasets of 200 rows, 400 resamples: the 95 % intervals of the
    // difference and of the baseline's mean must cover the true values in
    // at least 90 % of them (binomial sd of the coverage ≈ 1.5 %).
    let covered: Vec<(bool, bool)> = (0..200u64)
        .into_par_iter()
        .map(|k| {
            let stats = compare(&synthetic(200, TRUE_DIFFERENCE, k), &settings(400, k)).unwrap();
            let d = &stats.differences[0];
            let m = &stats.results[0];
            (
                d.ci_low <= TRUE_DIFFERENCE && TRUE_DIFFERENCE <= d.ci_high,
                m.ci_low <= BASELINE_MEAN && BASELINE_MEAN <= m.ci_high,
            )
        })
        .collect();
    let difference = covered.iter().filter(|c| c.0).count();
    let mean = covered.iter().filter(|c| c.1).count();
    assert!(
        difference >= 180,
        "difference covered in {difference} of 200"
    );
    assert!(mean >= 180, "mean covered in {mean} of 200");
    // and not trivially: intervals that cover everything would be useless.
    assert!(
        difference < 200 || mean < 200,
        "coverage of 100 % twice: suspicious"
    );
}

#[test]
fn intervals_shrink_as_n_grows() {
    let width = |n: usize| {
        let stats = compare(&synthetic(n, TRUE_DIFFERENCE, 11), &settings(500, 3)).unwrap();
        let d = &stats.differences[0];
        let m = &stats.results[1];
        (d.ci_high - d.ci_low, m.ci_high - m.ci_low)
    };
    let (w100, w1k, w10k) = (width(100), width(1000), width(10_000));
    // The width goes as 1/√n: a factor √10 ≈ 3.2 per step, asked here as > 2.
    for (small, large) in [(w100, w1k), (w1k, w10k)] {
        assert!(
            large.0 * 2.0 < small.0,
            "difference: {large:?} vs {small:?}"
        );
        assert!(large.1 * 2.0 < small.1, "mean: {large:?} vs {small:?}");
    }
}

#[test]
fn identical_models_have_p_one_and_a_zero_interval() {
    let mut rng = ChaCha8Rng::seed_from_u64(5);
    let losses: Vec<f64> = (0..3000).map(|_| rng.random::<f64>() * 4.0).collect();
    let paired = PairedLosses::new(
        vec!["a".into(), "b".into()],
        vec![LossLabel::new("mse")],
        vec![vec![losses.clone(), losses]],
    )
    .unwrap();
    let stats = compare(&paired, &settings(999, 1)).unwrap();
    let d = &stats.differences[0];
    assert_eq!(d.p_value, Some(1.0));
    assert_eq!((d.value, d.ci_low, d.ci_high), (0.0, 0.0, 0.0));
    assert_eq!(stats.results[0].value, stats.results[1].value);
}

#[test]
fn a_clearly_better_model_has_a_small_p_value() {
    // Better by 0.2 per sample, noise sd ≈ 1.1, n = 1000: z ≈ 6.
    let stats = compare(&synthetic(1000, -0.2, 21), &settings(999, 2)).unwrap();
    let d = &stats.differences[0];
    assert!(d.p_value.unwrap() < 0.01, "{d:?}");
    assert!(d.ci_high < 0.0 && d.value < 0.0, "{d:?}");
    assert_eq!(stats.ranks[0].order, vec!["model", "baseline"]);
    // No difference at all in expectation: p is not small.
    let null = compare(&synthetic(1000, 0.0, 22), &settings(999, 2)).unwrap();
    assert!(null.differences[0].p_value.unwrap() > 0.01);
}

/// Three models under two losses on 10,000 rows (five blocks of rows).
fn three_models() -> PairedLosses {
    let mut rng = ChaCha8Rng::seed_from_u64(99);
    let mut column = |scale: f64| -> Vec<f64> {
        (0..10_000)
            .map(|_| scale * rng.random::<f64>().powi(3))
            .collect()
    };
    let mae = vec![column(1.0), column(1.1), column(0.9)];
    let mse = vec![column(2.0), column(1.5), column(2.5)];
    PairedLosses::new(
        vec!["a".into(), "b".into(), "c".into()],
        vec![LossLabel::new("mae"), LossLabel::new("mse")],
        vec![mae, mse],
    )
    .unwrap()
}

fn in_pool(threads: usize, paired: &PairedLosses, settings: &ComparisonSettings) -> String {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap();
    let stats: ComparisonStats = pool.install(|| compare(paired, settings)).unwrap();
    // serde_json writes the shortest text that reads back to the same bits.
    serde_json::to_string(&stats).unwrap()
}

#[test]
fn same_bits_whatever_the_thread_count() {
    let paired = three_models();
    let s = settings(300, 17);
    let one = in_pool(1, &paired, &s);
    assert_eq!(one, in_pool(2, &paired, &s));
    assert_eq!(one, in_pool(3, &paired, &s));
    // Another seed changes the intervals (so the seed is really used).
    assert_ne!(one, in_pool(2, &paired, &settings(300, 18)));
}

#[test]
fn progress_reaches_the_end_of_both_stages() {
    let paired = three_models();
    let reports = RefCell::new(Vec::<Progress>::new());
    let s = settings(300, 17);
    let stats = compare_with_progress(&paired, &s, &|p| reports.borrow_mut().push(p)).unwrap();
    assert_eq!(stats, compare(&paired, &s).unwrap());
    let reports = reports.into_inner();
    for stage in [Stage::Bootstrap, Stage::Permutation] {
        let done: Vec<(usize, usize)> = reports
            .iter()
            .filter(|p| p.stage == stage)
            .map(|p| (p.done, p.total))
            .collect();
        let &(last, total) = done.last().unwrap();
        assert_eq!(last, total, "{stage:?}");
        assert!(done.windows(2).all(|w| w[0].0 < w[1].0), "{done:?}");
    }
    assert_eq!(reports[0].stage, Stage::Bootstrap);
}

#[test]
fn json_has_the_shape_of_compare_json() {
    let stats = compare(&three_models(), &settings(100, 1)).unwrap();
    let json = serde_json::to_value(&stats).unwrap();
    let sorted_keys = |v: &serde_json::Value| {
        let mut keys: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
        keys.sort();
        keys
    };
    let keys = sorted_keys(&json);
    let expected = [
        "baseline",
        "bootstrap",
        "confidence",
        "differences",
        "models",
        "n",
        "ranks",
        "results",
        "seed",
    ];
    assert_eq!(keys, expected);
    let keys = sorted_keys(&json["results"][0]);
    assert_eq!(
        keys,
        ["ci_high", "ci_low", "loss", "model", "params", "value"]
    );
    let difference = json["differences"][3].as_object().unwrap();
    assert_eq!(difference["model"], "c");
    assert_eq!(difference["baseline"], "a");
    assert_eq!(difference["loss"], "mse");
    assert!(difference["p_value"].as_f64().is_some());
    assert_eq!(
        json["ranks"][1]["order"],
        serde_json::json!(["b", "a", "c"])
    );
}

#[test]
fn means_equal_the_cores_to_the_last_bit() {
    // 10,001 rows: three chunks of the core's parallel pass, the last one short.
    let mut rng = ChaCha8Rng::seed_from_u64(4);
    let target: Vec<f64> = (0..10_001).map(|_| rng.random::<f64>() * 10.0).collect();
    let predictions: Vec<Vec<f64>> = (0..2)
        .map(|_| target.iter().map(|&y| y + 3.0 * normal(&mut rng)).collect())
        .collect();
    let huber = Params::from([("delta".to_string(), ParamValue::Number(0.7))]);
    let losses = [
        ("mse", Params::new()),
        ("log_cosh", Params::new()),
        ("huber", huber),
    ];
    let mut evaluated = Vec::new();
    let mut per_sample = Vec::new();
    for (name, params) in &losses {
        let loss = Loss::new(name, params).unwrap();
        let mut by_model = Vec::new();
        for prediction in &predictions {
            let (y, yhat) = (Data::Flat(target.clone()), Data::Flat(prediction.clone()));
            let e = loss.evaluate(&y, &yhat, None, Reduction::Mean).unwrap();
            evaluated.push(e.value);
            by_model.push(e.per_sample);
        }
        per_sample.push(by_model);
    }
    let labels = losses
        .iter()
        .map(|(name, params)| LossLabel::with_params(name, params.clone()))
        .collect();
    let paired = PairedLosses::new(vec!["p".into(), "q".into()], labels, per_sample).unwrap();
    let stats = compare(&paired, &settings(50, 0)).unwrap();
    let means: Vec<u64> = stats.results.iter().map(|r| r.value.to_bits()).collect();
    let core: Vec<u64> = evaluated.iter().map(|v| v.to_bits()).collect();
    assert_eq!(means, core);
    assert_eq!(
        stats.results[5].loss.params["delta"],
        ParamValue::Number(0.7)
    );
}

#[test]
fn row_loss_means_equal_the_cores() {
    // Categorical cross-entropy sums rows in its own chunks; the comparison's
    // mean (the core's `accurate_sum` / n) must still give the same bits.
    let mut rng = ChaCha8Rng::seed_from_u64(8);
    let n = 9_000;
    let target = Data::Rows(
        (0..n)
            .map(|i| {
                let mut row = vec![0.0; 3];
                row[i % 3] = 1.0;
                row
            })
            .collect(),
    );
    let cce = Loss::new("cce", &Params::new()).unwrap();
    let mut evaluated = Vec::new();
    let per_sample: Vec<Vec<f64>> = (0..2)
        .map(|_| {
            let rows = (0..n)
                .map(|_| {
                    let a: f64 = rng.random();
                    let b: f64 = rng.random::<f64>() * (1.0 - a);
                    vec![a, b, 1.0 - a - b]
                })
                .collect();
            let e = cce
                .evaluate(&target, &Data::Rows(rows), None, Reduction::Mean)
                .unwrap();
            evaluated.push(e.value.to_bits());
            e.per_sample
        })
        .collect();
    let labels = vec![LossLabel::new("cce")];
    let paired = PairedLosses::new(vec!["p".into(), "q".into()], labels, vec![per_sample]).unwrap();
    let stats = compare(&paired, &settings(20, 0)).unwrap();
    let means: Vec<u64> = stats.results.iter().map(|r| r.value.to_bits()).collect();
    assert_eq!(means, evaluated);
}

#[test]
fn settings_outside_the_budget_are_refused_before_work() {
    let paired = three_models();
    let refuse = |s: ComparisonSettings| compare(&paired, &s).unwrap_err().to_string();
    let zero = settings(0, 0);
    assert!(refuse(zero).starts_with("0 resamples over 10000 rows is outside the budget"));
    let huge = settings(10_000_000, 0);
    assert!(refuse(huge).contains("outside the budget"));
    let confidence = ComparisonSettings {
        confidence: 1.0,
        ..settings(10, 0)
    };
    assert_eq!(
        refuse(confidence),
        "confidence must be strictly between 0 and 1, got 1"
    );
    let baseline = ComparisonSettings {
        baseline: 3,
        ..settings(10, 0)
    };
    assert_eq!(
        refuse(baseline),
        "baseline index 3 is not one of the 3 models"
    );
}
