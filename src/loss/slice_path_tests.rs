//! Every compiled path of the slice kernels (portable, AVX2, AVX-512: those
//! the processor has) gives the same bits: every elementwise loss of the
//! catalogue and the forms that pick other loops, every mode (values,
//! gradient, Hessian, per-sample values, weights), over random pairs and
//! edge values (zeros of both signs, subnormals, huge values, the ends of
//! the domain), and the same errors for infinities and NaN.

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::slices::{Isa, FORCED, STREAM_STORES_FROM};
use super::{catalogue, Input, Loss, Output, ParamValue, Params, Reduction, Shape, CHUNK};
use crate::huge_buffer::HugeBuffer;

/// Fewer pairs than a chunk (a single chunk runs on the calling thread, so
/// the forced path is the one taken), not a multiple of the lanes or blocks.
const N: usize = CHUNK - 5;

/// Values where arithmetic is delicate.
const EDGES: [f64; 16] = [
    0.0,
    -0.0,
    5e-324,
    -5e-324,
    2.2e-308,
    1e-300,
    -1e-300,
    1e-17,
    1.0,
    -1.0,
    0.5,
    1.0 - 1e-16,
    1e150,
    -1e150,
    1.7e308,
    -1.7e308,
];

fn losses() -> Vec<Loss> {
    let mut losses: Vec<Loss> = catalogue()
        .into_iter()
        .filter(|info| info.shape == Shape::Elementwise)
        .map(|info| Loss::new(info.name, &Params::new()).expect("a catalogue loss"))
        .collect();
    let forms: [(&str, &[(&str, ParamValue)]); 5] = [
        (
            "binary_cross_entropy",
            &[("from_logits", ParamValue::Bool(true))],
        ),
        (
            "binary_cross_entropy",
            &[("label_smoothing", ParamValue::Number(0.1))],
        ),
        (
            "binary_cross_entropy",
            &[
                ("from_logits", ParamValue::Bool(true)),
                ("label_smoothing", ParamValue::Number(0.2)),
            ],
        ),
        (
            "binary_cross_entropy",
            &[("epsilon", ParamValue::Number(1e-7))],
        ),
        ("huber", &[("delta", ParamValue::Number(0.25))]),
    ];
    for (name, params) in forms {
        let params: Params = params
            .iter()
            .map(|(k, v)| ((*k).to_string(), v.clone()))
            .collect();
        losses.push(Loss::new(name, &params).expect("a valid form"));
    }
    losses
}

/// A random double: mostly moderate, sometimes an edge value, sometimes of
/// any magnitude.
fn draw(rng: &mut ChaCha8Rng) -> f64 {
    match rng.random_range(0..10) {
        0 => EDGES[rng.random_range(0..EDGES.len())],
        1 => rng.random_range(-1.0..1.0) * 2f64.powi(rng.random_range(-1074..1000)),
        2 => rng.random_range(0.0..1.0),
        3 => [1.0, -1.0, 0.0][rng.random_range(0..3)],
        _ => rng.random_range(-1.0..1.0) * 8.0,
    }
}

/// `N` pairs inside the loss's domain, drawn by [`draw`].
fn pairs(loss: &Loss, rng: &mut ChaCha8Rng) -> (Vec<f64>, Vec<f64>) {
    let (mut target, mut prediction) = (Vec::with_capacity(N), Vec::with_capacity(N));
    for _ in 0..N * 10_000 {
        if target.len() == N {
            break;
        }
        let (y, yhat) = (draw(rng), draw(rng));
        if loss.point(y, yhat).is_ok() {
            target.push(y);
            prediction.push(yhat);
        }
    }
    (target, prediction)
}

/// The bits of a result, every NaN counted as one (a vector unit may pass
/// on either operand's NaN payload).
fn bits(v: &[f64]) -> Vec<u64> {
    v.iter()
        .map(|x| if x.is_nan() { u64::MAX } else { x.to_bits() })
        .collect()
}

