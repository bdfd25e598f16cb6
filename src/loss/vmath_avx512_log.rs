//! `vmath::ln_unit` with AVX-512F intrinsics, and the probability
//! cross-entropy's terms −y·ln q built on it (`categorical_slices`): the
//! same operations as the scalar functions, so the same bits.
//!
//! Why not the compiler's vectorisation of the scalar loop: it ran one
//! value's long chain (a division, then the series) at a time, and applied
//! the subnormal and zero fix-ups to every value; here [`U`] registers are
//! interleaved, and the fix-ups run only for the steps that have a value
//! below the smallest normal double (probabilities almost never do).

use super::*;

/// m − 1 and k of a positive normal x = m·2^k, m in [√2/2, √2) up to
/// fdlibm's threshold: `vmath::split(x, 0x3fe6_a09c_0000_0000)` lane by
/// lane, with integer operations on the bits.
#[inline]
#[target_feature(enable = "avx512f")]
fn split(x: V) -> (V, V) {
    const TWO52: f64 = 4_503_599_627_370_496.0;
    let (offset, bias) = (splat_bits(0x3fe6_a09c_0000_0000), splat_bits(1024u64 << 52));
    let (mantissa, two52) = (
        splat_bits(0x000f_ffff_ffff_ffff),
        splat_bits(TWO52.to_bits()),
    );
    let v: I = each!(|x, offset| _mm512_sub_epi64(_mm512_castpd_si512(x), offset));
    let biased: I = each!(|v, bias| _mm512_srli_epi64::<52>(_mm512_add_epi64(v, bias)));
    let biased: I = each!(|biased, two52| _mm512_or_si512(biased, two52));
    let k = sub(from_bits(biased), splat(TWO52 + 1024.0));
    let m: I = each!(|v, mantissa, offset| _mm512_add_epi64(_mm512_and_si512(v, mantissa), offset));
    (sub(from_bits(m), splat(1.0)), k)
}

/// k·ln 2 + ln(1 + f) as `vmath::ln_finite` computes it, with
/// s = f/(2 + f), z = s², w = z² and the series
/// R = z·(LG1 + w·(LG3 + w·(LG5 + w·LG7))) plus w·(LG2 + w·(LG4 + w·LG6)):
/// k·ln2_hi − ((f²/2 − (s·(f²/2 + R) + k·ln2_lo)) − f).
#[inline]
#[target_feature(enable = "avx512f")]
fn series(f: V, k: V) -> V {
    let hfsq = mul(mul(splat(0.5), f), f);
    let s = div(f, add(splat(2.0), f));
    let z = mul(s, s);
    let w = mul(z, z);
    let t1 = mul(
        w,
        add(splat(LG2), mul(w, add(splat(LG4), mul(w, splat(LG6))))),
    );
    let odd = add(splat(LG5), mul(w, splat(LG7)));
    let t2 = mul(z, add(splat(LG1), mul(w, add(splat(LG3), mul(w, odd)))));
    let r = add(t2, t1);
    let inner = add(mul(s, add(hfsq, r)), mul(k, splat(LN2_LO)));
    sub(mul(k, splat(LN2_HI)), sub(sub(hfsq, inner), f))
}

/// `vmath::ln_unit`, the same bits: subnormals are scaled by 2^54 first
/// (k − 54), and ±0 gives −∞; both fix-ups only where a lane is below the
/// smallest normal double (negative numbers too, whose results are
/// unspecified but still the scalar function's).
#[inline]
#[target_feature(enable = "avx512f")]
pub(super) fn ln_unit(x: V) -> V {
    const TWO54: f64 = 18_014_398_509_481_984.0;
    let tiny = less(x, splat(f64::MIN_POSITIVE));
    if tiny.iter().all(|&lanes| lanes == 0) {
        let (f, k) = split(x);
        return series(f, k);
    }
    let (f, k) = split(select(tiny, mul(x, splat(TWO54)), x));
    let y = series(f, select(tiny, sub(k, splat(54.0)), k));
    let zero: M = each!(|x| _mm512_cmp_pd_mask::<_CMP_EQ_OQ>(x, _mm512_setzero_pd()));
    select(zero, splat(f64::NEG_INFINITY), y)
}

