//! A mergeable duration histogram with 1 % relative accuracy (the DDSketch idea: logarithmic
//! buckets of ratio γ = 1.02), stored sparsely as compact text so daily rollups can keep one
//! per row on SQLite and PostgreSQL alike and a period's percentiles come from merging them.
//!
//! Up to [`EXACT_LIMIT`] values are also kept as they are, so the small samples a single
//! project-day or a quiet project produces give exact answers; past that only the buckets
//! remain.
//!
//! Quantiles use the lower nearest rank: the value at rank ⌊q·(n−1)⌋ of the sorted sample,
//! the same definition [`exact_quantile`] applies to raw values, so rollup percentiles and
//! per-job percentiles agree exactly for small samples and within 1 % for large ones.

use std::{collections::BTreeMap, fmt::Write};

/// Bucket ratio: any value is reported within ±1 % of itself.
const GAMMA: f64 = 1.02;

/// Bucket key for durations under 1 ms (including zero).
const ZERO_KEY: i32 = i32::MIN;

/// How many values are kept exactly before the sketch relies on its buckets alone.
pub const EXACT_LIMIT: usize = 128;

#[derive(Clone, Debug, PartialEq)]
pub struct DurationSketch {
    buckets: BTreeMap<i32, u64>,
    count: u64,
    min: f64,
    max: f64,
    /// All values, while there are at most [`EXACT_LIMIT`] of them.
    exact: Option<Vec<f64>>,
}

impl Default for DurationSketch {
    fn default() -> Self {
        DurationSketch {
            buckets: BTreeMap::new(),
            count: 0,
            min: 0.0,
            max: 0.0,
            exact: Some(Vec::new()),
        }
    }
}

fn key(ms: f64) -> i32 {
    if ms < 1.0 {
        ZERO_KEY
    } else {
        (ms.ln() / GAMMA.ln()).ceil() as i32
    }
}

/// The representative value of a bucket: the point with equal relative error to both edges.
fn value(key: i32) -> f64 {
    if key == ZERO_KEY {
        0.0
    } else {
        2.0 * GAMMA.powi(key) / (GAMMA + 1.0)
    }
}

impl DurationSketch {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn add(&mut self, ms: f64) {
        if !ms.is_finite() || ms < 0.0 {
            return;
        }
        *self.buckets.entry(key(ms)).or_default() += 1;
        if let Some(values) = &mut self.exact {
            if values.len() < EXACT_LIMIT {
                values.push(ms);
            } else {
                self.exact = None;
            }
        }
        if self.count == 0 || ms < self.min {
            self.min = ms;
        }
        if self.count == 0 || ms > self.max {
            self.max = ms;
        }
        self.count += 1;
    }

    pub fn merge(&mut self, other: &DurationSketch) {
        if other.count == 0 {
            return;
        }
        for (k, c) in &other.buckets {
            *self.buckets.entry(*k).or_default() += c;
        }
        self.exact = match (self.exact.take(), &other.exact) {
            (Some(mut mine), Some(theirs)) if mine.len() + theirs.len() <= EXACT_LIMIT => {
                mine.extend_from_slice(theirs);
                Some(mine)
            }
            _ => None,
        };
        self.min = if self.count == 0 {
            other.min
        } else {
            self.min.min(other.min)
        };
        self.max = if self.count == 0 {
            other.max
        } else {
            self.max.max(other.max)
        };
        self.count += other.count;
    }

    pub fn count(&self) -> u64 {
        self.count
    }

    /// The `q`-quantile (0 ≤ q ≤ 1), `None` when empty. Exact at the extremes.
    pub fn quantile(&self, q: f64) -> Option<f64> {
        if self.count == 0 {
            return None;
        }
        if let Some(values) = &self.exact {
            return exact_quantile(values, q);
        }
        let rank = (q.clamp(0.0, 1.0) * (self.count - 1) as f64).floor() as u64;
        if rank == 0 {
            return Some(self.min);
        }
        if rank == self.count - 1 {
            return Some(self.max);
        }
        let mut seen = 0;
        for (k, c) in &self.buckets {
            seen += c;
            if seen > rank {
                return Some(value(*k).clamp(self.min, self.max));
            }
        }
        Some(self.max)
    }