/// Everything the slice API computes for the pairs, on the current path:
/// the value, per-sample values, gradient and Hessian of each mode, and
/// the weighted sum's; an error as its message.
fn everything(loss: &Loss, t: &[f64], p: &[f64], w: &[f64]) -> Vec<Result<Vec<u64>, String>> {
    let n = t.len();
    let mut results = Vec::new();
    let mut run = |input: Input<'_>, reduction, ps: bool, g: bool, h: bool| {
        let (mut per_sample, mut gradient, mut hessian) =
            (vec![0.0; n], vec![0.0; n], vec![0.0; n]);
        let out = Output {
            per_sample: ps.then_some(&mut per_sample[..]),
            gradient: g.then_some(&mut gradient[..]),
            hessian: h.then_some(&mut hessian[..]),
        };
        let result = loss.reduce(input, reduction, out).map(|r| {
            let mut all = bits(&[r.value, r.denominator]);
            all.extend(bits(&per_sample));
            all.extend(bits(&gradient));
            all.extend(bits(&hessian));
            all
        });
        results.push(result.map_err(|e| e.to_string()));
    };
    let plain = Input::new(t, p);
    let weighted = plain.weights(w);
    for (ps, g, h) in [
        (false, false, false),
        (true, false, false),
        (false, true, false),
        (false, true, true),
        (true, true, true),
    ] {
        run(plain, Reduction::Mean, ps, g, h);
        run(weighted, Reduction::WeightedMean, ps, g, h);
    }
    run(weighted, Reduction::Sum, true, false, false);
    results
}

/// `f` on each path the processor has, the portable one first.
pub(super) fn on_each_path<T>(mut f: impl FnMut() -> T) -> Vec<(Isa, T)> {
    Isa::available()
        .into_iter()
        .map(|isa| {
            FORCED.with(|forced| forced.set(Some(isa)));
            let result = f();
            FORCED.with(|forced| forced.set(None));
            (isa, result)
        })
        .collect()
}

#[test]
fn every_path_gives_the_same_bits() {
    let mut rng = ChaCha8Rng::seed_from_u64(13);
    for loss in losses() {
        let name = format!("{} {:?}", loss.name(), loss.params());
        let (t, p) = pairs(&loss, &mut rng);
        assert!(t.len() > N / 2, "{name}: too few pairs in the domain");
        let w: Vec<f64> = (0..t.len())
            .map(|i| [0.0, 1.0, 0.5, 3.0, 1e-300][i % 5])
            .collect();
        let mut results = on_each_path(|| everything(&loss, &t, &p, &w)).into_iter();
        let (_, portable) = results.next().expect("the portable path");
        assert!(portable.iter().all(Result::is_ok), "{name}: {portable:?}");
        for (isa, other) in results {
            assert!(
                other == portable,
                "{name}: {isa:?} differs from the portable path"
            );
        }
        // Outside the domain: the same first error on every path.
        for bad in [f64::INFINITY, f64::NEG_INFINITY, f64::NAN] {
            let mut q = p.clone();
            q[t.len() / 2] = bad;
            let mut results = on_each_path(|| everything(&loss, &t, &q, &w)).into_iter();
            let (_, portable) = results.next().expect("the portable path");
            assert!(portable.iter().all(Result::is_err), "{name} {bad}");
            for (isa, other) in results {
                assert!(other == portable, "{name} {bad}: {isa:?} differs");
            }
        }
    }
}

/// The block forms (log-cosh, binary cross-entropy from probabilities and
/// from logits, with and without label smoothing: `blocks.rs`) give, on
/// every path, the per-pair kernel's value, gradient and Hessian bit for
/// bit, over random and edge pairs (NaN counted as one).
#[test]
fn block_forms_are_the_point_kernels_on_every_path() {
    let mut rng = ChaCha8Rng::seed_from_u64(29);
    let blocks = losses()
        .into_iter()
        .filter(|l| matches!(l.name(), "log_cosh" | "binary_cross_entropy"));
    for loss in blocks {
        let (name, params) = (loss.name(), loss.params());
        let (t, p) = pairs(&loss, &mut rng);
        let points: Vec<_> = t
            .iter()
            .zip(&p)
            .map(|(&y, &yhat)| loss.point(y, yhat).expect("in the domain"))
            .collect();
        let value = |f: fn(&super::Point) -> f64| bits(&points.iter().map(f).collect::<Vec<_>>());
        let expected = [
            value(|p| p.value),
            value(|p| p.gradient),
            value(|p| p.hessian),
        ];
        for (isa, got) in on_each_path(|| {
            let (alone, with) = per_sample_bits(&loss, &t, &p);
            assert_eq!(alone, with[0], "{name} {params:?}: values alone");
            with
        }) {
            assert!(
                got == expected,
                "{name} {params:?}: {isa:?} differs from `point`"
            );
        }
    }
}

