//! Cache impact per normalised key: hit rate, what a hit saves (median job duration on a
//! miss minus on a hit, with a bootstrap interval), restore and archive cost.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use super::{
    fetch::{CacheRow, JobRow},
    interval,
    keys::normalise,
};
use crate::{
    model::impact::{CacheImpact, CacheJobEffect, EXAMPLE_JOBS},
    stats::bootstrap::{median, median_difference_ci},
};

/// Fewer hits or misses than this and a penalty would be noise.
const MIN_SAMPLE: usize = 3;

pub fn is_hit(outcome: &str) -> bool {
    matches!(outcome, "hit" | "fallback_hit")
}

pub fn is_miss(outcome: &str) -> bool {
    matches!(outcome, "miss" | "not_found" | "failed")
}

#[derive(Default)]
struct Acc {
    keys: HashSet<String>,
    pipelines: HashSet<i64>,
    restores: u64,
    hits: u64,
    misses: u64,
    archives: u64,
    restore_ms: f64,
    archive_ms: f64,
    writers: BTreeSet<String>,
    readers: BTreeSet<String>,
    /// Per reading job name, per job: whether every restore of the pattern hit.
    outcomes: BTreeMap<String, BTreeMap<i64, bool>>,
}

pub fn cache_impacts(
    jobs: &HashMap<i64, &JobRow>,
    rows: &[CacheRow],
    weeks: f64,
) -> Vec<CacheImpact> {
    let mut by_pattern: BTreeMap<String, Acc> = BTreeMap::new();
    for row in rows {
        let (Some(key), Some(job)) = (&row.cache_key, jobs.get(&row.job_id)) else {
            continue;
        };
        let acc = by_pattern.entry(normalise(key)).or_default();
        acc.keys.insert(key.clone());
        acc.pipelines.insert(job.pipeline_id);
        let ms = row.duration_ms.unwrap_or(0) as f64;
        match row.direction.as_str() {
            "restore" if is_hit(&row.outcome) || is_miss(&row.outcome) => {
                let hit = is_hit(&row.outcome);
                acc.restores += 1;
                acc.hits += u64::from(hit);
                acc.misses += u64::from(!hit);
                acc.restore_ms += ms;
                acc.readers.insert(job.name.clone());
                let seen = acc.outcomes.entry(job.name.clone()).or_default();
                let all_hit = seen.entry(job.id).or_insert(true);
                *all_hit &= hit;
            }
            "archive" if row.outcome == "created" => {
                acc.archives += 1;
                acc.archive_ms += ms;
                acc.writers.insert(job.name.clone());
            }
            _ => {}
        }
    }
    let mut out: Vec<CacheImpact> = by_pattern
        .into_iter()
        .map(|(pattern, acc)| CacheImpact {
            distinct_keys: acc.keys.len() as u64,
            pipelines: acc.pipelines.len() as u64,
            restores: acc.restores,
            hits: acc.hits,
            misses: acc.misses,
            hit_rate: (acc.restores > 0).then(|| acc.hits as f64 / acc.restores as f64),
            archives: acc.archives,
            restore_ms: acc.restore_ms,
            archive_ms: acc.archive_ms,
            cost_per_week_ms: (acc.restore_ms + acc.archive_ms) / weeks,
            writers: acc.writers.into_iter().collect(),
            readers: acc.readers.into_iter().collect(),
            jobs: acc
                .outcomes
                .into_iter()
                .map(|(job, outcomes)| job_effect(job, &outcomes, jobs, weeks))
                .collect(),
            pattern,
        })
        .collect();
    out.sort_by(|a, b| (b.restore_ms + b.archive_ms).total_cmp(&(a.restore_ms + a.archive_ms)));
    out
}

fn job_effect(
    job: String,
    outcomes: &BTreeMap<i64, bool>,
    jobs: &HashMap<i64, &JobRow>,
    weeks: f64,
) -> CacheJobEffect {
    let (mut hit, mut miss) = (Vec::new(), Vec::new());
    let (mut hit_ids, mut miss_ids) = (Vec::new(), Vec::new());
    for (id, all_hit) in outcomes {
        let Some(ms) = jobs.get(id).and_then(|j| j.duration_ms) else {
            continue;
        };
        let (values, ids) = if *all_hit {
            (&mut hit, &mut hit_ids)
        } else {
            (&mut miss, &mut miss_ids)
        };
        values.push(ms as f64);
        ids.push(*id);
    }
    let penalty = (hit.len() >= MIN_SAMPLE && miss.len() >= MIN_SAMPLE)
        .then(|| median_difference_ci(&hit, &miss))
        .flatten()
        .map(interval);
    // The most recent jobs are the ones worth opening.
    let recent =
        |ids: &[i64]| -> Vec<i64> { ids.iter().rev().take(EXAMPLE_JOBS).copied().collect() };
    CacheJobEffect {
        hits: hit.len() as u64,
        misses: miss.len() as u64,
        saved_per_week_ms: penalty.map(|p| p.value * hit.len() as f64 / weeks),
        miss_penalty: penalty,
        hit_median_ms: median(&mut hit),
        miss_median_ms: median(&mut miss),
        hit_examples: recent(&hit_ids),
        miss_examples: recent(&miss_ids),
        job,
    }
}

/// Raw keys archived by more than one job name, with each writer's median archive size:
/// jobs that archive the same content (a shared dependency cache) write similar sizes,
/// unrelated jobs that overwrite each other do not.
/// Per raw key, per writing job name: median archive size and example jobs.
pub type SharedKeys = BTreeMap<String, BTreeMap<String, (f64, Vec<i64>)>>;

/// Per writing job name: archive sizes seen and job ids.
type Writers<'a> = BTreeMap<&'a str, (Vec<f64>, Vec<i64>)>;

pub fn shared_keys(jobs: &HashMap<i64, &JobRow>, rows: &[CacheRow]) -> SharedKeys {
    let mut sizes: BTreeMap<&str, Writers<'_>> = BTreeMap::new();
    for row in rows
        .iter()
        .filter(|r| r.direction == "archive" && r.outcome == "created")
    {
        let (Some(key), Some(job)) = (&row.cache_key, jobs.get(&row.job_id)) else {
            continue;
        };
        let entry = sizes
            .entry(key.as_str())
            .or_default()
            .entry(job.name.as_str())
            .or_default();
        entry.0.extend(row.size_bytes.map(|s| s as f64));
        entry.1.push(job.id);
    }
    sizes
        .into_iter()
        .filter(|(_, writers)| writers.len() > 1)
        .map(|(key, writers)| {
            let writers = writers
                .into_iter()
                .map(|(name, (mut v, ids))| {
                    let ids = ids.into_iter().rev().take(EXAMPLE_JOBS).collect();
                    (name.to_owned(), (median(&mut v).unwrap_or(0.0), ids))
                })
                .collect();
            (key.to_owned(), writers)
        })
        .collect()
}
