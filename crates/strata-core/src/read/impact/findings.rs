//! Findings: what should change (or what works), each with its numbers, the time at stake
//! per week and the jobs that show it. Thresholds are stated here, once.

use std::collections::{BTreeMap, HashMap};

use super::{
    cache::SharedKeys,
    fetch::{CacheRow, JobRow},
};
use crate::{
    model::impact::{
        ArtifactImpact, CacheImpact, EXAMPLE_JOBS, FindingKind, ImpactFinding, LayerImpact,
    },
    stats::bootstrap::median,
};

/// A pattern is "per commit or pipeline" when it has a distinct key for at least half the
/// pipelines that use it, over at least this many pipelines.
const MIN_PIPELINES: u64 = 5;
/// Builds needed before a layer-cache verdict.
const MIN_BUILDS: u64 = 5;
/// A layer cache that never hits is only worth changing when the steps it could serve cost
/// at least this much per build (a `FROM` of a small base image is not).
const MIN_AVOIDABLE_MS: f64 = 30_000.0;
/// Writers of one key whose median archive sizes differ by this factor archive different
/// things.
const SIZE_RATIO: f64 = 2.0;
/// Queue time "dwarfs" run time at this ratio of medians (and at least a minute).
const QUEUE_RATIO: f64 = 2.0;
const MIN_QUEUE_MS: f64 = 60_000.0;
const MIN_QUEUED_JOBS: usize = 10;

pub fn transport(caches: &[CacheImpact], weeks: f64) -> Vec<ImpactFinding> {
    caches
        .iter()
        .filter(|c| c.pipelines >= MIN_PIPELINES && c.distinct_keys * 2 >= c.pipelines && c.restores > 0)
        .filter_map(|c| {
            let writer = c.writers.first()?;
            let reader = c.jobs.iter().filter(|j| !c.writers.contains(&j.job)).max_by_key(|j| j.hits + j.misses)?;
            let miss_rate = c.misses as f64 / c.restores as f64;
            let penalty = reader.miss_penalty.map_or(0.0, |p| p.value.max(0.0));
            // Moving the bytes every pipeline, plus what the misses cost the reader.
            let at_stake = c.cost_per_week_ms + penalty * reader.misses as f64 / weeks;
            Some(ImpactFinding {
                kind: FindingKind::CacheUsedAsTransport {
                    pattern: c.pattern.clone(),
                    writer_job: writer.clone(),
                    reader_job: reader.job.clone(),
                },
                title: format!("Cache `{}` hands {writer}'s output to {} like an artifact", c.pattern, reader.job),
                detail: format!(
                    "{} distinct keys for {} pipelines: each key is written once and read about once; {:.0} % of restores miss{}",
                    c.distinct_keys,
                    c.pipelines,
                    miss_rate * 100.0,
                    if penalty > 0.0 { format!(", and a miss costs {} {:.0} s", reader.job, penalty / 1_000.0) } else { String::new() }
                ),
                time_per_week_ms: at_stake,
                examples: reader.miss_examples.clone(),
            })
        })
        .collect()
}

pub fn collisions(
    shared: &SharedKeys,
    rows: &[CacheRow],
    jobs: &HashMap<i64, &JobRow>,
    weeks: f64,
) -> Vec<ImpactFinding> {
    let mut out = Vec::new();
    for (key, writers) in shared {
        let sizes: Vec<f64> = writers.values().map(|w| w.0).collect();
        let (lo, hi) = sizes.iter().fold((f64::INFINITY, 0.0f64), |(lo, hi), s| {
            (lo.min(*s), hi.max(*s))
        });
        // Known, similar sizes: a cache shared on purpose. Logs often print no size; then
        // two job names writing one key is what shows.
        if lo > 0.0 && hi / lo < SIZE_RATIO {
            continue;
        }
        let names: Vec<String> = writers.keys().cloned().collect();
        let cost_ms: f64 = rows
            .iter()
            .filter(|r| r.cache_key.as_deref() == Some(key.as_str()))
            .filter(|r| jobs.get(&r.job_id).is_some_and(|j| names.contains(&j.name)))
            .map(|r| r.duration_ms.unwrap_or(0) as f64)
            .sum();
        let sizes_text: Vec<String> = writers
            .iter()
            .map(|(n, (s, _))| {
                if *s > 0.0 {
                    format!("{n} {:.1} MB", s / 1e6)
                } else {
                    format!("{n} (size not logged)")
                }
            })
            .collect();
        out.push(ImpactFinding {
            kind: FindingKind::CacheKeyCollision { key: key.clone(), jobs: names.clone() },
            title: format!("Cache key `{key}` is shared by unrelated jobs: {}", names.join(", ")),
            detail: format!("They archive different contents under one key (median archive {}), so each restores the other's cache", sizes_text.join(" vs ")),
            time_per_week_ms: cost_ms / weeks,
            examples: writers.values().flat_map(|w| w.1.iter().copied()).take(EXAMPLE_JOBS).collect(),
        });
    }
    out
}