/// Binary cross-entropy of probabilities with labels 0 and 1: blocks whose
/// labels are all 0 or 1 take one logarithm per pair
/// (`vmath::ln_prob_or_1m`), the others two; either way every value,
/// gradient and Hessian is the per-pair kernel's, bit for bit, on every
/// path (probabilities uniform, at 0 and 1, tiny, subnormal and next to
/// 1). Two blocks of the slice hold a label 0.5 and take two logarithms.
#[test]
fn one_logarithm_per_pair_for_labels_0_and_1_on_every_path() {
    let loss = Loss::new("binary_cross_entropy", &Params::new()).expect("a catalogue loss");
    let mut rng = ChaCha8Rng::seed_from_u64(31);
    let edges = [
        0.0,
        1.0,
        5e-324,
        1e-300,
        1e-17,
        0.5,
        1.0 - 1e-16,
        0.29289,
        0.7,
    ];
    let n = 5 * 256 + 17;
    let t: Vec<f64> = (0..n)
        .map(|i| match i {
            300 | 1100 => 0.5,
            _ => f64::from(u8::from(rng.random_range(0.0..1.0) < 0.4)),
        })
        .collect();
    let p: Vec<f64> = (0..n)
        .map(|_| match rng.random_range(0..4) {
            0 => edges[rng.random_range(0..edges.len())],
            1 => 2f64.powi(rng.random_range(-1074..0)) * rng.random_range(0.5..1.0),
            _ => rng.random_range(0.0..1.0),
        })
        .collect();
    let points: Vec<_> = t
        .iter()
        .zip(&p)
        .map(|(&y, &q)| loss.point(y, q).expect("in the domain"))
        .collect();
    let expected: Vec<Vec<u64>> = [
        points.iter().map(|p| p.value).collect::<Vec<_>>(),
        points.iter().map(|p| p.gradient).collect(),
        points.iter().map(|p| p.hessian).collect(),
    ]
    .iter()
    .map(|v| bits(v))
    .collect();
    for (isa, (alone, with)) in on_each_path(|| per_sample_bits(&loss, &t, &p)) {
        assert_eq!(alone, expected[0], "{isa:?}: values alone");
        assert_eq!(with[..], expected[..], "{isa:?}: with the derivatives");
    }
}

/// The bits of a loss's per-sample values alone, and of its values,
/// gradient and Hessian computed together (on the path the caller forces).
fn per_sample_bits(loss: &Loss, t: &[f64], p: &[f64]) -> (Vec<u64>, [Vec<u64>; 3]) {
    let n = t.len();
    let (mut v, mut g, mut h) = (vec![0.0; n], vec![0.0; n], vec![0.0; n]);
    let out = Output {
        per_sample: Some(&mut v[..]),
        gradient: Some(&mut g[..]),
        hessian: Some(&mut h[..]),
    };
    loss.reduce(Input::new(t, p), Reduction::Sum, out)
        .expect("in the domain");
    let mut alone = vec![0.0; n];
    let out = Output {
        per_sample: Some(&mut alone[..]),
        ..Output::default()
    };
    loss.reduce(Input::new(t, p), Reduction::Sum, out)
        .expect("in the domain");
    (bits(&alone), [bits(&v), bits(&g), bits(&h)])
}

/// The test above is not empty on this machine: it says which paths ran
/// (and a processor with AVX2 has them compiled in).
#[test]
fn the_wide_paths_are_there() {
    let paths = Isa::available();
    assert_eq!(paths[0], Isa::Portable);
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        assert!(paths.contains(&Isa::Avx2), "{paths:?}");
    }
}

/// `f` on each path, run on a pool of two threads whose every thread takes
/// that path: for inputs of many chunks, which run on the pool.
fn on_each_path_pooled<T: Send>(f: impl Fn() -> T + Sync) -> Vec<(Isa, T)> {
    Isa::available()
        .into_iter()
        .map(|isa| {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(2)
                .start_handler(move |_| FORCED.with(|forced| forced.set(Some(isa))))
                .build()
                .expect("a thread pool");
            (isa, pool.install(&f))
        })
        .collect()
}