    /// `count;min;max;key:count,key:count…` with `z` for the zero bucket, or, while the
    /// values are kept exactly, `=v1,v2,…`.
    pub fn encode(&self) -> String {
        let mut out = String::new();
        if let Some(values) = &self.exact {
            out.push('=');
            for (i, v) in values.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                let _ = write!(out, "{v}");
            }
            return out;
        }
        let _ = write!(out, "{};{};{};", self.count, self.min, self.max);
        for (i, (k, c)) in self.buckets.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            if *k == ZERO_KEY {
                let _ = write!(out, "z:{c}");
            } else {
                let _ = write!(out, "{k}:{c}");
            }
        }
        out
    }

    /// Reads what [`encode`](Self::encode) wrote; `None` for anything else.
    pub fn decode(text: &str) -> Option<DurationSketch> {
        if let Some(values) = text.strip_prefix('=') {
            let mut sketch = DurationSketch::new();
            for v in values.split(',').filter(|v| !v.is_empty()) {
                let v: f64 = v.parse().ok()?;
                if !v.is_finite() || v < 0.0 {
                    return None;
                }
                sketch.add(v);
            }
            return (sketch.exact.is_some()).then_some(sketch);
        }
        let mut parts = text.splitn(4, ';');
        let count: u64 = parts.next()?.parse().ok()?;
        let min: f64 = parts.next()?.parse().ok()?;
        let max: f64 = parts.next()?.parse().ok()?;
        let mut buckets = BTreeMap::new();
        let mut total = 0u64;
        for pair in parts.next()?.split(',').filter(|p| !p.is_empty()) {
            let (k, c) = pair.split_once(':')?;
            let k = if k == "z" { ZERO_KEY } else { k.parse().ok()? };
            let c: u64 = c.parse().ok()?;
            total = total.checked_add(c)?;
            buckets.insert(k, c);
        }
        (total == count).then_some(DurationSketch {
            buckets,
            count,
            min,
            max,
            exact: None,
        })
    }
}

/// The lower-nearest-rank quantile of raw values (sorts a copy).
pub fn exact_quantile(values: &[f64], q: f64) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let rank = (q.clamp(0.0, 1.0) * (sorted.len() - 1) as f64).floor() as usize;
    sorted.get(rank).copied()
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn hand_worked_sample() {
        let mut s = DurationSketch::new();
        for ms in [1_000.0, 2_000.0, 3_000.0, 4_000.0, 100_000.0] {
            s.add(ms);
        }
        assert_eq!(s.quantile(0.0), Some(1_000.0));
        assert_eq!(s.quantile(1.0), Some(100_000.0));
        assert_eq!(s.quantile(0.5), Some(3_000.0), "small samples are exact");
        assert_eq!(s.quantile(0.95), Some(4_000.0), "rank ⌊0.95·4⌋ = 3");
        assert_eq!(exact_quantile(&[4.0, 1.0, 3.0, 2.0], 0.5), Some(2.0));
        assert_eq!(DurationSketch::new().quantile(0.5), None);
    }

    #[test]
    fn large_samples_fall_back_to_buckets_within_one_percent() {
        let mut s = DurationSketch::new();
        for i in 0..1_000 {
            s.add(60_000.0 + f64::from(i) * 100.0);
        }
        let median = s.quantile(0.5).unwrap();
        assert!((median - 109_900.0).abs() <= 1_099.0, "{median}");
        assert!(s.encode().starts_with("1000;60000;159900;"));
    }

    #[test]
    fn encodes_compactly_and_refuses_garbage() {
        let mut s = DurationSketch::new();
        s.add(0.0);
        s.add(300_000.0);
        s.add(300_500.0);
        let text = s.encode();
        assert_eq!(text, "=0,300000,300500");
        assert_eq!(DurationSketch::decode(&text), Some(s.clone()));
        let mut big = s;
        for i in 0..200 {
            big.add(f64::from(i) * 1_000.0);
        }
        let text = big.encode();
        assert!(text.len() < 1_200, "{}", text.len());
        assert_eq!(DurationSketch::decode(&text), Some(big));
        assert_eq!(DurationSketch::decode("=1,-5"), None);
        assert_eq!(DurationSketch::decode("3;0;1;5:1"), None, "counts disagree");
        assert_eq!(DurationSketch::decode("nonsense"), None);
    }

    proptest! {
        #[test]
        fn quantiles_stay_within_one_percent(values in proptest::collection::vec(1.0f64..10_000_000.0, 1..300), q in 0.0f64..=1.0) {
            let mut s = DurationSketch::new();
            values.iter().for_each(|v| s.add(*v));
            // Past the exact limit too: drop the kept values to test the buckets alone.
            s.exact = None;
            let exact = exact_quantile(&values, q).unwrap();
            let estimate = s.quantile(q).unwrap();
            prop_assert!((estimate - exact).abs() <= exact * 0.0101, "q={q} exact={exact} estimate={estimate}");
        }

        #[test]
        fn merging_equals_adding_everything(a in proptest::collection::vec(0.0f64..1e7, 0..100), b in proptest::collection::vec(0.0f64..1e7, 0..100)) {
            let (mut left, mut right, mut all) = (DurationSketch::new(), DurationSketch::new(), DurationSketch::new());
            a.iter().for_each(|v| { left.add(*v); all.add(*v); });
            b.iter().for_each(|v| { right.add(*v); all.add(*v); });
            left.merge(&right);
            prop_assert_eq!(&left, &all);
            prop_assert_eq!(DurationSketch::decode(&left.encode()), Some(left));
        }
    }
}