pub fn artifacts(a: &ArtifactImpact) -> Vec<ImpactFinding> {
    a.producers
        .iter()
        .filter(|p| p.downloads > 0 && p.transfer_ms > p.other_overhead_ms)
        .map(|p| ImpactFinding {
            kind: FindingKind::ArtifactsDominateTransfer { producer_job: p.job.clone() },
            title: format!("{}'s artifacts take more time to move than everything else its jobs transfer", p.job),
            detail: format!(
                "{:.0} MB median archive, uploaded {} times and downloaded {} times by {}: {:.1} h of transfer, more than the {:.1} h of their largest other transfer (sources or cache)",
                p.median_bytes / 1e6,
                p.uploads,
                p.downloads,
                p.consumers.join(", "),
                p.transfer_ms / 3_600_000.0,
                p.other_overhead_ms / 3_600_000.0
            ),
            time_per_week_ms: p.transfer_per_week_ms,
            examples: p.examples.clone(),
        })
        .collect()
}

pub fn layers(layers: &[LayerImpact]) -> Vec<ImpactFinding> {
    let mut out = Vec::new();
    for l in layers.iter().filter(|l| l.builds >= MIN_BUILDS) {
        let cost = l
            .cold_cost
            .map_or(String::new(), |c| format!("{:.0} s", c.value / 1_000.0));
        let avoidable = l.cold_cost.map_or(0.0, |c| c.value);
        if l.cached_steps == 0 && avoidable >= MIN_AVOIDABLE_MS {
            out.push(ImpactFinding {
                kind: FindingKind::DockerLayerCacheNeverHit { job: l.job.clone() },
                title: format!("{}'s Docker builds never hit the layer cache", l.job),
                detail: format!("{} builds, {} steps, none cached: the steps a cache could serve cost {cost} per build (add --cache-from, or BuildKit with a registry cache)", l.builds, l.steps),
                time_per_week_ms: l.warm_saving_per_week_ms,
                examples: l.cold_examples.clone(),
            });
        } else if l.cached_steps > 0 && l.cached_share >= 0.5 {
            out.push(ImpactFinding {
                kind: FindingKind::DockerLayerCacheEffective { job: l.job.clone() },
                title: format!(
                    "The Docker layer cache serves {:.0} % of {}'s steps",
                    l.cached_share * 100.0,
                    l.job
                ),
                detail: format!(
                    "{} of {} builds were cold, each {cost} slower than a warm one",
                    l.cold_builds, l.builds
                ),
                time_per_week_ms: l.warm_saving_per_week_ms,
                examples: l.cold_examples.clone(),
            });
        }
    }
    out
}

pub fn queue(jobs: &[JobRow], weeks: f64) -> Vec<ImpactFinding> {
    let mut by_tags: BTreeMap<Vec<String>, Vec<&JobRow>> = BTreeMap::new();
    for j in jobs
        .iter()
        .filter(|j| j.queued_duration_ms.is_some() && j.duration_ms.is_some())
    {
        let mut tags: Vec<String> = j
            .tag_list
            .as_deref()
            .and_then(|t| serde_json::from_str(t).ok())
            .unwrap_or_default();
        tags.sort();
        by_tags.entry(tags).or_default().push(j);
    }
    by_tags
        .into_iter()
        .filter(|(_, js)| js.len() >= MIN_QUEUED_JOBS)
        .filter_map(|(tags, js)| {
            let mut queued: Vec<f64> = js
                .iter()
                .filter_map(|j| j.queued_duration_ms)
                .map(|v| v as f64)
                .collect();
            let mut run: Vec<f64> = js
                .iter()
                .filter_map(|j| j.duration_ms)
                .map(|v| v as f64)
                .collect();
            let total_queue: f64 = queued.iter().sum();
            let (q, r) = (median(&mut queued)?, median(&mut run)?);
            (q >= MIN_QUEUE_MS && q >= QUEUE_RATIO * r).then(|| ImpactFinding {
                title: format!(
                    "Jobs on {} wait {:.0}× longer for a runner than they run",
                    if tags.is_empty() {
                        "untagged runners".to_owned()
                    } else {
                        format!("tags {}", tags.join(", "))
                    },
                    q / r.max(1.0)
                ),
                detail: format!(
                    "{} jobs: median queue {:.0} s, median run {:.0} s",
                    js.len(),
                    q / 1_000.0,
                    r / 1_000.0
                ),
                time_per_week_ms: total_queue / weeks,
                examples: js.iter().rev().take(EXAMPLE_JOBS).map(|j| j.id).collect(),
                kind: FindingKind::QueueDominatesRunTime { tags },
            })
        })
        .collect()
}