/// The numbers in [`HugeBuffer`]s (aligned to 2 MiB, on huge pages where
/// the system offers them) and in `Vec`s starting 8 bytes off a 16-byte
/// boundary give the same bits on every path: the value, per-sample values
/// and derivatives, over arrays of many chunks whose derivatives go out
/// with non-temporal stores (more than `STREAM_STORES_FROM` pairs).
#[test]
fn huge_buffers_give_the_bits_of_vecs_on_every_path() {
    let n = STREAM_STORES_FROM + 13;
    let mut rng = ChaCha8Rng::seed_from_u64(31);
    let names = ["mse", "mae", "huber", "squared_hinge", "log_cosh"];
    for name in names {
        let loss = Loss::new(name, &Params::new()).expect("a catalogue loss");
        // Vectors one value longer, used from their second value.
        let (mut t, mut p) = (vec![0.0; n + 1], vec![0.0; n + 1]);
        for (y, yhat) in t.iter_mut().zip(&mut p).skip(1) {
            *yhat = rng.random_range(-4.0..4.0);
            *y = match name {
                "squared_hinge" => [-1.0, 1.0][rng.random_range(0..2)],
                _ => rng.random_range(-2.0..2.0),
            };
        }
        let (t, p) = (&t[1..], &p[1..]);
        let (huge_t, huge_p) = (HugeBuffer::from_slice(t), HugeBuffer::from_slice(p));
        assert!(huge_t.is_mapped() || !cfg!(unix));
        let run = |t: &[f64], p: &[f64], outputs: [&mut [f64]; 3]| {
            let [per_sample, gradient, hessian] = outputs;
            let mut results = Vec::new();
            for (ps, g, h) in [
                (false, false, false),
                (false, true, false),
                (false, true, true),
                (true, false, false),
            ] {
                let out = Output {
                    per_sample: ps.then_some(&mut per_sample[..]),
                    gradient: g.then_some(&mut gradient[..]),
                    hessian: h.then_some(&mut hessian[..]),
                };
                let reduced = loss.reduce(Input::new(t, p), Reduction::Mean, out);
                results.push(bits(&[reduced.expect("in the domain").value]));
                results.push(bits(&per_sample[..]));
                results.push(bits(&gradient[..]));
                results.push(bits(&hessian[..]));
            }
            results
        };
        let mut paths = on_each_path_pooled(|| {
            let mut vecs = [vec![0.0; n + 1], vec![0.0; n + 1], vec![0.0; n + 1]];
            let [a, b, c] = &mut vecs;
            let from_vecs = run(t, p, [&mut a[1..], &mut b[1..], &mut c[1..]]);
            let mut huge: [HugeBuffer<f64>; 3] = std::array::from_fn(|_| HugeBuffer::zeroed(n));
            let [a, b, c] = &mut huge;
            let from_huge = run(&huge_t, &huge_p, [&mut a[..], &mut b[..], &mut c[..]]);
            (from_vecs, from_huge)
        })
        .into_iter();
        let (_, (portable, portable_huge)) = paths.next().expect("the portable path");
        assert!(portable_huge == portable, "{name}: huge buffers differ");
        for (isa, (from_vecs, from_huge)) in paths {
            assert!(
                from_vecs == portable,
                "{name}: {isa:?} differs from portable"
            );
            assert!(
                from_huge == portable,
                "{name}: {isa:?} on huge buffers differs"
            );
        }
    }
}

/// Hinge labels on every path: ±1, or 0/1 (zeros read as −1, ±0 alike),
/// are accepted; a zero and a −1 together, or any other label (a half, a
/// subnormal, 1 + ε, ±2) are refused with the same message everywhere.
#[test]
fn hinge_labels_are_told_apart_on_every_path() {
    let loss = Loss::new("squared_hinge", &Params::new()).expect("a catalogue loss");
    let n = 200;
    let prediction: Vec<f64> = (0..n).map(|i| (i as f64 * 0.37).sin() * 2.0).collect();
    let cases: [(&[(usize, f64)], bool); 12] = [
        (&[], true),
        (&[(5, -1.0), (199, -1.0)], true),
        (&[(5, 0.0)], true),
        (&[(5, -0.0), (17, 0.0)], true),
        (&[(5, 0.0), (150, -1.0)], false),
        (&[(5, -0.0), (199, -1.0)], false),
        (&[(5, 0.5)], false),
        (&[(5, 2.0)], false),
        (&[(5, -2.0)], false),
        (&[(5, 5e-324)], false),
        (&[(5, 1.0 + f64::EPSILON)], false),
        (&[(5, -1.0 - f64::EPSILON)], false),
    ];
    for (changes, accepted) in cases {
        let mut target = vec![1.0; n];
        for &(i, y) in changes {
            target[i] = y;
        }
        let mut results = on_each_path(|| {
            loss.value(&target, &prediction)
                .map(f64::to_bits)
                .map_err(|e| e.to_string())
        })
        .into_iter();
        let (_, portable) = results.next().expect("the portable path");
        assert_eq!(portable.is_ok(), accepted, "{changes:?}: {portable:?}");
        for (isa, other) in results {
            assert_eq!(other, portable, "{changes:?}: {isa:?} differs");
        }
        if accepted {
            // Zeros are −1s.
            let relabelled: Vec<f64> = target
                .iter()
                .map(|&y| if y == 0.0 { -1.0 } else { y })
                .collect();
            let expected = loss.value(&relabelled, &prediction).expect("±1 labels");
            assert_eq!(portable, Ok(expected.to_bits()), "{changes:?}");
        }
    }
}
