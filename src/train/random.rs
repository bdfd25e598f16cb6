//! Seeded draws with a fully specified recipe, so the bits depend on the seed
//! alone: ChaCha8 words (portable across platforms), uniforms from the top 53
//! bits, normals by Box–Muller (Box & Muller 1958).

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Uniform and normal draws from one ChaCha8 stream.
pub(crate) struct Uniform {
    rng: ChaCha8Rng,
}

impl Uniform {
    pub(crate) fn new(seed: u64) -> Uniform {
        Uniform {
            rng: ChaCha8Rng::seed_from_u64(seed),
        }
    }

    /// A draw from [0, 1) with 53 random bits.
    pub(crate) fn next(&mut self) -> f64 {
        (self.rng.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// A standard normal draw: √(−2 ln u₁)·cos(2π u₂), u₁ ∈ (0, 1].
    pub(crate) fn normal(&mut self) -> f64 {
        let u1 = 1.0 - self.next();
        let u2 = self.next();
        (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
    }
}
