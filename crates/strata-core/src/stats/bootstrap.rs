//! Confidence intervals by the percentile bootstrap: resample with replacement, take the
//! statistic each time, read the 2.5th and 97.5th percentiles. Deterministic (a fixed seed),
//! so the same data always show the same interval on both backends.

use rand::{Rng, SeedableRng, rngs::SmallRng};

/// Resamples per interval: enough for stable 95 % bounds.
const RESAMPLES: usize = 1_000;
/// Larger samples are thinned to this many values first (evenly, keeping order statistics'
/// spread), bounding the work per interval.
const MAX_VALUES: usize = 2_000;
const SEED: u64 = 0x5354_5241_5441;

/// A statistic with its 95 % confidence interval.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Estimate {
    pub value: f64,
    pub low: f64,
    pub high: f64,
}

/// The lower-nearest-rank median (the same definition as everywhere in Strata).
pub fn median(values: &mut [f64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    let rank = (values.len() - 1) / 2;
    let (_, m, _) = values.select_nth_unstable_by(rank, f64::total_cmp);
    Some(*m)
}

fn thin(values: &[f64]) -> Vec<f64> {
    if values.len() <= MAX_VALUES {
        return values.to_vec();
    }
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    (0..MAX_VALUES)
        .map(|i| sorted[i * sorted.len() / MAX_VALUES])
        .collect()
}

fn resample(rng: &mut SmallRng, values: &[f64], into: &mut Vec<f64>) {
    into.clear();
    into.extend((0..values.len()).map(|_| values[rng.random_range(0..values.len())]));
}

fn interval(mut stats: Vec<f64>, value: f64) -> Estimate {
    stats.sort_by(f64::total_cmp);
    let at = |q: f64| stats[((stats.len() - 1) as f64 * q).round() as usize];
    Estimate {
        value,
        low: at(0.025),
        high: at(0.975),
    }
}

/// The median of `values` with its 95 % interval; `None` for an empty sample.
pub fn median_ci(values: &[f64]) -> Option<Estimate> {
    let value = median(&mut values.to_vec())?;
    let sample = thin(values);
    let mut rng = SmallRng::seed_from_u64(SEED);
    let mut scratch = Vec::with_capacity(sample.len());
    let stats = (0..RESAMPLES)
        .filter_map(|_| {
            resample(&mut rng, &sample, &mut scratch);
            median(&mut scratch)
        })
        .collect();
    Some(interval(stats, value))
}

/// `median(b) − median(a)` with its 95 % interval (e.g. miss minus hit: what a miss costs).
pub fn median_difference_ci(a: &[f64], b: &[f64]) -> Option<Estimate> {
    let value = median(&mut b.to_vec())? - median(&mut a.to_vec())?;
    let (sa, sb) = (thin(a), thin(b));
    let mut rng = SmallRng::seed_from_u64(SEED);
    let (mut ra, mut rb) = (Vec::with_capacity(sa.len()), Vec::with_capacity(sb.len()));
    let stats = (0..RESAMPLES)
        .filter_map(|_| {
            resample(&mut rng, &sa, &mut ra);
            resample(&mut rng, &sb, &mut rb);
            Some(median(&mut rb)? - median(&mut ra)?)
        })
        .collect();
    Some(interval(stats, value))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_uses_the_lower_middle() {
        assert_eq!(median(&mut [3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(&mut [4.0, 1.0, 3.0, 2.0]), Some(2.0));
        assert_eq!(median(&mut []), None);
    }

    #[test]
    fn intervals_contain_the_estimate_and_narrow_with_more_data() {
        let small: Vec<f64> = (0..20).map(|i| 100.0 + f64::from(i % 7) * 10.0).collect();
        let large: Vec<f64> = (0..2_000)
            .map(|i| 100.0 + f64::from(i % 7) * 10.0)
            .collect();
        let (s, l) = (median_ci(&small).unwrap(), median_ci(&large).unwrap());
        assert!(s.low <= s.value && s.value <= s.high);
        assert!(l.high - l.low <= s.high - s.low);
        assert_eq!(median_ci(&small), median_ci(&small), "deterministic");
    }

    #[test]
    fn a_planted_difference_is_recovered() {
        let hits: Vec<f64> = (0..200)
            .map(|i| 60_000.0 + f64::from(i % 11) * 1_000.0)
            .collect();
        let misses: Vec<f64> = hits.iter().map(|v| v + 95_000.0).collect();
        let d = median_difference_ci(&hits, &misses).unwrap();
        assert_eq!(d.value, 95_000.0);
        assert!(d.low <= 95_000.0 && 95_000.0 <= d.high, "{d:?}");
        assert!(d.high - d.low < 10_000.0, "{d:?}");
        assert!(median_difference_ci(&[], &misses).is_none());
    }
}
