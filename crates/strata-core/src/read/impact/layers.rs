//! Docker layer caching per job name: how many steps the cache serves, what a cold build
//! costs over a warm one, which steps miss most, and what a fully warm cache would save.

use std::collections::{BTreeMap, HashMap};

use super::{
    fetch::{JobRow, StepRow},
    interval,
};
use crate::{
    model::impact::{EXAMPLE_JOBS, LayerImpact, StepMiss},
    stats::bootstrap::{median, median_ci, median_difference_ci},
};

const MIN_SAMPLE: usize = 3;

pub fn layer_impacts(jobs: &[JobRow], steps: &[StepRow], weeks: f64) -> Vec<LayerImpact> {
    let mut by_name: BTreeMap<&str, Vec<&JobRow>> = BTreeMap::new();
    for job in jobs
        .iter()
        .filter(|j| j.docker_builds.unwrap_or(0) > 0 && j.docker_build_ms.is_some())
    {
        by_name.entry(job.name.as_str()).or_default().push(job);
    }
    let mut steps_by_job: HashMap<i64, Vec<&StepRow>> = HashMap::new();
    for s in steps {
        steps_by_job.entry(s.job_id).or_default().push(s);
    }
    let mut out: Vec<LayerImpact> = by_name
        .into_iter()
        .map(|(name, builds)| layer_impact(name, &builds, &steps_by_job, weeks))
        .collect();
    out.sort_by(|a, b| {
        b.warm_saving_per_week_ms
            .total_cmp(&a.warm_saving_per_week_ms)
    });
    out
}

fn layer_impact(
    name: &str,
    builds: &[&JobRow],
    steps: &HashMap<i64, Vec<&StepRow>>,
    weeks: f64,
) -> LayerImpact {
    let ms = |j: &JobRow| j.docker_build_ms.unwrap_or(0) as f64;
    let (cold, warm): (Vec<&JobRow>, Vec<&JobRow>) = builds
        .iter()
        .copied()
        .partition(|j| j.docker_cached_steps.unwrap_or(0) == 0);
    let cold_ms: Vec<f64> = cold.iter().map(|&j| ms(j)).collect();
    let warm_ms: Vec<f64> = warm.iter().map(|&j| ms(j)).collect();
    let step_count: i64 = builds.iter().map(|j| j.docker_steps.unwrap_or(0)).sum();
    let cached: i64 = builds
        .iter()
        .map(|j| j.docker_cached_steps.unwrap_or(0))
        .sum();
    let observed = (cold_ms.len() >= MIN_SAMPLE && warm_ms.len() >= MIN_SAMPLE)
        .then(|| median_difference_ci(&warm_ms, &cold_ms))
        .flatten()
        .map(interval);
    // Without warm builds to compare with, estimate what the cache would serve: the steps
    // before each stage's first copy of the sources.
    let estimated = || {
        let per_build: Vec<f64> = cold
            .iter()
            .filter_map(|j| steps.get(&j.id))
            .map(|s| cacheable_ms(s))
            .collect();
        (per_build.len() >= MIN_SAMPLE)
            .then(|| median_ci(&per_build))
            .flatten()
            .map(interval)
    };
    let (cold_cost, cold_cost_observed) = match observed {
        Some(c) => (Some(c), true),
        None if warm.is_empty() => (estimated(), false),
        None => (None, false),
    };
    let avoidable_builds = if cold_cost_observed {
        cold.len()
    } else {
        builds.len()
    };
    let recent =
        |js: &[&JobRow]| -> Vec<i64> { js.iter().rev().take(EXAMPLE_JOBS).map(|j| j.id).collect() };
    LayerImpact {
        job: name.to_owned(),
        builds: builds.len() as u64,
        steps: step_count as u64,
        cached_steps: cached as u64,
        cached_share: if step_count > 0 {
            cached as f64 / step_count as f64
        } else {
            0.0
        },
        warm_builds: warm.len() as u64,
        cold_builds: cold.len() as u64,
        warm_median_ms: median_ci(&warm_ms).map(interval),
        cold_median_ms: median_ci(&cold_ms).map(interval),
        warm_saving_per_week_ms: cold_cost
            .map_or(0.0, |c| c.value.max(0.0) * avoidable_builds as f64 / weeks),
        cold_cost,
        cold_cost_observed,
        missing_steps: missing_steps(builds, steps),
        cold_examples: recent(&cold),
        warm_examples: recent(&warm),
    }
}

