//! Seeded randomness for the scenarios. Every pipeline draws from its own ChaCha stream,
//! derived from the demo seed and the pipeline's identity, so a pipeline can be regenerated
//! on its own and comes out the same on every platform. Noise is symmetric around the stated
//! mean, so planted effects average out to exactly what the ground truth says.

use std::time::Duration;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::model::SECOND;

pub type DemoRng = ChaCha8Rng;

/// A stream for one purpose, from the demo seed and a path of identifiers
/// (project, pipeline sequence number, …).
pub fn rng_for(seed: u64, path: &[u64]) -> DemoRng {
    DemoRng::seed_from_u64(mix(seed, path))
}

/// SplitMix64 over the path: distinct paths give unrelated seeds.
pub fn mix(seed: u64, path: &[u64]) -> u64 {
    let mut h = seed ^ 0x9E37_79B9_7F4A_7C15;
    for &part in path {
        h = splitmix(h ^ part.wrapping_mul(0xD6E8_FEB8_6659_FD93));
    }
    splitmix(h)
}

fn splitmix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

pub fn us(d: Duration) -> i64 {
    i64::try_from(d.as_micros()).unwrap_or(i64::MAX)
}

pub fn secs(s: f64) -> i64 {
    (s * SECOND as f64).round() as i64
}

/// True with probability `p`.
pub fn chance(rng: &mut DemoRng, p: f64) -> bool {
    rng.random::<f64>() < p
}

/// `mean`, give or take up to `spread` (a fraction of the mean), triangular around the mean:
/// values near the mean are likelier, and the mean is exact.
pub fn around(rng: &mut DemoRng, mean_us: i64, spread: f64) -> i64 {
    let u = rng.random::<f64>() - rng.random::<f64>();
    (mean_us as f64 * (1.0 + spread * u)).round().max(0.0) as i64
}

/// Like [`around`] for a mean in seconds.
pub fn around_s(rng: &mut DemoRng, mean_s: f64, spread: f64) -> i64 {
    around(rng, secs(mean_s), spread)
}

/// Exponentially distributed with the given mean: waiting times (queueing) look like this.
pub fn exponential(rng: &mut DemoRng, mean_us: i64) -> i64 {
    let u: f64 = 1.0 - rng.random::<f64>(); // in (0, 1]
    (-u.ln() * mean_us as f64).round() as i64
}

/// A uniform integer in `lo..=hi`.
pub fn between(rng: &mut DemoRng, lo: u64, hi: u64) -> u64 {
    rng.random_range(lo..=hi)
}

/// A random element.
pub fn pick<'a, T>(rng: &mut DemoRng, items: &'a [T]) -> &'a T {
    &items[rng.random_range(0..items.len())]
}

/// `n` random bytes as lowercase hex.
pub fn hex(rng: &mut DemoRng, n: usize) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(n * 2);
    for _ in 0..n {
        let b: u8 = rng.random();
        out.push(DIGITS[(b >> 4) as usize] as char);
        out.push(DIGITS[(b & 15) as usize] as char);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_path_same_stream_other_path_other_stream() {
        let a: u64 = rng_for(7, &[1, 2]).random();
        let b: u64 = rng_for(7, &[1, 2]).random();
        let c: u64 = rng_for(7, &[2, 1]).random();
        let d: u64 = rng_for(8, &[1, 2]).random();
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert_ne!(a, d);
    }

    #[test]
    fn around_is_centred_on_the_mean() {
        let mut rng = rng_for(1, &[]);
        let n = 20_000;
        let total: i64 = (0..n).map(|_| around(&mut rng, 100 * SECOND, 0.3)).sum();
        let mean = total as f64 / n as f64 / SECOND as f64;
        assert!((mean - 100.0).abs() < 0.5, "mean {mean}");
    }

    #[test]
    fn exponential_has_the_stated_mean() {
        let mut rng = rng_for(2, &[]);
        let n = 50_000;
        let total: i64 = (0..n).map(|_| exponential(&mut rng, 60 * SECOND)).sum();
        let mean = total as f64 / n as f64 / SECOND as f64;
        assert!((mean - 60.0).abs() < 1.2, "mean {mean}");
    }
}