/// −y·ln q, 0 where y = 0 (`categorical_slices::log_loss_term(y,
/// vmath::ln_unit(q))`, the same bits) for q in [0, 1]: the logarithm and
/// the term in one pass over the block. The last values (fewer than a
/// step) by the scalar functions.
#[target_feature(enable = "avx512f")]
pub(in crate::loss) fn log_loss_terms(out: &mut [f64], q: &[f64], y: &[f64]) {
    let n = out.len().min(q.len()).min(y.len());
    let whole = n - n % STEP;
    let zero = splat(0.0);
    for i in (0..whole).step_by(STEP) {
        // SAFETY: i + STEP ≤ n, within every slice.
        let (q, y) = unsafe { (load(q, i), load(y, i)) };
        let term = mul(neg(y), ln_unit(q));
        let kept: M = each!(|y, zero| _mm512_cmp_pd_mask::<_CMP_NEQ_UQ>(y, zero));
        // SAFETY: as above.
        unsafe { store(out, i, select(kept, term, zero)) };
    }
    for i in whole..n {
        out[i] = super::super::categorical_slices::log_loss_term(y[i], vmath::ln_unit(q[i]));
    }
}

#[cfg(test)]
mod tests {
    use super::super::super::categorical_slices::log_loss_term;
    use super::*;

    /// Probabilities of every kind: ±0, subnormals, the smallest normal,
    /// 1 and the doubles next to it, random over many binades.
    fn probabilities() -> Vec<f64> {
        let mut xs = vec![0.0, -0.0, 5e-324, 1e-310, f64::MIN_POSITIVE, 1.0, 0.5];
        xs.push(f64::from_bits(1f64.to_bits() - 1));
        xs.push(f64::from_bits(f64::MIN_POSITIVE.to_bits() - 1));
        let mut state = 0x2545_f491_4f6c_dd1du64;
        for i in 0..300_000u64 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let unit = (state >> 11) as f64 / (1u64 << 53) as f64;
            xs.push(match i % 3 {
                0 => unit,
                1 => unit * 2f64.powi(-((state % 1100) as i32)),
                _ => 1.0 - unit * 1e-9,
            });
        }
        xs
    }

    /// The vector logarithm and terms are the scalar ones bit for bit, on
    /// steps with and without a tiny value (each special value at every
    /// lane position of a step of ordinary ones).
    #[test]
    fn ln_unit_and_terms_are_the_scalar_functions() {
        if !std::arch::is_x86_feature_detected!("avx512f") {
            return;
        }
        let xs = probabilities();
        let ys: Vec<f64> = (0..xs.len())
            .map(|i| [0.0, 0.25, 1.0, -0.0, 0.1][i % 5])
            .collect();
        // SAFETY: the processor has AVX-512F (checked above).
        let got = unsafe {
            let mut got = vec![f64::NAN; xs.len()];
            map(&mut got, &xs, |x| ln_unit(x), |_| f64::NAN);
            got
        };
        let whole = xs.len() - xs.len() % STEP;
        for (&x, &g) in xs[..whole].iter().zip(&got) {
            assert_eq!(g.to_bits(), vmath::ln_unit(x).to_bits(), "ln_unit({x:e})");
        }
        for lane in 0..STEP {
            for &x in &xs[..9] {
                let mut v = [0.5; STEP];
                v[lane] = x;
                let mut got = [f64::NAN; STEP];
                // SAFETY: as above.
                unsafe { log_loss_terms(&mut got, &v, &[0.75; STEP]) };
                let expected = log_loss_term(0.75, vmath::ln_unit(x));
                assert_eq!(got[lane].to_bits(), expected.to_bits(), "term({x:e})");
            }
        }
        let n = xs.len() - 7; // not a multiple of a step: the scalar tail too
        let mut got = vec![f64::NAN; n];
        // SAFETY: as above.
        unsafe { log_loss_terms(&mut got, &xs[..n], &ys[..n]) };
        for i in 0..n {
            let expected = log_loss_term(ys[i], vmath::ln_unit(xs[i]));
            assert_eq!(got[i].to_bits(), expected.to_bits(), "term {i}");
        }
    }
}