/// Steps that run (miss the cache) most, by time they cost.
fn missing_steps(builds: &[&JobRow], steps: &HashMap<i64, Vec<&StepRow>>) -> Vec<StepMiss> {
    let mut by: BTreeMap<&str, (u64, Vec<f64>)> = BTreeMap::new();
    for s in builds.iter().filter_map(|j| steps.get(&j.id)).flatten() {
        let entry = by.entry(s.instruction.as_str()).or_default();
        entry.0 += 1;
        if s.cached == 0 {
            entry.1.push(s.duration_ms.unwrap_or(0) as f64);
        }
    }
    let mut out: Vec<(f64, StepMiss)> = by
        .into_iter()
        .filter(|(_, (_, missed))| !missed.is_empty())
        .map(|(instruction, (runs, mut missed))| {
            let total: f64 = missed.iter().sum();
            let misses = missed.len() as u64;
            (
                total,
                StepMiss {
                    instruction: instruction.to_owned(),
                    runs,
                    misses,
                    median_ms: median(&mut missed),
                },
            )
        })
        .collect();
    out.sort_by(|a, b| b.0.total_cmp(&a.0));
    out.into_iter().take(5).map(|(_, s)| s).collect()
}

/// Time of the steps a layer cache could serve in one job's builds: in each build (steps in
/// order), each stage's steps up to its first `COPY`/`ADD` of the build context (`.`), of a
/// directory, or from another stage — what follows depends on changed sources.
pub fn cacheable_ms(steps: &[&StepRow]) -> f64 {
    let mut total = 0.0;
    let mut build = None;
    let mut open = true;
    for s in steps {
        let instruction = s.instruction.trim();
        let upper = instruction.to_ascii_uppercase();
        if build != Some(s.build_seq) || upper.starts_with("FROM ") {
            build = Some(s.build_seq);
            open = true;
        }
        if open && copies_changing_input(instruction) {
            open = false;
        }
        if open {
            total += s.duration_ms.unwrap_or(0) as f64;
        }
    }
    total
}

fn copies_changing_input(instruction: &str) -> bool {
    let mut words = instruction.split_whitespace();
    let Some(verb) = words.next() else {
        return false;
    };
    if !verb.eq_ignore_ascii_case("COPY") && !verb.eq_ignore_ascii_case("ADD") {
        return false;
    }
    let args: Vec<&str> = words.collect();
    if args.iter().any(|a| a.starts_with("--from")) {
        return true;
    }
    let paths: Vec<&&str> = args.iter().filter(|a| !a.starts_with("--")).collect();
    let sources = &paths[..paths.len().saturating_sub(1)];
    sources
        .iter()
        .any(|s| **s == "." || **s == "./" || s.ends_with('/'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn step(build_seq: i64, instruction: &str, ms: i64) -> StepRow {
        StepRow {
            job_id: 1,
            build_seq,
            seq: 0,
            instruction: instruction.into(),
            cached: 0,
            duration_ms: Some(ms),
        }
    }

    #[test]
    fn cacheable_steps_stop_at_the_first_copy_of_changing_input() {
        let steps = [
            step(0, "FROM node:20", 30_000),
            step(0, "COPY package.json package-lock.json ./", 600),
            step(0, "RUN npm ci", 110_000),
            step(0, "COPY . .", 1_800),
            step(0, "RUN npm run build", 60_000),
            step(1, "FROM nginx:1.27-alpine", 9_000),
            step(1, "COPY nginx.conf /etc/nginx/conf.d/default.conf", 400),
            step(1, "COPY dist/ /usr/share/nginx/html", 700),
            step(1, "FROM scratch", 100),
            step(1, "COPY --from=build /out /out", 50),
        ];
        let refs: Vec<&StepRow> = steps.iter().collect();
        assert_eq!(
            cacheable_ms(&refs),
            30_000.0 + 600.0 + 110_000.0 + 9_000.0 + 400.0 + 100.0
        );
    }
}
